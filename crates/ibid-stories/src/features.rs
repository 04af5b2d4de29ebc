//! An article's story features: hashed terms (pure, prepared in parallel), then weighted by the
//! stream's IDF on arrival into unit vectors that every later comparison reads.

use crate::text::{extract_into, month_index, weekday_index, FeatureKind};
use crate::{StoryConfig, StoryDoc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// A term id: a 64-bit hash of the term, seeded by feature kind. Hashing instead of a string
/// interner means no vocabulary of strings to store or look up; at 64 bits, collisions among a
/// few million terms are negligible.
pub(crate) type Term = u64;

/// Feature kinds; each hashes with its own seed, so ids of different kinds do not collide.
pub(crate) const WORDS: usize = 0;
pub(crate) const ENTS: usize = 1;
pub(crate) const NUMS: usize = 2;

/// Hashes a term of a feature kind.
pub(crate) fn term_id(kind: usize, s: &str) -> Term {
    xxhash_rust::xxh3::xxh3_64_with_seed(s.as_bytes(), kind as u64 + 1)
}

/// Document frequencies of hashed terms (all kinds in one map: their ids are disjoint).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Vocab {
    df: FxHashMap<Term, u32>,
    /// Documents counted.
    pub(crate) n: u32,
}

impl Vocab {
    /// Smoothed IDF: defined (and equal for all terms) from the very first document.
    pub(crate) fn idf(&self, t: Term) -> f32 {
        let df = self.df.get(&t).copied().unwrap_or(0);
        ((self.n as f32 + 1.0) / (df as f32 + 1.0)).ln() + 1.0
    }

    /// Number of documents counted that have the term.
    pub(crate) fn df(&self, t: Term) -> u32 {
        self.df.get(&t).copied().unwrap_or(0)
    }

    /// Counts one document's terms (each term once per document).
    pub(crate) fn count(&mut self, p: &Prepared) {
        self.n += 1;
        for kind in [0, 2, 3] {
            for &(t, _) in &p.terms[kind] {
                *self.df.entry(t).or_insert(0) += 1;
            }
        }
    }
}

/// A unit-length sparse vector sorted by term: comparisons are merge walks.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SparseVec {
    pub(crate) items: Vec<(Term, f32)>,
}

