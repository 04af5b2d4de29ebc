//! Cheap feature extraction for story clustering: content words, entity-like names, numbers and
//! dates. Everything here is heuristic and language-light on purpose: it must run at thousands
//! of articles per second and be good enough to tell two events of the same kind apart. Real
//! named entities from a later stage can replace [`extract`]'s name heuristics.

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Features of one document before interning: `(term, weight)` in first-seen order, so that
/// interning (and therefore term ids) is deterministic.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Extracted {
    /// Content words (lower-cased, light plural stemming), lead-boosted raw counts.
    pub words: Vec<(String, f32)>,
    /// Content words of the headline only.
    pub title_words: Vec<(String, f32)>,
    /// Entity-like features: single name tokens and whole multiword names.
    pub ents: Vec<(String, f32)>,
    /// Numbers, months and month-day dates.
    pub nums: Vec<(String, f32)>,
}

/// Accumulates `(term, weight)` pairs keeping first-seen order.
#[derive(Default)]
struct Bag {
    items: Vec<(String, f32)>,
    index: FxHashMap<String, usize>,
}

impl Bag {
    fn add(&mut self, term: &str, w: f32) {
        if let Some(&i) = self.index.get(term) {
            self.items[i].1 += w;
        } else {
            self.index.insert(term.to_owned(), self.items.len());
            self.items.push((term.to_owned(), w));
        }
    }
    fn into_items(self) -> Vec<(String, f32)> {
        self.items
    }
}

/// English function words plus the most generic news verbs. A small general vocabulary: it
/// keeps the TF-IDF vectors about content, and stops names from absorbing sentence starters.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "may",
    "might",
    "must",
    "shall",
    "said",
    "says",
    "say",
    "told",
    "tell",
    "according",
    "like",
    "get",
    "got",
    "one",
    "many",
    "much",
    "even",
    "still",
    "yet",
    "since",
    "though",
    "although",
    "however",
    "whether",
    "via",
    "per",
    "ve",
    "ll",
    "re",
    "isn",
    "aren",
    "wasn",
    "weren",
    "didn",
    "doesn",
    "won",
    "wouldn",
    "couldn",
    "shouldn",
    "hasn",
    "haven",
    "hadn",
    "let",
    "us",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "http",
    "https",
    "www",
    "com",
];

/// Lower-case joiners that may sit inside a multiword name ("Leader of the Revolution",
/// "Bashar al-Assad").
const NAME_JOINERS: &[&str] = &[
    "of", "al", "el", "de", "del", "da", "di", "van", "von", "der", "bin", "ibn", "la", "le", "du",
];

const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const MONTH_TERMS: [&str; 12] = [
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12",
];

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tomorrow",
];

/// Index (0 = Monday) of a lower-cased weekday name, plural included ("sundays").
pub(crate) fn weekday_index(w: &str) -> Option<u16> {
    let w = w.strip_suffix('s').unwrap_or(w);
    WEEKDAYS[..7].iter().position(|d| *d == w).map(|i| i as u16)
}

/// Month (1 = January) of a month term as emitted among the numbers ("m1".."m12").
pub(crate) fn month_index(term: &str) -> Option<u16> {
    let m: u16 = term.strip_prefix('m')?.parse().ok()?;
    (1..=12).contains(&m).then_some(m)
}

static STOPWORD_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());
static MONTH_MAP: LazyLock<FxHashMap<&'static str, u8>> =
    LazyLock::new(|| MONTHS.iter().copied().collect());
static WEEKDAY_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| WEEKDAYS.iter().copied().collect());

fn is_stopword(w: &str) -> bool {
    // Every listed word is short; skipping the lookup for long words is a cheap win.
    w.len() <= 10 && STOPWORD_SET.contains(w)
}

/// Fewer than two characters.
fn short(w: &str) -> bool {
    w.len() < 2 || (w.len() < 8 && w.chars().nth(1).is_none())
}

