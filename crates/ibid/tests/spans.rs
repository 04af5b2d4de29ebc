//! Spans an analyst can use: every span of every export cuts exactly its text out of the
//! article's `original` text (code points, end exclusive), on scraped-page fixtures written
//! for this test (page clutter, odd spaces, soft hyphens, CRLF line ends, wire copies with
//! edits, quotations, a photo gallery page); and the Parquet export types `published` as a
//! timestamp.

mod common;

use std::collections::HashMap;

use common::*;
use serde_json::{json, Value};

/// The wire report the copies below reprint (written for this test).
const WIRE: [&str; 5] = [
    "PORTVILLE (Wire) — The harbour council voted on Monday to close the old ferry terminal after a decade of losses, ending a service that ran for ninety years.",
    "“We could not keep paying for a terminal that nobody uses,” said Mara Lindqvist, the council’s chair, after the vote.",
    "The terminal lost money every year since the new bridge opened, and repairs would have cost more than the town could pay, according to a council report.",
    "Ferry workers will be offered jobs at the new marina, Lindqvist said, adding that the council would meet the union on Friday.",
    "Tomas Brandt, who leads the ferry workers’ union, said the offer was “a start, not an answer” and that members would vote next week.",
];

fn page(clutter_top: &[&str], body: &[String], clutter_bottom: &[&str], eol: &str) -> String {
    let mut lines: Vec<String> = clutter_top.iter().map(|s| s.to_string()).collect();
    lines.extend(body.iter().cloned());
    lines.extend(clutter_bottom.iter().map(|s| s.to_string()));
    lines.join(&format!("{eol}{eol}"))
}

fn fixtures() -> Vec<Value> {
    let wire: Vec<String> = WIRE.iter().map(|s| s.to_string()).collect();
    // A copy with a soft hyphen, non-breaking spaces and an inserted caption.
    let mut edited = wire.clone();
    edited[0] = edited[0]
        .replace("terminal", "termi\u{ad}nal")
        .replace("on Monday", "on\u{a0}Monday");
    edited.insert(
        2,
        "Council members leave the town hall in Portville on Monday. (Photo: Jane Roe/Wire)"
            .to_string(),
    );
    // A shorter copy with a changed sentence.
    let mut short = wire[..4].to_vec();
    short[3] =
        "Ferry workers are to be offered jobs at the new marina, Lindqvist said.".to_string();
    vec![
        json!({"id": "orig", "source": "wire.example", "date": "2024-03-04T09:00:00Z",
               "title": "Portville votes to close its old ferry terminal",
               "text": page(&["Portville votes to close its old ferry terminal", "By Jane Roe"], &wire, &["Share this story", "© 2024 Wire. All rights reserved."], "\n")}),
        json!({"id": "copy-a", "source": "daily.example", "date": "2024-03-04T10:30:00Z",
               "title": "Share",
               "text": page(&["Share", "Hooray!", "DailyExample.com Weather Quick Look", "Portville votes to close ferry terminal"], &edited, &["Subscribe now and read everything.", "CONNECT TWEET EMAILSHARE MORE"], "\r\n")}),
        json!({"id": "copy-b", "source": "times.example", "date": "2024-03-04T11:00:00+01:00",
               "title": "Ferry terminal to close",
               "text": page(&["Ferry terminal to close", "By JOHN DOE, Staff Writer"], &short, &["Tags: ferry, harbour"], "\n")}),
        json!({"id": "own", "source": "times.example", "date": "2024-03-05T08:00:00Z",
               "title": "Union weighs the marina offer",
               "text": page(&["Union weighs the marina offer"], &[
                   "PORTVILLE — Members of the ferry workers’ union met on Tuesday to weigh the council’s offer of jobs at the new marina.".to_string(),
                   "“Nobody here wants to leave the water,” said Tomas Brandt, the union’s leader, as members filed into the hall.".to_string(),
                   "The vote is expected on Thursday, Brandt said, and the council will hear the result on Friday before it signs any contract.".to_string(),
               ], &[], "\n")}),
        json!({"id": "gallery", "source": "daily.example", "date": "2024-03-04T12:00:00Z",
               "title": "In pictures: the last ferry",
               "text": page(&["In pictures: the last ferry"], &[
                   "The last ferry leaves the old terminal in Portville, Monday, March 4, 2024. (AP Photo/Jane Roe)".to_string(),
                   "Passengers wave from the deck of the last ferry. (AP Photo/Jane Roe)".to_string(),
                   "The empty ticket hall of the old terminal. (AP Photo/Jane Roe)".to_string(),
                   "1 of 3".to_string(),
               ], &[], "\n")}),
    ]
}

fn slice(text: &str, start: &Value, end: &Value) -> String {
    let (s, e) = (
        start.as_u64().unwrap() as usize,
        end.as_u64().unwrap() as usize,
    );
    assert!(s <= e, "span {s}..{e} is reversed");
    assert!(
        e <= text.chars().count(),
        "span {s}..{e} past the end ({})",
        text.chars().count()
    );
    text.chars().skip(s).take(e - s).collect()
}

