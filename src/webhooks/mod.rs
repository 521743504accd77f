//! Webhook deliveries: who sent them, whether they are authentic, and what they say, in one
//! model for every provider.

mod identify;
mod manual;
mod model;
mod parse;
mod prune;
mod registration;
mod status;
mod verify;

pub use identify::{identify_webhook, WebhookIdentity};
pub use manual::{manual_webhook_setup, ManualSetup};
pub use model::{
    Actor, CommitStatus, EventKind, Job, MergeRequest, Pipeline, Repository, Status, WebhookEvent,
};

/// Reads a delivery into the normalised model, with its [`WebhookEvent::state_key`]. Verify
/// it first with [`crate::verify_webhook`]: parsing says nothing about authenticity.
pub fn parse_webhook(
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WebhookEvent, crate::Error> {
    parse::parse_webhook(headers, body).map(crate::polling::with_state_key)
}
pub(crate) use registration::prepare_get_hook;
pub use registration::{
    parse_hook, parse_hook_list, prepare_create_hook, prepare_delete_hook, prepare_list_hooks,
    prepare_update_hook, Hook, HookPage, HookSpec,
};
pub(crate) use status::{
    bitbucket_pr_state, bitbucket_status, github_status, gitlab_mr_state, gitlab_status,
};
pub use verify::{
    verify_webhook, verify_webhook_with, BuiltinHmac, HmacAlgorithm, HmacEngine, SignatureScheme,
    Verified, VerifyOptions, WebhookSecret,
};

/// Finds a header by case-insensitive name; webhook headers arrive in any case.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}
