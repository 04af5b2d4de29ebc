//! Local alignment of two word sequences: seed on shared word n-grams, chain the seeds that lie
//! along a common (possibly shifted) diagonal, align the words between chained seeds, extend at
//! both ends, then keep one alignment per region and join pieces of the same passage.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::tokens::ngram_hashes;
use crate::AlignConfig;

/// Cost per word inserted on one side only, between two chained seeds.
const INDEL_COST: f64 = 0.3;
/// Cost per word replaced (unmatched on both sides) between two chained seeds.
const SUB_COST: f64 = 0.3;
/// Ungapped extension beyond a chain's ends scores a matched word +2 and a mismatch -1, so a
/// replaced word followed by a match ("and supporting terrorism" / "and backing terrorism") is
/// taken in, and stops once the running score falls `X_DROP` below its best.
const EXT_MATCH: i32 = 2;
const EXT_MISMATCH: i32 = -1;
const X_DROP: i32 = 3;

/// One aligned passage pair in word indexes: `a` and `b` are half-open word ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub a: (usize, usize),
    pub b: (usize, usize),
    /// Words matched one-to-one inside the ranges.
    pub matches: usize,
}

impl Hit {
    /// Dice coefficient over words: matched words on both sides over all words in both ranges.
    pub fn similarity(&self) -> f64 {
        let total = (self.a.1 - self.a.0) + (self.b.1 - self.b.0);
        if total == 0 {
            0.0
        } else {
            (2 * self.matches) as f64 / total as f64
        }
    }

    fn swapped(self) -> Hit {
        Hit {
            a: self.b,
            b: self.a,
            matches: self.matches,
        }
    }
}

/// The word n-grams of one text as `(hash, position)` sorted by hash, for seed look-ups, with
/// a one-hash Bloom filter (16 bits per n-gram, ~6% false positives) in front: most n-grams of
/// the other text are absent, and the filter spares them the binary search. Built once per
/// text and reused against every text it is aligned with.
pub(crate) struct Grams {
    sorted: Vec<(u64, u32)>,
    bits: Vec<u64>,
    mask: u64,
}

impl Grams {
    pub fn new(words: &[u32], n: usize) -> Self {
        let mut sorted: Vec<(u64, u32)> = ngram_hashes(words, n)
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h, i as u32))
            .collect();
        sorted.sort_unstable();
        let nbits = (sorted.len() * 16).next_power_of_two().max(64);
        let mut bits = vec![0u64; nbits / 64];
        let mask = nbits as u64 - 1;
        for &(h, _) in &sorted {
            let b = (h >> 7) & mask;
            bits[(b / 64) as usize] |= 1 << (b % 64);
        }
        Grams { sorted, bits, mask }
    }

    fn range(&self, h: u64) -> &[(u64, u32)] {
        let b = (h >> 7) & self.mask;
        if self.bits[(b / 64) as usize] & (1 << (b % 64)) == 0 {
            return &[];
        }
        let lo = self.sorted.partition_point(|x| x.0 < h);
        let len = self.sorted[lo..].iter().take_while(|x| x.0 == h).count();
        &self.sorted[lo..lo + len]
    }
}

/// Aligns word-hash sequences `a` and `b`. The result does not depend on argument order (up to
/// swapping `a` and `b` in each hit): the work is always done in one canonical order.
pub(crate) fn align_words(a: &[u32], b: &[u32], cfg: &AlignConfig) -> Vec<Hit> {
    let n = cfg.anchor_ngram.max(1);
    if (a.len(), a) > (b.len(), b) {
        let mut hits: Vec<Hit> = align_with(b, a, &Grams::new(a, n), cfg)
            .into_iter()
            .map(Hit::swapped)
            .collect();
        hits.sort_by_key(|h| (h.a, h.b));
        return hits;
    }
    align_with(a, b, &Grams::new(b, n), cfg)
}

