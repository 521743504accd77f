//! The component's values as JSON, with exactly the field names of the npm package `forgelink`
//! (camelCase, optional fields left out where the package leaves them out), so that a script
//! can switch between `forgelink-host` and the package without renaming anything.
//!
//! Most values are converted back into the core's own types (conversions derived from the WIT)
//! and printed by the core's serde, which is what the package prints. The few written out below
//! by hand are those whose core types hold static catalog text (guidance, scopes, profiles,
//! checks) and so cannot be built from a component's values.

use serde_json::{json, Map, Value};

use crate::wit;

forgelink_wit_convert::traits!();

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "types/provider": forgelink::Provider <=> wit::Provider { "github" = GitHub, "gitlab" = GitLab };
    "webhooks/webhook-event": forgelink::WebhookEvent <= wit::WebhookEvent;
    "webhooks/event-kind": forgelink::EventKind <= wit::EventKind;
    "webhooks/repository": forgelink::Repository <= wit::Repository;
    "webhooks/actor": forgelink::Actor <= wit::Actor;
    "webhooks/merge-request": forgelink::MergeRequest <= wit::MergeRequest;
    "webhooks/pipeline": forgelink::Pipeline <= wit::Pipeline;
    "webhooks/job": forgelink::Job <= wit::Job;
    "webhooks/commit-status": forgelink::CommitStatus <= wit::CommitStatus;
    "webhooks/status": forgelink::Status <= wit::Status;
    "webhooks/hook": forgelink::Hook <= wit::Hook;
    "webhooks/hook-page": forgelink::HookPage <= wit::HookPage;
    "flows/connection": forgelink::Connection <= wit::Connection;
    "flows/account": forgelink::Account <= wit::Account;
    "flows/scope-status": forgelink::ScopeStatus <= wit::ScopeStatus;
    "flows/connection-status": forgelink::ConnectionStatus <= wit::ConnectionStatus;
    "polling/rate-limit": forgelink::RateLimit <= wit::RateLimit;
    "feedback/comment": forgelink::Comment <= wit::Comment;
    "feedback/comment-page": forgelink::CommentPage <= wit::CommentPage;
    "github-app/installation": forgelink::Installation <= wit::Installation;
    "github-app/app-account": forgelink::AppAccount <= wit::AppAccount;
    "github-app/repository-selection": forgelink::RepositorySelection <= wit::RepositorySelection;
    "tokens/token-set": forgelink::TokenSet <= wit::TokenSet;
    "tokens/device-authorization": forgelink::DeviceAuthorization <= wit::DeviceAuthorization;
    "webhooks/webhook-identity": forgelink::WebhookIdentity <= wit::WebhookIdentity;
    "webhooks/verified": forgelink::Verified <= wit::Verified;
    "webhooks/signature-scheme": forgelink::SignatureScheme <= wit::SignatureScheme;
    "webhooks/manual-setup": forgelink::ManualSetup <= wit::ManualSetup;
    "github-app/app-setup": forgelink::AppSetup <= wit::AppSetup;
    "github-app/setup-action": forgelink::SetupAction <= wit::SetupAction;
    "github-app/github-app-credentials": forgelink::GitHubAppCredentials <= wit::GithubAppCredentials;
    "flows/app-webhook": forgelink::AppWebhook <= wit::AppWebhook;
    "types/diagnostic": forgelink::Diagnostic <= wit::Diagnostic;
    "types/severity": forgelink::Severity <= wit::Severity;
    "types/deployment": forgelink::Deployment <= wit::Deployment;
    "provider/scope-mode": forgelink::ScopeMode <= wit::ScopeMode;
    "provider/base-url-report": forgelink::BaseUrlReport <= wit::BaseUrlReport;
    "provider/authorization": forgelink::AuthorizationUrl <= wit::Authorization;
    "provider/callback": forgelink::Callback <= wit::Callback;
    "flows/connect-started": forgelink::ConnectStarted <= wit::ConnectStarted;
    "webhooks/repository-list": forgelink::RepositoryList <= wit::RepositoryList;
    "webhooks/line-diagnostic": forgelink::LineDiagnostic <= wit::LineDiagnostic;
    "flows/receipt": forgelink::Receipt <= wit::Receipt;
    "flows/receipt-status": forgelink::ReceiptStatus <= wit::ReceiptStatus;
    "flows/feedback-result": forgelink::FeedbackResult <= wit::FeedbackResult;
    "flows/feedback-action": forgelink::FeedbackAction <= wit::FeedbackAction;
    "flows/skipped-target": forgelink::SkippedTarget <= wit::SkippedTarget;
    "feedback/feedback-target": forgelink::FeedbackTarget <=> wit::FeedbackTarget;
    "flows/sync-mode": forgelink::SyncMode <=> wit::SyncMode;
    "flows/poll-status": forgelink::PollStatus <= wit::PollStatus;
    "flows/registration-status": forgelink::RegistrationStatus <= wit::RegistrationStatus;
    "flows/check-status": forgelink::CheckStatus <= wit::CheckStatus;
    "github-app/app-manifest-form": forgelink::AppManifestForm <= wit::AppManifestForm;
}

