//! Throughput benchmark: assigns the AllSides articles one by one in date order.
//! `cargo run --release -p ibid-stories --example allsides_speed [LIMIT]`
//! Uses [`StoryEngine::add_batch`] (extraction on all cores, assignment sequential);
//! `IBID_SEQUENTIAL=1` adds one by one on one thread instead; `IBID_WINDOW_DAYS=N` sets the
//! time window that bounds memory (default: the `StoryConfig` default); `IBID_CONFIG=JSON`
//! overrides configuration fields.
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use flate2::read::GzDecoder;
use ibid_stories::{StoryConfig, StoryDoc, StoryEngine};
use std::io::BufRead;
use std::time::Instant;

#[derive(serde::Deserialize)]
struct Row {
    id: serde_json::Value,
    source: Option<String>,
    date: Option<String>,
    title: Option<String>,
    text: Option<String>,
}

/// The dataset's dates: `YYYY-MM-DD` or `M/D/YY`; impossible years count as missing.
fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%m/%d/%y"))
        .ok()?;
    if !(1990..=2030).contains(&d.year()) {
        return None;
    }
    let utc = FixedOffset::east_opt(0)?;
    d.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
}

/// CPU time of this thread in seconds (Linux; `None` elsewhere). Wall time on a shared
/// machine says little, so both are reported.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// CPU seconds of every thread of this process (Linux; empty elsewhere).
fn thread_cpu_secs() -> Vec<f64> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let p = e.ok()?.path().join("schedstat");
        let s = std::fs::read_to_string(p).ok()?;
        Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
    })
    .collect()
}

/// CPU time of the whole process (all threads) in seconds, from `/proc/self/stat`.
fn process_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let limit: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(usize::MAX);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/allsides/articles.jsonl.gz"
    );
    let t_load = Instant::now();
    let f = std::fs::File::open(path)?;
    let mut docs = Vec::new();
    for line in std::io::BufReader::new(GzDecoder::new(f))
        .lines()
        .take(limit)
    {
        let r: Row = serde_json::from_str(&line?)?;
        let id = match r.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        docs.push(StoryDoc {
            id,
            published: r.date.as_deref().and_then(parse_date),
            outlet: r.source,
            title: r.title,
            text: r.text.unwrap_or_default(),
            copy_of: None,
        });
    }
    docs.sort_by(|a, b| {
        (a.published.is_none(), a.published, &a.id).cmp(&(
            b.published.is_none(),
            b.published,
            &b.id,
        ))
    });
    let load = t_load.elapsed().as_secs_f64();
    if std::env::var("IBID_EXTRACT_ONLY").is_ok() {
        let t = Instant::now();
        let mut n = 0usize;
        for d in &docs {
            n += ibid_stories::extract(d.title.as_deref(), &d.text, 40, 2.0)
                .words
                .len();
        }
        println!(
            "extract only: {:.0} docs/s ({n} terms)",
            docs.len() as f64 / t.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    // `IBID_CONFIG` may set any subset of `StoryConfig` fields (JSON), e.g. to time a variant.
    let mut cfg: StoryConfig = match std::env::var("IBID_CONFIG") {
        Ok(j) => serde_json::from_str(&j)?,
        Err(_) => StoryConfig::default(),
    };
    if let Some(w) = std::env::var("IBID_WINDOW_DAYS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        cfg.window_days = w;
    }
    let mut engine = StoryEngine::new(cfg);
    let t0 = Instant::now();
    let c0 = cpu_secs();
    let p0 = process_cpu_secs();
    if std::env::var("IBID_SEQUENTIAL").is_ok() {
        for d in &docs {
            engine.add(d);
        }
    } else {
        engine.add_batch(&docs);
    }
    let secs = t0.elapsed().as_secs_f64();
    if let (Some(a), Some(b)) = (c0, cpu_secs()) {
        println!(
            "main thread cpu {:.2}s = {:.0} articles/s on the sequential thread",
            b - a,
            docs.len() as f64 / (b - a)
        );
    }
    if let (Some(a), Some(b)) = (p0, process_cpu_secs()) {
        println!("process cpu {:.2}s (all threads)", b - a);
    }
    // The busiest thread bounds the wall time on an idle machine with enough cores: it ran
    // the sequential assignment (plus its share of extraction).
    let busiest = thread_cpu_secs().into_iter().fold(0.0f64, f64::max);
    if busiest > 0.0 {
        println!(
            "busiest thread cpu {busiest:.2}s => {:.0} articles/s bound on idle cores",
            docs.len() as f64 / busiest
        );
    }
    let stories = engine.stories();
    let lines = engine.storylines();
    let multi = stories.iter().filter(|s| s.articles.len() > 1).count();
    println!(
        "{} articles in {secs:.2}s = {:.0} articles/s (load {load:.1}s); {} stories ({multi} with 2+ articles), {} storylines",
        docs.len(),
        docs.len() as f64 / secs,
        stories.len(),
        lines.len()
    );
    let mut big: Vec<_> = stories.iter().collect();
    big.sort_by_key(|s| std::cmp::Reverse(s.articles.len()));
    for s in big.iter().take(8) {
        println!(
            "  {:>4} articles, {:>3} outlets, {:?} .. {:?}: {}",
            s.articles.len(),
            s.outlets.len(),
            s.first_published.map(|d| d.date_naive()),
            s.last_published.map(|d| d.date_naive()),
            s.title.as_deref().unwrap_or("-")
        );
    }
    // The largest storylines, with their time span: a storyline follows one thread, it does
    // not swallow a topic for years.
    let by_id: std::collections::HashMap<&str, _> =
        stories.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut lbig: Vec<_> = lines.iter().collect();
    lbig.sort_by_key(|l| std::cmp::Reverse(l.stories.len()));
    for l in lbig.iter().take(8) {
        let members: Vec<_> = l
            .stories
            .iter()
            .filter_map(|s| by_id.get(s.as_str()))
            .collect();
        let first = members.iter().filter_map(|s| s.first_published).min();
        let last = members.iter().filter_map(|s| s.last_published).max();
        let arts: usize = members.iter().map(|s| s.articles.len()).sum();
        println!(
            "  storyline {:>4} stories, {:>4} articles, {:?} .. {:?}",
            l.stories.len(),
            arts,
            first.map(|d| d.date_naive()),
            last.map(|d| d.date_naive())
        );
        let mut biggest: Vec<_> = members.clone();
        biggest.sort_by_key(|s| std::cmp::Reverse(s.articles.len()));
        for s in biggest.iter().take(4) {
            println!(
                "      {:?} {}",
                s.first_published.map(|d| d.date_naive()),
                s.title.as_deref().unwrap_or("-")
            );
        }
    }
    let t1 = Instant::now();
    let json = serde_json::to_vec(&engine)?;
    println!(
        "state {:.1} MB serialised in {:.2}s",
        json.len() as f64 / 1e6,
        t1.elapsed().as_secs_f64()
    );
    Ok(())
}
