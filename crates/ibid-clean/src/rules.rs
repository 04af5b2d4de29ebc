//! General line rules: page furniture, codes, bylines, datelines, headline shapes.
//!
//! Every predicate takes a normalised line (see [`crate::normalize`]). They are deliberately
//! conservative: a line is furniture only when *all* of it looks like furniture; a body line
//! that merely contains a UI word is never matched.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// Longest line (in words) that the UI-vocabulary rule may remove.
pub(crate) const UI_MAX_WORDS: usize = 6;
/// Longest line (in words) that a UI phrase (`please enter your ...`) may remove.
pub(crate) const PHRASE_MAX_WORDS: usize = 25;
/// Longest line (in words) that can be a headline (title, subhead candidate in the header).
pub(crate) const HEADLINE_MAX_WORDS: usize = 25;
/// Longest subhead inside the body, in words.
pub(crate) const SUBHEAD_MAX_WORDS: usize = 15;
/// Longest line (in words) that counts as "short" for the repeated-line rule.
pub(crate) const SHORT_MAX_WORDS: usize = 20;
/// Standfirst bounds, in words: long enough that a prefix match is no accident.
pub(crate) const STANDFIRST_MIN_WORDS: usize = 5;
pub(crate) const STANDFIRST_MAX_WORDS: usize = 60;
/// A body paragraph has at least this many words and ends a sentence.
pub(crate) const BODY_MIN_WORDS: usize = 6;

/// Words that are page furniture on their own: navigation, sharing, comment and sign-up UI.
const UI_WORDS: &[&str] = &[
    "ad",
    "ads",
    "advertisement",
    "advertising",
    "app",
    "apps",
    "archive",
    "article",
    "articles",
    "back",
    "below",
    "bookmark",
    "breaking",
    "caption",
    "click",
    "close",
    "collapse",
    "comment",
    "comments",
    "contact",
    "content",
    "continue",
    "continued",
    "cookie",
    "cookies",
    "copy",
    "copyright",
    "download",
    "e-mail",
    "edit",
    "email",
    "embed",
    "enlarge",
    "expand",
    "facebook",
    "feed",
    "follow",
    "full",
    "fullscreen",
    "gallery",
    "go",
    "headlines",
    "hide",
    "home",
    "image",
    "images",
    "instagram",
    "latest",
    "like",
    "link",
    "linkedin",
    "listen",
    "loading",
    "log",
    "login",
    "menu",
    "more",
    "mute",
    "news",
    "newsletter",
    "newsletters",
    "next",
    "panel",
    "photo",
    "photos",
    "pinterest",
    "popular",
    "post",
    "previous",
    "print",
    "privacy",
    "read",
    "reading",
    "recommended",
    "reddit",
    "register",
    "related",
    "replay",
    "replies",
    "reply",
    "rss",
    "save",
    "search",
    "see",
    "share",
    "shares",
    "sign",
    "signup",
    "skip",
    "sponsored",
    "stories",
    "story",
    "subscribe",
    "subscription",
    "tags",
    "telegram",
    "toggle",
    "top",
    "trending",
    "tweet",
    "twitter",
    "unmute",
    "updated",
    "video",
    "videos",
    "view",
    "watch",
    "whatsapp",
    "youtube",
];

/// Words that may appear in a furniture line without making it prose ("Share *this*", "Follow
/// *us on* Twitter", "*Your* Comment").
const FUNCTION_WORDS: &[&str] = &[
    "a", "all", "also", "an", "and", "at", "by", "for", "from", "here", "in", "it", "me", "my",
    "now", "of", "on", "or", "our", "the", "this", "to", "up", "us", "via", "we", "with", "you",
    "your",
];

/// Leading glyphs of navigation and link rows: a short line after one of them is a link.
const NAV_GLYPHS: &[char] = &['›', '»', '▶', '►', '→', '⟩', '|'];
/// Bullets: they also start real list items ("• Texas: 103,671"), so a bulleted line is
/// furniture only when its words are UI words.
const BULLETS: &[char] = &['•', '‣', '▪', '■', '◦'];

