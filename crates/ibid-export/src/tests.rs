use super::*;
use ibid_store::{Incoming, IncomingArticle, MentionRow, RemovedSpan};

fn article(id: &str) -> ArticleRow {
    ArticleRow {
        id: id.into(),
        outlet: Some("The Gazette".into()),
        url: None,
        published: Some("2020-01-02T03:04:05Z".into()),
        title: Some("Title, with \"quotes\"".into()),
        author: None,
        dateline: None,
        text: "Body line one.\n\nBody, line two.".into(),
        removed: vec!["Subscribe".into(), "Share".into()],
        story: Some("s-a".into()),
        storyline: None,
        duplicate_of: None,
        version: 1,
        section: None,
        subheads: vec![],
        published_precision: Some("time".into()),
        published_flag: None,
        copies: 0,
        source: "x.jsonl:1".into(),
        kind: "article".into(),
        kind_reason: None,
        original: "Subscribe\nBody line one.\nShare\nBody, line two.".into(),
        removed_lines: vec![
            RemovedSpan {
                start: 0,
                end: 9,
                reason: "boilerplate".into(),
                text: "Subscribe".into(),
            },
            RemovedSpan {
                start: 25,
                end: 30,
                reason: "boilerplate".into(),
                text: "Share".into(),
            },
        ],
    }
}

#[test]
fn jsonl_keeps_contract_field_names_and_nulls() {
    let mut out = Vec::new();
    write_rows(&[article("a")], Format::Jsonl, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
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
        "kind",
        "kind_reason",
        "original",
        "removed_lines",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert!(v["url"].is_null());
    assert_eq!(v["removed"], serde_json::json!(["Subscribe", "Share"]));
}

#[test]
fn csv_quotes_cells_and_puts_lists_in_json() {
    let mut out = Vec::new();
    write_rows(&[article("a")], Format::Csv, &mut out).unwrap();
    let mut r = csv::Reader::from_reader(out.as_slice());
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&headers[..3], &["id", "outlet", "url"]);
    let rec = r.records().next().unwrap().unwrap();
    assert_eq!(&rec[4], "Title, with \"quotes\"");
    assert_eq!(&rec[7], "Body line one.\n\nBody, line two.");
    let removed: Vec<String> = serde_json::from_str(&rec[8]).unwrap();
    assert_eq!(removed, vec!["Subscribe", "Share"]);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_round_trips_lists_nulls_and_structs() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.parquet");
    let mut b = article("b");
    b.removed.clear();
    b.outlet = None;
    write_rows(
        &[article("a"), b],
        Format::Parquet,
        std::fs::File::create(&path).unwrap(),
    )
    .unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let rows: Vec<serde_json::Value> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap().to_json_value())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "a");
    assert_eq!(
        rows[0]["removed"],
        serde_json::json!(["Subscribe", "Share"])
    );
    assert_eq!(rows[1]["removed"], serde_json::json!([]));
    assert!(rows[1]["outlet"].is_null());
    assert_eq!(rows[1]["text"], "Body line one.\n\nBody, line two.");
    assert_eq!(rows[0]["kind"], "article");
    assert_eq!(rows[0]["removed_lines"][1]["start"], 25);
    assert_eq!(rows[0]["removed_lines"][1]["reason"], "boilerplate");
    // `published` is a real timestamp column (UTC microseconds), not a string.
    let schema = reader.metadata().file_metadata().schema_descr();
    let published = schema
        .columns()
        .iter()
        .find(|c| c.name() == "published")
        .unwrap();
    assert_eq!(
        published.physical_type(),
        parquet::basic::Type::INT64,
        "published is an INT64 timestamp"
    );
    assert!(
        matches!(
            published.logical_type_ref(),
            Some(parquet::basic::LogicalType::Timestamp(t)) if t.is_adjusted_to_u_t_c
        ),
        "{:?}",
        published.logical_type_ref()
    );
    let mut rows_iter = reader.get_row_iter(None).unwrap();
    let first = rows_iter.next().unwrap().unwrap();
    let micros = first
        .get_column_iter()
        .find(|(name, _)| name.as_str() == "published")
        .map(|(_, f)| f.clone())
        .unwrap();
    assert_eq!(
        micros,
        parquet::record::Field::TimestampMicros(1_577_934_245_000_000),
        "2020-01-02T03:04:05Z"
    );

    let entity = EntityRow {
        id: "e1".into(),
        name: "Jane Roe".into(),
        kind: "PER".into(),
        variants: vec!["Jane Roe".into(), "Roe".into()],
        mentions: vec![
            MentionRow {
                article: "a".into(),
                start: 0,
                end: 8,
                text: "Jane Roe".into(),
            },
            MentionRow {
                article: "b".into(),
                start: 10,
                end: 13,
                text: "Roe".into(),
            },
        ],
    };
    let empty = EntityRow {
        id: "e2".into(),
        mentions: vec![],
        ..entity.clone()
    };
    let path = dir.path().join("e.parquet");
    write_rows(
        &[entity, empty],
        Format::Parquet,
        std::fs::File::create(&path).unwrap(),
    )
    .unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let rows: Vec<serde_json::Value> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap().to_json_value())
        .collect();
    assert_eq!(rows[0]["type"], "PER");
    assert_eq!(rows[0]["mentions"][1]["article"], "b");
    assert_eq!(rows[0]["mentions"][1]["start"], 10);
    assert_eq!(rows[1]["mentions"], serde_json::json!([]));
}

#[test]
fn export_reads_the_store_for_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run(&[]).unwrap();
    store
        .write_batch(
            run,
            &[Incoming::Article(IncomingArticle {
                article: ibid_core::RawArticle {
                    id: "a".into(),
                    text: "Hello.".into(),
                    ..Default::default()
                },
                source: "a.txt".into(),
                record: None,
                fetched: None,
                raw: None,
            })],
        )
        .unwrap();
    for kind in Kind::ALL {
        let mut out = Vec::new();
        let n = export(&store, kind, Format::Jsonl, &mut out).unwrap();
        assert_eq!(n, u64::from(kind == Kind::Articles), "{}", kind.name());
    }
}
