//! Zyte article-extraction benchmark: the benchmark's own metric and a
//! runner over `html/<sha256>.html.gz` + `ground-truth.json`.
//!
//! The metric mirrors the benchmark's `evaluate.py` (checked against a Python
//! port in `bench/extract/score.py`): `\w+` tokens with case kept, 4-token
//! shingles (1–3 tokens give one shorter shingle, none give none), per-page
//! multiset tp/fp/fn normalised to sum 1, precision averaged over pages with a
//! non-empty prediction, recall over pages with non-empty gold, F1 of the means.

use crate::{Extractor, HtmlError};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Per-page normalised counts (tp + fp + fn = 1, or all 0 when both sides are empty).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct PageScore {
    /// Shared shingles.
    pub tp: f64,
    /// Predicted shingles not in gold.
    pub fp: f64,
    /// Gold shingles not predicted.
    pub fn_: f64,
}

/// Aggregate precision / recall / F1 over pages.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Prf {
    /// Mean per-page precision over pages with a non-empty prediction.
    pub precision: f64,
    /// Mean per-page recall over pages with non-empty gold.
    pub recall: f64,
    /// 2PR/(P+R) of the two means.
    pub f1: f64,
}

/// Result of [`eval_zyte`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct ZyteReport {
    /// Pages scored.
    pub pages: usize,
    /// Scores over all pages.
    pub all: Prf,
    /// Pages at even positions by sorted sha (the development half).
    pub even: Prf,
    /// Pages at odd positions by sorted sha (the held-out half).
    pub odd: Prf,
    /// Pages per second of decode + extraction on one thread (I/O and gunzip excluded).
    pub pages_per_sec: f64,
    /// Pages per second of CPU time of the extracting thread (same work as
    /// `pages_per_sec`), immune to other processes on a shared machine;
    /// 0 where the OS does not report thread CPU time (Linux `schedstat`).
    pub cpu_pages_per_sec: f64,
    /// Pages whose extraction returned an error (scored as empty predictions).
    pub errors: usize,
    /// Per-page detail, sorted by sha: (sha, score, predicted text).
    #[serde(skip)]
    pub per_page: Vec<(String, PageScore, String)>,
}

/// Failure to run the benchmark (missing or malformed files).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// `ground-truth.json` is not the expected shape.
    #[error("ground-truth.json: {0}")]
    GroundTruth(String),
}

/// Tokens as in Python's `re.findall(r"\w+", text)`: runs of alphanumerics and `_`.
/// Hand-written instead of a regex because `char::is_alphanumeric` is the
/// closest match to Python's `str.isalnum`-based `\w` and needs no dependency.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn shingles<'a>(toks: &'a [&'a str]) -> HashMap<&'a [&'a str], u32> {
    let mut m = HashMap::new();
    if toks.is_empty() {
        return m;
    }
    let n = 4.min(toks.len());
    for w in toks.windows(n) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

/// Score one page: multiset shingle matching, normalised to sum 1.
pub fn score_page(gold: &str, pred: &str) -> PageScore {
    let gt = tokens(gold);
    let pt = tokens(pred);
    let g = shingles(&gt);
    let p = shingles(&pt);
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (k, &gc) in &g {
        let pc = p.get(k).copied().unwrap_or(0);
        tp += u64::from(gc.min(pc));
        fn_ += u64::from(gc.saturating_sub(pc));
    }
    for (k, &pc) in &p {
        let gc = g.get(k).copied().unwrap_or(0);
        fp += u64::from(pc.saturating_sub(gc));
    }
    let s = (tp + fp + fn_) as f64;
    if s == 0.0 {
        return PageScore::default();
    }
    PageScore {
        tp: tp as f64 / s,
        fp: fp as f64 / s,
        fn_: fn_ as f64 / s,
    }
}

/// Aggregate page scores the benchmark's way.
pub fn aggregate(pages: &[PageScore]) -> Prf {
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let precision = mean(
        pages
            .iter()
            .filter(|s| s.tp + s.fp > 0.0)
            .map(|s| s.tp / (s.tp + s.fp))
            .collect(),
    );
    let recall = mean(
        pages
            .iter()
            .filter(|s| s.tp + s.fn_ > 0.0)
            .map(|s| s.tp / (s.tp + s.fn_))
            .collect(),
    );
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Prf {
        precision,
        recall,
        f1,
    }
}

/// One benchmark page: sha, raw HTML bytes, gold text, page URL.
pub struct ZytePage {
    /// sha256 id (file stem).
    pub sha: String,
    /// Decompressed HTML bytes.
    pub html: Vec<u8>,
    /// Gold article body.
    pub gold: String,
    /// Page URL from the ground truth, if any.
    pub url: Option<String>,
}

