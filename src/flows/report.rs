//! Testing a connection, and disconnecting it.

use serde::Serialize;

use crate::error::{Code, Error};
use crate::flows::connect::scope_status;
use crate::flows::hooks::HookProblem;
use crate::flows::host::Host;
use crate::flows::record::{
    Auth, Connection, ConnectionStatus, Record, TOMBSTONE, TOMBSTONE_SECONDS,
};
use crate::flows::store::{connection_key, open};
use crate::flows::Flows;
use crate::guidance::{troubleshoot, Guidance};
use crate::provider::Provider;
use crate::tokens::prepare_revoke;
use crate::versions::{day, server_support, Standing};

/// Warn this long before a token that must be rotated by hand expires.
const EXPIRY_WARNING: i64 = 14 * 86_400;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Works, but needs attention soon.
    Warn,
    /// Broken: the guidance says how to fix it.
    Fail,
}

/// One line of a connection report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// `token`, `reachability`, `identity`, `server-version`, `scopes`, `token-expiry`,
    /// `refresh-token` or `webhooks`; for a GitHub App, `installation` and `permissions`
    /// in place of `identity` and `scopes`.
    pub name: &'static str,
    /// Pass, warn or fail.
    pub status: CheckStatus,
    /// The code behind a warning or failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code: Option<Code>,
    /// What was found, for a person.
    pub message: String,
    /// How to fix a warning or failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub guidance: Option<Guidance>,
}

/// What [`Flows::test_connection`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ConnectionReport {
    /// No check failed.
    pub ok: bool,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The connection as this test found it, so that a summary shown beside the checks never
    /// contradicts them: the scopes, expiry and version read now, and the status
    /// `needs-reauthorization` when a check failed in a way only new credentials fix. The
    /// account stays the one that connected (the `identity` check names who the token acts as).
    pub connection: Connection,
    /// Whether the test reached the provider and read the values above; when it did not (the
    /// token or the instance failed first), they are the ones stored when connecting.
    pub observed: bool,
}

impl ConnectionReport {
    pub(crate) fn new(checks: Vec<Check>, mut connection: Connection, observed: bool) -> Self {
        let failed = |check: &Check| check.status == CheckStatus::Fail;
        if checks.iter().filter(|c| failed(c)).any(|c| c.code.is_some_and(needs_new_credentials)) {
            connection.status = ConnectionStatus::NeedsReauthorization;
        }
        Self { ok: !checks.iter().any(failed), checks, connection, observed }
    }
}

/// Failures that only a new token or a new authorization fixes.
fn needs_new_credentials(code: Code) -> bool {
    matches!(
        code,
        Code::TokenExpired
            | Code::TokenAppPasswordRetired
            | Code::HttpUnauthorized
            | Code::OauthInvalidGrant
            | Code::ConnectionNeedsReauthorization
    )
}

/// What [`Flows::disconnect`] did and what is left to a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DisconnectReport {
    /// Whether the provider revoked the token.
    pub revoked: bool,
    /// The webhooks forgelink had registered, and what became of each: every one not
    /// `removed` is still at the provider, or may be. A failed one carries its guidance (the
    /// hook is left at the provider, also when the provider refused the connection); one that
    /// needed manual setup was never created by forgelink, and deleting it is its
    /// administrator's part.
    pub webhooks: Vec<crate::flows::RegistrationResult>,
    /// Steps forgelink cannot take for the person.
    pub manual_steps: Vec<&'static str>,
    /// For a GitHub App connection: whether the app was uninstalled from the account.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub uninstalled: bool,
    /// For a GitHub App connection left installed: the installation's settings page, where a
    /// person uninstalls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub uninstall_url: Option<String>,
}

pub(crate) fn check(name: &'static str, status: CheckStatus, message: impl Into<String>) -> Check {
    Check { name, status, code: None, message: message.into(), guidance: None }
}

