//! The storage contract, held to every store through one table of cases: [`MemoryStore`],
//! [`FileStore`], and the Redis and PostgreSQL stores on real servers (started by the tests,
//! see `common::servers`). Then the stores shared between processes, with this test binary
//! started again as several workers (see [`worker`]) that race on one counter and on the same
//! claims; and Redis and PostgreSQL stores whose server dies and comes back.
//!
//! The file and memory stores judge expiry by the `now` each call passes, so their time moves
//! by changing it; Redis and PostgreSQL judge it by the server's clock, so their time moves by
//! sleeping (a second and a bit, once per store).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use forgelink_host::http::HttpClient;
use forgelink_host::storage::{open_storage, MemoryStore, PostgresStore, RedisStore, Storage};
use forgelink_host::HostState;

use common::servers::{self, PostgresProcess, RedisProcess, Server};

/// 2026-11-22 00:00:00 UTC: where the file and memory stores' clock starts.
const NOW: i64 = 1_795_305_600;

/// A store under test, and how time passes for it.
struct Subject {
    name: &'static str,
    store: Box<dyn Storage>,
    /// What opens the same store in another process; none for memory.
    url: Option<String>,
    /// Whether the store judges expiry by its server's clock, so that time must really pass.
    server_clock: bool,
    now: AtomicI64,
    cleanup: Cleanup,
    /// Held so that the server outlives the store.
    _server: Option<Arc<Server>>,
}

/// What a test leaves behind on a server that outlives it, for [`Subject`]'s drop to remove.
enum Cleanup {
    Nothing,
    Directory(PathBuf),
    RedisKeys { url: String, prefix: String },
    PostgresTable { url: String, table: String },
}

impl Subject {
    fn now(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    /// Lets `seconds` pass for the store: moves `now` on, and sleeps a little longer for a
    /// store whose server's clock judges expiry.
    fn pass(&self, seconds: u64) {
        self.now.fetch_add(i64::try_from(seconds).expect("a few seconds"), Ordering::SeqCst);
        if self.server_clock {
            thread::sleep(Duration::from_secs(seconds) + Duration::from_millis(200));
        }
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let value = self.store.get(key, self.now());
        value.unwrap_or_else(|error| panic!("{}: get {key:?}: {error}", self.name))
    }

    fn set(&self, key: &str, value: &[u8], ttl: Option<u64>) {
        let result = self.store.set(key, value, ttl, self.now());
        result.unwrap_or_else(|error| panic!("{}: set {key:?}: {error}", self.name));
    }

    fn delete(&self, key: &str) {
        let result = self.store.delete(key);
        result.unwrap_or_else(|error| panic!("{}: delete {key:?}: {error}", self.name));
    }

    fn swap(&self, key: &str, old: Option<&[u8]>, new: &[u8], ttl: Option<u64>) -> bool {
        let result = self.store.compare_and_swap(key, old, new, ttl, self.now());
        result.unwrap_or_else(|error| panic!("{}: compare-and-swap {key:?}: {error}", self.name))
    }
}

impl Drop for Subject {
    fn drop(&mut self) {
        // Best effort: on a server of the tests' own, everything goes with the server anyway.
        match &self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::RedisKeys { url, prefix } => {
                let Ok(client) = redis::Client::open(url.as_str()) else { return };
                let Ok(mut connection) = client.get_connection() else { return };
                let keys: Vec<Vec<u8>> = redis::cmd("KEYS")
                    .arg(format!("{prefix}*"))
                    .query(&mut connection)
                    .unwrap_or_default();
                if !keys.is_empty() {
                    let _: Result<(), _> = redis::cmd("DEL").arg(keys).query(&mut connection);
                }
            }
            Cleanup::PostgresTable { url, table } => {
                if let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) {
                    let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS \"{table}\""));
                }
            }
        }
    }
}

/// `url` with the query parameter `name=value` added.
fn with_parameter(url: &str, name: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{name}={value}")
}

fn memory() -> Subject {
    Subject {
        name: "memory",
        store: Box::new(MemoryStore::new()),
        url: None,
        server_clock: false,
        now: AtomicI64::new(NOW),
        cleanup: Cleanup::Nothing,
        _server: None,
    }
}

