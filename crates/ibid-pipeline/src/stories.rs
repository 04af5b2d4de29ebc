//! The story stage over the store: the online engine's state is persisted and new articles
//! are added to it in time order.

use std::collections::{HashMap, HashSet};

use ibid_store::{Store, StoryRow};

use crate::{parse_time, rfc3339, Result};

/// Version tag of the persisted story engine state.
pub const STORIES_VERSION: &str = concat!("stories-", env!("CARGO_PKG_VERSION"), "-3");

/// Reads a saved engine: postcard (a compact serde encoding of the same structs; the JSON of a
/// 37,500-article engine was 154 MB).
fn load_engine(bytes: &[u8]) -> Option<ibid_stories::StoryEngine> {
    postcard::from_bytes(bytes).ok()
}

/// Online story assignment. The engine's state is persisted; new articles are added to it in
/// time order. An article the engine holds that changed (a new version) or left (gone, or
/// re-cleaned into a non-article) is taken back out of its story first
/// ([`ibid_stories::StoryEngine::forget`]); a new version is then added as a new article.
/// The engine is built from scratch only when there is no saved one (or of another version).
///
/// Only the texts of the articles the engine has not seen are read from the store.
pub(crate) fn story_stage(
    store: &mut Store,
    copy_of: &HashMap<String, String>,
) -> Result<(usize, usize, usize, bool)> {
    let keys = store.cleaned_keys_in_time_order()?;
    let saved = store.stage_state("stories", STORIES_VERSION)?;
    let engine: Option<ibid_stories::StoryEngine> = saved.as_deref().and_then(load_engine);
    drop(saved);
    // Pages that are not articles (widgets, index pages, galleries) stay out of stories.
    let keys: Vec<&ibid_store::CleanedKey> =
        keys.iter().filter(|k| k.non_article.is_none()).collect();
    let rebuild = engine.is_none();
    let mut engine = engine
        .unwrap_or_else(|| ibid_stories::StoryEngine::new(ibid_stories::StoryConfig::default()));
    if !rebuild {
        let current: HashSet<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        let gone: Vec<String> = engine
            .article_ids()
            .filter(|id| !current.contains(id))
            .map(str::to_string)
            .collect();
        let changed = store.new_versions_since_mark("stories")?;
        let mut forgotten = 0usize;
        for id in gone.iter().chain(&changed) {
            forgotten += usize::from(engine.forget(id));
        }
        if forgotten > 0 {
            tracing::info!(
                forgotten,
                "story stage: articles taken back out of their stories"
            );
        }
    }
    let fresh: Vec<&str> = keys
        .iter()
        .map(|k| k.id.as_str())
        .filter(|id| engine.story_of(id).is_none())
        .collect();
    let batch: Vec<ibid_stories::StoryDoc> = store
        .cleaned_refs(&fresh)?
        .into_iter()
        .map(|r| ibid_stories::StoryDoc {
            copy_of: copy_of.get(&r.id).cloned(),
            id: r.id,
            published: parse_time(r.published.as_deref()),
            outlet: r.outlet,
            title: r.title,
            text: r.text,
        })
        .collect();
    // The batch's vocabulary statistics are known before any of it is assigned; assignment
    // itself stays online, in time order (`keys` is sorted).
    // `add_batch` prepares the next articles' features on the other cores while this one
    // assigns, one article at a time.
    engine.prime(&batch);
    engine.add_batch(&batch);
    let added = batch.len();
    drop(batch);
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
    let state = postcard::to_allocvec(&engine)
        .map_err(|e| ibid_store::StoreError::Corrupt(format!("story engine state: {e}")))?;
    store.save_stage_state("stories", STORIES_VERSION, &state)?;
    store.set_mark("stories")?;
    Ok((counts.0, counts.1, if rebuild { 0 } else { added }, rebuild))
}
