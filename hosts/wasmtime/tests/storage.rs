//! The `storage` import's stores: [`FileStore`] (a directory shared by threads and processes)
//! and [`MemoryStore`], with compare-and-swap, time-to-live and sweeping.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;

use forgelink_host::storage::{FileStore, MemoryStore, Storage};

/// 2026-11-22 00:00:00 UTC: the stores judge expiry by the `now` each call passes.
const NOW: i64 = 1_795_305_600;

/// A fresh, empty directory for one test.
fn store_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("storage").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path) -> FileStore {
    FileStore::open(dir).expect("open the store")
}

/// Both stores, fresh, for the tests of what every store must do.
fn stores(name: &str) -> Vec<(&'static str, Box<dyn Storage>)> {
    vec![("file", Box::new(open(&store_dir(name)))), ("memory", Box::new(MemoryStore::new()))]
}

/// The value files in `dir`: what the store takes up.
fn value_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read the store")
        .flatten()
        .filter(|entry| entry.file_name().to_str().is_some_and(|n| n.starts_with(['k', 'h'])))
        .count()
}

/// Increments the decimal counter under `key` with a compare-and-swap loop.
fn increment(store: &dyn Storage, key: &str) {
    loop {
        let current = store.get(key, NOW).expect("get");
        let value: u64 = current.as_deref().map_or(0, |bytes| {
            std::str::from_utf8(bytes).expect("UTF-8").parse().expect("a number")
        });
        let next = (value + 1).to_string();
        if store
            .compare_and_swap(key, current.as_deref(), next.as_bytes(), None, NOW)
            .expect("compare-and-swap")
        {
            return;
        }
    }
}

#[test]
fn set_get_delete() {
    for (name, store) in stores("set_get_delete") {
        assert_eq!(store.get("absent", NOW).unwrap(), None, "{name}");
        store.set("token", b"secret", None, NOW).unwrap();
        assert_eq!(store.get("token", NOW).unwrap().as_deref(), Some(&b"secret"[..]), "{name}");
        store.set("token", b"", None, NOW).unwrap();
        assert_eq!(store.get("token", NOW).unwrap().as_deref(), Some(&b""[..]), "{name}");
        store.delete("token").unwrap();
        assert_eq!(store.get("token", NOW).unwrap(), None, "{name}");
        store.delete("token").unwrap();
    }
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
        store.set(key, index.to_string().as_bytes(), Some(3600), NOW).unwrap();
    }
    for (index, key) in keys.iter().enumerate() {
        let value = store.get(key, NOW).unwrap();
        assert_eq!(value, Some(index.to_string().into_bytes()), "{key:?}");
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let kind = entry.file_type().unwrap();
        assert!(kind.is_file() || name == ".expiry", "{:?}", entry.path());
    }
    assert!(!dir.parent().unwrap().join("escape").exists());
}

#[test]
fn compare_and_swap_stores_only_over_the_expected_value() {
    for (name, store) in stores("cas") {
        let cas = |old: Option<&[u8]>, new: &[u8]| store.compare_and_swap("k", old, new, None, NOW);
        assert!(cas(None, b"one").unwrap(), "{name}");
        assert!(!cas(None, b"two").unwrap(), "{name}: the key is no longer absent");
        assert!(!cas(Some(b"wrong"), b"two").unwrap(), "{name}");
        assert_eq!(store.get("k", NOW).unwrap().as_deref(), Some(&b"one"[..]), "{name}");
        assert!(cas(Some(b"one"), b"two").unwrap(), "{name}");
        assert_eq!(store.get("k", NOW).unwrap().as_deref(), Some(&b"two"[..]), "{name}");
        store.delete("k").unwrap();
        assert!(!cas(Some(b"two"), b"three").unwrap(), "{name}");
        assert!(cas(None, b"three").unwrap(), "{name}");
    }
}

