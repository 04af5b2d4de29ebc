//! Storylines: stories of one continuing thread (the same actors and subject over days and
//! weeks). A new story joins the storyline whose *recent* stories it resembles on average, in
//! names and wording, with a penalty for the time since the storyline's newest story. Comparing
//! with recent stories, not with everything a storyline ever held, is what keeps a storyline
//! from drifting into a whole topic; the idle window closes it.

use crate::engine::{StoryEngine, DAY_SECS};
use crate::features::{SparseVec, Term};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// One storyline.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Storyline {
    /// `l-` + the id of the first article of its first story.
    pub(crate) id: String,
    /// Story indices in the order they joined.
    pub(crate) stories: Vec<u32>,
    /// Publication time of its newest story's first article.
    pub(crate) last: Option<i64>,
    pub(crate) last_seq: u64,
    pub(crate) active: bool,
    /// Retrieval keys it is listed under.
    pub(crate) indexed: FxHashSet<Term>,
}

impl Storyline {
    /// Records a story (at the time of its first article).
    pub(crate) fn add_story(&mut self, s: u32, first: Option<i64>) {
        if !self.stories.contains(&s) {
            self.stories.push(s);
        }
        if let Some(t) = first {
            self.last = Some(self.last.map_or(t, |x| x.max(t)));
        }
    }

    /// Forgets a story (merged into a story of another storyline).
    pub(crate) fn remove_story(&mut self, s: u32) {
        self.stories.retain(|&x| x != s);
    }
}

impl StoryEngine {
    /// The `storyline_recent` newest stories of a storyline (current survivors of merges).
    fn recent_stories(&self, l: u32) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for &s in self.lines[l as usize].stories.iter().rev() {
            let s = self.root_story(s);
            if !out.contains(&s) {
                out.push(s);
            }
            if out.len() >= self.cfg.storyline_recent.max(1) {
                break;
            }
        }
        out
    }

    /// Chooses (or opens) the storyline of a story just opened by one article.
    pub(crate) fn pick_line(&mut self, s: u32) -> u32 {
        let (query, ts, words, ents) = {
            let m = &self.stories[s as usize].core.members[0];
            (
                m.feats.query.clone(),
                m.feats.ts,
                m.feats.words.clone(),
                m.feats.ents.clone(),
            )
        };
        let window = (self.cfg.storyline_window_days * DAY_SECS) as i64;
        let mut acc: FxHashMap<u32, f32> = FxHashMap::default();
        for (rank, t) in query.iter().enumerate() {
            let Some(list) = self.line_postings.get(t) else {
                continue;
            };
            if list.len() > self.cfg.max_posting {
                continue;
            }
            for &l in list {
                let ln = &self.lines[l as usize];
                let idle = matches!((ts, ln.last), (Some(t), Some(x)) if t - x > window);
                if ln.active && !idle {
                    *acc.entry(l).or_insert(0.0) += 1.0 / (1.0 + rank as f32 * 0.1);
                }
            }
        }
        let mut cands: Vec<(u32, f32)> = acc.into_iter().collect();
        cands.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(self.cfg.max_candidates);
        let we = self.cfg.storyline_w_ent.clamp(0.0, 1.0);
        let mut best: Option<(f32, u32)> = None;
        for (l, _) in cands {
            let recent = self.recent_stories(l);
            if recent.is_empty() {
                continue;
            }
            let mut names: FxHashSet<Term> = FxHashSet::default();
            let mut score = 0.0;
            for &r in &recent {
                let Some((pw, pe)) = self.story_profile(r) else {
                    continue;
                };
                names.extend(pe.items.iter().map(|x| x.0));
                score += we * ents.dot(&pe) + (1.0 - we) * words.dot(&pw);
            }
            let shared = ents.items.iter().filter(|x| names.contains(&x.0)).count();
            if shared < self.cfg.storyline_min_shared_ents {
                continue;
            }
            score /= recent.len() as f32;
            if let (Some(t), Some(x)) = (ts, self.lines[l as usize].last) {
                let gap = (t - x).abs() as f32 / DAY_SECS;
                score -= self.cfg.storyline_time_penalty
                    * (gap / self.cfg.storyline_window_days.max(1e-3)).min(1.0);
            }
            if best.is_none_or(|(b, bl)| score > b || (score == b && l < bl)) {
                best = Some((score, l));
            }
        }
        if std::env::var("IBID_DEBUG_LINES").is_ok() {
            if let Some((score, l)) = best {
                let gap = match (ts, self.lines[l as usize].last) {
                    (Some(t), Some(x)) => (t - x) as f32 / DAY_SECS,
                    _ => f32::NAN,
                };
                eprintln!("line score {score:.3} gap {gap:.0}");
            }
        }
        let line = match best {
            Some((score, l)) if score >= self.cfg.storyline_threshold => l,
            _ => {
                let l = self.lines.len() as u32;
                let first = self.stories[s as usize].members[0];
                self.lines.push(Storyline {
                    id: format!("l-{}", self.articles[first as usize].id),
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
        // A story that left its storyline's recent window keeps no profile once frozen.
        let recent = self.recent_stories(line);
        if let Some(&old) = self.lines[line as usize]
            .stories
            .iter()
            .rev()
            .nth(self.cfg.storyline_recent.max(1))
        {
            let old = self.root_story(old);
            if !recent.contains(&old) && !self.stories[old as usize].active {
                self.stories[old as usize].profile = None;
            }
        }
        line
    }

    /// The word and name profile of a story: built from its core while it is active, kept
    /// from freezing time afterwards (only while it is among its storyline's recent stories).
    fn story_profile(&mut self, s: u32) -> Option<(SparseVec, SparseVec)> {
        let st = &mut self.stories[s as usize];
        if st.active {
            return Some(st.profile().clone());
        }
        st.profile.clone()
    }

    /// Closes storylines idle for longer than the window and prunes their postings.
    pub(crate) fn sweep_lines(&mut self) {
        let window = (self.cfg.storyline_window_days * DAY_SECS) as i64;
        if let Some(clock) = self.clock {
            for &l in &self.active_lines {
                let ln = &mut self.lines[l as usize];
                if ln.last.is_some_and(|x| clock - x > window) {
                    ln.active = false;
                    ln.indexed = FxHashSet::default();
                }
            }
        }
        let cap = self.cfg.max_active_stories.max(1);
        if self.active_lines.len() > cap {
            let mut rest: Vec<(u64, u32)> = self
                .active_lines
                .iter()
                .filter(|&&l| self.lines[l as usize].active)
                .map(|&l| (self.lines[l as usize].last_seq, l))
                .collect();
            rest.sort_unstable();
            let excess = rest.len().saturating_sub(cap);
            for (_, l) in rest.into_iter().take(excess) {
                let ln = &mut self.lines[l as usize];
                ln.active = false;
                ln.indexed = FxHashSet::default();
            }
        }
        let closed: Vec<u32> = self
            .active_lines
            .iter()
            .copied()
            .filter(|&l| !self.lines[l as usize].active)
            .collect();
        for l in closed {
            for s in self.lines[l as usize].stories.clone() {
                let st = &mut self.stories[s as usize];
                if !st.active {
                    st.profile = None;
                }
            }
        }
        let lines = &self.lines;
        self.active_lines.retain(|&l| lines[l as usize].active);
        self.line_postings.retain(|_, list| {
            list.retain(|&l| lines[l as usize].active);
            !list.is_empty()
        });
    }
}