/// Aligns `a` against `b`, whose n-grams (`cfg.anchor_ngram` words) are `b_grams`.
pub(crate) fn align_with(a: &[u32], b: &[u32], b_grams: &Grams, cfg: &AlignConfig) -> Vec<Hit> {
    let n = cfg.anchor_ngram.max(1);
    let seeds = anchors(a, b_grams, n, cfg.max_anchor_repeat.max(1));
    if seeds.is_empty() {
        return Vec::new();
    }
    let gap = cfg.max_gap.max(1);
    let mut hits: Vec<Hit> = chains(&seeds, n, gap)
        .iter()
        .map(|c| chain_hit(a, b, &seeds, trim_chain(&seeds, c, n), n))
        .filter(|h| h.matches >= cfg.min_words.min(n).max(1))
        .collect();
    hits = one_per_region(hits);
    hits = join_adjacent(hits, gap, cfg.min_words, cfg.min_similarity);
    hits.retain(|h| h.matches >= cfg.min_words && h.similarity() >= cfg.min_similarity);
    hits.sort_by_key(|h| (h.a, h.b));
    hits
}

/// Seed pairs `(i, j)`: the n-gram at word `i` of `a` equals the one at word `j` of `b`.
/// N-grams repeated more than `max_rep` times on either side are skipped: they say little about
/// where a passage is and would add a quadratic number of seeds.
fn anchors(a: &[u32], b: &Grams, n: usize, max_rep: usize) -> Vec<(u32, u32)> {
    // Only a's n-grams that b has at all are kept (usually few), then grouped to count them.
    let mut found: Vec<(u64, u32)> = ngram_hashes(a, n)
        .into_iter()
        .enumerate()
        .filter(|&(_, h)| !b.range(h).is_empty())
        .map(|(i, h)| (h, i as u32))
        .collect();
    found.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < found.len() {
        let h = found[i].0;
        let ei = i + found[i..].iter().take_while(|x| x.0 == h).count();
        let in_b = b.range(h);
        if ei - i <= max_rep && in_b.len() <= max_rep {
            for x in &found[i..ei] {
                for y in in_b {
                    out.push((x.1, y.1));
                }
            }
        }
        i = ei;
    }
    out.sort_unstable();
    out
}

/// Local chaining of seeds (sorted by `(i, j)`), in the manner of long-read mappers: each seed
/// extends the best earlier seed within `gap` words on both sides, gaining the new words it
/// matches and paying for words inserted on one side or replaced. Chains are read off from the
/// best end down, each seed used once.
fn chains(seeds: &[(u32, u32)], n: usize, gap: usize) -> Vec<Vec<usize>> {
    let k = seeds.len();
    let mut score = vec![0f64; k];
    let mut pred: Vec<Option<usize>> = vec![None; k];
    let mut lo = 0;
    for x in 0..k {
        let (i, j) = (seeds[x].0 as usize, seeds[x].1 as usize);
        while (seeds[lo].0 as usize) + gap < i {
            lo += 1;
        }
        let mut best = n as f64;
        let mut best_pred = None;
        for y in lo..x {
            let (pi, pj) = (seeds[y].0 as usize, seeds[y].1 as usize);
            if pi >= i || pj >= j || j - pj > gap {
                continue;
            }
            let (di, dj) = (i - pi, j - pj);
            let common = di.min(dj);
            let gain = common.min(n) as f64;
            let cost =
                INDEL_COST * di.abs_diff(dj) as f64 + SUB_COST * common.saturating_sub(n) as f64;
            let s = score[y] + gain - cost;
            if s > best {
                best = s;
                best_pred = Some(y);
            }
        }
        score[x] = best;
        pred[x] = best_pred;
    }
    read_off_chains(&score, &pred)
}

/// The chains of a chaining DP (`score[x]` of the best chain ending at `x`, `pred[x]` its
/// previous element), read off from the best end down, each element used once; every chain
/// in order.
pub(crate) fn read_off_chains(score: &[f64], pred: &[Option<usize>]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&x, &y| score[y].total_cmp(&score[x]).then(x.cmp(&y)));
    let mut used = vec![false; score.len()];
    let mut out = Vec::new();
    for x in order {
        let mut chain = Vec::new();
        let mut y = Some(x);
        while let Some(z) = y.filter(|&z| !used[z]) {
            used[z] = true;
            chain.push(z);
            y = pred[z];
        }
        if !chain.is_empty() {
            chain.reverse();
            out.push(chain);
        }
    }
    out
}

