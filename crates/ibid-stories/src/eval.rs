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
    /// Gold storyline id, when the data set has storylines.
    pub line: Option<String>,
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
                copy_of: None,
            },
            gold: r.subtopic,
            line: None,
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
                copy_of: None,
            },
            gold: r.event_id,
            line: None,
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

/// What a split may be used for. Every choice (weights, thresholds, rules) is made on tuning
/// splits; reporting splits are only scored, and the seeds are an acceptance test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Development: look at it, fit on it.
    Tuning,
    /// Held out: report it, never choose anything on it.
    Reporting,
}

impl Role {
    /// `tuning` or `reporting`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Tuning => "tuning",
            Role::Reporting => "reporting",
        }
    }
}

/// One stream of labelled documents: a data set's tuning or reporting split.
#[derive(Debug, Clone)]
pub struct Split {
    /// Data set name (`ecbplus`, `basil`, `allsides-days`).
    pub dataset: String,
    /// Split name within the data set.
    pub split: String,
    /// What the split may be used for.
    pub role: Role,
    /// The documents, in file order (the evaluation shuffles them).
    pub docs: Vec<LabeledDoc>,
}

/// ECB+ as two streams: the `train` topics (tuning) and the `dev` topics (reporting).
pub fn ecbplus_splits(path: &Path) -> Result<Vec<Split>, EvalError> {
    let docs = load_ecbplus(path)?;
    Ok([("train", Role::Tuning), ("dev", Role::Reporting)]
        .into_iter()
        .map(|(split, role)| Split {
            dataset: "ecbplus".to_owned(),
            split: split.to_owned(),
            role,
            docs: docs.iter().filter(|d| d.split == split).cloned().collect(),
        })
        .collect())
}

/// Seed of the hash that puts each BASIL event in one half (fixed: the halves never change).
const BASIL_SPLIT_SEED: u64 = 0x1b1d_5eed;

/// Which half of BASIL an event belongs to: `tune` or `report`, by a seeded hash of its id
/// (ids carry no other meaning here).
pub fn basil_half(event_id: &str) -> &'static str {
    if xxhash_rust::xxh3::xxh3_64_with_seed(event_id.as_bytes(), BASIL_SPLIT_SEED).is_multiple_of(2)
    {
        "tune"
    } else {
        "report"
    }
}

/// BASIL as two streams: the events of the tuning half and those of the reporting half
/// ([`basil_half`]).
pub fn basil_splits(path: &Path) -> Result<Vec<Split>, EvalError> {
    let docs = load_basil(path)?;
    Ok([("tune", Role::Tuning), ("report", Role::Reporting)]
        .into_iter()
        .map(|(split, role)| Split {
            dataset: "basil".to_owned(),
            split: split.to_owned(),
            role,
            docs: docs
                .iter()
                .filter(|d| basil_half(&d.gold) == split)
                .cloned()
                .map(|mut d| {
                    d.split = split.to_owned();
                    d
                })
                .collect(),
        })
        .collect())
}

#[derive(Deserialize)]
struct DayLabel {
    id: String,
    split: String,
    event: String,
    storyline: String,
}

#[derive(Deserialize)]
struct AllSidesRow {
    id: String,
    source: Option<String>,
    date: Option<String>,
    title: Option<String>,
    text: Option<String>,
}

/// Gold label of pages that are not articles: kept out of story scoring.
pub const NON_ARTICLE: &str = "non-article";

/// The labels of the AllSides real-day set (ids and labels only; the texts stay in
/// `../shared/data/allsides`), as annotated under `docs/annotation/allsides-days.md`.
pub const ALLSIDES_DAYS_LABELS: &str = include_str!("../data/allsides-days.jsonl");

