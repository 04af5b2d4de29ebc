//! Streaming WARC reader: response records with HTML payloads.
//!
//! Hand-written rather than the `warc` crate because the brief needs
//! record-level error recovery that crate does not offer: with one gzip member
//! per record (the common `.warc.gz` layout) a corrupt member is reported and
//! the reader resynchronises on the next gzip header, so later records survive;
//! a plain `.warc` resynchronises on the next `WARC/` version line. A gzip member is read a
//! record at a time, so a whole file gzipped as one member streams like a plain one, and a
//! member cut short keeps the records decoded before the cut.

use flate2::bufread::GzDecoder;
use std::io::{BufRead, BufReader, Read};

/// Largest record (decompressed) [`warc_records`] accepts; larger ones are reported and
/// skipped without being held in memory. [`warc_records_up_to`] takes another limit.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// Compressed bytes of one gzip member remembered for resynchronising after it, should it
/// turn out broken (the next member's header is searched among them). A longer member (a
/// whole file as one member) is resynchronised from where its decoder stopped.
const MEMBER_LOG_BYTES: usize = 4 << 20;

/// An HTML response record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// `WARC-Target-URI`.
    pub url: String,
    /// `WARC-Date` (fetch time), raw.
    pub date: Option<String>,
    /// HTTP `Content-Type` of the response, raw.
    pub content_type: Option<String>,
    /// HTTP body (de-chunked and content-decoded when needed).
    pub body: Vec<u8>,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WARC record {record}: {reason}")]
pub struct WarcError {
    /// 1-based position of the record in the file (all record types counted).
    pub record: usize,
    /// What was wrong.
    pub reason: String,
    /// The record's bytes as read (its header and block; for a broken gzip member, the
    /// compressed bytes), up to [`MAX_ERROR_RAW_BYTES`], so the rejection keeps them.
    pub raw: Vec<u8>,
}

/// How much of a broken record [`WarcError::raw`] keeps.
pub const MAX_ERROR_RAW_BYTES: usize = 1 << 20;

/// A record that did not parse: why, its bytes as read, and bytes to hand back to the stream
/// (the start of the next record, when this one's Content-Length ran into it).
struct Broken {
    reason: String,
    raw: Vec<u8>,
    give_back: Vec<u8>,
    /// The record was well framed and read through to its end (it was only too large): the
    /// stream is at the next record, no resynchronising needed.
    skipped: bool,
}

impl Broken {
    fn new(reason: impl Into<String>, raw: &[u8]) -> Self {
        Broken {
            reason: reason.into(),
            raw: raw[..raw.len().min(MAX_ERROR_RAW_BYTES)].to_vec(),
            give_back: Vec::new(),
            skipped: false,
        }
    }
}

/// Iterate the HTML response records of a WARC file (plain or gzip, detected
/// from the first bytes). Non-HTML and non-response records are skipped;
/// broken ones yield an `Err` and iteration goes on where it can.
pub fn warc_records<R: Read>(reader: R) -> impl Iterator<Item = Result<WarcRecord, WarcError>> {
    warc_records_up_to(reader, MAX_RECORD_BYTES)
}

/// [`warc_records`] with records larger than `limit` bytes (decompressed) reported and
/// skipped: their bytes are read through, not held, so memory stays bounded by the limit
/// whatever the input's records weigh.
pub fn warc_records_up_to<R: Read>(
    reader: R,
    limit: usize,
) -> impl Iterator<Item = Result<WarcRecord, WarcError>> {
    WarcIter {
        limit,
        src: Some(Source::new(reader)),
        member: None,
        mode: None,
        record_no: 0,
        pending: std::collections::VecDeque::new(),
        done: false,
    }
}

