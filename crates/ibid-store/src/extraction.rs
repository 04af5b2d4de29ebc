//! Writing the store-wide extraction (quotes, entities, mentions) by difference.
//!
//! The text stage derives these tables from every article's stored results on each pass, but
//! an ingest into a big store changes a few thousand of their millions of rows. Deleting and
//! re-inserting everything (with its indexes) was a fifth of the time of adding 1,000 articles
//! to a 37,500-article store; comparing with what is stored and touching only the rows that
//! differ gives the same tables.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::{params, Transaction};
use xxhash_rust::xxh3::Xxh3;

use crate::{bump, EntityRow, QuoteRow, Result, Store, REVISION_DERIVED};

/// A row's content as a 128-bit digest, fed column by column in SQLite's own terms (the
/// stored row through [`ValueRef`], a new row through the same encodings). Comparing digests
/// instead of owned copies of millions of rows saves most of the pass; two different rows
/// share a digest with a probability of about 2^-128 per pair.
#[derive(Default)]
struct RowDigest(Xxh3);

impl RowDigest {
    fn value(&mut self, v: ValueRef<'_>) -> &mut Self {
        match v {
            ValueRef::Null => self.0.update(&[0]),
            ValueRef::Integer(i) => {
                self.0.update(&[1]);
                self.0.update(&i.to_le_bytes());
            }
            ValueRef::Real(f) => {
                self.0.update(&[2]);
                self.0.update(&f.to_bits().to_le_bytes());
            }
            ValueRef::Text(b) | ValueRef::Blob(b) => {
                self.0.update(&[3]);
                self.0.update(&(b.len() as u64).to_le_bytes());
                self.0.update(b);
            }
        }
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.value(ValueRef::Text(s.as_bytes()))
    }

    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        self.value(s.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())))
    }

    fn int(&mut self, i: i64) -> &mut Self {
        self.value(ValueRef::Integer(i))
    }

    fn opt_int(&mut self, i: Option<i64>) -> &mut Self {
        self.value(i.map_or(ValueRef::Null, ValueRef::Integer))
    }

    fn digest(&self) -> u128 {
        self.0.digest128()
    }
}

