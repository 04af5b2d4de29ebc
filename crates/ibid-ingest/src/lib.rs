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

mod cap;
mod detect;
#[cfg(feature = "html")]
mod html;
mod json;
mod lead;
mod lines;

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ibid_core::RawArticle;

pub use cap::{RejectionCap, DEFAULT_MAX_REJECTED_BYTES, DEFAULT_MAX_REJECTIONS};
pub use detect::{sniff, Format};
pub use json::{article_from_json, article_from_json_line, record_from_json_line, warning_value};
use lead::Lead;
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
    /// What was read but could not be used as given (an id that is not a string, a field of
    /// the wrong shape), kept with its raw value so nothing is dropped without a word.
    pub warnings: Vec<Warning>,
}

/// A value of a record that was read but not used as given; the record itself is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Warning {
    /// The field (`id`, `title`, `published`, …).
    pub field: String,
    /// The value as found (JSON for structured values), cut to [`WARNING_VALUE_BYTES`].
    pub value: String,
    /// What was done instead, in a sentence.
    pub message: String,
}

/// How much of a warned-about value is kept.
pub const WARNING_VALUE_BYTES: usize = 1024;

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
    /// How many input records this rejection stands for: 1, or more for the summary that
    /// [`RejectionCap`] makes of the rejections of one input past its cap.
    pub records: u64,
}

impl Rejection {
    /// A rejection of one record: `raw` (already cut to what is kept) out of `raw_len` bytes.
    pub fn new(location: Location, reason: String, raw: &[u8], raw_len: u64) -> Self {
        Self {
            location,
            reason,
            raw: raw.to_vec(),
            raw_len,
            records: 1,
        }
    }
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
    /// What an id-less record's id starts with (the file's name without extension).
    id_prefix: String,
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
    pub(crate) budget: std::time::Duration,
}

impl Pending {
    /// Does the deferred work: the article, or the rejection saying why there is none.
    pub fn resolve(self) -> Item {
        match self.0 {
            PendingKind::Ready(item) => item,
            PendingKind::Json(line) => {
                match json::record_from_json_line(&line.bytes, &line.id_prefix) {
                    Ok((article, warnings)) => Item::Article(Record {
                        article,
                        location: line.location,
                        warnings,
                        ..Record::default()
                    }),
                    Err(reason) => Item::Rejected(Rejection::new(
                        line.location,
                        reason,
                        &line.bytes[..line.bytes.len().min(line.keep_raw)],
                        line.bytes.len() as u64,
                    )),
                }
            }
            #[cfg(feature = "html")]
            PendingKind::Html(page) => html::resolve_html(page),
            #[cfg(not(feature = "html"))]
            PendingKind::Html(page) => Item::Rejected(Rejection::new(
                page.location,
                "HTML support is not compiled in".into(),
                &[],
                page.bytes.len() as u64,
            )),
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
            budget: ctx.opts.page_budget,
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

/// Default of [`ReadOptions::max_record_bytes`]: 8 MiB.
///
/// What one record may weigh is what bounds the memory and time of everything after
/// reading: cleaning, extraction and alignment each hold several per-character structures
/// for the article they work on, about 30 bytes per input byte at their peak (a 50 MB text
/// record peaked at 1.6 GB). Real inputs are far below the cap (AllSides and Helsinki JSONL
/// lines: at most 78 KB; Zyte pages: at most 1.5 MB, and the HTML extractor reads 8 MiB of a
/// page at most anyway); bigger records are rejected with their size and the flag that
/// raises the cap.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 8 << 20;

/// Limits that keep one giant or hostile input from exhausting memory.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Largest single article (file or JSONL line) accepted, in bytes.
    pub max_record_bytes: usize,
    /// How much of a rejected record's raw bytes is kept for `ibid rejected`.
    pub keep_raw_bytes: usize,
    /// Wall-clock budget of one HTML page's extraction; a page past it is rejected and
    /// reading goes on (see `ibid_html::extract_html_within`).
    pub page_budget: std::time::Duration,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            keep_raw_bytes: 1024 * 1024,
            page_budget: std::time::Duration::from_secs(10),
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
                        Err(err) => out.rejections.push(Rejection::new(
                            Location {
                                source: err
                                    .path()
                                    .map(|p| p.display().to_string())
                                    .unwrap_or_else(|| path.display().to_string()),
                                record: None,
                            },
                            format!("cannot list: {err}"),
                            &[],
                            0,
                        )),
                    }
                }
            }
            Ok(_) => out.inputs.push(Input {
                path: Some(path.clone()),
            }),
            Err(err) => out.rejections.push(Rejection::new(
                Location {
                    source: path.display().to_string(),
                    record: None,
                },
                format!("cannot open: {err}"),
                &[],
                0,
            )),
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
///
/// Files are opened without blocking and must be regular files (a FIFO in an input folder is
/// rejected, not waited on). The format is sniffed from the first bytes after any leading
/// white space, so a file that starts with a long run of blank lines is still read whole.
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
        Item::Rejected(Rejection::new(
            Location {
                source: source.clone(),
                record: None,
            },
            reason,
            &raw[..raw.len().min(opts.keep_raw_bytes)],
            raw_len,
        ))
        .into()
    };
    let reader: Box<dyn Read> = match &input.path {
        None => Box::new(io::stdin().lock()),
        Some(path) => match lead::open_regular(path) {
            Ok(f) => Box::new(f),
            Err(reason) => return out(reject(reason, &[], 0)),
        },
    };
    read_stream(
        &source,
        input.path.as_deref(),
        reader,
        opts,
        bytes_read,
        out,
    )
}

