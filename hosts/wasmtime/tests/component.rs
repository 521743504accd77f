//! Every export of the component, called through wasmtime, with real results checked.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use forgelink_host::http::{Fetch, HttpClient};
use forgelink_host::storage::MemoryStore;
use forgelink_host::wit::{self, Provider};
use forgelink_host::{json, HostError, HostState, Plugin, Runtime};
use sha2::{Digest, Sha256};

use common::core::{core_json, core_provider, core_response, response};
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
fn imports_are_exactly_forgelink_interfaces_and_wasi_random() {
    // Exactly what the world imports: a missing one means the glue stopped calling it, an
    // extra one (wasi:cli, wasi:io, wasi:clocks...) that a dependency reached for the platform
    // and every plugin host would have to provide it.
    let expected: BTreeSet<&str> = [
        "forgelink:connect/environment@0.1.0",
        "forgelink:connect/hmac@0.1.0",
        "forgelink:connect/http@0.1.0",
        "forgelink:connect/signer@0.1.0",
        "forgelink:connect/storage@0.1.0",
        "wasi:random/random@0.2.12",
    ]
    .into();
    let imports = runtime().imports();
    let actual: BTreeSet<&str> = imports.iter().map(String::as_str).collect();
    assert_eq!(actual, expected);
    assert_eq!(actual.len(), imports.len(), "no import twice: {imports:?}");

    let exports = runtime().exports();
    let actual: BTreeSet<&str> = exports.iter().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "forgelink:connect/types@0.1.0",
        "forgelink:connect/provider@0.1.0",
        "forgelink:connect/tokens@0.1.0",
        "forgelink:connect/webhooks@0.1.0",
        "forgelink:connect/polling@0.1.0",
        "forgelink:connect/feedback@0.1.0",
        "forgelink:connect/github-app@0.1.0",
        "forgelink:connect/flows@0.1.0",
    ]
    .into();
    assert_eq!(actual, expected);
}

/// The cache files in `dir` named after content (`forgelink-<sha256>.cwasm`) and after a file's
/// identity (`forgelink-file-<sha256>.cwasm`).
fn cache_files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.map(|entry| entry.expect("a directory entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    files.retain(|path| path.extension().is_some_and(|ext| ext == "cwasm"));
    files.sort();
    files.into_iter().partition(|path| {
        !path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|n| n.starts_with("forgelink-file-"))
    })
}

