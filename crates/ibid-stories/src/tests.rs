//! Behaviour of the engine on made-up streams (every text here is written for these tests):
//! the rules the story stage promises, each on the smallest stream that shows it.

use crate::{cluster, StoryConfig, StoryDoc, StoryEngine};
use chrono::{DateTime, Duration, FixedOffset};

fn at(day: i64, hour: i64) -> Option<DateTime<FixedOffset>> {
    let base = DateTime::parse_from_rfc3339("2031-03-02T00:00:00+00:00").ok()?;
    Some(base + Duration::days(day) + Duration::hours(hour))
}

fn doc(id: &str, when: Option<DateTime<FixedOffset>>, title: &str, text: &str) -> StoryDoc {
    StoryDoc {
        id: id.to_owned(),
        published: when,
        outlet: Some(format!("outlet-{}", id.len() % 3)),
        title: Some(title.to_owned()),
        text: text.to_owned(),
        copy_of: None,
    }
}

/// Unrelated reports that give the stream a vocabulary (and IDF) of its own.
fn background() -> Vec<StoryDoc> {
    let topics = [
        ("Orchard growers count frost losses", "Apple growers in the Tarnow valley said a late frost destroyed blossoms on thousands of trees. The growers association asked the agriculture ministry for emergency loans."),
        ("Museum reopens painted ceiling", "The Hallan art museum reopened its east wing after restorers spent four years cleaning a painted ceiling. Curators said visitor numbers doubled on the first weekend."),
        ("Ferry strike halts island crossings", "Ferry crews on the Sorrel line walked out over pay, stranding travellers on Inch island. The operator said talks with the seafarers union would resume on Friday."),
        ("Chess prodigy wins national title", "Twelve-year-old Mira Dovic won the national chess championship in Pelm, beating three grandmasters. Her coach said she trains six hours a day."),
        ("Bakery chain recalls seeded loaves", "The Brindle bakery chain recalled seeded loaves after undeclared sesame was found. Customers were told to return the bread for a refund."),
        ("Rainfall record broken in coastal town", "Weather officials in Caddow recorded the wettest March day in a century as rivers burst their banks. Schools closed and volunteers filled sandbags."),
        ("Startup raises funds for battery recycling", "Lithic Loop, a battery recycling startup in Oster, raised forty million in new funding. The company plans a second plant next year."),
        ("Veteran goalkeeper retires", "Goalkeeper Tomas Elner announced his retirement after eighteen seasons with Vantor United. He said he will coach the youth academy."),
    ];
    topics
        .iter()
        .enumerate()
        .map(|(i, (t, x))| doc(&format!("bg{i}"), at(i as i64 % 3, 1), t, x))
        .collect()
}

fn groups(e: &StoryEngine, ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| e.story_of(id).unwrap_or_default())
        .collect()
}

/// Three reports of a bridge collapse in Velmora.
fn bridge(i: usize, hour: i64) -> StoryDoc {
    let texts = [
        ("Bridge collapses in Velmora, six injured", "A road bridge over the Ausk river collapsed in Velmora on Monday morning, injuring six people. Mayor Ilse Garand said two cars fell into the water and divers rescued the drivers. Engineers had warned about cracks in the bridge piers last year."),
        ("Six hurt as Velmora bridge falls into Ausk river", "Six people were hurt when the Ausk river bridge in Velmora gave way on Monday. Divers pulled two drivers from their cars, mayor Ilse Garand told reporters. An inspection last year found cracks in the piers, engineers said."),
        ("Velmora mayor orders inquiry after bridge collapse", "Velmora mayor Ilse Garand ordered an inquiry into Monday's collapse of the Ausk river bridge, which injured six people. Engineers had reported cracks in the piers, and divers rescued two drivers whose cars fell into the river."),
    ];
    let (t, x) = texts[i];
    doc(&format!("bridge{i}"), at(0, hour), t, x)
}

#[test]
fn reports_of_one_event_join_one_story() {
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    let e = cluster(&stream, &StoryConfig::default());
    let g = groups(&e, &["bridge0", "bridge1", "bridge2"]);
    assert!(g.iter().all(|s| *s == g[0]), "{g:?}");
    // Unrelated reports stay on their own.
    assert_ne!(e.story_of("bg0"), e.story_of("bridge0"));
    assert_eq!(
        e.stories()
            .iter()
            .find(|s| s.id == g[0])
            .map(|s| s.articles.len()),
        Some(3)
    );
}

