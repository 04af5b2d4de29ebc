//! The "located truth" of a PAN corpus whose texts were altered after the truth was made.
//!
//! The copy of the PAN no-obfuscation corpus in `../shared` was OCR'd and re-wrapped after its
//! truth was written (m/rn and d/cl confusions, moved and dropped lines, truncated files), so
//! the truth offsets drift from the copies they describe. This module finds, for every truth
//! case, where the copied passage really is in both current files, independently of the
//! aligner under test:
//!
//! 1. Both texts are folded (whitespace runs become one space; a map keeps the offsets).
//! 2. Anchors are exact word 4-grams (alphanumeric runs, lower-cased) shared by the source
//!    text around the stated source span (± [`SRC_PAD`] characters) and the whole suspicious
//!    text (its stated offsets drift by up to ~1,800 characters).
//! 3. Anchors are chained (monotone in both texts, diagonal nearly constant between
//!    neighbours); the chain covering most of the stated source span wins (ties: nearest to
//!    the stated suspicious offset). Nearby chains that do not overlap it are joined while both
//!    hulls stay within 1.1 × the stated length + 20 (lines dropped or reordered in one file
//!    split a copy into pieces).
//! 4. The ends are extended character by character with a banded, gapped X-drop alignment
//!    (match +1, mismatch −2, gap −3, X = 25), which crosses OCR confusions and stops where
//!    the texts stop agreeing. Chance agreement at the ends is then trimmed: both ends must
//!    fall between words in both texts, and a copy does not start with the previous
//!    sentence's closing punctuation (the convention of the cases whose offsets did not drift).
//!
//! A copy's first or last word garbled beyond recovery by the extension (two confusions in a
//! short word, "cornrnittee") is left out of the located span. Each located pair is checked
//! by the character similarity of its two spans. The same method
//! was first written as a standalone script; this is its port, and gives the same spans.

use rustc_hash::FxHashMap;

/// Words per anchor n-gram.
const N: usize = 4;
/// Characters around the stated source span searched for anchors.
const SRC_PAD: usize = 400;
/// Largest distance (source characters) between two chained anchors.
const CHAIN_REACH: usize = 400;
/// Largest gap between a chain and a piece joined to it, in either text.
const JOIN_REACH: usize = 300;
/// Smallest piece (source characters under its anchors) worth joining.
const MIN_PIECE: usize = 25;

/// A folded text: whitespace runs as one space (leading whitespace dropped), the original
/// character offset of every folded character, and the words with their folded spans.
pub(crate) struct Folded {
    chars: Vec<char>,
    orig: Vec<usize>,
    words: Vec<(usize, usize, u32)>,
}

impl Folded {
    /// Folds `text`; word ids come from `vocab`, shared by the texts compared.
    pub fn new(text: &str, vocab: &mut FxHashMap<String, u32>) -> Self {
        let mut chars = Vec::new();
        let mut orig = Vec::new();
        let mut prev_ws = true;
        for (i, c) in text.chars().enumerate() {
            if c.is_whitespace() {
                if !prev_ws {
                    chars.push(' ');
                    orig.push(i);
                }
                prev_ws = true;
            } else {
                chars.push(c);
                orig.push(i);
                prev_ws = false;
            }
        }
        let mut words = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_alphanumeric() {
                let s = i;
                while i < chars.len() && chars[i].is_alphanumeric() {
                    i += 1;
                }
                let w: String = chars[s..i].iter().flat_map(|c| c.to_lowercase()).collect();
                let next = vocab.len() as u32;
                let id = *vocab.entry(w).or_insert(next);
                words.push((s, i, id));
            } else {
                i += 1;
            }
        }
        Folded { chars, orig, words }
    }

    /// First folded index whose original offset is at least `orig`.
    fn pos(&self, orig: usize) -> usize {
        self.orig.partition_point(|&o| o < orig)
    }
}

/// A located case: original-offset spans in the suspicious and source texts, and the
/// character similarity (1 − Levenshtein / longer length, whitespace folded) of the two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Located {
    pub this: (u64, u64),
    pub src: (u64, u64),
    pub similarity: f64,
}

/// An anchor: source start, suspicious start, source end, suspicious end (folded).
type Anchor = (usize, usize, usize, usize);

