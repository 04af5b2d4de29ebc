//! Streaming dedup of a (gzip'd) JSONL file of articles `{id, date?, text}`.
//!
//! `cargo run --release -p ibid-dedup --example dedup_jsonl -- INPUT OUT`
//!
//! Writes one `{"id", "group"}` line per input article to OUT and the duplicate pairs
//! `{"a", "b", "jaccard"}` to `OUT.pairs.jsonl`. Memory stays small because texts are never
//! all held: pass 1 streams the file and keeps only signatures; pass 2 streams it again and
//! shingles just the candidate docs, holding each set only until its last partner has passed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, NaiveDate};
use ibid_dedup::{DedupConfig, DedupDoc, DedupIndex, Shingler};
use rayon::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Rec<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Cow<'a, str>,
}

/// A batch of raw lines (one buffer, line ranges) and the number of the first line.
struct Batch {
    first_line: usize,
    buf: String,
    lines: Vec<(usize, usize)>,
}

const BATCH_BYTES: usize = 8 << 20;

fn open(path: &str) -> std::io::Result<Box<dyn Read + Send>> {
    let f = File::open(path)?;
    Ok(if path.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 20, f)))
    } else {
        Box::new(f)
    })
}

/// Reads the file on its own thread (inflate is the one serial step) into batches.
fn stream(path: &str) -> std::io::Result<Receiver<Batch>> {
    let reader = open(path)?;
    let (tx, rx) = sync_channel::<Batch>(2);
    std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(1 << 20, reader);
        let mut line_no = 0usize;
        loop {
            let mut b = Batch { first_line: line_no, buf: String::with_capacity(BATCH_BYTES + (1 << 20)), lines: Vec::new() };
            while b.buf.len() < BATCH_BYTES {
                let start = b.buf.len();
                match r.read_line(&mut b.buf) {
                    Ok(0) => break,
                    Ok(_) => {
                        b.lines.push((start, b.buf.len()));
                        line_no += 1;
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
    // Doc index of each input line (None for unparsable lines, which are skipped).
    let mut line_doc: Vec<Option<u32>> = Vec::new();

    // Pass 1: signatures only.
    for batch in stream(input)? {
        let recs: Vec<Option<Rec>> = batch
            .lines
            .par_iter()
            .map(|&(s, e)| serde_json::from_str::<Rec>(batch.buf[s..e].trim_end()).ok())
            .collect();
        let docs: Vec<DedupDoc> = recs
            .iter()
            .flatten()
            .map(|r| DedupDoc { id: &r.id, published: r.date.as_deref().and_then(parse_date), text: &r.text })
            .collect();
        let range = index.add_batch(&docs);
        let mut next = range.start as u32;
        for r in &recs {
            line_doc.push(r.as_ref().map(|_| {
                next += 1;
                next - 1
            }));
        }
    }
    let t1 = Instant::now();
    let pairs = index.candidates(0);
    let t2 = Instant::now();

    // Pass 2: exact verification of the candidates, streaming.
    if !pairs.is_empty() {
        let n = index.len();
        let mut last_partner: Vec<u32> = vec![0; n];
        let mut needed = vec![false; n];
        for &(a, b) in &pairs {
            needed[a as usize] = true;
            needed[b as usize] = true;
            last_partner[a as usize] = last_partner[a as usize].max(b);
        }
        // Pairs sorted by their later doc, to verify as soon as both sets exist.
        let mut by_b = pairs.clone();
        by_b.sort_unstable_by_key(|&(a, b)| (b, a));
        let mut next_pair = 0;
        let mut held: HashMap<u32, Vec<u64>> = HashMap::new();
        let k = index.config().shingle_size;
        for batch in stream(input)? {
            let todo: Vec<(u32, usize, usize)> = batch
                .lines
                .iter()
                .enumerate()
                .filter_map(|(j, &(s, e))| {
                    let d = line_doc.get(batch.first_line + j).copied().flatten()?;
                    needed[d as usize].then_some((d, s, e))
                })
                .collect();
            let sets: HashMap<u32, Vec<u64>> = todo
                .par_iter()
                .map_init(Shingler::default, |sh, &(d, s, e)| {
                    let set = serde_json::from_str::<Rec>(batch.buf[s..e].trim_end())
                        .map(|r| sh.shingle_set(&r.text, k))
                        .unwrap_or_default();
                    (d, set)
                })
                .collect();
            let Some(&(max_d, _, _)) = todo.last() else { continue };
            let end = by_b[next_pair..].partition_point(|&(_, b)| b <= max_d) + next_pair;
            index.verify_with_sets(&by_b[next_pair..end], |i| {
                sets.get(&i).or_else(|| held.get(&i)).map(Vec::as_slice)
            });
            next_pair = end;
            held.retain(|&d, _| last_partner[d as usize] > max_d);
            for (d, set) in sets {
                if last_partner[d as usize] > max_d {
                    held.insert(d, set);
                }
            }
        }
    }
    let t3 = Instant::now();

    let results = index.results();
    let mut w = BufWriter::new(File::create(out)?);
    for r in &results {
        serde_json::to_writer(&mut w, &serde_json::json!({"id": r.id, "group": r.group}))?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let dup_pairs = index.pairs();
    let mut w = BufWriter::new(File::create(format!("{out}.pairs.jsonl"))?);
    for p in &dup_pairs {
        let (a, b) = (index.id(p.a).unwrap_or(""), index.id(p.b).unwrap_or(""));
        serde_json::to_writer(&mut w, &serde_json::json!({"a": a, "b": b, "jaccard": p.jaccard}))?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let groups = results.iter().filter(|r| r.group_size > 1 && r.duplicate_of.is_none()).count();
    let contained = results.iter().filter(|r| !r.contained_in.is_empty()).count();
    eprintln!(
        "docs {} | candidates {} | links {} | dup pairs {} | groups(>1) {} | contained {} | pass1 {:.2}s lsh {:.2}s pass2 {:.2}s total {:.2}s",
        index.len(),
        pairs.len(),
        index.links().len(),
        dup_pairs.len(),
        groups,
        contained,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