/// The component and this host are built from one release, so every code the component sends
/// is one the core knows; a mismatched component's unknown code is shown as
/// `input.unknown_code` rather than guessed.
impl FromWit<String> for forgelink::Code {
    fn from_wit(code: String) -> Self {
        code.parse().unwrap_or(forgelink::Code::InputUnknownCode)
    }
}

forgelink_wit_convert::secrets!();

/// A component value as the npm package prints it: converted into the core's own type, whose
/// serde attributes decide the JSON. Serialising these plain types cannot fail; `null` stands
/// in rather than a panic should one ever start to.
fn render<Core: FromWit<Wit> + serde::Serialize, Wit: Clone>(value: &Wit) -> Value {
    serde_json::to_value(Core::from_wit(value.clone())).unwrap_or(Value::Null)
}

/// The enum value the npm package spells `id`, read by the core's own deserialiser.
fn parse_text<Core: serde::de::DeserializeOwned + IntoWit<Wit>, Wit>(id: &str) -> Option<Wit> {
    serde_json::from_value::<Core>(Value::from(id)).ok().map(IntoWit::into_wit)
}

/// The text of an enum value, as the npm package prints it.
fn render_text<Core: FromWit<Wit> + serde::Serialize, Wit: Clone>(value: &Wit) -> String {
    match render::<Core, Wit>(value) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// The stable provider id: `github`, `gitlab`, `bitbucket-cloud` or `bitbucket-data-center`.
pub fn provider_id(provider: wit::Provider) -> &'static str {
    forgelink::Provider::from_wit(provider).as_str()
}

/// The provider `id` names, read as the core (and so the npm package) reads it: the stable id,
/// in any case, or an alias (`bitbucket`, `bitbucket-server`).
pub fn parse_provider(id: &str) -> Option<wit::Provider> {
    id.parse::<forgelink::Provider>().ok().map(IntoWit::into_wit)
}

/// Adds `key` only when `value` is present: the package omits these fields when absent rather
/// than writing `null`.
fn insert_some<T: Into<Value>>(object: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value.into());
    }
}

