//! `ibid serve`: a JSON API (documented by an OpenAPI 3 document at `/api/openapi.json`) and a
//! server-rendered web UI over one ibid store, in one binary.
//!
//! Design:
//! - The store is written concurrently by `ibid ingest` (SQLite in WAL mode). Every request runs
//!   on a small pool of connections that are `query_only`, inside one short read transaction, on
//!   tokio's blocking threads: readers never take write locks and never stall the async workers.
//! - Whole GET responses are cached in memory within a byte budget, tagged with the store
//!   generation they were built in (a number bumped whenever another connection commits, from
//!   SQLite's `PRAGMA data_version`). Each route is valid for as long as the part of the store
//!   it shows is unchanged (the store's revision counters tell which part a commit touched):
//!   a story page survives the commits of an ingest that adds and cleans new articles (until
//!   its later stages place them in stories), a search survives commits that touch neither
//!   the search index nor stories, a list survives no commit.
//!   A page is built once per change of what it shows, not once per visitor, and never
//!   outlives that data by more than the watcher's polling interval.
//! - A background warmer (see `warm`) builds the costliest and most wanted story pages
//!   before visitors ask, at start and after every change of derived data, and renews the
//!   whole-store aggregates of the story list, so those builds are not on the request path.
//! - HTML is rendered by maud, which escapes every interpolated value; CSS and JS are files
//!   compiled into the binary, so a strict Content-Security-Policy (`default-src 'self'`, no
//!   inline script or style) is sent with every response and the UI loads nothing from outside.

mod api;
mod cache;
mod context;
mod db;
mod diff;
mod error;
mod fmt;
mod groups;
mod model;
mod pages;
mod params;
mod queries;
mod search;
mod svg;
mod warm;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::ServeError;
pub use search::search_to_fts;

/// Where `ibid serve` listens unless told otherwise: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7878";

/// The Content-Security-Policy sent with every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store file; it must exist (run `ibid ingest` first).
    pub db: PathBuf,
    /// Address to bind; port 0 picks a free port (see the `on_ready` callback of [`serve`]).
    pub addr: SocketAddr,
    /// Read connections (and so concurrent queries); 0 picks one from the number of cores.
    pub readers: usize,
    /// Timeouts and caps of connections.
    pub limits: ServeLimits,
}

/// What one client may hold of the server: connections, time per connection, and how long a
/// shutdown waits for requests in flight.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// A connection must send a whole request head within this time, counted from when it
    /// opens or its previous response was sent: idle keep-alive and half-open connections
    /// are closed after it, and so are clients that send headers a byte at a time.
    pub header_timeout: Duration,
    /// A read or write that makes no progress for this long ends the connection (a client
    /// that stops reading its response). Longer than a query's budget.
    pub io_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// On SIGTERM or Ctrl-C, requests in flight get this long to finish; then the server
    /// stops anyway.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Memory SQLite may allocate in the server process (page caches, sorts, FTS5 posting lists)
/// before a query fails with "out of memory" instead of the process growing: a backstop
/// behind the search caps and the request budget.
pub const SQLITE_HEAP_LIMIT: i64 = 512 << 20;

/// Tuning of [`app_with`]; [`app`] and [`serve`] use the defaults.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Read connections (and so concurrent queries); 0 picks one from the number of cores.
    pub readers: usize,
    /// Memory for cached responses, in bytes; 0 turns the response cache off.
    pub response_cache_bytes: usize,
    /// How long after the store changed a cached response may still be served while it is
    /// rebuilt in the background; zero rebuilds on the request path at every change.
    pub max_stale: Duration,
    /// How long one request's queries may run before they are stopped (HTTP 503).
    pub query_budget: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            readers: 0,
            response_cache_bytes: DEFAULT_RESPONSE_CACHE_BYTES,
            max_stale: DEFAULT_MAX_STALE,
            query_budget: DEFAULT_QUERY_BUDGET,
        }
    }
}

/// Default of [`AppConfig::query_budget`]: pages take milliseconds; this stops the rare
/// request that would take far longer and frees its reader.
pub const DEFAULT_QUERY_BUDGET: Duration = Duration::from_secs(10);

/// Response cache budget: a thousand large story pages, or tens of thousands of small ones.
pub const DEFAULT_RESPONSE_CACHE_BYTES: usize = 128 << 20;

/// Default of [`AppConfig::max_stale`]: while an ingest writes, a page may lag the store by
/// this much (plus the rebuild's own time), never more.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(5);

