//! Two customers of one product share its storage; one of them is hostile and runs its own
//! "self-managed" instance. Whatever it registers or sends, the other's connection, hooks,
//! secrets and events stay its own.

#[path = "support/mod.rs"]
mod support;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use forgelink::{
    Code, ConnectWithToken, EncryptionKey, FetchError, Flows, Host, HttpRequest, HttpResponse,
    RandomError, Receipt, ReceiptStatus, ReceiveOptions, RegisterWebhooks,
};
use futures::executor::block_on;
use hmac::Mac as _;
use support::forges::{
    Forges, Kind, GITHUB_TOKEN, GITLAB_OTHER_ACCOUNT_TOKEN, GITLAB_ROTATED_TOKEN, GITLAB_TOKEN,
};

const RECEIVER: &str = "https://product.example/hooks";
const GITLAB_COM: &str = "https://gitlab.com/api/v4";
const EVIL: &str = "https://gitlab.evil.example/api/v4";

/// One process of the product; tenants' processes share storage, the instances and the key.
#[derive(Clone)]
struct ProductHost {
    storage: support::Store,
    forges: Rc<RefCell<Forges>>,
    clock: Rc<Cell<i64>>,
    random: support::Random,
}

impl Host for ProductHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        Ok(self.forges.borrow_mut().handle(&request))
    }
    support::storage_methods!();
    fn now(&self) -> i64 {
        self.clock.get()
    }
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        self.random.fill(buffer);
        Ok(())
    }
    async fn sleep(&self, _millis: u32) {}
}

/// The product, with one process per tenant over the same storage and key.
struct Product {
    victim: Flows<ProductHost>,
    attacker: Flows<ProductHost>,
    host: ProductHost,
}

fn product() -> Product {
    let mut forges = Forges::default();
    forges.add(Kind::GitLab, GITLAB_COM);
    forges.add(Kind::GitLab, EVIL);
    forges.add(Kind::GitHub, "https://ghes-a.example/api/v3");
    forges.add(Kind::GitHub, "https://ghes-b.example/api/v3");
    let host = ProductHost {
        storage: support::Store::default(),
        forges: Rc::new(RefCell::new(forges)),
        clock: Rc::new(Cell::new(1_780_000_000)),
        random: support::Random::seeded(1),
    };
    let key = || EncryptionKey::new(&[3; 32]).unwrap();
    let attacker_host = ProductHost { random: support::Random::seeded(2), ..host.clone() };
    Product {
        victim: Flows::new(host.clone(), key()),
        attacker: Flows::new(attacker_host, key()),
        host,
    }
}

fn connect(flows: &Flows<ProductHost>, provider: &str, base_url: &str) -> String {
    let token = if provider == "github" { GITHUB_TOKEN } else { GITLAB_TOKEN };
    let input: ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": provider, "baseUrl": base_url, "token": token,
    }))
    .unwrap();
    block_on(flows.connect_with_token(input)).unwrap().id
}

fn register(flows: &Flows<ProductHost>, id: &str, project: &str) {
    let request = RegisterWebhooks {
        projects: vec![project.to_owned()],
        url: RECEIVER.to_owned(),
        profile: "ci-failure-analysis".to_owned(),
    };
    let results = block_on(flows.register_webhooks(id, request)).unwrap();
    assert!(results[0].code.is_none(), "{results:?}");
}

/// A GitLab "pipeline failed" delivery for `project`, as GitLab sends it with the hook's token.
fn pipeline_failed(token: &str, uuid: &str, project: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let headers = vec![
        ("X-Gitlab-Event".to_owned(), "Pipeline Hook".to_owned()),
        ("X-Gitlab-Token".to_owned(), token.to_owned()),
        ("X-Gitlab-Event-UUID".to_owned(), uuid.to_owned()),
    ];
    let body = serde_json::json!({
        "object_kind": "pipeline",
        "object_attributes": { "id": 9001, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "status": "failed", "created_at": "2026-06-01 10:00:00 UTC", "finished_at": "2026-06-01 10:05:00 UTC" },
        "user": { "id": 42, "username": "ada", "name": "Ada" },
        "project": { "id": 7, "path_with_namespace": project, "web_url": format!("https://gitlab.com/{project}"), "default_branch": "main" }
    });
    (headers, body.to_string().into_bytes())
}

