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
    let alignments = align_stage(store, progress)?;

    let mut per_article: Vec<(String, ArticleExtraction)> = Vec::new();
    store.for_each_article_result(RESULTS_VERSION, |id, data| {
        let r = ArticleResults::decode(data).map_err(|e| corrupt(&id, e))?;
        per_article.push((id, r.extraction));
        Ok(())
    })?;
    let refs: Vec<(String, &ArticleExtraction)> = per_article
        .iter()
        .map(|(id, ex)| (id.clone(), ex))
        .collect();
    let merged = ibid_extract::merge_entities(&refs);

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
    let mut entity_at: HashMap<(&str, ibid_core::Span), &str> = HashMap::new();
    for e in &merged.entities {
        for (article, span, _) in &e.mentions {
            entity_at.insert((article.as_str(), *span), e.name.as_str());
        }
    }
    let mut canonical: HashMap<(&str, &str), &str> = HashMap::new();
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
                text: q.text.clone(),
                speaker,
                speaker_start: q.speaker_span.map(|s| i64::from(s.start)),
                speaker_end: q.speaker_span.map(|s| i64::from(s.end)),
                direct: q.direct,
                statement: statement_of.get(&(id.clone(), qi)).cloned(),
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
                    article,
                    start: i64::from(span.start),
                    end: i64::from(span.end),
                    text,
                })
                .collect(),
        })
        .collect();
    let counts = (quotes.len(), entities.len(), alignments);
    store.replace_extraction(&quotes, &entities)?;
    store.save_stage_state("extract", EXTRACT_VERSION, fingerprint.as_bytes())?;
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
    let known: HashSet<&str> = state.ids.iter().map(String::as_str).collect();
    let fresh: Vec<&str> = keys
        .iter()
        .map(|k| k.id.as_str())
        .filter(|id| !known.contains(id))
        .collect();
    drop(known);
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
            });
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    if rebuild || !fresh.is_empty() {
        store.append_alignments(&rows, rebuild, ("align", ALIGN_VERSION, &state.encode()))?;
    }
    store.set_mark("align")?;
    Ok(store.alignment_count()?)
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
