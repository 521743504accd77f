//! [`FileStore`]: a directory, one file per key, shared safely between threads and processes.
//!
//! Each file holds an 8-byte format marker, the expiry (8 bytes) and the value. Writes go to a
//! temporary file in the same directory, are flushed to disk and renamed over the key's file,
//! so a reader sees the old value or the new one, never half of either, and a crash leaves no
//! torn value. Every write (`set`, `delete`, `compare-and-swap`, a sweep) holds an exclusive
//! lock on `.lock` in the directory, which makes compare-and-swap atomic against every other
//! write, from threads of this process and from other processes alike. Expiring values are
//! also listed in `.expiry/`, by the hour they expire in, so that a sweep finds them without
//! reading every file; writes sweep a bounded batch of them as they go.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::{expiry, Storage, NEVER, SWEEP_BATCH};

/// Keys up to this many bytes are stored under their hex form, which can be read back from a
/// file name; longer keys are stored under their SHA-256, which keeps file names within every
/// file system's limit.
const MAX_PLAIN_KEY_BYTES: usize = 100;

const LOCK_FILE: &str = ".lock";
const TEMP_PREFIX: &str = ".tmp-";
const EXPIRY_DIR: &str = ".expiry";

/// What every value file written by this version starts with. A file without it was written
/// before values could expire and holds the bare value, which never expires. No value forgelink
/// writes starts with these bytes (sealed records start with 1, claims with a digit), and the
/// non-ASCII first byte and the line break keep a text value from matching by chance.
const MAGIC: &[u8; 8] = b"\xf0FLKV1\r\n";
const HEADER_LEN: usize = MAGIC.len() + 8;

/// Expiring values are listed by the hour they expire in: forgelink's longest time-to-live
/// (31 days for a state claim) makes at most 744 such lists, and a value is swept at most an
/// hour after it expired.
const BUCKET_SECONDS: i64 = 3600;
/// How long a store waits between looks at its listings when nothing was due.
const SWEEP_INTERVAL: i64 = 60;

/// Makes temporary file names unique within a process; the process id separates processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A key-value store in a directory, safe to share between threads and processes.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
    /// When this process next looks for expired values on a write; shared by clones.
    next_sweep: Arc<AtomicI64>,
}

/// A value file, read.
struct Stored {
    value: Vec<u8>,
    expires_at: i64,
}

impl Stored {
    fn live(self, now: i64) -> Option<Vec<u8>> {
        (self.expires_at > now).then_some(self.value)
    }
}

