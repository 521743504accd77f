//! GitHub Apps through the component: the pure functions held to the core's own results, the
//! `signer` import (the host signs the app's JWT with a key file; a small GitHub served over
//! real HTTP verifies it with the public key), `forgelink-host app-token`, and the JSON of the
//! statuses and reports GitHub Apps added.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::http::HttpClient;
use forgelink_host::signer::{AppKey, AppKeys};
use forgelink_host::storage::FileStore;
use forgelink_host::{json, wit, HostState, Plugin};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};

use common::core::{core_json, response};
use common::fake_gitlab::{iso, read, Received};
use common::inputs::Rng;
use common::{comparable, plugin, runtime, test_http_config, test_key};

const APP_ID: u64 = 4242;
const INSTALLATION: u64 = 77;

/// The app's key, generated once per test binary (a 2048-bit key, as GitHub issues).
fn app_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("a 2048-bit RSA key")
    })
}

/// Another key, which GitHub does not know the app by.
fn stranger_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("a 2048-bit RSA key")
    })
}

/// A directory of the test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("github-app-{name}-{}-{unique}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write a file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pkcs1_pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs1_pem(LineEnding::LF).expect("PKCS#1 PEM").to_string()
}

fn pkcs8_pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).expect("PKCS#8 PEM").to_string()
}

/// What the fake GitHub saw.
#[derive(Default)]
struct Seen {
    /// Every request, as `METHOD /path`.
    requests: Vec<String>,
    /// The claims of every JWT that verified.
    jwts: Vec<Value>,
    /// JWTs whose signature did not verify with the app's public key.
    refused_jwts: u32,
    /// `POST .../access_tokens` bodies, in order.
    token_bodies: Vec<Value>,
    tokens_minted: u32,
    /// `PATCH /app/hook/config` bodies, in order.
    hook_configs: Vec<Value>,
}

/// A GitHub Enterprise Server on 127.0.0.1 as far as a GitHub App's installation sees it: the
/// installation, its tokens (each request's JWT verified with the app's public key), the
/// server version, token revocation and uninstalling.
struct FakeGitHub {
    base_url: String,
    authority: String,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let authority = listener.local_addr().expect("address").to_string();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let public = RsaPublicKey::from(app_key());
        let thread = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(mut stream) = stream {
                        if let Some(request) = read(&mut stream) {
                            let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                            let (status, body) = handle(&mut seen, &public, &request);
                            answer(&mut stream, status, &body);
                        }
                    }
                }
            })
        };
        FakeGitHub {
            base_url: format!("http://{authority}"),
            authority,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.authority.as_str());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(stream: &mut TcpStream, status: u16, body: &Value) {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn header<'a>(request: &'a Received, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The claims of the request's JWT, if its RS256 signature verifies with `public` and it is
/// GitHub's shape: issued by the app, at most ten minutes long, current.
fn verified_claims(request: &Received, public: &RsaPublicKey) -> Option<Value> {
    let jwt = header(request, "Authorization")?.strip_prefix("Bearer ")?;
    let mut parts = jwt.split('.');
    let (head, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).ok()?).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(signature).ok()?.as_slice()).ok()?;
    VerifyingKey::<Sha256>::new(public.clone())
        .verify(format!("{head}.{payload}").as_bytes(), &signature)
        .ok()?;
    let now = SystemClock.now();
    let (iat, exp) = (claims["iat"].as_i64()?, claims["exp"].as_i64()?);
    let shaped = header["alg"] == "RS256"
        && claims["iss"].as_str().and_then(|iss| iss.parse::<u64>().ok()) == Some(APP_ID)
        && exp - iat <= 600
        && iat <= now
        && exp > now;
    shaped.then_some(claims)
}

fn installation_json() -> Value {
    json!({
        "id": INSTALLATION,
        "app_id": APP_ID,
        "app_slug": "acme-ci",
        "account": { "login": "acme", "id": 9, "type": "Organization" },
        "repository_selection": "selected",
        "permissions": { "actions": "read", "checks": "read", "contents": "read", "metadata": "read" },
        "events": ["workflow_run", "check_run"],
        "html_url": "https://ghe.example/organizations/acme/settings/installations/77",
        "suspended_at": null
    })
}

fn handle(seen: &mut Seen, public: &RsaPublicKey, request: &Received) -> (u16, Value) {
    let path = request.target.split('?').next().unwrap_or_default().to_owned();
    seen.requests.push(format!("{} {path}", request.method));
    let installation = format!("/api/v3/app/installations/{INSTALLATION}");
    let as_app = [
        installation.clone(),
        format!("{installation}/access_tokens"),
        "/api/v3/app/hook/config".to_owned(),
    ];
    let claims = if as_app.contains(&path) {
        match verified_claims(request, public) {
            Some(claims) => {
                seen.jwts.push(claims);
                true
            }
            None => {
                seen.refused_jwts += 1;
                return (401, json!({ "message": "A JSON web token could not be decoded" }));
            }
        }
    } else {
        false
    };
    match (request.method.as_str(), path.as_str()) {
        ("GET", p) if p == installation && claims => (200, installation_json()),
        ("DELETE", p) if p == installation && claims => (204, json!({})),
        ("POST", p) if p.ends_with("/access_tokens") && claims => {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            seen.token_bodies.push(body.clone());
            seen.tokens_minted += 1;
            let mut answer = json!({
                "token": format!("ghs_token{}", seen.tokens_minted),
                "expires_at": iso(SystemClock.now() + 3600).replace(".000Z", "Z"),
                "permissions": { "actions": "read", "metadata": "read" },
                "repository_selection": "selected",
            });
            if let Some(names) = body.get("repositories") {
                answer["repositories"] = names.clone();
            }
            (201, answer)
        }
        ("PATCH", "/api/v3/app/hook/config") if claims => {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            seen.hook_configs.push(body.clone());
            (200, json!({ "url": body["url"], "content_type": "json", "insecure_ssl": "0" }))
        }
        ("POST", "/api/v3/app-manifests/good123/conversions") => {
            // A code converts once.
            if seen.requests.iter().filter(|r| r.contains("/app-manifests/")).count() > 1 {
                return (404, json!({ "message": "Not Found" }));
            }
            let mut app = conversion_json();
            app["id"] = json!(APP_ID);
            app["pem"] = json!(pkcs1_pem(app_key()));
            (201, app)
        }
        ("GET", "/api/v3/meta") => (200, json!({ "installed_version": "3.17.2" })),
        ("GET", "/api/v3/installation/repositories") => (
            200,
            json!({
                "total_count": 1,
                "repositories": [{ "id": 1296269, "name": "app", "full_name": "acme/app",
                    "html_url": "https://ghe.example/acme/app", "default_branch": "main" }]
            }),
        ),
        ("DELETE", "/api/v3/installation/token") => (204, json!({})),
        _ => (404, json!({ "message": "Not Found" })),
    }
}

