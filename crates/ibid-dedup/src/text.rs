//! Words, the exact-duplicate key and word shingles.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Texts with fewer words than this are "too short" for [`is_too_short`] (and the default of
/// [`crate::DedupConfig::min_tokens`]): a caption or an empty scrape must never anchor a group of
/// thousands of unrelated articles.
pub const DEFAULT_MIN_TOKENS: usize = 10;

/// Seed of the xxh3 hash that turns a shingle's word hashes into the shingle hash.
///
/// Part of the signature format: changing it changes every signature (the golden test pins it).
pub const SHINGLE_SEED: u64 = 0x1b1d_5b1e_0000_0005;

/// True for the characters that make up a word: `char::is_alphanumeric() || c == '_'`.
///
/// This is Python's `\w` on `str` (`str.isalnum()` or `_`), which the peer and reference
/// scripts use, except that Rust's `Alphabetic` also admits the `Other_Alphabetic` combining
/// marks of some scripts. The `regex` crate's `\w` differs a little more (all marks and
/// connector punctuation in, `No` numerals out). For English news every definition agrees.
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        c.is_alphanumeric()
    }
}

/// Iterator over the words (maximal runs of [`is_word_char`]) of a text, as `&str` slices.
///
/// Hand-rolled rather than `regex` `\w+`: this runs over every byte of the corpus (hundreds of
/// MB), and an ASCII fast path on bytes, no match-object overhead and no Unicode table lookup
/// for ASCII text make it several times faster than `Regex::find_iter`; it also lets the
/// caller lowercase and hash each word without allocating.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Words<'a> {
    /// Words of `text`.
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

