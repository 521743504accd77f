//! Rotating a connection's credentials in place: a new pasted token, or a new OAuth grant
//! (`connect_start` with the connection's id), for the same account on the same instance.
//!
//! The connection keeps its id, and with it everything keyed by it: projects, hook records and
//! their routes, poll state, claims and history. The new credential is verified with the
//! provider first (identity, version, scopes, as a new connection's is); nothing is written for
//! one that does not act as the connection's account. The record is then replaced through
//! compare-and-swap: a refresh holding the lease is waited for (its tokens are written first,
//! then superseded and revoked), a disconnect's tombstone is never overwritten, and the old
//! OAuth tokens are revoked once the new ones are stored.

use serde::Deserialize;

use crate::base_url::resolve_base_url;
use crate::endpoints::endpoints_for;
use crate::error::{excerpt, Code, Error};
use crate::flows::connect::{required_scopes, scope_status, too_old, Facts};
use crate::flows::host::Host;
use crate::flows::record::{Auth, Connection, ConnectionStatus, Record, TOMBSTONE};
use crate::flows::refresh::{FIRST_WAIT_MILLIS, MAX_WAIT_MILLIS, WAIT_BUDGET_MILLIS};
use crate::flows::store::{connection_key, open, MAX_SWAP_ATTEMPTS};
use crate::flows::Flows;
use crate::identity::Account;
use crate::secret::AccessToken;
use crate::tokens::TokenSet;

/// What [`Flows::replace_credentials`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplaceCredentials {
    /// The new personal, project, group or workspace access token.
    pub token: AccessToken,
    /// For Bitbucket Cloud API tokens and app passwords: the Atlassian account email or
    /// username to send with it (HTTP Basic).
    #[serde(default)]
    pub username: Option<String>,
}

impl<H: Host> Flows<H> {
    /// Replaces a connection's credentials with a new access token, keeping its id, projects,
    /// webhooks, poll state and history. The token is checked as
    /// [`Flows::connect_with_token`] checks one, on the connection's own instance, and must
    /// act as the connection's account: otherwise `connection.account_mismatch` (another
    /// account), `connection.instance_mismatch` (a token of another provider), or the
    /// provider's refusal, and nothing is stored. A connection that needed re-authorization
    /// is active again; its old OAuth tokens are revoked where the provider allows.
    pub async fn replace_credentials(
        &self,
        id: &str,
        input: ReplaceCredentials,
    ) -> Result<Connection, Error> {
        let (record, _) = self.load(id).await?;
        if matches!(record.auth, Auth::GitHubApp { .. }) {
            return Err(Error::new(
                Code::InputInvalid,
                "A GitHub App connection has no credentials to replace: its tokens come from the app's key. Connect the installation again instead.",
            )
            .for_provider(record.provider));
        }
        let provider = record.provider;
        let pasted = self
            .pasted_token(provider, input.token, input.username, record.profile.as_deref())
            .map_err(|error| {
                if error.code == Code::BaseUrlWrongProvider {
                    Error::new(Code::ConnectionInstanceMismatch, error.message)
                        .for_provider(provider)
                } else {
                    error
                }
            })?;
        let profile = record.profile.clone();
        self.rotate(record, pasted.auth, pasted.tokens, profile, pasted.required, false).await
    }

    /// Stores the tokens of a finished re-authorization in connection `id` (see
    /// [`crate::ConnectStart::connection_id`]). Tokens that are not stored are revoked.
    pub(crate) async fn reauthorize(
        &self,
        id: &str,
        auth: Auth,
        tokens: TokenSet,
        profile: Option<String>,
    ) -> Result<Connection, Error> {
        let record = match self.load(id).await {
            Ok((record, _)) => record,
            Err(error) => {
                self.discard(&auth, &tokens).await;
                return Err(error);
            }
        };
        let profile = profile.or_else(|| record.profile.clone());
        let required = match required_scopes(record.provider, profile.as_deref()) {
            Ok(required) => required,
            Err(error) => {
                self.discard(&auth, &tokens).await;
                return Err(error);
            }
        };
        self.rotate(record, auth, tokens, profile, required, true).await
    }