/// A GitHub `workflow_run` delivery signed with the hook's secret.
fn workflow_failed(secret: &str, delivery: &str, hook_id: u64) -> (Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::json!({
        "action": "completed",
        "workflow_run": { "id": 30433642, "run_attempt": 1, "name": "CI", "status": "completed", "conclusion": "failure", "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "head_branch": "main" },
        "repository": { "id": 1, "full_name": "octo/app" },
        "sender": { "login": "octocat", "id": 1 }
    })
    .to_string()
    .into_bytes();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let headers = [
        ("X-GitHub-Event", "workflow_run".to_owned()),
        ("X-GitHub-Delivery", delivery.to_owned()),
        ("X-GitHub-Hook-ID", hook_id.to_string()),
        ("X-Hub-Signature-256", format!("sha256={hex}")),
    ];
    (headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect(), body)
}

fn receive(
    flows: &Flows<ProductHost>,
    route: &str,
    (headers, body): &(Vec<(String, String)>, Vec<u8>),
) -> Receipt {
    support::receive_and_handle(flows, route, headers, body, ReceiveOptions::default())
}

/// Every stored key and value.
fn snapshot(host: &ProductHost) -> BTreeMap<String, Vec<u8>> {
    let now = host.now();
    host.storage
        .keys(now)
        .into_iter()
        .map(|k| (k.clone(), host.storage.get(&k, now).unwrap()))
        .collect()
}

/// Whether every entry of `before` is still there unchanged.
fn untouched(before: &BTreeMap<String, Vec<u8>>, host: &ProductHost) -> bool {
    let after = snapshot(host);
    before.iter().all(|(k, v)| after.get(k) == Some(v))
}

#[test]
fn a_hostile_self_managed_instance_cannot_take_over_another_tenants_deliveries() {
    let p = product();
    let victim = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &victim, "victimgroup/app");
    let victim_hook = p.host.forges.borrow().hook(GITLAB_COM, "victimgroup/app");
    let before = snapshot(&p.host);

    // The attacker types its own instance, and registers the victim's project path on it.
    let attacker = connect(&p.attacker, "gitlab", "https://gitlab.evil.example");
    register(&p.attacker, &attacker, "victimgroup/app");
    let evil_hook = p.host.forges.borrow().hook(EVIL, "victimgroup/app");
    assert_ne!(evil_hook.url, victim_hook.url, "each hook has its own route");
    assert!(evil_hook.url.starts_with(RECEIVER) && victim_hook.url.starts_with(RECEIVER));
    assert!(untouched(&before, &p.host), "registering changed nothing of the victim's");

    // It poisons the claim first: the victim's exact failure, through its own hook.
    let genuine = pipeline_failed(&victim_hook.secret, "uuid-real", "victimgroup/app");
    let poisoned = pipeline_failed(&evil_hook.secret, "uuid-real", "victimgroup/app");
    let receipt = receive(&p.attacker, &evil_hook.url, &poisoned);
    assert_eq!(receipt.status, ReceiptStatus::Accepted);
    assert_eq!(receipt.connection_id.as_deref(), Some(attacker.as_str()), "it is the attacker's");

    // It forges a failure at the victim's delivery URL, signed with what it knows.
    for forged in [
        pipeline_failed(&evil_hook.secret, "uuid-forged", "victimgroup/app"),
        pipeline_failed("", "uuid-forged", "victimgroup/app"),
    ] {
        let receipt = receive(&p.victim, &victim_hook.url, &forged);
        assert_eq!(receipt.status, ReceiptStatus::Rejected);
        assert!(
            matches!(
                receipt.code,
                Some(Code::WebhookSignatureMismatch | Code::WebhookMissingSignature)
            ),
            "{receipt:?}"
        );
    }

    // The victim's genuine failure is still news to the victim, and names the victim.
    let receipt = receive(&p.victim, &victim_hook.url, &genuine);
    assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    assert_eq!(receipt.connection_id.as_deref(), Some(victim.as_str()));
    assert_eq!(receipt.project.as_deref(), Some("victimgroup/app"));

    // GitLab's own redelivery is a duplicate; so is a captured delivery replayed with a new
    // event UUID, which is not signed.
    assert_eq!(receive(&p.victim, &victim_hook.url, &genuine).status, ReceiptStatus::Duplicate);
    let replayed = pipeline_failed(&victim_hook.secret, "uuid-fresh", "victimgroup/app");
    assert_eq!(receive(&p.victim, &victim_hook.url, &replayed).status, ReceiptStatus::Duplicate);

    // Re-registering on its instance moves nothing of the victim's either.
    register(&p.attacker, &attacker, "victimgroup/app");
    let victim_keys: BTreeMap<_, _> =
        before.into_iter().filter(|(k, _)| !k.starts_with("forgelink/v1/delivery/")).collect();
    assert!(untouched(&victim_keys, &p.host));
    assert_eq!(
        receive(&p.victim, &victim_hook.url, &pipeline_failed(&victim_hook.secret, "u", "x/y"))
            .connection_id
            .as_deref(),
        Some(victim.as_str()),
        "whatever a payload names, the route decides"
    );
}