/// A diagnostic, as the npm package prints it.
pub fn diagnostic(diagnostic: &wit::Diagnostic) -> Value {
    render::<forgelink::Diagnostic, _>(diagnostic)
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

/// `{ "error": { code, message, providerDetail?, retryAfter?, guidance } }`, the shape of a
/// thrown `ForgelinkError`'s fields.
pub fn error(error: &wit::Error) -> Value {
    let mut object = Map::new();
    object.insert("code".into(), Value::from(error.code.as_str()));
    object.insert("message".into(), Value::from(error.message.as_str()));
    insert_some(&mut object, "providerDetail", error.provider_detail.as_deref());
    insert_some(&mut object, "retryAfter", error.retry_after);
    object.insert("guidance".into(), guidance(&error.guidance));
    json!({ "error": object })
}

/// What `validate-base-url` found, as the npm package prints it.
pub fn base_url_report(report: &wit::BaseUrlReport) -> Value {
    render::<forgelink::BaseUrlReport, _>(report)
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

/// `settings-pages` as the npm package's `settingsPages` returns it: `{ oauthApp, accessTokens }`.
pub fn settings_pages(pages: &wit::ProviderSettingsPages) -> Value {
    json!({ "oauthApp": pages.oauth_app, "accessTokens": pages.access_tokens })
}

/// `{ provider, deployment, web, api, authorize, token, revoke, deviceAuthorization,
/// currentUser, currentUserHeader, version, grantedScopes, settingsPages }`
pub fn endpoints(endpoints: &wit::ProviderEndpoints) -> Value {
    json!({
        "provider": provider_id(endpoints.provider),
        "deployment": render::<forgelink::Deployment, _>(&endpoints.deployment),
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
        "settingsPages": settings_pages(&endpoints.settings_pages),
    })
}

/// `[{ name, description, implies, impliesOnPublicRepositories }]`
pub fn scope_catalog(scopes: &[wit::ScopeInfo]) -> Value {
    scopes
        .iter()
        .map(|scope| {
            json!({
                "name": scope.name,
                "description": scope.description,
                "implies": scope.implies,
                "impliesOnPublicRepositories": scope.implies_on_public_repositories,
            })
        })
        .collect()
}

/// `{ satisfied, missing, granted, publicRepositoriesOnly? }`, the last only when not empty,
/// as the npm package prints it.
pub fn scope_check(check: &wit::ScopeCheck) -> Value {
    let mut value =
        json!({ "satisfied": check.satisfied, "missing": check.missing, "granted": check.granted });
    if !check.public_repositories_only.is_empty() {
        value["publicRepositoriesOnly"] = json!(check.public_repositories_only);
    }
    value
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
                        "scopeMode": render::<forgelink::ScopeMode, _>(&needs.scope_mode),
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

/// An authorization URL with its state and PKCE verifier, as the npm package prints it.
pub fn authorization(authorization: &wit::Authorization) -> Value {
    render::<forgelink::AuthorizationUrl, _>(authorization)
}

/// A callback's code and issuer, as the npm package prints them.
pub fn callback(callback: &wit::Callback) -> Value {
    render::<forgelink::Callback, _>(callback)
}

/// The list of codes, as `errorCodes` returns it.
pub fn error_codes(codes: &[String]) -> Value {
    json!(codes)
}

/// Adds `key` only when `value` is present, for numbers.
fn body_text(body: &[u8]) -> Value {
    // forgelink's requests carry form-encoded or JSON text; a body that is not UTF-8 cannot
    // come from it, but is shown rather than dropped.
    Value::from(String::from_utf8_lossy(body).into_owned())
}

fn header_pairs(headers: &[(String, String)]) -> Value {
    headers.iter().map(|(name, value)| json!([name, value])).collect()
}

/// `{ method, url, headers: [[name, value], ...], body? }`, the body as text.
pub fn request(request: &wit::Request) -> Value {
    let mut object = Map::new();
    object.insert("method".into(), Value::from(request.method.as_str()));
    object.insert("url".into(), Value::from(request.url.as_str()));
    object.insert("headers".into(), header_pairs(&request.headers));
    if let Some(body) = &request.body {
        object.insert("body".into(), body_text(body));
    }
    Value::Object(object)
}

/// `{ status, headers: [[name, value], ...], body }`, the body as text.
pub fn response(response: &wit::Response) -> Value {
    json!({
        "status": response.status,
        "headers": header_pairs(&response.headers),
        "body": body_text(&response.body),
    })
}

/// Reads a response in the shape [`response`] prints: `status` (100 to 999), `headers` as
/// `[name, value]` pairs (absent: none), and `body` as text or as an array of bytes (absent:
/// empty).
pub fn parse_response(value: &Value) -> Result<wit::Response, String> {
    let object = value.as_object().ok_or("a response is a JSON object")?;
    let status = object
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|status| u16::try_from(status).ok())
        .filter(|status| (100..=999).contains(status))
        .ok_or("`status` must be a number from 100 to 999")?;
    let headers = match object.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(name), Value::String(value)]) => {
                    Ok((name.clone(), value.clone()))
                }
                _ => Err("each header is a [name, value] pair of strings".to_owned()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`headers` must be an array of [name, value] pairs".into()),
    };
    let body = match object.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(Value::Array(bytes)) => bytes
            .iter()
            .map(|byte| byte.as_u64().and_then(|byte| u8::try_from(byte).ok()))
            .collect::<Option<_>>()
            .ok_or("`body` as an array holds numbers from 0 to 255")?,
        Some(_) => return Err("`body` must be text or an array of bytes".into()),
    };
    Ok(wit::Response { status, headers, body })
}

