//! Registering webhooks idempotently, removing the ones forgelink created, and receiving
//! deliveries exactly once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api_error::parse_api_error;
use crate::endpoints::Endpoints;
use crate::error::{excerpt, Code, Error};
use crate::flows::connect::authorize;
use crate::flows::host::{nonce, Host, HostHmac};
use crate::flows::record::Record;
use crate::flows::store::{open, seal};
use crate::flows::Flows;
use crate::guidance::{troubleshoot, Guidance};
use crate::host_name::is_loopback;
use crate::identity::{parse_current_user, prepare_current_user};
use crate::profiles::profile;
use crate::provider::Provider;
use crate::secret::WebhookSecret;
use crate::webhooks::{
    bare_hook_uuid, identify_webhook, manual_webhook_setup, parse_hook, parse_hook_list,
    parse_webhook, prepare_create_hook, prepare_delete_hook, prepare_list_hooks,
    prepare_update_hook, verify_webhook_with, HookSpec, ManualSetup, VerifyOptions, WebhookEvent,
};

/// The hook id recorded for a hook an administrator creates by hand.
pub(crate) const MANUAL_HOOK_ID: &str = "manual";

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

/// What happened on one project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    /// stored, so the hook's deliveries verify once it exists.
    ManualSetupRequired,
    /// Nothing could be done; see the code and guidance.
    Failed,
}

/// The outcome for one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResult {
    /// The project.
    pub project: String,
    /// What happened.
    pub status: RegistrationStatus,
    /// The hook's id at the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook_id: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// What failed, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Guidance>,
    /// For [`RegistrationStatus::ManualSetupRequired`]: what to paste.
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// A hook forgelink manages (sealed in storage).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct HookRecord {
    connection_id: String,
    provider: Provider,
    project: String,
    hook_id: String,
    url: String,
    /// The current secret first; older ones with the time they stop verifying.
    secrets: Vec<(WebhookSecret, Option<i64>)>,
}

/// The projects of a connection that have a hook (sealed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct HookIndex {
    projects: Vec<String>,
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the claim on an object's state is kept, shared by deliveries and polls.
pub(crate) fn state_storage_key(state_key: &str) -> String {
    format!("forgelink/v1/state/{}", hex_sha256(state_key))
}

fn hook_key(connection_id: &str, project: &str) -> String {
    format!("forgelink/v1/hook/{connection_id}/{}", hex_sha256(&project.to_ascii_lowercase()))
}

fn index_key(connection_id: &str) -> String {
    format!("forgelink/v1/hooks-of/{connection_id}")
}

/// Where a delivery's hook is found: by the hook id its headers carry (GitHub, Bitbucket
/// Cloud), or by the repository its payload names (GitLab, Data Center). Bitbucket Cloud's
/// hook UUIDs are keyed without braces and in lower case, so that the API's `{uuid}` and a
/// delivery's `X-Hook-UUID: uuid` find the same record.
fn route_by_hook(provider: Provider, hook_id: &str) -> String {
    match provider {
        Provider::BitbucketCloud => hook_route(provider, &bare_hook_uuid(hook_id)),
        _ => hook_route(provider, hook_id),
    }
}

/// The storage key of a hook's route, for the id exactly as given.
fn hook_route(provider: Provider, id: &str) -> String {
    format!("forgelink/v1/route/{}/hook/{}", provider.as_str(), hex_sha256(id))
}

/// Every route under which a hook's record may be stored, the current one first. Records
/// stored before Bitbucket Cloud's UUIDs were compared without braces are keyed by the UUID
/// exactly as its API wrote it, braces included.
fn routes_by_hook(provider: Provider, hook_id: &str) -> Vec<String> {
    let mut routes = vec![route_by_hook(provider, hook_id)];
    if provider == Provider::BitbucketCloud {
        let bare = hook_id.trim().trim_start_matches('{').trim_end_matches('}');
        for legacy in [format!("{{{}}}", bare.to_ascii_lowercase()), format!("{{{bare}}}")] {
            let key = hook_route(provider, &legacy);
            if !routes.contains(&key) {
                routes.push(key);
            }
        }
    }
    routes
}

