//! GUM: named PER/ORG/LOC mentions and alias merging, split into a development and a
//! reporting half.

use std::path::Path;

use ibid_core::Span;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::{f1, identity_article, list, ratio, read, EvalError};
use crate::gazetteer::{key, EntityKind, Gazetteer};
use crate::{extract, merge_entities, ArticleExtraction};

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

/// FNV-1a (64-bit) of a document name: the fixed hash that splits GUM.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Splits GUM documents into a development and a reporting half: sorted by [`fnv1a`] of
/// their id (the file stem, e.g. `GUM_news_crane`), the first half (rounded up) develops,
/// the rest reports. Rules may be checked against the development half only.
pub fn split_gum(docs: Vec<GumDoc>) -> (Vec<GumDoc>, Vec<GumDoc>) {
    let mut docs = docs;
    docs.sort_by_key(|d| (fnv1a(&d.id), d.id.clone()));
    let report = docs.split_off(docs.len().div_ceil(2));
    (docs, report)
}

/// GUM scores of both halves.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GumEval {
    /// Document ids of the development half.
    pub development_docs: Vec<String>,
    /// Document ids of the reporting half.
    pub reporting_docs: Vec<String>,
    /// Scores on the development half.
    pub development: GumReport,
    /// Scores on the reporting half.
    pub reporting: GumReport,
}

/// Reads GUM under `root` and scores ibid on each half (each predicted on its own, so
/// merging across documents stays within a half).
pub fn eval_gum(root: &Path, gaz: &Gazetteer) -> Result<GumEval, EvalError> {
    let (dev, rep) = split_gum(read_gum(root)?);
    let score = |docs: &[GumDoc]| score_gum(docs, &predict_gum(docs, gaz));
    Ok(GumEval {
        development_docs: dev.iter().map(|d| d.id.clone()).collect(),
        reporting_docs: rep.iter().map(|d| d.id.clone()).collect(),
        development: score(&dev),
        reporting: score(&rep),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn split_is_by_hash_and_halves() {
        // FNV-1a 64 reference values.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        let doc = |id: &str| GumDoc {
            id: id.into(),
            text: String::new(),
            gold: vec![],
        };
        let (d, r) = split_gum(["x", "y", "z"].iter().map(|s| doc(s)).collect());
        assert_eq!((d.len(), r.len()), (2, 1));
        assert!(fnv1a(&d[1].id) <= fnv1a(&r[0].id));
    }
}
