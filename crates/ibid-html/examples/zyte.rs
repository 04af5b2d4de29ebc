//! Run the Zyte benchmark: `cargo run --release -p ibid-html --example zyte -- [DIR] [OUT_DIR]`.
//! Prints P/R/F1 (all, even and odd halves) and pages/s (wall clock and per
//! CPU second of the extracting thread) for each extractor; `ONLY=name` runs one;
//! `ROUNDS=n` (n > 1) also times n more passes and prints the fastest, the
//! steadiest figure on a shared machine (others' load only ever slows a pass);
//! with OUT_DIR, also writes `<name>.json` predictions for `bench/extract/score.py`.
use ibid_html::{eval_zyte_with, Extractor, SmoothieExtractor};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/zyte-article-extraction"
        ))
    });
    let out = args.get(2).map(PathBuf::from);
    let only = std::env::var("ONLY").ok();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let extractors: Vec<(&str, Box<dyn Extractor>)> = vec![
        (
            "ibid_default",
            Box::new(ibid_html::DefaultExtractor::default()),
        ),
        (
            "smoothie_bare",
            Box::new(SmoothieExtractor {
                preclean: false,
                ..SmoothieExtractor::default()
            }),
        ),
    ];
    for (name, ex) in extractors {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let r = match eval_zyte_with(&dir, ex.as_ref()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        println!(
            "{name:<18} P={:.3} R={:.3} F1={:.3}  even F1={:.3} odd F1={:.3}  {:.1} pages/s wall, {:.1} pages/CPU-s  errors={}",
            r.all.precision,
            r.all.recall,
            r.all.f1,
            r.even.f1,
            r.odd.f1,
            r.pages_per_sec,
            r.cpu_pages_per_sec,
            r.errors
        );
        if rounds > 1 {
            best_of(&dir, ex.as_ref(), name, rounds);
        }
        if let Some(out) = &out {
            let preds: serde_json::Map<String, serde_json::Value> = r
                .per_page
                .iter()
                .map(|(sha, _, text)| (sha.clone(), serde_json::json!({ "articleBody": text })))
                .collect();
            std::fs::create_dir_all(out).ok();
            std::fs::write(
                out.join(format!("{name}.json")),
                serde_json::Value::Object(preds).to_string(),
            )
            .ok();
        }
    }
}

/// Time `rounds` passes of decode + extract over the pages; print the fastest.
fn best_of(dir: &std::path::Path, ex: &dyn Extractor, name: &str, rounds: usize) {
    let pages = match ibid_html::eval::load_zyte(dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let c = ibid_html::eval::thread_cpu_secs();
        for p in &pages {
            let r = ibid_html::decode_html(&p.html, None)
                .and_then(|s| ex.extract(&s, p.url.as_deref()));
            std::hint::black_box(r.ok());
        }
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, ibid_html::eval::thread_cpu_secs()) {
            best_cpu = best_cpu.min(b - a);
        }
    }
    println!(
        "{name:<18} best of {rounds}: {:.1} pages/s wall ({:.2} ms/page), {:.1} pages/CPU-s",
        pages.len() as f64 / best,
        best * 1e3 / pages.len() as f64,
        pages.len() as f64 / best_cpu
    );
}