#[test]
fn enterprise_servers_numbering_hooks_alike_do_not_collide() {
    let p = product();
    let a = connect(&p.victim, "github", "https://ghes-a.example");
    let b = connect(&p.attacker, "github", "https://ghes-b.example");
    register(&p.victim, &a, "octo/app");
    register(&p.attacker, &b, "octo/app");
    let hook_a = p.host.forges.borrow().hook("https://ghes-a.example/api/v3", "octo/app");
    let hook_b = p.host.forges.borrow().hook("https://ghes-b.example/api/v3", "octo/app");
    assert_eq!((hook_a.id, hook_b.id), (1, 1), "both instances number their first hook 1");

    let from_a = workflow_failed(&hook_a.secret, "d-1", 1);
    let from_b = workflow_failed(&hook_b.secret, "d-1", 1);
    let receipt = receive(&p.victim, &hook_a.url, &from_a);
    assert_eq!(
        (receipt.status, receipt.connection_id.as_deref()),
        (ReceiptStatus::Accepted, Some(a.as_str()))
    );
    let receipt = receive(&p.attacker, &hook_b.url, &from_b);
    assert_eq!(
        (receipt.status, receipt.connection_id.as_deref()),
        (ReceiptStatus::Accepted, Some(b.as_str()))
    );
    // Sent to the other's URL, each is refused; replayed with a fresh delivery id, a duplicate.
    assert_eq!(receive(&p.victim, &hook_a.url, &from_b).code, Some(Code::WebhookSignatureMismatch));
    let replay = workflow_failed(&hook_a.secret, "d-2-fresh", 1);
    assert_eq!(receive(&p.victim, &hook_a.url, &replay).status, ReceiptStatus::Duplicate);
}

#[test]
fn two_connections_watching_one_project_each_hear_of_it_once() {
    let p = product();
    let first = connect(&p.victim, "gitlab", "https://gitlab.com");
    let second = connect(&p.attacker, "gitlab", "https://gitlab.com");
    register(&p.victim, &first, "group/app");
    register(&p.attacker, &second, "group/app");
    let hooks = p.host.forges.borrow().instance(GITLAB_COM).hooks["group/app"].clone();
    assert_eq!(hooks.len(), 2, "one hook per connection");
    for (hook, id) in hooks.iter().zip([&first, &second]) {
        let delivery = pipeline_failed(&hook.secret, "uuid-1", "group/app");
        let receipt = receive(&p.victim, &hook.url, &delivery);
        assert_eq!(
            (receipt.status, receipt.connection_id.as_ref()),
            (ReceiptStatus::Accepted, Some(id))
        );
        assert_eq!(receive(&p.attacker, &hook.url, &delivery).status, ReceiptStatus::Duplicate);
    }
}

