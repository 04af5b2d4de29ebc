//! Turning what a person types into a safe FTS5 query, and reading FTS5 snippets back.
//!
//! FTS5's query syntax makes ordinary input fail (`Iran-Russia`, `U.S.`, an unbalanced quote).
//! So the box speaks a small, forgiving language: words are ANDed, `"a phrase"` is a phrase,
//! a hyphenated or dotted word is a phrase of its parts, `word*` is a prefix, and `OR` / `NOT`
//! between terms work as in FTS5. Everything else is dropped. Every emitted term is a quoted
//! string of letters and digits only, so no input can produce a syntax error.

/// Longest search accepted, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 1000;

/// Most terms (words, phrases and prefixes, `NOT` ones included) in one search.
pub(crate) const MAX_TERMS: usize = 24;

/// Most words over all of a search's terms (a phrase counts each of its words).
pub(crate) const MAX_WORDS: usize = 48;

/// Most prefix terms (`word*`) in one search.
pub(crate) const MAX_PREFIX_TERMS: usize = 4;

/// Fewest characters before a prefix's `*`.
pub(crate) const MIN_PREFIX_CHARS: usize = 2;

/// Checks that a search is within what one request may cost, or says why not.
///
/// FTS5 has no cost limit of its own: every term is a posting list read and merged, a prefix
/// term is the union of every indexed word it starts (all words starting with `e`, say), and
/// the work cannot be interrupted inside one term's merge. On the 37.5k-article AllSides store
/// 7,000 ANDed one-letter prefixes ran for minutes and drove the server past 20 GB, and 257
/// `NOT` terms overflowed FTS5's expression tree (an HTTP 500). The caps bound each request's
/// work to a few posting lists; the request budget (see `db::Db::read`) bounds its time.
pub(crate) fn check_bounds(input: &str) -> Result<(), String> {
    let chars = input.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(format!(
            "the search is {chars} characters long; at most {MAX_QUERY_CHARS} are allowed"
        ));
    }
    let (mut terms, mut words, mut prefixes) = (0usize, 0usize, 0usize);
    for chunk in chunks(input) {
        let Chunk::Term { words: w, prefix } = chunk else {
            continue;
        };
        if w.is_empty() {
            continue;
        }
        terms += 1;
        words += w.len();
        if prefix {
            prefixes += 1;
            let last = &w[w.len() - 1];
            if last.chars().count() < MIN_PREFIX_CHARS {
                return Err(format!(
                    "the prefix {last}* is too short: a prefix needs at least \
                     {MIN_PREFIX_CHARS} letters before the *"
                ));
            }
        }
    }
    if terms > MAX_TERMS {
        return Err(format!(
            "the search has {terms} terms; at most {MAX_TERMS} are allowed (words, phrases \
             and prefixes, NOT terms included)"
        ));
    }
    if words > MAX_WORDS {
        return Err(format!(
            "the search has {words} words; at most {MAX_WORDS} are allowed"
        ));
    }
    if prefixes > MAX_PREFIX_TERMS {
        return Err(format!(
            "the search has {prefixes} prefix terms (word*); at most {MAX_PREFIX_TERMS} are \
             allowed"
        ));
    }
    Ok(())
}

/// The FTS5 query a search box input becomes, after [`check_bounds`]: `Ok(None)` when it
/// has no searchable word, `Err` with the reason when it asks too much. What the server runs;
/// public so that it can be fuzzed (`fuzz/`).
pub fn search_to_fts(input: &str) -> Result<Option<String>, String> {
    check_bounds(input)?;
    Ok(to_fts(input))
}

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

/// Words of context a snippet shows before the match that opens it.
const SNIPPET_LEAD: usize = 2;

/// Matches that may open a snippet: the window is chosen among the first this many.
const SNIPPET_CANDIDATES: usize = 200;

/// Word counts between matches are needed only up to here: a window spans fewer words.
const GAP_CAP: usize = SNIPPET_TOKENS + SNIPPET_LEAD + 2;

/// A word of a text that a query term matches: byte range and the term's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WordHit {
    start: usize,
    end: usize,
    term: usize,
}

