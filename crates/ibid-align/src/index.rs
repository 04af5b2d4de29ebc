//! The incremental passage index: winnowed fingerprints -> documents, with a document-frequency
//! cap, plus each document's words so later batches can be aligned against it.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::pair::{align_with, Grams, Hit};
use crate::tokens::{fingerprints, tokenize, StoredDoc, Tokens};
use crate::{AlignConfig, AlignDoc, Alignment};

/// `(fingerprint, doc)`.
type Posting = (u32, u32);

/// Posting `doc` value marking a fingerprint that went over the document-frequency cap.
const TOMBSTONE: u32 = u32::MAX;

/// Incremental passage index. Add documents in batches with [`PassageIndex::add_batch`]; each
/// batch is aligned against everything indexed before plus itself.
///
/// Memory is 8 bytes per kept fingerprint (roughly 0.4 per word; fingerprints over the DF cap
/// shrink to one tombstone), plus about 6 bytes per indexed word (hashes and packed offsets)
/// unless it was made [`PassageIndex::without_texts`]. The index is `serde`-serialisable (and
/// has [`PassageIndex::to_bytes`]) so a store can persist it between runs; a store can also
/// keep the postings itself and load a batch's share of them
/// ([`PreparedBatch::keys`], [`PassageIndex::set_postings`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageIndex {
    cfg: AlignConfig,
    /// The words of every indexed document, unless the index was made
    /// [`PassageIndex::without_texts`] (then empty, and `doc_count` counts them).
    docs: Vec<StoredDoc>,
    /// Documents indexed so far.
    doc_count: usize,
    /// False for an index that keeps postings only.
    #[serde(default = "keeps_texts_default")]
    keeps_texts: bool,
    /// `(fingerprint, doc)` sorted; a capped fingerprint has the single entry
    /// `(fingerprint, TOMBSTONE)`.
    postings: Vec<(u32, u32)>,
    /// Candidate document pairs aligned so far (for throughput reporting).
    #[serde(default)]
    pairs_aligned: u64,
}

fn keeps_texts_default() -> bool {
    true
}

impl PassageIndex {
    /// An empty index that keeps each document's words, so later batches are aligned against
    /// them without help (about 6 bytes a word).
    pub fn new(cfg: AlignConfig) -> Self {
        Self {
            cfg,
            docs: Vec::new(),
            doc_count: 0,
            keeps_texts: true,
            postings: Vec::new(),
            pairs_aligned: 0,
        }
    }

    /// An empty index that keeps postings only (about 8 bytes a kept fingerprint, a sixth of
    /// [`PassageIndex::new`]'s memory): later batches are aligned against earlier documents
    /// whose texts the caller hands back on request ([`PassageIndex::add_batch_with`]). For a
    /// store that holds the texts anyway, and should not hold them twice.
    pub fn without_texts(cfg: AlignConfig) -> Self {
        Self {
            keeps_texts: false,
            ..Self::new(cfg)
        }
    }

    /// Forgets the documents' words, keeping everything else: the index then behaves as one
    /// made [`PassageIndex::without_texts`].
    pub fn drop_texts(&mut self) {
        self.docs = Vec::new();
        self.keeps_texts = false;
    }

    /// True when the index keeps its documents' words.
    pub fn keeps_texts(&self) -> bool {
        self.keeps_texts
    }

    /// The configuration the index was built with.
    pub fn config(&self) -> &AlignConfig {
        &self.cfg
    }

    /// Number of documents indexed so far; the next document added gets this number.
    pub fn len(&self) -> usize {
        self.doc_count
    }

    /// True when no document has been added.
    pub fn is_empty(&self) -> bool {
        self.doc_count == 0
    }

    /// Candidate document pairs aligned so far (pairs that shared enough fingerprints).
    pub fn pairs_aligned(&self) -> u64 {
        self.pairs_aligned
    }

