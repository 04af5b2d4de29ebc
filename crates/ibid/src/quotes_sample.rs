//! `ibid eval quotes --dataset allsides-sample`: ibid's direct quotes and speakers on the
//! hand-annotated AllSides sample (`bench/quotes-allsides/`), scored by the strict scorer
//! (`ibid_extract::eval::strict`) that PolNeAR uses.
//!
//! The articles are read from `allsides/articles.jsonl.gz` exactly as `ibid ingest` reads them,
//! cleaned (with a line index over the sample, as the pipeline builds one over its store) and
//! extracted; the annotation holds only ids, code-point offsets into the text as ingested,
//! and speaker names (see `bench/quotes-allsides/README.md` for the rules).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicU64;

use anyhow::{bail, Context, Result};
use ibid_core::Span;
use ibid_extract::eval::identity::{name_words, Identity};
use ibid_extract::eval::strict::{score_doc, GoldQuote, StrictReport};
use ibid_extract::Gazetteer;

/// One annotated direct quotation span, as written in `quotes.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    article: String,
    span: Span,
    continues: bool,
    speaker: Option<String>,
    source: Vec<Span>,
}

fn parse_span(s: &str) -> Result<Span> {
    let (a, b) = s
        .split_once('-')
        .with_context(|| format!("span {s:?} is not START-END"))?;
    Ok(Span {
        start: a.trim().parse()?,
        end: b.trim().parse()?,
    })
}

/// Parses `quotes.tsv`: `article, start, end, continues (0|1), speaker, source spans`.
fn parse_rows(text: &str) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 6 {
            bail!("quotes.tsv line {}: {} fields, want 6", n + 1, f.len());
        }
        let span = Span {
            start: f[1].parse().with_context(|| format!("line {}", n + 1))?,
            end: f[2].parse().with_context(|| format!("line {}", n + 1))?,
        };
        let source = if f[5].is_empty() {
            Vec::new()
        } else {
            f[5].split(',').map(parse_span).collect::<Result<_>>()?
        };
        let speaker = (!f[4].is_empty()).then(|| f[4].to_string());
        if speaker.is_none() && source.is_empty() {
            bail!("quotes.tsv line {}: neither a speaker nor a source", n + 1);
        }
        rows.push(Row {
            article: f[0].to_string(),
            span,
            continues: f[3] == "1",
            speaker,
            source,
        });
    }
    Ok(rows)
}

/// Who an annotated speaker is: a name is a named source (first and last word), a source
/// given only by its spans names no one (ibid's speaker must come from that mention).
fn identity(row: &Row) -> Identity {
    match &row.speaker {
        Some(name) => {
            let w = name_words(name);
            Identity::Named {
                first: (w.len() >= 2).then(|| w[0].clone()),
                last: w.last().cloned().unwrap_or_default(),
            }
        }
        None => Identity::Unnamed,
    }
}

/// Gold quotations per article: continuation rows join the quotation before them.
fn gold_by_article(rows: &[Row]) -> Result<HashMap<String, Vec<GoldQuote>>> {
    let mut out: HashMap<String, Vec<GoldQuote>> = HashMap::new();
    for r in rows {
        let list = out.entry(r.article.clone()).or_default();
        if r.continues {
            let Some(prev) = list.last_mut() else {
                bail!("{}: a continuation with no quotation before it", r.article);
            };
            prev.spans.push(r.span);
            continue;
        }
        list.push(GoldQuote {
            spans: vec![r.span],
            source: r.source.clone(),
            identity: Some(identity(r)),
            direct: true,
        });
    }
    Ok(out)
}

/// Scores ibid on the sample in `sample_dir` (`sample.tsv` lists the article ids, whether they
/// hold a quotation or not; `quotes.tsv` the annotation) with the AllSides articles at
/// `articles` (`articles.jsonl.gz`).
pub fn eval_sample(articles: &Path, sample_dir: &Path) -> Result<StrictReport> {
    let ids_text = std::fs::read_to_string(sample_dir.join("sample.tsv"))
        .with_context(|| format!("reading {}", sample_dir.join("sample.tsv").display()))?;
    let ids: Vec<String> = ids_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let rows = parse_rows(
        &std::fs::read_to_string(sample_dir.join("quotes.tsv"))
            .with_context(|| format!("reading {}", sample_dir.join("quotes.tsv").display()))?,
    )?;
    let gold = gold_by_article(&rows)?;
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut raws = HashMap::new();
    let input = ibid_ingest::Input {
        path: Some(articles.to_path_buf()),
    };
    ibid_ingest::read_input(
        &input,
        &ibid_ingest::ReadOptions::default(),
        &AtomicU64::new(0),
        &mut |item| {
            if let ibid_ingest::Item::Article(r) = item {
                if wanted.contains(r.article.id.as_str()) {
                    raws.insert(r.article.id.clone(), r.article);
                }
            }
            Ok(())
        },
    )
    .with_context(|| format!("reading {}", articles.display()))?;
    let mut index = ibid_clean::LineIndex::default();
    for id in &ids {
        match raws.get(id) {
            Some(raw) => index.add(raw),
            None => bail!("sample article {id} is not in {}", articles.display()),
        }
    }
    let gaz = Gazetteer::bundled();
    let mut total = StrictReport::default();
    for id in &ids {
        let cleaned = ibid_clean::clean(&raws[id], &index);
        let ex = ibid_extract::extract(&cleaned, &gaz);
        let g = gold.get(id).map(Vec::as_slice).unwrap_or_default();
        total.add(&score_doc(&gaz, g, &ex).report);
    }
    total.finish();
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_join_and_sources_name_no_one() {
        let t = "# header\n\
                 a1\t10\t20\t0\tJane Q. Doakes\t\n\
                 a1\t30\t40\t1\tJane Q. Doakes\t\n\
                 a1\t50\t60\t0\t\t45-49,61-70\n";
        let g = gold_by_article(&parse_rows(t).unwrap()).unwrap();
        let a = &g["a1"];
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].spans.len(), 2);
        assert_eq!(
            a[0].identity,
            Some(Identity::Named {
                first: Some("jane".into()),
                last: "doakes".into()
            })
        );
        assert_eq!(a[1].identity, Some(Identity::Unnamed));
        assert_eq!(a[1].source.len(), 2);
        assert!(parse_rows("a1\t1\t2\t0\t\t\n").is_err());
        assert!(parse_rows("a1\t1\t2\t1\tX\t\n")
            .and_then(|r| gold_by_article(&r))
            .is_err());
    }
}
