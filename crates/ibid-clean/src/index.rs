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

/// First bytes of [`LineIndex::to_bytes`] output (and its format version).
const MAGIC: &[u8] = b"IBIDLINES1";

/// Bytes that are not a saved [`LineIndex`] (truncated, foreign or of another format).
#[derive(Debug, thiserror::Error)]
#[error("saved line index: {0}")]
pub struct LineIndexFormatError(String);

/// A cursor over saved index bytes.
struct ByteReader<'a>(&'a [u8]);

impl<'a> ByteReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LineIndexFormatError> {
        if self.0.len() < n {
            return Err(LineIndexFormatError("truncated".into()));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, LineIndexFormatError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, LineIndexFormatError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }

    /// A count of items of at least `item_bytes` bytes each, refused when the rest of the
    /// input could not hold them (so a corrupt count cannot make us allocate gigabytes).
    fn len_prefix(&mut self, item_bytes: usize) -> Result<usize, LineIndexFormatError> {
        let n = self.u64()?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(item_bytes.max(1)) <= self.0.len() => Ok(n),
            _ => Err(LineIndexFormatError(format!("count {n} past the end"))),
        }
    }
}

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
        let keys = self.line_keys(&raw.text);
        self.add_keys(outlet, &keys);
    }

    /// [`Self::add`] for an article whose [`Self::line_keys`] are known already (`outlet` as
    /// in `raw.outlet`; a blank outlet is ignored, as there).
    pub fn add_keys(&mut self, outlet: &str, keys: &[u64]) {
        if outlet.trim().is_empty() {
            return;
        }
        let entry = self.outlets.entry(outlet_key(outlet)).or_default();
        entry.articles += 1;
        for &k in keys {
            *entry.counts.entry(k).or_insert(0) += 1;
        }
    }

    /// The keys of the distinct lines of `text` that this index counts (at most `max_words`
    /// words), sorted: what [`Self::add`] counts, and what [`Self::crossed_keys`] returns.
    pub fn line_keys(&self, text: &str) -> Vec<u64> {
        let mut norm = String::new();
        let mut lower = String::new();
        let mut keys: Vec<u64> = Vec::new();
        // Paragraph-sized lines cannot be furniture: skip them before normalising (no real
        // line of at most `max_words` words averages 40 bytes a word).
        let max_bytes = self.config.max_words.saturating_mul(40).max(200);
        for line in text.split(['\n', '\r']) {
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
        keys
    }

    /// The lines, per outlet key, that are not furniture in this index but are once `added`
    /// (counted over further articles, same thresholds) is merged into it. Counts only grow,
    /// so these are exactly the lines whose status merging changes: a stored article cleaned
    /// with this index cleans differently with the merged one only if one of its
    /// [`Self::line_keys`] is among its outlet's crossed keys.
    pub fn crossed_keys(&self, added: &LineIndex) -> HashMap<String, HashSet<u64>> {
        let min = self.config.min_articles;
        let mut out: HashMap<String, HashSet<u64>> = HashMap::new();
        for (outlet, lines) in &added.outlets {
            let mine = self.outlets.get(outlet);
            let crossed: HashSet<u64> = lines
                .counts
                .iter()
                .filter(|(k, n)| {
                    let before = mine.and_then(|m| m.counts.get(k)).copied().unwrap_or(0);
                    before < min && before.saturating_add(**n) >= min
                })
                .map(|(k, _)| *k)
                .collect();
            if !crossed.is_empty() {
                out.insert(outlet.clone(), crossed);
            }
        }
        out
    }

    /// The index as bytes, for saving between runs (read back by [`Self::from_bytes`]).
    /// Outlets and lines are written in sorted order, so equal indexes give equal bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let lines: usize = self.outlets.values().map(|o| o.counts.len()).sum();
        let mut w = Vec::with_capacity(32 + lines * 12 + self.outlets.len() * 48);
        w.extend_from_slice(MAGIC);
        w.extend_from_slice(&self.config.min_articles.to_le_bytes());
        w.extend_from_slice(&(self.config.max_words as u64).to_le_bytes());
        let mut outlets: Vec<(&String, &OutletLines)> = self.outlets.iter().collect();
        outlets.sort_unstable_by(|a, b| a.0.cmp(b.0));
        w.extend_from_slice(&(outlets.len() as u64).to_le_bytes());
        for (name, o) in outlets {
            w.extend_from_slice(&(name.len() as u64).to_le_bytes());
            w.extend_from_slice(name.as_bytes());
            w.extend_from_slice(&o.articles.to_le_bytes());
            let mut counts: Vec<(u64, u32)> = o.counts.iter().map(|(k, n)| (*k, *n)).collect();
            counts.sort_unstable();
            w.extend_from_slice(&(counts.len() as u64).to_le_bytes());
            for (k, n) in counts {
                w.extend_from_slice(&k.to_le_bytes());
                w.extend_from_slice(&n.to_le_bytes());
            }
        }
        w
    }

    /// Reads [`Self::to_bytes`] output back; a truncated or foreign input is an error, never a
    /// partial index.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LineIndexFormatError> {
        let mut r = ByteReader(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LineIndexFormatError("not a line index".into()));
        }
        let min_articles = r.u32()?;
        let max_words = usize::try_from(r.u64()?)
            .map_err(|_| LineIndexFormatError("max_words out of range".into()))?;
        let n = r.len_prefix(8)?;
        let mut outlets = HashMap::with_capacity(n);
        for _ in 0..n {
            let len = r.len_prefix(1)?;
            let name = std::str::from_utf8(r.take(len)?)
                .map_err(|_| LineIndexFormatError("outlet name is not UTF-8".into()))?
                .to_string();
            let articles = r.u32()?;
            let lines = r.len_prefix(12)?;
            let mut counts = KeyMap::with_capacity_and_hasher(lines, Default::default());
            for _ in 0..lines {
                let k = r.u64()?;
                counts.insert(k, r.u32()?);
            }
            outlets.insert(name, OutletLines { articles, counts });
        }
        if !r.0.is_empty() {
            return Err(LineIndexFormatError("trailing bytes".into()));
        }
        Ok(Self {
            config: IndexConfig {
                min_articles,
                max_words,
            },
            outlets,
        })
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
    fn only_lines_that_reach_the_threshold_cross() {
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
        // The fifth "Subscribe now" makes it Post furniture; one more "Sign up" changes
        // nothing (already furniture); Herald's line stays under the threshold.
        let mut added = LineIndex::default();
        added.add(&art(Some("post "), "Subscribe now\nA fresh story."));
        added.add(&art(Some("Daily"), "Sign up\nA fresh item."));
        added.add(&art(Some("Gazette"), "Once\nA new outlet."));
        let crossed = before.crossed_keys(&added);
        let subscribe = before.line_keys("Subscribe now");
        assert_eq!(crossed.len(), 1, "{crossed:?}");
        assert_eq!(
            crossed["post"].iter().copied().collect::<Vec<_>>(),
            subscribe
        );
        // A stored Post article is affected exactly when it holds a crossed line, and the
        // merged index agrees with the crossing.
        let stored = "Story 1 is long enough here.\nSubscribe now";
        assert!(before
            .line_keys(stored)
            .iter()
            .any(|k| crossed["post"].contains(k)));
        assert!(!before.is_outlet_boilerplate("Post", "Subscribe now"));
        before.merge(added);
        assert!(before.is_outlet_boilerplate("Post", "Subscribe now"));
        assert!(before.crossed_keys(&LineIndex::default()).is_empty());
    }

    #[test]
    fn adding_known_keys_counts_as_adding_the_article() {
        let texts = ["Promo line\nStory one", "Promo line\nStory two", "Other"];
        let (mut by_text, mut by_keys) = (LineIndex::default(), LineIndex::default());
        for t in texts {
            by_text.add(&art(Some("Daily "), t));
            by_keys.add_keys("Daily ", &by_keys.line_keys(t));
            by_text.add(&art(Some("  "), t));
            by_keys.add_keys("  ", &by_keys.line_keys(t));
        }
        assert_eq!(by_keys.to_bytes(), by_text.to_bytes());
    }

    #[test]
    fn saved_bytes_read_back_to_the_same_index() {
        let mut idx = LineIndex::with_config(IndexConfig {
            min_articles: 3,
            max_words: 7,
        });
        for i in 0..5 {
            idx.add(&art(Some("Daily"), &format!("Promo line\nStory {i}")));
            idx.add(&art(Some("Ünïcode Times"), "Share this"));
        }
        let bytes = idx.to_bytes();
        let back = LineIndex::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.config(), idx.config());
        assert!(back.is_outlet_boilerplate("Daily", "Promo line"));
        assert_eq!(back.articles("ünïcode times"), 5);
        // Every strict prefix is refused rather than read as a smaller index.
        for cut in 0..bytes.len() {
            assert!(
                LineIndex::from_bytes(&bytes[..cut]).is_err(),
                "prefix {cut}"
            );
        }
        assert!(LineIndex::from_bytes(b"something else entirely").is_err());
    }

    proptest::proptest! {
        /// Any index (any outlets and lines) reads back equal, and no byte string makes the
        /// reader panic or allocate past its input.
        #[test]
        fn bytes_round_trip(
            docs in proptest::collection::vec(
                ("[A-Za-z ]{0,8}", proptest::collection::vec("[a-z ]{0,12}", 0..6)),
                0..20,
            ),
            junk in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let mut idx = LineIndex::default();
            for (outlet, lines) in &docs {
                idx.add(&art(Some(outlet), &lines.join("\n")));
            }
            let bytes = idx.to_bytes();
            let back = LineIndex::from_bytes(&bytes).unwrap();
            proptest::prop_assert_eq!(back.to_bytes(), bytes);
            let _ = LineIndex::from_bytes(&junk);
        }
    }
}