/// Reads one input that is already open: `source` names it in locations, `path` (when it has
/// one) gives its name for sniffing and ids. What [`read_input_pending`] does after opening a
/// file; also the entry point for reading from memory (tests, the fuzz targets in `fuzz/`).
pub fn read_stream<R: Read, F>(
    source: &str,
    path: Option<&Path>,
    mut reader: R,
    opts: &ReadOptions,
    bytes_read: &AtomicU64,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let reject = |reason: String, raw: &[u8], raw_len: u64| -> Pending {
        Item::Rejected(Rejection::new(
            Location {
                source: source.to_string(),
                record: None,
            },
            reason,
            &raw[..raw.len().min(opts.keep_raw_bytes)],
            raw_len,
        ))
        .into()
    };
    let counted = CountingReader {
        inner: &mut reader,
        count: bytes_read,
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, counted);
    let lead = match Lead::read(&mut buffered, opts.max_record_bytes) {
        Ok(l) => l,
        Err(err) => return out(reject(format!("cannot read: {err}"), &[], 0)),
    };
    if lead.at_end {
        return out(reject(empty_reason(&lead, ""), &lead.kept, lead.len));
    }
    let head = match peek(&mut buffered) {
        Ok(h) => h,
        Err(err) => return out(reject(format!("cannot read: {err}"), &[], lead.len)),
    };
    let name = path
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let format = sniff(name, &head);
    let ctx = ReadContext { source, path, opts };
    match format {
        // White space before a gzip header is not data: it is skipped.
        #[cfg(feature = "html")]
        Format::Gzip if is_gzipped_warc(name, &head) => html::read_warc(&ctx, buffered, out),
        Format::Gzip => {
            let decoder = flate2::bufread::MultiGzDecoder::new(buffered);
            let mut inner = BufReader::with_capacity(256 * 1024, decoder);
            let inner_name = name.strip_suffix(".gz").unwrap_or(name);
            let corrupt = |err: io::Error| {
                reject(
                    format!("truncated or corrupt gzip stream before the first record: {err}"),
                    &[],
                    0,
                )
            };
            let inner_lead = match Lead::read(&mut inner, opts.max_record_bytes) {
                Ok(l) => l,
                Err(err) => return out(corrupt(err)),
            };
            if inner_lead.at_end {
                return out(reject(
                    empty_reason(&inner_lead, " (inside gzip)"),
                    &inner_lead.kept,
                    inner_lead.len,
                ));
            }
            let inner_head = match peek(&mut inner) {
                Ok(h) => h,
                Err(err) => return out(corrupt(err)),
            };
            match sniff(inner_name, &inner_head) {
                Format::Jsonl => read_jsonl(&ctx, inner_lead, inner, true, out),
                Format::Text => read_whole_text(&ctx, inner_lead, inner, true, out),
                #[cfg(feature = "html")]
                Format::Html => html::read_html(&ctx, inner_lead, inner, out),
                other => {
                    let (len, known) = length_of(inner_lead.len, inner);
                    out(reject(
                        with_length(other.unsupported_reason("inside gzip"), len, known),
                        &inner_head,
                        len,
                    ))
                }
            }
        }
        Format::Jsonl => read_jsonl(&ctx, lead, buffered, false, out),
        Format::Text => read_whole_text(&ctx, lead, buffered, false, out),
        #[cfg(feature = "html")]
        Format::Html => html::read_html(&ctx, lead, buffered, out),
        // WARC records may be preceded by blank lines; the reader skips them itself.
        #[cfg(feature = "html")]
        Format::Warc => html::read_warc(&ctx, lead.in_front_of(buffered), out),
        other => {
            let (len, known) = length_of(lead.len, buffered);
            out(reject(
                with_length(other.unsupported_reason(""), len, known),
                &head,
                len,
            ))
        }
    }
}

