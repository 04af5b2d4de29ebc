//! How a big story's articles are shown: copies folded under their original, and the
//! originals gathered into sub-groups (angles, follow-ups) by the words of their titles and
//! ledes. Pure functions over the story's article list.

use std::collections::HashMap;

use crate::queries::ArticleMeta;

/// An original and the copies of it in the same story.
#[derive(Debug, Clone)]
pub(crate) struct CopyGroup<'a> {
    /// The earliest of the group (or an article whose original is in another story).
    pub(crate) original: &'a ArticleMeta,
    /// Its copies in this story, in the order given.
    pub(crate) copies: Vec<&'a ArticleMeta>,
}

/// Folds each copy under its original when the original is in `articles`; keeps the order of
/// the originals. A copy whose original is elsewhere stands on its own.
pub(crate) fn copy_groups(articles: &[ArticleMeta]) -> Vec<CopyGroup<'_>> {
    let index: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    let mut out: Vec<CopyGroup> = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        let head = a
            .duplicate_of
            .as_deref()
            .and_then(|o| index.get(o).copied())
            .filter(|&h| h != i);
        if head.is_none() {
            slot.insert(i, out.len());
            out.push(CopyGroup {
                original: a,
                copies: Vec::new(),
            });
        }
    }
    for (i, a) in articles.iter().enumerate() {
        let head = a
            .duplicate_of
            .as_deref()
            .and_then(|o| index.get(o).copied())
            .filter(|&h| h != i);
        if let Some(g) = head.and_then(|h| slot.get(&h)) {
            out[*g].copies.push(a);
        }
    }
    out
}

/// A sub-group of a story: originals that share distinctive words.
#[derive(Debug, Clone)]
pub(crate) struct SubGroup {
    /// The words they share most, for a label.
    pub(crate) words: Vec<String>,
    /// Indexes into the copy groups given, earliest first.
    pub(crate) members: Vec<usize>,
}

/// Fewest originals of a sub-group.
const MIN_SUBGROUP: usize = 2;
/// Word overlap (Jaccard) with a sub-group's first member needed to join it.
const JOIN_OVERLAP: f64 = 0.2;

/// English function words and reporting verbs of four letters or more: they say nothing
/// about what a group of articles is about.
const STOP: &[&str] = &[
    "about", "after", "again", "also", "amid", "been", "before", "being", "could", "does",
    "during", "each", "from", "have", "here", "into", "just", "like", "more", "most", "much",
    "next", "only", "other", "over", "said", "says", "should", "some", "than", "that", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "under", "very", "want",
    "wants", "were", "what", "when", "where", "which", "while", "will", "with", "would", "your",
];

/// Content words of a title (of the lede when there is no title): lower case, four letters or
/// more, no numbers, dates or function words.
fn words_of(a: &ArticleMeta) -> Vec<String> {
    let text = a
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&a.lede);
    let mut w: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && !w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()) && !is_calendar(w))
        .collect();
    w.sort();
    w.dedup();
    w
}

/// Month and weekday names.
fn is_calendar(w: &str) -> bool {
    const NAMES: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    NAMES.contains(&w)
}

/// Sub-groups of the originals of `groups`: each original joins the first sub-group whose
/// first member shares enough distinctive words with it (words in more than a third of the
/// originals are the story's own and do not count), else starts one. Sub-groups of one are
/// left out; the largest come first.
pub(crate) fn sub_groups(groups: &[CopyGroup<'_>]) -> Vec<SubGroup> {
    let words: Vec<Vec<String>> = groups.iter().map(|g| words_of(g.original)).collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for w in &words {
        for x in w {
            *df.entry(x.as_str()).or_default() += 1;
        }
    }
    let common = (groups.len() / 3).max(2);
    let distinctive: Vec<Vec<&str>> = words
        .iter()
        .map(|w| {
            w.iter()
                .map(String::as_str)
                .filter(|x| df[x] <= common && df[x] >= 2)
                .collect()
        })
        .collect();
    let jaccard = |a: &[&str], b: &[&str]| {
        let inter = a.iter().filter(|x| b.contains(x)).count();
        let union = a.len() + b.len() - inter;
        if union == 0 {
            0.0
        } else {
            inter as f64 / union as f64
        }
    };
    let mut subs: Vec<SubGroup> = Vec::new();
    for (i, d) in distinctive.iter().enumerate() {
        if d.is_empty() {
            continue;
        }
        match subs
            .iter_mut()
            .find(|s| jaccard(&distinctive[s.members[0]], d) >= JOIN_OVERLAP)
        {
            Some(s) => s.members.push(i),
            None => subs.push(SubGroup {
                words: Vec::new(),
                members: vec![i],
            }),
        }
    }
    subs.retain(|s| s.members.len() >= MIN_SUBGROUP);
    for s in &mut subs {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for &m in &s.members {
            for w in &distinctive[m] {
                *count.entry(w).or_default() += 1;
            }
        }
        let mut top: Vec<(&str, usize)> = count.into_iter().filter(|(_, n)| *n >= 2).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        s.words = top
            .into_iter()
            .take(4)
            .map(|(w, _)| w.to_string())
            .collect();
    }
    // Largest first, counting each original's copies with it.
    subs.sort_by_key(|s| {
        std::cmp::Reverse(
            s.members
                .iter()
                .map(|&m| 1 + groups[m].copies.len())
                .sum::<usize>(),
        )
    });
    subs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, title: &str, dup: Option<&str>) -> ArticleMeta {
        ArticleMeta {
            id: id.into(),
            title: Some(title.into()),
            outlet: None,
            published: None,
            published_precision: None,
            url: None,
            author: None,
            duplicate_of: dup.map(str::to_string),
            copies: 0,
            story: None,
            chars: 0,
            lede: String::new(),
            group: None,
            non_article: None,
        }
    }

    #[test]
    fn copies_fold_under_their_original() {
        let list = vec![
            meta("a", "Port closes", None),
            meta("b", "Port closes", Some("a")),
            meta("c", "Ferry strike", None),
            meta("d", "Port closes", Some("a")),
            meta("e", "Elsewhere", Some("zz")),
        ];
        let g = copy_groups(&list);
        let heads: Vec<&str> = g.iter().map(|g| g.original.id.as_str()).collect();
        assert_eq!(heads, ["a", "c", "e"]);
        let copies: Vec<&str> = g[0].copies.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(copies, ["b", "d"]);
    }

    #[test]
    fn originals_sharing_distinctive_words_form_sub_groups() {
        let list = vec![
            meta("1", "Harbour council: ferry workers strike over pay", None),
            meta("2", "Ferry workers strike as talks on pay fail", None),
            meta("3", "Harbour council: crane contract goes to builder", None),
            meta("4", "Builder wins crane contract", None),
            meta("5", "Harbour council: mayor praises volunteers", None),
            meta("6", "Harbour council: weather warning for weekend", None),
        ];
        let g = copy_groups(&list);
        let subs = sub_groups(&g);
        let members: Vec<Vec<usize>> = subs.iter().map(|s| s.members.clone()).collect();
        assert!(members.contains(&vec![0, 1]), "{members:?}");
        assert!(members.contains(&vec![2, 3]), "{members:?}");
        let strike = subs.iter().find(|s| s.members == vec![0, 1]).unwrap();
        assert!(
            strike.words.contains(&"strike".to_string()),
            "{:?}",
            strike.words
        );
        assert!(
            !strike.words.contains(&"harbour".to_string()),
            "the story's common words do not label a sub-group"
        );
    }
}
