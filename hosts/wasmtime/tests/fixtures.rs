//! The shared fixture tables (tests/fixtures at the repository root) through the component:
//! the same inputs and answers the Rust crate and the npm package are held to.

mod common;

use forgelink_host::json;
use serde_json::Value;

use common::plugin;

fn table(name: &str) -> Vec<Value> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let document: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    document["cases"].as_array().cloned().unwrap_or_default()
}

fn provider(case: &Value) -> forgelink_host::wit::Provider {
    json::parse_provider(case["provider"].as_str().unwrap()).expect("a provider")
}

#[test]
fn base_urls() {
    let mut plugin = plugin();
    for case in table("base-urls.json") {
        let input = case["input"].as_str().unwrap();
        let report =
            json::base_url_report(&plugin.validate_base_url(provider(&case), input).unwrap());
        let expect = &case["expect"];
        for field in ["ok", "baseUrl", "apiBase", "deployment"] {
            assert_eq!(report[field], expect[field], "{field} of {input:?}: {report}");
        }
        let codes: Vec<&Value> =
            report["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
        let expected: Vec<&Value> = expect["codes"].as_array().unwrap().iter().collect();
        assert_eq!(codes, expected, "codes of {input:?}");
        if let Some(suggestion) = expect.get("suggestion") {
            assert_eq!(
                &report["diagnostics"][0]["suggestion"], suggestion,
                "suggestion of {input:?}"
            );
        }
    }
}

#[test]
fn redirect_uris() {
    let mut plugin = plugin();
    for case in table("redirect-uris.json") {
        let diagnostics = plugin
            .validate_redirect_uri(
                provider(&case),
                case["registered"].as_str().unwrap(),
                case["requested"].as_str().unwrap(),
            )
            .unwrap();
        let errors: Vec<Value> = json::diagnostics(&diagnostics)
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].clone())
            .collect();
        assert_eq!(Value::Array(errors), case["errors"], "{case}");
    }
}

#[test]
fn callbacks() {
    let mut plugin = plugin();
    for case in table("callbacks.json") {
        let outcome = plugin
            .parse_callback(
                case["callbackUrl"].as_str().unwrap(),
                case["expectedState"].as_str().unwrap(),
            )
            .unwrap();
        let expect = &case["expect"];
        match outcome {
            Ok(callback) => {
                let callback = json::callback(&callback);
                assert_eq!(callback["code"], expect["code"], "{case}");
                assert_eq!(
                    callback.get("iss").unwrap_or(&Value::Null),
                    expect.get("iss").unwrap_or(&Value::Null),
                    "{case}"
                );
            }
            Err(error) => {
                let error = json::error(&error)["error"].clone();
                assert_eq!(error["code"], expect["error"], "{case}");
                if let Some(detail) = expect.get("providerDetail") {
                    assert_eq!(&error["providerDetail"], detail, "{case}");
                }
            }
        }
    }
}

#[test]
fn webhook_access_by_role() {
    let mut plugin = plugin();
    for case in table("webhook-access.json") {
        let access =
            plugin.webhook_access(provider(&case), case["role"].as_str().unwrap()).unwrap();
        let expect = &case["expect"];
        match access {
            Some(access) => {
                assert_eq!(expect["neededRole"], access.needed_role.as_str(), "{case}");
                assert_eq!(expect["allowed"], access.allowed, "{case}");
            }
            None => assert!(expect.is_null(), "{case}"),
        }
    }
}
