//! General line rules: page furniture, codes, bylines, datelines, headline shapes.
//!
//! Every predicate takes a normalised line (see [`crate::normalize`]). They are deliberately
//! conservative: a line is furniture only when *all* of it looks like furniture; a body line
//! that merely contains a UI word is never matched.

use std::sync::LazyLock;

use regex::{Regex, RegexSet, RegexSetBuilder};

/// Lazy DFA cache (bytes per thread) for the large patterns below; regex's default is 2 MB.
const LARGE_DFA_CACHE: usize = 32 << 20;

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
    "connect",
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
    "google",
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
    "page",
    "pages",
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
    "scroll",
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
///
/// The lazy DFA of forty case-insensitive patterns outgrows the default 2 MB cache of
/// transitions, which it then clears and rebuilds line after line (`perf`: 4% of a one-shot
/// ingest in `determinize`); a larger cache is filled once per thread.
static UI_PHRASES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new([
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
        r"(?i)^[^.!?]{0,60}(?-u:\b)newsletters?[.!]?$",
        // Subscription and account prompts (made-up examples: "Subscribe now and read
        // everything", "Get your first week free!", "Already a subscriber?", "By signing up you
        // accept the terms"). A news line does not open with an imperative "Subscribe".
        r"(?i)^subscribe(?-u:\b)",
        r"(?i)^sign me up(?-u:\b)",
        r"(?i)^(try|get) (one|1|a|your first|the first) (day|week|month|year)s? (for|of|free)(?-u:\b)",
        r"(?i)(?-u:\b)subscri(ber|ption)s?\?$",
        r"(?i)^by (clicking|signing up|subscribing|registering)(?-u:\b)",
        r"(?i)^(you have successfully subscribed|thank you for (subscribing|signing up|registering))",
        r"(?i)^(you must select a newsletter|invalid e-?mail)",
        r"(?i)(?-u:\b)subscription associated with this (login|account|e-?mail)",
        r"(?i)(?-u:\b)(for|get) unlimited (digital )?access(?-u:\b)",
        // Comment and notification prompts.
        r"(?i)^to (find out|learn|read) more about(?-u:\b)",
        r"(?i)(?-u:\b)(commenting|comment|community|conversation) (guidelines|policy|rules)(?-u:\b)",
        r"(?i)^(get|receive|sign up for) [^.!?]{0,30}(?-u:\b)(alerts|notifications)(?-u:\b)",
        r"(?i)(?-u:\b)(turn on|enable|allow) [^.!?]{0,20}(?-u:\b)notifications(?-u:\b)",
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
    .dfa_size_limit(LARGE_DFA_CACHE)
    .build()
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
        if UI_WORDS.binary_search(&k).is_ok() || is_ui_compound(k) {
            ui += 1;
        } else if FUNCTION_WORDS.binary_search(&k).is_err() {
            return false;
        }
    }
    ui > 0
}