/// The AllSides real-day set: our own event and storyline labels (`labels`: the JSONL text of
/// `{id, split, event, storyline}` rows, usually [`ALLSIDES_DAYS_LABELS`]) over articles of
/// `../shared/data/allsides` (`articles`, gzip JSONL). One stream per split (`tune`: tuning,
/// `report`: reporting); pages labelled [`NON_ARTICLE`] are left out.
pub fn allsides_days_splits(labels: &str, articles: &Path) -> Result<Vec<Split>, EvalError> {
    let labels: Vec<DayLabel> = labels
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| EvalError::Json {
                path: "allsides-days labels".to_owned(),
                line: i + 1,
                source,
            })
        })
        .collect::<Result<_, _>>()?;
    let wanted: FxHashMap<&str, &DayLabel> = labels
        .iter()
        .filter(|l| l.event != NON_ARTICLE)
        .map(|l| (l.id.as_str(), l))
        .collect();
    let p = articles.display().to_string();
    let io = |source| EvalError::Io {
        path: p.clone(),
        source,
    };
    let f = std::fs::File::open(articles).map_err(io)?;
    let mut docs: Vec<LabeledDoc> = Vec::new();
    let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(io)?;
        // Only the labelled articles are parsed in full.
        let Some(id) = line
            .split_once("\"id\": \"")
            .or_else(|| line.split_once("\"id\":\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(id, _)| id)
        else {
            continue;
        };
        let Some(label) = wanted.get(id) else {
            continue;
        };
        let row: AllSidesRow = serde_json::from_str(&line).map_err(|source| EvalError::Json {
            path: p.clone(),
            line: i + 1,
            source,
        })?;
        docs.push(LabeledDoc {
            doc: StoryDoc {
                id: row.id,
                published: row.date.as_deref().and_then(parse_day),
                outlet: row.source,
                title: row.title,
                text: row.text.unwrap_or_default(),
                copy_of: None,
            },
            gold: label.event.clone(),
            line: Some(label.storyline.clone()),
            split: label.split.clone(),
        });
    }
    Ok([("tune", Role::Tuning), ("report", Role::Reporting)]
        .into_iter()
        .map(|(split, role)| Split {
            dataset: "allsides-days".to_owned(),
            split: split.to_owned(),
            role,
            docs: docs.iter().filter(|d| d.split == split).cloned().collect(),
        })
        .collect())
}

/// The documents with opaque ids: each id is replaced by a seeded hash, so neither the ids
/// (data-set ids often start with their event) nor the file order carry a signal. [`cluster`]
/// orders arrivals by date and then by id, so documents of the same date (and undated ones)
/// arrive in an order that changes with `seed`. Labels stay with their documents.
pub fn opaque(docs: &[LabeledDoc], seed: u64) -> Vec<LabeledDoc> {
    docs.iter()
        .map(|d| {
            let mut d = d.clone();
            let h = xxhash_rust::xxh3::xxh3_64_with_seed(d.doc.id.as_bytes(), seed ^ OPAQUE_SEED);
            d.doc.id = format!("{h:016x}");
            d
        })
        .collect()
}

/// Mixed into the seeds of [`opaque`], so that order 0 is not the identity of any other hash.
const OPAQUE_SEED: u64 = 0x0b5c_0de5_1d5e_ed00;

/// Scores of one clustering run (one arrival order).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunScore {
    /// BCubed against the gold events.
    pub bcubed: Prf,
    /// Pairwise against the gold events.
    pub pairwise: Prf,
    /// BCubed of predicted storylines against gold storylines, when the data has them.
    pub storylines: Option<Prf>,
    /// Number of predicted stories.
    pub pred_clusters: usize,
    /// Number of predicted storylines.
    pub pred_lines: usize,
    /// Clustering throughput (feature extraction included).
    pub docs_per_sec: f64,
}

/// Clusters `docs` as given (ids and all) with [`cluster`] and scores the result.
pub fn score_run(docs: &[LabeledDoc], cfg: &StoryConfig) -> RunScore {
    let input: Vec<StoryDoc> = docs.iter().map(|d| d.doc.clone()).collect();
    let t0 = Instant::now();
    let engine = cluster(&input, cfg);
    let secs = t0.elapsed().as_secs_f64().max(1e-9);
    let pred: Vec<String> = docs
        .iter()
        .map(|d| engine.story_of(&d.doc.id).unwrap_or_default())
        .collect();
    let gold: Vec<String> = docs.iter().map(|d| d.gold.clone()).collect();
    let (storylines, pred_lines) = if docs.iter().all(|d| d.line.is_some()) && !docs.is_empty() {
        let pred_line: Vec<String> = pred
            .iter()
            .map(|s| engine.storyline_of_story(s).unwrap_or_default())
            .collect();
        let gold_line: Vec<String> = docs.iter().filter_map(|d| d.line.clone()).collect();
        (Some(bcubed(&pred_line, &gold_line)), distinct(&pred_line))
    } else {
        (None, 0)
    };
    RunScore {
        bcubed: bcubed(&pred, &gold),
        pairwise: pairwise(&pred, &gold),
        storylines,
        pred_clusters: distinct(&pred),
        pred_lines,
        docs_per_sec: docs.len() as f64 / secs,
    }
}

