//! The hook registration requests and readers of `webhooks`, and `manual-webhook-setup`,
//! through wasmtime, against the core.

mod common;

use base64::Engine as _;
use forgelink_host::json;
use forgelink_host::wit::{self, Provider};

use common::core::{core_json, core_provider, core_response, response};
use common::plugin;

/// A GitLab signing token: `whsec_` and the base64 of 32 bytes ("Project webhooks API",
/// docs.gitlab.com/api/project_webhooks/).
const SIGNING_TOKEN: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";

const PROVIDERS: [(Provider, Option<&str>, &str); 4] = [
    (Provider::Github, None, "octo/repo"),
    (Provider::Gitlab, Some("https://example.com/gitlab"), "group/sub/app"),
    (Provider::BitbucketCloud, None, "ws/repo"),
    (Provider::BitbucketDataCenter, Some("https://bb.example.com"), "PRJ/app"),
];

fn events(provider: Provider) -> Vec<String> {
    let events: &[&str] = match provider {
        Provider::Github => &["workflow_run", "workflow_job"],
        Provider::Gitlab => &["pipeline_events", "job_events"],
        Provider::BitbucketCloud => &["repo:commit_status_updated"],
        Provider::BitbucketDataCenter => &["repo:refs_changed", "pr:opened"],
    };
    events.iter().map(|e| (*e).to_owned()).collect()
}

