//! Loading the component once, instantiating it cheaply, and calling its exports.

use std::fmt;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use forgelink::{BuiltinHmac, HmacEngine};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};

use crate::bindings::{Plugin as Bindings, PluginPre};
use crate::environment::{Clock, EncryptionKey, SystemClock, MAX_SLEEP};
use crate::http::Fetch;
use crate::signer::Signer;
use crate::storage::{FileStore, Storage};
use crate::wit;

/// The most linear memory one instance may grow to. forgelink needs a few megabytes even for
/// megabyte-sized inputs; the cap keeps a misbehaving component from exhausting the host.
const MAX_MEMORY_BYTES: usize = 256 * 1024 * 1024;

/// The most random bytes one `get-random-bytes` call may ask for (forgelink asks for 64).
const MAX_RANDOM_BYTES: u64 = 1024 * 1024;

/// What went wrong in the host, as opposed to a forgelink error returned by an export.
#[derive(Debug)]
#[non_exhaustive]
pub enum HostError {
    /// The component file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// wasmtime rejected the component: not a component, or not one of the `plugin` world.
    Load(String),
    /// The component trapped. Its instance is unusable; instantiate a new [`Plugin`].
    Trap(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Read { path, error } => {
                write!(f, "cannot read the component {}: {error}", path.display())
            }
            HostError::Load(message) => write!(f, "cannot load the component: {message}"),
            HostError::Trap(message) => write!(f, "the component trapped: {message}"),
        }
    }
}

impl std::error::Error for HostError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HostError::Read { error, .. } => Some(error),
            HostError::Load(_) | HostError::Trap(_) => None,
        }
    }
}

fn load_error(error: wasmtime::Error) -> HostError {
    HostError::Load(format!("{error:?}"))
}

fn trap(error: wasmtime::Error) -> HostError {
    HostError::Trap(format!("{error:?}"))
}

/// Why the `encryption-key` import fails when no key was configured; the component returns it
/// as the `provider-detail` of an `input.invalid` error.
const NO_KEY: &str = "this host has no encryption key: configure 32 bytes (forgelink-host: --key-file PATH, or FORGELINK_ENCRYPTION_KEY with 64 hexadecimal characters; as a library: HostState::with_encryption_key)";

/// What one instance can reach: HTTP, storage (if any), the clock, the encryption key (if any),
/// a signer for GitHub Apps (if any) and the OS random source.
pub struct HostState {
    http: Box<dyn Fetch>,
    storage: Option<Box<dyn Storage>>,
    clock: Arc<dyn Clock>,
    key: Option<EncryptionKey>,
    signer: Option<Arc<dyn Signer>>,
    hmac: Arc<dyn HmacEngine + Send + Sync>,
    limits: StoreLimits,
}

impl HostState {
    /// A host with `http` and, if given, the file-backed `storage`, on the system clock and
    /// without an encryption key. Without a store, the component's storage calls fail with an
    /// error it can report; without a key, the flows fail with `input.invalid`.
    pub fn new(http: impl Fetch + 'static, storage: Option<FileStore>) -> Self {
        HostState {
            http: Box::new(http),
            storage: storage.map(|store| Box::new(store) as Box<dyn Storage>),
            clock: Arc::new(SystemClock),
            key: None,
            signer: None,
            hmac: Arc::new(BuiltinHmac),
            limits: StoreLimitsBuilder::new().memory_size(MAX_MEMORY_BYTES).build(),
        }
    }

    /// Backs the `storage` import with `storage` instead.
    pub fn with_storage(mut self, storage: impl Storage + 'static) -> Self {
        self.storage = Some(Box::new(storage));
        self
    }

