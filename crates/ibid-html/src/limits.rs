//! Bounds on the cost of one page: a nesting-depth cap checked before and after parsing, and
//! a wall-clock budget for the whole extraction.
//!
//! html5ever's tree builder checks element scopes by walking the stack of open elements, and
//! Readability walks every node's ancestors while scoring: both are quadratic in nesting depth
//! or worse (a 1.1 MB page of 100,000 nested `<div>`s never finished; 8,000 levels took 42 s in
//! Readability alone). Browsers cap the tree at 512 levels (Chromium's and WebKit's HTML
//! parsers), and news pages stay far below it, so a deeper page is rejected with a reason
//! before the parser sees it.
//!
//! The pre-parse check is a byte scan that keeps a stack of open element names: end tags pop
//! to their match (searched among the top few entries only, so stray end tags cannot be used
//! to hide depth and the scan stays linear), void and self-closed elements do not nest, and
//! elements whose end tag is optional (`p`, `li`, `td`, …) close an open one of the same name
//! as the parser would. It can overestimate a sloppy page's depth a little, never hide a
//! real one by more than what the post-parse check of the tree catches.

use std::time::Duration;

use crate::{HtmlArticle, HtmlError};

/// Deepest element nesting accepted, as in Chromium's and WebKit's HTML parsers.
pub const MAX_NESTING_DEPTH: usize = 512;

/// Default wall-clock budget of one page's extraction (see [`extract_html_within`]). Pages
/// take milliseconds; this is a backstop for inputs that defeat the other bounds.
pub const DEFAULT_PAGE_BUDGET: Duration = Duration::from_secs(10);

/// How far down the stack an end tag looks for its element.
const END_TAG_SEARCH: usize = 64;

/// How far down the stack an optional-end element looks for an open one of its name.
const IMPLIED_END_SEARCH: usize = 8;

/// Elements that never have content.
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"keygen",
    b"frame",
    b"basefont",
    b"bgsound",
];

/// Elements whose end tag may be left out: a new one closes the open one.
const OPTIONAL_END: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"tr",
    b"td",
    b"th",
    b"option",
    b"optgroup",
    b"rb",
    b"rt",
    b"rtc",
    b"rp",
    b"thead",
    b"tbody",
    b"tfoot",
    b"colgroup",
    b"caption",
];

/// Roots of foreign (SVG, MathML) content, where `<x/>` closes itself.
const FOREIGN: &[&[u8]] = &[b"svg", b"math"];

/// Elements whose content is raw text: no tags inside until their own end tag.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
    b"plaintext",
];

/// Checks that `html` nests elements at most `limit` deep (estimated from the tags, see the
/// module docs); the error names the depth reached and where.
pub fn check_nesting(html: &str, limit: usize) -> Result<(), HtmlError> {
    let b = html.as_bytes();
    let mut stack: Vec<Name> = Vec::new();
    // `<svg>`/`<math>` elements open: only inside them does `<x/>` close itself (in HTML the
    // slash is ignored, so `<span/>` nests).
    let mut foreign = 0usize;
    let mut at = 0;
    while let Some(off) = memchr::memchr(b'<', &b[at..]) {
        let lt = at + off;
        at = lt + 1;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            at = memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |e| lt + 4 + e + 3);
            continue;
        }
        if rest.first().is_some_and(|c| *c == b'!' || *c == b'?') {
            at = memchr::memchr(b'>', rest).map_or(b.len(), |e| lt + 1 + e + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let Some(name) = Name::read(&b[name_start..]) else {
            continue; // a '<' in text
        };
        let Some(gt) = memchr::memchr(b'>', &b[name_start..]).map(|e| name_start + e) else {
            break; // an unterminated tag: the parser takes the rest as text
        };
        at = gt + 1;
        if closing {
            let top = stack.len();
            if let Some(i) = stack[top.saturating_sub(END_TAG_SEARCH)..]
                .iter()
                .rposition(|n| *n == name)
            {
                let keep = top.saturating_sub(END_TAG_SEARCH) + i;
                foreign -= stack[keep..].iter().filter(|n| n.is_in(FOREIGN)).count();
                stack.truncate(keep);
            }
            continue;
        }
        let self_closed = foreign > 0 && b[gt - 1] == b'/';
        if name.is_in(VOID) || self_closed {
            continue;
        }
        if name.is_in(RAW_TEXT) {
            // Skip to the matching end tag (case-insensitive); the element does not nest.
            at = find_end_tag(b, at, name.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if name.is_in(OPTIONAL_END) {
            let top = stack.len();
            if let Some(i) = stack[top.saturating_sub(IMPLIED_END_SEARCH)..]
                .iter()
                .rposition(|n| *n == name)
            {
                let keep = top.saturating_sub(IMPLIED_END_SEARCH) + i;
                foreign -= stack[keep..].iter().filter(|n| n.is_in(FOREIGN)).count();
                stack.truncate(keep);
            }
        }
        foreign += usize::from(name.is_in(FOREIGN));
        stack.push(name);
        if stack.len() > limit {
            return Err(HtmlError::TooDeep { limit });
        }
    }
    Ok(())
}

/// Checks the parsed tree's depth (the parser's own idea of nesting, which the byte scan only
/// estimates), iteratively: a recursive walk would itself overflow on a deep tree.
pub(crate) fn check_tree_depth(doc: &dom_query::Document, limit: usize) -> Result<(), HtmlError> {
    let root = doc.root();
    let mut stack = vec![(root, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return Err(HtmlError::TooDeep { limit });
        }
        let mut child = node.first_child();
        while let Some(c) = child {
            if c.is_element() {
                stack.push((c, depth + 1));
            }
            child = c.next_sibling();
        }
    }
    Ok(())
}

/// The end of the raw-text element `name` opened before `from`: the byte after its end tag.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(off) = memchr::memmem::find(&b[at..], b"</") {
        let start = at + off + 2;
        let candidate = &b[start..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            return memchr::memchr(b'>', candidate).map(|e| start + e + 1);
        }
        at = start;
    }
    None
}

