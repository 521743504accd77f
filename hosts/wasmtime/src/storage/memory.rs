//! [`MemoryStore`]: a map in this process, for tests and for work whose records need not
//! outlive it.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use super::{expiry, Storage, NEVER, SWEEP_BATCH};

/// A key-value store in memory. Clones share the same entries, so instances of the component
/// in one process can share it as they would share a [`FileStore`](super::FileStore).
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    entries: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Each key's value and expiry ([`NEVER`] without one).
    values: HashMap<String, (Vec<u8>, i64)>,
    /// The expiring keys by expiry, for the sweep: exactly one item per expiring value.
    expiries: BTreeSet<(i64, String)>,
}

impl Entries {
    fn live(&self, key: &str, now: i64) -> Option<&[u8]> {
        let (value, expires_at) = self.values.get(key)?;
        (*expires_at > now).then_some(value.as_slice())
    }

    fn insert(&mut self, key: &str, value: &[u8], expires_at: i64) {
        self.remove(key);
        if expires_at != NEVER {
            self.expiries.insert((expires_at, key.to_owned()));
        }
        self.values.insert(key.to_owned(), (value.to_vec(), expires_at));
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, expires_at)) = self.values.remove(key) {
            self.expiries.remove(&(expires_at, key.to_owned()));
        }
    }

    /// Removes up to `limit` values expired at `now`, soonest expired first.
    fn sweep(&mut self, now: i64, limit: usize) -> usize {
        let mut removed = 0;
        while removed < limit && self.expiries.first().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, key)) = self.expiries.pop_first() {
                self.values.remove(&key);
                removed += 1;
            }
        }
        removed
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of keys held, expired or not: what the store takes up.
    pub fn len(&self) -> usize {
        self.entries().values.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of every value held, expired or not, for tests that look at what was stored.
    pub fn snapshot(&self) -> HashMap<String, Vec<u8>> {
        self.entries().values.iter().map(|(key, (value, _))| (key.clone(), value.clone())).collect()
    }

    /// Removes every value expired at `now`; returns how many. Writes already sweep a bounded
    /// number each.
    pub fn sweep(&self, now: i64) -> usize {
        self.entries().sweep(now, usize::MAX)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // No operation can leave the maps half-updated, so a panic elsewhere while the lock was
        // held does not make their contents untrustworthy.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Storage for MemoryStore {
    fn get(&self, key: &str, now: i64) -> io::Result<Option<Vec<u8>>> {
        Ok(self.entries().live(key, now).map(<[u8]>::to_vec))
    }

    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, now: i64) -> io::Result<()> {
        let mut entries = self.entries();
        entries.insert(key, value, expiry(ttl_seconds, now));
        entries.sweep(now, SWEEP_BATCH);
        Ok(())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.entries().remove(key);
        Ok(())
    }

    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        now: i64,
    ) -> io::Result<bool> {
        let mut entries = self.entries();
        if entries.live(key, now) != old {
            return Ok(false);
        }
        entries.insert(key, new, expiry(ttl_seconds, now));
        entries.sweep(now, SWEEP_BATCH);
        Ok(true)
    }
}
