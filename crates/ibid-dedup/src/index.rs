//! The incremental dedup index: signatures, banded LSH candidates, exact verification, groups.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::minhash::{estimate_jaccard, MinHasher};
use crate::text::{normalized_text_hash, set_similarity, Shingler, DEFAULT_MIN_TOKENS};
use crate::DedupError;

/// Settings of the dedup stage. The CLI exposes each as a flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DedupConfig {
    /// Two articles are duplicates when the exact Jaccard similarity of their shingle sets is
    /// at least this. Default 0.8.
    pub threshold: f64,
    /// A pair whose smaller shingle set lies at least this much inside the larger
    /// (`|A∩B|/|A|`) is reported as `contains`/`contained_in`. Default 0.8.
    pub containment_threshold: f64,
    /// Words per shingle. Default 5.
    pub shingle_size: usize,
    /// MinHash permutations. Default 128.
    pub num_perm: usize,
    /// LSH bands; `num_perm / bands` rows each. Default 32 bands × 4 rows: a pair is a
    /// candidate with probability `1-(1-J^4)^32`: ≈1.0000 at J=0.8, 0.997 at J=0.6, 0.87 at
    /// J=0.5, 0.56 at J=0.4. That low bar costs little because candidates are first screened
    /// on their signatures and only then verified exactly; it is what lets containment pairs
    /// (whose Jaccard is roughly the size ratio) through.
    pub bands: usize,
    /// Texts with fewer words than this never match anything (not even exact copies), so that
    /// empty or near-empty scrapes do not form giant groups. Default 10.
    pub min_tokens: usize,
    /// Candidates are verified exactly only when their signature estimate of Jaccard or of
    /// containment is within this of the threshold (≈4 standard errors at 128 permutations).
    /// Default 0.15.
    pub prefilter_slack: f64,
    /// A bucket (docs sharing one band) larger than this links each doc only to its next
    /// `max_bucket_pairs` bucket-mates instead of all of them, bounding the work on template
    /// texts shared by thousands of pages. Default 200.
    pub max_bucket_pairs: usize,
    /// Also merge groups on containment links, not only on Jaccard. Default false.
    pub group_contained: bool,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            threshold: 0.8,
            containment_threshold: 0.8,
            shingle_size: 5,
            num_perm: 128,
            bands: 32,
            min_tokens: DEFAULT_MIN_TOKENS,
            prefilter_slack: 0.15,
            max_bucket_pairs: 200,
            group_contained: false,
        }
    }
}

impl DedupConfig {
    /// Checks the settings are usable.
    pub fn validate(&self) -> Result<(), DedupError> {
        let bad = |m: &str| Err(DedupError::Config(m.to_string()));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad("threshold must be in (0, 1]");
        }
        if !(self.containment_threshold > 0.0 && self.containment_threshold <= 1.0) {
            return bad("containment_threshold must be in (0, 1]");
        }
        if self.shingle_size == 0 || self.shingle_size > 16 {
            return bad("shingle_size must be in 1..=16");
        }
        if self.num_perm == 0 || self.num_perm > 4096 {
            return bad("num_perm must be in 1..=4096");
        }
        if self.bands == 0 || self.num_perm % self.bands != 0 {
            return bad("bands must divide num_perm");
        }
        if self.max_bucket_pairs == 0 {
            return bad("max_bucket_pairs must be at least 1");
        }
        Ok(())
    }

    /// Rows per band.
    pub fn rows(&self) -> usize {
        self.num_perm / self.bands
    }
}

/// One article as the dedup stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct DedupDoc<'a> {
    /// The article id (unique within the index).
    pub id: &'a str,
    /// Publication time, when known: the earliest copy is a group's original.
    pub published: Option<DateTime<FixedOffset>>,
    /// The (cleaned) body text.
    pub text: &'a str,
}

