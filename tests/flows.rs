//! The flows over an in-memory host and a scripted GitLab-shaped provider: single-use codes,
//! rotating refresh tokens, and futures that yield at every I/O so that concurrent callers
//! really interleave.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use forgelink::{
    Code, ConnectStart, ConnectWithToken, EncryptionKey, FetchError, Flows, Host, HttpRequest,
    HttpResponse, Provider, StorageError,
};
use futures::executor::block_on;
use futures::future::join_all;

/// Returns `Pending` once, so the executor polls the other futures in between.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn yield_now() -> YieldNow {
    YieldNow(false)
}

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
}

impl Provider_ {
    fn issue(&mut self, now: i64) -> HttpResponse {
        self.issued += 1;
        let access = format!("access-{}-{}", self.issued, "x".repeat(30));
        let refresh = format!("refresh-{}", self.issued);
        self.access_tokens.insert(access.clone(), now + 7200);
        self.refresh_token = Some(refresh.clone());
        json(
            200,
            &format!(
                r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":7200,"refresh_token":"{refresh}","scope":"api read_user","created_at":{now}}}"#
            ),
        )
    }

    fn handle(&mut self, request: &HttpRequest, now: i64) -> HttpResponse {
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
                || bearer.as_deref() == Some("glpat-personal-token-value");
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
    storage: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
    provider: Rc<RefCell<Provider_>>,
    clock: Rc<Cell<i64>>,
    counter: Rc<Cell<u64>>,
    offline: Rc<Cell<bool>>,
}

impl MemoryHost {
    fn new() -> Self {
        let provider = Provider_ { version: "17.5.1-ee".into(), ..Provider_::default() };
        MemoryHost {
            storage: Rc::default(),
            provider: Rc::new(RefCell::new(provider)),
            clock: Rc::new(Cell::new(1_700_000_000)),
            counter: Rc::default(),
            offline: Rc::default(),
        }
    }
}

impl Host for MemoryHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        yield_now().await;
        if self.offline.get() {
            return Err(FetchError::Connection("connection refused".into()));
        }
        let response = self.provider.borrow_mut().handle(&request, self.clock.get());
        yield_now().await;
        Ok(response)
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        yield_now().await;
        Ok(self.storage.borrow().get(key).cloned())
    }
    async fn set(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        yield_now().await;
        self.storage.borrow_mut().insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.storage.borrow_mut().remove(key);
        Ok(())
    }
    async fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StorageError> {
        yield_now().await;
        let mut storage = self.storage.borrow_mut();
        if storage.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        storage.insert(key.to_owned(), new.to_vec());
        Ok(true)
    }
    fn now(&self) -> i64 {
        self.clock.get()
    }
    fn fill_random(&self, buffer: &mut [u8]) {
        // Distinct, deterministic bytes: enough for tests, never for production.
        for byte in buffer.iter_mut() {
            self.counter.set(
                self.counter
                    .get()
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407),
            );
            *byte = (self.counter.get() >> 33) as u8;
        }
    }
    async fn sleep(&self, _millis: u32) {
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
    block_on(flows.connect_finish(&callback)).unwrap()
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
    for value in host.storage.borrow().values() {
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

#[test]
fn a_callback_is_used_once_and_expires() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    block_on(flows.connect_finish(&callback)).unwrap();
    let replay = block_on(flows.connect_finish(&callback)).unwrap_err();
    assert_eq!(replay.code, Code::OauthStateMismatch);
    let forged =
        block_on(flows.connect_finish("https://app.example/oauth/callback?code=x&state=forged"))
            .unwrap_err();
    assert_eq!(forged.code, Code::OauthStateMismatch);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-2");
    host.clock.set(host.clock.get() + 601);
    assert_eq!(
        block_on(flows.connect_finish(&callback)).unwrap_err().code,
        Code::OauthAuthorizationExpired
    );
    let denied =
        block_on(flows.connect_finish("https://app.example/oauth/callback?error=access_denied"))
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
    let error = block_on(flows.connect_finish(&callback)).unwrap_err();
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
    let b = MemoryHost { counter: Rc::new(Cell::new(99)), ..a.clone() };
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
    host.provider.borrow_mut().refresh_token = Some("revoked-elsewhere".into());
    host.clock.set(host.clock.get() + 7200);
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
    host.offline.set(true);
    let flows = flows(&host);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::NetworkUnreachable
    );
    host.offline.set(false);
    assert!(block_on(flows.access_token(&connection.id))
        .unwrap()
        .secret()
        .starts_with("access-2-"));
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

#[test]
fn too_old_instances_are_refused() {
    let host = MemoryHost::new();
    host.provider.borrow_mut().version = "8.17.8".into();
    let flows = flows(&host);
    let started = block_on(flows.connect_start(start())).unwrap();
    let callback = approve(&host, &started.url, "code-1");
    let error = block_on(flows.connect_finish(&callback)).unwrap_err();
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
    assert!(host.storage.borrow().is_empty());
}
