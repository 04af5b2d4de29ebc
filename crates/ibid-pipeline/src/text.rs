//! The text stages over the store: shared passages (incremental), entity merging and
//! statement linking (over the stored per-article results).

use std::collections::{BTreeMap, HashMap, HashSet};

use ibid_core::CompactOffsets;
use ibid_extract::ArticleExtraction;
use ibid_store::{AlignmentRow, Store};
use rayon::prelude::*;

use crate::results::{ArticleResults, RESULTS_VERSION};
use crate::rows::{MentionFields, QuoteFields, RowsDigest, ROWS_STATE};
use crate::{parse_time, progress_bar, PipelineError, Result, EXTRACT_VERSION};

/// Version tag of the persisted passage index (`stage_state` "align"). Bump it when alignment
/// changes: the index and every alignment row are then rebuilt.
pub const ALIGN_VERSION: &str = concat!("align-", env!("CARGO_PKG_VERSION"), "-1");

/// Stored results read before they are decoded, in parallel.
const READ_CHUNK: usize = 4096;

/// Articles aligned per call of [`ibid_align::PassageIndex::add_prepared_with`].
const ALIGN_CHUNK: usize = 4000;

/// Quotes, statements, entities and shared passages; brings the quote and entity tables up to
/// date and appends to the alignments.
///
/// Nothing is cleaned or extracted here: each article's quotes, mentions and offset map were
/// computed once, when it was cleaned, and are read back from `article_results`. Passages are
/// aligned incrementally (only articles the persisted index has not seen, see
/// [`align_stage`]). Entities are merged across the whole store; statements are linked within
/// each storyline, but only in storylines holding an article whose inputs changed, and only
/// articles whose rows changed are written again (`rows.rs`). Skipped when the cleaned
/// articles are exactly those this stage version last saw (a fingerprint, so a crash between
/// stages cannot leave it stale).
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
    let mut timed = crate::memory::PartClock::new("text stage");
    let mut timed = |part: &str| timed.done(part);
    let alignments = align_stage(store, progress)?;
    crate::memory::give_back();
    timed("align");

    let saved = store
        .stage_state(ROWS_STATE, EXTRACT_VERSION)?
        .and_then(|b| crate::rows::decode(&b));
    // With saved digests, only articles looked at again need their quotes (read back below):
    // the others' are dropped as they are read, and so are every article's offset maps
    // (aligning is done), which in a big store is most of this stage's memory.
    let strip = saved.is_some();
    let mut per_article: Vec<(String, ArticleResults)> = Vec::new();
    // A digest of each article's stored results: what statement linking reads of it.
    let mut results_digest: Vec<u64> = Vec::new();
    let mut quote_count = 0usize;
    // Blobs are read in chunks and decoded on every core: decoding was half of reading
    // every article's results (1.9 of 3.7 s at 160,000 articles, one core).
    let mut chunk: Vec<(String, Vec<u8>)> = Vec::with_capacity(READ_CHUNK);
    let mut decode_chunk =
        |chunk: &mut Vec<(String, Vec<u8>)>| -> Result<(), ibid_store::StoreError> {
            let decoded: Vec<(String, ArticleResults, u64)> = chunk
                .par_drain(..)
                .map(|(id, data)| {
                    let mut r = ArticleResults::decode(&data).map_err(|e| corrupt(&id, e))?;
                    r.offsets = CompactOffsets::default();
                    Ok((id, r, xxhash_rust::xxh3::xxh3_64(&data)))
                })
                .collect::<Result<_, ibid_store::StoreError>>()?;
            for (id, mut r, digest) in decoded {
                quote_count += r.extraction.quotes.len();
                if strip {
                    r.extraction.quotes = Vec::new();
                }
                results_digest.push(digest);
                per_article.push((id, r));
            }
            Ok(())
        };
    store.for_each_article_result(RESULTS_VERSION, |id, data| {
        chunk.push((id, data.to_vec()));
        if chunk.len() == READ_CHUNK {
            decode_chunk(&mut chunk)?;
        }
        Ok(())
    })?;
    decode_chunk(&mut chunk)?;
    // The merge knows articles by index: no copy of 160,000 ids for it.
    let refs: Vec<&ArticleExtraction> = per_article.iter().map(|(_, r)| &r.extraction).collect();
    let index_of: HashMap<&str, usize> = per_article
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    timed("read results");
    // The entity of each mention, four bytes a mention: no list of 9 million mentions.
    let assigned = ibid_extract::assign_entities(&refs);
    drop(refs);
    let merged = &assigned.entities;
    timed("merge entities");

    // Statements are linked within each storyline (or story, or lone article), but only in
    // groups that hold an article whose rows must be written again (see `rows.rs`).
    let (members, group_of) = statement_groups(store, &per_article)?;
    let group_digests: Vec<u64> = members
        .par_iter()
        .map(|m| {
            crate::rows::group_digest(
                m.iter()
                    .map(|&i| (per_article[i].0.as_str(), results_digest[i])),
            )
        })
        .collect();

    // An article's mentions as exported (entity, span, text as written: exported texts are
    // exactly what their spans cut from the original), in a fixed order. Made when asked
    // for, article by article: kept for the whole store they were a good part of the peak.
    let mentions_of = |i: usize| -> Vec<MentionFields<'_>> {
        let r = &per_article[i].1;
        let mut out: Vec<MentionFields<'_>> = assigned.of_mention[i]
            .iter()
            .zip(&r.extraction.mentions)
            .filter(|(&e, _)| e != ibid_extract::NO_ENTITY)
            .map(|(&e, m)| {
                let entity = merged[e as usize].id.as_str();
                (entity, m.span, r.written(m.span, &m.text))
            })
            .collect();
        out.sort_unstable_by(|x, y| (x.1.start, x.1.end, x.0).cmp(&(y.1.start, y.1.end, y.0)));
        out
    };
    let name_of: HashMap<&str, &str> = merged
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    // Inputs digests (see `rows.rs`): an article whose inputs are unchanged has unchanged rows.
    let inputs: Vec<u128> = (0..per_article.len())
        .into_par_iter()
        .map(|i| {
            let mut d = RowsDigest::default();
            d.group(group_digests[group_of[i]]);
            d.results(results_digest[i]);
            for m in &mentions_of(i) {
                d.entity(m.1, m.0, name_of.get(m.0).copied().unwrap_or_default());
            }
            d.finish()
        })
        .collect();
    let saved_of = |i: usize| saved.as_ref().and_then(|s| s.get(&per_article[i].0));
    // Articles to look at again: new ones and those whose inputs changed.
    let relook: Vec<usize> = (0..per_article.len())
        .filter(|&i| saved_of(i).map(|s| s.inputs) != Some(inputs[i]))
        .collect();
    // Without saved digests every row is written. Rewriting most articles one by one also
    // costs more than comparing every row once (110 s against 31 s for all 155,000 articles
    // of a store, measured): past half, the tables are written whole, by difference, and every
    // group is linked.
    let full = saved.is_none() || relook.len().saturating_mul(2) > per_article.len();
    let relook: Vec<usize> = if full {
        (0..per_article.len()).collect()
    } else {
        relook
    };
    timed("digests");
    let mut to_link: Vec<usize> = relook.iter().map(|&i| group_of[i]).collect();
    to_link.sort_unstable();
    to_link.dedup();
    // The whole results (quotes included) of the articles looked at again and of every member
    // of a group linked again.
    let whole: HashMap<usize, ArticleResults> = if strip {
        let wanted = relook
            .iter()
            .copied()
            .chain(to_link.iter().flat_map(|&g| members[g].iter().copied()));
        read_whole_results(store, &per_article, &index_of, wanted)?
    } else {
        HashMap::new()
    };
    let results = |i: usize| whole.get(&i).unwrap_or(&per_article[i].1);
    timed("read quotes");
    let linked: Vec<(String, usize, String)> = to_link
        .par_iter()
        .flat_map_iter(|&g| {
            let group: Vec<(String, &ArticleExtraction)> = members[g]
                .iter()
                .map(|&i| (per_article[i].0.clone(), &results(i).extraction))
                .collect();
            ibid_extract::link_statements(&group)
        })
        .collect();
    let statement_of: HashMap<(&str, usize), &str> = linked
        .iter()
        .map(|(a, q, s)| ((a.as_str(), *q), s.as_str()))
        .collect();
    tracing::info!(
        groups = members.len(),
        linked = to_link.len(),
        "text stage: statement groups linked again"
    );
    timed("link statements");
    // Rows digests of the articles looked at again; the others' rows are as saved.
    let rows_digest: HashMap<usize, u128> = relook
        .par_iter()
        .map(|&i| {
            let (id, r) = (&per_article[i].0, results(i));
            let mentions = mentions_of(i);
            let mut d = RowsDigest::default();
            for q in export_quotes(id, r, &mentions, &name_of, &statement_of) {
                d.quote(&q);
                d.statement(q.statement);
            }
            for m in &mentions {
                d.mention(m);
            }
            (i, d.finish())
        })
        .collect();
    // Articles whose rows are not stored as they are now: those whose rows digest changed,
    // and those gone from the store.
    let changed: Vec<&str> = if full {
        per_article.iter().map(|(id, _)| id.as_str()).collect()
    } else {
        relook
            .iter()
            .filter(|&&i| saved_of(i).map(|s| s.rows) != rows_digest.get(&i).copied())
            .map(|&i| per_article[i].0.as_str())
            .chain(
                saved
                    .iter()
                    .flat_map(|s| s.keys())
                    .map(String::as_str)
                    .filter(|id| !index_of.contains_key(id)),
            )
            .collect()
    };
    let changed_set: HashSet<&str> = changed.iter().copied().collect();
    let digests: Vec<(&str, crate::rows::Saved)> = per_article
        .iter()
        .enumerate()
        .filter_map(|(i, (id, _))| {
            let rows = match rows_digest.get(&i) {
                Some(&d) => d,
                None => saved_of(i)?.rows,
            };
            let saved = crate::rows::Saved {
                inputs: inputs[i],
                rows,
            };
            Some((id.as_str(), saved))
        })
        .collect();
    let quote_row = |id: &str, q: QuoteFields<'_>| ibid_store::QuoteRow {
        article: id.to_string(),
        start: i64::from(q.span.start),
        end: i64::from(q.span.end),
        text: q.text.to_string(),
        speaker: q.speaker.map(str::to_string),
        speaker_start: q.speaker_span.map(|s| i64::from(s.start)),
        speaker_end: q.speaker_span.map(|s| i64::from(s.end)),
        direct: q.direct,
        statement: q.statement.map(str::to_string),
        confidence: q.confidence,
    };
    let quotes: Vec<ibid_store::QuoteRow> = per_article
        .par_iter()
        .enumerate()
        .filter(|(_, (id, _))| changed_set.contains(id.as_str()))
        .flat_map_iter(|(i, (id, _))| {
            export_quotes(id, results(i), &mentions_of(i), &name_of, &statement_of)
                .into_iter()
                .map(|q| quote_row(id, q))
                .collect::<Vec<_>>()
        })
        .collect();
    let mention_row = |article: &str, (_, span, text): &MentionFields<'_>| ibid_store::MentionRow {
        article: article.to_string(),
        start: i64::from(span.start),
        end: i64::from(span.end),
        text: text.to_string(),
    };

    let entities: Vec<ibid_store::EntityRow> = merged
        .iter()
        .map(|e| ibid_store::EntityRow {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: match e.kind {
                ibid_extract::EntityKind::Per => "PER",
                ibid_extract::EntityKind::Org => "ORG",
                ibid_extract::EntityKind::Loc => "LOC",
            }
            .to_string(),
            variants: e.variants.clone(),
            // Given apart from the entities (below).
            mentions: Vec::new(),
        })
        .collect();
    let counts = (quote_count, entities.len(), alignments);
    timed("rows");
    let state = crate::rows::encode(digests.iter().copied());
    if full {
        // Every article's mention rows, made anew on each call rather than held at once.
        let all_mentions = || {
            per_article
                .iter()
                .enumerate()
                .flat_map(|(i, (article, _))| {
                    mentions_of(i)
                        .into_iter()
                        .map(move |m| (m.0, mention_row(article, &m)))
                })
        };
        store.replace_extraction_streamed(
            &quotes,
            &entities,
            all_mentions,
            Some((ROWS_STATE, EXTRACT_VERSION, &state)),
        )?;
    } else {
        let mentions: Vec<(&str, ibid_store::MentionRow)> = changed
            .iter()
            .flat_map(|id| {
                index_of
                    .get(id)
                    .map(|&i| mentions_of(i))
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |m| (m.0, mention_row(id, &m)))
            })
            .collect();
        store.replace_extraction_of(
            &changed,
            &quotes,
            &entities,
            &mentions,
            (ROWS_STATE, EXTRACT_VERSION, &state),
        )?;
    }
    tracing::info!(
        articles = per_article.len(),
        looked_at = relook.len(),
        changed = changed.len(),
        "text stage: articles whose inputs changed, and whose quote or mention rows did"
    );
    store.save_stage_state("extract", EXTRACT_VERSION, fingerprint.as_bytes())?;
    timed("write");
    Ok(counts)
}

