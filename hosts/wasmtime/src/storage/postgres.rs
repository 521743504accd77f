//! [`PostgresStore`]: one table in a PostgreSQL database shared by every host, npm workers
//! included.

use std::io;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use postgres::{Client, Config, NoTls, Statement};

use super::pool::Pool;
use super::{invalid, redacted, take_parameter, Storage, MAX_TTL_SECONDS};

/// The table the npm package uses unless told otherwise.
pub const DEFAULT_TABLE: &str = "forgelink_storage";
/// How long connecting may take unless the URL's `connect_timeout` says otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A sweep on every `SWEEP_EVERY`-th write of this store, deleting at most `SWEEP_LIMIT` rows,
/// as the npm store does: a write pays a small bounded share, and rows expire no faster than
/// they are written, so this keeps up; [`PostgresStore::sweep`] removes the rest at once.
const SWEEP_EVERY: u64 = 256;
const SWEEP_LIMIT: u32 = 1000;
/// The advisory lock that serialises creating the table between processes: the npm store's,
/// so that a host and an npm worker starting together wait for each other too.
const CREATE_LOCK: i64 = 7_240_318_911;

/// A store in one PostgreSQL table, usable from many threads at once, shared by every host
/// and by npm workers.
///
/// The table is the npm package's `forgelink/storage/postgres`, created when missing:
///
/// ```sql
/// CREATE TABLE IF NOT EXISTS forgelink_storage (key text PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz NULL);
/// CREATE INDEX IF NOT EXISTS forgelink_storage_expires_at ON forgelink_storage (expires_at) WHERE expires_at IS NOT NULL;
/// ```
///
/// Every statement runs on its own (autocommit, READ COMMITTED), where an `UPDATE` or an
/// `INSERT … ON CONFLICT DO UPDATE` re-checks its `WHERE` against the row's latest version
/// after waiting for a concurrent writer: so compare-and-swap is atomic across processes
/// without explicit transactions or locks. Expiry is judged by the database's clock
/// (`now()`), the same for every process whatever its own clock says, as the npm store does,
/// so that both agree on a shared table.
///
/// Its connections are opened on first use (the first one creates the table if missing) and
/// kept for reuse. Every operation that fails (the server went away or restarted) returns an
/// error and closes the idle connections, and the next operation connects again. The store's
/// `now` arguments are ignored: the database's clock judges expiry.
///
/// No TLS: a URL with `sslmode=require` is refused when connecting, rather than sent in the
/// clear; reach a remote database through a tunnel or a local proxy.
pub struct PostgresStore {
    config: Config,
    table: String,
    sql: Sql,
    /// Whether this store has made sure the table exists; until then, every new connection
    /// tries, so that a database that was down at first is set up once it is back.
    ready: AtomicBool,
    writes: AtomicU64,
    connections: Pool<Connection>,
    /// The URL without its password, for messages.
    shown: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.shown)
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

/// The statements, for one table.
struct Sql {
    create: [String; 2],
    get: String,
    set: String,
    delete: String,
    insert: String,
    update: String,
    sweep_some: String,
    sweep_all: String,
}

impl Sql {
    fn new(table: &str, index: &str) -> Self {
        const LIVE: &str = "(expires_at IS NULL OR expires_at > now())";
        // $n milliseconds from now, NULL for no expiry (NULL times an interval is NULL).
        let expires_at = |n: u8| format!("now() + ${n}::float8 * interval '1 millisecond'");
        Sql {
            create: [
                format!("CREATE TABLE IF NOT EXISTS {table} (key text PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz NULL)"),
                format!("CREATE INDEX IF NOT EXISTS {index} ON {table} (expires_at) WHERE expires_at IS NOT NULL"),
            ],
            get: format!("SELECT value FROM {table} WHERE key = $1 AND {LIVE}"),
            set: format!(
                "INSERT INTO {table} (key, value, expires_at) VALUES ($1, $2, {})
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
                expires_at(3)
            ),
            delete: format!("DELETE FROM {table} WHERE key = $1"),
            // From absent: insert, or take over a row that has expired (an expired value is
            // absent). A live row makes the conflict's WHERE false: nothing is written.
            insert: format!(
                "INSERT INTO {table} AS t (key, value, expires_at) VALUES ($1, $2, {})
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                 WHERE t.expires_at IS NOT NULL AND t.expires_at <= now()",
                expires_at(3)
            ),
            update: format!(
                "UPDATE {table} SET value = $3, expires_at = {}
                 WHERE key = $1 AND value = $2 AND {LIVE}",
                expires_at(4)
            ),
            sweep_some: format!(
                "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE expires_at <= now() LIMIT {SWEEP_LIMIT})"
            ),
            sweep_all: format!("DELETE FROM {table} WHERE expires_at <= now()"),
        }
    }
}

