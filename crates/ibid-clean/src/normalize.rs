//! Line splitting and per-line text normalisation that remembers where every code point came
//! from.
//!
//! All lines of an article share two buffers (`norm`, `origins`) so that normalising an article
//! costs a handful of allocations, not one per line or per character.

use std::ops::Range;

use ibid_core::Span;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// What normalisation does with one input character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// Kept as it is (before NFC).
    Keep,
    /// Becomes a plain space (NBSP, typographic spaces, tabs, other white space, controls).
    Space,
    /// Dropped (zero-width characters, soft hyphen).
    Drop,
}

fn classify(c: char) -> CharClass {
    match c {
        ' ' => CharClass::Space,
        // Plain ASCII is by far the common case: decide it without the table look-ups below.
        '!'..='~' => CharClass::Keep,
        // Zero-width space/joiners, word joiner, BOM; the soft hyphen is invisible too and only
        // splits words that readers see whole.
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => CharClass::Drop,
        // Odd spaces named by the spec, plus anything else Unicode calls white space and the
        // remaining control characters (they never carry text).
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            CharClass::Space
        }
        c if c.is_whitespace() || c.is_control() => CharClass::Space,
        _ => CharClass::Keep,
    }
}

/// One non-blank line of the original text, normalised.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Byte range of the normalised line in [`Lines::norm`].
    pub norm: Range<usize>,
    /// Range of this line's entries in [`Lines::origins`] (one per code point of `norm`).
    pub origins: Range<usize>,
    /// Byte range of the trimmed line in the original text.
    pub orig_bytes: Range<usize>,
    /// Code-point span of the trimmed line in the original text.
    pub span: Span,
    /// Number of space-separated words of the normalised line.
    pub words: usize,
}

/// All non-blank lines of a text, normalised, with shared buffers.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// Concatenated normalised lines (no separators).
    pub norm: String,
    /// Original code-point offset of every code point of `norm`.
    pub origins: Vec<u32>,
    /// The lines, in original order.
    pub lines: Vec<Line>,
}

impl Lines {
    /// The normalised text of line `i`.
    pub fn text(&self, line: &Line) -> &str {
        &self.norm[line.norm.clone()]
    }
}

/// A character of the line being built, with its original code-point offset.
type Placed = (char, u32);

/// Splits `text` into lines (`\n`, `\r\n` or a lone `\r`) and normalises each non-blank one.
#[cfg(test)]
pub(crate) fn split_lines(text: &str) -> Lines {
    split_lines_cut(text, &[])
}

/// [`split_lines`], with the bytes of `cuts` (sorted, disjoint, each inside one line) read as
/// white space: they leave the text, and the words around them are one space apart.
pub(crate) fn split_lines_cut(text: &str, cuts: &[Range<usize>]) -> Lines {
    let mut out = Lines {
        norm: String::with_capacity(text.len()),
        origins: Vec::with_capacity(text.len()),
        lines: Vec::new(),
    };
    let mut line = LineScan::default();
    let mut cp: u32 = 0;
    let mut chars = text.char_indices().peekable();
    let mut cuts = cuts.iter().peekable();
    while let Some((b, c)) = chars.next() {
        while cuts.next_if(|r| r.end <= b).is_some() {}
        if cuts.peek().is_some_and(|r| r.start <= b) {
            line.cut(c, b, cp);
        } else if c == '\n' || c == '\r' {
            line.finish(&mut out);
            if c == '\r' {
                if let Some(&(_, '\n')) = chars.peek() {
                    chars.next();
                    cp += 1;
                }
            }
        } else {
            line.push(c, b, cp, &mut out);
        }
        cp += 1;
    }
    line.finish(&mut out);
    out
}

/// State of the line being scanned. Characters go straight into the shared buffers; only a
/// line that turns out not to be NFC is rewritten.
#[derive(Default)]
struct LineScan {
    /// (byte, code point) of the first non-space, non-dropped character.
    first: Option<(usize, u32)>,
    /// (byte end, code point end) just past the last non-space, non-dropped character.
    last: (usize, u32),
    /// Where this line starts in `Lines::norm` and `Lines::origins`.
    norm_start: usize,
    origin_start: usize,
    /// Whether a white-space run is waiting to be emitted as one space.
    pending_space: bool,
    /// Whether every kept character so far is ASCII (then NFC is a no-op).
    ascii: bool,
    /// Spaces emitted so far (words - 1).
    spaces: usize,
}

impl LineScan {
    /// A character of a cut: it leaves the text like white space, but the line's original
    /// span still covers it (a removed line is removed with its cuts).
    fn cut(&mut self, c: char, byte: usize, cp: u32) {
        if self.first.is_some() {
            self.pending_space = true;
            self.last = (byte + c.len_utf8(), cp + 1);
        }
    }