/// A token set, as the npm package prints it (the tokens in clear: the caller asked for them).
pub fn token_set(tokens: &wit::TokenSet) -> Value {
    render::<forgelink::TokenSet, _>(tokens)
}

/// Reads a token set in the shape [`token_set`] prints.
pub fn parse_token_set(value: &Value) -> Result<wit::TokenSet, String> {
    let object = value.as_object().ok_or("a token set is a JSON object")?;
    let text = |name: &str| -> Result<Option<String>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(format!("`{name}` must be text")),
        }
    };
    let number = |name: &str| -> Result<Option<i64>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value.as_i64().map(Some).ok_or(format!("`{name}` must be an integer")),
        }
    };
    let scopes = match object.get("scopes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or("`scopes` must be an array of text")?,
        Some(_) => return Err("`scopes` must be an array of text".into()),
    };
    Ok(wit::TokenSet {
        access_token: text("accessToken")?.ok_or("`accessToken` is required")?,
        token_type: text("tokenType")?.unwrap_or_else(|| "bearer".to_owned()),
        refresh_token: text("refreshToken")?,
        expires_at: number("expiresAt")?,
        refresh_token_expires_at: number("refreshTokenExpiresAt")?,
        scopes,
    })
}

/// A device authorization, as the npm package prints it.
pub fn device_authorization(device: &wit::DeviceAuthorization) -> Value {
    render::<forgelink::DeviceAuthorization, _>(device)
}

/// `{ provider, kind, description, usableAsAccessToken }`, `provider` null when unknown.
pub fn token_info(info: &wit::TokenInfo) -> Value {
    json!({
        "provider": info.provider.map(provider_id),
        "kind": info.kind,
        "description": info.description,
        "usableAsAccessToken": info.usable_as_access_token,
    })
}

/// `{ code, message, providerDetail, status, retryAfter, rateLimitReset, requiredScopes,
/// grantedScopes, guidance }`, absent values as null.
pub fn api_error(error: &wit::ApiError) -> Value {
    json!({
        "code": error.error.code,
        "message": error.error.message,
        "providerDetail": error.error.provider_detail,
        "status": error.status,
        "retryAfter": error.retry_after,
        "rateLimitReset": error.rate_limit_reset,
        "requiredScopes": error.required_scopes,
        "grantedScopes": error.granted_scopes,
        "guidance": guidance(&error.error.guidance),
    })
}

/// A started connection, as the npm package prints it.
pub fn connect_started(started: &wit::ConnectStarted) -> Value {
    render::<forgelink::ConnectStarted, _>(started)
}

/// A connection, as the npm package prints it.
pub fn connection(connection: &wit::Connection) -> Value {
    render::<forgelink::Connection, _>(connection)
}

/// `pass`, `warn` or `fail`.
pub fn check_status_id(status: wit::CheckStatus) -> String {
    render_text::<forgelink::CheckStatus, _>(&status)
}

fn check(check: &wit::Check) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), Value::from(check.name.as_str()));
    object.insert("status".into(), Value::from(check_status_id(check.status)));
    insert_some(&mut object, "code", check.code.as_deref());
    object.insert("message".into(), Value::from(check.message.as_str()));
    if let Some(steps) = &check.guidance {
        object.insert("guidance".into(), guidance(steps));
    }
    Value::Object(object)
}

