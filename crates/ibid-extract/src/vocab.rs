//! Small general vocabularies: titles, name suffixes, function words, reporting verbs.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

/// A word list with a lazily built hash set: the lists are scanned for every token, and a
/// linear scan over hundreds of words dominated the run time.
pub struct Lex {
    list: &'static [&'static str],
    set: OnceLock<FxHashSet<&'static str>>,
}

impl Lex {
    /// Wraps a static list.
    pub const fn new(list: &'static [&'static str]) -> Self {
        Lex {
            list,
            set: OnceLock::new(),
        }
    }
    /// True when `w` is in the list.
    pub fn contains(&self, w: &&str) -> bool {
        self.set
            .get_or_init(|| self.list.iter().copied().collect())
            .contains(*w)
    }
    /// The listed word equal to `w`, with the list's lifetime.
    pub fn get(&self, w: &str) -> Option<&'static str> {
        self.set
            .get_or_init(|| self.list.iter().copied().collect())
            .get(w)
            .copied()
    }
}

/// Person titles and honorifics (lower case). A title before a name makes it a person.
pub static TITLES: Lex = Lex::new(&[
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "general",
    "major",
    "lieutenant",
    "colonel",
    "captain",
    "admiral",
    "brigadier",
    "sergeant",
    "commander",
    "chairman",
    "chairwoman",
    "speaker",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "king",
    "queen",
    "prince",
    "princess",
    "sheikh",
    "shaikh",
    "ayatollah",
    "hojatoleslam",
    "imam",
    "pope",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "professor",
    "judge",
    "justice",
    "mayor",
    "ambassador",
    "envoy",
    "chancellor",
    "director",
    "chief",
    "rev",
    "reverend",
    "father",
    "seyyed",
    "sayyed",
    "sayyid",
    "seyed",
    "mullah",
    "emir",
    "crown",
    "leader",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "interior",
    "attorney",
    "spokesman",
    "spokeswoman",
    "lord",
    "lady",
    "sir",
    "dame",
    "cardinal",
    "bishop",
    "archbishop",
    "rabbi",
    "sultan",
    "marshal",
    "field",
    "gen",
    "lt",
    "col",
    "capt",
    "sgt",
    "adm",
    "pres",
    "supreme",
    "coach",
    "officer",
    "detective",
    "inspector",
    "sheriff",
    "councillor",
    "councilman",
    "councilwoman",
    "congressman",
    "congresswoman",
    "assemblyman",
    "premier",
    "first",
    "hajj",
    "haj",
    "mufti",
    "grand",
]);

/// Titles that can start a title phrase (the rest above only continue one: "Foreign Minister",
/// "Supreme Leader", "Crown Prince", "Grand Ayatollah").
pub fn is_title_head(w: &str) -> bool {
    !matches!(
        w,
        "foreign"
            | "defense"
            | "defence"
            | "interior"
            | "field"
            | "supreme"
            | "first"
            | "grand"
            | "vice"
            | "deputy"
            | "crown"
            | "prime"
            | "attorney"
    )
}

/// Honorifics dropped from a canonical person name.
pub static HONORIFICS: Lex = Lex::new(&[
    "seyyed", "sayyed", "sayyid", "seyed", "sheikh", "shaikh", "hajj", "haj", "mullah", "mr",
    "mrs", "ms", "dr", "prof", "sir", "dame", "lord", "lady",
]);