/// An instance with the key, a fresh store, and `signer`.
fn app_plugin(store: &TempDir, signer: Option<AppKeys>) -> Plugin {
    let http = HttpClient::new(&test_http_config()).expect("the test HTTP configuration");
    let store = FileStore::open(&store.0).expect("a file store");
    let mut state = HostState::new(http, Some(store)).with_encryption_key(test_key());
    if let Some(signer) = signer {
        state = state.with_signer(Arc::new(signer));
    }
    runtime().instantiate(state).expect("the component instantiates")
}

fn connect_request(github: &FakeGitHub) -> wit::ConnectGithubAppRequest {
    wit::ConnectGithubAppRequest {
        base_url: Some(github.base_url.clone()),
        app_id: APP_ID,
        client_id: None,
        installation_id: INSTALLATION,
        profile: Some("ci-failure-analysis".into()),
        code: None,
        client_secret: None,
        redirect_uri: None,
    }
}

fn manifest_options() -> wit::AppManifestOptions {
    wit::AppManifestOptions {
        base_url: None,
        organization: None,
        name: "Acme CI".into(),
        url: "https://acme.example".into(),
        redirect_url: "https://acme.example/github/created".into(),
        callback_urls: vec!["https://acme.example/github/callback".into()],
        setup_url: None,
        setup_on_update: true,
        webhook_url: Some("https://acme.example/hooks/github-app".into()),
        public: false,
        request_oauth_on_install: true,
        description: Some("CI failure analysis".into()),
        profile: "ci-failure-analysis".into(),
        state: "s1".into(),
    }
}

fn core_manifest_options(options: &wit::AppManifestOptions) -> forgelink::AppManifestOptions {
    forgelink::AppManifestOptions {
        base_url: options.base_url.clone(),
        organization: options.organization.clone(),
        name: options.name.clone(),
        url: options.url.clone(),
        redirect_url: options.redirect_url.clone(),
        callback_urls: options.callback_urls.clone(),
        setup_url: options.setup_url.clone(),
        setup_on_update: options.setup_on_update,
        webhook_url: options.webhook_url.clone(),
        public: options.public,
        request_oauth_on_install: options.request_oauth_on_install,
        description: options.description.clone(),
        profile: options.profile.clone(),
        state: options.state.clone(),
    }
}

/// A form with its manifest parsed: the manifest's key order depends on how serde_json was
/// built (the component's keeps none), its content does not.
fn parsed_manifest(mut form: Value) -> Value {
    let manifest = form["manifest"].as_str().expect("a manifest");
    form["manifest"] = serde_json::from_str(manifest).expect("the manifest is JSON");
    form
}

/// The code of an error from either face.
fn code_of<T>(result: Result<T, wit::Error>) -> String {
    result.err().map(|error| error.code).unwrap_or_default()
}

