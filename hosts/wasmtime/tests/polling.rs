//! The `polling` export and `flows.poll-events` through wasmtime: the documented list
//! responses against the core's golden file, the request builders and rate-limit reader
//! against the core, and a poll over HTTP that finds a dropped delivery, run on the component
//! and on the core natively with the same results.

mod common;

use forgelink_host::json;
use forgelink_host::wit::{self, Provider};
use serde_json::{json, Value};

use common::core::{core_json, core_provider, core_response};
use common::faces::{assert_core_agrees, ComponentFace, Face};
use common::fake_gitlab::{hook_time, FakeGitLab, FakePipeline, TOKEN};
use common::plugin;

fn root(path: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(root(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("JSON")
}

fn instance(provider: Provider, base_url: Option<&str>) -> wit::Instance {
    wit::Instance { provider, base_url: base_url.map(str::to_owned) }
}

#[test]
fn documented_list_responses_print_the_cores_pages_and_the_golden_file() {
    let cases = read_json("tests/fixtures/polling/responses.json");
    let golden = read_json("tests/fixtures/polling/responses.golden.json");
    let (cases, golden) = (cases.as_array().expect("cases"), golden.as_array().expect("golden"));
    assert_eq!(cases.len(), golden.len());
    let mut plugin = plugin();
    let mut keyed = 0;
    for (case, expected) in cases.iter().zip(golden) {
        let name = case["name"].as_str().expect("a name");
        let provider = json::parse_provider(case["provider"].as_str().expect("a provider"))
            .expect("a provider");
        let base_url = case["baseUrl"].as_str();
        let instance = instance(provider, base_url);
        let project = case["project"].as_str().expect("a project");
        let resource = json::parse_poll_resource(&case["resource"]).expect("a resource");
        assert_eq!(json::poll_resource(&resource), case["resource"], "{name}");
        let core_resource: forgelink::PollResource =
            serde_json::from_value(case["resource"].clone()).expect("the core reads it");
        let since = case["since"].as_i64().expect("since");
        let endpoints = forgelink::endpoints(core_provider(provider), base_url).expect("endpoints");

        let request = plugin
            .prepare_poll_request(&instance, "t", project, &resource, since)
            .unwrap()
            .unwrap_or_else(|e| panic!("{name}: {}", e.code));
        let core_request =
            forgelink::prepare_poll_request(&endpoints, "t", project, &core_resource, since)
                .expect("the core builds it");
        assert_eq!(json::request(&request), core_json(&core_request), "{name}");
        assert_eq!(request.url, expected["request"], "{name}");

        let r = &case["response"];
        let response = wit::Response {
            status: r["status"].as_u64().expect("a status") as u16,
            headers: serde_json::from_value(r["headers"].clone()).expect("headers"),
            body: r["body"].to_string().into_bytes(),
        };
        let now = since + 60;
        let page = plugin
            .parse_poll_response(&instance, project, &resource, &request.url, &response, since, now)
            .unwrap();
        let core = forgelink::parse_poll_response(
            &endpoints,
            project,
            &core_resource,
            &request.url,
            &core_response(&response),
            since,
            now,
        );
        match (page, core) {
            (Ok(page), Ok(core)) => {
                let printed = json::poll_page(&page);
                assert_eq!(printed, core_json(&core), "{name}");
                assert_eq!(printed, expected["page"], "{name}: the golden file");
                for event in &page.events {
                    let key = plugin.state_key(event).unwrap();
                    assert!(key.is_some(), "{name}");
                    assert_eq!(key, event.state_key, "{name}");
                    keyed += 1;
                }
            }
            (Err(error), Err(core)) => {
                assert_eq!(error.code, core.code.as_str(), "{name}");
                assert_eq!(error.code, expected["code"].as_str().unwrap_or_default(), "{name}");
                assert_eq!(error.guidance.code, error.code, "{name}");
                let reading = plugin.read_rate_limit(&response, now).unwrap();
                let core_reading = forgelink::read_rate_limit(&core_response(&response), now);
                assert_eq!(json::rate_limit(&reading), core_json(&core_reading), "{name}");
            }
            (page, core) => panic!("{name}: the component gave {page:?}, the core {core:?}"),
        }
    }
    assert!(keyed >= 10, "the fixtures hold events: {keyed}");
}

#[test]
fn resources_requests_and_rate_limits_match_the_core() {
    let mut plugin = plugin();
    for provider in [
        Provider::Github,
        Provider::Gitlab,
        Provider::BitbucketCloud,
        Provider::BitbucketDataCenter,
    ] {
        let resources = plugin.poll_resources(provider).unwrap();
        let core = forgelink::poll_resources(core_provider(provider));
        assert_eq!(json::poll_resources(&resources), core_json(&core), "{provider:?}");
    }
    let cases: &[(Provider, Option<&str>, &str)] = &[
        (Provider::Gitlab, Some("https://example.com/gitlab"), "group/sub/app"),
        (Provider::Github, None, "octo/repo"),
        (Provider::BitbucketCloud, None, "ws/repo"),
        (Provider::BitbucketDataCenter, Some("https://bb.example.com"), "PRJ/app"),
    ];
    for &(provider, base_url, project) in cases {
        let since = 1_700_000_000;
        let requests = plugin
            .prepare_poll_requests(&instance(provider, base_url), "t0k3n", project, since)
            .unwrap()
            .expect("requests");
        let endpoints = forgelink::endpoints(core_provider(provider), base_url).unwrap();
        let core = forgelink::prepare_poll_requests(&endpoints, "t0k3n", project, since).unwrap();
        assert_eq!(requests.len(), core.len());
        for (request, (resource, core_request)) in requests.iter().zip(&core) {
            assert_eq!(json::poll_resource(&request.resource), core_json(resource));
            assert_eq!(json::request(&request.request), core_json(core_request));
        }
        let printed = json::poll_requests(&requests);
        assert_eq!(printed[0]["request"]["headers"][0][1], "Bearer t0k3n", "{provider:?}");
    }
    let errors: &[(wit::Instance, &str, wit::PollResource, &str)] = &[
        (
            instance(Provider::Github, None),
            "octo",
            wit::PollResource::Pipelines,
            "repository.invalid_path",
        ),
        (
            instance(Provider::BitbucketDataCenter, Some("https://bb.example.com")),
            "PRJ/app",
            wit::PollResource::Pushes,
            "input.invalid",
        ),
        (
            instance(Provider::BitbucketDataCenter, None),
            "PRJ/app",
            wit::PollResource::Branches,
            "base_url.required",
        ),
        (
            instance(Provider::Gitlab, Some("gitlab.example.com")),
            "g/p",
            wit::PollResource::Pipelines,
            "base_url.missing_scheme",
        ),
    ];
    for (instance, project, resource, code) in errors {
        let error = plugin
            .prepare_poll_request(instance, "t", project, resource, 0)
            .unwrap()
            .expect_err("refused");
        assert_eq!((error.code.as_str(), error.guidance.code.as_str()), (*code, *code));
    }

    let now = 1_700_000_000;
    let responses = [
        (
            403,
            vec![
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000900"),
            ],
        ),
        (200, vec![("RateLimit-Remaining", "12"), ("RateLimit-Reset", "42")]),
        (429, vec![("Retry-After", "Tue, 14 Nov 2023 22:15:20 GMT")]),
        (200, vec![("X-RateLimit-NearLimit", "true")]),
        (200, vec![("Retry-After", "not a number"), ("RateLimit-Reset", "-5")]),
    ];
    for (status, headers) in responses {
        let response = wit::Response {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: Vec::new(),
        };
        let reading = plugin.read_rate_limit(&response, now).unwrap();
        let core = forgelink::read_rate_limit(&core_response(&response), now);
        assert_eq!(json::rate_limit(&reading), core_json(&core), "{headers:?}");
    }
}

#[test]
fn state_keys_of_deliveries_match_the_cores() {
    let table = read_json("tests/fixtures/webhooks/deliveries.json");
    let mut plugin = plugin();
    let mut keyed = 0;
    for case in table["cases"].as_array().expect("cases") {
        let headers: Vec<(String, String)> = case["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().expect("a value").to_owned()))
            .collect();
        let body = case["body"].to_string().into_bytes();
        let Ok(Ok(mut event)) = plugin.parse_webhook(&headers, &body) else { continue };
        let core = forgelink::parse_webhook(&headers, &body).expect("the core parses it");
        let key = plugin.state_key(&event).unwrap();
        assert_eq!(key, forgelink::state_key(&core), "{}", case["name"]);
        assert_eq!(key, event.state_key, "the event carries its own key");
        keyed += usize::from(key.is_some());
        // The key is computed from the fields, not copied from the event.
        event.state_key = Some("stale".into());
        assert_eq!(plugin.state_key(&event).unwrap(), key);
    }
    assert!(keyed >= 5, "{keyed}");
}

/// 2023-11-14 22:13:20 UTC.
const NOW: i64 = 1_700_000_000;

const SHA: &str = "bcbb5ec396a2c0f828686f14fac9b80b780504f2";

/// The Pipeline Hook GitLab sends for pipeline `id` in `status`, finished at `finished`: the
/// URL it is sent to (the one the hook was registered with), its headers and body.
fn pipeline_delivery(
    fake: &FakeGitLab,
    uuid: &str,
    id: u64,
    status: &str,
    finished: Option<i64>,
) -> (String, Vec<(String, String)>, Vec<u8>) {
    let token = fake.state().hook_token.clone().expect("a hook was registered");
    let url = fake.state().hook_url.clone().expect("a hook was registered");
    let headers = vec![
        ("X-Gitlab-Event".to_owned(), "Pipeline Hook".to_owned()),
        ("X-Gitlab-Token".to_owned(), token),
        ("X-Gitlab-Event-UUID".to_owned(), uuid.to_owned()),
    ];
    let body = json!({
        "object_kind": "pipeline",
        "object_attributes": { "id": id, "ref": "main", "sha": SHA, "status": status, "created_at": "2023-11-14 22:00:00 UTC", "finished_at": finished.map(hook_time) },
        "user": { "id": 42, "username": "ada", "name": "Ada" },
        "project": { "id": 1, "path_with_namespace": "group/app", "web_url": format!("{}/group/app", fake.base_url), "default_branch": "main" }
    });
    (url, headers, body.to_string().into_bytes())
}

/// A receipt, checked to name connection `id`, with the id written as `ID`: the two faces draw
/// different ones.
fn routed(mut receipt: Value, id: &str) -> Value {
    assert_eq!(receipt["connectionId"], id, "{receipt}");
    assert_eq!(receipt["project"], "group/app", "{receipt}");
    receipt["connectionId"] = json!("ID");
    receipt
}

/// A dropped delivery found by a poll, a late one seen as a duplicate, cursors, modes and a
/// rate limit: the transcript of every call.
fn hybrid_scenario(face: &mut dyn Face, fake: &FakeGitLab) -> Vec<Value> {
    let mut transcript = Vec::new();
    fake.state().now = NOW;
    let connection = face.connect_with_token(&fake.base_url, TOKEN);
    let id = connection["id"].as_str().expect("connected").to_owned();
    transcript.push(face.register_webhooks(&id, &["group/app"]));
    fake.state().pipelines.push(FakePipeline {
        id: 100,
        status: "running",
        sha: SHA,
        updated_at: NOW - 600,
    });
    let app = json!({ "projects": ["group/app"] });

    // The running state arrives by webhook; the first poll finds nothing new.
    let (url, headers, body) = pipeline_delivery(fake, "uuid-1", 100, "running", None);
    transcript.push(routed(face.receive_webhook(&url, &headers, &body), &id));
    transcript.push(face.poll_events(&id, &app));

    // The pipeline fails and the delivery is lost: the next poll reports it, with its jobs.
    face.clock().advance(120);
    {
        let mut state = fake.state();
        state.now = NOW + 120;
        state.pipelines[0].status = "failed";
        state.pipelines[0].updated_at = NOW + 100;
        state.jobs.push((100, 555, "rspec", "failed"));
        state.jobs.push((100, 556, "lint", "success"));
    }
    let second = face.poll_events(&id, &app);
    transcript.push(second.clone());

    // The late delivery is a duplicate; a poll again reports nothing twice.
    let (url, headers, body) = pipeline_delivery(fake, "uuid-2", 100, "failed", Some(NOW + 100));
    transcript.push(routed(face.receive_webhook(&url, &headers, &body), &id));
    transcript.push(face.poll_events(&id, &app));

    // The returned cursor starts a poll from there; one no poll returned is refused.
    let cursor = second["cursor"].as_str().unwrap_or_default();
    transcript.push(face.poll_events(&id, &json!({ "projects": ["group/app"], "cursor": cursor })));
    transcript.push(face.poll_events(&id, &json!({ "projects": ["group/app"], "cursor": "nope" })));

    // Webhook mode polls nothing and is remembered; polling mode with its own interval.
    let calls = fake.state().api_calls;
    transcript
        .push(face.poll_events(&id, &json!({ "projects": ["group/app"], "mode": "webhook" })));
    transcript.push(face.poll_events(&id, &app));
    assert_eq!(fake.state().api_calls, calls, "webhook mode sends nothing");
    transcript.push(face.poll_events(
        &id,
        &json!({ "projects": ["group/app"], "mode": "polling", "intervalSeconds": 300 }),
    ));

    // The rate limit allows six calls: the poll stops there, and waits for the reset.
    face.clock().advance(600);
    {
        let mut state = fake.state();
        state.now = NOW + 720;
        for n in 0..3 {
            state.pipelines.push(FakePipeline {
                id: 200 + n,
                status: "failed",
                sha: SHA,
                updated_at: NOW + 660,
            });
        }
        state.jobs.push((200, 700, "rspec", "failed"));
        // Three lists, and each newly finished pipeline on its own.
        state.remaining = Some(6);
        state.reset_at = NOW + 720 + 900;
    }
    transcript.push(face.poll_events(&id, &json!({ "projects": ["group/app", "group/other"] })));
    let calls = fake.state().api_calls;
    face.clock().advance(100);
    transcript.push(face.poll_events(&id, &app));
    assert_eq!(fake.state().api_calls, calls, "nothing is sent before the reset");
    assert_eq!(fake.state().calls_over_limit, 0, "never past what the headers allow");

    transcript.push(face.disconnect(&id));
    transcript.push(face.poll_events(&id, &app));
    transcript
}

#[test]
fn a_dropped_delivery_is_found_by_a_poll_as_the_core_finds_it() {
    let fake = FakeGitLab::start();
    let mut component = ComponentFace::new(NOW);
    let transcript = hybrid_scenario(&mut component, &fake);
    let host = |text: &str| text.replace("HOST", &fake.authority);

    let [registered, received, first, second, late, third, replay, bad, disabled, remembered, polling, limited, early, disconnected, gone] =
        transcript.as_slice()
    else {
        panic!("{} calls", transcript.len());
    };
    assert_eq!(registered[0]["status"], "created", "{registered}");
    assert_eq!(received["status"], "accepted");
    assert_eq!(
        received["event"]["stateKey"],
        host("gitlab:HOST:group/app:pipeline:100:running").as_str()
    );
    assert_eq!(
        (first["status"].as_str(), first["duplicates"].as_u64()),
        (Some("complete"), Some(1))
    );
    assert_eq!(first["events"], json!([]));
    assert_eq!(first["nextPollAt"], NOW + 60, "hybrid mode polls every minute");
    assert_eq!(first["projects"][0]["since"], NOW - 30 * 86_400);
    let keys: Vec<&str> = second["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["stateKey"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            host(&format!("gitlab:HOST:group/app:pipeline:100@{}:failure", NOW + 100)),
            host("gitlab:HOST:group/app:job:555:failure"),
            host("gitlab:HOST:group/app:job:556:success"),
        ]
    );
    assert_eq!(second["events"][1]["job"]["failureReason"], "script_failure");
    assert_eq!(
        second["projects"][0]["since"],
        NOW - 720,
        "the cursor waited for the running pipeline"
    );
    assert_eq!(late["status"], "duplicate");
    assert_eq!(third["events"], json!([]));
    assert_eq!(replay["projects"][0]["since"], NOW + 120 - 300, "five minutes of overlap");
    assert_eq!(bad["error"], "input.invalid");
    assert_eq!(
        (disabled["status"].as_str(), disabled["mode"].as_str()),
        (Some("disabled"), Some("webhook"))
    );
    assert_eq!(disabled["nextPollAt"], Value::Null);
    assert_eq!(remembered["status"], "disabled", "the mode is remembered");
    assert_eq!(
        (polling["mode"].as_str(), polling["nextPollAt"].as_i64()),
        (Some("polling"), Some(NOW + 120 + 300))
    );
    assert_eq!(limited["status"], "incomplete");
    assert_eq!(limited["nextPollAt"], NOW + 720 + 900, "not before the window resets");
    assert_eq!(limited["rateLimit"]["remaining"], 0);
    assert_eq!(limited["projects"][1]["code"], "http.rate_limited");
    assert_eq!(limited["projects"][1]["guidance"]["code"], "http.rate_limited");
    assert_eq!(limited["events"].as_array().map(Vec::len), Some(3), "{limited}");
    assert_eq!(early["nextPollAt"], NOW + 720 + 900);
    // The rate limit still holds: the hook cannot be removed, and a person is told so.
    let hook = &disconnected["webhooks"][0];
    assert_eq!(
        (hook["status"].as_str(), hook["code"].as_str()),
        (Some("failed"), Some("http.rate_limited"))
    );
    assert_eq!(hook["guidance"]["code"], "http.rate_limited");
    let steps = disconnected["manualSteps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s.as_str().is_some_and(|s| s.contains("webhooks"))), "{steps:?}");
    assert_eq!(gone["error"], "connection.not_found");

    // The core, natively, over its own copy of the provider, says the same.
    assert_core_agrees(&transcript, &fake, NOW, hybrid_scenario);
}
