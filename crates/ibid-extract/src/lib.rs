//! ibid's extract stage: who said what, and who is who.
//!
//! * [`extract`] (per article, pure): quotations — direct (curly, straight, doubled `''` and
//!   single marks, several sentences, split by an attribution, partial scare quotes) and
//!   indirect (reporting verb + clause, "according to X", headline "X: claim", and the
//!   complement of attitude verbs: "X wants to …", "X is expected to …", "X questioned …") —
//!   with their speakers, and PER/ORG/LOC mentions with a within-article canonical name.
//!   Attributions are looked for after the quote ("…,” said former Gov. X", "…” ― X"), before
//!   it (nearest reporting verb; for a fragment the outermost reporting clause), on an
//!   introducing line ending in a colon, and else taken from the quote's own sentence
//!   subject or the previous quote. Speakers given by pronoun ("he added") or description
//!   ("the defence minister", "the mayor's aide") are resolved to the person introduced
//!   earlier; plural descriptions ("Italian officials") stay group speakers.
//! * [`merge_entities`] (corpus): merges mentions across articles into entities
//!   (transliteration variants by Jaro-Winkler over folded spellings, hyphen/space variants,
//!   acronyms, the alias table, bare roles like "the Leader" to the one person given that role).
//! * [`link_statements`] (corpus): gives one statement id to renderings of the same statement
//!   (same speaker entity, overlapping content words) across articles.
//!
//! Every span is a code-point span into the article's ORIGINAL text, mapped back through the
//! clean stage's [`ibid_core::OffsetMap`].
//!
//! The rules are general: small vocabularies (titles, reporting verbs, suffix words) in
//! `vocab.rs`, and name lists in `data/` (see `data/README.md`).

mod corpus;
pub mod eval;
mod gazetteer;
mod merge;
mod ner;
mod people;
mod quotes;
mod spans;
mod text;
mod vocab;

use ibid_core::{CleanedArticle, RemovalReason, Span};
use serde::{Deserialize, Serialize};

pub use corpus::{link_statements, merge_entities, CorpusEntities, Entity};
pub use gazetteer::{key as name_key, EntityKind, Gazetteer, Gender};
pub use merge::{
    assign_entities, merge_entity_refs, EntityAssignment, EntityHead, EntityRef, NO_ENTITY,
};

/// A quotation: direct (between marks) or indirect (reported clause).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Original offsets of the quoted text, without the quote marks.
    pub span: Span,
    /// The quoted text (from the cleaned body).
    pub text: String,
    /// Canonical name of the speaker within the article (or a group: "Italian officials").
    pub speaker: Option<String>,
    /// The mention that attributes it: name, pronoun or description.
    pub speaker_span: Option<Span>,
    /// Between quotation marks.
    pub direct: bool,
    /// A fragment quoted inside the writer's own sentence ("... is “not enough” because").
    pub partial: bool,
    /// The rest of the direct quote before it: one quotation interrupted by its attribution
    /// ("“We lost,” she said, “but not for long.”") or running over a paragraph break.
    #[serde(default)]
    pub continues: bool,
    /// How likely this is a quotation with the right extent, from 0 to 1: the precision
    /// the rule that found it reaches on PolNeAR train (see `quotes::confidence`). Lists for
    /// readers show quotes at or above [`CONFIDENT`].
    #[serde(default = "one")]
    pub confidence: f32,
}

fn one() -> f32 {
    1.0
}

/// The confidence from which a quote is shown by default (web UI, API listings): direct
/// quotes, and indirect ones whose rule is right at least seven times in ten on PolNeAR
/// train (a reporting verb with its clause, "according to").
pub const CONFIDENT: f32 = 0.7;

/// A named mention of a person, organisation or place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Original offsets (titles included: "President Putin").
    pub span: Span,
    /// The mention as written.
    pub text: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Within-article canonical name ("Doakes" → "Jane Doakes").
    pub canonical: String,
    /// A bare name that several people of the article carry ("Trump" beside Donald and
    /// Melania Trump), left unresolved: never attached to one of them across articles.
    #[serde(default)]
    pub open: bool,
}

/// Everything [`extract`] finds in one article.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArticleExtraction {
    /// Quotations in text order.
    pub quotes: Vec<Quote>,
    /// Mentions in text order.
    pub mentions: Vec<Mention>,
}