/// Buffered source that can push bytes back, so a failed gzip member can be
/// re-scanned for the next member header.
struct Source<R: Read> {
    inner: BufReader<R>,
    replay: Vec<u8>,
    replay_pos: usize,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Source<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.replay_pos < self.replay.len() {
            return Ok(&self.replay[self.replay_pos..]);
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if self.replay_pos < self.replay.len() {
            self.replay_pos += n;
            if self.replay_pos >= self.replay.len() {
                self.replay.clear();
                self.replay_pos = 0;
            }
        } else {
            self.inner.consume(n);
        }
    }
}

impl<R: Read> Source<R> {
    fn new(inner: R) -> Self {
        Source {
            inner: BufReader::with_capacity(1 << 16, inner),
            replay: Vec::new(),
            replay_pos: 0,
        }
    }

    /// Skip lines until one starting with `WARC/`; put it back. False at the end or on a read
    /// error.
    fn resync_warc_line(&mut self) -> bool {
        let mut line = Vec::new();
        loop {
            line.clear();
            match self.take(1 << 20).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return false,
                Ok(_) => {
                    if line.starts_with(b"WARC/") {
                        self.unread(&line);
                        return true;
                    }
                }
            }
        }
    }

    /// Put bytes back in front of the stream.
    fn unread(&mut self, bytes: &[u8]) {
        let mut v = bytes.to_vec();
        v.extend_from_slice(&self.replay[self.replay_pos..]);
        self.replay = v;
        self.replay_pos = 0;
    }
}

/// Records consumed bytes so they can be replayed after a decode failure.
struct Recorder<R: Read> {
    src: Source<R>,
    /// The member's first [`MEMBER_LOG_BYTES`] compressed bytes.
    log: Vec<u8>,
    /// All of the member's bytes consumed so far are in `log`.
    whole: bool,
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Recorder<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.src.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if let Ok(buf) = self.src.fill_buf() {
            let n = n.min(buf.len());
            let room = MEMBER_LOG_BYTES.saturating_sub(self.log.len());
            self.whole &= n <= room;
            self.log.extend_from_slice(&buf[..n.min(room)]);
        }
        self.src.consume(n);
    }
}

/// A reader that remembers its first error: tells a broken gzip stream from a broken record
/// inside a sound one, since the record parser sees both as an I/O error.
struct Flag<R> {
    inner: R,
    err: Option<String>,
}

impl<R: Read> Read for Flag<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            if self.err.is_none() {
                self.err = Some(e.to_string());
            }
        })
    }
}

/// The decompressed bytes of the gzip member being read, a record at a time. It owns the
/// compressed source while it is open.
type Member<R> = Source<Flag<GzDecoder<Recorder<R>>>>;

/// The decoder's error, if the member's compressed stream broke.
fn member_error<R: Read>(m: &mut Member<R>) -> Option<String> {
    m.inner.get_mut().err.take()
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Gzip,
    Plain,
}

struct WarcIter<R: Read> {
    limit: usize,
    /// The input, between gzip members and in plain mode; `None` while `member` holds it.
    src: Option<Source<R>>,
    member: Option<Box<Member<R>>>,
    mode: Option<Mode>,
    record_no: usize,
    pending: std::collections::VecDeque<Result<WarcRecord, WarcError>>,
    done: bool,
}

impl<R: Read> Iterator for WarcIter<R> {
    type Item = Result<WarcRecord, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            if self.member.is_some() {
                self.member_step();
                continue;
            }
            let Some(src) = self.src.as_mut() else {
                // Neither a member nor the input: nothing left to read.
                self.done = true;
                return None;
            };
            let mode = match self.mode {
                Some(m) => m,
                None => {
                    let head = match src.fill_buf() {
                        Ok(h) => h,
                        Err(e) => return Some(Err(self.fatal(e.to_string()))),
                    };
                    if head.is_empty() {
                        return None;
                    }
                    let m = if head.starts_with(&[0x1F, 0x8B]) {
                        Mode::Gzip
                    } else {
                        Mode::Plain
                    };
                    self.mode = Some(m);
                    m
                }
            };
            match mode {
                Mode::Gzip => {
                    self.open_member();
                }
                Mode::Plain => {
                    self.next_plain();
                }
            }
        }
    }
}

