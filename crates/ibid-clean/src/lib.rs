//! ibid's clean stage for plain text: boilerplate out, metadata in, offsets kept.
//!
//! [`clean`] turns a [`RawArticle`] into a [`CleanedArticle`]: the body, all of it and only it,
//! with every removed line kept in `removed` (span + reason), the metadata buried in the text
//! (headline, subheads, dateline, byline, section/date line) lifted into fields, and an
//! [`ibid_core::OffsetMap`] from every code point of the cleaned text back to the original.
//!
//! Before the line rules, inline hover cards (a person's formal name and a run of other
//! headlines, flattened into a sentence and closed by `MORE`; see `cards.rs`) are read as white
//! space, and each is kept in `removed` as boilerplate unless its whole line is removed.
//!
//! The rules are line rules and deliberately general (no outlet names or dataset strings), in
//! this order per line:
//! 1. the headline's first occurrence is lifted into `title` (the input's title, else a short
//!    first line without a final period followed by a body);
//! 2. punctuation-only lines (`...`) and UI furniture (short lines made only of UI words such
//!    as subscribe/share/related/latest, UI phrases like "please enter your ...", captcha,
//!    cookie and copyright notices, `Tags:` rows, glyph-led link rows) -> `Boilerplate`;
//!    a single code token like `AB/1234567` -> `Code`;
//! 3. later copies of the headline, of a short header line or of removed furniture, and
//!    standfirsts (a line without final period that is the start of a body paragraph) ->
//!    `Repeated`;
//! 4. byline, `Place, Mon. D` dateline and `Section ... <date>` lines before the first body
//!    paragraph -> `Metadata`, lifted into fields;
//! 5. lines frequent in the same outlet's other articles ([`LineIndex`]) -> `OutletBoilerplate`.
//!
//! Besides copies of the title, rules 2-4 only match lines of at most 25 words (60 for a
//! standfirst, which is a copy of a paragraph start), and a line that ends a sentence only
//! through an explicit UI phrase (captcha, cookie or copyright notice, "please enter ..."):
//! a body line that merely contains a UI word stays.

mod cards;
mod date;
mod index;
mod kind;
mod normalize;
mod rules;
mod standfirst;
mod title;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use ibid_core::{CleanedArticle, OffsetMap, RawArticle, RemovalReason, RemovedLine, Span};

pub use date::{parse_published, parse_published_with_year, MIN_YEAR};
pub use index::{
    IndexConfig, LineIndex, LineIndexFormatError, DEFAULT_MAX_WORDS, DEFAULT_MIN_ARTICLES,
};
pub use rules::clean_author;

use date::DateParts;
use normalize::{normalize_line, split_lines_cut, Line, Lines};
use rules::*;
use standfirst::BodyStarts;

/// Longest header line (in words) that may be a section/date or dateline line.
const META_MAX_WORDS: usize = 14;

/// Cleans one article (see the crate docs). A pure function of its inputs and the clock (dates
/// later than now are untrusted); use [`clean_at`] for a fixed clock.
pub fn clean(raw: &RawArticle, index: &LineIndex) -> CleanedArticle {
    clean_at(raw, index, Utc::now())
}

/// What happens to a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Keep,
    /// The headline's first occurrence: lifted into `title`, neither kept nor removed.
    Title,
    Removed(RemovalReason),
}

/// Metadata carried by a header line.
#[derive(Debug, Clone)]
enum Meta {
    Byline {
        author: String,
        outlet: Option<String>,
    },
    /// `Baku, Azerbaijan, Sep. 5`
    Dateline { place: String, date: DateParts },
    /// `Politics Materials 5 September 2017 21:21 (UTC +04:00)` or a bare date line.
    Date {
        section: Option<String>,
        date: DateParts,
    },
}