/// Whole-line UI phrases (case-insensitive), for lines of at most [`PHRASE_MAX_WORDS`] words.
/// Word boundaries are ASCII (`(?-u:\b)`): Unicode ones make the regex engine fall back from
/// its DFA to a slow NFA simulation on any line with a curly quote.
static UI_PHRASES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?i)^please (enter|provide|fill in|type|log ?in|sign ?in|reload|refresh|enable|try again|wait)(?-u:\b)",
        r"(?i)captcha",
        r"(?i)(?-u:\b)all rights reserved(?-u:\b)",
        r"(?i)^(we|this (web ?)?site|our (web ?)?site|this page) (uses?|may use) cookies(?-u:\b)",
        r"(?i)^by (continuing|using) (to use )?(this|our) (web ?)?site(?-u:\b)",
        r"(?i)^(sign up|subscribe|register) (for|to) (our|the|a)(?-u:\b).*(?-u:\b)newsletters?(?-u:\b)",
        r"(?i)^(click|tap) here(?-u:\b)",
        r"(?i)^(you must be logged in|comments are closed|leave a (comment|reply)|your email address will not be published|required fields are marked)",
        r"(?i)^(javascript is (disabled|required)|enable javascript)",
        r"(?i)^(\d+|an?|one) (second|minute|hour|day|week|month|year)s? ago$",
        // Link and widget furniture: "These are external links and will open in a new window",
        // "You may also want to view these photo galleries:", gallery counters "1 of 12".
        r"(?i)(?-u:\b)opens? in a new (window|tab)(?-u:\b)",
        r"(?i)(?-u:\b)you (may|might) also (like|want to|be interested)(?-u:\b)",
        r"^\d+ (of|/) \d+$",
        // Sign-up pitches: "Sign up for X and get the latest news ... in your inbox",
        // "You can unsubscribe at any time", "Today's Headlines Newsletter".
        r"(?i)^(sign up|subscribe|register)(?-u:\b).*(?-u:\b)(newsletters?|inbox|e-?mails?)(?-u:\b)",
        r"(?i)(?-u:\b)unsubscribe at any time(?-u:\b)",
        r"(?i)(?-u:\b)with a (digital )?subscription, you",
        r"(?i)^[^.!?]{0,60}(?-u:\b)newsletters?\.?$",
        // Account and location widgets.
        r"(?i)^you are (now )?(signed|logged) in(?-u:\b)",
        r"(?i)^enter (your )?(city|zip|postal code|location|e-?mail address)(?-u:\b)",
        r"(?i)^your (weather|location) is set to(?-u:\b)",
        // Weather widgets: "High 91F. Winds N at 5 to 10 mph."
        r"(?i)(?-u:\b)(high|low) (near |around )?-?\d+ ?°?[FC](?-u:\b).*(?-u:\b)winds? ",
        r"(?i)(?-u:\b)winds? ([NSEW]{1,3}|north|south|east|west|light and variable)(?-u:\b).*(?-u:\b)\d+ (to \d+ )?(mph|km/h)(?-u:\b)",
        // Photo labels: "Image caption ...", "Image copyright Agency", "Photo by ...".
        r"(?i)^(image|media|photo|picture) (caption|copyright|credit)(?-u:\b)",
        r"(?i)^(pool |file |staff )?(photo|photograph|picture)s? (by|courtesy of)(?-u:\b)",
    ])
    .expect("valid UI phrase regexes")
});

/// Label prefixes of link and tag rows ("Tags: Iran, Syria", "Read more: ...").
static LABEL_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(tags|tagged|tagged with|topics|keywords|filed under|related|related articles|related stories|read more|read also|also read|see also|more on this|more|from the archives)\s*:")
        .expect("valid label regex")
});

/// Tracking/editor codes on a line of their own: `AB/1234567`, `XY/ZW`.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Z][A-Z0-9]{0,7}(?:/[A-Z0-9]{1,15})+$").expect("valid code regex")
});

