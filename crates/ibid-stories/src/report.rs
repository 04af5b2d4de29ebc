//! Read-outs of the engine's state: stories and storylines as summaries, and lookups by id.

use crate::engine::StoryEngine;
use crate::story::{Article, StorySummary, StorylineSummary};
use rustc_hash::FxHashSet;

impl StoryEngine {
    /// Headline of the story's most central core member that has one (the frozen title once
    /// the story left the window).
    pub(crate) fn central_title(&self, s: u32) -> Option<String> {
        let st = &self.stories[s as usize];
        if let Some(t) = &st.frozen_title {
            return t.clone();
        }
        if let Some(t) = self.shared_title(&st.members) {
            return Some(t);
        }
        st.core
            .by_centrality()
            .into_iter()
            .find_map(|m| self.articles[m.art as usize].title.clone())
            .or_else(|| {
                st.members
                    .iter()
                    .find_map(|&a| self.articles[a as usize].title.clone())
            })
    }

    /// The headline the most outlets ran among `members`, when at least two ran it: wire
    /// copy and syndication name the event better than any one page, whose scraped title may
    /// be a photo caption or a section name. Headlines of fewer than four words are left out
    /// (section names recur across pages); ties go to the earliest member's.
    fn shared_title(&self, members: &[u32]) -> Option<String> {
        let mut seen: Vec<(String, &str, FxHashSet<String>)> = Vec::new();
        for &a in members {
            let art = &self.articles[a as usize];
            let (Some(title), Some(outlet)) = (&art.title, &art.outlet) else {
                continue;
            };
            if title.split_whitespace().count() < 4 {
                continue;
            }
            let key = title.to_lowercase();
            let outlet = outlet.trim().to_lowercase();
            match seen.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, outlets)) => {
                    outlets.insert(outlet);
                }
                None => seen.push((key, title, FxHashSet::from_iter([outlet]))),
            }
        }
        let best = seen
            .iter()
            .map(|(_, _, o)| o.len())
            .max()
            .filter(|&n| n >= 2)?;
        seen.into_iter()
            .find(|(_, _, o)| o.len() == best)
            .map(|(_, title, _)| title.to_string())
    }

    fn summary(&self, s: u32) -> StorySummary {
        let st = &self.stories[s as usize];
        let arts: Vec<&Article> = st
            .members
            .iter()
            .map(|&a| &self.articles[a as usize])
            .collect();
        let first_published = arts.iter().filter_map(|a| a.published).min();
        let last_published = arts.iter().filter_map(|a| a.published).max();
        let earliest = arts
            .iter()
            .enumerate()
            .min_by_key(|(i, a)| (a.published.is_none(), a.published, *i))
            .map(|(_, a)| *a);
        let mut outlets: Vec<String> = Vec::new();
        for a in &arts {
            if let Some(o) = &a.outlet {
                if !outlets.contains(o) {
                    outlets.push(o.clone());
                }
            }
        }
        StorySummary {
            id: st.id.clone(),
            storyline: self.lines[st.storyline as usize].id.clone(),
            articles: arts.iter().map(|a| a.id.clone()).collect(),
            title: self.central_title(s),
            first_published,
            last_published,
            first_outlet: earliest.and_then(|a| a.outlet.clone()),
            outlets,
            span_days: first_published
                .zip(last_published)
                .map(|(a, b)| (b - a).num_seconds() as f64 / 86_400.0),
        }
    }

    /// All stories (merged-away and emptied ones excluded) in creation order.
    pub fn stories(&self) -> Vec<StorySummary> {
        (0..self.stories.len() as u32)
            .filter(|&s| {
                let st = &self.stories[s as usize];
                // A story whose every article was forgotten is gone.
                st.merged_into.is_none() && !st.members.is_empty()
            })
            .map(|s| self.summary(s))
            .collect()
    }

    /// All storylines that hold a story, in creation order, each with its stories in time
    /// order.
    pub fn storylines(&self) -> Vec<StorylineSummary> {
        let mut out = Vec::new();
        for (l, ln) in self.lines.iter().enumerate() {
            let mut ss: Vec<(bool, Option<i64>, u32)> = ln
                .stories
                .iter()
                .map(|&s| self.root_story(s))
                .collect::<FxHashSet<u32>>()
                .into_iter()
                .filter(|&s| {
                    let st = &self.stories[s as usize];
                    st.storyline == l as u32 && !st.members.is_empty()
                })
                .map(|s| {
                    let first = self.stories[s as usize].first;
                    (first.is_none(), first, s)
                })
                .collect();
            if ss.is_empty() {
                continue;
            }
            ss.sort_unstable();
            out.push(StorylineSummary {
                id: ln.id.clone(),
                stories: ss
                    .into_iter()
                    .map(|(_, _, s)| self.stories[s as usize].id.clone())
                    .collect(),
            });
        }
        out
    }

    /// The current story (after merges) of an article.
    pub fn story_of(&self, article_id: &str) -> Option<String> {
        let &a = self.article_ix.get(article_id)?;
        let s = self.root_story(self.articles[a as usize].story);
        Some(self.stories[s as usize].id.clone())
    }

    /// The storyline of a story (merged-away story ids are followed to their survivor).
    pub fn storyline_of_story(&self, story_id: &str) -> Option<String> {
        let &s = self.story_ix.get(story_id)?;
        let s = self.root_story(s);
        let l = self.stories[s as usize].storyline;
        Some(self.lines[l as usize].id.clone())
    }
}