/// The statement groups (storyline, else story, else the lone article) of `per_article`, as
/// article indexes per group, and each article's group.
fn statement_groups(
    store: &Store,
    per_article: &[(String, ArticleResults)],
) -> Result<(Vec<Vec<usize>>, Vec<usize>)> {
    let memberships = store.memberships()?;
    let mut group_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut group_of: Vec<usize> = Vec::with_capacity(per_article.len());
    for (i, (id, _)) in per_article.iter().enumerate() {
        let key = match memberships.get(id) {
            Some((story, line)) => line.clone().unwrap_or_else(|| story.clone()),
            None => format!("article:{id}"),
        };
        let next = members.len();
        let g = *group_index.entry(key).or_insert(next);
        if g == next {
            members.push(Vec::new());
        }
        members[g].push(i);
        group_of.push(g);
    }
    Ok((members, group_of))
}

/// The stored results, whole but for their offset maps, of the articles at indexes `wanted` of
/// `per_article`.
fn read_whole_results(
    store: &Store,
    per_article: &[(String, ArticleResults)],
    index_of: &HashMap<&str, usize>,
    wanted: impl Iterator<Item = usize>,
) -> Result<HashMap<usize, ArticleResults>> {
    let mut wanted: Vec<usize> = wanted.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(2000) {
        let ids: Vec<&str> = chunk.iter().map(|&i| per_article[i].0.as_str()).collect();
        for (id, data) in store.article_results(RESULTS_VERSION, &ids)? {
            let mut r = ArticleResults::decode(&data).map_err(|e| corrupt(&id, e))?;
            // Aligning is done: offset maps are not read again, and when every article is
            // looked at again they would be most of the stage's memory.
            r.offsets = CompactOffsets::default();
            if let Some(&i) = index_of.get(id.as_str()) {
                out.insert(i, r);
            }
        }
    }
    if let Some(&i) = wanted.iter().find(|i| !out.contains_key(i)) {
        return Err(corrupt(&per_article[i].0, "results vanished during the stage").into());
    }
    Ok(out)
}

