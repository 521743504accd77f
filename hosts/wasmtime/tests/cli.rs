//! The `forgelink-host` binary: JSON with the npm package's field names, and exit statuses.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    // Compiles the component once in this process and leaves it in the shared cache, so the
    // binaries started below (several at once) load it instead of each compiling it.
    common::runtime();
    Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .arg("--component")
        .arg(common::component_path())
        .arg("--cache-dir")
        .arg(common::cache_dir())
        .arg("--no-proxy")
        .args(args)
        .output()
        .expect("run forgelink-host")
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
    assert_eq!(keys(&catalog[0]), ["description", "implies", "name"].into());

    let check = ok(&["check-scopes", "gitlab", "api", "read_api"]);
    assert_eq!(keys(&check), ["granted", "missing", "satisfied"].into());
    assert_eq!(check["satisfied"], true);

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
