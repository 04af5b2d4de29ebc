//! Passage clusters: occurrences of the same passage across documents, tied together through
//! pairwise alignments.

use serde::{Deserialize, Serialize};

use crate::{AlignDoc, Alignment};

/// Two occurrences in one document are the same passage when their overlap covers at least
/// this share of the shorter one.
const SAME_PASSAGE_OVERLAP: f64 = 0.5;

/// A passage some outlet prints in at least this many of its articles...
const STANDING_REPEATS: usize = 5;
/// ...and that its outlets print in this many articles each on average, is standing text
/// (disclaimer, author bio, newsletter pitch), not reuse: text lifted from elsewhere appears
/// about once per outlet, an outlet's furniture in article after article. Outlet labels often
/// split one publisher (a site and its columnists, "Fox News" and "Fox Online News"), so
/// "all members from one outlet" alone misses most of it.
const STANDING_PER_OUTLET: usize = 3;

/// One passage and every place it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassageCluster {
    /// Cluster number, its position in the returned list.
    pub id: usize,
    /// The earliest occurrence: `(document, code-point span)`. Earliest by publication time;
    /// documents without one come after dated ones, and ties go to the lower document number.
    pub source: (usize, (u32, u32)),
    /// Every occurrence, the source included, sorted by document then span.
    pub members: Vec<(usize, (u32, u32))>,
    /// True when the passage is an outlet's own standing text (sign-off, disclaimer, author
    /// bio, standing paragraph), not reuse between outlets: every member comes from the same
    /// known outlet, or its outlets print it in article after article (see
    /// `STANDING_REPEATS`, `STANDING_PER_OUTLET`).
    pub outlet_boilerplate: bool,
}

/// The id of a passage cluster whose earliest occurrence is `span` of `article`:
/// `p-ARTICLE:START-END`, what `ibid passages` lists, `ibid show` takes and the `alignments`
/// export carries. Stable for as long as that occurrence is the earliest.
pub fn passage_id(article: &str, span: (u32, u32)) -> String {
    format!("p-{article}:{}-{}", span.0, span.1)
}

/// For each alignment, the cluster (its index in `clusters`, as [`passage_clusters`] returned
/// them for the same alignments) holding its `a` side, if any.
pub fn cluster_of_alignments(
    clusters: &[PassageCluster],
    alignments: &[Alignment],
) -> Vec<Option<usize>> {
    // Per document: (member span, cluster index).
    type Spans = Vec<((u32, u32), usize)>;
    let mut by_doc: std::collections::HashMap<usize, Spans> = std::collections::HashMap::new();
    for (i, c) in clusters.iter().enumerate() {
        for &(doc, span) in &c.members {
            by_doc.entry(doc).or_default().push((span, i));
        }
    }
    alignments
        .iter()
        .map(|al| {
            let (s, e) = al.a_span;
            by_doc.get(&al.a).and_then(|spans| {
                spans
                    .iter()
                    .find(|((ms, me), _)| *ms <= s && e <= *me)
                    .map(|(_, i)| *i)
            })
        })
        .collect()
}

/// Groups aligned passages into clusters: both sides of an alignment are the same passage, and
/// so are two occurrences in one document that overlap by at least half of the shorter one.
/// Each document's occurrences within a cluster are merged into their covering span.
/// `alignments` index into `docs` (as [`crate::PassageIndex::add_batch`] numbers them when all
/// documents were added to one index in order). Alignments naming a document outside `docs`
/// are ignored.
pub fn passage_clusters(docs: &[AlignDoc], alignments: &[Alignment]) -> Vec<PassageCluster> {
    // Occurrence k: (doc, span); alignment i gives occurrences 2i and 2i + 1.
    let occ: Vec<(usize, (u32, u32))> = alignments
        .iter()
        .filter(|al| al.a < docs.len() && al.b < docs.len())
        .flat_map(|al| [(al.a, al.a_span), (al.b, al.b_span)])
        .collect();
    let mut uf = UnionFind::new(occ.len());
    for k in (0..occ.len()).step_by(2) {
        uf.union(k, k + 1);
    }
    let mut by_doc: Vec<usize> = (0..occ.len()).collect();
    by_doc.sort_by_key(|&k| (occ[k].0, occ[k].1));
    let mut active: Vec<usize> = Vec::new();
    let mut current_doc = usize::MAX;
    for &k in &by_doc {
        let (doc, (s, e)) = occ[k];
        if doc != current_doc {
            active.clear();
            current_doc = doc;
        }
        active.retain(|&x| occ[x].1 .1 > s);
        for &x in &active {
            let (xs, xe) = occ[x].1;
            let overlap = xe.min(e).saturating_sub(xs.max(s));
            let shorter = (xe - xs).min(e - s).max(1);
            if f64::from(overlap) >= SAME_PASSAGE_OVERLAP * f64::from(shorter) {
                uf.union(x, k);
            }
        }
        active.push(k);
    }

    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut slot: Vec<usize> = vec![usize::MAX; occ.len()];
    for &k in &by_doc {
        let root = uf.find(k);
        if slot[root] == usize::MAX {
            slot[root] = groups.len();
            groups.push((root, Vec::new()));
        }
        groups[slot[root]].1.push(k);
    }

    let mut clusters: Vec<PassageCluster> = groups
        .into_iter()
        .map(|(_, ks)| {
            // ks is in (doc, span) order: merge overlapping spans per document.
            let mut members: Vec<(usize, (u32, u32))> = Vec::new();
            for k in ks {
                let (doc, (s, e)) = occ[k];
                match members.last_mut() {
                    Some((d, span)) if *d == doc && s < span.1 => span.1 = span.1.max(e),
                    _ => members.push((doc, (s, e))),
                }
            }
            let source = members
                .iter()
                .copied()
                .min_by_key(|&(doc, span)| {
                    (
                        docs[doc].published.is_none(),
                        docs[doc].published,
                        doc,
                        span,
                    )
                })
                .unwrap_or((0, (0, 0)));
            let first_outlet = docs[members[0].0].outlet;
            let mut member_docs: Vec<usize> = members.iter().map(|m| m.0).collect();
            member_docs.dedup();
            let distinct_docs = member_docs.len();
            let single_outlet = first_outlet.is_some()
                && distinct_docs >= 2
                && members.iter().all(|&(d, _)| docs[d].outlet == first_outlet);
            let mut per_outlet: Vec<&str> =
                member_docs.iter().filter_map(|&d| docs[d].outlet).collect();
            per_outlet.sort_unstable();
            let counts: Vec<usize> = per_outlet
                .chunk_by(|x, y| x == y)
                .map(<[&str]>::len)
                .collect();
            let most = counts.iter().copied().max().unwrap_or(0);
            let standing =
                most >= STANDING_REPEATS && per_outlet.len() >= STANDING_PER_OUTLET * counts.len();
            let outlet_boilerplate = single_outlet || standing;
            PassageCluster {
                id: 0,
                source,
                members,
                outlet_boilerplate,
            }
        })
        .collect();
    clusters.sort_by_key(|c| (c.source, c.members.len()));
    for (i, c) in clusters.iter_mut().enumerate() {
        c.id = i;
    }
    clusters
}

