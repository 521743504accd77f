//! GitHub Apps, as pure request builders and parsers: the manifest that creates an app, its
//! conversion, the installation URL and the setup callback, the JWT the app signs, and the
//! installation, token and repository answers. The flows (`crate::flows::app`) send them.
//!
//! The facts behind each (paths, lifetimes, limits) live in [`crate::providers::github`], each
//! beside its source.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::{api_failure, success_json};
use crate::base_url::{resolve_base_url, ResolvedBase};
use crate::error::{excerpt, Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::parse_timestamp;
use crate::json::{number, strings, text};
use crate::profiles::Need;
use crate::provider::Provider;
use crate::providers::github;
use crate::secret::{AccessToken, AuthorizationCode, ClientSecret, PrivateKey, WebhookSecret};
use crate::tokens::http_date;

/// How much a permission grants, in GitHub's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AccessLevel {
    /// Read only.
    Read,
    /// Read and write.
    Write,
    /// Administration (the `organization_projects` style permissions).
    Admin,
}

impl AccessLevel {
    /// `read`, `write` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Read => "read",
            AccessLevel::Write => "write",
            AccessLevel::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(AccessLevel::Read),
            "write" => Some(AccessLevel::Write),
            "admin" => Some(AccessLevel::Admin),
            _ => None,
        }
    }
}

pub use crate::providers::github_permissions::{AppPermission, PermissionTarget};

/// Every GitHub App permission GitHub documents, with what it lets an app do and the levels
/// it takes.
pub fn github_app_permissions() -> &'static [AppPermission] {
    crate::providers::github_permissions::APP_PERMISSIONS
}

/// One GitHub App permission a profile needs, with the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PermissionNeed {
    /// The permission, as the API names it (`pull_requests`).
    pub permission: &'static str,
    /// The least level that serves.
    pub level: AccessLevel,
    /// Why the profile needs it.
    pub reason: &'static str,
}

/// What a GitHub App needs for a profile: its permissions, and the events its webhook
/// subscribes to (the profile's GitHub webhook events: an app's events have the same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppNeeds {
    /// The profile.
    #[cfg_attr(feature = "typescript", ts(type = "ProfileId"))]
    pub profile: &'static str,
    /// The permissions to ask for.
    pub permissions: &'static [PermissionNeed],
    /// The events to subscribe to.
    pub events: &'static [Need],
}

/// The permissions and events a GitHub App needs for `profile`.
pub fn github_app_needs(profile_id: &str) -> Result<AppNeeds, Error> {
    let profile = crate::profiles::profile(profile_id)?;
    let permissions = github::APP_PROFILE_PERMISSIONS
        .iter()
        .find(|(id, _)| *id == profile.id)
        .map(|(_, needs)| *needs)
        .unwrap_or(&[]);
    Ok(AppNeeds {
        profile: profile.id,
        permissions,
        events: profile.for_provider(Provider::GitHub).webhook_events,
    })
}

/// The profile's permissions that `granted` lacks or grants below the level needed, as
/// `name:level` (`pull_requests:write`).
pub fn missing_permissions(
    granted: &BTreeMap<String, String>,
    needs: &[PermissionNeed],
) -> Vec<String> {
    let wanted: Vec<String> =
        needs.iter().map(|n| format!("{}:{}", n.permission, n.level.as_str())).collect();
    not_granted(granted, &wanted)
}

/// The `name:level` entries of `wanted` that `granted` lacks or grants below that level.
pub(crate) fn not_granted(granted: &BTreeMap<String, String>, wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|want| {
            let (name, level) = want.split_once(':').unwrap_or((want.as_str(), "read"));
            let needed = AccessLevel::parse(level).unwrap_or(AccessLevel::Read);
            granted.get(name).and_then(|l| AccessLevel::parse(l)).is_none_or(|l| l < needed)
        })
        .cloned()
        .collect()
}

/// `granted` as `name:level` strings, sorted.
pub(crate) fn permission_list(granted: &BTreeMap<String, String>) -> Vec<String> {
    granted.iter().map(|(name, level)| format!("{name}:{level}")).collect()
}

/// What [`github_app_manifest`] builds an app from.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppManifestOptions {
    /// github.com when absent, a `SUB.ghe.com` or an Enterprise Server.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Create the app in this organization rather than the person's own account.
    #[serde(default)]
    pub organization: Option<String>,
    /// The app's name (at most 34 characters, unique on the instance).
    pub name: String,
    /// Its homepage.
    pub url: String,
    /// Where GitHub sends the person back with the `code` to convert.
    pub redirect_url: String,
    /// Where user authorizations of the app return (up to 10).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Where GitHub sends the person after installing the app.
    #[serde(default)]
    pub setup_url: Option<String>,
    /// Send the person to the setup URL after changing an installation too.
    #[serde(default)]
    pub setup_on_update: bool,
    /// Where the app's webhook delivers; without one the app subscribes to no events.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Whether anyone may install it (default: only its owner).
    #[serde(default)]
    pub public: bool,
    /// Ask the person installing it to authorize it too, so that the setup callback carries a
    /// `code` that proves who installed it (recommended: see [`AppSetup::code`]).
    #[serde(default)]
    pub request_oauth_on_install: bool,
    /// A description shown on the app's page.
    #[serde(default)]
    pub description: Option<String>,
    /// The profile whose permissions and events the app asks for.
    pub profile: String,
    /// A random value the caller keeps with the person's session and checks on return.
    pub state: String,
}

