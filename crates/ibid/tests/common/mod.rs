//! Helpers for tests that run the real `ibid` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared` beside the repository (CI puts it there too).
pub fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"))
}

/// Runs `ibid --db DB ARGS…` and returns its output.
pub fn ibid(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("IBID_DB")
        .output()
        .expect("run ibid")
}

/// Runs ibid and asserts it exited with `code`; returns stdout.
pub fn ibid_ok(db: &Path, args: &[&str], code: i32) -> String {
    let out = ibid(db, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "ibid {args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Parses JSON lines.
pub fn jsonl(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// White space folded the way the seeds gold does it (NBSP to space, runs to one space).
pub fn fold_ws(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
