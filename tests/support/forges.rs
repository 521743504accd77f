//! Fake GitLab and GitHub instances, as many as a test needs, each at its own base URL with
//! its own hooks numbered from 1 (as small instances number theirs): enough of their APIs for
//! connecting with a token, listing projects and managing project hooks. A GitLab instance
//! keeps signing tokens only once `signs` is set (the feature is behind a flag), and its hooks
//! can be disabled as GitLab disables failing ones. The wasmtime host's tests share them.

use std::collections::BTreeMap;

use forgelink::{HttpRequest, HttpResponse};

#[allow(unused_imports)] // Test binaries without GitHub Apps leave them unused.
pub use app::{FakeApp, FakeInstallation};

/// The personal access tokens every fake instance accepts.
pub const GITLAB_TOKEN: &str = "glpat-personal-token-value";
pub const GITHUB_TOKEN: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
/// A second token of the same account (ada), as a person creates to replace the first.
pub const GITLAB_ROTATED_TOKEN: &str = "glpat-rotated-token-value";
/// A token of another account (eve, id 66) on every GitLab instance.
pub const GITLAB_OTHER_ACCOUNT_TOKEN: &str = "glpat-other-account-value";

/// A hook as an instance keeps it.
#[derive(Clone, Debug)]
pub struct FakeHook {
    pub id: u64,
    pub url: String,
    pub secret: String,
    /// GitLab's signing token, where the instance kept it.
    pub signing_token: Option<String>,
    /// GitLab's `alert_status` and `disabled_until`.
    pub alert_status: &'static str,
    pub disabled_until: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GitLab,
    GitHub,
}

#[derive(Debug)]
pub struct Instance {
    pub kind: Kind,
    /// Where its API lives (`…/api/v4`, `https://api.github.com`, `…/api/v3`).
    pub api: String,
    pub hooks: BTreeMap<String, Vec<FakeHook>>,
    /// Whether it keeps signing tokens (GitLab's `webhook_signing_token` feature).
    pub signs: bool,
    /// GitLab: the pipelines a poll lists, as the Pipelines API describes them (every project
    /// lists the same ones); merge requests, pushes and jobs are always empty.
    pub pipelines: Vec<serde_json::Value>,
    /// GitLab: the projects its project list answers, as the Projects API describes them. When
    /// there are any, the hooks API knows no other project.
    pub projects: Vec<serde_json::Value>,
    /// GitHub: the GitHub Apps registered on the instance.
    pub apps: Vec<FakeApp>,
    /// GitHub: the latest user token pair of each person, by the code that authorized it.
    pub refreshed: BTreeMap<String, u32>,
    next_hook: u64,
}

/// Every fake instance, by API base.
#[derive(Debug, Default)]
pub struct Forges {
    pub instances: Vec<Instance>,
    /// The instances' clock, in unix seconds: a test host sets it to its own before each
    /// request, or to another time to play a host whose clock is off.
    pub clock: i64,
}

pub fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

impl Forges {
    /// Adds an instance whose API is at `api`.
    pub fn add(&mut self, kind: Kind, api: &str) {
        let api = api.to_owned();
        self.instances.push(Instance {
            kind,
            api,
            hooks: BTreeMap::new(),
            signs: false,
            pipelines: Vec::new(),
            projects: Vec::new(),
            apps: Vec::new(),
            refreshed: BTreeMap::new(),
            next_hook: 0,
        });
    }

    /// The instance whose API is at `api`, to change.
    pub fn instance_mut(&mut self, api: &str) -> &mut Instance {
        self.instances.iter_mut().find(|i| i.api == api).expect("a fake instance at that address")
    }

    /// Disables (or re-enables, with `executable`) the one hook on `project`, as GitLab
    /// disables failing hooks.
    pub fn set_alert(
        &mut self,
        api: &str,
        project: &str,
        alert_status: &'static str,
        until: Option<&'static str>,
    ) {
        let hooks = self.instance_mut(api).hooks.get_mut(project).expect("hooks on the project");
        (hooks[0].alert_status, hooks[0].disabled_until) = (alert_status, until);
    }

