//! The data model every ibid stage speaks.
//!
//! ibid is a pipeline (ingest → clean → dedup → align → stories → extract → store → serve).
//! The types here are the hand-off points between stages. They are deliberately plain data:
//! per-article stages are pure functions `&RawArticle (+ read-only indexes) -> output`, so the
//! same code can later run as a UDF on a distributed engine.
//!
//! **Offsets.** Every span that leaves ibid is a Unicode *code-point* offset into the article's
//! original text as ingested (`start` inclusive, `end` exclusive). Stages that work on cleaned
//! text map their results back through [`OffsetMap`].

use serde::{Deserialize, Serialize};

/// An article exactly as read from the input, before any processing.
///
/// `text` is stored verbatim; everything else ibid knows about the article is derived from this
/// record and can be recomputed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RawArticle {
    /// The input's own id: the JSONL `id` field, or the file name without extension.
    pub id: String,
    /// The original body text, verbatim (already decoded to UTF-8).
    pub text: String,
    /// Title given by the input, if any.
    pub title: Option<String>,
    /// URL given by the input, if any.
    pub url: Option<String>,
    /// Outlet (source, publisher) given by the input, if any.
    pub outlet: Option<String>,
    /// Publication time as given by the input, unparsed (formats vary wildly).
    pub published: Option<String>,
    /// Author(s) given by the input, joined with ", " when there are several.
    pub author: Option<String>,
}

impl RawArticle {
    /// Feeds every content field (text, title, url, outlet, published, author; not the id) to
    /// `update` as one unambiguous byte stream, for a hasher: each field is a presence byte and,
    /// when present, its length and bytes, so that `("ab", None)` and `("a", "b")` differ.
    pub fn feed_content(&self, mut update: impl FnMut(&[u8])) {
        for field in [
            Some(self.text.as_str()),
            self.title.as_deref(),
            self.url.as_deref(),
            self.outlet.as_deref(),
            self.published.as_deref(),
            self.author.as_deref(),
        ] {
            match field {
                Some(s) => {
                    update(&[1]);
                    update(&(s.len() as u64).to_le_bytes());
                    update(s.as_bytes());
                }
                None => update(&[0]),
            }
        }
    }
}

/// A half-open span of code points `[start, end)` in an article's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// Inclusive start, in code points.
    pub start: u32,
    /// Exclusive end, in code points.
    pub end: u32,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive).
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end, "span start after end");
        Self { start, end }
    }

    /// Number of code points covered.
    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Maps each code point of a derived text (e.g. the cleaned body) to the code point of the
/// original text it came from.
///
/// Normalisation (NFC, space folding, dropped lines) changes lengths, so derived offsets are
/// never valid in the original; this map is the one way back. `origin[i]` is the original
/// offset of derived code point `i`; one extra trailing entry holds the original offset just
/// past the last mapped code point, so that exclusive ends map too.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OffsetMap {
    origin: Vec<u32>,
}

impl OffsetMap {
    /// Builds a map from per-code-point origins plus the original offset that closes the last
    /// one. `origins.len()` must equal the derived text's code-point count.
    pub fn new(mut origins: Vec<u32>, end: u32) -> Self {
        origins.push(end);
        Self { origin: origins }
    }

    /// The identity map for a text of `len` code points.
    pub fn identity(len: u32) -> Self {
        Self {
            origin: (0..=len).collect(),
        }
    }

    /// Number of derived code points covered.
    pub fn len(&self) -> usize {
        self.origin.len().saturating_sub(1)
    }

    /// True when the derived text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Original offset of derived code point `i` (or the closing offset for `i == len`).
    /// Out-of-range indexes clamp to the end.
    pub fn to_original(&self, i: usize) -> u32 {
        let last = self.origin.len().saturating_sub(1);
        self.origin.get(i.min(last)).copied().unwrap_or(0)
    }

    /// Maps a derived span `[start, end)` to the original span that covers it: from the origin
    /// of its first code point to just past the origin of its last one.
    pub fn span_to_original(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.to_original(start);
            return Span::new(at, at);
        }
        let s = self.to_original(start);
        let e = self.to_original(end - 1) + 1;
        Span::new(s, e.max(s))
    }

    /// The raw origins, one per derived code point (without the closing entry).
    pub fn origins(&self) -> &[u32] {
        &self.origin[..self.len()]
    }
}

/// An [`OffsetMap`] stored as runs: cleaned text maps to the original in long stretches where
/// consecutive code points stay consecutive, so keeping one `(derived, original)` pair per
/// stretch costs a few hundred bytes per article instead of four bytes per code point. This is
/// what cross-article stages keep for every article while they work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CompactOffsets {
    /// Starts of runs: `(derived offset, original offset)`, sorted by derived offset.
    runs: Vec<(u32, u32)>,
    /// Number of derived code points, and the original offset just past the last one.
    len: u32,
    end: u32,
}

impl CompactOffsets {
    /// Compresses a full map.
    pub fn from_map(map: &OffsetMap) -> Self {
        let origins = map.origins();
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for (i, &o) in origins.iter().enumerate() {
            let continues = i > 0 && origins[i - 1].checked_add(1) == Some(o);
            if !continues {
                runs.push((i as u32, o));
            }
        }
        Self {
            runs,
            len: origins.len() as u32,
            end: map.to_original(origins.len()),
        }
    }

