//! What the flows keep in the host's storage: sealed with AES-256-GCM under the host's key,
//! bound to their storage key, and versioned so the format can change.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Code, Error};
use crate::flows::host::{random_bytes, Host};
use crate::flows::Flows;

/// How often a read-modify-write is tried before giving up on a key that keeps changing.
pub(crate) const MAX_SWAP_ATTEMPTS: usize = 16;

/// The format of a sealed value: `[1][12-byte nonce][ciphertext with tag]`.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// The 32-byte key the host supplies to encrypt what the flows store. `Debug` never shows it.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl EncryptionKey {
    /// Takes exactly 32 bytes from a secure source (a key-management service, a secret file).
    pub fn new(bytes: &[u8]) -> Result<Self, Error> {
        <[u8; 32]>::try_from(bytes).map(EncryptionKey).map_err(|_| {
            Error::new(
                Code::InputInvalid,
                format!("The encryption key must be 32 bytes, not {}.", bytes.len()),
            )
        })
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey([redacted])")
    }
}

/// Serialises and encrypts `value`; the storage key is authenticated too, so a value copied
/// under another key does not open.
pub(crate) fn seal<T: Serialize>(
    key: &EncryptionKey,
    storage_key: &str,
    value: &T,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>, Error> {
    let plaintext = serde_json::to_vec(value).map_err(|e| {
        Error::new(Code::StorageFailed, format!("Could not serialise a record: {e}"))
    })?;
    let cipher = Aes256Gcm::new((&key.0).into());
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload { msg: &plaintext, aad: storage_key.as_bytes() },
        )
        .map_err(|_| Error::new(Code::StorageFailed, "Could not encrypt a record."))?;
    let mut sealed = Vec::with_capacity(ciphertext.len().saturating_add(1 + NONCE_LEN));
    sealed.push(FORMAT_V1);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

/// Decrypts and reads a value sealed by [`seal`].
pub(crate) fn open<T: DeserializeOwned>(
    key: &EncryptionKey,
    storage_key: &str,
    sealed: &[u8],
) -> Result<T, Error> {
    let corrupt = || {
        Error::new(
            Code::StorageCorrupt,
            "A stored record cannot be decrypted: it was written with another encryption key, or altered.",
        )
    };
    let (version, rest) = sealed.split_first().ok_or_else(corrupt)?;
    if *version != FORMAT_V1 || rest.len() < NONCE_LEN {
        return Err(corrupt());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new((&key.0).into());
    let plaintext = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: storage_key.as_bytes() })
        .map_err(|_| corrupt())?;
    serde_json::from_slice(&plaintext).map_err(|_| corrupt())
}

/// Pending authorizations are found by a hash of their state, so that storage never holds a
/// usable state in a key name.
pub(crate) fn pending_key(state: &str) -> String {
    format!("forgelink/v1/pending/{}", hex_sha256(state))
}

/// The hex SHA-256 of `text`: storage keys name hashes, never the values they are about.
pub(crate) fn hex_sha256(text: impl AsRef<[u8]>) -> String {
    Sha256::digest(text.as_ref()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What a read-modify-write decided.
pub(crate) enum Change<T, R> {
    /// Store this value, then answer `R`.
    Write(T, R),
    /// Store nothing and answer `R`.
    Keep(R),
}

impl<H: Host> Flows<H> {
    /// Seals `value` for `key` under a fresh nonce.
    pub(crate) fn seal<T: Serialize>(&self, key: &str, value: &T) -> Result<Vec<u8>, Error> {
        seal(&self.key, key, value, random_bytes(&self.host)?)
    }

    /// The sealed value under `key`, opened, with the exact bytes read for a later
    /// compare-and-swap.
    pub(crate) async fn read_sealed<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<(T, Vec<u8>)>, Error> {
        match self.host.get(key).await? {
            Some(bytes) => Ok(Some((open(&self.key, key, &bytes)?, bytes))),
            None => Ok(None),
        }
    }

    /// Read-modify-write of a sealed value through compare-and-swap: `change` sees the current
    /// value (or `None`) and decides; when another caller changed it meanwhile, `change` runs
    /// again on the new value, a bounded number of times.
    pub(crate) async fn update_sealed<T, R>(
        &self,
        key: &str,
        ttl_seconds: Option<u64>,
        mut change: impl FnMut(Option<T>) -> Result<Change<T, R>, Error>,
    ) -> Result<R, Error>
    where
        T: Serialize + DeserializeOwned,
    {
        for _ in 0..MAX_SWAP_ATTEMPTS {
            let current: Option<(T, Vec<u8>)> = self.read_sealed(key).await?;
            let (value, bytes) = current.map_or((None, None), |(v, b)| (Some(v), Some(b)));
            match change(value)? {
                Change::Keep(answer) => return Ok(answer),
                Change::Write(next, answer) => {
                    let sealed = self.seal(key, &next)?;
                    if self
                        .host
                        .compare_and_swap(key, bytes.as_deref(), &sealed, ttl_seconds)
                        .await?
                    {
                        return Ok(answer);
                    }
                }
            }
        }
        Err(Error::new(
            Code::StorageFailed,
            "A stored record kept changing under concurrent updates; nothing was changed.",
        ))
    }
}

pub(crate) fn connection_key(id: &str) -> Result<String, Error> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(format!("forgelink/v1/connection/{id}"))
    } else {
        Err(Error::new(Code::ConnectionNotFound, "That is not a connection id forgelink issued."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_name() {
        let key = EncryptionKey::new(&[9; 32]).unwrap();
        let sealed = seal(&key, "a", &"secret token", [1; 12]).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(open::<String>(&key, "a", &sealed).unwrap(), "secret token");
        assert_eq!(open::<String>(&key, "b", &sealed).unwrap_err().code, Code::StorageCorrupt);
        let other = EncryptionKey::new(&[8; 32]).unwrap();
        assert_eq!(open::<String>(&other, "a", &sealed).unwrap_err().code, Code::StorageCorrupt);
        assert_eq!(EncryptionKey::new(&[1; 16]).unwrap_err().code, Code::InputInvalid);
        assert!(connection_key("../x").is_err());
    }
}
