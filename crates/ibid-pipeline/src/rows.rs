//! Which articles' quote and mention rows changed since the last text stage.
//!
//! Each pass derives every article's rows (speakers named by the store-wide entity merge,
//! statements linked per storyline), but an ingest into a big store changes the rows of a few
//! thousand articles out of hundreds of thousands: the new ones, those whose mentions moved
//! to another entity, those whose storyline was linked differently. Two digests of each
//! article, saved with the rows, tell which:
//!
//! - its *inputs*: the digests of its statement group ([`group_digest`]) and of its stored
//!   results, and its exported mentions with their entities' ids and names. Its rows are a
//!   function of these (statements of the group, speakers of the entities' names), so an
//!   article whose inputs are unchanged is not looked at again, and its quotes are not read;
//! - its *rows* as written, statements included. An article whose inputs changed (say its
//!   storyline gained a member) has its group linked again and its rows digested again; only
//!   when that digest differs are its rows rebuilt and written.
//!
//! The millions of rows of the others are neither allocated nor read back from the store.

use std::collections::HashMap;

use ibid_core::Span;
use xxhash_rust::xxh3::Xxh3;

/// Name of the saved per-article digests (saved at [`crate::EXTRACT_VERSION`]).
pub(crate) const ROWS_STATE: &str = "extract-rows";

/// One quote as exported, borrowed.
pub(crate) struct QuoteFields<'a> {
    pub span: Span,
    pub text: &'a str,
    pub speaker: Option<&'a str>,
    pub speaker_span: Option<Span>,
    pub direct: bool,
    pub statement: Option<&'a str>,
    /// Two decimals, as stored.
    pub confidence: f64,
}

/// One mention as exported, borrowed: its entity id, span and text.
pub(crate) type MentionFields<'a> = (&'a str, Span, &'a str);

/// Builds the digest of one article's rows, field by field (strings length-prefixed, so no
/// two different row lists feed the same bytes).
#[derive(Default)]
pub(crate) struct RowsDigest(Xxh3);

impl RowsDigest {
    fn str(&mut self, s: &str) {
        self.0.update(&(s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.update(&[0]),
            Some(s) => {
                self.0.update(&[1]);
                self.str(s);
            }
        }
    }

    fn span(&mut self, s: Span) {
        self.0.update(&s.start.to_le_bytes());
        self.0.update(&s.end.to_le_bytes());
    }

    /// Adds the digest of the article's statement group (see [`group_digest`]): its
    /// quotes' statement ids are a function of the group, so they are not fed one by one,
    /// and an article's rows can be judged unchanged before its group is linked.
    pub fn group(&mut self, digest: u64) {
        self.0.update(b"g");
        self.0.update(&digest.to_le_bytes());
    }

    /// Adds the digest of the article's stored results.
    pub fn results(&mut self, digest: u64) {
        self.0.update(b"r");
        self.0.update(&digest.to_le_bytes());
    }

    /// Adds one of the article's exported mentions (by span: which mentions are exported
    /// is the merge's decision) with its entity's id and name, in mention order.
    pub fn entity(&mut self, span: Span, id: &str, name: &str) {
        self.0.update(b"e");
        self.span(span);
        self.str(id);
        self.str(name);
    }

    /// Adds a quote's statement id (after the quote, for the digest of the rows as written).
    pub fn statement(&mut self, statement: Option<&str>) {
        self.opt_str(statement);
    }

    /// Adds a quote (in the article's quote order), all but its statement.
    pub fn quote(&mut self, q: &QuoteFields<'_>) {
        self.0.update(b"q");
        self.span(q.span);
        self.str(q.text);
        self.opt_str(q.speaker);
        match q.speaker_span {
            None => self.0.update(&[0]),
            Some(s) => {
                self.0.update(&[1]);
                self.span(s);
            }
        }
        self.0.update(&[u8::from(q.direct)]);
        self.0.update(&q.confidence.to_bits().to_le_bytes());
    }

    /// Adds a mention (in a fixed order: by span, then entity id).
    pub fn mention(&mut self, m: &MentionFields<'_>) {
        self.0.update(b"m");
        self.str(m.0);
        self.span(m.1);
        self.str(m.2);
    }

    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

/// The digest of a statement group: its members' ids and the digests of their stored
/// results, in the order they are linked. Statement linking reads nothing else, so a group
/// with an equal digest links as before.
pub(crate) fn group_digest<'a>(members: impl Iterator<Item = (&'a str, u64)>) -> u64 {
    let mut h = Xxh3::new();
    for (id, results) in members {
        h.update(&(id.len() as u64).to_le_bytes());
        h.update(id.as_bytes());
        h.update(&results.to_le_bytes());
    }
    h.digest()
}