pub(crate) fn failing(name: &'static str, status: CheckStatus, error: &Error) -> Check {
    Check {
        name,
        status,
        code: Some(error.code),
        message: error.message.clone(),
        guidance: Some(troubleshoot(error.code, error.provider)),
    }
}

pub(crate) fn coded(
    name: &'static str,
    status: CheckStatus,
    code: Code,
    provider: Provider,
    message: impl Into<String>,
) -> Check {
    Check {
        name,
        status,
        code: Some(code),
        message: message.into(),
        guidance: Some(troubleshoot(code, Some(provider))),
    }
}

/// The `webhooks` check: every registered hook in place and delivering passes; a hook the
/// provider paused is a warning (it retries by itself); a deleted hook, or one disabled for
/// good, fails, since nothing arrives from that project until someone acts.
fn webhooks_check(provider: Provider, problems: &[HookProblem]) -> Check {
    let Some(worst) = problems.iter().max_by_key(|p| p.lasting) else {
        return check(
            "webhooks",
            CheckStatus::Pass,
            "Every webhook forgelink registered is in place and delivering.",
        );
    };
    let message = problems.iter().map(|p| p.error.message.as_str()).collect::<Vec<_>>().join(" ");
    let status = if worst.lasting { CheckStatus::Fail } else { CheckStatus::Warn };
    coded("webhooks", status, worst.error.code, provider, message)
}

fn days(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

/// The `server-version` check: a version older than forgelink needs fails; one past its
/// vendor's support is a warning that names the day support ended and the release to
/// upgrade to, both judged on the day of `now`, the host's clock.
pub(crate) fn server_version_check(
    provider: Provider,
    version: &str,
    oauth: bool,
    now: i64,
) -> Check {
    let product = server_product(provider);
    match server_support(provider, version, oauth, now) {
        Standing::TooOld { minimum, reason } => coded(
            "server-version",
            CheckStatus::Fail,
            Code::ServerTooOld,
            provider,
            match reason {
                Some(reason) => format!("{product} {version} is older than {minimum}, the oldest forgelink works with: {reason}."),
                None => format!("{product} {version} is older than {minimum}, the oldest forgelink works with."),
            },
        ),
        Standing::PastSupport { release, oldest_then, oldest_now } => {
            let mut message = format!(
                "{product} {version}: {vendor} stopped supporting {} on {} and ships no more fixes for it, not even for security.",
                release.version,
                release.deprecated,
                vendor = provider.display_name(),
            );
            if let Some(then) = oldest_then.filter(|then| Some(*then) != oldest_now) {
                message.push_str(&format!(
                    " On that day the oldest supported release was {}.",
                    then.version
                ));
            }
            match oldest_now {
                Some(target) => message.push_str(&format!(
                    " As of {}, the oldest supported release is {} (until {}): upgrade to {} or later.",
                    day(now),
                    target.version,
                    target.deprecated,
                    target.version
                )),
                None => message.push_str(&format!(
                    " forgelink knows no release still supported on {}: upgrade to the newest release.",
                    day(now)
                )),
            }
            coded("server-version", CheckStatus::Warn, Code::ServerDeprecated, provider, message)
        }
        Standing::Supported { release } => check(
            "server-version",
            CheckStatus::Pass,
            format!(
                "{product} {version}, supported by {} until {}.",
                provider.display_name(),
                release.deprecated
            ),
        ),
        Standing::Newer => check(
            "server-version",
            CheckStatus::Pass,
            format!("{product} {version}, newer than the releases forgelink knows the dates of."),
        ),
        Standing::Unknown => {
            check("server-version", CheckStatus::Pass, format!("{product} {version}."))
        }
    }
}

/// The self-hosted product's name, as a person reads it in a version check.
fn server_product(provider: Provider) -> &'static str {
    match provider {
        Provider::GitHub => "GitHub Enterprise Server",
        other => other.display_name(),
    }
}