/// `{ ok, checks: [{ name, status, code?, message, guidance? }], connection, observed }`
pub fn connection_report(report: &wit::ConnectionReport) -> Value {
    json!({
        "ok": report.ok,
        "checks": report.checks.iter().map(check).collect::<Vec<_>>(),
        "connection": connection(&report.connection),
        "observed": report.observed,
    })
}

/// `{ revoked, webhooks: [registration result], manualSteps, uninstalled?, uninstallUrl? }`:
/// `uninstalled` only when true, as the package writes it.
pub fn disconnect_report(report: &wit::DisconnectReport) -> Value {
    let mut object = Map::new();
    object.insert("revoked".into(), Value::from(report.revoked));
    object.insert("webhooks".into(), registration_results(&report.webhooks));
    object.insert("manualSteps".into(), json!(report.manual_steps));
    if report.uninstalled {
        object.insert("uninstalled".into(), Value::from(true));
    }
    insert_some(&mut object, "uninstallUrl", report.uninstall_url.as_deref());
    Value::Object(object)
}

/// A delivery's identity, as the npm package prints it.
pub fn webhook_identity(identity: &wit::WebhookIdentity) -> Value {
    render::<forgelink::WebhookIdentity, _>(identity)
}

/// A verified delivery, as the npm package prints it.
pub fn verified(verified: &wit::Verified) -> Value {
    render::<forgelink::Verified, _>(verified)
}

/// `push`, `tag_push`, `merge_request`, `pipeline`, `job`, `commit_status`, `ping` or `other`.
pub fn event_kind_id(kind: wit::EventKind) -> String {
    render_text::<forgelink::EventKind, _>(&kind)
}

/// `pending`, `running`, `success`, `failure`, `canceled`, `skipped` or `manual`.
pub fn status_id(status: wit::Status) -> String {
    render_text::<forgelink::Status, _>(&status)
}

/// The webhook event model, as the npm package prints it (absent fields as `null`, so that a
/// consumer sees the whole model in every delivery).
pub fn webhook_event(event: &wit::WebhookEvent) -> Value {
    render::<forgelink::WebhookEvent, _>(event)
}

/// A pasted list of repositories, read, as the npm package prints it.
pub fn repository_list(list: &wit::RepositoryList) -> Value {
    render::<forgelink::RepositoryList, _>(list)
}

/// `{ id, path, name, webUrl, defaultBranch, role, sha256, guidance? }`
pub fn project(project: &wit::Project) -> Value {
    let mut value = json!({
        "id": project.id,
        "path": project.path,
        "name": project.name,
        "webUrl": project.web_url,
        "defaultBranch": project.default_branch,
        "role": project.role,
        "sha256": project.sha256,
    });
    if let (Some(steps), Value::Object(object)) = (&project.guidance, &mut value) {
        object.insert("guidance".into(), guidance(steps));
    }
    value
}

/// `{ projects, nextCursor, excluded }`
pub fn project_page(page: &wit::ProjectPage) -> Value {
    json!({
        "projects": page.projects.iter().map(project).collect::<Vec<_>>(),
        "nextCursor": page.next_cursor,
        "excluded": page.excluded,
    })
}

/// A registration's status, as the npm package spells it.
pub fn registration_status_id(status: wit::RegistrationStatus) -> String {
    render_text::<forgelink::RegistrationStatus, _>(&status)
}

/// `{ project, status, hookId?, code?, message?, guidance?, manualSetup? }`
pub fn registration_result(result: &wit::RegistrationResult) -> Value {
    let mut object = Map::new();
    object.insert("project".into(), Value::from(result.project.as_str()));
    object.insert("status".into(), Value::from(registration_status_id(result.status)));
    insert_some(&mut object, "hookId", result.hook_id.as_deref());
    insert_some(&mut object, "code", result.code.as_deref());
    insert_some(&mut object, "message", result.message.as_deref());
    if let Some(steps) = &result.guidance {
        object.insert("guidance".into(), guidance(steps));
    }
    if let Some(setup) = &result.manual_setup {
        object.insert("manualSetup".into(), manual_setup(setup));
    }
    Value::Object(object)
}

