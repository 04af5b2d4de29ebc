//! Unit tests of `clean` on made-up articles: every rule, removing and keeping.

use super::*;
use chrono::TimeZone;
use ibid_core::TimePrecision;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).single().unwrap()
}

fn raw(text: &str) -> RawArticle {
    RawArticle {
        id: "t".into(),
        text: text.into(),
        ..RawArticle::default()
    }
}

fn run(text: &str) -> CleanedArticle {
    clean_at(&raw(text), &LineIndex::default(), now())
}

fn removed(c: &CleanedArticle) -> Vec<(&str, RemovalReason)> {
    c.removed
        .iter()
        .map(|r| (r.text.as_str(), r.reason))
        .collect()
}

const P1: &str = "The council met on Monday to discuss the new budget for the coming year.";
const P2: &str = "Officials said the plan would be published in full later this month.";
const P3: &str = "Critics called the proposal a missed chance to fix the city's roads.";

#[test]
fn body_only_article_is_untouched_but_normalised() {
    let c = run(&format!("{P1}\r\n{P2}\u{00A0}\u{00A0}\n\n  {P3}"));
    assert_eq!(c.text, format!("{P1}\n\n{P2}\n\n{P3}"));
    assert!(c.removed.is_empty());
    assert_eq!(c.title, None);
    assert!(c.subheads.is_empty());
}

#[test]
fn offsets_map_back_and_separators_use_previous_line_end() {
    let src = format!("{P1}\n\n{P2}");
    let c = run(&src);
    let p1 = P1.chars().count() as u32;
    assert_eq!(c.offsets.len(), c.text.chars().count());
    assert_eq!(c.offsets.to_original(0), 0);
    assert_eq!(c.offsets.to_original(P1.len()), p1); // first separator char
    assert_eq!(c.offsets.to_original(P1.len() + 1), p1);
    assert_eq!(c.offsets.to_original(P1.len() + 2), p1 + 2); // first char of P2
    assert_eq!(
        c.offsets.to_original(c.offsets.len()),
        src.chars().count() as u32
    );
}

#[test]
fn headline_first_line_lifted_and_repeats_removed() {
    let c = run(&format!(
        "...\n\nCouncil Backs New Budget\n\n{P1}\nCouncil Backs New Budget\n{P2}"
    ));
    assert_eq!(c.title.as_deref(), Some("Council Backs New Budget"));
    assert_eq!(
        removed(&c),
        [
            ("...", RemovalReason::Boilerplate),
            ("Council Backs New Budget", RemovalReason::Repeated)
        ]
    );
    assert_eq!(c.text, format!("{P1}\n\n{P2}"));
}

#[test]
fn no_title_without_a_following_body_or_with_a_period() {
    assert_eq!(
        run("Council Backs New Budget\nAnother short line").title,
        None
    );
    let c = run(&format!("The council met.\n{P1}"));
    assert_eq!(c.title, None);
    assert!(c.text.starts_with("The council met."));
}

#[test]
fn given_title_is_used_and_its_header_copy_lifted() {
    let mut r = raw(&format!("Council backs new budget\n{P1}\n{P2}"));
    r.title = Some("Council Backs\u{00A0}New Budget".into());
    let c = clean_at(&r, &LineIndex::default(), now());
    assert_eq!(c.title.as_deref(), Some("Council Backs New Budget"));
    assert!(c.removed.is_empty());
    assert_eq!(c.text, format!("{P1}\n\n{P2}"));
}

#[test]
fn subheads_stay_in_text() {
    let c = run(&format!(
        "{P1}\nWhat comes next for the city\n{P2}\nBudget: the details\n{P3}\nLast short line"
    ));
    assert_eq!(
        c.subheads,
        ["What comes next for the city", "Budget: the details"]
    );
    assert!(c.text.contains("What comes next for the city"));
    // A short line after the last body paragraph is not a subhead (nothing follows it).
    assert!(!c.subheads.iter().any(|s| s == "Last short line"));
    assert!(c.text.ends_with("Last short line"));
}

#[test]
fn list_lead_in_and_lower_case_lines_are_not_subheads() {
    let c = run(&format!(
        "{P1}\nThe plan includes:\n{P2}\nand then some\n{P3}"
    ));
    assert!(c.subheads.is_empty());
}