    /// Tokenises and fingerprints `docs` for [`PassageIndex::add_prepared_with`], once: the
    /// prepared batch also tells which postings adding it touches
    /// ([`PreparedBatch::keys`]).
    pub fn prepare(&self, docs: &[AlignDoc]) -> PreparedBatch {
        let toks: Vec<Tokens> = docs.par_iter().map(|d| tokenize(d.text)).collect();
        let n = self.cfg.index_ngram.max(1);
        let window = self.cfg.index_window;
        let prints = toks
            .par_iter()
            .map(|t| fingerprints(&t.hash, n, window))
            .collect();
        PreparedBatch { toks, prints }
    }

    /// The postings as `(fingerprint, documents)`, by fingerprint. The document lists are
    /// opaque (a fingerprint over the document-frequency cap keeps a marker): store them and
    /// give them back to [`PassageIndex::set_postings`] as they are.
    pub fn postings_by_key(&self) -> Vec<(u32, Vec<u32>)> {
        self.postings
            .chunk_by(|x, y| x.0 == y.0)
            .map(|g| (g[0].0, g.iter().map(|p| p.1).collect()))
            .collect()
    }

    /// Replaces the postings with `lists` (as [`PassageIndex::postings_by_key`] gave them;
    /// any order, empty lists ignored): the whole index's, or those of some fingerprints (see
    /// [`PreparedBatch::keys`]).
    pub fn set_postings(&mut self, mut lists: Vec<(u32, Vec<u32>)>) {
        lists.sort_unstable_by_key(|(k, _)| *k);
        self.postings = lists
            .into_iter()
            .flat_map(|(k, docs)| docs.into_iter().map(move |d| (k, d)))
            .collect();
    }

    /// Number of postings held (kept fingerprint occurrences plus tombstones).
    pub fn postings_len(&self) -> usize {
        self.postings.len()
    }

    /// Indexes `docs` (numbered `len()..len() + docs.len()` in order) and returns every
    /// reused passage between a new document and any document indexed before it, earlier
    /// batches included. In each alignment `a < b`; spans are code points into the respective
    /// texts. Work is spread over the rayon thread pool.
    ///
    /// # Panics
    /// On an index made [`PassageIndex::without_texts`], which needs
    /// [`PassageIndex::add_batch_with`].
    pub fn add_batch(&mut self, docs: &[AlignDoc]) -> Vec<Alignment> {
        assert!(
            self.keeps_texts,
            "an index without texts needs add_batch_with"
        );
        let never =
            |_: &[usize]| -> Result<Vec<String>, std::convert::Infallible> { Ok(Vec::new()) };
        match self.add_batch_with(docs, never) {
            Ok(found) => found,
            Err(never) => match never {},
        }
    }

    /// [`PassageIndex::add_batch`] for any index: `earlier_texts` is asked, once per batch,
    /// for the texts of the earlier documents (by number, ascending) that new ones are to be
    /// aligned against, and must return them in that order; an index that keeps its texts
    /// never asks. Its error is returned as is, with the index unchanged.
    ///
    /// An earlier document's text should be the one it was indexed with: a text changed since
    /// is aligned as it is now (spans then fit the new text), but it was found as a
    /// candidate by its old fingerprints.
    pub fn add_batch_with<E>(
        &mut self,
        docs: &[AlignDoc],
        earlier_texts: impl FnOnce(&[usize]) -> Result<Vec<String>, E>,
    ) -> Result<Vec<Alignment>, E> {
        let batch = self.prepare(docs);
        self.add_prepared_with(batch, earlier_texts)
    }