/// [`clean`] with an explicit clock (`now` bounds trusted publication dates).
pub fn clean_at(raw: &RawArticle, index: &LineIndex, now: DateTime<Utc>) -> CleanedArticle {
    let cards = cards::inline_cards(&raw.text);
    let mut lines = split_lines_cut(&raw.text, &cards);
    let inline_author = cut_inline_byline(&mut lines, &raw.text);
    let inline_author_count = inline_author.len();
    let lines = lines;
    let n = lines.lines.len();
    let text_of = |i: usize| lines.text(&lines.lines[i]);
    let words_of = |i: usize| lines.lines[i].words;

    let is_body: Vec<bool> = (0..n)
        .map(|i| {
            words_of(i) >= BODY_MIN_WORDS
                && ends_sentence(text_of(i))
                && !is_ui_line(text_of(i), words_of(i))
        })
        .collect();
    let body_starts = BodyStarts::new(&lines, &is_body);
    // Lines before the first body paragraph: where headlines, bylines and dates live.
    let header_end = is_body.iter().position(|&b| b).unwrap_or(n);
    let meta: Vec<Option<Meta>> = (0..header_end)
        .map(|i| header_meta(text_of(i), words_of(i), now))
        .collect();

    let mut fate = vec![Fate::Keep; n];

    // Title: the input's, else a headline-shaped first line followed by a body. A given
    // title that is not a headline (a widget's prompt, a share button, a date, a byline, the
    // site's name) is dropped, and the headline is looked for in the header instead.
    let outlet = raw.outlet.as_deref();
    let mut given_title = raw
        .title
        .as_deref()
        .map(normalize_line)
        .filter(|t| !t.is_empty());
    let mut junk_line = None;
    let mut dropped_title = false;
    if let Some(t) = &given_title {
        // A line the outlet prints on many of its pages (a section's name, the site's
        // banner) is not this article's headline.
        let standing = outlet.is_some_and(|o| index.is_outlet_boilerplate(o, t));
        let junk = standing || title::junk_title(t, outlet).is_some() || {
            let body: Vec<&str> = (0..n)
                .filter(|&i| is_body[i] && !text_of(i).eq_ignore_ascii_case(t))
                .map(text_of)
                .collect();
            title::unrelated_to(t, &body)
                && headline_in_header(&lines, header_end, t, outlet).is_some()
        };
        if junk {
            junk_line = (0..n.min(header_end + 1)).find(|&i| text_of(i).eq_ignore_ascii_case(t));
            dropped_title = true;
        }
    }
    if dropped_title {
        given_title = None;
    }
    let title_line = match &given_title {
        // The given headline is lifted from the header, or from the first body line when a
        // scraper put the lead there as the title.
        Some(t) => (0..n.min(header_end + 1)).find(|&i| text_of(i).eq_ignore_ascii_case(t)),
        None if dropped_title => {
            let junk = junk_line
                .map(|i| text_of(i).to_string())
                .unwrap_or_default();
            headline_in_header(&lines, header_end, &junk, outlet)
        }
        None => (0..header_end)
            .find(|&i| {
                let t = text_of(i);
                !(is_punct_only(t) || is_ui_line(t, words_of(i)))
            })
            .filter(|&i| {
                header_end < n
                    && meta[i].is_none()
                    && !is_code(text_of(i))
                    && !is_standfirst(&lines, &body_starts, i)
                    && is_headline_shape(text_of(i), words_of(i), HEADLINE_MAX_WORDS)
            }),
    };
    if let Some(i) = title_line {
        fate[i] = Fate::Title;
        // Everything above the headline in the header is page chrome (widgets, menus, a
        // kicker), except the metadata lines, which are lifted below.
        if i <= header_end {
            for (j, f) in fate.iter_mut().enumerate().take(i) {
                if meta.get(j).is_none_or(Option::is_none) {
                    *f = Fate::Removed(RemovalReason::Boilerplate);
                }
            }
        }
    }
    if let Some(j) = junk_line {
        if fate[j] == Fate::Keep {
            fate[j] = Fate::Removed(RemovalReason::Boilerplate);
        }
    }
    let title = given_title
        .or_else(|| title_line.map(|i| text_of(i).to_string()))
        .map(|t| title::strip_site_suffix(&t, outlet));

    let outlet_lines = raw.outlet.as_deref().and_then(|o| index.outlet_lines(o));
    let mut seen_short: HashSet<u64> = HashSet::new();
    let mut key_buf = String::new();
    let mut out = CleanedArticle {
        title,
        ..CleanedArticle::default()
    };
    let mut byline_author = None;
    let mut byline_outlet = None;
    let mut text_date: Option<DateParts> = None;

    for (i, line) in lines.lines.iter().enumerate() {
        if fate[i] == Fate::Title {
            seen_short.insert(ascii_key(text_of(i), &mut key_buf));
            continue;
        }
        let t = text_of(i);
        let w = words_of(i);
        if let Fate::Removed(r) = fate[i] {
            // Chrome above the headline, or the dropped junk title.
            if w <= SHORT_MAX_WORDS && !ends_sentence(t) {
                seen_short.insert(ascii_key(t, &mut key_buf));
            }
            out.removed.push(RemovedLine {
                text: raw.text[line.orig_bytes.clone()].to_string(),
                span: line.span,
                reason: r,
            });
            continue;
        }
        // Repeats of short headline-like lines are furniture; speaker labels ("NAME:"),
        // tweet attributions ("— Name (@handle) date") and stage notes ("(CROSSTALK)") are
        // not, however often they recur.
        let short = w <= SHORT_MAX_WORDS
            && !ends_sentence(t)
            && !t.ends_with(':')
            && !t.starts_with(['—', '–', '-', '(', '[']);
        let reason = if is_punct_only(t) {
            Some(RemovalReason::Boilerplate)
        } else if is_code(t) || is_script(t) {
            Some(RemovalReason::Code)
        } else if out
            .title
            .as_deref()
            .is_some_and(|title| t.eq_ignore_ascii_case(title))
        {
            Some(RemovalReason::Repeated)
        } else if is_ui_line(t, w) {
            Some(RemovalReason::Boilerplate)
        } else if let Some(m) = meta.get(i).and_then(Option::as_ref) {
            match m {
                Meta::Byline { author, outlet } => {
                    byline_author.get_or_insert_with(|| author.clone());
                    if let Some(o) = outlet {
                        byline_outlet.get_or_insert_with(|| o.clone());
                    }
                }
                Meta::Dateline { place, date } => {
                    out.dateline.get_or_insert_with(|| place.clone());
                    if date.year.is_some() {
                        text_date.get_or_insert(*date);
                    }
                }
                Meta::Date { section, date } => {
                    if let Some(s) = section {
                        out.section.get_or_insert_with(|| s.clone());
                    }
                    text_date.get_or_insert(*date);
                }
            }
            Some(RemovalReason::Metadata)
        } else if let Some((author, outlet)) = byline(t, w) {
            // A byline below the header (after a caption or a standfirst).
            byline_author.get_or_insert(author);
            if let Some(o) = outlet {
                byline_outlet.get_or_insert(o);
            }
            Some(RemovalReason::Metadata)
        } else if (short && seen_short.contains(&ascii_key(t, &mut key_buf)))
            || is_standfirst(&lines, &body_starts, i)
        {
            Some(RemovalReason::Repeated)
        } else if outlet_lines.is_some_and(|o| {
            index.may_be_boilerplate(w)
                && index.is_boilerplate_in(o, index::line_key(t, &mut key_buf), w)
        }) {
            Some(RemovalReason::OutletBoilerplate)
        } else {
            None
        };
        // Only header lines and furniture make later copies repeats: a short line repeated
        // inside the body (a table cell, a list item, a recurring subhead) is content.
        if short && (i < header_end || reason.is_some()) {
            seen_short.insert(ascii_key(t, &mut key_buf));
        }
        if let Some(r) = reason {
            fate[i] = Fate::Removed(r);
            out.removed.push(RemovedLine {
                text: raw.text[line.orig_bytes.clone()].to_string(),
                span: line.span,
                reason: r,
            });
        }
    }

    let kept: Vec<usize> = (0..n).filter(|&i| fate[i] == Fate::Keep).collect();
    build_text(&lines, &kept, &mut out);

    // Subheads: headline-shaped kept lines with a body paragraph right before and right after
    // them. Lines inside runs of short lines are page furniture the rules did not catch, not
    // section heads.
    for k in kept.windows(3) {
        let (p, i, q) = (k[0], k[1], k[2]);
        let t = text_of(i);
        if is_body[p]
            && is_body[q]
            && !is_body[i]
            && !ends_sentence(t)
            && is_headline_shape(t, words_of(i), SUBHEAD_MAX_WORDS)
            && byline(t, words_of(i)).is_none()
        {
            out.subheads.push(t.to_string());
        }
    }
    if out.dateline.is_none() {
        if let Some(&i) = kept.first() {
            out.dateline = lead_dateline(text_of(i)).map(str::to_string);
        }
    }
    let kept_lines: Vec<(&str, usize)> = kept.iter().map(|&i| (text_of(i), words_of(i))).collect();
    let cues = kind::PageCues {
        captions: (0..n)
            .filter(|&i| {
                let (t, w) = (text_of(i), words_of(i));
                is_caption(t, w) || is_credited_caption(t, w) || is_credit_line(t, w)
            })
            .count(),
        video: (0..n).filter(|&i| kind::is_video_line(text_of(i))).count(),
        // Reports that open with an agency's dateline, and bylines: several on a page make
        // it a page of several articles (an aggregator, a news digest).
        article_starts: (0..n)
            .filter(|&i| {
                let (t, w) = (text_of(i), words_of(i));
                !(is_caption(t, w) || is_credited_caption(t, w))
                    && (wire_dateline(t) || byline(t, w).is_some())
            })
            .count()
            + inline_author_count,
    };
    out.non_article = kind::non_article(&kept_lines, cues);
    // A junk title dropped with no headline in the header: the lede's first sentence, cut to
    // a headline's length, names the article better than its id does.
    if dropped_title && out.title.is_none() && out.non_article.is_none() {
        out.title = title::from_lede(&out.text);
    }

    out.author = raw
        .author
        .as_deref()
        .map(|a| clean_author(a, raw.outlet.as_deref()))
        .filter(|a| !a.is_empty())
        .or(byline_author)
        .or(inline_author.first().map(|(a, _)| a.clone()));
    for (_, removed) in inline_author {
        let at = out
            .removed
            .partition_point(|r| r.span.start < removed.span.start);
        out.removed.insert(at, removed);
    }
    out.outlet = raw
        .outlet
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .or(byline_outlet);
    match raw.published.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => match parse_published(p, now) {
            Ok(v) => out.published = Some(v),
            Err(reason) => out.published_flag = Some(format!("{reason}: {p:?}")),
        },
        None => {
            if let Some(d) = text_date {
                match date::build(d, now) {
                    Ok(v) => out.published = Some(v),
                    Err(reason) => out.published_flag = Some(format!("{reason} (date in text)")),
                }
            }
        }
    }
    if !cards.is_empty() {
        remove_cards(&raw.text, &cards, &lines, &fate, &mut out.removed);
    }
    out
}