/// Set by a handler on a response that shows the store as of an older generation than the
/// one current when the request began (a search that used phrase hits from before the
/// index's last change): the response cache keeps it as of that generation, so it counts as
/// stale from the start and is rebuilt like any stale page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuiltFrom(pub(crate) u64);

/// Tags `res` with [`BuiltFrom`] when `mark` is set.
pub(crate) fn mark_built_from(res: &mut Response, mark: Option<u64>) {
    if let Some(m) = mark {
        res.extensions_mut().insert(BuiltFrom(m));
    }
}

/// What a handler sends on an answer the response cache must not keep.
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// The largest response body the cache will buffer; bigger ones pass through uncached.
const MAX_CACHED_BODY: usize = 8 << 20;

/// The whole application (API, pages, assets) over the store at `db`, without a socket: tests
/// call it directly.
pub fn app(db: &Path, readers: usize) -> Result<Router, ServeError> {
    app_with(
        db,
        &AppConfig {
            readers,
            ..AppConfig::default()
        },
    )
}

/// [`app`] with explicit tuning.
pub fn app_with(db: &Path, config: &AppConfig) -> Result<Router, ServeError> {
    Ok(app_and_state(db, config)?.0)
}

/// The router and the state it shares (for the cache warmer of [`serve`]).
fn app_and_state(db: &Path, config: &AppConfig) -> Result<(Router, AppState), ServeError> {
    let readers = if config.readers == 0 {
        default_readers()
    } else {
        config.readers
    };
    let state = AppState {
        db: db::Db::open(db, readers, config.query_budget)?,
        caches: Arc::new(cache::Caches::default()),
        responses: Arc::new(cache::Responses::new(config.response_cache_bytes)),
        max_stale: config.max_stale,
        // Rebuilds are background work: one per core at most, so visitors' requests and the
        // ingest keep most of the machine.
        refreshers: Arc::new(tokio::sync::Semaphore::new((readers / 2).max(1))),
        // Nothing to warm until `warm::spawn` says otherwise.
        ready: Arc::new(std::sync::atomic::AtomicBool::new(true)),
    };
    let router = Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache_responses,
        ))
        .with_state(state.clone())
        .layer(axum::middleware::map_response(security_headers));
    Ok((router, state))
}

/// Answers a GET from the response cache when the store has not changed since the response was
/// built; otherwise builds it and keeps it if it succeeded.
///
/// While an ingest commits every few seconds, rebuilding every page a visitor asks for right
/// after each commit would put the whole cost of the site on the request path at once. So a
/// response from the previous generations is still served for up to `max_stale` after the
/// store changed, while one background task per page rebuilds it (stale-while-revalidate);
/// past that, or with `max_stale` zero, a changed store always means a fresh build.
async fn cache_responses(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if !s.responses.enabled() || req.method() != Method::GET {
        return next.run(req).await;
    }
    let Some(key) = req.uri().path_and_query().map(|pq| pq.as_str().to_owned()) else {
        return next.run(req).await;
    };
    let scope = scope_of(req.uri().path());
    // Read before building: the response then reflects this generation or a later one.
    let generation = s.db.generation();
    let warming = req.extensions().get::<warm::Warming>().is_some();
    if let Some((built, hit)) = s.responses.lookup(&key) {
        if s.db.is_current(scope, built) {
            return cached_response(hit);
        }
        // The warmer is there to replace what is stale, not to be served it.
        if warming {
            return build_and_keep(&s, &key, generation, next, req).await;
        }
        let fresh_enough =
            s.db.stale_for(scope, built)
                .is_some_and(|d| d < s.max_stale);
        if fresh_enough {
            if s.responses.begin_refresh(&key) {
                let (state, next, uri) = (s.clone(), next.clone(), req.uri().clone());
                tokio::spawn(async move {
                    let _permit = state.refreshers.acquire().await;
                    // Skip the work if a visitor's request rebuilt it meanwhile.
                    let current = state.db.generation();
                    let built = state.responses.lookup(&key).map(|e| e.0);
                    if !built.is_some_and(|g| state.db.is_current(scope, g)) {
                        let mut req = Request::new(Body::empty());
                        *req.uri_mut() = uri;
                        build_and_keep(&state, &key, current, next, req).await;
                    }
                    state.responses.end_refresh(&key);
                });
            }
            return cached_response(hit);
        }
    }
    build_and_keep(&s, &key, generation, next, req).await
}

