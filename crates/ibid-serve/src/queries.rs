//! The server's own read-only SQL over the store's tables (see ibid-store's schema). Lists are
//! paged in SQL; id lists are passed as one JSON array and expanded with `json_each`, so every
//! statement is a fixed string that SQLite can cache.

use std::collections::HashMap;

use ibid_store::{AlignmentRow, QuoteRow, ALIGNMENT_COLUMNS};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::Failure;

type R<T> = Result<T, Failure>;

/// One line of the story list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StorySummary {
    /// Story id.
    pub(crate) id: String,
    /// Title of its most central article.
    pub(crate) title: Option<String>,
    /// Earliest trusted publication time (RFC 3339).
    pub(crate) first_published: Option<String>,
    /// Latest trusted publication time (RFC 3339).
    pub(crate) last_published: Option<String>,
    /// Outlet that published first.
    pub(crate) first_outlet: Option<String>,
    /// Number of articles.
    pub(crate) articles: i64,
    /// Number of distinct outlets.
    pub(crate) outlets: i64,
    /// Storyline id.
    pub(crate) storyline: Option<String>,
}

/// How to order the story list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StorySort {
    /// By number of articles.
    Size,
    /// By first publication time.
    FirstSeen,
}

/// Which stories to list.
#[derive(Debug, Clone)]
pub(crate) struct StoryFilter {
    /// Stories still running at or after this time (Unix seconds).
    pub(crate) from: Option<i64>,
    /// Stories that started before this time (Unix seconds).
    pub(crate) to: Option<i64>,
    /// Stories with an article from this outlet.
    pub(crate) outlet: Option<String>,
    /// Stories with an article mentioning this entity id.
    pub(crate) entity: Option<String>,
    /// Order.
    pub(crate) sort: StorySort,
    /// Descending.
    pub(crate) desc: bool,
    /// Page size.
    pub(crate) limit: usize,
    /// Rows skipped.
    pub(crate) offset: usize,
}

const STORY_WHERE: &str = "
    (?1 IS NULL OR unixepoch(COALESCE(s.last_published, s.first_published)) >= ?1)
    AND (?2 IS NULL OR unixepoch(s.first_published) < ?2)
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(s.outlets) o
                               WHERE instr(lower(o.value), lower(?3)) > 0))
    AND (?4 IS NULL OR s.id IN (SELECT sm.story FROM mentions m
                                JOIN story_members sm ON sm.article_id = m.article
                                WHERE m.entity = ?4))";

/// A page of stories and the number that match; unfiltered lists come from `caches`, where
/// they are valid while `mark` (the last change of derived data, read before this
/// transaction began) stays the same.
pub(crate) fn stories_cached(
    conn: &Connection,
    f: &StoryFilter,
    caches: &crate::cache::Caches,
    mark: u64,
) -> R<(usize, Vec<StorySummary>)> {
    let unfiltered = f.from.is_none() && f.to.is_none() && f.outlet.is_none() && f.entity.is_none();
    if !unfiltered {
        return stories(conn, f);
    }
    let slot =
        &caches.story_lists[usize::from(f.sort == StorySort::FirstSeen) * 2 + usize::from(f.desc)];
    let all = match slot.get(mark) {
        Some(all) => all,
        None => {
            let everything = StoryFilter {
                limit: i64::MAX as usize,
                offset: 0,
                ..f.clone()
            };
            slot.put(mark, stories(conn, &everything)?.1)
        }
    };
    let page = all.iter().skip(f.offset).take(f.limit).cloned().collect();
    Ok((all.len(), page))
}

