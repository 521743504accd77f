//! Every export of the component, called through wasmtime, with real results checked.

mod common;

use std::collections::BTreeSet;

use base64::Engine as _;
use forgelink_host::wit::{self, Provider};
use sha2::{Digest, Sha256};

use common::{plugin, runtime};

const PROVIDERS: [Provider; 4] =
    [Provider::Github, Provider::Gitlab, Provider::BitbucketCloud, Provider::BitbucketDataCenter];

fn codes(diagnostics: &[wit::Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|diagnostic| diagnostic.code.as_str()).collect()
}

fn query(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), percent_decode(value)))
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    query(url).into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match (bytes[index], bytes.get(index + 1..index + 3)) {
            (b'%', Some(hex)) => {
                let hex = std::str::from_utf8(hex).expect("ASCII hex");
                out.push(u8::from_str_radix(hex, 16).expect("valid percent escape"));
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn imports_are_only_forgelink_interfaces_and_wasi_random() {
    let allowed: BTreeSet<&str> = [
        "forgelink:connect/http@0.1.0",
        "forgelink:connect/storage@0.1.0",
        "wasi:random/random@0.2.12",
    ]
    .into();
    let imports = runtime().imports();
    for import in &imports {
        assert!(allowed.contains(import.as_str()), "unexpected import {import}; all: {imports:?}");
    }
    // authorization-url draws its state from the host, so this one is always there.
    assert!(imports.iter().any(|import| import == "wasi:random/random@0.2.12"), "{imports:?}");
    assert!(!imports
        .iter()
        .any(|import| import.starts_with("wasi:cli") || import.starts_with("wasi:io")));

    let exports = runtime().exports();
    assert!(
        exports.iter().any(|export| export == "forgelink:connect/provider@0.1.0"),
        "{exports:?}"
    );
}

#[test]
fn validate_base_url_keeps_a_relative_url_root() {
    let mut plugin = plugin();
    let report = plugin.validate_base_url(Provider::Gitlab, "https://example.com/gitlab").unwrap();
    assert!(report.ok);
    assert_eq!(report.base_url.as_deref(), Some("https://example.com/gitlab"));
    assert_eq!(report.deployment, Some(wit::Deployment::SelfHosted));
    assert_eq!(report.api_base.as_deref(), Some("https://example.com/gitlab/api/v4"));
    assert!(report.diagnostics.is_empty(), "{:?}", codes(&report.diagnostics));
}

#[test]
fn validate_base_url_warns_about_a_trailing_slash() {
    let mut plugin = plugin();
    let report =
        plugin.validate_base_url(Provider::Gitlab, "  https://gitlab.example.com/  ").unwrap();
    assert!(report.ok);
    assert_eq!(report.base_url.as_deref(), Some("https://gitlab.example.com"));
    let warning = &report.diagnostics[0];
    assert_eq!(warning.code, "base_url.trailing_slash");
    assert_eq!(warning.severity, wit::Severity::Warning);
}

#[test]
fn validate_base_url_suggests_a_missing_scheme() {
    let mut plugin = plugin();
    let report = plugin.validate_base_url(Provider::Gitlab, "gitlab.example.com").unwrap();
    assert!(!report.ok);
    assert_eq!(report.base_url, None);
    assert_eq!(report.api_base, None);
    let error = &report.diagnostics[0];
    assert_eq!(error.code, "base_url.missing_scheme");
    assert_eq!(error.severity, wit::Severity::Error);
    assert_eq!(error.suggestion.as_deref(), Some("https://gitlab.example.com"));
}

#[test]
fn validate_base_url_recognises_clouds_and_bad_input() {
    let mut plugin = plugin();
    let cloud = plugin.validate_base_url(Provider::Gitlab, "https://gitlab.com").unwrap();
    assert_eq!(cloud.deployment, Some(wit::Deployment::Cloud));
    let github = plugin.validate_base_url(Provider::Github, "https://api.github.com").unwrap();
    assert_eq!(github.deployment, Some(wit::Deployment::Cloud));

    let empty = plugin.validate_base_url(Provider::Github, "   ").unwrap();
    assert_eq!(codes(&empty.diagnostics), ["base_url.empty"]);
    let http = plugin.validate_base_url(Provider::Gitlab, "http://gitlab.internal").unwrap();
    assert!(http.ok);
    assert!(codes(&http.diagnostics).contains(&"base_url.insecure_http"));
    let api =
        plugin.validate_base_url(Provider::Gitlab, "https://example.com/gitlab/api/v4").unwrap();
    assert_eq!(api.base_url.as_deref(), Some("https://example.com/gitlab"));
    assert!(codes(&api.diagnostics).contains(&"base_url.api_path"));
    let credentials =
        plugin.validate_base_url(Provider::Gitlab, "https://me:pw@gitlab.example.com").unwrap();
    assert!(!credentials.ok);
    assert!(codes(&credentials.diagnostics).contains(&"base_url.credentials"));
}

#[test]
fn endpoints_of_each_deployment() {
    let mut plugin = plugin();
    let github = plugin.endpoints(Provider::Github, None).unwrap().unwrap();
    assert_eq!(github.provider, Provider::Github);
    assert_eq!(github.deployment, wit::Deployment::Cloud);
    assert_eq!(github.api, "https://api.github.com");
    assert_eq!(github.authorize, "https://github.com/login/oauth/authorize");
    match &github.granted_scopes {
        wit::ScopeSource::Header(header) => assert_eq!(header.header, "X-OAuth-Scopes"),
        other => panic!("GitHub reports scopes in a header, not {other:?}"),
    }

    let gitlab =
        plugin.endpoints(Provider::Gitlab, Some("https://example.com/gitlab")).unwrap().unwrap();
    assert_eq!(gitlab.deployment, wit::Deployment::SelfHosted);
    assert_eq!(gitlab.api, "https://example.com/gitlab/api/v4");
    assert_eq!(gitlab.authorize, "https://example.com/gitlab/oauth/authorize");
    assert_eq!(gitlab.token, "https://example.com/gitlab/oauth/token");

    let data_center = plugin
        .endpoints(Provider::BitbucketDataCenter, Some("https://git.example.com/bitbucket"))
        .unwrap()
        .unwrap();
    assert!(data_center
        .authorize
        .starts_with("https://git.example.com/bitbucket/rest/oauth2/latest/"));

    let error = plugin.endpoints(Provider::BitbucketDataCenter, None).unwrap().unwrap_err();
    assert_eq!(error.code, "base_url.required");
    assert_eq!(error.guidance.code, "base_url.required");
    assert!(!error.guidance.steps.is_empty());
}

#[test]
fn validate_redirect_uri_applies_each_providers_rule() {
    let mut plugin = plugin();
    let exact = plugin
        .validate_redirect_uri(
            Provider::Gitlab,
            "https://app.example.com/cb",
            "https://app.example.com/cb",
        )
        .unwrap();
    assert!(
        exact.iter().all(|diagnostic| diagnostic.severity != wit::Severity::Error),
        "{exact:?}"
    );

    let slash = plugin
        .validate_redirect_uri(
            Provider::Gitlab,
            "https://app.example.com/cb",
            "https://app.example.com/cb/",
        )
        .unwrap();
    assert_eq!(codes(&slash), ["redirect_uri.trailing_slash_mismatch"]);

    let other = plugin
        .validate_redirect_uri(
            Provider::Gitlab,
            "https://app.example.com/cb",
            "https://evil.example.net/cb",
        )
        .unwrap();
    assert!(codes(&other).contains(&"redirect_uri.mismatch"));

    let github_below = plugin
        .validate_redirect_uri(
            Provider::Github,
            "https://app.example.com/cb",
            "https://app.example.com/cb/github",
        )
        .unwrap();
    assert!(github_below.iter().all(|diagnostic| diagnostic.severity != wit::Severity::Error));
}

#[test]
fn scope_catalog_lists_scopes_with_implications() {
    let mut plugin = plugin();
    for provider in PROVIDERS {
        let catalog = plugin.scope_catalog(provider).unwrap();
        assert!(!catalog.is_empty(), "{provider:?}");
        assert!(catalog
            .iter()
            .all(|scope| !scope.name.is_empty() && !scope.description.is_empty()));
    }
    let gitlab = plugin.scope_catalog(Provider::Gitlab).unwrap();
    let api = gitlab.iter().find(|scope| scope.name == "api").expect("GitLab has the api scope");
    assert!(api.implies.iter().any(|scope| scope == "read_api"));
}

#[test]
fn check_scopes_counts_implied_scopes() {
    let mut plugin = plugin();
    let gitlab = plugin
        .check_scopes(Provider::Gitlab, "api", &["read_api".into(), "write_repository".into()])
        .unwrap()
        .unwrap();
    assert!(!gitlab.satisfied);
    assert_eq!(gitlab.missing, ["write_repository"]);
    assert_eq!(gitlab.granted, ["api"]);

    let github = plugin
        .check_scopes(Provider::Github, "repo, read:org", &["repo:status".into()])
        .unwrap()
        .unwrap();
    assert!(github.satisfied);
    assert_eq!(github.granted, ["repo", "read:org"]);

    let unknown = plugin
        .check_scopes(Provider::Github, "repo", &["no-such-scope".into()])
        .unwrap()
        .unwrap_err();
    assert_eq!(unknown.code, "scope.unknown");
}

#[test]
fn profiles_cover_every_provider() {
    let mut plugin = plugin();
    let profiles = plugin.profiles().unwrap();
    let ids: Vec<&str> = profiles.iter().map(|profile| profile.id.as_str()).collect();
    for id in [
        "ci-failure-analysis",
        "deployments",
        "engineering-metrics",
        "secret-sync",
        "secret-scanning",
        "code-correlation",
    ] {
        assert!(ids.contains(&id), "missing profile {id} in {ids:?}");
    }
    for profile in &profiles {
        for provider in PROVIDERS {
            let needs = profile
                .providers
                .iter()
                .find(|needs| needs.provider == provider)
                .unwrap_or_else(|| panic!("{} lacks {provider:?}", profile.id));
            assert!(!needs.min_role.name.is_empty() && !needs.min_role.reason.is_empty());
            let expected_mode = if provider == Provider::BitbucketCloud {
                wit::ScopeMode::ConsumerPermissions
            } else {
                wit::ScopeMode::Request
            };
            assert_eq!(needs.scope_mode, expected_mode, "{} {provider:?}", profile.id);
        }
    }
}

fn request(provider: Provider) -> wit::AuthorizationRequest {
    wit::AuthorizationRequest {
        provider,
        base_url: None,
        client_id: "client-123".into(),
        redirect_uri: "https://app.example.com/callback".into(),
        scopes: None,
        profile: None,
        pkce: None,
    }
}

#[test]
fn authorization_url_carries_state_and_an_s256_challenge() {
    let mut plugin = plugin();
    let mut gitlab = request(Provider::Gitlab);
    gitlab.base_url = Some("https://example.com/gitlab".into());
    gitlab.scopes = Some(vec!["read_api".into(), "read_user".into()]);
    let authorization = plugin.authorization_url(&gitlab).unwrap().unwrap();

    assert!(
        authorization.url.starts_with("https://example.com/gitlab/oauth/authorize?"),
        "{}",
        authorization.url
    );
    let state = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&authorization.state)
        .expect("the state is base64url");
    assert!(state.len() >= 32, "the state carries at least 256 bits");
    assert_eq!(param(&authorization.url, "state").as_deref(), Some(authorization.state.as_str()));
    assert_eq!(param(&authorization.url, "client_id").as_deref(), Some("client-123"));
    assert_eq!(
        param(&authorization.url, "redirect_uri").as_deref(),
        Some("https://app.example.com/callback")
    );
    assert_eq!(param(&authorization.url, "scope").as_deref(), Some("read_api read_user"));
    assert_eq!(param(&authorization.url, "code_challenge_method").as_deref(), Some("S256"));

    let verifier = authorization.code_verifier.expect("PKCE by default on GitLab");
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(param(&authorization.url, "code_challenge"), Some(challenge));

    // Fresh randomness from the host on every call.
    let again = plugin.authorization_url(&gitlab).unwrap().unwrap();
    assert_ne!(again.state, authorization.state);
}

#[test]
fn authorization_url_follows_each_providers_spelling() {
    let mut plugin = plugin();
    let mut github = request(Provider::Github);
    github.scopes = Some(vec!["repo".into(), "read:org".into()]);
    let github = plugin.authorization_url(&github).unwrap().unwrap();
    assert!(github.url.starts_with("https://github.com/login/oauth/authorize?"));
    assert_eq!(param(&github.url, "scope").as_deref(), Some("repo read:org"));

    let bitbucket = plugin.authorization_url(&request(Provider::BitbucketCloud)).unwrap().unwrap();
    assert_eq!(param(&bitbucket.url, "scope"), None);

    let mut no_pkce = request(Provider::Gitlab);
    no_pkce.pkce = Some(false);
    no_pkce.profile = Some("ci-failure-analysis".into());
    let no_pkce = plugin.authorization_url(&no_pkce).unwrap().unwrap();
    assert_eq!(no_pkce.code_verifier, None);
    assert_eq!(param(&no_pkce.url, "code_challenge"), None);
    assert!(param(&no_pkce.url, "scope").is_some_and(|scope| !scope.is_empty()));

    let mut unknown = request(Provider::Gitlab);
    unknown.profile = Some("no-such-profile".into());
    let error = plugin.authorization_url(&unknown).unwrap().unwrap_err();
    assert_eq!(error.code, "profile.unknown");
}

#[test]
fn parse_callback_reads_codes_and_maps_errors() {
    let mut plugin = plugin();
    let base = "https://app.example.com/callback";
    let ok = plugin.parse_callback(&format!("{base}?code=abc&state=s1"), "s1").unwrap().unwrap();
    assert_eq!(ok.code, "abc");
    assert_eq!(ok.iss, None);

    let iss = plugin
        .parse_callback(
            &format!("{base}?code=abc&state=s1&iss=https%3A%2F%2Fgithub.com%2Flogin%2Foauth"),
            "s1",
        )
        .unwrap()
        .unwrap();
    assert_eq!(iss.iss.as_deref(), Some("https://github.com/login/oauth"));

    let cases = [
        ("code=abc&state=other", "oauth.state_mismatch"),
        ("state=s1", "oauth.missing_code"),
        ("code=a&code=b&state=s1", "oauth.duplicate_parameter"),
        ("error=access_denied&state=s1", "oauth.access_denied"),
        ("error=invalid_scope&state=s1", "oauth.invalid_scope"),
        ("error=redirect_uri_mismatch&state=s1", "oauth.redirect_uri_mismatch"),
    ];
    for (query, code) in cases {
        let error = plugin.parse_callback(&format!("{base}?{query}"), "s1").unwrap().unwrap_err();
        assert_eq!(error.code, code, "{query}");
        assert_eq!(error.guidance.code, code);
    }

    let provider_error = plugin
        .parse_callback(
            &format!("{base}?error=server_error&error_description=Try+later&state=s1"),
            "s1",
        )
        .unwrap()
        .unwrap_err();
    assert_eq!(provider_error.code, "oauth.provider_error");
    assert_eq!(provider_error.provider_detail.as_deref(), Some("Try later"));
}

#[test]
fn troubleshoot_explains_every_code() {
    let mut plugin = plugin();
    let codes = plugin.error_codes().unwrap();
    for code in &codes {
        let guidance = plugin.troubleshoot(code, None).unwrap().unwrap();
        assert_eq!(&guidance.code, code);
        assert!(
            !guidance.title.is_empty()
                && !guidance.summary.is_empty()
                && !guidance.steps.is_empty(),
            "{code}"
        );
        for provider in PROVIDERS {
            let specific = plugin.troubleshoot(code, Some(provider)).unwrap().unwrap();
            assert_eq!(&specific.code, code);
        }
    }
    let not_found = plugin.troubleshoot("http.not_found", Some(Provider::Gitlab)).unwrap().unwrap();
    assert!(not_found.steps.iter().any(|step| step.contains("base URL")), "{:?}", not_found.steps);

    let unknown = plugin.troubleshoot("no.such_code", None).unwrap().unwrap_err();
    assert_eq!(unknown.code, "input.unknown_code");
}

#[test]
fn error_codes_list_the_issue_codes() {
    let mut plugin = plugin();
    let codes = plugin.error_codes().unwrap();
    let unique: BTreeSet<&str> = codes.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), codes.len(), "codes are unique");
    for code in [
        "base_url.empty",
        "base_url.missing_scheme",
        "base_url.unsupported_scheme",
        "base_url.insecure_http",
        "base_url.trailing_slash",
        "base_url.credentials",
        "base_url.query_or_fragment",
        "base_url.api_path",
        "base_url.project_path",
        "base_url.invalid_host",
        "redirect_uri.mismatch",
        "redirect_uri.trailing_slash_mismatch",
        "oauth.state_mismatch",
        "oauth.missing_code",
        "oauth.duplicate_parameter",
        "oauth.access_denied",
        "oauth.invalid_scope",
        "oauth.redirect_uri_mismatch",
        "oauth.provider_error",
        "http.unauthorized",
        "http.forbidden",
        "http.not_found",
        "network.unreachable",
        "tls.untrusted_certificate",
        "oauth.invalid_client",
        "token.expired",
        "server.too_old",
        "repository.sha256_unsupported",
        "input.unknown_code",
    ] {
        assert!(unique.contains(code), "missing {code}");
    }
}