/// A verified near-duplicate or containment relation between two indexed docs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Index of the first doc (`a < b`).
    pub a: u32,
    /// Index of the second doc.
    pub b: u32,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f32,
    /// `|A∩B| / min(|A|,|B|)`.
    pub containment: f32,
    /// Distinct shingles of `a`.
    pub size_a: u32,
    /// Distinct shingles of `b`.
    pub size_b: u32,
}

/// A duplicate pair (Jaccard ≥ threshold), by doc index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DupPair {
    /// Index of the first doc (`a < b`).
    pub a: usize,
    /// Index of the second doc.
    pub b: usize,
    /// Exact Jaccard similarity (1.0 for exact copies).
    pub jaccard: f64,
}

/// The dedup verdict for one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedupResult {
    /// The article id.
    pub id: String,
    /// Id of the group's original: its earliest published member (undated after dated, ties
    /// by id). An article without duplicates is its own group.
    pub group: String,
    /// The original's id when this article is a copy; `None` for the original itself.
    pub duplicate_of: Option<String>,
    /// Number of articles in the group (1 = unique).
    pub group_size: usize,
    /// Ids of shorter articles that lie inside this one (containment ≥ threshold, Jaccard
    /// below it).
    pub contains: Vec<String>,
    /// Ids of longer articles this one lies inside.
    pub contained_in: Vec<String>,
}

/// Per-doc data kept by the index (everything else is re-derived from the text on demand).
#[derive(Debug, Clone)]
struct DocMeta {
    id: Box<str>,
    published: Option<DateTime<FixedOffset>>,
    exact: u64,
    n_words: u32,
    n_shingles: u32,
}

/// Incremental near-duplicate index.
///
/// Holds per-doc signatures (and metadata) plus the verified links. LSH band tables are not
/// stored: they are rebuilt from the signatures when candidates are asked for (a sort of
/// `n` keys per band, milliseconds for 10^5 docs), which halves the index's memory and keeps
/// its serialised form small. Add docs with [`Self::add_batch`], get candidate pairs with
/// [`Self::candidates`], verify them with [`Self::verify`] (or do all three with
/// [`Self::match_batch`]), then read [`Self::results`].
#[derive(Debug, Clone)]
pub struct DedupIndex {
    config: DedupConfig,
    hasher: MinHasher,
    docs: Vec<DocMeta>,
    sigs: Vec<u32>,
    /// Exact-copy representative of each doc (itself for the first copy; `u32::MAX` for
    /// too-short docs, which match nothing).
    rep: Vec<u32>,
    exact_rep: HashMap<u64, u32>,
    links: Vec<Link>,
}

const NO_REP: u32 = u32::MAX;

