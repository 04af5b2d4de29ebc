//! The MinHash hash family and the signature kernel.
//!
//! **Family.** Permutation `i` maps a shingle hash `s` (u64) to
//!
//! ```text
//! x   = (s ^ (s >> 32)) as u32          // fold the xxh3 shingle hash to 32 bits
//! h_i = mix32(x ^ seed_i)               // one seeded hash per permutation
//! mix32(v): v ^= v >> 16; v *= 0x7feb352d; v ^= v >> 15; v *= 0x846ca68b; v ^= v >> 16
//! ```
//!
//! (wrapping u32 arithmetic), with `seed_i` the low 32 bits of the `i`-th output of SplitMix64
//! seeded with [`MINHASH_SEED`]. This is the "permutation i = hash(shingle, seed_i)" family;
//! `mix32` (C. Wellons' `lowbias32`, a bijective mixer with near-ideal avalanche) stands in for
//! `xxh3_64_with_seed` because it runs eight permutations per AVX2 instruction, where an xxh3
//! call per permutation (or a `mod 2^61-1` reduction) costs ~10× more and would dominate the
//! whole stage. The input `x` is already a full-quality xxh3 hash, so the mixer only has to
//! decorrelate the permutations, which the convergence tests check. Everything is fixed-width
//! integer arithmetic, so signatures are bit-identical on every machine and run; the AVX2 path
//! is the same code compiled with wider vectors.
//!
//! A signature value is the minimum of `h_i` over the document's shingles (`u32::MAX` for a
//! document without shingles).

/// Seed of the SplitMix64 stream that draws the per-permutation seeds. Part of the signature
/// format (the golden test pins it).
pub const MINHASH_SEED: u64 = 0x1b1d_0000_4d49_4e48;

/// SplitMix64: a tiny, fully specified generator, so the family is defined by this file alone.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline(always)]
fn mix32(mut v: u32) -> u32 {
    v ^= v >> 16;
    v = v.wrapping_mul(0x7feb_352d);
    v ^= v >> 15;
    v = v.wrapping_mul(0x846c_a68b);
    v ^ (v >> 16)
}

/// Folds a 64-bit shingle hash to the 32-bit permutation input.
#[inline(always)]
fn fold(s: u64) -> u32 {
    (s ^ (s >> 32)) as u32
}

/// Permutations handled per pass over a document's shingles: 32 lanes = 4 AVX2 registers of
/// running minima plus 4 of seeds, so the inner loop runs from registers.
const BLOCK: usize = 32;

/// The `num_perm` permutations of the family, ready for [`MinHasher::signature`].
#[derive(Debug, Clone)]
pub struct MinHasher {
    seeds: Vec<u32>,
}

impl MinHasher {
    /// The first `num_perm` permutations of the family (a prefix of a longer family is the
    /// same permutations).
    pub fn new(num_perm: usize) -> Self {
        let mut state = MINHASH_SEED;
        let seeds = (0..num_perm)
            .map(|_| splitmix64(&mut state) as u32)
            .collect();
        Self { seeds }
    }

    /// Number of permutations.
    pub fn num_perm(&self) -> usize {
        self.seeds.len()
    }

    /// Writes the signature of the shingle hashes `shingles` (repeats allowed, order
    /// irrelevant) into `out` (`out.len() == num_perm`; extra entries are left alone).
    /// `xs` is scratch space reused between calls.
    pub fn signature_into(&self, shingles: &[u64], xs: &mut Vec<u32>, out: &mut [u32]) {
        xs.clear();
        xs.extend(shingles.iter().map(|&s| fold(s)));
        let n = out.len().min(self.seeds.len());
        let (seeds, out) = (&self.seeds[..n], &mut out[..n]);
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { update_avx2(seeds, xs, out) };
                return;
            }
        }
        update(seeds, xs, out);
    }

    /// The signature of `shingles` as a new vector.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut out = vec![0u32; self.seeds.len()];
        self.signature_into(shingles, &mut Vec::new(), &mut out);
        out
    }
}

#[inline(always)]
fn update(seeds: &[u32], xs: &[u32], out: &mut [u32]) {
    let mut blocks = seeds.chunks_exact(BLOCK);
    let mut outs = out.chunks_exact_mut(BLOCK);
    for (sb, ob) in (&mut blocks).zip(&mut outs) {
        let mut s = [0u32; BLOCK];
        s.copy_from_slice(sb);
        let mut m = [u32::MAX; BLOCK];
        for &x in xs {
            for l in 0..BLOCK {
                m[l] = m[l].min(mix32(x ^ s[l]));
            }
        }
        ob.copy_from_slice(&m);
    }
    for (&s, o) in blocks.remainder().iter().zip(outs.into_remainder()) {
        *o = xs.iter().map(|&x| mix32(x ^ s)).min().unwrap_or(u32::MAX);
    }
}