/// One result per project, as `registerWebhooks` and `unregisterWebhooks` return them.
pub fn registration_results(results: &[wit::RegistrationResult]) -> Value {
    Value::Array(results.iter().map(registration_result).collect())
}

/// A receipt's status, as the npm package spells it.
pub fn receipt_status_id(status: wit::ReceiptStatus) -> String {
    render_text::<forgelink::ReceiptStatus, _>(&status)
}

/// A received delivery, as the npm package prints it.
pub fn receipt(receipt: &wit::Receipt) -> Value {
    render::<forgelink::Receipt, _>(receipt)
}

/// The steps of a webhook set up by hand, as the npm package prints them.
pub fn manual_setup(setup: &wit::ManualSetup) -> Value {
    render::<forgelink::ManualSetup, _>(setup)
}

/// A webhook on a project, as the npm package prints it.
pub fn hook(hook: &wit::Hook) -> Value {
    render::<forgelink::Hook, _>(hook)
}

/// A page of a project's webhooks, as the npm package prints it.
pub fn hook_page(page: &wit::HookPage) -> Value {
    render::<forgelink::HookPage, _>(page)
}

/// `{ resource: "pipelines" }`, `{ resource: "pipeline", pipelineId, updatedAt }`, `{ resource:
/// "jobs", pipelineId }`, `{ resource: "merge_requests" }`, `{ resource: "pushes" }`, `{
/// resource: "branches" }` or `{ resource: "commit_statuses", sha }`.
pub fn poll_resource(resource: &wit::PollResource) -> Value {
    match resource {
        wit::PollResource::Pipelines => json!({ "resource": "pipelines" }),
        wit::PollResource::Pipeline(listed) => json!({
            "resource": "pipeline", "pipelineId": listed.id, "updatedAt": listed.updated_at,
        }),
        wit::PollResource::Jobs(id) => json!({ "resource": "jobs", "pipelineId": id }),
        wit::PollResource::MergeRequests => json!({ "resource": "merge_requests" }),
        wit::PollResource::Pushes => json!({ "resource": "pushes" }),
        wit::PollResource::Branches => json!({ "resource": "branches" }),
        wit::PollResource::CommitStatuses(sha) => {
            json!({ "resource": "commit_statuses", "sha": sha })
        }
    }
}

/// A list of [`poll_resource`]s.
pub fn poll_resources(resources: &[wit::PollResource]) -> Value {
    Value::Array(resources.iter().map(poll_resource).collect())
}

/// `[{ resource, request }]`, one per list a poll reads.
pub fn poll_requests(requests: &[wit::PollRequest]) -> Value {
    requests
        .iter()
        .map(|r| json!({ "resource": poll_resource(&r.resource), "request": request(&r.request) }))
        .collect()
}

/// A response's rate limit, as the npm package prints it.
pub fn rate_limit(limit: &wit::RateLimit) -> Value {
    render::<forgelink::RateLimit, _>(limit)
}

/// `{ events, followUps, nextPage, rateLimit }`
pub fn poll_page(page: &wit::PollPage) -> Value {
    json!({
        "events": page.events.iter().map(webhook_event).collect::<Vec<_>>(),
        "followUps": poll_resources(&page.follow_ups),
        "nextPage": page.next_page,
        "rateLimit": rate_limit(&page.rate_limit),
    })
}

/// `webhook`, `polling` or `hybrid`.
pub fn sync_mode_id(mode: wit::SyncMode) -> String {
    render_text::<forgelink::SyncMode, _>(&mode)
}

/// The mode with the id `id`, exactly as [`sync_mode_id`] spells it.
pub fn parse_sync_mode(id: &str) -> Option<wit::SyncMode> {
    parse_text::<forgelink::SyncMode, _>(id)
}

/// `complete`, `incomplete` or `disabled`.
pub fn poll_status_id(status: wit::PollStatus) -> String {
    render_text::<forgelink::PollStatus, _>(&status)
}

