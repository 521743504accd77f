//! The boundary between the forgelink core and JavaScript.
//!
//! Every export takes strings, lists of strings or bytes and returns one JSON string, an
//! envelope: `{"ok": value}` or `{"error": {"code", "message", "providerDetail"?, "guidance"}}`.
//! Nothing here throws into JavaScript or panics, so the hand-written wrapper (`common.js`, shared
//! by both entries) has exactly one shape to unpack and one error class to throw. It checks
//! argument types before the call and asks [`invalid_input`] for the error when one is wrong,
//! so that even that error's guidance comes from the core's catalog.
//!
//! Object arguments (an OAuth client, a connection request) arrive field by field, checked by
//! the wrapper, so that the glue deserialises nothing; HTTP responses arrive as a status, a flat
//! list of header names and values, and the body's bytes.
//!
//! The token functions, the webhook readers, polling and feedback and the flows are there only with the `flows`
//! feature: the package's `forgelink` entry is built without it, so that a page that only
//! checks a base URL does not download them, and `forgelink/flows` (`flows.js`) with it. The flows (`Forgelink`) resolve a
//! promise to the same envelope: `flows` runs them over any [`forgelink::Host`], and on
//! `wasm32-unknown-unknown` the host is the JavaScript object `flows.js` builds over the
//! caller's `fetch` and `storage`.
//!
//! Natively the exports are plain functions, which keeps the envelope testable with
//! `cargo test`; only the `wasm32-unknown-unknown` build exports them through wasm-bindgen.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "flows")]
mod arguments;
#[cfg(feature = "flows")]
mod feedback;
#[cfg(feature = "flows")]
pub mod flows;
#[cfg(feature = "flows")]
mod github_app;
#[cfg(all(feature = "flows", target_family = "wasm", target_os = "unknown"))]
mod hmac;
#[cfg(feature = "flows")]
mod hooks;
#[cfg(all(feature = "flows", target_family = "wasm", target_os = "unknown"))]
mod host;
#[cfg(feature = "flows")]
mod polling;
#[cfg(feature = "flows")]
mod tokens;
#[cfg(all(test, feature = "typescript"))]
mod typescript;
#[cfg(feature = "flows")]
mod webhooks;

#[cfg(feature = "flows")]
pub use feedback::*;
#[cfg(feature = "flows")]
pub use github_app::*;
#[cfg(feature = "flows")]
pub use hooks::*;
#[cfg(feature = "flows")]
pub use polling::*;
#[cfg(feature = "flows")]
pub use tokens::*;
#[cfg(feature = "flows")]
pub use webhooks::*;

use forgelink::{AuthorizationRequest, Code, Error, Guidance, Provider};
use serde::Serialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

#[derive(Serialize)]
struct OkEnvelope<'a, T: Serialize> {
    ok: &'a T,
}

/// The fields of a failure, which JavaScript throws as a `ForgelinkError`.
#[derive(Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "ForgelinkErrorBody"))]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    /// The stable code, such as `oauth.state_mismatch`.
    code: Code,
    /// One sentence for a person.
    message: &'a str,
    /// What the provider itself said (an `error_description`, for instance), verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    provider_detail: Option<&'a str>,
    /// Seconds to wait before trying again, where the provider said (`Retry-After`, or when its
    /// rate-limit window resets), counted from the moment of its answer.
    // Only the flows call providers: the pure functions of the `forgelink` entry never throw a
    // provider's wait, and leaving the field out keeps that entry under its size goal.
    #[cfg(feature = "flows")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    retry_after: Option<u64>,
    /// What the code means and the steps to fix it.
    guidance: Guidance,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

/// Written by hand so that even a failing serialiser still hands JavaScript a valid envelope
/// with a code it knows.
const SERIALISATION_FAILED: &str = r#"{"error":{"code":"input.invalid","message":"forgelink could not encode its answer as JSON","guidance":{"code":"input.invalid","title":"Invalid input","summary":"forgelink could not encode its answer.","steps":["Report this as a bug in forgelink, with the call that caused it."]}}}"#;

pub(crate) fn ok<T: Serialize>(value: &T) -> String {
    serde_json::to_string(&OkEnvelope { ok: value }).unwrap_or_else(|_| SERIALISATION_FAILED.into())
}

