//! Snapshot tests of the human-readable reports on the shipped demo corpus. A change in what
//! `ibid stories` or `ibid show` prints (grouping, duplicates, metadata, removed lines) shows up
//! as a snapshot diff to review with `cargo insta review`.

mod common;

use common::*;

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ibid_ok(&db, &["demo"], 0);
    (dir, db)
}

/// The store lives in a temporary folder: keep only what follows it in paths.
fn stable(report: String, dir: &std::path::Path) -> String {
    report.replace(&format!("{}/", dir.display()), "")
}

#[test]
fn stories_report() {
    let (dir, db) = demo_db();
    insta::assert_snapshot!(stable(ibid_ok(&db, &["stories"], 0), dir.path()));
}

#[test]
fn article_report_with_metadata_and_removed_lines() {
    let (dir, db) = demo_db();
    insta::assert_snapshot!(stable(
        ibid_ok(&db, &["show", "calder-weekly-wall"], 0),
        dir.path()
    ));
}
