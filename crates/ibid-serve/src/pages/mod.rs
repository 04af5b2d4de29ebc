//! The web UI: server-rendered HTML (maud escapes every interpolated value), one stylesheet and
//! one small script compiled into the binary. Every page works without JS; forms use GET.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

mod passages;
mod quotes;
mod storylines;

use crate::context::{mark_paragraph, Mark};
use crate::diff::{Op, Piece};
use crate::error::Failure;
use crate::fmt::{self, article_href, entity_href, story_href, storyline_href};
use crate::groups::{copy_groups, sub_groups, CopyGroup};
use crate::model::{self, ArticleDetail, EntityDetail, Passage, Quote, QuoteGroups, StoryDetail};
use crate::params::Params;
use crate::queries::{self, ArticleMeta, EntityCount, StorySummary};
use crate::search::snippet_parts;
use crate::svg;
use crate::AppState;

const STYLE: &str = include_str!("../../assets/style.css");
const SCRIPT: &str = include_str!("../../assets/app.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// Stories per page of the story list.
const STORIES_PER_PAGE: usize = 25;
/// Originals (each with its copies folded under it) per page of a story's article list.
const ORIGINALS_PER_PAGE: usize = 40;
/// Stories of this many articles or more show sub-groups of their originals.
const SUBGROUPS_FROM: usize = 30;
/// Results per page of search and entity lists.
const PER_PAGE: usize = 20;

type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;
type PageResult = Result<Response, PageError>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(stories))
        .route("/stories/{*id}", get(story))
        .route("/articles/{*id}", get(article))
        .route("/entities", get(entities))
        .route("/entities/{*id}", get(entity))
        .route("/storylines/{*id}", get(storylines::storyline))
        .route("/quotes", get(quotes::quotes))
        .route("/passages", get(passages::passages))
        .route("/passages/{*id}", get(passages::passage))
        .route("/compare", get(passages::compare))
        .route("/search", get(search))
        .route(
            "/static/style.css",
            get(|| asset(STYLE, "text/css; charset=utf-8")),
        )
        .route(
            "/static/app.js",
            get(|| asset(SCRIPT, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/favicon.svg",
            get(|| asset(FAVICON, "image/svg+xml")),
        )
        .fallback(fallback)
}

async fn asset(body: &'static str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn fallback(uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return crate::api::not_found(&uri);
    }
    PageError(Failure::NotFound(format!(
        "Nothing lives at {}.",
        uri.path()
    )))
    .into_response()
}

/// A failure rendered as a page.
pub(crate) struct PageError(Failure);

impl From<Failure> for PageError {
    fn from(f: Failure) -> Self {
        PageError(f)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if let Failure::Internal(m) = &self.0 {
            tracing::error!(error = %m, "page failed");
        }
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            _ => "Something went wrong",
        };
        let body = layout(
            title,
            Nav::None,
            html! {
                div.error-page {
                    h1 { (title) }
                    p { (self.0.public_message()) }
                    p { a href="/" { "Back to the stories" } }
                }
            },
        );
        (status, body).into_response()
    }
}

fn ok(markup: Markup) -> PageResult {
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response())
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Nav {
    Stories,
    Entities,
    Quotes,
    Passages,
    Search,
    None,
}

