//! Scores a configuration on every split of ECB+, BASIL and the AllSides real-day set, each
//! over `IBID_ORDERS` (default 16) shuffled arrival orders with opaque ids: the same figures as
//! `ibid eval stories`, on raw (uncleaned) texts, without building the binary.
//! Usage: `cargo run --release -p ibid-stories --example eval [CONFIG_JSON]`; the JSON may set
//! any subset of `StoryConfig` fields. `IBID_SPLITS=tuning` scores the tuning splits only
//! (what a tuning loop may look at); `IBID_JSON=1` prints one JSON line per split.
use ibid_stories::eval::{
    allsides_days_splits, basil_splits, ecbplus_splits, evaluate, write_table, Role, Split,
    ALLSIDES_DAYS_LABELS, DEFAULT_ORDERS,
};
use ibid_stories::StoryConfig;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg: StoryConfig = match std::env::args().nth(1) {
        Some(j) => serde_json::from_str(&j)?,
        None => StoryConfig::default(),
    };
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut splits: Vec<Split> = ecbplus_splits(&shared.join("ecbplus/documents.jsonl"))?;
    splits.extend(basil_splits(&shared.join("basil/articles.jsonl"))?);
    splits.extend(allsides_days_splits(
        ALLSIDES_DAYS_LABELS,
        &shared.join("allsides/articles.jsonl.gz"),
    )?);
    if std::env::var("IBID_SPLITS").as_deref() == Ok("tuning") {
        splits.retain(|s| s.role == Role::Tuning);
    }
    let orders = std::env::var("IBID_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_ORDERS);
    let reports: Vec<_> = splits.iter().map(|s| evaluate(s, &cfg, orders)).collect();
    if std::env::var("IBID_JSON").is_ok() {
        for r in &reports {
            println!("{}", serde_json::to_string(r)?);
        }
    } else {
        write_table(&mut std::io::stdout().lock(), &reports, orders)?;
    }
    Ok(())
}
