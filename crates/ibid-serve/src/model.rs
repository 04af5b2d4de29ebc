//! What the API returns and the pages show, assembled from the store in one read transaction.

use std::collections::{BTreeMap, HashMap};

use ibid_core::RemovedLine;
use ibid_store::{AlignmentRow, ArticleRow, QuoteRow, Store, LISTED_CONFIDENCE};
use serde::Serialize;

use crate::diff::{self, Piece};
use crate::error::Failure;
use crate::queries::{self, ArticleMeta, EntityCount, Mention, StorySummary};
use crate::svg::Buckets;

type R<T> = Result<T, Failure>;

/// A page of a longer list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Page<T> {
    /// How many match in all.
    pub(crate) total: usize,
    /// Page size asked for.
    pub(crate) limit: usize,
    /// Rows skipped.
    pub(crate) offset: usize,
    /// This page.
    pub(crate) items: Vec<T>,
}

/// Passages shown inline on story and article pages and in their API answers.
pub(crate) const INLINE_PASSAGES: usize = 20;

/// A story with everything about it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryDetail {
    /// Summary fields.
    pub(crate) story: StorySummary,
    /// Its articles, earliest first.
    pub(crate) articles: Vec<ArticleMeta>,
    /// Per outlet: articles and first publication.
    pub(crate) outlets: Vec<OutletCoverage>,
    /// Articles per outlet per time bucket.
    pub(crate) coverage: Coverage,
    /// The longest shared passages touching its articles (all of them: `/api/passages`).
    pub(crate) passages: Page<Passage>,
    /// Its quotations, grouped.
    pub(crate) quotes: QuoteGroups,
    /// Entities its articles mention, most widespread first.
    pub(crate) entities: Vec<EntityCount>,
    /// Stories in its storyline (itself included).
    pub(crate) storyline_stories: i64,
}

/// One outlet's part in a story.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutletCoverage {
    /// Outlet name; null for articles without one.
    pub(crate) outlet: Option<String>,
    /// Articles from it.
    pub(crate) articles: usize,
    /// Its earliest trusted publication time.
    pub(crate) first_published: Option<String>,
}

/// Articles per outlet per time bucket.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Coverage {
    /// Start of the first bucket (RFC 3339, UTC); null when no article has a date.
    pub(crate) start: Option<String>,
    /// Bucket width in seconds.
    pub(crate) bucket_seconds: i64,
    /// One row per outlet, in order of first publication.
    pub(crate) rows: Vec<CoverageRow>,
}

/// One outlet's counts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CoverageRow {
    /// Outlet; null for articles without one.
    pub(crate) outlet: Option<String>,
    /// Dated articles per bucket.
    pub(crate) counts: Vec<u32>,
    /// Articles without a trusted date.
    pub(crate) undated: usize,
    /// Publication times (Unix seconds) behind `counts`, for the chart; not serialized.
    #[serde(skip)]
    pub(crate) times: Vec<i64>,
}

/// A passage shared by two articles, with both texts and their word-level differences.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Passage {
    /// Where it is in each article.
    #[serde(flatten)]
    pub(crate) span: AlignmentRow,
    /// The passage in `a`.
    pub(crate) a_text: String,
    /// The passage in `b`.
    pub(crate) b_text: String,
    /// `a`'s outlet, title and story.
    pub(crate) a_meta: Option<ArticleMeta>,
    /// `b`'s outlet, title and story.
    pub(crate) b_meta: Option<ArticleMeta>,
    /// Word-level diff from `a_text` to `b_text`.
    pub(crate) diff: Vec<Piece>,
    /// Share of the two texts' words that the diff keeps, `2 * same / (words a + words b)`:
    /// inserted and cut words count against it (the aligner's `similarity` scores the
    /// aligned stretches only).
    pub(crate) word_similarity: f64,
}

/// `2 * same / (words of a + words of b)` over a word diff.
pub(crate) fn word_similarity(diff: &[Piece]) -> f64 {
    let (mut same, mut a, mut b) = (0usize, 0usize, 0usize);
    for p in diff {
        let n = p.text.split_whitespace().count();
        match p.op {
            diff::Op::Equal => {
                same += n;
                a += n;
                b += n;
            }
            diff::Op::Delete => a += n,
            diff::Op::Insert => b += n,
        }
    }
    if a + b == 0 {
        1.0
    } else {
        2.0 * same as f64 / (a + b) as f64
    }
}

/// A quotation with where it appeared.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Quote {
    /// The stored quote.
    #[serde(flatten)]
    pub(crate) quote: QuoteRow,
    /// Outlet of its article.
    pub(crate) outlet: Option<String>,
    /// Title of its article.
    pub(crate) title: Option<String>,
    /// Publication time of its article.
    pub(crate) published: Option<String>,
    /// Start of its article's text, for pages to name an untitled article by.
    #[serde(skip)]
    pub(crate) lede: String,
}

/// Quotes grouped two ways.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct QuoteGroups {
    /// Number of quotes.
    pub(crate) total: usize,
    /// Number of speakers (groups in `by_speaker` before any cap).
    pub(crate) speakers: usize,
    /// Number of statements (groups in `by_statement` before any cap).
    pub(crate) statements: usize,
    /// Whether groups or quotes were left out (see [`QuoteCaps`]).
    pub(crate) truncated: bool,
    /// By speaker, most quoted first (unattributed quotes under a null speaker, last).
    pub(crate) by_speaker: Vec<SpeakerGroup>,
    /// By statement (renderings of one statement across articles), most repeated first.
    pub(crate) by_statement: Vec<StatementGroup>,
}

