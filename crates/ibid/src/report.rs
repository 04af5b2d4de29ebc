//! Human-readable reports. Scripts should use `--json`; these are for people.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use ibid_pipeline::{IngestReport, ProcessReport};
use ibid_store::{ArticleRow, Counts, RejectedRow, Store, StoryRow, WarningRow};

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
    if c.warnings > 0 {
        writeln!(
            out,
            "  {} warning(s) about values that could not be used as given: see `ibid rejected --warnings`",
            c.warnings
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
    if c.warnings > 0 {
        writeln!(
            out,
            "warnings    {} (see `ibid rejected --warnings`)",
            c.warnings
        )?;
    }
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

/// A storyline: its stories over time, each with its size, span and first outlet.
pub fn print_storyline(out: &mut impl Write, id: &str, stories: &[StoryRow]) -> io::Result<()> {
    let articles: usize = stories.iter().map(|s| s.articles.len()).sum();
    let lead = stories
        .iter()
        .max_by_key(|s| s.articles.len())
        .and_then(|s| s.title.as_deref())
        .unwrap_or("(untitled)");
    writeln!(out, "{id}  {lead}")?;
    writeln!(
        out,
        "  {} stories, {articles} article(s), {} to {}",
        stories.len(),
        stories
            .first()
            .and_then(|s| s.first_published.as_deref())
            .unwrap_or("-"),
        stories
            .iter()
            .filter_map(|s| s.last_published.as_deref().or(s.first_published.as_deref()))
            .max()
            .unwrap_or("-")
    )?;
    for s in stories {
        writeln!(
            out,
            "    {:<25} {:<22} {:>4} article(s)  {}",
            or_dash(&s.first_published),
            s.id,
            s.articles.len(),
            s.title.as_deref().unwrap_or("(untitled)")
        )?;
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
        ("not an article", &a.kind_reason),
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

pub fn print_warnings(out: &mut impl Write, rows: &[WarningRow]) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no warnings");
    }
    for w in rows {
        let at = match w.record {
            Some(n) => format!("{}:{}", w.source, n),
            None => w.source.clone(),
        };
        writeln!(
            out,
            "{at}: article {}: {} {}: {} (run {})",
            w.article, w.field, w.value, w.message, w.last_run
        )?;
    }
    Ok(())
}

/// Columns a passage's text is wrapped to (after its indent).
const WRAP: usize = 96;
/// How much of a passage `ibid passages` prints.
const PASSAGE_PREVIEW: usize = 160;

/// White space runs (line breaks included) folded to one space, so spans print as prose.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.chars() {
        if ch.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(ch);
        }
    }
    if space && !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn preview(s: &str, max: usize) -> String {
    let s = fold(s);
    let s = s.trim();
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    } else {
        s.to_string()
    }
}

fn occurrence_line(label: &str, o: &crate::passages::Occurrence) -> String {
    format!(
        "{label:<7} {}  {}  {}  [{}, {})  {}",
        o.article,
        or_dash(&o.outlet),
        or_dash(&o.published),
        o.start,
        o.end,
        o.title.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_string()
}

/// One line per passage cluster (id, reach, source) and the start of its source text.
pub fn print_passages(
    out: &mut impl Write,
    passages: &[crate::passages::PassageSummary],
) -> io::Result<()> {
    if passages.is_empty() {
        return writeln!(out, "no shared passages");
    }
    for p in passages {
        let outlets = if p.outlets.is_empty() {
            String::new()
        } else {
            format!(", {} outlets: {}", p.outlets.len(), p.outlets.join(", "))
        };
        let boiler = if p.outlet_boilerplate {
            "  [outlet boilerplate]"
        } else {
            ""
        };
        writeln!(out, "{}  {} articles{outlets}{boiler}", p.id, p.articles)?;
        writeln!(out, "  {}", occurrence_line("source", &p.source))?;
        writeln!(out, "    {}", preview(&p.source.text, PASSAGE_PREVIEW))?;
    }
    Ok(())
}

/// How a diff is marked up: ANSI colour for a terminal, `[-cut-]` / `{+added+}` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// `[-cut-]` and `{+added+}`, as `git diff --word-diff=plain` does.
    Plain,
    /// Red struck-through cuts, green additions.
    Colour,
}

impl Markup {
    fn cut(self, s: &str) -> String {
        match self {
            Markup::Plain => format!("[-{s}-]"),
            Markup::Colour => Self::paint(s, "31;9"),
        }
    }

    fn added(self, s: &str) -> String {
        match self {
            Markup::Plain => format!("{{+{s}+}}"),
            Markup::Colour => Self::paint(s, "32"),
        }
    }

