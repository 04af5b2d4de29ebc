//! The publication date parser on arbitrary text. Checked: nothing panics; an accepted date
//! is neither before MIN_YEAR nor more than a day after "now".
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = chrono::DateTime::parse_from_rfc3339("2025-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    if let Ok(p) = ibid_clean::parse_published(text, now) {
        assert!(p.at.year() >= ibid_clean::MIN_YEAR, "{text:?} -> {:?}", p.at);
        assert!(
            p.at.with_timezone(&chrono::Utc) <= now + chrono::Duration::hours(26),
            "{text:?} -> {:?}",
            p.at
        );
    }
});
