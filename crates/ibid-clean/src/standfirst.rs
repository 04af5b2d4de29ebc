//! Which body paragraphs a line opens: the test behind standfirsts (a line that repeats the
//! start of a longer paragraph).

use crate::normalize::Lines;

/// How many paragraphs starting with the same line are looked at before giving up. Only a
/// crafted page has more than a handful; the cap keeps such a page linear.
const SCAN_CAP: usize = 1024;

/// The body paragraphs of an article, sorted by their ASCII-lowercased text, so that "does a
/// paragraph start with this line" is a binary search. Scanning every line for every
/// candidate line made cleaning quadratic in the number of lines (a 100,000-line file took
/// minutes).
pub(crate) struct BodyStarts {
    /// Lowercased paragraph text and its word count; one entry per distinct text, with the
    /// largest word count.
    keys: Vec<(String, usize)>,
}

impl BodyStarts {
    /// Indexes the lines marked in `is_body`.
    pub(crate) fn new(lines: &Lines, is_body: &[bool]) -> Self {
        let mut keys: Vec<(String, usize)> = lines
            .lines
            .iter()
            .zip(is_body)
            .filter(|(_, &body)| body)
            .map(|(line, _)| (lines.text(line).to_ascii_lowercase(), line.words))
            .collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        keys.dedup_by(|later, first| later.0 == first.0);
        Self { keys }
    }

    /// Whether a paragraph of at least `min_words` words is `line` (compared without ASCII
    /// case) followed by more text that starts with a character other than a letter or digit.
    pub(crate) fn is_opened_by(&self, line: &str, min_words: usize) -> bool {
        let key = line.to_ascii_lowercase();
        let first = self
            .keys
            .partition_point(|(k, _)| k.as_str() < key.as_str());
        self.keys[first..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&key))
            .take(SCAN_CAP)
            .any(|(k, words)| {
                *words >= min_words
                    // `k` starts with `key`, so `key.len()` is a character boundary of `k`.
                    && k[key.len()..].chars().next().is_some_and(|c| !c.is_alphanumeric())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::split_lines;

    fn index(text: &str) -> BodyStarts {
        let lines = split_lines(text);
        let all = vec![true; lines.lines.len()];
        BodyStarts::new(&lines, &all)
    }

    #[test]
    fn a_line_opens_a_longer_paragraph_at_a_word_boundary_whatever_the_case() {
        let starts =
            index("The council voted to close the harbour, citing costs.\nOther text here.");
        assert!(starts.is_opened_by("the Council voted to close the harbour", 5));
        assert!(!starts.is_opened_by("The council voted to close the harb", 5));
        assert!(!starts.is_opened_by("The council voted to close the harbour", 20));
        // The paragraph itself is not longer than itself.
        assert!(!starts.is_opened_by("Other text here.", 1));
    }

    #[test]
    fn many_lines_are_indexed_in_linear_time() {
        // 200,000 distinct lines: a scan per line would be 4e10 comparisons.
        let text: String = (0..200_000)
            .map(|i| format!("line number {i} of the file.\n"))
            .collect();
        let starts = index(&text);
        assert!(starts.is_opened_by("line number 7 of the", 1));
        assert!(!starts.is_opened_by("line number 7 of the file", 9));
    }
}
