//! Streaming WARC reader: response records with HTML payloads.
//!
//! Hand-written rather than the `warc` crate because the brief needs
//! record-level error recovery that crate does not offer: with one gzip member
//! per record (the common `.warc.gz` layout) a corrupt member is reported and
//! the reader resynchronises on the next gzip header, so later records survive;
//! a plain `.warc` resynchronises on the next `WARC/` version line.

use flate2::bufread::GzDecoder;
use std::io::{BufRead, BufReader, Read};

/// Largest record (decompressed) we accept; larger ones are reported and skipped.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

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
}

/// Iterate the HTML response records of a WARC file (plain or gzip, detected
/// from the first bytes). Non-HTML and non-response records are skipped;
/// broken ones yield an `Err` and iteration goes on where it can.
pub fn warc_records<R: Read>(reader: R) -> impl Iterator<Item = Result<WarcRecord, WarcError>> {
    WarcIter {
        src: Source {
            inner: BufReader::with_capacity(1 << 16, reader),
            replay: Vec::new(),
            replay_pos: 0,
        },
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
    /// Put bytes back in front of the stream.
    fn unread(&mut self, bytes: &[u8]) {
        let mut v = bytes.to_vec();
        v.extend_from_slice(&self.replay[self.replay_pos..]);
        self.replay = v;
        self.replay_pos = 0;
    }
}

/// Records consumed bytes so they can be replayed after a decode failure.
struct Recorder<'a, R: Read> {
    src: &'a mut Source<R>,
    log: Vec<u8>,
}

impl<R: Read> Read for Recorder<'_, R> {
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

impl<R: Read> BufRead for Recorder<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.src.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if let Ok(buf) = self.src.fill_buf() {
            let n = n.min(buf.len());
            if self.log.len() < MAX_RECORD_BYTES {
                self.log.extend_from_slice(&buf[..n]);
            }
        }
        self.src.consume(n);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Gzip,
    Plain,
}

struct WarcIter<R: Read> {
    src: Source<R>,
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
            let mode = match self.mode {
                Some(m) => m,
                None => {
                    let head = match self.src.fill_buf() {
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
                    self.next_member();
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
        }
    }

    /// Decode one gzip member and parse the records it holds.
    fn next_member(&mut self) -> Option<()> {
        match self.src.fill_buf() {
            Ok([]) => {
                self.done = true;
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                let err = self.fatal(e.to_string());
                self.pending.push_back(Err(err));
                return None;
            }
        }
        let mut rec = Recorder {
            src: &mut self.src,
            log: Vec::new(),
        };
        let mut data = Vec::new();
        let res = {
            let mut dec = GzDecoder::new(&mut rec).take(MAX_RECORD_BYTES as u64 + 1);
            dec.read_to_end(&mut data)
        };
        let log = std::mem::take(&mut rec.log);
        let failure = match res {
            Ok(_) if data.len() > MAX_RECORD_BYTES => Some(format!(
                "record larger than {MAX_RECORD_BYTES} bytes decompressed"
            )),
            Ok(_) => None,
            Err(e) => Some(format!("corrupt or truncated gzip member: {e}")),
        };
        if let Some(reason) = failure {
            self.record_no += 1;
            self.pending.push_back(Err(WarcError {
                record: self.record_no,
                reason,
            }));
            // Resync: the next member header after this member's first byte.
            // Bytes the broken decoder swallowed are put back first.
            if log.len() > 1 {
                match find_gzip_header(&log[1..]) {
                    Some(off) => {
                        let tail = log[1 + off..].to_vec();
                        self.src.unread(&tail);
                    }
                    None => {
                        let keep = log.len().saturating_sub(2).max(1);
                        let tail = log[keep..].to_vec();
                        self.src.unread(&tail);
                        self.skip_to_gzip_header();
                    }
                }
            } else {
                self.skip_to_gzip_header();
            }
            return Some(());
        }
        let mut cur = std::io::Cursor::new(data);
        loop {
            match parse_record(&mut cur) {
                Ok(None) => break,
                Ok(Some(raw)) => {
                    self.record_no += 1;
                    if let Some(item) = raw.into_html(self.record_no) {
                        self.pending.push_back(item);
                    }
                }
                Err(reason) => {
                    self.record_no += 1;
                    self.pending.push_back(Err(WarcError {
                        record: self.record_no,
                        reason,
                    }));
                    break;
                }
            }
        }
        Some(())
    }

    /// Drop bytes until the next plausible gzip member header (or EOF).
    fn skip_to_gzip_header(&mut self) {
        // Last bytes of the previous buffer: a header may straddle two buffers.
        let mut prev: Vec<u8> = Vec::new();
        loop {
            let buf = match self.src.fill_buf() {
                Ok(b) if !b.is_empty() => b.to_vec(),
                _ => return,
            };
            let mut joined = prev.clone();
            joined.extend_from_slice(&buf[..buf.len().min(2)]);
            if let Some(off) = find_gzip_header(&joined).filter(|&o| o < prev.len()) {
                let back = prev[off..].to_vec();
                self.src.unread(&back);
                return;
            }
            if let Some(off) = find_gzip_header(&buf) {
                self.src.consume(off);
                return;
            }
            prev = buf[buf.len().saturating_sub(2)..].to_vec();
            self.src.consume(buf.len());
        }
    }

    /// Parse the next record of an uncompressed WARC.
    fn next_plain(&mut self) -> Option<()> {
        match parse_record(&mut self.src) {
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(raw)) => {
                self.record_no += 1;
                if let Some(item) = raw.into_html(self.record_no) {
                    self.pending.push_back(item);
                }
                Some(())
            }
            Err(reason) => {
                self.record_no += 1;
                self.pending.push_back(Err(WarcError {
                    record: self.record_no,
                    reason,
                }));
                if !self.resync_plain() {
                    self.done = true;
                }
                Some(())
            }
        }
    }

