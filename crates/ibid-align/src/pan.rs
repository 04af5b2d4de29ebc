//! Evaluation on the PAN plagiarism corpus (text-alignment task layout) with PAN's
//! character-level measures (Potthast et al. 2010, "An Evaluation Framework for Plagiarism
//! Detection"), computed as the official `perfmeasures.py` does.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::pan_locate::{locate, Folded};
use crate::{align_pair, AlignConfig, AlignError};

/// PAN's measures over a set of document pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanScores {
    /// Document pairs scored.
    pub pairs: usize,
    /// Plagiarism cases in the truth.
    pub cases: usize,
    /// Detections made.
    pub detections: usize,
    /// Macro precision: per detection, the share of its characters (in both documents) that
    /// belong to cases it detects; averaged over detections.
    pub precision: f64,
    /// Macro recall: per case, the share of its characters (in both documents) covered by
    /// detections that detect it; averaged over cases.
    pub recall: f64,
    /// Mean number of detections per detected case (1 is ideal).
    pub granularity: f64,
    /// `F1(precision, recall) / log2(1 + granularity)`.
    pub plagdet: f64,
}

/// PAN's measures on all pairs and on the two halves of the sorted pair list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanHalves {
    /// All pairs.
    pub all: PanScores,
    /// First half of the pairs sorted by file names (development half).
    pub dev_half: PanScores,
    /// Second half (held out while tuning).
    pub held_out_half: PanScores,
}

/// The result of [`eval_pan`]: all pairs, and the two halves of the pair list sorted by name
/// (the first half is the one the defaults were developed on; the second is held out).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanReport {
    /// All pairs.
    pub all: PanScores,
    /// First half of the pairs sorted by (suspicious, source) file name: development half.
    pub dev_half: PanScores,
    /// Second half: held out while tuning.
    pub held_out_half: PanScores,
    /// Wall-clock seconds spent aligning (reading files excluded), single thread.
    pub align_seconds: f64,
    /// Pairs aligned per second.
    pub pairs_per_sec: f64,
    /// Truth cases whose two spans hold the same text once whitespace runs are folded (as
    /// they should in a literal-copy corpus). When far below `all.cases`, the truth offsets do
    /// not fit the texts as given (re-encoded, re-wrapped or OCR'd files) and no aligner can
    /// reach a plagdet of 1 on them.
    pub truth_matching: usize,
    /// Truth cases found in the current texts by the located-truth search (see
    /// `pan_locate.rs`: word 4-gram anchors near the stated spans, chained, extended at
    /// character level across OCR confusions).
    pub located_cases: usize,
    /// Located cases whose two spans are at least 90% the same characters (whitespace folded).
    pub located_similar: usize,
    /// The detections scored against the located truth instead of the stated offsets.
    pub vs_located: PanHalves,
    /// The located copies themselves scored as detections against the stated truth: what an
    /// aligner that reports exactly the true copies gets on this corpus.
    pub located_ceiling: PanHalves,
}

impl fmt::Display for PanScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pairs {:>4}  cases {:>4}  detections {:>4}  precision {:.4}  recall {:.4}  granularity {:.4}  plagdet {:.4}",
            self.pairs, self.cases, self.detections, self.precision, self.recall, self.granularity, self.plagdet
        )
    }
}

impl fmt::Display for PanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "all       {}", self.all)?;
        writeln!(f, "dev half  {}", self.dev_half)?;
        writeln!(f, "held out  {}", self.held_out_half)?;
        writeln!(
            f,
            "truth check: {} of {} cases have the same text at both truth spans (whitespace folded)",
            self.truth_matching, self.all.cases
        )?;
        writeln!(
            f,
            "located truth: {} of {} cases found in the current texts, {} with >= 90% the same characters",
            self.located_cases, self.all.cases, self.located_similar
        )?;
        for (name, s) in [
            ("all", &self.vs_located.all),
            ("dev half", &self.vs_located.dev_half),
            ("held out", &self.vs_located.held_out_half),
        ] {
            writeln!(f, "  vs located  {name:<9} {s}")?;
        }
        writeln!(
            f,
            "located copies vs stated truth (ceiling): plagdet all {:.4}  dev half {:.4}  held out {:.4}",
            self.located_ceiling.all.plagdet,
            self.located_ceiling.dev_half.plagdet,
            self.located_ceiling.held_out_half.plagdet
        )?;
        write!(
            f,
            "aligned in {:.2} s: {:.1} pairs/s (one thread)",
            self.align_seconds, self.pairs_per_sec
        )
    }
}

