//! Words, the exact-duplicate key and word shingles.

use xxhash_rust::xxh3::xxh3_64_with_seed;

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
        // Consume word characters: eight ASCII bytes at a time while they all are word
        // characters (one well-predicted branch per word instead of one per byte), then byte
        // by byte (non-ASCII, or the end of the word).
        let mut ascii = true;
        while i < n {
            while let Some(chunk) = bytes.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let stop = ascii_nonword_mask(u64::from_le_bytes(w));
                if stop == 0 {
                    i += 8;
                } else {
                    i += (stop.trailing_zeros() / 8) as usize;
                    break;
                }
            }
            let Some(&b) = bytes.get(i) else { break };
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

/// High bit set in each byte of `w` that is not an ASCII word character (`[0-9A-Za-z_]`);
/// bytes >= 0x80 count as non-word (the caller decodes them).
#[inline(always)]
fn ascii_nonword_mask(w: u64) -> u64 {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let high = w & H;
    let x = w & !H; // 7-bit values, so the byte-wise adds below cannot carry across bytes
                    // High bit set where the byte lies in [lo, hi].
    let in_range = |v: u64, lo: u64, hi: u64| (v + L * (0x80 - lo)) & !(v + L * (0x7f - hi)) & H;
    let digit = in_range(x, b'0' as u64, b'9' as u64);
    let letter = in_range(x | (L * 0x20), b'a' as u64, b'z' as u64);
    let t = x ^ (L * b'_' as u64);
    let underscore = !(((t & !H) + (L * 0x7f)) | t) & H;
    !(digit | letter | underscore) & H | high
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

/// Seed of the word hash ([`word_hash_bytes`]).
const WORD_SEED: u64 = 0x1b1d_0000_574f_5244;

/// Hash of one lowercased word: its UTF-8 bytes as little-endian u64 chunks (the last one
/// zero-padded), folded as `h = ((h ^ chunk) · P) ^ ((h ^ chunk) · P >> 29)` from
/// `WORD_SEED ^ len·P`, then the SplitMix64 finaliser.
///
/// Hand-rolled rather than xxh3 so that the ASCII fast path can feed chunks straight from
/// registers (a byte buffer between lowercasing and hashing stalls on store forwarding and
/// cost a third of the shingling time). Each step is a bijection of `h` for a fixed chunk and of
/// the chunk for a fixed `h`, so two distinct words of equal length never collide.
#[inline(always)]
fn word_hash_chunks(chunks: impl Iterator<Item = u64>, len: usize) -> u64 {
    const P: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = WORD_SEED ^ (len as u64).wrapping_mul(P);
    for c in chunks {
        let t = (h ^ c).wrapping_mul(P);
        h = t ^ (t >> 29);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// [`word_hash_chunks`] of a byte string (the reference definition; the fast path must agree).
fn word_hash_bytes(bytes: &[u8]) -> u64 {
    word_hash_chunks(
        bytes.chunks(8).map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        }),
        bytes.len(),
    )
}

/// Hash of the word `text[start..end]`, lowercased.
#[inline(always)]
fn word_hash(text: &str, start: usize, end: usize, ascii: bool, buf: &mut Vec<u8>) -> u64 {
    let bytes = text.as_bytes();
    let len = end - start;
    if ascii && len <= 32 && start + 32 <= bytes.len() {
        // Fast path: load whole u64s from the text, mask off bytes past the word, lowercase.
        let chunks = (0..len.div_ceil(8)).map(|k| {
            let at = start + 8 * k;
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            let valid = (len - 8 * k).min(8);
            let mask = if valid == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * valid)) - 1
            };
            ascii_lower8(u64::from_le_bytes(w) & mask)
        });
        return word_hash_chunks(chunks, len);
    }
    buf.clear();
    let word = text.get(start..end).unwrap_or_default();
    if ascii {
        buf.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        for c in word.chars().flat_map(char::to_lowercase) {
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
    word_hash_bytes(buf)
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

/// Seed of the exact-duplicate key ([`normalized_text_hash`]).
pub const EXACT_SEED: u64 = 0x1b1d_0000_4558_4143;

/// The exact-duplicate key: two texts get the same key exactly when their normalised forms
/// (lowercased, every run of non-word characters folded to one space, trimmed) are equal.
///
/// Computed as `xxh3_64_with_seed(le_bytes(h_1) ‖ … ‖ le_bytes(h_n), EXACT_SEED)` over the
/// word hashes `h_j` of the normalised text's words rather than over the normalised string
/// itself: the shingler already has those hashes, and building and hashing the folded string
/// took a quarter of the whole stage's time. Word characters are [`is_word_char`]
/// (alphanumerics and `_`). Empty and near-empty texts get keys too (all texts without words
/// share one): check [`is_too_short`] before grouping on it.
pub fn normalized_text_hash(text: &str) -> u64 {
    let mut sh = Shingler::default();
    sh.shingle(text, 1);
    sh.exact
}

/// Reusable buffers for shingling one document at a time (one per worker thread).
#[derive(Debug, Default)]
pub struct Shingler {
    word_hashes: Vec<u64>,
    buf: Vec<u8>,
    /// Shingle hashes of the last document, in text order, with repeats.
    pub shingles: Vec<u64>,
    /// [`normalized_text_hash`] of the last document.
    pub exact: u64,
}

impl Shingler {
    /// Fills [`Self::shingles`] with the hashes of the word `k`-grams of `text` (repeats
    /// included) and returns the number of words.
    ///
    /// A shingle hash is `xxh3_64_with_seed(le_bytes(Σ_j h_j · POLY^(k-j)), SHINGLE_SEED)`
    /// (wrapping u64 arithmetic, `POLY` = 0x9e3779b97f4a7c15 + 2) where `h_j` is the word hash
    /// of lowercased word `j` (see `word_hash_chunks`). The polynomial rolls in O(1) per word
    /// and, over pseudo-random word hashes, two different k-grams collide with probability
    /// ~2^-64; xxh3 then avalanches it. A text with fewer than `k` words
    /// (but at least one) yields one shingle of all its words, so short texts still compare.
    pub fn shingle(&mut self, text: &str, k: usize) -> usize {
        let k = k.max(1);
        self.word_hashes.clear();
        self.shingles.clear();
        let mut words = Words::new(text);
        while let Some((s, e, ascii)) = words.next_range() {
            let h = word_hash(text, s, e, ascii, &mut self.buf);
            self.word_hashes.push(h);
        }
        let n = self.word_hashes.len();
        self.buf.clear();
        self.buf
            .extend(self.word_hashes.iter().flat_map(|h| h.to_le_bytes()));
        self.exact = xxh3_64_with_seed(&self.buf, EXACT_SEED);
        if n == 0 {
            return 0;
        }
        let w = &self.word_hashes;
        let k = k.min(n);
        // Horner for the first window, then roll: drop the oldest word, shift, add the next.
        let mut poly = w[..k]
            .iter()
            .fold(0u64, |acc, &h| acc.wrapping_mul(POLY).wrapping_add(h));
        let top = (1..k).fold(1u64, |acc, _| acc.wrapping_mul(POLY)); // POLY^(k-1)
        self.shingles.reserve(n - k + 1);
        self.shingles.push(shingle_hash(poly));
        for j in k..n {
            poly = poly
                .wrapping_sub(w[j - k].wrapping_mul(top))
                .wrapping_mul(POLY)
                .wrapping_add(w[j]);
            self.shingles.push(shingle_hash(poly));
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

/// Multiplier of the rolling shingle polynomial (odd, so multiplication is invertible).
const POLY: u64 = 0x9e37_79b9_7f4a_7c17;

#[inline(always)]
fn shingle_hash(poly: u64) -> u64 {
    xxh3_64_with_seed(&poly.to_le_bytes(), SHINGLE_SEED)
}

/// The 32-bit fingerprint of a shingle hash (the same fold that feeds MinHash): sets of
/// fingerprints take half the space of shingle-hash sets, and two docs of 1,000 shingles share
/// a spurious fingerprint with probability ~2·10^-4, which moves Jaccard by ~10^-6.
#[inline]
pub fn fingerprint(shingle_hash: u64) -> u32 {
    (shingle_hash ^ (shingle_hash >> 32)) as u32
}

/// Sorted, deduplicated fingerprints (from [`fingerprint`]s with repeats, in any order): the
/// form [`set_similarity`] compares. (Verification of spilled fingerprints uses
/// [`FingerprintTable`](crate::FingerprintTable), which needs no sort.)
pub fn fingerprint_set(mut fingerprints: Vec<u32>) -> Vec<u32> {
    fingerprints.sort_unstable();
    fingerprints.dedup();
    fingerprints
}

/// Exact overlap of two sorted, deduplicated shingle sets: `(jaccard, containment)` where
/// containment is `|A∩B| / min(|A|,|B|)` (how much of the smaller set lies in the larger).
/// Both are 0 when either set is empty.
pub fn set_similarity<T: Ord + Send + Sync>(a: &[T], b: &[T]) -> (f64, f64) {
    crate::exact::similarity(a, b)
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
        assert_ne!(normalized_text_hash("ab c"), normalized_text_hash("a bc"));
        assert_eq!(
            normalized_text_hash("Ärger über"),
            normalized_text_hash("ärger ÜBER")
        );
    }

    #[test]
    fn swar_word_mask_matches_table() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut w = [b'a'; 8];
                w[pos] = b;
                let m = ascii_nonword_mask(u64::from_le_bytes(w));
                let word = b < 0x80 && ASCII_WORD[b as usize];
                let want = if word { 0 } else { 0x80u64 << (8 * pos) };
                assert_eq!(m, want, "byte {b} at {pos}");
            }
        }
    }

    #[test]
    fn swar_lowercase_matches_std() {
        for b in 0u8..128 {
            let w = u64::from_le_bytes([b, b'A', b'z', b'Z', b'@', b'[', b'0', b'_']);
            let want = u64::from_le_bytes([
                b.to_ascii_lowercase(),
                b'a',
                b'z',
                b'z',
                b'@',
                b'[',
                b'0',
                b'_',
            ]);
            assert_eq!(ascii_lower8(w), want, "byte {b}");
        }
    }

    proptest! {
        #[test]
        fn spilled_bytes_decode_to_the_fingerprint_set(v in proptest::collection::vec(any::<u32>(), 0..20000), dup in 0usize..50) {
            let mut v = v;
            let extra: Vec<u32> = v.iter().take(dup).copied().collect();
            v.extend(extra);
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(fingerprint_set(v.clone()), want.clone());
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            let table = crate::FingerprintTable::from_le_bytes(&bytes);
            let mut members = table.members().to_vec();
            members.sort_unstable();
            prop_assert_eq!(members, want);
        }

        #[test]
        fn rolling_shingles_match_direct_hashing(ws in proptest::collection::vec("[a-z]{1,5}", 0..30), k in 1usize..7) {
            let text = ws.join(" ");
            let mut sh = Shingler::default();
            sh.shingle(&text, k);
            let hs: Vec<u64> = ws.iter().map(|w| word_hash_bytes(w.as_bytes())).collect();
            let direct: Vec<u64> = if hs.is_empty() {
                Vec::new()
            } else {
                hs.windows(k.min(hs.len()))
                    .map(|win| shingle_hash(win.iter().fold(0u64, |a, &h| a.wrapping_mul(POLY).wrapping_add(h))))
                    .collect()
            };
            prop_assert_eq!(&sh.shingles, &direct);
        }

        #[test]
        fn fast_word_hash_matches_reference(s in "[ a-zA-Z0-9_.,]{0,80}") {
            let mut buf = Vec::new();
            let mut w = Words::new(&s);
            while let Some((a, b, ascii)) = w.next_range() {
                let want = word_hash_bytes(s[a..b].to_ascii_lowercase().as_bytes());
                prop_assert_eq!(word_hash(&s, a, b, ascii, &mut buf), want);
            }
        }
    }

    #[test]
    fn word_hash_distinguishes_padding() {
        assert_ne!(word_hash_bytes(b"a"), word_hash_bytes(b"a\0"));
        assert_ne!(word_hash_bytes(b""), word_hash_bytes(b"\0"));
    }

    #[test]
    fn too_short() {
        assert!(is_too_short(""));
        assert!(is_too_short("Photo: AP, 2016"));
        assert!(!is_too_short(
            "one two three four five six seven eight nine ten"
        ));
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

    proptest! {
        #[test]
        fn similarity_matches_set_arithmetic(
            a in proptest::collection::btree_set(0u32..200, 0..80),
            b in proptest::collection::btree_set(0u32..200, 0..80),
        ) {
            let (va, vb): (Vec<u32>, Vec<u32>) = (a.iter().copied().collect(), b.iter().copied().collect());
            let inter = a.intersection(&b).count() as f64;
            let (j, c) = set_similarity(&va, &vb);
            if a.is_empty() || b.is_empty() {
                prop_assert_eq!((j, c), (0.0, 0.0));
            } else {
                prop_assert!((j - inter / ((a.len() + b.len()) as f64 - inter)).abs() < 1e-12);
                prop_assert!((c - inter / a.len().min(b.len()) as f64).abs() < 1e-12);
            }
        }
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
