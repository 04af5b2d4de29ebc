//! Page metadata from `<meta>`/`<link>` tags and schema.org JSON-LD.

use dom_query::Document;
use serde_json::Value;

/// Metadata found in a page head (and JSON-LD blocks anywhere).
#[derive(Debug, Default, Clone)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    /// JSON-LD `articleBody`, when a page ships the full text there.
    pub body: Option<String>,
}

/// schema.org types whose properties describe the page's article.
const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "report",
];

pub(crate) fn extract_meta(doc: &Document) -> Meta {
    let mut m = Meta::default();
    json_ld(doc, &mut m);
    let mut metas: Vec<(String, String)> = Vec::new();
    for node in doc.select("meta").nodes() {
        let key = node
            .attr("property")
            .or_else(|| node.attr("name"))
            .or_else(|| node.attr("itemprop"));
        let (Some(key), Some(content)) = (key, node.attr("content")) else {
            continue;
        };
        let content = clean(&content);
        if !content.is_empty() {
            metas.push((key.to_ascii_lowercase(), content));
        }
    }
    let get = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };
    if m.title.is_none() {
        m.title = get(&["og:title", "twitter:title", "dc.title", "headline"]).or_else(|| {
            let t = clean(&doc.select("title").text());
            (!t.is_empty()).then_some(t)
        });
    }
    if m.author.is_none() {
        m.author = get(&[
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "parsely-author",
            "sailthru.author",
        ])
        .filter(|a| !a.starts_with("http"))
        .map(|a| {
            a.trim_start_matches("By ")
                .trim_start_matches("by ")
                .to_string()
        });
    }
    if m.published.is_none() {
        m.published = get(&[
            "article:published_time",
            "datepublished",
            "og:article:published_time",
            "pubdate",
            "publishdate",
            "publish-date",
            "dc.date.issued",
            "dc.date",
            "date",
            "sailthru.date",
            "parsely-pub-date",
        ])
        .or_else(|| {
            doc.select("time[datetime]")
                .nodes()
                .first()
                .and_then(|n| n.attr("datetime"))
                .map(|s| clean(&s))
        });
    }
    if m.outlet.is_none() {
        m.outlet = get(&["og:site_name", "application-name", "publisher"]);
    }
    if m.section.is_none() {
        m.section = get(&["article:section", "section", "parsely-section"]);
    }
    let canonical = doc
        .select("link[rel=canonical]")
        .nodes()
        .first()
        .and_then(|n| n.attr("href"))
        .map(|s| clean(&s))
        .filter(|s| !s.is_empty());
    m.url = canonical.or_else(|| get(&["og:url"])).or(m.url);
    m
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_ld(doc: &Document, m: &mut Meta) {
    for node in doc.select("script[type='application/ld+json']").nodes() {
        let raw = node.text();
        let raw = raw
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim_start_matches("//<![CDATA[")
            .trim_end_matches("//]]>")
            .trim();
        let Ok(v) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        visit(&v, m, 0);
    }
}

fn is_article(v: &Value) -> bool {
    let t = &v["@type"];
    let matches = |s: &str| ARTICLE_TYPES.contains(&s.to_ascii_lowercase().as_str());
    match t {
        Value::String(s) => matches(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

fn visit(v: &Value, m: &mut Meta, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| visit(x, m, depth + 1)),
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                visit(g, m, depth + 1);
            }
            if is_article(v) {
                take_article(v, m);
            } else if let Some(e) = o.get("mainEntity") {
                visit(e, m, depth + 1);
            }
        }
        _ => {}
    }
}

fn take_article(v: &Value, m: &mut Meta) {
    let s = |x: &Value| x.as_str().map(clean).filter(|s| !s.is_empty());
    if m.title.is_none() {
        m.title = s(&v["headline"]).or_else(|| s(&v["name"]));
    }
    if m.published.is_none() {
        m.published = s(&v["datePublished"]).or_else(|| s(&v["dateCreated"]));
    }
    if m.author.is_none() {
        m.author = names(&v["author"]).or_else(|| names(&v["creator"]));
    }
    if m.outlet.is_none() {
        m.outlet = names(&v["publisher"]);
    }
    if m.section.is_none() {
        m.section = match &v["articleSection"] {
            Value::Array(a) => a.iter().find_map(s),
            x => s(x),
        };
    }
    if m.url.is_none() {
        m.url = s(&v["url"]).or_else(|| match &v["mainEntityOfPage"] {
            Value::Object(o) => o.get("@id").and_then(s),
            x => s(x),
        });
    }
    if let Some(body) = v["articleBody"].as_str() {
        let body = body.trim();
        if m.body.as_ref().is_none_or(|b| b.len() < body.len()) && !body.is_empty() {
            m.body = Some(body.to_string());
        }
    }
}

/// `"Name"`, `{"name": ..}` or an array of those, joined with ", ".
fn names(v: &Value) -> Option<String> {
    let one = |x: &Value| -> Option<String> {
        match x {
            Value::String(s) => Some(clean(s)),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(clean),
            _ => None,
        }
        .filter(|s| !s.is_empty() && !s.starts_with("http"))
    };
    match v {
        Value::Array(a) => {
            let all: Vec<String> = a.iter().filter_map(one).collect();
            (!all.is_empty()).then(|| all.join(", "))
        }
        x => one(x),
    }
}