/// Cuts weakly attached ends off a chain. The chaining score lets a run of seeds pay for a long
/// gap before it, so a shared stock phrase a sentence past the end of a copy ("... is
/// considered to be one of the ...") can extend the passage over text that was not copied.
/// The chain is split at its one-sided gaps (words inserted on one side only), and an end
/// piece is dropped while it spans fewer words than that gap and no more than the rest of the
/// chain (the rule [`join_adjacent`] applies to whole hits). Gaps with words replaced on both
/// sides are edits inside a passage and never cut.
fn trim_chain<'c>(seeds: &[(u32, u32)], chain: &'c [usize], n: usize) -> &'c [usize] {
    // Words left unmatched on the longer side between consecutive seeds x and y.
    let gap = |x: usize, y: usize| {
        let (di, dj) = (
            (seeds[y].0 - seeds[x].0) as usize,
            (seeds[y].1 - seeds[x].1) as usize,
        );
        di.abs_diff(dj)
    };
    let span = |c: &[usize]| (seeds[c[c.len() - 1]].0 - seeds[c[0]].0) as usize + n;
    let mut c = chain;
    // Cut points: links with a one-sided gap, nearest to the ends first.
    while c.len() > 1 {
        let last_cut = (1..c.len()).rev().find(|&k| gap(c[k - 1], c[k]) > 0);
        let Some(k) = last_cut else { break };
        let (rest, piece) = c.split_at(k);
        if span(piece) < gap(c[k - 1], c[k]).min(span(rest) + 1) {
            c = rest;
        } else {
            break;
        }
    }
    while c.len() > 1 {
        let first_cut = (1..c.len()).find(|&k| gap(c[k - 1], c[k]) > 0);
        let Some(k) = first_cut else { break };
        let (piece, rest) = c.split_at(k);
        if span(piece) < gap(c[k - 1], c[k]).min(span(rest) + 1) {
            c = rest;
        } else {
            break;
        }
    }
    c
}

/// Turns a chain into matched word pairs: the seeds' own words, the words the diff matches
/// between consecutive seeds, and an ungapped X-drop extension at both ends.
fn chain_hit(a: &[u32], b: &[u32], seeds: &[(u32, u32)], chain: &[usize], n: usize) -> Hit {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let (mut ca, mut cb) = (seeds[chain[0]].0 as usize, seeds[chain[0]].1 as usize);
    for &x in chain {
        let (i, j) = (seeds[x].0 as usize, seeds[x].1 as usize);
        // Skip the part of this seed already covered (overlapping consecutive n-grams).
        let k = ca.saturating_sub(i).max(cb.saturating_sub(j));
        if k >= n {
            continue;
        }
        let (si, sj) = (i + k, j + k);
        if si > ca && sj > cb {
            for op in capture_diff_slices(Algorithm::Myers, &a[ca..si], &b[cb..sj]) {
                if let DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } = op
                {
                    pairs.extend((0..len).map(|t| (ca + old_index + t, cb + new_index + t)));
                }
            }
        }
        pairs.extend((0..n - k).map(|t| (si + t, sj + t)));
        ca = i + n;
        cb = j + n;
    }
    let (fa, fb) = pairs[0];
    let (la, lb) = pairs[pairs.len() - 1];
    let before = extend(a, b, fa, fb, false);
    let after = extend(a, b, la + 1, lb + 1, true);
    let first = before.last().copied().unwrap_or((fa, fb));
    let last = after.last().copied().unwrap_or((la, lb));
    Hit {
        a: (first.0, last.0 + 1),
        b: (first.1, last.1 + 1),
        matches: pairs.len() + before.len() + after.len(),
    }
}

/// Ungapped extension from `(i, j)` (forward) or from just before it (backward). Returns the
/// matched pairs up to the best-scoring stop, nearest first.
fn extend(a: &[u32], b: &[u32], i: usize, j: usize, forward: bool) -> Vec<(usize, usize)> {
    let mut matched = Vec::new();
    let mut kept = 0;
    let (mut score, mut best) = (0i32, 0i32);
    let mut step = 0;
    loop {
        let pos = if forward {
            (i + step, j + step)
        } else {
            match (i.checked_sub(step + 1), j.checked_sub(step + 1)) {
                (Some(x), Some(y)) => (x, y),
                _ => break,
            }
        };
        if pos.0 >= a.len() || pos.1 >= b.len() {
            break;
        }
        if a[pos.0] == b[pos.1] {
            score += EXT_MATCH;
            matched.push(pos);
        } else {
            score += EXT_MISMATCH;
        }
        if score > best {
            best = score;
            kept = matched.len();
        } else if score <= best - X_DROP {
            break;
        }
        step += 1;
    }
    matched.truncate(kept);
    matched
}