    /// Colours word by word, so a line break inside a marked run never carries the colour
    /// into the next line's indent.
    fn paint(s: &str, sgr: &str) -> String {
        s.split(' ')
            .map(|w| format!("\x1b[{sgr}m{w}\x1b[0m"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Renders a word diff on one line: separators stay outside the markup so `[-a b-]` reads as
/// words, not as words glued to spaces.
pub fn render_diff(ops: &[ibid_align::DiffOp], markup: Markup) -> String {
    use ibid_align::DiffOp;
    let mut r = Rendered::default();
    for op in ops {
        match op {
            DiffOp::Equal { text } => r.push(text, None),
            DiffOp::Delete { text } => r.push(text, Some(&|s| markup.cut(s))),
            DiffOp::Insert { text } => r.push(text, Some(&|s| markup.added(s))),
            DiffOp::Replace { from, to } => {
                r.push(from, Some(&|s| markup.cut(s)));
                r.glue = true;
                r.push(to, Some(&|s| markup.added(s)));
            }
        }
    }
    r.out.trim().to_string()
}

/// A diff being rendered. Each step carries the separators of the text it came from, so
/// where an addition meets the source's words the space between them may be on neither side:
/// it is put back between two words (not before punctuation such as `’s` or `,`).
#[derive(Default)]
struct Rendered {
    out: String,
    /// Last visible character written (markup and escapes aside).
    last: Option<char>,
    /// The next piece follows the previous one directly (the two halves of a replacement).
    glue: bool,
}

impl Rendered {
    fn push(&mut self, text: &str, mark: Option<&dyn Fn(&str) -> String>) {
        let folded = fold(text);
        let body = folded.trim();
        let Some(first) = body.chars().next() else {
            return;
        };
        let lead = folded.starts_with(' ');
        let opens = |c: char| c.is_alphanumeric() || "“‘\"([«".contains(c);
        let after_opening = self.last.is_some_and(|c| "“‘\"([«".contains(c));
        if !std::mem::take(&mut self.glue)
            && (lead || (opens(first) && !after_opening))
            && self.last.is_some_and(|c| c != ' ')
        {
            self.out.push(' ');
        }
        match mark {
            Some(f) => self.out.push_str(&f(body)),
            None => self.out.push_str(body),
        }
        self.last = body.chars().last();
        if folded.ends_with(' ') && body.len() + usize::from(lead) < folded.len() {
            self.out.push(' ');
            self.last = Some(' ');
        }
    }
}

/// Greedy word wrap to `width` visible columns; ANSI escapes take no room.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let visible = |s: &str| {
        let mut n = 0;
        let mut esc = false;
        for ch in s.chars() {
            match (esc, ch) {
                (false, '\x1b') => esc = true,
                (true, 'm') => esc = false,
                (true, _) => {}
                (false, _) => n += 1,
            }
        }
        n
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = visible(word);
        if len > 0 && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A passage: its source text, then each copy with its word diff against the source.
pub fn print_passage(
    out: &mut impl Write,
    p: &crate::passages::PassageDetail,
    markup: Markup,
) -> io::Result<()> {
    let boiler = if p.outlet_boilerplate {
        "  [outlet boilerplate]"
    } else {
        ""
    };
    writeln!(
        out,
        "{}  {} copies of the source{boiler}",
        p.id,
        p.copies.len()
    )?;
    writeln!(out, "{}", occurrence_line("source", &p.source))?;
    for l in wrap(&fold(&p.source.text), WRAP) {
        writeln!(out, "    {l}")?;
    }
    for c in &p.copies {
        let s = &c.stats;
        writeln!(out)?;
        writeln!(out, "{}", occurrence_line("copy", &c.at))?;
        writeln!(
            out,
            "    similarity {:.2}: {} words kept, {} cut, {} added, {} replaced by {}",
            s.similarity, s.equal, s.cut, s.added, s.replaced_from, s.replaced_to
        )?;
        for l in wrap(&render_diff(&c.diff, markup), WRAP) {
            writeln!(out, "    {l}")?;
        }
    }
    if markup == Markup::Plain && !p.copies.is_empty() {
        writeln!(out, "\n[-cut from the source-]  {{+added by the copy+}}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_markup_keeps_words_apart_and_colour_per_word() {
        let ops = ibid_align::word_diff(
            "Officials said the bridge, once again, delayed the plans.",
            "The bridge once again delayed the plans of harbour towns.",
        );
        let plain = render_diff(&ops, Markup::Plain);
        assert_eq!(
            plain,
            "[-Officials said-] the bridge, once again, delayed the plans {+of harbour towns+}.",
            "{ops:?}"
        );
        let colour = render_diff(&ops, Markup::Colour);
        assert!(
            colour.contains("\x1b[32mharbour\x1b[0m \x1b[32mtowns\x1b[0m"),
            "{colour:?}"
        );
        // Wrapping ignores escapes and never splits a word.
        for line in wrap(&colour, 20) {
            assert!(line.split(' ').all(|w| !w.is_empty()));
        }
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
    }
}
