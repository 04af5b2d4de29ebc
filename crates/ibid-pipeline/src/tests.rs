use super::*;

fn quiet() -> IngestOptions {
    IngestOptions {
        progress: false,
        ..IngestOptions::default()
    }
}

const WIRE: &str = "The harbour authority of Port Calder said on Monday that the new container crane, the largest on the coast, would begin work in March after two years of delays caused by a dispute over the contract with the builder.\n\nOfficials expect the crane to double the number of ships the port can serve each week.";

#[test]
fn copies_group_reingest_adds_nothing_and_versions_reprocess() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let other = "A violinist from the northern valley won the national youth music prize on Saturday with a piece she wrote herself about the river that runs past her village school and the mill her grandfather ran. She will play it again at the festival in June.";
    let lines = [
        serde_json::json!({"id": "a", "text": WIRE, "source": "Calder Post", "date": "2024-03-04T08:00:00Z"}),
        serde_json::json!({"id": "b", "text": WIRE.replace("Monday", "Monday,"), "source": "Coast Daily", "date": "2024-03-04T09:30:00Z"}),
        serde_json::json!({"id": "c", "text": other, "source": "Valley Herald", "date": "2024-05-01T10:00:00Z"}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, body).unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();

    let report = ingest(&mut store, std::slice::from_ref(&input), &quiet()).unwrap();
    assert_eq!(report.counts.added, 3);
    let p = report.process.unwrap();
    assert_eq!((p.cleaned, p.duplicates), (3, 1));
    let b = store.article("b").unwrap().unwrap();
    assert_eq!(
        b.duplicate_of.as_deref(),
        Some("a"),
        "the earlier copy is the original"
    );
    let a = store.article("a").unwrap().unwrap();
    assert_eq!(a.story, b.story, "copies share a story");
    assert_ne!(a.story, store.article("c").unwrap().unwrap().story);

    // Same input again: nothing new, nothing recleaned, stories unchanged.
    let before = store.stories().unwrap();
    let again = ingest(&mut store, std::slice::from_ref(&input), &quiet()).unwrap();
    assert_eq!((again.counts.added, again.counts.unchanged), (0, 3));
    assert_eq!(again.process.unwrap().cleaned, 0);
    assert_eq!(store.stories().unwrap(), before);

    // A changed article is a new version: the story engine takes the old one back out of
    // its story and adds the new one, without a rebuild.
    let changed = serde_json::json!({"id": "c", "text": format!("{other} Updated."), "source": "Valley Herald", "date": "2024-05-01T10:00:00Z"});
    std::fs::write(&input, format!("{changed}\n")).unwrap();
    let v2 = ingest(&mut store, &[input], &quiet()).unwrap();
    assert_eq!(v2.counts.versions, 1);
    let pr = v2.process.unwrap();
    assert!(!pr.stories_rebuilt);
    assert_eq!(pr.stories_incremental, 1);
    let c = store.article("c").unwrap().unwrap();
    assert_eq!(c.version, 2);
    assert!(c.text.ends_with("Updated."));
    let stories = store.stories().unwrap();
    let holding_c: Vec<_> = stories
        .iter()
        .filter(|s| s.articles.iter().any(|id| id == "c"))
        .collect();
    assert_eq!(holding_c.len(), 1, "the new version is in one story");
    assert_eq!(c.story.as_deref(), Some(holding_c[0].id.as_str()));
    assert_eq!(
        stories.iter().map(|s| s.articles.len()).sum::<usize>(),
        3,
        "no story still lists the old version"
    );
}

#[test]
fn new_articles_join_the_persisted_story_engine_incrementally() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let first = dir.path().join("a.txt");
    std::fs::write(&first, WIRE).unwrap();
    ingest(&mut store, &[first], &quiet()).unwrap();
    let second = dir.path().join("b.txt");
    std::fs::write(&second, WIRE.replace("Officials", "Port officials")).unwrap();
    let r = ingest(&mut store, &[second], &quiet())
        .unwrap()
        .process
        .unwrap();
    assert!(!r.stories_rebuilt);
    assert_eq!(r.stories_incremental, 1);
    assert_eq!(
        store.article("a").unwrap().unwrap().story,
        store.article("b").unwrap().unwrap().story
    );
}

