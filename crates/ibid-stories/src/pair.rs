//! Whether two articles report the same event: similarity features of a pair and the logistic
//! model that turns them into a probability. Every story decision (join, merge, re-check) is an
//! average of these pair probabilities over story cores, so this is the one place where "same
//! event" is defined.

use crate::features::{prepare_all, weigh, DocFeats, Vocab};
use crate::{StoryConfig, StoryDoc};
use serde::{Deserialize, Serialize};

/// Number of pair features.
pub const PAIR_FEATURES: usize = 18;

/// Names of the pair features, in model order.
pub const PAIR_FEATURE_NAMES: [&str; PAIR_FEATURES] = [
    "body",
    "title",
    "ent",
    "num",
    "body_x_ent",
    "year_conflict",
    "weekday_conflict",
    "month_conflict",
    "actor_conflict",
    "dated",
    "log_gap_days",
    "salience",
    "top_words",
    "top_names",
    "title_body",
    "num_undated",
    "year_conflict_undated",
    "actor_conflict_undated",
];

/// Logistic model over the pair features: `P(same event) = σ(bias + w · x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairModel {
    /// Intercept.
    pub bias: f32,
    /// One weight per feature, in [`PAIR_FEATURE_NAMES`] order.
    pub w: [f32; PAIR_FEATURES],
}

impl PairModel {
    /// Log-odds that a pair with these features reports one event.
    pub fn logit(&self, x: &[f32; PAIR_FEATURES]) -> f32 {
        self.bias + self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f32>()
    }

    /// Probability that a pair with these features reports one event.
    pub fn prob(&self, x: &[f32; PAIR_FEATURES]) -> f32 {
        sigmoid(self.logit(x))
    }
}

/// The logistic function.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// `1 -` histogram intersection of two share lists sorted by key; 0 when either is empty
/// (no mention is no conflict).
fn conflict(a: &[(u16, f32)], b: &[(u16, f32)]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    1.0 - intersection(a, b)
}

/// Days between two publication times, when both are known.
pub(crate) fn gap_days(a: Option<i64>, b: Option<i64>) -> Option<f32> {
    Some((a? - b?).unsigned_abs() as f32 / 86_400.0)
}

/// The features of a pair (symmetric in `a` and `b`):
/// - `body`, `title`, `ent`, `num`: cosines of the TF-IDF vectors of body words, headline words
///   (the body cosine stands in when either side has no headline), names, numbers and dates;
///   IDF comes from the stream, so names every article of the day shares weigh little;
/// - `body_x_ent`: their product (wording and names agreeing together);
/// - `year_conflict`, `weekday_conflict`, `month_conflict`: `1 -` overlap of the years,
///   weekdays and months each text mentions (0 when either mentions none): reports of one
///   event name the same day, another event of the same kind usually happened on another;
/// - `actor_conflict`: 1 when each side's main actor (most salient repeated name) is absent
///   from the other: same setting, another protagonist;
/// - `dated`, `log_gap_days`: whether both are dated, and `ln(1 + days apart)`;
/// - `salience`: overlap of the names each side mentions most (counts times IDF, as shares);
/// - `top_words`, `top_names`: share of the heaviest words and names both have;
/// - `title_body`: each headline's cosine with the other's body, averaged;
/// - `num_undated`, `year_conflict_undated`, `actor_conflict_undated`: `num`, `year_conflict`
///   and `actor_conflict` again when either side is undated: what the text says about time
///   and protagonists stands in for publication dates, and says less when those are known.
pub(crate) fn pair_features(a: &DocFeats, b: &DocFeats) -> [f32; PAIR_FEATURES] {
    let body = a.words.dot(&b.words).clamp(0.0, 1.0);
    let title = if a.title.is_empty() || b.title.is_empty() {
        body
    } else {
        a.title.dot(&b.title).clamp(0.0, 1.0)
    };
    let ent = a.ents.dot(&b.ents).clamp(0.0, 1.0);
    let num = a.nums.dot(&b.nums).clamp(0.0, 1.0);
    let actor_conflict = match (a.actor, b.actor) {
        (Some(x), Some(y)) if x != y && !b.ents.contains(x) && !a.ents.contains(y) => 1.0,
        _ => 0.0,
    };
    let gap = gap_days(a.ts, b.ts);
    let year_conflict = conflict(&a.years, &b.years);
    [
        body,
        title,
        ent,
        num,
        body * ent,
        year_conflict,
        conflict(&a.wdays, &b.wdays),
        conflict(&a.months, &b.months),
        actor_conflict,
        if gap.is_some() { 1.0 } else { 0.0 },
        gap.map_or(0.0, |g| (1.0 + g).ln()),
        intersection(&a.salience, &b.salience),
        shared_share(&a.top_words, &b.top_words),
        shared_share(&a.top_names, &b.top_names),
        0.5 * (a.title.dot(&b.words) + b.title.dot(&a.words)).clamp(0.0, 2.0),
        if gap.is_some() { 0.0 } else { num },
        if gap.is_some() { 0.0 } else { year_conflict },
        if gap.is_some() { 0.0 } else { actor_conflict },
    ]
}

