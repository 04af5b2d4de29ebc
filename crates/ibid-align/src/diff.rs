//! Word-level diff of a copy against its source, on top of `similar`'s Myers diff.

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm};

use crate::tokens::word_hash;

/// One step of a word diff. Texts keep their original spelling, spacing and punctuation:
/// every word carries the separators in front of it (the last one also those after it).
///
/// As JSON each step is an object tagged by `op`: `{"op": "equal", "text": "…"}`, `insert`
/// and `delete` alike, and `{"op": "replace", "from": "…", "to": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DiffOp {
    /// Words both texts have (compared case-blind, ignoring punctuation); source's spelling.
    Equal {
        /// The words, as the source has them.
        text: String,
    },
    /// Words only the copy has (added).
    Insert {
        /// The added words.
        text: String,
    },
    /// Words only the source has (cut).
    Delete {
        /// The cut words.
        text: String,
    },
    /// Source words the copy replaced by other words.
    Replace {
        /// The source's words.
        from: String,
        /// The copy's words.
        to: String,
    },
}

/// Word counts of a diff: how much of the source a copy kept, cut, added and replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffStats {
    /// Words kept (in both texts).
    pub equal: usize,
    /// Source words cut (deleted).
    pub cut: usize,
    /// Words the copy added (inserted).
    pub added: usize,
    /// Source words replaced by other words.
    pub replaced_from: usize,
    /// The copy's words that replaced them.
    pub replaced_to: usize,
    /// Word-level Dice similarity of source and copy: `2 * equal / (source words + copy
    /// words)`, 1.0 for identical wording (and for two empty texts).
    pub similarity: f64,
}

impl DiffStats {
    /// Counts the words of each kind of step in `ops` (as produced by [`word_diff`]).
    pub fn of(ops: &[DiffOp]) -> Self {
        let mut s = Self::default();
        for op in ops {
            match op {
                DiffOp::Equal { text } => s.equal += word_count(text),
                DiffOp::Delete { text } => s.cut += word_count(text),
                DiffOp::Insert { text } => s.added += word_count(text),
                DiffOp::Replace { from, to } => {
                    s.replaced_from += word_count(from);
                    s.replaced_to += word_count(to);
                }
            }
        }
        let total = 2 * s.equal + s.cut + s.added + s.replaced_from + s.replaced_to;
        s.similarity = if total == 0 {
            1.0
        } else {
            (2 * s.equal) as f64 / total as f64
        };
        s
    }
}

/// Words as [`word_diff`] counts them: alphanumeric runs.
fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// The text of a half-open code-point span (as in [`crate::Alignment`]), clamped to the text:
/// a span past the end gives what there is, never a panic.
pub fn span_text(text: &str, span: (u32, u32)) -> &str {
    let byte_at = |cp: u32| {
        text.char_indices()
            .nth(cp as usize)
            .map_or(text.len(), |(b, _)| b)
    };
    let start = byte_at(span.0);
    let end = byte_at(span.1).max(start);
    &text[start..end]
}