    /// Seals what the flows store with `key`. Every instance sharing a storage needs the same.
    pub fn with_encryption_key(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Signs GitHub App JWTs with `signer` (such as [`crate::signer::AppKeys`]). Without one,
    /// every flow that acts as an app fails with `host.sign_failed`, explaining how to
    /// configure a key.
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Computes the webhook HMACs the component asks for with `engine` (a crypto library the
    /// product already trusts, say) instead of forgelink's own, native here. The component still
    /// decides what is signed and compares in constant time: an engine that answers `None`
    /// leaves the work to the component's built-in one, and one that answers a wrong MAC makes
    /// deliveries fail to verify, never pass.
    pub fn with_hmac(mut self, engine: Arc<dyn HmacEngine + Send + Sync>) -> Self {
        self.hmac = engine;
        self
    }

    /// Takes `now` and `sleep` from `clock` instead of the system's. The storage judges the
    /// expiry of what it holds by the same clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The store behind the `storage` import, if one was configured.
    pub fn storage(&self) -> Option<&dyn Storage> {
        self.storage.as_deref()
    }

    fn store(&self) -> Result<&dyn Storage, String> {
        self.storage().ok_or_else(|| "this host was started without a store".to_owned())
    }
}

impl crate::bindings::forgelink::connect::http::Host for HostState {
    fn fetch(&mut self, req: wit::Request) -> Result<wit::Response, wit::FetchError> {
        self.http.fetch(req)
    }
}

/// The storage import: expiry is judged by the clock `environment.now` answers with, so that
/// the store and the flows agree on whether a claim, lease or pending authorization is over.
impl crate::bindings::forgelink::connect::storage::Host for HostState {
    fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, String> {
        let now = self.clock.now();
        self.store()?.get(&key, now).map_err(|error| error.to_string())
    }

    fn set(&mut self, key: String, value: Vec<u8>, ttl_seconds: Option<u64>) -> Result<(), String> {
        let now = self.clock.now();
        self.store()?.set(&key, &value, ttl_seconds, now).map_err(|error| error.to_string())
    }

    fn delete(&mut self, key: String) -> Result<(), String> {
        self.store()?.delete(&key).map_err(|error| error.to_string())
    }

    fn compare_and_swap(
        &mut self,
        key: String,
        old: Option<Vec<u8>>,
        new: Vec<u8>,
        ttl_seconds: Option<u64>,
    ) -> Result<bool, String> {
        let now = self.clock.now();
        self.store()?
            .compare_and_swap(&key, old.as_deref(), &new, ttl_seconds, now)
            .map_err(|error| error.to_string())
    }
}

impl crate::bindings::forgelink::connect::environment::Host for HostState {
    fn now(&mut self) -> i64 {
        self.clock.now()
    }

    fn sleep(&mut self, millis: u32) {
        self.clock.sleep(Duration::from_millis(u64::from(millis)).min(MAX_SLEEP));
    }

    fn encryption_key(&mut self) -> Result<Vec<u8>, String> {
        self.key.as_ref().map(|key| key.as_bytes().to_vec()).ok_or_else(|| NO_KEY.to_owned())
    }
}

/// The signer import: the key stays here, the component gets the signature.
impl crate::bindings::forgelink::connect::signer::Host for HostState {
    fn sign(
        &mut self,
        algorithm: wit::SignAlgorithm,
        app_id: String,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        match &self.signer {
            Some(signer) => signer.sign(algorithm, &app_id, &data),
            None => Err(format!(
                "this host has no private key for GitHub App {app_id}: {}",
                crate::signer::CONFIGURE
            )),
        }
    }
}

/// The hmac import: natively (by default forgelink's own engine, where SHA-256 runs on the CPU's
/// SHA extensions when it has them), several times faster than inside the component.
impl crate::bindings::forgelink::connect::hmac::Host for HostState {
    fn compute(
        &mut self,
        algorithm: wit::HmacAlgorithm,
        key: Vec<u8>,
        message: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let algorithm = match algorithm {
            wit::HmacAlgorithm::Sha256 => forgelink::HmacAlgorithm::Sha256,
            wit::HmacAlgorithm::Sha1 => forgelink::HmacAlgorithm::Sha1,
        };
        self.hmac.hmac(algorithm, &key, &[&message])
    }
}

impl crate::bindings::wasi::random::random::Host for HostState {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_BYTES {
            wasmtime::bail!("get-random-bytes asked for {len} bytes, more than the host's limit of {MAX_RANDOM_BYTES}");
        }
        let mut bytes = vec![0; usize::try_from(len)?];
        // A trap, not fewer or weaker bytes: the guest cannot tell predictable bytes from good
        // ones, and an OAuth state built from them would be guessable.
        getrandom::getrandom(&mut bytes)
            .map_err(|error| wasmtime::format_err!("the OS random source failed: {error}"))?;
        Ok(bytes)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut bytes = [0; 8];
        getrandom::getrandom(&mut bytes)
            .map_err(|error| wasmtime::format_err!("the OS random source failed: {error}"))?;
        Ok(u64::from_le_bytes(bytes))
    }
}

/// The compiled component, ready to instantiate. Build it once per process: compiling takes
/// seconds, instantiating takes microseconds.
pub struct Runtime {
    engine: Engine,
    component: Component,
    pre: PluginPre<HostState>,
}

impl Runtime {
    /// Reads and compiles the component at `path`. With `cache_dir`, the compiled code is kept
    /// there, keyed by the component's SHA-256 and the engine's settings, and reused by later
    /// processes. Compiled code is loaded without verification, so `cache_dir` must be writable
    /// only by the user running the host.
    ///
    /// A component file that has not changed for a few seconds is also remembered by its
    /// identity (see [`FileIdentity`]): a later process finds its compiled code from one `stat`,
    /// without reading or hashing the file, which is most of a warm start's time.
    pub fn load(path: &Path, cache_dir: Option<&Path>) -> Result<Self, HostError> {
        let read =
            || fs::read(path).map_err(|error| HostError::Read { path: path.to_owned(), error });
        let Some(dir) = cache_dir else {
            return Self::from_bytes(&read()?, None);
        };
        let engine = new_engine()?;
        let identity = FileIdentity::of(path);
        if let Some(identity) = &identity {
            let known = dir.join(identity.cache_name(&engine));
            // SAFETY: as in `compile_cached`: a hard link to a file only `write_cache` wrote.
            if let Ok(component) = unsafe { Component::deserialize_file(&engine, &known) } {
                return Self::with_component(engine, component);
            }
        }
        let wasm = read()?;
        let (component, cached) = compile_cached(&engine, &wasm, dir)?;
        if let (Some(identity), Some(cached)) = (identity, cached) {
            // Only a file that was the same before and after the read, and whose times are far
            // enough in the past that a later write cannot carry the same ones, is remembered.
            if identity.settled() && FileIdentity::of(path).as_ref() == Some(&identity) {
                // A link that cannot be made only costs the next process a read and a hash.
                let _ = fs::hard_link(&cached, dir.join(identity.cache_name(&engine)));
            }
        }
        Self::with_component(engine, component)
    }