fn file(test: &str) -> Subject {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stores").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("file:{}", dir.display());
    Subject {
        name: "file",
        store: open_storage(&url).expect("open the file store"),
        url: Some(url),
        server_clock: false,
        now: AtomicI64::new(NOW),
        cleanup: Cleanup::Directory(dir),
        _server: None,
    }
}

/// A Redis store whose keys are apart from every other test's, under a prefix of its own.
fn redis(test: &str) -> Subject {
    let server = servers::redis();
    let prefix = format!("{}:", servers::unique(test));
    let url = with_parameter(&server.url, "prefix", &prefix);
    Subject {
        name: "redis",
        store: open_storage(&url).expect("open the Redis store"),
        url: Some(url),
        server_clock: true,
        now: AtomicI64::new(NOW),
        cleanup: Cleanup::RedisKeys { url: server.url.clone(), prefix },
        _server: Some(server),
    }
}

/// A PostgreSQL store in a table of its own.
fn postgres(test: &str) -> Subject {
    let server = servers::postgres();
    let table = servers::unique(&format!("t_{test}"));
    let url = with_parameter(&server.url, "table", &table);
    Subject {
        name: "postgres",
        store: open_storage(&url).expect("open the PostgreSQL store"),
        url: Some(url),
        server_clock: true,
        now: AtomicI64::new(NOW),
        cleanup: Cleanup::PostgresTable { url: server.url.clone(), table },
        _server: Some(server),
    }
}