fn distinct(v: &[String]) -> usize {
    v.iter().collect::<std::collections::BTreeSet<_>>().len()
}

/// Mean and worst of a score over arrival orders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverOrders {
    /// Precision, recall and F1, each the mean over orders.
    pub mean: Prf,
    /// The lowest F1 of any order.
    pub worst_f1: f64,
}

impl OverOrders {
    fn of(runs: impl Iterator<Item = Prf> + Clone) -> Self {
        let k = runs.clone().count().max(1) as f64;
        let mean = |f: fn(&Prf) -> f64| runs.clone().map(|r| f(&r)).sum::<f64>() / k;
        Self {
            mean: Prf {
                p: mean(|r| r.p),
                r: mean(|r| r.r),
                f1: mean(|r| r.f1),
            },
            worst_f1: runs.map(|r| r.f1).fold(f64::INFINITY, f64::min),
        }
    }
}

/// Result of clustering one split in several arrival orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Dataset name.
    pub dataset: String,
    /// Split evaluated.
    pub split: String,
    /// Tuning or reporting.
    pub role: Role,
    /// Number of documents.
    pub docs: usize,
    /// Number of gold events.
    pub gold_clusters: usize,
    /// Number of arrival orders (each with its own opaque ids).
    pub orders: usize,
    /// Number of predicted stories, mean over orders.
    pub pred_clusters: f64,
    /// BCubed over orders (the F1 of `mean` is the mean of the orders' F1).
    pub bcubed: OverOrders,
    /// Pairwise over orders.
    pub pairwise: OverOrders,
    /// Number of gold storylines, when the data has them.
    pub gold_lines: Option<usize>,
    /// Number of predicted storylines, mean over orders.
    pub pred_lines: Option<f64>,
    /// Storyline BCubed over orders, when the data has gold storylines.
    pub storylines: Option<OverOrders>,
    /// Clustering throughput, mean over orders.
    pub docs_per_sec: f64,
    /// BCubed F1 of putting every article in a story of its own: the floor a clusterer must
    /// beat (high when most gold events are single articles).
    pub singletons_f1: f64,
}

/// Default number of arrival orders of an evaluation.
pub const DEFAULT_ORDERS: usize = 16;
/// Writes reports as the table `ibid eval stories` prints: one line per split (BCubed P/R/F1
/// means and worst F1, pairwise F1, storyline F1 and its worst, the one-story-per-article
/// floor, speed), then a line saying what the figures are over.
pub fn write_table(
    out: &mut dyn std::io::Write,
    reports: &[EvalReport],
    orders: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<13} {:<6} {:<9} {:>4} {:>4} {:>6}  {:>5} {:>5} {:>5} {:>5}  {:>5}  {:>5} {:>5}  {:>6}  {:>6}",
        "dataset",
        "split",
        "role",
        "docs",
        "gold",
        "pred",
        "B3 P",
        "B3 R",
        "B3 F1",
        "worst",
        "pair",
        "line",
        "worst",
        "1-each",
        "docs/s"
    )?;
    for r in reports {
        let (lf, lw) = r.storylines.map_or_else(
            || ("-".to_owned(), "-".to_owned()),
            |l| (format!("{:.3}", l.mean.f1), format!("{:.3}", l.worst_f1)),
        );
        writeln!(
            out,
            "{:<13} {:<6} {:<9} {:>4} {:>4} {:>6.1}  {:>5.3} {:>5.3} {:>5.3} {:>5.3}  {:>5.3}  {:>5} {:>5}  {:>6.3}  {:>6.0}",
            r.dataset,
            r.split,
            r.role.as_str(),
            r.docs,
            r.gold_clusters,
            r.pred_clusters,
            r.bcubed.mean.p,
            r.bcubed.mean.r,
            r.bcubed.mean.f1,
            r.bcubed.worst_f1,
            r.pairwise.mean.f1,
            lf,
            lw,
            r.singletons_f1,
            r.docs_per_sec
        )?;
    }
    writeln!(
        out,
        "mean and worst over {orders} shuffled arrival orders with opaque ids; pair = pairwise F1; \
         line = storyline BCubed F1; 1-each = BCubed F1 of one story per article"
    )
}

