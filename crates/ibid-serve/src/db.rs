//! A small pool of read-only store connections.
//!
//! Hand-written rather than r2d2/deadpool: it is thirty lines, and the pool must also wrap every
//! use in one read transaction and set `query_only`, which a generic pool would not do for us.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ibid_store::Store;
use tokio::sync::Semaphore;

use crate::error::{Failure, ServeError};

/// Read connections to one store.
pub(crate) struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
}

impl Db {
    /// Opens `readers` connections. The first open also applies pending schema migrations (as
    /// any ibid command does); after that every connection refuses writes.
    pub(crate) fn open(path: &Path, readers: usize) -> Result<Arc<Self>, ServeError> {
        if !path.exists() {
            return Err(ServeError::NoStore(path.to_path_buf()));
        }
        let readers = readers.max(1);
        let mut idle = Vec::with_capacity(readers);
        for _ in 0..readers {
            idle.push(open_reader(path)?);
        }
        Ok(Arc::new(Db {
            path: path.to_path_buf(),
            idle: Mutex::new(idle),
            permits: Semaphore::new(readers),
        }))
    }

    /// Runs `f` on a pooled connection inside one read transaction (one consistent snapshot of
    /// the store, even while an ingest commits), on a blocking thread.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, Failure> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Failure::Internal(format!("reader pool closed: {e}")))?;
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let store = db.take()?;
            let result = in_read_transaction(&store, f);
            // A connection is returned even when the query failed: a failed SELECT leaves it
            // usable. (After a panic it is dropped with the task; `take` opens a replacement.)
            db.give_back(store);
            result
        })
        .await
        .map_err(|e| Failure::Internal(format!("query task failed: {e}")))?
    }

    fn take(&self) -> Result<Store, Failure> {
        let pooled = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        match pooled {
            Some(s) => Ok(s),
            None => open_reader(&self.path).map_err(|e| Failure::Internal(e.to_string())),
        }
    }

    fn give_back(&self, store: Store) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(store);
        }
    }
}

fn open_reader(path: &Path) -> Result<Store, ServeError> {
    let store = Store::open(path)?;
    let conn = store.connection();
    conn.pragma_update(None, "query_only", true)
        .map_err(ibid_store::StoreError::from)?;
    // Readers should not wait long behind a checkpoint: fail fast and let the client retry.
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(ibid_store::StoreError::from)?;
    Ok(store)
}

fn in_read_transaction<T>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let conn = store.connection();
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = f(store);
    // Ending a read transaction cannot lose anything; if it fails the connection is still
    // usable and the next BEGIN will report the problem.
    let _ = conn.execute_batch("COMMIT");
    result
}
