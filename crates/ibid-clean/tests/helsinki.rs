//! Real scraped pages: the Helsinki day (`../shared/data/helsinki/articles.jsonl`, 612 pages
//! from 75 outlets, with their page clutter) cleaned as the pipeline cleans them, then checked
//! for the kinds of clutter a reader must not see in a cleaned text or a title. The checks are
//! general patterns (program code, widget greetings, site names on a line of their own,
//! subscription prompts, share bars, credited picture captions, bylines left in the body,
//! titles that are buttons, dates, bylines or the site's name), never strings of this data set.
//! Skipped, with a visible note, when `../shared` is absent.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use ibid_clean::{clean, LineIndex};
use ibid_core::RawArticle;
use regex::Regex;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

/// A note on the terminal even though the test harness captures `eprintln!`.
fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn load() -> Option<Vec<RawArticle>> {
    let path = PathBuf::from(SHARED).join("data/helsinki/articles.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        note(&format!(
            "SKIPPED helsinki clutter check: {} is absent",
            path.display()
        ));
        return None;
    };
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().map(str::to_string);
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
                RawArticle {
                    id: v["id"].to_string(),
                    text: field(&v, "text").unwrap_or_default(),
                    title: field(&v, "title"),
                    outlet: field(&v, "source"),
                    published: field(&v, "date"),
                    ..RawArticle::default()
                }
            })
            .collect(),
    )
}

/// Clutter in a paragraph of cleaned text, by kind.
fn paragraph_checks() -> Vec<(&'static str, Regex)> {
    let r = |s: &str| Regex::new(s).expect("valid check regex");
    vec![
        (
            "program code",
            r(r"window\.\w+\s*=|function\s*\(|\}\s*\)\s*;|\bvar \w+\s*=|\.push\(\{"),
        ),
        ("a lone exclamation word", r(r"^\w+!$")),
        (
            "a site's domain on a short line",
            r(r"(?:^|[\s|(])[A-Za-z0-9-]+\.(com|net|org)(?:$|[\s|),:•])"),
        ),
        (
            "a subscription prompt",
            r(
                r"(?i)^(subscribe|sign me up|sign up|get (unlimited|full) (digital )?access|try (one|1) month)\b",
            ),
        ),
        (
            "a share bar",
            r(
                r"^(?:[A-Z+]*(?:TWEET|SHARE|EMAIL|LINKEDIN|FACEBOOK|COMMENT)[A-Z+]*\s*|[A-Z+]+\s+){3,}$",
            ),
        ),
        (
            "a credited picture caption",
            r(
                r"\([^()]*(\b[Pp]hoto\b|/[^()]*\b(AP|AFP|Reuters|Getty)\b|\bvia (AP|AFP|Reuters|Getty))[^()]*\)|\|\s*(AP|AFP|Reuters|Getty)?\s*[Pp]hoto\b|^(AP|AFP|Reuters|EPA) Photo\s*/|[^.!?]\s(AP|AFP|Reuters|EPA) Photo$",
            ),
        ),
    ]
}

/// Titles that are not headlines.
fn title_checks() -> Vec<(&'static str, Regex)> {
    let r = |s: &str| Regex::new(s).expect("valid check regex");
    vec![
        (
            "a button",
            r(r"(?i)^(share|print|comments?|fullscreen|edit|menu|search|home|next|more)$"),
        ),
        ("no words", r(r"^\W*(\w\W*){0,3}$")),
        (
            "a date or forecast line",
            r(r"(?i)forecast$|^(mon|tues|wednes|thurs|fri|satur|sun)day, \w+ \d"),
        ),
        (
            "a prompt",
            r(r"(?i)^(enter|please|tap here|click here|get breaking|to find out more|sign up)\b"),
        ),
        ("a byline", r(r"(?i)^by [A-Z]")),
    ]
}

/// The outlet's own name as a title (`The Example Times` for `exampletimes.com`).
fn is_outlet_name(title: &str, outlet: &str) -> bool {
    let key = |s: &str| -> String {
        let s = s.to_lowercase();
        let s = s.split('/').next().unwrap_or("");
        let s = s.trim_end_matches(".com").trim_end_matches(".co.uk");
        let s: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
        s.trim_start_matches("the").to_string()
    };
    !key(title).is_empty() && key(title) == key(outlet)
}

#[test]
fn helsinki_cleaned_texts_and_titles_hold_no_page_clutter() {
    let Some(raws) = load() else { return };
    let mut index = LineIndex::default();
    for r in &raws {
        index.add(r);
    }
    let checks = paragraph_checks();
    let titles = title_checks();
    let byline = Regex::new(r"^By [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}\b").unwrap();
    let mut found: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut non_articles = 0;
    for raw in &raws {
        let c = clean(raw, &index);
        non_articles += usize::from(c.non_article.is_some());
        for p in c
            .text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            for (name, rx) in &checks {
                let hit = match *name {
                    "a site's domain on a short line" => {
                        p.chars().count() <= 60 && !p.contains('@') && rx.is_match(p)
                    }
                    "a share bar" => p.split_whitespace().count() <= 8 && rx.is_match(p),
                    _ => rx.is_match(p),
                };
                if hit {
                    found
                        .entry(name)
                        .or_default()
                        .push(format!("{}: {p}", raw.id));
                }
            }
            if c.author.is_none() && p.split_whitespace().count() <= 16 && byline.is_match(p) {
                found
                    .entry("a byline left in the body")
                    .or_default()
                    .push(format!("{}: {p}", raw.id));
            }
        }
        if let Some(t) = &c.title {
            for (name, rx) in &titles {
                if rx.is_match(t) {
                    found
                        .entry(name)
                        .or_default()
                        .push(format!("{}: title {t:?}", raw.id));
                }
            }
            let suffix = t.rsplit_once(" | ").map_or(t.as_str(), |(_, s)| s);
            if raw
                .outlet
                .as_deref()
                .is_some_and(|o| is_outlet_name(t, o) || is_outlet_name(suffix, o))
            {
                found
                    .entry("the outlet's name as title")
                    .or_default()
                    .push(format!("{}: title {t:?}", raw.id));
            }
        }
    }
    note(&format!(
        "helsinki: {} pages cleaned, {non_articles} judged not articles; clutter found: {}",
        raws.len(),
        if found.is_empty() {
            "none".to_string()
        } else {
            found
                .iter()
                .map(|(k, v)| format!("{k} {}", v.len()))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    assert!(
        found.is_empty(),
        "page clutter left in cleaned Helsinki pages:\n{}",
        found
            .iter()
            .flat_map(|(k, v)| v.iter().take(5).map(move |x| format!("  {k}: {x}")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
