//! Bitbucket Data Center through the flows: a connection with an HTTP access token, and
//! webhooks on a repository the account may read but not administer, which falls back to a
//! manual setup whose secret then verifies deliveries. Data Center refuses such calls with 401
//! and an `AuthorisationException`, as its REST reference documents; a token it no longer
//! accepts also gets 401, and must not be mistaken for a missing permission.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use forgelink::{
    AccessToken, Code, ConnectWithToken, EncryptionKey, FetchError, Flows, Host, HttpRequest,
    HttpResponse, Provider, RandomError, ReceiptStatus, ReceiveOptions, RegisterWebhooks,
    RegistrationStatus,
};
use futures::executor::block_on;

const BASE: &str = "https://bitbucket.example.com/bitbucket";

#[derive(Clone, Default)]
struct DataCenter {
    storage: support::Store,
    random: support::Random,
    requests: Rc<RefCell<Vec<String>>>,
    /// The token was revoked after connecting: every call answers 401.
    revoked: Rc<Cell<bool>>,
}

fn json(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    let mut all = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    all.extend(headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    HttpResponse { status, headers: all, body: body.as_bytes().to_vec() }
}

impl Host for DataCenter {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        self.requests.borrow_mut().push(format!("{} {}", request.method, request.url));
        let authorized = request.header_value("Authorization") == Some("Bearer BBDC-readonlytoken")
            && !self.revoked.get();
        let path = request.url.strip_prefix(BASE).unwrap_or("?");
        Ok(match (authorized, request.method.as_str(), path.split('?').next().unwrap_or("")) {
            (false, _, _) => json(
                401,
                &[],
                r#"{"errors":[{"context":null,"message":"Authentication failed. Please check your credentials and try again.","exceptionName":"com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"}]}"#,
            ),
            (true, "GET", "/rest/api/latest/application-properties") => json(
                200,
                &[("X-AUSERNAME", "jdoe")],
                r#"{"version":"8.19.1","buildNumber":"8019001","buildDate":"1700000000000","displayName":"Bitbucket"}"#,
            ),
            (true, "GET", "/rest/api/latest/users/jdoe") => json(
                200,
                &[],
                r#"{"name":"jdoe","emailAddress":"jdoe@example.com","id":101,"displayName":"Jane Doe","active":true,"slug":"jdoe","type":"NORMAL","links":{"self":[{"href":"https://bitbucket.example.com/bitbucket/users/jdoe"}]}}"#,
            ),
            // An older release, or a proxy in front of the server, answering 403.
            (true, _, p)
                if p.starts_with("/rest/api/latest/projects/PRJ/repos/legacy/webhooks") =>
            {
                json(
                    403,
                    &[],
                    r#"{"errors":[{"context":null,"message":"You are not permitted to access this resource","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
                )
            }
            // A 401 that names no exception: the token works elsewhere, so it is a permission.
            (true, _, p) if p.starts_with("/rest/api/latest/projects/PRJ/repos/plain/webhooks") => {
                json(
                    401,
                    &[],
                    r#"{"errors":[{"message":"The currently authenticated user has insufficient permissions to see webhooks in the repository."}]}"#,
                )
            }
            // What the REST reference documents for a repository the account may not
            // administer: 401 with an AuthorisationException.
            (true, "GET", p) if p.ends_with("/webhooks") => json(
                401,
                &[],
                r#"{"errors":[{"context":null,"message":"The currently authenticated user has insufficient permissions to see webhooks in the repository.","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
            ),
            (true, _, p) if p.ends_with("/webhooks") || p.contains("/webhooks/") => json(
                401,
                &[],
                r#"{"errors":[{"context":null,"message":"The currently authenticated user has insufficient permissions to create webhooks in the repository.","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
            ),
            _ => json(404, &[], r#"{"errors":[{"message":"Not found"}]}"#),
        })
    }
    support::storage_methods!();
    fn now(&self) -> i64 {
        1_700_000_000
    }
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        self.random.fill(buffer);
        Ok(())
    }
    async fn sleep(&self, _millis: u32) {}
}

fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn connect(flows: &Flows<DataCenter>) -> forgelink::Connection {
    block_on(flows.connect_with_token(ConnectWithToken {
        provider: Provider::BitbucketDataCenter,
        base_url: Some(format!("{BASE}/rest/api/1.0/")),
        token: AccessToken::new("BBDC-readonlytoken"),
        username: None,
        profile: Some("ci-failure-analysis".into()),
    }))
    .unwrap()
}