#[test]
fn text_stages_catch_up_after_a_crash_between_stages() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(
        &a,
        format!(
            "{WIRE}\n\n“We expect the crane to double our traffic,” harbour master Ada Lorne said."
        ),
    )
    .unwrap();
    ingest(&mut store, &[a], &quiet()).unwrap();
    let quotes_of = |store: &Store, id: &str| {
        store
            .quotes()
            .unwrap()
            .iter()
            .filter(|q| q.article == id)
            .count()
    };
    let before = store.quotes().unwrap().len();
    assert!(quotes_of(&store, "a") > 0);
    // A second article is stored and cleaned, then the process dies before the text stages:
    // simulated by running only the clean stage.
    let b = dir.path().join("b.txt");
    std::fs::write(
        &b,
        "“The crane is late again,” councillor Ben Sato said on Tuesday in the port.",
    )
    .unwrap();
    let opts = IngestOptions {
        process: false,
        ..quiet()
    };
    ingest(&mut store, &[b], &opts).unwrap();
    assert_eq!(clean_stage(&mut store, false).unwrap(), 1);
    // The next run cleans nothing new, yet the text stages must still see the new article.
    let r = process(&mut store, false).unwrap();
    assert_eq!(r.cleaned, 0);
    assert!(
        quotes_of(&store, "b") > 0,
        "the text stages missed the new article"
    );
    assert!(r.quotes > before);
    let again = process(&mut store, false).unwrap();
    assert_eq!(
        again.quotes, r.quotes,
        "an up-to-date store is left as it is"
    );
}

/// A made-up article of outlet `outlet` with a distinct body and, when `promo` is set, a short
/// furniture line that becomes outlet boilerplate once enough articles carry it.
fn outlet_article(i: usize, outlet: &str, promo: bool) -> serde_json::Value {
    let body = format!(
        "Council member number {i} told residents of ward {i} on Tuesday that the plan for the \
         new library branch would be debated again next month after a long delay.\n\n\
         The branch, the {i}th of its kind, is expected to open its doors to readers within \
         two years of the vote, officials said in a statement."
    );
    let text = if promo {
        format!("{body}\n\nWeekend tide tables and ferry times\n\nHarbour pictures of the week")
    } else {
        body
    };
    serde_json::json!({"id": format!("{outlet}-{i}"), "text": text, "source": outlet,
        "date": format!("2024-03-{:02}T08:00:00Z", 1 + i % 28)})
}

fn write_jsonl(path: &std::path::Path, lines: &[serde_json::Value]) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, body).unwrap();
}

fn cleaned_rows(store: &Store) -> Vec<(String, String, Vec<String>)> {
    let mut rows = Vec::new();
    store
        .for_each_article(|a| {
            rows.push((a.id, a.text, a.removed));
            Ok(())
        })
        .unwrap();
    rows.sort();
    rows
}