fn project_poll(poll: &wit::ProjectPoll) -> Value {
    let mut object = Map::new();
    object.insert("project".into(), Value::from(poll.project.as_str()));
    object.insert("since".into(), Value::from(poll.since));
    object.insert("events".into(), Value::from(poll.events));
    object.insert("duplicates".into(), Value::from(poll.duplicates));
    object.insert("complete".into(), Value::from(poll.complete));
    insert_some(&mut object, "code", poll.code.as_deref());
    insert_some(&mut object, "message", poll.message.as_deref());
    if let Some(steps) = &poll.guidance {
        object.insert("guidance".into(), guidance(steps));
    }
    Value::Object(object)
}

/// `{ status, mode, events, duplicates, cursor, nextPollAt, rateLimit?, projects: [{ project,
/// since, events, duplicates, complete, code?, message?, guidance? }] }`, `nextPollAt` null in
/// webhook mode.
pub fn poll_result(result: &wit::PollResult) -> Value {
    let mut object = Map::new();
    object.insert("status".into(), Value::from(poll_status_id(result.status)));
    object.insert("mode".into(), Value::from(sync_mode_id(result.mode)));
    object.insert("events".into(), result.events.iter().map(webhook_event).collect());
    object.insert("duplicates".into(), Value::from(result.duplicates));
    object.insert("cursor".into(), Value::from(result.cursor.as_str()));
    object.insert("nextPollAt".into(), json!(result.next_poll_at));
    if let Some(limit) = &result.rate_limit {
        object.insert("rateLimit".into(), rate_limit(limit));
    }
    object.insert("projects".into(), result.projects.iter().map(project_poll).collect());
    Value::Object(object)
}

/// `merge_request`, `commit` or `issue`.
pub fn feedback_target_id(target: wit::FeedbackTarget) -> String {
    render_text::<forgelink::FeedbackTarget, _>(&target)
}

/// The target with the id `id`, exactly as [`feedback_target_id`] spells it.
pub fn parse_feedback_target(id: &str) -> Option<wit::FeedbackTarget> {
    parse_text::<forgelink::FeedbackTarget, _>(id)
}

/// `{ target: "merge_request", number }`, `{ target: "commit", sha }`, `{ target: "issue",
/// number }` or `{ target: "new_issue", title }`.
pub fn feedback_location(location: &wit::FeedbackLocation) -> Value {
    match location {
        wit::FeedbackLocation::MergeRequest(number) => {
            json!({ "target": "merge_request", "number": number })
        }
        wit::FeedbackLocation::Commit(sha) => json!({ "target": "commit", "sha": sha }),
        wit::FeedbackLocation::Issue(number) => json!({ "target": "issue", "number": number }),
        wit::FeedbackLocation::NewIssue(title) => json!({ "target": "new_issue", "title": title }),
    }
}

/// A comment, as the npm package prints it.
pub fn comment(comment: &wit::Comment) -> Value {
    render::<forgelink::Comment, _>(comment)
}

/// A page of comments, as the npm package prints it.
pub fn comment_page(page: &wit::CommentPage) -> Value {
    render::<forgelink::CommentPage, _>(page)
}

/// Posted feedback, as the npm package prints it.
pub fn feedback_result(result: &wit::FeedbackResult) -> Value {
    render::<forgelink::FeedbackResult, _>(result)
}

/// Reads a list to poll in the shape [`poll_resource`] prints.
pub fn parse_poll_resource(value: &Value) -> Result<wit::PollResource, String> {
    let text = |field: &str| {
        value[field].as_str().map(str::to_owned).ok_or(format!("`{field}` must be text"))
    };
    Ok(match value["resource"].as_str() {
        Some("pipelines") => wit::PollResource::Pipelines,
        Some("pipeline") => wit::PollResource::Pipeline(wit::ListedPipeline {
            id: text("pipelineId")?,
            updated_at: match &value["updatedAt"] {
                Value::Null => None,
                Value::String(updated) => Some(updated.clone()),
                _ => return Err("`updatedAt` must be text or null".into()),
            },
        }),
        Some("jobs") => wit::PollResource::Jobs(text("pipelineId")?),
        Some("merge_requests") => wit::PollResource::MergeRequests,
        Some("pushes") => wit::PollResource::Pushes,
        Some("branches") => wit::PollResource::Branches,
        Some("commit_statuses") => wit::PollResource::CommitStatuses(text("sha")?),
        _ => return Err("`resource` must name a list to poll".into()),
    })
}