/// A share-bar label glued together by the scraper: two or more UI words with no space between
/// them (`commentemailmore`), or one after an icon's letters (`fbshare`: at most two letters
/// before it).
fn is_ui_compound(k: &str) -> bool {
    if k.len() < 6 || !k.is_ascii() {
        return false;
    }
    // parts[i]: the fewest UI words that make up k[..i], if any.
    let n = k.len();
    let mut parts: Vec<Option<u8>> = vec![None; n + 1];
    parts[0] = Some(0);
    for i in 0..n {
        let Some(p) = parts[i] else { continue };
        for j in i + 2..=n {
            if UI_WORDS.binary_search(&&k[i..j]).is_ok() {
                let q = p.saturating_add(1);
                if parts[j].is_none_or(|old| q < old) {
                    parts[j] = Some(q);
                }
            }
        }
    }
    if parts[n].is_some_and(|p| p >= 2) {
        return true;
    }
    (1..=2).any(|cut| n > cut + 3 && UI_WORDS.binary_search(&&k[cut..]).is_ok())
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
    if ends_sentence(s) || s.ends_with(':') {
        return false;
    }
    // A credit naming the picture (`AGENCY PHOTO / Agency / Jane Roe / Country OUT`) may run
    // longer than a bare one.
    let max = if s
        .split([' ', '/'])
        .any(|w| w.eq_ignore_ascii_case("photo") || w.eq_ignore_ascii_case("photos"))
    {
        2 * CREDIT_MAX_WORDS
    } else {
        CREDIT_MAX_WORDS
    };
    if words > max {
        return false;
    }
    if is_agency_photo_then_name(s) {
        return true;
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

/// `AP Photo/Jane Roe`: an agency's photo label, then after the `/` the photographer (at most
/// five words, no sentence).
fn is_agency_photo_then_name(s: &str) -> bool {
    let Some((head, name)) = s.split_once('/') else {
        return false;
    };
    let name_words = name.split_whitespace().count();
    if name_words == 0 || name_words > 5 {
        return false;
    }
    let mut buf = String::new();
    let keys: Vec<String> = head
        .split_whitespace()
        .map(|t| token_key(t, &mut buf).to_string())
        .collect();
    is_agency_photo_label(&keys)
}

/// Tokens (lower-cased keys) that are an agency followed by a photo label: `ap photo`,
/// `getty images`, `reuters pictures`.
fn is_agency_photo_label(keys: &[String]) -> bool {
    let agency = |t: &str| CREDIT_WORDS.binary_search(&t).is_ok() && !CREDIT_LABELS.contains(&t);
    keys.len() == 2
        && agency(&keys[0])
        && (PHOTO_WORDS.binary_search(&keys[1].as_str()).is_ok() || keys[1] == "pictures")
}

/// A caption whose credit is run on without brackets: `... on Monday. Jane Roe AP Photo`: at
/// most four capitalised name words and an agency's photo label end the line, after a
/// sentence (or alone).
fn ends_with_bare_credit(s: &str) -> bool {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let n = toks.len();
    if n < 3 || ends_sentence(s) {
        return false;
    }
    let mut buf = String::new();
    let label: Vec<String> = toks[n - 2..]
        .iter()
        .map(|t| token_key(t, &mut buf).to_string())
        .collect();
    if !is_agency_photo_label(&label) {
        return false;
    }
    let names = toks[..n - 2]
        .iter()
        .rev()
        .take_while(|t| t.chars().next().is_some_and(char::is_uppercase) && !ends_sentence(t))
        .take(5)
        .count();
    if !(1..=4).contains(&names) {
        return false;
    }
    let before = n - 2 - names;
    before == 0 || ends_sentence(toks[before - 1])
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
    if is_caption(s, words) || is_credited_caption(s, words) {
        return true;
    }
    if words > PHRASE_MAX_WORDS {
        return false;
    }
    if is_credit_line(s, words) || is_brand_line(s, words) || is_exclamation_word(s) {
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

/// Markers of JavaScript or CSS that a scraper left in the text (`window.x = ...`,
/// `function (`, `});`, `x.push(`, `var x =`, `{ color: red; }`).
static SCRIPT_MARKERS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"(?:^|[\s;(])(?:window|document|console)\.[A-Za-z_$][\w$]*",
        r"(?-u:\b)function\s*[\w$]*\s*\(",
        r"\}\s*\)\s*;",
        r"[\w$\]]\.push\(",
        r"(?-u:\b)(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=",
        r"=>\s*\{",
        r"\|\|\s*(?:\[\]|\{\})",
        r"\{\s*[a-z-]+\s*:\s*[^{};]+;[^{}]*\}",
        r"^\s*(?:<script|<style|<!--|-->|//\s*<!\[CDATA)",
    ])
    .expect("valid script regexes")
});

/// A line of program code (JavaScript, CSS) rather than text: two different code markers, or
/// one in a line dense with code punctuation.
pub(crate) fn is_script(s: &str) -> bool {
    let markers = SCRIPT_MARKERS.matches(s).iter().count();
    if markers >= 2 {
        return true;
    }
    if markers == 0 {
        return false;
    }
    let punct = s.chars().filter(|c| "{}();=[]<>$".contains(*c)).count();
    punct * 12 >= s.chars().count()
}

