//! Speaker identity for scoring: who a gold source is, and whether ibid's speaker is that
//! person.
//!
//! A speaker is right only when it is the same person as the gold source, not a namesake:
//! "Bill Clinton" for a quote by Hillary Clinton is wrong, and so is a bare "Trump" where the
//! document names the speaker in full. Names are compared by their first and last name word
//! (titles and honorifics dropped, case, dots and hyphens folded), with given names that are
//! one name's short form ("Ken"/"Kenneth", "Bill"/"William", from `data/nicknames.txt`)
//! counted as the same.

use ibid_core::Span;
use serde::{Deserialize, Serialize};

use crate::gazetteer::{key, Gazetteer};
use crate::vocab::{HONORIFICS, TITLES};

/// Who a gold source is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    /// A named speaker: first and last name word, folded by [`key`]. `first` is `None` when
    /// the document gives only the surname.
    Named {
        /// Given name (or the first word of an organisation's name).
        first: Option<String>,
        /// Surname (or the last word of an organisation's name).
        last: String,
    },
    /// A surname that several people of the document carry, with nothing in the source to
    /// tell which: any of them counts (reported apart, so the leniency is visible).
    Ambiguous {
        /// The shared surname.
        last: String,
        /// The given names of the people carrying it.
        firsts: Vec<String>,
    },
    /// A source that names no one (a description, a group, a pronoun with no named
    /// antecedent): ibid's speaker must come from that mention (its span overlaps the
    /// source).
    Unnamed,
}

/// Words of a name without leading determiners, titles and honorifics, and without a
/// trailing possessive: "President Donald J. Trump's" → `donald j trump`.
pub fn name_words(name: &str) -> Vec<String> {
    let k = key(name.trim_end_matches("'s").trim_end_matches("’s"));
    let mut words: Vec<String> = k
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    while words.len() > 1 {
        let w = words[0].as_str();
        if matches!(w, "the" | "a" | "an" | "former" | "then" | "late")
            || TITLES.contains(&w)
            || HONORIFICS.contains(&w)
        {
            words.remove(0);
        } else {
            break;
        }
    }
    words
}

/// True when two given names are the same person's ([`Gazetteer::same_given`]).
pub fn same_given(gaz: &Gazetteer, a: &str, b: &str) -> bool {
    gaz.same_given(a, b)
}

/// Whether ibid's speaker (`speaker`, attributed by the mention at `speaker_span`) is the
/// gold source `gold` (whose mention covers `source`).
pub fn same_speaker(
    gaz: &Gazetteer,
    speaker: Option<&str>,
    speaker_span: Option<Span>,
    gold: &Identity,
    source: &[Span],
) -> bool {
    let Some(speaker) = speaker else {
        return false;
    };
    let words = name_words(speaker);
    let (Some(p_first), Some(p_last)) = (words.first(), words.last()) else {
        return false;
    };
    match gold {
        Identity::Named { first, last } => {
            if p_last != last {
                return false;
            }
            match first {
                // The document names the person in full: a bare surname is not enough.
                Some(f) => words.len() >= 2 && same_given(gaz, p_first, f),
                None => true,
            }
        }
        Identity::Ambiguous { last, firsts } => {
            p_last == last
                && (words.len() == 1 || firsts.iter().any(|f| same_given(gaz, p_first, f)))
        }
        Identity::Unnamed => speaker_span.is_some_and(|s| {
            source
                .iter()
                .any(|g| s.start.max(g.start) < s.end.min(g.end))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namesakes_and_bare_surnames_are_wrong() {
        let g = Gazetteer::bundled();
        let hillary = Identity::Named {
            first: Some("hillary".into()),
            last: "clinton".into(),
        };
        assert!(same_speaker(
            &g,
            Some("Hillary Clinton"),
            None,
            &hillary,
            &[]
        ));
        assert!(same_speaker(
            &g,
            Some("Mrs. Hillary Rodham Clinton"),
            None,
            &hillary,
            &[]
        ));
        assert!(!same_speaker(&g, Some("Bill Clinton"), None, &hillary, &[]));
        assert!(!same_speaker(&g, Some("Clinton"), None, &hillary, &[]));
        let only_surname = Identity::Named {
            first: None,
            last: "clinton".into(),
        };
        assert!(same_speaker(&g, Some("Clinton"), None, &only_surname, &[]));
        assert!(!same_speaker(&g, None, None, &only_surname, &[]));
    }

    #[test]
    fn short_forms_and_unnamed_sources() {
        let g = Gazetteer::bundled();
        let ken = Identity::Named {
            first: Some("kenneth".into()),
            last: "starr".into(),
        };
        assert!(same_speaker(&g, Some("Ken Starr"), None, &ken, &[]));
        let bill = Identity::Named {
            first: Some("william".into()),
            last: "clinton".into(),
        };
        assert!(same_speaker(&g, Some("Bill Clinton"), None, &bill, &[]));
        assert!(!same_speaker(&g, Some("Hillary Clinton"), None, &bill, &[]));
        let src = [Span::new(10, 22)];
        assert!(same_speaker(
            &g,
            Some("senior official"),
            Some(Span::new(14, 22)),
            &Identity::Unnamed,
            &src
        ));
        assert!(!same_speaker(
            &g,
            Some("senior official"),
            Some(Span::new(30, 38)),
            &Identity::Unnamed,
            &src
        ));
        assert_eq!(
            name_words("President Donald J. Trump’s"),
            ["donald", "j", "trump"]
        );
    }
}