/// A case of the contract: its name, and what it does to a store.
type Case = (&'static str, fn(&Subject));

/// What every store must do, one case each.
const CASES: &[Case] = &[
    ("missing keys", missing_keys),
    ("set, get and delete", set_get_delete),
    ("binary values and keys", binary_values_and_keys),
    ("large values", large_values),
    ("compare-and-swap", compare_and_swap),
    ("threads sharing the store", threads_sharing_the_store),
    ("expiry", expiry),
];

fn run_cases(subject: &Subject) {
    for (case, run) in CASES {
        // Shown with the failure: the test's output is printed when it fails.
        eprintln!("{}: {case}", subject.name);
        run(subject);
    }
}

fn missing_keys(s: &Subject) {
    assert_eq!(s.get("missing/never-written"), None, "{}", s.name);
    s.delete("missing/never-written");
    assert!(!s.swap("missing/k", Some(b"anything"), b"new", None), "{}", s.name);
    assert!(!s.swap("missing/k", Some(b""), b"new", None), "{}: empty is not absent", s.name);
    assert_eq!(s.get("missing/k"), None, "{}: a failed swap writes nothing", s.name);
}

fn set_get_delete(s: &Subject) {
    s.set("sgd/token", b"secret", None);
    assert_eq!(s.get("sgd/token").as_deref(), Some(&b"secret"[..]), "{}", s.name);
    s.set("sgd/token", b"replaced", None);
    assert_eq!(s.get("sgd/token").as_deref(), Some(&b"replaced"[..]), "{}", s.name);
    s.set("sgd/token", b"", None);
    assert_eq!(s.get("sgd/token").as_deref(), Some(&b""[..]), "{}: empty, not absent", s.name);
    s.delete("sgd/token");
    assert_eq!(s.get("sgd/token"), None, "{}", s.name);
    s.delete("sgd/token");
}

fn binary_values_and_keys(s: &Subject) {
    let every_byte: Vec<u8> = (0..=255).collect();
    s.set("binary/all", &every_byte, None);
    assert_eq!(s.get("binary/all"), Some(every_byte.clone()), "{}", s.name);
    let nuls = b"\0\0forge\0link\0".to_vec();
    s.set("binary/nuls", &nuls, None);
    assert_eq!(s.get("binary/nuls"), Some(nuls.clone()), "{}", s.name);

    // The comparison is of bytes: one differing in its last byte, or cut at a NUL, is another.
    let mut near = every_byte.clone();
    near[255] = 0;
    assert!(!s.swap("binary/all", Some(&near), b"x", None), "{}", s.name);
    assert!(!s.swap("binary/nuls", Some(b"\0\0forge"), b"x", None), "{}", s.name);
    assert!(s.swap("binary/nuls", Some(&nuls), &every_byte, None), "{}", s.name);
    assert_eq!(s.get("binary/nuls"), Some(every_byte), "{}", s.name);

    // Keys as forgelink writes them, and ones it does not: slashes, spaces, non-ASCII.
    let keys = ["forgelink/v1/connection/c-1", "a key with spaces", "ünïcødé/🔑", "*", "%41"];
    for (n, key) in keys.iter().enumerate() {
        s.set(&format!("binary/{key}"), n.to_string().as_bytes(), None);
    }
    for (n, key) in keys.iter().enumerate() {
        let value = s.get(&format!("binary/{key}"));
        assert_eq!(value, Some(n.to_string().into_bytes()), "{}: {key:?}", s.name);
    }
}

fn large_values(s: &Subject) {
    // Four MiB that no compression or deduplication flattens.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let large: Vec<u8> = (0..4 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    s.set("large/v", &large, None);
    assert!(
        s.get("large/v") == Some(large.clone()),
        "{}: the large value came back changed",
        s.name
    );
    let mut changed = large.clone();
    changed[large.len() / 2] ^= 1;
    assert!(!s.swap("large/v", Some(&changed), b"small", None), "{}", s.name);
    assert!(s.swap("large/v", Some(&large), &changed, None), "{}", s.name);
    assert!(s.get("large/v") == Some(changed), "{}", s.name);
    s.delete("large/v");
}

fn compare_and_swap(s: &Subject) {
    let swap = |old: Option<&[u8]>, new: &[u8]| s.swap("cas/k", old, new, None);
    assert!(swap(None, b"one"), "{}: absent to a value", s.name);
    assert!(!swap(None, b"two"), "{}: the key is no longer absent", s.name);
    assert!(!swap(Some(b"wrong"), b"two"), "{}: the wrong value expected", s.name);
    assert_eq!(s.get("cas/k").as_deref(), Some(&b"one"[..]), "{}", s.name);
    assert!(swap(Some(b"one"), b"two"), "{}", s.name);
    assert_eq!(s.get("cas/k").as_deref(), Some(&b"two"[..]), "{}", s.name);
    assert!(!swap(Some(b"one"), b"three"), "{}: the old value again", s.name);
    s.delete("cas/k");
    assert!(!swap(Some(b"two"), b"three"), "{}: deleted is absent", s.name);
    assert!(swap(None, b""), "{}", s.name);
    assert!(!swap(None, b"x"), "{}: an empty value is present", s.name);
    assert!(swap(Some(b""), b"x"), "{}", s.name);
    assert_eq!(s.get("cas/k").as_deref(), Some(&b"x"[..]), "{}", s.name);
}

/// Four threads incrementing one counter through one store, as a host's instances share it.
fn threads_sharing_the_store(s: &Subject) {
    let (store, now) = (&*s.store, s.now());
    thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(move || (0..25).for_each(|_| increment(store, "threads/counter", now)));
        }
    });
    assert_eq!(s.get("threads/counter").as_deref(), Some(&b"100"[..]), "{}", s.name);
}