/// The digest of a stored row's first `columns` columns.
fn stored_digest(r: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<u128> {
    let mut d = RowDigest::default();
    for i in 0..columns {
        d.value(r.get_ref(i)?);
    }
    Ok(d.digest())
}

/// Columns of `quotes` in the order [`quote_digest`] feeds them.
const QUOTE_DIGEST_COLUMNS: &str = r#"article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence"#;

fn quote_digest(q: &QuoteRow) -> u128 {
    RowDigest::default()
        .text(&q.article)
        .int(q.start)
        .int(q.end)
        .text(&q.text)
        .opt_text(q.speaker.as_deref())
        .opt_int(q.speaker_start)
        .opt_int(q.speaker_end)
        .int(i64::from(q.direct))
        .opt_text(q.statement.as_deref())
        .value(ValueRef::Real(q.confidence))
        .digest()
}

/// Columns of `mentions` in the order [`mention_digest`] feeds them.
const MENTION_DIGEST_COLUMNS: &str = r#"entity, article, start, "end", text"#;

fn mention_digest(entity: &str, m: &crate::MentionRow) -> u128 {
    RowDigest::default()
        .text(entity)
        .text(&m.article)
        .int(m.start)
        .int(m.end)
        .text(&m.text)
        .digest()
}

/// Row ids of the stored rows of one table, by content digest: several rows may share one.
#[derive(Default)]
struct Stored {
    rowids: HashMap<u128, Vec<i64>>,
}

impl Stored {
    /// Reads `columns` (and the row id) of every row of `table`.
    fn read(tx: &Transaction<'_>, table: &str, columns: &str) -> Result<Self> {
        let n = columns.split(',').count();
        let mut stmt = tx.prepare(&format!("SELECT {columns}, rowid FROM {table}"))?;
        let mut rows = stmt.query([])?;
        let mut out = Self::default();
        while let Some(r) = rows.next()? {
            let digest = stored_digest(r, n)?;
            out.rowids.entry(digest).or_default().push(r.get(n)?);
        }
        Ok(out)
    }

    /// Takes a stored row with this digest out of the set; `false` when there is none (the
    /// row must be inserted).
    fn take(&mut self, digest: u128) -> bool {
        self.rowids.get_mut(&digest).and_then(Vec::pop).is_some()
    }

    /// The row ids of stored rows nobody took: rows to delete.
    fn left(self) -> impl Iterator<Item = i64> {
        self.rowids.into_values().flatten()
    }
}

impl Store {
    /// Makes the quote, entity and mention tables hold exactly `quotes` and `entities`, in
    /// one transaction, writing only the rows that differ from what is stored.
    ///
    /// `state`, when given, is saved as the named stage state (`name, version, data`) in the
    /// same transaction, so a state describing these rows never outlives them.
    pub fn replace_extraction(
        &mut self,
        quotes: &[QuoteRow],
        entities: &[EntityRow],
        state: Option<(&str, &str, &[u8])>,
    ) -> Result<()> {
        let mentions = || {
            entities
                .iter()
                .flat_map(|e| e.mentions.iter().map(move |m| (e.id.as_str(), m.clone())))
        };
        self.replace_extraction_streamed(quotes, entities, mentions, state)
    }

    /// [`Store::replace_extraction`] with the mentions given apart from their entities (whose
    /// `mentions` are ignored), as `(entity id, row)`, by a function that makes them anew
    /// each time it is called. It is called twice (once to find the rows already stored,
    /// once to insert the others), so that the mentions of a whole store are never all in
    /// memory at once: 9 million rows were most of a full write's 9.4 GB.
    pub fn replace_extraction_streamed<'a, I>(
        &mut self,
        quotes: &[QuoteRow],
        entities: &[EntityRow],
        mentions: impl Fn() -> I,
        state: Option<(&str, &str, &[u8])>,
    ) -> Result<()>
    where
        I: Iterator<Item = (&'a str, crate::MentionRow)>,
    {
        let tx = self.conn.transaction()?;
        let mut changed = 0usize;
        changed += sync_quotes(&tx, quotes)?;
        changed += sync_entities(&tx, entities, mentions)?;
        if changed > 0 {
            bump(&tx, REVISION_DERIVED)?;
        }
        if let Some((name, version, data)) = state {
            crate::stage_state::write(&tx, name, version, data)?;
        }
        tx.commit()?;
        tracing::debug!(changed, "extraction rows written");
        Ok(())
    }

    /// Replaces the quotes and mentions of `articles` only, and makes the entity table hold
    /// exactly `entities` (their `mentions` are ignored: `mentions` holds the new mentions of
    /// `articles`, with their entity id), in one transaction with `state` (as in
    /// [`Store::replace_extraction`]).
    ///
    /// For a caller that knows which articles' rows changed: the other articles' rows, and
    /// the millions of rows of a big store, are not read. Every mention of an entity that is
    /// no longer in `entities` must be among those replaced (an entity's mentions move only
    /// when their articles' rows change), else it is left pointing at no entity.
    pub fn replace_extraction_of(
        &mut self,
        articles: &[&str],
        quotes: &[QuoteRow],
        entities: &[EntityRow],
        mentions: &[(&str, crate::MentionRow)],
        state: (&str, &str, &[u8]),
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let mut changed = articles.len();
        {
            let mut del_quotes = tx.prepare_cached("DELETE FROM quotes WHERE article = ?1")?;
            let mut del_mentions = tx.prepare_cached("DELETE FROM mentions WHERE article = ?1")?;
            for a in articles {
                del_quotes.execute([a])?;
                del_mentions.execute([a])?;
            }
        }
        changed += sync_entity_heads(&tx, entities)?;
        insert_quotes(&tx, quotes.iter())?;
        {
            let mut insert = tx.prepare_cached(
                r#"INSERT INTO mentions (entity, article, start, "end", text) VALUES (?1, ?2, ?3, ?4, ?5)"#,
            )?;
            for (entity, m) in mentions {
                insert.execute(params![entity, m.article, m.start, m.end, m.text])?;
            }
        }
        if changed > 0 {
            bump(&tx, REVISION_DERIVED)?;
        }
        let (name, version, data) = state;
        crate::stage_state::write(&tx, name, version, data)?;
        tx.commit()?;
        tracing::debug!(
            articles = articles.len(),
            quotes = quotes.len(),
            mentions = mentions.len(),
            "extraction rows of changed articles written"
        );
        Ok(())
    }
}

/// Inserts quote rows (in the caller's transaction).
fn insert_quotes<'a>(
    tx: &Transaction<'_>,
    quotes: impl Iterator<Item = &'a QuoteRow>,
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        r#"INSERT INTO quotes (article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"#,
    )?;
    for x in quotes {
        insert.execute(params![
            x.article,
            x.start,
            x.end,
            x.text,
            x.speaker,
            x.speaker_start,
            x.speaker_end,
            x.direct,
            x.statement,
            x.confidence
        ])?;
    }
    Ok(())
}

