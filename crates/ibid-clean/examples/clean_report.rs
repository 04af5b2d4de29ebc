//! Throughput and removal report of `clean` on a JSONL(.gz) dump with `text` and optional
//! `source`/`title`/`date`/`id` fields (AllSides, Helsinki, BASIL shapes).
//!
//! `cargo run --release -p ibid-clean --example clean_report -- FILE [--index] [--show REASON]`
//! `--index` builds a per-outlet LineIndex from the same file first (outlet = `source`);
//! `--show REASON` prints every removed line with that reason (e.g. `boilerplate`);
//! `--show subheads` the subheads, `--show meta` the metadata fields.

use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use ibid_clean::{clean, LineIndex};
use ibid_core::RawArticle;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: clean_report FILE [--index] [--show REASON]")?;
    let use_index = args.iter().any(|a| a == "--index");
    let show = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut arts = Vec::new();
    for line in BufReader::new(reader).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        arts.push(RawArticle {
            id: v.get("id").map(|x| x.to_string()).unwrap_or_default(),
            text: s("text").unwrap_or_default(),
            title: s("title"),
            outlet: s("source"),
            published: s("date"),
            ..RawArticle::default()
        });
    }
    let bytes: usize = arts.iter().map(|a| a.text.len()).sum();
    let mut index = LineIndex::default();
    if use_index {
        let t = Instant::now();
        for a in &arts {
            index.add(a);
        }
        eprintln!("index: {} articles in {:.2?}", arts.len(), t.elapsed());
    }
    // Timed alone, each result dropped at once (as a streaming pipeline would).
    let t = Instant::now();
    let mut sink = 0usize;
    for a in &arts {
        sink += clean(a, &index).text.len();
    }
    let el = t.elapsed();
    std::hint::black_box(sink);
    let cleaned: Vec<_> = arts.iter().map(|a| clean(a, &index)).collect();
    eprintln!(
        "clean: {} articles, {:.1} MB in {:.2?} = {:.0} articles/s, {:.1} MB/s",
        arts.len(),
        bytes as f64 / 1e6,
        el,
        arts.len() as f64 / el.as_secs_f64(),
        bytes as f64 / 1e6 / el.as_secs_f64()
    );
    let mut by_reason = std::collections::BTreeMap::new();
    let (mut titles, mut sub, mut dl, mut au, mut flagged) = (0, 0, 0, 0, 0);
    for (a, c) in arts.iter().zip(&cleaned) {
        titles += c.title.is_some() as usize;
        sub += c.subheads.len();
        dl += c.dateline.is_some() as usize;
        au += c.author.is_some() as usize;
        flagged += c.published_flag.is_some() as usize;
        if show.as_deref() == Some("subheads") {
            for s in &c.subheads {
                println!("{}\t{s}", a.id);
            }
        }
        if show.as_deref() == Some("meta") {
            println!(
                "{}\ttitle={:?} section={:?} dateline={:?} author={:?} outlet={:?} published={:?} flag={:?}",
                a.id,
                c.title,
                c.section,
                c.dateline,
                c.author,
                c.outlet,
                c.published.map(|p| p.to_rfc3339()),
                c.published_flag
            );
        }
        for r in &c.removed {
            let name = format!("{:?}", r.reason).to_lowercase();
            *by_reason.entry(name.clone()).or_insert(0usize) += 1;
            if show.as_deref() == Some(name.as_str()) {
                println!("{}\t{}", a.id, r.text);
            }
        }
    }
    eprintln!("removed by reason: {by_reason:?}");
    eprintln!(
        "titles {titles}, subheads {sub}, datelines {dl}, authors {au}, date flags {flagged}"
    );
    Ok(())
}