#[test]
fn a_forgotten_article_leaves_its_story_and_comes_back_as_new() {
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    let mut e = cluster(&stream, &StoryConfig::default());
    let story = e.story_of("bridge0").unwrap_or_default();
    let held = e.len();
    assert!(e.forget("bridge2"));
    assert!(!e.forget("bridge2"), "forgotten twice");
    assert_eq!(e.len(), held - 1);
    assert_eq!(e.story_of("bridge2"), None);
    let summary = |e: &StoryEngine, id: &str| e.stories().into_iter().find(|s| s.id == id);
    let members = summary(&e, &story).map(|s| s.articles);
    assert_eq!(
        members.as_deref(),
        Some(&["bridge0".to_string(), "bridge1".to_string()][..])
    );
    // Its new version is added as a new article and finds the story again.
    let mut again = bridge(2, 11);
    again.text.push_str(" The river was closed to boats.");
    e.add(&again);
    assert_eq!(e.story_of("bridge2"), Some(story.clone()));
    // A story whose every article is forgotten is gone, with its storyline; a new story of
    // the same first article takes a new id.
    for id in ["bridge0", "bridge1", "bridge2"] {
        assert!(e.forget(id));
    }
    assert!(summary(&e, &story).is_none());
    let line = format!("l-{}", story.trim_start_matches("s-"));
    assert!(e.storylines().iter().all(|l| l.id != line));
    e.add(&bridge(0, 12));
    let reopened = e.story_of("bridge0").unwrap_or_default();
    assert_ne!(reopened, story);
    let ids: Vec<String> = e.stories().into_iter().map(|s| s.id).collect();
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}

/// Two events with the same two leaders on the same day: a treaty signing and a press
/// conference about a pipeline explosion.
fn leaders(kind: &str, i: usize) -> StoryDoc {
    let treaty = [
        ("Ardan and Kessler sign fisheries treaty in Port Lune", "President Ardan and Prime Minister Kessler signed a fisheries treaty in Port Lune on Tuesday, ending a decade of disputes over herring quotas. The treaty sets joint patrols and shares the catch equally between the two fleets."),
        ("Herring quota dispute ends with Port Lune treaty", "A treaty signed in Port Lune by President Ardan and Prime Minister Kessler ends years of quarrels over herring quotas. Fishing fleets will share the catch, and joint patrols start in the spring, the leaders said."),
        ("Fishermen welcome Ardan-Kessler herring deal", "Fishing crews welcomed the herring treaty President Ardan and Prime Minister Kessler signed in Port Lune. Under the deal the two fleets split the quota equally and run joint patrols."),
    ];
    let pipeline = [
        ("Ardan blames sabotage for Dresk pipeline blast", "President Ardan said sabotage caused Tuesday's explosion on the Dresk gas pipeline, which cut supplies to forty thousand homes. Speaking at a press conference with Prime Minister Kessler, he said investigators found traces of explosives near the pumping station."),
        ("Gas cut to 40,000 homes after Dresk pipeline explosion", "An explosion on the Dresk gas pipeline left forty thousand homes without gas. President Ardan told a press conference, with Prime Minister Kessler beside him, that investigators found explosives near the pumping station and called it sabotage."),
        ("Investigators find explosives at Dresk pumping station", "Investigators found traces of explosives near the Dresk pumping station after Tuesday's pipeline blast, President Ardan said at a press conference with Prime Minister Kessler. Repairs to restore gas to forty thousand homes could take a week."),
    ];
    let (t, x) = if kind == "treaty" {
        treaty[i]
    } else {
        pipeline[i]
    };
    doc(&format!("{kind}{i}"), at(1, 9 + i as i64), t, x)
}

#[test]
fn same_actors_same_day_distinct_events_stay_apart() {
    let mut stream = background();
    for i in 0..3 {
        stream.push(leaders("treaty", i));
        stream.push(leaders("pipeline", i));
    }
    let e = cluster(&stream, &StoryConfig::default());
    let t = groups(&e, &["treaty0", "treaty1", "treaty2"]);
    let p = groups(&e, &["pipeline0", "pipeline1", "pipeline2"]);
    assert!(t.iter().all(|s| *s == t[0]), "treaty reports split: {t:?}");
    assert!(
        p.iter().all(|s| *s == p[0]),
        "pipeline reports split: {p:?}"
    );
    assert_ne!(t[0], p[0], "two events with the same actors were fused");
}

