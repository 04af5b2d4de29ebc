//! Evaluation of story clustering against gold event labels: dataset loaders for ECB+ and
//! BASIL, BCubed and pairwise precision/recall/F1, and a report struct.

use crate::{cluster, StoryConfig, StoryDoc};
use chrono::{DateTime, FixedOffset, NaiveDate};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

/// Errors while loading an evaluation dataset.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A line is not the expected JSON record.
    #[error("{path} line {line}: {source}")]
    Json {
        /// File path.
        path: String,
        /// 1-based line number.
        line: usize,
        /// Underlying error.
        source: serde_json::Error,
    },
}

/// A document with its gold event label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabeledDoc {
    /// What the clusterer sees.
    pub doc: StoryDoc,
    /// Gold event id.
    pub gold: String,
    /// Dataset split (`train`/`dev` for ECB+, `all` for BASIL).
    pub split: String,
}

fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, EvalError> {
    let p = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|source| EvalError::Io {
        path: p.clone(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|source| EvalError::Io {
            path: p.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(&line).map_err(|source| EvalError::Json {
                path: p.clone(),
                line: i + 1,
                source,
            })?,
        );
    }
    Ok(out)
}

/// Whether a line is a (possibly tokenised, "http: / / x. com / ...") URL.
pub fn looks_like_url(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    l.starts_with("http") || l.starts_with("www") || l.contains("://") || l.contains(": / /")
}

/// Drops the first non-empty line when it is URL-like. In ECB+ one event of every topic has
/// its source URL as the first line: a labelling artefact that must not be a signal.
pub fn drop_url_line(text: &str) -> &str {
    let trimmed = text.trim_start();
    let (first, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
    if looks_like_url(first) {
        rest
    } else {
        trimmed
    }
}

#[derive(Deserialize)]
struct EcbRow {
    id: String,
    subtopic: String,
    split: String,
    text: String,
}

/// Loads ECB+ `documents.jsonl`. Gold = `subtopic`. The `url` field is ignored and the URL-like
/// first line is dropped from every text (see [`drop_url_line`]). No title, date or outlet.
pub fn load_ecbplus(path: &Path) -> Result<Vec<LabeledDoc>, EvalError> {
    let rows: Vec<EcbRow> = read_lines(path)?;
    Ok(rows
        .into_iter()
        .map(|r| LabeledDoc {
            doc: StoryDoc {
                id: r.id,
                published: None,
                outlet: None,
                title: None,
                text: drop_url_line(&r.text).to_owned(),
            },
            gold: r.subtopic,
            split: r.split,
        })
        .collect())
}

#[derive(Deserialize)]
struct BasilRow {
    id: String,
    event_id: String,
    source: Option<String>,
    date: Option<String>,
    title: Option<String>,
    text: String,
}

/// Parses `YYYY-MM-DD` (optionally followed by a time part, ignored) to midnight UTC.
pub fn parse_day(s: &str) -> Option<DateTime<FixedOffset>> {
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let utc = FixedOffset::east_opt(0)?;
    d.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
}

/// Loads BASIL `articles.jsonl`. Gold = `event_id`; the `url` field is ignored.
pub fn load_basil(path: &Path) -> Result<Vec<LabeledDoc>, EvalError> {
    let rows: Vec<BasilRow> = read_lines(path)?;
    Ok(rows
        .into_iter()
        .map(|r| LabeledDoc {
            doc: StoryDoc {
                id: r.id,
                published: r.date.as_deref().and_then(parse_day),
                outlet: r.source,
                title: r.title,
                text: r.text,
            },
            gold: r.event_id,
            split: "all".to_owned(),
        })
        .collect())
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl Prf {
    fn new(p: f64, r: f64) -> Self {
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Self { p, r, f1 }
    }
}

/// Cell counts `(pred, gold) -> n`, predicted cluster sizes, gold cluster sizes.
type Contingency<'a> = (
    FxHashMap<(&'a str, &'a str), usize>,
    FxHashMap<&'a str, usize>,
    FxHashMap<&'a str, usize>,
);

/// Contingency counts: (pred, gold) -> n, and cluster sizes.
fn contingency<'a>(pred: &'a [String], gold: &'a [String]) -> Contingency<'a> {
    let mut both = FxHashMap::default();
    let mut ps = FxHashMap::default();
    let mut gs = FxHashMap::default();
    for (p, g) in pred.iter().zip(gold) {
        *both.entry((p.as_str(), g.as_str())).or_insert(0) += 1;
        *ps.entry(p.as_str()).or_insert(0) += 1;
        *gs.entry(g.as_str()).or_insert(0) += 1;
    }
    (both, ps, gs)
}

/// BCubed precision/recall/F1 (per item, averaged over items). `pred[i]` and `gold[i]` are the
/// predicted and gold cluster labels of item `i`. Empty input scores 1.
pub fn bcubed(pred: &[String], gold: &[String]) -> Prf {
    let n = pred.len().min(gold.len());
    if n == 0 {
        return Prf::new(1.0, 1.0);
    }
    let (both, ps, gs) = contingency(&pred[..n], &gold[..n]);
    let (mut p, mut r) = (0.0, 0.0);
    for (&(pl, gl), &c) in &both {
        // Each of the c items in this cell has c correct items in its predicted cluster.
        let c = c as f64;
        p += c * c / ps[pl] as f64;
        r += c * c / gs[gl] as f64;
    }
    Prf::new(p / n as f64, r / n as f64)
}

/// Pairwise precision/recall/F1 over all unordered item pairs. With no predicted (or gold)
/// pairs the corresponding score is 1.
pub fn pairwise(pred: &[String], gold: &[String]) -> Prf {
    let n = pred.len().min(gold.len());
    let (both, ps, gs) = contingency(&pred[..n], &gold[..n]);
    let pairs = |c: usize| (c * c.saturating_sub(1) / 2) as f64;
    let tp: f64 = both.values().map(|&c| pairs(c)).sum();
    let pp: f64 = ps.values().map(|&c| pairs(c)).sum();
    let gp: f64 = gs.values().map(|&c| pairs(c)).sum();
    Prf::new(
        if pp > 0.0 { tp / pp } else { 1.0 },
        if gp > 0.0 { tp / gp } else { 1.0 },
    )
}

/// Result of clustering one dataset split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Dataset name.
    pub dataset: String,
    /// Split evaluated.
    pub split: String,
    /// Number of documents.
    pub docs: usize,
    /// Number of gold events.
    pub gold_clusters: usize,
    /// Number of predicted stories.
    pub pred_clusters: usize,
    /// BCubed scores.
    pub bcubed: Prf,
    /// Pairwise scores.
    pub pairwise: Prf,
    /// Clustering throughput (feature extraction included).
    pub docs_per_sec: f64,
}

/// Clusters `docs` with [`cluster`] (time order, then id) and scores against the gold labels.
pub fn evaluate(dataset: &str, split: &str, docs: &[LabeledDoc], cfg: &StoryConfig) -> EvalReport {
    let input: Vec<StoryDoc> = docs.iter().map(|d| d.doc.clone()).collect();
    let t0 = Instant::now();
    let engine = cluster(&input, cfg);
    let secs = t0.elapsed().as_secs_f64().max(1e-9);
    let pred: Vec<String> = docs
        .iter()
        .map(|d| engine.story_of(&d.doc.id).unwrap_or_default())
        .collect();
    let gold: Vec<String> = docs.iter().map(|d| d.gold.clone()).collect();
    let count = |v: &[String]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
    EvalReport {
        dataset: dataset.to_owned(),
        split: split.to_owned(),
        docs: docs.len(),
        gold_clusters: count(&gold),
        pred_clusters: count(&pred),
        bcubed: bcubed(&pred, &gold),
        pairwise: pairwise(&pred, &gold),
        docs_per_sec: docs.len() as f64 / secs,
    }
}

/// The documents with ids prefixed by a seeded hash, so that [`cluster`] (which orders
/// documents of the same publication time by id) sees another arrival order; seed 0 keeps the
/// ids and the order.
pub fn reordered(docs: &[LabeledDoc], seed: u64) -> Vec<LabeledDoc> {
    docs.iter()
        .map(|d| {
            let mut d = d.clone();
            if seed != 0 {
                let h = xxhash_rust::xxh3::xxh3_64_with_seed(d.doc.id.as_bytes(), seed);
                d.doc.id = format!("{h:016x}-{}", d.doc.id);
            }
            d
        })
        .collect()
}

/// [`evaluate`] averaged over `orders` arrival orders ([`reordered`] with seeds
/// `0..orders`). Online clustering depends on the order, and ECB+ has no dates, so a
/// single (id) order moves the score by a few points on arbitrary choices; the mean is the
/// steadier figure for comparing configurations.
pub fn evaluate_orders(
    dataset: &str,
    split: &str,
    docs: &[LabeledDoc],
    cfg: &StoryConfig,
    orders: u64,
) -> EvalReport {
    let orders = orders.max(1);
    let reports: Vec<EvalReport> = (0..orders)
        .map(|seed| evaluate(dataset, split, &reordered(docs, seed), cfg))
        .collect();
    let k = orders as f64;
    let mean = |f: &dyn Fn(&EvalReport) -> f64| reports.iter().map(f).sum::<f64>() / k;
    let mut out = reports[0].clone();
    out.pred_clusters = mean(&|r| r.pred_clusters as f64).round() as usize;
    out.bcubed = Prf::new(mean(&|r| r.bcubed.p), mean(&|r| r.bcubed.r));
    out.pairwise = Prf::new(mean(&|r| r.pairwise.p), mean(&|r| r.pairwise.r));
    out.docs_per_sec = mean(&|r| r.docs_per_sec);
    out
}

/// Evaluates ECB+ `train` and `dev` separately (each split is one stream of its own).
pub fn evaluate_ecbplus(path: &Path, cfg: &StoryConfig) -> Result<Vec<EvalReport>, EvalError> {
    let docs = load_ecbplus(path)?;
    Ok(["train", "dev"]
        .iter()
        .map(|split| {
            let part: Vec<LabeledDoc> =
                docs.iter().filter(|d| d.split == *split).cloned().collect();
            evaluate("ecbplus", split, &part, cfg)
        })
        .collect())
}

/// Evaluates BASIL (all 150 articles as one stream).
pub fn evaluate_basil(path: &Path, cfg: &StoryConfig) -> Result<EvalReport, EvalError> {
    let docs = load_basil(path)?;
    Ok(evaluate("basil", "all", &docs, cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let g = v(&["a", "a", "b", "c"]);
        let p = v(&["x", "x", "y", "z"]);
        assert_eq!(bcubed(&p, &g), Prf::new(1.0, 1.0));
        assert_eq!(pairwise(&p, &g), Prf::new(1.0, 1.0));
    }

    #[test]
    fn bcubed_known_values() {
        // gold {1,2,3},{4}; pred {1,2},{3,4}
        let g = v(&["a", "a", "a", "b"]);
        let p = v(&["x", "x", "y", "y"]);
        let b = bcubed(&p, &g);
        // precision: items 1,2 -> 1; item 3 -> 1/2; item 4 -> 1/2 => 3/4
        assert!((b.p - 0.75).abs() < 1e-12);
        // recall: items 1,2 -> 2/3; item 3 -> 1/3; item 4 -> 1 => (2/3+2/3+1/3+1)/4 = 2/3
        assert!((b.r - 2.0 / 3.0).abs() < 1e-12);
        let pw = pairwise(&p, &g);
        // predicted pairs: (1,2),(3,4); gold pairs (1,2),(1,3),(2,3); tp = 1
        assert!((pw.p - 0.5).abs() < 1e-12);
        assert!((pw.r - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn all_in_one_cluster() {
        let g = v(&["a", "b", "c", "d"]);
        let p = v(&["x", "x", "x", "x"]);
        let b = bcubed(&p, &g);
        assert!((b.p - 0.25).abs() < 1e-12);
        assert!((b.r - 1.0).abs() < 1e-12);
    }

    #[test]
    fn url_line_dropped() {
        assert_eq!(
            drop_url_line("http: / / www. x. com / a\nTitle\nBody"),
            "Title\nBody"
        );
        assert_eq!(drop_url_line("Title\nBody"), "Title\nBody");
        assert_eq!(drop_url_line("https://x.org/y"), "");
    }

    #[test]
    fn reordering_keeps_labels_and_changes_ids() {
        let d = |id: &str, g: &str| LabeledDoc {
            doc: StoryDoc {
                id: id.to_owned(),
                published: None,
                outlet: None,
                title: None,
                text: String::new(),
            },
            gold: g.to_owned(),
            split: "x".to_owned(),
        };
        let docs = vec![d("a", "1"), d("b", "1"), d("c", "2")];
        assert_eq!(reordered(&docs, 0), docs);
        let r = reordered(&docs, 7);
        assert!(r
            .iter()
            .zip(&docs)
            .all(|(x, y)| x.gold == y.gold && x.doc.id.ends_with(&format!("-{}", y.doc.id))));
        let mut ids: Vec<&str> = r.iter().map(|x| x.doc.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn day_parsing() {
        assert_eq!(
            parse_day("2016-12-18").map(|d| d.to_rfc3339()),
            Some("2016-12-18T00:00:00+00:00".to_owned())
        );
        assert_eq!(parse_day("12/1/16"), None);
    }

    proptest::proptest! {
        #[test]
        fn scores_are_in_unit_interval(labels in proptest::collection::vec((0u8..4, 0u8..4), 0..40)) {
            let p: Vec<String> = labels.iter().map(|(a, _)| a.to_string()).collect();
            let g: Vec<String> = labels.iter().map(|(_, b)| b.to_string()).collect();
            for s in [bcubed(&p, &g), pairwise(&p, &g)] {
                proptest::prop_assert!((0.0..=1.0).contains(&s.p));
                proptest::prop_assert!((0.0..=1.0).contains(&s.r));
                proptest::prop_assert!((0.0..=1.0).contains(&s.f1));
            }
        }
    }
}
