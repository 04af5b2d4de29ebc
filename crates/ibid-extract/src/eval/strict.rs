//! The strict quotation scorer, shared by PolNeAR and the hand-annotated samples.
//!
//! * **Quotations, one-to-one.** ibid's quotes are first joined into quotations: a quote
//!   marked [`crate::Quote::continues`] (the rest of a quotation interrupted by its
//!   attribution or a paragraph break) joins the quotation before it. A predicted and a gold
//!   quotation may match when their spans overlap by at least half of the shorter one; each
//!   is matched at most once, largest overlaps first. Several fragments inside one gold
//!   quotation thus give one hit, and the others count as false positives.
//! * **Speaker identity.** On matched direct quotations with a gold source, ibid's speaker
//!   is right only when it is the gold source's person ([`super::identity`]).
//! * **All attributions.** Every quotation ibid makes (direct and indirect) against every
//!   gold attribution, one-to-one: precision and recall; the same for the quotations ibid is
//!   confident about ([`crate::CONFIDENT`]), and the precision of indirect ones alone.

use ibid_core::Span;
use serde::{Deserialize, Serialize};

use super::identity::{same_speaker, Identity};
use super::{f1, half_match, overlap, ratio};
use crate::gazetteer::Gazetteer;
use crate::{ArticleExtraction, CONFIDENT};

/// One gold quotation (or attribution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldQuote {
    /// Content spans (several when the quotation is interrupted).
    pub spans: Vec<Span>,
    /// Spans of the source mention (may be empty).
    pub source: Vec<Span>,
    /// Who the source is; `None` when no source is annotated.
    pub identity: Option<Identity>,
    /// Between quotation marks.
    pub direct: bool,
}

/// One of ibid's quotations: its quotes joined where one continues another.
#[derive(Debug, Clone)]
pub struct PredQuotation {
    /// Indices of the quotes in [`ArticleExtraction::quotes`].
    pub parts: Vec<usize>,
    /// Their spans.
    pub spans: Vec<Span>,
    /// Speaker (of the first part that has one).
    pub speaker: Option<String>,
    /// Its attributing mention.
    pub speaker_span: Option<Span>,
    /// Direct quotation.
    pub direct: bool,
    /// ibid's confidence (that of the first part).
    pub confidence: f32,
}

/// Joins ibid's quotes into quotations.
pub fn quotations(ex: &ArticleExtraction) -> Vec<PredQuotation> {
    let mut out: Vec<PredQuotation> = Vec::new();
    let mut last_direct: Option<usize> = None;
    for (i, q) in ex.quotes.iter().enumerate() {
        if q.direct && q.continues {
            if let Some(p) = last_direct {
                let p = &mut out[p];
                p.parts.push(i);
                p.spans.push(q.span);
                if p.speaker.is_none() {
                    p.speaker.clone_from(&q.speaker);
                    p.speaker_span = q.speaker_span;
                }
                continue;
            }
        }
        if q.direct {
            last_direct = Some(out.len());
        }
        out.push(PredQuotation {
            parts: vec![i],
            spans: vec![q.span],
            speaker: q.speaker.clone(),
            speaker_span: q.speaker_span,
            direct: q.direct,
            confidence: q.confidence,
        });
    }
    out
}