/// A page of stories and the number that match.
pub(crate) fn stories(conn: &Connection, f: &StoryFilter) -> R<(usize, Vec<StorySummary>)> {
    let count_sql = format!("SELECT COUNT(*) FROM stories s WHERE {STORY_WHERE}");
    let total: i64 = conn
        .prepare_cached(&count_sql)?
        .query_row(params![f.from, f.to, f.outlet, f.entity], |r| r.get(0))?;
    let dir = if f.desc { "DESC" } else { "ASC" };
    let order = match f.sort {
        StorySort::Size => format!(
            "json_array_length(s.articles) {dir}, s.first_published IS NULL, unixepoch(s.first_published), s.id"
        ),
        StorySort::FirstSeen => format!(
            "s.first_published IS NULL, unixepoch(s.first_published) {dir}, json_array_length(s.articles) DESC, s.id"
        ),
    };
    let sql = format!(
        "SELECT s.id, s.title, s.first_published, s.last_published, s.first_outlet,
                json_array_length(s.articles), json_array_length(s.outlets), s.storyline
         FROM stories s WHERE {STORY_WHERE} ORDER BY {order} LIMIT ?5 OFFSET ?6"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            f.from,
            f.to,
            f.outlet,
            f.entity,
            f.limit as i64,
            f.offset as i64
        ],
        story_summary,
    )?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

fn story_summary(r: &Row<'_>) -> rusqlite::Result<StorySummary> {
    Ok(StorySummary {
        id: r.get(0)?,
        title: r.get(1)?,
        first_published: r.get(2)?,
        last_published: r.get(3)?,
        first_outlet: r.get(4)?,
        articles: r.get(5)?,
        outlets: r.get(6)?,
        storyline: r.get(7)?,
    })
}

/// One story's summary.
pub(crate) fn story(conn: &Connection, id: &str) -> R<Option<StorySummary>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.title, s.first_published, s.last_published, s.first_outlet,
                    json_array_length(s.articles), json_array_length(s.outlets), s.storyline
             FROM stories s WHERE s.id = ?1",
        )?
        .query_row([id], story_summary)
        .optional()?)
}

/// Publication times (RFC 3339) of each listed story's articles, for sparklines; undated
/// articles are left out.
pub(crate) fn story_times(conn: &Connection, ids: &[String]) -> R<HashMap<String, Vec<String>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.story, c.published
         FROM story_members m
         JOIN current_articles a ON a.id = m.article_id
         JOIN cleaned c ON c.article = a.rowid
         WHERE m.story IN (SELECT value FROM json_each(?1)) AND c.published IS NOT NULL",
    )?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut rows = stmt.query([serde_json::to_string(ids)?])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(out)
}

/// What lists show about an article.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArticleMeta {
    /// Article id.
    pub(crate) id: String,
    /// Headline.
    pub(crate) title: Option<String>,
    /// Outlet.
    pub(crate) outlet: Option<String>,
    /// Trusted publication time (RFC 3339).
    pub(crate) published: Option<String>,
    /// `day` or `time`.
    pub(crate) published_precision: Option<String>,
    /// URL from the input.
    pub(crate) url: Option<String>,
    /// Author(s).
    pub(crate) author: Option<String>,
    /// The article this one duplicates, if any.
    pub(crate) duplicate_of: Option<String>,
    /// Size of its duplicate group minus one.
    pub(crate) copies: i64,
    /// Story id.
    pub(crate) story: Option<String>,
    /// Length of the cleaned text in characters.
    pub(crate) chars: i64,
    /// The first characters of the cleaned text (a stand-in for a missing title).
    pub(crate) lede: String,
    /// Id of its duplicate group's original (itself for an original with copies).
    pub(crate) group: Option<String>,
    /// Why the page is not an article (null for an article).
    pub(crate) non_article: Option<String>,
}

const META_SELECT: &str = "
    SELECT a.id, IIF(c.article IS NULL, a.title, c.title), COALESCE(c.outlet, a.outlet), c.published,
           c.published_precision, a.url, COALESCE(c.author, a.author), d.duplicate_of,
           COALESCE(d.copies, 0), m.story, COALESCE(length(c.text), 0),
           COALESCE(substr(c.text, 1, 160), ''), d.group_id, c.non_article
    FROM current_articles a
    LEFT JOIN cleaned c ON c.article = a.rowid
    LEFT JOIN dedup d ON d.article_id = a.id
    LEFT JOIN story_members m ON m.article_id = a.id";

