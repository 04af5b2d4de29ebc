//! Quotations (direct, partial, indirect) and their speakers.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::gazetteer::{EntityKind, Gazetteer};
use crate::ner::{Doc, Men};
use crate::text::Kind;
use crate::vocab::*;

/// What attributes a quote.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NpKind {
    /// A recognised mention (index into the mention list).
    Mention(usize),
    /// A pronoun; `true` when singular.
    Pron(bool),
    /// A description headed by a role noun ("the security official").
    Desc,
    /// An unrecognised capitalised word.
    Name,
}

/// A noun phrase over tokens `[ts, te)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Np {
    pub ts: usize,
    pub te: usize,
    pub kind: NpKind,
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
}

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
        let w = t.low;
        if let Some(p) = needs_particle(w) {
            return (i + 1 < self.doc.toks.len() && self.low(i + 1) == p).then_some(i + 2);
        }
        is_report_verb(w).then_some(i + 1)
    }

    pub fn run(&mut self) -> Vec<RawQuote> {
        let mut out = self.direct();
        let mut ind = self.indirect(&out);
        out.append(&mut ind);
        out.sort_by_key(|q| q.ts);
        self.resolve(&mut out);
        out
    }

    fn direct(&mut self) -> Vec<RawQuote> {
        let toks = &self.doc.toks;
        let n = toks.len();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut open: Option<usize> = None;
        for i in 0..n {
            match toks[i].kind {
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
        let mut out: Vec<RawQuote> = Vec::new();
        let mut last_direct_sent: Option<usize> = None;
        for (o, c) in pairs {
            let words = (o + 1..c).filter(|&k| toks[k].is_word()).count();
            if words == 0 {
                continue;
            }
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
            let partial = !ends_punct && (prev_word || (words <= 4 && next_word));
            let (np, verb) = self.attribute_direct(o, c);
            if let Some(v) = verb.filter(|_| !partial) {
                self.used_verbs.insert(v);
            }
            let so = self.doc.sent_of[o];
            let inherit = np.is_none()
                && !partial
                && last_direct_sent.is_some_and(|s| so <= s + 2)
                && out.last().is_some_and(|q| q.direct);
            let sc = self.doc.sent_of[c.min(n - 1)];
            last_direct_sent = Some(sc);
            if np.is_none() && !inherit && partial && words <= 3 {
                // Unattributed scare quotes are not quotations.
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
            });
        }
        out
    }

    /// Finds the attributing noun phrase of a direct quote `[o, c]` and the verb used.
    fn attribute_direct(&self, o: usize, c: usize) -> (Option<Np>, Option<usize>) {
        let toks = &self.doc.toks;
        let n = toks.len();
        // After the closing mark, to the end of that sentence.
        if c + 1 < n && toks[c].kind != Kind::Para {
            let sc = self.doc.sent_of[c];
            let mut end = self.doc.sents[sc].1.max(c + 1);
            if let Some(q) =
                (c + 1..end).find(|&k| matches!(toks[k].kind, Kind::OpenQ | Kind::AmbQ))
            {
                end = q;
            }
            for v in c + 1..end.min(c + 16) {
                if let Some(after) = self.verb_at(v) {
                    if let Some(np) = self.np_before(v, c + 1) {
                        return (Some(np), Some(v));
                    }
                    if let Some(np) = self.np_after(after, end) {
                        return (Some(np), Some(v));
                    }
                }
            }
        }
        // Before the opening mark, back to the sentence start or the previous quote.
        let so = self.doc.sent_of[o];
        let mut start = self.doc.sents[so].0;
        if let Some(q) = (start..o)
            .rev()
            .find(|&k| matches!(toks[k].kind, Kind::CloseQ | Kind::AmbQ))
        {
            start = q + 1;
        }
        for v in (start..o).rev() {
            if self.verb_at(v).is_some() {
                let np = if toks[v].low.ends_with("ing") {
                    self.participle_subject(self.doc.sents[so].0, v)
                } else {
                    self.np_before(v, start)
                        .or_else(|| self.first_subject(self.doc.sents[so].0, v))
                };
                if np.is_some() {
                    return (np, Some(v));
                }
            }
        }
        (None, None)
    }

    fn skip_back(&self, mut k: isize, floor: usize) -> isize {
        while k >= floor as isize {
            let t = &self.doc.toks[k as usize];
            if t.is_word()
                && (AUX.contains(&t.low) || (t.low.ends_with("ly") && t.low.len() > 4 && !t.cap))
            {
                k -= 1;
            } else {
                break;
            }
        }
        k
    }

    /// The noun phrase that ends just before `v` (the verb's subject), not before `floor`.
    pub fn np_before(&self, v: usize, floor: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        let mut k = self.skip_back(v as isize - 1, floor);
        if k < floor as isize {
            return None;
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
        if let Some(s) = pronoun(t.low) {
            return Some(Np {
                ts: k,
                te: k + 1,
                kind: NpKind::Pron(s),
            });
        }
        if is_role_noun(t.low) {
            let mut j = k;
            while j > floor && k - j < 6 {
                let p = &toks[j - 1];
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
        None
    }

    /// The noun phrase that starts at `s` (inverted attribution: "said Velayati").
    fn np_after(&self, s: usize, ceil: usize) -> Option<Np> {
        let toks = &self.doc.toks;
        if s >= ceil {
            return None;
        }
        if let Some(mi) = self.tok2men[s] {
            let m = &self.men[mi];
            if m.ts == s || (s > 0 && self.tok2men[s - 1] != Some(mi)) {
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
        None
    }

    /// The subject of a participle ("X said ..., adding"): that of the nearest finite
    /// reporting verb before it, else the sentence's first subject.
    fn participle_subject(&self, s0: usize, v: usize) -> Option<Np> {
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
        while k < v {
            if self.in_quote[k] {
                k += 1;
                continue;
            }
            if let Some(mi) = self.tok2men[k] {
                let m = &self.men[mi];
                if m.kind != EntityKind::Loc || (m.te < v && self.verb_at(m.te).is_some()) {
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
            if let Some(p) = pronoun(t.low) {
                return Some(Np {
                    ts: k,
                    te: k + 1,
                    kind: NpKind::Pron(p),
                });
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
                    self.push_indirect(&mut out, direct, cs, ce, np);
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
                                | "it"
                                | "reporters"
                                | "me"
                                | "him"
                                | "them"
                                | "us"
                                | "her"
                                | "journalists"
                                | "not"
                        );
                    if (object || (starts_clause && !matches!(w, "tell" | "told" | "tells")))
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
                    self.push_indirect(&mut out, direct, cs, ce, np);
                    continue;
                }
                if let Some(cs) = cs {
                    let np = np_subject.or_else(|| self.first_subject(s0, v));
                    if np.is_none() && !w.ends_with("ing") {
                        continue;
                    }
                    self.push_indirect(&mut out, direct, cs, e, np);
                }
            }
        }
        out
    }

    fn push_indirect(
        &self,
        out: &mut Vec<RawQuote>,
        direct: &[RawQuote],
        cs: usize,
        mut ce: usize,
        np: Option<Np>,
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
        out.push(RawQuote {
            ts: cs,
            te: ce,
            direct: false,
            partial: false,
            np,
            inherit: false,
            speaker: None,
            speaker_toks: None,
        });
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
            let Some(np) = q.np else { continue };
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
                            _ if matches!(det, "the" | "this") => last_subject(&history),
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
            q.speaker = speaker;
            q.speaker_toks = Some((np.ts, np.te));
            if q.direct {
                prev = Some((q.speaker.clone(), q.speaker_toks));
            }
        }
    }
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