    /// Compiles the component in `wasm`; see [`Runtime::load`] for `cache_dir`.
    pub fn from_bytes(wasm: &[u8], cache_dir: Option<&Path>) -> Result<Self, HostError> {
        let engine = new_engine()?;
        let component = match cache_dir {
            Some(dir) => compile_cached(&engine, wasm, dir)?.0,
            None => Component::new(&engine, wasm).map_err(load_error)?,
        };
        Self::with_component(engine, component)
    }

    fn with_component(engine: Engine, component: Component) -> Result<Self, HostError> {
        let mut linker = Linker::<HostState>::new(&engine);
        Bindings::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)
            .map_err(load_error)?;
        let pre =
            linker.instantiate_pre(&component).and_then(PluginPre::new).map_err(load_error)?;
        Ok(Runtime { engine, component, pre })
    }

    /// The names of the interfaces the component imports, such as
    /// `wasi:random/random@0.2.12`.
    pub fn imports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(&self.engine).map(|(name, _)| name.to_owned()).collect()
    }

    /// The names of the interfaces the component exports.
    pub fn exports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(&self.engine).map(|(name, _)| name.to_owned()).collect()
    }

    /// A fresh instance with its own memory, bound to `host`.
    pub fn instantiate(&self, host: HostState) -> Result<Plugin, HostError> {
        let mut store = Store::new(&self.engine, host);
        store.limiter(|state| &mut state.limits);
        let bindings = self.pre.instantiate(&mut store).map_err(load_error)?;
        Ok(Plugin { store, bindings })
    }
}

fn new_engine() -> Result<Engine, HostError> {
    Engine::new(&Config::new()).map_err(load_error)
}

/// What compiled code depends on besides the component: wasmtime's version and settings.
fn engine_settings(engine: &Engine) -> u64 {
    let mut settings = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    settings.finish()
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The component compiled, from the cache when it holds it, and the cache file that holds it
/// now (`None` when it could not be written).
fn compile_cached(
    engine: &Engine,
    wasm: &[u8],
    dir: &Path,
) -> Result<(Component, Option<PathBuf>), HostError> {
    let mut key = Sha256::new();
    key.update(wasm);
    key.update(engine_settings(engine).to_le_bytes());
    let path = dir.join(format!("forgelink-{}.cwasm", hex(&key.finalize())));

    if path.is_file() {
        // SAFETY: `Component::deserialize_file` trusts its input to be wasmtime's own output.
        // Only `write_cache` below writes these files, under a name derived from the component
        // and from this engine's settings, and wasmtime checks the header (version, settings)
        // before using one. The cache directory must be writable by nobody but the user who
        // runs the host, like the host binary itself; `Runtime::load` says so.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok((component, Some(path)));
        }
    }
    let component = Component::new(engine, wasm).map_err(load_error)?;
    // A cache that cannot be written only costs the next process a compile.
    let written = component.serialize().ok().and_then(|bytes| write_cache(dir, &path, &bytes).ok());
    Ok((component, written.map(|()| path)))
}

fn write_cache(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".tmp-{}-{unique}", std::process::id()));
    fs::write(&temp, bytes)?;
    // Rename so that a concurrent process never deserialises a half-written file.
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// A file as `stat` sees it: which file (device and inode) and when it last changed (length,
/// modification and status-change times). Writing a file changes its status-change time, and
/// nothing short of the system clock sets that time back, so a file rewritten in place, even
/// with its modification time restored, no longer matches. Filesystems that keep times
/// coarsely could give a rewrite within the same tick the same times; [`FileIdentity::settled`]
/// keeps such a file from being remembered until that tick is over.
#[derive(Debug, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
    length: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

/// How far in the past a file's times must be before it is remembered: more than the two
/// seconds of the coarsest common filesystem (FAT).
const SETTLED: Duration = Duration::from_secs(3);

