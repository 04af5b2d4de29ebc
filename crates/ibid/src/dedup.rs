//! `ibid dedup`: near-duplicate groups as a pipeline tool, without a store.
//!
//! Reads the same inputs as `ibid ingest` (through `ibid-ingest`), groups exact and near
//! duplicates with `ibid-dedup`, and writes one JSON line `{"id", "group"}` per input article,
//! `group` being the id of the group's original (earliest published; singletons are their own
//! group). Texts are used as given (no cleaning), as peers such as datasketch and rensa do.
//!
//! The run streams: one thread reads (inflate, line splitting, WARC framing: the serial part),
//! the rayon pool parses, shingles and signs each batch while the next one is read, and only
//! the compact index stays in memory ([`ibid_dedup::SpillingDedup`]), so memory does not grow
//! with the texts.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use ibid_ingest::{Item, Pending, ReadOptions};
use rayon::prelude::*;

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
    /// MinHash signature length (one-permutation bins; plays the role of permutations).
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (num_perm / bands rows each).
    #[arg(long, default_value_t = 32)]
    bands: usize,
    /// LSH bands a pair must share to be a candidate.
    #[arg(long, default_value_t = 2)]
    min_shared_bands: usize,
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

/// Input read per batch: large enough to keep both cores busy, small enough to stay a
/// rounding error in peak memory.
const BATCH_BYTES: usize = 256 << 10;

/// What the reader thread sends: a batch of pieces, or the end with the count of inputs.
type Batch = Vec<Pending>;

/// One line of the groups output. Typed lines rather than `json!` maps, which build and drop
/// a small map for each of hundreds of thousands of lines in the run's sequential tail.
#[derive(serde::Serialize)]
struct GroupLine<'a> {
    id: &'a str,
    group: &'a str,
}

/// One line of the `--pairs` output.
#[derive(serde::Serialize)]
struct PairLine<'a> {
    a: &'a str,
    b: &'a str,
    jaccard: f64,
}

/// An article as the dedup stage needs it.
struct Doc {
    id: String,
    published: Option<chrono::DateTime<chrono::FixedOffset>>,
    text: String,
}

