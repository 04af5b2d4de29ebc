//! Throughput of extract (quotes + entities) on allsides, in parallel with rayon.
//!
//! `cargo run --release -p ibid-extract --example speed [-- LIMIT]`
//! Articles are read and cleaned first (not timed), then `extract` is timed alone and
//! clean + extract together.
use flate2::read::GzDecoder;
use ibid_core::RawArticle;
use ibid_extract::{extract, Gazetteer};
use rayon::prelude::*;
use std::io::{BufRead, BufReader};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/allsides/articles.jsonl.gz"
    );
    let limit: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    let Ok(f) = std::fs::File::open(path) else {
        eprintln!("note: {path} absent");
        return Ok(());
    };
    let mut raws = Vec::new();
    for line in BufReader::new(GzDecoder::new(f)).lines().take(limit) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        raws.push(RawArticle {
            id: v["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v["id"].to_string()),
            text: v["text"].as_str().unwrap_or_default().to_string(),
            title: v["title"].as_str().map(str::to_string),
            ..Default::default()
        });
    }
    let idx = ibid_clean::LineIndex::default();
    let gaz = Gazetteer::bundled();
    let t = std::time::Instant::now();
    let cleaned: Vec<_> = raws
        .par_iter()
        .map(|r| ibid_clean::clean(r, &idx))
        .collect();
    let clean_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let out: Vec<_> = cleaned.par_iter().map(|c| extract(c, &gaz)).collect();
    let ext_s = t.elapsed().as_secs_f64();
    let quotes: usize = out.iter().map(|e| e.quotes.len()).sum();
    let mentions: usize = out.iter().map(|e| e.mentions.len()).sum();
    let n = raws.len() as f64;
    println!(
        "articles={} threads={} extract: {:.2}s = {:.0} articles/s; clean+extract: {:.0} articles/s; quotes={} mentions={}",
        raws.len(),
        rayon::current_num_threads(),
        ext_s,
        n / ext_s,
        n / (ext_s + clean_s),
        quotes,
        mentions
    );
    Ok(())
}
