//! Query-string parameters, checked by hand so that every bad value gets a message that names
//! the parameter and says what is expected (serde's messages do not).

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;

use crate::error::Failure;

/// Largest page the API serves.
pub(crate) const MAX_LIMIT: usize = 200;

/// Largest `offset` accepted (the OpenAPI document's maximum): `offset + limit` stays within
/// SQLite's 64-bit integers.
pub(crate) const MAX_OFFSET: usize = i64::MAX as usize / 2;

/// The query string as name/value pairs, in order, and whether it is held to the JSON API's
/// OpenAPI document (`strict`) or read as a web form.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>, bool);

impl Params {
    /// From axum's extractor, for the web UI; a malformed query string is a 400. An empty value
    /// counts as absent (an empty form field).
    pub(crate) fn from_query(
        q: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, Failure> {
        match q {
            Ok(Query(pairs)) => Ok(Params(pairs, false)),
            Err(e) => Err(Failure::BadRequest(format!("malformed query string: {e}"))),
        }
    }

    /// From axum's extractor, for the JSON API, which keeps to its OpenAPI document: every
    /// parameter there has `minLength: 1` or a type an empty string is not, so an empty value
    /// is a 400 rather than taken as absent.
    pub(crate) fn api(
        q: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, Failure> {
        let mut p = Self::from_query(q)?;
        p.1 = true;
        if let Some((k, _)) = p.0.iter().find(|(_, v)| v.is_empty()) {
            return Err(Failure::BadRequest(format!(
                "{k} is empty; leave the parameter out or give it a value"
            )));
        }
        Ok(p)
    }

    /// Whether `name` was given at all (even blank).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            false,
        )
    }

