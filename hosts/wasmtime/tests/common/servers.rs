//! Real Redis and PostgreSQL servers for the storage tests, each started on a free port of
//! 127.0.0.1 with its data in a temporary directory, and stopped (the directory removed) when
//! the last test using it drops it, whether the test passed or not. Set
//! `FORGELINK_TEST_REDIS_URL` or `FORGELINK_TEST_POSTGRES_URL` to use a server of your own
//! instead; tests keep to keys under a prefix, or a table, of their own there.
//!
//! PostgreSQL refuses to run as root, so as root it runs as `nobody`, owning its temporary
//! directory, as the npm package's test servers do.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const REDIS_VARIABLE: &str = "FORGELINK_TEST_REDIS_URL";
const POSTGRES_VARIABLE: &str = "FORGELINK_TEST_POSTGRES_URL";
/// Who runs PostgreSQL when the tests run as root.
const NOBODY: u32 = 65534;
/// How long a server may take to start on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A server some tests share: the one a variable names, or one started for them.
pub struct Server {
    pub url: String,
    process: Option<Process>,
}

impl Server {
    /// Whether this server was started by the tests (and can be stopped by them).
    pub fn is_own(&self) -> bool {
        self.process.is_some()
    }
}

/// The Redis server the tests of this process share: started by the first that asks, stopped
/// when the last that holds it is done.
pub fn redis() -> Arc<Server> {
    static SHARED: Mutex<Weak<Server>> = Mutex::new(Weak::new());
    shared(&SHARED, REDIS_VARIABLE, || {
        let process = RedisProcess::start();
        (process.url.clone(), process.process)
    })
}

/// The PostgreSQL server the tests of this process share, like [`redis`].
pub fn postgres() -> Arc<Server> {
    static SHARED: Mutex<Weak<Server>> = Mutex::new(Weak::new());
    shared(&SHARED, POSTGRES_VARIABLE, start_postgres)
}

fn shared(
    slot: &Mutex<Weak<Server>>,
    variable: &str,
    start: impl FnOnce() -> (String, Process),
) -> Arc<Server> {
    // Held while starting, so that tests asking at once share one server.
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(server) = slot.upgrade() {
        return server;
    }
    let server = match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Server { url, process: None },
        _ => {
            let (url, process) = start();
            Server { url, process: Some(process) }
        }
    };
    let server = Arc::new(server);
    *slot = Arc::downgrade(&server);
    server
}

/// A name no other test, process or earlier run uses: for key prefixes and table names on a
/// server that outlives the test. Lower case, digits and `_` only.
pub fn unique(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '_' })
        .collect();
    format!("{name}_{}_{n}_{nanos}", std::process::id())
}

/// A process of a server and its directory: killed and removed on drop.
struct Process {
    child: Child,
    dir: PathBuf,
    /// The signal that stops it at once without leaving children behind.
    stop_signal: &'static str,
}

impl Process {
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let pid = self.child.id().to_string();
            let signalled = Command::new("kill")
                .args([self.stop_signal, &pid])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            let deadline = Instant::now() + Duration::from_secs(10);
            while signalled
                && matches!(self.child.try_wait(), Ok(None))
                && Instant::now() < deadline
            {
                thread::sleep(Duration::from_millis(10));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

fn temporary_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("forgelink-{}", unique(name)));
    fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// Waits until `ready` holds, or panics with the server's log once `child` exited or
/// [`START_TIMEOUT`] passed.
fn wait_until_ready(name: &str, child: &mut Child, log: &Path, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + START_TIMEOUT;
    while !ready() {
        let exited = !matches!(child.try_wait(), Ok(None));
        if exited || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let log = fs::read_to_string(log).unwrap_or_default();
            panic!("{name} did not start:\n{log}");
        }
        thread::sleep(Duration::from_millis(25));
    }
}

/// A Redis server of a test's own, which the test may kill and start again on the same port.
/// No persistence: its data lives only as long as the process.
pub struct RedisProcess {
    pub url: String,
    port: u16,
    process: Process,
}

impl RedisProcess {
    pub fn start() -> Self {
        let dir = temporary_dir("redis");
        let port = free_port();
        let child = Self::spawn(&dir, port);
        let process = Process { child, dir, stop_signal: "-KILL" };
        RedisProcess { url: format!("redis://127.0.0.1:{port}"), port, process }
    }