/// An article's quotes as exported. The contract's speaker is the entity's canonical name
/// across the store, not the article's own spelling: each name the article gives a mention
/// maps to that mention's merged entity (`mentions`: the article's exported mentions).
fn export_quotes<'a>(
    id: &str,
    r: &'a ArticleResults,
    mentions: &[MentionFields<'a>],
    name_of: &HashMap<&str, &'a str>,
    statement_of: &HashMap<(&str, usize), &'a str>,
) -> Vec<QuoteFields<'a>> {
    let mut canonical: HashMap<&str, &str> = HashMap::new();
    let speakers = r.extraction.quotes.iter().any(|q| q.speaker.is_some());
    for m in r.extraction.mentions.iter().filter(|_| speakers) {
        // `mentions` is sorted by span: the first exported mention at this span.
        let at = mentions.partition_point(|x| (x.1.start, x.1.end) < (m.span.start, m.span.end));
        if let Some(entity) = mentions.get(at).filter(|x| x.1 == m.span) {
            if let Some(name) = name_of.get(entity.0) {
                canonical.entry(m.canonical.as_str()).or_insert(name);
            }
        }
    }
    r.extraction
        .quotes
        .iter()
        .enumerate()
        .map(|(qi, q)| QuoteFields {
            span: q.span,
            text: r.written(q.span, &q.text),
            speaker: q
                .speaker
                .as_deref()
                .map(|s| canonical.get(s).copied().unwrap_or(s)),
            speaker_span: q.speaker_span,
            direct: q.direct,
            statement: statement_of.get(&(id, qi)).copied(),
            // Two decimals, as measured (f32 -> f64 would store 0.7 as 0.6999...).
            confidence: (f64::from(q.confidence) * 100.0).round() / 100.0,
        })
        .collect()
}