    #[inline]
    fn push(&mut self, c: char, byte: usize, cp: u32, out: &mut Lines) {
        match classify(c) {
            CharClass::Drop => {}
            CharClass::Space => {
                // Folded and trimmed: only remembered, emitted before the next kept char.
                self.pending_space = true;
            }
            CharClass::Keep => {
                if self.first.is_none() {
                    self.first = Some((byte, cp));
                    self.ascii = true;
                    self.norm_start = out.norm.len();
                    self.origin_start = out.origins.len();
                } else if self.pending_space {
                    // The space maps to the char after the last kept one (the run's first white
                    // space or dropped char): between its neighbours, so origins stay increasing.
                    out.norm.push(' ');
                    out.origins.push(self.last.1);
                    self.spaces += 1;
                }
                self.pending_space = false;
                self.ascii &= c.is_ascii();
                out.norm.push(c);
                out.origins.push(cp);
                self.last = (byte + c.len_utf8(), cp + 1);
            }
        }
    }

    fn finish(&mut self, out: &mut Lines) {
        if let Some((b0, c0)) = self.first {
            if !self.ascii && is_nfc_quick(out.norm[self.norm_start..].chars()) != IsNormalized::Yes
            {
                let placed: Vec<Placed> = out.norm[self.norm_start..]
                    .chars()
                    .zip(out.origins[self.origin_start..].iter().copied())
                    .collect();
                out.norm.truncate(self.norm_start);
                out.origins.truncate(self.origin_start);
                push_nfc(&placed, out);
            }
            out.lines.push(Line {
                norm: self.norm_start..out.norm.len(),
                origins: self.origin_start..out.origins.len(),
                orig_bytes: b0..self.last.0,
                span: Span::new(c0, self.last.1),
                words: self.spaces + 1,
            });
        }
        *self = LineScan::default();
    }
}

/// True when `c` can start an NFC chunk: nothing before it can compose with it or be reordered
/// across it, so NFC of the concatenation equals the concatenation of NFCs of the chunks.
fn is_chunk_start(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) != IsNormalized::Maybe
}

/// Appends NFC of `chars`, chunk by chunk; each output code point maps to the origin of the
/// first code point of its chunk (a composition maps to its first original code point).
///
/// Hand-written because `unicode-normalization` has no offset-tracking API; the chunking
/// follows UAX #15's stable-code-point boundaries (starters that are NFC_QC=Yes/No).
fn push_nfc(chars: &[Placed], out: &mut Lines) {
    let mut start = 0;
    while start < chars.len() {
        let mut end = start + 1;
        while end < chars.len() && !is_chunk_start(chars[end].0) {
            end += 1;
        }
        let origin = chars[start].1;
        for c in chars[start..end].iter().map(|&(c, _)| c).nfc() {
            out.norm.push(c);
            out.origins.push(origin);
        }
        start = end;
    }
}

/// Normalises a single line of text without offsets (for index keys and comparisons).
pub(crate) fn normalize_line_into(line: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    let mut ascii = true;
    for c in line.chars() {
        match classify(c) {
            CharClass::Drop => {}
            CharClass::Space => pending_space = true,
            CharClass::Keep => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                ascii &= c.is_ascii();
                out.push(c);
            }
        }
    }
    if !ascii && is_nfc_quick(out.chars()) != IsNormalized::Yes {
        let composed: String = out.nfc().collect();
        *out = composed;
    }
}

/// Normalised copy of `s` (see [`normalize_line_into`]).
pub(crate) fn normalize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_line_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm_lines(s: &str) -> Vec<String> {
        let l = split_lines(s);
        l.lines.iter().map(|x| l.text(x).to_string()).collect()
    }

    #[test]
    fn splits_on_all_line_ends_and_skips_blank_lines() {
        assert_eq!(norm_lines("a\r\nb\rc\n\n \t\nd"), ["a", "b", "c", "d"]);
    }

    #[test]
    fn folds_odd_spaces_and_drops_zero_width() {
        let s = "\u{00A0} One\u{00A0}\u{2009}two\tthree\u{200B}four\u{FEFF}\u{3000}five  ";
        assert_eq!(norm_lines(s), ["One two threefour five"]);
    }

    #[test]
    fn keeps_curly_quotes_and_dashes() {
        assert_eq!(norm_lines("“Hi” – it’s — ok"), ["“Hi” – it’s — ok"]);
    }

    #[test]
    fn composes_nfc_and_maps_to_first_code_point() {
        let l = split_lines("xe\u{0301}y");
        assert_eq!(l.text(&l.lines[0]), "xéy");
        assert_eq!(l.origins, [0, 1, 3]);
    }

    #[test]
    fn spans_are_trimmed_code_points() {
        let l = split_lines("ä\n  \u{00A0}ab c\u{00A0}\n");
        assert_eq!(l.lines[1].span, Span::new(5, 9));
        assert_eq!(
            &"ä\n  \u{00A0}ab c\u{00A0}\n"[l.lines[1].orig_bytes.clone()],
            "ab c"
        );
        assert_eq!(l.lines[1].words, 2);
        // The folded space maps to the original space.
        assert_eq!(&l.origins[l.lines[1].origins.clone()], &[5, 6, 7, 8]);
    }

    #[test]
    fn normalize_line_matches_split_lines() {
        for s in [
            "  a\u{00A0}\u{00A0}b ",
            "e\u{0301}\u{200D}x",
            "\tq\u{3000}r",
        ] {
            assert_eq!(normalize_line(s), norm_lines(s)[0]);
        }
    }
}
