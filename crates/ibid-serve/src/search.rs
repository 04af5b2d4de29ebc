//! Turning what a person types into a safe FTS5 query, and reading FTS5 snippets back.
//!
//! FTS5's query syntax makes ordinary input fail (`Iran-Russia`, `U.S.`, an unbalanced quote).
//! So the box speaks a small, forgiving language: words are ANDed, `"a phrase"` is a phrase,
//! a hyphenated or dotted word is a phrase of its parts, `word*` is a prefix, and `OR` / `NOT`
//! between terms work as in FTS5. Everything else is dropped. Every emitted term is a quoted
//! string of letters and digits only, so no input can produce a syntax error.

/// The FTS5 query for `input`, or `None` when it has no searchable word.
pub(crate) fn to_fts(input: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op: Option<&'static str> = None;
    for chunk in chunks(input) {
        match chunk {
            Chunk::Op(op) => {
                // An operator needs a term on its left; its right is checked when one comes.
                if !out.is_empty() {
                    pending_op = Some(op);
                }
            }
            Chunk::Term { words, prefix } => {
                if words.is_empty() {
                    continue;
                }
                let mut term = format!("\"{}\"", words.join(" "));
                if prefix {
                    term.push('*');
                }
                if let Some(op) = pending_op.take() {
                    out.push(op.to_string());
                }
                out.push(term);
            }
        }
    }
    (!out.is_empty()).then(|| out.join(" "))
}

enum Chunk {
    Op(&'static str),
    Term { words: Vec<String>, prefix: bool },
}

fn chunks(input: &str) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            let body = &rest[1..];
            let (phrase, next) = match body.find('"') {
                Some(end) => (&body[..end], &body[end + 1..]),
                None => (body, ""),
            };
            out.push(Chunk::Term {
                words: words(phrase),
                prefix: false,
            });
            rest = next;
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        match token {
            "OR" => out.push(Chunk::Op("OR")),
            "NOT" => out.push(Chunk::Op("NOT")),
            "AND" => out.push(Chunk::Op("AND")),
            _ => out.push(Chunk::Term {
                words: words(token),
                prefix: token.ends_with('*'),
            }),
        }
    }
    out
}

/// Runs of letters and digits: what FTS5's unicode61 tokenizer indexes.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits an FTS5 snippet whose matches are wrapped in `[` `]` into (is_match, text) parts.
pub(crate) fn snippet_parts(snippet: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            parts.push((false, &rest[..open]));
        }
        parts.push((true, &rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push((false, rest));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_input_becomes_quoted_terms() {
        assert_eq!(to_fts("harbour crane").unwrap(), r#""harbour" "crane""#);
        assert_eq!(
            to_fts("Iran-Russia talks").unwrap(),
            r#""Iran Russia" "talks""#
        );
        assert_eq!(
            to_fts(r#""special envoy" OR minister"#).unwrap(),
            r#""special envoy" OR "minister""#
        );
        assert_eq!(to_fts("terror*").unwrap(), r#""terror"*"#);
        assert_eq!(to_fts("OR NOT ... \" ").as_deref(), None);
        assert_eq!(to_fts("a NOT").unwrap(), r#""a""#);
        assert_eq!(to_fts("NOT a").unwrap(), r#""a""#);
        assert_eq!(to_fts("").as_deref(), None);
    }

    #[test]
    fn snippet_marks_become_parts() {
        assert_eq!(
            snippet_parts("…the [crane] broke [down]"),
            vec![
                (false, "…the "),
                (true, "crane"),
                (false, " broke "),
                (true, "down")
            ]
        );
        assert_eq!(snippet_parts("a [b"), vec![(false, "a [b")]);
    }

    fn fts() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO t VALUES ('the harbour crane broke down in Iran-Russia talks');",
        )
        .unwrap();
        c
    }

    #[test]
    fn queries_find_what_they_should() {
        let c = fts();
        let n = |q: &str| -> i64 {
            c.query_row(
                "SELECT count(*) FROM t WHERE t MATCH ?1",
                [to_fts(q).unwrap()],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(n("Iran-Russia"), 1);
        assert_eq!(n("crane NOT harbour"), 0);
        assert_eq!(n("cran*"), 1);
        assert_eq!(n("\"crane broke\""), 1);
        assert_eq!(n("\"broke crane\""), 0);
        assert_eq!(n("zebra OR crane"), 1);
    }

    proptest! {
        #[test]
        fn no_input_makes_a_syntax_error(input in "\\PC{0,40}") {
            let c = fts();
            if let Some(q) = to_fts(&input) {
                let r: Result<i64, _> = c.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                prop_assert!(r.is_ok(), "{input:?} -> {q:?}: {r:?}");
            }
        }
    }
}
