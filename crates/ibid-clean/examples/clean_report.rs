//! Throughput and removal report of `clean` on a JSONL(.gz) dump with `text` and optional
//! `source`/`title`/`date`/`id` fields (AllSides, Helsinki, BASIL shapes).
//!
//! `cargo run --release -p ibid-clean --example clean_report -- FILE [--index] [--show REASON]`
//! `--index` builds a per-outlet LineIndex from the same file first (outlet = `source`);
//! `--show REASON` prints every removed line with that reason (e.g. `boilerplate`);
//! `--show subheads` the subheads, `--show meta` the metadata fields;
//! `--sample N` prints before/after for N articles picked deterministically across outlets
//! (outlets sorted by name, evenly spaced; each outlet's lowest id): lines before/after, every
//! removed line with its reason, the kept length; `--full` adds the kept lines. It also prints
//! the share of lines and characters removed over the whole file.
//!
//! Helsinki check (issue 3):
//! `cargo run --release -p ibid-clean --example clean_report -- ../shared/data/helsinki/articles.jsonl --index --sample 20`

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
    let sample: usize = args
        .iter()
        .position(|a| a == "--sample")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let full = args.iter().any(|a| a == "--full");
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
    let (mut lines_in, mut lines_out, mut chars_in, mut chars_removed) = (0, 0, 0, 0);
    for (a, c) in arts.iter().zip(&cleaned) {
        let (l, ch) = line_stats(&a.text);
        lines_in += l;
        chars_in += ch;
        lines_out += line_stats(&c.text).0;
        chars_removed += c
            .removed
            .iter()
            .map(|r| r.text.trim().chars().count())
            .sum::<usize>();
    }
    eprintln!(
        "all {} articles: {lines_in} -> {lines_out} non-blank lines ({:.1}% removed or lifted), \
         {:.1}% of characters removed",
        arts.len(),
        100.0 * (lines_in - lines_out) as f64 / lines_in.max(1) as f64,
        100.0 * chars_removed as f64 / chars_in.max(1) as f64
    );
    if sample > 0 {
        print_sample(&arts, &cleaned, sample, full);
    }
    eprintln!(
        "titles {titles}, subheads {sub}, datelines {dl}, authors {au}, date flags {flagged}"
    );
    Ok(())
}

/// Non-blank lines and their characters (trimmed).
fn line_stats(text: &str) -> (usize, usize) {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .fold((0, 0), |(n, c), l| (n + 1, c + l.chars().count()))
}

/// First `n` characters of `s`, with an ellipsis when cut.
fn abbrev(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        return s.to_string();
    }
    let cut: String = s.chars().take(n).collect();
    format!("{cut}…")
}

/// Before/after of `n` articles from evenly spaced outlets (sorted by name), each outlet's
/// article with the lowest id: deterministic and spread across outlets.
fn print_sample(arts: &[RawArticle], cleaned: &[ibid_core::CleanedArticle], n: usize, full: bool) {
    let mut by_outlet: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let id_key = |i: usize| {
        let id = arts[i].id.trim_matches('"');
        (id.parse::<u64>().unwrap_or(u64::MAX), id.to_string())
    };
    for (i, a) in arts.iter().enumerate() {
        let o = a.outlet.as_deref().unwrap_or("");
        let e = by_outlet.entry(o).or_insert(i);
        if id_key(i) < id_key(*e) {
            *e = i;
        }
    }
    let outlets: Vec<(&str, usize)> = by_outlet.into_iter().collect();
    let k = outlets.len();
    let picks: Vec<usize> = (0..n.min(k)).map(|j| outlets[j * k / n.min(k)].1).collect();
    println!(
        "| # | id | outlet | lines before → after | chars kept | removed lines (reason: text) |"
    );
    println!("|---|---|---|---|---|---|");
    for (j, &i) in picks.iter().enumerate() {
        let (a, c) = (&arts[i], &cleaned[i]);
        let removed: Vec<String> = c
            .removed
            .iter()
            .map(|r| format!("{:?}: {}", r.reason, abbrev(&r.text, 40)).replace('|', "/"))
            .collect();
        println!(
            "| {} | {} | {} | {} → {} | {} | {} |",
            j + 1,
            a.id.trim_matches('"'),
            a.outlet.as_deref().unwrap_or(""),
            line_stats(&a.text).0,
            line_stats(&c.text).0,
            c.text.chars().count(),
            if removed.is_empty() {
                "—".to_string()
            } else {
                removed.join(" · ")
            }
        );
        if full {
            println!("    title: {:?}", c.title);
            for l in c.text.lines().filter(|l| !l.trim().is_empty()) {
                println!("    + {}", abbrev(l, 160));
            }
        }
    }
}
