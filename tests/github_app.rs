//! GitHub Apps through the Rust face: a product shares one storage between its processes and
//! its customers, signs the app's JWTs with a key forgelink never sees, and one customer is
//! hostile, running its own Enterprise Server with an app and an installation of the same
//! numbers as the victim's.

#[path = "support/mod.rs"]
mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use forgelink::{
    Code, ConnectGitHubApp, DisconnectOptions, EncryptionKey, FetchError, Flows, Host, HttpRequest,
    HttpResponse, RandomError, ReceiptStatus, ReceiveOptions, RegisterGitHubApp, RegisterWebhooks,
    RegistrationStatus, SignAlgorithm, SignError, TokenNarrowing,
};
use futures::executor::block_on;
use hmac::Mac as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use support::forges::{FakeApp, FakeInstallation, Forges, Kind};

const GITHUB_API: &str = "https://api.github.com";
/// The hostile customer's own Enterprise Server.
const EVIL_API: &str = "https://ghes.evil.example/api/v3";
const EVIL: &str = "https://ghes.evil.example";
const RECEIVER: &str = "https://product.example/hooks/github-app";
const APP_ID: u64 = 4242;
const INSTALLATION: u64 = 77;
const KEY: &str = include_str!("fixtures/github-app-test-key.pem");

/// One process of the product.
#[derive(Clone)]
struct ProductHost {
    storage: support::Store,
    forges: Rc<RefCell<Forges>>,
    clock: Rc<Cell<i64>>,
    /// How far GitHub's clock is ahead of this host's.
    github_ahead: Rc<Cell<i64>>,
    random: support::Random,
    /// Whether the host has the app's key.
    signer: bool,
    signatures: Rc<Cell<usize>>,
}

impl Host for ProductHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        support::yield_now().await;
        let mut forges = self.forges.borrow_mut();
        forges.clock = self.clock.get() + self.github_ahead.get();
        Ok(forges.handle(&request))
    }
    support::storage_methods!();
    fn now(&self) -> i64 {
        self.clock.get()
    }
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        self.random.fill(buffer);
        Ok(())
    }
    async fn sleep(&self, _millis: u32) {
        support::yield_now().await;
    }
    async fn sign(
        &self,
        algorithm: SignAlgorithm,
        app_id: &str,
        data: &[u8],
    ) -> Result<Vec<u8>, SignError> {
        assert_eq!(algorithm, SignAlgorithm::Rs256);
        if !self.signer || app_id != APP_ID.to_string() {
            return Err(SignError(format!("no key for app {app_id}")));
        }
        self.signatures.set(self.signatures.get() + 1);
        let key = rsa::RsaPrivateKey::from_pkcs1_pem(KEY).map_err(|e| SignError(e.to_string()))?;
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
        Ok(signer.sign(data).to_vec())
    }
}

fn public_key() -> rsa::RsaPublicKey {
    rsa::RsaPrivateKey::from_pkcs1_pem(KEY).unwrap().to_public_key()
}