impl DedupIndex {
    /// An empty index.
    pub fn new(config: DedupConfig) -> Result<Self, DedupError> {
        config.validate()?;
        Ok(Self {
            hasher: MinHasher::new(config.num_perm),
            config,
            docs: Vec::new(),
            sigs: Vec::new(),
            rep: Vec::new(),
            exact_rep: HashMap::new(),
            links: Vec::new(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// Number of indexed docs.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when no doc is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Id of doc `i`.
    pub fn id(&self, i: usize) -> Option<&str> {
        self.docs.get(i).map(|d| &*d.id)
    }

    /// MinHash signature of doc `i`.
    pub fn signature(&self, i: usize) -> Option<&[u32]> {
        let p = self.config.num_perm;
        self.sigs.get(i * p..(i + 1) * p)
    }

    /// The verified links so far.
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// Shingles and signs `docs` in parallel and appends them; returns their indices.
    pub fn add_batch(&mut self, docs: &[DedupDoc<'_>]) -> Range<usize> {
        let p = self.config.num_perm;
        let k = self.config.shingle_size;
        let start = self.docs.len();
        let mut sigs = vec![0u32; docs.len() * p];
        let metas: Vec<(u64, u32, u32)> = docs
            .par_iter()
            .zip(sigs.par_chunks_mut(p))
            .map_init(
                || (Shingler::default(), Vec::new()),
                |(sh, mins), (doc, out)| {
                    let n_words = sh.shingle(doc.text, k);
                    self.hasher.signature_into(&sh.shingles, mins, out);
                    let exact = normalized_text_hash(doc.text);
                    let n = u32::try_from(n_words).unwrap_or(u32::MAX);
                    let ns = u32::try_from(sh.shingles.len()).unwrap_or(u32::MAX);
                    (exact, n, ns)
                },
            )
            .collect();
        self.sigs.extend_from_slice(&sigs);
        for (doc, (exact, n_words, n_shingles)) in docs.iter().zip(metas) {
            let idx = u32::try_from(self.docs.len()).unwrap_or(NO_REP);
            let rep = if (n_words as usize) < self.config.min_tokens {
                NO_REP
            } else {
                *self.exact_rep.entry(exact).or_insert(idx)
            };
            self.rep.push(rep);
            self.docs.push(DocMeta {
                id: doc.id.into(),
                published: doc.published,
                exact,
                n_words,
                n_shingles,
            });
        }
        start..self.docs.len()
    }

    /// Candidate pairs `(a, b)`, `a < b`, of exact-copy representatives that share an LSH band
    /// and pass the signature screen, where `b >= since` (pass 0 for all pairs, or the first
    /// index of a new batch to match only the new docs). Sorted, without repeats.
    pub fn candidates(&self, since: usize) -> Vec<(u32, u32)> {
        let p = self.config.num_perm;
        let rows = self.config.rows();
        let reps: Vec<u32> = (0..self.docs.len() as u32)
            .filter(|&i| self.rep[i as usize] == i)
            .collect();
        let cap = self.config.max_bucket_pairs;
        let since = since as u32;
        let mut pairs: Vec<u64> = (0..self.config.bands)
            .into_par_iter()
            .flat_map_iter(|band| {
                let mut table: Vec<(u64, u32)> = reps
                    .iter()
                    .map(|&i| {
                        let s = i as usize * p + band * rows;
                        (band_key(&self.sigs[s..s + rows], band), i)
                    })
                    .collect();
                table.sort_unstable();
                let mut out = Vec::new();
                for run in table.chunk_by(|x, y| x.0 == y.0) {
                    if run.len() < 2 || run.last().is_some_and(|r| r.1 < since) {
                        continue;
                    }
                    for (x, &(_, a)) in run.iter().enumerate() {
                        for &(_, b) in run.iter().skip(x + 1).take(cap) {
                            if b >= since {
                                out.push((u64::from(a) << 32) | u64::from(b));
                            }
                        }
                    }
                }
                out
            })
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        pairs
            .into_par_iter()
            .map(|ab| ((ab >> 32) as u32, ab as u32))
            .filter(|&(a, b)| self.passes_screen(a as usize, b as usize))
            .collect()
    }

    /// The signature screen: estimated Jaccard, or estimated containment, close enough to its
    /// threshold to be worth an exact check.
    fn passes_screen(&self, a: usize, b: usize) -> bool {
        let (Some(sa), Some(sb)) = (self.signature(a), self.signature(b)) else {
            return false;
        };
        let j = estimate_jaccard(sa, sb);
        let slack = self.config.prefilter_slack;
        if j >= self.config.threshold - slack {
            return true;
        }
        // |A∩B| = J(|A|+|B|)/(1+J); shingle counts include repeats, which is close enough for
        // a screen with slack.
        let na = f64::from(self.docs[a].n_shingles);
        let nb = f64::from(self.docs[b].n_shingles);
        let small = na.min(nb).max(1.0);
        let c = j * (na + nb) / (1.0 + j) / small;
        c >= self.config.containment_threshold - slack
    }

    /// Verifies candidate pairs on exact shingle sets and records the links that pass.
    /// `set_of(i)` gives doc `i`'s sorted, deduplicated shingle set (see
    /// [`shingle_set`](Self::shingle_set)); pairs whose sets are unavailable are skipped.
    /// Returns the number of links added.
    pub fn verify_with_sets<'s, F>(&mut self, pairs: &[(u32, u32)], set_of: F) -> usize
    where
        F: Fn(u32) -> Option<&'s [u64]> + Sync,
    {
        let cfg = &self.config;
        let new: Vec<Link> = pairs
            .par_iter()
            .filter_map(|&(a, b)| {
                let (sa, sb) = (set_of(a)?, set_of(b)?);
                verify_sets(cfg, a, b, sa, sb)
            })
            .collect();
        let n = new.len();
        self.links.extend(new);
        n
    }

    /// Verifies candidate pairs, fetching texts with `text_of(i)` and shingling them in
    /// parallel, in chunks so that at most about 4096 shingle sets are held at once.
    /// Returns the number of links added.
    pub fn verify<'t, F>(&mut self, pairs: &[(u32, u32)], text_of: F) -> usize
    where
        F: Fn(u32) -> Option<Cow<'t, str>> + Sync,
    {
        const MAX_SETS: usize = 4096;
        let mut added = 0;
        let mut start = 0;
        while start < pairs.len() {
            // Grow the chunk until it needs MAX_SETS distinct docs.
            let mut needed: Vec<u32> = Vec::new();
            let mut end = start;
            while end < pairs.len() && needed.len() < MAX_SETS {
                needed.push(pairs[end].0);
                needed.push(pairs[end].1);
                end += 1;
            }
            needed.sort_unstable();
            needed.dedup();
            let sets: HashMap<u32, Vec<u64>> = needed
                .par_iter()
                .map_init(Shingler::default, |sh, &i| {
                    let set = text_of(i)
                        .map(|t| sh.shingle_set(&t, self.config.shingle_size))
                        .unwrap_or_default();
                    (i, set)
                })
                .collect();
            added += self.verify_with_sets(&pairs[start..end], |i| sets.get(&i).map(Vec::as_slice));
            start = end;
        }
        added
    }

    /// The sorted, deduplicated shingle set of `text` under this index's settings.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        Shingler::default().shingle_set(text, self.config.shingle_size)
    }

    /// Adds `docs`, finds their candidates among themselves and all earlier docs, and verifies
    /// them: texts of the new docs come from `docs`, texts of earlier docs from
    /// `old_text(index)` (e.g. a store lookup; return `None` when unknown).
    pub fn match_batch<'t, F>(&mut self, docs: &[DedupDoc<'t>], old_text: F) -> Range<usize>
    where
        F: Fn(u32) -> Option<Cow<'t, str>> + Sync,
    {
        let range = self.add_batch(docs);
        let pairs = self.candidates(range.start);
        let first = range.start as u32;
        self.verify(&pairs, |i| {
            if i >= first {
                docs.get((i - first) as usize).map(|d| Cow::Borrowed(d.text))
            } else {
                old_text(i)
            }
        });
        range
    }

    /// Union-find over exact copies and duplicate links: the group root of every doc.
    fn components(&self) -> Vec<u32> {
        let n = self.docs.len();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                let up = parent[parent[x as usize] as usize];
                parent[x as usize] = up;
                x = up;
            }
            x
        }
        let union = |parent: &mut Vec<u32>, a: u32, b: u32| {
            let (ra, rb) = (find(parent, a), find(parent, b));
            if ra != rb {
                parent[ra.max(rb) as usize] = ra.min(rb);
            }
        };
        for (i, &r) in self.rep.iter().enumerate() {
            if r != NO_REP && r != i as u32 {
                union(&mut parent, i as u32, r);
            }
        }
        for l in &self.links {
            if self.is_dup_link(l) {
                union(&mut parent, l.a, l.b);
            }
        }
        (0..n as u32).map(|i| find(&mut parent, i)).collect()
    }

