//! The JSON API under `/api`, described by `openapi.json` (hand-written: a derive-based
//! generator such as utoipa would add a proc-macro stack to compile for a dozen routes).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::error::{ApiError, Failure};
use crate::model::{self, Page};
use crate::params::Params;
use crate::queries::{self, StoryFilter, StorySort};
use crate::AppState;

/// The OpenAPI 3 document, served at `/api/openapi.json`.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;
type ApiResult = Result<Response, ApiError>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/status", get(status))
        .route("/api/ready", get(ready))
        .route("/api/stories", get(stories))
        .route("/api/stories/{*id}", get(story))
        .route("/api/articles", get(articles))
        .route("/api/articles/{*id}", get(article))
        .route("/api/passages", get(passages))
        .route("/api/quotes", get(quotes))
        .route("/api/entities", get(entities))
        .route("/api/entities/{*id}", get(entity))
        .route("/api/storylines/{*id}", get(storyline))
        .route("/api/passages/{*id}", get(passage))
        .route("/api/search", get(search))
}

fn json<T: Serialize>(v: &T) -> ApiResult {
    Ok(Json(v).into_response())
}

/// JSON 404 for unknown `/api/...` paths.
pub(crate) fn not_found(uri: &Uri) -> Response {
    ApiError(Failure::NotFound(format!(
        "no such endpoint: {}",
        uri.path()
    )))
    .into_response()
}

async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

async fn status(State(s): State<AppState>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let counts = s.db.read(|st| Ok(st.counts()?)).await?;
    json(&counts)
}

/// Readiness: 200 once the server has built its most wanted pages after starting (see
/// `warm`), 503 before; never cached. A load balancer or a benchmark waits for it rather than
/// send the first visitors to a cold cache; the server answers every request either way.
async fn ready(State(s): State<AppState>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let ready = s.ready.load(std::sync::atomic::Ordering::Acquire);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "ready": ready })),
    )
        .into_response())
}

/// Story-list parameters shared by the API and the story list page.
pub(crate) fn story_filter(p: &Params, default_limit: usize) -> Result<StoryFilter, Failure> {
    let (limit, offset) = p.page(default_limit)?;
    let from = p.time("from")?;
    let to = p.time("to")?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(Failure::Unprocessable("from must not be after to".into()));
        }
    }
    let sort = match p.choice("sort", &["size", "first_seen"], "size")? {
        "first_seen" => StorySort::FirstSeen,
        _ => StorySort::Size,
    };
    let desc = p.choice("order", &["desc", "asc"], "desc")? == "desc";
    Ok(StoryFilter {
        from,
        to,
        outlet: p.str("outlet").map(str::to_string),
        entity: p.str("entity").map(str::to_string),
        sort,
        desc,
        limit,
        offset,
    })
}

async fn stories(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&[
        "from", "to", "outlet", "entity", "sort", "order", "limit", "offset",
    ])?;
    let f = story_filter(&p, 20)?;
    let (limit, offset) = (f.limit, f.offset);
    let caches = s.caches.clone();
    let mark = s.db.last_change(crate::db::Scope::Derived);
    let (total, items) =
        s.db.read(move |st| queries::stories_cached(st.connection(), &f, &caches, mark))
            .await?;
    json(&Page {
        total,
        limit,
        offset,
        items,
    })
}

async fn story(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let key = id.clone();
    let caches = s.caches.clone();
    let mark = s.db.last_change(crate::db::Scope::Derived);
    match s
        .db
        .read(move |st| model::story_detail_cached(st, &key, &caches, mark))
        .await?
    {
        Some(d) => json(&*d),
        None => Err(Failure::NotFound(format!("no story with id {id:?}")).into()),
    }
}

async fn articles(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&["outlet", "limit", "offset"])?;
    let (limit, offset) = p.page(20)?;
    let outlet = p.str("outlet").map(str::to_string);
    let (total, items) =
        s.db.read(move |st| queries::articles(st.connection(), outlet.as_deref(), limit, offset))
            .await?;
    json(&Page {
        total,
        limit,
        offset,
        items,
    })
}