#[test]
fn nothing_is_written_for_a_delivery_that_does_not_verify() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    let before = snapshot(&p.host);
    let wrong_provider = workflow_failed(&hook.secret, "d", 1);
    for (route, delivery) in [
        (hook.url.as_str(), pipeline_failed("guess", "u1", "group/app")),
        (hook.url.as_str(), wrong_provider),
        (
            "https://product.example/hooks/not-a-route",
            pipeline_failed(&hook.secret, "u2", "group/app"),
        ),
        (RECEIVER, pipeline_failed(&hook.secret, "u3", "group/app")),
        (
            hook.url.as_str(),
            (pipeline_failed(&hook.secret, "u4", "group/app").0, b"{not json".to_vec()),
        ),
    ] {
        let receipt = receive(&p.victim, route, &delivery);
        assert_eq!(receipt.status, ReceiptStatus::Rejected, "{receipt:?}");
        assert!(receipt.code.is_some());
    }
    assert_eq!(snapshot(&p.host), before);
}

#[test]
fn a_record_copied_under_another_key_does_not_open() {
    let p = product();
    let victim = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &victim, "group/app");
    let attacker = connect(&p.attacker, "gitlab", "https://gitlab.evil.example");
    register(&p.attacker, &attacker, "group/app");
    let victim_hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    let evil_hook = p.host.forges.borrow().hook(EVIL, "group/app");
    // Someone with write access to storage points the attacker's route at the victim's hook
    // by copying the victim's route value under the attacker's route key.
    let route_key = |url: &str| {
        use sha2::Digest as _;
        let id = url.rsplit('/').next().unwrap();
        let hex: String = sha2::Sha256::digest(id).iter().map(|b| format!("{b:02x}")).collect();
        format!("forgelink/v1/routes/{hex}")
    };
    let now = p.host.now();
    let stolen = p.host.storage.get(&route_key(&victim_hook.url), now).unwrap();
    p.host.storage.set(&route_key(&evil_hook.url), &stolen, None, now);
    let delivery = pipeline_failed(&victim_hook.secret, "u", "group/app");
    let (headers, body) = &delivery;
    let error = block_on(p.attacker.receive_webhook(
        &evil_hook.url,
        headers,
        body,
        ReceiveOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(error.code, Code::StorageCorrupt);
}

#[test]
fn ten_thousand_deliveries_leave_storage_bounded_once_their_windows_pass() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    let baseline = p.host.storage.keys(p.host.now()).len();
    let mut accepted = 0;
    for n in 0..10_000u32 {
        // Three in ten are a redelivery of an earlier push.
        let push = if n % 10 < 3 { n / 2 } else { n };
        let headers = vec![
            ("X-Gitlab-Event".to_owned(), "Push Hook".to_owned()),
            ("X-Gitlab-Token".to_owned(), hook.secret.clone()),
        ];
        let body = serde_json::json!({
            "object_kind": "push", "ref": "refs/heads/main",
            "before": "0000000000000000000000000000000000000000", "after": format!("{push:040x}"),
            "checkout_sha": format!("{push:040x}"), "user_username": "ada",
            "project": { "id": 7, "path_with_namespace": "group/app" }, "commits": [], "total_commits_count": 0
        })
        .to_string()
        .into_bytes();
        if receive(&p.victim, &hook.url, &(headers, body)).status == ReceiptStatus::Accepted {
            accepted += 1;
        }
        if n % 1000 == 999 {
            p.host.clock.set(p.host.clock.get() + 3600);
        }
    }
    assert!(accepted > 5_000 && accepted < 10_000, "{accepted}");
    let live = p.host.storage.keys(p.host.now()).len();
    assert!(live <= baseline + 2 * accepted, "{live}");
    // Seven days of delivery claims and 31 days of state claims later, only the connection's
    // own records are left.
    let later = p.host.now() + 32 * 86_400;
    assert_eq!(
        p.host.storage.keys(later).len(),
        baseline,
        "{:?}",
        &p.host.storage.keys(later)[..5.min(p.host.storage.keys(later).len())]
    );
}

