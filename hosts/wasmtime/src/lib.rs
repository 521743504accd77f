//! A reference host for the forgelink WebAssembly component, on wasmtime.
//!
//! It provides the imports of the world `forgelink:connect/plugin` (see `wit/` at the
//! repository root) with real implementations: [`http::HttpClient`] (a blocking client that
//! never follows redirects, bounds every request with timeouts and every body with a size
//! limit, and refuses loopback, private and metadata addresses and plain http to other
//! machines unless configured otherwise), [`storage::FileStore`] (a
//! directory, with atomic writes, a lock-file compare-and-swap, and values that expire and are
//! swept by the host's clock), [`storage::RedisStore`] and [`storage::PostgresStore`] (servers
//! shared with other hosts and with the npm package's stores, picked by URL with
//! [`storage::open_storage`]), `environment` (the system
//! clock, `thread::sleep`, and the [`environment::EncryptionKey`] the host is configured
//! with), `signer` (RS256 with the GitHub App private keys the host holds, [`signer::AppKeys`]),
//! `hmac` (webhook HMACs computed natively) and `wasi:random/random` from the operating
//! system's random source. Nothing else of
//! WASI is linked. Each of them is a trait ([`http::Fetch`], [`storage::Storage`],
//! [`environment::Clock`], [`signer::Signer`]) that a product or a test can implement its own
//! way.
//!
//! [`serve::Endpoint`] is the webhook endpoint of `forgelink-host serve`: the npm package's
//! `webhookHandler` over a pool of instances sharing one store.
//!
//! ```no_run
//! use forgelink_host::{http::{HttpClient, HttpConfig}, HostState, Runtime, wit};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Compile once per process; instantiate per task.
//! let runtime = Runtime::load("dist/forgelink.wasm".as_ref(), None)?;
//! let mut plugin = runtime.instantiate(HostState::new(HttpClient::new(&HttpConfig::default())?, None))?;
//! let report = plugin.validate_base_url(wit::Provider::Gitlab, "https://example.com/gitlab")?;
//! assert_eq!(report.api_base.as_deref(), Some("https://example.com/gitlab/api/v4"));
//! # Ok(())
//! # }
//! ```
//!
//! The flows need a store and the key that seals it; every instance sharing a store needs the
//! same key.
//!
//! ```no_run
//! use forgelink_host::environment::EncryptionKey;
//! use forgelink_host::storage::FileStore;
//! use forgelink_host::{http::{HttpClient, HttpConfig}, json, HostState, Runtime, wit};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::load("dist/forgelink.wasm".as_ref(), None)?;
//! let state = HostState::new(HttpClient::new(&HttpConfig::default())?, Some(FileStore::open("store")?))
//!     .with_encryption_key(EncryptionKey::from_file("forgelink.key".as_ref())?);
//! let mut plugin = runtime.instantiate(state)?;
//! let request = wit::ConnectWithTokenRequest {
//!     provider: wit::Provider::Gitlab,
//!     base_url: Some("https://gitlab.example.com".into()),
//!     token: std::env::var("GITLAB_TOKEN")?,
//!     username: None,
//!     profile: Some("ci-failure-analysis".into()),
//! };
//! match plugin.connect_with_token(&request)? {
//!     Ok(connection) => {
//!         if let Ok(report) = plugin.test_connection(&connection.id)? {
//!             println!("{}", json::connection_report(&report));
//!         }
//!     }
//!     Err(error) => eprintln!("{}: {}", error.code, error.message),
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod environment;
pub mod http;
pub mod json;
mod runtime;
pub mod serve;
pub mod signer;
pub mod storage;

pub use runtime::{HostError, HostState, Plugin, Runtime};

/// The generated bindings. Only the value types are public, through [`wit`]; the traits and
/// linker functions stay behind [`Runtime`] and [`HostState`].
mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "plugin",
        imports: {
            // Trappable so that an oversized request or a failing OS random source stops the
            // guest instead of handing it weak bytes.
            "wasi:random/random": trappable,
        },
    });
}

/// The WIT types of `forgelink:connect`, as Rust values.
pub mod wit {
    pub use crate::bindings::exports::forgelink::connect::feedback::{
        Comment, CommentPage, FeedbackLocation, FeedbackTarget,
    };
    pub use crate::bindings::exports::forgelink::connect::flows::{
        Account, AppWebhook, Check, CheckStatus, ConnectGithubAppRequest, ConnectStartRequest,
        ConnectStarted, ConnectWithTokenRequest, Connection, ConnectionReport, ConnectionStatus,
        CreateGithubAppRequest, DisconnectOptions, DisconnectReport, DiscoverOptions,
        FeedbackAction, FeedbackPolicy, FeedbackResult, PollOptions, PollResult, PollStatus,
        PostFeedbackRequest, Project, ProjectPage, ProjectPoll, Receipt, ReceiptStatus,
        ReceiveOptions, RegisterGithubAppRequest, RegisterWebhooksRequest, RegistrationResult,
        RegistrationStatus, ReplaceCredentialsRequest, ScopeStatus, SkippedTarget, SyncMode,
    };
    pub use crate::bindings::exports::forgelink::connect::github_app::{
        AccessLevel, AppAccount, AppManifestForm, AppManifestOptions, AppNeeds, AppPermission,
        AppSetup, GithubAppCredentials, Installation, PermissionNeed, PermissionTarget,
        RepositorySelection, SetupAction, TokenNarrowing,
    };
    pub use crate::bindings::exports::forgelink::connect::polling::{
        ListedPipeline, PollPage, PollRequest, PollResource, RateLimit,
    };
    pub use crate::bindings::exports::forgelink::connect::provider::{
        Authorization, AuthorizationRequest, BaseUrlReport, Callback, Need, Profile,
        ProviderEndpoints, ProviderNeeds, ProviderSettingsPages, ScopeCheck, ScopeEndpoint,
        ScopeHeader, ScopeInfo, ScopeMode, ScopeSource,
    };
    pub use crate::bindings::exports::forgelink::connect::tokens::{
        ApiError, DeviceAuthorization, OauthClient, Retirement, TokenInfo, TokenPrefix, TokenSet,
    };
    pub use crate::bindings::exports::forgelink::connect::types::{
        Code, Deployment, Diagnostic, Error, Guidance, Instance, Provider, Severity,
    };
    pub use crate::bindings::exports::forgelink::connect::webhooks::{
        Actor, CommitStatus, EventKind, Hook, HookAccess, HookPage, HookSpec, Job, LineDiagnostic,
        ManualSetup, ManualWebhookSetupRequest, MergeRequest, Pipeline, Repository, RepositoryList,
        SignatureScheme, Status, Verified, VerifyOptions, WebhookEvent, WebhookIdentity,
    };
    pub use crate::bindings::forgelink::connect::hmac::HmacAlgorithm;
    pub use crate::bindings::forgelink::connect::http::{FetchError, Request, Response};
    pub use crate::bindings::forgelink::connect::signer::SignAlgorithm;
}