impl SparseVec {
    /// Sorts by term and scales to unit length (an all-zero input stays empty).
    pub(crate) fn unit(mut items: Vec<(Term, f32)>) -> Self {
        items.retain(|x| x.1 > 0.0);
        let norm = items.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm <= 0.0 {
            return Self::default();
        }
        for x in &mut items {
            x.1 /= norm;
        }
        items.sort_unstable_by_key(|x| x.0);
        Self { items }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Cosine with another unit vector.
    pub(crate) fn dot(&self, other: &SparseVec) -> f32 {
        dot_sorted(&self.items, &other.items)
    }

    /// Whether a term is present.
    pub(crate) fn contains(&self, t: Term) -> bool {
        self.items.binary_search_by_key(&t, |x| x.0).is_ok()
    }
}

/// Dot product of two term-sorted weight lists.
pub(crate) fn dot_sorted(a: &[(Term, f32)], b: &[(Term, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The engine-independent features of one article: extracted, hashed and counted terms. This
/// is the costly part of an add and depends only on the configuration, so batches are prepared
/// in parallel ahead of the sequential assignment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    /// Lead-boosted counts of body words, headline words, names and numbers, in first-seen
    /// order (deterministic float sums).
    pub(crate) terms: [Vec<(Term, f32)>; 4],
    /// Shares of the years (1900-2100) the text mentions.
    years: Vec<(u16, f32)>,
    /// Shares of the weekdays the text mentions.
    wdays: Vec<(u16, f32)>,
    /// Shares of the months the text mentions.
    months: Vec<(u16, f32)>,
}

/// Per-document term accumulator: `(term, weight)` in first-seen order, and each term's place.
type TermAcc = (Vec<(Term, f32)>, FxHashMap<Term, usize>);

/// Extracts and hashes an article's features (no engine state involved).
pub(crate) fn prepare(doc: &StoryDoc, cfg: &StoryConfig) -> Prepared {
    let mut acc: [TermAcc; 4] = Default::default();
    let mut years: Vec<(u16, f32)> = Vec::new();
    let mut wdays: Vec<(u16, f32)> = Vec::new();
    let mut months: Vec<(u16, f32)> = Vec::new();
    extract_into(
        doc.title.as_deref(),
        &doc.text,
        cfg.lead_tokens,
        cfg.lead_boost,
        &mut |kind, term, w| {
            let (k, voc) = match kind {
                FeatureKind::Word => (0, WORDS),
                FeatureKind::TitleWord => (1, WORDS),
                FeatureKind::Entity => (2, ENTS),
                FeatureKind::Number => (3, NUMS),
            };
            if k == 0 {
                if let Some(d) = weekday_index(term) {
                    wdays.push((d, 1.0));
                }
            }
            if k == 3 {
                if let Some(m) = month_index(term) {
                    months.push((m, 1.0));
                }
                if term.len() == 4 {
                    if let Ok(y) = term.parse::<u16>() {
                        if (1900..=2100).contains(&y) {
                            years.push((y, w));
                        }
                    }
                }
            }
            let id = term_id(voc, term);
            let (items, ix) = &mut acc[k];
            match ix.get(&id) {
                Some(&i) => items[i].1 += w,
                None => {
                    ix.insert(id, items.len());
                    items.push((id, w));
                }
            }
        },
    );
    Prepared {
        terms: acc.map(|(items, _)| items),
        years: shares(years),
        wdays: shares(wdays),
        months: shares(months),
    }
}

/// Prepares a slice of documents on the rayon pool, in input order.
pub(crate) fn prepare_all(docs: &[StoryDoc], cfg: &StoryConfig) -> Vec<Prepared> {
    use rayon::prelude::*;
    docs.par_iter().map(|d| prepare(d, cfg)).collect()
}

/// Mentions merged per key, as shares summing to 1, sorted by key.
fn shares(mut v: Vec<(u16, f32)>) -> Vec<(u16, f32)> {
    v.sort_unstable_by_key(|x| x.0);
    let mut out: Vec<(u16, f32)> = Vec::new();
    for (y, w) in v {
        match out.last_mut() {
            Some(last) if last.0 == y => last.1 += w,
            _ => out.push((y, w)),
        }
    }
    let tot: f32 = out.iter().map(|x| x.1).sum();
    if tot > 0.0 {
        for x in &mut out {
            x.1 /= tot;
        }
    }
    out
}

/// Sublinear term frequency: repetition matters, but not linearly.
fn sublinear(w: f32) -> f32 {
    if w > 1.0 {
        1.0 + w.ln()
    } else {
        w
    }
}

/// Heaviest body words kept for the top-word overlap of a pair.
pub(crate) const TOP_WORDS: usize = 10;
/// Heaviest names kept for the top-name overlap of a pair.
pub(crate) const TOP_NAMES: usize = 5;

/// A name must be mentioned this often (lead-boosted count) to be an article's main actor.
const ACTOR_MIN_MENTIONS: f32 = 2.0;

/// What the engine keeps of an article while it may still be compared: unit TF-IDF vectors of
/// its body words (the heaviest `max_doc_terms`), headline words, names and numbers, the
/// dates it mentions, its main actor and its publication time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DocFeats {
    pub(crate) words: SparseVec,
    pub(crate) title: SparseVec,
    pub(crate) ents: SparseVec,
    pub(crate) nums: SparseVec,
    pub(crate) years: Vec<(u16, f32)>,
    pub(crate) wdays: Vec<(u16, f32)>,
    pub(crate) months: Vec<(u16, f32)>,
    /// The most salient name (mention count times IDF), when it is mentioned repeatedly.
    pub(crate) actor: Option<Term>,
    /// Name salience: mention counts times IDF as shares summing to 1, sorted by term.
    pub(crate) salience: Vec<(Term, f32)>,
    /// Publication time (Unix seconds).
    pub(crate) ts: Option<i64>,
    /// Retrieval keys: the heaviest words and names (at most `query_terms + query_ents`).
    pub(crate) query: Vec<Term>,
    /// The heaviest body words (at most [`TOP_WORDS`]), sorted by term.
    pub(crate) top_words: Vec<Term>,
    /// The heaviest names (at most [`TOP_NAMES`]), sorted by term.
    pub(crate) top_names: Vec<Term>,
}

/// Weighs prepared terms with the IDF of the stream so far.
pub(crate) fn weigh(p: &Prepared, vocab: &Vocab, cfg: &StoryConfig, ts: Option<i64>) -> DocFeats {
    let tfidf = |items: &[(Term, f32)]| -> Vec<(Term, f32)> {
        items
            .iter()
            .map(|&(t, w)| (t, sublinear(w) * vocab.idf(t)))
            .collect()
    };
    let mut words = tfidf(&p.terms[0]);
    let keep = cfg.max_doc_terms.max(1);
    let by_weight = |a: &(Term, f32), b: &(Term, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if words.len() > keep {
        words.select_nth_unstable_by(keep - 1, by_weight);
        words.truncate(keep);
    }
    words.sort_unstable_by(by_weight);
    let mut ents = tfidf(&p.terms[2]);
    ents.sort_unstable_by(by_weight);
    let mut top_words: Vec<Term> = words.iter().take(TOP_WORDS).map(|x| x.0).collect();
    top_words.sort_unstable();
    let mut top_names: Vec<Term> = ents.iter().take(TOP_NAMES).map(|x| x.0).collect();
    top_names.sort_unstable();
    let mut query: Vec<Term> = words.iter().take(cfg.query_terms).map(|x| x.0).collect();
    query.extend(ents.iter().take(cfg.query_ents).map(|x| x.0));
    // Salience of a name: its raw mention count times its IDF (sublinear weights flatten
    // exactly the repetition that marks a protagonist).
    let actor = p.terms[2]
        .iter()
        .filter(|x| x.1 >= ACTOR_MIN_MENTIONS)
        .map(|&(t, c)| (t, c * vocab.idf(t)))
        .fold(None, |best: Option<(Term, f32)>, (t, w)| match best {
            Some((bt, bw)) if bw > w || (bw == w && bt < t) => Some((bt, bw)),
            _ => Some((t, w)),
        })
        .map(|x| x.0);
    let mut salience: Vec<(Term, f32)> = p.terms[2]
        .iter()
        .map(|&(t, c)| (t, c * vocab.idf(t)))
        .collect();
    let tot: f32 = salience.iter().map(|x| x.1).sum();
    if tot > 0.0 {
        for x in &mut salience {
            x.1 /= tot;
        }
    }
    salience.sort_unstable_by_key(|x| x.0);
    DocFeats {
        top_words,
        top_names,
        salience,
        words: SparseVec::unit(words),
        title: SparseVec::unit(tfidf(&p.terms[1])),
        ents: SparseVec::unit(ents),
        nums: SparseVec::unit(tfidf(&p.terms[3])),
        years: p.years.clone(),
        wdays: p.wdays.clone(),
        months: p.months.clone(),
        actor,
        ts,
        query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_vectors_are_sorted_and_normalised() {
        let v = SparseVec::unit(vec![(5, 3.0), (1, 4.0), (9, 0.0)]);
        assert_eq!(v.items.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 5]);
        assert!((v.dot(&v) - 1.0).abs() < 1e-6);
        assert!(SparseVec::unit(vec![(1, 0.0)]).is_empty());
    }

    #[test]
    fn dot_counts_shared_terms_only() {
        let a = SparseVec::unit(vec![(1, 1.0), (2, 1.0)]);
        let b = SparseVec::unit(vec![(2, 1.0), (3, 1.0)]);
        assert!((a.dot(&b) - 0.5).abs() < 1e-6);
        assert!(a.contains(2) && !a.contains(3));
    }

    #[test]
    fn idf_falls_with_document_frequency() {
        let cfg = StoryConfig::default();
        let doc = |text: &str| StoryDoc {
            text: text.to_owned(),
            ..StoryDoc::default()
        };
        let mut v = Vocab::default();
        v.count(&prepare(&doc("Harbour cranes stopped at Velmora."), &cfg));
        v.count(&prepare(&doc("Harbour workers walked out."), &cfg));
        assert!(v.idf(term_id(WORDS, "harbour")) < v.idf(term_id(WORDS, "cranes")));
    }

    #[test]
    fn main_actor_needs_repeated_mentions() {
        let cfg = StoryConfig::default();
        let doc = StoryDoc {
            text: "Mayor Olga Brandt opened the bridge. Brandt said the bridge took ten years. \
                   Residents of Kestrel Bay cheered."
                .to_owned(),
            ..StoryDoc::default()
        };
        let p = prepare(&doc, &cfg);
        let f = weigh(&p, &Vocab::default(), &cfg, None);
        assert!(f.actor.is_some());
        assert!(f.ents.contains(f.actor.unwrap_or_default()));
    }
}
