//! Registering webhooks idempotently, removing the ones forgelink created, and receiving
//! deliveries exactly once.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api_error::parse_api_error;
use crate::endpoints::Endpoints;
use crate::error::{excerpt, Code, Error};
use crate::flows::claim::{Claim, DeliveryClaim};
use crate::flows::connect::authorize;
use crate::flows::host::{random_bytes, random_id, Host, HostHmac};
use crate::flows::record::{Auth, Record};
use crate::flows::store::{hex_sha256, Change};
use crate::flows::Flows;
use crate::guidance::{troubleshoot, Guidance};
use crate::host_name::is_loopback;
use crate::identity::{parse_current_user, prepare_current_user};
use crate::profiles::profile;
use crate::provider::Provider;
use crate::providers::gitlab;
use crate::secret::WebhookSecret;
use crate::webhooks::{
    identify_webhook, manual_webhook_setup, parse_hook, parse_hook_list, parse_webhook,
    prepare_create_hook, prepare_delete_hook, prepare_get_hook, prepare_list_hooks,
    prepare_update_hook, verify_webhook_with, Hook, HookSpec, ManualSetup, SignatureScheme,
    Verified, VerifyOptions, WebhookEvent,
};

/// The hook id recorded for a hook an administrator creates by hand.
const MANUAL_HOOK_ID: &str = "manual";

/// How long a replaced secret still verifies, so deliveries in flight during a rotation pass.
const OLD_SECRET_GRACE: i64 = 3600;
/// How long a state key is remembered at least: longer than a poll's default lookback, so a
/// first poll does not report again what deliveries reported.
pub(crate) const STATE_SECONDS: i64 = 31 * 86_400;
/// The most hook pages read while looking for an existing hook.
const MAX_HOOK_PAGES: usize = 10;

/// What [`Flows::register_webhooks`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterWebhooks {
    /// Project paths (`group/project`, `owner/repo`, ...).
    pub projects: Vec<String>,
    /// Where deliveries go.
    pub url: String,
    /// The profile whose webhook events to subscribe to.
    pub profile: String,
}

/// What happened on one project: `created`, `updated`, `removed`, `manual_setup_required`
/// (an administrator adds the hook by hand), `failed`, or `covered_by_app` (a GitHub App
/// connection, whose app webhook delivers every installed repository's events).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// A new hook was created.
    Created,
    /// A hook already pointed at the URL; its events and secret were updated.
    Updated,
    /// The hook was removed.
    Removed,
    /// The account may not manage webhooks here (Bitbucket Data Center without admin
    /// rights): an administrator pastes the URL and secret in `manualSetup`. The secret is
    /// stored, so the hook's deliveries verify once it exists. On removal: the hook was to be
    /// made by hand, so deleting it is an administrator's part too.
    ManualSetupRequired,
    /// Nothing could be done; see the code and guidance.
    Failed,
    /// A GitHub App connection: the app's own webhook delivers every installed repository's
    /// events, so no repository hook is made (or removed). Register the app's webhook once
    /// with `register_github_app`.
    CoveredByApp,
}

/// The outcome for one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResult {
    /// The project.
    pub project: String,
    /// What happened.
    pub status: RegistrationStatus,
    /// The hook's id at the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub hook_id: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code: Option<Code>,
    /// What failed, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub message: Option<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub guidance: Option<Guidance>,
    /// For `manual_setup_required`: what to paste.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub manual_setup: Option<ManualSetup>,
}

/// Deliveries carry signed payloads: they go to an absolute https URL (http only on this
/// machine, for development).
fn check_delivery_url(url: &str) -> Result<(), Error> {
    let parsed = url::Url::parse(url.trim()).ok().filter(|u| u.host().is_some());
    let acceptable = parsed.is_some_and(|u| {
        u.scheme() == "https" || (u.scheme() == "http" && u.host().is_some_and(|h| is_loopback(&h)))
    });
    if acceptable {
        Ok(())
    } else {
        Err(Error::new(
            Code::InputInvalid,
            format!("The delivery URL `{}` must be an absolute https URL.", excerpt(url)),
        ))
    }
}

/// A hook forgelink manages (sealed in storage), one per connection and project.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct HookRecord {
    connection_id: String,
    provider: Provider,
    project: String,
    /// The provider's id for the hook; `None` while its creation has not succeeded yet.
    #[serde(default)]
    hook_id: Option<String>,
    /// The delivery URL registered at the provider (the receiver's URL and the route id).
    url: String,
    /// The route id in `url`; `None` for hooks registered before deliveries were routed,
    /// which the next registration moves to a route.
    #[serde(default)]
    route: Option<String>,
    /// The current secret first; older ones with the time they stop verifying (`None` while
    /// a registration that may still fail is under way).
    secrets: Vec<(WebhookSecret, Option<i64>)>,
}

/// Where a route id leads (sealed): the connection and project whose hook it is.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Route {
    connection_id: String,
    project: String,
}

/// The projects of a connection that have a hook record (sealed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct HookIndex {
    projects: Vec<String>,
}

/// Where the claim on an object's state is kept, shared by the connection's deliveries and
/// polls; another connection watching the same project claims its own.
pub(crate) fn state_storage_key(connection_id: &str, state_key: &str) -> String {
    format!("forgelink/v1/state/{connection_id}/{}", hex_sha256(state_key))
}

