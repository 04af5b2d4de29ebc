//! The incremental dedup index: signatures, banded LSH candidates, exact verification, groups.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::exact::ExactSet;
use crate::minhash::MinHasher;
use crate::text::{Shingler, DEFAULT_MIN_TOKENS};
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
    /// MinHash signature length: bins of the one-permutation family (the role the number of
    /// permutations plays in classic MinHash). Default 128.
    pub num_perm: usize,
    /// LSH bands; `num_perm / bands` rows each. Default 32 bands × 4 rows, so each band
    /// matches with probability `J^4` (0.41 at J=0.8) and, with [`Self::min_shared_bands`] = 2,
    /// a pair becomes a candidate with probability `P(Binomial(32, J^4) >= 2)`: 0.999999 at
    /// J=0.8, 0.998 at J=0.7, 0.8 at J=0.5, 0.02 at J=0.3. Many short bands plus a vote give a
    /// much steeper S-curve than the usual one-band-suffices rule with long bands.
    pub bands: usize,
    /// A pair is an LSH candidate when it collides in at least this many bands. Default 2.
    pub min_shared_bands: usize,
    /// Texts with fewer words than this never match anything (not even exact copies), so that
    /// empty or near-empty scrapes do not form giant groups. Default 10.
    pub min_tokens: usize,
    /// A bucket (docs sharing one band) larger than this links each doc only to its next
    /// `max_bucket_pairs` bucket-mates instead of all of them, bounding the work on template
    /// texts shared by thousands of pages. Default 200.
    pub max_bucket_pairs: usize,
    /// Also merge groups on containment links, not only on Jaccard. Default false.
    pub group_contained: bool,
    /// Containment candidates: each doc keeps the shingles whose hash has its top
    /// `containment_sample_bits` bits zero (1 in 2^bits, the same shingles in every doc, so a
    /// passage copied into another article brings its samples along). Default 5 (1 in 32):
    /// a 200-word story has ~6 samples. 0 disables containment candidates (LSH still finds
    /// containment between docs of similar length).
    pub containment_sample_bits: u32,
    /// Docs sharing at least this many samples, and at least half the smaller doc's samples,
    /// are containment candidates. Default 2.
    pub containment_min_shared: usize,
    /// A sample found in more docs than this is template text (a footer, a sign-up form) and
    /// is ignored for containment. Default 64 (a story syndicated more widely is still found
    /// as a near-duplicate by LSH, and as contained through its rarer samples).
    pub max_sample_docs: usize,
    /// Sample pairs whose smaller doc has more than this fraction of the larger one's
    /// shingles are left to LSH: at such sizes containment ≥ 0.8 implies Jaccard ≳ 0.6, which
    /// the bands catch, and skipping them keeps the containment pass from re-finding every
    /// near-duplicate. Default 0.85.
    pub containment_size_ratio: f64,
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
            min_shared_bands: 2,
            max_bucket_pairs: 200,
            group_contained: false,
            containment_sample_bits: 5,
            containment_min_shared: 2,
            max_sample_docs: 64,
            containment_size_ratio: 0.85,
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
        if self.containment_sample_bits > 16 {
            return bad("containment_sample_bits must be at most 16");
        }
        if self.containment_min_shared == 0 {
            return bad("containment_min_shared must be at least 1");
        }
        if self.min_shared_bands == 0 || self.min_shared_bands > self.bands {
            return bad("min_shared_bands must be in 1..=bands");
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

/// What the parallel part of `add_batch` computes per doc: exact key, word count, shingle
/// count, containment samples, fingerprints (when asked for).
type BatchMeta = (u64, u32, u32, Vec<u32>, Vec<u32>);

/// Per-doc data kept by the index (everything else is re-derived from the text on demand).
/// Kept small on purpose: it is held for every doc of a run (24 bytes, plus the id in
/// [`DedupIndex`]'s id arena).
#[derive(Debug, Clone)]
struct DocMeta {
    /// Publication time in milliseconds since the epoch, [`UNDATED`] when unknown: only the
    /// order matters (a group's original is its earliest member).
    published_ms: i64,
    exact: u64,
    n_words: u32,
    n_shingles: u32,
}

/// `published_ms` of an undated doc: after every dated one.
const UNDATED: i64 = i64::MAX;

fn published_ms(t: Option<DateTime<FixedOffset>>) -> i64 {
    t.map_or(UNDATED, |t| t.timestamp_millis().min(UNDATED - 1))
}

/// Incremental near-duplicate index.
///
/// Holds per doc its LSH bucket keys (one u32 per band, 128 bytes at the defaults, a quarter
/// of the full signature, which is not kept), its containment samples and metadata, plus the
/// verified links. The bucket tables themselves are rebuilt from the keys when candidates are
/// asked for (a sort of `n` keys per band, milliseconds for 10^5 docs), which keeps the index
/// and its serialised form small. Add docs with [`Self::add_batch`], get candidate pairs with
/// [`Self::candidates`], verify them with [`Self::verify`] (or do all three with
/// [`Self::match_batch`]), then read [`Self::results`].
#[derive(Debug, Clone)]
pub struct DedupIndex {
    config: DedupConfig,
    hasher: MinHasher,
    docs: Vec<DocMeta>,
    /// All ids, concatenated (one allocation instead of one per doc)...
    ids: String,
    /// ...and where each ends.
    id_ends: Vec<usize>,
    /// LSH bucket keys, `bands` per doc.
    keys: Vec<u32>,
    /// Exact-copy representative of each doc (itself for the first copy; `u32::MAX` for
    /// too-short docs, which match nothing).
    rep: Vec<u32>,
    exact_rep: HashMap<u64, u32>,
    /// Containment samples of all docs, concatenated (sorted, distinct per doc)...
    samples: Vec<u32>,
    /// ...and where each doc's start (`len() + 1` entries).
    sample_start: Vec<u32>,
    links: Vec<Link>,
}

const NO_REP: u32 = u32::MAX;

/// Most docs [`DedupIndex::match_all`] verifies as one explicit group (two groups of near
/// copies and their pairs); larger ones go with the loose pairs, whose components are sliced
/// so that memory stays bounded.
const MAX_EXPLICIT_GROUP: usize = 32;

/// Docs (sorted, distinct) and pairs among them, verified together by
/// [`DedupIndex::verify_groups`].
pub type VerifyGroup = (Vec<u32>, Vec<(u32, u32)>);

/// Bands whose tables one pass of [`DedupIndex::band_candidates`] builds and sorts at once.
const BANDS_PER_PASS: usize = 4;

/// A 64-bit hash of the docs of a bucket (a run of `key << 32 | doc` words of one key): equal
/// for the same docs in any band. A multiply-xorshift fold with the SplitMix64 finaliser; a
/// collision could only cost a candidate pair, at odds of ~1e-8 on a million buckets.
fn bucket_hash(run: &[u64]) -> u64 {
    const P: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (run.len() as u64).wrapping_mul(P);
    for &e in run {
        let t = (h ^ (e & 0xffff_ffff)).wrapping_mul(P);
        h = t ^ (t >> 29);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Most member pairs [`DedupIndex::match_all`] checks for one containment candidate pair of
/// two near-duplicate groups: bounds the work when both groups are huge (a template page
/// copied thousands of times), at the cost of not listing every containment there.
pub const MAX_CONTAINMENT_EXPANSION: usize = 4096;

/// Near-duplicate groups up to this size have all their member pairs checked for
/// containment in [`DedupIndex::match_all`].
pub const MAX_GROUP_FOR_INNER_PAIRS: usize = 32;

/// One row of the containment sample table: field order is the sort order (sample, then
/// size, then doc; a doc holds a sample once, so rank and count never decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SampleEntry {
    sample: u32,
    /// The doc's shingle count.
    size: u32,
    doc: u32,
    /// Position of `sample` in the doc's sorted sample list, and that list's length.
    rank: u32,
    count: u32,
}

impl DedupIndex {
    /// An empty index.
    pub fn new(config: DedupConfig) -> Result<Self, DedupError> {
        config.validate()?;
        Ok(Self {
            hasher: MinHasher::new(config.num_perm),
            config,
            docs: Vec::new(),
            ids: String::new(),
            id_ends: Vec::new(),
            keys: Vec::new(),
            rep: Vec::new(),
            exact_rep: HashMap::new(),
            samples: Vec::new(),
            sample_start: vec![0],
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
        let start = match i {
            0 => 0,
            _ => *self.id_ends.get(i - 1)?,
        };
        self.ids.get(start..*self.id_ends.get(i)?)
    }

    /// LSH bucket keys of doc `i`, one per band (see [`band_key`]).
    pub fn band_keys(&self, i: usize) -> Option<&[u32]> {
        let b = self.config.bands;
        self.keys.get(i * b..(i + 1) * b)
    }

    /// Heap bytes held, by part: `(part, bytes)` for the LSH keys, containment samples,
    /// per-doc metadata (ids included), exact-copy table and links. The index is what a run
    /// keeps in memory for every doc, so this is the run's memory floor.
    pub fn heap_bytes(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        vec![
            ("lsh_keys", self.keys.capacity() * size_of::<u32>()),
            (
                "samples",
                (self.samples.capacity() + self.sample_start.capacity()) * size_of::<u32>(),
            ),
            (
                "docs",
                self.docs.capacity() * size_of::<DocMeta>()
                    + self.ids.capacity()
                    + self.id_ends.capacity() * size_of::<usize>()
                    + self.rep.capacity() * size_of::<u32>(),
            ),
            (
                "exact_table",
                self.exact_rep.capacity() * (size_of::<u64>() + size_of::<u32>() + 1),
            ),
            ("links", self.links.capacity() * size_of::<Link>()),
        ]
    }

    /// The verified links so far.
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// Shingles and signs `docs` in parallel and appends them; returns their indices.
    pub fn add_batch(&mut self, docs: &[DedupDoc<'_>]) -> Range<usize> {
        self.add_batch_impl(docs, false).0
    }

    /// [`Self::add_batch`] that also returns each doc's shingle fingerprints
    /// ([`fingerprint`](crate::fingerprint) of every shingle, in text order, with repeats),
    /// for a caller that keeps them somewhere cheaper than memory (a spill file, a store
    /// column) to verify candidates later with [`Self::verify_grouped`] on
    /// [`FingerprintTable`](crate::FingerprintTable)s, without re-reading the texts. (Indexing
    /// is left to verification: only candidates need it.)
    pub fn add_batch_fingerprints(
        &mut self,
        docs: &[DedupDoc<'_>],
    ) -> (Range<usize>, Vec<Vec<u32>>) {
        self.add_batch_impl(docs, true)
    }

    fn add_batch_impl(
        &mut self,
        docs: &[DedupDoc<'_>],
        keep: bool,
    ) -> (Range<usize>, Vec<Vec<u32>>) {
        let p = self.config.num_perm;
        let k = self.config.shingle_size;
        let start = self.docs.len();
        let nb = self.config.bands;
        let rows = self.config.rows();
        let mut keys = vec![0u32; docs.len() * nb];
        let bits = self.config.containment_sample_bits;
        let metas: Vec<BatchMeta> = docs
            .par_iter()
            .zip(keys.par_chunks_mut(nb))
            .map_init(
                || (Shingler::default(), Vec::new(), vec![0u32; p]),
                |(sh, xs, sig), (doc, out)| {
                    let n_words = sh.shingle(doc.text, k);
                    self.hasher.signature_into(&sh.shingles, xs, sig);
                    for (band, (o, rows)) in out.iter_mut().zip(sig.chunks_exact(rows)).enumerate()
                    {
                        *o = band_key(rows, band);
                    }
                    let exact = sh.exact;
                    let n = u32::try_from(n_words).unwrap_or(u32::MAX);
                    let ns = u32::try_from(sh.shingles.len()).unwrap_or(u32::MAX);
                    let fps = if keep {
                        sh.shingles.iter().map(|&s| crate::fingerprint(s)).collect()
                    } else {
                        Vec::new()
                    };
                    (exact, n, ns, containment_samples(&sh.shingles, bits), fps)
                },
            )
            .collect();
        self.keys.extend_from_slice(&keys);
        let mut fingerprints = Vec::with_capacity(if keep { docs.len() } else { 0 });
        for (doc, (exact, n_words, n_shingles, samples, fps)) in docs.iter().zip(metas) {
            if keep {
                fingerprints.push(fps);
            }
            self.push_samples(&samples);
            let idx = u32::try_from(self.docs.len()).unwrap_or(NO_REP);
            let rep = if (n_words as usize) < self.config.min_tokens {
                NO_REP
            } else {
                *self.exact_rep.entry(exact).or_insert(idx)
            };
            self.rep.push(rep);
            self.push_id(doc.id);
            self.docs.push(DocMeta {
                published_ms: published_ms(doc.published),
                exact,
                n_words,
                n_shingles,
            });
        }
        (start..self.docs.len(), fingerprints)
    }

    fn push_id(&mut self, id: &str) {
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
    }

    /// Id of doc `i`, for docs known to exist.
    fn id_of(&self, i: usize) -> &str {
        self.id(i).unwrap_or_default()
    }

    fn push_samples(&mut self, samples: &[u32]) {
        self.samples.extend_from_slice(samples);
        self.sample_start
            .push(u32::try_from(self.samples.len()).unwrap_or(u32::MAX));
    }

    fn samples_of(&self, i: usize) -> &[u32] {
        let (s, e) = (
            self.sample_start[i] as usize,
            self.sample_start[i + 1] as usize,
        );
        self.samples.get(s..e).unwrap_or_default()
    }

    /// Containment candidates: pairs of representatives sharing enough samples.
    fn sample_candidates(&self, reps: &[u32], since: u32) -> Vec<(u32, u32)> {
        if self.config.containment_sample_bits == 0 {
            return Vec::new();
        }
        // Template samples (in more than `max_sample_docs` docs: footers, sign-up forms) are
        // ignored altogether, in the lists' lengths as in their overlaps. Found first, a
        // shard at a time, because a pair's first shared sample may lie in any shard.
        let shard_of = |h: u32| h >> 29;
        let started = std::time::Instant::now();
        let mut templates: Vec<u32> = Vec::new();
        for shard in 0..8u32 {
            let mut values: Vec<u32> = reps
                .par_iter()
                .flat_map_iter(|&i| {
                    self.samples_of(i as usize)
                        .iter()
                        .copied()
                        .filter(move |&h| shard_of(h) == shard)
                })
                .collect();
            values.par_sort_unstable();
            templates.extend(
                values
                    .chunk_by(|x, y| x == y)
                    .filter(|run| run.len() > self.config.max_sample_docs)
                    .map(|run| run[0]),
            );
        }
        let t_templates = started.elapsed();
        let is_template = |h: u32| templates.binary_search(&h).is_ok();
        // One bit per entry of the sample arena, so the shard passes below skip templates
        // without a search per sample per shard.
        let template_bits: Vec<u64> = self
            .samples
            .par_chunks(64)
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .filter(|&(_, &h)| is_template(h))
                    .fold(0u64, |w, (k, _)| w | 1 << k)
            })
            .collect();
        let bits = &template_bits;
        let kept_of = |i: u32| {
            let (start, end) = (
                self.sample_start[i as usize] as usize,
                self.sample_start[i as usize + 1] as usize,
            );
            (start..end).filter(move |&k| bits[k / 64] >> (k % 64) & 1 == 0)
        };
        let counts: Vec<u32> = reps
            .par_iter()
            .map(|&i| u32::try_from(kept_of(i).count()).unwrap_or(u32::MAX))
            .collect();
        // Eight shards again for the pairs: an eighth of the table in memory at a time. Each
        // entry carries what the filters of `sample_pairs` need, so they run without touching
        // the docs.
        let t_counts = started.elapsed();
        let mut t_pairs = std::time::Duration::ZERO;
        let mut pairs: Vec<u64> = Vec::new();
        let mut merges = 0;
        for shard in 0..8u32 {
            let mut table: Vec<SampleEntry> = reps
                .par_iter()
                .zip(&counts)
                .flat_map_iter(|(&i, &count)| {
                    let size = self.docs[i as usize].n_shingles;
                    kept_of(i)
                        .map(|k| self.samples[k])
                        .zip(0u32..)
                        .filter(move |&(h, _)| shard_of(h) == shard)
                        .map(move |(sample, rank)| SampleEntry {
                            sample,
                            size,
                            doc: i,
                            rank,
                            count,
                        })
                })
                .collect();
            table.par_sort_unstable();
            let t = std::time::Instant::now();
            merges += self.sample_pairs(&table, since, &is_template, &mut pairs);
            t_pairs += t.elapsed();
        }
        // Stage timings for `ibid -vv dedup`: which part grows when a corpus grows.
        tracing::debug!(
            templates = templates.len(),
            merges,
            ?t_templates,
            t_counts = ?t_counts - t_templates,
            t_tables = ?started.elapsed() - t_counts - t_pairs,
            ?t_pairs,
            "containment samples"
        );
        pairs.par_sort_unstable();
        pairs.dedup();
        pairs
            .into_iter()
            .map(|ab| ((ab >> 32) as u32, ab as u32))
            .collect()
    }

    /// Pairs of docs in each run of equal (non-template) samples of a sorted sample table
    /// whose sizes differ (see [`DedupConfig::containment_size_ratio`]) and that share enough
    /// samples: at least `m` = max([`DedupConfig::containment_min_shared`], half the smaller
    /// sample list).
    ///
    /// Each pair is judged once, in the run of its smallest shared sample, and only if that
    /// sample can be the first of `m` shared ones in both lists (prefix filtering, as in
    /// set-similarity joins: the first of `m` shared values has rank at most `len - m`). A run
    /// is sorted by size, so each doc's partners of a different size are a suffix found by
    /// binary search and runs of near-copies cost nothing. Without these filters a pair was
    /// merged once per shared sample and every size was read from the doc metadata: the
    /// largest cost of a corpus full of copies (2.6 M merges for 6 k pairs on 150 k docs).
    /// Returns the number of sample lists merged.
    fn sample_pairs(
        &self,
        table: &[SampleEntry],
        since: u32,
        is_template: &(dyn Fn(u32) -> bool + Sync),
        pairs: &mut Vec<u64>,
    ) -> usize {
        let min_shared = self.config.containment_min_shared as u32;
        let ratio = self.config.containment_size_ratio;
        let found: Vec<(Vec<u64>, usize)> = table
            .par_chunk_by(|x, y| x.sample == y.sample)
            .filter(|run| run.len() >= 2 && run.iter().any(|r| r.doc >= since))
            .map(|run| {
                let mut out = Vec::new();
                let mut merges = 0;
                for (x, ea) in run.iter().enumerate() {
                    // Partners at least `size / ratio` large, i.e. `size <= ratio * theirs`.
                    let rest = &run[x + 1..];
                    let first =
                        rest.partition_point(|e| f64::from(ea.size) > ratio * f64::from(e.size));
                    for eb in &rest[first..] {
                        let (a, b) = (ea.doc.min(eb.doc), ea.doc.max(eb.doc));
                        let m = min_shared.max(ea.count.min(eb.count).div_ceil(2));
                        let can_be_first = |e: &SampleEntry| e.count >= m && e.rank <= e.count - m;
                        if b < since || !can_be_first(ea) || !can_be_first(eb) {
                            continue;
                        }
                        let (sa, sb) = (self.samples_of(a as usize), self.samples_of(b as usize));
                        merges += 1;
                        if overlap_from(sa, sb, ea.sample, m as usize, is_template).is_some() {
                            out.push((u64::from(a) << 32) | u64::from(b));
                        }
                    }
                }
                (out, merges)
            })
            .filter(|(v, merges)| !v.is_empty() || *merges > 0)
            .collect();
        let mut merges = 0;
        for (v, m) in found {
            pairs.extend(v);
            merges += m;
        }
        merges
    }

    /// Candidate pairs `(a, b)`, `a < b`, of exact-copy representatives that collide in at
    /// least `min_shared_bands` LSH bands or share enough containment samples, where
    /// `b >= since` (pass 0 for all pairs, or the first index of a new batch to match only the
    /// new docs). Sorted, without repeats.
    pub fn candidates(&self, since: usize) -> Vec<(u32, u32)> {
        let reps = self.exact_reps();
        let since = since as u32;
        let mut out = self.band_candidates(&reps, since);
        let started = std::time::Instant::now();
        out.extend(self.sample_candidates(&reps, since));
        tracing::debug!(secs = ?started.elapsed(), "containment candidates");
        out.par_sort_unstable();
        out.dedup();
        out
    }

    /// Docs that stand for their exact-copy class (texts too short to match excluded).
    fn exact_reps(&self) -> Vec<u32> {
        (0..self.docs.len() as u32)
            .filter(|&i| self.rep[i as usize] == i)
            .collect()
    }

    /// LSH candidates among `reps` (see [`Self::candidates`]), sorted, without repeats.
    fn band_candidates(&self, reps: &[u32], since: u32) -> Vec<(u32, u32)> {
        let nb = self.config.bands;
        let cap = self.config.max_bucket_pairs;
        let min_shared = self.config.min_shared_bands;
        let keys_of = |i: u32| &self.keys[i as usize * nb..(i as usize + 1) * nb];
        // Each pair is emitted once, by the first band it collides in, after counting its
        // shared bands straight from the two key rows (32 compares). A true duplicate collides
        // in most bands, so a map counting every collision would see ~20× the pairs; this needs
        // no map at all, and the bands run in parallel. (A pair whose first shared bucket is
        // oversized and capped is not re-found in a later band; such template buckets link
        // their docs through the cap's chains instead.)
        // The pairs of one bucket (a run of equal keys in a sorted band table) that first
        // collide in this band and share enough bands.
        let run_pairs = |band: usize, run: &[u64]| -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            for (x, &ea) in run.iter().enumerate() {
                let a = ea as u32;
                let ka = keys_of(a);
                for b in run.iter().skip(x + 1).take(cap).map(|&e| e as u32) {
                    if b < since {
                        continue;
                    }
                    let kb = keys_of(b);
                    if ka[..band].iter().zip(&kb[..band]).any(|(x, y)| x == y) {
                        continue;
                    }
                    let shared = ka[band..]
                        .iter()
                        .zip(&kb[band..])
                        .filter(|(x, y)| x == y)
                        .count();
                    if shared >= min_shared {
                        out.push((a, b));
                    }
                }
            }
            out
        };
        // Bands one after another, each in parallel. A bucket holding exactly the docs of a
        // bucket of an earlier band is skipped whole: each of its pairs was judged in the band
        // it first collided in, and a group of near copies collides in nearly every band, so
        // without the skip most of this pass fetched key rows (cache misses) only to find an
        // earlier shared band. Buckets are told apart by a 64-bit hash of their doc lists; a
        // collision (odds ~1e-8 on a million buckets) could only cost a candidate.
        // Bucket hashes are uniform already: a set that does not hash them again.
        let mut seen: nohash_hasher::IntSet<u64> = nohash_hasher::IntSet::default();
        // One table and one sort buffer for each band of a pass, reused by every pass (fresh
        // ones were page faults each time).
        let mut tables: Vec<Vec<u64>> = (0..BANDS_PER_PASS.min(nb))
            .map(|_| Vec::with_capacity(reps.len()))
            .collect();
        let mut scratch: Vec<Vec<u64>> = vec![Vec::new(); tables.len()];
        let mut out: Vec<(u32, u32)> = Vec::new();
        for first in (0..nb).step_by(BANDS_PER_PASS) {
            let bands = first..(first + BANDS_PER_PASS).min(nb);
            // Key and doc packed in one word: a plain integer sort. The tables of several
            // bands are filled in one pass over the key rows (each band alone streamed all of
            // them for one value a row) and sorted in parallel.
            for t in tables.iter_mut() {
                t.clear();
            }
            for &i in reps {
                let row = &keys_of(i)[bands.clone()];
                for (t, &key) in tables.iter_mut().zip(row) {
                    t.push(u64::from(key) << 32 | u64::from(i));
                }
            }
            tables
                .par_iter_mut()
                .zip(scratch.par_iter_mut())
                .for_each(|(t, s)| crate::radix::sort_by_high_half(t, s));
            for (band, table) in bands.zip(&tables) {
                // Each bucket's hash and pairs, unless an earlier band had the bucket.
                let judged: Vec<(u64, Vec<(u32, u32)>)> = table
                    .par_chunk_by(|x, y| x >> 32 == y >> 32)
                    .filter(|run| run.len() >= 2 && run.last().is_some_and(|&r| r as u32 >= since))
                    .filter_map(|run| {
                        let h = bucket_hash(run);
                        (!seen.contains(&h)).then(|| (h, run_pairs(band, run)))
                    })
                    .collect();
                for (h, pairs) in judged {
                    seen.insert(h);
                    out.extend(pairs);
                }
            }
        }
        out.par_sort_unstable();
        out.dedup();
        out
    }

    /// Finds and verifies the candidates of all docs at once (a one-shot run; the result is
    /// that of [`Self::candidates`]`(0)` verified with [`Self::verify_grouped`], up to
    /// containment between near copies, see below), loading sets with `load(i)`. Returns the
    /// number of candidate pairs checked.
    ///
    /// LSH candidates are verified first. Containment candidates are then sought among one
    /// doc per near-duplicate group only, and each such pair stands for every pair of their
    /// groups' members (at most [`MAX_CONTAINMENT_EXPANSION`] per pair), all verified, as
    /// are the member pairs inside groups of up to [`MAX_GROUP_FOR_INNER_PAIRS`]. Without the
    /// collapse, a corpus of stories with many near copies pairs every copy of a story with
    /// every copy of each story sharing its samples: the sample pass grew with the square of
    /// the copies per story (6.4× the merges on a corpus 4× the size, three near copies per
    /// story).
    pub fn match_all<S, F>(&mut self, load: F) -> usize
    where
        S: ExactSet,
        F: Fn(u32) -> Option<S> + Sync,
    {
        let reps = self.exact_reps();
        let (started, cpu) = (std::time::Instant::now(), process_cpu());
        let lsh = self.band_candidates(&reps, 0);
        tracing::debug!(candidates = lsh.len(), secs = ?started.elapsed(), cpu = ?cpu_since(cpu), "LSH candidates");
        let (started, cpu) = (std::time::Instant::now(), process_cpu());
        let first = self.links.len();
        self.verify_grouped(&lsh, &load);
        tracing::debug!(links = self.links.len() - first, secs = ?started.elapsed(), cpu = ?cpu_since(cpu), "LSH verified");

        // Near-duplicate groups among the representatives; each group's smallest index leads.
        let (started, cpu) = (std::time::Instant::now(), process_cpu());
        let mut parent: Vec<u32> = (0..self.docs.len() as u32).collect();
        for l in &self.links[first..] {
            if f64::from(l.jaccard) >= self.config.threshold {
                let (ra, rb) = (find_root(&mut parent, l.a), find_root(&mut parent, l.b));
                if ra != rb {
                    parent[ra.max(rb) as usize] = ra.min(rb);
                }
            }
        }
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for &r in &reps {
            let root = find_root(&mut parent, r);
            if root != r {
                members.entry(root).or_insert_with(|| vec![root]).push(r);
            }
        }
        let leaders: Vec<u32> = reps
            .iter()
            .copied()
            .filter(|&r| parent[r as usize] == r)
            .collect();
        let pairs: Vec<(u32, u32)> = self
            .sample_candidates(&leaders, 0)
            .into_iter()
            .filter(|p| lsh.binary_search(p).is_err())
            .collect();
        let before = self.links.len();
        let group_of = |r: u32| members.get(&r).cloned().unwrap_or_else(|| vec![r]);
        // Each candidate is checked together with the docs it concerns, as one group (one
        // load per doc, one pass over their sets): the pairs of two groups of near copies,
        // and the inner pairs of a group. Verified as loose pairs, the 4× benchmark's
        // containment pairs chained through template text into components of thousands of
        // pairs, checked in slices that loaded and tabled a doc once per pair.
        let mut groups: Vec<VerifyGroup> = Vec::new();
        let mut rest: Vec<(u32, u32)> = Vec::new();
        let mut add = |docs: Vec<u32>, pairs: Vec<(u32, u32)>| {
            let pairs: Vec<(u32, u32)> = pairs
                .into_iter()
                .filter(|p| lsh.binary_search(p).is_err())
                .collect();
            // A lone pair goes with the loose pairs: joined into components there, a doc
            // paired with many others (a long page quoting several stories) loads once.
            if pairs.is_empty() {
            } else if docs.len() > 2 && docs.len() <= MAX_EXPLICIT_GROUP {
                groups.push((docs, pairs));
            } else {
                rest.extend(pairs);
            }
        };
        for &(a, b) in &pairs {
            let (ga, gb) = (group_of(a), group_of(b));
            let product: Vec<(u32, u32)> = ga
                .iter()
                .flat_map(|&x| gb.iter().map(move |&y| (x.min(y), x.max(y))))
                .take(MAX_CONTAINMENT_EXPANSION)
                .collect();
            let mut docs = [ga, gb].concat();
            docs.sort_unstable();
            add(docs, product);
        }
        // Within a group, members joined only through other members (a copy that dropped a
        // paragraph, another that changed words) may contain one another without LSH
        // pairing them; small groups check every such pair. In order of their leaders, so
        // that links come out the same on every run.
        let mut small: Vec<&Vec<u32>> = members
            .values()
            .filter(|m| m.len() <= MAX_GROUP_FOR_INNER_PAIRS)
            .collect();
        small.sort_unstable();
        for m in small {
            let inner = m
                .iter()
                .enumerate()
                .flat_map(|(i, &x)| m[i + 1..].iter().map(move |&y| (x, y)))
                .collect();
            add(m.clone(), inner);
        }
        rest.par_sort_unstable();
        rest.dedup();
        let candidates = groups.iter().map(|(_, p)| p.len()).sum::<usize>() + rest.len();
        self.verify_groups(&groups, &load);
        self.verify_grouped(&rest, &load);
        tracing::debug!(
            leaders = leaders.len(),
            leader_pairs = pairs.len(),
            groups = groups.len(),
            candidates,
            links = self.links.len() - before,
            secs = ?started.elapsed(),
            cpu = ?cpu_since(cpu),
            "containment verified"
        );
        lsh.len() + candidates
    }

    /// Verifies candidate pairs on exact shingle sets and records the links that pass.
    /// `set_of(i)` gives doc `i`'s sorted, deduplicated shingle set (see
    /// [`shingle_set`](Self::shingle_set)); pairs whose sets are unavailable are skipped.
    /// Returns the number of links added.
    /// The sets may hold shingle hashes (u64, [`Self::shingle_set`]) or fingerprints (u32,
    /// [`fingerprint_set`](crate::fingerprint_set)), as long as all are of one kind.
    /// `set_of` may borrow the sets or build them on demand (e.g. read from a spill file).
    pub fn verify_with_sets<'s, T, F>(&mut self, pairs: &[(u32, u32)], set_of: F) -> usize
    where
        T: Ord + Clone + Send + Sync + 's,
        F: Fn(u32) -> Option<Cow<'s, [T]>> + Sync,
    {
        let cfg = &self.config;
        let new: Vec<Link> = pairs
            .par_iter()
            .filter_map(|&(a, b)| {
                let (sa, sb) = (set_of(a)?, set_of(b)?);
                verify_sets(cfg, a, b, &*sa, &*sb)
            })
            .collect();
        let n = new.len();
        self.links.extend(new);
        n
    }

    /// Verifies candidate pairs, fetching texts with `text_of(i)` and shingling them in
    /// parallel (see [`Self::verify_grouped`]). Returns the number of links added.
    pub fn verify<'t, F>(&mut self, pairs: &[(u32, u32)], text_of: F) -> usize
    where
        F: Fn(u32) -> Option<Cow<'t, str>> + Sync,
    {
        let k = self.config.shingle_size;
        self.verify_grouped(pairs, |i| {
            text_of(i).map(|t| Shingler::default().shingle_set(&t, k))
        })
    }

    /// Verifies candidate pairs with sets built on demand by `load(i)` (any [`ExactSet`]:
    /// sorted, distinct shingle hashes or fingerprints, or a
    /// [`FingerprintTable`](crate::FingerprintTable)), loading each doc about once: pairs are
    /// split into connected components, and a component of up to 256 docs loads its members'
    /// sets once and checks all its pairs at once ([`ExactSet::group_overlaps`]; components
    /// run in parallel); a larger one (a chain through template text) is checked in slices of
    /// 64 pairs, each loading its own docs, so memory stays bounded. Returns the number of
    /// links added.
    pub fn verify_grouped<S, F>(&mut self, pairs: &[(u32, u32)], load: F) -> usize
    where
        S: ExactSet,
        F: Fn(u32) -> Option<S> + Sync,
    {
        const MAX_COMPONENT: usize = 256;
        // Union-find straight over doc indices: a dense parent array (4 bytes a doc) costs
        // less than looking each pair's docs up in a sorted list of those touched.
        let end = pairs
            .iter()
            .map(|&(a, b)| a.max(b) as usize + 1)
            .max()
            .unwrap_or(0);
        let mut parent: Vec<u32> = (0..end as u32).collect();
        for &(a, b) in pairs {
            let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb) as usize] = ra.min(rb);
            }
        }
        let mut by_comp: Vec<(u32, u32, u32)> = pairs
            .iter()
            .map(|&(a, b)| (find_root(&mut parent, a), a, b))
            .collect();
        by_comp.par_sort_unstable();
        let comps: Vec<&[(u32, u32, u32)]> = by_comp.chunk_by(|x, y| x.0 == y.0).collect();
        tracing::debug!(
            pairs = pairs.len(),
            components = comps.len(),
            largest = comps.iter().map(|c| c.len()).max().unwrap_or(0),
            "verifying"
        );
        // A component of more than `MAX_COMPONENT` docs (a chain through template text) is
        // checked in slices of its pairs, each loading only its own docs: memory stays bounded
        // and the slices run in parallel (one task per such component left a core idle while
        // the other checked thousands of pairs alone).
        let tasks: Vec<&[(u32, u32, u32)]> = comps
            .into_iter()
            .flat_map(|comp| {
                // Two docs a pair at most: most components need no count.
                let small = 2 * comp.len() <= MAX_COMPONENT || {
                    let mut docs: Vec<u32> = comp.iter().flat_map(|&(_, a, b)| [a, b]).collect();
                    docs.sort_unstable();
                    docs.dedup();
                    docs.len() <= MAX_COMPONENT
                };
                comp.chunks(if small { comp.len() } else { MAX_COMPONENT / 4 }.max(1))
            })
            .collect();
        let cfg = &self.config;
        let new = par_links(&tasks, |task| {
            let mut members: Vec<u32> = task.iter().flat_map(|&(_, a, b)| [a, b]).collect();
            members.sort_unstable();
            members.dedup();
            check_group(cfg, &members, task.iter().map(|&(_, a, b)| (a, b)), &load)
        });
        self.add_links(new)
    }

    /// Verifies explicit groups: each is a list of docs (sorted, distinct) and pairs among
    /// them, checked together ([`ExactSet::group_overlaps`]: one load per doc and one pass
    /// for the whole group); groups run in parallel. For a caller that knows which docs go
    /// together better than the connected components of its pairs do. Returns the number of
    /// links added.
    pub fn verify_groups<S, F>(&mut self, groups: &[VerifyGroup], load: F) -> usize
    where
        S: ExactSet,
        F: Fn(u32) -> Option<S> + Sync,
    {
        let cfg = &self.config;
        let new = par_links(groups, |(docs, pairs)| {
            check_group(cfg, docs, pairs.iter().copied(), &load)
        });
        self.add_links(new)
    }

    /// Appends verified links; the first batch is moved in rather than copied, which halves
    /// the peak of a one-shot run.
    fn add_links(&mut self, new: Vec<Link>) -> usize {
        let n = new.len();
        if self.links.is_empty() {
            self.links = new;
        } else {
            self.links.extend(new);
        }
        n
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
                docs.get((i - first) as usize)
                    .map(|d| Cow::Borrowed(d.text))
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
        let union = |parent: &mut Vec<u32>, a: u32, b: u32| {
            let (ra, rb) = (find_root(parent, a), find_root(parent, b));
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
        (0..n as u32).map(|i| find_root(&mut parent, i)).collect()
    }

    fn is_dup_link(&self, l: &Link) -> bool {
        f64::from(l.jaccard) >= self.config.threshold
            || (self.config.group_contained
                && f64::from(l.containment) >= self.config.containment_threshold)
    }

    /// Exact-copy classes: representative -> members (only for reps with copies).
    fn exact_classes(&self) -> BTreeMap<u32, Vec<u32>> {
        // Ordered, so pairs come out in the same order on every run.
        let mut classes: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
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
        let n = self.docs.len();
        let (orig_of, size_of) = self.originals();
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
            let (small, big) = if l.size_a < l.size_b {
                (l.a, l.b)
            } else {
                (l.b, l.a)
            };
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
            v.iter()
                .map(|&i| self.id_of(i as usize).to_string())
                .collect()
        };
        (0..n)
            .map(|i| {
                let orig = orig_of[i] as usize;
                let orig_id = self.id_of(orig).to_string();
                DedupResult {
                    id: self.id_of(i).to_string(),
                    duplicate_of: (orig != i).then(|| orig_id.clone()),
                    group: orig_id,
                    group_size: size_of[i] as usize,
                    contains: ids(&mut contains[i]),
                    contained_in: ids(&mut contained_in[i]),
                }
            })
            .collect()
    }

    /// For every doc, the index of its group's original and the group's size: the compact
    /// form of [`Self::results`] (8 bytes a doc) for callers that stream their output.
    pub fn originals(&self) -> (Vec<u32>, Vec<u32>) {
        let comp = self.components();
        let n = self.docs.len();
        // Original of each component: earliest published, undated last, ties by id.
        let mut best: Vec<u32> = (0..n as u32).collect();
        let mut size = vec![0u32; n];
        for (i, &c) in comp.iter().enumerate() {
            let c = c as usize;
            size[c] += 1;
            if self.original_key(i) < self.original_key(best[c] as usize) {
                best[c] = i as u32;
            }
        }
        let orig = comp.iter().map(|&c| best[c as usize]).collect();
        let sizes = comp.iter().map(|&c| size[c as usize]).collect();
        (orig, sizes)
    }

    fn original_key(&self, i: usize) -> (i64, &str) {
        let d = &self.docs[i];
        (d.published_ms, self.id_of(i))
    }

    /// Every duplicate pair (Jaccard ≥ threshold): verified links, expanded over exact copies,
    /// plus the pairs within each exact-copy class (Jaccard 1). Sorted by `(a, b)`.
    pub fn pairs(&self) -> Vec<DupPair> {
        let mut out = Vec::new();
        self.for_each_pair(|p| out.push(p));
        out.sort_by_key(|p| (p.a, p.b));
        out.dedup_by_key(|p| (p.a, p.b));
        out
    }

    /// The pairs of [`Self::pairs`], each once, in no particular order, without collecting
    /// them: a streaming caller writes them out at no memory cost.
    pub fn for_each_pair(&self, mut f: impl FnMut(DupPair)) {
        let classes = self.exact_classes();
        let members = |r: u32| -> &[u32] {
            classes.get(&r).map_or_else(
                || std::slice::from_ref(&self.rep[r as usize]),
                Vec::as_slice,
            )
        };
        for m in classes.values() {
            for (x, &a) in m.iter().enumerate() {
                for &b in &m[x + 1..] {
                    f(DupPair {
                        a: a as usize,
                        b: b as usize,
                        jaccard: 1.0,
                    });
                }
            }
        }
        // Links join distinct representatives, so their expansions never repeat a pair.
        for l in &self.links {
            if f64::from(l.jaccard) < self.config.threshold {
                continue;
            }
            for &a in members(l.a) {
                for &b in members(l.b) {
                    f(DupPair {
                        a: a.min(b) as usize,
                        b: a.max(b) as usize,
                        jaccard: f64::from(l.jaccard),
                    });
                }
            }
        }
    }

    /// Serialises the index (settings, per-doc metadata and signatures, links) to a compact,
    /// versioned, little-endian binary form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(self.keys.len() * 4 + self.docs.len() * 64 + 256);
        w.extend_from_slice(MAGIC);
        let cfg = serde_json_free_config(&self.config);
        put_u32(&mut w, cfg.len() as u32);
        w.extend_from_slice(&cfg);
        put_u64(&mut w, self.docs.len() as u64);
        for (i, d) in self.docs.iter().enumerate() {
            let id = self.id_of(i);
            put_u32(&mut w, id.len() as u32);
            w.extend_from_slice(id.as_bytes());
            // Format: flag, seconds, nanoseconds, UTC offset (always 0 now: only order counts).
            if d.published_ms == UNDATED {
                w.push(0);
            } else {
                w.push(1);
                put_u64(&mut w, d.published_ms.div_euclid(1000) as u64);
                put_u32(&mut w, (d.published_ms.rem_euclid(1000) * 1_000_000) as u32);
                put_u32(&mut w, 0);
            }
            put_u64(&mut w, d.exact);
            put_u32(&mut w, d.n_words);
            put_u32(&mut w, d.n_shingles);
        }
        for v in &self.keys {
            put_u32(&mut w, *v);
        }
        for i in 0..self.docs.len() {
            let smp = self.samples_of(i);
            put_u32(&mut w, smp.len() as u32);
            for &h in smp {
                put_u32(&mut w, h);
            }
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
        let nb = index.config.bands;
        if n.saturating_mul(nb * 4) > bytes.len() {
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
            index.push_id(id);
            index.docs.push(DocMeta {
                published_ms: published_ms(published),
                exact,
                n_words,
                n_shingles,
            });
        }
        index.keys.reserve(n * nb);
        for _ in 0..n * nb {
            index.keys.push(r.u32()?);
        }
        for _ in 0..n {
            let len = r.u32()? as usize;
            if len > bytes.len() {
                return Err(DedupError::Corrupt("sample count"));
            }
            let smp = (0..len).map(|_| r.u32()).collect::<Result<Vec<u32>, _>>()?;
            index.push_samples(&smp);
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

/// The containment samples of a doc: distinct shingle hashes with the top `bits` bits zero,
/// keyed by their low 32 bits, sorted.
fn containment_samples(shingles: &[u64], bits: u32) -> Vec<u32> {
    if bits == 0 {
        return Vec::new();
    }
    let mut v: Vec<u32> = shingles
        .iter()
        .filter(|&&s| s >> (64 - bits) == 0)
        .map(|&s| s as u32)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// LSH bucket key of one band of a signature: the low 32 bits of xxh3 of its values
/// (little-endian), seeded with the band number. 32 bits suffice: a chance collision costs one
/// exact check (and one band of the `min_shared_bands` vote), ~n²/2^33 of them per band.
pub fn band_key(values: &[u32], band: usize) -> u32 {
    let mut buf = [0u8; 64];
    if values.len() <= 16 {
        for (chunk, v) in buf.chunks_exact_mut(4).zip(values) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..values.len() * 4], band as u64) as u32
    } else {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, band as u64) as u32
    }
}

/// `|a ∩ b|` of two sorted, distinct lists, template values left out, if their smallest
/// shared value is `first` and they share at least `need` values; `None` if they share a
/// smaller one (the pair was judged there) or can no longer reach `need`.
fn overlap_from(
    a: &[u32],
    b: &[u32],
    first: u32,
    need: usize,
    is_template: &dyn Fn(u32) -> bool,
) -> Option<usize> {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        // Most pairs share one common phrase and nothing else: stop once the rest cannot
        // make up the difference.
        if n + (a.len() - i).min(b.len() - j) < need {
            return None;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if !is_template(a[i]) {
                    if n == 0 && a[i] < first {
                        return None;
                    }
                    n += 1;
                }
                i += 1;
                j += 1;
            }
        }
    }
    (n >= need).then_some(n)
}

