//! Publication dates as found in inputs, normalised or refused.
//!
//! Formats understood:
//! - RFC 3339 / ISO 8601: `2018-07-15T07:54:28-04:00`, `2018-07-15T07:54:28.5Z`,
//!   `2017-09-05 10:00:00`, `2017-09-05 10:00 UTC`, `2016-09-20`, `2016/09/20`;
//! - RFC 2822: `Tue, 05 Sep 2017 21:21:00 +0400`;
//! - slashed numeric dates `M/D/YY`, `M/D/YYYY` (US order; read as `D/M` only when the first
//!   number cannot be a month), two-digit years pivot on `now` (`17` -> 2017, `99` -> 1999);
//! - written dates in either order with optional weekday, time, am/pm and zone:
//!   `5 September 2017 21:21 (UTC +04:00)`, `September 5, 2017`, `Tuesday, Sep. 5th 2017 at
//!   9:21 pm EDT`, `Sep. 5` (only with a reference year).
//!
//! Never invented: a date with no year is refused unless the caller supplies the year, an
//! unknown word anywhere refuses the whole value, and so do impossible values.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use ibid_core::{Published, TimePrecision};
use regex::Regex;

/// Earliest year accepted as a publication year: older values in web news inputs are
/// placeholders (`0001-01-01`) or parse accidents, not archive dates.
pub const MIN_YEAR: i32 = 1900;

/// Dates up to this far after `now` are accepted: a source's local date can run ahead of UTC.
const FUTURE_SLACK_HOURS: i64 = 26;

/// Largest UTC offset in use anywhere (UTC+14).
const MAX_OFFSET_SECS: i32 = 14 * 3600;

/// The parts of a date as written, before validation.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateParts {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
    /// Hour, minute, second.
    pub time: Option<(u32, u32, u32)>,
    /// Offset east of UTC in seconds, when given.
    pub offset: Option<i32>,
}

/// Normalises a publication date string as found in inputs (see the module docs for the
/// formats). Returns `Err(reason)` for a value that cannot be trusted: missing, unparseable,
/// year before [`MIN_YEAR`], later than `now` (plus a day of slack for time zones), or a date
/// without a year.
pub fn parse_published(raw: &str, now: DateTime<Utc>) -> Result<Published, String> {
    parse_published_with_year(raw, now, None)
}

/// Like [`parse_published`], but a date written without a year (`Sep. 5`) takes
/// `reference_year` when one is supplied (e.g. the year of another, trusted date of the same
/// article).
pub fn parse_published_with_year(
    raw: &str,
    now: DateTime<Utc>,
    reference_year: Option<i32>,
) -> Result<Published, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("missing".into());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return validate_instant(dt, TimePrecision::Time, now);
    }
    let mut parts = parse_parts(raw, now)?;
    if parts.year.is_none() {
        parts.year = reference_year;
    }
    build(parts, now)
}

/// Turns parts into a validated [`Published`].
pub(crate) fn build(parts: DateParts, now: DateTime<Utc>) -> Result<Published, String> {
    let year = parts.year.ok_or("no year")?;
    let month = parts.month.ok_or("no month")?;
    let day = parts.day.ok_or("no day")?;
    if year < MIN_YEAR {
        return Err(format!("implausible year {year}"));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("impossible date {year:04}-{month:02}-{day:02}"))?;
    let (naive, precision, offset) = match parts.time {
        Some((h, m, s)) => {
            let t = NaiveTime::from_hms_opt(h, m, s)
                .ok_or_else(|| format!("impossible time {h:02}:{m:02}:{s:02}"))?;
            (
                date.and_time(t),
                TimePrecision::Time,
                parts.offset.unwrap_or(0),
            )
        }
        // A day without a time is midnight UTC by convention, whatever zone was named.
        None => (date.and_time(NaiveTime::MIN), TimePrecision::Day, 0),
    };
    if offset.abs() > MAX_OFFSET_SECS {
        return Err(format!("impossible UTC offset {offset}s"));
    }
    let tz = FixedOffset::east_opt(offset).ok_or("impossible UTC offset")?;
    let at = tz
        .from_local_datetime(&naive)
        .single()
        .ok_or("unrepresentable local time")?;
    validate_instant(at, precision, now)
}

