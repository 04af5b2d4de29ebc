//! Rule-based PER/ORG/LOC mentions: capitalised-sequence chunking, title stripping, acronym
//! definitions, suffix words and gazetteers, then within-article canonical names.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::gazetteer::{key, EntityKind, Gazetteer};
use crate::people::{People, Resolution};
use crate::text::{Kind, Tok};
use crate::vocab::*;

/// A mention found in the cleaned text (token range).
#[derive(Debug, Clone)]
pub(crate) struct Men {
    /// First token (title included).
    pub ts: usize,
    /// Past the last token.
    pub te: usize,
    pub kind: EntityKind,
    pub canonical: String,
    /// For a bare role mention ("the Leader"): the role head, lower case.
    pub role_only: Option<String>,
    /// For a person introduced with a title phrase: its head word, lower case.
    pub role_head: Option<String>,
    /// A bare name several people of the article carry, left unresolved.
    pub open: bool,
}

/// The tokenised document shared by the extractors.
pub(crate) struct Doc<'a> {
    pub src: &'a str,
    pub toks: Vec<Tok<'a>>,
    pub sents: Vec<(usize, usize)>,
    /// Sentence index of each token.
    pub sent_of: Vec<usize>,
    /// Words seen in lower case in this document.
    pub lower: FxHashSet<&'a str>,
}

impl<'a> Doc<'a> {
    pub fn new(src: &'a str, lowered: &'a str) -> Self {
        let toks = crate::text::tokenize(src, lowered);
        let sents = crate::text::sentences(&toks);
        let mut sent_of = vec![0; toks.len()];
        for (si, &(a, b)) in sents.iter().enumerate() {
            for s in &mut sent_of[a..b] {
                *s = si;
            }
        }
        let mut lower = FxHashSet::default();
        for t in &toks {
            if t.is_word() && !t.cap && t.text(src).chars().next().is_some_and(char::is_lowercase) {
                lower.insert(t.text(src));
            }
        }
        Doc {
            src,
            toks,
            sents,
            sent_of,
            lower,
        }
    }

    pub fn text(&self, a: usize, b: usize) -> &'a str {
        if a >= b {
            return "";
        }
        &self.src[self.toks[a].s..self.toks[b - 1].e]
    }

    fn sent_start(&self, i: usize) -> usize {
        self.sents.get(self.sent_of[i]).map_or(0, |s| s.0)
    }
}

const CONNECT: &[&str] = &[
    "of", "de", "da", "del", "della", "van", "von", "bin", "ibn", "al", "el", "la", "le", "du",
    "der", "den", "ez", "for", "and", "&", "on", "y",
];

fn is_calendar(t: &Tok) -> bool {
    CALENDAR.contains(&t.low.trim_end_matches('.'))
}

fn is_title(t: &Tok) -> bool {
    t.cap && t.is_word() && TITLES.contains(&t.low.trim_end_matches('.'))
}