#[test]
fn a_delivery_is_held_while_handled_released_on_failure_and_lapses_when_its_handler_dies() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    // Two processes of the same product over the same storage.
    let one = &p.victim;
    let two = Flows::new(
        ProductHost { random: support::Random::seeded(9), ..p.host.clone() },
        EncryptionKey::new(&[3; 32]).unwrap(),
    );
    let (headers, body) = pipeline_failed(&hook.secret, "uuid-1", "group/app");
    let options = ReceiveOptions { handling_seconds: 30, ..ReceiveOptions::default() };
    let take = |flows: &Flows<ProductHost>, body: &[u8]| {
        block_on(flows.receive_webhook(&hook.url, &headers, body, options.clone())).unwrap()
    };
    let now = p.host.now();

    // One process accepts it; while it handles the event, a copy elsewhere is pending (answer
    // the provider "retry later"), never a duplicate that would be lost if the first failed.
    let first = take(one, &body);
    assert_eq!(first.status, ReceiptStatus::Accepted);
    let copy = take(&two, &body);
    assert_eq!(
        (copy.status, copy.retry_after_seconds, &copy.claim),
        (ReceiptStatus::Pending, Some(30), &None)
    );
    assert_eq!(copy.connection_id.as_deref(), Some(id.as_str()), "a pending receipt is authentic");

    // Its handler fails: the claim is released and the provider's redelivery is taken, here
    // by the other process. The stale token cannot release that one's claim.
    block_on(one.release_delivery(first.claim.as_ref().unwrap())).unwrap();
    let retried = take(&two, &body);
    assert_eq!(retried.status, ReceiptStatus::Accepted);
    block_on(one.release_delivery(first.claim.as_ref().unwrap())).unwrap();
    assert_eq!(take(one, &body).status, ReceiptStatus::Pending);

    // That process dies before confirming: once `handlingSeconds` have passed, the claim has
    // lapsed and the next redelivery is accepted. Its late confirmation says so and takes
    // nothing over.
    p.host.clock.set(now + 31);
    let after_death = take(one, &body);
    assert_eq!(after_death.status, ReceiptStatus::Accepted);
    assert_eq!(block_on(two.confirm_delivery(retried.claim.as_ref().unwrap())), Ok(false));
    assert_eq!(take(&two, &body).status, ReceiptStatus::Pending);

    // Confirmed: every copy is a duplicate for the dedupe window, on every process.
    assert_eq!(block_on(one.confirm_delivery(after_death.claim.as_ref().unwrap())), Ok(true));
    p.host.clock.set(now + 6 * 86_400);
    assert_eq!(take(&two, &body).status, ReceiptStatus::Duplicate);
    assert_eq!(take(one, &body).status, ReceiptStatus::Duplicate);

    // A token forgelink did not issue is refused, and changes nothing.
    for forged in ["", "forged", "MTcwMDAwMDA2MCBhYmMKb3RoZXIva2V5IDE"] {
        let error = block_on(one.confirm_delivery(forged)).unwrap_err();
        assert_eq!(error.code, Code::InputInvalid, "{forged:?}");
        assert_eq!(block_on(one.release_delivery(forged)).unwrap_err().code, Code::InputInvalid);
    }
}

#[test]
fn a_second_delivery_of_the_same_state_waits_for_the_first_to_be_handled() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    let (headers, body) = pipeline_failed(&hook.secret, "uuid-1", "group/app");
    // The same pipeline in the same state, in a different delivery (another body).
    let mut other_body = body.clone();
    other_body.push(b'\n');
    let take = |body: &[u8]| {
        block_on(p.victim.receive_webhook(&hook.url, &headers, body, ReceiveOptions::default()))
            .unwrap()
    };

    let first = take(&body);
    assert_eq!(first.status, ReceiptStatus::Accepted);
    // While the first is handled, the second is pending, and its own claim is left free.
    assert_eq!(take(&other_body).status, ReceiptStatus::Pending);
    block_on(p.victim.release_delivery(first.claim.as_ref().unwrap())).unwrap();
    let second = take(&other_body);
    assert_eq!(second.status, ReceiptStatus::Accepted, "its retry is judged again: now it is news");
    assert_eq!(block_on(p.victim.confirm_delivery(second.claim.as_ref().unwrap())), Ok(true));
    // Now the first delivery's redelivery is a duplicate of the state already handled.
    assert_eq!(take(&body).status, ReceiptStatus::Duplicate);
    assert_eq!(take(&body).status, ReceiptStatus::Duplicate);
}