impl<R: Read> WarcIter<R> {
    fn fatal(&mut self, reason: String) -> WarcError {
        self.done = true;
        WarcError {
            record: self.record_no + 1,
            reason,
            raw: Vec::new(),
        }
    }

    /// Start decoding the next gzip member (or end at the end of the input).
    fn open_member(&mut self) {
        let Some(mut src) = self.src.take() else {
            self.done = true;
            return;
        };
        match src.fill_buf() {
            Ok([]) => {
                self.done = true;
                return;
            }
            Ok(_) => {}
            Err(e) => {
                self.src = Some(src);
                let err = self.fatal(e.to_string());
                self.pending.push_back(Err(err));
                return;
            }
        }
        let rec = Recorder {
            src,
            log: Vec::new(),
            whole: true,
        };
        self.member = Some(Box::new(Source::new(Flag {
            inner: GzDecoder::new(rec),
            err: None,
        })));
    }

    /// Read the next record of the open gzip member; close the member at its end, or report
    /// it and resynchronise when its compressed stream breaks.
    fn member_step(&mut self) {
        let Some(m) = self.member.as_mut() else {
            return;
        };
        let limit = self.limit;
        match parse_record(&mut **m, limit) {
            Ok(None) => match member_error(m) {
                Some(e) => self.fail_member(e),
                None => {
                    self.close_member();
                }
            },
            Ok(Some(raw)) => {
                self.record_no += 1;
                if let Some(item) = raw.into_html(self.record_no, limit) {
                    self.pending.push_back(item);
                }
            }
            Err(broken) => {
                if let Some(e) = member_error(m) {
                    return self.fail_member(e);
                }
                self.record_no += 1;
                self.pending.push_back(Err(WarcError {
                    record: self.record_no,
                    reason: broken.reason,
                    raw: broken.raw,
                }));
                if broken.skipped {
                    // Read through to its end: the next record follows.
                } else if !broken.give_back.is_empty() {
                    // The next record starts inside this one's block.
                    m.unread(&broken.give_back);
                } else if !m.resync_warc_line() {
                    match member_error(m) {
                        Some(e) => self.fail_member(e),
                        None => {
                            self.close_member();
                        }
                    }
                }
            }
        }
    }

    /// Take the input back from the open member; its logged compressed bytes, and whether
    /// the log holds all of them.
    fn close_member(&mut self) -> Option<(Vec<u8>, bool)> {
        let m = self.member.take()?;
        let rec = m.inner.into_inner().inner.into_inner();
        self.src = Some(rec.src);
        Some((rec.log, rec.whole))
    }

    /// Report the open member as broken (with its compressed bytes) and resynchronise on the
    /// next gzip member header.
    fn fail_member(&mut self, error: String) {
        let Some((log, whole)) = self.close_member() else {
            return;
        };
        self.record_no += 1;
        self.pending.push_back(Err(WarcError {
            record: self.record_no,
            reason: format!("corrupt or truncated gzip member: {error}"),
            raw: log[..log.len().min(MAX_ERROR_RAW_BYTES)].to_vec(),
        }));
        let Some(src) = self.src.as_mut() else {
            return;
        };
        if !whole {
            // A long member: its start is gone, so look on from where its decoder stopped.
            self.skip_to_gzip_header();
            return;
        }
        if log.is_empty() {
            // Step past the byte the decoder refused, so the search moves on.
            if src.fill_buf().is_ok_and(|b| !b.is_empty()) {
                src.consume(1);
            }
            self.skip_to_gzip_header();
            return;
        }
        // The next member header after this member's first byte; bytes the broken decoder
        // swallowed are put back first.
        match find_gzip_header(&log[1..]) {
            Some(off) => src.unread(&log[1 + off..]),
            None => {
                let keep = log.len().saturating_sub(2).max(1);
                src.unread(&log[keep..]);
                self.skip_to_gzip_header();
            }
        }
    }

