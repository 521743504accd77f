//! `Debug` never prints a secret: every public value that can hold a token, a client or webhook
//! secret, an authorization code, a PKCE verifier, a device code, a credential header or a body
//! carrying any of them prints `[redacted]` in its place, in `{:?}` and in `{:#?}`.

use std::fmt::Debug;

use forgelink::{
    authorization_url, endpoints, manual_webhook_setup, parse_callback, parse_device_authorization,
    parse_token_response, prepare_create_hook, prepare_current_user, prepare_refresh,
    prepare_token_exchange, AuthorizationCode, AuthorizationRequest, ClientSecret, Code,
    CodeVerifier, HookSpec, HttpRequest, HttpResponse, OAuthClient, Provider, RefreshToken,
    WebhookSecret, ENTROPY_LEN,
};

/// A secret no output would contain by chance, and that form, JSON and URL encoding leave as is.
const SECRET: &str = "s3cr3t-7f1c09e2b4";

/// A GitLab signing token: `whsec_` and the base64 of 32 bytes.
const SIGNING: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";

/// Formats `value` both ways and checks that none of `hidden` shows and `[redacted]` does.
fn assert_redacted(value: &impl Debug, hidden: &[&str]) -> String {
    let shown = format!("{value:?}\n{value:#?}");
    for secret in hidden.iter().filter(|s| !s.is_empty()) {
        assert!(!shown.contains(secret), "`{secret}` shows in:\n{shown}");
    }
    assert!(shown.contains("[redacted]"), "nothing is marked redacted in:\n{shown}");
    shown
}

fn client(provider: Provider) -> OAuthClient {
    let mut client = OAuthClient::new(provider, "the-client");
    client.base_url = (provider == Provider::GitLab).then(|| "https://gitlab.example.com".into());
    client.client_secret = Some(ClientSecret::new(SECRET));
    client.redirect_uri = Some("https://app.example/cb".into());
    client
}

/// The credentials a request carries as sent: header values and the body.
fn carried(request: &HttpRequest) -> Vec<&str> {
    let mut carried = vec![SECRET, SIGNING];
    for name in ["Authorization", "Private-Token", "Cookie", "X-Gitlab-Token"] {
        carried.extend(request.header_value(name));
    }
    carried.extend(request.body.as_deref());
    carried
}

#[test]
fn requests_hide_credential_headers_and_bodies() {
    let code = AuthorizationCode::new(SECRET);
    let verifier = CodeVerifier::new(SECRET);
    let gitlab = endpoints(Provider::GitLab, Some("https://gitlab.example.com")).unwrap();
    let spec = HookSpec {
        url: "https://app.example/hooks/r1".into(),
        secret: WebhookSecret::new(SECRET),
        signing_secret: Some(WebhookSecret::new(SIGNING)),
        events: vec!["pipeline_events".into()],
    };
    let requests = [
        // The client secret, the code and the verifier in a form body.
        prepare_token_exchange(&client(Provider::GitLab), &code, Some(&verifier)).unwrap(),
        // The client secret inside Basic credentials.
        prepare_token_exchange(&client(Provider::BitbucketCloud), &code, None).unwrap(),
        prepare_refresh(&client(Provider::GitHub), &RefreshToken::new(SECRET)).unwrap(),
        prepare_current_user(&gitlab, SECRET),
        // The webhook secret in a JSON body.
        prepare_create_hook(&gitlab, SECRET, "group/app", &spec).unwrap(),
    ];
    for request in &requests {
        let shown = assert_redacted(request, &carried(request));
        assert!(shown.contains(&request.url), "{shown}");
        let length = request.body.as_ref().map_or(0, String::len);
        assert!(request.body.is_none() || shown.contains(&format!("({length} bytes)")), "{shown}");
    }

    // Every credential header a host or proxy may set, in any case; other headers stay.
    let mut request = requests[3].clone();
    for name in ["private-token", "COOKIE", "X-Gitlab-Token", "Proxy-Authorization"] {
        request.headers.push((name.into(), format!("{name}-{SECRET}")));
    }
    let shown = assert_redacted(&request, &[SECRET]);
    assert!(shown.contains("application/json") && shown.contains("private-token"), "{shown}");
}

#[test]
fn responses_hide_tokens_and_cookies_but_keep_status_and_headers() {
    let body = format!(r#"{{"access_token":"{SECRET}","refresh_token":"{SECRET}"}}"#);
    let response = HttpResponse {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("set-cookie".into(), format!("_session={SECRET}")),
        ],
        body: body.clone().into_bytes(),
    };
    let shown = assert_redacted(&response, &[SECRET]);
    assert!(shown.contains("200") && shown.contains("application/json"), "{shown}");
    assert!(shown.contains(&format!("({} bytes)", body.len())), "{shown}");

    let tokens = parse_token_response(Provider::GitLab, &response, 1_700_000_000).unwrap();
    assert_eq!(tokens.access_token.secret(), SECRET);
    assert_redacted(&tokens, &[SECRET]);
}