/// Plain union-find with path halving; small enough not to warrant a dependency.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        if rx != ry {
            self.parent[rx.max(ry)] = rx.min(ry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn doc<'a>(text: &'a str, outlet: &'a str, date: Option<&str>) -> AlignDoc<'a> {
        AlignDoc {
            id: "x",
            outlet: Some(outlet),
            published: date.map(|d| DateTime::parse_from_rfc3339(d).unwrap()),
            text,
        }
    }

    fn al(a: usize, a_span: (u32, u32), b: usize, b_span: (u32, u32)) -> Alignment {
        Alignment {
            a,
            a_span,
            b,
            b_span,
            similarity: 0.9,
        }
    }

    #[test]
    fn one_passage_across_three_outlets_has_the_earliest_as_source() {
        let docs = [
            doc("", "A", Some("2020-01-02T10:00:00Z")),
            doc("", "B", Some("2020-01-01T09:00:00Z")),
            doc("", "C", None),
        ];
        let alignments = [
            al(0, (100, 200), 1, (10, 110)),
            al(0, (105, 210), 2, (0, 90)),
            al(1, (12, 110), 2, (0, 88)),
            // A different passage of doc 0, overlapping the first only slightly.
            al(0, (190, 400), 2, (500, 700)),
        ];
        let cs = passage_clusters(&docs, &alignments);
        assert_eq!(cs.len(), 2, "{cs:?}");
        let main = cs.iter().find(|c| c.members.len() == 3).unwrap();
        assert_eq!(main.source, (1, (10, 110)));
        assert_eq!(
            main.members,
            vec![(0, (100, 210)), (1, (10, 110)), (2, (0, 90))]
        );
        assert!(!main.outlet_boilerplate);
        assert_eq!(cs.iter().map(|c| c.id).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn a_passage_repeated_within_one_outlet_is_boilerplate() {
        let docs = [doc("", "A", None), doc("", "A", None), doc("", "B", None)];
        let cs = passage_clusters(&docs, &[al(0, (0, 50), 1, (300, 350))]);
        assert_eq!(cs.len(), 1);
        assert!(cs[0].outlet_boilerplate);
        assert_eq!(cs[0].source, (0, (0, 50)));
        let cs = passage_clusters(&docs, &[al(0, (0, 50), 2, (0, 50))]);
        assert!(!cs[0].outlet_boilerplate);
    }

    #[test]
    fn standing_text_of_one_outlet_is_boilerplate_even_under_another_label() {
        // Outlet A prints a disclaimer in six articles; one article filed under a columnist's
        // name (B) carries it too.
        let mut docs: Vec<AlignDoc> = (0..6).map(|_| doc("", "A", None)).collect();
        docs.push(doc("", "B", None));
        let chain: Vec<Alignment> = (1..7).map(|d| al(0, (0, 90), d, (0, 90))).collect();
        assert!(passage_clusters(&docs, &chain)[0].outlet_boilerplate);
        // Two labels of one publisher printing a bio in many articles each.
        let docs: Vec<AlignDoc> = (0..12)
            .map(|i| doc("", if i % 2 == 0 { "A" } else { "A Online" }, None))
            .collect();
        let chain: Vec<Alignment> = (1..12).map(|d| al(0, (0, 90), d, (0, 90))).collect();
        assert!(passage_clusters(&docs, &chain)[0].outlet_boilerplate);
        // A quotation three outlets carry, one of them in five articles, is reuse.
        let mut docs: Vec<AlignDoc> = (0..5).map(|_| doc("", "A", None)).collect();
        docs.extend([doc("", "B", None), doc("", "C", None), doc("", "D", None)]);
        let chain: Vec<Alignment> = (1..8).map(|d| al(0, (0, 90), d, (0, 90))).collect();
        assert!(!passage_clusters(&docs, &chain)[0].outlet_boilerplate);
    }
}
