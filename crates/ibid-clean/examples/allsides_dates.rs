//! Date cleaning report on the AllSides dump: how many `date` values parse or are flagged, by
//! shape (digits -> 9, letter runs -> A).
//!
//! `cargo run --release -p ibid-clean --example allsides_dates [path/to/articles.jsonl.gz]`

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};

use ibid_clean::parse_published;

fn shape(s: &str) -> String {
    let mut out = String::new();
    let mut prev_alpha = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push('9');
            prev_alpha = false;
        } else if c.is_alphabetic() {
            if !prev_alpha {
                out.push('A');
            }
            prev_alpha = true;
        } else {
            out.push(c);
            prev_alpha = false;
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/allsides/articles.jsonl.gz"
        )
        .to_string()
    });
    let file = std::fs::File::open(&path)?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let now = chrono::Utc::now();
    // shape -> (parsed, flagged, example flag reasons)
    let mut stats: BTreeMap<String, (u64, u64, BTreeMap<String, u64>)> = BTreeMap::new();
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let date = v.get("date").and_then(|d| d.as_str()).unwrap_or("");
        let e = stats.entry(format!("{:?}", shape(date))).or_default();
        match parse_published(date, now) {
            Ok(_) => e.0 += 1,
            Err(reason) => {
                e.1 += 1;
                *e.2.entry(reason).or_insert(0) += 1;
            }
        }
    }
    let (mut p, mut f) = (0, 0);
    println!(
        "{:<14} {:>8} {:>8}  flag reasons",
        "shape", "parsed", "flagged"
    );
    for (s, (ok, bad, why)) in &stats {
        p += ok;
        f += bad;
        println!("{s:<14} {ok:>8} {bad:>8}  {why:?}");
    }
    println!("{:<14} {p:>8} {f:>8}", "total");
    Ok(())
}
