//! Authenticity over the raw bytes, as each provider signs them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::error::{Code, Error};
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
pub use crate::secret::WebhookSecret;
use crate::webhooks::header;
use crate::webhooks::identify::identify_webhook;

/// The largest body any provider sends (GitHub caps payloads at 25 MB).
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

/// How [`verify_webhook`] may bend.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyOptions {
    /// The current time in unix seconds; needed for timestamped signatures (Standard Webhooks).
    pub now: Option<i64>,
    /// How far a signed timestamp may be from `now`, in seconds (default 300).
    pub tolerance_seconds: Option<i64>,
    /// Accept a delivery with no signature at all. Set it for one hook only, for a known case
    /// (the Bitbucket Data Center test ping); never as a default.
    pub allow_unsigned: bool,
    /// Accept GitHub's legacy `X-Hub-Signature: sha1=` when no SHA-256 signature is sent.
    pub allow_sha1: bool,
}

/// Which check passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    /// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>` (GitHub, Bitbucket).
    HmacSha256,
    /// `X-Hub-Signature: sha1=<hex HMAC-SHA1>` (GitHub's legacy header, only when allowed).
    HmacSha1,
    /// GitLab's `X-Gitlab-Token`, compared in constant time.
    Token,
    /// Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    StandardWebhooks,
    /// No signature, explicitly allowed.
    Unsigned,
}

/// A delivery that passed [`verify_webhook`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "VerifiedWebhook"))]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// The provider that sent it.
    pub provider: Provider,
    /// The check that passed.
    pub scheme: SignatureScheme,
    /// Which of the given secrets matched (for rotation); none when unsigned.
    pub secret_index: Option<usize>,
}

/// Checks a delivery's authenticity over its raw `body` bytes, exactly as received: never
/// over a parsed and re-serialised body. Several `secrets` may be given while rotating; the
/// result says which matched.
pub fn verify_webhook(
    headers: &[(String, String)],
    body: &[u8],
    secrets: &[WebhookSecret],
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    verify_webhook_with(headers, body, secrets, options, &BuiltinHmac)
}

/// The HMAC algorithms deliveries are signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HmacAlgorithm {
    /// HMAC-SHA256: GitHub, Bitbucket, Standard Webhooks.
    Sha256,
    /// HMAC-SHA1: GitHub's legacy header.
    Sha1,
}

impl HmacAlgorithm {
    /// The name Node's `crypto` and OpenSSL use (`sha256`, `sha1`).
    pub fn as_str(self) -> &'static str {
        match self {
            HmacAlgorithm::Sha256 => "sha256",
            HmacAlgorithm::Sha1 => "sha1",
        }
    }
}

/// Computes the HMACs [`verify_webhook_with`] compares. [`BuiltinHmac`], which
/// [`verify_webhook`] uses, is pure Rust; a host whose platform has a native HMAC (Node's
/// `crypto`) can pass that instead, several times faster than Rust compiled to WebAssembly on
/// large bodies. forgelink still decides what is signed and compares in constant time.
pub trait HmacEngine {
    /// The HMAC of the concatenated `message` parts under `key`; `None` when this engine cannot
    /// compute it, in which case the built-in one does.
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>>;
}

/// The pure-Rust HMAC of the `hmac`, `sha2` and `sha1` crates.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinHmac;

impl HmacEngine for BuiltinHmac {
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).ok()?;
            for part in message {
                mac.update(part);
            }
            Some(mac.finalize().into_bytes().to_vec())
        }
        match algorithm {
            HmacAlgorithm::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
            HmacAlgorithm::Sha1 => run::<Hmac<sha1::Sha1>>(key, message),
        }
    }
}

