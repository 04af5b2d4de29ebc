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
            // `itemprop` may hold several names: `datePublished dateCreated`.
            for k in key.split_whitespace() {
                metas.push((k.to_ascii_lowercase(), content.clone()));
            }
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
            "article:published",
            "og:published_time",
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
            "pdate",
        ])
        .filter(|d| plausible_date(d))
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

/// Fills what the page's own metadata left empty from its address: the publication date a
/// news URL carries in its path (`/2024/03/04/`, `/2024/mar/04/`), and the site as the outlet
/// (`www.example.com` -> `example.com`).
pub(crate) fn fill_from_url(m: &mut Meta, url: Option<&str>) {
    let Some(url) = m.url.clone().or_else(|| url.map(str::to_string)) else {
        return;
    };
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host
        .split([':', '@'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if m.outlet.is_none() && host.contains('.') {
        m.outlet = Some(host.trim_start_matches("www.").to_string());
    }
    if m.published.as_deref().is_none_or(|d| !plausible_date(d)) {
        m.published = date_in_path(path);
    }
}

/// A date in a URL path: `2024/03/04`, `2024/mar/04` or `2024-03-04` as path segments.
fn date_in_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '?', '#']).collect();
    let month_of = |s: &str| -> Option<u32> {
        if let Ok(n) = s.parse::<u32>() {
            return (1..=12).contains(&n).then_some(n);
        }
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let l = s.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|m| l.len() >= 3 && l.starts_with(m))
            .map(|i| i as u32 + 1)
    };
    let year_of = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|y| s.len() == 4 && (1990..=2100).contains(y))
    };
    for w in parts.windows(3) {
        let (Some(y), Some(mo)) = (year_of(w[0]), month_of(w[1])) else {
            continue;
        };
        let day = w[2].get(..2).and_then(|d| d.parse::<u32>().ok());
        if let Some(d) = day.filter(|d| (1..=31).contains(d) && w[2].len() == 2) {
            return Some(format!("{y:04}-{mo:02}-{d:02}"));
        }
    }
    parts.iter().find_map(|p| {
        let b = p.as_bytes();
        (p.len() == 10 && b[4] == b'-' && b[7] == b'-')
            .then(|| {
                let (y, mo, d) = (
                    year_of(&p[..4])?,
                    month_of(&p[5..7])?,
                    p[8..].parse::<u32>().ok()?,
                );
                (1..=31)
                    .contains(&d)
                    .then(|| format!("{y:04}-{mo:02}-{d:02}"))
            })
            .flatten()
    })
}

/// Not a placeholder: some sites ship `0001-01-01T00:00:00Z` or the epoch for every page.
fn plausible_date(d: &str) -> bool {
    let year: Option<u32> = d
        .split(|c: char| !c.is_ascii_digit())
        .find(|p| p.len() == 4)
        .and_then(|p| p.parse().ok());
    year.is_none_or(|y| y >= 1990)
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_ld(doc: &Document, m: &mut Meta) {
    let mut others: Vec<Value> = Vec::new();
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
        others.push(v);
    }
    // A page typed as something else (a fact check, a medical page, a web page) still dates
    // and signs what it shows: take what the article types left empty from the first object
    // that has a publication date.
    for v in &others {
        fallback(v, m, 0);
    }
}

/// Publication date, publisher and author of the first JSON-LD object carrying a
/// `datePublished`, for fields still empty.
fn fallback(v: &Value, m: &mut Meta, depth: usize) {
    if depth > 6 || (m.published.is_some() && m.outlet.is_some()) {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| fallback(x, m, depth + 1)),
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                fallback(g, m, depth + 1);
            }
            let date = o
                .get("datePublished")
                .and_then(Value::as_str)
                .map(clean)
                .filter(|d| !d.is_empty() && plausible_date(d));
            if let Some(d) = date {
                if m.published.is_none() {
                    m.published = Some(d);
                }
                if m.outlet.is_none() {
                    m.outlet = names(&v["publisher"]);
                }
                if m.author.is_none() {
                    m.author = names(&v["author"]);
                }
            }
        }
        _ => {}
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
        m.published = s(&v["datePublished"])
            .or_else(|| s(&v["dateCreated"]))
            .filter(|d| plausible_date(d));
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