/// Finds all mentions.
pub(crate) fn mentions(doc: &Doc, gaz: &Gazetteer) -> Vec<Men> {
    let toks = &doc.toks;
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    for &(ss, se) in &doc.sents {
        // A headline in title case ("Senator Pins The Blame On Aides") capitalises common
        // words: there a word the article uses in lower case elsewhere ends a name.
        let words = (ss..se).filter(|&k| toks[k].is_word()).count();
        let capped = (ss..se)
            .filter(|&k| toks[k].is_word() && toks[k].cap)
            .count();
        let title_case = words >= 4 && capped * 4 >= words * 3;
        let common = |k: usize| {
            title_case
                && doc.lower.contains(toks[k].low)
                && gaz.lookup_key(toks[k].low).is_none()
                && !is_title(&toks[k])
        };
        let mut i = ss;
        while i < se {
            let t = &toks[i];
            if !(t.is_word() && t.cap) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            loop {
                if j < se && toks[j].is_word() && toks[j].cap && !common(j) {
                    j += 1;
                    continue;
                }
                // An initial and its period inside a name: "Mara E. Quillon", "J. Smith".
                if j + 1 < se
                    && toks[j].is_p('.')
                    && toks[j].s == toks[j - 1].e
                    && toks[j - 1].low.chars().count() == 1
                    && toks[j - 1].low.chars().all(char::is_alphabetic)
                    && toks[j + 1].is_word()
                    && toks[j + 1].cap
                    && !FUNCTION.contains(&toks[j + 1].low)
                {
                    j += 1;
                    continue;
                }
                if j + 1 < se
                    && (toks[j].is_word() || toks[j].is_p('&'))
                    && CONNECT.contains(&toks[j].low)
                {
                    let c = toks[j].low;
                    let mut k = j + 1;
                    if c == "of" && toks[k].low == "the" {
                        k += 1;
                    }
                    if k < se && toks[k].is_word() && toks[k].cap && !is_calendar(&toks[k]) {
                        let prev = &toks[j - 1].low;
                        let ok = match c {
                            "for" | "and" | "&" | "on" => ORG_SUFFIX.contains(prev),
                            // "Bank of America", "Secretary of State", but not "Ted Cruz
                            // of Texas": a person's name does not take a place.
                            "of" => {
                                ORG_SUFFIX.contains(prev)
                                    || LOC_SUFFIX.contains(prev)
                                    || TITLES.contains(&prev.trim_end_matches('.'))
                                    || gaz
                                        .lookup_key(toks[k].low)
                                        .is_none_or(|x| x.0 != EntityKind::Loc)
                            }
                            _ => toks[k].cap,
                        };
                        // "Iran and Russia": never join two known places.
                        if ok {
                            j = k + 1;
                            continue;
                        }
                    }
                }
                break;
            }
            chunks.push((i, j));
            i = j;
        }
    }

    let mut out: Vec<Men> = Vec::new();
    let mut acr: FxHashMap<String, (EntityKind, String)> = FxHashMap::default();
    for &(a, b) in &chunks {
        chunk(doc, gaz, a, b, &mut out, &mut acr);
    }
    // Acronym definitions: "Full Name (ACR)".
    for m in out.iter_mut() {
        if m.te - m.ts == 1 && toks[m.ts].caps {
            if let Some((k, c)) = acr.get(toks[m.ts].low) {
                m.kind = *k;
                m.canonical.clone_from(c);
            }
        }
    }
    resolve_unknowns(doc, gaz, &mut out);
    // A surname repeated by a typo ("Rand Paul Paul said") belongs to the mention before it.
    for m in out.iter_mut() {
        if m.kind == EntityKind::Per
            && m.te - m.ts >= 2
            && toks
                .get(m.te)
                .is_some_and(|t| t.is_word() && t.low == toks[m.te - 1].low)
        {
            m.te += 1;
        }
    }
    out.sort_by_key(|m| m.ts);
    out
}