    /// Drop bytes until the next plausible gzip member header (or EOF).
    fn skip_to_gzip_header(&mut self) {
        // Last bytes of the previous buffer: a header may straddle two buffers.
        let Some(src) = self.src.as_mut() else {
            return;
        };
        let mut prev: Vec<u8> = Vec::new();
        loop {
            let buf = match src.fill_buf() {
                Ok(b) if !b.is_empty() => b.to_vec(),
                _ => return,
            };
            let mut joined = prev.clone();
            joined.extend_from_slice(&buf[..buf.len().min(2)]);
            if let Some(off) = find_gzip_header(&joined).filter(|&o| o < prev.len()) {
                src.unread(&prev[off..]);
                return;
            }
            if let Some(off) = find_gzip_header(&buf) {
                src.consume(off);
                return;
            }
            prev = buf[buf.len().saturating_sub(2)..].to_vec();
            src.consume(buf.len());
        }
    }

    /// Parse the next record of an uncompressed WARC.
    fn next_plain(&mut self) {
        let Some(src) = self.src.as_mut() else {
            self.done = true;
            return;
        };
        match parse_record(src, self.limit) {
            Ok(None) => self.done = true,
            Ok(Some(raw)) => {
                self.record_no += 1;
                if let Some(item) = raw.into_html(self.record_no, self.limit) {
                    self.pending.push_back(item);
                }
            }
            Err(broken) => {
                self.record_no += 1;
                self.pending.push_back(Err(WarcError {
                    record: self.record_no,
                    reason: broken.reason,
                    raw: broken.raw,
                }));
                if !broken.give_back.is_empty() {
                    // The next record starts inside this one's block: read it from there.
                    src.unread(&broken.give_back);
                } else if broken.skipped {
                    // Read through to its end: the next record follows.
                } else if !src.resync_warc_line() {
                    self.done = true;
                }
            }
        }
    }
}

fn find_gzip_header(buf: &[u8]) -> Option<usize> {
    buf.windows(3).position(|w| w == [0x1F, 0x8B, 0x08])
}