fn permissions(list: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

const CI_PERMISSIONS: &[(&str, &str)] = &[
    ("actions", "read"),
    ("checks", "read"),
    ("contents", "read"),
    ("metadata", "read"),
    ("pull_requests", "write"),
];

fn installation(id: u64, account: &str, users: &[&str]) -> FakeInstallation {
    FakeInstallation {
        id,
        account: account.to_owned(),
        organization: true,
        permissions: permissions(CI_PERMISSIONS),
        suspended: false,
        repositories: vec![format!("{account}/runner-images"), format!("{account}/web")],
        users: users.iter().map(|u| (*u).to_owned()).collect(),
    }
}

struct Product {
    host: ProductHost,
    forges: Rc<RefCell<Forges>>,
}

impl Product {
    fn new() -> Self {
        let mut forges = Forges::default();
        forges.add(Kind::GitHub, GITHUB_API);
        forges.add(Kind::GitHub, EVIL_API);
        for api in [GITHUB_API, EVIL_API] {
            let mut app = FakeApp::new(APP_ID, "Iv23liAcmeCi", public_key());
            app.permissions = permissions(CI_PERMISSIONS);
            let account = if api == GITHUB_API { "acme" } else { "evil" };
            app.installations.push(installation(INSTALLATION, account, &["ada-code"]));
            forges.instance_mut(api).apps.push(app);
        }
        let forges = Rc::new(RefCell::new(forges));
        let host = ProductHost {
            storage: support::Store::default(),
            forges: forges.clone(),
            clock: Rc::new(Cell::new(1_780_000_000)),
            github_ahead: Rc::new(Cell::new(0)),
            random: support::Random::seeded(7),
            signer: true,
            signatures: Rc::new(Cell::new(0)),
        };
        Product { host, forges }
    }

    /// Another process (or another customer's) over the same storage, clock and instances.
    fn process(&self, seed: u64) -> Flows<ProductHost> {
        let host = ProductHost { random: support::Random::seeded(seed), ..self.host.clone() };
        Flows::new(host, EncryptionKey::new(&[5; 32]).unwrap())
    }

    fn app<R>(&self, api: &str, f: impl FnOnce(&mut FakeApp) -> R) -> R {
        f(&mut self.forges.borrow_mut().instance_mut(api).apps[0])
    }

    fn advance(&self, seconds: i64) {
        self.host.clock.set(self.host.clock.get() + seconds);
    }
}

fn connect_input(base_url: Option<&str>) -> ConnectGitHubApp {
    serde_json::from_value(serde_json::json!({
        "baseUrl": base_url, "appId": APP_ID, "clientId": "Iv23liAcmeCi",
        "installationId": INSTALLATION, "profile": "ci-failure-analysis",
    }))
    .unwrap()
}

fn connect(flows: &Flows<ProductHost>, base_url: Option<&str>) -> forgelink::Connection {
    block_on(flows.connect_github_app(connect_input(base_url))).unwrap()
}

/// "Generating an installation access token": tokens live an hour. Eight callers in two
/// processes sharing storage, past the point where the token is replaced, make one token
/// request between them, and all get the same new token.
#[test]
fn eight_callers_on_two_processes_mint_one_installation_token() {
    let product = Product::new();
    let (a, b) = (product.process(1), product.process(2));
    let connection = connect(&a, None);
    assert_eq!(connection.account.username, "acme");
    let installation = connection.installation.as_ref().unwrap();
    assert_eq!(installation.id, INSTALLATION);
    assert_eq!(connection.scopes.missing, Vec::<String>::new());
    assert_eq!(product.app(GITHUB_API, |app| app.token_requests.len()), 1);
    // Within the hour the stored token is handed out as it is.
    assert_eq!(block_on(b.access_token(&connection.id)).unwrap().secret(), "ghs_77_1");
    product.advance(3600 - 200);
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let flows = if i % 2 == 0 { &a } else { &b };
            flows.access_token(&connection.id)
        })
        .collect();
    let tokens = block_on(futures::future::join_all(calls));
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().secret() == "ghs_77_2"), "{tokens:?}");
    assert_eq!(product.app(GITHUB_API, |app| app.token_requests.len()), 2);
}

/// Connecting the same installation again (a second setup callback, another process) updates
/// its one connection rather than making a second.
#[test]
fn an_installation_is_one_connection() {
    let product = Product::new();
    let first = connect(&product.process(1), None);
    product.app(GITHUB_API, |app| app.installations[0].permissions.remove("checks"));
    let again = connect(&product.process(2), None);
    assert_eq!(first.id, again.id);
    assert_eq!(again.scopes.missing, ["checks:read"]);
}

