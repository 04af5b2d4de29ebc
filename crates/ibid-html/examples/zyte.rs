//! Run the Zyte benchmark: `cargo run --release -p ibid-html --example zyte -- [DIR] [OUT_DIR]`.
//! Prints P/R/F1 (all, even and odd halves) and pages/s for each extractor;
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
            "{name:<18} P={:.3} R={:.3} F1={:.3}  even F1={:.3} odd F1={:.3}  {:.1} pages/s  errors={}",
            r.all.precision, r.all.recall, r.all.f1, r.even.f1, r.odd.f1, r.pages_per_sec, r.errors
        );
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