/// The form that creates the app: post `manifest` to `action` from the person's browser (an
/// HTML form with one hidden field, submitted by the person or by script).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppManifestForm {
    /// The URL to post to, `state` included.
    pub action: String,
    /// The value of the form's `manifest` field: the manifest as JSON.
    pub manifest: String,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InputInvalid, message).for_provider(Provider::GitHub)
}

fn github_base(base_url: Option<&str>) -> Result<ResolvedBase, Error> {
    resolve_base_url(Provider::GitHub, base_url)
}

/// An absolute http(s) URL, or `input.invalid` naming the field.
fn absolute_url(field: &str, value: &str) -> Result<String, Error> {
    match url::Url::parse(value.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => {
            Ok(url.to_string())
        }
        _ => Err(invalid(format!(
            "{field} must be an absolute https URL, not `{}`.",
            excerpt(value)
        ))),
    }
}

/// An account or organization login: letters, digits and single hyphens, at most 39.
fn login(field: &str, value: &str) -> Result<String, Error> {
    let ok = !value.is_empty()
        && value.len() <= 39
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !value.starts_with('-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid(format!("{field} is not a GitHub login: `{}`.", excerpt(value))))
    }
}

fn url_with_state(mut url: url::Url, state: Option<&str>) -> String {
    if let Some(state) = state {
        url.query_pairs_mut().append_pair("state", state);
    }
    url.to_string()
}

/// Builds the manifest form that creates a GitHub App with the profile's permissions and
/// events, on github.com, ghe.com or an Enterprise Server, for a person or an organization.
pub fn github_app_manifest(options: &AppManifestOptions) -> Result<AppManifestForm, Error> {
    let base = github_base(options.base_url.as_deref())?;
    let name = options.name.trim();
    if name.is_empty() || name.chars().count() > github::APP_NAME_MAX {
        return Err(invalid(format!(
            "The app's name must have 1 to {} characters.",
            github::APP_NAME_MAX
        )));
    }
    if options.state.trim().is_empty() {
        return Err(invalid("The state must not be empty: it ties the return to the session."));
    }
    if options.callback_urls.len() > github::CALLBACK_URLS_MAX {
        return Err(invalid(format!(
            "GitHub takes at most {} callback URLs.",
            github::CALLBACK_URLS_MAX
        )));
    }
    // "Request user authorization (OAuth) during installation" sends the person to the first
    // callback URL, with the code, and GitHub then takes no setup URL (facts:
    // "About the setup URL").
    if options.request_oauth_on_install {
        if options.setup_url.is_some() {
            return Err(invalid("With requestOauthOnInstall GitHub returns to the first callback URL, not to setupUrl: leave setupUrl out."));
        }
        if options.callback_urls.is_empty() {
            return Err(invalid("requestOauthOnInstall needs a callback URL: the person returns there with the code and installation_id."));
        }
    }
    let needs = github_app_needs(&options.profile)?;
    let callback_urls = options
        .callback_urls
        .iter()
        .map(|u| absolute_url("callbackUrls", u))
        .collect::<Result<Vec<_>, _>>()?;
    let permissions: BTreeMap<&str, &str> =
        needs.permissions.iter().map(|n| (n.permission, n.level.as_str())).collect();
    let mut manifest = json!({
        "name": name,
        "url": absolute_url("url", &options.url)?,
        "redirect_url": absolute_url("redirectUrl", &options.redirect_url)?,
        "callback_urls": callback_urls,
        "public": options.public,
        "default_permissions": permissions,
        "request_oauth_on_install": options.request_oauth_on_install,
        "setup_on_update": options.setup_on_update,
    });
    if let Some(setup) = &options.setup_url {
        manifest["setup_url"] = json!(absolute_url("setupUrl", setup)?);
    }
    if let Some(description) = &options.description {
        manifest["description"] = json!(description);
    }
    // Events need an active webhook: without one, GitHub has nowhere to send them.
    if let Some(hook) = &options.webhook_url {
        manifest["hook_attributes"] =
            json!({ "url": absolute_url("webhookUrl", hook)?, "active": true });
        manifest["default_events"] = json!(needs.events.iter().map(|e| e.name).collect::<Vec<_>>());
    }
    let path = match &options.organization {
        Some(org) => {
            format!("/organizations/{}{}", login("organization", org)?, github::MANIFEST_PATH)
        }
        None => github::MANIFEST_PATH.to_owned(),
    };
    let action = url::Url::parse(&format!("{}{path}", base.base))
        .map_err(|_| invalid("The base URL cannot hold the manifest path."))?;
    Ok(AppManifestForm {
        action: url_with_state(action, Some(options.state.trim())),
        manifest: manifest.to_string(),
    })
}

fn api_request(method: &str, url: String) -> HttpRequest {
    HttpRequest::new(method, url)
        .header("Accept", github::ACCEPT)
        .header("X-GitHub-Api-Version", github::API_VERSION)
}

