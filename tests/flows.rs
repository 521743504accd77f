//! The flows over an in-memory host and a scripted GitLab-shaped provider: single-use codes,
//! rotating refresh tokens, and futures that yield at every I/O so that concurrent callers
//! really interleave. The same provider also plays Bitbucket Cloud's hooks API and a GitHub
//! Enterprise Server's version, where their rules differ.

mod support;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use forgelink::{
    Code, ConnectStart, ConnectWithToken, ConnectionStatus, EncryptionKey, FetchError, Flows, Host,
    HttpRequest, HttpResponse, Provider, RandomError, ReceiptStatus, ReceiveOptions,
};
use futures::executor::block_on;
use futures::future::join_all;

use support::yield_now;

/// A project hook as the fake GitLab keeps it: id, url, token, events.
type FakeHook = (u64, String, String, Vec<String>);

/// A repository hook as the fake Bitbucket Cloud keeps it: `{uuid}`, url, secret, events.
type CloudHook = (String, String, String, Vec<String>);

/// The access token the fake Bitbucket Cloud and GitHub Enterprise Server accept.
const CLOUD_TOKEN: &str = "ATCTT3xFfGN0cloudrepositorytoken";
/// An app password, sent with the username (HTTP Basic).
const APP_PASSWORD: &str = "ATBBq8Rz3fakeapppassword";
/// An API token, sent with the Atlassian account email (HTTP Basic).
const API_TOKEN: &str = "ATATT3xFfGF0fakeapitoken";
/// The scopes the fake's API token was created with: write without read for repositories
/// and pull requests, which Bitbucket does not fill in ("This scope does not imply the
/// read:repository:bitbucket scope", support.atlassian.com/bitbucket-cloud/docs/
/// api-token-permissions/).
const API_TOKEN_SCOPES: &str = "read:user:bitbucket, write:repository:bitbucket, write:pullrequest:bitbucket, read:pullrequest:bitbucket, read:webhook:bitbucket, write:webhook:bitbucket";
/// A personal token of another account (eve) on the GitLab instance.
const SOMEONE_ELSE: &str = "glpat-someone-elses-token";
const GHES_TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

/// A GitLab under a relative root, as far as the flows see it.
#[derive(Default)]
struct Provider_ {
    codes: HashMap<String, String>, // code → code_challenge
    access_tokens: HashMap<String, i64>,
    refresh_token: Option<String>,
    issued: u32,
    refresh_requests: u32,
    revoked: Vec<String>,
    version: String,
    hooks: HashMap<String, Vec<FakeHook>>,
    next_hook_id: u64,
    /// Bitbucket Cloud's hooks on `acme/app`.
    cloud_hooks: Vec<CloudHook>,
    /// What GitHub Enterprise Server's `/api/v3/meta` reports as `installed_version`.
    ghes_version: String,
    /// The next tokens issued belong to eve, who approved in another account.
    next_for_eve: bool,
    eve_tokens: Vec<String>,
}

impl Provider_ {
    fn issue(&mut self, now: i64) -> HttpResponse {
        self.issued += 1;
        let access = format!("access-{}-{}", self.issued, "x".repeat(30));
        let refresh = format!("refresh-{}", self.issued);
        self.access_tokens.insert(access.clone(), now + 7200);
        if std::mem::take(&mut self.next_for_eve) {
            self.eve_tokens.push(access.clone());
        }
        self.refresh_token = Some(refresh.clone());
        json(
            200,
            &format!(
                r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":7200,"refresh_token":"{refresh}","scope":"api read_user","created_at":{now}}}"#
            ),
        )
    }

