//! The component's flows and token functions against a real OAuth 2.0 authorization server
//! (`tests/oauth-server/`: oidc-provider as a GitLab self-managed instance under `/gitlab`),
//! over real HTTP, and the `check` command against it.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Barrier};
use std::thread;

use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::http::HttpClient;
use forgelink_host::storage::FileStore;
use forgelink_host::{json, wit, HostState, Plugin};
use serde_json::Value;

use common::oauth_server::OAuthServer;
use common::{runtime, test_http_config, test_key, ShiftedClock};

/// A fresh, empty store directory for one test.
fn store(name: &str) -> FileStore {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oauth").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    FileStore::open(dir).expect("open the store")
}

/// An instance with real HTTP, `store`, the test key and `clock`.
fn instance(store: &FileStore, clock: Arc<dyn Clock>) -> Plugin {
    let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
    let state =
        HostState::new(http, Some(store.clone())).with_encryption_key(test_key()).with_clock(clock);
    runtime().instantiate(state).expect("the component instantiates")
}

/// The browser session the tests' authorizations are bound to.
const SESSION: &str = "session-cookie-value";

fn start_request(server: &OAuthServer) -> wit::ConnectStartRequest {
    wit::ConnectStartRequest {
        provider: wit::Provider::Gitlab,
        base_url: Some(server.base_url.clone()),
        client_id: server.client_id.clone(),
        client_secret: Some(server.client_secret.clone()),
        redirect_uri: server.redirect_uri.clone(),
        profile: Some("ci-failure-analysis".into()),
        scopes: Some(vec!["read_user".into()]),
        pkce: None,
        root_namespace_id: None,
        session: Some(SESSION.into()),
        connection_id: None,
    }
}

