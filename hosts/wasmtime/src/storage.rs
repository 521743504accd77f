//! The `forgelink:connect/storage` import: the [`Storage`] trait, [`FileStore`] (a directory,
//! shared safely between threads and processes) and [`MemoryStore`] (for tests and for work
//! whose records need not outlive the process).
//!
//! [`FileStore`] keeps one file per key. Writes go to a temporary file in the same directory, are flushed to disk
//! and renamed over the key's file, so a reader sees the old value or the new one, never half
//! of either, and a crash leaves no torn value. Every write (`set`, `delete`,
//! `compare-and-swap`) holds an exclusive lock on `.lock` in the directory, which makes
//! compare-and-swap atomic against every other write, from threads of this process and from
//! other processes alike.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

/// Keys up to this many bytes are stored under their hex form, which can be read back from a
/// file name; longer keys are stored under their SHA-256, which keeps file names within every
/// file system's limit.
const MAX_PLAIN_KEY_BYTES: usize = 100;

const LOCK_FILE: &str = ".lock";
const TEMP_PREFIX: &str = ".tmp-";

/// Makes temporary file names unique within a process; the process id separates processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What the `storage` import needs. Each operation must be atomic, and `compare_and_swap`
/// linearizable with `set` and `delete` on the same key for every instance sharing the store:
/// forgelink's single-use states and refresh leases rely on it.
pub trait Storage: Send + Sync {
    /// The value stored under `key`, or `None`.
    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>>;
    /// Stores `value` under `key`, replacing any previous value.
    fn set(&self, key: &str, value: &[u8]) -> io::Result<()>;
    /// Removes `key`; removing a key that is absent succeeds.
    fn delete(&self, key: &str) -> io::Result<()>;
    /// Stores `new` under `key` only if the current value is `old` (`None`: the key is
    /// absent). Returns whether it stored.
    fn compare_and_swap(&self, key: &str, old: Option<&[u8]>, new: &[u8]) -> io::Result<bool>;
}

/// A key-value store in a directory, safe to share between threads and processes.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// Opens the store in `dir`, creating the directory if needed.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(FileStore { dir })
    }

    /// The directory holding the store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The value stored under `key`, or `None`.
    pub fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        // No lock: a rename replaces the file atomically, so a read sees a whole value.
        read_optional(&self.path(key))
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub fn set(&self, key: &str, value: &[u8]) -> io::Result<()> {
        let _lock = self.lock()?;
        self.write(key, value)
    }

    /// Removes `key`; removing a key that is absent succeeds.
    pub fn delete(&self, key: &str) -> io::Result<()> {
        let _lock = self.lock()?;
        match fs::remove_file(self.path(key)) {
            Ok(()) => sync_dir(&self.dir),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Stores `new` under `key` only if the current value is `old` (`None`: the key is
    /// absent). Returns whether it stored.
    pub fn compare_and_swap(&self, key: &str, old: Option<&[u8]>, new: &[u8]) -> io::Result<bool> {
        let _lock = self.lock()?;
        let current = read_optional(&self.path(key))?;
        if current.as_deref() != old {
            return Ok(false);
        }
        self.write(key, new)?;
        Ok(true)
    }

    fn path(&self, key: &str) -> PathBuf {
        // Hex keeps every key a valid, case-insensitively unique file name on every platform,
        // whatever characters (`/`, `..`, NUL) it holds.
        let name = if key.len() <= MAX_PLAIN_KEY_BYTES {
            format!("k-{}", hex(key.as_bytes()))
        } else {
            format!("h-{}", hex(&Sha256::digest(key.as_bytes())))
        };
        self.dir.join(name)
    }

    /// Takes the store's write lock; it is released when the returned file is dropped.
    fn lock(&self) -> io::Result<File> {
        // A fresh open per call: the lock belongs to the open file, so two threads sharing one
        // handle would not exclude each other.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK_FILE))?;
        file.lock()?;
        Ok(file)
    }

    /// Replaces the value of `key`. The caller holds the lock.
    fn write(&self, key: &str, value: &[u8]) -> io::Result<()> {
        let temp = self.dir.join(format!(
            "{TEMP_PREFIX}{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
            file.write_all(value)?;
            file.sync_all()?;
            fs::rename(&temp, self.path(key))?;
            sync_dir(&self.dir)
        })();
        if result.is_err() {
            // Best effort: a leftover temporary file is harmless, only untidy.
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

impl Storage for FileStore {
    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        FileStore::get(self, key)
    }

    fn set(&self, key: &str, value: &[u8]) -> io::Result<()> {
        FileStore::set(self, key, value)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        FileStore::delete(self, key)
    }

    fn compare_and_swap(&self, key: &str, old: Option<&[u8]>, new: &[u8]) -> io::Result<bool> {
        FileStore::compare_and_swap(self, key, old, new)
    }
}

/// A key-value store in memory. Clones share the same entries, so instances of the component
/// in one process can share it as they would share a [`FileStore`].
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    entries: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of keys stored.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of every entry, for tests that look at what was stored.
    pub fn snapshot(&self) -> HashMap<String, Vec<u8>> {
        self.entries().clone()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // No operation can leave the map half-updated, so a panic elsewhere while the lock was
        // held does not make its contents untrustworthy.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Storage for MemoryStore {
    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        Ok(self.entries().get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> io::Result<()> {
        self.entries().insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.entries().remove(key);
        Ok(())
    }

    fn compare_and_swap(&self, key: &str, old: Option<&[u8]>, new: &[u8]) -> io::Result<bool> {
        let mut entries = self.entries();
        if entries.get(key).map(Vec::as_slice) != old {
            return Ok(false);
        }
        entries.insert(key.to_owned(), new.to_vec());
        Ok(true)
    }
}

fn read_optional(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Makes a rename or removal durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a directory as a file; its renames are durable once they return.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}
