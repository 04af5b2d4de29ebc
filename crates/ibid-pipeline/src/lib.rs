//! Orchestration: ingest inputs into the store, then bring every derived stage up to date.
//!
//! The stages themselves live in their own crates and know nothing of SQLite:
//! - per-article stages ([`ibid_clean::clean`]) are pure functions of one article plus a
//!   read-only index, run in parallel with rayon;
//! - cross-article stages ([`ibid_dedup`], [`ibid_stories`]) take batches of plain structs.
//!
//! This crate moves data between them and the store, in batches, each written in one
//! transaction, so a kill at any moment leaves the store consistent and the next run picks up
//! exactly what is missing.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ibid_core::{CleanedArticle, RawArticle};
use ibid_ingest::{Item, ReadOptions};
use ibid_store::{Incoming, IncomingArticle, IncomingRejection, IngestCounts, Store, StoreError};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

/// Version tag of the clean stage's output. Bump it when cleaning changes so stores
/// re-clean on the next run.
pub const CLEAN_VERSION: &str = concat!("clean-", env!("CARGO_PKG_VERSION"), "-2");

/// Version tag of the text stages' output (quotes, entities, alignments).
pub const EXTRACT_VERSION: &str = concat!("extract-", env!("CARGO_PKG_VERSION"), "-4");

mod dedup;
mod lines;
mod memory;
mod rebuild;
mod results;
mod rows;
mod stories;
mod text;

pub use dedup::DEDUP_VERSION;
pub use rebuild::{invalidate, Stage};
pub use results::{ArticleResults, RESULTS_VERSION};
pub use stories::STORIES_VERSION;
pub use text::ALIGN_VERSION;

/// Pipeline errors.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The dedup stage refused its configuration.
    #[error("dedup: {0}")]
    Dedup(String),
    /// Stage state could not be (de)serialised.
    #[error("stage state: {0}")]
    State(#[from] serde_json::Error),
}

/// Result alias.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

/// Knobs for an ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Limits for reading.
    pub read: ReadOptions,
    /// Records per transaction.
    pub batch_records: usize,
    /// Bytes of text per transaction (whichever limit comes first).
    pub batch_bytes: usize,
    /// Draw progress bars on stderr (they hide themselves when stderr is not a terminal).
    pub progress: bool,
    /// Run the derived stages after reading.
    pub process: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            read: ReadOptions::default(),
            batch_records: 1000,
            batch_bytes: 16 * 1024 * 1024,
            progress: true,
            process: true,
        }
    }
}

/// A rejected record, for reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RejectionNote {
    /// `file` or `file:line`.
    pub location: String,
    /// Why.
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestReport {
    /// Inputs read (files, stdin).
    pub inputs: usize,
    /// Per-outcome counts.
    pub counts: IngestCounts,
    /// Rejections of this run (the first 1,000; all are in the store).
    pub rejections: Vec<RejectionNote>,
    /// Derived stages, when run.
    pub process: Option<ProcessReport>,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// What a processing pass did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProcessReport {
    /// Articles (re)cleaned.
    pub cleaned: usize,
    /// Current articles.
    pub articles: usize,
    /// Articles that duplicate another.
    pub duplicates: usize,
    /// Stories.
    pub stories: usize,
    /// Storylines.
    pub storylines: usize,
    /// Articles added to the story engine incrementally (0 when it was rebuilt).
    pub stories_incremental: usize,
    /// Whether the story engine was rebuilt from scratch.
    pub stories_rebuilt: bool,
    /// Quotations found.
    pub quotes: usize,
    /// Entities (after merging variants across articles).
    pub entities: usize,
    /// Aligned passage pairs.
    pub alignments: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Wall time of each stage that ran, in seconds, in order (clean, dedup, stories, text).
    pub stage_seconds: Vec<(String, f64)>,
}