/// Share of range `x` covered by range `y`.
fn covered_share(x: (usize, usize), y: (usize, usize)) -> f64 {
    let inter = x.1.min(y.1).saturating_sub(x.0.max(y.0));
    inter as f64 / (x.1 - x.0).max(1) as f64
}

/// Pairs each region at most once, best hit first: a hit is dropped when half of its range in
/// either text is already paired by a better hit. A passage repeated inside one text (a source
/// that prints a paragraph twice, a text against itself) thus yields its best pairing only,
/// not one alignment per copy.
fn one_per_region(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|x, y| y.matches.cmp(&x.matches).then((x.a, x.b).cmp(&(y.a, y.b))));
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        if !kept
            .iter()
            .any(|k| covered_share(h.a, k.a) >= 0.5 || covered_share(h.b, k.b) >= 0.5)
        {
            kept.push(h);
        }
    }
    kept
}

/// Joins hits that follow each other in both texts within `gap` words (a passage split by an
/// edit longer than the chaining allows), as long as the joined passage stays similar enough.
/// One detection per reused passage keeps PAN granularity near 1.
fn join_adjacent(
    mut hits: Vec<Hit>,
    gap: usize,
    min_words: usize,
    min_similarity: f64,
) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.a, h.b));
    let mut out: Vec<Hit> = Vec::new();
    for h in hits {
        let joined = out.iter_mut().rev().take(8).find_map(|p| {
            let follows =
                h.a.0 >= p.a.1 && h.b.0 >= p.b.1 && h.a.0 - p.a.1 <= gap && h.b.0 - p.b.1 <= gap;
            if !follows {
                return None;
            }
            // A piece too short to report on its own is attached only if it matches at least
            // as many words as the one-sided gap (words inserted on one side only) it bridges:
            // a stray shared phrase ("rock and roll") a sentence after the end of a copy would
            // otherwise stretch the passage over text that was not copied.
            let bridged = (h.a.0 - p.a.1).abs_diff(h.b.0 - p.b.1);
            let piece = p.matches.min(h.matches);
            if bridged > piece && piece < min_words {
                return None;
            }
            let j = Hit {
                a: (p.a.0, h.a.1),
                b: (p.b.0, h.b.1),
                matches: p.matches + h.matches,
            };
            (j.similarity() >= min_similarity).then(|| {
                *p = j;
            })
        });
        if joined.is_none() {
            out.push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn words(s: &str) -> Vec<u32> {
        tokenize(s).hash
    }

    fn filler(seed: u32, n: usize) -> String {
        (0..n)
            .map(|i| format!("w{}x{}", seed, i * 7 + 3))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn finds_an_embedded_copy_with_exact_word_ranges() {
        let passage = "the committee voted on tuesday to extend the sanctions for another six months citing continued violations";
        let a = format!("{} {} {}", filler(1, 40), passage, filler(2, 30));
        let b = format!("{} {} {}", filler(3, 10), passage, filler(4, 50));
        let hits = align_words(&words(&a), &words(&b), &AlignConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        let h = hits[0];
        assert_eq!(h.a, (40, 56));
        assert_eq!(h.b, (10, 26));
        assert_eq!(h.matches, 16);
        assert_eq!(h.similarity(), 1.0);
    }

    #[test]
    fn tolerates_insertions_deletions_and_substitutions() {
        let src = "the liberation of the city once again exposed the policies of the west and their regional allies in creating and supporting terrorism across the region";
        let copy = "the liberation of the city once again exposed to the judgment of world opinion the policies of western countries and their regional allies in creating and sponsoring terrorism across the region";
        let a = format!("{} {} {}", filler(1, 20), src, filler(2, 20));
        let b = format!("{} {} {}", filler(3, 20), copy, filler(4, 20));
        let hits = align_words(&words(&a), &words(&b), &AlignConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        let h = hits[0];
        assert_eq!(h.a, (20, 20 + words(src).len()));
        assert_eq!(h.b, (20, 20 + words(copy).len()));
        assert!(h.similarity() > 0.7 && h.similarity() < 1.0, "{h:?}");
    }

    #[test]
    fn unrelated_texts_and_stock_phrases_do_not_align() {
        let a = format!("{} at the end of the day {}", filler(1, 30), filler(2, 30));
        let b = format!("{} at the end of the day {}", filler(3, 30), filler(4, 30));
        assert!(align_words(&words(&a), &words(&b), &AlignConfig::default()).is_empty());
    }

    #[test]
    fn a_stock_phrase_after_a_copy_does_not_stretch_it() {
        // The copy ends; a sentence later both texts happen to share a stock phrase, after a
        // one-sided run of words the chaining could still bridge.
        let passage = "the museum offers guided walking tours of the historic downtown district every saturday morning from april until the end of october";
        let phrase = "is considered to be one of the finest";
        let a = format!(
            "{} {passage} {} {phrase} {}",
            filler(1, 30),
            filler(2, 2),
            filler(3, 30)
        );
        let b = format!(
            "{} {passage} {} {phrase} {}",
            filler(4, 10),
            filler(5, 24),
            filler(6, 30)
        );
        let n = words(passage).len();
        for (x, y) in [(&a, &b), (&b, &a)] {
            let hits = align_words(&words(x), &words(y), &AlignConfig::default());
            assert_eq!(hits.len(), 1, "{hits:?}");
            let h = hits[0];
            let (sx, sy) = if x == &a { (30, 10) } else { (10, 30) };
            assert_eq!((h.a, h.b), ((sx, sx + n), (sy, sy + n)), "{h:?}");
        }
    }

    #[test]
    fn chains_lose_weakly_attached_ends_only() {
        // Eleven seeds on one diagonal, with a 3-seed piece before it (one-sided gap of 15
        // words) and after it (10 words): both pieces are cut. A piece after replaced words
        // (equal gaps on both sides) stays.
        let mut seeds: Vec<(u32, u32)> = vec![(0, 30), (1, 31), (2, 32)];
        seeds.extend((0..11).map(|k| (10 + k, 55 + k)));
        seeds.extend([(28, 83), (29, 84), (30, 85)]);
        let chain: Vec<usize> = (0..seeds.len()).collect();
        assert_eq!(trim_chain(&seeds, &chain, 3), &chain[3..14]);
        let kept: Vec<(u32, u32)> = (0..11)
            .map(|k| (k, k))
            .chain([(18, 18), (19, 19)])
            .collect();
        let chain: Vec<usize> = (0..kept.len()).collect();
        assert_eq!(trim_chain(&kept, &chain, 3), &chain[..]);
    }

    #[test]
    fn a_passage_split_by_an_inserted_sentence_is_one_hit() {
        // An outlet adds its own sentence inside a copied paragraph: still one passage.
        let first = "the council approved the budget on monday after a long debate over funding for schools roads and the new public library";
        let second = "the mayor said the vote showed that the city could still agree on its priorities despite the deep divisions of recent months";
        let insert = filler(9, 25);
        let a = format!("{} {first} {second} {}", filler(1, 20), filler(2, 20));
        let b = format!(
            "{} {first} {insert} {second} {}",
            filler(3, 20),
            filler(4, 20)
        );
        let hits = align_words(&words(&a), &words(&b), &AlignConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        let (n1, n2) = (words(first).len(), words(second).len());
        assert_eq!(hits[0].a, (20, 20 + n1 + n2));
        assert_eq!(hits[0].b, (20, 20 + n1 + 25 + n2));
    }

    #[test]
    fn a_passage_printed_twice_pairs_once() {
        let passage = "officials said the bridge would remain closed until engineers finish a full inspection of its supports";
        let a = format!("{} {} {}", filler(1, 30), passage, filler(2, 30));
        let b = format!(
            "{} {} {} {} {}",
            filler(3, 30),
            passage,
            filler(4, 60),
            passage,
            filler(5, 5)
        );
        let hits = align_words(&words(&a), &words(&b), &AlignConfig::default());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].a, hits[0].b), ((30, 46), (30, 46)));
    }
}