fn delivery_key(connection_id: &str, route: &str, material: &[u8]) -> String {
    let mut digest = Sha256::new();
    digest.update(route.as_bytes());
    digest.update([0]);
    digest.update(material);
    let hex: String = digest.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("forgelink/v1/delivery/{connection_id}/{hex}")
}

fn hook_key(connection_id: &str, project: &str) -> String {
    format!("forgelink/v1/hook/{connection_id}/{}", hex_sha256(project.to_ascii_lowercase()))
}

fn index_key(connection_id: &str) -> String {
    format!("forgelink/v1/hooks-of/{connection_id}")
}

/// The storage key of a route, by a hash of its id: storage never holds a usable route.
fn route_key(route: &str) -> String {
    format!("forgelink/v1/routes/{}", hex_sha256(route))
}

/// The route id a delivery was sent to: the id itself, or the last segment of the request URL
/// forgelink registered (`https://app.example/hooks/<route>`).
pub(crate) fn route_id(route_or_url: &str) -> Option<String> {
    let text = route_or_url.trim();
    let id = match url::Url::parse(text) {
        Ok(url) => url.path_segments()?.rev().find(|segment| !segment.is_empty())?.to_owned(),
        Err(_) => text.to_owned(),
    };
    let valid = (22..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(id)
}

/// The receiver's URL with the route id as its last path segment.
fn delivery_url(receiver: &str, route: &str) -> Result<String, Error> {
    let mut url = url::Url::parse(receiver.trim())
        .map_err(|_| Error::new(Code::InputInvalid, "The delivery URL cannot be read."))?;
    url.path_segments_mut()
        .map_err(|()| Error::new(Code::InputInvalid, "The delivery URL cannot take a path."))?
        .pop_if_empty()
        .push(route);
    Ok(url.into())
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// A Data Center 401 on the hooks API while the token itself is accepted: the account lacks
/// the permission (the REST reference documents 401 for "insufficient permissions to create
/// webhooks in the repository").
fn insufficient_permission(error: &Error) -> Error {
    let mut forbidden = Error::new(
        Code::HttpForbidden,
        "Bitbucket Data Center accepts the token but refused the webhook call (401): the account lacks repository admin permission.",
    )
    .for_provider(Provider::BitbucketDataCenter);
    forbidden.provider_detail = error.provider_detail.clone();
    forbidden
}

/// A hook an administrator was asked to make by hand: forgelink never created it, so it
/// neither removes it nor says it did. Forgetting its secret is all forgelink can do.
fn hand_made(project: &str) -> RegistrationResult {
    RegistrationResult {
        project: project.to_owned(),
        status: RegistrationStatus::ManualSetupRequired,
        hook_id: None,
        code: None,
        message: Some("forgelink did not create this webhook: an administrator was asked to add it by hand. Its secret is forgotten, so its deliveries are refused; if it exists, an administrator deletes it in the repository's webhook settings.".to_owned()),
        guidance: None,
        manual_setup: None,
    }
}

/// A project of a GitHub App connection: the app's webhook delivers its events.
fn covered_by_app(project: &str) -> RegistrationResult {
    RegistrationResult {
        project: project.to_owned(),
        status: RegistrationStatus::CoveredByApp,
        hook_id: None,
        code: None,
        message: Some(
            "The GitHub App's own webhook delivers this repository's events: no repository hook is needed.".into(),
        ),
        guidance: None,
        manual_setup: None,
    }
}

fn failed(project: &str, error: &Error) -> RegistrationResult {
    RegistrationResult {
        project: project.to_owned(),
        status: RegistrationStatus::Failed,
        hook_id: None,
        code: Some(error.code),
        message: Some(error.message.clone()),
        guidance: Some(troubleshoot(error.code, error.provider)),
        manual_setup: None,
    }
}

/// How [`Flows::receive_webhook`] treats deliveries.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ReceiveOptions {
    /// How long a delivery's dedupe key is remembered once handled, in seconds (default: 7
    /// days).
    pub dedupe_seconds: i64,
    /// How long an accepted delivery is held for its handler, in seconds (default 60): until
    /// [`Flows::confirm_delivery`], copies of it answer [`ReceiptStatus::Pending`]; if neither
    /// confirmed nor released by then, the claim lapses and a redelivery is accepted again.
    pub handling_seconds: i64,
    /// Accept Bitbucket Data Center's unsigned test ping.
    pub allow_unsigned_ping: bool,
    /// How far a signed timestamp may be from now, in seconds (default 300).
    pub tolerance_seconds: Option<i64>,
}

impl Default for ReceiveOptions {
    fn default() -> Self {
        ReceiveOptions {
            dedupe_seconds: 7 * 86_400,
            handling_seconds: 60,
            allow_unsigned_ping: false,
            tolerance_seconds: None,
        }
    }
}

/// What became of a delivery. Act on `accepted` only, then confirm or release its claim.
/// `duplicate` is a copy already handled; `pending`, a copy another host is handling right
/// now: ask the provider to retry. `rejected` is not authentic or not readable. `ignored` is
/// authentic but about a GitHub App installation no connection holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Authentic and new: handle it, then confirm its `claim` (or release it on failure).
    Accepted,
    /// Authentic, but already handled once (a redelivery, a retry, or another host's copy).
    Duplicate,
    /// Authentic, and another host is handling a copy of it right now: answer the provider
    /// with a retry (HTTP 503 and `Retry-After`), so that the event is not lost if that host
    /// fails.
    Pending,
    /// Not authentic, or not readable: do not act on it.
    Rejected,
    /// Authentic, from a GitHub App's webhook, about an installation no connection holds:
    /// answered (so GitHub does not retry) but not accepted or remembered. The event is
    /// included: an `installation` `created` event names an installation the product may
    /// connect with `connect_github_app`.
    Ignored,
}