/// A capitalised name word: `Farhad`, `O’Neil`, `Al-Assad`, `J.`.
const NAME_WORD: &str = r"\p{Lu}[\p{L}\p{M}'’.\-]*";

/// Byline: `By First Last`, `By A and B`, `By First Last – Outlet:`.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    let name =
        format!(r"{NAME_WORD}(?:\s+(?:{NAME_WORD}|de|van|von|al|bin|da|del|la|le|di)){{0,4}}");
    Regex::new(&format!(
        r"^[Bb][Yy]:?\s+(?P<names>{name}(?:\s*(?:,|and|&)\s*{name}){{0,3}})(?:\s*[–—\-|,]\s*(?P<outlet>\p{{Lu}}[\p{{L}}\p{{N}}&.'’ ]{{0,40}}?))?\s*:?$"
    ))
    .expect("valid byline regex")
});

/// Dateline at the start of a paragraph: `TEHRAN – `, `WASHINGTON (Reuters) — `,
/// `TURNBERRY/GLASGOW, Scotland — `.
static LEAD_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<place>\p{Lu}[\p{Lu}.'’\-]+(?:[ /]\p{Lu}[\p{Lu}.'’\-]+)*(?:,\s*\p{Lu}[\p{L}.]+(?:\s\p{Lu}[\p{L}.]+)*)?)(?:\s*\([^)]{1,30}\))?\s*[–—\-]\s+\S",
    )
    .expect("valid lead dateline regex")
});

/// A place before a date on its own line: `Baku, Azerbaijan, Sep. 5`.
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Lu}[\p{L}.'’\-]*(?:\s\p{Lu}[\p{L}.'’\-]*){0,3}(?:,\s*\p{Lu}[\p{L}.'’\-]*(?:\s\p{Lu}[\p{L}.'’\-]*){0,3}){0,2}$")
        .expect("valid place regex")
});

/// Strips punctuation from both ends of a token and lowercases ASCII into `buf`.
fn token_key<'a>(tok: &str, buf: &'a mut String) -> &'a str {
    buf.clear();
    let t = tok.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    let t = t.trim_matches('-');
    for c in t.chars() {
        buf.push(c.to_ascii_lowercase());
    }
    buf.as_str()
}

/// True when the line ends a sentence: `.`, `!`, `?` or `…`, possibly inside closing quotes or
/// brackets.
pub(crate) fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['”', '"', '’', '\'', ')', ']', '»', '*']);
    t.ends_with(['.', '!', '?', '…'])
}

/// True when the line ends with a period (or ellipsis), ignoring closing quotes.
pub(crate) fn ends_with_period(s: &str) -> bool {
    let t = s.trim_end_matches(['”', '"', '’', '\'', ')', ']', '*']);
    t.ends_with(['.', '…'])
}

/// A line of punctuation and symbols only: `...`, `***`, `—`, `| |`.
pub(crate) fn is_punct_only(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_alphanumeric)
}

/// A tracking or editor code alone on its line.
pub(crate) fn is_code(s: &str) -> bool {
    s.len() <= 32 && CODE.is_match(s)
}

/// True when the words of `s` are all UI or function words (numbers allowed), with at least one
/// UI word.
fn all_ui_words(s: &str) -> bool {
    let mut buf = String::new();
    let mut ui = 0;
    for tok in s.split(' ') {
        let k = token_key(tok, &mut buf);
        if k.is_empty() || k.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if UI_WORDS.binary_search(&k).is_ok() {
            ui += 1;
        } else if FUNCTION_WORDS.binary_search(&k).is_err() {
            return false;
        }
    }
    ui > 0
}

/// Longest photo caption (in words) the caption rule may remove; wire captions marked
/// `FILE -` run long (up to ~100 words) and the mark makes them unambiguous.
pub(crate) const CAPTION_MAX_WORDS: usize = 60;
pub(crate) const FILE_CAPTION_MAX_WORDS: usize = 150;
/// Longest photo credit line, in words.
pub(crate) const CREDIT_MAX_WORDS: usize = 10;

