//! Node's native HMAC for webhook verification.
//!
//! SHA-256 in Rust compiled to WebAssembly runs at about a tenth of the speed of Node's
//! OpenSSL, and a delivery is hashed once per configured secret. `flows.js` hands over
//! `crypto.createHmac` where the platform has it (Node, and runtimes that mirror its
//! built-ins); browsers, whose WebCrypto is asynchronous only, keep the built-in engine.
//! Either way forgelink decides what is signed and compares in constant time.

use std::cell::RefCell;

use forgelink::{HmacAlgorithm, HmacEngine};
use js_sys::{Array, Function, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static NATIVE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// `useNativeHmac(fn)`: `fn(algorithm, key, parts)` returns the HMAC of the concatenated parts
/// as a `Uint8Array` (a Node `Buffer` is one); a part that is `undefined` stands for the body of
/// the synchronous call in progress, which `flows.js` holds.
#[wasm_bindgen]
pub fn use_native_hmac(hmac: Function) {
    NATIVE.with(|native| *native.borrow_mut() = Some(hmac));
}

/// The registered function, or nothing, in which case forgelink's built-in engine computes.
///
/// `body` is the delivery being verified by a synchronous call: `flows.js` still holds it, so a
/// part that is exactly it crosses back as `undefined` instead of being copied out again.
pub(crate) struct NativeHmac<'a> {
    pub(crate) body: Option<&'a [u8]>,
}

impl HmacEngine for NativeHmac<'_> {
    fn hmac(&self, algorithm: HmacAlgorithm, key: &[u8], message: &[&[u8]]) -> Option<Vec<u8>> {
        let is_body = |part: &[u8]| self.body.is_some_and(|body| std::ptr::eq(part, body));
        NATIVE.with(|native| {
            let native = native.borrow();
            let function = native.as_ref()?;
            let parts: Array = message
                .iter()
                .map(|part| {
                    if is_body(part) {
                        JsValue::UNDEFINED
                    } else {
                        Uint8Array::from(*part).into()
                    }
                })
                .collect();
            let algorithm = JsValue::from_str(algorithm.as_str());
            let mac = function.call3(&JsValue::NULL, &algorithm, &Uint8Array::from(key), &parts);
            // A throwing or misbehaving function leaves the work to the built-in engine.
            mac.ok()?.dyn_into::<Uint8Array>().ok().map(|mac| mac.to_vec())
        })
    }
}