/// The outcome of [`Flows::receive_webhook`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// What became of it.
    pub status: ReceiptStatus,
    /// The normalised event, for every authentic delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub event: Option<WebhookEvent>,
    /// The connection whose hook the delivery was sent to (by its route, never by what the
    /// payload claims), for every authentic delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub connection_id: Option<String>,
    /// The project that hook was registered on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub project: Option<String>,
    /// For an accepted delivery: the opaque token to pass to [`Flows::confirm_delivery`] once
    /// the event is handled, or to [`Flows::release_delivery`] when it could not be. (An
    /// unsigned ping has none: it is never remembered.)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub claim: Option<String>,
    /// For a pending delivery: after how many seconds the provider should try again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub retry_after_seconds: Option<i64>,
    /// Why it was rejected: `webhook.unknown_route` for a URL forgelink gave no hook, a
    /// signature or parse code otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code: Option<Code>,
    /// What was wrong, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub message: Option<String>,
}

/// The secrets of a hook that still verify at `now`: the current one, and older ones until
/// they stop.
pub(crate) fn current_secrets(
    secrets: &[(WebhookSecret, Option<i64>)],
    now: i64,
) -> Vec<WebhookSecret> {
    secrets
        .iter()
        .filter(|(_, until)| until.is_none_or(|until| until > now))
        .map(|(secret, _)| secret.clone())
        .collect()
}

pub(crate) fn rejected(error: Error) -> Receipt {
    Receipt {
        status: ReceiptStatus::Rejected,
        event: None,
        connection_id: None,
        project: None,
        claim: None,
        retry_after_seconds: None,
        code: Some(error.code),
        message: Some(error.message),
    }
}

impl<H: Host> Flows<H> {
    pub(crate) fn fresh_secret(&self) -> Result<WebhookSecret, Error> {
        Ok(WebhookSecret::new(URL_SAFE_NO_PAD.encode(random_bytes::<H, 32>(&self.host)?)))
    }

    /// A GitLab signing token: `whsec_` and the standard base64 of 32 random bytes.
    fn fresh_signing_token(&self) -> Result<WebhookSecret, Error> {
        let key = random_bytes::<H, { gitlab::SIGNING_TOKEN_BYTES }>(&self.host)?;
        Ok(WebhookSecret::new(format!("{}{}", gitlab::SIGNING_TOKEN_PREFIX, STANDARD.encode(key))))
    }

    /// Adds or removes a project in the connection's hook index.
    async fn update_index(
        &self,
        connection_id: &str,
        project: &str,
        present: bool,
    ) -> Result<(), Error> {
        self.update_sealed(&index_key(connection_id), None, |index: Option<HookIndex>| {
            let mut index = index.unwrap_or_default();
            let listed = index.projects.iter().any(|p| p.eq_ignore_ascii_case(project));
            if listed == present {
                return Ok(Change::Keep(()));
            }
            index.projects.retain(|p| !p.eq_ignore_ascii_case(project));
            if present {
                index.projects.push(project.to_owned());
            }
            Ok(Change::Write(index, ()))
        })
        .await
    }