/// Everything one speaker is quoted as saying.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SpeakerGroup {
    /// Canonical speaker name; null for unattributed quotes.
    pub(crate) speaker: Option<String>,
    /// Their quotes.
    pub(crate) quotes: Vec<Quote>,
}

/// The renderings of one statement.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StatementGroup {
    /// Statement id.
    pub(crate) statement: String,
    /// Who said it (the most common attribution), if known.
    pub(crate) speaker: Option<String>,
    /// Distinct articles carrying it.
    pub(crate) articles: usize,
    /// Its renderings.
    pub(crate) quotes: Vec<Quote>,
}

/// An article with everything about it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArticleDetail {
    /// The export-contract row (cleaned text, fields, duplicates, story).
    pub(crate) article: ArticleRow,
    /// Removed lines with where they stood and why.
    pub(crate) removed_lines: Vec<RemovedLine>,
    /// Its story.
    pub(crate) story: Option<StorySummary>,
    /// Its quotations.
    pub(crate) quotes: Vec<Quote>,
    /// Entities it mentions.
    pub(crate) entities: Vec<EntityCount>,
    /// The longest passages it shares with other articles.
    pub(crate) passages: Page<Passage>,
    /// Its entity mentions, in text order.
    pub(crate) mentions: Vec<ArticleMention>,
    /// The original of its duplicate group (when it is a copy).
    pub(crate) original: Option<ArticleMeta>,
    /// Its copies (when it is an original), earliest first.
    pub(crate) copies: Vec<ArticleMeta>,
}

/// An entity mention in one article.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArticleMention {
    /// Entity id.
    pub(crate) entity: String,
    /// Entity's canonical name.
    pub(crate) name: String,
    /// `PER`, `ORG` or `LOC`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The mention as written.
    pub(crate) text: String,
    /// Span start (code points of the original text).
    pub(crate) start: i64,
    /// Span end.
    pub(crate) end: i64,
}

/// An entity, the stories that mention it, and a page of its mentions.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntityDetail {
    /// The entity and its counts.
    pub(crate) entity: EntityCount,
    /// Stories mentioning it (up to 100), with how many of their articles do.
    pub(crate) stories: Vec<StoryMentions>,
    /// Its mentions, by article.
    pub(crate) mentions: Page<MentionOut>,
}

/// A story and how many of its articles mention an entity.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryMentions {
    /// The story.
    #[serde(flatten)]
    pub(crate) story: StorySummary,
    /// Its articles that mention the entity.
    pub(crate) mentioning_articles: i64,
}

/// A mention with its article's title and outlet.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MentionOut {
    /// The mention.
    #[serde(flatten)]
    pub(crate) mention: Mention,
    /// Its article's title.
    pub(crate) title: Option<String>,
    /// Its article's outlet.
    pub(crate) outlet: Option<String>,
    /// The sentence it stands in: the text before and after the mention.
    pub(crate) context: Option<MentionContext>,
}

/// The sentence around a mention.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MentionContext {
    /// Text of the sentence before the mention (`…` when cut).
    pub(crate) before: String,
    /// Text of the sentence after it.
    pub(crate) after: String,
}

/// A search result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hit {
    /// Article id.
    pub(crate) id: String,
    /// Title.
    pub(crate) title: Option<String>,
    /// Matching passage; matches are wrapped in `[` `]`.
    pub(crate) snippet: String,
    /// BM25 relevance (higher is better).
    pub(crate) score: f64,
    /// Outlet.
    pub(crate) outlet: Option<String>,
    /// Publication time.
    pub(crate) published: Option<String>,
    /// Story id.
    pub(crate) story: Option<String>,
    /// Its duplicate group's original (wire copies share one).
    pub(crate) group: Option<String>,
    /// Other articles in its duplicate group.
    pub(crate) copies: i64,
    /// Hits of this page from the same duplicate group, folded into this one (ids).
    pub(crate) folded: Vec<String>,
}

/// Search results.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SearchResults {
    /// What was typed.
    pub(crate) query: String,
    /// The FTS5 query it became.
    pub(crate) fts_query: String,
    /// Whether `total` is exact; if not, at least that many match.
    pub(crate) total_exact: bool,
    /// When set, more match than this and the hits were ranked among only this many of them,
    /// the most recently stored (so that every query costs about the same).
    pub(crate) ranked_window: Option<usize>,
    /// The hits.
    #[serde(flatten)]
    pub(crate) page: Page<Hit>,
    /// Phrases whose hits were taken from before the search index last changed (not shown).
    #[serde(skip)]
    pub(crate) stale: Option<StaleTerms>,
}

/// What a search answered from phrase hits built before the index's last change.
#[derive(Debug, Clone)]
pub(crate) struct StaleTerms {
    /// The oldest mark of the hits used: the answer shows the store as of then, no older.
    pub(crate) mark: u64,
    /// The phrases to rebuild.
    pub(crate) phrases: Vec<String>,
}

/// The story `id` from `caches` when built under `mark` (the last change of derived data,
/// read before this transaction began), else built and kept; `None` if there is no such story.
pub(crate) fn story_detail_cached(
    store: &Store,
    id: &str,
    caches: &crate::cache::Caches,
    mark: u64,
) -> R<Option<std::sync::Arc<StoryDetail>>> {
    if let Some(d) = caches.story_details.get(mark, id) {
        return Ok(Some(d));
    }
    Ok(story_detail(store, id)?.map(|d| caches.story_details.put(mark, id, d)))
}