/// Locates the case stated as `this` (suspicious) and `src` (source), original offsets, in
/// the folded suspicious text `s` and source text `r`. `None` when no anchor lies inside the
/// stated source span.
pub(crate) fn locate(s: &Folded, r: &Folded, this: (u64, u64), src: (u64, u64)) -> Option<Located> {
    let to = usize::try_from(this.0).ok()?;
    let (so, se) = (usize::try_from(src.0).ok()?, usize::try_from(src.1).ok()?);
    let (fso, fse, fto) = (r.pos(so), r.pos(se), s.pos(to));
    let (lo, hi) = (fso.saturating_sub(SRC_PAD), fse + SRC_PAD);

    let mut grams: FxHashMap<[u32; N], Vec<(usize, usize)>> = FxHashMap::default();
    for w in s.words.windows(N) {
        let key = [w[0].2, w[1].2, w[2].2, w[3].2];
        grams.entry(key).or_default().push((w[0].0, w[N - 1].1));
    }
    let rw: Vec<(usize, usize, u32)> = r
        .words
        .iter()
        .copied()
        .filter(|w| w.0 >= lo && w.1 <= hi)
        .collect();
    let mut anchors: Vec<Anchor> = Vec::new();
    for w in rw.windows(N) {
        let key = [w[0].2, w[1].2, w[2].2, w[3].2];
        for &(sp, sq) in grams.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
            anchors.push((w[0].0, sp, w[N - 1].1, sq));
        }
    }
    if anchors.is_empty() {
        return None;
    }
    anchors.sort_unstable();
    let chains = chains(&anchors);

    let key = |c: &[Anchor]| {
        let inside: usize = c
            .iter()
            .filter(|x| x.0 < fse && x.2 > fso)
            .map(|x| x.2.min(fse) - x.0.max(fso))
            .sum();
        let d = ((c[0].1 + fso) as i64 - (c[0].0 + fto) as i64).abs();
        (inside, -d)
    };
    let mut g = 0;
    for (i, c) in chains.iter().enumerate() {
        if key(c) > key(&chains[g]) {
            g = i;
        }
    }
    if key(&chains[g]).0 == 0 {
        return None;
    }
    let parts = join_pieces(&chains, g, fso, fse, (se - so) as f64);

    // The piece starting first and the one ending last in the suspicious text.
    let (mut first, mut last) = (parts[0], parts[0]);
    for &p in &parts[1..] {
        if chains[p][0].1 < chains[first][0].1 {
            first = p;
        }
        if chains[p].last()?.3 > chains[last].last()?.3 {
            last = p;
        }
    }
    let (r0, s0) = (chains[first][0].0, chains[first][0].1);
    let end = chains[last].last()?;
    let (r1, s1) = (end.2, end.3);
    let rev = |t: &[char], upto: usize| -> Vec<char> { t[..upto].iter().rev().copied().collect() };
    let (li, lj) = xdrop(&rev(&r.chars, r0), &rev(&s.chars, s0));
    let (ri, rj) = xdrop(&r.chars[r1..], &s.chars[s1..]);
    let h0 = parts.iter().map(|&p| chains[p][0].0).min()?;
    let h1 = parts
        .iter()
        .filter_map(|&p| chains[p].last())
        .map(|x| x.2)
        .max()?;
    let (fr, fs) = (&r.chars, &s.chars);
    let (mut a0, mut a1) = (h0.min(r0 - li), h1.max(r1 + ri));
    let (mut b0, mut b1) = (s0 - lj, s1 + rj);

    let trim_end = |t: &[char], x0: usize, x1: &mut usize| {
        while *x1 > x0 && t[*x1 - 1] == ' ' {
            *x1 -= 1;
        }
    };
    while a0 < a1 && fr[a0] == ' ' {
        a0 += 1;
    }
    trim_end(fr, a0, &mut a1);
    while b0 < b1 && fs[b0] == ' ' {
        b0 += 1;
    }
    trim_end(fs, b0, &mut b1);
    // Chance agreement past the copy's ends (a next sentence starting with the same letter,
    // a previous word with the same ending): the ends must fall between words in both texts.
    let inword = |t: &[char], i: usize| {
        0 < i && i < t.len() && t[i - 1].is_alphanumeric() && t[i].is_alphanumeric()
    };
    while a0 < a1 && b0 < b1 && (inword(fr, a0) || inword(fs, b0)) {
        a0 += 1;
        b0 += 1;
    }
    while a0 < a1 && b0 < b1 && (inword(fr, a1) || inword(fs, b1)) {
        a1 -= 1;
        b1 -= 1;
    }
    trim_end(fr, a0, &mut a1);
    trim_end(fs, b0, &mut b1);
    // A copy starts at a word, not at the closing punctuation of the sentence before it.
    let closing = |c: char| ".,;:!? ".contains(c);
    while a0 < a1 && b0 < b1 && fr[a0] == fs[b0] && closing(fr[a0]) {
        a0 += 1;
        b0 += 1;
    }
    while a0 < a1 && closing(fr[a0]) {
        a0 += 1;
    }
    while b0 < b1 && closing(fs[b0]) {
        b0 += 1;
    }
    if a0 >= a1 || b0 >= b1 {
        return None;
    }
    Some(Located {
        this: (s.orig[b0] as u64, s.orig[b1 - 1] as u64 + 1),
        src: (r.orig[a0] as u64, r.orig[a1 - 1] as u64 + 1),
        similarity: similarity(&fr[a0..a1], &fs[b0..b1]),
    })
}