/// Extracts quotes and entity mentions from one cleaned article. Pure; `gaz` is read-only.
pub fn extract(article: &CleanedArticle, gaz: &Gazetteer) -> ArticleExtraction {
    let lowered = text::lower_same_len(&article.text);
    let doc = ner::Doc::new(&article.text, &lowered);
    let men = ner::mentions(&doc, gaz);
    let raw = quotes::Quoter::new(&doc, &men, gaz).run();
    let map = |a: usize, b: usize| {
        let (cs, ce) = (doc.toks[a].cs, doc.toks[b - 1].ce);
        article.offsets.span_to_original(cs, ce)
    };
    let quotes = raw
        .into_iter()
        .map(|q| Quote {
            span: map(q.ts, q.te),
            text: doc.text(q.ts, q.te).to_string(),
            speaker: q.speaker,
            speaker_span: q.speaker_toks.map(|(a, b)| map(a, b)),
            direct: q.direct,
            partial: q.partial,
            continues: q.continues,
            confidence: q.confidence,
        })
        .collect();
    let mut mentions: Vec<Mention> = men
        .iter()
        .map(|m| Mention {
            span: map(m.ts, m.te),
            text: doc.text(m.ts, m.te).to_string(),
            kind: m.kind,
            canonical: m.canonical.clone(),
            open: m.open,
        })
        .collect();
    metadata_mentions(article, &mut mentions);
    mentions.sort_by_key(|m| m.span);
    ArticleExtraction { quotes, mentions }
}