/// Last words that make a capitalised sequence an organisation.
pub static ORG_SUFFIX: Lex = Lex::new(&[
    "council",
    "ministry",
    "agency",
    "corps",
    "party",
    "army",
    "forces",
    "force",
    "committee",
    "organization",
    "organisation",
    "association",
    "union",
    "university",
    "college",
    "institute",
    "bank",
    "company",
    "corporation",
    "corp",
    "inc",
    "ltd",
    "llc",
    "group",
    "department",
    "office",
    "court",
    "parliament",
    "assembly",
    "congress",
    "senate",
    "commission",
    "authority",
    "service",
    "services",
    "police",
    "foundation",
    "center",
    "centre",
    "times",
    "news",
    "post",
    "journal",
    "fund",
    "league",
    "federation",
    "front",
    "movement",
    "network",
    "airlines",
    "airways",
    "club",
    "church",
    "school",
    "hospital",
    "board",
    "bureau",
    "administration",
    "guard",
    "guards",
    "navy",
    "embassy",
    "nations",
    "brotherhood",
    "television",
    "tv",
    "radio",
    "press",
    "daily",
    "tribune",
    "herald",
    "gazette",
    "telegraph",
    "guardian",
    "review",
    "magazine",
    "channel",
    "broadcasting",
    "media",
    "studios",
    "records",
    "entertainment",
    "industries",
    "motors",
    "systems",
    "technologies",
    "labs",
    "laboratory",
    "laboratories",
    "society",
    "alliance",
    "coalition",
    "cabinet",
    "government",
    "regime",
    "republic",
    "mission",
    "command",
    "brigade",
    "brigades",
    "division",
    "battalion",
    "regiment",
    "militia",
    "academy",
    "observatory",
    "trust",
    "partners",
    "holdings",
    "team",
    "fc",
    "cooperation",
    "program",
    "programme",
    "project",
    "initiative",
    "council's",
    "caucus",
    "conference",
    "tribunal",
    "directorate",
    "secretariat",
    "house",
    "exchange",
    "reserve",
    "treasury",
    "consulate",
    "agency's",
    "ngo",
    "foundation's",
]);

/// Last words that make a capitalised sequence a place or facility.
pub static LOC_SUFFIX: Lex = Lex::new(&[
    "street",
    "st",
    "road",
    "avenue",
    "square",
    "mosque",
    "bridge",
    "airport",
    "mountain",
    "mountains",
    "mount",
    "river",
    "lake",
    "sea",
    "ocean",
    "island",
    "islands",
    "valley",
    "province",
    "county",
    "city",
    "district",
    "region",
    "gulf",
    "bay",
    "park",
    "palace",
    "stadium",
    "tower",
    "peninsula",
    "strait",
    "desert",
    "canal",
    "coast",
    "border",
    "heights",
    "hills",
    "plaza",
    "boulevard",
    "highway",
    "station",
    "port",
    "harbor",
    "harbour",
    "beach",
    "falls",
    "forest",
    "cathedral",
    "temple",
    "shrine",
    "castle",
    "museum",
    "arena",
    "prison",
    "base",
    "camp",
    "crossing",
    "village",
    "town",
    "state",
    "territory",
    "territories",
    "governorate",
    "prefecture",
    "oblast",
    "basin",
    "plain",
    "plateau",
    "cape",
    "reef",
    "creek",
    "hall",
]);

/// Capitalised words that are not names on their own (sentence starters, pronouns, days).
pub static FUNCTION: Lex = Lex::new(&[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "in",
    "on",
    "at",
    "during",
    "after",
    "before",
    "following",
    "under",
    "with",
    "by",
    "for",
    "from",
    "to",
    "as",
    "but",
    "and",
    "or",
    "if",
    "when",
    "while",
    "although",
    "though",
    "since",
    "because",
    "meanwhile",
    "however",
    "speaking",
    "according",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "its",
    "my",
    "your",
    "there",
    "here",
    "what",
    "who",
    "whom",
    "where",
    "why",
    "how",
    "all",
    "some",
    "many",
    "most",
    "no",
    "not",
    "one",
    "two",
    "three",
    "four",
    "five",
    "also",
    "so",
    "then",
    "yet",
    "still",
    "even",
    "just",
    "only",
    "said",
    "says",
    "such",
    "both",
    "each",
    "every",
    "other",
    "another",
    "any",
    "more",
    "less",
    "over",
    "about",
    "into",
    "through",
    "against",
    "between",
    "among",
    "without",
    "within",
    "despite",
    "amid",
    "unlike",
    "like",
    "until",
    "once",
    "now",
    "today",
    "yesterday",
    "tomorrow",
    "last",
    "next",
    "earlier",
    "later",
    "recently",
    "yes",
    "oh",
    "well",
    "mr.",
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "let",
    "please",
    "thanks",
    "thank",
    "read",
    "click",
    "see",
    "photo",
    "image",
    "video",
    "watch",
    "via",
    "per",
    "nor",
    "whether",
    "which",
    "whose",
    "upon",
    "near",
    "toward",
    "towards",
    "across",
    "behind",
    "beyond",
    "inside",
    "outside",
    "around",
    "above",
    "below",
    "off",
    "out",
    "up",
    "down",
    "again",
    "instead",
    "indeed",
    "perhaps",
    "maybe",
    "first",
    "second",
    "third",
    "new",
    "former",
    "ex",
    "top",
    "senior",
    "several",
    "few",
    "much",
    "very",
    "too",
    "almost",
    "nearly",
    "already",
    "never",
    "always",
    "often",
    "both",
    "neither",
    "either",
    "whatever",
    "whoever",
    "ap",
    "update",
    "updated",
    "breaking",
    "exclusive",
    "editor",
    "note",
    "related",
    "advertisement",
    "sponsored",
    "share",
    "comment",
    "comments",
]);