#[test]
fn ui_lines_removed_body_lines_with_ui_words_kept() {
    let c = run(&format!(
        "{P1}\nShare prices fell after the vote, traders said.\n› Subscribe\nFollow the money\n{P2}\nYour Comment\nPlease enter your name here\nRelated\nMore Articles"
    ));
    assert_eq!(
        removed(&c),
        [
            ("› Subscribe", RemovalReason::Boilerplate),
            ("Your Comment", RemovalReason::Boilerplate),
            ("Please enter your name here", RemovalReason::Boilerplate),
            ("Related", RemovalReason::Boilerplate),
            ("More Articles", RemovalReason::Boilerplate),
        ]
    );
    assert!(c.text.contains("Share prices fell"));
    assert!(c.text.contains("Follow the money"));
}

#[test]
fn codes_removed_but_not_numbers_or_words() {
    let c = run(&format!("{P1}\nAB/1234567\n9/11\n{P2}\nXY/ZW"));
    assert_eq!(
        removed(&c),
        [
            ("AB/1234567", RemovalReason::Code),
            ("XY/ZW", RemovalReason::Code)
        ]
    );
    assert!(c.text.contains("9/11"));
}

#[test]
fn code_inside_a_body_line_is_kept() {
    let c = run(&format!("{P1} AB/PA All content is licensed."));
    assert!(c.removed.is_empty());
}

#[test]
fn standfirst_removed_when_it_repeats_a_paragraph_start() {
    let stand = "The council met on Monday to discuss the new budget";
    let c = run(&format!("{stand}\n{P1}\n{P2}"));
    assert_eq!(removed(&c), [(stand, RemovalReason::Repeated)]);
    // Earlier paragraph, later standfirst-like line: removed too.
    let c = run(&format!("{P1}\n{stand}\n{P2}"));
    assert_eq!(removed(&c), [(stand, RemovalReason::Repeated)]);
}

#[test]
fn standfirst_rule_needs_a_word_boundary_and_no_period() {
    // Prefix ends mid-word: kept.
    let c = run(&format!(
        "{P1}\nThe council met on Monday to discuss the new bud\n{P2}"
    ));
    assert!(c.removed.is_empty());
    // A full sentence with a period that starts another paragraph: kept.
    let c = run(&format!(
        "{P1}\nOfficials said the plan would be published.\n{P2}"
    ));
    assert!(c.removed.is_empty());
}

#[test]
fn repeated_header_lines_removed_repeated_body_lines_kept() {
    let c = run(&format!(
        "Council Backs New Budget\nA quiet week at city hall\n{P1}\nA quiet week at city hall\nYes, he said.\n{P2}\nYes, he said.\nSenator Jane Roe\n{P3}\nSenator Jane Roe\nCHAIR:\nOrder.\nCHAIR:"
    ));
    assert_eq!(c.title.as_deref(), Some("Council Backs New Budget"));
    // The header's second line comes back in the body: a repeat.
    assert_eq!(
        removed(&c),
        [("A quiet week at city hall", RemovalReason::Repeated)]
    );
    // Sentences, body-only short lines and speaker labels recur legitimately.
    assert!(c.text.starts_with("A quiet week at city hall\n\n"));
    assert_eq!(c.text.matches("Yes, he said.").count(), 2);
    assert_eq!(c.text.matches("Senator Jane Roe").count(), 2);
    assert_eq!(c.text.matches("CHAIR:").count(), 2);
}

#[test]
fn header_metadata_lines_lifted() {
    let c = run(&format!(
        "Council Backs New Budget\nCity Hall Notes 5 September 2017 21:21 (UTC +04:00)\nSpringfield, Freedonia, Sep. 5\nBy Jane Roe – Daily Planet:\n{P1}\n{P2}"
    ));
    assert_eq!(c.title.as_deref(), Some("Council Backs New Budget"));
    assert_eq!(c.section.as_deref(), Some("City"));
    assert_eq!(c.dateline.as_deref(), Some("Springfield, Freedonia"));
    assert_eq!(c.author.as_deref(), Some("Jane Roe"));
    assert_eq!(c.outlet.as_deref(), Some("Daily Planet"));
    let p = c.published.unwrap();
    assert_eq!(p.to_rfc3339(), "2017-09-05T21:21:00+04:00");
    assert_eq!(p.precision, TimePrecision::Time);
    assert!(c
        .removed
        .iter()
        .all(|r| r.reason == RemovalReason::Metadata));
    assert_eq!(c.removed.len(), 3);
    assert_eq!(c.text, format!("{P1}\n\n{P2}"));
}

