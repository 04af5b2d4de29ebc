//! Writing the store-wide extraction (quotes, entities, mentions) by difference.
//!
//! The text stage derives these tables from every article's stored results on each pass, but
//! an ingest into a big store changes a few thousand of their millions of rows. Deleting and
//! re-inserting everything (with its indexes) was a fifth of the time of adding 1,000 articles
//! to a 37,500-article store; comparing with what is stored and touching only the rows that
//! differ gives the same tables.

use std::collections::HashMap;
use std::hash::Hash;

use rusqlite::{params, Transaction};

use crate::{bump, EntityRow, QuoteRow, Result, Store, QUOTE_COLUMNS, REVISION_DERIVED};

/// Row ids of the stored rows of one table, by content: several rows may share one.
struct Stored<K> {
    rowids: HashMap<K, Vec<i64>>,
}

impl<K: Hash + Eq> Stored<K> {
    /// Takes a stored row equal to `key` out of the set; `false` when there is none (the row
    /// must be inserted).
    fn take(&mut self, key: &K) -> bool {
        self.rowids.get_mut(key).and_then(Vec::pop).is_some()
    }

    /// The row ids of stored rows nobody took: rows to delete.
    fn left(self) -> impl Iterator<Item = i64> {
        self.rowids.into_values().flatten()
    }
}

/// A quote row as a comparable key (confidence by its bits: it is stored as written).
type QuoteKey = (
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    Option<String>,
    u64,
);

fn quote_key(q: &QuoteRow) -> QuoteKey {
    (
        q.article.clone(),
        q.start,
        q.end,
        q.text.clone(),
        q.speaker.clone(),
        q.speaker_start,
        q.speaker_end,
        q.direct,
        q.statement.clone(),
        q.confidence.to_bits(),
    )
}

/// A mention row: entity, article, start, end, text.
type MentionKey = (String, String, i64, i64, String);

impl Store {
    /// Makes the quote, entity and mention tables hold exactly `quotes` and `entities`, in
    /// one transaction, writing only the rows that differ from what is stored.
    pub fn replace_extraction(
        &mut self,
        quotes: &[QuoteRow],
        entities: &[EntityRow],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let mut changed = 0usize;
        changed += sync_quotes(&tx, quotes)?;
        changed += sync_entities(&tx, entities)?;
        if changed > 0 {
            bump(&tx, REVISION_DERIVED)?;
        }
        tx.commit()?;
        tracing::debug!(changed, "extraction rows written");
        Ok(())
    }
}

fn sync_quotes(tx: &Transaction<'_>, quotes: &[QuoteRow]) -> Result<usize> {
    let mut stored = Stored {
        rowids: HashMap::new(),
    };
    {
        let mut stmt = tx.prepare(&format!("SELECT {QUOTE_COLUMNS}, rowid FROM quotes"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let q = QuoteRow::from_row(r)?;
            let rowid: i64 = r.get(QUOTE_COLUMNS.split(',').count())?;
            stored.rowids.entry(quote_key(&q)).or_default().push(rowid);
        }
    }
    let fresh: Vec<&QuoteRow> = quotes
        .iter()
        .filter(|q| !stored.take(&quote_key(q)))
        .collect();
    let mut changed = fresh.len();
    let mut delete = tx.prepare_cached("DELETE FROM quotes WHERE rowid = ?1")?;
    for rowid in stored.left() {
        delete.execute([rowid])?;
        changed += 1;
    }
    let mut insert = tx.prepare_cached(
        r#"INSERT INTO quotes (article, start, "end", text, speaker, speaker_start, speaker_end, direct, statement, confidence)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"#,
    )?;
    for x in fresh {
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
    Ok(changed)
}

fn sync_entities(tx: &Transaction<'_>, entities: &[EntityRow]) -> Result<usize> {
    // Entities by id: (name, type, variants JSON).
    let mut stored_entities: HashMap<String, (String, String, String)> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, name, type, variants FROM entities")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            stored_entities.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    let mut stored_mentions: Stored<MentionKey> = Stored {
        rowids: HashMap::new(),
    };
    {
        let mut stmt =
            tx.prepare(r#"SELECT entity, article, start, "end", text, rowid FROM mentions"#)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key: MentionKey = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            stored_mentions
                .rowids
                .entry(key)
                .or_default()
                .push(r.get(5)?);
        }
    }
    let mut new_mentions: Vec<(&str, &crate::MentionRow)> = Vec::new();
    for e in entities {
        for m in &e.mentions {
            let key: MentionKey = (
                e.id.clone(),
                m.article.clone(),
                m.start,
                m.end,
                m.text.clone(),
            );
            if !stored_mentions.take(&key) {
                new_mentions.push((&e.id, m));
            }
        }
    }
    let mut changed = new_mentions.len();
    // Mentions first: a mention references its entity.
    {
        let mut delete = tx.prepare_cached("DELETE FROM mentions WHERE rowid = ?1")?;
        for rowid in stored_mentions.left() {
            delete.execute([rowid])?;
            changed += 1;
        }
    }
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO entities (id, name, type, variants) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut update = tx.prepare_cached(
            "UPDATE entities SET name = ?2, type = ?3, variants = ?4 WHERE id = ?1",
        )?;
        for e in entities {
            let variants = serde_json::to_string(&e.variants)?;
            match stored_entities.remove(&e.id) {
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
        for id in stored_entities.into_keys() {
            delete.execute([id])?;
            changed += 1;
        }
    }
    let mut insert = tx.prepare_cached(
        r#"INSERT INTO mentions (entity, article, start, "end", text) VALUES (?1, ?2, ?3, ?4, ?5)"#,
    )?;
    for (entity, m) in new_mentions {
        insert.execute(params![entity, m.article, m.start, m.end, m.text])?;
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
        s.replace_extraction(&first_quotes, &first_entities)
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
        s.replace_extraction(&quotes, &entities).unwrap();
        let mut expected: Vec<String> = quotes.iter().map(|q| format!("{q:?}")).collect();
        expected.sort();
        assert_eq!(sorted_quotes(&s), expected);
        assert_eq!(s.entities().unwrap(), entities);

        s.replace_extraction(&[], &[]).unwrap();
        assert!(s.quotes().unwrap().is_empty() && s.entities().unwrap().is_empty());
    }
}
