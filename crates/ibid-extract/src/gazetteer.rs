//! Read-only name lists: places, organisations, given names, demonyms and aliases.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// Entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    /// A person.
    Per,
    /// An organisation (companies, agencies, armed groups, media).
    Org,
    /// A place (country, region, city, facility).
    Loc,
}

impl EntityKind {
    /// Parses `PER`, `ORG` or `LOC` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PER" => Some(Self::Per),
            "ORG" => Some(Self::Org),
            "LOC" => Some(Self::Loc),
            _ => None,
        }
    }
    /// `PER`, `ORG` or `LOC`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Per => "PER",
            Self::Org => "ORG",
            Self::Loc => "LOC",
        }
    }
}

/// Grammatical gender of a given name, for resolving "she" and "Mrs." to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// Listed only among female names.
    Female,
    /// Listed only among male names.
    Male,
}

/// Name lists used by [`crate::extract`]. Build once, share read-only.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Lower-cased name → (kind, canonical form).
    names: FxHashMap<String, (EntityKind, String)>,
    /// Lower-cased demonym → lower-cased place.
    demonyms: FxHashMap<String, String>,
    /// Lower-cased given names.
    given: FxHashSet<String>,
    /// Lower-cased given name → its gender, for names listed under one gender only.
    gender: FxHashMap<String, Gender>,
    /// Lower-cased given name → the groups of short forms it belongs to (`nicknames.txt`).
    nick: FxHashMap<String, Vec<u32>>,
    /// Longest name in tokens, bounds look-ups.
    max_tokens: usize,
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Lower-cases and folds hyphens, dots and apostrophes so that `Ali-Akbar` and `Ali Akbar`,
/// `U.S.` and `US` meet.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c == '.' || c == '\'' || c == '’' {
            continue;
        }
        if c.is_whitespace() || c == '-' || c == '‑' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

impl Gazetteer {
    /// The bundled lists (see `data/README.md`).
    pub fn bundled() -> Self {
        let mut g = Self::default();
        for l in lines(include_str!("../data/places.txt")) {
            g.add(l, EntityKind::Loc, l);
        }
        for l in lines(include_str!("../data/orgs.txt")) {
            g.add(l, EntityKind::Org, l);
        }
        g.add_aliases(include_str!("../data/aliases.txt"));
        for l in lines(include_str!("../data/demonyms.txt")) {
            if let Some((d, p)) = l.split_once('|') {
                g.demonyms.insert(key(d), key(p));
            }
        }
        for l in lines(include_str!("../data/given_names.txt")) {
            for w in l.split_whitespace() {
                g.given.insert(w.to_lowercase());
            }
        }
        let mut both: FxHashSet<String> = FxHashSet::default();
        for (list, gender) in [
            (include_str!("../data/female_names.txt"), Gender::Female),
            (include_str!("../data/male_names.txt"), Gender::Male),
        ] {
            for w in lines(list).flat_map(str::split_whitespace) {
                let w = w.to_lowercase();
                g.given.insert(w.clone());
                if g.gender
                    .insert(w.clone(), gender)
                    .is_some_and(|x| x != gender)
                {
                    both.insert(w);
                }
            }
        }
        for w in both {
            g.gender.remove(&w);
        }
        for (i, l) in lines(include_str!("../data/nicknames.txt")).enumerate() {
            for w in l.split('|') {
                let w = w.trim().to_lowercase();
                if !w.is_empty() {
                    g.given.insert(w.clone());
                    g.nick.entry(w).or_default().push(i as u32);
                }
            }
        }
        g
    }

    /// True when two different given names are listed as one name's forms ("bill" and
    /// "william"); lower case.
    pub fn nickname_of(&self, a: &str, b: &str) -> bool {
        match (self.nick.get(a), self.nick.get(b)) {
            (Some(x), Some(y)) => x.iter().any(|i| y.contains(i)),
            _ => false,
        }
    }

    /// Adds one name.
    pub fn add(&mut self, name: &str, kind: EntityKind, canonical: &str) {
        let k = key(name);
        self.max_tokens = self.max_tokens.max(k.split(' ').count());
        self.names.insert(k, (kind, canonical.to_string()));
    }

    /// Adds alias lines `Canonical|KIND|alias|alias...`; malformed lines are skipped.
    pub fn add_aliases(&mut self, text: &str) {
        for l in lines(text) {
            let mut parts = l.split('|');
            let (Some(canon), Some(kind)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Some(kind) = EntityKind::parse(kind) else {
                continue;
            };
            let canon = canon.trim();
            self.add(canon, kind, canon);
            for a in parts {
                let a = a.trim();
                if !a.is_empty() {
                    self.add(a, kind, canon);
                }
            }
        }
    }

    /// Looks a name up (any case, hyphen/space and dot insensitive).
    pub fn lookup(&self, name: &str) -> Option<(EntityKind, &str)> {
        self.names.get(&key(name)).map(|(k, c)| (*k, c.as_str()))
    }

    /// Looks up an already folded key.
    pub(crate) fn lookup_key(&self, k: &str) -> Option<(EntityKind, &str)> {
        self.names.get(k).map(|(k, c)| (*k, c.as_str()))
    }

    /// The place a demonym refers to (`iranian` → `iran`), also for plurals (`iranians`).
    pub fn demonym(&self, word: &str) -> Option<&str> {
        let w = word.to_lowercase();
        if let Some(p) = self.demonyms.get(&w) {
            return Some(p);
        }
        w.strip_suffix('s')
            .and_then(|s| self.demonyms.get(s))
            .map(String::as_str)
    }

    /// True when two lower-cased given names may be one person's: equal, one a prefix of
    /// the other ("ken"/"kenneth"), a single initial of the other, or listed short forms
    /// ("bill"/"william").
    pub fn same_given(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        let n = short.chars().count();
        if (n == 1 || n >= 3) && long.starts_with(short) {
            return true;
        }
        self.nickname_of(a, b)
    }

    /// The gender of a given name, when the lists give it one.
    pub fn gender(&self, given: &str) -> Option<Gender> {
        self.gender.get(&given.to_lowercase()).copied()
    }

    /// True for a common given name.
    pub fn is_given_name(&self, word: &str) -> bool {
        self.given.contains(&word.to_lowercase())
    }

    /// Longest known name in tokens.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_lists_resolve_aliases_and_case() {
        let g = Gazetteer::bundled();
        assert_eq!(g.lookup("TEHRAN"), Some((EntityKind::Loc, "Tehran")));
        assert_eq!(g.lookup("Daesh").map(|x| x.1), Some("Islamic State"));
        assert_eq!(g.lookup("U.S.").map(|x| x.1), Some("United States"));
        assert_eq!(g.demonym("Iranians"), Some("iran"));
        assert!(g.is_given_name("Vladimir"));
        assert_eq!(key("Ana-Maria  Quillon"), "ana maria quillon");
        assert!(g.nickname_of("bill", "william"));
        assert_eq!(g.gender("Hillary"), Some(Gender::Female));
        assert_eq!(g.gender("bill"), Some(Gender::Male));
        assert_eq!(g.gender("Kelly"), None);
        assert!(g.is_given_name("Kelly") && g.is_given_name("Xi"));
        assert!(g.nickname_of("ted", "edward") && g.nickname_of("ted", "theodore"));
        assert!(!g.nickname_of("edward", "theodore"));
        assert!(!g.nickname_of("bill", "hillary"));
    }
}