    /// [`PassageIndex::add_batch_with`] for a batch [`PassageIndex::prepare`]d by this index.
    pub fn add_prepared_with<E>(
        &mut self,
        batch: PreparedBatch,
        earlier_texts: impl FnOnce(&[usize]) -> Result<Vec<String>, E>,
    ) -> Result<Vec<Alignment>, E> {
        let base = self.doc_count;
        let cfg = self.cfg.clone();
        let PreparedBatch { toks, prints } = batch;
        let count = toks.len();
        let n = cfg.index_ngram.max(1);
        let keys: Vec<Vec<u32>> = prints
            .iter()
            .map(|p| {
                let mut k: Vec<u32> = p.iter().map(|x| x.0).collect();
                k.dedup();
                k
            })
            .collect();
        let mut fresh: Vec<(u32, u32)> = keys
            .iter()
            .enumerate()
            .flat_map(|(k, ks)| ks.iter().map(move |&key| (key, (base + k) as u32)))
            .collect();
        fresh.par_sort_unstable();
        let (merged, groups) = merge_capped(&self.postings, &fresh, cfg.max_df);
        // Each new document's live fingerprints as posting ranges, so that counting shared
        // fingerprints needs no search in the (large) posting list.
        let mut live: Vec<(u32, u32, u32)> = fresh
            .iter()
            .zip(&groups)
            .filter(|(_, g)| g.1 > 0)
            .map(|(&(_, doc), &(lo, len))| (doc, lo, len))
            .collect();
        drop(fresh);
        drop(groups);
        live.par_sort_unstable();
        let mut live_of: Vec<&[(u32, u32, u32)]> = vec![&[]; count];
        for chunk in live.chunk_by(|x, y| x.0 == y.0) {
            live_of[chunk[0].0 as usize - base] = chunk;
        }
        let postings = &merged;
        let pairs: Vec<(u32, u32)> = (0..count)
            .into_par_iter()
            .flat_map_iter(|k| {
                let d = (base + k) as u32;
                candidates(postings, live_of[k], d, &cfg)
                    .into_iter()
                    .map(move |e| (e, d))
            })
            .collect();
        // Earlier documents' words: kept, or tokenised again from the texts the caller holds.
        let fetched: FxHashMap<usize, Tokens> = if self.keeps_texts {
            FxHashMap::default()
        } else {
            let mut wanted: Vec<usize> = pairs
                .iter()
                .map(|&(e, _)| e as usize)
                .filter(|&e| e < base)
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            let texts = earlier_texts(&wanted)?;
            wanted
                .into_par_iter()
                .zip(texts.par_iter())
                .map(|(e, t)| (e, tokenize(t)))
                .collect()
        };
        drop(live_of);
        drop(live);
        self.postings = merged;
        self.doc_count += count;
        if self.keeps_texts {
            self.docs.extend(toks.iter().map(StoredDoc::from_tokens));
        }

        let grams: Vec<Grams> = toks
            .par_iter()
            .map(|t| Grams::new(&t.hash, cfg.anchor_ngram.max(1)))
            .collect();
        let postings = &self.postings;
        self.pairs_aligned += pairs.len() as u64;
        let stored = &self.docs;
        let mut out: Vec<Alignment> = pairs
            .par_iter()
            .flat_map_iter(|&(e, d)| {
                let (e, d) = (e as usize, d as usize);
                let tb = &toks[d - base];
                let ha: &[u32] = if e >= base {
                    &toks[e - base].hash
                } else if let Some(t) = fetched.get(&e) {
                    &t.hash
                } else if let Some(doc) = stored.get(e) {
                    &doc.hash
                } else {
                    // A caller that returned fewer texts than asked: nothing to align with.
                    return Vec::new();
                };
                let mut hits = align_with(ha, &tb.hash, &grams[d - base], &cfg);
                // A passage must hold a shared fingerprint under the DF cap: stock phrases
                // ("on the south lawn of the white house") are made only of common n-grams.
                hits.retain(|h| holds_rare_shared(postings, &prints[d - base], n, h, e as u32));
                if hits.is_empty() {
                    return Vec::new();
                }
                // Offsets of indexed documents are unpacked only when there is something to
                // report.
                let owned;
                let ta: &Tokens = if e >= base {
                    &toks[e - base]
                } else if let Some(t) = fetched.get(&e) {
                    t
                } else {
                    owned = stored[e].tokens();
                    &owned
                };
                hits.into_iter()
                    .map(|h| to_alignment(e, ta, d, tb, h))
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by_key(|x| (x.a, x.b, x.a_span, x.b_span));
        Ok(out)
    }

    /// A compact binary encoding of the index (JSON of the same data, which `serde` also
    /// offers, is several times larger). Round-trips through [`PassageIndex::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(64 + self.postings.len() * 8);
        w.extend_from_slice(if self.keeps_texts {
            MAGIC
        } else {
            MAGIC_WITHOUT_TEXTS
        });
        let cfg = serde_json::to_vec(&self.cfg).unwrap_or_default();
        put_u64(&mut w, cfg.len() as u64);
        w.extend_from_slice(&cfg);
        put_u64(&mut w, self.doc_count as u64);
        for d in &self.docs {
            d.write(&mut w);
        }
        put_u64(&mut w, self.postings.len() as u64);
        for &(k, d) in &self.postings {
            w.extend_from_slice(&k.to_le_bytes());
            w.extend_from_slice(&d.to_le_bytes());
        }
        put_u64(&mut w, self.pairs_aligned);
        w
    }

    /// Decodes [`PassageIndex::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::AlignError> {
        let mut r = Reader::new(bytes);
        let keeps_texts = match r.take(MAGIC.len())? {
            m if m == MAGIC => true,
            m if m == MAGIC_WITHOUT_TEXTS => false,
            _ => return Err(crate::AlignError::Format("not a passage index".into())),
        };
        let n = r.u64()? as usize;
        let cfg: AlignConfig = serde_json::from_slice(r.take(n)?)
            .map_err(|e| crate::AlignError::Format(format!("index config: {e}")))?;
        let nd = r.u64()? as usize;
        let mut docs = Vec::new();
        if keeps_texts {
            docs.reserve(nd.min(bytes.len()));
            for _ in 0..nd {
                docs.push(StoredDoc::read(&mut r)?);
            }
        }
        let np = r.u64()? as usize;
        let mut postings = Vec::with_capacity(np.min(bytes.len() / 8));
        for _ in 0..np {
            postings.push((r.u32()?, r.u32()?));
        }
        let pairs_aligned = r.u64()?;
        Ok(Self {
            cfg,
            docs,
            doc_count: nd,
            keeps_texts,
            postings,
            pairs_aligned,
        })
    }
}

