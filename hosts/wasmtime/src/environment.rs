//! The `forgelink:connect/environment` import: the clock, short waits, and the encryption key.

use std::fmt;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest single wait the host grants. forgelink asks for a tenth of a second at a time
/// while another caller refreshes a token; the cap keeps a misbehaving component from
/// parking the host's thread for days with one call.
pub const MAX_SLEEP: Duration = Duration::from_secs(5);

/// Where the `now` and `sleep` imports come from. [`SystemClock`] in production; tests supply
/// their own to move time forward (an access token that expired, a lease that ran out)
/// without waiting for it.
pub trait Clock: Send + Sync {
    /// The current time in seconds since the Unix epoch.
    fn now(&self) -> i64;
    /// Waits for `duration`, at most [`MAX_SLEEP`].
    fn sleep(&self, duration: Duration);
}

/// The operating system's clock and `thread::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        unix_seconds(SystemTime::now())
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration.min(MAX_SLEEP));
    }
}

/// `time` in Unix seconds, negative before 1970, saturating far outside the range of `i64`.
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// The environment variable holding the key as 64 hexadecimal characters.
pub const KEY_VARIABLE: &str = "FORGELINK_ENCRYPTION_KEY";

/// The 32-byte key the flows seal storage with. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptionKey([u8; 32]);

/// Why a key could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file could not be read.
    Read(io::Error),
    /// The bytes are neither 32 raw bytes nor 64 hexadecimal characters.
    Format(String),
    /// The operating system's random source failed.
    Random(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Read(error) => write!(f, "cannot read the encryption key: {error}"),
            KeyError::Format(message) | KeyError::Random(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for KeyError {}

impl EncryptionKey {
    /// Exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        <[u8; 32]>::try_from(bytes).map(EncryptionKey).map_err(|_| {
            KeyError::Format(format!("an encryption key is 32 bytes, not {}", bytes.len()))
        })
    }

    /// 64 hexadecimal characters, in either case, with surrounding whitespace ignored.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let invalid = || {
            KeyError::Format(format!(
                "an encryption key in hexadecimal is 64 characters 0-9 and a-f, not {} characters",
                text.chars().count()
            ))
        };
        // `from_str_radix` alone would take a sign ("+f"), so each digit is checked first.
        if text.len() != 64 || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let mut key = [0; 32];
        for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(EncryptionKey(key))
    }

    /// A key file: 32 raw bytes, or 64 hexadecimal characters (a trailing line break is
    /// fine), which is what `openssl rand -hex 32 > key` writes.
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let bytes = std::fs::read(path).map_err(KeyError::Read)?;
        if bytes.len() == 32 {
            return Self::from_bytes(&bytes);
        }
        match std::str::from_utf8(&bytes) {
            Ok(text) => Self::from_hex(text),
            Err(_) => Err(KeyError::Format(format!(
                "{} holds {} bytes: a key file is 32 raw bytes or 64 hexadecimal characters",
                path.display(),
                bytes.len()
            ))),
        }
    }

    /// The key in [`KEY_VARIABLE`], if that is set.
    pub fn from_environment() -> Option<Result<Self, KeyError>> {
        let value = std::env::var_os(KEY_VARIABLE)?;
        Some(match value.to_str() {
            Some(text) => Self::from_hex(text)
                .map_err(|error| KeyError::Format(format!("{KEY_VARIABLE}: {error}"))),
            None => Err(KeyError::Format(format!("{KEY_VARIABLE} is not valid UTF-8"))),
        })
    }

    /// A fresh key from the operating system's random source, for work whose stored records
    /// need not outlive the process.
    pub fn random() -> Result<Self, KeyError> {
        let mut key = [0; 32];
        getrandom::getrandom(&mut key)
            .map_err(|error| KeyError::Random(format!("the OS random source failed: {error}")))?;
        Ok(EncryptionKey(key))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_hex_and_bytes() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let key = EncryptionKey::from_hex(&format!(" {hex}\n")).expect("valid hex");
        assert_eq!(key.as_bytes()[..4], [0x00, 0x11, 0x22, 0x33]);
        assert_eq!(key.as_bytes()[31], 0xff);
        assert!(EncryptionKey::from_hex(&hex[..62]).is_err());
        assert!(EncryptionKey::from_hex(&format!("{}zz", &hex[..62])).is_err());
        assert!(EncryptionKey::from_hex(&"é".repeat(32)).is_err());
        assert!(EncryptionKey::from_hex(&"+1".repeat(32)).is_err());
        assert!(EncryptionKey::from_bytes(&[7; 31]).is_err());
        assert_eq!(format!("{key:?}"), "EncryptionKey([redacted])");
        assert_ne!(EncryptionKey::random().ok(), EncryptionKey::random().ok());
    }

    #[test]
    fn unix_seconds_before_and_after_the_epoch() {
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_secs(5)), 5);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), -5);
    }
}
