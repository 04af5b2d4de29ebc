//! Saved state of incremental stages (story engine, near-duplicate and passage indexes), in
//! parts: SQLite refuses a value over 1 GB (`SQLITE_MAX_LENGTH`), and the passage index of a
//! store passes that at about 110,000 articles. Part 0 lives in `stage_state.data`, the rest in
//! `stage_state_parts`; a state is always written whole, in the caller's transaction.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{Result, Store};

/// Bytes per part: far below SQLite's limit, and a quarter of it in memory at a time while
/// SQLite copies a part.
const PART_BYTES: usize = 256 << 20;

/// Writes `data` as the state of `name` at `version`, replacing what was saved before.
pub(crate) fn write(conn: &Connection, name: &str, version: &str, data: &[u8]) -> Result<()> {
    write_parts(conn, name, version, data, PART_BYTES)
}

fn write_parts(
    conn: &Connection,
    name: &str,
    version: &str,
    data: &[u8],
    part_bytes: usize,
) -> Result<()> {
    let mut parts = data.chunks(part_bytes.max(1));
    let first = parts.next().unwrap_or_default();
    conn.execute(
        "INSERT OR REPLACE INTO stage_state (name, version, data) VALUES (?1, ?2, ?3)",
        params![name, version, first],
    )?;
    conn.execute("DELETE FROM stage_state_parts WHERE name = ?1", [name])?;
    let mut insert = conn
        .prepare_cached("INSERT INTO stage_state_parts (name, part, data) VALUES (?1, ?2, ?3)")?;
    for (i, part) in parts.enumerate() {
        insert.execute(params![name, i as i64 + 1, part])?;
    }
    Ok(())
}

/// The saved state of `name`, if it was saved at `version`.
pub(crate) fn read(conn: &Connection, name: &str, version: &str) -> Result<Option<Vec<u8>>> {
    let first: Option<Vec<u8>> = conn
        .query_row(
            "SELECT data FROM stage_state WHERE name = ?1 AND version = ?2",
            params![name, version],
            |r| r.get(0),
        )
        .optional()?;
    let Some(mut data) = first else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT data FROM stage_state_parts WHERE name = ?1 ORDER BY part")?;
    let mut rows = stmt.query([name])?;
    while let Some(r) = rows.next()? {
        let part: Vec<u8> = r.get(0)?;
        data.extend_from_slice(&part);
    }
    Ok(Some(data))
}

impl Store {
    /// Saved state of an incremental stage, if its version matches.
    pub fn stage_state(&self, name: &str, version: &str) -> Result<Option<Vec<u8>>> {
        read(&self.conn, name, version)
    }

    /// Saves the state of an incremental stage, in one transaction.
    pub fn save_stage_state(&mut self, name: &str, version: &str, data: &[u8]) -> Result<()> {
        let tx = self.conn.transaction()?;
        write(&tx, name, version, data)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_in_many_parts_reads_back_whole_and_shrinks_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        let big: Vec<u8> = (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect();
        write_parts(&s.conn, "align", "v1", &big, 3_000).unwrap();
        let parts: i64 = s
            .conn
            .query_row("SELECT COUNT(*) FROM stage_state_parts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            parts, 13,
            "40,000 bytes in parts of 3,000: part 0 and 13 more"
        );
        assert_eq!(s.stage_state("align", "v1").unwrap(), Some(big));
        assert_eq!(s.stage_state("align", "v2").unwrap(), None);
        // A smaller state replaces every part of the bigger one.
        s.save_stage_state("align", "v2", b"small").unwrap();
        assert_eq!(
            s.stage_state("align", "v2").unwrap().as_deref(),
            Some(&b"small"[..])
        );
        s.save_stage_state("empty", "v1", b"").unwrap();
        assert_eq!(s.stage_state("empty", "v1").unwrap(), Some(Vec::new()));
    }
}
