//! Opening an input without blocking, and looking past leading white space to sniff its format.
//!
//! A format cannot be told from white space, and some inputs start with a lot of it (a JSONL
//! export with a run of blank lines, a text file padded with newlines). Sniffing only the first
//! buffer would call such a file empty and lose its records, so [`Lead::read`] consumes the
//! white space before the first other byte, keeping it (up to a cap) to hand back in front of
//! the rest: the readers then see every byte, and line numbers stay right.

use std::fs::File;
use std::io::{self, BufRead, Cursor, Read};
use std::path::Path;

/// Opens `path` for reading without ever blocking in `open()`, and refuses anything that is
/// not a regular file (a FIFO, socket or device would block, or never end).
///
/// On Unix the file is opened with `O_NONBLOCK`: opening a FIFO for reading otherwise waits
/// for a writer, possibly for ever. The check is made on the opened descriptor, so a path
/// swapped between a check and the open cannot slip through.
pub(crate) fn open_regular(path: &Path) -> Result<File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| format!("cannot open: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot open: {e}"))?;
    if !meta.is_file() {
        return Err(format!("not a regular file ({})", kind_of(&meta)));
    }
    Ok(file)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// The white space an input starts with.
#[derive(Debug, Default)]
pub(crate) struct Lead {
    /// The white space, byte for byte, while it stays within the cap.
    pub(crate) kept: Vec<u8>,
    /// Length of the whole run.
    pub(crate) len: u64,
    /// Line breaks in the whole run.
    pub(crate) newlines: u64,
    /// The run outgrew the cap: `kept` was dropped and only its length and lines are known.
    pub(crate) overflowed: bool,
    /// The input holds nothing else.
    pub(crate) at_end: bool,
}

impl Lead {
    /// Consumes the white space at the start of `r`, keeping up to `cap` bytes of it.
    pub(crate) fn read<R: BufRead>(r: &mut R, cap: usize) -> io::Result<Lead> {
        let mut lead = Lead::default();
        loop {
            let buf = match r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                lead.at_end = true;
                return Ok(lead);
            }
            let n = buf
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(buf.len());
            let ws = &buf[..n];
            lead.len += n as u64;
            lead.newlines += ws.iter().filter(|&&b| b == b'\n').count() as u64;
            if !lead.overflowed {
                if lead.kept.len() + n > cap {
                    lead.overflowed = true;
                    lead.kept = Vec::new();
                } else {
                    lead.kept.extend_from_slice(ws);
                }
            }
            let more = n == buf.len();
            r.consume(n);
            if !more {
                return Ok(lead);
            }
        }
    }

    /// The white space kept, in front of the rest of the input. When the run overflowed the
    /// cap, the rest alone (callers that need every byte reject the input first).
    pub(crate) fn in_front_of<R: BufRead>(self, rest: R) -> io::Chain<Cursor<Vec<u8>>, R> {
        Cursor::new(self.kept).chain(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_is_consumed_kept_and_given_back() {
        let input = b"  \n\n\t{\"a\":1}\n";
        let mut r = io::BufReader::with_capacity(2, &input[..]);
        let lead = Lead::read(&mut r, 100).unwrap();
        assert_eq!(lead.len, 5);
        assert_eq!(lead.newlines, 2);
        assert!(!lead.at_end && !lead.overflowed);
        assert_eq!(r.fill_buf().unwrap()[0], b'{');
        let mut all = Vec::new();
        lead.in_front_of(r).read_to_end(&mut all).unwrap();
        assert_eq!(all, input);
    }

    #[test]
    fn a_long_lead_is_counted_not_kept() {
        let input = [b"\n".repeat(1000), b"x".to_vec()].concat();
        let mut r = io::BufReader::with_capacity(64, &input[..]);
        let lead = Lead::read(&mut r, 10).unwrap();
        assert!(lead.overflowed);
        assert!(lead.kept.is_empty());
        assert_eq!((lead.len, lead.newlines), (1000, 1000));
    }

    #[test]
    fn white_space_only_reaches_the_end() {
        let mut r = io::BufReader::new(&b" \n \n"[..]);
        let lead = Lead::read(&mut r, 100).unwrap();
        assert!(lead.at_end);
        assert_eq!(lead.len, 4);
    }
}
