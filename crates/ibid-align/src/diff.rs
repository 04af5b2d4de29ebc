//! Word-level diff of a copy against its source, on top of `similar`'s Myers diff.

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm};

use crate::tokens::word_hash;

/// One step of a word diff. Texts keep their original spelling, spacing and punctuation:
/// every word carries the separators in front of it (the last one also those after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    /// Words both texts have (compared case-blind, ignoring punctuation); source's spelling.
    Equal(String),
    /// Words only the copy has (added).
    Insert(String),
    /// Words only the source has (cut).
    Delete(String),
    /// Source words the copy replaced by other words.
    Replace {
        /// The source's words.
        from: String,
        /// The copy's words.
        to: String,
    },
}

/// Word-level diff of `copy` against `source`: what was cut, added and replaced. Words are
/// compared case-blind with punctuation ignored, so "Aleppo, once again," equals "Aleppo once
/// again". Concatenating the `Equal`, `Delete` and `Replace::from` texts gives back `source`;
/// the `Insert` and `Replace::to` texts are the copy's own.
pub fn word_diff(source: &str, copy: &str) -> Vec<DiffOp> {
    let (su, cu) = (units(source), units(copy));
    if su.is_empty() || cu.is_empty() {
        return match (source.is_empty(), copy.is_empty()) {
            (true, true) => Vec::new(),
            (false, true) => vec![DiffOp::Delete(source.to_string())],
            (true, false) => vec![DiffOp::Insert(copy.to_string())],
            (false, false) if source == copy => vec![DiffOp::Equal(source.to_string())],
            (false, false) => vec![DiffOp::Replace {
                from: source.to_string(),
                to: copy.to_string(),
            }],
        };
    }
    let sk: Vec<u32> = su.iter().map(|u| u.key).collect();
    let ck: Vec<u32> = cu.iter().map(|u| u.key).collect();
    let text = |t: &str, us: &[Unit], from: usize, len: usize| {
        t[us[from].start..us[from + len - 1].end].to_string()
    };
    let mut out: Vec<DiffOp> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &sk, &ck) {
        out.push(match op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                DiffOp::Equal(text(source, &su, old_index, len))
            }
            similar::DiffOp::Delete {
                old_index, old_len, ..
            } => DiffOp::Delete(text(source, &su, old_index, old_len)),
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => DiffOp::Insert(text(copy, &cu, new_index, new_len)),
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => DiffOp::Replace {
                from: text(source, &su, old_index, old_len),
                to: text(copy, &cu, new_index, new_len),
            },
        });
    }
    out
}

/// A word with the separators before it, as a byte range of the text, and its comparison key.
struct Unit {
    start: usize,
    end: usize,
    key: u32,
}

fn units(text: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut unit_start = 0;
    let mut word = String::new();
    let mut in_word = false;
    for (i, ch) in text.char_indices() {
        if ch.is_alphanumeric() {
            word.extend(ch.to_lowercase());
            in_word = true;
        } else if in_word {
            out.push(Unit {
                start: unit_start,
                end: i,
                key: word_hash(&word),
            });
            word.clear();
            in_word = false;
            unit_start = i;
        }
    }
    if in_word {
        out.push(Unit {
            start: unit_start,
            end: text.len(),
            key: word_hash(&word),
        });
    } else if let Some(last) = out.last_mut() {
        last.end = text.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_of(ops: &[DiffOp]) -> String {
        ops.iter()
            .map(|op| match op {
                DiffOp::Equal(t) | DiffOp::Delete(t) => t.as_str(),
                DiffOp::Replace { from, .. } => from.as_str(),
                DiffOp::Insert(_) => "",
            })
            .collect()
    }

    #[test]
    fn shows_cuts_additions_and_replacements() {
        let src = "The opening of the bridge, once again, delayed the plans of the council and their partners.";
        let copy = "The opening of the bridge once again delayed by a year the plans of harbour towns and their partners.";
        let ops = word_diff(src, copy);
        assert_eq!(source_of(&ops), src);
        assert_eq!(
            ops,
            vec![
                DiffOp::Equal("The opening of the bridge, once again, delayed".into()),
                DiffOp::Insert(" by a year".into()),
                DiffOp::Equal(" the plans of".into()),
                DiffOp::Replace {
                    from: " the council".into(),
                    to: " harbour towns".into()
                },
                DiffOp::Equal(" and their partners.".into()),
            ]
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(word_diff("", "").is_empty());
        assert_eq!(word_diff("...", ""), vec![DiffOp::Delete("...".into())]);
        assert_eq!(word_diff("", "Hi"), vec![DiffOp::Insert("Hi".into())]);
        assert_eq!(
            word_diff("cut this", "cut"),
            vec![DiffOp::Equal("cut".into()), DiffOp::Delete(" this".into())]
        );
    }
}
