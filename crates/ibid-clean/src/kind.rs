//! Pages that are not articles: weather and market widgets, index and landing pages, photo
//! galleries, video pages, forms.
//!
//! Scraped "articles" include pages that carry no report at all. They are recognised from the
//! structure of what is left after cleaning, never from any site's wording:
//! - **little running text**: an article has paragraphs of prose; a gallery, a video page or a
//!   form has captions, labels and links, which cleaning removes or which are too short;
//! - **a table of figures**: most lines are short rows of numbers (forecasts, prices, scores);
//! - **a list of links**: most lines are short, headline-like and without sentence ends, with
//!   little prose between them (index, landing and section pages).
//!
//! Such pages keep their cleaning, duplicates and search; the pipeline keeps them out of
//! stories.

use std::sync::LazyLock;

use regex::Regex;

use crate::rules::ends_sentence;

/// Fewest words of running text (see [`prose_words`]) an article has: a short news brief has
/// two or three sentences.
pub(crate) const MIN_PROSE_WORDS: usize = 40;
/// Fewest words of running text of an article on a page with a video player or a gallery of
/// captioned pictures: less is the video's or the gallery's description.
pub(crate) const MEDIA_PROSE_WORDS: usize = 100;
/// Captions that make a page a gallery when it has little else.
const GALLERY_CAPTIONS: usize = 3;
/// Fewest lines a table or a link list is judged on.
const MIN_LIST_LINES: usize = 10;
/// Most running text a link list may carry (teasers between its links).
const LIST_MAX_PROSE_WORDS: usize = 250;

/// A sentence end inside a line: `word. Next`, or the line's end.
static SENTENCE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[\p{L}\p{N})\]”"’%][.!?…]["”’)\]]*(?:\s+["“‘(]?\p{Lu}|\s*$)"#)
        .expect("valid sentence regex")
});

/// Words of running text in `lines`: lines of at least 12 words that hold a sentence end.
/// Headlines, captions cut by cleaning, link labels and table rows do not count; summary
/// bullets (long lines in sentence case without a final stop) count half.
pub(crate) fn prose_words(lines: &[(&str, usize)]) -> usize {
    let mut full = 0;
    let mut half = 0;
    for (t, w) in lines {
        if *w >= 12 && SENTENCE_END.is_match(t) {
            full += w;
        } else if *w >= 10 && is_sentence_case(t) {
            half += w;
        }
    }
    full + half / 2
}

/// Most words after the first start with a lower-case letter (a sentence, not a Title Case
/// headline).
fn is_sentence_case(t: &str) -> bool {
    let words: Vec<&str> = t.split(' ').skip(1).filter(|w| !w.is_empty()).collect();
    let lower = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    lower * 10 >= words.len() * 6
}

/// What the page around the text shows, from the lines cleaning removed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PageCues {
    /// Picture captions and credits.
    pub(crate) captions: usize,
    /// Video player furniture: `Video`, `Watch`, `Now playing`, a running time `2:31`.
    pub(crate) video: usize,
    /// Lines that open a report (a dateline) or sign one (a byline).
    pub(crate) article_starts: usize,
}

/// Datelines and bylines on one page that make it a page of several reports.
const SEVERAL_REPORTS: usize = 4;

/// Video player furniture on a line of its own (see [`PageCues::video`]).
static VIDEO_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:play |watch )?video|videos|watch(?: now| live)?|now playing|up next|media playback.*|replay|\d{1,2}:\d{2})[.:•]?$")
        .expect("valid video regex")
});

/// True when a line is video player furniture.
pub(crate) fn is_video_line(t: &str) -> bool {
    t.len() <= 80 && VIDEO_LINE.is_match(t)
}

/// A row of a table of figures: short, and a quarter or more of its characters are digits
/// or the symbols of figures (`72°F 55% +1.25 $3.40`).
fn is_figure_row(t: &str, words: usize) -> bool {
    if words > 10 {
        return false;
    }
    let (mut figures, mut all) = (0usize, 0usize);
    for c in t.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if c.is_ascii_digit() || "°%$€£+-−./:,".contains(c) {
            figures += 1;
        }
    }
    all > 0 && figures * 4 >= all && t.chars().any(|c| c.is_ascii_digit())
}

