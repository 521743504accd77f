//! Claims: "this happened once" across every host sharing storage, for deliveries, object
//! states and consumed markers.
//!
//! A claim is a stored expiry, `"{until}"`, swapped in through compare-and-swap: the first
//! caller wins and every later one sees it held until it expires. A delivery is claimed in two
//! phases, so that nothing is lost between accepting it and handling it: first provisionally,
//! `"{until} {holder}"` with a short `until` and a random holder, and then, once the product has
//! handled the event, confirmed for the whole dedupe window ([`Flows::confirm_delivery`]) or
//! released at once ([`Flows::release_delivery`]). A provisional claim whose holder died
//! lapses on its own, and the provider's redelivery is then taken as new.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{Code, Error};
use crate::flows::host::{random_bytes, Host};
use crate::flows::store::MAX_SWAP_ATTEMPTS;
use crate::flows::Flows;

/// The key prefixes a delivery claim may name: a token naming anything else was not issued by
/// forgelink.
const CLAIMABLE: [&str; 2] = ["forgelink/v1/delivery/", "forgelink/v1/state/"];

/// What trying to claim a key found.
pub(crate) enum Claim {
    /// The caller holds it now, under this stored value.
    Won(String),
    /// It was claimed for good (or its value cannot be read, which fails closed).
    Held,
    /// Another host holds it provisionally until `until`, while it handles what it claimed.
    Handling { until: i64 },
}

/// Reads a stored claim: its expiry, and whether a holder still has to confirm it.
fn read_claim(stored: &[u8]) -> (i64, bool) {
    let text = std::str::from_utf8(stored).unwrap_or("");
    let mut parts = text.split(' ');
    // An unreadable claim counts as held for good: failing closed never accepts twice.
    let until = parts.next().and_then(|until| until.parse().ok()).unwrap_or(i64::MAX);
    (until, parts.next().is_some())
}

impl<H: Host> Flows<H> {
    /// Claims `key` until `now + seconds`, for good: `true` for the first caller across every
    /// host sharing storage, and again once the claim has expired.
    pub(crate) async fn claim(&self, key: &str, now: i64, seconds: i64) -> Result<bool, Error> {
        Ok(matches!(self.try_claim(key, now, seconds, None).await?, Claim::Won(_)))
    }

    /// Claims `key` until `now + seconds`, for good or (with a `holder`) provisionally. A claim
    /// holds only its expiry and holder (no secret), and asks the store to drop it after.
    pub(crate) async fn try_claim(
        &self,
        key: &str,
        now: i64,
        seconds: i64,
        holder: Option<&str>,
    ) -> Result<Claim, Error> {
        let seconds = seconds.max(1);
        let until = now.saturating_add(seconds);
        let value = match holder {
            Some(holder) => format!("{until} {holder}"),
            None => until.to_string(),
        };
        for _ in 0..MAX_SWAP_ATTEMPTS {
            let current = self.host.get(key).await?;
            if let Some(current) = &current {
                let (until, provisional) = read_claim(current);
                if until > now {
                    return Ok(if provisional { Claim::Handling { until } } else { Claim::Held });
                }
            }
            let ttl = u64::try_from(seconds).ok();
            if self.host.compare_and_swap(key, current.as_deref(), value.as_bytes(), ttl).await? {
                return Ok(Claim::Won(value));
            }
        }
        Ok(Claim::Held)
    }

    /// A fresh random holder for provisional claims.
    pub(crate) fn claim_holder(&self) -> Result<String, Error> {
        Ok(URL_SAFE_NO_PAD.encode(random_bytes::<H, 16>(&self.host)?))
    }

    /// Turns provisional claims into claims for good, each for its own window from now.
    /// `false` when one had lapsed meanwhile (or was released): the redelivery may already have
    /// been taken elsewhere, so the event may be handled twice, never lost.
    pub(crate) async fn confirm_claims(
        &self,
        held: &str,
        keys: &[(String, i64)],
    ) -> Result<bool, Error> {
        let now = self.host.now();
        let mut all = true;
        for (key, seconds) in keys {
            let seconds = (*seconds).max(1);
            let until = now.saturating_add(seconds).to_string();
            let ttl = u64::try_from(seconds).ok();
            all &= self
                .host
                .compare_and_swap(key, Some(held.as_bytes()), until.as_bytes(), ttl)
                .await?;
        }
        Ok(all)
    }