/// What the response to `path` is made of (see [`db::Scope`]). Story and entity views (pages
/// and API answers) show derived data only; article views are left to [`db::Scope::All`]
/// because an article's own page also shows it before it is processed.
fn scope_of(path: &str) -> db::Scope {
    let under = |prefix: &str| path.strip_prefix(prefix).is_some_and(|id| !id.is_empty());
    if under("/stories/")
        || under("/api/stories/")
        || under("/storylines/")
        || under("/api/storylines/")
        || under("/entities/")
        || under("/api/entities/")
    {
        db::Scope::Derived
    } else if path == "/search" || path == "/api/search" {
        db::Scope::Search
    } else {
        db::Scope::All
    }
}

fn cached_response(hit: cache::Cached) -> Response {
    let mut res = Response::new(Body::from(hit.body));
    *res.status_mut() = hit.status;
    *res.headers_mut() = hit.headers;
    res
}

/// Runs the handler and keeps a successful answer for `key` in `generation`.
async fn build_and_keep(
    s: &AppState,
    key: &str,
    generation: u64,
    next: Next,
    req: Request,
) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().get(header::CACHE_CONTROL) == Some(&NO_STORE)
    {
        return res;
    }
    let generation = res
        .extensions()
        .get::<BuiltFrom>()
        .map_or(generation, |b| b.0.min(generation));
    let (parts, body) = res.into_parts();
    let size = axum::body::HttpBody::size_hint(&body).upper();
    if size.is_none_or(|n| n > MAX_CACHED_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    match axum::body::to_bytes(body, MAX_CACHED_BODY).await {
        Ok(bytes) => {
            s.responses.put(
                key,
                generation,
                cache::Cached {
                    status: parts.status,
                    headers: parts.headers.clone(),
                    body: bytes.clone(),
                },
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "response body could not be buffered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Binds `opts.addr`, calls `on_ready` with the bound address, and serves until Ctrl-C or
/// SIGTERM. Blocks the calling thread (it builds its own tokio runtime).
pub fn serve(opts: &ServeOptions, on_ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    // SAFETY: sets a process-wide limit; SQLite documents it as callable at any time from any
    // thread.
    unsafe {
        rusqlite::ffi::sqlite3_hard_heap_limit64(SQLITE_HEAP_LIMIT);
    }
    let (router, state) = app_and_state(
        &opts.db,
        &AppConfig {
            readers: opts.readers,
            ..AppConfig::default()
        },
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ibid-serve")
        .build()?;
    let limits = opts.limits.clone();
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: opts.addr,
                source,
            })?;
        on_ready(listener.local_addr()?);
        warm::spawn(state, router.clone());
        run_connections(listener, router, &limits, shutdown_signal()).await;
        Ok(())
    });
    // A query still running on a blocking thread has been told to stop (its request was
    // dropped); the process does not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Accepts and serves connections until `shutdown` completes, within `limits`; then stops
/// accepting, lets requests in flight finish for up to the grace period (idle connections
/// are closed at once) and returns.
///
/// Written on hyper directly rather than `axum::serve`, which has no header-read or I/O
/// timeout and waits for every open connection on shutdown: 500 idle half-open connections
/// were held for over a minute, and kept a SIGTERMed server alive while they stayed open.
async fn run_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: &ServeLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let mut io = tokio_io_timeout::TimeoutStream::new(stream);
        io.set_read_timeout(Some(limits.io_timeout));
        io.set_write_timeout(Some(limits.io_timeout));
        let io = hyper_util::rt::TokioIo::new(Box::pin(io));
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(io, service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("requests still running after the shutdown grace period; stopping anyway");
        }
    }
}

/// SQLite reads are CPU-bound: a couple of connections per core keeps both cores busy while one
/// query waits on the page cache, without queueing dozens of queries behind a long one.
fn default_readers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, serve until killed rather than stop at once.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Arc<db::Db>,
    pub(crate) caches: Arc<cache::Caches>,
    pub(crate) responses: Arc<cache::Responses>,
    /// How long a response may be served after the store changed while it is rebuilt.
    pub(crate) max_stale: Duration,
    /// Background rebuilds running at once.
    pub(crate) refreshers: Arc<tokio::sync::Semaphore>,
    /// Whether the warmer has finished its first pass (see `/api/ready`).
    pub(crate) ready: Arc<std::sync::atomic::AtomicBool>,
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

#[cfg(test)]
mod tests;
