//! Bad input gets a clear error and loses nothing: every class of bad input is reported with
//! file and line, the rest is ingested, and the exit code says something was rejected.

mod common;

use std::io::Write;

use common::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn each_bad_input_class_is_reported_and_the_rest_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(inp.join(name), bytes).unwrap();
    w("good.txt", b"A perfectly good article about the harbour.");
    w(
        "mixed.jsonl",
        b"{\"id\":\"j1\",\"text\":\"First good line.\"}\n{\"id\":\"j2\",\"text\":\"unterminated\n{\"id\":\"j3\",\"text\":\"Third good line.\"}\n",
    );
    w("latin1.txt", b"Caf\xe9 society returns to the old town.");
    w(
        "image.txt",
        &[
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
        ],
    );
    w("empty.txt", b"");
    let mut lines = Vec::new();
    for i in 0..3000 {
        lines.extend_from_slice(
            format!(
                "{{\"id\":\"z{i}\",\"text\":\"Compressed article {i} says {}.\"}}\n",
                i * 31
            )
            .as_bytes(),
        );
    }
    let gz = gzip(&lines);
    w("cut.jsonl.gz", &gz[..gz.len() * 2 / 3]);
    std::os::unix::fs::symlink(inp.join("missing-target"), inp.join("dangling.txt")).unwrap();

    let db = dir.path().join("s.db");
    let out = ibid(&db, &["ingest", "--json", inp.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code 2 when anything was rejected"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let added = report["counts"]["added"].as_u64().unwrap();

    let rejected: Vec<serde_json::Value> =
        serde_json::from_str(&ibid_ok(&db, &["rejected", "--json"], 0)).unwrap();
    let find = |file: &str| {
        rejected
            .iter()
            .find(|r| r["source"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("no rejection for {file}: {rejected:#?}"))
    };
    assert_eq!(find("mixed.jsonl")["record"], 2);
    assert!(find("mixed.jsonl")["reason"]
        .as_str()
        .unwrap()
        .contains("broken JSON"));
    assert!(find("latin1.txt")["reason"]
        .as_str()
        .unwrap()
        .contains("invalid UTF-8 at byte 3"));
    assert!(find("image.txt")["reason"]
        .as_str()
        .unwrap()
        .contains("binary"));
    assert!(find("empty.txt")["reason"]
        .as_str()
        .unwrap()
        .contains("empty"));
    assert!(find("dangling.txt")["reason"]
        .as_str()
        .unwrap()
        .contains("cannot open"));
    let cut = find("cut.jsonl.gz");
    assert!(cut["reason"]
        .as_str()
        .unwrap()
        .contains("truncated or corrupt gzip"));
    let cut_at = cut["record"].as_u64().unwrap();
    assert!(cut_at > 100 && cut_at < 3000, "{cut_at}");
    assert_eq!(rejected.len(), 6);

    // Everything before the gzip cut, plus the three good records, is in the store.
    assert_eq!(added, 1 + 2 + (cut_at - 1));
    let ids: Vec<String> = jsonl(&ibid_ok(&db, &["export", "articles"], 0))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&"good".to_string()));
    assert!(ids.contains(&"j1".to_string()) && ids.contains(&"j3".to_string()));
    assert!(!ids.contains(&"j2".to_string()));

    // Human output names file and line too.
    let human = String::from_utf8(ibid_ok(&db, &["rejected"], 0).into_bytes()).unwrap();
    assert!(human.contains("mixed.jsonl:2: broken JSON"), "{human}");
}

#[test]
fn stdin_is_read_as_jsonl_or_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let run = |input: &[u8]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ibid"))
            .args(["--db", db.to_str().unwrap(), "ingest", "--json", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let r = run(b"{\"id\":\"s1\",\"text\":\"From a pipe.\"}\n{\"id\":\"s2\",\"text\":\"Also.\"}\n");
    assert_eq!(r["counts"]["added"], 2);
    let r = run(b"Just some plain text from a pipe.");
    assert_eq!(r["counts"]["added"], 1);
    let r = run(b"Just some plain text from a pipe.");
    assert_eq!(r["counts"]["unchanged"], 1, "stdin text is idempotent too");
}

#[test]
fn a_changed_article_is_a_new_version_not_an_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let f = dir.path().join("a.jsonl");
    std::fs::write(
        &f,
        "{\"id\":\"a\",\"text\":\"First wording of the story.\"}\n",
    )
    .unwrap();
    ibid_ok(&db, &["ingest", f.to_str().unwrap()], 0);
    std::fs::write(
        &f,
        "{\"id\":\"a\",\"text\":\"Second wording of the story.\"}\n",
    )
    .unwrap();
    let out = ibid_ok(&db, &["ingest", "--json", f.to_str().unwrap()], 0);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["counts"]["versions"], 1);
    let rows = jsonl(&ibid_ok(&db, &["export", "articles"], 0));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["version"], 2);
    assert_eq!(rows[0]["text"], "Second wording of the story.");
    // The first version is still stored verbatim.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let old: String = conn
        .query_row(
            "SELECT text FROM articles WHERE id = 'a' AND version = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, "First wording of the story.");
}