/// Records the inline cards ([`cards`]) of the lines that stay in `removed`, as boilerplate,
/// keeping `removed` in original order. A removed line already holds its cards.
fn remove_cards(
    text: &str,
    cards: &[std::ops::Range<usize>],
    lines: &Lines,
    fate: &[Fate],
    removed: &mut Vec<RemovedLine>,
) {
    let mut cp = 0u32;
    let mut at = 0usize;
    for card in cards {
        cp += text[at..card.start].chars().count() as u32;
        let len = text[card.clone()].chars().count() as u32;
        at = card.start;
        let span = ibid_core::Span::new(cp, cp + len);
        // The line holding the card: the last one starting at or before it (lines are in order).
        let i = lines
            .lines
            .partition_point(|l| l.orig_bytes.start <= card.start);
        let line_removed = i > 0
            && card.end <= lines.lines[i - 1].orig_bytes.end
            && matches!(fate[i - 1], Fate::Removed(_));
        if !line_removed {
            removed.push(RemovedLine {
                text: text[card.clone()].to_string(),
                span,
                reason: RemovalReason::Boilerplate,
            });
        }
    }
    removed.sort_by_key(|r| r.span.start);
}

/// The first header line (before the first body paragraph) that may be the headline when the
/// given title (`not`) is not one: headline-shaped, three words or more, not furniture, not
/// metadata, not a standfirst.
fn headline_in_header(
    lines: &Lines,
    header_end: usize,
    not: &str,
    outlet: Option<&str>,
) -> Option<usize> {
    (0..header_end.min(lines.lines.len())).find(|&i| {
        let line = &lines.lines[i];
        let t = lines.text(line);
        !t.eq_ignore_ascii_case(not)
            && !is_punct_only(t)
            && !is_code(t)
            && !is_ui_line(t, line.words)
            && byline(t, line.words).is_none()
            && title::may_be_headline(t, line.words, outlet)
    })
}