/// Documents tokenised and fingerprinted for one [`PassageIndex::add_prepared_with`].
pub struct PreparedBatch {
    toks: Vec<Tokens>,
    /// Each document's winnowed fingerprints: (key, n-gram start).
    prints: Vec<Vec<(u32, u32)>>,
}

impl PreparedBatch {
    /// The distinct fingerprints (sorted) that adding the batch looks up and changes. An
    /// index holding the postings of these fingerprints only ([`PassageIndex::set_postings`])
    /// adds the batch exactly as the whole index would: candidates, the rare-fingerprint check
    /// and the document-frequency cap read nothing else. That lets a store keep the postings
    /// on disk and load, per batch, what the batch touches.
    pub fn keys(&self) -> Vec<u32> {
        let mut keys: Vec<u32> = self.prints.iter().flatten().map(|&(k, _)| k).collect();
        keys.par_sort_unstable();
        keys.dedup();
        keys
    }

    /// Number of documents in the batch.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when the batch holds no document.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }
}

const MAGIC: &[u8] = b"ibid-align-index-v1\n";
/// Same layout with no document words (the count of documents, then the postings); as long
/// as [`MAGIC`].
const MAGIC_WITHOUT_TEXTS: &[u8] = b"ibid-align-postings1";

fn to_alignment(a: usize, ta: &Tokens, b: usize, tb: &Tokens, h: Hit) -> Alignment {
    Alignment {
        a,
        a_span: ta.char_span(h.a.0, h.a.1),
        b,
        b_span: tb.char_span(h.b.0, h.b.1),
        similarity: h.similarity(),
    }
}

