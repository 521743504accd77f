//! The flows in several operating-system processes sharing one store, as a product runs
//! them: refreshing an expiring token, receiving the same delivery, disconnecting during a
//! refresh, and a refresh whose process is killed. All of them on a file store; refreshing
//! and receiving also on Redis and PostgreSQL servers started by the tests (see
//! `common::servers`). The others run a lease out by moving the test's clock, which a
//! server's own clock, judging expiry there, does not follow.
//!
//! Each worker is this test binary started again (see [`worker`]), with the storage URL,
//! the encryption key in `FORGELINK_ENCRYPTION_KEY` (as `forgelink-host` reads it), and a clock
//! the test moves by writing a file, so that tokens expire and leases run out in every process
//! at once without the test waiting for them. Workers reach the providers, servers in this
//! process on 127.0.0.1, by opting in to private networks as a host must.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use forgelink_host::environment::{Clock, EncryptionKey, SystemClock, KEY_VARIABLE};
use forgelink_host::http::{HttpClient, HttpConfig, ProxySetting};
use forgelink_host::storage::{open_storage, Storage};
use forgelink_host::{json, wit, HostState, Plugin};
use serde_json::{json, Value};

use common::fake_gitlab::{FakeGitLab, TOKEN};
use common::servers::{self, Server};
use common::token_server::{Refresh, TokenServer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI};
use common::{runtime, test_http_config, test_key};

/// Names the task file of a worker process.
const WORKER_TASK: &str = "FORGELINK_WORKER_TASK";
/// How many processes race in the tests where all of them do the same.
const RACERS: usize = 4;
/// The refresh lease, as the flows take it: the request timeout, two minutes of clock skew
/// and a margin.
const LEASE_SECONDS: i64 = 180;
/// The browser session the tests' authorizations are bound to.
const SESSION: &str = "browser-session";

/// The clock of a process in these tests: the system clock moved by the seconds written in a
/// file, read at every call, so that the test moves every process's time at once. Sleeping
/// takes real time and leaves a mark in `slept`: a process sleeps only while another holds the
/// refresh lease, so the mark tells the test it is waiting on one.
struct FileClock {
    offset: PathBuf,
    slept: PathBuf,
}

impl Clock for FileClock {
    fn now(&self) -> i64 {
        let text = fs::read_to_string(&self.offset).expect("the clock file");
        SystemClock.now() + text.trim().parse::<i64>().expect("seconds in the clock file")
    }

    fn sleep(&self, duration: Duration) {
        if !self.slept.exists() {
            fs::write(&self.slept, b"").expect("mark the sleep");
        }
        SystemClock.sleep(duration);
    }
}

/// Replaces `path` with `text` at once: a reader sees the old content or the new.
fn write_atomically(path: &Path, text: &str) {
    let temp = path.with_extension("writing");
    fs::write(&temp, text).expect("write");
    fs::rename(&temp, path).expect("rename");
}

fn set_clock(path: &Path, offset: i64) {
    write_atomically(path, &offset.to_string());
}

/// Polls `done` every few milliseconds for up to a minute; `false` if it never held.
fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    done()
}

/// What a worker's HTTP client may reach: the test's servers are on 127.0.0.1, a private
/// network to the address policy. Plain http to this machine needs no further opt-in.
fn worker_http() -> HttpConfig {
    HttpConfig {
        allow_private_networks: true,
        proxy: ProxySetting::Direct,
        ..HttpConfig::default()
    }
}

