//! Prints a split's clustering errors (one arrival order): predicted stories that mix gold
//! events, and gold events spread over several stories, with headlines. Tuning splits only.
//! Usage: `cargo run --release -p ibid-stories --example errors -- DATASET SPLIT [CONFIG_JSON]`.
use ibid_stories::eval::{
    allsides_days_splits, basil_splits, ecbplus_splits, opaque, Role, ALLSIDES_DAYS_LABELS,
};
use ibid_stories::{cluster, StoryConfig};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dataset, split) = (args[1].as_str(), args[2].as_str());
    let cfg: StoryConfig = match args.get(3) {
        Some(j) => serde_json::from_str(j)?,
        None => StoryConfig::default(),
    };
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let splits = match dataset {
        "ecbplus" => ecbplus_splits(&shared.join("ecbplus/documents.jsonl"))?,
        "basil" => basil_splits(&shared.join("basil/articles.jsonl"))?,
        _ => allsides_days_splits(
            ALLSIDES_DAYS_LABELS,
            &shared.join("allsides/articles.jsonl.gz"),
        )?,
    };
    let s = splits
        .into_iter()
        .find(|s| s.split == split)
        .ok_or("no such split")?;
    if s.role != Role::Tuning {
        return Err("errors are shown for tuning splits only".into());
    }
    let seed: u64 = std::env::var("IBID_SEED")
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let docs = opaque(&s.docs, seed);
    let input: Vec<_> = docs.iter().map(|d| d.doc.clone()).collect();
    let engine = cluster(&input, &cfg);
    let label = |i: usize| {
        let d = &docs[i].doc;
        let t = d
            .title
            .clone()
            .unwrap_or_else(|| d.text.chars().take(70).collect());
        format!(
            "{} {} | {}",
            d.published
                .map(|p| p.format("%m-%d").to_string())
                .unwrap_or_default(),
            docs[i].gold,
            t.replace('\n', " ")
        )
    };
    let mut by_pred: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut by_gold: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        by_pred
            .entry(engine.story_of(&d.doc.id).unwrap_or_default())
            .or_default()
            .push(i);
        by_gold.entry(d.gold.clone()).or_default().push(i);
    }
    println!("== stories mixing events");
    for (p, m) in &by_pred {
        let golds: std::collections::BTreeSet<&str> =
            m.iter().map(|&i| docs[i].gold.as_str()).collect();
        if golds.len() > 1 {
            println!("-- {p} ({} articles, {} events)", m.len(), golds.len());
            for &i in m {
                println!("   {}", label(i));
            }
        }
    }
    println!("== events split over stories");
    for (g, m) in &by_gold {
        let preds: std::collections::BTreeSet<String> = m
            .iter()
            .map(|&i| engine.story_of(&docs[i].doc.id).unwrap_or_default())
            .collect();
        if preds.len() > 1 {
            println!("-- {g} ({} articles, {} stories)", m.len(), preds.len());
            for &i in m {
                println!(
                    "   {} -> {}",
                    label(i),
                    engine.story_of(&docs[i].doc.id).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