/// A photo credit at the end of a caption: `(Name/Agency via AP)`, `(AP Photo/Name)`,
/// `| Name/AP Photo`, optionally followed by a gallery's `less`/`more` toggle, the credit's
/// names once more (`(Agency Photo/Jane Roe) Jane Roe Agency`) or a transmission code
/// (`XMIT: AB123`).
static TRAILING_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\(([^()]{2,160})\)\s*(?:less|more|(?:\p{Lu}[\p{L}\p{N}.'’\-]*:?\s*){1,5})?|\s\|\s*([^|()]{2,80}))\s*$")
        .expect("valid credit regex")
});

/// [`TRAILING_CREDIT`] at the end of `s`: where the match starts and the credit inside it.
///
/// The regex runs on the only tail where a match can start: the last `(` (nothing after it
/// holds a parenthesis) or the space before the last `|` (nothing after it holds a `|`); a
/// line with neither has no credit. Over whole lines, the lazy DFA of this pattern (a
/// counted Unicode class) kept rebuilding its states: a tenth of a one-shot ingest's CPU in
/// `perf`, for a test most lines fail at once.
fn trailing_credit(s: &str) -> Option<(usize, &str)> {
    let paren = s.rfind('(');
    let pipe = s
        .rfind('|')
        .and_then(|p| s[..p].char_indices().next_back().map(|(i, _)| i));
    let start = match (paren, pipe) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let c = TRAILING_CREDIT.captures(&s[start..])?;
    let inner = c.get(1).or_else(|| c.get(2))?;
    Some((start + c.get(0)?.start(), inner.as_str()))
}

/// A gallery caption cut short with a toggle: `... more`.
static CUT_CAPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\.\.\.|…)\s*more$").expect("valid cut caption regex"));

/// Words that make a parenthesised or piped tail a photo credit.
const PHOTO_WORDS: &[&str] = &[
    "image",
    "images",
    "photo",
    "photograph",
    "photographer",
    "photos",
    "picture",
];

/// True when `inner` (the text of a trailing group) credits a picture: it names a photo, or an
/// agency after `via` or beside a `/` (`Name/Agency`), and is not a reporting credit.
fn is_photo_credit(inner: &str) -> bool {
    let mut buf = String::new();
    let tokens: Vec<String> = inner
        .split([' ', '/', ',', ';'])
        .map(|t| token_key(t, &mut buf).to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() > 24
        || tokens.iter().any(|t| {
            matches!(
                t.as_str(),
                "reporting" | "editing" | "writing" | "additional"
            )
        })
    {
        return false;
    }
    let agency = |t: &str| CREDIT_WORDS.binary_search(&t).is_ok() && !CREDIT_LABELS.contains(&t);
    if tokens
        .iter()
        .any(|t| PHOTO_WORDS.binary_search(&t.as_str()).is_ok())
    {
        return true;
    }
    if tokens.windows(2).any(|w| w[0] == "via" && agency(&w[1])) {
        return true;
    }
    inner.contains('/')
        && tokens.len() <= 8
        && inner.split('/').any(|part| {
            let part = part.trim();
            !part.is_empty()
                && part
                    .split(' ')
                    .all(|w| agency(token_key(w, &mut String::new())))
        })
}

/// A picture caption: ends with a photo credit (in parentheses or after a `|`), or is a
/// gallery caption cut short with `... more`.
pub(crate) fn is_credited_caption(s: &str, words: usize) -> bool {
    if words > FILE_CAPTION_MAX_WORDS {
        return false;
    }
    if CUT_CAPTION.is_match(s) || ends_with_bare_credit(s) {
        return true;
    }
    let Some((at, inner)) = trailing_credit(s) else {
        return false;
    };
    if is_photo_credit(inner) {
        return true;
    }
    // `The leaders meet in the capital (Agency)`: an agency alone after a line that is not a
    // sentence is a caption's credit; after a sentence it may be a source.
    let before = s[..at].trim_end();
    let mut buf = String::new();
    !before.is_empty()
        && !ends_sentence(before)
        && words <= CAPTION_MAX_WORDS
        && inner.split(' ').all(|w| {
            let k = token_key(w, &mut buf);
            CREDIT_WORDS.binary_search(&k).is_ok() && !CREDIT_LABELS.contains(&k)
        })
}

/// A site's name as a domain on a short line of its own (`Example.com Weather`,
/// `EXAMPLE.com | The Daily Example`): branding and widget titles, not text.
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s|(])[a-z0-9][a-z0-9-]*\.(?:com|net|org|info|tv|news|co\.uk|com\.au)(?:$|[\s|),:•·])")
        .expect("valid domain regex")
});

/// Longest branding line, in words.
const BRAND_MAX_WORDS: usize = 6;

/// A short line naming a web site by its domain (see [`DOMAIN`]), without a sentence end.
pub(crate) fn is_brand_line(s: &str, words: usize) -> bool {
    words <= BRAND_MAX_WORDS && !ends_sentence(s) && !s.contains('@') && DOMAIN.is_match(s)
}

