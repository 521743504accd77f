//! GitHub Apps in the flows: creating an app from its manifest, connecting an installation,
//! minting installation tokens under the refresh lease, and the app's own webhook.
//!
//! forgelink never holds an app's private key: it builds the JWT and asks the host to sign it
//! ([`Host::sign`]). An installation's token is stored sealed in its connection like any
//! other token, and replaced ahead of its hour by one caller among all that share storage.

use serde::{Deserialize, Serialize};

use crate::base_url::{resolve_base_url, ResolvedBase};
use crate::endpoints::{endpoints_for, Endpoints};
use crate::error::{Code, Error};
use crate::flows::hooks::{current_secrets, rejected, Receipt, ReceiptStatus, ReceiveOptions};
use crate::flows::host::HostHmac;
use crate::flows::host::{random_id, Host, SignAlgorithm};
use crate::flows::record::{Auth, Connection, ConnectionStatus, Record, ScopeStatus, TOMBSTONE};
use crate::flows::report::{
    check, coded, failing, server_version_check, CheckStatus, ConnectionReport,
};
use crate::flows::store::{connection_key, hex_sha256, Change};
use crate::flows::Flows;
use crate::github_app::{
    app_call_failed, github_app_needs, jwt, jwt_signing_input, not_granted, parse_app_permissions,
    parse_installation, parse_installation_token, parse_manifest_conversion,
    parse_user_installations, permission_list, prepare_app, prepare_hook_config,
    prepare_installation, prepare_installation_token, prepare_manifest_conversion,
    refused_for_clock, user_installations_url, webhook_installation, GitHubAppCredentials,
    Installation, InstallationToken, RepositorySelection, TokenNarrowing,
};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::{bearer, parse_version, prepare_version, Account};
use crate::provider::Provider;
use crate::secret::{AccessToken, AuthorizationCode, ClientSecret, WebhookSecret};
use crate::tokens::{
    parse_token_response, prepare_revoke, prepare_token_exchange, OAuthClient, TokenSet,
};
use crate::webhooks::{identify_webhook, parse_webhook, verify_webhook_with, VerifyOptions};

/// What [`Flows::create_github_app`] needs: the `code` GitHub sent back to the manifest's
/// `redirect_url`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGitHubApp {
    /// github.com when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The code from the redirect.
    pub code: String,
}

/// What [`Flows::connect_github_app`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectGitHubApp {
    /// github.com when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The app's id: the host's signer finds the app's key by it.
    #[serde(deserialize_with = "crate::github_app::github_id")]
    pub app_id: u64,
    /// The app's client id, the JWT issuer GitHub recommends; the app id is used without it.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The installation to connect.
    #[serde(deserialize_with = "crate::github_app::github_id")]
    pub installation_id: u64,
    /// The profile whose permissions to check.
    #[serde(default)]
    pub profile: Option<String>,
    /// The setup callback's `code` (the app requests user authorization during
    /// installation): forgelink exchanges it and connects only if that person can reach the
    /// installation, since an installation id in a URL proves nothing. Leave it out only for
    /// ids from a trusted source (the app's own signed `installation` webhook).
    #[serde(default)]
    pub code: Option<AuthorizationCode>,
    /// The app's client secret, to exchange `code`.
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    /// The callback URL the code was issued for, when the app has several.
    #[serde(default)]
    pub redirect_uri: Option<String>,
}

/// What [`Flows::register_github_app`] needs to receive an app's webhook.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterGitHubApp {
    /// github.com when absent.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The app.
    #[serde(deserialize_with = "crate::github_app::github_id")]
    pub app_id: u64,
    /// The JWT issuer (client id); the app id without it.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Where the product receives deliveries; forgelink appends the route id.
    pub url: String,
}

/// Where the app's webhook now delivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppWebhook {
    /// The delivery URL set on the app.
    pub url: String,
    /// Its route id, as [`Flows::receive_webhook`] takes it.
    pub route: String,
}

/// How [`Flows::disconnect_with`] disconnects.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisconnectOptions {
    /// For a GitHub App connection: uninstall the app from the account
    /// (`DELETE /app/installations/{id}`). Without it the app stays installed and the report
    /// links to the page where a person uninstalls it.
    #[serde(default)]
    pub uninstall: bool,
}

/// An app's webhook as stored under its route (sealed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AppRoute {
    pub(crate) base_url: String,
    pub(crate) app_id: u64,
    /// The app's client id, which its users' OAuth connections name.
    #[serde(default)]
    pub(crate) client_id: Option<String>,
    /// The current secret first; older ones with the time they stop verifying.
    pub(crate) secrets: Vec<(WebhookSecret, Option<i64>)>,
}