/// The conversion of a manifest's `code` into the new app's id, credentials and key
/// (`POST /app-manifests/{code}/conversions`, unauthenticated), within an hour of its creation.
pub fn prepare_manifest_conversion(
    base_url: Option<&str>,
    code: &str,
) -> Result<HttpRequest, Error> {
    let base = github_base(base_url)?;
    let code = code.trim();
    if code.is_empty() || code.len() > 200 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(format!("`{}` is not a manifest code.", excerpt(code))));
    }
    Ok(api_request("POST", format!("{}/app-manifests/{code}/conversions", base.api_base)))
}

/// Who owns an app or an installation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppAccount {
    /// The login.
    pub login: String,
    /// GitHub's numeric id.
    pub id: u64,
    /// `User` or `Organization`.
    pub kind: String,
}

fn read_account(value: &Value) -> Option<AppAccount> {
    Some(AppAccount {
        login: text(value, &["login"]).or_else(|| text(value, &["slug"]))?,
        id: number(value, &["id"])?,
        kind: text(value, &["type"]).unwrap_or_else(|| "Enterprise".into()),
    })
}

/// A new app, as the manifest conversion returns it. Its secrets belong where the product
/// keeps secrets, never in logs; the private key goes to the host's signer.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GitHubAppCredentials {
    /// The instance the app lives on.
    pub base_url: String,
    /// The app's id (the JWT's issuer, with the client id).
    pub app_id: u64,
    /// Its URL name (`/apps/{slug}`).
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// Who owns it.
    pub owner: Option<AppAccount>,
    /// Its page.
    pub html_url: Option<String>,
    /// The OAuth client id of its user authorizations, and the JWT issuer GitHub recommends.
    pub client_id: String,
    /// The OAuth client secret. Secret.
    pub client_secret: ClientSecret,
    /// The secret its webhook deliveries are signed with, when it has a webhook.
    pub webhook_secret: Option<WebhookSecret>,
    /// The private key (PKCS#1 PEM, `BEGIN RSA PRIVATE KEY`) its JWTs are signed with.
    pub private_key: PrivateKey,
    /// The permissions it asks installations for.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, string>"))]
    pub permissions: BTreeMap<String, String>,
    /// The events it subscribes to.
    pub events: Vec<String>,
}

fn github_failure(response: &HttpResponse) -> Error {
    api_failure(Provider::GitHub, response)()
}

/// A failed JWT-authenticated call: a 401 is GitHub refusing the app's token (and saying why),
/// anything else GitHub's own error.
pub(crate) fn app_call_failed(response: &HttpResponse) -> Error {
    if response.status == 401 {
        jwt_refused(response)
    } else {
        github_failure(response)
    }
}

/// A 401 on a JWT-authenticated call: GitHub refused the app's token, and says why.
fn jwt_refused(response: &HttpResponse) -> Error {
    let detail = crate::api_error::parse_api_error(Provider::GitHub, response).error;
    Error::new(
        Code::GithubAppJwtRejected,
        "GitHub refused the app's JSON web token: the key, the app id or the clock is wrong.",
    )
    .for_provider(Provider::GitHub)
    .with_detail(detail.provider_detail.unwrap_or(detail.message))
}

fn body(response: &HttpResponse, what: &'static str) -> Result<Value, Error> {
    success_json(Provider::GitHub, response, || github_failure(response), what)
}

fn permissions_of(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|o| {
            o.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned()))).collect()
        })
        .unwrap_or_default()
}

/// Reads the conversion's answer. A code used twice, older than an hour or mistyped is
/// `oauth.bad_verification_code`, as GitHub names a bad code.
pub fn parse_manifest_conversion(
    base_url: Option<&str>,
    response: &HttpResponse,
) -> Result<GitHubAppCredentials, Error> {
    let base = github_base(base_url)?;
    if response.status == 404 || response.status == 422 {
        return Err(Error::new(
            Code::OauthBadVerificationCode,
            "GitHub does not know this manifest code: it was used already, is more than an hour old, or belongs to another instance.",
        )
        .for_provider(Provider::GitHub));
    }
    let value = body(response, "The manifest conversion answered something other than JSON.")?;
    let missing = |field: &str| {
        Error::new(Code::HttpUnexpectedStatus, format!("The manifest conversion has no `{field}`."))
            .for_provider(Provider::GitHub)
    };
    let field = |name: &'static str| text(&value, &[name]).ok_or_else(|| missing(name));
    Ok(GitHubAppCredentials {
        base_url: base.base,
        app_id: number(&value, &["id"]).ok_or_else(|| missing("id"))?,
        slug: field("slug")?,
        name: text(&value, &["name"]).unwrap_or_default(),
        owner: read_account(&value["owner"]),
        html_url: text(&value, &["html_url"]),
        client_id: field("client_id")?,
        client_secret: ClientSecret::new(field("client_secret")?),
        webhook_secret: text(&value, &["webhook_secret"]).map(WebhookSecret::new),
        private_key: PrivateKey::new(field("pem")?),
        permissions: permissions_of(&value["permissions"]),
        events: strings(&value["events"]),
    })
}