    fn handle(&mut self, request: &HttpRequest, now: i64) -> HttpResponse {
        if let Some(path) = request.url.strip_prefix("https://api.bitbucket.org/2.0") {
            return self.bitbucket_cloud(request, path);
        }
        if let Some(path) = request.url.strip_prefix("https://ghes.example.com/api/v3") {
            return self.github_enterprise(request, path);
        }
        let path = request.url.strip_prefix("https://git.example.com/gitlab").unwrap_or("?");
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(request.body.as_deref().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let bearer = request
            .headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .map(|(_, v)| v.trim_start_matches("Bearer ").to_owned());
        let authorized =
            bearer.as_ref().and_then(|t| self.access_tokens.get(t)).is_some_and(|exp| *exp > now)
                || bearer.as_deref() == Some("glpat-personal-token-value")
                || bearer.as_deref() == Some(SOMEONE_ELSE);
        match (request.method.as_str(), path.split('?').next().unwrap_or("")) {
            ("POST", "/oauth/token") => match form.get("grant_type").map(String::as_str) {
                Some("authorization_code") => {
                    let code = form.get("code").cloned().unwrap_or_default();
                    match self.codes.remove(&code) {
                        Some(challenge)
                            if pkce_matches(&challenge, form.get("code_verifier"))
                                && form.get("client_secret").map(String::as_str)
                                    == Some("app-secret") =>
                        {
                            self.issue(now)
                        }
                        Some(_) => json(
                            401,
                            r#"{"error":"invalid_client","error_description":"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}"#,
                        ),
                        None => json(
                            400,
                            r#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}"#,
                        ),
                    }
                }
                Some("refresh_token") => {
                    self.refresh_requests += 1;
                    if form.get("refresh_token") == self.refresh_token.as_ref()
                        && form.contains_key("redirect_uri")
                    {
                        self.issue(now)
                    } else {
                        json(
                            400,
                            r#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}"#,
                        )
                    }
                }
                _ => json(400, r#"{"error":"unsupported_grant_type"}"#),
            },
            ("POST", "/oauth/revoke") => {
                self.revoked.push(form.get("token").cloned().unwrap_or_default());
                json(200, "{}")
            }
            ("GET", _) if !authorized => json(
                401,
                r#"{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}"#,
            ),
            ("GET", "/api/v4/projects") => {
                let page2 = request.url.contains("page=2");
                let (items, link) = if page2 {
                    (
                        r#"[{"id":3,"name":"readonly","path_with_namespace":"group/readonly","web_url":"https://git.example.com/gitlab/group/readonly","default_branch":"main","permissions":{"project_access":{"access_level":20},"group_access":null}}]"#,
                        None,
                    )
                } else {
                    (r#"[{"id":1,"name":"app","path_with_namespace":"group/app","web_url":"https://git.example.com/gitlab/group/app","default_branch":"main","repository_object_format":"sha1","permissions":{"project_access":{"access_level":40},"group_access":{"access_level":30}}},{"id":2,"name":"new","path_with_namespace":"group/sub/new","web_url":"https://git.example.com/gitlab/group/sub/new","default_branch":"main","repository_object_format":"sha256","permissions":{"project_access":null,"group_access":{"access_level":50}}}]"#,
                     Some("<https://git.example.com/gitlab/api/v4/projects?membership=true&page=2>; rel=\"next\""))
                };
                let mut response = json(200, items);
                if let Some(link) = link {
                    response.headers.push(("Link".into(), link.into()));
                }
                response
            }
            (method, path) if path.starts_with("/api/v4/projects/") && path.contains("/hooks") => {
                self.hooks_api(method, path, request)
            }
            ("GET", "/api/v4/user")
                if bearer.as_deref() == Some(SOMEONE_ELSE)
                    || bearer.as_ref().is_some_and(|b| self.eve_tokens.contains(b)) =>
            {
                json(
                    200,
                    r#"{"id":66,"username":"eve","name":"Eve","web_url":"https://git.example.com/gitlab/eve"}"#,
                )
            }
            ("GET", "/api/v4/user") => json(
                200,
                r#"{"id":42,"username":"ada","name":"Ada Lovelace","web_url":"https://git.example.com/gitlab/ada"}"#,
            ),
            ("GET", "/api/v4/version") => {
                json(200, &format!(r#"{{"version":"{}","revision":"abc"}}"#, self.version))
            }
            ("GET", "/api/v4/personal_access_tokens/self") => json(
                200,
                r#"{"id":7,"name":"ci","revoked":false,"scopes":["read_api"],"active":true,"expires_at":"2024-01-01"}"#,
            ),
            _ => json(404, r#"{"message":"404 Not Found"}"#),
        }
    }
}

impl Provider_ {
    /// Bitbucket Cloud as its hooks API documents it: a hook's `uuid` in braces, and the hook
    /// addressed by that braced UUID, URL-encoded, in the path.
    fn bitbucket_cloud(&mut self, request: &HttpRequest, path: &str) -> HttpResponse {
        let error = |status, message: &str| {
            json(
                status,
                &serde_json::json!({"type": "error", "error": {"message": message}}).to_string(),
            )
        };
        let basic = |user: &str, secret: &str| forgelink_basic(user, secret);
        let scopes = match request.header_value("Authorization") {
            Some(a) if a == format!("Bearer {CLOUD_TOKEN}") => {
                "account, repository, pullrequest, webhook, pipeline"
            }
            Some(a) if a == basic("ada", APP_PASSWORD) => "account, repository, pullrequest",
            Some(a) if a == basic("ada@example.com", API_TOKEN) => API_TOKEN_SCOPES,
            _ => {
                return error(401, "Token is invalid, expired, or not supported for this endpoint.")
            }
        };
        let describe = |h: &CloudHook| serde_json::json!({"uuid": h.0, "url": h.1, "description": "forgelink", "subject_type": "repository", "active": true, "events": h.3, "secret_set": true});
        let body: serde_json::Value =
            serde_json::from_str(request.body.as_deref().unwrap_or("null")).unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        let hook = path.strip_prefix("/repositories/acme/app/hooks/");
        let position = hook.and_then(|segment| {
            self.cloud_hooks.iter().position(|h| {
                segment == format!("%7B{}%7D", h.0.trim_start_matches('{').trim_end_matches('}'))
            })
        });
        match (request.method.as_str(), path, position) {
            ("GET", "/user", _) => {
                let mut response = json(
                    200,
                    r#"{"uuid":"{d301aafa-d676-4ee0-88be-962be7417567}","username":"ada","display_name":"Ada Lovelace","links":{"html":{"href":"https://bitbucket.org/ada/"}}}"#,
                );
                response.headers.push(("x-oauth-scopes".into(), scopes.into()));
                response
            }
            ("GET", "/repositories/acme/app/hooks", _) => json(
                200,
                &serde_json::json!({"pagelen": 100, "page": 1, "size": self.cloud_hooks.len(), "values": self.cloud_hooks.iter().map(describe).collect::<Vec<_>>()}).to_string(),
            ),
            ("POST", "/repositories/acme/app/hooks", _) => {
                let uuid = format!("{{908a6d9e-0f3c-4b61-9b1e-{:012x}}}", self.cloud_hooks.len() + 1);
                let events = body["events"]
                    .as_array()
                    .map(|e| e.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let hook = (
                    uuid,
                    body["url"].as_str().unwrap_or_default().to_owned(),
                    body["secret"].as_str().unwrap_or_default().to_owned(),
                    events,
                );
                let answer = describe(&hook).to_string();
                self.cloud_hooks.push(hook);
                json(201, &answer)
            }
            ("PUT", _, Some(i)) => {
                let hook = &mut self.cloud_hooks[i];
                hook.1 = body["url"].as_str().unwrap_or_default().to_owned();
                hook.2 = body["secret"].as_str().unwrap_or_default().to_owned();
                json(200, &describe(hook).to_string())
            }
            ("DELETE", _, Some(i)) => {
                self.cloud_hooks.remove(i);
                json(204, "")
            }
            _ => error(404, "Resource not found"),
        }
    }

    /// A GitHub Enterprise Server that tells its version.
    fn github_enterprise(&mut self, request: &HttpRequest, path: &str) -> HttpResponse {
        if request.header_value("Authorization") != Some(&format!("Bearer {GHES_TOKEN}")) {
            return json(401, r#"{"message":"Bad credentials","status":"401"}"#);
        }
        let mut response = match path {
            "/user" => json(200, r#"{"login":"ada","id":1,"name":"Ada Lovelace","html_url":"https://ghes.example.com/ada"}"#),
            "/meta" => json(
                200,
                &serde_json::json!({"verifiable_password_authentication": true, "installed_version": self.ghes_version}).to_string(),
            ),
            _ => json(404, r#"{"message":"Not Found","status":"404"}"#),
        };
        // GitHub drops scopes another one includes: a token asked for repo and
        // admin:repo_hook reports repo alone ("Scopes for OAuth apps", "Normalized scopes").
        response.headers.push(("X-OAuth-Scopes".into(), "repo".into()));
        response.headers.push(("X-GitHub-Enterprise-Version".into(), self.ghes_version.clone()));
        response
    }

    fn hooks_api(&mut self, method: &str, path: &str, request: &HttpRequest) -> HttpResponse {
        let rest = path.trim_start_matches("/api/v4/projects/");
        let (project, tail) = rest.split_once("/hooks").unwrap();
        let project = project.replace("%2F", "/");
        let body: serde_json::Value =
            serde_json::from_str(request.body.as_deref().unwrap_or("null")).unwrap_or_default();
        match project.as_str() {
            "group/missing" => return json(404, r#"{"message":"404 Project Not Found"}"#),
            "group/readonly" if method != "GET" => {
                return json(403, r#"{"message":"403 Forbidden"}"#)
            }
            _ => {}
        }
        let hooks = self.hooks.entry(project).or_default();
        let hook_id: Option<u64> =
            tail.trim_start_matches('/').split('?').next().and_then(|t| t.parse().ok());
        let events = |body: &serde_json::Value| -> Vec<String> {
            body.as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, v)| k.ends_with("_events") && v.as_bool() == Some(true))
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let describe = |h: &FakeHook| {
            let mut v = serde_json::json!({ "id": h.0, "url": h.1, "enable_ssl_verification": true, "alert_status": "executable" });
            for e in &h.3 {
                v[e] = serde_json::Value::Bool(true);
            }
            v
        };
        match (method, hook_id) {
            ("GET", None) => json(
                200,
                &serde_json::Value::Array(hooks.iter().map(describe).collect()).to_string(),
            ),
            ("POST", None) => {
                self.next_hook_id += 1;
                let hook = (
                    self.next_hook_id,
                    body["url"].as_str().unwrap_or("").to_owned(),
                    body["token"].as_str().unwrap_or("").to_owned(),
                    events(&body),
                );
                let answer = describe(&hook).to_string();
                hooks.push(hook);
                json(201, &answer)
            }
            ("PUT", Some(id)) => match hooks.iter_mut().find(|h| h.0 == id) {
                Some(hook) => {
                    hook.1 = body["url"].as_str().unwrap_or("").to_owned();
                    hook.2 = body["token"].as_str().unwrap_or("").to_owned();
                    hook.3 = events(&body);
                    json(200, &describe(hook).to_string())
                }
                None => json(404, r#"{"message":"404 Not found"}"#),
            },
            ("DELETE", Some(id)) => {
                hooks.retain(|h| h.0 != id);
                json(204, "")
            }
            _ => json(405, "{}"),
        }
    }
}

fn pkce_matches(challenge: &str, verifier: Option<&String>) -> bool {
    use base64::Engine as _;
    use sha2::Digest as _;
    verifier.is_some_and(|v| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes()))
            == challenge
    })
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

/// One host; several may share the storage, the provider and the clock.
#[derive(Clone)]
struct MemoryHost {
    storage: support::Store,
    provider: Rc<RefCell<Provider_>>,
    clock: Rc<Cell<i64>>,
    random: support::Random,
    /// Every request fails this way, as a refused or unreachable address does.
    offline: Rc<RefCell<Option<FetchError>>>,
    /// What happens to a refresh request on its way: see [`Refresh`].
    refresh: Rc<Cell<Refresh>>,
    /// A storage key to replace with a tombstone while a refresh request is under way, as a
    /// disconnect in another process would.
    tombstone_during_refresh: Rc<RefCell<Option<String>>>,
    /// Milliseconds slept and not yet counted on the clock: waiting takes time.
    slept: Rc<Cell<u32>>,
    /// The random source fails.
    random_broken: Rc<Cell<bool>>,
}

/// How a refresh request fares between the host and the provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Refresh {
    #[default]
    Prompt,
    /// The process dies while sending: the request never reaches the provider.
    Hangs,
    /// The provider answers, but the answer is held up until the test sets `Prompt` again.
    AnswerHeld,
}

impl MemoryHost {
    fn new() -> Self {
        let provider = Provider_ { version: "17.5.1-ee".into(), ..Provider_::default() };
        MemoryHost {
            storage: support::Store::default(),
            provider: Rc::new(RefCell::new(provider)),
            clock: Rc::new(Cell::new(1_700_000_000)),
            random: support::Random::default(),
            offline: Rc::default(),
            refresh: Rc::default(),
            tombstone_during_refresh: Rc::default(),
            slept: Rc::default(),
            random_broken: Rc::default(),
        }
    }
}

impl Host for MemoryHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        yield_now().await;
        if let Some(error) = self.offline.borrow().clone() {
            return Err(error);
        }
        let refresh =
            request.body.as_deref().is_some_and(|b| b.contains("grant_type=refresh_token"));
        if refresh && self.refresh.get() == Refresh::Hangs {
            std::future::pending::<()>().await;
        }
        let response = self.provider.borrow_mut().handle(&request, self.clock.get());
        if refresh {
            if let Some(key) = self.tombstone_during_refresh.borrow_mut().take() {
                self.storage.set(&key, b"forgelink:disconnected", Some(86_400), self.clock.get());
            }
            while self.refresh.get() == Refresh::AnswerHeld {
                yield_now().await;
            }
        }
        yield_now().await;
        Ok(response)
    }
    support::storage_methods!();
    fn now(&self) -> i64 {
        self.clock.get()
    }
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        if self.random_broken.get() {
            return Err(RandomError("getrandom: no entropy source".into()));
        }
        self.random.fill(buffer);
        Ok(())
    }
    async fn sleep(&self, millis: u32) {
        let slept = self.slept.get() + millis;
        self.clock.set(self.clock.get() + i64::from(slept / 1000));
        self.slept.set(slept % 1000);
        yield_now().await;
    }
}

fn flows(host: &MemoryHost) -> Flows<MemoryHost> {
    Flows::new(host.clone(), EncryptionKey::new(&[7; 32]).unwrap())
}

fn start() -> ConnectStart {
    serde_json::from_value(serde_json::json!({
        "provider": "gitlab",
        "baseUrl": "https://git.example.com/gitlab/",
        "clientId": "app-id",
        "clientSecret": "app-secret",
        "redirectUri": "https://app.example/oauth/callback",
        "profile": "ci-failure-analysis",
    }))
    .unwrap()
}

/// Plays the person approving on the provider's page: the provider issues a code bound to the
/// PKCE challenge, and the browser comes back with it.
fn approve(host: &MemoryHost, url: &str, code: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    host.provider.borrow_mut().codes.insert(code.to_owned(), query["code_challenge"].clone());
    format!("https://app.example/oauth/callback?code={code}&state={}", query["state"])
}

fn connect(host: &MemoryHost) -> forgelink::Connection {
    let flows = flows(host);
    let started = block_on(flows.connect_start(start())).unwrap();
    assert!(started.url.starts_with("https://git.example.com/gitlab/oauth/authorize?"));
    let callback = approve(host, &started.url, "code-1");
    block_on(flows.connect_finish(&callback, None)).unwrap()
}

#[test]
fn oauth_connection_end_to_end() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    assert_eq!(connection.account.username, "ada");
    assert_eq!(connection.base_url, "https://git.example.com/gitlab");
    assert_eq!(connection.server_version.as_deref(), Some("17.5.1-ee"));
    assert_eq!(
        connection.scopes.granted.as_deref(),
        Some(&["api".to_owned(), "read_user".to_owned()][..])
    );
    assert!(connection.scopes.missing.is_empty());
    assert_eq!(connection.expires_at, Some(1_700_000_000 + 7200));
    // Nothing stored holds a token in plain text.
    for value in host.storage.values() {
        assert!(!value.windows(7).any(|w| w == b"access-" || w == b"refresh"));
    }
    let report = block_on(flows(&host).test_connection(&connection.id)).unwrap();
    assert!(report.ok, "{report:#?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        ["reachability", "identity", "server-version", "scopes", "token-expiry", "refresh-token"]
    );
}

/// GitLab's `root_namespace_id` ("OAuth 2.0 identity provider API", "Authorization code
/// flow", docs.gitlab.com/api/oauth2/#authorization-code-flow) reaches the URL the flow sends
/// the person to, and the callback still connects.
#[test]
fn connect_start_carries_gitlab_root_namespace_id() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let mut request = start();
    request.root_namespace_id = Some("112".into());
    let started = block_on(flows.connect_start(request)).unwrap();
    let url = url::Url::parse(&started.url).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query.get("root_namespace_id").map(String::as_str), Some("112"));
    let callback = approve(&host, &started.url, "code-ns");
    block_on(flows.connect_finish(&callback, None)).unwrap();
    let mut bad = start();
    bad.root_namespace_id = Some("acme".into());
    assert_eq!(block_on(flows.connect_start(bad)).unwrap_err().code, Code::InputInvalid);
}

/// GitHub exchanges a code only with the app's `client_secret` ("Authorizing OAuth apps",
/// docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps), and so do
/// Bitbucket Cloud and Data Center: a connection started without one is refused before the
/// person is sent to approve it, and nothing is stored. GitLab exchanges a non-confidential
/// application's code with the PKCE verifier alone ("OAuth 2.0 identity provider API").
#[test]
fn a_missing_client_secret_is_refused_before_the_person_is_sent_away() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    for (provider, base_url) in [
        ("github", None),
        ("bitbucket-cloud", None),
        ("bitbucket-data-center", Some("https://bb.example.com")),
    ] {
        for secret in [None, Some("  ")] {
            let start: ConnectStart = serde_json::from_value(serde_json::json!({
                "provider": provider, "baseUrl": base_url, "clientId": "app-id",
                "clientSecret": secret, "redirectUri": "https://app.example/oauth/callback",
            }))
            .unwrap();
            let error = block_on(flows.connect_start(start)).unwrap_err();
            assert_eq!(error.code, Code::OauthClientSecretRequired, "{provider} {secret:?}");
        }
    }
    assert!(host.storage.keys(host.clock.get()).is_empty(), "nothing is stored");
    let mut gitlab = start();
    gitlab.client_secret = None;
    assert!(block_on(flows.connect_start(gitlab)).is_ok());
}

#[test]
fn a_callback_is_used_once_and_expires() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    block_on(flows.connect_finish(&callback, None)).unwrap();
    let replay = block_on(flows.connect_finish(&callback, None)).unwrap_err();
    assert_eq!(replay.code, Code::OauthStateMismatch);
    let forged = block_on(
        flows.connect_finish("https://app.example/oauth/callback?code=x&state=forged", None),
    )
    .unwrap_err();
    assert_eq!(forged.code, Code::OauthStateMismatch);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-2");
    host.clock.set(host.clock.get() + 601);
    assert_eq!(
        block_on(flows.connect_finish(&callback, None)).unwrap_err().code,
        Code::OauthAuthorizationExpired
    );
    let denied = block_on(
        flows.connect_finish("https://app.example/oauth/callback?error=access_denied", None),
    )
    .unwrap_err();
    assert_eq!(denied.code, Code::OauthAccessDenied);
}

