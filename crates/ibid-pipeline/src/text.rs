//! The text stages over the store: shared passages (incremental), entity merging and
//! statement linking (over the stored per-article results).

use std::collections::{BTreeMap, HashMap, HashSet};

use ibid_core::CompactOffsets;
use ibid_extract::ArticleExtraction;
use ibid_store::{AlignmentRow, Store};
use rayon::prelude::*;

use crate::results::{ArticleResults, RESULTS_VERSION};
use crate::{parse_time, progress_bar, PipelineError, Result, EXTRACT_VERSION};

/// Version tag of the persisted passage index (`stage_state` "align"). Bump it when alignment
/// changes: the index and every alignment row are then rebuilt.
pub const ALIGN_VERSION: &str = concat!("align-", env!("CARGO_PKG_VERSION"), "-1");

/// Articles aligned per call of [`ibid_align::PassageIndex::add_batch`].
const ALIGN_CHUNK: usize = 4000;

/// Quotes, statements, entities and shared passages; replaces the quote and entity tables and
/// appends to the alignments.
///
/// Nothing is cleaned or extracted here: each article's quotes, mentions and offset map were
/// computed once, when it was cleaned, and are read back from `article_results`. Passages are
/// aligned incrementally (only articles the persisted index has not seen, see
/// [`align_stage`]). Entities are merged across the whole store and statements linked within
/// each storyline, from the stored extractions. Skipped when the cleaned articles are exactly
/// those this stage version last saw (a fingerprint, so a crash between stages cannot leave it
/// stale).
pub(crate) fn text_stage(store: &mut Store, progress: bool) -> Result<(usize, usize, usize)> {
    let fingerprint = store.cleaned_fingerprint()?;
    if store.stage_state("extract", EXTRACT_VERSION)?.as_deref() == Some(fingerprint.as_bytes()) {
        return Ok((
            store.quotes()?.len(),
            store.entities()?.len(),
            store.alignments()?.len(),
        ));
    }
    // Where the stage's time goes, for `-v` and the benchmarks.
    let mut lap = std::time::Instant::now();
    let mut timed = |part: &str| {
        tracing::info!(part, seconds = lap.elapsed().as_secs_f64(), "text stage");
        lap = std::time::Instant::now();
    };
    let alignments = align_stage(store, progress)?;
    timed("align");

    let mut per_article: Vec<(String, ArticleResults)> = Vec::new();
    store.for_each_article_result(RESULTS_VERSION, |id, data| {
        let r = ArticleResults::decode(data).map_err(|e| corrupt(&id, e))?;
        per_article.push((id, r));
        Ok(())
    })?;
    let refs: Vec<(String, &ArticleExtraction)> = per_article
        .iter()
        .map(|(id, r)| (id.clone(), &r.extraction))
        .collect();
    let results_of: HashMap<&str, &ArticleResults> =
        per_article.iter().map(|(id, r)| (id.as_str(), r)).collect();
    // Exported quote and mention texts are exactly what their spans cut from the original.
    let written = |id: &str, span: ibid_core::Span, text: &str| -> String {
        results_of
            .get(id)
            .map_or(text, |r| r.written(span, text))
            .to_string()
    };
    timed("read results");
    let merged = ibid_extract::merge_entities(&refs);
    timed("merge entities");

    let memberships = store.memberships()?;
    let mut groups: BTreeMap<String, Vec<(String, &ArticleExtraction)>> = BTreeMap::new();
    for (id, ex) in &refs {
        let group = match memberships.get(id) {
            Some((story, line)) => line.clone().unwrap_or_else(|| story.clone()),
            None => format!("article:{id}"),
        };
        groups.entry(group).or_default().push((id.clone(), *ex));
    }
    let statement_of: HashMap<(String, usize), String> = groups
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|g| ibid_extract::link_statements(g))
        .map(|(a, q, s)| ((a, q), s))
        .collect();

    // The contract's speaker is the entity's canonical name across the store, not the
    // article's own spelling: map each article's names to their merged entity.
    timed("link statements");
    let mut entity_at: HashMap<(&str, ibid_core::Span), &str> = HashMap::new();
    for e in &merged.entities {
        for (article, span, _) in &e.mentions {
            entity_at.insert((article.as_str(), *span), e.name.as_str());
        }
    }
    let mut canonical: HashMap<(&str, &str), &str> = HashMap::new();
    for (id, r) in &per_article {
        for m in &r.extraction.mentions {
            if let Some(name) = entity_at.get(&(id.as_str(), m.span)) {
                canonical
                    .entry((id.as_str(), m.canonical.as_str()))
                    .or_insert(name);
            }
        }
    }
    let mut quotes = Vec::new();
    for (id, r) in &per_article {
        for (qi, q) in r.extraction.quotes.iter().enumerate() {
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
                // Two decimals, as measured (f32 -> f64 would store 0.7 as 0.6999...).
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
    let counts = (quotes.len(), entities.len(), alignments);
    timed("rows");
    store.replace_extraction(&quotes, &entities)?;
    store.save_stage_state("extract", EXTRACT_VERSION, fingerprint.as_bytes())?;
    timed("write");
    Ok(counts)
}

fn corrupt(id: &str, e: impl std::fmt::Display) -> ibid_store::StoreError {
    ibid_store::StoreError::Corrupt(format!("stored results of article {id}: {e}"))
}

/// The persisted passage index with the article id of each of its documents.
struct AlignState {
    index: ibid_align::PassageIndex,
    ids: Vec<String>,
}

impl AlignState {
    /// `[u64 index length][PassageIndex::to_bytes][postcard ids]`.
    fn encode(&self) -> Vec<u8> {
        let index = self.index.to_bytes();
        let mut out = Vec::with_capacity(index.len() + 8 + self.ids.len() * 24);
        out.extend_from_slice(&(index.len() as u64).to_le_bytes());
        out.extend_from_slice(&index);
        out.extend(postcard::to_allocvec(&self.ids).unwrap_or_default());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
        let index =
            ibid_align::PassageIndex::from_bytes(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
        let ids: Vec<String> = postcard::from_bytes(bytes.get(8 + n..)?).ok()?;
        (ids.len() == index.len()).then_some(Self { index, ids })
    }
}

/// Aligns shared passages of the articles the persisted passage index has not seen yet,
/// against everything it holds, in publication order, [`ALIGN_CHUNK`] at a time; appends their
/// alignment rows (spans mapped back to original offsets) and saves the index with them in
/// one transaction. Returns the number of alignment rows in the store.
///
/// The index is rebuilt from scratch (and the table replaced) when it is missing, of another
/// [`ALIGN_VERSION`], or holds an article that has since got a new version: an index cannot
/// take a document back.
pub(crate) fn align_stage(store: &mut Store, progress: bool) -> Result<usize> {
    let keys = store.cleaned_keys_in_time_order()?;
    let saved = store
        .stage_state("align", ALIGN_VERSION)?
        .and_then(|b| AlignState::decode(&b));
    let changed: HashSet<String> = store
        .new_versions_since_mark("align")?
        .into_iter()
        .collect();
    let (mut state, rebuild) = match saved {
        Some(s) if !s.ids.iter().any(|id| changed.contains(id)) => (s, false),
        _ => (
            AlignState {
                index: ibid_align::PassageIndex::new(ibid_align::AlignConfig::default()),
                ids: Vec::new(),
            },
            true,
        ),
    };
    let fresh = crate::unseen(&keys, state.ids.iter().map(String::as_str).collect());
    let bar = progress_bar(progress, fresh.len() as u64, "align");
    let mut rows = Vec::new();
    for chunk in fresh.chunks(ALIGN_CHUNK) {
        let base = state.index.len();
        let refs = store.cleaned_refs(chunk)?;
        let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
        let mut offsets: HashMap<String, CompactOffsets> = decode_offsets(store, &ids)?;
        let published: Vec<_> = refs
            .iter()
            .map(|r| parse_time(r.published.as_deref()))
            .collect();
        let docs: Vec<ibid_align::AlignDoc<'_>> = refs
            .iter()
            .zip(&published)
            .map(|(r, published)| ibid_align::AlignDoc {
                id: &r.id,
                outlet: r.outlet.as_deref(),
                published: *published,
                text: &r.text,
            })
            .collect();
        let found = state.index.add_batch(&docs);
        state.ids.extend(refs.iter().map(|r| r.id.clone()));
        // Offset maps of the earlier articles these passages were found in.
        let older: Vec<&str> = found
            .iter()
            .filter(|a| a.a < base)
            .map(|a| state.ids[a.a].as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        offsets.extend(decode_offsets(store, &older)?);
        for a in found {
            let (ida, idb) = (&state.ids[a.a], &state.ids[a.b]);
            let (Some(oa), Some(ob)) = (offsets.get(ida), offsets.get(idb)) else {
                continue;
            };
            let sa = oa.span_to_original(a.a_span.0, a.a_span.1);
            let sb = ob.span_to_original(a.b_span.0, a.b_span.1);
            rows.push(AlignmentRow {
                a: ida.clone(),
                a_start: i64::from(sa.start),
                a_end: i64::from(sa.end),
                b: idb.clone(),
                b_start: i64::from(sb.start),
                b_end: i64::from(sb.end),
                similarity: a.similarity,
                passage: None,
            });
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    if rebuild || !fresh.is_empty() {
        // Passage clusters are named over every pair, old and new, and written with the new
        // rows in one transaction.
        let stored = if rebuild {
            Vec::new()
        } else {
            store.alignment_rows_with_ids()?
        };
        let labels = passage_labels(&keys, stored.iter().map(|(_, r)| r).chain(&rows));
        let relabel: Vec<(i64, Option<String>)> = stored
            .iter()
            .zip(&labels)
            .filter(|((_, row), label)| row.passage != **label)
            .map(|((rowid, _), label)| (*rowid, label.clone()))
            .collect();
        for (row, label) in rows.iter_mut().zip(&labels[stored.len()..]) {
            row.passage = label.clone();
        }
        store.append_alignments(
            &rows,
            rebuild,
            &relabel,
            ("align", ALIGN_VERSION, &state.encode()),
        )?;
    }
    store.set_mark("align")?;
    Ok(store.alignment_count()?)
}

/// Each alignment row's passage: the cluster of aligned occurrences it belongs to, named by its
/// earliest occurrence (as `ibid passages` names them). Reads no texts: clusters come from the
/// spans and publication order alone, so relabelling the whole table costs a pass over it.
fn passage_labels<'a>(
    keys: &[ibid_store::CleanedKey],
    rows: impl Iterator<Item = &'a AlignmentRow>,
) -> Vec<Option<String>> {
    let index: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.id.as_str(), i))
        .collect();
    let published: Vec<_> = keys
        .iter()
        .map(|k| parse_time(k.published.as_deref()))
        .collect();
    let docs: Vec<ibid_align::AlignDoc<'_>> = keys
        .iter()
        .zip(&published)
        .map(|(k, published)| ibid_align::AlignDoc {
            id: &k.id,
            outlet: None,
            published: *published,
            text: "",
        })
        .collect();
    let span = |start: i64, end: i64| (start.max(0) as u32, end.max(0) as u32);
    // A pair naming an article no longer current gets an index past `docs`: no cluster.
    let pairs: Vec<ibid_align::Alignment> = rows
        .map(|r| ibid_align::Alignment {
            a: index.get(r.a.as_str()).copied().unwrap_or(usize::MAX),
            a_span: span(r.a_start, r.a_end),
            b: index.get(r.b.as_str()).copied().unwrap_or(usize::MAX),
            b_span: span(r.b_start, r.b_end),
            similarity: r.similarity,
        })
        .collect();
    let clusters = ibid_align::passage_clusters(&docs, &pairs);
    ibid_align::cluster_of_alignments(&clusters, &pairs)
        .into_iter()
        .map(|cluster| {
            cluster.map(|c| {
                let (doc, span) = clusters[c].source;
                ibid_align::passage_id(&keys[doc].id, span)
            })
        })
        .collect()
}

/// The stored offset maps of `ids` (current versions).
fn decode_offsets(store: &Store, ids: &[&str]) -> Result<HashMap<String, CompactOffsets>> {
    store
        .article_results(RESULTS_VERSION, ids)?
        .into_iter()
        .map(|(id, data)| {
            let r = ArticleResults::decode(&data).map_err(|e| corrupt(&id, e))?;
            Ok((id, r.offsets))
        })
        .collect::<Result<_, ibid_store::StoreError>>()
        .map_err(PipelineError::from)
}
