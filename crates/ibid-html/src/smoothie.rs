//! `dom_smoothie` (a Rust port of Mozilla Readability) behind [`Extractor`].

use crate::meta::{extract_meta, fill_from_url};
use crate::strip::strip_noise;
use crate::{cap_input, Extractor, HtmlArticle, HtmlError, DEFAULT_MAX_HTML_BYTES};
use dom_smoothie::ParsePolicy;

/// Readability-style extraction via `dom_smoothie`, plus our metadata reader.
#[derive(Debug, Clone)]
pub struct SmoothieExtractor {
    /// Input cap in bytes, see [`DEFAULT_MAX_HTML_BYTES`].
    pub max_bytes: usize,
    /// ibid's improvements on: scripts/styles/comments cut before parsing,
    /// boilerplate blocks (figures, share bars, comment threads...) removed
    /// before Readability runs, and byline/label/promo paragraphs after it.
    /// Off = the crate bare (white space normalised only).
    pub preclean: bool,
}

impl Default for SmoothieExtractor {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_HTML_BYTES,
            preclean: true,
        }
    }
}

impl Extractor for SmoothieExtractor {
    fn extract(&self, html: &str, url: Option<&str>) -> Result<HtmlArticle, HtmlError> {
        let (html, truncated) = cap_input(html, self.max_bytes);
        // Byte-level noise removal is part of our improvements, so the bare
        // configuration (preclean off) measures the crate untouched.
        let stripped;
        let html = if self.preclean {
            stripped = strip_noise(html);
            stripped.as_str()
        } else {
            html
        };
        // Parse and extraction cost grow with nesting depth faster than with size: a page
        // deeper than browsers allow is refused before the parser and again after it.
        crate::limits::check_nesting(html, crate::MAX_NESTING_DEPTH)?;
        let doc = dom_query::Document::from(html);
        crate::limits::check_tree_depth(&doc, crate::MAX_NESTING_DEPTH)?;
        let mut meta = extract_meta(&doc);
        fill_from_url(&mut meta, url);
        meta.body = None;
        // dom_smoothie rejects relative or malformed URLs; they only matter
        // for link rewriting, which we do not use, so drop them.
        let abs = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
        let raw = if self.preclean {
            preclean(&doc);
            // Readability's multi-pass `parse` clones the whole tree before
            // its first pass in case it must retry with looser rules; most
            // pages pass on the first (strict) try, so try that alone and
            // rebuild the tree only for the rest.
            match readability(doc, abs, Some(ParsePolicy::Strict), true) {
                Some(t) if normalized_len(&t) >= dom_smoothie::Config::default().char_threshold => {
                    Some(t)
                }
                _ => {
                    let doc = dom_query::Document::from(html);
                    preclean(&doc);
                    readability(doc, abs, None, true)
                }
            }
        } else {
            readability(doc, abs, None, false)
        };
        // "Could not extract" is an empty article, not an error of the page.
        // The bare configuration gets white-space normalisation only, so it
        // measures the crate itself.
        let text = raw
            .map(|t| {
                let t = normalise_paragraphs(&t);
                if self.preclean {
                    postfilter(&t)
                } else {
                    t
                }
            })
            .unwrap_or_default();
        // JSON-LD `articleBody` was tried as a replacement when longer: it
        // lowered Zyte F1 (0.965 -> 0.961; often teaser-only or unsegmented).
        Ok(HtmlArticle {
            text,
            title: meta.title,
            author: meta.author,
            published: meta.published,
            outlet: meta.outlet,
            url: meta.url.or_else(|| url.map(str::to_string)),
            section: meta.section,
            truncated,
        })
    }
}

