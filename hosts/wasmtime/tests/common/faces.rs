//! The same flow calls through two faces: the component under wasmtime, printed with
//! `forgelink_host::json`, and the core run natively, printed with serde. A scenario written
//! against [`Face`] runs on both, and the two transcripts must be equal.

use std::sync::Arc;

use forgelink_host::http::HttpClient;
use forgelink_host::storage::MemoryStore;
use forgelink_host::{json, wit, HostState, Plugin};
use serde_json::{json, Value};

use super::fake_gitlab::FakeGitLab;
use super::native::{block_on, NativeHost};
use super::{runtime, test_http_config, test_key, ManualClock};

/// The flow calls a scenario makes. Each returns the result's JSON, or `{"error": code}`.
pub trait Face {
    fn connect_with_token(&mut self, base_url: &str, token: &str) -> Value;
    fn register_webhooks(&mut self, id: &str, projects: &[&str]) -> Value;
    /// A delivery as it arrived at `route`, the hook's delivery URL, handled at once: an
    /// accepted one's claim is confirmed, and the receipt shows the confirmation in its place.
    fn receive_webhook(&mut self, route: &str, headers: &[(String, String)], body: &[u8]) -> Value;
    fn poll_events(&mut self, id: &str, options: &Value) -> Value;
    fn post_feedback(&mut self, id: &str, request: &Value) -> Value;
    fn disconnect(&mut self, id: &str) -> Value;
    fn clock(&self) -> &ManualClock;
}

fn error(code: &str) -> Value {
    json!({ "error": code })
}

/// The component, over the host library's real HTTP client.
pub struct ComponentFace {
    pub plugin: Plugin,
    clock: Arc<ManualClock>,
}

impl ComponentFace {
    pub fn new(now: i64) -> Self {
        let clock = ManualClock::at(now);
        let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
        let state = HostState::new(http, None)
            .with_storage(MemoryStore::new())
            .with_encryption_key(test_key())
            .with_clock(clock.clone());
        let plugin = runtime().instantiate(state).expect("the component instantiates");
        ComponentFace { plugin, clock }
    }
}

fn printed<T>(result: Result<T, wit::Error>, to_json: impl Fn(&T) -> Value) -> Value {
    match result {
        Ok(value) => to_json(&value),
        Err(e) => error(&e.code),
    }
}

fn text(value: &Value, field: &str) -> Option<String> {
    value[field].as_str().map(str::to_owned)
}

