//! The file-backed `storage` import.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;

use forgelink_host::storage::FileStore;

/// A fresh, empty directory for one test.
fn store_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("storage").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path) -> FileStore {
    FileStore::open(dir).expect("open the store")
}

/// Increments the decimal counter under `key` with a compare-and-swap loop.
fn increment(store: &FileStore, key: &str) {
    loop {
        let current = store.get(key).expect("get");
        let value: u64 = current.as_deref().map_or(0, |bytes| {
            std::str::from_utf8(bytes).expect("UTF-8").parse().expect("a number")
        });
        let next = (value + 1).to_string();
        if store
            .compare_and_swap(key, current.as_deref(), next.as_bytes())
            .expect("compare-and-swap")
        {
            return;
        }
    }
}

#[test]
fn set_get_delete() {
    let store = open(&store_dir("set_get_delete"));
    assert_eq!(store.get("absent").unwrap(), None);
    store.set("token", b"secret").unwrap();
    assert_eq!(store.get("token").unwrap().as_deref(), Some(&b"secret"[..]));
    store.set("token", b"").unwrap();
    assert_eq!(store.get("token").unwrap().as_deref(), Some(&b""[..]));
    store.delete("token").unwrap();
    assert_eq!(store.get("token").unwrap(), None);
    store.delete("token").unwrap();
}

#[test]
fn keys_stay_inside_the_directory_and_apart() {
    let dir = store_dir("keys");
    let store = open(&dir);
    let long = "k".repeat(10_000);
    let keys = [
        "../escape",
        "a/b",
        "/etc/passwd",
        "",
        "A",
        "a",
        "nul\0byte",
        "ünïcødé",
        "CON",
        long.as_str(),
    ];
    for (index, key) in keys.iter().enumerate() {
        store.set(key, index.to_string().as_bytes()).unwrap();
    }
    for (index, key) in keys.iter().enumerate() {
        assert_eq!(store.get(key).unwrap(), Some(index.to_string().into_bytes()), "{key:?}");
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        assert!(entry.file_type().unwrap().is_file(), "{:?}", entry.path());
    }
    assert!(!dir.parent().unwrap().join("escape").exists());
}

#[test]
fn compare_and_swap_stores_only_over_the_expected_value() {
    let store = open(&store_dir("cas"));
    assert!(store.compare_and_swap("k", None, b"one").unwrap());
    assert!(!store.compare_and_swap("k", None, b"two").unwrap(), "the key is no longer absent");
    assert!(!store.compare_and_swap("k", Some(b"wrong"), b"two").unwrap());
    assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"one"[..]));
    assert!(store.compare_and_swap("k", Some(b"one"), b"two").unwrap());
    assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"two"[..]));
    store.delete("k").unwrap();
    assert!(!store.compare_and_swap("k", Some(b"two"), b"three").unwrap());
    assert!(store.compare_and_swap("k", None, b"three").unwrap());
}

#[test]
fn concurrent_compare_and_swap_has_exactly_one_winner() {
    let dir = store_dir("race");
    const THREADS: usize = 8;
    for round in 0..5 {
        let key = format!("pending-{round}");
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|id| {
                let (dir, key, barrier) = (dir.clone(), key.clone(), barrier.clone());
                thread::spawn(move || {
                    // Each thread opens its own store, as separate processes would.
                    let store = open(&dir);
                    barrier.wait();
                    store
                        .compare_and_swap(&key, None, id.to_string().as_bytes())
                        .unwrap()
                        .then_some(id)
                })
            })
            .collect();
        let winners: Vec<usize> =
            handles.into_iter().filter_map(|handle| handle.join().unwrap()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let stored = open(&dir).get(&key).unwrap();
        assert_eq!(stored, Some(winners[0].to_string().into_bytes()));
    }
}

#[test]
fn concurrent_increments_lose_no_update() {
    let dir = store_dir("counter");
    let store = open(&dir);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            // One store shared by threads, the way a host shares it between instances.
            let store = store.clone();
            thread::spawn(move || (0..25).for_each(|_| increment(&store, "counter")))
        })
        .collect();
    handles.into_iter().for_each(|handle| handle.join().unwrap());
    assert_eq!(store.get("counter").unwrap().as_deref(), Some(&b"100"[..]));
}

const CHILD_ENV: &str = "FORGELINK_STORE_CHILD_DIR";
const CHILD_INCREMENTS: usize = 20;

/// Runs only as a child of `processes_share_compare_and_swap`.
#[test]
fn child_process_increments() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        let store = open(Path::new(&dir));
        (0..CHILD_INCREMENTS).for_each(|_| increment(&store, "counter"));
    }
}

#[test]
fn processes_share_compare_and_swap() {
    let dir = store_dir("processes");
    open(&dir);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_increments", "--test-threads=1"])
                .env(CHILD_ENV, &dir)
                // Captured so that the children's test summaries do not mix with this run's.
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn the test binary")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let expected = (3 * CHILD_INCREMENTS).to_string();
    assert_eq!(open(&dir).get("counter").unwrap(), Some(expected.into_bytes()));
}

#[test]
fn data_persists_across_store_instances() {
    let dir = store_dir("persist");
    open(&dir).set("installation", b"{\"id\":42}").unwrap();
    assert_eq!(open(&dir).get("installation").unwrap().as_deref(), Some(&b"{\"id\":42}"[..]));
}