impl<'a> Words<'a> {
    /// Next word as a byte range, and whether it is pure ASCII (the caller's fast path).
    #[inline(always)]
    fn next_range(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut i = self.pos;
        // Skip non-word characters.
        let start = loop {
            if i >= n {
                self.pos = n;
                return None;
            }
            let b = bytes[i];
            if b < 0x80 {
                if ASCII_WORD[b as usize] {
                    break i;
                }
                i += 1;
            } else {
                let c = self.text.get(i..).and_then(|t| t.chars().next())?;
                if c.is_alphanumeric() {
                    break i;
                }
                i += c.len_utf8();
            }
        };
        // Consume word characters.
        let mut ascii = true;
        while i < n {
            let b = bytes[i];
            if b < 0x80 {
                if !ASCII_WORD[b as usize] {
                    break;
                }
                i += 1;
            } else {
                match self.text.get(i..).and_then(|t| t.chars().next()) {
                    Some(c) if c.is_alphanumeric() => {
                        ascii = false;
                        i += c.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        self.pos = i;
        Some((start, i, ascii))
    }
}

/// ASCII word characters (`[0-9A-Za-z_]`), as a table: the scanner's hot path.
static ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    t
};

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (s, e, _) = self.next_range()?;
        self.text.get(s..e)
    }
}

/// Hash of one word, lowercased, without allocating for ASCII words.
#[inline]
fn word_hash(word: &str, ascii: bool, buf: &mut Vec<u8>) -> u64 {
    if ascii {
        let b = word.as_bytes();
        if b.len() <= 32 {
            // Lowercase eight bytes at a time (SWAR) and write whole u64s: byte-wise stores
            // followed by xxh3's wide loads stall on store forwarding.
            let mut tmp = [0u8; 32];
            tmp[..b.len()].copy_from_slice(b);
            let mut out = [0u8; 32];
            for (o, c) in out.chunks_exact_mut(8).zip(tmp.chunks_exact(8)) {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                o.copy_from_slice(&ascii_lower8(u64::from_le_bytes(w)).to_le_bytes());
            }
            return xxh3_64(&out[..b.len()]);
        }
    }
    buf.clear();
    if ascii {
        buf.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        for c in word.chars().flat_map(char::to_lowercase) {
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
    xxh3_64(buf)
}

/// Lowercases the ASCII letters among eight ASCII bytes packed in a u64.
#[inline(always)]
fn ascii_lower8(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit of each byte set where the byte is >= 'A', resp. > 'Z' (bytes are < 0x80).
    let ge_a = w.wrapping_add(ONES * (0x80 - b'A' as u64));
    let gt_z = w.wrapping_add(ONES * (0x80 - b'Z' as u64 - 1));
    let upper = ge_a & !gt_z & (ONES * 0x80);
    w | (upper >> 2)
}

/// Number of words in `text` (as [`Words`] counts them).
pub fn word_count(text: &str) -> usize {
    Words::new(text).count()
}

/// True when `text` has fewer than [`DEFAULT_MIN_TOKENS`] words: such texts get no duplicate
/// links at all (see [`crate::DedupConfig::min_tokens`] for the configurable form).
pub fn is_too_short(text: &str) -> bool {
    Words::new(text).take(DEFAULT_MIN_TOKENS).count() < DEFAULT_MIN_TOKENS
}

/// The exact-duplicate key: xxh3-64 of the text lowercased, every run of non-alphanumeric
/// characters folded to one space, trimmed.
///
/// Two texts that differ only in case, punctuation or spacing get the same key. Empty and
/// near-empty texts get keys too (the empty text hashes the empty string): check
/// [`is_too_short`] before grouping on it.
pub fn normalized_text_hash(text: &str) -> u64 {
    let mut norm = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            norm.extend(c.to_lowercase());
        } else if !norm.is_empty() && !norm.ends_with(' ') {
            norm.push(' ');
        }
    }
    if norm.ends_with(' ') {
        norm.pop();
    }
    xxh3_64(norm.as_bytes())
}

/// Reusable buffers for shingling one document at a time (one per worker thread).
#[derive(Debug, Default)]
pub struct Shingler {
    word_hashes: Vec<u64>,
    buf: Vec<u8>,
    /// Shingle hashes of the last document, in text order, with repeats.
    pub shingles: Vec<u64>,
}

impl Shingler {
    /// Fills [`Self::shingles`] with the hashes of the word `k`-grams of `text` (repeats
    /// included) and returns the number of words.
    ///
    /// A shingle hash is `xxh3_64_with_seed(le_bytes(h_1) ‖ … ‖ le_bytes(h_k), SHINGLE_SEED)`
    /// where `h_j = xxh3_64(lowercased word j as UTF-8)`. A text with fewer than `k` words
    /// (but at least one) yields one shingle of all its words, so short texts still compare.
    pub fn shingle(&mut self, text: &str, k: usize) -> usize {
        let k = k.max(1);
        self.word_hashes.clear();
        self.shingles.clear();
        let mut words = Words::new(text);
        while let Some((s, e, ascii)) = words.next_range() {
            let h = word_hash(text.get(s..e).unwrap_or_default(), ascii, &mut self.buf);
            self.word_hashes.push(h);
        }
        let n = self.word_hashes.len();
        if n == 0 {
            return 0;
        }
        let mut bytes = [0u8; 8 * 16];
        if n < k {
            self.shingles.push(hash_words(&self.word_hashes, &mut bytes));
        } else {
            self.shingles.reserve(n - k + 1);
            for win in self.word_hashes.windows(k) {
                self.shingles.push(hash_words(win, &mut bytes));
            }
        }
        n
    }

