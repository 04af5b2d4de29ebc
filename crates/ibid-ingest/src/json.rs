//! JSON records to articles, accepting the field names common in scraped-news datasets.

use ibid_core::RawArticle;
use serde_json::{Map, Value};

use crate::{Warning, WARNING_VALUE_BYTES};

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

/// Parses one JSONL line into an article (see [`record_from_json_line`]; warnings dropped).
pub fn article_from_json_line(bytes: &[u8], id_prefix: &str) -> Result<RawArticle, String> {
    record_from_json_line(bytes, id_prefix).map(|(a, _)| a)
}

/// Parses one JSONL line into an article and the warnings about values it could not use.
///
/// A record without a usable id gets `ID_PREFIX:HASH`, the hash taken over its content (text
/// and metadata): the same record read again, from any file, gets the same id, and two
/// different records never share one, even when files of the same name in different folders
/// (`day1/articles.jsonl`, `day2/articles.jsonl`) hold them on the same line. An id that is
/// there but unusable (an object, an array, empty) is reported as a warning with its value.
pub fn record_from_json_line(
    bytes: &[u8],
    id_prefix: &str,
) -> Result<(RawArticle, Vec<Warning>), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} of the line; convert the file to UTF-8",
            e.valid_up_to()
        )
    })?;
    // A byte-order mark is an encoding marker (editors put one at the start of a file), not
    // part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text.trim_end_matches('\r'))
        .map_err(|e| format!("broken JSON: {e}"))?;
    match value {
        Value::Object(map) => article_from_json_map(map, id_prefix),
        other => Err(format!(
            "expected a JSON object per line, found {}",
            kind_of(&other)
        )),
    }
}

/// Builds an article from a JSON object. Text is required; every other field is optional.
/// `id_prefix` starts the id of a record without one (see [`record_from_json_line`]).
pub fn article_from_json(map: &Map<String, Value>, id_prefix: &str) -> Result<RawArticle, String> {
    article_from_json_map(map.clone(), id_prefix).map(|(a, _)| a)
}

/// [`article_from_json`] on an owned object, so the text (most of the bytes) is moved, not
/// copied; with the warnings.
fn article_from_json_map(
    mut map: Map<String, Value>,
    id_prefix: &str,
) -> Result<(RawArticle, Vec<Warning>), String> {
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
    let mut warnings = Vec::new();
    let mut field = |names: &[&'static str]| string_field(map, names, &mut warnings);
    let mut article = RawArticle {
        id: String::new(),
        text,
        title: field(TITLE_FIELDS),
        url: field(URL_FIELDS),
        outlet: field(OUTLET_FIELDS),
        published: field(PUBLISHED_FIELDS),
        author: field(AUTHOR_FIELDS),
    };
    let given = first_field(map, ID_FIELDS);
    let id = given
        .and_then(|(_, v)| scalar_string(v))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    article.id = match id {
        Some(id) => id,
        None => {
            let id = content_id(id_prefix, &article);
            if let Some((name, value)) = given {
                warnings.push(Warning {
                    field: name.to_string(),
                    value: raw_value(value),
                    message: format!(
                        "{} is not an id (a string or number); the record was given id {id}",
                        kind_of(value)
                    ),
                });
            }
            id
        }
    };
    Ok((article, warnings))
}

/// `PREFIX:HASH` for a record without an id: xxh3-64 over its content fields, each with a
/// presence byte and a length prefix so that no two different records run together.
fn content_id(prefix: &str, a: &RawArticle) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    a.feed_content(|b| h.update(b));
    format!("{prefix}:{:016x}", h.digest())
}

/// A value as JSON text, cut to [`WARNING_VALUE_BYTES`].
fn raw_value(v: &Value) -> String {
    warning_value(&v.to_string())
}

/// A value as kept in a [`Warning`]: cut to [`WARNING_VALUE_BYTES`] at a character boundary,
/// with `…` where it was cut.
pub fn warning_value(value: &str) -> String {
    if value.len() <= WARNING_VALUE_BYTES {
        return value.to_string();
    }
    let mut end = WARNING_VALUE_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
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
/// objects by their `name` (as in `"source": {"id": "x", "name": "Outlet"}`). A value that
/// gives no text this way (an object without a name, an array of objects) is left out with a
/// warning that keeps it.
fn string_field(
    map: &Map<String, Value>,
    names: &[&'static str],
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let (name, value) = first_field(map, names)?;
    let s = match value {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_string).collect();
            let unusable = parts.len() < items.len();
            let s = parts.join(", ");
            if unusable {
                warnings.push(Warning {
                    field: name.to_string(),
                    value: raw_value(value),
                    message: format!(
                        "{} of its {} items are not text and were left out",
                        items.len() - parts.len(),
                        items.len()
                    ),
                });
            }
            s
        }
        Value::Object(obj) => match obj.get("name").and_then(scalar_string) {
            Some(s) => s,
            None => {
                warnings.push(Warning {
                    field: name.to_string(),
                    value: raw_value(value),
                    message: "an object without a `name`; the field was left empty".into(),
                });
                return None;
            }
        },
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
    fn missing_id_is_made_from_the_content_and_text_is_verbatim() {
        let a = article_from_json_line(br#"{"text": "  two\u00a0spaces  "}"#, "f").unwrap();
        assert!(a.id.starts_with("f:") && a.id.len() == 2 + 16, "{}", a.id);
        assert_eq!(a.text, "  two\u{a0}spaces  ");
        // The same record (keys in another order) gets the same id; another record another.
        let again =
            article_from_json_line(br#"{"title": null, "text": "  two\u00a0spaces  "}"#, "f")
                .unwrap();
        assert_eq!(again.id, a.id);
        let other =
            article_from_json_line(br#"{"text": "  two\u00a0spaces  ", "title": "T"}"#, "f")
                .unwrap();
        assert_ne!(other.id, a.id);
    }

    #[test]
    fn unusable_ids_and_fields_are_warned_about_with_their_values() {
        let (a, w) = record_from_json_line(
            br#"{"id": {"oid": 5}, "text": "Body.", "source": {"id": "x"}, "authors": [{"n": 1}, "A. B"]}"#,
            "f",
        )
        .unwrap();
        assert!(a.id.starts_with("f:"));
        assert_eq!(a.outlet, None);
        assert_eq!(a.author.as_deref(), Some("A. B"));
        let got: Vec<(&str, &str)> = w
            .iter()
            .map(|w| (w.field.as_str(), w.value.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("source", r#"{"id":"x"}"#),
                ("authors", r#"[{"n":1},"A. B"]"#),
                ("id", r#"{"oid":5}"#)
            ]
        );
        assert!(w[2].message.contains(&a.id), "{}", w[2].message);
    }

    #[test]
    fn a_byte_order_mark_opens_a_record_not_an_error() {
        let a = article_from_json_line("\u{feff}{\"id\": \"b\", \"text\": \"x\"}".as_bytes(), "f")
            .unwrap();
        assert_eq!(a.id, "b");
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