fn article_meta(r: &Row<'_>) -> rusqlite::Result<ArticleMeta> {
    Ok(ArticleMeta {
        id: r.get(0)?,
        title: r.get(1)?,
        outlet: r.get(2)?,
        published: r.get(3)?,
        published_precision: r.get(4)?,
        url: r.get(5)?,
        author: r.get(6)?,
        duplicate_of: r.get(7)?,
        copies: r.get(8)?,
        story: r.get(9)?,
        chars: r.get(10)?,
        lede: r.get(11)?,
        group: r.get(12)?,
        non_article: r.get(13)?,
    })
}

/// The articles of a story, earliest first (undated last).
pub(crate) fn story_articles(conn: &Connection, story: &str) -> R<Vec<ArticleMeta>> {
    let sql = format!(
        "{META_SELECT} WHERE a.id IN (SELECT article_id FROM story_members WHERE story = ?1)
         ORDER BY c.published IS NULL, unixepoch(c.published), a.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([story], article_meta)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Metadata of the given articles, by id (unknown ids are absent).
pub(crate) fn articles_by_id(conn: &Connection, ids: &[String]) -> R<HashMap<String, ArticleMeta>> {
    let sql = format!("{META_SELECT} WHERE a.id IN (SELECT value FROM json_each(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([serde_json::to_string(ids)?], article_meta)?;
    let mut out = HashMap::new();
    for r in rows {
        let m = r?;
        out.insert(m.id.clone(), m);
    }
    Ok(out)
}

/// A page of articles, newest first, optionally from one outlet.
pub(crate) fn articles(
    conn: &Connection,
    outlet: Option<&str>,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<ArticleMeta>)> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM current_articles a LEFT JOIN cleaned c ON c.article = a.rowid
             WHERE ?1 IS NULL OR instr(lower(COALESCE(c.outlet, a.outlet)), lower(?1)) > 0",
        )?
        .query_row([outlet], |r| r.get(0))?;
    let sql = format!(
        "{META_SELECT} WHERE ?1 IS NULL OR instr(lower(COALESCE(c.outlet, a.outlet)), lower(?1)) > 0
         ORDER BY c.published IS NULL, unixepoch(c.published) DESC, a.id LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![outlet, limit as i64, offset as i64], article_meta)?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// The copies of an original (articles whose `duplicate_of` it is), earliest first.
pub(crate) fn copies_of(conn: &Connection, original: &str) -> R<Vec<ArticleMeta>> {
    let sql = format!(
        "{META_SELECT} WHERE a.id IN (SELECT article_id FROM dedup WHERE duplicate_of = ?1)
         ORDER BY c.published IS NULL, unixepoch(c.published), a.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([original], article_meta)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An article's entity mentions, in text order.
pub(crate) fn article_mentions(
    conn: &Connection,
    article: &str,
) -> R<Vec<crate::model::ArticleMention>> {
    let mut stmt = conn.prepare_cached(
        r#"SELECT m.entity, e.name, e.type, m.text, m.start, m."end"
           FROM mentions m JOIN entities e ON e.id = m.entity
           WHERE m.article = ?1 ORDER BY m.start"#,
    )?;
    let rows = stmt.query_map([article], |r| {
        Ok(crate::model::ArticleMention {
            entity: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            text: r.get(3)?,
            start: r.get(4)?,
            end: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Passages shared by the given articles (either side), longest first, and how many there are.
pub(crate) fn alignments_touching(
    conn: &Connection,
    ids: &[String],
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<AlignmentRow>)> {
    let ids = serde_json::to_string(ids)?;
    // Pairs of one duplicate group are whole-article copies, shown as copies, not passages.
    let filter =
        "(a IN (SELECT value FROM json_each(?1)) OR b IN (SELECT value FROM json_each(?1)))
        AND NOT EXISTS (SELECT 1 FROM dedup da JOIN dedup db ON db.group_id = da.group_id
                        WHERE da.article_id = alignments.a AND db.article_id = alignments.b
                          AND (da.duplicate_of IS NOT NULL OR db.duplicate_of IS NOT NULL))";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM alignments WHERE {filter}"))?
        .query_row([&ids], |r| r.get(0))?;
    let sql = format!(
        "SELECT {ALIGNMENT_COLUMNS} FROM alignments WHERE {filter}
         ORDER BY (a_end - a_start) + (b_end - b_start) DESC, a, a_start, b, b_start
         LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![ids, limit as i64, offset as i64],
        AlignmentRow::from_row,
    )?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// Quotes in the given articles, in text order per article; `speaker` narrows to one speaker,
/// `min_confidence` leaves out less confident ones (see `ibid_store::LISTED_CONFIDENCE`).
pub(crate) fn quotes_in(
    conn: &Connection,
    ids: &[String],
    speaker: Option<&str>,
    min_confidence: f64,
) -> R<Vec<QuoteRow>> {
    let mut stmt = conn.prepare_cached(
        r#"SELECT article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence
           FROM quotes WHERE article IN (SELECT value FROM json_each(?1))
             AND (?2 IS NULL OR speaker = ?2) AND confidence >= ?3
           ORDER BY article, start"#,
    )?;
    let rows = stmt.query_map(
        params![serde_json::to_string(ids)?, speaker, min_confidence],
        QuoteRow::from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A page of all quotes (optionally by one speaker, from `min_confidence`) and how many
/// match.
pub(crate) fn quotes_page(
    conn: &Connection,
    speaker: Option<&str>,
    min_confidence: f64,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<QuoteRow>)> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM quotes WHERE (?1 IS NULL OR speaker = ?1) AND confidence >= ?2",
        )?
        .query_row(params![speaker, min_confidence], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        r#"SELECT article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence
           FROM quotes WHERE (?1 IS NULL OR speaker = ?1) AND confidence >= ?4
           ORDER BY article, start LIMIT ?2 OFFSET ?3"#,
    )?;
    let rows = stmt.query_map(
        params![speaker, limit as i64, offset as i64, min_confidence],
        QuoteRow::from_row,
    )?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// A `LIKE` pattern matching `s` anywhere, with `%`, `_` and `\` taken literally.
fn like_anywhere(s: &str) -> String {
    format!(
        "%{}%",
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// How a quote search names its speaker.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Speaker<'a> {
    /// This canonical name exactly.
    Exact(&'a str),
    /// Names containing this (case-insensitive for ASCII).
    Part(&'a str),
}

/// A page of quotes by `speaker` whose text contains `text` (case-insensitive for ASCII;
/// either may be absent) from `min_confidence` up, newest article first, and how many match.
pub(crate) fn quotes_search(
    conn: &Connection,
    speaker: Option<Speaker<'_>>,
    text: Option<&str>,
    min_confidence: f64,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<QuoteRow>)> {
    // An exact name is a LIKE pattern with its wildcards escaped.
    let sp = speaker.map(|s| match s {
        Speaker::Exact(n) => like_anywhere(n).trim_matches('%').to_string(),
        Speaker::Part(n) => like_anywhere(n),
    });
    let tx = text.map(like_anywhere);
    let filter = r"(?1 IS NULL OR q.speaker LIKE ?1 ESCAPE '\') AND (?2 IS NULL OR q.text LIKE ?2 ESCAPE '\') AND q.confidence >= ?5";
    let total: i64 = conn
        // Bound by number, so the count takes the page's parameters too (?3 and ?4 unused).
        .prepare_cached(&format!("SELECT COUNT(*) FROM quotes q WHERE {filter}"))?
        .query_row(
            params![sp, tx, limit as i64, offset as i64, min_confidence],
            |r| r.get(0),
        )?;
    let mut stmt = conn.prepare_cached(&format!(
        r#"SELECT q.article, q.start, q."end", q.text, q.speaker, q.speaker_start, q.speaker_end,
                  q.direct, q.statement, q.confidence
           FROM quotes q
           LEFT JOIN current_articles a ON a.id = q.article
           LEFT JOIN cleaned c ON c.article = a.rowid
           WHERE {filter}
           ORDER BY c.published IS NULL, unixepoch(c.published) DESC, q.article, q.start
           LIMIT ?3 OFFSET ?4"#
    ))?;
    let rows = stmt.query_map(
        params![sp, tx, limit as i64, offset as i64, min_confidence],
        QuoteRow::from_row,
    )?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// Speakers whose name contains `q`, most quoted first (suggestions for the quotes page).
pub(crate) fn speakers_like(conn: &Connection, q: &str, limit: usize) -> R<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        r"SELECT speaker, COUNT(*) FROM quotes WHERE speaker LIKE ?1 ESCAPE '\'
          GROUP BY speaker ORDER BY COUNT(*) DESC, speaker LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![like_anywhere(q), limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stories of a storyline, in order of first publication (undated last).
pub(crate) fn storyline_stories(conn: &Connection, id: &str) -> R<Vec<StorySummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.title, s.first_published, s.last_published, s.first_outlet,
                json_array_length(s.articles), json_array_length(s.outlets), s.storyline
         FROM stories s WHERE s.storyline = ?1
         ORDER BY s.first_published IS NULL, unixepoch(s.first_published), s.id",
    )?;
    let rows = stmt.query_map([id], story_summary)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Number of stories in each of the given storylines.
pub(crate) fn storyline_sizes(conn: &Connection, ids: &[String]) -> R<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT storyline, COUNT(*) FROM stories
         WHERE storyline IN (SELECT value FROM json_each(?1)) GROUP BY storyline",
    )?;
    let rows = stmt.query_map([serde_json::to_string(ids)?], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One shared passage as the passages page lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PassageSummary {
    /// Passage id (`p-ARTICLE:START-END`, the earliest occurrence).
    pub(crate) id: String,
    /// Distinct articles holding it.
    pub(crate) articles: i64,
    /// Distinct outlets among them.
    pub(crate) outlets: i64,
}

/// Shared passages carried by at least two outlets, most widely shared first, and how many
/// there are.
pub(crate) fn passages_page(
    conn: &Connection,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<PassageSummary>)> {
    let base = "SELECT p.passage, COUNT(DISTINCT p.art) AS n,
                       COUNT(DISTINCT COALESCE(c.outlet, a.outlet)) AS o
                FROM (SELECT passage, a AS art FROM alignments WHERE passage IS NOT NULL
                      UNION SELECT passage, b FROM alignments WHERE passage IS NOT NULL) p
                LEFT JOIN current_articles a ON a.id = p.art
                LEFT JOIN cleaned c ON c.article = a.rowid
                GROUP BY p.passage HAVING o >= 2";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM ({base})"))?
        .query_row([], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "{base} ORDER BY n DESC, o DESC, p.passage LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt.query_map(params![limit as i64, offset as i64], |r| {
        Ok(PassageSummary {
            id: r.get(0)?,
            articles: r.get(1)?,
            outlets: r.get(2)?,
        })
    })?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// Every aligned pair of one passage.
pub(crate) fn passage_pairs(conn: &Connection, id: &str) -> R<Vec<AlignmentRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ALIGNMENT_COLUMNS} FROM alignments WHERE passage = ?1 ORDER BY a, a_start, b, b_start"
    ))?;
    let rows = stmt.query_map([id], AlignmentRow::from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Outlets whose name contains `q` (case-insensitive), most articles first: suggestions when
/// an outlet filter matches nothing or several.
pub(crate) fn outlets_like(conn: &Connection, q: &str, limit: usize) -> R<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(c.outlet, a.outlet) AS o, COUNT(*) FROM current_articles a
         LEFT JOIN cleaned c ON c.article = a.rowid
         WHERE o IS NOT NULL AND instr(lower(o), lower(?1)) > 0
         GROUP BY o ORDER BY COUNT(*) DESC, o LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![q, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An entity with how often it is mentioned (in some set of articles, or overall).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntityCount {
    /// Entity id.
    pub(crate) id: String,
    /// Canonical name.
    pub(crate) name: String,
    /// `PER`, `ORG` or `LOC`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// Surface forms seen.
    pub(crate) variants: Vec<String>,
    /// Mentions.
    pub(crate) mentions: i64,
    /// Distinct articles mentioning it.
    pub(crate) articles: i64,
}

fn entity_count(r: &Row<'_>) -> rusqlite::Result<(EntityCount, String)> {
    Ok((
        EntityCount {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            variants: Vec::new(),
            mentions: r.get(4)?,
            articles: r.get(5)?,
        },
        r.get(3)?,
    ))
}

fn with_variants(rows: Vec<(EntityCount, String)>) -> R<Vec<EntityCount>> {
    rows.into_iter()
        .map(|(mut e, v)| {
            e.variants = serde_json::from_str(&v)?;
            Ok(e)
        })
        .collect()
}

/// Entities mentioned in the given articles, most widespread first, at most `limit`.
///
/// Counted over `mentions` alone and joined to `entities` only for the rows kept: a big story
/// mentions thousands of entities, and reading each one's variants to drop it is most of the
/// cost of its page.
pub(crate) fn entities_in(conn: &Connection, ids: &[String], limit: usize) -> R<Vec<EntityCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.name, e.type, e.variants, n.mentions, n.articles
         FROM (SELECT m.entity, COUNT(*) AS mentions, COUNT(DISTINCT m.article) AS articles
               FROM mentions m WHERE m.article IN (SELECT value FROM json_each(?1))
               GROUP BY m.entity) n
         JOIN entities e ON e.id = n.entity
         ORDER BY n.articles DESC, n.mentions DESC, e.name LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![serde_json::to_string(ids)?, limit as i64],
        entity_count,
    )?;
    with_variants(rows.collect::<Result<_, _>>()?)
}

/// A page of entities, most mentioned first, filtered by name and type.
pub(crate) fn entities(
    conn: &Connection,
    q: Option<&str>,
    kind: Option<&str>,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<EntityCount>)> {
    let like = q.map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let filter = "(?1 IS NULL OR e.name LIKE ?1 ESCAPE '\\' OR e.variants LIKE ?1 ESCAPE '\\')
                  AND (?2 IS NULL OR e.type = ?2)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM entities e WHERE {filter}"))?
        .query_row(params![like, kind], |r| r.get(0))?;
    let sql = format!(
        "SELECT e.id, e.name, e.type, e.variants, COALESCE(n.mentions, 0), COALESCE(n.articles, 0)
         FROM entities e
         LEFT JOIN (SELECT entity, COUNT(*) AS mentions, COUNT(DISTINCT article) AS articles
                    FROM mentions GROUP BY entity) n ON n.entity = e.id
         WHERE {filter}
         ORDER BY COALESCE(n.articles, 0) DESC, COALESCE(n.mentions, 0) DESC, e.name
         LIMIT ?3 OFFSET ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![like, kind, limit as i64, offset as i64],
        entity_count,
    )?;
    Ok((
        total as usize,
        with_variants(rows.collect::<Result<_, _>>()?)?,
    ))
}

/// One entity with its counts.
pub(crate) fn entity(conn: &Connection, id: &str) -> R<Option<EntityCount>> {
    let row = conn
        .prepare_cached(
            "SELECT e.id, e.name, e.type, e.variants,
                    (SELECT COUNT(*) FROM mentions WHERE entity = e.id),
                    (SELECT COUNT(DISTINCT article) FROM mentions WHERE entity = e.id)
             FROM entities e WHERE e.id = ?1",
        )?
        .query_row([id], entity_count)
        .optional()?;
    Ok(with_variants(row.into_iter().collect())?.pop())
}

/// One mention of an entity.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Mention {
    /// Article id.
    pub(crate) article: String,
    /// Span start (code points into the original text).
    pub(crate) start: i64,
    /// Span end.
    pub(crate) end: i64,
    /// The text as it stands.
    pub(crate) text: String,
}

/// A page of an entity's mentions, by article, and how many there are.
pub(crate) fn mentions(
    conn: &Connection,
    entity: &str,
    limit: usize,
    offset: usize,
) -> R<(usize, Vec<Mention>)> {
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM mentions WHERE entity = ?1")?
        .query_row([entity], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        r#"SELECT article, start, "end", text FROM mentions WHERE entity = ?1
           ORDER BY article, start LIMIT ?2 OFFSET ?3"#,
    )?;
    let rows = stmt.query_map(params![entity, limit as i64, offset as i64], |r| {
        Ok(Mention {
            article: r.get(0)?,
            start: r.get(1)?,
            end: r.get(2)?,
            text: r.get(3)?,
        })
    })?;
    Ok((total as usize, rows.collect::<Result<_, _>>()?))
}

/// Stories whose articles mention an entity, with the number of such articles, most first.
pub(crate) fn entity_stories(
    conn: &Connection,
    entity: &str,
    limit: usize,
) -> R<Vec<(StorySummary, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.title, s.first_published, s.last_published, s.first_outlet,
                json_array_length(s.articles), json_array_length(s.outlets), s.storyline, x.n
         FROM (SELECT sm.story, COUNT(DISTINCT m.article) AS n FROM mentions m
               JOIN story_members sm ON sm.article_id = m.article
               WHERE m.entity = ?1 GROUP BY sm.story) x
         JOIN stories s ON s.id = x.story
         ORDER BY x.n DESC, json_array_length(s.articles) DESC, s.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![entity, limit as i64], |r| {
        Ok((story_summary(r)?, r.get(8)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Row ids of the full-text matches of an FTS5 query, newest stored first, at most `cap` of
/// them: one walk of the index backwards by row id gives both the (capped) count and where the
/// window of the most recent matches begins, so a query matching most of the store costs no
/// more than one matching `cap` articles.
pub(crate) fn search_newest(conn: &Connection, fts_query: &str, cap: usize) -> R<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![fts_query, cap as i64], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A page of matches with row id at least `min_rowid`, best BM25 first (titles weigh five
/// times the text), as (row id, score; higher is better).
pub(crate) fn search_ranked(
    conn: &Connection,
    fts_query: &str,
    min_rowid: i64,
    limit: usize,
    offset: usize,
) -> R<Vec<(i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, bm25(articles_fts, 0.0, 5.0, 1.0) FROM articles_fts
         WHERE articles_fts MATCH ?1 AND rowid >= ?2
         ORDER BY bm25(articles_fts, 0.0, 5.0, 1.0), rowid DESC LIMIT ?3 OFFSET ?4",
    )?;
    let rows = stmt.query_map(
        params![fts_query, min_rowid, limit as i64, offset as i64],
        |r| Ok((r.get(0)?, -r.get::<_, f64>(1)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// BM25 scores (higher is better, as [`search_ranked`]) of all matches with row id at least
/// `min_rowid`, in no order.
pub(crate) fn search_scores(
    conn: &Connection,
    fts_query: &str,
    min_rowid: i64,
) -> R<Vec<(i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, bm25(articles_fts, 0.0, 5.0, 1.0) FROM articles_fts
         WHERE articles_fts MATCH ?1 AND rowid >= ?2",
    )?;
    let rows = stmt.query_map(params![fts_query, min_rowid], |r| {
        Ok((r.get(0)?, -r.get::<_, f64>(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a search hit shows besides its snippet, by FTS row id (the article version's row id).
pub(crate) struct HitRow {
    /// Article id.
    pub(crate) id: String,
    /// Title as indexed.
    pub(crate) title: Option<String>,
    /// Indexed (cleaned) text, for the snippet.
    pub(crate) text: String,
    /// Outlet.
    pub(crate) outlet: Option<String>,
    /// Trusted publication time.
    pub(crate) published: Option<String>,
    /// Story id.
    pub(crate) story: Option<String>,
    /// Its duplicate group's original.
    pub(crate) group: Option<String>,
    /// Other articles in its duplicate group.
    pub(crate) copies: i64,
}

/// One hit's fields, or `None` if the row vanished.
pub(crate) fn search_hit(conn: &Connection, rowid: i64) -> R<Option<HitRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT f.id, f.title, f.text, COALESCE(c.outlet, a.outlet), c.published, m.story,
                    d.group_id, COALESCE(d.copies, 0)
             FROM articles_fts f
             LEFT JOIN articles a ON a.rowid = f.rowid
             LEFT JOIN cleaned c ON c.article = f.rowid
             LEFT JOIN story_members m ON m.article_id = f.id
             LEFT JOIN dedup d ON d.article_id = f.id
             WHERE f.rowid = ?1",
        )?
        .query_row([rowid], |r| {
            Ok(HitRow {
                id: r.get(0)?,
                title: r.get(1)?,
                text: r.get(2)?,
                outlet: r.get(3)?,
                published: r.get(4)?,
                story: r.get(5)?,
                group: r.get(6)?,
                copies: r.get(7)?,
            })
        })
        .optional()?)
}

/// FTS5's own snippet of one match (for hits whose text the quick snippet finds no word in).
pub(crate) fn search_fts_snippet(conn: &Connection, fts_query: &str, rowid: i64) -> R<String> {
    Ok(conn
        .prepare_cached(
            "SELECT snippet(articles_fts, 2, '[', ']', '…', 12) FROM articles_fts
             WHERE articles_fts MATCH ?1 AND rowid = ?2",
        )?
        .query_row(params![fts_query, rowid], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Outlets with their article counts, most articles first (for the filter's suggestions).
pub(crate) fn outlets(conn: &Connection, limit: usize) -> R<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(c.outlet, a.outlet) AS o, COUNT(*) FROM current_articles a
         LEFT JOIN cleaned c ON c.article = a.rowid
         WHERE o IS NOT NULL GROUP BY o ORDER BY COUNT(*) DESC, o LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The code points `start..end` of `text` (spans in the store count code points).
pub(crate) fn slice_chars(text: &str, start: i64, end: i64) -> String {
    let start = start.max(0) as usize;
    let end = end.max(0) as usize;
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(n: i64) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, text,
                 tokenize = 'unicode61 remove_diacritics 2');",
        )
        .unwrap();
        for i in 1..=n {
            // Every row says "common"; every tenth also says "rare", in its title.
            let title = if i % 10 == 0 { "rare news" } else { "news" };
            c.execute(
                "INSERT INTO articles_fts (rowid, id, title, text) VALUES (?1, ?2, ?3, 'a common word')",
                params![i, format!("a{i}"), title],
            )
            .unwrap();
        }
        c
    }

    #[test]
    fn search_counts_stop_at_the_cap_and_windows_take_the_newest() {
        let c = fts(50);
        assert_eq!(search_newest(&c, "\"common\"", 1000).unwrap().len(), 50);
        let capped = search_newest(&c, "\"common\"", 20).unwrap();
        assert_eq!(capped.len(), 20, "capped");
        assert_eq!(capped[0], 50, "newest first");
        assert_eq!(capped[9], 41);
        assert_eq!(search_newest(&c, "\"rare\"", 1000).unwrap().len(), 5);
        let ranked = search_ranked(&c, "\"common\"", 41, 100, 0).unwrap();
        assert_eq!(ranked.len(), 10, "only the window is ranked");
        assert!(ranked.iter().all(|(rowid, _)| *rowid >= 41));
        let ranked = search_ranked(&c, "\"rare\" OR \"common\"", i64::MIN, 3, 0).unwrap();
        assert_eq!(ranked.len(), 3);
        assert!(
            ranked.iter().all(|(rowid, _)| rowid % 10 == 0),
            "title matches rank first: {ranked:?}"
        );
        assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
    }

    #[test]
    fn slices_count_code_points() {
        assert_eq!(slice_chars("aé€b", 1, 3), "é€");
        assert_eq!(slice_chars("abc", 2, 99), "c");
        assert_eq!(slice_chars("abc", 5, 2), "");
        assert_eq!(slice_chars("abc", -4, 1), "a");
    }
}
