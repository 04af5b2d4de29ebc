//! Quotations (direct, partial, indirect) and their speakers.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::gazetteer::{EntityKind, Gazetteer};
use crate::ner::{Doc, Men};
use crate::spans::SpanIndex;
use crate::text::Kind;
use crate::vocab::*;

/// What attributes a quote.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NpKind {
    /// A recognised mention (index into the mention list).
    Mention(usize),
    /// A pronoun; `true` when singular.
    Pron(bool),
    /// A description headed by a role noun ("the defence official").
    Desc,
    /// An unrecognised capitalised word.
    Name,
    /// Another noun phrase ("the commission", "a narrator in the ad", "Six in 10"): the
    /// speaker is the phrase itself.
    Other,
}

/// A noun phrase over tokens `[ts, te)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Np {
    pub ts: usize,
    pub te: usize,
    pub kind: NpKind,
}

impl Np {
    /// The one-token phrase at token `k` when it is a pronoun, or "I" (the writer speaking:
    /// the speaker is "I" itself).
    fn pronoun_at(k: usize, low: &str) -> Option<Self> {
        let kind = match pronoun(low) {
            Some(singular) => NpKind::Pron(singular),
            None if low == "i" => NpKind::Other,
            None => return None,
        };
        Some(Self {
            ts: k,
            te: k + 1,
            kind,
        })
    }
}

/// The rule that found an indirect quote; each has its own confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// "According to X, ..." / "..., according to X".
    According,
    /// "..., X said" (the content before or after the attribution).
    Inverted,
    /// "X said that ...".
    That,
    /// "X said the plan ..." (a clause without "that").
    Clause,
    /// "..., adding ..." (a participle of a reporting verb).
    Participle,
    /// "Poll: Voters turn ..." (a name and a colon opening a headline or line).
    Colon,
    /// "X wants to ...", "X questioned ..." (verbs of attitude and judgement).
    Attitude,
}

impl Rule {
    /// The precision of quotes found by this rule on PolNeAR train (all-attribution
    /// matching of the strict scorer, measured when the classes were introduced: 316 of
    /// 355, 422 of 729, 1,448 of 1,736, 2,773 of 3,724, 592 of 767, 76 of 133, 3,922 of
    /// 8,610). Quotes at [`crate::CONFIDENT`] and above are listed by default.
    pub fn confidence(self) -> f32 {
        match self {
            Rule::According => 0.89,
            Rule::Inverted => 0.58,
            Rule::That => 0.83,
            Rule::Clause => 0.74,
            Rule::Participle => 0.77,
            Rule::Colon => 0.57,
            Rule::Attitude => 0.46,
        }
    }
}

/// A quote before speaker resolution.
#[derive(Debug, Clone)]
pub(crate) struct RawQuote {
    /// Content tokens `[ts, te)`.
    pub ts: usize,
    pub te: usize,
    pub direct: bool,
    pub partial: bool,
    pub np: Option<Np>,
    /// Takes the speaker of the previous direct quote.
    pub inherit: bool,
    /// Resolved speaker and the tokens of the attributing mention.
    pub speaker: Option<String>,
    pub speaker_toks: Option<(usize, usize)>,
    /// Continues the previous direct quote (one quotation).
    pub continues: bool,
    /// The reporting verb that attributes it (direct quotes).
    pub verb: Option<usize>,
    /// See [`crate::Quote::confidence`].
    pub confidence: f32,
}

impl RawQuote {
    /// Reported speech `[ts, te)` attributed to `np` by `rule`, not yet resolved.
    fn indirect(ts: usize, te: usize, np: Option<Np>, rule: Rule) -> Self {
        Self {
            ts,
            te,
            direct: false,
            partial: false,
            np,
            inherit: false,
            speaker: None,
            speaker_toks: None,
            continues: false,
            verb: None,
            confidence: rule.confidence(),
        }
    }
}

/// Prepositions whose object is no subject.
static FUNCTION_PREP: Lex = Lex::new(&[
    "of", "to", "for", "from", "with", "by", "at", "on", "in", "about", "through", "into",
    "across", "over", "under", "near", "behind", "around",
]);

const DET: &[&str] = &[
    "the", "a", "an", "this", "that", "another", "one", "its", "his", "her", "their", "our",
];
static BREAK: Lex = Lex::new(&[
    "and", "but", "or", "that", "because", "while", "as", "when", "which", "who", "if", "than",
    "to", "with", "for", "by", "in", "on", "at", "from", "of", "after", "before", "since", "where",
    "although", "though", "whom", "whose", "said", "says", "not", "about",
]);
static WINDOW_BREAK: Lex = Lex::new(&[
    "that",
    "and",
    "but",
    "with",
    "by",
    "to",
    "met",
    "while",
    "because",
    "as",
    "after",
    "before",
    "when",
    "which",
    "who",
    "during",
    "following",
    "than",
    "if",
]);
static STOP: Lex = Lex::new(&[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "who", "is", "also", "was", "has",
    "with", "by", "at", "as", "that", "this", "his", "her", "its", "their", "from", "which", "be",
    "are", "were", "been", "had", "have", "or", "but", "he", "she", "it", "they",
]);

/// Quantifiers and number words that open a noun phrase ("many voters", "Six in 10").
fn is_quantifier(w: &str) -> bool {
    matches!(
        w,
        "many"
            | "some"
            | "most"
            | "several"
            | "few"
            | "all"
            | "both"
            | "other"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "half"
            | "more"
            | "no"
            | "any"
            | "each"
            | "every"
    )
}