impl<H: Host> Flows<H> {
    /// Checks the connection end to end: a fresh token, reachability and TLS, the account,
    /// the server version, the scopes, how long the tokens last, and whether the webhooks
    /// forgelink registered are still in place and delivering.
    pub async fn test_connection(&self, id: &str) -> Result<ConnectionReport, Error> {
        if let Ok((record, _)) = self.load(id).await {
            if matches!(record.auth, Auth::GitHubApp { .. }) {
                return self.test_app(id).await;
            }
        }
        let mut checks = Vec::new();
        let token = self.access_token(id).await;
        let (mut record, _) = self.load(id).await?;
        let provider = record.provider;
        if let Err(error) = token {
            checks.push(failing("token", CheckStatus::Fail, &error));
            return Ok(ConnectionReport::new(checks, record.summary(), false));
        }
        let endpoints = crate::base_url::resolve_base_url(provider, Some(&record.base_url))
            .map(|base| crate::endpoints::endpoints_for(&base))?;
        let facts = match self.inspect(&endpoints, &record).await {
            Ok(facts) => {
                checks.push(check(
                    "reachability",
                    CheckStatus::Pass,
                    format!("{} answered.", record.base_url),
                ));
                facts
            }
            Err(error) => {
                // A refused address or an oversized answer is about reaching the instance,
                // not about who the token is.
                let reachable = !(error.code.unreached()
                    || matches!(
                        error.code,
                        Code::NetworkAddressBlocked
                            | Code::NetworkInsecureHttp
                            | Code::HttpResponseTooLarge
                    ));
                if reachable {
                    checks.push(check(
                        "reachability",
                        CheckStatus::Pass,
                        format!("{} answered.", record.base_url),
                    ));
                }
                checks.push(failing(
                    if reachable { "identity" } else { "reachability" },
                    CheckStatus::Fail,
                    &error,
                ));
                return Ok(ConnectionReport::new(checks, record.summary(), false));
            }
        };
        if facts.account.id == record.account.id {
            checks.push(check(
                "identity",
                CheckStatus::Pass,
                format!("Connected as {}.", facts.account.username),
            ));
        } else {
            checks.push(check(
                "identity",
                CheckStatus::Warn,
                format!(
                    "The token now acts as {}, not {} who connected it.",
                    facts.account.username, record.account.username
                ),
            ));
        }
        let oauth = matches!(record.auth, Auth::OAuth { .. });
        match &facts.version {
            Some(version) => {
                checks.push(server_version_check(provider, version, oauth, self.host.now()))
            }
            None if record.deployment == crate::provider::Deployment::SelfHosted => {
                checks.push(check(
                    "server-version",
                    CheckStatus::Warn,
                    "The instance did not tell its version.",
                ))
            }
            None => {}
        }
        let granted = facts.granted_scopes.clone().or_else(|| record.scopes.granted.clone());
        record.scopes = scope_status(provider, granted, &record.required_scopes);
        match (&record.scopes.granted, record.scopes.missing.is_empty()) {
            (None, _) => checks.push(check(
                "scopes",
                CheckStatus::Warn,
                "The provider does not tell this token's scopes; check them by hand.",
            )),
            (Some(_), true) => checks.push(check(
                "scopes",
                CheckStatus::Pass,
                "Every scope the profile needs is granted.",
            )),
            (Some(_), false) => checks.push(coded(
                "scopes",
                CheckStatus::Fail,
                Code::HttpMissingScope,
                provider,
                format!("Missing scopes: {}.", record.scopes.missing.join(", ")),
            )),
        }
        let now = self.host.now();
        let refreshable = record.tokens.refresh_token.is_some() && oauth;
        // A retired kind of token (Bitbucket Cloud app passwords) works until its removal date,
        // judged by the host's clock; until then the report warns, whatever the date.
        let retirement = (!oauth)
            .then(|| crate::detect::detect_token(record.tokens.access_token.secret()).retirement)
            .flatten();
        if let Some(retirement) = retirement {
            let day =
                |at: i64| crate::polling::rfc3339(at).get(..10).unwrap_or_default().to_owned();
            let message = if now >= retirement.brownouts_from {
                format!(
                    "This is an app password: Bitbucket Cloud refuses them at times since {} and removes them on {}. Replace it with an API token now.",
                    day(retirement.brownouts_from),
                    day(retirement.removed_at)
                )
            } else {
                format!(
                    "This is an app password: Bitbucket Cloud removes them on {} (with brownouts from {}). Replace it with an API token before then.",
                    day(retirement.removed_at),
                    day(retirement.brownouts_from)
                )
            };
            checks.push(coded(
                "token-expiry",
                CheckStatus::Warn,
                Code::TokenAppPasswordRetired,
                provider,
                message,
            ));
        } else {
            match facts.token_expires_at.or(record.tokens.expires_at) {
                Some(at) if at <= now => checks.push(coded(
                    "token-expiry",
                    CheckStatus::Fail,
                    Code::TokenExpired,
                    provider,
                    "The token has expired.",
                )),
                Some(at) if !refreshable && at.saturating_sub(now) < EXPIRY_WARNING => {
                    checks.push(coded(
                        "token-expiry",
                        CheckStatus::Warn,
                        Code::TokenExpired,
                        provider,
                        format!(
                            "The token expires in {} days; replace it with a new one before then.",
                            days(at.saturating_sub(now))
                        ),
                    ))
                }
                Some(at) if refreshable => checks.push(check(
                    "token-expiry",
                    CheckStatus::Pass,
                    format!(
                        "Valid for {} more minutes, then refreshed.",
                        at.saturating_sub(now) / 60
                    ),
                )),
                Some(at) => checks.push(check(
                    "token-expiry",
                    CheckStatus::Pass,
                    format!("Expires in {} days.", days(at.saturating_sub(now))),
                )),
                // GitLab reports a personal token's expiry, and a token response without a
                // lifetime issued one that lasts; elsewhere a pasted token's expiry is only
                // known when the provider says it.
                None if oauth || provider == Provider::GitLab => checks.push(check(
                    "token-expiry",
                    CheckStatus::Pass,
                    "The token does not expire.",
                )),
                None => checks.push(check(
                    "token-expiry",
                    CheckStatus::Pass,
                    format!(
                        "{} did not say when this token expires: check the date chosen when it was created.",
                        provider.display_name()
                    ),
                )),
            }
        }
        if oauth {
            match (
                record.status,
                record.tokens.refresh_token.is_some(),
                record.tokens.refresh_token_expires_at,
            ) {
                (ConnectionStatus::NeedsReauthorization, _, _) => checks.push(coded(
                    "refresh-token",
                    CheckStatus::Fail,
                    Code::ConnectionNeedsReauthorization,
                    provider,
                    "The refresh token is no longer accepted.",
                )),
                (_, true, Some(at)) if at.saturating_sub(now) < EXPIRY_WARNING => {
                    checks.push(coded(
                        "refresh-token",
                        CheckStatus::Warn,
                        Code::ConnectionNeedsReauthorization,
                        provider,
                        format!(
                        "The refresh token expires in {} days; re-authorize the connection then.",
                        days(at.saturating_sub(now))
                    ),
                    ))
                }
                (_, true, _) => checks.push(check(
                    "refresh-token",
                    CheckStatus::Pass,
                    "The refresh token is valid.",
                )),
                (_, false, _) => checks.push(check(
                    "refresh-token",
                    CheckStatus::Pass,
                    "The token does not expire, so no refresh token is needed.",
                )),
            }
        }
        match self.hook_problems(&record, &endpoints).await {
            Ok(None) => {}
            Ok(Some(problems)) => checks.push(webhooks_check(provider, &problems)),
            Err(error) => checks.push(failing("webhooks", CheckStatus::Warn, &error)),
        }
        let observed = Connection {
            expires_at: facts.token_expires_at.or(record.tokens.expires_at),
            server_version: facts.version.or_else(|| record.server_version.clone()),
            ..record.summary()
        };
        Ok(ConnectionReport::new(checks, observed, true))
    }

