//! The ingest readers on arbitrary bytes: format sniffing (by name and content), the white
//! space lead, the bounded line splitter, gzip, JSONL records with their field aliases and
//! content ids, plain text. The first byte picks the file name the input is read under.
//!
//! Checked: nothing panics; every rejection keeps at most `keep_raw_bytes` and states a
//! length at least as long as what it kept; every article has an id and non-blank text; a
//! JSONL line never yields two items.
#![no_main]

use std::sync::atomic::AtomicU64;

use ibid_ingest::{read_stream, Item, ReadOptions};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "in.jsonl",
    "in.txt",
    "in",
    "in.json",
    "in.ndjson",
    "in.jsonl.gz",
    "in.txt.gz",
    "in.md",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    let opts = ReadOptions {
        max_record_bytes: 4096,
        keep_raw_bytes: 256,
        ..ReadOptions::default()
    };
    let mut items = Vec::new();
    let path = std::path::Path::new(name);
    let read = read_stream(name, Some(path), body, &opts, &AtomicU64::new(0), &mut |p| {
        items.push(p.resolve());
        Ok(())
    });
    assert!(read.is_ok());
    let mut lines = std::collections::HashSet::new();
    for item in &items {
        match item {
            Item::Article(r) => {
                assert!(!r.article.id.is_empty());
                assert!(!r.article.text.trim().is_empty());
                if let Some(n) = r.location.record {
                    assert!(lines.insert(n), "line {n} gave two items");
                }
            }
            Item::Rejected(r) => {
                assert!(r.raw.len() <= opts.keep_raw_bytes);
                assert!(r.raw.len() as u64 <= r.raw_len || r.raw_len == 0 && r.raw.is_empty());
                assert!(!r.reason.is_empty());
                if let Some(n) = r.location.record {
                    assert!(lines.insert(n), "line {n} gave two items");
                }
            }
        }
    }
});
