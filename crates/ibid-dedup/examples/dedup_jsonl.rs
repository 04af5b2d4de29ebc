//! Streaming dedup of a (gzip'd) JSONL file of articles `{id, date?, text}`.
//!
//! `cargo run --release -p ibid-dedup --example dedup_jsonl -- INPUT OUT`
//!
//! Writes one `{"id", "group"}` line per input article to OUT and the duplicate pairs
//! `{"a", "b", "jaccard"}` to `OUT.pairs.jsonl`. Memory stays small because texts are never
//! held: one streaming pass keeps signatures in memory and spills shingle fingerprints to an
//! unlinked temp file, from which the candidates are verified exactly.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, NaiveDate};
use ibid_dedup::{fingerprint_set, DedupConfig, DedupDoc, DedupIndex};
use rayon::prelude::*;
use serde::Deserialize;
use std::os::unix::fs::FileExt;

#[derive(Deserialize)]
struct Rec<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Cow<'a, str>,
}

/// A batch of raw lines (one buffer, line ranges).
struct Batch {
    buf: String,
    lines: Vec<(usize, usize)>,
}

const BATCH_BYTES: usize = 1 << 20;

fn open(path: &str) -> std::io::Result<Box<dyn Read + Send>> {
    let f = File::open(path)?;
    Ok(if path.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 20,
            f,
        )))
    } else {
        Box::new(f)
    })
}

/// Reads the file on its own thread (inflate is the one serial step) into batches.
fn stream(path: &str) -> std::io::Result<Receiver<Batch>> {
    let reader = open(path)?;
    let (tx, rx) = sync_channel::<Batch>(1);
    std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(1 << 20, reader);
        loop {
            let mut b = Batch {
                buf: String::with_capacity(BATCH_BYTES + (256 << 10)),
                lines: Vec::new(),
            };
            while b.buf.len() < BATCH_BYTES {
                let start = b.buf.len();
                match r.read_line(&mut b.buf) {
                    Ok(0) => break,
                    Ok(_) => {
                        b.lines.push((start, b.buf.len()));
                    }
                    Err(e) => {
                        eprintln!("read error: {e}");
                        break;
                    }
                }
            }
            let done = b.lines.is_empty() || b.buf.len() < BATCH_BYTES;
            if !b.lines.is_empty() && tx.send(b).is_err() {
                return;
            }
            if done {
                return;
            }
        }
    });
    Ok(rx)
}

/// Peak resident memory so far (Linux), for the summary line.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: dedup_jsonl INPUT(.jsonl[.gz]) OUT");
        std::process::exit(2);
    };
    let t0 = Instant::now();
    let mut index = DedupIndex::new(DedupConfig::default())?;
    // Shingle fingerprints of every doc go to an unlinked temp file (page cache, not RSS), so
    // the candidates can be verified exactly without holding or re-reading the texts.
    let mut spill = BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
    let mut spill_at: Vec<(u64, u32)> = Vec::new();
    let mut spill_len = 0u64;

    // One pass: band keys and samples in memory, fingerprints to the spill file.
    for batch in stream(input)? {
        let recs: Vec<Rec> = batch
            .lines
            .par_iter()
            .filter_map(|&(s, e)| serde_json::from_str::<Rec>(batch.buf[s..e].trim_end()).ok())
            .collect();
        let docs: Vec<DedupDoc> = recs
            .iter()
            .map(|r| DedupDoc {
                id: &r.id,
                published: r.date.as_deref().and_then(parse_date),
                text: &r.text,
            })
            .collect();
        let (_, sets) = index.add_batch_fingerprints(&docs);
        for f in sets {
            let bytes: Vec<u8> = f.iter().flat_map(|v| v.to_le_bytes()).collect();
            spill.write_all(&bytes)?;
            spill_at.push((spill_len, f.len() as u32));
            spill_len += bytes.len() as u64;
        }
    }
    let spill = spill.into_inner().map_err(|e| e.into_error())?;
    let t1 = Instant::now();
    let pairs = index.candidates(0);
    let t2 = Instant::now();

    // Exact verification: sets are read back from the spill file (page cache) and sorted
    // only for candidate docs, about once each (see `verify_grouped`).
    let read_set = |d: u32| -> Option<Vec<u32>> {
        let &(at, n) = spill_at.get(d as usize)?;
        let mut buf = vec![0u8; n as usize * 4];
        spill.read_exact_at(&mut buf, at).ok()?;
        Some(fingerprint_set(
            buf.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ))
    };
    index.verify_grouped(&pairs, read_set);
    let t3 = Instant::now();

    // Streamed from the compact per-doc originals rather than `results()`, which would hold
    // a String pair per doc.
    let (orig, size) = index.originals();
    let mut w = BufWriter::new(File::create(out)?);
    for (i, &o) in orig.iter().enumerate() {
        let (id, group) = (
            index.id(i).unwrap_or(""),
            index.id(o as usize).unwrap_or(""),
        );
        serde_json::to_writer(&mut w, &serde_json::json!({"id": id, "group": group}))?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let dup_pairs = index.pairs();
    let mut w = BufWriter::new(File::create(format!("{out}.pairs.jsonl"))?);
    for p in &dup_pairs {
        let (a, b) = (index.id(p.a).unwrap_or(""), index.id(p.b).unwrap_or(""));
        serde_json::to_writer(
            &mut w,
            &serde_json::json!({"a": a, "b": b, "jaccard": p.jaccard}),
        )?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let groups = (0..orig.len())
        .filter(|&i| size[i] > 1 && orig[i] as usize == i)
        .count();
    let contained: std::collections::HashSet<u32> = index
        .links()
        .iter()
        .filter(|l| l.jaccard < 0.8 && l.containment >= 0.8 && l.size_a != l.size_b)
        .map(|l| if l.size_a < l.size_b { l.a } else { l.b })
        .collect();
    let contained = contained.len();
    eprintln!(
        "docs {} | candidates {} | links {} | dup pairs {} | groups(>1) {} | contained {} | pass1 {:.2}s lsh {:.2}s verify {:.2}s total {:.2}s | peak RSS {}",
        index.len(),
        pairs.len(),
        index.links().len(),
        dup_pairs.len(),
        groups,
        contained,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        t0.elapsed().as_secs_f64(),
        peak_rss()
    );
    Ok(())
}