fn month_of(w: &str) -> Option<u8> {
    // Every month name is 3 to 9 letters and starts with one of these: most tokens are ruled
    // out without hashing them.
    if !(3..=9).contains(&w.len())
        || !matches!(
            w.as_bytes()[0],
            b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd'
        )
    {
        return None;
    }
    MONTH_MAP.get(w).copied()
}

/// One token of the input with the layout facts the name heuristics need.
#[derive(Debug, Clone)]
struct Tok<'a> {
    text: &'a str,
    /// Byte range of the lower-cased form in the shared buffer (one allocation per document
    /// instead of one per token).
    lo: u32,
    hi: u32,
    /// First character is upper case.
    cap: bool,
    /// Every letter is upper case and there are at least two of them (or dotted, like U.S.).
    allcaps: bool,
    /// Starts with a digit.
    digit: bool,
    /// First token of a sentence or line.
    sent_start: bool,
    /// Only spaces or a hyphen separate it from the previous token.
    joined: bool,
    /// Line number (lines decide title-case detection).
    line: u32,
}

/// Splits text into word/number tokens. Hand-written rather than regex because it also has to
/// track sentence starts, line numbers and joiners in the same pass, and runs on every article.
fn tokenize<'a>(text: &'a str, buf: &mut String) -> Vec<Tok<'a>> {
    let bytes = text.as_bytes();
    let mut toks = Vec::with_capacity(text.len() / 5);
    buf.clear();
    buf.reserve(text.len());
    let mut sent_start = true;
    let mut line = 0u32;
    // Characters seen since the previous token: only spaces/hyphen keeps tokens joined.
    let mut gap_clean = true;
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_alphanumeric() {
            let start = i;
            let mut end = i;
            let first_digit = c.is_ascii_digit();
            // Dotted acronyms: U.S., U.N. (single upper-case letters each followed by a dot).
            let mut dotted = false;
            if c.is_ascii_uppercase()
                && bytes.get(i + 1) == Some(&b'.')
                && bytes.get(i + 2).is_some_and(|b| b.is_ascii_uppercase())
                && bytes.get(i + 3) == Some(&b'.')
            {
                let mut j = i;
                while bytes.get(j).is_some_and(|b| b.is_ascii_uppercase())
                    && bytes.get(j + 1) == Some(&b'.')
                {
                    j += 2;
                }
                end = j;
                dotted = true;
                while chars.peek().is_some_and(|&(k, _)| k < j) {
                    chars.next();
                }
            } else {
                while let Some(&(k, ch)) = chars.peek() {
                    let keep = ch.is_alphanumeric()
                        || (first_digit
                            && (ch == '.' || ch == ',')
                            && bytes.get(k + 1).is_some_and(|b| b.is_ascii_digit()));
                    if !keep {
                        break;
                    }
                    end = k + ch.len_utf8();
                    chars.next();
                }
            }
            let s = &text[start..end];
            let lo = buf.len() as u32;
            if dotted {
                buf.extend(s.chars().filter(|c| *c != '.').flat_map(char::to_lowercase));
            } else if s.is_ascii() {
                buf.extend(s.bytes().map(|b| b.to_ascii_lowercase() as char));
            } else {
                buf.extend(s.chars().flat_map(char::to_lowercase));
            }
            let hi = buf.len() as u32;
            let cap = c.is_uppercase();
            let letters = s.chars().filter(|c| c.is_alphabetic()).count();
            let allcaps = dotted
                || (letters >= 2 && s.chars().all(|c| !c.is_alphabetic() || c.is_uppercase()));
            toks.push(Tok {
                text: s,
                lo,
                hi,
                cap,
                allcaps,
                digit: first_digit,
                sent_start,
                joined: gap_clean && !sent_start,
                line,
            });
            sent_start = false;
            gap_clean = true;
        } else {
            chars.next();
            match c {
                '\n' => {
                    line += 1;
                    sent_start = true;
                    gap_clean = false;
                }
                '.' | '!' | '?' | ':' | ';' => {
                    // A sentence ends only when space follows ("3.5" is one token anyway).
                    let next_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
                    if c != ':' && c != ';' && next_space {
                        sent_start = true;
                    }
                    gap_clean = false;
                }
                ' ' | '\u{a0}' | '\t' | '-' => {}
                _ => gap_clean = false,
            }
        }
    }
    toks
}

