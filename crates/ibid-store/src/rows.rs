//! Rows of the export contract (see docs/export-contract.md): field names here are a contract.
//! Add fields freely; never rename these. Spans are code-point offsets into the original text.

use serde::{Deserialize, Serialize};

/// Columns of the `alignments` table in the order [`AlignmentRow::from_row`] reads them.
pub const ALIGNMENT_COLUMNS: &str = "a, a_start, a_end, b, b_start, b_end, similarity, passage";

/// Columns of the `quotes` table in the order [`QuoteRow::from_row`] reads them.
pub const QUOTE_COLUMNS: &str = r#"article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence"#;

/// One current article with everything the pipeline derived for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRow {
    /// The input's own id.
    pub id: String,
    /// Outlet from the input or recognised in the text.
    pub outlet: Option<String>,
    /// URL from the input.
    pub url: Option<String>,
    /// Trusted publication time, RFC 3339, or null.
    pub published: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Author(s).
    pub author: Option<String>,
    /// Dateline place.
    pub dateline: Option<String>,
    /// Cleaned body.
    pub text: String,
    /// Removed boilerplate and metadata lines, in original order.
    pub removed: Vec<String>,
    /// Story id.
    pub story: Option<String>,
    /// Storyline id.
    pub storyline: Option<String>,
    /// Id of the article this one duplicates (the group's original), or null.
    pub duplicate_of: Option<String>,
    /// Version of this article (1 unless its content changed between ingests).
    pub version: i64,
    /// Section named by the text.
    pub section: Option<String>,
    /// Subheads recognised in the body.
    pub subheads: Vec<String>,
    /// `day` or `time`: how much of `published` the source gave.
    pub published_precision: Option<String>,
    /// Why a given publication date was not trusted (null when trusted or absent).
    pub published_flag: Option<String>,
    /// Number of other articles in its duplicate group.
    pub copies: i64,
    /// Where the article was read from (`file` or `file:line`).
    pub source: String,
    /// `article`, or `non_article` for a page that carries no report (a weather or market
    /// widget, an index or landing page, a gallery, a video page, a form); such pages have no
    /// story.
    pub kind: String,
    /// Why a page is a `non_article` (null for an article).
    pub kind_reason: Option<String>,
    /// The article's text as ingested: every span of every export (quotes, entity mentions,
    /// alignments, `removed_lines`) indexes into it, in code points.
    pub original: String,
    /// The removed lines with where they stood in `original` and why.
    pub removed_lines: Vec<RemovedSpan>,
}

/// A line removed from an article's text, located in its original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedSpan {
    /// Span start, in code points of the original text.
    pub start: i64,
    /// Span end (exclusive).
    pub end: i64,
    /// Why: `boilerplate`, `code`, `repeated`, `metadata` or `outlet_boilerplate`.
    pub reason: String,
    /// The line as it stood.
    pub text: String,
}

/// One story: articles reporting the same real-world event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryRow {
    /// Stable story id.
    pub id: String,
    /// Storyline id.
    pub storyline: Option<String>,
    /// Title of the story's most central article.
    pub title: Option<String>,
    /// Earliest trusted publication time among its articles.
    pub first_published: Option<String>,
    /// Article ids, in arrival order.
    pub articles: Vec<String>,
    /// Distinct outlets.
    pub outlets: Vec<String>,
    /// Outlet that published first.
    pub first_outlet: Option<String>,
    /// Latest trusted publication time among its articles.
    pub last_published: Option<String>,
}

/// A passage shared by two articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignmentRow {
    /// First article id.
    pub a: String,
    /// Span start in `a`.
    pub a_start: i64,
    /// Span end in `a`.
    pub a_end: i64,
    /// Second article id.
    pub b: String,
    /// Span start in `b`.
    pub b_start: i64,
    /// Span end in `b`.
    pub b_end: i64,
    /// Similarity of the two passages, 0..1.
    pub similarity: f64,
    /// The shared passage (cluster of aligned occurrences) this pair belongs to: `p-` + the
    /// earliest occurrence's article id + `:start-end` (what `ibid show` takes).
    pub passage: Option<String>,
}