/// Processes one capitalised chunk.
fn chunk(
    doc: &Doc,
    gaz: &Gazetteer,
    mut a: usize,
    mut b: usize,
    out: &mut Vec<Men>,
    acr: &mut FxHashMap<String, (EntityKind, String)>,
) {
    let toks = &doc.toks;
    // Leading function words ("The", "During") and sentence-initial common words, unless a
    // known name starts with the word ("New Zealand", "New York").
    let known_from = |a: usize| {
        if a + 1 >= b {
            return false;
        }
        let mut k = String::new();
        (a..b.min(a + gaz.max_tokens().min(4))).any(|e| {
            if e > a {
                k.push(' ');
            }
            k.push_str(toks[e].low);
            // Plain lower-case words are already in key form.
            e > a && gaz.lookup_key(&k).is_some()
        })
    };
    while a < b && (FUNCTION.contains(&toks[a].low) && !toks[a].caps) && !known_from(a) {
        a += 1;
    }
    while a < b && is_calendar(&toks[a]) {
        a += 1;
    }
    // A month after a given name is a surname ("Theresa May").
    while b > a
        && is_calendar(&toks[b - 1])
        && !(b - a >= 2 && gaz.is_given_name(toks[b - 2].low) && !toks[b - 2].caps)
    {
        b -= 1;
    }
    // A name repeated by a typo ("Sen. Jane Doakes Doakes said"): once.
    if b - a >= 3 && toks[b - 1].low == toks[b - 2].low && toks[b - 1].is_word() {
        b -= 1;
    }
    // Trailing connectors left by calendar trimming.
    while b > a && !toks[b - 1].cap {
        b -= 1;
    }
    if a >= b {
        return;
    }
    let at_start = a == doc.sent_start(a)
        || matches!(
            toks[a - 1].kind,
            Kind::OpenQ | Kind::AmbQ | Kind::OpenSQ | Kind::Para
        )
        || toks[a - 1].is_p(':');
    if at_start
        && !toks[a].caps
        && doc.lower.contains(toks[a].low)
        && gaz.lookup_key(toks[a].low).is_none()
        && !is_title(&toks[a])
    {
        a += 1;
        while a < b && !toks[a].cap {
            a += 1;
        }
        if a >= b {
            return;
        }
    }
    // A title inside the chunk splits it: [prefix] [title phrase] [name].
    let first_title = (a..b).find(|&k| is_title(&toks[k]) && is_title_head_at(doc, k, a));
    if let Some(t) = first_title {
        if t > a {
            plain(doc, gaz, a, t, out, acr);
        }
        let mut k = t;
        let mut complement: Option<usize> = None;
        while k < b {
            if is_title(&toks[k]) {
                k += 1;
                continue;
            }
            if toks[k].low == "of" && complement.is_none() {
                // The complement runs to the next title or given name.
                let mut m = k + 1;
                while m < b && !is_title(&toks[m]) && !gaz.is_given_name(toks[m].low) {
                    m += 1;
                }
                complement = Some(m);
                if m < b {
                    k = m;
                    continue;
                }
                // "Secretary of State" with no name after it.
                k = b;
            }
            break;
        }
        let role_head = toks[t].low.trim_end_matches('.').to_string();
        if k >= b {
            // A bare role: only "the Leader" style, capitalised mid-sentence.
            let possessed = toks.get(b).is_some_and(|x| x.kind == Kind::Poss);
            if complement.is_some() && possessed {
                // "Secretary of Norway's ...": the role belongs to a name further on.
            } else if t > 0 && toks[t - 1].low == "the" && t != doc.sent_start(t) + 1 && b - t == 1
            {
                out.push(Men {
                    ts: t,
                    te: b,
                    kind: EntityKind::Per,
                    canonical: doc.text(t, b).to_string(),
                    role_only: Some(role_head),
                    role_head: None,
                    open: false,
                });
            } else if t == a && b - t >= 3 && complement.is_some() {
                // "Leader of the Opposition" standing alone is still a role.
                out.push(Men {
                    ts: t,
                    te: b,
                    kind: EntityKind::Per,
                    canonical: doc.text(t, b).to_string(),
                    role_only: Some(role_head),
                    role_head: None,
                    open: false,
                });
            } else if b - t >= 2 && toks[b - 1].low != "of" {
                // "Secretary of State", "Foreign Ministry": the rest may be an org/place.
                let last = &toks[b - 1].low;
                if ORG_SUFFIX.contains(last) {
                    plain(doc, gaz, t, b, out, acr);
                }
            }
            return;
        }
        let mut ns = k;
        while ns < b && HONORIFICS.contains(&toks[ns].low.trim_end_matches('.')) {
            ns += 1;
        }
        if ns >= b {
            return;
        }
        // "X of the Y Agency": the person ends before "of".
        let mut b = b;
        if let Some(p) = (ns + 1..b).find(|&p| toks[p].low == "of") {
            let mut r = p + 1;
            if r < b && toks[r].low == "the" {
                r += 1;
            }
            plain(doc, gaz, r, b, out, acr);
            b = p;
        }
        let name: String = name_text(doc, ns, b);
        if let Some(ce) = complement {
            out.push(Men {
                ts: t,
                te: ce,
                kind: EntityKind::Per,
                canonical: name.clone(),
                role_only: None,
                role_head: Some(role_head.clone()),
                open: false,
            });
            out.push(Men {
                ts: ce,
                te: b,
                kind: EntityKind::Per,
                canonical: name,
                role_only: None,
                role_head: Some(role_head),
                open: false,
            });
        } else {
            out.push(Men {
                ts: t,
                te: b,
                kind: EntityKind::Per,
                canonical: name,
                role_only: None,
                role_head: Some(role_head),
                open: false,
            });
        }
        return;
    }
    plain(doc, gaz, a, b, out, acr);
}

