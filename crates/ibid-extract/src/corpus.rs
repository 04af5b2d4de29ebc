//! Cross-article entity merging and statement linking.

use ibid_core::Span;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use crate::gazetteer::{key, EntityKind, Gazetteer};
use crate::vocab::TITLES;
use crate::ArticleExtraction;

/// One entity across the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id derived from kind and name (`per:ali-akbar-velayati`).
    pub id: String,
    /// Preferred name.
    pub name: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Distinct surface forms seen.
    pub variants: Vec<String>,
    /// Every mention: (article id, original span, text).
    pub mentions: Vec<(String, Span, String)>,
}

/// The entities of a corpus.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CorpusEntities {
    /// Entities, sorted by id.
    pub entities: Vec<Entity>,
}

fn bundled() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::bundled)
}

/// Folds common transliteration differences (Aleksandr/Alexander, Lavrentiyev/Lavrentiev,
/// Qasem/Ghasem) before comparing spellings.
pub(crate) fn fold(s: &str) -> String {
    let mut t = key(s).replace(' ', "");
    for (a, b) in [
        ("ks", "x"),
        ("iy", "i"),
        ("yi", "i"),
        ("kh", "h"),
        ("ph", "f"),
        ("ou", "u"),
        ("ee", "i"),
        ("gh", "g"),
        ("q", "k"),
        ("w", "v"),
        ("y", "i"),
        ("dzh", "j"),
        ("zh", "j"),
        ("ck", "k"),
    ] {
        t = t.replace(a, b);
    }
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Whether two folded given names may be one person's: listed forms of one name
/// ([`Gazetteer::same_given`]), or spellings of one name (transliterations: Aleksandr and
/// Alexander). Two different known given names ("Donald", "Melania"; "Jon", "John") never
/// are.
fn same_first(gaz: &Gazetteer, a: &str, b: &str) -> bool {
    if gaz.same_given(a, b) {
        return true;
    }
    let th = if gaz.is_given_name(a) && gaz.is_given_name(b) {
        0.95
    } else {
        0.85
    };
    similar(a, b, th)
}

fn similar(a: &str, b: &str, th: f64) -> bool {
    a == b || strsim::jaro_winkler(&fold(a), &fold(b)) >= th
}

/// [`similar`] of two names given with their [`fold`]s.
fn similar_folded((a, fa): (&str, &str), (b, fb): (&str, &str), th: f64) -> bool {
    a == b || (lengths_allow(fa, fb, th) && strsim::jaro_winkler(fa, fb) >= th)
}

/// Whether two strings' lengths allow a Jaro-Winkler similarity of `th`. Jaro is at most
/// (2 + shorter/longer) / 3 and the Winkler prefix bonus at most 0.4 (1 - Jaro), so a score
/// of `th` needs shorter/longer >= 3 (th - 0.4) / 0.6 - 2 (0.65 at 0.93). Most pairs of a
/// block fail this before the quadratic Jaro match.
fn lengths_allow(a: &str, b: &str, th: f64) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let (short, long) = (la.min(lb) as f64, la.max(lb) as f64);
    let ratio = 3.0 * (th - 0.4) / 0.6 - 2.0;
    short >= long * ratio - 1e-9
}