/// Where to send a person to install the app `slug`, with `state` to check on the setup URL.
pub fn github_app_install_url(
    slug: &str,
    state: Option<&str>,
    base_url: Option<&str>,
) -> Result<String, Error> {
    let base = github_base(base_url)?;
    let slug = slug.trim();
    let valid = !slug.is_empty()
        && slug.len() <= 100
        && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(invalid(format!("`{}` is not an app slug.", excerpt(slug))));
    }
    let url =
        url::Url::parse(&format!("{}{}", base.base, github::install_path(base.deployment, slug)))
            .map_err(|_| invalid("The base URL cannot hold the installation path."))?;
    Ok(url_with_state(url, state.filter(|s| !s.is_empty())))
}

/// What the person did on the installation page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SetupAction {
    /// Installed the app.
    Install,
    /// Changed an installation (repositories, or accepted permissions).
    Update,
    /// Asked an organization owner to install it: nothing is installed yet, and the callback
    /// carries no installation id.
    Request,
}

/// The setup callback, read. `installation_id` comes from the browser and proves nothing by
/// itself: anyone can type any id into the setup URL. Connect it only with the `code` (the app
/// asks for user authorization during installation, and forgelink checks that this person can
/// reach the installation) or after the installation's own signed `installation` webhook.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppSetup {
    /// The installation, except for a request (an organization owner must approve it first).
    pub installation_id: Option<u64>,
    /// Install, update or request.
    pub setup_action: SetupAction,
    /// The state given to [`github_app_install_url`], to check against the session.
    pub state: Option<String>,
    /// The user authorization code, when the app requests it during installation. Secret.
    pub code: Option<AuthorizationCode>,
}

/// Reads the setup URL GitHub sent the person to (the whole URL, or its query).
pub fn parse_github_app_setup(callback: &str) -> Result<AppSetup, Error> {
    let query = match url::Url::parse(callback.trim()) {
        Ok(url) => url.query().unwrap_or_default().to_owned(),
        Err(_) => callback.trim().trim_start_matches('?').to_owned(),
    };
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if fields.insert(name.to_string(), value.to_string()).is_some() {
            return Err(invalid(format!("The setup callback repeats `{name}`.")));
        }
    }
    // GitHub's pages show `setup_action` in examples without defining it: an id without one
    // reads as an installation.
    let setup_action = match fields.get("setup_action").map(String::as_str) {
        Some("install") => SetupAction::Install,
        Some("update") => SetupAction::Update,
        Some("request") => SetupAction::Request,
        Some(other) => return Err(invalid(format!("Unknown setup_action `{}`.", excerpt(other)))),
        None if fields.contains_key("installation_id") => SetupAction::Install,
        None => return Err(invalid("The callback has neither installation_id nor setup_action.")),
    };
    let installation_id = match fields.get("installation_id") {
        Some(id) => Some(id.parse::<u64>().map_err(|_| {
            invalid(format!("installation_id must be a number, not `{}`.", excerpt(id)))
        })?),
        None if setup_action == SetupAction::Request => None,
        None => return Err(invalid("The setup callback has no installation_id.")),
    };
    Ok(AppSetup {
        installation_id,
        setup_action,
        state: fields.get("state").cloned(),
        code: fields.get("code").filter(|c| !c.is_empty()).cloned().map(AuthorizationCode::new),
    })
}

/// The signing input of the app's JWT (`header.payload`, base64url): issued
/// [`github::JWT_BACKDATE_SECONDS`] before `now`, expiring [`github::JWT_LIFETIME_SECONDS`]
/// after it was issued, by `issuer` (the client id, or the app id).
pub(crate) fn jwt_signing_input(issuer: &str, now: i64) -> String {
    let iat = now.saturating_sub(github::JWT_BACKDATE_SECONDS);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = json!({ "iat": iat, "exp": iat.saturating_add(github::JWT_LIFETIME_SECONDS), "iss": issuer });
    format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload.to_string()))
}

/// The signed JWT.
pub(crate) fn jwt(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Whether GitHub refused a JWT for its times, judged by its own clock: the caller may sign
/// again with the clock moved to the answer's `Date`.
pub(crate) fn refused_for_clock(response: &HttpResponse) -> bool {
    response.status == 401 && {
        let text = response.text();
        text.contains("'Issued at' claim") || text.contains("'Expiration time' claim")
    }
}

/// How a repository list was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RepositorySelection {
    /// Every repository of the account, present and future.
    All,
    /// The repositories picked.
    Selected,
}

/// An installation of the app, as GitHub describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Installation {
    /// The installation's id.
    pub id: u64,
    /// The app.
    pub app_id: u64,
    /// The app's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub app_slug: Option<String>,
    /// The account it is installed on.
    pub account: AppAccount,
    /// All repositories or the selected ones.
    pub repository_selection: RepositorySelection,
    /// The permissions granted, by name (`read`, `write`, `admin`).
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, string>"))]
    pub permissions: BTreeMap<String, String>,
    /// The events delivered.
    pub events: Vec<String>,
    /// When it was suspended (RFC 3339), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub suspended_at: Option<String>,
    /// Its settings page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub html_url: Option<String>,
}