    fn is_dup_link(&self, l: &Link) -> bool {
        f64::from(l.jaccard) >= self.config.threshold
            || (self.config.group_contained
                && f64::from(l.containment) >= self.config.containment_threshold)
    }

    /// Exact-copy classes: representative -> members (only for reps with copies).
    fn exact_classes(&self) -> HashMap<u32, Vec<u32>> {
        let mut classes: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &r) in self.rep.iter().enumerate() {
            if r != NO_REP {
                classes.entry(r).or_default().push(i as u32);
            }
        }
        classes.retain(|_, v| v.len() > 1);
        classes
    }

    /// The verdict for every indexed doc, in index order.
    pub fn results(&self) -> Vec<DedupResult> {
        let comp = self.components();
        let n = self.docs.len();
        // Original of each component: earliest published, undated last, ties by id.
        let mut best: HashMap<u32, u32> = HashMap::new();
        let mut size: HashMap<u32, usize> = HashMap::new();
        for i in 0..n {
            let c = comp[i];
            *size.entry(c).or_default() += 1;
            let e = best.entry(c).or_insert(i as u32);
            if self.original_key(i) < self.original_key(*e as usize) {
                *e = i as u32;
            }
        }
        let classes = self.exact_classes();
        let members = |r: u32| -> Vec<u32> { classes.get(&r).cloned().unwrap_or_else(|| vec![r]) };
        let mut contains: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut contained_in: Vec<Vec<u32>> = vec![Vec::new(); n];
        for l in &self.links {
            if f64::from(l.jaccard) >= self.config.threshold
                || f64::from(l.containment) < self.config.containment_threshold
                || l.size_a == l.size_b
            {
                continue;
            }
            let (small, big) = if l.size_a < l.size_b { (l.a, l.b) } else { (l.b, l.a) };
            for &s in &members(small) {
                for &b in &members(big) {
                    contains[b as usize].push(s);
                    contained_in[s as usize].push(b);
                }
            }
        }
        let ids = |v: &mut Vec<u32>| -> Vec<String> {
            v.sort_unstable();
            v.dedup();
            v.iter().map(|&i| self.docs[i as usize].id.to_string()).collect()
        };
        (0..n)
            .map(|i| {
                let c = comp[i];
                let orig = best.get(&c).copied().unwrap_or(i as u32) as usize;
                let orig_id = self.docs[orig].id.to_string();
                DedupResult {
                    id: self.docs[i].id.to_string(),
                    duplicate_of: (orig != i).then(|| orig_id.clone()),
                    group: orig_id,
                    group_size: size.get(&c).copied().unwrap_or(1),
                    contains: ids(&mut contains[i]),
                    contained_in: ids(&mut contained_in[i]),
                }
            })
            .collect()
    }

    fn original_key(&self, i: usize) -> (bool, Option<DateTime<FixedOffset>>, &str) {
        let d = &self.docs[i];
        (d.published.is_none(), d.published, &d.id)
    }

    /// Every duplicate pair (Jaccard ≥ threshold): verified links, expanded over exact copies,
    /// plus the pairs within each exact-copy class (Jaccard 1). Sorted by `(a, b)`.
    pub fn pairs(&self) -> Vec<DupPair> {
        let classes = self.exact_classes();
        let members = |r: u32| -> Vec<u32> { classes.get(&r).cloned().unwrap_or_else(|| vec![r]) };
        let mut out = Vec::new();
        for m in classes.values() {
            for (x, &a) in m.iter().enumerate() {
                for &b in &m[x + 1..] {
                    out.push(DupPair { a: a as usize, b: b as usize, jaccard: 1.0 });
                }
            }
        }
        for l in &self.links {
            if f64::from(l.jaccard) < self.config.threshold {
                continue;
            }
            for &a in &members(l.a) {
                for &b in &members(l.b) {
                    let (a, b) = (a.min(b) as usize, a.max(b) as usize);
                    out.push(DupPair { a, b, jaccard: f64::from(l.jaccard) });
                }
            }
        }
        out.sort_by_key(|p| (p.a, p.b));
        out.dedup_by_key(|p| (p.a, p.b));
        out
    }

    /// Serialises the index (settings, per-doc metadata and signatures, links) to a compact,
    /// versioned, little-endian binary form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(self.sigs.len() * 4 + self.docs.len() * 64 + 256);
        w.extend_from_slice(MAGIC);
        let cfg = serde_json_free_config(&self.config);
        put_u32(&mut w, cfg.len() as u32);
        w.extend_from_slice(&cfg);
        put_u64(&mut w, self.docs.len() as u64);
        for d in &self.docs {
            put_u32(&mut w, d.id.len() as u32);
            w.extend_from_slice(d.id.as_bytes());
            match d.published {
                Some(t) => {
                    w.push(1);
                    put_u64(&mut w, t.timestamp() as u64);
                    put_u32(&mut w, t.timestamp_subsec_nanos());
                    put_u32(&mut w, t.offset().local_minus_utc() as u32);
                }
                None => w.push(0),
            }
            put_u64(&mut w, d.exact);
            put_u32(&mut w, d.n_words);
            put_u32(&mut w, d.n_shingles);
        }
        for v in &self.sigs {
            put_u32(&mut w, *v);
        }
        put_u64(&mut w, self.links.len() as u64);
        for l in &self.links {
            put_u32(&mut w, l.a);
            put_u32(&mut w, l.b);
            put_u32(&mut w, l.jaccard.to_bits());
            put_u32(&mut w, l.containment.to_bits());
            put_u32(&mut w, l.size_a);
            put_u32(&mut w, l.size_b);
        }
        w
    }

    /// Reads an index written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DedupError> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(DedupError::Corrupt("bad magic or version"));
        }
        let cfg_len = r.u32()? as usize;
        let config = config_from_bytes(r.take(cfg_len)?)?;
        let mut index = Self::new(config)?;
        let n = usize::try_from(r.u64()?).map_err(|_| DedupError::Corrupt("doc count"))?;
        let p = index.config.num_perm;
        if n.saturating_mul(p * 4) > bytes.len() {
            return Err(DedupError::Corrupt("doc count larger than data"));
        }
        for _ in 0..n {
            let len = r.u32()? as usize;
            let id = std::str::from_utf8(r.take(len)?)
                .map_err(|_| DedupError::Corrupt("id not UTF-8"))?;
            let published = match r.take(1)?[0] {
                0 => None,
                _ => {
                    let secs = r.u64()? as i64;
                    let nanos = r.u32()?;
                    let off = r.u32()? as i32;
                    let tz = FixedOffset::east_opt(off).ok_or(DedupError::Corrupt("offset"))?;
                    let t = DateTime::from_timestamp(secs, nanos)
                        .ok_or(DedupError::Corrupt("timestamp"))?;
                    Some(t.with_timezone(&tz))
                }
            };
            let exact = r.u64()?;
            let n_words = r.u32()?;
            let n_shingles = r.u32()?;
            let idx = index.docs.len() as u32;
            let rep = if (n_words as usize) < index.config.min_tokens {
                NO_REP
            } else {
                *index.exact_rep.entry(exact).or_insert(idx)
            };
            index.rep.push(rep);
            index.docs.push(DocMeta { id: id.into(), published, exact, n_words, n_shingles });
        }
        index.sigs.reserve(n * p);
        for _ in 0..n * p {
            index.sigs.push(r.u32()?);
        }
        let nl = usize::try_from(r.u64()?).map_err(|_| DedupError::Corrupt("link count"))?;
        for _ in 0..nl {
            let l = Link {
                a: r.u32()?,
                b: r.u32()?,
                jaccard: f32::from_bits(r.u32()?),
                containment: f32::from_bits(r.u32()?),
                size_a: r.u32()?,
                size_b: r.u32()?,
            };
            if l.a as usize >= n || l.b as usize >= n {
                return Err(DedupError::Corrupt("link out of range"));
            }
            index.links.push(l);
        }
        if r.pos != bytes.len() {
            return Err(DedupError::Corrupt("trailing bytes"));
        }
        Ok(index)
    }
}

