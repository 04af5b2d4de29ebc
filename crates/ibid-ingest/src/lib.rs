//! The ingest stage: turn files, folders and stdin into [`RawArticle`]s, and every piece of
//! input that cannot become one into a [`Rejection`] that says where and why.
//!
//! Ingest never stops at the first bad record: a broken JSON line, invalid UTF-8, a binary
//! file, a truncated gzip stream or an empty file each yield a rejection with the file and the
//! line (or record) number, and reading goes on with the rest. Rejections carry the raw bytes
//! (up to [`ReadOptions::keep_raw_bytes`]) so that nothing is silently lost.
//!
//! Formats are detected by extension and by content ([`sniff`]):
//! - plain text: one article per file, id = file name without extension;
//! - JSONL (`.jsonl`, `.ndjson`, or content starting with `{`): one article per line, with the
//!   common field names accepted (see [`article_from_json`]);
//! - gzip (by magic bytes) wrapping either of the above.
//!
//! HTML and WARC are recognised so they can be reported clearly; their readers arrive with the
//! cleaning stage.

mod detect;
#[cfg(feature = "html")]
mod html;
mod json;
mod lines;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ibid_core::RawArticle;

pub use detect::{sniff, Format};
pub use json::{article_from_json, article_from_json_line};
pub use lines::LineSplitter;

/// Where a record came from: a file (or `-` for stdin) and, for multi-record inputs, the 1-based
/// line (JSONL) or record (WARC) number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The path as the user gave it (or as found below a folder), or `-` for stdin.
    pub source: String,
    /// 1-based line (JSONL) or record (WARC) number; `None` for one-article-per-file inputs.
    pub record: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.record {
            Some(n) => write!(f, "{}:{}", self.source, n),
            None => write!(f, "{}", self.source),
        }
    }
}

/// An article read successfully, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// The article, text verbatim (for HTML: the extracted main text).
    pub article: RawArticle,
    /// Where it was read.
    pub location: Location,
    /// When the page was fetched (WARC-Date), raw.
    pub fetched: Option<String>,
    /// The input bytes the article was extracted from (HTML pages), so extraction can be
    /// redone and re-ingest stays idempotent when the extractor improves.
    pub raw: Option<Vec<u8>>,
}

/// A piece of input that could not become an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Where it was read.
    pub location: Location,
    /// A sentence a person can act on.
    pub reason: String,
    /// The raw bytes, cut to [`ReadOptions::keep_raw_bytes`].
    pub raw: Vec<u8>,
    /// The full length of the raw input, so a cut is visible.
    pub raw_len: u64,
}

/// One unit of ingest output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A good article.
    Article(Record),
    /// A bad piece of input.
    Rejected(Rejection),
}

/// A piece of input that has been read but whose costly part (JSON parsing, HTML extraction)
/// is still to do: [`read_input_pending`] hands these over in input order so that a caller can
/// [`resolve`](Self::resolve) them on many threads while one thread reads. Reading is serial
/// (inflate, line splitting, WARC framing); parsing need not be.
#[derive(Debug)]
pub struct Pending(PendingKind);

#[derive(Debug)]
enum PendingKind {
    Ready(Item),
    Json(DeferredJson),
    Html(DeferredHtml),
}

/// A JSONL line as read.
#[derive(Debug)]
struct DeferredJson {
    location: Location,
    fallback_id: String,
    bytes: Vec<u8>,
    keep_raw: usize,
}

/// An HTML page (a file, or a WARC response record) as read.
#[derive(Debug)]
pub(crate) struct DeferredHtml {
    pub(crate) location: Location,
    /// The file's id (name without extension); `None` for WARC records and stdin.
    pub(crate) file_id: Option<String>,
    /// The WARC target URI.
    pub(crate) url: Option<String>,
    pub(crate) fetched: Option<String>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) keep_raw: usize,
}

impl Pending {
    /// Does the deferred work: the article, or the rejection saying why there is none.
    pub fn resolve(self) -> Item {
        match self.0 {
            PendingKind::Ready(item) => item,
            PendingKind::Json(line) => match article_from_json_line(&line.bytes, &line.fallback_id)
            {
                Ok(article) => Item::Article(Record {
                    article,
                    location: line.location,
                    ..Record::default()
                }),
                Err(reason) => Item::Rejected(Rejection {
                    location: line.location,
                    reason,
                    raw: line.bytes[..line.bytes.len().min(line.keep_raw)].to_vec(),
                    raw_len: line.bytes.len() as u64,
                }),
            },
            #[cfg(feature = "html")]
            PendingKind::Html(page) => html::resolve_html(page),
            #[cfg(not(feature = "html"))]
            PendingKind::Html(page) => Item::Rejected(Rejection {
                location: page.location,
                reason: "HTML support is not compiled in".into(),
                raw: Vec::new(),
                raw_len: page.bytes.len() as u64,
            }),
        }
    }