/// Exact check of one candidate pair.
fn verify_sets<S: ExactSet + ?Sized>(
    cfg: &DedupConfig,
    a: u32,
    b: u32,
    sa: &S,
    sb: &S,
) -> Option<Link> {
    let shared = if sa.is_empty() || sb.is_empty() {
        0
    } else {
        sa.shared(sb)
    };
    link_from_counts(cfg, a, b, sa.len(), sb.len(), shared)
}

/// The links among `pairs` of a group of docs (`members`: sorted, distinct, holding every
/// doc of the pairs), loading each member's set once and comparing them all at once. Pairs
/// whose sets do not load are skipped.
fn check_group<S, F>(
    cfg: &DedupConfig,
    members: &[u32],
    pairs: impl Iterator<Item = (u32, u32)>,
    load: &F,
) -> Vec<Link>
where
    S: ExactSet,
    F: Fn(u32) -> Option<S> + Sync,
{
    let loaded: Vec<(u32, S)> = members
        .iter()
        .filter_map(|&d| Some((d, load(d)?)))
        .collect();
    let at = |d: u32| loaded.binary_search_by_key(&d, |&(m, _)| m).ok();
    let pairs: Vec<(u32, u32, usize, usize)> = pairs
        .filter_map(|(a, b)| Some((a, b, at(a)?, at(b)?)))
        .collect();
    let sets: Vec<&S> = loaded.iter().map(|(_, s)| s).collect();
    let index_pairs: Vec<(usize, usize)> = pairs.iter().map(|&(_, _, i, j)| (i, j)).collect();
    let counts = S::group_overlaps(&sets, &index_pairs);
    pairs
        .iter()
        .zip(&counts.shared)
        .filter_map(|(&(a, b, i, j), &shared)| {
            link_from_counts(cfg, a, b, counts.sizes[i], counts.sizes[j], shared)
        })
        .collect()
}

