//! The story engine's configuration: feature sizes, the pair model, and the thresholds of its
//! decisions.

use crate::pair::{PairModel, PAIR_FEATURES};
use serde::{Deserialize, Serialize};

/// Thresholds, weights and sizes of the online clustering.
///
/// The pair model and the thresholds are fitted on the *tuning* splits only (ECB+ train, the
/// tuning half of BASIL, the tuning windows of the AllSides real-day set) by
/// `examples/fit.rs`; see `docs/stories-evaluation.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoryConfig {
    /// Number of leading content words (headline first) that get `lead_boost`: news puts the
    /// who/what/where of the event first.
    pub lead_tokens: usize,
    /// Weight multiplier for the leading content words.
    pub lead_boost: f32,
    /// Body words kept per article (heaviest by TF-IDF); bounds comparison cost and memory.
    pub max_doc_terms: usize,
    /// How many of an article's heaviest words are used to retrieve candidate stories.
    pub query_terms: usize,
    /// How many of an article's heaviest names are used to retrieve candidate stories.
    pub query_ents: usize,
    /// Candidate stories fully scored per article.
    pub max_candidates: usize,
    /// Posting lists longer than this are skipped in retrieval (too common to be useful).
    pub max_posting: usize,
    /// Probability that two articles report one event, from their similarity features.
    pub pair: PairModel,
    /// Average pair *log-odds* instead of pair probabilities over cores (thresholds stay
    /// probabilities: the mean log-odds is compared with the threshold's log-odds). A single
    /// strong disagreement with one core member weighs more in log-odds.
    pub link_logit: bool,
    /// Members of a story's core (its most central articles), against which every newcomer is
    /// compared.
    pub core_size: usize,
    /// An article joins the best candidate story when its mean pair probability to that
    /// story's core reaches this; otherwise it opens a new story.
    pub join_threshold: f32,
    /// Two stories merge when the mean pair probability between their cores reaches this
    /// (checked when an article fits both).
    pub merge_threshold: f32,
    /// `join_threshold` and `merge_threshold` (the latter also for re-checks) when either side
    /// is undated: without publication times, reports of one event agree less (the time gap is
    /// the strongest evidence a dated pair has), so the same bar splits them. `None`: the dated
    /// thresholds.
    pub undated_thresholds: Option<(f32, f32)>,
    /// How many runner-up candidates are checked for a merge after a join.
    pub merge_checks: usize,
    /// Stories whose newest article is older than this, relative to the newest publication
    /// time seen (or to the article at hand), are frozen and leave the candidate set: an
    /// event's coverage lasts days, and a report more than a week after a story's newest
    /// article is a new happening (a verdict, an inquiry's findings) that opens a story of its
    /// own in the same storyline.
    pub window_days: f32,
    /// Hard cap on open stories (least recently updated are frozen first): bounds memory for
    /// undated streams.
    pub max_active_stories: usize,
    /// A story of at most `settle_max_size` articles is re-checked this many and four times
    /// this many adds after it was opened (and at the end of [`crate::cluster`]): an article
    /// that arrived before its event's story took shape may fit the story once it has grown.
    /// 0 disables the re-check.
    pub settle_after: usize,
    /// Largest story that is re-checked (see `settle_after`).
    pub settle_max_size: usize,
    /// Smallest story a re-checked story may be attached to.
    pub settle_min_target: usize,
    /// Mean core-to-core pair probability a re-checked story needs to join its best
    /// candidate.
    pub settle_threshold: f32,
    /// Minimum score (see `storyline_w_ent`, a mean over the storyline's recent stories) for
    /// a new story to join an existing storyline.
    pub storyline_threshold: f32,
    /// Weight of the name cosine in the storyline score (the rest is the body-word cosine).
    pub storyline_w_ent: f32,
    /// A storyline whose newest story is older than this takes a new story only when the
    /// story resumes the thread (see `storyline_resume_rare_names`).
    pub storyline_window_days: f32,
    /// A storyline whose first story is older than this takes a new story only when the story
    /// resumes the thread: a thread that has run for months does not take everything that
    /// resembles its latest turn.
    pub storyline_max_span_days: f32,
    /// A story resumes a paused or long storyline when it shares at least this many rare names
    /// (see `storyline_rare_share`) with its recent stories.
    pub storyline_resume_rare_names: usize,
    /// Share of the stream's documents at most which a name counts as rare.
    pub storyline_rare_share: f32,
    /// Share of the stream's documents at most which a name counts as specific (more are the
    /// big actors of the time, which say nothing about the thread).
    pub storyline_specific_share: f32,
    /// Storylines with no new story for longer than this are closed for good.
    pub storyline_resume_days: f32,
    /// A story joins a storyline only when its first article shares at least this many
    /// distinct *specific* names (see `storyline_specific_share`) with the storyline's recent
    /// stories: a storyline follows the same actors, and one shared place name, or the big
    /// actors every article names, are not enough.
    pub storyline_min_shared_ents: usize,
    /// How many of a storyline's most recent stories a new story is compared with.
    pub storyline_recent: usize,
}

impl Default for StoryConfig {
    fn default() -> Self {
        Self {
            lead_tokens: 40,
            lead_boost: 2.0,
            max_doc_terms: 150,
            query_terms: 12,
            query_ents: 12,
            max_candidates: 12,
            max_posting: 4000,
            pair: default_pair_model(),
            link_logit: false,
            core_size: 16,
            join_threshold: 0.7,
            merge_threshold: 0.5,
            undated_thresholds: Some((0.6, 0.4)),
            merge_checks: 4,
            window_days: 7.0,
            max_active_stories: 20_000,
            settle_after: 64,
            settle_max_size: 2,
            settle_min_target: 2,
            settle_threshold: 0.5,
            storyline_threshold: 0.15,
            storyline_w_ent: 0.5,
            storyline_window_days: 30.0,
            storyline_max_span_days: 120.0,
            storyline_resume_rare_names: 2,
            storyline_rare_share: 0.0005,
            storyline_specific_share: 0.02,
            storyline_resume_days: 450.0,
            storyline_min_shared_ents: 2,
            storyline_recent: 4,
        }
    }
}

/// The pair model fitted by `examples/fit.rs pair` on the tuning splits (see
/// `docs/stories-evaluation.md` for the command and the figures).
fn default_pair_model() -> PairModel {
    let w: [f32; PAIR_FEATURES] = [
        6.039, 5.956, 4.801, 3.026, -3.026, -0.004, -0.707, -0.567, -1.116, 0.946, -1.936, 1.839,
        1.227, 1.297, 5.863, 4.361, -0.936, -0.556,
    ];
    PairModel { bias: -4.950, w }
}