/// LSH bucket key of one band of a signature: xxh3 of its values (little-endian), seeded with
/// the band number so equal values in different bands do not collide.
fn band_key(values: &[u32], band: usize) -> u64 {
    let mut buf = [0u8; 64];
    if values.len() <= 16 {
        for (chunk, v) in buf.chunks_exact_mut(4).zip(values) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..values.len() * 4], band as u64)
    } else {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, band as u64)
    }
}

/// Exact check of one candidate pair.
fn verify_sets(cfg: &DedupConfig, a: u32, b: u32, sa: &[u64], sb: &[u64]) -> Option<Link> {
    let (j, c) = set_similarity(sa, sb);
    (j >= cfg.threshold || c >= cfg.containment_threshold).then(|| Link {
        a: a.min(b),
        b: a.max(b),
        jaccard: j as f32,
        containment: c as f32,
        size_a: u32::try_from(if a < b { sa.len() } else { sb.len() }).unwrap_or(u32::MAX),
        size_b: u32::try_from(if a < b { sb.len() } else { sa.len() }).unwrap_or(u32::MAX),
    })
}

const MAGIC: &[u8] = b"IBIDDDP1";

fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(w: &mut Vec<u8>, v: u64) {
    w.extend_from_slice(&v.to_le_bytes());
}