    /// Skip lines until one starting with `WARC/`; put it back. False at EOF.
    fn resync_plain(&mut self) -> bool {
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut self.src).take(1 << 20).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return false,
                Ok(_) => {
                    if line.starts_with(b"WARC/") {
                        let l = line.clone();
                        self.src.unread(&l);
                        return true;
                    }
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
    fn into_html(self, record: usize) -> Option<Result<WarcRecord, WarcError>> {
        if !self
            .header("WARC-Type")
            .is_some_and(|t| t.eq_ignore_ascii_case("response"))
        {
            return None;
        }
        let err = |reason: String| Some(Err(WarcError { record, reason }));
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
                        .take(MAX_RECORD_BYTES as u64)
                        .read_to_end(&mut out)
                        .is_ok()
                } else {
                    flate2::read::ZlibDecoder::new(&body[..])
                        .take(MAX_RECORD_BYTES as u64)
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
fn parse_record<B: BufRead>(r: &mut B) -> Result<Option<RawRecord>, String> {
    let mut line = Vec::new();
    // Skip blank lines between records.
    loop {
        line.clear();
        let n = r
            .take(64 << 10)
            .read_until(b'\n', &mut line)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(None);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    if !line.starts_with(b"WARC/") {
        return Err(format!(
            "expected WARC version line, found {:?}",
            String::from_utf8_lossy(&line[..line.len().min(40)])
        ));
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = r
            .take(64 << 10)
            .read_until(b'\n', &mut line)
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("truncated record header".into());
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
            return Err("too many header lines".into());
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .ok_or("record without Content-Length")?
        .1
        .parse::<usize>()
        .map_err(|e| format!("bad Content-Length: {e}"))?;
    if len > MAX_RECORD_BYTES {
        return Err(format!(
            "Content-Length {len} over the {MAX_RECORD_BYTES}-byte limit"
        ));
    }
    let mut block = Vec::with_capacity(len.min(1 << 20));
    r.take(len as u64)
        .read_to_end(&mut block)
        .map_err(|e| e.to_string())?;
    if block.len() < len {
        return Err(format!(
            "truncated record: {} of {len} content bytes",
            block.len()
        ));
    }
    // Trailing CRLF CRLF; tolerate its absence at EOF.
    let mut trail = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let buf = r.fill_buf().map_err(|e| e.to_string())?;
        match buf.first() {
            Some(b'\r' | b'\n') => {
                trail[got] = buf[0];
                got += 1;
                r.consume(1);
            }
            _ => break,
        }
    }
    Ok(Some(RawRecord { headers, block }))
}
