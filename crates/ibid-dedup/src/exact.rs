//! Exact set overlap for verification: how many shingles two docs really share.
//!
//! Candidates from LSH and containment samples are only likely duplicates; the decision is
//! taken on the exact shingle sets. [`ExactSet`] is what verification needs of a set (its size
//! and its overlap with another), so the same code verifies sorted lists (shingle hashes from
//! texts, [`set_similarity`](crate::set_similarity)) and [`FingerprintTable`]s (fingerprints
//! read back from a spill file).

/// A doc's exact shingle set, as verification compares it.
pub trait ExactSet: Send + Sync {
    /// Number of distinct members.
    fn len(&self) -> usize;
    /// True when the set has no members.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Number of members shared with `other`.
    fn shared(&self, other: &Self) -> usize;
    /// Sizes of `sets` and the overlap of each of `pairs` (indices into `sets`): a group of
    /// docs verified together. The default asks the sets pair by pair; a kind of set that can
    /// compare a whole group in one pass overrides it.
    fn group_overlaps(sets: &[&Self], pairs: &[(usize, usize)]) -> GroupOverlaps
    where
        Self: Sized,
    {
        GroupOverlaps {
            sizes: sets.iter().map(|s| s.len()).collect(),
            shared: pairs
                .iter()
                .map(|&(i, j)| sets[i].shared(sets[j]))
                .collect(),
        }
    }
}

/// What [`ExactSet::group_overlaps`] finds for a group of sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOverlaps {
    /// Distinct members of each set, in the order of the sets.
    pub sizes: Vec<usize>,
    /// Members shared by each pair, in the order of the pairs.
    pub shared: Vec<usize>,
}

/// `(jaccard, containment)` of two sets, containment being `|A∩B| / min(|A|,|B|)`; both 0
/// when either set is empty.
pub fn similarity<S: ExactSet + ?Sized>(a: &S, b: &S) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let inter = a.shared(b);
    let union = a.len() + b.len() - inter;
    (
        inter as f64 / union as f64,
        inter as f64 / a.len().min(b.len()) as f64,
    )
}

/// Sorted, deduplicated lists: overlap by a merge.
impl<T: Ord + Send + Sync> ExactSet for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    fn shared(&self, other: &Self) -> usize {
        // Branch-free merge: on random sets the three-way branch mispredicts every other step.
        let (mut i, mut j, mut inter) = (0, 0, 0usize);
        while let (Some(x), Some(y)) = (self.get(i), other.get(j)) {
            inter += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        inter
    }
}

impl<T: Ord + Send + Sync> ExactSet for Vec<T> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn shared(&self, other: &Self) -> usize {
        self.as_slice().shared(other.as_slice())
    }
}

/// A doc's distinct shingle fingerprints in an open-addressing hash table, built straight from
/// the fingerprints in text order (with repeats).
///
/// Hand-rolled because it is the inner loop of verifying a corpus full of copies, where
/// nearly every doc is a candidate: building the tables and probing the smaller set into the
/// larger costs about half as much as sorting both sets and merging them (criterion:
/// `verify_pair/fingerprint_table` against `verify_pair/fingerprint_set+merge`), and a
/// general hash set (std's SwissTable with a multiplicative hasher, `verify_pair/std_hashset`)
/// spends more per insert than this needs: the keys are already uniform hash values, so their
/// top bits index the table directly, and a table of at most half load, sized once, never
/// grows.
#[derive(Debug, Clone, Default)]
pub struct FingerprintTable {
    /// Every distinct fingerprint once, in order of first appearance.
    distinct: Vec<u32>,
    /// `slots.len()` is a power of two; 0 marks an empty slot (a zero fingerprint is kept in
    /// `has_zero` instead).
    slots: Vec<u32>,
    has_zero: bool,
    /// `32 - log2(slots.len())`: a fingerprint's home slot is its top bits.
    shift: u32,
}

