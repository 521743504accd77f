//! `forgelink-host serve` as a process, over real HTTP: a hook registered in this process
//! (against the small GitLab of `common::fake_gitlab`) on the store the server reads, then
//! deliveries sent to the server and what it answers, prints on stdout or forwards. On a file
//! store and on a Redis server started by the tests.

mod common;

use std::io::{BufRead, BufReader, Cursor};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use forgelink_host::environment::KEY_VARIABLE;
use forgelink_host::http::HttpClient;
use forgelink_host::storage::open_storage;
use forgelink_host::{wit, HostState};
use serde_json::{json, Value};

use common::fake_gitlab::{self, FakeGitLab, TOKEN};
use common::servers::{self, Server};
use common::{cache_dir, component_path, runtime, test_http_config, test_key};

/// The most a readiness wait lasts: starting a process, a line reaching a pipe, a request
/// reaching a server. Nothing is asserted about how long anything takes.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The body cap the servers run with, so that the tests can go over it cheaply.
const MAX_BODY_BYTES: usize = 4096;

/// Polls `done` every few milliseconds until [`READY_TIMEOUT`]; `false` if it never held.
fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    done()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A store the server and this process share: a directory, or keys of its own on Redis.
struct Store {
    url: String,
    /// Held so that the Redis server outlives the test's processes.
    _server: Option<Arc<Server>>,
}

impl Store {
    fn directory(name: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        Store { url: format!("file:{}", dir.display()), _server: None }
    }

    fn redis(name: &str) -> Self {
        let server = servers::redis();
        let url = format!("{}?prefix={}:", server.url, servers::unique(name));
        Store { url, _server: Some(server) }
    }
}

/// The hook a connection registered on `group/app`: where deliveries go and their token.
struct Hook {
    connection: String,
    /// The path of the URL it was registered with, ending in its route.
    path: String,
    token: String,
    /// Kept for the length of the test, as the provider the connection belongs to.
    _gitlab: FakeGitLab,
}

/// Connects to the small GitLab with a token and registers `group/app`'s hook, through the
/// library in this process, on `store` and the tests' key.
fn register(store: &Store) -> Hook {
    let gitlab = FakeGitLab::start();
    let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
    let state = HostState::new(http, None)
        .with_storage(open_storage(&store.url).expect("the store"))
        .with_encryption_key(test_key());
    let mut plugin = runtime().instantiate(state).expect("the component instantiates");
    let request = wit::ConnectWithTokenRequest {
        provider: wit::Provider::Gitlab,
        base_url: Some(gitlab.base_url.clone()),
        token: TOKEN.into(),
        username: None,
        profile: Some("ci-failure-analysis".into()),
    };
    let connection = plugin.connect_with_token(&request).unwrap().expect("connected").id;
    let register = wit::RegisterWebhooksRequest {
        projects: vec!["group/app".into()],
        url: "https://app.example/hooks".into(),
        profile: "ci-failure-analysis".into(),
    };
    let results = plugin.register_webhooks(&connection, &register).unwrap().expect("registered");
    assert_eq!(results[0].status, wit::RegistrationStatus::Created);
    let (url, token) = {
        let state = gitlab.state();
        (state.hook_url.clone().expect("a hook"), state.hook_token.clone().expect("a token"))
    };
    let path = url.strip_prefix("https://app.example").expect("the registered URL").to_owned();
    Hook { connection, path, token, _gitlab: gitlab }
}

/// A GitLab pipeline delivery for pipeline `id` with `token`: its headers and body.
fn delivery(token: &str, id: u64) -> (Vec<(String, String)>, Vec<u8>) {
    let body = json!({
        "object_kind": "pipeline",
        "object_attributes": { "id": id, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "status": "failed", "created_at": "2026-11-22 00:00:00 UTC" },
        "user": { "id": 42, "username": "ada", "name": "Ada" },
        "project": { "id": 1, "path_with_namespace": "group/app", "web_url": "https://git.example.com/group/app", "default_branch": "main" }
    });
    let headers = vec![
        ("X-Gitlab-Event".to_owned(), "Pipeline Hook".to_owned()),
        ("X-Gitlab-Token".to_owned(), token.to_owned()),
        ("X-Gitlab-Event-UUID".to_owned(), format!("uuid-{id}")),
    ];
    (headers, body.to_string().into_bytes())
}

