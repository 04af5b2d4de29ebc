//! One writer at a time: an advisory lock on a file beside the store.
//!
//! SQLite serialises single transactions, but an ingest is many: batches of originals, then
//! every derived stage, each reading the store and writing what it computed. Two such runs
//! interleaved would each compute from a store the other is changing (the story engine's
//! persisted state, the dedup groups), and a writer whose read transaction turned into a
//! write would fail with "database is locked". So a writing command holds this lock for its
//! whole run, and a second one waits for it (saying which process it waits for) instead of
//! failing or interleaving. Readers (`ibid serve`, reports, exports) never take it.
//!
//! The lock is `flock`-style (through `fs4`): the operating system drops it when its holder
//! exits, however it exits, so a `kill -9` never leaves a stale lock behind. The file holds
//! the holder's pid and command for the message, and is never deleted (deleting a lock file
//! another process is about to lock is a race).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::{Result, StoreError};

/// Who holds the writer lock, as its holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// What it runs (`ibid ingest`, `ibid process`, ...).
    pub command: String,
    /// When it took the lock (RFC 3339).
    pub since: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (pid {}, since {})",
            self.command, self.pid, self.since
        )
    }
}

/// The writer lock of a store, held until dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

impl WriterLock {
    /// The lock file of the store at `db`: `DB.lock` beside it.
    pub fn path_for(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the writer lock of the store at `db` for `command`, waiting while another process
    /// holds it; `on_wait` is called once, before waiting, with the holder (when it could be
    /// read), so the caller can say what it waits for.
    pub fn acquire(
        db: &Path,
        command: &str,
        on_wait: impl FnOnce(Option<&Holder>),
    ) -> Result<Self> {
        let path = Self::path_for(db);
        let io = |e: std::io::Error| StoreError::Lock {
            path: path.display().to_string(),
            source: e,
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // Called through the trait: `File` has inherent methods of the same names in Rust
        // versions newer than this workspace's minimum.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                on_wait(wait_for_holder(&file).as_ref());
                fs4::FileExt::lock(&file).map_err(io)?;
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut lock = WriterLock {
            file,
            path: path.clone(),
        };
        lock.write_holder(command).map_err(io)?;
        Ok(lock)
    }

    /// Who holds the lock of the store at `db` right now, if anyone does.
    pub fn holder(db: &Path) -> Option<Holder> {
        let file = File::open(Self::path_for(db)).ok()?;
        match fs4::FileExt::try_lock_shared(&file) {
            // Nobody holds it; the shared lock is dropped with the file.
            Ok(()) => None,
            Err(_) => read_holder(&file),
        }
    }

    /// Where the lock file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_holder(&mut self, command: &str) -> std::io::Result<()> {
        let holder = Holder {
            pid: std::process::id(),
            command: command.to_string(),
            since: crate::now(),
        };
        let json = serde_json::to_vec(&holder).map_err(std::io::Error::other)?;
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.file.write_all(&json)?;
        self.file.flush()
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes it immediate even if
        // a duplicated descriptor lingers.
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

/// The holder, read again for a moment if it is not written yet: a holder writes its name
/// only once it has the lock, so a waiter that came right after can find the file empty.
fn wait_for_holder(file: &File) -> Option<Holder> {
    for _ in 0..20 {
        if let Some(h) = read_holder(file) {
            return Some(h);
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    None
}

fn read_holder(file: &File) -> Option<Holder> {
    let mut text = String::new();
    let mut f = file;
    f.rewind().ok()?;
    f.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_and_learns_who_holds_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        assert_eq!(WriterLock::holder(&db), None);
        let first =
            WriterLock::acquire(&db, "ibid ingest", |_| panic!("nothing to wait for")).unwrap();
        let held = WriterLock::holder(&db).expect("held");
        assert_eq!(held.pid, std::process::id());
        assert_eq!(held.command, "ibid ingest");

        let (tx, rx) = std::sync::mpsc::channel();
        let db2 = db.clone();
        let waiter = std::thread::spawn(move || {
            let _lock = WriterLock::acquire(&db2, "ibid process", |h| {
                tx.send(h.cloned()).unwrap();
            })
            .unwrap();
            WriterLock::holder(&db2).map(|h| h.command)
        });
        let seen = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(seen.map(|h| h.command).as_deref(), Some("ibid ingest"));
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiter.is_finished(), "the second writer must wait");
        drop(first);
        assert_eq!(waiter.join().unwrap().as_deref(), Some("ibid process"));
        assert_eq!(WriterLock::holder(&db), None, "released on drop");
    }
}
