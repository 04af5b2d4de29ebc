//! What incremental stages read and write: per-article results kept beside the cleaned row,
//! the keys of cleaned articles without their texts, texts fetched for a few articles at a
//! time, and alignment rows appended with the state that produced them.
//!
//! These let a processing pass touch what is new (plus the few older articles a new one is
//! compared with) instead of loading every current article.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use crate::{
    bump, AlignmentRow, CleanedRef, PendingArticle, Result, Store, ALIGNMENT_COLUMNS,
    CLEANED_REF_COLUMNS, REVISION_DERIVED,
};

/// A current, cleaned article's identity and order keys, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanedKey {
    /// Row id of the current version.
    pub rowid: i64,
    /// Input id.
    pub id: String,
    /// Trusted publication time (RFC 3339).
    pub published: Option<String>,
    /// Exact-duplicate key.
    pub norm_hash: i64,
    /// Why the page is not an article, if it is not (such pages stay out of stories).
    pub non_article: Option<String>,
}

impl Store {
    /// Current articles that the clean stage still has to (re)process: never cleaned, cleaned
    /// by another clean version, or without per-article results of `results_version` (see
    /// [`Store::write_article_results`]).
    pub fn pending_clean_or_results(
        &self,
        clean_version: &str,
        results_version: &str,
    ) -> Result<Vec<PendingArticle>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.rowid, a.id, a.text, a.title, a.url, a.outlet, a.published_raw, a.author
             FROM current_articles a
             LEFT JOIN cleaned c ON c.article = a.rowid
             LEFT JOIN article_results r ON r.article = a.rowid
             WHERE c.article IS NULL OR c.stage_version != ?1
                OR r.article IS NULL OR r.stage_version != ?2
             ORDER BY a.rowid",
        )?;
        let rows = stmt.query_map(
            params![clean_version, results_version],
            crate::pending_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores per-article results (opaque bytes made by the pipeline: offset map, quotes,
    /// mentions) for article versions, replacing older ones, in one transaction.
    pub fn write_article_results(&mut self, version: &str, rows: &[(i64, Vec<u8>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO article_results (article, stage_version, data)
                 VALUES (?1, ?2, ?3)",
            )?;
            for (rowid, data) in rows {
                stmt.execute(params![rowid, version, data])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks every per-article result stale, so the next pass recomputes them (and, since
    /// they are made with the cleaned text, cleans again): `ibid process --rebuild clean`.
    pub fn invalidate_article_results(&mut self) -> Result<()> {
        self.conn
            .execute("UPDATE article_results SET stage_version = ''", [])?;
        Ok(())
    }

    /// Calls `f(id, data)` with the per-article results of every current article that has
    /// results of `version`, in row order (the order articles were first stored).
    pub fn for_each_article_result(
        &self,
        version: &str,
        mut f: impl FnMut(String, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, r.data
             FROM current_articles a JOIN cleaned c ON c.article = a.rowid
             JOIN article_results r ON r.article = a.rowid AND r.stage_version = ?1
             ORDER BY a.rowid",
        )?;
        let mut rows = stmt.query([version])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let data = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            f(id, data)?;
        }
        Ok(())
    }

    /// Per-article results of `version` for the current versions of `ids` (missing ids are
    /// left out), in the order asked.
    pub fn article_results(&self, version: &str, ids: &[&str]) -> Result<Vec<(String, Vec<u8>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.data FROM current_articles a
             JOIN article_results r ON r.article = a.rowid AND r.stage_version = ?2
             WHERE a.id = ?1",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query(params![id, version])?;
            if let Some(r) = rows.next()? {
                out.push((id.to_string(), r.get(0)?));
            }
        }
        Ok(out)
    }

    /// Every current, cleaned article's keys in publication order (undated last, then by id),
    /// without texts: the order cross-article stages see articles in, at a few dozen bytes an
    /// article.
    pub fn cleaned_keys_in_time_order(&self) -> Result<Vec<CleanedKey>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.rowid, a.id, c.published, c.norm_hash, c.non_article
             FROM current_articles a JOIN cleaned c ON c.article = a.rowid
             ORDER BY c.published IS NULL, c.published, a.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CleanedKey {
                rowid: r.get(0)?,
                id: r.get(1)?,
                published: r.get(2)?,
                norm_hash: r.get(3)?,
                non_article: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cleaned facts (text included) of the current versions of `ids`, in the order
    /// asked; ids without a cleaned current version are left out.
    pub fn cleaned_refs(&self, ids: &[&str]) -> Result<Vec<CleanedRef>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CLEANED_REF_COLUMNS}
             FROM current_articles a JOIN cleaned c ON c.article = a.rowid
             WHERE a.id = ?1"
        ))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(r) = rows.next()? {
                out.push(CleanedRef::from_row(r)?);
            }
        }
        Ok(out)
    }

    /// Appends alignment rows and saves the passage index state they came from, in one
    /// transaction (a kill between the two cannot leave rows the index does not know of, or
    /// the reverse). With `replace`, the table is emptied first (a rebuild).
    ///
    /// `relabel` gives stored rows (by row id) a new passage: new pairs can join two passage
    /// clusters or bring an earlier occurrence, which renames the cluster.
    ///
    /// `postings` are the passage index's changed postings (fingerprint, documents), written
    /// over the stored ones; with `replace` every stored posting is dropped first.
    pub fn append_alignments(
        &mut self,
        rows: &[AlignmentRow],
        replace: bool,
        relabel: &[(i64, Option<String>)],
        state: (&str, &str, &[u8]),
        postings: &[(u32, Vec<u32>)],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        if replace {
            tx.execute("DELETE FROM alignments", [])?;
            tx.execute("DELETE FROM align_postings", [])?;
        }
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO align_postings (fingerprint, docs) VALUES (?1, ?2)",
            )?;
            let mut blob = Vec::new();
            for (key, docs) in postings {
                pack(docs, u32::to_le_bytes, &mut blob);
                stmt.execute(params![key, blob])?;
            }
        }
        insert_alignments(&tx, rows)?;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE alignments SET passage = ?2 WHERE rowid = ?1")?;
            for (rowid, passage) in relabel {
                stmt.execute(params![rowid, passage])?;
            }
        }
        crate::stage_state::write(&tx, state.0, state.1, state.2)?;
        if replace || !rows.is_empty() {
            bump(&tx, REVISION_DERIVED)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored postings of the passage index for `keys` (fingerprints without postings
    /// are left out), as written by [`Store::append_alignments`].
    pub fn align_postings(&self, keys: &[u32]) -> Result<Vec<(u32, Vec<u32>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT docs FROM align_postings WHERE fingerprint = ?1")?;
        let mut out = Vec::with_capacity(keys.len());
        for &key in keys {
            let blob: Option<Vec<u8>> = stmt.query_row([key], |r| r.get(0)).optional()?;
            if let Some(blob) = blob {
                let docs = unpack(&blob, u32::from_le_bytes).ok_or_else(|| {
                    crate::StoreError::Corrupt(format!(
                        "passage postings of fingerprint {key}: {} bytes",
                        blob.len()
                    ))
                })?;
                out.push((key, docs));
            }
        }
        Ok(out)
    }

    /// The stored short-line keys of the given article versions (row ids) made at `version`;
    /// versions without keys of that version are left out.
    pub fn line_keys(&self, version: &str, rowids: &[i64]) -> Result<HashMap<i64, Vec<u64>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT keys FROM line_keys WHERE article = ?1 AND version = ?2")?;
        let mut out = HashMap::with_capacity(rowids.len());
        for &rowid in rowids {
            let blob: Option<Vec<u8>> = stmt
                .query_row(params![rowid, version], |r| r.get(0))
                .optional()?;
            // A blob that is not whole keys is treated as missing: the caller computes them.
            if let Some(keys) = blob.and_then(|b| unpack(&b, u64::from_le_bytes)) {
                out.insert(rowid, keys);
            }
        }
        Ok(out)
    }

    /// Stores short-line keys of article versions (row ids), made at `version`, in one
    /// transaction. They are a pure function of the stored record, so they may be written at
    /// any point of a pass.
    pub fn write_line_keys(&mut self, version: &str, rows: &[(i64, Vec<u64>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO line_keys (article, version, keys) VALUES (?1, ?2, ?3)",
            )?;
            let mut blob = Vec::new();
            for (rowid, keys) in rows {
                pack(keys, u64::to_le_bytes, &mut blob);
                stmt.execute(params![rowid, version, blob])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every alignment row with its row id.
    pub fn alignment_rows_with_ids(&self) -> Result<Vec<(i64, AlignmentRow)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ALIGNMENT_COLUMNS}, rowid FROM alignments ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([], |r| {
            let row = AlignmentRow::from_row(r)?;
            Ok((r.get(ALIGNMENT_COLUMNS.split(',').count())?, row))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of alignment rows.
    pub fn alignment_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM alignments", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Deletes the saved state of an incremental stage (the next pass rebuilds it).
    pub fn drop_stage_state(&mut self, name: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM stage_state WHERE name = ?1", [name])?;
        tx.execute("DELETE FROM stage_state_parts WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(())
    }
}

/// Writes `values` into `out` (cleared first) as little-endian integers: how integer lists
/// are stored as blobs.
fn pack<T: Copy, const N: usize>(values: &[T], to_le: fn(T) -> [u8; N], out: &mut Vec<u8>) {
    out.clear();
    out.extend(values.iter().flat_map(|&v| to_le(v)));
}

/// Reads a blob written by [`pack`]; `None` when its length is not a whole number of values.
fn unpack<T, const N: usize>(blob: &[u8], from_le: fn([u8; N]) -> T) -> Option<Vec<T>> {
    if !blob.len().is_multiple_of(N) {
        return None;
    }
    let values = blob
        .chunks_exact(N)
        .map(|b| {
            let mut a = [0u8; N];
            a.copy_from_slice(b);
            from_le(a)
        })
        .collect();
    Some(values)
}

/// Inserts alignment rows (in the caller's transaction).
pub(crate) fn insert_alignments(tx: &rusqlite::Connection, rows: &[AlignmentRow]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO alignments (a, a_start, a_end, b, b_start, b_end, similarity, passage)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for r in rows {
        stmt.execute(params![
            r.a,
            r.a_start,
            r.a_end,
            r.b,
            r.b_start,
            r.b_end,
            r.similarity,
            r.passage
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_lists_read_back_and_cut_blobs_are_refused() {
        let mut blob = vec![9, 9, 9];
        pack(&[1u32, u32::MAX, 0x0102_0304], u32::to_le_bytes, &mut blob);
        assert_eq!(blob.len(), 12, "cleared first");
        assert_eq!(
            unpack(&blob, u32::from_le_bytes),
            Some(vec![1, u32::MAX, 0x0102_0304])
        );
        assert_eq!(unpack(&blob[..11], u32::from_le_bytes), None);
        pack(&[u64::MAX, 7], u64::to_le_bytes, &mut blob);
        assert_eq!(unpack(&blob, u64::from_le_bytes), Some(vec![u64::MAX, 7]));
        assert_eq!(unpack(&blob, u32::from_le_bytes).map(|v| v.len()), Some(4));
        assert_eq!(unpack(&[], u64::from_le_bytes), Some(Vec::new()));
    }

    #[test]
    fn postings_and_line_keys_round_trip_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        s.write_line_keys("v1", &[(1, vec![5, u64::MAX]), (2, Vec::new())])
            .unwrap();
        let keys = s.line_keys("v1", &[1, 2, 3]).unwrap();
        assert_eq!(keys[&1], vec![5, u64::MAX]);
        assert_eq!(keys[&2], Vec::<u64>::new());
        assert!(!keys.contains_key(&3));
        assert!(s.line_keys("v2", &[1]).unwrap().is_empty(), "other version");
        let postings = vec![(7u32, vec![1u32, 2]), (9, vec![u32::MAX])];
        s.append_alignments(&[], false, &[], ("align", "v", b""), &postings)
            .unwrap();
        assert_eq!(
            s.align_postings(&[9, 8, 7]).unwrap(),
            vec![postings[1].clone(), postings[0].clone()]
        );
        // A rebuild empties the table before writing.
        s.append_alignments(&[], true, &[], ("align", "v", b""), &[(8, vec![3])])
            .unwrap();
        assert_eq!(s.align_postings(&[7, 8, 9]).unwrap(), vec![(8, vec![3])]);
    }
}
