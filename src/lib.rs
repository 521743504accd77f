//! forgelink: the provider logic a product needs to connect its users' Git hosting accounts.
//!
//! GitHub (github.com, Enterprise Server, `SUB.ghe.com`), GitLab (gitlab.com and self-managed,
//! with or without a relative URL root), Bitbucket Cloud and Bitbucket Data Center. The crate does
//! no I/O, reads no clock and draws no randomness: callers hand in what it needs (for example the
//! random bytes behind an OAuth `state`) and get back values to act on.
//!
//! Every failure carries a stable [`Code`]; [`troubleshoot`] turns a code into [`Guidance`] a
//! person can act on.
//!
//! ```
//! use forgelink::{validate_base_url, Provider};
//!
//! let report = validate_base_url(Provider::GitLab, " https://example.com/gitlab/api/v4/ ");
//! assert!(report.ok);
//! assert_eq!(report.base_url.as_deref(), Some("https://example.com/gitlab"));
//! assert_eq!(report.api_base.as_deref(), Some("https://example.com/gitlab/api/v4"));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Outside input must never reach a panic: the library returns typed errors; tests may unwrap.
// Arithmetic is checked or saturating: numbers in headers and payloads are outside input, and
// an overflow traps in a debug build and silently wraps in a release one.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::arithmetic_side_effects
    )
)]

mod api;
mod api_error;
mod base_url;
mod detect;
mod diagnostic;
mod endpoints;
mod error;
mod feedback;
mod flows;
mod github_app;
mod guidance;
mod host_name;
mod http;
mod identity;
mod json;
mod oauth;
mod polling;
mod profiles;
mod provider;
mod providers;
mod redirect_uri;
mod repositories;
mod scopes;
mod secret;
mod tokens;
mod versions;
mod webhooks;

pub use api_error::{parse_api_error, ApiError};
pub use base_url::{validate_base_url, BaseUrlReport};
pub use detect::{
    detect_token, detect_token_with_prefix, token_prefixes, Retirement, TokenInfo, TokenPrefix,
};
pub use diagnostic::{Diagnostic, Severity};
pub use endpoints::{endpoints, settings_pages, Endpoints, ScopeSource, SettingsPages};
pub use error::{Code, Error};
pub use feedback::{
    feedback_body, feedback_marker, find_feedback, parse_comment, parse_comment_list,
    prepare_create_comment, prepare_list_comments, prepare_update_comment, Comment, CommentPage,
    FeedbackLocation, FeedbackTarget,
};
pub use flows::webhook_access;
pub use flows::{
    AppWebhook, ConnectGitHubApp, CreateGitHubApp, DisconnectOptions, RegisterGitHubApp,
    SignAlgorithm, SignError,
};
pub use flows::{
    Check, CheckStatus, ConnectStart, ConnectStarted, ConnectWithToken, Connection,
    ConnectionReport, ConnectionStatus, DisconnectReport, DiscoverOptions, EncryptionKey,
    FeedbackAction, FeedbackPolicy, FeedbackResult, FetchError, Flows, Host, PollOptions,
    PollResult, PollStatus, PostFeedback, Project, ProjectPage, ProjectPoll, RandomError, Receipt,
    ReceiptStatus, ReceiveOptions, RegisterWebhooks, RegistrationResult, RegistrationStatus,
    ReplaceCredentials, ScopeStatus, SkippedTarget, StorageError, SyncMode, WebhookAccess,
};
pub use github_app::{
    github_app_install_url, github_app_manifest, github_app_needs, github_app_permissions,
    missing_permissions, parse_github_app_setup, parse_manifest_conversion,
    prepare_manifest_conversion, AccessLevel, AppAccount, AppManifestForm, AppManifestOptions,
    AppNeeds, AppPermission, AppSetup, GitHubAppCredentials, Installation, PermissionNeed,
    PermissionTarget, RepositorySelection, SetupAction, TokenNarrowing,
};
pub use guidance::{troubleshoot, Guidance};
pub use http::{HttpRequest, HttpResponse};
pub use identity::{
    parse_current_user, parse_data_center_user, parse_version, prepare_current_user,
    prepare_data_center_user, prepare_version, Account, Identity,
};
pub use oauth::{
    authorization_url, parse_callback, AuthorizationRequest, AuthorizationUrl, Callback,
    ENTROPY_LEN,
};
pub use polling::{
    parse_poll_response, poll_resources, prepare_poll_request, prepare_poll_requests,
    read_rate_limit, state_key, PollPage, PollResource, RateLimit,
};
pub use profiles::{profile, profiles, Need, Profile, ProviderNeeds, ScopeMode};
pub use provider::{Deployment, Provider};
pub use redirect_uri::validate_redirect_uri;
pub use repositories::{parse_repository_list, LineDiagnostic, RepositoryList};
pub use scopes::{check_scopes, scope_catalog, ScopeCheck, ScopeInfo, ScopeKind};
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, CodeVerifier, DeviceCode, PrivateKey,
    RefreshToken, SessionBinding,
};
pub use tokens::{
    needs_refresh, parse_device_authorization, parse_token_response, prepare_device_authorization,
    prepare_device_poll, prepare_refresh, prepare_revoke, prepare_token_exchange,
    DeviceAuthorization, OAuthClient, TokenSet,
};
pub use webhooks::{
    identify_webhook, manual_webhook_setup, parse_hook, parse_hook_list, parse_webhook,
    prepare_create_hook, prepare_delete_hook, prepare_list_hooks, prepare_update_hook,
    verify_webhook, verify_webhook_with, Actor, BuiltinHmac, CommitStatus, EventKind,
    HmacAlgorithm, HmacEngine, Hook, HookPage, HookSpec, Job, ManualSetup, MergeRequest, Pipeline,
    Repository, SignatureScheme, Status, Verified, VerifyOptions, WebhookEvent, WebhookIdentity,
    WebhookSecret,
};
