//! What forgelink knows about each provider, one module per provider: the facts (scopes, token
//! kinds, versions, headers, endpoints…), each with the documentation page it comes from and,
//! where it changes with time, its dates as data. The concern modules (base URLs, OAuth,
//! tokens, webhooks, polling, feedback, guidance) keep the algorithms and ask these modules
//! for their facts.
//!
//! Facts are moving here from the concern modules provider by provider; a fact still found
//! elsewhere has not moved yet.

pub(crate) mod bitbucket_cloud;
pub(crate) mod bitbucket_data_center;
pub(crate) mod github;
pub(crate) mod github_permissions;
pub(crate) mod gitlab;

/// Whether a provider's token endpoint needs the application's client secret, so that a
/// connection started without one would fail only after the person approved it.
pub(crate) fn client_secret_required(provider: crate::provider::Provider) -> bool {
    use crate::provider::Provider;
    match provider {
        Provider::GitHub => github::CLIENT_SECRET_REQUIRED,
        Provider::GitLab => gitlab::CLIENT_SECRET_REQUIRED,
        Provider::BitbucketCloud => bitbucket_cloud::CLIENT_AUTH_BASIC_ONLY,
        Provider::BitbucketDataCenter => bitbucket_data_center::CLIENT_SECRET_REQUIRED,
    }
}