/// connect-start, the person's approval, connect-finish.
fn connect(plugin: &mut Plugin, server: &OAuthServer) -> wit::Connection {
    let started = plugin.connect_start(&start_request(server)).unwrap().expect("connect-start");
    let callback = server.approve(&started.url);
    plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect("connect-finish")
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// Every file of the store, so a test can look for plaintext secrets in it.
fn stored_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the store").flatten() {
        all.extend(std::fs::read(entry.path()).unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[test]
fn the_authorization_code_flow_through_the_component() {
    let server = OAuthServer::start();
    let store = store("authorization-code");
    let mut plugin = instance(&store, ShiftedClock::shared());

    let started = plugin.connect_start(&start_request(&server)).unwrap().expect("connect-start");
    assert!(
        started.url.starts_with(&format!("{}/oauth/authorize?", server.base_url)),
        "{}",
        started.url
    );
    assert!(started.url.contains("code_challenge_method=S256"), "{}", started.url);
    assert!(started.url.contains(&format!("state={}", started.state)), "{}", started.url);
    assert_eq!(keys(&json::connect_started(&started)), ["state", "url"].into());

    let callback = server.approve(&started.url);
    assert!(callback.starts_with(&server.redirect_uri), "{callback}");
    // The link finished in another browser is refused, and leaves the authorization usable.
    let elsewhere = plugin.connect_finish(&callback, Some("another-session")).unwrap();
    assert_eq!(elsewhere.expect_err("another session").code, "oauth.session_mismatch");
    let connection =
        plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect("connect-finish");
    assert_eq!(connection.provider, wit::Provider::Gitlab);
    assert_eq!(connection.base_url, server.base_url);
    assert_eq!(connection.account.username, "ada");
    assert_eq!(connection.account.id, "7");
    assert_eq!(connection.account.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(connection.server_version.as_deref(), Some("17.5.1-ee"));
    assert_eq!(connection.status, wit::ConnectionStatus::Active);
    let granted = connection.scopes.granted.clone().expect("GitLab tells the granted scopes");
    assert!(granted.iter().any(|scope| scope == "api"), "{granted:?}");
    assert!(connection.scopes.missing.is_empty(), "{:?}", connection.scopes);
    let now = SystemClock.now();
    let expires_at = connection.expires_at.expect("GitLab tokens expire");
    assert!((expires_at - (now + 7200)).abs() < 120, "expires at {expires_at}, now {now}");

    let printed = json::connection(&connection);
    assert_eq!(
        keys(&printed),
        ["account", "baseUrl", "expiresAt", "id", "provider", "scopes", "serverVersion", "status"]
            .into()
    );
    assert_eq!(keys(&printed["account"]), ["id", "name", "username", "webUrl"].into());
    assert_eq!(keys(&printed["scopes"]), ["granted", "missing"].into());
    assert_eq!(printed["status"], "active");

    // The state is single use: the same callback cannot connect twice.
    let replay =
        plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect_err("a replayed callback");
    assert_eq!(replay.code, "oauth.state_mismatch");

    let token = plugin.access_token(&connection.id).unwrap().expect("access-token");
    assert_eq!(server.api_status("/api/v4/user", &token), 200);
    assert!(!contains(&stored_bytes(store.dir()), &token), "the token is stored in plaintext");
    assert!(!contains(&stored_bytes(store.dir()), &server.client_secret));

    let report = plugin.test_connection(&connection.id).unwrap().expect("test-connection");
    assert!(report.ok, "{:#?}", report.checks);
    let names: Vec<&str> = report.checks.iter().map(|check| check.name.as_str()).collect();
    for name in ["reachability", "identity", "server-version", "scopes", "refresh-token"] {
        assert!(names.contains(&name), "no {name} check in {names:?}");
    }
    assert!(
        report.checks.iter().all(|check| check.status == wit::CheckStatus::Pass),
        "{report:#?}"
    );
    let printed = json::connection_report(&report);
    assert_eq!(keys(&printed), ["checks", "connection", "observed", "ok"].into());
    assert_eq!(
        (&printed["observed"], &printed["connection"]["status"]),
        (&Value::Bool(true), &Value::from("active"))
    );
    for check in printed["checks"].as_array().expect("checks") {
        assert!(keys(check).is_superset(&["message", "name", "status"].into()));
        assert!(keys(check).is_subset(&["code", "guidance", "message", "name", "status"].into()));
    }

    let stats = server.stats();
    assert_eq!(
        (stats["authorizationCode"].as_u64(), stats["refreshToken"].as_u64()),
        (Some(1), Some(0))
    );

    let disconnected = plugin.disconnect(&connection.id).unwrap().expect("disconnect");
    assert!(disconnected.revoked);
    assert!(disconnected.manual_steps.is_empty(), "{:?}", disconnected.manual_steps);
    assert!(disconnected.webhooks.is_empty(), "no hooks were registered");
    assert_eq!(
        keys(&json::disconnect_report(&disconnected)),
        ["manualSteps", "revoked", "webhooks"].into()
    );
    assert_eq!(server.stats()["revoked"], 1);
    assert_eq!(server.api_status("/api/v4/user", &token), 401);
    let gone = plugin.access_token(&connection.id).unwrap().expect_err("disconnected");
    assert_eq!(gone.code, "connection.not_found");
}

#[test]
fn two_instances_sharing_a_store_refresh_once() {
    let server = OAuthServer::start();
    let store = store("shared-refresh");
    let clock = ShiftedClock::shared();
    let mut first = instance(&store, clock.clone());
    let connection = connect(&mut first, &server);
    let original = first.access_token(&connection.id).unwrap().expect("access-token");

    let mut previous = original;
    for round in 1..=2u64 {
        // Past the access token's two hours on every instance's clock.
        clock.advance(7200);
        let barrier = Arc::new(Barrier::new(2));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (store, clock, barrier) = (store.clone(), clock.clone(), barrier.clone());
                let id = connection.id.clone();
                thread::spawn(move || {
                    let mut plugin = instance(&store, clock);
                    barrier.wait();
                    plugin.access_token(&id).unwrap().map_err(|error| error.code)
                })
            })
            .collect();
        let tokens: Vec<String> = workers
            .into_iter()
            .map(|worker| worker.join().expect("the worker").expect("access-token"))
            .collect();
        assert_eq!(tokens[0], tokens[1], "round {round}: both instances get the new token");
        assert_ne!(tokens[0], previous, "round {round}: the token was refreshed");
        assert_eq!(server.refresh_requests(), round, "round {round}: one refresh request");
        assert_eq!(server.api_status("/api/v4/user", &tokens[0]), 200);

        // Until it nears its expiry, the new token is handed out without another request.
        let again = first.access_token(&connection.id).unwrap().expect("access-token");
        assert_eq!(again, tokens[0]);
        assert_eq!(server.refresh_requests(), round);
        previous = tokens[0].clone();
    }
    let report = first.test_connection(&connection.id).unwrap().expect("test-connection");
    assert!(report.ok, "{report:#?}");
}

#[test]
fn a_revoked_refresh_token_needs_the_person_again() {
    let server = OAuthServer::start();
    let store = store("revoked-refresh");
    let clock = ShiftedClock::shared();
    let mut plugin = instance(&store, clock.clone());
    let connection = connect(&mut plugin, &server);

    assert!(server.revoke_refresh_tokens() >= 1);
    clock.advance(7200);
    let error = plugin.access_token(&connection.id).unwrap().expect_err("refused refresh");
    assert_eq!(error.code, "connection.needs_reauthorization");
    assert_eq!(error.guidance.code, error.code);
    assert!(error.provider_detail.is_some(), "the provider's refusal is kept: {error:?}");
    assert_eq!(server.refresh_requests(), 1);

    // Marked in storage: later calls fail the same way without asking the provider again.
    let again = plugin.access_token(&connection.id).unwrap().expect_err("still refused");
    assert_eq!(again.code, "connection.needs_reauthorization");
    assert_eq!(server.refresh_requests(), 1);

    let report = plugin.test_connection(&connection.id).unwrap().expect("a report");
    assert!(!report.ok);
    let failed: Vec<_> =
        report.checks.iter().filter(|check| check.status == wit::CheckStatus::Fail).collect();
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].code.as_deref(), Some("connection.needs_reauthorization"));
    assert!(failed[0].guidance.as_ref().is_some_and(|g| !g.steps.is_empty()));
}

