//! Word-level differences between two renderings of a shared passage.

use std::time::Duration;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

/// What one piece of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Op {
    /// In both.
    Equal,
    /// Only in the first (`a`).
    Delete,
    /// Only in the second (`b`).
    Insert,
}

/// A run of text with one [`Op`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Piece {
    /// What it is.
    pub(crate) op: Op,
    /// The text, white space included, so concatenating the `equal` and `delete` pieces gives
    /// `a` back and the `equal` and `insert` pieces give `b`.
    pub(crate) text: String,
}

/// Diffs `a` against `b` word by word. Bounded in time: a pathological pair falls back to a
/// coarser (still correct) diff instead of stalling the request.
pub(crate) fn words(a: &str, b: &str) -> Vec<Piece> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(Duration::from_millis(20))
        .diff_words(a, b);
    let mut out: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Delete => Op::Delete,
            ChangeTag::Insert => Op::Insert,
        };
        let text = change.value();
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => out.push(Piece {
                op,
                text: text.to_string(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn side(pieces: &[Piece], skip: Op) -> String {
        pieces
            .iter()
            .filter(|p| p.op != skip)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn changed_words_are_marked() {
        let p = words(
            "the envoy met the minister",
            "the envoy met a minister today",
        );
        assert_eq!(side(&p, Op::Insert), "the envoy met the minister");
        assert_eq!(side(&p, Op::Delete), "the envoy met a minister today");
        assert!(p
            .iter()
            .any(|x| x.op == Op::Delete && x.text.contains("the")));
        assert!(p
            .iter()
            .any(|x| x.op == Op::Insert && x.text.contains("today")));
        assert_eq!(words("same", "same").len(), 1);
    }

    proptest! {
        #[test]
        fn both_sides_are_recovered(a in "[a-c ]{0,30}", b in "[a-c ]{0,30}") {
            let p = words(&a, &b);
            prop_assert_eq!(side(&p, Op::Insert), a);
            prop_assert_eq!(side(&p, Op::Delete), b);
        }
    }
}
