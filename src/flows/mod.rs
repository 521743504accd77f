//! The multi-step work, written once over a [`Host`] that performs the I/O: connecting an
//! account (OAuth or a pasted token), handing out fresh access tokens, testing a connection,
//! and disconnecting it.
//!
//! Every record the flows store is sealed with the host's [`EncryptionKey`]. Concurrent callers
//! may share one storage (several processes, several servers): single-use states and refresh
//! leases rely on the storage's compare-and-swap, so an authorization is finished once and a
//! token is refreshed by exactly one caller.

mod app;
mod claim;
mod connect;
mod credentials;
pub(crate) mod feedback;
pub(crate) mod hooks;
mod host;
pub(crate) mod poll;
mod projects;
mod record;
mod refresh;
mod report;
mod store;

pub use app::{
    AppWebhook, ConnectGitHubApp, CreateGitHubApp, DisconnectOptions, RegisterGitHubApp,
};
pub use connect::{ConnectStart, ConnectStarted, ConnectWithToken};
pub use credentials::ReplaceCredentials;
pub use feedback::{FeedbackAction, FeedbackPolicy, FeedbackResult, PostFeedback, SkippedTarget};
pub use hooks::{
    Receipt, ReceiptStatus, ReceiveOptions, RegisterWebhooks, RegistrationResult,
    RegistrationStatus,
};
pub use host::{FetchError, Host, RandomError, SignAlgorithm, SignError, StorageError};
pub use poll::{PollOptions, PollResult, PollStatus, ProjectPoll, SyncMode};
pub use projects::{webhook_access, DiscoverOptions, Project, ProjectPage, WebhookAccess};
pub use record::{Connection, ConnectionStatus, ScopeStatus};
pub use report::{Check, CheckStatus, ConnectionReport, DisconnectReport};
pub use store::EncryptionKey;

/// The flows, bound to one host and encryption key.
///
/// ```text
/// connect_start ──redirect──▶ provider ──callback──▶ connect_finish ──▶ Connection
/// connect_with_token ─────────────────────────────────────────────────▶ Connection
/// replace_credentials(id, token), or connect_start with connection_id ─▶ the same Connection
/// access_token(id)   refreshes ahead of expiry, once across all callers sharing storage
/// test_connection(id), disconnect(id)
/// ```
pub struct Flows<H> {
    host: H,
    key: EncryptionKey,
}

impl<H: Host> Flows<H> {
    /// Flows over `host`, sealing what they store with `key`.
    pub fn new(host: H, key: EncryptionKey) -> Self {
        Flows { host, key }
    }

    /// The host these flows run on.
    pub fn host(&self) -> &H {
        &self.host
    }
}