    /// Registers a webhook on every project, idempotently. Each project's hook gets its own
    /// delivery URL: `url` with a random route id as its last path segment, which
    /// [`Flows::receive_webhook`] resolves back to this connection and project. A hook already
    /// pointing at that URL (or, for a hook registered before routes existed, at `url` itself)
    /// is updated with the events and a fresh secret; otherwise one is created. Each hook has
    /// its own random secret, stored sealed; the previous one keeps verifying for an hour.
    pub async fn register_webhooks(
        &self,
        id: &str,
        request: RegisterWebhooks,
    ) -> Result<Vec<RegistrationResult>, Error> {
        check_delivery_url(&request.url)?;
        let (record, endpoints) = self.fresh(id).await?;
        if matches!(record.auth, Auth::GitHubApp { .. }) {
            return Ok(request.projects.iter().map(|project| covered_by_app(project)).collect());
        }
        let provider = record.provider;
        let needs = profile(&request.profile)?.for_provider(provider);
        let events: Vec<String> = needs.webhook_events.iter().map(|n| n.name.to_owned()).collect();
        let token = record.tokens.access_token.secret().to_owned();
        let mut results = Vec::new();
        // Whether Data Center accepts the token, asked once if a hooks call answers 401.
        let mut token_accepted: Option<bool> = None;
        for project in &request.projects {
            let prepared = match self.prepare_hook(&record, project, &request.url).await {
                Ok(prepared) => prepared,
                Err(error) => {
                    results.push(failed(project, &error));
                    continue;
                }
            };
            let spec = HookSpec {
                url: prepared.url.clone(),
                secret: prepared.secret.clone(),
                signing_secret: prepared.signing.clone(),
                events: events.clone(),
            };
            let mut outcome = self
                .register_one(&record, &endpoints, &token, project, &prepared.previous_urls, spec)
                .await;
            if let Err(error) = &outcome {
                if provider == Provider::BitbucketDataCenter && error.code == Code::HttpUnauthorized
                {
                    let accepted = match token_accepted {
                        Some(accepted) => accepted,
                        None => self.data_center_token_accepted(&record, &endpoints).await,
                    };
                    token_accepted = Some(accepted);
                    if accepted {
                        outcome = Err(insufficient_permission(error));
                    }
                }
            }
            match outcome {
                Ok((hook, status, warning)) => {
                    // Where GitLab confirms the signing token, deliveries are checked by their
                    // signature alone: the secret token travels in clear in every delivery,
                    // so it is never the stronger proof.
                    let current = match &prepared.signing {
                        Some(signing) if hook.signing_token_set == Some(true) => signing,
                        _ => &prepared.secret,
                    };
                    self.settle_hook(id, project, &prepared.drawn(), Some((&hook.id, current)))
                        .await?;
                    results.push(RegistrationResult {
                        project: project.clone(),
                        status,
                        hook_id: Some(hook.id),
                        code: warning.as_ref().map(|w| w.code),
                        guidance: warning.as_ref().map(|w| troubleshoot(w.code, Some(provider))),
                        message: warning.map(|w| w.message),
                        manual_setup: None,
                    });
                }
                Err(error)
                    if provider == Provider::BitbucketDataCenter
                        && error.code == Code::HttpForbidden =>
                {
                    // Without admin rights the hook is made by hand, at the routed URL; its
                    // secret is kept so that its deliveries verify.
                    let manual = Some((MANUAL_HOOK_ID, &prepared.secret));
                    self.settle_hook(id, project, &prepared.drawn(), manual).await?;
                    results.push(RegistrationResult {
                        project: project.clone(),
                        status: RegistrationStatus::ManualSetupRequired,
                        hook_id: None,
                        code: Some(error.code),
                        message: Some("The account cannot manage this repository's webhooks: an administrator creates it by hand.".into()),
                        guidance: Some(troubleshoot(error.code, Some(provider))),
                        manual_setup: manual_webhook_setup(
                            provider,
                            Some(&record.base_url),
                            project,
                            &prepared.url,
                            &request.profile,
                            &prepared.secret,
                        )
                        .ok(),
                    });
                }
                Err(error) => {
                    self.settle_hook(id, project, &prepared.drawn(), None).await?;
                    results.push(failed(project, &error));
                }
            }
        }
        Ok(results)
    }

    /// Before the provider is asked: the project's hook record gets its route (kept from an
    /// earlier registration, or drawn now) and a fresh secret beside the ones that verify
    /// today, so that a delivery sent the moment the hook exists (GitHub pings at once) finds
    /// both. Stored through compare-and-swap; the route is written once, by whoever draws it.
    async fn prepare_hook(
        &self,
        record: &Record,
        project: &str,
        receiver: &str,
    ) -> Result<PreparedHook, Error> {
        let key = hook_key(&record.id, project);
        let secret = self.fresh_secret()?;
        let signing = match record.provider {
            Provider::GitLab => Some(self.fresh_signing_token()?),
            _ => None,
        };
        let drawn = random_id(&self.host)?;
        let now = self.host.now();
        let prepared = self
            .update_sealed(&key, None, |current: Option<HookRecord>| {
                let route = current.as_ref().and_then(|h| h.route.clone());
                let route = route.unwrap_or_else(|| drawn.clone());
                let url = delivery_url(receiver, &route)?;
                let mut previous_urls = Vec::new();
                let mut secrets: Vec<(WebhookSecret, Option<i64>)> =
                    signing.iter().chain([&secret]).map(|s| (s.clone(), None)).collect();
                let hook_id = match current {
                    Some(old) => {
                        previous_urls.push(old.url.clone());
                        secrets.extend(
                            old.secrets
                                .into_iter()
                                .filter(|(_, until)| until.is_none_or(|until| until > now)),
                        );
                        old.hook_id
                    }
                    None => None,
                };
                let next = HookRecord {
                    connection_id: record.id.clone(),
                    provider: record.provider,
                    project: project.to_owned(),
                    hook_id,
                    url: url.clone(),
                    route: Some(route.clone()),
                    secrets,
                };
                let prepared = PreparedHook {
                    url,
                    route,
                    secret: secret.clone(),
                    signing: signing.clone(),
                    previous_urls: previous_urls.into_iter().chain([receiver.to_owned()]).collect(),
                };
                Ok(Change::Write(next, prepared))
            })
            .await?;
        if prepared.route == drawn {
            let route = Route { connection_id: record.id.clone(), project: project.to_owned() };
            let key = route_key(&drawn);
            let sealed = self.seal(&key, &route)?;
            if !self.host.compare_and_swap(&key, None, &sealed, None).await? {
                return Err(Error::new(
                    Code::HostRandomFailed,
                    "A freshly drawn route id is already taken: the host's random source repeats itself.",
                ));
            }
        }
        self.update_index(&record.id, project, true).await?;
        Ok(prepared)
    }