/// [`update`] compiled for AVX2, chosen at run time so one binary serves every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_avx2(seeds: &[u32], xs: &[u32], out: &mut [u32]) {
    update(seeds, xs, out)
}

/// Fraction of equal positions of two signatures: the MinHash estimate of Jaccard similarity.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let eq = a.iter().zip(b).filter(|(x, y)| x == y).count();
    eq as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{set_similarity, Shingler};
    use proptest::prelude::*;

    #[test]
    fn golden_signature() {
        // Pins the hash family, the seeds and the shingling: if this fails, signatures stored
        // by earlier versions no longer match new ones.
        let mut s = Shingler::default();
        s.shingle(
            "The quick brown fox jumps over the lazy dog near the river bank.",
            5,
        );
        let sig = MinHasher::new(128).signature(&s.shingles);
        assert_eq!(sig.len(), 128);
        assert_eq!(&sig[..4], &GOLDEN[..4]);
        assert_eq!(sig[127], GOLDEN[4]);
    }

    const GOLDEN: [u32; 5] = [540763761, 812206392, 836137669, 353006689, 645907660];

    #[test]
    fn empty_signature_is_max() {
        assert!(MinHasher::new(8)
            .signature(&[])
            .iter()
            .all(|&v| v == u32::MAX));
    }

    #[test]
    fn prefix_family_is_stable() {
        let s = [1u64, 99, 12345678901234];
        let long = MinHasher::new(256).signature(&s);
        let short = MinHasher::new(128).signature(&s);
        assert_eq!(&long[..128], &short[..]);
    }

    #[test]
    fn avx2_and_portable_paths_agree() {
        let mh = MinHasher::new(130);
        let shingles: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let xs: Vec<u32> = shingles.iter().map(|&s| fold(s)).collect();
        let mut portable = vec![0u32; 130];
        update(&mh.seeds, &xs, &mut portable);
        assert_eq!(mh.signature(&shingles), portable);
        // And the scalar definition, lane by lane.
        for (i, &s) in mh.seeds.iter().enumerate() {
            let want = xs.iter().map(|&x| mix32(x ^ s)).min().unwrap_or(u32::MAX);
            assert_eq!(portable[i], want);
        }
    }

    proptest! {
        #[test]
        fn signatures_are_deterministic_and_order_free(mut v in proptest::collection::vec(any::<u64>(), 0..200)) {
            let mh = MinHasher::new(64);
            let a = mh.signature(&v);
            v.reverse();
            let mut doubled = v.clone();
            doubled.extend_from_slice(&v);
            prop_assert_eq!(&a, &mh.signature(&v));
            prop_assert_eq!(&a, &MinHasher::new(64).signature(&doubled));
        }

        #[test]
        fn estimate_converges_to_exact_jaccard(
            common in 50usize..400, only_a in 0usize..400, only_b in 0usize..400, seed in any::<u64>()
        ) {
            let mut st = seed;
            let mut draw = |n: usize| (0..n).map(|_| splitmix64(&mut st)).collect::<Vec<u64>>();
            let c = draw(common);
            let mut a = c.clone();
            a.extend(draw(only_a));
            let mut b = c;
            b.extend(draw(only_b));
            let mh = MinHasher::new(256);
            let est = estimate_jaccard(&mh.signature(&a), &mh.signature(&b));
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            let (exact, _) = set_similarity(&a, &b);
            // Std. error of the estimate is sqrt(J(1-J)/256) <= 0.031; 0.13 is > 4 sigma.
            prop_assert!((est - exact).abs() < 0.13, "est {} exact {}", est, exact);
        }
    }

    #[test]
    fn estimate_is_unbiased_over_many_sets() {
        // Average error over many independent set pairs must be near zero (no family bias).
        let mut st = 7u64;
        let mh = MinHasher::new(128);
        let mut err = 0.0;
        let n = 200;
        for _ in 0..n {
            let c: Vec<u64> = (0..300).map(|_| splitmix64(&mut st)).collect();
            let mut a = c.clone();
            a.extend((0..100).map(|_| splitmix64(&mut st)));
            let mut b = c;
            b.extend((0..100).map(|_| splitmix64(&mut st)));
            err += estimate_jaccard(&mh.signature(&a), &mh.signature(&b)) - 0.6;
        }
        assert!(
            (err / n as f64).abs() < 0.01,
            "mean error {}",
            err / n as f64
        );
    }
}