#[test]
fn incremental_cleaning_matches_cleaning_everything_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // Four articles carry the promo lines (one short of the furniture threshold), two do not;
    // another outlet's articles also carry them, which must not count for this outlet.
    let mut first: Vec<_> = (0..4)
        .map(|i| outlet_article(i, "Harbour Times", true))
        .collect();
    first.extend((4..6).map(|i| outlet_article(i, "Harbour Times", false)));
    first.extend((0..6).map(|i| outlet_article(i, "Valley Post", true)));
    // The fifth carrier makes the promo lines furniture for every carrier of its outlet.
    let second = vec![
        outlet_article(6, "Harbour Times", true),
        outlet_article(7, "Valley Post", false),
    ];
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    write_jsonl(&a, &first);
    write_jsonl(&b, &second);

    let mut stepwise = Store::open(&dir.path().join("step.db")).unwrap();
    ingest(&mut stepwise, std::slice::from_ref(&a), &quiet()).unwrap();
    let before = cleaned_rows(&stepwise);
    let carriers = |rows: &[(String, String, Vec<String>)]| {
        rows.iter()
            .filter(|r| r.0.starts_with("Harbour") && r.1.contains("tide tables"))
            .count()
    };
    assert_eq!(
        carriers(&before),
        4,
        "below the threshold the promo is kept"
    );
    let r = ingest(&mut stepwise, std::slice::from_ref(&b), &quiet())
        .unwrap()
        .process
        .unwrap();
    // The two new articles plus the four earlier carriers of the promo in the same outlet;
    // the outlet's articles without it, and the other outlet's (whose promo was already
    // furniture), stay as they were.
    assert_eq!(r.cleaned, 2 + 4);

    // The second ingest counted only its own lines on top of the index the first one saved,
    // and saved the sum.
    let saved = stepwise
        .stage_state("lines", CLEAN_VERSION)
        .unwrap()
        .expect("line index saved");
    let index = ibid_clean::LineIndex::from_bytes(&saved[16..]).unwrap();
    assert_eq!(
        (
            index.articles("Harbour Times"),
            index.articles("valley post")
        ),
        (7, 7)
    );

    // Without the saved index (or with one that counted other articles, as after a crash
    // before it was saved), the second ingest counts every stored article again: same result.
    let mut recounted = Store::open(&dir.path().join("recount.db")).unwrap();
    ingest(&mut recounted, std::slice::from_ref(&a), &quiet()).unwrap();
    recounted.drop_stage_state("lines").unwrap();
    ingest(&mut recounted, std::slice::from_ref(&b), &quiet()).unwrap();

    // A store whose articles' line keys were never kept (made before they were) finds the
    // affected articles from their texts, and keeps their keys.
    let mut keyless = Store::open(&dir.path().join("keyless.db")).unwrap();
    ingest(&mut keyless, std::slice::from_ref(&a), &quiet()).unwrap();
    keyless
        .connection()
        .execute("DELETE FROM line_keys", [])
        .unwrap();
    let r = ingest(&mut keyless, std::slice::from_ref(&b), &quiet())
        .unwrap()
        .process
        .unwrap();
    assert_eq!(r.cleaned, 2 + 4);
    let kept: i64 = keyless
        .connection()
        .query_row("SELECT COUNT(*) FROM line_keys", [], |r| r.get(0))
        .unwrap();
    assert!(
        kept >= 2 + 6,
        "pending and examined articles' keys kept: {kept}"
    );

    let mut at_once = Store::open(&dir.path().join("once.db")).unwrap();
    ingest(&mut at_once, &[a, b], &quiet()).unwrap();
    let expected = cleaned_rows(&at_once);
    assert_eq!(carriers(&expected), 0, "at the threshold it is furniture");
    assert_eq!(cleaned_rows(&stepwise), expected);
    assert_eq!(cleaned_rows(&recounted), expected);
    assert_eq!(cleaned_rows(&keyless), expected);
}

#[test]
fn a_new_version_recleans_its_outlet() {
    let dir = tempfile::tempdir().unwrap();
    // Five carriers: the promo is furniture. A new version of one drops it, so the line falls
    // back under the threshold and the other four must show it again.
    let first: Vec<_> = (0..5)
        .map(|i| outlet_article(i, "Harbour Times", true))
        .collect();
    let a = dir.path().join("a.jsonl");
    write_jsonl(&a, &first);
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    ingest(&mut store, std::slice::from_ref(&a), &quiet()).unwrap();
    assert!(cleaned_rows(&store)
        .iter()
        .all(|r| !r.1.contains("tide tables")));
    let b = dir.path().join("b.jsonl");
    write_jsonl(&b, &[outlet_article(0, "Harbour Times", false)]);
    let r = ingest(&mut store, &[b], &quiet()).unwrap();
    assert_eq!(r.counts.versions, 1);
    let rows = cleaned_rows(&store);
    assert_eq!(
        rows.iter().filter(|r| r.1.contains("tide tables")).count(),
        4,
        "{rows:#?}"
    );
}

#[test]
fn listings_and_extract_agree_on_confidence() {
    // The store's default listing threshold mirrors the extract stage's.
    assert!((ibid_store::LISTED_CONFIDENCE - f64::from(ibid_extract::CONFIDENT)).abs() < 1e-6);
}