/// Runs only as a worker process, started by the tests below with a task file: it builds a
/// host over the shared store, says it is ready, waits for the test's signal, makes its call
/// and writes the outcome.
#[test]
#[ignore = "a worker process, started by the cross-process tests"]
fn worker() {
    let task = std::env::var_os(WORKER_TASK).expect("started by a cross-process test");
    let task: Value = serde_json::from_slice(&fs::read(task).expect("the task")).expect("JSON");
    let path = |name: &str| PathBuf::from(task[name].as_str().expect(name));
    let key = EncryptionKey::from_environment().expect("the key is set").expect("a valid key");
    let clock = Arc::new(FileClock { offset: path("clock"), slept: path("slept") });
    let http = HttpClient::new(&worker_http()).expect("a valid configuration");
    let store = open_storage(task["storage"].as_str().expect("storage")).expect("the store");
    let state =
        HostState::new(http, None).with_storage(store).with_encryption_key(key).with_clock(clock);
    let mut plugin = runtime().instantiate(state).expect("the component instantiates");
    fs::write(path("ready"), b"").expect("say ready");
    assert!(eventually(|| path("go").exists()), "no signal to go");

    let call = &task["call"];
    let id = call["id"].as_str().unwrap_or_default();
    let outcome = match call["name"].as_str().expect("a call") {
        "access-token" => match plugin.access_token(id).expect("no trap") {
            Ok(token) => json!({ "token": token }),
            Err(error) => json!({ "error": error.code }),
        },
        "disconnect" => match plugin.disconnect(id).expect("no trap") {
            Ok(report) => json::disconnect_report(&report),
            Err(error) => json!({ "error": error.code }),
        },
        "receive" => {
            let deliveries = call["deliveries"].as_array().expect("deliveries");
            let receipts: Vec<Value> = deliveries
                .iter()
                .map(|delivery| {
                    let headers: Vec<(String, String)> =
                        serde_json::from_value(delivery["headers"].clone()).expect("headers");
                    let body = delivery["body"].as_str().expect("a body").as_bytes();
                    let route = delivery["route"].as_str().expect("a route");
                    let options = wit::ReceiveOptions {
                        dedupe_seconds: None,
                        handling_seconds: None,
                        allow_unsigned_ping: false,
                        tolerance_seconds: None,
                    };
                    match plugin.receive_webhook(route, &headers, body, options).expect("no trap") {
                        Ok(receipt) => {
                            // Handled at once, as a product's handler does.
                            if let Some(claim) = &receipt.claim {
                                let confirmed = plugin.confirm_delivery(claim).expect("no trap");
                                assert!(matches!(confirmed, Ok(true)), "confirmed in time");
                            }
                            json::receipt(&receipt)
                        }
                        Err(error) => json!({ "error": error.code }),
                    }
                })
                .collect();
            Value::Array(receipts)
        }
        other => panic!("no call {other}"),
    };
    write_atomically(&path("result"), &outcome.to_string());
}

/// One worker process. Dropping it kills the process if it still runs.
struct Worker {
    name: String,
    child: Option<Child>,
    ready: PathBuf,
    slept: PathBuf,
    result: PathBuf,
}

impl Worker {
    fn running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Waits until the worker has its instance and waits for the signal.
    fn wait_ready(&mut self) {
        let ready = self.ready.clone();
        let ok = eventually(|| ready.exists() || !self.running());
        if !(ok && ready.exists()) {
            let name = self.name.clone();
            panic!("worker {name} did not get ready: {}", self.output());
        }
    }

    /// Whether the worker waited on another's refresh lease.
    fn slept(&self) -> bool {
        self.slept.exists()
    }