    /// After the provider answered, about the secrets `drawn` for this registration: on
    /// success (`hook_id` and the one secret deliveries verify with from now on), that secret
    /// is current, the other drawn ones are dropped, and the older ones verify for one more
    /// hour; on failure (`None`), every drawn secret is dropped and the older ones stay as
    /// they were, since the provider still signs with them. A record whose hook was never
    /// created is removed with its route, so that nothing claims a hook that does not exist.
    async fn settle_hook(
        &self,
        id: &str,
        project: &str,
        drawn: &[&WebhookSecret],
        outcome: Option<(&str, &WebhookSecret)>,
    ) -> Result<(), Error> {
        let grace_until = self.host.now().saturating_add(OLD_SECRET_GRACE);
        let same = |a: &WebhookSecret, b: &WebhookSecret| a.ct_eq(b.secret());
        let was_drawn = |s: &WebhookSecret| drawn.iter().any(|d| same(s, d));
        let never_created = self
            .update_sealed(&hook_key(id, project), None, |current: Option<HookRecord>| {
                let Some(mut hook) = current else { return Ok(Change::Keep(None)) };
                match outcome {
                    Some((hook_id, current)) => {
                        let ours = |s: &WebhookSecret| same(s, current);
                        hook.hook_id = Some(hook_id.to_owned());
                        hook.secrets.retain(|(secret, _)| ours(secret) || !was_drawn(secret));
                        for (secret, until) in &mut hook.secrets {
                            if !ours(secret) && until.is_none() {
                                *until = Some(grace_until);
                            }
                        }
                        // The current secret first, then at most two older ones.
                        hook.secrets.sort_by_key(|(secret, _)| !ours(secret));
                        hook.secrets.truncate(3);
                    }
                    None if hook.hook_id.is_none() => return Ok(Change::Keep(Some(hook))),
                    None => hook.secrets.retain(|(secret, _)| !was_drawn(secret)),
                }
                Ok(Change::Write(hook, None))
            })
            .await?;
        if let Some(hook) = never_created {
            self.forget_hook(&hook).await?;
            self.update_index(id, project, false).await?;
        }
        Ok(())
    }

    /// Whether Bitbucket Data Center accepts the connection's token: it names the caller
    /// (`X-AUSERNAME`) on the application properties. A 401 from the hooks API then means a
    /// permission is missing, not that the token is bad.
    async fn data_center_token_accepted(&self, record: &Record, endpoints: &Endpoints) -> bool {
        let mut request = prepare_current_user(endpoints, record.tokens.access_token.secret());
        authorize(&mut request, record);
        match self.send(request).await {
            Ok(response) => parse_current_user(record.provider, &response)
                .is_ok_and(|identity| identity.username.is_some()),
            Err(_) => false,
        }
    }

    /// Creates the project's hook, or updates the one that already points at its delivery URL
    /// or at one of `previous_urls` (where this connection's hook pointed before).
    async fn register_one(
        &self,
        record: &Record,
        endpoints: &Endpoints,
        token: &str,
        project: &str,
        previous_urls: &[String],
        spec: HookSpec,
    ) -> Result<(Hook, RegistrationStatus, Option<Error>), Error> {
        let provider = record.provider;
        let mut existing = None;
        let mut url = prepare_list_hooks(endpoints, token, project)?.url;
        for _ in 0..MAX_HOOK_PAGES {
            let response =
                self.send(self.api_request(record, endpoints, "GET", url.clone())?).await?;
            let page = parse_hook_list(provider, &url, &response)?;
            existing = page.hooks.into_iter().find(|h| {
                same_url(&h.url, &spec.url) || previous_urls.iter().any(|p| same_url(&h.url, p))
            });
            match (existing.is_some(), page.next) {
                (false, Some(next)) => url = next,
                _ => break,
            }
        }
        let (mut request, status) = match &existing {
            Some(hook) => (
                prepare_update_hook(endpoints, token, project, &hook.id, &spec)?,
                RegistrationStatus::Updated,
            ),
            None => (
                prepare_create_hook(endpoints, token, project, &spec)?,
                RegistrationStatus::Created,
            ),
        };
        authorize(&mut request, record);
        let hook = parse_hook(provider, &self.send(request).await?)?;
        let warning = existing
            .as_ref()
            .and_then(|before| disabled_hook(provider, project, before))
            .map(|problem| problem.error);
        Ok((hook, status, warning))
    }