/// `PollOptions` in the core's JSON shape, as the WIT record.
pub fn poll_options(value: &Value) -> wit::PollOptions {
    let number = |field: &str| value[field].as_u64().and_then(|n| u32::try_from(n).ok());
    wit::PollOptions {
        projects: value["projects"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        since: value["since"].as_i64(),
        cursor: text(value, "cursor"),
        lookback_days: number("lookbackDays"),
        mode: value["mode"].as_str().map(|m| json::parse_sync_mode(m).expect("a mode")),
        interval_seconds: number("intervalSeconds"),
        max_requests: number("maxRequests"),
    }
}

/// `PostFeedback` in the core's JSON shape, as the WIT record.
pub fn post_feedback_request(value: &Value) -> wit::PostFeedbackRequest {
    let policy = value.get("policy").map(|policy| wit::FeedbackPolicy {
        order: policy["order"]
            .as_array()
            .map(|order| {
                order
                    .iter()
                    .map(|t| json::parse_feedback_target(t.as_str().unwrap_or_default()))
                    .map(|t| t.expect("a target"))
                    .collect()
            })
            .unwrap_or_else(|| {
                vec![
                    wit::FeedbackTarget::MergeRequest,
                    wit::FeedbackTarget::Commit,
                    wit::FeedbackTarget::Issue,
                ]
            }),
        update_existing: policy["updateExisting"].as_bool().unwrap_or(true),
    });
    wit::PostFeedbackRequest {
        project: text(value, "project").unwrap_or_default(),
        merge_request: value["mergeRequest"].as_u64(),
        commit_sha: text(value, "commitSha"),
        issue: value["issue"].as_u64(),
        issue_title: text(value, "issueTitle"),
        body: text(value, "body").unwrap_or_default(),
        key: text(value, "key"),
        policy,
    }
}

impl Face for ComponentFace {
    fn connect_with_token(&mut self, base_url: &str, token: &str) -> Value {
        let request = wit::ConnectWithTokenRequest {
            provider: wit::Provider::Gitlab,
            base_url: Some(base_url.to_owned()),
            token: token.to_owned(),
            username: None,
            profile: Some("ci-failure-analysis".into()),
        };
        let result = self.plugin.connect_with_token(&request).expect("no trap");
        printed(result, json::connection)
    }

    fn register_webhooks(&mut self, id: &str, projects: &[&str]) -> Value {
        let request = wit::RegisterWebhooksRequest {
            projects: projects.iter().map(|p| (*p).to_owned()).collect(),
            url: "https://app.example/hooks".into(),
            profile: "ci-failure-analysis".into(),
        };
        let result = self.plugin.register_webhooks(id, &request).expect("no trap");
        printed(result, |results| json::registration_results(results))
    }

    fn receive_webhook(&mut self, route: &str, headers: &[(String, String)], body: &[u8]) -> Value {
        let options = wit::ReceiveOptions {
            dedupe_seconds: None,
            handling_seconds: None,
            allow_unsigned_ping: false,
            tolerance_seconds: None,
        };
        let result = self.plugin.receive_webhook(route, headers, body, options).expect("no trap");
        let mut receipt = printed(result, json::receipt);
        if let Some(claim) = receipt["claim"].as_str() {
            let confirmed = self.plugin.confirm_delivery(claim).expect("no trap");
            receipt["claim"] = json!(format!("confirmed: {confirmed:?}"));
        }
        receipt
    }

    fn poll_events(&mut self, id: &str, options: &Value) -> Value {
        let result = self.plugin.poll_events(id, &poll_options(options)).expect("no trap");
        printed(result, json::poll_result)
    }

    fn post_feedback(&mut self, id: &str, request: &Value) -> Value {
        let request = post_feedback_request(request);
        let result = self.plugin.post_feedback(id, &request).expect("no trap");
        printed(result, json::feedback_result)
    }

    fn disconnect(&mut self, id: &str) -> Value {
        let result = self.plugin.disconnect(id).expect("no trap");
        printed(result, json::disconnect_report)
    }

    fn clock(&self) -> &ManualClock {
        &self.clock
    }
}

/// The core, natively, over the same kind of client, store and clock.
pub struct CoreFace {
    pub flows: forgelink::Flows<NativeHost>,
    clock: Arc<ManualClock>,
}

impl CoreFace {
    pub fn new(now: i64) -> Self {
        let clock = ManualClock::at(now);
        let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
        let host =
            NativeHost { fetch: Box::new(http), store: MemoryStore::new(), clock: clock.clone() };
        let key = forgelink::EncryptionKey::new(test_key().as_bytes()).expect("32 bytes");
        CoreFace { flows: forgelink::Flows::new(host, key), clock }
    }
}

fn serialised<T: serde::Serialize>(result: Result<T, forgelink::Error>) -> Value {
    match result {
        Ok(value) => serde_json::to_value(value).expect("serialisable"),
        Err(e) => error(e.code.as_str()),
    }
}

impl Face for CoreFace {
    fn connect_with_token(&mut self, base_url: &str, token: &str) -> Value {
        let input = serde_json::from_value(json!({
            "provider": "gitlab", "baseUrl": base_url, "token": token,
            "profile": "ci-failure-analysis",
        }))
        .expect("a connection request");
        serialised(block_on(self.flows.connect_with_token(input)))
    }

    fn register_webhooks(&mut self, id: &str, projects: &[&str]) -> Value {
        let request = serde_json::from_value(json!({
            "projects": projects, "url": "https://app.example/hooks",
            "profile": "ci-failure-analysis",
        }))
        .expect("a registration request");
        serialised(block_on(self.flows.register_webhooks(id, request)))
    }

    fn receive_webhook(&mut self, route: &str, headers: &[(String, String)], body: &[u8]) -> Value {
        let options = forgelink::ReceiveOptions::default();
        let mut receipt =
            serialised(block_on(self.flows.receive_webhook(route, headers, body, options)));
        if let Some(claim) = receipt["claim"].as_str() {
            let confirmed = block_on(self.flows.confirm_delivery(claim)).map_err(|e| e.code);
            receipt["claim"] = json!(format!("confirmed: {confirmed:?}"));
        }
        receipt
    }

    fn poll_events(&mut self, id: &str, options: &Value) -> Value {
        let options = serde_json::from_value(options.clone()).expect("poll options");
        serialised(block_on(self.flows.poll_events(id, options)))
    }

    fn post_feedback(&mut self, id: &str, request: &Value) -> Value {
        let request = serde_json::from_value(request.clone()).expect("a feedback request");
        serialised(block_on(self.flows.post_feedback(id, request)))
    }

    fn disconnect(&mut self, id: &str) -> Value {
        serialised(block_on(self.flows.disconnect(id)))
    }

    fn clock(&self) -> &ManualClock {
        &self.clock
    }
}

/// `value` as text with `authority` (the fake server's `127.0.0.1:PORT`, which differs
/// between the faces' servers) written as `HOST`.
pub fn normalised(value: &Value, authority: &str) -> Value {
    let text = value.to_string().replace(authority, "HOST");
    serde_json::from_str(&text).expect("JSON")
}

/// Runs `scenario` on the core natively, over a provider fake of its own starting at `now`, and
/// checks that it says what the component said in `transcript` against `fake`, call by call.
pub fn assert_core_agrees(
    transcript: &[Value],
    fake: &FakeGitLab,
    now: i64,
    scenario: fn(&mut dyn Face, &FakeGitLab) -> Vec<Value>,
) {
    let fake_for_core = FakeGitLab::start();
    let mut core = CoreFace::new(now);
    let expected = scenario(&mut core, &fake_for_core);
    assert_eq!(expected.len(), transcript.len());
    for (index, (actual, expected)) in transcript.iter().zip(&expected).enumerate() {
        assert_eq!(
            normalised(actual, &fake.authority),
            normalised(expected, &fake_for_core.authority),
            "call {index}"
        );
    }
}