/// A lone exclamation word (`Hooray!`, `Oops!`): a widget's greeting or an error banner's
/// heading, not a paragraph of an article.
pub(crate) fn is_exclamation_word(s: &str) -> bool {
    s.ends_with('!')
        && !s.contains(' ')
        && s[..s.len() - 1]
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
        && s.len() > 1
}

/// Job titles after a byline's names (`Jane Roe, Staff Writer`): a role, not a name.
const ROLE_WORDS: &[&str] = &[
    "analyst",
    "columnist",
    "contributor",
    "contributors",
    "correspondent",
    "correspondents",
    "editor",
    "editors",
    "producer",
    "reporter",
    "reporters",
    "staff",
    "writer",
    "writers",
];

/// A byline's trailing `, Role` or `, Agency` part (`, Staff Writer`, `, opinion
/// contributors`, `, Associated Press`): true when every word is a role, an agency or a
/// capitalised qualifier before a role.
fn is_role_part(part: &str) -> bool {
    let mut buf = String::new();
    let words: Vec<String> = part
        .split([' ', '-'])
        .map(|w| token_key(w, &mut buf).to_string())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 6 {
        return false;
    }
    let role = words.iter().any(|w| ROLE_WORDS.contains(&w.as_str()));
    let agency = words
        .iter()
        .all(|w| CREDIT_WORDS.binary_search(&w.as_str()).is_ok());
    role || agency
}

/// Separators between a byline's names, its outlet and a date: ` - `, ` – `, ` — `, ` | `.
const BYLINE_SEPARATORS: &[&str] = &[" - ", " – ", " — ", " | "];

/// Strips what follows a byline's names and outlet: a date or update time after a separator
/// (`By Jane Roe - The Daily - Updated 7:32 a.m. Monday`), then a `, Role` part.
fn byline_core(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let cut = BYLINE_SEPARATORS
            .iter()
            .filter_map(|sep| s.rfind(sep).map(|i| (i, sep.len())))
            .max_by_key(|(i, _)| *i);
        let Some((i, len)) = cut else { break };
        let tail = &s[i + len..];
        let dated = tail.bytes().any(|b| b.is_ascii_digit())
            || tail.split(|c: char| !c.is_alphabetic()).any(|w| {
                let w = w.to_ascii_lowercase();
                crate::date::is_calendar_word(&w)
                    || matches!(w.as_str(), "updated" | "published" | "posted")
            });
        if !dated {
            break;
        }
        s = s[..i].trim_end();
    }
    // `By Jane Roe March 5 at 7:44 AM ...`: the names end where a date begins.
    let mut at = 0;
    let mut words = s.split(' ').peekable();
    while let Some(w) = words.next() {
        let month = crate::date::month_number(&w.trim_end_matches(['.', ',']).to_ascii_lowercase());
        if at > 0
            && month.is_some()
            && words
                .peek()
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        {
            s = s[..at].trim_end();
            break;
        }
        at += w.len() + 1;
    }
    if let Some((head, tail)) = s.rsplit_once(", ") {
        if is_role_part(tail) {
            s = head.trim_end();
        }
    }
    s
}

/// A byline run into the first paragraph: `By Jane Roe. CAIRO (Agency) - The talks ...`.
/// Returns the author and the byte length of the byline with the space after it; the rest of
/// the line must open with a dateline.
pub(crate) fn inline_byline(s: &str) -> Option<(String, usize)> {
    if !(s.starts_with("By ") || s.starts_with("BY ")) {
        return None;
    }
    let mut end = 0;
    for (k, w) in s.split(' ').enumerate().take(12) {
        end += w.len() + usize::from(k > 0);
        if k < 2 {
            continue;
        }
        let (prefix, rest) = (&s[..end], s[end..].trim_start());
        if lead_dateline(rest).is_none() {
            continue;
        }
        let words = prefix.split(' ').count();
        let core = prefix.trim_end_matches(['.', ',', ':']);
        if let Some((author, _)) = byline(core, words) {
            return Some((author, s.len() - rest.len()));
        }
    }
    None
}