#[test]
fn a_roundup_does_not_chain_two_events() {
    // A roundup that covers both events resembles each of them; the next report of the
    // pipeline blast must not follow it into the treaty's story.
    let mut stream = background();
    stream.push(leaders("treaty", 0));
    stream.push(leaders("treaty", 1));
    stream.push(doc(
        "roundup",
        at(1, 12),
        "Ardan and Kessler: treaty signed, pipeline blast blamed on sabotage",
        "President Ardan and Prime Minister Kessler signed a fisheries treaty in Port Lune on Tuesday, sharing herring quotas and joint patrols. Hours later Ardan said sabotage caused the explosion on the Dresk gas pipeline, which cut gas to forty thousand homes; investigators found explosives near the pumping station.",
    ));
    // The pipeline report arrives after the roundup.
    let mut late = leaders("pipeline", 2);
    late.published = at(1, 14);
    stream.push(late);
    let e = cluster(&stream, &StoryConfig::default());
    assert_eq!(e.story_of("roundup"), e.story_of("treaty0"));
    assert_ne!(
        e.story_of("pipeline2"),
        e.story_of("treaty0"),
        "the pipeline report chained into the treaty story through the roundup"
    );
}

#[test]
fn a_copy_joins_its_original_without_a_comparison() {
    let mut stream = background();
    stream.push(bridge(0, 8));
    let mut copy = doc(
        "copy",
        at(0, 11),
        "Entirely different headline",
        "Text the comparison would never match: orchards, ferries and chess.",
    );
    copy.copy_of = Some("bridge0".to_owned());
    stream.push(copy);
    let e = cluster(&stream, &StoryConfig::default());
    assert_eq!(e.story_of("copy"), e.story_of("bridge0"));
}

#[test]
fn a_headline_several_outlets_ran_titles_the_story() {
    let mut stream = background();
    // The original's scraped title is a photo caption; two outlets ran copies under the
    // wire headline.
    let mut original = bridge(0, 8);
    original.title = Some("A crane, left, lifts a car from the river on Monday".to_owned());
    stream.push(original);
    for (i, outlet) in ["Coast Daily", "Valley Post"].iter().enumerate() {
        let mut copy = bridge(0, 9 + i as i64);
        copy.id = format!("copy{i}");
        copy.outlet = Some((*outlet).to_owned());
        copy.copy_of = Some("bridge0".to_owned());
        stream.push(copy);
    }
    let e = cluster(&stream, &StoryConfig::default());
    let story = e.story_of("bridge0");
    let title = e
        .stories()
        .into_iter()
        .find(|s| Some(&s.id) == story.as_ref())
        .and_then(|s| s.title);
    assert_eq!(
        title.as_deref(),
        Some("Bridge collapses in Velmora, six injured")
    );
}

#[test]
fn adding_a_batch_equals_adding_one_by_one() {
    let mut stream = background();
    for i in 0..3 {
        stream.push(leaders("treaty", i));
        stream.push(leaders("pipeline", i));
        stream.push(bridge(i, 8 + i as i64));
    }
    let cfg = StoryConfig::default();
    let mut a = StoryEngine::new(cfg.clone());
    a.add_batch(&stream);
    let mut b = StoryEngine::new(cfg);
    for d in &stream {
        b.add(d);
    }
    assert_eq!(a.stories(), b.stories());
    assert_eq!(a.storylines(), b.storylines());
}

#[test]
fn state_survives_a_round_trip() {
    let mut stream = background();
    for i in 0..3 {
        stream.push(leaders("treaty", i));
        stream.push(bridge(i, 8 + i as i64));
    }
    let cfg = StoryConfig::default();
    let mut straight = StoryEngine::new(cfg);
    straight.add_batch(&stream[..8]);
    let json = serde_json::to_string(&straight).unwrap_or_default();
    let mut restored: StoryEngine = serde_json::from_str(&json).expect("engine state parses");
    straight.add_batch(&stream[8..]);
    restored.add_batch(&stream[8..]);
    assert_eq!(restored.stories(), straight.stories());
    assert_eq!(restored.storylines(), straight.storylines());
}

/// A follow-up event in the bridge thread: the inquiry's findings two weeks later.
fn bridge_inquiry(day: i64) -> StoryDoc {
    doc(
        "inquiry",
        at(day, 10),
        "Velmora bridge inquiry blames skipped repairs",
        "The inquiry into the collapse of the Ausk river bridge in Velmora found that repairs to cracked piers were postponed twice to save money. Mayor Ilse Garand said the city engineer has resigned and every bridge in Velmora will be inspected.",
    )
}

