//! The story stage: online clustering of articles into stories (one real-world event) and of
//! stories into storylines (the same actors or topic over weeks and months).
//!
//! The design follows Miranda et al. 2018, "Multilingual clustering of streaming news": every
//! new article is compared, through an inverted index, with a handful of recent candidate
//! stories; several similarity signals (TF-IDF cosine of body and headline against the story
//! centroid, overlap of entity-like names, overlap of numbers and dates, and the gap in
//! publication time) are combined into one score; the article joins the best story when the
//! score clears a threshold and opens a new story otherwise. Nothing is ever reclustered, so
//! the engine can run incrementally: its whole state is serde-serialisable.
//!
//! IDF weights come from the documents seen so far (smoothed, so the very first document
//! works) and are applied at comparison time: centroids store IDF-free term weights.

mod engine;
pub mod eval;
mod text;

pub use engine::{
    AddOutcome, Candidate, Decision, Signals, StoryEngine, StorySummary, StorylineSummary,
    N_FEATURES,
};
pub use text::{extract, extract_into, Extracted, FeatureKind};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// One article as the story stage sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// Thresholds and weights of the online clustering. The defaults were tuned on the ECB+
/// training topics only (see `examples/tune.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoryConfig {
    /// Weight of the body TF-IDF cosine in the join score. The join score is the linear
    /// model `sum(w_x * x) - time penalty` over the [`Signals`]; the weights are not
    /// normalised (they come from a logistic regression, rescaled so the positive ones sum
    /// to 1).
    pub w_body: f32,
    /// Weight of the headline TF-IDF cosine (the body cosine stands in when a side has no
    /// headline).
    pub w_title: f32,
    /// Weight of the IDF-weighted cosine of entity-like names.
    pub w_ent: f32,
    /// Weight of the IDF-weighted cosine of numbers and dates.
    pub w_num: f32,
    /// Weight of the share of the article's name mass found in the story.
    pub w_ent_cont: f32,
    /// Weight of the share of the story's main names mentioned by the article.
    pub w_top_ent: f32,
    /// Weight of the share of the article's number/date mass found in the story.
    pub w_num_cont: f32,
    /// Weight of the share of the article's main names that the story has.
    pub w_doc_top_ent: f32,
    /// Weight of the year conflict (negative: different years mean different events).
    pub w_year_conflict: f32,
    /// Weight of the name-salience intersection.
    pub w_ent_sal: f32,
    /// Weight of the weekday conflict (negative: another day means another event).
    pub w_weekday_conflict: f32,
    /// Weight of the main-actor conflict (negative: another protagonist, another event).
    pub w_actor_conflict: f32,
    /// Weight of the month conflict (negative: another month, another event).
    pub w_month_conflict: f32,
    /// Minimum join score for an article to join its best story (else it opens a new one).
    pub join_threshold: f32,
    /// Minimum story-to-story score (same model, centroid against centroid) to merge two
    /// stories into one.
    pub merge_threshold: f32,
    /// Lower story-to-story score at which two stories of at least two articles each merge
    /// when neither years, weekdays, months nor main actors conflict (all below
    /// `merge_max_conflict`).
    pub merge_relaxed_threshold: f32,
    /// Largest date/actor conflict a relaxed merge tolerates.
    pub merge_max_conflict: f32,
    /// Penalty subtracted from a score when publication times are `time_scale_days` or more
    /// apart (linear below). Not applied when either side has no date.
    pub time_penalty: f32,
    /// Bonus added to the score when publication times coincide (linear in the gap, crossing
    /// zero before `time_scale_days`). Not applied when either side has no date.
    pub time_bonus: f32,
    /// Time gap (days, from the story's first..last interval) at which `time_penalty` is full.
    pub time_scale_days: f32,
    /// Number of leading content words (headline first) that get `lead_boost`.
    pub lead_tokens: usize,
    /// Weight multiplier for the leading content words.
    pub lead_boost: f32,
    /// How many of an article's highest-weighted words are used to retrieve candidates.
    pub query_terms: usize,
    /// How many of an article's rarest names are used to retrieve candidates.
    pub query_ents: usize,
    /// Body words kept per article (heaviest by TF-IDF); bounds comparison cost and
    /// centroid size.
    pub max_doc_terms: usize,
    /// Candidate stories fully scored per article.
    pub max_candidates: usize,
    /// Posting lists longer than this are skipped in retrieval (too common to be useful).
    pub max_posting: usize,
    /// Stories whose newest article is older than this, relative to the newest publication
    /// time seen, are frozen and leave the candidate set.
    pub window_days: f32,
    /// Hard cap on open stories (least recently updated are frozen first): bounds memory for
    /// undated streams.
    pub max_active_stories: usize,
    /// Minimum score for a new story to join an existing storyline.
    pub storyline_threshold: f32,
    /// Weight of name overlap in the storyline score (the rest is body cosine).
    pub storyline_w_ent: f32,
    /// Penalty at `storyline_window_days` of gap between a story and a storyline.
    pub storyline_time_penalty: f32,
    /// Storylines idle for longer than this are frozen.
    pub storyline_window_days: f32,
    /// A story joins a storyline only when its first article shares at least this many
    /// distinct names with the storyline: a storyline follows the same actors, and one shared
    /// place name (two unrelated stories from one town) is not enough.
    #[serde(default = "default_storyline_min_shared_ents")]
    pub storyline_min_shared_ents: usize,
    /// Stories are re-checked for a split while they have at most this many articles (their
    /// members' features are kept that long); 0 disables splits. On ECB+ the average-linkage
    /// split finds the right two groups inside fused stories, but the cross-group scores of
    /// true stories (outlets, sub-events) are just as low, so a split also needs the main
    /// actor conflict (`split_needs_actor_conflict`), which true stories do not show.
    pub split_max_size: usize,
    /// A story splits in two when the average pair score between its two most distinct
    /// groups of members (average linkage) is below this.
    pub split_threshold: f32,
    /// Each side of a split must hold at least this many articles.
    pub split_min_part: usize,
    /// A split also needs each group's main actor (most salient name) to be absent from the
    /// other group.
    pub split_needs_actor_conflict: bool,
    /// With `split_needs_actor_conflict`: the largest share of one group's members that may
    /// mention the other group's main actor.
    pub split_actor_max_share: f32,
    /// A split is also made, without an actor conflict, when the two groups read as two
    /// events when each is profiled as a story of its own: when the group evidence (their
    /// year, weekday and month conflicts minus their story-to-story score and average member
    /// cross score, with weights fitted on ECB+ train split candidates) reaches this. One
    /// article's dates are too sparse to tell two events of one kind apart (a background
    /// year, a side event's weekday), a group's dates are not. `None` disables it.
    pub split_group_threshold: Option<f32>,
    /// A story of at most `settle_max_size` articles is re-checked this many and four times
    /// this many adds after it was opened (and at the end of a batch,
    /// [`StoryEngine::settle_pending`]): an article that scored below the join threshold on
    /// arrival (an odd angle on the event) may fit the event's story once that story has
    /// grown. The re-check compares the small story with its candidates story to story and
    /// attaches it to the best one when the attach evidence clears `settle_threshold` and
    /// they are less than `time_scale_days` apart. 0 disables the re-check.
    pub settle_after: usize,
    /// Largest story that is re-checked (see `settle_after`).
    pub settle_max_size: usize,
    /// Smallest story a settled story may be attached to (two articles are enough: a pair
    /// that agrees is already a story).
    pub settle_min_target: usize,
    /// Attach evidence (a logit: content overlap minus weekday and month conflicts, weights
    /// fitted on ECB+ train re-check candidates) a settled story needs to join its best
    /// candidate story.
    pub settle_threshold: f32,
}