fn validate_instant(
    at: DateTime<FixedOffset>,
    precision: TimePrecision,
    now: DateTime<Utc>,
) -> Result<Published, String> {
    if at.year() < MIN_YEAR {
        return Err(format!("implausible year {}", at.year()));
    }
    if at.with_timezone(&Utc) > now + chrono::Duration::hours(FUTURE_SLACK_HOURS) {
        return Err(format!("in the future ({})", at.year()));
    }
    Ok(Published { at, precision })
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(\d{4})[-/](\d{1,2})[-/](\d{1,2})
          (?:[T\x20]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?
          \s*(?:(Z|(?i:UTC|GMT))?\s*([+-]\d{2}(?::?\d{2})?)?)$",
    )
    .expect("valid ISO regex")
});

/// Parses a date string into its parts without validating them.
pub(crate) fn parse_parts(raw: &str, now: DateTime<Utc>) -> Result<DateParts, String> {
    if let Some(c) = ISO.captures(raw) {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let mut p = DateParts {
            year: c.get(1).and_then(|m| m.as_str().parse().ok()),
            month: num(2),
            day: num(3),
            ..DateParts::default()
        };
        if let (Some(h), Some(m)) = (num(4), num(5)) {
            p.time = Some((h, m, num(6).unwrap_or(0)));
        }
        if c.get(7).is_some() {
            p.offset = Some(0);
        }
        if let Some(o) = c.get(8) {
            p.offset = Some(parse_offset(o.as_str()).ok_or("bad UTC offset")?);
        }
        return Ok(p);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(raw) {
        return Ok(DateParts {
            year: Some(dt.year()),
            month: Some(dt.month()),
            day: Some(dt.day()),
            time: Some((
                chrono::Timelike::hour(&dt),
                chrono::Timelike::minute(&dt),
                chrono::Timelike::second(&dt),
            )),
            offset: Some(dt.offset().local_minus_utc()),
        });
    }
    parse_written(raw, now)
}

/// `+04:00`, `+0400`, `-4`, `+4:30` -> seconds east of UTC.
fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let (h, m) = if let Some((h, m)) = rest.split_once(':') {
        (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)
    } else if rest.len() == 4 {
        (
            rest[..2].parse::<i32>().ok()?,
            rest[2..].parse::<i32>().ok()?,
        )
    } else if rest.len() <= 2 {
        (rest.parse::<i32>().ok()?, 0)
    } else {
        return None;
    };
    if m >= 60 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

pub(crate) fn month_number(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if w.len() < 3 {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(w)))
        .map(|i| i as u32 + 1)
}

pub(crate) fn is_weekday(w: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.iter().any(|d| {
        *d == w
            || (w.len() >= 3
                && d.starts_with(w)
                && (w.len() == 3 || matches!(w, "tues" | "thur" | "thurs")))
    })
}

/// A month or weekday name (full or abbreviated), lower-case input.
pub(crate) fn is_calendar_word(w: &str) -> bool {
    month_number(w).is_some() || is_weekday(w)
}

/// Zone abbreviations with a single, unambiguous meaning in English-language news.
fn zone_offset(w: &str) -> Option<i32> {
    let h = match w {
        "utc" | "gmt" | "z" => 0,
        "est" => -5,
        "edt" | "ast" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        "bst" | "cet" => 1,
        "cest" | "eet" => 2,
        "eest" | "msk" => 3,
        _ => return None,
    };
    Some(h * 3600)
}