/// A quotation and who said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRow {
    /// Article id.
    pub article: String,
    /// Span start.
    pub start: i64,
    /// Span end.
    pub end: i64,
    /// Quoted text.
    pub text: String,
    /// Canonical speaker name, or null.
    pub speaker: Option<String>,
    /// Speaker mention span start.
    pub speaker_start: Option<i64>,
    /// Speaker mention span end.
    pub speaker_end: Option<i64>,
    /// Direct (quoted) rather than reported speech.
    pub direct: bool,
    /// Id shared by renderings of one statement.
    pub statement: Option<String>,
    /// How likely it is a quotation with the right extent (0-1): the precision of the rule
    /// that found it. Direct quotes 1; listings show quotes from 0.7 by default.
    #[serde(default = "one")]
    pub confidence: f64,
}

fn one() -> f64 {
    1.0
}

/// The confidence from which listings show a quote by default: direct quotes and confident
/// indirect ones (the extract stage's `ibid_extract::CONFIDENT`; a test in `ibid-pipeline`
/// keeps the two equal).
pub const LISTED_CONFIDENCE: f64 = 0.7;

/// One mention of an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionRow {
    /// Article id.
    pub article: String,
    /// Span start.
    pub start: i64,
    /// Span end.
    pub end: i64,
    /// Text as it stands in the article.
    pub text: String,
}

/// A person, organisation or place, with its spelling variants merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRow {
    /// Stable entity id.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// `PER`, `ORG` or `LOC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Surface forms seen.
    pub variants: Vec<String>,
    /// Every mention.
    pub mentions: Vec<MentionRow>,
}

/// A piece of input that could not be ingested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// File (or `-`).
    pub source: String,
    /// 1-based line, or null for a whole file.
    pub record: Option<i64>,
    /// Why.
    pub reason: String,
    /// Length of the raw input.
    pub raw_len: i64,
    /// How many raw bytes are kept (see `ibid rejected --raw`).
    pub kept: i64,
    /// Ingest run that first saw it.
    pub first_run: i64,
    /// Ingest run that last saw it.
    pub last_run: i64,
    /// Input records this row stands for: 1, or the number of rejections of one input that
    /// were counted but not kept one by one past the per-input cap.
    pub records: i64,
}

/// A value of a stored record that could not be used as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningRow {
    /// The article's id.
    pub article: String,
    /// File (or `-`).
    pub source: String,
    /// 1-based line or record, or null for a whole file.
    pub record: Option<i64>,
    /// The input field.
    pub field: String,
    /// The value as found (JSON if structured), cut at 1 KiB.
    pub value: String,
    /// What was done instead.
    pub message: String,
    /// Ingest run that first saw it.
    pub first_run: i64,
    /// Ingest run that last saw it.
    pub last_run: i64,
}

/// A full-text search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// Matching passage; matches are wrapped in `[` and `]`.
    pub snippet: String,
    /// BM25 relevance (higher is better).
    pub score: f64,
}

impl AlignmentRow {
    /// Reads a row selected with [`ALIGNMENT_COLUMNS`] (first column at index 0).
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            a: r.get(0)?,
            a_start: r.get(1)?,
            a_end: r.get(2)?,
            b: r.get(3)?,
            b_start: r.get(4)?,
            b_end: r.get(5)?,
            similarity: r.get(6)?,
            passage: r.get(7)?,
        })
    }
}

impl QuoteRow {
    /// Reads a row selected with [`QUOTE_COLUMNS`] (first column at index 0).
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            article: r.get(0)?,
            start: r.get(1)?,
            end: r.get(2)?,
            text: r.get(3)?,
            speaker: r.get(4)?,
            speaker_start: r.get(5)?,
            speaker_end: r.get(6)?,
            direct: r.get(7)?,
            statement: r.get(8)?,
            confidence: r.get(9)?,
        })
    }
}
