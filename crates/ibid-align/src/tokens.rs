//! Words, their hashes and code-point offsets; n-gram hashes; winnowed fingerprints; and the
//! compact per-document token store the index keeps.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// Longest token in code points. Longer alphanumeric runs (URLs glued together, base64) are cut
/// into pieces so that a token's length always fits the store's `u8`.
const MAX_TOKEN_CHARS: u32 = u8::MAX as u32;

/// The words of a text: lower-cased hash plus code-point span `[start, end)` of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    pub hash: Vec<u32>,
    pub start: Vec<u32>,
    pub end: Vec<u32>,
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.hash.len()
    }

    /// Code-point span covering tokens `[first, last)` (empty range gives an empty span).
    pub fn char_span(&self, first: usize, last: usize) -> (u32, u32) {
        if last <= first || last > self.len() {
            let at = self.start.get(first).copied().unwrap_or(0);
            return (at, at);
        }
        (self.start[first], self.end[last - 1])
    }
}

/// Punctuation that closes a word, a clause or a quotation. A run of it right after a word
/// belongs to that word's span (not to its hash), so that a passage ending "... terrorism.”"
/// is reported with its full stop and closing quote rather than cut after the last letter.
pub(crate) fn closes(ch: char) -> bool {
    matches!(
        ch,
        '.' | ',' | ';' | ':' | '!' | '?' | '…' | ')' | ']' | '"' | '\'' | '”' | '’' | '»'
    )
}

/// Splits `text` into words: maximal runs of alphanumeric characters, compared case-blind.
/// Punctuation and apostrophes separate words, so "Aleppo’s" and "Aleppo's" tokenise alike.
/// A word's span also covers the closing punctuation glued to it ([`closes`]).
pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens::default();
    let mut buf = String::new();
    let mut start: Option<u32> = None;
    // Whether the last word's span may still take in closing punctuation.
    let mut tail_open = false;
    let mut cp: u32 = 0;
    for ch in text.chars() {
        if !ch.is_alphanumeric() {
            if let Some(s) = start.take() {
                push(&mut out, &buf, s, cp);
                buf.clear();
                tail_open = true;
            }
            if let (true, Some(end), Some(&first)) =
                (tail_open, out.end.last_mut(), out.start.last())
            {
                // The span length must fit the store's u8 (see MAX_TOKEN_CHARS).
                if closes(ch) && *end == cp && cp + 1 - first <= MAX_TOKEN_CHARS {
                    *end = cp + 1;
                } else {
                    tail_open = false;
                }
            }
            cp += 1;
            continue;
        }
        tail_open = false;
        let s = *start.get_or_insert(cp);
        if cp - s == MAX_TOKEN_CHARS {
            push(&mut out, &buf, s, cp);
            buf.clear();
            start = Some(cp);
        }
        if ch.is_ascii() {
            buf.push(ch.to_ascii_lowercase());
        } else {
            buf.extend(ch.to_lowercase());
        }
        cp += 1;
    }
    if let Some(s) = start {
        push(&mut out, &buf, s, cp);
    }
    out
}

fn push(out: &mut Tokens, word: &str, start: u32, end: u32) {
    out.hash.push(word_hash(word));
    out.start.push(start);
    out.end.push(end);
}

/// 32-bit word hash. Collisions (about one pair per few thousand distinct words squared over
/// 2^32) only ever add a spurious match inside an alignment; never a wrong offset.
pub(crate) fn word_hash(lower: &str) -> u32 {
    xxh3_64(lower.as_bytes()) as u32
}

