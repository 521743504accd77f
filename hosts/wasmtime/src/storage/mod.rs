//! The `forgelink:connect/storage` import: the [`Storage`] trait and its stores, one module
//! each: [`FileStore`] (a directory, shared safely between threads and processes),
//! [`MemoryStore`] (for tests and for work whose records need not outlive the process),
//! [`RedisStore`] and [`PostgresStore`] (servers shared by many hosts, with the same layout as
//! the npm package's `forgelink/storage/redis` and `forgelink/storage/postgres`, so that npm
//! workers and wasmtime hosts can share one). [`StorageUrl`] and [`open_storage`] pick one
//! from a URL, as `forgelink-host --storage URL` does.
//!
//! Values may carry a time-to-live. Every store treats an expired value as absent (for `get`
//! and for compare-and-swap alike) and gets rid of it without being asked, so that a store
//! shared by many tenants stays bounded: every claim, lease, pending authorization and
//! tombstone forgelink writes has a time-to-live. The file and memory stores judge expiry by
//! the `now` each call passes, which [`crate::HostState`] takes from the same clock it gives
//! the component through `environment.now`, and sweep a bounded amount as they write; Redis
//! expires values itself; PostgreSQL judges expiry by the database's clock and sweeps a
//! bounded amount every few hundred writes.

mod file;
mod memory;
mod pool;
mod postgres;
mod redis;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

pub use self::file::FileStore;
pub use self::memory::MemoryStore;
pub use self::postgres::PostgresStore;
pub use self::redis::RedisStore;

/// The expiry written for a value that never expires.
pub(crate) const NEVER: i64 = i64::MAX;

/// The most expired values (or listings of them) one write sweeps: enough to outpace the
/// writes that create them, few enough that no single write pays for a backlog.
pub(crate) const SWEEP_BATCH: usize = 64;

/// The longest time-to-live the network stores pass on: a thousand years, far beyond the 31
/// days forgelink writes at most, and far enough from the servers' limits (Redis adds it to its
/// clock in milliseconds, PostgreSQL to a timestamp) that a larger one saturates instead of
/// failing.
pub(crate) const MAX_TTL_SECONDS: u64 = 1000 * 366 * 86_400;

/// What the `storage` import needs. Each operation must be atomic, and `compare_and_swap`
/// linearizable with `set` and `delete` on the same key for every instance sharing the store:
/// forgelink's single-use states, claims and refresh leases rely on it.
///
/// `now` is the host's clock at the call, in Unix seconds: the time the component reads through
/// `environment.now`. A store that keeps its own expiry computes it as `now + ttl_seconds`
/// and judges it by the `now` of later calls, so that expiry agrees with the flows' idea of
/// time ([`FileStore`], [`MemoryStore`]); a store shared over the network may use
/// `ttl_seconds` with its server's clock and ignore `now`, so that every process sharing it
/// agrees whatever its own clock says ([`RedisStore`], [`PostgresStore`]). An expired value
/// counts as absent everywhere: `get` answers `None`, and `compare_and_swap` sees the key as
/// absent.
pub trait Storage: Send + Sync {
    /// The value stored under `key`, or `None` (also when it expired).
    fn get(&self, key: &str, now: i64) -> io::Result<Option<Vec<u8>>>;
    /// Stores `value` under `key`, replacing any previous value and its expiry; with
    /// `ttl_seconds`, it counts as absent once that many seconds have passed.
    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, now: i64) -> io::Result<()>;
    /// Removes `key`; removing a key that is absent succeeds.
    fn delete(&self, key: &str) -> io::Result<()>;
    /// Stores `new` under `key` (with `ttl_seconds` as for [`Storage::set`]) only if the
    /// current value is `old` (`None`: the key is absent, or its value expired). Returns
    /// whether it stored.
    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        now: i64,
    ) -> io::Result<bool>;
}

/// When a value written at `now` with `ttl_seconds` expires: [`NEVER`] without one.
pub(crate) fn expiry(ttl_seconds: Option<u64>, now: i64) -> i64 {
    match ttl_seconds {
        Some(ttl) => now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        None => NEVER,
    }
}

