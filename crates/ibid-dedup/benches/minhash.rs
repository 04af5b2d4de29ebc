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
    // Verification sorts every candidate doc's fingerprints once (about 1,000 per allsides
    // article); std's sort is the baseline the hand-rolled radix sort must beat.
    let fps: Vec<u32> = shingles
        .iter()
        .map(|&s| ibid_dedup::fingerprint(s))
        .collect();
    g.bench_function("fingerprint_set", |b| {
        b.iter(|| black_box(ibid_dedup::fingerprint_set(black_box(fps.clone()))))
    });
    g.bench_function("sort_unstable+dedup", |b| {
        b.iter(|| {
            let mut v = black_box(fps.clone());
            v.sort_unstable();
            v.dedup();
            black_box(v)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
