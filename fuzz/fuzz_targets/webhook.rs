#![no_main]
//! Webhook deliveries: identify, verify and parse, with each provider's headers and the
//! fuzzer's bytes as signature and body, or (selector 255) headers, payloads and secrets the
//! shared generators make from them.

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/inputs.rs"]
mod inputs;

const EVENTS: &[(&str, &str, &str)] = &[
    ("X-GitHub-Event", "workflow_job", "X-Hub-Signature-256"),
    ("X-GitHub-Event", "push", "X-Hub-Signature"),
    ("X-Gitlab-Event", "Job Hook", "X-Gitlab-Token"),
    ("X-Gitlab-Event", "Pipeline Hook", "webhook-signature"),
    ("X-Event-Key", "repo:push", "X-Hub-Signature"),
    ("X-Event-Key", "pr:opened", "X-Hub-Signature"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    if selector == 255 {
        let rng = &mut inputs::Rng::from_bytes(rest);
        let (headers, body) = (inputs::webhook_headers(rng), inputs::webhook_body(rng));
        let secrets: Vec<_> = inputs::secrets(rng).into_iter().map(forgelink::WebhookSecret::new).collect();
        let _ = forgelink::identify_webhook(&headers);
        let _ = forgelink::verify_webhook(&headers, &body, &secrets, &forgelink::VerifyOptions::default());
        let _ = forgelink::parse_webhook(&headers, &body);
        return;
    }
    let (name, event, signature_header) = EVENTS[usize::from(selector) % EVENTS.len()];
    let split = rest.len().min(80);
    let signature = String::from_utf8_lossy(&rest[..split]).into_owned();
    let body = &rest[split..];
    let headers = vec![
        (name.to_owned(), event.to_owned()),
        (signature_header.to_owned(), signature),
        ("webhook-id".to_owned(), "msg".to_owned()),
        ("webhook-timestamp".to_owned(), "1700000000".to_owned()),
        ("X-Request-UUID".to_owned(), "r".to_owned()),
    ];
    let _ = forgelink::identify_webhook(&headers);
    let options = forgelink::VerifyOptions { now: Some(1_700_000_000), ..Default::default() };
    let _ = forgelink::verify_webhook(&headers, body, &[forgelink::WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")], &options);
    let _ = forgelink::parse_webhook(&headers, body);
});