/// A GitLab "pipeline failed" delivery from a hook with both a secret token and a signing
/// token: GitLab sends the token and signs `{webhook-id}.{webhook-timestamp}.{body}` with the
/// signing token as Standard Webhooks do ("Webhooks", "Signing token",
/// docs.gitlab.com/user/project/integrations/webhooks/).
fn pipeline_signed(
    signing_token: &str,
    token: &str,
    id: &str,
    at: i64,
    project: &str,
) -> (Vec<(String, String)>, Vec<u8>) {
    use base64::Engine as _;
    let (mut headers, body) = pipeline_failed(token, id, project);
    let key = base64::engine::general_purpose::STANDARD
        .decode(signing_token.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{at}.").as_bytes());
    mac.update(&body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    for (name, value) in [
        ("Idempotency-Key", id.to_owned()),
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", at.to_string()),
        ("webhook-signature", format!("v1,{signature}")),
    ] {
        headers.push((name.to_owned(), value));
    }
    (headers, body)
}

/// Where the instance keeps the signing token (it answers `signing_token_present`), the hook's
/// deliveries are checked by their signature alone: the secret token travels in clear in each
/// of them, so a captured token with a body of the captor's choosing is refused. An instance
/// without the feature (here the hostile one) keeps verifying by its token, and neither
/// tenant's secrets open the other's route.
#[test]
fn gitlab_hooks_are_checked_by_signature_where_the_instance_keeps_signing_tokens() {
    let p = product();
    p.host.forges.borrow_mut().instance_mut(GITLAB_COM).signs = true;
    let victim = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &victim, "group/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "group/app");
    let signing = hook.signing_token.clone().expect("gitlab.com kept the signing token");
    assert!(signing.starts_with("whsec_") && signing != hook.secret);

    let now = p.host.now();
    let signed = pipeline_signed(&signing, &hook.secret, "msg_1", now, "group/app");
    let receipt = receive(&p.victim, &hook.url, &signed);
    assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    let token_only = pipeline_failed(&hook.secret, "msg_2", "group/app");
    let tampered = (signed.0.clone(), signed.1.iter().rev().copied().collect::<Vec<u8>>());
    for refused in [token_only, tampered] {
        let receipt = receive(&p.victim, &hook.url, &refused);
        assert_eq!(receipt.code, Some(Code::WebhookSignatureMismatch), "{receipt:?}");
    }
    // Carrying only a token, the refusal says what may have changed on the instance.
    let receipt =
        receive(&p.victim, &hook.url, &pipeline_failed(&hook.secret, "msg_2", "group/app"));
    assert!(receipt.message.as_deref().is_some_and(|m| m.contains("register the webhooks again")));
    let stale = pipeline_signed(&signing, &hook.secret, "msg_3", now - 3_600, "group/app");
    assert_eq!(receive(&p.victim, &hook.url, &stale).code, Some(Code::WebhookTimestampOutOfRange));

    // The hostile instance has no signing tokens: its hook verifies by token, as before.
    let attacker = connect(&p.attacker, "gitlab", "https://gitlab.evil.example");
    register(&p.attacker, &attacker, "group/app");
    let evil = p.host.forges.borrow().hook(EVIL, "group/app");
    assert_eq!(evil.signing_token, None);
    let own = pipeline_failed(&evil.secret, "msg_4", "group/app");
    assert_eq!(receive(&p.attacker, &evil.url, &own).status, ReceiptStatus::Accepted);
    // Its token, or its own signing attempt, at the victim's route opens nothing.
    let own_key = "whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    assert_ne!(own_key, signing);
    let forged = pipeline_signed(own_key, &evil.secret, "msg_5", now, "group/app");
    for forged in [pipeline_failed(&evil.secret, "msg_6", "group/app"), forged] {
        assert_eq!(receive(&p.victim, &hook.url, &forged).status, ReceiptStatus::Rejected);
    }
    // The victim's genuine delivery sent to the attacker's route is not the attacker's either.
    assert_eq!(receive(&p.attacker, &evil.url, &signed).status, ReceiptStatus::Rejected);
}

/// "Auto-disabled webhooks" (docs.gitlab.com/user/project/integrations/webhooks/
/// #auto-disabled-webhooks): GitLab pauses a failing hook, then disables it for good; someone
/// may also delete a hook. The connection report reads every registered hook and says so (a
/// pause warns, the rest fail), and the next registration names what it found.
#[test]
fn disabled_and_deleted_hooks_show_in_the_report_and_the_next_registration() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    register(&p.victim, &id, "group/lib");
    let webhooks = || {
        let report = block_on(p.victim.test_connection(&id)).unwrap();
        report.checks.into_iter().find(|c| c.name == "webhooks").expect("a webhooks check")
    };
    assert_eq!(webhooks().status, forgelink::CheckStatus::Pass);

    let until = "2026-06-01T10:00:00.000Z";
    p.host.forges.borrow_mut().set_alert(
        GITLAB_COM,
        "group/app",
        "temporarily_disabled",
        Some(until),
    );
    let check = webhooks();
    assert_eq!(
        (check.status, check.code),
        (forgelink::CheckStatus::Warn, Some(Code::WebhookHookDisabled))
    );
    assert!(
        check.message.contains(until) && check.message.contains("group/app"),
        "{}",
        check.message
    );

    p.host.forges.borrow_mut().set_alert(GITLAB_COM, "group/app", "disabled", None);
    let check = webhooks();
    assert_eq!(
        (check.status, check.code),
        (forgelink::CheckStatus::Fail, Some(Code::WebhookHookDisabled))
    );
    assert!(check.message.contains("for good"), "{}", check.message);
    let guidance = check.guidance.expect("guidance");
    assert!(guidance.steps.iter().any(|s| s.contains("40")), "{guidance:?}");

    p.host.forges.borrow_mut().instance_mut(GITLAB_COM).hooks.get_mut("group/lib").unwrap().clear();
    let check = webhooks();
    assert_eq!(check.status, forgelink::CheckStatus::Fail);
    assert!(
        check.message.contains("group/lib") && check.message.contains("group/app"),
        "{}",
        check.message
    );

    let request = RegisterWebhooks {
        projects: vec!["group/app".to_owned()],
        url: RECEIVER.to_owned(),
        profile: "ci-failure-analysis".to_owned(),
    };
    let results = block_on(p.victim.register_webhooks(&id, request)).unwrap();
    assert_eq!(results[0].code, Some(Code::WebhookHookDisabled), "{results:?}");
    assert!(results[0]
        .guidance
        .as_ref()
        .is_some_and(|g| g.docs_url.is_some_and(|u| u.contains("auto-disabled"))));
}

/// In hybrid mode a poll that finds what a hook should have delivered reads that hook, and
/// names the reason GitLab stopped delivering ("Auto-disabled webhooks",
/// docs.gitlab.com/user/project/integrations/webhooks/#auto-disabled-webhooks); a poll that
/// finds nothing new reads no hook.
#[test]
fn a_poll_that_finds_what_a_disabled_hook_missed_says_why() {
    let p = product();
    let id = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &id, "group/app");
    let options = || -> forgelink::PollOptions {
        serde_json::from_value(serde_json::json!({ "projects": ["group/app"] })).unwrap()
    };
    let quiet = block_on(p.victim.poll_events(&id, options())).unwrap();
    assert_eq!((quiet.projects[0].events, quiet.projects[0].code), (0, None));

    p.host.forges.borrow_mut().set_alert(GITLAB_COM, "group/app", "disabled", None);
    // Two minutes and thirty seconds before the product's clock (1_780_000_000).
    assert_eq!(p.host.now(), 1_780_000_000);
    let (created, finished) = ("2026-05-28T20:24:40.000Z", "2026-05-28T20:26:10.000Z");
    p.host.forges.borrow_mut().instance_mut(GITLAB_COM).pipelines = vec![serde_json::json!({
        "id": 31, "iid": 3, "project_id": 7, "status": "failed", "ref": "main",
        "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "source": "push",
        "created_at": created, "updated_at": finished, "finished_at": finished,
        "web_url": "https://gitlab.com/group/app/-/pipelines/31"
    })];
    let found = block_on(p.victim.poll_events(&id, options())).unwrap();
    let project = &found.projects[0];
    assert_eq!(project.events, 1, "{found:?}");
    assert_eq!(project.code, Some(Code::WebhookHookDisabled), "{project:?}");
    assert!(project.message.as_deref().is_some_and(|m| m.contains("for good")), "{project:?}");
}

