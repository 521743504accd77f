//! Random and malformed inputs to every export: the component never traps, and every failure
//! is a coded error from `error-codes` carrying guidance for that code.
//!
//! Several tests, one per group of exports (provider rules, tokens, flows, webhooks, hook
//! registration with polling and feedback, the webhook and sync flows), so that the harness
//! runs them side by side. The flows run over a provider that answers at random (often
//! plausibly, sometimes with garbage or a transport failure), storage in memory that now and
//! then fails or hands back altered bytes, and a clock that jumps ahead, so that connecting,
//! refreshing, leasing, testing, polling, posting feedback and disconnecting all meet hostile
//! answers.

mod common;

use std::collections::BTreeSet;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use forgelink_host::storage::{MemoryStore, Storage};
use forgelink_host::wit::{self, Provider};
use forgelink_host::{HostState, Plugin};

use common::inputs::*;

/// Calls to each export, whatever its interface.
const PER_EXPORT: usize = 10_000;

/// Panics with the export's name and an excerpt of its input if the component trapped.
macro_rules! no_trap {
    ($name:literal, $input:expr, $call:expr) => {
        match $call {
            Ok(value) => value,
            Err(error) => {
                panic!("{} trapped on {}: {error}", $name, excerpt(AsRef::<str>::as_ref(&$input)))
            }
        }
    };
}

fn provider(rng: &mut Rng) -> Provider {
    rng.pick(&[
        Provider::Github,
        Provider::Gitlab,
        Provider::BitbucketCloud,
        Provider::BitbucketDataCenter,
    ])
}

fn excerpt(input: &str) -> String {
    let short: String = input.chars().take(120).collect();
    format!("{short:?} ({} bytes)", input.len())
}

struct Checker {
    codes: BTreeSet<String>,
    failures: usize,
    /// Successful `poll-events` and `post-feedback` calls.
    synced: [usize; 2],
}

impl Checker {
    fn error(&mut self, export: &str, input: &str, error: &wit::Error) {
        assert!(
            self.codes.contains(&error.code),
            "{export}: code {:?} is not in error-codes; input {}",
            error.code,
            excerpt(input)
        );
        assert_eq!(
            error.guidance.code,
            error.code,
            "{export}: guidance for another code; input {}",
            excerpt(input)
        );
        assert!(!error.message.is_empty(), "{export}: empty message; input {}", excerpt(input));
        self.failures += 1;
    }

    fn diagnostics(&self, export: &str, input: &str, diagnostics: &[wit::Diagnostic]) {
        for diagnostic in diagnostics {
            assert!(
                self.codes.contains(&diagnostic.code),
                "{export}: diagnostic code {:?} is not in error-codes; input {}",
                diagnostic.code,
                excerpt(input)
            );
        }
    }
}

fn call(plugin: &mut Plugin, checker: &mut Checker, rng: &mut Rng, export: usize) {
    match export {
        0 => {
            let input = text(rng);
            let report = no_trap!(
                "validate-base-url",
                input,
                plugin.validate_base_url(provider(rng), &input)
            );
            checker.diagnostics("validate-base-url", &input, &report.diagnostics);
            assert_eq!(
                report.ok,
                report.diagnostics.iter().all(|d| d.severity != wit::Severity::Error),
                "ok agrees with the diagnostics for {}",
                excerpt(&input)
            );
            if report.ok {
                assert!(
                    report.base_url.is_some() && report.api_base.is_some(),
                    "{}",
                    excerpt(&input)
                );
            }
        }
        1 => {
            let base_url = maybe(rng, text);
            let shown = base_url.clone().unwrap_or_default();
            let result =
                no_trap!("endpoints", shown, plugin.endpoints(provider(rng), base_url.as_deref()));
            if let Err(error) = result {
                checker.error("endpoints", &shown, &error);
            }
            let result = no_trap!(
                "settings-pages",
                shown,
                plugin.settings_pages(provider(rng), base_url.as_deref())
            );
            if let Err(error) = result {
                checker.error("settings-pages", &shown, &error);
            }
        }
        2 => {
            let (registered, requested) = (text(rng), text(rng));
            let shown = format!("{registered} | {requested}");
            let diagnostics = no_trap!(
                "validate-redirect-uri",
                shown,
                plugin.validate_redirect_uri(provider(rng), &registered, &requested)
            );
            checker.diagnostics("validate-redirect-uri", &shown, &diagnostics);
        }
        3 => {
            let catalog = no_trap!("scope-catalog", "", plugin.scope_catalog(provider(rng)));
            assert!(!catalog.is_empty());
        }
        4 => {
            let granted = text(rng);
            let required: Vec<String> = (0..rng.below(4))
                .map(|_| if rng.chance(2) { rng.pick(SCOPE_WORDS).to_string() } else { text(rng) })
                .collect();
            let shown = format!("{granted} | {required:?}");
            let result = no_trap!(
                "check-scopes",
                shown,
                plugin.check_scopes(provider(rng), &granted, &required)
            );
            if let Err(error) = result {
                checker.error("check-scopes", &shown, &error);
            }
        }
        5 => {
            let profiles = no_trap!("profiles", "", plugin.profiles());
            assert!(!profiles.is_empty());
        }
        6 => {
            let request = wit::AuthorizationRequest {
                provider: provider(rng),
                base_url: maybe(rng, text),
                client_id: if rng.chance(3) { "client-123".into() } else { text(rng) },
                redirect_uri: if rng.chance(3) {
                    "https://app.example.com/cb".into()
                } else {
                    text(rng)
                },
                scopes: maybe(rng, |rng| {
                    (0..rng.below(4)).map(|_| rng.pick(SCOPE_WORDS).to_string()).collect()
                }),
                profile: maybe(rng, |rng| {
                    if rng.chance(2) {
                        rng.pick(&["ci-failure-analysis", "secret-sync", "deployments"]).to_string()
                    } else {
                        text(rng)
                    }
                }),
                pkce: maybe(rng, |rng| rng.chance(2)),
                root_namespace_id: maybe(rng, |rng| {
                    if rng.chance(2) {
                        rng.below(1_000_000).to_string()
                    } else {
                        text(rng)
                    }
                }),
            };
            let shown = format!(
                "{:?} | {:?} | {:?} | {:?}",
                request.base_url,
                request.client_id,
                request.redirect_uri,
                request.root_namespace_id
            );
            match no_trap!("authorization-url", shown, plugin.authorization_url(&request)) {
                Ok(authorization) => assert!(!authorization.state.is_empty()),
                Err(error) => checker.error("authorization-url", &shown, &error),
            }
        }
        7 => {
            let callback = if rng.chance(4) { text(rng) } else { callback_like(rng) };
            let expected = if rng.chance(2) { "s1".to_owned() } else { text(rng) };
            let shown = format!("{callback} | {expected}");
            if let Err(error) =
                no_trap!("parse-callback", shown, plugin.parse_callback(&callback, &expected))
            {
                checker.error("parse-callback", &shown, &error);
            }
        }
        8 => {
            let code = if rng.chance(3) {
                let index = rng.below(checker.codes.len());
                checker.codes.iter().nth(index).cloned().unwrap_or_default()
            } else {
                text(rng)
            };
            let provider = maybe(rng, provider);
            match no_trap!("troubleshoot", code, plugin.troubleshoot(&code, provider)) {
                Ok(guidance) => assert_eq!(guidance.code, code),
                Err(error) => {
                    assert_eq!(error.code, "input.unknown_code", "input {}", excerpt(&code));
                    checker.error("troubleshoot", &code, &error);
                }
            }
        }
        _ => {
            let codes = no_trap!("error-codes", "", plugin.error_codes());
            assert_eq!(codes.len(), checker.codes.len());
        }
    }
}