/// `check` run over `tasks` in parallel, in slices whose links are appended before the next
/// slice runs (a parallel collect of all links at once holds them about twice over in growing
/// per-thread buffers, the largest transient of a big run); links come out in task order.
fn par_links<T: Sync>(tasks: &[T], check: impl Fn(&T) -> Vec<Link> + Sync) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    for slice in tasks.chunks(4096) {
        let parts: Vec<Vec<Link>> = slice.par_iter().map(&check).collect();
        for part in parts {
            links.extend(part);
        }
    }
    links
}

/// The link of docs `a` and `b` with `size_a` and `size_b` distinct shingles, `shared` of
/// them in common, if it passes the Jaccard or the containment threshold.
fn link_from_counts(
    cfg: &DedupConfig,
    a: u32,
    b: u32,
    size_a: usize,
    size_b: usize,
    shared: usize,
) -> Option<Link> {
    if size_a == 0 || size_b == 0 {
        return None;
    }
    let j = shared as f64 / (size_a + size_b - shared) as f64;
    let c = shared as f64 / size_a.min(size_b) as f64;
    let (size_a, size_b) = if a < b {
        (size_a, size_b)
    } else {
        (size_b, size_a)
    };
    (j >= cfg.threshold || c >= cfg.containment_threshold).then(|| Link {
        a: a.min(b),
        b: a.max(b),
        jaccard: j as f32,
        containment: c as f32,
        size_a: u32::try_from(size_a).unwrap_or(u32::MAX),
        size_b: u32::try_from(size_b).unwrap_or(u32::MAX),
    })
}