/// A title counts as the start of a title phrase unless it continues an organisation name
/// ("Defence Council Secretary" does start one; "Supreme Court" does not).
fn is_title_head_at(doc: &Doc, k: usize, a: usize) -> bool {
    let t = &doc.toks[k];
    if !is_title_head(t.low.trim_end_matches('.')) {
        // "Prime Minister X", "Foreign Minister X": a modifier title heads only when followed
        // by another title.
        return k + 1 < doc.toks.len() && is_title(&doc.toks[k + 1]);
    }
    // "General" in "Secretary General" is fine; "General Assembly" is an org.
    if k + 1 < doc.toks.len() {
        let next = doc.toks[k + 1].low;
        if ORG_SUFFIX.contains(&next) || LOC_SUFFIX.contains(&next) {
            return false;
        }
    }
    let _ = a;
    true
}

fn name_text(doc: &Doc, a: usize, b: usize) -> String {
    doc.text(a, b).to_string()
}

/// Classifies a chunk with no title.
fn plain(
    doc: &Doc,
    gaz: &Gazetteer,
    a: usize,
    b: usize,
    out: &mut Vec<Men>,
    acr: &mut FxHashMap<String, (EntityKind, String)>,
) {
    let toks = &doc.toks;
    if a >= b {
        return;
    }
    let text = doc.text(a, b);
    let k = key(text);
    let push = |out: &mut Vec<Men>, kind, canonical: String| {
        out.push(Men {
            ts: a,
            te: b,
            kind,
            canonical,
            role_only: None,
            role_head: None,
            open: false,
        });
    };
    // Acronym definition right after: "Full Name (ACR)".
    if b + 2 < toks.len()
        && toks[b].is_p('(')
        && toks[b + 1].caps
        && toks[b + 2].is_p(')')
        && b - a >= 2
    {
        let initials: String = toks[a..b]
            .iter()
            .filter(|t| t.cap)
            .filter_map(|t| t.low.chars().next())
            .collect();
        let ac = &toks[b + 1].low;
        if ac.chars().next() == initials.chars().next() {
            let (kind, canon) =
                classify(doc, gaz, a, b, &k).unwrap_or((EntityKind::Org, text.to_string()));
            acr.insert(ac.to_string(), (kind, canon));
        }
    }
    // "Oslo-Berlin" relations: a compound of known names is no entity.
    if b - a == 1 && k.contains(' ') && k.split(' ').all(|p| gaz.lookup_key(p).is_some()) {
        return;
    }
    if let Some((kind, canon)) = classify(doc, gaz, a, b, &k) {
        push(out, kind, canon);
        return;
    }
    // Demonyms and other adjectives are not entities.
    if b - a == 1 && gaz.demonym(toks[a].low).is_some() {
        return;
    }
    // A known place or organisation before a personal name ("Ambassador to Norway Jane
    // Doakes"): two mentions.
    if b - a >= 3
        && gaz.lookup_key(toks[a].low).is_some()
        && gaz.is_given_name(toks[a + 1].low)
        && toks[a + 1].cap
        && !toks[a + 1].caps
    {
        plain(doc, gaz, a, a + 1, out, acr);
        plain(doc, gaz, a + 1, b, out, acr);
        return;
    }
    // Sub-chunks: a multi-word chunk made of known names ("Iran Russia", "Oslo Norway").
    if b - a >= 2 {
        let mut parts = Vec::new();
        let mut i = a;
        while i < b {
            let mut found = None;
            for j in (i + 1..=b.min(i + gaz.max_tokens().max(1))).rev() {
                if let Some((kind, c)) = gaz.lookup(doc.text(i, j)) {
                    found = Some((j, kind, c.to_string()));
                    break;
                }
            }
            match found {
                Some((j, kind, c)) => {
                    parts.push((i, j, kind, c));
                    i = j;
                }
                None => break,
            }
        }
        if i == b {
            for (s, e, kind, c) in parts {
                out.push(Men {
                    ts: s,
                    te: e,
                    kind,
                    canonical: c,
                    role_only: None,
                    role_head: None,
                    open: false,
                });
            }
            return;
        }
    }
    // Unknown: decided later from context; mark with an empty canonical.
    push(out, EntityKind::Org, String::new());
}

