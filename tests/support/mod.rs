//! What the integration tests share: a key-value store with compare-and-swap and expiry and a
//! deterministic random source for the flow tests' in-memory hosts, fake forges
//! ([`forges`]), and random inputs as they arrive from outside ([`inputs`], with the property
//! tests' strategies over them in [`gen`]).

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

pub mod forges;
pub mod gen;
pub mod inputs;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A stored value and when it expires (unix seconds), as a store with native expiry keeps it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Vec<u8>,
    pub expires_at: Option<i64>,
}

/// Storage several test hosts may share. Expiry is judged by the clock of the host asking,
/// as a shared store judges it by its own.
#[derive(Clone, Debug, Default)]
pub struct Store(Rc<RefCell<BTreeMap<String, Entry>>>);

fn expiry(now: i64, ttl_seconds: Option<u64>) -> Option<i64> {
    ttl_seconds.map(|ttl| now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)))
}

impl Store {
    /// The live value under `key`; an expired one is dropped.
    pub fn get(&self, key: &str, now: i64) -> Option<Vec<u8>> {
        let mut map = self.0.borrow_mut();
        match map.get(key) {
            Some(entry) if entry.expires_at.is_some_and(|at| at <= now) => {
                map.remove(key);
                None
            }
            Some(entry) => Some(entry.value.clone()),
            None => None,
        }
    }

    pub fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, now: i64) {
        let entry = Entry { value: value.to_vec(), expires_at: expiry(now, ttl_seconds) };
        self.0.borrow_mut().insert(key.to_owned(), entry);
    }

    pub fn delete(&self, key: &str) {
        self.0.borrow_mut().remove(key);
    }

    /// Stores `new` under `key` if the live value there is `expected` (`None`: absent or
    /// expired). One borrow covers the comparison and the write, which is what makes it
    /// atomic in a single thread.
    pub fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        now: i64,
    ) -> bool {
        let current = self.get(key, now);
        if current.as_deref() != expected {
            return false;
        }
        self.set(key, new, ttl_seconds, now);
        true
    }

    /// The keys whose values are live at `now`.
    pub fn keys(&self, now: i64) -> Vec<String> {
        let map = self.0.borrow();
        map.iter()
            .filter(|(_, e)| e.expires_at.is_none_or(|at| at > now))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Every stored value, live or not, for tests that look inside.
    pub fn values(&self) -> Vec<Vec<u8>> {
        self.0.borrow().values().map(|e| e.value.clone()).collect()
    }

    /// The raw map, for tests that tamper with storage as an attacker with access to it would.
    pub fn raw(&self) -> std::cell::RefMut<'_, BTreeMap<String, Entry>> {
        self.0.borrow_mut()
    }
}

/// Distinct, deterministic bytes: enough for tests, never for production.
#[derive(Clone, Debug, Default)]
pub struct Random(Rc<Cell<u64>>);

impl Random {
    /// A source that starts elsewhere than the default one: hosts of different tenants.
    pub fn seeded(seed: u64) -> Self {
        Random(Rc::new(Cell::new(seed)))
    }

    pub fn fill(&self, buffer: &mut [u8]) {
        for byte in buffer.iter_mut() {
            let next =
                self.0.get().wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0.set(next);
            *byte = (next >> 33) as u8;
        }
    }
}

/// Returns `Pending` once, so that an executor polls the other futures in between: the test
/// hosts yield at every storage and network call, as real ones do.
pub struct YieldNow(bool);

impl std::future::Future for YieldNow {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

/// The storage half of a test `Host` whose `storage` field is a [`Store`], with expiry judged
/// by the host's own `now()`: written once for every test host.
#[allow(unused_macros)]
macro_rules! storage_methods {
    () => {
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, forgelink::StorageError> {
            support::yield_now().await;
            Ok(self.storage.get(key, self.now()))
        }
        async fn set(
            &self,
            key: &str,
            value: &[u8],
            ttl_seconds: Option<u64>,
        ) -> Result<(), forgelink::StorageError> {
            support::yield_now().await;
            self.storage.set(key, value, ttl_seconds, self.now());
            Ok(())
        }
        async fn delete(&self, key: &str) -> Result<(), forgelink::StorageError> {
            self.storage.delete(key);
            Ok(())
        }
        async fn compare_and_swap(
            &self,
            key: &str,
            expected: Option<&[u8]>,
            new: &[u8],
            ttl_seconds: Option<u64>,
        ) -> Result<bool, forgelink::StorageError> {
            support::yield_now().await;
            Ok(self.storage.compare_and_swap(key, expected, new, ttl_seconds, self.now()))
        }
    };
}
#[allow(unused_imports)] // Test binaries without a host of their own leave it unused.
pub(crate) use storage_methods;

/// Receives a delivery as a product does: the event of an accepted delivery is handled at
/// once, so its claim is confirmed before the receipt is returned.
pub fn receive_and_handle<H: forgelink::Host>(
    flows: &forgelink::Flows<H>,
    route: &str,
    headers: &[(String, String)],
    body: &[u8],
    options: forgelink::ReceiveOptions,
) -> forgelink::Receipt {
    let receipt = futures::executor::block_on(flows.receive_webhook(route, headers, body, options))
        .expect("storage works");
    if let Some(claim) = &receipt.claim {
        let confirmed = futures::executor::block_on(flows.confirm_delivery(claim));
        assert_eq!(confirmed, Ok(true), "a claim confirmed at once has not lapsed");
    }
    receipt
}