    /// Where the piece was read.
    pub fn location(&self) -> &Location {
        match &self.0 {
            PendingKind::Ready(Item::Article(r)) => &r.location,
            PendingKind::Ready(Item::Rejected(r)) => &r.location,
            PendingKind::Json(line) => &line.location,
            PendingKind::Html(page) => &page.location,
        }
    }

    /// Raw bytes held (a rough measure for batching).
    pub fn size_hint(&self) -> usize {
        match &self.0 {
            PendingKind::Ready(Item::Article(r)) => r.article.text.len(),
            PendingKind::Ready(Item::Rejected(r)) => r.raw.len(),
            PendingKind::Json(line) => line.bytes.len(),
            PendingKind::Html(page) => page.bytes.len(),
        }
    }

    #[cfg_attr(not(feature = "html"), allow(dead_code))]
    pub(crate) fn html(
        ctx: &ReadContext<'_>,
        record: Option<u64>,
        url: Option<String>,
        fetched: Option<String>,
        bytes: Vec<u8>,
    ) -> Self {
        Self(PendingKind::Html(DeferredHtml {
            location: ctx.location(record),
            file_id: ctx.path.and_then(file_stem_id),
            url,
            fetched,
            bytes,
            keep_raw: ctx.opts.keep_raw_bytes,
        }))
    }
}

impl From<Item> for Pending {
    fn from(item: Item) -> Self {
        Self(PendingKind::Ready(item))
    }
}

/// One thing to read: a file, or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
}

impl Input {
    /// The name used in locations: the path, or `-`.
    pub fn display(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "-".to_string(),
        }
    }
}

/// Limits that keep one giant or hostile input from exhausting memory.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Largest single article (file or JSONL line) accepted, in bytes.
    pub max_record_bytes: usize,
    /// How much of a rejected record's raw bytes is kept for `ibid rejected`.
    pub keep_raw_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_record_bytes: 64 * 1024 * 1024,
            keep_raw_bytes: 1024 * 1024,
        }
    }
}

/// Errors that stop reading a whole input. Everything smaller is a [`Rejection`].
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The sink (usually the store) failed; reading stops so nothing is half-written.
    #[error("could not store what was read: {0}")]
    Sink(String),
}

/// Result of expanding the user's paths.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Inputs to read, in a stable order.
    pub inputs: Vec<Input>,
    /// Paths that could not be listed or opened.
    pub rejections: Vec<Rejection>,
}

/// Expands paths: files as they are, folders recursively (sorted by name, hidden entries
/// skipped), `-` as stdin. Unlistable paths become rejections.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut out = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            out.inputs.push(Input { path: None });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let walker = walkdir::WalkDir::new(path)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_dir() => {}
                        Ok(e) => out.inputs.push(Input {
                            path: Some(e.into_path()),
                        }),
                        Err(err) => out.rejections.push(Rejection {
                            location: Location {
                                source: err
                                    .path()
                                    .map(|p| p.display().to_string())
                                    .unwrap_or_else(|| path.display().to_string()),
                                record: None,
                            },
                            reason: format!("cannot list: {err}"),
                            raw: Vec::new(),
                            raw_len: 0,
                        }),
                    }
                }
            }
            Ok(_) => out.inputs.push(Input {
                path: Some(path.clone()),
            }),
            Err(err) => out.rejections.push(Rejection {
                location: Location {
                    source: path.display().to_string(),
                    record: None,
                },
                reason: format!("cannot open: {err}"),
                raw: Vec::new(),
                raw_len: 0,
            }),
        }
    }
    out
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|s| s.starts_with('.'))
}

/// Reads one input and hands every article and rejection to `sink`, in input order.
///
/// `bytes_read` is advanced as raw bytes are consumed, for progress bars. Only a failing sink
/// stops reading early; every input problem becomes a [`Rejection`].
pub fn read_input<F>(
    input: &Input,
    opts: &ReadOptions,
    bytes_read: &AtomicU64,
    sink: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Item) -> Result<(), IngestError>,
{
    read_input_pending(input, opts, bytes_read, &mut |p: Pending| sink(p.resolve()))
}

