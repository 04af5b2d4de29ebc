//! Writers at the same time: ingests that start together (on a new store or an existing one)
//! queue behind one another, the waiting one says which process holds the store, and both
//! finish with everything stored and processed (issue 22).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

/// `n` made-up articles with ids `{prefix}{i}`, in a JSONL file.
fn corpus(dir: &Path, prefix: &str, n: usize) -> PathBuf {
    const WORDS: &[&str] = &[
        "harbour", "council", "ferry", "budget", "strike", "crane", "school", "bridge", "vote",
        "market", "storm", "museum", "rail", "clinic", "festival", "court",
    ];
    let path = dir.join(format!("{prefix}.jsonl"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut seed = prefix.bytes().fold(7u64, |h, b| h * 31 + b as u64);
    for i in 0..n {
        let words: Vec<&str> = (0..30)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                WORDS[(seed >> 33) as usize % WORDS.len()]
            })
            .collect();
        writeln!(
            f,
            "{{\"id\":\"{prefix}{i}\",\"source\":\"Outlet {}\",\"text\":\"Report {i}: the {}.\"}}",
            i % 5,
            words.join(" ")
        )
        .unwrap();
    }
    path
}

fn spawn_ingest(db: &Path, input: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("--db")
        .arg(db)
        .args(["ingest", "--json"])
        .arg(input)
        .env_remove("IBID_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ibid")
}

/// Waits for both and returns their stderr texts, asserting each succeeded.
fn both_succeed(a: Child, b: Child) -> Vec<String> {
    [a, b]
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).to_string();
            assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
            stderr
        })
        .collect()
}

/// Everything stored, everything processed, and every run finished.
fn assert_complete(db: &Path, articles: usize) {
    let status: serde_json::Value =
        serde_json::from_str(&ibid_ok(db, &["status", "--json"], 0)).unwrap();
    assert_eq!(status["articles"], articles);
    assert_eq!(status["pending"], 0, "nothing left half-processed");
    let conn = rusqlite::Connection::open(db).unwrap();
    let unfinished: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM runs WHERE status != 'done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unfinished, 0, "every run is recorded as done");
    let stories: i64 = conn
        .query_row("SELECT COUNT(*) FROM story_members", [], |r| r.get(0))
        .unwrap();
    // Pages the clean stage judges not to be articles stay out of stories (these one-sentence
    // made-up records may be); everything else must have been given one.
    let non_articles: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM cleaned WHERE non_article IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        (stories + non_articles) as usize,
        articles,
        "every article is in a story or judged not an article"
    );
}

#[test]
fn two_ingests_creating_a_new_store_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let a = corpus(dir.path(), "a", 300);
    let b = corpus(dir.path(), "b", 300);
    for round in 0..5 {
        let db = dir.path().join(format!("new{round}.db"));
        let first = spawn_ingest(&db, &a);
        let second = spawn_ingest(&db, &b);
        both_succeed(first, second);
        assert_complete(&db, 600);
    }
}

#[test]
fn two_ingests_on_an_existing_store_queue_and_say_who_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let seed = corpus(dir.path(), "s", 200);
    ibid_ok(&db, &["ingest", seed.to_str().unwrap()], 0);
    let a = corpus(dir.path(), "a", 2500);
    let b = corpus(dir.path(), "b", 2500);
    let mut waited = 0;
    for round in 0..3 {
        let (x, y) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let first = spawn_ingest(&db, x);
        let second = spawn_ingest(&db, y);
        let stderr = both_succeed(first, second);
        waited += stderr
            .iter()
            .filter(|e| e.contains("waiting for") && e.contains("ibid ingest (pid "))
            .count();
        assert_complete(&db, 5200);
    }
    assert!(waited > 0, "a second writer says what it waits for");
}

#[test]
fn a_writer_waits_for_the_holder_it_names_and_then_completes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let input = corpus(dir.path(), "w", 50);
    let lock = ibid_store::WriterLock::acquire(&db, "test holder", |_| {}).unwrap();
    let mut child = spawn_ingest(&db, &input);
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while stderr.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let _ = tx.send(String::from_utf8_lossy(&line).to_string());
    });
    let said = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(
        said.contains(&format!("test holder (pid {}", std::process::id())),
        "{said}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it waits");
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_complete(&db, 50);
}

#[test]
fn the_server_answers_while_a_writer_holds_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ibid_ok(
        &db,
        &["ingest", corpus(dir.path(), "r", 20).to_str().unwrap()],
        0,
    );
    let _lock = ibid_store::WriterLock::acquire(&db, "test holder", |_| {}).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("IBID_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let body = ureq::get(&format!("http://{addr}/api/status"))
        .call()
        .map(|mut r| r.body_mut().read_to_string().unwrap());
    let _ = server.kill();
    let _ = server.wait();
    let status: serde_json::Value = serde_json::from_str(&body.unwrap()).unwrap();
    assert_eq!(status["articles"], 20, "readers take no writer lock");
}
