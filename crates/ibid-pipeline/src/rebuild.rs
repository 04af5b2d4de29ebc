//! `ibid process --rebuild [STAGE]`: forget a stage's stored results so the next pass
//! recomputes them from the originals, with everything downstream of it.

use ibid_store::Store;

use crate::{Result, EXTRACT_VERSION};

/// A stage whose stored results can be recomputed on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Every stage.
    All,
    /// Cleaning and the per-article results made with it (offset maps, quotes, mentions);
    /// every cross-article stage after it.
    Clean,
    /// Per-article quotes and mentions, entity merging and statement linking.
    Extract,
    /// The near-duplicate index and table; stories (copies join their original's story) and
    /// statements (linked per storyline) after it.
    Dedup,
    /// The story engine; statements after it.
    Stories,
    /// The passage index and every alignment.
    Align,
}

/// Marks `stage` (and what depends on it) for recomputation; the caller then runs
/// [`crate::process`]. Each step is one small write: a kill between steps leaves some
/// stages marked, which a later `--rebuild` or version change completes.
pub fn invalidate(store: &mut Store, stage: Stage) -> Result<()> {
    use Stage::*;
    if matches!(stage, All | Clean | Extract) {
        store.invalidate_article_results()?;
    }
    if matches!(stage, All | Clean) {
        // Counted again from the stored texts (every article is pending anyway).
        store.drop_stage_state("lines")?;
    }
    if matches!(stage, All | Clean | Dedup) {
        store.drop_stage_state("dedup")?;
    }
    if matches!(stage, All | Clean | Dedup | Stories) {
        store.drop_stage_state("stories")?;
    }
    if matches!(stage, All | Clean | Align) {
        store.drop_stage_state("align")?;
    }
    // Quotes, entities and statements are re-derived from the stored results whenever their
    // inputs' fingerprint no longer matches: forgetting it is enough.
    store.drop_stage_state("extract")?;
    // And written whole, not by article: nothing about the stored rows is taken on trust.
    store.drop_stage_state(crate::rows::ROWS_STATE)?;
    tracing::info!(?stage, version = EXTRACT_VERSION, "stage results forgotten");
    Ok(())
}
