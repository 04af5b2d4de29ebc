//! Acceptance on the five seed articles (read from ../shared; skipped when absent).

use ibid_core::RawArticle;
use ibid_extract::{
    extract, link_statements, merge_entities, name_key, ArticleExtraction, EntityKind, Gazetteer,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

fn norm(s: &str) -> String {
    s.replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Seeds {
    ids: Vec<String>,
    cleaned: Vec<ibid_core::CleanedArticle>,
    ex: Vec<ArticleExtraction>,
    gold: Value,
}

fn load() -> Option<Seeds> {
    let dir = format!("{SHARED}/corpus/seeds");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("note: {dir} absent, skipping");
        return None;
    };
    let mut files: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
    files.sort();
    let gaz = Gazetteer::bundled();
    let mut s = Seeds {
        ids: vec![],
        cleaned: vec![],
        ex: vec![],
        gold: Value::Null,
    };
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let id = p.file_stem().unwrap().to_string_lossy().to_string();
        let raw = RawArticle {
            id: id.clone(),
            text,
            ..Default::default()
        };
        let c = ibid_clean::clean(&raw, &ibid_clean::LineIndex::default());
        s.ex.push(extract(&c, &gaz));
        s.cleaned.push(c);
        s.ids.push(id);
    }
    s.gold = serde_json::from_str(
        &std::fs::read_to_string(format!("{SHARED}/corpus/seeds.gold.json")).unwrap(),
    )
    .unwrap();
    Some(s)
}

fn doc_index(s: &Seeds, key: &str) -> usize {
    s.ids.iter().position(|id| id.starts_with(key)).unwrap()
}

#[test]
fn seeds_direct_quotes_with_speakers() {
    let Some(s) = load() else { return };
    let per: Vec<(String, &ArticleExtraction)> = s.ids.iter().cloned().zip(s.ex.iter()).collect();
    let ents = merge_entities(&per);
    let gold = s.gold["quotes"].as_array().unwrap();
    assert_eq!(gold.len(), 14);
    let mut bad = Vec::new();
    for g in gold {
        let d = doc_index(&s, g["doc"].as_str().unwrap());
        let text = norm(g["text"].as_str().unwrap());
        let speaker = g["speaker"].as_str().unwrap();
        let found = s.ex[d]
            .quotes
            .iter()
            .find(|q| q.direct && norm(&q.text) == text);
        let Some(q) = found else {
            bad.push(format!("missing quote in {}: {text}", s.ids[d]));
            continue;
        };
        let sp = q.speaker.clone().unwrap_or_default();
        let ok = name_key(&sp) == name_key(speaker)
            || ents.entities.iter().any(|e| {
                e.mentions.iter().any(|(a, span, _)| {
                    *a == s.ids[d]
                        && s.ex[d]
                            .mentions
                            .iter()
                            .any(|m| m.span == *span && m.canonical == sp)
                }) && (name_key(&e.name) == name_key(speaker)
                    || e.variants.iter().any(|v| name_key(v) == name_key(speaker)))
            });
        if !ok {
            bad.push(format!(
                "wrong speaker in {}: {sp:?} for {speaker:?}: {text}",
                s.ids[d]
            ));
        }
        assert_eq!(
            q.partial,
            g["partial"].as_bool().unwrap(),
            "partial flag: {text}"
        );
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// One ibid statement: its speakers' name keys, and per article the kinds of its renderings
/// (`true` = direct).
type Statement = (HashSet<String>, HashMap<String, HashSet<bool>>);

#[test]
fn seeds_shared_statements_linked() {
    let Some(s) = load() else { return };
    let per: Vec<(String, &ArticleExtraction)> = (0..s.ids.len())
        .map(|i| (s.ids[i].clone(), &s.ex[i]))
        .collect();
    let links = link_statements(&per);
    let sid: HashMap<(String, usize), String> =
        links.into_iter().map(|(a, q, id)| ((a, q), id)).collect();
    // Statements as ibid sees them: id -> (speaker keys, doc -> kinds of rendering).
    let mut statements: HashMap<String, Statement> = HashMap::new();
    for (d, ex) in s.ex.iter().enumerate() {
        for (qi, q) in ex.quotes.iter().enumerate() {
            let entry = statements
                .entry(sid[&(s.ids[d].clone(), qi)].clone())
                .or_default();
            if let Some(sp) = &q.speaker {
                entry.0.insert(name_key(sp));
            }
            entry
                .1
                .entry(s.ids[d][..3].to_string())
                .or_default()
                .insert(q.direct);
        }
    }
    // Each gold shared statement must be one ibid statement covering all its renderings, with
    // the gold's kind of rendering (direct or not) in each article, by the gold's speaker
    // (surname match), and the gold statements must be distinct ibid statements.
    let mut ids = HashSet::new();
    for g in s.gold["shared_statements"].as_array().unwrap() {
        let speaker = name_key(g["speaker"].as_str().unwrap());
        let surname = speaker
            .split(' ')
            .next_back()
            .unwrap_or_default()
            .to_string();
        let renderings = g["renderings"].as_object().unwrap();
        let fits = |(_, (speakers, docs)): &(&String, &Statement)| {
            speakers.iter().any(|sp| sp.ends_with(&surname))
                && renderings.iter().all(|(doc, kind)| {
                    let direct = kind.as_str().unwrap().starts_with("direct");
                    docs.get(doc).is_some_and(|k| k.contains(&direct))
                })
        };
        let hit: Vec<&String> = statements
            .iter()
            .filter(|e| fits(e))
            .map(|(id, _)| id)
            .filter(|id| !ids.contains(*id))
            .collect();
        assert!(
            !hit.is_empty(),
            "{}: no statement covers {renderings:?}",
            g["what"]
        );
        ids.insert(hit[0].clone());
    }
    assert_eq!(ids.len(), 3, "distinct statements merged");
}

#[test]
fn seeds_entities_merged() {
    let Some(s) = load() else { return };
    let per: Vec<(String, &ArticleExtraction)> = s.ids.iter().cloned().zip(s.ex.iter()).collect();
    let ents = merge_entities(&per);
    let strip = |v: &str| name_key(v.strip_prefix("the ").unwrap_or(v));
    let mut owner: HashMap<String, String> = HashMap::new();
    let mut bad = Vec::new();
    for (name, g) in s.gold["entities"].as_object().unwrap() {
        let kind = match g["type"].as_str().unwrap() {
            "person" => EntityKind::Per,
            "organization" => EntityKind::Org,
            _ => EntityKind::Loc,
        };
        let docs: Vec<String> = g["docs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| s.ids[doc_index(&s, d.as_str().unwrap())].clone())
            .collect();
        let mut found = HashSet::new();
        for v in g["variants"].as_array().unwrap() {
            let v = v.as_str().unwrap();
            let e = ents.entities.iter().find(|e| {
                e.kind == kind
                    && e.mentions.iter().any(|(a, _, t)| {
                        // A mention with a title in front ("President Putin") covers "Putin".
                        docs.contains(a)
                            && (strip(t) == strip(v)
                                || strip(t).ends_with(&format!(" {}", strip(v))))
                    })
            });
            match e {
                Some(e) => {
                    found.insert(e.id.clone());
                }
                None => bad.push(format!("{name}: variant {v:?} not found as {kind:?}")),
            }
        }
        if found.len() > 1 {
            bad.push(format!("{name}: variants split over {found:?}"));
        }
        for id in found {
            if let Some(other) = owner.insert(id.clone(), name.clone()) {
                bad.push(format!("{name} and {other} merged into {id}"));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}
