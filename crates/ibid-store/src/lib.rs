//! ibid's embedded store: one SQLite file.
//!
//! Invariants:
//! - `articles` holds every ingested record verbatim and is append-only. A record whose
//!   `(id, content_hash)` is already stored adds nothing; a changed record with a known id becomes
//!   the next version. The current version of an id is its highest.
//! - Everything else (cleaned text, duplicates, stories, …) is derived and can be recomputed
//!   from `articles` at any time; stages replace their own tables inside one transaction.
//! - Every write happens in a transaction and the file runs in WAL mode, so a process killed at
//!   any point leaves a consistent store that a rerun completes.

mod extraction;
mod incremental;
mod lock;
mod rows;
mod schema;
mod stage_state;

use std::path::{Path, PathBuf};

use ibid_core::{CleanedArticle, RawArticle, RemovedLine};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

pub use incremental::CleanedKey;
pub use lock::{Holder, WriterLock};
pub use rows::*;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A JSON column could not be read or written.
    #[error("corrupt JSON column: {0}")]
    Json(#[from] serde_json::Error),
    /// Stored derived data could not be read back (it is recomputable: `ibid process
    /// --rebuild`).
    #[error("corrupt derived data: {0}")]
    Corrupt(String),
    /// The file was written by a newer ibid.
    #[error(
        "{path} has schema version {found}, newer than this ibid knows ({known}); upgrade ibid"
    )]
    TooNew {
        /// The database path.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The writer lock file could not be used.
    #[error("cannot lock {path} for writing: {source}")]
    Lock {
        /// The lock file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Id of an ingest run.
pub type RunId = i64;

/// Revision counter (see [`Store::revisions`]) of everything a story's or an entity's view is
/// made of: stories and memberships, duplicates, quotes, entities, mentions, alignments, and
/// the cleaned rows and current versions of articles that already belong to a story. Writes
/// that only add articles not yet processed, or clean them for the first time, leave it alone.
pub const REVISION_DERIVED: &str = "derived";

/// Revision counter of the full-text search index (bumped by every write of cleaned rows).
/// What a search shows also depends on [`REVISION_DERIVED`] (stories of the hits).
pub const REVISION_SEARCH: &str = "search";

/// What happened to one record offered to [`Store::write_batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new id.
    Added,
    /// A known id with changed content: stored as a new version.
    NewVersion,
    /// Already stored with the same content: nothing written.
    Unchanged,
    /// Stored in `rejected`, standing for this many input records.
    Rejected(u64),
    /// A warning about a value of a record, stored in `warnings`.
    Warned,
}

/// A record to store, with where it was read.
#[derive(Debug, Clone)]
pub struct IncomingArticle {
    /// The article.
    pub article: RawArticle,
    /// File or `-`.
    pub source: String,
    /// JSONL line or WARC record, if any.
    pub record: Option<u64>,
    /// Fetch time (WARC-Date), raw.
    pub fetched: Option<String>,
    /// Input bytes the text was extracted from (HTML), stored gzipped.
    pub raw: Option<Vec<u8>>,
}

/// A rejection to store.
#[derive(Debug, Clone)]
pub struct IncomingRejection {
    /// File or `-`.
    pub source: String,
    /// Line, if any.
    pub record: Option<u64>,
    /// Why.
    pub reason: String,
    /// Raw bytes (possibly cut).
    pub raw: Vec<u8>,
    /// Full raw length.
    pub raw_len: u64,
    /// Input records this rejection stands for (1, or more for a per-input cap's summary).
    pub records: u64,
}

/// A value of an incoming record that could not be used as given (see `ibid rejected
/// --warnings`); the record itself is stored.
#[derive(Debug, Clone)]
pub struct IncomingWarning {
    /// The record's article id.
    pub article: String,
    /// File or `-`.
    pub source: String,
    /// Line or record, if any.
    pub record: Option<u64>,
    /// The input field.
    pub field: String,
    /// The value as found.
    pub value: String,
    /// What was done instead.
    pub message: String,
}

/// One item of an ingest batch.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// A good record.
    Article(IncomingArticle),
    /// A bad one.
    Rejection(IncomingRejection),
    /// A warning about a value of a record (written after the record).
    Warning(IncomingWarning),
}

/// Counts for one run or batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IngestCounts {
    /// New ids.
    pub added: u64,
    /// New versions of known ids.
    pub versions: u64,
    /// Records already stored.
    pub unchanged: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Warnings about values of stored records.
    #[serde(default)]
    pub warnings: u64,
}

impl IngestCounts {
    /// Adds one outcome.
    pub fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Added => self.added += 1,
            Outcome::NewVersion => self.versions += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Rejected(n) => self.rejected += n,
            Outcome::Warned => self.warnings += 1,
        }
    }

    /// Adds another set of counts.
    pub fn add(&mut self, o: IngestCounts) {
        self.added += o.added;
        self.versions += o.versions;
        self.unchanged += o.unchanged;
        self.rejected += o.rejected;
        self.warnings += o.warnings;
    }
}

/// A current article that a derived stage still has to process.
#[derive(Debug, Clone)]
pub struct PendingArticle {
    /// Row id of this version.
    pub rowid: i64,
    /// The stored record.
    pub article: RawArticle,
}

/// The cleaned facts of a current article that cross-article stages need.
#[derive(Debug, Clone)]
pub struct CleanedRef {
    /// Input id.
    pub id: String,
    /// Trusted publication time (RFC 3339).
    pub published: Option<String>,
    /// Outlet.
    pub outlet: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Cleaned text.
    pub text: String,
    /// Exact-duplicate key.
    pub norm_hash: i64,
    /// Why the page is not an article, if it is not (such pages stay out of stories).
    pub non_article: Option<String>,
}