#[test]
fn scopes_the_person_withheld_are_reported_missing() {
    let server = OAuthServer::start();
    let store = store("withheld-scopes");
    let mut plugin = instance(&store, ShiftedClock::shared());
    let started = plugin.connect_start(&start_request(&server)).unwrap().expect("connect-start");
    // The profile needs `api`; the person grants only `read_user`.
    let callback = server.approve_scopes(&started.url, Some("read_user"));
    let connection =
        plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect("connect-finish");
    assert_eq!(connection.scopes.granted, Some(vec!["read_user".to_owned()]));
    assert_eq!(connection.scopes.missing, ["api"]);

    let report = plugin.test_connection(&connection.id).unwrap().expect("a report");
    assert!(!report.ok);
    let scopes = report.checks.iter().find(|check| check.name == "scopes").expect("a scopes check");
    assert_eq!(scopes.status, wit::CheckStatus::Fail);
    assert_eq!(scopes.code.as_deref(), Some("http.missing_scope"));
    assert!(scopes.message.contains("api"), "{}", scopes.message);
}

#[test]
fn a_wrong_client_secret_is_invalid_client() {
    let server = OAuthServer::start();
    let store = store("wrong-secret");
    let mut plugin = instance(&store, ShiftedClock::shared());
    let mut request = start_request(&server);
    request.client_secret = Some("gloas-not-the-secret".into());
    let started = plugin.connect_start(&request).unwrap().expect("connect-start");
    let callback = server.approve(&started.url);
    let error =
        plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect_err("a wrong secret");
    assert_eq!(error.code, "oauth.invalid_client", "{error:?}");
    assert!(!error.guidance.steps.is_empty());
}