impl Default for StoryConfig {
    fn default() -> Self {
        Self {
            // Logistic regression on gold (teacher-forced) streams of the ECB+ train topics,
            // rescaled so the positive weights sum to 1 (`examples/tune.rs`, IBID_LR=1), then
            // coordinate descent on train BCubed F1 with BASIL as a guard (`examples/tune.rs`).
            w_body: 0.089,
            w_title: 0.089,
            w_ent: 0.214,
            w_num: 0.418,
            w_ent_cont: 0.035,
            w_top_ent: 0.033,
            w_num_cont: -0.002,
            w_doc_top_ent: -0.003,
            w_year_conflict: -0.047,
            w_ent_sal: 0.126,
            w_weekday_conflict: -0.025,
            w_actor_conflict: 0.0,
            w_month_conflict: 0.0,
            join_threshold: 0.195,
            merge_threshold: 0.5,
            merge_relaxed_threshold: 0.25,
            merge_max_conflict: 0.5,
            // ECB+ has no dates: the time terms are set a priori (about a week), not tuned.
            time_penalty: 0.3,
            time_bonus: 0.1,
            time_scale_days: 7.0,
            lead_tokens: 40,
            lead_boost: 2.0,
            query_terms: 12,
            query_ents: 12,
            max_doc_terms: 150,
            max_candidates: 12,
            max_posting: 4000,
            window_days: 45.0,
            max_active_stories: 20_000,
            storyline_threshold: 0.12,
            storyline_w_ent: 0.7,
            storyline_time_penalty: 0.1,
            storyline_window_days: 400.0,
            storyline_min_shared_ents: default_storyline_min_shared_ents(),
            split_max_size: 8,
            split_threshold: 0.3,
            split_min_part: 2,
            split_needs_actor_conflict: true,
            split_actor_max_share: 0.0,
            // Chosen on the ECB+ train topics over 8 arrival orders (0.15..0.3 are within
            // 0.002 of each other there).
            split_group_threshold: Some(0.2),
            // Chosen on the ECB+ train topics over 16 arrival orders: mean BCubed F1 0.921
            // without re-checks, 0.935 at threshold -0.5, 0.933..0.932 at 0..0.5. The seeds
            // rule out thresholds below about -0.35 (two events of one storyline, both dates
            // disagreeing, reach -0.37 against each other), and 0.25 keeps a margin there.
            settle_after: 64,
            settle_max_size: 2,
            settle_min_target: 2,
            settle_threshold: 0.25,
        }
    }
}

fn default_storyline_min_shared_ents() -> usize {
    2
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