/// Bytes counted through when measuring an unreadable input (a decompression bomb of
/// binary data could otherwise keep the count going for minutes).
const COUNT_CAP: u64 = 1 << 30;

/// The length of an input that is not read (an unsupported or binary one): `before` bytes
/// already consumed plus what `rest` still holds, counted without keeping it, up to
/// [`COUNT_CAP`]; and whether the count reached the end. A rejection states the full length,
/// not the part it keeps.
fn length_of<R: Read>(before: u64, rest: R) -> (u64, bool) {
    let mut counted = rest.take(COUNT_CAP + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        match counted.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A truncated stream: what was there is the length.
            Err(_) => break,
        }
    }
    (before + n.min(COUNT_CAP), n <= COUNT_CAP)
}

/// `reason`, saying "at least" when the length could not be counted to the end.
fn with_length(reason: String, len: u64, known: bool) -> String {
    if known {
        reason
    } else {
        format!("{reason}; more than {len} bytes")
    }
}

/// Why an input of nothing but white space is rejected.
fn empty_reason(lead: &Lead, context: &str) -> String {
    if lead.len == 0 {
        format!("empty file{context}")
    } else {
        format!(
            "empty file{context}: only white space ({} bytes, {} lines)",
            lead.len, lead.newlines
        )
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

pub(crate) struct ReadContext<'a> {
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
        self.rejection_of_len(record, reason, raw, raw.len() as u64)
    }

    /// A rejection of an input `len` bytes long of which `raw` is the beginning.
    fn rejection_of_len(&self, record: Option<u64>, reason: String, raw: &[u8], len: u64) -> Item {
        Item::Rejected(Rejection::new(
            self.location(record),
            reason,
            &raw[..raw.len().min(self.opts.keep_raw_bytes)],
            len,
        ))
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

/// The whole of a one-record input (a text file, an HTML page), white space lead included,
/// or the rejection that says why not. At most `max_record_bytes` are held; a larger input is
/// read on to its end only to count it, so the rejection states its full length.
pub(crate) fn read_record_bytes<R: BufRead>(
    ctx: &ReadContext<'_>,
    lead: Lead,
    mut reader: R,
    gzipped: bool,
    what: &str,
) -> Result<Vec<u8>, Box<Item>> {
    let limit = ctx.opts.max_record_bytes as u64;
    let too_large = |raw: &[u8], len: u64| {
        Box::new(ctx.rejection_of_len(
            None,
            format!("too large: more than {limit} bytes in one {what} (raise --max-record-bytes)"),
            raw,
            len,
        ))
    };
    let failed = |err: io::Error, raw: &[u8]| {
        let what = if gzipped {
            "truncated or corrupt gzip stream"
        } else {
            "read error"
        };
        Box::new(ctx.rejection(None, format!("{what}: {err}"), raw))
    };
    if lead.overflowed {
        // Only possible past the limit: count the rest and say how long it was.
        let rest = io::copy(&mut reader, &mut io::sink()).map_err(|e| failed(e, &[]))?;
        return Err(too_large(&[], lead.len + rest));
    }
    let lead_len = lead.kept.len();
    let mut bytes = lead.kept;
    let mut limited = (&mut reader).take(limit + 1 - (lead_len as u64).min(limit + 1));
    if let Err(err) = limited.read_to_end(&mut bytes) {
        return Err(failed(err, &bytes));
    }
    if bytes.len() as u64 > limit {
        let rest = io::copy(&mut reader, &mut io::sink()).map_err(|e| failed(e, &bytes))?;
        return Err(too_large(&bytes, bytes.len() as u64 + rest));
    }
    Ok(bytes)
}

fn read_whole_text<R: BufRead, F>(
    ctx: &ReadContext<'_>,
    lead: Lead,
    reader: R,
    gzipped: bool,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    let mut sink = |item: Item| out(item.into());
    let bytes = match read_record_bytes(ctx, lead, reader, gzipped, "article") {
        Ok(b) => b,
        Err(rejection) => return sink(*rejection),
    };
    if let Err(reason) = detect::check_text(&bytes) {
        return sink(ctx.rejection(None, reason, &bytes));
    }
    // Checked above; converting the vector itself avoids a second copy of a large text.
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let reason = detect::utf8_reason(e.as_bytes(), &e.utf8_error());
            return sink(ctx.rejection(None, reason, e.as_bytes()));
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    // A byte-order mark is not text: a file of one and white space is as empty as none.
    if text.trim().is_empty() {
        let raw = text.as_bytes();
        return sink(ctx.rejection_of_len(
            None,
            "empty file: only a byte-order mark and white space".into(),
            raw,
            raw.len() as u64 + 3,
        ));
    }
    let article = RawArticle {
        id: ctx.file_id(&text),
        text,
        ..RawArticle::default()
    };
    sink(Item::Article(Record {
        article,
        location: ctx.location(None),
        ..Record::default()
    }))
}

fn read_jsonl<R: BufRead, F>(
    ctx: &ReadContext<'_>,
    lead: Lead,
    reader: R,
    gzipped: bool,
    out: &mut F,
) -> Result<(), IngestError>
where
    F: FnMut(Pending) -> Result<(), IngestError>,
{
    // The white space lead is given back when it was kept (rejections then hold their lines
    // verbatim); a longer one only advances the line count.
    let skipped_lines = if lead.overflowed { lead.newlines } else { 0 };
    let mut splitter = LineSplitter::new(lead.in_front_of(reader), ctx.opts.max_record_bytes)
        .lines_before(skipped_lines);
    let mut records = 0u64;
    let id_prefix = ctx
        .path
        .and_then(file_stem_id)
        .unwrap_or_else(|| "stdin".to_string());
    loop {
        match splitter.next_line() {
            Ok(None) => break,
            Ok(Some(line)) => {
                let n = line.number;
                if line.too_long {
                    out(Pending::from(ctx.rejection_of_len(
                        Some(n),
                        format!(
                            "line longer than {} bytes ({} bytes; raise --max-record-bytes)",
                            ctx.opts.max_record_bytes, line.len
                        ),
                        &line.bytes,
                        line.len,
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
                    id_prefix: id_prefix.clone(),
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
