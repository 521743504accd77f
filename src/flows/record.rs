//! The connection as stored, and the summary handed to callers.

use serde::{Deserialize, Serialize};

use crate::error::Code;
use crate::error::Error;
use crate::flows::host::Host;
use crate::flows::store::{connection_key, open};
use crate::flows::Flows;
use crate::identity::Account;
use crate::provider::{Deployment, Provider};
use crate::tokens::{OAuthClient, TokenSet};

/// Whether a connection still works without the person: `active`, its tokens work or can be
/// refreshed; `needs_reauthorization`, the person must re-authorize it or replace its
/// credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Its tokens work or can be refreshed.
    Active,
    /// The provider refused its refresh token (or, in a connection report, a check failed that
    /// only new credentials fix): the person must re-authorize the connection (`connect_start`
    /// with its id) or replace its credentials.
    NeedsReauthorization,
}

/// Granted scopes against the profile's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ScopeStatus {
    /// The scopes granted, where the provider tells (it does not for fine-grained GitHub
    /// tokens and Data Center access tokens).
    pub granted: Option<Vec<String>>,
    /// The profile's scopes that are not granted (empty when `granted` is unknown).
    pub missing: Vec<String>,
}

/// A refresh in progress: whoever holds it until `until` is the only one to refresh.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Lease {
    pub(crate) holder: String,
    pub(crate) until: i64,
}

/// How the connection authenticates.
// `OAuth` ends in the enum's name by chance, and stored records name it (`o_auth`).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Auth {
    OAuth {
        client: OAuthClient,
    },
    Token {
        token_kind: String,
        basic_user: Option<String>,
    },
    /// An installation of a GitHub App: tokens minted with the app's JWT, which the host signs.
    GitHubApp {
        app_id: u64,
        issuer: String,
        installation_id: u64,
    },
}

/// Everything stored for a connection (sealed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) provider: Provider,
    pub(crate) base_url: String,
    pub(crate) deployment: Deployment,
    pub(crate) auth: Auth,
    pub(crate) tokens: TokenSet,
    pub(crate) account: Account,
    pub(crate) profile: Option<String>,
    pub(crate) required_scopes: Vec<String>,
    pub(crate) scopes: ScopeStatus,
    pub(crate) server_version: Option<String>,
    pub(crate) status: ConnectionStatus,
    pub(crate) refresh_lease: Option<Lease>,
    pub(crate) created_at: i64,
    /// For a GitHub App connection: the installation as last read.
    #[serde(default)]
    pub(crate) installation: Option<crate::github_app::Installation>,
}

/// A connected account, as the caller sees it (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// The id to pass to the other flows.
    pub id: String,
    /// The provider.
    pub provider: Provider,
    /// The instance's base URL.
    pub base_url: String,
    /// The account connected.
    pub account: Account,
    /// Granted scopes against the profile.
    pub scopes: ScopeStatus,
    /// When the access token expires, in unix seconds, where it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub expires_at: Option<i64>,
    /// The instance's version, for self-hosted deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub server_version: Option<String>,
    /// Whether it still works without the person.
    pub status: ConnectionStatus,
    /// For a GitHub App connection: the installation (account, permissions, events,
    /// repository selection, suspension) as last read or reported by the app's webhook. Its
    /// permissions are what `scopes` lists as `name:level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub installation: Option<crate::github_app::Installation>,
}

/// What a disconnected connection's record is replaced with: not sealed, since it holds
/// nothing. It outlives any refresh in flight ([`TOMBSTONE_SECONDS`] against a lease of
/// minutes), so that a refresh finishing late finds it and revokes what it obtained instead of
/// bringing the connection back.
pub(crate) const TOMBSTONE: &[u8] = b"forgelink:disconnected";
/// How long a tombstone is kept.
pub(crate) const TOMBSTONE_SECONDS: u64 = 86_400;

impl Record {
    pub(crate) fn summary(&self) -> Connection {
        Connection {
            id: self.id.clone(),
            provider: self.provider,
            base_url: self.base_url.clone(),
            account: self.account.clone(),
            scopes: self.scopes.clone(),
            expires_at: self.tokens.expires_at,
            server_version: self.server_version.clone(),
            status: self.status,
            installation: self.installation.clone(),
        }
    }

    /// The value for an `Authorization` header.
    pub(crate) fn authorization(&self) -> String {
        match &self.auth {
            Auth::Token { basic_user: Some(user), .. } => {
                crate::http::basic_auth(user, self.tokens.access_token.secret())
            }
            _ => format!("Bearer {}", self.tokens.access_token.secret()),
        }
    }
}

impl<H: Host> Flows<H> {
    /// The connection as stored: what connecting, the last refresh and (for a GitHub App)
    /// the app's webhook made of it. Reads storage only.
    pub async fn connection(&self, id: &str) -> Result<Connection, Error> {
        Ok(self.load(id).await?.0.summary())
    }

    /// The stored record and the exact bytes read, for a later compare-and-swap.
    pub(crate) async fn load(&self, id: &str) -> Result<(Record, Vec<u8>), Error> {
        let key = connection_key(id)?;
        match self.host.get(&key).await? {
            Some(bytes) if bytes == TOMBSTONE => {
                Err(Error::new(Code::ConnectionNotFound, "This connection was disconnected."))
            }
            Some(bytes) => Ok((open(&self.key, &key, &bytes)?, bytes)),
            None => {
                Err(Error::new(Code::ConnectionNotFound, "No connection is stored under this id."))
            }
        }
    }

    pub(crate) fn seal_record(&self, record: &Record) -> Result<Vec<u8>, Error> {
        self.seal(&connection_key(&record.id)?, record)
    }

    /// Replaces the record if it is still `expected`; `false` when another caller changed it.
    pub(crate) async fn swap(
        &self,
        expected: &[u8],
        record: &Record,
    ) -> Result<Option<Vec<u8>>, Error> {
        let sealed = self.seal_record(record)?;
        let swapped = self
            .host
            .compare_and_swap(&connection_key(&record.id)?, Some(expected), &sealed, None)
            .await?;
        Ok(swapped.then_some(sealed))
    }
}
