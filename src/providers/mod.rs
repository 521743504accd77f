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
pub(crate) mod gitlab;