/// Month and weekday names: dates, not entities.
pub static CALENDAR: Lex = Lex::new(&[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "christmas",
    "easter",
    "ramadan",
    "eid",
    "thanksgiving",
    "am",
    "pm",
    "a.m",
    "p.m",
    "gmt",
    "utc",
    "est",
    "edt",
    "pst",
    "pdt",
]);

/// Nouns that head a description of a speaker ("the defence official", "Italian officials").
pub static ROLE_NOUNS: Lex = Lex::new(&[
    "official",
    "minister",
    "envoy",
    "secretary",
    "aide",
    "adviser",
    "advisor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "president",
    "diplomat",
    "commander",
    "chief",
    "leader",
    "source",
    "analyst",
    "expert",
    "lawmaker",
    "legislator",
    "senator",
    "governor",
    "ambassador",
    "prosecutor",
    "police",
    "officer",
    "witness",
    "resident",
    "authorities",
    "activist",
    "representative",
    "negotiator",
    "general",
    "director",
    "chairman",
    "chairwoman",
    "head",
    "member",
    "critic",
    "supporter",
    "researcher",
    "scientist",
    "doctor",
    "author",
    "writer",
    "reporter",
    "journalist",
    "candidate",
    "nominee",
    "lawyer",
    "attorney",
    "judge",
    "professor",
    "economist",
    "strategist",
    "operative",
    "insider",
    "executive",
    "manager",
    "founder",
    "owner",
    "mayor",
    "sheriff",
    "coach",
    "player",
    "father",
    "mother",
    "wife",
    "husband",
    "son",
    "daughter",
    "brother",
    "sister",
    "friend",
    "neighbor",
    "neighbour",
    "colleague",
    "student",
    "teacher",
    "worker",
    "employee",
    "staffer",
    "veteran",
    "survivor",
    "victim",
    "man",
    "woman",
    "people",
    "person",
    "voter",
    "observer",
    "commentator",
    "pollster",
    "campaign",
    "administration",
    "government",
    "ministry",
    "agency",
    "statement",
    "report",
    "study",
    "poll",
    "survey",
    "document",
    "memo",
    "letter",
    "court",
    "department",
    "committee",
    "council",
    "office",
    "organization",
    "group",
    "spokesmen",
    "men",
    "women",
    "aides",
    "officials",
    "sources",
    "authorities",
    "premier",
    "king",
    "prince",
    "cleric",
    "ayatollah",
    "mullah",
    "general",
    "counterpart",
    "host",
    "speaker",
    "chancellor",
    "deputy",
    "lieutenant",
    "emissary",
    "representative",
    "delegate",
    "delegation",
    "team",
    "board",
    "panel",
    "democrat",
    "republican",
    "conservative",
    "liberal",
    "progressive",
    "senator",
    "congressman",
    "congresswoman",
    "legislators",
    "parliamentarian",
    "mp",
    "mps",
    "figure",
    "figures",
]);

