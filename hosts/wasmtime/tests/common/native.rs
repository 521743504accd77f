//! The core's flows run natively, over the same HTTP client, storage and clock a component
//! instance gets, so that a test can hold the component's results to the core's own.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use forgelink::{FetchError, HttpRequest, HttpResponse, RandomError, StorageError};
use forgelink_host::environment::Clock;
use forgelink_host::http::Fetch;
use forgelink_host::storage::{MemoryStore, Storage};
use forgelink_host::wit;

/// The core's `Host` over a host library's `Fetch`, a `MemoryStore` and a clock.
pub struct NativeHost {
    pub fetch: Box<dyn Fetch>,
    pub store: MemoryStore,
    pub clock: Arc<dyn Clock>,
}

fn storage_error(error: std::io::Error) -> StorageError {
    StorageError(error.to_string())
}

impl forgelink::Host for NativeHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        let request = wit::Request {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body.map(String::into_bytes),
        };
        match self.fetch.fetch(request) {
            Ok(response) => Ok(HttpResponse {
                status: response.status,
                headers: response.headers,
                body: response.body,
            }),
            Err(wit::FetchError::Timeout) => Err(FetchError::Timeout),
            Err(wit::FetchError::Tls(detail)) => Err(FetchError::Tls(detail)),
            Err(wit::FetchError::PlainHttpOnHttps(detail)) => {
                Err(FetchError::PlainHttpOnHttps(detail))
            }
            Err(wit::FetchError::NameNotResolved(detail)) => {
                Err(FetchError::NameNotResolved(detail))
            }
            Err(wit::FetchError::ConnectionRefused(detail)) => {
                Err(FetchError::ConnectionRefused(detail))
            }
            Err(wit::FetchError::Connection(detail)) => Err(FetchError::Connection(detail)),
            Err(wit::FetchError::Blocked(detail)) => Err(FetchError::Blocked(detail)),
            Err(wit::FetchError::InsecureHttp(detail)) => Err(FetchError::InsecureHttp(detail)),
            Err(wit::FetchError::TooLarge(cap)) => Err(FetchError::TooLarge(cap)),
            Err(wit::FetchError::Other(detail)) => Err(FetchError::Other(detail)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.store.get(key, self.clock.now()).map_err(storage_error)
    }

    async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl_seconds: Option<u64>,
    ) -> Result<(), StorageError> {
        self.store.set(key, value, ttl_seconds, self.clock.now()).map_err(storage_error)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.store.delete(key).map_err(storage_error)
    }

    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
    ) -> Result<bool, StorageError> {
        let now = self.clock.now();
        self.store.compare_and_swap(key, expected, new, ttl_seconds, now).map_err(storage_error)
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        getrandom::getrandom(buffer).map_err(|error| RandomError(error.to_string()))
    }

    async fn sleep(&self, millis: u32) {
        self.clock.sleep(std::time::Duration::from_millis(u64::from(millis)));
    }
}

/// Runs a future whose every await is ready, as the core's flows over [`NativeHost`] are.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut context = Context::from_waker(Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