/// One-to-one matching: `pred[i]` gets `Some(gold index)`. Candidate pairs overlap by at
/// least half of the shorter side; the largest overlaps are taken first (ties: text order).
pub fn match_one_to_one(pred: &[&[Span]], gold: &[&[Span]]) -> Vec<Option<usize>> {
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (pi, p) in pred.iter().enumerate() {
        for (gi, g) in gold.iter().enumerate() {
            if half_match(p, g) {
                pairs.push((overlap(p, g), pi, gi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = vec![None; pred.len()];
    let mut taken = vec![false; gold.len()];
    for (_, pi, gi) in pairs {
        if out[pi].is_none() && !taken[gi] {
            out[pi] = Some(gi);
            taken[gi] = true;
        }
    }
    out
}

/// Strict scores (sums over documents; rates filled by [`StrictReport::finish`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrictReport {
    /// Documents scored.
    pub docs: usize,
    /// Gold direct quotations.
    pub direct_gold: usize,
    /// ibid's direct quotations (fragments of one quotation joined).
    pub direct_pred: usize,
    /// Matched pairs, one-to-one.
    pub direct_matched: usize,
    /// Direct precision.
    pub direct_precision: f64,
    /// Direct recall.
    pub direct_recall: f64,
    /// Direct F1.
    pub direct_f1: f64,
    /// Matched direct quotations whose gold has a source.
    pub speaker_total: usize,
    /// ... whose speaker is the gold source's person.
    pub speaker_correct: usize,
    /// Speaker identity accuracy.
    pub speaker_identity: f64,
    /// Of `speaker_total`: sources naming a person or body (right / total).
    pub speaker_named: (usize, usize),
    /// Of `speaker_total`: surnames shared by several people of the document (right / total).
    pub speaker_ambiguous: (usize, usize),
    /// Of `speaker_total`: sources naming no one, judged by mention (right / total).
    pub speaker_unnamed: (usize, usize),
    /// All gold attributions.
    pub all_gold: usize,
    /// All of ibid's quotations.
    pub all_pred: usize,
    /// Matched pairs, one-to-one.
    pub all_matched: usize,
    /// All-attribution precision.
    pub all_precision: f64,
    /// All-attribution recall.
    pub all_recall: f64,
    /// All-attribution F1.
    pub all_f1: f64,
    /// ibid's confident quotations (direct and indirect, confidence ≥ [`CONFIDENT`]).
    pub confident_pred: usize,
    /// ... matched one-to-one with a gold attribution.
    pub confident_matched: usize,
    /// Precision of confident quotations.
    pub confident_precision: f64,
    /// Recall of confident quotations.
    pub confident_recall: f64,
    /// ibid's indirect quotations.
    pub indirect_pred: usize,
    /// ... matched in the all-attribution matching.
    pub indirect_matched: usize,
    /// Indirect precision.
    pub indirect_precision: f64,
    /// ibid's confident indirect quotations.
    pub indirect_confident_pred: usize,
    /// ... matched in the confident matching.
    pub indirect_confident_matched: usize,
    /// Confident indirect precision.
    pub indirect_confident_precision: f64,
}

impl StrictReport {
    /// Adds another document's (or split's) counts.
    pub fn add(&mut self, o: &StrictReport) {
        self.docs += o.docs;
        self.direct_gold += o.direct_gold;
        self.direct_pred += o.direct_pred;
        self.direct_matched += o.direct_matched;
        self.speaker_total += o.speaker_total;
        self.speaker_correct += o.speaker_correct;
        for (a, b) in [
            (&mut self.speaker_named, o.speaker_named),
            (&mut self.speaker_ambiguous, o.speaker_ambiguous),
            (&mut self.speaker_unnamed, o.speaker_unnamed),
        ] {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.all_gold += o.all_gold;
        self.all_pred += o.all_pred;
        self.all_matched += o.all_matched;
        self.confident_pred += o.confident_pred;
        self.confident_matched += o.confident_matched;
        self.indirect_pred += o.indirect_pred;
        self.indirect_matched += o.indirect_matched;
        self.indirect_confident_pred += o.indirect_confident_pred;
        self.indirect_confident_matched += o.indirect_confident_matched;
    }

    /// Computes the rates from the counts.
    pub fn finish(&mut self) {
        self.direct_precision = ratio(self.direct_matched, self.direct_pred);
        self.direct_recall = ratio(self.direct_matched, self.direct_gold);
        self.direct_f1 = f1(self.direct_precision, self.direct_recall);
        self.speaker_identity = ratio(self.speaker_correct, self.speaker_total);
        self.all_precision = ratio(self.all_matched, self.all_pred);
        self.all_recall = ratio(self.all_matched, self.all_gold);
        self.all_f1 = f1(self.all_precision, self.all_recall);
        self.confident_precision = ratio(self.confident_matched, self.confident_pred);
        self.confident_recall = ratio(self.confident_matched, self.all_gold);
        self.indirect_precision = ratio(self.indirect_matched, self.indirect_pred);
        self.indirect_confident_precision = ratio(
            self.indirect_confident_matched,
            self.indirect_confident_pred,
        );
    }
}

/// One document's scores with the matched direct pairs, for error listings.
#[derive(Debug, Clone, Default)]
pub struct DocScore {
    /// The counts.
    pub report: StrictReport,
    /// ibid's quotations.
    pub pred: Vec<PredQuotation>,
    /// Matched direct pairs with a gold source: (quotation, gold, speaker right).
    pub speakers: Vec<(usize, usize, bool)>,
    /// Direct quotations matching no gold direct quotation.
    pub false_direct: Vec<usize>,
    /// Gold direct quotations no direct quotation matches.
    pub missed_direct: Vec<usize>,
    /// Gold attributions no quotation matches.
    pub missed_all: Vec<usize>,
    /// For each quotation: matched in the all-attribution matching.
    pub all_hit: Vec<bool>,
}

/// Scores one document.
pub fn score_doc(gaz: &Gazetteer, gold: &[GoldQuote], ex: &ArticleExtraction) -> DocScore {
    let pred = quotations(ex);
    let mut r = StrictReport {
        docs: 1,
        ..Default::default()
    };
    let mut d = DocScore::default();
    // Direct.
    let pd: Vec<usize> = (0..pred.len()).filter(|&i| pred[i].direct).collect();
    let gd: Vec<usize> = (0..gold.len()).filter(|&i| gold[i].direct).collect();
    let m = match_one_to_one(
        &pd.iter()
            .map(|&i| pred[i].spans.as_slice())
            .collect::<Vec<_>>(),
        &gd.iter()
            .map(|&i| gold[i].spans.as_slice())
            .collect::<Vec<_>>(),
    );
    r.direct_gold = gd.len();
    r.direct_pred = pd.len();
    let mut gold_hit = vec![false; gd.len()];
    for (k, hit) in m.iter().enumerate() {
        let Some(g) = *hit else {
            d.false_direct.push(pd[k]);
            continue;
        };
        gold_hit[g] = true;
        r.direct_matched += 1;
        let (p, gq) = (&pred[pd[k]], &gold[gd[g]]);
        let Some(identity) = &gq.identity else {
            continue;
        };
        let right = same_speaker(
            gaz,
            p.speaker.as_deref(),
            p.speaker_span,
            identity,
            &gq.source,
        );
        r.speaker_total += 1;
        r.speaker_correct += usize::from(right);
        let class = match identity {
            Identity::Named { .. } => &mut r.speaker_named,
            Identity::Ambiguous { .. } => &mut r.speaker_ambiguous,
            Identity::Unnamed => &mut r.speaker_unnamed,
        };
        class.0 += usize::from(right);
        class.1 += 1;
        d.speakers.push((pd[k], gd[g], right));
    }
    d.missed_direct = gd
        .iter()
        .zip(&gold_hit)
        .filter(|(_, h)| !**h)
        .map(|(g, _)| *g)
        .collect();
    // All attributions, and the confident ones.
    let gold_spans: Vec<&[Span]> = gold.iter().map(|g| g.spans.as_slice()).collect();
    let all = match_one_to_one(
        &pred.iter().map(|p| p.spans.as_slice()).collect::<Vec<_>>(),
        &gold_spans,
    );
    r.all_gold = gold.len();
    r.all_pred = pred.len();
    r.all_matched = all.iter().flatten().count();
    r.indirect_pred = pred.iter().filter(|p| !p.direct).count();
    r.indirect_matched = pred
        .iter()
        .zip(&all)
        .filter(|(p, m)| !p.direct && m.is_some())
        .count();
    let mut hit = vec![false; gold.len()];
    for g in all.iter().flatten() {
        hit[*g] = true;
    }
    d.missed_all = (0..gold.len()).filter(|&g| !hit[g]).collect();
    d.all_hit = all.iter().map(Option::is_some).collect();
    let conf: Vec<usize> = (0..pred.len())
        .filter(|&i| pred[i].confidence >= CONFIDENT)
        .collect();
    let cm = match_one_to_one(
        &conf
            .iter()
            .map(|&i| pred[i].spans.as_slice())
            .collect::<Vec<_>>(),
        &gold_spans,
    );
    r.confident_pred = conf.len();
    r.confident_matched = cm.iter().flatten().count();
    r.indirect_confident_pred = conf.iter().filter(|&&i| !pred[i].direct).count();
    r.indirect_confident_matched = conf
        .iter()
        .zip(&cm)
        .filter(|(&i, m)| !pred[i].direct && m.is_some())
        .count();
    r.finish();
    d.report = r;
    d.pred = pred;
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Quote;

    fn q(a: u32, b: u32, speaker: &str, direct: bool, continues: bool) -> Quote {
        Quote {
            span: Span::new(a, b),
            text: String::new(),
            speaker: Some(speaker.to_string()),
            speaker_span: None,
            direct,
            partial: false,
            continues,
            confidence: 1.0,
        }
    }

    fn named(first: &str, last: &str) -> Option<Identity> {
        Some(Identity::Named {
            first: Some(first.into()),
            last: last.into(),
        })
    }

    #[test]
    fn fragments_of_one_gold_quote_count_once() {
        let gold = vec![GoldQuote {
            spans: vec![Span::new(0, 100)],
            source: vec![],
            identity: named("jane", "doe"),
            direct: true,
        }];
        // Three fragments inside one gold quotation: one hit, two false positives.
        let ex = ArticleExtraction {
            quotes: vec![
                q(0, 40, "Jane Doe", true, false),
                q(45, 70, "Jane Doe", true, false),
                q(75, 100, "Jane Doe", true, false),
            ],
            mentions: vec![],
        };
        let g = Gazetteer::bundled();
        let r = score_doc(&g, &gold, &ex).report;
        assert_eq!((r.direct_pred, r.direct_matched), (3, 1));
        assert!((r.direct_precision - 1.0 / 3.0).abs() < 1e-9);
        // The same parts joined as one quotation: one prediction, one hit.
        let ex = ArticleExtraction {
            quotes: vec![
                q(0, 40, "Jane Doe", true, false),
                q(45, 70, "Jane Doe", true, true),
                q(75, 100, "Jane Doe", true, true),
            ],
            mentions: vec![],
        };
        let r = score_doc(&g, &gold, &ex).report;
        assert_eq!((r.direct_pred, r.direct_matched), (1, 1));
        assert_eq!((r.speaker_total, r.speaker_correct), (1, 1));
    }

    #[test]
    fn namesake_speaker_is_wrong_and_indirect_precision_counts() {
        let gold = vec![
            GoldQuote {
                spans: vec![Span::new(0, 50)],
                source: vec![],
                identity: named("hillary", "clinton"),
                direct: true,
            },
            GoldQuote {
                spans: vec![Span::new(60, 120)],
                source: vec![],
                identity: None,
                direct: false,
            },
        ];
        let mut unsure = q(130, 180, "x", false, false);
        unsure.confidence = 0.1;
        let ex = ArticleExtraction {
            quotes: vec![
                q(2, 48, "Bill Clinton", true, false),
                q(60, 118, "Hillary Clinton", false, false),
                unsure,
            ],
            mentions: vec![],
        };
        let r = score_doc(&Gazetteer::bundled(), &gold, &ex).report;
        assert_eq!((r.speaker_total, r.speaker_correct), (1, 0));
        assert_eq!((r.all_pred, r.all_matched), (3, 2));
        assert_eq!((r.indirect_pred, r.indirect_matched), (2, 1));
        assert_eq!(
            (r.indirect_confident_pred, r.indirect_confident_matched),
            (1, 1)
        );
        assert!((r.confident_precision - 1.0).abs() < 1e-9);
    }
}