/// Words that may stand between a noun and its reporting verb ("he also said", "has added").
pub static AUX: Lex = Lex::new(&[
    "also",
    "further",
    "then",
    "later",
    "once",
    "again",
    "has",
    "have",
    "had",
    "was",
    "is",
    "were",
    "are",
    "will",
    "would",
    "reportedly",
    "previously",
    "recently",
    "earlier",
    "repeatedly",
    "explicitly",
    "subsequently",
    "quickly",
    "strongly",
    "firmly",
    "had",
    "just",
    "already",
    "still",
    "even",
    "publicly",
    "privately",
    "initially",
    "originally",
    "first",
    "similarly",
    "likewise",
    "too",
    "only",
    "never",
    "not",
    "did",
    "does",
    "do",
    "could",
    "can",
    "may",
    "might",
    "should",
    "must",
    "openly",
    "flatly",
    "simply",
    "finally",
    "clearly",
    "reportedly",
    "separately",
    "herself",
    "himself",
    "themselves",
    "often",
    "always",
]);

/// Reporting verbs in base form; inflections are generated. Irregular forms are listed apart.
const REPORT_BASE: &[&str] = &[
    "say",
    "add",
    "note",
    "state",
    "stress",
    "explain",
    "argue",
    "claim",
    "insist",
    "warn",
    "announce",
    "declare",
    "report",
    "ask",
    "reply",
    "respond",
    "acknowledge",
    "admit",
    "confirm",
    "deny",
    "suggest",
    "predict",
    "believe",
    "emphasize",
    "emphasise",
    "underline",
    "underscore",
    "remark",
    "maintain",
    "contend",
    "recall",
    "observe",
    "comment",
    "tweet",
    "conclude",
    "complain",
    "allege",
    "agree",
    "vow",
    "promise",
    "estimate",
    "indicate",
    "reveal",
    "assert",
    "mention",
    "urge",
    "outline",
    "discuss",
    "describe",
    "testify",
    "quip",
    "joke",
    "counter",
    "concede",
    "caution",
    "reiterate",
    "demand",
    "accuse",
    "criticize",
    "criticise",
    "condemn",
    "hope",
    "expect",
    "fear",
    "disclose",
    "inform",
    "brief",
    "assure",
    "reassure",
    "propose",
    "recommend",
    "highlight",
    "imply",
    "wonder",
    "question",
    "dismiss",
    "reject",
    "affirm",
    "reaffirm",
    "clarify",
    "elaborate",
    "speculate",
    "guess",
    "realize",
    "realise",
    "recognize",
    "recognise",
    "calculate",
    "forecast",
    "advise",
    "threaten",
    "pledge",
    "boast",
    "lament",
    "regret",
    "apologize",
    "retort",
    "shout",
    "scream",
    "whisper",
    "detail",
    "announce",
    "opine",
    "contend",
    "posit",
    "charge",
    "warn",
    "concur",
    "acknowledge",
    "explain",
    "learn",
    "worry",
    "cite",
    "blame",
    "demand",
    "insist",
    "suspect",
    "doubt",
    "assume",
    "presume",
    "decide",
    "determine",
    "conclude",
    "notice",
    "show",
    "prove",
    "say",
    "urge",
    "appeal",
    "praise",
    "hail",
    "welcome",
    "slam",
    "blast",
    "voice",
    "express",
    "point",
    "call",
    "tell",
    "add",
    "continue",
    "exclaim",
    "beam",
    "bark",
    "growl",
    "echo",
    "muse",
    "riff",
    "answer",
    "press",
    "snap",
    "interject",
    "gush",
    "scoff",
    "marvel",
    "plead",
    "implore",
    "rant",
    "fume",
    "crow",
    "gripe",
    "grumble",
    "mutter",
    "murmur",
    "proclaim",
    "intone",
    "surmise",
    "theorize",
    "tease",
    "taunt",
    "confess",
    "chant",
    "yell",
    "recount",
    "post",
];

const REPORT_IRREGULAR: &[&str] = &[
    "said",
    "says",
    "saying",
    "told",
    "tells",
    "telling",
    "tell",
    "wrote",
    "write",
    "writes",
    "writing",
    "written",
    "thought",
    "think",
    "thinks",
    "thinking",
    "felt",
    "feel",
    "feels",
    "found",
    "find",
    "finds",
    "knew",
    "know",
    "knows",
    "swore",
    "swear",
    "swears",
    "sworn",
    "learnt",
    "read",
    "reads",
    "maintained",
    "admitted",
    "admitting",
    "regretted",
    "according",
    "insisted",
    "noted",
    "hoped",
    "argued",
    "vowed",
    "declared",
    "announced",
    "revealed",
    "described",
    "shown",
    "proven",
    "cited",
];