fn seed() -> u64 {
    std::env::var("FORGELINK_FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x5eed_f0e6_11e4)
}

fn checker(plugin: &mut Plugin) -> Checker {
    let codes: BTreeSet<String> = plugin.error_codes().unwrap().into_iter().collect();
    Checker { codes, failures: 0, synced: [0; 2] }
}

#[test]
fn random_and_malformed_inputs_never_trap() {
    let mut rng = Rng::new(seed());
    let mut plugin = common::plugin();
    let mut checker = checker(&mut plugin);
    // One instance for every call: a trap or a leak would show up here as it would in a host.
    for _ in 0..PER_EXPORT {
        for export in 0..10 {
            call(&mut plugin, &mut checker, &mut rng, export);
        }
    }
    // The generators aim at the error paths; a run without errors would test little.
    let calls = PER_EXPORT * 10;
    assert!(
        checker.failures > calls / 20,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
}

// The `tokens` interface.

fn response(rng: &mut Rng) -> wit::Response {
    let headers = (0..rng.below(5))
        .map(|_| {
            let name =
                if rng.chance(10) { small_text(rng) } else { rng.pick(HEADER_NAMES).to_owned() };
            let value =
                if rng.chance(5) { small_text(rng) } else { rng.pick(HEADER_VALUES).to_owned() };
            (name, value)
        })
        .collect();
    wit::Response { status: rng.pick(STATUSES), headers, body: body(rng) }
}

fn oauth_client(rng: &mut Rng) -> wit::OauthClient {
    wit::OauthClient {
        provider: provider(rng),
        base_url: if rng.chance(3) {
            Some(rng.pick(&["https://example.com/gitlab", "https://bb.example.com"]).to_owned())
        } else {
            maybe(rng, small_text)
        },
        client_id: if rng.chance(2) { "client-123".into() } else { small_text(rng) },
        client_secret: maybe(
            rng,
            |rng| if rng.chance(2) { "s3cret".into() } else { small_text(rng) },
        ),
        redirect_uri: maybe(rng, |rng| {
            if rng.chance(2) {
                "https://app.example.com/cb".into()
            } else {
                small_text(rng)
            }
        }),
    }
}

fn token_set(rng: &mut Rng) -> wit::TokenSet {
    wit::TokenSet {
        access_token: text(rng),
        token_type: small_text(rng),
        refresh_token: maybe(rng, small_text),
        expires_at: maybe(rng, instant),
        refresh_token_expires_at: maybe(rng, instant),
        scopes: (0..rng.below(4)).map(|_| rng.pick(SCOPE_WORDS).to_owned()).collect(),
    }
}

impl Checker {
    fn result<T>(&mut self, export: &str, input: &str, result: Result<T, wit::Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.error(export, input, &error);
                None
            }
        }
    }

    fn request(&self, export: &str, input: &str, request: &wit::Request) {
        assert!(
            ["GET", "POST", "DELETE"].contains(&request.method.as_str()),
            "{export}: method {:?}; input {}",
            request.method,
            excerpt(input)
        );
        assert!(
            request.url.starts_with("https://") || request.url.starts_with("http://"),
            "{export}: {}",
            request.url
        );
    }
}

fn call_tokens(plugin: &mut Plugin, checker: &mut Checker, rng: &mut Rng, export: usize) {
    match export {
        0..=4 => {
            let client = oauth_client(rng);
            let secret = text(rng);
            let shown = format!("{client:?} | {secret}");
            let result = match export {
                0 => {
                    let verifier = maybe(rng, small_text);
                    no_trap!(
                        "prepare-token-exchange",
                        shown,
                        plugin.prepare_token_exchange(&client, &secret, verifier.as_deref())
                    )
                }
                1 => no_trap!("prepare-refresh", shown, plugin.prepare_refresh(&client, &secret)),
                2 => no_trap!("prepare-revoke", shown, plugin.prepare_revoke(&client, &secret)),
                3 => {
                    let scopes: Vec<String> = (0..rng.below(4)).map(|_| small_text(rng)).collect();
                    no_trap!(
                        "prepare-device-authorization",
                        shown,
                        plugin.prepare_device_authorization(&client, &scopes)
                    )
                }
                _ => no_trap!(
                    "prepare-device-poll",
                    shown,
                    plugin.prepare_device_poll(&client, &secret)
                ),
            };
            if let Some(request) = checker.result("prepare-*", &shown, result) {
                checker.request("prepare-*", &shown, &request);
            }
        }
        5 | 6 => {
            let (provider, response, now) = (provider(rng), response(rng), instant(rng));
            let shown = format!(
                "{provider:?} {} {:?} {}",
                response.status,
                response.headers,
                String::from_utf8_lossy(&response.body)
            );
            if export == 5 {
                let result = no_trap!(
                    "parse-device-authorization",
                    shown,
                    plugin.parse_device_authorization(provider, &response, now)
                );
                if let Some(device) = checker.result("parse-device-authorization", &shown, result) {
                    assert!(device.interval >= 1 && !device.device_code.is_empty(), "{shown}");
                }
            } else {
                let result = no_trap!(
                    "parse-token-response",
                    shown,
                    plugin.parse_token_response(provider, &response, now)
                );
                if let Some(tokens) = checker.result("parse-token-response", &shown, result) {
                    assert!(!tokens.access_token.is_empty(), "{shown}");
                }
            }
        }
        7 => {
            let len = 16 + rng.below(40);
            let secret = alphanumeric(rng, len);
            let token = match rng.below(4) {
                0 => text(rng),
                _ => format!("{}{secret}", rng.pick(TOKEN_PREFIXES)),
            };
            let info = no_trap!("detect-token", token, plugin.detect_token(&token));
            assert!(!info.kind.is_empty() && !info.description.is_empty());
            let shown = format!("{info:?}");
            assert!(!shown.contains(&secret), "detect-token echoed {token:?}");
            let prefix = maybe(rng, text);
            let info = no_trap!(
                "detect-token-with-prefix",
                token,
                plugin.detect_token_with_prefix(&token, prefix.as_deref())
            );
            assert!(!info.kind.is_empty() && !info.description.is_empty());
            let shown = format!("{info:?}");
            assert!(!shown.contains(&secret), "detect-token-with-prefix echoed {token:?}");
        }
        8 => {
            let (tokens, now, skew) = (token_set(rng), instant(rng), instant(rng));
            let shown = format!("{tokens:?} {now} {skew}");
            let needs = no_trap!("needs-refresh", shown, plugin.needs_refresh(&tokens, now, skew));
            if tokens.expires_at.is_none() {
                assert!(!needs, "{shown}");
            }
        }
        _ => {
            let (provider, response) = (provider(rng), response(rng));
            let shown = format!(
                "{provider:?} {} {:?} {}",
                response.status,
                response.headers,
                String::from_utf8_lossy(&response.body)
            );
            let error =
                no_trap!("parse-api-error", shown, plugin.parse_api_error(provider, &response));
            assert_eq!(error.status, response.status);
            checker.error("parse-api-error", &shown, &error.error);
        }
    }
}