/// The OAuth connections of one person through one GitHub client id (sealed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct UserIndex {
    pub(crate) connections: Vec<String>,
}

fn user_key(base_url: &str, client_id: &str, account_id: &str) -> String {
    format!(
        "forgelink/v1/github-app/user/{}",
        hex_sha256(format!("{base_url}\n{client_id}\n{account_id}"))
    )
}

/// Which connection holds an installation (sealed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InstallationIndex {
    pub(crate) connection_id: String,
}

/// How long a replaced app webhook secret keeps verifying: deliveries already signed with it
/// are still arriving.
const OLD_SECRET_SECONDS: i64 = 3600;

fn app_route_key(route: &str) -> String {
    format!("forgelink/v1/github-app/route/{}", hex_sha256(route))
}

/// The route of an app, by instance and id: one webhook per app.
fn app_hook_key(base_url: &str, app_id: u64) -> String {
    format!("forgelink/v1/github-app/hook/{}", hex_sha256(format!("{base_url}\n{app_id}")))
}

/// The connection of an installation, by instance, app and installation: a hostile
/// self-managed instance with the same numbers names another key.
pub(crate) fn installation_key(base_url: &str, app_id: u64, installation_id: u64) -> String {
    format!(
        "forgelink/v1/github-app/installation/{}",
        hex_sha256(format!("{base_url}\n{app_id}\n{installation_id}"))
    )
}

fn github(base_url: Option<&str>) -> Result<(ResolvedBase, Endpoints), Error> {
    let base = resolve_base_url(Provider::GitHub, base_url)?;
    let endpoints = endpoints_for(&base);
    Ok((base, endpoints))
}

/// The JWT's issuer: the client id where GitHub recommends it, the app id elsewhere.
/// Enterprise Server documents the client id as issuer from 3.14 only, and forgelink works
/// with 3.11 ("Generating a JSON Web Token (JWT) for a GitHub App", the `iss` claim, in each
/// release's documentation): there the app id, which every release takes.
fn issuer(base: &ResolvedBase, app_id: u64, client_id: Option<&String>) -> String {
    match (base.deployment, client_id) {
        (crate::provider::Deployment::Cloud, Some(client_id)) => client_id.clone(),
        _ => app_id.to_string(),
    }
}

/// Seconds between the host's clock and GitHub's, from an answer's `Date`.
fn clock_offset(response: &HttpResponse, now: i64) -> Option<i64> {
    let github_now = crate::tokens::http_date(response.header("Date")?)?;
    Some(github_now.saturating_sub(now))
}

impl<H: Host> Flows<H> {
    /// A JWT for the app, issued `offset` seconds from the host's clock and signed by the host.
    async fn app_jwt(&self, app_id: u64, issuer: &str, offset: i64) -> Result<String, Error> {
        let input = jwt_signing_input(issuer, self.host.now().saturating_add(offset));
        let signature =
            self.host.sign(SignAlgorithm::Rs256, &app_id.to_string(), input.as_bytes()).await?;
        Ok(jwt(&input, &signature))
    }

    /// Sends a JWT-authenticated request. When GitHub refuses the JWT's times, the host's clock
    /// is off from GitHub's: sign once more on GitHub's clock, read from its answer.
    async fn send_as_app(
        &self,
        app_id: u64,
        issuer: &str,
        build: impl Fn(&str) -> Result<HttpRequest, Error>,
    ) -> Result<HttpResponse, Error> {
        let response = self.send(build(&self.app_jwt(app_id, issuer, 0).await?)?).await?;
        if refused_for_clock(&response) {
            if let Some(offset) = clock_offset(&response, self.host.now()).filter(|o| *o != 0) {
                return self.send(build(&self.app_jwt(app_id, issuer, offset).await?)?).await;
            }
        }
        Ok(response)
    }

    /// Converts the manifest's `code` into the new app: its id, slug, client id and secret,
    /// webhook secret and private key. Nothing is stored: hand the key to the host's signer
    /// and keep the secrets where the product keeps secrets. The code converts once, within an
    /// hour.
    pub async fn create_github_app(
        &self,
        input: CreateGitHubApp,
    ) -> Result<GitHubAppCredentials, Error> {
        let request = prepare_manifest_conversion(input.base_url.as_deref(), &input.code)?;
        let response = self.send(request).await?;
        parse_manifest_conversion(input.base_url.as_deref(), &response)
    }

