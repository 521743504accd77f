//! The core's `Host` over the component's imports, and an executor for the flows' futures.
//!
//! Every import is synchronous, so each future the host hands the core is ready when it is
//! created, and a flow completes on its first poll. No async runtime is needed, and none would
//! help: a component instance has one thread and nothing outside it that could wake a future.

use std::future::{ready, Future};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use forgelink::{
    Code, FetchError, HmacAlgorithm, HmacEngine, HttpRequest, HttpResponse, RandomError,
    SignAlgorithm, SignError, StorageError,
};

use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::forgelink::connect::{environment, hmac, http, signer, storage};
use crate::bindings::wasi::random::random;
use crate::convert::{coded_error, IntoWit};

/// The imports, as the core's `Host`.
pub(crate) struct ComponentHost;

impl forgelink::Host for ComponentHost {
    fn fetch(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, FetchError>> {
        ready(match http::fetch(&crate::tokens::request(request)) {
            Ok(response) => Ok(HttpResponse {
                status: response.status,
                headers: response.headers,
                body: response.body,
            }),
            Err(http::FetchError::Timeout) => Err(FetchError::Timeout),
            Err(http::FetchError::Tls(detail)) => Err(FetchError::Tls(detail)),
            Err(http::FetchError::PlainHttpOnHttps(detail)) => {
                Err(FetchError::PlainHttpOnHttps(detail))
            }
            Err(http::FetchError::NameNotResolved(detail)) => {
                Err(FetchError::NameNotResolved(detail))
            }
            Err(http::FetchError::ConnectionRefused(detail)) => {
                Err(FetchError::ConnectionRefused(detail))
            }
            Err(http::FetchError::Connection(detail)) => Err(FetchError::Connection(detail)),
            Err(http::FetchError::Blocked(detail)) => Err(FetchError::Blocked(detail)),
            Err(http::FetchError::InsecureHttp(detail)) => Err(FetchError::InsecureHttp(detail)),
            Err(http::FetchError::TooLarge(cap)) => Err(FetchError::TooLarge(cap)),
            Err(http::FetchError::Other(detail)) => Err(FetchError::Other(detail)),
        })
    }

    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, StorageError>> {
        ready(storage::get(key).map_err(StorageError))
    }

    fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl_seconds: Option<u64>,
    ) -> impl Future<Output = Result<(), StorageError>> {
        ready(storage::set(key, value, ttl_seconds).map_err(StorageError))
    }

    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>> {
        ready(storage::delete(key).map_err(StorageError))
    }

    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
    ) -> impl Future<Output = Result<bool, StorageError>> {
        ready(storage::compare_and_swap(key, expected, new, ttl_seconds).map_err(StorageError))
    }

    fn now(&self) -> i64 {
        environment::now()
    }

    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        // `get-random-bytes` cannot fail by its signature, so a host whose source failed can
        // only answer short; the core then stops before it seals or identifies anything.
        fill_from(buffer, &random::get_random_bytes(buffer.len() as u64))
    }

    fn sleep(&self, millis: u32) -> impl Future<Output = ()> {
        environment::sleep(millis);
        ready(())
    }

    /// The host signs: a GitHub App's private key never enters the component.
    fn sign(
        &self,
        algorithm: SignAlgorithm,
        app_id: &str,
        data: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, SignError>> {
        let algorithm = match algorithm {
            SignAlgorithm::Rs256 => signer::SignAlgorithm::Rs256,
        };
        ready(signer::sign(algorithm, app_id, data).map_err(SignError))
    }

    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        HostHmac.hmac(algorithm, key, message)
    }
}

/// The `hmac` import as the engine that verifies deliveries, for the pure `verify-webhook` as
/// for the flows: the host's native SHA runs several times faster than the component's.
pub(crate) struct HostHmac;

impl HmacEngine for HostHmac {
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        let algorithm = match algorithm {
            HmacAlgorithm::Sha256 => hmac::HmacAlgorithm::Sha256,
            HmacAlgorithm::Sha1 => hmac::HmacAlgorithm::Sha1,
        };
        // A body signed alone (GitHub, Bitbucket) crosses as it is; only Standard Webhooks'
        // `id.timestamp.body` is joined first.
        match message {
            [part] => hmac::compute(algorithm, key, part),
            parts => hmac::compute(algorithm, key, &parts.concat()),
        }
    }
}

