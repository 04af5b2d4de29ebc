//! The online story engine: its state, candidate retrieval and the join-or-open decision.
//! Merges and re-checks live in `merge.rs`, storylines in `storyline.rs`, read-outs in
//! `report.rs`.

use crate::core::Core;
use crate::features::{prepare, prepare_all, weigh, DocFeats, Prepared, Term, Vocab};
use crate::pair::pair_features;
use crate::story::{fallback_title, Article, Story};
use crate::storyline::Storyline;
use crate::{StoryConfig, StoryDoc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

pub(crate) const DAY_SECS: f32 = 86_400.0;
/// Adds between sweeps that freeze stories outside the time window.
const SWEEP_EVERY: u64 = 256;
/// Documents prepared per parallel batch: large enough to amortise the pool hand-off, small
/// enough that the prepared features of one batch stay a few megabytes.
const BATCH: usize = 512;
/// Bound on a pair's log-odds in link values: one pair cannot outvote a whole core.
const LOGIT_CLAMP: f32 = 6.0;

/// One scored candidate story, as reported by [`StoryEngine::add_with`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Story id.
    pub story: String,
    /// Mean probability, over the story's core, that the article reports the same event.
    pub score: f32,
    /// Number of articles in the story before this one was added.
    pub size: usize,
}

/// How [`StoryEngine::add_with`] decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// The engine decides (what [`StoryEngine::add`] does).
    Auto,
    /// Join this story (falls back to a new story when it is unknown or frozen).
    Join(String),
    /// Open a new story.
    New,
}

/// Result of [`StoryEngine::add_with`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddOutcome {
    /// The story the article belongs to after the step (merges included).
    pub story: String,
    /// Whether it joined an existing story.
    pub joined: bool,
    /// The candidates considered, best first.
    pub candidates: Vec<Candidate>,
}

/// Online engine. State is serde-serialisable so the store can persist it and continue
/// incrementally.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoryEngine {
    pub(crate) cfg: StoryConfig,
    pub(crate) vocab: Vocab,
    pub(crate) seq: u64,
    /// Newest publication time seen.
    pub(crate) clock: Option<i64>,
    pub(crate) articles: Vec<Article>,
    pub(crate) article_ix: FxHashMap<String, u32>,
    pub(crate) stories: Vec<Story>,
    pub(crate) story_ix: FxHashMap<String, u32>,
    /// Stories that may still take articles.
    pub(crate) active: Vec<u32>,
    /// Retrieval key → stories listed under it (frozen and merged entries are pruned lazily).
    pub(crate) postings: FxHashMap<Term, Vec<u32>>,
    pub(crate) lines: Vec<Storyline>,
    pub(crate) active_lines: Vec<u32>,
    pub(crate) line_postings: FxHashMap<Term, Vec<u32>>,
    /// Ids whose document frequencies were counted by [`StoryEngine::prime`] before they were
    /// added, so that an add does not count them twice.
    pub(crate) primed: FxHashSet<String>,
    /// Pending re-checks of small stories: `(due seq, story, round)`, earliest first.
    pub(crate) settle: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u32, u8)>>,
}

impl StoryEngine {
    /// An empty engine.
    pub fn new(cfg: StoryConfig) -> Self {
        Self {
            cfg,
            vocab: Vocab::default(),
            seq: 0,
            clock: None,
            articles: Vec::new(),
            article_ix: FxHashMap::default(),
            stories: Vec::new(),
            story_ix: FxHashMap::default(),
            active: Vec::new(),
            postings: FxHashMap::default(),
            lines: Vec::new(),
            active_lines: Vec::new(),
            line_postings: FxHashMap::default(),
            primed: FxHashSet::default(),
            settle: Default::default(),
        }
    }

