//! Text around and inside an article: the sentence a mention stands in (entity pages), and
//! quotations and entity mentions marked in an article's paragraphs (article pages).
//!
//! Spans in the store are code points of the original text; pages show the cleaned text.
//! Marks are found again in the cleaned paragraphs by their text (quote and mention texts are
//! what their spans cut from the original, which cleaning leaves as it is apart from spaces),
//! so no offset map has to be stored or rebuilt.

/// The sentence around a span of `text` (code points `start..end`), cut to about `max` code
/// points on each side: `(before, the span, after)`; `None` when the span is out of range.
pub(crate) fn sentence_around(
    text: &str,
    start: usize,
    end: usize,
    max: usize,
) -> Option<(String, String, String)> {
    let chars: Vec<char> = text.chars().collect();
    if start > end || end > chars.len() {
        return None;
    }
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    // Back to the previous sentence end (or paragraph break), at most `max` code points.
    let mut s = start;
    while s > 0 && start - s < max {
        let c = chars[s - 1];
        if c == '\n' || (is_end(c) && chars.get(s).is_some_and(|n| n.is_whitespace())) {
            break;
        }
        s -= 1;
    }
    while s < start && chars[s].is_whitespace() {
        s += 1;
    }
    // Forward to this sentence's end.
    let mut e = end;
    while e < chars.len() && e - end < max {
        let c = chars[e];
        e += 1;
        if c == '\n' {
            e -= 1;
            break;
        }
        if is_end(c) && chars.get(e).is_none_or(|n| n.is_whitespace()) {
            break;
        }
    }
    let squeeze = |cs: &[char]| -> String {
        cs.iter()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut before = squeeze(&chars[s..start]);
    let mut after = squeeze(&chars[end..e]);
    if s > 0 && start - s >= max {
        before.insert(0, '…');
    }
    if e < chars.len() && e - end >= max {
        after.push('…');
    }
    // Keep the space that separates the span from its neighbours.
    if chars[s..start].last().is_some_and(|c| c.is_whitespace()) {
        before.push(' ');
    }
    if chars[end..e].first().is_some_and(|c| c.is_whitespace()) {
        after.insert(0, ' ');
    }
    Some((before, squeeze(&chars[start..end]), after))
}

/// What a marked stretch of a paragraph is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Plain text.
    Text,
    /// A quotation (index into the article's quotes).
    Quote(usize),
    /// An entity mention (index into the article's mentions).
    Entity(usize),
}

/// A piece of a paragraph: its text and what it is; entity marks may sit inside a quote's
/// piece (`inner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    /// What it is.
    pub(crate) mark: Mark,
    /// Its text (empty when `inner` holds it).
    pub(crate) text: String,
    /// For a quotation: its text split by the entity mentions inside it.
    pub(crate) inner: Vec<Piece>,
}

/// Folds white space the way cleaning does, for matching texts from the original.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits `para` into plain text and the first occurrence of each quotation (by text), with
/// entity mentions (by text, every occurrence) marked inside and outside them. `quotes` and
/// `mentions` are texts; marks are returned by index into them.
pub(crate) fn mark_paragraph(para: &str, quotes: &[&str], mentions: &[&str]) -> Vec<Piece> {
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (qi, q) in quotes.iter().enumerate() {
        let q = fold(q);
        if q.chars().count() < 8 {
            continue;
        }
        if let Some(at) = para.find(&q) {
            let end = at + q.len();
            if found.iter().all(|&(s, e, _)| end <= s || at >= e) {
                found.push((at, end, qi));
            }
        }
    }
    found.sort();
    let mut out = Vec::new();
    let mut pos = 0;
    for (s, e, qi) in found {
        out.extend(mark_entities(&para[pos..s], mentions));
        out.push(Piece {
            mark: Mark::Quote(qi),
            text: String::new(),
            inner: mark_entities(&para[s..e], mentions),
        });
        pos = e;
    }
    out.extend(mark_entities(&para[pos..], mentions));
    out
}

/// Marks every whole-word occurrence of each mention text in `text` (longest first).
fn mark_entities(text: &str, mentions: &[&str]) -> Vec<Piece> {
    let mut order: Vec<usize> = (0..mentions.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(mentions[i].len()));
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for i in order {
        let m = fold(mentions[i]);
        if m.chars().count() < 2 {
            continue;
        }
        let mut from = 0;
        while let Some(k) = text[from..].find(&m) {
            let (s, e) = (from + k, from + k + m.len());
            let word_start = text[..s]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let word_end = text[e..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if word_start && word_end && spans.iter().all(|&(a, b, _)| e <= a || s >= b) {
                spans.push((s, e, i));
            }
            from = e;
        }
    }
    spans.sort();
    let mut out = Vec::new();
    let mut pos = 0;
    let text_piece = |t: &str| Piece {
        mark: Mark::Text,
        text: t.to_string(),
        inner: Vec::new(),
    };
    for (s, e, i) in spans {
        if s > pos {
            out.push(text_piece(&text[pos..s]));
        }
        out.push(Piece {
            mark: Mark::Entity(i),
            text: text[s..e].to_string(),
            inner: Vec::new(),
        });
        pos = e;
    }
    if pos < text.len() {
        out.push(text_piece(&text[pos..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.inner.is_empty() {
                    p.text.clone()
                } else {
                    flat(&p.inner)
                }
            })
            .collect()
    }

    #[test]
    fn sentences_around_a_mention() {
        let t = "First one. The mayor, Ana Ruiz, spoke on Monday. Last one.";
        let start = t.find("Ana").unwrap();
        let (b, m, a) = sentence_around(t, start, start + 8, 200).unwrap();
        assert_eq!(
            (b.as_str(), m.as_str(), a.as_str()),
            ("The mayor, ", "Ana Ruiz", ", spoke on Monday.")
        );
        let long = format!("{} Ana {}", "word ".repeat(100), "word ".repeat(100));
        let start = long.find("Ana").unwrap();
        let (b, _, a) = sentence_around(&long, start, start + 3, 30).unwrap();
        assert!(b.starts_with('…') && a.ends_with('…'), "{b} | {a}");
        assert!(b.chars().count() <= 32 && a.chars().count() <= 32);
        assert!(sentence_around("abc", 2, 9, 10).is_none());
        // Code points, not bytes.
        let t = "Élan. Ünal said so.";
        let (b, m, _) = sentence_around(t, 6, 10, 50).unwrap();
        assert_eq!((b.as_str(), m.as_str()), ("", "Ünal"));
    }

    #[test]
    fn quotes_and_mentions_are_marked_in_paragraphs() {
        let p = "Mayor Ana Ruiz said “the harbour will reopen, Ruiz promised” on Monday. Ruizville is elsewhere.";
        let pieces = mark_paragraph(
            p,
            &["the harbour will reopen, Ruiz promised"],
            &["Ana Ruiz", "Ruiz"],
        );
        assert_eq!(flat(&pieces), p, "nothing lost or doubled");
        let quote = pieces.iter().find(|x| x.mark == Mark::Quote(0)).unwrap();
        assert!(quote
            .inner
            .iter()
            .any(|x| x.mark == Mark::Entity(1) && x.text == "Ruiz"));
        let entities: Vec<&str> = pieces
            .iter()
            .filter(|x| matches!(x.mark, Mark::Entity(_)))
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(entities, ["Ana Ruiz"], "whole words only, longest first");
        // A quote not in this paragraph leaves it plain.
        let plain = mark_paragraph("Nothing here.", &["elsewhere entirely"], &[]);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].mark, Mark::Text);
    }
}
