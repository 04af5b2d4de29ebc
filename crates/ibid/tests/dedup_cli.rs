//! `ibid dedup` as a pipeline tool: the real binary on made-up inputs in several formats, and
//! on the seeds (which share quotations, not copies).

mod common;

use std::collections::HashMap;
use std::io::Write;

use common::*;

/// A made-up article of `n` words drawn deterministically from a small newsroom vocabulary.
fn article(seed: u64, n: usize) -> String {
    const W: &[&str] = &[
        "council", "river", "bridge", "vote", "mayor", "budget", "school", "storm", "police",
        "report", "said", "on", "the", "a", "in", "of", "and", "new", "plan", "city", "road",
        "fire", "court", "judge", "state", "water", "power", "team", "harbour", "league",
        "minister", "talks", "deal", "price", "market", "bank", "rate", "farm", "crop", "rain",
    ];
    let mut st = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let words: Vec<&str> = (0..n)
        .map(|_| {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            W[(st % W.len() as u64) as usize]
        })
        .collect();
    words
        .chunks(12)
        .map(|s| format!("{}.", s.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn line(id: &str, date: Option<&str>, text: &str) -> String {
    let mut v = serde_json::json!({ "id": id, "text": text });
    if let Some(d) = date {
        v["date"] = serde_json::json!(d);
    }
    format!("{v}\n")
}

#[test]
fn groups_copies_across_formats_under_the_earliest_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    let wire = article(1, 400);
    // A reprint with a few words changed and its last sentence cut, published a day earlier
    // (so it is the group's original), and a verbatim copy without a date in a text file.
    let mut edited = wire.replacen("harbour", "port", 2);
    edited.truncate(edited.rfind(". ").unwrap() + 1);
    let mut lines = String::new();
    lines += &line("wire", Some("2024-03-02T10:00:00Z"), &wire);
    lines += &line("other", Some("2024-03-01T09:00:00Z"), &article(2, 400));
    lines += "{\"id\": \"broken\", \"text\": \n";
    lines += &line("tiny-1", None, "Subscribe now");
    lines += &line("tiny-2", None, "Subscribe now");
    std::fs::write(inp.join("a.jsonl"), lines).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(line("reprint", Some("2024-03-01T08:00:00+01:00"), &edited).as_bytes())
        .unwrap();
    std::fs::write(inp.join("b.jsonl.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(inp.join("copy.txt"), &wire).unwrap();

    let out = dir.path().join("groups.jsonl");
    let pairs = dir.path().join("pairs.jsonl");
    let run = ibid(
        &dir.path().join("unused.db"),
        &[
            "dedup",
            inp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--pairs",
            pairs.to_str().unwrap(),
            "--json",
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(2),
        "a rejected line sets exit 2: {stderr}"
    );
    assert!(stderr.contains("a.jsonl:3"), "bad line named: {stderr}");
    assert!(
        !dir.path().join("unused.db").exists(),
        "dedup needs no store"
    );

    let rows = jsonl(&std::fs::read_to_string(&out).unwrap());
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // One line per article, in input order (folders are read in name order).
    assert_eq!(
        ids,
        ["wire", "other", "tiny-1", "tiny-2", "reprint", "copy"]
    );
    let group: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["group"].as_str().unwrap()))
        .collect();
    for id in ["wire", "reprint", "copy"] {
        assert_eq!(
            group[id], "reprint",
            "{id}: the earliest copy is the original"
        );
    }
    assert_eq!(group["other"], "other");
    // Near-empty texts never group, even when identical.
    assert_eq!(group["tiny-1"], "tiny-1");
    assert_eq!(group["tiny-2"], "tiny-2");

    let mut found: Vec<(String, String, f64)> = jsonl(&std::fs::read_to_string(&pairs).unwrap())
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            (a.to_string(), b.to_string(), p["jaccard"].as_f64().unwrap())
        })
        .collect();
    found.sort_by(|x, y| x.partial_cmp(y).unwrap());
    let names: Vec<(&str, &str)> = found
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        names,
        [("copy", "reprint"), ("copy", "wire"), ("reprint", "wire")]
    );
    assert_eq!(found[1].2, 1.0, "verbatim copy");
    assert!(
        found[0].2 >= 0.8 && found[0].2 < 1.0,
        "edited reprint: {found:?}"
    );

    let summary: serde_json::Value =
        serde_json::from_str(stderr.lines().last().unwrap()).expect("JSON summary");
    assert_eq!(summary["articles"], 6);
    assert_eq!(summary["groups"], 1);
    assert_eq!(summary["duplicates"], 2);
    assert_eq!(summary["pairs"], 3);
    assert_eq!(summary["rejected"], 1);
}

#[test]
fn seeds_share_quotations_not_copies() {
    let seeds = shared().join("corpus/seeds");
    if !seeds.exists() {
        eprintln!("skipped: {} not found", seeds.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.jsonl");
    let stdout = ibid_ok(
        &dir.path().join("unused.db"),
        &[
            "dedup",
            seeds.to_str().unwrap(),
            "--pairs",
            pairs.to_str().unwrap(),
        ],
        0,
    );
    let rows = jsonl(&stdout);
    assert_eq!(rows.len(), 5);
    for r in &rows {
        assert_eq!(r["id"], r["group"], "every seed is its own group");
    }
    assert_eq!(std::fs::read_to_string(&pairs).unwrap(), "");
}
