//! The flows' [`Host`] in the browser and Node: the bridge object `flows.js` builds over the
//! caller's `fetch` and `storage`, and a promise per flow call.
//!
//! The bridge normalises what the caller's functions return and catches what they throw, so
//! every call here resolves to an [`Outcome`] of a known shape: Rust never sees a JavaScript
//! exception, and a failing host becomes a [`FetchError`], a [`StorageError`], a
//! [`RandomError`] or a [`SignError`] with the host's own message.

use std::future::Future;

use forgelink::{
    EncryptionKey, FetchError, Flows, HmacAlgorithm, HmacEngine, Host, HttpRequest, HttpResponse,
    RandomError, SignAlgorithm, SignError, StorageError,
};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen]
extern "C" {
    /// What `flows.js` passes for the caller's host. None of its methods throws, and every
    /// promise it returns resolves to an [`Outcome`].
    pub type Bridge;

    #[wasm_bindgen(method, structural)]
    fn fetch(
        this: &Bridge,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: Option<String>,
    ) -> Promise;
    #[wasm_bindgen(method, structural)]
    fn get(this: &Bridge, key: &str) -> Promise;
    /// `ttl_seconds`: how long the value must be kept at least; the bridge passes it to the
    /// caller's storage as `{ ttlSeconds }`, and leaves the options out without one.
    #[wasm_bindgen(method, structural)]
    fn set(this: &Bridge, key: &str, value: &[u8], ttl_seconds: Option<f64>) -> Promise;
    #[wasm_bindgen(method, structural, js_name = "delete")]
    fn remove(this: &Bridge, key: &str) -> Promise;
    #[wasm_bindgen(method, structural, js_name = "compareAndSwap")]
    fn compare_and_swap(
        this: &Bridge,
        key: &str,
        expected: Option<Vec<u8>>,
        value: &[u8],
        ttl_seconds: Option<f64>,
    ) -> Promise;
    /// Milliseconds since the epoch, from the caller's clock or `Date.now()`.
    #[wasm_bindgen(method, structural)]
    fn now(this: &Bridge) -> f64;
    /// Fills the buffer from `crypto.getRandomValues`; answers why it could not (no
    /// `crypto.getRandomValues`, or it threw), or `undefined` once the buffer is filled.
    #[wasm_bindgen(method, structural)]
    fn random(this: &Bridge, buffer: &mut [u8]) -> Option<String>;
    #[wasm_bindgen(method, structural)]
    fn sleep(this: &Bridge, millis: u32) -> Promise;
    /// Signs `data` with the key of the GitHub App `app_id` through the caller's `sign`
    /// option; `algorithm` is `RS256`. The bridge copies `data` before its first await.
    #[wasm_bindgen(method, structural)]
    fn sign(this: &Bridge, algorithm: &str, app_id: &str, data: &[u8]) -> Promise;

    /// `{ ok: true, ... }` with the answer, or `{ ok: false, kind, message }`.
    type Outcome;

    #[wasm_bindgen(method, getter, structural)]
    fn ok(this: &Outcome) -> bool;
    /// For a failed fetch: `timeout`, `tls`, `plain_http_on_https`, `name_not_resolved`,
    /// `connection_refused`, `connection`, `blocked`, `insecure_http`, `too_large` or `other`.
    #[wasm_bindgen(method, getter, structural)]
    fn kind(this: &Outcome) -> String;
    #[wasm_bindgen(method, getter, structural)]
    fn message(this: &Outcome) -> String;
    #[wasm_bindgen(method, getter, structural)]
    fn status(this: &Outcome) -> u16;
    /// Header names and values, flat: `[name, value, name, value, ...]`.
    #[wasm_bindgen(method, getter, structural)]
    fn headers(this: &Outcome) -> Vec<String>;
    #[wasm_bindgen(method, getter, structural)]
    fn body(this: &Outcome) -> Vec<u8>;
    /// A storage value; `undefined` when the key is absent.
    #[wasm_bindgen(method, getter, structural)]
    fn value(this: &Outcome) -> Option<Vec<u8>>;
    #[wasm_bindgen(method, getter, structural)]
    fn swapped(this: &Outcome) -> bool;
    /// For a `too_large` fetch: the host's cap on response bodies, in bytes.
    #[wasm_bindgen(method, getter, structural)]
    fn limit(this: &Outcome) -> f64;
    /// For a signature: its bytes.
    #[wasm_bindgen(method, getter, structural)]
    fn signature(this: &Outcome) -> Vec<u8>;
}

struct JsHost {
    bridge: Bridge,
}

/// Awaits a bridge promise. It never rejects; should it anyway, the reason becomes a failed
/// outcome rather than a panic.
async fn outcome(promise: Promise) -> Result<Outcome, String> {
    match JsFuture::from(promise).await {
        Ok(value) => Ok(value.unchecked_into()),
        Err(reason) => Err(reason.as_string().unwrap_or_else(|| "the host failed".to_owned())),
    }
}