/// A connection with the store's statements prepared on it.
struct Connection {
    client: Client,
    get: Statement,
    set: Statement,
    delete: Statement,
    insert: Statement,
    update: Statement,
}

impl PostgresStore {
    /// A store in the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, or
    /// `postgresql://…`, with PostgreSQL's own parameters such as `connect_timeout`).
    /// `?table=NAME` in the URL names the table (see [`PostgresStore::with_table`]). Only the
    /// URL is checked here; the first operation connects and creates the table if missing.
    pub fn open(url: &str) -> io::Result<Self> {
        let (url, table) = take_parameter(url, "table")?;
        let shown = redacted(&url);
        let mut config = Config::from_str(&url).map_err(|error| {
            invalid(format!("{shown} is not a PostgreSQL URL: {}", describe(&error)))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            // What `pg_stat_activity` shows, for an administrator wondering who is connected.
            config.application_name("forgelink-host");
        }
        let store = PostgresStore {
            config,
            table: String::new(),
            sql: Sql::new("", ""),
            ready: AtomicBool::new(false),
            writes: AtomicU64::new(0),
            connections: Pool::new(),
            shown,
        };
        store.with_table(table.as_deref().unwrap_or(DEFAULT_TABLE))
    }

    /// Keeps the values in `table` (`NAME` or `SCHEMA.NAME`, each of lower-case letters,
    /// digits and `_`, at most 50, not starting with a digit) instead of `forgelink_storage`.
    /// Hosts and npm workers sharing data must use the same table.
    pub fn with_table(mut self, table: &str) -> io::Result<Self> {
        let parts: Vec<&str> = table.split('.').collect();
        if parts.len() > 2 || !parts.iter().all(|part| is_identifier(part)) {
            return Err(invalid(format!(
                "{table:?} is not a table name: use NAME or SCHEMA.NAME, each of lower-case \
                 letters, digits and _ (at most 50), not starting with a digit"
            )));
        }
        // Quoted, and lower case only, so that the name is the one a person typing it
        // unquoted gets; short enough that the index name built from it stays within
        // PostgreSQL's 63 bytes. Both as the npm store builds them.
        let quoted: Vec<String> = parts.iter().map(|part| format!("\"{part}\"")).collect();
        let index = format!("\"{}_expires_at\"", parts[parts.len() - 1]);
        self.sql = Sql::new(&quoted.join("."), &index);
        self.table = table.to_owned();
        self.ready = AtomicBool::new(false);
        self.connections = Pool::new();
        Ok(self)
    }

    /// The table, as configured.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Deletes every row expired by the database's clock; returns how many. Writes already
    /// sweep a bounded number every few hundred; a host calls this from time to time (a daily
    /// job, or `forgelink-host --storage postgres://… sweep`) for the rest.
    pub fn sweep(&self) -> io::Result<u64> {
        self.run("sweeping", "", |connection| connection.client.execute(&self.sql.sweep_all, &[]))
    }

    /// Runs `operation` on a pooled connection; `what` and `key` say what failed in the error.
    fn run<T>(
        &self,
        what: &str,
        key: &str,
        operation: impl FnOnce(&mut Connection) -> Result<T, postgres::Error>,
    ) -> io::Result<T> {
        if key.contains('\0') {
            // The server would refuse it with a less telling message.
            return Err(invalid(format!("PostgreSQL text cannot hold NUL: key {key:?}")));
        }
        let key = if key.is_empty() { String::new() } else { format!(" {key:?}") };
        let failed = |error: postgres::Error| {
            let kind = if error.is_closed() || error.as_db_error().is_none() {
                io::ErrorKind::ConnectionAborted
            } else {
                io::ErrorKind::Other
            };
            let message = format!(
                "PostgreSQL at {} (table {}): {what}{key} failed: {}",
                self.shown,
                self.table,
                describe(&error)
            );
            io::Error::new(kind, message)
        };
        self.connections.run(
            || self.connect().map_err(failed),
            |connection| operation(connection).map_err(failed),
        )
    }

    fn connect(&self) -> Result<Connection, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        if !self.ready.load(Ordering::Acquire) {
            // CREATE … IF NOT EXISTS is not safe against itself: two processes creating the
            // table at once can both pass the check and one fail on the catalog's unique
            // index. The lock makes the second wait and then find the table.
            let mut transaction = client.transaction()?;
            transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&CREATE_LOCK])?;
            for statement in &self.sql.create {
                transaction.batch_execute(statement)?;
            }
            transaction.commit()?;
            self.ready.store(true, Ordering::Release);
        }
        Ok(Connection {
            get: client.prepare(&self.sql.get)?,
            set: client.prepare(&self.sql.set)?,
            delete: client.prepare(&self.sql.delete)?,
            insert: client.prepare(&self.sql.insert)?,
            update: client.prepare(&self.sql.update)?,
            client,
        })
    }

    /// After a write that happened: every `SWEEP_EVERY`-th sweeps a bounded batch. Its
    /// failure is not the write's, which succeeded; a later one tries again.
    fn wrote(&self) {
        if (self.writes.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(SWEEP_EVERY) {
            let _ = self.run("sweeping", "", |connection| {
                connection.client.execute(&self.sql.sweep_some, &[])
            });
        }
    }
}

