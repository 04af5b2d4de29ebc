//! Who a short reference means within one article.
//!
//! An article introduces people in full ("President Donald Trump", "first lady Melania
//! Trump") and then refers to them by surname ("Trump"), by title and surname ("Mrs. Trump",
//! "President Trump") or by given name ("Melania"). [`People`] holds the people named in full
//! and resolves such references: to the one person of that surname; with several, to the
//! one the reference's title fits (gender of "Mr."/"Mrs.", a role the person was introduced
//! with; someone introduced as another's relative steps aside), or to the one the article
//! is clearly about (named at least three times as often as
//! all namesakes together); otherwise the reference stays open (its canonical stays the
//! surname) rather than going to a namesake.

use rustc_hash::FxHashMap;

use crate::gazetteer::{key, Gazetteer, Gender};

/// One person named in full.
#[derive(Debug, Clone)]
struct Person {
    /// The first full form seen (the within-article canonical).
    canonical: String,
    /// Folded given name.
    first: String,
    /// Middle initials, folded ("hw" for "George H.W. Bush"): different ones are different
    /// people.
    middle: String,
    gender: Option<Gender>,
    /// Title heads the person was introduced with ("president", "senator").
    roles: Vec<String>,
    /// Mentions that name them for sure (full form, or a reference resolved by a title).
    weight: usize,
    /// Introduced only as someone's relative ("his wife, Heidi Cruz"): a bare surname
    /// means them only when no one else carries it.
    relative: bool,
}

/// How a reference resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// To this canonical name.
    One(String),
    /// Several people fit and nothing tells them apart.
    Open,
    /// No one of that name was named in full.
    Unknown,
}

/// The gender a title gives ("Mrs." → female), if any.
pub(crate) fn title_gender(title: &str) -> Option<Gender> {
    match title.trim_end_matches('.') {
        "mr" | "sir" | "king" | "prince" | "lord" | "father" | "brother" => Some(Gender::Male),
        "mrs" | "ms" | "miss" | "madam" | "madame" | "lady" | "queen" | "princess" | "dame"
        | "sister" => Some(Gender::Female),
        _ => None,
    }
}

/// A role title in full ("sen" → "senator"), so that "Sen. Ted Cruz" and "Senator Cruz"
/// carry one role.
fn full_title(t: &str) -> &str {
    match t {
        "sen" => "senator",
        "rep" => "representative",
        "gov" => "governor",
        "gen" => "general",
        "pres" => "president",
        "lt" => "lieutenant",
        "col" => "colonel",
        "capt" => "captain",
        "sgt" => "sergeant",
        "adm" => "admiral",
        "prof" => "professor",
        "rev" => "reverend",
        "congressman" | "congresswoman" => "representative",
        "chairwoman" => "chairman",
        "spokeswoman" => "spokesman",
        _ => t,
    }
}

/// People named in full in one article, by folded surname.
#[derive(Debug, Default)]
pub(crate) struct People {
    by_last: FxHashMap<String, Vec<Person>>,
}

/// Splits a folded full name into (given name, middle initials, surname).
fn parts(k: &str) -> Option<(&str, String, &str)> {
    let words: Vec<&str> = k.split(' ').collect();
    if words.len() < 2 {
        return None;
    }
    let middle: String = words[1..words.len() - 1]
        .iter()
        .filter(|w| w.chars().count() <= 2)
        .copied()
        .collect();
    Some((words[0], middle, words[words.len() - 1]))
}

impl People {
    /// Records a person named in full (`canonical`), introduced with the title head `role`
    /// and the title words `titles` ("mrs", "president").
    /// `relative`: introduced as someone's relative ("his wife, Heidi Cruz").
    pub fn add(
        &mut self,
        gaz: &Gazetteer,
        canonical: &str,
        role: Option<&str>,
        titles: &[&str],
        relative: bool,
    ) {
        let k = key(canonical);
        let Some((first, middle, last)) = parts(&k) else {
            return;
        };
        let gender = titles
            .iter()
            .find_map(|t| title_gender(t))
            .or_else(|| gaz.gender(first));
        let list = self.by_last.entry(last.to_string()).or_default();
        let same = list.iter_mut().find(|p| {
            gaz.same_given(&p.first, first)
                && (p.middle.is_empty() || middle.is_empty() || p.middle == middle)
                && (p.gender.is_none() || gender.is_none() || p.gender == gender)
        });
        let p = match same {
            Some(p) => p,
            None => {
                list.push(Person {
                    canonical: canonical.to_string(),
                    first: first.to_string(),
                    middle: middle.clone(),
                    gender,
                    roles: Vec::new(),
                    weight: 0,
                    relative,
                });
                let n = list.len() - 1;
                &mut list[n]
            }
        };
        p.weight += 1;
        p.relative &= relative;
        if p.middle.is_empty() {
            p.middle = middle;
        }
        if p.gender.is_none() {
            p.gender = gender;
        }
        let title_roles = titles
            .iter()
            .copied()
            .filter(|t| title_gender(t).is_none() && !crate::vocab::HONORIFICS.contains(t));
        for r in role.into_iter().chain(title_roles).map(full_title) {
            if !p.roles.iter().any(|x| x == r) {
                p.roles.push(r.to_string());
            }
        }
    }

