//! Hostile input through the real binary: every case ends in seconds with a clear rejection,
//! nothing good next to it is lost, and the store grows by a bounded amount (issue 22).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::*;

/// Runs `ibid --db DB ARGS…`, killing it and failing the test if it runs past `limit`.
fn ibid_within(db: &Path, args: &[&str], limit: Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("IBID_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ibid");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    // Output is read while the child runs, so a full pipe cannot stall it.
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("ibid {args:?} still running after {limit:?}");
        }
    }
}

fn rejected(db: &Path) -> Vec<serde_json::Value> {
    serde_json::from_str(&ibid_ok(db, &["rejected", "--json"], 0)).unwrap()
}

fn status(db: &Path) -> serde_json::Value {
    serde_json::from_str(&ibid_ok(db, &["status", "--json"], 0)).unwrap()
}

#[test]
fn a_fifo_in_the_input_folder_is_rejected_and_the_rest_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    std::fs::write(inp.join("a.txt"), "The ferry timetable changes on Monday.").unwrap();
    let made = Command::new("mkfifo")
        .arg(inp.join("m.pipe"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(inp.join("z.txt"), "The library reopens after repairs.").unwrap();
    let db = dir.path().join("s.db");
    let out = ibid_within(
        &db,
        &["ingest", "--no-process", inp.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let rows = rejected(&db);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["source"].as_str().unwrap().ends_with("m.pipe"));
    assert_eq!(rows[0]["reason"], "not a regular file (a FIFO)");
    assert_eq!(status(&db)["articles"], 2);
}

#[test]
fn millions_of_bad_lines_are_capped_and_counted_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let total = 200_000u64;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(b"{\"id\":\"ok1\",\"text\":\"A good first line.\"}\n")
        .unwrap();
    for _ in 0..total {
        enc.write_all(b"{not json\n").unwrap();
    }
    enc.write_all(b"{\"id\":\"ok2\",\"text\":\"A good last line.\"}\n")
        .unwrap();
    let bomb = dir.path().join("bad.jsonl.gz");
    std::fs::write(&bomb, enc.finish().unwrap()).unwrap();
    let db = dir.path().join("s.db");
    let out = ibid_within(
        &db,
        &["ingest", "--json", "--no-process", bomb.to_str().unwrap()],
        Duration::from_secs(120),
    );
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["counts"]["added"], 2,
        "good lines around the bad ones"
    );
    assert_eq!(
        report["counts"]["rejected"], total,
        "every bad line is counted"
    );
    let rows = rejected(&db);
    assert_eq!(rows.len(), 1001, "1,000 kept one by one, and one summary");
    let summary = rows.last().unwrap();
    assert_eq!(summary["records"], total - 1000);
    let reason = summary["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "{} more rejections on lines 1002 to {}",
            total - 1000,
            total + 1
        )),
        "{reason}"
    );
    assert!(reason.contains("broken JSON"), "{reason}");
    assert_eq!(status(&db)["rejected"], total);
    // Bounded: the store holds a thousand small rows, not 200,000.
    let size = std::fs::metadata(&db).unwrap().len()
        + std::fs::metadata(dir.path().join("s.db-wal")).map_or(0, |m| m.len());
    assert!(size < 8 << 20, "store grew to {size} bytes");
}

#[test]
fn idless_records_of_two_days_do_not_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    for day in ["day1", "day2"] {
        let d = dir.path().join(day);
        std::fs::create_dir(&d).unwrap();
        std::fs::write(
            d.join("articles.jsonl"),
            format!("{{\"text\":\"What happened on {day} at the harbour.\"}}\n"),
        )
        .unwrap();
    }
    for day in ["day1", "day2", "day1"] {
        let p = dir.path().join(day).join("articles.jsonl");
        ibid_ok(&db, &["ingest", "--no-process", p.to_str().unwrap()], 0);
    }
    let s = status(&db);
    assert_eq!(s["articles"], 2, "two records, two articles");
    assert_eq!(s["versions"], 2, "no record became a version of another");
}

