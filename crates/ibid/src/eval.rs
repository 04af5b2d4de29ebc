//! `ibid eval`: scores ibid's stages on the evaluation data in `../shared/data/` with each
//! dataset's standard metric. The scoring code lives in the stage crates; this is wiring and
//! printing.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};

/// What to evaluate.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Story clustering: BCubed and pairwise P/R/F1 against gold events (and storylines where
    /// the data has them), mean and worst over shuffled arrival orders with opaque ids, for
    /// each data set's tuning and reporting split.
    Stories {
        /// Dataset.
        #[arg(long, value_enum, default_value = "all")]
        dataset: StoriesDataset,
        /// Arrival orders (each with its own opaque ids; dates still order arrivals).
        #[arg(long, default_value_t = ibid_stories::eval::DEFAULT_ORDERS)]
        orders: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every stage on the five seed articles against their hand-made reference (exact match).
    Seeds {
        /// The folder holding `seeds/` and `seeds.gold.json`.
        #[arg(long, default_value = "../shared/corpus")]
        corpus: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Passage alignment: PAN's character-level precision, recall, granularity and plagdet.
    Passages {
        /// Dataset.
        #[arg(long, value_enum)]
        dataset: PassagesDataset,
    },
    /// Quotations and speakers, strict: one-to-one direct-quote P/R/F1, speaker identity (the
    /// gold source's person, not a namesake), all-attribution and indirect precision and
    /// recall; the old lenient figures beside them.
    Quotes {
        /// Dataset.
        #[arg(long, value_enum)]
        dataset: QuotesDataset,
        /// Split to score (`dev` reports; `train` is for development).
        #[arg(long, default_value = "dev")]
        split: String,
        /// The annotated sample's folder (`allsides-sample` only).
        #[arg(long, default_value = "bench/quotes-allsides")]
        sample: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Named entities: PER/ORG/LOC mention P/R/F1 and alias merging, on GUM's development
    /// and reporting halves.
    Entities {
        /// Dataset.
        #[arg(long, value_enum)]
        dataset: EntitiesDataset,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// HTML main-text extraction: the benchmark's own shingle P/R/F1, and pages/s.
    Extract {
        /// Dataset.
        #[arg(long, value_enum)]
        dataset: ExtractDataset,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Extraction datasets.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExtractDataset {
    /// The Zyte (ScrapingHub) article-extraction benchmark: 181 news pages.
    Zyte,
}

/// Passage datasets.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PassagesDataset {
    /// PAN plagiarism corpus, literal-copy subset.
    Pan,
}

/// Quote datasets.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum QuotesDataset {
    /// PolNeAR political news attribution relations.
    Polnear,
    /// ibid's own annotation of direct quotes and speakers in 44 AllSides articles
    /// (`bench/quotes-allsides/`).
    AllsidesSample,
}

/// Entity datasets.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EntitiesDataset {
    /// GUM news documents (Wikinews).
    Gum,
}

/// Story datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoriesDataset {
    /// ECB+ (tuning: train topics; reporting: dev topics; the source-URL line is dropped).
    Ecbplus,
    /// BASIL (the same event from three outlets; events split in two halves by a hash).
    Basil,
    /// ibid's own annotation of dense AllSides days (events and storylines; tuning and
    /// reporting windows), over `allsides/articles.jsonl.gz`.
    AllsidesDays,
    /// All of the above.
    All,
}

/// Where the evaluation data lives: `--data`, `IBID_DATA`, else `../shared/data`.
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(|| PathBuf::from("../shared/data"))
}

fn need(path: PathBuf) -> Result<PathBuf> {
    if !path.exists() {
        bail!(
            "{} not found: point --data (or IBID_DATA) at the evaluation data folder",
            path.display()
        );
    }
    Ok(path)
}

/// The strict direct-quote line, the same for every quote data set.
fn write_direct(
    out: &mut impl Write,
    st: &ibid_extract::eval::strict::StrictReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "  direct quotes     P {:.3}  R {:.3}  F1 {:.3}   ({} gold, {} predicted, {} matched)",
        st.direct_precision,
        st.direct_recall,
        st.direct_f1,
        st.direct_gold,
        st.direct_pred,
        st.direct_matched
    )
}

