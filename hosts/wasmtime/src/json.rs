//! The component's values as JSON, with exactly the field names of the npm package `forgelink`
//! (camelCase, optional fields left out where the package leaves them out), so that a script
//! can switch between `forgelink-host` and the package without renaming anything.

use serde_json::{json, Map, Value};

use crate::wit;

/// The stable provider id: `github`, `gitlab`, `bitbucket-cloud` or `bitbucket-data-center`.
pub fn provider_id(provider: wit::Provider) -> &'static str {
    match provider {
        wit::Provider::Github => "github",
        wit::Provider::Gitlab => "gitlab",
        wit::Provider::BitbucketCloud => "bitbucket-cloud",
        wit::Provider::BitbucketDataCenter => "bitbucket-data-center",
    }
}

/// The provider with the stable id `id`, exactly as [`provider_id`] spells it.
pub fn parse_provider(id: &str) -> Option<wit::Provider> {
    [
        wit::Provider::Github,
        wit::Provider::Gitlab,
        wit::Provider::BitbucketCloud,
        wit::Provider::BitbucketDataCenter,
    ]
    .into_iter()
    .find(|provider| provider_id(*provider) == id)
}

fn deployment_id(deployment: wit::Deployment) -> &'static str {
    match deployment {
        wit::Deployment::Cloud => "cloud",
        wit::Deployment::SelfHosted => "self-hosted",
    }
}

fn severity_id(severity: wit::Severity) -> &'static str {
    match severity {
        wit::Severity::Error => "error",
        wit::Severity::Warning => "warning",
    }
}

fn scope_mode_id(mode: wit::ScopeMode) -> &'static str {
    match mode {
        wit::ScopeMode::Request => "request",
        wit::ScopeMode::ConsumerPermissions => "consumer-permissions",
    }
}

/// Adds `key` only when `value` is present: the package omits these fields when absent rather
/// than writing `null`.
fn insert_some(object: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), Value::from(value));
    }
}

/// `{ code, severity, message, suggestion? }`
pub fn diagnostic(diagnostic: &wit::Diagnostic) -> Value {
    let mut object = Map::new();
    object.insert("code".into(), Value::from(diagnostic.code.as_str()));
    object.insert("severity".into(), Value::from(severity_id(diagnostic.severity)));
    object.insert("message".into(), Value::from(diagnostic.message.as_str()));
    insert_some(&mut object, "suggestion", diagnostic.suggestion.as_deref());
    Value::Object(object)
}

/// A list of diagnostics, as `validateRedirectUri` returns it.
pub fn diagnostics(diagnostics: &[wit::Diagnostic]) -> Value {
    Value::Array(diagnostics.iter().map(diagnostic).collect())
}

/// `{ code, title, summary, steps, docsUrl? }`
pub fn guidance(guidance: &wit::Guidance) -> Value {
    let mut object = Map::new();
    object.insert("code".into(), Value::from(guidance.code.as_str()));
    object.insert("title".into(), Value::from(guidance.title.as_str()));
    object.insert("summary".into(), Value::from(guidance.summary.as_str()));
    object.insert("steps".into(), json!(guidance.steps));
    insert_some(&mut object, "docsUrl", guidance.docs_url.as_deref());
    Value::Object(object)
}

/// `{ "error": { code, message, providerDetail?, guidance } }`, the shape of a thrown
/// `ForgelinkError`'s fields.
pub fn error(error: &wit::Error) -> Value {
    let mut object = Map::new();
    object.insert("code".into(), Value::from(error.code.as_str()));
    object.insert("message".into(), Value::from(error.message.as_str()));
    insert_some(&mut object, "providerDetail", error.provider_detail.as_deref());
    object.insert("guidance".into(), guidance(&error.guidance));
    json!({ "error": object })
}