fn layout(title: &str, nav: Nav, body: Markup) -> Markup {
    let q_class = |n: Nav| if n == nav { "active" } else { "" };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · ibid" }
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/static/style.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    div.wrap.top-inner {
                        a.brand href="/" { span.brand-mark { "ib." } "ibid" }
                        nav.main-nav aria-label="Main" {
                            a class=(q_class(Nav::Stories)) href="/" { "Stories" }
                            a class=(q_class(Nav::Entities)) href="/entities" { "Entities" }
                            a class=(q_class(Nav::Quotes)) href="/quotes" { "Quotes" }
                            a class=(q_class(Nav::Passages)) href="/passages" { "Passages" }
                            a class=(q_class(Nav::Search)) href="/search" { "Search" }
                            a href="/api/openapi.json" { "API" }
                        }
                        form.top-search action="/search" method="get" role="search" {
                            input type="search" name="q" placeholder="Search articles  ( / )"
                                aria-label="Search articles" id="top-q";
                        }
                    }
                }
                main.wrap { (body) }
                footer.wrap.foot {
                    "ibid — a self-hosted news story engine · "
                    a href="/api/openapi.json" { "JSON API (OpenAPI 3)" }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Story list

async fn stories(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let mut f = crate::api::story_filter(&p, STORIES_PER_PAGE)?;
    let page = p.usize("page", 1, 1, 1_000_000)?;
    f.limit = STORIES_PER_PAGE;
    f.offset = (page - 1) * STORIES_PER_PAGE;
    let caches = s.caches.clone();
    let mark = s.db.last_change(crate::db::Scope::Derived);
    let filter = f.clone();
    let (total, rows, times, counts, outlets, entity, matching) =
        s.db.read(move |st| {
            let conn = st.connection();
            let (total, rows) = queries::stories_cached(conn, &filter, &caches, mark)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let times = queries::story_times(conn, &ids)?;
            let counts = match caches.counts.current() {
                Some(c) => c,
                None => caches.counts.put(st.counts()?),
            };
            let outlets = match caches.outlets.current() {
                Some(o) => o,
                None => caches
                    .outlets
                    .put(queries::outlets(conn, crate::warm::OUTLETS_KEPT)?),
            };
            let entity = match &filter.entity {
                Some(e) => queries::entity(conn, e)?,
                None => None,
            };
            let matching = match &filter.outlet {
                Some(o) => queries::outlets_like(conn, o, 12)?,
                None => Vec::new(),
            };
            Ok((total, rows, times, counts, outlets, entity, matching))
        })
        .await?;
    let sort = p.str("sort").unwrap_or("size");
    let order = p.str("order").unwrap_or("desc");
    let link_page = |n: usize| {
        let page = n.to_string();
        format!(
            "/{}",
            fmt::query(&[
                ("from", p.str("from")),
                ("to", p.str("to")),
                ("outlet", p.str("outlet")),
                ("entity", p.str("entity")),
                ("sort", p.str("sort")),
                ("order", p.str("order")),
                ("page", (n > 1).then_some(page.as_str())),
            ])
        )
    };
    let filtered = f.from.is_some() || f.to.is_some() || f.outlet.is_some() || f.entity.is_some();
    let body = html! {
        div.page-head {
            h1 { "Stories" }
            p.lede {
                (fmt::plural(counts.stories as usize, "story", "stories")) " from "
                (fmt::plural(counts.articles as usize, "article", "articles")) " · "
                (fmt::plural(outlets.len(), "outlet", "outlets"))
                @if counts.duplicates > 0 { " · " (fmt::int(counts.duplicates)) " duplicates" }
                @if counts.pending > 0 { " · " (fmt::int(counts.pending)) " still being processed" }
            }
        }
        form.filters action="/" method="get" {
            label { span { "From" } input type="date" name="from" value=[p.str("from")]; }
            label { span { "To" } input type="date" name="to" value=[p.str("to")]; }
            label.grow { span { "Outlet" }
                input type="text" name="outlet" list="outlet-list" value=[p.str("outlet")] placeholder="any outlet";
            }
            datalist #outlet-list {
                @for (o, _) in outlets.iter() { option value=(o) {} }
            }
            @if let Some(e) = p.str("entity") { input type="hidden" name="entity" value=(e); }
            label { span { "Sort" }
                select name="sort" {
                    option value="size" selected[sort == "size"] { "Size" }
                    option value="first_seen" selected[sort == "first_seen"] { "First seen" }
                }
            }
            label { span { "Order" }
                select name="order" {
                    option value="desc" selected[order == "desc"] { "Descending" }
                    option value="asc" selected[order == "asc"] { "Ascending" }
                }
            }
            div.filter-actions {
                button type="submit" { "Apply" }
                @if filtered { a.reset href="/" { "Reset" } }
            }
        }
        @if let Some(e) = &entity {
            p.chip-line { "Stories mentioning " a.chip href=(entity_href(&e.id)) { (e.name) } " "
                a.muted href=(link_without_entity(&p)) { "× clear" } }
        }
        @if let Some(o) = p.str("outlet") {
            p.chip-line #outlet-matches {
                @if matching.is_empty() {
                    "No outlet name contains “" (o) "”. "
                    @if !outlets.is_empty() { "Outlets with most articles: " }
                    @for (name, n) in outlets.iter().take(8) {
                        a.chip href={"/" (fmt::query(&[("outlet", Some(name))]))} { (name) " " span.count { (n) } } " "
                    }
                } @else {
                    "Outlets matching “" (o) "”: "
                    @for (name, n) in &matching {
                        a.chip href={"/" (fmt::query(&[("outlet", Some(name))]))} { (name) " " span.count { (n) } } " "
                    }
                }
            }
        }
        p.count-line {
            @if total == 0 { "No story matches." }
            @else { "Showing " (fmt::int((f.offset + 1) as i64)) "–" (fmt::int((f.offset + rows.len()) as i64))
                " of " (fmt::plural(total, "story", "stories")) }
        }
        ol.story-list {
            @for row in &rows {
                @let times: Vec<i64> = times.get(&row.id).map(|v| v.iter().filter_map(|t| fmt::unix(t)).collect()).unwrap_or_default();
                li.story-item {
                    div.story-main {
                        a.story-title href=(story_href(&row.id)) { (title_or(&row.title, "Untitled story")) }
                        div.meta { (story_meta(row)) }
                    }
                    div.story-spark { (svg::sparkline(&times)) }
                }
            }
        }
        (pager(page, STORIES_PER_PAGE, total, link_page))
    };
    ok(layout("Stories", Nav::Stories, body))
}

fn link_without_entity(p: &Params) -> String {
    format!(
        "/{}",
        fmt::query(&[
            ("from", p.str("from")),
            ("to", p.str("to")),
            ("outlet", p.str("outlet")),
            ("sort", p.str("sort")),
            ("order", p.str("order")),
        ])
    )
}

fn story_meta(row: &StorySummary) -> Markup {
    let ran = match (
        row.first_published.as_deref().and_then(fmt::unix),
        row.last_published.as_deref().and_then(fmt::unix),
    ) {
        (Some(a), Some(b)) if b > a => Some(fmt::span(b - a)),
        _ => None,
    };
    html! {
        span.n { (fmt::plural(row.articles as usize, "article", "articles")) }
        @if row.outlets > 0 { " · " span.n { (fmt::plural(row.outlets as usize, "outlet", "outlets")) } }
        @if let Some(fp) = &row.first_published {
            " · first seen " time datetime=(fp) { (fmt::date(fp)) }
            @if let Some(o) = &row.first_outlet { " by " span.outlet { (o) } }
        }
        @if let Some(r) = ran { " · ran " (r) }
    }
}

fn pager(page: usize, per_page: usize, total: usize, link: impl Fn(usize) -> String) -> Markup {
    let pages = total.div_ceil(per_page).max(1);
    html! {
        @if pages > 1 {
            nav.pager aria-label="Pages" {
                @if page > 1 { a rel="prev" href=(link(page - 1)) { "← Previous" } }
                @else { span.disabled { "← Previous" } }
                span.page-of { "Page " (fmt::int(page as i64)) " of " (fmt::int(pages as i64)) }
                @if page < pages { a rel="next" href=(link(page + 1)) { "Next →" } }
                @else { span.disabled { "Next →" } }
            }
        }
    }
}