fn replacement(token: &str) -> forgelink::ReplaceCredentials {
    serde_json::from_value(serde_json::json!({ "token": token })).unwrap()
}

#[test]
fn a_replaced_token_keeps_the_connection_its_hooks_and_their_routes() {
    let p = product();
    let victim = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &victim, "victimgroup/app");
    let hook = p.host.forges.borrow().hook(GITLAB_COM, "victimgroup/app");
    let hook_keys: BTreeMap<_, _> =
        snapshot(&p.host).into_iter().filter(|(k, _)| k.contains("/hook")).collect();
    assert!(!hook_keys.is_empty());
    let replaced =
        block_on(p.victim.replace_credentials(&victim, replacement(GITLAB_ROTATED_TOKEN))).unwrap();
    assert_eq!(replaced.id, victim);
    assert_eq!(replaced.account.username, "ada");
    assert!(untouched(&hook_keys, &p.host), "the hook records stay as they were");
    assert_eq!(block_on(p.victim.access_token(&victim)).unwrap().secret(), GITLAB_ROTATED_TOKEN);
    // A delivery to the route registered with the old token verifies and names the connection.
    let receipt =
        receive(&p.victim, &hook.url, &pipeline_failed(&hook.secret, "u-1", "victimgroup/app"));
    assert_eq!(receipt.status, ReceiptStatus::Accepted, "{receipt:?}");
    assert_eq!(receipt.connection_id.as_deref(), Some(victim.as_str()));
    // And the disconnect removes the hook from the instance, with the new token.
    let report = block_on(p.victim.disconnect(&victim)).unwrap();
    assert_eq!(report.webhooks.len(), 1, "{report:?}");
    assert!(p.host.forges.borrow().instance(GITLAB_COM).hooks["victimgroup/app"].is_empty());
}