fn read_installation(value: &Value) -> Option<Installation> {
    Some(Installation {
        id: number(value, &["id"])?,
        app_id: number(value, &["app_id"]).unwrap_or_default(),
        app_slug: text(value, &["app_slug"]),
        account: read_account(&value["account"])?,
        repository_selection: match value["repository_selection"].as_str() {
            Some("selected") => RepositorySelection::Selected,
            _ => RepositorySelection::All,
        },
        permissions: permissions_of(&value["permissions"]),
        events: strings(&value["events"]),
        suspended_at: text(value, &["suspended_at"]),
        html_url: text(value, &["html_url"]),
    })
}

/// `GET /app/installations/{id}` with the app's JWT.
pub(crate) fn prepare_installation(api: &str, installation_id: u64, jwt: &str) -> HttpRequest {
    api_request("GET", format!("{api}/app/installations/{installation_id}"))
        .header("Authorization", format!("Bearer {jwt}"))
}

fn installation_not_found() -> Error {
    Error::new(
        Code::HttpNotFound,
        "The app has no installation with this id: it was uninstalled, or the id belongs to another app or instance.",
    )
    .for_provider(Provider::GitHub)
}

/// Reads an installation; a 404 is `http.not_found`.
pub(crate) fn parse_installation(response: &HttpResponse) -> Result<Installation, Error> {
    match response.status {
        401 => return Err(jwt_refused(response)),
        404 => return Err(installation_not_found()),
        _ => {}
    }
    let value = body(response, "The installation answered something other than JSON.")?;
    read_installation(&value).ok_or_else(|| {
        Error::new(Code::HttpUnexpectedStatus, "The installation's answer has no id or account.")
            .for_provider(Provider::GitHub)
    })
}

/// `GET /app` with the app's JWT: the permissions the app now asks for, to compare with what
/// an installation accepted.
pub(crate) fn prepare_app(api: &str, jwt: &str) -> HttpRequest {
    api_request("GET", format!("{api}/app")).header("Authorization", format!("Bearer {jwt}"))
}

/// The permissions the app asks installations for.
pub(crate) fn parse_app_permissions(
    response: &HttpResponse,
) -> Result<BTreeMap<String, String>, Error> {
    if response.status == 401 {
        return Err(jwt_refused(response));
    }
    let value = body(response, "The app answered something other than JSON.")?;
    Ok(permissions_of(&value["permissions"]))
}

/// The largest id a JavaScript number holds exactly (2^53 - 1), and the most digits one has.
const MAX_ID: u64 = (1 << 53) - 1;

/// A GitHub id (app, installation, repository) as callers write it: a whole number, or its
/// digits as a string, as it arrives in a URL's query (`installation_id=42`).
#[derive(Clone, Copy)]
struct GitHubId(u64);

impl<'de> Deserialize<'de> for GitHubId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = GitHubId;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GitHub id (a whole number, or its digits as a string)")
            }

            fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<GitHubId, E> {
                if id > MAX_ID {
                    return Err(E::custom(format_args!("{id} is larger than any GitHub id")));
                }
                Ok(GitHubId(id))
            }

            fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<GitHubId, E> {
                match u64::try_from(id) {
                    Ok(id) => self.visit_u64(id),
                    Err(_) => Err(E::custom(format_args!("a GitHub id is not negative, got {id}"))),
                }
            }

            fn visit_f64<E: serde::de::Error>(self, id: f64) -> Result<GitHubId, E> {
                // JSON written by JavaScript: 42.0 is 42, 4.2 is no id.
                if id.fract() == 0.0 && (0.0..=MAX_ID as f64).contains(&id) {
                    return Ok(GitHubId(id as u64));
                }
                Err(E::custom(format_args!("a GitHub id is a whole number, got {id}")))
            }

            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<GitHubId, E> {
                let digits = id.trim();
                match digits.parse::<u64>() {
                    Ok(id) if digits.bytes().all(|b| b.is_ascii_digit()) => self.visit_u64(id),
                    _ => Err(E::custom(format_args!("{id:?} is not a GitHub id"))),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Deserialises a [`GitHubId`] into the `u64` the core keeps.
pub(crate) fn github_id<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    GitHubId::deserialize(deserializer).map(|GitHubId(id)| id)
}

/// Deserialises a list of [`GitHubId`]s.
fn github_ids<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    Vec::<GitHubId>::deserialize(deserializer)
        .map(|ids| ids.into_iter().map(|GitHubId(id)| id).collect())
}

/// How to narrow an installation token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenNarrowing {
    /// Repository names (without the owner), at most 500.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// Repository ids, at most 500.
    #[serde(default, deserialize_with = "github_ids")]
    pub repository_ids: Vec<u64>,
    /// Permissions, at or below the installation's.
    #[serde(default)]
    pub permissions: BTreeMap<String, AccessLevel>,
}

impl TokenNarrowing {
    /// Whether it narrows anything.
    pub fn is_empty(&self) -> bool {
        self.repositories.is_empty()
            && self.repository_ids.is_empty()
            && self.permissions.is_empty()
    }
}