/// Cuts bylines run into the start of a paragraph (`By Jane Roe. CAIRO (Agency) - ...`, see
/// [`rules::inline_byline`]) off the lines that have one, and returns each author with the cut
/// part as a removed line.
fn cut_inline_byline(lines: &mut Lines, original: &str) -> Vec<(String, RemovedLine)> {
    let mut out = Vec::new();
    for i in 0..lines.lines.len() {
        let l = &lines.lines[i];
        if l.words <= 16 {
            continue;
        }
        if let Some((author, bytes)) = inline_byline(lines.text(l)) {
            out.push(cut_line_start(lines, original, i, author, bytes));
        }
    }
    out
}

/// Cuts the first `bytes` of normalised line `i` off it (see [`cut_inline_byline`]).
fn cut_line_start(
    lines: &mut Lines,
    original: &str,
    i: usize,
    author: String,
    bytes: usize,
) -> (String, RemovedLine) {
    let line = &mut lines.lines[i];
    let cut = &lines.norm[line.norm.start..line.norm.start + bytes];
    let chars = cut.chars().count();
    let words = cut.split(' ').filter(|w| !w.is_empty()).count();
    let start = line.span.start;
    let end = lines.origins[line.origins.start + chars];
    // The original bytes of the cut: from the line's start to the first kept code point.
    let end_byte = line.orig_bytes.start
        + original[line.orig_bytes.clone()]
            .char_indices()
            .nth((end - start) as usize)
            .map_or(line.orig_bytes.len(), |(b, _)| b);
    // The removed span is the trimmed text, so that it slices exactly that text; the spaces
    // after it belong to neither the byline nor the kept text.
    let text = original[line.orig_bytes.start..end_byte].trim_end();
    let removed = RemovedLine {
        text: text.to_string(),
        span: Span::new(start, start + text.chars().count() as u32),
        reason: RemovalReason::Metadata,
    };
    line.norm.start += bytes;
    line.origins.start += chars;
    line.orig_bytes.start = end_byte;
    line.span = Span::new(end, line.span.end);
    line.words -= words;
    (author, removed)
}