/// [`verify_webhook`] with the HMACs computed by `engine`.
pub fn verify_webhook_with(
    headers: &[(String, String)],
    body: &[u8],
    secrets: &[WebhookSecret],
    options: &VerifyOptions,
    engine: &dyn HmacEngine,
) -> Result<Verified, Error> {
    let provider = identify_webhook(headers)?.provider;
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::new(
            Code::WebhookBodyTooLarge,
            format!("The body has {} bytes; no provider sends more than 25 MB.", body.len()),
        )
        .for_provider(provider));
    }
    let verified = |scheme, index| Ok(Verified { provider, scheme, secret_index: index });
    let presented = signatures_of(provider, headers, options)?;
    if presented.is_empty() {
        if options.allow_unsigned {
            return verified(SignatureScheme::Unsigned, None);
        }
        let legacy_only = provider == Provider::GitHub
            && header(headers, github::LEGACY_SIGNATURE_HEADER).is_some();
        let message = if legacy_only {
            "The delivery carries only GitHub's legacy SHA-1 signature; use the SHA-256 one, or allow SHA-1 explicitly."
        } else {
            "The delivery carries no signature or secret token."
        };
        return Err(Error::new(Code::WebhookMissingSignature, message).for_provider(provider));
    }
    if secrets.is_empty() {
        return Err(Error::new(
            Code::WebhookNoSecret,
            "The delivery is signed, but no webhook secret is configured to check it.",
        )
        .for_provider(provider));
    }
    // A GitLab hook with both a secret token and a signing token presents both: whichever of
    // them the receiver was configured with verifies it.
    for (index, secret) in secrets.iter().enumerate() {
        for signature in &presented {
            if signature.matches(secret.secret().as_bytes(), body, engine)? {
                return verified(signature.scheme(), Some(index));
            }
        }
    }
    Err(Error::new(
        Code::WebhookSignatureMismatch,
        "No configured secret produces this delivery's signature.",
    )
    .for_provider(provider))
}

/// A signature as presented, ready to be checked against each secret.
enum Presented<'a> {
    Hmac256(Vec<u8>),
    Hmac1(Vec<u8>),
    Token(&'a str),
    Standard { id: &'a str, timestamp: &'a str, signatures: Vec<Vec<u8>> },
}

impl Presented<'_> {
    fn scheme(&self) -> SignatureScheme {
        match self {
            Presented::Hmac256(_) => SignatureScheme::HmacSha256,
            Presented::Hmac1(_) => SignatureScheme::HmacSha1,
            Presented::Token(_) => SignatureScheme::Token,
            Presented::Standard { .. } => SignatureScheme::StandardWebhooks,
        }
    }

    fn matches(&self, secret: &[u8], body: &[u8], engine: &dyn HmacEngine) -> Result<bool, Error> {
        let hmac = |algorithm, key: &[u8], message: &[&[u8]]| {
            engine
                .hmac(algorithm, key, message)
                .or_else(|| BuiltinHmac.hmac(algorithm, key, message))
                .ok_or_else(key_error)
        };
        let equal = |a: &[u8], b: &[u8]| bool::from(a.ct_eq(b));
        Ok(match self {
            Presented::Hmac256(expected) => {
                equal(&hmac(HmacAlgorithm::Sha256, secret, &[body])?, expected)
            }
            Presented::Hmac1(expected) => {
                equal(&hmac(HmacAlgorithm::Sha1, secret, &[body])?, expected)
            }
            Presented::Token(token) => equal(token.as_bytes(), secret),
            Presented::Standard { id, timestamp, signatures } => {
                let text = std::str::from_utf8(secret).unwrap_or_default();
                let key = match text.strip_prefix("whsec_") {
                    Some(encoded) => STANDARD.decode(encoded).map_err(|_| {
                        Error::new(
                            Code::InputInvalid,
                            "A Standard Webhooks secret is `whsec_` followed by base64.",
                        )
                    })?,
                    None => secret.to_vec(),
                };
                let signed = [id.as_bytes(), b".", timestamp.as_bytes(), b".", body];
                let computed = hmac(HmacAlgorithm::Sha256, &key, &signed)?;
                signatures.iter().any(|s| equal(s, &computed))
            }
        })
    }
}

