//! A cap on the rejections one input may store.
//!
//! A few kilobytes of gzip can hold millions of bad lines; storing each with its raw bytes
//! would turn a tiny hostile file into gigabytes of store. Past the cap, rejections of the
//! same input are counted, not kept, and one summary rejection says how many were left out,
//! on which lines, and for what reasons: nothing is lost without a word, and the store grows
//! by a bounded amount per input.

use std::collections::BTreeMap;

use crate::{Item, Location, Rejection};

/// Rejections kept one by one per input, by default.
pub const DEFAULT_MAX_REJECTIONS: usize = 1000;

/// Raw bytes kept over the rejections of one input, by default.
pub const DEFAULT_MAX_REJECTED_BYTES: usize = 64 << 20;

/// Distinct reasons named in a summary; the rest are counted as "other".
const NAMED_REASONS: usize = 8;

/// Lets the first rejections of one input through and counts the rest (see the module docs).
/// Articles always pass.
#[derive(Debug)]
pub struct RejectionCap {
    max_rows: usize,
    max_bytes: usize,
    rows: usize,
    bytes: usize,
    omitted: u64,
    omitted_bytes: u64,
    first: Option<u64>,
    last: Option<u64>,
    source: Option<String>,
    reasons: BTreeMap<String, u64>,
}

impl Default for RejectionCap {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_REJECTIONS, DEFAULT_MAX_REJECTED_BYTES)
    }
}

impl RejectionCap {
    /// At most `max_rows` rejections and `max_bytes` of their raw bytes are let through.
    pub fn new(max_rows: usize, max_bytes: usize) -> Self {
        Self {
            max_rows,
            max_bytes,
            rows: 0,
            bytes: 0,
            omitted: 0,
            omitted_bytes: 0,
            first: None,
            last: None,
            source: None,
            reasons: BTreeMap::new(),
        }
    }

    /// The item to keep, or `None` when it is a rejection past the cap (then counted).
    pub fn admit(&mut self, item: Item) -> Option<Item> {
        let Item::Rejected(r) = item else {
            return Some(item);
        };
        if self.omitted == 0
            && self.rows < self.max_rows
            && self.bytes + r.raw.len() <= self.max_bytes
        {
            self.rows += 1;
            self.bytes += r.raw.len();
            return Some(Item::Rejected(r));
        }
        self.omitted += r.records;
        self.omitted_bytes += r.raw_len;
        if let Some(n) = r.location.record {
            self.first.get_or_insert(n);
            self.last = Some(n);
        }
        self.source.get_or_insert(r.location.source);
        let kind = reason_kind(&r.reason);
        if self.reasons.len() < NAMED_REASONS || self.reasons.contains_key(kind) {
            *self.reasons.entry(kind.to_string()).or_default() += r.records;
        } else {
            *self.reasons.entry("other".to_string()).or_default() += r.records;
        }
        None
    }

    /// How many rejections were counted but not kept.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// The summary of what was left out, if anything: one rejection standing for all of it
    /// ([`Rejection::records`]), without raw bytes.
    pub fn finish(self) -> Option<Rejection> {
        if self.omitted == 0 {
            return None;
        }
        let mut reasons: Vec<(String, u64)> = self.reasons.into_iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let reasons: Vec<String> = reasons.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        let lines = match (self.first, self.last) {
            (Some(a), Some(b)) if a == b => format!(" on line {a}"),
            (Some(a), Some(b)) => format!(" on lines {a} to {b}"),
            _ => String::new(),
        };
        let reason = format!(
            "{} more rejections{lines} ({} bytes) were counted but not kept one by one, past the \
             cap of {} per input: {}",
            self.omitted,
            self.omitted_bytes,
            self.max_rows,
            reasons.join(", ")
        );
        Some(Rejection {
            location: Location {
                source: self.source.unwrap_or_default(),
                record: None,
            },
            reason,
            raw: Vec::new(),
            raw_len: self.omitted_bytes,
            records: self.omitted,
        })
    }
}

/// The kind of a reason: its text before the first colon or parenthesis ("broken JSON",
/// "invalid UTF-8 at byte 4 of the line" → "invalid UTF-8 at byte 4 of the line").
fn reason_kind(reason: &str) -> &str {
    let end = reason.find([':', '(', ';']).unwrap_or(reason.len());
    reason[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(line: u64, reason: &str) -> Item {
        Item::Rejected(Rejection::new(
            Location {
                source: "f.jsonl".into(),
                record: Some(line),
            },
            reason.into(),
            b"{oops",
            5,
        ))
    }

    #[test]
    fn rejections_past_the_cap_are_counted_in_one_summary() {
        let mut cap = RejectionCap::new(3, 1 << 20);
        let mut kept = 0;
        for n in 1..=10 {
            let reason = if n % 2 == 0 {
                "broken JSON: x"
            } else {
                "empty article text"
            };
            if cap.admit(bad(n, reason)).is_some() {
                kept += 1;
            }
        }
        assert!(cap.admit(Item::Article(crate::Record::default())).is_some());
        assert_eq!((kept, cap.omitted()), (3, 7));
        let summary = cap.finish().unwrap();
        assert_eq!(summary.records, 7);
        assert_eq!(summary.raw_len, 35);
        assert!(summary.raw.is_empty());
        assert!(
            summary
                .reason
                .starts_with("7 more rejections on lines 4 to 10"),
            "{}",
            summary.reason
        );
        assert!(
            summary.reason.contains("broken JSON (4)"),
            "{}",
            summary.reason
        );
        assert!(
            summary.reason.contains("empty article text (3)"),
            "{}",
            summary.reason
        );
    }

    #[test]
    fn the_byte_budget_caps_too_and_nothing_past_it_is_let_through() {
        let mut cap = RejectionCap::new(100, 12);
        assert!(cap.admit(bad(1, "a")).is_some());
        assert!(cap.admit(bad(2, "a")).is_some());
        assert!(cap.admit(bad(3, "a")).is_none(), "15 bytes > 12");
        // Once counting has begun, later small ones are counted too (line order kept).
        assert!(cap.admit(bad(4, "a")).is_none());
        assert_eq!(cap.finish().unwrap().records, 2);
    }

    #[test]
    fn under_the_cap_there_is_no_summary() {
        let mut cap = RejectionCap::default();
        assert!(cap.admit(bad(1, "a")).is_some());
        assert!(cap.finish().is_none());
    }
}