#[test]
fn random_responses_to_the_token_functions_never_trap() {
    let mut rng = Rng::new(seed() ^ 0x7031_6b65_6e73);
    let mut plugin = common::plugin();
    let mut checker = checker(&mut plugin);
    for _ in 0..PER_EXPORT {
        for export in 0..10 {
            call_tokens(&mut plugin, &mut checker, &mut rng, export);
        }
    }
    let calls = PER_EXPORT * 10;
    assert!(
        checker.failures > calls / 10,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
}

// The `flows` interface.

/// A provider that answers at random: often what the flows asked for, sometimes an error,
/// garbage, or no answer at all. It remembers the delivery URLs hooks were registered with,
/// so that deliveries can be sent where a provider would send them.
struct RandomProvider {
    rng: Mutex<Rng>,
    routes: Mutex<Vec<String>>,
}

/// The receiver the fuzzed registrations name.
const RECEIVER: &str = "https://app.example/hooks";

const USERS: &[&str] = &[
    r#"{"login":"octocat","id":583231,"name":"The Octocat","html_url":"https://github.com/octocat"}"#,
    r#"{"id":7,"username":"ada","name":"Ada Lovelace","web_url":"https://example.com/gitlab/ada"}"#,
    r#"{"uuid":"{a1b2}","username":"ada","display_name":"Ada","links":{"html":{"href":"https://bitbucket.org/ada"}}}"#,
    r#"{"id":3,"slug":"ada","name":"ada","displayName":"Ada","links":{"self":[{"href":"https://bb.example.com/users/ada"}]}}"#,
    r#"{"version":"17.5.1-ee","revision":"5b4a6e1"}"#,
    r#"{"version":"8.9.0","buildNumber":"8009000"}"#,
    r#"{"version":"0.1"}"#,
    r#"{"installed_version":"3.14.2"}"#,
    r#"{"scopes":["api","read_user"],"expires_at":"2026-12-01","active":true}"#,
    r#"{"scopes":"api","expires_at":"not a date"}"#,
    r#"{"id":"","login":""}"#,
];

/// The body each provider's endpoint would answer, by the URL's shape (an index in `USERS`,
/// or one of `POLL_BODIES` and `COMMENT_BODIES`).
fn plausible_body(url: &str) -> &'static str {
    let path = url.split('?').next().unwrap_or_default();
    let lists = [
        ("/jobs", 1),
        ("/pipelines", 0),
        ("/pipelines/", 6),
        ("/actions/runs", 2),
        ("/merge_requests", 3),
        ("/pulls", 4),
        ("/pullrequests", 6),
        ("/pull-requests", 7),
        ("/events", 5),
        ("/activity", 5),
        ("/branches", 8),
        ("/statuses", 9),
    ];
    if let Some((_, index)) = lists.iter().find(|(suffix, _)| path.ends_with(suffix)) {
        return POLL_BODIES[*index];
    }
    // A Data Center commit's build statuses: the builds resource, or the deprecated one.
    if path.contains("/rest/build-status/") || path.ends_with("/builds") {
        return POLL_BODIES[9];
    }
    let comments = ["/notes", "/comments", "/discussions", "/issues", "/activities"];
    if comments.iter().any(|suffix| path.ends_with(suffix)) || path.contains("/notes/") {
        return COMMENT_BODIES[path.len() % COMMENT_BODIES.len()];
    }
    let by_suffix = [
        ("/personal_access_tokens/self", 8),
        ("/api/v4/version", 4),
        ("/application-properties", 5),
        ("/meta", 7),
        ("/2.0/user", 2),
        ("/api/v4/user", 1),
    ];
    let fallback = if path.contains("/rest/api/1.0/users/") { 3 } else { 0 };
    let index = by_suffix
        .iter()
        .find(|(suffix, _)| path.ends_with(suffix))
        .map_or(fallback, |(_, index)| *index);
    USERS[index]
}

/// List answers of each provider's poll endpoints, shortened from their API references.
const POLL_BODIES: &[&str] = &[
    r#"[{"id":47,"iid":12,"status":"failed","ref":"main","sha":"a91957a8","web_url":"https://example.com/gitlab/g/p/-/pipelines/47","created_at":"2026-11-22T00:00:00Z","updated_at":"2026-11-22T00:05:00Z"},{"id":48,"status":"running","created_at":"2016-08-12T10:06:15.877Z"}]"#,
    r#"[{"id":6,"name":"rspec","stage":"test","status":"failed","failure_reason":"script_failure","pipeline":{"id":47},"web_url":"u"},{"id":"7","status":null}]"#,
    r#"{"total_count":1,"workflow_runs":[{"id":30433642,"status":"completed","conclusion":"failure","head_branch":"main","head_sha":"6dcb09b5","html_url":"u","created_at":"2026-11-22T00:00:00Z","updated_at":"2026-11-22T00:01:00Z"}],"jobs":[{"id":399444496,"run_id":30433642,"name":"build","status":"completed","conclusion":"failure"}]}"#,
    r#"[{"iid":1,"title":"t","state":"opened","source_branch":"a","target_branch":"b","sha":"abc","updated_at":"2026-11-22T00:00:00Z","web_url":"u"}]"#,
    r#"[{"number":1347,"state":"open","title":"t","head":{"ref":"a","sha":"abc"},"base":{"ref":"main"},"updated_at":"2026-11-22T00:00:00Z","html_url":"u","merged_at":null}]"#,
    r#"[{"action_name":"pushed to","created_at":"2026-11-22T00:00:00Z","push_data":{"ref":"main","ref_type":"branch","commit_to":"abc"}},{"id":1,"ref":"refs/heads/main","after":"abc","activity_type":"push","timestamp":"2026-11-22T00:00:00Z"}]"#,
    r#"{"values":[{"uuid":"{p}","build_number":3,"state":{"name":"COMPLETED","result":{"name":"FAILED"}},"target":{"ref_name":"main","commit":{"hash":"abc"}},"created_on":"2026-11-22T00:00:00Z"},{"id":7,"title":"t","state":"OPEN","source":{"branch":{"name":"a"},"commit":{"hash":"abc"}},"destination":{"branch":{"name":"main"}},"updated_on":"2026-11-22T00:00:00Z"}],"next":"https://api.bitbucket.org/2.0/next"}"#,
    r#"{"isLastPage":false,"nextPageStart":25,"values":[{"id":101,"title":"t","state":"OPEN","fromRef":{"displayId":"a","latestCommit":"abc"},"toRef":{"displayId":"main"},"updatedDate":1795305600000}]}"#,
    r#"{"isLastPage":true,"values":[{"id":"refs/heads/main","displayId":"main","latestCommit":"abc","metadata":{}}]}"#,
    r#"{"values":[{"key":"ci","state":"FAILED","url":"u","commit":{"hash":"abc"},"updated_on":"2026-11-22T00:00:00Z","dateAdded":1795305600000}],"isLastPage":true}"#,
];

/// Answers of each provider's comment endpoints, shortened from their API references.
const COMMENT_BODIES: &[&str] = &[
    r#"{"id":1,"body":"x <!-- forgelink:feedback:k -->","html_url":"u"}"#,
    r#"[{"id":1,"body":"x <!-- forgelink:feedback:k -->"},{"id":2,"body":"y"}]"#,
    r#"{"id":"d1","individual_note":true,"notes":[{"id":5,"body":"x"}]}"#,
    r#"{"values":[{"id":3,"content":{"raw":"x <!-- forgelink:feedback:k -->"},"links":{"html":{"href":"u"}}}],"next":"https://api.bitbucket.org/2.0/x"}"#,
    r#"{"isLastPage":false,"nextPageStart":25,"values":[{"action":"COMMENTED","comment":{"id":5,"version":2,"text":"x"}}]}"#,
    r#"{"iid":3,"number":3,"description":"x","web_url":"u"}"#,
    r#"{"message":"403 Forbidden - Discussion is locked"}"#,
];

impl RandomProvider {
    fn new(seed: u64) -> Self {
        RandomProvider { rng: Mutex::new(Rng::new(seed)), routes: Mutex::new(Vec::new()) }
    }

    /// The delivery URLs registrations sent so far, the latest 64.
    fn routes(&self) -> Vec<String> {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn answer(&self, request: &wit::Request) -> Result<wit::Response, wit::FetchError> {
        let body = String::from_utf8_lossy(request.body.as_deref().unwrap_or_default());
        if let Some(at) = body.find(&format!("{RECEIVER}/")) {
            let url: String = body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || ":/._-".contains(*c))
                .collect();
            remember(&mut self.routes.lock().unwrap_or_else(PoisonError::into_inner), url);
        }
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let rng = &mut *rng;
        if rng.chance(25) {
            return Err(match rng.below(10) {
                0 => wit::FetchError::Timeout,
                1 => wit::FetchError::Tls(text(rng)),
                2 => wit::FetchError::Connection(text(rng)),
                3 => wit::FetchError::Blocked(text(rng)),
                4 => wit::FetchError::InsecureHttp(text(rng)),
                5 => wit::FetchError::TooLarge(rng.next()),
                6 => wit::FetchError::PlainHttpOnHttps(text(rng)),
                7 => wit::FetchError::NameNotResolved(text(rng)),
                8 => wit::FetchError::ConnectionRefused(text(rng)),
                _ => wit::FetchError::Other(text(rng)),
            });
        }
        if rng.chance(3) {
            return Ok(response(rng));
        }
        let token_endpoint = request.url.contains("token") && request.method == "POST";
        let body = if token_endpoint {
            let access = alphanumeric(rng, 24);
            let refresh = alphanumeric(rng, 24);
            match rng.below(5) {
                0 => format!(
                    r#"{{"error":"{}","error_description":"{}"}}"#,
                    rng.pick(ERRORS),
                    alphanumeric(rng, 10)
                ),
                1 => format!("access_token={access}&scope=repo%2Cread%3Aorg&token_type=bearer"),
                _ => format!(
                    r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{},"refresh_token":"{refresh}","scope":"api read_user","created_at":{}}}"#,
                    number_text(rng),
                    1_795_305_600 + rng.below(100_000) as i64
                ),
            }
        } else if rng.chance(4) {
            rng.pick(USERS).to_owned()
        } else {
            plausible_body(&request.url).to_owned()
        };
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        if rng.chance(2) {
            headers.push(("X-AUSERNAME".into(), "ada".into()));
        }
        if rng.chance(2) {
            headers.push((
                "X-OAuth-Scopes".into(),
                rng.pick(&["repo, read:org", "", "api", "repo, read:org, read:user, workflow"])
                    .into(),
            ));
        }
        if rng.chance(4) {
            headers.push(("Date".into(), rng.pick(HEADER_VALUES).into()));
        }
        if rng.chance(4) {
            headers.push((
                "GitHub-Authentication-Token-Expiration".into(),
                rng.pick(HEADER_VALUES).into(),
            ));
        }
        let status = if rng.chance(8) { rng.pick(STATUSES) } else { 200 };
        Ok(wit::Response { status, headers, body: body.into_bytes() })
    }
}

