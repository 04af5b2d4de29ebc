//! Shared passages over a store: the stored pairwise alignments grouped into passage clusters
//! (earliest occurrence as source), with ids that `ibid passages` lists and `ibid show`
//! accepts, and each copy's word diff against the source.

use std::collections::HashMap;

use anyhow::Result;
use ibid_align::{
    matched_extent, passage_clusters, span_text, word_diff, AlignDoc, Alignment, DiffOp, DiffStats,
};
use ibid_store::Store;
use serde::Serialize;

/// Prefix of passage ids, beside articles' own ids and stories' `s-`.
const ID_PREFIX: &str = "p-";

/// One place a passage occurs.
#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    /// Article id.
    pub article: String,
    /// The article's outlet.
    pub outlet: Option<String>,
    /// The article's trusted publication time (RFC 3339).
    pub published: Option<String>,
    /// The article's headline.
    pub title: Option<String>,
    /// Span start, in code points of the article's original text (as in `export alignments`).
    pub start: u32,
    /// Span end (exclusive).
    pub end: u32,
    /// The passage's text there.
    pub text: String,
}

/// A passage cluster as `ibid passages` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PassageSummary {
    /// Passage id: `p-` + the source article's id + `:start-end` of the source span. Stable
    /// as long as the source occurrence is.
    pub id: String,
    /// Distinct articles holding the passage, the source's included.
    pub articles: usize,
    /// Their ids, in publication order.
    pub members: Vec<String>,
    /// Distinct known outlets among them.
    pub outlets: Vec<String>,
    /// Every occurrence comes from one outlet: its boilerplate, not reuse.
    pub outlet_boilerplate: bool,
    /// The earliest occurrence.
    pub source: Occurrence,
}

/// One copy of a passage and how it differs from the source.
#[derive(Debug, Clone, Serialize)]
pub struct PassageCopy {
    /// Where the copy is.
    #[serde(flatten)]
    pub at: Occurrence,
    /// Word counts of the diff and the copy's similarity to the source.
    pub stats: DiffStats,
    /// Word-level diff of the copy against the source.
    pub diff: Vec<DiffOp>,
}

/// A passage with every copy diffed against its source: what `ibid show PASSAGE` prints.
#[derive(Debug, Clone, Serialize)]
pub struct PassageDetail {
    /// Passage id.
    pub id: String,
    /// Every occurrence comes from one outlet.
    pub outlet_boilerplate: bool,
    /// The earliest occurrence.
    pub source: Occurrence,
    /// The other occurrences, in publication order.
    pub copies: Vec<PassageCopy>,
}

/// Article metadata, in the time order the align stage saw the articles.
struct Meta {
    id: String,
    outlet: Option<String>,
    published: Option<String>,
    title: Option<String>,
}

/// The store's passage clusters: `(articles in time order, clusters)`.
struct Clusters {
    meta: Vec<Meta>,
    clusters: Vec<ibid_align::PassageCluster>,
}

impl Clusters {
    fn load(store: &Store) -> Result<Self> {
        let meta: Vec<Meta> = store
            .cleaned_in_time_order()?
            .into_iter()
            .map(|r| Meta {
                id: r.id,
                outlet: r.outlet,
                published: r.published,
                title: r.title,
            })
            .collect();
        let index: HashMap<&str, usize> = meta
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        let span = |s: i64, e: i64| Some((u32::try_from(s).ok()?, u32::try_from(e).ok()?));
        let alignments: Vec<Alignment> = store
            .alignments()?
            .into_iter()
            .filter_map(|r| {
                Some(Alignment {
                    a: *index.get(r.a.as_str())?,
                    a_span: span(r.a_start, r.a_end)?,
                    b: *index.get(r.b.as_str())?,
                    b_span: span(r.b_start, r.b_end)?,
                    similarity: r.similarity,
                })
            })
            .collect();
        let published: Vec<_> = meta
            .iter()
            .map(|m| {
                m.published
                    .as_deref()
                    .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            })
            .collect();
        let docs: Vec<AlignDoc> = meta
            .iter()
            .zip(&published)
            .map(|(m, p)| AlignDoc {
                id: &m.id,
                outlet: m.outlet.as_deref(),
                published: *p,
                text: "",
            })
            .collect();
        let clusters = passage_clusters(&docs, &alignments);
        Ok(Self { meta, clusters })
    }