/// A snippet of `text` around the best cluster of `terms` (see [`highlight_terms`]), matches
/// wrapped in `[` `]` and cuts marked `…`, in the format of FTS5's `snippet()`; `None` when no
/// word of `text` matches. The window is [`SNIPPET_TOKENS`] words starting two words before
/// one of the first [`SNIPPET_CANDIDATES`] matches: the one holding the most distinct terms,
/// then the most matches, the earliest on ties (FTS5 scores its fragments alike).
///
/// Written here rather than asking FTS5 because `snippet()` re-tokenizes and scores every
/// fragment of the document through the virtual table (about 150 µs an article on the bench
/// machine, the largest part of a search). This does not tokenize the text either: matches are
/// found by substring search (see [`word_hits`]) and words are counted only between matches
/// that could share a window, so an `OR` query whose other word is absent from a hit costs a
/// pass of `memmem` rather than a decoding of every word of the article.
pub(crate) fn snippet(text: &str, terms: &[(String, bool)]) -> Option<String> {
    // Highlighting looks at 64 distinct words at most (one bit each).
    let terms = &terms[..terms.len().min(64)];
    let hits = word_hits(text, terms, SNIPPET_CANDIDATES + SNIPPET_TOKENS);
    if hits.is_empty() {
        return None;
    }
    // Word index of each match, counted with gaps capped at GAP_CAP: exact for every
    // comparison a window makes (spans of fewer than GAP_CAP words).
    let mut at = Vec::with_capacity(hits.len());
    let mut prev_end = 0;
    let mut index = 0;
    for (k, h) in hits.iter().enumerate() {
        let gap = count_words(&text[prev_end..h.start], GAP_CAP);
        index += if k == 0 { gap } else { gap + 1 };
        at.push(index);
        prev_end = h.end;
    }
    // (distinct terms, matches, candidate) of the best window so far.
    let mut best: Option<(u32, usize, usize)> = None;
    for j in 0..hits.len().min(SNIPPET_CANDIDATES) {
        let first = at[j].saturating_sub(SNIPPET_LEAD);
        let last = first + SNIPPET_TOKENS; // exclusive
        let mut mask = 0u64;
        let mut matches = 0;
        for k in (0..j)
            .rev()
            .take_while(|&k| at[k] >= first)
            .chain(j..hits.len())
        {
            if at[k] >= last {
                break;
            }
            mask |= 1 << hits[k].term;
            matches += 1;
        }
        let score = (mask.count_ones(), matches);
        if best.is_none_or(|b| score > (b.0, b.1)) {
            best = Some((score.0, score.1, j));
        }
    }
    let (_, _, j) = best?;
    // The window's words: back from the opening match, then forward.
    let lead = at[j].min(SNIPPET_LEAD);
    let mut start = hits[j].start;
    for _ in 0..lead {
        start = word_before(text, start).map_or(start, |w| w.0);
    }
    let mut words: Vec<(usize, usize, bool)> = Vec::with_capacity(SNIPPET_TOKENS);
    let mut buf = String::new();
    let mut pos = start;
    while words.len() < SNIPPET_TOKENS {
        let Some((s, e)) = word_after(text, pos) else {
            break;
        };
        words.push((s, e, match_term(&text[s..e], terms, &mut buf).is_some()));
        pos = e;
    }
    let mut out = String::new();
    if word_before(text, start).is_some() {
        out.push('…');
    }
    let mut pos = start;
    for &(ws, we, hit) in &words {
        if hit {
            out.push_str(&text[pos..ws]);
            out.push('[');
            out.push_str(&text[ws..we]);
            out.push(']');
            pos = we;
        }
    }
    let last_end = words.last().map_or(start, |w| w.1);
    let more = word_after(text, last_end).is_some();
    let end = if more { last_end } else { text.len() };
    out.push_str(&text[pos..end]);
    if more {
        out.push('…');
    }
    Some(out)
}

/// Whether the character at byte `i` of `text` belongs to a word (a run of letters and
/// digits, as FTS5's unicode61 tokenizer sees it), and its width; `None` past the end.
fn char_at(text: &str, i: usize) -> Option<(bool, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b.is_ascii() {
        return Some((b.is_ascii_alphanumeric(), 1));
    }
    text[i..]
        .chars()
        .next()
        .map(|c| (c.is_alphanumeric(), c.len_utf8()))
}

/// The byte range of the first word starting at or after byte `from`.
fn word_after(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    let start = loop {
        let (word, width) = char_at(text, i)?;
        if word {
            break i;
        }
        i += width;
    };
    Some((start, word_end(text, start)))
}