/// The pure functions of `tokens` on a real token endpoint: the caller sends what
/// `prepare-*` builds and reads the answer with `parse-*`.
#[test]
fn token_functions_against_the_real_endpoint() {
    let server = OAuthServer::start();
    let mut plugin = common::plugin();
    let http = HttpClient::new(&test_http_config()).expect("a valid configuration");
    let now = SystemClock.now();
    let client = wit::OauthClient {
        provider: wit::Provider::Gitlab,
        base_url: Some(server.base_url.clone()),
        client_id: server.client_id.clone(),
        client_secret: Some(server.client_secret.clone()),
        redirect_uri: Some(server.redirect_uri.clone()),
    };
    let authorize = |plugin: &mut Plugin| {
        let authorization = plugin
            .authorization_url(&wit::AuthorizationRequest {
                provider: wit::Provider::Gitlab,
                base_url: Some(server.base_url.clone()),
                client_id: server.client_id.clone(),
                redirect_uri: server.redirect_uri.clone(),
                scopes: Some(vec!["api".into()]),
                profile: None,
                pkce: None,
                root_namespace_id: None,
            })
            .unwrap()
            .expect("authorization-url");
        let callback = server.approve(&authorization.url);
        let code = plugin.parse_callback(&callback, &authorization.state).unwrap().expect("a code");
        (code.code, authorization.code_verifier)
    };
    let exchange =
        |plugin: &mut Plugin, client: &wit::OauthClient, code: &str, verifier: Option<&str>| {
            let request =
                plugin.prepare_token_exchange(client, code, verifier).unwrap().expect("a request");
            let response = http.fetch(request).expect("the token endpoint answers");
            plugin
                .parse_token_response(wit::Provider::Gitlab, &response, now)
                .unwrap()
                .map_err(Box::new)
        };

    let (code, verifier) = authorize(&mut plugin);
    let tokens = exchange(&mut plugin, &client, &code, verifier.as_deref()).expect("tokens");
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.scopes.iter().any(|scope| scope == "api"), "{:?}", tokens.scopes);
    let expires_at = tokens.expires_at.expect("an expiry");
    assert!((expires_at - (now + 7200)).abs() < 120, "{expires_at} vs {now}");
    assert!(!plugin.needs_refresh(&tokens, now, 60).unwrap());
    assert!(plugin.needs_refresh(&tokens, expires_at, 60).unwrap());
    assert_eq!(server.api_status("/api/v4/user", &tokens.access_token), 200);

    // A code is single use.
    let reused = exchange(&mut plugin, &client, &code, verifier.as_deref()).expect_err("reused");
    assert_eq!(reused.code, "oauth.invalid_grant", "{reused:?}");

    // The code exchange must repeat the redirect URI of the authorization.
    let (code, verifier) = authorize(&mut plugin);
    let elsewhere = wit::OauthClient {
        redirect_uri: Some(format!("{}/elsewhere", server.redirect_uri)),
        ..client.clone()
    };
    let mismatch = exchange(&mut plugin, &elsewhere, &code, verifier.as_deref()).expect_err("");
    assert_eq!(mismatch.code, "oauth.invalid_grant", "{mismatch:?}");

    // Refresh, then revoke what the refresh gave. Fresh tokens: the server revoked those of
    // the reused code, as RFC 6749 advises.
    let (code, verifier) = authorize(&mut plugin);
    let tokens = exchange(&mut plugin, &client, &code, verifier.as_deref()).expect("tokens");
    let refresh_token = tokens.refresh_token.clone().expect("a refresh token");
    let request = plugin.prepare_refresh(&client, &refresh_token).unwrap().expect("a request");
    let response = http.fetch(request).expect("the token endpoint answers");
    let refreshed =
        plugin.parse_token_response(wit::Provider::Gitlab, &response, now).unwrap().expect("ok");
    assert_ne!(refreshed.access_token, tokens.access_token);
    assert_ne!(refreshed.refresh_token, tokens.refresh_token, "GitLab rotates refresh tokens");
    let request =
        plugin.prepare_revoke(&client, &refreshed.access_token).unwrap().expect("a request");
    assert_eq!(http.fetch(request).expect("revoked").status, 200);
    assert_eq!(server.api_status("/api/v4/user", &refreshed.access_token), 401);

    // The refused call, read.
    let request = wit::Request {
        method: "GET".into(),
        url: format!("{}/api/v4/user", server.base_url),
        headers: vec![("Authorization".into(), format!("Bearer {}", refreshed.access_token))],
        body: None,
    };
    let response = http.fetch(request).expect("an answer");
    let error = plugin.parse_api_error(wit::Provider::Gitlab, &response).unwrap();
    assert_eq!((error.status, error.error.code.as_str()), (401, "http.unauthorized"));
}