/// A tag name, lower-cased, up to 15 bytes (longer names are cut: enough to tell elements
/// apart, and custom elements only need to match themselves).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Name {
    len: u8,
    bytes: [u8; 15],
}

impl Name {
    /// The name at the start of `b` (a letter, then letters, digits, `-`, `_`, `:`, `.`).
    fn read(b: &[u8]) -> Option<Name> {
        if !b.first()?.is_ascii_alphabetic() {
            return None;
        }
        let mut n = Name {
            len: 0,
            bytes: [0; 15],
        };
        for &c in b
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
        {
            if (n.len as usize) < n.bytes.len() {
                n.bytes[n.len as usize] = c.to_ascii_lowercase();
                n.len += 1;
            }
        }
        Some(n)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    fn is_in(&self, set: &[&[u8]]) -> bool {
        set.contains(&self.as_bytes())
    }
}

/// [`crate::extract_html`] with a wall-clock budget: the extraction runs on a thread of its
/// own and, when it has not finished within `budget`, the page is given up with
/// [`HtmlError::OverBudget`] and reading goes on.
///
/// The thread cannot be stopped from outside (the parser and Readability have no
/// cancellation points), so it is left to finish on its own and its result dropped; the depth
/// cap and the byte cap bound how long that can be. Written here rather than taken from a
/// crate: it is a channel with a timeout.
pub fn extract_html_within(
    bytes: &[u8],
    url: Option<&str>,
    budget: Duration,
) -> Result<HtmlArticle, HtmlError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let (bytes, url) = (bytes.to_vec(), url.map(str::to_string));
    let spawned = std::thread::Builder::new()
        .name("ibid-html-extract".into())
        .spawn(move || {
            let _ = tx.send(crate::extract_html(&bytes, url.as_deref()));
        });
    if let Err(e) = spawned {
        return Err(HtmlError::Extract(format!("cannot start extraction: {e}")));
    }
    match rx.recv_timeout(budget) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(HtmlError::OverBudget(budget)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(HtmlError::Extract(
            "the extractor stopped without an answer".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!(
            "<html><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
    }

    #[test]
    fn depth_is_counted_from_tags() {
        assert!(check_nesting(&nested(500), 512).is_ok());
        let err = check_nesting(&nested(100_000), 512).unwrap_err();
        assert!(matches!(err, HtmlError::TooDeep { limit: 512 }), "{err:?}");
    }

    #[test]
    fn siblings_void_elements_and_implied_ends_do_not_nest() {
        let flat = "<p>a<p>b<li>c<li>d<br><img src=x><hr/>".repeat(10_000);
        assert!(check_nesting(&flat, 16).is_ok());
        let drawing = format!("<svg>{}</svg>", "<path d=x/>".repeat(10_000));
        assert!(check_nesting(&drawing, 16).is_ok());
        // In HTML the slash of `<span/>` is ignored: these nest.
        assert!(check_nesting(&"<span/>".repeat(10_000), 512).is_err());
        let closed = "<div><span>x</span></div>".repeat(10_000);
        assert!(check_nesting(&closed, 4).is_ok());
        // Tags inside scripts, comments and attribute-free text are not elements.
        let hidden = format!(
            "<script>{}</script><!-- {} --><style>{}</STYLE>",
            "<div>".repeat(1000),
            "<div>".repeat(1000),
            "<div>".repeat(1000)
        );
        assert!(check_nesting(&hidden, 4).is_ok());
    }

    #[test]
    fn stray_end_tags_cannot_hide_depth() {
        let sneaky = "<div></span></b></i>".repeat(2000);
        assert!(check_nesting(&sneaky, 512).is_err());
    }

    #[test]
    fn the_parsed_tree_is_checked_too() {
        let doc = dom_query::Document::from(nested(100).as_str());
        assert!(check_tree_depth(&doc, 200).is_ok());
        assert!(check_tree_depth(&doc, 50).is_err());
    }

    #[test]
    fn an_extraction_past_its_budget_is_given_up() {
        let page = format!(
            "<html><body><article>{}</article></body></html>",
            "<p>A sentence of an ordinary article, long enough to count.</p>".repeat(3000)
        );
        let err = extract_html_within(page.as_bytes(), None, Duration::from_nanos(1)).unwrap_err();
        assert!(matches!(err, HtmlError::OverBudget(_)), "{err:?}");
        let ok = extract_html_within(page.as_bytes(), None, Duration::from_secs(60)).unwrap();
        assert!(ok.text.contains("ordinary article"));
    }
}