/// Copies the host's answer into `buffer`, or fails when it holds fewer bytes than asked: a
/// partly zero nonce, id or state must never be used.
fn fill_from(buffer: &mut [u8], bytes: &[u8]) -> Result<(), RandomError> {
    match bytes.get(..buffer.len()) {
        Some(bytes) => {
            buffer.copy_from_slice(bytes);
            Ok(())
        }
        None => Err(RandomError(format!(
            "wasi:random/random returned {} bytes where {} were asked for",
            bytes.len(),
            buffer.len()
        ))),
    }
}

/// The flows over the imports, sealed with the host's key.
pub(crate) fn flows() -> Result<forgelink::Flows<ComponentHost>, wit_types::Error> {
    let key = environment::encryption_key().map_err(|detail| {
        coded_error(
            Code::InputInvalid,
            "The host supplied no encryption key, which the connection flows need to seal what they store.",
            Some(detail),
        )
    })?;
    let key = forgelink::EncryptionKey::new(&key).map_err(IntoWit::into_wit)?;
    Ok(forgelink::Flows::new(ComponentHost, key))
}

/// Records whether the future asked to be polled again.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// How often a future that keeps waking itself may be polled: far more than any flow yields,
/// few enough that a future yielding forever ends in an error within milliseconds.
const MAX_POLLS: u32 = 10_000;

/// Runs a flow to completion on this thread.
///
/// A future that is pending without having arranged to be woken can never complete here, as
/// nothing else runs in the instance; rather than spin, the call fails with a coded error.
pub(crate) fn run<T, F>(future: F) -> Result<T, wit_types::Error>
where
    F: Future<Output = Result<T, forgelink::Error>>,
{
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    let mut polls = 0;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output.map_err(IntoWit::into_wit);
        }
        polls += 1;
        if !flag.0.swap(false, Ordering::Relaxed) || polls >= MAX_POLLS {
            return Err(coded_error(
                Code::StorageFailed,
                "A flow stopped making progress: it waited on an operation that cannot complete inside the component.",
                None,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;

    use super::*;

    /// Pending `left` times, waking itself each time, then ready.
    struct Yields(u32);

    impl Future for Yields {
        type Output = Result<u32, forgelink::Error>;

        fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
            if self.0 == 0 {
                return Poll::Ready(Ok(7));
            }
            self.0 -= 1;
            context.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[test]
    fn ready_and_self_waking_futures_complete() {
        assert_eq!(run(Yields(0)).map_err(|e| e.code), Ok(7));
        assert_eq!(run(Yields(3)).map_err(|e| e.code), Ok(7));
    }

    #[test]
    fn a_future_that_cannot_complete_fails_with_a_code() {
        let never = std::future::pending::<Result<(), forgelink::Error>>();
        let error = run(never).err().map(|e| (e.code, e.guidance.code));
        assert_eq!(error, Some(("storage.failed".to_owned(), "storage.failed".to_owned())));
        let error = run(Yields(u32::MAX)).err().map(|e| e.code);
        assert_eq!(error.as_deref(), Some("storage.failed"));
    }

    #[test]
    fn a_short_random_answer_is_a_random_error_and_fills_nothing() {
        let mut buffer = [7u8; 4];
        assert_eq!(fill_from(&mut buffer, &[1, 2, 3, 4, 5]), Ok(()));
        assert_eq!(buffer, [1, 2, 3, 4]);
        let mut buffer = [7u8; 4];
        let error = fill_from(&mut buffer, &[1, 2, 3]).unwrap_err();
        assert!(error.0.contains("3 bytes where 4"), "{error:?}");
        assert_eq!(buffer, [7; 4], "nothing of a short answer is used");
        let error = forgelink::Error::from(error);
        assert_eq!(error.code, Code::HostRandomFailed);
    }
}
