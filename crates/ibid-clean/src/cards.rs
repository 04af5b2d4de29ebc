//! Inline hover cards: page furniture that a scraper flattened into the middle of a sentence.
//!
//! Some sites put a card behind a person's name: the person's full formal name, then the
//! headlines of recent stories about them, then a `MORE` link. Scraped as text, the card lands
//! between the name and the rest of the sentence, glued to the name without a space:
//!
//! `Sen. Pat Example Patrick (Pat) Quinn ExampleSenators weigh new bill Example says vote is near MORE (R-Ore.) said on Monday`
//!
//! Left in, every such article names the people of those other headlines and shares their
//! words, which joins unrelated stories and storylines and puts mentions and quotes in the
//! wrong articles. The card is recognised by its shape, not its words:
//! - it ends at a lone upper-case `MORE` (the site's link, a whole word);
//! - somewhere before that, on the same line, a capitalised word runs into the next one
//!   without a space (`ExampleSenators`: lower-case then upper-case letter, digit or quote);
//!   the part before the glue is a surname `S`;
//! - walking back from that glued word over at most [`MAX_NAME_WORDS`] capitalised name words
//!   (`Patrick`, `(Pat)`, `Quinn`) reaches `S` itself: the text named the person, then the card
//!   named them again in full.
//!
//! The card runs from the first of those name words to the end of `MORE`. The sentence keeps
//! the text's own mention (`Sen. Pat Example (R-Ore.) said`). Ordinary prose has no glued
//! words followed by a repeated name and a closing `MORE`, so nothing of the body goes; the
//! clean stage keeps every card in `removed`.
//!
//! Written by hand: this is a scan of a few words around each `MORE`, which no crate offers.

use std::ops::Range;

/// The word that closes a card (the site's link to more stories).
const CLOSER: &str = "MORE";
/// Longest card, in bytes from its glued word to `MORE` (a name and a few headlines).
const MAX_CARD_BYTES: usize = 1000;
/// Most name words between the text's mention of the surname and the card's glued surname
/// (given names, initials, a nickname in parentheses).
const MAX_NAME_WORDS: usize = 5;
/// Longest word that may be part of a name.
const MAX_NAME_WORD_BYTES: usize = 24;

/// Byte ranges of the inline cards of `text`, in order, not overlapping, each inside one line.
pub(crate) fn inline_cards(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut floor = 0usize;
    let mut from = 0usize;
    while let Some(pos) = text[from..].find(CLOSER) {
        let m = from + pos;
        let end = m + CLOSER.len();
        from = end;
        if !closes_card(text, m, end) {
            continue;
        }
        let line_start = text[..m].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let low = line_start.max(floor);
        let lo = floor_char_boundary(text, low.max(m.saturating_sub(MAX_CARD_BYTES)));
        if let Some(mut start) = card_start(text, lo, low, m) {
            // Before a possessive the white space goes too: `Sample’s`, not `Sample ’s`.
            if text[end..].starts_with(['’', '\'']) {
                start = low.max(text[..start].trim_end().len());
            }
            out.push(start..end);
        }
        // A card never holds another closing word, taken or not.
        floor = end;
    }
    out
}

/// Whether the `MORE` at `m..end` is a lone word: white space before, and after it the end of
/// the text, white space, punctuation or the apostrophe of a possessive (`MORE’s`: the card
/// sat between a name and its `’s`).
fn closes_card(text: &str, m: usize, end: usize) -> bool {
    let before = text[..m].chars().next_back();
    let after = text[end..].chars().next();
    before.is_some_and(char::is_whitespace) && after.is_none_or(|c| !c.is_alphanumeric())
}

/// The start of the card that ends at `m`, if one does: the first glued word in `lo..m` whose
/// surname the text named just before the card's name words; failing that (some cards put a
/// space after the name), the first name that repeats its surname after one to
/// [`MAX_NAME_WORDS`] name words. `low` bounds the walk back.
fn card_start(text: &str, lo: usize, low: usize, m: usize) -> Option<usize> {
    let window = &text[lo..m];
    let mut prev: Option<char> = None;
    for (i, c) in window.char_indices() {
        let glued = prev.is_some_and(|p| p.is_ascii_lowercase())
            && (c.is_uppercase() || c.is_ascii_digit() || matches!(c, '\'' | '"' | '‘' | '“'));
        prev = Some(c);
        if !glued {
            continue;
        }
        let g = lo + i;
        let word_start = text[low..g].rfind(char::is_whitespace).map_or(low, |k| {
            low + k + text[low + k..].chars().next().map_or(1, char::len_utf8)
        });
        let surname = &text[word_start..g];
        if !is_surname(surname) {
            continue;
        }
        if let Some(start) = mention_before(text, low, word_start, surname) {
            return Some(start);
        }
    }
    words_of(text, lo, m).find_map(|(at, w)| {
        if !is_surname(w) {
            return None;
        }
        let start = mention_before(text, low, at, w).filter(|&start| start < at)?;
        // Without the glue, the card's name must also repeat the given name the text used
        // (`Jo Sample Jo Beth Sample`): `Jo Sample Jo` is not a card's name.
        let mut before = words_of(text, low, start).rev();
        let _surname = before.next()?;
        let given = trim_name(before.next()?.1);
        words_of(text, start, at)
            .any(|(_, x)| trim_name(x) == given)
            .then_some(start)
    })
}