fn classify(
    doc: &Doc,
    gaz: &Gazetteer,
    a: usize,
    b: usize,
    k: &str,
) -> Option<(EntityKind, String)> {
    let toks = &doc.toks;
    let text = doc.text(a, b);
    if let Some((kind, c)) = gaz.lookup_key(k) {
        return Some((kind, c.to_string()));
    }
    let last = toks[b - 1].low;
    let n = b - a;
    let has_of = (a..b).any(|i| toks[i].low == "of");
    if n >= 2 || has_of {
        if ORG_SUFFIX.contains(&last)
            || (a + 1 < b && toks[a + 1].low == "of" && ORG_SUFFIX.contains(&toks[a].low))
        {
            return Some((EntityKind::Org, org_canonical(doc, gaz, a, b)));
        }
        if LOC_SUFFIX.contains(&last)
            || (a + 1 < b && toks[a + 1].low == "of" && LOC_SUFFIX.contains(&toks[a].low))
        {
            return Some((EntityKind::Loc, text.to_string()));
        }
        if (a..b).any(|i| ORG_SUFFIX.contains(&toks[i].low) && i > a) {
            return Some((EntityKind::Org, org_canonical(doc, gaz, a, b)));
        }
    }
    if n >= 2 && gaz.is_given_name(toks[a].low) && !toks[a].caps {
        return Some((EntityKind::Per, text.to_string()));
    }
    None
}

/// "I'm", "I’ll": the pronoun with a contraction is capitalised like a name but is none.
fn is_pronoun_contraction(s: &str) -> bool {
    let mut c = s.chars();
    c.next() == Some('I')
        && matches!(c.next(), Some('\'' | '’'))
        && s.chars().count() <= 4
        && c.all(char::is_alphabetic)
}

/// Organisation names drop a leading demonym or country ("Iranian Supreme National Security
/// Council") so that renderings with and without it meet.
fn org_canonical(doc: &Doc, gaz: &Gazetteer, a: usize, b: usize) -> String {
    let toks = &doc.toks;
    if b - a >= 4 && gaz.demonym(toks[a].low).is_some() {
        return doc.text(a + 1, b).to_string();
    }
    doc.text(a, b).to_string()
}

/// A name written in capitals ("DONALD TRUMP") in its usual case ("Donald Trump"); other
/// names as they are.
fn title_case(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// Title words of a mention, folded: those inside it and just before it ("Mrs. Clinton",
/// "President Trump", "first lady Melania Trump").
fn titles_of(doc: &Doc, m: &Men) -> Vec<&'static str> {
    let toks = &doc.toks;
    let title = |k: usize| {
        let w = toks[k].low.trim_end_matches('.');
        toks[k]
            .is_word()
            .then(|| TITLES.get(w).or_else(|| HONORIFICS.get(w)))
            .flatten()
    };
    // The run of title words right before the mention (dots of abbreviations skipped).
    let mut start = m.ts;
    while start > 0
        && (title(start - 1).is_some()
            || (toks[start - 1].is_p('.') && start >= 2 && title(start - 2).is_some()))
    {
        start -= 1;
    }
    (start..m.te).filter_map(title).collect()
}

/// True when a mention is introduced as someone's relative: a kinship noun just before it
/// ("his wife, Heidi Cruz", "daughter Ivanka Trump", "the president's son Eric Trump").
fn is_relative(doc: &Doc, m: &Men) -> bool {
    let toks = &doc.toks;
    (m.ts.saturating_sub(3)..m.ts).any(|k| {
        matches!(
            toks[k].low,
            "wife"
                | "husband"
                | "daughter"
                | "son"
                | "mother"
                | "father"
                | "brother"
                | "sister"
                | "widow"
                | "widower"
                | "spouse"
                | "daughter-in-law"
                | "son-in-law"
                | "grandson"
                | "granddaughter"
                | "niece"
                | "nephew"
                | "cousin"
                | "uncle"
                | "aunt"
        )
    })
}