    /// Rejects parameters the endpoint does not know, so a typo is not silently ignored.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), Failure> {
        for (k, _) in &self.0 {
            if !known.contains(&k.as_str()) {
                return Err(Failure::BadRequest(format!(
                    "unknown parameter {k:?}; this endpoint takes: {}",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The last value of `name`, trimmed; empty counts as absent (an empty form field).
    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The trimmed value of a parameter of a type no blank string belongs to (a number, a
    /// date, a word of a set). A blank value is absent in a web form (an empty field); the
    /// JSON API's document admits none for these types, so there it is refused, like an
    /// empty one.
    fn typed(&self, name: &str, expected: &str) -> Result<Option<&str>, Failure> {
        match self.str(name) {
            None if self.1 && self.has(name) => Err(Failure::BadRequest(format!(
                "{name} must be {expected}, got a blank value"
            ))),
            v => Ok(v),
        }
    }

    /// A whole number in `min..=max`, or `default` when absent.
    pub(crate) fn usize(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, Failure> {
        let expected = format!("a whole number from {min} to {max}");
        let Some(v) = self.typed(name, &expected)? else {
            return Ok(default);
        };
        match v.parse::<i64>() {
            Ok(n) if n >= min as i64 && n <= max as i64 => Ok(n as usize),
            _ => Err(Failure::BadRequest(format!(
                "{name} must be a whole number from {min} to {max}, got {v:?}"
            ))),
        }
    }

    /// `limit` and `offset` for a list endpoint.
    pub(crate) fn page(&self, default_limit: usize) -> Result<(usize, usize), Failure> {
        Ok((
            self.usize("limit", default_limit, 1, MAX_LIMIT)?,
            self.usize("offset", 0, 0, MAX_OFFSET)?,
        ))
    }

    /// A time bound as Unix seconds: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
    pub(crate) fn time(&self, name: &str) -> Result<Option<i64>, Failure> {
        let Some(v) = self.typed(name, "a date (YYYY-MM-DD) or an RFC 3339 time")? else {
            return Ok(None);
        };
        parse_time(v).map(Some).ok_or_else(|| {
            Failure::BadRequest(format!(
                "{name} must be a date (YYYY-MM-DD) or an RFC 3339 time, got {v:?}"
            ))
        })
    }

    /// One of a fixed set of words, or `default`.
    pub(crate) fn choice<'a>(
        &self,
        name: &str,
        allowed: &[&'a str],
        default: &'a str,
    ) -> Result<&'a str, Failure> {
        let expected = format!("one of {}", allowed.join(", "));
        match self.typed(name, &expected)? {
            None => Ok(default),
            Some(v) => allowed.iter().find(|a| **a == v).copied().ok_or_else(|| {
                Failure::BadRequest(format!(
                    "{name} must be one of {}, got {v:?}",
                    allowed.join(", ")
                ))
            }),
        }
    }
}

/// Parses an RFC 3339 `full-date` (`YYYY-MM-DD`, midnight UTC) or `date-time` into Unix
/// seconds: exactly the strings the OpenAPI document's `format: date` / `format: date-time`
/// admit, no more (chrono's RFC 3339 parser also takes a space for the `T`, which the format
/// does not) and no less (a leap second, `23:59:60`, counts as the next second's start).
pub(crate) fn parse_time(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let num = |r: std::ops::Range<usize>| v.get(r).and_then(|s| s.parse::<u32>().ok());
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    if b.len() == 10 {
        return Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
    }
    let clock = matches!(b.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !clock {
        return None;
    }
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2]
            if [oh1, oh2, om1, om2].iter().all(|d| d.is_ascii_digit()) =>
        {
            let oh = u32::from(oh1 - b'0') * 10 + u32::from(oh2 - b'0');
            let om = u32::from(om1 - b'0') * 10 + u32::from(om2 - b'0');
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i64;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let local = date.and_hms_opt(h, m, sec.min(59))?.and_utc().timestamp() + i64::from(sec == 60);
    Some(local - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_with_a_named_message() {
        let p = Params::from_pairs(&[("limit", "-1")]);
        let err = p.page(20).unwrap_err();
        assert!(
            matches!(&err, Failure::BadRequest(m) if m.contains("limit") && m.contains("-1")),
            "{err:?}"
        );
        let p = Params::from_pairs(&[("limit", "500")]);
        assert!(p.page(20).is_err());
        let p = Params::from_pairs(&[("limit", "abc")]);
        assert!(p.page(20).is_err());
        let p = Params::from_pairs(&[("limit", "7"), ("offset", "40")]);
        assert_eq!(p.page(20).unwrap(), (7, 40));
        assert_eq!(Params::default().page(20).unwrap(), (20, 0));
    }

    #[test]
    fn times_accept_dates_and_rfc3339_only() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time("2017-13-01"), None);
        assert_eq!(parse_time("yesterday"), None);
        // Exactly RFC 3339, as the OpenAPI formats `date` and `date-time` say.
        assert_eq!(parse_time("1970-01-01t00:00:01.5z"), Some(1));
        assert_eq!(parse_time("1970-01-01T00:00:60Z"), Some(60));
        assert_eq!(parse_time("0000-01-01"), Some(-62167219200));
        assert_eq!(parse_time("1970-01-01 00:00:00Z"), None);
        assert_eq!(parse_time("1970-01-01T00:00:00"), None);
        assert_eq!(parse_time("1970-01-01T00:00:00+0100"), None);
        assert_eq!(parse_time("1970-01-01T24:00:00Z"), None);
        assert_eq!(parse_time("1970-1-01"), None);
        assert_eq!(parse_time("+1970-01-01"), None);
        assert_eq!(parse_time("１９７０-01-01"), None);
        let p = Params::from_pairs(&[("from", "2017-02-30")]);
        assert!(p.time("from").is_err());
    }

    #[test]
    fn unknown_parameters_and_choices_are_rejected() {
        let p = Params::from_pairs(&[("lmit", "5")]);
        assert!(p.only(&["limit"]).is_err());
        let p = Params::from_pairs(&[("sort", "size")]);
        assert_eq!(
            p.choice("sort", &["size", "first_seen"], "x").unwrap(),
            "size"
        );
        let p = Params::from_pairs(&[("sort", "bogus")]);
        assert!(p.choice("sort", &["size"], "size").is_err());
    }

    #[test]
    fn the_api_refuses_empty_values_the_ui_ignores() {
        let q = |s: &str| -> Result<Query<Vec<(String, String)>>, QueryRejection> {
            Ok(Query(url_pairs(s)))
        };
        assert!(Params::from_query(q("limit=&order=")).is_ok());
        let err = Params::api(q("limit=&order=")).unwrap_err();
        assert!(
            matches!(&err, Failure::BadRequest(m) if m.starts_with("limit is empty")),
            "{err:?}"
        );
        assert!(
            Params::api(q("q=%20")).is_ok(),
            "blank is a value; what it means is up to the endpoint"
        );
    }

    #[test]
    fn the_api_refuses_blank_numbers_dates_and_words_the_ui_ignores() {
        let q = |s: &str| -> Result<Query<Vec<(String, String)>>, QueryRejection> {
            Ok(Query(url_pairs(s)))
        };
        // Non-breaking spaces: schemathesis sent `sort=%C2%A0%C2%A0` and got a 200.
        let blank = "sort=\u{a0}\u{a0}&limit=%20&from=%20";
        let ui = Params::from_query(q(blank)).unwrap();
        assert_eq!(ui.choice("sort", &["size"], "size").unwrap(), "size");
        assert_eq!(ui.usize("limit", 7, 1, 10).unwrap(), 7);
        assert_eq!(ui.time("from").unwrap(), None);
        let api = Params::api(q(blank)).unwrap();
        assert!(api.choice("sort", &["size"], "size").is_err());
        assert!(api.usize("limit", 7, 1, 10).is_err());
        assert!(api.time("from").is_err());
    }

    fn url_pairs(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.replace("%20", " ")))
            .collect()
    }

    #[test]
    fn empty_values_count_as_absent() {
        let p = Params::from_pairs(&[("q", "  "), ("from", "")]);
        assert_eq!(p.str("q"), None);
        assert_eq!(p.time("from").unwrap(), None);
    }
}