    /// Gives provisional claims up at once, where this holder still has them, so that the
    /// provider's redelivery is taken as new. A claim is released by writing it as already
    /// expired (the storage contract swaps values, it does not delete them conditionally).
    pub(crate) async fn release_claims(&self, held: &str, keys: &[String]) -> Result<(), Error> {
        for key in keys {
            self.host.compare_and_swap(key, Some(held.as_bytes()), b"0", Some(1)).await?;
        }
        Ok(())
    }

    /// Confirms that the event of an accepted delivery was handled: its claim is kept for the
    /// whole dedupe window, so every copy of the delivery from now on is a duplicate. Answers
    /// `false` when the provisional claim had lapsed first (handling took longer than
    /// `handlingSeconds`): then another host may have taken a redelivery too.
    pub async fn confirm_delivery(&self, claim: &str) -> Result<bool, Error> {
        let claim = DeliveryClaim::decode(claim)?;
        self.confirm_claims(&claim.held, &claim.keys).await
    }

    /// Gives up an accepted delivery that could not be handled (the handler failed): the claim
    /// is released at once, so the provider's redelivery is accepted as new.
    pub async fn release_delivery(&self, claim: &str) -> Result<(), Error> {
        let claim = DeliveryClaim::decode(claim)?;
        let keys: Vec<String> = claim.keys.into_iter().map(|(key, _)| key).collect();
        self.release_claims(&claim.held, &keys).await
    }
}

/// What an accepted delivery holds provisionally, handed to the product as an opaque token:
/// the stored claim value and, for each key claimed, how long to keep it once confirmed.
#[derive(Debug)]
pub(crate) struct DeliveryClaim {
    pub held: String,
    pub keys: Vec<(String, i64)>,
}

impl DeliveryClaim {
    /// The token: base64url of the held value and one `key seconds` line per key.
    pub(crate) fn encode(&self) -> String {
        let mut text = self.held.clone();
        for (key, seconds) in &self.keys {
            text.push('\n');
            text.push_str(key);
            text.push(' ');
            text.push_str(&seconds.to_string());
        }
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads a token [`DeliveryClaim::encode`] made. A token cannot do harm (it only swaps
    /// values still equal to its random holder), but one that was not issued is refused.
    fn decode(token: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::new(
                Code::InputInvalid,
                "That is not a delivery claim forgelink issued: pass the `claim` of an accepted receipt unchanged.",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut lines = text.split('\n');
        let held = lines.next().filter(|held| read_claim(held.as_bytes()).1).ok_or_else(invalid)?;
        let keys = lines
            .map(|line| {
                let (key, seconds) = line.rsplit_once(' ')?;
                let seconds = seconds.parse().ok()?;
                CLAIMABLE
                    .iter()
                    .any(|prefix| key.starts_with(prefix))
                    .then(|| (key.to_owned(), seconds))
            })
            .collect::<Option<Vec<_>>>()
            .filter(|keys| !keys.is_empty())
            .ok_or_else(invalid)?;
        Ok(DeliveryClaim { held: held.to_owned(), keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_claims_round_trip_and_refuse_what_forgelink_did_not_issue() {
        let claim = DeliveryClaim {
            held: "1700000060 abc".into(),
            keys: vec![("forgelink/v1/delivery/c/ff".into(), 604_800)],
        };
        let decoded = DeliveryClaim::decode(&claim.encode()).unwrap();
        assert_eq!((decoded.held, decoded.keys), (claim.held, claim.keys));
        for text in
            ["", "1700000060 abc", "1700000060\nforgelink/v1/delivery/c 1", "1 h\nother/key 1"]
        {
            let token = URL_SAFE_NO_PAD.encode(text);
            assert_eq!(
                DeliveryClaim::decode(&token).unwrap_err().code,
                Code::InputInvalid,
                "{text:?}"
            );
        }
        assert_eq!(DeliveryClaim::decode("not base64!").unwrap_err().code, Code::InputInvalid);
    }

    #[test]
    fn stored_claims_read_fail_closed() {
        assert_eq!(read_claim(b"12"), (12, false));
        assert_eq!(read_claim(b"12 holder"), (12, true));
        assert_eq!(read_claim(b"garbage"), (i64::MAX, false));
        assert_eq!(read_claim(&[0xff]), (i64::MAX, false));
    }
}
