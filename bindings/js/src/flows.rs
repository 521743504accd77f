//! The flows behind `Forgelink` in `flows.js`, over any [`Host`]: each takes its argument as
//! `flows.js` passes it and answers an envelope, so the promise JavaScript awaits resolves even
//! when the flow fails, and `flows.js` turns the error into a `ForgelinkError` like every other.

use forgelink::{
    ConnectGitHubApp, ConnectStart, ConnectWithToken, CreateGitHubApp, DisconnectOptions,
    DiscoverOptions, Flows, Host, PollOptions, PostFeedback, ReceiveOptions, RegisterGitHubApp,
    RegisterWebhooks, ReplaceCredentials, TokenNarrowing,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{envelope, invalid, provider};

/// [`from_json`], with an unknown `provider` refused by its own code (`provider.unknown`)
/// rather than as any other invalid field.
fn from_json_with_provider<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, String> {
    let value = from_json::<Value>(name, json)?;
    if let Some(Value::String(id)) = value.get("provider") {
        provider(id).map_err(|e| crate::error(&e))?;
    }
    from_value(name, &value)
}

/// `connectStart(request)`, the request as JSON.
pub async fn connect_start<H: Host>(flows: &Flows<H>, request: &str) -> String {
    match from_json_with_provider::<ConnectStart>("request", request) {
        Ok(start) => envelope(flows.connect_start(start).await),
        Err(invalid) => invalid,
    }
}

/// `connectFinish(callbackUrl, options?)`'s options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FinishOptions {
    /// The value `connectStart` was given, read again from the browser session the callback
    /// arrived in.
    #[serde(default)]
    session: Option<String>,
}

/// `connectFinish(callbackUrl, options?)`, the options as JSON.
pub async fn connect_finish<H: Host>(
    flows: &Flows<H>,
    callback_url: &str,
    options: &str,
) -> String {
    match from_json::<FinishOptions>("options", options) {
        Ok(options) => {
            envelope(flows.connect_finish(callback_url, options.session.as_deref()).await)
        }
        Err(invalid) => invalid,
    }
}

/// `connectWithToken(request)`, the request as JSON.
pub async fn connect_with_token<H: Host>(flows: &Flows<H>, request: &str) -> String {
    match from_json_with_provider::<ConnectWithToken>("request", request) {
        Ok(input) => envelope(flows.connect_with_token(input).await),
        Err(invalid) => invalid,
    }
}

/// `replaceCredentials(id, request)`, the request as JSON.
pub async fn replace_credentials<H: Host>(flows: &Flows<H>, id: &str, request: &str) -> String {
    match from_json::<ReplaceCredentials>("request", request) {
        Ok(request) => envelope(flows.replace_credentials(id, request).await),
        Err(invalid) => invalid,
    }
}

/// `testConnection(id)`.
pub async fn test_connection<H: Host>(flows: &Flows<H>, id: &str) -> String {
    envelope(flows.test_connection(id).await)
}

/// `accessToken(id)`: the token itself, which is what the caller asked for.
pub async fn access_token<H: Host>(flows: &Flows<H>, id: &str) -> String {
    envelope(flows.access_token(id).await)
}

/// `disconnect(id, options?)`, the options as JSON: `uninstall` removes a GitHub App's
/// installation too.
pub async fn disconnect<H: Host>(flows: &Flows<H>, id: &str, options: &str) -> String {
    match from_json::<DisconnectOptions>("options", options) {
        Ok(options) => envelope(flows.disconnect_with(id, options).await),
        Err(invalid) => invalid,
    }
}

/// `createGitHubApp({ baseUrl?, code })`, as JSON: the new app's credentials, secrets included.
pub async fn create_github_app<H: Host>(flows: &Flows<H>, request: &str) -> String {
    match from_json::<CreateGitHubApp>("request", request) {
        Ok(request) => envelope(flows.create_github_app(request).await),
        Err(invalid) => invalid,
    }
}

/// `connectGitHubApp(request)`, as JSON.
pub async fn connect_github_app<H: Host>(flows: &Flows<H>, request: &str) -> String {
    match from_json::<ConnectGitHubApp>("request", request) {
        Ok(request) => envelope(flows.connect_github_app(request).await),
        Err(invalid) => invalid,
    }
}

/// `installationToken(id, { repositories?, repositoryIds?, permissions? })`, the narrowing as
/// JSON: the token itself.
pub async fn installation_token<H: Host>(flows: &Flows<H>, id: &str, narrowing: &str) -> String {
    match from_json::<TokenNarrowing>("options", narrowing) {
        Ok(narrowing) => envelope(flows.installation_token(id, narrowing).await),
        Err(invalid) => invalid,
    }
}

/// `registerGitHubApp({ appId, url, baseUrl?, clientId? })`, as JSON.
pub async fn register_github_app<H: Host>(flows: &Flows<H>, request: &str) -> String {
    match from_json::<RegisterGitHubApp>("request", request) {
        Ok(request) => envelope(flows.register_github_app(request).await),
        Err(invalid) => invalid,
    }
}

