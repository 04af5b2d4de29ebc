//! Background warming of the response cache: after the server starts and after every change
//! of derived data (stories, quotes, entities...), the front page and the pages and API
//! answers of the biggest and the newest stories are built before visitors ask for them.
//!
//! Why: a big story's page costs tens of milliseconds to build cold (thousands of quotes and
//! entity mentions), and a change of derived data makes every story page cold at once. Built
//! on the request path, those builds queue every other visitor's request behind them; built
//! here, one at a time, they cost the same CPU but no visitor waits for them.
//!
//! Also renews the whole-store aggregates of list pages in the background.
//!
//! `/api/ready` answers 200 once the first pass is done.
//!
//! Low priority by construction: one request at a time (so at most one reader connection of
//! the pool), through the same router and cache as visitors, skipping pages already current.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use tower::ServiceExt;

use crate::db::Scope;
use crate::queries::{StoryFilter, StorySort};
use crate::AppState;

/// Biggest stories warmed (their pages are the costly ones to build).
pub(crate) const WARM_BIGGEST: usize = 200;

/// Newest stories warmed (what visitors of a news site open first).
pub(crate) const WARM_NEWEST: usize = 100;

/// How often the warmer looks for a change of derived data.
const POLL: Duration = Duration::from_millis(250);

/// How long derived data must stay unchanged before warming starts: an ingest's later stages
/// commit several times in a row, and warming between them would be thrown away.
const SETTLE: Duration = Duration::from_millis(750);

/// Marks a request as the warmer's (an extension, which no client can set): the response
/// cache then builds a page that is not current instead of serving a stale copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Warming;

/// The paths to warm, most wanted first: the front page, then story pages and their API
/// answers, biggest first, then the newest.
pub(crate) async fn targets(s: &AppState) -> Vec<String> {
    let mark = s.db.last_change(Scope::Derived);
    let caches = s.caches.clone();
    let lists =
        s.db.read(move |st| {
            let list = |sort, limit| {
                let f = StoryFilter {
                    from: None,
                    to: None,
                    outlet: None,
                    entity: None,
                    sort,
                    desc: true,
                    limit,
                    offset: 0,
                };
                crate::queries::stories_cached(st.connection(), &f, &caches, mark)
                    .map(|(_, rows)| rows)
            };
            Ok((
                list(StorySort::Size, WARM_BIGGEST)?,
                list(StorySort::FirstSeen, WARM_NEWEST)?,
            ))
        })
        .await;
    let mut out = vec!["/".to_string()];
    let Ok((biggest, newest)) = lists else {
        return out;
    };
    let mut seen = std::collections::HashSet::new();
    for story in biggest.iter().chain(newest.iter()) {
        if seen.insert(story.id.clone()) {
            let page = crate::fmt::story_href(&story.id);
            out.push(format!("/api{page}"));
            out.push(page);
        }
    }
    out
}

/// Runs until the router is dropped with the server: warms [`targets`] at start and after
/// every settled change of derived data.
pub(crate) async fn run(state: AppState, router: Router) {
    let mut warmed: Option<u64> = None;
    loop {
        tokio::time::sleep(POLL).await;
        let mark = state.db.last_change(Scope::Derived);
        if warmed == Some(mark) {
            continue;
        }
        if warmed.is_some() {
            tokio::time::sleep(SETTLE).await;
            if state.db.last_change(Scope::Derived) != mark {
                continue;
            }
        }
        let started = std::time::Instant::now();
        let paths = targets(&state).await;
        let mut complete = true;
        for path in &paths {
            // Derived data moved on: start again from the most wanted page.
            if state.db.last_change(Scope::Derived) != mark {
                complete = false;
                break;
            }
            let mut req = Request::new(Body::empty());
            let Ok(uri) = path.parse() else { continue };
            *req.uri_mut() = uri;
            req.extensions_mut().insert(Warming);
            // The answer itself is not needed: building it fills the cache. Errors are the
            // visitors' to see when they ask.
            let _ = router.clone().oneshot(req).await;
        }
        if complete {
            tracing::debug!(
                pages = paths.len(),
                ms = started.elapsed().as_millis() as u64,
                "response cache warmed"
            );
            warmed = Some(mark);
            state.ready.store(true, Ordering::Release);
        }
    }
}

/// How often the whole-store aggregates of list pages are checked for expiry.
const AGGREGATES_POLL: Duration = Duration::from_secs(1);

/// Renews the whole-store aggregates that list pages show (store counts, outlets) when they
/// expire, so that requests never compute them after the first time (see
/// [`crate::cache::Ttl::current`]). Each is a scan of the whole store (a quarter to half a
/// second on 37k articles); on the request path that stalled every visitor queued behind it.
pub(crate) async fn renew_aggregates(state: AppState) {
    state.caches.counts.renewed_in_background();
    state.caches.outlets.renewed_in_background();
    loop {
        if state.caches.counts.get().is_none() {
            let caches = state.caches.clone();
            let _ = state
                .db
                .read(move |st| {
                    caches.counts.put(st.counts()?);
                    Ok(())
                })
                .await;
        }
        if state.caches.outlets.get().is_none() {
            let caches = state.caches.clone();
            let _ = state
                .db
                .read(move |st| {
                    caches
                        .outlets
                        .put(crate::queries::outlets(st.connection(), OUTLETS_KEPT)?);
                    Ok(())
                })
                .await;
        }
        tokio::time::sleep(AGGREGATES_POLL).await;
    }
}

/// Outlets kept for the filter's suggestions (as many as the list page asks for).
pub(crate) const OUTLETS_KEPT: usize = 500;

/// Starts [`run`] and [`renew_aggregates`] on the current tokio runtime, if there is a
/// response cache to warm.
pub(crate) fn spawn(state: AppState, router: Router) {
    tokio::spawn(renew_aggregates(state.clone()));
    if state.responses.enabled() {
        state.ready.store(false, Ordering::Release);
        tokio::spawn(run(state, router));
    }
}
