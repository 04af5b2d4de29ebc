//! JSON records to articles, accepting the field names common in scraped-news datasets.

use ibid_core::RawArticle;
use serde_json::{Map, Value};

/// Field names tried, in order, for each article field.
const ID_FIELDS: &[&str] = &["id", "_id", "doc_id", "uuid"];
const TEXT_FIELDS: &[&str] = &["text", "content", "body", "article", "maintext"];
const TITLE_FIELDS: &[&str] = &["title", "headline"];
const URL_FIELDS: &[&str] = &["url", "link", "canonical_url"];
const OUTLET_FIELDS: &[&str] = &["outlet", "source", "publisher", "site_name", "domain"];
const PUBLISHED_FIELDS: &[&str] = &[
    "published",
    "date",
    "publication_date",
    "published_at",
    "publish_date",
    "pubdate",
    "datetime",
    "timestamp",
];
const AUTHOR_FIELDS: &[&str] = &["author", "authors", "byline"];

/// Parses one JSONL line into an article; `fallback_id` is used when the record has no id.
pub fn article_from_json_line(bytes: &[u8], fallback_id: &str) -> Result<RawArticle, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} of the line; convert the file to UTF-8",
            e.valid_up_to()
        )
    })?;
    let value: Value = serde_json::from_str(text.trim_end_matches('\r'))
        .map_err(|e| format!("broken JSON: {e}"))?;
    match value {
        Value::Object(map) => article_from_json_map(map, fallback_id),
        other => Err(format!(
            "expected a JSON object per line, found {}",
            kind_of(&other)
        )),
    }
}

/// Builds an article from a JSON object. Text is required; every other field is optional.
pub fn article_from_json(
    map: &Map<String, Value>,
    fallback_id: &str,
) -> Result<RawArticle, String> {
    article_from_json_map(map.clone(), fallback_id)
}

/// [`article_from_json`] on an owned object, so the text (most of the bytes) is moved, not
/// copied.
fn article_from_json_map(
    mut map: Map<String, Value>,
    fallback_id: &str,
) -> Result<RawArticle, String> {
    let map = &mut map;
    let text = match first_field(map, TEXT_FIELDS) {
        Some((name, Value::String(_))) => match map.get_mut(name) {
            Some(Value::String(s)) => std::mem::take(s),
            _ => String::new(),
        },
        Some((name, other)) => {
            return Err(format!(
                "field `{name}` must be a string, found {}",
                kind_of(other)
            ))
        }
        None => {
            return Err(format!(
                "no article text: none of the fields {} is present",
                TEXT_FIELDS.join(", ")
            ))
        }
    };
    if text.trim().is_empty() {
        return Err("empty article text".into());
    }
    let id = first_field(map, ID_FIELDS)
        .and_then(|(_, v)| scalar_string(v))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback_id.to_string());
    Ok(RawArticle {
        id,
        text,
        title: string_field(map, TITLE_FIELDS),
        url: string_field(map, URL_FIELDS),
        outlet: string_field(map, OUTLET_FIELDS),
        published: string_field(map, PUBLISHED_FIELDS),
        author: string_field(map, AUTHOR_FIELDS),
    })
}

fn first_field<'a>(
    map: &'a Map<String, Value>,
    names: &[&'static str],
) -> Option<(&'static str, &'a Value)> {
    names
        .iter()
        .find_map(|&n| map.get(n).filter(|v| !v.is_null()).map(|v| (n, v)))
}

/// A field as text: strings as they are, numbers printed, arrays of strings joined with ", ",
/// objects by their `name` (as in `"source": {"id": "x", "name": "Outlet"}`).
fn string_field(map: &Map<String, Value>, names: &[&'static str]) -> Option<String> {
    let (_, value) = first_field(map, names)?;
    let s = match value {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_string).collect();
            parts.join(", ")
        }
        Value::Object(obj) => obj.get("name").and_then(scalar_string)?,
        other => scalar_string(other)?,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_field_names() {
        let a = article_from_json_line(
            br#"{"id": 7, "content": "Body.", "headline": "H", "link": "http://x", "source": {"id": "s", "name": "The Gazette"}, "date": "2020-01-02", "authors": ["A. B", "C. D"]}"#,
            "f:1",
        )
        .unwrap();
        assert_eq!(a.id, "7");
        assert_eq!(a.text, "Body.");
        assert_eq!(a.title.as_deref(), Some("H"));
        assert_eq!(a.url.as_deref(), Some("http://x"));
        assert_eq!(a.outlet.as_deref(), Some("The Gazette"));
        assert_eq!(a.published.as_deref(), Some("2020-01-02"));
        assert_eq!(a.author.as_deref(), Some("A. B, C. D"));
    }

    #[test]
    fn missing_id_uses_fallback_and_text_is_verbatim() {
        let a = article_from_json_line(br#"{"text": "  two\u00a0spaces  "}"#, "f:3").unwrap();
        assert_eq!(a.id, "f:3");
        assert_eq!(a.text, "  two\u{a0}spaces  ");
    }

    #[test]
    fn rejects_with_reasons() {
        let cases: &[(&[u8], &str)] = &[
            (br#"{"id": 1, "text": "a""#, "broken JSON"),
            (br#"[1, 2]"#, "expected a JSON object"),
            (br#"{"id": 1}"#, "no article text"),
            (br#"{"id": 1, "text": 5}"#, "must be a string"),
            (br#"{"id": 1, "text": "   "}"#, "empty article text"),
            (b"{\"text\": \"caf\xe9\"}", "invalid UTF-8"),
        ];
        for (line, want) in cases {
            let err = article_from_json_line(line, "f:1").unwrap_err();
            assert!(err.contains(want), "{err} should mention {want}");
        }
    }
}
