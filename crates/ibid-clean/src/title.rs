//! Titles that are not headlines.
//!
//! Scrapers often take a page's first line or `<title>` as the article's title: a widget's
//! prompt, a share button, a date line, a byline or the site's own name. Such a title is
//! recognised by its shape (not by any site's wording) and replaced by the headline found in
//! the article's header, when there is one.

use crate::rules::{byline, is_headline_shape, is_punct_only, is_ui_line, HEADLINE_MAX_WORDS};

/// Why a given title is not a headline, judged on its own, or `None` when it may be one.
pub(crate) fn junk_title(title: &str, outlet: Option<&str>) -> Option<&'static str> {
    let words = title.split(' ').filter(|w| !w.is_empty()).count();
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    let long_word = title
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 3);
    if letters < 4 || !long_word || is_punct_only(title) {
        return Some("no words");
    }
    if is_ui_line(title, words) || title.ends_with(['•', '|', '»', '›', '·']) {
        return Some("page furniture");
    }
    if byline(title, words).is_some() || starts_like_byline(title) {
        return Some("a byline");
    }
    if is_date_line(title) {
        return Some("a date line");
    }
    if outlet.is_some_and(|o| same_name(title, o)) {
        return Some("the outlet's name");
    }
    // Short headlines start with a capital (or a digit or quote); `share`, `comments`,
    // `powered by ...` do not. `iPhone ...` does not count: its second letter is a capital.
    let mut chars = title.chars();
    if let (Some(a), Some(b)) = (chars.next(), chars.next()) {
        if words <= 4 && a.is_lowercase() && !b.is_uppercase() {
            return Some("not headline-shaped");
        }
    }
    None
}

/// A title without a trailing `| Site Name` (or ` - `, ` — `) naming the outlet itself:
/// `Port closes | The Daily Example` -> `Port closes` for `dailyexample.com`.
pub(crate) fn strip_site_suffix(title: &str, outlet: Option<&str>) -> String {
    let Some(outlet) = outlet else {
        return title.to_string();
    };
    for sep in [" | ", " - ", " — ", " – "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if !head.trim().is_empty() && same_name(tail, outlet) {
                return head.trim_end().to_string();
            }
        }
    }
    title.to_string()
}

/// `by Jane Roe - Jul 14, 2018` and the like: a byline the byline rule did not take whole.
fn starts_like_byline(t: &str) -> bool {
    let Some(rest) = t.get(..3).filter(|p| p.eq_ignore_ascii_case("by ")) else {
        return false;
    };
    let _ = rest;
    t[3..].chars().next().is_some_and(char::is_uppercase)
}

/// A line that is a date (with a weekday, or made mostly of date words and numbers):
/// `Monday, May 4th 2020 Weather`, `05/04/2020, 10:00am`.
fn is_date_line(t: &str) -> bool {
    let words: Vec<String> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase()
        })
        .collect();
    if words.is_empty() || words.len() > 8 {
        return false;
    }
    let datey = words
        .iter()
        .filter(|w| {
            w.is_empty()
                || w.bytes().any(|b| b.is_ascii_digit())
                || crate::date::is_calendar_word(w)
                || crate::date::is_calendar_word(w.trim_end_matches('.'))
        })
        .count();
    let weekday_first = crate::date::is_weekday(&words[0]);
    let has_digit = t.bytes().any(|b| b.is_ascii_digit());
    has_digit && (weekday_first || datey * 2 > words.len())
}

/// True when a title is the outlet's own name: `The Daily Example` for `dailyexample.com`.
fn same_name(title: &str, outlet: &str) -> bool {
    let key = |s: &str| -> String {
        let s = s.trim().to_lowercase();
        let s = s.split('/').next().unwrap_or("").to_string();
        let s = s
            .trim_start_matches("www.")
            .trim_end_matches(".com")
            .trim_end_matches(".co.uk")
            .trim_end_matches(".net")
            .trim_end_matches(".org")
            .to_string();
        let s: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
        s.strip_prefix("the").map(str::to_string).unwrap_or(s)
    };
    let (t, o) = (key(title), key(outlet));
    !t.is_empty() && t == o
}

/// Content words of a line: lower-cased words of five letters or more (short words are too
/// common to tell whether a title belongs to a text).
pub(crate) fn content_words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// True when a title shares (almost) none of its content words with the article's body
/// paragraphs: a title taken from somewhere else on the page. Needs at least three content
/// words and some body to judge (a two-word headline such as a column's name may share none).
pub(crate) fn unrelated_to(title: &str, body: &[&str]) -> bool {
    let words = content_words(title);
    if words.len() < 3 || body.is_empty() {
        return false;
    }
    let mut body_words: Vec<String> = body.iter().flat_map(|p| content_words(p)).collect();
    body_words.sort();
    body_words.dedup();
    let shared = words
        .iter()
        .filter(|w| body_words.binary_search(w).is_ok())
        .count();
    shared * 5 < words.len()
}