#[test]
fn a_hostile_tenant_cannot_replace_another_tenants_credentials() {
    let p = product();
    let victim = connect(&p.victim, "gitlab", "https://gitlab.com");
    register(&p.victim, &victim, "victimgroup/app");
    // The attacker has its own self-managed instance and an account of its own.
    let attacker = connect(&p.attacker, "gitlab", "https://gitlab.evil.example");
    register(&p.attacker, &attacker, "victimgroup/app");
    let before = snapshot(&p.host);
    let refused = |token: &str| {
        block_on(p.attacker.replace_credentials(&victim, replacement(token))).unwrap_err().code
    };
    assert_eq!(refused(GITLAB_OTHER_ACCOUNT_TOKEN), Code::ConnectionAccountMismatch);
    assert_eq!(refused(GITHUB_TOKEN), Code::ConnectionInstanceMismatch);
    assert_eq!(refused("glpat-issued-by-the-evil-instance-only"), Code::HttpUnauthorized);
    // Re-authorizing the victim's connection through the attacker's instance is refused too.
    let start: forgelink::ConnectStart = serde_json::from_value(serde_json::json!({
        "provider": "gitlab", "baseUrl": "https://gitlab.evil.example", "clientId": "evil-app",
        "redirectUri": "https://product.example/oauth/callback", "connectionId": victim,
    }))
    .unwrap();
    assert_eq!(
        block_on(p.attacker.connect_start(start)).unwrap_err().code,
        Code::ConnectionInstanceMismatch
    );
    assert_eq!(snapshot(&p.host), before, "storage is untouched");
    assert_eq!(block_on(p.victim.access_token(&victim)).unwrap().secret(), GITLAB_TOKEN);
}