/// `{ ok, baseUrl, deployment, apiBase, diagnostics }`
pub fn base_url_report(report: &wit::BaseUrlReport) -> Value {
    json!({
        "ok": report.ok,
        "baseUrl": report.base_url,
        "deployment": report.deployment.map(deployment_id),
        "apiBase": report.api_base,
        "diagnostics": diagnostics(&report.diagnostics),
    })
}

fn scope_source(source: &wit::ScopeSource) -> Value {
    match source {
        wit::ScopeSource::Header(header) => {
            json!({ "source": "header", "header": header.header, "url": header.url })
        }
        wit::ScopeSource::Endpoint(endpoint) => {
            json!({ "source": "endpoint", "url": endpoint.url, "field": endpoint.field })
        }
        wit::ScopeSource::TokenResponse(field) => {
            json!({ "source": "token-response", "field": field })
        }
    }
}

/// `{ provider, deployment, web, api, authorize, token, revoke, deviceAuthorization,
/// currentUser, currentUserHeader, version, grantedScopes }`
pub fn endpoints(endpoints: &wit::ProviderEndpoints) -> Value {
    json!({
        "provider": provider_id(endpoints.provider),
        "deployment": deployment_id(endpoints.deployment),
        "web": endpoints.web,
        "api": endpoints.api,
        "authorize": endpoints.authorize,
        "token": endpoints.token,
        "revoke": endpoints.revoke,
        "deviceAuthorization": endpoints.device_authorization,
        "currentUser": endpoints.current_user,
        "currentUserHeader": endpoints.current_user_header,
        "version": endpoints.version,
        "grantedScopes": scope_source(&endpoints.granted_scopes),
    })
}

/// `[{ name, description, implies }]`
pub fn scope_catalog(scopes: &[wit::ScopeInfo]) -> Value {
    scopes
        .iter()
        .map(|scope| {
            json!({ "name": scope.name, "description": scope.description, "implies": scope.implies })
        })
        .collect()
}

/// `{ satisfied, missing, granted }`
pub fn scope_check(check: &wit::ScopeCheck) -> Value {
    json!({ "satisfied": check.satisfied, "missing": check.missing, "granted": check.granted })
}

fn need(need: &wit::Need) -> Value {
    json!({ "name": need.name, "reason": need.reason })
}

/// `[{ id, title, summary, providers: [{ provider, supported, scopeMode, scopes, minRole,
/// webhookEvents }] }]`
pub fn profiles(profiles: &[wit::Profile]) -> Value {
    profiles
        .iter()
        .map(|profile| {
            let providers: Vec<Value> = profile
                .providers
                .iter()
                .map(|needs| {
                    json!({
                        "provider": provider_id(needs.provider),
                        "supported": needs.supported,
                        "scopeMode": scope_mode_id(needs.scope_mode),
                        "scopes": needs.scopes.iter().map(need).collect::<Vec<_>>(),
                        "minRole": need(&needs.min_role),
                        "webhookEvents": needs.webhook_events.iter().map(need).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "id": profile.id,
                "title": profile.title,
                "summary": profile.summary,
                "providers": providers,
            })
        })
        .collect()
}

/// `{ url, state, codeVerifier? }`
pub fn authorization(authorization: &wit::Authorization) -> Value {
    let mut object = Map::new();
    object.insert("url".into(), Value::from(authorization.url.as_str()));
    object.insert("state".into(), Value::from(authorization.state.as_str()));
    insert_some(&mut object, "codeVerifier", authorization.code_verifier.as_deref());
    Value::Object(object)
}

/// `{ code, iss? }`
pub fn callback(callback: &wit::Callback) -> Value {
    let mut object = Map::new();
    object.insert("code".into(), Value::from(callback.code.as_str()));
    insert_some(&mut object, "iss", callback.iss.as_deref());
    Value::Object(object)
}

/// The list of codes, as `errorCodes` returns it.
pub fn error_codes(codes: &[String]) -> Value {
    json!(codes)
}