/// A name word without its brackets and quotes: `(Pat)` -> `Pat`.
fn trim_name(w: &str) -> &str {
    w.trim_matches(|c: char| matches!(c, '(' | ')' | '"' | '“' | '”' | '‘' | '’' | '\''))
}

/// The white-space separated words of `text[lo..m]`, with their byte offsets in `text`.
fn words_of(text: &str, lo: usize, m: usize) -> impl DoubleEndedIterator<Item = (usize, &str)> {
    text[lo..m].split_whitespace().map(move |w| {
        // Every word is a subslice of `text`: its byte offset is its pointer's distance.
        (w.as_ptr() as usize - text.as_ptr() as usize, w)
    })
}

/// A capitalised word of letters (and `'`, `-`, `.` inside): `Example`, `O'Neil`, `McName`.
fn is_surname(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(char::is_uppercase)
        && w.len() <= MAX_NAME_WORD_BYTES
        && cs.all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-' | '.'))
}

/// A word that can be part of a name: capitalised once brackets and quotes are trimmed
/// (`Patrick`, `(Pat)`, `J.`, `“Nancy`).
fn is_name_word(w: &str) -> bool {
    let t = trim_name(w);
    w.len() <= MAX_NAME_WORD_BYTES && t.chars().next().is_some_and(char::is_uppercase)
}

/// Walks back from `word_start` over at most [`MAX_NAME_WORDS`] name words, down to `low`; if
/// it meets `surname` as a word, returns where the word after it starts (the card's start).
fn mention_before(text: &str, low: usize, word_start: usize, surname: &str) -> Option<usize> {
    let mut next_start = word_start;
    let mut words = words_of(text, low, word_start).rev();
    for _ in 0..=MAX_NAME_WORDS {
        let (at, w) = words.next()?;
        if w.trim_end_matches([',', '.']) == surname {
            return Some(next_start);
        }
        // The text's mention glued to the card itself: `SampleJo Sample` + headlines.
        if let Some(rest) = w.strip_prefix(surname) {
            if rest.chars().next().is_some_and(char::is_uppercase) {
                return Some(at + surname.len());
            }
        }
        if !is_name_word(w) {
            return None;
        }
        next_start = at;
    }
    None
}

/// The largest char boundary of `text` at or below `i`.
fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cut(text: &str) -> Vec<&str> {
        inline_cards(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn a_card_after_a_name_is_found_whole() {
        let t = "Sen. Pat Example Patrick (Pat) Quinn ExampleSenators weigh new bill Example says vote is near MORE (R-Ore.) said on Monday.";
        assert_eq!(
            cut(t),
            ["Patrick (Pat) Quinn ExampleSenators weigh new bill Example says vote is near MORE"]
        );
    }

    #[test]
    fn a_card_that_repeats_the_name_unchanged_and_two_cards_on_a_line() {
        let t = "“Jo Sample Jo SampleCity council votes 2020 budget MORE told us,” and Ann Other Ann Beth Other2021 plans unveiled MORE agreed.";
        assert_eq!(
            cut(t),
            [
                "Jo SampleCity council votes 2020 budget MORE",
                "Ann Beth Other2021 plans unveiled MORE"
            ]
        );
    }

    #[test]
    fn prose_with_more_or_camel_case_is_not_a_card() {
        for t in [
            "Click READ MORE below.",
            "She said the iPhone sold MORE than ever.",
            "McDonald said the plan needs MORE money.",
            "Tim Example said that ExampleCorp wants MORE.",
            "Example Example",
        ] {
            assert!(cut(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn a_card_before_a_possessive_ends_at_its_more() {
        let t = "Special counsel Jo Sample Jo Beth SampleNew filing due MORE’s office said so.";
        assert_eq!(cut(t), [" Jo Beth SampleNew filing due MORE"]);
    }

    #[test]
    fn a_card_with_a_space_after_the_name_is_found_by_the_repeated_surname() {
        let t = "Speaker Jo Sample Jo Beth Sample Retirees weigh a new plan MORE (R-Ore.) said so.";
        assert_eq!(cut(t), ["Jo Beth Sample Retirees weigh a new plan MORE"]);
        // Without a closing MORE, or with the surname said twice in prose, nothing is cut.
        assert!(cut("Speaker Jo Sample Jo Beth Sample weighs a plan.").is_empty());
        assert!(cut("Sample told Sample MORE than once.").is_empty());
    }

    #[test]
    fn a_card_glued_on_both_sides() {
        let t = "Justices Jo SampleJo SampleCourt rules on appeal MORE, and others dissented.";
        assert_eq!(cut(t), ["Jo SampleCourt rules on appeal MORE"]);
    }

    #[test]
    fn a_card_never_crosses_a_line() {
        let t = "Jo Sample\nJo SampleCity council votes MORE later";
        assert!(cut(t).is_empty());
    }

    proptest! {
        #[test]
        fn cards_are_ordered_disjoint_and_on_char_boundaries(s in "(\\PC|\n| MORE |Ab|bC|Jo Sample ){0,60}") {
            let cards = inline_cards(&s);
            let mut last = 0;
            for r in &cards {
                prop_assert!(r.start >= last && r.start < r.end);
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
                prop_assert!(!s[r.clone()].contains('\n'));
                prop_assert!(s[r.clone()].ends_with(CLOSER));
                last = r.end;
            }
        }
    }
}