/// The hostile customer's Enterprise Server has an app and an installation with the same
/// numbers: its connection, its deliveries and its app secret never reach the victim's.
#[test]
fn a_hostile_instance_with_the_same_numbers_stays_apart() {
    let product = Product::new();
    let (victim, attacker) = (product.process(1), product.process(2));
    let mine = connect(&victim, None);
    let theirs = connect(&attacker, Some(EVIL));
    assert_ne!(mine.id, theirs.id);
    assert_eq!(theirs.account.username, "evil");
    let my_hook = block_on(victim.register_github_app(register(None))).unwrap();
    let their_hook = block_on(attacker.register_github_app(register(Some(EVIL)))).unwrap();
    assert_ne!(my_hook.route, their_hook.route);
    // github.com takes the client id as the JWT's issuer; Enterprise Server documents it from
    // 3.14 only, so there the app id.
    assert!(product.app(GITHUB_API, |app| app.issuers.iter().all(|i| i == "Iv23liAcmeCi")));
    assert!(product.app(EVIL_API, |app| app.issuers.iter().all(|i| i == "4242")));
    let their_secret = product.app(EVIL_API, |app| app.hook.clone().unwrap().1);
    // The attacker signs an uninstallation of installation 77 with its own app's secret and
    // sends it to the victim's route: refused, and the victim's connection is untouched.
    let (headers, body) = delivery("installation", "deleted", &their_secret, "d-1");
    let receipt =
        block_on(victim.receive_webhook(&my_hook.url, &headers, &body, ReceiveOptions::default()))
            .unwrap();
    assert_eq!(receipt.status, ReceiptStatus::Rejected);
    assert_eq!(block_on(victim.access_token(&mine.id)).unwrap().secret(), "ghs_77_1");
    // On its own route it applies to its own connection only.
    let receipt = block_on(attacker.receive_webhook(
        &their_hook.url,
        &headers,
        &body,
        ReceiveOptions::default(),
    ))
    .unwrap();
    assert_eq!(receipt.connection_id.as_deref(), Some(theirs.id.as_str()));
    assert_eq!(
        block_on(attacker.access_token(&theirs.id)).unwrap_err().code,
        Code::ConnectionNeedsReauthorization
    );
    assert!(block_on(victim.access_token(&mine.id)).is_ok());
}

fn register(base_url: Option<&str>) -> RegisterGitHubApp {
    serde_json::from_value(serde_json::json!({
        "baseUrl": base_url, "appId": APP_ID, "clientId": "Iv23liAcmeCi", "url": RECEIVER,
    }))
    .unwrap()
}

/// An app delivery as GitHub signs it ("Validating webhook deliveries").
fn delivery(event: &str, action: &str, secret: &str, id: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::json!({
        "action": action,
        "installation": {
            "id": INSTALLATION, "app_id": APP_ID,
            "account": { "login": "acme", "id": 770, "type": "Organization" },
            "repository_selection": "selected",
            "permissions": { "actions": "read", "metadata": "read" },
            "events": ["workflow_run"],
            "suspended_at": if action == "suspend" { serde_json::json!("2026-06-02T09:00:00Z") } else { serde_json::Value::Null },
        },
        "sender": { "login": "octocat", "id": 1 }
    })
    .to_string()
    .into_bytes();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let signature: String =
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let headers = vec![
        ("X-GitHub-Event".to_owned(), event.to_owned()),
        ("X-GitHub-Delivery".to_owned(), id.to_owned()),
        ("X-Hub-Signature-256".to_owned(), format!("sha256={signature}")),
    ];
    (headers, body)
}