#[test]
fn pure_app_functions_match_the_core() {
    let mut plugin = plugin();

    // Manifests: github.com, an organization on an Enterprise Server, and refusals.
    let mut variants = vec![manifest_options()];
    let mut org = manifest_options();
    org.organization = Some("acme-corp".into());
    org.base_url = Some("https://ghe.acme.example/".into());
    org.webhook_url = None;
    org.public = true;
    variants.push(org);
    for (field, value) in
        [("name", "x".repeat(35)), ("state", String::new()), ("url", "acme".into())]
    {
        let mut bad = manifest_options();
        match field {
            "name" => bad.name = value,
            "state" => bad.state = value,
            _ => bad.url = value,
        }
        variants.push(bad);
    }
    let mut unknown = manifest_options();
    unknown.profile = "nope".into();
    variants.push(unknown);
    let mut forms = 0;
    for options in &variants {
        let component = plugin.github_app_manifest(options).unwrap();
        let core = forgelink::github_app_manifest(&core_manifest_options(options));
        match (component, core) {
            (Ok(form), Ok(core)) => {
                forms += 1;
                assert_eq!(
                    parsed_manifest(json::app_manifest_form(&form)),
                    parsed_manifest(core_json(&core)),
                    "{options:?}"
                );
            }
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str(), "{options:?}"),
            (component, core) => panic!("{options:?}: {component:?} against {core:?}"),
        }
    }
    assert_eq!(forms, 2, "both valid manifests build");

    // Installation URLs per deployment, and a slug that is not one.
    for (slug, state, base) in [
        ("acme-ci", Some("s 1"), None),
        ("acme-ci", None, Some("https://octo.ghe.com")),
        ("acme-ci", Some(""), Some("https://ghe.acme.example/")),
        ("../x", None, None),
    ] {
        let component = plugin.github_app_install_url(slug, state, base).unwrap();
        let core = forgelink::github_app_install_url(slug, state, base);
        match (component, core) {
            (Ok(url), Ok(core)) => assert_eq!(url, core),
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str()),
            (component, core) => panic!("{slug}: {component:?} against {core:?}"),
        }
    }

    // Setup callbacks.
    for callback in [
        "https://acme.example/setup?code=c0de&installation_id=42&setup_action=install&state=s1",
        "setup_action=request&state=s1",
        "?installation_id=7&setup_action=update",
        "installation_id=x&setup_action=install",
        "installation_id=1&installation_id=2&setup_action=update",
    ] {
        let component = plugin.parse_github_app_setup(callback).unwrap();
        match (component, forgelink::parse_github_app_setup(callback)) {
            (Ok(setup), Ok(core)) => assert_eq!(json::app_setup(&setup), core_json(&core)),
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str()),
            (component, core) => panic!("{callback}: {component:?} against {core:?}"),
        }
    }

    // What a profile needs, the permission catalog, and what a grant lacks.
    let needs = plugin.github_app_needs("ci-failure-analysis").unwrap().unwrap();
    assert_eq!(
        json::app_needs(&needs),
        core_json(&forgelink::github_app_needs("ci-failure-analysis").unwrap())
    );
    assert!(!needs.permissions.is_empty());
    assert_eq!(
        code_of(plugin.github_app_needs("nope").unwrap()),
        forgelink::github_app_needs("nope").unwrap_err().code.as_str()
    );
    let permissions = plugin.github_app_permissions().unwrap();
    assert_eq!(
        json::app_permissions(&permissions),
        core_json(&forgelink::github_app_permissions())
    );
    assert!(permissions.len() > 20, "{}", permissions.len());
    let granted =
        vec![("actions".to_owned(), "read".to_owned()), ("metadata".to_owned(), "read".to_owned())];
    let core_granted: BTreeMap<String, String> = granted.iter().cloned().collect();
    assert_eq!(
        plugin.missing_permissions(&granted, "ci-failure-analysis").unwrap().unwrap(),
        forgelink::missing_permissions(
            &core_granted,
            forgelink::github_app_needs("ci-failure-analysis").unwrap().permissions
        )
    );

    // The manifest conversion: the request, the credentials, and a code used twice.
    for (base, code) in [(None, "abc123"), (Some("https://ghe.acme.example"), "XYZ"), (None, "a/b")]
    {
        let component = plugin.prepare_manifest_conversion(base, code).unwrap();
        match (component, forgelink::prepare_manifest_conversion(base, code)) {
            (Ok(request), Ok(core)) => {
                assert_eq!(comparable(json::request(&request)), comparable(core_json(&core)))
            }
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str()),
            (component, core) => panic!("{code}: {component:?} against {core:?}"),
        }
    }
    let conversion = conversion_json();
    for answer in [
        response(201, &[], &conversion.to_string()),
        response(404, &[], r#"{"message":"Not Found"}"#),
        response(201, &[], r#"{"id":7}"#),
    ] {
        let component = plugin.parse_manifest_conversion(None, &answer).unwrap();
        let core =
            forgelink::parse_manifest_conversion(None, &common::core::core_response(&answer));
        match (component, core) {
            (Ok(app), Ok(core)) => {
                let printed = json::github_app_credentials(&app);
                assert_eq!(printed, core_json(&core));
                assert_eq!(printed["privateKey"], conversion["pem"], "the key reaches the caller");
            }
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str()),
            (component, core) => panic!("{answer:?}: {component:?} against {core:?}"),
        }
    }
}

fn conversion_json() -> Value {
    json!({
        "id": 7, "slug": "acme-ci", "name": "Acme CI",
        "owner": { "login": "octo", "id": 1, "type": "User" },
        "html_url": "https://github.com/apps/acme-ci",
        "client_id": "Iv23li", "client_secret": "cs", "webhook_secret": "ws",
        "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
        "permissions": { "metadata": "read", "actions": "read" },
        "events": ["workflow_run"]
    })
}

#[test]
fn the_host_signs_with_a_key_file_and_github_verifies_the_jwt() {
    let github = FakeGitHub::start();
    let files = TempDir::new("sign");
    // GitHub hands out PKCS#1; a key converted to PKCS#8 works the same.
    for (name, pem) in [("pkcs1.pem", pkcs1_pem(app_key())), ("pkcs8.pem", pkcs8_pem(app_key()))] {
        let path = files.file(name, &pem);
        let mut keys = AppKeys::new();
        keys.insert_spec(&format!("{APP_ID}={}", path.display())).expect("the key reads");
        let store = TempDir::new(name);
        let mut plugin = app_plugin(&store, Some(keys));
        let connection = plugin.connect_github_app(&connect_request(&github)).unwrap();
        let connection = connection.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let printed = json::connection(&connection);
        assert_eq!(printed["installation"]["id"], INSTALLATION);
        assert_eq!(
            printed["installation"]["account"],
            json!({ "login": "acme", "id": 9, "kind": "Organization" })
        );
        assert_eq!(printed["installation"]["repositorySelection"], "selected");
        // The core reads the printed installation back to the same JSON: no field renamed
        // or lost.
        let core: forgelink::Installation =
            serde_json::from_value(printed["installation"].clone()).expect("the core's shape");
        assert_eq!(core_json(&core), printed["installation"]);
        assert_eq!(core.permissions.len(), 4);
        assert_eq!(printed["account"]["username"], "acme");
        assert_eq!(printed["serverVersion"], "3.17.2");
        assert_eq!(printed["scopes"]["missing"], json!(["pull_requests:write"]), "{printed}");
        let token = plugin.access_token(&connection.id).unwrap().unwrap();
        assert!(token.starts_with("ghs_token"), "{token}");
    }
    let seen = github.seen();
    assert_eq!(seen.refused_jwts, 0);
    // Each connection read the installation and minted its token, each request with a JWT of
    // its own that verified with the app's public key.
    assert_eq!(seen.jwts.len(), 4, "{:?}", seen.requests);
    assert_eq!(seen.tokens_minted, 2);
    drop(seen);

    // A key GitHub does not know the app by is refused by the fake, not waved through.
    let path = files.file("stranger.pem", &pkcs1_pem(stranger_key()));
    let mut keys = AppKeys::new();
    keys.insert(None, AppKey::from_file(&path).expect("the key reads"));
    let store = TempDir::new("stranger");
    let mut plugin = app_plugin(&store, Some(keys));
    let error = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap_err();
    assert_eq!(error.code, "github_app.jwt_rejected", "{error:?}");
    assert_eq!(github.seen().refused_jwts, 1);
    assert_eq!(github.seen().tokens_minted, 2, "nothing minted with a foreign key");
}

