//! Prints the pair features and probability of chosen documents of a JSONL file (fields `id`,
//! `date`/`published`, `title`, `text`), weighed with the IDF of the whole file: for looking at
//! why two articles were (or were not) put in one story.
//! Usage: `cargo run --release -p ibid-stories --example pairs -- FILE.jsonl ID ID [ID...]`.
use ibid_stories::eval::parse_day;
use ibid_stories::pair::{FeatureTable, PAIR_FEATURE_NAMES};
use ibid_stories::{StoryConfig, StoryDoc};
use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let file = std::io::BufReader::new(std::fs::File::open(&args[1])?);
    let mut docs = Vec::new();
    for line in file.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let id = match &v["id"] {
            serde_json::Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        let published = s("date").or(s("published")).and_then(|d| {
            chrono::DateTime::parse_from_rfc3339(&d)
                .ok()
                .or_else(|| parse_day(&d))
        });
        docs.push(StoryDoc {
            id,
            published,
            outlet: s("source"),
            title: s("title"),
            text: s("text").unwrap_or_default(),
            copy_of: None,
        });
    }
    let cfg = StoryConfig::default();
    let table = FeatureTable::new(&docs, &cfg);
    let ix: Vec<usize> = args[2..]
        .iter()
        .filter_map(|id| docs.iter().position(|d| &d.id == id))
        .collect();
    for (n, &i) in ix.iter().enumerate() {
        for &j in &ix[n + 1..] {
            let f = table.pair(i, j);
            let named: Vec<String> = PAIR_FEATURE_NAMES
                .iter()
                .zip(f)
                .map(|(k, v)| format!("{k}={v:.2}"))
                .collect();
            println!(
                "{} ~ {}: p={:.3} {}",
                docs[i].id,
                docs[j].id,
                cfg.pair.prob(&f),
                named.join(" ")
            );
        }
    }
    Ok(())
}
