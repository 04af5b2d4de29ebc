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

/// The phrases of an FTS5 query made by [`to_fts`] when it is one phrase or phrases joined by
/// `OR` only (`"a"`, `"a" OR "b c"*`); `None` for anything with `AND`, `NOT` or implicit
/// `AND`. Such a query's matches are the union of its phrases' and, FTS5's BM25 being a sum
/// over phrases with each phrase's IDF computed on its own, its scores are sums of theirs.
pub(crate) fn disjuncts(fts: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = fts;
    loop {
        // A term is a quoted run of letters, digits and spaces, maybe followed by `*`.
        let body = rest.strip_prefix('"')?;
        let close = body.find('"')?;
        let mut end = 1 + close + 1;
        if rest[end..].starts_with('*') {
            end += 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
        if rest.is_empty() {
            return Some(out);
        }
        rest = rest.strip_prefix(" OR ")?;
    }
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

/// The words a query looks for, for highlighting: every word of every term not excluded by
/// `NOT`, folded like the index folds them ([`fold`]), with whether it is a prefix (`word*`).
pub(crate) fn highlight_terms(input: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut negated = false;
    let mut seen_term = false;
    for chunk in chunks(input) {
        match chunk {
            Chunk::Op(op) => negated = seen_term && op == "NOT",
            Chunk::Term { words, prefix } => {
                if words.is_empty() {
                    continue;
                }
                seen_term = true;
                if !std::mem::take(&mut negated) {
                    let last = words.len() - 1;
                    for (i, w) in words.iter().enumerate() {
                        let term = (fold(w), prefix && i == last);
                        if !out.contains(&term) {
                            out.push(term);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Lower case without diacritics: what FTS5's `unicode61 remove_diacritics 2` tokenizer
/// compares, near enough for highlighting.
pub(crate) fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

fn fold_into(word: &str, out: &mut String) {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    if word.is_ascii() {
        // The common case, without the decomposition machinery.
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    for c in word.nfd().filter(|c| !is_combining_mark(*c)) {
        out.extend(c.to_lowercase());
    }
}

/// Tokens a snippet shows, like FTS5's `snippet(..., 12)`.
const SNIPPET_TOKENS: usize = 12;

/// A snippet of `text` around the best cluster of `terms` (see [`highlight_terms`]), matches
/// wrapped in `[` `]` and cuts marked `…`, in the format of FTS5's `snippet()`; `None` when no
/// word of `text` matches.
///
/// Written here rather than asking FTS5 because `snippet()` re-tokenizes and scores every
/// fragment of the document through the virtual table (about 150 µs an article on the bench
/// machine, the largest part of a search); this is one pass over the text.
pub(crate) fn snippet(text: &str, terms: &[(String, bool)]) -> Option<String> {
    // Highlighting looks at 64 distinct words at most (one bit each).
    let terms = &terms[..terms.len().min(64)];
    if terms.is_empty() {
        return None;
    }
    let all: u64 = present_terms(text, terms);
    // (byte start, byte end, matched term)
    let mut tokens: Vec<(usize, usize, Option<usize>)> = Vec::with_capacity(256);
    let mut buf = String::new();
    let mut seen: u64 = 0;
    let mut last_hit = 0;
    let bytes = text.as_bytes();
    let mut start = None;
    let mut i = 0;
    // One pass over the bytes: ASCII is classified without decoding, other characters are
    // decoded one at a time. `i == len` is a final separator that closes the last word.
    while i <= bytes.len() {
        let (word_char, width) = match bytes.get(i) {
            None => (false, 1),
            Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            Some(_) => match text[i..].chars().next() {
                Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                None => (false, 1),
            },
        };
        if word_char {
            start.get_or_insert(i);
            i += width;
            continue;
        }
        if let Some(s) = start.take() {
            let hit = match_term(&text[s..i], terms, &mut buf);
            if let Some(t) = hit {
                seen |= 1 << t;
                last_hit = tokens.len();
            }
            tokens.push((s, i, hit));
            // Every word found and the window after the last match filled: no later window
            // can hold more distinct words, so the rest of the text need not be read.
            if seen == all && tokens.len() >= last_hit + SNIPPET_TOKENS {
                break;
            }
        }
        i += width;
    }
    let at_end = i >= bytes.len();
    // The window with the most distinct terms, then the most matches; the earliest on ties.
    // A match opens each candidate window, after up to two words of context.
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, matches, start)
    for (i, _) in tokens
        .iter()
        .enumerate()
        .filter(|t| t.1 .2.is_some())
        .take(200)
    {
        let s = i.saturating_sub(2);
        let window = &tokens[s..(s + SNIPPET_TOKENS).min(tokens.len())];
        let mut seen: Vec<usize> = window.iter().filter_map(|t| t.2).collect();
        let matches = seen.len();
        seen.sort_unstable();
        seen.dedup();
        let score = (seen.len(), matches);
        if best.is_none_or(|b| score > (b.0, b.1)) {
            best = Some((score.0, score.1, s));
        }
    }
    let (_, _, s) = best?;
    let e = (s + SNIPPET_TOKENS).min(tokens.len());
    let mut out = String::new();
    if s > 0 {
        out.push('…');
    }
    let mut pos = tokens[s].0;
    for &(ts, te, hit) in &tokens[s..e] {
        if hit.is_some() {
            out.push_str(&text[pos..ts]);
            out.push('[');
            out.push_str(&text[ts..te]);
            out.push(']');
            pos = te;
        }
    }
    let more = e < tokens.len() || !at_end;
    let end = if more { tokens[e - 1].1 } else { text.len() };
    out.push_str(&text[pos..end]);
    if more {
        out.push('…');
    }
    Some(out)
}

/// The terms (one bit each) that may occur in `text`. A term that cannot occur need not be
/// waited for: without this, an `OR` query whose other word is absent from a hit would read
/// the hit's whole text looking for it (a fifth of a two-word search's time).
///
/// A term is ruled out only when it is plain ASCII, the text has no non-ASCII letter (which
/// could fold to ASCII, as `é` does to `e`), and the lower-cased text does not contain it.
fn present_terms(text: &str, terms: &[(String, bool)]) -> u64 {
    let every: u64 = if terms.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << terms.len()) - 1
    };
    let may_fold = !text.is_ascii() && text.chars().any(|c| !c.is_ascii() && c.is_alphanumeric());
    if may_fold || !terms.iter().any(|(w, _)| w.is_ascii()) {
        return every;
    }
    let lower = text.to_ascii_lowercase();
    let mut present = 0;
    for (i, (w, _)) in terms.iter().enumerate().take(64) {
        if !w.is_ascii() || lower.contains(w.as_str()) {
            present |= 1 << i;
        }
    }
    present
}

/// The first [`SNIPPET_TOKENS`] words of `text`, with `…` when it goes on: what FTS5's
/// `snippet()` shows for a column without a match (a hit whose match is in its title).
pub(crate) fn opening(text: &str) -> String {
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let word_char = c.is_alphanumeric();
        if word_char && !in_word {
            if words == SNIPPET_TOKENS {
                return format!("{}…", &text[..i].trim_end());
            }
            words += 1;
        }
        in_word = word_char;
    }
    text.to_string()
}

/// The term `token` matches, comparing folded forms; ASCII tokens are compared in place, so
/// the common case allocates nothing.
fn match_term(token: &str, terms: &[(String, bool)], buf: &mut String) -> Option<usize> {
    if token.is_ascii() {
        return terms.iter().position(|(w, prefix)| {
            if *prefix {
                token.len() >= w.len()
                    && token.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
            } else {
                token.len() == w.len() && token.eq_ignore_ascii_case(w)
            }
        });
    }
    buf.clear();
    fold_into(token, buf);
    terms.iter().position(|(w, prefix)| {
        if *prefix {
            buf.starts_with(w.as_str())
        } else {
            buf == w
        }
    })
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
    fn disjunctions_are_recognised() {
        let d = |q: &str| disjuncts(&to_fts(q).unwrap()).map(|v| v.join("|"));
        assert_eq!(d("harbour").as_deref(), Some(r#""harbour""#));
        assert_eq!(
            d("harbour OR crane* OR \"old port\"").as_deref(),
            Some(r#""harbour"|"crane"*|"old port""#)
        );
        assert_eq!(d("harbour crane"), None, "implicit AND");
        assert_eq!(d("harbour NOT crane"), None);
        assert_eq!(d("harbour AND crane"), None);
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

    #[test]
    fn highlight_terms_skip_excluded_words() {
        let t = |q: &str| highlight_terms(q);
        assert_eq!(
            t("Harbour crane* NOT budget"),
            vec![("harbour".into(), false), ("crane".into(), true)]
        );
        assert_eq!(
            t("\"Iran-Russia\" OR Café"),
            vec![
                ("iran".into(), false),
                ("russia".into(), false),
                ("cafe".into(), false)
            ]
        );
        assert_eq!(t("NOT word"), vec![("word".into(), false)]);
    }

    #[test]
    fn snippets_mark_the_best_window() {
        let terms = highlight_terms("crane harbour");
        let text = "Opening words. The council met. Later the harbour crane broke down, \
                    said the harbour master, and nobody knew why the old machine had failed today.";
        let s = snippet(text, &terms).unwrap();
        assert!(s.starts_with('…'), "{s}");
        assert!(s.contains("[harbour] [crane] broke"), "{s}");
        assert!(s.ends_with('…'), "{s}");
        assert_eq!(snippet_parts(&s).iter().filter(|p| p.0).count(), 3, "{s}");
        assert_eq!(
            snippet("Crane at the start", &terms).unwrap(),
            "[Crane] at the start"
        );
        assert_eq!(
            snippet("Les Cafés ferment.", &highlight_terms("cafe*")).unwrap(),
            "Les [Cafés] ferment."
        );
        assert!(snippet("nothing here", &terms).is_none());
    }

    #[test]
    fn absent_terms_are_not_waited_for() {
        let terms = highlight_terms("harbour OR zebra");
        assert_eq!(present_terms("The harbour crane.", &terms), 0b01);
        assert_eq!(present_terms("No match at all.", &terms), 0);
        assert_eq!(
            present_terms("A Zébra crossing.", &terms),
            0b11,
            "a letter that folds to ASCII keeps every term possible"
        );
        let text = format!(
            "Opening words. The harbour crane broke down today. {}",
            "Later filler sentence goes on. ".repeat(50)
        );
        assert_eq!(
            snippet(&text, &terms).unwrap(),
            "…words. The [harbour] crane broke down today. Later filler sentence goes on…"
        );
        assert!(snippet("No match at all.", &terms).is_none());
    }

    #[test]
    fn openings_are_what_fts5_shows_for_a_column_without_a_match() {
        assert_eq!(
            opening(
                "One two three four five six seven eight nine ten eleven twelve thirteen fourteen."
            ),
            "One two three four five six seven eight nine ten eleven twelve…"
        );
        assert_eq!(opening("Short text here."), "Short text here.");
        assert_eq!(opening(""), "");
    }

    proptest! {
        #[test]
        fn snippets_never_panic_and_quote_the_text(text in "\\PC{0,200}", q in "\\PC{0,20}") {
            let terms = highlight_terms(&q);
            if let Some(s) = snippet(&text, &terms) {
                let plain: String = s.chars().filter(|c| !matches!(c, '[' | ']' | '…')).collect();
                let source: String = text.chars().filter(|c| !matches!(c, '[' | ']' | '…')).collect();
                prop_assert!(source.contains(&plain), "{s:?} not from {text:?}");
            }
        }
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
