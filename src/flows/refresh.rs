//! Fresh access tokens, refreshed ahead of expiry by exactly one caller at a time.
//!
//! The refresh lease lives in the connection record itself: a caller that swaps in a record
//! holding an unexpired lease is the only one to call the token endpoint; the others wait
//! and read the new tokens. The new tokens are written back only while the record still holds
//! that caller's lease: a connection disconnected meanwhile, or a lease another caller took
//! over, gets the new tokens revoked instead, so a disconnected connection never comes back
//! and only one set of tokens lives on. A refresh that gets `invalid_grant` first reads
//! storage again: if another caller rotated the tokens meanwhile, theirs are used; only
//! otherwise is the connection marked as needing the person again.

use crate::error::{Code, Error};
use crate::flows::app::installation_tokens;
use crate::flows::host::{random_id, Host};
use crate::flows::record::{Auth, ConnectionStatus, Lease, Record, TOMBSTONE};
use crate::flows::store::{connection_key, open};
use crate::flows::Flows;
use crate::github_app::prepare_revoke_installation_token;
use crate::providers::github;
use crate::secret::AccessToken;
use crate::tokens::{
    needs_refresh, parse_token_response, prepare_refresh, prepare_revoke, OAuthClient, TokenSet,
};

/// Refresh this long before expiry, so a token is never used in its last minute.
const REFRESH_AHEAD: i64 = 60;
/// The longest a token request takes before the host gives up on it (npm `fetchHost` and the
/// wasmtime host both time requests out after 30 seconds).
pub(crate) const REQUEST_TIMEOUT_SECONDS: i64 = 30;
/// How far apart the clocks of hosts sharing storage may be.
pub(crate) const CLOCK_SKEW_SECONDS: i64 = 120;
/// How long a lease holder may take before others may take over: the request timeout plus the
/// clock skew, with margin. A host whose clock runs two minutes ahead of the holder's still
/// sees the lease held for as long as the holder's request can last.
pub(crate) const LEASE_SECONDS: i64 = REQUEST_TIMEOUT_SECONDS + CLOCK_SKEW_SECONDS + 30;
/// The first wait while another caller holds the lease; it doubles up to [`MAX_WAIT_MILLIS`].
pub(crate) const FIRST_WAIT_MILLIS: u32 = 100;
pub(crate) const MAX_WAIT_MILLIS: u32 = 2_000;
/// How long a caller waits for another's lease in all: the lease as a host whose clock runs
/// behind the holder's by the whole skew sees it, with margin.
pub(crate) const WAIT_BUDGET_MILLIS: i64 = (LEASE_SECONDS + CLOCK_SKEW_SECONDS + 10) * 1000;

