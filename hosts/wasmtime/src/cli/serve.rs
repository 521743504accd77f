//! `forgelink-host serve`: reads its options and runs the webhook endpoint of
//! `forgelink_host::serve` until SIGTERM or SIGINT.

use std::io::Write;
use std::sync::Arc;

use forgelink_host::environment::EncryptionKey;
use forgelink_host::http::{HttpClient, HttpConfig};
use forgelink_host::serve::{Endpoint, Handover, ServeConfig, ServeError, Shutdown};
use forgelink_host::storage::{Storage, StorageUrl};
use forgelink_host::{HostState, Runtime};

use crate::{byte_count, http_option, open_storage, usage, Args, Failure, Options};

/// A positive whole number for `option`.
fn positive<T: std::str::FromStr + PartialOrd + Default>(
    option: &str,
    text: &str,
) -> Result<T, Failure> {
    text.trim()
        .parse::<T>()
        .ok()
        .filter(|value| *value > T::default())
        .ok_or_else(|| usage(format!("{option} takes a positive whole number, not {text:?}")))
}

/// Checks the forward URL before listening, so that a typo stops the command instead of
/// releasing every delivery.
fn forward_url(text: String) -> Result<String, Failure> {
    let scheme_ok = ["http://", "https://"]
        .iter()
        .any(|scheme| text.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)));
    let parsed = text.parse::<ureq::http::Uri>().is_ok_and(|uri| uri.host().is_some());
    if scheme_ok && parsed {
        Ok(text)
    } else {
        Err(usage("--forward takes an http:// or https:// URL"))
    }
}

/// The key the store was sealed with. Unlike the commands that connect for a moment, `serve`
/// reads what other processes stored, so a random key would make every hook unreadable.
fn key(options: &Options) -> Result<EncryptionKey, Failure> {
    let configured = match &options.key_file {
        Some(path) => Some(EncryptionKey::from_file(path)),
        None => EncryptionKey::from_environment(),
    };
    match configured {
        Some(key) => key.map_err(|error| usage(error.to_string())),
        None => Err(usage(
            "serve needs the key the store is sealed with: --key-file PATH, or 64 hexadecimal \
             characters in FORGELINK_ENCRYPTION_KEY",
        )),
    }
}

/// Runs `serve`.
pub fn run(runtime: &Runtime, options: &mut Options, args: &mut Args) -> Result<(), Failure> {
    let mut listen = None;
    let mut forward = None;
    let mut config = ServeConfig { stop_on_signals: true, ..ServeConfig::default() };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = Some(args.value(&arg)?),
            "--storage" => {
                let url = args.value(&arg)?;
                let url = StorageUrl::parse(&url)
                    .map_err(|error| usage(format!("--storage: {error}")))?;
                options.storage = Some(url);
            }
            "--store" => options.storage = Some(StorageUrl::File(args.value(&arg)?.into())),
            "--forward" => forward = Some(forward_url(args.value(&arg)?)?),
            "--workers" => config.workers = positive(&arg, &args.value(&arg)?)?,
            "--max-body-bytes" => config.max_body_bytes = byte_count(&arg, &args.value(&arg)?)?,
            "--handling-seconds" => {
                config.receive.handling_seconds = Some(positive(&arg, &args.value(&arg)?)?);
            }
            "--dedupe-seconds" => {
                config.receive.dedupe_seconds = Some(positive(&arg, &args.value(&arg)?)?);
            }
            "--allow-unsigned-ping" => config.receive.allow_unsigned_ping = true,
            _ if http_option(&arg, args, &mut options.http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for serve"))),
        }
    }
    let listen = listen.ok_or_else(|| usage("serve needs --listen HOST:PORT"))?;
    let url = options.storage.as_ref().ok_or_else(|| {
        usage("serve needs --storage URL (or --store DIR): the store its hooks were registered in")
    })?;
    let key = key(options)?;
    let store: Arc<dyn Storage> = Arc::from(open_storage(url)?);
    let http = HttpClient::new(&options.http).map_err(usage)?;
    if let Some(url) = forward {
        // The operator names the forward target, often a service on the private network, as
        // with a proxy: the address policy that keeps typed base URLs off those networks does
        // not apply. Plain http beyond this machine still needs --allow-insecure-http.
        let config_for_forward =
            HttpConfig { allow_private_networks: true, ..options.http.clone() };
        let client = HttpClient::new(&config_for_forward).map_err(usage)?;
        config.handover = Handover::Forward { url, client };
    }
    let host = move || {
        HostState::new(http.clone(), None)
            .with_storage(Arc::clone(&store))
            .with_encryption_key(key.clone())
    };
    let endpoint = Endpoint::bind(listen.as_str(), runtime, host, config).map_err(|error| {
        Failure::Host(match error {
            ServeError::Listen(error) => format!("cannot listen on {listen}: {error}"),
            other => other.to_string(),
        })
    })?;
    // The first line on stderr, exactly: scripts wait for it and read the port from it.
    let _ = writeln!(std::io::stderr(), "listening on http://{}", endpoint.local_addr());
    endpoint.run(&Shutdown::new()).map_err(|error| Failure::Host(error.to_string()))?;
    let _ = writeln!(std::io::stderr(), "forgelink-host: stopped");
    Ok(())
}
