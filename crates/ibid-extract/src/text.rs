//! Tokens and sentences over the cleaned text.
//!
//! Hand-written rather than a general tokenizer crate: extraction needs only a few decisions
//! (quote marks, possessives, abbreviations, paragraph breaks) and must run at thousands of
//! articles per second, so one pass over the chars with offsets kept is enough.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters/digits, possibly with inner hyphens, apostrophes or dots.
    Word,
    /// An opening double quote mark (“ „ «).
    OpenQ,
    /// A closing double quote mark (” »).
    CloseQ,
    /// A straight double quote mark, direction decided by pairing.
    AmbQ,
    /// An opening single quote mark (`‘`, or `'` starting a word): headlines and nested
    /// quotes.
    OpenSQ,
    /// The single mark that closes an [`Kind::OpenSQ`] of the same paragraph.
    CloseSQ,
    /// A possessive suffix split off a word (`’s`, `'s`, or a lone `’` after a plural).
    Poss,
    /// A paragraph break (a line break in the cleaned text).
    Para,
    /// Any other single character.
    Punct,
}

/// Lower-cases `src` char by char, keeping every char's UTF-8 length (a char whose lower case
/// differs in length stays as it is), so byte offsets of `src` hold in the result. Tokens then
/// borrow their lower-case form instead of allocating one each.
pub fn lower_same_len(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for c in src.chars() {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) if x.len_utf8() == c.len_utf8() => out.push(x),
            _ => out.push(c),
        }
    }
    out
}

/// One token: byte and code-point offsets into the cleaned text.
#[derive(Debug, Clone)]
pub struct Tok<'a> {
    /// Byte start.
    pub s: usize,
    /// Byte end.
    pub e: usize,
    /// Code-point start.
    pub cs: usize,
    /// Code-point end.
    pub ce: usize,
    /// Token kind.
    pub kind: Kind,
    /// Lower-cased text.
    pub low: &'a str,
    /// First letter is upper case (or a lower-case particle joined by hyphen to a capital, as
    /// in `al-Assad`).
    pub cap: bool,
    /// Two or more letters, all upper case.
    pub caps: bool,
}