/// [`read_input`] that leaves JSON parsing and HTML extraction to the caller: every piece goes
/// to `sink` as a [`Pending`], in input order, to be [`resolve`](Pending::resolve)d, possibly
/// in parallel. Resolving them in order gives exactly what [`read_input`] gives.
pub fn read_input_pending<F>(
    input: &Input,
    opts: &ReadOptions,
    bytes_read: &AtomicU64,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let source = input.display();
    let reject = |reason: String, raw: &[u8], raw_len: u64| -> Pending {
        Item::Rejected(Rejection {
            location: Location {
                source: source.clone(),
                record: None,
            },
            reason,
            raw: raw[..raw.len().min(opts.keep_raw_bytes)].to_vec(),
            raw_len,
        })
        .into()
    };
    let mut reader: Box<dyn Read> = match &input.path {
        None => Box::new(io::stdin().lock()),
        Some(path) => match File::open(path) {
            Ok(f) => {
                if let Ok(meta) = f.metadata() {
                    if !meta.is_file() {
                        return out(reject("not a regular file".into(), &[], 0));
                    }
                }
                Box::new(f)
            }
            Err(err) => return out(reject(format!("cannot open: {err}"), &[], 0)),
        },
    };
    let counted = CountingReader {
        inner: &mut reader,
        count: bytes_read,
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, counted);
    let head = match peek(&mut buffered) {
        Ok(h) => h,
        Err(err) => return out(reject(format!("cannot read: {err}"), &[], 0)),
    };
    let name = input
        .path
        .as_deref()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let format = sniff(name, &head);
    let ctx = ReadContext {
        source: &source,
        path: input.path.as_deref(),
        opts,
    };
    match format {
        #[cfg(feature = "html")]
        Format::Gzip if is_gzipped_warc(name, &head) => html::read_warc(&ctx, buffered, out),
        Format::Gzip => {
            let decoder = flate2::bufread::MultiGzDecoder::new(buffered);
            let mut inner = BufReader::with_capacity(256 * 1024, decoder);
            let inner_name = name.strip_suffix(".gz").unwrap_or(name);
            let inner_head = match peek(&mut inner) {
                Ok(h) => h,
                Err(err) => {
                    return out(reject(
                        format!("truncated or corrupt gzip stream before the first record: {err}"),
                        &[],
                        0,
                    ))
                }
            };
            match sniff(inner_name, &inner_head) {
                Format::Jsonl => read_jsonl(&ctx, inner, true, out),
                Format::Text => read_whole_text(&ctx, inner, true, out),
                #[cfg(feature = "html")]
                Format::Html => html::read_html(&ctx, inner, out),
                other => out(reject(
                    other.unsupported_reason("inside gzip"),
                    &inner_head,
                    0,
                )),
            }
        }
        Format::Jsonl => read_jsonl(&ctx, buffered, false, out),
        Format::Text => read_whole_text(&ctx, buffered, false, out),
        #[cfg(feature = "html")]
        Format::Html => html::read_html(&ctx, buffered, out),
        #[cfg(feature = "html")]
        Format::Warc => html::read_warc(&ctx, buffered, out),
        Format::Empty => out(reject("empty file".into(), &[], 0)),
        other => out(reject(
            other.unsupported_reason(""),
            &head,
            head.len() as u64,
        )),
    }
}

/// A gzip stream whose name or first decompressed bytes say WARC: WARC files are gzipped per
/// record, and the WARC reader resynchronises on member boundaries after a broken record, so
/// it must see the compressed stream itself.
#[cfg(feature = "html")]
fn is_gzipped_warc(name: &str, head: &[u8]) -> bool {
    if name.to_ascii_lowercase().ends_with(".warc.gz") {
        return true;
    }
    let mut first = [0u8; 5];
    let mut decoder = flate2::read::GzDecoder::new(head);
    decoder.read_exact(&mut first).is_ok() && &first == b"WARC/"
}

/// Reads up to 8 KiB without consuming it, to sniff the format.
fn peek<R: io::BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
    let buf = r.fill_buf()?;
    Ok(buf[..buf.len().min(8192)].to_vec())
}

struct ReadContext<'a> {
    source: &'a str,
    path: Option<&'a Path>,
    opts: &'a ReadOptions,
}