/// Word-level diff of `copy` against `source`: what was cut, added and replaced. Words are
/// compared case-blind with punctuation ignored, so "Aleppo, once again," equals "Aleppo once
/// again". Concatenating the `Equal`, `Delete` and `Replace::from` texts gives back `source`;
/// the `Insert` and `Replace::to` texts are the copy's own. The punctuation after the last
/// word is the source's, in a final `Equal` step.
pub fn word_diff(source: &str, copy: &str) -> Vec<DiffOp> {
    // The closing punctuation after the last word would ride on whatever step comes last
    // ("the plans. {+of harbour towns.+}"); diff without it and put the source's back after.
    let tail = |t: &str| t.len() - t.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    let (st, ct) = (tail(source), tail(copy));
    if st < source.len() && ct < copy.len() && st > 0 {
        let (body, end) = source.split_at(source.len() - st);
        let mut ops = word_diff(body, &copy[..copy.len() - ct]);
        match ops.last_mut() {
            Some(DiffOp::Equal { text }) => text.push_str(end),
            _ => ops.push(DiffOp::Equal { text: end.into() }),
        }
        return ops;
    }
    let (su, cu) = (units(source), units(copy));
    if su.is_empty() || cu.is_empty() {
        return match (source.is_empty(), copy.is_empty()) {
            (true, true) => Vec::new(),
            (false, true) => vec![DiffOp::Delete {
                text: source.to_string(),
            }],
            (true, false) => vec![DiffOp::Insert {
                text: copy.to_string(),
            }],
            (false, false) if source == copy => vec![DiffOp::Equal {
                text: source.to_string(),
            }],
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
    blocks(&sk, &ck)
        .into_iter()
        .map(|b| match (b.eq, b.ol, b.nl) {
            (true, _, _) => DiffOp::Equal {
                text: text(source, &su, b.o, b.ol),
            },
            (false, _, 0) => DiffOp::Delete {
                text: text(source, &su, b.o, b.ol),
            },
            (false, 0, _) => DiffOp::Insert {
                text: text(copy, &cu, b.n, b.nl),
            },
            (false, _, _) => DiffOp::Replace {
                from: text(source, &su, b.o, b.ol),
                to: text(copy, &cu, b.n, b.nl),
            },
        })
        .collect()
}

/// A run of a word diff in unit indices: `ol` source units from `o`, `nl` copy units from
/// `n`; equal runs have `ol == nl`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Block {
    eq: bool,
    o: usize,
    ol: usize,
    n: usize,
    nl: usize,
}

/// Myers' minimal diff, then made readable the way diff-match-patch's semantic cleanup does
/// (a minimal diff is often not the one a reader expects):
/// - an insertion or deletion is slid back over an equal run it ends with, so it meets the
///   change before it ("{+to+} the {+world the+}" becomes "{+to the world+} the");
/// - a one-word equal run inside a rewrite (changes on both sides that cut and add words) is
///   folded into them, so a rewritten clause reads as one replacement instead of a chain of
///   changes hanging on "the" and "of".
fn blocks(sk: &[u32], ck: &[u32]) -> Vec<Block> {
    cleanup(myers(sk, ck), sk, ck)
}

fn myers(sk: &[u32], ck: &[u32]) -> Vec<Block> {
    capture_diff_slices(Algorithm::Myers, sk, ck)
        .into_iter()
        .map(|op| {
            let (o, ol, n, nl) = match op {
                similar::DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => (old_index, len, new_index, len),
                similar::DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                } => (old_index, old_len, new_index, 0),
                similar::DiffOp::Insert {
                    old_index,
                    new_index,
                    new_len,
                } => (old_index, 0, new_index, new_len),
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (old_index, old_len, new_index, new_len),
            };
            Block {
                eq: matches!(op, similar::DiffOp::Equal { .. }),
                o,
                ol,
                n,
                nl,
            }
        })
        .collect()
}