/// Reporting verbs whose object is the content ("called for X", "outlined X", "discussed X").
pub static OBJECT_CONTENT: Lex = Lex::new(&[
    "outline",
    "outlined",
    "outlines",
    "outlining",
    "discuss",
    "discussed",
    "discusses",
    "discussing",
    "call",
    "called",
    "calls",
    "calling",
    "urge",
    "urged",
    "urges",
    "urging",
    "voice",
    "voiced",
    "voicing",
    "express",
    "expressed",
    "expressing",
    "describe",
    "described",
    "describing",
    "demand",
    "demanded",
    "demanding",
    "condemn",
    "condemned",
    "condemning",
    "hail",
    "hailed",
    "hailing",
    "reject",
    "rejected",
    "rejecting",
    "deny",
    "denied",
    "denying",
    "stress",
    "stressed",
    "stressing",
    "highlight",
    "highlighted",
    "highlighting",
    "welcome",
    "welcomed",
    "welcoming",
    "praise",
    "praised",
    "praising",
    "criticize",
    "criticized",
    "criticise",
    "criticised",
    "slam",
    "slammed",
    "blast",
    "blasted",
    "blame",
    "blamed",
    "accuse",
    "accused",
    "propose",
    "proposed",
    "recommend",
    "recommended",
    "pledge",
    "pledged",
    "promise",
    "promised",
    "threaten",
    "threatened",
]);

fn inflect(base: &str, out: &mut FxHashSet<String>) {
    out.insert(base.to_string());
    let (s, ed, ing) = if let Some(stem) = base.strip_suffix('e') {
        (format!("{base}s"), format!("{base}d"), format!("{stem}ing"))
    } else if base.ends_with('y') && !base.ends_with("ay") && !base.ends_with("ey") {
        let stem = &base[..base.len() - 1];
        (
            format!("{stem}ies"),
            format!("{stem}ied"),
            format!("{base}ing"),
        )
    } else if base.ends_with("ss")
        || base.ends_with("sh")
        || base.ends_with("ch")
        || base.ends_with('x')
    {
        (
            format!("{base}es"),
            format!("{base}ed"),
            format!("{base}ing"),
        )
    } else if matches!(base, "admit" | "regret" | "slam" | "quip" | "vow_") {
        let last = &base[base.len() - 1..];
        (
            format!("{base}s"),
            format!("{base}{last}ed"),
            format!("{base}{last}ing"),
        )
    } else {
        (
            format!("{base}s"),
            format!("{base}ed"),
            format!("{base}ing"),
        )
    };
    out.insert(s);
    out.insert(ed);
    out.insert(ing);
}

