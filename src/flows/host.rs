use std::future::Future;

use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::webhooks::{HmacAlgorithm, HmacEngine};

/// Why the host could not complete a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// No answer in time.
    Timeout,
    /// The TLS handshake failed (an untrusted certificate, most often), with the host's message.
    Tls(String),
    /// The URL is `https://` but the server answered without TLS, in plain HTTP (OpenSSL's
    /// "wrong version number", rustls' invalid content type), with the host's message.
    PlainHttpOnHttps(String),
    /// The host name did not resolve, with the host's message.
    NameNotResolved(String),
    /// The machine refused the connection: nothing listens on the port. With the host's message.
    ConnectionRefused(String),
    /// No connection could be made for another reason (reset, unreachable network), with the
    /// host's message.
    Connection(String),
    /// The host's address policy refused the destination (loopback, link-local, private or
    /// metadata address), with the host's message naming the address.
    Blocked(String),
    /// The host refused plain http to a machine other than its own, with its message.
    InsecureHttp(String),
    /// The response body exceeded the host's cap, in bytes.
    TooLarge(u64),
    /// Anything else, with the host's message.
    Other(String),
}

impl From<FetchError> for Error {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Timeout => {
                Error::new(Code::NetworkTimeout, "The instance did not answer in time.")
            }
            FetchError::Tls(detail) => Error::new(
                Code::TlsUntrustedCertificate,
                "The instance's TLS certificate is not trusted.",
            )
            .with_detail(detail),
            FetchError::PlainHttpOnHttps(detail) => Error::new(
                Code::TlsPlainHttpOnHttps,
                "The server answered plain HTTP on an https address: check the scheme and the port.",
            )
            .with_detail(detail),
            FetchError::NameNotResolved(detail) => {
                Error::new(Code::NetworkNameNotResolved, "The instance's host name does not resolve.")
                    .with_detail(detail)
            }
            FetchError::ConnectionRefused(detail) => Error::new(
                Code::NetworkConnectionRefused,
                "The instance refused the connection: nothing listens on that port.",
            )
            .with_detail(detail),
            FetchError::Blocked(detail) => Error::new(
                Code::NetworkAddressBlocked,
                "The address is on a loopback, link-local, private or metadata network, which the host does not reach.",
            )
            .with_detail(detail),
            FetchError::InsecureHttp(detail) => Error::new(
                Code::NetworkInsecureHttp,
                "Plain http to another machine would send credentials in clear text.",
            )
            .with_detail(detail),
            FetchError::TooLarge(cap) => Error::new(
                Code::HttpResponseTooLarge,
                format!("The answer is larger than the host's cap of {cap} bytes."),
            ),
            FetchError::Connection(detail) | FetchError::Other(detail) => {
                Error::new(Code::NetworkUnreachable, "The instance could not be reached.")
                    .with_detail(detail)
            }
        }
    }
}

/// The host's storage failed, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageError(pub String);

impl From<StorageError> for Error {
    fn from(error: StorageError) -> Self {
        Error::new(Code::StorageFailed, "The host's storage failed.").with_detail(error.0)
    }
}

/// The host's random source failed, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomError(pub String);

impl From<RandomError> for Error {
    fn from(error: RandomError) -> Self {
        Error::new(Code::HostRandomFailed, "The host's random source failed.").with_detail(error.0)
    }
}

/// The host could not sign, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignError(pub String);

impl From<SignError> for Error {
    fn from(error: SignError) -> Self {
        Error::new(Code::HostSignFailed, "The host could not sign the GitHub App's token.")
            .with_detail(error.0)
    }
}

/// The signatures forgelink asks a host for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, as GitHub Apps' JWTs are signed.
    Rs256,
}

impl SignAlgorithm {
    /// `RS256`, as JOSE names it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignAlgorithm::Rs256 => "RS256",
        }
    }
}