/// The config as fixed-width fields (no JSON dependency in the library).
fn serde_json_free_config(c: &DedupConfig) -> Vec<u8> {
    let mut w = Vec::new();
    put_u64(&mut w, c.threshold.to_bits());
    put_u64(&mut w, c.containment_threshold.to_bits());
    put_u64(&mut w, c.shingle_size as u64);
    put_u64(&mut w, c.num_perm as u64);
    put_u64(&mut w, c.bands as u64);
    put_u64(&mut w, c.min_tokens as u64);
    put_u64(&mut w, c.prefilter_slack.to_bits());
    put_u64(&mut w, c.max_bucket_pairs as u64);
    w.push(u8::from(c.group_contained));
    w
}

fn config_from_bytes(b: &[u8]) -> Result<DedupConfig, DedupError> {
    let mut r = Reader { b, pos: 0 };
    let to_usize = |v: u64| usize::try_from(v).map_err(|_| DedupError::Corrupt("config"));
    Ok(DedupConfig {
        threshold: f64::from_bits(r.u64()?),
        containment_threshold: f64::from_bits(r.u64()?),
        shingle_size: to_usize(r.u64()?)?,
        num_perm: to_usize(r.u64()?)?,
        bands: to_usize(r.u64()?)?,
        min_tokens: to_usize(r.u64()?)?,
        prefilter_slack: f64::from_bits(r.u64()?),
        max_bucket_pairs: to_usize(r.u64()?)?,
        group_contained: r.take(1)?[0] != 0,
    })
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DedupError> {
        let end = self.pos.checked_add(n).ok_or(DedupError::Corrupt("length"))?;
        let s = self.b.get(self.pos..end).ok_or(DedupError::Corrupt("truncated"))?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, DedupError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Result<u64, DedupError> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }
}

/// Dedups an in-memory collection in one call: results in input order and duplicate pairs.
pub fn dedup(
    docs: &[DedupDoc<'_>],
    config: &DedupConfig,
) -> Result<(Vec<DedupResult>, Vec<DupPair>), DedupError> {
    let mut index = DedupIndex::new(config.clone())?;
    index.match_batch(docs, |_| None);
    Ok((index.results(), index.pairs()))
}
