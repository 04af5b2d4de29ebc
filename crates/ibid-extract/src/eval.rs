//! Evaluation against PolNeAR (quotes and speakers) and GUM (entity mentions and merging).
//!
//! Both read the datasets from disk and score ibid with the metrics described in the
//! function docs; the GUM scorer also scores predictions made by another system (the spaCy
//! comparison in `bench/extract-ner/`), so both are measured the same way.

use std::path::{Path, PathBuf};

use ibid_core::{CleanedArticle, OffsetMap, Span};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::gazetteer::{key, EntityKind, Gazetteer};
use crate::{extract, merge_entities, ArticleExtraction};

/// Errors of the evaluation readers.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The dataset holds nothing to score.
    #[error("no documents found under {0}")]
    Empty(PathBuf),
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn list(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, EvalError> {
    let rd = std::fs::read_dir(dir).map_err(|source| EvalError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    Ok(v)
}

/// Wraps raw text as a cleaned article with the identity offset map.
pub fn identity_article(text: &str) -> CleanedArticle {
    CleanedArticle {
        text: text.to_string(),
        offsets: OffsetMap::identity(text.chars().count() as u32),
        ..Default::default()
    }
}

/// Code points shared by two fragment lists.
fn overlap(a: &[Span], b: &[Span]) -> u32 {
    let mut n = 0;
    for x in a {
        for y in b {
            let s = x.start.max(y.start);
            let e = x.end.min(y.end);
            if e > s {
                n += e - s;
            }
        }
    }
    n
}

fn len(a: &[Span]) -> u32 {
    a.iter().map(|s| s.len()).sum()
}

/// True when two spans overlap by at least half of the shorter one.
fn half_match(a: &[Span], b: &[Span]) -> bool {
    let m = len(a).min(len(b));
    m > 0 && overlap(a, b) * 2 >= m
}

/// One gold attribution of PolNeAR.
#[derive(Debug, Clone)]
struct Attribution {
    content: Vec<Span>,
    source: Vec<Span>,
    source_text: String,
    /// The cue words (for error dumps).
    cue_text: String,
    direct: bool,
}

fn parse_spans(s: &str) -> Vec<Span> {
    s.split(';')
        .filter_map(|p| {
            let mut it = p.split_whitespace();
            let a = it.next()?.parse().ok()?;
            let b = it.next()?.parse().ok()?;
            (b >= a).then(|| Span::new(a, b))
        })
        .collect()
}

/// Parses brat standoff: text-bound annotations and Attribution events.
fn parse_ann(ann: &str, text: &[char]) -> Vec<Attribution> {
    let mut spans: FxHashMap<&str, (&str, Vec<Span>)> = FxHashMap::default();
    let mut events = Vec::new();
    for line in ann.lines() {
        let mut f = line.split('\t');
        let (Some(id), Some(body)) = (f.next(), f.next()) else {
            continue;
        };
        if id.starts_with('T') {
            if let Some((kind, rest)) = body.split_once(' ') {
                spans.insert(id, (kind, parse_spans(rest)));
            }
        } else if id.starts_with('E') {
            events.push(body);
        }
    }
    let slice = |s: &[Span]| -> String {
        s.iter()
            .map(|x| {
                text[(x.start as usize).min(text.len())..(x.end as usize).min(text.len())]
                    .iter()
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    for e in events {
        let mut content = Vec::new();
        let mut source = Vec::new();
        let mut cue = Vec::new();
        for arg in e.split_whitespace() {
            let Some((role, tid)) = arg.split_once(':') else {
                continue;
            };
            let Some((_, sp)) = spans.get(tid) else {
                continue;
            };
            if role.starts_with("Content") {
                content.extend(sp.iter().copied());
            } else if role.starts_with("Source") {
                source.extend(sp.iter().copied());
            } else if role.starts_with("Cue") {
                cue.extend(sp.iter().copied());
            }
        }
        if content.is_empty() {
            continue;
        }
        let direct = content.iter().any(|s| has_quote_mark(text, *s));
        out.push(Attribution {
            content,
            source_text: slice(&source),
            cue_text: slice(&cue),
            source,
            direct,
        });
    }
    out
}

/// True when `text[span]` holds a quotation mark: a double mark (curly, straight, guillemet
/// or low), a left single mark, a doubled straight single mark (`''`, as some wire feeds
/// write double quotes), or a single mark opening a word (`'Terrifying.'`). A lone `’` or
/// `'` after letters is an apostrophe ("voters’", "don't", "U.N.'s") and does not count.
pub fn has_quote_mark(text: &[char], span: Span) -> bool {
    let (a, b) = (
        (span.start as usize).min(text.len()),
        (span.end as usize).min(text.len()),
    );
    let s = &text[a..b];
    s.iter().enumerate().any(|(i, &c)| match c {
        '“' | '”' | '"' | '«' | '»' | '„' | '‘' => true,
        '\'' | '’' => {
            let prev = if i > 0 { Some(s[i - 1]) } else { None };
            let next = s.get(i + 1).copied();
            let possessive = matches!(next, Some('s' | 'S'))
                && !s.get(i + 2).is_some_and(|c| c.is_alphanumeric());
            next == Some('\'')
                || (!prev.is_some_and(|p| p.is_alphanumeric() || p == '.')
                    && next.is_some_and(char::is_alphanumeric)
                    && !possessive)
        }
        _ => false,
    })
}

/// True when the last word of `name` occurs as a whole word in `text` (case-insensitive).
fn surname_in(name: &str, text: &str) -> bool {
    let Some(last) = name.split_whitespace().last() else {
        return false;
    };
    let last = last.to_lowercase();
    let text = text.to_lowercase();
    text.match_indices(&last).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + last.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Pairs each text of a PolNeAR split with its annotation file: the first by name among
/// `{stem}_{annotator}.ann`.
fn polnear_jobs(root: &Path, split: &str) -> Result<Vec<(PathBuf, PathBuf)>, EvalError> {
    let tdir = root.join(split).join("text");
    let adir = root.join(split).join("attributions");
    let texts = list(&tdir, "txt")?;
    let anns = list(&adir, "ann")?;
    let mut jobs = Vec::new();
    for t in texts {
        let stem = t
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        // `anns` is sorted, so `find` gives the first by name.
        let ann = anns.iter().find(|a| {
            a.file_stem().is_some_and(|s| {
                let s = s.to_string_lossy();
                s.rsplit_once('_').is_some_and(|(st, _)| st == stem) || s == stem.as_str()
            })
        });
        if let Some(a) = ann {
            jobs.push((t, a.clone()));
        }
    }
    Ok(jobs)
}

/// Whether ibid's speaker is right for a gold attribution: its speaker span overlaps the gold
/// Source, or its canonical speaker's surname (last word) occurs in the Source text.
fn speaker_right(q: &crate::Quote, g: &Attribution) -> bool {
    q.speaker_span.is_some_and(|s| overlap(&[s], &g.source) > 0)
        || q.speaker
            .as_ref()
            .is_some_and(|s| surname_in(s, &g.source_text))
}

/// PolNeAR scores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PolnearReport {
    /// Documents scored.
    pub docs: usize,
    /// Gold direct quotations (Content spans holding a quotation mark).
    pub direct_gold: usize,
    /// ibid's direct quotations.
    pub direct_pred: usize,
    /// Predicted direct quotations matching a gold direct one.
    pub direct_pred_matched: usize,
    /// Gold direct quotations matched by a prediction.
    pub direct_gold_matched: usize,
    /// Direct precision.
    pub direct_precision: f64,
    /// Direct recall.
    pub direct_recall: f64,
    /// Direct F1.
    pub direct_f1: f64,
    /// Matched direct quotations with a gold source.
    pub speaker_total: usize,
    /// ... whose speaker ibid got right.
    pub speaker_correct: usize,
    /// Speaker accuracy on matched direct quotations.
    pub speaker_accuracy: f64,
    /// All gold attributions.
    pub all_gold: usize,
    /// Gold attributions matched by any ibid quote.
    pub all_matched: usize,
    /// Recall over all attributions.
    pub all_recall: f64,
    /// All ibid quotes (direct and indirect).
    pub all_pred: usize,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores ibid's quotes on PolNeAR `root/{split}` (`train` or `dev`).
///
/// Texts are raw, so they run with the identity offset map (spans are the `.txt`'s code
/// points). Where a text has several annotation files the first by name is used. A predicted
/// quote matches a gold Content span when they overlap by at least half of the shorter one.
/// Direct: gold Content spans holding a quotation mark against ibid's `direct` quotes (P, R,
/// F1), and speaker accuracy on matched pairs (right when ibid's speaker span overlaps the
/// gold Source, or the last word of ibid's canonical speaker occurs in it). All: recall of
/// every gold attribution by any ibid quote.
pub fn eval_polnear(root: &Path, split: &str, gaz: &Gazetteer) -> Result<PolnearReport, EvalError> {
    let jobs = polnear_jobs(root, split)?;
    if jobs.is_empty() {
        return Err(EvalError::Empty(root.join(split)));
    }
    let per: Vec<Result<PolnearReport, EvalError>> = jobs
        .par_iter()
        .map(|(t, a)| {
            let text = read(t)?;
            let ann = read(a)?;
            let chars: Vec<char> = text.chars().collect();
            let gold = parse_ann(&ann, &chars);
            let ex = extract(&identity_article(&text), gaz);
            Ok(score_polnear_doc(&gold, &ex, &chars))
        })
        .collect();
    let mut r = PolnearReport::default();
    for p in per {
        let p = p?;
        r.docs += 1;
        r.direct_gold += p.direct_gold;
        r.direct_pred += p.direct_pred;
        r.direct_pred_matched += p.direct_pred_matched;
        r.direct_gold_matched += p.direct_gold_matched;
        r.speaker_total += p.speaker_total;
        r.speaker_correct += p.speaker_correct;
        r.all_gold += p.all_gold;
        r.all_matched += p.all_matched;
        r.all_pred += p.all_pred;
    }
    r.direct_precision = ratio(r.direct_pred_matched, r.direct_pred);
    r.direct_recall = ratio(r.direct_gold_matched, r.direct_gold);
    r.direct_f1 = f1(r.direct_precision, r.direct_recall);
    r.speaker_accuracy = ratio(r.speaker_correct, r.speaker_total);
    r.all_recall = ratio(r.all_matched, r.all_gold);
    Ok(r)
}

fn score_polnear_doc(
    gold: &[Attribution],
    ex: &ArticleExtraction,
    _chars: &[char],
) -> PolnearReport {
    let mut r = PolnearReport::default();
    let gd: Vec<&Attribution> = gold.iter().filter(|g| g.direct).collect();
    let pd: Vec<_> = ex.quotes.iter().filter(|q| q.direct).collect();
    r.direct_gold = gd.len();
    r.direct_pred = pd.len();
    for q in &pd {
        let qs = [q.span];
        // The best gold for speaker scoring: the largest overlap.
        let best = gd
            .iter()
            .filter(|g| half_match(&qs, &g.content))
            .max_by_key(|g| overlap(&qs, &g.content));
        if let Some(g) = best {
            r.direct_pred_matched += 1;
            if !g.source.is_empty() {
                r.speaker_total += 1;
                if speaker_right(q, g) {
                    r.speaker_correct += 1;
                }
            }
        }
    }
    r.direct_gold_matched = gd
        .iter()
        .filter(|g| pd.iter().any(|q| half_match(&[q.span], &g.content)))
        .count();
    r.all_gold = gold.len();
    r.all_pred = ex.quotes.len();
    r.all_matched = gold
        .iter()
        .filter(|g| ex.quotes.iter().any(|q| half_match(&[q.span], &g.content)))
        .count();
    r
}

/// One GUM document: reconstructed text and gold named mentions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GumDoc {
    /// Document id (file stem).
    pub id: String,
    /// Text rebuilt from the tokens (SpaceAfter respected, one sentence per line).
    pub text: String,
    /// Gold named PER/ORG/LOC mentions.
    pub gold: Vec<GumMention>,
}

/// A gold GUM mention.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GumMention {
    /// Span in code points of [`GumDoc::text`].
    pub span: Span,
    /// Span of the syntactic head token.
    pub head: Span,
    /// Mapped type.
    pub kind: EntityKind,
    /// GUM entity (coreference chain) id.
    pub entity: String,
    /// Surface text.
    pub text: String,
}

/// A predicted mention to score (from ibid or another system).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredMention {
    /// Span in code points of [`GumDoc::text`].
    pub span: Span,
    /// Type.
    pub kind: EntityKind,
    /// Predicted entity id, for the alias-merge score (None: no merging predicted).
    pub entity: Option<String>,
}

/// Reads GUM `dep/*.conllu` into documents. Gold mentions are entities of type person,
/// organization or place that are *named*: their head token is a proper noun. (The Wikipedia
/// identity is no test: GUM gives it to every mention of a chain, pronouns included.)
pub fn read_gum(root: &Path) -> Result<Vec<GumDoc>, EvalError> {
    let files = list(&root.join("dep"), "conllu")?;
    if files.is_empty() {
        return Err(EvalError::Empty(root.to_path_buf()));
    }
    files
        .iter()
        .map(|f| {
            Ok(parse_conllu(
                &f.file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default(),
                &read(f)?,
            ))
        })
        .collect()
}

struct GTok {
    span: Span,
    upos: String,
    head: usize,
}

fn parse_conllu(id: &str, src: &str) -> GumDoc {
    let mut text = String::new();
    let mut n: u32 = 0;
    let mut gold = Vec::new();
    // Open entities: (gum id, type, identity, start token index in sentence).
    let mut open: Vec<(String, String, bool, usize)> = Vec::new();
    let mut sent: Vec<GTok> = Vec::new();
    let mut pending: Vec<(usize, usize, String, String, bool)> = Vec::new();
    let mut mwt: Option<(u32, String, usize)> = None; // (start offset, surface, last index)
    let push = |text: &mut String, n: &mut u32, s: &str| {
        text.push_str(s);
        *n += s.chars().count() as u32;
    };
    let flush = |sent: &mut Vec<GTok>,
                 pending: &mut Vec<(usize, usize, String, String, bool)>,
                 text: &str,
                 gold: &mut Vec<GumMention>| {
        for (a, b, eid, ty, ident) in pending.drain(..) {
            let kind = match ty.as_str() {
                "person" => EntityKind::Per,
                "organization" => EntityKind::Org,
                "place" => EntityKind::Loc,
                _ => continue,
            };
            if b > sent.len() || a >= b {
                continue;
            }
            // Head: first token whose head lies outside the mention.
            let h = (a..b)
                .find(|&i| sent[i].head == 0 || sent[i].head - 1 < a || sent[i].head > b)
                .unwrap_or(a);
            // Named mentions only: GUM attaches the chain's Wikipedia identity to every
            // mention of the chain ("its", "the organization"), so the identity does not
            // make a mention named; a proper-noun head does.
            let _ = ident;
            if sent[h].upos != "PROPN" {
                continue;
            }
            let span = Span::new(sent[a].span.start, sent[b - 1].span.end);
            let chars: String = text
                .chars()
                .skip(span.start as usize)
                .take(span.len() as usize)
                .collect();
            gold.push(GumMention {
                span,
                head: sent[h].span,
                kind,
                entity: eid,
                text: chars,
            });
        }
        sent.clear();
    };
    for line in src.lines() {
        if line.is_empty() {
            flush(&mut sent, &mut pending, &text, &mut gold);
            if text.ends_with(' ') {
                text.pop();
                n -= 1;
            }
            if !text.is_empty() && !text.ends_with('\n') {
                push(&mut text, &mut n, "\n");
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 {
            continue;
        }
        let misc = f[9];
        let space_after = !misc.split('|').any(|x| x == "SpaceAfter=No");
        if let Some((a, b)) = f[0].split_once('-') {
            let last: usize = b.parse().unwrap_or(0);
            let _ = a;
            mwt = Some((n, f[1].to_string(), last));
            push(&mut text, &mut n, f[1]);
            if space_after {
                push(&mut text, &mut n, " ");
            }
            continue;
        }
        if f[0].contains('.') {
            continue;
        }
        let idx: usize = f[0].parse().unwrap_or(0);
        let form = f[1];
        let span = if let Some((start, surface, last)) = mwt.as_mut() {
            // Sub-token of a multi-word token: locate it inside the surface.
            let flen = form.chars().count() as u32;
            let surface_len = surface.chars().count() as u32;
            let s = (*start).min(*start + surface_len);
            let e = (s + flen).min(*start + surface_len);
            *start = e;
            let sp = Span::new(s, e.max(s));
            if idx >= *last {
                mwt = None;
            }
            sp
        } else {
            let s = n;
            push(&mut text, &mut n, form);
            let sp = Span::new(s, n);
            if space_after {
                push(&mut text, &mut n, " ");
            }
            sp
        };
        let ti = sent.len();
        sent.push(GTok {
            span,
            upos: f[3].to_string(),
            head: f[6].parse().unwrap_or(0),
        });
        // Entity brackets.
        if let Some(ent) = misc.split('|').find_map(|x| x.strip_prefix("Entity=")) {
            let b = ent.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'(' {
                    let j = ent[i + 1..]
                        .find(['(', ')'])
                        .map_or(ent.len(), |p| i + 1 + p);
                    let label = &ent[i + 1..j];
                    let parts: Vec<&str> = label.split('-').collect();
                    let gid = parts.first().copied().unwrap_or("").to_string();
                    let ty = parts.get(1).copied().unwrap_or("").to_string();
                    let ident = parts.len() >= 8 && !parts[7].is_empty();
                    if j < ent.len() && b[j] == b')' {
                        pending.push((ti, ti + 1, gid, ty, ident));
                        i = j + 1;
                    } else {
                        open.push((gid, ty, ident, ti));
                        i = j;
                    }
                } else if b[i].is_ascii_digit() {
                    let j = ent[i..].find(')').map_or(ent.len(), |p| i + p);
                    let gid = &ent[i..j];
                    if let Some(pos) = open.iter().rposition(|o| o.0 == gid) {
                        let (g, ty, ident, st) = open.remove(pos);
                        pending.push((st, ti + 1, g, ty, ident));
                    }
                    i = j + 1;
                } else {
                    i += 1;
                }
            }
        }
    }
    flush(&mut sent, &mut pending, &text, &mut gold);
    GumDoc {
        id: id.to_string(),
        text,
        gold,
    }
}

/// GUM scores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GumReport {
    /// Documents scored.
    pub docs: usize,
    /// Per type (PER, ORG, LOC): (gold, predicted, matched, precision, recall, F1).
    pub per_type: Vec<(String, usize, usize, usize, f64, f64, f64)>,
    /// Micro precision.
    pub precision: f64,
    /// Micro recall.
    pub recall: f64,
    /// Micro F1.
    pub f1: f64,
    /// Gold coreferent pairs with different surface forms, both matched.
    pub alias_pairs: usize,
    /// ... that land in one predicted entity.
    pub alias_merged: usize,
    /// Alias-merge recall.
    pub alias_recall: f64,
    /// Predicted same-entity pairs with different surface forms, both matched.
    pub alias_pred_pairs: usize,
    /// ... that are coreferent in gold.
    pub alias_pred_correct: usize,
    /// Alias-merge precision.
    pub alias_precision: f64,
}

/// ibid's predictions for GUM documents: mentions with cross-document entity ids.
pub fn predict_gum(docs: &[GumDoc], gaz: &Gazetteer) -> Vec<Vec<PredMention>> {
    let exs: Vec<ArticleExtraction> = docs
        .par_iter()
        .map(|d| extract(&identity_article(&d.text), gaz))
        .collect();
    let per: Vec<(String, &ArticleExtraction)> =
        docs.iter().map(|d| d.id.clone()).zip(exs.iter()).collect();
    let ents = merge_entities(&per);
    let mut ent_of: FxHashMap<(&str, Span), &str> = FxHashMap::default();
    for e in &ents.entities {
        for (a, s, _) in &e.mentions {
            ent_of.insert((a.as_str(), *s), e.id.as_str());
        }
    }
    docs.iter()
        .zip(&exs)
        .map(|(d, ex)| {
            ex.mentions
                .iter()
                .map(|m| PredMention {
                    span: m.span,
                    kind: m.kind,
                    entity: ent_of.get(&(d.id.as_str(), m.span)).map(|s| s.to_string()),
                })
                .collect()
        })
        .collect()
}

/// Scores predictions on GUM. A prediction matches a gold mention of the same type when it
/// covers the gold head token and lies inside the gold span (so "Grand Mosque" matches
/// "Mecca's Grand Mosque", and a title-less "Obama" matches "President Obama"); matching is
/// one-to-one, greedy in text order. Alias merge: over gold coreferent mention pairs with
/// different surface forms whose both mentions are matched, the share that the predictions
/// put in one entity (recall), and over predicted same-entity pairs with different surface
/// forms, the share that are coreferent in gold (precision).
pub fn score_gum(docs: &[GumDoc], preds: &[Vec<PredMention>]) -> GumReport {
    let kinds = [EntityKind::Per, EntityKind::Org, EntityKind::Loc];
    let mut counts: FxHashMap<EntityKind, (usize, usize, usize)> = FxHashMap::default();
    let mut r = GumReport {
        docs: docs.len(),
        ..Default::default()
    };
    for (d, ps) in docs.iter().zip(preds) {
        let mut used = vec![false; ps.len()];
        let mut gold_to_pred: Vec<Option<usize>> = vec![None; d.gold.len()];
        for (gi, g) in d.gold.iter().enumerate() {
            let hit = ps.iter().enumerate().find(|(pi, p)| {
                !used[*pi]
                    && p.kind == g.kind
                    && p.span.start <= g.head.start
                    && p.span.end >= g.head.end
                    && p.span.start >= g.span.start
                    && p.span.end <= g.span.end
            });
            if let Some((pi, _)) = hit {
                used[pi] = true;
                gold_to_pred[gi] = Some(pi);
            }
        }
        for k in kinds {
            let c = counts.entry(k).or_default();
            c.0 += d.gold.iter().filter(|g| g.kind == k).count();
            c.1 += ps.iter().filter(|p| p.kind == k).count();
            c.2 += d
                .gold
                .iter()
                .zip(&gold_to_pred)
                .filter(|(g, m)| g.kind == k && m.is_some())
                .count();
        }
        // Alias merge.
        let matched: Vec<(usize, usize)> = gold_to_pred
            .iter()
            .enumerate()
            .filter_map(|(g, p)| p.map(|p| (g, p)))
            .collect();
        let surface = |g: &GumMention| key(&g.text);
        let mut seen: FxHashSet<(String, String, bool)> = FxHashSet::default();
        for (x, &(gi, pi)) in matched.iter().enumerate() {
            for &(gj, pj) in &matched[x + 1..] {
                let (a, b) = (&d.gold[gi], &d.gold[gj]);
                if surface(a) == surface(b) {
                    continue;
                }
                let same_gold = a.entity == b.entity;
                let same_pred = ps[pi].entity.is_some() && ps[pi].entity == ps[pj].entity;
                // Count each pair of surface forms once per document.
                let (s1, s2) = if surface(a) < surface(b) {
                    (surface(a), surface(b))
                } else {
                    (surface(b), surface(a))
                };
                if !seen.insert((s1, s2, same_gold)) {
                    continue;
                }
                if same_gold {
                    r.alias_pairs += 1;
                    if same_pred {
                        r.alias_merged += 1;
                    }
                }
                if same_pred {
                    r.alias_pred_pairs += 1;
                    if same_gold {
                        r.alias_pred_correct += 1;
                    }
                }
            }
        }
    }
    let (mut tg, mut tp, mut tm) = (0, 0, 0);
    for k in kinds {
        let (g, p, m) = counts.get(&k).copied().unwrap_or_default();
        tg += g;
        tp += p;
        tm += m;
        let (pr, re) = (ratio(m, p), ratio(m, g));
        r.per_type
            .push((k.as_str().to_string(), g, p, m, pr, re, f1(pr, re)));
    }
    r.precision = ratio(tm, tp);
    r.recall = ratio(tm, tg);
    r.f1 = f1(r.precision, r.recall);
    r.alias_recall = ratio(r.alias_merged, r.alias_pairs);
    r.alias_precision = ratio(r.alias_pred_correct, r.alias_pred_pairs);
    r
}

/// Reads GUM under `root` and scores ibid on it.
pub fn eval_gum(root: &Path, gaz: &Gazetteer) -> Result<GumReport, EvalError> {
    let docs = read_gum(root)?;
    let preds = predict_gum(&docs, gaz);
    Ok(score_gum(&docs, &preds))
}

/// Debugging aid: lines describing matched direct quotes whose speaker is wrong, and gold
/// attributions no ibid quote matches (`what` = "speaker" or "missed"), for the first `max`
/// documents of a PolNeAR split.
pub fn polnear_errors(
    root: &Path,
    split: &str,
    gaz: &Gazetteer,
    what: &str,
    max: usize,
) -> Result<Vec<String>, EvalError> {
    let mut out = Vec::new();
    for (t, a) in polnear_jobs(root, split)?.into_iter().take(max) {
        let stem = t
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = read(&t)?;
        let chars: Vec<char> = text.chars().collect();
        let gold = parse_ann(&read(&a)?, &chars);
        let ex = extract(&identity_article(&text), gaz);
        let sl = |s: Span| {
            chars[s.start as usize..(s.end as usize).min(chars.len())]
                .iter()
                .collect::<String>()
        };
        if what == "speaker" {
            for q in ex.quotes.iter().filter(|q| q.direct) {
                let Some(g) = gold
                    .iter()
                    .filter(|g| g.direct && half_match(&[q.span], &g.content))
                    .max_by_key(|g| overlap(&[q.span], &g.content))
                else {
                    continue;
                };
                if g.source.is_empty() {
                    continue;
                }
                if !speaker_right(q, g) {
                    let qt: String = q.text.chars().take(70).collect();
                    let ctx = |a: u32, b: u32| {
                        sl(Span::new(a, b.min(chars.len() as u32))).replace('\n', " ¶ ")
                    };
                    let (a, b) = (q.span.start, q.span.end);
                    out.push(format!(
                        "{stem}\n  Q{}: {qt}\n  ibid: {:?} [{}]\n  gold: {}\n  ctx: …{}[Q]{}…",
                        if q.partial { "p" } else { "" },
                        q.speaker,
                        q.speaker_span.map(sl).unwrap_or_default(),
                        g.source_text,
                        ctx(a.saturating_sub(160), a),
                        ctx(b, b + 100)
                    ));
                }
            }
        } else if what == "direct" {
            // Direct false positives (P) and misses (M).
            for q in ex.quotes.iter().filter(|q| q.direct) {
                if !gold
                    .iter()
                    .any(|g| g.direct && half_match(&[q.span], &g.content))
                {
                    let c: String = q.text.chars().take(120).collect();
                    out.push(format!("{stem} P{}: {c}", if q.partial { "p" } else { "" }));
                }
            }
            for g in gold.iter().filter(|g| g.direct) {
                if !ex
                    .quotes
                    .iter()
                    .any(|q| q.direct && half_match(&[q.span], &g.content))
                {
                    let c: String = g
                        .content
                        .iter()
                        .map(|s| sl(*s))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    out.push(format!(
                        "{stem} M: {}",
                        c.chars().take(160).collect::<String>()
                    ));
                }
            }
        } else {
            for g in &gold {
                if !ex.quotes.iter().any(|q| half_match(&[q.span], &g.content)) {
                    let c: String = g
                        .content
                        .iter()
                        .map(|s| sl(*s))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    out.push(format!(
                        "{stem}: [{}] <{}> {}",
                        g.source_text,
                        g.cue_text,
                        c.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brat_parse_and_half_match() {
        let text: Vec<char> = "He said “go now” today.".chars().collect();
        let ann = "T1\tSource 0 2\tHe\nT2\tCue 3 7\tsaid\nT3\tContent 8 16\t“go now”\nT4\tAttribution 3 7\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n";
        let g = parse_ann(ann, &text);
        assert_eq!(g.len(), 1);
        assert!(g[0].direct);
        assert_eq!(g[0].source_text, "He");
        assert!(half_match(&[Span::new(9, 15)], &g[0].content));
        assert!(!half_match(&[Span::new(14, 30)], &g[0].content));
    }

    #[test]
    fn quote_marks_and_surnames() {
        let has = |s: &str| {
            let c: Vec<char> = s.chars().collect();
            has_quote_mark(&c, Span::new(0, c.len() as u32))
        };
        assert!(has("he said “go”"));
        assert!(has("''Yes,'' he said"));
        assert!(has("It’s ‘in Their Heads.’"));
        assert!(has("The Trends Are 'Terrifying.'"));
        assert!(!has("the voters’ choice, don't, the U.N.'s record"));
        assert!(surname_in("Jane Doakes", "Sen. Jane Doakes (D-Ohio)"));
        assert!(!surname_in("Wei Li", "Clinton"));
    }

    #[test]
    fn conllu_entities_and_text() {
        let src = "# x\n1\tPresident\tpresident\tPROPN\t_\t_\t2\tcompound\t_\tEntity=(1-person-new-s-c-1-coref-Barack_Obama\n2\tObama\tObama\tPROPN\t_\t_\t3\tnsubj\t_\tEntity=1)\n3\tspoke\tspeak\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n4\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n\n";
        let d = parse_conllu("t", src);
        assert_eq!(d.text, "President Obama spoke.\n");
        assert_eq!(d.gold.len(), 1);
        assert_eq!(d.gold[0].text, "President Obama");
        assert_eq!(d.gold[0].head, Span::new(10, 15));
        let preds = vec![vec![PredMention {
            span: Span::new(10, 15),
            kind: EntityKind::Per,
            entity: None,
        }]];
        let r = score_gum(&[d], &preds);
        assert!((r.f1 - 1.0).abs() < 1e-9);
    }
}