impl ReadContext<'_> {
    fn location(&self, record: Option<u64>) -> Location {
        Location {
            source: self.source.to_string(),
            record,
        }
    }

    fn rejection(&self, record: Option<u64>, reason: String, raw: &[u8]) -> Item {
        Item::Rejected(Rejection {
            location: self.location(record),
            reason,
            raw: raw[..raw.len().min(self.opts.keep_raw_bytes)].to_vec(),
            raw_len: raw.len() as u64,
        })
    }

    /// The id of a one-article file: its name without extension(s) such as `.txt` / `.txt.gz`.
    fn file_id(&self, text: &str) -> String {
        match self.path.and_then(file_stem_id) {
            Some(id) => id,
            // Stdin has no name: a content hash keeps re-ingest idempotent and distinct texts apart.
            None => stdin_id(text),
        }
    }
}

/// Stdin has no name: a content hash keeps re-ingest idempotent and distinct texts apart.
fn stdin_id(text: &str) -> String {
    format!("stdin-{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// File name without its extension, dropping a trailing `.gz` first (`a.txt.gz` → `a`).
pub fn file_stem_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let stem = match name.rfind('.') {
        Some(0) | None => name,
        Some(i) => &name[..i],
    };
    Some(stem.to_string())
}

fn read_whole_text<R: Read, F>(
    ctx: &ReadContext<'_>,
    reader: R,
    gzipped: bool,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let mut sink = |item: Item| out(item.into());
    let limit = ctx.opts.max_record_bytes as u64;
    let mut bytes = Vec::new();
    let read = reader.take(limit + 1).read_to_end(&mut bytes);
    if let Err(err) = read {
        let what = if gzipped {
            "truncated or corrupt gzip stream"
        } else {
            "read error"
        };
        return sink(ctx.rejection(None, format!("{what}: {err}"), &bytes));
    }
    if bytes.len() as u64 > limit {
        return sink(ctx.rejection(
            None,
            format!(
                "too large: more than {} bytes in one article (raise --max-record-bytes)",
                limit
            ),
            &bytes,
        ));
    }
    match detect::check_text(&bytes) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let article = RawArticle {
                id: ctx.file_id(text),
                text: text.to_string(),
                ..RawArticle::default()
            };
            sink(Item::Article(Record {
                article,
                location: ctx.location(None),
                ..Record::default()
            }))
        }
        Err(reason) => sink(ctx.rejection(None, reason, &bytes)),
    }
}

fn read_jsonl<R: Read, F>(
    ctx: &ReadContext<'_>,
    reader: R,
    gzipped: bool,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let mut splitter = LineSplitter::new(reader, ctx.opts.max_record_bytes);
    let mut records = 0u64;
    let fallback_prefix = ctx
        .path
        .and_then(file_stem_id)
        .unwrap_or_else(|| "stdin".to_string());
    loop {
        match splitter.next_line() {
            Ok(None) => break,
            Ok(Some(line)) => {
                let n = line.number;
                if line.too_long {
                    out(Pending::from(ctx.rejection(
                        Some(n),
                        format!(
                            "line longer than {} bytes (raise --max-record-bytes)",
                            ctx.opts.max_record_bytes
                        ),
                        &line.bytes,
                    )))?;
                    records += 1;
                    continue;
                }
                if line.bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                records += 1;
                out(Pending(PendingKind::Json(DeferredJson {
                    location: ctx.location(Some(n)),
                    fallback_id: format!("{fallback_prefix}:{n}"),
                    bytes: line.bytes,
                    keep_raw: ctx.opts.keep_raw_bytes,
                })))?;
            }
            Err(failure) => {
                let what = if gzipped {
                    "truncated or corrupt gzip stream"
                } else {
                    "read error"
                };
                let reason = format!(
                    "{what} after line {}: {}; the lines before it were read",
                    failure.line - 1,
                    failure.error
                );
                out(Pending::from(ctx.rejection(
                    Some(failure.line),
                    reason,
                    &failure.partial,
                )))?;
                return Ok(());
            }
        }
    }
    if records == 0 {
        out(Pending::from(ctx.rejection(
            None,
            "empty file: no JSON lines".into(),
            &[],
        )))?;
    }
    Ok(())
}

struct CountingReader<'a, R> {
    inner: R,
    count: &'a AtomicU64,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads every input into memory as items; convenient for tests and small corpora.
pub fn read_all(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Item> {
    let discovery = discover(paths);
    let mut items: Vec<Item> = discovery
        .rejections
        .into_iter()
        .map(Item::Rejected)
        .collect();
    let counter = AtomicU64::new(0);
    for input in &discovery.inputs {
        // The sink below cannot fail, so neither can reading.
        let _ = read_input(input, opts, &counter, &mut |item| {
            items.push(item);
            Ok(())
        });
    }
    items
}

#[cfg(test)]
mod tests;
