//! A small pool of read-only store connections, and the store's generation and which parts of
//! it changed when.
//!
//! Hand-written rather than r2d2/deadpool: it is thirty lines, and the pool must also wrap every
//! use in one read transaction and set `query_only`, which a generic pool would not do for us.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ibid_store::Store;
use tokio::sync::Semaphore;

use crate::error::{Failure, ServeError};

/// How often the generation watcher asks SQLite whether another connection committed: the
/// longest a cached response can outlive a change to the store.
const WATCH_INTERVAL: Duration = Duration::from_millis(50);

/// Memory-mapped I/O per reader: off. Mapped pages of the store count in the server's resident
/// memory, once per reader that touched them, so a few costly searches over a 1.7 GB store
/// drove it past 1.2 GB (issue 22, `bench/hostile/serve_prefix.sh`). Without mmap, pages go
/// through each reader's own cache (`CACHE_KIB`) and SQLite's heap, which the server caps
/// (`SQLITE_HEAP_LIMIT`); the price is a `read()` and a copy per page after each commit.
const MMAP_BYTES: i64 = 0;

/// Page cache per reader (KiB, as SQLite's negative `cache_size` means): large enough for the
/// sorts of a big story's quotes and passages to stay in memory.
const CACHE_KIB: i64 = 16 * 1024;

/// What a response is made of, for telling whether a commit changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Anything in the store (lists, counts, status): every commit counts.
    All,
    /// Stories, memberships, duplicates, quotes, entities, mentions, alignments and the
    /// cleaned rows of processed articles (ibid-store's `REVISION_DERIVED`): story and entity
    /// views. An ingest adding and cleaning new articles leaves them alone.
    Derived,
    /// The search index and what hits show of their stories (`REVISION_SEARCH` and
    /// `REVISION_DERIVED`).
    Search,
}

const SCOPES: [Scope; 3] = [Scope::All, Scope::Derived, Scope::Search];

impl Scope {
    fn index(self) -> usize {
        match self {
            Scope::All => 0,
            Scope::Derived => 1,
            Scope::Search => 2,
        }
    }
}

/// The generations at which one scope changed, with when.
#[derive(Default)]
struct History {
    /// Oldest first, at most [`KEPT_GENERATIONS`].
    changes: VecDeque<(u64, Instant)>,
    /// The newest generation dropped from `changes` (0: none).
    forgotten: u64,
}

/// Read connections to one store.
pub(crate) struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    /// How long one request's queries may run before they are stopped.
    budget: Duration,
    permits: Semaphore,
    generation: AtomicU64,
    /// Per scope (by [`Scope::index`]): the generation at which it last changed.
    last_change: [AtomicU64; 3],
    /// Per scope: its recent changes.
    history: Mutex<[History; 3]>,
}

/// Changes remembered per scope, for [`Db::stale_for`].
const KEPT_GENERATIONS: usize = 64;

