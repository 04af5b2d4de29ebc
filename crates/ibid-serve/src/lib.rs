//! `ibid serve`: a JSON API (documented by an OpenAPI 3 document at `/api/openapi.json`) and a
//! server-rendered web UI over one ibid store, in one binary.
//!
//! Design:
//! - The store is written concurrently by `ibid ingest` (SQLite in WAL mode). Every request runs
//!   on a small pool of connections that are `query_only`, inside one short read transaction, on
//!   tokio's blocking threads: readers never take write locks and never stall the async workers.
//! - HTML is rendered by maud, which escapes every interpolated value; CSS and JS are files
//!   compiled into the binary, so a strict Content-Security-Policy (`default-src 'self'`, no
//!   inline script or style) is sent with every response and the UI loads nothing from outside.

mod api;
mod cache;
mod db;
mod diff;
mod error;
mod fmt;
mod model;
mod pages;
mod params;
mod queries;
mod search;
mod svg;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;

pub use error::ServeError;

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
}

/// The whole application (API, pages, assets) over the store at `db`, without a socket: tests
/// call it directly.
pub fn app(db: &Path, readers: usize) -> Result<Router, ServeError> {
    let readers = if readers == 0 {
        default_readers()
    } else {
        readers
    };
    let state = AppState {
        db: db::Db::open(db, readers)?,
        caches: Arc::new(cache::Caches::default()),
    };
    Ok(Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers)))
}

/// Binds `opts.addr`, calls `on_ready` with the bound address, and serves until Ctrl-C or
/// SIGTERM. Blocks the calling thread (it builds its own tokio runtime).
pub fn serve(opts: &ServeOptions, on_ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let router = app(&opts.db, opts.readers)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ibid-serve")
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: opts.addr,
                source,
            })?;
        on_ready(listener.local_addr()?);
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    })
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