fn answers(runtime: &Runtime) {
    let http = HttpClient::new(&common::test_http_config()).expect("a valid configuration");
    let mut plugin = runtime.instantiate(HostState::new(http, None)).expect("it instantiates");
    let report =
        plugin.validate_base_url(Provider::Gitlab, "https://gitlab.example.com/gitlab").unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn a_settled_component_file_is_found_by_identity_and_a_rewrite_is_not() {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("identity-{}", process::id()));
    let _ = fs::remove_dir_all(&dir);
    let cache = dir.join("cache");
    fs::create_dir_all(&cache).unwrap();
    // This test's cache starts with the compiled code the other tests share, so that nothing
    // here compiles (seconds in a debug build).
    runtime();
    for file in cache_files(&common::cache_dir()).0 {
        fs::hard_link(&file, cache.join(file.file_name().unwrap())).unwrap();
    }
    let path = dir.join("forgelink.wasm");
    let original = fs::read(common::component_path()).expect("run `make component` first");
    fs::write(&path, &original).unwrap();

    // Just written: a rewrite could still carry the same times, so only its content is known.
    answers(&Runtime::load(&path, Some(&cache)).unwrap());
    assert_eq!(cache_files(&cache).1, Vec::<PathBuf>::new());

    // Settled, it is remembered by identity. With the copies named after content gone, a later
    // load still finds the code, without reading the file: it would otherwise compile and keep
    // the content again.
    thread::sleep(Duration::from_millis(3200));
    answers(&Runtime::load(&path, Some(&cache)).unwrap());
    let (by_content, by_identity) = cache_files(&cache);
    assert_eq!(by_identity.len(), 1, "{by_identity:?}");
    by_content.iter().for_each(|file| fs::remove_file(file).unwrap());
    answers(&Runtime::load(&path, Some(&cache)).unwrap());
    assert_eq!(cache_files(&cache), (vec![], by_identity));

    // Rewritten in place, same length, modification time put back: the status-change time
    // still moved, so the file is read again, and its new content (no component) refused.
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let mut file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all(&vec![0; original.len()]).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    let after = fs::metadata(&path).unwrap();
    assert_eq!((after.len(), after.modified().unwrap()), (original.len() as u64, modified));
    match Runtime::load(&path, Some(&cache)) {
        Err(HostError::Load(_)) => {}
        Err(error) => panic!("{error}"),
        Ok(_) => panic!("the code compiled from the earlier content was used"),
    }

    fs::remove_dir_all(&dir).unwrap();
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

/// The settings pages under each deployment's web base URL, as the provider modules record
/// them: GitHub "Creating an OAuth app" (https://docs.github.com/en/apps/oauth-apps/
/// building-oauth-apps/creating-an-oauth-app) and "Managing your personal access tokens";
/// GitLab "Create a user-owned application" (https://docs.gitlab.com/integration/
/// oauth_provider/) and "Personal access tokens"; Bitbucket Data Center "Configure an incoming
/// link" and "HTTP access tokens"; none for Bitbucket Cloud under bitbucket.org alone.
#[test]
fn settings_pages_of_each_deployment() {
    let mut plugin = plugin();
    for (provider, base, oauth_app, access_tokens) in [
        (
            Provider::Github,
            None,
            Some("https://github.com/settings/applications/new"),
            Some("https://github.com/settings/tokens/new"),
        ),
        (
            Provider::Gitlab,
            Some("https://example.com/gitlab/"),
            Some("https://example.com/gitlab/-/user_settings/applications"),
            Some("https://example.com/gitlab/-/user_settings/personal_access_tokens"),
        ),
        (
            Provider::BitbucketDataCenter,
            Some("https://git.example.com/bitbucket"),
            Some("https://git.example.com/bitbucket/plugins/servlet/applinks/listApplicationLinks"),
            Some("https://git.example.com/bitbucket/plugins/servlet/access-tokens/manage"),
        ),
        (Provider::BitbucketCloud, None, None, None),
    ] {
        let pages = plugin.settings_pages(provider, base).unwrap().unwrap();
        assert_eq!(
            (pages.oauth_app.as_deref(), pages.access_tokens.as_deref()),
            (oauth_app, access_tokens),
            "{provider:?}"
        );
        let core = forgelink::settings_pages(core_provider(provider), base).unwrap();
        assert_eq!(json::settings_pages(&pages), core_json(&core), "{provider:?}");
        let endpoints = plugin.endpoints(provider, base).unwrap().unwrap();
        assert_eq!(
            json::settings_pages(&endpoints.settings_pages),
            json::settings_pages(&pages),
            "{provider:?}"
        );
    }
    let error = plugin.settings_pages(Provider::BitbucketDataCenter, None).unwrap().unwrap_err();
    assert_eq!(error.code, "base_url.required");
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

    // GitHub Docs, "Scopes for OAuth apps": "The repo and public_repo scopes grant full access
    // to repositories, including repository hooks"; public_repo on public repositories only.
    let hooks: Vec<String> =
        ["admin:repo_hook", "write:repo_hook", "read:repo_hook"].map(String::from).to_vec();
    let repo = plugin.check_scopes(Provider::Github, "repo", &hooks).unwrap().unwrap();
    assert!(repo.satisfied && repo.public_repositories_only.is_empty(), "{repo:?}");
    let public = plugin.check_scopes(Provider::Github, "public_repo", &hooks).unwrap().unwrap();
    assert!(!public.satisfied);
    assert_eq!(public.missing, hooks);
    assert_eq!(public.public_repositories_only, hooks);
    let catalog = plugin.scope_catalog(Provider::Github).unwrap();
    let enterprise = catalog.iter().find(|s| s.name == "admin:enterprise").unwrap();
    assert_eq!(
        enterprise.implies,
        ["manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"]
    );

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
        root_namespace_id: None,
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
        "network.connection_refused",
        "network.name_not_resolved",
        "tls.untrusted_certificate",
        "tls.plain_http_on_https",
        "oauth.invalid_client",
        "token.expired",
        "server.too_old",
        "repository.sha256_unsupported",
        "input.unknown_code",
    ] {
        assert!(unique.contains(code), "missing {code}");
    }
}

// The `tokens` export. Each answer is also held to the core's own serde output, which is
// what the npm package prints, so the host's JSON carries the package's field names.

fn oauth_client(provider: Provider) -> wit::OauthClient {
    wit::OauthClient {
        provider,
        base_url: match provider {
            Provider::Gitlab => Some("https://example.com/gitlab".into()),
            Provider::BitbucketDataCenter => Some("https://bitbucket.example.com".into()),
            _ => None,
        },
        client_id: "the-client".into(),
        client_secret: Some("s3cret".into()),
        redirect_uri: Some("https://app.example.com/cb".into()),
    }
}

fn core_client(client: &wit::OauthClient) -> forgelink::OAuthClient {
    let mut core = forgelink::OAuthClient::new(core_provider(client.provider), &client.client_id);
    core.base_url = client.base_url.clone();
    core.client_secret = client.client_secret.clone().map(forgelink::ClientSecret::new);
    core.redirect_uri = client.redirect_uri.clone();
    core
}