/// Where the word that starts at byte `start` ends.
fn word_end(text: &str, start: usize) -> usize {
    let mut i = start;
    while let Some((true, width)) = char_at(text, i) {
        i += width;
    }
    i
}

/// The byte range of the last word ending at or before byte `to`.
fn word_before(text: &str, to: usize) -> Option<(usize, usize)> {
    let head = &text[..to];
    let mut chars = head.char_indices().rev();
    let end = loop {
        let (i, c) = chars.next()?;
        if c.is_alphanumeric() {
            break i + c.len_utf8();
        }
    };
    let mut start = end;
    for (i, c) in head[..end].char_indices().rev() {
        if !c.is_alphanumeric() {
            break;
        }
        start = i;
    }
    Some((start, end))
}

/// The first byte at or after `from` that is not ASCII. Checked 32 bytes at a time (the
/// standard library's `is_ascii` is word-at-a-time): news text is mostly ASCII with a curly
/// quote every few hundred bytes, and a byte-by-byte scan was a tenth of a search's time.
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut offset = 0;
    for chunk in rest.chunks(32) {
        if !chunk.is_ascii() {
            return chunk
                .iter()
                .position(|b| !b.is_ascii())
                .map(|i| from + offset + i);
        }
        offset += chunk.len();
    }
    None
}

/// The words in `text` (whole, up to `cap`).
fn count_words(text: &str, cap: usize) -> usize {
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while let Some((word, width)) = char_at(text, i) {
        if word && !in_word {
            n += 1;
            if n >= cap {
                return n;
            }
        }
        in_word = word;
        i += width;
    }
    n
}