/// What the flows need from the platform they run on. forgelink itself never touches the
/// network, a clock, a random source or a disk.
///
/// The futures need not be `Send`: the JavaScript and component hosts are single-threaded.
pub trait Host {
    /// Sends the request as it is. Must not follow redirects: a redirect is a response.
    fn fetch(&self, request: HttpRequest)
        -> impl Future<Output = Result<HttpResponse, FetchError>>;
    /// The value stored under `key`.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, StorageError>>;
    /// Stores `value` under `key`. With `ttl_seconds`, the value may be removed once that
    /// many seconds have passed (stores without native expiry keep an expiry and sweep); the
    /// flows never rely on it being gone, only on storage staying bounded.
    fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl_seconds: Option<u64>,
    ) -> impl Future<Output = Result<(), StorageError>>;
    /// Removes `key`; removing a missing key succeeds.
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>>;
    /// Atomically: if the value under `key` is `expected` (`None`: absent, or expired), store
    /// `new` (with `ttl_seconds` as for [`Host::set`]) and answer `true`; otherwise change
    /// nothing and answer `false`.
    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
    ) -> impl Future<Output = Result<bool, StorageError>>;
    /// The current time, in unix seconds.
    fn now(&self) -> i64;
    /// Fills `buffer` from a cryptographically secure random source, or says it could not:
    /// the flows then stop rather than seal or identify anything with predictable bytes.
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError>;
    /// Resolves after about `millis` milliseconds; used only while another caller holds a
    /// refresh lease.
    fn sleep(&self, millis: u32) -> impl Future<Output = ()>;
    /// Signs `data` with the private key of the GitHub App `app_id` and answers the signature.
    /// forgelink never holds the key: it builds the app's JWT and asks the host, which keeps the
    /// key where it keeps secrets (a file, a KMS, an HSM). The default has no key.
    fn sign(
        &self,
        algorithm: SignAlgorithm,
        app_id: &str,
        data: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, SignError>> {
        let _ = (algorithm, data);
        std::future::ready(Err(SignError(format!(
            "this host has no signer for GitHub App {app_id}"
        ))))
    }
    /// The HMAC of the concatenated `message` parts under `key`, where the platform computes
    /// it natively (Node's `crypto`). The default, `None`, leaves it to forgelink's built-in one.
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        let _ = (algorithm, key, message);
        None
    }
}

/// A host's [`Host::hmac`] as the engine that verifies its deliveries.
pub(crate) struct HostHmac<'a, H>(pub(crate) &'a H);

impl<H: Host> HmacEngine for HostHmac<'_, H> {
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        self.0.hmac(algorithm, key, message)
    }
}

/// `N` bytes from the host's random source.
pub(crate) fn random_bytes<H: Host, const N: usize>(host: &H) -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    host.fill_random(&mut bytes)?;
    Ok(bytes)
}

/// 128 random bits, base64url: connection ids, route ids, lease holders.
pub(crate) fn random_id<H: Host>(host: &H) -> Result<String, Error> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<H, 16>(host)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fetch_failure_has_its_own_code_and_keeps_the_hosts_message() {
        for (error, code) in [
            (FetchError::Timeout, Code::NetworkTimeout),
            (FetchError::Tls("self-signed certificate".into()), Code::TlsUntrustedCertificate),
            (
                FetchError::PlainHttpOnHttps("wrong version number".into()),
                Code::TlsPlainHttpOnHttps,
            ),
            (FetchError::NameNotResolved("ENOTFOUND".into()), Code::NetworkNameNotResolved),
            (FetchError::ConnectionRefused("ECONNREFUSED".into()), Code::NetworkConnectionRefused),
            (FetchError::Connection("ECONNRESET".into()), Code::NetworkUnreachable),
            (FetchError::Other("invalid header".into()), Code::NetworkUnreachable),
            (FetchError::Blocked("10.0.0.7".into()), Code::NetworkAddressBlocked),
            (FetchError::InsecureHttp("http://git.example".into()), Code::NetworkInsecureHttp),
        ] {
            let detail = match &error {
                FetchError::Timeout | FetchError::TooLarge(_) => None,
                FetchError::Tls(d)
                | FetchError::PlainHttpOnHttps(d)
                | FetchError::NameNotResolved(d)
                | FetchError::ConnectionRefused(d)
                | FetchError::Connection(d)
                | FetchError::Blocked(d)
                | FetchError::InsecureHttp(d)
                | FetchError::Other(d) => Some(d.clone()),
            };
            let converted = Error::from(error);
            assert_eq!(converted.code, code);
            assert_eq!(converted.provider_detail, detail);
        }
    }

    #[test]
    fn a_plain_http_answer_points_at_the_scheme_and_port_not_certificates() {
        let error = Error::from(FetchError::PlainHttpOnHttps("wrong version number".into()));
        let guidance = error.guidance();
        let text = format!("{} {} {}", guidance.title, guidance.summary, guidance.steps.join(" "));
        assert!(text.contains("http://") && text.contains("port"), "{text}");
        assert!(!text.to_lowercase().contains("certificate"), "{text}");
    }
}