    /// Checks that the person who finished the installation can reach it: exchanges the setup
    /// callback's code for a user token, lists the installations that person can reach, and
    /// revokes the token again.
    async fn installation_reachable(
        &self,
        endpoints: &Endpoints,
        input: &ConnectGitHubApp,
        code: &AuthorizationCode,
    ) -> Result<(), Error> {
        let (Some(client_id), Some(secret)) = (&input.client_id, &input.client_secret) else {
            return Err(Error::new(
                Code::InputInvalid,
                "Checking the setup code needs the app's clientId and clientSecret.",
            )
            .for_provider(Provider::GitHub));
        };
        let client = OAuthClient {
            provider: Provider::GitHub,
            base_url: Some(endpoints.web.clone()),
            client_id: client_id.clone(),
            client_secret: Some(secret.clone()),
            redirect_uri: input.redirect_uri.clone(),
        };
        let request = prepare_token_exchange(&client, code, None)?;
        let tokens =
            parse_token_response(Provider::GitHub, &self.send(request).await?, self.host.now())?;
        let mut url = Some(user_installations_url(&endpoints.api));
        let mut found = false;
        // Ten pages of a hundred: a person who reaches more installations than that is not
        // someone a setup callback comes back for.
        for _ in 0..10 {
            let Some(next) = url.take() else { break };
            let response = self
                .send(bearer(HttpRequest::new("GET", next), tokens.access_token.secret()))
                .await;
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    self.revoke_user_token(&client, &tokens).await;
                    return Err(error);
                }
            };
            match parse_user_installations(&response) {
                Ok(ids) if ids.contains(&input.installation_id) => {
                    found = true;
                    break;
                }
                Ok(_) => url = response.header("Link").and_then(crate::api::next_link),
                Err(error) => {
                    self.revoke_user_token(&client, &tokens).await;
                    return Err(error);
                }
            }
        }
        self.revoke_user_token(&client, &tokens).await;
        if found {
            Ok(())
        } else {
            Err(Error::new(
                Code::GithubAppInstallationNotAccessible,
                "The person who returned from the installation page cannot reach this installation; nothing was connected.",
            )
            .for_provider(Provider::GitHub))
        }
    }

    async fn revoke_user_token(&self, client: &OAuthClient, tokens: &TokenSet) {
        if let Ok(request) = prepare_revoke(client, &tokens.access_token) {
            let _ = self.send(request).await;
        }
    }

    /// Reads an installation with the app's JWT.
    pub(crate) async fn read_installation(
        &self,
        api: &str,
        app_id: u64,
        issuer: &str,
        installation_id: u64,
    ) -> Result<Installation, Error> {
        let response = self
            .send_as_app(app_id, issuer, |jwt| Ok(prepare_installation(api, installation_id, jwt)))
            .await?;
        parse_installation(&response)
    }

    /// A new installation token, optionally narrowed.
    pub(crate) async fn mint_installation_token(
        &self,
        api: &str,
        app_id: u64,
        issuer: &str,
        installation_id: u64,
        narrowing: &TokenNarrowing,
    ) -> Result<InstallationToken, Error> {
        let response = self
            .send_as_app(app_id, issuer, |jwt| {
                prepare_installation_token(api, installation_id, jwt, narrowing)
            })
            .await?;
        parse_installation_token(&response, self.host.now())
    }

    /// Connects an installation of a GitHub App: checks the setup callback's code when given,
    /// reads the installation (account, permissions, events, repository selection), mints its
    /// first token and stores the connection. Connecting an installation that is already
    /// connected updates that connection and answers it, rather than making a second one.
    pub async fn connect_github_app(&self, input: ConnectGitHubApp) -> Result<Connection, Error> {
        let (base, endpoints) = github(input.base_url.as_deref())?;
        let required = match &input.profile {
            Some(profile) => github_app_needs(profile)?.permissions,
            None => &[],
        };
        if let Some(code) = &input.code {
            self.installation_reachable(&endpoints, &input, code).await?;
        }
        let issuer = issuer(&base, input.app_id, input.client_id.as_ref());
        let installation = self
            .read_installation(&endpoints.api, input.app_id, &issuer, input.installation_id)
            .await?;
        if installation.app_id != 0 && installation.app_id != input.app_id {
            return Err(Error::new(
                Code::HttpNotFound,
                "That installation belongs to another app.",
            )
            .for_provider(Provider::GitHub));
        }
        let token = self
            .mint_installation_token(
                &endpoints.api,
                input.app_id,
                &issuer,
                input.installation_id,
                &TokenNarrowing::default(),
            )
            .await?;
        let server_version = match prepare_version(&endpoints, token.token.secret()) {
            Some(request) => parse_version(Provider::GitHub, &self.send(request).await?).ok(),
            None => None,
        };
        let now = self.host.now();
        let required_scopes: Vec<String> =
            required.iter().map(|n| format!("{}:{}", n.permission, n.level.as_str())).collect();
        let missing = not_granted(&installation.permissions, &required_scopes);
        let mut record = Record {
            id: random_id(&self.host)?,
            provider: Provider::GitHub,
            base_url: base.base.clone(),
            deployment: base.deployment,
            auth: Auth::GitHubApp {
                app_id: input.app_id,
                issuer,
                installation_id: input.installation_id,
            },
            tokens: installation_tokens(&token),
            account: Account {
                id: installation.account.id.to_string(),
                username: installation.account.login.clone(),
                name: None,
                web_url: Some(format!("{}/{}", base.base, installation.account.login)),
            },
            profile: input.profile.clone(),
            required_scopes,
            scopes: ScopeStatus {
                granted: Some(permission_list(&installation.permissions)),
                missing,
            },
            server_version,
            status: ConnectionStatus::Active,
            refresh_lease: None,
            created_at: now,
            installation: Some(installation),
        };
        // One connection per installation: claim the index, or update whoever holds it.
        let index_key = installation_key(&base.base, input.app_id, input.installation_id);
        for _ in 0..crate::flows::store::MAX_SWAP_ATTEMPTS {
            let existing: Option<(InstallationIndex, Vec<u8>)> =
                self.read_sealed(&index_key).await?;
            // The index is free, or names a connection since disconnected: this one claims it.
            let mut claimed_from = None;
            if let Some((index, index_bytes)) = existing {
                match self.load(&index.connection_id).await {
                    Ok((current, bytes)) => {
                        let mut updated = record.clone();
                        updated.id = current.id.clone();
                        updated.created_at = current.created_at;
                        if self.swap(&bytes, &updated).await?.is_some() {
                            return Ok(updated.summary());
                        }
                        continue;
                    }
                    Err(error) if error.code == Code::ConnectionNotFound => {
                        claimed_from = Some(index_bytes)
                    }
                    Err(error) => return Err(error),
                }
            }
            let index =
                self.seal(&index_key, &InstallationIndex { connection_id: record.id.clone() })?;
            if !self
                .host
                .compare_and_swap(&index_key, claimed_from.as_deref(), &index, None)
                .await?
            {
                continue;
            }
            let key = connection_key(&record.id)?;
            let sealed = self.seal_record(&record)?;
            if !self.host.compare_and_swap(&key, None, &sealed, None).await? {
                return Err(Error::new(Code::StorageFailed, "A connection id was drawn twice."));
            }
            record.refresh_lease = None;
            return Ok(record.summary());
        }
        Err(Error::new(
            Code::StorageFailed,
            "The installation's connection kept changing while it was connected; try again.",
        ))
    }

    /// A token for the connection's installation narrowed to some repositories or
    /// permissions. It is minted for this call and not stored: the connection's own token,
    /// from [`Flows::access_token`], is the one shared across callers.
    pub async fn installation_token(
        &self,
        id: &str,
        narrowing: TokenNarrowing,
    ) -> Result<AccessToken, Error> {
        let (record, _) = self.load(id).await?;
        let Auth::GitHubApp { app_id, issuer, installation_id } = &record.auth else {
            return Err(not_an_app());
        };
        if record.status == ConnectionStatus::NeedsReauthorization {
            return Err(Error::new(
                Code::ConnectionNeedsReauthorization,
                "The app was uninstalled from this account: install it again and connect the new installation.",
            )
            .for_provider(Provider::GitHub));
        }
        let (_, endpoints) = github(Some(&record.base_url))?;
        let token = self
            .mint_installation_token(&endpoints.api, *app_id, issuer, *installation_id, &narrowing)
            .await?;
        Ok(token.token)
    }

    /// Points the app's webhook at `url` and a route of its own, with a fresh secret that
    /// forgelink keeps sealed (`PATCH /app/hook/config`, with the app's JWT). Deliveries to
    /// that URL then go through [`Flows::receive_webhook`] like any other: `installation` and
    /// `installation_repositories` events update the connections of the installations they are
    /// about. Registering again keeps the route and rotates the secret; the old one verifies
    /// for another hour.
    pub async fn register_github_app(&self, input: RegisterGitHubApp) -> Result<AppWebhook, Error> {
        let (base, endpoints) = github(input.base_url.as_deref())?;
        let receiver = url::Url::parse(input.url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| Error::new(Code::InputInvalid, "url must be an absolute https URL."))?;
        let hook_key = app_hook_key(&base.base, input.app_id);
        // One route per app: the first registration's stays.
        let drawn = random_id(&self.host)?;
        let stored = if self.host.compare_and_swap(&hook_key, None, drawn.as_bytes(), None).await? {
            drawn.into_bytes()
        } else {
            self.host.get(&hook_key).await?.unwrap_or_default()
        };
        let route = String::from_utf8(stored)
            .map_err(|_| Error::new(Code::StorageCorrupt, "An app's route is not text."))?;
        let url = format!("{}/{route}", receiver.as_str().trim_end_matches('/'));
        let secret = self.fresh_secret()?;
        let now = self.host.now();
        // The new secret verifies before GitHub signs with it; the old ones keep verifying
        // for an hour, since deliveries already signed with them are on their way.
        let route_key = app_route_key(&route);
        let new_secret = secret.clone();
        let base_url = base.base.clone();
        self.update_sealed(&route_key, None, |current: Option<AppRoute>| {
            let mut secrets = vec![(new_secret.clone(), None)];
            for (old, until) in current.map(|c| c.secrets).unwrap_or_default() {
                let until = until.unwrap_or(now.saturating_add(OLD_SECRET_SECONDS));
                if until > now {
                    secrets.push((old, Some(until)));
                }
            }
            let route = AppRoute {
                base_url: base_url.clone(),
                app_id: input.app_id,
                client_id: input.client_id.clone(),
                secrets,
            };
            Ok(Change::Write(route, ()))
        })
        .await?;
        let issuer = issuer(&base, input.app_id, input.client_id.as_ref());
        let response = self
            .send_as_app(input.app_id, &issuer, |jwt| {
                Ok(prepare_hook_config(&endpoints.api, jwt, &url, &secret))
            })
            .await?;
        if !(200..300).contains(&response.status) {
            return Err(app_call_failed(&response));
        }
        Ok(AppWebhook { url, route })
    }

    /// The app route a delivery was sent to, if it is one.
    pub(crate) async fn app_route(&self, route_id: &str) -> Result<Option<AppRoute>, Error> {
        Ok(self.read_sealed::<AppRoute>(&app_route_key(route_id)).await?.map(|(r, _)| r))
    }

    /// Whether forgelink receives the webhook of this connection's app.
    pub(crate) async fn app_hook_registered(&self, record: &Record) -> Result<bool, Error> {
        let Auth::GitHubApp { app_id, .. } = &record.auth else { return Ok(false) };
        Ok(self.host.get(&app_hook_key(&record.base_url, *app_id)).await?.is_some())
    }

    /// Applies what an app's `installation` or `installation_repositories` delivery says to
    /// the installation's connection: its installation facts, its status when uninstalled.
    /// `None` when no connection holds the installation.
    pub(crate) async fn apply_installation_event(
        &self,
        route: &AppRoute,
        event: &str,
        action: &str,
        installation: &Installation,
    ) -> Result<Option<String>, Error> {
        let index_key = installation_key(&route.base_url, route.app_id, installation.id);
        let Some((index, _)) = self.read_sealed::<InstallationIndex>(&index_key).await? else {
            return Ok(None);
        };
        let key = connection_key(&index.connection_id)?;
        for _ in 0..crate::flows::store::MAX_SWAP_ATTEMPTS {
            let Some(bytes) = self.host.get(&key).await? else { return Ok(None) };
            if bytes == TOMBSTONE {
                return Ok(None);
            }
            let (mut record, _) = self.load(&index.connection_id).await?;
            let Auth::GitHubApp { app_id, installation_id, .. } = &record.auth else {
                return Ok(None);
            };
            if *app_id != route.app_id || *installation_id != installation.id {
                return Ok(None);
            }
            let mut facts = installation.clone();
            if event == "installation" && action == "deleted" {
                record.status = ConnectionStatus::NeedsReauthorization;
            }
            if event == "installation" && action == "unsuspend" {
                facts.suspended_at = None;
            }
            if facts.app_id == 0 {
                facts.app_id = route.app_id;
            }
            record.scopes = ScopeStatus {
                granted: Some(permission_list(&facts.permissions)),
                missing: not_granted(&facts.permissions, &record.required_scopes),
            };
            record.installation = Some(facts);
            if self.swap(&bytes, &record).await?.is_some() {
                return Ok(Some(record.id));
            }
        }
        Err(Error::new(
            Code::StorageFailed,
            "The connection kept changing while an installation event was applied.",
        ))
    }
}

