//! Fake GitLab and GitHub instances, as many as a test needs, each at its own base URL with
//! its own hooks numbered from 1 (as small instances number theirs): enough of their APIs for
//! connecting with a token and managing project hooks. A GitLab instance keeps signing tokens
//! only once `signs` is set (the feature is behind a flag), and its hooks can be disabled as
//! GitLab disables failing ones.

use std::collections::BTreeMap;

use forgelink::{HttpRequest, HttpResponse};

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
    next_hook: u64,
}

/// Every fake instance, by API base.
#[derive(Debug, Default)]
pub struct Forges {
    pub instances: Vec<Instance>,
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
        let Some(instance) =
            self.instances.iter_mut().find(|i| request.url.starts_with(&format!("{}/", i.api)))
        else {
            return json(404, r#"{"message":"no such instance"}"#);
        };
        let path = request.url[instance.api.len()..].split('?').next().unwrap_or("").to_owned();
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
