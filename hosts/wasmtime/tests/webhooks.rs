//! The `webhooks` export and the webhook flows through wasmtime: the providers' test vectors,
//! the documented deliveries and the octokit corpus against the core's golden files, and a
//! delivery received on two instances sharing a store.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use forgelink_host::storage::FileStore;
use forgelink_host::wit::{self, Provider};
use forgelink_host::{json, HostState, Plugin};
use serde_json::Value;

use common::core::{core_request, wit_response};
use common::forges::{FakeHook, Forges, Kind, GITLAB_TOKEN};
use common::{plugin, runtime};

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_json(path: &str) -> Value {
    let path = repository_root().join(path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci`)", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

/// The bytes the core's tests send for `value`. The core builds serde_json without
/// `preserve_order`, so its objects serialise with sorted keys; this crate's dependency tree
/// turns that feature on. Sorting here gives the body the golden files' dedupe keys (a hash of
/// the body where a provider sends no delivery id) were computed from.
fn body_bytes(value: &Value) -> Vec<u8> {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_vec(&sorted(value)).expect("JSON serialises")
}

fn no_options() -> wit::VerifyOptions {
    wit::VerifyOptions {
        now: None,
        tolerance_seconds: None,
        allow_unsigned: false,
        allow_sha1: false,
    }
}

/// Element by element, so that a difference names its case instead of printing two files.
fn assert_same_list(expected: &Value, actual: &[Value], name: &str) {
    let expected = expected.as_array().expect("a golden list");
    for (index, (e, a)) in expected.iter().zip(actual).enumerate() {
        assert_eq!(a, e, "{name}: case {index}");
    }
    assert_eq!(expected.len(), actual.len(), "{name}: number of cases");
}

#[test]
fn githubs_test_vector_verifies_and_a_changed_byte_does_not() {
    let mut plugin = plugin();
    let h = headers(&[
        ("X-GitHub-Event", "ping"),
        (
            "X-Hub-Signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ),
    ]);
    let secrets = ["an old secret".to_owned(), "It's a Secret to Everybody".to_owned()];
    let verified = plugin
        .verify_webhook(&h, b"Hello, World!", &secrets, no_options())
        .unwrap()
        .expect("the vector verifies");
    assert_eq!(verified.provider, Provider::Github);
    assert_eq!(verified.scheme, wit::SignatureScheme::HmacSha256);
    assert_eq!(verified.secret_index, Some(1), "the second secret matched");
    assert_eq!(
        json::verified(&verified),
        serde_json::to_value(forgelink::Verified {
            provider: forgelink::Provider::GitHub,
            scheme: forgelink::SignatureScheme::HmacSha256,
            secret_index: Some(1),
        })
        .unwrap()
    );

    let error = plugin
        .verify_webhook(&h, b"Hello, World?", &secrets, no_options())
        .unwrap()
        .expect_err("a changed body");
    assert_eq!(error.code, "webhook.signature_mismatch");
    assert_eq!(error.guidance.code, error.code);
    let unsigned = headers(&[("X-GitHub-Event", "ping")]);
    let error = plugin
        .verify_webhook(&unsigned, b"Hello, World!", &secrets, no_options())
        .unwrap()
        .expect_err("no signature");
    assert_eq!(error.code, "webhook.missing_signature");
    let allowed = wit::VerifyOptions { allow_unsigned: true, ..no_options() };
    let verified = plugin.verify_webhook(&unsigned, b"", &[], allowed).unwrap().expect("allowed");
    assert_eq!((verified.scheme, verified.secret_index), (wit::SignatureScheme::Unsigned, None));
    let error = plugin
        .verify_webhook(&headers(&[("X-Nothing", "x")]), b"", &secrets, no_options())
        .unwrap()
        .expect_err("nobody's headers");
    assert_eq!(error.code, "webhook.unknown_provider");
}

#[test]
fn the_standard_webhooks_test_vector_verifies_within_the_tolerance() {
    let mut plugin = plugin();
    let h = headers(&[
        ("X-Gitlab-Event", "Push Hook"),
        ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
    ]);
    let body = br#"{"test": 2432232314}"#;
    let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()];
    let at = |now| wit::VerifyOptions { now: Some(now), ..no_options() };
    let verified =
        plugin.verify_webhook(&h, body, &secrets, at(1_614_265_330 + 10)).unwrap().expect("valid");
    assert_eq!(verified.provider, Provider::Gitlab);
    assert_eq!(verified.scheme, wit::SignatureScheme::StandardWebhooks);
    assert_eq!(json::verified(&verified)["scheme"], "standard-webhooks");
    let error = plugin
        .verify_webhook(&h, body, &secrets, at(1_614_265_330 + 301))
        .unwrap()
        .expect_err("too late");
    assert_eq!(error.code, "webhook.timestamp_out_of_range");
    let wider = wit::VerifyOptions { tolerance_seconds: Some(600), ..at(1_614_265_330 + 301) };
    assert!(plugin.verify_webhook(&h, body, &secrets, wider).unwrap().is_ok());
    let error = plugin
        .verify_webhook(&h, br#"{"test": 2432232315}"#, &secrets, at(1_614_265_330))
        .unwrap()
        .expect_err("another body");
    assert_eq!(error.code, "webhook.signature_mismatch");
}

#[test]
fn identify_tells_providers_apart_and_prints_the_cores_json() {
    let mut plugin = plugin();
    let cases: &[&[(&str, &str)]] = &[
        &[("x-github-event", "push"), ("X-GitHub-Delivery", "d-1"), ("X-GitHub-Hook-ID", "42")],
        &[("X-Gitlab-Event", "Pipeline Hook"), ("X-Gitlab-Event-UUID", "u-1")],
        &[("X-Event-Key", "repo:push"), ("X-Request-UUID", "r-1"), ("X-Hook-UUID", "h-1")],
        &[("X-Event-Key", "pr:opened"), ("X-Request-Id", "r-2")],
    ];
    for pairs in cases {
        let h = headers(pairs);
        let identity = plugin.identify_webhook(&h).unwrap().expect("identified");
        let core = forgelink::identify_webhook(&h).expect("the core identifies it");
        assert_eq!(json::webhook_identity(&identity), serde_json::to_value(&core).unwrap());
    }
    let gitea = headers(&[("X-GitHub-Event", "push"), ("X-Gitea-Event", "push")]);
    let error = plugin.identify_webhook(&gitea).unwrap().expect_err("not GitHub");
    assert_eq!(error.code, "webhook.unsupported_provider");
}

#[test]
fn documented_deliveries_print_the_golden_events() {
    let table = read_json("tests/fixtures/webhooks/deliveries.json");
    let golden = read_json("tests/fixtures/webhooks/deliveries.golden.json");
    let mut plugin = plugin();
    let mut outputs = Vec::new();
    for case in table["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("a name");
        let h: Vec<(String, String)> = case["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().expect("a header value").to_owned()))
            .collect();
        let body = body_bytes(&case["body"]);
        let event = plugin.parse_webhook(&h, &body).unwrap().unwrap_or_else(|e| {
            panic!("{name}: {}: {}", e.code, e.message);
        });
        let printed = json::webhook_event(&event);
        for (field, expected) in case["expect"].as_object().expect("expectations") {
            let actual = field.split('.').fold(&printed, |v, key| &v[key]);
            assert_eq!(actual, expected, "{name}: {field}");
        }
        outputs.push(printed);
    }
    assert_same_list(&golden, &outputs, "deliveries.golden.json");
}

/// The signed fixtures (one per provider and signing scheme) verify through the component as
/// they do natively and in npm: on their scheme, with the second secret; not with the first
/// alone, nor, where the body is signed, with one byte of it changed.
#[test]
fn a_signed_delivery_of_every_provider_and_scheme_verifies() {
    let table = read_json("tests/fixtures/webhooks/signed.json");
    let mut plugin = plugin();
    for case in table["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("a name");
        let h: Vec<(String, String)> = case["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().expect("a header value").to_owned()))
            .collect();
        let body = case["body"].as_str().expect("the signed text").as_bytes();
        let secrets: Vec<String> =
            serde_json::from_value(case["secrets"].clone()).expect("secrets");
        let options = || wit::VerifyOptions { now: case["now"].as_i64(), ..no_options() };
        let verified = plugin
            .verify_webhook(&h, body, &secrets, options())
            .unwrap()
            .unwrap_or_else(|e| panic!("{name}: {}: {}", e.code, e.message));
        let expected = serde_json::json!({ "provider": case["provider"], "scheme": case["scheme"], "secretIndex": 1 });
        assert_eq!(json::verified(&verified), expected, "{name}");
        let event = plugin.parse_webhook(&h, body).unwrap().expect("it parses");
        let printed = json::webhook_event(&event);
        for (field, expected) in case["expect"].as_object().expect("expectations") {
            assert_eq!(
                field.split('.').fold(&printed, |v, key| &v[key]),
                expected,
                "{name}: {field}"
            );
        }
        let refused = |result: Result<wit::Verified, wit::Error>| {
            assert_eq!(
                result.map(|_| ()).unwrap_err().code,
                "webhook.signature_mismatch",
                "{name}"
            );
        };
        refused(plugin.verify_webhook(&h, body, &secrets[..1], options()).unwrap());
        if case["scheme"] != "token" {
            let mut tampered = body.to_vec();
            tampered[10] ^= 1;
            refused(plugin.verify_webhook(&h, &tampered, &secrets, options()).unwrap());
        }
    }
}

const GITHUB_EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "workflow_run",
    "workflow_job",
    "check_run",
    "check_suite",
    "status",
    "ping",
];

#[test]
fn every_octokit_example_prints_the_golden_event() {
    let corpus = read_json("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
    let golden = read_json("tests/fixtures/webhooks/github.golden.json");
    let mut plugin = plugin();
    let mut outputs = Vec::new();
    for name in GITHUB_EVENTS {
        let entry = corpus
            .as_array()
            .expect("the corpus is a list")
            .iter()
            .find(|entry| entry["name"] == *name)
            .unwrap_or_else(|| panic!("{name} is not in the corpus"));
        for (index, example) in entry["examples"].as_array().expect("examples").iter().enumerate() {
            let delivery = format!("{name}-{index}");
            let h = headers(&[
                ("X-GitHub-Event", name),
                ("X-GitHub-Delivery", &delivery),
                ("X-GitHub-Hook-ID", "42"),
            ]);
            let body = body_bytes(example);
            let event = plugin.parse_webhook(&h, &body).unwrap().unwrap_or_else(|e| {
                panic!("{delivery}: {}: {}", e.code, e.message);
            });
            let printed = json::webhook_event(&event);
            let core = forgelink::parse_webhook(&h, &body).expect("the core parses it");
            assert_eq!(printed, serde_json::to_value(&core).unwrap(), "{delivery}");
            outputs.push(printed);
        }
    }
    assert!(outputs.len() >= 50, "the corpus shrank: {}", outputs.len());
    assert_same_list(&golden, &outputs, "github.golden.json");
}

/// Header pairs as written in a test table.
type Headers<'a> = &'a [(&'a str, &'a str)];

#[test]
fn malformed_deliveries_are_coded_errors() {
    let mut plugin = plugin();
    let cases: &[(Headers, &[u8])] = &[
        (&[("X-GitHub-Event", "push")], b"{not json"),
        (&[("X-GitHub-Event", "push")], b"\xff\xfe"),
        (&[("X-Gitlab-Event", "Job Hook")], b"[]"),
        (&[], b"{}"),
    ];
    let codes: Vec<String> = plugin.error_codes().unwrap();
    for (pairs, body) in cases {
        let error = plugin.parse_webhook(&headers(pairs), body).unwrap().expect_err("malformed");
        assert!(codes.contains(&error.code), "{}", error.code);
        assert_eq!(error.guidance.code, error.code);
    }
}

#[test]
fn repository_lists_print_the_cores_json() {
    let mut plugin = plugin();
    let cases: &[(&str, Option<&str>)] = &[
        ("group/project\ngroup/subgroup/project\n\n# a comment\nGroup/Project\n", None),
        (
            "https://git.example.com/gitlab/group/app\nhttps://elsewhere.example/x/y\n",
            Some("https://git.example.com/gitlab"),
        ),
        ("just-one-part\n/leading/slash\ngit@github.com:octo/repo.git\nowner/repo.git\n", None),
        ("", None),
    ];
    for (text, base_url) in cases {
        let list = plugin.parse_repository_list(text, *base_url).unwrap();
        let core = forgelink::parse_repository_list(text, *base_url);
        assert_eq!(json::repository_list(&list), serde_json::to_value(&core).unwrap(), "{text:?}");
    }
    let list = plugin.parse_repository_list(cases[0].0, None).unwrap();
    assert_eq!(list.repositories, ["group/project", "group/subgroup/project"]);
    assert_eq!(list.diagnostics.len(), 1, "the repeat, once");
}

// The webhook flows, over a scripted GitLab and a store on disk.

const BASE_URL: &str = "https://git.example.com/gitlab";
const API: &str = "https://git.example.com/gitlab/api/v4";

fn store_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("webhooks").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A GitLab at [`BASE_URL`] with one project, `group/app`, whose repository uses SHA-256.
fn gitlab() -> Arc<Mutex<Forges>> {
    let mut forges = Forges::default();
    forges.add(Kind::GitLab, API);
    forges.instance_mut(API).projects = vec![serde_json::json!({
        "id": 1, "name": "app", "path_with_namespace": "group/app",
        "web_url": "https://git.example.com/gitlab/group/app", "default_branch": "main",
        "repository_object_format": "sha256",
        "permissions": { "project_access": { "access_level": 40 }, "group_access": null }
    })];
    Arc::new(Mutex::new(forges))
}

fn instance(gitlab: &Arc<Mutex<Forges>>, dir: &Path) -> Plugin {
    let gitlab = Arc::clone(gitlab);
    let fetch = move |request: wit::Request| {
        let mut gitlab = gitlab.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(wit_response(gitlab.handle(&core_request(&request))))
    };
    let store = FileStore::open(dir).expect("open the store");
    let state = HostState::new(fetch, Some(store)).with_encryption_key(common::test_key());
    runtime().instantiate(state).expect("the component instantiates")
}

fn push_delivery(secret: &str, uuid: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let h = headers(&[
        ("X-Gitlab-Event", "Push Hook"),
        ("X-Gitlab-Token", secret),
        ("X-Gitlab-Event-UUID", uuid),
    ]);
    let body = serde_json::json!({
        "object_kind": "push",
        "ref": "refs/heads/main",
        "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "user_username": "ada",
        "project": {
            "id": 1,
            "path_with_namespace": "group/app",
            "web_url": "https://git.example.com/gitlab/group/app"
        }
    });
    (h, body.to_string().into_bytes())
}

fn receive_options() -> wit::ReceiveOptions {
    wit::ReceiveOptions {
        dedupe_seconds: None,
        handling_seconds: None,
        allow_unsigned_ping: false,
        tolerance_seconds: None,
    }
}

#[test]
fn two_instances_sharing_a_store_accept_a_delivery_exactly_once() {
    let dir = store_dir("exactly-once");
    let gitlab = gitlab();
    let mut first = instance(&gitlab, &dir);
    let connection = first
        .connect_with_token(&wit::ConnectWithTokenRequest {
            provider: Provider::Gitlab,
            base_url: Some(BASE_URL.into()),
            token: GITLAB_TOKEN.into(),
            username: None,
            profile: Some("ci-failure-analysis".into()),
        })
        .unwrap()
        .expect("connected");

    let everything = wit::DiscoverOptions { search: None, cursor: None, exclude: Vec::new() };
    let page = first.discover_projects(&connection.id, &everything).unwrap().expect("one page");
    let core = forgelink::ProjectPage {
        projects: vec![forgelink::Project {
            id: Some("1".into()),
            path: "group/app".into(),
            name: Some("app".into()),
            web_url: Some("https://git.example.com/gitlab/group/app".into()),
            default_branch: Some("main".into()),
            role: Some("maintainer".into()),
            sha256: true,
            guidance: Some(forgelink::troubleshoot(
                forgelink::Code::RepositorySha256Unsupported,
                Some(forgelink::Provider::GitLab),
            )),
        }],
        next_cursor: None,
        excluded: 0,
    };
    assert_eq!(json::project_page(&page), serde_json::to_value(&core).unwrap());
    let guidance = page.projects[0].guidance.as_ref().map(|g| g.code.as_str());
    assert_eq!(guidance, Some("repository.sha256_unsupported"));
    for (patterns, excluded) in [
        (vec!["GROUP/*".to_owned()], 1),
        (vec!["**/app".to_owned(), "  ".to_owned()], 1),
        (vec!["group/other".to_owned(), String::new()], 0),
    ] {
        let options = wit::DiscoverOptions { exclude: patterns.clone(), ..everything.clone() };
        let page = first.discover_projects(&connection.id, &options).unwrap().expect("a page");
        assert_eq!(page.excluded, excluded, "{patterns:?}");
        assert_eq!(page.projects.len() as u32, 1 - excluded, "{patterns:?}");
        assert_eq!(json::project_page(&page)["excluded"], excluded, "{patterns:?}");
    }
    let elsewhere = wit::DiscoverOptions {
        search: None,
        cursor: Some("https://evil.example/api/v4/projects".into()),
        exclude: Vec::new(),
    };
    let error = first.discover_projects(&connection.id, &elsewhere).unwrap().expect_err("refused");
    assert_eq!(error.code, "input.invalid", "a token never leaves its host");

    let request = wit::RegisterWebhooksRequest {
        projects: vec!["group/app".into(), "group/missing".into()],
        url: "https://app.example/hooks/gitlab".into(),
        profile: "ci-failure-analysis".into(),
    };
    let results = first.register_webhooks(&connection.id, &request).unwrap().expect("registered");
    let outcome: Vec<_> = results.iter().map(|r| (r.status, r.code.as_deref())).collect();
    assert_eq!(
        outcome,
        [
            (wit::RegistrationStatus::Created, None),
            (wit::RegistrationStatus::Failed, Some("http.not_found"))
        ]
    );
    let printed = json::registration_results(&results);
    assert_eq!(printed[0]["status"], "created");
    assert_eq!(printed[0]["hookId"], "1");
    assert_eq!(printed[1]["guidance"]["code"], "http.not_found");
    assert!(printed[0].get("code").is_none(), "absent fields are left out: {printed}");
    let FakeHook { url, secret, .. } = gitlab.lock().unwrap().hook(API, "group/app");
    assert!(secret.len() >= 43, "a fresh random secret");
    let route = url.strip_prefix("https://app.example/hooks/gitlab/").expect("routed: {url}");
    assert!(route.len() >= 22 && !route.contains('/'), "one random path segment: {url}");

    // Two instances, two threads, one store: the same delivery at the same moment.
    let (h, body) = push_delivery(&secret, "uuid-race");
    let second = instance(&gitlab, &dir);
    let start = Arc::new(Barrier::new(2));
    let racers: Vec<_> = [first, second]
        .into_iter()
        .map(|mut plugin| {
            let (h, body, start, url) = (h.clone(), body.clone(), Arc::clone(&start), url.clone());
            thread::spawn(move || {
                start.wait();
                let receipt = plugin.receive_webhook(&url, &h, &body, receive_options()).unwrap();
                (plugin, receipt.expect("the store works"))
            })
        })
        .collect();
    // Both receipts first: confirming one while the other racer is still receiving would make
    // the other a duplicate rather than the pending copy this test is about.
    let receipts: Vec<_> =
        racers.into_iter().map(|racer| racer.join().expect("no panic")).collect();
    let mut plugins = Vec::new();
    let mut statuses = Vec::new();
    for (mut plugin, receipt) in receipts {
        if receipt.status == wit::ReceiptStatus::Accepted {
            let event = receipt.event.as_ref().expect("an accepted delivery has its event");
            let core = forgelink::parse_webhook(&h, &body).unwrap();
            assert_eq!(json::webhook_event(event), serde_json::to_value(&core).unwrap());
            let printed = json::receipt(&receipt);
            assert_eq!(printed["status"], "accepted");
            assert_eq!(printed["connectionId"], connection.id.as_str(), "named by its route");
            assert_eq!(printed["project"], "group/app");
            assert!(printed.get("code").is_none());
            // Handled: the claim is confirmed, and copies are duplicates from now on.
            let claim = receipt.claim.as_deref().expect("an accepted delivery has a claim");
            assert!(matches!(plugin.confirm_delivery(claim).unwrap(), Ok(true)));
        }
        statuses.push(receipt.status);
        plugins.push(plugin);
    }
    statuses.sort_by_key(|status| json::receipt_status_id(*status));
    // The copy that lost the race was taken while the winner handled it: the provider is asked
    // to retry it, never told it is a duplicate of an event not yet handled.
    assert_eq!(statuses, [wit::ReceiptStatus::Accepted, wit::ReceiptStatus::Pending]);

    // Later copies are duplicates on either instance, whether given the URL or the route id;
    // a forged token is rejected, and so is the genuine delivery at a URL that is no route.
    for (plugin, route) in plugins.iter_mut().zip([url.as_str(), route]) {
        let receipt = plugin.receive_webhook(route, &h, &body, receive_options()).unwrap().unwrap();
        assert_eq!(receipt.status, wit::ReceiptStatus::Duplicate);
        assert_eq!(receipt.connection_id.as_deref(), Some(connection.id.as_str()));
    }
    let (forged, body) = push_delivery("guessed", "uuid-forged");
    let receipt =
        plugins[1].receive_webhook(&url, &forged, &body, receive_options()).unwrap().unwrap();
    assert_eq!(receipt.status, wit::ReceiptStatus::Rejected);
    assert_eq!(receipt.code.as_deref(), Some("webhook.signature_mismatch"));
    assert_eq!(json::receipt(&receipt)["code"], "webhook.signature_mismatch");
    assert!(json::receipt(&receipt).get("event").is_none());
    assert!(json::receipt(&receipt).get("connectionId").is_none(), "a rejection names no one");
    let (genuine, body) = push_delivery(&secret, "uuid-elsewhere");
    for elsewhere in ["https://app.example/hooks/gitlab", "https://app.example/hooks/gitlab/x"] {
        let receipt = plugins[0]
            .receive_webhook(elsewhere, &genuine, &body, receive_options())
            .unwrap()
            .unwrap();
        assert_eq!(receipt.code.as_deref(), Some("webhook.unknown_route"), "{elsewhere}");
    }

    // The store never holds the secret in the clear.
    for (entry, bytes) in common::files(&dir) {
        assert!(!String::from_utf8_lossy(&bytes).contains(&secret), "{}", entry.display());
    }

    let removed =
        plugins[1].unregister_webhooks(&connection.id, None).unwrap().expect("unregistered");
    assert_eq!(
        removed.iter().map(|r| (r.project.as_str(), r.status)).collect::<Vec<_>>(),
        [("group/app", wit::RegistrationStatus::Removed)]
    );
    assert!(gitlab.lock().unwrap().instance(API).hooks["group/app"].is_empty());
}
