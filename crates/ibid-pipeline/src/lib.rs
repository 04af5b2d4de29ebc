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

use ibid_core::RawArticle;
use ibid_ingest::{Item, ReadOptions};
use ibid_store::{
    DedupRecord, Incoming, IncomingArticle, IncomingRejection, IngestCounts, Store, StoreError,
    StoryRow,
};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

/// Version tag of the clean stage's output. Bump it when cleaning changes so stores
/// re-clean on the next run.
pub const CLEAN_VERSION: &str = concat!("clean-", env!("CARGO_PKG_VERSION"), "-2");

/// Version tag of the text stages' output (quotes, entities, alignments).
pub const EXTRACT_VERSION: &str = concat!("extract-", env!("CARGO_PKG_VERSION"), "-3");

/// Version tag of the persisted story engine state.
pub const STORIES_VERSION: &str = concat!("stories-", env!("CARGO_PKG_VERSION"), "-2");

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
        tracing::info!(stage = name, seconds = s, "stage done");
        stage_seconds.push((name.to_string(), s));
        lap = Instant::now();
    };
    let cleaned = clean_stage(store, progress)?;
    timed("clean");
    let refs = store.cleaned_in_time_order()?;
    let (duplicates, copy_of) = dedup_stage(store, &refs)?;
    timed("dedup");
    let (stories, storylines, incremental, rebuilt) = story_stage(store, &refs, &copy_of)?;
    timed("stories");
    let articles = refs.len();
    // The cleaned texts are not needed by the text stage, which holds its own copies.
    drop(refs);
    let (quotes, entities, alignments) = text_stage(store, progress)?;
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
/// article needs cleaning again only when one of its lines crossed the threshold. Those are
/// found by comparing the index without the pending articles (what the stored ones were cleaned
/// with) to the index with them, line by line; an ingest of 8,000 articles into a store of
/// 40,000 then re-cleans a few hundred instead of every article of every outlet it touched.
/// A new version of an already stored article also takes its old version's lines out of the
/// counts, which this comparison cannot see: its whole outlet is cleaned again.
///
/// Crash safety: re-cleaned stored articles are written before any pending one, so if the
/// process dies part-way the pending articles are still pending next time and the comparison
/// is made again; articles already re-cleaned are simply cleaned once more.
fn clean_stage(store: &mut Store, progress: bool) -> Result<usize> {
    let pending = store.pending_clean(CLEAN_VERSION)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let pending_rows: HashSet<i64> = pending.iter().map(|p| p.rowid).collect();
    let replaced = outlets_of_new_versions(store, &pending)?;
    let touched: HashSet<String> = pending
        .iter()
        .filter_map(|p| p.article.outlet.as_deref())
        .map(outlet_key)
        .collect();
    // `before`: every current article except the pending ones.
    let mut before = ibid_clean::LineIndex::default();
    let mut stored: Vec<(i64, RawArticle)> = Vec::new();
    let mut current = 0usize;
    store.for_each_current(|rowid, raw| {
        current += 1;
        if pending_rows.contains(&rowid) {
            return;
        }
        before.add(&raw);
        if raw
            .outlet
            .as_deref()
            .is_some_and(|o| touched.contains(&outlet_key(o)))
        {
            stored.push((rowid, raw));
        }
    })?;
    let mut index = before.clone();
    for p in &pending {
        index.add(&p.article);
    }
    // Lines longer than this are never counted by `LineIndex::add` (the same cut: no line of
    // at most `max_words` words averages 40 bytes a word), so they cannot change status;
    // skipping them avoids normalising every body paragraph twice.
    let max_bytes = index.config().max_words.saturating_mul(40).max(200);
    let mut todo: Vec<(i64, RawArticle)> = stored
        .into_par_iter()
        .filter(|(_, raw)| {
            let Some(outlet) = raw.outlet.as_deref() else {
                return false;
            };
            replaced.contains(&outlet_key(outlet))
                || raw
                    .text
                    .split(['\n', '\r'])
                    .filter(|line| line.len() <= max_bytes)
                    .any(|line| {
                        before.is_outlet_boilerplate(outlet, line)
                            != index.is_outlet_boilerplate(outlet, line)
                    })
        })
        .collect();
    drop(before);
    let recleaned = todo.len();
    todo.extend(pending.into_iter().map(|p| (p.rowid, p.article)));
    tracing::info!(
        pending = todo.len() - recleaned,
        recleaned,
        "clean stage: pending articles and stored articles whose furniture changed"
    );
    let bar = progress_bar(progress, todo.len() as u64, "clean");
    let now = chrono::Utc::now();
    for chunk in todo.chunks(2000) {
        let rows: Vec<_> = chunk
            .par_iter()
            .map(|(rowid, raw)| {
                let cleaned = ibid_clean::clean_at(raw, &index, now);
                let key = ibid_dedup::normalized_text_hash(&cleaned.text);
                (*rowid, cleaned, key)
            })
            .collect();
        store.write_cleaned(CLEAN_VERSION, &rows)?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
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

/// Quotes, statements, entities and shared passages over all current articles; replaces
/// their tables.
///
/// These need each article's offset map back to the original text, which is not stored, so
/// articles are cleaned again (a pure function: same input, same output) in chunks; only the
/// cleaned text and a run-length offset map ([`ibid_core::CompactOffsets`]) are kept per
/// article. Entities are merged across the whole store; statements are linked within each
/// storyline, where renderings of one statement appear; passages are aligned across the whole
/// store in time order. Skipped when the cleaned articles are exactly those this stage
/// version last saw (a fingerprint, so a crash between stages cannot leave it stale).
fn text_stage(store: &mut Store, progress: bool) -> Result<(usize, usize, usize)> {
    let fingerprint = store.cleaned_fingerprint()?;
    if store.stage_state("extract", EXTRACT_VERSION)?.as_deref() == Some(fingerprint.as_bytes()) {
        return Ok((
            store.quotes()?.len(),
            store.entities()?.len(),
            store.alignments()?.len(),
        ));
    }
    let mut index = ibid_clean::LineIndex::default();
    let mut raws: Vec<RawArticle> = Vec::new();
    store.for_each_current(|_, raw| {
        index.add(&raw);
        raws.push(raw);
    })?;
    let gazetteer = ibid_extract::Gazetteer::bundled();
    let now = chrono::Utc::now();
    let bar = progress_bar(progress, raws.len() as u64, "extract");
    let mut per_article: Vec<(String, ibid_extract::ArticleExtraction)> =
        Vec::with_capacity(raws.len());
    let mut texts: std::collections::HashMap<String, (String, ibid_core::CompactOffsets)> =
        std::collections::HashMap::with_capacity(raws.len());
    // Exported quote and mention texts are exactly what their spans cut from the original
    // text; extraction works on normalised text (no soft hyphens, single spaces), so the few
    // that differ are kept here, by article and span.
    let mut as_written: std::collections::HashMap<(String, ibid_core::Span), String> =
        std::collections::HashMap::new();
    for chunk in raws.chunks(2000) {
        let part: Vec<_> = chunk
            .par_iter()
            .map(|raw| {
                let cleaned = ibid_clean::clean_at(raw, &index, now);
                let ex = ibid_extract::extract(&cleaned, &gazetteer);
                let offsets = ibid_core::CompactOffsets::from_map(&cleaned.offsets);
                let spans = ex
                    .quotes
                    .iter()
                    .map(|q| (q.span, q.text.as_str()))
                    .chain(ex.mentions.iter().map(|m| (m.span, m.text.as_str())));
                let differing = original_slices(&raw.text, spans);
                (raw.id.clone(), ex, cleaned.text, offsets, differing)
            })
            .collect();
        for (id, ex, text, offsets, differing) in part {
            for (span, slice) in differing {
                as_written.insert((id.clone(), span), slice);
            }
            texts.insert(id.clone(), (text, offsets));
            per_article.push((id, ex));
        }
        bar.inc(chunk.len() as u64);
    }
    let written = |id: &str, span: ibid_core::Span, text: &str| -> String {
        as_written
            .get(&(id.to_string(), span))
            .cloned()
            .unwrap_or_else(|| text.to_string())
    };
    bar.finish_and_clear();
    drop(raws);
    let alignments = align_passages(store, &texts, progress)?;

    let refs: Vec<(String, &ibid_extract::ArticleExtraction)> = per_article
        .iter()
        .map(|(id, ex)| (id.clone(), ex))
        .collect();
    let merged = ibid_extract::merge_entities(&refs);

    let memberships = store.memberships()?;
    let mut groups: std::collections::BTreeMap<
        String,
        Vec<(String, &ibid_extract::ArticleExtraction)>,
    > = std::collections::BTreeMap::new();
    for (id, ex) in &refs {
        let group = match memberships.get(id) {
            Some((story, line)) => line.clone().unwrap_or_else(|| story.clone()),
            None => format!("article:{id}"),
        };
        groups.entry(group).or_default().push((id.clone(), *ex));
    }
    let statement_of: std::collections::HashMap<(String, usize), String> = groups
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|g| ibid_extract::link_statements(g))
        .map(|(a, q, s)| ((a, q), s))
        .collect();

    // The contract's speaker is the entity's canonical name across the store, not the
    // article's own spelling: map each article's names to their merged entity.
    let mut entity_at: std::collections::HashMap<(&str, ibid_core::Span), &str> =
        std::collections::HashMap::new();
    for e in &merged.entities {
        for (article, span, _) in &e.mentions {
            entity_at.insert((article.as_str(), *span), e.name.as_str());
        }
    }
    let mut canonical: std::collections::HashMap<(&str, &str), &str> =
        std::collections::HashMap::new();
    for (id, ex) in &per_article {
        for m in &ex.mentions {
            if let Some(name) = entity_at.get(&(id.as_str(), m.span)) {
                canonical
                    .entry((id.as_str(), m.canonical.as_str()))
                    .or_insert(name);
            }
        }
    }
    let mut quotes = Vec::new();
    for (id, ex) in &per_article {
        for (qi, q) in ex.quotes.iter().enumerate() {
            let speaker = q.speaker.as_deref().map(|s| {
                canonical
                    .get(&(id.as_str(), s))
                    .map_or_else(|| s.to_string(), |n| n.to_string())
            });
            quotes.push(ibid_store::QuoteRow {
                article: id.clone(),
                start: i64::from(q.span.start),
                end: i64::from(q.span.end),
                text: written(id, q.span, &q.text),
                speaker,
                speaker_start: q.speaker_span.map(|s| i64::from(s.start)),
                speaker_end: q.speaker_span.map(|s| i64::from(s.end)),
                direct: q.direct,
                statement: statement_of.get(&(id.clone(), qi)).cloned(),
                // Two decimals, as measured (f32 → f64 would store 0.7 as 0.6999…).
                confidence: (f64::from(q.confidence) * 100.0).round() / 100.0,
            });
        }
    }
    let entities: Vec<ibid_store::EntityRow> = merged
        .entities
        .into_iter()
        .map(|e| ibid_store::EntityRow {
            id: e.id,
            name: e.name,
            kind: match e.kind {
                ibid_extract::EntityKind::Per => "PER",
                ibid_extract::EntityKind::Org => "ORG",
                ibid_extract::EntityKind::Loc => "LOC",
            }
            .to_string(),
            variants: e.variants,
            mentions: e
                .mentions
                .into_iter()
                .map(|(article, span, text)| ibid_store::MentionRow {
                    text: written(&article, span, &text),
                    article,
                    start: i64::from(span.start),
                    end: i64::from(span.end),
                })
                .collect(),
        })
        .collect();
    let counts = (quotes.len(), entities.len(), alignments.len());
    store.replace_extraction(&quotes, &entities)?;
    store.replace_alignments(&alignments)?;
    store.save_stage_state("extract", EXTRACT_VERSION, fingerprint.as_bytes())?;
    Ok(counts)
}

/// The spans whose text differs from what they cut from `original` (code points), with that
/// cut: soft hyphens, odd spaces and line breaks that normalisation folded.
fn original_slices<'a>(
    original: &str,
    spans: impl Iterator<Item = (ibid_core::Span, &'a str)>,
) -> Vec<(ibid_core::Span, String)> {
    let mut spans: Vec<(ibid_core::Span, &str)> = spans.collect();
    if spans.is_empty() {
        return Vec::new();
    }
    spans.sort_by_key(|(s, _)| *s);
    // Byte offset of every code point, once per article.
    let bytes: Vec<usize> = original
        .char_indices()
        .map(|(b, _)| b)
        .chain([original.len()])
        .collect();
    let at = |cp: u32| bytes.get(cp as usize).copied().unwrap_or(original.len());
    spans
        .into_iter()
        .filter_map(|(span, text)| {
            let slice = &original[at(span.start)..at(span.end).max(at(span.start))];
            (slice != text).then(|| (span, slice.to_string()))
        })
        .collect()
}

/// Aligns shared passages across all current articles, in publication order, in batches;
/// spans are mapped from cleaned text back to original offsets.
fn align_passages(
    store: &Store,
    texts: &std::collections::HashMap<String, (String, ibid_core::CompactOffsets)>,
    progress: bool,
) -> Result<Vec<ibid_store::AlignmentRow>> {
    let refs = store.cleaned_in_time_order()?;
    let order: Vec<(
        &ibid_store::CleanedRef,
        &(String, ibid_core::CompactOffsets),
    )> = refs
        .iter()
        .filter_map(|r| texts.get(&r.id).map(|t| (r, t)))
        .collect();
    let published: Vec<_> = order
        .iter()
        .map(|(r, _)| parse_time(r.published.as_deref()))
        .collect();
    let mut index = ibid_align::PassageIndex::new(ibid_align::AlignConfig::default());
    let bar = progress_bar(progress, order.len() as u64, "align");
    let mut rows = Vec::new();
    // The same pairs in original offsets, for the passage clusters.
    let mut pairs: Vec<ibid_align::Alignment> = Vec::new();
    let mut start = 0;
    for chunk in order.chunks(4000) {
        let docs: Vec<ibid_align::AlignDoc<'_>> = chunk
            .iter()
            .zip(&published[start..])
            .map(|((r, (text, _)), published)| ibid_align::AlignDoc {
                id: &r.id,
                outlet: r.outlet.as_deref(),
                published: *published,
                text,
            })
            .collect();
        for a in index.add_batch(&docs) {
            let (Some((ra, (_, oa))), Some((rb, (_, ob)))) = (order.get(a.a), order.get(a.b))
            else {
                continue;
            };
            let sa = oa.span_to_original(a.a_span.0, a.a_span.1);
            let sb = ob.span_to_original(a.b_span.0, a.b_span.1);
            rows.push(ibid_store::AlignmentRow {
                a: ra.id.clone(),
                a_start: i64::from(sa.start),
                a_end: i64::from(sa.end),
                b: rb.id.clone(),
                b_start: i64::from(sb.start),
                b_end: i64::from(sb.end),
                similarity: a.similarity,
                passage: None,
            });
            pairs.push(ibid_align::Alignment {
                a: a.a,
                a_span: (sa.start, sa.end),
                b: a.b,
                b_span: (sb.start, sb.end),
                similarity: a.similarity,
            });
        }
        start += chunk.len();
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    // Each pair's passage: the cluster of aligned occurrences it belongs to, named by its
    // earliest occurrence (as `ibid passages` names them).
    let docs: Vec<ibid_align::AlignDoc<'_>> = order
        .iter()
        .zip(&published)
        .map(|((r, _), published)| ibid_align::AlignDoc {
            id: &r.id,
            outlet: r.outlet.as_deref(),
            published: *published,
            text: "",
        })
        .collect();
    let clusters = ibid_align::passage_clusters(&docs, &pairs);
    for (row, cluster) in rows
        .iter_mut()
        .zip(ibid_align::cluster_of_alignments(&clusters, &pairs))
    {
        row.passage = cluster.map(|c| {
            let (doc, span) = clusters[c].source;
            ibid_align::passage_id(&order[doc].0.id, span)
        });
    }
    Ok(rows)
}

/// Exact and near-duplicate groups over all current articles; replaces the dedup table.
/// Returns the number of duplicates and, for each copy, the original it copies.
fn dedup_stage(
    store: &mut Store,
    refs: &[ibid_store::CleanedRef],
) -> Result<(usize, HashMap<String, String>)> {
    let docs: Vec<ibid_dedup::DedupDoc<'_>> = refs
        .iter()
        .map(|r| ibid_dedup::DedupDoc {
            id: &r.id,
            published: parse_time(r.published.as_deref()),
            text: &r.text,
        })
        .collect();
    let (results, _pairs) = ibid_dedup::dedup(&docs, &ibid_dedup::DedupConfig::default())
        .map_err(|e| PipelineError::Dedup(e.to_string()))?;
    let hash_of: std::collections::HashMap<&str, i64> =
        refs.iter().map(|r| (r.id.as_str(), r.norm_hash)).collect();
    let records: Vec<DedupRecord> = results
        .into_iter()
        .map(|r| {
            let kind = match &r.duplicate_of {
                Some(orig) if hash_of.get(orig.as_str()) == hash_of.get(r.id.as_str()) => "exact",
                Some(_) => "near",
                None if !r.contained_in.is_empty() || !r.contains.is_empty() => "containment",
                None => "none",
            };
            DedupRecord {
                article_id: r.id,
                group_id: r.group,
                duplicate_of: r.duplicate_of,
                copies: r.group_size.saturating_sub(1) as i64,
                kind: kind.to_string(),
            }
        })
        .collect();
    let copy_of: HashMap<String, String> = records
        .iter()
        .filter_map(|r| Some((r.article_id.clone(), r.duplicate_of.clone()?)))
        .collect();
    store.replace_dedup(&records)?;
    Ok((copy_of.len(), copy_of))
}

/// Online story assignment. The engine's state is persisted; new articles are added to it in
/// time order. When an already-assigned article changed (a new version), the engine is rebuilt
/// from scratch, because an online clusterer cannot take an article back.
fn story_stage(
    store: &mut Store,
    refs: &[ibid_store::CleanedRef],
    copy_of: &HashMap<String, String>,
) -> Result<(usize, usize, usize, bool)> {
    let saved = store.stage_state("stories", STORIES_VERSION)?;
    let mut engine: Option<ibid_stories::StoryEngine> = match saved {
        Some(bytes) => serde_json::from_slice(&bytes).ok(),
        None => None,
    };
    // Pages that are not articles (widgets, index pages, galleries) stay out of stories; an
    // engine that holds one (cleaned before it was recognised) is rebuilt without it.
    let current: HashSet<&str> = refs
        .iter()
        .filter(|r| r.non_article.is_none())
        .map(|r| r.id.as_str())
        .collect();
    let stale = engine.as_ref().is_some_and(|e| {
        e.stories()
            .iter()
            .flat_map(|s| s.articles.iter())
            .any(|id| !current.contains(id.as_str()))
    });
    let changed = store.new_versions_since_mark("stories")?;
    let rebuild = engine.is_none()
        || stale
        || changed
            .iter()
            .any(|id| engine.as_ref().is_some_and(|e| e.story_of(id).is_some()));
    if rebuild {
        engine = Some(ibid_stories::StoryEngine::new(
            ibid_stories::StoryConfig::default(),
        ));
    }
    let Some(mut engine) = engine else {
        return Ok((0, 0, 0, rebuild));
    };
    let batch: Vec<ibid_stories::StoryDoc> = refs
        .iter()
        .filter(|r| r.non_article.is_none() && engine.story_of(&r.id).is_none())
        .map(|r| ibid_stories::StoryDoc {
            id: r.id.clone(),
            published: parse_time(r.published.as_deref()),
            outlet: r.outlet.clone(),
            title: r.title.clone(),
            text: r.text.clone(),
            copy_of: copy_of.get(&r.id).cloned(),
        })
        .collect();
    // The batch's vocabulary statistics are known before any of it is assigned; assignment
    // itself stays online, in time order (`refs` is sorted).
    // `add_batch` prepares the next articles' features on the other cores while this one
    // assigns, one article at a time.
    engine.prime(&batch);
    engine.add_batch(&batch);
    let added = batch.len();
    let rows: Vec<StoryRow> = engine
        .stories()
        .into_iter()
        .map(|s| StoryRow {
            id: s.id,
            storyline: Some(s.storyline),
            title: s.title,
            first_published: s.first_published.map(rfc3339),
            articles: s.articles,
            outlets: s.outlets,
            first_outlet: s.first_outlet,
            last_published: s.last_published.map(rfc3339),
        })
        .collect();
    let storylines: HashSet<&str> = rows.iter().filter_map(|r| r.storyline.as_deref()).collect();
    let counts = (rows.len(), storylines.len());
    store.replace_stories(&rows)?;
    store.save_stage_state("stories", STORIES_VERSION, &serde_json::to_vec(&engine)?)?;
    store.set_mark("stories")?;
    Ok((counts.0, counts.1, if rebuild { 0 } else { added }, rebuild))
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