    /// Revokes what the provider lets forgelink revoke, replaces the stored connection with a
    /// tombstone, and lists what a person must still do. When the revocation cannot be sent
    /// (the network failed), nothing is deleted, so the call can be repeated.
    ///
    /// The tombstone goes in through compare-and-swap: a refresh that finishes afterwards
    /// finds it and revokes its new tokens instead of writing the connection back, and a
    /// refresh that finished first has its tokens revoked here.
    pub async fn disconnect(&self, id: &str) -> Result<DisconnectReport, Error> {
        self.disconnect_with(id, crate::flows::DisconnectOptions::default()).await
    }

    /// [`Flows::disconnect`], with options: a GitHub App connection can uninstall the app.
    pub async fn disconnect_with(
        &self,
        id: &str,
        options: crate::flows::DisconnectOptions,
    ) -> Result<DisconnectReport, Error> {
        let (record, _) = self.load(id).await?;
        if let Auth::GitHubApp { .. } = record.auth {
            return self.disconnect_app(record, options).await;
        }
        let provider = record.provider;
        // Webhooks first, while the token still works; a connection the provider no longer
        // accepts cannot remove them, and each is reported as left, with why.
        let webhooks = match self.unregister_webhooks(id, None).await {
            Ok(results) => results,
            Err(error) if error.code.unreached() => return Err(error),
            Err(error) => self.hooks_left(id, &error).await?,
        };
        self.forget_hooks(id).await?;
        let hooks_left =
            webhooks.iter().any(|r| r.status != crate::flows::RegistrationStatus::Removed);
        let key = connection_key(id)?;
        let mut revoked = false;
        let mut revoked_tokens: Vec<String> = Vec::new();
        let mut tombstoned = false;
        for _ in 0..16 {
            let Some(bytes) = self.host.get(&key).await? else { break };
            if bytes == TOMBSTONE {
                tombstoned = true;
                break;
            }
            let current: Record = open(&self.key, &key, &bytes)?;
            let token = current.tokens.access_token.secret();
            if let Auth::OAuth { client } = &current.auth {
                if !revoked_tokens.iter().any(|t| t == token) {
                    if let Ok(request) = prepare_revoke(client, &current.tokens.access_token) {
                        let response = self.send(request).await?;
                        revoked = (200..300).contains(&response.status);
                    }
                    revoked_tokens.push(token.to_owned());
                }
            }
            if self
                .host
                .compare_and_swap(&key, Some(&bytes), TOMBSTONE, Some(TOMBSTONE_SECONDS))
                .await?
            {
                tombstoned = true;
                break;
            }
        }
        if !tombstoned {
            return Err(Error::new(
                Code::StorageFailed,
                "The connection kept changing while it was disconnected; call disconnect again.",
            ));
        }
        self.host.delete(&crate::flows::poll::state_key(id)).await?;
        self.host.delete(&crate::flows::feedback::issues_key(id)).await?;
        let manual_steps: Vec<&'static str> = match (provider, &record.auth, revoked) {
            (_, Auth::Token { .. }, _) => vec!["Delete the access token in the provider's settings if nothing else uses it."],
            (Provider::GitHub, _, _) => vec!["To remove the application entirely, open GitHub Settings → Applications → Authorized OAuth Apps and revoke it."],
            (Provider::GitLab, _, true) => vec![],
            (Provider::GitLab, _, false) => vec!["Revoke the application under GitLab User settings → Applications → Authorized applications."],
            (Provider::BitbucketCloud, _, _) => vec!["Revoke the application under Bitbucket Personal settings → App authorizations."],
            (Provider::BitbucketDataCenter, _, _) => vec!["Revoke the application under Bitbucket Profile → Manage account → Authorized applications."],
        };
        let mut manual_steps = manual_steps;
        if hooks_left {
            manual_steps.push("Delete the webhooks listed as not removed, in each project's webhook settings: their deliveries are refused from now on.");
        }
        Ok(DisconnectReport {
            revoked,
            webhooks,
            manual_steps,
            uninstalled: false,
            uninstall_url: None,
        })
    }
}