fn expiry(s: &Subject) {
    s.set("expiry/set", b"held", Some(1));
    assert!(s.swap("expiry/swapped", None, b"claimed", Some(1)), "{}", s.name);
    s.set("expiry/rewritten", b"short", Some(1));
    s.set("expiry/rewritten", b"kept", None);
    s.set("expiry/long", b"kept", Some(3600));
    s.set("expiry/replaced", b"old", None);
    s.set("expiry/replaced", b"gone", Some(0));
    // Judged at once, while a second has certainly not passed.
    assert_eq!(s.get("expiry/set").as_deref(), Some(&b"held"[..]), "{}", s.name);
    assert_eq!(s.get("expiry/swapped").as_deref(), Some(&b"claimed"[..]), "{}", s.name);
    assert!(!s.swap("expiry/swapped", None, b"mine", Some(1)), "{}: still held", s.name);
    assert_eq!(s.get("expiry/replaced"), None, "{}: a zero ttl is over at once", s.name);
    assert!(s.swap("expiry/replaced", None, b"new", Some(0)), "{}: absent", s.name);
    assert_eq!(s.get("expiry/replaced"), None, "{}: and stays over", s.name);

    s.pass(1);
    assert_eq!(s.get("expiry/set"), None, "{}: expired after a second", s.name);
    // Expired counts as absent: its old bytes no longer match, and absent does.
    assert!(!s.swap("expiry/swapped", Some(b"claimed"), b"mine", None), "{}", s.name);
    assert!(s.swap("expiry/swapped", None, b"mine", None), "{}: taken over", s.name);
    assert_eq!(s.get("expiry/swapped").as_deref(), Some(&b"mine"[..]), "{}", s.name);
    assert!(s.swap("expiry/set", None, b"again", None), "{}", s.name);
    assert_eq!(s.get("expiry/rewritten").as_deref(), Some(&b"kept"[..]), "{}", s.name);
    assert_eq!(s.get("expiry/long").as_deref(), Some(&b"kept"[..]), "{}", s.name);
    // A huge time-to-live saturates rather than failing or wrapping into the past.
    s.set("expiry/huge", b"kept", Some(u64::MAX));
    assert!(s.swap("expiry/huge", Some(b"kept"), b"still", Some(u64::MAX)), "{}", s.name);
    assert_eq!(s.get("expiry/huge").as_deref(), Some(&b"still"[..]), "{}", s.name);
}

/// Increments the decimal counter under `key` with a compare-and-swap loop.
fn increment(store: &dyn Storage, key: &str, now: i64) {
    loop {
        let current = store.get(key, now).expect("get");
        let value: u64 = current.as_deref().map_or(0, |bytes| {
            std::str::from_utf8(bytes).expect("UTF-8").parse().expect("a number")
        });
        let next = (value + 1).to_string();
        if store
            .compare_and_swap(key, current.as_deref(), next.as_bytes(), None, now)
            .expect("compare-and-swap")
        {
            return;
        }
    }
}

#[test]
fn the_memory_store_keeps_the_contract() {
    run_cases(&memory());
}

#[test]
fn the_file_store_keeps_the_contract() {
    run_cases(&file("contract"));
}

#[test]
fn the_redis_store_keeps_the_contract() {
    run_cases(&redis("contract"));
}

#[test]
fn the_postgres_store_keeps_the_contract() {
    run_cases(&postgres("contract"));
}

/// Names the store a worker opens, as a storage URL.
const WORKER_URL: &str = "FORGELINK_STORES_WORKER_URL";
/// Names the worker: what it writes when it wins a claim.
const WORKER_ID: &str = "FORGELINK_STORES_WORKER_ID";
const WORKERS: usize = 4;
const INCREMENTS: usize = 25;
const CLAIMS: usize = 10;

/// Runs only as a worker process, started by [`processes_race`]: it opens the store, says it
/// is ready, waits for the signal, then increments the shared counter and races for each
/// claim in turn, and writes down which claims it won.
#[test]
#[ignore = "a worker process, started by the cross-process tests"]
fn worker() {
    let url = std::env::var(WORKER_URL).expect("started by a cross-process test");
    let id = std::env::var(WORKER_ID).expect("an id");
    let store = open_storage(&url).expect("open the store");
    store.set(&format!("ready-{id}"), b"", None, NOW).expect("say ready");
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.get("go", NOW).expect("wait for the signal").is_none() {
        assert!(Instant::now() < deadline, "no signal to go");
        thread::sleep(Duration::from_millis(2));
    }
    let mut won = Vec::new();
    for n in 0..INCREMENTS.max(CLAIMS) {
        if n < INCREMENTS {
            increment(&*store, "counter", NOW);
        }
        if n < CLAIMS
            && store
                .compare_and_swap(&format!("claim-{n}"), None, id.as_bytes(), None, NOW)
                .expect("claim")
        {
            won.push(n.to_string());
        }
    }
    store.set(&format!("won-{id}"), won.join(",").as_bytes(), None, NOW).expect("write");
}