fn title_or<'a>(t: &'a Option<String>, fallback: &'a str) -> &'a str {
    t.as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(fallback)
}

/// An article's title, or for an untitled one the start of its text (ids mean nothing to a
/// reader), or its id when it has no text either.
fn article_title(m: &ArticleMeta) -> String {
    if let Some(t) = m.title.as_deref().filter(|t| !t.trim().is_empty()) {
        return t.to_string();
    }
    lede_or(&m.lede, &m.id)
}

fn lede_or(text: &str, id: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return id.to_string();
    }
    let mut words = String::new();
    for w in text.split_whitespace() {
        if words.chars().count() + w.chars().count() > 90 {
            words.push('…');
            return words;
        }
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(w);
    }
    words
}

// ---------------------------------------------------------------------------------------------
// Story page

async fn story(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 1_000_000)?;
    let key = id.clone();
    let caches = s.caches.clone();
    let mark = s.db.last_change(crate::db::Scope::Derived);
    let Some(d) =
        s.db.read(move |st| model::story_detail_cached(st, &key, &caches, mark))
            .await?
    else {
        return Err(Failure::NotFound(format!("There is no story with id “{id}”.")).into());
    };
    let title = title_or(&d.story.title, "Untitled story").to_string();
    ok(layout(&title, Nav::Stories, story_body(&d, &title, page)))
}

fn story_body(d: &StoryDetail, title: &str, page: usize) -> Markup {
    let groups = copy_groups(&d.articles);
    let copies = d.articles.len() - groups.len();
    let coverage_rows = coverage_rows(d);
    let chart = svg::coverage(&coverage_rows);
    html! {
        nav.crumbs { a href="/" { "Stories" } " › " }
        div.page-head {
            h1 { (title) }
            p.lede { (story_meta(&d.story)) }
            @if let Some(lp) = &d.story.last_published {
                @if Some(lp) != d.story.first_published.as_ref() {
                    p.sub { "latest article " time datetime=(lp) { (fmt::date(lp)) } }
                }
            }
            @if let Some(l) = &d.story.storyline {
                @if d.storyline_stories > 1 {
                    p.sub #storyline-link { "Part of a storyline of "
                        a href=(storyline_href(l)) { (fmt::plural(d.storyline_stories as usize, "story", "stories")) " →" } }
                }
            }
        }
        nav.toc {
            a href="#coverage" { "Coverage" }
            @if d.articles.len() >= SUBGROUPS_FROM { a href="#subgroups" { "Sub-groups" } }
            a href="#articles" { "Articles " span.badge { (d.articles.len()) } }
            a href="#passages" { "Shared passages " span.badge { (d.passages.total) } }
            a href="#quotes" { "Quotes " span.badge { (d.quotes.total) } }
            a href="#entities" { "Entities " span.badge { (d.entities.len()) } }
        }
        section #coverage {
            h2 { "Coverage" }
            @match &chart {
                Some(svg) => div.chart { (svg) },
                None => p.empty { "No article in this story has a trusted publication date." },
            }
            ul.outlet-chips {
                @for o in d.outlets.iter().take(OUTLET_CHIPS) {
                    li {
                        @match &o.outlet {
                            Some(name) => a.chip href={"/" (fmt::query(&[("outlet", Some(name))]))} { (name) },
                            None => span.chip.muted { "(no outlet)" },
                        }
                        " " span.count { (o.articles) }
                        @if let Some(fp) = &o.first_published { " " span.muted { "from " (fmt::date(fp)) } }
                    }
                }
            }
            @if d.outlets.len() > OUTLET_CHIPS {
                p.muted { "and " (fmt::plural(d.outlets.len() - OUTLET_CHIPS, "more outlet", "more outlets"))
                    ", in the article list below." }
            }
        }
        @if d.articles.len() >= SUBGROUPS_FROM {
            (subgroups_block(&groups, &d.story.id))
        }
        section #articles {
            h2 { "Articles" }
            p.muted.count-line {
                (fmt::plural(groups.len(), "original", "originals"))
                @if copies > 0 { " and " (fmt::plural(copies, "copy", "copies")) " folded under them" }
                @let pages = groups.len().div_ceil(ORIGINALS_PER_PAGE).max(1);
                @if pages > 1 {
                    " · showing " (fmt::int(((page - 1) * ORIGINALS_PER_PAGE + 1).min(groups.len()) as i64)) "–"
                    (fmt::int((page * ORIGINALS_PER_PAGE).min(groups.len()) as i64))
                }
            }
            (article_table(&groups, (page - 1) * ORIGINALS_PER_PAGE, ORIGINALS_PER_PAGE))
            (pager(page, ORIGINALS_PER_PAGE, groups.len(), |n| {
                if n > 1 { format!("{}?page={n}#articles", story_href(&d.story.id)) } else { format!("{}#articles", story_href(&d.story.id)) }
            }))
        }
        section #passages {
            h2 { "Shared passages" }
            (passages_block(&d.passages, &format!("story={}", fmt::enc(&d.story.id)),
                if d.articles.len() >= SUBGROUPS_FROM { 0 } else { 3 }))
        }
        section #quotes {
            h2 { "Quotes" }
            (quotes_block(&d.quotes))
        }
        section #entities {
            h2 { "Entities" }
            (entity_chips(&d.entities, "No people, organisations or places were extracted for this story."))
        }
    }
}