/// `POST /app/installations/{id}/access_tokens` with the app's JWT, optionally narrowed.
pub(crate) fn prepare_installation_token(
    api: &str,
    installation_id: u64,
    jwt: &str,
    narrowing: &TokenNarrowing,
) -> Result<HttpRequest, Error> {
    let request =
        api_request("POST", format!("{api}/app/installations/{installation_id}/access_tokens"))
            .header("Authorization", format!("Bearer {jwt}"));
    if narrowing.is_empty() {
        return Ok(request);
    }
    if narrowing.repositories.len() > github::TOKEN_REPOSITORIES_MAX
        || narrowing.repository_ids.len() > github::TOKEN_REPOSITORIES_MAX
    {
        return Err(invalid(format!(
            "A token can be narrowed to at most {} repositories.",
            github::TOKEN_REPOSITORIES_MAX
        )));
    }
    for name in &narrowing.repositories {
        let valid = !name.is_empty()
            && name.len() <= 100
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            return Err(invalid(format!(
                "`{}` is not a repository name (the name alone, without its owner).",
                excerpt(name)
            )));
        }
    }
    let mut body = serde_json::Map::new();
    if !narrowing.repositories.is_empty() {
        body.insert("repositories".into(), json!(narrowing.repositories));
    }
    if !narrowing.repository_ids.is_empty() {
        body.insert("repository_ids".into(), json!(narrowing.repository_ids));
    }
    if !narrowing.permissions.is_empty() {
        body.insert("permissions".into(), json!(narrowing.permissions));
    }
    Ok(request.json(&Value::Object(body)))
}

/// An installation token, its expiry moved to the host's clock.
#[derive(Clone, Debug)]
pub(crate) struct InstallationToken {
    pub(crate) token: AccessToken,
    pub(crate) expires_at: i64,
    pub(crate) permissions: BTreeMap<String, String>,
}

/// Reads a new installation token. A suspended installation is
/// `github_app.installation_suspended`; a permission above the installation's is GitHub's 422.
pub(crate) fn parse_installation_token(
    response: &HttpResponse,
    now: i64,
) -> Result<InstallationToken, Error> {
    match response.status {
        401 => return Err(jwt_refused(response)),
        403 if response.text().contains("suspended") => {
            return Err(Error::new(
                Code::GithubAppInstallationSuspended,
                "The installation is suspended: GitHub gives it no tokens until it is unsuspended.",
            )
            .for_provider(Provider::GitHub))
        }
        404 => return Err(installation_not_found()),
        _ => {}
    }
    let value = body(response, "The token answer was something other than JSON.")?;
    let token = text(&value, &["token"]).ok_or_else(|| {
        Error::new(Code::TokenInvalidResponse, "The installation token answer has no token.")
            .for_provider(Provider::GitHub)
    })?;
    // GitHub states the expiry on its own clock; the `Date` header moves it to the host's.
    let stated = text(&value, &["expires_at"]).and_then(|t| parse_timestamp(&t));
    let server_now = response.header("Date").and_then(http_date);
    let expires_at = match (stated, server_now) {
        (Some(at), Some(server)) => now.saturating_add(at.saturating_sub(server)),
        (Some(at), None) => at,
        (None, _) => now.saturating_add(3600),
    };
    Ok(InstallationToken {
        token: AccessToken::new(token),
        expires_at,
        permissions: permissions_of(&value["permissions"]),
    })
}

/// `DELETE /installation/token`: revokes an installation token with itself.
pub(crate) fn prepare_revoke_installation_token(api: &str, token: &AccessToken) -> HttpRequest {
    api_request("DELETE", format!("{api}/installation/token"))
        .header("Authorization", format!("Bearer {}", token.secret()))
}

/// `DELETE /app/installations/{id}` with the app's JWT: uninstalls the app.
pub(crate) fn prepare_uninstall(api: &str, installation_id: u64, jwt: &str) -> HttpRequest {
    api_request("DELETE", format!("{api}/app/installations/{installation_id}"))
        .header("Authorization", format!("Bearer {jwt}"))
}

/// `PATCH /app/hook/config` with the app's JWT: points the app's webhook at `url`, signed
/// with `secret`.
pub(crate) fn prepare_hook_config(
    api: &str,
    jwt: &str,
    url: &str,
    secret: &WebhookSecret,
) -> HttpRequest {
    api_request("PATCH", format!("{api}{}", github::APP_HOOK_CONFIG_PATH))
        .header("Authorization", format!("Bearer {jwt}"))
        .json(&json!({ "url": url, "content_type": "json", "secret": secret.secret(), "insecure_ssl": "0" }))
}

/// `GET /installation/repositories` with an installation token, a page at a time.
pub(crate) fn installation_repositories_url(api: &str, per_page: u32) -> String {
    format!("{api}/installation/repositories?per_page={}", per_page.clamp(1, 100))
}

/// `GET /user/installations` with a user's token: the installations the person can reach.
pub(crate) fn user_installations_url(api: &str) -> String {
    format!("{api}/user/installations?per_page=100")
}

/// The installation ids a `GET /user/installations` page lists.
pub(crate) fn parse_user_installations(response: &HttpResponse) -> Result<Vec<u64>, Error> {
    let value = body(response, "The installations answered something other than JSON.")?;
    Ok(value["installations"]
        .as_array()
        .map(|list| list.iter().filter_map(|i| number(i, &["id"])).collect())
        .unwrap_or_default())
}