    /// The instance whose API is at `api`.
    pub fn instance(&self, api: &str) -> &Instance {
        self.instances.iter().find(|i| i.api == api).expect("a fake instance at that address")
    }

    /// The one hook on `project` of the instance at `api`.
    pub fn hook(&self, api: &str, project: &str) -> FakeHook {
        let hooks = &self.instance(api).hooks[project];
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        hooks[0].clone()
    }

    pub fn handle(&mut self, request: &HttpRequest) -> HttpResponse {
        let now = self.clock;
        if let Some(instance) = self.instances.iter_mut().find(|i| {
            i.kind == Kind::GitHub && request.url.starts_with(&format!("{}/login/", i.web()))
        }) {
            return instance.app_web(request);
        }
        let Some(instance) =
            self.instances.iter_mut().find(|i| request.url.starts_with(&format!("{}/", i.api)))
        else {
            return json(404, r#"{"message":"no such instance"}"#);
        };
        let path = request.url[instance.api.len()..].split('?').next().unwrap_or("").to_owned();
        if let Some(response) = instance.app_api(&path, request, now) {
            return response;
        }
        let tokens: &[(&str, bool)] = match instance.kind {
            Kind::GitLab => &[
                (GITLAB_TOKEN, false),
                (GITLAB_ROTATED_TOKEN, false),
                (GITLAB_OTHER_ACCOUNT_TOKEN, true),
            ],
            Kind::GitHub => &[(GITHUB_TOKEN, false)],
        };
        let presented = request.header_value("Authorization");
        let Some((_, other)) =
            tokens.iter().find(|(token, _)| presented == Some(&format!("Bearer {token}")))
        else {
            return json(401, r#"{"message":"401 Unauthorized"}"#);
        };
        if *other && request.method == "GET" && path == "/user" {
            return json(
                200,
                r#"{"id":66,"username":"eve","name":"Eve","web_url":"https://x/eve"}"#,
            );
        }
        instance.answer(&request.method, &path, request)
    }
}

impl Instance {
    fn answer(&mut self, method: &str, path: &str, request: &HttpRequest) -> HttpResponse {
        let mut response = match (self.kind, method, path) {
            (Kind::GitLab, "GET", "/user") => json(
                200,
                r#"{"id":42,"username":"ada","name":"Ada Lovelace","web_url":"https://x/ada"}"#,
            ),
            (Kind::GitLab, "GET", "/version") => json(200, r#"{"version":"17.5.1-ee"}"#),
            (Kind::GitLab, "GET", "/personal_access_tokens/self") => {
                json(200, r#"{"scopes":["api","read_user"],"expires_at":null}"#)
            }
            (Kind::GitHub, "GET", "/user") => {
                json(200, r#"{"login":"ada","id":1,"name":"Ada Lovelace"}"#)
            }
            (Kind::GitHub, "GET", "/meta") => json(200, r#"{"installed_version":"3.17.2"}"#),
            (Kind::GitLab, "GET", "/projects") => {
                json(200, &serde_json::json!(self.projects).to_string())
            }
            (Kind::GitLab, "GET", _)
                if path.starts_with("/projects/") && !path.contains("/hooks") =>
            {
                self.gitlab_lists(path)
            }
            _ => self.hooks_api(method, path, request),
        };
        if self.kind == Kind::GitHub {
            response.headers.push(("X-OAuth-Scopes".into(), "repo, admin:repo_hook".into()));
        }
        response
    }

    /// What a GitLab poll reads: the pipelines, one of them, and empty lists of the rest.
    fn gitlab_lists(&self, path: &str) -> HttpResponse {
        let tail = path.splitn(4, '/').nth(3).unwrap_or("");
        let list = |items: &[serde_json::Value]| json(200, &serde_json::json!(items).to_string());
        match tail.split('/').collect::<Vec<_>>().as_slice() {
            ["pipelines"] => list(&self.pipelines),
            ["pipelines", id] => {
                match self.pipelines.iter().find(|p| id.parse::<u64>().ok() == p["id"].as_u64()) {
                    Some(pipeline) => json(200, &pipeline.to_string()),
                    None => json(404, r#"{"message":"404 Not found"}"#),
                }
            }
            _ => list(&[]),
        }
    }

    fn hooks_api(&mut self, method: &str, path: &str, request: &HttpRequest) -> HttpResponse {
        let rest = match self.kind {
            Kind::GitLab => path.strip_prefix("/projects/"),
            Kind::GitHub => path.strip_prefix("/repos/"),
        };
        let Some((project, tail)) = rest.and_then(|r| r.split_once("/hooks")) else {
            return json(404, r#"{"message":"404 Not Found"}"#);
        };
        let project = project.replace("%2F", "/");
        let known = |p: &serde_json::Value| p["path_with_namespace"] == project.as_str();
        if !self.projects.is_empty() && !self.projects.iter().any(known) {
            return json(404, r#"{"message":"404 Project Not Found"}"#);
        }
        let body: serde_json::Value =
            serde_json::from_str(request.body.as_deref().unwrap_or("null")).unwrap_or_default();
        let (url, secret) = match self.kind {
            Kind::GitLab => (&body["url"], &body["token"]),
            Kind::GitHub => (&body["config"]["url"], &body["config"]["secret"]),
        };
        let (url, secret) =
            (url.as_str().unwrap_or("").to_owned(), secret.as_str().unwrap_or("").to_owned());
        let signing_token = match (self.kind, self.signs) {
            (Kind::GitLab, true) => body["signing_token"].as_str().map(str::to_owned),
            _ => None,
        };
        let (kind, signs) = (self.kind, self.signs);
        let describe = |h: &FakeHook| match kind {
            Kind::GitLab => {
                let mut hook = serde_json::json!({"id": h.id, "url": h.url, "alert_status": h.alert_status, "disabled_until": h.disabled_until, "pipeline_events": true});
                // An instance without the feature does not know the field.
                if signs {
                    hook["signing_token_present"] = h.signing_token.is_some().into();
                }
                hook
            }
            Kind::GitHub => {
                serde_json::json!({"id": h.id, "active": true, "events": ["workflow_run"], "config": {"url": h.url}})
            }
        };
        let id: Option<u64> = tail.trim_start_matches('/').parse().ok();
        let hooks = self.hooks.entry(project).or_default();
        match (method, id) {
            ("GET", None) => json(
                200,
                &serde_json::json!(hooks.iter().map(describe).collect::<Vec<_>>()).to_string(),
            ),
            ("GET", Some(id)) => match hooks.iter().find(|h| h.id == id) {
                Some(hook) => json(200, &describe(hook).to_string()),
                None => json(404, r#"{"message":"404 Not found"}"#),
            },
            ("POST", None) => {
                self.next_hook += 1;
                let hook = FakeHook {
                    id: self.next_hook,
                    url,
                    secret,
                    signing_token,
                    alert_status: "executable",
                    disabled_until: None,
                };
                let answer = describe(&hook).to_string();
                hooks.push(hook);
                json(201, &answer)
            }
            ("PUT" | "PATCH", Some(id)) => match hooks.iter_mut().find(|h| h.id == id) {
                Some(hook) => {
                    (hook.url, hook.secret, hook.signing_token) = (url, secret, signing_token);
                    json(200, &describe(hook).to_string())
                }
                None => json(404, r#"{"message":"404 Not found"}"#),
            },
            ("DELETE", Some(id)) => {
                hooks.retain(|h| h.id != id);
                json(204, "")
            }
            _ => json(405, "{}"),
        }
    }
}

/// GitHub Apps on a fake GitHub: JWTs verified with the app's public key and judged by the
/// instance's clock as GitHub judges them, installations, installation tokens that expire,
/// the app's webhook configuration, and the user authorization a setup callback's code proves.
mod app {
    use std::collections::BTreeMap;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use forgelink::{HttpRequest, HttpResponse};
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;

    use super::{json, Instance};

    /// An installation as the fake keeps it.
    #[derive(Clone, Debug)]
    pub struct FakeInstallation {
        pub id: u64,
        pub account: String,
        pub organization: bool,
        pub permissions: BTreeMap<String, String>,
        pub suspended: bool,
        pub repositories: Vec<String>,
        /// The OAuth codes of people who can reach it (a setup callback's `code`).
        pub users: Vec<String>,
    }

    /// A GitHub App as the fake keeps it.
    #[derive(Clone, Debug)]
    pub struct FakeApp {
        pub id: u64,
        pub client_id: String,
        pub public_key: rsa::RsaPublicKey,
        /// What the app asks installations for now.
        pub permissions: BTreeMap<String, String>,
        pub installations: Vec<FakeInstallation>,
        /// Every installation token issued: token, installation, expiry.
        pub tokens: Vec<(String, u64, i64)>,
        /// The bodies of `POST /app/installations/{id}/access_tokens`, in order.
        pub token_requests: Vec<String>,
        /// The webhook configuration: URL and secret.
        pub hook: Option<(String, String)>,
        pub uninstalled: Vec<u64>,
        pub revoked_tokens: Vec<String>,
        /// The `iss` of every JWT verified.
        pub issuers: Vec<String>,
    }

    impl FakeApp {
        pub fn new(id: u64, client_id: &str, public_key: rsa::RsaPublicKey) -> Self {
            FakeApp {
                id,
                client_id: client_id.to_owned(),
                public_key,
                permissions: BTreeMap::new(),
                installations: Vec::new(),
                tokens: Vec::new(),
                token_requests: Vec::new(),
                hook: None,
                uninstalled: Vec::new(),
                revoked_tokens: Vec::new(),
                issuers: Vec::new(),
            }
        }
    }

    fn unauthorized(message: &str) -> HttpResponse {
        json(401, &serde_json::json!({ "message": message }).to_string())
    }

    fn describe(app: &FakeApp, installation: &FakeInstallation) -> serde_json::Value {
        serde_json::json!({
            "id": installation.id,
            "app_id": app.id,
            "account": { "login": installation.account, "id": installation.id * 10, "type": if installation.organization { "Organization" } else { "User" } },
            "repository_selection": if installation.repositories.is_empty() { "all" } else { "selected" },
            "permissions": installation.permissions,
            "events": ["workflow_run", "workflow_job", "check_run", "pull_request"],
            "suspended_at": if installation.suspended { serde_json::json!("2026-06-01T10:00:00Z") } else { serde_json::Value::Null },
        })
    }

    fn iso(t: i64) -> String {
        super::super::inputs::iso_timestamp(t, true)
    }

    impl Instance {
        /// Where people browse: the API base without `/api/v3`, or github.com's.
        pub fn web(&self) -> String {
            match self.api.strip_suffix("/api/v3") {
                Some(web) => web.to_owned(),
                None => self.api.replace("://api.", "://"),
            }
        }

        /// The OAuth token endpoint of the apps' user authorizations: the codes of setup
        /// callbacks, and refreshes. User access tokens expire after eight hours and refresh
        /// tokens after six months, and a refresh rotates both ("Refreshing user access
        /// tokens"): `ghu_<code>.<n>` and `ghr_<code>.<n>`, the `n`th of the person's pair.
        pub(super) fn app_web(&mut self, request: &HttpRequest) -> HttpResponse {
            let body = request.body.as_deref().unwrap_or("");
            let field = |name: &str| {
                url::form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            };
            let (code, generation) = if field("grant_type") == "refresh_token" {
                let presented = field("refresh_token");
                let Some(pair) = presented.strip_prefix("ghr_") else {
                    return json(200, r#"{"error":"bad_refresh_token"}"#);
                };
                let (code, n) = pair.rsplit_once('.').unwrap_or((pair, "0"));
                let n: u32 = n.parse().unwrap_or(0);
                // Only the latest refresh token of the person works.
                if self.refreshed.get(code).copied().unwrap_or(0) != n {
                    return json(200, r#"{"error":"bad_refresh_token"}"#);
                }
                (code.to_owned(), n + 1)
            } else {
                (field("code"), 0)
            };
            let known =
                self.apps.iter().any(|a| a.installations.iter().any(|i| i.users.contains(&code)))
                    || code.starts_with("stranger");
            if !known {
                return json(200, r#"{"error":"bad_verification_code"}"#);
            }
            self.refreshed.insert(code.clone(), generation);
            let answer = serde_json::json!({
                "access_token": format!("ghu_{code}.{generation}"), "token_type": "bearer", "scope": "",
                "expires_in": 28800, "refresh_token": format!("ghr_{code}.{generation}"),
                "refresh_token_expires_in": 15897600,
            });
            json(200, &answer.to_string())
        }

        /// The app's routes, or `None` for a path that is not one of them.
        pub(super) fn app_api(
            &mut self,
            path: &str,
            request: &HttpRequest,
            now: i64,
        ) -> Option<HttpResponse> {
            let authorization = request.header_value("Authorization").unwrap_or("").to_owned();
            let bearer = authorization.strip_prefix("Bearer ").unwrap_or("").to_owned();
            if path == "/user/installations" {
                let code = bearer.strip_prefix("ghu_")?.split('.').next().unwrap_or("");
                let ids: Vec<serde_json::Value> = self
                    .apps
                    .iter()
                    .flat_map(|a| {
                        a.installations
                            .iter()
                            .filter(|i| i.users.iter().any(|u| u == code))
                            .map(move |i| describe(a, i))
                    })
                    .collect();
                return Some(json(
                    200,
                    &serde_json::json!({ "total_count": ids.len(), "installations": ids })
                        .to_string(),
                ));
            }
            if path == "/user" && bearer.starts_with("ghu_") {
                // A user access token of an app acts as the person who authorized it.
                return Some(json(200, r#"{"login":"ada","id":1,"name":"Ada Lovelace"}"#));
            }
            if path.starts_with("/applications/") && request.method == "DELETE" {
                return Some(json(204, ""));
            }
            if bearer.starts_with("ghs_") {
                return Some(self.as_installation(path, request, &bearer, now));
            }
            if !path.starts_with("/app") {
                return None;
            }
            // `/app…` authenticates with the app's JWT.
            let (app, issuer) = match self.verify_jwt(&bearer, now) {
                Ok(verified) => verified,
                Err(response) => return Some(response),
            };
            let app = &mut self.apps[app];
            app.issuers.push(issuer);
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let answer = match (request.method.as_str(), segments.as_slice()) {
                ("GET", ["app"]) => json(200, &serde_json::json!({ "id": app.id, "slug": "acme-ci", "permissions": app.permissions }).to_string()),
                ("PATCH", ["app", "hook", "config"]) => {
                    let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap_or("{}")).unwrap_or_default();
                    app.hook = Some((body["url"].as_str().unwrap_or("").to_owned(), body["secret"].as_str().unwrap_or("").to_owned()));
                    json(200, &serde_json::json!({ "url": body["url"], "content_type": "json", "insecure_ssl": "0" }).to_string())
                }
                (method, ["app", "installations", id, rest @ ..]) => {
                    let id: u64 = id.parse().unwrap_or(0);
                    let Some(position) = app.installations.iter().position(|i| i.id == id) else {
                        return Some(json(404, r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#));
                    };
                    match (method, rest) {
                        ("GET", []) => json(200, &describe(app, &app.installations[position]).to_string()),
                        ("DELETE", []) => {
                            app.installations.remove(position);
                            app.uninstalled.push(id);
                            json(204, "")
                        }
                        ("POST", ["access_tokens"]) => {
                            app.token_requests.push(request.body.clone().unwrap_or_default());
                            let installation = &app.installations[position];
                            if installation.suspended {
                                return Some(json(403, r#"{"message":"This installation has been suspended"}"#));
                            }
                            let token = format!("ghs_{}_{}", id, app.tokens.len() + 1);
                            let expires = now + 3600;
                            app.tokens.push((token.clone(), id, expires));
                            let mut answer = json(
                                201,
                                &serde_json::json!({ "token": token, "expires_at": iso(expires), "permissions": installation.permissions, "repository_selection": "all" }).to_string(),
                            );
                            answer.headers.push(("Date".into(), httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64))));
                            answer
                        }
                        _ => json(404, r#"{"message":"Not Found"}"#),
                    }
                }
                _ => json(404, r#"{"message":"Not Found"}"#),
            };
            Some(answer)
        }

        /// Routes an installation token may call.
        fn as_installation(
            &mut self,
            path: &str,
            request: &HttpRequest,
            token: &str,
            now: i64,
        ) -> HttpResponse {
            let found = self.apps.iter_mut().find_map(|app| {
                let (_, installation, expires) =
                    app.tokens.iter().find(|(t, _, _)| t == token)?.clone();
                Some((app, installation, expires))
            });
            let Some((app, installation_id, expires)) = found else {
                return unauthorized("Bad credentials");
            };
            if app.revoked_tokens.iter().any(|t| t == token) || expires <= now {
                return unauthorized("Bad credentials");
            }
            let Some(installation) = app.installations.iter().find(|i| i.id == installation_id)
            else {
                return unauthorized("Bad credentials");
            };
            match (request.method.as_str(), path) {
                ("DELETE", "/installation/token") => {
                    app.revoked_tokens.push(token.to_owned());
                    json(204, "")
                }
                ("GET", "/installation/repositories") => {
                    let repositories: Vec<serde_json::Value> = installation
                        .repositories
                        .iter()
                        .map(|name| serde_json::json!({ "id": name.len(), "name": name.rsplit('/').next(), "full_name": name, "html_url": format!("https://example/{name}"), "default_branch": "main", "permissions": { "admin": false, "push": false, "pull": true } }))
                        .collect();
                    json(200, &serde_json::json!({ "total_count": repositories.len(), "repository_selection": "selected", "repositories": repositories }).to_string())
                }
                ("GET", "/meta") => json(200, r#"{"installed_version":"3.17.2"}"#),
                ("GET", "/user") => {
                    json(403, r#"{"message":"Resource not accessible by integration"}"#)
                }
                _ => json(404, r#"{"message":"Not Found"}"#),
            }
        }

        /// The app a JWT authenticates, or GitHub's refusal.
        fn verify_jwt(&self, jwt: &str, now: i64) -> Result<(usize, String), HttpResponse> {
            let undecodable = || unauthorized("A JSON web token could not be decoded");
            let parts: Vec<&str> = jwt.split('.').collect();
            let [header, payload, signature] = parts.as_slice() else { return Err(undecodable()) };
            let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| undecodable());
            let header: serde_json::Value =
                serde_json::from_slice(&decode(header)?).map_err(|_| undecodable())?;
            let claims: serde_json::Value =
                serde_json::from_slice(&decode(payload)?).map_err(|_| undecodable())?;
            if header["alg"] != "RS256" {
                return Err(undecodable());
            }
            let issuer = claims["iss"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| claims["iss"].as_u64().map(|n| n.to_string()));
            let Some(index) = self.apps.iter().position(|a| {
                Some(a.id.to_string()) == issuer || Some(&a.client_id) == issuer.as_ref()
            }) else {
                return Err(json(404, r#"{"message":"Integration not found"}"#));
            };
            let key = VerifyingKey::<sha2::Sha256>::new(self.apps[index].public_key.clone());
            let signature =
                Signature::try_from(decode(signature)?.as_slice()).map_err(|_| undecodable())?;
            key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
                .map_err(|_| undecodable())?;
            let (iat, exp) =
                (claims["iat"].as_i64().unwrap_or(0), claims["exp"].as_i64().unwrap_or(0));
            let dated = |message: &str| {
                let mut answer = unauthorized(message);
                answer.headers.push((
                    "Date".into(),
                    httpdate::fmt_http_date(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64),
                    ),
                ));
                answer
            };
            if iat > now + 60 {
                return Err(dated("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued."));
            }
            if exp <= now {
                return Err(dated("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires."));
            }
            if exp - iat > 600 || exp > now + 600 {
                return Err(dated("'Expiration time' claim ('exp') is too far in the future."));
            }
            Ok((index, issuer.unwrap_or_default()))
        }
    }
}