/// A store behind a smart pointer is a store: an `Arc` lets a host hand the same one to many
/// instances, and a `Box` is what [`open_storage`] returns for
/// [`crate::HostState::with_storage`] to take as it is.
macro_rules! storage_through_pointer {
    ($($pointer:ident),*) => {$(
        impl<S: Storage + ?Sized> Storage for $pointer<S> {
            fn get(&self, key: &str, now: i64) -> io::Result<Option<Vec<u8>>> {
                (**self).get(key, now)
            }

            fn set(
                &self,
                key: &str,
                value: &[u8],
                ttl_seconds: Option<u64>,
                now: i64,
            ) -> io::Result<()> {
                (**self).set(key, value, ttl_seconds, now)
            }

            fn delete(&self, key: &str) -> io::Result<()> {
                (**self).delete(key)
            }

            fn compare_and_swap(
                &self,
                key: &str,
                old: Option<&[u8]>,
                new: &[u8],
                ttl_seconds: Option<u64>,
                now: i64,
            ) -> io::Result<bool> {
                (**self).compare_and_swap(key, old, new, ttl_seconds, now)
            }
        }
    )*};
}
storage_through_pointer!(Arc, Box);

/// Where a store lives, as `forgelink-host --storage URL` names it.
///
/// - `file:DIR`: a [`FileStore`] in the directory DIR.
/// - `redis://[:PASSWORD@]HOST[:PORT][/DB]` or `rediss://…` (TLS): a [`RedisStore`].
///   `?prefix=P` puts P before every key (none by default, as in the npm package).
/// - `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` or `postgresql://…`: a [`PostgresStore`].
///   `?table=NAME` (or `SCHEMA.NAME`) names its table, `forgelink_storage` by default; the
///   other parameters are PostgreSQL's own (`connect_timeout`, `application_name`, …).
///
/// `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageUrl {
    /// `file:DIR`.
    File(PathBuf),
    /// `redis://…` or `rediss://…`, as given.
    Redis(String),
    /// `postgres://…` or `postgresql://…`, as given.
    Postgres(String),
}

impl StorageUrl {
    /// Tells the store from the URL's scheme; an error of kind
    /// [`io::ErrorKind::InvalidInput`] names the schemes taken. Nothing is opened or checked
    /// beyond the scheme: [`StorageUrl::open`] does that.
    pub fn parse(url: &str) -> io::Result<Self> {
        let (scheme, rest) = url.split_once(':').unwrap_or(("", url));
        match scheme.to_ascii_lowercase().as_str() {
            "file" if rest.starts_with("//") => Err(invalid(format!(
                "write a directory as file:DIR (file:/var/lib/forgelink or file:relative/dir), not {}",
                redacted(url)
            ))),
            "file" if rest.is_empty() => Err(invalid("file: needs a directory, as in file:DIR")),
            "file" => Ok(StorageUrl::File(PathBuf::from(rest))),
            "redis" | "rediss" => Ok(StorageUrl::Redis(url.to_owned())),
            "postgres" | "postgresql" => Ok(StorageUrl::Postgres(url.to_owned())),
            _ => Err(invalid(format!(
                "{} is not a storage URL; use file:DIR, redis://HOST[:PORT], rediss://HOST[:PORT] \
                 or postgres://USER@HOST[:PORT]/DB",
                redacted(url)
            ))),
        }
    }

    /// Opens the store. The Redis and PostgreSQL stores only check their URL here and connect
    /// on first use (their errors here are of kind [`io::ErrorKind::InvalidInput`]); the file
    /// store creates its directory.
    pub fn open(&self) -> io::Result<Box<dyn Storage>> {
        Ok(match self {
            StorageUrl::File(dir) => Box::new(FileStore::open(dir)?),
            StorageUrl::Redis(url) => Box::new(RedisStore::open(url)?),
            StorageUrl::Postgres(url) => Box::new(PostgresStore::open(url)?),
        })
    }
}

