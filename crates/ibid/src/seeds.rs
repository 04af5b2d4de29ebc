//! `ibid eval seeds`: every stage against the hand-made reference for the five seed articles
//! (`../shared/corpus/seeds.gold.json`), scored by exact match. The seeds are ingested into a
//! temporary store through the ordinary pipeline, and the checks read the same exports a user
//! would.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use ibid_pipeline::IngestOptions;
use ibid_store::{ArticleRow, Store};
use serde::Serialize;
use serde_json::Value;

/// One check: how many of the gold items ibid got right, and what it missed.
#[derive(Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Gold items matched exactly.
    pub right: usize,
    /// Gold items.
    pub total: usize,
    /// What did not match (gold item, and what ibid had).
    pub misses: Vec<String>,
}

impl Check {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            right: 0,
            total: 0,
            misses: Vec::new(),
        }
    }
    fn score(&mut self, ok: bool, miss: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.right += 1;
        } else {
            self.misses.push(miss());
        }
    }
    /// All gold items matched.
    pub fn passed(&self) -> bool {
        self.right == self.total
    }
}

/// White space folded like the gold (NBSP to space, runs to one space).
fn fold(s: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name compared without a leading article ("the Leader" and "Leader" are one name).
fn name_form(s: &str) -> String {
    let f = fold(s);
    match f.strip_prefix("the ").or_else(|| f.strip_prefix("The ")) {
        Some(rest) => rest.to_string(),
        None => f,
    }
}

/// The gold writes notes after two spaces and a parenthesis: "line  (why)".
fn strip_note(s: &str) -> String {
    let s = match s.find("  (") {
        Some(i) => &s[..i],
        None => s,
    };
    fold(s)
}

fn key(id: &str) -> String {
    id.chars().take(3).collect()
}

/// Runs the pipeline on `corpus/seeds` and scores it against `corpus/seeds.gold.json`.
pub fn evaluate(corpus: &Path) -> Result<Vec<Check>> {
    let gold_path = corpus.join("seeds.gold.json");
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(&gold_path)
            .with_context(|| format!("cannot read {}", gold_path.display()))?,
    )
    .with_context(|| format!("{} is not JSON", gold_path.display()))?;
    let dir = std::env::temp_dir().join(format!("ibid-eval-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("seeds.db");
    let result = score(&gold, &corpus.join("seeds"), &db);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn score(gold: &Value, seeds: &Path, db: &Path) -> Result<Vec<Check>> {
    let mut store = Store::open(db)?;
    let opts = IngestOptions {
        progress: false,
        ..IngestOptions::default()
    };
    ibid_pipeline::ingest(&mut store, &[seeds.to_path_buf()], &opts)?;
    let mut articles: BTreeMap<String, ArticleRow> = BTreeMap::new();
    store.for_each_article(|a| {
        articles.insert(key(&a.id), a);
        Ok(())
    })?;
    let full_id: HashMap<String, String> = articles
        .iter()
        .map(|(k, a)| (k.clone(), a.id.clone()))
        .collect();
    let empty = serde_json::Map::new();
    let obj = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut checks = Vec::new();

    // Events: each gold event is exactly one ibid story.
    let mut events = Check::new("events (gold event = exactly one story)");
    let mut story_members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (k, a) in &articles {
        if let Some(s) = &a.story {
            story_members
                .entry(s.clone())
                .or_default()
                .insert(k.clone());
        }
    }
    for (name, ev) in obj(&gold["events"]) {
        let docs: BTreeSet<String> = strs(&ev["docs"]).into_iter().collect();
        let got = docs
            .iter()
            .next()
            .and_then(|d| articles.get(d))
            .and_then(|a| a.story.as_ref())
            .and_then(|s| story_members.get(s));
        events.score(got == Some(&docs), || {
            format!("{name}: want {docs:?}, story holds {got:?}")
        });
    }
    checks.push(events);

    // Storylines: each gold storyline is exactly one ibid storyline.
    let mut lines = Check::new("storylines (gold storyline = exactly one storyline)");
    for (name, docs) in obj(&gold["storylines"]) {
        let want: BTreeSet<String> = strs(&docs).into_iter().collect();
        let ids: BTreeSet<Option<String>> = want
            .iter()
            .map(|d| articles.get(d).and_then(|a| a.storyline.clone()))
            .collect();
        let members: BTreeSet<String> = match ids.iter().next() {
            Some(Some(l)) if ids.len() == 1 => articles
                .iter()
                .filter(|(_, a)| a.storyline.as_deref() == Some(l))
                .map(|(k, _)| k.clone())
                .collect(),
            _ => BTreeSet::new(),
        };
        lines.score(members == want, || format!("{name}: storylines {ids:?}"));
    }
    checks.push(lines);

    // Boilerplate: per article, the removed lines are exactly the gold's.
    let mut boiler = Check::new("boilerplate (removed lines exactly the gold's, per article)");
    for (k, want) in obj(&gold["boilerplate_lines"]) {
        let want: BTreeSet<String> = strs(&want).iter().map(|l| strip_note(l)).collect();
        let got: BTreeSet<String> = articles
            .get(&k)
            .map(|a| a.removed.iter().map(|l| fold(l)).collect())
            .unwrap_or_default();
        boiler.score(got == want, || {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            format!("{k}: missing {missing:?}, extra {extra:?}")
        });
    }
    checks.push(boiler);

    // Metadata fields ibid models.
    let mut meta =
        Check::new("metadata (title, subheads, published, section, dateline, author, outlet)");
    for (k, fields) in obj(&gold["metadata"]) {
        let Some(a) = articles.get(&k) else { continue };
        for (field, want) in obj(&fields) {
            let got: Option<Value> = match field.as_str() {
                "title" => Some(a.title.clone().map(Value::from).unwrap_or(Value::Null)),
                "published" => Some(a.published.clone().map(Value::from).unwrap_or(Value::Null)),
                "section" => Some(a.section.clone().map(Value::from).unwrap_or(Value::Null)),
                "dateline" => Some(a.dateline.clone().map(Value::from).unwrap_or(Value::Null)),
                "author" => Some(a.author.clone().map(Value::from).unwrap_or(Value::Null)),
                "outlet" => Some(a.outlet.clone().map(Value::from).unwrap_or(Value::Null)),
                "subheads" => Some(Value::from(a.subheads.clone())),
                // Gold fields ibid does not model (e.g. cited agencies, trailer codes).
                _ => None,
            };
            if let Some(got) = got {
                meta.score(got == want, || {
                    format!("{k}.{field}: want {want}, got {got}")
                });
            }
        }
    }
    checks.push(meta);

    // Entities: one ibid entity per gold entity, with every variant among its surface forms,
    // and no ibid entity holding two gold entities.
    let entities = store.entities()?;
    let mut ents =
        Check::new("entities (all variants merged in one entity, none merged with another)");
    let forms = |e: &ibid_store::EntityRow| -> BTreeSet<String> {
        e.variants
            .iter()
            .cloned()
            .chain(e.mentions.iter().map(|m| m.text.clone()))
            .map(|s| name_form(&s))
            .collect()
    };
    let gold_ents = obj(&gold["entities"]);
    let mut owner: HashMap<usize, Vec<String>> = HashMap::new();
    for (name, g) in &gold_ents {
        let variants: Vec<String> = strs(&g["variants"]).iter().map(|v| name_form(v)).collect();
        let kind = match g["type"].as_str() {
            Some("person") => "PER",
            Some("organization") => "ORG",
            _ => "LOC",
        };
        let hit = entities.iter().position(|e| {
            let f = forms(e);
            e.kind == kind && variants.iter().all(|v| f.contains(v))
        });
        if let Some(i) = hit {
            owner.entry(i).or_default().push(name.clone());
        }
        ents.score(hit.is_some(), || {
            format!("{name} ({kind}) with {variants:?}")
        });
    }
    for (i, names) in owner.iter().filter(|(_, n)| n.len() > 1) {
        ents.misses
            .push(format!("entity {} merges {names:?}", entities[*i].name));
        ents.right = ents.right.saturating_sub(names.len() - 1);
    }
    checks.push(ents);

    // Quotes: each gold direct quote found (same text, white space folded) with its speaker.
    let quotes = store.quotes()?;
    let mut q = Check::new("direct quotes (text and speaker)");
    for g in gold["quotes"].as_array().cloned().unwrap_or_default() {
        let doc = g["doc"].as_str().unwrap_or_default();
        let text = fold(g["text"].as_str().unwrap_or_default());
        let speaker = g["speaker"].as_str().unwrap_or_default();
        let id = full_id.get(doc).cloned().unwrap_or_default();
        let found = quotes
            .iter()
            .find(|x| x.article == id && fold(&x.text) == text);
        let ok = found.is_some_and(|x| x.speaker.as_deref() == Some(speaker));
        q.score(ok, || match found {
            Some(x) => format!("{doc} {text:?}: speaker {:?}, want {speaker}", x.speaker),
            None => format!("{doc} {text:?}: not found"),
        });
    }
    checks.push(q);

    // Statements: the renderings of one shared statement carry one statement id.
    let mut st = Check::new("shared statements (one statement id across renderings)");
    let by_statement: HashMap<&str, BTreeSet<String>> =
        quotes.iter().fold(HashMap::new(), |mut m, x| {
            if let Some(s) = &x.statement {
                m.entry(s.as_str()).or_default().insert(key(&x.article));
            }
            m
        });
    for g in gold["shared_statements"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let docs: BTreeSet<String> = obj(&g["renderings"]).keys().cloned().collect();
        let speaker = g["speaker"].as_str().unwrap_or_default();
        let ok = by_statement.values().any(|d| docs.is_subset(d))
            && quotes.iter().any(|x| {
                x.speaker.as_deref() == Some(speaker)
                    && x.statement
                        .as_deref()
                        .is_some_and(|s| by_statement.get(s).is_some_and(|d| docs.is_subset(d)))
            });
        st.score(ok, || {
            format!("{}: {docs:?}", g["what"].as_str().unwrap_or_default())
        });
    }
    checks.push(st);
    Ok(checks)
}