/// Filler words that may surround a written date without changing it.
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "at" | "on"
            | "of"
            | "the"
            | "published"
            | "updated"
            | "posted"
            | "last"
            | "date"
            | "originally"
            | "first"
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Num(u32, usize),
    Time(u32, u32, u32),
    Offset(i32),
    Slash(u32, u32, u32, usize),
}

/// Splits a written date into tokens; punctuation that never carries meaning is dropped.
fn tokenize(s: &str) -> Result<Vec<Tok<'_>>, String> {
    let b = s.as_bytes();
    let mut toks = Vec::with_capacity(8);
    let mut i = 0;
    let digits = |i: usize| {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let num = |a: usize, z: usize| -> Result<u32, String> {
        s[a..z]
            .parse::<u32>()
            .map_err(|_| format!("bad number in {s:?}"))
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let j = digits(i);
            if j < b.len() && b[j] == b':' {
                // h:mm[:ss]
                let k = digits(j + 1);
                if k - (j + 1) != 2 {
                    return Err(format!("bad time in {s:?}"));
                }
                let (h, m) = (num(i, j)?, num(j + 1, k)?);
                let mut sec = 0;
                let mut end = k;
                if k < b.len() && b[k] == b':' {
                    let l = digits(k + 1);
                    if l - (k + 1) != 2 {
                        return Err(format!("bad time in {s:?}"));
                    }
                    sec = num(k + 1, l)?;
                    end = l;
                }
                toks.push(Tok::Time(h, m, sec));
                i = end;
            } else if j < b.len() && b[j] == b'/' {
                // a/b/c
                let k = digits(j + 1);
                if k == j + 1 || k >= b.len() || b[k] != b'/' {
                    return Err(format!("bad slashed date in {s:?}"));
                }
                let l = digits(k + 1);
                if l == k + 1 {
                    return Err(format!("bad slashed date in {s:?}"));
                }
                toks.push(Tok::Slash(
                    num(i, j)?,
                    num(j + 1, k)?,
                    num(k + 1, l)?,
                    l - (k + 1),
                ));
                i = l;
            } else {
                toks.push(Tok::Num(num(i, j)?, j - i));
                i = j;
                // Ordinal suffix: 5th, 1st, 22nd, 3rd.
                let w = word_end(b, i);
                if w > i {
                    let suf = s[i..w].to_ascii_lowercase();
                    if !matches!(suf.as_str(), "st" | "nd" | "rd" | "th") {
                        return Err(format!("unrecognised {:?} in {s:?}", &s[i..w]));
                    }
                    i = w;
                }
            }
        } else if (c == b'+' || c == b'-') && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            let j = digits(i + 1);
            let end = if j < b.len() && b[j] == b':' {
                digits(j + 1)
            } else {
                j
            };
            toks.push(Tok::Offset(
                parse_offset(&s[i..end]).ok_or_else(|| format!("bad UTC offset in {s:?}"))?,
            ));
            i = end;
        } else if c.is_ascii_alphabetic() {
            let j = word_end(b, i);
            toks.push(Tok::Word(&s[i..j]));
            i = j;
        } else if c.is_ascii_whitespace()
            || matches!(c, b',' | b'.' | b'(' | b')' | b'-' | b'|' | b':')
        {
            i += 1;
        } else {
            // Non-ASCII (e.g. an NBSP or a dash) separates too; anything else is suspicious.
            let ch = s[i..].chars().next().unwrap_or(' ');
            if ch.is_whitespace() || matches!(ch, '–' | '—' | '·') {
                i += ch.len_utf8();
            } else {
                return Err(format!("unrecognised {ch:?} in {s:?}"));
            }
        }
    }
    Ok(toks)
}

fn word_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// Two-digit years: the latest century that does not put the year after `now`.
fn expand_year(y: u32, ndigits: usize, now: DateTime<Utc>) -> i32 {
    let y = y as i32;
    if ndigits > 2 {
        return y;
    }
    let this = now.year();
    let century = this - this.rem_euclid(100);
    if century + y <= this {
        century + y
    } else {
        century - 100 + y
    }
}

