//! A small pool of read-only store connections, and the store's generation.
//!
//! Hand-written rather than r2d2/deadpool: it is thirty lines, and the pool must also wrap every
//! use in one read transaction and set `query_only`, which a generic pool would not do for us.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ibid_store::Store;
use tokio::sync::Semaphore;

use crate::error::{Failure, ServeError};

/// How often the generation watcher asks SQLite whether another connection committed: the
/// longest a cached response can outlive a change to the store.
const WATCH_INTERVAL: Duration = Duration::from_millis(50);

/// Memory-mapped I/O per reader: pages are read in place from the OS page cache instead of being
/// copied into each connection's own cache by `read()`. Every commit by an ingest empties every
/// reader's page cache (SQLite's rule in WAL mode), so without mmap each request after a commit
/// pays a system call and a copy per page it touches. SQLite caps it at its compile-time
/// maximum (2 GiB in the bundled build), so asking for more is harmless.
const MMAP_BYTES: i64 = 1 << 34;

/// Page cache per reader (KiB, as SQLite's negative `cache_size` means): large enough for the
/// sorts of a big story's quotes and passages to stay in memory.
const CACHE_KIB: i64 = 16 * 1024;

/// Read connections to one store.
pub(crate) struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    permits: Semaphore,
    generation: AtomicU64,
    /// When each recent generation began (oldest first, at most [`KEPT_GENERATIONS`]).
    began: Mutex<VecDeque<(u64, Instant)>>,
}

/// Generations whose start time is remembered, for [`Db::stale_for`].
const KEPT_GENERATIONS: usize = 64;

impl Db {
    /// Opens `readers` connections. The first open also applies pending schema migrations (as
    /// any ibid command does); after that every connection refuses writes. A watcher thread
    /// (which ends when the pool is dropped) bumps [`Db::generation`] whenever another
    /// connection commits.
    pub(crate) fn open(path: &Path, readers: usize) -> Result<Arc<Self>, ServeError> {
        if !path.exists() {
            return Err(ServeError::NoStore(path.to_path_buf()));
        }
        let readers = readers.max(1);
        let mut idle = Vec::with_capacity(readers);
        for _ in 0..readers {
            idle.push(open_reader(path)?);
        }
        let watcher = open_reader(path)?;
        let db = Arc::new(Db {
            path: path.to_path_buf(),
            idle: Mutex::new(idle),
            permits: Semaphore::new(readers),
            generation: AtomicU64::new(0),
            began: Mutex::new(VecDeque::from([(0, Instant::now())])),
        });
        let weak = Arc::downgrade(&db);
        std::thread::Builder::new()
            .name("ibid-serve-watch".into())
            .spawn(move || watch(watcher, weak))?;
        Ok(db)
    }

    /// A number that changes whenever the store has changed since it was last read (within
    /// [`WATCH_INTERVAL`]). Read it *before* querying: a response built afterwards reflects at
    /// least that generation, so tagging it with the number read is never too new.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// How long ago something built in generation `g` stopped being current (when generation
    /// `g + 1` began); `None` if it is current or that is too long ago to remember.
    pub(crate) fn stale_for(&self, g: u64) -> Option<Duration> {
        let began = self.began.lock().ok()?;
        began
            .iter()
            .find(|(n, _)| *n == g + 1)
            .map(|(_, at)| at.elapsed())
    }

    fn next_generation(&self) {
        let g = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        if let Ok(mut began) = self.began.lock() {
            began.push_back((g, Instant::now()));
            while began.len() > KEPT_GENERATIONS {
                began.pop_front();
            }
        }
        tracing::debug!(generation = g, "the store changed");
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

/// Polls `PRAGMA data_version` (which changes when any *other* connection, in any process,
/// has committed) and turns each change into a new generation, until the pool is gone.
fn watch(store: Store, db: Weak<Db>) {
    let version = |s: &Store| -> Option<i64> {
        s.connection()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ok()
    };
    let mut last = version(&store);
    loop {
        std::thread::sleep(WATCH_INTERVAL);
        let Some(db) = db.upgrade() else { return };
        let now = version(&store);
        // An error (a checkpoint holding a lock, say) counts as a change: a needless refresh
        // is cheap, a stale page is not.
        if now != last || now.is_none() {
            db.next_generation();
            last = now;
        }
    }
}

fn open_reader(path: &Path) -> Result<Store, ServeError> {
    let store = Store::open(path)?;
    let conn = store.connection();
    let set = |name: &str, value: &dyn rusqlite::ToSql| {
        conn.pragma_update(None, name, value)
            .map_err(ibid_store::StoreError::from)
    };
    set("query_only", &true)?;
    set("mmap_size", &MMAP_BYTES)?;
    set("cache_size", &-CACHE_KIB)?;
    // Sorts and temporary B-trees of a big story stay in memory rather than in temp files.
    set("temp_store", &"MEMORY")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_follows_commits_by_other_connections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        drop(Store::open(&path).unwrap());
        let db = Db::open(&path, 1).unwrap();
        std::thread::sleep(WATCH_INTERVAL * 3);
        let g0 = db.generation();
        std::thread::sleep(WATCH_INTERVAL * 3);
        assert_eq!(db.generation(), g0, "no commit, no new generation");
        let w = rusqlite::Connection::open(&path).unwrap();
        w.execute_batch("CREATE TABLE bump (x); INSERT INTO bump VALUES (1);")
            .unwrap();
        std::thread::sleep(WATCH_INTERVAL * 4);
        assert!(db.generation() > g0, "a commit must change the generation");
        assert!(db.stale_for(g0).is_some_and(|d| d < Duration::from_secs(5)));
        assert!(
            db.stale_for(db.generation()).is_none(),
            "current is not stale"
        );
    }
}
