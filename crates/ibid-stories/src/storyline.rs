//! Storylines: stories of one continuing thread (the same actors and subject over days and
//! weeks). A new story joins the storyline whose *recent* stories it resembles on average, in
//! names and wording (the storyline follows its thread as it turns), when
//! - it shares at least `storyline_min_shared_ents` *specific* names with them (names that
//!   are not among the big actors a large share of all articles name), and
//! - the storyline is live: its newest story is at most `storyline_window_days` old and its
//!   first at most `storyline_max_span_days`: a thread that pauses for a month, or has run for
//!   months, does not take everything that resembles its latest turn (which is how storylines
//!   swallow whole topics, one step at a time); or
//! - the story resumes the thread: it shares at least `storyline_resume_rare_names` *rare* names
//!   (in few documents of the stream: specific people and places, not the big actors every
//!   article names) with the storyline's recent stories, within `storyline_resume_days`.

use crate::engine::{StoryEngine, DAY_SECS};
use crate::features::{SparseVec, Term};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// A story as a storyline remembers it: the vectors of the article that opened it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct LineMember {
    pub(crate) story: u32,
    pub(crate) words: SparseVec,
    pub(crate) ents: SparseVec,
}

/// One storyline.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Storyline {
    /// `l-` + the id of the first article of its first story.
    pub(crate) id: String,
    /// Story indices in the order they joined.
    pub(crate) stories: Vec<u32>,
    /// Its most recent stories, newest last (emptied when the storyline closes).
    pub(crate) recent: Vec<LineMember>,
    /// Publication time of its first and newest story's first article.
    pub(crate) first: Option<i64>,
    pub(crate) last: Option<i64>,
    pub(crate) last_seq: u64,
    pub(crate) active: bool,
    /// Retrieval keys it is listed under.
    pub(crate) indexed: FxHashSet<Term>,
}

/// A name in at most this many documents always counts as rare: a small stream cannot tell
/// rare from common, and then the storyline score alone decides.
const RARE_DF_MIN: f32 = 5.0;
/// A name in at most this many documents is never one of the big actors of the time.
const SPECIFIC_DF_MIN: f32 = 50.0;

impl Storyline {
    /// Records a story (at the time of its first article).
    pub(crate) fn add_story(&mut self, s: u32, first: Option<i64>) {
        if !self.stories.contains(&s) {
            self.stories.push(s);
        }
        if let Some(t) = first {
            self.first = Some(self.first.map_or(t, |x| x.min(t)));
            self.last = Some(self.last.map_or(t, |x| x.max(t)));
        }
    }

    /// Forgets a story (merged into a story of another storyline).
    pub(crate) fn remove_story(&mut self, s: u32) {
        self.stories.retain(|&x| x != s);
    }
}

impl StoryEngine {
    /// How alike two stories are for storylines: the weighted cosines of their names and words.
    fn line_sim(&self, a: &LineMember, b: &LineMember) -> f32 {
        let we = self.cfg.storyline_w_ent.clamp(0.0, 1.0);
        we * a.ents.dot(&b.ents) + (1.0 - we) * a.words.dot(&b.words)
    }