#[test]
fn a_wrong_secret_is_named() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let mut wrong = start();
    wrong.client_secret = Some(forgelink::ClientSecret::new("not-the-secret"));
    let started = block_on(flows.connect_start(wrong)).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    let error = block_on(flows.connect_finish(&callback, None)).unwrap_err();
    assert_eq!(error.code, Code::OauthInvalidClient);
    assert!(error.guidance().steps[0].contains("Renew secret"));
}

#[test]
fn eight_concurrent_callers_make_one_refresh() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    host.clock.set(host.clock.get() + 7200);
    let flows = flows(&host);
    let tokens = block_on(join_all((0..8).map(|_| flows.access_token(&connection.id))));
    assert_eq!(host.provider.borrow().refresh_requests, 1);
    let first = tokens[0].as_ref().unwrap().secret().to_owned();
    assert!(first.starts_with("access-2-"));
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == first));
}

#[test]
fn two_hosts_sharing_storage_make_one_refresh() {
    let a = MemoryHost::new();
    let connection = connect(&a);
    let b = MemoryHost { random: support::Random::seeded(99), ..a.clone() };
    a.clock.set(a.clock.get() + 7150); // within a minute of expiry
    let (flows_a, flows_b) = (flows(&a), flows(&b));
    let calls = (0..4)
        .flat_map(|_| [flows_a.access_token(&connection.id), flows_b.access_token(&connection.id)]);
    let calls: Vec<_> = calls.collect();
    let tokens = block_on(join_all(calls));
    assert_eq!(a.provider.borrow().refresh_requests, 1);
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret().starts_with("access-2-")));
}

#[test]
fn a_revoked_refresh_token_needs_the_person_again() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    lose_the_refresh_token(&host);
    let flows = flows(&host);
    let error = block_on(flows.access_token(&connection.id)).unwrap_err();
    assert_eq!(error.code, Code::ConnectionNeedsReauthorization);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::ConnectionNeedsReauthorization
    );
    assert_eq!(host.provider.borrow().refresh_requests, 1, "a dead connection is not retried");
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert!(!report.ok);
    assert_eq!(report.checks[0].code, Some(Code::ConnectionNeedsReauthorization));
}

#[test]
fn a_network_failure_keeps_the_tokens() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    host.clock.set(host.clock.get() + 7200);
    *host.offline.borrow_mut() = Some(FetchError::Connection("connection refused".into()));
    let flows = flows(&host);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::NetworkUnreachable
    );
    *host.offline.borrow_mut() = None;
    assert!(block_on(flows.access_token(&connection.id))
        .unwrap()
        .secret()
        .starts_with("access-2-"));
}