/// Reads a place to post feedback at in the shape [`feedback_location`] prints.
pub fn parse_feedback_location(value: &Value) -> Result<wit::FeedbackLocation, String> {
    let number = || value["number"].as_u64().ok_or("`number` must be a whole number");
    let text = |field: &str| {
        value[field].as_str().map(str::to_owned).ok_or(format!("`{field}` must be text"))
    };
    Ok(match value["target"].as_str() {
        Some("merge_request") => wit::FeedbackLocation::MergeRequest(number()?),
        Some("commit") => wit::FeedbackLocation::Commit(text("sha")?),
        Some("issue") => wit::FeedbackLocation::Issue(number()?),
        Some("new_issue") => wit::FeedbackLocation::NewIssue(text("title")?),
        _ => return Err("`target` must be merge_request, commit, issue or new_issue".into()),
    })
}

/// An app's installation, as the npm package prints it.
pub fn installation(installation: &wit::Installation) -> Value {
    render::<forgelink::Installation, _>(installation)
}

/// A GitHub App manifest's form, as the npm package prints it.
pub fn app_manifest_form(form: &wit::AppManifestForm) -> Value {
    render::<forgelink::AppManifestForm, _>(form)
}

/// A GitHub App's setup callback, as the npm package prints it.
pub fn app_setup(setup: &wit::AppSetup) -> Value {
    render::<forgelink::AppSetup, _>(setup)
}

/// `read`, `write` or `admin`.
pub fn access_level_id(level: wit::AccessLevel) -> &'static str {
    match level {
        wit::AccessLevel::Read => "read",
        wit::AccessLevel::Write => "write",
        wit::AccessLevel::Admin => "admin",
    }
}

/// The access level `read`, `write` or `admin` names.
pub fn parse_access_level(id: &str) -> Option<wit::AccessLevel> {
    [wit::AccessLevel::Read, wit::AccessLevel::Write, wit::AccessLevel::Admin]
        .into_iter()
        .find(|level| access_level_id(*level) == id)
}

/// `{ profile, permissions: [{ permission, level, reason }], events: [{ name, reason }] }`
pub fn app_needs(needs: &wit::AppNeeds) -> Value {
    let permissions: Vec<Value> = needs
        .permissions
        .iter()
        .map(|need| {
            json!({
                "permission": need.permission,
                "level": access_level_id(need.level),
                "reason": need.reason,
            })
        })
        .collect();
    json!({
        "profile": needs.profile,
        "permissions": permissions,
        "events": needs.events.iter().map(need).collect::<Vec<_>>(),
    })
}

/// `repository`, `organization`, `account` or `enterprise`.
pub fn permission_target_id(target: wit::PermissionTarget) -> &'static str {
    match target {
        wit::PermissionTarget::Repository => "repository",
        wit::PermissionTarget::Organization => "organization",
        wit::PermissionTarget::Account => "account",
        wit::PermissionTarget::Enterprise => "enterprise",
    }
}

/// `[{ name, target, levels, meaning }]`
pub fn app_permissions(permissions: &[wit::AppPermission]) -> Value {
    Value::Array(
        permissions
            .iter()
            .map(|permission| {
                json!({
                    "name": permission.name,
                    "target": permission_target_id(permission.target),
                    "levels": permission.levels,
                    "meaning": permission.meaning,
                })
            })
            .collect(),
    )
}

/// A new GitHub App's credentials, as the npm package prints them.
pub fn github_app_credentials(app: &wit::GithubAppCredentials) -> Value {
    render::<forgelink::GitHubAppCredentials, _>(app)
}

/// A GitHub App's webhook, as the npm package prints it.
pub fn app_webhook(webhook: &wit::AppWebhook) -> Value {
    render::<forgelink::AppWebhook, _>(webhook)
}
