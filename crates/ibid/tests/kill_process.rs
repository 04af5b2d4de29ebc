//! SIGKILL during `ibid process`, again and again at different moments: every time the store
//! stays consistent, and when a run finally completes, every export equals that of a store
//! that was never interrupted (issue 22; the ingest side is `kill.rs`).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn corpus(path: &Path, n: usize) {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "de", "po", "ze", "fu",
    ];
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let mut words: Vec<String> = Vec::new();
        for _ in 0..60 {
            let w: String = (0..3)
                .map(|_| SYLLABLES[next() % SYLLABLES.len()])
                .collect();
            words.push(w);
        }
        // Every fifth article repeats an earlier one's opening: duplicates, shared passages.
        let opening = if i % 5 == 4 {
            format!("Report {}: ", i - 1)
        } else {
            format!("Report {i}: ")
        };
        writeln!(
            f,
            "{{\"id\":\"k{i}\",\"source\":\"Outlet {}\",\"published\":\"2024-0{}-1{}\",\"text\":\"{opening}Mayor Ana Sola said \\\"{}.\\\" {}.\"}}",
            i % 7,
            1 + i % 9,
            i % 10,
            words[..12].join(" "),
            words[12..].join(" ")
        )
        .unwrap();
    }
}

fn exports(db: &Path) -> Vec<String> {
    ["articles", "stories", "alignments", "quotes", "entities"]
        .iter()
        .map(|kind| ibid_ok(db, &["export", kind], 0))
        .collect()
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn process_killed_again_and_again_ends_with_the_exports_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    corpus(&input, 3000);

    let reference = dir.path().join("ref.db");
    ibid_ok(&reference, &["ingest", input.to_str().unwrap()], 0);

    let db = dir.path().join("s.db");
    ibid_ok(&db, &["ingest", "--no-process", input.to_str().unwrap()], 0);
    let mut killed_mid_run = 0;
    let mut delay = Duration::from_millis(40);
    for _ in 0..12 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ibid"))
            .arg("--db")
            .arg(&db)
            .arg("process")
            .env_remove("IBID_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_mid_run += 1;
        }
        child.wait().unwrap();
        assert_eq!(integrity(&db), "ok", "after a kill at {delay:?}");
        delay = delay * 8 / 5;
    }
    assert!(
        killed_mid_run >= 4,
        "only {killed_mid_run} kills landed while processing"
    );
    let out = ibid_ok(&db, &["process", "--json"], 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["articles"], 3000);
    let status: serde_json::Value =
        serde_json::from_str(&ibid_ok(&db, &["status", "--json"], 0)).unwrap();
    assert_eq!(status["pending"], 0);
    let (got, want) = (exports(&db), exports(&reference));
    for (kind, (g, w)) in ["articles", "stories", "alignments", "quotes", "entities"]
        .iter()
        .zip(got.iter().zip(&want))
    {
        assert!(g == w, "{kind} export differs from an uninterrupted run");
    }
}