/// Run Readability on `doc`: one pass with `policy`, or its full
/// multi-pass search when `None`. `None` when it finds no article.
fn readability(
    doc: dom_query::Document,
    url: Option<&str>,
    policy: Option<ParsePolicy>,
    ours: bool,
) -> Option<String> {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        // Metadata comes from our own reader (`meta.rs`); the bare crate keeps its default.
        disable_json_ld: ours,
        ..Default::default()
    };
    let mut r = dom_smoothie::Readability::with_document(doc, url, Some(cfg)).ok()?;
    let article = match policy {
        Some(p) => r.parse_with_policy(p),
        None => r.parse(),
    }
    .ok()?;
    Some(article.text_content.to_string())
}

/// Characters of `text` with white-space runs counted once, as Readability
/// measures an attempt's length.
fn normalized_len(text: &str) -> usize {
    let mut n = 0;
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                n += 1;
            }
            in_space = true;
        } else {
            n += 1;
            in_space = false;
        }
    }
    n
}

/// Collapse whitespace inside lines and make paragraphs `\n\n`-separated.
pub(crate) fn normalise_paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&line);
    }
    out
}

/// Class/id words that mark page furniture rather than article text.
/// Matched against whole words of `class`/`id` (split on non-alphanumerics).
const BOILER_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "recommendations",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "caption",
    "credit",
    "credits",
    "byline",
    "dateline",
    "timestamp",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "tag",
    "comments",
    "comment",
    "sidebar",
    "popular",
    "trending",
    "toolbar",
    "signup",
    "disclaimer",
    "author",
    "meta",
    "date",
    "published",
    "updated",
];

/// A matched block holding more text than this is kept anyway: class names
/// like `post-meta-wrapper` sometimes sit on the article container itself.
const BOILER_MAX_TEXT: usize = 1500;

/// Remove blocks Readability would keep but an editor would not: figures and
/// captions, asides, navigation, footers, small blocks whose class/id says
/// share bar, related links, byline, caption, etc., comment threads, and
/// short link lists.
///
/// One post-order walk computes every element's text, link-text and `<p>`
/// text sizes bottom-up (the old version called `text()` per candidate,
/// quadratic in depth), then the decisions are made with page totals known.
fn preclean(doc: &dom_query::Document) {
    let root = doc.root();
    let mut stack: Vec<Frame> = vec![Frame {
        node: root,
        next: root.first_child(),
        stat: Stat::default(),
        kind: Kind::Other,
    }];
    let mut found: Vec<(dom_query::NodeId, Kind, Stat)> = Vec::new();
    let mut dropped: Vec<dom_query::NodeId> = Vec::new();
    let mut page = Stat::default();
    let mut attrs = String::new();
    while let Some(top) = stack.last_mut() {
        if let Some(child) = top.next.take() {
            top.next = child.next_sibling();
            let kind = child
                .query(|n| classify(n, &mut attrs))
                .unwrap_or(Kind::Skip);
            match kind {
                Kind::Text(n) => top.stat.text += n,
                Kind::Skip => {}
                Kind::Drop => dropped.push(child.id),
                _ => {
                    let next = child.first_child();
                    stack.push(Frame {
                        node: child,
                        next,
                        stat: Stat::default(),
                        kind,
                    });
                }
            }
            continue;
        }
        let Some(done) = stack.pop() else { break };
        let mut stat = done.stat;
        match done.kind {
            Kind::Link => stat.link = stat.text,
            Kind::Para => {
                stat.para = stat.text;
                found.push((done.node.id, Kind::Dense, stat));
            }
            Kind::Title => stat.title = true,
            // A comment thread goes whatever its size (threads can outgrow
            // the article), unless it holds the headline and so is the
            // article's own container. Its text does not count towards the
            // page's paragraph total, which decides what the article is.
            Kind::Comments if !stat.title => {
                dropped.push(done.node.id);
                continue;
            }
            Kind::Boiler | Kind::Dense => found.push((done.node.id, done.kind, stat)),
            _ => {}
        }
        match stack.last_mut() {
            Some(parent) => parent.stat.add(&stat),
            None => page = stat,
        }
    }
    // A block holding most of the page's paragraph text is the article's
    // own container, whatever its class says (`main-with-sidebar`,
    // `post-meta-wrapper`): short articles fall under the size cap.
    let holds_article = |st: &Stat| st.para * 2 > page.para;
    for (id, kind, stat) in found {
        let doomed = match kind {
            Kind::Boiler => stat.text <= BOILER_MAX_TEXT && !holds_article(&stat),
            // Short blocks that are mostly link text ("Related: ...", lists of
            // other stories). Measured: F1 0.967 -> 0.969; 0.6 cut recall, 0.95 kept too much.
            Kind::Dense => {
                stat.text > 0
                    && stat.text <= DENSE_MAX_TEXT
                    && stat.link as f64 > LINK_DENSITY_MAX * stat.text as f64
            }
            _ => false,
        };
        if doomed {
            dropped.push(id);
        }
    }
    for id in dropped {
        dom_query::NodeRef::new(id, &doc.tree).remove_from_parent();
    }
}