/// The story `id`, or `None`.
pub(crate) fn story_detail(store: &Store, id: &str) -> R<Option<StoryDetail>> {
    let conn = store.connection();
    let Some(story) = queries::story(conn, id)? else {
        return Ok(None);
    };
    let articles = queries::story_articles(conn, id)?;
    let ids: Vec<String> = articles.iter().map(|a| a.id.clone()).collect();
    let (outlets, coverage) = coverage(&articles);
    let passages = passages(store, &ids, INLINE_PASSAGES, 0)?;
    let (bare, fetched) = bare_quotes(store, &ids, &articles, None, LISTED_CONFIDENCE)?;
    let mut quotes = group_quotes(bare, Some(STORY_QUOTE_CAPS));
    let meta = meta_index(&articles, &fetched);
    for g in &mut quotes.by_speaker {
        g.quotes.iter_mut().for_each(|q| attach_meta(q, &meta));
    }
    for g in &mut quotes.by_statement {
        g.quotes.iter_mut().for_each(|q| attach_meta(q, &meta));
    }
    let entities = queries::entities_in(conn, &ids, STORY_ENTITIES)?;
    let storyline_stories = match &story.storyline {
        Some(l) => queries::storyline_sizes(conn, std::slice::from_ref(l))?
            .get(l)
            .copied()
            .unwrap_or(1),
        None => 1,
    };
    Ok(Some(StoryDetail {
        story,
        articles,
        outlets,
        coverage,
        passages,
        quotes,
        entities,
        storyline_stories,
    }))
}

fn coverage(articles: &[ArticleMeta]) -> (Vec<OutletCoverage>, Coverage) {
    // Outlets in order of their first dated article; outlets with only undated ones last.
    let mut by_outlet: Vec<(Option<String>, Vec<&ArticleMeta>)> = Vec::new();
    for a in articles {
        match by_outlet.iter_mut().find(|(o, _)| *o == a.outlet) {
            Some((_, v)) => v.push(a),
            None => by_outlet.push((a.outlet.clone(), vec![a])),
        }
    }
    let first = |v: &[&ArticleMeta]| {
        v.iter()
            .filter_map(|a| a.published.as_deref().and_then(crate::fmt::unix))
            .min()
    };
    by_outlet.sort_by_key(|(o, v)| (first(v).is_none(), first(v), o.is_none(), o.clone()));
    let outlets = by_outlet
        .iter()
        .map(|(o, v)| OutletCoverage {
            outlet: o.clone(),
            articles: v.len(),
            first_published: v
                .iter()
                .filter_map(|a| a.published.clone())
                .min_by_key(|p| crate::fmt::unix(p)),
        })
        .collect();
    let mut rows: Vec<CoverageRow> = by_outlet
        .iter()
        .map(|(o, v)| {
            let times: Vec<i64> = v
                .iter()
                .filter_map(|a| a.published.as_deref().and_then(crate::fmt::unix))
                .collect();
            CoverageRow {
                outlet: o.clone(),
                counts: Vec::new(),
                undated: v.len() - times.len(),
                times,
            }
        })
        .collect();
    let all: Vec<i64> = rows.iter().flat_map(|r| r.times.iter().copied()).collect();
    let (start, bucket_seconds) = match (all.iter().min(), all.iter().max()) {
        (Some(&min), Some(&max)) => {
            let b = Buckets::covering(min, max, 36);
            for r in &mut rows {
                r.counts = b.count(&r.times);
            }
            (
                chrono::DateTime::from_timestamp(b.start, 0).map(|t| t.to_rfc3339()),
                b.width,
            )
        }
        _ => (None, 0),
    };
    (
        outlets,
        Coverage {
            start,
            bucket_seconds,
            rows,
        },
    )
}

/// Passages touching `ids`, longest first, with texts and diffs.
pub(crate) fn passages(
    store: &Store,
    ids: &[String],
    limit: usize,
    offset: usize,
) -> R<Page<Passage>> {
    let conn = store.connection();
    let (total, rows) = queries::alignments_touching(conn, ids, limit, offset)?;
    let mut involved: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.a.clone(), r.b.clone()])
        .collect();
    involved.sort();
    involved.dedup();
    let meta = queries::articles_by_id(conn, &involved)?;
    let mut texts: HashMap<String, String> = HashMap::new();
    for id in &involved {
        if let Some(t) = store.original_text(id)? {
            texts.insert(id.clone(), t);
        }
    }
    let text_of = |id: &str, s: i64, e: i64| {
        texts
            .get(id)
            .map(|t| queries::slice_chars(t, s, e))
            .unwrap_or_default()
    };
    let items = rows
        .into_iter()
        .map(|span| {
            let a_text = text_of(&span.a, span.a_start, span.a_end);
            let b_text = text_of(&span.b, span.b_start, span.b_end);
            let diff = diff::words(&a_text, &b_text);
            Passage {
                word_similarity: word_similarity(&diff),
                diff,
                a_meta: meta.get(&span.a).cloned(),
                b_meta: meta.get(&span.b).cloned(),
                a_text,
                b_text,
                span,
            }
        })
        .collect();
    Ok(Page {
        total,
        limit,
        offset,
        items,
    })
}

/// Quotes in `ids`, with their articles' outlet, title and date, in publication order.
pub(crate) fn quotes(
    store: &Store,
    ids: &[String],
    known: &[ArticleMeta],
    speaker: Option<&str>,
    min_confidence: f64,
) -> R<Vec<Quote>> {
    let (mut out, fetched) = bare_quotes(store, ids, known, speaker, min_confidence)?;
    let meta = meta_index(known, &fetched);
    for q in &mut out {
        attach_meta(q, &meta);
    }
    Ok(out)
}