/// Words of a photo credit's agency part (`AFP/Getty Images`, `AP Photo`, `EPA-EFE`, `Pool`):
/// a small general vocabulary of picture agencies and credit labels.
const CREDIT_WORDS: &[&str] = &[
    "afp",
    "ap",
    "associated",
    "bloomberg",
    "efe",
    "epa",
    "epa-efe",
    "file",
    "getty",
    "handout",
    "images",
    "photo",
    "photos",
    "pool",
    "press",
    "reuters",
    "shutterstock",
    "sipa",
    "sputnik",
    "staff",
    "tass",
    "the",
    "upi",
    "via",
    "xinhua",
];

/// Credit words that are not agency names.
const CREDIT_LABELS: &[&str] = &[
    "associated",
    "file",
    "images",
    "photo",
    "photos",
    "press",
    "staff",
    "the",
    "via",
];

/// Wire-photo captions: `FILE - In this July 7, 2017, file photo, ...`,
/// `In this Dec. 12, 2006, photo made available by ...`.
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:FILE\s*[-–—]\s*)?In this [^;!?]{0,60}?(?:photo|image|picture|file photo)(?-u:\b)",
    )
    .expect("valid caption regex")
});

/// A photo credit on its own line: `Jane Roe, AFP/Getty Images`, `Jane Roe | AP`,
/// `Getty Images`, `The Associated Press`: the part after the last `,` `/` `|` is made only
/// of agency words.
pub(crate) fn is_credit_line(s: &str, words: usize) -> bool {
    if words > CREDIT_MAX_WORDS || ends_sentence(s) || s.ends_with(':') {
        return false;
    }
    let tail = s.rsplit([',', '/', '|']).next().unwrap_or(s).trim();
    let mut buf = String::new();
    let (mut n, mut agency) = (0, false);
    for tok in tail.split(' ').filter(|t| !t.is_empty()) {
        let k = token_key(tok, &mut buf);
        if k.is_empty() {
            continue;
        }
        if CREDIT_WORDS.binary_search(&k).is_err() {
            return false;
        }
        agency |= !CREDIT_LABELS.contains(&k);
        n += 1;
    }
    // "Getty Images", "The Associated Press" alone; "Name, AP" after a separator. A lone
    // label word ("Name, The", "Name, Photo") is not enough.
    n >= 2 || (n == 1 && agency && tail.len() < s.len())
}

/// A wire-photo caption line (see [`CAPTION`]).
pub(crate) fn is_caption(s: &str, words: usize) -> bool {
    let max = if s.starts_with("FILE") {
        FILE_CAPTION_MAX_WORDS
    } else {
        CAPTION_MAX_WORDS
    };
    words <= max && CAPTION.is_match(s)
}

/// Page furniture: UI vocabulary rows, UI phrases, label rows, glyph-led link rows, photo
/// captions and credits.
pub(crate) fn is_ui_line(s: &str, words: usize) -> bool {
    if is_caption(s, words) {
        return true;
    }
    if words > PHRASE_MAX_WORDS {
        return false;
    }
    if is_credit_line(s, words) {
        return true;
    }
    // Link rows: a short line ending in a nav glyph ("Yeltsin Leaves a Winner »").
    if words <= 15 && s.ends_with(['»', '›']) {
        return true;
    }
    // "Loading..." is furniture, "Read the full statement." is a sentence.
    let sentence_end = (s.ends_with('.') && !s.ends_with("..")) || s.ends_with('?');
    if words <= UI_MAX_WORDS && !sentence_end && all_ui_words(s) {
        return true;
    }
    if !ends_sentence(s) && LABEL_ROW.is_match(s) {
        return true;
    }
    if s.starts_with(NAV_GLYPHS) && words <= UI_MAX_WORDS + 2 && !ends_sentence(s) {
        return true;
    }
    if s.starts_with(BULLETS) && words <= UI_MAX_WORDS + 1 && all_ui_words(s) {
        return true;
    }
    UI_PHRASES.is_match(s)
}