/// Light plural stemming so "earthquakes" meets "earthquake". Deliberately conservative.
fn stem(w: &str) -> Cow<'_, str> {
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        let mut s = w[..n - 3].to_owned();
        s.push('y');
        return Cow::Owned(s);
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return Cow::Borrowed(&w[..n - 1]);
    }
    Cow::Borrowed(w)
}

/// Canonical form of a number token: digits and one decimal point, no thousands separators.
fn number_form(t: &str) -> Option<String> {
    let mut out = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() || c == '.' {
            out.push(c);
        } else if c == ',' {
            continue;
        } else {
            break;
        }
    }
    let out = out.trim_end_matches('.').to_owned();
    (!out.is_empty()).then_some(out)
}

/// Extracts clustering features from a headline (optional) and body.
///
/// `lead_tokens` content words at the start (headline included) get weight `lead_boost`:
/// news puts the who/what/where of the event first.
pub fn extract(title: Option<&str>, text: &str, lead_tokens: usize, lead_boost: f32) -> Extracted {
    let mut bags: [Bag; 4] = Default::default();
    extract_into(
        title,
        text,
        lead_tokens,
        lead_boost,
        &mut |kind, term, w| bags[kind as usize].add(term, w),
    );
    let [words, title_words, ents, nums] = bags;
    Extracted {
        words: words.into_items(),
        title_words: title_words.into_items(),
        ents: ents.into_items(),
        nums: nums.into_items(),
    }
}

/// Which feature a term from [`extract_into`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    /// A content word of the body (headline included).
    Word = 0,
    /// A content word of the headline.
    TitleWord = 1,
    /// An entity-like name or name token.
    Entity = 2,
    /// A number, month or month-day date.
    Number = 3,
}