/// Quotes in `ids` in publication order, without their articles' fields (see
/// [`attach_meta`]), and the metadata of articles not in `known`. Grouping and capping
/// thousands of a big story's quotes first and copying article fields into the few kept is
/// most of the saving on such a page.
fn bare_quotes(
    store: &Store,
    ids: &[String],
    known: &[ArticleMeta],
    speaker: Option<&str>,
    min_confidence: f64,
) -> R<(Vec<Quote>, HashMap<String, ArticleMeta>)> {
    let rows = queries::quotes_in(store.connection(), ids, speaker, min_confidence)?;
    let mut missing: Vec<String> = {
        let known: std::collections::HashSet<&str> = known.iter().map(|m| m.id.as_str()).collect();
        rows.iter()
            .filter(|q| !known.contains(q.article.as_str()))
            .map(|q| q.article.clone())
            .collect()
    };
    missing.sort_unstable();
    missing.dedup();
    let fetched = if missing.is_empty() {
        HashMap::new()
    } else {
        queries::articles_by_id(store.connection(), &missing)?
    };
    let times: HashMap<&str, Option<i64>> = known
        .iter()
        .chain(fetched.values())
        .map(|m| {
            let t = m.published.as_deref().and_then(crate::fmt::unix);
            (m.id.as_str(), t)
        })
        .collect();
    let mut keyed: Vec<(Option<i64>, QuoteRow)> = rows
        .into_iter()
        .map(|q| (times.get(q.article.as_str()).copied().flatten(), q))
        .collect();
    keyed.sort_by(|(ta, a), (tb, b)| {
        (ta.is_none(), ta, &a.article, a.start).cmp(&(tb.is_none(), tb, &b.article, b.start))
    });
    let out = keyed
        .into_iter()
        .map(|(_, q)| Quote {
            quote: q,
            outlet: None,
            title: None,
            published: None,
            lede: String::new(),
        })
        .collect();
    Ok((out, fetched))
}

fn meta_index<'a>(
    known: &'a [ArticleMeta],
    fetched: &'a HashMap<String, ArticleMeta>,
) -> HashMap<&'a str, &'a ArticleMeta> {
    known
        .iter()
        .chain(fetched.values())
        .map(|m| (m.id.as_str(), m))
        .collect()
}

/// Copies the outlet, title, date and lede of a quote's article into it.
fn attach_meta(q: &mut Quote, meta: &HashMap<&str, &ArticleMeta>) {
    if let Some(m) = meta.get(q.quote.article.as_str()) {
        q.outlet = m.outlet.clone();
        q.title = m.title.clone();
        q.published = m.published.clone();
        q.lede = m.lede.clone();
    }
}

/// How much of a story's quotes its page and API answer carry: a story with thousands of
/// quotes would otherwise make a page of megabytes. `/api/quotes?story=..&group=..` is whole.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QuoteCaps {
    /// Speakers kept (most quoted first).
    pub(crate) speakers: usize,
    /// Quotes kept per speaker and per statement.
    pub(crate) per_group: usize,
    /// Statements kept (most repeated first).
    pub(crate) statements: usize,
}

/// The caps of story pages and story answers.
pub(crate) const STORY_QUOTE_CAPS: QuoteCaps = QuoteCaps {
    speakers: 12,
    per_group: 8,
    statements: 15,
};

/// Entities carried by a story page and answer (most widespread first).
pub(crate) const STORY_ENTITIES: usize = 80;

/// Groups quotes by speaker and by statement, keeping what `caps` allows.
pub(crate) fn group_quotes(quotes: Vec<Quote>, caps: Option<QuoteCaps>) -> QuoteGroups {
    let total = quotes.len();
    let mut by_speaker: BTreeMap<Option<String>, Vec<Quote>> = BTreeMap::new();
    let mut by_statement: BTreeMap<String, Vec<Quote>> = BTreeMap::new();
    for q in quotes {
        if let Some(s) = &q.quote.statement {
            by_statement.entry(s.clone()).or_default().push(q.clone());
        }
        by_speaker
            .entry(q.quote.speaker.clone())
            .or_default()
            .push(q);
    }
    let mut speakers: Vec<SpeakerGroup> = by_speaker
        .into_iter()
        .map(|(speaker, quotes)| SpeakerGroup { speaker, quotes })
        .collect();
    speakers.sort_by_key(|g| (g.speaker.is_none(), std::cmp::Reverse(g.quotes.len())));
    let mut statements: Vec<StatementGroup> = by_statement
        .into_iter()
        .map(|(statement, quotes)| {
            let mut articles: Vec<&str> = quotes.iter().map(|q| q.quote.article.as_str()).collect();
            articles.sort_unstable();
            articles.dedup();
            let mut names: HashMap<&str, usize> = HashMap::new();
            for q in &quotes {
                if let Some(s) = &q.quote.speaker {
                    *names.entry(s.as_str()).or_default() += 1;
                }
            }
            let speaker = names
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.to_string());
            StatementGroup {
                statement,
                speaker,
                articles: articles.len(),
                quotes,
            }
        })
        .collect();
    statements.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.articles),
            std::cmp::Reverse(g.quotes.len()),
        )
    });
    let (n_speakers, n_statements) = (speakers.len(), statements.len());
    let mut truncated = false;
    if let Some(c) = caps {
        truncated = speakers.len() > c.speakers || statements.len() > c.statements;
        speakers.truncate(c.speakers);
        statements.truncate(c.statements);
        for g in &mut speakers {
            truncated |= g.quotes.len() > c.per_group;
            g.quotes.truncate(c.per_group);
        }
        for g in &mut statements {
            truncated |= g.quotes.len() > c.per_group;
            g.quotes.truncate(c.per_group);
        }
    }
    QuoteGroups {
        total,
        speakers: n_speakers,
        statements: n_statements,
        truncated,
        by_speaker: speakers,
        by_statement: statements,
    }
}

