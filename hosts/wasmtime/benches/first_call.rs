//! `make bench`'s start-up row for the component: in a fresh process whose compile cache is
//! already warm, the time from reading `dist/forgelink.wasm` to the answer of a first call
//! (`validate-base-url`), as a plugin host that starts a process per job pays it. Prints one
//! JSON line; `benches/run.mjs` runs it in several processes and takes the median.
//!
//! ```text
//! cargo bench --manifest-path hosts/wasmtime/Cargo.toml --bench first_call -- CACHE_DIR
//! ```

use std::path::Path;
use std::time::Instant;

use forgelink_host::http::{HttpClient, HttpConfig};
use forgelink_host::{wit, HostState, Runtime};

fn main() -> Result<(), String> {
    let cache = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: first_call CACHE_DIR")?;
    let component = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/forgelink.wasm");
    let http = HttpClient::new(&HttpConfig::default())?;
    let start = Instant::now();
    let runtime = Runtime::load(&component, Some(Path::new(&cache))).map_err(|e| e.to_string())?;
    let loaded = start.elapsed();
    let mut plugin = runtime.instantiate(HostState::new(http, None)).map_err(|e| e.to_string())?;
    let instantiated = start.elapsed();
    let report = plugin
        .validate_base_url(wit::Provider::Gitlab, "https://gitlab.example.com/gitlab/")
        .map_err(|e| e.to_string())?;
    let answered = start.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "{{\"loadMs\":{},\"instantiateMs\":{},\"firstCallMs\":{},\"checksum\":{}}}",
        ms(loaded),
        ms(instantiated - loaded),
        ms(answered - instantiated),
        usize::from(report.ok)
    );
    Ok(())
}