/// Chains anchors (sorted) that follow each other in both texts along a nearly constant
/// diagonal, scoring the source characters covered less the diagonal shifts; chains are read
/// off from the best end down, each anchor used once.
fn chains(anchors: &[Anchor]) -> Vec<Vec<Anchor>> {
    let k = anchors.len();
    let mut score = vec![0f64; k];
    let mut pred: Vec<Option<usize>> = vec![None; k];
    for x in 0..k {
        let (rx, sx, ex, _) = anchors[x];
        let (mut best, mut bp) = ((ex - rx) as f64, None);
        for y in (0..x).rev() {
            let (ry, sy, ey, _) = anchors[y];
            if rx - ry > CHAIN_REACH {
                break;
            }
            if ry >= rx || sy >= sx {
                continue;
            }
            let dd = ((sx as i64 - rx as i64) - (sy as i64 - ry as i64)).unsigned_abs() as f64;
            if dd > 8.0 + 0.05 * (rx - ry) as f64 {
                continue;
            }
            let gain = ex.saturating_sub(rx.max(ey)) as f64;
            let v = score[y] + gain - dd;
            if v > best {
                best = v;
                bp = Some(y);
            }
        }
        score[x] = best;
        pred[x] = bp;
    }
    crate::pair::read_off_chains(&score, &pred)
        .into_iter()
        .map(|c| c.into_iter().map(|z| anchors[z]).collect())
        .collect()
}

/// The chain `g` and the pieces joined to it (indexes into `chains`).
fn join_pieces(chains: &[Vec<Anchor>], g: usize, fso: usize, fse: usize, len: f64) -> Vec<usize> {
    let budget = 1.1 * len + 20.0;
    let first = |c: usize| chains[c][0];
    let last = |c: usize| chains[c][chains[c].len() - 1];
    let cover = |c: usize| chains[c].iter().map(|x| x.2 - x.0).sum::<usize>();
    let hull = |ps: &[usize]| {
        (
            ps.iter().map(|&p| first(p).0).min().unwrap_or(0),
            ps.iter().map(|&p| last(p).2).max().unwrap_or(0),
            ps.iter().map(|&p| first(p).1).min().unwrap_or(0),
            ps.iter().map(|&p| last(p).3).max().unwrap_or(0),
        )
    };
    let mut others: Vec<usize> = (0..chains.len())
        .filter(|&c| c != g && cover(c) >= MIN_PIECE)
        .collect();
    others.sort_by_key(|&c| std::cmp::Reverse(cover(c)));
    let mut parts = vec![g];
    let mut changed = true;
    while changed {
        changed = false;
        for &c in &others {
            if parts.contains(&c) {
                continue;
            }
            let (a0, a1, b0, b1) = hull(&parts);
            if first(c).0 + SRC_PAD < fso || last(c).2 > fse + SRC_PAD {
                continue;
            }
            if first(c).0 > a1 + JOIN_REACH
                || last(c).2 + JOIN_REACH < a0
                || first(c).1 > b1 + JOIN_REACH
                || last(c).3 + JOIN_REACH < b0
            {
                continue;
            }
            let mut with = parts.clone();
            with.push(c);
            let (n0, n1, m0, m1) = hull(&with);
            if (n1 - n0) as f64 > budget || (m1 - m0) as f64 > budget {
                continue;
            }
            // A piece overlapping the others in either text is a repeat, not a piece.
            let overlaps = parts.iter().any(|&p| {
                (first(c).0 < last(p).2 && first(p).0 < last(c).2)
                    || (first(c).1 < last(p).3 && first(p).1 < last(c).3)
            });
            if overlaps {
                continue;
            }
            parts.push(c);
            changed = true;
        }
    }
    parts
}