    /// Counts the document frequencies of a batch before it is added, so that the first
    /// articles of a batch are weighed with the batch's vocabulary (assignment stays online).
    pub fn prime(&mut self, docs: &[StoryDoc]) {
        let fresh: Vec<&StoryDoc> = docs
            .iter()
            .filter(|d| !self.article_ix.contains_key(&d.id) && !self.primed.contains(&d.id))
            .collect();
        for chunk in fresh.chunks(BATCH) {
            let owned: Vec<StoryDoc> = chunk.iter().map(|d| (*d).clone()).collect();
            for (d, p) in owned.iter().zip(prepare_all(&owned, &self.cfg)) {
                self.vocab.count(&p);
                self.primed.insert(d.id.clone());
            }
        }
    }

    /// Adds documents in the given order; features of the next batch are prepared on the
    /// rayon pool while this one is assigned. Returns each document's story id.
    pub fn add_batch(&mut self, docs: &[StoryDoc]) -> Vec<String> {
        let mut out = Vec::with_capacity(docs.len());
        let cfg = self.cfg.clone();
        let chunks: Vec<&[StoryDoc]> = docs.chunks(BATCH).collect();
        let mut next = chunks.first().map(|c| prepare_all(c, &cfg));
        for (i, chunk) in chunks.iter().enumerate() {
            let prepared = next.take().unwrap_or_default();
            let ahead = chunks.get(i + 1).copied();
            let (ids, upcoming) = rayon::join(
                || {
                    let mut ids = Vec::with_capacity(chunk.len());
                    for (d, p) in chunk.iter().zip(prepared) {
                        ids.push(self.add_prepared(d, p, &Decision::Auto, false).story);
                    }
                    ids
                },
                || ahead.map(|c| prepare_all(c, &cfg)),
            );
            out.extend(ids);
            next = upcoming;
        }
        out
    }

    /// The configuration.
    pub fn config(&self) -> &StoryConfig {
        &self.cfg
    }

    /// Number of articles the engine holds (added and not forgotten).
    pub fn len(&self) -> usize {
        self.article_ix.len()
    }

    /// Whether the engine holds no article.
    pub fn is_empty(&self) -> bool {
        self.article_ix.is_empty()
    }

    /// Ids of the articles the engine holds, in no particular order.
    pub fn article_ids(&self) -> impl Iterator<Item = &str> {
        self.article_ix.keys().map(String::as_str)
    }

    /// Takes an article back out of its story: it leaves the members, the core and the time
    /// span, and a story left empty leaves the stories and its storyline. Returns whether the
    /// engine held the article. Adding an article of that id again afterwards treats it as
    /// new (an article's new version is forgotten, then added).
    ///
    /// Only what the article itself brought is taken back. Decisions it took part in stand
    /// (a story it made two stories join stays joined) and its words still count in the
    /// document frequencies: an online clusterer cannot replay the past, and rebuilding the
    /// engine from scratch for one article cost a minute at 160,000 articles.
    pub fn forget(&mut self, article_id: &str) -> bool {
        let Some(a) = self.article_ix.remove(article_id) else {
            return false;
        };
        self.primed.remove(article_id);
        let s = self.root_story(self.articles[a as usize].story);
        let (mut first, mut last) = (None, None);
        for &m in &self.stories[s as usize].members {
            if m == a {
                continue;
            }
            if let Some(t) = self.articles[m as usize].published.map(|p| p.timestamp()) {
                first = Some(first.map_or(t, |x: i64| x.min(t)));
                last = Some(last.map_or(t, |x: i64| x.max(t)));
            }
        }
        let st = &mut self.stories[s as usize];
        st.members.retain(|&m| m != a);
        if let Some(i) = st.core.members.iter().position(|m| m.art == a) {
            st.core.remove(i);
        }
        st.first = first;
        st.last = last;
        st.last_seq = self.seq;
        if st.members.is_empty() {
            st.active = false;
            st.core = Core::default();
            st.indexed = FxHashSet::default();
            let line = st.storyline;
            self.lines[line as usize].remove_story(s);
        }
        true
    }