    /// What is wrong with the hooks forgelink registered for the connection, read from the
    /// provider one by one ([`Flows::hook_problem`]). `None` when forgelink registered no hook.
    pub(crate) async fn hook_problems(
        &self,
        record: &Record,
        endpoints: &Endpoints,
    ) -> Result<Option<Vec<HookProblem>>, Error> {
        let index: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&index_key(&record.id)).await?;
        let projects = index.map(|(index, _)| index.projects).unwrap_or_default();
        if projects.is_empty() {
            return Ok(None);
        }
        let mut problems = Vec::new();
        for project in projects {
            problems.extend(self.hook_problem(record, endpoints, &project).await?);
        }
        Ok(Some(problems))
    }

    /// What is wrong with the hook forgelink registered on `project`, read from the provider:
    /// someone deleted it, or the provider stopped delivering to it ([`disabled_hook`]).
    /// `None` when it is fine, or when there is no hook to read (none registered, or one made
    /// by hand, which the connection's rights may not read).
    pub(crate) async fn hook_problem(
        &self,
        record: &Record,
        endpoints: &Endpoints,
        project: &str,
    ) -> Result<Option<HookProblem>, Error> {
        let stored: Option<(HookRecord, Vec<u8>)> =
            self.read_sealed(&hook_key(&record.id, project)).await?;
        let Some(hook_id) =
            stored.and_then(|(hook, _)| hook.hook_id).filter(|hook_id| hook_id != MANUAL_HOOK_ID)
        else {
            return Ok(None);
        };
        let token = record.tokens.access_token.secret();
        let mut request = prepare_get_hook(endpoints, token, project, &hook_id)?;
        authorize(&mut request, record);
        let response = self.send(request).await?;
        if response.status == 404 {
            return Ok(Some(HookProblem {
                error: Error::new(
                    Code::WebhookHookMissing,
                    format!("The webhook forgelink registered on {project} is gone."),
                )
                .for_provider(record.provider),
                lasting: true,
            }));
        }
        let hook = parse_hook(record.provider, &response)?;
        Ok(disabled_hook(record.provider, project, &hook))
    }

    /// Removes the hooks forgelink registered for the connection: on `projects`, or on all of
    /// them. A hook already gone at the provider counts as removed; one an administrator was
    /// asked to add by hand is never called removed: deleting it is its administrator's part.
    pub async fn unregister_webhooks(
        &self,
        id: &str,
        projects: Option<Vec<String>>,
    ) -> Result<Vec<RegistrationResult>, Error> {
        let (record, endpoints) = self.fresh(id).await?;
        let index: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&index_key(id)).await?;
        let projects =
            projects.unwrap_or_else(|| index.map(|(i, _)| i.projects).unwrap_or_default());
        let token = record.tokens.access_token.secret().to_owned();
        let mut results = Vec::new();
        for project in projects {
            let key = hook_key(id, &project);
            let stored: Option<(HookRecord, Vec<u8>)> = match self.read_sealed(&key).await {
                Ok(stored) => stored,
                Err(error) => {
                    results.push(failed(&project, &error));
                    continue;
                }
            };
            let Some((hook, _)) = stored else {
                let error = Error::new(
                    Code::HttpNotFound,
                    "forgelink registered no webhook on this project.",
                );
                results.push(failed(&project, &error));
                continue;
            };
            let outcome = async {
                // A hand-made hook is its administrator's to remove; a hook whose creation
                // never succeeded has nothing at the provider.
                if let Some(hook_id) = hook.hook_id.as_deref().filter(|h| *h != MANUAL_HOOK_ID) {
                    let mut request = prepare_delete_hook(&endpoints, &token, &project, hook_id)?;
                    authorize(&mut request, &record);
                    let response = self.send(request).await?;
                    if !(200..300).contains(&response.status) && response.status != 404 {
                        return Err(parse_api_error(record.provider, &response).error);
                    }
                }
                self.forget_hook(&hook).await?;
                self.update_index(id, &project, false).await
            }
            .await;
            let manual = hook.hook_id.as_deref() == Some(MANUAL_HOOK_ID);
            results.push(match outcome {
                Ok(()) if manual => hand_made(&project),
                Ok(()) => RegistrationResult {
                    project: project.clone(),
                    status: RegistrationStatus::Removed,
                    message: None,
                    hook_id: hook.hook_id,
                    code: None,
                    guidance: None,
                    manual_setup: None,
                },
                Err(error) => failed(&project, &error),
            });
        }
        Ok(results)
    }

    /// Deletes a hook's route and record: its deliveries are unknown from now on.
    async fn forget_hook(&self, hook: &HookRecord) -> Result<(), Error> {
        if let Some(route) = &hook.route {
            self.host.delete(&route_key(route)).await?;
        }
        self.host.delete(&hook_key(&hook.connection_id, &hook.project)).await?;
        Ok(())
    }

    /// The hooks the connection still has at the provider, each as not removed because of
    /// `why` (a hand-made one as its administrator's to delete): what a connection the
    /// provider refuses leaves behind.
    pub(crate) async fn hooks_left(
        &self,
        id: &str,
        why: &Error,
    ) -> Result<Vec<RegistrationResult>, Error> {
        let index: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&index_key(id)).await?;
        let mut left = Vec::new();
        for project in index.map(|(i, _)| i.projects).unwrap_or_default() {
            let stored: Option<(HookRecord, Vec<u8>)> =
                self.read_sealed(&hook_key(id, &project)).await?;
            match stored.and_then(|(hook, _)| hook.hook_id).as_deref() {
                Some(MANUAL_HOOK_ID) => left.push(hand_made(&project)),
                Some(_) => left.push(failed(&project, why)),
                None => {}
            }
        }
        Ok(left)
    }

    /// Deletes every stored hook record of the connection, with its routes.
    pub(crate) async fn forget_hooks(&self, id: &str) -> Result<(), Error> {
        let key = index_key(id);
        let index: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&key).await?;
        for project in index.map(|(i, _)| i.projects).unwrap_or_default() {
            if let Some((hook, _)) = self.read_sealed::<HookRecord>(&hook_key(id, &project)).await?
            {
                self.forget_hook(&hook).await?;
            }
        }
        self.host.delete(&key).await?;
        Ok(())
    }

    /// Takes a delivery as received: the route it was sent to (the route id, or the request
    /// URL it arrived at), its headers and raw body. The route names the connection and
    /// project; their hook's secrets verify the delivery; only then is it read and claimed, so
    /// that it is accepted once across every host sharing storage. Nothing is written for a
    /// delivery that does not verify, and nothing a payload claims decides where it goes.
    pub async fn receive_webhook(
        &self,
        route: &str,
        headers: &[(String, String)],
        body: &[u8],
        options: ReceiveOptions,
    ) -> Result<Receipt, Error> {
        let Some(hook) = self.hook_for_route(route).await? else {
            if let Some(id) = route_id(route) {
                if let Some(app) = self.app_route(&id).await? {
                    return self.receive_app_webhook(app, &id, headers, body, &options).await;
                }
            }
            return Ok(rejected(Error::new(
                Code::WebhookUnknownRoute,
                "No webhook forgelink registered has this delivery URL.",
            )));
        };
        let identity = match identify_webhook(headers) {
            Ok(identity) => identity,
            Err(error) => return Ok(rejected(error)),
        };
        if identity.provider != hook.provider {
            return Ok(rejected(Error::new(
                Code::WebhookSignatureMismatch,
                format!(
                    "The delivery looks like {}'s, but this URL belongs to a {} hook.",
                    identity.provider.display_name(),
                    hook.provider.display_name()
                ),
            )));
        }
        let now = self.host.now();
        let secrets = current_secrets(&hook.secrets, now);
        let ping =
            hook.provider == Provider::BitbucketDataCenter && identity.event == "diagnostics:ping";
        let verify = VerifyOptions {
            now: Some(now),
            tolerance_seconds: options.tolerance_seconds,
            allow_unsigned: ping && options.allow_unsigned_ping,
            allow_sha1: false,
        };
        let verified =
            match verify_webhook_with(headers, body, &secrets, &verify, &HostHmac(self.host())) {
                Ok(verified) => verified,
                Err(error) => {
                    return Ok(rejected(unsigned_by_instance(
                        hook.provider,
                        headers,
                        &secrets,
                        error,
                    )))
                }
            };
        let event = match parse_webhook(headers, body) {
            Ok(event) => event,
            Err(error) => return Ok(rejected(error)),
        };
        let receipt = Receipt {
            status: ReceiptStatus::Accepted,
            event: Some(event),
            connection_id: Some(hook.connection_id.clone()),
            project: Some(hook.project.clone()),
            claim: None,
            retry_after_seconds: None,
            code: None,
            message: None,
        };
        if verified.scheme == SignatureScheme::Unsigned {
            // An unsigned ping proves nothing and carries nothing to act on: it is answered,
            // never remembered.
            return Ok(receipt);
        }
        let route = hook.route.unwrap_or_default();
        self.claim_receipt(&hook.connection_id, &route, &verified, headers, body, receipt, &options)
            .await
    }

    /// Claims an authentic delivery for `connection_id` once across every host sharing
    /// storage: by its dedupe key, and by the state of the object it is about.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn claim_receipt(
        &self,
        connection_id: &str,
        route: &str,
        verified: &Verified,
        headers: &[(String, String)],
        body: &[u8],
        mut receipt: Receipt,
        options: &ReceiveOptions,
    ) -> Result<Receipt, Error> {
        let now = self.host.now();
        let material = dedupe_material(verified, headers, body);
        let mut keys =
            vec![(delivery_key(connection_id, route, &material), options.dedupe_seconds)];
        // The same object in the same state may have been seen already: by a poll of this
        // connection, or by another delivery about it.
        if let Some(state_key) = receipt.event.as_ref().and_then(|e| e.state_key.as_deref()) {
            let seconds = options.dedupe_seconds.max(STATE_SECONDS);
            keys.push((state_storage_key(connection_id, state_key), seconds));
        }
        let holder = self.claim_holder()?;
        let handling = options.handling_seconds;
        let mut held: Option<String> = None;
        for (index, (key, _)) in keys.iter().enumerate() {
            let outcome = self.try_claim(key, now, handling, Some(&holder)).await?;
            let won = match outcome {
                Claim::Won(value) => Some(value),
                Claim::Held => {
                    receipt.status = ReceiptStatus::Duplicate;
                    None
                }
                Claim::Handling { until } => {
                    receipt.status = ReceiptStatus::Pending;
                    receipt.retry_after_seconds = Some(until.saturating_sub(now).max(1));
                    None
                }
            };
            match (won, &held) {
                (Some(value), _) => held = Some(value),
                // The object's state was taken already: this delivery is settled as a
                // duplicate for good, or, while another host is still handling that state,
                // left free so that its retry is judged again.
                (None, Some(value)) => {
                    let mine = &keys[..index];
                    if receipt.status == ReceiptStatus::Duplicate {
                        self.confirm_claims(value, mine).await?;
                    } else {
                        let mine: Vec<String> = mine.iter().map(|(key, _)| key.clone()).collect();
                        self.release_claims(value, &mine).await?;
                    }
                    return Ok(receipt);
                }
                (None, None) => return Ok(receipt),
            }
        }
        receipt.claim = held.map(|held| DeliveryClaim { held, keys }.encode());
        Ok(receipt)
    }

    /// The hook a route leads to, when the route is one forgelink issued and still current.
    async fn hook_for_route(&self, route: &str) -> Result<Option<HookRecord>, Error> {
        let Some(id) = route_id(route) else { return Ok(None) };
        let Some((target, _)) = self.read_sealed::<Route>(&route_key(&id)).await? else {
            return Ok(None);
        };
        let hook: Option<(HookRecord, Vec<u8>)> =
            self.read_sealed(&hook_key(&target.connection_id, &target.project)).await?;
        // A route left behind by an older registration leads nowhere.
        Ok(hook.map(|(hook, _)| hook).filter(|hook| {
            hook.route.as_deref() == Some(id.as_str()) && hook.connection_id == target.connection_id
        }))
    }
}