#[test]
fn input_fields_win_over_text() {
    let mut r = raw(&format!("By Jane Roe – Daily Planet\nJuly 15, 2018\n{P1}"));
    r.author = Some("John Doe".into());
    r.outlet = Some("Morning Star".into());
    r.published = Some("2019-01-02".into());
    let c = clean_at(&r, &LineIndex::default(), now());
    assert_eq!(c.author.as_deref(), Some("John Doe"));
    assert_eq!(c.outlet.as_deref(), Some("Morning Star"));
    assert_eq!(c.published.unwrap().to_rfc3339(), "2019-01-02T00:00:00Z");
    // The lines still leave the body.
    assert_eq!(c.removed.len(), 2);
}

#[test]
fn untrusted_input_date_is_flagged_not_replaced() {
    let mut r = raw(&format!("July 15, 2018\n{P1}"));
    r.published = Some("0001-01-01".into());
    let c = clean_at(&r, &LineIndex::default(), now());
    assert_eq!(c.published, None);
    let flag = c.published_flag.unwrap();
    assert!(flag.contains("implausible year") && flag.contains("0001-01-01"));
}

#[test]
fn date_line_in_text_used_when_input_has_none() {
    let c = run(&format!("July 15, 2018\n{P1}"));
    assert_eq!(c.published.unwrap().to_rfc3339(), "2018-07-15T00:00:00Z");
}

#[test]
fn dates_inside_the_body_are_kept_bylines_are_lifted() {
    // A byline below a standfirst or a caption is still a byline (scraped pages put it
    // anywhere); a date line in the body is part of the text.
    let c = run(&format!("{P1}\nBy Jane Roe\nJuly 15, 2018\n{P2}"));
    assert_eq!(c.removed.len(), 1);
    assert_eq!(c.removed[0].text, "By Jane Roe");
    assert_eq!(c.removed[0].reason, RemovalReason::Metadata);
    assert_eq!(c.author.as_deref(), Some("Jane Roe"));
    assert_eq!(c.published, None);
    assert!(c.text.contains("July 15, 2018"));
}

#[test]
fn lead_dateline_detected_and_kept_in_text() {
    let c = run(&format!("SPRINGFIELD – {P1}\n{P2}"));
    assert_eq!(c.dateline.as_deref(), Some("SPRINGFIELD"));
    assert!(c.text.starts_with("SPRINGFIELD – "));
    let c = run(&format!("{P1}\nSPRINGFIELD – {P2}"));
    assert_eq!(c.dateline, None);
}

#[test]
fn outlet_boilerplate_needs_same_outlet_and_enough_articles() {
    let mut idx = LineIndex::default();
    for i in 0..6 {
        let mut r = raw(&format!(
            "Story {i} body sentence here.\nListen to the Morning Star podcast"
        ));
        r.outlet = Some("Morning Star".into());
        idx.add(&r);
    }
    let text = format!("{P1}\nListen to the Morning Star podcast\n{P2}");
    let mut r = raw(&text);
    r.outlet = Some("Morning Star".into());
    let c = clean_at(&r, &idx, now());
    assert_eq!(
        removed(&c),
        [(
            "Listen to the Morning Star podcast",
            RemovalReason::OutletBoilerplate
        )]
    );
    r.outlet = Some("Evening Post".into());
    assert!(clean_at(&r, &idx, now()).removed.is_empty());
    r.outlet = None;
    assert!(clean_at(&r, &idx, now()).removed.is_empty());
}

#[test]
fn removed_spans_point_at_the_trimmed_original_line() {
    let src = format!("{P1}\n \u{00A0}AB/123\u{00A0} \n{P2}");
    let c = run(&src);
    let r = &c.removed[0];
    let chars: Vec<char> = src.chars().collect();
    let at: String = chars[r.span.start as usize..r.span.end as usize]
        .iter()
        .collect();
    assert_eq!(at, "AB/123");
    assert_eq!(r.text, "AB/123");
}

#[test]
fn empty_and_blank_inputs() {
    for s in ["", "\n\n", " \u{00A0}\u{200B} "] {
        let c = run(s);
        assert_eq!(c.text, "");
        assert!(c.offsets.is_empty());
        assert!(c.removed.is_empty());
    }
}

/// Pieces random texts are made of: ASCII words, odd spaces, combining marks, line ends.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z]{1,8}".prop_map(|s| s),
        Just(" ".to_string()),
        Just("\u{00A0}".to_string()),
        Just("\u{2009}".to_string()),
        Just("\u{200B}".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\u{0301}".to_string()),
        Just("\u{0327}\u{0301}".to_string()),
        Just("e\u{0301}".to_string()),
        Just("\u{1100}\u{1161}".to_string()),
        Just(". ".to_string()),
        Just("“”–".to_string()),
        Just("›".to_string()),
        Just("AB/12".to_string()),
    ]
}