/// "installation" events update the connection: suspended, permissions changed, deleted; a
/// copy is a duplicate; an installation no connection holds is answered but ignored.
#[test]
fn app_webhooks_update_the_installation_connection() {
    let product = Product::new();
    let flows = product.process(1);
    let connection = connect(&flows, None);
    let hook = block_on(flows.register_github_app(register(None))).unwrap();
    assert!(hook.url.starts_with(&format!("{RECEIVER}/")));
    let (url, secret) = product.app(GITHUB_API, |app| app.hook.clone().unwrap());
    assert_eq!(url, hook.url);
    let receive = |event: &str, action: &str, id: &str| {
        let (headers, body) = delivery(event, action, &secret, id);
        support::receive_and_handle(&flows, &hook.route, &headers, &body, ReceiveOptions::default())
    };
    let receipt = receive("installation", "suspend", "d-1");
    assert_eq!(receipt.status, ReceiptStatus::Accepted);
    assert_eq!(receipt.connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(receive("installation", "suspend", "d-1").status, ReceiptStatus::Duplicate);
    let stored = block_on(flows.connection(&connection.id)).unwrap();
    assert_eq!(stored.installation.unwrap().suspended_at.as_deref(), Some("2026-06-02T09:00:00Z"));
    // The delivery's permissions lack most of the profile's: the stored summary says so.
    assert_eq!(stored.scopes.missing, ["checks:read", "contents:read", "pull_requests:write"]);
    receive("installation", "unsuspend", "d-2");
    let stored = block_on(flows.connection(&connection.id)).unwrap();
    assert_eq!(stored.installation.unwrap().suspended_at, None);
    assert_eq!(receive("installation", "deleted", "d-3").status, ReceiptStatus::Accepted);
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::ConnectionNeedsReauthorization
    );
    let narrowed = block_on(flows.installation_token(&connection.id, TokenNarrowing::default()));
    assert_eq!(narrowed.unwrap_err().code, Code::ConnectionNeedsReauthorization);
    // Another app installation, never connected.
    product.app(GITHUB_API, |app| app.installations.push(installation(78, "other", &[])));
    let (headers, body) = delivery("installation", "created", &secret, "d-4");
    let body = String::from_utf8(body).unwrap().replace("\"id\":77", "\"id\":78").into_bytes();
    let (headers, body) = resign(headers, body, &secret);
    let receipt =
        block_on(flows.receive_webhook(&hook.url, &headers, &body, ReceiveOptions::default()))
            .unwrap();
    assert_eq!(receipt.status, ReceiptStatus::Ignored);
    assert_eq!(receipt.claim, None);
    assert!(receipt.event.is_some(), "the product may connect the new installation");
}

/// "About the setup URL": an installation id in a URL proves nothing. With the setup code,
/// forgelink connects only an installation the person can reach, and stores nothing otherwise.
#[test]
fn a_setup_code_must_reach_the_installation() {
    let product = Product::new();
    let flows = product.process(1);
    let with_code = |code: &str| -> ConnectGitHubApp {
        serde_json::from_value(serde_json::json!({
            "appId": APP_ID, "clientId": "Iv23liAcmeCi", "clientSecret": "app-secret",
            "installationId": INSTALLATION, "code": code,
        }))
        .unwrap()
    };
    let before = product.host.storage.keys(product.host.clock.get());
    let error = block_on(flows.connect_github_app(with_code("stranger-code"))).unwrap_err();
    assert_eq!(error.code, Code::GithubAppInstallationNotAccessible);
    assert_eq!(product.host.storage.keys(product.host.clock.get()), before, "nothing stored");
    assert!(block_on(flows.connect_github_app(with_code("ada-code"))).is_ok());
    let secretless = ConnectGitHubApp { client_secret: None, ..with_code("ada-code") };
    assert_eq!(
        block_on(flows.connect_github_app(secretless)).unwrap_err().code,
        Code::InputInvalid
    );
}

/// "Generating a JWT": GitHub judges `iat` and `exp` by its own clock. A host whose clock is
/// five minutes behind GitHub's is refused once, then signs again on GitHub's clock.
#[test]
fn a_host_clock_far_off_signs_again_on_githubs_clock() {
    let product = Product::new();
    product.host.github_ahead.set(-300);
    let flows = product.process(1);
    let connection = connect(&flows, None);
    assert_eq!(connection.installation.unwrap().id, INSTALLATION);
    assert!(product.host.signatures.get() >= 3, "signed again after the refusal");
}

