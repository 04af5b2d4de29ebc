//! The clean stage (normalisation with its offset map, line rules, metadata from text) on
//! arbitrary text. Checked: the offset map covers every cleaned code point, maps into the
//! original text and never runs backwards; removed lines' spans lie inside the original.
#![no_main]

use ibid_core::RawArticle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line doubles as a title half the time, to exercise the headline rules.
    let title = data
        .first()
        .filter(|b| *b % 2 == 0)
        .and_then(|_| text.lines().next())
        .map(str::to_string);
    let raw = RawArticle {
        id: "f".into(),
        text: text.to_string(),
        title,
        outlet: Some("Outlet".into()),
        published: Some("2024-01-02".into()),
        ..RawArticle::default()
    };
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let cleaned = ibid_clean::clean_at(&raw, &ibid_clean::LineIndex::default(), now);
    let original = raw.text.chars().count() as u32;
    let n = cleaned.text.chars().count();
    assert_eq!(cleaned.offsets.len(), n, "one origin per cleaned code point");
    let mut last = 0;
    for i in 0..=n {
        let o = cleaned.offsets.to_original(i);
        assert!(o <= original, "offset {o} past the original's {original} code points");
        assert!(o >= last, "offsets run backwards at {i}: {last} then {o}");
        last = o;
    }
    for r in &cleaned.removed {
        assert!(r.span.start <= r.span.end && r.span.end <= original, "{r:?}");
    }
});
