//! The fixture tables in tests/fixtures, run through the Rust API. The npm package and the
//! component run the same tables, so every face is held to the same answers.

use forgelink::{
    parse_callback, validate_base_url, validate_redirect_uri, webhook_access, Provider,
};
use serde_json::Value;

fn table(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let document: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    document["cases"].as_array().cloned().unwrap_or_default()
}

fn provider(case: &Value) -> Provider {
    case["provider"].as_str().and_then(|p| p.parse().ok()).expect("a provider")
}

#[test]
fn base_urls() {
    let cases = table("base-urls.json");
    assert!(cases.len() > 50);
    for case in cases {
        let input = case["input"].as_str().unwrap();
        let expect = &case["expect"];
        let report = serde_json::to_value(validate_base_url(provider(&case), input)).unwrap();
        let context = format!("{} {input:?}: {report}", case["provider"]);
        for field in ["ok", "baseUrl", "apiBase", "deployment"] {
            assert_eq!(report[field], expect[field], "{field} of {context}");
        }
        let codes: Vec<&Value> =
            report["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
        let expected: Vec<&Value> = expect["codes"].as_array().unwrap().iter().collect();
        assert_eq!(codes, expected, "codes of {context}");
        if let Some(suggestion) = expect.get("suggestion") {
            assert_eq!(
                &report["diagnostics"][0]["suggestion"], suggestion,
                "suggestion of {context}"
            );
        }
    }
}

#[test]
fn redirect_uris() {
    for case in table("redirect-uris.json") {
        let diagnostics = validate_redirect_uri(
            provider(&case),
            case["registered"].as_str().unwrap(),
            case["requested"].as_str().unwrap(),
        );
        let errors: Vec<&str> =
            diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
        let expected: Vec<&str> =
            case["errors"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(errors, expected, "{case}");
    }
}

#[test]
fn callbacks() {
    for case in table("callbacks.json") {
        let result = parse_callback(
            case["callbackUrl"].as_str().unwrap(),
            case["expectedState"].as_str().unwrap(),
        );
        let expect = &case["expect"];
        match (result, expect["error"].as_str()) {
            (Ok(callback), None) => {
                assert_eq!(callback.code.secret(), expect["code"].as_str().unwrap(), "{case}");
                assert_eq!(callback.iss.as_deref(), expect["iss"].as_str(), "{case}");
            }
            (Err(error), Some(code)) => {
                assert_eq!(error.code.as_str(), code, "{case}");
                if let Some(detail) = expect["providerDetail"].as_str() {
                    assert_eq!(error.provider_detail.as_deref(), Some(detail), "{case}");
                }
            }
            (result, _) => panic!("{case}: got {result:?}"),
        }
    }
}

fn response(case: &Value) -> forgelink::HttpResponse {
    let r = &case["response"];
    forgelink::HttpResponse {
        status: r["status"].as_u64().unwrap() as u16,
        headers: r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
            .collect(),
        body: r["body"].as_str().unwrap().as_bytes().to_vec(),
    }
}

#[test]
fn token_responses() {
    for case in table("token-responses.json") {
        let name = &case["name"];
        let now = case["now"].as_i64().unwrap();
        let expect = &case["expect"];
        match (
            forgelink::parse_token_response(provider(&case), &response(&case), now),
            expect["error"].as_str(),
        ) {
            (Ok(tokens), None) => {
                assert!(tokens.access_token.secret().len() > 10, "{name}");
                let json = serde_json::to_value(&tokens).unwrap();
                assert_eq!(json["tokenType"], expect["tokenType"], "{name}");
                assert_eq!(json["scopes"], expect["scopes"], "{name}");
                assert_eq!(
                    json.get("expiresAt").unwrap_or(&Value::Null),
                    &expect["expiresAt"],
                    "{name}"
                );
                if let Some(at) = expect.get("refreshTokenExpiresAt") {
                    assert_eq!(&json["refreshTokenExpiresAt"], at, "{name}");
                }
                assert_eq!(
                    tokens.refresh_token.is_some(),
                    expect["refresh"].as_bool().unwrap(),
                    "{name}"
                );
                assert!(
                    !format!("{tokens:?}").contains(tokens.access_token.secret()),
                    "{name}: Debug leaks"
                );
            }
            (Err(error), Some(code)) => {
                assert_eq!(error.code.as_str(), code, "{name}");
                if let Some(detail) = expect["providerDetail"].as_str() {
                    assert_eq!(error.provider_detail.as_deref(), Some(detail), "{name}");
                }
            }
            (result, _) => panic!("{name}: got {result:?}"),
        }
    }
}

#[test]
fn api_errors() {
    for case in table("api-errors.json") {
        let name = &case["name"];
        let parsed =
            serde_json::to_value(forgelink::parse_api_error(provider(&case), &response(&case)))
                .unwrap();
        for (field, expected) in case["expect"].as_object().unwrap() {
            assert_eq!(&parsed[field], expected, "{name}: {field} of {parsed}");
        }
        assert!(parsed["guidance"]["steps"].as_array().is_some_and(|s| !s.is_empty()), "{name}");
    }
}

#[test]
fn webhook_access_by_role() {
    for case in table("webhook-access.json") {
        let access = webhook_access(provider(&case), case["role"].as_str().unwrap());
        assert_eq!(serde_json::to_value(access).unwrap(), case["expect"], "{case}");
    }
}