    /// Notes a titled reference by surname ("President Trump"): when no one named in full
    /// fits its title, someone else of that surname is in the article, named only so, and
    /// a bare surname can no longer be taken for the one named in full.
    pub fn note_titled(&mut self, gaz: &Gazetteer, last: &str, titles: &[&str]) {
        if titles.is_empty() || !self.has_surname(last) {
            return;
        }
        if self.resolve(gaz, last, titles) != Resolution::Open {
            return;
        }
        let gender = titles.iter().find_map(|t| title_gender(t));
        let roles: Vec<String> = titles
            .iter()
            .filter(|t| title_gender(t).is_none() && !crate::vocab::HONORIFICS.contains(t))
            .map(|t| full_title(t).to_string())
            .collect();
        let list = self.by_last.entry(last.to_string()).or_default();
        if let Some(p) = list
            .iter_mut()
            .find(|p| p.canonical.is_empty() && p.roles == roles && p.gender == gender)
        {
            p.weight += 1;
            return;
        }
        // Someone known only by title and surname: no canonical to resolve to.
        list.push(Person {
            canonical: String::new(),
            first: String::new(),
            middle: String::new(),
            gender,
            roles,
            weight: 1,
            relative: false,
        });
    }

    /// Whether someone of this folded surname was named in full.
    pub fn has_surname(&self, last: &str) -> bool {
        self.by_last.contains_key(last)
    }