#[test]
fn a_refused_address_fails_the_reachability_check() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    for (error, code) in [
        (FetchError::Blocked("10.0.0.7 is private".into()), Code::NetworkAddressBlocked),
        (FetchError::InsecureHttp("http://git.example.com".into()), Code::NetworkInsecureHttp),
        (FetchError::TooLarge(10_485_760), Code::HttpResponseTooLarge),
        (FetchError::Timeout, Code::NetworkTimeout),
        (FetchError::Tls("self-signed certificate".into()), Code::TlsUntrustedCertificate),
        (FetchError::PlainHttpOnHttps("wrong version number".into()), Code::TlsPlainHttpOnHttps),
        (FetchError::ConnectionRefused("ECONNREFUSED".into()), Code::NetworkConnectionRefused),
        (FetchError::NameNotResolved("ENOTFOUND".into()), Code::NetworkNameNotResolved),
        (FetchError::Connection("ECONNRESET".into()), Code::NetworkUnreachable),
    ] {
        *host.offline.borrow_mut() = Some(error);
        let report = block_on(flows.test_connection(&connection.id)).unwrap();
        let failed: Vec<_> = report.checks.iter().map(|c| (c.name, c.code)).collect();
        assert_eq!(failed, [("reachability", Some(code))]);
    }
}

#[test]
fn personal_tokens_report_scopes_and_expiry() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let input: ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": "gitlab", "baseUrl": "https://git.example.com/gitlab", "token": "glpat-personal-token-value", "profile": "ci-failure-analysis"
    }))
    .unwrap();
    let connection = block_on(flows.connect_with_token(input)).unwrap();
    assert_eq!(connection.scopes.missing, ["api"]);
    assert_eq!(connection.expires_at, Some(1_704_067_200));
    host.clock.set(1_704_067_200 - 5 * 86_400);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let status = |name| report.checks.iter().find(|c| c.name == name).map(|c| (c.status, c.code));
    assert_eq!(
        status("scopes"),
        Some((forgelink::CheckStatus::Fail, Some(Code::HttpMissingScope)))
    );
    assert_eq!(
        status("token-expiry"),
        Some((forgelink::CheckStatus::Warn, Some(Code::TokenExpired)))
    );
    let refresh = forgelink::ConnectWithToken {
        provider: Provider::GitHub,
        base_url: None,
        token: forgelink::AccessToken::new("ghr_abc"),
        username: None,
        profile: None,
    };
    assert_eq!(
        block_on(flows.connect_with_token(refresh)).unwrap_err().code,
        Code::TokenNotAccessToken
    );
}

/// HTTP Basic credentials, as Bitbucket Cloud reads API tokens and app passwords.
fn forgelink_basic(user: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
    )
}

/// App passwords: creation stopped 2025-09-09 ("Bitbucket Cloud enters phase 2 of app password
/// deprecation"), brownouts from 2026-06-09, removal on 2026-07-28 ("Deprecation notice:
/// Bitbucket Cloud app password brownout schedule and next steps", community.atlassian.com).
/// The dates are judged by the host's clock: accepted with a warning before the removal,
/// refused from it on.
#[test]
fn bitbucket_cloud_app_passwords_are_judged_by_the_hosts_clock() {
    const BROWNOUTS_FROM: i64 = 1_780_963_200; // 2026-06-09T00:00:00Z
    const REMOVED_AT: i64 = 1_785_196_800; // 2026-07-28T00:00:00Z
    let host = MemoryHost::new();
    let flows = flows(&host);
    let input = || -> ConnectWithToken {
        serde_json::from_value(serde_json::json!({
            "provider": "bitbucket-cloud", "token": APP_PASSWORD, "username": "ada", "profile": "engineering-metrics"
        }))
        .unwrap()
    };
    host.clock.set(BROWNOUTS_FROM - 86_400);
    let connection = block_on(flows.connect_with_token(input())).unwrap();
    assert_eq!(connection.expires_at, Some(REMOVED_AT), "it stops working on the removal day");
    let expiry = |report: &forgelink::ConnectionReport| {
        report.checks.iter().find(|c| c.name == "token-expiry").cloned().unwrap()
    };
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let check = expiry(&report);
    assert_eq!(
        (check.status, check.code),
        (forgelink::CheckStatus::Warn, Some(Code::TokenAppPasswordRetired))
    );
    assert!(check.message.contains("removes them on 2026-07-28"), "{}", check.message);
    host.clock.set(BROWNOUTS_FROM + 3600);
    let check = expiry(&block_on(flows.test_connection(&connection.id)).unwrap());
    assert!(check.message.contains("since 2026-06-09"), "{}", check.message);
    // From the removal on, by the host's clock, the stored connection and a new one fail.
    host.clock.set(REMOVED_AT);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert!(!report.ok);
    assert_eq!(
        (report.checks[0].name, report.checks[0].code),
        ("token", Some(Code::TokenAppPasswordRetired))
    );
    // The summary beside the checks says the connection needs a new token, and that nothing
    // else was read this time.
    assert_eq!(
        (report.connection.status, report.observed),
        (ConnectionStatus::NeedsReauthorization, false)
    );
    // A test reports; it does not change what is stored: on an earlier clock, it is active.
    host.clock.set(BROWNOUTS_FROM + 3600);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert_eq!((report.connection.status, report.observed), (ConnectionStatus::Active, true));
    host.clock.set(REMOVED_AT);
    let error = block_on(flows.connect_with_token(input())).unwrap_err();
    assert_eq!(error.code, Code::TokenAppPasswordRetired);
    assert!(error.message.contains("2026-07-28"), "{}", error.message);
    let guidance = error.guidance();
    assert!(guidance.steps.iter().any(|s| s.contains("API token") && s.contains("email")));
    assert!(guidance.steps.iter().any(|s| s.contains("access token")));
}

/// An API token's scopes are API token scopes, and write does not stand for read ("This scope
/// does not imply the read:repository:bitbucket scope", support.atlassian.com/bitbucket-cloud/
/// docs/api-token-permissions/): the profile's API token scopes are checked, not the consumer's.
#[test]
fn bitbucket_cloud_api_tokens_are_checked_against_api_token_scopes() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let input: ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": "bitbucket-cloud", "token": API_TOKEN, "username": "ada@example.com", "profile": "deployments"
    }))
    .unwrap();
    let connection = block_on(flows.connect_with_token(input)).unwrap();
    assert_eq!(connection.account.username, "ada");
    assert_eq!(connection.scopes.missing, ["read:repository:bitbucket"]);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let scopes = report.checks.iter().find(|c| c.name == "scopes").unwrap();
    assert_eq!(scopes.code, Some(Code::HttpMissingScope));
    assert!(scopes.message.contains("read:repository:bitbucket"), "{}", scopes.message);
}

#[test]
fn too_old_instances_are_refused() {
    let host = MemoryHost::new();
    host.provider.borrow_mut().version = "8.17.8".into();
    let flows = flows(&host);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    let error = block_on(flows.connect_finish(&callback, None)).unwrap_err();
    assert_eq!(error.code, Code::ServerTooOld);
}

#[test]
fn disconnect_revokes_and_forgets() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert!(report.revoked);
    assert_eq!(host.provider.borrow().revoked.len(), 1);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::ConnectionNotFound
    );
    assert_only_tombstone(&host, &connection.id);
}

/// After a disconnect, storage holds nothing but the connection's tombstone (nothing secret)
/// and the claims of what it received, all of which expire by themselves.
fn assert_only_tombstone(host: &MemoryHost, id: &str) {
    let now = host.clock.get();
    let key = format!("forgelink/v1/connection/{id}");
    let left = host.storage.keys(now);
    assert!(left.contains(&key), "{left:?}");
    let claims = [format!("forgelink/v1/delivery/{id}/"), format!("forgelink/v1/state/{id}/")];
    assert!(left.iter().all(|k| *k == key || claims.iter().any(|c| k.starts_with(c))), "{left:?}");
    assert_eq!(host.storage.get(&key, now).unwrap(), b"forgelink:disconnected");
    assert!(host.storage.keys(now + 32 * 86_400).is_empty());
}

/// A Push Hook; each uuid is another push, of a commit ending in the uuid's last character.
fn push_delivery(token: &str, uuid: &str, project: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let sha = format!("da1560886d4f094c3e6c9ef40349f7d38b5d27d{}", &uuid[uuid.len() - 1..]);
    let headers = vec![
        ("X-Gitlab-Event".to_owned(), "Push Hook".to_owned()),
        ("X-Gitlab-Token".to_owned(), token.to_owned()),
        ("X-Gitlab-Event-UUID".to_owned(), uuid.to_owned()),
    ];
    let body = serde_json::json!({
        "object_kind": "push", "ref": "refs/heads/main", "checkout_sha": sha,
        "user_username": "ada", "project": { "id": 1, "path_with_namespace": project, "web_url": "https://git.example.com/gitlab/group/app" }
    });
    (headers, body.to_string().into_bytes())
}

