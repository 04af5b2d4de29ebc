//! What a new user trips over first: reading a store that is not there, the help of `ingest`,
//! and the duplicate counts of `ibid dedup` against a store's.

mod common;

use std::process::Command;

#[test]
fn read_commands_on_a_missing_store_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    for args in [
        &["stories"][..],
        &["show", "s-1"],
        &["status"],
        &["export", "articles"],
        &["passages"],
        &["rejected"],
        &["process"],
    ] {
        let out = common::ibid(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no store at") && err.contains("typo.db"),
            "{args:?}: unclear message {err:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed something");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left files behind: {left:?}");
    }
    // Without --db the default store is `ibid.db` in the working directory: not there either.
    let out = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .args(["show", "s-1"])
        .current_dir(dir.path())
        .env_remove("IBID_DB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ibid.db"));
    assert!(!dir.path().join("ibid.db").exists());
}

#[test]
fn ingest_help_names_every_input_format() {
    let out = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .args(["ingest", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["JSONL", "gzip", "HTML", "WARC", "stdin"] {
        assert!(
            help.contains(word),
            "`ingest --help` does not mention {word}:\n{help}"
        );
    }
}

#[test]
fn dedup_says_why_its_count_differs_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"one two three four five six seven eight nine ten eleven twelve\"}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("dedup")
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 articles"), "{err}");
    assert!(err.contains("cleaned"), "the summary must say why: {err}");
}
