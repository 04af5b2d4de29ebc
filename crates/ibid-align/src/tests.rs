//! Property tests of the public alignment API.

use proptest::prelude::*;

use crate::tokens::closes;
use crate::{align_pair, AlignConfig};

/// Texts of words drawn from a large made-up vocabulary (so that repeats are rare, as in real
/// prose), with mixed separators and some non-ASCII letters to exercise code-point offsets.
fn text(min_words: usize, max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec((0u32..5000, 0usize..6), min_words..max_words).prop_map(|ws| {
        let seps = [" ", ", ", " — ", ".\n", " «", "’ "];
        let mut s = String::new();
        for (w, sep) in ws {
            s.push_str(&format!("wörd{w}"));
            s.push_str(seps[sep]);
        }
        s
    })
}

/// A span starts at a word and ends after a word plus the closing punctuation glued to it.
fn span_ok(text: &str, span: (u32, u32)) -> bool {
    let n = text.chars().count() as u32;
    let chars: Vec<char> = text.chars().collect();
    span.0 < span.1
        && span.1 <= n
        && chars[span.0 as usize].is_alphanumeric()
        && (span.0 == 0 || !chars[span.0 as usize - 1].is_alphanumeric())
        && (span.1 == n
            || !(chars[span.1 as usize].is_alphanumeric() || closes(chars[span.1 as usize])))
        && chars[span.0 as usize..span.1 as usize]
            .iter()
            .rev()
            .find(|c| !closes(**c))
            .is_some_and(|c| c.is_alphanumeric())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn spans_are_in_bounds_and_on_word_boundaries(
        a in text(0, 200), b in text(0, 200), shared in text(15, 60), cut in 0usize..150
    ) {
        // Embed a shared passage in both so that there is something to align.
        let split = |t: &str| {
            let at = t.char_indices().nth(cut).map_or(t.len(), |(i, _)| i);
            (t[..at].to_string(), t[at..].to_string())
        };
        let (a0, a1) = split(&a);
        let (b0, b1) = split(&b);
        let a = format!("{a0} {shared} {a1}");
        let b = format!("{b1} {shared}{b0}");
        let found = align_pair(&a, &b, &AlignConfig::default());
        prop_assert!(!found.is_empty());
        for (sa, sb, sim) in found {
            prop_assert!(span_ok(&a, sa), "{:?} in {:?}", sa, a);
            prop_assert!(span_ok(&b, sb), "{:?} in {:?}", sb, b);
            prop_assert!(sim > 0.0 && sim <= 1.0);
        }
    }

    #[test]
    fn a_text_aligns_with_itself_once_in_full(t in text(15, 300)) {
        let found = align_pair(&t, &t, &AlignConfig::default());
        let first = t.chars().position(|c| c.is_alphanumeric()).unwrap() as u32;
        // The last word, and the closing punctuation glued to it.
        let chars: Vec<char> = t.chars().collect();
        let mut last = chars.len() - chars.iter().rev().position(|c| c.is_alphanumeric()).unwrap();
        while last < chars.len() && closes(chars[last]) {
            last += 1;
        }
        let last = last as u32;
        prop_assert_eq!(found, vec![((first, last), (first, last), 1.0)]);
    }

    #[test]
    fn alignment_is_symmetric(a in text(0, 150), b in text(0, 150), shared in text(0, 40)) {
        let a = format!("{a} {shared}");
        let b = format!("{shared} {b}");
        let cfg = AlignConfig::default();
        let ab = align_pair(&a, &b, &cfg);
        let mut ba: Vec<_> = align_pair(&b, &a, &cfg)
            .into_iter()
            .map(|(x, y, s)| (y, x, s))
            .collect();
        ba.sort_by_key(|x| (x.0, x.1));
        prop_assert_eq!(ab, ba);
    }
}