/// A `forgelink-host serve` process. Dropping it kills it if it still runs.
struct Serve {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, read from its first line on stderr.
    base: String,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Serve {
    /// Starts `serve` on a free port of 127.0.0.1 over `store`, with the tests' key in the
    /// environment, and waits for it to say where it listens.
    fn start(store: &Store, extra: &[&str]) -> Self {
        // Compiled in this process first (if it was not already), so that the server loads the
        // compiled code from the shared cache.
        runtime();
        let key: String = test_key().as_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
            .arg("--component")
            .arg(component_path())
            .arg("--cache-dir")
            .arg(cache_dir())
            .args(["serve", "--listen", "127.0.0.1:0", "--storage", &store.url, "--no-proxy"])
            .args(["--max-body-bytes", &MAX_BODY_BYTES.to_string()])
            .args(extra)
            .env(KEY_VARIABLE, key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start forgelink-host serve");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (first_line, first) = mpsc::channel();
        let readers = vec![
            collect(child.stdout.take().expect("piped"), Arc::clone(&stdout), None),
            collect(child.stderr.take().expect("piped"), Arc::clone(&stderr), Some(first_line)),
        ];
        let mut serve = Serve { child: Some(child), base: String::new(), stdout, stderr, readers };
        let line = first.recv_timeout(READY_TIMEOUT).unwrap_or_else(|_| {
            let (status, _, stderr) = serve.stop();
            panic!("serve did not start ({status:?}): {stderr:?}")
        });
        let base = line.strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}"));
        let port = base.strip_prefix("http://127.0.0.1:").unwrap_or_else(|| panic!("{line:?}"));
        assert!(port.parse::<u16>().is_ok_and(|port| port > 0), "the real port: {line:?}");
        serve.base = base.to_owned();
        serve
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn stdout_lines(&self) -> Vec<String> {
        lock(&self.stdout).clone()
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        }
    }

    /// Sends SIGTERM, waits for the process to end and its pipes to close, and returns its
    /// exit status, every line of stdout and every line of stderr.
    fn stop(&mut self) -> (Option<ExitStatus>, Vec<String>, Vec<String>) {
        let mut status = None;
        self.terminate();
        if let Some(mut child) = self.child.take() {
            let ended = eventually(|| !matches!(child.try_wait(), Ok(None)));
            if !ended {
                let _ = child.kill();
            }
            status = child.wait().ok();
        }
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        (status, self.stdout_lines(), lock(&self.stderr).clone())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads `pipe` line by line into `lines` until it closes; sends the first line to `first`.
fn collect(
    pipe: impl std::io::Read + Send + 'static,
    lines: Arc<Mutex<Vec<String>>>,
    mut first: Option<mpsc::Sender<String>>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if let Some(first) = first.take() {
                let _ = first.send(line.clone());
            }
            lock(&lines).push(line);
        }
    })
}

/// What the server answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    allow: Option<String>,
    body: Value,
}

impl Answer {
    fn outcome(&self) -> (u16, &str) {
        (self.status, self.body["status"].as_str().unwrap_or("?"))
    }

    fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(READY_TIMEOUT))
        .build()
        .into()
}

fn read_answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.expect("an answer");
    let header = |name: &str| {
        response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
    };
    let retry_after =
        header("retry-after").map(|value| value.parse().expect("Retry-After in seconds"));
    let allow = header("allow");
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text:?}"));
    Answer { status, retry_after, allow, body }
}