fn cleanup(mut bs: Vec<Block>, sk: &[u32], ck: &[u32]) -> Vec<Block> {
    // Each pass removes a block, so this ends.
    loop {
        let mut changed = false;
        for i in 1..bs.len() {
            let (e, b) = (bs[i - 1], bs[i]);
            let before_is_change = i >= 2 && !bs[i - 2].eq;
            if !e.eq || b.eq || !before_is_change {
                continue;
            }
            let slides = if b.ol == 0 {
                ck.get(e.n + b.nl..e.n + b.nl + e.nl) == Some(&ck[e.n..e.n + e.nl])
            } else if b.nl == 0 {
                sk.get(e.o + b.ol..e.o + b.ol + e.ol) == Some(&sk[e.o..e.o + e.ol])
            } else {
                false
            };
            if slides {
                bs[i - 1] = Block {
                    eq: false,
                    o: e.o,
                    ol: b.ol,
                    n: e.n,
                    nl: b.nl,
                };
                bs[i] = Block {
                    eq: true,
                    o: e.o + b.ol,
                    ol: e.ol,
                    n: e.n + b.nl,
                    nl: e.nl,
                };
                changed = true;
                break;
            }
        }
        if !changed {
            for i in 1..bs.len().saturating_sub(1) {
                let (l, r) = (bs[i - 1], bs[i + 1]);
                // Only inside a rewrite: words changed on both sides, some cut and some added
                // (a word kept between two plain additions is kept, not rewritten).
                let rewrite = (l.ol > 0 && r.ol > 0 && (l.nl > 0 || r.nl > 0))
                    || (l.nl > 0 && r.nl > 0 && (l.ol > 0 || r.ol > 0));
                if bs[i].eq && bs[i].ol == 1 && !l.eq && !r.eq && rewrite {
                    bs[i].eq = false;
                    changed = true;
                    break;
                }
            }
        }
        // Adjacent changes become one.
        let mut merged: Vec<Block> = Vec::with_capacity(bs.len());
        for b in bs {
            match merged.last_mut() {
                Some(m) if !m.eq && !b.eq => {
                    m.ol += b.ol;
                    m.nl += b.nl;
                }
                _ => merged.push(b),
            }
        }
        bs = merged;
        if !changed {
            return bs;
        }
    }
}