async fn storage(promise: Promise) -> Result<Outcome, StorageError> {
    let outcome = outcome(promise).await.map_err(StorageError)?;
    if outcome.ok() {
        Ok(outcome)
    } else {
        Err(StorageError(outcome.message()))
    }
}

impl Host for JsHost {
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        // Flows interleave at every await: no body is assumed, every part is copied.
        crate::hmac::NativeHmac { body: None }.hmac(algorithm, key, message)
    }

    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        let headers = request.headers.into_iter().flat_map(|(name, value)| [name, value]).collect();
        let promise = self.bridge.fetch(&request.method, &request.url, headers, request.body);
        let outcome = outcome(promise).await.map_err(FetchError::Other)?;
        if !outcome.ok() {
            let message = outcome.message();
            return Err(match outcome.kind().as_str() {
                "timeout" => FetchError::Timeout,
                "tls" => FetchError::Tls(message),
                "plain_http_on_https" => FetchError::PlainHttpOnHttps(message),
                "name_not_resolved" => FetchError::NameNotResolved(message),
                "connection_refused" => FetchError::ConnectionRefused(message),
                "connection" => FetchError::Connection(message),
                "blocked" => FetchError::Blocked(message),
                "insecure_http" => FetchError::InsecureHttp(message),
                "too_large" => FetchError::TooLarge(byte_count(outcome.limit())),
                _ => FetchError::Other(message),
            });
        }
        let mut headers = Vec::new();
        let mut flat = outcome.headers().into_iter();
        while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
            headers.push((name, value));
        }
        Ok(HttpResponse { status: outcome.status(), headers, body: outcome.body() })
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(storage(self.bridge.get(key)).await?.value())
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Option<u64>) -> Result<(), StorageError> {
        storage(self.bridge.set(key, value, ttl.map(ttl_number))).await.map(drop)
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        storage(self.bridge.remove(key)).await.map(drop)
    }

    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
        ttl: Option<u64>,
    ) -> Result<bool, StorageError> {
        let expected = expected.map(<[u8]>::to_vec);
        let promise = self.bridge.compare_and_swap(key, expected, new, ttl.map(ttl_number));
        Ok(storage(promise).await?.swapped())
    }

    fn now(&self) -> i64 {
        crate::tokens::seconds(self.bridge.now() / 1000.0)
    }

    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        match self.bridge.random(buffer) {
            None => Ok(()),
            Some(message) => Err(RandomError(message)),
        }
    }

    async fn sleep(&self, millis: u32) {
        // The bridge's timer promise only resolves; there is nothing to do with its value.
        let _ = JsFuture::from(self.bridge.sleep(millis)).await;
    }

    async fn sign(
        &self,
        algorithm: SignAlgorithm,
        app_id: &str,
        data: &[u8],
    ) -> Result<Vec<u8>, SignError> {
        let promise = self.bridge.sign(algorithm.as_str(), app_id, data);
        let outcome = outcome(promise).await.map_err(SignError)?;
        if outcome.ok() {
            Ok(outcome.signature())
        } else {
            Err(SignError(outcome.message()))
        }
    }
}

/// A time-to-live as a JavaScript number. The flows' TTLs are at most days; a caller's
/// `dedupeSeconds` beyond 2^53 only loses precision it could never use.
fn ttl_number(ttl: u64) -> f64 {
    ttl as f64
}

/// A byte count the bridge read from JavaScript: a whole number of bytes, anything else 0.
fn byte_count(limit: f64) -> u64 {
    if limit.is_finite() && limit >= 0.0 {
        // Saturates at u64::MAX; the fraction of a byte, if any, is dropped.
        limit as u64
    } else {
        0
    }
}

/// Runs one flow call on its own host (so that what the bridge notes about the caller's host
/// belongs to this call) and resolves the promise to its envelope.
fn run<F, Fut>(bridge: Bridge, key: &[u8], call: F) -> Promise
where
    F: FnOnce(Flows<JsHost>) -> Fut,
    Fut: Future<Output = String> + 'static,
{
    match EncryptionKey::new(key) {
        Ok(key) => {
            let future = call(Flows::new(JsHost { bridge }, key));
            future_to_promise(async move { Ok(JsValue::from_str(&future.await)) })
        }
        Err(error) => Promise::resolve(&JsValue::from_str(&crate::error(&error))),
    }
}

/// `Forgelink.connectStart(request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_connect_start(bridge: Bridge, key: &[u8], request: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::connect_start(&flows, &request).await })
}

/// `Forgelink.connectFinish(callbackUrl, options?)`, the options as JSON.
#[wasm_bindgen]
pub fn flows_connect_finish(
    bridge: Bridge,
    key: &[u8],
    callback_url: String,
    options: String,
) -> Promise {
    run(bridge, key, |flows| async move {
        crate::flows::connect_finish(&flows, &callback_url, &options).await
    })
}