/// Types unknown chunks from context and gives every mention its within-article canonical.
fn resolve_unknowns(doc: &Doc, gaz: &Gazetteer, out: &mut Vec<Men>) {
    let toks = &doc.toks;
    // Persons named in full: who a surname, a title and surname or a given name alone
    // refers to.
    let mut people = People::default();
    for m in out.iter() {
        if m.kind == EntityKind::Per
            && m.role_only.is_none()
            && !m.canonical.is_empty()
            && key(&m.canonical).contains(' ')
        {
            people.add(
                gaz,
                &m.canonical,
                m.role_head.as_deref(),
                &titles_of(doc, m),
                is_relative(doc, m),
            );
        }
    }
    // Last position of each capitalised word standing alone (not after another capitalised
    // word): a surname reused on its own later marks its run as a person's name.
    let mut alone_last: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, t) in toks.iter().enumerate() {
        if t.is_word() && t.cap && !(i > 0 && toks[i - 1].cap) {
            alone_last.insert(t.low, i);
        }
    }
    // Unknown multi-word chunks that look like names.
    #[allow(clippy::needless_range_loop)] // indexes are kept for clarity beside `surname`
    for i in 0..out.len() {
        if !out[i].canonical.is_empty() {
            continue;
        }
        let (a, b) = (out[i].ts, out[i].te);
        let text = doc.text(a, b);
        let n = b - a;
        // A full personal name opens with a given name or an initial ("L. Ron Hubbard");
        // other capitalised runs ("Sea Org", "Internet Explorer") are typed below.
        // Or the run is used like a person: an appositive after it ("Malkia Cyril, the
        // director"), a role word before it ("actor Jason Beghe"), a reporting verb after
        // it, or its last word reused alone later ("... Cyril said").
        let next_is = |k: usize, f: &dyn Fn(&str) -> bool| toks.get(k).is_some_and(|t| f(t.low));
        let appositive = next_is(b, &|w| w == ",")
            && next_is(b + 1, &|w| {
                matches!(w, "a" | "an" | "the" | "who" | "whose")
            });
        let role_before = a > 0 && crate::vocab::ROLE_NOUNS.contains(&toks[a - 1].low);
        let verb_after = next_is(b, &|w| crate::vocab::is_report_verb(w));
        let reused = alone_last.get(toks[b - 1].low).is_some_and(|&p| p >= b);
        let personal = gaz.is_given_name(toks[a].low)
            || (toks[a].low.chars().count() <= 2 && toks[a].low.ends_with('.'))
            || toks[a].low.chars().count() == 1
            || appositive
            || role_before
            || verb_after
            || reused;
        // A run opening with the surname of someone named in full is no name of its own
        // ("Trump Meets Putin", "Trump Turnberry").
        let opens_with_surname = people.has_surname(toks[a].low) && !gaz.is_given_name(toks[a].low);
        if (2..=4).contains(&n)
            && personal
            && !opens_with_surname
            && toks[a..b].iter().all(|t| {
                t.is_p('.')
                    || (t.cap
                        && !t.caps
                        && t.low.chars().all(|c| {
                            c.is_alphabetic() || c == '-' || c == '\'' || c == '’' || c == '.'
                        }))
            })
        {
            out[i].kind = EntityKind::Per;
            out[i].canonical = text.to_string();
            people.add(
                gaz,
                text,
                None,
                &titles_of(doc, &out[i]),
                is_relative(doc, &out[i]),
            );
        }
    }
    let rv = crate::vocab::report_verbs();
    // A name used as a person's anywhere in the article is a person's everywhere in it,
    // whatever weaker cue another use has ("Gowdy to Trump:" reads like a destination, "Trump
    // and the United States" like a place among places): a personal title or honorific
    // before it or opening its run ("Mr. Trump", "President Trump"), or a mention already
    // found to be a person's. (Not a reporting verb after it: organisations speak too, and
    // "Acme said" would make every "Acme" a person.)
    let is_title = |k: usize| {
        let w = toks[k].low.trim_end_matches('.');
        toks[k].is_word() && (TITLES.contains(&w) || HONORIFICS.contains(&w))
    };
    let mut personal: FxHashSet<String> = out
        .iter()
        .filter(|m| m.kind == EntityKind::Per && !m.canonical.is_empty() && m.role_only.is_none())
        .map(|m| key(&m.canonical))
        .collect();
    for m in out.iter().filter(|m| m.canonical.is_empty()) {
        // Title words opening the run, with their abbreviation dots.
        let mut a = m.ts;
        while a < m.te && (is_title(a) || (a > m.ts && toks[a].is_p('.'))) {
            a += 1;
        }
        if a == m.te {
            continue;
        }
        // The word right before the run, an abbreviation's dot skipped.
        let before = match m.ts {
            0 => None,
            t if toks[t - 1].is_p('.') => t.checked_sub(2),
            t => Some(t - 1),
        };
        if a > m.ts || before.is_some_and(is_title) {
            personal.insert(key(doc.text(a, m.te)));
        }
    }
    let mut kinds: FxHashMap<String, EntityKind> = FxHashMap::default();
    for pass in 0..2 {
        for i in 0..out.len() {
            if !out[i].canonical.is_empty() && pass == 0 {
                continue;
            }
            if pass == 1 && !out[i].canonical.is_empty() {
                continue;
            }
            let (a, b) = (out[i].ts, out[i].te);
            let text = doc.text(a, b);
            let kk = key(text);
            let last = kk.rsplit(' ').next().unwrap_or("");
            // "Trump-Putin summit": a compound of people's or places' names is no entity.
            if b - a == 1
                && kk.contains(' ')
                && kk
                    .split(' ')
                    .all(|p| people.has_surname(p) || gaz.lookup_key(p).is_some())
            {
                continue;
            }
            // A full name of its own ("DONALD TRUMP" beside "Melania Trump"), not a
            // reference to a namesake.
            let words = kk.split(' ').count();
            if (2..=4).contains(&words)
                && people.has_surname(last)
                && kk.split(' ').next().is_some_and(|f| gaz.is_given_name(f))
            {
                out[i].kind = EntityKind::Per;
                out[i].canonical = title_case(text);
                people.add(
                    gaz,
                    &out[i].canonical,
                    None,
                    &titles_of(doc, &out[i]),
                    is_relative(doc, &out[i]),
                );
                continue;
            }
            if people.has_surname(&kk) || people.has_surname(last) {
                // Who it is is settled below, once every titled reference is known.
                out[i].kind = EntityKind::Per;
                out[i].canonical = if people.has_surname(&kk) {
                    text.to_string()
                } else {
                    doc.text(b - 1, b).to_string()
                };
                continue;
            }
            if personal.contains(&kk) && !toks[a].caps {
                out[i].kind = EntityKind::Per;
                out[i].canonical = text.to_string();
                continue;
            }
            if let Some(k) = kinds.get(&kk) {
                out[i].kind = *k;
                out[i].canonical = text.to_string();
                continue;
            }
            let prev = if a > 0 { toks[a - 1].low } else { "" };
            let prev2 = if a > 1 { toks[a - 2].low } else { "" };
            let next = toks.get(b).map_or("", |t| t.low);
            let next2 = toks.get(b + 1).map_or("", |t| t.low);
            // Doctrines and fields ("Scientology", "Islam"-like "-ism" words) do speak in
            // news ("Scientology says"), but as organisations.
            let doctrine = b - a == 1
                && ["ology", "ism", "ics", "ity"]
                    .iter()
                    .any(|s| toks[a].low.ends_with(s));
            // Common words capitalised for emphasis or in a slogan ("NEVER", "Rigged Witch
            // Hunt"): every word is used in lower case elsewhere in the article.
            let common = (a..b)
                .filter(|&k| toks[k].is_word() && !CONNECT.contains(&toks[k].low))
                .all(|k| doc.lower.contains(toks[k].low));
            // A long word in capitals used once is emphasis ("NEVER"), not an acronym.
            let shouted = toks[a].caps
                && b - a == 1
                && toks[a].low.chars().count() >= 5
                && toks.iter().filter(|t| t.low == toks[a].low).count() == 1;
            let kind = if common || shouted {
                None
            } else if toks[a].caps && b - a == 1 {
                Some(EntityKind::Org)
            } else if b - a == 1 && gaz.is_given_name(toks[a].low) {
                Some(EntityKind::Per)
            } else if rv.contains(next) || (AUX.contains(&next) && rv.contains(next2)) {
                Some(if doctrine {
                    EntityKind::Org
                } else {
                    EntityKind::Per
                })
            } else if matches!(
                prev,
                "in" | "near"
                    | "from"
                    | "across"
                    | "into"
                    | "outside"
                    | "inside"
                    | "to"
                    | "towards"
                    | "at"
            ) || (prev == "of"
                && matches!(
                    prev2,
                    "city"
                        | "town"
                        | "village"
                        | "villages"
                        | "towns"
                        | "cities"
                        | "province"
                        | "region"
                        | "capital"
                        | "provinces"
                        | "district"
                        | "state"
                        | "country"
                        | "suburb"
                        | "outskirts"
                        | "north"
                        | "south"
                        | "east"
                        | "west"
                ))
            {
                Some(EntityKind::Loc)
            } else if pass == 1 {
                // Coordinated with a typed neighbour: "Lindau and Wasserburg".
                let neighbour = out.iter().find(|m| {
                    !m.canonical.is_empty()
                        && ((m.te + 1 == a && matches!(toks[a - 1].low, "and" | "," | "or"))
                            || (b + 1 == m.ts && matches!(toks[b].low, "and" | "," | "or")))
                });
                match neighbour {
                    Some(m) => Some(m.kind),
                    // A lone capitalised word with no context ("Internet", "Countdown") is
                    // more often a product, a work or a common noun than an organisation.
                    None if b - a == 1 => None,
                    // Nor is a capitalised phrase with no cue at all ("Rigged Witch Hunt").
                    None => None,
                }
            } else {
                None
            };
            if let Some(k) = kind {
                out[i].kind = k;
                out[i].canonical = text.to_string();
                kinds.insert(kk, k);
            }
        }
    }
    out.retain(|m| !m.canonical.is_empty() && !is_pronoun_contraction(doc.text(m.ts, m.te)));
    // Titled references by surname that fit no one named in full ("President Trump" where
    // only "first lady Melania Trump" is named) stand for someone else of that name.
    for m in out.iter() {
        if m.kind == EntityKind::Per && m.role_only.is_none() {
            let c = key(&m.canonical);
            if !c.contains(' ') {
                people.note_titled(gaz, &c, &titles_of(doc, m));
            }
        }
    }
    // Bare surnames ("Trump", "Mrs. Trump", "President Trump") and given names alone of
    // persons named in full elsewhere in the article; left as they are when several people
    // fit (see `people.rs`).
    for m in out.iter_mut() {
        if m.kind == EntityKind::Per && m.role_only.is_none() {
            let c = key(&m.canonical);
            if !c.contains(' ') {
                match people.resolve(gaz, &c, &titles_of(doc, m)) {
                    Resolution::One(full) => m.canonical = full,
                    Resolution::Open => m.open = true,
                    Resolution::Unknown => {}
                }
            }
        }
    }
    // Bare roles ("the Leader") resolve to the person introduced with that role.
    let mut roles: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for m in out.iter() {
        if let Some(r) = &m.role_head {
            let v = roles.entry(r.clone()).or_default();
            if !v.contains(&m.canonical) {
                v.push(m.canonical.clone());
            }
        }
    }
    for m in out.iter_mut() {
        if let Some(r) = &m.role_only {
            if let Some(v) = roles.get(r) {
                if v.len() == 1 {
                    m.canonical.clone_from(&v[0]);
                }
            }
        }
    }
}