/// Author and outlet lifted out of a byline are mentions too: find them in the removed line.
fn metadata_mentions(article: &CleanedArticle, out: &mut Vec<Mention>) {
    let mut names: Vec<(&str, EntityKind)> = Vec::new();
    if let Some(a) = &article.author {
        for part in a.split(", ").flat_map(|p| p.split(" and ")) {
            names.push((part.trim(), EntityKind::Per));
        }
    }
    if let Some(o) = &article.outlet {
        names.push((o.trim(), EntityKind::Org));
    }
    for (name, kind) in names {
        if name.is_empty() {
            continue;
        }
        for r in article
            .removed
            .iter()
            .filter(|r| r.reason == RemovalReason::Metadata)
        {
            if let Some(b) = r.text.find(name) {
                let start = r.span.start + r.text[..b].chars().count() as u32;
                let span = Span::new(start, start + name.chars().count() as u32);
                out.push(Mention {
                    span,
                    text: name.to_string(),
                    kind,
                    canonical: name.to_string(),
                    open: false,
                });
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ibid_core::OffsetMap;

    fn art(text: &str) -> CleanedArticle {
        CleanedArticle {
            text: text.to_string(),
            offsets: OffsetMap::identity(text.chars().count() as u32),
            ..Default::default()
        }
    }

    fn quotes(text: &str) -> Vec<Quote> {
        extract(&art(text), &Gazetteer::bundled()).quotes
    }

    #[test]
    fn direct_quote_with_trailing_attribution_and_pronoun() {
        let t = "Minister Jane Doakes met reporters in Paris. “We will not give up,” Doakes said. “The talks continue.” Later she added: “Nothing is decided.”";
        let q = quotes(t);
        let d: Vec<_> = q.iter().filter(|q| q.direct).collect();
        assert_eq!(d.len(), 3, "{q:#?}");
        assert_eq!(d[0].text, "We will not give up,");
        for x in &d {
            assert_eq!(x.speaker.as_deref(), Some("Jane Doakes"), "{x:?}");
        }
        let s = d[0].span;
        let chars: Vec<char> = t.chars().collect();
        let got: String = chars[s.start as usize..s.end as usize].iter().collect();
        assert_eq!(got, "We will not give up,");
    }

    #[test]
    fn description_resolves_to_introduced_person() {
        let t = "Defence Minister Karl Brandt met the Polish envoy Piotr Nowak in Berlin. \
                 “We need more cooperation,” the defence minister said.";
        let q = quotes(t);
        assert_eq!(q[0].speaker.as_deref(), Some("Karl Brandt"), "{q:#?}");
    }

    #[test]
    fn indirect_quotes_both_orders() {
        let t = "Anna Kowalski said that the plan would cut costs by half. \
                 The budget will grow next year, the finance ministry said.";
        let q = quotes(t);
        let ind: Vec<_> = q.iter().filter(|q| !q.direct).collect();
        assert_eq!(ind.len(), 2, "{q:#?}");
        assert_eq!(ind[0].text, "the plan would cut costs by half");
        assert_eq!(ind[0].speaker.as_deref(), Some("Anna Kowalski"));
        assert_eq!(ind[1].text, "The budget will grow next year");
    }

    #[test]
    fn partial_and_group_speaker() {
        let t = "Officials in Rome, however, have called the plan “reckless” in a statement. \
                 Italian officials said the offer was “unacceptable” and left.";
        let q = quotes(t);
        let p: Vec<_> = q.iter().filter(|q| q.direct).collect();
        assert!(p.iter().all(|q| q.partial), "{p:#?}");
        assert!(
            q.iter()
                .any(|q| q.speaker.as_deref() == Some("Italian officials")),
            "{q:#?}"
        );
    }

    #[test]
    fn wire_quote_marks_titles_and_dash_attribution() {
        let t = "The mayor spoke on Monday. ''We will rebuild,'' said former Ohio Gov. Jane Doakes, a Democrat. \
                 She was a guest on “Morning Report.”\n“Nothing is decided.” ― Karl Brandt\n\
                 “Why now?” Brandt demanded.";
        let q = quotes(t);
        let d: Vec<_> = q.iter().filter(|q| q.direct).collect();
        assert_eq!(d[0].text, "We will rebuild,", "{q:#?}");
        assert_eq!(d[0].speaker.as_deref(), Some("Jane Doakes"), "{q:#?}");
        // A title in quote marks is no quotation.
        assert!(
            !d.iter().any(|q| q.text.contains("Morning Report")),
            "{q:#?}"
        );
        let by = |s: &str| {
            d.iter()
                .find(|q| q.text == s)
                .and_then(|q| q.speaker.clone())
        };
        assert_eq!(by("Nothing is decided.").as_deref(), Some("Karl Brandt"));
        assert_eq!(by("Why now?").as_deref(), Some("Karl Brandt"));
    }

    #[test]
    fn headline_single_quotes_colon_claims_and_attitudes() {
        let t = "Mayor Calls Plan ‘A Disaster’ for the City\n\
                 Poll: Voters Turn Against the Mayor\n\
                 The council wants to delay the vote until spring. Six in 10 residents say the plan costs too much.";
        let q = quotes(t);
        assert!(
            q.iter().any(|q| q.direct && q.text == "A Disaster"),
            "{q:#?}"
        );
        assert!(
            q.iter()
                .any(|q| !q.direct && q.text == "Voters Turn Against the Mayor"),
            "{q:#?}"
        );
        assert!(
            q.iter()
                .any(|q| !q.direct && q.text.starts_with("to delay the vote")),
            "{q:#?}"
        );
        let six = q.iter().find(|q| q.text.starts_with("the plan costs"));
        assert_eq!(
            six.and_then(|q| q.speaker.as_deref()),
            Some("Six in 10 residents"),
            "{q:#?}"
        );
    }

    #[test]
    fn entities_titles_acronyms_and_places() {
        let t = "President Maria Lindqvist of the National Energy Agency (NEA) visited Cairo. \
                 The NEA said Lindqvist would return to Egypt.";
        let e = extract(&art(t), &Gazetteer::bundled());
        let find = |s: &str| {
            e.mentions
                .iter()
                .find(|m| m.text == s)
                .map(|m| (m.kind, m.canonical.clone()))
        };
        assert_eq!(
            find("President Maria Lindqvist"),
            Some((EntityKind::Per, "Maria Lindqvist".into()))
        );
        assert_eq!(
            find("Lindqvist"),
            Some((EntityKind::Per, "Maria Lindqvist".into()))
        );
        assert_eq!(
            find("NEA"),
            Some((EntityKind::Org, "National Energy Agency".into()))
        );
        assert_eq!(find("Cairo").map(|x| x.0), Some(EntityKind::Loc));
        assert_eq!(find("Egypt").map(|x| x.0), Some(EntityKind::Loc));
    }

    /// The speaker of the direct quote whose text starts with `start`, and its span text.
    fn speaker_of(t: &str, start: &str) -> (Option<String>, String) {
        let q = quotes(t);
        let Some(x) = q.iter().find(|q| q.direct && q.text.starts_with(start)) else {
            panic!("no quote {start:?} in {q:#?}");
        };
        let chars: Vec<char> = t.chars().collect();
        let span = x
            .speaker_span
            .map(|s| chars[s.start as usize..s.end as usize].iter().collect())
            .unwrap_or_default();
        (x.speaker.clone(), span)
    }

    #[test]
    fn relative_pronoun_subjects_and_embedded_objects() {
        let t = "Senator Mara Quillon spoke first. Later the crowd heard from Tobias Wendt, \
                 who joked, “I have not read it yet.”";
        let (who, span) = speaker_of(t, "I have not read");
        assert_eq!(who.as_deref(), Some("Tobias Wendt"));
        assert!(span.ends_with("who"), "{span}");
        // The relative clause describes the object of an outer report: that report wins.
        let t = "Ana Pellis told a student who suggested otherwise that “nobody is giving up \
                 on this city.”";
        let (who, _) = speaker_of(t, "nobody is giving up");
        assert_eq!(who.as_deref(), Some("Ana Pellis"));
    }

    #[test]
    fn naming_verbs_and_put_it() {
        let t = "Cleveland sought the convention to shed what Mayor Ada Gilbert called “a \
                 perception problem” for years.";
        assert_eq!(
            speaker_of(t, "a perception").0.as_deref(),
            Some("Ada Gilbert")
        );
        // A participle after a noun is a passive, not a speaker: no speaker from "film".
        let t = "Mayor Ines Carrow praised a short film called “Open Doors” at the gala.";
        let q = quotes(t);
        assert!(
            q.iter().all(|q| q.speaker.as_deref() != Some("short film")),
            "{q:#?}"
        );
        let t = "The program is “a lawful path to investment,” as a Treasury memo put it.";
        let (who, span) = speaker_of(t, "a lawful path");
        assert_eq!(span, "a Treasury memo", "{who:?}");
    }

    #[test]
    fn colon_clause_subject_beats_an_earlier_verb_and_inheritance() {
        let t = "With aides worried about turnout, President Lena Marsh is rolling out a new \
                 message: “It is about all of us.”";
        assert_eq!(
            speaker_of(t, "It is about").0.as_deref(),
            Some("Lena Marsh")
        );
        let t = "“We lost,” said Karl Brenner. His rival Otto Fenn gloated: “I told you so.”";
        assert_eq!(speaker_of(t, "I told you").0.as_deref(), Some("Otto Fenn"));
    }

    #[test]
    fn possessors_lists_and_closing_attributions() {
        let t = "Reporters checked Governor Rolf Dexter’s claim that there were “thousands of \
                 new jobs” in the state.";
        assert_eq!(
            speaker_of(t, "thousands of").0.as_deref(),
            Some("Rolf Dexter")
        );
        let t = "The Fact Desk rated the claim as “false” or “pants on fire,” compared with \
                 others.";
        let (a, _) = speaker_of(t, "false");
        let (b, _) = speaker_of(t, "pants on fire");
        assert_eq!(a, b);
        let t = "The mayor ‘The Builder’ could fix the roads, Ines Carrow says.";
        assert_eq!(
            speaker_of(t, "The Builder").0.as_deref(),
            Some("Ines Carrow")
        );
    }

    #[test]
    fn middle_initials_stay_inside_names() {
        let t = "“It is fiscally responsible,” Leonard Q. Varnum, director of a tax center, \
                 said of the plan.";
        let (who, span) = speaker_of(t, "It is fiscally");
        assert_eq!(who.as_deref(), Some("Leonard Q. Varnum"));
        assert_eq!(span, "Leonard Q. Varnum");
        // A name inside a prepositional phrase after the quote is not its speaker.
        let t = "Ada Rhee praised the plan. “I admire the mechanics” of the Rhee proposals, \
                 Mr. Holt Vance said.";
        assert_eq!(speaker_of(t, "I admire").0.as_deref(), Some("Holt Vance"));
    }

    #[test]
    fn titled_names_are_people_and_contractions_no_names() {
        let t = "Senator Ola Brandt wrote to Kessler: the talks are over. Brandt needs Kessler \
                 and Germany more than ever. President Kessler did not reply. “I’m not sure,” \
                 Brandt said later.";
        let e = extract(&art(t), &Gazetteer::bundled());
        let kessler: Vec<_> = e
            .mentions
            .iter()
            .filter(|m| m.text.contains("Kessler"))
            .collect();
        assert_eq!(kessler.len(), 3, "{:#?}", e.mentions);
        assert!(
            kessler.iter().all(|m| m.kind == EntityKind::Per),
            "{kessler:#?}"
        );
        assert!(
            !e.mentions.iter().any(|m| m.text.starts_with("I’")),
            "{:#?}",
            e.mentions
        );
    }
}