/// The chart rows of a story's coverage: the outlets with most articles (in the order of
/// their first article), the rest merged into one row so a story from seventy outlets stays
/// one screen high.
fn coverage_rows(d: &StoryDetail) -> Vec<svg::CoverageRow> {
    let rows = &d.coverage.rows;
    let mut keep: Vec<usize> = (0..rows.len()).collect();
    if rows.len() > COVERAGE_ROWS {
        keep.sort_by_key(|&i| std::cmp::Reverse(rows[i].times.len() + rows[i].undated));
        keep.truncate(COVERAGE_ROWS - 1);
        keep.sort_unstable();
    }
    let mut out: Vec<svg::CoverageRow> = keep
        .iter()
        .map(|&i| svg::CoverageRow {
            label: rows[i]
                .outlet
                .clone()
                .unwrap_or_else(|| "(no outlet)".into()),
            times: rows[i].times.clone(),
            undated: rows[i].undated,
        })
        .collect();
    if keep.len() < rows.len() {
        let rest: Vec<usize> = (0..rows.len()).filter(|i| !keep.contains(i)).collect();
        out.push(svg::CoverageRow {
            label: format!("{} other outlets", rest.len()),
            times: rest
                .iter()
                .flat_map(|&i| rows[i].times.iter().copied())
                .collect(),
            undated: rest.iter().map(|&i| rows[i].undated).sum(),
        });
    }
    out
}