#[test]
fn without_admin_rights_webhooks_fall_back_to_a_manual_setup_that_verifies() {
    let host = DataCenter::default();
    let flows = Flows::new(host.clone(), EncryptionKey::new(&[3; 32]).unwrap());
    let connection = connect(&flows);
    assert_eq!(connection.account.username, "jdoe");
    assert_eq!(connection.server_version.as_deref(), Some("8.19.1"));
    assert_eq!(connection.base_url, BASE);

    let request = RegisterWebhooks {
        projects: vec!["PRJ/app".into()],
        url: "https://app.example/hooks/bitbucket".into(),
        profile: "ci-failure-analysis".into(),
    };
    let results = block_on(flows.register_webhooks(&connection.id, request)).unwrap();
    assert_eq!(results[0].status, RegistrationStatus::ManualSetupRequired);
    assert_eq!(results[0].code, Some(Code::HttpForbidden));
    let setup = results[0].manual_setup.clone().unwrap();
    // Its own delivery URL: the receiver's, with the hook's route id.
    let route = setup.url.strip_prefix("https://app.example/hooks/bitbucket/").unwrap();
    assert!(route.len() >= 22, "{}", setup.url);
    assert!(setup.secret.len() >= 43);
    assert_eq!(setup.events, ["repo:refs_changed", "pr:opened", "pr:from_ref_updated"]);
    assert!(
        setup.steps[0].contains(&format!("{BASE}/plugins/servlet/webhooks/projects/PRJ/repos/app"))
    );
    // Nothing was created at the provider: only reads and the refused write were sent.
    assert!(
        host.requests.borrow().iter().all(|r| r.starts_with("GET ")),
        "{:?}",
        host.requests.borrow()
    );

    // Once the administrator pasted the secret, the hook's deliveries verify.
    let body = br#"{"eventKey":"repo:refs_changed","actor":{"name":"jdoe","id":101},"repository":{"slug":"app","id":84,"project":{"key":"PRJ"}},"changes":[{"ref":{"id":"refs/heads/main","displayId":"main","type":"BRANCH"},"toHash":"178864a7d521b6f5e720b386b2c2b0ef8563e0dc"}]}"#;
    let headers = |signature: String| {
        vec![
            ("X-Event-Key".to_owned(), "repo:refs_changed".to_owned()),
            ("X-Request-Id".to_owned(), "d5f5a1d4".to_owned()),
            ("X-Hub-Signature".to_owned(), signature),
        ]
    };
    let receipt = block_on(flows.receive_webhook(
        &setup.url,
        &headers(signature(&setup.secret, body)),
        body,
        ReceiveOptions::default(),
    ))
    .unwrap();
    assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    let forged = block_on(flows.receive_webhook(
        &setup.url,
        &headers(signature("guess", body)),
        body,
        ReceiveOptions::default(),
    ))
    .unwrap();
    assert_eq!(forged.code, Some(Code::WebhookSignatureMismatch));

    // Data Center's "Test connection" ping is unsigned: accepted only when asked for, and
    // answered without a trace in storage, however many arrive.
    let ping = br#"{"test": true}"#;
    let ping_headers = vec![
        ("X-Event-Key".to_owned(), "diagnostics:ping".to_owned()),
        ("X-Request-Id".to_owned(), "e0a5c4f1".to_owned()),
    ];
    let before = host.storage.keys(host.now());
    let receive = |options: ReceiveOptions| {
        block_on(flows.receive_webhook(&setup.url, &ping_headers, ping, options)).unwrap()
    };
    assert_eq!(receive(ReceiveOptions::default()).code, Some(Code::WebhookMissingSignature));
    for _ in 0..3 {
        let receipt =
            receive(ReceiveOptions { allow_unsigned_ping: true, ..ReceiveOptions::default() });
        assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    }
    assert_eq!(host.storage.keys(host.now()), before);

    // Disconnecting forgets the hand-made hook's secret, never claims to have removed a hook
    // forgelink did not create, and says what is left to do.
    let report = block_on(flows.disconnect(&connection.id)).unwrap();
    assert_eq!(report.webhooks.len(), 1, "{:?}", report.webhooks);
    assert_eq!(report.webhooks[0].status, RegistrationStatus::ManualSetupRequired);
    assert_eq!(report.webhooks[0].hook_id, None);
    assert!(report.webhooks[0].message.as_deref().is_some_and(|m| m.contains("did not create")));
    assert!(
        report.manual_steps.iter().any(|s| s.contains("webhook settings")),
        "{:?}",
        report.manual_steps
    );
    // What is left is the memory of what was received: deliveries and object states.
    assert!(host.storage.keys(host.now()).iter().all(|k| k.starts_with("forgelink/v1/delivery/")
        || k.starts_with("forgelink/v1/state/")
        || k.starts_with("forgelink/v1/connection/")));
}

#[test]
fn a_refused_hooks_call_is_a_manual_setup_only_while_the_token_works() {
    let host = DataCenter::default();
    let flows = Flows::new(host.clone(), EncryptionKey::new(&[5; 32]).unwrap());
    let connection = connect(&flows);
    let register = |projects: &[&str]| {
        block_on(flows.register_webhooks(
            &connection.id,
            RegisterWebhooks {
                projects: projects.iter().map(|p| (*p).to_owned()).collect(),
                url: "https://app.example/hooks/bitbucket".into(),
                profile: "ci-failure-analysis".into(),
            },
        ))
        .unwrap()
    };
    // 401 with an AuthorisationException, 403, and a 401 naming no exception while the token
    // works: each is a missing permission, handed to an administrator.
    let results = register(&["PRJ/app", "PRJ/legacy", "PRJ/plain"]);
    let outcome: Vec<(&str, RegistrationStatus, Option<Code>)> =
        results.iter().map(|r| (r.project.as_str(), r.status, r.code)).collect();
    assert_eq!(
        outcome,
        [
            ("PRJ/app", RegistrationStatus::ManualSetupRequired, Some(Code::HttpForbidden)),
            ("PRJ/legacy", RegistrationStatus::ManualSetupRequired, Some(Code::HttpForbidden)),
            ("PRJ/plain", RegistrationStatus::ManualSetupRequired, Some(Code::HttpForbidden)),
        ]
    );
    assert!(results.iter().all(|r| r.manual_setup.as_ref().is_some_and(|m| m.secret.len() >= 43)));
    let guidance = results[0].guidance.as_ref().unwrap();
    assert!(guidance.steps[0].contains("401"), "{guidance:?}");

    // Once Data Center no longer accepts the token, its 401 is what it says: bad credentials.
    host.revoked.set(true);
    let results = register(&["PRJ/other"]);
    assert_eq!(
        (results[0].status, results[0].code),
        (RegistrationStatus::Failed, Some(Code::HttpUnauthorized))
    );
    assert!(results[0].manual_setup.is_none());
}
