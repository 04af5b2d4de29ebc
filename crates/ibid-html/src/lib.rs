//! HTML pages and WARC archives in, articles (main text + metadata) out.
//!
//! * [`decode_html`]: bytes to text with charset sniffing and binary rejection.
//! * [`extract_html`] / [`Extractor`]: main text and metadata of a page.
//! * [`warc_records`]: HTML response records of a WARC file, record by record.
//! * [`eval_zyte`]: the Zyte article-extraction benchmark with its own metric.

mod decode;
pub mod eval;
mod limits;
mod meta;
mod smoothie;
mod strip;
mod warc;

pub use decode::decode_html;
pub use eval::{eval_zyte, eval_zyte_with, EvalError, Prf, ZyteReport};
pub use limits::{check_nesting, extract_html_within, DEFAULT_PAGE_BUDGET, MAX_NESTING_DEPTH};
pub use smoothie::SmoothieExtractor;
pub use warc::{
    warc_records, warc_records_up_to, WarcError, WarcRecord, MAX_ERROR_RAW_BYTES, MAX_RECORD_BYTES,
};

/// Default cap on the HTML text handed to an extractor (bytes). Pages past it
/// are cut (at a char boundary) and flagged [`HtmlArticle::truncated`]:
/// real articles are far smaller, and it bounds parse time and memory.
pub const DEFAULT_MAX_HTML_BYTES: usize = 8 << 20;

/// What an HTML page yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlArticle {
    /// Main text, paragraphs separated by `"\n\n"`.
    pub text: String,
    /// Headline (JSON-LD `headline`, `og:title`, `<title>`).
    pub title: Option<String>,
    /// Byline as found (meta `author`, JSON-LD `author.name`).
    pub author: Option<String>,
    /// Publication date, raw as found (meta or JSON-LD).
    pub published: Option<String>,
    /// Outlet name (`og:site_name`, JSON-LD `publisher.name`).
    pub outlet: Option<String>,
    /// Canonical URL (`<link rel=canonical>`, `og:url`, else the URL given).
    pub url: Option<String>,
    /// Section (`article:section`, JSON-LD `articleSection`).
    pub section: Option<String>,
    /// True when the input was longer than the extractor's byte cap and only
    /// its beginning was used.
    pub truncated: bool,
}

/// Errors of HTML decoding and extraction.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// The bytes are not text (an image, archive, executable...).
    #[error("not HTML: looks like {0}")]
    Binary(&'static str),
    /// The extractor failed on this page.
    #[error("extraction failed: {0}")]
    Extract(String),
    /// Elements nested deeper than the cap (see [`MAX_NESTING_DEPTH`]): parsing and
    /// extraction cost grows with the square of the depth or worse, so the page is not read.
    #[error("elements nested more than {limit} deep (browsers stop at 512 too); not extracted")]
    TooDeep {
        /// The cap.
        limit: usize,
    },
    /// The extraction did not finish within its budget (see [`extract_html_within`]).
    #[error("extraction took longer than its budget of {0:?}; given up")]
    OverBudget(std::time::Duration),
}

/// Turns one decoded HTML page into an [`HtmlArticle`].
pub trait Extractor: Send + Sync {
    /// Extract main text and metadata. `url` is the page's address if known
    /// (used as the fallback canonical URL and to resolve relative links).
    fn extract(&self, html: &str, url: Option<&str>) -> Result<HtmlArticle, HtmlError>;
}

/// The extractor [`extract_html`] uses.
pub type DefaultExtractor = SmoothieExtractor;

/// Decode `bytes` (charset sniffed, no HTTP header) and run the default extractor.
pub fn extract_html(bytes: &[u8], url: Option<&str>) -> Result<HtmlArticle, HtmlError> {
    let text = decode_html(bytes, None)?;
    DefaultExtractor::default().extract(&text, url)
}

/// Cut `html` to at most `max` bytes at a char boundary; true if cut.
pub(crate) fn cap_input(html: &str, max: usize) -> (&str, bool) {
    if html.len() <= max {
        return (html, false);
    }
    let mut end = max;
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    (&html[..end], true)
}

#[cfg(test)]
mod tests;