fn key_error() -> Error {
    Error::new(Code::InputInvalid, "The webhook secret cannot be used as an HMAC key.")
}

fn malformed(provider: Provider, name: &str) -> Error {
    Error::new(
        Code::WebhookMalformedSignature,
        format!("The {name} header is not in the provider's format."),
    )
    .for_provider(provider)
}

fn hex_signature(
    provider: Provider,
    name: &str,
    value: &str,
    prefix: &str,
    len: usize,
) -> Result<Vec<u8>, Error> {
    let hex = value.strip_prefix(prefix).ok_or_else(|| malformed(provider, name))?;
    if Some(hex.len()) != len.checked_mul(2) {
        return Err(malformed(provider, name));
    }
    hex.as_bytes()
        .chunks_exact(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| malformed(provider, name))
}

/// The signatures a delivery presents, best first; empty when it is unsigned.
fn signatures_of<'a>(
    provider: Provider,
    headers: &'a [(String, String)],
    options: &VerifyOptions,
) -> Result<Vec<Presented<'a>>, Error> {
    match provider {
        Provider::GitHub => {
            if let Some(value) = header(headers, github::SIGNATURE_HEADER) {
                return hex_signature(provider, github::SIGNATURE_HEADER, value, "sha256=", 32)
                    .map(|s| vec![Presented::Hmac256(s)]);
            }
            match header(headers, github::LEGACY_SIGNATURE_HEADER) {
                Some(value) if options.allow_sha1 => {
                    hex_signature(provider, github::LEGACY_SIGNATURE_HEADER, value, "sha1=", 20)
                        .map(|s| vec![Presented::Hmac1(s)])
                }
                _ => Ok(Vec::new()),
            }
        }
        Provider::GitLab => {
            let mut presented = Vec::with_capacity(2);
            if let (Some(id), Some(timestamp), Some(signature)) = (
                header(headers, gitlab::SIGNED_ID_HEADER),
                header(headers, gitlab::SIGNED_TIMESTAMP_HEADER),
                header(headers, gitlab::SIGNATURE_HEADER),
            ) {
                // A stale timestamp refuses the delivery even when its secret token matches:
                // that is what a replay looks like.
                check_timestamp(provider, timestamp, options)?;
                let signatures: Vec<Vec<u8>> = signature
                    .split(' ')
                    .filter_map(|part| part.strip_prefix("v1,"))
                    .filter_map(|encoded| STANDARD.decode(encoded).ok())
                    .collect();
                if signatures.is_empty() {
                    return Err(malformed(provider, gitlab::SIGNATURE_HEADER));
                }
                presented.push(Presented::Standard { id, timestamp, signatures });
            }
            presented.extend(header(headers, gitlab::TOKEN_HEADER).map(Presented::Token));
            Ok(presented)
        }
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => {
            let name = match provider {
                Provider::BitbucketCloud => bitbucket_cloud::SIGNATURE_HEADER,
                _ => bitbucket_data_center::SIGNATURE_HEADER,
            };
            match header(headers, name) {
                Some(value) => hex_signature(provider, name, value, "sha256=", 32)
                    .map(|s| vec![Presented::Hmac256(s)]),
                None => Ok(Vec::new()),
            }
        }
    }
}