fn error_parts(
    code: Code,
    message: &str,
    provider_detail: Option<&str>,
    #[cfg_attr(not(feature = "flows"), allow(unused_variables))] retry_after: Option<u64>,
    guidance: Guidance,
) -> String {
    let body = ErrorBody {
        code,
        message,
        provider_detail,
        #[cfg(feature = "flows")]
        retry_after,
        guidance,
    };
    serde_json::to_string(&ErrorEnvelope { error: body })
        .unwrap_or_else(|_| SERIALISATION_FAILED.into())
}

pub(crate) fn error(error: &Error) -> String {
    error_parts(
        error.code,
        &error.message,
        error.provider_detail.as_deref(),
        error.retry_after,
        error.guidance(),
    )
}

pub(crate) fn invalid(message: &str) -> String {
    error_parts(
        Code::InputInvalid,
        message,
        None,
        None,
        forgelink::troubleshoot(Code::InputInvalid, None),
    )
}

pub(crate) fn envelope<T: Serialize>(result: Result<T, Error>) -> String {
    match result {
        Ok(value) => ok(&value),
        Err(e) => error(&e),
    }
}

pub(crate) fn provider(id: &str) -> Result<Provider, Error> {
    id.parse()
}

/// How many random bytes `authorization_url` needs.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn entropy_len() -> u32 {
    u32::try_from(forgelink::ENTROPY_LEN).unwrap_or(u32::MAX)
}

/// An `input.invalid` envelope for an argument JavaScript found to have the wrong type, so
/// that its guidance comes from the same catalog as every other error's.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn invalid_input(message: &str) -> String {
    invalid(message)
}

/// `validateBaseUrl(provider, input)`: a report, never an error envelope unless the provider
/// is unknown.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn validate_base_url(provider_id: &str, input: &str) -> String {
    envelope(provider(provider_id).map(|p| forgelink::validate_base_url(p, input)))
}

/// `endpoints(provider, baseUrl?)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn endpoints(provider_id: &str, base_url: Option<String>) -> String {
    envelope(provider(provider_id).and_then(|p| forgelink::endpoints(p, base_url.as_deref())))
}

/// `validateRedirectUri(provider, registered, requested)`: the diagnostics.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn validate_redirect_uri(provider_id: &str, registered: &str, requested: &str) -> String {
    envelope(
        provider(provider_id).map(|p| forgelink::validate_redirect_uri(p, registered, requested)),
    )
}

/// `scopeCatalog(provider)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn scope_catalog(provider_id: &str) -> String {
    envelope(provider(provider_id).map(forgelink::scope_catalog))
}

/// `checkScopes(provider, granted, required)`; `common.js` has checked that `required` holds
/// only strings.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn check_scopes(provider_id: &str, granted: &str, required: Vec<String>) -> String {
    let required: Vec<&str> = required.iter().map(String::as_str).collect();
    envelope(provider(provider_id).and_then(|p| forgelink::check_scopes(p, granted, &required)))
}

/// `profiles()`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn profiles() -> String {
    ok(&forgelink::profiles())
}

/// `authorizationUrl(request)`, one argument per field of the request (`common.js` has checked
/// their types and that no other field was given), with the random bytes from the host.
///
/// The fields arrive one by one rather than as JSON because a JSON deserialiser, with the
/// float formatting its error messages need, would add a fifth to the size of the module.
///
/// The answer, on success, is three lines rather than an envelope: the URL, the state and the
/// PKCE verifier (empty without PKCE), all URL-safe ASCII that never holds a line break. This
/// is the call pages make most, and writing and reading its JSON was a sixth of its time
/// (benches/RESULTS.md). An error is an envelope as everywhere else, and only an envelope
/// starts with `{`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn authorization_url(
    provider_id: &str,
    base_url: Option<String>,
    client_id: String,
    redirect_uri: String,
    scopes: Option<Vec<String>>,
    profile: Option<String>,
    pkce: Option<bool>,
    root_namespace_id: Option<String>,
    entropy: &[u8],
) -> String {
    let result = provider(provider_id).and_then(|provider| {
        let mut request = AuthorizationRequest::new(provider, client_id, redirect_uri);
        request.base_url = base_url;
        request.scopes = scopes;
        request.profile = profile;
        request.pkce = pkce;
        request.root_namespace_id = root_namespace_id;
        forgelink::authorization_url(&request, entropy)
    });
    match result {
        Ok(authorization) => {
            let verifier = authorization.code_verifier.as_ref().map_or("", |v| v.secret());
            format!("{}\n{}\n{verifier}", authorization.url, authorization.state)
        }
        Err(e) => error(&e),
    }
}