/// Columns of a current article joined with its cleaned row (`a`, `c`), in the order
/// [`CleanedRef::from_row`] reads them.
pub(crate) const CLEANED_REF_COLUMNS: &str =
    "a.id, c.published, c.outlet, c.title, c.text, c.norm_hash, c.non_article";

impl CleanedRef {
    /// Reads a row selected with [`CLEANED_REF_COLUMNS`].
    pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            published: r.get(1)?,
            outlet: r.get(2)?,
            title: r.get(3)?,
            text: r.get(4)?,
            norm_hash: r.get(5)?,
            non_article: r.get(6)?,
        })
    }
}

/// Result of a duplicate search for one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupRecord {
    /// Input id.
    pub article_id: String,
    /// Id of the group's original.
    pub group_id: String,
    /// The original this one copies, or `None` for the original itself.
    pub duplicate_of: Option<String>,
    /// Other members in the group.
    pub copies: i64,
    /// `exact`, `near`, `containment` or `none`.
    pub kind: String,
}

/// Store-level counts for `ibid status`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    /// Current articles.
    pub articles: i64,
    /// Stored versions (all).
    pub versions: i64,
    /// Stories.
    pub stories: i64,
    /// Storylines.
    pub storylines: i64,
    /// Articles that duplicate another.
    pub duplicates: i64,
    /// Rejected records.
    pub rejected: i64,
    /// Warnings about values of stored records.
    pub warnings: i64,
    /// Current articles not yet cleaned.
    pub pending: i64,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Held by stores opened with [`Store::open_writer`], released when the store is dropped.
    writer: Option<WriterLock>,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// Safe to call from several processes at once, also on a store that does not exist yet:
    /// the busy timeout is set before anything touches the file, and migrations run inside
    /// write transactions that read the schema version themselves (see [`migrate`]). Every
    /// transaction of this connection takes the write lock when it begins (`BEGIN
    /// IMMEDIATE`), so a writer waits for another in the busy handler instead of failing with
    /// "database is locked" when its read turns into a write.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        ensure_wal(&conn)?;
        // NORMAL is durable against application crashes (SIGKILL) in WAL mode; only an OS
        // crash can lose the last transactions, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            writer: None,
        })
    }

    /// [`Store::open`] for a command that writes (an ingest, a processing pass): first takes
    /// the store's [`WriterLock`], waiting while another writer holds it, and keeps it until
    /// the store is dropped. `on_wait` is told who holds it before the wait begins.
    pub fn open_writer(
        path: &Path,
        command: &str,
        on_wait: impl FnOnce(Option<&Holder>),
    ) -> Result<Self> {
        let lock = WriterLock::acquire(path, command, on_wait)?;
        let mut store = Self::open(path)?;
        store.writer = Some(lock);
        Ok(store)
    }

    /// Whether this store holds the writer lock.
    pub fn is_writer(&self) -> bool {
        self.writer.is_some()
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Direct access for read-only queries in tests and tools.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Mutable access to the connection, for settings that need it (a progress handler that
    /// bounds a reader's queries in `ibid serve`).
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Records the start of an ingest run. Runs left `running` by a killed process are marked
    /// `interrupted` here, so `ibid status` tells the truth.
    pub fn begin_run(&mut self, inputs: &[String]) -> Result<RunId> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
            [],
        )?;
        tx.execute(
            "INSERT INTO runs (started_at, inputs, status) VALUES (?1, ?2, 'running')",
            params![now(), serde_json::to_string(inputs)?],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Marks a run finished with its counts.
    pub fn finish_run(&mut self, run: RunId, counts: IngestCounts) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET finished_at = ?1, status = 'done', added = ?2, versions = ?3,
                 unchanged = ?4, rejected = ?5 WHERE rowid = ?6",
            params![
                now(),
                counts.added as i64,
                counts.versions as i64,
                counts.unchanged as i64,
                counts.rejected as i64,
                run
            ],
        )?;
        Ok(())
    }

    /// Stores a batch of records and rejections in one transaction: all of it or none of it.
    pub fn write_batch(&mut self, run: RunId, batch: &[Incoming]) -> Result<Vec<Outcome>> {
        let tx = self.conn.transaction()?;
        let mut out = Vec::with_capacity(batch.len());
        {
            let mut find =
                tx.prepare_cached("SELECT 1 FROM articles WHERE id = ?1 AND content_hash = ?2")?;
            let mut last_version =
                tx.prepare_cached("SELECT MAX(version) FROM articles WHERE id = ?1")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO articles (id, version, content_hash, text, title, url, outlet,
                     published_raw, author, source, record, run, ingested_at, fetched, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut reject = tx.prepare_cached(
                "INSERT INTO rejected (source, record, reason, raw, raw_len, raw_hash, first_run, last_run, records)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
                 ON CONFLICT (source, record, raw_hash) DO UPDATE SET last_run = excluded.last_run,
                     reason = excluded.reason, raw_len = excluded.raw_len, records = excluded.records",
            )?;
            let mut warn = tx.prepare_cached(
                "INSERT INTO warnings (article, source, record, field, value, message, first_run, last_run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                 ON CONFLICT (article, field, value) DO UPDATE SET last_run = excluded.last_run,
                     source = excluded.source, record = excluded.record, message = excluded.message",
            )?;
            let stamp = now();
            let mut bumped = false;
            for item in batch {
                match item {
                    Incoming::Article(inc) => {
                        let a = &inc.article;
                        let hash = match &inc.raw {
                            // An extracted page is identified by its bytes: a better extractor
                            // must not turn a re-ingest of the same page into a new version.
                            Some(raw) => format!(
                                "raw:{:032x}",
                                xxhash_rust::xxh3::xxh3_128_with_seed(raw, 0)
                            ),
                            None => content_hash(a),
                        };
                        if find.exists(params![a.id, hash])? {
                            out.push(Outcome::Unchanged);
                            continue;
                        }
                        let prev: Option<i64> =
                            last_version.query_row(params![a.id], |r| r.get(0))?;
                        let version = prev.unwrap_or(0) + 1;
                        insert.execute(params![
                            a.id,
                            version,
                            hash,
                            a.text,
                            a.title,
                            a.url,
                            a.outlet,
                            a.published,
                            a.author,
                            inc.source,
                            inc.record.map(|r| r as i64),
                            run,
                            stamp,
                            inc.fetched,
                            inc.raw.as_deref().map(gzip)
                        ])?;
                        out.push(if prev.is_some() {
                            Outcome::NewVersion
                        } else {
                            Outcome::Added
                        });
                        // A new version replaces the current one wherever it is shown.
                        if prev.is_some() && !bumped {
                            bump(&tx, REVISION_DERIVED)?;
                            bumped = true;
                        }
                    }
                    Incoming::Rejection(rej) => {
                        let raw_hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&rej.raw));
                        reject.execute(params![
                            rej.source,
                            rej.record.map(|r| r as i64).unwrap_or(-1),
                            rej.reason,
                            rej.raw,
                            rej.raw_len as i64,
                            raw_hash,
                            run,
                            rej.records as i64
                        ])?;
                        out.push(Outcome::Rejected(rej.records));
                    }
                    Incoming::Warning(w) => {
                        warn.execute(params![
                            w.article,
                            w.source,
                            w.record.map(|r| r as i64).unwrap_or(-1),
                            w.field,
                            w.value,
                            w.message,
                            run
                        ])?;
                        out.push(Outcome::Warned);
                    }
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Current articles whose cleaned row is missing or was made by another stage version.
    pub fn pending_clean(&self, stage_version: &str) -> Result<Vec<PendingArticle>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.rowid, a.id, a.text, a.title, a.url, a.outlet, a.published_raw, a.author
             FROM current_articles a LEFT JOIN cleaned c ON c.article = a.rowid
             WHERE c.article IS NULL OR c.stage_version != ?1
             ORDER BY a.rowid",
        )?;
        let rows = stmt.query_map(params![stage_version], pending_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `f` with the row id and raw record of every current article, in row order.
    pub fn for_each_current(&self, mut f: impl FnMut(i64, RawArticle)) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT rowid, id, text, title, url, outlet, published_raw, author FROM current_articles ORDER BY rowid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get(0)?, raw_from_row(r)?);
        }
        Ok(())
    }

    /// The row id and outlet of every current article, in row order, without their texts:
    /// enough to tell which articles a stage has seen and which outlets they belong to.
    pub fn current_outlets(&self) -> Result<Vec<(i64, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rowid, outlet FROM current_articles ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The raw records of the given article versions (row ids), in the order given; row ids
    /// not stored are skipped.
    pub fn raw_articles(&self, rowids: &[i64]) -> Result<Vec<(i64, RawArticle)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, id, text, title, url, outlet, published_raw, author FROM articles WHERE rowid = ?1",
        )?;
        let mut out = Vec::with_capacity(rowids.len());
        for &rowid in rowids {
            let row = stmt
                .query_row([rowid], |r| Ok((r.get(0)?, raw_from_row(r)?)))
                .optional()?;
            out.extend(row);
        }
        Ok(out)
    }

    /// Ids that received a new version (not a first one) since the mark `name` was last set
    /// with [`Store::set_mark`]; every such id when the mark was never set.
    pub fn new_versions_since_mark(&self, name: &str) -> Result<Vec<String>> {
        let mark = self.mark(name)?;
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT id FROM articles WHERE rowid > ?1 AND version > 1 ORDER BY id",
        )?;
        let rows = stmt.query_map([mark], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets the mark `name` to the newest stored article, for [`Store::new_versions_since_mark`].
    pub fn set_mark(&mut self, name: &str) -> Result<()> {
        let top: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(rowid), 0) FROM articles", [], |r| {
                    r.get(0)
                })?;
        self.save_stage_state(&format!("mark:{name}"), "1", &top.to_le_bytes())
    }

    fn mark(&self, name: &str) -> Result<i64> {
        let bytes = self.stage_state(&format!("mark:{name}"), "1")?;
        Ok(bytes
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map(i64::from_le_bytes)
            .unwrap_or(0))
    }

    /// Writes cleaned results (replacing older ones) in one transaction.
    pub fn write_cleaned(
        &mut self,
        stage_version: &str,
        rows: &[(i64, CleanedArticle, u64)],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO cleaned (article, stage_version, text, removed, title, subheads,
                     dateline, author, outlet, section, published, published_precision, published_flag, norm_hash,
                     non_article)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut id_of = tx.prepare_cached("SELECT id FROM articles WHERE rowid = ?1")?;
            // FTS rows are keyed by the article version's rowid, so replacing an id's entry is
            // a rowid lookup (a filter on the UNINDEXED id column would scan the whole index).
            let mut fts_delete = tx.prepare_cached(
                "DELETE FROM articles_fts WHERE rowid IN (SELECT rowid FROM articles WHERE id = ?1)",
            )?;
            let mut fts_insert = tx.prepare_cached(
                "INSERT INTO articles_fts (rowid, id, title, text) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut processed = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM story_members WHERE article_id = ?1)",
            )?;
            let mut derived_changed = false;
            for (rowid, c, norm_hash) in rows {
                // The search index holds the current version only: cleaning a version replaces
                // whatever the id had before.
                let id: String = id_of.query_row([rowid], |r| r.get(0))?;
                // Re-cleaning an article that is already in a story changes what its story
                // shows; cleaning a new one does not (it joins a story later, which counts).
                if !derived_changed {
                    derived_changed = processed.query_row([&id], |r| r.get(0))?;
                }
                fts_delete.execute([&id])?;
                fts_insert.execute(params![rowid, id, c.title, c.text])?;
                let precision = c.published.map(|p| match p.precision {
                    ibid_core::TimePrecision::Day => "day",
                    ibid_core::TimePrecision::Time => "time",
                });
                stmt.execute(params![
                    rowid,
                    stage_version,
                    c.text,
                    serde_json::to_string(&c.removed)?,
                    c.title,
                    serde_json::to_string(&c.subheads)?,
                    c.dateline,
                    c.author,
                    c.outlet,
                    c.section,
                    c.published.map(|p| p.to_rfc3339()),
                    precision,
                    c.published_flag,
                    *norm_hash as i64,
                    c.non_article
                ])?;
            }
            if !rows.is_empty() {
                bump(&tx, REVISION_SEARCH)?;
            }
            if derived_changed {
                bump(&tx, REVISION_DERIVED)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every current, cleaned article in publication order (undated last, then by id): the
    /// order in which cross-article stages see them.
    pub fn cleaned_in_time_order(&self) -> Result<Vec<CleanedRef>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CLEANED_REF_COLUMNS}
             FROM current_articles a JOIN cleaned c ON c.article = a.rowid
             ORDER BY c.published IS NULL, c.published, a.id"
        ))?;
        let rows = stmt.query_map([], CleanedRef::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the whole duplicate table in one transaction.
    pub fn replace_dedup(&mut self, records: &[DedupRecord]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM dedup", [])?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO dedup (article_id, group_id, duplicate_of, copies, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for d in records {
                stmt.execute(params![
                    d.article_id,
                    d.group_id,
                    d.duplicate_of,
                    d.copies,
                    d.kind
                ])?;
            }
        }
        bump(&tx, REVISION_DERIVED)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces all stories and memberships in one transaction.
    pub fn replace_stories(&mut self, stories: &[StoryRow]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM story_members", [])?;
        tx.execute("DELETE FROM stories", [])?;
        {
            let mut story = tx.prepare_cached(
                "INSERT INTO stories (id, storyline, title, first_published, first_outlet, last_published, articles, outlets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut member = tx.prepare_cached(
                "INSERT OR REPLACE INTO story_members (article_id, story, storyline) VALUES (?1, ?2, ?3)",
            )?;
            for s in stories {
                story.execute(params![
                    s.id,
                    s.storyline,
                    s.title,
                    s.first_published,
                    s.first_outlet,
                    s.last_published,
                    serde_json::to_string(&s.articles)?,
                    serde_json::to_string(&s.outlets)?
                ])?;
                for a in &s.articles {
                    member.execute(params![a, s.id, s.storyline])?;
                }
            }
        }
        bump(&tx, REVISION_DERIVED)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces all alignments in one transaction.
    pub fn replace_alignments(&mut self, rows: &[AlignmentRow]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM alignments", [])?;
        incremental::insert_alignments(&tx, rows)?;
        bump(&tx, REVISION_DERIVED)?;
        tx.commit()?;
        Ok(())
    }

    /// A fingerprint of the current cleaned articles (which versions, and what their cleaned
    /// text hashes to). A stage that stores it with its output can tell, even after a crash
    /// between stages, whether its output still describes the store.
    pub fn cleaned_fingerprint(&self) -> Result<String> {
        let (n, rows, hashes): (i64, f64, f64) = self.conn.query_row(
            "SELECT COUNT(*), TOTAL(a.rowid), TOTAL(c.norm_hash)
             FROM current_articles a JOIN cleaned c ON c.article = a.rowid",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(format!("{n}:{rows}:{hashes}"))
    }

    /// Story and storyline of every current article that has one, by article id.
    pub fn memberships(
        &self,
    ) -> Result<std::collections::HashMap<String, (String, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT article_id, story, storyline FROM story_members")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `f` with every current article row of the export contract, ordered by id.
    pub fn for_each_article(&self, f: impl FnMut(ArticleRow) -> Result<()>) -> Result<()> {
        self.query_articles("1 = 1", [], f)
    }

    /// One current article by id.
    pub fn article(&self, id: &str) -> Result<Option<ArticleRow>> {
        let mut found = None;
        self.query_articles("a.id = ?1", [id], |row| {
            found = Some(row);
            Ok(())
        })?;
        Ok(found)
    }

    fn query_articles<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
        mut f: impl FnMut(ArticleRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT a.id, COALESCE(c.outlet, a.outlet), a.url, c.published, IIF(c.article IS NULL, a.title, c.title),
                    COALESCE(c.author, a.author), c.dateline, COALESCE(c.text, ''), COALESCE(c.removed, '[]'),
                    m.story, m.storyline, d.duplicate_of, a.version, c.section, COALESCE(c.subheads, '[]'),
                    c.published_precision, c.published_flag, COALESCE(d.copies, 0), a.source, a.record,
                    c.non_article, a.text
             FROM current_articles a
             LEFT JOIN cleaned c ON c.article = a.rowid
             LEFT JOIN story_members m ON m.article_id = a.id
             LEFT JOIN dedup d ON d.article_id = a.id
             WHERE {filter}
             ORDER BY a.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params)?;
        while let Some(r) = rows.next()? {
            let removed: Vec<RemovedLine> = serde_json::from_str(&r.get::<_, String>(8)?)?;
            let source: String = r.get(18)?;
            let record: Option<i64> = r.get(19)?;
            let non_article: Option<String> = r.get(20)?;
            f(ArticleRow {
                id: r.get(0)?,
                outlet: r.get(1)?,
                url: r.get(2)?,
                published: r.get(3)?,
                title: r.get(4)?,
                author: r.get(5)?,
                dateline: r.get(6)?,
                text: r.get(7)?,
                removed_lines: removed
                    .iter()
                    .map(|l| RemovedSpan {
                        start: i64::from(l.span.start),
                        end: i64::from(l.span.end),
                        reason: removal_reason_name(l.reason).to_string(),
                        text: l.text.clone(),
                    })
                    .collect(),
                removed: removed.into_iter().map(|l| l.text).collect(),
                story: r.get(9)?,
                storyline: r.get(10)?,
                duplicate_of: r.get(11)?,
                version: r.get(12)?,
                section: r.get(13)?,
                subheads: serde_json::from_str(&r.get::<_, String>(14)?)?,
                published_precision: r.get(15)?,
                published_flag: r.get(16)?,
                copies: r.get(17)?,
                source: match record {
                    Some(n) => format!("{source}:{n}"),
                    None => source,
                },
                kind: if non_article.is_some() {
                    "non_article"
                } else {
                    "article"
                }
                .to_string(),
                kind_reason: non_article,
                original: r.get(21)?,
            })?;
        }
        Ok(())
    }

    /// The removed lines of a current article with their spans and reasons.
    pub fn removed_lines(&self, id: &str) -> Result<Vec<RemovedLine>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT c.removed FROM current_articles a JOIN cleaned c ON c.article = a.rowid WHERE a.id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match json {
            Some(j) => serde_json::from_str(&j)?,
            None => Vec::new(),
        })
    }

    /// The input bytes (e.g. the HTML page) the current version of an article was extracted
    /// from, when it was extracted from something.
    pub fn raw_input(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let raw: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT raw FROM current_articles WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(raw.and_then(|r| gunzip(&r).ok()))
    }

    /// The original text of the current version of an article.
    pub fn original_text(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT text FROM current_articles WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// All stories, largest first, then by first publication and id.
    pub fn stories(&self) -> Result<Vec<StoryRow>> {
        self.query_stories("1 = 1", [])
    }

    /// One story by id.
    pub fn story(&self, id: &str) -> Result<Option<StoryRow>> {
        Ok(self.query_stories("id = ?1", [id])?.into_iter().next())
    }

    /// The stories of one storyline, earliest first (undated last); empty for an unknown id.
    pub fn storyline(&self, id: &str) -> Result<Vec<StoryRow>> {
        let mut stories = self.query_stories("storyline = ?1", [id])?;
        stories.sort_by(|a, b| {
            (a.first_published.is_none(), &a.first_published, &a.id).cmp(&(
                b.first_published.is_none(),
                &b.first_published,
                &b.id,
            ))
        });
        Ok(stories)
    }

    fn query_stories<P: rusqlite::Params>(&self, filter: &str, params: P) -> Result<Vec<StoryRow>> {
        let sql = format!(
            "SELECT id, storyline, title, first_published, articles, outlets, first_outlet, last_published
             FROM stories WHERE {filter}
             ORDER BY json_array_length(articles) DESC, first_published IS NULL, first_published, id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(StoryRow {
                id: r.get(0)?,
                storyline: r.get(1)?,
                title: r.get(2)?,
                first_published: r.get(3)?,
                articles: serde_json::from_str(&r.get::<_, String>(4)?)?,
                outlets: serde_json::from_str(&r.get::<_, String>(5)?)?,
                first_outlet: r.get(6)?,
                last_published: r.get(7)?,
            });
        }
        Ok(out)
    }

    /// All alignments.
    pub fn alignments(&self) -> Result<Vec<AlignmentRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ALIGNMENT_COLUMNS} FROM alignments ORDER BY a, a_start, b, b_start"
        ))?;
        let rows = stmt.query_map([], AlignmentRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// All quotes.
    pub fn quotes(&self) -> Result<Vec<QuoteRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {QUOTE_COLUMNS} FROM quotes ORDER BY article, start, \"end\", direct DESC, text, speaker"
        ))?;
        let rows = stmt.query_map([], QuoteRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// All entities with their mentions.
    pub fn entities(&self) -> Result<Vec<EntityRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, type, variants FROM entities ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(EntityRow {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                variants: serde_json::from_str(&r.get::<_, String>(3)?)?,
                mentions: Vec::new(),
            });
        }
        let mut mstmt = self.conn.prepare(
            r#"SELECT entity, article, start, "end", text FROM mentions ORDER BY entity, article, start, "end", text"#,
        )?;
        let mut mrows = mstmt.query([])?;
        let index: std::collections::HashMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        while let Some(r) = mrows.next()? {
            let entity: String = r.get(0)?;
            if let Some(&i) = index.get(&entity) {
                out[i].mentions.push(MentionRow {
                    article: r.get(1)?,
                    start: r.get(2)?,
                    end: r.get(3)?,
                    text: r.get(4)?,
                });
            }
        }
        Ok(out)
    }

    /// Every rejected record, oldest first.
    pub fn rejected(&self) -> Result<Vec<RejectedRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT source, record, reason, raw_len, length(raw), first_run, last_run, records
             FROM rejected ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            let record: i64 = r.get(1)?;
            Ok(RejectedRow {
                source: r.get(0)?,
                record: (record >= 0).then_some(record),
                reason: r.get(2)?,
                raw_len: r.get(3)?,
                kept: r.get(4)?,
                first_run: r.get(5)?,
                last_run: r.get(6)?,
                records: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every warning about a stored record's values, oldest first.
    pub fn warnings(&self) -> Result<Vec<WarningRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT article, source, record, field, value, message, first_run, last_run
             FROM warnings ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            let record: i64 = r.get(2)?;
            Ok(WarningRow {
                article: r.get(0)?,
                source: r.get(1)?,
                record: (record >= 0).then_some(record),
                field: r.get(3)?,
                value: r.get(4)?,
                message: r.get(5)?,
                first_run: r.get(6)?,
                last_run: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Full-text search over titles and cleaned bodies, best first (BM25, title weighted
    /// above body), with a highlighted snippet. `query` uses FTS5 syntax; plain words are ANDed.
    pub fn search(&self, query: &str, limit: usize, offset: usize) -> Result<Vec<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, snippet(articles_fts, 2, '[', ']', '…', 12), bm25(articles_fts, 0.0, 5.0, 1.0)
             FROM articles_fts WHERE articles_fts MATCH ?1
             ORDER BY bm25(articles_fts, 0.0, 5.0, 1.0) LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt.query_map(params![query, limit as i64, offset as i64], |r| {
            Ok(SearchHit {
                id: r.get(0)?,
                title: r.get(1)?,
                snippet: r.get(2)?,
                score: -r.get::<_, f64>(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Store-wide counts.
    pub fn counts(&self) -> Result<Counts> {
        let one = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Counts {
            articles: one("SELECT COUNT(*) FROM (SELECT DISTINCT id FROM articles)")?,
            versions: one("SELECT COUNT(*) FROM articles")?,
            stories: one("SELECT COUNT(*) FROM stories")?,
            storylines: one("SELECT COUNT(DISTINCT storyline) FROM stories")?,
            duplicates: one("SELECT COUNT(*) FROM dedup WHERE duplicate_of IS NOT NULL")?,
            rejected: one("SELECT COALESCE(SUM(records), 0) FROM rejected")?,
            warnings: one("SELECT COUNT(*) FROM warnings")?,
            pending: one(
                "SELECT COUNT(*) FROM current_articles a LEFT JOIN cleaned c ON c.article = a.rowid WHERE c.article IS NULL",
            )?,
        })
    }

    /// The revision counters ([`REVISION_DERIVED`], [`REVISION_SEARCH`]) by name. Each grows
    /// in the same transaction as the change it counts, so a reader that notes the counters
    /// a result depends on before building it can keep the result for as long as they stay
    /// the same.
    pub fn revisions(&self) -> Result<Vec<(String, i64)>> {
        revisions(&self.conn)
    }

    /// Runs SQLite's own consistency check; `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<Result<(), String>> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(if verdict == "ok" {
            Ok(())
        } else {
            Err(verdict)
        })
    }

    /// Runs `f` inside one transaction (for stages that write several tables together).
    pub fn with_transaction<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// [`Store::revisions`] on any connection to a store (readers keep their own).
pub fn revisions(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT name, rev FROM revisions ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Counts one change of the tables behind revision `name`, inside the writer's transaction.
fn bump(tx: &Transaction<'_>, name: &str) -> Result<()> {
    tx.prepare_cached("UPDATE revisions SET rev = rev + 1 WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Puts the file in WAL mode (persistent: only its first opener changes anything).
///
/// Switching the journal mode can fail at once with "database is locked", without waiting in
/// the busy handler, while another connection opens or switches the same new file; so the
/// switch is retried until [`BUSY_TIMEOUT`].
fn ensure_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        let mode =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0));
        match mode {
            Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline => {}
            // Another mode (an in-memory store, say) is left as SQLite chose.
            Ok(_) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Applies the migrations this store lacks, each in its own transaction.
///
/// The version is read inside the write transaction that applies the next migration: two
/// processes opening a new store at once would otherwise both read version 0 and both run
/// migration 1, and the second would fail on "table articles already exists".
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let known = schema::MIGRATIONS.len() as i64;
    let version = |c: &Connection| -> Result<i64> {
        Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)
    };
    // The common case, a store already up to date, takes no write lock.
    let current = version(conn)?;
    if current > known {
        return Err(too_new(path, current, known));
    }
    if current == known {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = version(&tx)?;
        if current > known {
            return Err(too_new(path, current, known));
        }
        let Some(sql) = schema::MIGRATIONS.get(current as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        tracing::info!(version = current + 1, "applied schema migration");
    }
}

fn too_new(path: &Path, found: i64, known: i64) -> StoreError {
    StoreError::TooNew {
        path: path.display().to_string(),
        found,
        known,
    }
}

/// The export contract's name of a removal reason (its serde name).
pub fn removal_reason_name(r: ibid_core::RemovalReason) -> &'static str {
    use ibid_core::RemovalReason::*;
    match r {
        Boilerplate => "boilerplate",
        Code => "code",
        Repeated => "repeated",
        Metadata => "metadata",
        OutletBoilerplate => "outlet_boilerplate",
    }
}

/// Hash of everything a record says (not where it was read), so the same record from another
/// file is still "unchanged".
pub fn content_hash(a: &RawArticle) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    a.feed_content(|b| h.update(b));
    format!("{:032x}", h.digest128())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Decompresses a stored `raw` column (see [`Store::raw_input`]).
/// A raw record from a row whose columns 1..=7 are `id, text, title, url, outlet,
/// published_raw, author`.
fn raw_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawArticle> {
    Ok(RawArticle {
        id: r.get(1)?,
        text: r.get(2)?,
        title: r.get(3)?,
        url: r.get(4)?,
        outlet: r.get(5)?,
        published: r.get(6)?,
        author: r.get(7)?,
    })
}

pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A [`PendingArticle`] from a row of `rowid, id, text, title, url, outlet, published_raw,
/// author`.
pub(crate) fn pending_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingArticle> {
    Ok(PendingArticle {
        rowid: r.get(0)?,
        article: raw_from_row(r)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, text: &str) -> Incoming {
        Incoming::Article(IncomingArticle {
            article: RawArticle {
                id: id.into(),
                text: text.into(),
                ..Default::default()
            },
            source: "t.jsonl".into(),
            record: Some(1),
            fetched: None,
            raw: None,
        })
    }

    #[test]
    fn reingest_is_idempotent_and_changes_become_versions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let run = s.begin_run(&["x".into()]).unwrap();
        let o = s
            .write_batch(run, &[art("a", "one"), art("b", "two")])
            .unwrap();
        assert_eq!(o, vec![Outcome::Added, Outcome::Added]);
        let o = s
            .write_batch(run, &[art("a", "one"), art("b", "two, edited")])
            .unwrap();
        assert_eq!(o, vec![Outcome::Unchanged, Outcome::NewVersion]);
        let c = s.counts().unwrap();
        assert_eq!((c.articles, c.versions), (2, 3));
        // The current version is the newest; the old one is still stored.
        assert_eq!(
            s.original_text("b").unwrap().as_deref(),
            Some("two, edited")
        );
        let pending: Vec<_> = s
            .pending_clean("v1")
            .unwrap()
            .into_iter()
            .map(|p| p.article.text)
            .collect();
        assert_eq!(pending, vec!["one", "two, edited"]);
    }

    #[test]
    fn rejections_are_kept_once_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let rej = Incoming::Rejection(IncomingRejection {
            source: "bad.jsonl".into(),
            record: Some(3),
            reason: "broken JSON".into(),
            raw: b"{oops".to_vec(),
            raw_len: 5,
            records: 1,
        });
        let r1 = s.begin_run(&[]).unwrap();
        s.write_batch(r1, std::slice::from_ref(&rej)).unwrap();
        let r2 = s.begin_run(&[]).unwrap();
        s.write_batch(r2, &[rej]).unwrap();
        let rows = s.rejected().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].record, rows[0].first_run, rows[0].last_run),
            (Some(3), r1, r2)
        );
    }

    #[test]
    fn a_summary_rejection_counts_every_record_it_stands_for_and_warnings_keep_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let run = s.begin_run(&[]).unwrap();
        let summary = Incoming::Rejection(IncomingRejection {
            source: "bad.jsonl.gz".into(),
            record: None,
            reason: "1999000 more rejections".into(),
            raw: Vec::new(),
            raw_len: 10_000_000,
            records: 1_999_000,
        });
        let warning = |value: &str| {
            Incoming::Warning(IncomingWarning {
                article: "a".into(),
                source: "a.jsonl".into(),
                record: Some(1),
                field: "published".into(),
                value: value.into(),
                message: "not a usable date".into(),
            })
        };
        let mut counts = IngestCounts::default();
        for o in s
            .write_batch(run, &[art("a", "x"), summary, warning("yesterday")])
            .unwrap()
        {
            counts.count(o);
        }
        assert_eq!(
            (counts.added, counts.rejected, counts.warnings),
            (1, 1_999_000, 1)
        );
        // The same warning again is the same row.
        s.write_batch(run, &[warning("yesterday")]).unwrap();
        let rows = s.warnings().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].value.as_str(), rows[0].record),
            ("yesterday", Some(1))
        );
        let c = s.counts().unwrap();
        assert_eq!((c.rejected, c.warnings), (1_999_000, 1));
        assert_eq!(s.rejected().unwrap()[0].records, 1_999_000);
    }

    /// Processes opening a store that does not exist yet, all at once: before migrations read
    /// the schema version inside their own write transaction, every one but the first failed
    /// with "table articles already exists".
    #[test]
    fn stores_created_by_many_openers_at_once_all_open() {
        for round in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("new.db");
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Store::open(&path).map(|s| s.schema_version().unwrap())
                    })
                })
                .collect();
            for o in openers {
                let v = o.join().unwrap();
                assert_eq!(
                    v.as_ref().ok(),
                    Some(&(schema::MIGRATIONS.len() as i64)),
                    "round {round}: {v:?}"
                );
            }
        }
    }

    /// Writers interleaving batches: with deferred transactions, a writer whose read
    /// turned into a write failed at once with "database is locked" (the busy handler is not
    /// used for that upgrade); with immediate ones each waits its turn.
    #[test]
    fn concurrent_batches_wait_for_each_other_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(Store::open(&path).unwrap());
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut s = Store::open(&path).unwrap();
                    let run = s.begin_run(&[]).unwrap();
                    for b in 0..100 {
                        let batch: Vec<Incoming> = (0..20)
                            .map(|i| art(&format!("w{w}-{b}-{i}"), "text"))
                            .collect();
                        s.write_batch(run, &batch)?;
                    }
                    Ok::<_, StoreError>(())
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap().unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.counts().unwrap().versions, 4 * 100 * 20);
    }

    #[test]
    fn entity_counts_by_article_read_the_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("s.db")).unwrap();
        let plan: Vec<String> = s
            .connection()
            .prepare(
                "EXPLAIN QUERY PLAN SELECT entity, COUNT(*) FROM mentions
                 WHERE article IN ('a', 'b') GROUP BY entity",
            )
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|d| d.contains("COVERING INDEX mentions_by_article_entity")),
            "{plan:?}"
        );
    }

    #[test]
    fn reopening_keeps_data_and_refuses_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let mut s = Store::open(&path).unwrap();
            let run = s.begin_run(&[]).unwrap();
            s.write_batch(run, &[art("a", "one")]).unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), schema::MIGRATIONS.len() as i64);
        assert_eq!(s.counts().unwrap().articles, 1);
        s.connection()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        drop(s);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn search_finds_current_versions_by_bm25() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let run = s.begin_run(&[]).unwrap();
        s.write_batch(run, &[art("a", "x"), art("b", "y")]).unwrap();
        let cleaned = |text: &str, title: &str| CleanedArticle {
            text: text.into(),
            title: Some(title.into()),
            ..Default::default()
        };
        let rows: Vec<(i64, CleanedArticle, u64)> = s
            .pending_clean("v")
            .unwrap()
            .into_iter()
            .map(|p| {
                let c = if p.article.id == "a" {
                    cleaned("The harbour crane broke down again.", "Crane trouble")
                } else {
                    cleaned(
                        "A crane was mentioned once among many other harbour words.",
                        "Harbour news",
                    )
                };
                (p.rowid, c, 0)
            })
            .collect();
        s.write_cleaned("v", &rows).unwrap();
        let hits = s.search("crane", 10, 0).unwrap();
        assert_eq!(
            hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert!(hits[0].snippet.contains("[crane]"), "{}", hits[0].snippet);
        // Re-cleaning replaces the indexed text instead of adding a second entry.
        s.write_cleaned("v", &rows[..1]).unwrap();
        assert_eq!(s.search("crane", 10, 0).unwrap().len(), 2);
        assert!(s.search("nonexistentword", 10, 0).unwrap().is_empty());
    }

    #[test]
    fn revisions_count_what_views_depend_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let rev = |s: &Store| -> (i64, i64) {
            let r = s.revisions().unwrap();
            let get = |n: &str| r.iter().find(|x| x.0 == n).unwrap().1;
            (get(REVISION_DERIVED), get(REVISION_SEARCH))
        };
        assert_eq!(rev(&s), (0, 0));
        let run = s.begin_run(&["x".into()]).unwrap();
        s.write_batch(run, &[art("a", "one"), art("b", "two")])
            .unwrap();
        assert_eq!(rev(&s), (0, 0), "new articles change no view yet");
        let clean_pending = |s: &mut Store| {
            let rows: Vec<(i64, CleanedArticle, u64)> = s
                .pending_clean("v")
                .unwrap()
                .into_iter()
                .map(|p| (p.rowid, CleanedArticle::default(), 0))
                .collect();
            s.write_cleaned("v", &rows).unwrap();
        };
        clean_pending(&mut s);
        assert_eq!(
            rev(&s),
            (0, 1),
            "first cleaning changes the search index only"
        );
        s.replace_stories(&[StoryRow {
            id: "s1".into(),
            storyline: None,
            title: None,
            first_published: None,
            articles: vec!["a".into()],
            outlets: vec![],
            first_outlet: None,
            last_published: None,
        }])
        .unwrap();
        assert_eq!(rev(&s), (1, 1));
        s.replace_dedup(&[]).unwrap();
        s.replace_alignments(&[]).unwrap();
        s.replace_extraction(&[], &[], None).unwrap();
        assert_eq!(
            rev(&s),
            (3, 1),
            "an extraction that changes nothing keeps views valid"
        );
        let quote = QuoteRow {
            article: "a".into(),
            start: 0,
            end: 3,
            text: "one".into(),
            speaker: None,
            speaker_start: None,
            speaker_end: None,
            direct: true,
            statement: None,
            confidence: 1.0,
        };
        s.replace_extraction(std::slice::from_ref(&quote), &[], None)
            .unwrap();
        assert_eq!(rev(&s), (4, 1));
        s.replace_extraction(&[quote], &[], None).unwrap();
        assert_eq!(rev(&s), (4, 1), "the same quote again");
        s.write_batch(run, &[art("c", "three")]).unwrap();
        clean_pending(&mut s);
        assert_eq!(rev(&s), (4, 2), "c is in no story");
        s.write_batch(run, &[art("a", "one, edited")]).unwrap();
        assert_eq!(rev(&s), (5, 2), "a new version of a story's article");
        clean_pending(&mut s);
        assert_eq!(rev(&s), (6, 3), "re-cleaning a story's article");
        s.write_batch(run, &[art("c", "three")]).unwrap();
        assert_eq!(rev(&s), (6, 3), "unchanged records change nothing");
    }

    #[test]
    fn content_hash_separates_fields() {
        let a = RawArticle {
            id: "x".into(),
            text: "ab".into(),
            ..Default::default()
        };
        let b = RawArticle {
            text: "a".into(),
            title: Some("b".into()),
            ..a.clone()
        };
        assert_ne!(content_hash(&a), content_hash(&b));
        let moved = RawArticle {
            id: "y".into(),
            ..a.clone()
        };
        assert_eq!(content_hash(&a), content_hash(&moved));
    }
}