/// Whether a header line may be taken as the headline when the given title is junk: a
/// headline shape of three words or more that is not itself junk.
/// Longest title taken from a lede, in words (a long headline's length).
const LEDE_TITLE_MAX_WORDS: usize = 14;

/// A title from a cleaned text's first paragraph: its first sentence, cut after
/// [`LEDE_TITLE_MAX_WORDS`] words with `…`; `None` for fewer than three words.
pub(crate) fn from_lede(text: &str) -> Option<String> {
    let para = text.split("\n\n").map(str::trim).find(|p| !p.is_empty())?;
    let mut words: Vec<&str> = Vec::new();
    for w in para.split_whitespace() {
        words.push(w);
        // A sentence ends at `.`, `!` or `?` after a word of more than one letter
        // (`U.S.`, `Jan.` may end one too early; the cut stays a readable title).
        let end = w.ends_with(['.', '!', '?']) && w.trim_end_matches(['.', '!', '?']).len() > 1;
        if end || words.len() > LEDE_TITLE_MAX_WORDS {
            break;
        }
    }
    if words.len() < 3 {
        return None;
    }
    let cut = words.len() > LEDE_TITLE_MAX_WORDS;
    let mut t = words[..words.len().min(LEDE_TITLE_MAX_WORDS)].join(" ");
    if cut {
        t = t.trim_end_matches([',', ';', ':', '—', '-']).to_string();
        t.push('…');
    }
    Some(t)
}

pub(crate) fn may_be_headline(t: &str, words: usize, outlet: Option<&str>) -> bool {
    words >= 3
        && is_headline_shape(t, words, HEADLINE_MAX_WORDS)
        && !t.ends_with('!')
        && junk_title(t, outlet).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_from_the_lede_is_its_first_sentence_cut_short() {
        assert_eq!(
            from_lede("The council met on Monday. It voted.\n\nMore.").as_deref(),
            Some("The council met on Monday.")
        );
        assert_eq!(
            from_lede("one two three four five six seven eight nine ten eleven twelve thirteen, fourteen fifteen").as_deref(),
            Some("one two three four five six seven eight nine ten eleven twelve thirteen, fourteen…")
        );
        assert_eq!(from_lede("\n\nToo short."), None);
    }

    #[test]
    fn junk_titles_are_recognised_by_shape() {
        for (t, outlet) in [
            ("share", None),
            ("Print", None),
            ("B B", None),
            ("(12345)", None),
            ("2 / 14", None),
            ("Enter your email address", None),
            ("Monday, Mar 2nd 2020 7-Day Outlook", None),
            ("by Jane Roe - Mar 1, 2020 9:00 am", None),
            ("By Jane Roe", None),
            ("The Daily Example", Some("dailyexample.com")),
            ("DAILY EXAMPLE", Some("dailyexample.com/news")),
            ("Example Videos •", None),
            ("brought to you by", None),
            ("Scroll to top of page", None),
        ] {
            assert!(junk_title(t, outlet).is_some(), "{t:?} should be junk");
        }
        for t in [
            "Ministers agree on a new port deal",
            "iPhone sales slow in the spring",
            "eBay and the long tail of small sellers",
            "5 things to know about the vote",
            "“We will not move,” mayor says",
            "The Daily Example wins an award for its harbour reporting",
            "Storm closes schools on Monday, March 2",
            "Front page of the budget",
        ] {
            assert_eq!(junk_title(t, Some("dailyexample.com")), None, "{t:?}");
        }
    }

    #[test]
    fn site_names_are_cut_from_titles() {
        let o = Some("dailyexample.com");
        assert_eq!(
            strip_site_suffix("Port closes | The Daily Example", o),
            "Port closes"
        );
        assert_eq!(
            strip_site_suffix("Port closes - Daily Example", o),
            "Port closes"
        );
        assert_eq!(
            strip_site_suffix("Port closes | Harbour news", o),
            "Port closes | Harbour news"
        );
        assert_eq!(strip_site_suffix("Daily Example", o), "Daily Example");
        assert_eq!(
            strip_site_suffix("Port closes | The Daily Example", None),
            "Port closes | The Daily Example"
        );
    }

    #[test]
    fn unrelated_titles_share_no_content_words() {
        let body = [
            "The harbour council voted on Monday to close the old ferry terminal.",
            "Members said the terminal had lost money for a decade.",
        ];
        assert!(unrelated_to(
            "Learn more about commenting guidelines here",
            &body
        ));
        assert!(!unrelated_to("Council closes ferry terminal", &body));
        assert!(!unrelated_to("Closed", &body), "too short to judge");
        assert!(!unrelated_to("Happy Endings", &body), "too short to judge");
    }
}
