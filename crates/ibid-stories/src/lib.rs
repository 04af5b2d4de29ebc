//! The story stage: online clustering of articles into stories (one real-world event) and of
//! stories into storylines (the same actors or topic over weeks and months).
//!
//! Every new article is compared, through an inverted index, with a handful of recent
//! candidate stories. The comparison is always with a story's *core* (its most central
//! members, `core.rs`), never with one member (which chains unrelated reports together) nor
//! with a centroid of all members (which drifts as the story grows and ends up matching anything
//! about its most common actors): the article joins the story whose core it fits best when the
//! mean probability that it reports the same event as each core member (a logistic model over
//! TF-IDF cosines of words, headlines, names and numbers, date conflicts and the time gap,
//! `pair.rs`) clears a threshold, and opens a new story otherwise. Stories whose cores agree
//! merge; small stories are re-checked once their event's story has grown. New stories join
//! the storyline whose recent stories they resemble (`storyline.rs`).
//!
//! IDF weights come from the documents seen so far (smoothed, so the very first document
//! works), so names that every article of the day shares weigh little against what happened,
//! where and when. Nothing is reclustered from scratch: the engine runs incrementally and its
//! whole state is serde-serialisable.

mod config;
mod core;
mod engine;
pub mod eval;
mod features;
mod merge;
pub mod pair;
mod report;
mod story;
mod storyline;
mod text;

pub use config::StoryConfig;
pub use engine::{AddOutcome, Candidate, Decision, StoryEngine};
pub use story::{StorySummary, StorylineSummary};
pub use text::{extract, extract_into, Extracted, FeatureKind};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// One article as the story stage sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StoryDoc {
    /// Stable article id (unique in the stream; adding the same id twice is a no-op).
    pub id: String,
    /// Trusted publication time, if any. Undated articles still cluster, on text alone.
    pub published: Option<DateTime<FixedOffset>>,
    /// Outlet name, if known.
    pub outlet: Option<String>,
    /// Headline, if known.
    pub title: Option<String>,
    /// Cleaned body text.
    pub text: String,
    /// Id of the article this one is a copy of (exact or near duplicate, from the dedup
    /// stage): a copy joins its original's story directly.
    #[serde(default)]
    pub copy_of: Option<String>,
}

/// Sorts documents by publication time (undated documents last, because they cannot be placed
/// in time and should meet the dated stories first), ties by id, primes the IDF with the
/// batch ([`StoryEngine::prime`]), adds them one by one ([`StoryEngine::add_batch`]:
/// extraction in parallel, assignment sequential) and finally runs the pending re-checks of
/// small stories ([`StoryEngine::settle_pending`]).
pub fn cluster(docs: &[StoryDoc], cfg: &StoryConfig) -> StoryEngine {
    let mut order: Vec<&StoryDoc> = docs.iter().collect();
    order.sort_by(|a, b| {
        (a.published.is_none(), a.published, &a.id).cmp(&(
            b.published.is_none(),
            b.published,
            &b.id,
        ))
    });
    let order: Vec<StoryDoc> = order.into_iter().cloned().collect();
    let mut engine = StoryEngine::new(cfg.clone());
    engine.prime(&order);
    engine.add_batch(&order);
    engine.settle_pending();
    engine
}

#[cfg(test)]
mod tests;