#[test]
fn a_follow_up_event_opens_a_story_in_the_same_storyline() {
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    stream.push(bridge_inquiry(14));
    let e = cluster(&stream, &StoryConfig::default());
    let first = e.story_of("bridge0").unwrap_or_default();
    let later = e.story_of("inquiry").unwrap_or_default();
    assert_ne!(
        first, later,
        "a new happening two weeks later is another event"
    );
    assert_eq!(
        e.storyline_of_story(&first),
        e.storyline_of_story(&later),
        "but it continues the same thread"
    );
    assert_ne!(
        e.storyline_of_story(&first),
        e.story_of("bg1").and_then(|s| e.storyline_of_story(&s)),
        "and unrelated news is not part of it"
    );
}

#[test]
fn a_paused_thread_resumes_only_with_its_specific_actors() {
    let cfg = StoryConfig::default();
    let late = (cfg.storyline_window_days as i64) + 60;
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    // Months later, the same specific actors (Velmora, Ilse Garand, the Ausk bridge).
    stream.push(bridge_inquiry(late));
    // Months later too, a report that shares only generic words with the thread.
    stream.push(doc(
        "generic",
        at(late, 11),
        "Country plans to inspect old bridges",
        "The transport ministry said engineers will inspect old road bridges across the country after cracks were found in several piers. Divers and cars are part of routine river safety drills, the mayor of a northern town said.",
    ));
    let e = cluster(&stream, &StoryConfig::default());
    let line = |id: &str| e.story_of(id).and_then(|s| e.storyline_of_story(&s));
    assert_eq!(line("inquiry"), line("bridge0"));
    assert_ne!(line("generic"), line("bridge0"));
}

#[test]
fn a_paused_thread_is_not_resumed_by_common_names_alone() {
    let cfg = StoryConfig::default();
    let late = (cfg.storyline_window_days as i64) + 60;
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    // City news that makes "Velmora" and "Ausk" common names of the stream.
    let city = [
        "Velmora opens a market hall on the Ausk embankment",
        "Ausk river regatta draws crowds to Velmora",
        "Velmora council votes on Ausk riverside parking",
        "Tram line to cross the Ausk in Velmora by 2033",
        "Velmora schools plant trees along the Ausk",
        "Ausk fishing season opens early in Velmora",
    ];
    for (i, t) in city.iter().enumerate() {
        stream.push(doc(
            &format!("city{i}"),
            at(20 + 3 * i as i64, 9),
            t,
            &format!("{t}. Residents of Velmora by the Ausk river said the plan was long overdue."),
        ));
    }
    // Months after the collapse, a report on the Ausk bridges of Velmora that names none of
    // the thread's specific actors.
    stream.push(doc(
        "later",
        at(late, 11),
        "Velmora repaints Ausk bridge railings",
        "Workers in Velmora began repainting the railings of the bridges over the Ausk river. Traffic on the bridges will be slowed for two weeks while crews work on the piers and railings.",
    ));
    let e = cluster(&stream, &cfg);
    let line = |id: &str| e.story_of(id).and_then(|s| e.storyline_of_story(&s));
    assert_ne!(line("later"), line("bridge0"));
}

#[test]
fn a_story_does_not_drift_as_it_grows() {
    // Reports that move, one sentence at a time, from the bridge collapse to the city's budget
    // row: each shares a sentence with the one before; the last ones are about the budget only
    // and must not end up in the collapse's story.
    let sentences = [
        "The Ausk river bridge in Velmora collapsed on Monday, injuring six people.",
        "Divers rescued two drivers, and mayor Ilse Garand said engineers had warned about cracks in the piers.",
        "Councillors asked who will pay for rebuilding the bridge, and the mayor said the city budget has no reserve for it.",
        "The finance committee argued for hours over rebuilding the budget reserve the mayor wants.",
        "Councillors from the harbour district refused cuts to school meals and library hours to fund the reserve.",
        "The council then voted down the cuts to school meals and library opening hours.",
        "A new budget will raise parking fees and add a tourist tax, the finance committee said.",
    ];
    let mut stream = background();
    stream.extend((0..3).map(|i| bridge(i, 8 + i as i64)));
    for i in 0..sentences.len() - 1 {
        let text = format!("{} {}", sentences[i], sentences[i + 1]);
        let title: String = sentences[i + 1]
            .split(',')
            .next()
            .unwrap_or_default()
            .to_owned();
        stream.push(doc(
            &format!("step{i}"),
            at(0, 12 + i as i64),
            &title,
            &text,
        ));
    }
    let e = cluster(&stream, &StoryConfig::default());
    let last = sentences.len() - 3;
    assert_eq!(e.story_of("step0"), e.story_of("bridge0"));
    assert_ne!(
        e.story_of(&format!("step{last}")),
        e.story_of("bridge0"),
        "the collapse story drifted into the budget row"
    );
}