/// Shared items of two sorted lists, as a share of the longer one.
fn shared_share(a: &[crate::features::Term], b: &[crate::features::Term]) -> f32 {
    let n = a.len().max(b.len());
    if n == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut k) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                k += 1;
                i += 1;
                j += 1;
            }
        }
    }
    k as f32 / n as f32
}

/// Histogram intersection of two share lists sorted by key (shares are non-negative), at most 1.
fn intersection<K: Ord>(a: &[(K, f32)], b: &[(K, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1.min(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    s.clamp(0.0, 1.0)
}

/// The features of every document of a stream, weighed as the engine weighs them after
/// [`crate::StoryEngine::prime`] with the whole stream: what a pair model is fitted on
/// (`examples/fit.rs`).
pub struct FeatureTable {
    feats: Vec<DocFeats>,
}

impl FeatureTable {
    /// Prepares and weighs `docs` (in parallel).
    pub fn new(docs: &[StoryDoc], cfg: &StoryConfig) -> Self {
        let prepared = prepare_all(docs, cfg);
        let mut vocab = Vocab::default();
        for p in &prepared {
            vocab.count(p);
        }
        let feats = prepared
            .iter()
            .zip(docs)
            .map(|(p, d)| weigh(p, &vocab, cfg, d.published.map(|t| t.timestamp())))
            .collect();
        Self { feats }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.feats.len()
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.feats.is_empty()
    }

    /// The pair features of documents `i` and `j`.
    pub fn pair(&self, i: usize, j: usize) -> [f32; PAIR_FEATURES] {
        pair_features(&self.feats[i], &self.feats[j])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::SparseVec;

    fn feats(words: &[(u64, f32)], ents: &[(u64, f32)], ts: Option<i64>) -> DocFeats {
        DocFeats {
            words: SparseVec::unit(words.to_vec()),
            ents: SparseVec::unit(ents.to_vec()),
            ts,
            ..DocFeats::default()
        }
    }

    #[test]
    fn features_are_symmetric_and_bounded() {
        let a = feats(&[(1, 1.0), (2, 2.0)], &[(7, 1.0)], Some(0));
        let b = feats(&[(2, 1.0), (3, 1.0)], &[(8, 1.0)], Some(3 * 86_400));
        let (x, y) = (pair_features(&a, &b), pair_features(&b, &a));
        assert_eq!(x, y);
        assert!(x[..9].iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(x[9], 1.0);
        assert!((x[10] - 4f32.ln()).abs() < 1e-6);
    }

    #[test]
    fn undated_pairs_have_no_gap() {
        let a = feats(&[(1, 1.0)], &[], None);
        let x = pair_features(&a, &a);
        assert_eq!((x[9], x[10]), (0.0, 0.0));
        assert!((x[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn date_conflicts_need_mentions_on_both_sides() {
        assert_eq!(conflict(&[], &[(3, 1.0)]), 0.0);
        assert_eq!(conflict(&[(2, 1.0)], &[(3, 1.0)]), 1.0);
        assert!((conflict(&[(2, 0.5), (3, 0.5)], &[(3, 1.0)]) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn model_probability_is_monotone_in_a_positive_weight() {
        let mut m = PairModel {
            bias: -2.0,
            w: [0.0; PAIR_FEATURES],
        };
        m.w[0] = 4.0;
        let mut x = [0.0; PAIR_FEATURES];
        let lo = m.prob(&x);
        x[0] = 1.0;
        assert!(m.prob(&x) > lo);
        assert!((m.prob(&x) - sigmoid(2.0)).abs() < 1e-6);
    }
}
