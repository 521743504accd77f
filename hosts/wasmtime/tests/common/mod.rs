//! What every test binary shares: one compiled component per process.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use forgelink_host::http::{HttpClient, HttpConfig, ProxySetting};
use forgelink_host::{HostState, Plugin, Runtime};

/// The component `make component` builds.
pub fn component_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist/forgelink.wasm")
}

/// Compiled code shared by the test binaries of one build, so only the first compiles.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache")
}

pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let path = component_path();
        match Runtime::load(&path, Some(&cache_dir())) {
            Ok(runtime) => runtime,
            Err(error) => panic!("{error}; run `make component` first"),
        }
    })
}

/// An HTTP configuration for tests: direct (a proxy from the environment must not see
/// loopback traffic), quick to give up, and opted in to loopback, where the tests' servers
/// listen; `tests/http.rs` checks the default that refuses it.
pub fn test_http_config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        allow_private_networks: true,
        proxy: ProxySetting::Direct,
        ..HttpConfig::default()
    }
}

pub fn plugin() -> Plugin {
    let http = HttpClient::new(&test_http_config()).expect("the test HTTP configuration is valid");
    runtime().instantiate(HostState::new(http, None)).expect("the component instantiates")
}

pub mod core;
pub mod faces;
pub mod fake_gitlab;
/// The core tests' fake forges, in memory: the one fake GitLab and GitHub of the Rust tests.
#[path = "../../../../tests/support/forges.rs"]
pub mod forges;
/// The one set of random inputs, shared with the core's property tests and the fuzz targets.
#[path = "../../../../tests/support/inputs.rs"]
pub mod inputs;
pub mod native;
pub mod oauth_server;
pub mod servers;
pub mod token_server;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use forgelink_host::environment::{Clock, EncryptionKey, SystemClock};

/// The key every test instance seals with.
pub fn test_key() -> EncryptionKey {
    EncryptionKey::from_bytes(&[0x5a; 32]).expect("32 bytes")
}

/// The system clock moved by an offset the test controls: tokens expire and leases run out
/// when the test says, while sleeps still take real time so that instances on other threads
/// make progress meanwhile.
#[derive(Default)]
pub struct ShiftedClock {
    offset: AtomicI64,
    sleeps: AtomicU64,
}

impl ShiftedClock {
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }

    /// How many times an instance waited.
    pub fn sleeps(&self) -> u64 {
        self.sleeps.load(Ordering::SeqCst)
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> i64 {
        SystemClock.now() + self.offset.load(Ordering::SeqCst)
    }

    fn sleep(&self, duration: Duration) {
        self.sleeps.fetch_add(1, Ordering::SeqCst);
        SystemClock.sleep(duration);
    }
}

/// A clock that only moves when slept on, for single-threaded tests that must not wait.
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn at(unix_seconds: i64) -> Arc<Self> {
        Arc::new(ManualClock { millis: AtomicI64::new(unix_seconds.saturating_mul(1000)) })
    }

    pub fn advance(&self, seconds: i64) {
        self.millis.fetch_add(seconds.saturating_mul(1000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.millis.load(Ordering::SeqCst).div_euclid(1000)
    }

    fn sleep(&self, duration: Duration) {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

/// A request printed as JSON, with a JSON body parsed: the body's key order depends on how
/// serde_json was built (this crate's tree turns on `preserve_order`, the component's does
/// not), its content does not.
pub fn comparable(mut request: serde_json::Value) -> serde_json::Value {
    let parsed = request["body"].as_str().and_then(|body| serde_json::from_str(body).ok());
    if let Some(body) = parsed {
        request["body"] = body;
    }
    request
}

/// Every file under `dir` and its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
        }
    }
    found
}