/// Verbs of attitude, intention and judgement whose complement PolNeAR-style attribution
/// counts as content: "Clinton wants to sign up voters", "Republicans questioned the deal",
/// "Trump is expected to release". Base forms; inflections are generated.
const ATTITUDE_BASE: &[&str] = &[
    "want",
    "plan",
    "seek",
    "support",
    "oppose",
    "endorse",
    "back",
    "defend",
    "refuse",
    "decline",
    "attack",
    "consider",
    "view",
    "agree",
    "offer",
    "intend",
    "aim",
    "favor",
    "favour",
    "tout",
    "champion",
    "challenge",
    "dispute",
    "question",
    "criticize",
    "criticise",
    "accuse",
    "blame",
    "praise",
    "urge",
    "press",
    "pledge",
    "promise",
    "vow",
    "threaten",
    "hope",
    "expect",
    "fear",
    "worry",
    "believe",
    "think",
    "know",
    "see",
    "find",
    "show",
    "suggest",
    "indicate",
    "reveal",
    "acknowledge",
    "admit",
    "deny",
    "reject",
    "dismiss",
    "welcome",
    "applaud",
    "condemn",
    "denounce",
    "slam",
    "blast",
    "mock",
    "ridicule",
    "ask",
    "demand",
    "request",
    "insist",
    "predict",
    "estimate",
    "project",
    "forecast",
    "describe",
    "characterize",
    "portray",
    "label",
    "brand",
    "cite",
    "invoke",
    "mention",
    "note",
    "highlight",
    "boast",
    "claim",
    "argue",
    "contend",
    "refer",
    "talk",
    "speak",
    "discuss",
    "address",
    "raise",
    "announce",
    "unveil",
    "propose",
    "recommend",
    "advocate",
    "order",
    "name",
    "nominate",
    "pick",
    "rate",
    "rule",
    "deem",
    "regard",
    "accept",
    "embrace",
    "like",
    "love",
    "hate",
    "prefer",
    "trust",
    "doubt",
    "suspect",
    "understand",
    "recognize",
    "remember",
    "recall",
    "decide",
    "conclude",
    "seem",
    "appear",
    "feel",
    "wish",
    "liken",
    "compare",
    "echo",
    "signal",
    "stress",
    "emphasize",
    "warn",
    "tell",
    "say",
    "report",
    "document",
    "detail",
    "confirm",
    "explain",
    "call",
    "push",
    "lobby",
    "campaign",
    "pitch",
    "frame",
    "cast",
    "paint",
    "dub",
    "credit",
    "thank",
    "congratulate",
    "fault",
    "target",
    "assail",
    "lambaste",
    "decry",
    "lament",
    "bemoan",
    "hail",
    "celebrate",
    "promote",
    "push",
    "float",
    "weigh",
    "eye",
    "demand",
    "need",
    "try",
    "struggle",
    "vote",
    "approve",
    "veto",
    "sign",
    "pass",
    "adopt",
    "block",
    "sue",
    "investigate",
    "probe",
    "examine",
    "review",
    "study",
    "survey",
    "poll",
    "track",
    "measure",
    "count",
    "list",
    "rank",
    "encourage",
    "allow",
    "introduce",
    "grill",
    "envision",
    "appoint",
    "desire",
    "rail",
    "respond",
    "hear",
    "listen",
    "read",
    "watch",
    "reply",
    "answer",
    "react",
];

/// Forms of an attitude verb (see `ATTITUDE_BASE`) or of a reporting verb: one lookup for
/// the attribution pass, which asks for every token.
pub fn is_attitude_verb(w: &str) -> bool {
    static SET: OnceLock<FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut s: FxHashSet<String> = report_verbs().iter().cloned().collect();
        for b in ATTITUDE_BASE {
            inflect(b, &mut s);
        }
        for w in [
            "thought",
            "knew",
            "known",
            "saw",
            "seen",
            "found",
            "sought",
            "said",
            "told",
            "felt",
            "spoke",
            "spoken",
            "meant",
            "understood",
            "chose",
            "chosen",
            "ran",
            "wrote",
            "written",
            "held",
            "kept",
            "put",
            "set",
            "led",
        ] {
            s.insert(w.to_string());
        }
        s
    })
    .contains(w)
}

/// All reporting-verb forms.
pub fn report_verbs() -> &'static FxHashSet<String> {
    static SET: OnceLock<FxHashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut s = FxHashSet::default();
        for b in REPORT_BASE {
            inflect(b, &mut s);
        }
        for w in REPORT_IRREGULAR {
            s.insert((*w).to_string());
        }
        // "said" is irregular; drop the generated "sayed".
        s.remove("sayed");
        s.remove("telled");
        s
    })
}

/// True for a reporting verb form. `point` and `call` only count with their particle.
pub fn is_report_verb(w: &str) -> bool {
    report_verbs().contains(w)
}

/// Verbs that need a particle to report ("point out", "call for").
pub fn needs_particle(w: &str) -> Option<&'static str> {
    match w {
        "point" | "points" | "pointed" | "pointing" => Some("out"),
        "call" | "calls" | "called" | "calling" => Some("for"),
        "according" => Some("to"),
        "go" | "goes" | "went" | "going" => Some("on"),
        // "as the memo put it".
        "put" | "puts" => Some("it"),
        _ => None,
    }
}

