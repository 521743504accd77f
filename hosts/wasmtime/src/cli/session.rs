//! What the commands that connect share: the connection options, the key and the store a
//! connection lives in for the length of one command.

use std::path::PathBuf;

use std::sync::Arc;

use forgelink_host::environment::{EncryptionKey, KeyError};
use forgelink_host::http::{HttpClient, HttpConfig};
use forgelink_host::signer::{AppKey, AppKeys};
use forgelink_host::storage::FileStore;
use forgelink_host::{wit, HostState, Plugin, Runtime};

use super::tokens::secret;
use crate::{http_option, open_storage, parse_provider, usage, Args, Failure, Options};

/// `--provider P [--base-url U] --token-env VAR [--profile NAME] [--username NAME]`: an access
/// token connection, the token read from the environment. The HTTP options are read with them,
/// into the configuration the connection's client is built from.
#[derive(Default)]
pub struct ConnectionFlags {
    provider: Option<String>,
    base_url: Option<String>,
    token_env: Option<String>,
    profile: Option<String>,
    username: Option<String>,
}

impl ConnectionFlags {
    /// Reads `arg` (and its value) if it is one of these options or an HTTP option (into
    /// `http`); `false` otherwise.
    pub fn take(
        &mut self,
        arg: &str,
        args: &mut Args,
        http: &mut HttpConfig,
    ) -> Result<bool, Failure> {
        if http_option(arg, args, http)? {
            return Ok(true);
        }
        let slot = match arg {
            "--provider" => &mut self.provider,
            "--base-url" => &mut self.base_url,
            "--token-env" => &mut self.token_env,
            "--profile" => &mut self.profile,
            "--username" => &mut self.username,
            _ => return Ok(false),
        };
        *slot = Some(args.value(arg)?);
        Ok(true)
    }

    /// The provider, for commands that need it before connecting.
    pub fn provider(&self, command: &str) -> Result<wit::Provider, Failure> {
        let id =
            self.provider.as_deref().ok_or_else(|| usage(format!("{command} needs --provider")))?;
        parse_provider(id)
    }

    /// The request, with the token read from its environment variable.
    pub fn request(self, command: &str) -> Result<wit::ConnectWithTokenRequest, Failure> {
        let provider = self.provider(command)?;
        let variable =
            self.token_env.ok_or_else(|| usage(format!("{command} needs --token-env VAR")))?;
        Ok(wit::ConnectWithTokenRequest {
            provider,
            base_url: self.base_url,
            token: secret(&variable)?,
            username: self.username,
            profile: self.profile,
        })
    }
}

/// The configured key, or a fresh random one: what these commands store is deleted before
/// they end, so no later process needs to open it.
fn key(options: &Options) -> Result<EncryptionKey, Failure> {
    let configured = match &options.key_file {
        Some(path) => Some(EncryptionKey::from_file(path)),
        None => EncryptionKey::from_environment(),
    };
    match configured {
        Some(key) => key.map_err(|error| usage(error.to_string())),
        None => EncryptionKey::random().map_err(|error: KeyError| Failure::Host(error.to_string())),
    }
}

/// The GitHub App keys configured: `FORGELINK_GITHUB_APP_KEY` or `_FILE` for any app, then
/// each `--app-key [APP_ID=]PATH`, a later one replacing an earlier one for the same app.
/// None without any: the component then explains how to configure one when it must sign.
fn app_keys(options: &Options) -> Result<Option<AppKeys>, Failure> {
    let mut keys = AppKeys::new();
    if let Some(key) = AppKey::from_environment() {
        keys.insert(None, key.map_err(|error| usage(error.to_string()))?);
    }
    for spec in &options.app_keys {
        keys.insert_spec(spec).map_err(|error| usage(format!("--app-key: {error}")))?;
    }
    Ok((!keys.is_empty()).then_some(keys))
}

/// A directory of its own under the system's temporary directory, removed on drop.
pub struct TemporaryStore {
    dir: PathBuf,
}

impl TemporaryStore {
    fn create() -> Result<Self, Failure> {
        let failed = |error: std::io::Error| {
            Failure::Host(format!("cannot create a temporary store: {error}"))
        };
        let mut suffix = [0u8; 8];
        getrandom::getrandom(&mut suffix)
            .map_err(|error| Failure::Host(format!("the OS random source failed: {error}")))?;
        let suffix: String = suffix.iter().map(|byte| format!("{byte:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("forgelink-session-{suffix}"));
        // `create_dir`, not `create_dir_all`: a directory that already exists is not ours.
        std::fs::create_dir(&dir).map_err(failed)?;
        Ok(TemporaryStore { dir })
    }
}

impl Drop for TemporaryStore {
    fn drop(&mut self) {
        // Best effort: the records in it are sealed with a key that dies with this process.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An instance with the key, the GitHub App keys (if any) and a store (`--storage URL`, or a fresh temporary directory that
/// lives as long as the returned guard), put in `plugin_slot` so that usage errors can still
/// be explained with it.
pub fn instantiate<'a>(
    runtime: &Runtime,
    plugin_slot: &'a mut Option<Plugin>,
    options: &Options,
) -> Result<(&'a mut Plugin, Option<TemporaryStore>), Failure> {
    let key = key(options)?;
    let signer = app_keys(options)?;
    let http = HttpClient::new(&options.http).map_err(usage)?;
    let (state, temporary) = match &options.storage {
        Some(url) => (HostState::new(http, None).with_storage(open_storage(url)?), None),
        None => {
            let temporary = TemporaryStore::create()?;
            let store = FileStore::open(&temporary.dir)
                .map_err(|error| Failure::Host(format!("cannot open the store: {error}")))?;
            (HostState::new(http, Some(store)), Some(temporary))
        }
    };
    let mut state = state.with_encryption_key(key);
    if let Some(keys) = signer {
        state = state.with_signer(Arc::new(keys));
    }
    let plugin = plugin_slot.insert(runtime.instantiate(state)?);
    Ok((plugin, temporary))
}
