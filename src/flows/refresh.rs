//! Fresh access tokens, refreshed ahead of expiry by exactly one caller at a time.
//!
//! The refresh lease lives in the connection record itself: a caller that swaps in a record
//! holding an unexpired lease is the only one to call the token endpoint; the others wait
//! and read the new tokens. A refresh that gets `invalid_grant` first reads storage again: if
//! another caller rotated the tokens meanwhile, theirs are used; only otherwise is the
//! connection marked as needing the person again.

use crate::error::{Code, Error};
use crate::flows::host::{random_id, Host};
use crate::flows::record::{Auth, ConnectionStatus, Lease, Record};
use crate::flows::Flows;
use crate::secret::AccessToken;
use crate::tokens::{needs_refresh, parse_token_response, prepare_refresh};

/// Refresh this long before expiry, so a token is never used in its last minute.
const REFRESH_AHEAD: i64 = 60;
/// How long a lease holder may take before others may take over.
const LEASE_SECONDS: i64 = 30;
/// How often a waiting caller looks again.
const WAIT_MILLIS: u32 = 100;

impl<H: Host> Flows<H> {
    /// A valid access token for the connection, refreshed first when it expires within a
    /// minute. Concurrent callers sharing storage make one refresh request between them.
    pub async fn access_token(&self, id: &str) -> Result<AccessToken, Error> {
        // Bounded: enough rounds to outlast one lease, with margin.
        let max_rounds = (LEASE_SECONDS * 1000 / i64::from(WAIT_MILLIS)) * 2;
        for _ in 0..max_rounds {
            let (record, bytes) = self.load(id).await?;
            let now = self.host.now();
            if record.status == ConnectionStatus::NeedsReauthorization {
                return Err(needs_reauthorization(&record));
            }
            if !needs_refresh(&record.tokens, now, REFRESH_AHEAD) {
                return Ok(record.tokens.access_token);
            }
            let (Auth::OAuth { client }, Some(refresh_token)) =
                (&record.auth, record.tokens.refresh_token.clone())
            else {
                return Err(Error::new(
                    Code::TokenExpired,
                    "The access token has expired and cannot be refreshed.",
                )
                .for_provider(record.provider));
            };
            if record.refresh_lease.as_ref().is_some_and(|lease| lease.until > now) {
                self.host.sleep(WAIT_MILLIS).await;
                continue;
            }
            let mut leased = record.clone();
            leased.refresh_lease =
                Some(Lease { holder: random_id(&self.host), until: now + LEASE_SECONDS });
            let Some(leased_bytes) = self.swap(&bytes, &leased).await? else {
                continue; // Another caller changed the record first: look again.
            };
            let client = client.clone();
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
                    let mut refreshed = leased;
                    refreshed.tokens = tokens;
                    refreshed.refresh_lease = None;
                    let access_token = refreshed.tokens.access_token.clone();
                    if self.swap(&leased_bytes, &refreshed).await?.is_none() {
                        // Someone overrode our lease; the tokens we hold are the newest valid
                        // ones (the old refresh token is spent), so they must not be lost.
                        let sealed = self.seal_record(&refreshed)?;
                        self.host.set(&crate::flows::store::connection_key(id)?, &sealed).await?;
                    }
                    Ok(access_token)
                }
                Err(error) if error.code == Code::OauthInvalidGrant => {
                    self.after_invalid_grant(id, &leased, error).await
                }
                Err(error) => {
                    let mut released = leased;
                    released.refresh_lease = None;
                    let _ = self.swap(&leased_bytes, &released).await;
                    Err(error)
                }
            };
        }
        Err(Error::new(
            Code::ConnectionRefreshInProgress,
            "Another caller is still refreshing this connection's token.",
        ))
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

fn needs_reauthorization(record: &Record) -> Error {
    Error::new(
        Code::ConnectionNeedsReauthorization,
        "The provider no longer accepts this connection's refresh token.",
    )
    .for_provider(record.provider)
}