const MAGIC: &[u8] = b"IBIDDDP2";

/// CPU time used so far by all of this process's threads, for the stage timings of
/// `ibid -vv dedup`: on a shared machine wall time says little, CPU time what a stage costs.
/// Linux only (summed from `/proc/self/task/*/schedstat`, nanoseconds); `None` elsewhere.
pub(crate) fn process_cpu() -> Option<std::time::Duration> {
    // Only for the debug log: no reads of /proc unless it is on.
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return None;
    }
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut ns = 0u64;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        ns += stat
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(std::time::Duration::from_nanos(ns))
}

/// CPU time since `start` (see [`process_cpu`]).
pub(crate) fn cpu_since(start: Option<std::time::Duration>) -> Option<std::time::Duration> {
    Some(process_cpu()?.saturating_sub(start?))
}

/// Root of `x` in a union-find forest stored as parent links, halving the path on the way.
fn find_root(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

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
    put_u64(&mut w, c.min_shared_bands as u64);
    put_u64(&mut w, c.max_bucket_pairs as u64);
    w.push(u8::from(c.group_contained));
    put_u32(&mut w, c.containment_sample_bits);
    put_u64(&mut w, c.containment_min_shared as u64);
    put_u64(&mut w, c.max_sample_docs as u64);
    put_u64(&mut w, c.containment_size_ratio.to_bits());
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
        min_shared_bands: to_usize(r.u64()?)?,
        max_bucket_pairs: to_usize(r.u64()?)?,
        group_contained: r.take(1)?[0] != 0,
        containment_sample_bits: r.u32()?,
        containment_min_shared: to_usize(r.u64()?)?,
        max_sample_docs: to_usize(r.u64()?)?,
        containment_size_ratio: f64::from_bits(r.u64()?),
    })
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DedupError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DedupError::Corrupt("length"))?;
        let s = self
            .b
            .get(self.pos..end)
            .ok_or(DedupError::Corrupt("truncated"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A made-up article of `n` pseudo-random words (deterministic per `seed`).
    fn article(seed: u64, n: usize) -> String {
        const W: &[&str] = &[
            "council", "river", "bridge", "vote", "mayor", "budget", "school", "storm", "police",
            "report", "said", "on", "the", "a", "in", "of", "and", "new", "plan", "city", "road",
            "fire", "court", "judge", "state", "water", "power", "team", "match", "league",
            "minister", "talks", "deal", "price", "market", "bank", "rate", "farm", "crop", "rain",
        ];
        let mut st = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                W[(st % W.len() as u64) as usize]
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn doc<'a>(id: &'a str, day: Option<u32>, text: &'a str) -> DedupDoc<'a> {
        let published = day.and_then(|d| {
            chrono::NaiveDate::from_ymd_opt(2020, 1, d)
                .and_then(|x| x.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().fixed_offset())
        });
        DedupDoc {
            id,
            published,
            text,
        }
    }

    fn by_id(results: &[DedupResult]) -> HashMap<&str, &DedupResult> {
        results.iter().map(|r| (r.id.as_str(), r)).collect()
    }

    #[test]
    fn near_copies_group_under_the_earliest() {
        let a = article(1, 400);
        // Copy: one "sentence" dropped and two words changed.
        let words: Vec<&str> = a.split(' ').collect();
        let mut b: Vec<&str> = words[..100].iter().chain(&words[120..]).copied().collect();
        b[200] = "zebra";
        b[300] = "quokka";
        let b = b.join(" ");
        let c = article(2, 400);
        let docs = [
            doc("late", Some(5), &a),
            doc("early", Some(2), &b),
            doc("other", Some(1), &c),
        ];
        let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
        let r = by_id(&res);
        assert_eq!(r["late"].group, "early");
        assert_eq!(r["late"].duplicate_of.as_deref(), Some("early"));
        assert_eq!(r["early"].duplicate_of, None);
        assert_eq!(r["early"].group_size, 2);
        assert_eq!(r["other"].group, "other");
        assert_eq!(r["other"].group_size, 1);
        assert_eq!(pairs.len(), 1);
        assert!(pairs[0].jaccard > 0.8 && pairs[0].jaccard < 1.0);
    }

    #[test]
    fn undated_sorts_after_dated_and_ties_break_by_id() {
        let a = article(3, 200);
        let docs = [
            doc("z", None, &a),
            doc("b", Some(3), &a),
            doc("a", Some(3), &a),
        ];
        let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
        assert!(res.iter().all(|r| r.group == "a"));
        assert_eq!(pairs.len(), 3);
        assert!(pairs.iter().all(|p| p.jaccard == 1.0));
    }

    #[test]
    fn short_wire_story_inside_longer_article_is_contained() {
        let wire = article(4, 200);
        let local = format!("{} {} {}", article(5, 150), wire, article(6, 150));
        let docs = [doc("wire", Some(1), &wire), doc("local", Some(2), &local)];
        let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
        let r = by_id(&res);
        assert_eq!(r["local"].contains, ["wire"]);
        assert_eq!(r["wire"].contained_in, ["local"]);
        assert!(
            pairs.is_empty(),
            "containment is not duplication by default"
        );
        assert_eq!(r["wire"].group, "wire");
        let cfg = DedupConfig {
            group_contained: true,
            ..DedupConfig::default()
        };
        let (res, _) = dedup(&docs, &cfg).unwrap();
        assert_eq!(by_id(&res)["local"].group, "wire");
    }

    #[test]
    fn containment_is_found_past_a_shared_template_footer() {
        // Both texts end with a footer that six docs carry, so its samples are templates;
        // the pair must still be judged, at its smallest shared non-template sample, whether
        // or not a footer sample sorts first. J is ~0.3, so only the containment pass finds it.
        let footer = article(40, 1000);
        let wire = format!("{} {footer}", article(41, 200));
        let local = format!("{} {wire} {}", article(42, 1400), article(43, 1400));
        let fillers: Vec<String> = (0..4)
            .map(|k| format!("{} {footer}", article(50 + k, 300)))
            .collect();
        let mut docs = vec![doc("wire", Some(1), &wire), doc("local", Some(2), &local)];
        for (k, f) in fillers.iter().enumerate() {
            docs.push(doc(["f0", "f1", "f2", "f3"][k], Some(3), f));
        }
        let cfg = DedupConfig {
            max_sample_docs: 3,
            ..DedupConfig::default()
        };
        let (res, _) = dedup(&docs, &cfg).unwrap();
        // (The footer is 83% of `wire`, so the filler pages contain it too, through LSH.)
        assert!(by_id(&res)["wire"]
            .contained_in
            .iter()
            .any(|d| d == "local"));
    }

    #[test]
    fn empty_and_tiny_texts_never_group() {
        let docs: Vec<DedupDoc> = ["", "", "  ", "Photo: AP", "photo ap", "Subscribe now"]
            .iter()
            .enumerate()
            .map(|(i, t)| DedupDoc {
                id: ["a", "b", "c", "d", "e", "f"][i],
                published: None,
                text: t,
            })
            .collect();
        let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
        assert!(pairs.is_empty());
        assert!(res
            .iter()
            .all(|r| r.group_size == 1 && r.duplicate_of.is_none()));
    }

    #[test]
    fn incremental_matches_batch_and_survives_serialisation() {
        let texts: Vec<String> = (0..40)
            .map(|i| article(100 + i % 13, 150 + (i as usize % 7)))
            .collect();
        let ids: Vec<String> = (0..40).map(|i| format!("d{i:02}")).collect();
        let docs: Vec<DedupDoc> = texts
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(i, (t, id))| doc(id, Some(1 + (i as u32 % 28)), t))
            .collect();
        let cfg = DedupConfig::default();
        let (batch, batch_pairs) = dedup(&docs, &cfg).unwrap();

        let mut index = DedupIndex::new(cfg.clone()).unwrap();
        index.match_batch(&docs[..25], |_| None);
        let bytes = index.to_bytes();
        let mut index = DedupIndex::from_bytes(&bytes).unwrap();
        assert_eq!(index.to_bytes(), bytes);
        let old = |i: u32| Some(Cow::Borrowed(texts[i as usize].as_str()));
        index.match_batch(&docs[25..], old);
        assert_eq!(index.results(), batch);
        assert_eq!(index.pairs(), batch_pairs);
        assert!(batch.iter().any(|r| r.group_size > 1));
    }

    #[test]
    fn explicit_groups_verify_like_components() {
        // Four stories, each with two near copies (a changed word) and one copy cut short
        // (contained): the pairs of every doc with every other, checked as explicit groups
        // of up to eight docs (masked table), as one group of twelve (per-doc tables) and as
        // connected components, must give the same links.
        let mut texts = Vec::new();
        for story in 0..4u64 {
            let original = article(500 + story, 120);
            let changed = original.replacen("the", "a", 1);
            let cut: String = original.split(' ').take(80).collect::<Vec<_>>().join(" ");
            texts.extend([original, changed, cut]);
        }
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("d{i:02}")).collect();
        let docs: Vec<DedupDoc> = texts
            .iter()
            .zip(&ids)
            .map(|(t, id)| doc(id, None, t))
            .collect();
        let mut index = DedupIndex::new(DedupConfig::default()).unwrap();
        index.add_batch(&docs);
        let n = docs.len() as u32;
        let all: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let sets: Vec<crate::RawFingerprints> = texts
            .iter()
            .map(|t| {
                let mut sh = Shingler::default();
                sh.shingle(t, index.config().shingle_size);
                crate::RawFingerprints(sh.shingles.iter().map(|&h| crate::fingerprint(h)).collect())
            })
            .collect();
        let load = |d: u32| sets.get(d as usize).cloned();
        let sorted = |mut links: Vec<Link>| {
            links.sort_by_key(|l| (l.a, l.b));
            links
        };

        let mut by_components = index.clone();
        by_components.verify_grouped(&all, load);
        let expected = sorted(by_components.links().to_vec());
        assert!(
            expected.len() >= 4 * 3,
            "copies and cut copies link: {expected:?}"
        );

        let halves: Vec<VerifyGroup> = [0..6u32, 6..12]
            .into_iter()
            .map(|r| {
                let pairs = all
                    .iter()
                    .copied()
                    .filter(|&(a, b)| r.contains(&a) && r.contains(&b));
                (r.clone().collect(), pairs.collect())
            })
            .chain([(
                (0..n).collect(),
                all.iter()
                    .copied()
                    .filter(|&(a, b)| a < 6 && b >= 6)
                    .collect(),
            )])
            .collect();
        let mut by_groups = index.clone();
        by_groups.verify_groups(&halves, load);
        assert_eq!(sorted(by_groups.links().to_vec()), expected);
    }

    #[test]
    fn corrupt_bytes_are_rejected() {
        let mut index = DedupIndex::new(DedupConfig::default()).unwrap();
        let t = article(9, 50);
        index.match_batch(&[doc("x", Some(1), &t)], |_| None);
        let bytes = index.to_bytes();
        for cut in [0, 4, 20, bytes.len() - 1] {
            assert!(DedupIndex::from_bytes(&bytes[..cut]).is_err());
        }
        assert!(DedupIndex::from_bytes(b"not an index at all").is_err());
    }

    #[test]
    fn bad_config_is_rejected() {
        let bad = DedupConfig {
            bands: 33,
            ..DedupConfig::default()
        };
        assert!(DedupIndex::new(bad).is_err());
        assert!(DedupIndex::new(DedupConfig {
            threshold: 0.0,
            ..DedupConfig::default()
        })
        .is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn identical_texts_always_group(seed in any::<u64>(), n in 10usize..300, copies in 2usize..5) {
            let t = article(seed, n);
            let other = article(seed ^ 0xdead_beef, n);
            let ids: Vec<String> = (0..copies).map(|i| format!("c{i}")).collect();
            let mut docs: Vec<DedupDoc> = ids.iter().map(|id| doc(id, None, &t)).collect();
            docs.push(doc("zz", None, &other));
            let (res, _) = dedup(&docs, &DedupConfig::default()).unwrap();
            for r in &res[..copies] {
                prop_assert_eq!(&r.group, "c0");
                prop_assert_eq!(r.group_size, copies);
            }
        }

        #[test]
        fn signatures_do_not_depend_on_batching(seed in any::<u64>()) {
            let texts: Vec<String> = (0..6).map(|i| article(seed.wrapping_add(i), 60)).collect();
            let docs: Vec<DedupDoc> = texts.iter().map(|t| doc("x", None, t)).collect();
            let mut one = DedupIndex::new(DedupConfig::default()).unwrap();
            one.add_batch(&docs);
            let mut many = DedupIndex::new(DedupConfig::default()).unwrap();
            for d in &docs {
                many.add_batch(std::slice::from_ref(d));
            }
            for i in 0..docs.len() {
                prop_assert_eq!(one.band_keys(i), many.band_keys(i));
            }
        }
    }

    /// The five seed articles share quotes, not copies: no duplicate pair among them.
    #[test]
    fn seeds_have_no_duplicates() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/seeds");
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("skipping: {dir} not found");
            return;
        };
        let mut files: Vec<(String, String)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 5);
        let docs: Vec<DedupDoc> = files.iter().map(|(n, t)| doc(n, None, t)).collect();
        let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
        assert!(pairs.is_empty(), "{pairs:?}");
        assert!(res
            .iter()
            .all(|r| r.group_size == 1 && r.contains.is_empty()));
        // Each seed still matches a copy of itself with a line dropped.
        for (name, text) in &files {
            // Drop the first line (the first sentence of a one-line file).
            let first_end = text.find('\n').or_else(|| text.find(". ")).unwrap();
            let cut = &text[first_end + 1..];
            let docs = [doc(name, None, text), doc("copy", None, cut)];
            let (res, pairs) = dedup(&docs, &DedupConfig::default()).unwrap();
            let found = pairs.len() + by_id(&res)["copy"].contained_in.len();
            assert_eq!(found, 1, "{name}: copy not found");
        }
    }
}