/// A parsed WARC record before filtering.
struct RawRecord {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

impl RawRecord {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Keep HTML `response` records; report malformed HTTP inside them.
    fn into_html(self, record: usize, limit: usize) -> Option<Result<WarcRecord, WarcError>> {
        if !self
            .header("WARC-Type")
            .is_some_and(|t| t.eq_ignore_ascii_case("response"))
        {
            return None;
        }
        let err = |reason: String| {
            Some(Err(WarcError {
                record,
                reason,
                raw: self.block[..self.block.len().min(MAX_ERROR_RAW_BYTES)].to_vec(),
            }))
        };
        let Some(url) = self.header("WARC-Target-URI") else {
            return err("response record without WARC-Target-URI".into());
        };
        let url = url.trim_matches(|c| c == '<' || c == '>').to_string();
        let date = self.header("WARC-Date").map(str::to_string);
        let is_http = self
            .header("Content-Type")
            .is_none_or(|ct| ct.to_ascii_lowercase().contains("application/http"));
        if !is_http {
            return None;
        }
        let Some(split) = find_subslice(&self.block, b"\r\n\r\n")
            .map(|i| (i, i + 4))
            .or_else(|| find_subslice(&self.block, b"\n\n").map(|i| (i, i + 2)))
        else {
            return err("HTTP response without end of headers".into());
        };
        let head = String::from_utf8_lossy(&self.block[..split.0]);
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default();
        if !status.starts_with("HTTP/") {
            return err(format!("not an HTTP status line: {:.60}", status));
        }
        let http: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let hget = |n: &str| {
            http.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        let content_type = hget("Content-Type").map(str::to_string);
        let mut body = self.block[split.1..].to_vec();
        if hget("Transfer-Encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
            match dechunk(&body) {
                Some(b) => body = b,
                None => return err("malformed chunked HTTP body".into()),
            }
        }
        if let Some(enc) = hget("Content-Encoding").map(str::to_ascii_lowercase) {
            if enc.contains("gzip") || enc.contains("deflate") {
                let mut out = Vec::new();
                let ok = if enc.contains("gzip") {
                    flate2::read::MultiGzDecoder::new(&body[..])
                        .take(limit as u64)
                        .read_to_end(&mut out)
                        .is_ok()
                } else {
                    flate2::read::ZlibDecoder::new(&body[..])
                        .take(limit as u64)
                        .read_to_end(&mut out)
                        .is_ok()
                };
                if ok {
                    body = out;
                }
                // Else keep the raw body: crawlers often store it already decoded.
            }
        }
        let html = match &content_type {
            Some(ct) => {
                let ct = ct.to_ascii_lowercase();
                ct.contains("html")
            }
            None => looks_like_html(&body),
        };
        if !html {
            return None;
        }
        Some(Ok(WarcRecord {
            url,
            date,
            content_type,
            body,
        }))
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let head: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

fn find_subslice(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let nl = find_subslice(b, b"\n")?;
        let line = std::str::from_utf8(&b[..nl]).ok()?.trim();
        let size_str = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_str, 16).ok()?;
        b = &b[nl + 1..];
        if size == 0 {
            return Some(out);
        }
        if b.len() < size {
            // Truncated final chunk: keep what is there.
            out.extend_from_slice(b);
            return Some(out);
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size..];
        b = b
            .strip_prefix(b"\r\n")
            .or_else(|| b.strip_prefix(b"\n"))
            .unwrap_or(b);
    }
}

/// Read one record: version line, headers, `Content-Length` block, and the
/// two CRLFs after it. `Ok(None)` at clean EOF.
///
/// A Content-Length longer than the record swallows the start of the next one. That shows
/// after the block (no record separator and `WARC/` line where one must be) or as a block cut
/// short by the end of the input; then, if the block holds the start of another record (an
/// empty line, a `WARC/` version line and WARC headers), this record is reported broken and
/// the bytes from that start are handed back, so the next record is read, not lost.
fn parse_record<B: BufRead>(r: &mut B, limit: usize) -> Result<Option<RawRecord>, Broken> {
    let mut raw: Vec<u8> = Vec::new();
    let mut line = Vec::new();
    let io = |e: std::io::Error, raw: &[u8]| Broken::new(e.to_string(), raw);
    // Skip blank lines between records.
    loop {
        line.clear();
        let n = r
            .take(64 << 10)
            .read_until(b'\n', &mut line)
            .map_err(|e| io(e, &line))?;
        if n == 0 {
            return Ok(None);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    raw.extend_from_slice(&line);
    if !line.starts_with(b"WARC/") {
        return Err(Broken::new(
            format!(
                "expected WARC version line, found {:?}",
                String::from_utf8_lossy(&line[..line.len().min(40)])
            ),
            &raw,
        ));
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = r
            .take(64 << 10)
            .read_until(b'\n', &mut line)
            .map_err(|e| io(e, &raw))?;
        if raw.len() < MAX_ERROR_RAW_BYTES {
            raw.extend_from_slice(&line);
        }
        if n == 0 {
            return Err(Broken::new("truncated record header", &raw));
        }
        let l = String::from_utf8_lossy(&line);
        let l = l.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        if headers.len() > 1000 {
            return Err(Broken::new("too many header lines", &raw));
        }
    }
    let len = match headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
    {
        None => return Err(Broken::new("record without Content-Length", &raw)),
        Some((_, v)) => v
            .parse::<usize>()
            .map_err(|e| Broken::new(format!("bad Content-Length: {e}"), &raw))?,
    };
    if len > limit {
        // Read through the block keeping only its start: memory stays bounded by the limit.
        let mut head = Vec::new();
        let keep = MAX_ERROR_RAW_BYTES.saturating_sub(raw.len()) as u64;
        let mut block = r.take(len as u64);
        (&mut block)
            .take(keep)
            .read_to_end(&mut head)
            .map_err(|e| io(e, &raw))?;
        let rest = std::io::copy(&mut block, &mut std::io::sink()).map_err(|e| io(e, &raw))?;
        raw.extend_from_slice(&head);
        let read = head.len() as u64 + rest;
        if read < len as u64 {
            return Err(Broken::new(
                format!(
                    "truncated record: {read} of {len} content bytes (over the {limit}-byte limit)"
                ),
                &raw,
            ));
        }
        let mut broken = Broken::new(
            format!("record of {len} bytes, over the {limit}-byte limit; skipped"),
            &raw,
        );
        broken.skipped = true;
        return Err(broken);
    }
    let mut block = Vec::with_capacity(len.min(1 << 20));
    r.take(len as u64)
        .read_to_end(&mut block)
        .map_err(|e| io(e, &raw))?;
    let with_block = |raw: &[u8], block: &[u8]| {
        let mut all = raw.to_vec();
        all.extend_from_slice(
            &block[..block
                .len()
                .min(MAX_ERROR_RAW_BYTES.saturating_sub(raw.len()))],
        );
        all
    };
    if block.len() < len {
        return Err(overlong(&raw, &block, len).unwrap_or_else(|| {
            Broken::new(
                format!("truncated record: {} of {len} content bytes", block.len()),
                &with_block(&raw, &block),
            )
        }));
    }
    // Trailing CRLF CRLF; tolerate its absence at EOF.
    let mut got = 0;
    while got < 4 {
        let buf = r.fill_buf().map_err(|e| io(e, &raw))?;
        match buf.first() {
            Some(b'\r' | b'\n') => {
                got += 1;
                r.consume(1);
            }
            _ => break,
        }
    }
    // What follows a record is the next one's version line, or the end.
    let next = r.fill_buf().map_err(|e| io(e, &raw))?;
    let n = next.len().min(5);
    if !b"WARC/".starts_with(&next[..n]) || (got == 0 && !next.is_empty()) {
        if let Some(broken) = overlong(&raw, &block, len) {
            return Err(broken);
        }
    }
    Ok(Some(RawRecord { headers, block }))
}

/// When `block` (read for a Content-Length of `len`) holds the start of another record: the
/// error for this record, with the bytes from that start to give back.
fn overlong(raw: &[u8], block: &[u8], len: usize) -> Option<Broken> {
    let at = next_record_start(block)?;
    let mut all = raw.to_vec();
    all.extend_from_slice(&block[..at.min(MAX_ERROR_RAW_BYTES.saturating_sub(raw.len()))]);
    let mut broken = Broken::new(
        format!(
            "Content-Length {len} runs {} bytes into the next record, which is read on its own",
            block.len() - at
        ),
        &all,
    );
    broken.give_back = block[at..].to_vec();
    Some(broken)
}

/// Where in `block` another record starts: after an empty line, a `WARC/1.x` version line
/// followed within its first few lines by a `WARC-Type` or `WARC-Record-ID` header.
fn next_record_start(block: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = memchr::memmem::find(&block[from..], b"\nWARC/") {
        let at = from + off + 1;
        from = at;
        let blank_before = block[..at - 1].ends_with(b"\n") || block[..at - 1].ends_with(b"\n\r");
        if !blank_before {
            continue;
        }
        let head = &block[at..block.len().min(at + 1024)];
        let header = |name: &[u8]| {
            head.windows(name.len() + 1)
                .any(|w| w[0] == b'\n' && w[1..].eq_ignore_ascii_case(name))
        };
        if header(b"WARC-Type:") || header(b"WARC-Record-ID:") {
            return Some(at);
        }
    }
    None
}
