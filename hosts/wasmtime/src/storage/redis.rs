//! [`RedisStore`]: a Redis server shared by every host, npm workers included.

use std::io;
use std::time::Duration;

use redis::{Client, Connection, RedisError, Script};

use super::pool::Pool;
use super::{invalid, redacted, take_parameter, Storage, MAX_TTL_SECONDS};

/// How long connecting, sending a command or waiting for its reply may take by default: Redis
/// answers in microseconds, so a server that has not answered in this long is gone or stuck,
/// and the flow had better fail with `storage.failed` than hang.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// KEYS[1]: the key. ARGV[1]: "1" when a value is expected, "0" for absent; ARGV[2]: the
/// expected value; ARGV[3]: the new value; ARGV[4]: the time-to-live in milliseconds, "" for
/// none, "0" for a value expired at once (which Redis's `PX` refuses; deleting is what storing
/// it amounts to). Lua strings hold any bytes, and GET answers false for a missing or expired
/// key. The npm package's script makes the same test and the same writes (it stores a value
/// over at once with `PX 1`, which a read within that millisecond could still see).
const COMPARE_AND_SWAP: &str = r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current == false or current ~= ARGV[2] then return 0 end
elseif current ~= false then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
elseif ARGV[4] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
";

/// A store on a Redis server, usable from many threads at once, shared by every
/// host and by npm workers.
///
/// The layout is the npm package's `forgelink/storage/redis`: each key as given (after an
/// optional prefix, none by default), its value as the raw bytes, its time-to-live as Redis's
/// own expiry (`PX`), so that an expired value is absent to every command without sweeping.
/// Compare-and-swap is one Lua script, which Redis runs atomically: processes sharing the
/// server cannot both win.
///
/// Its connections are opened on first use and kept for reuse. Every operation that fails (the
/// server went away, a timeout) returns an error and closes the idle connections, and the next
/// operation connects again: a restarted server is used again at once. The store's `now`
/// arguments are ignored: Redis judges expiry by its own clock, the same for every host.
pub struct RedisStore {
    client: Client,
    prefix: String,
    timeout: Duration,
    script: Script,
    connections: Pool<Connection>,
    /// The URL without its password, for messages.
    shown: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shown)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the server at `url` (`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or
    /// `rediss://…` for TLS, checked against the webpki roots). `?prefix=P` in the URL puts P
    /// before every key (see [`RedisStore::with_prefix`]). Only the URL is checked here; the
    /// first operation connects.
    pub fn open(url: &str) -> io::Result<Self> {
        let (url, prefix) = take_parameter(url, "prefix")?;
        let shown = redacted(&url);
        let client = Client::open(url.as_str())
            .map_err(|error| invalid(format!("{shown} is not a Redis URL: {error}")))?;
        Ok(RedisStore {
            client,
            prefix: prefix.unwrap_or_default(),
            timeout: DEFAULT_TIMEOUT,
            script: Script::new(COMPARE_AND_SWAP),
            connections: Pool::new(),
            shown,
        })
    }

    /// Puts `prefix` before every key, to keep apart several products or environments sharing
    /// one database. None by default: every key forgelink writes already starts with
    /// `forgelink/`. Hosts and npm workers sharing data must use the same prefix.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long connecting, sending a command and waiting for its reply may each take
    /// [default: 2 s].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs `operation` on a pooled connection; `what` says what failed in the error.
    fn run<T>(
        &self,
        what: &str,
        key: &str,
        operation: impl FnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> io::Result<T> {
        let failed = |error: RedisError| {
            let kind = if error.is_timeout() {
                io::ErrorKind::TimedOut
            } else if error.is_io_error() || error.is_connection_dropped() {
                io::ErrorKind::ConnectionAborted
            } else {
                io::ErrorKind::Other
            };
            io::Error::new(kind, format!("Redis at {}: {what} {key:?} failed: {error}", self.shown))
        };
        self.connections.run(
            || self.connect().map_err(failed),
            |connection| operation(connection).map_err(failed),
        )
    }

    fn connect(&self) -> Result<Connection, RedisError> {
        let connection = self.client.get_connection_with_timeout(self.timeout)?;
        connection.set_read_timeout(Some(self.timeout))?;
        connection.set_write_timeout(Some(self.timeout))?;
        Ok(connection)
    }
}

/// The time-to-live as Redis's `PX` argument, in milliseconds: "" for none, "0" for a value
/// that is over at once.
fn milliseconds(ttl_seconds: Option<u64>) -> String {
    ttl_seconds.map_or_else(String::new, |ttl| (ttl.min(MAX_TTL_SECONDS) * 1000).to_string())
}

impl Storage for RedisStore {
    fn get(&self, key: &str, _now: i64) -> io::Result<Option<Vec<u8>>> {
        let key = self.key(key);
        self.run("reading", &key, |connection| redis::cmd("GET").arg(&key).query(connection))
    }

    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, _now: i64) -> io::Result<()> {
        let key = self.key(key);
        let px = milliseconds(ttl_seconds);
        self.run("writing", &key, |connection| match px.as_str() {
            "" => redis::cmd("SET").arg(&key).arg(value).query(connection),
            // A value over at once is no value: what it replaces must go too.
            "0" => redis::cmd("DEL").arg(&key).query(connection),
            px => redis::cmd("SET").arg(&key).arg(value).arg("PX").arg(px).query(connection),
        })
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let key = self.key(key);
        self.run("deleting", &key, |connection| redis::cmd("DEL").arg(&key).query(connection))
    }

    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        _now: i64,
    ) -> io::Result<bool> {
        let key = self.key(key);
        let (expected, old) = match old {
            Some(old) => ("1", old),
            None => ("0", &[][..]),
        };
        let px = milliseconds(ttl_seconds);
        let swapped: i64 = self.run("compare-and-swap on", &key, |connection| {
            // EVALSHA, and EVAL (which caches it) when the server does not know the script
            // yet: its first use, or after a restart or SCRIPT FLUSH.
            self.script.key(&key).arg(expected).arg(old).arg(new).arg(&px).invoke(connection)
        })?;
        Ok(swapped == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_to_live_become_milliseconds_within_redis_limits() {
        assert_eq!(milliseconds(None), "");
        assert_eq!(milliseconds(Some(0)), "0");
        assert_eq!(milliseconds(Some(90)), "90000");
        assert_eq!(milliseconds(Some(u64::MAX)), (MAX_TTL_SECONDS * 1000).to_string());
    }

    #[test]
    fn urls_are_checked_without_connecting_and_passwords_stay_out_of_sight() {
        let store = RedisStore::open("redis://:hunter2@127.0.0.1:1/0?prefix=app%3A").unwrap();
        assert_eq!(store.key("k"), "app:k");
        assert!(!format!("{store:?}").contains("hunter2"));
        let error = RedisStore::open("redis://:hunter2@127.0.0.1:notaport").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}
