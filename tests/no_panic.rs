//! Outside input never panics: arbitrary strings through every function that reads them.

mod support;

use forgelink::{
    authorization_url, check_scopes, endpoints, parse_callback, validate_base_url,
    validate_redirect_uri, AuthorizationRequest, Code, Provider, ENTROPY_LEN,
};
use proptest::prelude::*;
use support::{gen, inputs};

/// Strings that look like what people paste (the inputs the component fuzzer and the fuzz
/// targets make), mixed with arbitrary text.
fn pasted() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), gen::seeded(inputs::url_like), gen::seeded(inputs::small_text)]
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
        gen::seeded(inputs::body),
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
        (headers, body, secrets) in gen::seeded(|rng| (inputs::webhook_headers(rng), inputs::webhook_body(rng), inputs::secrets(rng))),
        timestamp in gen::numeric_text(),
        now in prop::option::of(gen::extreme_i64()),
        tolerance in prop::option::of(gen::extreme_i64()),
    ) {
        let mut headers = headers;
        headers.push(("webhook-timestamp".into(), timestamp));
        let secrets: Vec<_> = secrets.into_iter().map(forgelink::WebhookSecret::new).collect();
        let options = forgelink::VerifyOptions { now, tolerance_seconds: tolerance, ..Default::default() };
        if let Err(e) = forgelink::verify_webhook(&headers, &body, &secrets, &options) {
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