/// `discoverProjects(id, options?)`, the options as JSON.
pub async fn discover_projects<H: Host>(flows: &Flows<H>, id: &str, options: &str) -> String {
    match from_json::<DiscoverOptions>("options", options) {
        Ok(options) => envelope(flows.discover_projects(id, options).await),
        Err(invalid) => invalid,
    }
}

/// `registerWebhooks(id, request)`, the request as JSON.
pub async fn register_webhooks<H: Host>(flows: &Flows<H>, id: &str, request: &str) -> String {
    match from_json::<RegisterWebhooks>("request", request) {
        Ok(request) => envelope(flows.register_webhooks(id, request).await),
        Err(invalid) => invalid,
    }
}

/// `unregisterWebhooks(id, options?)`'s options.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UnregisterOptions {
    /// Only the hooks on these projects; every hook of the connection without it.
    #[serde(default)]
    projects: Option<Vec<String>>,
}

/// `unregisterWebhooks(id, options?)`, the options as JSON.
pub async fn unregister_webhooks<H: Host>(flows: &Flows<H>, id: &str, options: &str) -> String {
    match from_json::<UnregisterOptions>("options", options) {
        Ok(options) => envelope(flows.unregister_webhooks(id, options.projects).await),
        Err(invalid) => invalid,
    }
}

/// `receiveWebhook` options from their fields; an absent one keeps the core's default.
pub fn receive_options(
    dedupe_seconds: Option<f64>,
    handling_seconds: Option<f64>,
    allow_unsigned_ping: Option<bool>,
    tolerance_seconds: Option<f64>,
) -> ReceiveOptions {
    let defaults = ReceiveOptions::default();
    ReceiveOptions {
        dedupe_seconds: dedupe_seconds.map_or(defaults.dedupe_seconds, crate::tokens::seconds),
        handling_seconds: handling_seconds
            .map_or(defaults.handling_seconds, crate::tokens::seconds),
        allow_unsigned_ping: allow_unsigned_ping.unwrap_or(defaults.allow_unsigned_ping),
        tolerance_seconds: tolerance_seconds.map(crate::tokens::seconds),
    }
}

/// `receiveWebhook({ route, headers, body }, options?)`: `route` is the request URL the
/// delivery arrived at or its route id; the headers in lines as `flows.js` passes them.
pub async fn receive_webhook<H: Host>(
    flows: &Flows<H>,
    route: &str,
    headers: &str,
    body: Vec<u8>,
    options: ReceiveOptions,
) -> String {
    let headers = crate::webhooks::header_lines(headers);
    envelope(flows.receive_webhook(route, &headers, &body, options).await)
}

/// `confirmDelivery(claim)`: the accepted delivery's event was handled.
pub async fn confirm_delivery<H: Host>(flows: &Flows<H>, claim: &str) -> String {
    envelope(flows.confirm_delivery(claim).await)
}

/// `releaseDelivery(claim)`: the accepted delivery's event could not be handled.
pub async fn release_delivery<H: Host>(flows: &Flows<H>, claim: &str) -> String {
    envelope(flows.release_delivery(claim).await)
}

/// An argument passed as JSON, deserialised by serde (unknown fields refused where the type
/// says so), or the `input.invalid` envelope naming the field at fault (`event.pipeline.status`)
/// and what is wrong with it. With no `name`, the JSON is an object of the function's arguments
/// (see `crate::arguments`), and its fields' paths are the names the caller knows.
pub(crate) fn from_json<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| named_error(name, e)).and_then(
        |value| match deserializer.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(invalid(&format!("`{name}` is not valid: {e}."))),
        },
    )
}

/// `value`, already parsed, deserialised as [`from_json`] does.
pub(crate) fn from_value<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| named_error(name, e))
}

fn named_error<E: std::fmt::Display>(name: &str, error: serde_path_to_error::Error<E>) -> String {
    let path = error.path().to_string();
    let what = without_position(error.inner().to_string());
    let field = match (name, path.as_str()) {
        ("", ".") => return invalid(&format!("The arguments are not valid: {what}.")),
        (_, ".") => name.to_owned(),
        ("", _) => path,
        _ => format!("{name}.{path}"),
    };
    invalid(&format!("`{field}` is not valid: {what}."))
}

/// serde_json's message without its `at line 1 column 15`: a place in JSON the package wrote,
/// not the caller, who is told the field instead.
fn without_position(message: String) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_owned(),
        _ => message,
    }
}

/// `pollEvents(id, options)`, the options as JSON.
pub async fn poll_events<H: Host>(flows: &Flows<H>, id: &str, options: &str) -> String {
    match from_json::<PollOptions>("options", options) {
        Ok(options) => envelope(flows.poll_events(id, options).await),
        Err(invalid) => invalid,
    }
}

/// `postFeedback(id, request)`, the request as JSON.
pub async fn post_feedback<H: Host>(flows: &Flows<H>, id: &str, request: &str) -> String {
    match from_json::<PostFeedback>("request", request) {
        Ok(request) => envelope(flows.post_feedback(id, request).await),
        Err(invalid) => invalid,
    }
}