    /// Resolves a reference by one folded name word (`name`: a surname, or a given name
    /// alone) with the title words before it (`titles`, folded, e.g. `["mrs"]`,
    /// `["president"]`).
    pub fn resolve(&self, gaz: &Gazetteer, name: &str, titles: &[&str]) -> Resolution {
        let Some(list) = self.by_last.get(name) else {
            // A given name alone ("Melania"): the one person of that given name.
            if !gaz.is_given_name(name) {
                return Resolution::Unknown;
            }
            let mut found = self.by_last.values().flatten().filter(|p| p.first == name);
            return match (found.next(), found.next()) {
                (Some(p), None) => Resolution::One(p.canonical.clone()),
                (Some(_), Some(_)) => Resolution::Open,
                _ => Resolution::Unknown,
            };
        };
        let gender = titles.iter().find_map(|t| title_gender(t));
        // Role titles of the reference ("president"): a person introduced with other roles
        // does not carry them ("President Trump" is not "First Lady Melania Trump").
        let roles: Vec<&str> = titles
            .iter()
            .copied()
            .filter(|t| title_gender(t).is_none() && !crate::vocab::HONORIFICS.contains(t))
            .map(full_title)
            .collect();
        let fits = |p: &Person| {
            (gender.is_none() || p.gender.is_none_or(|g| Some(g) == gender))
                && (roles.is_empty()
                    || p.roles.is_empty()
                    || roles.iter().any(|r| p.roles.iter().any(|x| x == r)))
        };
        let one = |p: &Person| {
            if p.canonical.is_empty() {
                Resolution::Open
            } else {
                Resolution::One(p.canonical.clone())
            }
        };
        if list.len() == 1 {
            return if fits(&list[0]) {
                Resolution::One(list[0].canonical.clone())
            } else {
                Resolution::Open
            };
        }
        // Relatives step aside for the person they are introduced through, unless the
        // reference's title says which one ("Mrs. Cruz").
        let main: Vec<&Person> = list.iter().filter(|p| !p.relative).collect();
        let list: Vec<&Person> = if main.is_empty() || gender.is_some() {
            list.iter().collect()
        } else {
            main
        };
        // With several candidates a role must be one the person was introduced with.
        let by_title: Vec<&Person> = list
            .iter()
            .copied()
            .filter(|p| fits(p))
            .filter(|p| roles.is_empty() || roles.iter().any(|r| p.roles.iter().any(|x| x == r)))
            .collect();
        if by_title.len() == 1 {
            return one(by_title[0]);
        }
        // The person the article is about: named at least three times, and three times as
        // often as every namesake together.
        let cands = if by_title.is_empty() { list } else { by_title };
        let total: usize = cands.iter().map(|p| p.weight).sum();
        if let Some(top) = cands.iter().max_by_key(|p| p.weight) {
            if top.weight >= 3 && top.weight >= 3 * (total - top.weight) {
                return one(top);
            }
        }
        Resolution::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(names: &[(&str, Option<&str>, &[&str])]) -> (People, Gazetteer) {
        let gaz = Gazetteer::bundled();
        let mut p = People::default();
        for (n, r, t) in names {
            p.add(&gaz, n, *r, t, false);
        }
        (p, gaz)
    }

    #[test]
    fn one_person_of_a_surname() {
        let (p, g) = people(&[("Jane Doakes", None, &[]), ("Karl Brandt", None, &[])]);
        assert_eq!(
            p.resolve(&g, "doakes", &[]),
            Resolution::One("Jane Doakes".into())
        );
        assert_eq!(
            p.resolve(&g, "jane", &[]),
            Resolution::One("Jane Doakes".into())
        );
        assert_eq!(p.resolve(&g, "nobody", &[]), Resolution::Unknown);
    }

    #[test]
    fn namesakes_by_title_role_or_left_open() {
        let (p, g) = people(&[
            ("Donald Trump", Some("president"), &["president"]),
            ("Melania Trump", None, &[]),
        ]);
        assert_eq!(
            p.resolve(&g, "trump", &["mrs"]),
            Resolution::One("Melania Trump".into())
        );
        assert_eq!(
            p.resolve(&g, "trump", &["mr"]),
            Resolution::One("Donald Trump".into())
        );
        assert_eq!(
            p.resolve(&g, "trump", &["president"]),
            Resolution::One("Donald Trump".into())
        );
        // A bare surname between two people named once each: open, not a namesake.
        assert_eq!(p.resolve(&g, "trump", &[]), Resolution::Open);
    }

    #[test]
    fn the_person_the_article_is_about() {
        let (mut p, g) = people(&[("Melania Trump", None, &[])]);
        for _ in 0..4 {
            p.add(&g, "Donald Trump", None, &[], false);
        }
        assert_eq!(
            p.resolve(&g, "trump", &[]),
            Resolution::One("Donald Trump".into())
        );
    }

    #[test]
    fn short_forms_and_initials() {
        let (p, g) = people(&[
            ("Kenneth Starr", None, &[]),
            ("Ken Starr", None, &[]),
            ("George H.W. Bush", None, &[]),
            ("George W. Bush", None, &[]),
        ]);
        assert_eq!(
            p.resolve(&g, "starr", &[]),
            Resolution::One("Kenneth Starr".into())
        );
        assert_eq!(p.resolve(&g, "bush", &[]), Resolution::Open);
    }

    #[test]
    fn a_title_that_does_not_fit_leaves_it_open() {
        let (p, g) = people(&[("Melania Trump", Some("lady"), &["first", "lady"])]);
        assert_eq!(p.resolve(&g, "trump", &["president"]), Resolution::Open);
        assert_eq!(p.resolve(&g, "trump", &["mr"]), Resolution::Open);
        assert_eq!(
            p.resolve(&g, "trump", &["mrs"]),
            Resolution::One("Melania Trump".into())
        );
    }

    #[test]
    fn someone_known_only_by_title_keeps_a_bare_surname_open() {
        // Only the first lady is named in full; "President Trump" is someone else.
        let (mut p, g) = people(&[("Melania Trump", None, &["first", "lady"])]);
        p.note_titled(&g, "trump", &["president"]);
        assert_eq!(p.resolve(&g, "trump", &[]), Resolution::Open);
        assert_eq!(
            p.resolve(&g, "melania", &[]),
            Resolution::One("Melania Trump".into())
        );
    }

    #[test]
    fn relatives_step_aside() {
        let (mut p, g) = people(&[("Ted Cruz", Some("sen"), &["sen"])]);
        p.add(&g, "Heidi Cruz", None, &[], true);
        assert_eq!(
            p.resolve(&g, "cruz", &[]),
            Resolution::One("Ted Cruz".into())
        );
        assert_eq!(
            p.resolve(&g, "cruz", &["mrs"]),
            Resolution::One("Heidi Cruz".into())
        );
    }
}
