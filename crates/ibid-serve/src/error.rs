//! Errors: [`ServeError`] for starting the server, [`Failure`] for one request.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store file does not exist.
    #[error("no store at {0}: run `ibid ingest` first (or pass --db)")]
    NoStore(PathBuf),
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] ibid_store::StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Any other I/O failure of the server.
    #[error("server I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Why one request failed; rendered as JSON by the API and as a page by the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The client asked for something malformed (400).
    BadRequest(String),
    /// No such thing (404).
    NotFound(String),
    /// The request is valid by the API's schema but asks for what the server will not do:
    /// a search past its caps or without a searchable word, `from` after `to`, both scopes
    /// at once (422). 400 stays for requests that break the schema.
    Unprocessable(String),
    /// The request would cost more than one request may: stopped past its time budget (503).
    TooCostly(String),
    /// The server failed (500); the message is logged, the client sees a generic one.
    Internal(String),
}

impl Failure {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::TooCostly(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client is told.
    pub(crate) fn public_message(&self) -> &str {
        match self {
            Failure::BadRequest(m)
            | Failure::NotFound(m)
            | Failure::Unprocessable(m)
            | Failure::TooCostly(m) => m,
            Failure::Internal(_) => "internal error; see the server log",
        }
    }
}

impl From<ibid_store::StoreError> for Failure {
    fn from(e: ibid_store::StoreError) -> Self {
        Failure::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Internal(e.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::Internal(format!("corrupt JSON column: {e}"))
    }
}

/// A [`Failure`] answered as JSON: `{"error": {"status": 400, "message": "..."}}`.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) Failure);

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        ApiError(f)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if let Failure::Internal(m) = &self.0 {
            tracing::error!(error = %m, "request failed");
        }
        let body = serde_json::json!({
            "error": { "status": status.as_u16(), "message": self.0.public_message() }
        });
        (status, Json(body)).into_response()
    }
}