fn singular(w: &str) -> &str {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn is_role_noun(w: &str) -> bool {
    ROLE_NOUNS.contains(&w) || ROLE_NOUNS.contains(&singular(w))
}

fn is_plural_role(w: &str) -> bool {
    matches!(
        w,
        "people" | "police" | "authorities" | "men" | "women" | "spokesmen"
    ) || (w.ends_with('s')
        && !w.ends_with("ss")
        && ROLE_NOUNS.contains(&singular(w))
        && w != "sources_")
}

/// Normalises a context word so that descriptions meet introductions.
fn norm_word(gaz: &Gazetteer, w: &str) -> String {
    if let Some(p) = gaz.demonym(w) {
        return p.to_string();
    }
    match w {
        "aide" | "aides" | "adviser" | "advisers" | "advisor" | "advisors" => "advisor".into(),
        _ => singular(w).to_string(),
    }
}

/// A resolved speaker and the tokens of its attributing mention.
type Attributed = (Option<String>, Option<(usize, usize)>);

pub(crate) struct Quoter<'d, 'a> {
    doc: &'d Doc<'a>,
    men: &'d [Men],
    gaz: &'d Gazetteer,
    /// Mention index covering each token.
    tok2men: Vec<Option<usize>>,
    /// Inside a direct quote.
    in_quote: Vec<bool>,
    /// Reporting verbs already used by a direct quote.
    used_verbs: FxHashSet<usize>,
}

impl<'d, 'a> Quoter<'d, 'a> {
    pub fn new(doc: &'d Doc<'a>, men: &'d [Men], gaz: &'d Gazetteer) -> Self {
        let mut tok2men = vec![None; doc.toks.len()];
        for (i, m) in men.iter().enumerate() {
            for t in &mut tok2men[m.ts..m.te] {
                *t = Some(i);
            }
        }
        Quoter {
            doc,
            men,
            gaz,
            tok2men,
            in_quote: vec![false; doc.toks.len()],
            used_verbs: FxHashSet::default(),
        }
    }

    fn low(&self, i: usize) -> &str {
        self.doc.toks[i].low
    }

    /// A reporting verb at `i`: returns the index past the verb (and its particle).
    fn verb_at(&self, i: usize) -> Option<usize> {
        let t = &self.doc.toks[i];
        if !t.is_word() || t.cap && i != self.doc.sents[self.doc.sent_of[i]].0 {
            return None;
        }
        // After a determiner the word is a noun: "the note says", "a snappy retort".
        if i > 0
            && matches!(
                self.low(i - 1),
                "the"
                    | "a"
                    | "an"
                    | "his"
                    | "her"
                    | "their"
                    | "its"
                    | "our"
                    | "my"
                    | "your"
                    | "these"
                    | "those"
                    | "another"
            )
        {
            return None;
        }
        let w = t.low;
        if let Some(p) = needs_particle(w) {
            return (i + 1 < self.doc.toks.len() && self.low(i + 1) == p).then_some(i + 2);
        }
        if !is_report_verb(w) {
            return None;
        }
        // "a series of tweets", "dismissed the claims as false", "estimates were": a plural
        // noun, not a verb.
        if i > 0 && self.low(i - 1) == "of" && !w.ends_with("ing") {
            return None;
        }
        let after_subject = i > 0
            && (self.tok2men[i - 1].is_some()
                || pronoun(self.low(i - 1)).is_some()
                || !self.doc.toks[i - 1].is_word());
        if w.ends_with('s')
            && w != "says"
            && self.doc.toks.get(i + 1).is_some_and(|n| {
                matches!(n.low, "were" | "are" | "have" | "had")
                    || (n.low == "as" && !after_subject)
            })
        {
            return None;
        }
        Some(i + 1)
    }

    /// An active naming verb at `i` ("called", "dubbed", "rated") whose object phrase runs
    /// to the fragment opening at `o`: not a noun after a determiner, not a passive ("was
    /// called", "so-called"), no comma between.
    fn naming_verb_at(&self, i: usize, o: usize) -> bool {
        let t = &self.doc.toks[i];
        if !t.is_word() || t.cap || !is_naming_verb(t.low) || i == 0 || o - i > 10 {
            return false;
        }
        if (i + 1..o).any(|k| self.doc.toks[k].is_p(',') || self.in_quote[k]) {
            return false;
        }
        let mut k = i - 1;
        while k > 0 && self.low(k).ends_with("ly") {
            k -= 1;
        }
        let p = self.low(k);
        !DET.contains(&p)
            && !matches!(
                p,
                "is" | "are"
                    | "was"
                    | "were"
                    | "be"
                    | "been"
                    | "being"
                    | "get"
                    | "got"
                    | "gets"
                    | "having"
                    | "so"
            )
    }

    /// The possessor of a speech noun at `k` whose complement holds the fragment at `o`
    /// ("Donald Trump’s claim that", "his warning that", "her promise to be").
    fn speech_possessor(&self, k: usize, o: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        if !toks[k].is_word() || !is_speech_noun(toks[k].low) || k < 2 {
            return None;
        }
        // The fragment lies in the noun's complement clause, not in a predicate about it
        // ("Trump's comments were “intolerable”").
        if k + 1 >= o || !matches!(toks[k + 1].low, "that" | "to") {
            return None;
        }
        let mut b = o - 1;
        while b > k && AUX.contains(&self.low(b)) && !matches!(self.low(b), "is" | "was") {
            b -= 1;
        }
        if matches!(self.low(b), "is" | "was" | "were" | "are") {
            return None;
        }
        // The object of a judging verb is not the speaker ("calling Trump's charge “…”").
        let object_of =
            |p: usize| p > 0 && (self.verb_at(p - 1).is_some() || self.naming_verb_at(p - 1, o));
        // Up to two modifiers between possessor and noun ("his repeated warnings").
        for p in (k.saturating_sub(3)..k).rev() {
            let t = &toks[p];
            if t.kind == Kind::Poss && p > 0 {
                return self.np_before(p, p.saturating_sub(8)).filter(|np| {
                    (matches!(np.kind, NpKind::Mention(mi) if self.men[mi].kind != EntityKind::Loc)
                        || matches!(np.kind, NpKind::Desc | NpKind::Name))
                        && !object_of(np.ts)
                });
            }
            if let Some(sg) = possessive_pronoun(t.low).filter(|_| !object_of(p)) {
                return Some(Np {
                    ts: p,
                    te: p + 1,
                    kind: NpKind::Pron(sg),
                });
            }
            if !t.is_word() || BREAK.contains(&t.low) || DET.contains(&t.low) {
                return None;
            }
        }
        None
    }

    /// Whether `np` names someone who can use the naming verb at `v`: with no object
    /// between verb and fragment ("a short film called “…”") the verb may be a passive
    /// participle, so the subject must be a name, a pronoun or follow "what".
    fn namer(&self, v: usize, o: usize, np: Np) -> bool {
        let toks = &self.doc.toks;
        let direct_object = (v + 1..o).all(|k| {
            matches!(
                toks[k].low,
                "a" | "an" | "the" | "as" | "his" | "her" | "their" | "its" | "it" | "them" | "him"
            )
        });
        if !direct_object {
            return true;
        }
        let after_what = np.ts > 0 && matches!(self.low(np.ts - 1), "what" | "which" | "whom");
        after_what
            || matches!(np.kind, NpKind::Pron(_))
            || matches!(np.kind, NpKind::Mention(mi) if self.men[mi].kind != EntityKind::Loc)
    }

    pub fn run(&mut self) -> Vec<RawQuote> {
        let mut out = self.direct();
        let mut ind = self.indirect(&out);
        out.append(&mut ind);
        let mut att = self.attitudes(&out);
        out.append(&mut att);
        let mut col = self.colon_claims(&out);
        out.append(&mut col);
        out.sort_by_key(|q| q.ts);
        self.resolve(&mut out);
        out
    }

    fn direct(&mut self) -> Vec<RawQuote> {
        let toks = &self.doc.toks;
        let n = toks.len();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut open: Option<usize> = None;
        // Single marks quote only outside double ones (inside they are nested quotes).
        let mut sopen: Option<usize> = None;
        for i in 0..n {
            match toks[i].kind {
                Kind::OpenSQ if open.is_none() => sopen = Some(i),
                Kind::CloseSQ if open.is_none() => {
                    if let Some(o) = sopen.take() {
                        pairs.push((o, i));
                    }
                }
                // A closing mark opening a paragraph is a misprinted opening one.
                Kind::CloseQ if open.is_none() && (i == 0 || toks[i - 1].kind == Kind::Para) => {
                    open = Some(i);
                }
                Kind::OpenQ => {
                    if let Some(o) = open {
                        // An unclosed quote before a new one: it ran to its paragraph end.
                        if let Some(p) = (o..i).find(|&k| toks[k].kind == Kind::Para) {
                            pairs.push((o, p));
                        }
                    }
                    open = Some(i);
                }
                Kind::CloseQ => {
                    if let Some(o) = open.take() {
                        pairs.push((o, i));
                    }
                }
                Kind::AmbQ => match open.take() {
                    Some(o) => pairs.push((o, i)),
                    None => open = Some(i),
                },
                Kind::Para => {
                    sopen = None;
                    if let Some(o) = open {
                        let next_opens = toks
                            .get(i + 1)
                            .is_some_and(|t| matches!(t.kind, Kind::OpenQ | Kind::AmbQ));
                        if next_opens || toks[o].kind == Kind::OpenQ {
                            pairs.push((o, i));
                        }
                        open = None;
                    }
                }
                _ => {}
            }
        }
        pairs.sort_unstable();
        let mut out: Vec<RawQuote> = Vec::new();
        let mut last_direct_sent: Option<usize> = None;
        let mut last_close = 0;
        for (o, c) in pairs {
            let words = (o + 1..c).filter(|&k| toks[k].is_word()).count();
            // Nested in a quote already taken, or no letters at all (an id, a number).
            let letters = (o + 1..c)
                .any(|k| toks[k].is_word() && toks[k].low.chars().any(char::is_alphabetic));
            if words == 0 || !letters || (o < last_close && !out.is_empty()) {
                continue;
            }
            last_close = c;
            for q in &mut self.in_quote[o..=c.min(n - 1)] {
                *q = true;
            }
            let (ts, te) = (o + 1, c);
            let last = &toks[te - 1];
            let ends_punct = last.kind == Kind::Punct
                && matches!(last.low, "." | "," | "!" | "?" | ";" | ":" | "…");
            let prev_word = o > 0
                && toks[o - 1].is_word()
                && self.verb_at(o - 1).is_none()
                && toks[o - 1].low != "that";
            let next_word = c + 1 < n
                && toks[c].kind != Kind::Para
                && toks[c + 1].is_word()
                && !toks[c + 1].cap;
            // After a determiner or preposition the quote is a phrase of the writer's
            // sentence even when it takes the sentence's comma: called her a “poor loser,”.
            let governed = o > 0
                && matches!(
                    toks[o - 1].low,
                    "a" | "an"
                        | "the"
                        | "as"
                        | "of"
                        | "for"
                        | "his"
                        | "her"
                        | "their"
                        | "its"
                        | "our"
                        | "my"
                        | "your"
                        | "about"
                        | "with"
                        | "by"
                        | "from"
                        | "into"
                        | "on"
                        | "in"
                );
            let partial = (!ends_punct && (prev_word || (words <= 4 && next_word)))
                || (governed && words <= 12);
            let (np, verb) = self.attribute_direct(o, c, partial);
            if let Some(v) = verb.filter(|_| !partial) {
                self.used_verbs.insert(v);
            }
            let so = self.doc.sent_of[o];
            // One of a list of quotes ("called it “false” or “pants on fire”", "went on
            // about “…,” and “…”"): the speaker of the first, unless this one has its own
            // attribution after it.
            let listed = out.last().is_some_and(|q| {
                q.direct
                    && (q.np.is_some() || q.inherit)
                    && q.te < o
                    && self.doc.sent_of[q.te] == so
                    && (q.te + 1..o).all(|k| matches!(toks[k].low, "," | "and" | "or" | "nor"))
            }) && np.is_none_or(|np| np.ts < o);
            let np = if listed { None } else { np };
            // A quote the writer's own clause runs into ("He offered “…”") has that
            // clause's subject, not the previous quote's speaker.
            let inherit = listed
                || (np.is_none()
                    && !partial
                    && !(prev_word
                        && !matches!(
                            toks[o - 1].low,
                            "and" | "but" | "or" | "nor" | "yet" | "so"
                        )
                        && out.last().is_none_or(|q| self.doc.sent_of[q.te] != so))
                    && last_direct_sent.is_some_and(|s| so <= s + 2)
                    && out.last().is_some_and(|q| q.direct));
            // No attribution and nothing to inherit: the subject of the quote's own
            // sentence ("Clinton called them “deplorables”", "Trump admires Putin as a “…”").
            let np = if np.is_none() && !inherit {
                self.first_subject(self.doc.sents[so].0, o)
            } else {
                np
            };
            let sc = self.doc.sent_of[c.min(n - 1)];
            last_direct_sent = Some(sc);
            if np.is_none() && !inherit && partial && words <= 3 {
                // Unattributed scare quotes are not quotations.
                continue;
            }
            // (Single marks are exempt: in headlines they quote speech, "Mayor Calls Plan
            // ‘A Disaster’".)
            if verb.is_none()
                && words <= 6
                && toks[o].kind != Kind::OpenSQ
                && self.title_case(ts, te)
            {
                // “Morning Joe”, “Face the Nation,”: a title or a name, not speech.
                continue;
            }
            out.push(RawQuote {
                ts,
                te,
                direct: true,
                partial,
                np,
                inherit,
                speaker: None,
                speaker_toks: None,
                continues: false,
                verb,
                confidence: 1.0,
            });
        }
        self.mark_continuations(&mut out);
        out
    }

    /// Marks a direct quote that continues the one before it as one quotation: it has no
    /// attribution of its own, neither is a fragment, and what lies between is the first
    /// one's attribution (its speaker, its verb and at most four more words: "“We lost,”
    /// she said on Monday. “But not for long.”"), or nothing but a paragraph break (a
    /// quotation running over paragraphs).
    fn mark_continuations(&self, qs: &mut [RawQuote]) {
        let toks = &self.doc.toks;
        for i in 1..qs.len() {
            let (a, b) = (&qs[i - 1], &qs[i]);
            if !b.inherit || b.np.is_some() || a.partial || b.partial {
                continue;
            }
            // Closing mark of `a` (or the paragraph break ending it) and opening mark of `b`.
            let (c, o) = (a.te, b.ts - 1);
            if o <= c {
                continue;
            }
            let open_ended = toks[c].kind == Kind::Para;
            let mut extra = 0;
            let mut para = false;
            for (k, t) in toks.iter().enumerate().take(o).skip(c + 1) {
                para |= t.kind == Kind::Para;
                let in_np = a.np.is_some_and(|np| (np.ts..np.te).contains(&k));
                if t.is_word() && !in_np && a.verb != Some(k) {
                    extra += 1;
                }
            }
            let attributed = a.np.is_some() || a.inherit;
            // A new paragraph opening with a quote and no attribution of its own goes on
            // with the quotation before it (the same speaker, no words between).
            let joined = if open_ended || para {
                extra == 0
            } else {
                attributed
                    && !para
                    && extra <= 4
                    && self.doc.sent_of[o] <= self.doc.sent_of[c] + 1
                    && (c + 1..o).any(|k| a.np.is_some_and(|np| (np.ts..np.te).contains(&k)))
            };
            qs[i].continues = joined;
        }
    }

    /// True when every word of `[ts, te)` is capitalised (or a number, or a small function
    /// word inside): the quoted text is a title or a name.
    fn title_case(&self, ts: usize, te: usize) -> bool {
        let toks = &self.doc.toks;
        let mut first = true;
        for t in toks[ts..te].iter().filter(|t| t.is_word()) {
            let numeric = t.low.chars().next().is_some_and(|c| c.is_ascii_digit());
            let small = matches!(
                t.low,
                "of" | "the"
                    | "and"
                    | "a"
                    | "an"
                    | "in"
                    | "on"
                    | "with"
                    | "to"
                    | "for"
                    | "at"
                    | "by"
                    | "from"
                    | "or"
            );
            if !(t.cap || numeric || (small && !first)) || (first && pronoun(t.low).is_some()) {
                return false;
            }
            if first && matches!(t.low, "i" | "you" | "yes" | "no" | "thank") {
                return false;
            }
            first = false;
        }
        !first
    }

    /// Finds the attributing noun phrase of a direct quote `[o, c]` and the verb used.
    fn attribute_direct(&self, o: usize, c: usize, partial: bool) -> (Option<Np>, Option<usize>) {
        let toks = &self.doc.toks;
        let n = toks.len();
        // A fragment quoted inside reported speech belongs to the reporting clause before it
        // ("Klein said the book showed how she was “…”"), so that side goes first.
        if partial {
            if let Some(r) = self.attribute_before(o, true) {
                return r;
            }
            // A short attribution closing the sentence: "Trump ‘The Dealmaker’ could address
            // clean energy, Graham says.", "..., according to the organizer."
            let end = self.doc.sents[self.doc.sent_of[o]].1;
            if let Some(k) = (c + 1..end)
                .rev()
                .find(|&k| toks[k].is_p(',') && !self.in_quote[k])
                .filter(|&k| end - k <= 12)
                .filter(|&k| {
                    // A subject, or an inverted "said X" / "according to X"; not a
                    // coordinated clause (", and criticized the mayor").
                    let Some(f) = toks.get(k + 1).map(|t| t.low) else {
                        return false;
                    };
                    !BREAK.contains(&f)
                        && (self.verb_at(k + 1).is_none()
                            || matches!(
                                f,
                                "said"
                                    | "says"
                                    | "added"
                                    | "adds"
                                    | "wrote"
                                    | "writes"
                                    | "according"
                                    | "noted"
                                    | "notes"
                                    | "explained"
                                    | "told"
                                    | "tells"
                            ))
                })
            {
                if let Some(r) = self.attribute_after(k, end, end, false) {
                    return r;
                }
            }
            // No reporting verb: the subject of the writer's sentence ("He urged the party
            // to “…”", "Her answer was that “…”").
            let s0 = self.doc.sents[self.doc.sent_of[o]].0;
            if let Some(np) = self.first_subject(s0, o) {
                return (Some(np), None);
            }
        }
        // After the closing mark, to the end of that sentence.
        let mut next_sentence = false;
        // "“...” ¶ - Jane Doe": a dash and a name on the line after the quote.
        if c + 3 < n && toks[c + 1].kind == Kind::Para {
            let d = c + 2;
            if toks[d].kind == Kind::Punct && matches!(toks[d].low, "―" | "—" | "–" | "-") {
                let end = self.doc.sents[self.doc.sent_of[d + 1]].1;
                if let Some(np) = self
                    .np_after(d + 1, end)
                    .filter(|np| matches!(np.kind, NpKind::Mention(_) | NpKind::Name))
                {
                    return (Some(np), None);
                }
            }
        }
        if c + 1 < n && toks[c].kind != Kind::Para {
            let sc = self.doc.sent_of[c];
            let end = self.doc.sents[sc].1.max(c + 1);
            if end == c + 1 && toks[c + 1].kind != Kind::Para {
                // The splitter ended the sentence at the mark ("“Why not?” Vitter demanded.");
                // the next sentence is tried after the words before the quote.
                next_sentence = true;
            } else if let Some(r) = self.attribute_after(c, end, c + 16, partial) {
                return r;
            }
        }
        if let Some(np) = self.colon_subject(o, true) {
            return (Some(np), None);
        }
        if !partial {
            // A full sentence quoted mid-clause ("She said she speaks about race because
            // “…”") belongs, like a fragment, to the outer reporting clause.
            let embedded = o > 0
                && toks[o - 1].is_word()
                && toks[o - 1].low != "that"
                && self.verb_at(o - 1).is_none();
            if let Some(r) = self.attribute_before(o, embedded) {
                return r;
            }
        }
        if next_sentence {
            let end = self.doc.sents[self.doc.sent_of[c + 1]].1;
            if let Some(r) = self.attribute_after(c, end, c + 8, partial) {
                return r;
            }
        }
        // "He said: ¶ “...”": an introduction ending in a colon just before the quote.
        let mut k = o;
        while k > 0 && toks[k - 1].kind == Kind::Para {
            k -= 1;
        }
        if k > 0 && k < o && toks[k - 1].is_p(':') {
            let ps = self.doc.sents[self.doc.sent_of[k - 1]].0;
            for v in (ps..k - 1).rev() {
                if self.in_quote[v] {
                    break;
                }
                if self.verb_at(v).is_some() {
                    if let Some(np) = self.np_before(v, ps).or_else(|| self.first_subject(ps, v)) {
                        return (Some(np), Some(v));
                    }
                }
            }
        }
        if let Some(np) = self.colon_subject(o, false) {
            return (Some(np), None);
        }
        (None, None)
    }

    /// "Mr. Christie gloated: “…”", "Obama is rolling out a new message: “…”": a clause
    /// introducing the quote at `o` with a colon; its subject speaks. With `strict`, only a
    /// clause of its own (after the last comma) with no reporting verb, whose subject is
    /// then preferred to a reporting verb further back.
    fn colon_subject(&self, o: usize, strict: bool) -> Option<Np> {
        let toks = &self.doc.toks;
        if o < 2 || !toks[o - 1].is_p(':') || self.doc.sent_of[o - 1] != self.doc.sent_of[o] {
            return None;
        }
        let s0 = self.doc.sents[self.doc.sent_of[o]].0;
        let colon = o - 1;
        let clause = (s0..colon)
            .rev()
            .find(|&k| {
                !self.in_quote[k]
                    && (toks[k].is_p(',')
                        || toks[k].is_p(';')
                        || matches!(toks[k].low, "—" | "–")
                        || (!strict && toks[k].low == "that"))
            })
            .map_or(s0, |k| k + 1);
        if strict && (clause..colon).any(|k| self.in_quote[k] || self.verb_at(k).is_some()) {
            return None;
        }
        // "The piece used one of the quotes as its headline:": a plain phrase before the
        // first verb-like word.
        let plain = || {
            let v = (clause + 1..colon).find(|&k| {
                let t = &toks[k];
                t.is_word()
                    && !t.cap
                    && (t.low.ends_with("ed") || matches!(t.low, "is" | "was" | "has" | "had"))
            })?;
            self.np_before(v, clause)
                .filter(|np| np.ts == clause || DET.contains(&toks[np.ts].low))
        };
        let found = self.first_subject(clause, colon).or_else(plain);
        if strict {
            found
        } else {
            found.or_else(|| self.first_subject(s0, colon))
        }
    }

    /// Attribution before the opening mark `o`: a reporting verb in the same sentence and
    /// its subject. For a full quote the nearest verb (back to a previous quote); for a
    /// fragment the first one of the sentence (the outer reporting clause).
    fn attribute_before(&self, o: usize, partial: bool) -> Option<(Option<Np>, Option<usize>)> {
        let toks = &self.doc.toks;
        let so = self.doc.sent_of[o];
        let s0 = self.doc.sents[so].0;
        // "Clinton: “...”": a name and a colon right before the quote.
        if o >= 2 && toks[o - 1].is_p(':') && toks[o - 2].is_word() {
            let k = o - 2;
            if let Some(mi) = self.tok2men[k].filter(|&mi| self.men[mi].te == k + 1) {
                let m = &self.men[mi];
                let opens = m.ts == s0
                    || (m.ts > 0 && !toks[m.ts - 1].is_word() && toks[m.ts - 1].kind != Kind::Poss);
                if opens && m.kind != EntityKind::Loc {
                    return Some((
                        Some(Np {
                            ts: m.ts,
                            te: m.te,
                            kind: NpKind::Mention(mi),
                        }),
                        None,
                    ));
                }
            }
        }
        let mut start = s0;
        if let Some(q) = (start..o)
            .rev()
            .find(|&k| matches!(toks[k].kind, Kind::CloseQ | Kind::AmbQ))
        {
            start = q + 1;
        }
        let subject = |v: usize, floor: usize| {
            if toks[v].low == "according" {
                // "According to the mayor, “...”": the source follows.
                self.np_after(v + 2, o)
            } else if toks[v].low.ends_with("ing") {
                self.participle_subject(s0, v)
            } else {
                self.np_before(v, floor)
                    .or_else(|| self.first_subject(s0, v))
            }
        };
        for v in (start..o).rev() {
            // "the mayor's claim that there were “…”", "his promise to be “…”": a speech
            // noun and its possessor, nearer than any verb.
            if partial {
                if let Some(np) = self.speech_possessor(v, o) {
                    return Some((Some(np), None));
                }
            }
            let naming = self.verb_at(v).is_none();
            if naming && !(partial && self.naming_verb_at(v, o)) {
                continue;
            }
            let Some(mut np) = subject(v, start) else {
                continue;
            };
            if naming && !self.namer(v, o, np) {
                continue;
            }
            // A plain phrase before a noun-like verb form ("Sanders delivered a snappy
            // retort: “…”"): a person opening the sentence is the better subject.
            if matches!(np.kind, NpKind::Other) && np.ts > s0 {
                // Or any subject when the phrase is a preposition's object ("Protesters
                // marching through the streets chanted “…”").
                let governed = FUNCTION_PREP.contains(&self.low(np.ts - 1));
                if let Some(p) = self.first_subject(s0, np.ts).filter(|p| {
                    (p.ts <= s0 + 1 || governed)
                        && match p.kind {
                            NpKind::Mention(mi) => self.men[mi].kind == EntityKind::Per,
                            NpKind::Pron(_) => true,
                            _ => false,
                        }
                }) {
                    np = p;
                }
            }
            let mut verb = v;
            if partial {
                // Climb to an outer reporting clause whose complement holds this one ("Klein
                // said the book showed how she was “…”"), not across a coordination ("A
                // welcomed it but B expressed “…”").
                while let Some(u) = (s0..np.ts).rev().find(|&u| {
                    !self.in_quote[u] && self.verb_at(u).is_some() && !toks[u].low.ends_with("ing")
                }) {
                    // A relative clause ("a letter in which she called ...") is no
                    // complement of the verb before it either.
                    let coordinated = (u..np.ts).any(|k| {
                        let t = &toks[k];
                        t.is_p(';')
                            || (t.is_p(',') && !self.in_quote[k])
                            || matches!(
                                t.low,
                                "but"
                                    | "and"
                                    | "while"
                                    | "although"
                                    | "though"
                                    | "whereas"
                                    | "yet"
                                    | "which"
                                    | "who"
                                    | "whom"
                            )
                    });
                    match subject(u, s0) {
                        Some(outer) if !coordinated && outer.ts < u => {
                            np = outer;
                            verb = u;
                        }
                        _ => break,
                    }
                }
            }
            // A naming verb is no reporting verb: a title quoted after it ("a show called
            // “Face the Nation”") must still be told from speech.
            return Some((Some(np), (!naming || verb != v).then_some(verb)));
        }
        None
    }

    /// Attribution after the closing mark `c`: a dash and a name, a person and a later
    /// reporting verb, or a reporting verb with its subject before or after it, up to `end`
    /// (a verb no further than `reach`).
    fn attribute_after(
        &self,
        c: usize,
        mut end: usize,
        reach: usize,
        partial: bool,
    ) -> Option<(Option<Np>, Option<usize>)> {
        let toks = &self.doc.toks;
        let n = toks.len();
        if let Some(q) = (c + 1..end).find(|&k| matches!(toks[k].kind, Kind::OpenQ | Kind::AmbQ)) {
            end = q;
        }
        // "“...” ― Jane Doe": a dash and a name.
        if toks[c + 1].kind == Kind::Punct && matches!(toks[c + 1].low, "―" | "—" | "–" | "-")
        {
            if let Some(np) = self
                .np_after(c + 2, end.max(c + 3).min(n))
                .filter(|np| matches!(np.kind, NpKind::Mention(_) | NpKind::Name))
            {
                return Some((Some(np), None));
            }
        }
        // "“...” Jane Doe, a long appositive ..., said": a person right after the mark and a
        // reporting verb later in the clause.
        if let Some(np) = self.np_after(c + 1, end).filter(|np| match np.kind {
            NpKind::Mention(mi) => self.men[mi].kind == EntityKind::Per,
            NpKind::Name | NpKind::Pron(_) => true,
            _ => false,
        }) {
            let limit = if reach < c + 16 { end.min(reach) } else { end };
            if let Some(v) = (np.te..limit).find(|&v| self.verb_at(v).is_some()) {
                let between_ok = (np.te..v).all(|k| !self.in_quote[k]);
                if between_ok && !toks[v].low.ends_with("ing") {
                    return Some((Some(np), Some(v)));
                }
            }
        }
        for v in c + 1..end.min(reach) {
            if let Some(after) = self.verb_at(v) {
                if let Some(np) = self.np_before(v, c + 1) {
                    return Some((Some(np), Some(v)));
                }
                // A fragment quoted inside a clause ("the ad “…” suggests that X"): what
                // follows its verb is not its speaker.
                if partial && v == c + 1 {
                    continue;
                }
                if let Some(np) = self.np_after(after, end) {
                    return Some((Some(np), Some(v)));
                }
            }
        }
        None
    }

    fn skip_back(&self, mut k: isize, floor: usize) -> isize {
        while k >= floor as isize {
            let t = &self.doc.toks[k as usize];
            if t.is_word()
                && (AUX.contains(&t.low)
                    || t.low == "now"
                    || (t.low.ends_with("ly") && t.low.len() > 4 && !t.cap))
            {
                k -= 1;
            } else {
                break;
            }
        }
        k
    }

    /// The relative pronoun ("who", "which") ending the subject slot at `k`, possibly
    /// before a short time phrase ("who in 2010", "which on Friday").
    fn relative_at(&self, k: usize, floor: usize) -> Option<usize> {
        let toks = &self.doc.toks;
        let is_rel = |i: usize| i > floor && matches!(toks[i].low, "who" | "which");
        if is_rel(k) {
            return Some(k);
        }
        // "who in 2009 said": a preposition and one or two words, no comma.
        (k.saturating_sub(3)..k.saturating_sub(1)).rev().find(|&r| {
            r >= floor
                && is_rel(r)
                && matches!(
                    toks[r + 1].low,
                    "in" | "on" | "at" | "last" | "this" | "earlier"
                )
                && toks[r + 2..=k]
                    .iter()
                    .all(|t| t.is_word() && !is_report_verb(t.low))
        })
    }

    /// The noun phrase that ends just before `v` (the verb's subject), not before `floor`.
    pub fn np_before(&self, v: usize, floor: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        let mut k = self.skip_back(v as isize - 1, floor);
        if k < floor as isize {
            return None;
        }
        // A relative pronoun is the subject of its clause; the phrase it follows names the
        // speaker ("Tobias Wendt, who joked", "the police department which reported",
        // "the senator, who in 2009 said").
        if let Some(r) = self.relative_at(k as usize, floor) {
            let mut a = r;
            if a > floor
                && (self.doc.toks[a - 1].is_p(',')
                    || matches!(self.low(a - 1), "—" | "–" | "-" | "--"))
            {
                a -= 1;
            }
            let np = self.np_before(a, floor)?;
            // The phrase is the object of a report ("told a young woman who suggested
            // ..."): the clause is embedded in the outer report.
            if np.ts > floor && self.verb_at(np.ts - 1).is_some() {
                return None;
            }
            return Some(Np { te: r + 1, ..np });
        }
        // A time word between subject and verb: "Rep. Jane Doe said Friday" is handled by
        // the caller; here "Jane Doe (D-Wis.) said": skip a short bracket.
        if toks[k as usize].is_p(')') {
            let lo = (k - 10).max(floor as isize);
            if let Some(j) = (lo..k).rev().find(|&j| toks[j as usize].is_p('(')) {
                k = self.skip_back(j - 1, floor);
                if k < floor as isize {
                    return None;
                }
            }
        }
        // A parenthetical between commas: "officials, in the meantime, have said".
        if toks[k as usize].is_p(',') {
            let lo = (k - 20).max(floor as isize);
            let j = (lo..k).rev().find(|&j| toks[j as usize].is_p(','));
            match j {
                Some(j) if j > floor as isize => k = self.skip_back(j - 1, floor),
                _ => return None,
            }
            if k < floor as isize {
                return None;
            }
        }
        let k = k as usize;
        if let Some(mi) = self.tok2men[k] {
            let m = &self.men[mi];
            if m.te == k + 1 {
                let ts = m.ts.max(floor);
                if ts > floor + 1 && matches!(self.low(ts - 1), "to" | "of" | "for" | "in" | "at") {
                    // "an adviser to NAME said": the subject is the description.
                    if let Some(d) = self.np_before(ts - 1, floor) {
                        match d.kind {
                            NpKind::Desc => {
                                return Some(Np {
                                    ts: d.ts,
                                    te: m.te,
                                    kind: NpKind::Desc,
                                })
                            }
                            NpKind::Mention(o) if self.men[o].kind == EntityKind::Org => {
                                return Some(d)
                            }
                            _ => {}
                        }
                    }
                }
                return Some(Np {
                    ts,
                    te: m.te,
                    kind: NpKind::Mention(mi),
                });
            }
        }
        let t = &toks[k];
        if !t.is_word() {
            return None;
        }
        if let Some(np) = Np::pronoun_at(k, t.low) {
            return Some(np);
        }
        if is_role_noun(t.low) {
            let mut j = k;
            while j > floor && k - j < 6 {
                let p = &toks[j - 1];
                // "Six in 10 residents", "one of the officials": a count before the phrase.
                let counted = matches!(p.low, "in" | "of")
                    && j >= floor + 2
                    && (is_quantifier(toks[j - 2].low)
                        || toks[j - 2].low == "one"
                        || toks[j - 2].low.starts_with(|c: char| c.is_ascii_digit()));
                if counted {
                    j -= 2;
                    break;
                }
                if p.kind == Kind::Poss
                    || (p.is_word() && !BREAK.contains(&p.low) && self.verb_at(j - 1).is_none())
                {
                    j -= 1;
                    if DET.contains(&toks[j].low) {
                        break;
                    }
                } else {
                    break;
                }
            }
            return Some(Np {
                ts: j,
                te: k + 1,
                kind: NpKind::Desc,
            });
        }
        if t.cap && !FUNCTION.contains(&t.low) {
            let mut j = k;
            while j > floor && toks[j - 1].is_word() && toks[j - 1].cap {
                j -= 1;
            }
            return Some(Np {
                ts: j,
                te: k + 1,
                kind: NpKind::Name,
            });
        }
        self.other_np_before(k, floor)
    }

    /// A plain noun phrase ending at `k`: back over words (and `of`/`in` phrases) to a
    /// determiner, a number or the sentence start: "the commission", "a narrator in the
    /// ad", "Six in 10", "55 percent".
    fn other_np_before(&self, k: usize, floor: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        let t = &toks[k];
        let numeric = t.low.chars().next().is_some_and(|c| c.is_ascii_digit());
        let after_det = k > floor && DET.contains(&toks[k - 1].low);
        if !t.is_word()
            || (FUNCTION.contains(&t.low) && !numeric && !after_det)
            || AUX.contains(&t.low)
            || self.verb_at(k).is_some()
            || t.low.ends_with("ly")
        {
            return None;
        }
        let mut j = k;
        while j > floor && k - j < 7 {
            let p = &toks[j - 1];
            let quant = is_quantifier(p.low);
            if DET.contains(&p.low)
                || quant
                || p.low.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                j -= 1;
                // "a narrator in the ad": go on over a prepositional phrase.
                let prep = j > floor + 1 && matches!(toks[j - 1].low, "of" | "in" | "at" | "for");
                if DET.contains(&p.low) && !prep {
                    break;
                }
                continue;
            }
            if p.kind == Kind::Poss
                || (p.is_word()
                    && (matches!(p.low, "of" | "in" | "at" | "for")
                        || (p.cap && !BREAK.contains(&p.low))
                        || !(BREAK.contains(&p.low)
                            || FUNCTION.contains(&p.low)
                            || self.verb_at(j - 1).is_some())))
            {
                j -= 1;
                continue;
            }
            break;
        }
        // The phrase must start a clause: at the floor, after a comma/colon, or with a
        // determiner or number of its own.
        let head_ok = j == floor
            || DET.contains(&toks[j].low)
            || is_quantifier(toks[j].low)
            || toks[j]
                .low
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            || toks[j - 1].kind != Kind::Word;
        if !head_ok || matches!(toks[j].low, "of" | "in" | "at" | "for") {
            return None;
        }
        Some(Np {
            ts: j,
            te: k + 1,
            kind: NpKind::Other,
        })
    }

    /// The noun phrase that starts at `s` (inverted attribution: "said Doakes").
    fn np_after(&self, s0: usize, ceil: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        if s0 >= ceil {
            return None;
        }
        // "said Rep. Jane Doe", "said former Wisconsin Gov. Jim Doyle": step over
        // modifiers, a place and an abbreviated title.
        let mut s = s0;
        loop {
            if s + 1 >= ceil {
                break;
            }
            let t = &toks[s];
            if matches!(
                t.low,
                "former" | "then" | "ex" | "late" | "acting" | "outgoing" | "incoming" | "longtime"
            ) {
                s += 1;
            } else if s + 2 < ceil
                && t.cap
                && toks[s + 1].is_p('.')
                && (TITLES.contains(&t.low) || HONORIFICS.contains(&t.low) || t.low.len() <= 4)
            {
                s += 2;
            } else if let Some(mi) = self.tok2men[s].filter(|&mi| {
                let m = &self.men[mi];
                m.ts == s
                    && m.kind == EntityKind::Loc
                    && m.te + 1 < ceil
                    && toks[m.te].cap
                    && (TITLES.contains(&toks[m.te].low) || toks[m.te + 1].is_p('.'))
            }) {
                s = self.men[mi].te;
            } else {
                break;
            }
        }
        if s > s0 {
            if let Some(np) = self.np_after(s, ceil) {
                return Some(Np { ts: s0, ..np });
            }
        }
        if let Some(mi) = self.tok2men[s] {
            let m = &self.men[mi];
            if m.ts == s || (s > 0 && self.tok2men[s - 1] != Some(mi)) {
                // "said Sanders campaign manager Jeff Weaver", "said ACLU Director Anthony
                // Romero": a modifier of the description that introduces the speaker.
                let role_between = (m.te..ceil.min(m.te + 4))
                    .take_while(|&j| toks[j].is_word() && self.tok2men[j].is_none())
                    .any(|j| is_role_noun(toks[j].low) || TITLES.contains(&toks[j].low));
                if role_between {
                    if let Some(np) = self.person_after_role(m.te, ceil) {
                        return Some(np);
                    }
                }
                return Some(Np {
                    ts: s,
                    te: m.te,
                    kind: NpKind::Mention(mi),
                });
            }
        }
        let t = &toks[s];
        if let Some(p) = pronoun(t.low) {
            return Some(Np {
                ts: s,
                te: s + 1,
                kind: NpKind::Pron(p),
            });
        }
        // A preposition or conjunction opens no noun phrase: in "“…” of the Clinton
        // proposals, Holtz-Eakin said" the name inside is not the speaker.
        if BREAK.contains(&t.low) && !t.cap && !matches!(t.low, "and" | "or") {
            return None;
        }
        if DET.contains(&t.low) || t.is_word() {
            for k in s..ceil.min(s + 6) {
                let tk = &toks[k];
                if !(tk.is_word() || tk.kind == Kind::Poss) {
                    break;
                }
                if let Some(mi) = self.tok2men[k] {
                    if k > s && self.men[mi].kind == EntityKind::Per {
                        return Some(Np {
                            ts: self.men[mi].ts,
                            te: self.men[mi].te,
                            kind: NpKind::Mention(mi),
                        });
                    }
                }
                if is_role_noun(tk.low) && !(k + 1 < ceil && toks[k + 1].kind == Kind::Poss) {
                    // "said Democratic pollster Jane Doe", "said campaign manager and former
                    // Mayor Jane Doe": the person the description introduces.
                    if let Some(np) = self.person_after_role(k + 1, ceil) {
                        return Some(np);
                    }
                    return Some(Np {
                        ts: s,
                        te: k + 1,
                        kind: NpKind::Desc,
                    });
                }
                if k > s && BREAK.contains(&tk.low) {
                    break;
                }
            }
        }
        if t.is_word() && t.cap && !FUNCTION.contains(&t.low) {
            let mut j = s + 1;
            while j < ceil && toks[j].is_word() && toks[j].cap {
                j += 1;
            }
            return Some(Np {
                ts: s,
                te: j,
                kind: NpKind::Name,
            });
        }
        if DET.contains(&t.low) && !matches!(t.low, "this" | "that") {
            // "asks the ad's narrator": the determiner phrase up to a break.
            let mut j = s + 1;
            while j < ceil
                && j - s < 6
                && (toks[j].kind == Kind::Poss
                    || toks[j].is_word() && !BREAK.contains(&toks[j].low))
            {
                j += 1;
            }
            if j > s + 1 {
                return Some(Np {
                    ts: s,
                    te: j,
                    kind: NpKind::Other,
                });
            }
        }
        None
    }

    /// A person named right after a description ("pollster Jane Doe", "prosecutor and New
    /// York Mayor Jane Doe"): a PER mention within eight words from `k`, before any comma,
    /// quote or verb.
    fn person_after_role(&self, k: usize, ceil: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        for (j, t) in toks.iter().enumerate().take(ceil.min(k + 8)).skip(k) {
            if !(t.is_word() || t.is_p('.') || t.kind == Kind::Poss)
                || self.in_quote[j]
                || (self.verb_at(j).is_some() && !t.cap)
            {
                return None;
            }
            if let Some(mi) = self.tok2men[j] {
                let m = &self.men[mi];
                if m.kind == EntityKind::Per && m.ts == j {
                    return Some(Np {
                        ts: m.ts,
                        te: m.te,
                        kind: NpKind::Mention(mi),
                    });
                }
            }
        }
        None
    }

    /// The subject of a participle ("X said ..., adding"): that of the nearest finite
    /// reporting verb before it, else the sentence's first subject.
    fn participle_subject(&self, s0: usize, v: usize) -> Option<Np> {
        // "footage of Trump saying ...": a person right before the participle.
        if v > s0 {
            if let Some(mi) = self.tok2men[v - 1] {
                let m = &self.men[mi];
                let object = m.ts > 0 && matches!(self.low(m.ts - 1), "to" | "for" | "at");
                if m.kind == EntityKind::Per && m.te == v && m.ts >= s0 && !object {
                    return Some(Np {
                        ts: m.ts,
                        te: m.te,
                        kind: NpKind::Mention(mi),
                    });
                }
            }
        }
        for k in (s0..v).rev() {
            if !self.in_quote[k]
                && !self.doc.toks[k].low.ends_with("ing")
                && self.verb_at(k).is_some()
            {
                if let Some(np) = self.np_before(k, s0) {
                    return Some(np);
                }
            }
        }
        self.first_subject(s0, v)
    }

    /// The first subject-like noun phrase of a sentence (for participles: "..., adding").
    fn first_subject(&self, s0: usize, v: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        let mut k = s0;
        // An opening prepositional phrase is no subject: "In a White House statement,
        // President Obama condemned ...".
        if k < v
            && matches!(
                toks[k].low,
                "in" | "at"
                    | "on"
                    | "during"
                    | "after"
                    | "before"
                    | "since"
                    | "following"
                    | "with"
                    | "from"
                    | "under"
                    | "amid"
                    | "despite"
            )
        {
            if let Some(c) = (k..v.min(k + 15)).find(|&i| toks[i].is_p(',')) {
                k = c + 1;
            }
        }
        // A sentence opening with a name the recogniser missed, then a verb-like word:
        // "Factcheckers rated ...".
        if k < v
            && k + 1 < v
            && self.tok2men[k].is_none()
            && toks[k].is_word()
            && toks[k].cap
            && !FUNCTION.contains(&toks[k].low)
            && toks[k + 1].is_word()
            && !toks[k + 1].cap
            && pronoun(toks[k].low).is_none()
            && (toks[k + 1].low.ends_with("ed") || toks[k + 1].low.ends_with('s'))
        {
            return Some(Np {
                ts: k,
                te: k + 1,
                kind: NpKind::Name,
            });
        }
        let open = k;
        while k < v {
            if self.in_quote[k] {
                k += 1;
                continue;
            }
            if let Some(mi) = self.tok2men[k] {
                let m = &self.men[mi];
                // A place acts as a subject when it opens the sentence before a verb-like
                // word ("Norway branded ...") or before a reporting verb.
                let place_subject = k == open
                    && m.te < v
                    && toks[m.te].is_word()
                    && !toks[m.te].cap
                    && (toks[m.te].low.ends_with("ed") || toks[m.te].low.ends_with('s'));
                if m.kind != EntityKind::Loc
                    || place_subject
                    || (m.te < v && self.verb_at(m.te).is_some())
                {
                    let prev_prep = k > s0
                        && matches!(
                            self.low(k - 1),
                            "with" | "to" | "by" | "for" | "of" | "in" | "on" | "at" | "from"
                        );
                    if !prev_prep {
                        return Some(Np {
                            ts: m.ts,
                            te: m.te,
                            kind: NpKind::Mention(mi),
                        });
                    }
                }
                k = m.te;
                continue;
            }
            let t = &toks[k];
            if let Some(np) = Np::pronoun_at(k, t.low) {
                return Some(np);
            }
            if is_role_noun(t.low) && !(k + 1 < v && toks[k + 1].kind == Kind::Poss) {
                if let Some(np) = self.np_before(k + 1, s0) {
                    let governed = np.ts > s0
                        && matches!(
                            self.low(np.ts - 1),
                            "with" | "to" | "by" | "for" | "of" | "in" | "on" | "at" | "from"
                        );
                    if !governed {
                        return Some(np);
                    }
                }
            }
            k += 1;
        }
        None
    }

    fn indirect(&mut self, direct: &[RawQuote]) -> Vec<RawQuote> {
        let toks = &self.doc.toks;
        let mut out = Vec::new();
        let doc = self.doc;
        for &(s0, s1) in &doc.sents {
            // Content ends before final punctuation.
            let mut e = s1;
            while e > s0 && !toks[e - 1].is_word() {
                e -= 1;
            }
            if e <= s0 + 2 {
                continue;
            }
            for v in s0..e {
                if self.in_quote[v] || self.used_verbs.contains(&v) {
                    continue;
                }
                let Some(after) = self.verb_at(v) else {
                    continue;
                };
                if v > s0
                    && matches!(
                        self.low(v - 1),
                        "to" | "in"
                            | "of"
                            | "for"
                            | "by"
                            | "from"
                            | "about"
                            | "after"
                            | "before"
                            | "without"
                            | "on"
                    )
                {
                    continue;
                }
                let w = toks[v].low;
                if w == "according" {
                    let np = self.np_after(after, e);
                    let (cs, ce) = if v == s0 {
                        match (after..e).find(|&k| toks[k].is_p(',')) {
                            Some(c) => (c + 1, e),
                            None => continue,
                        }
                    } else {
                        let mut ce = v;
                        while ce > s0 && !toks[ce - 1].is_word() {
                            ce -= 1;
                        }
                        (s0, ce)
                    };
                    self.push_indirect(&mut out, direct, cs, ce, np, Rule::According);
                    continue;
                }
                // Content after the verb.
                let mut cs = None;
                if after < e && toks[after].low == "that" {
                    cs = Some(after + 1);
                } else if let Some(t) =
                    (after..e.min(after + 8)).find(|&k| toks[k].low == "that" && !self.in_quote[k])
                {
                    if !(after..t).any(|k| toks[k].is_p(',') || self.verb_at(k).is_some()) {
                        cs = Some(t + 1);
                    }
                }
                if cs.is_none() && !needs_that(w) && after < e {
                    let nt = &toks[after];
                    let object = OBJECT_CONTENT.contains(&w) || needs_particle(w).is_some();
                    let starts_clause = nt.is_word()
                        && !matches!(
                            nt.low,
                            "in" | "on"
                                | "at"
                                | "to"
                                | "during"
                                | "after"
                                | "before"
                                | "late"
                                | "earlier"
                                | "last"
                                | "this"
                                | "through"
                                | "via"
                                | "by"
                                | "with"
                                | "of"
                                | "about"
                                | "when"
                                | "while"
                                | "as"
                                | "and"
                                | "but"
                                | "so"
                                | "reporters"
                                | "me"
                                | "him"
                                | "them"
                                | "us"
                                | "her"
                                | "journalists"
                                | "not"
                        );
                    // "said it was": `it` starts a clause only before a verb-like word.
                    let it_object = nt.low == "it"
                        && !toks.get(after + 1).is_some_and(|t| {
                            t.kind == Kind::Poss
                                || matches!(
                                    t.low,
                                    "is" | "was"
                                        | "would"
                                        | "will"
                                        | "has"
                                        | "had"
                                        | "could"
                                        | "should"
                                        | "might"
                                        | "may"
                                        | "can"
                                        | "did"
                                        | "does"
                                        | "wanted"
                                        | "wants"
                                        | "needs"
                                        | "needed"
                                )
                        });
                    if !it_object
                        && (object || (starts_clause && !matches!(w, "tell" | "told" | "tells")))
                        && nt.kind == Kind::Word
                    {
                        cs = Some(after);
                    }
                }
                // Inverted: "CONTENT, said NP ...".
                let inverted =
                    v > s0 + 2 && toks[v - 1].is_p(',') && self.np_before(v, s0).is_none();
                let np_inv = if inverted {
                    self.np_after(after, e).filter(|n| {
                        let possessed = toks.get(n.te).is_some_and(|t| t.kind == Kind::Poss);
                        let ok_kind = match n.kind {
                            NpKind::Mention(mi) => self.men[mi].kind != EntityKind::Loc,
                            _ => true,
                        };
                        !possessed && ok_kind
                    })
                } else {
                    None
                };
                let np_subject = if np_inv.is_some() {
                    None
                } else if w.ends_with("ing") {
                    self.participle_subject(s0, v)
                } else {
                    self.np_before(v, s0)
                };
                if np_inv.is_some() {
                    cs = None;
                }
                let np_start = np_subject.map(|n| n.ts).unwrap_or(v);
                let comma_before =
                    np_start > s0 + 3 && toks[np_start - 1].is_p(',') && !w.ends_with("ing");
                let tail_len = np_inv.map(|n| n.te).unwrap_or(after);
                let tail_clause = cs.is_some_and(|c| e.saturating_sub(c) >= 4);
                if comma_before && !tail_clause {
                    let np = np_subject.or(np_inv);
                    // "A, NP said, B": take the longer side.
                    let after_comma = (tail_len..e)
                        .find(|&k| toks[k].is_p(','))
                        .filter(|&k| k == tail_len);
                    let before = (s0, np_start - 1);
                    let (cs, ce) = match after_comma {
                        Some(k) if e - (k + 1) > before.1 - before.0 => (k + 1, e),
                        _ => before,
                    };
                    self.push_indirect(&mut out, direct, cs, ce, np, Rule::Inverted);
                    continue;
                }
                if let Some(cs) = cs {
                    let np = np_subject
                        .or_else(|| self.first_subject(s0, v))
                        .or_else(|| self.clause_subject(s0, v));
                    if np.is_none() && !w.ends_with("ing") {
                        continue;
                    }
                    let rule = if w.ends_with("ing") {
                        Rule::Participle
                    } else if cs > 0 && toks[cs - 1].low == "that" {
                        Rule::That
                    } else {
                        Rule::Clause
                    };
                    self.push_indirect(&mut out, direct, cs, e, np, rule);
                }
            }
        }
        out
    }

    /// The whole stretch from the sentence start to the verb `v` as the subject, when it is
    /// a plain phrase (no comma, no verb, at most 12 words): "Experts on North Korea and
    /// nuclear nonproliferation said ...".
    fn clause_subject(&self, s0: usize, v: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        let mut a = s0;
        while a < v && matches!(toks[a].low, "but" | "and" | "so" | "yet" | "still") {
            a += 1;
        }
        if a >= v || v - a > 12 {
            return None;
        }
        let plain = (a..v).all(|k| {
            let t = &toks[k];
            (t.is_word() || t.kind == Kind::Poss || t.is_p('-'))
                && !self.in_quote[k]
                && (k == a || self.verb_at(k).is_none())
        });
        plain.then_some(Np {
            ts: a,
            te: v,
            kind: NpKind::Other,
        })
    }

    /// Headlines and captions of the form "Poll: Clinton leads in Ohio": a short name (or
    /// noun phrase) opening the sentence, a colon, and a clause.
    fn colon_claims(&self, taken: &[RawQuote]) -> Vec<RawQuote> {
        let toks = &self.doc.toks;
        let mut out = Vec::new();
        for &(s0, s1) in &self.doc.sents {
            let Some(k) = (s0 + 1..(s0 + 5).min(s1)).find(|&k| toks[k].is_p(':')) else {
                continue;
            };
            if !(s0..k).all(|i| toks[i].is_word() && toks[i].cap) || self.in_quote[k] {
                continue;
            }
            let mut e = s1;
            while e > k + 1 && !toks[e - 1].is_word() {
                e -= 1;
            }
            if (k + 1..e).filter(|&i| toks[i].is_word()).count() < 3 {
                continue;
            }
            let overlaps = taken.iter().any(|q| q.ts < e && k + 1 < q.te && !q.partial);
            if overlaps {
                continue;
            }
            let np = match self.tok2men[s0] {
                Some(mi) if self.men[mi].te <= k => Np {
                    ts: s0,
                    te: self.men[mi].te,
                    kind: NpKind::Mention(mi),
                },
                _ => Np {
                    ts: s0,
                    te: k,
                    kind: NpKind::Name,
                },
            };
            out.push(RawQuote::indirect(k + 1, e, Some(np), Rule::Colon));
        }
        out
    }

    /// Attributions by verbs of attitude and judgement not covered by the reporting verbs:
    /// the subject holds, wants, plans or judges what follows the verb, up to the end of
    /// its clause ("the mayor wants to hire 500 teachers", "the minister is expected to
    /// resign", "the council questioned the deal").
    fn attitudes(&self, taken: &[RawQuote]) -> Vec<RawQuote> {
        let toks = &self.doc.toks;
        let mut out: Vec<RawQuote> = Vec::new();
        // Where a complement must stop: quoted tokens, except the words of a fragment.
        let mut stop = self.in_quote.clone();
        for q in taken.iter().filter(|q| q.partial) {
            for f in &mut stop[q.ts..q.te] {
                *f = false;
            }
        }
        let mut known = SpanIndex::new(taken.iter().map(|q| (q.ts, q.te)));
        for &(s0, s1) in &self.doc.sents {
            let mut e = s1;
            while e > s0 && !toks[e - 1].is_word() {
                e -= 1;
            }
            if e <= s0 + 2 {
                continue;
            }
            for v in s0 + 1..e.saturating_sub(1) {
                let t = &toks[v];
                if self.in_quote[v] || !t.is_word() || t.cap || !is_attitude_verb(t.low) {
                    continue;
                }
                // Infinitives and prepositional uses are not clauses of their own.
                if matches!(
                    self.low(v - 1),
                    "to" | "of" | "for" | "a" | "an" | "the" | "by"
                ) || toks[v - 1].kind == Kind::Poss
                {
                    continue;
                }
                // The subject, over auxiliaries: "Trump is expected to", "she has long
                // opposed".
                let mut k = v;
                while k > s0
                    && (matches!(
                        self.low(k - 1),
                        "is" | "are"
                            | "was"
                            | "were"
                            | "be"
                            | "been"
                            | "being"
                            | "has"
                            | "have"
                            | "had"
                            | "will"
                            | "would"
                            | "long"
                            | "now"
                            | "still"
                            | "already"
                            | "repeatedly"
                            | "previously"
                            | "recently"
                            | "strongly"
                            | "publicly"
                            | "n't"
                            | "not"
                            | "never"
                            | "also"
                            | "can"
                            | "could"
                            | "may"
                            | "might"
                            | "should"
                            | "must"
                            | "did"
                            | "do"
                            | "does"
                            | "together"
                    ) || (self.low(k - 1).ends_with("ly") && self.low(k - 1).len() > 4))
                {
                    k -= 1;
                }
                if t.low.ends_with("ing") && k == v {
                    continue;
                }
                // (A relative clause, "officials who opposed the deal", is resolved by
                // `np_before` to the phrase the pronoun follows.)
                let Some(np) = self.np_before(k, s0).or_else(|| self.clause_subject(s0, k)) else {
                    continue;
                };
                if matches!(np.kind, NpKind::Other)
                    && toks[np.ts..np.te].iter().any(|x| x.low == "it")
                {
                    continue;
                }
                // The complement, to the end of the clause ("pointed out that ...").
                let mut cs = v + 1;
                if needs_particle(t.low).is_some_and(|p| toks[cs].low == p) {
                    cs += 1;
                }
                while cs < e && (toks[cs].low == "that" || !toks[cs].is_word()) {
                    cs += 1;
                }
                if cs >= e {
                    continue;
                }
                let mut ce = cs;
                while ce < e {
                    let x = &toks[ce];
                    if stop[ce] {
                        break;
                    }
                    if x.is_p(';') || x.is_p('(') || x.low == "—" {
                        break;
                    }
                    if x.is_p(',')
                        && toks.get(ce + 1).is_some_and(|n| {
                            matches!(
                                n.low,
                                "but" | "which" | "who" | "while" | "and" | "although" | "though"
                            )
                        })
                    {
                        break;
                    }
                    ce += 1;
                }
                if !(cs..ce).any(|i| toks[i].is_word()) {
                    continue;
                }
                // Already covered (half of the shorter span or more) by a quote found before.
                let covered = known.overlapping(cs, ce).any(|(ts, te, _)| {
                    let ov = ce.min(te).saturating_sub(cs.max(ts));
                    ov * 2 >= (ce - cs).min(te - ts)
                });
                if covered {
                    continue;
                }
                known.insert(cs, ce);
                out.push(RawQuote::indirect(cs, ce, Some(np), Rule::Attitude));
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn push_indirect(
        &self,
        out: &mut Vec<RawQuote>,
        direct: &[RawQuote],
        cs: usize,
        mut ce: usize,
        np: Option<Np>,
        rule: Rule,
    ) {
        let toks = &self.doc.toks;
        // A trailing ", NP said" belongs to another report.
        if let Some(k) = (cs + 1..ce).find(|&k| {
            toks[k].is_p(',')
                && (k + 1..(k + 6).min(ce))
                    .any(|j| self.verb_at(j).is_some() && self.np_before(j, k + 1).is_some())
        }) {
            ce = k;
        }
        // A following ", adding ..." starts another report.
        if let Some(k) = (cs + 1..ce).find(|&k| {
            toks[k - 1].is_p(',') && toks[k].low.ends_with("ing") && self.verb_at(k).is_some()
        }) {
            ce = k - 1;
        }
        // Stop before a full direct quote inside the content.
        if let Some(q) = direct.iter().find(|q| !q.partial && q.ts > cs && q.ts < ce) {
            ce = q.ts - 1;
        }
        while ce > cs && !toks[ce - 1].is_word() {
            ce -= 1;
        }
        if (cs..ce).filter(|&k| toks[k].is_word()).count() < 3 {
            return;
        }
        // Entirely inside a direct quote: not an indirect quote.
        if direct.iter().any(|q| q.ts <= cs && ce <= q.te) {
            return;
        }
        if out.iter().any(|q: &RawQuote| q.ts == cs && q.te == ce) {
            return;
        }
        out.push(RawQuote::indirect(cs, ce, np, rule));
    }

    /// Resolves speakers in document order.
    fn resolve(&self, qs: &mut [RawQuote]) {
        let doc = self.doc;
        let toks = &doc.toks;
        // Sentence subjects: the first person mentioned outside quotes.
        let mut history: Vec<(usize, String)> = Vec::new();
        for &(s0, s1) in &doc.sents {
            if let Some(m) = (s0..s1)
                .filter(|&k| !self.in_quote[k])
                .filter_map(|k| self.tok2men[k])
                .map(|i| &self.men[i])
                .find(|m| m.kind == EntityKind::Per)
            {
                history.push((m.ts, m.canonical.clone()));
            }
        }
        // Context words of each person: title, preceding modifiers, appositive.
        let mut ctx: FxHashMap<&str, Vec<(usize, FxHashSet<String>)>> = FxHashMap::default();
        for m in self.men.iter().filter(|m| m.kind == EntityKind::Per) {
            let mut words = FxHashSet::default();
            let s0 = doc.sents[doc.sent_of[m.ts]].0;
            let s1 = doc.sents[doc.sent_of[m.ts]].1;
            let mut k = m.ts;
            while k > s0 && m.ts - k < 10 {
                if self.tok2men[k - 1].is_some_and(|i| {
                    self.men[i].kind == EntityKind::Per && self.men[i].canonical != m.canonical
                }) {
                    break;
                }
                let w = self.low(k - 1);
                if WINDOW_BREAK.contains(&w) || self.verb_at(k - 1).is_some() {
                    break;
                }
                k -= 1;
            }
            let mut add = |i: usize| {
                let t = &toks[i];
                if t.is_word() && !STOP.contains(&t.low) {
                    words.insert(norm_word(self.gaz, t.low));
                }
            };
            for i in k..m.te {
                add(i);
            }
            if m.te + 1 < s1 && toks[m.te].is_p(',') {
                let f = &toks[m.te + 1];
                if DET.contains(&f.low) || f.low == "who" || f.cap {
                    let mut i = m.te + 1;
                    while i < s1 && i - m.te < 16 && !toks[i].is_p(',') {
                        if self.tok2men[i].is_some_and(|x| self.men[x].kind == EntityKind::Per) {
                            break;
                        }
                        add(i);
                        i += 1;
                    }
                }
            }
            ctx.entry(m.canonical.as_str())
                .or_default()
                .push((m.ts, words));
        }
        let mut role_of: FxHashMap<&str, &str> = FxHashMap::default();
        for m in self.men {
            if let Some(r) = &m.role_head {
                role_of.insert(m.canonical.as_str(), r.as_str());
            }
        }
        let mut prev: Option<Attributed> = None;
        for q in qs.iter_mut() {
            if q.inherit {
                if let Some((s, t)) = &prev {
                    q.speaker.clone_from(s);
                    q.speaker_toks = *t;
                }
                continue;
            }
            let Some(np) = q.np else {
                // A quote standing alone, with nothing to inherit: the person the text was
                // last about ("Kerry said that 100,000 would be accepted. ¶ “…”").
                if q.direct && !q.partial {
                    q.speaker = history
                        .iter()
                        .filter(|h| h.0 < q.ts)
                        .max_by_key(|h| h.0)
                        .map(|h| h.1.clone());
                    prev = Some((q.speaker.clone(), None));
                }
                continue;
            };
            let at = np.ts;
            let last_subject = |history: &Vec<(usize, String)>| {
                history
                    .iter()
                    .filter(|h| h.0 < at)
                    .max_by_key(|h| h.0)
                    .map(|h| h.1.clone())
            };
            let speaker = match np.kind {
                NpKind::Mention(mi) => Some(self.men[mi].canonical.clone()),
                NpKind::Pron(true) => last_subject(&history),
                NpKind::Pron(false) => qs_last_group(&prev),
                NpKind::Name => Some(doc.text(np.ts, np.te).to_string()),
                NpKind::Other => Some(strip_det(doc.text(np.ts, np.te))),
                NpKind::Desc => {
                    let head = toks[np.te - 1].low;
                    let det = toks[np.ts].low;
                    let text = doc.text(np.ts, np.te);
                    if is_plural_role(head) {
                        Some(strip_det(text))
                    } else {
                        let mut desc: Vec<(String, u32)> = Vec::new();
                        let mut possessors: Vec<String> = Vec::new();
                        for i in np.ts..np.te {
                            let t = &toks[i];
                            if !t.is_word() || DET.contains(&t.low) {
                                continue;
                            }
                            let w = norm_word(self.gaz, t.low);
                            if i + 1 < np.te && toks[i + 1].kind == Kind::Poss {
                                possessors.push(t.low.to_string());
                            }
                            desc.push((w, if i == np.te - 1 { 3 } else { 1 }));
                        }
                        let recent_subject = last_subject(&history);
                        let mut best: Option<(i32, usize, &str)> = None;
                        for (name, list) in &ctx {
                            let before: Vec<_> = list.iter().filter(|(p, _)| *p < at).collect();
                            if before.is_empty() {
                                continue;
                            }
                            let recent = before.iter().map(|x| x.0).max().unwrap_or(0);
                            let mut score = 0i32;
                            for (w, wt) in &desc {
                                if before.iter().any(|(_, ws)| ws.contains(w)) {
                                    score += *wt as i32;
                                }
                            }
                            if role_of
                                .get(name)
                                .is_some_and(|r| possessors.iter().any(|p| p == r))
                            {
                                score -= 5;
                            }
                            if score > 0 && recent_subject.as_deref() == Some(*name) {
                                score += 1;
                            }
                            let cand = (score, recent, *name);
                            if best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
                                best = Some(cand);
                            }
                        }
                        match best {
                            Some((s, _, name)) if s > 0 => Some(name.to_string()),
                            _ if matches!(det, "the" | "this") => {
                                last_subject(&history).or_else(|| Some(strip_det(text)))
                            }
                            _ => Some(strip_det(text)),
                        }
                    }
                }
            };
            if let (Some(s), NpKind::Mention(_) | NpKind::Pron(true) | NpKind::Desc) =
                (&speaker, np.kind)
            {
                if ctx.contains_key(s.as_str()) {
                    // The speaker, not the first name in the sentence, is its subject.
                    let si = doc.sent_of[np.ts];
                    history.retain(|h| doc.sent_of[h.0] != si);
                    history.push((np.ts, s.clone()));
                }
            }
            // A speaker is a person, an organisation or a described source: not a place,
            // not a common word or a fragment ("who", "of GOP", "Among those").
            let speaker = speaker.filter(|_| self.can_speak(np));
            q.speaker_toks = speaker.as_ref().map(|_| (np.ts, np.te));
            q.speaker = speaker;
            if q.direct {
                prev = Some((q.speaker.clone(), q.speaker_toks));
            }
        }
    }
}

impl Quoter<'_, '_> {
    /// Whether the phrase `np` can name a speaker: a mention that is no place; a name that
    /// is no common word of the article (used in lower case elsewhere), no function word or
    /// number; another phrase that does not open with a preposition, a relative pronoun or
    /// a conjunction.
    fn can_speak(&self, np: Np) -> bool {
        let toks = &self.doc.toks;
        let first = &toks[np.ts];
        match np.kind {
            NpKind::Mention(mi) => self.men[mi].kind != EntityKind::Loc,
            NpKind::Pron(_) | NpKind::Desc => true,
            NpKind::Name => {
                let w = first.low;
                !FUNCTION.contains(&w)
                    && !is_quantifier(w)
                    && (np.te - np.ts > 1 || self.gaz.demonym(w).is_none())
                    && !self.doc.lower.contains(first.text(self.doc.src))
                    && !self.doc.lower.contains(w)
                    && !CALENDAR.contains(&w)
                    && first.low.chars().next().is_some_and(char::is_alphabetic)
            }
            NpKind::Other => {
                let w = first.low;
                !(FUNCTION_PREP.contains(&w)
                    || matches!(
                        w,
                        "who"
                            | "which"
                            | "that"
                            | "whom"
                            | "whose"
                            | "among"
                            | "and"
                            | "or"
                            | "but"
                            | "if"
                            | "as"
                            | "than"
                    ))
            }
        }
    }
}

/// Possessive pronouns of a speaker: `true` when singular.
fn possessive_pronoun(w: &str) -> Option<bool> {
    match w {
        "his" | "her" => Some(true),
        "their" => Some(false),
        _ => None,
    }
}

/// Nouns naming an act of speech whose possessor is its speaker.
fn is_speech_noun(w: &str) -> bool {
    matches!(
        w,
        "claim"
            | "claims"
            | "statement"
            | "statements"
            | "remark"
            | "remarks"
            | "comment"
            | "comments"
            | "warning"
            | "warnings"
            | "promise"
            | "promises"
            | "pledge"
            | "pledges"
            | "vow"
            | "assertion"
            | "assertions"
            | "argument"
            | "contention"
            | "suggestion"
            | "prediction"
            | "description"
            | "words"
            | "accusation"
            | "accusations"
            | "charge"
            | "charges"
            | "insistence"
            | "answer"
            | "response"
            | "reply"
            | "tweet"
            | "tweets"
            | "message"
            | "speech"
            | "declaration"
            | "admission"
            | "announcement"
            | "explanation"
            | "criticism"
            | "complaint"
            | "threat"
            | "boast"
            | "plea"
            | "slogan"
            | "proposal"
            | "view"
            | "belief"
    )
}

fn qs_last_group(prev: &Option<Attributed>) -> Option<String> {
    prev.as_ref().and_then(|p| p.0.clone())
}

fn strip_det(s: &str) -> String {
    for d in ["the ", "The ", "a ", "A ", "an ", "An "] {
        if let Some(r) = s.strip_prefix(d) {
            return r.to_string();
        }
    }
    s.to_string()
}