#[test]
fn oauth_values_hide_codes_states_verifiers_and_secrets() {
    let callback = parse_callback(&format!("https://app.example/cb?code={SECRET}&state=s1"), "s1");
    assert_redacted(&callback.unwrap(), &[SECRET]);

    let request =
        AuthorizationRequest::new(Provider::GitLab, "the-client", "https://app.example/cb");
    let entropy: Vec<u8> = (0..ENTROPY_LEN).map(|i| i as u8).collect();
    let auth = authorization_url(&request, &entropy).unwrap();
    let verifier = auth.code_verifier.as_ref().unwrap().secret().to_owned();
    assert!(auth.url.contains(&auth.state));
    let shown = assert_redacted(&auth, &[&auth.state, &verifier]);
    assert!(shown.contains("https://gitlab.com/oauth/authorize?response_type=code"), "{shown}");

    assert_redacted(&client(Provider::GitHub), &[SECRET]);

    let response = HttpResponse {
        status: 200,
        headers: vec![],
        body: format!(r#"{{"device_code":"{SECRET}","user_code":"WDJB-MJHT","verification_uri":"https://github.com/login/device"}}"#).into_bytes(),
    };
    let device = parse_device_authorization(Provider::GitHub, &response, 0).unwrap();
    assert_eq!(device.device_code.secret(), SECRET);
    assert_redacted(&device, &[SECRET]);
}

#[test]
fn webhook_values_hide_their_secret() {
    let spec = HookSpec {
        url: "https://app.example/hooks/r1".into(),
        secret: WebhookSecret::new(SECRET),
        signing_secret: Some(WebhookSecret::new(SIGNING)),
        events: vec!["push".into()],
    };
    assert_redacted(&spec, &[SECRET, SIGNING]);
    let setup = manual_webhook_setup(
        Provider::GitHub,
        None,
        "octo/app",
        "https://app.example/hooks/r1",
        "ci-failure-analysis",
        &WebhookSecret::new(SECRET),
    )
    .unwrap();
    assert_eq!(setup.secret, SECRET);
    let shown = assert_redacted(&setup, &[SECRET]);
    assert!(shown.contains("https://app.example/hooks/r1"), "{shown}");
}

#[test]
fn a_callback_that_does_not_parse_does_not_echo_its_code() {
    let error = parse_callback(&format!("https://app example/cb?code={SECRET}&state=s1"), "s1")
        .unwrap_err();
    assert_eq!(error.code, Code::OauthInvalidCallback);
    let shown = format!("{error}\n{error:?}\n{error:#?}");
    assert!(!shown.contains(SECRET), "{shown}");
}

#[test]
fn the_flows_values_print_their_secrets_redacted() {
    let start: forgelink::ConnectStart = serde_json::from_value(serde_json::json!({
        "provider": "gitlab", "clientId": "app", "clientSecret": SECRET,
        "redirectUri": "https://app.example/cb", "session": SECRET,
    }))
    .unwrap();
    assert_redacted(&start, &[SECRET]);
    let token: forgelink::ConnectWithToken = serde_json::from_value(serde_json::json!({
        "provider": "gitlab", "token": SECRET,
    }))
    .unwrap();
    assert_redacted(&token, &[SECRET]);
    let started = forgelink::ConnectStarted {
        url: format!("https://gitlab.com/oauth/authorize?client_id=app&state={SECRET}"),
        state: SECRET.to_owned(),
    };
    assert_redacted(&started, &[SECRET]);
}

/// A GitHub App's conversion carries its client secret, webhook secret and private key, and a
/// setup callback its user authorization code: none of them shows.
#[test]
fn github_app_credentials_and_setup_codes_hide_their_secrets() {
    let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{SECRET}\n-----END RSA PRIVATE KEY-----");
    let body = serde_json::json!({
        "id": 7, "slug": "acme-ci", "name": "Acme CI", "client_id": "Iv23li",
        "client_secret": SECRET, "webhook_secret": SECRET, "pem": pem,
    });
    let response =
        HttpResponse { status: 201, headers: vec![], body: body.to_string().into_bytes() };
    let app = forgelink::parse_manifest_conversion(None, &response).unwrap();
    assert_redacted(&app, &[SECRET, &pem]);
    let setup = forgelink::parse_github_app_setup(&format!(
        "https://app.example/github/callback?code={SECRET}&installation_id=42&setup_action=install"
    ))
    .unwrap();
    assert_redacted(&setup, &[SECRET]);
}