#[test]
fn projects_are_discovered_page_by_page_with_roles() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    let first =
        block_on(flows.discover_projects(&connection.id, forgelink::DiscoverOptions::default()))
            .unwrap();
    let summary: Vec<(&str, Option<&str>, bool)> =
        first.projects.iter().map(|p| (p.path.as_str(), p.role.as_deref(), p.sha256)).collect();
    assert_eq!(
        summary,
        [("group/app", Some("maintainer"), false), ("group/sub/new", Some("owner"), true)]
    );
    let cursor = first.next_cursor.clone().unwrap();
    let second = block_on(flows.discover_projects(
        &connection.id,
        forgelink::DiscoverOptions { cursor: Some(cursor), ..Default::default() },
    ))
    .unwrap();
    assert_eq!(second.projects[0].role.as_deref(), Some("reporter"));
    assert!(second.next_cursor.is_none());
    let elsewhere = forgelink::DiscoverOptions {
        cursor: Some("https://evil.example/api/v4/projects".into()),
        ..Default::default()
    };
    assert_eq!(
        block_on(flows.discover_projects(&connection.id, elsewhere)).unwrap_err().code,
        Code::InputInvalid,
        "a token never leaves its host"
    );
}

#[test]
fn discovery_leaves_out_excluded_paths_and_flags_sha256_repositories() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    let all = block_on(flows.discover_projects(&connection.id, Default::default())).unwrap();
    let flagged: Vec<(&str, Option<Code>)> = all
        .projects
        .iter()
        .map(|p| (p.path.as_str(), p.guidance.as_ref().map(|g| g.code)))
        .collect();
    assert_eq!(
        flagged,
        [("group/app", None), ("group/sub/new", Some(Code::RepositorySha256Unsupported))]
    );
    let exclude = vec!["Group/Sub/*".to_owned(), "  ".to_owned()];
    let options = forgelink::DiscoverOptions { exclude, ..Default::default() };
    let page = block_on(flows.discover_projects(&connection.id, options)).unwrap();
    assert_eq!(page.projects.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["group/app"]);
    assert_eq!(page.excluded, 1);
    assert!(page.next_cursor.is_some(), "the next page is still there");
}

#[test]
fn webhooks_register_idempotently_receive_once_and_unregister() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    let register = || {
        serde_json::from_value::<forgelink::RegisterWebhooks>(serde_json::json!({
            "projects": ["group/app", "group/missing", "group/readonly"],
            "url": "https://app.example/hooks/gitlab",
            "profile": "ci-failure-analysis",
        }))
        .unwrap()
    };
    let results = block_on(flows.register_webhooks(&connection.id, register())).unwrap();
    let outcome: Vec<(forgelink::RegistrationStatus, Option<Code>)> =
        results.iter().map(|r| (r.status, r.code)).collect();
    use forgelink::RegistrationStatus::{Created, Failed, Removed, Updated};
    assert_eq!(
        outcome,
        [(Created, None), (Failed, Some(Code::HttpNotFound)), (Failed, Some(Code::HttpForbidden))]
    );
    let hook = host.provider.borrow().hooks["group/app"][0].clone();
    assert_eq!(hook.3, ["job_events", "merge_requests_events", "pipeline_events"]);
    let first_secret = hook.2.clone();
    assert!(first_secret.len() >= 43);

    // The hook delivers to its own URL: the receiver's, with a route id.
    let route = hook.1.clone();
    assert!(route.starts_with("https://app.example/hooks/gitlab/") && route.len() >= 55, "{route}");
    let receive = |route: &str, headers: &[(String, String)], body: &[u8]| {
        support::receive_and_handle(&flows, route, headers, body, Default::default())
    };

    // Receiving: once, then a duplicate; a forged token is rejected.
    let (headers, body) = push_delivery(&first_secret, "uuid-1", "group/app");
    let receipt = receive(&route, &headers, &body);
    assert_eq!(receipt.status, forgelink::ReceiptStatus::Accepted);
    assert_eq!(receipt.connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(receipt.project.as_deref(), Some("group/app"));
    assert_eq!(
        receipt.event.unwrap().commit_sha.as_deref(),
        Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d1")
    );
    let again = receive(&route, &headers, &body);
    assert_eq!(again.status, forgelink::ReceiptStatus::Duplicate);
    // The route id alone, as a router that strips the prefix passes it, finds the same hook.
    let route_id = route.rsplit('/').next().unwrap();
    assert_eq!(receive(route_id, &headers, &body).status, forgelink::ReceiptStatus::Duplicate);
    let (forged, body2) = push_delivery("guessed", "uuid-2", "group/app");
    let receipt = receive(&route, &forged, &body2);
    assert_eq!(
        (receipt.status, receipt.code),
        (forgelink::ReceiptStatus::Rejected, Some(Code::WebhookSignatureMismatch))
    );
    // The route decides where a delivery belongs, never the project its payload names; a URL
    // forgelink never issued leads nowhere.
    let (other, body3) = push_delivery(&first_secret, "uuid-3", "group/other");
    let receipt = receive(&route, &other, &body3);
    assert_eq!(receipt.project.as_deref(), Some("group/app"));
    for nowhere in [
        "https://app.example/hooks/gitlab",
        "https://app.example/hooks/gitlab/AAAAAAAAAAAAAAAAAAAAAA",
        "../x",
    ] {
        assert_eq!(receive(nowhere, &other, &body3).code, Some(Code::WebhookUnknownRoute));
    }

    // The same delivery on two hosts at once is accepted exactly once.
    let other = MemoryHost { random: support::Random::seeded(77), ..host.clone() };
    let other_flows = self::flows(&other);
    let (headers, body) = push_delivery(&first_secret, "uuid-4", "group/app");
    let both = block_on(futures::future::join(
        flows.receive_webhook(&route, &headers, &body, forgelink::ReceiveOptions::default()),
        other_flows.receive_webhook(&route, &headers, &body, forgelink::ReceiveOptions::default()),
    ));
    let accepted = [both.0.unwrap().status, both.1.unwrap().status]
        .iter()
        .filter(|s| **s == forgelink::ReceiptStatus::Accepted)
        .count();
    assert_eq!(accepted, 1);

    // Registering again reuses the hook with a fresh secret; the old one verifies for a while.
    let results = block_on(flows.register_webhooks(&connection.id, register())).unwrap();
    assert_eq!(
        (results[0].status, results[0].hook_id.as_deref()),
        (Updated, Some(hook.0.to_string().as_str()))
    );
    assert_eq!(host.provider.borrow().hooks["group/app"].len(), 1);
    let updated = host.provider.borrow().hooks["group/app"][0].clone();
    assert_ne!(updated.2, first_secret);
    assert_eq!(updated.1, route, "the route is kept across registrations");
    let (old, body5) = push_delivery(&first_secret, "uuid-5", "group/app");
    assert_eq!(receive(&route, &old, &body5).status, forgelink::ReceiptStatus::Accepted);
    host.clock.set(host.clock.get() + 3601);
    let (old, body6) = push_delivery(&first_secret, "uuid-6", "group/app");
    assert_eq!(receive(&route, &old, &body6).code, Some(Code::WebhookSignatureMismatch));
    let (new, body7) = push_delivery(&updated.2, "uuid-7", "group/app");
    assert_eq!(receive(&route, &new, &body7).status, forgelink::ReceiptStatus::Accepted);

    // A delivery URL that is not an absolute https URL is refused before anything is sent.
    let mut bad = register();
    bad.url = "hooks.example/gitlab".into();
    assert_eq!(
        block_on(flows.register_webhooks(&connection.id, bad)).unwrap_err().code,
        Code::InputInvalid
    );

    // Unregistering removes what forgelink created.
    let removed = block_on(flows.unregister_webhooks(&connection.id, None)).unwrap();
    assert_eq!(
        removed.iter().map(|r| (r.project.as_str(), r.status)).collect::<Vec<_>>(),
        [("group/app", Removed)]
    );
    assert!(host.provider.borrow().hooks["group/app"].is_empty());
    let (late, body8) = push_delivery(&updated.2, "uuid-8", "group/app");
    assert_eq!(receive(&route, &late, &body8).code, Some(Code::WebhookUnknownRoute));
}

#[test]
fn disconnect_removes_the_webhooks_too() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    register_app(&flows, &connection.id);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert_eq!(report.webhooks.len(), 1);
    assert_eq!(report.webhooks[0].status, forgelink::RegistrationStatus::Removed);
    assert!(host.provider.borrow().hooks["group/app"].is_empty(), "no webhook is left behind");
    assert_only_tombstone(&host, &connection.id);
    assert!(report.manual_steps.is_empty());
}

