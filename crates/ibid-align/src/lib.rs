//! ibid's align stage: the passages outlets reuse, and how each copy was edited.
//!
//! Passage-level text-reuse detection in the manner of passim (Smith et al.):
//!
//! 1. **Candidates.** Every document is cut into words (alphanumeric runs, case-blind) and
//!    fingerprinted by winnowing its word 4-grams. An incremental inverted index
//!    ([`PassageIndex`]) maps fingerprints to documents; fingerprints found in more than
//!    [`AlignConfig::max_df`] documents are dropped (tombstoned), so stock phrases and outlet
//!    furniture never explode into quadratic pair counts. Document pairs sharing at least
//!    [`AlignConfig::min_shared`] fingerprints become candidates.
//! 2. **Alignment.** For each candidate pair, every shared word 3-gram is a seed; seeds are
//!    chained along a common diagonal allowing gaps (insertions, deletions, substitutions), the
//!    words between chained seeds are aligned with a Myers diff (`similar`), and the ends are
//!    extended with an X-drop. A chain's end piece attached across a longer one-sided gap
//!    (words inserted on one side only) than it spans is cut off, so a stock phrase shortly
//!    after a copy does not stretch it. Chains close to each other are joined so that one
//!    reused passage gives one alignment (a piece too short to report on its own only across a
//!    one-sided gap no longer than its matched words); each region is paired once (best first). Passages need
//!    [`AlignConfig::min_words`] matched words and [`AlignConfig::min_similarity`], and in the
//!    index also one shared fingerprint under the DF cap, so stock phrases made only of common
//!    n-grams ("on the South Lawn of the White House") are not reported.
//! 3. **Clusters and diffs.** [`passage_clusters`] groups occurrences of the same passage across
//!    documents (earliest as source, same-outlet repeats flagged as boilerplate) and
//!    [`word_diff`] shows what a copy cut, added and replaced.
//!
//! All spans are half-open code-point offsets into the texts given (see `ibid_core::Span`).
//! [`eval_pan`] scores the aligner on the PAN plagiarism corpus with PAN's own measures, against
//! the stated truth and against the truth re-located in the (altered) texts of our copy.

mod cluster;
mod diff;
mod index;
mod pair;
mod pan;
mod pan_locate;
mod tokens;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use cluster::{cluster_of_alignments, passage_clusters, passage_id, PassageCluster};
pub use diff::{matched_extent, span_text, word_diff, DiffOp, DiffStats};
pub use index::{PassageIndex, PreparedBatch};
pub use pan::{
    eval_pan, eval_pan_detailed, eval_pan_with, PanDetection, PanHalves, PanReport, PanScores,
};

/// Errors of the I/O-facing parts of the crate: PAN evaluation and index decoding.
#[derive(Debug, thiserror::Error)]
pub enum AlignError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Input that does not have the expected layout.
    #[error("bad input: {0}")]
    Format(String),
}

/// A document handed to the aligner. Only `text` is aligned; `outlet` and `published` are used
/// by [`passage_clusters`] to pick sources and tell boilerplate from reuse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignDoc<'a> {
    /// The caller's id, carried for reporting only.
    pub id: &'a str,
    /// Outlet (publisher), if known.
    pub outlet: Option<&'a str>,
    /// Trusted publication time, if known.
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The text to align (usually the cleaned body).
    pub text: &'a str,
}

/// One reused passage: `a_span` of document `a` aligns with `b_span` of document `b`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// Document number (global add order in a [`PassageIndex`], else index into the slice).
    pub a: usize,
    /// Half-open code-point span in `a`'s text, from the first to the last aligned word (with
    /// the closing punctuation glued to it: full stop, comma, closing quote or bracket).
    pub a_span: (u32, u32),
    /// Document number of the other side; in [`PassageIndex`] output always greater than `a`.
    pub b: usize,
    /// Half-open code-point span in `b`'s text.
    pub b_span: (u32, u32),
    /// Word-level Dice similarity of the two passages: `2 * matched / (words_a + words_b)`,
    /// 1.0 for identical wording.
    pub similarity: f64,
}

/// Tuning of candidate generation and alignment. The defaults are what the PAN and seed
/// measurements in the crate's tests were made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignConfig {
    /// Words per n-gram in the index fingerprints.
    pub index_ngram: usize,
    /// Winnowing window (in n-grams) for the index fingerprints: any shared run of
    /// `index_ngram + index_window - 1` words yields a shared fingerprint.
    pub index_window: usize,
    /// Fingerprints seen in more documents than this are dropped from the index.
    pub max_df: usize,
    /// Shared fingerprints a document pair needs to be aligned at all.
    pub min_shared: usize,
    /// Most candidate partners aligned per new document (those sharing most fingerprints).
    pub max_candidates: usize,
    /// Words per seed n-gram inside a pair.
    pub anchor_ngram: usize,
    /// Seed n-grams occurring more often than this in either text are not used as seeds.
    pub max_anchor_repeat: usize,
    /// Largest gap, in words on either side, bridged between two seeds of one passage (and
    /// between two pieces joined into one passage).
    pub max_gap: usize,
    /// Fewest matched words for a passage to be reported.
    pub min_words: usize,
    /// Lowest word-level Dice similarity for a passage to be reported.
    pub min_similarity: f64,
}

impl Default for AlignConfig {
    fn default() -> Self {
        Self {
            index_ngram: 4,
            index_window: 4,
            max_df: 100,
            min_shared: 2,
            max_candidates: 200,
            anchor_ngram: 3,
            max_anchor_repeat: 4,
            max_gap: 30,
            min_words: 12,
            min_similarity: 0.5,
        }
    }
}

/// One passage found by [`align_pair`]: `(span in a, span in b, similarity)`.
pub type PairAlignment = ((u32, u32), (u32, u32), f64);

/// Aligns two texts directly (no index, no candidate filter): every reused passage as
/// `(span in a, span in b, similarity)`, spans in code points, sorted by position in `a`.
/// Swapping `a` and `b` swaps the spans and changes nothing else.
pub fn align_pair(a: &str, b: &str, cfg: &AlignConfig) -> Vec<PairAlignment> {
    let (ta, tb) = (tokens::tokenize(a), tokens::tokenize(b));
    pair::align_words(&ta.hash, &tb.hash, cfg)
        .into_iter()
        .map(|h| {
            (
                ta.char_span(h.a.0, h.a.1),
                tb.char_span(h.b.0, h.b.1),
                h.similarity(),
            )
        })
        .collect()
}