#[test]
fn registration_requests_match_the_cores() {
    let mut plugin = plugin();
    for (provider, base_url, project) in PROVIDERS {
        let instance = wit::Instance { provider, base_url: base_url.map(str::to_owned) };
        // GitLab hooks also take a signing token; the other providers refuse one (below).
        let signing = (provider == Provider::Gitlab).then(|| SIGNING_TOKEN.to_owned());
        let spec = wit::HookSpec {
            url: "https://app.example/hooks".into(),
            secret: "s3cret".into(),
            signing_secret: signing.clone(),
            events: events(provider),
        };
        let core_spec = forgelink::HookSpec {
            url: spec.url.clone(),
            secret: forgelink::WebhookSecret::new("s3cret"),
            signing_secret: signing.map(forgelink::WebhookSecret::new),
            events: spec.events.clone(),
        };
        let endpoints = forgelink::endpoints(core_provider(provider), base_url).unwrap();
        let pairs = [
            (
                plugin.prepare_create_hook(&instance, "t0k3n", project, &spec).unwrap(),
                forgelink::prepare_create_hook(&endpoints, "t0k3n", project, &core_spec),
            ),
            (
                plugin.prepare_update_hook(&instance, "t0k3n", project, "12", &spec).unwrap(),
                forgelink::prepare_update_hook(&endpoints, "t0k3n", project, "12", &core_spec),
            ),
            (
                plugin.prepare_delete_hook(&instance, "t0k3n", project, "12").unwrap(),
                forgelink::prepare_delete_hook(&endpoints, "t0k3n", project, "12"),
            ),
            (
                plugin.prepare_list_hooks(&instance, "t0k3n", project).unwrap(),
                forgelink::prepare_list_hooks(&endpoints, "t0k3n", project),
            ),
        ];
        for (request, core) in pairs {
            let request = request.unwrap_or_else(|e| panic!("{provider:?}: {}", e.code));
            assert_eq!(
                common::comparable(json::request(&request)),
                common::comparable(core_json(&core.unwrap())),
                "{provider:?}"
            );
        }
        let other = wit::HookSpec { signing_secret: Some(SIGNING_TOKEN.into()), ..spec.clone() };
        let signed = plugin.prepare_create_hook(&instance, "t", project, &other).unwrap();
        match provider {
            Provider::Gitlab => {
                let body =
                    json::request(&signed.expect("accepted"))["body"].as_str().unwrap().to_owned();
                assert!(body.contains(&format!(r#""signing_token":"{SIGNING_TOKEN}""#)), "{body}");
            }
            _ => assert_eq!(signed.expect_err("refused").code, "input.invalid", "{provider:?}"),
        }
        let short = wit::HookSpec { signing_secret: Some("whsec_c2hvcnQ=".into()), ..spec.clone() };
        let error = plugin.prepare_create_hook(&instance, "t", project, &short).unwrap();
        assert_eq!(error.expect_err("refused").code, "input.invalid", "{provider:?}");
        // A path of the wrong shape, and an instance that cannot be used.
        let error = plugin
            .prepare_create_hook(&instance, "t", "just-one-part", &spec)
            .unwrap()
            .expect_err("refused");
        assert_eq!(error.code, "repository.invalid_path", "{provider:?}");
        let broken = wit::Instance { provider, base_url: Some("ftp://example.com".into()) };
        let error = plugin.prepare_list_hooks(&broken, "t", project).unwrap().expect_err("refused");
        assert!(error.code.starts_with("base_url."), "{provider:?}: {}", error.code);
        assert_eq!(error.guidance.code, error.code);
    }
}

#[test]
fn hook_answers_read_as_the_core_reads_them() {
    let mut plugin = plugin();
    let cases = [
        (
            Provider::Github,
            "https://api.github.com/repos/o/r/hooks?per_page=100",
            response(
                200,
                &[(
                    "Link",
                    r#"<https://api.github.com/repositories/1/hooks?page=2>; rel="next", <https://api.github.com/repositories/1/hooks?page=3>; rel="last""#,
                )],
                r#"[{"id":12345678,"name":"web","active":true,"events":["push","pull_request"],"config":{"content_type":"json","insecure_ssl":"0","url":"https://example.com/webhook"}}]"#,
            ),
        ),
        (
            Provider::Gitlab,
            "https://gitlab.example.com/api/v4/projects/g%2Fp/hooks?per_page=100",
            response(
                200,
                &[(
                    "Link",
                    r#"<https://gitlab.example.com/api/v4/projects/g%2Fp/hooks?page=2&per_page=100>; rel="next""#,
                )],
                r#"[{"id":1,"url":"https://app.example/hooks","pipeline_events":true,"job_events":true,"push_events":false,"alert_status":"disabled"}]"#,
            ),
        ),
        (
            Provider::BitbucketCloud,
            "https://api.bitbucket.org/2.0/repositories/w/r/hooks?pagelen=100",
            response(
                200,
                &[],
                r#"{"values":[{"uuid":"{a-b}","url":"https://app.example/hooks","active":true,"events":["repo:push"]}],"next":"https://api.bitbucket.org/2.0/repositories/w/r/hooks?page=2"}"#,
            ),
        ),
        (
            Provider::BitbucketDataCenter,
            "https://bb.example.com/rest/api/latest/projects/P/repos/r/webhooks?limit=100",
            response(
                200,
                &[],
                r#"{"size":1,"limit":1,"isLastPage":false,"nextPageStart":1,"values":[{"id":10,"name":"Webhook Name","events":["repo:refs_changed"],"url":"http://example.com","active":true}]}"#,
            ),
        ),
        (
            Provider::Github,
            "https://api.github.com/repos/o/r/hooks",
            response(
                422,
                &[],
                r#"{"message":"Validation Failed","errors":[{"resource":"Hook","code":"custom","message":"The \"push\" event cannot have more than 20 hooks"}]}"#,
            ),
        ),
        (
            Provider::Gitlab,
            "https://gitlab.example.com/x",
            response(404, &[], r#"{"message":"404 Project Not Found"}"#),
        ),
        (Provider::BitbucketCloud, "https://x", response(200, &[], "<html>")),
    ];
    let mut pages = 0;
    for (provider, url, answer) in &cases {
        let page = plugin.parse_hook_list(*provider, url, answer).unwrap();
        let core =
            forgelink::parse_hook_list(core_provider(*provider), url, &core_response(answer));
        match (page, core) {
            (Ok(page), Ok(core)) => {
                assert_eq!(json::hook_page(&page), core_json(&core), "{provider:?}");
                assert!(page.next.is_some(), "{provider:?}");
                pages += 1;
            }
            (Err(error), Err(core)) => {
                assert_eq!(error.code, core.code.as_str(), "{provider:?}");
                assert_eq!(error.guidance.code, error.code);
            }
            (page, core) => panic!("{provider:?}: {page:?} {core:?}"),
        }
    }
    assert_eq!(pages, 4);

    let created = response(
        201,
        &[],
        r#"{"id":4242,"active":true,"events":["workflow_run"],"config":{"url":"https://app.example/hooks","content_type":"json"}}"#,
    );
    let hook = plugin.parse_hook(Provider::Github, &created).unwrap().expect("a hook");
    let core = forgelink::parse_hook(forgelink::Provider::GitHub, &core_response(&created));
    assert_eq!(json::hook(&hook), core_json(&core.unwrap()));
    assert_eq!((hook.id.as_str(), hook.active), ("4242", true));
    for (answer, code) in [
        (response(201, &[], r#"{"active":true}"#), "http.unexpected_status"),
        (
            response(403, &[], r#"{"message":"Must have admin rights to Repository."}"#),
            "http.forbidden",
        ),
        (
            response(
                422,
                &[],
                r#"{"message":"Validation Failed: The maximum number of hooks has been reached"}"#,
            ),
            "webhook.limit_reached",
        ),
    ] {
        let error = plugin.parse_hook(Provider::Github, &answer).unwrap().expect_err("refused");
        let core = forgelink::parse_hook(forgelink::Provider::GitHub, &core_response(&answer))
            .expect_err("the core refuses it too");
        assert_eq!((error.code.as_str(), core.code.as_str()), (code, code));
    }
}

#[test]
fn manual_setup_draws_a_fresh_secret_and_says_what_the_core_says() {
    let mut plugin = plugin();
    for (provider, base_url, project) in PROVIDERS {
        let request = wit::ManualWebhookSetupRequest {
            provider,
            base_url: base_url.map(str::to_owned),
            project: project.to_owned(),
            url: "https://app.example/hooks".into(),
            profile: "ci-failure-analysis".into(),
        };
        let setup = plugin.manual_webhook_setup(&request).unwrap().expect("a setup");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&setup.secret)
            .expect("the secret is base64url");
        assert_eq!(bytes.len(), 32, "{provider:?}");
        let core = forgelink::manual_webhook_setup(
            core_provider(provider),
            base_url,
            project,
            &request.url,
            &request.profile,
            &forgelink::WebhookSecret::new(setup.secret.clone()),
        )
        .expect("the core agrees");
        assert_eq!(json::manual_setup(&setup), core_json(&core), "{provider:?}");
        assert!(!setup.events.is_empty() && !setup.steps.is_empty());
        let again = plugin.manual_webhook_setup(&request).unwrap().expect("a setup");
        assert_ne!(again.secret, setup.secret, "a fresh secret every call");
    }
    let valid = wit::ManualWebhookSetupRequest {
        provider: Provider::Gitlab,
        base_url: Some("https://example.com/gitlab".into()),
        project: "group/app".into(),
        url: "https://app.example/hooks".into(),
        profile: "ci-failure-analysis".into(),
    };
    for (request, code) in [
        (
            wit::ManualWebhookSetupRequest { profile: "no-such-profile".into(), ..valid.clone() },
            "profile.unknown",
        ),
        (
            wit::ManualWebhookSetupRequest { project: "group//app".into(), ..valid.clone() },
            "repository.invalid_path",
        ),
        (
            wit::ManualWebhookSetupRequest {
                provider: Provider::BitbucketDataCenter,
                base_url: None,
                ..valid.clone()
            },
            "base_url.required",
        ),
    ] {
        let error = plugin.manual_webhook_setup(&request).unwrap().expect_err("refused");
        assert_eq!((error.code.as_str(), error.guidance.code.as_str()), (code, code));
    }
}
