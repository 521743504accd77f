//! `make bench`'s component row: verify plus parse of the corpus of signed deliveries that
//! `benches/run.mjs` writes, through `dist/forgelink.wasm` in wasmtime, each delivery crossing
//! into the component twice as a plugin host's calls would. Prints one JSON line.
//!
//! ```text
//! cargo bench --manifest-path hosts/wasmtime/Cargo.toml --bench webhooks -- CORPUS.json SECRET
//! ```

#[path = "../../../benches/support/measure.rs"]
mod measure;

use std::path::Path;

use forgelink_host::http::{HttpClient, HttpConfig};
use forgelink_host::{wit, HostState, Runtime};

fn main() -> Result<(), String> {
    let (path, secret) = measure::arguments()?;
    let deliveries = measure::corpus(&path)?;
    let component = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist/forgelink.wasm");
    let runtime = Runtime::load(&component, None).map_err(|e| e.to_string())?;
    let http = HttpClient::new(&HttpConfig::default())?;
    let mut plugin = runtime.instantiate(HostState::new(http, None)).map_err(|e| e.to_string())?;
    let secrets = [secret];
    let options = wit::VerifyOptions {
        now: None,
        tolerance_seconds: None,
        allow_unsigned: false,
        allow_sha1: false,
    };
    let mut kinds = 0usize;
    let rate = measure::passes_per_second(|| {
        for d in &deliveries {
            let verified = plugin.verify_webhook(&d.headers, &d.body, &secrets, options);
            verified.map_err(|e| e.to_string())?.map_err(|e| e.message)?;
            let event = plugin.parse_webhook(&d.headers, &d.body).map_err(|e| e.to_string())?;
            kinds += event.map_err(|e| e.message)?.event.len();
        }
        Ok(())
    })?;
    let verify = measure::passes_per_second(|| {
        for d in &deliveries {
            let verified = plugin.verify_webhook(&d.headers, &d.body, &secrets, options);
            verified.map_err(|e| e.to_string())?.map_err(|e| e.message)?;
        }
        Ok(())
    })?;
    let parse = measure::passes_per_second(|| {
        for d in &deliveries {
            let event = plugin.parse_webhook(&d.headers, &d.body).map_err(|e| e.to_string())?;
            kinds += event.map_err(|e| e.message)?.event.len();
        }
        Ok(())
    })?;
    println!(
        "{{\"passesPerSecond\":{rate},\"verifyPassesPerSecond\":{verify},\"parsePassesPerSecond\":{parse},\"checksum\":{kinds}}}"
    );
    Ok(())
}