/// Sizes of an element's text, counted in non-whitespace bytes.
#[derive(Debug, Default, Clone, Copy)]
struct Stat {
    /// All text.
    text: usize,
    /// Text inside `<a>`.
    link: usize,
    /// Text inside `<p>`.
    para: usize,
    /// Holds an `<h1>`.
    title: bool,
}

impl Stat {
    fn add(&mut self, o: &Stat) {
        self.text += o.text;
        self.link += o.link;
        self.para += o.para;
        self.title |= o.title;
    }
}

/// What [`preclean`] makes of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text node with this many non-whitespace bytes.
    Text(usize),
    /// Not walked (comments, scripts, styles).
    Skip,
    /// Removed whatever it holds (figure, aside, nav, footer).
    Drop,
    /// Class/id says furniture.
    Boiler,
    /// Class/id says comment thread.
    Comments,
    /// Block checked for link density.
    Dense,
    /// `<a>`.
    Link,
    /// `<p>`.
    Para,
    /// `<h1>`.
    Title,
    /// Any other element.
    Other,
}

struct Frame<'a> {
    node: dom_query::NodeRef<'a>,
    next: Option<dom_query::NodeRef<'a>>,
    stat: Stat,
    kind: Kind,
}

/// Class/id words that mark a comment thread.
const COMMENT_WORDS: &[&str] = &["comments", "comment", "commentlist", "disqus"];

/// Blocks longer than this (non-whitespace bytes) are not judged by link density.
const DENSE_MAX_TEXT: usize = 330;

/// Kind of one node; `attrs` is a scratch buffer reused across calls.
fn classify(n: &dom_query::TreeNode, attrs: &mut String) -> Kind {
    use dom_query::NodeData;
    let el = match &n.data {
        NodeData::Text { contents } => {
            return Kind::Text(
                contents
                    .bytes()
                    .filter(|b| !b.is_ascii_whitespace())
                    .count(),
            )
        }
        NodeData::Element(el) => el,
        _ => return Kind::Skip,
    };
    let name: &str = &el.name.local;
    match name {
        "script" | "style" | "noscript" | "template" => return Kind::Skip,
        "figure" | "figcaption" | "aside" | "nav" | "footer" => return Kind::Drop,
        _ => {}
    }
    attrs.clear();
    for a in &el.attrs {
        let k: &str = &a.name.local;
        if k == "class" || k == "id" {
            attrs.push(' ');
            attrs.push_str(&a.value);
        }
    }
    if !attrs.is_empty() {
        attrs.make_ascii_lowercase();
        let (mut comment, mut boiler) = (false, false);
        for w in attrs.split(|c: char| !c.is_ascii_alphanumeric()) {
            comment |= COMMENT_WORDS.contains(&w);
            boiler |= BOILER_WORDS.contains(&w);
        }
        if comment && !matches!(name, "body" | "html" | "main" | "article") {
            return Kind::Comments;
        }
        if boiler || BOILER_PARTS.iter().any(|p| attrs.contains(p)) {
            return Kind::Boiler;
        }
    }
    match name {
        "a" => Kind::Link,
        "p" => Kind::Para,
        "h1" => Kind::Title,
        "li" | "ul" | "ol" | "h2" | "h3" | "h4" | "h5" | "h6" | "div" | "center" | "section"
        | "table" => Kind::Dense,
        _ => Kind::Other,
    }
}