/// A byline: returns the author(s) and the outlet named after a dash, if any.
pub(crate) fn byline(s: &str, words: usize) -> Option<(String, Option<String>)> {
    if words > 16 {
        return None;
    }
    let c = BYLINE.captures(s)?;
    let names = c.name("names")?.as_str().trim();
    // "By Monday" or "By September" is a time phrase, not a person.
    let first = names.split(' ').next().unwrap_or("").to_ascii_lowercase();
    if is_calendar_word(&first) {
        return None;
    }
    let outlet = c
        .name("outlet")
        .map(|m| m.as_str().trim().to_string())
        .filter(|o| !o.is_empty());
    Some((names.to_string(), outlet))
}

fn is_calendar_word(w: &str) -> bool {
    matches!(w, "then" | "now" | "the") || crate::date::is_calendar_word(w)
}

/// Place of a dateline at the start of a paragraph (`TEHRAN – ...` -> `TEHRAN`).
pub(crate) fn lead_dateline(s: &str) -> Option<&str> {
    let c = LEAD_DATELINE.captures(s)?;
    let place = c.name("place")?.as_str();
    // Three capitals at least: "A – b", "I - ...", "US – Iran talks" are not datelines.
    if place.chars().filter(|c| c.is_uppercase()).count() < 3 {
        return None;
    }
    Some(place)
}

/// True when `s` is a run of capitalised place words (`Baku, Azerbaijan`).
pub(crate) fn is_place(s: &str) -> bool {
    PLACE.is_match(s)
}

