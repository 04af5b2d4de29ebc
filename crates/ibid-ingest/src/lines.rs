//! A bounded line splitter.
//!
//! `BufRead::read_until` grows its buffer without limit, so one 5 GB "line" would exhaust
//! memory; and on a read error it does not say how far it got. This splitter keeps at most
//! `max_line` bytes of a line (the rest is skipped and the line flagged) and, on an error,
//! returns the partial line with its number, which is what a truncated gzip needs.

use std::io::{self, Read};

/// One line, without its terminating `\n` (a trailing `\r` is kept: JSON ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: u64,
    /// The line's bytes, cut at the limit when `too_long`.
    pub bytes: Vec<u8>,
    /// The line was longer than the limit.
    pub too_long: bool,
    /// The line's full length in bytes (without the `\n`), also when it was cut.
    pub len: u64,
}

/// A read error in the middle of a stream.
#[derive(Debug)]
pub struct ReadFailure {
    /// The line being read when it failed.
    pub line: u64,
    /// Bytes of that line read before the failure.
    pub partial: Vec<u8>,
    /// The underlying error.
    pub error: io::Error,
}

/// Splits a byte stream into lines, each bounded in memory.
pub struct LineSplitter<R> {
    reader: R,
    max_line: usize,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    line_no: u64,
    done: bool,
}

impl<R: Read> LineSplitter<R> {
    /// A splitter that keeps at most `max_line` bytes of any one line.
    pub fn new(reader: R, max_line: usize) -> Self {
        Self {
            reader,
            max_line,
            buf: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            line_no: 0,
            done: false,
        }
    }

    /// Numbers lines as if `n` lines came before the stream (white space the caller skipped
    /// while sniffing the format).
    pub fn lines_before(mut self, n: u64) -> Self {
        self.line_no = n;
        self
    }

    /// The next line, `None` at the end, or the failure that ended the stream.
    pub fn next_line(&mut self) -> Result<Option<Line>, ReadFailure> {
        if self.done {
            return Ok(None);
        }
        self.line_no += 1;
        let mut line = Vec::new();
        let mut too_long = false;
        let mut len = 0u64;
        loop {
            if self.pos == self.len {
                match self.reader.read(&mut self.buf) {
                    Ok(0) => {
                        self.done = true;
                        if line.is_empty() && !too_long {
                            return Ok(None);
                        }
                        return Ok(Some(Line {
                            number: self.line_no,
                            bytes: line,
                            too_long,
                            len,
                        }));
                    }
                    Ok(n) => {
                        self.pos = 0;
                        self.len = n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => {
                        self.done = true;
                        return Err(ReadFailure {
                            line: self.line_no,
                            partial: line,
                            error,
                        });
                    }
                }
            }
            let chunk = &self.buf[self.pos..self.len];
            let (take, found) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = self.max_line.saturating_sub(line.len());
            if take > room {
                too_long = true;
            }
            line.extend_from_slice(&chunk[..take.min(room)]);
            len += take as u64;
            self.pos += take + usize::from(found);
            if found {
                return Ok(Some(Line {
                    number: self.line_no,
                    bytes: line,
                    too_long,
                    len,
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(bytes: &[u8], max: usize) -> Vec<Line> {
        let mut s = LineSplitter::new(bytes, max);
        let mut out = Vec::new();
        while let Ok(Some(l)) = s.next_line() {
            out.push(l);
        }
        out
    }

    #[test]
    fn numbers_lines_and_handles_missing_final_newline() {
        let lines = split(b"a\nbb\n\nccc", 100);
        let got: Vec<_> = lines.iter().map(|l| (l.number, l.bytes.clone())).collect();
        assert_eq!(
            got,
            vec![
                (1, b"a".to_vec()),
                (2, b"bb".to_vec()),
                (3, b"".to_vec()),
                (4, b"ccc".to_vec())
            ]
        );
    }

    #[test]
    fn long_lines_are_cut_and_flagged_then_reading_resumes() {
        let lines = split(b"0123456789\nok\n", 4);
        assert_eq!(lines[0].bytes, b"0123");
        assert!(lines[0].too_long);
        assert_eq!(lines[1].bytes, b"ok");
        assert!(!lines[1].too_long);
    }

    proptest! {
        /// Without a limit, the lines joined by `\n` give back the input exactly.
        #[test]
        fn lines_reassemble_the_input(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let lines = split(&bytes, usize::MAX);
            let joined: Vec<u8> = lines.iter().map(|l| l.bytes.clone()).collect::<Vec<_>>().join(&b'\n');
            let expected = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            prop_assert_eq!(joined, expected.to_vec());
            for (i, l) in lines.iter().enumerate() {
                prop_assert_eq!(l.number, i as u64 + 1);
            }
        }

        /// A limit never lets a line exceed it, and flags exactly the lines it cut.
        #[test]
        fn limit_is_respected(bytes in proptest::collection::vec(prop_oneof![Just(b'\n'), any::<u8>()], 0..2000), max in 1usize..50) {
            let full = split(&bytes, usize::MAX);
            let cut = split(&bytes, max);
            prop_assert_eq!(full.len(), cut.len());
            for (f, c) in full.iter().zip(&cut) {
                prop_assert!(c.bytes.len() <= max);
                prop_assert_eq!(c.len, f.bytes.len() as u64, "the full length survives the cut");
                prop_assert_eq!(c.too_long, f.bytes.len() > max);
                prop_assert_eq!(&f.bytes[..c.bytes.len()], &c.bytes[..]);
            }
        }
    }
}
