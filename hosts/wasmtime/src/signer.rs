//! The `forgelink:connect/signer` import: RS256 signatures with GitHub App private keys, which
//! stay in the host.
//!
//! Signing is ring's RSASSA-PKCS1-v1_5 with SHA-256: ring is already in the tree (it is
//! rustls' provider) and keeps to BoringSSL's constant-time code; the RustCrypto `rsa` crate would add a second big-number stack whose private-key operations
//! are not constant-time (RUSTSEC-2023-0071). ring reads keys as DER, PKCS#1 (`RsaKeyPair::
//! from_der`) or PKCS#8 (`from_pkcs8`); the PEM around them is decoded by `rustls-pki-types`,
//! also already in the tree. So both the `BEGIN RSA PRIVATE KEY` file GitHub hands out and a
//! `BEGIN PRIVATE KEY` file converted with `openssl pkcs8 -topk8 -nocrypt` work.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

use crate::wit::SignAlgorithm;

/// Where the `sign` import comes from. [`AppKeys`] signs with keys the host holds; a product
/// can implement it over a KMS or an HSM that signs without letting the key out.
pub trait Signer: Send + Sync {
    /// Signs `data` for the GitHub App `app_id` with `algorithm`, or explains why it cannot:
    /// the component returns the explanation as the `provider-detail` of `host.sign_failed`.
    fn sign(&self, algorithm: SignAlgorithm, app_id: &str, data: &[u8]) -> Result<Vec<u8>, String>;
}

/// The environment variable holding a GitHub App's private key, as PEM text.
pub const KEY_VARIABLE: &str = "FORGELINK_GITHUB_APP_KEY";

/// The environment variable holding the path of a GitHub App's private key file.
pub const KEY_FILE_VARIABLE: &str = "FORGELINK_GITHUB_APP_KEY_FILE";

/// How to give this host a key, for the explanation of a signature it cannot make.
pub const CONFIGURE: &str = "configure the app's private key (forgelink-host: --app-key [APP_ID=]PATH, or FORGELINK_GITHUB_APP_KEY with the PEM text, or FORGELINK_GITHUB_APP_KEY_FILE with its path; as a library: HostState::with_signer)";

/// Why a private key could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum AppKeyError {
    /// The key file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The text is not an RSA private key in PEM that ring accepts.
    Format(String),
}

impl fmt::Display for AppKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppKeyError::Read { path, error } => {
                write!(f, "cannot read the GitHub App key {}: {error}", path.display())
            }
            AppKeyError::Format(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for AppKeyError {}

/// One GitHub App's RSA private key. `Debug` never shows it.
pub struct AppKey(RsaKeyPair);

impl AppKey {
    /// A PEM private key: PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`, as GitHub hands it out)
    /// or PKCS#8 (`-----BEGIN PRIVATE KEY-----`), unencrypted, 2048 to 8192 bits. Text with
    /// its line breaks written as `\n` (as environment files often hold it) is read too.
    pub fn from_pem(pem: &[u8]) -> Result<Self, AppKeyError> {
        let unescaped;
        let pem = if !pem.contains(&b'\n') && pem.windows(2).any(|pair| pair == b"\\n") {
            unescaped = String::from_utf8_lossy(pem).replace("\\n", "\n");
            unescaped.as_bytes()
        } else {
            pem
        };
        let format = |detail: &str| AppKeyError::Format(format!("a GitHub App key {detail}"));
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|error| {
            format(&format!(
                "is a PEM private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY); none was read: {error}"
            ))
        })?;
        let pair = match &der {
            PrivateKeyDer::Pkcs1(key) => RsaKeyPair::from_der(key.secret_pkcs1_der()),
            PrivateKeyDer::Pkcs8(key) => RsaKeyPair::from_pkcs8(key.secret_pkcs8_der()),
            _ => return Err(format("is an RSA key; this PEM holds an elliptic-curve key")),
        };
        pair.map(AppKey)
            .map_err(|rejected| format(&format!("was rejected as an RSA private key: {rejected}")))
    }

    /// A PEM key file; see [`AppKey::from_pem`].
    pub fn from_file(path: &Path) -> Result<Self, AppKeyError> {
        let pem = std::fs::read(path)
            .map_err(|error| AppKeyError::Read { path: path.to_owned(), error })?;
        Self::from_pem(&pem).map_err(|error| match error {
            AppKeyError::Format(message) => {
                AppKeyError::Format(format!("{}: {message}", path.display()))
            }
            other => other,
        })
    }

    /// The key in [`KEY_VARIABLE`] (PEM text) or else the file [`KEY_FILE_VARIABLE`] names,
    /// if either is set.
    pub fn from_environment() -> Option<Result<Self, AppKeyError>> {
        if let Some(pem) = std::env::var_os(KEY_VARIABLE).filter(|value| !value.is_empty()) {
            return Some(
                Self::from_pem(pem.as_encoded_bytes())
                    .map_err(|error| AppKeyError::Format(format!("{KEY_VARIABLE}: {error}"))),
            );
        }
        let path = std::env::var_os(KEY_FILE_VARIABLE).filter(|value| !value.is_empty())?;
        Some(Self::from_file(Path::new(&path)))
    }

    /// The RS256 signature of `data`.
    pub fn sign_rs256(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        // PKCS#1 v1.5 signatures are deterministic; ring takes a random source for blinding.
        self.0
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), data, &mut signature)
            .map_err(|_| "the RSA signature failed (ring refused to sign)".to_owned())?;
        Ok(signature)
    }
}

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKey([redacted])")
    }
}

/// The GitHub App keys a host holds: one per app id, and possibly one for any app (the key of
/// the one app a deployment serves).
#[derive(Debug, Default)]
pub struct AppKeys {
    by_app: BTreeMap<String, AppKey>,
    any: Option<AppKey>,
}

impl AppKeys {
    /// No keys: every signature fails with an explanation of how to configure one.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs for `app_id` with `key`, or for any app without a key of its own when `app_id`
    /// is none. A later key for the same app replaces the earlier one.
    pub fn insert(&mut self, app_id: Option<&str>, key: AppKey) {
        match app_id {
            Some(app_id) => {
                self.by_app.insert(app_id.to_owned(), key);
            }
            None => self.any = Some(key),
        }
    }

    /// Whether it holds no key at all.
    pub fn is_empty(&self) -> bool {
        self.by_app.is_empty() && self.any.is_none()
    }

    /// Reads `[APP_ID=]PATH`: the key in the file `PATH`, for the app `APP_ID` (digits) or, without
    /// it, for any app.
    pub fn insert_spec(&mut self, spec: &str) -> Result<(), AppKeyError> {
        let (app_id, path) = match spec.split_once('=') {
            Some((id, path)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(id), path)
            }
            _ => (None, spec),
        };
        self.insert(app_id, AppKey::from_file(Path::new(path))?);
        Ok(())
    }

    fn key(&self, app_id: &str) -> Option<&AppKey> {
        self.by_app.get(app_id).or(self.any.as_ref())
    }
}

impl Signer for AppKeys {
    fn sign(&self, algorithm: SignAlgorithm, app_id: &str, data: &[u8]) -> Result<Vec<u8>, String> {
        let Some(key) = self.key(app_id) else {
            let known = if self.by_app.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = self.by_app.keys().map(String::as_str).collect();
                format!(" (it has keys for app {})", ids.join(", "))
            };
            return Err(format!(
                "this host has no private key for GitHub App {app_id}{known}: {CONFIGURE}"
            ));
        };
        match algorithm {
            SignAlgorithm::Rs256 => key.sign_rs256(data),
        }
    }
}