/// `Forgelink.connectWithToken(request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_connect_with_token(bridge: Bridge, key: &[u8], request: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::connect_with_token(&flows, &request).await },
    )
}

/// `Forgelink.replaceCredentials(id, request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_replace_credentials(
    bridge: Bridge,
    key: &[u8],
    id: String,
    request: String,
) -> Promise {
    run(bridge, key, |flows| async move {
        crate::flows::replace_credentials(&flows, &id, &request).await
    })
}

/// `Forgelink.testConnection(id)`.
#[wasm_bindgen]
pub fn flows_test_connection(bridge: Bridge, key: &[u8], id: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::test_connection(&flows, &id).await })
}

/// `Forgelink.accessToken(id)`.
#[wasm_bindgen]
pub fn flows_access_token(bridge: Bridge, key: &[u8], id: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::access_token(&flows, &id).await })
}

/// `Forgelink.disconnect(id, options?)`, the options as JSON.
#[wasm_bindgen]
pub fn flows_disconnect(bridge: Bridge, key: &[u8], id: String, options: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::disconnect(&flows, &id, &options).await })
}

/// `Forgelink.createGitHubApp(request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_create_github_app(bridge: Bridge, key: &[u8], request: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::create_github_app(&flows, &request).await })
}

/// `Forgelink.connectGitHubApp(request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_connect_github_app(bridge: Bridge, key: &[u8], request: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::connect_github_app(&flows, &request).await },
    )
}

/// `Forgelink.installationToken(id, narrowing?)`, the narrowing as JSON.
#[wasm_bindgen]
pub fn flows_installation_token(
    bridge: Bridge,
    key: &[u8],
    id: String,
    narrowing: String,
) -> Promise {
    run(bridge, key, |flows| async move {
        crate::flows::installation_token(&flows, &id, &narrowing).await
    })
}

/// `Forgelink.registerGitHubApp(request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_register_github_app(bridge: Bridge, key: &[u8], request: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::register_github_app(&flows, &request).await },
    )
}

/// `Forgelink.discoverProjects(id, options?)`, the options as JSON.
#[wasm_bindgen]
pub fn flows_discover_projects(bridge: Bridge, key: &[u8], id: String, options: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::discover_projects(&flows, &id, &options).await },
    )
}

/// `Forgelink.registerWebhooks(id, request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_register_webhooks(bridge: Bridge, key: &[u8], id: String, request: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::register_webhooks(&flows, &id, &request).await },
    )
}

/// `Forgelink.unregisterWebhooks(id, options?)`, the options as JSON.
#[wasm_bindgen]
pub fn flows_unregister_webhooks(
    bridge: Bridge,
    key: &[u8],
    id: String,
    options: String,
) -> Promise {
    run(bridge, key, |flows| async move {
        crate::flows::unregister_webhooks(&flows, &id, &options).await
    })
}

/// `Forgelink.pollEvents(id, options)`, the options as JSON.
#[wasm_bindgen]
pub fn flows_poll_events(bridge: Bridge, key: &[u8], id: String, options: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::poll_events(&flows, &id, &options).await })
}

/// `Forgelink.postFeedback(id, request)`, the request as JSON.
#[wasm_bindgen]
pub fn flows_post_feedback(bridge: Bridge, key: &[u8], id: String, request: String) -> Promise {
    run(
        bridge,
        key,
        |flows| async move { crate::flows::post_feedback(&flows, &id, &request).await },
    )
}

/// `Forgelink.receiveWebhook({ route, headers, body }, options?)`, the headers in lines and the
/// options field by field.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen]
pub fn flows_receive_webhook(
    bridge: Bridge,
    key: &[u8],
    route: String,
    headers: String,
    body: Vec<u8>,
    dedupe_seconds: Option<f64>,
    handling_seconds: Option<f64>,
    allow_unsigned_ping: Option<bool>,
    tolerance_seconds: Option<f64>,
) -> Promise {
    let options = crate::flows::receive_options(
        dedupe_seconds,
        handling_seconds,
        allow_unsigned_ping,
        tolerance_seconds,
    );
    run(bridge, key, |flows| async move {
        crate::flows::receive_webhook(&flows, &route, &headers, body, options).await
    })
}

/// `Forgelink.confirmDelivery(claim)`.
#[wasm_bindgen]
pub fn flows_confirm_delivery(bridge: Bridge, key: &[u8], claim: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::confirm_delivery(&flows, &claim).await })
}

/// `Forgelink.releaseDelivery(claim)`.
#[wasm_bindgen]
pub fn flows_release_delivery(bridge: Bridge, key: &[u8], claim: String) -> Promise {
    run(bridge, key, |flows| async move { crate::flows::release_delivery(&flows, &claim).await })
}