/// Clusters a split in `orders` arrival orders, each with opaque ids ([`opaque`] with seeds
/// `0..orders`), and reports the mean and the worst order.
pub fn evaluate(split: &Split, cfg: &StoryConfig, orders: usize) -> EvalReport {
    let orders = orders.max(1);
    let runs: Vec<RunScore> = (0..orders as u64)
        .map(|seed| score_run(&opaque(&split.docs, seed), cfg))
        .collect();
    let k = orders as f64;
    let gold: Vec<&str> = split.docs.iter().map(|d| d.gold.as_str()).collect();
    let has_lines = runs.iter().all(|r| r.storylines.is_some());
    let gold_lines = has_lines.then(|| {
        split
            .docs
            .iter()
            .filter_map(|d| d.line.as_deref())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    });
    EvalReport {
        dataset: split.dataset.clone(),
        split: split.split.clone(),
        role: split.role,
        docs: split.docs.len(),
        gold_clusters: gold.iter().collect::<std::collections::BTreeSet<_>>().len(),
        orders,
        pred_clusters: runs.iter().map(|r| r.pred_clusters as f64).sum::<f64>() / k,
        bcubed: OverOrders::of(runs.iter().map(|r| r.bcubed)),
        pairwise: OverOrders::of(runs.iter().map(|r| r.pairwise)),
        gold_lines,
        pred_lines: has_lines.then(|| runs.iter().map(|r| r.pred_lines as f64).sum::<f64>() / k),
        storylines: has_lines.then(|| OverOrders::of(runs.iter().filter_map(|r| r.storylines))),
        docs_per_sec: runs.iter().map(|r| r.docs_per_sec).sum::<f64>() / k,
        singletons_f1: {
            let own: Vec<String> = (0..split.docs.len()).map(|i| i.to_string()).collect();
            let gold: Vec<String> = split.docs.iter().map(|d| d.gold.clone()).collect();
            bcubed(&own, &gold).f1
        },
    }
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

    fn labeled(id: &str, g: &str) -> LabeledDoc {
        LabeledDoc {
            doc: StoryDoc {
                id: id.to_owned(),
                published: None,
                outlet: None,
                title: None,
                text: String::new(),
                copy_of: None,
            },
            gold: g.to_owned(),
            line: None,
            split: "x".to_owned(),
        }
    }

    #[test]
    fn opaque_ids_keep_labels_and_hide_the_original_ids() {
        let docs = vec![
            labeled("topic1_a", "1"),
            labeled("topic1_b", "1"),
            labeled("topic2_c", "2"),
        ];
        for seed in [0, 7] {
            let r = opaque(&docs, seed);
            assert!(r.iter().zip(&docs).all(|(x, y)| x.gold == y.gold));
            assert!(r
                .iter()
                .all(|x| x.doc.id.len() == 16 && !x.doc.id.contains("topic")));
            let ids: std::collections::BTreeSet<&str> =
                r.iter().map(|x| x.doc.id.as_str()).collect();
            assert_eq!(ids.len(), 3);
        }
        // Another seed, other ids: the arrival order of same-date documents changes.
        assert_ne!(opaque(&docs, 0)[0].doc.id, opaque(&docs, 1)[0].doc.id);
    }

    #[test]
    fn basil_halves_are_a_fixed_partition_by_event() {
        let events: Vec<String> = (0..200).map(|i| format!("event-{i}")).collect();
        let tune = events.iter().filter(|e| basil_half(e) == "tune").count();
        assert!(
            (70..=130).contains(&tune),
            "{tune} of 200 in the tuning half"
        );
        assert!(events
            .iter()
            .all(|e| basil_half(e) == basil_half(&e.clone())));
    }

    #[test]
    fn orders_report_mean_and_worst() {
        let runs = [Prf::new(1.0, 1.0), Prf::new(0.5, 1.0)];
        let o = OverOrders::of(runs.iter().copied());
        assert!((o.mean.p - 0.75).abs() < 1e-12);
        assert!((o.worst_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((o.mean.f1 - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
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
