//! One-shot dedup of a corpus too large to hold: texts stream through in batches, only the
//! compact index stays in memory, and each doc's shingle fingerprints go to an unlinked
//! temporary file, from which the LSH candidates are verified exactly at the end.
//!
//! This is what `ibid dedup` runs. Memory is the index (~0.4 KB a doc at the defaults) plus
//! one batch; the spill file holds 4 bytes per shingle and lives in the page cache.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::sync::Mutex;

use crate::exact::RawFingerprints;
use crate::index::{DedupConfig, DedupDoc, DedupIndex};

use crate::DedupError;

/// Streaming front end of [`DedupIndex`] for one-shot runs: [`Self::add_batch`] as texts
/// arrive, then [`Self::finish`] for candidates and exact verification.
#[derive(Debug)]
pub struct SpillingDedup {
    index: DedupIndex,
    spill: BufWriter<File>,
    /// Byte offset of each doc's fingerprints in the spill file; one more entry than docs.
    offsets: Vec<u64>,
}

/// Counts from [`SpillingDedup::finish`], for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpillStats {
    /// Candidate pairs from LSH and containment samples.
    pub candidates: usize,
    /// Candidates that passed the exact check (duplicates or containment).
    pub links: usize,
    /// Bytes written to the spill file.
    pub spill_bytes: u64,
}

impl SpillingDedup {
    /// An empty run with its spill file (created in the system's temp folder and unlinked at
    /// once, so it disappears with the process whatever happens).
    pub fn new(config: DedupConfig) -> Result<Self, DedupError> {
        Ok(Self {
            index: DedupIndex::new(config)?,
            spill: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            offsets: vec![0],
        })
    }

    /// Number of docs added.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True before the first doc.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Shingles and signs a batch in parallel (see [`DedupIndex::add_batch`]) and spills its
    /// fingerprints; returns the docs' indices.
    pub fn add_batch(&mut self, docs: &[DedupDoc<'_>]) -> Result<Range<usize>, DedupError> {
        let (range, sets) = self.index.add_batch_fingerprints(docs);
        let mut end = self.offsets.last().copied().unwrap_or(0);
        for set in sets {
            // Native byte order: the file never leaves this process, and `finish` reads the
            // bytes straight back into u32s.
            let bytes: &[u8] = bytemuck::cast_slice(&set);
            self.spill.write_all(bytes)?;
            end += bytes.len() as u64;
            self.offsets.push(end);
        }
        Ok(range)
    }

    /// Finds the candidate pairs of all docs and verifies them on their exact fingerprint
    /// sets, read back from the spill file about once per doc ([`DedupIndex::match_all`]); returns the finished index (groups,
    /// pairs, links) and counts. A read failure of the spill file is an error, not a silently
    /// skipped pair.
    pub fn finish(self) -> Result<(DedupIndex, SpillStats), DedupError> {
        let Self {
            mut index,
            spill,
            offsets,
            ..
        } = self;
        let reader = SpillReader::new(spill.into_inner().map_err(|e| e.into_error())?);
        let failure: Mutex<Option<std::io::Error>> = Mutex::new(None);
        let loads = std::sync::atomic::AtomicUsize::new(0);
        let links_before = index.links().len();
        let candidates = index.match_all(|d| {
            loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (start, end) = (*offsets.get(d as usize)?, *offsets.get(d as usize + 1)?);
            let len = usize::try_from(end - start).ok()?;
            // Read straight into the fingerprints' own buffer: a byte buffer converted after
            // the read cost a third of the time of loading.
            let mut fingerprints = vec![0u32; len / 4];
            match reader.read_exact_at(bytemuck::cast_slice_mut(&mut fingerprints), start) {
                Ok(()) => Some(RawFingerprints(fingerprints)),
                Err(e) => {
                    if let Ok(mut f) = failure.lock() {
                        f.get_or_insert(e);
                    }
                    None
                }
            }
        });
        let links = index.links().len() - links_before;
        tracing::debug!(candidates, links, ?loads, "verified");
        // Closing the unlinked file frees its pages in the page cache (hundreds of MB on a
        // large run, tens of ms of kernel time): done on a thread of its own, it overlaps the
        // caller's output instead of delaying it. Should the process exit first, the kernel
        // frees them on the way out, as it would have anyway.
        std::thread::spawn(move || drop(reader));
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(DedupError::Spill(e));
        }
        let stats = SpillStats {
            candidates,
            links,
            spill_bytes: offsets.last().copied().unwrap_or(0),
        };
        Ok((index, stats))
    }
}