/// Subhead shape: short, capitalised, no sentence end, not a list lead-in.
pub(crate) fn is_headline_shape(s: &str, words: usize, max_words: usize) -> bool {
    words <= max_words
        && !ends_with_period(s)
        && !s.ends_with([':', ',', ';'])
        && s.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric() || matches!(c, '“' | '"' | '‘'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_are_sorted_for_binary_search() {
        assert!(UI_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(CREDIT_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ui_lines_removed() {
        for s in [
            "› Subscribe",
            "Your Comment",
            "More Articles",
            "Tags:",
            "Latest",
            "Share this:",
            "Follow us on Twitter",
            "Read more »",
            "Comments (3)",
            "Loading...",
            "Please enter your email address!",
            "Please enter your message here",
            "The captcha check has expired. Please reload the page.",
            "© 2018 Some Outlet. All rights reserved.",
            "We use cookies to improve your experience. By continuing you accept them.",
            "Sign up for our daily newsletter",
            "Tags: Economy, Trade, Europe",
            "Read more: Ministers meet in the capital",
            "» Ministers meet in the capital",
            "• Share on Facebook",
            "Leave a Reply",
            "5 hours ago",
            "Image 4 of 5",
            "Related Content",
            // Made-up lines of the kinds left behind on scraped pages.
            "Jane Roe, AFP/Getty Images",
            "JOHN DOE, EPA-EFE",
            "Jane Roe | AP",
            "Pool photo by Jane Roe , EPA-EFE",
            "Photograph by Jane Roe / AFP / Getty",
            "Getty Images",
            "The Associated Press",
            "Image caption The minister arrives at the summit",
            "Image copyright Some Agency",
            "FILE - In this July 7, 2017, file photo, the two leaders meet in a port city. The talks are set for Monday.",
            "In this Dec. 12, 2006, file photo, made available by the agency, two workers repair a roof.",
            "These are external links and will open in a new window",
            "Close share panel",
            "Embed",
            "Related Story",
            "1 of 2",
            "Interested in this topic? You may also want to view these photo galleries:",
            "Sign up for Morning Brief and get the latest news, every morning — in your inbox.",
            "You can unsubscribe at any time.",
            "Today's Headlines Newsletter",
            "No one covers the city better. And with a digital subscription, you'll never miss a story.",
            "Areas of fog early, becoming mostly sunny this afternoon. High 91F. Winds N at 5 to 10 mph..",
            "Mainly clear. Low near 70F. Winds N at 5 to 10 mph.",
            "Your weather is set to . You can change the location at any time.",
            "You are signed in as",
            "Enter City and State or Zip Code",
            "From the archives: Leaders meet again",
            "Leaders Leave Summit Without a Deal »",
        ] {
            let w = s.split(' ').count();
            assert!(is_ui_line(s, w), "{s:?} should be UI");
        }
    }

    #[test]
    fn body_lines_with_ui_words_kept() {
        for s in [
            "Share prices fell sharply on Monday.",
            "The minister said he would subscribe to the new plan.",
            "Latest developments in the talks",
            "More than 300 people attended the rally in the capital.",
            "Read the full statement below.",
            "Follow the money",
            "Related talks are planned in Geneva next month, officials said.",
            "• Oil exports fell by 10 percent last year.",
            "• Texas: 103,671",
            "• Lower taxes",
            "Please, he begged the court, spare my son.",
            "Comments made by the minister angered lawmakers.",
            "News of the deal spread quickly through the capital.",
            "Five years ago",
            "Full employment",
            "Jane Roe, a photographer for the agency, said the pictures were taken on Monday.",
            "The photo shows the two leaders at the summit.",
            "In this city, the press has long been free.",
            "He said the deal would be signed up to the hilt.",
            "Winds of change are blowing through the capital, he said.",
            "Washington, The",
        ] {
            let w = s.split(' ').count();
            assert!(!is_ui_line(s, w), "{s:?} should be kept");
        }
    }

    #[test]
    fn codes() {
        for s in ["AB/1234567", "XY/ZW", "MH/PA/12"] {
            assert!(is_code(s), "{s}");
        }
        for s in ["9/11", "and/or", "AB / 12", "AB/12 said", "Ab/12", "AB/"] {
            assert!(!is_code(s), "{s}");
        }
    }

    #[test]
    fn punctuation_only() {
        assert!(is_punct_only("..."));
        assert!(is_punct_only("* * *"));
        assert!(is_punct_only("—"));
        assert!(!is_punct_only("...and then"));
        assert!(!is_punct_only("2017"));
    }

    #[test]
    fn bylines() {
        assert_eq!(
            byline("By Jane Roe – Daily Planet:", 6),
            Some(("Jane Roe".into(), Some("Daily Planet".into())))
        );
        assert_eq!(byline("By Jane Roe", 3), Some(("Jane Roe".into(), None)));
        assert_eq!(
            byline("By Jane Roe and John Doe", 6),
            Some(("Jane Roe and John Doe".into(), None))
        );
        assert_eq!(byline("By Monday", 2), None);
        assert_eq!(byline("By then it was too late.", 6), None);
        assert_eq!(byline("by the way", 3), None);
        assert_eq!(byline("Byron Smith spoke.", 3), None);
    }

    #[test]
    fn lead_datelines() {
        assert_eq!(lead_dateline("CAIRO – The talks began."), Some("CAIRO"));
        assert_eq!(
            lead_dateline("NEW YORK (Wire) — Stocks rose."),
            Some("NEW YORK")
        );
        assert_eq!(
            lead_dateline("OSLO/BERGEN, Norway - Ships left."),
            Some("OSLO/BERGEN, Norway")
        );
        assert_eq!(lead_dateline("The talks – which began – ended."), None);
        assert_eq!(lead_dateline("A – b"), None);
        assert_eq!(lead_dateline("Cairo – The talks began."), None);
    }

    #[test]
    fn places() {
        assert!(is_place("Baku, Azerbaijan"));
        assert!(is_place("New York"));
        assert!(!is_place("the capital"));
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("He left."));
        assert!(ends_sentence("“He left.”"));
        assert!(ends_sentence("Why?"));
        assert!(!ends_sentence("Headline here"));
        assert!(!ends_sentence("Tags:"));
    }
}