/// The article `id`, or `None`.
pub(crate) fn article_detail(store: &Store, id: &str) -> R<Option<ArticleDetail>> {
    let Some(article) = store.article(id)? else {
        return Ok(None);
    };
    let conn = store.connection();
    let removed_lines = store.removed_lines(id)?;
    let story = match &article.story {
        Some(s) => queries::story(conn, s)?,
        None => None,
    };
    let ids = vec![article.id.clone()];
    let quotes = quotes(store, &ids, &[], None, LISTED_CONFIDENCE)?;
    let entities = queries::entities_in(conn, &ids, usize::MAX >> 1)?;
    let passages = passages(store, &ids, INLINE_PASSAGES, 0)?;
    let mentions = queries::article_mentions(conn, &article.id)?;
    let original = match &article.duplicate_of {
        Some(o) => queries::articles_by_id(conn, std::slice::from_ref(o))?.remove(o),
        None => None,
    };
    let copies = if article.copies > 0 && article.duplicate_of.is_none() {
        queries::copies_of(conn, &article.id)?
    } else {
        Vec::new()
    };
    Ok(Some(ArticleDetail {
        article,
        removed_lines,
        story,
        quotes,
        entities,
        passages,
        mentions,
        original,
        copies,
    }))
}

/// The entity `id` with a page of mentions, or `None`.
pub(crate) fn entity_detail(
    store: &Store,
    id: &str,
    limit: usize,
    offset: usize,
) -> R<Option<EntityDetail>> {
    let conn = store.connection();
    let Some(entity) = queries::entity(conn, id)? else {
        return Ok(None);
    };
    let stories = queries::entity_stories(conn, id, 100)?
        .into_iter()
        .map(|(story, n)| StoryMentions {
            story,
            mentioning_articles: n,
        })
        .collect();
    let (total, rows) = queries::mentions(conn, id, limit, offset)?;
    let ids: Vec<String> = rows.iter().map(|m| m.article.clone()).collect();
    let meta = queries::articles_by_id(conn, &ids)?;
    let mut texts: HashMap<String, String> = HashMap::new();
    for a in &ids {
        if !texts.contains_key(a) {
            if let Some(t) = store.original_text(a)? {
                texts.insert(a.clone(), t);
            }
        }
    }
    let items = rows
        .into_iter()
        .map(|m| {
            let a = meta.get(&m.article);
            let context = texts.get(&m.article).and_then(|t| {
                let (s, e) = (m.start.max(0) as usize, m.end.max(0) as usize);
                crate::context::sentence_around(t, s, e, CONTEXT_CHARS)
                    .map(|(before, _, after)| MentionContext { before, after })
            });
            MentionOut {
                title: a.and_then(|a| a.title.clone()),
                outlet: a.and_then(|a| a.outlet.clone()),
                context,
                mention: m,
            }
        })
        .collect();
    Ok(Some(EntityDetail {
        entity,
        stories,
        mentions: Page {
            total,
            limit,
            offset,
            items,
        },
    }))
}

/// Most context shown on each side of a mention, in code points.
const CONTEXT_CHARS: usize = 220;

/// A storyline: its stories over time.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StorylineDetail {
    /// Storyline id (`l-` + the first article of its first story).
    pub(crate) id: String,
    /// Its stories, earliest first.
    pub(crate) stories: Vec<StorySummary>,
    /// Articles over all its stories.
    pub(crate) articles: i64,
    /// Earliest first publication of its stories.
    pub(crate) first_published: Option<String>,
    /// Latest publication in its stories.
    pub(crate) last_published: Option<String>,
}

/// The storyline `id`, or `None`.
pub(crate) fn storyline_detail(store: &Store, id: &str) -> R<Option<StorylineDetail>> {
    let stories = queries::storyline_stories(store.connection(), id)?;
    if stories.is_empty() {
        return Ok(None);
    }
    let articles = stories.iter().map(|s| s.articles).sum();
    let first_published = stories
        .iter()
        .filter_map(|s| s.first_published.clone())
        .min_by_key(|p| crate::fmt::unix(p));
    let last_published = stories
        .iter()
        .filter_map(|s| {
            s.last_published
                .clone()
                .or_else(|| s.first_published.clone())
        })
        .max_by_key(|p| crate::fmt::unix(p));
    Ok(Some(StorylineDetail {
        id: id.to_string(),
        stories,
        articles,
        first_published,
        last_published,
    }))
}

/// One place a shared passage occurs, with its text there.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Occurrence {
    /// Article id.
    pub(crate) article: String,
    /// Span start (code points of the original text).
    pub(crate) start: i64,
    /// Span end.
    pub(crate) end: i64,
    /// The passage's text there.
    pub(crate) text: String,
    /// The article's outlet, title and story.
    pub(crate) meta: Option<ArticleMeta>,
}

/// A copy of a shared passage, diffed against the occurrence it was aligned with.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PassageCopy {
    /// Where it is.
    pub(crate) at: Occurrence,
    /// The article it was aligned with (the source when they were aligned directly).
    pub(crate) against: String,
    /// Word diff from that occurrence to this one.
    pub(crate) diff: Vec<Piece>,
    /// See [`Passage::word_similarity`].
    pub(crate) word_similarity: f64,
}

