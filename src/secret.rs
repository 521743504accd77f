//! Secrets print as `[redacted]`, compare in constant time and never derive `PartialEq`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `[redacted]`; read the value with [`Self::secret`].
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret itself. Call this only where the value must leave the process.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Compares with another value in time that does not depend on where they differ.
            pub fn ct_eq(&self, other: &str) -> bool {
                self.0.as_bytes().ct_eq(other.as_bytes()).into()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name)
            }
        }

        /// Serialises the secret itself: serialisation is how it reaches the caller that must
        /// store or send it. Keep such output away from logs.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// A string in TypeScript, as it is serialised.
        #[cfg(feature = "typescript")]
        impl ts_rs::TS for $name {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;

            fn name(cfg: &ts_rs::Config) -> String {
                <String as ts_rs::TS>::name(cfg)
            }

            fn inline(cfg: &ts_rs::Config) -> String {
                <String as ts_rs::TS>::inline(cfg)
            }
        }
    };
}

/// Stands in for a secret in `Debug` output: prints `[redacted]`.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

secret_type! {
    /// A PKCE code verifier (RFC 7636): kept by the caller between the redirect and the callback.
    CodeVerifier
}

secret_type! {
    /// An OAuth authorization code, read from a callback, to be exchanged once.
    AuthorizationCode
}

secret_type! {
    /// An OAuth access token, or a personal, project or group access token.
    AccessToken
}

secret_type! {
    /// An OAuth refresh token: single use where the provider rotates them.
    RefreshToken
}

secret_type! {
    /// An OAuth application's client secret.
    ClientSecret
}

secret_type! {
    /// A webhook secret (GitHub and Bitbucket HMAC keys, GitLab's secret token, or a Standard
    /// Webhooks signing key `whsec_<base64>`).
    WebhookSecret
}

secret_type! {
    /// A value tied to the browser session that started an authorization (a session id, or a
    /// random value in a cookie); forgelink keeps only its hash.
    SessionBinding
}

secret_type! {
    /// A GitHub App's private key (PEM). forgelink hands it to the caller once, from the
    /// manifest conversion, and never stores it: the host keeps it and signs with it.
    PrivateKey
}

secret_type! {
    /// The device code of a device authorization, polled for until the person approves.
    DeviceCode
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let verifier = CodeVerifier::new("very-secret-verifier");
        assert_eq!(format!("{verifier:?}"), "CodeVerifier([redacted])");
        assert!(verifier.ct_eq("very-secret-verifier"));
        assert!(!verifier.ct_eq("very-secret-verifieR"));
        assert!(!verifier.ct_eq("short"));
    }
}