impl Tok<'_> {
    /// The token text.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.s..self.e]
    }
    /// True for a word token.
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
    /// True when this is the punctuation char `c`.
    pub fn is_p(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.low.starts_with(c) && self.low.chars().count() == 1
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `src` into tokens.
pub fn tokenize<'a>(src: &'a str, lower: &'a str) -> Vec<Tok<'a>> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let n = chars.len();
    let byte_at = |i: usize| if i < n { chars[i].0 } else { src.len() };
    let mut out = Vec::with_capacity(n / 5);
    let mut i = 0;
    // An opening single quote waits for its closing mark until the paragraph ends; a `’`
    // after a word is then the closing mark rather than an apostrophe.
    let mut sq_open = false;
    while i < n {
        let c = chars[i].1;
        if c.is_whitespace() {
            let st = i;
            let mut nl = false;
            while i < n && chars[i].1.is_whitespace() {
                nl |= chars[i].1 == '\n';
                i += 1;
            }
            if nl {
                out.push(mk(src, lower, &byte_at, st, i, Kind::Para));
                sq_open = false;
            }
            continue;
        }
        if matches!(c, '‘' | '\'') && !(i + 1 < n && chars[i + 1].1 == '\'') {
            let prev_ok = i == 0 || !is_word_char(chars[i - 1].1);
            let next_word = i + 1 < n && is_word_char(chars[i + 1].1);
            if prev_ok && next_word && (c == '‘' || i == 0 || chars[i - 1].1.is_whitespace()) {
                out.push(mk(src, lower, &byte_at, i, i + 1, Kind::OpenSQ));
                sq_open = true;
                i += 1;
                continue;
            }
        }
        if sq_open
            && matches!(c, '’' | '\'')
            && i > 0
            && !chars[i - 1].1.is_whitespace()
            && !(i + 1 < n && is_word_char(chars[i + 1].1))
        {
            out.push(mk(src, lower, &byte_at, i, i + 1, Kind::CloseSQ));
            sq_open = false;
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let st = i;
            i += 1;
            loop {
                while i < n && is_word_char(chars[i].1) {
                    i += 1;
                }
                // Inner joiners: al-Assad, don't, U.S, 3.5, AT&T.
                if i + 1 < n
                    && matches!(chars[i].1, '-' | '\'' | '’' | '.' | '&' | '‑')
                    && is_word_char(chars[i + 1].1)
                {
                    // A possessive `’s` at the end is split off below, so stop before it.
                    let poss = matches!(chars[i].1, '\'' | '’')
                        && matches!(chars[i + 1].1, 's' | 'S')
                        && (i + 2 >= n || !is_word_char(chars[i + 2].1));
                    if poss {
                        break;
                    }
                    i += 1;
                    continue;
                }
                break;
            }
            // `U.S.`: single letters joined by dots keep their final dot.
            if i < n && chars[i].1 == '.' && i - st >= 3 {
                let w = &src[chars[st].0..chars[i].0];
                if w.split('.')
                    .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
                {
                    i += 1;
                }
            }
            out.push(mk(src, lower, &byte_at, st, i, Kind::Word));
            // Possessive.
            if i + 1 < n
                && matches!(chars[i].1, '\'' | '’')
                && matches!(chars[i + 1].1, 's' | 'S')
                && (i + 2 >= n || !is_word_char(chars[i + 2].1))
            {
                out.push(mk(src, lower, &byte_at, i, i + 2, Kind::Poss));
                i += 2;
            } else if i < n
                && !sq_open
                && matches!(chars[i].1, '\'' | '’')
                && chars[i - 1].1 == 's'
                && (i + 1 >= n || !is_word_char(chars[i + 1].1) && chars[i + 1].1 != '\'')
            {
                out.push(mk(src, lower, &byte_at, i, i + 1, Kind::Poss));
                i += 1;
            }
            continue;
        }
        // Two straight apostrophes (or backticks) stand for a double quote mark in some wire
        // feeds: ''Yes,'' he said.
        if (c == '\'' || c == '`') && i + 1 < n && chars[i + 1].1 == c {
            let kind = if c == '`' { Kind::OpenQ } else { Kind::AmbQ };
            out.push(mk(src, lower, &byte_at, i, i + 2, kind));
            i += 2;
            continue;
        }
        let kind = match c {
            '“' | '„' | '«' => Kind::OpenQ,
            '”' | '»' => Kind::CloseQ,
            '"' => Kind::AmbQ,
            _ => Kind::Punct,
        };
        out.push(mk(src, lower, &byte_at, i, i + 1, kind));
        i += 1;
    }
    out
}

fn mk<'a>(
    src: &'a str,
    lower: &'a str,
    byte_at: &impl Fn(usize) -> usize,
    cs: usize,
    ce: usize,
    kind: Kind,
) -> Tok<'a> {
    let s = byte_at(cs);
    let e = byte_at(ce);
    let t = &src[s..e];
    let (low, cap, caps) = if kind == Kind::Word {
        let low = &lower[s..e];
        let first = t.chars().next().unwrap_or(' ');
        let mut cap = first.is_uppercase();
        if !cap {
            // al-Assad, ez-Zor, bin-Laden
            if let Some(pos) = t.find('-') {
                let pre = &t[..pos];
                if pre.len() <= 3 && t[pos + 1..].chars().next().is_some_and(char::is_uppercase) {
                    cap = true;
                }
            }
        }
        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        let caps = letters >= 2
            && t.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
        (low, cap, caps)
    } else if kind == Kind::Para {
        ("\n", false, false)
    } else {
        (t, false, false)
    };
    Tok {
        s,
        e,
        cs,
        ce,
        kind,
        low,
        cap,
        caps,
    }
}

/// Abbreviations after which a period does not end a sentence.
const ABBREV: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sen", "rep", "gov", "st", "jr", "sr", "prof",
    "inc", "corp", "co", "ltd", "vs", "no", "jan", "feb", "apr", "aug", "sep", "sept", "oct",
    "nov", "dec", "rev", "sgt", "capt", "maj", "adm", "pres", "ft", "mt", "gens", "reps", "sens",
    "u.s", "messrs", "cmdr", "brig", "e.g", "i.e", "etc", "approx", "dept", "univ", "assn",
];