    fn id(&self, c: &ibid_align::PassageCluster) -> String {
        let (doc, span) = c.source;
        ibid_align::passage_id(&self.meta[doc].id, span)
    }

    fn occurrence(&self, store: &Store, doc: usize, span: (u32, u32)) -> Result<Occurrence> {
        let m = &self.meta[doc];
        let text = store.original_text(&m.id)?.unwrap_or_default();
        Ok(Occurrence {
            article: m.id.clone(),
            outlet: m.outlet.clone(),
            published: m.published.clone(),
            title: m.title.clone(),
            start: span.0,
            end: span.1,
            text: span_text(&text, span).to_string(),
        })
    }
}

/// Passage clusters, most widely shared first (then earliest source), at most `limit`; outlet
/// boilerplate only when `boilerplate` is set.
pub fn list(store: &Store, limit: usize, boilerplate: bool) -> Result<Vec<PassageSummary>> {
    let all = Clusters::load(store)?;
    type Picked<'a> = (&'a ibid_align::PassageCluster, Vec<usize>, Vec<String>);
    let mut picked: Vec<Picked> = all
        .clusters
        .iter()
        .filter(|c| boilerplate || !c.outlet_boilerplate)
        .map(|c| {
            let mut docs: Vec<usize> = c.members.iter().map(|m| m.0).collect();
            docs.dedup();
            let mut outlets: Vec<String> = docs
                .iter()
                .filter_map(|&d| all.meta[d].outlet.clone())
                .collect();
            outlets.sort();
            outlets.dedup();
            (c, docs, outlets)
        })
        .collect();
    picked.sort_by_key(|(c, docs, _)| (std::cmp::Reverse(docs.len()), c.source));
    picked
        .into_iter()
        .take(limit)
        .map(|(c, docs, outlets)| {
            Ok(PassageSummary {
                id: all.id(c),
                articles: docs.len(),
                members: docs.iter().map(|&d| all.meta[d].id.clone()).collect(),
                outlets,
                outlet_boilerplate: c.outlet_boilerplate,
                source: all.occurrence(store, c.source.0, c.source.1)?,
            })
        })
        .collect()
}

/// The passage with this id and every copy's diff against its source, or `None`.
pub fn detail(store: &Store, id: &str) -> Result<Option<PassageDetail>> {
    if !id.starts_with(ID_PREFIX) {
        return Ok(None);
    }
    let all = Clusters::load(store)?;
    let Some(c) = all.clusters.iter().find(|c| all.id(c) == id) else {
        return Ok(None);
    };
    let source = all.occurrence(store, c.source.0, c.source.1)?;
    let mut copies = Vec::new();
    for &(doc, span) in c.members.iter().filter(|&&m| m != c.source) {
        let mut at = all.occurrence(store, doc, span)?;
        // The member's span covers everything aligned with any copy; show only the stretch
        // that carries the source.
        if let Some((s, e)) = matched_extent(&source.text, &at.text) {
            at.text = span_text(&at.text, (s, e)).to_string();
            at.start = span.0 + s;
            at.end = span.0 + e;
        }
        let diff = word_diff(&source.text, &at.text);
        copies.push(PassageCopy {
            at,
            stats: DiffStats::of(&diff),
            diff,
        });
    }
    Ok(Some(PassageDetail {
        id: id.to_string(),
        outlet_boilerplate: c.outlet_boilerplate,
        source,
        copies,
    }))
}