/// A shared passage: its earliest occurrence and every copy.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PassageDetail {
    /// Passage id.
    pub(crate) id: String,
    /// The earliest occurrence.
    pub(crate) source: Occurrence,
    /// The other occurrences, earliest first.
    pub(crate) copies: Vec<PassageCopy>,
}

/// The passage `id` (`p-ARTICLE:START-END`) with every copy, or `None`.
pub(crate) fn passage_detail(store: &Store, id: &str) -> R<Option<PassageDetail>> {
    let conn = store.connection();
    let pairs = queries::passage_pairs(conn, id)?;
    let Some((src_article, (src_start, src_end))) = parse_passage_id(id) else {
        return Ok(None);
    };
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut ids: Vec<String> = pairs
        .iter()
        .flat_map(|p| [p.a.clone(), p.b.clone()])
        .collect();
    ids.sort();
    ids.dedup();
    let meta = queries::articles_by_id(conn, &ids)?;
    let mut texts: HashMap<String, String> = HashMap::new();
    for a in &ids {
        if let Some(t) = store.original_text(a)? {
            texts.insert(a.clone(), t);
        }
    }
    let cut = |a: &str, s: i64, e: i64| {
        texts
            .get(a)
            .map(|t| queries::slice_chars(t, s, e))
            .unwrap_or_default()
    };
    let occurrence = |a: &str, s: i64, e: i64| Occurrence {
        article: a.to_string(),
        start: s,
        end: e,
        text: cut(a, s, e),
        meta: meta.get(a).cloned(),
    };
    let source = occurrence(&src_article, src_start, src_end);
    // Each other article once: its pair with the source when there is one, else its first.
    let mut best: BTreeMap<String, (bool, AlignmentRow)> = BTreeMap::new();
    for p in pairs {
        for (me, other) in [(&p.a, &p.b), (&p.b, &p.a)] {
            if *me == src_article {
                continue;
            }
            let direct = *other == src_article;
            let keep = best.get(me).is_none_or(|(d, _)| direct && !d);
            if keep {
                best.insert(me.clone(), (direct, p.clone()));
            }
        }
    }
    let mut copies: Vec<PassageCopy> = best
        .into_iter()
        .map(|(me, (_, p))| {
            let (ms, me_end, other, os, oe) = if p.a == me {
                (p.a_start, p.a_end, p.b.clone(), p.b_start, p.b_end)
            } else {
                (p.b_start, p.b_end, p.a.clone(), p.a_start, p.a_end)
            };
            let at = occurrence(&me, ms, me_end);
            let base = if other == src_article {
                source.text.clone()
            } else {
                cut(&other, os, oe)
            };
            let diff = diff::words(&base, &at.text);
            PassageCopy {
                word_similarity: word_similarity(&diff),
                against: other,
                at,
                diff,
            }
        })
        .collect();
    copies.sort_by_key(|c| {
        let t =
            c.at.meta
                .as_ref()
                .and_then(|m| m.published.as_deref())
                .and_then(crate::fmt::unix);
        (t.is_none(), t, c.at.article.clone())
    });
    Ok(Some(PassageDetail {
        id: id.to_string(),
        source,
        copies,
    }))
}

/// `p-ARTICLE:START-END` -> (article, (start, end)); article ids may hold `:` themselves.
pub(crate) fn parse_passage_id(id: &str) -> Option<(String, (i64, i64))> {
    let rest = id.strip_prefix("p-")?;
    let (article, span) = rest.rsplit_once(':')?;
    let (s, e) = span.split_once('-')?;
    Some((article.to_string(), (s.parse().ok()?, e.parse().ok()?)))
}

/// Two articles side by side: a word diff of their cleaned texts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Comparison {
    /// The first article.
    pub(crate) a: ArticleMeta,
    /// The second article.
    pub(crate) b: ArticleMeta,
    /// Word diff from `a`'s cleaned text to `b`'s.
    pub(crate) diff: Vec<Piece>,
    /// See [`Passage::word_similarity`].
    pub(crate) word_similarity: f64,
}

/// Compares two articles' cleaned texts, or `None` if either is unknown.
pub(crate) fn compare(store: &Store, a: &str, b: &str) -> R<Option<Comparison>> {
    let ids = [a.to_string(), b.to_string()];
    let mut meta = queries::articles_by_id(store.connection(), &ids)?;
    let (Some(ma), Some(mb)) = (meta.remove(a), meta.remove(b)) else {
        return Ok(None);
    };
    let text =
        |id: &str| -> R<String> { Ok(store.article(id)?.map(|r| r.text).unwrap_or_default()) };
    let diff = diff::words(&text(a)?, &text(b)?);
    Ok(Some(Comparison {
        word_similarity: word_similarity(&diff),
        a: ma,
        b: mb,
        diff,
    }))
}

/// Matches counted exactly; beyond this a search reports "at least" this many.
pub(crate) const SEARCH_COUNT_CAP: usize = 1000;

/// Matches ranked by BM25 when a query has more: its most recently stored ones. Ranking costs
/// about a microsecond or two per match (FTS5 has no top-k pruning), so a one-word query over
/// the whole store would cost tens of milliseconds; with this cut every query costs about the
/// same. Deeper pages widen the window to reach them.
pub(crate) const SEARCH_RANK_WINDOW: usize = 500;