/// Gapped extension of `a` against `b` from their starts, in a band of 40 and at most 800
/// characters: the characters of each consumed at the best score (match +1, mismatch −2,
/// gap −3), giving up once every cell of a row is 25 below the best.
fn xdrop(a: &[char], b: &[char]) -> (usize, usize) {
    const MAXLEN: usize = 800;
    const BAND: usize = 40;
    const X: i32 = 25;
    const NEG: i32 = i32::MIN / 4;
    let a = &a[..a.len().min(MAXLEN)];
    let b = &b[..b.len().min(MAXLEN + BAND)];
    let (mut best, mut bi, mut bj) = (0i32, 0usize, 0usize);
    let mut prev = vec![NEG; b.len() + 1];
    for (j, p) in prev.iter_mut().enumerate().take(BAND.min(b.len()) + 1) {
        *p = -3 * j as i32;
    }
    for i in 1..=a.len() {
        let mut cur = vec![NEG; b.len() + 1];
        let mut any = false;
        for j in i.saturating_sub(BAND)..=b.len().min(i + BAND) {
            let s = if j == 0 {
                -3 * i as i32
            } else {
                let diag = prev[j - 1] + if a[i - 1] == b[j - 1] { 1 } else { -2 };
                diag.max(prev[j] - 3).max(cur[j - 1] - 3)
            };
            if s < best - X {
                continue;
            }
            cur[j] = s;
            any = true;
            if s > best {
                (best, bi, bj) = (s, i, j);
            }
        }
        if !any {
            break;
        }
        prev = cur;
    }
    (bi, bj)
}

/// 1 − Levenshtein distance / longer length, computed in a band around the diagonal (wide
/// enough for the length difference).
fn similarity(a: &[char], b: &[char]) -> f64 {
    let (n, m) = (a.len(), b.len());
    if n == 0 && m == 0 {
        return 1.0;
    }
    let band = if n.abs_diff(m) > 60 {
        n.abs_diff(m) + 10
    } else {
        60
    };
    const INF: u32 = u32::MAX / 4;
    let mut prev = vec![INF; m + 1];
    for (j, p) in prev.iter_mut().enumerate().take(m.min(band) + 1) {
        *p = j as u32;
    }
    for i in 1..=n {
        let mut cur = vec![INF; m + 1];
        for j in i.saturating_sub(band)..=m.min(i + band) {
            cur[j] = if j == 0 {
                i as u32
            } else {
                (prev[j - 1] + u32::from(a[i - 1] != b[j - 1]))
                    .min(prev[j] + 1)
                    .min(cur[j - 1] + 1)
            };
        }
        prev = cur;
    }
    1.0 - f64::from(prev[m].min(INF)) / n.max(m) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made-up words of pseudo-random letters, different for each seed.
    fn filler(seed: u64, n: usize) -> String {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut words = Vec::new();
        for _ in 0..n {
            let mut w = String::new();
            for _ in 0..5 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.push((b'a' + (x % 26) as u8) as char);
            }
            words.push(w);
        }
        words.join(" ")
    }

    #[test]
    fn a_drifted_case_is_found_where_the_copy_is() {
        let passage = "The committee voted on Tuesday to extend the sanctions for another six months, citing continued violations of the ceasefire along the border.";
        // The suspicious copy is OCR'd (m -> rn, l -> I) and re-wrapped.
        let copy = passage
            .replace("committee", "cornmittee")
            .replace("violations", "vioIations")
            .replace("another six", "another\nsix");
        let src = format!("{}. {passage} {}", filler(1, 30), filler(2, 30));
        let susp = format!("{}. {copy} {}", filler(3, 50), filler(4, 20));
        let mut vocab = FxHashMap::default();
        let (s, r) = (
            Folded::new(&susp, &mut vocab),
            Folded::new(&src, &mut vocab),
        );
        let so = src.find(passage).unwrap() as u64;
        let to = susp.find(&copy).unwrap() as u64;
        let len = passage.len() as u64;
        // Stated offsets drift: 37 characters early in the suspicious text, 5 late in the source.
        let got = locate(&s, &r, (to - 37, to - 37 + len), (so + 5, so + 5 + len)).unwrap();
        assert_eq!(got.src, (so, so + len));
        assert_eq!(got.this, (to, to + copy.len() as u64));
        assert!(got.similarity > 0.97 && got.similarity < 1.0, "{got:?}");
    }

    #[test]
    fn unrelated_texts_locate_nothing() {
        let mut vocab = FxHashMap::default();
        let s = Folded::new(&filler(1, 100), &mut vocab);
        let r = Folded::new(&filler(2, 100), &mut vocab);
        assert!(locate(&s, &r, (10, 200), (10, 200)).is_none());
    }

    #[test]
    fn xdrop_crosses_small_edits_and_stops_at_the_end_of_agreement() {
        let a: Vec<char> = "the modern age began here; zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
            .chars()
            .collect();
        let b: Vec<char> = "the rnodern age began here; qqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
            .chars()
            .collect();
        assert_eq!(xdrop(&a, &b), (27, 28));
        assert_eq!(similarity(&a[..4], &b[..4]), 1.0);
        assert!((similarity(&a[..10], &b[..11]) - (1.0 - 2.0 / 11.0)).abs() < 1e-9);
    }
}