/// The `installation` object of an app webhook's payload.
pub(crate) fn webhook_installation(payload: &Value) -> Option<Installation> {
    read_installation(&payload["installation"])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn github_ids_are_whole_numbers_or_their_digits() {
        let read = |json: &str| {
            serde_json::from_str::<TokenNarrowing>(&format!(r#"{{"repositoryIds":[{json}]}}"#))
                .map(|narrowing| narrowing.repository_ids[0])
        };
        for (json, id) in [("42", 42), ("42.0", 42), (r#""42""#, 42), (r#"" 7 ""#, 7)] {
            assert_eq!(read(json).ok(), Some(id), "{json}");
        }
        assert_eq!(read("9007199254740991").ok(), Some(MAX_ID));
        for json in [
            "-1",
            "4.2",
            "9007199254740992",
            "1e400",
            r#""""#,
            r#""4 2""#,
            r#""+5""#,
            r#""0x10""#,
            r#""1e3""#,
            r#""-1""#,
            "null",
            "true",
            "[]",
        ] {
            assert!(read(json).is_err(), "{json}");
        }
    }

    fn manifest_options() -> AppManifestOptions {
        serde_json::from_value(json!({
            "name": "Acme CI",
            "url": "https://acme.example",
            "redirectUrl": "https://acme.example/github/created",
            "webhookUrl": "https://acme.example/hooks/github-app",
            "callbackUrls": ["https://acme.example/github/callback"],
            "requestOauthOnInstall": true,
            "profile": "ci-failure-analysis",
            "state": "s1"
        }))
        .unwrap()
    }

    /// "Registering a GitHub App from a manifest": the form posts to `/settings/apps/new` (or an
    /// organization's), `state` in the query; the permissions for CI failure analysis are the
    /// ones its endpoints need.
    #[test]
    fn the_manifest_asks_for_the_profiles_permissions_and_events() {
        let form = github_app_manifest(&manifest_options()).unwrap();
        assert_eq!(form.action, "https://github.com/settings/apps/new?state=s1");
        let manifest: Value = serde_json::from_str(&form.manifest).unwrap();
        assert_eq!(manifest["default_permissions"]["actions"], "read");
        assert_eq!(manifest["default_permissions"]["pull_requests"], "write");
        assert_eq!(manifest["default_permissions"]["metadata"], "read");
        assert_eq!(
            manifest["default_events"],
            json!(["workflow_run", "workflow_job", "check_run", "pull_request"])
        );
        assert_eq!(manifest["hook_attributes"]["url"], "https://acme.example/hooks/github-app");
        assert_eq!(manifest["request_oauth_on_install"], true);

        let mut org = manifest_options();
        org.organization = Some("acme-corp".into());
        org.base_url = Some("https://ghe.acme.example".into());
        let form = github_app_manifest(&org).unwrap();
        assert_eq!(
            form.action,
            "https://ghe.acme.example/organizations/acme-corp/settings/apps/new?state=s1"
        );
    }

    #[test]
    fn a_manifest_refuses_what_github_would() {
        for change in [
            json!({ "name": "x".repeat(35) }),
            json!({ "name": " " }),
            json!({ "url": "acme.example" }),
            json!({ "redirectUrl": "javascript:alert(1)" }),
            json!({ "organization": "acme/../evil" }),
            json!({ "state": "" }),
            json!({ "profile": "nope" }),
            json!({ "callbackUrls": vec!["https://a.example"; 11] }),
            json!({ "requestOauthOnInstall": true }),
            json!({ "requestOauthOnInstall": true, "callbackUrls": ["https://a.example/cb"], "setupUrl": "https://a.example/setup" }),
        ] {
            let mut value = serde_json::to_value(manifest_value()).unwrap();
            for (k, v) in change.as_object().unwrap() {
                value[k] = v.clone();
            }
            let options: AppManifestOptions = serde_json::from_value(value).unwrap();
            let error = github_app_manifest(&options).unwrap_err();
            assert!(
                matches!(error.code, Code::InputInvalid | Code::ProfileUnknown),
                "{change}: {error:?}"
            );
        }
    }

    fn manifest_value() -> Value {
        json!({
            "name": "Acme CI", "url": "https://acme.example",
            "redirectUrl": "https://acme.example/created", "profile": "ci-failure-analysis",
            "state": "s1"
        })
    }

    /// "Sharing your GitHub App": github.com and ghe.com under `/apps/`, Enterprise Server
    /// under `/github-apps/`.
    #[test]
    fn install_urls_per_deployment() {
        assert_eq!(
            github_app_install_url("acme-ci", Some("s 1"), None).unwrap(),
            "https://github.com/apps/acme-ci/installations/new?state=s+1"
        );
        assert_eq!(
            github_app_install_url("acme-ci", None, Some("https://octo.ghe.com")).unwrap(),
            "https://octo.ghe.com/apps/acme-ci/installations/new"
        );
        assert_eq!(
            github_app_install_url("acme-ci", None, Some("https://ghe.acme.example/")).unwrap(),
            "https://ghe.acme.example/github-apps/acme-ci/installations/new"
        );
        assert!(github_app_install_url("../x", None, None).is_err());
    }

    /// "About the setup URL": `installation_id` and `setup_action`, `state` passed through,
    /// `code` when the app requests user authorization during installation; a request has no
    /// installation yet.
    #[test]
    fn setup_callbacks() {
        let setup = parse_github_app_setup(
            "https://acme.example/setup?code=c0de&installation_id=42&setup_action=install&state=s1",
        )
        .unwrap();
        assert_eq!(setup.installation_id, Some(42));
        assert_eq!(setup.setup_action, SetupAction::Install);
        assert_eq!(setup.state.as_deref(), Some("s1"));
        assert_eq!(setup.code.unwrap().secret(), "c0de");
        let request = parse_github_app_setup("setup_action=request&state=s1").unwrap();
        assert_eq!(request.installation_id, None);
        assert_eq!(
            parse_github_app_setup("installation_id=42").unwrap().setup_action,
            SetupAction::Install
        );
        for bad in [
            "code=abc",
            "installation_id=x&setup_action=install",
            "setup_action=install",
            "installation_id=1&installation_id=2&setup_action=update",
            "installation_id=1&setup_action=delete",
        ] {
            assert_eq!(parse_github_app_setup(bad).unwrap_err().code, Code::InputInvalid, "{bad}");
        }
    }

    #[test]
    fn the_jwt_is_backdated_and_lives_ten_minutes() {
        let input = jwt_signing_input("Iv23liabc", 1_700_000_000);
        let (header, payload) = input.split_once('.').unwrap();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(header, json!({ "alg": "RS256", "typ": "JWT" }));
        assert_eq!(
            payload,
            json!({ "iat": 1_699_999_940, "exp": 1_700_000_540, "iss": "Iv23liabc" })
        );
        assert_eq!(jwt(&input, &[1, 2, 3]), format!("{input}.AQID"));
    }

    #[test]
    fn conversions_and_installations_read() {
        let conversion = response(
            201,
            r#"{"id":7,"slug":"acme-ci","name":"Acme CI","owner":{"login":"octo","id":1,"type":"User"},
                "client_id":"Iv23li","client_secret":"cs","webhook_secret":"ws","pem":"-----BEGIN RSA PRIVATE KEY-----",
                "permissions":{"actions":"read"},"events":["workflow_run"]}"#,
        );
        let app = parse_manifest_conversion(None, &conversion).unwrap();
        assert_eq!(
            (app.app_id, app.slug.as_str(), app.client_id.as_str()),
            (7, "acme-ci", "Iv23li")
        );
        assert!(!format!("{app:?}").contains("BEGIN"), "the key is redacted in Debug");
        assert_eq!(
            parse_manifest_conversion(None, &response(404, r#"{"message":"Not Found"}"#))
                .unwrap_err()
                .code,
            Code::OauthBadVerificationCode
        );
        let installation = parse_installation(&response(
            200,
            r#"{"id":42,"app_id":7,"account":{"login":"acme","id":9,"type":"Organization"},
                "repository_selection":"selected","permissions":{"actions":"read","metadata":"read"},
                "events":["workflow_run"],"suspended_at":null}"#,
        ))
        .unwrap();
        assert_eq!(installation.repository_selection, RepositorySelection::Selected);
        assert_eq!(installation.account.kind, "Organization");
        assert_eq!(installation.suspended_at, None);
        let needs = github_app_needs("ci-failure-analysis").unwrap();
        assert_eq!(
            missing_permissions(&installation.permissions, needs.permissions),
            ["checks:read", "contents:read", "pull_requests:write"]
        );
        assert_eq!(
            parse_installation(&response(
                401,
                r#"{"message":"A JSON web token could not be decoded"}"#
            ))
            .unwrap_err()
            .code,
            Code::GithubAppJwtRejected
        );
    }

    #[test]
    fn installation_tokens_move_to_the_host_clock_and_narrow() {
        let mut answer = response(
            201,
            r#"{"token":"ghs_abc","expires_at":"2026-12-07T16:00:00Z","permissions":{"actions":"read"}}"#,
        );
        answer.headers.push(("Date".into(), "Mon, 07 Dec 2026 15:00:00 GMT".into()));
        // The host's clock runs 100 seconds behind GitHub's.
        let host_now = parse_timestamp("2026-12-07T15:00:00Z").unwrap() - 100;
        let token = parse_installation_token(&answer, host_now).unwrap();
        assert_eq!(token.expires_at, host_now + 3600);
        let suspended = response(403, r#"{"message":"This installation has been suspended"}"#);
        assert_eq!(
            parse_installation_token(&suspended, 0).unwrap_err().code,
            Code::GithubAppInstallationSuspended
        );
        let narrowing = TokenNarrowing {
            repositories: vec!["runner-images".into()],
            permissions: [("actions".to_owned(), AccessLevel::Read)].into(),
            ..Default::default()
        };
        let request =
            prepare_installation_token("https://api.github.com", 42, "j", &narrowing).unwrap();
        assert_eq!(request.url, "https://api.github.com/app/installations/42/access_tokens");
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({ "repositories": ["runner-images"], "permissions": { "actions": "read" } })
        );
        let owner =
            TokenNarrowing { repositories: vec!["acme/runner".into()], ..Default::default() };
        assert!(prepare_installation_token("https://api.github.com", 42, "j", &owner).is_err());
    }
}
