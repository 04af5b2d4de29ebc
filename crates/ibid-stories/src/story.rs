//! What the engine remembers of articles and stories, and how a story reads from outside
//! ([`StorySummary`]).

use crate::core::Core;
use crate::features::Term;
use chrono::{DateTime, FixedOffset};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

/// One article as remembered by the engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Article {
    pub(crate) id: String,
    /// Story index at assignment (follow `merged_into` for the current one).
    pub(crate) story: u32,
    pub(crate) published: Option<DateTime<FixedOffset>>,
    pub(crate) outlet: Option<String>,
    /// Headline, or the first line of the text when there is none.
    pub(crate) title: Option<String>,
}

/// One story: its members, its core and its place in time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Story {
    /// `s-` + the id of the first article.
    pub(crate) id: String,
    /// Article indices in arrival order.
    pub(crate) members: Vec<u32>,
    /// The most central members (emptied when the story is frozen).
    pub(crate) core: Core,
    /// Earliest and latest member publication times.
    pub(crate) first: Option<i64>,
    pub(crate) last: Option<i64>,
    /// Add count when the story was opened and last changed.
    pub(crate) opened_seq: u64,
    pub(crate) last_seq: u64,
    pub(crate) storyline: u32,
    pub(crate) active: bool,
    pub(crate) merged_into: Option<u32>,
    /// Posting keys this story is listed under.
    pub(crate) indexed: FxHashSet<Term>,
    /// Title fixed when the story was frozen.
    pub(crate) frozen_title: Option<Option<String>>,
}

impl Story {
    /// Adds a publication time to the story's span.
    pub(crate) fn add_time(&mut self, ts: Option<i64>) {
        if let Some(t) = ts {
            self.first = Some(self.first.map_or(t, |x| x.min(t)));
            self.last = Some(self.last.map_or(t, |x| x.max(t)));
        }
    }
}

/// A story as reported by [`crate::StoryEngine::stories`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummary {
    /// `"s-"` + id of the story's first article: stable across runs on the same data.
    pub id: String,
    /// Id of the storyline the story belongs to.
    pub storyline: String,
    /// Member article ids in arrival order.
    pub articles: Vec<String>,
    /// Headline of the story's most central article.
    pub title: Option<String>,
    /// Earliest publication time among members.
    pub first_published: Option<DateTime<FixedOffset>>,
    /// Latest publication time among members.
    pub last_published: Option<DateTime<FixedOffset>>,
    /// Outlet of the earliest member (earliest published, else first to arrive).
    pub first_outlet: Option<String>,
    /// Distinct outlets in arrival order.
    pub outlets: Vec<String>,
    /// `last_published - first_published` in days.
    pub span_days: Option<f64>,
}

/// A storyline as reported by [`crate::StoryEngine::storylines`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorylineSummary {
    /// `"l-"` + id of the first article of the storyline's first story.
    pub id: String,
    /// Story ids in time order (by first publication; undated stories last, by creation).
    pub stories: Vec<String>,
}

/// The first line of at least three words (cut at 160 characters): a title for articles
/// that came without one.
pub(crate) fn fallback_title(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.split_whitespace().count() >= 3)?;
    if line.chars().count() <= 160 {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(160).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    Some(format!("{cut}…"))
}