/// Merges sorted new postings into sorted old ones, replacing every fingerprint found in more
/// than `max_df` documents by a tombstone (kept so that it stays dropped in later batches).
/// Also returns, for each new posting, its fingerprint's `(start, len)` in the merged list
/// (`len` 0 when tombstoned).
fn merge_capped(
    old: &[(u32, u32)],
    fresh: &[(u32, u32)],
    max_df: usize,
) -> (Vec<Posting>, Vec<(u32, u32)>) {
    let mut out = Vec::with_capacity(old.len() + fresh.len());
    let mut groups = Vec::with_capacity(fresh.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < fresh.len() {
        let key = match (old.get(i), fresh.get(j)) {
            (Some(o), Some(f)) => o.0.min(f.0),
            (Some(o), None) => o.0,
            (None, Some(f)) => f.0,
            (None, None) => break,
        };
        let ei = i + old[i..].iter().take_while(|p| p.0 == key).count();
        let ej = j + fresh[j..].iter().take_while(|p| p.0 == key).count();
        let capped = old[i..ei].first().is_some_and(|p| p.1 == TOMBSTONE);
        let start = out.len() as u32;
        if capped || (ei - i) + (ej - j) > max_df {
            out.push((key, TOMBSTONE));
            groups.extend((j..ej).map(|_| (start, 0)));
        } else {
            // New documents are numbered after old ones, so the group stays sorted by doc.
            out.extend_from_slice(&old[i..ei]);
            out.extend_from_slice(&fresh[j..ej]);
            let len = ((ei - i) + (ej - j)) as u32;
            groups.extend((j..ej).map(|_| (start, len)));
        }
        i = ei;
        j = ej;
    }
    (out, groups)
}

/// Earlier documents sharing at least `min_shared` live fingerprints with document `d`, most
/// shared first, at most `max_candidates`. `live` holds `d`'s fingerprints as posting ranges.
fn candidates(
    postings: &[(u32, u32)],
    live: &[(u32, u32, u32)],
    d: u32,
    cfg: &AlignConfig,
) -> Vec<u32> {
    let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
    for &(_, lo, len) in live {
        for p in &postings[lo as usize..(lo + len) as usize] {
            if p.1 < d {
                *counts.entry(p.1).or_default() += 1;
            }
        }
    }
    let mut c: Vec<(u32, u32)> = counts
        .into_iter()
        .filter(|&(_, n)| n as usize >= cfg.min_shared.max(1))
        .map(|(doc, n)| (n, doc))
        .collect();
    c.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    c.truncate(cfg.max_candidates);
    c.into_iter().map(|(_, doc)| doc).collect()
}

/// True when one of `d`'s fingerprints (`prints`: key, n-gram start) lies wholly inside the
/// hit's range in `d`, is live (under the DF cap) and is shared with document `e`.
fn holds_rare_shared(
    postings: &[(u32, u32)],
    prints: &[(u32, u32)],
    n: usize,
    h: &Hit,
    e: u32,
) -> bool {
    prints.iter().any(|&(key, pos)| {
        let pos = pos as usize;
        if pos < h.b.0 || pos + n > h.b.1 {
            return false;
        }
        let lo = postings.partition_point(|p| p.0 < key);
        let group = &postings[lo..lo + postings[lo..].iter().take_while(|p| p.0 == key).count()];
        group.binary_search(&(key, e)).is_ok()
    })
}

fn put_u64(w: &mut Vec<u8>, x: u64) {
    w.extend_from_slice(&x.to_le_bytes());
}

/// Bounds-checked little-endian reader for [`PassageIndex::from_bytes`].
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], crate::AlignError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| crate::AlignError::Format("truncated passage index".into()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, crate::AlignError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, crate::AlignError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> AlignDoc<'_> {
        AlignDoc {
            id: "x",
            outlet: None,
            published: None,
            text,
        }
    }

    fn filler(seed: u32, n: usize) -> String {
        (0..n)
            .map(|i| format!("f{seed}q{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    const PASSAGE: &str = "the mayor said on friday that the new tram line would open in the spring after two years of delays and cost overruns";

    #[test]
    fn later_batches_align_against_earlier_ones() {
        let t0 = format!("{} {} {}", filler(0, 50), PASSAGE, filler(1, 20));
        let t1 = filler(2, 80);
        let t2 = format!("{} {}. {}", filler(3, 5), PASSAGE, filler(4, 40));
        let mut idx = PassageIndex::new(AlignConfig::default());
        assert!(idx.add_batch(&[doc(&t0), doc(&t1)]).is_empty());
        let found = idx.add_batch(&[doc(&t2)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let al = found[0];
        assert_eq!((al.a, al.b), (0, 2));
        let cut = |t: &str, s: (u32, u32)| -> String {
            t.chars()
                .skip(s.0 as usize)
                .take((s.1 - s.0) as usize)
                .collect()
        };
        assert_eq!(cut(&t0, al.a_span), PASSAGE);
        // The full stop after the passage in t2 is part of its span.
        assert_eq!(cut(&t2, al.b_span), format!("{PASSAGE}."));
        assert_eq!(al.similarity, 1.0);
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn common_fingerprints_are_capped() {
        let cfg = AlignConfig {
            max_df: 3,
            ..AlignConfig::default()
        };
        let texts: Vec<String> = (0..6)
            .map(|i| format!("{} {} {}", filler(10 + i, 30), PASSAGE, filler(20 + i, 30)))
            .collect();
        let mut idx = PassageIndex::new(cfg);
        let docs: Vec<AlignDoc> = texts.iter().map(|t| doc(t)).collect();
        // Six documents share every passage fingerprint: over the cap, nothing is paired.
        assert!(idx.add_batch(&docs).is_empty());
        assert!(idx.postings.iter().any(|p| p.1 == TOMBSTONE));
        // And the fingerprints stay dropped for later documents.
        let late = format!("{} {} {}", filler(40, 30), PASSAGE, filler(41, 30));
        assert!(idx.add_batch(&[doc(&late)]).is_empty());
        // While a copy of a document's own wording still pairs with it.
        let copy = format!("{} {}", filler(10, 30), filler(20, 30));
        let found = idx.add_batch(&[doc(&copy)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].a, found[0].b), (0, 7));
    }

    #[test]
    fn serialisation_round_trips_and_keeps_working() {
        let t0 = format!("{} {} {}", filler(0, 50), PASSAGE, filler(1, 20));
        let t1 = format!("{} {}", PASSAGE, filler(5, 10));
        let mut idx = PassageIndex::new(AlignConfig::default());
        idx.add_batch(&[doc(&t0)]);
        let bytes = idx.to_bytes();
        let mut back = PassageIndex::from_bytes(&bytes).unwrap();
        assert_eq!(back, idx);
        let json = serde_json::to_string(&idx).unwrap();
        assert_eq!(serde_json::from_str::<PassageIndex>(&json).unwrap(), idx);
        assert_eq!(back.add_batch(&[doc(&t1)]), idx.add_batch(&[doc(&t1)]));
        assert!(PassageIndex::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn the_postings_a_batch_touches_are_enough_to_add_it() {
        let texts: Vec<String> = (0..8)
            .map(|i| format!("{} {} {}", filler(i, 40), PASSAGE, filler(i + 50, 20)))
            .chain([format!("{} {}", filler(3, 40), filler(99, 30))])
            .collect();
        let cfg = AlignConfig {
            max_df: 5,
            ..AlignConfig::default()
        };
        let mut whole = PassageIndex::without_texts(cfg.clone());
        let docs: Vec<AlignDoc> = texts.iter().map(|t| doc(t)).collect();
        let earlier =
            |wanted: &[usize]| Ok::<_, ()>(wanted.iter().map(|&e| texts[e].clone()).collect());
        whole.add_batch_with(&docs[..4], earlier).unwrap();
        // The partial index: the same counts, and only the postings of the next batch's keys.
        let keys = whole.prepare(&docs[4..]).keys();
        let mut partial = PassageIndex::from_bytes(&whole.to_bytes()).unwrap();
        partial.set_postings(
            whole
                .postings_by_key()
                .into_iter()
                .filter(|(k, _)| keys.binary_search(k).is_ok())
                .collect(),
        );
        assert!(partial.postings_len() < whole.postings_len());
        let expected = whole.add_batch_with(&docs[4..], earlier).unwrap();
        let found = partial.add_batch_with(&docs[4..], earlier).unwrap();
        assert_eq!(found, expected);
        assert!(!found.is_empty());
        // Written back, the partial index's lists are the whole index's for those keys,
        // including the passage's fingerprints that went over the cap in this batch.
        let now: FxHashMap<u32, Vec<u32>> = whole.postings_by_key().into_iter().collect();
        for (k, list) in partial.postings_by_key() {
            assert_eq!(now[&k], list);
        }
        assert!(partial.postings.iter().any(|p| p.1 == TOMBSTONE));
        assert_eq!(partial.len(), whole.len());
        // And the lists read back in any order make the same index.
        let mut lists = whole.postings_by_key();
        lists.reverse();
        let mut again = whole.clone();
        again.set_postings(lists);
        assert_eq!(again, whole);
    }

    #[test]
    fn an_index_without_texts_finds_what_one_with_texts_finds() {
        let texts: Vec<String> = vec![
            format!("{} {} {}", filler(0, 50), PASSAGE, filler(1, 20)),
            filler(2, 80),
            format!("{} {}. {}", filler(3, 5), PASSAGE, filler(4, 40)),
            format!("{} {}", filler(2, 60), filler(6, 30)),
            format!("{PASSAGE} {}", filler(7, 30)),
        ];
        let mut with = PassageIndex::new(AlignConfig::default());
        let mut without = PassageIndex::without_texts(AlignConfig::default());
        let mut asked: Vec<Vec<usize>> = Vec::new();
        for batch in [0..2, 2..4, 4..5] {
            let docs: Vec<AlignDoc> = texts[batch.clone()].iter().map(|t| doc(t)).collect();
            let expected = with.add_batch(&docs);
            let found = without
                .add_batch_with(&docs, |wanted: &[usize]| {
                    asked.push(wanted.to_vec());
                    Ok::<_, ()>(wanted.iter().map(|&e| texts[e].clone()).collect())
                })
                .unwrap();
            assert_eq!(found, expected);
            // Batches pair across their boundary, so earlier texts were needed.
            if batch.start > 0 {
                assert!(!found.is_empty());
            }
        }
        // Only earlier documents that new ones pair with are asked for, each once a batch.
        assert_eq!(asked, vec![vec![], vec![0, 1], vec![0, 2]]);
        assert_eq!(without.len(), with.len());
        assert!(without.to_bytes().len() < with.to_bytes().len());
        let back = PassageIndex::from_bytes(&without.to_bytes()).unwrap();
        assert!(!back.keeps_texts());
        assert_eq!(back, without);
        // An index with texts converts; a failed request leaves the index as it was.
        with.drop_texts();
        assert_eq!(with.to_bytes(), without.to_bytes());
        let before = without.clone();
        let late = format!("{} {PASSAGE}", filler(9, 30));
        let err = without.add_batch_with(&[doc(&late)], |_: &[usize]| Err("store closed"));
        assert_eq!(err, Err("store closed"));
        assert_eq!(without, before);
    }
}