    /// Chooses (or opens) the storyline of a story just opened by one article.
    pub(crate) fn pick_line(&mut self, s: u32) -> u32 {
        let (query, ts, me) = {
            let m = &self.stories[s as usize].core.members[0];
            (
                m.feats.query.clone(),
                m.feats.ts,
                LineMember {
                    story: s,
                    words: m.feats.words.clone(),
                    ents: m.feats.ents.clone(),
                },
            )
        };
        let cfg = &self.cfg;
        let resume = (cfg.storyline_resume_days.max(cfg.storyline_window_days) * DAY_SECS) as i64;
        let mut acc: FxHashMap<u32, f32> = FxHashMap::default();
        for (rank, t) in query.iter().enumerate() {
            let Some(list) = self.line_postings.get(t) else {
                continue;
            };
            if list.len() > cfg.max_posting {
                continue;
            }
            for &l in list {
                let ln = &self.lines[l as usize];
                let idle = matches!((ts, ln.last), (Some(t), Some(x)) if t - x > resume);
                if ln.active && !idle {
                    *acc.entry(l).or_insert(0.0) += 1.0 / (1.0 + rank as f32 * 0.1);
                }
            }
        }
        let mut cands: Vec<(u32, f32)> = acc.into_iter().collect();
        cands.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(cfg.max_candidates);
        // A name is rare when few documents of the stream have it, specific when it is not one
        // of the big actors a large share of all articles name.
        let n = self.vocab.n as f32;
        let rare_df = (cfg.storyline_rare_share * n).max(RARE_DF_MIN) as u32;
        let specific_df = (cfg.storyline_specific_share * n).max(SPECIFIC_DF_MIN) as u32;
        let mut best: Option<(f32, u32)> = None;
        for (l, _) in cands {
            let ln = &self.lines[l as usize];
            if ln.recent.is_empty() {
                continue;
            }
            let in_line = |t: Term| ln.recent.iter().any(|m| m.ents.contains(t));
            let shared: Vec<Term> = me
                .ents
                .items
                .iter()
                .map(|x| x.0)
                .filter(|&t| self.vocab.df(t) <= specific_df && in_line(t))
                .collect();
            if shared.len() < cfg.storyline_min_shared_ents {
                continue;
            }
            let live = match (ts, ln.first, ln.last) {
                (Some(t), Some(first), Some(last)) => {
                    (t - last) as f32 <= cfg.storyline_window_days * DAY_SECS
                        && (t - first) as f32 <= cfg.storyline_max_span_days * DAY_SECS
                }
                _ => true,
            };
            if !live {
                let rare = shared
                    .iter()
                    .filter(|&&t| self.vocab.df(t) <= rare_df)
                    .count();
                if rare < cfg.storyline_resume_rare_names {
                    continue;
                }
            }
            let sims: Vec<f32> = ln.recent.iter().map(|m| self.line_sim(&me, m)).collect();
            let score = crate::core::mean_link(&sims);
            if best.is_none_or(|(b, bl)| score > b || (score == b && l < bl)) {
                best = Some((score, l));
            }
        }
        let keep = self.cfg.storyline_recent.max(1);
        let line = match best {
            Some((score, l)) if score >= self.cfg.storyline_threshold => {
                let recent = &mut self.lines[l as usize].recent;
                recent.push(me);
                if recent.len() > keep {
                    recent.remove(0);
                }
                l
            }
            _ => {
                let l = self.lines.len() as u32;
                // Named as its first story ("s-X" opens "l-X"): story ids are unique, even
                // for an article forgotten and added again, so line ids are too.
                let story = &self.stories[s as usize].id;
                self.lines.push(Storyline {
                    id: format!("l-{}", story.strip_prefix("s-").unwrap_or(story)),
                    recent: vec![me],
                    active: true,
                    ..Storyline::default()
                });
                self.active_lines.push(l);
                l
            }
        };
        let seq = self.seq;
        let ln = &mut self.lines[line as usize];
        ln.last_seq = seq;
        for &t in &query {
            if ln.indexed.insert(t) {
                self.line_postings.entry(t).or_default().push(line);
            }
        }
        line
    }

    /// Closes storylines idle for longer than the window (or over the cap on open ones) and
    /// prunes their postings.
    pub(crate) fn sweep_lines(&mut self) {
        let window = (self
            .cfg
            .storyline_resume_days
            .max(self.cfg.storyline_window_days)
            * DAY_SECS) as i64;
        let mut close: Vec<u32> = Vec::new();
        if let Some(clock) = self.clock {
            for &l in &self.active_lines {
                if self.lines[l as usize]
                    .last
                    .is_some_and(|x| clock - x > window)
                {
                    close.push(l);
                }
            }
        }
        let cap = self.cfg.max_active_stories.max(1);
        if self.active_lines.len().saturating_sub(close.len()) > cap {
            let shut: FxHashSet<u32> = close.iter().copied().collect();
            let mut rest: Vec<(u64, u32)> = self
                .active_lines
                .iter()
                .filter(|l| !shut.contains(l))
                .map(|&l| (self.lines[l as usize].last_seq, l))
                .collect();
            rest.sort_unstable();
            let excess = rest.len() - cap;
            close.extend(rest.into_iter().take(excess).map(|(_, l)| l));
        }
        for l in close {
            let ln = &mut self.lines[l as usize];
            ln.active = false;
            ln.recent = Vec::new();
            ln.indexed = FxHashSet::default();
        }
        let lines = &self.lines;
        self.active_lines.retain(|&l| lines[l as usize].active);
        self.line_postings.retain(|_, list| {
            list.retain(|&l| lines[l as usize].active);
            !list.is_empty()
        });
    }
}