/// What a registration prepared for one project.
struct PreparedHook {
    /// The delivery URL to register.
    url: String,
    route: String,
    secret: WebhookSecret,
    /// GitLab's signing token, drawn beside the secret token.
    signing: Option<WebhookSecret>,
    /// Where this connection's hook on the project may point today: its recorded URL and the
    /// bare receiver URL of a registration made before routes existed.
    previous_urls: Vec<String>,
}

/// Something wrong with a registered hook.
pub(crate) struct HookProblem {
    /// What, for a person, with its code.
    pub(crate) error: Error,
    /// Nothing arrives from the project until someone acts: not a pause the provider ends by
    /// itself.
    pub(crate) lasting: bool,
}

/// A warning for a hook the provider itself stopped delivering to (GitLab's auto-disabling,
/// [`gitlab::FAILURES_BEFORE_TEMPORARY_DISABLE`]): deliveries were lost while it failed, and
/// the receiver was failing. `None` for a working hook, or one a person switched off.
pub(crate) fn disabled_hook(provider: Provider, project: &str, hook: &Hook) -> Option<HookProblem> {
    if provider != Provider::GitLab || hook.active {
        return None;
    }
    let message = match &hook.disabled_until {
        Some(until) => format!(
            "GitLab paused the webhook on {project} until {until} after {} or more failed deliveries in a row; it retries by itself then, and disables it for good after {}.",
            gitlab::FAILURES_BEFORE_TEMPORARY_DISABLE,
            gitlab::FAILURES_BEFORE_PERMANENT_DISABLE
        ),
        None => format!(
            "GitLab disabled the webhook on {project} for good after {} failed deliveries in a row; nothing is delivered until it is re-enabled.",
            gitlab::FAILURES_BEFORE_PERMANENT_DISABLE
        ),
    };
    Some(HookProblem {
        error: Error::new(Code::WebhookHookDisabled, message).for_provider(provider),
        lasting: hook.disabled_until.is_none(),
    })
}