fn route_by_repository(provider: Provider, path: &str) -> String {
    format!(
        "forgelink/v1/route/{}/repo/{}",
        provider.as_str(),
        hex_sha256(&path.to_ascii_lowercase())
    )
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
    /// How long a delivery's dedupe key is remembered, in seconds (default: 7 days).
    pub dedupe_seconds: i64,
    /// Accept Bitbucket Data Center's unsigned test ping.
    pub allow_unsigned_ping: bool,
    /// How far a signed timestamp may be from now, in seconds (default 300).
    pub tolerance_seconds: Option<i64>,
}

impl Default for ReceiveOptions {
    fn default() -> Self {
        ReceiveOptions {
            dedupe_seconds: 7 * 86_400,
            allow_unsigned_ping: false,
            tolerance_seconds: None,
        }
    }
}

/// What became of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Authentic and new: act on it.
    Accepted,
    /// Authentic, but already accepted once (a redelivery, a retry, or another host's copy).
    Duplicate,
    /// Not authentic, or not readable: do not act on it.
    Rejected,
}

/// The outcome of [`Flows::receive_webhook`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Accepted, duplicate or rejected.
    pub status: ReceiptStatus,
    /// The normalised event, for accepted and duplicate deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<WebhookEvent>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// What was wrong, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn rejected(error: Error) -> Receipt {
    Receipt {
        status: ReceiptStatus::Rejected,
        event: None,
        code: Some(error.code),
        message: Some(error.message),
    }
}

impl<H: Host> Flows<H> {
    fn fresh_secret(&self) -> WebhookSecret {
        let mut bytes = [0u8; 32];
        self.host.fill_random(&mut bytes);
        WebhookSecret::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    async fn read_sealed<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<(T, Vec<u8>)>, Error> {
        match self.host.get(key).await? {
            Some(bytes) => Ok(Some((open(&self.key, key, &bytes)?, bytes))),
            None => Ok(None),
        }
    }

    /// Adds or removes a project in the connection's hook index, retrying on concurrent change.
    async fn update_index(
        &self,
        connection_id: &str,
        project: &str,
        present: bool,
    ) -> Result<(), Error> {
        let key = index_key(connection_id);
        for _ in 0..16 {
            let current: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&key).await?;
            let (mut index, bytes) =
                current.map_or((HookIndex::default(), None), |(i, b)| (i, Some(b)));
            index.projects.retain(|p| !p.eq_ignore_ascii_case(project));
            if present {
                index.projects.push(project.to_owned());
            }
            let sealed = seal(&self.key, &key, &index, nonce(&self.host))?;
            if self.host.compare_and_swap(&key, bytes.as_deref(), &sealed).await? {
                return Ok(());
            }
        }
        Err(Error::new(
            Code::StorageFailed,
            "The hook index kept changing under concurrent updates.",
        ))
    }