fn corrupt(id: &str, e: impl std::fmt::Display) -> ibid_store::StoreError {
    ibid_store::StoreError::Corrupt(format!("stored results of article {id}: {e}"))
}

/// The persisted passage index (its counts and settings; the postings have their own table,
/// `align_postings`) with the article id of each of its documents.
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
        let mut index =
            ibid_align::PassageIndex::from_bytes(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
        // An index saved with its documents' words (before they were read from the store)
        // sheds them: same postings, same answers.
        index.drop_texts();
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
    let mut timed = crate::memory::PartClock::new("align stage");
    let mut timed = |part: &str| timed.done(part);
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
                index: ibid_align::PassageIndex::without_texts(ibid_align::AlignConfig::default()),
                ids: Vec::new(),
            },
            true,
        ),
    };
    // The postings this run changes, by fingerprint: written to the store at the end, and
    // read before the store's by later chunks of the run. A state saved with all its postings
    // inside (before they had their own table) hands them all over here.
    let mut changed_postings: HashMap<u32, Vec<u32>> =
        state.index.postings_by_key().into_iter().collect();
    state.index.set_postings(Vec::new());
    timed("read index");
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
        // Only the postings of the chunk's fingerprints are loaded: adding it reads and
        // changes nothing else (`PreparedBatch::keys`). A rebuild ignores stored ones.
        let batch = state.index.prepare(&docs);
        let wanted = batch.keys();
        let unknown: Vec<u32> = wanted
            .iter()
            .copied()
            .filter(|k| !changed_postings.contains_key(k))
            .collect();
        let mut lists = if rebuild {
            Vec::new()
        } else {
            store.align_postings(&unknown)?
        };
        lists.extend(
            wanted
                .iter()
                .filter_map(|k| changed_postings.get(k).map(|docs| (*k, docs.clone()))),
        );
        state.index.set_postings(lists);
        // Earlier articles are aligned from their cleaned texts, read back for the few that
        // new ones pair with: the index holds postings only.
        let ids = &state.ids;
        let found = state.index.add_prepared_with(batch, |wanted: &[usize]| {
            let wanted_ids: Vec<&str> = wanted.iter().map(|&e| ids[e].as_str()).collect();
            let mut text_of: HashMap<String, String> = store
                .cleaned_refs(&wanted_ids)?
                .into_iter()
                .map(|r| (r.id, r.text))
                .collect();
            Ok::<_, ibid_store::StoreError>(
                wanted_ids
                    .iter()
                    .map(|id| text_of.remove(*id).unwrap_or_default())
                    .collect(),
            )
        })?;
        state.ids.extend(refs.iter().map(|r| r.id.clone()));
        changed_postings.extend(state.index.postings_by_key());
        state.index.set_postings(Vec::new());
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
    timed("align new articles");
    if rebuild || !fresh.is_empty() {
        // Passage clusters are named over every pair, old and new, and written with the new
        // rows in one transaction.
        let stored = if rebuild {
            Vec::new()
        } else {
            store.alignment_rows_with_ids()?
        };
        timed("read alignments");
        let labels = passage_labels(&keys, stored.iter().map(|(_, r)| r).chain(&rows));
        timed("label passages");
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
            &sorted_by_key(changed_postings),
        )?;
        timed("write");
    }
    store.set_mark("align")?;
    Ok(store.alignment_count()?)
}

/// The changed postings in fingerprint order: the table's key order, so a first run's
/// millions of rows are appended to its b-tree rather than inserted all over it.
fn sorted_by_key(postings: HashMap<u32, Vec<u32>>) -> Vec<(u32, Vec<u32>)> {
    let mut out: Vec<(u32, Vec<u32>)> = postings.into_iter().collect();
    out.sort_unstable_by_key(|(k, _)| *k);
    out
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