    /// Original offset of derived code point `i` (the closing offset for `i >= len`).
    pub fn to_original(&self, i: u32) -> u32 {
        if i >= self.len {
            return self.end;
        }
        let k = self.runs.partition_point(|&(d, _)| d <= i);
        match k.checked_sub(1).and_then(|k| self.runs.get(k)) {
            Some(&(d, o)) => o + (i - d),
            None => 0,
        }
    }

    /// Maps a derived span to the original span covering it, like
    /// [`OffsetMap::span_to_original`].
    pub fn span_to_original(&self, start: u32, end: u32) -> Span {
        if end <= start {
            let at = self.to_original(start);
            return Span::new(at, at);
        }
        let s = self.to_original(start);
        let e = self.to_original(end - 1) + 1;
        Span::new(s, e.max(s))
    }
}

/// Why a line was taken out of an article's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// Page furniture: UI words, prompts, share rows, navigation.
    Boilerplate,
    /// A tracking or editor code such as `AB/1234567`.
    Code,
    /// A headline or standfirst repeated inside the body.
    Repeated,
    /// A line that carries metadata (dateline, byline, section/date line), lifted into fields.
    Metadata,
    /// A line that recurs across many articles of the same outlet.
    OutletBoilerplate,
}

/// A line removed from the body, kept so that nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedLine {
    /// The line as it stood in the original (trimmed of line-end white space).
    pub text: String,
    /// Where it stood in the original text.
    pub span: Span,
    /// Why it was removed.
    pub reason: RemovalReason,
}

/// How much of a publication time the source actually gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePrecision {
    /// Date only; the time part of the RFC 3339 value is midnight UTC by convention.
    Day,
    /// Minutes or seconds given.
    Time,
}

/// A trusted publication time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The instant with the offset the source gave (UTC when it gave none).
    pub at: chrono::DateTime<chrono::FixedOffset>,
    /// Whether the source gave a time of day.
    pub precision: TimePrecision,
}

impl Published {
    /// RFC 3339 rendering, e.g. `2017-09-05T21:21:00+04:00`.
    pub fn to_rfc3339(&self) -> String {
        self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// The result of the clean stage for one article: the body and the metadata lifted out of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CleanedArticle {
    /// The cleaned body: normalised paragraphs joined by blank lines.
    pub text: String,
    /// Maps each code point of `text` back to the original text.
    pub offsets: OffsetMap,
    /// Lines removed from the body, in original order.
    pub removed: Vec<RemovedLine>,
    /// Headline (from the input field, else recognised in the text).
    pub title: Option<String>,
    /// Subheads recognised inside the body (they stay in `text`).
    pub subheads: Vec<String>,
    /// Place of the dateline, e.g. `TEHRAN` or `Baku, Azerbaijan`.
    pub dateline: Option<String>,
    /// Author from the input, else from a byline.
    pub author: Option<String>,
    /// Outlet from the input, else named by the text.
    pub outlet: Option<String>,
    /// Section, where the text names one.
    pub section: Option<String>,
    /// Trusted publication time, or `None`.
    pub published: Option<Published>,
    /// Set when a publication time was given but could not be trusted (why, and the raw value).
    pub published_flag: Option<String>,
    /// Set when the page is not an article (a weather or market widget, an index or landing
    /// page, a gallery, a video page, a form): why. Such pages stay out of stories.
    #[serde(default)]
    pub non_article: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fed(a: &RawArticle) -> Vec<u8> {
        let mut out = Vec::new();
        a.feed_content(|b| out.extend_from_slice(b));
        out
    }

    #[test]
    fn content_fields_never_run_together() {
        let a = RawArticle {
            text: "ab".into(),
            ..RawArticle::default()
        };
        let b = RawArticle {
            text: "a".into(),
            title: Some("b".into()),
            ..RawArticle::default()
        };
        let c = RawArticle {
            text: "a".into(),
            url: Some("b".into()),
            ..RawArticle::default()
        };
        assert_ne!(fed(&a), fed(&b));
        assert_ne!(fed(&b), fed(&c));
        // The id is not content: the same record under another id feeds the same bytes.
        let d = RawArticle {
            id: "other".into(),
            ..a.clone()
        };
        assert_eq!(fed(&a), fed(&d));
    }

    #[test]
    fn compact_offsets_agree_with_the_full_map() {
        // Derived text dropping code points 3..5 and 9, with one NFC-style merge at 12.
        let origins: Vec<u32> = vec![0, 1, 2, 5, 6, 7, 8, 10, 11, 12, 14, 15];
        let map = OffsetMap::new(origins.clone(), 16);
        let compact = CompactOffsets::from_map(&map);
        for i in 0..=origins.len() {
            assert_eq!(compact.to_original(i as u32), map.to_original(i), "at {i}");
        }
        for (s, e) in [(0, 3), (2, 5), (3, 12), (5, 5), (11, 12)] {
            assert_eq!(
                compact.span_to_original(s, e),
                map.span_to_original(s as usize, e as usize)
            );
        }
        assert_eq!(compact.runs.len(), 4);
    }
}