    /// Registers a webhook on every project, idempotently: a hook already pointing at `url`
    /// is updated (events and a fresh secret), otherwise one is created. Each hook gets its
    /// own random secret, stored sealed; the previous one keeps verifying for an hour.
    pub async fn register_webhooks(
        &self,
        id: &str,
        request: RegisterWebhooks,
    ) -> Result<Vec<RegistrationResult>, Error> {
        check_delivery_url(&request.url)?;
        let (record, endpoints) = self.fresh(id).await?;
        let provider = record.provider;
        let needs = profile(&request.profile)?.for_provider(provider);
        let events: Vec<String> = needs.webhook_events.iter().map(|n| n.name.to_owned()).collect();
        let token = record.tokens.access_token.secret().to_owned();
        let mut results = Vec::new();
        // Whether Data Center accepts the token, asked once if a hooks call answers 401.
        let mut token_accepted: Option<bool> = None;
        for project in &request.projects {
            let spec = HookSpec {
                url: request.url.clone(),
                secret: self.fresh_secret(),
                events: events.clone(),
            };
            let secret = spec.secret.clone();
            let mut outcome =
                self.register_one(id, &record, &endpoints, &token, project, spec).await;
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
                Ok(result) => results.push(result),
                Err(error)
                    if provider == Provider::BitbucketDataCenter
                        && error.code == Code::HttpForbidden =>
                {
                    // Without admin rights the hook is made by hand; its secret is kept so
                    // that its deliveries verify.
                    self.remember_hook(
                        id,
                        provider,
                        project,
                        "manual",
                        &request.url,
                        secret.clone(),
                    )
                    .await?;
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
                            &request.url,
                            &request.profile,
                            &secret,
                        )
                        .ok(),
                    });
                }
                Err(error) => results.push(failed(project, &error)),
            }
        }
        Ok(results)
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

    async fn register_one(
        &self,
        id: &str,
        record: &Record,
        endpoints: &Endpoints,
        token: &str,
        project: &str,
        spec: HookSpec,
    ) -> Result<RegistrationResult, Error> {
        let provider = record.provider;
        let mut existing = None;
        let mut url = prepare_list_hooks(endpoints, token, project)?.url;
        for _ in 0..MAX_HOOK_PAGES {
            let response =
                self.send(self.api_request(record, endpoints, "GET", url.clone())?).await?;
            let page = parse_hook_list(provider, &url, &response)?;
            existing = page
                .hooks
                .into_iter()
                .find(|h| h.url.trim_end_matches('/') == spec.url.trim_end_matches('/'));
            match (existing.is_some(), page.next) {
                (false, Some(next)) => url = next,
                _ => break,
            }
        }
        let (request, status) = match &existing {
            Some(hook) => (
                prepare_update_hook(endpoints, token, project, &hook.id, &spec)?,
                RegistrationStatus::Updated,
            ),
            None => (
                prepare_create_hook(endpoints, token, project, &spec)?,
                RegistrationStatus::Created,
            ),
        };
        let mut request = request;
        authorize(&mut request, record);
        let hook = parse_hook(provider, &self.send(request).await?)?;
        self.remember_hook(id, provider, project, &hook.id, &spec.url, spec.secret).await?;
        Ok(RegistrationResult {
            project: project.to_owned(),
            status,
            hook_id: Some(hook.id),
            code: None,
            message: None,
            guidance: None,
            manual_setup: None,
        })
    }

    /// Stores a hook's secret (keeping the previous one for an hour) and the routes that find
    /// it from a delivery.
    async fn remember_hook(
        &self,
        id: &str,
        provider: Provider,
        project: &str,
        hook_id: &str,
        url: &str,
        secret: WebhookSecret,
    ) -> Result<(), Error> {
        let key = hook_key(id, project);
        let now = self.host.now();
        let previous: Option<(HookRecord, Vec<u8>)> = self.read_sealed(&key).await?;
        let mut secrets = vec![(secret, None)];
        if let Some((old, _)) = &previous {
            secrets.extend(
                old.secrets
                    .iter()
                    .take(1)
                    .map(|(secret, _)| (secret.clone(), Some(now + OLD_SECRET_GRACE))),
            );
        }
        let stored = HookRecord {
            connection_id: id.to_owned(),
            provider,
            project: project.to_owned(),
            hook_id: hook_id.to_owned(),
            url: url.to_owned(),
            secrets,
        };
        self.host.set(&key, &seal(&self.key, &key, &stored, nonce(&self.host))?).await?;
        self.host.set(&route_by_hook(provider, hook_id), key.as_bytes()).await?;
        self.host.set(&route_by_repository(provider, project), key.as_bytes()).await?;
        self.update_index(id, project, true).await
    }

    /// Removes the hooks forgelink registered for the connection: on `projects`, or on all of
    /// them. A hook already gone at the provider counts as removed.
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
                // A hand-made hook (id "manual") is its administrator's to remove.
                if hook.hook_id != MANUAL_HOOK_ID {
                    let mut request =
                        prepare_delete_hook(&endpoints, &token, &project, &hook.hook_id)?;
                    authorize(&mut request, &record);
                    let response = self.send(request).await?;
                    if !(200..300).contains(&response.status) && response.status != 404 {
                        return Err(parse_api_error(record.provider, &response).error);
                    }
                }
                self.host.delete(&key).await?;
                for route in routes_by_hook(record.provider, &hook.hook_id) {
                    self.host.delete(&route).await?;
                }
                self.host.delete(&route_by_repository(record.provider, &project)).await?;
                self.update_index(id, &project, false).await
            }
            .await;
            results.push(match outcome {
                Ok(()) => RegistrationResult {
                    project: project.clone(),
                    status: RegistrationStatus::Removed,
                    message: (hook.hook_id == MANUAL_HOOK_ID).then(|| {
                        "forgelink forgot this hand-made hook's secret; its administrator deletes the hook in the repository's webhook settings.".to_owned()
                    }),
                    hook_id: Some(hook.hook_id),
                    code: None,
                    guidance: None,
                    manual_setup: None,
                },
                Err(error) => failed(&project, &error),
            });
        }
        Ok(results)
    }

    /// Deletes every stored hook record of the connection, with its routes; `true` when any
    /// was still there (its hook may still exist at the provider).
    pub(crate) async fn forget_hooks(&self, id: &str) -> Result<bool, Error> {
        let key = index_key(id);
        let index: Option<(HookIndex, Vec<u8>)> = self.read_sealed(&key).await?;
        let projects = index.map(|(i, _)| i.projects).unwrap_or_default();
        for project in &projects {
            let hook_key = hook_key(id, project);
            if let Some((hook, _)) = self.read_sealed::<HookRecord>(&hook_key).await? {
                for route in routes_by_hook(hook.provider, &hook.hook_id) {
                    self.host.delete(&route).await?;
                }
                self.host.delete(&route_by_repository(hook.provider, project)).await?;
            }
            self.host.delete(&hook_key).await?;
        }
        self.host.delete(&key).await?;
        Ok(!projects.is_empty())
    }

    /// Takes a delivery as received (headers and raw body): finds its hook's secrets, verifies
    /// it, reads it, and accepts it once across every host sharing storage.
    pub async fn receive_webhook(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        options: ReceiveOptions,
    ) -> Result<Receipt, Error> {
        let identity = match identify_webhook(headers) {
            Ok(identity) => identity,
            Err(error) => return Ok(rejected(error)),
        };
        let provider = identity.provider;
        let now = self.host.now();
        // The route is read from the headers or, for GitLab and Data Center, from the
        // unverified payload: only to find which secrets to check it with.
        let routes = match (&identity.hook_id, provider) {
            (Some(hook_id), Provider::GitHub | Provider::BitbucketCloud) => {
                routes_by_hook(provider, hook_id)
            }
            _ => parse_webhook(headers, body)
                .ok()
                .and_then(|event| event.repository.and_then(|r| r.full_path))
                .map(|path| route_by_repository(provider, &path))
                .into_iter()
                .collect(),
        };
        let mut secrets: Vec<WebhookSecret> = Vec::new();
        for route in routes {
            let Some(key) = self.host.get(&route).await? else { continue };
            let key = String::from_utf8_lossy(&key).into_owned();
            if let Some((hook, _)) = self.read_sealed::<HookRecord>(&key).await? {
                secrets = hook
                    .secrets
                    .into_iter()
                    .filter(|(_, until)| until.is_none_or(|until| until > now))
                    .map(|(secret, _)| secret)
                    .collect();
            }
            break;
        }
        let ping =
            provider == Provider::BitbucketDataCenter && identity.event == "diagnostics:ping";
        let verify = VerifyOptions {
            now: Some(now),
            tolerance_seconds: options.tolerance_seconds,
            allow_unsigned: ping && options.allow_unsigned_ping,
            allow_sha1: false,
        };
        if let Err(error) =
            verify_webhook_with(headers, body, &secrets, &verify, &HostHmac(self.host()))
        {
            return Ok(rejected(error));
        }
        let event = match parse_webhook(headers, body) {
            Ok(event) => event,
            Err(error) => return Ok(rejected(error)),
        };
        let key = format!("forgelink/v1/delivery/{}", hex_sha256(&event.dedupe_key));
        let mut first = self.claim_once(&key, now, options.dedupe_seconds).await?;
        if first {
            // The same object in the same state may have been seen already: by a poll, or by
            // another delivery about it.
            if let Some(state_key) = &event.state_key {
                let seconds = options.dedupe_seconds.max(STATE_SECONDS);
                first = self.claim_once(&state_storage_key(state_key), now, seconds).await?;
            }
        }
        let status = if first { ReceiptStatus::Accepted } else { ReceiptStatus::Duplicate };
        Ok(Receipt { status, event: Some(event), code: None, message: None })
    }

    /// Claims `key` for `seconds`: `true` for the first caller across every host sharing
    /// storage, and again once the claim has expired.
    pub(crate) async fn claim_once(
        &self,
        key: &str,
        now: i64,
        seconds: i64,
    ) -> Result<bool, Error> {
        let expires = now.saturating_add(seconds.max(1)).to_string();
        let mut first = self.host.compare_and_swap(key, None, expires.as_bytes()).await?;
        if !first {
            // Seen before; accept again only if that memory has expired.
            if let Some(current) = self.host.get(key).await? {
                let until: i64 = String::from_utf8_lossy(&current).parse().unwrap_or(i64::MAX);
                if until <= now {
                    first =
                        self.host.compare_and_swap(key, Some(&current), expires.as_bytes()).await?;
                }
            }
        }
        Ok(first)
    }
}