/// Why a page whose kept lines (text, words) are `kept` is not an article, or `None`.
pub(crate) fn non_article(kept: &[(&str, usize)], cues: PageCues) -> Option<String> {
    let prose = prose_words(kept);
    let n = kept.len();
    if cues.video > 0 && prose < MEDIA_PROSE_WORDS {
        return Some(format!(
            "video page: {prose} words of prose beside the player"
        ));
    }
    if cues.captions >= GALLERY_CAPTIONS && prose < MEDIA_PROSE_WORDS {
        return Some(format!(
            "photo gallery: {} captions, {prose} words of prose",
            cues.captions
        ));
    }
    if n == 0 {
        return Some("no text left after cleaning".to_string());
    }
    if cues.article_starts >= SEVERAL_REPORTS {
        return Some(format!(
            "several reports on one page: {} datelines and bylines",
            cues.article_starts
        ));
    }
    if n >= MIN_LIST_LINES {
        let rows = kept.iter().filter(|(t, w)| is_figure_row(t, *w)).count();
        if rows * 2 >= n {
            return Some(format!(
                "table of figures: {rows} of {n} lines are rows of numbers"
            ));
        }
        let short = kept
            .iter()
            .filter(|(t, w)| *w <= 12 && !ends_sentence(t))
            .count();
        if short * 10 >= n * 7 && prose < LIST_MAX_PROSE_WORDS {
            return Some(format!(
                "list of links or headlines: {short} of {n} lines are short, {prose} words of prose"
            ));
        }
    }
    if prose < MIN_PROSE_WORDS {
        return Some(format!(
            "little running text: {prose} words of prose in {n} lines"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(&str, usize)> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| (l, l.split_whitespace().count()))
            .collect()
    }

    const REPORT: &str = "The harbour council voted on Monday to close the old ferry terminal after a decade of losses, members said.
Members said the terminal had lost money every year since the new bridge opened, and that repairs would cost more than the town could pay.
The mayor said the vote was hard but necessary. Ferry workers will be offered jobs at the new marina, she added.";

    #[test]
    fn a_report_is_an_article() {
        assert_eq!(non_article(&lines(REPORT), PageCues::default()), None);
    }

    #[test]
    fn media_pages_need_more_than_a_description() {
        let description = "The two ministers met in the port on Monday to sign the ferry deal that ends a decade of losses on the old line, the council said in a statement.\nShe added that the deal would be signed again next year, when the new terminal opens to traffic and the old quay closes for repairs.";
        assert_eq!(non_article(&lines(description), PageCues::default()), None);
        let video = PageCues {
            video: 1,
            ..PageCues::default()
        };
        assert!(non_article(&lines(description), video)
            .unwrap()
            .starts_with("video page"));
        let gallery = PageCues {
            captions: 5,
            ..PageCues::default()
        };
        assert!(non_article(&lines(description), gallery)
            .unwrap()
            .starts_with("photo gallery"));
        let long = format!("{REPORT}\n{REPORT}");
        assert_eq!(
            non_article(&lines(&long), gallery),
            None,
            "a report with pictures"
        );
        let digest = PageCues {
            article_starts: 5,
            ..PageCues::default()
        };
        assert!(non_article(&lines(REPORT), digest)
            .unwrap()
            .starts_with("several reports"));
        assert!(is_video_line("Now Playing:"));
        assert!(is_video_line("2:31"));
        assert!(!is_video_line(
            "Watch the council debate the ferry deal on Monday."
        ));
    }

    #[test]
    fn pages_without_prose_are_not_articles() {
        assert!(non_article(&[], PageCues::default())
            .unwrap()
            .starts_with("no text"));
        let gallery = "Harbour at dawn\nThe old terminal\nWorkers on the quay\nNext";
        assert!(non_article(&lines(gallery), PageCues::default())
            .unwrap()
            .starts_with("little running text"));
    }

    #[test]
    fn forecast_tables_are_not_articles() {
        let mut page = String::from(REPORT);
        for d in [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed",
        ] {
            page.push_str(&format!("\n{d} 72°/55° 10%"));
        }
        let why = non_article(&lines(&page), PageCues::default()).unwrap();
        assert!(why.starts_with("table of figures"), "{why}");
    }

    #[test]
    fn link_lists_are_not_articles() {
        let mut page = String::from("Council votes to close the ferry terminal after long debate in the town hall on Monday night, members said.");
        for i in 0..14 {
            page.push_str(&format!("\nHarbour news item number {i} for the week"));
        }
        let why = non_article(&lines(&page), PageCues::default()).unwrap();
        assert!(why.starts_with("list of links"), "{why}");
        // The same headlines between long paragraphs are subheads of a report.
        let mut report = String::new();
        for i in 0..6 {
            report.push_str(&format!("Harbour news item {i}\n{REPORT}\n"));
        }
        assert_eq!(non_article(&lines(&report), PageCues::default()), None);
    }
}