struct Uf(Vec<usize>);
impl Uf {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// A group of mentions with one canonical in one article.
///
/// Borrows its names from the per-article extractions: a store has millions of mentions, and
/// copying each name here was a fifth of the merge.
struct Group<'a> {
    kind: EntityKind,
    canonical: &'a str,
    mentions: Vec<(usize, Span, &'a str)>,
    /// A bare name the article left open between namesakes.
    open: bool,
}

fn is_title_word(w: &str) -> bool {
    TITLES.contains(&w.trim_end_matches('.'))
}

/// A name without its leading titles ("President Bashar al-Assad" -> "Bashar al-Assad"); the
/// name itself when nothing but titles would be left.
fn strip_titles(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let first = words
        .iter()
        .position(|w| !is_title_word(w))
        .unwrap_or(words.len());
    if first == words.len() {
        return s.to_string();
    }
    words[first..].join(" ")
}

/// Organisation key: lower case, without a leading article, demonym or country.
fn org_key(s: &str) -> String {
    let k = key(s);
    let mut words: Vec<&str> = k.split(' ').collect();
    while words.len() > 2 && (words[0] == "the" || bundled().demonym(words[0]).is_some()) {
        words.remove(0);
    }
    words.join(" ")
}

/// An entity whose mentions point into the articles it was merged from (see
/// [`merge_entity_refs`]): the same as [`Entity`] without a copy of every mention's article id
/// and text, which in a big store is most of the merge's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef<'a> {
    /// Stable id derived from kind and name (`per:ali-akbar-velayati`).
    pub id: String,
    /// Preferred name.
    pub name: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Distinct surface forms seen.
    pub variants: Vec<String>,
    /// Every mention: (index of its article in the input, original span, text), sorted.
    pub mentions: Vec<(usize, Span, &'a str)>,
}

/// Merges mentions across articles into entities.
pub fn merge_entities(per_article: &[(String, &ArticleExtraction)]) -> CorpusEntities {
    let entities = merge_entity_refs(per_article)
        .into_iter()
        .map(|e| {
            let mut mentions: Vec<(String, Span, String)> = e
                .mentions
                .into_iter()
                .map(|(ai, span, t)| (per_article[ai].0.clone(), span, t.to_string()))
                .collect();
            mentions.sort();
            Entity {
                id: e.id,
                name: e.name,
                kind: e.kind,
                variants: e.variants,
                mentions,
            }
        })
        .collect();
    CorpusEntities { entities }
}

/// [`merge_entities`] with mentions by article index, borrowed from `per_article`; entities
/// sorted by id.
pub fn merge_entity_refs<'a>(
    per_article: &'a [(String, &'a ArticleExtraction)],
) -> Vec<EntityRef<'a>> {
    // One group per (article, kind, canonical), numbered by article and first appearance
    // within it: built per article in parallel, then concatenated in article order.
    let groups: Vec<Group<'_>> = per_article
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ai, (_, ex))| {
            let mut local: Vec<Group<'_>> = Vec::new();
            let mut index: FxHashMap<(EntityKind, &str), usize> = FxHashMap::default();
            for m in &ex.mentions {
                let g = *index
                    .entry((m.kind, m.canonical.as_str()))
                    .or_insert_with(|| {
                        local.push(Group {
                            kind: m.kind,
                            canonical: m.canonical.as_str(),
                            mentions: Vec::new(),
                            open: false,
                        });
                        local.len() - 1
                    });
                local[g].mentions.push((ai, m.span, m.text.as_str()));
                local[g].open |= m.open;
            }
            local
        })
        .collect();
    let n = groups.len();
    let mut uf = Uf((0..n).collect());
    // Keys are computed for every group in parallel; the unions that use them run in group
    // order, as their outcome depends on the unions before them.
    let canonical_key: Vec<String> = groups.par_iter().map(|g| key(g.canonical)).collect();
    // Exact keys (case, hyphens, aliases, demonyms for organisations).
    let exact: Vec<String> = groups
        .par_iter()
        .zip(&canonical_key)
        .map(|(g, plain)| {
            let mut k = match g.kind {
                EntityKind::Org => org_key(g.canonical),
                _ => plain.clone(),
            };
            if let Some((kind, c)) = bundled().lookup(g.canonical) {
                if kind == g.kind {
                    k = key(c);
                }
            }
            // A name left open between namesakes stays with the other open ones.
            if g.open {
                k.push_str(" (open)");
            }
            k
        })
        .collect();
    let mut by_key: FxHashMap<(EntityKind, String), usize> = FxHashMap::default();
    for (i, k) in exact.into_iter().enumerate() {
        match by_key.entry((groups[i].kind, k)) {
            std::collections::hash_map::Entry::Occupied(e) => uf.union(i, *e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    drop(by_key);
    // Acronyms seen as variants of a full name.
    let acronyms: Vec<(String, usize)> = groups
        .par_iter()
        .zip(&canonical_key)
        .enumerate()
        .flat_map_iter(|(i, (g, plain))| {
            g.mentions
                .iter()
                .filter(|(_, _, t)| t.len() >= 2 && t.chars().all(|c| c.is_uppercase() || c == '.'))
                .map(|(_, _, t)| key(t))
                .filter(move |k| k != plain)
                .map(move |k| (k, i))
        })
        .collect();
    let mut acr: FxHashMap<String, FxHashSet<usize>> = FxHashMap::default();
    for (k, i) in acronyms {
        acr.entry(k).or_default().insert(i);
    }
    for (i, k) in canonical_key.iter().enumerate() {
        if let Some(set) = acr.get(k) {
            let roots: FxHashSet<usize> = set.iter().map(|&j| uf.find(j)).collect();
            if roots.len() == 1 {
                if let Some(&j) = set.iter().next() {
                    uf.union(i, j);
                }
            }
        }
    }
    drop(acr);
    // Persons. Tokens and role flags are computed once per group; the pairwise comparisons
    // below run over distinct names only, blocked by the first two letters of the folded
    // surname. A Jaro-Winkler of 0.93 on surnames practically requires a shared prefix, so the
    // blocking loses (almost) nothing while turning a quadratic pass over every mention group
    // of the store into small per-block passes.
    let per: Vec<usize> = (0..n)
        .filter(|&i| groups[i].kind == EntityKind::Per)
        .collect();
    let toks = |s: &str| key(s).split(' ').map(str::to_string).collect::<Vec<_>>();
    // Bare roles ("the President" written so every time), for every group at once: the
    // entities built below ask it of each of their members.
    let role_of: Vec<bool> = groups
        .par_iter()
        .map(|g| {
            let k = key(g.canonical);
            k.split(' ').next().is_some_and(is_title_word)
                && g.mentions.iter().all(|m| key(m.2) == k)
        })
        .collect();
    let is_role = |i: usize| role_of[i];
    let tok: FxHashMap<usize, Vec<String>> = per
        .iter()
        .map(|&i| (i, toks(groups[i].canonical)))
        .collect();
    let role: FxHashSet<usize> = per.iter().copied().filter(|&i| is_role(i)).collect();
    // Distinct full names (first, surname) -> one representative group each. Middle
    // initials tell people apart ("George H.W. Bush", "George W. Bush"): where a name comes
    // with several, each initial is its own person and the form without one stays apart.
    let middle_of = |t: &[String]| -> String {
        t[1..t.len() - 1]
            .iter()
            .filter(|w| w.chars().count() <= 2)
            .map(String::as_str)
            .collect()
    };
    let mut by_name: FxHashMap<(String, String), Vec<(String, usize)>> = FxHashMap::default();
    for &i in &per {
        let t = &tok[&i];
        if t.len() < 2 || role.contains(&i) {
            continue;
        }
        by_name
            .entry((t[0].clone(), t[t.len() - 1].clone()))
            .or_default()
            .push((middle_of(t), i));
    }
    let mut full: FxHashMap<(String, String), usize> = FxHashMap::default();
    let mut names: Vec<_> = by_name.into_iter().collect();
    names.sort();
    for (name, list) in names {
        let middles: FxHashSet<&str> = list
            .iter()
            .map(|(m, _)| m.as_str())
            .filter(|m| !m.is_empty())
            .collect();
        let mut rep: FxHashMap<&str, usize> = FxHashMap::default();
        for (m, i) in &list {
            let m = if middles.len() <= 1 { "" } else { m.as_str() };
            match rep.get(m) {
                Some(&j) => uf.union(*i, j),
                None => {
                    rep.insert(m, *i);
                }
            }
        }
        if middles.len() <= 1 {
            full.insert(name, rep[""]);
        }
    }
    // Folded spellings, once per distinct surname: folding was most of the cost of a
    // comparison, and a store compares each surname with its whole block many times.
    let folded: FxHashMap<&str, String> = full
        .keys()
        .map(|(_, surname)| (surname.as_str(), fold(surname)))
        .collect();
    // Block by the first two letters of the folded surname: (first, surname, folded, group).
    type Entry<'a> = (&'a String, &'a String, &'a str, usize);
    let mut blocks: FxHashMap<String, Vec<Entry<'_>>> = FxHashMap::default();
    for ((first, surname), &i) in &full {
        let f = folded[surname.as_str()].as_str();
        blocks
            .entry(f.chars().take(2).collect())
            .or_default()
            .push((first, surname, f, i));
    }
    let gaz = bundled();
    // Blocks are compared in parallel; the unions are applied after, in block order (a
    // union's root is the smaller group, so the components do not depend on that order).
    let mut block_lists: Vec<&mut Vec<Entry<'_>>> = blocks.values_mut().collect();
    let similar: Vec<Vec<(usize, usize)>> = block_lists
        .par_iter_mut()
        .map(|list| {
            list.sort_by_key(|&(_, _, _, i)| i);
            let mut pairs = Vec::new();
            for (x, &(fi, si, fsi, i)) in list.iter().enumerate() {
                for &(fj, sj, fsj, j) in &list[x + 1..] {
                    if similar_folded((si, fsi), (sj, fsj), 0.93) && same_first(gaz, fi, fj) {
                        pairs.push((i, j));
                    }
                }
            }
            pairs
        })
        .collect();
    for (i, j) in similar.into_iter().flatten() {
        uf.union(i, j);
    }
    // Single names: to the one person with that surname, or to the one the store is
    // clearly about (three times the mentions of every namesake together); never when the
    // article itself left the name open between namesakes.
    let size = |uf: &mut Uf, members: &FxHashMap<usize, usize>, r: usize| -> usize {
        members.get(&uf.find(r)).copied().unwrap_or(0)
    };
    let mut mentions_of: FxHashMap<usize, usize> = FxHashMap::default();
    for &i in &per {
        let r = uf.find(i);
        *mentions_of.entry(r).or_default() += groups[i].mentions.len();
    }
    // The full names a single name may stand for, once per distinct single name (the same
    // surname stands alone in thousands of articles).
    let single = |i: usize| {
        let ti = &tok[&i];
        (ti.len() == 1 && !role.contains(&i) && !groups[i].open).then(|| ti[0].as_str())
    };
    let mut distinct: Vec<&str> = per.iter().filter_map(|&i| single(i)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let full_names_like: FxHashMap<&str, Vec<usize>> = distinct
        .into_par_iter()
        .map(|name| {
            let f = fold(name);
            let key: String = f.chars().take(2).collect();
            let like = blocks
                .get(&key)
                .map(|list| {
                    list.iter()
                        .filter(|&&(_, sj, fsj, _)| similar_folded((name, &f), (sj, fsj), 0.93))
                        .map(|&(_, _, _, j)| j)
                        .collect()
                })
                .unwrap_or_default();
            (name, like)
        })
        .collect();
    for &i in &per {
        let Some(name) = single(i) else {
            continue;
        };
        let like = &full_names_like[name];
        let roots: FxHashSet<usize> = like.iter().map(|&j| uf.find(j)).collect();
        let mut roots: Vec<usize> = roots.into_iter().collect();
        roots.sort_unstable();
        let target = match roots.as_slice() {
            [r] => Some(*r),
            [] => None,
            _ => {
                let sizes: Vec<(usize, usize)> = roots
                    .iter()
                    .map(|&r| (size(&mut uf, &mentions_of, r), r))
                    .collect();
                let total: usize = sizes.iter().map(|x| x.0).sum();
                sizes
                    .iter()
                    .max()
                    .filter(|(n, _)| *n >= 3 * (total - n))
                    .map(|x| x.1)
            }
        };
        if let Some(r) = target {
            uf.union(i, r);
        }
    }
    // Bare roles ("the Leader"): to the one person introduced with that role.
    let mut role_people: FxHashMap<String, FxHashSet<usize>> = FxHashMap::default();
    for &i in &per {
        if role.contains(&i) {
            continue;
        }
        let surname = tok[&i].last().cloned().unwrap_or_default();
        for (_, _, t) in &groups[i].mentions {
            let tt = toks(t);
            if tt.first().is_some_and(|w| is_title_word(w)) && !tt.contains(&surname) {
                role_people.entry(tt[0].clone()).or_default().insert(i);
            }
        }
    }
    for &i in &per {
        if !role.contains(&i) {
            continue;
        }
        let head = tok[&i][0].clone();
        if let Some(set) = role_people.get(&head) {
            let roots: FxHashSet<usize> = set.iter().map(|&j| uf.find(j)).collect();
            if roots.len() == 1 {
                if let Some(&r) = roots.iter().next() {
                    uf.union(i, r);
                }
            }
        }
    }
    // Build entities: each root's members in parallel, then ids in root order (a name taken
    // twice gets a numbered id).
    let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for i in 0..n {
        members.entry(uf.find(i)).or_default().push(i);
    }
    let mut roots: Vec<(usize, Vec<usize>)> = members.into_iter().collect();
    roots.sort_unstable_by_key(|(r, _)| *r);
    // Built without ids; ids are given after, in root order.
    let built: Vec<Option<EntityRef<'a>>> = roots
        .par_iter()
        .map(|(r, ms)| {
            let kind = groups[*r].kind;
            // A bare title that never met the person it stands for ("President" where
            // several presidents are named) is no entity.
            if kind == EntityKind::Per && ms.iter().all(|&i| is_role(i)) {
                return None;
            }
            // Name: the most mentioned canonical, longer first on ties, skipping bare
            // roles.
            let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
            for &i in ms {
                if !(kind == EntityKind::Per && is_role(i)) {
                    *counts.entry(groups[i].canonical).or_default() += groups[i].mentions.len();
                }
            }
            // The usual full form: a full name over a single word, then the most
            // mentioned ("Donald Trump" over "Donald J. Trump" when written so more
            // often).
            let name = counts
                .iter()
                .max_by_key(|(c, n)| (c.split(' ').count().min(2), **n, c.len()))
                .map_or(groups[*r].canonical, |(c, _)| *c)
                .to_string();
            // Variants in order of first sight, each once (a set beside the list: an
            // entity of a big store has hundreds of variants and millions of mentions).
            let mut variants: Vec<String> = Vec::new();
            let mut seen: FxHashSet<String> = FxHashSet::default();
            let mut mentions = Vec::new();
            for &i in ms {
                // Variants are the names themselves as well as their surface forms: a
                // mention "President Putin" also attests the variant "Putin".
                let mut add = |v: &str| {
                    if !v.is_empty() && !seen.contains(v) {
                        seen.insert(v.to_string());
                        variants.push(v.to_string());
                    }
                };
                for &(ai, span, t) in &groups[i].mentions {
                    add(t);
                    add(&strip_titles(t));
                    mentions.push((ai, span, t));
                }
                add(groups[i].canonical);
            }
            mentions.sort();
            Some(EntityRef {
                id: String::new(),
                name,
                kind,
                variants,
                mentions,
            })
        })
        .collect();
    let mut entities = Vec::new();
    let mut used_ids: FxHashSet<String> = FxHashSet::default();
    for mut entity in built.into_iter().flatten() {
        let base = format!(
            "{}:{}",
            entity.kind.as_str().to_lowercase(),
            key(&entity.name).replace(' ', "-")
        );
        let mut id = base.clone();
        let mut k = 2;
        while used_ids.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        used_ids.insert(id.clone());
        entity.id = id;
        entities.push(entity);
    }
    entities.sort_by(|a, b| a.id.cmp(&b.id));
    entities
}

const STOPWORDS: &[&str] = &[
    "the", "and", "for", "that", "with", "this", "from", "are", "was", "were", "has", "have",
    "had", "their", "they", "them", "its", "his", "her", "our", "who", "which", "will", "would",
    "can", "could", "should", "all", "also", "but", "not", "been", "being", "once", "again",
    "such", "than", "into", "onto", "over", "even", "very", "more", "most", "some", "any",
    "between", "among", "about", "what", "when", "where", "while", "there", "these", "those",
    "said", "says",
];

/// Content words cut to five letters: a cheap stem that meets "complexities"/"complications"
/// and "Syria"/"Syrian".
fn stems(text: &str) -> FxHashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// Links renderings of the same statement across articles: one statement id per group of
/// quotes with the same speaker entity and overlapping content. Every quote gets an id.
///
/// Every pair of quotes by one speaker is compared, so callers should pass a bounded group of
/// articles (the pipeline passes one storyline at a time).
pub fn link_statements(
    per_article: &[(String, &ArticleExtraction)],
) -> Vec<(String, usize, String)> {
    let ents = merge_entities(per_article);
    let mut ent_of: FxHashMap<(String, String), String> = FxHashMap::default();
    let mut span_ent: FxHashMap<(String, Span), String> = FxHashMap::default();
    for e in &ents.entities {
        for (a, s, _) in &e.mentions {
            span_ent.insert((a.clone(), *s), e.id.clone());
        }
    }
    for (id, ex) in per_article {
        for m in &ex.mentions {
            if let Some(e) = span_ent.get(&(id.clone(), m.span)) {
                ent_of
                    .entry((id.clone(), m.canonical.clone()))
                    .or_insert_with(|| e.clone());
            }
        }
    }
    struct Item {
        article: usize,
        qi: usize,
        speaker: Option<String>,
        stems: FxHashSet<String>,
    }
    let mut items = Vec::new();
    for (ai, (id, ex)) in per_article.iter().enumerate() {
        for (qi, q) in ex.quotes.iter().enumerate() {
            let speaker = q.speaker.as_ref().map(|s| {
                ent_of
                    .get(&(id.clone(), s.clone()))
                    .cloned()
                    .unwrap_or_else(|| format!("group:{}", key(s)))
            });
            items.push(Item {
                article: ai,
                qi,
                speaker,
                stems: stems(&q.text),
            });
        }
    }
    let mut by_speaker: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, it) in items.iter().enumerate() {
        if let Some(s) = &it.speaker {
            by_speaker.entry(s.as_str()).or_default().push(i);
        }
    }
    let mut uf = Uf((0..items.len()).collect());
    // Candidate pairs come from an inverted index over each speaker's stems: only quotes that
    // share at least `MIN_SHARED` stems are compared, and stems used by more than
    // `MAX_POSTING` of the speaker's quotes (the speaker's stock vocabulary) do not count
    // towards candidacy, so a prolific speaker does not cost a quadratic pass.
    const MIN_SHARED: usize = 4;
    const MAX_POSTING: usize = 200;
    for list in by_speaker.values() {
        let mut postings: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for &i in list {
            for st in &items[i].stems {
                postings.entry(st.as_str()).or_default().push(i);
            }
        }
        let mut shared: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        for post in postings.values() {
            if post.len() > MAX_POSTING {
                continue;
            }
            for (x, &i) in post.iter().enumerate() {
                for &j in &post[x + 1..] {
                    *shared.entry((i.min(j), i.max(j))).or_default() += 1;
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = shared
            .into_iter()
            .filter(|&(_, c)| c >= MIN_SHARED)
            .map(|(p, _)| p)
            .collect();
        pairs.sort_unstable();
        for (i, j) in pairs {
            let (a, b) = (&items[i].stems, &items[j].stems);
            let inter = a.intersection(b).count();
            let min = a.len().min(b.len()).max(1);
            if inter >= MIN_SHARED && inter as f64 / min as f64 >= 0.45 {
                uf.union(i, j);
            }
        }
    }
    (0..items.len())
        .map(|i| {
            let r = uf.find(i);
            let (ra, rq) = (items[r].article, items[r].qi);
            let it = &items[i];
            (
                per_article[it.article].0.clone(),
                it.qi,
                format!("st:{}:{}", per_article[ra].0, rq),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_meets_transliterations() {
        assert_eq!(fold("Lavrentiyev"), fold("Lavrentiev"));
        // The length bound never rules out a pair Jaro-Winkler accepts.
        let names = [
            "Lavrov", "Lavrenti", "Putin", "Puttin", "Peskov", "Pompeo", "Pompei", "Ng", "Nguyen",
            "Smith", "Smyth", "Schmidt", "Al", "Ali", "Alison",
        ];
        for a in names {
            for b in names {
                for th in [0.85, 0.93, 0.95] {
                    let (fa, fb) = (fold(a), fold(b));
                    if strsim::jaro_winkler(&fa, &fb) >= th {
                        assert!(lengths_allow(&fa, &fb, th), "{a} {b} {th}");
                    }
                }
            }
        }
        assert!(similar("Aleksandr", "Alexander", 0.85));
        assert!(!similar("Khamenei", "Shamkhani", 0.93));
    }

    #[test]
    fn given_names_keep_people_apart() {
        let g = bundled();
        assert!(same_first(g, "aleksandr", "alexander"));
        assert!(same_first(g, "bill", "william"));
        assert!(!same_first(g, "donald", "melania"));
        assert!(!same_first(g, "jon", "john"));
    }

    fn ex(names: &[(&str, bool)]) -> ArticleExtraction {
        ArticleExtraction {
            quotes: vec![],
            mentions: names
                .iter()
                .enumerate()
                .map(|(i, (n, open))| crate::Mention {
                    span: Span::new(i as u32 * 20, i as u32 * 20 + 10),
                    text: n.to_string(),
                    kind: EntityKind::Per,
                    canonical: n.to_string(),
                    open: *open,
                })
                .collect(),
        }
    }

    #[test]
    fn namesakes_and_bare_surnames_across_articles() {
        let a = ex(&[("Donald Trump", false); 4]);
        let b = ex(&[("Melania Trump", false)]);
        let c = ex(&[("Trump", false), ("George H.W. Bush", false)]);
        let d = ex(&[
            ("Trump", true),
            ("George W. Bush", false),
            ("George Bush", false),
        ]);
        let per = vec![
            ("a".to_string(), &a),
            ("b".to_string(), &b),
            ("c".to_string(), &c),
            ("d".to_string(), &d),
        ];
        let ents = merge_entities(&per).entities;
        let of = |art: &str, at: u32| {
            ents.iter()
                .find(|e| e.mentions.iter().any(|m| m.0 == art && m.1.start == at))
                .map(|e| e.name.clone())
        };
        assert_eq!(of("b", 0).as_deref(), Some("Melania Trump"));
        // A bare surname goes to the person the store is clearly about ...
        assert_eq!(of("c", 0).as_deref(), Some("Donald Trump"));
        // ... but not where its article left it open.
        assert_eq!(of("d", 0).as_deref(), Some("Trump"));
        // Different middle initials are different people.
        assert_ne!(of("c", 20), of("d", 20));
        assert_eq!(of("c", 20).as_deref(), Some("George H.W. Bush"));
    }

    #[test]
    fn stems_meet_variants() {
        let a = stems("political complexities of the Syrian crisis");
        let b = stems("political complications of the Syria crisis");
        assert_eq!(a, b);
    }
}
