//! The outlet line index ([`ibid_clean::LineIndex`]) saved between runs, so that cleaning a
//! batch counts the batch's lines instead of every stored article's.
//!
//! The saved index is trusted only for the exact set of article versions it counted: it is
//! saved with a digest of their row ids, and the clean stage compares that digest with the
//! set it needs (every current article except the pending ones). Anything else (a crash
//! between a batch's cleaned rows and the save, a new version of a stored article, a new
//! clean stage version) makes the digests differ, and the index is counted again from the
//! stored texts, as before it was saved.

use ibid_clean::LineIndex;
use ibid_store::Store;

use crate::{Result, CLEAN_VERSION};

/// Name of the saved state.
const LINES_STATE: &str = "lines";

/// An order-independent digest of a set of row ids: their count and the wrapping sum of a
/// 64-bit mix of each. Two different sets collide only by accident (about 2^-64), and the
/// digest of a set is computed in one pass without sorting it.
pub(crate) fn rowid_set_digest(rowids: impl Iterator<Item = i64>) -> [u8; 16] {
    let (mut count, mut sum) = (0u64, 0u64);
    for r in rowids {
        count += 1;
        sum = sum.wrapping_add(splitmix64(r as u64));
    }
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&count.to_le_bytes());
    out[8..].copy_from_slice(&sum.to_le_bytes());
    out
}

/// SplitMix64's finaliser: a bijective mix, so distinct row ids never share a term.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The saved index, if it counted exactly the article versions whose digest is `digest`.
pub(crate) fn load(store: &Store, digest: [u8; 16]) -> Result<Option<LineIndex>> {
    let Some(bytes) = store.stage_state(LINES_STATE, CLEAN_VERSION)? else {
        return Ok(None);
    };
    if bytes.get(..16) != Some(&digest[..]) {
        return Ok(None);
    }
    // A state that does not decode is counted again, like a missing one.
    Ok(LineIndex::from_bytes(&bytes[16..]).ok())
}

/// Saves `index` as the count of the article versions whose digest is `digest`.
pub(crate) fn save(store: &mut Store, digest: [u8; 16], index: &LineIndex) -> Result<()> {
    let mut bytes = digest.to_vec();
    bytes.extend(index.to_bytes());
    store.save_stage_state(LINES_STATE, CLEAN_VERSION, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_a_function_of_the_set_alone() {
        let a = rowid_set_digest([3, 1, 2].into_iter());
        assert_eq!(a, rowid_set_digest([1, 2, 3].into_iter()));
        assert_ne!(a, rowid_set_digest([1, 2].into_iter()));
        assert_ne!(a, rowid_set_digest([1, 2, 4].into_iter()));
        assert_ne!(a, rowid_set_digest([1, 2, 3, 3].into_iter()));
        assert_ne!(rowid_set_digest(std::iter::empty()), a);
    }
}