fn sync_quotes(tx: &Transaction<'_>, quotes: &[QuoteRow]) -> Result<usize> {
    let mut stored = Stored::read(tx, "quotes", QUOTE_DIGEST_COLUMNS)?;
    let fresh: Vec<&QuoteRow> = quotes
        .iter()
        .filter(|q| !stored.take(quote_digest(q)))
        .collect();
    let mut changed = fresh.len();
    let mut delete = tx.prepare_cached("DELETE FROM quotes WHERE rowid = ?1")?;
    for rowid in stored.left() {
        delete.execute([rowid])?;
        changed += 1;
    }
    insert_quotes(tx, fresh.into_iter())?;
    Ok(changed)
}

fn sync_entities<'a, I>(
    tx: &Transaction<'_>,
    entities: &[EntityRow],
    mentions: impl Fn() -> I,
) -> Result<usize>
where
    I: Iterator<Item = (&'a str, crate::MentionRow)>,
{
    let mut stored_mentions = Stored::read(tx, "mentions", MENTION_DIGEST_COLUMNS)?;
    // First pass: which new rows are stored already (by digest, as a multiset).
    let mut already: HashMap<u128, usize> = HashMap::new();
    for (entity, m) in mentions() {
        let digest = mention_digest(entity, &m);
        if stored_mentions.take(digest) {
            *already.entry(digest).or_default() += 1;
        }
    }
    let mut changed = 0usize;
    // Mentions first: a mention references its entity.
    {
        let mut delete = tx.prepare_cached("DELETE FROM mentions WHERE rowid = ?1")?;
        for rowid in stored_mentions.left() {
            delete.execute([rowid])?;
            changed += 1;
        }
    }
    changed += sync_entity_heads(tx, entities)?;
    let mut insert = tx.prepare_cached(
        r#"INSERT INTO mentions (entity, article, start, "end", text) VALUES (?1, ?2, ?3, ?4, ?5)"#,
    )?;
    // Second pass: the others are inserted.
    for (entity, m) in mentions() {
        let digest = mention_digest(entity, &m);
        match already.get_mut(&digest) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                insert.execute(params![entity, m.article, m.start, m.end, m.text])?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// Makes the entity table (id, name, type, variants; not the mentions) hold exactly
/// `entities`, touching only rows that differ. Returns the number of rows changed.
fn sync_entity_heads(tx: &Transaction<'_>, entities: &[EntityRow]) -> Result<usize> {
    // Entities by id: (name, type, variants JSON).
    let mut stored: HashMap<String, (String, String, String)> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, name, type, variants FROM entities")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            stored.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    let mut changed = 0;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entities (id, name, type, variants) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut update =
        tx.prepare_cached("UPDATE entities SET name = ?2, type = ?3, variants = ?4 WHERE id = ?1")?;
    for e in entities {
        let variants = serde_json::to_string(&e.variants)?;
        match stored.remove(&e.id) {
            Some((name, kind, v)) if name == e.name && kind == e.kind && v == variants => {}
            Some(_) => {
                update.execute(params![e.id, e.name, e.kind, variants])?;
                changed += 1;
            }
            None => {
                insert.execute(params![e.id, e.name, e.kind, variants])?;
                changed += 1;
            }
        }
    }
    let mut delete = tx.prepare_cached("DELETE FROM entities WHERE id = ?1")?;
    for id in stored.into_keys() {
        delete.execute([id])?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MentionRow;

    fn quote(article: &str, start: i64, speaker: Option<&str>) -> QuoteRow {
        QuoteRow {
            article: article.into(),
            start,
            end: start + 5,
            text: "words".into(),
            speaker: speaker.map(Into::into),
            speaker_start: None,
            speaker_end: None,
            direct: true,
            statement: None,
            confidence: 0.7,
        }
    }

    fn entity(id: &str, variants: &[&str], mentions: &[(&str, i64)]) -> EntityRow {
        EntityRow {
            id: id.into(),
            name: id.to_uppercase(),
            kind: "PER".into(),
            variants: variants.iter().map(|v| v.to_string()).collect(),
            mentions: mentions
                .iter()
                .map(|&(article, start)| MentionRow {
                    article: article.into(),
                    start,
                    end: start + 3,
                    text: "Ann".into(),
                })
                .collect(),
        }
    }

    fn sorted_quotes(s: &Store) -> Vec<String> {
        let mut q: Vec<String> = s
            .quotes()
            .unwrap()
            .iter()
            .map(|q| format!("{q:?}"))
            .collect();
        q.sort();
        q
    }

    #[test]
    fn writing_by_difference_leaves_exactly_the_new_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        // Duplicates are kept as many times as given.
        let first_quotes = vec![
            quote("a", 0, Some("Ann")),
            quote("a", 0, Some("Ann")),
            quote("b", 9, None),
        ];
        let first_entities = vec![
            entity("ann", &["Ann"], &[("a", 0), ("a", 0), ("b", 4)]),
            entity("bob", &["Bob"], &[("b", 20)]),
        ];
        s.replace_extraction(&first_quotes, &first_entities, None)
            .unwrap();
        let mut expected: Vec<String> = first_quotes.iter().map(|q| format!("{q:?}")).collect();
        expected.sort();
        assert_eq!(sorted_quotes(&s), expected);
        assert_eq!(s.entities().unwrap(), first_entities);

        // One duplicate gone, a speaker renamed, a quote added; an entity's variants changed,
        // one mention moved, an entity gone and one new.
        let quotes = vec![
            quote("a", 0, Some("Ann Lee")),
            quote("b", 9, None),
            quote("c", 1, None),
        ];
        let entities = vec![
            entity("ann", &["Ann", "Ann Lee"], &[("a", 0), ("c", 7)]),
            entity("cat", &["Cat"], &[("b", 20)]),
        ];
        s.replace_extraction(&quotes, &entities, None).unwrap();
        let mut expected: Vec<String> = quotes.iter().map(|q| format!("{q:?}")).collect();
        expected.sort();
        assert_eq!(sorted_quotes(&s), expected);
        assert_eq!(s.entities().unwrap(), entities);

        s.replace_extraction(&[], &[], None).unwrap();
        assert!(s.quotes().unwrap().is_empty() && s.entities().unwrap().is_empty());
    }

    #[test]
    fn replacing_some_articles_equals_writing_everything() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let first_quotes = vec![
            quote("a", 0, Some("Ann")),
            quote("b", 9, None),
            quote("c", 2, None),
        ];
        let first_entities = vec![
            entity("ann", &["Ann"], &[("a", 0), ("b", 4)]),
            entity("bob", &["Bob"], &[("b", 20), ("c", 1)]),
            entity("dee", &["Dee"], &[("a", 30)]),
        ];
        s.replace_extraction(&first_quotes, &first_entities, Some(("rows", "v1", b"one")))
            .unwrap();
        assert_eq!(
            s.stage_state("rows", "v1").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        let revision = s.revisions().unwrap();

        // Articles a and b change: Ann is renamed, Dee goes (her one mention was in a), a new
        // entity appears; c's rows are not given and stay.
        let quotes = vec![
            quote("a", 0, Some("Ann Lee")),
            quote("a", 40, None),
            quote("c", 2, None),
        ];
        let entities = vec![
            entity("ann", &["Ann", "Ann Lee"], &[("a", 0)]),
            entity("bob", &["Bob"], &[("b", 20), ("c", 1)]),
            entity("eve", &["Eve"], &[("b", 50)]),
        ];
        let changed: Vec<QuoteRow> = quotes
            .iter()
            .filter(|q| q.article != "c")
            .cloned()
            .collect();
        let mentions: Vec<(&str, MentionRow)> = entities
            .iter()
            .flat_map(|e| e.mentions.iter().map(move |m| (e.id.as_str(), m.clone())))
            .filter(|(_, m)| m.article != "c")
            .collect();
        s.replace_extraction_of(
            &["a", "b"],
            &changed,
            &entities,
            &mentions,
            ("rows", "v1", b"two"),
        )
        .unwrap();
        assert_eq!(
            s.stage_state("rows", "v1").unwrap().as_deref(),
            Some(&b"two"[..])
        );
        assert_ne!(s.revisions().unwrap(), revision, "listings see the change");

        let mut full = Store::open(&dir.path().join("full.db")).unwrap();
        full.replace_extraction(&quotes, &entities, None).unwrap();
        assert_eq!(sorted_quotes(&s), sorted_quotes(&full));
        assert_eq!(s.entities().unwrap(), full.entities().unwrap());
        assert_eq!(s.entities().unwrap(), entities);
    }
}