#[test]
fn every_exported_span_cuts_its_text_from_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pages.jsonl");
    let lines: Vec<String> = fixtures().iter().map(Value::to_string).collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let db = dir.path().join("ibid.db");
    ibid_ok(&db, &["ingest", input.to_str().unwrap()], 0);

    let articles = jsonl(&ibid_ok(&db, &["export", "articles"], 0));
    let original: HashMap<String, String> = articles
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["original"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let by_id = |id: &str| articles.iter().find(|a| a["id"] == id).unwrap();
    let input_text = |id: &str| {
        fixtures().into_iter().find(|f| f["id"] == id).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for id in ["orig", "copy-a", "copy-b", "own", "gallery"] {
        assert_eq!(original[id], input_text(id), "{id}: original is the input");
    }

    let mut checked = HashMap::<&str, usize>::new();
    for a in &articles {
        let o = a["original"].as_str().unwrap();
        for r in a["removed_lines"].as_array().unwrap() {
            assert_eq!(
                slice(o, &r["start"], &r["end"]),
                r["text"],
                "removed line of {}",
                a["id"]
            );
            *checked.entry("removed lines").or_default() += 1;
        }
    }
    for q in jsonl(&ibid_ok(&db, &["export", "quotes"], 0)) {
        let o = &original[q["article"].as_str().unwrap()];
        assert_eq!(slice(o, &q["start"], &q["end"]), q["text"], "quote {q}");
        if !q["speaker_start"].is_null() {
            let who = slice(o, &q["speaker_start"], &q["speaker_end"]);
            assert!(!who.trim().is_empty(), "empty speaker span in {q}");
        }
        *checked.entry("quotes").or_default() += 1;
    }
    for e in jsonl(&ibid_ok(&db, &["export", "entities"], 0)) {
        for m in e["mentions"].as_array().unwrap() {
            let o = &original[m["article"].as_str().unwrap()];
            assert_eq!(slice(o, &m["start"], &m["end"]), m["text"], "mention {m}");
            *checked.entry("mentions").or_default() += 1;
        }
    }
    let alignments = jsonl(&ibid_ok(&db, &["export", "alignments"], 0));
    for al in &alignments {
        for (side, s, e) in [("a", "a_start", "a_end"), ("b", "b_start", "b_end")] {
            let o = &original[al[side].as_str().unwrap()];
            let cut = slice(o, &al[s], &al[e]);
            assert!(cut.split_whitespace().count() >= 5, "short passage {al}");
        }
        let passage = al["passage"].as_str().expect("every pair has its passage");
        assert!(passage.starts_with("p-"), "{passage}");
        *checked.entry("alignments").or_default() += 1;
    }
    // The passage ids are the ones `ibid show` takes.
    let passage = alignments[0]["passage"].as_str().unwrap();
    let shown = ibid_ok(&db, &["show", passage, "--json"], 0);
    assert!(shown.contains("\"copies\""), "{shown}");
    eprintln!("checked spans: {checked:?}");
    for kind in ["removed lines", "quotes", "mentions", "alignments"] {
        assert!(
            checked.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} to check"
        );
    }

    // The soft-hyphenated copy's quote and mention texts are the original's characters.
    let copy_a = by_id("copy-a");
    assert_eq!(
        copy_a["title"], "Portville votes to close ferry terminal",
        "junk title replaced"
    );
    let copy_a_text = copy_a["text"].as_str().unwrap();
    for junk in [
        "Hooray",
        "Quick Look",
        "Subscribe",
        "CONNECT",
        "Photo: Jane Roe",
    ] {
        assert!(!copy_a_text.contains(junk), "{junk} left in {copy_a_text}");
    }
    assert_eq!(by_id("copy-b")["author"], "John Doe");
    // The gallery is not an article and has no story; the reports have one.
    let gallery = by_id("gallery");
    assert_eq!(gallery["kind"], "non_article", "{gallery}");
    assert!(gallery["kind_reason"].as_str().unwrap().contains("gallery"));
    assert!(gallery["story"].is_null());
    assert_eq!(by_id("orig")["kind"], "article");
    assert!(by_id("orig")["story"].is_string());
    let stories = jsonl(&ibid_ok(&db, &["export", "stories"], 0));
    assert!(stories.iter().all(|s| !s["articles"]
        .as_array()
        .unwrap()
        .contains(&json!("gallery"))));

    // Parquet: `published` is a timestamp column, in UTC microseconds.
    let pq = dir.path().join("articles.parquet");
    ibid_ok(
        &db,
        &[
            "export",
            "articles",
            "--format",
            "parquet",
            "--out",
            pq.to_str().unwrap(),
        ],
        0,
    );
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    let col = schema
        .columns()
        .iter()
        .find(|c| c.name() == "published")
        .unwrap();
    assert!(
        matches!(
            col.logical_type_ref(),
            Some(parquet::basic::LogicalType::Timestamp(t)) if t.is_adjusted_to_u_t_c
        ),
        "published is {:?}",
        col.logical_type_ref()
    );
    let mut times: Vec<(String, i64)> = Vec::new();
    for row in reader.get_row_iter(None).unwrap() {
        let row = row.unwrap();
        let mut id = String::new();
        let mut at = None;
        for (name, field) in row.get_column_iter() {
            match (name.as_str(), field) {
                ("id", parquet::record::Field::Str(s)) => id = s.clone(),
                ("published", parquet::record::Field::TimestampMicros(t)) => at = Some(*t),
                _ => {}
            }
        }
        times.push((id, at.expect("every fixture is dated")));
    }
    let copy_b = times.iter().find(|(id, _)| id == "copy-b").unwrap().1;
    // 2024-03-04T11:00:00+01:00 is 10:00 UTC.
    assert_eq!(copy_b, 1_709_546_400_000_000);
}