/// Storage in memory that now and then fails, or hands back a value with one byte changed.
struct FlakyStore {
    inner: MemoryStore,
    rng: Mutex<Rng>,
}

impl FlakyStore {
    fn roll(&self, one_in: usize) -> bool {
        self.rng.lock().unwrap_or_else(PoisonError::into_inner).chance(one_in)
    }

    fn fail(&self) -> io::Result<()> {
        if self.roll(60) {
            Err(io::Error::other("the disk is full"))
        } else {
            Ok(())
        }
    }
}

impl Storage for FlakyStore {
    fn get(&self, key: &str, now: i64) -> io::Result<Option<Vec<u8>>> {
        self.fail()?;
        let mut value = self.inner.get(key, now)?;
        if let Some(bytes) = value.as_mut().filter(|bytes| !bytes.is_empty()) {
            if self.roll(150) {
                let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 + (rng.next() as u8 % 255);
            }
        }
        Ok(value)
    }

    fn set(&self, key: &str, value: &[u8], ttl_seconds: Option<u64>, now: i64) -> io::Result<()> {
        self.fail()?;
        self.inner.set(key, value, ttl_seconds, now)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.fail()?;
        self.inner.delete(key)
    }

    fn compare_and_swap(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        ttl_seconds: Option<u64>,
        now: i64,
    ) -> io::Result<bool> {
        self.fail()?;
        self.inner.compare_and_swap(key, old, new, ttl_seconds, now)
    }
}

const BASE_URLS: &[&str] = &[
    "https://example.com/gitlab",
    "https://gitlab.example.com",
    "https://bb.example.com",
    "https://ghe.example.com",
    "https://acme.ghe.com",
];

/// What the flow calls learned so far, for later calls to build on.
#[derive(Default)]
struct Seen {
    states: Vec<String>,
    /// The session each of `states` was started in, empty for none.
    sessions: Vec<String>,
    ids: Vec<String>,
    /// Successful calls, per export.
    succeeded: [usize; 6],
}

fn remember(list: &mut Vec<String>, value: String) {
    if list.len() >= 64 {
        list.remove(0);
    }
    list.push(value);
}

fn base_url(rng: &mut Rng) -> Option<String> {
    match rng.below(4) {
        0 => None,
        1 => maybe(rng, text),
        _ => Some(rng.pick(BASE_URLS).to_owned()),
    }
}

fn profile_name(rng: &mut Rng) -> Option<String> {
    maybe(rng, |rng| {
        if rng.chance(4) {
            text(rng)
        } else {
            rng.pick(&["ci-failure-analysis", "secret-sync", "deployments", "engineering-metrics"])
                .to_owned()
        }
    })
}

fn known_or_random(rng: &mut Rng, known: &[String]) -> String {
    if !known.is_empty() && rng.chance(2) {
        known[rng.below(known.len())].clone()
    } else {
        text(rng)
    }
}

impl Checker {
    fn connection(&self, export: &str, connection: &wit::Connection) {
        assert!(!connection.id.is_empty(), "{export}: an empty id");
        assert!(
            connection.scopes.granted.is_some() || connection.scopes.missing.is_empty(),
            "{export}: missing scopes without knowing the granted ones: {connection:?}"
        );
    }

    fn report(&self, export: &str, input: &str, report: &wit::ConnectionReport) {
        assert!(!report.checks.is_empty(), "{export}: an empty report for {}", excerpt(input));
        let failed = report.checks.iter().any(|check| check.status == wit::CheckStatus::Fail);
        assert_eq!(report.ok, !failed, "{export}: ok disagrees with the checks");
        self.connection(export, &report.connection);
        if report.connection.status == wit::ConnectionStatus::NeedsReauthorization {
            assert!(!report.ok, "{export}: a connection needing the person in a passing report");
        }
        for check in &report.checks {
            if let Some(code) = &check.code {
                assert!(self.codes.contains(code), "{export}: check code {code:?}");
                assert_eq!(check.guidance.as_ref().map(|g| &g.code), Some(code));
            }
        }
    }
}

fn call_flows(
    plugin: &mut Plugin,
    checker: &mut Checker,
    rng: &mut Rng,
    seen: &mut Seen,
    export: usize,
) {
    match export {
        0 => {
            // Mostly well-formed, so that connect-finish has pending authorizations to finish.
            let plausible = !rng.chance(4);
            let request = wit::ConnectStartRequest {
                provider: provider(rng),
                base_url: base_url(rng),
                client_id: if plausible { "client-123".into() } else { text(rng) },
                client_secret: maybe(rng, text),
                redirect_uri: if plausible || rng.chance(2) {
                    "https://app.example.com/cb".into()
                } else {
                    text(rng)
                },
                profile: if plausible { None } else { profile_name(rng) },
                scopes: maybe(rng, |rng| {
                    (0..rng.below(4)).map(|_| rng.pick(SCOPE_WORDS).to_owned()).collect()
                }),
                pkce: maybe(rng, |rng| rng.chance(2)),
                root_namespace_id: None,
                session: maybe(rng, text),
                connection_id: maybe(rng, text),
            };
            let shown = format!("{request:?}");
            let result = no_trap!("connect-start", shown, plugin.connect_start(&request));
            if let Some(started) = checker.result("connect-start", &shown, result) {
                assert!(started.url.contains(&started.state), "{shown}");
                seen.succeeded[0] += 1;
                remember(&mut seen.states, started.state);
                remember(&mut seen.sessions, request.session.unwrap_or_default());
            }
        }
        1 => {
            let mut session = maybe(rng, text);
            let callback = if !seen.states.is_empty() && !rng.chance(4) {
                let at = rng.below(seen.states.len());
                let state = seen.states.swap_remove(at);
                let started_in = seen.sessions.swap_remove(at);
                if !rng.chance(4) {
                    // Mostly the session that started it, so that the rest of the flow runs.
                    session = Some(started_in).filter(|s| !s.is_empty());
                }
                let mut url = format!("https://app.example.com/cb?state={state}");
                if rng.chance(3) {
                    for _ in 0..rng.below(3) {
                        url.push_str(&format!("&{}={}", rng.pick(PARAMS), rng.pick(VALUES)));
                    }
                }
                if !rng.chance(4) {
                    url.push_str("&code=the-code");
                }
                url
            } else if rng.chance(2) {
                callback_like(rng)
            } else {
                text(rng)
            };
            let shown = format!("{callback} {session:?}");
            let result = no_trap!(
                "connect-finish",
                shown,
                plugin.connect_finish(&callback, session.as_deref())
            );
            if let Some(connection) = checker.result("connect-finish", &shown, result) {
                checker.connection("connect-finish", &connection);
                seen.succeeded[1] += 1;
                remember(&mut seen.ids, connection.id);
            }
        }
        2 => {
            let request = wit::ConnectWithTokenRequest {
                provider: provider(rng),
                base_url: base_url(rng),
                token: if rng.chance(4) {
                    text(rng)
                } else {
                    format!("{}{}", rng.pick(TOKEN_PREFIXES), alphanumeric(rng, 20))
                },
                username: maybe(rng, text),
                profile: profile_name(rng),
            };
            let shown = format!("{request:?}");
            let result = no_trap!("connect-with-token", shown, plugin.connect_with_token(&request));
            if let Some(connection) = checker.result("connect-with-token", &shown, result) {
                checker.connection("connect-with-token", &connection);
                seen.succeeded[2] += 1;
                remember(&mut seen.ids, connection.id);
            }
        }
        3 => {
            let id = known_or_random(rng, &seen.ids);
            let result = no_trap!("access-token", id, plugin.access_token(&id));
            if let Some(token) = checker.result("access-token", &id, result) {
                assert!(!token.is_empty(), "access-token: an empty token");
                seen.succeeded[3] += 1;
            }
        }
        4 => {
            let id = known_or_random(rng, &seen.ids);
            let result = no_trap!("test-connection", id, plugin.test_connection(&id));
            if let Some(report) = checker.result("test-connection", &id, result) {
                checker.report("test-connection", &id, &report);
                seen.succeeded[4] += 1;
            }
        }
        _ => {
            // Disconnect a known connection only now and then, so the others live on.
            let id = if rng.chance(4) { known_or_random(rng, &seen.ids) } else { text(rng) };
            let result = no_trap!("disconnect", id, plugin.disconnect(&id));
            if checker.result("disconnect", &id, result).is_some() {
                seen.ids.retain(|known| *known != id);
                seen.succeeded[5] += 1;
            }
        }
    }
}