/// Streaming form of [`extract`]: calls `sink(kind, term, weight)` for every occurrence, in
/// text order, so callers can intern terms without building intermediate maps.
pub fn extract_into(
    title: Option<&str>,
    text: &str,
    lead_tokens: usize,
    lead_boost: f32,
    sink: &mut dyn FnMut(FeatureKind, &str, f32),
) {
    let mut combined = String::with_capacity(text.len() + 128);
    if let Some(t) = title {
        combined.push_str(t);
        combined.push_str("\n\n");
    }
    combined.push_str(text);
    let mut buf = String::new();
    let toks = tokenize(&combined, &mut buf);
    let low = |t: &Tok| &buf[t.lo as usize..t.hi as usize];
    // Per token, looked up once (the passes below used to look each token up again): too
    // short or a stopword (never for numbers), and the month it names.
    let skip: Vec<bool> = toks
        .iter()
        .map(|t| !t.digit && (short(low(t)) || is_stopword(low(t))))
        .collect();
    let month: Vec<Option<u8>> = toks.iter().map(|t| month_of(low(t))).collect();

    // Lines that look like headlines (Title Case or ALL CAPS) say nothing about which words are
    // names, so capitalisation there and at sentence starts only counts for words also seen
    // capitalised mid-sentence in ordinary lines.
    let n_lines = toks.last().map_or(0, |t| t.line as usize + 1);
    let mut line_stats: Vec<(u32, u32, u32)> = vec![(0, 0, 0); n_lines];
    for (t, &skip) in toks.iter().zip(&skip) {
        if t.digit || skip {
            continue;
        }
        let e = &mut line_stats[t.line as usize];
        e.0 += 1;
        if t.cap {
            e.1 += 1;
        }
        if t.allcaps {
            e.2 += 1;
        }
    }
    let headline_line = |line: u32| {
        line_stats
            .get(line as usize)
            .is_some_and(|&(n, c, a)| n >= 3 && (c as f32 >= 0.7 * n as f32 || a * 2 > n))
    };
    let mut midcap: FxHashSet<&str> = FxHashSet::default();
    for t in &toks {
        if t.cap && !t.digit && !t.sent_start && !headline_line(t.line) {
            midcap.insert(low(t));
        }
    }

    let title_lines = if title.is_some() {
        toks.iter().take_while(|t| t.line == 0).count()
    } else {
        0
    };

    let mut content_seen = 0usize;
    for (i, t) in toks.iter().enumerate() {
        if t.digit {
            if let Some(n) = number_form(t.text) {
                sink(FeatureKind::Number, &n, 1.0);
                // Month-day dates: "Feb. 22" / "22 February".
                if let Ok(day) = n.parse::<u32>() {
                    if (1..=31).contains(&day) {
                        let prev = i.checked_sub(1).and_then(|j| month[j]);
                        let next = month.get(i + 1).copied().flatten();
                        if let Some(m) = prev.or(next) {
                            sink(FeatureKind::Number, &format!("{m}-{day}"), 1.0);
                        }
                    }
                }
            }
            continue;
        }
        let lw = low(t);
        if let Some(m) = month[i] {
            // "may" is far more often the verb; only capitalised mid-sentence counts.
            if lw != "may" || (t.cap && !t.sent_start) {
                sink(FeatureKind::Number, MONTH_TERMS[m as usize - 1], 1.0);
            }
            continue;
        }
        if skip[i] {
            continue;
        }
        let s = stem(lw);
        let w = if content_seen < lead_tokens {
            lead_boost
        } else {
            1.0
        };
        content_seen += 1;
        sink(FeatureKind::Word, &s, w);
        if i < title_lines {
            sink(FeatureKind::TitleWord, &s, 1.0);
        }
    }

    // Names: runs of capitalised tokens, joined by spaces/hyphens, optionally through joiners.
    let name_ok = |i: usize| -> bool {
        let t = &toks[i];
        if t.digit || !t.cap || skip[i] {
            return false;
        }
        if month[i].is_some() || WEEKDAY_SET.contains(low(t)) {
            return false;
        }
        let headline = headline_line(t.line);
        if headline || t.sent_start {
            midcap.contains(low(t)) || (t.allcaps && !headline && t.text.len() <= 6)
        } else {
            true
        }
    };
    let mut i = 0;
    while i < toks.len() {
        if !name_ok(i) {
            i += 1;
            continue;
        }
        let mut run: Vec<&Tok> = vec![&toks[i]];
        let mut j = i + 1;
        while j < toks.len() && toks[j].joined {
            if name_ok(j) {
                run.push(&toks[j]);
                j += 1;
                continue;
            }
            // A joiner (possibly "of the") followed by a name token continues the run.
            let mut k = j;
            while k < toks.len()
                && toks[k].joined
                && (NAME_JOINERS.contains(&low(&toks[k])) || low(&toks[k]) == "the")
                && !toks[k].cap
                && k - j < 2
            {
                k += 1;
            }
            if k > j && k < toks.len() && toks[k].joined && name_ok(k) {
                run.extend(toks[j..=k].iter());
                j = k + 1;
            } else {
                break;
            }
        }
        for t in &run {
            if t.cap {
                sink(FeatureKind::Entity, low(t), 1.0);
            }
        }
        if run.len() >= 2 {
            let phrase = run.iter().map(|t| low(t)).collect::<Vec<_>>().join(" ");
            sink(FeatureKind::Entity, &phrase, 1.0);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: &Extracted) -> Vec<&str> {
        e.ents.iter().map(|(s, _)| s.as_str()).collect()
    }

    #[test]
    fn finds_multiword_names_and_acronyms() {
        let e = extract(
            None,
            "The envoy Boris Quell met officials of the Grand Harbour Council in Zentra. \
             Quell told the GHC that the U.N. would help.",
            40,
            2.0,
        );
        let n = names(&e);
        assert!(n.contains(&"boris quell"), "{n:?}");
        assert!(n.contains(&"quell"));
        assert!(n.contains(&"grand harbour council"));
        assert!(n.contains(&"zentra"));
        assert!(n.contains(&"ghc"));
        assert!(n.contains(&"un"));
        assert!(!n.contains(&"the"));
    }

    #[test]
    fn sentence_initial_words_need_evidence() {
        let e = extract(
            None,
            "Officials met. Rain fell on Tolbo. Tolbo is wet.",
            40,
            2.0,
        );
        let n = names(&e);
        assert!(!n.contains(&"officials"), "{n:?}");
        assert!(!n.contains(&"rain"));
        assert!(n.contains(&"tolbo"));
    }

    #[test]
    fn joiners_inside_names() {
        let e = extract(
            None,
            "He met the Leader of the Grand Order and President Omar al-Fasi today.",
            40,
            2.0,
        );
        let n = names(&e);
        assert!(n.contains(&"leader of the grand order"), "{n:?}");
        assert!(n.contains(&"president omar al fasi"), "{n:?}");
    }

    #[test]
    fn numbers_and_dates() {
        let e = extract(
            None,
            "On Feb. 22 about 1,200 people and 3.5 tonnes; 14 March 2013.",
            40,
            2.0,
        );
        let n: Vec<&str> = e.nums.iter().map(|(s, _)| s.as_str()).collect();
        for want in [
            "22", "2-22", "1200", "3.5", "14", "3-14", "2013", "m2", "m3",
        ] {
            assert!(n.contains(&want), "missing {want} in {n:?}");
        }
    }

    #[test]
    fn headline_case_is_not_evidence() {
        let e = extract(
            Some("Big Storm Hits Coastal Town"),
            "A storm hit Varn on Monday.",
            40,
            2.0,
        );
        let n = names(&e);
        assert!(!n.contains(&"storm"), "{n:?}");
        assert!(n.contains(&"varn"));
        let tw: Vec<&str> = e.title_words.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(tw, vec!["big", "storm", "hit", "coastal", "town"]);
    }

    #[test]
    fn stemming_is_light() {
        assert_eq!(stem("earthquakes"), "earthquake");
        assert_eq!(stem("cities"), "city");
        assert_eq!(stem("press"), "press");
        assert_eq!(stem("virus"), "virus");
    }

    proptest::proptest! {
        #[test]
        fn extract_never_panics(s in "\\PC{0,200}") {
            let _ = extract(Some(&s), &s, 10, 2.0);
        }
    }

    /// `month_of` rules tokens out by length and first letter before hashing: no month name
    /// may fall outside that filter.
    #[test]
    fn every_month_name_passes_the_prefilter() {
        for &(name, m) in MONTHS {
            assert_eq!(month_of(name), Some(m), "{name}");
        }
        assert_eq!(month_of("jury"), None);
        assert_eq!(month_of(""), None);
    }

    #[test]
    fn months_are_indexed() {
        assert_eq!(month_index("m1"), Some(1));
        assert_eq!(month_index("m12"), Some(12));
        assert_eq!(month_index("m13"), None);
        assert_eq!(month_index("12"), None);
        let e = extract(None, "It rained on 3 March and in April.", 40, 2.0);
        let months: Vec<u16> = e.nums.iter().filter_map(|(s, _)| month_index(s)).collect();
        assert_eq!(months, vec![3, 4]);
    }

    #[test]
    fn weekdays_are_indexed() {
        assert_eq!(weekday_index("monday"), Some(0));
        assert_eq!(weekday_index("sundays"), Some(6));
        assert_eq!(weekday_index("today"), None);
        assert_eq!(weekday_index("mondayx"), None);
    }
}