#[test]
fn an_expired_value_counts_as_absent_for_get_and_compare_and_swap() {
    for (name, store) in stores("expiry") {
        store.set("claim", b"held", Some(10), NOW).unwrap();
        assert_eq!(store.get("claim", NOW + 9).unwrap().as_deref(), Some(&b"held"[..]), "{name}");
        assert_eq!(store.get("claim", NOW + 10).unwrap(), None, "{name}: expired after 10 s");
        // Expiry is judged by the caller's clock, not by when the value was written.
        assert!(store.get("claim", NOW + 5).unwrap().is_some(), "{name}");

        // Once expired, the key is absent: the old bytes no longer match, and none does.
        let swap = |old: Option<&[u8]>, new: &[u8], ttl, now| {
            store.compare_and_swap("claim", old, new, ttl, now).unwrap()
        };
        assert!(!swap(None, b"mine", Some(10), NOW + 9), "{name}: still held");
        assert!(!swap(Some(b"held"), b"mine", Some(10), NOW + 10), "{name}: expired");
        assert!(swap(None, b"mine", Some(10), NOW + 10), "{name}");
        assert_eq!(store.get("claim", NOW + 19).unwrap().as_deref(), Some(&b"mine"[..]));
        assert_eq!(store.get("claim", NOW + 20).unwrap(), None, "{name}: its own ttl");

        // A value stored without a time-to-live replaces the expiry too; one stored with a
        // huge one saturates rather than wrapping into the past.
        assert!(swap(None, b"kept", None, NOW + 20), "{name}");
        assert!(store.get("claim", i64::MAX - 1).unwrap().is_some(), "{name}: never expires");
        store.set("claim", b"long", Some(u64::MAX), NOW).unwrap();
        assert!(store.get("claim", i64::MAX - 1).unwrap().is_some(), "{name}: saturated");
        store.set("claim", b"short", Some(0), NOW).unwrap();
        assert_eq!(store.get("claim", NOW).unwrap(), None, "{name}: a zero ttl is over at once");
    }
}

#[test]
fn the_expiry_is_kept_with_the_value_across_store_instances() {
    let dir = store_dir("persist-expiry");
    open(&dir).set("pending", b"state", Some(600), NOW).unwrap();
    let reopened = open(&dir);
    assert!(reopened.get("pending", NOW + 599).unwrap().is_some());
    assert_eq!(reopened.get("pending", NOW + 600).unwrap(), None);
}

#[test]
fn a_value_written_before_values_could_expire_is_read_as_it_was() {
    let dir = store_dir("legacy");
    let store = open(&dir);
    store.set("tombstone", b"x", None, NOW).unwrap();
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|entry| entry.file_name().to_str().is_some_and(|n| n.starts_with("k-")))
        .expect("the value's file")
        .path();
    // The bare value, as the previous version wrote it: it never expires.
    std::fs::write(&file, b"\x01sealed record").unwrap();
    assert_eq!(
        store.get("tombstone", i64::MAX - 1).unwrap().as_deref(),
        Some(&b"\x01sealed record"[..])
    );
    let swapped = store.compare_and_swap("tombstone", Some(b"\x01sealed record"), b"y", None, NOW);
    assert!(swapped.unwrap());
    assert_eq!(store.sweep(i64::MAX - 1).unwrap(), 0, "nothing of it expires");
}