/// Without the app's key the host cannot sign: a coded error, and nothing stored.
#[test]
fn without_a_signer_nothing_is_connected() {
    let product = Product::new();
    let host = ProductHost { signer: false, ..product.host.clone() };
    let flows = Flows::new(host, EncryptionKey::new(&[5; 32]).unwrap());
    let error = block_on(flows.connect_github_app(connect_input(None))).unwrap_err();
    assert_eq!(error.code, Code::HostSignFailed);
    assert!(product.host.storage.keys(product.host.clock.get()).is_empty());
}

/// The report: a permission missing fails, one the app asks for that no owner accepted yet is
/// named, a suspended installation fails; the projects are the installation's repositories,
/// and repository hooks are left to the app's webhook.
#[test]
fn reports_projects_and_hooks_of_an_installation() {
    let product = Product::new();
    let flows = product.process(1);
    let connection = connect(&flows, None);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert!(report.ok, "{report:#?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(names, ["reachability", "installation", "permissions", "webhooks"]);
    product.app(GITHUB_API, |app| {
        app.permissions.insert("issues".into(), "write".into());
        app.installations[0].permissions.remove("pull_requests");
    });
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    let permissions = report.checks.iter().find(|c| c.name == "permissions").unwrap();
    assert_eq!(permissions.code, Some(Code::GithubAppPermissionMissing));
    assert!(permissions.message.contains("pull_requests:write"), "{}", permissions.message);
    assert!(permissions.message.contains("issues:write"), "{}", permissions.message);
    assert_eq!(report.connection.scopes.missing, ["pull_requests:write"]);
    product.app(GITHUB_API, |app| app.installations[0].suspended = true);
    let report = block_on(flows.test_connection(&connection.id)).unwrap();
    assert!(!report.ok);
    let installation = report.checks.iter().find(|c| c.name == "installation").unwrap();
    assert_eq!(installation.code, Some(Code::GithubAppInstallationSuspended));

    let page = block_on(flows.discover_projects(&connection.id, Default::default())).unwrap();
    let paths: Vec<&str> = page.projects.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["acme/runner-images", "acme/web"]);
    let results = block_on(flows.register_webhooks(
        &connection.id,
        RegisterWebhooks {
            projects: vec!["acme/web".into()],
            url: "https://product.example/hooks".into(),
            profile: "ci-failure-analysis".into(),
        },
    ))
    .unwrap();
    assert_eq!(results[0].status, RegistrationStatus::CoveredByApp);
}

/// A narrowed token is minted for the call, with the narrowing in the request, and not stored.
#[test]
fn narrowed_tokens_are_minted_for_the_call() {
    let product = Product::new();
    let flows = product.process(1);
    let connection = connect(&flows, None);
    let narrowing: TokenNarrowing = serde_json::from_value(serde_json::json!({
        "repositories": ["web"], "permissions": { "actions": "read" },
    }))
    .unwrap();
    let token = block_on(flows.installation_token(&connection.id, narrowing)).unwrap();
    assert_eq!(token.secret(), "ghs_77_2");
    let body = product.app(GITHUB_API, |app| app.token_requests[1].clone());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        serde_json::json!({ "repositories": ["web"], "permissions": { "actions": "read" } })
    );
    assert_eq!(block_on(flows.access_token(&connection.id)).unwrap().secret(), "ghs_77_1");
}

/// Disconnecting leaves the app installed, with the page to uninstall it, unless the caller
/// asks to uninstall; either way the connection is gone.
#[test]
fn disconnecting_uninstalls_only_when_asked() {
    let product = Product::new();
    let flows = product.process(1);
    let connection = connect(&flows, None);
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert!(!report.uninstalled);
    assert_eq!(
        report.uninstall_url.as_deref(),
        Some("https://github.com/organizations/acme/settings/installations/77")
    );
    assert!(product.app(GITHUB_API, |app| app.revoked_tokens == ["ghs_77_1"]));
    assert_eq!(
        block_on(flows.access_token(&connection.id)).unwrap_err().code,
        Code::ConnectionNotFound
    );

    let again = connect(&flows, None);
    assert_ne!(again.id, connection.id, "a new connection takes the installation over");
    let report =
        block_on(flows.disconnect_with(&again.id, DisconnectOptions { uninstall: true })).unwrap();
    assert!(report.uninstalled && report.uninstall_url.is_none());
    assert_eq!(product.app(GITHUB_API, |app| app.uninstalled.clone()), [INSTALLATION]);
}

