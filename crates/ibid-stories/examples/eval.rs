//! Prints ECB+ (train, dev) and BASIL scores for a configuration.
//! Usage: `cargo run --release -p ibid-stories --example eval [CONFIG_JSON]`; the JSON may set
//! any subset of `StoryConfig` fields.
use ibid_stories::eval::{evaluate_basil, evaluate_ecbplus};
use ibid_stories::StoryConfig;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cfg: StoryConfig = match std::env::args().nth(1) {
        Some(j) => serde_json::from_str(&j)?,
        None => StoryConfig::default(),
    };
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    for r in evaluate_ecbplus(&shared.join("ecbplus/documents.jsonl"), &cfg)? {
        println!("{}", serde_json::to_string(&r)?);
    }
    println!(
        "{}",
        serde_json::to_string(&evaluate_basil(&shared.join("basil/articles.jsonl"), &cfg)?)?
    );
    Ok(())
}