/// One passage the aligner reported on a PAN pair, as [`eval_pan_detailed`] scored it: for
/// inspecting errors case by case (the `pan` example writes them with `--dump FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanDetection {
    /// Pair number in the sorted pair list (the halves split this list).
    pub pair: usize,
    /// Suspicious document file name.
    pub susp: String,
    /// Source document file name.
    pub src: String,
    /// Start of the span in the suspicious document (characters).
    pub this_start: u32,
    /// End (exclusive) of the span in the suspicious document.
    pub this_end: u32,
    /// Start of the span in the source document.
    pub src_start: u32,
    /// End (exclusive) of the span in the source document.
    pub src_end: u32,
}

/// A case or a detection: pair number, span in the suspicious document, span in the source
/// (half-open, characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ann {
    pub pair: usize,
    pub this: (u64, u64),
    pub src: (u64, u64),
}

/// Evaluates [`align_pair`] with the default configuration on a PAN text-alignment corpus
/// directory: `pairs` (lines "suspicious source"), `susp/`, `src/`, and
/// `truth/<susp>-<src>.xml` with `<feature name="plagiarism" this_offset this_length
/// source_offset source_length .../>`. PAN offsets count characters; they are compared with
/// the aligner's code-point spans (the same thing for these texts).
pub fn eval_pan(dir: &Path) -> Result<PanReport, AlignError> {
    eval_pan_with(dir, &AlignConfig::default())
}

/// [`eval_pan`] with an explicit configuration.
pub fn eval_pan_with(dir: &Path, cfg: &AlignConfig) -> Result<PanReport, AlignError> {
    eval_pan_detailed(dir, cfg).map(|(report, _)| report)
}

/// [`eval_pan_with`], also returning every detection made, in pair order.
pub fn eval_pan_detailed(
    dir: &Path,
    cfg: &AlignConfig,
) -> Result<(PanReport, Vec<PanDetection>), AlignError> {
    let pairs_text = read(&dir.join("pairs"))?;
    let mut pairs: Vec<(String, String)> = pairs_text
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    if pairs.is_empty() {
        return Err(AlignError::Format(format!("no pairs in {}", dir.display())));
    }

    let mut cases: Vec<Ann> = Vec::new();
    let mut dets: Vec<Ann> = Vec::new();
    let mut detections: Vec<PanDetection> = Vec::new();
    let mut seconds = 0.0;
    let mut truth_matching = 0;
    let mut located: Vec<Ann> = Vec::new();
    let mut located_similar = 0;
    for (p, (susp, src)) in pairs.iter().enumerate() {
        let st = read(&dir.join("susp").join(susp))?;
        let sr = read(&dir.join("src").join(src))?;
        let truth = dir
            .join("truth")
            .join(format!("{}-{}.xml", stem(susp), stem(src)));
        if truth.exists() {
            let found = truth_cases(&read(&truth)?, src, p);
            let (tc, sc): (Vec<char>, Vec<char>) = (st.chars().collect(), sr.chars().collect());
            truth_matching += found
                .iter()
                .filter(|c| same_text(&tc, c.this, &sc, c.src))
                .count();
            let mut vocab = rustc_hash::FxHashMap::default();
            let fs = Folded::new(&st, &mut vocab);
            let fr = Folded::new(&sr, &mut vocab);
            for c in &found {
                if let Some(l) = locate(&fs, &fr, c.this, c.src) {
                    located_similar += usize::from(l.similarity >= 0.9);
                    located.push(Ann {
                        pair: p,
                        this: l.this,
                        src: l.src,
                    });
                }
            }
            cases.extend(found);
        }
        let t0 = Instant::now();
        let found = align_pair(&st, &sr, cfg);
        seconds += t0.elapsed().as_secs_f64();
        for (a, b, _) in found {
            dets.push(Ann {
                pair: p,
                this: (u64::from(a.0), u64::from(a.1)),
                src: (u64::from(b.0), u64::from(b.1)),
            });
            detections.push(PanDetection {
                pair: p,
                susp: susp.clone(),
                src: src.clone(),
                this_start: a.0,
                this_end: a.1,
                src_start: b.0,
                src_end: b.1,
            });
        }
    }
    cases.sort();
    cases.dedup();
    located.sort();
    located.dedup();

    let score_halves = |c: &[Ann], d: &[Ann]| halves(pairs.len(), c, d);
    let all = score_halves(&cases, &dets);
    let report = PanReport {
        all: all.all,
        dev_half: all.dev_half,
        held_out_half: all.held_out_half,
        align_seconds: seconds,
        pairs_per_sec: pairs.len() as f64 / seconds.max(1e-9),
        truth_matching,
        located_cases: located.len(),
        located_similar,
        vs_located: score_halves(&located, &dets),
        located_ceiling: score_halves(&cases, &located),
    };
    Ok((report, detections))
}