/// Like the npm store's table names: lower-case letters, digits and `_`, at most 50, not
/// starting with a digit.
fn is_identifier(part: &str) -> bool {
    let mut bytes = part.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_lowercase() || first == b'_')
        && part.len() <= 50
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The time-to-live as the statements' parameter, in milliseconds: `None` for no expiry.
fn milliseconds(ttl_seconds: Option<u64>) -> Option<f64> {
    // Exact: a thousand years of milliseconds is far below 2^53.
    ttl_seconds.map(|ttl| (ttl.min(MAX_TTL_SECONDS) * 1000) as f64)
}

/// The error and its causes: the driver's own message says only "db error" or "error
/// connecting to server", and the server's reason is in the cause.
fn describe(error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Storage for PostgresStore {
    fn get(&self, key: &str, _now: i64) -> io::Result<Option<Vec<u8>>> {
        let row = self.run("reading", key, |connection| {
            connection.client.query_opt(&connection.get, &[&key])
        })?;
        row.map(|row| row.try_get::<_, Vec<u8>>(0))
            .transpose()
            .map_err(|error| io::Error::other(format!("reading {key:?}: {}", describe(&error))))
    }

    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, _now: i64) -> io::Result<()> {
        let ms = milliseconds(ttl_seconds);
        self.run("writing", key, |connection| {
            connection.client.execute(&connection.set, &[&key, &value, &ms])
        })?;
        self.wrote();
        Ok(())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.run("deleting", key, |connection| {
            connection.client.execute(&connection.delete, &[&key])
        })?;
        Ok(())
    }

    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        _now: i64,
    ) -> io::Result<bool> {
        let ms = milliseconds(ttl_seconds);
        let rows = self.run("compare-and-swap on", key, |connection| match old {
            None => connection.client.execute(&connection.insert, &[&key, &new, &ms]),
            Some(old) => connection.client.execute(&connection.update, &[&key, &old, &new, &ms]),
        })?;
        let swapped = rows == 1;
        if swapped {
            self.wrote();
        }
        Ok(swapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_the_npm_store_names() {
        for good in ["forgelink_storage", "app.forgelink", "_x9", &"a".repeat(50)] {
            let store = PostgresStore::open("postgres://u@127.0.0.1/d").unwrap();
            assert_eq!(store.with_table(good).unwrap().table(), good);
        }
        for bad in ["", "Forgelink", "9lives", "a.b.c", "a-b", "a;drop", "a.", &"a".repeat(51)] {
            let store = PostgresStore::open("postgres://u@127.0.0.1/d").unwrap();
            let error = store.with_table(bad).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
        let store = PostgresStore::open("postgres://u@127.0.0.1/d?table=app.store").unwrap();
        assert_eq!(store.table(), "app.store");
        assert!(store.sql.create[1].contains("\"store_expires_at\" ON \"app\".\"store\""));
    }

    #[test]
    fn urls_are_checked_without_connecting_and_passwords_stay_out_of_sight() {
        let store = PostgresStore::open("postgres://u:hunter2@127.0.0.1:1/d").unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
        let error = PostgresStore::open("postgres://u:hunter2@127.0.0.1/d?nonsense=1").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert_eq!(milliseconds(Some(2)), Some(2000.0));
        assert_eq!(milliseconds(Some(u64::MAX)), Some((MAX_TTL_SECONDS * 1000) as f64));
    }
}
