//! What the integration tests share: a key-value store with compare-and-swap for the flow
//! tests' in-memory hosts, and generators of outside numbers and dates ([`gen`]).

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

pub mod gen;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Storage several test hosts may share.
pub type Store = Rc<RefCell<BTreeMap<String, Vec<u8>>>>;

/// Stores `new` under `key` if the value there is `expected` (`None`: absent). One borrow
/// covers the comparison and the write, which is what makes it atomic in a single thread.
pub fn compare_and_swap(store: &Store, key: &str, expected: Option<&[u8]>, new: &[u8]) -> bool {
    let mut storage = store.borrow_mut();
    if storage.get(key).map(Vec::as_slice) != expected {
        return false;
    }
    storage.insert(key.to_owned(), new.to_vec());
    true
}