pub fn run(args: DedupArgs) -> Result<bool> {
    let started = Instant::now();
    pin_mmap_threshold();
    let config = ibid_dedup::DedupConfig {
        threshold: args.threshold,
        shingle_size: args.shingle_size,
        num_perm: args.num_perm,
        bands: args.bands,
        min_shared_bands: args.min_shared_bands,
        containment_threshold: args.containment_threshold,
        min_tokens: args.min_tokens,
        ..ibid_dedup::DedupConfig::default()
    };
    config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    // Open the outputs before the long part, so a bad path fails at once.
    let mut out = BufWriter::with_capacity(1 << 20, create(args.out.as_ref())?);
    let mut pairs_out = match &args.pairs {
        Some(p) => Some(BufWriter::new(create(Some(p))?)),
        None => None,
    };

    let discovery = ibid_ingest::discover(&args.inputs);
    let mut rejected = discovery.rejections.len();
    for r in &discovery.rejections {
        eprintln!("rejected {}: {}", r.location, r.reason);
    }
    let total_bytes: u64 = discovery
        .inputs
        .iter()
        .filter_map(|i| i.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = ibid_pipeline::progress_bar(true, total_bytes, "ingest");
    bar.set_prefix("dedup");
    let bytes_read = std::sync::Arc::new(AtomicU64::new(0));

    let (tx, rx) = sync_channel::<Batch>(1);
    let inputs = discovery.inputs;
    let counter = std::sync::Arc::clone(&bytes_read);
    let reader = std::thread::spawn(move || {
        let opts = ReadOptions::default();
        let mut batch: Batch = Vec::new();
        let mut size = 0usize;
        for input in &inputs {
            let sent = ibid_ingest::read_input_pending(input, &opts, &counter, &mut |p| {
                size += p.size_hint();
                batch.push(p);
                if size >= BATCH_BYTES {
                    size = 0;
                    tx.send(std::mem::take(&mut batch))
                        .map_err(|_| ibid_ingest::IngestError::Sink("dedup stopped".into()))?;
                }
                Ok(())
            });
            if sent.is_err() {
                return;
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    });

    let now = chrono::Utc::now();
    let mut run = ibid_dedup::SpillingDedup::new(config).context("cannot start dedup")?;
    for batch in rx {
        let items: Vec<Item> = batch.into_par_iter().map(Pending::resolve).collect();
        let mut docs = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Article(r) => docs.push(r.article),
                Item::Rejected(r) => {
                    rejected += 1;
                    bar.suspend(|| eprintln!("rejected {}: {}", r.location, r.reason));
                }
            }
        }
        let docs: Vec<Doc> = docs
            .into_par_iter()
            .map(|a| Doc {
                published: a
                    .published
                    .as_deref()
                    .and_then(|p| ibid_clean::parse_published(p, now).ok())
                    .map(|p| p.at),
                id: a.id,
                text: a.text,
            })
            .collect();
        let views: Vec<ibid_dedup::DedupDoc<'_>> = docs
            .iter()
            .map(|d| ibid_dedup::DedupDoc {
                id: &d.id,
                published: d.published,
                text: &d.text,
            })
            .collect();
        run.add_batch(&views)?;
        bar.set_position(bytes_read.load(Ordering::Relaxed));
    }
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("the input reader thread panicked"))?;
    tracing::debug!(secs = ?started.elapsed(), "read, shingled and signed");
    bar.set_message("verifying candidates");
    let (index, stats) = run.finish()?;
    bar.finish_and_clear();

    // Groups, streamed from the compact per-doc originals (`results()` would hold a String
    // pair per doc) unless the detail is asked for.
    let (originals, sizes) = index.originals();
    let id = |i: usize| index.id(i).unwrap_or_default();
    if args.detail {
        for r in index.results() {
            let line = serde_json::json!({
                "id": r.id, "group": r.group, "duplicate_of": r.duplicate_of,
                "group_size": r.group_size, "contains": r.contains, "contained_in": r.contained_in,
            });
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
    } else {
        let docs: Vec<(usize, u32)> = originals.iter().copied().enumerate().collect();
        write_json_lines(&mut out, &docs, |&(i, o)| GroupLine {
            id: id(i),
            group: id(o as usize),
        })?;
    }
    out.flush()?;
    // Pairs are formatted a slice at a time, so memory stays bounded however many there are.
    let mut n_pairs = 0usize;
    let mut pending: Vec<ibid_dedup::DupPair> = Vec::new();
    let mut pair_error: Option<std::io::Error> = None;
    let mut flush_pairs = |pending: &mut Vec<ibid_dedup::DupPair>| {
        if let (Some(w), None) = (pairs_out.as_mut(), &pair_error) {
            let written = write_json_lines(w, pending, |p| PairLine {
                a: id(p.a),
                b: id(p.b),
                jaccard: p.jaccard,
            });
            if let Err(e) = written {
                pair_error = Some(e);
            }
        }
        pending.clear();
    };
    index.for_each_pair(|p| {
        n_pairs += 1;
        pending.push(p);
        if pending.len() == PAIRS_PER_WRITE {
            flush_pairs(&mut pending);
        }
    });
    flush_pairs(&mut pending);
    if let Some(e) = pair_error {
        return Err(e).context("cannot write the pairs file");
    }
    if let Some(w) = pairs_out.as_mut() {
        w.flush()?;
    }

    let articles = originals.len();
    let groups = (0..articles)
        .filter(|&i| originals[i] as usize == i && sizes[i] > 1)
        .count();
    let duplicates = (0..articles)
        .filter(|&i| originals[i] as usize != i)
        .count();
    let seconds = started.elapsed().as_secs_f64();
    tracing::debug!(secs = seconds, "written");
    if args.json {
        let summary = serde_json::json!({
            "articles": articles,
            "groups": groups,
            "duplicates": duplicates,
            "pairs": n_pairs,
            "candidates": stats.candidates,
            "rejected": rejected,
            "seconds": seconds,
            "texts": "as given",
            "note": TEXTS_AS_GIVEN,
        });
        eprintln!("{summary}");
    } else {
        eprintln!(
            "{articles} articles, {groups} groups of copies, {duplicates} duplicates, {n_pairs} \
             pairs ({} candidates), {rejected} rejected in {seconds:.2}s\n\
             note: {TEXTS_AS_GIVEN}",
            stats.candidates
        );
    }
    Ok(rejected == 0)
}

/// Why `ibid dedup` and a store can count different duplicates for the same input (printed
/// with the summary, so nobody has to find it out by comparing).
const TEXTS_AS_GIVEN: &str = "texts are compared as given; `ibid ingest` compares cleaned \
     texts (page furniture removed), where more copies show, so `ibid status` usually counts \
     more duplicates for the same input";

/// Lines formatted (in parallel) before they are written; pairs gathered per write.
const PAIRS_PER_WRITE: usize = 1 << 14;

/// Writes one JSON line per item, formatted in parallel in slices and written in order:
/// formatting hundreds of thousands of lines was the largest serial step after verification.
fn write_json_lines<T: Sync, L: serde::Serialize>(
    out: &mut impl Write,
    items: &[T],
    line: impl Fn(&T) -> L + Sync,
) -> std::io::Result<()> {
    for slice in items.chunks(PAIRS_PER_WRITE) {
        let parts: Vec<std::io::Result<Vec<u8>>> = slice
            .par_chunks(4096)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 64);
                for item in chunk {
                    serde_json::to_writer(&mut buf, &line(item))?;
                    buf.push(b'\n');
                }
                Ok(buf)
            })
            .collect();
        for part in parts {
            out.write_all(&part?)?;
        }
    }
    Ok(())
}

/// Serves every allocation of at least a batch's size from its own mapping, returned to the
/// system when freed. glibc otherwise raises its mmap threshold the first time such a buffer
/// is freed and from then on carves batches out of its heaps; a batch freed on another thread
/// than the one that allocated it then leaves holes that are never trimmed. Measured on the 4×
/// benchmark corpus: peak RSS 94–104 MB without this, a stable 86 MB with it, same time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_mmap_threshold() {
    // SAFETY: `mallopt` only sets an allocator parameter (under glibc's own lock, so any
    // thread may call it); a failure (return 0) just leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, BATCH_BYTES as libc::c_int);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_mmap_threshold() {}

fn create(path: Option<&PathBuf>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    })
}
