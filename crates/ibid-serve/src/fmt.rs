//! Small formatting helpers shared by the pages: numbers, dates, links.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Bytes left as they are in a path segment or query value; everything else is %-encoded
/// (including `/`, so an id with a slash stays one path segment).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// `s` encoded for use as one URL path segment or query value.
pub(crate) fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Link to an article page.
pub(crate) fn article_href(id: &str) -> String {
    format!("/articles/{}", enc(id))
}

/// Link to a story page.
pub(crate) fn story_href(id: &str) -> String {
    format!("/stories/{}", enc(id))
}

/// Link to a storyline page.
pub(crate) fn storyline_href(id: &str) -> String {
    format!("/storylines/{}", enc(id))
}

/// Link to a shared passage's page.
pub(crate) fn passage_href(id: &str) -> String {
    format!("/passages/{}", enc(id))
}

/// Link to an entity page.
pub(crate) fn entity_href(id: &str) -> String {
    format!("/entities/{}", enc(id))
}

/// A query string from pairs, skipping empty values; `""` when nothing is left.
pub(crate) fn query(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", enc(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The URL if it is safe to link to: an absolute http(s) URL without white space or control
/// characters. Anything else (`javascript:`, `data:`, relative paths) is shown as text only.
pub(crate) fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && clean && url.len() > "https://".len()).then_some(url)
}

/// `1234567` as `1,234,567`.
pub(crate) fn int(n: impl Into<i64>) -> String {
    let n: i64 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n thing` / `n things`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", int(n as i64), if n == 1 { one } else { many })
}

/// Unix seconds of an RFC 3339 value.
pub(crate) fn unix(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.timestamp())
}

/// `5 Sep 2017` (in the offset the source gave).
pub(crate) fn date(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t.format("%-d %b %Y").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// `5 Sep 2017, 21:21 +04:00`, or just the date when the source gave no time of day.
pub(crate) fn datetime(rfc3339: &str, precision: Option<&str>) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) if precision == Some("day") => t.format("%-d %b %Y").to_string(),
        Ok(t) => t.format("%-d %b %Y, %H:%M %:z").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// `5 Sep 2017` from Unix seconds (UTC).
pub(crate) fn date_unix(secs: i64) -> String {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => t.format("%-d %b %Y").to_string(),
        None => secs.to_string(),
    }
}

/// `5 Sep 2017 21:00` from Unix seconds (UTC), for sub-day buckets.
pub(crate) fn datetime_unix(secs: i64) -> String {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => t.format("%-d %b %Y %H:%M UTC").to_string(),
        None => secs.to_string(),
    }
}

/// A duration in words: `3 h`, `2 days`.
pub(crate) fn span(secs: i64) -> String {
    const H: i64 = 3600;
    const D: i64 = 86_400;
    if secs < H {
        format!("{} min", (secs / 60).max(0))
    } else if secs < 2 * D {
        format!("{} h", secs / H)
    } else {
        format!("{} days", secs / D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_are_links() {
        assert_eq!(
            safe_url(" https://example.org/a?b=1 "),
            Some("https://example.org/a?b=1")
        );
        assert_eq!(safe_url("HTTP://EXAMPLE.ORG"), Some("HTTP://EXAMPLE.ORG"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<script>"), None);
        assert_eq!(safe_url("//evil.example/"), None);
        assert_eq!(safe_url("https://a b"), None);
        assert_eq!(safe_url("https://"), None);
        assert_eq!(safe_url("https://x\u{0}y"), None);
    }

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(article_href("a/b c"), "/articles/a%2Fb%20c");
        assert_eq!(article_href(".."), "/articles/%2E%2E");
        assert_eq!(story_href("s-1_x~"), "/stories/s-1_x~");
        assert_eq!(
            query(&[("q", Some("a&b")), ("x", None), ("y", Some(""))]),
            "?q=a%26b"
        );
    }

    #[test]
    fn numbers_and_dates_read_well() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(-1234567), "-1,234,567");
        assert_eq!(plural(1, "story", "stories"), "1 story");
        assert_eq!(plural(2, "story", "stories"), "2 stories");
        assert_eq!(date("2017-09-05T21:21:00+04:00"), "5 Sep 2017");
        assert_eq!(
            datetime("2017-09-05T21:21:00+04:00", Some("time")),
            "5 Sep 2017, 21:21 +04:00"
        );
        assert_eq!(datetime("2017-09-05T00:00:00Z", Some("day")), "5 Sep 2017");
        assert_eq!(date("not a date"), "not a date");
        assert_eq!(span(7200), "2 h");
        assert_eq!(span(86_400 * 3), "3 days");
    }
}