fn check(server: &OAuthServer, token: &str, extra: &[&str]) -> Output {
    // Compiled once in this process, then loaded from the cache by the binary.
    runtime();
    Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .arg("--component")
        .arg(common::component_path())
        .arg("--cache-dir")
        .arg(common::cache_dir())
        // The authorization server listens on loopback.
        .args(["--no-proxy", "--allow-private-networks"])
        .args(["check", "--provider", "gitlab", "--base-url", &server.base_url])
        .args(["--token-env", "FORGELINK_CHECK_TOKEN"])
        .args(extra)
        .env("FORGELINK_CHECK_TOKEN", token)
        .env_remove("FORGELINK_ENCRYPTION_KEY")
        .output()
        .expect("run forgelink-host")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_check_command_prints_the_report() {
    let server = OAuthServer::start();
    let token = server.personal_access_token.clone();

    let output = check(&server, &token, &["--profile", "ci-failure-analysis"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("gitlab at {}, connected as ada (Ada Lovelace)", server.base_url),
        "{text}"
    );
    for name in ["reachability", "identity", "server-version", "scopes", "token-expiry"] {
        assert!(
            lines.iter().any(|line| line.starts_with("pass") && line.contains(name)),
            "no passing {name} line in\n{text}"
        );
    }
    assert!(lines.last().is_some_and(|line| line.starts_with("ok: ")), "{text}");

    let output = check(&server, &token, &["--profile", "ci-failure-analysis", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(keys(&report), ["checks", "connection", "observed", "ok"].into());
    assert_eq!(report["ok"], true);
    assert_eq!(
        (&report["observed"], &report["connection"]["status"]),
        (&Value::Bool(true), &Value::from("active"))
    );
    let checks = report["checks"].as_array().expect("checks");
    assert!(checks.iter().all(|check| check["status"] == "pass"), "{report:#}");
    assert!(checks.iter().any(|check| check["name"] == "identity"));

    // The personal access token lacks write_repository, which `deployments` needs.
    let output = check(&server, &token, &["--profile", "deployments"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let failing = text
        .lines()
        .position(|line| line.starts_with("fail") && line.contains("scopes"))
        .unwrap_or_else(|| panic!("no failing scopes line in\n{text}"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[failing].contains("http.missing_scope: "), "{text}");
    assert!(lines[failing].contains("write_repository"), "{text}");
    assert!(lines[failing + 1].trim_start().starts_with("- "), "the first guidance step:\n{text}");
    assert!(lines.last().is_some_and(|line| line.starts_with("failed: ")), "{text}");

    let output = check(&server, &token, &["--profile", "deployments", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["ok"], false);
    let scopes = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|check| check["name"] == "scopes"))
        .cloned()
        .expect("a scopes check");
    assert_eq!(scopes["status"], "fail");
    assert_eq!(scopes["code"], "http.missing_scope");
    assert_eq!(scopes["guidance"]["code"], "http.missing_scope");
}

#[test]
fn the_check_command_explains_a_refused_token() {
    let server = OAuthServer::start();
    let output = check(&server, "glpat-not-a-valid-token-000", &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("fail") && first.contains("http.unauthorized: "), "{text}");
    assert!(text.lines().nth(1).is_some_and(|line| line.trim_start().starts_with("- ")), "{text}");

    let output = check(&server, "glpat-not-a-valid-token-000", &["--json"]);
    assert_eq!(output.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["error"]["code"], "http.unauthorized");
    assert_eq!(printed["error"]["guidance"]["code"], "http.unauthorized");
}

#[test]
fn the_check_command_leaves_nothing_behind_and_reads_the_configured_key() {
    let server = OAuthServer::start();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oauth").join("check-store");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the directory");
    let key_file = dir.with_extension("key");
    std::fs::write(&key_file, format!("{}\n", "ab".repeat(32))).expect("write the key");
    let store = dir.to_string_lossy().into_owned();
    let key = key_file.to_string_lossy().into_owned();

    runtime();
    let run = |key_file: &str| {
        Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
            .arg("--component")
            .arg(common::component_path())
            .arg("--cache-dir")
            .arg(common::cache_dir())
            .args(["--no-proxy", "--allow-private-networks", "--store", &store])
            .args(["--key-file", key_file])
            .args(["check", "--provider", "gitlab", "--base-url", &server.base_url])
            .args(["--token-env", "FORGELINK_CHECK_TOKEN", "--json"])
            .env("FORGELINK_CHECK_TOKEN", &server.personal_access_token)
            .output()
            .expect("run forgelink-host")
    };
    let output = run(&key);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let values = || -> Vec<PathBuf> {
        let entries = std::fs::read_dir(&dir).expect("the store").flatten();
        entries.map(|entry| entry.path()).filter(|path| path.is_file()).collect()
    };
    // The disconnect leaves the connection's tombstone, which holds nothing, for a day.
    let left: Vec<PathBuf> = values().into_iter().filter(|p| !p.ends_with(".lock")).collect();
    assert_eq!(left.len(), 1, "records left behind: {left:?}");
    let tombstone = std::fs::read(&left[0]).expect("read it");
    assert!(tombstone.ends_with(b"forgelink:disconnected"), "{left:?}");
    let swept = FileStore::open(&dir).unwrap().sweep(SystemClock.now() + 86_400).unwrap();
    assert_eq!(swept, 1);
    assert_eq!(values().len(), 1, "only the lock file is left: {:?}", values());

    std::fs::write(&key_file, "not a key").expect("write the key");
    let output = run(&key);
    assert_eq!(output.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["error"]["code"], "input.invalid");

    let output = check(&server, "", &[]);
    assert_eq!(output.status.code(), Some(2), "an empty token variable is a usage error");
}

#[test]
fn a_connection_is_reauthorized_and_given_a_new_token_in_place() {
    let server = OAuthServer::start();
    let store = store("in-place");
    let mut plugin = instance(&store, ShiftedClock::shared());
    let connection = connect(&mut plugin, &server);
    let first = plugin.access_token(&connection.id).unwrap().expect("a token");

    // Re-authorized through OAuth: the same connection, with the new grant's token; the old
    // token is revoked once the new one is stored.
    let again = wit::ConnectStartRequest {
        connection_id: Some(connection.id.clone()),
        ..start_request(&server)
    };
    let started = plugin.connect_start(&again).unwrap().expect("connect-start");
    let callback = server.approve(&started.url);
    let renewed = plugin.connect_finish(&callback, Some(SESSION)).unwrap().expect("re-authorized");
    assert_eq!(renewed.id, connection.id);
    assert_eq!(renewed.status, wit::ConnectionStatus::Active);
    let second = plugin.access_token(&connection.id).unwrap().expect("a token");
    assert_ne!(second, first);
    assert_eq!(server.api_status("/api/v4/user", &second), 200, "the new token works");
    assert_eq!(server.api_status("/api/v4/user", &first), 401, "the old one was revoked");

    // Replaced by a personal access token of the same account, in place too.
    let token = wit::ReplaceCredentialsRequest {
        token: server.personal_access_token.clone(),
        username: None,
    };
    let replaced = plugin.replace_credentials(&connection.id, &token).unwrap().expect("replaced");
    assert_eq!(replaced.id, connection.id);
    assert_eq!(replaced.account.username, "ada");
    assert_eq!(plugin.access_token(&connection.id).unwrap().unwrap(), server.personal_access_token);
    assert_eq!(server.api_status("/api/v4/user", &second), 401, "the OAuth token was revoked");

    // Credentials for another provider or instance change nothing.
    let github = wit::ReplaceCredentialsRequest {
        token: "ghp_16C7e42F292c6912E7710c838347Ae178B4a".into(),
        username: None,
    };
    let error = plugin.replace_credentials(&connection.id, &github).unwrap().unwrap_err();
    assert_eq!(error.code, "connection.instance_mismatch");
    let elsewhere = wit::ConnectStartRequest {
        base_url: Some("https://gitlab.com".into()),
        connection_id: Some(connection.id.clone()),
        ..start_request(&server)
    };
    let error = plugin.connect_start(&elsewhere).unwrap().unwrap_err();
    assert_eq!(error.code, "connection.instance_mismatch");
    assert_eq!(plugin.access_token(&connection.id).unwrap().unwrap(), server.personal_access_token);

    // A disconnected connection stays gone.
    plugin.disconnect(&connection.id).unwrap().expect("disconnected");
    let error = plugin.replace_credentials(&connection.id, &token).unwrap().unwrap_err();
    assert_eq!(error.code, "connection.not_found");
}