#[test]
fn a_disconnect_the_provider_refuses_names_each_webhook_left() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    register_app(&flows, &connection.id);
    // The access token expired and its refresh token was revoked elsewhere: no hook can go.
    lose_the_refresh_token(&host);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert_eq!(report.webhooks.len(), 1, "{:?}", report.webhooks);
    let left = &report.webhooks[0];
    assert_eq!(
        (left.project.as_str(), left.status),
        ("group/app", forgelink::RegistrationStatus::Failed)
    );
    assert_eq!(left.code, Some(Code::ConnectionNeedsReauthorization));
    assert!(left.guidance.is_some(), "why, with the fix");
    assert_eq!(host.provider.borrow().hooks["group/app"].len(), 1, "the hook is still there");
    assert!(
        report.manual_steps.iter().any(|s| s.contains("listed as not removed")),
        "{:?}",
        report.manual_steps
    );
    assert_only_tombstone(&host, &connection.id);
}

fn connect_bitbucket_cloud(flows: &Flows<MemoryHost>) -> forgelink::Connection {
    let input: ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": "bitbucket-cloud", "token": CLOUD_TOKEN, "profile": "deployments"
    }))
    .unwrap();
    block_on(flows.connect_with_token(input)).unwrap()
}

/// A `repo:push` delivery as Bitbucket Cloud sends it: `X-Hook-UUID` without braces, signed
/// with the hook's secret.
/// Each delivery pushes another commit, derived from the request's UUID.
fn cloud_push(secret: &str, hook_uuid: &str, request: &str) -> (Vec<(String, String)>, Vec<u8>) {
    use hmac::Mac as _;
    let commit = format!("{:0<40}", request.replace('-', ""));
    let body = serde_json::json!({
        "push": {"changes": [{"new": {"type": "branch", "name": "main", "target": {"type": "commit", "hash": commit}}, "old": null, "created": true, "forced": false, "closed": false, "truncated": false}]},
        "repository": {"type": "repository", "full_name": "acme/app", "name": "app", "uuid": "{1c4d7b8a-3b11-4b9a-9a3c-6bdc2fd5e1b4}"},
        "actor": {"type": "user", "display_name": "Ada Lovelace", "uuid": "{d301aafa-d676-4ee0-88be-962be7417567}", "nickname": "ada"}
    })
    .to_string()
    .into_bytes();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let headers = vec![
        ("X-Event-Key".to_owned(), "repo:push".to_owned()),
        ("X-Request-UUID".to_owned(), request.to_owned()),
        ("X-Hook-UUID".to_owned(), hook_uuid.to_owned()),
        ("X-Attempt-Number".to_owned(), "1".to_owned()),
        ("X-Hub-Signature".to_owned(), format!("sha256={hex}")),
    ];
    (headers, body)
}

#[test]
fn bitbucket_cloud_hooks_are_addressed_by_their_braced_uuid_and_deliver_to_their_route() {
    use forgelink::ReceiptStatus::{Accepted, Duplicate};
    use forgelink::RegistrationStatus::{Created, Removed, Updated};
    let host = MemoryHost::new();
    let flows = flows(&host);
    let connection = connect_bitbucket_cloud(&flows);
    assert_eq!(connection.account.username, "ada");
    let register = || {
        let request: forgelink::RegisterWebhooks = serde_json::from_value(serde_json::json!({
            "projects": ["acme/app"], "url": "https://app.example/hooks/bitbucket", "profile": "deployments",
        }))
        .unwrap();
        block_on(flows.register_webhooks(&connection.id, request)).unwrap()
    };
    let results = register();
    let braced = "{908a6d9e-0f3c-4b61-9b1e-000000000001}";
    let bare = "908a6d9e-0f3c-4b61-9b1e-000000000001";
    assert_eq!((results[0].status, results[0].hook_id.as_deref()), (Created, Some(braced)));
    let (secret, route) = {
        let provider = host.provider.borrow();
        (provider.cloud_hooks[0].2.clone(), provider.cloud_hooks[0].1.clone())
    };
    let receive = |headers: &[(String, String)], body: &[u8]| {
        support::receive_and_handle(&flows, &route, headers, body, Default::default())
    };
    let (headers, body) = cloud_push(&secret, bare, "afe4b9d0-a4fb-4e0f-8d13-c2c5e5a2b1f0");
    let receipt = receive(&headers, &body);
    assert_eq!((receipt.status, receipt.code), (Accepted, None), "{receipt:?}");
    assert_eq!(receive(&headers, &body).status, Duplicate);

    // Updating and removing address the hook by its braced UUID, URL-encoded.
    let results = register();
    assert_eq!((results[0].status, results[0].hook_id.as_deref()), (Updated, Some(braced)));
    assert_eq!(host.provider.borrow().cloud_hooks.len(), 1);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert_eq!(report.webhooks[0].status, Removed, "{:?}", report.webhooks);
    assert!(host.provider.borrow().cloud_hooks.is_empty());
    assert_only_tombstone(&host, &connection.id);
}

/// Two separate facts about GitHub Enterprise Server versions. forgelink needs 3.11 (polling
/// for pushes reads the repository activity list, which came in 3.11): older instances are
/// refused and fail the report. GitHub's own support window (github/docs
/// enterprise-dates.json: 3.14 deprecated on 2026-04-23, when 3.16 became the oldest
/// supported release) only warns, judged on the host's clock.
#[test]
fn github_enterprise_server_versions_against_forgelinks_need_and_githubs_dates() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let input = || -> ConnectWithToken {
        serde_json::from_value(serde_json::json!({
            "provider": "github", "baseUrl": "https://ghes.example.com", "token": GHES_TOKEN,
            "profile": "ci-failure-analysis"
        }))
        .unwrap()
    };
    host.provider.borrow_mut().ghes_version = "3.10.9".into();
    let error = block_on(flows.connect_with_token(input())).unwrap_err();
    assert_eq!(error.code, Code::ServerTooOld);
    assert!(error.message.contains("3.10.9") && error.message.contains("3.11"), "{error}");
    assert!(error.message.contains("repository activity"), "{error}");
    assert!(error.guidance().steps[0].contains("GitHub Enterprise Server 3.11"));

    // 3.14 connects whatever GitHub's dates say: support is the report's business.
    host.provider.borrow_mut().ghes_version = "3.14.2".into();
    let connection = block_on(flows.connect_with_token(input())).unwrap();
    assert_eq!(connection.server_version.as_deref(), Some("3.14.2"));
    // The instance reports `repo` alone, as GitHub stores a token asked for repo and
    // admin:repo_hook; it covers the profile's webhooks.
    assert!(connection.scopes.missing.is_empty(), "{:?}", connection.scopes);
    let version_check = |report: &forgelink::ConnectionReport| {
        report.checks.iter().find(|c| c.name == "server-version").unwrap().clone()
    };

    // The day before 3.14's deprecation, by the host's clock: supported.
    host.clock.set(day("2026-04-22"));
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let check = version_check(&report);
    assert_eq!((report.ok, check.status, check.code), (true, forgelink::CheckStatus::Pass, None));
    assert!(check.message.contains("until 2026-04-23"), "{}", check.message);

    // From the deprecation day on: a warning naming the day and the release to upgrade to.
    host.clock.set(day("2026-04-23"));
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let check = version_check(&report);
    assert_eq!(
        (report.ok, check.status, check.code),
        (true, forgelink::CheckStatus::Warn, Some(Code::ServerDeprecated)),
        "{report:?}"
    );
    assert!(check.message.contains("on 2026-04-23"), "{}", check.message);
    assert!(check.message.contains("upgrade to 3.16 or later"), "{}", check.message);
    assert!(check.guidance.as_ref().is_some_and(|g| g.code == Code::ServerDeprecated));

    // Later, the release to upgrade to has moved with the clock; the one of the deprecation
    // day is named too.
    host.clock.set(day("2026-11-01"));
    let check = version_check(&block_on(flows.test_connection(&connection.id)).unwrap());
    assert!(
        check.message.contains("On that day the oldest supported release was 3.16"),
        "{}",
        check.message
    );
    assert!(
        check.message.contains("As of 2026-11-01, the oldest supported release is 3.19"),
        "{}",
        check.message
    );

    // A release newer than GitHub's published dates is fine, and the report's connection is
    // the instance as read now, not as it was when connecting.
    host.provider.borrow_mut().ghes_version = "3.40.0".into();
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert_eq!(version_check(&report).status, forgelink::CheckStatus::Pass);
    assert!(report.observed);
    assert_eq!(report.connection.server_version.as_deref(), Some("3.40.0"));
    assert_eq!(report.connection.status, ConnectionStatus::Active);

    // An instance restored from an old backup fails its version check, as GitLab's does.
    host.provider.borrow_mut().ghes_version = "2.22.0".into();
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let check = version_check(&report);
    assert_eq!(
        (report.ok, check.status, check.code),
        (false, forgelink::CheckStatus::Fail, Some(Code::ServerTooOld))
    );
}