/// True when the token is an abbreviation that takes a period.
pub fn is_abbrev(t: &Tok) -> bool {
    t.is_word() && (ABBREV.contains(&t.low) || (t.low.chars().count() == 1 && t.cap))
}

/// Sentence ranges `[start, end)` in token indices. Paragraph breaks always end a sentence.
pub fn sentences(toks: &[Tok<'_>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut st = 0;
    let n = toks.len();
    let mut i = 0;
    while i < n {
        let t = &toks[i];
        if t.kind == Kind::Para {
            if i > st {
                out.push((st, i));
            }
            st = i + 1;
            i += 1;
            continue;
        }
        if t.kind == Kind::Punct && matches!(t.low, "." | "!" | "?") {
            if t.low == "." && i > 0 && is_abbrev(&toks[i - 1]) && toks[i - 1].e == t.s {
                i += 1;
                continue;
            }
            // Closing quotes and brackets stay with the sentence they close.
            let mut j = i + 1;
            while j < n
                && (matches!(toks[j].kind, Kind::CloseQ | Kind::CloseSQ)
                    || (toks[j].kind == Kind::AmbQ && toks[j].s == toks[j - 1].e)
                    || toks[j].is_p(')')
                    || toks[j].is_p('’'))
            {
                j += 1;
            }
            let next_ok = j >= n
                || toks[j].cap
                || toks[j].kind == Kind::Para
                || matches!(toks[j].kind, Kind::OpenQ | Kind::AmbQ | Kind::OpenSQ)
                || toks[j].low.chars().next().is_some_and(|c| c.is_numeric());
            if next_ok {
                out.push((st, j));
                st = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if st < n {
        out.push((st, n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_possessive_and_keeps_joined_words() {
        let s = "Iran’s al-Assad met U.S. envoys' staff.";
        let l = lower_same_len(s);
        let t = tokenize(s, &l);
        let texts: Vec<&str> = t.iter().map(|x| x.text(s)).collect();
        assert_eq!(
            texts,
            vec!["Iran", "’s", "al-Assad", "met", "U.S.", "envoys", "'", "staff", "."]
        );
        assert!(t[2].cap);
        assert_eq!(t[1].kind, Kind::Poss);
        assert_eq!(t[6].kind, Kind::Poss);
    }

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        let s = "Mr. Smith said “Go.” He left.\nNew para";
        let l = lower_same_len(s);
        let t = tokenize(s, &l);
        let ss = sentences(&t);
        assert_eq!(ss.len(), 3);
        assert_eq!(t[ss[0].1 - 1].kind, Kind::CloseQ);
    }

    #[test]
    fn doubled_apostrophes_are_quote_marks() {
        let s = "''We won,'' the voters'' ''yes";
        let l = lower_same_len(s);
        let t = tokenize(s, &l);
        let kinds: Vec<Kind> = t.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::AmbQ,
                Kind::Word,
                Kind::Word,
                Kind::Punct,
                Kind::AmbQ,
                Kind::Word,
                Kind::Word,
                Kind::AmbQ,
                Kind::AmbQ,
                Kind::Word
            ]
        );
    }

    #[test]
    fn single_quote_marks_pair_but_apostrophes_stay() {
        let s = "It’s ‘in Their Heads.’ Voters’ 'Terrifying' don't";
        let l = lower_same_len(s);
        let t = tokenize(s, &l);
        let kinds: Vec<(String, Kind)> =
            t.iter().map(|x| (x.text(s).to_string(), x.kind)).collect();
        let of = |k: Kind| kinds.iter().filter(|x| x.1 == k).count();
        assert_eq!(of(Kind::OpenSQ), 2, "{kinds:?}");
        assert_eq!(of(Kind::CloseSQ), 2, "{kinds:?}");
        assert!(kinds.iter().any(|x| x.0 == "don't"));
        assert!(kinds.iter().any(|x| x.0 == "’" && x.1 == Kind::Poss));
    }

    #[test]
    fn char_offsets_count_code_points() {
        let s = "“Ä b”";
        let l = lower_same_len(s);
        let t = tokenize(s, &l);
        assert_eq!((t[1].cs, t[1].ce), (1, 2));
        assert_eq!((t[3].cs, t[3].ce), (4, 5));
    }
}