/// Hash of every word n-gram (`n` consecutive word hashes), one per start position.
pub(crate) fn ngram_hashes(words: &[u32], n: usize) -> Vec<u64> {
    if n == 0 || words.len() < n {
        return Vec::new();
    }
    words
        .windows(n)
        .map(|w| {
            // A multiply-rotate fold over the already well-mixed word hashes, finished with the
            // murmur3 finaliser: cheaper than re-hashing bytes and good enough for a hash join.
            let mut x = 0x51_7c_c1_b7_27_22_0a_95u64 ^ n as u64;
            for &h in w {
                x = (x.rotate_left(23) ^ u64::from(h)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
            fmix64(x)
        })
        .collect()
}

fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// Winnowing (Schleimer, Wilkerson & Aiken 2003): the minimum hash of every window of `w`
/// consecutive n-gram hashes. Any shared run of at least `w + n - 1` words yields at least one
/// shared fingerprint, while only about `2 / (w + 1)` of the n-grams are kept. Returns
/// `(fingerprint folded to 32 bits, word position of its n-gram)`, sorted; a fingerprint
/// selected at several positions appears once per position.
pub(crate) fn fingerprints(words: &[u32], n: usize, w: usize) -> Vec<(u32, u32)> {
    let grams = ngram_hashes(words, n);
    let w = w.max(1);
    let mut out: Vec<(u32, u32)> = Vec::new();
    if grams.is_empty() {
        return out;
    }
    if grams.len() <= w {
        if let Some((p, &m)) = grams.iter().enumerate().min_by_key(|x| x.1) {
            out.push((fold(m), p as u32));
        }
        return out;
    }
    let mut last_pick = usize::MAX;
    for s in 0..=grams.len() - w {
        // Rightmost minimum, as in the paper, so runs of equal hashes pick one position.
        let mut best = s;
        for p in s + 1..s + w {
            if grams[p] <= grams[best] {
                best = p;
            }
        }
        if best != last_pick {
            out.push((fold(grams[best]), best as u32));
            last_pick = best;
        }
    }
    out.sort_unstable();
    out
}

fn fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// A document's tokens as the index keeps them: hashes plus offsets packed into two bytes per
/// token (gap since the previous token's end, token length), with gaps of 255 or more kept
/// aside. About 6 bytes per word instead of 12.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredDoc {
    pub hash: Vec<u32>,
    gap: Vec<u8>,
    len: Vec<u8>,
    /// `(token index, gap)` for gaps that do not fit a `u8` (marked 255 in `gap`).
    wide_gaps: Vec<(u32, u32)>,
}

impl StoredDoc {
    pub fn from_tokens(t: &Tokens) -> Self {
        let mut d = StoredDoc {
            hash: t.hash.clone(),
            gap: Vec::with_capacity(t.len()),
            len: Vec::with_capacity(t.len()),
            wide_gaps: Vec::new(),
        };
        let mut prev_end = 0u32;
        for i in 0..t.len() {
            let gap = t.start[i].saturating_sub(prev_end);
            if gap >= u32::from(u8::MAX) {
                d.gap.push(u8::MAX);
                d.wide_gaps.push((i as u32, gap));
            } else {
                d.gap.push(gap as u8);
            }
            // Tokenisation caps lengths at 255, so this never saturates.
            d.len
                .push(u8::try_from(t.end[i] - t.start[i]).unwrap_or(u8::MAX));
            prev_end = t.end[i];
        }
        d
    }

    pub fn tokens(&self) -> Tokens {
        let n = self.hash.len();
        let mut t = Tokens {
            hash: self.hash.clone(),
            start: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
        };
        let mut wide = self.wide_gaps.iter().peekable();
        let mut prev_end = 0u32;
        for i in 0..n {
            let mut gap = u32::from(self.gap[i]);
            if self.gap[i] == u8::MAX {
                if let Some(&&(at, g)) = wide.peek() {
                    if at as usize == i {
                        gap = g;
                        wide.next();
                    }
                }
            }
            let start = prev_end + gap;
            let end = start + u32::from(self.len[i]);
            t.start.push(start);
            t.end.push(end);
            prev_end = end;
        }
        t
    }
}

impl StoredDoc {
    /// Appends the binary form used by `PassageIndex::to_bytes`.
    pub fn write(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&(self.hash.len() as u64).to_le_bytes());
        for h in &self.hash {
            w.extend_from_slice(&h.to_le_bytes());
        }
        w.extend_from_slice(&self.gap);
        w.extend_from_slice(&self.len);
        w.extend_from_slice(&(self.wide_gaps.len() as u64).to_le_bytes());
        for &(i, g) in &self.wide_gaps {
            w.extend_from_slice(&i.to_le_bytes());
            w.extend_from_slice(&g.to_le_bytes());
        }
    }

    /// Reads what [`StoredDoc::write`] wrote.
    pub fn read(r: &mut crate::index::Reader) -> Result<Self, crate::AlignError> {
        let n = usize::try_from(r.u64()?)
            .map_err(|_| crate::AlignError::Format("token count too large".into()))?;
        let mut hash = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            hash.push(r.u32()?);
        }
        let gap = r.take(n)?.to_vec();
        let len = r.take(n)?.to_vec();
        let nw = r.u64()?;
        let mut wide_gaps = Vec::new();
        for _ in 0..nw {
            wide_gaps.push((r.u32()?, r.u32()?));
        }
        Ok(Self {
            hash,
            gap,
            len,
            wide_gaps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_case_blind_words_with_code_point_offsets() {
        let t = tokenize("Él dijo: «Hola», Aleppo’s x");
        let words: Vec<(u32, u32)> = t.start.iter().copied().zip(t.end.iter().copied()).collect();
        assert_eq!(
            words,
            // Closing punctuation glued to a word is part of its span: "dijo:", "Hola»,", "Aleppo’".
            vec![(0, 2), (3, 8), (10, 16), (17, 24), (24, 25), (26, 27)]
        );
        assert_eq!(t.hash[0], word_hash("él"));
        assert_eq!(tokenize("ALEPPO").hash, tokenize("aleppo").hash);
    }

    #[test]
    fn long_runs_are_cut_and_store_round_trips() {
        let long = "x".repeat(600);
        let text = format!("a{}{long} b", " ".repeat(300));
        let t = tokenize(&text);
        assert_eq!(t.len(), 5);
        assert!(t.start.iter().zip(&t.end).all(|(s, e)| e - s <= 255));
        assert_eq!(StoredDoc::from_tokens(&t).tokens(), t);
    }

    #[test]
    fn winnowing_finds_shared_runs() {
        let a = tokenize("one two three four five six seven eight nine ten eleven");
        let b = tokenize("zz yy four five six seven eight nine ten qq");
        let fa = fingerprints(&a.hash, 4, 4);
        let fb = fingerprints(&b.hash, 4, 4);
        assert!(fa.iter().any(|x| fb.iter().any(|y| y.0 == x.0)));
        assert!(fa.len() < a.len());
    }
}