/// Worker processes, killed on drop if they still run.
struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// [`WORKERS`] processes on `subject`'s store, let go at once: every increment lands and every
/// claim has exactly one winner. The table, for PostgreSQL, does not exist before they start:
/// they race to create it too.
fn processes_race(subject: &Subject) {
    let url = subject.url.as_deref().expect("a store other processes can open");
    let exe = std::env::current_exe().expect("this test binary");
    let mut workers = Workers(
        (0..WORKERS)
            .map(|id| {
                Command::new(&exe)
                    .args(["--exact", "worker", "--ignored", "--test-threads=1"])
                    .env(WORKER_URL, url)
                    .env(WORKER_ID, id.to_string())
                    .stdin(Stdio::null())
                    // Captured so that the workers' test summaries do not mix with this run's.
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start a worker")
            })
            .collect(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(0..WORKERS).all(|id| subject.get(&format!("ready-{id}")).is_some()) {
        let exited = workers.0.iter_mut().any(|child| !matches!(child.try_wait(), Ok(None)));
        assert!(
            !exited && Instant::now() < deadline,
            "{}: a worker did not get ready",
            subject.name
        );
        thread::sleep(Duration::from_millis(5));
    }
    subject.set("go", b"", None);
    for child in std::mem::take(&mut workers.0) {
        let output = child.wait_with_output().expect("wait for a worker");
        let (stdout, stderr) =
            (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{}: a worker failed: {stdout}{stderr}", subject.name);
        assert!(stdout.contains("1 passed"), "{}: the worker ran: {stdout}", subject.name);
    }

    let expected = (WORKERS * INCREMENTS).to_string();
    assert_eq!(
        subject.get("counter"),
        Some(expected.into_bytes()),
        "{}: lost updates",
        subject.name
    );
    let won: Vec<Vec<String>> = (0..WORKERS)
        .map(|id| {
            let list = subject.get(&format!("won-{id}")).expect("the worker's claims");
            let list = String::from_utf8(list).expect("UTF-8");
            list.split(',').filter(|n| !n.is_empty()).map(str::to_owned).collect()
        })
        .collect();
    for n in 0..CLAIMS {
        let winners: Vec<usize> =
            (0..WORKERS).filter(|id| won[*id].contains(&n.to_string())).collect();
        assert_eq!(winners.len(), 1, "{}: claim {n} won by {winners:?}", subject.name);
        let stored = subject.get(&format!("claim-{n}"));
        assert_eq!(stored, Some(winners[0].to_string().into_bytes()), "{}", subject.name);
    }
}

#[test]
fn processes_sharing_a_file_store_lose_no_update_and_share_no_claim() {
    processes_race(&file("processes"));
}

#[test]
fn processes_sharing_a_redis_store_lose_no_update_and_share_no_claim() {
    processes_race(&redis("processes"));
}

#[test]
fn processes_sharing_a_postgres_store_lose_no_update_and_share_no_claim() {
    processes_race(&postgres("processes"));
}

#[test]
fn a_redis_store_fails_while_its_server_is_down_and_recovers_when_it_is_back() {
    // A server of this test's own, whatever FORGELINK_TEST_REDIS_URL says: it is killed.
    let mut server = RedisProcess::start();
    let store = RedisStore::open(&server.url).expect("open the store");
    store.set("k", b"before", None, NOW).expect("set");
    assert!(store.compare_and_swap("k", Some(b"before"), b"swapped", None, NOW).expect("swap"));

    server.kill();
    // The pooled connection is dead, and so is a new one: both are errors, not panics.
    for attempt in ["the pooled connection", "a new connection"] {
        let error = store.get("k", NOW).expect_err("the server is down");
        let message = error.to_string();
        assert!(message.contains("Redis") && message.contains("reading"), "{attempt}: {message}");
    }
    let swap = store.compare_and_swap("k", None, b"x", Some(60), NOW);
    assert!(swap.is_err(), "a compare-and-swap fails too");
    assert!(store.set("k", b"x", None, NOW).is_err() && store.delete("k").is_err());
    // The component sees a failing import, and its flow a coded error.
    let http = HttpClient::new(&common::test_http_config()).expect("a valid configuration");
    let state = HostState::new(http, None)
        .with_storage(RedisStore::open(&server.url).expect("open"))
        .with_encryption_key(common::test_key());
    let mut plugin = common::runtime().instantiate(state).expect("the component instantiates");
    let error = plugin.access_token("c-1").expect("no trap").expect_err("no storage");
    assert_eq!(error.code, "storage.failed", "{}", error.message);

    server.start_again();
    assert_eq!(store.get("k", NOW).expect("back"), None, "the new server started empty");
    // The new server has never seen the script: the store loads it again.
    assert!(store.compare_and_swap("k", None, b"after", Some(60), NOW).expect("swap"));
    assert_eq!(store.get("k", NOW).expect("get").as_deref(), Some(&b"after"[..]));
}

#[test]
fn a_postgres_store_fails_while_its_server_is_down_and_recovers_when_it_is_back() {
    // A server of this test's own, whatever FORGELINK_TEST_POSTGRES_URL says: it is stopped.
    let mut server = PostgresProcess::start();
    let store = PostgresStore::open(&server.url).expect("open the store");
    store.set("k", b"before", None, NOW).expect("set");

    server.stop();
    for attempt in ["the pooled connection", "a new connection"] {
        let error = store.get("k", NOW).expect_err("the server is down");
        let message = error.to_string();
        assert!(
            message.contains("PostgreSQL") && message.contains("reading"),
            "{attempt}: {message}"
        );
    }
    assert!(store.compare_and_swap("k", Some(b"before"), b"x", None, NOW).is_err());

    server.start_again();
    assert_eq!(store.get("k", NOW).expect("back").as_deref(), Some(&b"before"[..]), "kept");
    assert!(store.compare_and_swap("k", Some(b"before"), b"after", None, NOW).expect("swap"));
    assert_eq!(store.get("k", NOW).expect("get").as_deref(), Some(&b"after"[..]));
}

#[test]
fn a_tls_url_to_a_plain_redis_server_is_an_error() {
    let server = RedisProcess::start();
    let url = server.url.replacen("redis://", "rediss://", 1);
    let store = open_storage(&url).expect("the URL is well formed");
    let error = store.get("k", NOW).expect_err("no TLS there");
    assert!(error.to_string().contains("Redis"), "{error}");
}

#[test]
fn the_postgres_table_is_the_npm_store_table_and_sweeps_by_the_database_clock() {
    let subject = postgres("layout");
    let store = PostgresStore::open(subject.url.as_deref().expect("a URL")).expect("open");
    store.set("a", b"1", Some(1), NOW).expect("set");
    store.set("b", b"1", Some(1), NOW).expect("set");
    store.set("kept", b"1", None, NOW).expect("set");
    store.set("later", b"1", Some(3600), NOW).expect("set");

    let server = servers::postgres();
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).expect("connect");
    let columns: Vec<(String, String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text
             FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
            &[&store.table()],
        )
        .expect("the columns")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let expected = [
        ("key", "text", "NO"),
        ("value", "bytea", "NO"),
        ("expires_at", "timestamp with time zone", "YES"),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(columns, expected);
    let indexes: Vec<String> = client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname",
            &[&store.table()],
        )
        .expect("the indexes")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(indexes.len(), 2, "{indexes:?}");
    assert!(indexes.iter().any(|i| i.contains("UNIQUE") && i.ends_with("(key)")), "{indexes:?}");
    let partial = format!("{}_expires_at", store.table());
    assert!(
        indexes
            .iter()
            .any(|i| i.contains(&partial) && i.ends_with("WHERE (expires_at IS NOT NULL)")),
        "{indexes:?}"
    );

    subject.pass(1);
    assert_eq!(store.sweep().expect("sweep"), 2);
    assert_eq!(store.sweep().expect("sweep"), 0);
    let count: i64 = client
        .query_one(&format!("SELECT count(*) FROM \"{}\"", store.table()), &[])
        .expect("count")
        .get(0);
    assert_eq!(count, 2, "kept and later stay");
}