/// "Refreshing user access tokens": an app's user access tokens last eight hours and their
/// refresh tokens six months, and each refresh rotates both. The OAuth machinery of every
/// other connection serves them: refreshed once, ahead of expiry, the new pair stored.
#[test]
fn user_access_tokens_of_an_app_refresh_and_rotate() {
    let product = Product::new();
    let flows = product.process(1);
    let user = user_connection(&flows);
    assert_eq!(user.expires_at, Some(product.host.clock.get() + 28_800));
    assert_eq!(block_on(flows.access_token(&user.id)).unwrap().secret(), "ghu_ada-code.0");
    product.advance(28_800 - 30);
    assert_eq!(block_on(flows.access_token(&user.id)).unwrap().secret(), "ghu_ada-code.1");
    product.advance(28_800);
    assert_eq!(block_on(flows.access_token(&user.id)).unwrap().secret(), "ghu_ada-code.2");
    let report = block_on(flows.test_connection(&user.id)).unwrap();
    let refresh = report.checks.iter().find(|c| c.name == "refresh-token").unwrap();
    assert_eq!(refresh.status, forgelink::CheckStatus::Pass, "{refresh:?}");
}

fn user_connection(flows: &Flows<ProductHost>) -> forgelink::Connection {
    let start: forgelink::ConnectStart = serde_json::from_value(serde_json::json!({
        "provider": "github", "clientId": "Iv23liAcmeCi", "clientSecret": "app-secret",
        "redirectUri": "https://product.example/callback",
    }))
    .unwrap();
    let started = block_on(flows.connect_start(start)).unwrap();
    let callback =
        format!("https://product.example/callback?code=ada-code&state={}", started.state);
    block_on(flows.connect_finish(&callback, None)).unwrap()
}

/// "github_app_authorization": a person revoked the app. Their OAuth connections through the
/// app's client id (user access tokens of the app) need them again; others' stay.
#[test]
fn a_revoked_authorization_ends_the_persons_user_connections() {
    let product = Product::new();
    let flows = product.process(1);
    let user = user_connection(&flows);
    let hook = block_on(flows.register_github_app(register(None))).unwrap();
    let secret = product.app(GITHUB_API, |app| app.hook.clone().unwrap().1);
    // The sender is someone else: nothing changes.
    let (headers, body) = delivery("github_app_authorization", "revoked", &secret, "d-1");
    let other = String::from_utf8(body)
        .unwrap()
        .replace(r#"{"id":1,"login":"octocat"}"#, r#"{"id":2,"login":"mallory"}"#);
    assert!(other.contains("mallory"));
    let (headers, body) = resign(headers, other.into_bytes(), &secret);
    let receipt =
        block_on(flows.receive_webhook(&hook.url, &headers, &body, ReceiveOptions::default()))
            .unwrap();
    assert_eq!(receipt.status, ReceiptStatus::Ignored);
    assert!(block_on(flows.access_token(&user.id)).is_ok());
    let (headers, body) = delivery("github_app_authorization", "revoked", &secret, "d-2");
    let receipt = support::receive_and_handle(
        &flows,
        &hook.route,
        &headers,
        &body,
        ReceiveOptions::default(),
    );
    assert_eq!(receipt.connection_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(
        block_on(flows.access_token(&user.id)).unwrap_err().code,
        Code::ConnectionNeedsReauthorization
    );
}

fn resign(
    mut headers: Vec<(String, String)>,
    body: Vec<u8>,
    secret: &str,
) -> (Vec<(String, String)>, Vec<u8>) {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let signature: String =
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    headers[2].1 = format!("sha256={signature}");
    (headers, body)
}
