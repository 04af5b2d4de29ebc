//! `ibid dedup`: near-duplicate groups as a pipeline tool, without a store.
//!
//! Reads the same inputs as `ibid ingest` (through `ibid-ingest`), groups exact and near
//! duplicates with `ibid-dedup`, and writes one JSON line `{"id", "group"}` per input article,
//! `group` being the id of the group's original (earliest published; singletons are their own
//! group). Texts are used as given (no cleaning), as peers such as datasketch and rensa do.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use ibid_ingest::{Item, ReadOptions};

/// Flags of `ibid dedup`; defaults are `ibid_dedup::DedupConfig::default()`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Files, folders or `-`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output file for the `{id, group}` lines (default: stdout).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write the verified duplicate pairs `{a, b, jaccard}` here.
    #[arg(long)]
    pairs: Option<PathBuf>,
    /// Jaccard threshold of word-shingle sets.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = 5)]
    shingle_size: usize,
    /// MinHash permutations.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (num_perm / bands rows each).
    #[arg(long, default_value_t = 32)]
    bands: usize,
    /// Containment threshold for `contains` / `contained_in`.
    #[arg(long, default_value_t = 0.8)]
    containment_threshold: f64,
    /// Texts with fewer words never match.
    #[arg(long, default_value_t = 10)]
    min_tokens: usize,
    /// Also write `duplicate_of`, `group_size`, `contains`, `contained_in` per line.
    #[arg(long)]
    detail: bool,
    /// Print a JSON summary on stderr.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DedupArgs) -> Result<bool> {
    let started = Instant::now();
    let config = ibid_dedup::DedupConfig {
        threshold: args.threshold,
        shingle_size: args.shingle_size,
        num_perm: args.num_perm,
        bands: args.bands,
        containment_threshold: args.containment_threshold,
        min_tokens: args.min_tokens,
        ..ibid_dedup::DedupConfig::default()
    };
    config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;

    let discovery = ibid_ingest::discover(&args.inputs);
    let mut rejected = discovery.rejections.len();
    for r in &discovery.rejections {
        eprintln!("rejected {}: {}", r.location, r.reason);
    }
    let opts = ReadOptions::default();
    let counter = AtomicU64::new(0);
    let mut records: Vec<(String, Option<String>, String)> = Vec::new();
    for input in &discovery.inputs {
        let _ = ibid_ingest::read_input(input, &opts, &counter, &mut |item| {
            match item {
                Item::Article(r) => {
                    records.push((r.article.id, r.article.published, r.article.text))
                }
                Item::Rejected(r) => {
                    rejected += 1;
                    eprintln!("rejected {}: {}", r.location, r.reason);
                }
            }
            Ok(())
        });
    }
    let now = chrono::Utc::now();
    let published: Vec<_> = records
        .iter()
        .map(|(_, p, _)| {
            p.as_deref()
                .and_then(|p| ibid_clean::parse_published(p, now).ok())
                .map(|p| p.at)
        })
        .collect();
    let docs: Vec<ibid_dedup::DedupDoc<'_>> = records
        .iter()
        .zip(&published)
        .map(|((id, _, text), published)| ibid_dedup::DedupDoc {
            id,
            published: *published,
            text,
        })
        .collect();
    let (results, pairs) = ibid_dedup::dedup(&docs, &config).map_err(|e| anyhow::anyhow!("{e}"))?;

    let sink: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let mut w = BufWriter::new(sink);
    for r in &results {
        let line = if args.detail {
            serde_json::json!({
                "id": r.id, "group": r.group, "duplicate_of": r.duplicate_of,
                "group_size": r.group_size, "contains": r.contains, "contained_in": r.contained_in,
            })
        } else {
            serde_json::json!({ "id": r.id, "group": r.group })
        };
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    if let Some(p) = &args.pairs {
        let mut pw = BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        );
        for pair in &pairs {
            let line = serde_json::json!({
                "a": docs[pair.a].id, "b": docs[pair.b].id, "jaccard": pair.jaccard,
            });
            serde_json::to_writer(&mut pw, &line)?;
            pw.write_all(b"\n")?;
        }
        pw.flush()?;
    }
    let groups = results.iter().filter(|r| r.duplicate_of.is_none()).count();
    let summary = serde_json::json!({
        "articles": results.len(),
        "groups": groups,
        "duplicates": results.len() - groups,
        "pairs": pairs.len(),
        "rejected": rejected,
        "seconds": started.elapsed().as_secs_f64(),
    });
    if args.json {
        eprintln!("{summary}");
    } else {
        eprintln!(
            "{} articles, {} groups, {} duplicates, {} pairs, {} rejected in {:.2}s",
            results.len(),
            groups,
            results.len() - groups,
            pairs.len(),
            rejected,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(rejected == 0)
}
