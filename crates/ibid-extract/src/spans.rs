//! Token spans sorted by start, for "which spans overlap this one" without a scan of all of
//! them. The quote rules ask it once per candidate; a scan made a page with thousands of
//! candidates quadratic.

/// Spans `(start, end)` (token offsets, end exclusive), each with the position it was added
/// at, sorted by start.
#[derive(Debug, Default)]
pub(crate) struct SpanIndex {
    by_start: Vec<(usize, usize, usize)>,
    /// The longest span: a span overlapping `a..` starts after `a - longest`.
    longest: usize,
    added: usize,
}

impl SpanIndex {
    /// Indexes `spans`, numbered in the order given.
    pub(crate) fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut index = Self::default();
        for (start, end) in spans {
            index.insert(start, end);
        }
        index
    }

    /// Adds a span; it is numbered after the ones already added.
    pub(crate) fn insert(&mut self, start: usize, end: usize) {
        let at = self.by_start.partition_point(|&(s, _, _)| s <= start);
        self.by_start.insert(at, (start, end, self.added));
        self.added += 1;
        self.longest = self.longest.max(end.saturating_sub(start));
    }

    /// The spans that share a token with `a..b`, by start: `(start, end, number)`.
    pub(crate) fn overlapping(
        &self,
        a: usize,
        b: usize,
    ) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        let lo = self
            .by_start
            .partition_point(|&(s, _, _)| s + self.longest <= a);
        let hi = self.by_start.partition_point(|&(s, _, _)| s < b);
        self.by_start[lo..hi.max(lo)]
            .iter()
            .copied()
            .filter(move |&(_, end, _)| end > a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn overlapping_finds_what_a_scan_finds(
            spans in proptest::collection::vec((0usize..200, 1usize..40), 0..60),
            a in 0usize..250,
            len in 1usize..50,
        ) {
            let spans: Vec<(usize, usize)> = spans.into_iter().map(|(s, l)| (s, s + l)).collect();
            let index = SpanIndex::new(spans.iter().copied());
            let b = a + len;
            let mut found: Vec<usize> = index.overlapping(a, b).map(|(_, _, i)| i).collect();
            found.sort_unstable();
            let scanned: Vec<usize> = (0..spans.len())
                .filter(|&i| spans[i].0 < b && spans[i].1 > a)
                .collect();
            prop_assert_eq!(found, scanned);
        }
    }

    #[test]
    fn results_come_by_start() {
        let index = SpanIndex::new([(10, 20), (2, 12), (5, 6)]);
        let starts: Vec<usize> = index.overlapping(0, 30).map(|(s, _, _)| s).collect();
        assert_eq!(starts, [2, 5, 10]);
    }
}