impl FileStore {
    /// Opens the store in `dir`, creating the directory if needed.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(FileStore { dir, next_sweep: Arc::new(AtomicI64::new(i64::MIN)) })
    }

    /// The directory holding the store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes every value expired at `now`, whether or not it is listed in `.expiry/` (a
    /// listing lost in a crash, a value written before values could expire), and the temporary
    /// files of writes that crashed; returns how many values it removed. Writes already sweep
    /// a bounded amount each; a host calls this from time to time (a daily job, or
    /// `forgelink-host --store DIR sweep`) to clean up what they cannot reach. It reads every
    /// file, holding the write lock meanwhile.
    pub fn sweep(&self, now: i64) -> io::Result<usize> {
        let _lock = self.lock()?;
        let (mut removed, _) = self.sweep_listed(now, usize::MAX)?;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TEMP_PREFIX) {
                // Every write holds the lock while its temporary file exists, and so do we:
                // one found now belongs to a write that died.
                remove_quietly(&entry.path());
            } else if is_value_file(name) && remove_if_expired(&entry.path(), now)? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(file_name(key))
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

    /// Replaces the value of `key`, listing it for the sweep if it expires. The caller holds
    /// the lock.
    fn write(&self, key: &str, value: &[u8], expires_at: i64) -> io::Result<()> {
        let temp = self.dir.join(format!(
            "{TEMP_PREFIX}{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let name = file_name(key);
        let result = (|| {
            if expires_at != NEVER {
                self.list_expiry(&name, expires_at)?;
            }
            let mut file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
            file.write_all(MAGIC)?;
            file.write_all(&expires_at.to_be_bytes())?;
            file.write_all(value)?;
            file.sync_all()?;
            fs::rename(&temp, self.dir.join(&name))?;
            sync_dir(&self.dir)
        })();
        if result.is_err() {
            // Best effort: a leftover temporary file is harmless, and `sweep` removes it.
            let _ = fs::remove_file(&temp);
        }
        result
    }

    /// Records in `.expiry/<hour>/` that the value file `name` expires at `expires_at`. Not
    /// flushed to disk: a listing lost in a crash leaves a value that still counts as absent
    /// once expired, and that [`FileStore::sweep`] removes.
    fn list_expiry(&self, name: &str, expires_at: i64) -> io::Result<()> {
        let bucket = self.dir.join(EXPIRY_DIR).join(bucket_name(expires_at));
        fs::create_dir_all(&bucket)?;
        match OpenOptions::new().write(true).create_new(true).open(bucket.join(name)) {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// After a write, under the lock: sweeps a bounded batch when this process's next look
    /// is due. A failing sweep does not fail the write, which already happened; the next one
    /// tries again.
    fn sweep_after_write(&self, now: i64) {
        if now < self.next_sweep.load(Ordering::Relaxed) {
            return;
        }
        let next = match self.sweep_listed(now, SWEEP_BATCH) {
            // More is due: look again on the next write.
            Ok((_, true)) => now,
            Ok((_, false)) | Err(_) => now.saturating_add(SWEEP_INTERVAL),
        };
        self.next_sweep.store(next, Ordering::Relaxed);
    }

    /// Removes the expired values listed in `.expiry/` for hours that have wholly passed,
    /// oldest first, looking at `limit` listings at most. Returns how many values it removed
    /// and whether listings that are due remain. The caller holds the lock.
    fn sweep_listed(&self, now: i64, limit: usize) -> io::Result<(usize, bool)> {
        let root = self.dir.join(EXPIRY_DIR);
        let mut due: Vec<(i64, PathBuf)> = match fs::read_dir(&root) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let hour: i64 = entry.file_name().to_str()?.parse().ok()?;
                    // An hour is due once everything listed in it has expired.
                    let end = hour.checked_add(1)?.checked_mul(BUCKET_SECONDS)?;
                    (end <= now).then(|| (hour, entry.path()))
                })
                .collect(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok((0, false)),
            Err(error) => return Err(error),
        };
        due.sort();
        let (mut removed, mut looked) = (0, 0);
        for (_, bucket) in due {
            for entry in fs::read_dir(&bucket)? {
                if looked >= limit {
                    return Ok((removed, true));
                }
                looked += 1;
                let entry = entry?;
                let name = entry.file_name();
                // A value rewritten since with a later expiry, or none, is listed again
                // elsewhere or not at all: it stays.
                if let Some(name) = name.to_str().filter(|name| is_value_file(name)) {
                    if remove_if_expired(&self.dir.join(name), now)? {
                        removed += 1;
                    }
                }
                remove_quietly(&entry.path());
            }
            // Fails only if a listing was added meanwhile, which the lock rules out; then the
            // next sweep removes it.
            let _ = fs::remove_dir(&bucket);
        }
        Ok((removed, false))
    }
}

impl Storage for FileStore {
    fn get(&self, key: &str, now: i64) -> io::Result<Option<Vec<u8>>> {
        // No lock: a rename replaces the file atomically, so a read sees a whole value.
        Ok(read_value(&self.path(key))?.and_then(|stored| stored.live(now)))
    }

    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, now: i64) -> io::Result<()> {
        let _lock = self.lock()?;
        self.write(key, value, expiry(ttl_seconds, now))?;
        self.sweep_after_write(now);
        Ok(())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let _lock = self.lock()?;
        match fs::remove_file(self.path(key)) {
            Ok(()) => sync_dir(&self.dir),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        now: i64,
    ) -> io::Result<bool> {
        let _lock = self.lock()?;
        let current = read_value(&self.path(key))?.and_then(|stored| stored.live(now));
        if current.as_deref() != old {
            return Ok(false);
        }
        self.write(key, new, expiry(ttl_seconds, now))?;
        self.sweep_after_write(now);
        Ok(true)
    }
}

/// A key's file name. Hex keeps every key a valid, case-insensitively unique file name on
/// every platform, whatever characters (`/`, `..`, NUL) it holds.
fn file_name(key: &str) -> String {
    if key.len() <= MAX_PLAIN_KEY_BYTES {
        format!("k-{}", hex(key.as_bytes()))
    } else {
        format!("h-{}", hex(&Sha256::digest(key.as_bytes())))
    }
}

/// Whether `name` is one [`file_name`] makes: the sweep touches nothing else, whatever a
/// listing or the directory holds.
fn is_value_file(name: &str) -> bool {
    let digits = name.strip_prefix("k-").or_else(|| name.strip_prefix("h-"));
    digits.is_some_and(|digits| digits.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The listing of the hour `expires_at` falls in, zero-padded so that names sort by time.
fn bucket_name(expires_at: i64) -> String {
    format!("{:020}", expires_at.div_euclid(BUCKET_SECONDS).max(0))
}

fn read_value(path: &Path) -> io::Result<Option<Stored>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    Ok(Some(match parse_header(&bytes) {
        Some(expires_at) => {
            let mut value = bytes;
            value.drain(..HEADER_LEN);
            Stored { value, expires_at }
        }
        None => Stored { value: bytes, expires_at: NEVER },
    }))
}

/// The expiry in a value file's header; `None` for a file written before values could expire.
fn parse_header(bytes: &[u8]) -> Option<i64> {
    let header = bytes.get(..HEADER_LEN)?;
    let (magic, expiry) = header.split_at(MAGIC.len());
    if magic != MAGIC {
        return None;
    }
    Some(i64::from_be_bytes(expiry.try_into().ok()?))
}

/// Removes the value file at `path` if it expired at `now`; reads its header only.
fn remove_if_expired(path: &Path, now: i64) -> io::Result<bool> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    match File::open(path) {
        Ok(file) => {
            file.take(HEADER_LEN as u64).read_to_end(&mut header)?;
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    }
    match parse_header(&header) {
        Some(expires_at) if expires_at <= now => {
            // Not flushed to disk: a value brought back by a crash is still expired.
            remove_quietly(path);
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn remove_quietly(path: &Path) {
    // A file already gone is what was wanted; any other failure leaves it for the next sweep.
    let _ = fs::remove_file(path);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_legacy_files() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&42i64.to_be_bytes());
        bytes.extend_from_slice(b"value");
        assert_eq!(parse_header(&bytes), Some(42));
        assert_eq!(parse_header(b"\x01sealed record bytes"), None);
        assert_eq!(parse_header(&MAGIC[..]), None, "a header cut short is a legacy value");
    }

    #[test]
    fn expiries_saturate_and_buckets_sort_by_time() {
        assert_eq!(expiry(None, 5), NEVER);
        assert_eq!(expiry(Some(10), 5), 15);
        assert_eq!(expiry(Some(u64::MAX), 5), i64::MAX);
        assert_eq!(expiry(Some(10), i64::MAX - 3), i64::MAX);
        assert!(bucket_name(7200) > bucket_name(3599));
        assert_eq!(bucket_name(-5), bucket_name(0), "times before 1970 share the first hour");
        assert!(is_value_file("k-00ff") && is_value_file("h-ab"));
        assert!(!is_value_file("../k-00") && !is_value_file(".lock") && !is_value_file("k-0G"));
    }
}