impl std::str::FromStr for StorageUrl {
    type Err = io::Error;

    fn from_str(url: &str) -> io::Result<Self> {
        StorageUrl::parse(url)
    }
}

impl fmt::Debug for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageUrl::File(dir) => f.debug_tuple("File").field(dir).finish(),
            StorageUrl::Redis(url) => f.debug_tuple("Redis").field(&redacted(url)).finish(),
            StorageUrl::Postgres(url) => f.debug_tuple("Postgres").field(&redacted(url)).finish(),
        }
    }
}

/// Opens the store `url` names (see [`StorageUrl`]): `file:DIR`, `redis://…`, `rediss://…`,
/// `postgres://…` or `postgresql://…`.
pub fn open_storage(url: &str) -> io::Result<Box<dyn Storage>> {
    StorageUrl::parse(url)?.open()
}

pub(crate) fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

/// `url` with the user information before `@` (which may hold a password) replaced, for
/// messages and `Debug`.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[redacted]{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// Takes the query parameter `name` out of `url`: the URL without it, and its value
/// percent-decoded, if it was there. The stores' own options ride in the URL this way, and
/// the client libraries, which would refuse or ignore them, get the URL without them.
pub(crate) fn take_parameter(url: &str, name: &str) -> io::Result<(String, Option<String>)> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => return Ok((url.to_owned(), None)),
    };
    let mut value = None;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((key, raw)) if key == name => {
                let decoded =
                    percent_encoding::percent_decode_str(raw).decode_utf8().map_err(|_| {
                        invalid(format!("the {name} parameter of the storage URL is not UTF-8"))
                    })?;
                if value.replace(decoded.into_owned()).is_some() {
                    return Err(invalid(format!("the storage URL gives {name} twice")));
                }
            }
            _ if pair == name => {
                return Err(invalid(format!(
                    "the {name} parameter of the storage URL needs a value"
                )))
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    Ok((url, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store() {
        assert_eq!(StorageUrl::parse("file:store").unwrap(), StorageUrl::File("store".into()));
        assert_eq!(StorageUrl::parse("file:/var/x").unwrap(), StorageUrl::File("/var/x".into()));
        assert!(matches!(StorageUrl::parse("REDIS://h").unwrap(), StorageUrl::Redis(_)));
        assert!(matches!(StorageUrl::parse("rediss://h").unwrap(), StorageUrl::Redis(_)));
        assert!(matches!(StorageUrl::parse("postgresql://h/d").unwrap(), StorageUrl::Postgres(_)));
        for bad in ["", "store", "file:", "file:///x", "mysql://h", "http://user:pw@h/"] {
            let error = StorageUrl::parse(bad).expect_err(bad);
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad}");
            assert!(!error.to_string().contains("pw"), "{error}");
        }
        let url = StorageUrl::parse("postgres://me:hunter2@db/forgelink").unwrap();
        assert_eq!(format!("{url:?}"), "Postgres(\"postgres://[redacted]@db/forgelink\")");
    }

    #[test]
    fn parameters_are_taken_out_of_the_url() {
        let take = |url, name| take_parameter(url, name).unwrap();
        assert_eq!(take("redis://h", "prefix"), ("redis://h".into(), None));
        assert_eq!(
            take("redis://h/?prefix=a%3Ab", "prefix"),
            ("redis://h/".into(), Some("a:b".into()))
        );
        assert_eq!(
            take("postgres://h/d?sslmode=disable&table=t&application_name=x", "table"),
            ("postgres://h/d?sslmode=disable&application_name=x".into(), Some("t".into()))
        );
        assert!(take_parameter("redis://h/?prefix=a&prefix=b", "prefix").is_err());
        assert!(take_parameter("redis://h/?prefix", "prefix").is_err());
        assert_eq!(redacted("redis://:pw@h:1/0?x=@"), "redis://[redacted]@h:1/0?x=@");
    }
}