impl<H: Host> Flows<H> {
    /// A valid access token for the connection, refreshed first when it expires within a
    /// minute. Concurrent callers sharing storage make one refresh request between them.
    pub async fn access_token(&self, id: &str) -> Result<AccessToken, Error> {
        let mut waited: i64 = 0;
        let mut wait = FIRST_WAIT_MILLIS;
        while waited <= WAIT_BUDGET_MILLIS {
            let (record, bytes) = self.load(id).await?;
            let now = self.host.now();
            if record.status == ConnectionStatus::NeedsReauthorization {
                return Err(needs_reauthorization(&record));
            }
            // A token of a retired kind stops on its removal date, by the host's clock, even
            // in a connection stored before forgelink knew the date: say why.
            if matches!(record.auth, Auth::Token { .. }) {
                let retirement =
                    crate::detect::detect_token(record.tokens.access_token.secret()).retirement;
                if let Some(retirement) = retirement.filter(|r| r.removed(now)) {
                    return Err(
                        crate::flows::connect::retired(&retirement).for_provider(record.provider)
                    );
                }
            }
            let app = matches!(record.auth, Auth::GitHubApp { .. });
            let ahead = if app { github::INSTALLATION_TOKEN_REFRESH_AHEAD } else { REFRESH_AHEAD };
            if !needs_refresh(&record.tokens, now, ahead) {
                return Ok(record.tokens.access_token);
            }
            // What replaces the token: an installation token minted with the app's JWT, or
            // the OAuth refresh.
            let app = match &record.auth {
                Auth::GitHubApp { app_id, issuer, installation_id } => {
                    Some((*app_id, issuer.clone(), *installation_id))
                }
                _ => None,
            };
            let oauth = match (&record.auth, record.tokens.refresh_token.clone()) {
                (Auth::OAuth { client }, Some(refresh_token)) => {
                    Some((client.clone(), refresh_token))
                }
                _ => None,
            };
            if app.is_none() && oauth.is_none() {
                return Err(Error::new(
                    Code::TokenExpired,
                    "The access token has expired and cannot be refreshed.",
                )
                .for_provider(record.provider));
            }
            if record.refresh_lease.as_ref().is_some_and(|lease| lease.until > now) {
                self.host.sleep(wait).await;
                waited = waited.saturating_add(i64::from(wait));
                wait = wait.saturating_mul(2).min(MAX_WAIT_MILLIS);
                continue;
            }
            let holder = random_id(&self.host)?;
            let mut leased = record.clone();
            leased.refresh_lease =
                Some(Lease { holder: holder.clone(), until: now.saturating_add(LEASE_SECONDS) });
            let Some(leased_bytes) = self.swap(&bytes, &leased).await? else {
                continue; // Another caller changed the record first: look again.
            };
            let release = |leased: Record| async move {
                let mut released = leased;
                released.refresh_lease = None;
                // Losing this swap loses nothing: the lease lapses by itself.
                let _ = self.swap(&leased_bytes, &released).await;
            };
            if let Some((app_id, issuer, installation_id)) = app {
                let api =
                    crate::base_url::resolve_base_url(record.provider, Some(&record.base_url))
                        .map(|base| base.api_base)?;
                let minted = self
                    .mint_installation_token(
                        &api,
                        app_id,
                        &issuer,
                        installation_id,
                        &Default::default(),
                    )
                    .await;
                return match minted {
                    Ok(token) => {
                        let revoke = Revoke::Installation { api };
                        self.store_refreshed(id, &holder, &revoke, installation_tokens(&token))
                            .await
                    }
                    Err(error) => {
                        release(leased).await;
                        Err(error)
                    }
                };
            }
            let Some((client, refresh_token)) = oauth else { continue };
            let outcome = match prepare_refresh(&client, &refresh_token) {
                Ok(request) => match self.send(request).await {
                    Ok(response) => {
                        parse_token_response(record.provider, &response, self.host.now())
                    }
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            };
            return match outcome {
                Ok(mut tokens) => {
                    if tokens.refresh_token.is_none() {
                        // Providers that do not rotate keep the old refresh token valid.
                        tokens.refresh_token = Some(refresh_token);
                    }
                    self.store_refreshed(id, &holder, &Revoke::OAuth(client), tokens).await
                }
                Err(error) if error.code == Code::OauthInvalidGrant => {
                    self.after_invalid_grant(id, &leased, error).await
                }
                Err(error) => {
                    release(leased).await;
                    Err(error)
                }
            };
        }
        Err(Error::new(
            Code::ConnectionRefreshInProgress,
            "Another caller is still refreshing this connection's token.",
        ))
    }

    /// Writes the refreshed tokens while the record still holds `holder`'s lease. Otherwise
    /// (the connection was disconnected, or another caller took the lease over) the new tokens
    /// are revoked: written back, they would resurrect a disconnected connection or overwrite
    /// the tokens another refresh stored.
    async fn store_refreshed(
        &self,
        id: &str,
        holder: &str,
        revoke: &Revoke,
        tokens: TokenSet,
    ) -> Result<AccessToken, Error> {
        let key = connection_key(id)?;
        // Each failed swap means the record changed under a lease we still hold (a test of the
        // connection updating its scopes, say): apply the tokens to the new record and retry.
        for _ in 0..16 {
            let current = self.host.get(&key).await?;
            let Some(bytes) = current.filter(|bytes| bytes != TOMBSTONE) else {
                self.revoke_unstored(revoke, &tokens).await;
                return Err(Error::new(
                    Code::ConnectionDisconnected,
                    "The connection was disconnected during the refresh; the new tokens were revoked.",
                )
                .for_provider(record_provider(revoke)));
            };
            let record: Record = open(&self.key, &key, &bytes)?;
            if record.refresh_lease.as_ref().is_none_or(|lease| lease.holder != holder) {
                self.revoke_unstored(revoke, &tokens).await;
                return Err(Error::new(
                    Code::ConnectionLeaseLost,
                    "The refresh outlasted its lease and another caller took over; the new tokens were revoked.",
                )
                .for_provider(record_provider(revoke)));
            }
            let mut refreshed = record;
            refreshed.tokens = tokens.clone();
            refreshed.refresh_lease = None;
            if self.swap(&bytes, &refreshed).await?.is_some() {
                return Ok(tokens.access_token);
            }
        }
        self.revoke_unstored(revoke, &tokens).await;
        Err(Error::new(
            Code::StorageFailed,
            "The connection kept changing while the refreshed tokens were stored; they were revoked.",
        ))
    }

    /// Revokes tokens that will not be stored: OAuth tokens where the provider has a
    /// revocation endpoint, installation tokens with themselves.
    async fn revoke_unstored(&self, revoke: &Revoke, tokens: &TokenSet) {
        match revoke {
            Revoke::OAuth(client) => self.revoke_quietly(client, tokens).await,
            Revoke::Installation { api } => {
                let request = prepare_revoke_installation_token(api, &tokens.access_token);
                let _ = self.send(request).await;
            }
        }
    }

    /// Revokes tokens that will not be stored, where the provider has a revocation endpoint.
    /// Best effort: the caller's error already says what happened, and a provider without
    /// revocation lets the unstored tokens expire by themselves.
    pub(crate) async fn revoke_quietly(&self, client: &OAuthClient, tokens: &TokenSet) {
        if let Ok(request) = prepare_revoke(client, &tokens.access_token) {
            let _ = self.send(request).await;
        }
    }

    /// The refresh token was refused. If another caller rotated the tokens meanwhile, use
    /// theirs; otherwise the connection needs the person again.
    async fn after_invalid_grant(
        &self,
        id: &str,
        ours: &Record,
        error: Error,
    ) -> Result<AccessToken, Error> {
        let (current, bytes) = self.load(id).await?;
        let ours_token =
            ours.tokens.refresh_token.as_ref().map(|t| t.secret().to_owned()).unwrap_or_default();
        let rotated = current.tokens.refresh_token.as_ref().is_some_and(|t| !t.ct_eq(&ours_token));
        if rotated && !needs_refresh(&current.tokens, self.host.now(), REFRESH_AHEAD) {
            return Ok(current.tokens.access_token);
        }
        let mut dead = current;
        dead.status = ConnectionStatus::NeedsReauthorization;
        dead.refresh_lease = None;
        self.swap(&bytes, &dead).await?;
        let mut result = needs_reauthorization(&dead);
        result.provider_detail = error.provider_detail.or(Some(error.message));
        Err(result)
    }
}

/// How to revoke new tokens that will not be stored.
pub(crate) enum Revoke {
    OAuth(OAuthClient),
    Installation { api: String },
}

fn record_provider(revoke: &Revoke) -> crate::provider::Provider {
    match revoke {
        Revoke::OAuth(client) => client.provider,
        Revoke::Installation { .. } => crate::provider::Provider::GitHub,
    }
}

fn needs_reauthorization(record: &Record) -> Error {
    Error::new(
        Code::ConnectionNeedsReauthorization,
        "The provider no longer accepts this connection's refresh token.",
    )
    .for_provider(record.provider)
}