/// An article's saved digests: of its inputs and of its rows (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Saved {
    pub inputs: u128,
    pub rows: u128,
}

/// First byte of the saved form (its format).
const FORMAT: u8 = 2;

fn halves(d: u128) -> (u64, u64) {
    ((d >> 64) as u64, d as u64)
}

fn whole(hi: u64, lo: u64) -> u128 {
    (u128::from(hi) << 64) | u128::from(lo)
}

/// The saved digests, by article id; `None` for anything else than [`encode`]'s output.
pub(crate) fn decode(bytes: &[u8]) -> Option<HashMap<String, Saved>> {
    let (&format, rest) = bytes.split_first()?;
    if format != FORMAT {
        return None;
    }
    let rows: Vec<(String, [u64; 4])> = postcard::from_bytes(rest).ok()?;
    Some(
        rows.into_iter()
            .map(|(id, [a, b, c, d])| {
                let saved = Saved {
                    inputs: whole(a, b),
                    rows: whole(c, d),
                };
                (id, saved)
            })
            .collect(),
    )
}

/// The digests to save, sorted by id.
pub(crate) fn encode<'a>(digests: impl Iterator<Item = (&'a str, Saved)>) -> Vec<u8> {
    let mut rows: Vec<(&str, [u64; 4])> = digests
        .map(|(id, s)| {
            let ((a, b), (c, d)) = (halves(s.inputs), halves(s.rows));
            (id, [a, b, c, d])
        })
        .collect();
    rows.sort_unstable();
    let mut out = vec![FORMAT];
    // Encoding a vector of strings and integers cannot fail.
    out.extend(postcard::to_allocvec(&rows).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote<'a>(text: &'a str, statement: Option<&'static str>) -> QuoteFields<'a> {
        QuoteFields {
            span: Span { start: 3, end: 9 },
            text,
            speaker: Some("Ann Lee"),
            speaker_span: None,
            direct: true,
            statement,
            confidence: 0.7,
        }
    }

    #[test]
    fn every_field_counts_and_the_saved_form_reads_back() {
        let group = |ids: &[&'static str]| group_digest(ids.iter().map(|id| (*id, 1)));
        let digest = |quotes: &[QuoteFields<'_>], mentions: &[MentionFields<'_>]| {
            let mut d = RowsDigest::default();
            d.group(group(&["a", "b"]));
            quotes.iter().for_each(|q| d.quote(q));
            mentions.iter().for_each(|m| d.mention(m));
            d.finish()
        };
        let span = Span { start: 0, end: 3 };
        let base = digest(&[quote("words", None)], &[("per:ann", span, "Ann")]);
        assert_eq!(
            base,
            digest(&[quote("words", None)], &[("per:ann", span, "Ann")])
        );
        // Statements are the group's business.
        assert_eq!(
            base,
            digest(
                &[quote("words", Some("st:a:0"))],
                &[("per:ann", span, "Ann")]
            )
        );
        assert_ne!(group(&["a", "b"]), group(&["b", "a"]));
        assert_ne!(group(&["a", "b"]), group(&["ab"]));
        assert_ne!(
            group_digest([("a", 1)].into_iter()),
            group_digest([("a", 2)].into_iter())
        );
        for other in [
            digest(&[quote("word", None)], &[("per:ann", span, "Ann")]),
            digest(&[quote("words", None)], &[("per:ann-lee", span, "Ann")]),
            digest(&[quote("words", None)], &[]),
            // Strings are delimited: moving a byte between fields changes the digest.
            digest(&[quote("words", None)], &[("per:an", span, "nAnn")]),
        ] {
            assert_ne!(base, other);
        }
        let a = Saved {
            inputs: base,
            rows: 3,
        };
        let b = Saved {
            inputs: 7u128 << 70 | 5,
            rows: u128::MAX,
        };
        let saved = encode([("b", b), ("a", a)].into_iter());
        let back = decode(&saved).unwrap();
        assert_eq!((back["a"], back["b"]), (a, b));
        assert!(decode(b"\xff\xff").is_none());
        assert!(decode(&saved[1..]).is_none(), "another format");
    }
}