/// A GitLab hook whose signing token the instance confirmed verifies by its signature alone;
/// a delivery carrying only the secret token then means the instance stopped signing (its
/// signing-token feature turned off since), not necessarily a forgery: the refusal says so,
/// and that registering the webhooks again goes back to the secret token.
fn unsigned_by_instance(
    provider: Provider,
    headers: &[(String, String)],
    secrets: &[WebhookSecret],
    error: Error,
) -> Error {
    let expects_signature = !secrets.is_empty()
        && secrets.iter().all(|s| s.secret().starts_with(gitlab::SIGNING_TOKEN_PREFIX));
    let unsigned = crate::webhooks::header(headers, gitlab::SIGNATURE_HEADER).is_none();
    if provider == Provider::GitLab
        && error.code == Code::WebhookSignatureMismatch
        && expects_signature
        && unsigned
    {
        return Error::new(
            error.code,
            "This hook signs its deliveries, but this one carries only a secret token: if the instance's signing tokens were turned off, register the webhooks again.",
        )
        .for_provider(Provider::GitLab);
    }
    error
}

impl PreparedHook {
    /// Every secret drawn for this registration.
    fn drawn(&self) -> Vec<&WebhookSecret> {
        self.signing.iter().chain([&self.secret]).collect()
    }
}

/// What identifies a delivery for deduplication, from signed material only: the Standard
/// Webhooks `webhook-id` (signed with the body and stable across the provider's retries), or
/// else the SHA-256 of the raw body. A delivery id in an unsigned header (`X-GitHub-Delivery`,
/// `X-Request-UUID`) is not used: a captured delivery replayed under a new id would pass.
fn dedupe_material(verified: &Verified, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let signed_id = (verified.scheme == SignatureScheme::StandardWebhooks)
        .then(|| crate::webhooks::header(headers, gitlab::SIGNED_ID_HEADER))
        .flatten()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    match signed_id {
        Some(id) => format!("id:{id}").into_bytes(),
        None => {
            let mut material = b"body:".to_vec();
            material.extend_from_slice(&Sha256::digest(body));
            material
        }
    }
}