#[test]
fn keys_that_are_not_rsa_private_keys_are_refused_with_a_reason() {
    let files = TempDir::new("keys");
    for (name, text) in [
        ("empty.pem", String::new()),
        ("public.pem", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".to_owned()),
        (
            "garbage.pem",
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n".to_owned(),
        ),
    ] {
        let error = AppKey::from_file(&files.file(name, &text)).unwrap_err().to_string();
        assert!(error.contains(name) && error.contains("GitHub App key"), "{name}: {error}");
    }
    let missing = AppKey::from_file(Path::new("/nonexistent/app.pem")).unwrap_err().to_string();
    assert!(missing.contains("cannot read"), "{missing}");
    // A key whose line breaks are written as `\n`, as environment files hold it, reads.
    let escaped = pkcs1_pem(app_key()).replace('\n', "\\n");
    assert!(AppKey::from_pem(escaped.as_bytes()).is_ok());
    assert_eq!(
        format!("{:?}", AppKey::from_pem(pkcs8_pem(app_key()).as_bytes()).unwrap()),
        "AppKey([redacted])"
    );
}

#[test]
fn without_a_key_signing_fails_with_host_sign_failed_and_nothing_is_sent() {
    let github = FakeGitHub::start();
    let store = TempDir::new("nokey");
    let mut plugin = app_plugin(&store, None);
    let error = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap_err();
    assert_eq!(error.code, "host.sign_failed");
    assert_eq!(error.guidance.code, "host.sign_failed");
    let detail = error.provider_detail.unwrap_or_default();
    assert!(
        detail.contains(&format!("GitHub App {APP_ID}")) && detail.contains("--app-key"),
        "{detail}"
    );

    // A host with keys, but not this app's, says which apps it has keys for.
    let files = TempDir::new("otherapp");
    let mut keys = AppKeys::new();
    keys.insert_spec(&format!("99={}", files.file("k.pem", &pkcs1_pem(app_key())).display()))
        .unwrap();
    let store = TempDir::new("otherapp-store");
    let mut plugin = app_plugin(&store, Some(keys));
    let error = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap_err();
    assert_eq!(error.code, "host.sign_failed");
    assert!(error.provider_detail.unwrap_or_default().contains("keys for app 99"));
    assert!(github.seen().requests.is_empty(), "{:?}", github.seen().requests);

    // The command line says the same, as a coded error.
    let output = host(
        &[
            "app-token",
            "--app-id",
            &APP_ID.to_string(),
            "--installation",
            "77",
            "--base-url",
            &github.base_url,
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["error"]["code"], "host.sign_failed");
    assert!(github.seen().requests.is_empty());
}

/// Runs `forgelink-host` with the test's component, loopback allowed, and `env` on top of an
/// environment without keys.
fn host(args: &[&str], env: &[(&str, &str)]) -> Output {
    common::runtime();
    Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .arg("--component")
        .arg(common::component_path())
        .arg("--cache-dir")
        .arg(common::cache_dir())
        .arg("--no-proxy")
        .arg("--allow-private-networks")
        .args(args)
        .env_remove("FORGELINK_GITHUB_APP_KEY")
        .env_remove("FORGELINK_GITHUB_APP_KEY_FILE")
        .env_remove("FORGELINK_ENCRYPTION_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run forgelink-host")
}

fn ok(output: Output) -> Value {
    assert!(
        output.status.success(),
        "{:?}: {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn app_token_prints_a_token_and_reuses_it_within_the_hour() {
    let github = FakeGitHub::start();
    let files = TempDir::new("cli");
    let key = files.file("app.pem", &pkcs1_pem(app_key()));
    let encryption = files.file("forgelink.key", &"5a".repeat(32));
    let storage = format!("file:{}", files.0.join("store").display());
    let app_id = APP_ID.to_string();
    let key_path = key.display().to_string();
    let base = [
        "--storage",
        &storage,
        "--key-file",
        encryption.to_str().unwrap(),
        "app-token",
        "--app-id",
        &app_id,
        "--installation",
        "77",
        "--base-url",
        &github.base_url,
        // After the command, --key-file names the app's key; before it, the encryption key.
        "--key-file",
        &key_path,
    ];
    let first = ok(host(&base, &[]));
    assert_eq!(first["connected"], true, "{first}");
    assert_eq!(first["token"], "ghs_token1");
    let second = ok(host(&base, &[]));
    assert_eq!(second["connected"], false, "{second}");
    assert_eq!(second["token"], first["token"], "the stored token, not a new one");
    assert_eq!(second["connectionId"], first["connectionId"]);
    assert_eq!(github.seen().tokens_minted, 1, "one POST .../access_tokens for both runs");

    // The key from the environment works as well as --app-key, and a narrowed token is
    // minted for the run, with the repositories asked for.
    let pem = pkcs8_pem(app_key());
    let narrowing = ["--repositories", "runner, api", "--permission", "actions:read"];
    let narrowed = ok(host(
        &[&base[..base.len() - 2], &narrowing[..]].concat(),
        &[("FORGELINK_GITHUB_APP_KEY", &pem)],
    ));
    assert_eq!(narrowed["narrowed"], true);
    assert_eq!(narrowed["token"], "ghs_token2");
    let seen = github.seen();
    assert_eq!(
        seen.token_bodies.last(),
        Some(&json!({ "repositories": ["runner", "api"], "permissions": { "actions": "read" } }))
    );
    assert_eq!(seen.refused_jwts, 0);
    drop(seen);

    // --storage without the encryption key could not read its connection again.
    let output = host(&[&["--storage", storage.as_str()][..], &base[4..]].concat(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["error"]["code"], "input.invalid");
}

#[test]
fn app_manifest_and_install_url_commands_print_the_packages_shape() {
    let printed = ok(host(
        &[
            "app-manifest",
            "--name",
            "Acme CI",
            "--url",
            "https://acme.example",
            "--redirect-url",
            "https://acme.example/created",
            "--webhook-url",
            "https://acme.example/hooks",
            "--state",
            "s1",
            "--request-oauth-on-install",
            "--callback-url",
            "https://acme.example/github/callback",
        ],
        &[],
    ));
    let mut options = manifest_options();
    options.setup_url = None;
    options.setup_on_update = false;
    options.description = None;
    options.redirect_url = "https://acme.example/created".into();
    options.webhook_url = Some("https://acme.example/hooks".into());
    let core = forgelink::github_app_manifest(&core_manifest_options(&options)).unwrap();
    assert_eq!(parsed_manifest(printed), parsed_manifest(core_json(&core)));

    let output = host(
        &[
            "app-manifest",
            "--name",
            "A\"<b>",
            "--url",
            "https://a.example",
            "--redirect-url",
            "https://a.example/r",
            "--html",
        ],
        &[],
    );
    let page = String::from_utf8(ok_text(output)).unwrap();
    assert!(page.contains("method=\"post\"") && page.contains("name=\"manifest\""), "{page}");
    assert!(page.contains("A\\&quot;&lt;b&gt;") && !page.contains("<b>"), "escaped: {page}");
    assert!(page.contains(".submit()"));

    let url = ok(host(&["app-install-url", "--slug", "acme-ci", "--state", "s1"], &[]));
    assert_eq!(url, json!({ "url": "https://github.com/apps/acme-ci/installations/new?state=s1" }));
    let setup = ok(host(&["app-setup", "installation_id=42&setup_action=install&state=s1"], &[]));
    assert_eq!(
        setup,
        json!({ "installationId": 42, "setupAction": "install", "state": "s1", "code": null })
    );
}

fn ok_text(output: Output) -> Vec<u8> {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn new_statuses_and_the_disconnect_report_print_as_the_core_serialises_them() {
    // The statuses GitHub Apps added, as the package spells them.
    assert_eq!(
        json!(json::receipt_status_id(wit::ReceiptStatus::Ignored)),
        core_json(&forgelink::ReceiptStatus::Ignored)
    );
    assert_eq!(
        json!(json::registration_status_id(wit::RegistrationStatus::CoveredByApp)),
        core_json(&forgelink::RegistrationStatus::CoveredByApp)
    );
    let receipt = wit::Receipt {
        status: wit::ReceiptStatus::Ignored,
        event: None,
        connection_id: None,
        project: None,
        claim: None,
        retry_after_seconds: None,
        code: None,
        message: None,
    };
    assert_eq!(json::receipt(&receipt), json!({ "status": "ignored" }));

    // Disconnecting an installation: left installed (a link to uninstall it), or uninstalled.
    let github = FakeGitHub::start();
    let files = TempDir::new("disconnect");
    let mut keys = AppKeys::new();
    keys.insert(None, AppKey::from_pem(pkcs1_pem(app_key()).as_bytes()).unwrap());
    let keys = Arc::new(keys);
    for uninstall in [false, true] {
        let http = HttpClient::new(&test_http_config()).unwrap();
        let store = FileStore::open(files.0.join(format!("store-{uninstall}"))).unwrap();
        let state = HostState::new(http, Some(store))
            .with_encryption_key(test_key())
            .with_signer(keys.clone());
        let mut plugin = runtime().instantiate(state).unwrap();
        let connection = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap();
        let report = plugin
            .disconnect_with(&connection.id, wit::DisconnectOptions { uninstall })
            .unwrap()
            .unwrap();
        let printed = json::disconnect_report(&report);
        let core = forgelink::DisconnectReport {
            revoked: true,
            webhooks: vec![],
            manual_steps: report
                .manual_steps
                .iter()
                .map(|step| -> &'static str { String::leak(step.clone()) })
                .collect(),
            uninstalled: uninstall,
            uninstall_url: report.uninstall_url.clone(),
        };
        assert_eq!(printed, core_json(&core), "uninstall {uninstall}");
        if uninstall {
            assert_eq!(printed["uninstalled"], true);
            assert!(printed.get("uninstallUrl").is_none());
        } else {
            assert!(printed.get("uninstalled").is_none(), "false is left out: {printed}");
            let url = printed["uninstallUrl"].as_str().unwrap();
            assert!(url.starts_with(&github.base_url) && url.contains("77"), "{url}");
        }
        let error = plugin.access_token(&connection.id).unwrap().unwrap_err();
        assert_eq!(error.code, "connection.not_found");
    }
    let seen = github.seen();
    assert!(seen.requests.contains(&format!("DELETE /api/v3/app/installations/{INSTALLATION}")));
    assert!(seen.requests.contains(&"DELETE /api/v3/installation/token".to_owned()));
}

/// Text made of the app functions' own vocabulary, drawn by the shared generator.
trait AppText {
    fn text(&mut self) -> String;
    fn maybe(&mut self) -> Option<String>;
}

impl AppText for Rng {
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "",
            " ",
            "a",
            "acme-ci",
            "https://",
            "http://127.0.0.1",
            "ghe.example",
            "/",
            "?",
            "&",
            "=",
            "%",
            "%zz",
            "installation_id",
            "setup_action",
            "install",
            "request",
            "state",
            "code",
            "42",
            "-1",
            "18446744073709551616",
            "é",
            "\u{0}",
            "\n",
            "\"",
            "<",
            "..",
            "ci-failure-analysis",
            "{",
            "}",
            "[",
            "]",
            "null",
            "\"id\":",
            "\"pem\":",
            "\"client_id\":",
            "\"slug\":",
        ];
        (0..self.below(8)).map(|_| self.pick(PIECES)).collect()
    }

    fn maybe(&mut self) -> Option<String> {
        self.chance(2).then(|| self.text())
    }
}

/// Every failure is a code the component lists, with that code's guidance.
fn coded<T>(codes: &[String], export: &str, result: Result<T, wit::Error>) {
    if let Err(error) = result {
        assert!(codes.contains(&error.code), "{export}: unknown code {}", error.code);
        assert_eq!(error.guidance.code, error.code, "{export}");
    }
}

#[test]
fn random_inputs_to_the_app_functions_never_trap() {
    let mut plugin = plugin();
    let codes = plugin.error_codes().unwrap();
    let mut rng = Rng::new(0x6170_7073);
    for _ in 0..1500 {
        let options = wit::AppManifestOptions {
            base_url: rng.maybe(),
            organization: rng.maybe(),
            name: rng.text(),
            url: rng.text(),
            redirect_url: rng.text(),
            callback_urls: (0..rng.next() % 3).map(|_| rng.text()).collect(),
            setup_url: rng.maybe(),
            setup_on_update: rng.next().is_multiple_of(2),
            webhook_url: rng.maybe(),
            public: rng.next().is_multiple_of(2),
            request_oauth_on_install: rng.next().is_multiple_of(2),
            description: rng.maybe(),
            profile: rng.text(),
            state: rng.text(),
        };
        coded(&codes, "github-app-manifest", plugin.github_app_manifest(&options).unwrap());
        let (slug, state, base) = (rng.text(), rng.maybe(), rng.maybe());
        let url = plugin.github_app_install_url(&slug, state.as_deref(), base.as_deref());
        coded(&codes, "github-app-install-url", url.unwrap());
        coded(
            &codes,
            "parse-github-app-setup",
            plugin.parse_github_app_setup(&rng.text()).unwrap(),
        );
        coded(&codes, "github-app-needs", plugin.github_app_needs(&rng.text()).unwrap());
        let granted: Vec<(String, String)> =
            (0..rng.next() % 4).map(|_| (rng.text(), rng.text())).collect();
        coded(
            &codes,
            "missing-permissions",
            plugin.missing_permissions(&granted, &rng.text()).unwrap(),
        );
        let (base, code) = (rng.maybe(), rng.text());
        let request = plugin.prepare_manifest_conversion(base.as_deref(), &code);
        coded(&codes, "prepare-manifest-conversion", request.unwrap());
        let status = [200, 201, 204, 401, 404, 422, 500][(rng.next() % 7) as usize];
        let body = format!("{{{}}}", rng.text());
        let answer = response(status, &[], &body);
        let base = rng.maybe();
        let parsed = plugin.parse_manifest_conversion(base.as_deref(), &answer);
        coded(&codes, "parse-manifest-conversion", parsed.unwrap());
    }
}

#[test]
fn app_create_converts_the_code_and_its_key_mints_tokens() {
    let github = FakeGitHub::start();
    let args = ["app-create", "--code-env", "MANIFEST_CODE", "--base-url", &github.base_url];
    let app = ok(host(&args, &[("MANIFEST_CODE", "good123")]));
    let answer = {
        let mut app = conversion_json();
        app["id"] = json!(APP_ID);
        app["pem"] = json!(pkcs1_pem(app_key()));
        response(201, &[], &app.to_string())
    };
    let core = forgelink::parse_manifest_conversion(
        Some(&github.base_url),
        &common::core::core_response(&answer),
    )
    .unwrap();
    assert_eq!(app, core_json(&core));
    assert_eq!(app["appId"], APP_ID);

    // The key it printed is the one the next command signs with.
    let key = app["privateKey"].as_str().unwrap();
    let token = ok(host(
        &[
            "app-token",
            "--app-id",
            &APP_ID.to_string(),
            "--installation",
            "77",
            "--base-url",
            &github.base_url,
        ],
        &[("FORGELINK_GITHUB_APP_KEY", key)],
    ));
    assert_eq!(token["token"], "ghs_token1");

    // The code converts once.
    let output = host(&args, &[("MANIFEST_CODE", "good123")]);
    assert_eq!(output.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "oauth.bad_verification_code");
}

/// Registers the app's webhook at `receiver` through the component.
fn register(plugin: &mut Plugin, github: &FakeGitHub, receiver: &str) -> wit::AppWebhook {
    let request = wit::RegisterGithubAppRequest {
        base_url: Some(github.base_url.clone()),
        app_id: APP_ID,
        client_id: None,
        url: receiver.to_owned(),
    };
    plugin.register_github_app(&request).unwrap().unwrap()
}

fn signing_keys() -> AppKeys {
    let mut keys = AppKeys::new();
    keys.insert(None, AppKey::from_pem(pkcs8_pem(app_key()).as_bytes()).unwrap());
    keys
}

#[test]
fn register_github_app_points_the_apps_webhook_at_a_route_of_its_own() {
    let github = FakeGitHub::start();
    let store = TempDir::new("register");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    let first = register(&mut plugin, &github, "https://acme.example/hooks/");
    assert_eq!(first.url, format!("https://acme.example/hooks/{}", first.route));
    assert!(first.route.len() >= 16, "{first:?}");
    assert_eq!(json::app_webhook(&first), json!({ "url": first.url, "route": first.route }));
    let second = register(&mut plugin, &github, "https://acme.example/hooks");
    assert_eq!((&second.url, &second.route), (&first.url, &first.route), "the route is kept");
    let seen = github.seen();
    assert_eq!(seen.hook_configs.len(), 2);
    assert_eq!(seen.hook_configs[0]["url"], first.url.as_str());
    let secrets: Vec<&str> =
        seen.hook_configs.iter().map(|config| config["secret"].as_str().unwrap()).collect();
    assert!(secrets.iter().all(|secret| secret.len() >= 20), "{secrets:?}");
    assert_ne!(secrets[0], secrets[1], "the secret rotates");
    assert_eq!(seen.refused_jwts, 0);
}

/// HMAC-SHA256, for signing a delivery as GitHub does.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use rsa::sha2::Digest as _;
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

/// A delivery signed with the app's webhook secret, about `installation`.
fn app_delivery(secret: &str, event: &str, payload: &Value) -> (Vec<(String, String)>, Vec<u8>) {
    let body = payload.to_string().into_bytes();
    let signature: String =
        hmac_sha256(secret.as_bytes(), &body).iter().map(|b| format!("{b:02x}")).collect();
    let headers = vec![
        ("X-GitHub-Event".to_owned(), event.to_owned()),
        ("X-GitHub-Delivery".to_owned(), format!("delivery-{}", body.len())),
        ("X-Hub-Signature-256".to_owned(), format!("sha256={signature}")),
        ("Content-Type".to_owned(), "application/json".to_owned()),
    ];
    (headers, body)
}

fn receive_options() -> wit::ReceiveOptions {
    wit::ReceiveOptions {
        dedupe_seconds: None,
        handling_seconds: None,
        allow_unsigned_ping: false,
        tolerance_seconds: None,
    }
}

/// A delivery about a connected installation is that connection's, accepted once; the
/// connection's repositories need no hook of their own.
#[test]
fn an_app_delivery_for_a_connected_installation_is_accepted_once() {
    let github = FakeGitHub::start();
    let store = TempDir::new("accepted");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    let connection = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap();
    let webhook = register(&mut plugin, &github, "https://acme.example/hooks");
    let secret = github.seen().hook_configs[0]["secret"].as_str().unwrap().to_owned();
    let payload = json!({
        "action": "completed",
        "workflow_run": {
            "id": 30433642, "name": "Build", "head_branch": "main", "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
            "status": "completed", "conclusion": "failure", "run_attempt": 1,
            "html_url": "https://ghe.example/acme/app/actions/runs/30433642",
            "created_at": "2026-12-07T15:00:00Z", "updated_at": "2026-12-07T15:05:00Z"
        },
        "repository": { "id": 1296269, "full_name": "acme/app", "html_url": "https://ghe.example/acme/app", "default_branch": "main" },
        "installation": { "id": INSTALLATION, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" },
        "sender": { "login": "octo", "id": 1 }
    });
    let (headers, body) = app_delivery(&secret, "workflow_run", &payload);
    let receipt =
        plugin.receive_webhook(&webhook.url, &headers, &body, receive_options()).unwrap().unwrap();
    assert_eq!(json::receipt_status_id(receipt.status), "accepted", "{receipt:?}");
    assert_eq!(receipt.connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(receipt.project.as_deref(), Some("acme/app"));
    let claim = receipt.claim.expect("a claim");
    assert!(plugin.confirm_delivery(&claim).unwrap().unwrap());
    let again =
        plugin.receive_webhook(&webhook.url, &headers, &body, receive_options()).unwrap().unwrap();
    assert_eq!(json::receipt_status_id(again.status), "duplicate");

    // Signed with another secret: rejected, nothing claimed.
    let (headers, body) = app_delivery("not-the-secret", "workflow_run", &payload);
    let forged =
        plugin.receive_webhook(&webhook.url, &headers, &body, receive_options()).unwrap().unwrap();
    assert_eq!(json::receipt_status_id(forged.status), "rejected");

    let request = wit::RegisterWebhooksRequest {
        projects: vec!["acme/app".into()],
        url: "https://acme.example/hooks".into(),
        profile: "ci-failure-analysis".into(),
    };
    let results = plugin.register_webhooks(&connection.id, &request).unwrap().unwrap();
    assert_eq!(json::registration_results(&results)[0]["status"], "covered_by_app");
}

/// An HMAC engine a host plugs in: one that lies (every MAC it answers is wrong) or one that
/// declines (it answers nothing), counting the calls the component makes to it.
struct TestEngine {
    lies: bool,
    calls: AtomicU64,
}

impl forgelink::HmacEngine for TestEngine {
    fn hmac(
        &self,
        algorithm: forgelink::HmacAlgorithm,
        key: &[u8],
        message: &[&[u8]],
    ) -> Option<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut mac =
            forgelink::HmacEngine::hmac(&forgelink::BuiltinHmac, algorithm, key, message)?;
        mac[0] ^= 1;
        self.lies.then_some(mac)
    }
}

/// The host's `hmac` import decides nothing: a host whose engine answers a wrong MAC gets a
/// genuine delivery refused, with nothing written to the shared store; one whose engine
/// answers nothing gets the component's own HMAC, and the delivery accepted.
#[test]
fn a_hosts_hmac_engine_can_only_refuse_a_delivery_never_pass_one() {
    let github = FakeGitHub::start();
    let store = TempDir::new("hmac-engine");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap();
    let webhook = register(&mut plugin, &github, "https://acme.example/hooks");
    let secret = github.seen().hook_configs[0]["secret"].as_str().unwrap().to_owned();
    let with_engine = |lies: bool| {
        let engine = Arc::new(TestEngine { lies, calls: AtomicU64::new(0) });
        let http = HttpClient::new(&test_http_config()).expect("the test HTTP configuration");
        let state = HostState::new(http, Some(FileStore::open(&store.0).expect("a file store")))
            .with_encryption_key(test_key())
            .with_hmac(engine.clone());
        (runtime().instantiate(state).expect("the component instantiates"), engine)
    };
    let delivery = |id: u64| {
        let payload = json!({
            "ref": "refs/heads/main", "after": "acb5820ced9479c074f688cc328bf03f341a511d",
            "repository": { "id": 1296269, "full_name": "acme/app", "html_url": "https://ghe.example/acme/app" },
            "installation": { "id": INSTALLATION }, "sender": { "login": "octo", "id": id }
        });
        app_delivery(&secret, "push", &payload)
    };

    let (mut lying, engine) = with_engine(true);
    let before = common::files(&store.0);
    let (headers, body) = delivery(1);
    let receipt =
        lying.receive_webhook(&webhook.url, &headers, &body, receive_options()).unwrap().unwrap();
    assert_eq!(json::receipt_status_id(receipt.status), "rejected", "{receipt:?}");
    assert_eq!(receipt.code.as_deref(), Some("webhook.signature_mismatch"));
    assert!(engine.calls.load(Ordering::SeqCst) > 0, "the component asked the host");
    assert_eq!(
        common::files(&store.0),
        before,
        "nothing written for a delivery that did not verify"
    );
    let verified = lying.verify_webhook(
        &headers,
        &body,
        std::slice::from_ref(&secret),
        wit::VerifyOptions {
            now: None,
            tolerance_seconds: None,
            allow_unsigned: false,
            allow_sha1: false,
        },
    );
    assert_eq!(verified.unwrap().unwrap_err().code, "webhook.signature_mismatch");

    let (mut declining, engine) = with_engine(false);
    let receipt = declining
        .receive_webhook(&webhook.url, &headers, &body, receive_options())
        .unwrap()
        .unwrap();
    assert_eq!(json::receipt_status_id(receipt.status), "accepted", "{receipt:?}");
    assert!(engine.calls.load(Ordering::SeqCst) > 0, "the component asked the host first");
}

/// What the app's webhook should do with a delivery about an installation nobody connected:
/// answer it (`ignored`) without claiming it. The core's `receive_webhook` does not look up
/// app routes yet (see `Flows::app_route`), so such a delivery is still rejected as
/// `webhook.unknown_route`.
#[test]
fn an_app_delivery_about_an_unconnected_installation_is_ignored() {
    let github = FakeGitHub::start();
    let store = TempDir::new("ignored");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    let webhook = register(&mut plugin, &github, "https://acme.example/hooks");
    let secret = github.seen().hook_configs[0]["secret"].as_str().unwrap().to_owned();
    let mut payload = json!({ "action": "created", "sender": { "login": "octo", "id": 1 } });
    payload["installation"] = installation_json();
    payload["installation"]["id"] = json!(999);
    let (headers, body) = app_delivery(&secret, "installation", &payload);
    let receipt =
        plugin.receive_webhook(&webhook.url, &headers, &body, receive_options()).unwrap().unwrap();
    assert_eq!(json::receipt_status_id(receipt.status), "ignored", "{receipt:?}");
    assert_eq!(receipt.claim, None);
}

/// `serve` answers an app delivery about an installation nobody connected with 202 and hands
/// nothing over.
#[test]
fn serve_answers_an_ignored_app_delivery_with_202() {
    use std::io::{BufRead as _, BufReader};

    let github = FakeGitHub::start();
    let store = TempDir::new("serve");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    let webhook = register(&mut plugin, &github, "https://acme.example/hooks");
    let secret = github.seen().hook_configs[0]["secret"].as_str().unwrap().to_owned();
    drop(plugin);

    runtime();
    let key: String = test_key().as_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
    let storage = format!("file:{}", store.0.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_forgelink-host"))
        .arg("--component")
        .arg(common::component_path())
        .arg("--cache-dir")
        .arg(common::cache_dir())
        .args(["serve", "--listen", "127.0.0.1:0", "--storage", &storage, "--no-proxy"])
        .env("FORGELINK_ENCRYPTION_KEY", key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start forgelink-host serve");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("the first line");
    let base = line.trim().strip_prefix("listening on ").map(str::to_owned);

    let mut payload = json!({ "action": "created", "sender": { "login": "octo", "id": 1 } });
    payload["installation"] = installation_json();
    payload["installation"]["id"] = json!(999);
    let (headers, body) = app_delivery(&secret, "installation", &payload);
    let answer = base.as_ref().map(|base| {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).proxy(None).build().into();
        let mut request = agent.post(format!("{base}/hooks/{}", webhook.route));
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let mut response = request.send(&body[..]).expect("an answer");
        let text = response.body_mut().read_to_string().expect("a body");
        (response.status().as_u16(), text)
    });
    let _ = child.kill();
    let output = child.wait_with_output().expect("serve ends");
    let (status, text) = answer.unwrap_or_else(|| panic!("serve did not start: {line}"));
    assert_eq!(status, 202, "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({ "status": "ignored" }));
    assert!(output.stdout.is_empty(), "nothing handed over");
}

/// An installation token lists the installation's repositories (`GET
/// /installation/repositories`); GitHub refuses it `GET /user/repos`, which the core asks.
#[test]
fn discover_projects_on_an_app_connection_lists_the_installations_repositories() {
    let github = FakeGitHub::start();
    let store = TempDir::new("discover");
    let mut plugin = app_plugin(&store, Some(signing_keys()));
    let connection = plugin.connect_github_app(&connect_request(&github)).unwrap().unwrap();
    let options = wit::DiscoverOptions { search: None, cursor: None, exclude: vec![] };
    let page = plugin.discover_projects(&connection.id, &options).unwrap().unwrap();
    let paths: Vec<&str> = page.projects.iter().map(|project| project.path.as_str()).collect();
    assert_eq!(paths, ["acme/app"]);
    assert!(github.seen().requests.contains(&"GET /api/v3/installation/repositories".to_owned()));
}