fn form(request: &wit::Request) -> Vec<(String, String)> {
    let body = String::from_utf8(request.body.clone().unwrap_or_default()).expect("UTF-8");
    query(&format!("?{body}"))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn prepare_token_exchange_places_credentials_each_providers_way() {
    let mut plugin = plugin();
    for provider in PROVIDERS {
        let client = oauth_client(provider);
        let request =
            plugin.prepare_token_exchange(&client, "the-code", Some(&"v".repeat(43))).unwrap();
        let request = request.unwrap_or_else(|e| panic!("{provider:?}: {e:?}"));
        let core = forgelink::prepare_token_exchange(
            &core_client(&client),
            &forgelink::AuthorizationCode::new("the-code"),
            Some(&forgelink::CodeVerifier::new("v".repeat(43))),
        )
        .expect("the core agrees");
        assert_eq!(json::request(&request), core_json(&core), "{provider:?}");
        assert_eq!(request.method, "POST");
        let fields = form(&request);
        assert!(fields.contains(&("grant_type".into(), "authorization_code".into())));
        assert!(fields.contains(&("code".into(), "the-code".into())));
        assert!(fields.contains(&("redirect_uri".into(), "https://app.example.com/cb".into())));
    }
    let gitlab =
        plugin.prepare_token_exchange(&oauth_client(Provider::Gitlab), "c", None).unwrap().unwrap();
    assert_eq!(gitlab.url, "https://example.com/gitlab/oauth/token");
    assert!(form(&gitlab).contains(&("client_secret".into(), "s3cret".into())));
    let github =
        plugin.prepare_token_exchange(&oauth_client(Provider::Github), "c", None).unwrap().unwrap();
    assert_eq!(github.url, "https://github.com/login/oauth/access_token");
    assert_eq!(header(&github.headers, "accept"), Some("application/json"));
    // Bitbucket Cloud takes the consumer's credentials as HTTP Basic only.
    let bitbucket = plugin
        .prepare_token_exchange(&oauth_client(Provider::BitbucketCloud), "c", None)
        .unwrap()
        .unwrap();
    assert_eq!(header(&bitbucket.headers, "authorization"), Some("Basic dGhlLWNsaWVudDpzM2NyZXQ="));
    assert!(!form(&bitbucket).iter().any(|(name, _)| name == "client_secret"));

    let mut cloudless = oauth_client(Provider::BitbucketDataCenter);
    cloudless.base_url = None;
    let error = plugin.prepare_token_exchange(&cloudless, "c", None).unwrap().unwrap_err();
    assert_eq!(error.code, "base_url.required");
}

#[test]
fn prepare_refresh_revoke_and_the_device_flow() {
    let mut plugin = plugin();
    let gitlab = oauth_client(Provider::Gitlab);
    let refresh = plugin.prepare_refresh(&gitlab, "rt-1").unwrap().unwrap();
    let fields = form(&refresh);
    assert!(fields.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(fields.contains(&("refresh_token".into(), "rt-1".into())));
    // GitLab refuses a refresh that does not repeat the redirect URI.
    assert!(fields.contains(&("redirect_uri".into(), "https://app.example.com/cb".into())));
    let core =
        forgelink::prepare_refresh(&core_client(&gitlab), &forgelink::RefreshToken::new("rt-1"));
    assert_eq!(json::request(&refresh), core_json(&core.expect("the core agrees")));
    let without = wit::OauthClient { redirect_uri: None, ..gitlab.clone() };
    assert_eq!(plugin.prepare_refresh(&without, "rt").unwrap().unwrap_err().code, "input.invalid");

    let github = oauth_client(Provider::Github);
    let revoke = plugin.prepare_revoke(&github, "gho_token").unwrap().unwrap();
    assert_eq!(
        (revoke.method.as_str(), revoke.url.as_str()),
        ("DELETE", "https://api.github.com/applications/the-client/token")
    );
    assert_eq!(revoke.body.as_deref(), Some(br#"{"access_token":"gho_token"}"#.as_slice()));
    let revoke = plugin.prepare_revoke(&gitlab, "tok").unwrap().unwrap();
    assert_eq!(revoke.url, "https://example.com/gitlab/oauth/revoke");
    for provider in [Provider::BitbucketCloud, Provider::BitbucketDataCenter] {
        let error = plugin.prepare_revoke(&oauth_client(provider), "t").unwrap().unwrap_err();
        assert_eq!(error.code, "oauth.revoke_unsupported");
    }

    let device = plugin
        .prepare_device_authorization(&github, &["repo".into(), "read:org".into()])
        .unwrap()
        .unwrap();
    assert_eq!(device.url, "https://github.com/login/device/code");
    assert!(form(&device).contains(&("scope".into(), "repo read:org".into())));
    let poll = plugin.prepare_device_poll(&gitlab, "dc-1").unwrap().unwrap();
    assert_eq!(poll.url, "https://example.com/gitlab/oauth/token");
    assert!(form(&poll)
        .contains(&("grant_type".into(), "urn:ietf:params:oauth:grant-type:device_code".into())));
    assert!(form(&poll).contains(&("device_code".into(), "dc-1".into())));
    let bitbucket = oauth_client(Provider::BitbucketCloud);
    let error = plugin.prepare_device_authorization(&bitbucket, &[]).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.device_flow_unsupported");
    let error = plugin.prepare_device_poll(&bitbucket, "dc").unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.device_flow_unsupported");
}

#[test]
fn parse_device_authorization_reads_githubs_answer() {
    let mut plugin = plugin();
    let answer = response(
        200,
        &[("Content-Type", "application/json")],
        r#"{"device_code":"3584d83530557fdd1f46af8289938c8ef79f9dc5","user_code":"WDJB-MJHT","verification_uri":"https://github.com/login/device","expires_in":900,"interval":5}"#,
    );
    let device = plugin.parse_device_authorization(Provider::Github, &answer, 1_000).unwrap();
    let device = device.expect("a device authorization");
    assert_eq!(device.user_code, "WDJB-MJHT");
    assert_eq!(device.verification_uri, "https://github.com/login/device");
    assert_eq!((device.expires_at, device.interval), (1_900, 5));
    let core = forgelink::parse_device_authorization(
        forgelink::Provider::GitHub,
        &core_response(&answer),
        1_000,
    );
    assert_eq!(json::device_authorization(&device), core_json(&core.expect("the core agrees")));

    let disabled =
        response(200, &[], "error=device_flow_disabled&error_description=Device+flow+is+disabled");
    let error = plugin.parse_device_authorization(Provider::Github, &disabled, 0).unwrap();
    assert_eq!(error.unwrap_err().code, "oauth.device_flow_disabled");
}

#[test]
fn parse_token_response_reads_every_providers_quirks() {
    let mut plugin = plugin();
    // GitHub without `Accept: application/json`: a form, with a comma-separated scope.
    let github = response(
        200,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cread%3Aorg&token_type=bearer",
    );
    let tokens = plugin.parse_token_response(Provider::Github, &github, 1_000).unwrap().unwrap();
    assert_eq!(tokens.access_token, "gho_16C7e42F292c6912E7710c838347Ae178B4a");
    assert_eq!(tokens.scopes, ["repo", "read:org"]);
    assert_eq!((tokens.expires_at, tokens.refresh_token.as_deref()), (None, None));
    let core = forgelink::parse_token_response(
        forgelink::Provider::GitHub,
        &core_response(&github),
        1_000,
    );
    assert_eq!(json::token_set(&tokens), core_json(&core.expect("the core agrees")));

    // GitHub reports errors with HTTP 200.
    let error = response(
        200,
        &[("Content-Type", "application/json")],
        r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}"#,
    );
    let error = plugin.parse_token_response(Provider::Github, &error, 0).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.bad_verification_code");
    assert_eq!(error.provider_detail.as_deref(), Some("The code passed is incorrect or expired."));

    // GitLab's `created_at` is its own clock; the `Date` header moves it to the caller's.
    // Here the caller's clock runs 100 seconds ahead of the server's.
    let server_now = 1_700_000_000;
    let gitlab = response(
        200,
        &[("Date", "Tue, 14 Nov 2023 22:13:20 GMT")],
        &format!(
            r#"{{"access_token":"de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54","token_type":"Bearer","expires_in":7200,"refresh_token":"8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1","scope":"api read_user","created_at":{server_now}}}"#
        ),
    );
    let tokens =
        plugin.parse_token_response(Provider::Gitlab, &gitlab, server_now + 100).unwrap().unwrap();
    assert_eq!(tokens.expires_at, Some(server_now + 100 + 7200));
    assert_eq!(tokens.scopes, ["api", "read_user"]);
    assert!(tokens.refresh_token.is_some());
    let core = forgelink::parse_token_response(
        forgelink::Provider::GitLab,
        &core_response(&gitlab),
        server_now + 100,
    );
    assert_eq!(json::token_set(&tokens), core_json(&core.expect("the core agrees")));

    // Bitbucket's plural `scopes`, space-separated, and its refresh token.
    let bitbucket = response(
        200,
        &[],
        r#"{"access_token":"bb-access","scopes":"repository pullrequest","expires_in":7200,"refresh_token":"bb-refresh","token_type":"bearer","state":"authorization_code"}"#,
    );
    let tokens =
        plugin.parse_token_response(Provider::BitbucketCloud, &bitbucket, 10).unwrap().unwrap();
    assert_eq!(tokens.scopes, ["repository", "pullrequest"]);
    assert_eq!(tokens.expires_at, Some(7_210));

    for (body, code) in [
        (
            r#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}"#,
            "oauth.invalid_grant",
        ),
        (
            r#"{"error":"invalid_client","error_description":"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}"#,
            "oauth.invalid_client",
        ),
        (r#"{"error":"authorization_pending"}"#, "oauth.authorization_pending"),
        (r#"{"error":"slow_down","interval":10}"#, "oauth.slow_down"),
        (r#"{"error":"expired_token"}"#, "oauth.expired_token"),
        (r#"{"error":"invalid_scope"}"#, "oauth.invalid_scope"),
        (r#"{"token_type":"bearer"}"#, "token.invalid_response"),
        ("<html>502 Bad Gateway</html>", "http.server_error"),
    ] {
        let status = match body {
            _ if body.starts_with('<') => 502,
            _ if body.contains("error") => 400,
            _ => 200,
        };
        let answer = response(status, &[], body);
        let error = plugin.parse_token_response(Provider::Gitlab, &answer, 0).unwrap().unwrap_err();
        assert_eq!(error.code, code, "{body}");
        assert_eq!(error.guidance.code, code);
    }
}

/// GitLab's `root_namespace_id` ("OAuth 2.0 identity provider API", "Authorization code
/// flow", https://docs.gitlab.com/api/oauth2/#authorization-code-flow): sent for GitLab,
/// refused for another provider or an id that is not a number.
#[test]
fn authorization_url_carries_gitlabs_root_namespace_id() {
    let mut plugin = plugin();
    let mut gitlab = request(Provider::Gitlab);
    gitlab.root_namespace_id = Some("112".into());
    let authorization = plugin.authorization_url(&gitlab).unwrap().unwrap();
    assert_eq!(param(&authorization.url, "root_namespace_id").as_deref(), Some("112"));
    let plain = plugin.authorization_url(&request(Provider::Gitlab)).unwrap().unwrap();
    assert_eq!(param(&plain.url, "root_namespace_id"), None);
    gitlab.root_namespace_id = Some("my-group".into());
    let error = plugin.authorization_url(&gitlab).unwrap().unwrap_err();
    assert_eq!(error.code, "input.invalid");
    let mut github = request(Provider::Github);
    github.root_namespace_id = Some("112".into());
    let error = plugin.authorization_url(&github).unwrap().unwrap_err();
    assert_eq!(error.code, "input.invalid");
}

/// "Personal access token prefix" (https://docs.gitlab.com/administration/settings/
/// account_and_limit_settings/#personal-access-token-prefix): an administrator can replace
/// `glpat-`, so a token under the instance's own prefix is a GitLab access token only when
/// the caller names that prefix, and the known prefixes still win beside it.
#[test]
fn detect_token_with_a_custom_prefix() {
    let mut plugin = plugin();
    for (token, prefix, provider, kind) in [
        ("acme-xxxxxxxxxxxxxxxxxxxx", Some("acme-"), Some(Provider::Gitlab), "access-token"),
        (" acme-xxxxxxxxxxxxxxxxxxxx ", Some(" acme- "), Some(Provider::Gitlab), "access-token"),
        ("acme-xxxxxxxxxxxxxxxxxxxx", None, None, "unknown"),
        ("acme-xxxxxxxxxxxxxxxxxxxx", Some(" "), None, "unknown"),
        ("acme-xxxxxxxxxxxxxxxxxxxx", Some("other-"), None, "unknown"),
        (
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            Some("acme-"),
            Some(Provider::Github),
            "classic-pat",
        ),
        ("glpat-xxxxxxxxxxxxxxxxxxxx", Some("acme-"), Some(Provider::Gitlab), "access-token"),
    ] {
        let info = plugin.detect_token_with_prefix(token, prefix).unwrap();
        assert_eq!((info.provider, info.kind.as_str()), (provider, kind), "{token} {prefix:?}");
        let printed = json::token_info(&info);
        assert_eq!(
            printed,
            core_json(&forgelink::detect_token_with_prefix(token, prefix)),
            "{token} {prefix:?}"
        );
        assert!(!printed.to_string().contains(token.trim()), "the token is echoed back");
    }
}

/// The prefixes and the webhook roles a dashboard explains, as the core lists them.
#[test]
fn token_prefixes_and_webhook_access_equal_the_core() {
    let mut plugin = plugin();
    for provider in PROVIDERS {
        let core = forgelink::token_prefixes(core_provider(provider));
        let listed = plugin.token_prefixes(provider).unwrap();
        assert!(!listed.is_empty(), "{provider:?} documents token prefixes");
        assert_eq!(listed.len(), core.len(), "{provider:?}");
        for (wit, core) in listed.iter().zip(&core) {
            assert_eq!(wit.provider, Some(provider));
            let read = (
                wit.prefix.as_str(),
                wit.kind.as_str(),
                wit.description.as_str(),
                wit.usable_as_access_token,
            );
            assert_eq!(
                read,
                (core.prefix, core.kind, core.description, core.usable_as_access_token)
            );
            let dates = wit.retirement.as_ref().map(|r| {
                (r.creation_stopped_at, r.brownouts_from, r.removed_at, r.source.as_str())
            });
            let core_dates = core
                .retirement
                .map(|r| (r.creation_stopped_at, r.brownouts_from, r.removed_at, r.source));
            assert_eq!(dates, core_dates, "{}", core.prefix);
        }
        for role in ["maintainer", "developer", "admin", "REPO_ADMIN", "write", "nobody", ""] {
            let access = plugin.webhook_access(provider, role).unwrap();
            let core = forgelink::webhook_access(core_provider(provider), role);
            assert_eq!(
                access.map(|a| (a.needed_role, a.allowed)),
                core.map(|a| (a.needed_role.to_owned(), a.allowed)),
                "{provider:?} {role}"
            );
        }
    }
    let github = plugin.webhook_access(Provider::Github, "admin").unwrap();
    assert!(github.is_some_and(|access| access.allowed));
}

#[test]
fn detect_token_and_needs_refresh() {
    let mut plugin = plugin();
    for (token, provider, kind, usable) in [
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", Some(Provider::Github), "classic-pat", true),
        ("github_pat_11ABCDEFG0abcdefghijkl", Some(Provider::Github), "fine-grained-pat", true),
        ("ghr_refreshrefresh", Some(Provider::Github), "refresh", false),
        ("glpat-xxxxxxxxxxxxxxxxxxxx", Some(Provider::Gitlab), "access-token", true),
        ("gldt-deploydeploy", Some(Provider::Gitlab), "deploy-token", false),
        ("BBDC-abcdef", Some(Provider::BitbucketDataCenter), "http-access-token", true),
        ("de6780bc506a0446309bd93628", None, "unknown", true),
    ] {
        let info = plugin.detect_token(token).unwrap();
        assert_eq!(
            (info.provider, info.kind.as_str(), info.usable_as_access_token),
            (provider, kind, usable),
            "{token}"
        );
        let printed = json::token_info(&info);
        assert_eq!(printed, core_json(&forgelink::detect_token(token)), "{token}");
        assert!(!printed.to_string().contains(token), "the token is echoed back");
    }

    let tokens = wit::TokenSet {
        access_token: "a".into(),
        token_type: "bearer".into(),
        refresh_token: None,
        expires_at: Some(1_000),
        refresh_token_expires_at: None,
        scopes: Vec::new(),
    };
    assert!(!plugin.needs_refresh(&tokens, 900, 60).unwrap());
    assert!(plugin.needs_refresh(&tokens, 940, 60).unwrap());
    assert!(plugin.needs_refresh(&tokens, 1_000, 0).unwrap());
    assert!(!plugin.needs_refresh(&tokens, 999, -500).unwrap(), "a negative skew counts as none");
    let forever = wit::TokenSet { expires_at: None, ..tokens.clone() };
    assert!(!plugin.needs_refresh(&forever, i64::MAX, i64::MAX).unwrap());
    assert_eq!(
        json::parse_token_set(&json::token_set(&tokens)).map(|t| t.expires_at),
        Ok(Some(1_000))
    );
}

#[test]
fn parse_api_error_names_what_to_fix() {
    let mut plugin = plugin();
    let cases: [(Provider, wit::Response, &str); 7] = [
        (
            Provider::BitbucketCloud,
            response(
                403,
                &[],
                r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"granted":["repository"],"required":["pullrequest"]}}}"#,
            ),
            "http.missing_scope",
        ),
        (
            Provider::Github,
            response(
                403,
                &[],
                r#"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}"#,
            ),
            "http.forbidden",
        ),
        (
            Provider::Gitlab,
            response(
                403,
                &[],
                r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}"#,
            ),
            "http.missing_scope",
        ),
        (
            Provider::Github,
            response(
                403,
                &[
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", "1700003600"),
                    ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ],
                r#"{"message":"API rate limit exceeded for user ID 1."}"#,
            ),
            "http.rate_limited",
        ),
        (
            Provider::BitbucketDataCenter,
            response(
                302,
                &[("Location", "https://bitbucket.example.com/login?next=/rest/api/1.0/users")],
                "",
            ),
            "http.login_redirect",
        ),
        (
            Provider::Gitlab,
            response(401, &[], r#"{"message":"401 Unauthorized"}"#),
            "http.unauthorized",
        ),
        (
            Provider::Gitlab,
            response(503, &[("Retry-After", "30")], "<html></html>"),
            "http.server_error",
        ),
    ];
    for (provider, answer, code) in &cases {
        let (provider, code) = (*provider, *code);
        let error = plugin.parse_api_error(provider, answer).unwrap();
        assert_eq!(error.error.code, code, "{provider:?} {}", answer.status);
        assert_eq!(error.status, answer.status);
        let core = forgelink::parse_api_error(core_provider(provider), &core_response(answer));
        assert_eq!(json::api_error(&error), core_json(&core), "{provider:?} {}", answer.status);
    }
    let scopes = plugin.parse_api_error(Provider::BitbucketCloud, &cases[0].1).unwrap();
    assert_eq!(
        (scopes.required_scopes, scopes.granted_scopes),
        (vec!["pullrequest".into()], vec!["repository".into()])
    );
    let limited = plugin.parse_api_error(Provider::Github, &cases[3].1).unwrap();
    assert_eq!((limited.rate_limit_reset, limited.retry_after), (Some(1_700_003_600), Some(3_600)));
    // The error a flow would throw carries the same wait, and prints it as `retryAfter`.
    assert_eq!(limited.error.retry_after, Some(3_600));
    assert_eq!(json::error(&limited.error)["error"]["retryAfter"], 3_600);
    let unavailable = plugin.parse_api_error(Provider::Gitlab, &cases[6].1).unwrap();
    assert_eq!(unavailable.retry_after, Some(30));
}

// The `flows` export over a scripted provider and storage in memory; the real OAuth server
// is in `tests/oauth.rs`.

/// github.com as far as a token connection sees it: who the token is, its scopes and expiry.
fn scripted_github(
    seen: Arc<Mutex<Vec<wit::Request>>>,
    expires: &'static str,
) -> impl Fn(wit::Request) -> Result<wit::Response, wit::FetchError> + Send + Sync {
    move |request: wit::Request| {
        let authorized = header(&request.headers, "authorization")
            == Some("Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a");
        let path = (request.method.clone(), request.url.clone());
        if let Ok(mut seen) = seen.lock() {
            seen.push(request);
        }
        Ok(match (path.0.as_str(), path.1.as_str()) {
            ("GET", "https://api.github.com/user") if authorized => response(
                200,
                &[
                    ("X-OAuth-Scopes", "repo, read:org, read:user"),
                    ("GitHub-Authentication-Token-Expiration", expires),
                ],
                r#"{"login":"octocat","id":583231,"name":"The Octocat","html_url":"https://github.com/octocat"}"#,
            ),
            ("GET", "https://api.github.com/user") => response(
                401,
                &[],
                r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
            ),
            _ => response(404, &[], r#"{"message":"Not Found"}"#),
        })
    }
}

fn flows_plugin(fetch: impl Fetch + 'static, store: &MemoryStore, now: i64) -> Plugin {
    let state = HostState::new(fetch, None)
        .with_storage(store.clone())
        .with_encryption_key(common::test_key())
        .with_clock(common::ManualClock::at(now));
    runtime().instantiate(state).expect("the component instantiates")
}

/// 2026-11-22 00:00:00 UTC, seven days before the scripted token expires.
const NOW: i64 = 1_795_305_600;

#[test]
fn a_token_connection_over_a_scripted_provider() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = MemoryStore::new();
    let mut plugin =
        flows_plugin(scripted_github(seen.clone(), "2026-11-29 00:00:00 UTC"), &store, NOW);
    let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let request = wit::ConnectWithTokenRequest {
        provider: Provider::Github,
        base_url: None,
        token: token.into(),
        username: None,
        profile: Some("engineering-metrics".into()),
    };
    let connection = plugin.connect_with_token(&request).unwrap().expect("connected");
    assert_eq!(
        (connection.account.username.as_str(), connection.account.id.as_str()),
        ("octocat", "583231")
    );
    assert_eq!(connection.base_url, "https://github.com");
    assert_eq!(connection.expires_at, Some(NOW + 7 * 86_400));
    assert_eq!(
        connection.scopes.granted,
        Some(vec!["repo".into(), "read:org".into(), "read:user".into()])
    );
    assert!(connection.scopes.missing.is_empty(), "{:?}", connection.scopes);
    assert_eq!(connection.server_version, None);
    assert_eq!(
        json::connection(&connection)["account"],
        serde_json::json!({ "id": "583231", "username": "octocat", "name": "The Octocat", "webUrl": "https://github.com/octocat" })
    );
    for (key, value) in store.snapshot() {
        assert!(!String::from_utf8_lossy(&value).contains(token), "{key} holds the token");
    }

    assert_eq!(plugin.access_token(&connection.id).unwrap().expect("the token"), token);
    let report = plugin.test_connection(&connection.id).unwrap().expect("a report");
    assert!(report.ok, "{report:#?}");
    let expiry = report.checks.iter().find(|check| check.name == "token-expiry").expect("expiry");
    // A personal access token is rotated by hand: a week ahead is worth a warning.
    assert_eq!(expiry.status, wit::CheckStatus::Warn);
    assert_eq!(expiry.code.as_deref(), Some("token.expired"));
    assert!(expiry.guidance.as_ref().is_some_and(|g| g.code == "token.expired"));

    let disconnected = plugin.disconnect(&connection.id).unwrap().expect("disconnected");
    assert!(!disconnected.revoked);
    assert_eq!(disconnected.manual_steps.len(), 1);
    // Only the tombstone is left, holding nothing, and only for a day.
    let left: Vec<(String, Vec<u8>)> = store.snapshot().into_iter().collect();
    let tombstone =
        (format!("forgelink/v1/connection/{}", connection.id), b"forgelink:disconnected".to_vec());
    assert_eq!(left, [tombstone], "{:?}", store.snapshot().keys());
    assert_eq!(store.sweep(NOW + 86_399), 0);
    assert_eq!(store.sweep(NOW + 86_400), 1);
    assert!(store.is_empty(), "{:?}", store.snapshot().keys());
    let requests = seen.lock().map(|seen| seen.len()).unwrap_or_default();
    assert!(requests >= 2, "identified at connect and at the test: {requests}");

    let refused = wit::ConnectWithTokenRequest {
        token: "ghp_wrongwrongwrongwrongwrongwrong".into(),
        ..request.clone()
    };
    let error = plugin.connect_with_token(&refused).unwrap().expect_err("refused");
    assert_eq!(error.code, "http.unauthorized");
    for blank in ["", "  \n"] {
        let blank = wit::ConnectWithTokenRequest { token: blank.into(), ..request.clone() };
        let error = plugin.connect_with_token(&blank).unwrap().expect_err("a blank token");
        assert_eq!(error.code, "input.invalid");
    }
    let gitlab_token = wit::ConnectWithTokenRequest {
        token: "glpat-xxxxxxxxxxxxxxxxxxxx".into(),
        ..request.clone()
    };
    let error = plugin.connect_with_token(&gitlab_token).unwrap().expect_err("another provider's");
    assert_eq!(error.code, "base_url.wrong_provider");
    let missing = plugin.test_connection("no-such-connection").unwrap().expect_err("unknown");
    assert_eq!(missing.code, "connection.not_found");
    let invalid = plugin.disconnect("../../etc/passwd").unwrap().expect_err("not an id");
    assert_eq!(invalid.code, "connection.not_found");
}

#[test]
fn flows_map_the_hosts_failures_to_codes() {
    let request = wit::ConnectWithTokenRequest {
        provider: Provider::Gitlab,
        base_url: Some("https://gitlab.example.com".into()),
        token: "glpat-xxxxxxxxxxxxxxxxxxxx".into(),
        username: None,
        profile: None,
    };
    for (failure, code) in [
        (wit::FetchError::Timeout, "network.timeout"),
        (wit::FetchError::Tls("self-signed certificate".into()), "tls.untrusted_certificate"),
        (wit::FetchError::Connection("connection reset".into()), "network.unreachable"),
        (
            wit::FetchError::ConnectionRefused("connection refused".into()),
            "network.connection_refused",
        ),
        (
            wit::FetchError::NameNotResolved("gitlab.example.invalid does not resolve".into()),
            "network.name_not_resolved",
        ),
        (
            wit::FetchError::PlainHttpOnHttps("received corrupt message".into()),
            "tls.plain_http_on_https",
        ),
        (
            wit::FetchError::Blocked("10.0.0.5 is a private address".into()),
            "network.address_blocked",
        ),
        (
            wit::FetchError::InsecureHttp("http://gitlab.example.com".into()),
            "network.insecure_http",
        ),
        (wit::FetchError::TooLarge(10 * 1024 * 1024), "http.response_too_large"),
        (wit::FetchError::Other("invalid header".into()), "network.unreachable"),
    ] {
        let failing = move |_: wit::Request| Err(failure.clone());
        let mut plugin = flows_plugin(failing, &MemoryStore::new(), NOW);
        let error = plugin.connect_with_token(&request).unwrap().expect_err("no response");
        assert_eq!(error.code, code);
    }

    let unreachable = |_: wit::Request| Err(wit::FetchError::Timeout);
    // No key: every flow fails with a code, and the host's explanation as the detail.
    let http = common::test_http_config();
    let keyless = HostState::new(unreachable, None).with_storage(MemoryStore::new());
    let mut plugin = runtime().instantiate(keyless).expect("instantiates");
    let error = plugin.connect_with_token(&request).unwrap().expect_err("no key");
    assert_eq!(error.code, "input.invalid");
    assert!(
        error.provider_detail.as_deref().is_some_and(|d| d.contains("--key-file")),
        "{error:?}"
    );
    let error = plugin.access_token("abc").unwrap().expect_err("no key");
    assert_eq!(error.code, "input.invalid");
    drop(http);

    // No store: the flows report the storage failure.
    let storeless = HostState::new(unreachable, None).with_encryption_key(common::test_key());
    let mut plugin = runtime().instantiate(storeless).expect("instantiates");
    let start = wit::ConnectStartRequest {
        provider: Provider::Gitlab,
        base_url: Some("https://gitlab.example.com".into()),
        client_id: "app".into(),
        client_secret: None,
        redirect_uri: "https://app.example.com/cb".into(),
        profile: None,
        scopes: Some(vec!["read_user".into()]),
        pkce: None,
        root_namespace_id: None,
        session: None,
        connection_id: None,
    };
    let error = plugin.connect_start(&start).unwrap().expect_err("no store");
    assert_eq!(error.code, "storage.failed");
    assert!(error.provider_detail.is_some());
}

#[test]
fn a_started_authorization_is_single_use_bound_to_its_session_and_expires() {
    let store = MemoryStore::new();
    let clock = common::ManualClock::at(NOW);
    let state = HostState::new(|_: wit::Request| Err(wit::FetchError::Timeout), None)
        .with_storage(store.clone())
        .with_encryption_key(common::test_key())
        .with_clock(clock.clone());
    let mut plugin = runtime().instantiate(state).expect("instantiates");
    let start = wit::ConnectStartRequest {
        provider: Provider::Gitlab,
        base_url: Some("https://example.com/gitlab".into()),
        client_id: "app".into(),
        client_secret: Some("secret".into()),
        redirect_uri: "https://app.example.com/cb".into(),
        profile: Some("ci-failure-analysis".into()),
        scopes: None,
        pkce: None,
        root_namespace_id: None,
        session: Some("browser-session-1".into()),
        connection_id: None,
    };
    let started = plugin.connect_start(&start).unwrap().expect("started");
    assert!(started.url.starts_with("https://example.com/gitlab/oauth/authorize?"));
    assert_eq!(param(&started.url, "state").as_deref(), Some(started.state.as_str()));
    assert_eq!(store.len(), 1, "the pending authorization is stored");
    for (_, value) in store.snapshot() {
        assert!(!String::from_utf8_lossy(&value).contains("secret"));
        assert!(!String::from_utf8_lossy(&value).contains("browser-session-1"));
    }

    // Another session, another address, another issuer: refused, and the state is not spent.
    let callback = format!("https://app.example.com/cb?code=c&state={}", started.state);
    let session = Some("browser-session-1");
    for (callback, session, code) in [
        (callback.clone(), Some("browser-session-2"), "oauth.session_mismatch"),
        (callback.clone(), None, "oauth.session_mismatch"),
        (callback.replace("/cb?", "/other?"), session, "oauth.callback_mismatch"),
        (callback.replace("app.example.com", "evil.example"), session, "oauth.callback_mismatch"),
        (format!("{callback}&iss=https://evil.example"), session, "oauth.issuer_mismatch"),
    ] {
        let error = plugin.connect_finish(&callback, session).unwrap().unwrap_err();
        assert_eq!(error.code, code, "{callback} {session:?}");
        assert_eq!(error.guidance.code, code);
    }
    // The code exchange cannot reach the provider: a coded error, and the state is spent.
    let with_issuer = format!("{callback}&iss=https://example.com/gitlab");
    let error = plugin.connect_finish(&with_issuer, session).unwrap().unwrap_err();
    assert_eq!(error.code, "network.timeout");
    let error = plugin.connect_finish(&callback, session).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.state_mismatch");

    // Unbound authorizations are finished without a session, and refuse one.
    let unbound = wit::ConnectStartRequest { session: None, ..start.clone() };
    let started = plugin.connect_start(&unbound).unwrap().expect("started");
    let callback = format!("https://app.example.com/cb?code=c&state={}", started.state);
    let error = plugin.connect_finish(&callback, Some("browser-session-1")).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.session_mismatch");
    let error = plugin.connect_finish(&callback, None).unwrap().unwrap_err();
    assert_eq!(error.code, "network.timeout");

    // Ten minutes to finish; the store is told to keep it two minutes longer, for hosts whose
    // clocks run behind, and then counts it as gone.
    let late = plugin.connect_start(&unbound).unwrap().expect("started");
    let before: BTreeSet<String> = store.snapshot().into_keys().collect();
    let callback = format!("https://app.example.com/cb?code=c&state={}", late.state);
    clock.advance(601);
    let error = plugin.connect_finish(&callback, None).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.authorization_expired");
    let later = plugin.connect_start(&unbound).unwrap().expect("started");
    let key = store.snapshot().into_keys().find(|key| !before.contains(key)).expect("stored");
    let now = NOW + 601;
    assert!(forgelink_host::storage::Storage::get(&store, &key, now + 719).unwrap().is_some());
    assert!(forgelink_host::storage::Storage::get(&store, &key, now + 720).unwrap().is_none());
    clock.advance(720);
    let callback = format!("https://app.example.com/cb?code=c&state={}", later.state);
    let error = plugin.connect_finish(&callback, None).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.state_mismatch", "expired in the store");

    let error =
        plugin.connect_finish("https://app.example.com/cb?code=c", None).unwrap().unwrap_err();
    assert_eq!(error.code, "oauth.missing_state");
}
