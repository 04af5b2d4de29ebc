//! ibid's dedup stage: exact and near-duplicate detection at corpus scale.
//!
//! * **Exact copies**: [`normalized_text_hash`] (case, punctuation and spacing folded).
//! * **Near copies**: word 5-gram shingles ([`Shingler`]), 128-bin one-permutation MinHash
//!   with optimal densification ([`MinHasher`], a fixed, documented hash family), banded LSH
//!   for candidates, and the exact
//!   Jaccard of the shingle sets to decide. Containment (`|A∩B|/|A|` for the smaller `A`)
//!   reports a short wire story inside a longer local article.
//! * **Groups**: union-find; a group's original is its earliest published member.
//!
//! [`DedupIndex`] is incremental and serialisable ([`DedupIndex::to_bytes`]), so new articles
//! are matched against earlier ones without re-shingling them, except the few candidates whose
//! texts are needed for the exact check. [`dedup`] does everything in memory in one call.
//!
//! No input parsing and no store: the only I/O is [`SpillingDedup`]'s temporary file.

mod exact;
mod index;
mod minhash;
mod radix;
mod spill;
mod text;

pub use exact::{similarity, ExactSet, FingerprintTable, GroupOverlaps, RawFingerprints};
pub use index::{
    band_key, dedup, DedupConfig, DedupDoc, DedupIndex, DedupResult, DupPair, Link, VerifyGroup,
    MAX_CONTAINMENT_EXPANSION, MAX_GROUP_FOR_INNER_PAIRS,
};
pub use minhash::{estimate_jaccard, MinHasher, MINHASH_SEED};
pub use spill::{SpillStats, SpillingDedup};
pub use text::{
    fingerprint, fingerprint_set, is_too_short, is_word_char, normalized_text_hash, set_similarity,
    word_count, Shingler, Words, DEFAULT_MIN_TOKENS, EXACT_SEED, SHINGLE_SEED,
};

/// Errors of the dedup stage.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// A setting is out of range.
    #[error("invalid dedup config: {0}")]
    Config(String),
    /// Bytes given to [`DedupIndex::from_bytes`] are not a valid index.
    #[error("corrupt dedup index: {0}")]
    Corrupt(&'static str),
    /// The temporary spill file of [`SpillingDedup`] could not be written or read.
    #[error("dedup spill file: {0}")]
    Spill(#[from] std::io::Error),
}
