//! Corpus line statistics per outlet (the Media Cloud idea): a short line that recurs across
//! many articles of the same outlet is that outlet's furniture.

use std::collections::{HashMap, HashSet};

use ibid_core::RawArticle;
use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::normalize_line_into;

/// Default for [`IndexConfig::min_articles`].
pub const DEFAULT_MIN_ARTICLES: u32 = 5;
/// Default for [`IndexConfig::max_words`].
pub const DEFAULT_MAX_WORDS: usize = 20;

/// Thresholds of a [`LineIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexConfig {
    /// A line is outlet furniture when at least this many distinct articles of the outlet
    /// contain it. Default [`DEFAULT_MIN_ARTICLES`] (5): high enough that a few follow-up
    /// stories repeating a background line do not qualify, low enough for small outlets.
    pub min_articles: u32,
    /// Only lines of at most this many words are counted and can be furniture. Default
    /// [`DEFAULT_MAX_WORDS`] (20): bylines, copyright rows, promos and share rows are short;
    /// body paragraphs are mostly longer and are never worth the risk.
    pub max_words: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            min_articles: DEFAULT_MIN_ARTICLES,
            max_words: DEFAULT_MAX_WORDS,
        }
    }
}

/// Line counts keyed by xxh3 line hashes, which are their own hash: hashing them again with
/// SipHash would be pure cost.
type KeyMap = nohash_hasher::IntMap<u64, u32>;

/// Lines counted for one outlet.
#[derive(Clone, Debug, Default)]
pub(crate) struct OutletLines {
    /// Articles added for this outlet.
    articles: u32,
    /// Line key -> number of distinct articles containing the line.
    counts: KeyMap,
}

/// Read-only corpus statistics used by cleaning: how many distinct articles of each outlet
/// contain a given normalised line.
///
/// A line recurring across many articles of the *same* outlet within a corpus is that outlet's
/// boilerplate; a sentence shared across *different* outlets is reuse, not boilerplate, so
/// counts are kept per outlet and never pooled. Articles without an outlet are not counted.
/// Lines are keyed by a 64-bit hash of their normalised, lower-cased text (see
/// [`IndexConfig`] for the thresholds and their defaults).
#[derive(Default, Clone, Debug)]
pub struct LineIndex {
    config: IndexConfig,
    outlets: HashMap<String, OutletLines>,
}

/// Key of an outlet name: trimmed and lower-cased so spellings of one source meet.
fn outlet_key(outlet: &str) -> String {
    outlet.trim().to_lowercase()
}

/// Key of a normalised line (lower-cased into `buf`, then hashed).
pub(crate) fn line_key(norm: &str, buf: &mut String) -> u64 {
    buf.clear();
    buf.extend(norm.chars().flat_map(char::to_lowercase));
    xxh3_64(buf.as_bytes())
}

impl LineIndex {
    /// An empty index with the given thresholds.
    pub fn with_config(config: IndexConfig) -> Self {
        Self {
            config,
            outlets: HashMap::new(),
        }
    }

    /// The thresholds in use.
    pub fn config(&self) -> IndexConfig {
        self.config
    }

    /// Counts this article's distinct short lines under its outlet (`raw.outlet`; `None` means
    /// unknown outlet and the article is ignored).
    pub fn add(&mut self, raw: &RawArticle) {
        let Some(outlet) = raw.outlet.as_deref().filter(|o| !o.trim().is_empty()) else {
            return;
        };
        let mut norm = String::new();
        let mut lower = String::new();
        let mut keys: Vec<u64> = Vec::new();
        // Paragraph-sized lines cannot be furniture: skip them before normalising (no real
        // line of at most `max_words` words averages 40 bytes a word).
        let max_bytes = self.config.max_words.saturating_mul(40).max(200);
        for line in raw.text.split(['\n', '\r']) {
            if line.len() > max_bytes {
                continue;
            }
            normalize_line_into(line, &mut norm);
            if norm.is_empty()
                || norm.bytes().filter(|&b| b == b' ').count() >= self.config.max_words
            {
                continue;
            }
            keys.push(line_key(&norm, &mut lower));
        }
        keys.sort_unstable();
        keys.dedup();
        let entry = self.outlets.entry(outlet_key(outlet)).or_default();
        entry.articles += 1;
        for k in keys {
            *entry.counts.entry(k).or_insert(0) += 1;
        }
    }

