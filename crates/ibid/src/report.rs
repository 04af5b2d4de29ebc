//! Human-readable reports. Scripts should use `--json`; these are for people.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use ibid_pipeline::{IngestReport, ProcessReport};
use ibid_store::{ArticleRow, Counts, RejectedRow, Store, StoryRow};

/// How many rejections an ingest summary lists before pointing at `ibid rejected`.
const REJECTIONS_SHOWN: usize = 20;

pub fn print_ingest(out: &mut impl Write, r: &IngestReport, db: &Path) -> anyhow::Result<()> {
    let c = r.counts;
    writeln!(
        out,
        "ingested {} input(s) into {} in {:.2}s: {} added, {} new versions, {} unchanged, {} rejected",
        r.inputs,
        db.display(),
        r.seconds,
        c.added,
        c.versions,
        c.unchanged,
        c.rejected
    )?;
    for note in r.rejections.iter().take(REJECTIONS_SHOWN) {
        writeln!(out, "  rejected {}: {}", note.location, note.reason)?;
    }
    if c.rejected as usize > REJECTIONS_SHOWN {
        writeln!(
            out,
            "  … and {} more: see `ibid rejected`",
            c.rejected as usize - REJECTIONS_SHOWN
        )?;
    }
    if let Some(p) = &r.process {
        print_process(out, p)?;
    }
    Ok(())
}

pub fn print_process(out: &mut impl Write, p: &ProcessReport) -> io::Result<()> {
    writeln!(
        out,
        "processed {} article(s) ({} cleaned now) in {:.2}s: {} duplicate(s), {} stories, {} storylines",
        p.articles, p.cleaned, p.seconds, p.duplicates, p.stories, p.storylines
    )
}

pub fn print_status(out: &mut impl Write, db: &Path, c: &Counts) -> io::Result<()> {
    writeln!(out, "store       {}", db.display())?;
    writeln!(
        out,
        "articles    {} ({} versions stored)",
        c.articles, c.versions
    )?;
    writeln!(out, "duplicates  {}", c.duplicates)?;
    writeln!(
        out,
        "stories     {} in {} storylines",
        c.stories, c.storylines
    )?;
    writeln!(out, "rejected    {}", c.rejected)?;
    if c.pending > 0 {
        writeln!(out, "pending     {} (run `ibid process`)", c.pending)?;
    }
    Ok(())
}

fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("–")
}

/// One line per story, then its articles indented.
pub fn print_stories(
    out: &mut impl Write,
    store: &Store,
    stories: &[StoryRow],
    limit: usize,
) -> anyhow::Result<()> {
    let mut articles: HashMap<String, ArticleRow> = HashMap::new();
    store.for_each_article(|a| {
        articles.insert(a.id.clone(), a);
        Ok(())
    })?;
    let storylines = storyline_sizes(stories);
    for s in stories.iter().take(limit) {
        story_header(out, s, &storylines)?;
        for id in &s.articles {
            match articles.get(id) {
                Some(a) => article_line(out, a)?,
                None => writeln!(out, "    {id}")?,
            }
        }
        writeln!(out)?;
    }
    if stories.len() > limit {
        writeln!(
            out,
            "… {} more stories (use --limit)",
            stories.len() - limit
        )?;
    }
    Ok(())
}

fn storyline_sizes(stories: &[StoryRow]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for s in stories {
        if let Some(l) = &s.storyline {
            *m.entry(l.clone()).or_insert(0) += 1;
        }
    }
    m
}

fn story_header(
    out: &mut impl Write,
    s: &StoryRow,
    storylines: &HashMap<String, usize>,
) -> io::Result<()> {
    writeln!(
        out,
        "{}  {}",
        s.id,
        s.title.as_deref().unwrap_or("(untitled)")
    )?;
    let line = match &s.storyline {
        Some(l) if storylines.get(l).copied().unwrap_or(0) > 1 => {
            format!(", storyline {l} ({} stories)", storylines[l])
        }
        _ => String::new(),
    };
    writeln!(
        out,
        "  {} article(s) from {} outlet(s), first {} by {}{}",
        s.articles.len(),
        s.outlets.len(),
        or_dash(&s.first_published),
        or_dash(&s.first_outlet),
        line
    )
}

fn article_line(out: &mut impl Write, a: &ArticleRow) -> io::Result<()> {
    let dup = match &a.duplicate_of {
        Some(o) => format!("  [copy of {o}]"),
        None => String::new(),
    };
    writeln!(
        out,
        "    {:<24} {:<20} {:<25} {}{}",
        a.id,
        or_dash(&a.outlet),
        or_dash(&a.published),
        a.title.as_deref().unwrap_or(""),
        dup
    )
}

pub fn print_story(out: &mut impl Write, store: &Store, s: &StoryRow) -> anyhow::Result<()> {
    let all = store.stories()?;
    story_header(out, s, &storyline_sizes(&all))?;
    writeln!(out, "  outlets: {}", s.outlets.join(", "))?;
    for id in &s.articles {
        match store.article(id)? {
            Some(a) => article_line(out, &a)?,
            None => writeln!(out, "    {id}")?,
        }
    }
    Ok(())
}

pub fn print_article(out: &mut impl Write, store: &Store, a: &ArticleRow) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}  {}",
        a.id,
        a.title.as_deref().unwrap_or("(untitled)")
    )?;
    let fields = [
        ("outlet", &a.outlet),
        ("published", &a.published),
        ("author", &a.author),
        ("dateline", &a.dateline),
        ("section", &a.section),
        ("url", &a.url),
        ("story", &a.story),
        ("storyline", &a.storyline),
        ("copy of", &a.duplicate_of),
        ("date flag", &a.published_flag),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            writeln!(out, "  {name:<10} {v}")?;
        }
    }
    writeln!(
        out,
        "  {:<10} {} (version {})",
        "source", a.source, a.version
    )?;
    if !a.subheads.is_empty() {
        writeln!(out, "  {:<10} {}", "subheads", a.subheads.join(" | "))?;
    }
    writeln!(out)?;
    for para in a.text.split("\n\n") {
        writeln!(out, "  {para}")?;
    }
    let removed = store.removed_lines(&a.id)?;
    if !removed.is_empty() {
        writeln!(out, "\n  removed:")?;
        for r in removed {
            writeln!(out, "    - {:?} ({:?})", r.text, r.reason)?;
        }
    }
    Ok(())
}

pub fn print_rejected(out: &mut impl Write, rows: &[RejectedRow]) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "nothing was rejected");
    }
    for r in rows {
        let at = match r.record {
            Some(n) => format!("{}:{}", r.source, n),
            None => r.source.clone(),
        };
        writeln!(
            out,
            "{at}: {} ({} bytes, {} kept; run {})",
            r.reason, r.raw_len, r.kept, r.last_run
        )?;
    }
    Ok(())
}