    fn spawn(dir: &Path, port: u16) -> Child {
        let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
            .into_iter()
            .find(|path| Path::new(path).exists())
            .unwrap_or_else(|| {
                panic!(
                    "redis-server is not installed: run scripts/setup.sh, or set {REDIS_VARIABLE}"
                )
            });
        let log = dir.join("log");
        let port_text = port.to_string();
        let dir_text = dir.to_string_lossy();
        let args =
            ["--port", port_text.as_str(), "--bind", "127.0.0.1", "--dir", dir_text.as_ref()];
        let mut child = Command::new(binary)
            .args(args)
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(File::create(&log).expect("create the log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let url = format!("redis://127.0.0.1:{port}");
        wait_until_ready("redis-server", &mut child, &log, || ping(&url));
        child
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.process.child.kill();
        let _ = self.process.child.wait();
    }

    /// Starts the server again on the same port, empty.
    pub fn start_again(&mut self) {
        self.kill();
        self.process.child = Self::spawn(&self.process.dir, self.port);
    }
}

fn ping(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else { return false };
    let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_secs(1)) else {
        return false;
    };
    redis::cmd("PING").query::<String>(&mut connection).is_ok_and(|answer| answer == "PONG")
}

/// The newest PostgreSQL installed.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("PostgreSQL is not installed: run scripts/setup.sh, or set {POSTGRES_VARIABLE}")
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// `program` as a command, run as `nobody` when the tests run as root.
fn as_postgres_user(program: &Path, root: bool) -> Command {
    if root {
        let mut command = Command::new("setpriv");
        command
            .args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}")])
            .arg("--clear-groups")
            .arg("--")
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start_postgres() -> (String, Process) {
    let server = PostgresProcess::start();
    (server.url, server.process)
}

/// A PostgreSQL cluster of a test's own, which the test may stop and start again on the same
/// port, with the same data.
pub struct PostgresProcess {
    pub url: String,
    port: u16,
    bin: PathBuf,
    root: bool,
    process: Process,
}

impl PostgresProcess {
    pub fn start() -> Self {
        let bin = postgres_bin();
        let dir = temporary_dir("postgres");
        let root = running_as_root();
        if root {
            use std::os::unix::fs::PermissionsExt;
            std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY))
                .expect("give the directory away");
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        // fsync off: the cluster is thrown away, and syncing makes the tests several times
        // slower.
        let initdb = as_postgres_user(&bin.join("initdb"), root)
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-U", "forgelink", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            .current_dir(&dir)
            .output()
            .expect("run initdb");
        if !initdb.status.success() {
            let _ = fs::remove_dir_all(&dir);
            panic!(
                "initdb failed:\n{}{}",
                String::from_utf8_lossy(&initdb.stdout),
                String::from_utf8_lossy(&initdb.stderr)
            );
        }
        let port = free_port();
        let child = Self::spawn(&bin, root, &dir, port);
        // SIGQUIT: an immediate shutdown, which also ends its backends; nothing in a test
        // cluster is worth a checkpoint.
        let process = Process { child, dir, stop_signal: "-QUIT" };
        PostgresProcess { url: Self::url(port), port, bin, root, process }
    }

    fn url(port: u16) -> String {
        format!("postgres://forgelink@127.0.0.1:{port}/postgres")
    }

    fn spawn(bin: &Path, root: bool, dir: &Path, port: u16) -> Child {
        let log = dir.join("log");
        let mut child = as_postgres_user(&bin.join("postgres"), root)
            .arg("-D")
            .arg(dir.join("data"))
            .arg("-k")
            .arg(dir)
            .args(["-p", port.to_string().as_str(), "-h", "127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "max_connections=200"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("create the log"))
            .spawn()
            .expect("start postgres");
        let url = Self::url(port);
        wait_until_ready("postgres", &mut child, &log, || {
            postgres::Client::connect(&url, postgres::NoTls).is_ok()
        });
        child
    }

    /// Stops the server at once (an immediate shutdown, as on a crash of the server alone).
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts the server again on the same port, on the same data.
    pub fn start_again(&mut self) {
        self.stop();
        self.process.child = Self::spawn(&self.bin, self.root, &self.process.dir, self.port);
    }
}