/// A byline: returns the author(s) and the outlet named after a dash, if any.
pub(crate) fn byline(s: &str, words: usize) -> Option<(String, Option<String>)> {
    if words > 16 {
        return None;
    }
    // E-mail addresses after the names (`By Jane Roe jane.roe@example.com`) and a dangling
    // separator (`By Jane Roe -`) are contact furniture.
    let without_mail;
    let s = if s.contains('@') {
        without_mail = s
            .split(' ')
            .filter(|w| !w.contains('@') && *w != ",")
            .collect::<Vec<_>>()
            .join(" ");
        without_mail.as_str()
    } else {
        s
    };
    let s = s.trim_end_matches([' ', '-', '–', '—', ',', '|']);
    let s = byline_core(s);
    // The regex is anchored on "By"; asking it first costs a capture search per line, which
    // on a page of many short lines was a third of the cleaning time.
    let opens_with_by = s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("by"));
    let Some(c) = opens_with_by.then(|| BYLINE.captures(s)).flatten() else {
        return loose_byline(s);
    };
    let names = c.name("names")?.as_str().trim();
    // "By Monday" or "By September" is a time phrase, not a person; "By The Agency Press" is
    // an agency's byline.
    let first = names.split(' ').next().unwrap_or("").to_ascii_lowercase();
    // "By The Agency", "By THE DAILY EXAMPLE": capitalised words after "The" name an outlet.
    let organisation = first == "the" && names.split(' ').count() >= 2;
    if is_calendar_word(&first) && !organisation {
        return None;
    }
    let outlet = c
        .name("outlet")
        .map(|m| m.as_str().trim().to_string())
        .filter(|o| !o.is_empty());
    Some((tidy_name_case(names), outlet))
}

/// Words that may stand between the capitalised words of a byline.
const NAME_JOINERS: &[&str] = &[
    "&", "and", "bin", "da", "de", "del", "di", "la", "le", "van", "von",
];

/// A byline the strict pattern does not take: `By` and nothing but capitalised words and
/// joiners, run on into an outlet (`By Jane Roe and John Doe The Daily Example`). The outlet
/// is split off at a `The` after the names.
fn loose_byline(s: &str) -> Option<(String, Option<String>)> {
    let rest = s.strip_prefix("By ").or_else(|| s.strip_prefix("BY "))?;
    let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
    if !(2..=12).contains(&words.len()) || ends_sentence(s) || s.ends_with(':') {
        return None;
    }
    let capitalised = |w: &str| {
        let w = w.trim_end_matches(',');
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().all(|c| c.is_alphabetic() || ".'’-".contains(c))
    };
    if !words
        .iter()
        .all(|w| capitalised(w) || NAME_JOINERS.contains(&w.trim_end_matches(',')))
    {
        return None;
    }
    if is_calendar_word(&words[0].to_ascii_lowercase()) && words[0] != "The" {
        return None;
    }
    match words.iter().skip(2).position(|w| *w == "The") {
        Some(k) => Some((
            tidy_name_case(words[..k + 2].join(" ").trim_end_matches(',')),
            Some(words[k + 2..].join(" ")),
        )),
        None => Some((tidy_name_case(&words.join(" ")), None)),
    }
}

/// An author field as a name: `By JANE ROE, Staff Writer` -> `Jane Roe`. Drops a leading
/// `By`, a trailing role or agency part (see [`byline_core`]), and turns names written all
/// in capitals into capitalised words; anything else is left as given.
pub fn clean_author(author: &str, outlet: Option<&str>) -> String {
    let a = author.trim();
    // `By Jane Roe`, `Analysis by Jane Roe`.
    let a = match a.find("by ").or_else(|| a.find("By ")) {
        Some(i)
            if a[..i].is_empty()
                || (a[..i].trim_end().split(' ').count() == 1
                    && a[..i].chars().next().is_some_and(char::is_uppercase)) =>
        {
            a[i + 3..].trim_start()
        }
        _ => a,
    };
    let mut core = byline_core(a);
    if core.is_empty() {
        core = a;
    }
    // `Jane Roe, The Daily Example` when the outlet is The Daily Example.
    if let (Some((head, tail)), Some(o)) = (core.rsplit_once(", "), outlet) {
        let key = |s: &str| -> String {
            s.to_lowercase()
                .split('/')
                .next()
                .unwrap_or("")
                .trim_start_matches("www.")
                .split('.')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect()
        };
        let (t, o) = (key(tail), key(o));
        if !t.is_empty() && !o.is_empty() && (t.contains(&o) || o.contains(&t)) {
            core = head.trim_end();
        }
    }
    tidy_name_case(core)
}