/// Midnight UTC starting `YYYY-MM-DD`, in unix seconds.
fn day(date: &str) -> i64 {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, d) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    // H. Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

#[test]
fn a_disconnect_during_a_refresh_keeps_the_connection_gone_and_revokes_the_new_tokens() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    host.clock.set(host.clock.get() + 7200);
    let key = format!("forgelink/v1/connection/{}", connection.id);
    *host.tombstone_during_refresh.borrow_mut() = Some(key.clone());
    let error = block_on(flows(&host).access_token(&connection.id)).unwrap_err();
    assert_eq!(error.code, Code::ConnectionDisconnected);
    let provider = host.provider.borrow();
    assert_eq!(provider.revoked, ["access-2-".to_owned() + &"x".repeat(30)]);
    assert_eq!(host.storage.get(&key, host.clock.get()).unwrap(), b"forgelink:disconnected");
}

#[test]
fn a_refresh_that_finishes_before_the_disconnect_has_its_tokens_revoked_by_it() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    host.clock.set(host.clock.get() + 7200);
    let flows = flows(&host);
    let (token, report) = block_on(futures::future::join(
        flows.access_token(&connection.id),
        flows.disconnect(&connection.id),
    ));
    let token = token.unwrap();
    assert!(report.unwrap().revoked);
    assert!(host.provider.borrow().revoked.contains(&token.secret().to_owned()));
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::ConnectionNotFound
    );
}

#[test]
fn a_refresh_that_outlived_its_lease_revokes_what_it_got_instead_of_writing_it() {
    let a = MemoryHost::new();
    let connection = connect(&a);
    a.clock.set(a.clock.get() + 7200);
    // Another process, whose clock says the lease (three minutes) has run out.
    let b = MemoryHost {
        clock: Rc::new(Cell::new(a.clock.get() + 181)),
        random: support::Random::seeded(5),
        refresh: Rc::default(),
        ..a.clone()
    };
    a.refresh.set(Refresh::AnswerHeld);
    let (flows_a, flows_b) = (flows(&a), flows(&b));
    let (first, second) =
        block_on(futures::future::join(flows_a.access_token(&connection.id), async {
            // Wait until A's request reached the provider and its answer is held up.
            while a.provider.borrow().refresh_requests == 0 {
                yield_now().await;
            }
            let outcome = flows_b.access_token(&connection.id).await;
            a.refresh.set(Refresh::Prompt);
            outcome
        }));
    // A's refresh token was spent, so B's takeover cannot refresh: the person must connect
    // again, and A's tokens, which nobody will use, are revoked rather than written.
    assert_eq!(second.unwrap_err().code, Code::ConnectionNeedsReauthorization);
    assert_eq!(first.unwrap_err().code, Code::ConnectionLeaseLost);
    let provider = a.provider.borrow();
    assert_eq!(provider.revoked, ["access-2-".to_owned() + &"x".repeat(30)]);
}

#[test]
fn a_lease_holder_that_dies_mid_refresh_is_taken_over_after_the_lease() {
    let a = MemoryHost::new();
    let connection = connect(&a);
    a.clock.set(a.clock.get() + 7200);
    let b = MemoryHost {
        clock: Rc::new(Cell::new(a.clock.get())),
        random: support::Random::seeded(5),
        refresh: Rc::default(),
        ..a.clone()
    };
    a.refresh.set(Refresh::Hangs);
    let (flows_a, flows_b) = (flows(&a), flows(&b));
    let start = b.clock.get();
    let dying = Box::pin(flows_a.access_token(&connection.id));
    let taking_over = Box::pin(async {
        yield_now().await; // A takes the lease first.
        flows_b.access_token(&connection.id).await
    });
    let token = match block_on(futures::future::select(dying, taking_over)) {
        futures::future::Either::Right((token, _dead)) => token.unwrap(),
        futures::future::Either::Left(_) => panic!("the holder hangs forever"),
    };
    assert!(token.secret().starts_with("access-2-"));
    assert_eq!(a.provider.borrow().refresh_requests, 1, "only the survivor's request arrived");
    let waited = b.clock.get() - start;
    assert!((180..=200).contains(&waited), "took over after the lease, {waited} s");
}

#[test]
fn hosts_two_minutes_apart_make_one_refresh() {
    let a = MemoryHost::new();
    let connection = connect(&a);
    a.clock.set(a.clock.get() + 7150); // within a minute of expiry
    let b = MemoryHost {
        clock: Rc::new(Cell::new(a.clock.get() + 120)), // already past it
        random: support::Random::seeded(9),
        ..a.clone()
    };
    for (first, second) in [(&a, &b), (&b, &a)] {
        first.clock.set(first.clock.get() + 7200);
        second.clock.set(second.clock.get() + 7200);
        let before = a.provider.borrow().refresh_requests;
        let (flows_1, flows_2) = (flows(first), flows(second));
        let calls = (0..4).flat_map(|_| {
            [flows_1.access_token(&connection.id), flows_2.access_token(&connection.id)]
        });
        let tokens = block_on(join_all(calls.collect::<Vec<_>>()));
        assert_eq!(a.provider.borrow().refresh_requests, before + 1);
        let first_token = tokens[0].as_ref().unwrap().secret().to_owned();
        assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == first_token));
    }
}

#[test]
fn a_callback_from_another_issuer_address_or_session_is_refused_before_its_state_is_spent() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let mut bound = start();
    bound.session = Some(forgelink::SessionBinding::new("browser-session-1"));
    let started = block_on(flows.connect_start(bound)).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    let refused = |url: &str, session: Option<&str>| {
        block_on(flows.connect_finish(url, session)).unwrap_err().code
    };
    // A mix-up: the callback names another authorization server.
    let mixed = format!("{callback}&iss=https%3A%2F%2Fgitlab.evil.example");
    assert_eq!(refused(&mixed, Some("browser-session-1")), Code::OauthIssuerMismatch);
    // At another page, or another site, than the redirect URI.
    let elsewhere =
        callback.replace("https://app.example/oauth/callback", "https://app.example/other");
    assert_eq!(refused(&elsewhere, Some("browser-session-1")), Code::OauthCallbackMismatch);
    let foreign = callback.replace("https://app.example/", "https://evil.example/");
    assert_eq!(refused(&foreign, Some("browser-session-1")), Code::OauthCallbackMismatch);
    // In another browser session, or with none.
    assert_eq!(refused(&callback, Some("browser-session-2")), Code::OauthSessionMismatch);
    assert_eq!(refused(&callback, None), Code::OauthSessionMismatch);
    // None of those spent the state: the person's own callback still connects, naming the
    // instance as its issuer.
    let own = format!("{callback}&iss=https%3A%2F%2Fgit.example.com%2Fgitlab");
    let connection = block_on(flows.connect_finish(&own, Some("browser-session-1"))).unwrap();
    assert_eq!(connection.account.username, "ada");
    // The pending authorization is stored without the session value itself.
    assert!(host
        .storage
        .values()
        .iter()
        .all(|v| !v.windows(17).any(|w| w == b"browser-session-1")));

    // An empty binding (a missing cookie read as "") binds nothing: refused, nothing stored.
    let before = host.storage.values();
    for blank in ["", " \t"] {
        let mut unbound = start();
        unbound.session = Some(forgelink::SessionBinding::new(blank));
        let error = block_on(flows.connect_start(unbound)).unwrap_err();
        assert_eq!(error.code, Code::InputInvalid, "{blank:?}");
        assert!(error.message.contains("`session`"), "{}", error.message);
    }
    assert_eq!(host.storage.values(), before);
}

#[test]
fn a_failing_random_source_stops_the_flow_and_stores_nothing() {
    let host = MemoryHost::new();
    host.random_broken.set(true);
    let flows = flows(&host);
    let error = block_on(flows.connect_start(start())).unwrap_err();
    assert_eq!(error.code, Code::HostRandomFailed);
    assert!(error.guidance().steps[0].contains("getRandomValues"));
    let input: ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": "gitlab", "baseUrl": "https://git.example.com/gitlab", "token": "glpat-personal-token-value",
    }))
    .unwrap();
    assert_eq!(block_on(flows.connect_with_token(input)).unwrap_err().code, Code::HostRandomFailed);
    assert!(host.storage.keys(host.clock.get()).is_empty());
}