/// The stretch of `copy` that carries `source`: from the first to the last word of `copy`
/// matched (as in [`word_diff`]) with a word of `source`, plus closing punctuation glued to
/// the last one; a half-open code-point span of `copy`, or `None` when no word matches.
/// A copy found through other copies of a passage may carry text around it that the source
/// never had (another outlet's lead-in, say): this cuts it off, so a diff shows how the
/// copy edited the source rather than what it printed next to it.
pub fn matched_extent(source: &str, copy: &str) -> Option<(u32, u32)> {
    let (su, cu) = (units(source), units(copy));
    let sk: Vec<u32> = su.iter().map(|u| u.key).collect();
    let ck: Vec<u32> = cu.iter().map(|u| u.key).collect();
    // The raw diff: the cleanup may fold a kept word at the passage's edge into the text
    // around it.
    let equal: Vec<Block> = myers(&sk, &ck).into_iter().filter(|b| b.eq).collect();
    // A lone shared word ("the", a name said twice) far out at either end is chance, not the
    // copy: the ends are the outermost runs of two words or more, widened over single words
    // at most MAX_STRAY copy words away from them.
    const MAX_STRAY: usize = 3;
    let mut lo = equal.iter().position(|b| b.nl >= 2).unwrap_or(0);
    let mut hi = equal
        .iter()
        .rposition(|b| b.nl >= 2)
        .unwrap_or(equal.len().checked_sub(1)?);
    while lo > 0 && equal[lo].n - (equal[lo - 1].n + equal[lo - 1].nl) <= MAX_STRAY {
        lo -= 1;
    }
    while hi + 1 < equal.len() && equal[hi + 1].n - (equal[hi].n + equal[hi].nl) <= MAX_STRAY {
        hi += 1;
    }
    let (first, last) = (equal[lo].n, equal[hi].n + equal[hi].nl - 1);
    // A unit starts with the separators in front of its word: skip them.
    let start = copy[cu[first].start..]
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(cu[first].start, |(i, _)| cu[first].start + i);
    let word_end = copy[cu[last].start..]
        .char_indices()
        .skip_while(|(_, c)| !c.is_alphanumeric())
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(copy.len(), |(i, _)| cu[last].start + i);
    let end = word_end
        + copy[word_end..]
            .chars()
            .take_while(|c| ".,;:!?)]\"'”’»".contains(*c))
            .map(char::len_utf8)
            .sum::<usize>();
    let cp = |b: usize| copy[..b].chars().count() as u32;
    Some((cp(start), cp(end)))
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
                DiffOp::Equal { text } | DiffOp::Delete { text } => text.as_str(),
                DiffOp::Replace { from, .. } => from.as_str(),
                DiffOp::Insert { .. } => "",
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
                DiffOp::Equal {
                    text: "The opening of the bridge, once again, delayed".into()
                },
                DiffOp::Insert {
                    text: " by a year".into()
                },
                DiffOp::Equal {
                    text: " the plans of".into()
                },
                DiffOp::Replace {
                    from: " the council".into(),
                    to: " harbour towns".into()
                },
                DiffOp::Equal {
                    text: " and their partners.".into()
                },
            ]
        );
    }

    #[test]
    fn stats_count_words_and_json_is_tagged_by_op() {
        let ops = word_diff(
            "the council met on Monday, late",
            "the full council met Tuesday, late",
        );
        let st = DiffStats::of(&ops);
        assert_eq!((st.equal, st.cut, st.added), (4, 0, 1), "{ops:?}");
        assert_eq!((st.replaced_from, st.replaced_to), (2, 1));
        assert!((st.similarity - 8.0 / 12.0).abs() < 1e-9);
        let json = serde_json::to_value(&ops).unwrap();
        assert_eq!(json[0], serde_json::json!({"op": "equal", "text": "the"}));
        assert_eq!(json[1]["op"], "insert");
        assert!(json
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["op"] == "replace" && o["to"] == " Tuesday"));
        assert_eq!(DiffStats::of(&[]).similarity, 1.0);
    }

    #[test]
    fn matched_extent_drops_text_the_source_never_had() {
        let src = "the council met on Monday";
        let copy = "In other news, the full council met on Monday.” Weather next.";
        let (s, e) = matched_extent(src, copy).unwrap();
        assert_eq!(span_text(copy, (s, e)), "the full council met on Monday.”");
        assert_eq!(matched_extent("alpha beta", "gamma delta"), None);
        assert_eq!(matched_extent("é ü", "x é ü"), Some((2, 5)));
    }

    #[test]
    fn cleanup_groups_changes_the_way_a_reader_would() {
        // Minimal diff: "exposed {+to+} the {+world the+} policies"; slid: one insertion.
        let ops = word_diff(
            "it exposed the policies",
            "it exposed to the world the policies",
        );
        assert_eq!(
            ops,
            vec![
                DiffOp::Equal {
                    text: "it exposed".into()
                },
                DiffOp::Insert {
                    text: " to the world".into()
                },
                DiffOp::Equal {
                    text: " the policies".into()
                },
            ]
        );
        // A rewrite hanging on "the" and "of" reads as one replacement...
        let ops = word_diff(
            "army for the liberation of the city of Aleppo, saying Iran",
            "army made gains by the outcome of initiatives by Iran",
        );
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert!(matches!(&ops[1], DiffOp::Replace { .. }));
        // ...but a word kept between two plain additions stays kept.
        let ops = word_diff("the council met", "so the full council met");
        assert_eq!(
            ops.iter()
                .filter(|o| matches!(o, DiffOp::Equal { .. }))
                .count(),
            2
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(word_diff("", "").is_empty());
        assert_eq!(
            word_diff("...", ""),
            vec![DiffOp::Delete { text: "...".into() }]
        );
        assert_eq!(
            word_diff("", "Hi"),
            vec![DiffOp::Insert { text: "Hi".into() }]
        );
        assert_eq!(span_text("héllo wörld", (1, 5)), "éllo");
        assert_eq!(span_text("héllo", (3, 99)), "lo");
        assert_eq!(span_text("héllo", (9, 3)), "");
        assert_eq!(
            word_diff("cut this", "cut"),
            vec![
                DiffOp::Equal { text: "cut".into() },
                DiffOp::Delete {
                    text: " this".into()
                }
            ]
        );
    }
}