impl Db {
    /// Opens `readers` connections. The first open also applies pending schema migrations (as
    /// any ibid command does); after that every connection refuses writes. A watcher thread
    /// (which ends when the pool is dropped) bumps [`Db::generation`] whenever another
    /// connection commits.
    pub(crate) fn open(
        path: &Path,
        readers: usize,
        budget: Duration,
    ) -> Result<Arc<Self>, ServeError> {
        if !path.exists() {
            return Err(ServeError::NoStore(path.to_path_buf()));
        }
        let readers = readers.max(1);
        let mut idle = Vec::with_capacity(readers);
        for _ in 0..readers {
            idle.push(Reader::open(path)?);
        }
        let watcher = open_reader(path)?;
        let db = Arc::new(Db {
            path: path.to_path_buf(),
            idle: Mutex::new(idle),
            budget,
            permits: Semaphore::new(readers),
            generation: AtomicU64::new(0),
            last_change: Default::default(),
            history: Mutex::new(Default::default()),
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

    /// Whether something made of `scope`, built in generation `g` (read before building it),
    /// still shows the store as it is: nothing in that scope changed since.
    pub(crate) fn is_current(&self, scope: Scope, g: u64) -> bool {
        self.last_change[scope.index()].load(Ordering::Acquire) <= g
    }

    /// The generation at which `scope` last changed: something made of it and marked with
    /// this number (read before building it) is current while the number stays the same.
    pub(crate) fn last_change(&self, scope: Scope) -> u64 {
        self.last_change[scope.index()].load(Ordering::Acquire)
    }

    /// How long ago something made of `scope` and built in generation `g` stopped being
    /// current (the first change of the scope after `g`); `None` if it is current or that is
    /// too long ago to remember.
    pub(crate) fn stale_for(&self, scope: Scope, g: u64) -> Option<Duration> {
        let history = self.history.lock().ok()?;
        let h = &history[scope.index()];
        if h.forgotten > g {
            return None;
        }
        h.changes
            .iter()
            .find(|(n, _)| *n > g)
            .map(|(_, at)| at.elapsed())
    }

    /// Starts a new generation in which the scopes for which `changed` says so changed.
    fn next_generation(&self, changed: impl Fn(Scope) -> bool) {
        let g = self.generation.load(Ordering::Acquire) + 1;
        // Scopes first, generation last: a response tagged with the new generation is never
        // judged against the scopes' old state.
        if let Ok(mut history) = self.history.lock() {
            for scope in SCOPES.into_iter().filter(|s| changed(*s)) {
                let h = &mut history[scope.index()];
                h.changes.push_back((g, Instant::now()));
                while h.changes.len() > KEPT_GENERATIONS {
                    if let Some((n, _)) = h.changes.pop_front() {
                        h.forgotten = n;
                    }
                }
                self.last_change[scope.index()].store(g, Ordering::Release);
            }
        }
        self.generation.store(g, Ordering::Release);
        tracing::debug!(generation = g, "the store changed");
    }

    /// Runs `f` on a pooled connection inside one read transaction (one consistent snapshot of
    /// the store, even while an ingest commits), on a blocking thread.
    ///
    /// The queries are bounded: past the request budget, or as soon as the request is dropped
    /// (the client went away and the server stopped waiting for this future), SQLite's
    /// progress handler stops the running statement, and the connection goes back to the
    /// pool for the next request. Work continued after the client left before this, and one
    /// costly search could hold a reader for minutes.
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
        let request = Arc::new(RequestBudget {
            deadline: Instant::now() + self.budget,
            cancelled: AtomicBool::new(false),
        });
        // Dropped with this future: when the request is abandoned, its queries stop.
        let _cancel = CancelOnDrop(Arc::clone(&request));
        let budget = self.budget;
        tokio::task::spawn_blocking(move || {
            let reader = db.take()?;
            reader.arm(Some(Arc::clone(&request)));
            let result = in_read_transaction(&reader.store, f);
            reader.arm(None);
            // A connection is returned even when the query failed or was stopped: a failed
            // SELECT leaves it usable. (After a panic it is dropped with the task; `take`
            // opens a replacement.)
            db.give_back(reader);
            result.map_err(|e| match e {
                Failure::Internal(_) if request.expired() => Failure::TooCostly(format!(
                    "the request took longer than its budget of {} s and was stopped; \
                     narrow it (fewer or longer words, a smaller page)",
                    budget.as_secs_f64()
                )),
                other => other,
            })
        })
        .await
        .map_err(|e| Failure::Internal(format!("query task failed: {e}")))?
    }

    fn take(&self) -> Result<Reader, Failure> {
        let pooled = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        match pooled {
            Some(s) => Ok(s),
            None => Reader::open(&self.path).map_err(|e| Failure::Internal(e.to_string())),
        }
    }

    fn give_back(&self, reader: Reader) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(reader);
        }
    }
}

/// SQLite VM instructions between two looks at a request's budget: a look is a mutex and a
/// clock read, a few hundred nanoseconds against the microseconds these instructions take.
const PROGRESS_OPS: std::ffi::c_int = 10_000;

/// The budget of one request: a deadline, and whether the request was abandoned.
struct RequestBudget {
    deadline: Instant,
    cancelled: AtomicBool,
}

impl RequestBudget {
    fn expired(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }
}

/// Marks a request abandoned when dropped before it finished.
struct CancelOnDrop(Arc<RequestBudget>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancelled.store(true, Ordering::Relaxed);
    }
}

/// A pooled read connection and the budget of the request it serves, which its progress
/// handler consults.
struct Reader {
    store: Store,
    current: Arc<Mutex<Option<Arc<RequestBudget>>>>,
}

impl Reader {
    fn open(path: &Path) -> Result<Reader, ServeError> {
        let mut store = open_reader(path)?;
        let current: Arc<Mutex<Option<Arc<RequestBudget>>>> = Arc::default();
        let seen = Arc::clone(&current);
        store
            .connection_mut()
            .progress_handler(
                PROGRESS_OPS,
                Some(move || {
                    seen.lock()
                        .ok()
                        .and_then(|b| b.as_ref().map(|b| b.expired()))
                        .unwrap_or(false)
                }),
            )
            .map_err(ibid_store::StoreError::from)?;
        Ok(Reader { store, current })
    }

    fn arm(&self, budget: Option<Arc<RequestBudget>>) {
        if let Ok(mut current) = self.current.lock() {
            *current = budget;
        }
    }
}