/// Full-text search; `None` when the query has no searchable word.
///
/// A query that is one phrase or an `OR` of phrases (the common shapes) is answered from
/// per-phrase results kept in `terms` under `mark` (the last change of the search scope, read
/// before this transaction): its matches are the union of its phrases' and its BM25 scores
/// the sums of theirs (see [`rank_disjunction`]), so a new combination of known words costs
/// no index reads at all, only its hits' rows. Other queries, and pages past the ranking
/// window, go to FTS5 directly.
///
/// A phrase's hits built under an older mark are used when `usable(that mark)` says so (the
/// server allows it for as long as it serves a stale cached page, while an ingest commits);
/// the answer then says so in [`SearchResults::stale`], for the caller to tag it as of that
/// mark and rebuild the phrases off the request path ([`phrase_hits`]).
pub(crate) fn search(
    store: &Store,
    query: &str,
    limit: usize,
    offset: usize,
    terms: &crate::cache::Terms,
    mark: u64,
    usable: &dyn Fn(u64) -> bool,
) -> R<Option<SearchResults>> {
    let Some(fts) = crate::search::to_fts(query) else {
        return Ok(None);
    };
    let conn = store.connection();
    let window = SEARCH_RANK_WINDOW.max(offset.saturating_add(limit));
    let cap = SEARCH_COUNT_CAP.max(window.saturating_add(1));
    let phrases = crate::search::disjuncts(&fts).filter(|_| window == SEARCH_RANK_WINDOW);
    let mut stale: Option<StaleTerms> = None;
    let (total, ranked) = match phrases {
        Some(phrases) => {
            let mut lists = Vec::with_capacity(phrases.len());
            for p in phrases {
                let hits = match terms.get(p) {
                    Some((m, h)) if m >= mark => h,
                    Some((m, h)) if usable(m) => {
                        let s = stale.get_or_insert(StaleTerms {
                            mark: m,
                            phrases: Vec::new(),
                        });
                        s.mark = s.mark.min(m);
                        s.phrases.push(p.to_string());
                        h
                    }
                    _ => terms.put(mark, p, phrase_hits(conn, p)?),
                };
                lists.push(hits);
            }
            let lists: Vec<&crate::cache::TermHits> = lists.iter().map(|h| &**h).collect();
            rank_disjunction(&lists, window, cap, limit, offset)
        }
        None => {
            let newest = queries::search_newest(conn, &fts, cap)?;
            let total = newest.len();
            let min_rowid = if total > window {
                newest.get(window - 1).copied().unwrap_or(i64::MIN)
            } else {
                i64::MIN
            };
            (
                total,
                queries::search_ranked(conn, &fts, min_rowid, limit, offset)?,
            )
        }
    };
    let terms = crate::search::highlight_terms(query);
    let mut items = Vec::with_capacity(ranked.len());
    for (rowid, score) in ranked {
        let Some(h) = queries::search_hit(conn, rowid)? else {
            continue;
        };
        let snippet = match crate::search::snippet(&h.text, &terms) {
            Some(s) => s,
            // Matched in the title only: the text has nothing to highlight, and its opening
            // is what FTS5's snippet() would show too, without re-reading the index.
            None if h
                .title
                .as_deref()
                .is_some_and(|t| crate::search::snippet(t, &terms).is_some()) =>
            {
                crate::search::opening(&h.text)
            }
            None => queries::search_fts_snippet(conn, &fts, rowid)?,
        };
        // Wire copies of one original are one hit: later hits of a group on this page fold
        // into its first.
        if let Some(first) = h.group.as_ref().filter(|_| h.copies > 0).and_then(|g| {
            items
                .iter_mut()
                .find(|x: &&mut Hit| x.group.as_ref() == Some(g))
        }) {
            first.folded.push(h.id);
            continue;
        }
        items.push(Hit {
            id: h.id,
            title: h.title,
            snippet,
            score,
            outlet: h.outlet,
            published: h.published,
            story: h.story,
            group: h.group,
            copies: h.copies,
            folded: Vec::new(),
        });
    }
    Ok(Some(SearchResults {
        query: query.to_string(),
        fts_query: fts,
        total_exact: total < cap,
        ranked_window: (total > window).then_some(window),
        page: Page {
            total,
            limit,
            offset,
            items,
        },
        stale,
    }))
}

/// What a disjunction search ([`search`]) keeps of `phrase` (an FTS5 phrase as
/// [`crate::search::disjuncts`] gives it).
pub(crate) fn phrase_hits(conn: &rusqlite::Connection, phrase: &str) -> R<crate::cache::TermHits> {
    term_hits(
        conn,
        phrase,
        SEARCH_RANK_WINDOW,
        SEARCH_COUNT_CAP.max(SEARCH_RANK_WINDOW + 1),
    )
}

/// What [`rank_disjunction`] needs of one phrase: its newest `cap` matches and the scores of
/// its newest `window`.
fn term_hits(
    conn: &rusqlite::Connection,
    phrase: &str,
    window: usize,
    cap: usize,
) -> R<crate::cache::TermHits> {
    let newest = queries::search_newest(conn, phrase, cap)?;
    let min_rowid = if newest.len() > window {
        newest.get(window - 1).copied().unwrap_or(i64::MIN)
    } else {
        i64::MIN
    };
    let scores = queries::search_scores(conn, phrase, min_rowid)?
        .into_iter()
        .collect();
    Ok(crate::cache::TermHits { newest, scores })
}