/// Share of a short block's text inside links above which it is dropped.
const LINK_DENSITY_MAX: f64 = 0.8;

/// Substrings of class/id that mark furniture even inside compound names
/// (`imageEmbedCaption`, `socialShareBar`).
const BOILER_PARTS: &[&str] = &[
    "caption",
    "share",
    "social",
    "related",
    "newsletter",
    "byline",
    "breadcrumb",
    "promo",
    "advert",
    "sidebar",
    "subscribe",
    // Hover cards and pop-ups inlined in the text (name tooltips, link previews).
    "rollover",
    "tooltip",
    "popover",
    "popup",
    "hovercard",
];

/// Words that open a byline or time-stamp line ("By ...", "Updated ...").
const STAMP_OPENERS: &[&str] = &[
    "by",
    "updated",
    "published",
    "posted",
    "last",
    "modified",
    "photo",
    "image",
];

/// Drop short byline / time-stamp paragraphs that survive block selection.
/// Other line rules were measured and left out because they lowered F1:
/// repeated short lines (-0.002), all-caps kickers (-0.001), one-word lines (-0.002).
#[cfg(test)]
pub(crate) fn postfilter_for_tests(text: &str) -> String {
    postfilter(text)
}

fn postfilter(text: &str) -> String {
    let total = text.len();
    let mut pos = 0;
    let mut kept: Vec<&str> = Vec::new();
    for p in text.split("\n\n") {
        let start = pos;
        pos += p.len() + 2;
        let lower = p.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if !keep_paragraph(p, &words, start * 2 >= total) {
            continue;
        }
        kept.push(p);
    }
    kept.join("\n\n")
}

/// One paragraph's verdict; `words` are its lower-cased words, `in_tail`
/// says it starts in the second half of the text.
fn keep_paragraph(p: &str, words: &[&str], in_tail: bool) -> bool {
    let n = words.len();
    let has = |phrase: &[&str]| words.windows(phrase.len()).any(|w| w == phrase);
    // Section labels and widget titles ("Advert", "TRENDING:", "You may also
    // like", "DON'T MISS"): a few words, no sentence end, UI vocabulary.
    // Measured on Zyte: F1 +0.001 (both halves).
    let ends_sentence = p.trim_end().ends_with(['.', '!', '?']);
    if n <= 4 && !ends_sentence && LABELS.iter().any(|l| has(l)) {
        return false;
    }
    // Promotions and legal lines after the article: newsletter and
    // subscription pitches, "follow him on", copyright notices. Only in the
    // second half and only short, because articles about subscriptions exist.
    if in_tail && n <= 40 && (p.contains('\u{a9}') || PROMOS.iter().any(|l| has(l))) {
        return false;
    }
    if n > 12 {
        return true;
    }
    if words.first().is_some_and(|w| STAMP_OPENERS.contains(w)) {
        return false;
    }
    let has_clock = p
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    !(has_clock && n <= 10)
}

/// Word sequences that make a short, unpunctuated paragraph a UI label.
const LABELS: &[&[&str]] = &[
    &["advert"],
    &["advertisement"],
    &["sponsored"],
    &["trending"],
    &["related"],
    &["comments"],
    &["subscribe"],
    &["share"],
    &["loading"],
    &["also", "like"],
    &["don", "t", "miss"],
    &["read", "more"],
];

/// Word sequences of promotional or legal lines at the end of a page.
const PROMOS: &[&[&str]] = &[
    &["sign", "up"],
    &["subscribe"],
    &["newsletter"],
    &["newsletters"],
    &["inbox"],
    &["follow", "us"],
    &["follow", "him"],
    &["follow", "her"],
    &["follow", "me"],
    &["follow", "them"],
    &["share", "it"],
    &["get", "access"],
    &["copyright"],
    &["all", "rights", "reserved"],
];
