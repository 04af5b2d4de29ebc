//! End to end on the five seed articles, checked against `../shared/corpus/seeds.gold.json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

fn gold() -> Option<serde_json::Value> {
    let path = shared().join("corpus/seeds.gold.json");
    let text = std::fs::read_to_string(&path).ok()?;
    Some(serde_json::from_str(&text).expect("gold parses"))
}

/// Ingests the seeds once per test into its own store.
fn ingest_seeds() -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let seeds = shared().join("corpus/seeds");
    if !seeds.is_dir() {
        eprintln!("skipping: {} not found", seeds.display());
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seeds.db");
    ibid_ok(&db, &["ingest", seeds.to_str().unwrap()], 0);
    Some((dir, db))
}

fn key(id: &str) -> String {
    id.chars().take(3).collect()
}

#[test]
fn stories_match_the_gold_events() {
    let (Some(gold), Some((_dir, db))) = (gold(), ingest_seeds()) else {
        return;
    };
    let rows = jsonl(&ibid_ok(&db, &["export", "articles"], 0));
    assert_eq!(rows.len(), 5);
    let mut by_story: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        let story = r["story"].as_str().expect("every article has a story");
        by_story
            .entry(story.to_string())
            .or_default()
            .insert(key(r["id"].as_str().unwrap()));
    }
    let got: BTreeSet<BTreeSet<String>> = by_story.into_values().collect();
    let want: BTreeSet<BTreeSet<String>> = gold["events"]
        .as_object()
        .unwrap()
        .values()
        .map(|e| {
            e["docs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(got, want);

    // The stories export agrees with the articles' `story` field.
    let stories = jsonl(&ibid_ok(&db, &["export", "stories"], 0));
    assert_eq!(stories.len(), 3);
    for s in &stories {
        for a in s["articles"].as_array().unwrap() {
            let row = rows.iter().find(|r| r["id"] == *a).unwrap();
            assert_eq!(row["story"], s["id"]);
        }
    }
}

#[test]
fn articles_export_has_the_contract_fields_and_loses_no_body_text() {
    let Some((_dir, db)) = ingest_seeds() else {
        return;
    };
    let rows = jsonl(&ibid_ok(&db, &["export", "articles"], 0));
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5);
    assert!(
        ids.iter().all(|id| id.len() > 4 && id.contains('_')),
        "ids are file stems: {ids:?}"
    );
    for r in &rows {
        for field in [
            "id",
            "outlet",
            "url",
            "published",
            "title",
            "author",
            "dateline",
            "text",
            "removed",
            "story",
            "storyline",
            "duplicate_of",
        ] {
            assert!(r.get(field).is_some(), "{} lacks {field}", r["id"]);
        }
        assert!(
            r["duplicate_of"].is_null(),
            "the seeds share quotes, not copies"
        );
        let text = r["text"].as_str().unwrap();
        assert!(!text.contains('\u{a0}'), "NBSP left in {}", r["id"]);

        // Every original line that was neither removed nor lifted as the title is in the body.
        let id = r["id"].as_str().unwrap();
        let original =
            std::fs::read_to_string(shared().join(format!("corpus/seeds/{id}.txt"))).unwrap();
        let removed: Vec<String> = r["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| fold_ws(l.as_str().unwrap()))
            .collect();
        let title = r["title"].as_str().map(fold_ws);
        let body = fold_ws(text);
        for line in original.lines().map(fold_ws).filter(|l| !l.is_empty()) {
            if removed.contains(&line) || title.as_ref() == Some(&line) {
                continue;
            }
            assert!(body.contains(&line), "{id}: body line lost: {line:?}");
        }
    }
}

#[test]
fn reingesting_the_seeds_adds_nothing() {
    let Some((_dir, db)) = ingest_seeds() else {
        return;
    };
    let before = ibid_ok(&db, &["export", "articles"], 0);
    let seeds = shared().join("corpus/seeds");
    let out = ibid_ok(&db, &["ingest", "--json", seeds.to_str().unwrap()], 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["counts"]["added"], 0);
    assert_eq!(report["counts"]["unchanged"], 5);
    assert_eq!(report["process"]["cleaned"], 0);
    assert_eq!(ibid_ok(&db, &["export", "articles"], 0), before);
}

/// The whole scorecard against the gold: events, storylines, boilerplate, metadata, entities,
/// quotes and shared statements, all exact.
#[test]
fn eval_seeds_scorecard_is_all_exact() {
    let corpus = shared().join("corpus");
    if !corpus.join("seeds.gold.json").exists() {
        eprintln!("skipping: no seeds gold");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = ibid_ok(
        &dir.path().join("unused.db"),
        &[
            "eval",
            "seeds",
            "--json",
            "--corpus",
            corpus.to_str().unwrap(),
        ],
        0,
    );
    let checks: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(checks.len(), 7);
    for c in &checks {
        assert!(c["total"].as_u64().unwrap() > 0, "{c}");
        assert_eq!(c["right"], c["total"], "{}: {:#}", c["name"], c["misses"]);
    }
}