    /// Adds the counts of `other` (built with the same thresholds) to this index, so an index
    /// can be built in parallel and combined.
    pub fn merge(&mut self, other: LineIndex) {
        for (outlet, lines) in other.outlets {
            match self.outlets.get_mut(&outlet) {
                None => {
                    self.outlets.insert(outlet, lines);
                }
                Some(mine) => {
                    mine.articles += lines.articles;
                    for (k, n) in lines.counts {
                        *mine.counts.entry(k).or_insert(0) += n;
                    }
                }
            }
        }
    }

    /// Number of articles counted for `outlet`.
    pub fn articles(&self, outlet: &str) -> u32 {
        self.outlets
            .get(&outlet_key(outlet))
            .map_or(0, |o| o.articles)
    }

    /// True when `line` (raw or normalised) occurs in at least `min_articles` distinct articles
    /// of `outlet` and has at most `max_words` words (defaults: 5 articles, 20 words).
    pub fn is_outlet_boilerplate(&self, outlet: &str, line: &str) -> bool {
        let mut norm = String::new();
        normalize_line_into(line, &mut norm);
        let words = norm.split(' ').count();
        let mut buf = String::new();
        self.is_boilerplate_key(outlet, line_key(&norm, &mut buf), words)
    }

    /// [`Self::is_outlet_boilerplate`] for an already computed key.
    pub(crate) fn is_boilerplate_key(&self, outlet: &str, key: u64, words: usize) -> bool {
        self.outlet_lines(outlet)
            .is_some_and(|o| self.is_boilerplate_in(o, key, words))
    }

    /// The counts of one outlet, looked up once per article.
    pub(crate) fn outlet_lines(&self, outlet: &str) -> Option<&OutletLines> {
        self.outlets.get(&outlet_key(outlet))
    }

    /// True when a line of `words` words is short enough to be outlet furniture at all.
    pub(crate) fn may_be_boilerplate(&self, words: usize) -> bool {
        words > 0 && words <= self.config.max_words
    }

    /// [`Self::is_boilerplate_key`] within already looked-up outlet counts.
    pub(crate) fn is_boilerplate_in(&self, lines: &OutletLines, key: u64, words: usize) -> bool {
        self.may_be_boilerplate(words)
            && lines
                .counts
                .get(&key)
                .is_some_and(|&n| n >= self.config.min_articles)
    }