pub(crate) fn installation_tokens(token: &InstallationToken) -> TokenSet {
    TokenSet {
        access_token: token.token.clone(),
        token_type: "bearer".into(),
        refresh_token: None,
        expires_at: Some(token.expires_at),
        refresh_token_expires_at: None,
        scopes: permission_list(&token.permissions),
    }
}

pub(crate) fn not_an_app() -> Error {
    Error::new(Code::InputInvalid, "This connection is not a GitHub App installation.")
}

impl<H: Host> Flows<H> {
    /// Disconnects a GitHub App installation: revokes its token, uninstalls the app when asked
    /// (or links to the page where a person does), and leaves a tombstone.
    pub(crate) async fn disconnect_app(
        &self,
        record: Record,
        options: DisconnectOptions,
    ) -> Result<crate::flows::DisconnectReport, Error> {
        let Auth::GitHubApp { app_id, issuer, installation_id } = &record.auth else {
            return Err(not_an_app());
        };
        let (base, endpoints) = github(Some(&record.base_url))?;
        let mut uninstalled = false;
        if options.uninstall {
            let response = self
                .send_as_app(*app_id, issuer, |jwt| {
                    Ok(crate::github_app::prepare_uninstall(&endpoints.api, *installation_id, jwt))
                })
                .await?;
            match response.status {
                // Uninstalled now, or already gone.
                204 | 404 => uninstalled = true,
                _ => return Err(app_call_failed(&response)),
            }
        }
        // The installation token dies with the installation; otherwise revoke it now.
        let mut revoked = uninstalled;
        if !uninstalled {
            let request = crate::github_app::prepare_revoke_installation_token(
                &endpoints.api,
                &record.tokens.access_token,
            );
            revoked = self
                .send(request)
                .await
                .is_ok_and(|r| (200..300).contains(&r.status) || r.status == 401);
        }
        let key = connection_key(&record.id)?;
        let mut tombstoned = false;
        for _ in 0..crate::flows::store::MAX_SWAP_ATTEMPTS {
            let Some(bytes) = self.host.get(&key).await? else { break };
            if bytes == TOMBSTONE
                || self
                    .host
                    .compare_and_swap(
                        &key,
                        Some(&bytes),
                        TOMBSTONE,
                        Some(crate::flows::record::TOMBSTONE_SECONDS),
                    )
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
        // The installation's index is left in place: it names a tombstone now, which the
        // next connection of the installation takes over.
        self.host.delete(&crate::flows::poll::state_key(&record.id)).await?;
        self.host.delete(&crate::flows::feedback::issues_key(&record.id)).await?;
        let organization = record
            .installation
            .as_ref()
            .filter(|i| i.account.kind == "Organization")
            .map(|i| i.account.login.clone());
        let uninstall_url = (!uninstalled).then(|| {
            format!(
                "{}{}",
                base.base,
                crate::providers::github::installation_settings_path(
                    organization.as_deref(),
                    *installation_id
                )
            )
        });
        let manual_steps = if uninstalled {
            vec![]
        } else {
            vec!["The app is still installed: to remove it, open the installation's settings page (uninstallUrl) and choose Uninstall."]
        };
        Ok(crate::flows::DisconnectReport {
            revoked,
            webhooks: Vec::new(),
            manual_steps,
            uninstalled,
            uninstall_url,
        })
    }
}

impl<H: Host> Flows<H> {
    /// A delivery of a GitHub App's webhook: verified with the app's secrets, then applied to
    /// the connection of the installation it names. The installation is found by the route
    /// (which instance, which app) and the payload's installation id, which the signature
    /// vouches for: an app's secret signs only that app's deliveries.
    pub(crate) async fn receive_app_webhook(
        &self,
        app: AppRoute,
        route: &str,
        headers: &[(String, String)],
        body: &[u8],
        options: &ReceiveOptions,
    ) -> Result<Receipt, Error> {
        let identity = match identify_webhook(headers) {
            Ok(identity) if identity.provider == Provider::GitHub => identity,
            Ok(identity) => {
                return Ok(rejected(Error::new(
                    Code::WebhookSignatureMismatch,
                    format!(
                        "The delivery looks like {}'s, but this URL belongs to a GitHub App.",
                        identity.provider.display_name()
                    ),
                )))
            }
            Err(error) => return Ok(rejected(error)),
        };
        let now = self.host.now();
        let secrets = current_secrets(&app.secrets, now);
        let verify = VerifyOptions {
            now: Some(now),
            tolerance_seconds: options.tolerance_seconds,
            allow_unsigned: false,
            allow_sha1: false,
        };
        let verified =
            match verify_webhook_with(headers, body, &secrets, &verify, &HostHmac(self.host())) {
                Ok(verified) => verified,
                Err(error) => return Ok(rejected(error)),
            };
        let event = match parse_webhook(headers, body) {
            Ok(event) => event,
            Err(error) => return Ok(rejected(error)),
        };
        let payload: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let installation_id = crate::json::number(&payload, &["installation", "id"]);
        let action = event.action.clone().unwrap_or_default();
        let connection_id = match (identity.event.as_str(), webhook_installation(&payload)) {
            ("installation" | "installation_repositories", Some(installation)) => {
                self.apply_installation_event(&app, &identity.event, &action, &installation).await?
            }
            ("github_app_authorization", _) if action == "revoked" => {
                let user = crate::json::text(&payload, &["sender", "id"]).unwrap_or_default();
                self.revoke_user_connections(&app, &user).await?
            }
            _ => match installation_id {
                Some(id) => self.installation_connection(&app, id).await?,
                None => None,
            },
        };
        let receipt = Receipt {
            status: ReceiptStatus::Accepted,
            event: Some(event),
            connection_id: connection_id.clone(),
            project: None,
            claim: None,
            retry_after_seconds: None,
            code: None,
            message: None,
        };
        let Some(connection_id) = connection_id else {
            return Ok(Receipt {
                status: ReceiptStatus::Ignored,
                message: Some(
                    "No connection holds the installation this delivery is about.".into(),
                ),
                ..receipt
            });
        };
        let mut receipt = receipt;
        receipt.project = receipt
            .event
            .as_ref()
            .and_then(|e| e.repository.as_ref())
            .and_then(|r| r.full_path.clone());
        self.claim_receipt(&connection_id, route, &verified, headers, body, receipt, options).await
    }

