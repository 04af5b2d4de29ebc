//! Versioned schema migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its own
//! transaction, so a crash mid-migration leaves the previous version intact. A store written by
//! a newer ibid (a higher version than this build knows) is refused rather than misread.

/// The migrations, in order. Never edit a published one: append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: originals, ingest runs, rejections, derived stages.
    r#"
    CREATE TABLE articles (
        rowid         INTEGER PRIMARY KEY,
        id            TEXT    NOT NULL,           -- the input's own id
        version       INTEGER NOT NULL,           -- 1, 2, ... per id; the highest is current
        content_hash  TEXT    NOT NULL,           -- xxh3-128 of the record's content fields
        text          TEXT    NOT NULL,           -- original text, verbatim
        title         TEXT,
        url           TEXT,
        outlet        TEXT,
        published_raw TEXT,
        author        TEXT,
        source        TEXT    NOT NULL,           -- file (or '-') it was read from
        record        INTEGER,                    -- line within the file, for JSONL
        run           INTEGER NOT NULL REFERENCES runs(rowid),
        ingested_at   TEXT    NOT NULL,
        UNIQUE (id, version),
        UNIQUE (id, content_hash)
    );
    CREATE VIEW current_articles AS
        SELECT a.* FROM articles a
        WHERE a.version = (SELECT MAX(b.version) FROM articles b WHERE b.id = a.id);

    CREATE TABLE runs (
        rowid       INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        inputs      TEXT NOT NULL,                -- JSON list of paths
        status      TEXT NOT NULL,                -- running | done | interrupted
        added       INTEGER NOT NULL DEFAULT 0,
        versions    INTEGER NOT NULL DEFAULT 0,
        unchanged   INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE rejected (
        rowid    INTEGER PRIMARY KEY,
        source   TEXT    NOT NULL,
        record   INTEGER NOT NULL,                -- -1 for a whole file
        reason   TEXT    NOT NULL,
        raw      BLOB    NOT NULL,                -- the raw bytes, possibly cut
        raw_len  INTEGER NOT NULL,                -- full length before any cut
        raw_hash TEXT    NOT NULL,
        first_run INTEGER NOT NULL,
        last_run  INTEGER NOT NULL,
        UNIQUE (source, record, raw_hash)
    );

    -- Derived data: always recomputable from `articles`.
    CREATE TABLE cleaned (
        article       INTEGER PRIMARY KEY REFERENCES articles(rowid),
        stage_version TEXT    NOT NULL,
        text          TEXT    NOT NULL,
        removed       TEXT    NOT NULL,           -- JSON [RemovedLine]
        title         TEXT,
        subheads      TEXT    NOT NULL,           -- JSON [string]
        dateline      TEXT,
        author        TEXT,
        outlet        TEXT,
        section       TEXT,
        published     TEXT,                       -- RFC 3339
        published_precision TEXT,
        published_flag TEXT,
        norm_hash     INTEGER NOT NULL            -- exact-duplicate key
    );

    CREATE TABLE dedup (
        article_id   TEXT PRIMARY KEY,            -- current article, by input id
        group_id     TEXT NOT NULL,               -- id of the group's original
        duplicate_of TEXT,                        -- NULL for the original itself
        copies       INTEGER NOT NULL,            -- group size - 1
        kind         TEXT NOT NULL                -- exact | near | containment | none
    );

    CREATE TABLE stories (
        id              TEXT PRIMARY KEY,
        storyline       TEXT,
        title           TEXT,
        first_published TEXT,
        first_outlet    TEXT,
        last_published  TEXT,
        articles        TEXT NOT NULL,            -- JSON [id] in arrival order
        outlets         TEXT NOT NULL             -- JSON [outlet]
    );
    CREATE TABLE story_members (
        article_id TEXT PRIMARY KEY,
        story      TEXT NOT NULL,
        storyline  TEXT
    );
    CREATE INDEX story_members_by_story ON story_members(story);

    CREATE TABLE alignments (
        a TEXT NOT NULL, a_start INTEGER NOT NULL, a_end INTEGER NOT NULL,
        b TEXT NOT NULL, b_start INTEGER NOT NULL, b_end INTEGER NOT NULL,
        similarity REAL NOT NULL
    );
    CREATE TABLE quotes (
        article TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        text TEXT NOT NULL, speaker TEXT, speaker_start INTEGER, speaker_end INTEGER,
        direct INTEGER NOT NULL, statement TEXT
    );
    CREATE TABLE entities (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
        variants TEXT NOT NULL                    -- JSON [string]
    );
    CREATE TABLE mentions (
        entity TEXT NOT NULL REFERENCES entities(id),
        article TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL
    );

    -- Serialized state of incremental stages (story engine, dedup index).
    CREATE TABLE stage_state (
        name    TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        data    BLOB NOT NULL
    );
    "#,
    // 2: full-text search over current articles' titles and cleaned bodies (BM25 via FTS5).
    r#"
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        id UNINDEXED, title, text,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    "#,
    // 3: fetch time (WARC) and the gzipped input bytes an article was extracted from (HTML).
    r#"
    ALTER TABLE articles ADD COLUMN fetched TEXT;
    ALTER TABLE articles ADD COLUMN raw BLOB;
    "#,
    // 4: lookups by article and entity, which the story, article and entity pages of
    // `ibid serve` make on every request (without them each is a full table scan).
    r#"
    CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes(article);
    CREATE INDEX IF NOT EXISTS mentions_by_article ON mentions(article);
    CREATE INDEX IF NOT EXISTS mentions_by_entity ON mentions(entity);
    CREATE INDEX IF NOT EXISTS alignments_by_a ON alignments(a);
    CREATE INDEX IF NOT EXISTS alignments_by_b ON alignments(b);
    "#,
    // 5: change counters (see `Store::revisions`): a reader that built something from a group
    // of tables can tell whether it is still current by comparing one number, without reading
    // the tables again. Bumped in the same transaction as the change they count.
    r#"
    CREATE TABLE revisions (
        name TEXT PRIMARY KEY,
        rev  INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO revisions (name, rev) VALUES ('derived', 0), ('search', 0);
    "#,
    // 6: mentions by article *with* their entity: counting a story's entities (thousands of
    // articles' mentions grouped by entity) then reads the index alone, not every mention
    // row. It answers every lookup the plain article index did, which it replaces.
    r#"
    CREATE INDEX IF NOT EXISTS mentions_by_article_entity ON mentions(article, entity);
    DROP INDEX IF EXISTS mentions_by_article;
    "#,
    // 7: a quote's confidence (the precision of the rule that found it), so that
    // listings can show direct quotes and confident indirect ones by default.
    r#"
    ALTER TABLE quotes ADD COLUMN confidence REAL NOT NULL DEFAULT 1.0;
    "#,
    // 8: why the clean stage judged a page not to be an article (NULL for an article), and the
    // passage cluster each aligned pair belongs to (`p-ARTICLE:START-END`, as `ibid show`).
    r#"
    ALTER TABLE cleaned ADD COLUMN non_article TEXT;
    ALTER TABLE alignments ADD COLUMN passage TEXT;
    CREATE INDEX IF NOT EXISTS alignments_by_passage ON alignments(passage);
    "#,
    // 9: a rejection may stand for many input records (the summary a per-input cap makes of
    // the rejections it did not keep one by one), and warnings: values of stored records that
    // could not be used as given (an object as id, an unparseable date), with the raw value.
    r#"
    ALTER TABLE rejected ADD COLUMN records INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE warnings (
        rowid     INTEGER PRIMARY KEY,
        article   TEXT    NOT NULL,               -- the article's id
        source    TEXT    NOT NULL,               -- file (or '-') it was read from
        record    INTEGER NOT NULL,               -- line or WARC record, -1 for a whole file
        field     TEXT    NOT NULL,               -- the input field (id, published, title, ...)
        value     TEXT    NOT NULL,               -- the value as found (JSON if structured), cut at 1 KiB
        message   TEXT    NOT NULL,               -- what was done instead
        first_run INTEGER NOT NULL,
        last_run  INTEGER NOT NULL,
        UNIQUE (article, field, value)
    );
    "#,
    // 10 (issue 19): per-article results that later stages reuse instead of recomputing them
    // (offset map, quotes, mentions), beside the cleaned row of the same article version and
    // tagged with the version of the code that made them.
    r#"
    CREATE TABLE article_results (
        article       INTEGER PRIMARY KEY REFERENCES articles(rowid),
        stage_version TEXT    NOT NULL,
        data          BLOB    NOT NULL            -- postcard-encoded, see ibid-pipeline
    );
    "#,
    // 11: a stage's saved state past one part (`stage_state.data` holds part 0): SQLite refuses
    // values over 1 GB, which the passage index passed at about 110,000 articles.
    r#"
    CREATE TABLE stage_state_parts (
        name TEXT    NOT NULL,
        part INTEGER NOT NULL,                    -- 1, 2, ... after stage_state.data
        data BLOB    NOT NULL,
        PRIMARY KEY (name, part)
    );
    "#,
    // 12: the passage index's postings, one row per fingerprint (documents as little-endian
    // u32s), so a batch reads and writes the fingerprints it touches instead of the whole
    // index (438 MB at 155,000 articles).
    r#"
    CREATE TABLE align_postings (
        fingerprint INTEGER PRIMARY KEY,
        docs        BLOB NOT NULL
    );
    "#,
    // 13: each article version's short-line keys (the outlet line index's, little-endian
    // u64s), so finding the stored articles a batch's furniture changes reads a few dozen
    // bytes an article instead of its text.
    r#"
    CREATE TABLE line_keys (
        article INTEGER PRIMARY KEY,              -- articles.rowid
        version TEXT    NOT NULL,
        keys    BLOB    NOT NULL
    );
    "#,
];
