//! The `forgelink-host` binary: JSON with the npm package's field names, and exit statuses.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    run_with(args, &[], None)
}

/// Runs the binary with extra environment variables and, if given, `stdin`.
fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    // Compiles the component once in this process and leaves it in the shared cache, so the
    // binaries started below (several at once) load it instead of each compiling it.
    common::runtime();
    let mut child = Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .arg("--component")
        .arg(common::component_path())
        .arg("--cache-dir")
        .arg(common::cache_dir())
        .arg("--no-proxy")
        .args(args)
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run forgelink-host");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("wait for forgelink-host")
}

/// Like [`ok`], with an environment and stdin.
fn ok_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Value {
    let output = run_with(args, env, stdin);
    assert!(
        output.status.success(),
        "{args:?} failed with {:?}: {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// The `error` object of a command that must fail with `status`, with an environment and stdin.
fn error_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>, status: i32) -> Value {
    let output = run_with(args, env, stdin);
    assert_eq!(
        output.status.code(),
        Some(status),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(value["error"]["guidance"]["code"], value["error"]["code"]);
    value["error"].clone()
}

/// Runs a command that must succeed and returns its JSON.
fn ok(args: &[&str]) -> Value {
    let output = run(args);
    assert!(
        output.status.success(),
        "{args:?} failed with {:?}: {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// Runs a command that must fail with `status` and returns the `error` object.
fn error(args: &[&str], status: i32) -> Value {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(status),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let error = value.get("error").cloned().expect("an error object");
    assert_eq!(keys(&value), ["error"].into());
    let error_keys = keys(&error);
    assert!(
        error_keys.contains("code")
            && error_keys.contains("message")
            && error_keys.contains("guidance")
    );
    assert!(error_keys.is_subset(&["code", "message", "providerDetail", "guidance"].into()));
    assert_eq!(error["guidance"]["code"], error["code"]);
    error
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value.as_object().expect("an object").keys().map(String::as_str).collect()
}

#[test]
fn validate_base_url_prints_the_packages_fields() {
    let report = ok(&["validate-base-url", "gitlab", "https://example.com/gitlab/"]);
    assert_eq!(keys(&report), ["apiBase", "baseUrl", "deployment", "diagnostics", "ok"].into());
    assert_eq!(report["ok"], true);
    assert_eq!(report["baseUrl"], "https://example.com/gitlab");
    assert_eq!(report["deployment"], "self-hosted");
    assert_eq!(report["apiBase"], "https://example.com/gitlab/api/v4");
    let warning = &report["diagnostics"][0];
    assert_eq!(keys(warning), ["code", "message", "severity", "suggestion"].into());
    assert_eq!(warning["code"], "base_url.trailing_slash");
    assert_eq!(warning["severity"], "warning");

    let missing = ok(&["validate-base-url", "github", "ghe.example.com"]);
    assert_eq!(missing["ok"], false);
    assert_eq!(missing["baseUrl"], Value::Null);
    assert_eq!(missing["diagnostics"][0]["code"], "base_url.missing_scheme");
    assert_eq!(missing["diagnostics"][0]["suggestion"], "https://ghe.example.com");

    let clean = ok(&["validate-base-url", "gitlab", "https://gitlab.com"]);
    assert_eq!(clean["deployment"], "cloud");
    assert_eq!(clean["diagnostics"], Value::Array(Vec::new()));
}

#[test]
fn authorization_url_prints_url_state_and_verifier() {
    let authorization = ok(&[
        "authorization-url",
        "--provider",
        "gitlab",
        "--client-id",
        "abc",
        "--redirect-uri",
        "https://app.example.com/cb",
        "--base-url=https://example.com/gitlab",
        "--scope",
        "read_api",
        "--scope",
        "read_user",
    ]);
    assert_eq!(keys(&authorization), ["codeVerifier", "state", "url"].into());
    let url = authorization["url"].as_str().unwrap();
    let state = authorization["state"].as_str().unwrap();
    assert!(url.starts_with("https://example.com/gitlab/oauth/authorize?"), "{url}");
    assert!(url.contains(&format!("state={state}")), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(
        url.contains("scope=read_api%20read_user") || url.contains("scope=read_api+read_user"),
        "{url}"
    );

    let without = ok(&[
        "authorization-url",
        "--provider",
        "github",
        "--client-id",
        "abc",
        "--redirect-uri",
        "https://app.example.com/cb",
        "--profile",
        "ci-failure-analysis",
        "--no-pkce",
    ]);
    assert_eq!(keys(&without), ["state", "url"].into());

    let bad = error(
        &[
            "authorization-url",
            "--provider",
            "gitlab",
            "--client-id",
            "abc",
            "--redirect-uri",
            "not a uri",
        ],
        1,
    );
    assert!(bad["code"].as_str().unwrap().starts_with("redirect_uri."), "{bad}");
}

#[test]
fn every_command_prints_json() {
    let endpoints = ok(&["endpoints", "gitlab", "https://example.com/gitlab"]);
    assert_eq!(
        keys(&endpoints),
        [
            "api",
            "authorize",
            "currentUser",
            "currentUserHeader",
            "deployment",
            "deviceAuthorization",
            "grantedScopes",
            "provider",
            "revoke",
            "settingsPages",
            "token",
            "version",
            "web"
        ]
        .into()
    );
    assert_eq!(endpoints["api"], "https://example.com/gitlab/api/v4");
    assert!(keys(&endpoints["grantedScopes"]).contains("source"));
    assert_eq!(ok(&["endpoints", "github"])["grantedScopes"]["source"], "header");

    let diagnostics = ok(&[
        "validate-redirect-uri",
        "gitlab",
        "https://a.example.com/cb",
        "https://a.example.com/cb/",
    ]);
    assert_eq!(diagnostics[0]["code"], "redirect_uri.trailing_slash_mismatch");

    let catalog = ok(&["scope-catalog", "github"]);
    assert_eq!(
        keys(&catalog[0]),
        ["description", "implies", "impliesOnPublicRepositories", "name"].into()
    );

    let check = ok(&["check-scopes", "gitlab", "api", "read_api"]);
    assert_eq!(keys(&check), ["granted", "missing", "satisfied"].into());
    assert_eq!(check["satisfied"], true);
    // GitHub's public_repo covers repository hooks on public repositories only ("Scopes for
    // OAuth apps"): still missing, and named as such, as the npm package prints it.
    let check = ok(&["check-scopes", "github", "public_repo", "admin:repo_hook"]);
    assert_eq!(
        check,
        serde_json::json!({
            "satisfied": false,
            "missing": ["admin:repo_hook"],
            "granted": ["public_repo"],
            "publicRepositoriesOnly": ["admin:repo_hook"],
        })
    );

    let profiles = ok(&["profiles"]);
    let first = &profiles[0];
    assert_eq!(keys(first), ["id", "providers", "summary", "title"].into());
    assert!(keys(&first["providers"][0])
        .is_superset(&["minRole", "provider", "scopeMode", "scopes", "webhookEvents"].into()));

    let callback = ok(&["parse-callback", "https://app.example.com/cb?code=xyz&state=s1", "s1"]);
    assert_eq!(callback, serde_json::json!({ "code": "xyz" }));

    let guidance = ok(&["troubleshoot", "http.not_found", "gitlab"]);
    assert!(keys(&guidance).is_superset(&["code", "steps", "summary", "title"].into()));
    assert!(keys(&guidance).is_subset(&["code", "docsUrl", "steps", "summary", "title"].into()));

    let codes = ok(&["error-codes"]);
    assert!(codes.as_array().unwrap().iter().any(|code| code == "oauth.state_mismatch"));
}

#[test]
fn forgelink_errors_print_an_error_object() {
    let mismatch =
        error(&["parse-callback", "https://app.example.com/cb?code=xyz&state=s1", "s2"], 1);
    assert_eq!(mismatch["code"], "oauth.state_mismatch");
    assert!(!mismatch["guidance"]["steps"].as_array().unwrap().is_empty());

    let provider_error = error(
        &[
            "parse-callback",
            "https://app.example.com/cb?error=server_error&error_description=down&state=s1",
            "s1",
        ],
        1,
    );
    assert_eq!(provider_error["code"], "oauth.provider_error");
    assert_eq!(provider_error["providerDetail"], "down");

    assert_eq!(error(&["troubleshoot", "nope"], 1)["code"], "input.unknown_code");
    assert_eq!(error(&["endpoints", "bitbucket-data-center"], 1)["code"], "base_url.required");
}

#[test]
fn usage_errors_are_coded_too() {
    assert_eq!(error(&["validate-base-url", "gitlub", "x"], 2)["code"], "provider.unknown");
    assert_eq!(error(&["validate-base-url", "gitlab"], 2)["code"], "input.invalid");
    assert_eq!(error(&["no-such-command"], 2)["code"], "input.invalid");
    assert_eq!(error(&["authorization-url", "--provider", "gitlab"], 2)["code"], "input.invalid");
    assert_eq!(error(&["profiles", "extra"], 2)["code"], "input.invalid");
}

#[test]
fn a_missing_component_is_a_host_failure() {
    let output = Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .args(["--component", "no/such/component.wasm", "--no-cache", "profiles"])
        .output()
        .expect("run forgelink-host");
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/component.wasm"));

    let help =
        Command::new(env!("CARGO_BIN_EXE_forgelink-host")).arg("--help").output().expect("run");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("authorization-url"));
}

/// `settings-pages` prints `{oauthApp, accessTokens}` under the deployment's base URL (GitLab:
/// "Create a user-owned application", https://docs.gitlab.com/integration/oauth_provider/,
/// and "Personal access tokens", https://docs.gitlab.com/user/profile/personal_access_tokens/).
#[test]
fn settings_pages_prints_the_packages_fields() {
    let gitlab = ok(&["settings-pages", "gitlab", "https://example.com/gitlab"]);
    assert_eq!(
        gitlab,
        serde_json::json!({
            "oauthApp": "https://example.com/gitlab/-/user_settings/applications",
            "accessTokens": "https://example.com/gitlab/-/user_settings/personal_access_tokens",
        })
    );
    let cloud = ok(&["settings-pages", "bitbucket-cloud"]);
    assert_eq!(
        (cloud["oauthApp"].clone(), cloud["accessTokens"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(error(&["settings-pages", "bitbucket-data-center"], 1)["code"], "base_url.required");
}

/// GitLab's `root_namespace_id` (https://docs.gitlab.com/api/oauth2/#authorization-code-flow)
/// from `--root-namespace-id`, and only for GitLab.
#[test]
fn authorization_url_takes_a_gitlab_root_namespace_id() {
    let args = |provider: &'static str, id: &'static str| {
        [
            "authorization-url",
            "--provider",
            provider,
            "--client-id",
            "abc",
            "--redirect-uri",
            "https://app.example.com/cb",
            "--root-namespace-id",
            id,
        ]
    };
    let authorization = ok(&args("gitlab", "112"));
    let url = authorization["url"].as_str().unwrap();
    assert!(url.contains("&root_namespace_id=112"), "{url}");
    assert_eq!(error(&args("gitlab", "acme"), 1)["code"], "input.invalid");
    assert_eq!(error(&args("github", "112"), 1)["code"], "input.invalid");
}

/// `--custom-prefix`: the instance's own personal access token prefix ("Personal access
/// token prefix", https://docs.gitlab.com/administration/settings/
/// account_and_limit_settings/#personal-access-token-prefix).
#[test]
fn detect_token_takes_a_custom_prefix() {
    let token = "acme-xxxxxxxxxxxxxxxxxxxx";
    let with = ok_with(
        &["detect-token", "--token-env", "T", "--custom-prefix", "acme-"],
        &[("T", token)],
        None,
    );
    assert_eq!(
        (with["provider"].as_str(), with["kind"].as_str(), with["usableAsAccessToken"].as_bool()),
        (Some("gitlab"), Some("access-token"), Some(true))
    );
    assert!(!with.to_string().contains(token));
    let stdin = ok_with(&["detect-token", "--custom-prefix=acme-"], &[], Some(token));
    assert_eq!(stdin["kind"], "access-token");
    let without = ok_with(&["detect-token", "--token-env", "T"], &[("T", token)], None);
    assert_eq!(
        (without["provider"].clone(), without["kind"].as_str()),
        (Value::Null, Some("unknown"))
    );
}

#[test]
fn token_commands_read_secrets_from_the_environment() {
    let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let info = ok_with(&["detect-token", "--token-env", "T"], &[("T", token)], None);
    assert_eq!(keys(&info), ["description", "kind", "provider", "usableAsAccessToken"].into());
    assert_eq!(
        (info["provider"].as_str(), info["kind"].as_str()),
        (Some("github"), Some("classic-pat"))
    );
    assert!(!info.to_string().contains(token));
    let info = ok_with(&["detect-token"], &[], Some("glpat-xxxxxxxxxxxxxxxxxxxx\nsecond line\n"));
    assert_eq!(info["provider"], "gitlab");
    let unknown = ok_with(&["detect-token"], &[], Some("de6780bc506a"));
    assert_eq!(
        (unknown["provider"].clone(), unknown["kind"].as_str()),
        (Value::Null, Some("unknown"))
    );

    let client =
        ["--provider", "gitlab", "--base-url", "https://example.com/gitlab", "--client-id", "app"];
    let redirect =
        ["--redirect-uri", "https://app.example.com/cb", "--client-secret-env", "SECRET"];
    let env = [
        ("SECRET", "s3cret"),
        ("CODE", "the-code"),
        ("VERIFIER", "v-v-v"),
        ("RT", "rt-1"),
        ("DC", "dc-1"),
        ("TOKEN", "tok"),
    ];
    let with = |command: &str, extra: &[&str]| -> Vec<String> {
        [command]
            .iter()
            .chain(client.iter())
            .chain(redirect.iter())
            .chain(extra.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let args =
        with("prepare-token-exchange", &["--code-env", "CODE", "--code-verifier-env", "VERIFIER"]);
    let request = ok_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &env, None);
    assert_eq!(keys(&request), ["body", "headers", "method", "url"].into());
    assert_eq!(request["url"], "https://example.com/gitlab/oauth/token");
    let body = request["body"].as_str().expect("a text body");
    for field in [
        "grant_type=authorization_code",
        "code=the-code",
        "code_verifier=v-v-v",
        "client_secret=s3cret",
    ] {
        assert!(body.contains(field), "{body}");
    }
    assert!(request["headers"].as_array().is_some_and(|headers| headers
        .iter()
        .all(|h| h.as_array().is_some_and(|pair| pair.len() == 2))));

    let args = with("prepare-refresh", &["--refresh-token-env", "RT"]);
    let request = ok_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &env, None);
    assert!(request["body"].as_str().is_some_and(|body| body.contains("refresh_token=rt-1")));
    let args = with("prepare-revoke", &["--token-env", "TOKEN"]);
    let request = ok_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &env, None);
    assert_eq!(request["url"], "https://example.com/gitlab/oauth/revoke");
    let args = with("prepare-device-poll", &["--device-code-env", "DC"]);
    let request = ok_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &env, None);
    assert!(request["body"].as_str().is_some_and(|body| body.contains("device_code=dc-1")));
    let request = ok_with(
        &[
            "prepare-device-authorization",
            "--provider",
            "github",
            "--client-id",
            "Iv1.abc",
            "--scope",
            "repo",
            "--scope",
            "read:org",
        ],
        &[],
        None,
    );
    assert_eq!(request["url"], "https://github.com/login/device/code");
    assert_eq!(request["body"], "client_id=Iv1.abc&scope=repo+read%3Aorg");

    let bitbucket = error_with(
        &[
            "prepare-revoke",
            "--provider",
            "bitbucket-cloud",
            "--client-id",
            "k",
            "--token-env",
            "TOKEN",
        ],
        &env,
        None,
        1,
    );
    assert_eq!(bitbucket["code"], "oauth.revoke_unsupported");
    let unset = error_with(
        &[
            "prepare-refresh",
            "--provider",
            "gitlab",
            "--client-id",
            "a",
            "--refresh-token-env",
            "NO_SUCH_VARIABLE_SET",
        ],
        &[],
        None,
        2,
    );
    assert_eq!(unset["code"], "input.invalid");
    assert!(unset["message"].as_str().is_some_and(|m| m.contains("NO_SUCH_VARIABLE_SET")));
    let twice = error_with(&["detect-token", "--token-env", "A", "--token-env", "B"], &[], None, 2);
    assert_eq!(twice["code"], "input.invalid");
    let scoped = error_with(
        &[
            "prepare-revoke",
            "--provider",
            "gitlab",
            "--client-id",
            "a",
            "--scope",
            "api",
            "--token-env",
            "TOKEN",
        ],
        &env,
        None,
        2,
    );
    assert_eq!(scoped["code"], "input.invalid");
}

#[test]
fn parse_commands_read_a_response_on_stdin() {
    let gitlab = r#"{"status": 200, "headers": [["Date", "Tue, 14 Nov 2023 22:13:20 GMT"]], "body": "{\"access_token\":\"abc\",\"token_type\":\"Bearer\",\"expires_in\":7200,\"refresh_token\":\"r\",\"scope\":\"api read_user\",\"created_at\":1700000000}"}"#;
    let tokens =
        ok_with(&["parse-token-response", "gitlab", "--now", "1700000100"], &[], Some(gitlab));
    assert_eq!(
        keys(&tokens),
        ["accessToken", "expiresAt", "refreshToken", "scopes", "tokenType"].into()
    );
    assert_eq!(tokens["expiresAt"], 1_700_000_100 + 7200);
    assert_eq!(tokens["scopes"], serde_json::json!(["api", "read_user"]));

    let needs = ok_with(
        &["needs-refresh", "--now", "1700007250", "--skew", "60"],
        &[],
        Some(&tokens.to_string()),
    );
    assert_eq!(needs, Value::Bool(true));
    let needs = ok_with(&["needs-refresh", "--now", "1700000100"], &[], Some(&tokens.to_string()));
    assert_eq!(needs, Value::Bool(false));

    let refused = r#"{"status": 400, "body": "{\"error\":\"invalid_grant\",\"error_description\":\"The provided authorization grant is invalid\"}"}"#;
    let error = error_with(&["parse-token-response", "gitlab"], &[], Some(refused), 1);
    assert_eq!(error["code"], "oauth.invalid_grant");
    assert_eq!(error["providerDetail"], "The provided authorization grant is invalid");

    let device = r#"{"status": 200, "headers": [], "body": [123,34,100,101,118,105,99,101,95,99,111,100,101,34,58,34,100,34,44,34,117,115,101,114,95,99,111,100,101,34,58,34,87,68,74,66,45,77,74,72,84,34,44,34,118,101,114,105,102,105,99,97,116,105,111,110,95,117,114,105,34,58,34,104,116,116,112,115,58,47,47,103,105,116,104,117,98,46,99,111,109,47,108,111,103,105,110,47,100,101,118,105,99,101,34,125]}"#;
    let device =
        ok_with(&["parse-device-authorization", "github", "--now", "1000"], &[], Some(device));
    assert_eq!(
        keys(&device),
        ["deviceCode", "expiresAt", "interval", "userCode", "verificationUri"].into()
    );
    assert_eq!(
        (device["userCode"].as_str(), device["expiresAt"].as_i64(), device["interval"].as_i64()),
        (Some("WDJB-MJHT"), Some(1900), Some(5))
    );

    let forbidden = r#"{"status": 403, "headers": [], "body": "{\"type\":\"error\",\"error\":{\"message\":\"Your credentials lack one or more required privilege scopes.\",\"detail\":{\"granted\":[\"repository\"],\"required\":[\"pullrequest\"]}}}"}"#;
    let api = ok_with(&["parse-api-error", "bitbucket-cloud"], &[], Some(forbidden));
    assert_eq!(
        keys(&api),
        [
            "code",
            "grantedScopes",
            "guidance",
            "message",
            "providerDetail",
            "rateLimitReset",
            "requiredScopes",
            "retryAfter",
            "status"
        ]
        .into()
    );
    assert_eq!(api["code"], "http.missing_scope");
    assert_eq!(api["requiredScopes"], serde_json::json!(["pullrequest"]));

    for bad in [
        "not json",
        r#"{"status": 70000}"#,
        r#"{"status": 200, "headers": [["a"]]}"#,
        r#"{"status": 200, "body": [256]}"#,
        "[]",
    ] {
        let error = error_with(&["parse-api-error", "github"], &[], Some(bad), 2);
        assert_eq!(error["code"], "input.invalid", "{bad}");
    }
    let error =
        error_with(&["parse-token-response", "github", "--now", "soon"], &[], Some("{}"), 2);
    assert_eq!(error["code"], "input.invalid");
}

#[test]
fn verify_webhook_reads_headers_the_body_from_stdin_and_secrets_from_the_environment() {
    let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let header = format!("X-Hub-Signature-256: {signature}");
    let args = [
        "verify-webhook",
        "--header",
        "X-GitHub-Event: ping",
        "--header",
        &header,
        "--secret-env",
        "OLD_SECRET",
        "--secret-env",
        "NEW_SECRET",
    ];
    let env = [("OLD_SECRET", "rotated away"), ("NEW_SECRET", "It's a Secret to Everybody")];
    let verified = ok_with(&args, &env, Some("Hello, World!"));
    assert_eq!(
        verified,
        serde_json::json!({ "provider": "github", "scheme": "hmac-sha256", "secretIndex": 1 })
    );
    let error = error_with(&args, &env, Some("Hello, World?"), 1);
    assert_eq!(error["code"], "webhook.signature_mismatch");
    let error = error_with(&args, &[("OLD_SECRET", "x")], Some("Hello, World!"), 2);
    assert_eq!(error["code"], "input.invalid", "NEW_SECRET is not set");
    let error = error_with(&["verify-webhook", "--header", "no colon"], &[], Some(""), 2);
    assert_eq!(error["code"], "input.invalid");
}

#[test]
fn verify_webhook_checks_standard_webhooks_at_the_given_time() {
    let args = [
        "verify-webhook",
        "--header",
        "X-Gitlab-Event: Push Hook",
        "--header",
        "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek",
        "--header",
        "webhook-timestamp: 1614265330",
        "--header",
        "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "--secret-env",
        "GITLAB_SECRET",
        "--now",
        "1614265340",
    ];
    let env = [("GITLAB_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
    let verified = ok_with(&args, &env, Some(r#"{"test": 2432232314}"#));
    assert_eq!(verified["scheme"], "standard-webhooks");
    assert_eq!(verified["provider"], "gitlab");
}

#[test]
fn parse_webhook_reads_the_body_from_a_file() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-webhooks");
    std::fs::create_dir_all(&dir).expect("a directory for the body");
    let path = dir.join("status.json");
    let body = r#"{"state":"failure","sha":"abc123","context":"ci/build","target_url":"https://ci.example/1","repository":{"id":1,"full_name":"octo/repo"}}"#;
    std::fs::write(&path, body).expect("write the body");
    let path = path.to_str().expect("a UTF-8 path");
    let headers = ["X-GitHub-Event: status", "X-GitHub-Delivery: d-1", "X-GitHub-Hook-ID: 9"];
    let event = ok(&[
        "parse-webhook",
        "--header",
        headers[0],
        "--header",
        headers[1],
        "--header",
        headers[2],
        "--body",
        path,
    ]);
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|h| h.split_once(": ").map(|(n, v)| (n.to_owned(), v.to_owned())).unwrap())
        .collect();
    let core = forgelink::parse_webhook(&pairs, body.as_bytes()).expect("the core parses it");
    assert_eq!(event, serde_json::to_value(&core).unwrap());
    assert_eq!(event["commitStatus"]["state"], "failure");
    let error = error(
        &[
            "parse-webhook",
            "--header",
            "X-GitHub-Event: status",
            "--body",
            path,
            "--secret-env",
            "X",
        ],
        2,
    );
    assert_eq!(error["code"], "input.invalid", "parse-webhook takes no secrets");
}

#[test]
fn manual_webhook_prints_a_fresh_secret_and_the_steps() {
    let args = [
        "manual-webhook",
        "--provider",
        "bitbucket-data-center",
        "--base-url",
        "https://bb.example.com",
        "--project",
        "PRJ/app",
        "--url",
        "https://app.example/hooks",
        "--profile",
        "ci-failure-analysis",
    ];
    let setup = ok(&args);
    assert_eq!(keys(&setup), ["events", "secret", "steps", "url"].into());
    assert_eq!(setup["url"], "https://app.example/hooks");
    assert_eq!(setup["secret"].as_str().map(str::len), Some(43), "32 random bytes, base64url");
    assert!(setup["steps"][0].as_str().is_some_and(|s| s.contains("/projects/PRJ/repos/app")));
    assert_ne!(ok(&args)["secret"], setup["secret"], "a fresh secret on every run");

    let mut unknown = args;
    unknown[10] = "no-such-profile";
    assert_eq!(error(&unknown, 1)["code"], "profile.unknown");
    assert_eq!(error(&args[..9], 2)["code"], "input.invalid", "no --profile");
    assert_eq!(error(&["manual-webhook", "--provider", "gitlub"], 2)["code"], "provider.unknown");
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn system_now() -> i64 {
    use forgelink_host::environment::Clock as _;
    forgelink_host::environment::SystemClock.now()
}

#[test]
fn poll_lists_what_happened_and_continues_from_its_cursor() {
    use common::fake_gitlab::{FakeGitLab, FakePipeline, TOKEN};

    let fake = FakeGitLab::start();
    let now = system_now();
    {
        let mut state = fake.state();
        state.pipelines.push(FakePipeline {
            id: 100,
            status: "failed",
            sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            updated_at: now - 600,
        });
        state.jobs.push((100, 555, "rspec", "failed"));
    }
    let env = [("GITLAB_TOKEN", TOKEN)];
    let poll = |extra: &[&str]| {
        let mut args =
            vec!["poll", "--provider", "gitlab", "--base-url", &fake.base_url, "--token-env"];
        // The fake GitLab listens on loopback, which the host refuses unless allowed.
        args.extend(["GITLAB_TOKEN", "--project", "group/app", "--allow-private-networks"]);
        args.extend(extra);
        args.iter().map(|a| (*a).to_owned()).collect::<Vec<String>>()
    };

    let first = ok_with(&strs(&poll(&["--json"])), &env, None);
    assert_eq!(
        (first["status"].as_str(), first["mode"].as_str()),
        (Some("complete"), Some("polling"))
    );
    let keys: Vec<&str> =
        first["events"].as_array().unwrap().iter().filter_map(|e| e["stateKey"].as_str()).collect();
    let host = &fake.authority;
    // A finished GitLab pipeline's key names the second it finished.
    let finished = now - 600;
    assert_eq!(
        keys,
        [
            format!("gitlab:{host}:group/app:pipeline:100@{finished}:failure"),
            format!("gitlab:{host}:group/app:job:555:failure"),
        ]
    );
    assert_eq!(first["projects"][0]["complete"], true);

    // In words, then from the cursor: what was seen before the cursor is not listed again.
    let output = run_with(&strs(&poll(&[])), &env, None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!(
            "pipeline        failure   gitlab:{host}:group/app:pipeline:100@{finished}:failure"
        )),
        "{text}"
    );
    assert!(text.contains("pass  group/app"), "{text}");
    assert!(text.contains("complete: 2 new events"), "{text}");
    let cursor = first["cursor"].as_str().unwrap();
    let next = ok_with(&strs(&poll(&["--cursor", cursor, "--json"])), &env, None);
    assert_eq!(next["events"], serde_json::json!([]), "{next}");

    // A project that cannot be read fails the poll; so does a token the provider refuses.
    let mut missing = poll(&["--json"]);
    missing.extend(["--project".to_owned(), "group/gone".to_owned()]);
    let output = run_with(&strs(&missing), &env, None);
    assert_eq!(output.status.code(), Some(1));
    let result: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(result["projects"][1]["code"], "http.not_found", "{result}");
    let refused =
        error_with(&strs(&poll(&["--json"])), &[("GITLAB_TOKEN", "glpat-wrong")], None, 1);
    assert_eq!(refused["code"], "http.unauthorized");
    let output = run_with(&strs(&poll(&[])), &[("GITLAB_TOKEN", "glpat-wrong")], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("fail  connect"));
    let no_project = ["poll", "--provider", "gitlab", "--token-env", "GITLAB_TOKEN"];
    assert_eq!(error_with(&no_project, &env, None, 2)["code"], "input.invalid");
    assert_eq!(
        error_with(&strs(&poll(&["--since", "soon"])), &env, None, 2)["code"],
        "input.invalid"
    );
}

#[test]
fn feedback_posts_markdown_and_updates_it_in_place() {
    use common::fake_gitlab::{FakeGitLab, TOKEN};

    let fake = FakeGitLab::start();
    let env = [("GITLAB_TOKEN", TOKEN)];
    let args = [
        "--allow-private-networks",
        "feedback",
        "--provider",
        "gitlab",
        "--base-url",
        &fake.base_url,
        "--token-env",
        "GITLAB_TOKEN",
        "--project",
        "group/app",
        "--merge-request",
        "5",
        "--key",
        "ci/pipeline-100",
    ];
    let created = ok_with(&args, &env, Some("**rspec failed**\n"));
    assert_eq!(
        (created["target"].as_str(), created["action"].as_str()),
        (Some("merge_request"), Some("created"))
    );
    let updated = ok_with(&args, &env, Some("**rspec passed**\n"));
    assert_eq!(updated["action"], "updated");
    assert_eq!(updated["commentId"], created["commentId"]);
    assert_eq!(
        fake.state().mr_notes,
        [(1, "**rspec passed**\n\n<!-- forgelink:feedback:ci/pipeline-100 -->".to_owned())]
    );

    // From a file, without updating; and the failures.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-feedback");
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("body.md");
    std::fs::write(&body, "another note").unwrap();
    let mut from_file = args.to_vec();
    from_file.extend(["--no-update", "--body", body.to_str().unwrap()]);
    assert_eq!(ok_with(&from_file, &env, None)["action"], "created");
    assert_eq!(fake.state().mr_notes.len(), 2);
    assert_eq!(error_with(&args, &env, Some("  \n"), 1)["code"], "input.invalid");
    let mut nowhere = args[..10].to_vec();
    nowhere.extend(["--target", "merge_request"]);
    assert_eq!(error_with(&nowhere, &env, Some("x"), 1)["code"], "feedback.no_target");
    let mut bad_target = args.to_vec();
    bad_target.extend(["--target", "wiki"]);
    assert_eq!(error_with(&bad_target, &env, Some("x"), 2)["code"], "input.invalid");
    assert_eq!(
        error_with(&args, &[("GITLAB_TOKEN", "glpat-wrong")], Some("x"), 1)["code"],
        "http.unauthorized"
    );
}

#[test]
fn commands_that_fetch_refuse_private_networks_and_large_answers_unless_allowed() {
    use common::fake_gitlab::{FakeGitLab, TOKEN};

    let fake = FakeGitLab::start();
    let env = [("GITLAB_TOKEN", TOKEN)];
    let base =
        ["--provider", "gitlab", "--base-url", &fake.base_url, "--token-env", "GITLAB_TOKEN"];
    let with = |command: &str, extra: &[&str]| {
        let mut args = vec![command];
        args.extend(base);
        args.extend(extra);
        args.iter().map(|a| (*a).to_owned()).collect::<Vec<String>>()
    };

    // The fake GitLab is on 127.0.0.1: each command refuses it by default.
    let check = error_with(&strs(&with("check", &["--json"])), &env, None, 1);
    assert_eq!(check["code"], "network.address_blocked", "{check}");
    assert!(check["providerDetail"].as_str().unwrap_or_default().contains("loopback"), "{check}");
    let poll =
        error_with(&strs(&with("poll", &["--project", "group/app", "--json"])), &env, None, 1);
    assert_eq!(poll["code"], "network.address_blocked", "{poll}");
    let feedback = with("feedback", &["--project", "group/app", "--merge-request", "5"]);
    assert_eq!(error_with(&strs(&feedback), &env, Some("x"), 1)["code"], "network.address_blocked");
    assert!(fake.state().mr_notes.is_empty());

    // Allowed before the command or after it; a cap smaller than the user's answer refuses it.
    let mut allowed = vec!["--allow-private-networks".to_owned()];
    allowed.extend(with("check", &["--json"]));
    let report = ok_with(&strs(&allowed), &env, None);
    assert_eq!(report["ok"], true, "{report}");
    let capped =
        with("check", &["--json", "--allow-private-networks", "--max-response-bytes", "16"]);
    assert_eq!(error_with(&strs(&capped), &env, None, 1)["code"], "http.response_too_large");
    for bad in ["0", "-1", "ten"] {
        let args = with("check", &["--max-response-bytes", bad]);
        assert_eq!(error_with(&strs(&args), &env, None, 2)["code"], "input.invalid", "{bad}");
    }
}

#[test]
fn sweep_removes_expired_values_from_the_store() {
    use forgelink_host::storage::{FileStore, Storage};

    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-sweep");
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::open(&dir).expect("open the store");
    // Written an hour ago, by a host whose writes found nothing expired yet.
    let now = system_now();
    let then = now - 3600;
    store.set("claim-1", b"1", Some(60), then).unwrap();
    store.set("claim-2", b"1", Some(60), then).unwrap();
    store.set("lease", b"held", Some(7200), then).unwrap();
    store.set("connection", b"record", None, then).unwrap();
    let store_dir = dir.to_string_lossy().into_owned();

    let swept = ok(&["--store", &store_dir, "sweep"]);
    assert_eq!(swept, serde_json::json!({ "removed": 2 }));
    assert!(store.get("lease", now).unwrap().is_some());
    assert!(store.get("connection", now).unwrap().is_some());
    assert_eq!(ok(&["--store", &store_dir, "sweep"])["removed"], 0);

    let error = error(&["sweep"], 2);
    assert_eq!(error["code"], "input.invalid");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("--store")), "{error}");
    assert_eq!(
        error_with(&["--store", &store_dir, "sweep", "extra"], &[], None, 2)["code"],
        "input.invalid"
    );
}

#[test]
fn storage_urls_choose_the_store_and_sweep_where_it_can() {
    use forgelink_host::storage::{PostgresStore, Storage};

    // file:DIR is --store DIR.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-storage");
    let _ = std::fs::remove_dir_all(&dir);
    let file = format!("file:{}", dir.display());
    let store = forgelink_host::storage::open_storage(&file).expect("open the store");
    // Written an hour ago, by a host whose writes found nothing expired yet.
    let then = system_now() - 3600;
    store.set("claim", b"1", Some(60), then).unwrap();
    store.set("connection", b"record", None, then).unwrap();
    assert_eq!(ok(&["--storage", &file, "sweep"]), serde_json::json!({ "removed": 1 }));

    // Anything else is a usage error, told before the component is loaded.
    for bad in ["mysql://db/app", "/var/lib/forgelink", "file:"] {
        let output = run(&["--storage", bad, "profiles"]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--storage") && stderr.contains("file:"), "{bad}: {stderr}");
    }
    let output = run(&["--storage", "postgres://u@127.0.0.1/d?table=Bad-Name", "profiles"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("table"));

    // Redis expires values itself: nothing to sweep, and no failure.
    let redis = common::servers::redis();
    let swept = ok(&["--storage", &redis.url, "sweep"]);
    assert_eq!(swept["removed"], 0);
    assert!(swept["note"].as_str().is_some_and(|note| note.contains("Redis")), "{swept}");

    // PostgreSQL: what the database's clock says has expired. A zero time-to-live is over at
    // once, so that nothing need wait.
    let postgres = common::servers::postgres();
    let table = common::servers::unique("t_cli_sweep");
    let url = format!("{}?table={table}", postgres.url);
    let store = PostgresStore::open(&url).expect("open the store");
    store.set("claim", b"1", Some(0), 0).unwrap();
    store.set("lease", b"held", Some(3600), 0).unwrap();
    assert_eq!(ok(&["--storage", &url, "sweep"]), serde_json::json!({ "removed": 1 }));
    assert!(store.get("lease", 0).unwrap().is_some());

    // A command that connects keeps its records there, and leaves the tombstone.
    let fake = common::fake_gitlab::FakeGitLab::start();
    let args = ["--storage", &url, "check", "--provider", "gitlab", "--base-url", &fake.base_url];
    let args = [&args[..], &["--token-env", "GITLAB_TOKEN", "--json", "--allow-private-networks"]];
    let report = ok_with(&args.concat(), &[("GITLAB_TOKEN", common::fake_gitlab::TOKEN)], None);
    assert_eq!(report["ok"], true, "{report}");
    let mut client = postgres::Client::connect(&postgres.url, postgres::NoTls).expect("connect");
    let tombstones: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM \"{table}\" WHERE value = 'forgelink:disconnected'"),
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(tombstones, 1);
}