    /// What the worker printed, for a failure message; kills it first if it still runs.
    fn output(&mut self) -> String {
        let Some(mut child) = self.child.take() else { return String::new() };
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        match child.wait_with_output() {
            Ok(output) => format!(
                "{:?}: {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => error.to_string(),
        }
    }

    /// Waits for the worker to end (a minute at most) and returns what it wrote.
    fn finish(mut self) -> Value {
        let name = self.name.clone();
        let ended = eventually(|| !self.running());
        let child = self.child.take().expect("a process");
        if !ended {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
            panic!("worker {name} did not end within a minute");
        }
        let output = child.wait_with_output().expect("wait for the worker");
        assert!(
            output.status.success(),
            "worker {name} failed with {:?}: {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = fs::read_to_string(&self.result).expect("the worker's result");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Kills the worker at once (SIGKILL on Unix): it cannot clean up anything.
    fn kill(mut self) {
        let mut child = self.child.take().expect("a process");
        child.kill().expect("kill the worker");
        let status = child.wait().expect("wait for the worker");
        assert!(!status.success(), "worker {} ended before it was killed", self.name);
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One test's directory (the clock files, the workers' files) and its shared store: a
/// directory in it, or keys of its own on a Redis or PostgreSQL server.
struct Scene {
    dir: PathBuf,
    /// The store, as a URL every process opens.
    storage: String,
    /// Held so that the server outlives the scene's processes.
    _server: Option<Arc<Server>>,
}

impl Scene {
    /// A scene whose store is a directory.
    fn new(name: &str) -> Self {
        let dir = Self::directory(name);
        let storage = format!("file:{}", dir.join("store").display());
        Scene { dir, storage, _server: None }
    }

    /// A scene whose store is on the tests' Redis server, under a key prefix of its own.
    fn on_redis(name: &str) -> Self {
        let server = servers::redis();
        let storage = format!("{}?prefix={}:", server.url, servers::unique(name));
        Scene { dir: Self::directory(name), storage, _server: Some(server) }
    }

    /// A scene whose store is a table of its own on the tests' PostgreSQL server.
    fn on_postgres(name: &str) -> Self {
        let server = servers::postgres();
        let table = servers::unique(&format!("t_{name}"));
        let storage = format!("{}?table={table}", server.url);
        Scene { dir: Self::directory(name), storage, _server: Some(server) }
    }

    fn directory(name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("processes").join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the directory");
        // Compiled once here and left in the shared cache, so that the workers load it.
        runtime();
        dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn store(&self) -> Box<dyn Storage> {
        open_storage(&self.storage).expect("the store")
    }

    /// A clock file at `offset` seconds from the system clock.
    fn clock(&self, name: &str, offset: i64) -> PathBuf {
        let path = self.path(&format!("{name}.clock"));
        set_clock(&path, offset);
        path
    }

    /// An instance in this process, on the same store, key and clock as the workers.
    fn instance(&self, clock: &Path) -> Plugin {
        let clock = FileClock { offset: clock.to_owned(), slept: self.path("test.slept") };
        let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
        let state = HostState::new(http, None)
            .with_storage(self.store())
            .with_encryption_key(test_key())
            .with_clock(Arc::new(clock));
        runtime().instantiate(state).expect("the component instantiates")
    }

    /// Starts a worker on `clock` that makes `call` once `go` exists.
    fn spawn(&self, name: &str, clock: &Path, go: &Path, call: Value) -> Worker {
        let file = |suffix: &str| self.path(&format!("{name}.{suffix}"));
        let text = |path: &Path| path.to_string_lossy().into_owned();
        let task = json!({
            "storage": self.storage,
            "clock": text(clock),
            "go": text(go),
            "ready": text(&file("ready")),
            "slept": text(&file("slept")),
            "result": text(&file("result")),
            "call": call,
        });
        fs::write(file("task"), task.to_string()).expect("write the task");
        let key: String = test_key().as_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
        let child = Command::new(std::env::current_exe().expect("this test binary"))
            .args(["--exact", "worker", "--ignored", "--test-threads=1"])
            .env(WORKER_TASK, file("task"))
            .env(KEY_VARIABLE, key)
            .stdin(Stdio::null())
            // Captured so that the workers' test summaries do not mix with this run's.
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start a worker");
        Worker {
            name: name.to_owned(),
            child: Some(child),
            ready: file("ready"),
            slept: file("slept"),
            result: file("result"),
        }
    }

    /// Starts `count` workers making `call` and lets them go together once all are ready.
    fn race(&self, prefix: &str, count: usize, clock: &Path, call: &Value) -> Vec<Worker> {
        let go = self.path(&format!("{prefix}.go"));
        let mut workers: Vec<Worker> = (0..count)
            .map(|n| self.spawn(&format!("{prefix}-{n}"), clock, &go, call.clone()))
            .collect();
        workers.iter_mut().for_each(Worker::wait_ready);
        fs::write(&go, b"").expect("signal");
        workers
    }

    /// What the store holds under the connection's key.
    fn connection_record(&self, id: &str) -> Option<Vec<u8>> {
        let key = format!("forgelink/v1/connection/{id}");
        self.store().get(&key, SystemClock.now()).expect("read the store")
    }
}

/// An OAuth connection to `server`, made in this process: its token expires in two hours.
fn connect(scene: &Scene, clock: &Path, server: &TokenServer) -> String {
    let mut plugin = scene.instance(clock);
    let start = wit::ConnectStartRequest {
        provider: wit::Provider::Gitlab,
        base_url: Some(server.base_url.clone()),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        redirect_uri: REDIRECT_URI.into(),
        profile: None,
        scopes: Some(vec!["api".into()]),
        pkce: None,
        root_namespace_id: None,
        session: Some(SESSION.into()),
        connection_id: None,
    };
    let started = plugin.connect_start(&start).unwrap().expect("connect-start");
    let callback = server.approve(&started.url);
    let connection = plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect("connected");
    assert_eq!(server.state().grants.len(), 1);
    connection.id
}

#[test]
fn processes_refreshing_one_expired_token_send_one_request_and_share_its_answer() {
    one_refresh(Scene::new("one-refresh"));
}

#[test]
fn processes_sharing_redis_refresh_one_expired_token_once() {
    one_refresh(Scene::on_redis("one-refresh-redis"));
}

#[test]
fn processes_sharing_postgres_refresh_one_expired_token_once() {
    one_refresh(Scene::on_postgres("one-refresh-postgres"));
}

fn one_refresh(scene: Scene) {
    let server = TokenServer::start();
    let clock = scene.clock("shared", 0);
    let id = connect(&scene, &clock, &server);
    let first = server.state().grants[0].access.clone();

    // Two hours on in every process: the token has expired. The refresh answer is held until
    // every other process is seen waiting on the lease, so that all of them truly contend.
    set_clock(&clock, 7200);
    server.set_refresh(Refresh::Hold);
    let call = json!({ "name": "access-token", "id": id });
    let workers = scene.race("refresh", RACERS, &clock, &call);
    let contended = eventually(|| {
        let state = server.state();
        let sleepers = workers.iter().filter(|worker| worker.slept()).count();
        state.refresh_requests > 1 || (state.waiting == 1 && sleepers == RACERS - 1)
    });
    assert!(contended, "the processes never all met the lease");
    assert_eq!(server.state().refresh_requests, 1, "a second process refreshed as well");
    server.release();
    let outcomes: Vec<Value> = workers.into_iter().map(Worker::finish).collect();

    let state = server.state();
    assert_eq!(state.refresh_requests, 1, "one refresh across {RACERS} processes: {outcomes:?}");
    assert_eq!(state.invalid_grants, 0);
    let fresh = state.grants[1].access.clone();
    drop(state);
    assert_ne!(fresh, first);
    for outcome in &outcomes {
        assert_eq!(outcome["token"], fresh.as_str(), "every process got the new token");
    }
    // It was stored: a process started later uses it without refreshing.
    let mut later = scene.instance(&clock);
    assert_eq!(later.access_token(&id).unwrap().expect("a token"), fresh);
    assert_eq!(server.state().refresh_requests, 1);
}

/// A GitLab pipeline delivery, as GitLab sends it to the hook registered on `fake`.
fn delivery(fake: &FakeGitLab, pipeline: u64) -> Value {
    let (route, token) = {
        let state = fake.state();
        (state.hook_url.clone().expect("a hook"), state.hook_token.clone().expect("a hook"))
    };
    let body = json!({
        "object_kind": "pipeline",
        "object_attributes": { "id": pipeline, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "status": "failed", "created_at": "2026-11-22 00:00:00 UTC" },
        "user": { "id": 42, "username": "ada", "name": "Ada" },
        "project": { "id": 1, "path_with_namespace": "group/app", "web_url": format!("{}/group/app", fake.base_url), "default_branch": "main" }
    });
    json!({
        "route": route,
        "headers": [
            ["X-Gitlab-Event", "Pipeline Hook"],
            ["X-Gitlab-Token", token],
            ["X-Gitlab-Event-UUID", format!("uuid-{pipeline}")],
        ],
        "body": body.to_string(),
    })
}

#[test]
fn processes_receiving_the_same_deliveries_accept_each_exactly_once() {
    same_deliveries(Scene::new("deliveries"));
}

#[test]
fn processes_sharing_redis_accept_each_delivery_exactly_once() {
    same_deliveries(Scene::on_redis("deliveries-redis"));
}

#[test]
fn processes_sharing_postgres_accept_each_delivery_exactly_once() {
    same_deliveries(Scene::on_postgres("deliveries-postgres"));
}

fn same_deliveries(scene: Scene) {
    let fake = FakeGitLab::start();
    let clock = scene.clock("shared", 0);
    let mut plugin = scene.instance(&clock);
    let request = wit::ConnectWithTokenRequest {
        provider: wit::Provider::Gitlab,
        base_url: Some(fake.base_url.clone()),
        token: TOKEN.into(),
        username: None,
        profile: Some("ci-failure-analysis".into()),
    };
    let id = plugin.connect_with_token(&request).unwrap().expect("connected").id;
    let register = wit::RegisterWebhooksRequest {
        projects: vec!["group/app".into()],
        url: "https://app.example/hooks".into(),
        profile: "ci-failure-analysis".into(),
    };
    let results = plugin.register_webhooks(&id, &register).unwrap().expect("registered");
    assert_eq!(results[0].status, wit::RegistrationStatus::Created);

    // Every process receives the same five deliveries, in the same order, at the same time.
    const DELIVERIES: usize = 5;
    let deliveries: Vec<Value> = (0..DELIVERIES as u64).map(|n| delivery(&fake, 100 + n)).collect();
    let call = json!({ "name": "receive", "deliveries": deliveries });
    let outcomes: Vec<Value> =
        scene.race("receive", RACERS, &clock, &call).into_iter().map(Worker::finish).collect();

    for n in 0..DELIVERIES {
        let receipts: Vec<&Value> = outcomes.iter().map(|receipts| &receipts[n]).collect();
        let statuses: Vec<&Value> = receipts.iter().map(|receipt| &receipt["status"]).collect();
        let status = |wanted: &str| statuses.iter().filter(|s| **s == wanted).count();
        // One process accepts it; the others' copies came while it was handled (pending: the
        // provider is asked to retry) or after (duplicates).
        assert_eq!(status("accepted"), 1, "delivery {n}: {statuses:?}");
        assert_eq!(
            status("duplicate") + status("pending"),
            RACERS - 1,
            "delivery {n}: {statuses:?}"
        );
        for receipt in receipts {
            assert_eq!(receipt["connectionId"], id.as_str(), "routed to its connection");
            assert_eq!(receipt["project"], "group/app");
            assert_eq!(receipt["event"]["pipeline"]["id"], (100 + n).to_string());
        }
    }
}

/// Every access token the server issued no longer works, and the store holds the tombstone.
fn assert_gone(scene: &Scene, clock: &Path, server: &TokenServer, id: &str) {
    let live = server.state().live_tokens();
    assert!(live.is_empty(), "tokens still live after the disconnect: {live:?}");
    let record = scene.connection_record(id);
    assert_eq!(record.as_deref(), Some(&b"forgelink:disconnected"[..]), "tombstoned");
    let error = scene.instance(clock).access_token(id).unwrap().expect_err("gone");
    assert_eq!(error.code, "connection.not_found");
}

#[test]
fn a_disconnect_while_another_process_refreshes_keeps_the_connection_gone() {
    let server = TokenServer::start();
    let scene = Scene::new("disconnect-during-refresh");
    // The refreshing process runs two hours ahead, where the token has expired; the one that
    // disconnects sees the token still valid, so it need not wait for the refresh.
    let ahead = scene.clock("ahead", 0);
    let behind = scene.clock("behind", 0);
    let id = connect(&scene, &behind, &server);
    let first = server.state().grants[0].access.clone();
    set_clock(&ahead, 7200);

    server.set_refresh(Refresh::Hold);
    let go = scene.path("go");
    fs::write(&go, b"").expect("signal");
    let refreshing =
        scene.spawn("refresh", &ahead, &go, json!({ "name": "access-token", "id": id }));
    assert!(eventually(|| server.state().waiting == 1), "the refresh never arrived");

    // The refresh has new tokens, whose answer is on its way: the disconnect lands first.
    let disconnecting =
        scene.spawn("disconnect", &behind, &go, json!({ "name": "disconnect", "id": id }));
    let report = disconnecting.finish();
    assert_eq!(report["revoked"], true, "{report}");
    server.release();
    let outcome = refreshing.finish();
    assert_eq!(outcome["error"], "connection.disconnected", "{outcome}");

    let fresh = server.state().grants[1].access.clone();
    let revoked = server.state().revoked.clone();
    assert!(revoked.contains(&first), "the disconnect revoked the stored token: {revoked:?}");
    assert!(revoked.contains(&fresh), "the refresh revoked what it got: {revoked:?}");
    assert_gone(&scene, &behind, &server, &id);
}

#[test]
fn a_disconnect_waiting_on_another_process_refresh_revokes_what_it_stored() {
    let server = TokenServer::start();
    let scene = Scene::new("disconnect-after-refresh");
    let clock = scene.clock("shared", 0);
    let id = connect(&scene, &clock, &server);
    set_clock(&clock, 7200);

    // Both see the token expired: the disconnect waits on the refresh's lease.
    server.set_refresh(Refresh::Hold);
    let go = scene.path("go");
    fs::write(&go, b"").expect("signal");
    let refreshing =
        scene.spawn("refresh", &clock, &go, json!({ "name": "access-token", "id": id }));
    assert!(eventually(|| server.state().waiting == 1), "the refresh never arrived");
    let disconnecting =
        scene.spawn("disconnect", &clock, &go, json!({ "name": "disconnect", "id": id }));
    assert!(eventually(|| disconnecting.slept()), "the disconnect did not wait on the lease");
    server.release();

    let token = refreshing.finish();
    let report = disconnecting.finish();
    let state = server.state();
    assert_eq!(state.refresh_requests, 1, "the disconnect did not refresh again");
    let fresh = state.grants[1].access.clone();
    drop(state);
    assert_eq!(token["token"], fresh.as_str(), "{token}");
    assert_eq!(report["revoked"], true, "{report}");
    assert!(server.state().revoked.contains(&fresh), "the disconnect revoked the new token");
    assert_gone(&scene, &clock, &server, &id);
}

#[test]
fn a_refresh_whose_process_was_killed_is_taken_over_once_its_lease_has_run_out() {
    let server = TokenServer::start();
    let scene = Scene::new("killed-holder");
    let clock = scene.clock("shared", 0);
    let id = connect(&scene, &clock, &server);
    set_clock(&clock, 7200);

    // The first process takes the lease; its request never comes back.
    server.set_refresh(Refresh::Swallow);
    let go = scene.path("go");
    fs::write(&go, b"").expect("signal");
    let holder = scene.spawn("holder", &clock, &go, json!({ "name": "access-token", "id": id }));
    assert!(eventually(|| server.state().waiting == 1), "the holder's refresh never arrived");
    let waiting = scene.spawn("survivor", &clock, &go, json!({ "name": "access-token", "id": id }));
    let waits = eventually(|| waiting.slept() || server.state().refresh_requests > 1);
    assert!(waits && server.state().refresh_requests == 1, "the survivor ignored the lease");

    // The holder dies mid-request. Its lease still holds: nobody refreshes meanwhile.
    holder.kill();
    server.release();
    thread::sleep(Duration::from_millis(2500));
    assert_eq!(server.state().refresh_requests, 1, "taken over before the lease ran out");

    // Once the lease has run out, the survivor takes over and refreshes.
    set_clock(&clock, 7200 + LEASE_SECONDS + 1);
    let outcome = waiting.finish();
    let state = server.state();
    assert_eq!(state.refresh_requests, 2, "{outcome}");
    assert_eq!(state.invalid_grants, 0, "the dead holder's refresh token was never spent");
    let fresh = state.grants[1].access.clone();
    drop(state);
    assert_eq!(outcome["token"], fresh.as_str(), "{outcome}");
    let mut later = scene.instance(&clock);
    assert_eq!(later.access_token(&id).unwrap().expect("a token"), fresh, "it was stored");
    assert_eq!(server.state().refresh_requests, 2);
}