fn check_timestamp(
    provider: Provider,
    timestamp: &str,
    options: &VerifyOptions,
) -> Result<(), Error> {
    let signed: i64 =
        timestamp.parse().map_err(|_| malformed(provider, gitlab::SIGNED_TIMESTAMP_HEADER))?;
    let now = options.now.ok_or_else(|| {
        Error::new(
            Code::InputInvalid,
            "This delivery is timestamped: pass the current time (now) to verify it.",
        )
    })?;
    let tolerance = options.tolerance_seconds.unwrap_or(300).max(0);
    if now.abs_diff(signed) > tolerance.unsigned_abs() {
        return Err(Error::new(
            Code::WebhookTimestampOutOfRange,
            format!(
                "The delivery was signed {} seconds from now; at most {tolerance} are accepted.",
                now.abs_diff(signed)
            ),
        )
        .for_provider(provider));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn github_test_vector() {
        let h = headers(&[
            ("X-GitHub-Event", "push"),
            (
                "X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            ),
        ]);
        let secrets =
            [WebhookSecret::new("old secret"), WebhookSecret::new("It's a Secret to Everybody")];
        let ok = verify_webhook(&h, b"Hello, World!", &secrets, &VerifyOptions::default()).unwrap();
        assert_eq!((ok.scheme, ok.secret_index), (SignatureScheme::HmacSha256, Some(1)));
        let bad = verify_webhook(&h, b"Hello, World!\n", &secrets, &VerifyOptions::default())
            .unwrap_err();
        assert_eq!(bad.code, Code::WebhookSignatureMismatch);
        assert_eq!(
            verify_webhook(&h, b"Hello, World!", &[], &VerifyOptions::default()).unwrap_err().code,
            Code::WebhookNoSecret
        );
    }

    /// A host's engine computes every MAC; one that declines leaves it to the built-in one;
    /// one that computes wrongly cannot make a forged delivery pass.
    #[test]
    fn a_host_engine_computes_the_macs() {
        struct Recording(std::cell::RefCell<Vec<(HmacAlgorithm, Vec<u8>)>>);
        impl HmacEngine for Recording {
            fn hmac(&self, a: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
                self.0.borrow_mut().push((a, message.concat()));
                BuiltinHmac.hmac(a, key, message)
            }
        }
        struct Declining;
        impl HmacEngine for Declining {
            fn hmac(&self, _: HmacAlgorithm, _: &[u8], _: &[&[u8]]) -> Option<Vec<u8>> {
                None
            }
        }
        struct Wrong;
        impl HmacEngine for Wrong {
            fn hmac(&self, _: HmacAlgorithm, _: &[u8], _: &[&[u8]]) -> Option<Vec<u8>> {
                Some(vec![0; 32])
            }
        }
        let h = headers(&[
            ("X-GitHub-Event", "push"),
            (
                "X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            ),
        ]);
        let secrets =
            [WebhookSecret::new("old secret"), WebhookSecret::new("It's a Secret to Everybody")];
        let options = VerifyOptions::default();
        let recording = Recording(Default::default());
        let ok = verify_webhook_with(&h, b"Hello, World!", &secrets, &options, &recording).unwrap();
        assert_eq!(ok.secret_index, Some(1));
        let calls = recording.0.into_inner();
        assert_eq!(calls.len(), 2, "one MAC per secret tried");
        assert!(calls.iter().all(|c| *c == (HmacAlgorithm::Sha256, b"Hello, World!".to_vec())));
        let ok = verify_webhook_with(&h, b"Hello, World!", &secrets, &options, &Declining).unwrap();
        assert_eq!(ok.secret_index, Some(1));
        let forged = verify_webhook_with(&h, b"Hello, World!", &secrets, &options, &Wrong);
        assert_eq!(forged.unwrap_err().code, Code::WebhookSignatureMismatch);
    }

    #[test]
    fn standard_webhooks_test_vector() {
        let h = headers(&[
            ("X-Gitlab-Event", "Push Hook"),
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            (
                "webhook-signature",
                "v1,bm9ldHZhbGlk v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
        ]);
        let secrets = [WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
        let options = VerifyOptions { now: Some(1614265330 + 10), ..VerifyOptions::default() };
        let ok = verify_webhook(&h, br#"{"test": 2432232314}"#, &secrets, &options).unwrap();
        assert_eq!(ok.scheme, SignatureScheme::StandardWebhooks);
        let late = VerifyOptions { now: Some(1614265330 + 301), ..VerifyOptions::default() };
        assert_eq!(
            verify_webhook(&h, br#"{"test": 2432232314}"#, &secrets, &late).unwrap_err().code,
            Code::WebhookTimestampOutOfRange
        );
    }

    /// "Webhooks", "Signing token" (docs.gitlab.com/user/project/integrations/webhooks/): a
    /// hook with a secret token and a signing token sends both `X-Gitlab-Token` and the
    /// Standard Webhooks headers, so a receiver configured with either secret verifies it; a
    /// replayed delivery is refused by its timestamp whichever secret matches.
    #[test]
    fn gitlab_hook_with_both_tokens_verifies_with_either() {
        let signing = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let h = headers(&[
            ("X-Gitlab-Event", "Push Hook"),
            ("X-Gitlab-Token", "s3cret"),
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        ]);
        let body = br#"{"test": 2432232314}"#;
        let now = VerifyOptions { now: Some(1614265330), ..VerifyOptions::default() };
        let with = |secrets: &[&str]| {
            let secrets: Vec<WebhookSecret> =
                secrets.iter().map(|s| WebhookSecret::new(*s)).collect();
            verify_webhook(&h, body, &secrets, &now)
        };
        let by_signature = with(&[signing]).unwrap();
        assert_eq!(
            (by_signature.scheme, by_signature.secret_index),
            (SignatureScheme::StandardWebhooks, Some(0))
        );
        let by_token = with(&["other", "s3cret"]).unwrap();
        assert_eq!((by_token.scheme, by_token.secret_index), (SignatureScheme::Token, Some(1)));
        assert_eq!(
            with(&["other", "whsec_b3RoZXI="]).unwrap_err().code,
            Code::WebhookSignatureMismatch
        );
        let late = VerifyOptions { now: Some(1614265330 + 301), ..VerifyOptions::default() };
        let replayed = verify_webhook(&h, body, &[WebhookSecret::new("s3cret")], &late);
        assert_eq!(replayed.unwrap_err().code, Code::WebhookTimestampOutOfRange);
    }

    #[test]
    fn gitlab_token_bitbucket_and_unsigned() {
        let h = headers(&[("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", "s3cret")]);
        assert_eq!(
            verify_webhook(&h, b"{}", &[WebhookSecret::new("s3cret")], &VerifyOptions::default())
                .unwrap()
                .scheme,
            SignatureScheme::Token
        );
        assert_eq!(
            verify_webhook(&h, b"{}", &[WebhookSecret::new("s3creT")], &VerifyOptions::default())
                .unwrap_err()
                .code,
            Code::WebhookSignatureMismatch
        );
        let ping = headers(&[("X-Event-Key", "diagnostics:ping"), ("X-Request-Id", "r")]);
        assert_eq!(
            verify_webhook(&ping, b"{}", &[], &VerifyOptions::default()).unwrap_err().code,
            Code::WebhookMissingSignature
        );
        let allowed = VerifyOptions { allow_unsigned: true, ..VerifyOptions::default() };
        assert_eq!(
            verify_webhook(&ping, b"{}", &[], &allowed).unwrap().scheme,
            SignatureScheme::Unsigned
        );
        let legacy = headers(&[
            ("X-GitHub-Event", "push"),
            ("X-Hub-Signature", "sha1=0123456789012345678901234567890123456789"),
        ]);
        assert_eq!(
            verify_webhook(&legacy, b"x", &[WebhookSecret::new("k")], &VerifyOptions::default())
                .unwrap_err()
                .code,
            Code::WebhookMissingSignature
        );
        let sha1 = VerifyOptions { allow_sha1: true, ..VerifyOptions::default() };
        assert_eq!(
            verify_webhook(&legacy, b"x", &[WebhookSecret::new("k")], &sha1).unwrap_err().code,
            Code::WebhookSignatureMismatch
        );
        let malformed = headers(&[
            ("X-Event-Key", "repo:push"),
            ("X-Hook-UUID", "h"),
            ("X-Hub-Signature", "sha256=zz"),
        ]);
        assert_eq!(
            verify_webhook(&malformed, b"x", &[WebhookSecret::new("k")], &VerifyOptions::default())
                .unwrap_err()
                .code,
            Code::WebhookMalformedSignature
        );
    }
}
