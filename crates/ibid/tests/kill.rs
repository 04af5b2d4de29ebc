//! A SIGKILLed ingest leaves the store consistent, and a rerun completes it.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn killed_ingest_leaves_a_consistent_store_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let total = 20_000;
    {
        // Varied wording (a fixed LCG over ~1,700 made-up words) so that the derived stages
        // see ordinary, mostly unrelated articles rather than 20,000 near-copies.
        const SYLLABLES: &[&str] = &[
            "ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "de", "po", "ze", "fu",
        ];
        let mut seed: u64 = 42;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut word = || -> String {
            (0..3)
                .map(|_| SYLLABLES[next() % SYLLABLES.len()])
                .collect()
        };
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        for i in 0..total {
            let words: Vec<String> = (0..40).map(|_| word()).collect();
            writeln!(
                f,
                "{{\"id\":\"k{i}\",\"source\":\"Outlet {}\",\"text\":\"Report {i}: {}.\"}}",
                i % 7,
                words.join(" ")
            )
            .unwrap();
        }
    }
    let db = dir.path().join("s.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ibid"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "ingest",
            "--no-process",
            "--batch",
            "200",
        ])
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    // Wait until some batches are committed, then kill mid-ingest.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0i64;
    while Instant::now() < deadline {
        if let Ok(conn) =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        {
            seen = conn
                .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))
                .unwrap_or(0);
            if seen >= 1000 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(seen >= 1000, "ingest never committed a batch");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
    let stored: i64 = conn
        .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        stored % 200,
        0,
        "only whole batches are committed: {stored}"
    );
    assert!(
        stored < total,
        "the kill came too late to test anything ({stored} stored)"
    );
    drop(conn);

    // The rerun adds exactly what is missing and processes everything.
    let out = ibid_ok(&db, &["ingest", "--json", input.to_str().unwrap()], 0);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["counts"]["added"].as_i64().unwrap() + stored, total);
    assert_eq!(r["counts"]["unchanged"].as_i64().unwrap(), stored);
    let status: serde_json::Value =
        serde_json::from_str(&ibid_ok(&db, &["status", "--json"], 0)).unwrap();
    assert_eq!(status["articles"], total);
    assert_eq!(status["pending"], 0);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let interrupted: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(interrupted, 1, "the killed run is recorded as interrupted");
}
