//! Evaluation against PolNeAR (quotes and speakers), GUM (entity mentions and merging) and
//! hand-annotated quotations (`quote_gold`, the AllSides sample).
//!
//! Each reads its data set from disk and scores ibid with the metrics described in the
//! function docs. Quotations are scored by one strict scorer ([`strict`]): one-to-one matching
//! of quotations, and a speaker counts only when it is the gold source's person
//! ([`identity`]). The GUM scorer also scores predictions made by another system (the spaCy
//! comparison in `bench/extract-ner/`), so both are measured the same way.

mod gum;
pub mod identity;
mod polnear;
pub mod strict;

pub use gum::*;
pub use polnear::*;

use std::path::{Path, PathBuf};

use ibid_core::{CleanedArticle, OffsetMap, Span};

/// Errors of the evaluation readers.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The dataset holds nothing to score.
    #[error("no documents found under {0}")]
    Empty(PathBuf),
}

pub(crate) fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn list(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, EvalError> {
    let rd = std::fs::read_dir(dir).map_err(|source| EvalError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    Ok(v)
}

/// Wraps raw text as a cleaned article with the identity offset map.
pub fn identity_article(text: &str) -> CleanedArticle {
    CleanedArticle {
        text: text.to_string(),
        offsets: OffsetMap::identity(text.chars().count() as u32),
        ..Default::default()
    }
}

/// Code points shared by two fragment lists.
pub(crate) fn overlap(a: &[Span], b: &[Span]) -> u32 {
    let mut n = 0;
    for x in a {
        for y in b {
            let s = x.start.max(y.start);
            let e = x.end.min(y.end);
            if e > s {
                n += e - s;
            }
        }
    }
    n
}

pub(crate) fn len(a: &[Span]) -> u32 {
    a.iter().map(|s| s.len()).sum()
}

/// True when two spans overlap by at least half of the shorter one.
pub(crate) fn half_match(a: &[Span], b: &[Span]) -> bool {
    let m = len(a).min(len(b));
    m > 0 && overlap(a, b) * 2 >= m
}
/// `'` after letters is an apostrophe ("voters’", "don't", "U.N.'s") and does not count.
pub fn has_quote_mark(text: &[char], span: Span) -> bool {
    let (a, b) = (
        (span.start as usize).min(text.len()),
        (span.end as usize).min(text.len()),
    );
    let s = &text[a..b];
    s.iter().enumerate().any(|(i, &c)| match c {
        '“' | '”' | '"' | '«' | '»' | '„' | '‘' => true,
        '\'' | '’' => {
            let prev = if i > 0 { Some(s[i - 1]) } else { None };
            let next = s.get(i + 1).copied();
            let possessive = matches!(next, Some('s' | 'S'))
                && !s.get(i + 2).is_some_and(|c| c.is_alphanumeric());
            next == Some('\'')
                || (!prev.is_some_and(|p| p.is_alphanumeric() || p == '.')
                    && next.is_some_and(char::is_alphanumeric)
                    && !possessive)
        }
        _ => false,
    })
}

pub(crate) fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

pub(crate) fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_marks() {
        let has = |s: &str| {
            let c: Vec<char> = s.chars().collect();
            has_quote_mark(&c, Span::new(0, c.len() as u32))
        };
        assert!(has("he said “go”"));
        assert!(has("''Yes,'' he said"));
        assert!(has("It’s ‘in Their Heads.’"));
        assert!(has("The Trends Are 'Terrifying.'"));
        assert!(!has("the voters’ choice, don't, the U.N.'s record"));
    }
}