fn set<T: Copy>(slot: &mut Option<T>, v: T, what: &str, s: &str) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("two {what}s in {s:?}"));
    }
    *slot = Some(v);
    Ok(())
}

/// Parses dates written with words, slashes and times (see the module docs).
fn parse_written(s: &str, now: DateTime<Utc>) -> Result<DateParts, String> {
    let toks = tokenize(s)?;
    let mut p = DateParts::default();
    let mut pm: Option<bool> = None;
    let mut i = 0;
    while i < toks.len() {
        match toks[i] {
            Tok::Word(w) => {
                let w = w.to_ascii_lowercase();
                if let Some(m) = month_number(&w) {
                    set(&mut p.month, m, "month", s)?;
                } else if is_weekday(&w) || is_filler(&w) {
                } else if w == "am" || w == "pm" {
                    pm = Some(w == "pm");
                } else if (w == "a" || w == "p")
                    && matches!(toks.get(i + 1), Some(Tok::Word(m)) if m.eq_ignore_ascii_case("m"))
                {
                    pm = Some(w == "p");
                    i += 1;
                } else if let Some(o) = zone_offset(&w) {
                    // "UTC +04:00": the explicit offset that follows wins.
                    if let Some(Tok::Offset(x)) = toks.get(i + 1) {
                        set(&mut p.offset, *x, "offset", s)?;
                        i += 1;
                    } else {
                        set(&mut p.offset, o, "offset", s)?;
                    }
                } else {
                    return Err(format!("unrecognised word {w:?} in {s:?}"));
                }
            }
            Tok::Num(n, nd) => {
                if nd == 4 {
                    set(&mut p.year, n as i32, "year", s)?;
                } else if nd <= 2 && (1..=31).contains(&n) && p.day.is_none() {
                    p.day = Some(n);
                } else {
                    return Err(format!("unrecognised number {n} in {s:?}"));
                }
            }
            Tok::Time(h, m, sec) => set(&mut p.time, (h, m, sec), "time", s)?,
            Tok::Offset(o) => set(&mut p.offset, o, "offset", s)?,
            Tok::Slash(a, b, c, nd) => {
                if p.year.is_some() || p.month.is_some() || p.day.is_some() {
                    return Err(format!("two dates in {s:?}"));
                }
                let (y, m, d) = if a > 31 && nd <= 2 {
                    // YYYY/MM/DD
                    (a as i32, b, c)
                } else if a > 12 && b <= 12 {
                    (expand_year(c, nd, now), b, a)
                } else {
                    (expand_year(c, nd, now), a, b)
                };
                p.year = Some(y);
                p.month = Some(m);
                p.day = Some(d);
            }
        }
        i += 1;
    }
    if let (Some(is_pm), Some((h, m, sec))) = (pm, p.time) {
        if !(1..=12).contains(&h) {
            return Err(format!("bad 12-hour time in {s:?}"));
        }
        let h = h % 12 + if is_pm { 12 } else { 0 };
        p.time = Some((h, m, sec));
    } else if pm.is_some() {
        return Err(format!("am/pm without a time in {s:?}"));
    }
    if p.month.is_none() || p.day.is_none() {
        return Err(format!("no day and month in {s:?}"));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).single().unwrap()
    }

    fn ok(s: &str) -> String {
        match parse_published(s, now()) {
            Ok(p) => format!("{} {:?}", p.to_rfc3339(), p.precision),
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn err(s: &str) -> String {
        match parse_published(s, now()) {
            Ok(p) => panic!("{s:?} parsed as {}", p.to_rfc3339()),
            Err(e) => e,
        }
    }

    #[test]
    fn iso_and_rfc_forms() {
        assert_eq!(
            ok("2018-07-15T07:54:28-04:00"),
            "2018-07-15T07:54:28-04:00 Time"
        );
        assert_eq!(ok("2018-07-15T07:54:28.123Z"), "2018-07-15T07:54:28Z Time");
        assert_eq!(ok("2016-09-20"), "2016-09-20T00:00:00Z Day");
        assert_eq!(ok("2017-09-05 10:00:00"), "2017-09-05T10:00:00Z Time");
        assert_eq!(ok("2017-09-05 10:00 UTC"), "2017-09-05T10:00:00Z Time");
        assert_eq!(
            ok("2017-09-05T10:00+0200"),
            "2017-09-05T10:00:00+02:00 Time"
        );
        assert_eq!(ok("2016/9/2"), "2016-09-02T00:00:00Z Day");
        assert_eq!(
            ok("Tue, 05 Sep 2017 21:21:00 +0400"),
            "2017-09-05T21:21:00+04:00 Time"
        );
    }

    #[test]
    fn slashed_forms() {
        assert_eq!(ok("7/23/17"), "2017-07-23T00:00:00Z Day");
        assert_eq!(ok("12/1/16"), "2016-12-01T00:00:00Z Day");
        assert_eq!(ok("4/4/2017"), "2017-04-04T00:00:00Z Day");
        // First number cannot be a month: day/month.
        assert_eq!(ok("23/7/17"), "2017-07-23T00:00:00Z Day");
        // Two-digit years never land after `now`.
        assert_eq!(ok("1/2/99"), "1999-01-02T00:00:00Z Day");
        assert_eq!(ok("7/23/17 9:05 pm"), "2017-07-23T21:05:00Z Time");
    }

    #[test]
    fn written_forms() {
        assert_eq!(
            ok("5 September 2017 21:21 (UTC +04:00)"),
            "2017-09-05T21:21:00+04:00 Time"
        );
        assert_eq!(ok("September 5, 2017"), "2017-09-05T00:00:00Z Day");
        assert_eq!(ok("Sep. 5th, 2017"), "2017-09-05T00:00:00Z Day");
        assert_eq!(
            ok("Tuesday, Sept. 5, 2017 at 9:21 p.m. EDT"),
            "2017-09-05T21:21:00-04:00 Time"
        );
        assert_eq!(
            ok("Updated: July 15, 2018 12:05 AM"),
            "2018-07-15T00:05:00Z Time"
        );
        assert_eq!(ok("15 Jul 2018 - 10:30 GMT"), "2018-07-15T10:30:00Z Time");
    }

    #[test]
    fn untrusted_values_are_refused() {
        assert_eq!(err(""), "missing");
        assert_eq!(err("  "), "missing");
        assert!(err("0001-01-01").contains("implausible year"));
        assert!(err("2099-01-01").contains("future"));
        assert!(err("2050-03-04").contains("future"));
        assert!(err("2024-06-10").contains("future"));
        assert!(err("2017-02-30").contains("impossible date"));
        assert!(err("2017-09-05 25:00").contains("impossible time"));
        assert!(err("Sep. 5").contains("no year"));
        assert!(err("yesterday").contains("unrecognised"));
        assert!(err("5 Septembre 2017").contains("unrecognised"));
        assert!(err("Sep 5 2017 Oct").contains("two months"));
        assert!(err("13:00 pm Sep 5 2017").contains("12-hour"));
        assert!(err("2017").contains("no day"));
    }

    #[test]
    fn reference_year_completes_a_date_without_year() {
        let p = parse_published_with_year("Sep. 5", now(), Some(2017)).unwrap();
        assert_eq!(p.to_rfc3339(), "2017-09-05T00:00:00Z");
        // A written year wins over the reference.
        let p = parse_published_with_year("Sep. 5 2016", now(), Some(2017)).unwrap();
        assert_eq!(p.at.year(), 2016);
    }

    #[test]
    fn slack_allows_a_local_date_just_ahead_of_utc() {
        assert!(parse_published("2024-06-02", now()).is_ok());
    }
}
