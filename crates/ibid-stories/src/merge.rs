//! Stories that turn out to be one event: merges when an article fits two stories, and the
//! delayed re-check of small stories (an article that arrived before its event's story took
//! shape). Both compare cores with cores: the mean pair probability over every pair of core
//! members.

use crate::engine::StoryEngine;

/// Re-checks of a small story after the first; re-check `r` comes `4^r * settle_after` adds
/// after the story was opened.
const SETTLE_ROUNDS: u8 = 1;
/// Posting lists longer than this are skipped when looking for a re-checked story's
/// candidates: the re-check runs for most stories of a stream, and the rare shared keys find
/// the event's story on their own.
const SETTLE_MAX_POSTING: usize = 500;

impl StoryEngine {
    /// Pair probabilities between the members of two stories' cores (`[i][j]`: member `i`
    /// of `a`, member `j` of `b`).
    fn cross_probs(&self, a: u32, b: u32) -> Vec<Vec<f32>> {
        let (ca, cb) = (
            &self.stories[a as usize].core,
            &self.stories[b as usize].core,
        );
        ca.members
            .iter()
            .map(|x| {
                cb.members
                    .iter()
                    .map(|y| self.link(&x.feats, &y.feats))
                    .collect()
            })
            .collect()
    }

    /// Mean of a cross-probability matrix.
    fn mean_cross(cross: &[Vec<f32>]) -> f32 {
        let n: usize = cross.iter().map(Vec::len).sum();
        if n == 0 {
            return 0.0;
        }
        cross.iter().flatten().sum::<f32>() / n as f32
    }

    /// Merges story `s` with each of `others` whose core agrees with its core (mean pair
    /// probability at least `merge_threshold`). Returns the surviving story.
    pub(crate) fn try_merges(&mut self, mut s: u32, others: &[u32]) -> u32 {
        for &o in others {
            let o = self.root_story(o);
            s = self.root_story(s);
            if o == s || !self.stories[o as usize].active {
                continue;
            }
            let cross = self.cross_probs(s, o);
            let dated = self.stories[s as usize].first.is_some()
                && self.stories[o as usize].first.is_some();
            if Self::mean_cross(&cross) >= self.level(self.thresholds(dated).1) {
                s = self.merge_stories(s, o, cross);
            }
        }
        s
    }

    /// Merges two stories into the older one (so story ids stay those of first articles);
    /// `cross` holds the pair probabilities between `a`'s and `b`'s core members. Returns
    /// the survivor.
    fn merge_stories(&mut self, a: u32, b: u32, cross: Vec<Vec<f32>>) -> u32 {
        let (keep, gone, cross) = if a < b {
            (a, b, cross)
        } else {
            let t: Vec<Vec<f32>> = (0..cross.first().map_or(0, Vec::len))
                .map(|j| cross.iter().map(|row| row[j]).collect())
                .collect();
            (b, a, t)
        };
        let g = std::mem::take(&mut self.stories[gone as usize]);
        let cap = self.cfg.core_size;
        let st = &mut self.stories[keep as usize];
        // The larger story's storyline is the better founded one.
        let (keep_line, gone_line) = (st.storyline, g.storyline);
        let line = if g.members.len() > st.members.len() {
            gone_line
        } else {
            keep_line
        };
        let core = std::mem::take(&mut st.core);
        st.core = core.union(g.core, &cross, cap);
        st.members.extend(&g.members);
        st.first = match (st.first, g.first) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        st.last = st.last.max(g.last);
        st.last_seq = st.last_seq.max(g.last_seq);
        st.storyline = line;
        let first = st.first;
        let keys: Vec<_> = g.indexed.iter().copied().collect();
        let gs = &mut self.stories[gone as usize];
        gs.id = g.id;
        gs.members = g.members;
        gs.storyline = line;
        gs.opened_seq = g.opened_seq;
        gs.merged_into = Some(keep);
        gs.active = false;
        self.index_story(keep, &keys);
        self.lines[gone_line as usize].remove_story(gone);
        if line != keep_line {
            self.lines[keep_line as usize].remove_story(keep);
            self.lines[line as usize].add_story(keep, first);
        }
        keep
    }

    /// Runs the re-checks that are due.
    pub(crate) fn settle_due(&mut self) {
        while let Some(&std::cmp::Reverse((due, s, round))) = self.settle.peek() {
            if due > self.seq {
                break;
            }
            self.settle.pop();
            self.settle_one(s, round);
        }
    }

    /// Runs every pending re-check now (the end of a stream: nothing more will arrive).
    pub fn settle_pending(&mut self) {
        while let Some(std::cmp::Reverse((_, s, _))) = self.settle.pop() {
            self.settle_one(s, SETTLE_ROUNDS);
        }
    }

    fn settle_one(&mut self, s: u32, round: u8) {
        let st = &self.stories[s as usize];
        if st.merged_into.is_some() || !st.active || st.members.len() > self.cfg.settle_max_size {
            return;
        }
        let opened = st.opened_seq;
        if !self.try_settle(s) && round < SETTLE_ROUNDS {
            let due = opened + (self.cfg.settle_after as u64) * 4u64.pow(round as u32 + 1);
            self.settle
                .push(std::cmp::Reverse((due.max(self.seq + 1), s, round + 1)));
        }
    }

    /// Attaches small story `s` to the candidate story whose core agrees best with its core,
    /// when they agree well enough. Returns whether it did.
    fn try_settle(&mut self, s: u32) -> bool {
        let st = &self.stories[s as usize];
        let mut query: Vec<_> = Vec::new();
        for m in &st.core.members {
            for &t in &m.feats.query {
                if !query.contains(&t) {
                    query.push(t);
                }
            }
        }
        let ts = st.core.members.first().and_then(|m| m.feats.ts);
        let mut best: Option<(f32, u32, Vec<Vec<f32>>)> = None;
        for c in self.candidates(&query, ts, SETTLE_MAX_POSTING) {
            if c == s || self.stories[c as usize].members.len() < self.cfg.settle_min_target {
                continue;
            }
            let cross = self.cross_probs(s, c);
            let link = Self::mean_cross(&cross);
            if best.as_ref().is_none_or(|b| link > b.0) {
                best = Some((link, c, cross));
            }
        }
        match best {
            Some((link, c, cross))
                if link
                    >= self.level(
                        if self.stories[s as usize].first.is_some()
                            && self.stories[c as usize].first.is_some()
                        {
                            self.cfg.settle_threshold
                        } else {
                            self.thresholds(false).1
                        },
                    ) =>
            {
                self.merge_stories(s, c, cross);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_cross_averages_every_pair() {
        assert_eq!(StoryEngine::mean_cross(&[]), 0.0);
        let m = StoryEngine::mean_cross(&[vec![0.2, 0.4], vec![0.6, 0.8]]);
        assert!((m - 0.5).abs() < 1e-6);
    }
}