/// `parseCallback(callbackUrl, expectedState)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_callback(callback_url: &str, expected_state: &str) -> String {
    envelope(forgelink::parse_callback(callback_url, expected_state))
}

/// `troubleshoot(code, provider?)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn troubleshoot(code: &str, provider_id: Option<String>) -> String {
    let result = code.parse::<Code>().and_then(|code| {
        let provider = provider_id.as_deref().map(provider).transpose()?;
        Ok(forgelink::troubleshoot(code, provider))
    });
    envelope(result)
}

/// `errorCodes()`: every code, in catalog order.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn error_codes() -> String {
    ok(&Code::ALL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).expect("every envelope is JSON")
    }

    fn error_code(json: &str) -> String {
        let value = parse(json);
        assert!(value.get("ok").is_none(), "{json}");
        let error = &value["error"];
        assert!(error["guidance"]["title"].is_string(), "{json}");
        assert!(error["message"].is_string(), "{json}");
        error["code"].as_str().expect("a code").to_owned()
    }

    #[test]
    fn the_fallback_envelope_is_a_coded_error() {
        assert_eq!(error_code(SERIALISATION_FAILED), "input.invalid");
    }

    #[test]
    fn ok_envelope_carries_the_value() {
        let value = parse(&validate_base_url("gitlab", "https://example.com/gitlab/"));
        assert_eq!(value["ok"]["baseUrl"], "https://example.com/gitlab");
        assert_eq!(value["ok"]["apiBase"], "https://example.com/gitlab/api/v4");
        assert_eq!(value["ok"]["deployment"], "self-hosted");
        assert_eq!(value["ok"]["diagnostics"][0]["code"], "base_url.trailing_slash");
    }

    #[test]
    fn errors_carry_code_and_guidance() {
        assert_eq!(
            error_code(&validate_base_url("gitea", "https://x.example")),
            "provider.unknown"
        );
        assert_eq!(error_code(&endpoints("bitbucket-data-center", None)), "base_url.required");
        assert_eq!(error_code(&troubleshoot("nope", None)), "input.unknown_code");
        assert_eq!(
            error_code(&troubleshoot("http.forbidden", Some("x".into()))),
            "provider.unknown"
        );
        assert_eq!(error_code(&invalid_input("`input` must be a string")), "input.invalid");
    }

    #[test]
    fn unknown_scope_and_profile_are_coded() {
        let required = vec!["offline_access".to_owned()];
        assert_eq!(error_code(&check_scopes("gitlab", "api", required)), "scope.unknown");
        let e = authorization_url(
            "gitlab",
            None,
            "abc".into(),
            "https://app.example/cb".into(),
            None,
            Some("nope".into()),
            None,
            None,
            &[0; 64],
        );
        assert_eq!(error_code(&e), "profile.unknown");
    }

    #[cfg(feature = "flows")]
    #[test]
    fn github_app_functions_cross_as_json() {
        let form = parse(&github_app_manifest(
            r#"{"options":{"name":"Acme CI","url":"https://acme.example","redirectUrl":"https://acme.example/created","profile":"ci-failure-analysis","state":"s1"}}"#,
        ));
        assert_eq!(form["ok"]["action"], "https://github.com/settings/apps/new?state=s1");
        let unknown = github_app_manifest(r#"{"options":{"name":"x","nope":1}}"#);
        assert_eq!(error_code(&unknown), "input.invalid");
        let url = parse(&github_app_install_url(r#"{"request":{"slug":"acme-ci","state":"s"}}"#));
        assert_eq!(url["ok"], "https://github.com/apps/acme-ci/installations/new?state=s");
        let setup = parse(&parse_github_app_setup(
            r#"{"url":"https://a.example/s?installation_id=42&setup_action=install&code=c"}"#,
        ));
        assert_eq!(setup["ok"]["installationId"], 42);
        assert_eq!(setup["ok"]["code"], "c");
        let needs = parse(&github_app_needs(r#"{"profile":"ci-failure-analysis"}"#));
        assert!(needs["ok"]["permissions"].as_array().is_some_and(|p| !p.is_empty()));
        assert!(parse(&github_app_permissions())["ok"].as_array().is_some_and(|p| p.len() > 20));
        let missing = |needs: &str| {
            missing_permissions(&format!(
                r#"{{"granted":{{"actions":"read","pull_requests":"read"}},{needs}}}"#
            ))
        };
        let listed = parse(&missing(
            r#""needs":[{"permission":"pull_requests","level":"write"},{"permission":"actions","level":"read"}]"#,
        ));
        assert_eq!(listed["ok"], serde_json::json!(["pull_requests:write"]));
        let by_profile = parse(&missing(r#""profile":"ci-failure-analysis""#));
        assert!(by_profile["ok"]
            .as_array()
            .is_some_and(|m| m.iter().any(|p| p == "pull_requests:write")));
        let unknown = missing(r#""needs":[{"permission":"nope","level":"read"}]"#);
        assert_eq!(error_code(&unknown), "input.invalid");
        assert_eq!(error_code(&missing(r#""profile":"nope""#)), "profile.unknown");
    }

    #[test]
    fn every_code_is_listed_and_explained() {
        let codes = parse(&error_codes());
        let codes = codes["ok"].as_array().expect("a list");
        assert_eq!(codes.len(), Code::ALL.len());
        for code in codes {
            let code = code.as_str().expect("a string");
            let guidance = parse(&troubleshoot(code, Some("gitlab".into())));
            assert_eq!(guidance["ok"]["code"], code);
        }
    }

    #[test]
    fn scopes_and_authorization() {
        let check = parse(&check_scopes("github", "repo,read:org", vec!["repo:status".into()]));
        assert_eq!(check["ok"]["satisfied"], true);
        let request = |entropy: &[u8]| {
            authorization_url(
                "gitlab",
                None,
                "abc".into(),
                "https://app.example/cb".into(),
                Some(vec!["read_api".into()]),
                None,
                None,
                None,
                entropy,
            )
        };
        let answer = request(&[7; 64]);
        let [url, state, verifier] =
            <[&str; 3]>::try_from(answer.split('\n').collect::<Vec<_>>()).expect("three lines");
        assert!(url.starts_with("https://gitlab.com/oauth/authorize?"), "{url}");
        assert!(url.contains(&format!("state={state}")), "{url}");
        assert_eq!(verifier.len(), 43, "32 bytes, base64url: {verifier}");
        assert_eq!(error_code(&request(&[7; 3])), "input.insufficient_entropy");
    }

    #[cfg(feature = "flows")]
    fn gitlab_client() -> serde_json::Value {
        serde_json::json!({
            "provider": "gitlab",
            "baseUrl": "https://example.com/gitlab",
            "clientId": "the-client",
            "clientSecret": "s3cret",
            "redirectUri": "https://app.example/cb",
        })
    }

    #[cfg(feature = "flows")]
    #[test]
    fn token_requests_come_back_as_http_requests() {
        let client = gitlab_client();
        let arguments = serde_json::json!({
            "client": client, "code": "the-code", "codeVerifier": "v".repeat(43),
        });
        let exchange = parse(&prepare_token_exchange(&arguments.to_string()));
        assert_eq!(exchange["ok"]["method"], "POST");
        assert_eq!(exchange["ok"]["url"], "https://example.com/gitlab/oauth/token");
        assert_eq!(exchange["ok"]["headers"][0], serde_json::json!(["Accept", "application/json"]));
        let body = exchange["ok"]["body"].as_str().expect("a form");
        assert!(body.contains("code=the-code") && body.contains("client_secret=s3cret"), "{body}");
        let mut public = client.clone();
        public["redirectUri"] = serde_json::Value::Null;
        let refresh = serde_json::json!({ "client": public, "refreshToken": "rt" });
        assert_eq!(error_code(&prepare_refresh(&refresh.to_string())), "input.invalid");
        let mut gitea = client.clone();
        gitea["provider"] = "gitea".into();
        let revoke = serde_json::json!({ "client": gitea, "token": "t" });
        assert_eq!(error_code(&prepare_revoke(&revoke.to_string())), "provider.unknown");
        let device = prepare_device_authorization(
            r#"{"client":{"provider":"bitbucket","clientId":"x"},"scopes":[]}"#,
        );
        assert_eq!(error_code(&device), "oauth.device_flow_unsupported");
        let poll = parse(&prepare_device_poll(
            r#"{"client":{"provider":"github","clientId":"x"},"deviceCode":"dc"}"#,
        ));
        assert_eq!(poll["ok"]["url"], "https://github.com/login/oauth/access_token");
    }

    #[cfg(feature = "flows")]
    #[test]
    fn unknown_and_wrong_arguments_are_refused_by_their_path() {
        let unknown = parse(&prepare_device_poll(
            r#"{"client":{"provider":"github","clientId":"x","secret":"s"},"deviceCode":"dc"}"#,
        ));
        assert_eq!(unknown["error"]["code"], "input.invalid");
        let message = unknown["error"]["message"].as_str().expect("a message");
        assert!(message.starts_with("`client.secret`"), "{message}");
        let wrong =
            parse(&parse_api_error(r#"{"provider":"gitlab","response":{"status":1000}}"#, b""));
        let message = wrong["error"]["message"].as_str().expect("a message");
        assert!(message.starts_with("`response.status`"), "{message}");
        let missing = parse(&detect_token("{}"));
        let message = missing["error"]["message"].as_str().expect("a message");
        assert!(message.contains("missing field `token`"), "{message}");
    }

    #[cfg(feature = "flows")]
    #[test]
    fn responses_arrive_as_status_and_header_pairs_with_the_body_apart() {
        let arguments = r#"{"provider":"gitlab","now":1700000100,
            "response":{"status":200,"headers":[["Date","Tue, 14 Nov 2023 22:13:20 GMT"]]}}"#;
        let body = br#"{"access_token":"abcdefghijklmnopqrst","expires_in":7200,"created_at":1700000000,"scope":"api"}"#;
        // The host's clock is 100 s ahead of the server's: the expiry moves with it.
        let tokens = parse(&parse_token_response(arguments, body));
        assert_eq!(tokens["ok"]["expiresAt"], 1_700_007_300);
        assert_eq!(tokens["ok"]["scopes"], serde_json::json!(["api"]));
        let error = parse_token_response(
            r#"{"provider":"github","now":0,"response":{"status":200}}"#,
            b"error=bad_verification_code",
        );
        assert_eq!(error_code(&error), "oauth.bad_verification_code");
        let api = parse(&parse_api_error(
            r#"{"provider":"gitlab","response":{"status":429,"headers":[["Retry-After","30"]]}}"#,
            b"",
        ));
        assert_eq!(api["ok"]["code"], "http.rate_limited");
        assert_eq!(api["ok"]["retryAfter"], 30);
        let device = parse(&parse_device_authorization(
            r#"{"provider":"github","now":0,"response":{"status":200}}"#,
            br#"{"device_code":"d","user_code":"U","verification_uri":"https://github.com/login/device"}"#,
        ));
        assert_eq!(device["ok"]["expiresAt"], 900);
    }

    #[cfg(feature = "flows")]
    #[test]
    fn token_detection_and_refresh_timing() {
        let info = parse(&detect_token(r#"{"token":"glpat-secret-value-1234"}"#));
        assert_eq!(info["ok"]["kind"], "access-token");
        assert!(!info.to_string().contains("secret-value"));
        let custom =
            parse(&detect_token(r#"{"token":"acme-secret-value","customPrefix":"acme-"}"#));
        assert_eq!(custom["ok"]["provider"], "gitlab");
        assert!(!custom.to_string().contains("secret-value"));
        let needs = |token_set: &str, now: f64, skew: f64| {
            let arguments =
                format!(r#"{{"tokenSet":{token_set},"now":{now},"skewSeconds":{skew}}}"#);
            parse(&needs_refresh(&arguments))["ok"].as_bool().expect("a boolean")
        };
        assert!(needs(r#"{"expiresAt":1000}"#, 950.0, 60.0));
        assert!(!needs(r#"{"expiresAt":1000}"#, 900.0, 60.0));
        assert!(!needs(r#"{"accessToken":"t"}"#, 1e300, 60.0));
        assert!(needs(r#"{"expiresAt":-1e300}"#, 0.0, 0.0));
        assert_eq!(tokens::seconds(f64::INFINITY), 0);
        assert_eq!(tokens::seconds(1e300), i64::MAX);
        assert_eq!(tokens::seconds(-0.5), -1);
    }

    /// Storage in a map; every request fails, as with no network.
    #[cfg(feature = "flows")]
    #[derive(Default)]
    struct Offline {
        values: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>>,
        draws: std::cell::Cell<u8>,
    }

    #[cfg(feature = "flows")]
    impl forgelink::Host for Offline {
        async fn fetch(
            &self,
            _request: forgelink::HttpRequest,
        ) -> Result<forgelink::HttpResponse, forgelink::FetchError> {
            Err(forgelink::FetchError::Connection("offline".into()))
        }
        async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, forgelink::StorageError> {
            Ok(self.values.borrow().get(key).cloned())
        }
        async fn set(
            &self,
            key: &str,
            value: &[u8],
            _ttl: Option<u64>,
        ) -> Result<(), forgelink::StorageError> {
            self.values.borrow_mut().insert(key.to_owned(), value.to_vec());
            Ok(())
        }
        async fn delete(&self, key: &str) -> Result<(), forgelink::StorageError> {
            self.values.borrow_mut().remove(key);
            Ok(())
        }
        async fn compare_and_swap(
            &self,
            key: &str,
            expected: Option<&[u8]>,
            new: &[u8],
            _ttl: Option<u64>,
        ) -> Result<bool, forgelink::StorageError> {
            let mut values = self.values.borrow_mut();
            if values.get(key).map(Vec::as_slice) != expected {
                return Ok(false);
            }
            values.insert(key.to_owned(), new.to_vec());
            Ok(true)
        }
        fn now(&self) -> i64 {
            1_700_000_000
        }
        fn fill_random(&self, buffer: &mut [u8]) -> Result<(), forgelink::RandomError> {
            // Distinct bytes per call, so that ids drawn one after another differ.
            let n = self.draws.get().wrapping_add(1);
            self.draws.set(n);
            buffer.fill(n);
            Ok(())
        }
        async fn sleep(&self, _millis: u32) {}
    }

    #[cfg(feature = "flows")]
    #[test]
    fn flows_answer_envelopes() {
        use futures::executor::block_on;
        let key = forgelink::EncryptionKey::new(&[5; 32]).expect("32 bytes");
        let flows = forgelink::Flows::new(Offline::default(), key);
        let start = |provider_id: &str| {
            serde_json::json!({
                "provider": provider_id, "clientId": "the-client",
                "redirectUri": "https://app.example/cb", "profile": "ci-failure-analysis",
                "session": "session-1",
            })
            .to_string()
        };
        assert_eq!(
            error_code(&block_on(flows::connect_start(&flows, &start("gitea")))),
            "provider.unknown"
        );
        let started = parse(&block_on(flows::connect_start(&flows, &start("gitlab"))));
        let url = started["ok"]["url"].as_str().expect("a url");
        let state = started["ok"]["state"].as_str().expect("a state");
        let callback = format!("https://app.example/cb?code=c&state={state}");
        assert!(url.starts_with("https://gitlab.com/oauth/authorize?"));
        // Another session's callback leaves the state unspent; the starting session's goes on.
        assert_eq!(
            error_code(&block_on(flows::connect_finish(
                &flows,
                &callback,
                r#"{"session":"session-2"}"#
            ))),
            "oauth.session_mismatch"
        );
        assert_eq!(
            error_code(&block_on(flows::connect_finish(
                &flows,
                &callback,
                r#"{"session":"session-1"}"#
            ))),
            "network.unreachable"
        );
        assert_eq!(
            error_code(&block_on(flows::connect_finish(
                &flows,
                &callback,
                r#"{"session":"session-1"}"#
            ))),
            "oauth.state_mismatch"
        );
        let token = r#"{"provider":"github","token":"ghp_abc"}"#;
        assert_eq!(
            error_code(&block_on(flows::connect_with_token(&flows, token))),
            "network.unreachable"
        );
        assert_eq!(
            error_code(&block_on(flows::access_token(&flows, "nope"))),
            "connection.not_found"
        );
        assert_eq!(
            error_code(&block_on(flows::disconnect(&flows, "nope", "{}"))),
            "connection.not_found"
        );
        assert_eq!(
            error_code(&block_on(flows::test_connection(&flows, "../x"))),
            "connection.not_found"
        );
        assert_eq!(
            error_code(&block_on(flows::discover_projects(&flows, "nope", "{}"))),
            "connection.not_found"
        );
        let request = r#"{"projects":["group/app"],"url":"https://app.example/hooks","profile":"ci-failure-analysis"}"#;
        let register = flows::register_webhooks(&flows, "nope", request);
        assert_eq!(error_code(&block_on(register)), "connection.not_found");
        let unknown = flows::register_webhooks(
            &flows,
            "nope",
            r#"{"projects":[],"url":"u","profile":"p","events":[]}"#,
        );
        assert_eq!(error_code(&block_on(unknown)), "input.invalid");
        assert_eq!(
            error_code(&block_on(flows::unregister_webhooks(&flows, "nope", "{}"))),
            "connection.not_found"
        );
        // A delivery to a route forgelink never issued is a rejected receipt, not an error.
        let headers = "X-Gitlab-Event\nPush Hook\nX-Gitlab-Token";
        let options = flows::receive_options(Some(60.0), Some(5.0), None, Some(f64::NAN));
        assert_eq!(options.dedupe_seconds, 60);
        assert_eq!(options.handling_seconds, 5);
        assert_eq!(options.tolerance_seconds, Some(0));
        let route = "https://app.example/hooks/AAAAAAAAAAAAAAAAAAAAAA";
        let receipt = parse(&block_on(flows::receive_webhook(
            &flows,
            route,
            headers,
            b"{}".to_vec(),
            options,
        )));
        assert_eq!(receipt["ok"]["status"], "rejected");
        assert_eq!(receipt["ok"]["code"], "webhook.unknown_route");
    }

    #[cfg(feature = "flows")]
    #[test]
    fn polling_and_feedback_answer_envelopes() {
        let (base, project) = ("https://git.example.com", "group/app");
        let resources = parse(&poll_resources(r#"{"provider":"gitlab"}"#));
        assert_eq!(resources["ok"][0], serde_json::json!({ "resource": "pipelines" }));
        let instance = serde_json::json!({ "provider": "gitlab", "baseUrl": base });
        let arguments = serde_json::json!({
            "instance": instance, "token": "t", "project": project, "since": 0,
        });
        let requests = parse(&prepare_poll_requests(&arguments.to_string()));
        assert_eq!(requests["ok"][0]["resource"]["resource"], "pipelines");
        assert_eq!(requests["ok"][0]["request"]["method"], "GET");
        let poll_request = |resource: serde_json::Value| {
            let mut arguments = arguments.clone();
            arguments["resource"] = resource;
            prepare_poll_request(&arguments.to_string())
        };
        let request =
            parse(&poll_request(serde_json::json!({"resource":"jobs","pipelineId":"48"})));
        let url = request["ok"]["url"].as_str().expect("a url");
        assert!(url.contains("/pipelines/48/jobs"), "{url}");
        assert_eq!(error_code(&poll_request(serde_json::json!({}))), "input.invalid");
        let read = serde_json::json!({
            "instance": instance, "project": project, "resource": { "resource": "pipelines" },
            "requestUrl": url, "since": 0, "now": 60,
            "response": { "status": 200, "headers": [["RateLimit-Remaining", "5"]] },
        });
        let page = parse(&parse_poll_response(
            &read.to_string(),
            br#"[{"id":48,"status":"running","ref":"main","sha":"abc","web_url":"https://git.example.com/group/app/-/pipelines/48","updated_at":"2024-01-01T00:00:00Z"}]"#,
        ));
        assert_eq!(page["ok"]["rateLimit"]["remaining"], 5);
        let event = page["ok"]["events"][0].clone();
        let key = parse(&state_key(&serde_json::json!({ "event": event }).to_string()));
        assert_eq!(key["ok"], event["stateKey"]);
        assert!(key["ok"].is_string());
        assert_eq!(
            error_code(&state_key(r#"{"event":{"provider":"gitlab","kind":"nope"}}"#)),
            "input.invalid"
        );
        assert_eq!(
            error_code(&state_key(r#"{"event":{"provider":"x","kind":"ping"}}"#)),
            "provider.unknown"
        );
        let reading = parse(&read_rate_limit(
            r#"{"now":0,"response":{"status":429,"headers":[["Retry-After","30"]]}}"#,
            b"",
        ));
        assert_eq!(reading["ok"]["retryAfter"], 30);

        let marker = parse(&feedback_marker(r#"{"key":"k"}"#));
        let body = parse(&feedback_body(r#"{"body":"b","key":"k"}"#));
        let marked = body["ok"].as_str().expect("a body");
        assert!(marked.ends_with(marker["ok"].as_str().expect("a marker")));
        let find = |comments: serde_json::Value| {
            find_feedback(&serde_json::json!({ "comments": comments, "key": "k" }).to_string())
        };
        let comments =
            serde_json::json!([{ "id": "1", "body": "x" }, { "id": "2", "body": marked }]);
        let found = parse(&find(comments));
        assert_eq!(found["ok"]["id"], "2");
        assert!(parse(&find(serde_json::json!([])))["ok"].is_null());
        assert_eq!(error_code(&find(serde_json::json!([{ "id": "1" }]))), "input.invalid");
        let mr = serde_json::json!({ "target": "merge_request", "number": 5 });
        let at = |more: serde_json::Value| {
            let mut arguments = serde_json::json!({
                "instance": instance, "token": "t", "project": project, "location": mr,
            });
            arguments
                .as_object_mut()
                .expect("an object")
                .extend(more.as_object().expect("an object").clone());
            arguments.to_string()
        };
        let list = parse(&prepare_list_comments(&at(serde_json::json!({}))));
        assert_eq!(list["ok"]["method"], "GET");
        let create = parse(&prepare_create_comment(&at(serde_json::json!({ "body": "b" }))));
        assert_eq!(create["ok"]["method"], "POST");
        let update = parse(&prepare_update_comment(&at(serde_json::json!({
            "comment": { "id": "9", "body": "old", "url": null }, "body": "new",
        }))));
        assert_eq!(update["ok"]["method"], "PUT");
        let note = br#"{"id":9,"body":"new"}"#;
        let read = serde_json::json!({ "provider": "gitlab", "location": mr, "response": { "status": 200 } });
        let comment = parse(&parse_comment(&read.to_string(), note));
        assert_eq!(comment["ok"]["id"], "9");
        let mut read_list = read.clone();
        read_list["requestUrl"] = "https://x".into();
        let page =
            parse(&parse_comment_list(&read_list.to_string(), &[b"[", &note[..], b"]"].concat()));
        assert_eq!(page["ok"]["comments"][0]["body"], "new");
        let mut nowhere = read;
        nowhere["location"] = serde_json::json!({});
        assert_eq!(error_code(&parse_comment(&nowhere.to_string(), note)), "input.invalid");
    }

    #[cfg(feature = "flows")]
    #[test]
    fn webhooks_answer_envelopes() {
        let github = |signature: &str| {
            format!("X-GitHub-Event\nping\nx-github-hook-id\n42\nX-Hub-Signature-256\n{signature}")
        };
        let identity = parse(&identify_webhook(
            r#"{"headers":[["X-GitHub-Event","ping"],["x-github-hook-id","42"]]}"#,
        ));
        assert_eq!(identity["ok"]["hookId"], "42");
        let unknown = identify_webhook(r#"{"headers":[["Accept","*/*"]]}"#);
        assert_eq!(error_code(&unknown), "webhook.unknown_provider");
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        let secrets = vec!["old".to_owned(), "It's a Secret to Everybody".to_owned()];
        let verify = |body: &[u8], now| {
            verify_webhook(&github(signature), body, secrets.clone(), now, None, false, false)
        };
        let verified = parse(&verify(b"Hello, World!", None));
        assert_eq!(verified["ok"]["secretIndex"], 1);
        assert_eq!(verified["ok"]["scheme"], "hmac-sha256");
        assert_eq!(
            error_code(&verify(b"Hello, World?", Some(f64::INFINITY))),
            "webhook.signature_mismatch"
        );
        let event = parse(&parse_webhook(&github(""), br#"{"zen":"z","hook_id":42}"#));
        assert_eq!(event["ok"]["kind"], "ping");
        // Without a delivery id, the body's bytes identify the delivery.
        assert!(event["ok"]["dedupeKey"].as_str().is_some_and(|k| k.starts_with("github:body:")));
        assert_eq!(error_code(&parse_webhook("", b"{}")), "webhook.unknown_provider");
        let list = parse(&parse_repository_list(
            r#"{"text":"a/b\nA/B\n","baseUrl":"https://gitlab.com"}"#,
        ));
        assert_eq!(list["ok"]["repositories"], serde_json::json!(["a/b"]));
        assert_eq!(list["ok"]["diagnostics"][0]["line"], 2);
    }
}
