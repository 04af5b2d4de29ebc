//! `ibid passages` and `ibid show PASSAGE` on the seeds: the statement that three outlets
//! rendered differently is one passage, and each copy's word diff shows what it changed.

mod common;

use common::*;

/// Concatenated source-side text of a JSON diff: equal, deleted and replaced-from words.
fn source_side(diff: &[serde_json::Value]) -> String {
    diff.iter()
        .map(|op| match op["op"].as_str().unwrap() {
            "equal" | "delete" => op["text"].as_str().unwrap(),
            "replace" => op["from"].as_str().unwrap(),
            "insert" => "",
            other => panic!("unknown op {other}"),
        })
        .collect()
}

#[test]
fn show_diffs_each_copy_of_a_shared_passage_against_its_source() {
    let seeds = shared().join("corpus/seeds");
    if !seeds.is_dir() {
        eprintln!("skipping: {} not found", seeds.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seeds.db");
    ibid_ok(&db, &["ingest", seeds.to_str().unwrap()], 0);

    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ibid_ok(&db, &["passages", "--json"], 0)).unwrap();
    let key = |id: &serde_json::Value| id.as_str().unwrap()[..3].to_string();
    // The passage the three renderings of the statement share.
    let passage = list
        .iter()
        .find(|p| {
            let keys: Vec<String> = p["members"].as_array().unwrap().iter().map(key).collect();
            ["000", "001", "002"]
                .iter()
                .all(|k| keys.iter().any(|m| m == k))
                && fold_ws(p["source"]["text"].as_str().unwrap()).contains("exposed the policies")
        })
        .unwrap_or_else(|| panic!("no passage shared by 000, 001 and 002: {list:#?}"));
    let id = passage["id"].as_str().unwrap();
    assert!(id.starts_with("p-"), "{id}");
    assert_eq!(
        key(&passage["source"]["article"]),
        "000",
        "earliest = lowest id when undated"
    );

    // The human view: the source, then both copies with cut and added words marked up.
    let text = ibid_ok(&db, &["show", id], 0);
    assert!(text.starts_with(id), "{text}");
    assert_eq!(text.matches("\ncopy ").count(), 2, "{text}");
    assert!(
        text.contains("[-") && text.contains("-]"),
        "no cut words:\n{text}"
    );
    assert!(
        text.contains("{+") && text.contains("+}"),
        "no added words:\n{text}"
    );
    assert!(
        !text.contains('\x1b'),
        "colour codes off a terminal:\n{text}"
    );

    // The same as data.
    let detail: serde_json::Value =
        serde_json::from_str(&ibid_ok(&db, &["show", id, "--json"], 0)).unwrap();
    let source = detail["source"]["text"].as_str().unwrap();
    let copies = detail["copies"].as_array().unwrap();
    let mut copy_keys: Vec<String> = copies.iter().map(|c| key(&c["article"])).collect();
    copy_keys.sort();
    assert_eq!(copy_keys, ["001", "002"]);
    for c in copies {
        let diff = c["diff"].as_array().unwrap();
        // The diff accounts for every source character, and the copy's span holds its text.
        assert_eq!(source_side(diff), source, "{diff:#?}");
        assert!(c["end"].as_u64().unwrap() > c["start"].as_u64().unwrap());
        let ops: Vec<&str> = diff.iter().map(|op| op["op"].as_str().unwrap()).collect();
        assert!(
            ops.contains(&"equal") && ops.iter().any(|o| *o != "equal"),
            "{ops:?}"
        );
        // Both keep the core of the statement and reword how terrorism was backed.
        let kept: String = diff
            .iter()
            .filter(|op| op["op"] == "equal")
            .map(|op| op["text"].as_str().unwrap())
            .collect();
        assert!(fold_ws(&kept).contains("exposed"), "{diff:#?}");
        assert!(
            diff.iter()
                .any(|op| op["op"] == "replace"
                    && op["from"].as_str().unwrap().contains("supporting")),
            "{diff:#?}"
        );
        let sim = c["stats"]["similarity"].as_f64().unwrap();
        assert!((0.3..1.0).contains(&sim), "similarity {sim}");
    }

    // Unknown ids still fail cleanly.
    let out = ibid(&db, &["show", "p-nope:0-1"]);
    assert_eq!(out.status.code(), Some(1));
}
