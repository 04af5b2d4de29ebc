//! `ibid demo`: the whole pipeline on the example corpus shipped inside the binary.
//!
//! The corpus (in `examples/corpus/`, written by the ibid developers: made-up outlets and
//! events) shows the problems ibid exists for: a wire story reprinted with small edits, an exact
//! copy, page furniture, metadata buried in text, one quotation carried by several outlets, and
//! a name spelled three ways. It is written to `ibid-demo-corpus/` beside the demo store (so the
//! inputs can be looked at) and read back through the ordinary ingest path, so the demo
//! exercises exactly what users run.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ibid_pipeline::IngestOptions;

/// The example corpus, embedded so the demo works from any directory.
pub const CORPUS: &[(&str, &str)] = &[
    (
        "wire.jsonl",
        include_str!("../../../examples/corpus/wire.jsonl"),
    ),
    (
        "calder-weekly-wall.txt",
        include_str!("../../../examples/corpus/calder-weekly-wall.txt"),
    ),
    (
        "harbour-radio-crane.txt",
        include_str!("../../../examples/corpus/harbour-radio-crane.txt"),
    ),
    (
        "ashford-courier-strike-talks.txt",
        include_str!("../../../examples/corpus/ashford-courier-strike-talks.txt"),
    ),
];

pub fn run(db: &Path, json: bool) -> Result<ExitCode> {
    let dir = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("ibid-demo-corpus"),
        _ => std::path::PathBuf::from("ibid-demo-corpus"),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in CORPUS {
        std::fs::write(dir.join(name), text)?;
    }
    let mut store = crate::open_writer(db, "ibid demo")?;
    let result = ibid_pipeline::ingest(
        &mut store,
        std::slice::from_ref(&dir),
        &IngestOptions::default(),
    );
    let report = result?;
    let stories = store.stories()?;
    let counts = store.counts()?;
    let out = &mut std::io::stdout().lock();
    if json {
        let summary = serde_json::json!({
            "db": db.display().to_string(),
            "ingest": report,
            "counts": counts,
            "stories": stories,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "ibid demo: {} example articles from {} files\n",
        counts.articles,
        CORPUS.len()
    )?;
    crate::report::print_stories(out, &store, &stories, usize::MAX)?;
    writeln!(
        out,
        "{} stories in {} storylines; {} duplicate(s); {} rejected.",
        counts.stories, counts.storylines, counts.duplicates, counts.rejected
    )?;
    writeln!(
        out,
        "\nThe store is {}; the inputs are in {}. Try:",
        db.display(),
        dir.display()
    )?;
    let db_arg = shell_quote(&db.display().to_string());
    if let Some(first) = stories.first() {
        writeln!(out, "  ibid --db {db_arg} show {}", first.id)?;
    }
    writeln!(out, "  ibid --db {db_arg} export articles --format csv")?;
    writeln!(
        out,
        "Web UI and JSON API: `ibid --db {db_arg} serve`, then open http://{}/",
        ibid_serve::DEFAULT_ADDR
    )?;
    Ok(ExitCode::SUCCESS)
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