/// Scores `dets` against `cases` on all `pairs` and on both halves of the pair list.
fn halves(pairs: usize, cases: &[Ann], dets: &[Ann]) -> PanHalves {
    let half = pairs.div_ceil(2);
    let part = |range: std::ops::Range<usize>| {
        let c: Vec<Ann> = cases
            .iter()
            .copied()
            .filter(|a| range.contains(&a.pair))
            .collect();
        let d: Vec<Ann> = dets
            .iter()
            .copied()
            .filter(|a| range.contains(&a.pair))
            .collect();
        scores(range.len(), &c, &d)
    };
    PanHalves {
        all: scores(pairs, cases, dets),
        dev_half: part(0..half),
        held_out_half: part(half..pairs),
    }
}

/// Whether character ranges `x` of `a` and `y` of `b` hold the same text with whitespace runs
/// folded to one space. Ranges past the end of a text never match.
fn same_text(a: &[char], x: (u64, u64), b: &[char], y: (u64, u64)) -> bool {
    fn folded(t: &[char], r: (u64, u64)) -> Option<String> {
        let (s, e) = (usize::try_from(r.0).ok()?, usize::try_from(r.1).ok()?);
        let mut out = String::new();
        for &c in t.get(s..e)? {
            if !c.is_whitespace() {
                out.push(c);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        Some(out)
    }
    matches!((folded(a, x), folded(b, y)), (Some(p), Some(q)) if p == q)
}

fn read(path: &Path) -> Result<String, AlignError> {
    let bytes = std::fs::read(path).map_err(|source| AlignError::Io {
        path: PathBuf::from(path),
        source,
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn stem(name: &str) -> &str {
    name.strip_suffix(".txt").unwrap_or(name)
}

/// Reads the `plagiarism` features of a PAN truth file that name `src` as source. The truth
/// files are one flat element per case, so a small attribute scanner does instead of an XML
/// dependency.
fn truth_cases(xml: &str, src: &str, pair: usize) -> Vec<Ann> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<feature") {
        rest = &rest[at + "<feature".len()..];
        let end = rest.find('>').unwrap_or(rest.len());
        let attrs = attributes(&rest[..end]);
        let get = |k: &str| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let num = |k: &str| get(k).and_then(|v| v.trim().parse::<u64>().ok());
        if get("name") != Some("plagiarism") {
            continue;
        }
        if get("source_reference").is_some_and(|r| r != src) {
            continue;
        }
        if let (Some(to), Some(tl), Some(so), Some(sl)) = (
            num("this_offset"),
            num("this_length"),
            num("source_offset"),
            num("source_length"),
        ) {
            out.push(Ann {
                pair,
                this: (to, to + tl),
                src: (so, so + sl),
            });
        }
    }
    out
}

fn attributes(s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim();
        let name = name.rsplit(char::is_whitespace).next().unwrap_or(name);
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        out.push((name, &after[..close]));
        rest = &after[close + 1..];
    }
    out
}

fn overlap(x: (u64, u64), y: (u64, u64)) -> bool {
    x.0 < y.1 && y.0 < x.1
}

/// `perfmeasures.is_overlapping`: same pair, overlapping in both documents.
fn detects(x: &Ann, y: &Ann) -> bool {
    x.pair == y.pair && overlap(x.this, y.this) && overlap(x.src, y.src)
}

/// Characters of `range` covered by the union of `others`.
fn covered(range: (u64, u64), others: &[(u64, u64)]) -> u64 {
    let mut parts: Vec<(u64, u64)> = others
        .iter()
        .map(|o| (o.0.max(range.0), o.1.min(range.1)))
        .filter(|p| p.0 < p.1)
        .collect();
    parts.sort_unstable();
    let (mut total, mut reach) = (0, range.0);
    for (s, e) in parts {
        let s = s.max(reach);
        if e > s {
            total += e - s;
            reach = e;
        }
    }
    total
}

/// `perfmeasures.macro_avg_recall`; precision is the same with the roles swapped.
pub(crate) fn macro_recall(cases: &[Ann], dets: &[Ann]) -> f64 {
    if cases.is_empty() && dets.is_empty() {
        return 1.0;
    }
    if cases.is_empty() || dets.is_empty() {
        return 0.0;
    }
    let sum: f64 = cases
        .iter()
        .map(|c| {
            let hits: Vec<&Ann> = dets.iter().filter(|d| detects(c, d)).collect();
            if hits.is_empty() {
                return 0.0;
            }
            let this: Vec<(u64, u64)> = hits.iter().map(|d| d.this).collect();
            let src: Vec<(u64, u64)> = hits.iter().map(|d| d.src).collect();
            let size = (c.this.1 - c.this.0) + (c.src.1 - c.src.0);
            (covered(c.this, &this) + covered(c.src, &src)) as f64 / size.max(1) as f64
        })
        .sum();
    sum / cases.len() as f64
}

/// `perfmeasures.granularity`: detections per detected case.
pub(crate) fn granularity(cases: &[Ann], dets: &[Ann]) -> f64 {
    let per_case: Vec<usize> = cases
        .iter()
        .map(|c| dets.iter().filter(|d| detects(c, d)).count())
        .filter(|&n| n > 0)
        .collect();
    if per_case.is_empty() {
        1.0
    } else {
        per_case.iter().sum::<usize>() as f64 / per_case.len() as f64
    }
}

/// `perfmeasures.plagdet_score`.
pub(crate) fn plagdet(recall: f64, precision: f64, gran: f64) -> f64 {
    if (recall == 0.0 && precision == 0.0) || recall < 0.0 || precision < 0.0 || gran < 1.0 {
        return 0.0;
    }
    (2.0 * recall * precision / (recall + precision)) / (1.0 + gran).log2()
}

pub(crate) fn scores(pairs: usize, cases: &[Ann], dets: &[Ann]) -> PanScores {
    let recall = macro_recall(cases, dets);
    let precision = macro_recall(dets, cases);
    let gran = granularity(cases, dets);
    PanScores {
        pairs,
        cases: cases.len(),
        detections: dets.len(),
        precision,
        recall,
        granularity: gran,
        plagdet: plagdet(recall, precision, gran),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(pair: usize, t: (u64, u64), s: (u64, u64)) -> Ann {
        Ann {
            pair,
            this: (t.0, t.0 + t.1),
            src: (s.0, s.0 + s.1),
        }
    }

    // Hand-made cases checked against the definitions in Potthast et al. (2010).
    #[test]
    fn measures_follow_the_pan_definitions() {
        let full = ann(0, (0, 100), (0, 100));
        let next = ann(0, (100, 100), (100, 100));
        let wide = ann(0, (0, 200), (0, 200));
        let other = ann(1, (0, 100), (0, 100));
        let half = ann(1, (50, 100), (50, 100));
        let quarter = ann(1, (25, 75), (25, 75));
        assert_eq!(macro_recall(&[full], &[full]), 1.0);
        assert_eq!(macro_recall(&[full, other], &[full]), 0.5);
        assert_eq!(macro_recall(&[full], &[other]), 0.0);
        assert_eq!(macro_recall(&[other], &[half]), 0.5);
        assert_eq!(macro_recall(&[other], &[half, quarter]), 0.75);
        // Precision is recall with the roles swapped.
        assert_eq!(macro_recall(&[wide], &[full]), 0.5);
        assert_eq!(macro_recall(&[next, wide], &[full]), 0.25);
        assert_eq!(granularity(&[full], &[next, wide, full]), 2.0);
        assert_eq!(granularity(&[full, next], &[wide, full]), 1.5);
        assert_eq!(plagdet(1.0, 1.0, 1.0), 1.0);
        assert!((plagdet(1.0, 1.0, 2.0) - 0.630_929_75).abs() < 1e-8);
        assert!((plagdet(0.25, 0.75, 2.0) - 0.236_598_65).abs() < 1e-8);
    }

    #[test]
    fn truth_spans_are_compared_with_whitespace_folded() {
        let a: Vec<char> = "xx the cat\n sat yy".chars().collect();
        let b: Vec<char> = "the cat sat".chars().collect();
        assert!(same_text(&a, (3, 15), &b, (0, 11)));
        assert!(!same_text(&a, (3, 14), &b, (0, 11)));
        assert!(!same_text(&a, (3, 15), &b, (0, 12)), "past the end");
    }

    #[test]
    fn truth_features_are_read_for_the_right_source() {
        let xml = r#"<document reference="s.txt">
<feature name="about" authors="x" />
<feature name="plagiarism" obfuscation="none" source_length="698" source_offset="1300" source_reference="src-1.txt" this_length="690" this_offset="3593" type="artificial" />
<feature name="plagiarism" source_length="5" source_offset="1" source_reference="src-2.txt" this_length="5" this_offset="9" />
</document>"#;
        let got = truth_cases(xml, "src-1.txt", 7);
        assert_eq!(got, vec![ann(7, (3593, 690), (1300, 698))]);
    }
}
