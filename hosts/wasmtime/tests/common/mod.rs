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
/// loopback traffic) and quick to give up.
pub fn test_http_config() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        proxy: ProxySetting::Direct,
        ..HttpConfig::default()
    }
}

pub fn plugin() -> Plugin {
    let http = HttpClient::new(&test_http_config()).expect("the test HTTP configuration is valid");
    runtime().instantiate(HostState::new(http, None)).expect("the component instantiates")
}
