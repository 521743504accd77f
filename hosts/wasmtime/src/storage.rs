//! The `forgelink:connect/storage` import: a key-value store in a directory.
//!
//! One file per key. Writes go to a temporary file in the same directory, are flushed to disk
//! and renamed over the key's file, so a reader sees the old value or the new one, never half
//! of either, and a crash leaves no torn value. Every write (`set`, `delete`,
//! `compare-and-swap`) holds an exclusive lock on `.lock` in the directory, which makes
//! compare-and-swap atomic against every other write, from threads of this process and from
//! other processes alike.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// Keys up to this many bytes are stored under their hex form, which can be read back from a
/// file name; longer keys are stored under their SHA-256, which keeps file names within every
/// file system's limit.
const MAX_PLAIN_KEY_BYTES: usize = 100;

const LOCK_FILE: &str = ".lock";
const TEMP_PREFIX: &str = ".tmp-";

/// Makes temporary file names unique within a process; the process id separates processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

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