    /// Verifies the new credentials as the connection's account, stores them in place, then
    /// revokes the old ones.
    async fn rotate(
        &self,
        record: Record,
        auth: Auth,
        tokens: TokenSet,
        profile: Option<String>,
        required: Vec<String>,
        oauth: bool,
    ) -> Result<Connection, Error> {
        let provider = record.provider;
        let mut candidate = record.clone();
        candidate.auth = auth;
        candidate.tokens = tokens;
        candidate.profile = profile;
        candidate.required_scopes = required;
        let facts = match self.verify(&record, &candidate, oauth).await {
            Ok(facts) => facts,
            Err(error) => {
                self.discard(&candidate.auth, &candidate.tokens).await;
                return Err(error);
            }
        };
        if candidate.tokens.expires_at.is_none() {
            candidate.tokens.expires_at = facts.token_expires_at;
        }
        let granted = facts.granted_scopes.clone().or_else(|| {
            (oauth && !candidate.tokens.scopes.is_empty()).then(|| candidate.tokens.scopes.clone())
        });
        candidate.scopes = scope_status(provider, granted, &candidate.required_scopes);
        candidate.account = facts.account;
        candidate.server_version = facts.version.or(candidate.server_version);
        let previous = match self.store_rotated(&candidate).await {
            Ok(previous) => previous,
            Err(error) => {
                self.discard(&candidate.auth, &candidate.tokens).await;
                return Err(error);
            }
        };
        // The old tokens go only now that the new ones are stored; the same token handed out
        // again (a provider that reuses grants) is not revoked.
        if !previous.tokens.access_token.ct_eq(candidate.tokens.access_token.secret()) {
            self.discard(&previous.auth, &previous.tokens).await;
        }
        candidate.status = ConnectionStatus::Active;
        Ok(candidate.summary())
    }

    /// Who the new credentials act as, on the connection's instance: the same account, on a
    /// version forgelink supports.
    async fn verify(
        &self,
        record: &Record,
        candidate: &Record,
        oauth: bool,
    ) -> Result<Facts, Error> {
        let provider = record.provider;
        let base = resolve_base_url(provider, Some(&record.base_url))?;
        let facts = self.inspect(&endpoints_for(&base), candidate).await?;
        if !same_account(&record.account, &facts.account) {
            return Err(Error::new(
                Code::ConnectionAccountMismatch,
                format!(
                    "These credentials act as {}, not as {} whose connection this is.",
                    excerpt(&facts.account.username),
                    excerpt(&record.account.username)
                ),
            )
            .for_provider(provider));
        }
        too_old(provider, &facts, oauth, self.host.now())?;
        Ok(facts)
    }

    /// Writes the verified credentials over the stored record through compare-and-swap and
    /// answers the record they replaced. A refresh lease still held is waited for, so that the
    /// refresh writes first and its tokens are revoked as old ones; a tombstone is never
    /// overwritten.
    async fn store_rotated(&self, candidate: &Record) -> Result<Record, Error> {
        let key = connection_key(&candidate.id)?;
        let provider = candidate.provider;
        let (mut attempts, mut waited, mut wait) = (0, 0i64, FIRST_WAIT_MILLIS);
        while attempts < MAX_SWAP_ATTEMPTS {
            let bytes = match self.host.get(&key).await? {
                Some(bytes) if bytes == TOMBSTONE => {
                    return Err(Error::new(
                        Code::ConnectionDisconnected,
                        "The connection was disconnected meanwhile; the new credentials were not stored.",
                    )
                    .for_provider(provider))
                }
                Some(bytes) => bytes,
                None => {
                    return Err(Error::new(
                        Code::ConnectionNotFound,
                        "No connection is stored under this id.",
                    ))
                }
            };
            let current: Record = open(&self.key, &key, &bytes)?;
            if current.refresh_lease.as_ref().is_some_and(|lease| lease.until > self.host.now()) {
                if waited > WAIT_BUDGET_MILLIS {
                    return Err(Error::new(
                        Code::ConnectionRefreshInProgress,
                        "Another caller is still refreshing this connection's token.",
                    )
                    .for_provider(provider));
                }
                self.host.sleep(wait).await;
                waited = waited.saturating_add(i64::from(wait));
                wait = wait.saturating_mul(2).min(MAX_WAIT_MILLIS);
                continue;
            }
            let mut next = current.clone();
            next.auth = candidate.auth.clone();
            next.tokens = candidate.tokens.clone();
            next.profile = candidate.profile.clone();
            next.required_scopes = candidate.required_scopes.clone();
            next.scopes = candidate.scopes.clone();
            next.account = candidate.account.clone();
            next.server_version = candidate.server_version.clone();
            next.status = ConnectionStatus::Active;
            next.refresh_lease = None;
            if self.swap(&bytes, &next).await?.is_some() {
                return Ok(current);
            }
            attempts = attempts.saturating_add(1);
        }
        Err(Error::new(
            Code::StorageFailed,
            "The connection kept changing while the new credentials were stored; nothing was changed.",
        ))
    }

    /// Revokes OAuth tokens that will not be (or no longer are) stored, where the provider
    /// allows; pasted tokens are the person's to delete.
    async fn discard(&self, auth: &Auth, tokens: &TokenSet) {
        if let Auth::OAuth { client } = auth {
            self.revoke_quietly(client, tokens).await;
        }
    }
}

/// The provider's stable id decides; a record without one (none was told) compares usernames.
fn same_account(stored: &Account, presented: &Account) -> bool {
    if !stored.id.is_empty() {
        return stored.id == presented.id;
    }
    !stored.username.is_empty() && stored.username == presented.username
}
