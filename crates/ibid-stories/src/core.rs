//! A story's core: its most central members, with the pair probabilities among them.
//!
//! Every decision about a story compares with its core, never with one member (which chains:
//! A joins because it resembles B, C because it resembles A, …) nor with a centroid of all
//! members (which drifts as a story grows and ends up matching anything about its most common
//! actors). A newcomer enters the core only if it is more central than the least central
//! member, so the core is the story's densest part and stays stable as the story grows.

use crate::features::DocFeats;
use serde::{Deserialize, Serialize};

/// Mean of the links from an outsider to every member of a core (`links` in member order);
/// 0 for an empty core.
pub(crate) fn mean_link(links: &[f32]) -> f32 {
    if links.is_empty() {
        0.0
    } else {
        links.iter().sum::<f32>() / links.len() as f32
    }
}

/// One core member: the article's index in the engine and its features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CoreMember {
    pub(crate) art: u32,
    pub(crate) feats: DocFeats,
}

/// The most central members of a group (at most the configured core size) and the symmetric
/// matrix of their pair links: articles of a story ([`CoreMember`]) or stories of a storyline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Core<M = CoreMember> {
    pub(crate) members: Vec<M>,
    /// `pair[i][j]`: probability that members `i` and `j` report one event (0 on the
    /// diagonal).
    pair: Vec<Vec<f32>>,
}

impl<M> Default for Core<M> {
    fn default() -> Self {
        Self {
            members: Vec::new(),
            pair: Vec::new(),
        }
    }
}

impl Core {
    /// A core of one article.
    pub(crate) fn single(art: u32, feats: DocFeats) -> Self {
        Core::of(CoreMember { art, feats })
    }
}

impl<M> Core<M> {
    /// A core of one member.
    pub(crate) fn of(m: M) -> Self {
        Self {
            members: vec![m],
            pair: vec![vec![0.0]],
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// Offers a new member, with its probabilities to every current member. It enters when
    /// the core has room, or when it is more central (higher mean probability to the others,
    /// itself included) than the least central member, which then leaves. Returns whether
    /// it entered.
    pub(crate) fn offer(&mut self, m: M, probs: &[f32], cap: usize) -> bool {
        debug_assert_eq!(probs.len(), self.members.len());
        let n = self.members.len();
        for (row, &p) in self.pair.iter_mut().zip(probs) {
            row.push(p);
        }
        let mut row = probs.to_vec();
        row.push(0.0);
        self.pair.push(row);
        self.members.push(m);
        if n < cap.max(1) {
            return true;
        }
        let out = self.least_central();
        self.remove(out);
        out != n
    }

    /// Index of the member with the lowest mean probability to the others (the latest such
    /// member on ties, so that an equally central newcomer does not evict an older member).
    fn least_central(&self) -> usize {
        let n = self.members.len();
        let mut worst = (f32::INFINITY, 0);
        for i in 0..n {
            let c: f32 = self.pair[i].iter().sum::<f32>();
            if c <= worst.0 {
                worst = (c, i);
            }
        }
        worst.1
    }

    /// Removes member `i` and its row and column of pair links.
    pub(crate) fn remove(&mut self, i: usize) {
        self.members.remove(i);
        self.pair.remove(i);
        for row in &mut self.pair {
            row.remove(i);
        }
    }

    /// The union of two cores, given the probabilities between their members
    /// (`cross[i][j]` for member `i` of `self` and `j` of `other`), cut back to `cap` by
    /// removing the least central member until it fits.
    pub(crate) fn union(mut self, other: Core<M>, cross: &[Vec<f32>], cap: usize) -> Core<M> {
        let n = self.members.len();
        for (i, row) in self.pair.iter_mut().enumerate() {
            row.extend_from_slice(&cross[i]);
        }
        for (j, (m, row)) in other.members.into_iter().zip(other.pair).enumerate() {
            let mut full: Vec<f32> = (0..n).map(|i| cross[i][j]).collect();
            full.extend(row);
            self.pair.push(full);
            self.members.push(m);
        }
        while self.members.len() > cap.max(1) {
            let out = self.least_central();
            self.remove(out);
        }
        self
    }

    /// The member with the highest mean probability to the others (the first on ties).
    #[cfg(test)]
    pub(crate) fn most_central(&self) -> Option<&M> {
        let mut best: Option<(f32, usize)> = None;
        for i in 0..self.members.len() {
            let c: f32 = self.pair[i].iter().sum();
            if best.is_none_or(|(b, _)| c > b) {
                best = Some((c, i));
            }
        }
        best.map(|(_, i)| &self.members[i])
    }

    /// Members in order of centrality, most central first (ties: core order).
    pub(crate) fn by_centrality(&self) -> Vec<&M> {
        let mut ix: Vec<(f32, usize)> = (0..self.members.len())
            .map(|i| (self.pair[i].iter().sum::<f32>(), i))
            .collect();
        ix.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ix.into_iter().map(|(_, i)| &self.members[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(core: &Core) -> Vec<u32> {
        core.members.iter().map(|m| m.art).collect()
    }

    /// Builds a core by offering articles `0..n` with probabilities `p(i, j)`.
    fn build(n: u32, cap: usize, p: impl Fn(u32, u32) -> f32) -> Core {
        let mut c = Core::single(0, DocFeats::default());
        for a in 1..n {
            let probs: Vec<f32> = c.members.iter().map(|m| p(a, m.art)).collect();
            c.offer(
                CoreMember {
                    art: a,
                    feats: DocFeats::default(),
                },
                &probs,
                cap,
            );
        }
        c
    }

    #[test]
    fn the_core_keeps_the_densest_members() {
        // 0..4 agree with each other; 4 and 5 are peripheral (they only resemble 0).
        let p = |a: u32, b: u32| {
            let dense = |x: u32| x < 4;
            if dense(a) && dense(b) {
                0.9
            } else if a.min(b) == 0 {
                0.5
            } else {
                0.1
            }
        };
        let c = build(6, 4, p);
        assert_eq!(member(&c), vec![0, 1, 2, 3]);
        assert_eq!(c.most_central().map(|m| m.art), Some(0));
    }

    #[test]
    fn a_peripheral_newcomer_does_not_enter_a_full_core() {
        let mut c = build(3, 3, |_, _| 0.9);
        let m = |art| CoreMember {
            art,
            feats: DocFeats::default(),
        };
        assert!(!c.offer(m(9), &[0.2, 0.2, 0.2], 3));
        assert_eq!(member(&c), vec![0, 1, 2]);
        assert!(c.offer(m(8), &[0.95, 0.95, 0.95], 3));
        assert_eq!(c.len(), 3);
        assert!(member(&c).contains(&8));
    }

    #[test]
    fn union_cuts_back_to_the_most_central() {
        let a = build(3, 8, |_, _| 0.9);
        let mut b = Core::single(10, DocFeats::default());
        b.offer(
            CoreMember {
                art: 11,
                feats: DocFeats::default(),
            },
            &[0.2],
            8,
        );
        // Member 10 agrees with a's members, 11 does not.
        let cross: Vec<Vec<f32>> = (0..3).map(|_| vec![0.8, 0.1]).collect();
        let u = a.union(b, &cross, 4);
        assert_eq!(u.len(), 4);
        assert!(!member(&u).contains(&11));
        assert_eq!(mean_link(&[0.5, 1.0]), 0.75);
    }
}