fn post(url: &str, headers: &[(String, String)], body: &[u8]) -> Answer {
    let mut request = agent().post(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    read_answer(request.send(body))
}

/// Posts `body` without a Content-Length (chunked), so only what arrives can be counted.
fn post_chunked(url: &str, headers: &[(String, String)], body: &[u8]) -> Answer {
    let mut request = agent().post(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut reader = Cursor::new(body.to_vec());
    read_answer(request.send(ureq::SendBody::from_reader(&mut reader)))
}

/// One line of stdout: the handed-over event of pipeline `id`, of the hook's connection.
fn assert_handed_over(line: &str, hook: &Hook, id: u64) {
    assert!(line.starts_with(r#"{"connectionId":"#), "the npm field order: {line}");
    let value: Value = serde_json::from_str(line).expect("one JSON value a line");
    assert_eq!(value["connectionId"], hook.connection.as_str(), "{line}");
    assert_eq!(value["project"], "group/app", "{line}");
    assert_eq!(value["event"]["provider"], "gitlab", "{line}");
    assert_eq!(value["event"]["pipeline"]["id"], id.to_string(), "{line}");
    assert!(!line.contains(&hook.token), "no secret is handed over");
}

/// Everything a provider can send to the endpoint, over `store`.
fn endpoint_answers_as_the_npm_handler(store: Store) {
    let hook = register(&store);
    let mut serve = Serve::start(&store, &["--workers", "4"]);
    let at = serve.url(&hook.path);

    // A new delivery: handed over on stdout (before the answer), then answered 200.
    let (headers, body) = delivery(&hook.token, 101);
    assert_eq!(post(&at, &headers, &body).outcome(), (200, "accepted"));
    assert!(eventually(|| !serve.stdout_lines().is_empty()), "no line on stdout");
    // The same delivery again, and under a URL with a query: a duplicate, not handed over.
    assert_eq!(post(&at, &headers, &body).outcome(), (200, "duplicate"));
    assert_eq!(post(&format!("{at}?again=1"), &headers, &body).outcome(), (200, "duplicate"));

    // A forged token, an unknown route, a body it cannot read.
    let (forged, body) = delivery("guessed-token", 102);
    let answer = post(&at, &forged, &body);
    assert_eq!(answer.outcome(), (401, "rejected"));
    assert_eq!(answer.code(), Some("webhook.signature_mismatch"));
    let (headers, body) = delivery(&hook.token, 103);
    let answer = post(&serve.url("/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), &headers, &body);
    assert_eq!(answer.outcome(), (404, "rejected"));
    assert_eq!(answer.code(), Some("webhook.unknown_route"));
    let answer = post(&at, &headers, b"{not json");
    assert_eq!(answer.outcome(), (400, "rejected"));
    assert!(answer.code().is_some_and(|code| code.starts_with("webhook.")), "{answer:?}");

    // Over the cap, as declared and as counted; another method.
    let large = vec![b' '; MAX_BODY_BYTES + 1];
    for answer in [post(&at, &headers, &large), post_chunked(&at, &headers, &large)] {
        assert_eq!(answer.outcome(), (413, "rejected"));
        assert_eq!(answer.code(), Some("webhook.body_too_large"));
    }
    let answer = read_answer(agent().get(&at).call());
    assert_eq!(answer.outcome(), (405, "rejected"));
    assert_eq!(answer.allow.as_deref(), Some("POST"));
    assert_eq!(answer.code(), None);
    // A body just under the cap is read (and rejected by the component as unreadable).
    let answer = post_chunked(&at, &headers, &vec![b' '; MAX_BODY_BYTES]);
    assert_eq!(answer.status, 400, "{answer:?}");

    // Many copies of one new delivery at once: one is handed over; the others arrived while
    // it was handled (told to retry) or after (duplicates).
    const COPIES: usize = 8;
    let (headers, body) = delivery(&hook.token, 104);
    let start = Arc::new(Barrier::new(COPIES));
    let senders: Vec<_> = (0..COPIES)
        .map(|_| {
            let (start, at, headers, body) =
                (Arc::clone(&start), at.clone(), headers.clone(), body.clone());
            thread::spawn(move || {
                start.wait();
                post(&at, &headers, &body)
            })
        })
        .collect();
    let answers: Vec<Answer> = senders.into_iter().map(|s| s.join().expect("no panic")).collect();
    let count = |outcome| answers.iter().filter(|a| a.outcome() == outcome).count();
    assert_eq!(count((200, "accepted")), 1, "{answers:?}");
    assert_eq!(count((200, "duplicate")) + count((503, "retry")), COPIES - 1, "{answers:?}");
    for answer in answers.iter().filter(|answer| answer.status == 503) {
        assert!(answer.retry_after.is_some_and(|seconds| seconds >= 1), "{answer:?}");
    }

    // SIGTERM: a clean stop; every line it printed is now in.
    let (status, lines, stderr) = serve.stop();
    assert!(status.is_some_and(|status| status.success()), "{status:?}: {stderr:?}");
    assert_eq!(lines.len(), 2, "one line per new delivery: {lines:?}");
    assert_handed_over(&lines[0], &hook, 101);
    assert_handed_over(&lines[1], &hook, 104);
    assert!(stderr[0].starts_with("listening on http://127.0.0.1:"), "{stderr:?}");
    assert_eq!(stderr.last().map(String::as_str), Some("forgelink-host: stopped"), "{stderr:?}");
    let all = stderr.join("\n");
    assert!(!all.contains(&hook.token), "no secret on stderr");
}

#[test]
fn serve_answers_deliveries_over_a_file_store() {
    endpoint_answers_as_the_npm_handler(Store::directory("answers"));
}

#[test]
fn serve_answers_deliveries_over_redis() {
    endpoint_answers_as_the_npm_handler(Store::redis("serve_answers"));
}

/// How the forward target answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Fail,
    Succeed,
    /// Holds each request until the mode changes.
    Hold,
}

struct TargetState {
    mode: Mode,
    received: Vec<Value>,
    /// Requests being held now.
    held: usize,
}

/// A small HTTP server the events are forwarded to; dropping it stops it.
struct Target {
    url: String,
    address: String,
    state: Arc<(Mutex<TargetState>, Condvar)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Target {
    fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let state = TargetState { mode, received: Vec::new(), held: 0 };
        let state = Arc::new((Mutex::new(state), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let state = Arc::clone(&state);
                    // A thread each, so that a held request does not hold the others.
                    if let Ok(stream) = stream {
                        thread::spawn(move || Self::answer(stream, &state));
                    }
                }
            })
        };
        let url = format!("http://{address}/events");
        Target { url, address, state, stop, thread: Some(thread) }
    }

    fn answer(mut stream: TcpStream, state: &(Mutex<TargetState>, Condvar)) {
        let Some(request) = fake_gitlab::read(&mut stream) else { return };
        let (lock_, changed) = state;
        let mut guard = lock(lock_);
        guard.received.push(serde_json::from_slice(&request.body).unwrap_or(Value::Null));
        if guard.mode == Mode::Hold {
            guard.held += 1;
            changed.notify_all();
            while guard.mode == Mode::Hold {
                guard = changed.wait(guard).unwrap_or_else(PoisonError::into_inner);
            }
            guard.held -= 1;
        }
        let status = if guard.mode == Mode::Fail { "500 Internal Server Error" } else { "200 OK" };
        drop(guard);
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = std::io::Write::write_all(&mut stream, head.as_bytes());
    }

    fn set_mode(&self, mode: Mode) {
        lock(&self.state.0).mode = mode;
        self.state.1.notify_all();
    }

    fn received(&self) -> Vec<Value> {
        lock(&self.state.0).received.clone()
    }

    fn held(&self) -> usize {
        lock(&self.state.0).held
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.set_mode(Mode::Succeed);
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address.as_str());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn assert_forwarded(value: &Value, hook: &Hook, id: u64) {
    assert_handed_over(&value.to_string(), hook, id);
}

#[test]
fn serve_forwards_events_and_releases_those_the_target_did_not_take() {
    let store = Store::directory("forward");
    let hook = register(&store);
    let target = Target::start(Mode::Fail);
    let mut serve = Serve::start(&store, &["--workers", "3", "--forward", &target.url]);
    let at = serve.url(&hook.path);

    // The target fails: the delivery is released and the provider told to retry.
    let (headers, body) = delivery(&hook.token, 201);
    let answer = post(&at, &headers, &body);
    assert_eq!(answer.outcome(), (503, "retry"));
    assert_eq!(answer.retry_after, Some(5));
    assert_eq!(target.received().len(), 1);
    // The redelivery, once the target works: accepted and forwarded; then a duplicate.
    target.set_mode(Mode::Succeed);
    assert_eq!(post(&at, &headers, &body).outcome(), (200, "accepted"));
    let received = target.received();
    assert_eq!(received.len(), 2);
    assert_forwarded(&received[1], &hook, 201);
    assert_eq!(post(&at, &headers, &body).outcome(), (200, "duplicate"));
    assert_eq!(target.received().len(), 2, "a duplicate is not forwarded");

    // A copy that arrives while the target still handles the first: told to retry.
    target.set_mode(Mode::Hold);
    let (headers, body) = delivery(&hook.token, 202);
    let first = {
        let (at, headers, body) = (at.clone(), headers.clone(), body.clone());
        thread::spawn(move || post(&at, &headers, &body))
    };
    assert!(eventually(|| target.held() == 1), "the first copy never reached the target");
    let copy = post(&at, &headers, &body);
    assert_eq!(copy.outcome(), (503, "retry"));
    assert!(copy.retry_after.is_some_and(|seconds| seconds >= 1), "{copy:?}");
    target.set_mode(Mode::Succeed);
    assert_eq!(first.join().expect("no panic").outcome(), (200, "accepted"));
    assert_eq!(post(&at, &headers, &body).outcome(), (200, "duplicate"));
    let received = target.received();
    assert_eq!(received.len(), 3, "forwarded once: {received:?}");
    assert_forwarded(&received[2], &hook, 202);

    // SIGTERM while a delivery is being forwarded: it is finished and answered, then the
    // process ends.
    target.set_mode(Mode::Hold);
    let (headers, body) = delivery(&hook.token, 203);
    let last = thread::spawn(move || post(&at, &headers, &body));
    assert!(eventually(|| target.held() == 1), "the delivery never reached the target");
    serve.terminate();
    let stopping = || lock(&serve.stderr).iter().any(|line| line.contains("SIGTERM"));
    assert!(eventually(stopping), "the signal was not seen");
    target.set_mode(Mode::Succeed);
    assert_eq!(last.join().expect("no panic").outcome(), (200, "accepted"));
    let (status, lines, stderr) = serve.stop();
    assert!(status.is_some_and(|status| status.success()), "{status:?}: {stderr:?}");
    assert!(lines.is_empty(), "forwarded, not printed: {lines:?}");
    let received = target.received();
    assert_eq!(received.len(), 4, "{received:?}");
    assert_forwarded(&received[3], &hook, 203);
    let released = stderr.iter().any(|line| line.contains("released for redelivery"));
    assert!(released, "the failed forward is reported: {stderr:?}");
}

#[test]
fn serve_refuses_to_start_without_a_key_or_a_free_port() {
    runtime();
    let store = Store::directory("refusals");
    let run = |listen: &str, key: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_forgelink-host"));
        command
            .arg("--component")
            .arg(component_path())
            .arg("--cache-dir")
            .arg(cache_dir())
            .args(["serve", "--listen", listen, "--storage", &store.url])
            .env_remove(KEY_VARIABLE)
            .stdin(Stdio::null());
        if key {
            command.env(KEY_VARIABLE, "5a".repeat(32));
        }
        command.output().expect("run forgelink-host")
    };
    let output = run("127.0.0.1:0", false);
    assert_eq!(output.status.code(), Some(2), "a usage error");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("the error as JSON");
    assert_eq!(printed["error"]["code"], "input.invalid");

    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let output = run(&address, true);
    assert_eq!(output.status.code(), Some(3), "the host failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("cannot listen on {address}")), "{stderr}");
}