/// Reads `paths` into the store and, unless disabled, brings derived data up to date.
pub fn ingest(store: &mut Store, paths: &[PathBuf], opts: &IngestOptions) -> Result<IngestReport> {
    let started = Instant::now();
    let discovery = ibid_ingest::discover(paths);
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let run = store.begin_run(&names)?;
    let mut counts = IngestCounts::default();
    let mut notes = Vec::new();
    let mut batch = Batch::default();

    for rejection in discovery.rejections {
        batch.push(Item::Rejected(rejection), &mut notes);
    }
    let total_bytes: u64 = discovery
        .inputs
        .iter()
        .filter_map(|i| i.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(opts.progress, total_bytes, "ingest");
    let bytes_read = AtomicU64::new(0);
    for input in &discovery.inputs {
        bar.set_message(input.display());
        let mut failure: Option<StoreError> = None;
        // Rejections past the per-input cap are counted into one summary, not stored one by one.
        let mut cap = ibid_ingest::RejectionCap::default();
        let result = ibid_ingest::read_input(input, &opts.read, &bytes_read, &mut |item| {
            let Some(item) = cap.admit(item) else {
                return Ok(());
            };
            batch.push(item, &mut notes);
            if batch.is_full(opts) {
                match batch.flush(store, run) {
                    Ok(c) => counts.add(c),
                    Err(e) => {
                        let msg = e.to_string();
                        failure = Some(e);
                        return Err(ibid_ingest::IngestError::Sink(msg));
                    }
                }
                bar.set_position(bytes_read.load(Ordering::Relaxed));
            }
            Ok(())
        });
        if let Some(e) = failure {
            bar.abandon();
            return Err(e.into());
        }
        if let Err(e) = result {
            tracing::error!("{e}");
        }
        if let Some(summary) = cap.finish() {
            batch.push(Item::Rejected(summary), &mut notes);
        }
        bar.set_position(bytes_read.load(Ordering::Relaxed));
    }
    counts.add(batch.flush(store, run)?);
    bar.finish_and_clear();
    store.finish_run(run, counts)?;
    let process = if opts.process {
        Some(process(store, opts.progress)?)
    } else {
        None
    };
    Ok(IngestReport {
        inputs: discovery.inputs.len(),
        counts,
        rejections: notes,
        process,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Records waiting for their transaction.
struct Batch {
    items: Vec<Incoming>,
    bytes: usize,
    /// "Now" for judging metadata dates (fixed for the run, as the clean stage's clock is).
    now: chrono::DateTime<chrono::Utc>,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            bytes: 0,
            now: chrono::Utc::now(),
        }
    }
}

impl Batch {
    fn push(&mut self, item: Item, notes: &mut Vec<RejectionNote>) {
        match item {
            Item::Article(rec) => {
                self.bytes += rec.article.text.len();
                let warnings = metadata_warnings(&rec, self.now);
                self.items.push(Incoming::Article(IncomingArticle {
                    article: rec.article,
                    source: rec.location.source,
                    record: rec.location.record,
                    fetched: rec.fetched,
                    raw: rec.raw,
                }));
                self.items
                    .extend(warnings.into_iter().map(Incoming::Warning));
            }
            Item::Rejected(rej) => {
                tracing::warn!(location = %rej.location, "rejected: {}", rej.reason);
                if notes.len() < 1000 {
                    notes.push(RejectionNote {
                        location: rej.location.to_string(),
                        reason: rej.reason.clone(),
                    });
                }
                self.bytes += rej.raw.len();
                self.items.push(Incoming::Rejection(IncomingRejection {
                    source: rej.location.source,
                    record: rej.location.record,
                    reason: rej.reason,
                    raw: rej.raw,
                    raw_len: rej.raw_len,
                    records: rej.records,
                }));
            }
        }
    }

    fn is_full(&self, opts: &IngestOptions) -> bool {
        self.items.len() >= opts.batch_records || self.bytes >= opts.batch_bytes
    }

    fn flush(&mut self, store: &mut Store, run: i64) -> Result<IngestCounts, StoreError> {
        let mut counts = IngestCounts::default();
        if self.items.is_empty() {
            return Ok(counts);
        }
        for outcome in store.write_batch(run, &self.items)? {
            counts.count(outcome);
        }
        self.items.clear();
        self.bytes = 0;
        Ok(counts)
    }
}

/// The warnings of one record: those of the reader (unusable values) and, when its metadata
/// date cannot be trusted, that one (the raw value stays in the article; cleaning ignores it).
fn metadata_warnings(
    rec: &ibid_ingest::Record,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<ibid_store::IncomingWarning> {
    let warning = |field: &str, value: &str, message: String| ibid_store::IncomingWarning {
        article: rec.article.id.clone(),
        source: rec.location.source.clone(),
        record: rec.location.record,
        field: field.to_string(),
        value: ibid_ingest::warning_value(value),
        message,
    };
    let mut out: Vec<_> = rec
        .warnings
        .iter()
        .map(|w| warning(&w.field, &w.value, w.message.clone()))
        .collect();
    if let Some(raw) = rec.article.published.as_deref() {
        if let Err(why) = ibid_clean::parse_published(raw, now) {
            out.push(warning(
                "published",
                raw,
                format!(
                    "not a usable date ({why}); kept as given, not used as the publication time"
                ),
            ));
        }
    }
    out
}

/// Brings every derived stage up to date with the stored originals.
pub fn process(store: &mut Store, progress: bool) -> Result<ProcessReport> {
    let started = Instant::now();
    let mut stage_seconds = Vec::new();
    let mut lap = Instant::now();
    let mut timed = |name: &str| {
        let s = lap.elapsed().as_secs_f64();
        let (rss_mb, peak_mb) = memory::resident_mb();
        tracing::info!(stage = name, seconds = s, rss_mb, peak_mb, "stage done");
        stage_seconds.push((name.to_string(), s));
        lap = Instant::now();
    };
    let cleaned = clean_stage(store, progress)?;
    timed("clean");
    let (duplicates, copy_of) = dedup::dedup_stage(store)?;
    timed("dedup");
    let (stories, storylines, incremental, rebuilt) = stories::story_stage(store, &copy_of)?;
    timed("stories");
    let articles = store.counts()?.articles as usize;
    let (quotes, entities, alignments) = text::text_stage(store, progress)?;
    timed("text");
    Ok(ProcessReport {
        stage_seconds,
        quotes,
        entities,
        alignments,
        cleaned,
        articles,
        duplicates,
        stories,
        storylines,
        stories_incremental: incremental,
        stories_rebuilt: rebuilt,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Cleans what needs cleaning: articles never cleaned (or by an older clean stage), and the
/// already cleaned articles whose cleaning the new ones change.
///
/// An article's cleaning depends on the rest of the store only through its outlet's line
/// statistics ([`ibid_clean::LineIndex`]): whether each of its short lines recurs in enough
/// articles of the outlet to be furniture. Adding articles only raises counts, so a stored
/// article needs cleaning again only when one of its lines crossed the threshold. The index
/// without the pending articles (what the stored ones were cleaned with) is the one the last
/// pass saved (`lines.rs`), or is counted again from the stored texts when that one counted
/// other articles; the pending articles' lines are counted on their own, and the lines they
/// push over the threshold ([`ibid_clean::LineIndex::crossed_keys`]) are looked up in the
/// stored articles' kept line keys. An ingest of 1,000 articles into a store of 160,000 then
/// re-cleans about 1,500 instead of every article of every outlet it touched, reading no
/// other text. A new version of an already stored article also takes its old version's lines
/// out of the counts, which crossing cannot see: its whole outlet is cleaned again.
///
/// Crash safety: re-cleaned stored articles are written before any pending one, so if the
/// process dies part-way the pending articles are still pending next time and the comparison
/// is made again; articles already re-cleaned are simply cleaned once more. The index is saved
/// after the last cleaned row: a crash before it leaves a saved index whose digest matches no
/// later set of articles.
fn clean_stage(store: &mut Store, progress: bool) -> Result<usize> {
    // Articles whose per-article results are missing or stale are cleaned again too: the
    // results are made from the cleaned article, in the same pass (`results.rs`).
    let pending = store.pending_clean_or_results(CLEAN_VERSION, results::RESULTS_VERSION)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let pending_rows: HashSet<i64> = pending.iter().map(|p| p.rowid).collect();
    let replaced = outlets_of_new_versions(store, &pending)?;
    let listing = store.current_outlets()?;
    let current = listing.len();
    let all_rows = lines::rowid_set_digest(listing.iter().map(|(rowid, _)| *rowid));
    let stored: Vec<(i64, Option<String>)> = listing
        .into_iter()
        .filter(|(rowid, _)| !pending_rows.contains(rowid))
        .collect();
    // `before`: the lines of every current article except the pending ones, as saved by the
    // last run when it counted exactly those, else counted again from their texts.
    let saved = lines::load(
        store,
        lines::rowid_set_digest(stored.iter().map(|(rowid, _)| *rowid)),
    )?;
    let reused = saved.is_some();
    let before = match saved {
        Some(index) => index,
        None => {
            let mut index = ibid_clean::LineIndex::default();
            let mut keys: Vec<(i64, Vec<u64>)> = Vec::new();
            store.for_each_current(|rowid, raw| {
                if !pending_rows.contains(&rowid) {
                    let k = index.line_keys(&raw.text);
                    if let Some(outlet) = raw.outlet.as_deref() {
                        index.add_keys(outlet, &k);
                    }
                    keys.push((rowid, k));
                }
            })?;
            // Kept, so the articles' texts need not be read again to find these keys.
            store.write_line_keys(CLEAN_VERSION, &keys)?;
            index
        }
    };
    // Each article's short-line keys are computed once and stored (`line_keys`): they are
    // what finds the stored articles a batch's furniture changes, without their texts.
    let pending_keys: Vec<(i64, Vec<u64>)> = pending
        .par_iter()
        .map(|p| (p.rowid, before.line_keys(&p.article.text)))
        .collect();
    let mut added = ibid_clean::LineIndex::with_config(before.config());
    for (p, (_, keys)) in pending.iter().zip(&pending_keys) {
        if let Some(outlet) = p.article.outlet.as_deref() {
            added.add_keys(outlet, keys);
        }
    }
    store.write_line_keys(CLEAN_VERSION, &pending_keys)?;
    drop(pending_keys);
    let crossed = before.crossed_keys(&added);
    let mut index = before;
    index.merge(added);
    // Only stored articles of outlets where a line became furniture (or of an outlet with a
    // new version of an article) are looked at, and re-cleaned if they hold such a line.
    let outlet_of: HashMap<i64, String> = stored
        .iter()
        .filter_map(|(rowid, outlet)| {
            let key = outlet_key(outlet.as_deref()?);
            (replaced.contains(&key) || crossed.contains_key(&key)).then_some((*rowid, key))
        })
        .collect();
    let mut candidates: Vec<i64> = outlet_of.keys().copied().collect();
    candidates.sort_unstable();
    let mut todo: Vec<(i64, RawArticle)> = Vec::new();
    let mut keys_computed = 0usize;
    for chunk in candidates.chunks(2000) {
        let mut keys = store.line_keys(CLEAN_VERSION, chunk)?;
        // Stores from before the keys were kept: computed from the texts once, and kept.
        let missing: Vec<i64> = chunk
            .iter()
            .copied()
            .filter(|r| !keys.contains_key(r))
            .collect();
        if !missing.is_empty() {
            let computed: Vec<(i64, Vec<u64>)> = store
                .raw_articles(&missing)?
                .into_par_iter()
                .map(|(rowid, raw)| (rowid, index.line_keys(&raw.text)))
                .collect();
            store.write_line_keys(CLEAN_VERSION, &computed)?;
            keys_computed += computed.len();
            keys.extend(computed);
        }
        let affected: Vec<i64> = chunk
            .iter()
            .copied()
            .filter(|rowid| {
                let key = &outlet_of[rowid];
                replaced.contains(key)
                    || crossed.get(key).is_some_and(|crossed| {
                        keys.get(rowid)
                            .is_some_and(|ks| ks.iter().any(|k| crossed.contains(k)))
                    })
            })
            .collect();
        todo.extend(store.raw_articles(&affected)?);
    }
    let recleaned = todo.len();
    todo.extend(pending.into_iter().map(|p| (p.rowid, p.article)));
    tracing::info!(
        pending = todo.len() - recleaned,
        recleaned,
        examined = candidates.len(),
        keys_computed,
        line_index_reused = reused,
        "clean stage: pending articles and stored articles whose furniture changed"
    );
    let bar = progress_bar(progress, todo.len() as u64, "clean");
    let now = chrono::Utc::now();
    let gazetteer = ibid_extract::Gazetteer::bundled();
    type Cleaned = (Vec<(i64, CleanedArticle, u64)>, Vec<(i64, Vec<u8>)>);
    let compute = |chunk: &[(i64, RawArticle)]| -> Cleaned {
        chunk
            .par_iter()
            .map(|(rowid, raw)| {
                let cleaned = ibid_clean::clean_at(raw, &index, now);
                let key = ibid_dedup::normalized_text_hash(&cleaned.text);
                let results =
                    results::ArticleResults::compute(&raw.text, &cleaned, &gazetteer).encode();
                ((*rowid, cleaned, key), (*rowid, results))
            })
            .unzip()
    };
    // Results before the cleaned rows: a kill between the two leaves the article pending
    // (its cleaned row stale or missing), never a fresh cleaned row beside stale results.
    let write = |store: &mut Store, (rows, results): Cleaned| -> Result<usize> {
        store.write_article_results(results::RESULTS_VERSION, &results)?;
        store.write_cleaned(CLEAN_VERSION, &rows)?;
        Ok(rows.len())
    };
    // A chunk is written while the next one is cleaned: writing (the search index above all)
    // runs on one core, and left the other idle for a fifth of the stage.
    let mut unwritten: Option<Cleaned> = None;
    for chunk in todo.chunks(2000) {
        let (cleaned, written) = rayon::join(
            || compute(chunk),
            || unwritten.take().map(|done| write(store, done)).transpose(),
        );
        bar.inc(written?.unwrap_or(0) as u64);
        unwritten = Some(cleaned);
    }
    if let Some(done) = unwritten {
        bar.inc(write(store, done)? as u64);
    }
    bar.finish_and_clear();
    // Every current article is now cleaned with `index`: saved for the next run, after the
    // last cleaned row (a crash before this leaves a digest that matches no later set).
    lines::save(store, all_rows, &index)?;
    if todo.len().saturating_mul(OPTIMIZE_SEARCH_SHARE) >= current {
        optimize_search_index(store)?;
    }
    Ok(todo.len())
}

/// The search index is merged into one b-tree when a clean pass rewrote at least 1/this of the
/// current articles (see [`optimize_search_index`]).
const OPTIMIZE_SEARCH_SHARE: usize = 10;

/// Merges the search index's segments (FTS5 `optimize`). Every cleaned batch adds segments;
/// reading one merged b-tree instead makes each later search about a third cheaper (measured
/// on a 37k-article store: 2.95 -> 2.03 ms CPU per search page), for about 5 s of work on that
/// store. The cost is proportional to the whole index, so a small ingest into a big store
/// leaves it to FTS5's own incremental merging. One transaction; a crash leaves the index as
/// it was.
fn optimize_search_index(store: &mut Store) -> Result<()> {
    let started = Instant::now();
    store
        .connection()
        .execute_batch("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
        .map_err(StoreError::from)?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "search index optimized"
    );
    Ok(())
}

/// The outlets (as [`outlet_key`]) of pending articles that replace an older stored version
/// of the same id.
fn outlets_of_new_versions(
    store: &Store,
    pending: &[ibid_store::PendingArticle],
) -> Result<HashSet<String>> {
    let mut stmt = store
        .connection()
        .prepare_cached("SELECT version FROM articles WHERE rowid = ?1")
        .map_err(StoreError::from)?;
    let mut out = HashSet::new();
    for p in pending {
        let version: i64 = stmt
            .query_row([p.rowid], |r| r.get(0))
            .map_err(StoreError::from)?;
        if version > 1 {
            if let Some(o) = p.article.outlet.as_deref() {
                out.insert(outlet_key(o));
            }
        }
    }
    Ok(out)
}

/// The key under which [`ibid_clean::LineIndex`] counts an outlet's lines (trimmed, lower
/// case), so spellings of one outlet that the index pools are pooled here too.
fn outlet_key(outlet: &str) -> String {
    outlet.trim().to_lowercase()
}

/// The ids of `keys` (in their order) that an incremental index does not hold yet.
fn unseen<'a>(keys: &'a [ibid_store::CleanedKey], known: HashSet<&str>) -> Vec<&'a str> {
    keys.iter()
        .map(|k| k.id.as_str())
        .filter(|id| !known.contains(id))
        .collect()
}

fn parse_time(s: Option<&str>) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    s.and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
}

fn rfc3339(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A progress bar on stderr for `len` units of `what` ("ingest" counts bytes, anything else
/// items); hidden when `enabled` is false (indicatif also hides it off a terminal).
pub fn progress_bar(enabled: bool, len: u64, what: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template = if what == "ingest" {
        "{prefix:>7} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}"
    } else {
        "{prefix:>7} [{bar:30}] {pos}/{len} {per_sec} {wide_msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests;