impl FileIdentity {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(FileIdentity {
            device: meta.dev(),
            inode: meta.ino(),
            length: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }

    /// Elsewhere files are only known by their content.
    #[cfg(not(unix))]
    fn of(_path: &Path) -> Option<Self> {
        None
    }

    fn settled(&self) -> bool {
        let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
            return false;
        };
        let horizon = now.saturating_sub(SETTLED);
        let before = |(seconds, nanos): (i64, i64)| {
            u64::try_from(seconds).is_ok_and(|seconds| {
                Duration::new(seconds, u32::try_from(nanos).unwrap_or(0)) < horizon
            })
        };
        before(self.modified) && before(self.changed)
    }

    /// The cache file this identity's compiled code is linked to, for this engine.
    fn cache_name(&self, engine: &Engine) -> String {
        let mut key = Sha256::new();
        for field in [self.device, self.inode, self.length, engine_settings(engine)] {
            key.update(field.to_le_bytes());
        }
        for (seconds, nanos) in [self.modified, self.changed] {
            key.update(seconds.to_le_bytes());
            key.update(nanos.to_le_bytes());
        }
        format!("forgelink-file-{}.cwasm", hex(&key.finalize()))
    }
}

/// One instance of the component. Each export returns `Err(HostError::Trap)` if the component
/// trapped (it never should: that is a bug), and otherwise forgelink's own result.
pub struct Plugin {
    store: Store<HostState>,
    bindings: Bindings,
}

type Outcome<T> = Result<T, HostError>;

impl Plugin {
    /// The host state, for tests and for hosts that inspect what the component did.
    pub fn host(&self) -> &HostState {
        self.store.data()
    }