/// The (capped) match count and a page of (row id, score) of the `OR` of phrases whose
/// results are `lists` (in query order), exactly as FTS5 gives them for the whole query:
/// matches are the union; the newest `cap` of the union are among the newest `cap` of each
/// phrase, and the union's newest `window` among each phrase's newest `window`, which is what
/// each list holds. FTS5's BM25 adds one term per phrase (each with its own IDF) to a sum that
/// starts at zero, and a phrase absent from a row adds zero, so adding the phrases' own scores
/// in query order gives the same number, bit for bit. Ties go to the newer row, as in
/// [`queries::search_ranked`].
pub(crate) fn rank_disjunction(
    lists: &[&crate::cache::TermHits],
    window: usize,
    cap: usize,
    limit: usize,
    offset: usize,
) -> (usize, Vec<(i64, f64)>) {
    let mut union: Vec<i64> = lists
        .iter()
        .flat_map(|l| l.newest.iter().copied())
        .collect();
    union.sort_unstable_by(|a, b| b.cmp(a));
    union.dedup();
    union.truncate(cap);
    let total = union.len();
    let min_rowid = if total > window {
        union.get(window - 1).copied().unwrap_or(i64::MIN)
    } else {
        i64::MIN
    };
    let mut scored: Vec<(i64, f64)> = union
        .iter()
        .take_while(|r| **r >= min_rowid)
        .map(|&r| {
            let mut score = 0.0;
            for l in lists {
                if let Some(s) = l.scores.get(&r) {
                    score += s;
                }
            }
            (r, score)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    let page = scored.into_iter().skip(offset).take(limit).collect();
    (total, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(article: &str, speaker: Option<&str>, statement: Option<&str>) -> Quote {
        Quote {
            quote: QuoteRow {
                article: article.into(),
                start: 0,
                end: 1,
                text: "x".into(),
                speaker: speaker.map(str::to_string),
                speaker_start: None,
                speaker_end: None,
                direct: true,
                statement: statement.map(str::to_string),
                confidence: 1.0,
            },
            outlet: None,
            title: None,
            published: None,
            lede: String::new(),
        }
    }

    /// An index whose rows mix a small vocabulary with varied frequencies and lengths, in
    /// titles and texts, so that scores differ and ties occur.
    fn index(n: i64) -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE articles_fts USING fts5(id UNINDEXED, title, text,
                 tokenize = 'unicode61 remove_diacritics 2');",
        )
        .unwrap();
        let vocab = [
            "harbour", "crane", "council", "budget", "storm", "ferry", "old", "port",
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 1..=n {
            let words = 3 + next() % 12;
            let text: Vec<&str> = (0..words)
                // Skewed: early words are common, late ones rare.
                .map(|_| vocab[(next() % 8).min(next() % 8) as usize])
                .collect();
            let title = if next() % 3 == 0 {
                vocab[(next() % 8) as usize]
            } else {
                "news"
            };
            c.execute(
                "INSERT INTO articles_fts (rowid, id, title, text) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![i, format!("a{i}"), title, text.join(" ")],
            )
            .unwrap();
        }
        c
    }

    #[test]
    fn disjunctions_rank_exactly_as_fts5_does() {
        let c = index(300);
        let (window, cap) = (40, 90);
        let queries = [
            "harbour",
            "port",
            "harbour OR crane",
            "port OR ferry OR storm",
            "old OR \"old port\"",
            "cran* OR budget",
            "council OR council",
            "zebra OR ferry",
        ];
        let mut windowed = 0;
        for q in queries {
            let fts = crate::search::to_fts(q).unwrap();
            let phrases = crate::search::disjuncts(&fts).unwrap();
            let hits: Vec<_> = phrases
                .iter()
                .map(|p| term_hits(&c, p, window, cap).unwrap())
                .collect();
            let lists: Vec<&crate::cache::TermHits> = hits.iter().collect();
            let newest = queries::search_newest(&c, &fts, cap).unwrap();
            let min = if newest.len() > window {
                windowed += 1;
                newest[window - 1]
            } else {
                i64::MIN
            };
            for (limit, offset) in [(10, 0), (7, 3), (50, 0), (5, 38)] {
                let want = queries::search_ranked(&c, &fts, min, limit, offset).unwrap();
                let got = rank_disjunction(&lists, window, cap, limit, offset);
                assert_eq!(got.0, newest.len(), "{q}: count");
                assert_eq!(got.1, want, "{q}: page {limit}@{offset}");
            }
        }
        assert!(windowed >= 3, "the ranking window must be exercised");
    }

    #[test]
    fn groups_are_ordered_and_capped() {
        let mut qs = vec![quote("a", None, None)];
        for i in 0..5 {
            qs.push(quote(&format!("a{i}"), Some("Many"), Some("s1")));
        }
        qs.push(quote("b", Some("One"), Some("s2")));
        let g = group_quotes(qs.clone(), None);
        assert_eq!(
            (g.total, g.speakers, g.statements, g.truncated),
            (7, 3, 2, false)
        );
        assert_eq!(g.by_speaker[0].speaker.as_deref(), Some("Many"));
        assert_eq!(
            g.by_speaker.last().unwrap().speaker,
            None,
            "unattributed last"
        );
        assert_eq!(g.by_statement[0].statement, "s1");
        assert_eq!(g.by_statement[0].articles, 5);
        let caps = QuoteCaps {
            speakers: 1,
            per_group: 2,
            statements: 1,
        };
        let g = group_quotes(qs, Some(caps));
        assert!(g.truncated);
        assert_eq!(
            (g.speakers, g.by_speaker.len(), g.by_speaker[0].quotes.len()),
            (3, 1, 2)
        );
        assert_eq!(g.by_statement.len(), 1);
    }
}