    /// The sorted, deduplicated shingle set of `text` (for exact Jaccard verification).
    pub fn shingle_set(&mut self, text: &str, k: usize) -> Vec<u64> {
        self.shingle(text, k);
        let mut set = self.shingles.clone();
        set.sort_unstable();
        set.dedup();
        set
    }
}

#[inline]
fn hash_words(words: &[u64], scratch: &mut [u8; 128]) -> u64 {
    if words.len() <= 16 {
        for (i, h) in words.iter().enumerate() {
            scratch[i * 8..i * 8 + 8].copy_from_slice(&h.to_le_bytes());
        }
        xxh3_64_with_seed(&scratch[..words.len() * 8], SHINGLE_SEED)
    } else {
        let bytes: Vec<u8> = words.iter().flat_map(|h| h.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, SHINGLE_SEED)
    }
}

/// Exact overlap of two sorted, deduplicated shingle sets: `(jaccard, containment)` where
/// containment is `|A∩B| / min(|A|,|B|)` (how much of the smaller set lies in the larger).
/// Both are 0 when either set is empty.
pub fn set_similarity(a: &[u64], b: &[u64]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    (
        inter as f64 / union as f64,
        inter as f64 / a.len().min(b.len()) as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(s: &str) -> Vec<&str> {
        Words::new(s).collect()
    }

    #[test]
    fn words_basic() {
        assert_eq!(
            words("Hello, world! It's 2016_x — Ünïcode;数字"),
            ["Hello", "world", "It", "s", "2016_x", "Ünïcode", "数字"]
        );
        assert!(words("  ,;— ").is_empty());
    }

    #[test]
    fn normalized_hash_folds_case_and_punctuation() {
        let a = normalized_text_hash("The cat -- sat on the MAT.");
        let b = normalized_text_hash("  the cat sat, on the mat ");
        assert_eq!(a, b);
        assert_ne!(a, normalized_text_hash("the cat sat on a mat"));
        assert_eq!(normalized_text_hash(""), normalized_text_hash(" .,; "));
    }

    #[test]
    fn swar_lowercase_matches_std() {
        for b in 0u8..128 {
            let w = u64::from_le_bytes([b, b'A', b'z', b'Z', b'@', b'[', b'0', b'_']);
            let want = u64::from_le_bytes([
                b.to_ascii_lowercase(), b'a', b'z', b'z', b'@', b'[', b'0', b'_',
            ]);
            assert_eq!(ascii_lower8(w), want, "byte {b}");
        }
    }

    #[test]
    fn too_short() {
        assert!(is_too_short(""));
        assert!(is_too_short("Photo: AP, 2016"));
        assert!(!is_too_short("one two three four five six seven eight nine ten"));
    }

    #[test]
    fn shingles_are_case_insensitive_and_short_texts_get_one() {
        let mut s = Shingler::default();
        let a = s.shingle_set("A b c d e f", 5);
        let b = s.shingle_set("a B, c; d e F!", 5);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert_eq!(s.shingle("x y", 5), 2);
        assert_eq!(s.shingles.len(), 1);
        assert_eq!(s.shingle("", 5), 0);
        assert!(s.shingles.is_empty());
    }

    #[test]
    fn similarity_exact() {
        let (j, c) = set_similarity(&[1, 2, 3, 4], &[3, 4, 5, 6, 7, 8]);
        assert!((j - 2.0 / 8.0).abs() < 1e-12);
        assert!((c - 0.5).abs() < 1e-12);
        assert_eq!(set_similarity(&[], &[1]), (0.0, 0.0));
    }

    /// Strings mixing ASCII, Latin-1, Greek, Cyrillic, CJK, digits, punctuation and space:
    /// the scripts where `regex`'s `\w` and ours agree exactly.
    fn common_text() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "[a-zA-Z0-9_ ,.;:!?'\"()\\-\n\t\u{a0}\u{2014}\u{2019}àéïöüßÀÉ\u{3b1}-\u{3c9}\u{410}-\u{44f}\u{4e00}-\u{4e20}]{0,60}",
        )
        .expect("valid strategy regex")
    }

    proptest! {
        #[test]
        fn words_match_regex_w_on_common_scripts(s in common_text()) {
            let re = regex::Regex::new(r"\w+").expect("regex");
            let expected: Vec<&str> = re.find_iter(&s).map(|m| m.as_str()).collect();
            prop_assert_eq!(words(&s), expected);
        }

        #[test]
        fn words_match_their_definition_on_any_string(s in any::<String>()) {
            // Our exact definition, as a regex class: Alphabetic ∪ N (= char::is_alphanumeric) ∪ _.
            let re = regex::Regex::new(r"[\p{Alphabetic}\p{N}_]+").expect("regex");
            let expected: Vec<&str> = re.find_iter(&s).map(|m| m.as_str()).collect();
            prop_assert_eq!(words(&s), expected);
        }

        #[test]
        fn normalized_hash_ignores_punctuation_runs(ws in proptest::collection::vec("[a-z]{1,6}", 1..12), sep in "[ ,.;!-]{1,4}") {
            let plain = ws.join(" ");
            let fancy = format!("{sep}{}{sep}", ws.join(&sep)).to_uppercase();
            prop_assert_eq!(normalized_text_hash(&plain), normalized_text_hash(&fancy));
        }
    }
}
