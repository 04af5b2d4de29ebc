//! The dedup stage over the store, incremental: the near-duplicate index (MinHash band keys,
//! containment samples, verified links) is persisted in `stage_state` in
//! [`ibid_dedup::DedupIndex`]'s binary form, and each pass adds only the articles it has not
//! seen.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use ibid_store::{DedupRecord, Store};

use crate::{parse_time, PipelineError, Result};

/// Version tag of the persisted near-duplicate index. Bump it when dedup changes: the index
/// is then rebuilt from every current article.
pub const DEDUP_VERSION: &str = concat!("dedup-", env!("CARGO_PKG_VERSION"), "-1");

/// Exact and near-duplicate groups over all current articles; rewrites the dedup table.
/// Returns the number of duplicates and, for each copy, the original it copies.
///
/// Only articles the saved index has not seen are read (with their texts) and added; their
/// candidates among themselves and every earlier article are verified, reading the texts of
/// just the earlier articles a candidate names. The verdicts (groups, originals) are then
/// read from the whole index, which is a few dozen bytes an article. The index is rebuilt
/// when missing, of another [`DEDUP_VERSION`], or when an article it holds got a new version
/// (an index cannot take a document back).
pub(crate) fn dedup_stage(store: &mut Store) -> Result<(usize, HashMap<String, String>)> {
    let keys = store.cleaned_keys_in_time_order()?;
    let cfg = ibid_dedup::DedupConfig::default();
    let changed: HashSet<String> = store
        .new_versions_since_mark("dedup")?
        .into_iter()
        .collect();
    let saved = store
        .stage_state("dedup", DEDUP_VERSION)?
        .and_then(|b| ibid_dedup::DedupIndex::from_bytes(&b).ok())
        .filter(|ix| (0..ix.len()).all(|i| ix.id(i).is_none_or(|id| !changed.contains(id))));
    let mut index = match saved {
        Some(ix) => ix,
        None => {
            ibid_dedup::DedupIndex::new(cfg).map_err(|e| PipelineError::Dedup(e.to_string()))?
        }
    };
    let fresh = crate::unseen(
        &keys,
        (0..index.len()).filter_map(|i| index.id(i)).collect(),
    );
    if !fresh.is_empty() {
        let refs = store.cleaned_refs(&fresh)?;
        let docs: Vec<ibid_dedup::DedupDoc<'_>> = refs
            .iter()
            .map(|r| ibid_dedup::DedupDoc {
                id: &r.id,
                published: parse_time(r.published.as_deref()),
                text: &r.text,
            })
            .collect();
        let range = index.add_batch(&docs);
        let pairs = index.candidates(range.start);
        let first = range.start as u32;
        // Texts of the earlier articles that candidates name, read once each.
        let older: Vec<&str> = pairs
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&i| i < first)
            .collect::<HashSet<_>>()
            .into_iter()
            .filter_map(|i| index.id(i as usize))
            .collect();
        let old_texts: HashMap<String, String> = store
            .cleaned_refs(&older)?
            .into_iter()
            .map(|r| (r.id, r.text))
            .collect();
        let ids: Vec<Option<String>> = (0..first as usize)
            .map(|i| {
                index
                    .id(i)
                    .filter(|id| old_texts.contains_key(*id))
                    .map(str::to_string)
            })
            .collect();
        index.verify(&pairs, |i| {
            if i >= first {
                docs.get((i - first) as usize)
                    .map(|d| Cow::Borrowed(d.text))
            } else {
                ids.get(i as usize)?
                    .as_deref()
                    .and_then(|id| old_texts.get(id))
                    .map(|t| Cow::Borrowed(t.as_str()))
            }
        });
    }
    let hash_of: HashMap<&str, i64> = keys.iter().map(|k| (k.id.as_str(), k.norm_hash)).collect();
    let records: Vec<DedupRecord> = index
        .results()
        .into_iter()
        .filter(|r| hash_of.contains_key(r.id.as_str()))
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
    // The table first, then the index: a kill between the two leaves an index without the
    // new articles, which the next pass adds again.
    store.replace_dedup(&records)?;
    if !fresh.is_empty() {
        store.save_stage_state("dedup", DEDUP_VERSION, &index.to_bytes())?;
    }
    store.set_mark("dedup")?;
    Ok((copy_of.len(), copy_of))
}