/// A story's articles: `per_page` originals from `skip`, each with its copies folded under it
/// (outlet, time and a link to the diff against the original).
fn article_table(groups: &[CopyGroup<'_>], skip: usize, per_page: usize) -> Markup {
    html! {
        table.articles {
            thead { tr { th { "Published" } th { "Outlet" } th { "Title" } th { "" } } }
            tbody {
                @for g in groups.iter().skip(skip).take(per_page) {
                    @let a = g.original;
                    tr.original {
                        td.nowrap { (published_cell(a)) }
                        td { @match &a.outlet { Some(o) => span.outlet { (o) }, None => span.muted { "—" } } }
                        td {
                            a href=(article_href(&a.id)) { (article_title(a)) }
                            @if let Some(orig) = &a.duplicate_of {
                                " " a.tag.dup href=(compare_href(orig, &a.id)) title="A copy of an article in another story: compare them" { "copy · compare" }
                            }
                            @if !g.copies.is_empty() {
                                details.copies {
                                    summary { (fmt::plural(g.copies.len(), "copy", "copies")) " in "
                                        (fmt::plural(distinct_outlets(&g.copies), "outlet", "outlets")) }
                                    ul.copy-list {
                                        @for c in &g.copies {
                                            li {
                                                span.outlet { (c.outlet.as_deref().unwrap_or("(no outlet)")) }
                                                " · " (published_cell(c)) " · "
                                                a href=(article_href(&c.id)) { "article" } " · "
                                                a href=(compare_href(&a.id, &c.id)) { "differences" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        td.nowrap {
                            @if let Some(u) = a.url.as_deref().and_then(fmt::safe_url) {
                                a.ext href=(u) rel="noopener noreferrer nofollow" target="_blank" { "source ↗" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn published_cell(a: &ArticleMeta) -> Markup {
    html! {
        @match &a.published {
            Some(p) => time datetime=(p) { (fmt::datetime(p, a.published_precision.as_deref())) },
            None => span.muted { "undated" },
        }
    }
}

fn distinct_outlets(list: &[&ArticleMeta]) -> usize {
    let mut o: Vec<&str> = list.iter().filter_map(|a| a.outlet.as_deref()).collect();
    o.sort_unstable();
    o.dedup();
    o.len()
}

/// Link to the word diff of two articles.
fn compare_href(a: &str, b: &str) -> String {
    format!("/compare{}", fmt::query(&[("a", Some(a)), ("b", Some(b))]))
}

/// A big story's originals in sub-groups by shared distinctive words (see `groups`).
fn subgroups_block(groups: &[CopyGroup<'_>], story: &str) -> Markup {
    let subs = sub_groups(groups);
    let grouped: usize = subs.iter().map(|s| s.members.len()).sum();
    html! {
        section #subgroups {
            h2 { "Sub-groups" }
            @if subs.is_empty() {
                p.empty { "Its articles do not fall into sub-groups by the words of their titles." }
            } @else {
                p.muted { (fmt::plural(grouped, "original", "originals")) " of " (fmt::int(groups.len() as i64))
                    " fall into " (fmt::plural(subs.len(), "sub-group", "sub-groups"))
                    " by the distinctive words their titles share (copies are counted with their originals)." }
                div.subgroups {
                    @for sub in subs.iter().take(SUBGROUPS_SHOWN) {
                        @let with_copies: usize = sub.members.iter().map(|&m| 1 + groups[m].copies.len()).sum();
                        details.subgroup {
                            summary {
                                span.sub-words { (sub.words.join(" · ")) }
                                " " span.count { (with_copies) }
                            }
                            ul.sub-list {
                                @for &m in &sub.members {
                                    @let a = groups[m].original;
                                    li {
                                        a href=(article_href(&a.id)) { (article_title(a)) }
                                        span.muted { " · " (a.outlet.as_deref().unwrap_or("")) " · " (published_cell(a)) }
                                        @if !groups[m].copies.is_empty() { " " span.tag { "+" (groups[m].copies.len()) " copies" } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if subs.len() > SUBGROUPS_SHOWN {
                    p.muted { "and " (fmt::plural(subs.len() - SUBGROUPS_SHOWN, "smaller sub-group", "smaller sub-groups")) "." }
                }
                p.muted { "All articles, page by page: " a href={(story_href(story)) "#articles"} { "below" } }
            }
        }
    }
}

fn outlet_or_id(m: &Option<ArticleMeta>, id: &str) -> String {
    m.as_ref()
        .and_then(|m| m.outlet.clone())
        .unwrap_or_else(|| id.to_string())
}

fn passages_block(page: &model::Page<Passage>, api_scope: &str, open: usize) -> Markup {
    html! {
        @if page.items.is_empty() {
            p.empty { "No shared passages were found (or the align stage has not run yet)." }
        } @else {
            p.legend {
                "Word-level differences: " del { "struck" } " = only in the first article, "
                ins { "underlined" } " = only in the second."
            }
            div.passages {
                @for (i, p) in page.items.iter().enumerate() {
                    @let a_name = outlet_or_id(&p.a_meta, &p.span.a);
                    @let b_name = outlet_or_id(&p.b_meta, &p.span.b);
                    @let words = p.a_text.split_whitespace().count();
                    details.passage open[i < open] {
                        summary {
                            span.pair { a href=(article_href(&p.span.a)) { (a_name) } " ⇄ " a href=(article_href(&p.span.b)) { (b_name) } }
                            span.muted { " · " (format!("{:.0}", p.word_similarity * 100.0)) "% of words shared · " (fmt::plural(words, "word", "words")) }
                        }
                        div.passage-body {
                            div.diff-titles {
                                div { span.side-a { "A" } " " (p.a_meta.as_ref().map(article_title).unwrap_or_else(|| p.span.a.clone())) }
                                div { span.side-b { "B" } " " (p.b_meta.as_ref().map(article_title).unwrap_or_else(|| p.span.b.clone())) }
                            }
                            p.diff { (diff_markup(&p.diff)) }
                        }
                    }
                }
            }
            @if page.total > page.items.len() {
                p.muted { "Showing the " (page.items.len()) " longest of " (fmt::int(page.total as i64))
                    " passages; all of them: " a href={"/api/passages?" (api_scope)} { "/api/passages?" (api_scope) } }
            }
        }
    }
}

/// A word diff as `del`/`ins` runs. A cut run directly followed by an added one (or the
/// reverse) gets a space between them when neither has one at the seam, so that
/// `Committee and` then `Committee,` do not read as `Committee andCommittee,`.
pub(crate) fn diff_markup(pieces: &[Piece]) -> Markup {
    html! {
        @for (i, piece) in pieces.iter().enumerate() {
            @let seam = i > 0 && pieces[i - 1].op != Op::Equal && piece.op != Op::Equal
                && !pieces[i - 1].text.ends_with(char::is_whitespace)
                && !piece.text.starts_with(char::is_whitespace);
            @if seam { " " }
            @match piece.op {
                Op::Equal => (piece.text),
                Op::Delete => del { (piece.text) },
                Op::Insert => ins { (piece.text) },
            }
        }
    }
}

fn quote_item(q: &Quote) -> Markup {
    html! {
        li.quote {
            blockquote class=(if q.quote.direct { "direct" } else { "reported" }) {
                @if q.quote.direct { "“" (q.quote.text) "”" } @else { (q.quote.text) }
            }
            div.cite {
                @if !q.quote.direct { span.tag { "reported" } " " }
                a href=(article_href(&q.quote.article)) { (quote_source(q)) }
                @if let Some(p) = &q.published { " · " (fmt::date(p)) }
            }
        }
    }
}

/// Quotes shown per speaker before the rest fold away.
const QUOTES_SHOWN: usize = 2;
/// Renderings shown per statement before the rest fold away.
const RENDERINGS_SHOWN: usize = 1;
/// Sub-groups listed on a story page (the largest).
const SUBGROUPS_SHOWN: usize = 12;
/// Outlets listed as chips under a story's coverage chart (the earliest).
const OUTLET_CHIPS: usize = 40;
/// Outlets drawn as rows of a story's coverage chart (the others share one row).
const COVERAGE_ROWS: usize = 30;

/// Where a quote appeared: the outlet, else the start of the article's title, else its id.
fn quote_source(q: &Quote) -> String {
    if let Some(o) = &q.outlet {
        return o.clone();
    }
    let title = q.title.as_deref().filter(|t| !t.trim().is_empty());
    lede_or(title.unwrap_or(&q.lede), &q.quote.article)
}

fn quotes_block(g: &QuoteGroups) -> Markup {
    html! {
        @if g.total == 0 {
            p.empty { "No quotations were extracted for this story." }
        } @else {
            div.two-col {
                div.col #quotes-by-speaker {
                    h3 { "By speaker" }
                    @for sg in &g.by_speaker {
                        div.speaker {
                            h4 { (sg.speaker.as_deref().unwrap_or("Unattributed")) " " span.count { (sg.quotes.len()) }
                                @if let Some(name) = &sg.speaker {
                                    " " a.all-quotes href={"/quotes" (fmt::query(&[("speaker", Some(name))]))} { "all quotes →" }
                                }
                            }
                            ul.quotes { @for q in sg.quotes.iter().take(QUOTES_SHOWN) { (quote_item(q)) } }
                            @if sg.quotes.len() > QUOTES_SHOWN {
                                details.more {
                                    summary { (sg.quotes.len() - QUOTES_SHOWN) " more" }
                                    ul.quotes { @for q in sg.quotes.iter().skip(QUOTES_SHOWN) { (quote_item(q)) } }
                                }
                            }
                        }
                    }
                }
                div.col #quotes-by-statement {
                    h3 { "By statement" }
                    @if g.by_statement.is_empty() { p.empty { "No statements are linked across articles." } }
                    @for st in &g.by_statement {
                        div.statement {
                            h4 {
                                (st.speaker.as_deref().unwrap_or("Unattributed"))
                                span.muted { " · in " (fmt::plural(st.articles, "article", "articles")) }
                            }
                            ul.quotes { @for q in st.quotes.iter().take(RENDERINGS_SHOWN) { (quote_item(q)) } }
                            @if st.quotes.len() > RENDERINGS_SHOWN {
                                details.more {
                                    summary { (st.quotes.len() - RENDERINGS_SHOWN) " more renderings" }
                                    ul.quotes { @for q in st.quotes.iter().skip(RENDERINGS_SHOWN) { (quote_item(q)) } }
                                }
                            }
                        }
                    }
                }
            }
            @if g.truncated {
                p.muted { "Showing the most quoted " (g.by_speaker.len()) " of " (fmt::int(g.speakers as i64))
                    " speakers and the most repeated " (g.by_statement.len()) " of " (fmt::int(g.statements as i64))
                    " statements (" (fmt::int(g.total as i64)) " quotes in all); every quote is in the JSON API." }
            }
        }
    }
}

fn kind_name(kind: &str) -> &str {
    match kind {
        "PER" => "People",
        "ORG" => "Organisations",
        "LOC" => "Places",
        other => other,
    }
}

fn entity_chips(entities: &[EntityCount], empty: &str) -> Markup {
    let mut kinds: Vec<&str> = entities.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable_by_key(|k| {
        (
            ["PER", "ORG", "LOC"]
                .iter()
                .position(|x| x == k)
                .unwrap_or(9),
            *k,
        )
    });
    kinds.dedup();
    html! {
        @if entities.is_empty() { p.empty { (empty) } }
        @for k in &kinds {
            div.entity-group {
                h3 { (kind_name(k)) }
                ul.chips {
                    @for e in entities.iter().filter(|e| e.kind == *k) {
                        li { a.chip href=(entity_href(&e.id)) title={(fmt::plural(e.mentions as usize, "mention", "mentions")) " in " (fmt::plural(e.articles as usize, "article", "articles"))} {
                            (e.name) " " span.count { (e.articles) }
                        } }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Article page

async fn article(State(s): State<AppState>, Path(id): Path<String>) -> PageResult {
    let key = id.clone();
    let Some(d) = s.db.read(move |st| model::article_detail(st, &key)).await? else {
        return Err(Failure::NotFound(format!("There is no article with id “{id}”.")).into());
    };
    let title = match d.article.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => t.to_string(),
        None => lede_or(&d.article.text, &d.article.id),
    };
    ok(layout(&title, Nav::Stories, article_body(&d, &title)))
}

fn article_body(d: &ArticleDetail, title: &str) -> Markup {
    let a = &d.article;
    let paragraphs: Vec<&str> = a
        .text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let quote_texts: Vec<&str> = d.quotes.iter().map(|q| q.quote.text.as_str()).collect();
    let mention_texts: Vec<&str> = d.mentions.iter().map(|m| m.text.as_str()).collect();
    html! {
        nav.crumbs {
            a href="/" { "Stories" } " › "
            @if let Some(st) = &d.story { a href=(story_href(&st.id)) { (title_or(&st.title, "Untitled story")) } " › " }
        }
        div.page-head {
            h1 { (title) }
            @if let Some(why) = &a.kind_reason {
                p.sub.non-article { span.tag { "not an article" } " " (why) "; it is kept out of stories." }
            }
        }
        div.article-layout {
            article.body {
                @if paragraphs.is_empty() { p.empty { "This article has no cleaned text yet." } }
                @if !d.quotes.is_empty() || !d.mentions.is_empty() {
                    p.legend.marks-legend { q.quote-mark { "quotation" } " " span.ent-mark.per { "person" } " "
                        span.ent-mark.org { "organisation" } " " span.ent-mark.loc { "place" } }
                }
                @for para in &paragraphs {
                    @if a.subheads.iter().any(|s| s.trim() == *para) { h3.subhead { (para) } }
                    @else { p { (marked_paragraph(para, &quote_texts, &mention_texts, d)) } }
                }
                details.removed #removed {
                    summary { "Removed boilerplate and metadata " span.count { (d.removed_lines.len()) } }
                    @if d.removed_lines.is_empty() { p.empty { "Nothing was removed." } }
                    @else {
                        ul.removed-lines {
                            @for r in &d.removed_lines {
                                li {
                                    span.tag { (reason_name(&r.reason)) }
                                    " " span.removed-text { (r.text) }
                                }
                            }
                        }
                    }
                }
            }
            aside.facts {
                dl {
                    (fact("Outlet", a.outlet.as_deref().map(|o| html! { a href={"/" (fmt::query(&[("outlet", Some(o))]))} { (o) } })))
                    (fact("Published", a.published.as_deref().map(|p| html! {
                        time datetime=(p) { (fmt::datetime(p, a.published_precision.as_deref())) }
                    })))
                    @if let Some(flag) = &a.published_flag { (fact("Date note", Some(html! { span.muted { (flag) } }))) }
                    (fact("Author", a.author.as_deref().map(|x| html! { (x) })))
                    (fact("Dateline", a.dateline.as_deref().map(|x| html! { (x) })))
                    (fact("Section", a.section.as_deref().map(|x| html! { (x) })))
                    (fact("Story", d.story.as_ref().map(|st| html! {
                        a href=(story_href(&st.id)) { (title_or(&st.title, &st.id)) }
                        br; span.muted { (fmt::plural(st.articles as usize, "article", "articles")) }
                    })))
                    (fact("Copy of", a.duplicate_of.as_deref().map(|o| html! {
                        @match &d.original {
                            Some(m) => {
                                a href=(article_href(o)) { (m.outlet.as_deref().unwrap_or("")) @if m.outlet.is_some() { ": " } (article_title(m)) }
                            },
                            None => a href=(article_href(o)) { "the original" },
                        }
                        br; a href=(compare_href(o, &a.id)) { "see the differences" }
                    })))
                    @if !d.copies.is_empty() {
                        (fact("Copies", Some(html! {
                            ul.fact-list {
                                @for c in &d.copies {
                                    li { a href=(article_href(&c.id)) { (c.outlet.as_deref().unwrap_or("(no outlet)")) }
                                        " · " a href=(compare_href(&a.id, &c.id)) { "differences" } }
                                }
                            }
                        })))
                    } @else if a.copies > 0 { (fact("Copies", Some(html! { (a.copies) }))) }
                    (fact("Source", a.url.as_deref().map(|u| match fmt::safe_url(u) {
                        Some(u) => html! { a.ext.break href=(u) rel="noopener noreferrer nofollow" target="_blank" { (u) } },
                        None => html! { code.break { (u) } },
                    })))
                    (fact("Id", Some(html! { code.break { (a.id) } })))
                    @if a.version > 1 { (fact("Version", Some(html! { (a.version) }))) }
                    (fact("Read from", Some(html! { code.break { (a.source) } })))
                    (fact("JSON", Some(html! { a href={"/api/articles/" (fmt::enc(&a.id))} { "/api/articles/…" } })))
                }
            }
        }
        section #quotes {
            h2 { "Quotes" }
            @if d.quotes.is_empty() { p.empty { "No quotations were extracted from this article." } }
            @else {
                ul.quotes {
                    @for q in &d.quotes {
                        li.quote {
                            blockquote class=(if q.quote.direct { "direct" } else { "reported" }) {
                                @if q.quote.direct { "“" (q.quote.text) "”" } @else { (q.quote.text) }
                            }
                            div.cite { "— " (q.quote.speaker.as_deref().unwrap_or("unattributed")) }
                        }
                    }
                }
            }
        }
        section #entities {
            h2 { "Entities" }
            (entity_chips(&d.entities, "No people, organisations or places were extracted from this article."))
        }
        section #passages {
            h2 { "Passages shared with other articles" }
            (passages_block(&d.passages, &format!("article={}", fmt::enc(&a.id)), 3))
        }
    }
}

/// A paragraph with its quotations and entity mentions marked (see `context`): quotations
/// as `q`, mentions as links to their entity.
fn marked_paragraph(para: &str, quotes: &[&str], mentions: &[&str], d: &ArticleDetail) -> Markup {
    let pieces = mark_paragraph(para, quotes, mentions);
    fn piece(p: &crate::context::Piece, d: &ArticleDetail) -> Markup {
        html! {
            @match p.mark {
                Mark::Text => (p.text),
                Mark::Quote(i) => q.quote-mark title={"Quoted: " (d.quotes[i].quote.speaker.as_deref().unwrap_or("unattributed"))} {
                    @for inner in &p.inner { (piece(inner, d)) }
                },
                Mark::Entity(i) => {
                    @let m = &d.mentions[i];
                    a class={"ent-mark " (m.kind.to_ascii_lowercase())} href=(entity_href(&m.entity)) title=(m.name) { (p.text) }
                },
            }
        }
    }
    html! { @for p in &pieces { (piece(p, d)) } }
}

fn fact(name: &str, value: Option<Markup>) -> Markup {
    html! {
        @if let Some(v) = value {
            dt { (name) }
            dd { (v) }
        }
    }
}

fn reason_name(r: &ibid_core::RemovalReason) -> &'static str {
    use ibid_core::RemovalReason::*;
    match r {
        Boilerplate => "boilerplate",
        Code => "code",
        Repeated => "repeated",
        Metadata => "metadata",
        OutletBoilerplate => "outlet boilerplate",
    }
}

// ---------------------------------------------------------------------------------------------
// Entities

async fn entities(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 1_000_000)?;
    let name = p.str("q").map(str::to_string);
    let kind = p.choice("type", &["PER", "ORG", "LOC"], "")?;
    let kind_opt = (!kind.is_empty()).then(|| kind.to_string());
    let offset = (page - 1) * PER_PAGE * 2;
    let (total, rows) = {
        let (n, k) = (name.clone(), kind_opt.clone());
        s.db.read(move |st| {
            queries::entities(
                st.connection(),
                n.as_deref(),
                k.as_deref(),
                PER_PAGE * 2,
                offset,
            )
        })
        .await?
    };
    let link = |n: usize| {
        let page = n.to_string();
        format!(
            "/entities{}",
            fmt::query(&[
                ("q", name.as_deref()),
                ("type", kind_opt.as_deref()),
                ("page", (n > 1).then_some(page.as_str()))
            ])
        )
    };
    let body = html! {
        div.page-head { h1 { "Entities" } p.lede { "People, organisations and places, by how many articles mention them." } }
        form.filters action="/entities" method="get" {
            label.grow { span { "Name" } input type="search" name="q" value=[name.as_deref()] placeholder="any name"; }
            label { span { "Type" }
                select name="type" {
                    option value="" selected[kind.is_empty()] { "All" }
                    option value="PER" selected[kind == "PER"] { "People" }
                    option value="ORG" selected[kind == "ORG"] { "Organisations" }
                    option value="LOC" selected[kind == "LOC"] { "Places" }
                }
            }
            div.filter-actions { button type="submit" { "Apply" } }
        }
        @if rows.is_empty() { p.empty { "No entity matches (or the extract stage has not run yet)." } }
        @else {
            table.entities {
                thead { tr { th { "Name" } th { "Type" } th.num { "Articles" } th.num { "Mentions" } th { "Also written" } } }
                tbody {
                    @for e in &rows {
                        tr {
                            td { a href=(entity_href(&e.id)) { (e.name) } }
                            td { span.tag { (kind_name(&e.kind)) } }
                            td.num { (fmt::int(e.articles)) }
                            td.num { (fmt::int(e.mentions)) }
                            td.muted { (variants_line(e)) }
                        }
                    }
                }
            }
        }
        (pager(page, PER_PAGE * 2, total, link))
    };
    ok(layout("Entities", Nav::Entities, body))
}

fn variants_line(e: &EntityCount) -> String {
    let others: Vec<&str> = e
        .variants
        .iter()
        .map(String::as_str)
        .filter(|v| *v != e.name)
        .take(6)
        .collect();
    others.join(", ")
}

async fn entity(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 1_000_000)?;
    let key = id.clone();
    let offset = (page - 1) * 50;
    let Some(d) =
        s.db.read(move |st| model::entity_detail(st, &key, 50, offset))
            .await?
    else {
        return Err(Failure::NotFound(format!("There is no entity with id “{id}”.")).into());
    };
    let link = |n: usize| format!("{}?page={n}", entity_href(&d.entity.id));
    ok(layout(
        &d.entity.name.clone(),
        Nav::Entities,
        entity_body(&d, page, link),
    ))
}

fn entity_body(d: &EntityDetail, page: usize, link: impl Fn(usize) -> String) -> Markup {
    let e = &d.entity;
    html! {
        nav.crumbs { a href="/entities" { "Entities" } " › " }
        div.page-head {
            h1 { (e.name) " " span.tag { (kind_name(&e.kind)) } }
            p.lede {
                (fmt::plural(e.mentions as usize, "mention", "mentions")) " in "
                (fmt::plural(e.articles as usize, "article", "articles")) " · "
                (fmt::plural(d.stories.len(), "story", "stories"))
            }
            @let v = variants_line(e);
            @if !v.is_empty() { p.sub { "Also written: " (v) } }
        }
        section #stories {
            h2 { "Stories" }
            @if d.stories.is_empty() { p.empty { "No story mentions it." } }
            ol.story-list {
                @for s in &d.stories {
                    li.story-item {
                        div.story-main {
                            a.story-title href=(story_href(&s.story.id)) { (title_or(&s.story.title, "Untitled story")) }
                            div.meta { (story_meta(&s.story)) " · mentioned in " (s.mentioning_articles) }
                        }
                    }
                }
            }
            p { a href={"/" (fmt::query(&[("entity", Some(&e.id))]))} { "Filter the story list by " (e.name) " →" } }
        }
        section #mentions {
            h2 { "Mentions" }
            ul.mention-list {
                @for m in &d.mentions.items {
                    li.mention {
                        p.context {
                            @match &m.context {
                                Some(c) => { (c.before) mark { (m.mention.text) } (c.after) },
                                None => mark { (m.mention.text) },
                            }
                        }
                        div.cite {
                            span.outlet { (m.outlet.as_deref().unwrap_or("—")) } " · "
                            a href=(article_href(&m.mention.article)) { (title_or(&m.title, &m.mention.article)) }
                        }
                    }
                }
            }
            (pager(page, 50, d.mentions.total, link))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Search

async fn search(State(s): State<AppState>, q: Q) -> PageResult {
    let p = Params::from_query(q)?;
    let page = p.usize("page", 1, 1, 10_000)?;
    let query = p.str("q").map(str::to_string);
    let results = match query.clone() {
        Some(qs) => crate::api::run_search(&s, qs, PER_PAGE, (page - 1) * PER_PAGE).await?,
        None => None,
    };
    let built_from = results
        .as_ref()
        .and_then(|r| r.stale.as_ref())
        .map(|t| t.mark);
    let link = |n: usize| {
        let page = n.to_string();
        format!(
            "/search{}",
            fmt::query(&[
                ("q", query.as_deref()),
                ("page", (n > 1).then_some(page.as_str()))
            ])
        )
    };
    let body = html! {
        div.page-head { h1 { "Search" } }
        form.search-form action="/search" method="get" role="search" {
            input type="search" name="q" value=[query.as_deref()] placeholder="words, \"a phrase\", prefix*, OR, NOT" aria-label="Search words" autofocus;
            button type="submit" { "Search" }
        }
        @match (&query, &results) {
            (None, _) => p.muted { "Search titles and cleaned article text. Words are combined with AND; "
                "use \"quotes\" for a phrase, a trailing * for a prefix, OR and NOT between words." },
            (Some(_), None) => p.empty { "Type at least one word to search for." },
            (Some(_), Some(r)) => {
                p.count-line #result-count {
                    @if r.total_exact { (fmt::plural(r.page.total, "article matches", "articles match")) }
                    @else { (fmt::int(r.page.total as i64)) "+ articles match" }
                    @if let Some(w) = r.ranked_window {
                        span.muted { " · best of the " (fmt::int(w as i64)) " most recently stored" }
                    }
                }
                ol.hits {
                    @for h in &r.page.items {
                        li.hit {
                            a.hit-title href=(article_href(&h.id)) { (title_or(&h.title, &h.id)) }
                            div.meta {
                                @if let Some(o) = &h.outlet { span.outlet { (o) } }
                                @if let Some(p) = &h.published { " · " (fmt::date(p)) }
                                @if let Some(st) = &h.story { " · " a href=(story_href(st)) { "story" } }
                                @if h.copies > 0 {
                                    " · " a.copies-link href=(article_href(h.group.as_deref().unwrap_or(&h.id)))
                                        title="The same text in other outlets; the original lists them" {
                                        "and " (fmt::plural(h.copies as usize, "copy", "copies"))
                                    }
                                }
                            }
                            p.snippet {
                                @for (hit, text) in snippet_parts(&h.snippet) {
                                    @if hit { mark { (text) } } @else { (text) }
                                }
                            }
                        }
                    }
                }
                (pager(page, PER_PAGE, r.page.total, link))
            },
        }
    };
    let mut res = ok(layout(
        &match &query {
            Some(q) => format!("Search: {q}"),
            None => "Search".to_string(),
        },
        Nav::Search,
        body,
    ))?;
    crate::mark_built_from(&mut res, built_from);
    Ok(res)
}