/// `JANE ROE and JOHN DOE` -> `Jane Roe and John Doe`; names with any lower-case letter are
/// left as written (`McAdam`, `de la Cruz`).
fn tidy_name_case(names: &str) -> String {
    let letters = names.chars().filter(|c| c.is_alphabetic());
    let (mut upper, mut lower) = (0, 0);
    for c in letters {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    // Only a few lower-case letters (`and`) among many capitals: a name in capitals.
    if upper < 4 || lower > 3 {
        return names.to_string();
    }
    names
        .split(' ')
        .map(|w| {
            if w.chars().any(char::is_lowercase)
                || w.chars().filter(|c| c.is_alphabetic()).count() < 2
            {
                return w.to_string();
            }
            let mut out = String::with_capacity(w.len());
            let mut start = true;
            for c in w.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = matches!(c, '-' | '\'' | '’' | '.');
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
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

/// A wire report's opening: a dateline naming its agency, `CAIRO (Agency) — The talks ...`.
pub(crate) fn wire_dateline(s: &str) -> bool {
    LEAD_DATELINE
        .captures(s)
        .and_then(|c| c.get(0))
        .is_some_and(|m| m.as_str().contains('(') && lead_dateline(s).is_some())
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
        assert!(PHOTO_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn credits_without_brackets_are_captions() {
        let w = |s: &str| s.split_whitespace().count();
        for s in [
            "AFP Photo/Jane Q. Roe",
            "AP Photo/Jane Roe",
            "Getty Images/John Doe",
        ] {
            assert!(is_credit_line(s, w(s)), "{s}");
        }
        for s in [
            "The mayor waves from a car in the old town, Sunday, May 3. Jane Roe AP Photo",
            "Protesters gather on the square before the talks. John Van Doe Reuters Pictures",
            "Jane Roe AP Photo",
        ] {
            assert!(is_credited_caption(s, w(s)), "{s}");
        }
        for s in [
            "The mayor said the town bought the rights from AP Photo",
            "She told the council that the archive came from Getty Images.",
            "Budget/Finance Committee",
            "The old town. We Went To See The Getty Images",
        ] {
            assert!(
                !is_credited_caption(s, w(s)) && !is_credit_line(s, w(s)),
                "{s}"
            );
        }
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
            "AGENCY PHOTO / Wire / Jane Roe / Country OUTJANE ROE/AFP/Getty Images",
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
    fn page_chrome_of_scraped_pages_is_removed() {
        // Made-up lines of the kinds scrapers leave behind.
        for s in [
            "Hooray!",
            "Example.com Weather Quick Look",
            "EXAMPLE.com | The Daily Example",
            "CONNECT TWEET EMAILSHARE MORE",
            "fbShare Tweet gShare Email",
            "Subscribe now and read everything.",
            "Sign me up!",
            "Get your first week free!",
            "Already a subscriber?",
            "By signing up you accept our terms.",
            "Get Unlimited Digital Access to every story for a dollar a week",
            "Get breaking news alerts from The Daily Example",
            "To learn more about comments, read our community guidelines",
            "Two ministers meet in the port, Monday, May 4, 2020. (Jane Roe/Agency via AP)",
            "The ministers meet in the port. (AP Photo/Jane Roe) XMIT: AB123",
            "The ministers meet in the port. | Jane Roe/AP Photo",
            "The ministers leave the port on Monday, May 4, 2020 ... more",
            "The ministers meet in the port (AFP)",
        ] {
            let w = s.split(' ').count();
            assert!(is_ui_line(s, w), "{s:?} should be removed");
        }
        for s in [
            "“Hooray!” the crowd shouted as the ministers arrived.",
            "The council met at example.com's old offices on Monday.",
            "Subscribers to the plan will pay less, the minister said.",
            "The ministers met in the port, officials said. (AFP)",
            "The report was written by two officials (reporting by Jane Roe; editing by John Doe/Agency).",
        ] {
            let w = s.split(' ').count();
            assert!(!is_ui_line(s, w), "{s:?} should be kept");
        }
    }

    #[test]
    fn scripts_are_code_and_prose_is_not() {
        assert!(is_script(
            "window._widget = window._widget || []; _widget.push({ mode: 'a' });"
        ));
        assert!(is_script(
            "var x = document.getElementById('a'); x.focus();"
        ));
        assert!(is_script(".promo { color: red; }"));
        assert!(!is_script(
            "The window. The door. He said (quietly) that it was over."
        ));
        assert!(!is_script(
            "Prices rose (by 3%) = a record, officials said."
        ));
    }

    #[test]
    fn inline_bylines_and_author_fields() {
        let s = "By Jane Roe. CAIRO (Wire) - The talks began on Monday in the capital, officials said, and will go on.";
        let (author, cut) = inline_byline(s).unwrap();
        assert_eq!(author, "Jane Roe");
        assert!(s[cut..].starts_with("CAIRO (Wire)"), "{}", &s[cut..]);
        let s = "By Jane Roe and John Doe CAIRO (Wire) - The talks began on Monday in the capital.";
        assert_eq!(inline_byline(s).unwrap().0, "Jane Roe and John Doe");
        assert_eq!(
            inline_byline(
                "By the end of the week the talks had begun in the capital, officials said."
            ),
            None
        );
        assert_eq!(clean_author("By JANE ROE, Staff Writer", None), "Jane Roe");
        assert_eq!(
            clean_author("Jane Roe, Agency Press", None),
            "Jane Roe, Agency Press"
        );
        assert_eq!(clean_author("Jane Roe, Associated Press", None), "Jane Roe");
        assert_eq!(
            clean_author("Jane Roe and John McDoe", None),
            "Jane Roe and John McDoe"
        );
        assert_eq!(
            clean_author("Jane Roe, John Doe", None),
            "Jane Roe, John Doe"
        );
        assert_eq!(
            clean_author("Analysis by Jane Roe, Daily Editor-at-large", None),
            "Jane Roe"
        );
        assert_eq!(
            clean_author("Jane Roe, Daily Example", Some("dailyexample.com")),
            "Jane Roe"
        );
        assert_eq!(
            clean_author("Jane Roe, John Doe", Some("dailyexample.com")),
            "Jane Roe, John Doe"
        );
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
        assert_eq!(
            byline("By Jane Roe jane.roe@example.com", 4),
            Some(("Jane Roe".into(), None))
        );
        assert_eq!(byline("By J. Roe -", 4), Some(("J. Roe".into(), None)));
        assert_eq!(
            byline("By JANE ROE, Staff Writer", 5),
            Some(("Jane Roe".into(), None))
        );
        assert_eq!(
            byline(
                "By Jane Roe - The Daily - Updated 7:32 a.m. on Monday, May 4, 2020",
                15
            ),
            Some(("Jane Roe".into(), Some("The Daily".into())))
        );
        assert_eq!(
            byline(
                "By Jane Roe and John Doe, opinion contributors — 05/04/20 02:45 PM",
                12
            ),
            Some(("Jane Roe and John Doe".into(), None))
        );
        assert_eq!(
            byline("By THE DAILY EXAMPLE", 4),
            Some(("The Daily Example".into(), None))
        );
        assert_eq!(
            byline("By Jane Roe March 5 at 7:44 AM Email the author", 11),
            Some(("Jane Roe".into(), None))
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
    fn wire_datelines_name_an_agency() {
        assert!(wire_dateline("CAIRO (Wire) — The talks began."));
        assert!(!wire_dateline("CAIRO – The talks began."));
        assert!(!wire_dateline("UPDATE II - The talks began."));
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

    /// The regex over the whole line, as the caption test ran it before it looked at the
    /// tail only.
    fn trailing_credit_whole(s: &str) -> Option<(usize, &str)> {
        let c = TRAILING_CREDIT.captures(s)?;
        let inner = c.get(1).or_else(|| c.get(2))?;
        Some((c.get(0)?.start(), inner.as_str()))
    }

    #[test]
    fn trailing_credits_are_found_in_the_tail() {
        for s in [
            "Crowds gather in the square (Jane Roe/Agency via AP)",
            "Crowds (at noon) gather (AP Photo/Jane Roe) Jane Roe AP",
            "Crowds gather | Jane Roe/AP Photo",
            "Crowds gather\u{a0}| Jane Roe",
            "(Photo | AP) more",
            "No credit here.",
        ] {
            assert_eq!(trailing_credit(s), trailing_credit_whole(s), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_tail_finds_what_the_whole_line_does(s in "[( )|a-eA-EP./\u{a0}é:]{0,40}") {
            proptest::prop_assert_eq!(trailing_credit(&s), trailing_credit_whole(&s));
        }
    }
}
