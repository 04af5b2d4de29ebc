//! The export contract as files: `ibid export KIND [--format jsonl|csv|parquet]`.
//!
//! Field names and meanings are fixed by the contract (see `ibid_store::rows`). The three
//! formats carry the same fields:
//! - JSONL: one object per row, lists as JSON arrays, missing values as `null`;
//! - CSV: one row per record with a header; list fields are JSON arrays in their cell, missing
//!   values are empty cells;
//! - Parquet: typed columns; list fields are Parquet `LIST`s (of strings, or of structs for entity
//!   mentions), missing values are nulls.

#[cfg(feature = "parquet")]
mod parquet_out;

use std::io::Write;

use ibid_store::{AlignmentRow, ArticleRow, EntityRow, QuoteRow, Store, StoreError, StoryRow};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One row per current article.
    Articles,
    /// One row per story.
    Stories,
    /// One row per aligned passage pair.
    Alignments,
    /// One row per quotation.
    Quotes,
    /// One row per entity, with its mentions.
    Entities,
}

impl Kind {
    /// All kinds, in pipeline order.
    pub const ALL: [Kind; 5] = [
        Kind::Articles,
        Kind::Stories,
        Kind::Alignments,
        Kind::Quotes,
        Kind::Entities,
    ];

    /// The contract's name for the kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Articles => "articles",
            Kind::Stories => "stories",
            Kind::Alignments => "alignments",
            Kind::Quotes => "quotes",
            Kind::Entities => "entities",
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Export errors.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Parquet encoding failed.
    #[error("cannot write Parquet: {0}")]
    Parquet(String),
    /// This build has no Parquet support.
    #[error("this ibid was built without the `parquet` feature")]
    NoParquet,
}

/// A row of some kind, with its CSV rendering.
pub trait ContractRow: serde::Serialize {
    /// Column names, contract fields first.
    const HEADERS: &'static [&'static str];
    /// Cells in `HEADERS` order.
    fn csv_cells(&self) -> Vec<String>;
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn opt_i(v: &Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

fn json_list<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl ContractRow for ArticleRow {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "outlet",
        "url",
        "published",
        "title",
        "author",
        "dateline",
        "text",
        "removed",
        "story",
        "storyline",
        "duplicate_of",
        "version",
        "section",
        "subheads",
        "published_precision",
        "published_flag",
        "copies",
        "source",
        "kind",
        "kind_reason",
        "original",
        "removed_lines",
    ];
    fn csv_cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            opt(&self.outlet),
            opt(&self.url),
            opt(&self.published),
            opt(&self.title),
            opt(&self.author),
            opt(&self.dateline),
            self.text.clone(),
            json_list(&self.removed),
            opt(&self.story),
            opt(&self.storyline),
            opt(&self.duplicate_of),
            self.version.to_string(),
            opt(&self.section),
            json_list(&self.subheads),
            opt(&self.published_precision),
            opt(&self.published_flag),
            self.copies.to_string(),
            self.source.clone(),
            self.kind.clone(),
            opt(&self.kind_reason),
            self.original.clone(),
            json_list(&self.removed_lines),
        ]
    }
}

impl ContractRow for StoryRow {
    const HEADERS: &'static [&'static str] = &[
        "id",
        "storyline",
        "title",
        "first_published",
        "articles",
        "outlets",
        "first_outlet",
        "last_published",
    ];
    fn csv_cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            opt(&self.storyline),
            opt(&self.title),
            opt(&self.first_published),
            json_list(&self.articles),
            json_list(&self.outlets),
            opt(&self.first_outlet),
            opt(&self.last_published),
        ]
    }
}

impl ContractRow for AlignmentRow {
    const HEADERS: &'static [&'static str] = &[
        "a",
        "a_start",
        "a_end",
        "b",
        "b_start",
        "b_end",
        "similarity",
        "passage",
    ];
    fn csv_cells(&self) -> Vec<String> {
        vec![
            self.a.clone(),
            self.a_start.to_string(),
            self.a_end.to_string(),
            self.b.clone(),
            self.b_start.to_string(),
            self.b_end.to_string(),
            self.similarity.to_string(),
            opt(&self.passage),
        ]
    }
}

impl ContractRow for QuoteRow {
    const HEADERS: &'static [&'static str] = &[
        "article",
        "start",
        "end",
        "text",
        "speaker",
        "speaker_start",
        "speaker_end",
        "direct",
        "statement",
        "confidence",
    ];
    fn csv_cells(&self) -> Vec<String> {
        vec![
            self.article.clone(),
            self.start.to_string(),
            self.end.to_string(),
            self.text.clone(),
            opt(&self.speaker),
            opt_i(&self.speaker_start),
            opt_i(&self.speaker_end),
            self.direct.to_string(),
            opt(&self.statement),
            self.confidence.to_string(),
        ]
    }
}

impl ContractRow for EntityRow {
    const HEADERS: &'static [&'static str] = &["id", "name", "type", "variants", "mentions"];
    fn csv_cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.kind.clone(),
            json_list(&self.variants),
            json_list(&self.mentions),
        ]
    }
}

/// Writes every row of `kind` in `format` to `out`; returns the number of rows.
pub fn export<W: Write + Send>(
    store: &Store,
    kind: Kind,
    format: Format,
    out: W,
) -> Result<u64, ExportError> {
    match kind {
        Kind::Articles => {
            let mut rows = Vec::new();
            store.for_each_article(|r| {
                rows.push(r);
                Ok(())
            })?;
            write_rows(&rows, format, out)
        }
        Kind::Stories => write_rows(&store.stories()?, format, out),
        Kind::Alignments => write_rows(&store.alignments()?, format, out),
        Kind::Quotes => write_rows(&store.quotes()?, format, out),
        Kind::Entities => write_rows(&store.entities()?, format, out),
    }
}

/// Writes rows of one kind in the given format.
pub fn write_rows<R, W>(rows: &[R], format: Format, mut out: W) -> Result<u64, ExportError>
where
    R: ContractRow + ParquetRow,
    W: Write + Send,
{
    match format {
        Format::Jsonl => {
            let mut buf = std::io::BufWriter::new(&mut out);
            for r in rows {
                serde_json::to_writer(&mut buf, r)?;
                buf.write_all(b"\n")?;
            }
            buf.flush()?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(R::HEADERS)?;
            for r in rows {
                w.write_record(r.csv_cells())?;
            }
            w.flush()?;
        }
        Format::Parquet => write_parquet(rows, out)?,
    }
    Ok(rows.len() as u64)
}

#[cfg(feature = "parquet")]
pub use parquet_out::ParquetRow;

#[cfg(feature = "parquet")]
fn write_parquet<R: ParquetRow, W: Write + Send>(rows: &[R], out: W) -> Result<(), ExportError> {
    parquet_out::write(rows, out).map_err(|e| ExportError::Parquet(e.to_string()))
}

/// Without the `parquet` feature every row type trivially "supports" Parquet by refusing it.
#[cfg(not(feature = "parquet"))]
pub trait ParquetRow {}
#[cfg(not(feature = "parquet"))]
impl<T> ParquetRow for T {}

#[cfg(not(feature = "parquet"))]
fn write_parquet<R, W>(_: &[R], _: W) -> Result<(), ExportError> {
    Err(ExportError::NoParquet)
}

#[cfg(test)]
mod tests;