proptest! {
    #[test]
    fn offsets_are_monotone_in_range_and_faithful(pieces in prop::collection::vec(piece(), 0..60)) {
        let src: String = pieces.concat();
        let orig: Vec<char> = src.chars().collect();
        let c = run(&src);
        let origins = c.offsets.origins();
        prop_assert_eq!(origins.len(), c.text.chars().count());
        let mut prev = 0u32;
        for (ch, &o) in c.text.chars().zip(origins) {
            prop_assert!((o as usize) < orig.len(), "offset {} out of range", o);
            prop_assert!(o >= prev, "offsets decrease");
            prev = o;
            if ch.is_ascii_alphabetic() {
                prop_assert_eq!(orig[o as usize], ch);
            }
        }
        prop_assert!(c.offsets.to_original(origins.len()) as usize <= orig.len());
        prop_assert!(!c.text.contains('\u{00A0}'), "NBSP left");
        prop_assert!(!c.text.contains('\u{200B}'), "ZWSP left");
        prop_assert!(!c.text.contains("  "));
        // Removed lines are real, disjoint, ordered spans of the original.
        let mut end = 0;
        for r in &c.removed {
            prop_assert!(r.span.start >= end && r.span.end as usize <= orig.len());
            end = r.span.end;
        }
    }

    #[test]
    fn parse_published_never_panics(s in "\\PC{0,40}") {
        let _ = parse_published(&s, now());
    }
}

#[test]
fn inline_cards_leave_the_sentence_and_are_kept_in_removed_with_their_spans() {
    let card =
        "Patrick (Pat) Quinn ExampleSenators weigh new bill Example says a vote is near MORE";
    let line = format!("Sen. Pat Example {card} (R-Ore.) said on Monday that the vote would wait.");
    let text = format!("{P1}\n\n{line}\n\n{P2}");
    let c = run(&text);
    assert_eq!(
        c.text,
        format!(
            "{P1}\n\nSen. Pat Example (R-Ore.) said on Monday that the vote would wait.\n\n{P2}"
        )
    );
    assert_eq!(removed(&c), [(card, RemovalReason::Boilerplate)]);
    // The span slices the original text to the card, in code points.
    let chars: Vec<char> = text.chars().collect();
    let r = &c.removed[0];
    let sliced: String = chars[r.span.start as usize..r.span.end as usize]
        .iter()
        .collect();
    assert_eq!(sliced, card);
    // Every kept word still maps back to itself in the original.
    let said = c.text.find("(R-Ore.)").unwrap();
    let cp = c.text[..said].chars().count();
    let orig = c.offsets.to_original(cp) as usize;
    assert_eq!(chars[orig..orig + 8].iter().collect::<String>(), "(R-Ore.)");
}

#[test]
fn a_removed_line_keeps_its_card_in_its_own_entry() {
    // A later copy of the headline with a card in it is removed once, not once more for the
    // card.
    let text = format!(
        "Vote nears for Jo Sample\n\n{P1}\n\nVote nears for Jo Sample Jo Beth SampleNews today MORE\n\n{P2}"
    );
    let c = run(&text);
    assert_eq!(c.title.as_deref(), Some("Vote nears for Jo Sample"));
    assert_eq!(c.text, format!("{P1}\n\n{P2}"));
    assert_eq!(
        removed(&c),
        [(
            "Vote nears for Jo Sample Jo Beth SampleNews today MORE",
            RemovalReason::Repeated
        )]
    );
}

#[test]
fn a_cut_inline_byline_spans_exactly_its_text() {
    let text = format!("{P1}\n\nBy Jane Roe.   CAIRO (Reuters) - {P2}\n\n{P3}");
    let c = run(&text);
    let chars: Vec<char> = text.chars().collect();
    let cut: Vec<_> = c
        .removed
        .iter()
        .filter(|r| r.text.starts_with("By Jane Roe"))
        .collect();
    assert_eq!(cut.len(), 1, "{:?}", c.removed);
    for r in c.removed.iter() {
        let s: String = chars[r.span.start as usize..r.span.end as usize]
            .iter()
            .collect();
        assert_eq!(s, r.text, "removed line span");
    }
}

#[test]
fn a_dropped_junk_title_without_a_headline_is_taken_from_the_lede() {
    let body = [P1, P2, P3].repeat(3).join("\n\n");
    let mut r = raw(&body);
    r.title = Some("Print".into());
    let c = clean_at(&r, &LineIndex::default(), now());
    assert_eq!(c.non_article, None);
    assert_eq!(c.title.as_deref(), Some(P1));
}