fn replacement(token: &str) -> forgelink::ReplaceCredentials {
    serde_json::from_value(serde_json::json!({ "token": token })).unwrap()
}

/// The access token expires, and the refresh token was revoked elsewhere meanwhile: only the
/// person can make the connection work again.
fn lose_the_refresh_token(host: &MemoryHost) {
    host.provider.borrow_mut().refresh_token = Some("revoked-elsewhere".into());
    host.clock.set(host.clock.get() + 7200);
}

fn register_app(flows: &Flows<MemoryHost>, id: &str) {
    let request: forgelink::RegisterWebhooks = serde_json::from_value(serde_json::json!({
        "projects": ["group/app"], "url": "https://app.example/hooks/gitlab", "profile": "ci-failure-analysis",
    }))
    .unwrap();
    let results = block_on(flows.register_webhooks(id, request)).unwrap();
    assert!(results[0].code.is_none(), "{results:?}");
}

/// Every live key and value, to compare before and after a refused call.
fn snapshot(host: &MemoryHost) -> BTreeMap<String, Vec<u8>> {
    let now = host.clock.get();
    host.storage
        .keys(now)
        .into_iter()
        .map(|k| (k.clone(), host.storage.get(&k, now).unwrap()))
        .collect()
}

#[test]
fn a_connection_needing_reauthorization_is_reauthorized_in_place_through_oauth() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    register_app(&flows, &connection.id);
    lose_the_refresh_token(&host);
    let error = block_on(flows.access_token(&connection.id)).unwrap_err();
    assert_eq!(error.code, Code::ConnectionNeedsReauthorization);
    let advice = error.guidance().steps.join(" ");
    assert!(advice.contains("Re-authorize the connection"), "{advice}");
    let mut again = start();
    again.connection_id = Some(connection.id.clone());
    let started = block_on(flows.connect_start(again)).unwrap();
    let callback = approve(&host, &started.url, "code-2");
    let renewed = block_on(flows.connect_finish(&callback, None)).unwrap();
    assert_eq!(renewed.id, connection.id, "the same connection, not a new one");
    assert_eq!(renewed.status, ConnectionStatus::Active);
    assert_eq!(renewed.account, connection.account);
    let token = block_on(flows.access_token(&connection.id)).unwrap();
    assert!(token.secret().starts_with("access-2-"), "the new grant's token");
    // The old token went once the new one was stored; the webhook is still the connection's.
    let first = "access-1-".to_owned() + &"x".repeat(30);
    assert_eq!(host.provider.borrow().revoked, [first]);
    assert!(block_on(flows.test_connection(&connection.id)).unwrap().ok);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert_eq!(report.webhooks.len(), 1, "{report:?}");
    assert!(host.provider.borrow().hooks["group/app"].is_empty());
}

#[test]
fn a_token_replaces_the_oauth_credentials_and_keeps_the_webhooks() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    register_app(&flows, &connection.id);
    let hook = host.provider.borrow().hooks["group/app"][0].clone();
    let replaced = block_on(
        flows.replace_credentials(&connection.id, replacement("glpat-personal-token-value")),
    )
    .unwrap();
    assert_eq!(replaced.id, connection.id);
    assert_eq!(replaced.scopes.granted.as_deref(), Some(&["read_api".to_owned()][..]));
    assert_eq!(host.provider.borrow().revoked, ["access-1-".to_owned() + &"x".repeat(30)]);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap().secret(),
        "glpat-personal-token-value"
    );
    // A delivery to the hook registered before still verifies and names the same connection.
    let route = hook.1.clone();
    let (headers, body) = push_delivery(&hook.2, "uuid-9", "group/app");
    let receipt =
        support::receive_and_handle(&flows, &route, &headers, &body, ReceiveOptions::default());
    assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    assert_eq!(receipt.connection_id.as_deref(), Some(connection.id.as_str()));
}

#[test]
fn credentials_of_another_account_or_instance_change_nothing() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    register_app(&flows, &connection.id);
    let before = snapshot(&host);
    let refused = |token: &str| {
        block_on(flows.replace_credentials(&connection.id, replacement(token))).unwrap_err()
    };
    let other = refused(SOMEONE_ELSE);
    assert_eq!(other.code, Code::ConnectionAccountMismatch);
    assert!(other.message.contains("eve") && other.message.contains("ada"), "{}", other.message);
    assert_eq!(
        refused("ghp_16C7e42F292c6912E7710c838347Ae178B4a").code,
        Code::ConnectionInstanceMismatch
    );
    // The instance refuses a token it never issued (this one says so as GitLab does).
    assert_eq!(refused("glpat-never-issued-anywhere").code, Code::TokenExpired);
    assert_eq!(refused(" ").code, Code::InputInvalid);
    let mut elsewhere = start();
    elsewhere.base_url = Some("https://gitlab.com".into());
    elsewhere.connection_id = Some(connection.id.clone());
    assert_eq!(
        block_on(flows.connect_start(elsewhere)).unwrap_err().code,
        Code::ConnectionInstanceMismatch
    );
    assert_eq!(snapshot(&host), before, "nothing was written");
    assert!(host.provider.borrow().revoked.is_empty(), "the connection's tokens still work");
    // Re-authorized through OAuth by someone else: the new tokens are revoked, not stored.
    let mut again = start();
    again.connection_id = Some(connection.id.clone());
    let started = block_on(flows.connect_start(again)).unwrap();
    let callback = approve(&host, &started.url, "code-eve");
    host.provider.borrow_mut().next_for_eve = true;
    let error = block_on(flows.connect_finish(&callback, None)).unwrap_err();
    assert_eq!(error.code, Code::ConnectionAccountMismatch);
    assert_eq!(host.provider.borrow().revoked, ["access-2-".to_owned() + &"x".repeat(30)]);
    assert_eq!(snapshot(&host), before, "nothing was written");
    assert!(block_on(flows.access_token(&connection.id))
        .unwrap()
        .secret()
        .starts_with("access-1-"));
}

#[test]
fn a_replacement_during_a_refresh_waits_for_it_and_both_writes_land() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    host.clock.set(host.clock.get() + 7200);
    host.refresh.set(Refresh::AnswerHeld);
    let flows = flows(&host);
    let (refreshed, replaced) =
        block_on(futures::future::join(flows.access_token(&connection.id), async {
            while host.provider.borrow().refresh_requests == 0 {
                yield_now().await;
            }
            let replacing = flows
                .replace_credentials(&connection.id, replacement("glpat-personal-token-value"));
            let release = async {
                for _ in 0..50 {
                    yield_now().await;
                }
                host.refresh.set(Refresh::Prompt);
            };
            futures::future::join(replacing, release).await.0
        }));
    // The refresh stored its tokens under its lease, then the replacement went over them.
    let refreshed = refreshed.unwrap();
    assert!(refreshed.secret().starts_with("access-2-"));
    assert_eq!(replaced.unwrap().id, connection.id);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap().secret(),
        "glpat-personal-token-value"
    );
    let revoked = host.provider.borrow().revoked.clone();
    assert_eq!(revoked, [refreshed.secret().to_owned()], "the superseded tokens were revoked");
}

#[test]
fn a_disconnected_connection_is_not_brought_back_by_a_replacement() {
    let host = MemoryHost::new();
    let connection = connect(&host);
    let flows = flows(&host);
    let (replaced, disconnected) = block_on(futures::future::join(
        flows.replace_credentials(&connection.id, replacement("glpat-personal-token-value")),
        flows.disconnect(&connection.id),
    ));
    disconnected.unwrap();
    if let Err(error) = replaced {
        assert!(
            matches!(error.code, Code::ConnectionDisconnected | Code::ConnectionNotFound),
            "{error:?}"
        );
    }
    assert_only_tombstone(&host, &connection.id);
    let error = block_on(
        flows.replace_credentials(&connection.id, replacement("glpat-personal-token-value")),
    )
    .unwrap_err();
    assert_eq!(error.code, Code::ConnectionNotFound);
    assert_only_tombstone(&host, &connection.id);
}

#[test]
fn a_connect_start_request_reads_a_group_id_as_a_number_or_as_text() {
    let read = |group: &str| {
        let json = format!(
            r#"{{"provider":"gitlab","clientId":"c","redirectUri":"https://app.example/cb","rootNamespaceId":{group}}}"#
        );
        serde_json::from_str::<forgelink::ConnectStart>(&json).map(|start| start.root_namespace_id)
    };
    assert_eq!(read("42").unwrap().as_deref(), Some("42"));
    assert_eq!(read(r#""acme""#).unwrap().as_deref(), Some("acme"));
    assert_eq!(read("null").unwrap(), None);
    for wrong in ["-1", "4.5", "true", "[]", "{}"] {
        assert!(read(wrong).is_err(), "{wrong}");
    }
}