async fn article(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let key = id.clone();
    match s.db.read(move |st| model::article_detail(st, &key)).await? {
        Some(d) => json(&d),
        None => Err(Failure::NotFound(format!("no article with id {id:?}")).into()),
    }
}

/// The article ids named by `story=` or `article=` (exactly one), or a 400/404.
fn scope(
    st: &ibid_store::Store,
    story: Option<&str>,
    article: Option<&str>,
) -> Result<Vec<String>, Failure> {
    match (story, article) {
        (Some(s), None) => match st.story(s)? {
            Some(row) => Ok(row.articles),
            None => Err(Failure::NotFound(format!("no story with id {s:?}"))),
        },
        (None, Some(a)) => match st.original_text(a)? {
            Some(_) => Ok(vec![a.to_string()]),
            None => Err(Failure::NotFound(format!("no article with id {a:?}"))),
        },
        _ => Err(Failure::Unprocessable(
            "give exactly one of story= or article=".into(),
        )),
    }
}

async fn passages(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&["story", "article", "limit", "offset"])?;
    let (limit, offset) = p.page(20)?;
    let story = p.str("story").map(str::to_string);
    let article = p.str("article").map(str::to_string);
    let page =
        s.db.read(move |st| {
            let ids = scope(st, story.as_deref(), article.as_deref())?;
            model::passages(st, &ids, limit, offset)
        })
        .await?;
    json(&page)
}

async fn quotes(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&[
        "story", "article", "speaker", "q", "group", "all", "limit", "offset",
    ])?;
    let (limit, offset) = p.page(50)?;
    let story = p.str("story").map(str::to_string);
    let article = p.str("article").map(str::to_string);
    let speaker = p.str("speaker").map(str::to_string);
    // Direct quotes and confident indirect ones, unless every quote is asked for.
    let min = match p.choice("all", &["false", "true"], "false")? {
        "true" => 0.0,
        _ => ibid_store::LISTED_CONFIDENCE,
    };
    let words = p.str("q").map(str::to_string);
    let group = p.choice("group", &["none", "speaker", "statement"], "none")?;
    if group != "none" && story.is_none() && article.is_none() {
        return Err(Failure::Unprocessable("group= needs story= or article=".into()).into());
    }
    if words.is_some() && (story.is_some() || article.is_some()) {
        return Err(Failure::Unprocessable(
            "q= searches all quotes: drop story= and article=".into(),
        )
        .into());
    }
    if let Some(words) = words {
        let (total, items) =
            s.db.read(move |st| {
                queries::quotes_search(
                    st.connection(),
                    speaker.as_deref().map(queries::Speaker::Exact),
                    Some(&words),
                    min,
                    limit,
                    offset,
                )
            })
            .await?;
        return json(&Page {
            total,
            limit,
            offset,
            items,
        });
    }
    if story.is_none() && article.is_none() {
        let (total, items) =
            s.db.read(move |st| {
                queries::quotes_page(st.connection(), speaker.as_deref(), min, limit, offset)
            })
            .await?;
        return json(&Page {
            total,
            limit,
            offset,
            items,
        });
    }
    let all =
        s.db.read(move |st| {
            let ids = scope(st, story.as_deref(), article.as_deref())?;
            model::quotes(st, &ids, &[], speaker.as_deref(), min)
        })
        .await?;
    if group != "none" {
        // Grouped answers are whole: a story's quotes are few enough, and a page boundary
        // inside a group would mislead.
        return json(&model::group_quotes(all, None));
    }
    let total = all.len();
    let items: Vec<_> = all.into_iter().skip(offset).take(limit).collect();
    json(&Page {
        total,
        limit,
        offset,
        items,
    })
}

async fn entities(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&["q", "type", "limit", "offset"])?;
    let (limit, offset) = p.page(50)?;
    let name = p.str("q").map(str::to_string);
    let kind = p.str("type").map(str::to_string);
    let (total, items) =
        s.db.read(move |st| {
            queries::entities(
                st.connection(),
                name.as_deref(),
                kind.as_deref(),
                limit,
                offset,
            )
        })
        .await?;
    json(&Page {
        total,
        limit,
        offset,
        items,
    })
}