    /// The live connection of an installation, if one holds it.
    async fn installation_connection(
        &self,
        app: &AppRoute,
        installation_id: u64,
    ) -> Result<Option<String>, Error> {
        let index_key = installation_key(&app.base_url, app.app_id, installation_id);
        let Some((index, _)) = self.read_sealed::<InstallationIndex>(&index_key).await? else {
            return Ok(None);
        };
        match self.load(&index.connection_id).await {
            Ok((record, _)) => Ok(matches!(
                record.auth,
                Auth::GitHubApp { app_id, installation_id: held, .. }
                    if app_id == app.app_id && held == installation_id
            )
            .then_some(record.id)),
            Err(error) if error.code == Code::ConnectionNotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

impl<H: Host> Flows<H> {
    /// The connection report of an installation: its token, the installation (there, not
    /// suspended, which repositories), the instance's version, the permissions granted
    /// against the profile's and those the app asks for that no owner has accepted yet, and
    /// whether forgelink hears the app's webhook. Stores nothing.
    pub(crate) async fn test_app(&self, id: &str) -> Result<ConnectionReport, Error> {
        let mut checks = Vec::new();
        let token = self.access_token(id).await;
        let (record, _) = self.load(id).await?;
        let Auth::GitHubApp { app_id, issuer, installation_id } = &record.auth else {
            return Err(not_an_app());
        };
        if let Err(error) = token {
            checks.push(failing("token", CheckStatus::Fail, &error));
            return Ok(ConnectionReport::new(checks, record.summary(), false));
        }
        let (_, endpoints) = github(Some(&record.base_url))?;
        let installation =
            match self.read_installation(&endpoints.api, *app_id, issuer, *installation_id).await {
                Ok(installation) => installation,
                Err(error) => {
                    if !error.code.unreached() {
                        checks.push(check(
                            "reachability",
                            CheckStatus::Pass,
                            format!("{} answered.", record.base_url),
                        ));
                    }
                    let name = if error.code.unreached() { "reachability" } else { "installation" };
                    checks.push(failing(name, CheckStatus::Fail, &error));
                    return Ok(ConnectionReport::new(checks, record.summary(), false));
                }
            };
        checks.push(check(
            "reachability",
            CheckStatus::Pass,
            format!("{} answered.", record.base_url),
        ));
        let selection = match installation.repository_selection {
            RepositorySelection::All => "all repositories",
            RepositorySelection::Selected => "selected repositories",
        };
        if installation.suspended_at.is_some() {
            checks.push(coded(
                "installation",
                CheckStatus::Fail,
                Code::GithubAppInstallationSuspended,
                Provider::GitHub,
                format!("The app is suspended on {}.", installation.account.login),
            ));
        } else {
            checks.push(check(
                "installation",
                CheckStatus::Pass,
                format!("Installed on {} ({selection}).", installation.account.login),
            ));
        }
        let mut version = record.server_version.clone();
        if let Some(request) = prepare_version(&endpoints, record.tokens.access_token.secret()) {
            if let Ok(found) = parse_version(Provider::GitHub, &self.send(request).await?) {
                checks.push(server_version_check(Provider::GitHub, &found, true, self.host.now()));
                version = Some(found);
            }
        }
        let granted = permission_list(&installation.permissions);
        let missing = not_granted(&installation.permissions, &record.required_scopes);
        // What the app asks for now, against what this installation accepted: the rest waits
        // for an owner of the account to accept it.
        let asked = self
            .send_as_app(*app_id, issuer, |jwt| Ok(prepare_app(&endpoints.api, jwt)))
            .await
            .and_then(|response| parse_app_permissions(&response));
        let pending: Vec<String> = match &asked {
            Ok(asked) => not_granted(&installation.permissions, &permission_list(asked)),
            Err(_) => Vec::new(),
        };
        if !missing.is_empty() {
            checks.push(coded(
                "permissions",
                CheckStatus::Fail,
                Code::GithubAppPermissionMissing,
                Provider::GitHub,
                if pending.is_empty() {
                    format!("Missing permissions: {}.", missing.join(", "))
                } else {
                    format!(
                        "Missing permissions: {}. The app asks for {}, which an owner of {} has not accepted yet.",
                        missing.join(", "),
                        pending.join(", "),
                        installation.account.login
                    )
                },
            ));
        } else if !pending.is_empty() {
            checks.push(coded(
                "permissions",
                CheckStatus::Warn,
                Code::GithubAppPermissionMissing,
                Provider::GitHub,
                format!(
                    "The app asks for {}, which an owner of {} has not accepted yet.",
                    pending.join(", "),
                    installation.account.login
                ),
            ));
        } else {
            checks.push(check(
                "permissions",
                CheckStatus::Pass,
                "Every permission the profile needs is granted.",
            ));
        }
        checks.push(if self.app_hook_registered(&record).await? {
            check("webhooks", CheckStatus::Pass, "The app's webhook delivers to forgelink.")
        } else {
            check(
                "webhooks",
                CheckStatus::Warn,
                "forgelink does not receive this app's webhook: register it to hear of suspensions, removals and new repositories.",
            )
        });
        let observed = Connection {
            server_version: version,
            scopes: ScopeStatus { granted: Some(granted), missing },
            installation: Some(installation),
            ..record.summary()
        };
        Ok(ConnectionReport::new(checks, observed, true))
    }
}

impl<H: Host> Flows<H> {
    /// Adds a GitHub OAuth connection to its person's index.
    pub(crate) async fn index_github_user(
        &self,
        base_url: &str,
        client_id: &str,
        account_id: &str,
        connection_id: &str,
    ) -> Result<(), Error> {
        let key = user_key(base_url, client_id, account_id);
        self.update_sealed(&key, None, |index: Option<UserIndex>| {
            let mut index = index.unwrap_or_default();
            // Connections disconnected since stay listed until they are looked at: a person has
            // few, and each is checked when a revocation arrives.
            if index.connections.iter().any(|c| c == connection_id) {
                return Ok(Change::Keep(()));
            }
            index.connections.push(connection_id.to_owned());
            Ok(Change::Write(index, ()))
        })
        .await
    }

    /// A person revoked their authorization of the app (`github_app_authorization`): each of
    /// their OAuth connections through the app's client id needs them again. The first such
    /// connection, or `None` when there is none (or the app was registered without its client
    /// id).
    async fn revoke_user_connections(
        &self,
        app: &AppRoute,
        account_id: &str,
    ) -> Result<Option<String>, Error> {
        let Some(client_id) = &app.client_id else { return Ok(None) };
        let key = user_key(&app.base_url, client_id, account_id);
        let Some((index, _)) = self.read_sealed::<UserIndex>(&key).await? else { return Ok(None) };
        let mut first = None;
        for id in &index.connections {
            for _ in 0..crate::flows::store::MAX_SWAP_ATTEMPTS {
                let (mut record, bytes) = match self.load(id).await {
                    Ok(loaded) => loaded,
                    Err(error) if error.code == Code::ConnectionNotFound => break,
                    Err(error) => return Err(error),
                };
                let ours = matches!(&record.auth, Auth::OAuth { client } if &client.client_id == client_id)
                    && record.account.id == account_id
                    && record.base_url == app.base_url;
                if !ours {
                    break;
                }
                first.get_or_insert_with(|| id.clone());
                if record.status == ConnectionStatus::NeedsReauthorization {
                    break;
                }
                record.status = ConnectionStatus::NeedsReauthorization;
                if self.swap(&bytes, &record).await?.is_some() {
                    break;
                }
            }
        }
        Ok(first)
    }
}