#[test]
fn writes_sweep_expired_files_a_bounded_batch_at_a_time() {
    let dir = store_dir("sweep-on-write");
    let store = open(&dir);
    for n in 0..300 {
        store.set(&format!("claim-{n}"), b"1", Some(60), NOW).unwrap();
    }
    store.set("connection", b"record", None, NOW).unwrap();
    // Rewritten for longer: its first listing is stale, and must not remove it.
    store.set("claim-7", b"2", Some(86_400), NOW).unwrap();
    assert_eq!(value_files(&dir), 301);

    // Two hours on, everything but the two is expired; each write sweeps at most 64.
    let later = NOW + 2 * 3600;
    store.set("other", b"x", None, later).unwrap();
    let after_one = value_files(&dir);
    assert!((301 + 1 - 64..302).contains(&after_one), "one write swept {}", 302 - after_one);
    for n in 0..10 {
        store.set(&format!("other-{n}"), b"x", None, later).unwrap();
    }
    assert_eq!(value_files(&dir), 2 + 11, "the expired claims are gone");
    assert_eq!(store.get("claim-7", later).unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(store.get("connection", later).unwrap().as_deref(), Some(&b"record"[..]));
    let listings = std::fs::read_dir(dir.join(".expiry")).unwrap().count();
    assert_eq!(listings, 1, "only the hour claim-7 expires in is still listed");
}

#[test]
fn a_store_written_for_hours_stays_bounded() {
    // One delivery claim every ten seconds, each kept ten minutes: about 60 live at a time,
    // plus those of the last hour or so that expired and wait for their hour's sweep.
    let dir = store_dir("bounded");
    let store = open(&dir);
    let memory = MemoryStore::new();
    let mut most = (0, 0);
    for n in 0..1500 {
        let now = NOW + n * 10;
        let key = format!("forgelink/v1/delivery/c/{n}");
        store.set(&key, b"1", Some(600), now).unwrap();
        memory.set(&key, b"1", Some(600), now).unwrap();
        most = (most.0.max(value_files(&dir)), most.1.max(memory.len()));
    }
    assert!(most.0 <= (600 + 3600 + 60) / 10 + 1, "the directory held {} values", most.0);
    assert!(most.1 <= 600 / 10 + 1, "the memory store held {} values", most.1);
}

#[test]
fn sweep_removes_what_writes_do_not_reach() {
    let dir = store_dir("sweep");
    let store = open(&dir);
    for n in 0..100 {
        store.set(&format!("claim-{n}"), b"1", Some(60), NOW).unwrap();
    }
    store.set("connection", b"record", None, NOW).unwrap();
    store.set("lease", b"held", Some(86_400), NOW).unwrap();
    // A crash lost the listings, and left a write's temporary file behind.
    std::fs::remove_dir_all(dir.join(".expiry")).unwrap();
    std::fs::write(dir.join(".tmp-99999-0"), b"half a value").unwrap();
    assert_eq!(store.sweep(NOW + 59).unwrap(), 0, "nothing has expired yet");
    assert_eq!(store.sweep(NOW + 60).unwrap(), 100);
    assert_eq!(value_files(&dir), 2);
    assert!(!dir.join(".tmp-99999-0").exists(), "the crashed write's file is gone");
    assert!(store.get("lease", NOW + 60).unwrap().is_some());

    let memory = MemoryStore::new();
    for n in 0..100 {
        memory.set(&format!("claim-{n}"), b"1", Some(60 + n), NOW).unwrap();
    }
    memory.set("connection", b"record", None, NOW).unwrap();
    assert_eq!(memory.sweep(NOW + 60 + 49), 50);
    assert_eq!(memory.len(), 51);
    // Writes sweep too, a bounded number each.
    memory.set("connection", b"record", None, NOW + 1000).unwrap();
    assert_eq!(memory.len(), 1);
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
                        .compare_and_swap(&key, None, id.to_string().as_bytes(), Some(60), NOW)
                        .unwrap()
                        .then_some(id)
                })
            })
            .collect();
        let winners: Vec<usize> =
            handles.into_iter().filter_map(|handle| handle.join().unwrap()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let stored = open(&dir).get(&key, NOW).unwrap();
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
    assert_eq!(store.get("counter", NOW).unwrap().as_deref(), Some(&b"100"[..]));
}

const CHILD_ENV: &str = "FORGELINK_STORE_CHILD_DIR";
const CHILD_INCREMENTS: usize = 20;

/// Runs only as a child of `processes_share_compare_and_swap`.
#[test]
#[ignore = "a child process of processes_share_compare_and_swap, which starts it"]
fn child_process_increments() {
    let dir = std::env::var_os(CHILD_ENV).expect("started by processes_share_compare_and_swap");
    let store = open(Path::new(&dir));
    (0..CHILD_INCREMENTS).for_each(|_| increment(&store, "counter"));
}

#[test]
fn processes_share_compare_and_swap() {
    let dir = store_dir("processes");
    open(&dir);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_increments", "--ignored", "--test-threads=1"])
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
        let summary = String::from_utf8_lossy(&output.stdout);
        assert!(summary.contains("1 passed"), "the child ran: {summary}");
    }
    let expected = (3 * CHILD_INCREMENTS).to_string();
    assert_eq!(open(&dir).get("counter", NOW).unwrap(), Some(expected.into_bytes()));
}

#[test]
fn data_persists_across_store_instances() {
    let dir = store_dir("persist");
    open(&dir).set("installation", b"{\"id\":42}", None, NOW).unwrap();
    let value = open(&dir).get("installation", NOW).unwrap();
    assert_eq!(value.as_deref(), Some(&b"{\"id\":42}"[..]));
}