#[test]
fn values_that_cannot_be_used_are_reported_as_warnings_with_their_raw_value() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("w.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"id\":\"a\",\"text\":\"One.\",\"published\":\"yesterday\"}\n",
            "{\"id\":\"b\",\"text\":\"Two.\",\"published\":1700000000}\n",
            "{\"id\":\"c\",\"text\":\"Three.\",\"published\":\"2999-01-01\"}\n",
            "{\"id\":{\"$oid\":\"x1\"},\"text\":\"Four.\"}\n",
            "{\"id\":\"e\",\"text\":\"Five.\",\"published\":\"2020-03-04\"}\n",
        ),
    )
    .unwrap();
    let db = dir.path().join("s.db");
    let out = ibid_ok(&db, &["ingest", "--no-process", input.to_str().unwrap()], 0);
    assert!(out.contains("4 warning(s)"), "{out}");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&ibid_ok(&db, &["rejected", "--warnings", "--json"], 0)).unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["article"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_string(),
                r["field"].as_str().unwrap().to_string(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |a: &str, f: &str, v: &str| (a.to_string(), f.to_string(), v.to_string());
    assert_eq!(
        got,
        vec![
            want("a", "published", "yesterday"),
            want("b", "published", "1700000000"),
            want("c", "published", "2999-01-01"),
            want("w", "id", r#"{"$oid":"x1"}"#),
        ]
    );
    assert!(rows[2]["message"].as_str().unwrap().contains("future"));
    // The raw value is also kept on the article itself.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let raw: String = conn
        .query_row(
            "SELECT published_raw FROM articles WHERE id = 'b'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, "1700000000");
}

#[test]
fn a_page_of_100000_nested_divs_is_rejected_in_seconds_and_the_rest_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    std::fs::write(
        inp.join("a.jsonl"),
        "{\"id\":\"before\",\"text\":\"The market hall opens on Saturday.\"}\n",
    )
    .unwrap();
    let deep = format!(
        "<!doctype html><html><body>{}<p>Deep text.</p>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    std::fs::write(inp.join("b-deep.html"), &deep).unwrap();
    std::fs::write(inp.join("c.txt"), "The tram line is extended to the port.").unwrap();
    let db = dir.path().join("s.db");
    let started = std::time::Instant::now();
    let out = ibid_within(
        &db,
        &["ingest", inp.to_str().unwrap()],
        Duration::from_secs(120),
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let rows = rejected(&db);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["source"].as_str().unwrap().ends_with("b-deep.html"));
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("nested more than 512 deep"),
        "{}",
        rows[0]["reason"]
    );
    assert_eq!(rows[0]["raw_len"], deep.len());
    let s = status(&db);
    assert_eq!(
        (s["articles"].as_i64(), s["pending"].as_i64()),
        (Some(2), Some(0))
    );
}

#[test]
fn a_record_over_the_default_cap_is_rejected_with_its_full_length() {
    // A 50 MB text record peaked at 1.64 GB while processed: the default cap (8 MiB) bounds
    // what one record may cost, and the rest of the input is read as usual.
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    let big = "The council met again. ".repeat(400_000); // 9.2 MB
    std::fs::write(inp.join("big.txt"), &big).unwrap();
    std::fs::write(inp.join("small.txt"), "The ferry runs again on Monday.").unwrap();
    let db = dir.path().join("s.db");
    let out = ibid_within(
        &db,
        &["ingest", "--no-process", inp.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2));
    let rows = rejected(&db);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["source"].as_str().unwrap().ends_with("big.txt"));
    assert!(rows[0]["reason"].as_str().unwrap().contains("too large"));
    assert_eq!(rows[0]["raw_len"], big.len());
    assert_eq!(status(&db)["articles"], 1);
}

/// Every input the fuzzers flagged (`fuzz/regressions/TARGET/`, see `fuzz/README.md`) goes
/// through the real binary under the name its target reads it as: the ingest ends in seconds,
/// stores what it read, and neither crashes nor exits with an error.
#[test]
fn every_fuzzing_finding_is_ingested_or_rejected_in_seconds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    // The ingest_reader target's first byte picks the file name (fuzz_targets/ingest_reader.rs).
    const NAMES: &[&str] = &[
        "jsonl", "txt", "", "json", "ndjson", "jsonl.gz", "txt.gz", "md",
    ];
    let mut n = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        let kind = target.file_name().unwrap().to_string_lossy().into_owned();
        for found in std::fs::read_dir(&target).unwrap() {
            let bytes = std::fs::read(found.unwrap().path()).unwrap();
            let (ext, body) = match kind.as_str() {
                "ingest_reader" => match bytes.split_first() {
                    Some((&pick, body)) => (NAMES[pick as usize % NAMES.len()], body),
                    None => continue,
                },
                "html_extract" => ("html", &bytes[..]),
                "warc_reader" => ("warc", &bytes[..]),
                _ => ("txt", &bytes[..]),
            };
            n += 1;
            let name = if ext.is_empty() {
                format!("f{n}")
            } else {
                format!("f{n}.{ext}")
            };
            std::fs::write(inp.join(name), body).unwrap();
        }
    }
    assert!(n >= 4, "fuzz/regressions holds {n} findings");
    let db = dir.path().join("s.db");
    let out = ibid_within(
        &db,
        &["ingest", inp.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 2)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = status(&db);
    let stored = s["articles"].as_u64().unwrap_or(0) + s["rejected"].as_u64().unwrap_or(0);
    assert!(stored >= 1, "{s}");
}