    /// True when nothing has been counted.
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty()
    }

    /// The outlets (as keyed here: trimmed, lower case) where some line is furniture by this
    /// index and not by `before`, or the reverse. Only articles of these outlets can clean
    /// differently under the two indexes, which lets a caller that re-cleans after adding
    /// articles skip every other outlet without reading its articles' lines.
    pub fn outlets_whose_furniture_changed(&self, before: &LineIndex) -> HashSet<String> {
        let min = self.config.min_articles;
        let furniture = |n: Option<&u32>| n.is_some_and(|&n| n >= min);
        let empty = OutletLines::default();
        let mut names: HashSet<&String> = self.outlets.keys().collect();
        names.extend(before.outlets.keys());
        names
            .into_iter()
            .filter(|name| {
                let now = self.outlets.get(*name).unwrap_or(&empty);
                let then = before.outlets.get(*name).unwrap_or(&empty);
                now.counts
                    .iter()
                    .any(|(k, n)| furniture(Some(n)) != furniture(then.counts.get(k)))
                    || then
                        .counts
                        .iter()
                        .any(|(k, n)| furniture(Some(n)) != furniture(now.counts.get(k)))
            })
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(outlet: Option<&str>, text: &str) -> RawArticle {
        RawArticle {
            text: text.into(),
            outlet: outlet.map(Into::into),
            ..RawArticle::default()
        }
    }

    #[test]
    fn counts_distinct_articles_per_outlet() {
        let mut idx = LineIndex::default();
        for i in 0..5 {
            idx.add(&art(
                Some("Daily"),
                &format!("Story {i} is about things.\nFollow the Daily\u{00A0}Planet\nFollow the Daily Planet"),
            ));
        }
        idx.add(&art(Some("Other"), "Shared wire sentence here."));
        assert_eq!(idx.articles("daily"), 5);
        assert!(idx.is_outlet_boilerplate("Daily", "Follow the Daily Planet"));
        assert!(idx.is_outlet_boilerplate("Daily", "  follow the daily planet "));
        // Counted once per article, not per occurrence: 4 articles are not enough.
        let mut small = LineIndex::default();
        for _ in 0..4 {
            small.add(&art(Some("Daily"), "Promo line\nPromo line\nPromo line"));
        }
        assert!(!small.is_outlet_boilerplate("Daily", "Promo line"));
        // Other outlets and unknown outlets never match.
        assert!(!idx.is_outlet_boilerplate("Other", "Follow the Daily Planet"));
        assert!(!idx.is_outlet_boilerplate("Daily", "Story 1 is about things."));
    }

    #[test]
    fn cross_outlet_reuse_is_not_boilerplate() {
        let mut idx = LineIndex::default();
        for o in ["A", "B", "C", "D", "E", "F"] {
            idx.add(&art(Some(o), "The ministers met on Sunday."));
        }
        for o in ["A", "B", "C", "D", "E", "F"] {
            assert!(!idx.is_outlet_boilerplate(o, "The ministers met on Sunday."));
        }
    }

    #[test]
    fn unknown_outlet_and_long_lines_ignored() {
        let mut idx = LineIndex::default();
        let long = "word ".repeat(30);
        for _ in 0..10 {
            idx.add(&art(None, "Promo line"));
            idx.add(&art(Some("X"), &long));
        }
        assert!(idx.articles("X") == 10);
        assert!(!idx.is_outlet_boilerplate("X", &long));
        assert!(!idx.outlets.contains_key(""));
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = LineIndex::default();
        let mut b = LineIndex::default();
        for _ in 0..3 {
            a.add(&art(Some("X"), "Promo line"));
            b.add(&art(Some("X"), "Promo line"));
        }
        b.add(&art(Some("Y"), "Other promo"));
        assert!(!a.is_outlet_boilerplate("X", "Promo line"));
        a.merge(b);
        assert!(a.is_outlet_boilerplate("X", "Promo line"));
        assert_eq!(a.articles("X"), 6);
        assert_eq!(a.articles("Y"), 1);
    }

    #[test]
    fn thresholds_are_configurable() {
        let mut idx = LineIndex::with_config(IndexConfig {
            min_articles: 2,
            max_words: 3,
        });
        for _ in 0..2 {
            idx.add(&art(Some("X"), "Promo line\nA four word line"));
        }
        assert!(idx.is_outlet_boilerplate("X", "Promo line"));
        assert!(!idx.is_outlet_boilerplate("X", "A four word line"));
    }
    #[test]
    fn only_outlets_where_a_line_crossed_the_threshold_changed() {
        let mut before = LineIndex::default();
        for i in 0..4 {
            before.add(&art(
                Some("Post"),
                &format!("Subscribe now\nStory {i} is long enough here."),
            ));
            before.add(&art(
                Some("Herald"),
                &format!("Share this\nOther {i} words here."),
            ));
        }
        for i in 0..6 {
            before.add(&art(
                Some("Daily"),
                &format!("Sign up\nItem {i} of the day."),
            ));
        }
        let mut after = before.clone();
        // The fifth "Subscribe now" makes it Post furniture; one more "Sign up" changes
        // nothing (already furniture); Herald's line stays under the threshold.
        after.add(&art(Some("post "), "Subscribe now\nA fresh story."));
        after.add(&art(Some("Daily"), "Sign up\nA fresh item."));
        after.add(&art(Some("Gazette"), "Once\nA new outlet."));
        let changed = after.outlets_whose_furniture_changed(&before);
        assert_eq!(changed, HashSet::from(["post".to_string()]));
        assert!(before.outlets_whose_furniture_changed(&before).is_empty());
    }
}