#[test]
fn random_providers_and_flaky_storage_never_trap_the_flows() {
    let seed = seed() ^ 0x0066_6c6f_7773;
    let mut rng = Rng::new(seed);
    let clock = common::ManualClock::at(1_795_305_600);
    let provider = Arc::new(RandomProvider::new(seed ^ 1));
    let fetch = move |request: wit::Request| provider.answer(&request);
    let store = FlakyStore { inner: MemoryStore::new(), rng: Mutex::new(Rng::new(seed ^ 2)) };
    let state = HostState::new(fetch, None)
        .with_storage(store)
        .with_encryption_key(common::test_key())
        .with_clock(clock.clone());
    let mut plugin = common::runtime().instantiate(state).expect("the component instantiates");
    let mut checker = checker(&mut plugin);
    let mut seen = Seen::default();
    for _ in 0..PER_EXPORT {
        for export in 0..6 {
            call_flows(&mut plugin, &mut checker, &mut rng, &mut seen, export);
        }
        // Hours pass now and then: tokens expire, refreshes and leases come into play.
        if rng.chance(20) {
            clock.advance(rng.below(4 * 3600) as i64);
        }
    }
    let calls = PER_EXPORT * 6;
    assert!(
        checker.failures > calls / 10,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
    // The random provider must also let calls through, or the flows would only ever be
    // tested on their first error.
    eprintln!("successful calls per flows export: {:?}", seen.succeeded);
    assert!(seen.succeeded.iter().all(|&count| count > 20), "{:?}", seen.succeeded);
}

// The `webhooks` interface, and the webhook flows.

fn repository_list_text(rng: &mut Rng) -> String {
    if rng.chance(200) {
        return huge(rng);
    }
    (0..rng.below(12))
        .map(|_| match rng.below(6) {
            0 => url_like(rng),
            1 => small_text(rng),
            2 => format!("{}/{}", alphanumeric(rng, 5), alphanumeric(rng, 5)),
            3 => format!("  # {}", small_text(rng)),
            4 => rng
                .pick(&[
                    "group/sub/project",
                    "GROUP/Project",
                    "a//b",
                    "/x/y/",
                    "git@github.com:o/r.git",
                    "https://github.com/o/r/tree/main",
                    "..",
                    "a/b/../c",
                ])
                .to_owned(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(rng.pick(&["\n", "\r\n", "\r", "\n\n"]))
}

fn call_webhooks(plugin: &mut Plugin, checker: &mut Checker, rng: &mut Rng, export: usize) {
    let headers = webhook_headers(rng);
    match export {
        0 => {
            let shown = format!("{headers:?}");
            let result = no_trap!("identify-webhook", shown, plugin.identify_webhook(&headers));
            if let Some(identity) = checker.result("identify-webhook", &shown, result) {
                assert!(!identity.event.is_empty() || headers.iter().any(|(_, v)| v.is_empty()));
            }
        }
        1 => {
            let body = webhook_body(rng);
            let secrets = secrets(rng);
            let options = wit::VerifyOptions {
                now: maybe(rng, instant),
                tolerance_seconds: maybe(rng, instant),
                allow_unsigned: rng.chance(5),
                allow_sha1: rng.chance(3),
            };
            let shown = format!("{headers:?} {options:?} {}", String::from_utf8_lossy(&body));
            let result = no_trap!(
                "verify-webhook",
                shown,
                plugin.verify_webhook(&headers, &body, &secrets, options)
            );
            if let Some(verified) = checker.result("verify-webhook", &shown, result) {
                let index = verified.secret_index.map(|index| index as usize);
                assert!(index.is_none_or(|index| index < secrets.len()), "{shown}");
                assert_eq!(index.is_none(), verified.scheme == wit::SignatureScheme::Unsigned);
            }
        }
        2 => {
            let body = webhook_body(rng);
            let shown = format!("{headers:?} {}", String::from_utf8_lossy(&body));
            let result = no_trap!("parse-webhook", shown, plugin.parse_webhook(&headers, &body));
            if let Some(event) = checker.result("parse-webhook", &shown, result) {
                assert!(!event.dedupe_key.is_empty(), "{shown}");
            }
        }
        _ => {
            let text = repository_list_text(rng);
            let base_url = base_url(rng);
            let shown = format!("{base_url:?} {text}");
            let list = no_trap!(
                "parse-repository-list",
                shown,
                plugin.parse_repository_list(&text, base_url.as_deref())
            );
            let diagnostics: Vec<wit::Diagnostic> =
                list.diagnostics.iter().map(|line| line.diagnostic.clone()).collect();
            checker.diagnostics("parse-repository-list", &shown, &diagnostics);
            let lines = text.lines().count();
            for line in &list.diagnostics {
                assert!(line.line >= 1 && line.line as usize <= lines, "{shown}");
            }
            let unique: BTreeSet<String> =
                list.repositories.iter().map(|r| r.to_ascii_lowercase()).collect();
            assert_eq!(unique.len(), list.repositories.len(), "repeats removed: {shown}");
        }
    }
}

#[test]
fn random_deliveries_to_the_webhook_functions_never_trap() {
    let mut rng = Rng::new(seed() ^ 0x7765_6268_6f6f_6b73);
    let mut plugin = common::plugin();
    let mut checker = checker(&mut plugin);
    for _ in 0..PER_EXPORT {
        for export in 0..4 {
            call_webhooks(&mut plugin, &mut checker, &mut rng, export);
        }
    }
    let calls = PER_EXPORT * 4;
    assert!(
        checker.failures > calls / 10,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
}

impl Checker {
    fn registrations(&self, export: &str, input: &str, results: &[wit::RegistrationResult]) {
        for result in results {
            if let Some(code) = &result.code {
                assert!(self.codes.contains(code), "{export}: code {code:?}; input {input}");
                assert_eq!(result.guidance.as_ref().map(|g| &g.code), Some(code), "{export}");
            }
            if result.status == wit::RegistrationStatus::Failed {
                assert!(result.code.is_some(), "{export}: a failure without a code: {result:?}");
            }
        }
    }
}

/// Where a fuzzed delivery claims to have arrived: a registered hook's URL or its route id,
/// a made-up route, or anything at all.
fn route(rng: &mut Rng, routes: &[String]) -> String {
    match rng.below(6) {
        0 | 1 if !routes.is_empty() => routes[rng.below(routes.len())].clone(),
        2 if !routes.is_empty() => {
            let url = &routes[rng.below(routes.len())];
            url.rsplit('/').next().unwrap_or_default().to_owned()
        }
        3 => format!("{RECEIVER}/{}", alphanumeric(rng, 22)),
        4 => url_like(rng),
        _ => text(rng),
    }
}

fn call_webhook_flows(
    plugin: &mut Plugin,
    checker: &mut Checker,
    rng: &mut Rng,
    (ids, routes): (&[String], &[String]),
    export: usize,
) {
    match export {
        0 => {
            let id = known_or_random(rng, ids);
            let options = wit::DiscoverOptions {
                search: maybe(rng, small_text),
                cursor: maybe(
                    rng,
                    |rng| {
                        if rng.chance(2) {
                            url_like(rng)
                        } else {
                            small_text(rng)
                        }
                    },
                ),
                exclude: (0..rng.below(4))
                    .map(|_| {
                        if rng.chance(2) {
                            rng.pick(&["*", "**", "**/app", "group/*", "?", "***", "a/**/b"])
                                .to_owned()
                        } else {
                            small_text(rng)
                        }
                    })
                    .collect(),
            };
            let shown = format!("{id} {options:?}");
            let result =
                no_trap!("discover-projects", shown, plugin.discover_projects(&id, &options));
            if let Some(page) = checker.result("discover-projects", &shown, result) {
                assert!(page.projects.iter().all(|p| !p.path.is_empty()), "{shown}");
                for project in &page.projects {
                    if let Some(guidance) = &project.guidance {
                        assert!(checker.codes.contains(&guidance.code), "{shown}");
                        assert!(project.sha256, "guidance only for SHA-256: {shown}");
                    }
                }
            }
        }
        1 => {
            let id = known_or_random(rng, ids);
            let request = wit::RegisterWebhooksRequest {
                projects: (0..rng.below(4))
                    .map(|_| {
                        if rng.chance(3) {
                            small_text(rng)
                        } else {
                            rng.pick(&["octo/repo", "group/sub/app", "PROJ/repo", "w/r"]).to_owned()
                        }
                    })
                    .collect(),
                url: if rng.chance(3) { text(rng) } else { RECEIVER.into() },
                profile: profile_name(rng).unwrap_or_default(),
            };
            let shown = format!("{id} {request:?}");
            let result =
                no_trap!("register-webhooks", shown, plugin.register_webhooks(&id, &request));
            if let Some(results) = checker.result("register-webhooks", &shown, result) {
                checker.registrations("register-webhooks", &shown, &results);
            }
        }
        2 => {
            let id = known_or_random(rng, ids);
            let projects: Option<Vec<String>> =
                maybe(rng, |rng| (0..rng.below(3)).map(|_| small_text(rng)).collect());
            let shown = format!("{id} {projects:?}");
            let result = no_trap!(
                "unregister-webhooks",
                shown,
                plugin.unregister_webhooks(&id, projects.as_deref())
            );
            if let Some(results) = checker.result("unregister-webhooks", &shown, result) {
                checker.registrations("unregister-webhooks", &shown, &results);
            }
        }
        3 => {
            let headers = webhook_headers(rng);
            let body = webhook_body(rng);
            let options = wit::ReceiveOptions {
                dedupe_seconds: maybe(rng, instant),
                handling_seconds: maybe(rng, instant),
                allow_unsigned_ping: rng.chance(3),
                tolerance_seconds: maybe(rng, instant),
            };
            let route = route(rng, routes);
            let shown =
                format!("{route} {headers:?} {options:?} {}", String::from_utf8_lossy(&body));
            let result = no_trap!(
                "receive-webhook",
                shown,
                plugin.receive_webhook(&route, &headers, &body, options)
            );
            if let Some(receipt) = checker.result("receive-webhook", &shown, result) {
                let rejected = receipt.status == wit::ReceiptStatus::Rejected;
                assert_eq!(rejected, receipt.event.is_none(), "{shown}");
                assert_eq!(rejected, receipt.connection_id.is_none(), "{shown}");
                assert_eq!(rejected, receipt.project.is_none(), "{shown}");
                if let Some(code) = &receipt.code {
                    assert!(checker.codes.contains(code), "receive-webhook: code {code:?}");
                }
            }
        }
        4 => {
            let id = known_or_random(rng, ids);
            let options = poll_options(rng);
            let shown = format!("{id} {options:?}");
            let result = no_trap!("poll-events", shown, plugin.poll_events(&id, &options));
            if let Some(result) = checker.result("poll-events", &shown, result) {
                checker.poll_result(&shown, &options, &result);
                checker.synced[0] += 1;
            }
        }
        _ => {
            let id = known_or_random(rng, ids);
            let request = post_feedback_request(rng);
            let shown = format!("{id} {request:?}");
            let result = no_trap!("post-feedback", shown, plugin.post_feedback(&id, &request));
            if let Some(result) = checker.result("post-feedback", &shown, result) {
                checker.synced[1] += 1;
                assert!(!result.comment_id.is_empty(), "{shown}");
                for skipped in &result.skipped {
                    if let Some(code) = &skipped.code {
                        assert!(checker.codes.contains(code), "post-feedback: code {code:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn random_providers_and_flaky_storage_never_trap_the_webhook_flows() {
    let seed = seed() ^ 0x686f_6f6b_666c_6f77;
    let mut rng = Rng::new(seed);
    let clock = common::ManualClock::at(1_795_305_600);
    let random = Arc::new(RandomProvider::new(seed ^ 1));
    let fetch = {
        let random = Arc::clone(&random);
        move |request: wit::Request| random.answer(&request)
    };
    let store = FlakyStore { inner: MemoryStore::new(), rng: Mutex::new(Rng::new(seed ^ 2)) };
    let state = HostState::new(fetch, None)
        .with_storage(store)
        .with_encryption_key(common::test_key())
        .with_clock(clock.clone());
    let mut plugin = common::runtime().instantiate(state).expect("the component instantiates");
    let mut checker = checker(&mut plugin);
    let mut ids = Vec::new();
    for round in 0..PER_EXPORT {
        // Connections for the flows to work on, now and then, over the same random provider.
        if round % 50 == 0 || ids.is_empty() && round % 5 == 0 {
            let request = wit::ConnectWithTokenRequest {
                provider: provider(&mut rng),
                base_url: base_url(&mut rng),
                token: format!("{}{}", rng.pick(TOKEN_PREFIXES), alphanumeric(&mut rng, 20)),
                username: Some("ada".into()),
                profile: None,
            };
            if let Ok(Ok(connection)) = plugin.connect_with_token(&request) {
                remember(&mut ids, connection.id);
            }
        }
        for export in 0..6 {
            let routes = random.routes();
            call_webhook_flows(&mut plugin, &mut checker, &mut rng, (&ids, &routes), export);
        }
        if rng.chance(20) {
            clock.advance(rng.below(4 * 3600) as i64);
        }
    }
    assert!(!ids.is_empty(), "no connection for the webhook flows to work on");
    eprintln!("successful poll-events and post-feedback calls: {:?}", checker.synced);
    assert!(checker.synced.iter().all(|&count| count > 20), "{:?}", checker.synced);
    let calls = PER_EXPORT * 6;
    assert!(
        checker.failures > calls / 10,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
}

// Hook registration, polling and feedback: the rest of `webhooks`, and `polling` and
// `feedback`.

fn instance(rng: &mut Rng) -> wit::Instance {
    wit::Instance { provider: provider(rng), base_url: base_url(rng) }
}

fn project_path(rng: &mut Rng) -> String {
    if rng.chance(4) {
        text(rng)
    } else {
        rng.pick(&["octo/repo", "group/sub/app", "PROJ/repo", "w/r", "a", "/a/b/", "a//b", ""])
            .to_owned()
    }
}

fn token(rng: &mut Rng) -> String {
    if rng.chance(4) {
        small_text(rng)
    } else {
        format!("{}{}", rng.pick(TOKEN_PREFIXES), alphanumeric(rng, 20))
    }
}

fn hook_spec(rng: &mut Rng) -> wit::HookSpec {
    wit::HookSpec {
        url: if rng.chance(3) { text(rng) } else { "https://app.example/hooks".into() },
        secret: small_text(rng),
        signing_secret: match rng.below(3) {
            0 => None,
            1 => Some(small_text(rng)),
            _ => Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=".into()),
        },
        events: (0..rng.below(4))
            .map(|_| {
                if rng.chance(3) {
                    small_text(rng)
                } else {
                    rng.pick(&["push", "pipeline_events", "repo:refs_changed", "workflow_run"])
                        .to_owned()
                }
            })
            .collect(),
    }
}

fn poll_resource(rng: &mut Rng) -> wit::PollResource {
    match rng.below(7) {
        0 => wit::PollResource::Pipelines,
        1 => wit::PollResource::Jobs(if rng.chance(2) { "47".into() } else { small_text(rng) }),
        5 => wit::PollResource::Pipeline(wit::ListedPipeline {
            id: if rng.chance(2) { "47".into() } else { small_text(rng) },
            updated_at: maybe(rng, small_text),
        }),
        2 => wit::PollResource::MergeRequests,
        3 => wit::PollResource::Pushes,
        4 => wit::PollResource::Branches,
        _ => wit::PollResource::CommitStatuses(if rng.chance(2) {
            "abc".into()
        } else {
            small_text(rng)
        }),
    }
}

fn poll_response(rng: &mut Rng) -> wit::Response {
    let mut response = response(rng);
    if rng.chance(2) {
        let mut body = rng.pick(POLL_BODIES).as_bytes().to_vec();
        if rng.chance(3) && !body.is_empty() {
            let at = rng.below(body.len());
            body[at] = rng.next() as u8;
        }
        response.body = body;
        if rng.chance(2) {
            response.status = 200;
        }
    }
    response
}

fn comment_response(rng: &mut Rng) -> wit::Response {
    let mut response = response(rng);
    if rng.chance(2) {
        response.body = rng.pick(COMMENT_BODIES).as_bytes().to_vec();
        if rng.chance(2) {
            response.status = rng.pick(&[200, 201, 403, 404, 410, 423]);
        }
    }
    response
}

fn location(rng: &mut Rng) -> wit::FeedbackLocation {
    match rng.below(4) {
        0 => wit::FeedbackLocation::MergeRequest(rng.next() % 1000),
        1 => wit::FeedbackLocation::Commit(small_text(rng)),
        2 => wit::FeedbackLocation::Issue(rng.next()),
        _ => wit::FeedbackLocation::NewIssue(small_text(rng)),
    }
}

fn comment(rng: &mut Rng) -> wit::Comment {
    wit::Comment {
        id: if rng.chance(2) { (rng.next() % 100).to_string() } else { small_text(rng) },
        body: small_text(rng),
        url: maybe(rng, small_text),
        discussion_id: maybe(rng, small_text),
        version: maybe(rng, |rng| rng.next()),
    }
}

fn status(rng: &mut Rng) -> wit::Status {
    rng.pick(&[
        wit::Status::Pending,
        wit::Status::Running,
        wit::Status::Success,
        wit::Status::Failure,
        wit::Status::Canceled,
        wit::Status::Skipped,
        wit::Status::Manual,
    ])
}

fn webhook_event(rng: &mut Rng) -> wit::WebhookEvent {
    let some = |rng: &mut Rng| if rng.chance(3) { small_text(rng) } else { "abc".to_owned() };
    wit::WebhookEvent {
        provider: provider(rng),
        kind: rng.pick(&[
            wit::EventKind::Push,
            wit::EventKind::TagPush,
            wit::EventKind::MergeRequest,
            wit::EventKind::Pipeline,
            wit::EventKind::Job,
            wit::EventKind::CommitStatus,
            wit::EventKind::Ping,
            wit::EventKind::Other,
        ]),
        event: small_text(rng),
        action: maybe(rng, small_text),
        delivery_id: maybe(rng, small_text),
        dedupe_key: small_text(rng),
        state_key: maybe(rng, small_text),
        repository: maybe(rng, |rng| wit::Repository {
            id: maybe(rng, some),
            full_path: maybe(rng, project_path),
            web_url: maybe(rng, url_like),
            default_branch: maybe(rng, some),
        }),
        sender: None,
        ref_: maybe(rng, |rng| {
            if rng.chance(2) {
                "refs/heads/main".to_owned()
            } else {
                small_text(rng)
            }
        }),
        commit_sha: maybe(rng, some),
        merge_request: maybe(rng, |rng| wit::MergeRequest {
            number: maybe(rng, |rng| rng.next()),
            title: maybe(rng, small_text),
            state: maybe(rng, small_text),
            source_branch: None,
            target_branch: None,
            url: None,
        }),
        pipeline: maybe(rng, |rng| wit::Pipeline {
            id: maybe(rng, some),
            attempt: maybe(rng, |rng| rng.below(4) as u64),
            status: status(rng),
            raw_status: small_text(rng),
            ref_: None,
            sha: None,
            url: None,
            started_at: maybe(rng, small_text),
            finished_at: None,
        }),
        job: maybe(rng, |rng| wit::Job {
            id: maybe(rng, some),
            name: None,
            stage: None,
            status: status(rng),
            raw_status: small_text(rng),
            failure_reason: None,
            url: None,
            pipeline_id: maybe(rng, some),
        }),
        commit_status: maybe(rng, |rng| wit::CommitStatus {
            state: status(rng),
            raw_state: small_text(rng),
            key: maybe(rng, small_text),
            url: None,
        }),
    }
}

fn poll_options(rng: &mut Rng) -> wit::PollOptions {
    wit::PollOptions {
        projects: (0..rng.below(3)).map(|_| project_path(rng)).collect(),
        since: maybe(rng, instant),
        cursor: maybe(rng, |rng| if rng.chance(2) { "e30".to_owned() } else { small_text(rng) }),
        lookback_days: maybe(rng, |rng| rng.pick(&[0, 1, 30, u32::MAX])),
        mode: maybe(rng, |rng| {
            rng.pick(&[wit::SyncMode::Webhook, wit::SyncMode::Polling, wit::SyncMode::Hybrid])
        }),
        interval_seconds: maybe(rng, |rng| rng.pick(&[0, 1, 60, u32::MAX])),
        max_requests: maybe(rng, |rng| rng.pick(&[0, 1, 3, 100, u32::MAX])),
    }
}

fn feedback_target(rng: &mut Rng) -> wit::FeedbackTarget {
    rng.pick(&[
        wit::FeedbackTarget::MergeRequest,
        wit::FeedbackTarget::Commit,
        wit::FeedbackTarget::Issue,
    ])
}

fn post_feedback_request(rng: &mut Rng) -> wit::PostFeedbackRequest {
    wit::PostFeedbackRequest {
        project: project_path(rng),
        merge_request: maybe(rng, |rng| rng.next() % 100),
        commit_sha: maybe(rng, |rng| if rng.chance(2) { "abc".into() } else { small_text(rng) }),
        issue: maybe(rng, |rng| rng.next() % 100),
        issue_title: maybe(rng, small_text),
        body: if rng.chance(5) { String::new() } else { text(rng) },
        key: maybe(rng, small_text),
        policy: maybe(rng, |rng| wit::FeedbackPolicy {
            order: (0..rng.below(4)).map(|_| feedback_target(rng)).collect(),
            update_existing: rng.chance(2),
        }),
    }
}

impl Checker {
    fn poll_result(&self, input: &str, options: &wit::PollOptions, result: &wit::PollResult) {
        let disabled = result.status == wit::PollStatus::Disabled;
        let expected = if disabled { 0 } else { options.projects.len() };
        assert_eq!(result.projects.len(), expected, "poll-events: {input}");
        for project in &result.projects {
            if let Some(code) = &project.code {
                assert!(self.codes.contains(code), "poll-events: code {code:?}");
                assert_eq!(project.guidance.as_ref().map(|g| &g.code), Some(code));
            }
        }
        for event in &result.events {
            assert!(event.state_key.is_some(), "poll-events: an event without a state key");
        }
        assert_eq!(disabled, result.next_poll_at.is_none(), "poll-events: {input}");
    }
}

fn call_sync(plugin: &mut Plugin, checker: &mut Checker, rng: &mut Rng, export: usize) {
    match export {
        0..=3 => {
            let (instance, token, project) = (instance(rng), token(rng), project_path(rng));
            let shown = format!("{instance:?} {project:?}");
            let result = match export {
                0 => {
                    let spec = hook_spec(rng);
                    no_trap!(
                        "prepare-create-hook",
                        shown,
                        plugin.prepare_create_hook(&instance, &token, &project, &spec)
                    )
                }
                1 => {
                    let (hook_id, spec) = (small_text(rng), hook_spec(rng));
                    no_trap!(
                        "prepare-update-hook",
                        shown,
                        plugin.prepare_update_hook(&instance, &token, &project, &hook_id, &spec)
                    )
                }
                2 => {
                    let hook_id = small_text(rng);
                    no_trap!(
                        "prepare-delete-hook",
                        shown,
                        plugin.prepare_delete_hook(&instance, &token, &project, &hook_id)
                    )
                }
                _ => no_trap!(
                    "prepare-list-hooks",
                    shown,
                    plugin.prepare_list_hooks(&instance, &token, &project)
                ),
            };
            if let Some(request) = checker.result("prepare-*-hook", &shown, result) {
                assert!(request.url.starts_with("http"), "{shown}: {}", request.url);
            }
        }
        4 => {
            let (provider, response) = (provider(rng), comment_response(rng));
            let shown = format!("{provider:?} {}", String::from_utf8_lossy(&response.body));
            let result = no_trap!("parse-hook", shown, plugin.parse_hook(provider, &response));
            checker.result("parse-hook", &shown, result);
        }
        5 => {
            let (provider, response, url) = (provider(rng), poll_response(rng), url_like(rng));
            let shown = format!("{provider:?} {url} {}", String::from_utf8_lossy(&response.body));
            let result = no_trap!(
                "parse-hook-list",
                shown,
                plugin.parse_hook_list(provider, &url, &response)
            );
            checker.result("parse-hook-list", &shown, result);
        }
        6 => {
            let request = wit::ManualWebhookSetupRequest {
                provider: provider(rng),
                base_url: base_url(rng),
                project: project_path(rng),
                url: if rng.chance(3) { text(rng) } else { RECEIVER.into() },
                profile: profile_name(rng).unwrap_or_default(),
            };
            let shown = format!("{request:?}");
            let result =
                no_trap!("manual-webhook-setup", shown, plugin.manual_webhook_setup(&request));
            if let Some(setup) = checker.result("manual-webhook-setup", &shown, result) {
                assert_eq!(setup.secret.len(), 43, "{shown}");
                assert!(!setup.steps.is_empty(), "{shown}");
            }
        }
        7 => {
            let resources = no_trap!("poll-resources", "", plugin.poll_resources(provider(rng)));
            assert!(!resources.is_empty());
        }
        8 | 9 => {
            let (instance, token, project, since) =
                (instance(rng), token(rng), project_path(rng), instant(rng));
            let shown = format!("{instance:?} {project:?} {since}");
            if export == 8 {
                let resource = poll_resource(rng);
                let result = no_trap!(
                    "prepare-poll-request",
                    shown,
                    plugin.prepare_poll_request(&instance, &token, &project, &resource, since)
                );
                if let Some(request) = checker.result("prepare-poll-request", &shown, result) {
                    assert_eq!(request.method, "GET", "{shown}");
                }
            } else {
                let result = no_trap!(
                    "prepare-poll-requests",
                    shown,
                    plugin.prepare_poll_requests(&instance, &token, &project, since)
                );
                if let Some(requests) = checker.result("prepare-poll-requests", &shown, result) {
                    assert!(!requests.is_empty(), "{shown}");
                }
            }
        }
        10 => {
            let (instance, project, resource) =
                (instance(rng), project_path(rng), poll_resource(rng));
            let (url, response) = (url_like(rng), poll_response(rng));
            let (since, now) = (instant(rng), instant(rng));
            let shown = format!(
                "{instance:?} {project:?} {resource:?} {url} {} {}",
                response.status,
                String::from_utf8_lossy(&response.body)
            );
            let result = no_trap!(
                "parse-poll-response",
                shown,
                plugin.parse_poll_response(
                    &instance, &project, &resource, &url, &response, since, now
                )
            );
            if let Some(page) = checker.result("parse-poll-response", &shown, result) {
                for event in &page.events {
                    assert!(event.state_key.is_some(), "{shown}");
                }
            }
        }
        11 => {
            let (response, now) = (response(rng), instant(rng));
            let shown = format!("{:?}", response.headers);
            no_trap!("read-rate-limit", shown, plugin.read_rate_limit(&response, now));
        }
        12 => {
            let event = webhook_event(rng);
            let shown = format!("{event:?}");
            let key = no_trap!("state-key", shown, plugin.state_key(&event));
            if let Some(key) = key {
                assert!(!key.is_empty(), "{shown}");
            }
        }
        13 => {
            let (key, body) = (text(rng), small_text(rng));
            let marker = no_trap!("feedback-marker", key, plugin.feedback_marker(&key));
            assert!(marker.starts_with("<!--") && marker.ends_with("-->"), "{marker}");
            assert_eq!(marker.matches("-->").count(), 1, "{}", excerpt(&key));
            let given = maybe(rng, |_| key.clone());
            let printed =
                no_trap!("feedback-body", body, plugin.feedback_body(&body, given.as_deref()));
            if given.is_some() {
                assert!(printed.ends_with(&marker), "{}", excerpt(&key));
            }
        }
        14 => {
            let mut comments: Vec<wit::Comment> = (0..rng.below(4)).map(|_| comment(rng)).collect();
            let key = small_text(rng);
            if rng.chance(2) {
                let body = plugin.feedback_body("x", Some(&key)).expect("no trap");
                comments.push(wit::Comment { body, ..comment(rng) });
            }
            let shown = format!("{key:?} {comments:?}");
            let found = no_trap!("find-feedback", shown, plugin.find_feedback(&comments, &key));
            if let Some(found) = found {
                assert!(comments.iter().any(|c| c.id == found.id), "{shown}");
            }
        }
        15..=17 => {
            let (instance, token, project, location) =
                (instance(rng), token(rng), project_path(rng), location(rng));
            let shown = format!("{instance:?} {project:?} {location:?}");
            let result = match export {
                15 => no_trap!(
                    "prepare-list-comments",
                    shown,
                    plugin.prepare_list_comments(&instance, &token, &project, &location)
                ),
                16 => {
                    let body = text(rng);
                    no_trap!(
                        "prepare-create-comment",
                        shown,
                        plugin
                            .prepare_create_comment(&instance, &token, &project, &location, &body)
                    )
                }
                _ => {
                    let (existing, body) = (comment(rng), small_text(rng));
                    no_trap!(
                        "prepare-update-comment",
                        shown,
                        plugin.prepare_update_comment(
                            &instance, &token, &project, &location, &existing, &body
                        )
                    )
                }
            };
            if let Some(request) = checker.result("prepare-*-comment", &shown, result) {
                assert!(["GET", "POST", "PUT", "PATCH"].contains(&request.method.as_str()));
            }
        }
        18 => {
            let (provider, location, response) =
                (provider(rng), location(rng), comment_response(rng));
            let shown =
                format!("{provider:?} {location:?} {}", String::from_utf8_lossy(&response.body));
            let result = no_trap!(
                "parse-comment",
                shown,
                plugin.parse_comment(provider, &location, &response)
            );
            checker.result("parse-comment", &shown, result);
        }
        _ => {
            let (provider, location, response) =
                (provider(rng), location(rng), comment_response(rng));
            let url = url_like(rng);
            let shown = format!(
                "{provider:?} {location:?} {url} {}",
                String::from_utf8_lossy(&response.body)
            );
            let result = no_trap!(
                "parse-comment-list",
                shown,
                plugin.parse_comment_list(provider, &location, &url, &response)
            );
            checker.result("parse-comment-list", &shown, result);
        }
    }
}

#[test]
fn random_inputs_to_the_registration_polling_and_feedback_functions_never_trap() {
    let mut rng = Rng::new(seed() ^ 0x7379_6e63_6564);
    let mut plugin = common::plugin();
    let mut checker = checker(&mut plugin);
    for _ in 0..PER_EXPORT {
        for export in 0..20 {
            call_sync(&mut plugin, &mut checker, &mut rng, export);
        }
    }
    let calls = PER_EXPORT * 20;
    assert!(
        checker.failures > calls / 10,
        "only {} coded errors in {calls} calls",
        checker.failures
    );
}