/// Hash of the ASCII-lower-cased line, for equality of short lines.
fn ascii_key(s: &str, buf: &mut String) -> u64 {
    buf.clear();
    buf.push_str(s);
    buf.make_ascii_lowercase();
    xxhash_rust::xxh3::xxh3_64(buf.as_bytes())
}

/// Joins the kept lines with blank lines and records where every code point came from.
fn build_text(lines: &Lines, kept: &[usize], out: &mut CleanedArticle) {
    let len: usize = kept.iter().map(|&i| lines.lines[i].norm.len() + 2).sum();
    let mut text = String::with_capacity(len);
    let mut origins: Vec<u32> = Vec::with_capacity(len);
    let mut prev: Option<&Line> = None;
    for &i in kept {
        let line = &lines.lines[i];
        if let Some(p) = prev {
            text.push_str("\n\n");
            origins.extend([p.span.end, p.span.end]);
        }
        text.push_str(lines.text(line));
        origins.extend_from_slice(&lines.origins[line.origins.clone()]);
        prev = Some(line);
    }
    let end = prev.map_or(0, |p| p.span.end);
    out.text = text;
    out.offsets = OffsetMap::new(origins, end);
}

/// A standfirst: a short-ish line without a final period that repeats the start of another,
/// longer body paragraph (before or after it).
fn is_standfirst(lines: &Lines, body_starts: &BodyStarts, i: usize) -> bool {
    let li = &lines.lines[i];
    if !(STANDFIRST_MIN_WORDS..=STANDFIRST_MAX_WORDS).contains(&li.words) {
        return false;
    }
    let a = lines.text(li);
    !ends_with_period(a) && body_starts.is_opened_by(a, li.words)
}

/// Recognises the metadata a header line carries, if it is nothing but metadata.
fn header_meta(t: &str, words: usize, now: DateTime<Utc>) -> Option<Meta> {
    if let Some((author, outlet)) = byline(t, words) {
        return Some(Meta::Byline { author, outlet });
    }
    if words > META_MAX_WORDS || !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // A bare date line: "July 15, 2018", "Updated 5 September 2017 10:00".
    if let Ok(date) = date::parse_parts(t, now) {
        return Some(Meta::Date {
            section: None,
            date,
        });
    }
    // "Place, Region, <date>".
    for (k, _) in t.match_indices(", ") {
        let (place, rest) = (&t[..k], &t[k + 2..]);
        if is_place(place) && !starts_with_calendar_word(place) {
            if let Ok(date) = date::parse_parts(rest, now) {
                return Some(Meta::Dateline {
                    place: place.to_string(),
                    date,
                });
            }
        }
    }
    // "Section [Subsection] <date>": one to three capitalised words before a full date.
    let mut rest = t;
    for _ in 0..3 {
        let (word, tail) = rest.split_once(' ')?;
        if !word.chars().next().is_some_and(char::is_uppercase)
            || !word.chars().all(char::is_alphabetic)
        {
            return None;
        }
        rest = tail;
        if let Ok(date) = date::parse_parts(rest, now) {
            // A section line with a partial date is too weak a signal.
            date.year?;
            let first = t.split(' ').next().unwrap_or("");
            let section = (!starts_with_calendar_word(first)).then(|| first.to_string());
            return Some(Meta::Date { section, date });
        }
    }
    None
}

fn starts_with_calendar_word(s: &str) -> bool {
    let first = s
        .split([' ', ','])
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    matches!(
        first.as_str(),
        "published" | "updated" | "posted" | "last" | "date" | "on"
    ) || date::is_calendar_word(&first)
}

#[cfg(test)]
mod tests;
