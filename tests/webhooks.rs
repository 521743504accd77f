//! Webhook deliveries: the real GitHub corpus (`@octokit/webhooks-examples`, installed by
//! `npm ci`), GitLab and Bitbucket payloads written from their documented examples, and a
//! golden file per provider pinning the normalised output.
//!
//! `FORGELINK_UPDATE_GOLDEN=1 cargo test --test webhooks` rewrites the golden files; review
//! the diff before committing it.

use forgelink::{parse_webhook, verify_webhook, EventKind, VerifyOptions, WebhookSecret};
use serde_json::Value;

fn root(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read_json(path: &str) -> Value {
    let path = root(path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci`)", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

/// Compares with the golden file, or writes it when asked to.
fn golden(name: &str, actual: &Value) {
    let path = root(&format!("tests/fixtures/webhooks/{name}"));
    if std::env::var_os("FORGELINK_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    if &expected != actual {
        let (expected, actual) = (expected.as_array().unwrap(), actual.as_array().unwrap());
        for (e, a) in expected.iter().zip(actual) {
            assert_eq!(e, a, "first difference from {name}");
        }
        assert_eq!(expected.len(), actual.len(), "{name}: number of cases");
    }
}

const GITHUB_EVENTS: &[(&str, EventKind)] = &[
    ("push", EventKind::Push),
    ("pull_request", EventKind::MergeRequest),
    ("workflow_run", EventKind::Pipeline),
    ("workflow_job", EventKind::Job),
    ("check_run", EventKind::Job),
    ("check_suite", EventKind::Pipeline),
    ("status", EventKind::CommitStatus),
    ("ping", EventKind::Ping),
];

#[test]
fn every_github_example_of_the_ci_events_parses() {
    let corpus = read_json("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
    let mut outputs = Vec::new();
    for (name, kind) in GITHUB_EVENTS {
        let entry = corpus.as_array().unwrap().iter().find(|e| e["name"] == *name).unwrap();
        for (index, example) in entry["examples"].as_array().unwrap().iter().enumerate() {
            let delivery = format!("{name}-{index}");
            let h = headers(&[
                ("X-GitHub-Event", name),
                ("X-GitHub-Delivery", &delivery),
                ("X-GitHub-Hook-ID", "42"),
            ]);
            let body = serde_json::to_vec(example).unwrap();
            let event = parse_webhook(&h, &body).unwrap_or_else(|e| panic!("{delivery}: {e}"));
            let is_tag = example["ref"].as_str().is_some_and(|r| r.starts_with("refs/tags/"));
            assert_eq!(event.kind, if is_tag { EventKind::TagPush } else { *kind }, "{delivery}");
            assert_eq!(event.dedupe_key, format!("github:42:{delivery}"));
            let repository = event.repository.as_ref().map(|r| r.full_path.clone());
            assert_eq!(
                repository.flatten().as_deref(),
                example["repository"]["full_name"].as_str(),
                "{delivery}"
            );
            match *name {
                "workflow_job" => {
                    let job = event.job.as_ref().unwrap();
                    assert_eq!(
                        job.id,
                        example["workflow_job"]["id"].as_u64().map(|i| i.to_string()),
                        "{delivery}"
                    );
                    assert_eq!(
                        job.pipeline_id,
                        example["workflow_job"]["run_id"].as_u64().map(|i| i.to_string())
                    );
                    if example["workflow_job"]["conclusion"] == "failure" {
                        assert_eq!(job.status, forgelink::Status::Failure, "{delivery}");
                    }
                }
                "workflow_run" => {
                    let run = event.pipeline.as_ref().unwrap();
                    assert_eq!(run.sha.as_deref(), example["workflow_run"]["head_sha"].as_str());
                }
                "pull_request" => {
                    let mr = event.merge_request.as_ref().unwrap();
                    assert_eq!(mr.number, example["pull_request"]["number"].as_u64(), "{delivery}");
                    assert_eq!(
                        mr.target_branch.as_deref(),
                        example["pull_request"]["base"]["ref"].as_str()
                    );
                }
                "status" => {
                    assert_eq!(event.commit_sha.as_deref(), example["sha"].as_str());
                    assert!(event.commit_status.is_some());
                }
                _ => {}
            }
            outputs.push(serde_json::to_value(&event).unwrap());
        }
    }
    assert!(outputs.len() >= 50, "the corpus shrank: {}", outputs.len());
    golden("github.golden.json", &Value::Array(outputs));
}

#[test]
fn github_form_encoded_deliveries_verify_over_the_raw_form() {
    let payload = r#"{"zen":"Keep it logically awesome.","hook_id":42,"repository":{"id":1,"full_name":"octo/repo"}}"#;
    let body = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.as_bytes()).collect::<String>()
    );
    let secret = "It's a Secret to Everybody";
    let signature = {
        use hmac::Mac as _;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let h = headers(&[
        ("X-GitHub-Event", "ping"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Hub-Signature-256", &format!("sha256={signature}")),
    ]);
    verify_webhook(&h, body.as_bytes(), &[WebhookSecret::new(secret)], &VerifyOptions::default())
        .unwrap();
    let event = parse_webhook(&h, body.as_bytes()).unwrap();
    assert_eq!(event.kind, EventKind::Ping);
    assert_eq!(event.repository.unwrap().full_path.as_deref(), Some("octo/repo"));
    // Re-serialising the payload changes the bytes, so the signature no longer matches.
    let reserialised =
        serde_json::to_vec(&serde_json::from_str::<Value>(payload).unwrap()).unwrap();
    assert!(verify_webhook(
        &h,
        &reserialised,
        &[WebhookSecret::new(secret)],
        &VerifyOptions::default()
    )
    .is_err());
}

#[test]
fn gitlab_and_bitbucket_documented_payloads() {
    let table = read_json("tests/fixtures/webhooks/deliveries.json");
    let mut outputs = Vec::new();
    for case in table["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let h: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = serde_json::to_vec(&case["body"]).unwrap();
        let event = serde_json::to_value(
            parse_webhook(&h, &body).unwrap_or_else(|e| panic!("{name}: {e}")),
        )
        .unwrap();
        for (field, expected) in case["expect"].as_object().unwrap() {
            let actual = field.split('.').fold(&event, |v, key| &v[key]);
            assert_eq!(actual, expected, "{name}: {field}");
        }
        outputs.push(event);
    }
    golden("deliveries.golden.json", &Value::Array(outputs));
}

/// One validly signed delivery per provider and signing scheme (tests/fixtures/webhooks/
/// signed.json, signed independently of forgelink): each verifies on its own scheme with the
/// second secret (the first is rotated out), reads as documented, and stops verifying when its
/// secret is wrong or, for the schemes that sign the body, when one byte of it changes.
#[test]
fn a_signed_delivery_of_every_provider_and_scheme_verifies() {
    let table = read_json("tests/fixtures/webhooks/signed.json");
    for case in table["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let h: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = case["body"].as_str().unwrap().as_bytes();
        let secrets: Vec<WebhookSecret> = case["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| WebhookSecret::new(s.as_str().unwrap()))
            .collect();
        let options = VerifyOptions { now: case["now"].as_i64(), ..VerifyOptions::default() };
        let verified =
            verify_webhook(&h, body, &secrets, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            serde_json::to_value(verified).unwrap(),
            serde_json::json!({ "provider": case["provider"], "scheme": case["scheme"], "secretIndex": 1 }),
            "{name}"
        );
        let event = serde_json::to_value(parse_webhook(&h, body).unwrap()).unwrap();
        for (field, expected) in case["expect"].as_object().unwrap() {
            assert_eq!(
                field.split('.').fold(&event, |v, key| &v[key]),
                expected,
                "{name}: {field}"
            );
        }
        let rotated_out = &secrets[..1];
        let error = verify_webhook(&h, body, rotated_out, &options).unwrap_err();
        assert_eq!(error.code, forgelink::Code::WebhookSignatureMismatch, "{name}");
        if case["scheme"] != "token" {
            let mut tampered = body.to_vec();
            tampered[10] ^= 1;
            let error = verify_webhook(&h, &tampered, &secrets, &options).unwrap_err();
            assert_eq!(error.code, forgelink::Code::WebhookSignatureMismatch, "{name}");
        }
    }
}