/// Load the benchmark pages sorted by sha.
pub fn load_zyte(dir: &Path) -> Result<Vec<ZytePage>, EvalError> {
    let gt_path = dir.join("ground-truth.json");
    let raw = std::fs::read_to_string(&gt_path).map_err(|source| EvalError::Io {
        path: gt_path.clone(),
        source,
    })?;
    let gt: serde_json::Value =
        serde_json::from_str(&raw).map_err(|e| EvalError::GroundTruth(e.to_string()))?;
    let obj = gt
        .as_object()
        .ok_or_else(|| EvalError::GroundTruth("not an object".into()))?;
    let mut pages = Vec::with_capacity(obj.len());
    for (sha, v) in obj {
        let path = dir.join("html").join(format!("{sha}.html.gz"));
        let mut html = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| flate2::read::GzDecoder::new(f).read_to_end(&mut html))
            .map_err(|source| EvalError::Io {
                path: path.clone(),
                source,
            })?;
        pages.push(ZytePage {
            sha: sha.clone(),
            html,
            gold: v["articleBody"].as_str().unwrap_or_default().to_string(),
            url: v["url"].as_str().map(str::to_string),
        });
    }
    pages.sort_by(|a, b| a.sha.cmp(&b.sha));
    Ok(pages)
}

/// Run the default extractor on the Zyte benchmark in `dir`.
pub fn eval_zyte(dir: &Path) -> Result<ZyteReport, EvalError> {
    eval_zyte_with(dir, &crate::DefaultExtractor::default())
}

/// Run any [`Extractor`] on the Zyte benchmark in `dir` (single thread).
pub fn eval_zyte_with(dir: &Path, extractor: &dyn Extractor) -> Result<ZyteReport, EvalError> {
    let pages = load_zyte(dir)?;
    let mut preds = Vec::with_capacity(pages.len());
    let mut errors = 0;
    let start = Instant::now();
    let cpu_start = thread_cpu_secs();
    for p in &pages {
        let r: Result<_, HtmlError> =
            crate::decode_html(&p.html, None).and_then(|s| extractor.extract(&s, p.url.as_deref()));
        match r {
            Ok(a) => preds.push(a.text),
            Err(_) => {
                errors += 1;
                preds.push(String::new());
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_start.zip(thread_cpu_secs()).map(|(a, b)| b - a);
    let mut r = report(&pages, preds, secs, errors);
    r.cpu_pages_per_sec = match cpu {
        Some(c) if c > 0.0 => pages.len() as f64 / c,
        _ => 0.0,
    };
    Ok(r)
}

/// CPU time of the calling thread in seconds, from Linux's
/// `/proc/thread-self/schedstat` (first field: nanoseconds on CPU). Read from
/// procfs rather than through `libc::clock_gettime` to stay dependency-free.
pub fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Score given predictions (same order as `pages`).
pub fn report(pages: &[ZytePage], preds: Vec<String>, secs: f64, errors: usize) -> ZyteReport {
    let per_page: Vec<(String, PageScore, String)> = pages
        .iter()
        .zip(preds)
        .map(|(p, pred)| (p.sha.clone(), score_page(&p.gold, &pred), pred))
        .collect();
    let scores: Vec<PageScore> = per_page.iter().map(|x| x.1).collect();
    let half = |r: usize| -> Vec<PageScore> {
        scores
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == r)
            .map(|(_, s)| *s)
            .collect()
    };
    ZyteReport {
        pages: pages.len(),
        all: aggregate(&scores),
        even: aggregate(&half(0)),
        odd: aggregate(&half(1)),
        pages_per_sec: if secs > 0.0 {
            pages.len() as f64 / secs
        } else {
            0.0
        },
        cpu_pages_per_sec: 0.0,
        errors,
        per_page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_like_python_w() {
        assert_eq!(
            tokens("Hello, wörld_1 — 2.5%"),
            vec!["Hello", "wörld_1", "2", "5"]
        );
        assert!(tokens(" ,. ").is_empty());
    }

    #[test]
    fn page_scores() {
        let s = score_page("a b c d e", "a b c d e");
        assert_eq!((s.tp, s.fp, s.fn_), (1.0, 0.0, 0.0));
        // gold shingles: abcd, bcde; pred: abcd, bcdx -> tp1 fp1 fn1
        let s = score_page("a b c d e", "a b c d x");
        assert!((s.tp - 1.0 / 3.0).abs() < 1e-12 && (s.fp - 1.0 / 3.0).abs() < 1e-12);
        // short texts give one shorter shingle
        let s = score_page("a b", "a b");
        assert_eq!(s.tp, 1.0);
        let s = score_page("a b", "a c");
        assert_eq!((s.tp, s.fp, s.fn_), (0.0, 0.5, 0.5));
        // multiset: repeated shingles count
        let s = score_page("a b c d a b c d", "a b c d");
        assert_eq!(s.tp, 0.2);
        assert_eq!(score_page("", ""), PageScore::default());
    }

    #[test]
    fn aggregate_skips_empty_sides() {
        let pages = [
            score_page("a b c d", "a b c d"), // P1 R1
            score_page("a b c d", ""),        // no prediction: only recall 0
            score_page("", ""),               // neither
        ];
        let m = aggregate(&pages);
        assert_eq!(m.precision, 1.0);
        assert_eq!(m.recall, 0.5);
        assert!((m.f1 - 2.0 / 3.0).abs() < 1e-12);
    }
}
