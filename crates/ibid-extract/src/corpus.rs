//! Entities with their mentions by article id (over [`crate::merge`]) and statement linking.

use ibid_core::Span;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::gazetteer::{key, EntityKind};
use crate::merge::{merge_entity_refs, Uf};
use crate::ArticleExtraction;

/// One entity across the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id derived from kind and name (`per:ali-akbar-velayati`).
    pub id: String,
    /// Preferred name.
    pub name: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Distinct surface forms, the most written first.
    pub variants: Vec<String>,
    /// Every mention: (article id, original span, text).
    pub mentions: Vec<(String, Span, String)>,
}

/// The entities of a corpus.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CorpusEntities {
    /// Entities, sorted by id.
    pub entities: Vec<Entity>,
}

/// Merges mentions across articles into entities.
pub fn merge_entities(per_article: &[(String, &ArticleExtraction)]) -> CorpusEntities {
    let entities = merge_entity_refs(per_article)
        .into_iter()
        .map(|e| {
            let mut mentions: Vec<(String, Span, String)> = e
                .mentions
                .into_iter()
                .map(|(ai, span, t)| (per_article[ai].0.clone(), span, t.to_string()))
                .collect();
            mentions.sort();
            Entity {
                id: e.id,
                name: e.name,
                kind: e.kind,
                variants: e.variants,
                mentions,
            }
        })
        .collect();
    CorpusEntities { entities }
}

const STOPWORDS: &[&str] = &[
    "the", "and", "for", "that", "with", "this", "from", "are", "was", "were", "has", "have",
    "had", "their", "they", "them", "its", "his", "her", "our", "who", "which", "will", "would",
    "can", "could", "should", "all", "also", "but", "not", "been", "being", "once", "again",
    "such", "than", "into", "onto", "over", "even", "very", "more", "most", "some", "any",
    "between", "among", "about", "what", "when", "where", "while", "there", "these", "those",
    "said", "says",
];

/// Content words cut to five letters: a cheap stem that meets "complexities"/"complications"
/// and "Syria"/"Syrian".
fn stems(text: &str) -> FxHashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

/// Links renderings of the same statement across articles: one statement id per group of
/// quotes with the same speaker entity and overlapping content. Every quote gets an id.
///
/// Every pair of quotes by one speaker is compared, so callers should pass a bounded group of
/// articles (the pipeline passes one storyline at a time).
pub fn link_statements(
    per_article: &[(String, &ArticleExtraction)],
) -> Vec<(String, usize, String)> {
    let ents = merge_entities(per_article);
    let mut ent_of: FxHashMap<(String, String), String> = FxHashMap::default();
    let mut span_ent: FxHashMap<(String, Span), String> = FxHashMap::default();
    for e in &ents.entities {
        for (a, s, _) in &e.mentions {
            span_ent.insert((a.clone(), *s), e.id.clone());
        }
    }
    for (id, ex) in per_article {
        for m in &ex.mentions {
            if let Some(e) = span_ent.get(&(id.clone(), m.span)) {
                ent_of
                    .entry((id.clone(), m.canonical.clone()))
                    .or_insert_with(|| e.clone());
            }
        }
    }
    struct Item {
        article: usize,
        qi: usize,
        speaker: Option<String>,
        stems: FxHashSet<String>,
    }
    let mut items = Vec::new();
    for (ai, (id, ex)) in per_article.iter().enumerate() {
        for (qi, q) in ex.quotes.iter().enumerate() {
            let speaker = q.speaker.as_ref().map(|s| {
                ent_of
                    .get(&(id.clone(), s.clone()))
                    .cloned()
                    .unwrap_or_else(|| format!("group:{}", key(s)))
            });
            items.push(Item {
                article: ai,
                qi,
                speaker,
                stems: stems(&q.text),
            });
        }
    }
    let mut by_speaker: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, it) in items.iter().enumerate() {
        if let Some(s) = &it.speaker {
            by_speaker.entry(s.as_str()).or_default().push(i);
        }
    }
    let mut uf = Uf((0..items.len()).collect());
    // Candidate pairs come from an inverted index over each speaker's stems: only quotes that
    // share at least `MIN_SHARED` stems are compared, and stems used by more than
    // `MAX_POSTING` of the speaker's quotes (the speaker's stock vocabulary) do not count
    // towards candidacy, so a prolific speaker does not cost a quadratic pass.
    const MIN_SHARED: usize = 4;
    const MAX_POSTING: usize = 200;
    for list in by_speaker.values() {
        let mut postings: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for &i in list {
            for st in &items[i].stems {
                postings.entry(st.as_str()).or_default().push(i);
            }
        }
        let mut shared: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        for post in postings.values() {
            if post.len() > MAX_POSTING {
                continue;
            }
            for (x, &i) in post.iter().enumerate() {
                for &j in &post[x + 1..] {
                    *shared.entry((i.min(j), i.max(j))).or_default() += 1;
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = shared
            .into_iter()
            .filter(|&(_, c)| c >= MIN_SHARED)
            .map(|(p, _)| p)
            .collect();
        pairs.sort_unstable();
        for (i, j) in pairs {
            let (a, b) = (&items[i].stems, &items[j].stems);
            let inter = a.intersection(b).count();
            let min = a.len().min(b.len()).max(1);
            if inter >= MIN_SHARED && inter as f64 / min as f64 >= 0.45 {
                uf.union(i, j);
            }
        }
    }
    (0..items.len())
        .map(|i| {
            let r = uf.find(i);
            let (ra, rq) = (items[r].article, items[r].qi);
            let it = &items[i];
            (
                per_article[it.article].0.clone(),
                it.qi,
                format!("st:{}:{}", per_article[ra].0, rq),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet_variants() {
        let a = stems("political complexities of the Syrian crisis");
        let b = stems("political complications of the Syria crisis");
        assert_eq!(a, b);
    }
}
