//! Prints ECB+ (train, dev) and BASIL scores for a configuration: first in the standard
//! order (what `ibid eval stories` reports), then as the mean over `IBID_ORDERS` (default 8)
//! arrival orders (`"orders": K` lines), the steadier figure for comparing configurations.
//! Usage: `cargo run --release -p ibid-stories --example eval [CONFIG_JSON]`; the JSON may set
//! any subset of `StoryConfig` fields.
use ibid_stories::eval::{
    evaluate_basil, evaluate_ecbplus, evaluate_orders, load_basil, load_ecbplus, LabeledDoc,
};
use ibid_stories::StoryConfig;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg: StoryConfig = match std::env::args().nth(1) {
        Some(j) => serde_json::from_str(&j)?,
        None => StoryConfig::default(),
    };
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let ecb = shared.join("ecbplus/documents.jsonl");
    let basil = shared.join("basil/articles.jsonl");
    for r in evaluate_ecbplus(&ecb, &cfg)? {
        println!("{}", serde_json::to_string(&r)?);
    }
    println!("{}", serde_json::to_string(&evaluate_basil(&basil, &cfg)?)?);
    let orders: u64 = std::env::var("IBID_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    if orders < 2 {
        return Ok(());
    }
    let all = load_ecbplus(&ecb)?;
    let mut parts: Vec<(&str, &str, Vec<LabeledDoc>)> = ["train", "dev"]
        .iter()
        .map(|s| {
            let docs = all.iter().filter(|d| d.split == *s).cloned().collect();
            ("ecbplus", *s, docs)
        })
        .collect();
    parts.push(("basil", "all", load_basil(&basil)?));
    for (dataset, split, docs) in &parts {
        let r = evaluate_orders(dataset, split, docs, &cfg, orders);
        let mut v = serde_json::to_value(&r)?;
        v["orders"] = serde_json::json!(orders);
        println!("{v}");
    }
    Ok(())
}