impl FingerprintTable {
    /// The table of `fingerprints` (`n` of them, repeats allowed).
    pub fn new(fingerprints: impl Iterator<Item = u32>, n: usize) -> Self {
        // At most half full: linear probing then needs about 1.5 probes per lookup.
        let bits = (usize::BITS - (2 * n.max(1) - 1).leading_zeros()).clamp(4, 31);
        let mut slots = vec![0u32; 1 << bits];
        let mask = slots.len() - 1;
        let shift = 32 - bits;
        let mut distinct = Vec::with_capacity(n);
        let mut has_zero = false;
        for fp in fingerprints {
            if fp == 0 {
                if !has_zero {
                    has_zero = true;
                    distinct.push(0);
                }
                continue;
            }
            let mut i = (fp >> shift) as usize;
            loop {
                let slot = slots[i];
                if slot == fp {
                    break;
                }
                if slot == 0 {
                    slots[i] = fp;
                    distinct.push(fp);
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        Self {
            distinct,
            slots,
            has_zero,
            shift,
        }
    }

    /// The table of fingerprints stored as little-endian u32s (a spill file's bytes; a
    /// trailing partial value is ignored).
    pub fn from_le_bytes(bytes: &[u8]) -> Self {
        let values = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        Self::new(values, bytes.len() / 4)
    }

    /// True if `fp` is in the set.
    pub fn contains(&self, fp: u32) -> bool {
        if fp == 0 {
            return self.has_zero;
        }
        let mask = self.slots.len() - 1;
        let mut i = (fp >> self.shift) as usize;
        loop {
            match self.slots.get(i) {
                Some(&s) if s == fp => return true,
                Some(&0) | None => return false,
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// The distinct fingerprints, in order of first appearance.
    pub fn members(&self) -> &[u32] {
        &self.distinct
    }
}

impl ExactSet for FingerprintTable {
    fn len(&self) -> usize {
        self.distinct.len()
    }

    fn shared(&self, other: &Self) -> usize {
        let (small, large) = if self.len() <= other.len() {
            (self, other)
        } else {
            (other, self)
        };
        small
            .distinct
            .iter()
            .filter(|&&fp| large.contains(fp))
            .count()
    }
}

/// A doc's fingerprints as spilled: in text order, repeats included, no table built yet.
///
/// Verification loads these rather than [`FingerprintTable`]s because a group of near copies
/// (an original and its reprints, the common case in a corpus full of copies) is compared in
/// one pass by [`ExactSet::group_overlaps`]: one table for the whole group, each distinct
/// fingerprint once with a bit per doc holding it, then a histogram of those bits gives every
/// size and every pair's overlap. Per-doc tables cost one table build per doc plus one probe
/// of the smaller set per pair (criterion `verify_group/*`: a group of four copies).
/// [`len`](ExactSet::len) and [`shared`](ExactSet::shared) alone build tables each call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFingerprints(pub Vec<u32>);

impl RawFingerprints {
    fn table(&self) -> FingerprintTable {
        FingerprintTable::new(self.0.iter().copied(), self.0.len())
    }
}

/// Most docs one [`MaskTable`] compares: one bit each in a byte, so the histogram of masks
/// has 256 entries.
const MAX_MASKED_GROUP: usize = 8;

impl ExactSet for RawFingerprints {
    fn len(&self) -> usize {
        ExactSet::len(&self.table())
    }

    fn shared(&self, other: &Self) -> usize {
        self.table().shared(&other.table())
    }

    fn group_overlaps(sets: &[&Self], pairs: &[(usize, usize)]) -> GroupOverlaps {
        if sets.len() > MAX_MASKED_GROUP {
            let tables: Vec<FingerprintTable> = sets.iter().map(|s| s.table()).collect();
            let refs: Vec<&FingerprintTable> = tables.iter().collect();
            return FingerprintTable::group_overlaps(&refs, pairs);
        }
        // Room for half as many again as the largest set holds: near copies add distinct
        // shingles of their own (five for each changed word), and a table sized for the
        // largest set alone had to double whenever they took it past half full.
        let largest = sets.iter().map(|s| s.0.len()).max().unwrap_or(0);
        let fill = |table: &mut MaskTable| {
            table.start(largest + largest / 2);
            for (k, set) in sets.iter().enumerate() {
                let bit = 1u8 << k;
                for &fp in &set.0 {
                    table.insert(fp, bit);
                }
            }
            table.histogram_and_clear()
        };
        // One table per thread, reused: a fresh one per group was zeroed by the allocator and
        // scanned whole for the histogram, twice the table's size in memory traffic per group
        // of a corpus full of copies. Groups of giant pages get a table of their own, so no
        // thread keeps a huge one.
        let hist = if largest <= MAX_KEPT_TABLE_SET {
            MASK_TABLE.with_borrow_mut(fill)
        } else {
            fill(&mut MaskTable::default())
        };
        let used = 1usize << sets.len();
        let holding = |bits: u8| -> usize {
            (1..used)
                .filter(|&m| m as u8 & bits == bits)
                .map(|m| hist[m] as usize)
                .sum()
        };
        GroupOverlaps {
            sizes: (0..sets.len()).map(|k| holding(1 << k)).collect(),
            shared: pairs
                .iter()
                .map(|&(i, j)| holding(1 << i | 1 << j))
                .collect(),
        }
    }
}

/// Largest set (fingerprints with repeats) whose group uses the thread's kept [`MaskTable`]:
/// the kept table then stays at 512 KiB (2 MiB if eight such sets share nothing).
const MAX_KEPT_TABLE_SET: usize = 1 << 14;

thread_local! {
    /// The verification table of this thread, all slots empty between groups.
    static MASK_TABLE: std::cell::RefCell<MaskTable> = std::cell::RefCell::new(MaskTable::default());
}

/// Open-addressing table of distinct fingerprints, each with a bit mask of the docs (up to
/// [`MAX_MASKED_GROUP`]) that hold it; kept at most half full, doubling when it must.
///
/// Reusable: [`Self::start`] sizes it for a group, [`Self::histogram_and_clear`] reads it out
/// and empties the slots it used (and only those), so its memory is never zeroed or scanned
/// whole again.
#[derive(Default)]
struct MaskTable {
    /// A fingerprint in the low 32 bits, its docs' mask above; 0 marks an empty slot. One
    /// word per slot, so a probe touches one cache line. The group's table is the first
    /// `mask + 1` slots; every slot is empty between groups.
    slots: Vec<u64>,
    /// Slots in use minus one (a power of two minus one).
    mask: usize,
    /// `32 - log2(mask + 1)`: a fingerprint's home slot is its top bits.
    shift: u32,
    /// The slots filled in this group, in order of filling.
    filled: Vec<u32>,
    /// The zero fingerprint's mask (a zero key marks an empty slot).
    zero: u8,
}

impl MaskTable {
    /// Empties the table (it must be empty of slots already, as between groups) and sizes it
    /// for `n` distinct fingerprints.
    fn start(&mut self, n: usize) {
        let bits = (usize::BITS - (2 * n.max(1) - 1).leading_zeros()).clamp(4, 31);
        let size = 1usize << bits;
        if self.slots.len() < size {
            self.slots.resize(size, 0);
        }
        self.mask = size - 1;
        self.shift = 32 - bits;
        self.filled.clear();
        self.zero = 0;
    }

    #[inline]
    fn insert(&mut self, fp: u32, bit: u8) {
        if fp == 0 {
            self.zero |= bit;
            return;
        }
        let mut i = (fp >> self.shift) as usize;
        loop {
            let slot = self.slots[i];
            if slot as u32 == fp {
                self.slots[i] = slot | u64::from(bit) << 32;
                return;
            }
            if slot == 0 {
                self.slots[i] = u64::from(fp) | u64::from(bit) << 32;
                self.filled.push(i as u32);
                if 2 * self.filled.len() > self.mask + 1 {
                    self.grow();
                }
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let entries: Vec<u64> = self
            .filled
            .iter()
            .map(|&i| std::mem::take(&mut self.slots[i as usize]))
            .collect();
        let zero = self.zero;
        self.start(self.mask + 1);
        self.zero = zero;
        for e in entries {
            self.insert(e as u32, (e >> 32) as u8);
        }
    }

    /// How many distinct fingerprints have each mask (index 0 unused), emptying the slots.
    fn histogram_and_clear(&mut self) -> [u32; 256] {
        // Four counters per mask, summed at the end: most slots share one mask (held by every
        // copy), and a single array would make each increment wait for the previous one to
        // the same counter.
        let mut lanes = [[0u32; 256]; 4];
        let chunks = self.filled.chunks_exact(4);
        for &i in chunks.remainder() {
            lanes[0][(std::mem::take(&mut self.slots[i as usize]) >> 32) as u8 as usize] += 1;
        }
        for c in chunks {
            for (lane, &i) in lanes.iter_mut().zip(c) {
                lane[(std::mem::take(&mut self.slots[i as usize]) >> 32) as u8 as usize] += 1;
            }
        }
        self.filled.clear();
        let mut hist = [0u32; 256];
        for (m, h) in hist.iter_mut().enumerate() {
            *h = lanes.iter().map(|l| l[m]).sum();
        }
        hist[self.zero as usize] += u32::from(self.zero != 0);
        hist
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted_set(v: &[u32]) -> Vec<u32> {
        let mut s = v.to_vec();
        s.sort_unstable();
        s.dedup();
        s
    }

    #[test]
    fn zero_and_repeats_count_once() {
        let t = FingerprintTable::new([0, 5, 0, 5, 7].into_iter(), 5);
        assert_eq!(ExactSet::len(&t), 3);
        assert!(t.contains(0) && t.contains(5) && t.contains(7) && !t.contains(6));
        assert_eq!(t.members(), [0, 5, 7]);
        let empty = FingerprintTable::new(std::iter::empty(), 0);
        assert!(empty.is_empty() && !empty.contains(0));
        assert_eq!(similarity(&t, &empty), (0.0, 0.0));
    }

    #[test]
    fn colliding_home_slots_probe_on() {
        // Same top bits, so the same home slot: every one must still be found.
        let fps: Vec<u32> = (1..=40).map(|i| 0xF000_0000 | i).collect();
        let t = FingerprintTable::new(fps.iter().copied(), fps.len());
        assert!(fps.iter().all(|&f| t.contains(f)));
        assert!(!t.contains(0xF000_0000 | 41));
        assert_eq!(ExactSet::len(&t), 40);
    }

    #[test]
    fn le_bytes_ignore_a_trailing_partial_value() {
        let mut bytes: Vec<u8> = [9u32, 3, 9].iter().flat_map(|v| v.to_le_bytes()).collect();
        bytes.push(0xAB);
        let t = FingerprintTable::from_le_bytes(&bytes);
        assert_eq!(t.members(), [9, 3]);
    }

    #[test]
    fn group_overlaps_count_zero_repeats_and_disjoint_docs() {
        let a = RawFingerprints(vec![0, 5, 5, 7, 9]);
        let b = RawFingerprints(vec![7, 0, 11]);
        let c = RawFingerprints(vec![]);
        let got = RawFingerprints::group_overlaps(&[&a, &b, &c], &[(0, 1), (1, 2), (0, 2)]);
        assert_eq!(got.sizes, [4, 3, 0]);
        assert_eq!(got.shared, [2, 0, 0]);
    }

    #[test]
    fn mask_table_grows_past_its_first_size() {
        // Two disjoint lists of 300 each in a table sized for the largest: it must grow
        // and keep every mask.
        let a = RawFingerprints((1..=300u32).map(|i| i.wrapping_mul(0x0101_0101)).collect());
        let b = RawFingerprints(
            (301..=600u32)
                .map(|i| i.wrapping_mul(0x0101_0101))
                .collect(),
        );
        let got = RawFingerprints::group_overlaps(&[&a, &b, &a], &[(0, 1), (0, 2)]);
        assert_eq!(got.sizes, [300, 300, 300]);
        assert_eq!(got.shared, [0, 300]);
    }

    proptest! {
        /// One masked table per group gives the sizes and overlaps of per-pair sorted
        /// merges, for groups below and above the masked limit.
        #[test]
        fn group_overlaps_equal_sorted_merges(
            lists in prop::collection::vec(
                prop::collection::vec(prop_oneof![0u32..64, any::<u32>()], 0..200), 1..12),
        ) {
            let raw: Vec<RawFingerprints> = lists.iter().cloned().map(RawFingerprints).collect();
            let refs: Vec<&RawFingerprints> = raw.iter().collect();
            let pairs: Vec<(usize, usize)> = (0..raw.len())
                .flat_map(|i| (i + 1..raw.len()).map(move |j| (i, j)))
                .collect();
            let got = RawFingerprints::group_overlaps(&refs, &pairs);
            let sorted: Vec<Vec<u32>> = lists.iter().map(|l| sorted_set(l)).collect();
            let sizes: Vec<usize> = sorted.iter().map(Vec::len).collect();
            prop_assert_eq!(&got.sizes, &sizes);
            for (&(i, j), &shared) in pairs.iter().zip(&got.shared) {
                prop_assert_eq!(shared, sorted[i].shared(&sorted[j]));
            }
        }
    }

    proptest! {
        /// The table and the sorted merge agree on every pair of sets, including values that
        /// share top bits and the zero fingerprint.
        #[test]
        fn table_overlap_equals_sorted_merge(
            a in prop::collection::vec(prop_oneof![0u32..64, any::<u32>()], 0..300),
            b in prop::collection::vec(prop_oneof![0u32..64, any::<u32>()], 0..300),
        ) {
            let (ta, tb) = (
                FingerprintTable::new(a.iter().copied(), a.len()),
                FingerprintTable::new(b.iter().copied(), b.len()),
            );
            let (sa, sb) = (sorted_set(&a), sorted_set(&b));
            prop_assert_eq!(ExactSet::len(&ta), sa.len());
            prop_assert_eq!(ta.shared(&tb), sa.shared(&sb));
            prop_assert_eq!(similarity(&ta, &tb), similarity(&sa, &sb));
            prop_assert_eq!(similarity(&ta, &tb), crate::set_similarity(&sa, &sb));
        }
    }
}