/// Positioned reads from many threads at once.
struct SpillReader {
    #[cfg(unix)]
    file: File,
    #[cfg(not(unix))]
    file: Mutex<File>,
}

impl SpillReader {
    fn new(file: File) -> Self {
        #[cfg(unix)]
        return Self { file };
        #[cfg(not(unix))]
        return Self {
            file: Mutex::new(file),
        };
    }

    #[cfg(unix)]
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, at)
    }

    #[cfg(not(unix))]
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("spill file lock poisoned"))?;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup;

    fn words(seed: u64, n: usize) -> String {
        let mut st = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                format!("w{}", st % 500)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Ids `d00`, `d01`, … for `texts`.
    fn ids_for(texts: &[String]) -> Vec<String> {
        (0..texts.len()).map(|i| format!("d{i:02}")).collect()
    }

    /// Undated docs of `ids` and `texts`, pairwise.
    fn undated_docs<'a>(ids: &'a [String], texts: &'a [String]) -> Vec<DedupDoc<'a>> {
        ids.iter()
            .zip(texts)
            .map(|(id, text)| DedupDoc {
                id,
                published: None,
                text,
            })
            .collect()
    }

    #[test]
    fn containment_reaches_every_copy_of_both_stories() {
        // A story and its near copy; an excerpt of it (a wire brief) and the brief's near
        // copy; unrelated filler. The containment pass sees one doc per near-copy group, and
        // each of the four brief-in-story pairs must still be verified and reported.
        let story = words(7, 600);
        let mut copy: Vec<&str> = story.split(' ').collect();
        copy[450] = "changed";
        let copy = copy.join(" ");
        let brief: String = story.split(' ').take(200).collect::<Vec<_>>().join(" ");
        let mut brief_copy: Vec<&str> = brief.split(' ').collect();
        brief_copy[75] = "edited";
        let brief_copy = brief_copy.join(" ");
        let mut texts = vec![story, copy, brief, brief_copy];
        texts.extend((100..110).map(|s| words(s, 300)));
        let ids = ids_for(&texts);
        let docs = undated_docs(&ids, &texts);
        let mut run = SpillingDedup::new(DedupConfig::default()).unwrap();
        run.add_batch(&docs).unwrap();
        let (index, _) = run.finish().unwrap();
        let results = index.results();
        for big in ["d00", "d01"] {
            let r = results.iter().find(|r| r.id == big).unwrap();
            assert_eq!(r.contains, ["d02", "d03"], "{big}");
        }
        for small in ["d02", "d03"] {
            let r = results.iter().find(|r| r.id == small).unwrap();
            assert_eq!(r.contained_in, ["d00", "d01"], "{small}");
        }
        assert_eq!(results.iter().filter(|r| r.group_size > 1).count(), 4);
    }

    #[test]
    fn spilling_run_in_batches_equals_the_in_memory_run() {
        // Originals, near copies (a word changed), a verbatim copy and a contained excerpt,
        // spread over batches so candidates cross batch boundaries.
        let mut texts = Vec::new();
        for s in 0..30u64 {
            texts.push(words(s, 300));
        }
        for s in 0..10u64 {
            let mut t: Vec<String> = texts[s as usize].split(' ').map(str::to_string).collect();
            t[150] = "changed".into();
            texts.push(t.join(" "));
        }
        texts.push(texts[3].clone());
        let excerpt: Vec<&str> = texts[5].split(' ').take(120).collect();
        texts.push(format!("{} {}", excerpt.join(" "), words(99, 20)));
        let ids = ids_for(&texts);
        let docs = undated_docs(&ids, &texts);
        let config = DedupConfig::default();
        let (expected, expected_pairs) = dedup(&docs, &config).unwrap();
        let mut run = SpillingDedup::new(config).unwrap();
        for chunk in docs.chunks(7) {
            run.add_batch(chunk).unwrap();
        }
        let (index, stats) = run.finish().unwrap();
        assert_eq!(index.results(), expected);
        assert_eq!(index.pairs(), expected_pairs);
        // 10 near copies; the verbatim copy of doc 3 pairs with doc 3 and its near copy.
        assert_eq!(expected_pairs.len(), 12);
        assert!(stats.links >= 10 && stats.candidates >= stats.links);
        assert!(expected.iter().any(|r| !r.contained_in.is_empty()));
    }
}