async fn entity(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&["limit", "offset"])?;
    let (limit, offset) = p.page(50)?;
    let key = id.clone();
    match s
        .db
        .read(move |st| model::entity_detail(st, &key, limit, offset))
        .await?
    {
        Some(d) => json(&d),
        None => Err(Failure::NotFound(format!("no entity with id {id:?}")).into()),
    }
}

async fn storyline(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let key = id.clone();
    match s
        .db
        .read(move |st| model::storyline_detail(st, &key))
        .await?
    {
        Some(d) => json(&d),
        None => Err(Failure::NotFound(format!("no storyline with id {id:?}")).into()),
    }
}

async fn passage(State(s): State<AppState>, Path(id): Path<String>, q: Q) -> ApiResult {
    Params::api(q)?.only(&[])?;
    let key = id.clone();
    match s.db.read(move |st| model::passage_detail(st, &key)).await? {
        Some(d) => json(&d),
        None => Err(Failure::NotFound(format!("no passage with id {id:?}")).into()),
    }
}

async fn search(State(s): State<AppState>, q: Q) -> ApiResult {
    let p = Params::api(q)?;
    p.only(&["q", "limit", "offset"])?;
    let (limit, offset) = p.page(20)?;
    let Some(query) = p.str("q").map(str::to_string) else {
        return Err(if p.has("q") {
            Failure::Unprocessable("q has no searchable word".into())
        } else {
            Failure::BadRequest("q (the search words) is required".into())
        }
        .into());
    };
    match run_search(&s, query, limit, offset).await? {
        Some(r) => {
            let mut res = json(&r)?;
            crate::mark_built_from(&mut res, r.stale.as_ref().map(|t| t.mark));
            Ok(res)
        }
        None => Err(Failure::Unprocessable("q has no searchable word".into()).into()),
    }
}

/// [`model::search`] for a request: phrase hits from before the search index's last change
/// are used for as long as a stale cached page would be served (`max_stale` after the
/// change), and rebuilt in the background meanwhile, so an ingest's commits do not put a
/// re-read of every searched word on visitors' requests.
pub(crate) async fn run_search(
    s: &AppState,
    query: String,
    limit: usize,
    offset: usize,
) -> Result<Option<model::SearchResults>, Failure> {
    crate::search::check_bounds(&query).map_err(Failure::Unprocessable)?;
    let caches = s.caches.clone();
    let mark = s.db.last_change(crate::db::Scope::Search);
    let (db, max_stale) = (s.db.clone(), s.max_stale);
    let results =
        s.db.read(move |st| {
            let usable = |m: u64| {
                db.stale_for(crate::db::Scope::Search, m)
                    .is_some_and(|d| d < max_stale)
            };
            model::search(st, &query, limit, offset, &caches.terms, mark, &usable)
        })
        .await?;
    if let Some(stale) = results.as_ref().and_then(|r| r.stale.as_ref()) {
        for phrase in &stale.phrases {
            refresh_phrase(s, phrase.clone());
        }
    }
    Ok(results)
}

/// Rebuilds `phrase`'s hits in the background, once at a time, unless current ones appear.
fn refresh_phrase(s: &AppState, phrase: String) {
    if !s.caches.terms.begin_refresh(&phrase) {
        return;
    }
    let state = s.clone();
    tokio::spawn(async move {
        let _permit = state.refreshers.acquire().await;
        let mark = state.db.last_change(crate::db::Scope::Search);
        let terms = &state.caches.terms;
        if terms.get(&phrase).is_none_or(|(m, _)| m < mark) {
            let (caches, p) = (state.caches.clone(), phrase.clone());
            let _ = state
                .db
                .read(move |st| {
                    let hits = model::phrase_hits(st.connection(), &p)?;
                    caches.terms.put(mark, &p, hits);
                    Ok(())
                })
                .await;
        }
        terms.end_refresh(&phrase);
    });
}