/// Verbs that name or judge something in the subject's words: the fragment quoted after
/// them is the subject's ("Trump called Iowa voters “stupid”", "what Gilbert called a “…”",
/// "PolitiFact rated the claim as “false”"). Only for fragments: on their own they do not
/// introduce speech.
pub fn is_naming_verb(w: &str) -> bool {
    matches!(
        w,
        "call"
            | "calls"
            | "called"
            | "calling"
            | "dub"
            | "dubs"
            | "dubbed"
            | "dubbing"
            | "label"
            | "labels"
            | "labeled"
            | "labelled"
            | "labeling"
            | "labelling"
            | "brand"
            | "brands"
            | "branded"
            | "branding"
            | "term"
            | "terms"
            | "termed"
            | "terming"
            | "deem"
            | "deems"
            | "deemed"
            | "rate"
            | "rates"
            | "rated"
            | "rating"
            | "characterize"
            | "characterizes"
            | "characterized"
            | "characterizing"
            | "characterise"
            | "characterised"
            | "nickname"
            | "nicknamed"
            | "refer"
            | "refers"
            | "referred"
            | "referring"
            | "hail"
            | "hailed"
            | "praise"
            | "praised"
            | "slam"
            | "slammed"
            | "blast"
            | "blasted"
            | "decry"
            | "decried"
            | "denounce"
            | "denounced"
            | "denouncing"
    )
}

/// Reporting verbs that are weak on their own (content must follow as a that-clause).
pub fn needs_that(w: &str) -> bool {
    matches!(
        w,
        "show"
            | "shows"
            | "showed"
            | "shown"
            | "showing"
            | "prove"
            | "proved"
            | "proves"
            | "proven"
            | "know"
            | "knew"
            | "knows"
            | "find"
            | "finds"
            | "found"
            | "learn"
            | "learned"
            | "learnt"
            | "learns"
            | "decide"
            | "decided"
            | "determine"
            | "determined"
            | "notice"
            | "noticed"
            | "feel"
            | "feels"
            | "felt"
            | "read"
            | "reads"
            | "worry"
            | "worried"
            | "worries"
            | "fear"
            | "feared"
            | "fears"
            | "realize"
            | "realized"
            | "realise"
            | "realised"
            | "recognize"
            | "recognized"
            | "hope"
            | "hoped"
            | "hopes"
            | "expect"
            | "expected"
            | "expects"
            | "suspect"
            | "suspected"
            | "doubt"
            | "doubted"
            | "assume"
            | "assumed"
            | "presume"
            | "presumed"
            | "ask"
            | "asked"
            | "asks"
            | "question"
            | "questioned"
            | "wonder"
            | "wondered"
            | "cite"
            | "cited"
            | "cites"
            | "brief"
            | "briefed"
            | "inform"
            | "informed"
            | "counter"
            | "countered"
            | "press"
            | "pressed"
            | "presses"
            | "pressing"
            | "answer"
            | "answered"
            | "answers"
            | "snap"
            | "snapped"
            | "snaps"
            | "bark"
            | "barked"
            | "growl"
            | "growled"
            | "echo"
            | "echoed"
            | "echoes"
            | "beam"
            | "beamed"
            | "beams"
            | "crow"
            | "crowed"
            | "go"
            | "goes"
            | "went"
            | "going"
            | "post"
            | "posted"
            | "posts"
            | "posting"
            | "continue"
            | "continued"
            | "continues"
            | "continuing"
    )
}

/// Pronouns that can stand for a speaker.
pub fn pronoun(w: &str) -> Option<bool> {
    // Some(true) = singular person, Some(false) = plural/group.
    match w {
        "he" | "she" => Some(true),
        "they" | "we" | "it" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections() {
        for w in [
            "said",
            "adding",
            "noted",
            "stresses",
            "denied",
            "told",
            "underlined",
            "admitted",
        ] {
            assert!(is_report_verb(w), "{w}");
        }
        assert!(!is_report_verb("sayed"));
        assert!(!is_report_verb("table"));
    }
}