pub fn run(cmd: EvalCommand, data: &Path) -> Result<()> {
    let out = &mut std::io::stdout().lock();
    match cmd {
        EvalCommand::Passages { dataset } => {
            let PassagesDataset::Pan = dataset;
            let dir = need(data.join("pan-no-obfuscation"))?;
            let r = ibid_align::eval_pan(&dir)
                .with_context(|| format!("evaluating {}", dir.display()))?;
            write!(out, "{r}")?;
        }
        EvalCommand::Quotes {
            dataset,
            split,
            sample,
            json,
        } => {
            if let QuotesDataset::AllsidesSample = dataset {
                let articles = need(data.join("allsides").join("articles.jsonl.gz"))?;
                let st = crate::quotes_sample::eval_sample(&articles, &sample)?;
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&st)?)?;
                    return Ok(());
                }
                writeln!(
                    out,
                    "allsides sample: {} articles (direct quotes only are annotated)",
                    st.docs
                )?;
                write_direct(out, &st)?;
                writeln!(
                    out,
                    "  speaker identity  {:.3}   ({} of {}; named {}/{}, unnamed by mention {}/{})",
                    st.speaker_identity,
                    st.speaker_correct,
                    st.speaker_total,
                    st.speaker_named.0,
                    st.speaker_named.1,
                    st.speaker_unnamed.0,
                    st.speaker_unnamed.1
                )?;
                return Ok(());
            }
            let root = need(data.join("polnear"))?;
            let gaz = ibid_extract::Gazetteer::bundled();
            let r = ibid_extract::eval::eval_polnear(&root, &split, &gaz)
                .with_context(|| format!("evaluating {}", root.display()))?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(out, "polnear {split}: {} documents", r.docs)?;
            let st = &r.strict;
            writeln!(
                out,
                "strict (one-to-one quotations, speaker = the gold source's person)"
            )?;
            write_direct(out, st)?;
            writeln!(
                out,
                "  speaker identity  {:.3}   ({} of {}; named {}/{}, ambiguous surname {}/{}, unnamed by mention {}/{})",
                st.speaker_identity,
                st.speaker_correct,
                st.speaker_total,
                st.speaker_named.0,
                st.speaker_named.1,
                st.speaker_ambiguous.0,
                st.speaker_ambiguous.1,
                st.speaker_unnamed.0,
                st.speaker_unnamed.1
            )?;
            writeln!(
                out,
                "  all attributions  P {:.3}  R {:.3}  F1 {:.3}   ({} gold, {} predicted, {} matched)",
                st.all_precision, st.all_recall, st.all_f1, st.all_gold, st.all_pred, st.all_matched
            )?;
            writeln!(
                out,
                "  confident only    P {:.3}  R {:.3}   ({} predicted, {} matched)",
                st.confident_precision,
                st.confident_recall,
                st.confident_pred,
                st.confident_matched
            )?;
            writeln!(
                out,
                "  indirect          P {:.3} ({} of {});  confident indirect P {:.3} ({} of {})",
                st.indirect_precision,
                st.indirect_matched,
                st.indirect_pred,
                st.indirect_confident_precision,
                st.indirect_confident_matched,
                st.indirect_confident_pred
            )?;
            writeln!(
                out,
                "old figures (each prediction counted, speaker by surname)"
            )?;
            writeln!(
                out,
                "  direct quotes     P {:.3}  R {:.3}  F1 {:.3}   ({} gold, {} predicted)",
                r.direct_precision, r.direct_recall, r.direct_f1, r.direct_gold, r.direct_pred
            )?;
            writeln!(
                out,
                "  speaker accuracy  {:.3}   ({} of {} matched direct quotes)",
                r.speaker_accuracy, r.speaker_correct, r.speaker_total
            )?;
            writeln!(
                out,
                "  all attributions recall {:.3}   ({} of {})",
                r.all_recall, r.all_matched, r.all_gold
            )?;
        }
        EvalCommand::Entities { dataset, json } => {
            let EntitiesDataset::Gum = dataset;
            let root = need(data.join("gum-news"))?;
            let gaz = ibid_extract::Gazetteer::bundled();
            let r = ibid_extract::eval::eval_gum(&root, &gaz)
                .with_context(|| format!("evaluating {}", root.display()))?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            for (half, docs, r) in [
                ("development half", &r.development_docs, &r.development),
                ("reporting half", &r.reporting_docs, &r.reporting),
            ] {
                writeln!(
                    out,
                    "gum {half}: {} documents ({})",
                    r.docs,
                    docs.join(", ")
                )?;
                writeln!(
                    out,
                    "{:<5} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}",
                    "type", "gold", "pred", "hit", "P", "R", "F1"
                )?;
                for (t, g, p, m, pr, rc, f) in &r.per_type {
                    writeln!(
                        out,
                        "{t:<5} {g:>5} {p:>5} {m:>5} {pr:>6.3} {rc:>6.3} {f:>6.3}"
                    )?;
                }
                writeln!(
                    out,
                    "micro             {:>6.3} {:>6.3} {:>6.3}",
                    r.precision, r.recall, r.f1
                )?;
                writeln!(
                    out,
                    "alias merge: recall {:.3} ({} of {} pairs), precision {:.3} ({} of {})",
                    r.alias_recall,
                    r.alias_merged,
                    r.alias_pairs,
                    r.alias_precision,
                    r.alias_pred_correct,
                    r.alias_pred_pairs
                )?;
            }
        }
        EvalCommand::Seeds { corpus, json } => {
            let checks = crate::seeds::evaluate(&corpus)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&checks)?)?;
                return Ok(());
            }
            for c in &checks {
                let mark = if c.passed() { "ok  " } else { "FAIL" };
                writeln!(out, "{mark} {:>3}/{:<3} {}", c.right, c.total, c.name)?;
                for m in &c.misses {
                    writeln!(out, "           - {m}")?;
                }
            }
        }
        EvalCommand::Extract { dataset, json } => {
            let ExtractDataset::Zyte = dataset;
            let dir = need(data.join("zyte-article-extraction"))?;
            let r = ibid_html::eval_zyte(&dir)
                .with_context(|| format!("evaluating {}", dir.display()))?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<22} {:>6} {:>6} {:>6}",
                "zyte (pages)", "P", "R", "F1"
            )?;
            for (name, prf) in [
                ("all", &r.all),
                ("even (development)", &r.even),
                ("odd (held out)", &r.odd),
            ] {
                writeln!(
                    out,
                    "{name:<22} {:>6.3} {:>6.3} {:>6.3}",
                    prf.precision, prf.recall, prf.f1
                )?;
            }
            writeln!(
                out,
                "{} pages, {} extraction errors, {:.0} pages/s on one thread",
                r.pages, r.errors, r.pages_per_sec
            )?;
        }
        EvalCommand::Stories {
            dataset,
            orders,
            json,
        } => {
            use ibid_stories::eval as ev;
            let cfg = ibid_stories::StoryConfig::default();
            let wants = |d: StoriesDataset| dataset == d || dataset == StoriesDataset::All;
            let mut splits: Vec<ev::Split> = Vec::new();
            if wants(StoriesDataset::Ecbplus) {
                let p = need(data.join("ecbplus/documents.jsonl"))?;
                splits.extend(
                    ev::ecbplus_splits(&p).with_context(|| format!("reading {}", p.display()))?,
                );
            }
            if wants(StoriesDataset::Basil) {
                let p = need(data.join("basil/articles.jsonl"))?;
                splits.extend(
                    ev::basil_splits(&p).with_context(|| format!("reading {}", p.display()))?,
                );
            }
            if wants(StoriesDataset::AllsidesDays) {
                let p = need(data.join("allsides/articles.jsonl.gz"))?;
                splits.extend(
                    ev::allsides_days_splits(ev::ALLSIDES_DAYS_LABELS, &p)
                        .with_context(|| format!("reading {}", p.display()))?,
                );
            }
            let reports: Vec<ev::EvalReport> = splits
                .iter()
                .map(|s| ev::evaluate(s, &cfg, orders))
                .collect();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
                return Ok(());
            }
            ev::write_table(out, &reports, orders)?;
        }
    }
    Ok(())
}