/// Polls `PRAGMA data_version` (which changes when any *other* connection, in any process,
/// has committed) and turns each change into a new generation, until the pool is gone. The
/// store's revision counters (read after the version, so they are at least as new) tell
/// which scopes the commits touched.
fn watch(store: Store, db: Weak<Db>) {
    let version = |s: &Store| -> Option<i64> {
        s.connection()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .ok()
    };
    let revisions = |s: &Store| s.revisions().ok();
    let mut last = version(&store);
    let mut last_revisions = revisions(&store);
    loop {
        std::thread::sleep(WATCH_INTERVAL);
        let Some(db) = db.upgrade() else { return };
        let now = version(&store);
        // An error (a checkpoint holding a lock, say) counts as a change of everything: a
        // needless refresh is cheap, a stale page is not.
        if now != last || now.is_none() {
            let revs = revisions(&store);
            let moved = |name: &str| -> bool {
                let get = |r: &Option<Vec<(String, i64)>>| {
                    r.as_ref()
                        .and_then(|r| r.iter().find(|(n, _)| n == name).map(|(_, v)| *v))
                };
                let (old, new) = (get(&last_revisions), get(&revs));
                old.is_none() || new.is_none() || old != new
            };
            let derived = now.is_none() || moved(ibid_store::REVISION_DERIVED);
            let search = derived || moved(ibid_store::REVISION_SEARCH);
            db.next_generation(|scope| match scope {
                Scope::All => true,
                Scope::Derived => derived,
                Scope::Search => search,
            });
            last = now;
            last_revisions = revs;
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
        let db = Db::open(&path, 1, Duration::from_secs(10)).unwrap();
        std::thread::sleep(WATCH_INTERVAL * 3);
        let g0 = db.generation();
        std::thread::sleep(WATCH_INTERVAL * 3);
        assert_eq!(db.generation(), g0, "no commit, no new generation");
        let w = rusqlite::Connection::open(&path).unwrap();
        w.execute_batch("CREATE TABLE bump (x); INSERT INTO bump VALUES (1);")
            .unwrap();
        std::thread::sleep(WATCH_INTERVAL * 4);
        assert!(db.generation() > g0, "a commit must change the generation");
        assert!(db
            .stale_for(Scope::All, g0)
            .is_some_and(|d| d < Duration::from_secs(5)));
        assert!(
            db.stale_for(Scope::All, db.generation()).is_none(),
            "current is not stale"
        );
        assert!(!db.is_current(Scope::All, g0));
        assert!(
            db.is_current(Scope::Derived, g0) && db.is_current(Scope::Search, g0),
            "a commit outside the counted tables leaves derived views and searches current"
        );

        let g1 = db.generation();
        w.execute_batch("UPDATE revisions SET rev = rev + 1 WHERE name = 'search'")
            .unwrap();
        std::thread::sleep(WATCH_INTERVAL * 4);
        assert!(db.is_current(Scope::Derived, g1));
        assert!(!db.is_current(Scope::Search, g1));
        assert!(db.stale_for(Scope::Search, g1).is_some());
        assert!(db.stale_for(Scope::Derived, g1).is_none());

        let g2 = db.generation();
        w.execute_batch("UPDATE revisions SET rev = rev + 1 WHERE name = 'derived'")
            .unwrap();
        std::thread::sleep(WATCH_INTERVAL * 4);
        assert!(
            !db.is_current(Scope::Derived, g2) && !db.is_current(Scope::Search, g2),
            "searches show stories too"
        );
        assert!(db.is_current(Scope::Derived, db.generation()));
    }

    /// A query that never ends on its own: counting to ten billion.
    const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c
                           WHERE x < 10000000000) SELECT count(*) FROM c";

    fn store() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        drop(Store::open(&path).unwrap());
        (dir, path)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_query_past_its_budget_is_stopped_with_a_clear_failure() {
        let (_dir, path) = store();
        let db = Db::open(&path, 1, Duration::from_millis(200)).unwrap();
        let started = Instant::now();
        let r = db
            .read(|st| {
                let n: i64 = st.connection().query_row(ENDLESS, [], |r| r.get(0))?;
                Ok(n)
            })
            .await;
        assert!(
            matches!(&r, Err(Failure::TooCostly(m)) if m.contains("budget")),
            "{r:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        // The connection is usable again for the next request.
        let one = db
            .read(|st| {
                Ok(st
                    .connection()
                    .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)
            })
            .await
            .unwrap();
        assert_eq!(one, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_request_stops_its_query() {
        let (_dir, path) = store();
        let db = Db::open(&path, 1, Duration::from_secs(3600)).unwrap();
        let finished = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let request = db.read(move |st| {
            let r: rusqlite::Result<i64> = st.connection().query_row(ENDLESS, [], |r| r.get(0));
            done.store(true, Ordering::SeqCst);
            Ok(r.is_err())
        });
        // The client goes away: the server drops the request's future.
        assert!(tokio::time::timeout(Duration::from_millis(200), request)
            .await
            .is_err());
        let gave_up = Instant::now();
        while !finished.load(Ordering::SeqCst) {
            assert!(
                gave_up.elapsed() < Duration::from_secs(5),
                "the query went on after its request was dropped"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