/// The words of `text` that `terms` match ([`match_term`]), in text order, at least the first
/// `want` of them (a few more may come).
///
/// Found without tokenizing the text: every word that folds to an ASCII term and is itself
/// ASCII contains the term's bytes, case aside, at its start, so a substring search of the
/// ASCII-lower-cased text finds it; every other matching word contains a non-ASCII letter
/// (a term that folds to non-ASCII, or `Café` for `cafe`), so the words around the text's
/// non-ASCII letters are the only others to check.
fn word_hits(text: &str, terms: &[(String, bool)], want: usize) -> Vec<WordHit> {
    let mut hits = Vec::new();
    let mut buf = String::new();
    let mut check = |start: usize, hits: &mut Vec<WordHit>| -> usize {
        let end = word_end(text, start);
        if let Some(term) = match_term(&text[start..end], terms, &mut buf) {
            hits.push(WordHit { start, end, term });
        }
        end
    };
    let starts_word = |i: usize| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    let lower = text.to_ascii_lowercase();
    for (w, _) in terms.iter().filter(|(w, _)| w.is_ascii() && !w.is_empty()) {
        let mut found = 0;
        for i in memchr::memmem::find_iter(lower.as_bytes(), w.as_bytes()) {
            // Occurrences inside a word are not matches of it.
            if starts_word(i) {
                let before = hits.len();
                check(i, &mut hits);
                found += hits.len() - before;
                if found >= want {
                    break;
                }
            }
        }
    }
    if !text.is_ascii() {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut found = 0;
        while let Some(at) = next_non_ascii(bytes, i) {
            i = at;
            let Some((word, width)) = char_at(text, i) else {
                break;
            };
            if !word {
                i += width;
                continue;
            }
            let start = word_before(text, i).map_or(i, |(s, e)| if e == i { s } else { i });
            let before = hits.len();
            i = check(start, &mut hits);
            found += hits.len() - before;
            if found >= want {
                break;
            }
        }
    }
    hits.sort_unstable_by_key(|h| h.start);
    hits.dedup_by_key(|h| h.start);
    hits
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
    fn absent_terms_and_accented_words() {
        let terms = highlight_terms("harbour OR zebra");
        let text = format!(
            "Opening words. The harbour crane broke down today. {}",
            "Later filler sentence goes on. ".repeat(50)
        );
        assert_eq!(
            snippet(&text, &terms).unwrap(),
            "…words. The [harbour] crane broke down today. Later filler sentence goes on…"
        );
        assert!(snippet("No match at all.", &terms).is_none());
        assert!(snippet("The harbourmaster and a zebrafish.", &terms).is_none());
        assert_eq!(
            snippet("Un Zébra, le harbour de Café Zebra.", &terms).unwrap(),
            "Un [Zébra], le [harbour] de Café [Zebra]."
        );
        assert_eq!(
            snippet("Москва и Ленинград", &highlight_terms("ленинград")).unwrap(),
            "Москва и [Ленинград]"
        );
    }

    /// The snippet as defined, by tokenizing the whole text: what [`snippet`] must equal.
    fn reference_snippet(text: &str, terms: &[(String, bool)]) -> Option<String> {
        let mut buf = String::new();
        let mut tokens: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric() && i < text.len(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    tokens.push((s, i, match_term(&text[s..i], terms, &mut buf)));
                    start = None;
                }
                _ => {}
            }
        }
        let mut best: Option<(usize, usize, usize)> = None;
        for (i, _) in tokens
            .iter()
            .enumerate()
            .filter(|t| t.1 .2.is_some())
            .take(SNIPPET_CANDIDATES)
        {
            let s = i.saturating_sub(SNIPPET_LEAD);
            let window = &tokens[s..(s + SNIPPET_TOKENS).min(tokens.len())];
            let mut seen: Vec<usize> = window.iter().filter_map(|t| t.2).collect();
            let matches = seen.len();
            seen.sort_unstable();
            seen.dedup();
            if best.is_none_or(|b| (seen.len(), matches) > (b.0, b.1)) {
                best = Some((seen.len(), matches, s));
            }
        }
        let (_, _, s) = best?;
        let e = (s + SNIPPET_TOKENS).min(tokens.len());
        let mut out = String::from(if s > 0 { "…" } else { "" });
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
        let more = e < tokens.len();
        out.push_str(&text[pos..if more { tokens[e - 1].1 } else { text.len() }]);
        if more {
            out.push('…');
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn snippets_equal_the_tokenizing_definition(
            text in "([a-cé]{1,4}|Ab|ÉB|д|[ .,—']{1,3}|ß|1){0,120}",
            q in "([a-cé]{1,3}\\*?|Ab|ÉB|д|OR|NOT| ){0,8}",
        ) {
            let terms = highlight_terms(&q);
            prop_assert_eq!(snippet(&text, &terms), reference_snippet(&text, &terms), "query {:?}", q);
        }
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

    #[test]
    fn costly_searches_are_refused_with_the_reason() {
        let letters: Vec<String> = (0..7000)
            .map(|i| format!("{}*", (b'a' + (i % 26) as u8) as char))
            .collect();
        let err = search_to_fts(&letters.join(" ")).unwrap_err();
        assert!(err.contains("20999 characters long"), "{err}");
        let err = search_to_fts(&letters[..20].join(" ")).unwrap_err();
        assert!(err.contains("a* is too short"), "{err}");
        let prefixes: Vec<String> = (0..7000).map(|i| format!("w{i}*")).collect();
        let err = check_bounds(&prefixes[..10].join(" ")).unwrap_err();
        assert!(err.contains("10 prefix terms"), "{err}");
        let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let err = check_bounds(&words.join(" ")).unwrap_err();
        assert!(err.contains("200 terms"), "{err}");
        let err = check_bounds(&prefixes.join(" ")).unwrap_err();
        assert!(err.contains("characters long"), "{err}");
        let phrase = format!("\"{}\"", vec!["word"; 60].join(" "));
        assert!(check_bounds(&phrase).unwrap_err().contains("60 words"));
        assert!(check_bounds("harbour crane* NOT \"broke down\" OR talks").is_ok());
    }

    /// 257 `NOT` terms overflowed FTS5's expression tree ("fts5 expression tree is too
    /// large", an HTTP 500); within the caps no accepted query can.
    #[test]
    fn many_not_terms_are_refused_before_fts5_sees_them() {
        let c = fts();
        let nots: String = (0..130)
            .map(|i| format!(" NOT {}", (b'a' + i % 26) as char))
            .collect();
        let q = format!("crane{nots}");
        assert!(search_to_fts(&q).unwrap_err().contains("131 terms"));
        let nots: String = (0..300).map(|i| format!(" NOT w{i}")).collect();
        assert!(search_to_fts(&format!("crane{nots}")).is_err());
        let most: String = (0..MAX_TERMS - 1).map(|i| format!(" NOT w{i}")).collect();
        let fts_q = search_to_fts(&format!("crane{most}")).unwrap().unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&fts_q], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1);
    }
}
