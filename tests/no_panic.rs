//! Outside input never panics: arbitrary strings through every function that reads them.

mod support;

use forgelink::{
    authorization_url, check_scopes, endpoints, parse_callback, validate_base_url,
    validate_redirect_uri, AuthorizationRequest, Code, Provider, ENTROPY_LEN,
};
use proptest::prelude::*;
use support::gen;

/// Strings that look like what people paste, mixed with arbitrary text.
fn pasted() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(https?|ftp|ssh)?(://)?[a-z0-9.\\-_@:\\[\\]%]{0,30}(/[a-zA-Z0-9\\-._~%!$&'()*+,;=:@]{0,12}){0,4}[/?#]?[a-z=&]{0,10}",
        "[ \\t\\n]{0,2}(https://)?(www\\.|api\\.)?(gitlab\\.com|github\\.com|bitbucket\\.org|[a-z]{1,8}\\.ghe\\.com)(/api/v[34]|/rest/api/1\\.0|/[a-z]{1,6}){0,3}/?[ ]{0,2}",
    ]
}

fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(Provider::ALL.to_vec())
}

fn is_known(code: Code) -> bool {
    Code::ALL.contains(&code)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn base_urls(p in provider(), input in pasted()) {
        let report = validate_base_url(p, &input);
        prop_assert_eq!(report.ok, report.base_url.is_some());
        prop_assert!(report.ok || report.diagnostics.iter().any(|d| d.is_error()));
        if let Some(base) = report.base_url {
            prop_assert!(!base.ends_with('/'));
            // A normalised base URL is a fixed point: validating it again changes nothing.
            let again = validate_base_url(p, &base);
            prop_assert_eq!(again.base_url.as_deref(), Some(base.as_str()), "{:?}", again);
        }
        if let Err(e) = endpoints(p, Some(&input)) {
            prop_assert!(is_known(e.code));
        }
    }

    #[test]
    fn redirects_callbacks_scopes(p in provider(), a in pasted(), b in pasted()) {
        let _ = validate_redirect_uri(p, &a, &b);
        if let Err(e) = parse_callback(&a, &b) {
            prop_assert!(is_known(e.code));
        }
        if let Err(e) = check_scopes(p, &a, &[b.as_str()]) {
            prop_assert_eq!(e.code, Code::ScopeUnknown);
        }
    }

    #[test]
    fn token_and_api_responses(p in provider(), status in 100u16..600, body in prop_oneof![
        any::<Vec<u8>>(),
        pasted().prop_map(String::into_bytes),
        "\\{\"(access_token|error|expires_in|created_at|scope|scopes|message)\": ?(\"[a-z_ ,]{0,12}\"|-?[0-9e.]{1,20}|null|\\[\\]|\\{\\})\\}".prop_map(String::into_bytes),
        (gen::numeric_text(), gen::numeric_text()).prop_map(|(created, expires)| {
            format!(r#"{{"access_token":"a","created_at":"{created}","expires_in":"{expires}"}}"#).into_bytes()
        }),
    ], (_, date) in gen::date_header(), retry in gen::seconds_or_date(), reset in gen::numeric_text(), now in gen::extreme_i64()) {
        let response = forgelink::HttpResponse {
            status,
            headers: vec![("Date".into(), date), ("Retry-After".into(), retry), ("X-RateLimit-Reset".into(), reset)],
            body,
        };
        match forgelink::parse_token_response(p, &response, now) {
            Ok(tokens) => prop_assert!(!tokens.access_token.secret().is_empty()),
            Err(e) => prop_assert!(is_known(e.code)),
        }
        let api = forgelink::parse_api_error(p, &response);
        prop_assert!(is_known(api.error.code));
        let _ = forgelink::detect_token(&String::from_utf8_lossy(&response.body));
    }

    #[test]
    fn webhook_deliveries(
        event in prop_oneof![Just("push".to_owned()), Just("workflow_job".to_owned()), Just("Job Hook".to_owned()), Just("Pipeline Hook".to_owned()), Just("repo:push".to_owned()), Just("pr:opened".to_owned()), "[a-z: ]{0,12}"],
        header in prop_oneof![Just("X-GitHub-Event".to_owned()), Just("X-Gitlab-Event".to_owned()), Just("X-Event-Key".to_owned()), Just("X-Gitea-Event".to_owned()), "[A-Za-z-]{0,12}"],
        signature in prop_oneof![Just("X-Hub-Signature-256".to_owned()), Just("X-Hub-Signature".to_owned()), Just("X-Gitlab-Token".to_owned()), Just("webhook-signature".to_owned())],
        value in "(sha256=|sha1=|v1,)?[0-9a-f=+/]{0,70}",
        body in prop_oneof![any::<Vec<u8>>(), "\\{\"(object_kind|ref|pull_request|workflow_job|changes|push)\": ?(\"[a-z]{0,6}\"|\\[\\]|\\{\\}|[0-9]{1,3})\\}".prop_map(String::into_bytes)],
        timestamp in gen::numeric_text(),
        now in prop::option::of(gen::extreme_i64()),
        tolerance in prop::option::of(gen::extreme_i64()),
    ) {
        let headers = vec![
            (header, event),
            (signature, value),
            ("webhook-id".into(), "m".into()),
            ("webhook-timestamp".into(), timestamp),
            ("X-Request-UUID".into(), "u".into()),
        ];
        let options = forgelink::VerifyOptions { now, tolerance_seconds: tolerance, ..Default::default() };
        if let Err(e) = forgelink::verify_webhook(&headers, &body, &[forgelink::WebhookSecret::new("k")], &options) {
            prop_assert!(is_known(e.code));
        }
        if let Err(e) = forgelink::parse_webhook(&headers, &body) {
            prop_assert!(is_known(e.code));
        }
    }

    #[test]
    fn authorization_urls(p in provider(), base in pasted(), id in pasted(), redirect in pasted(), scope in pasted(), group in proptest::option::of(pasted())) {
        let mut request = AuthorizationRequest::new(p, id, redirect);
        request.base_url = Some(base);
        request.scopes = Some(vec![scope]);
        request.root_namespace_id = group;
        match authorization_url(&request, &[1; ENTROPY_LEN]) {
            Ok(auth) => prop_assert!(auth.url.starts_with("http")),
            Err(e) => prop_assert!(is_known(e.code)),
        }
    }

    #[test]
    fn github_app_inputs(base in proptest::option::of(pasted()), slug in pasted(), callback in pasted(), name in pasted(), org in proptest::option::of(pasted()), status in 100u16..600, body in any::<String>()) {
        match forgelink::github_app_install_url(&slug, Some(&name), base.as_deref()) {
            Ok(url) => prop_assert!(url.starts_with("http")),
            Err(e) => prop_assert!(is_known(e.code)),
        }
        if let Err(e) = forgelink::parse_github_app_setup(&callback) {
            prop_assert!(is_known(e.code));
        }
        let options = serde_json::json!({
            "baseUrl": base, "organization": org, "name": name, "url": slug, "redirectUrl": callback,
            "profile": "ci-failure-analysis", "state": "s",
        });
        let options: forgelink::AppManifestOptions = serde_json::from_value(options).unwrap();
        match forgelink::github_app_manifest(&options) {
            Ok(form) => prop_assert!(serde_json::from_str::<serde_json::Value>(&form.manifest).is_ok()),
            Err(e) => prop_assert!(is_known(e.code)),
        }
        let response = forgelink::HttpResponse { status, headers: vec![], body: body.into_bytes() };
        if let Err(e) = forgelink::parse_manifest_conversion(base.as_deref(), &response) {
            prop_assert!(is_known(e.code));
        }
    }
}
