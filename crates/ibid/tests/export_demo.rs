//! Exports in every format through the binary, and the demo on the shipped example corpus.

mod common;

use common::*;

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = ibid_ok(&db, &["demo"], 0);
    assert!(out.contains("stories in"), "{out}");
    (dir, db)
}

#[test]
fn demo_finds_copies_and_groups_the_flood_reports() {
    let (_dir, db) = demo_db();
    let rows = jsonl(&ibid_ok(&db, &["export", "articles"], 0));
    assert_eq!(rows.len(), 11);
    let get = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    // The wire reprint with small edits and the verbatim copy are both found, earliest first.
    assert_eq!(get("coast-88231")["duplicate_of"], "nwp-0412");
    assert_eq!(get("ash-901")["duplicate_of"], "vh-20250412-prize");
    // Independent reports of the flood night share a story; the prize story is apart.
    assert_eq!(get("vh-20250409-flood")["story"], get("nwp-0412")["story"]);
    assert_ne!(get("vh-20250412-prize")["story"], get("nwp-0412")["story"]);
    // Page furniture is out of the text and kept in `removed`.
    let coast = get("coast-88231");
    assert!(!coast["text"].as_str().unwrap().contains("Subscribe"));
    assert!(coast["removed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().contains("Subscribe")));
}

#[test]
fn every_kind_exports_in_every_format() {
    let (dir, db) = demo_db();
    for kind in ["articles", "stories", "alignments", "quotes", "entities"] {
        let jsonl_out = ibid_ok(&db, &["export", kind], 0);
        let n = jsonl(&jsonl_out).len();
        let csv_out = ibid_ok(&db, &["export", kind, "--format", "csv"], 0);
        let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
        assert!(!reader.headers().unwrap().is_empty());
        assert_eq!(
            reader.records().count(),
            n,
            "{kind}: csv and jsonl rows differ"
        );
        let pq = dir.path().join(format!("{kind}.parquet"));
        ibid_ok(
            &db,
            &[
                "export",
                kind,
                "--format",
                "parquet",
                "--out",
                pq.to_str().unwrap(),
            ],
            0,
        );
        let bytes = std::fs::read(&pq).unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "{kind}: not a Parquet file");
        assert!(!dir.path().join(format!("{kind}.ibid-partial")).exists());
    }
    let out = ibid(&db, &["export", "articles", "--format", "parquet"]);
    assert!(!out.status.success(), "Parquet to a terminal is refused");
}

#[test]
fn stories_and_show_print_readable_reports() {
    let (_dir, db) = demo_db();
    let stories = ibid_ok(&db, &["stories"], 0);
    assert!(stories.contains("Calder River breaks barrier"), "{stories}");
    assert!(stories.contains("[copy of nwp-0412]"), "{stories}");
    let article = ibid_ok(&db, &["show", "calder-weekly-wall"], 0);
    assert!(
        article.contains("published  2025-05-14T10:05:00+01:00"),
        "{article}"
    );
    assert!(article.contains("removed:"), "{article}");
    let story_id = jsonl(&ibid_ok(&db, &["export", "stories"], 0))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let story = ibid_ok(&db, &["show", &story_id], 0);
    assert!(story.contains("outlets:"), "{story}");
    let missing = ibid(&db, &["show", "no-such-id"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no article, story"));
}

#[cfg(unix)]
#[test]
fn a_reader_that_hangs_up_ends_the_command_quietly() {
    // `ibid stories --json | head -0`: a closed pipe must stop the process the way it stops
    // `cat` (SIGPIPE), not with a panic message from `println!`.
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let (_dir, db) = demo_db();
    for args in [&["stories", "--json"][..], &["export", "articles"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // closed before the child writes anything: every write fails
        let out = Command::new(env!("CARGO_BIN_EXE_ibid"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(
            out.status.signal(),
            Some(13),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn show_takes_a_storyline_id() {
    let (_dir, db) = demo_db();
    let stories = jsonl(&ibid_ok(&db, &["export", "stories"], 0));
    let line = stories[0]["storyline"]
        .as_str()
        .expect("stories have storylines");
    let members: Vec<&str> = stories
        .iter()
        .filter(|s| s["storyline"] == line)
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let out = ibid_ok(&db, &["show", line], 0);
    assert!(out.starts_with(line), "{out}");
    for id in &members {
        assert!(out.contains(id), "{id} missing from\n{out}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&ibid_ok(&db, &["show", line, "--json"], 0)).unwrap();
    assert_eq!(v["stories"].as_array().unwrap().len(), members.len());
    let err = common::ibid(&db, &["show", "l-nope"]);
    assert_eq!(err.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&err.stderr).contains("storyline (l-…)"));
}