    pub(crate) fn root_story(&self, mut s: u32) -> u32 {
        while let Some(m) = self.stories[s as usize].merged_into {
            s = m;
        }
        s
    }

    /// Adds one article and returns the id of the story it now belongs to. Adding an id that
    /// was already added changes nothing and returns its current story.
    pub fn add(&mut self, doc: &StoryDoc) -> String {
        self.add_with(doc, &Decision::Auto).story
    }

    /// Adds one article with an explicit or automatic decision and reports the candidates it
    /// was compared with (for explanations, and for fitting on gold streams).
    pub fn add_with(&mut self, doc: &StoryDoc, decision: &Decision) -> AddOutcome {
        let p = if self.article_ix.contains_key(&doc.id) {
            Prepared::default()
        } else {
            prepare(doc, &self.cfg)
        };
        self.add_prepared(doc, p, decision, true)
    }

    fn add_prepared(
        &mut self,
        doc: &StoryDoc,
        p: Prepared,
        decision: &Decision,
        report: bool,
    ) -> AddOutcome {
        if let Some(&a) = self.article_ix.get(&doc.id) {
            let s = self.root_story(self.articles[a as usize].story);
            return AddOutcome {
                story: self.stories[s as usize].id.clone(),
                joined: true,
                candidates: Vec::new(),
            };
        }
        self.seq += 1;
        if !self.primed.remove(&doc.id) {
            self.vocab.count(&p);
        }
        let ts = doc.published.map(|p| p.timestamp());
        if let Some(t) = ts {
            self.clock = Some(self.clock.map_or(t, |c| c.max(t)));
        }
        let f = weigh(&p, &self.vocab, &self.cfg, ts);
        if self.seq.is_multiple_of(SWEEP_EVERY) || self.active.len() > self.cfg.max_active_stories {
            self.sweep();
        }
        let art = self.articles.len() as u32;
        self.articles.push(Article {
            id: doc.id.clone(),
            story: 0,
            published: doc.published,
            outlet: doc.outlet.clone().filter(|o| !o.trim().is_empty()),
            title: doc
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .or_else(|| fallback_title(&doc.text)),
        });
        self.article_ix.insert(doc.id.clone(), art);

        // A copy (exact or near duplicate, found by the dedup stage) belongs with its
        // original; it is not offered to the core, where copies of one text would crowd out
        // the event's other reports.
        if *decision == Decision::Auto {
            if let Some(orig) = doc.copy_of.as_deref().and_then(|o| self.article_ix.get(o)) {
                let s = self.root_story(self.articles[*orig as usize].story);
                self.articles[art as usize].story = s;
                let st = &mut self.stories[s as usize];
                st.members.push(art);
                st.add_time(ts);
                st.last_seq = self.seq;
                return AddOutcome {
                    story: st.id.clone(),
                    joined: true,
                    candidates: Vec::new(),
                };
            }
        }

        let mut scored: Vec<(f32, u32, Vec<f32>)> = self
            .candidates(&f.query, f.ts, usize::MAX)
            .into_iter()
            .map(|s| {
                let probs = self.core_probs(&f, s);
                (crate::core::mean_link(&probs), s, probs)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let candidates = if report {
            scored
                .iter()
                .map(|(score, s, _)| Candidate {
                    story: self.stories[*s as usize].id.clone(),
                    score: *score,
                    size: self.stories[*s as usize].members.len(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let target = match decision {
            Decision::Auto => scored
                .first()
                .filter(|(score, s, _)| {
                    let dated = ts.is_some() && self.stories[*s as usize].first.is_some();
                    *score >= self.level(self.thresholds(dated).0)
                })
                .map(|(_, s, _)| *s),
            Decision::New => None,
            Decision::Join(id) => self
                .story_ix
                .get(id)
                .map(|&s| self.root_story(s))
                .filter(|&s| self.stories[s as usize].active),
        };
        let joined = target.is_some();
        let story = match target {
            Some(s) => {
                let probs = scored
                    .iter()
                    .find(|x| x.1 == s)
                    .map(|x| x.2.clone())
                    .unwrap_or_else(|| self.core_probs(&f, s));
                self.join(s, art, f, &probs);
                if *decision == Decision::Auto {
                    let others: Vec<u32> = scored
                        .iter()
                        .filter(|x| {
                            let dated = ts.is_some() && self.stories[x.1 as usize].first.is_some();
                            x.1 != s && x.0 >= self.level(self.thresholds(dated).0)
                        })
                        .take(self.cfg.merge_checks)
                        .map(|x| x.1)
                        .collect();
                    self.try_merges(s, &others)
                } else {
                    s
                }
            }
            None => self.open_story(art, f),
        };
        if *decision == Decision::Auto {
            self.settle_due();
        }
        let story = self.root_story(story);
        AddOutcome {
            story: self.stories[story as usize].id.clone(),
            joined,
            candidates,
        }
    }

    /// Pair probabilities of an article against every member of a story's core.
    pub(crate) fn core_probs(&self, f: &DocFeats, s: u32) -> Vec<f32> {
        self.stories[s as usize]
            .core
            .members
            .iter()
            .map(|m| self.link(f, &m.feats))
            .collect()
    }

    /// The link value of two articles: their pair probability, or its log-odds (clamped)
    /// with `link_logit`.
    pub(crate) fn link(&self, a: &DocFeats, b: &DocFeats) -> f32 {
        let x = pair_features(a, b);
        if self.cfg.link_logit {
            self.cfg.pair.logit(&x).clamp(-LOGIT_CLAMP, LOGIT_CLAMP)
        } else {
            self.cfg.pair.prob(&x)
        }
    }

    /// The join and merge thresholds for a comparison, dated (both sides have publication
    /// times) or not.
    pub(crate) fn thresholds(&self, dated: bool) -> (f32, f32) {
        match (dated, self.cfg.undated_thresholds) {
            (false, Some(t)) => t,
            _ => (self.cfg.join_threshold, self.cfg.merge_threshold),
        }
    }

    /// A probability threshold in the unit of link values.
    pub(crate) fn level(&self, p: f32) -> f32 {
        if self.cfg.link_logit {
            let p = p.clamp(1e-4, 1.0 - 1e-4);
            (p / (1.0 - p)).ln()
        } else {
            p
        }
    }

    /// Candidate stories: active stories listed under the article's retrieval keys, most
    /// shared keys first (a key's weight is its rank: heavier keys come first in `query`),
    /// at most `max_candidates`; lists longer than `max_posting` (and than `posting_cap`)
    /// are skipped as too common.
    pub(crate) fn candidates(
        &self,
        query: &[Term],
        ts: Option<i64>,
        posting_cap: usize,
    ) -> Vec<u32> {
        let mut acc: FxHashMap<u32, f32> = FxHashMap::default();
        let cap = self.cfg.max_posting.min(posting_cap);
        let window = (self.cfg.window_days * DAY_SECS) as i64;
        for (rank, t) in query.iter().enumerate() {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            if list.len() > cap {
                continue;
            }
            let gain = 1.0 / (1.0 + rank as f32 * 0.1);
            for &s in list {
                let st = &self.stories[s as usize];
                if !st.active || st.merged_into.is_some() {
                    continue;
                }
                // A story outside the time window of this article is not a candidate (the
                // sweep freezes old stories only periodically, and arrivals may be late).
                if let (Some(t), Some(first), Some(last)) = (ts, st.first, st.last) {
                    if t - last > window || first - t > window {
                        continue;
                    }
                }
                *acc.entry(s).or_insert(0.0) += gain;
            }
        }
        let mut c: Vec<(u32, f32)> = acc.into_iter().collect();
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(self.cfg.max_candidates);
        c.into_iter().map(|(s, _)| s).collect()
    }

    /// Lists story `s` under retrieval keys.
    pub(crate) fn index_story(&mut self, s: u32, keys: &[Term]) {
        for &k in keys {
            if self.stories[s as usize].indexed.insert(k) {
                self.postings.entry(k).or_default().push(s);
            }
        }
    }

    fn join(&mut self, s: u32, art: u32, f: DocFeats, probs: &[f32]) {
        self.articles[art as usize].story = s;
        let seq = self.seq;
        let cap = self.cfg.core_size;
        let query = f.query.clone();
        let st = &mut self.stories[s as usize];
        st.members.push(art);
        st.add_time(f.ts);
        st.last_seq = seq;
        st.core
            .offer(crate::core::CoreMember { art, feats: f }, probs, cap);
        self.index_story(s, &query);
    }

    fn open_story(&mut self, art: u32, f: DocFeats) -> u32 {
        let s = self.stories.len() as u32;
        let mut id = format!("s-{}", self.articles[art as usize].id);
        // An article forgotten and added again (a new version) may open a second story
        // under its id: the second takes a number.
        let mut k = 2;
        while self.story_ix.contains_key(&id) {
            id = format!("s-{}-{k}", self.articles[art as usize].id);
            k += 1;
        }
        self.articles[art as usize].story = s;
        let query = f.query.clone();
        let mut st = Story {
            id: id.clone(),
            members: vec![art],
            opened_seq: self.seq,
            last_seq: self.seq,
            active: true,
            ..Story::default()
        };
        st.add_time(f.ts);
        st.core = Core::single(art, f);
        self.stories.push(st);
        self.story_ix.insert(id, s);
        self.active.push(s);
        self.index_story(s, &query);
        let line = self.pick_line(s);
        self.stories[s as usize].storyline = line;
        self.lines[line as usize].add_story(s, self.stories[s as usize].first);
        if self.cfg.settle_after > 0 {
            self.settle.push(std::cmp::Reverse((
                self.seq + self.cfg.settle_after as u64,
                s,
                0,
            )));
        }
        s
    }

    /// Freezes stories that fell out of the time window or over the size cap, closes idle
    /// storylines, and prunes posting lists of frozen and merged entries.
    pub(crate) fn sweep(&mut self) {
        let window = (self.cfg.window_days * DAY_SECS) as i64;
        let mut freeze: Vec<u32> = Vec::new();
        if let Some(clock) = self.clock {
            for &s in &self.active {
                if self.stories[s as usize]
                    .last
                    .is_some_and(|last| clock - last > window)
                {
                    freeze.push(s);
                }
            }
        }
        let cap = self.cfg.max_active_stories.max(1);
        let live = self
            .active
            .iter()
            .filter(|&&s| self.stories[s as usize].merged_into.is_none())
            .count();
        if live.saturating_sub(freeze.len()) > cap {
            let fset: FxHashSet<u32> = freeze.iter().copied().collect();
            let mut rest: Vec<(u64, u32)> = self
                .active
                .iter()
                .filter(|s| !fset.contains(s))
                .map(|&s| (self.stories[s as usize].last_seq, s))
                .collect();
            rest.sort_unstable();
            let excess = rest.len() - cap;
            freeze.extend(rest.into_iter().take(excess).map(|(_, s)| s));
        }
        for s in freeze {
            self.freeze_story(s);
        }
        let stories = &self.stories;
        self.active
            .retain(|&s| stories[s as usize].active && stories[s as usize].merged_into.is_none());
        self.postings.retain(|_, list| {
            list.retain(|&s| {
                let st = &stories[s as usize];
                st.active && st.merged_into.is_none()
            });
            !list.is_empty()
        });
        self.sweep_lines();
    }

    pub(crate) fn freeze_story(&mut self, s: u32) {
        let title = self.central_title(s);
        let st = &mut self.stories[s as usize];
        st.frozen_title = Some(title);
        st.active = false;
        st.core = Core::default();
        st.indexed = FxHashSet::default();
    }
}