    /// `validate-base-url`.
    pub fn validate_base_url(
        &mut self,
        provider: wit::Provider,
        input: &str,
    ) -> Outcome<wit::BaseUrlReport> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_validate_base_url(&mut self.store, provider, input).map_err(trap)
    }

    /// `endpoints`.
    pub fn endpoints(
        &mut self,
        provider: wit::Provider,
        base_url: Option<&str>,
    ) -> Outcome<Result<wit::ProviderEndpoints, wit::Error>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_endpoints(&mut self.store, provider, base_url).map_err(trap)
    }

    /// `settings-pages`.
    pub fn settings_pages(
        &mut self,
        provider: wit::Provider,
        base_url: Option<&str>,
    ) -> Outcome<Result<wit::ProviderSettingsPages, wit::Error>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_settings_pages(&mut self.store, provider, base_url).map_err(trap)
    }

    /// `validate-redirect-uri`.
    pub fn validate_redirect_uri(
        &mut self,
        provider: wit::Provider,
        registered: &str,
        requested: &str,
    ) -> Outcome<Vec<wit::Diagnostic>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest
            .call_validate_redirect_uri(&mut self.store, provider, registered, requested)
            .map_err(trap)
    }

    /// `scope-catalog`.
    pub fn scope_catalog(&mut self, provider: wit::Provider) -> Outcome<Vec<wit::ScopeInfo>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_scope_catalog(&mut self.store, provider).map_err(trap)
    }

    /// `check-scopes`.
    pub fn check_scopes(
        &mut self,
        provider: wit::Provider,
        granted: &str,
        required: &[String],
    ) -> Outcome<Result<wit::ScopeCheck, wit::Error>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_check_scopes(&mut self.store, provider, granted, required).map_err(trap)
    }

    /// `profiles`.
    pub fn profiles(&mut self) -> Outcome<Vec<wit::Profile>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_profiles(&mut self.store).map_err(trap)
    }

    /// `authorization-url`.
    pub fn authorization_url(
        &mut self,
        request: &wit::AuthorizationRequest,
    ) -> Outcome<Result<wit::Authorization, wit::Error>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_authorization_url(&mut self.store, request).map_err(trap)
    }

    /// `parse-callback`.
    pub fn parse_callback(
        &mut self,
        callback_url: &str,
        expected_state: &str,
    ) -> Outcome<Result<wit::Callback, wit::Error>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_parse_callback(&mut self.store, callback_url, expected_state).map_err(trap)
    }

    /// `troubleshoot`.
    pub fn troubleshoot(
        &mut self,
        code: &str,
        provider: Option<wit::Provider>,
    ) -> Outcome<Result<wit::Guidance, wit::Error>> {
        let code: wit::Code = code.to_owned();
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_troubleshoot(&mut self.store, &code, provider).map_err(trap)
    }

    /// `error-codes`.
    pub fn error_codes(&mut self) -> Outcome<Vec<String>> {
        let guest = self.bindings.forgelink_connect_provider();
        guest.call_error_codes(&mut self.store).map_err(trap)
    }

    /// `tokens.prepare-token-exchange`.
    pub fn prepare_token_exchange(
        &mut self,
        client: &wit::OauthClient,
        code: &str,
        code_verifier: Option<&str>,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest
            .call_prepare_token_exchange(&mut self.store, client, code, code_verifier)
            .map_err(trap)
    }

    /// `tokens.prepare-refresh`.
    pub fn prepare_refresh(
        &mut self,
        client: &wit::OauthClient,
        refresh_token: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_prepare_refresh(&mut self.store, client, refresh_token).map_err(trap)
    }

    /// `tokens.prepare-revoke`.
    pub fn prepare_revoke(
        &mut self,
        client: &wit::OauthClient,
        token: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_prepare_revoke(&mut self.store, client, token).map_err(trap)
    }

    /// `tokens.prepare-device-authorization`.
    pub fn prepare_device_authorization(
        &mut self,
        client: &wit::OauthClient,
        scopes: &[String],
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_prepare_device_authorization(&mut self.store, client, scopes).map_err(trap)
    }

    /// `tokens.prepare-device-poll`.
    pub fn prepare_device_poll(
        &mut self,
        client: &wit::OauthClient,
        device_code: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_prepare_device_poll(&mut self.store, client, device_code).map_err(trap)
    }

    /// `tokens.parse-device-authorization`; `now` in Unix seconds.
    pub fn parse_device_authorization(
        &mut self,
        provider: wit::Provider,
        response: &wit::Response,
        now: i64,
    ) -> Outcome<Result<wit::DeviceAuthorization, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest
            .call_parse_device_authorization(&mut self.store, provider, response, now)
            .map_err(trap)
    }

    /// `tokens.parse-token-response`; `now` in Unix seconds.
    pub fn parse_token_response(
        &mut self,
        provider: wit::Provider,
        response: &wit::Response,
        now: i64,
    ) -> Outcome<Result<wit::TokenSet, wit::Error>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_parse_token_response(&mut self.store, provider, response, now).map_err(trap)
    }

    /// `tokens.token-prefixes`.
    pub fn token_prefixes(&mut self, provider: wit::Provider) -> Outcome<Vec<wit::TokenPrefix>> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_token_prefixes(&mut self.store, provider).map_err(trap)
    }

    /// `tokens.detect-token`.
    pub fn detect_token(&mut self, token: &str) -> Outcome<wit::TokenInfo> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_detect_token(&mut self.store, token).map_err(trap)
    }

    /// `tokens.detect-token-with-prefix`: `custom_prefix` is the instance's own personal
    /// access token prefix.
    pub fn detect_token_with_prefix(
        &mut self,
        token: &str,
        custom_prefix: Option<&str>,
    ) -> Outcome<wit::TokenInfo> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_detect_token_with_prefix(&mut self.store, token, custom_prefix).map_err(trap)
    }

    /// `tokens.needs-refresh`; `now` and `skew_seconds` in seconds.
    pub fn needs_refresh(
        &mut self,
        tokens: &wit::TokenSet,
        now: i64,
        skew_seconds: i64,
    ) -> Outcome<bool> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_needs_refresh(&mut self.store, tokens, now, skew_seconds).map_err(trap)
    }

    /// `tokens.parse-api-error`.
    pub fn parse_api_error(
        &mut self,
        provider: wit::Provider,
        response: &wit::Response,
    ) -> Outcome<wit::ApiError> {
        let guest = self.bindings.forgelink_connect_tokens();
        guest.call_parse_api_error(&mut self.store, provider, response).map_err(trap)
    }

    /// `flows.connect-start`.
    pub fn connect_start(
        &mut self,
        request: &wit::ConnectStartRequest,
    ) -> Outcome<Result<wit::ConnectStarted, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_connect_start(&mut self.store, request).map_err(trap)
    }

    /// `flows.connect-finish`, in the browser session `session` (the value given to
    /// `connect-start`, if any).
    pub fn connect_finish(
        &mut self,
        callback_url: &str,
        session: Option<&str>,
    ) -> Outcome<Result<wit::Connection, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_connect_finish(&mut self.store, callback_url, session).map_err(trap)
    }

    /// `flows.connect-with-token`.
    pub fn connect_with_token(
        &mut self,
        request: &wit::ConnectWithTokenRequest,
    ) -> Outcome<Result<wit::Connection, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_connect_with_token(&mut self.store, request).map_err(trap)
    }

    /// `flows.replace-credentials`: a new token for connection `id`, in place.
    pub fn replace_credentials(
        &mut self,
        id: &str,
        request: &wit::ReplaceCredentialsRequest,
    ) -> Outcome<Result<wit::Connection, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_replace_credentials(&mut self.store, id, request).map_err(trap)
    }

    /// `flows.access-token`.
    pub fn access_token(&mut self, id: &str) -> Outcome<Result<String, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_access_token(&mut self.store, id).map_err(trap)
    }

    /// `flows.test-connection`.
    pub fn test_connection(
        &mut self,
        id: &str,
    ) -> Outcome<Result<wit::ConnectionReport, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_test_connection(&mut self.store, id).map_err(trap)
    }

    /// `flows.disconnect`.
    pub fn disconnect(&mut self, id: &str) -> Outcome<Result<wit::DisconnectReport, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_disconnect(&mut self.store, id).map_err(trap)
    }

    /// `flows.disconnect-with`: a GitHub App connection can uninstall the app.
    pub fn disconnect_with(
        &mut self,
        id: &str,
        options: wit::DisconnectOptions,
    ) -> Outcome<Result<wit::DisconnectReport, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_disconnect_with(&mut self.store, id, options).map_err(trap)
    }

    /// `flows.create-github-app`: the manifest's code, converted into the new app.
    pub fn create_github_app(
        &mut self,
        request: &wit::CreateGithubAppRequest,
    ) -> Outcome<Result<wit::GithubAppCredentials, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_create_github_app(&mut self.store, request).map_err(trap)
    }

    /// `flows.connect-github-app`: signs the app's JWTs through the host's signer.
    pub fn connect_github_app(
        &mut self,
        request: &wit::ConnectGithubAppRequest,
    ) -> Outcome<Result<wit::Connection, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_connect_github_app(&mut self.store, request).map_err(trap)
    }

    /// `flows.installation-token`: a narrowed token, minted for this call.
    pub fn installation_token(
        &mut self,
        id: &str,
        narrowing: &wit::TokenNarrowing,
    ) -> Outcome<Result<String, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_installation_token(&mut self.store, id, narrowing).map_err(trap)
    }

    /// `flows.register-github-app`.
    pub fn register_github_app(
        &mut self,
        request: &wit::RegisterGithubAppRequest,
    ) -> Outcome<Result<wit::AppWebhook, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_register_github_app(&mut self.store, request).map_err(trap)
    }

    /// `github-app.github-app-manifest`.
    pub fn github_app_manifest(
        &mut self,
        options: &wit::AppManifestOptions,
    ) -> Outcome<Result<wit::AppManifestForm, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_github_app_manifest(&mut self.store, options).map_err(trap)
    }

    /// `github-app.github-app-install-url`.
    pub fn github_app_install_url(
        &mut self,
        slug: &str,
        state: Option<&str>,
        base_url: Option<&str>,
    ) -> Outcome<Result<String, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_github_app_install_url(&mut self.store, slug, state, base_url).map_err(trap)
    }

    /// `github-app.parse-github-app-setup`.
    pub fn parse_github_app_setup(
        &mut self,
        callback: &str,
    ) -> Outcome<Result<wit::AppSetup, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_parse_github_app_setup(&mut self.store, callback).map_err(trap)
    }

    /// `github-app.github-app-needs`.
    pub fn github_app_needs(
        &mut self,
        profile: &str,
    ) -> Outcome<Result<wit::AppNeeds, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_github_app_needs(&mut self.store, profile).map_err(trap)
    }

    /// `github-app.github-app-permissions`.
    pub fn github_app_permissions(&mut self) -> Outcome<Vec<wit::AppPermission>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_github_app_permissions(&mut self.store).map_err(trap)
    }

    /// `github-app.missing-permissions`.
    pub fn missing_permissions(
        &mut self,
        granted: &[(String, String)],
        profile: &str,
    ) -> Outcome<Result<Vec<String>, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_missing_permissions(&mut self.store, granted, profile).map_err(trap)
    }

    /// `github-app.prepare-manifest-conversion`.
    pub fn prepare_manifest_conversion(
        &mut self,
        base_url: Option<&str>,
        code: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_prepare_manifest_conversion(&mut self.store, base_url, code).map_err(trap)
    }

    /// `github-app.parse-manifest-conversion`.
    pub fn parse_manifest_conversion(
        &mut self,
        base_url: Option<&str>,
        response: &wit::Response,
    ) -> Outcome<Result<wit::GithubAppCredentials, wit::Error>> {
        let guest = self.bindings.forgelink_connect_github_app();
        guest.call_parse_manifest_conversion(&mut self.store, base_url, response).map_err(trap)
    }

    /// `webhooks.identify-webhook`.
    pub fn identify_webhook(
        &mut self,
        headers: &[(String, String)],
    ) -> Outcome<Result<wit::WebhookIdentity, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_identify_webhook(&mut self.store, headers).map_err(trap)
    }

    /// `webhooks.verify-webhook`.
    pub fn verify_webhook(
        &mut self,
        headers: &[(String, String)],
        body: &[u8],
        secrets: &[String],
        options: wit::VerifyOptions,
    ) -> Outcome<Result<wit::Verified, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_verify_webhook(&mut self.store, headers, body, secrets, options).map_err(trap)
    }

    /// `webhooks.parse-webhook`.
    pub fn parse_webhook(
        &mut self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Outcome<Result<wit::WebhookEvent, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_parse_webhook(&mut self.store, headers, body).map_err(trap)
    }

    /// `webhooks.parse-repository-list`.
    pub fn parse_repository_list(
        &mut self,
        text: &str,
        base_url: Option<&str>,
    ) -> Outcome<wit::RepositoryList> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_parse_repository_list(&mut self.store, text, base_url).map_err(trap)
    }

    /// `flows.discover-projects`.
    pub fn discover_projects(
        &mut self,
        id: &str,
        options: &wit::DiscoverOptions,
    ) -> Outcome<Result<wit::ProjectPage, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_discover_projects(&mut self.store, id, options).map_err(trap)
    }

    /// `flows.register-webhooks`.
    pub fn register_webhooks(
        &mut self,
        id: &str,
        request: &wit::RegisterWebhooksRequest,
    ) -> Outcome<Result<Vec<wit::RegistrationResult>, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_register_webhooks(&mut self.store, id, request).map_err(trap)
    }

    /// `flows.unregister-webhooks`.
    pub fn unregister_webhooks(
        &mut self,
        id: &str,
        projects: Option<&[String]>,
    ) -> Outcome<Result<Vec<wit::RegistrationResult>, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_unregister_webhooks(&mut self.store, id, projects).map_err(trap)
    }

    /// `flows.receive-webhook`: `route` is the request URL the delivery arrived at, or the
    /// route id in it.
    pub fn receive_webhook(
        &mut self,
        route: &str,
        headers: &[(String, String)],
        body: &[u8],
        options: wit::ReceiveOptions,
    ) -> Outcome<Result<wit::Receipt, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_receive_webhook(&mut self.store, route, headers, body, options).map_err(trap)
    }

    /// `flows.confirm-delivery`: the accepted delivery's event was handled.
    pub fn confirm_delivery(&mut self, claim: &str) -> Outcome<Result<bool, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_confirm_delivery(&mut self.store, claim).map_err(trap)
    }

    /// `flows.release-delivery`: the accepted delivery's event could not be handled.
    pub fn release_delivery(&mut self, claim: &str) -> Outcome<Result<(), wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_release_delivery(&mut self.store, claim).map_err(trap)
    }

    /// `webhooks.prepare-create-hook`.
    pub fn prepare_create_hook(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        hook: &wit::HookSpec,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest
            .call_prepare_create_hook(&mut self.store, instance, token, project, hook)
            .map_err(trap)
    }

    /// `webhooks.prepare-update-hook`.
    pub fn prepare_update_hook(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        hook_id: &str,
        hook: &wit::HookSpec,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest
            .call_prepare_update_hook(&mut self.store, instance, token, project, hook_id, hook)
            .map_err(trap)
    }

    /// `webhooks.prepare-delete-hook`.
    pub fn prepare_delete_hook(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        hook_id: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest
            .call_prepare_delete_hook(&mut self.store, instance, token, project, hook_id)
            .map_err(trap)
    }

    /// `webhooks.prepare-list-hooks`.
    pub fn prepare_list_hooks(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_prepare_list_hooks(&mut self.store, instance, token, project).map_err(trap)
    }

    /// `webhooks.parse-hook`.
    pub fn parse_hook(
        &mut self,
        provider: wit::Provider,
        response: &wit::Response,
    ) -> Outcome<Result<wit::Hook, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_parse_hook(&mut self.store, provider, response).map_err(trap)
    }

    /// `webhooks.parse-hook-list`.
    pub fn parse_hook_list(
        &mut self,
        provider: wit::Provider,
        request_url: &str,
        response: &wit::Response,
    ) -> Outcome<Result<wit::HookPage, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_parse_hook_list(&mut self.store, provider, request_url, response).map_err(trap)
    }

    /// `webhooks.webhook-access`: whether `role` may create a project's webhooks.
    pub fn webhook_access(
        &mut self,
        provider: wit::Provider,
        role: &str,
    ) -> Outcome<Option<wit::HookAccess>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_webhook_access(&mut self.store, provider, role).map_err(trap)
    }

    /// `webhooks.manual-webhook-setup`: the secret comes from the host's random source.
    pub fn manual_webhook_setup(
        &mut self,
        request: &wit::ManualWebhookSetupRequest,
    ) -> Outcome<Result<wit::ManualSetup, wit::Error>> {
        let guest = self.bindings.forgelink_connect_webhooks();
        guest.call_manual_webhook_setup(&mut self.store, request).map_err(trap)
    }

    /// `polling.poll-resources`.
    pub fn poll_resources(&mut self, provider: wit::Provider) -> Outcome<Vec<wit::PollResource>> {
        let guest = self.bindings.forgelink_connect_polling();
        guest.call_poll_resources(&mut self.store, provider).map_err(trap)
    }

    /// `polling.prepare-poll-request`; `since` in Unix seconds.
    pub fn prepare_poll_request(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        resource: &wit::PollResource,
        since: i64,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_polling();
        guest
            .call_prepare_poll_request(&mut self.store, instance, token, project, resource, since)
            .map_err(trap)
    }

    /// `polling.prepare-poll-requests`; `since` in Unix seconds.
    pub fn prepare_poll_requests(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        since: i64,
    ) -> Outcome<Result<Vec<wit::PollRequest>, wit::Error>> {
        let guest = self.bindings.forgelink_connect_polling();
        guest
            .call_prepare_poll_requests(&mut self.store, instance, token, project, since)
            .map_err(trap)
    }

    /// `polling.parse-poll-response`; `since` and `now` in Unix seconds.
    #[allow(clippy::too_many_arguments)]
    pub fn parse_poll_response(
        &mut self,
        instance: &wit::Instance,
        project: &str,
        resource: &wit::PollResource,
        request_url: &str,
        response: &wit::Response,
        since: i64,
        now: i64,
    ) -> Outcome<Result<wit::PollPage, wit::Error>> {
        let guest = self.bindings.forgelink_connect_polling();
        guest
            .call_parse_poll_response(
                &mut self.store,
                instance,
                project,
                resource,
                request_url,
                response,
                since,
                now,
            )
            .map_err(trap)
    }

    /// `polling.read-rate-limit`; `now` in Unix seconds.
    pub fn read_rate_limit(
        &mut self,
        response: &wit::Response,
        now: i64,
    ) -> Outcome<wit::RateLimit> {
        let guest = self.bindings.forgelink_connect_polling();
        guest.call_read_rate_limit(&mut self.store, response, now).map_err(trap)
    }

    /// `polling.state-key`.
    pub fn state_key(&mut self, event: &wit::WebhookEvent) -> Outcome<Option<String>> {
        let guest = self.bindings.forgelink_connect_polling();
        guest.call_state_key(&mut self.store, event).map_err(trap)
    }

    /// `feedback.feedback-marker`.
    pub fn feedback_marker(&mut self, key: &str) -> Outcome<String> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest.call_feedback_marker(&mut self.store, key).map_err(trap)
    }

    /// `feedback.feedback-body`.
    pub fn feedback_body(&mut self, body: &str, key: Option<&str>) -> Outcome<String> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest.call_feedback_body(&mut self.store, body, key).map_err(trap)
    }

    /// `feedback.find-feedback`.
    pub fn find_feedback(
        &mut self,
        comments: &[wit::Comment],
        key: &str,
    ) -> Outcome<Option<wit::Comment>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest.call_find_feedback(&mut self.store, comments, key).map_err(trap)
    }

    /// `feedback.prepare-list-comments`.
    pub fn prepare_list_comments(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        location: &wit::FeedbackLocation,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest
            .call_prepare_list_comments(&mut self.store, instance, token, project, location)
            .map_err(trap)
    }

    /// `feedback.prepare-create-comment`.
    pub fn prepare_create_comment(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        location: &wit::FeedbackLocation,
        body: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest
            .call_prepare_create_comment(&mut self.store, instance, token, project, location, body)
            .map_err(trap)
    }

    /// `feedback.prepare-update-comment`.
    pub fn prepare_update_comment(
        &mut self,
        instance: &wit::Instance,
        token: &str,
        project: &str,
        location: &wit::FeedbackLocation,
        comment: &wit::Comment,
        body: &str,
    ) -> Outcome<Result<wit::Request, wit::Error>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest
            .call_prepare_update_comment(
                &mut self.store,
                instance,
                token,
                project,
                location,
                comment,
                body,
            )
            .map_err(trap)
    }

    /// `feedback.parse-comment`.
    pub fn parse_comment(
        &mut self,
        provider: wit::Provider,
        location: &wit::FeedbackLocation,
        response: &wit::Response,
    ) -> Outcome<Result<wit::Comment, wit::Error>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest.call_parse_comment(&mut self.store, provider, location, response).map_err(trap)
    }

    /// `feedback.parse-comment-list`.
    pub fn parse_comment_list(
        &mut self,
        provider: wit::Provider,
        location: &wit::FeedbackLocation,
        request_url: &str,
        response: &wit::Response,
    ) -> Outcome<Result<wit::CommentPage, wit::Error>> {
        let guest = self.bindings.forgelink_connect_feedback();
        guest
            .call_parse_comment_list(&mut self.store, provider, location, request_url, response)
            .map_err(trap)
    }

    /// `flows.poll-events`.
    pub fn poll_events(
        &mut self,
        id: &str,
        options: &wit::PollOptions,
    ) -> Outcome<Result<wit::PollResult, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_poll_events(&mut self.store, id, options).map_err(trap)
    }

    /// `flows.post-feedback`.
    pub fn post_feedback(
        &mut self,
        id: &str,
        request: &wit::PostFeedbackRequest,
    ) -> Outcome<Result<wit::FeedbackResult, wit::Error>> {
        let guest = self.bindings.forgelink_connect_flows();
        guest.call_post_feedback(&mut self.store, id, request).map_err(trap)
    }
}
