//! Kernel benchmarks: shingling and MinHash of one article-sized document.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ibid_dedup::{MinHasher, Shingler};
use std::hint::black_box;

/// A made-up ~900-word article (deterministic pseudo-random words), the allsides median size.
fn article() -> String {
    const WORDS: &[&str] = &[
        "the",
        "minister",
        "said",
        "on",
        "tuesday",
        "that",
        "talks",
        "would",
        "resume",
        "after",
        "a",
        "meeting",
        "with",
        "officials",
        "in",
        "capital",
        "city",
        "where",
        "protesters",
        "gathered",
        "outside",
        "parliament",
        "government",
        "spokesman",
        "added",
        "economy",
        "growth",
        "percent",
        "report",
        "Ünïcode",
        "2016",
        "election",
        "court",
        "ruling",
    ];
    let mut state = 12345u64;
    let mut out = String::new();
    for i in 0..900 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(WORDS[(state >> 33) as usize % WORDS.len()]);
        out.push_str(if i % 17 == 16 { ". " } else { " " });
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = article();
    let mh = MinHasher::new(128);
    let mut g = c.benchmark_group("per_doc");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("shingle", |b| {
        let mut sh = Shingler::default();
        b.iter(|| black_box(sh.shingle(black_box(&text), 5)))
    });
    let mut sh = Shingler::default();
    sh.shingle(&text, 5);
    let shingles = sh.shingles.clone();
    g.bench_function("minhash128", |b| {
        let mut mins = Vec::new();
        let mut out = vec![0u32; 128];
        b.iter(|| mh.signature_into(black_box(&shingles), &mut mins, &mut out))
    });
    g.bench_function("shingle+minhash128", |b| {
        let mut sh = Shingler::default();
        let mut mins = Vec::new();
        let mut out = vec![0u32; 128];
        b.iter(|| {
            sh.shingle(black_box(&text), 5);
            mh.signature_into(&sh.shingles, &mut mins, &mut out);
            black_box(&out);
        })
    });
    // Sorted fingerprint sets (the form `set_similarity` compares), for reference.
    let fps: Vec<u32> = shingles
        .iter()
        .map(|&s| ibid_dedup::fingerprint(s))
        .collect();
    g.bench_function("fingerprint_set", |b| {
        b.iter(|| black_box(ibid_dedup::fingerprint_set(black_box(fps.clone()))))
    });
    g.finish();

    // Verifying one candidate pair from spilled fingerprints: a near copy (one word in 50
    // changed) of the article, both sets built from their raw fingerprints, then compared.
    let copy: Vec<u32> = fps
        .iter()
        .enumerate()
        .map(|(i, &f)| if i % 50 == 7 { f ^ 0x5bd1_e995 } else { f })
        .collect();
    let mut g = c.benchmark_group("verify_pair");
    g.bench_function("fingerprint_set+merge", |b| {
        b.iter(|| {
            let x = ibid_dedup::fingerprint_set(black_box(fps.clone()));
            let y = ibid_dedup::fingerprint_set(black_box(copy.clone()));
            black_box(ibid_dedup::set_similarity(&x, &y))
        })
    });
    g.bench_function("fingerprint_table", |b| {
        use ibid_dedup::FingerprintTable;
        b.iter(|| {
            let x = FingerprintTable::new(black_box(&fps).iter().copied(), fps.len());
            let y = FingerprintTable::new(black_box(&copy).iter().copied(), copy.len());
            black_box(ibid_dedup::similarity(&x, &y))
        })
    });
    g.bench_function("std_hashset", |b| {
        // std's SwissTable; keys are hash values already, so a multiply spreads them into the
        // top bits SwissTable's control bytes use.
        #[derive(Default)]
        struct Mul(u64);
        impl std::hash::Hasher for Mul {
            fn finish(&self) -> u64 {
                self.0
            }
            fn write(&mut self, _: &[u8]) {
                unreachable!("only u32 keys")
            }
            fn write_u32(&mut self, v: u32) {
                self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
        }
        type Set = std::collections::HashSet<u32, std::hash::BuildHasherDefault<Mul>>;
        b.iter(|| {
            let mut x = Set::with_capacity_and_hasher(fps.len(), Default::default());
            x.extend(black_box(&fps).iter().copied());
            let mut y = Set::with_capacity_and_hasher(copy.len(), Default::default());
            y.extend(black_box(&copy).iter().copied());
            let shared = x.iter().filter(|v| y.contains(v)).count();
            black_box((shared, x.len(), y.len()))
        })
    });
    g.finish();

    // Verifying a group the way a corpus of reprints presents it: an original and three near
    // copies (a different word in 50 each), all six pairs, from spilled fingerprints.
    use ibid_dedup::{ExactSet, FingerprintTable, RawFingerprints};
    let group: Vec<Vec<u32>> = (0..4u32)
        .map(|k| {
            fps.iter()
                .enumerate()
                .map(|(i, &f)| {
                    if k > 0 && i % 50 == 7 + k as usize {
                        f ^ k
                    } else {
                        f
                    }
                })
                .collect()
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..4)
        .flat_map(|i| (i + 1..4).map(move |j| (i, j)))
        .collect();
    let mut g = c.benchmark_group("verify_group");
    g.bench_function("table_per_doc", |b| {
        b.iter(|| {
            let tables: Vec<FingerprintTable> = black_box(&group)
                .iter()
                .map(|l| FingerprintTable::new(l.iter().copied(), l.len()))
                .collect();
            let refs: Vec<&FingerprintTable> = tables.iter().collect();
            black_box(FingerprintTable::group_overlaps(&refs, &pairs))
        })
    });
    g.bench_function("masked_table", |b| {
        let raw: Vec<RawFingerprints> = group.iter().cloned().map(RawFingerprints).collect();
        let refs: Vec<&RawFingerprints> = raw.iter().collect();
        b.iter(|| black_box(RawFingerprints::group_overlaps(black_box(&refs), &pairs)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
