//! Scale benchmark: aligns every article of the AllSides corpus against every other through a
//! [`PassageIndex`], in batches, on a 2-thread rayon pool (override with RAYON_NUM_THREADS).
//!
//! `cargo run --release -p ibid-align --example allsides [PATH] [--batch N] [--examples N]
//! [--limit N]`
//!
//! Reports wall time, peak memory (VmHWM), alignments and passage clusters, how many link
//! different outlets, and prints random cross-outlet examples for checking by hand. Texts are
//! streamed: only ids and outlets stay in memory, and a second pass fetches the example texts.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, NaiveDate};
use ibid_align::{passage_clusters, AlignConfig, AlignDoc, Alignment, PassageIndex};
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    id: Option<String>,
    source: Option<String>,
    date: Option<String>,
    text: Option<String>,
}

fn open(path: &Path) -> impl Iterator<Item = Record> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Record>(&l).ok())
}

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Only plain `YYYY-MM-DD` dates are trusted here; the corpus's messy ones are left out.
fn parse_date(d: Option<&str>) -> Option<DateTime<FixedOffset>> {
    let day = NaiveDate::parse_from_str(d?.get(..10)?, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

fn cut(text: &str, span: (u32, u32), max: usize) -> String {
    let s: String = text
        .chars()
        .skip(span.0 as usize)
        .take((span.1 - span.0) as usize)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let n = s.chars().count();
    if n > max {
        // Head and tail: the ends are where a span is most often wrong.
        let head: String = s.chars().take(max * 2 / 3).collect();
        let tail: String = s.chars().skip(n - max / 3).collect();
        format!("{head} … {tail}")
    } else {
        s
    }
}

fn main() {
    let mut path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/allsides/articles.jsonl.gz"
    ));
    let (mut batch, mut show, mut limit) = (4000usize, 10usize, usize::MAX);
    let mut reuse_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--batch" => batch = args.next().and_then(|v| v.parse().ok()).unwrap_or(batch),
            "--examples" => show = args.next().and_then(|v| v.parse().ok()).unwrap_or(show),
            "--limit" => limit = args.next().and_then(|v| v.parse().ok()).unwrap_or(limit),
            "--reuse-only" => reuse_only = true,
            _ => path = PathBuf::from(a),
        }
    }
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build_global();
    }

    let t0 = Instant::now();
    let mut index = PassageIndex::new(AlignConfig::default());
    let mut ids: Vec<String> = Vec::new();
    let mut outlets: Vec<Option<String>> = Vec::new();
    let mut dates: Vec<Option<DateTime<FixedOffset>>> = Vec::new();
    let mut alignments: Vec<Alignment> = Vec::new();
    let mut words = 0usize;
    let mut records = open(&path).take(limit).peekable();
    while records.peek().is_some() {
        let chunk: Vec<Record> = records.by_ref().take(batch).collect();
        let docs: Vec<AlignDoc> = chunk
            .iter()
            .map(|r| AlignDoc {
                id: r.id.as_deref().unwrap_or(""),
                outlet: r.source.as_deref(),
                published: parse_date(r.date.as_deref()),
                text: r.text.as_deref().unwrap_or(""),
            })
            .collect();
        words += docs
            .iter()
            .map(|d| d.text.split_whitespace().count())
            .sum::<usize>();
        let found = index.add_batch(&docs);
        alignments.extend(found);
        ids.extend(docs.iter().map(|d| d.id.to_string()));
        outlets.extend(docs.iter().map(|d| d.outlet.map(str::to_string)));
        dates.extend(docs.iter().map(|d| d.published));
        eprintln!(
            "{:>6} docs  {:>8} alignments  {:>7.1} s  VmHWM {:>7.0} MB  postings {}",
            index.len(),
            alignments.len(),
            t0.elapsed().as_secs_f64(),
            vm_hwm_mb(),
            index.postings_len()
        );
    }
    let align_secs = t0.elapsed().as_secs_f64();

    let cross: Vec<&Alignment> = alignments
        .iter()
        .filter(|a| outlets[a.a] != outlets[a.b])
        .collect();
    let meta: Vec<AlignDoc> = (0..ids.len())
        .map(|i| AlignDoc {
            id: &ids[i],
            outlet: outlets[i].as_deref(),
            published: dates[i],
            text: "",
        })
        .collect();
    let clusters = passage_clusters(&meta, &alignments);
    let boiler = clusters.iter().filter(|c| c.outlet_boilerplate).count();
    // Which cluster an occurrence belongs to: the one holding an overlapping member.
    let mut member_of: Vec<Vec<(usize, (u32, u32))>> = vec![Vec::new(); ids.len()];
    for c in &clusters {
        for &(d, span) in &c.members {
            member_of[d].push((c.id, span));
        }
    }
    let cluster_of = |a: &Alignment| {
        member_of[a.a]
            .iter()
            .find(|(_, s)| s.0 < a.a_span.1 && a.a_span.0 < s.1)
            .map(|&(c, _)| &clusters[c])
    };
    let in_boilerplate = |a: &Alignment| cluster_of(a).is_some_and(|c| c.outlet_boilerplate);
    let cross_reuse = cross.iter().filter(|a| !in_boilerplate(a)).count();
    let multi_outlet = clusters
        .iter()
        .filter(|c| {
            c.members
                .iter()
                .map(|m| outlets[m.0].as_deref())
                .collect::<HashSet<_>>()
                .len()
                > 1
        })
        .count();
    let total_secs = t0.elapsed().as_secs_f64();

    println!("documents            {}", ids.len());
    println!("words (whitespace)   {words}");
    println!(
        "align time           {align_secs:.1} s ({:.0} docs/s)",
        ids.len() as f64 / align_secs
    );
    println!("total time           {total_secs:.1} s (with clustering)");
    println!("peak memory (VmHWM)  {:.0} MB", vm_hwm_mb());
    println!("candidate pairs      {}", index.pairs_aligned());
    println!("alignments           {}", alignments.len());
    println!("  across outlets     {}", cross.len());
    println!("    not boilerplate  {cross_reuse}");
    println!("  within one outlet  {}", alignments.len() - cross.len());
    println!("passage clusters     {}", clusters.len());
    println!("  spanning outlets   {multi_outlet}");
    println!("  outlet boilerplate {boiler}");

    // Examples for checking by hand, deterministic and spread out: the cross-outlet alignments
    // sorted by passage length are cut into `show` equal bins, and each bin gives the first
    // alignment (in a fixed pseudo-random order, xorshift: no need for a rand dependency)
    // whose outlet pair no earlier pick has used.
    let mut by_len: Vec<&Alignment> = cross
        .iter()
        .copied()
        .filter(|a| !reuse_only || !in_boilerplate(a))
        .collect();
    by_len.sort_by_key(|a| (a.a_span.1 - a.a_span.0, a.a, a.b));
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut picks: Vec<&Alignment> = Vec::new();
    let mut pairs_seen: HashSet<(Option<&str>, Option<&str>)> = HashSet::new();
    let bins = show.min(by_len.len());
    for bin in 0..bins {
        let (lo, hi) = (bin * by_len.len() / bins, (bin + 1) * by_len.len() / bins);
        let mut order: Vec<usize> = (lo..hi).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        let pair = |a: &Alignment| {
            let (x, y) = (outlets[a.a].as_deref(), outlets[a.b].as_deref());
            (x.min(y), x.max(y))
        };
        if let Some(&k) = order
            .iter()
            .find(|&&k| !pairs_seen.contains(&pair(by_len[k])))
            .or(order.first())
        {
            pairs_seen.insert(pair(by_len[k]));
            picks.push(by_len[k]);
        }
    }
    let wanted: HashSet<usize> = picks.iter().flat_map(|a| [a.a, a.b]).collect();
    let mut texts: Vec<Option<String>> = vec![None; ids.len()];
    for (i, r) in open(&path).enumerate() {
        if wanted.contains(&i) {
            texts[i] = r.text;
        }
    }
    for (k, a) in picks.iter().enumerate() {
        let t = |d: usize| texts[d].as_deref().unwrap_or("");
        // Source = the earlier dated side (undated sides count as later).
        let a = if (dates[a.b].is_some(), dates[a.b]) < (dates[a.a].is_some(), dates[a.a])
            && dates[a.b].is_some()
        {
            Alignment {
                a: a.b,
                a_span: a.b_span,
                b: a.a,
                b_span: a.a_span,
                similarity: a.similarity,
            }
        } else {
            **a
        };
        let cluster = match cluster_of(&a) {
            Some(c) => {
                let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
                let mut last = usize::MAX;
                for &(d, _) in &c.members {
                    if d != last {
                        *counts
                            .entry(outlets[d].as_deref().unwrap_or("?"))
                            .or_default() += 1;
                        last = d;
                    }
                }
                let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
                counts.sort_by_key(|&(o, n)| (std::cmp::Reverse(n), o));
                counts.truncate(4);
                format!(
                    "cluster {}{}: {:?}",
                    c.id,
                    if c.outlet_boilerplate {
                        " [boilerplate]"
                    } else {
                        ""
                    },
                    counts
                )
            }
            None => "no cluster".to_string(),
        };
        let day = |d: usize| dates[d].map_or("undated".to_string(), |t| t.date_naive().to_string());
        println!(
            "\n#{k} sim {:.2}, {} chars\n  source {} [{}] {} {:?}\n    {}\n  target {} [{}] {} {:?}\n    {}",
            a.similarity,
            a.a_span.1 - a.a_span.0,
            ids[a.a],
            outlets[a.a].as_deref().unwrap_or("?"),
            day(a.a),
            a.a_span,
            cut(t(a.a), a.a_span, 400),
            ids[a.b],
            outlets[a.b].as_deref().unwrap_or("?"),
            day(a.b),
            a.b_span,
            cut(t(a.b), a.b_span, 400),
        );
        println!("  {cluster}");
    }
}
