//! Acceptance on the five seed articles (read from ../shared; skipped when absent).
use chrono::DateTime;
use ibid_stories::{cluster, StoryConfig, StoryDoc};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn seeds_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/seeds"
    ))
}

fn load() -> Option<Vec<StoryDoc>> {
    let dir = seeds_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    Some(
        paths
            .iter()
            .map(|p| StoryDoc {
                id: p.file_stem().unwrap().to_string_lossy().into_owned(),
                published: None,
                outlet: None,
                title: None,
                text: std::fs::read_to_string(p).unwrap(),
                copy_of: None,
            })
            .collect(),
    )
}

/// Groups as sets of 3-character id prefixes.
fn groups(engine: &ibid_stories::StoryEngine) -> BTreeSet<BTreeSet<String>> {
    engine
        .stories()
        .iter()
        .map(|s| s.articles.iter().map(|a| a[..3].to_owned()).collect())
        .collect()
}

fn expected() -> BTreeSet<BTreeSet<String>> {
    [vec!["000", "001", "002"], vec!["003"], vec!["004"]]
        .into_iter()
        .map(|g| g.into_iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn seeds_without_dates() {
    let Some(docs) = load() else {
        eprintln!("seeds not found under {}: skipped", seeds_dir().display());
        return;
    };
    let mut e = ibid_stories::StoryEngine::new(StoryConfig::default());
    for d in &docs {
        let o = e.add_with(d, &ibid_stories::Decision::Auto);
        for c in &o.candidates {
            println!(
                "{} -> {} score {:.3} (size {})",
                d.id, c.story, c.score, c.size
            );
        }
    }
    let engine = cluster(&docs, &StoryConfig::default());
    for s in engine.stories() {
        println!("{} {:?} {:?}", s.id, s.articles, s.title);
    }
    assert_eq!(groups(&engine), expected());
    // Story ids derive from the first article.
    assert_eq!(
        engine.story_of(&docs[2].id),
        Some(format!("s-{}", docs[0].id))
    );
}

#[test]
fn seeds_with_dates_and_storyline() {
    let Some(mut docs) = load() else {
        eprintln!("seeds not found under {}: skipped", seeds_dir().display());
        return;
    };
    let dates = [
        "2016-12-18T10:00:00+03:30",
        "2016-12-18T12:00:00+03:30",
        "2016-12-18T15:00:00+03:30",
        "2015-10-10T12:00:00+03:30",
        "2017-09-05T21:21:00+04:00",
    ];
    for (d, t) in docs.iter_mut().zip(dates) {
        d.published = Some(DateTime::parse_from_rfc3339(t).unwrap());
    }
    let engine = cluster(&docs, &StoryConfig::default());
    assert_eq!(groups(&engine), expected());
    let lines = engine.storylines();
    println!("{lines:?}");
    assert_eq!(lines.len(), 1, "one storyline expected: {lines:?}");
    let s003 = engine.story_of(&docs[3].id).unwrap();
    let s000 = engine.story_of(&docs[0].id).unwrap();
    let s004 = engine.story_of(&docs[4].id).unwrap();
    assert_eq!(
        lines[0].stories,
        vec![s003.clone(), s000.clone(), s004.clone()]
    );
    for s in [&s003, &s000, &s004] {
        assert_eq!(
            engine.storyline_of_story(s).as_deref(),
            Some(lines[0].id.as_str())
        );
    }
    // Storyline id derives from the first article of its first story (003 comes first in time).
    assert_eq!(lines[0].id, format!("l-{}", docs[3].id));
    let main = engine.stories().into_iter().find(|s| s.id == s000).unwrap();
    assert_eq!(main.articles.len(), 3);
    assert!(main.first_published.is_some() && main.span_days.is_some());
}

#[test]
fn state_round_trip_continues_identically() {
    let Some(docs) = load() else {
        eprintln!("seeds not found under {}: skipped", seeds_dir().display());
        return;
    };
    let cfg = StoryConfig::default();
    let mut straight = ibid_stories::StoryEngine::new(cfg.clone());
    straight.add_batch(&docs[..3]);
    let mut restored = straight.clone();
    let json = serde_json::to_string(&restored).unwrap();
    restored = serde_json::from_str(&json).unwrap();
    straight.add_batch(&docs[3..]);
    restored.add_batch(&docs[3..]);
    assert_eq!(restored.stories(), straight.stories());
    assert_eq!(restored.storylines(), straight.storylines());
}
