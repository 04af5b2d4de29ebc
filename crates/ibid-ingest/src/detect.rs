//! Format sniffing and text sanity checks.

/// What an input holds, by name and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One article of plain text.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// A gzip stream (its content is sniffed again).
    Gzip,
    /// An HTML page.
    Html,
    /// A WARC archive.
    Warc,
    /// Binary data that is not text.
    Binary,
    /// Nothing but white space.
    Empty,
}

impl Format {
    /// Why an input of this format is not read (for formats without a reader yet).
    pub fn unsupported_reason(self, context: &str) -> String {
        let what = match self {
            Format::Html => "HTML input is not read yet (it arrives with the HTML cleaner)",
            Format::Warc => "WARC input is not read yet (it arrives with the HTML cleaner)",
            Format::Binary => "binary data, not text",
            Format::Empty => "empty file",
            Format::Gzip => "nested gzip stream",
            Format::Text | Format::Jsonl => "unexpected format",
        };
        if context.is_empty() {
            what.to_string()
        } else {
            format!("{what} ({context})")
        }
    }
}

/// Detects the format from the file name and the first bytes. Content wins over the name where
/// they disagree in ways that matter (gzip magic, NUL bytes), so a mislabelled file is still read
/// correctly or rejected clearly.
pub fn sniff(name: &str, head: &[u8]) -> Format {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Format::Gzip;
    }
    if head.iter().all(u8::is_ascii_whitespace) {
        return Format::Empty;
    }
    let lower = name.to_ascii_lowercase();
    let trimmed = trim_start(head);
    // JSONL is judged line by line, so one binary line must not condemn the whole file.
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return Format::Jsonl;
    }
    if trimmed.first() == Some(&b'{') && (lower.ends_with(".json") || !has_text_extension(&lower)) {
        return Format::Jsonl;
    }
    if looks_binary(head) {
        return Format::Binary;
    }
    if trimmed.starts_with(b"WARC/") || lower.ends_with(".warc") {
        return Format::Warc;
    }
    if lower.ends_with(".html") || lower.ends_with(".htm") || looks_html(trimmed) {
        return Format::Html;
    }
    Format::Text
}

fn has_text_extension(lower: &str) -> bool {
    [".txt", ".text", ".md"].iter().any(|e| lower.ends_with(e))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn looks_html(trimmed: &[u8]) -> bool {
    let head: Vec<u8> = trimmed
        .iter()
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// NUL bytes or a high share of control characters mean binary data. UTF-8 multi-byte
/// sequences are not control characters, so non-Latin text passes.
fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls * 10 > head.len()
}

/// Checks that a whole one-article input is usable text, returning it or a reason.
pub fn check_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file".into());
    }
    if looks_binary(&bytes[..bytes.len().min(8192)]) {
        return Err("binary data, not text".into());
    }
    std::str::from_utf8(bytes).map_err(|e| utf8_reason(bytes, &e))
}

/// A reason for invalid UTF-8 that names the byte offset and the line.
pub fn utf8_reason(bytes: &[u8], err: &std::str::Utf8Error) -> String {
    let at = err.valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    format!("invalid UTF-8 at byte {at} (line {line}); convert the file to UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_and_name() {
        assert_eq!(sniff("a.jsonl", b"{\"id\":1}"), Format::Jsonl);
        assert_eq!(sniff("a", b"{\"id\":1}"), Format::Jsonl);
        assert_eq!(sniff("a.txt", b"{curly text}"), Format::Text);
        assert_eq!(sniff("a.txt", b"Hello"), Format::Text);
        assert_eq!(sniff("a.txt", &[0x1f, 0x8b, 8, 0]), Format::Gzip);
        assert_eq!(sniff("a.txt", b"ab\0cd"), Format::Binary);
        assert_eq!(sniff("a.txt", b"  \n "), Format::Empty);
        assert_eq!(sniff("page", b"<!DOCTYPE html><p>"), Format::Html);
        assert_eq!(sniff("x.warc", b"WARC/1.0\r\n"), Format::Warc);
    }

    #[test]
    fn non_latin_text_is_not_binary() {
        let text = "Привет, мир. 你好，世界。".repeat(50);
        assert_eq!(sniff("a.txt", text.as_bytes()), Format::Text);
    }

    #[test]
    fn utf8_errors_name_the_line() {
        let bytes = b"ok\nstill ok\nbad \xff here";
        let err = check_text(bytes).unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("byte 16"), "{err}");
    }
}
