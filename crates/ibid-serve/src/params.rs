//! Query-string parameters, checked by hand so that every bad value gets a message that names
//! the parameter and says what is expected (serde's messages do not).

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;

use crate::error::Failure;

/// Largest page the API serves.
pub(crate) const MAX_LIMIT: usize = 200;

/// The query string as name/value pairs, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// From axum's extractor; a malformed query string is a 400.
    pub(crate) fn from_query(
        q: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, Failure> {
        match q {
            Ok(Query(pairs)) => Ok(Params(pairs)),
            Err(e) => Err(Failure::BadRequest(format!("malformed query string: {e}"))),
        }
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
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

    /// A whole number in `min..=max`, or `default` when absent.
    pub(crate) fn usize(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, Failure> {
        let Some(v) = self.str(name) else {
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
            self.usize("offset", 0, 0, i64::MAX as usize / 2)?,
        ))
    }

    /// A time bound as Unix seconds: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
    pub(crate) fn time(&self, name: &str) -> Result<Option<i64>, Failure> {
        let Some(v) = self.str(name) else {
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
        match self.str(name) {
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

/// Parses `YYYY-MM-DD` or RFC 3339 into Unix seconds.
pub(crate) fn parse_time(v: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp());
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
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
    fn empty_values_count_as_absent() {
        let p = Params::from_pairs(&[("q", "  "), ("from", "")]);
        assert_eq!(p.str("q"), None);
        assert_eq!(p.time("from").unwrap(), None);
    }
}
