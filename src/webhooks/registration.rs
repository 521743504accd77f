//! Registering, listing, updating and removing webhooks, as pure request builders and
//! response parsers. Every hook forgelink creates sends JSON, verifies TLS and carries a secret.

use serde::Serialize;
use serde_json::{json, Value};

use crate::api_error::parse_api_error;
use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::bearer;
use crate::json::text;
use crate::provider::Provider;
use crate::repositories::{encode, repository_urls};
use crate::secret::WebhookSecret;

/// What a hook should look like.
#[derive(Clone, Debug)]
pub struct HookSpec {
    /// Where deliveries go.
    pub url: String,
    /// The secret they are signed with (GitLab: sent as the token).
    pub secret: WebhookSecret,
    /// The events, in the provider's spelling: GitHub and Bitbucket event names, GitLab's
    /// `*_events` flags.
    pub events: Vec<String>,
}

/// A hook as the provider describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hook {
    /// The provider's id for it. Bitbucket Cloud's is its UUID as the API writes it, in braces
    /// and lower case (`{908a6d9e-...}`); its deliveries name the hook without the braces.
    pub id: String,
    /// Where it delivers.
    pub url: String,
    /// Its events, in the provider's spelling.
    pub events: Vec<String>,
    /// Whether it is enabled.
    pub active: bool,
}

/// One page of a project's hooks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HookPage {
    /// The hooks on this page.
    pub hooks: Vec<Hook>,
    /// The URL of the next page, when there is one.
    pub next: Option<String>,
}

/// GitLab's event flags; the ones a spec does not name are sent as `false`, because GitLab
/// turns `push_events` on by default.
const GITLAB_FLAGS: &[&str] = &[
    "push_events",
    "tag_push_events",
    "merge_requests_events",
    "pipeline_events",
    "job_events",
    "note_events",
    "confidential_note_events",
    "issues_events",
    "confidential_issues_events",
    "releases_events",
    "deployment_events",
    "wiki_page_events",
];

/// A Bitbucket Cloud hook UUID without its braces, in lower case: how forgelink compares them.
///
/// Bitbucket Cloud's hooks API writes a hook's `uuid` in braces (`{908a6d9e-...}`), while its
/// deliveries carry `X-Hook-UUID: 908a6d9e-...` without them. UUIDs are case-insensitive
/// (RFC 9562), so both sides are compared in this form.
pub(crate) fn bare_hook_uuid(id: &str) -> String {
    let id = id.trim();
    let id = id.strip_prefix('{').and_then(|i| i.strip_suffix('}')).unwrap_or(id);
    id.trim().to_ascii_lowercase()
}

/// A Bitbucket Cloud hook UUID as its API writes it: in braces, in lower case.
pub(crate) fn braced_hook_uuid(id: &str) -> String {
    format!("{{{}}}", bare_hook_uuid(id))
}

/// The path segment that names a hook. Bitbucket Cloud takes the UUID in braces, which its
/// documentation asks to URL-encode (`%7B...%7D`); a UUID given without them gets them.
fn hook_segment(provider: Provider, hook_id: &str) -> String {
    match provider {
        Provider::BitbucketCloud => encode(&braced_hook_uuid(hook_id)),
        _ => encode(hook_id),
    }
}

/// The API URL of a project's hooks collection.
fn hooks_url(endpoints: &Endpoints, project: &str) -> Result<String, Error> {
    let (repository, _) = repository_urls(endpoints, project)?;
    Ok(match endpoints.provider {
        Provider::BitbucketDataCenter => format!("{repository}/webhooks"),
        _ => format!("{repository}/hooks"),
    })
}

fn hook_body(provider: Provider, spec: &HookSpec) -> Value {
    let secret = spec.secret.secret();
    match provider {
        Provider::GitHub => json!({
            "name": "web",
            "active": true,
            "events": spec.events,
            "config": { "url": spec.url, "content_type": "json", "secret": secret, "insecure_ssl": "0" },
        }),
        Provider::GitLab => {
            let mut body =
                json!({ "url": spec.url, "token": secret, "enable_ssl_verification": true });
            for flag in GITLAB_FLAGS {
                body[*flag] = Value::Bool(spec.events.iter().any(|e| e == flag));
            }
            body
        }
        Provider::BitbucketCloud => json!({
            "description": "forgelink",
            "url": spec.url,
            "active": true,
            "secret": secret,
            "skip_cert_verification": false,
            "events": spec.events,
        }),
        Provider::BitbucketDataCenter => json!({
            "name": "forgelink",
            "url": spec.url,
            "active": true,
            "events": spec.events,
            "configuration": { "secret": secret },
            "sslVerificationRequired": true,
        }),
    }
}

/// Creates a hook on `project`.
pub fn prepare_create_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    spec: &HookSpec,
) -> Result<HttpRequest, Error> {
    let url = hooks_url(endpoints, project)?;
    Ok(bearer(HttpRequest::new("POST", url), token).json(&hook_body(endpoints.provider, spec)))
}

/// Updates hook `hook_id` on `project` to `spec` (events, URL and a new secret).
pub fn prepare_update_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    hook_id: &str,
    spec: &HookSpec,
) -> Result<HttpRequest, Error> {
    let url =
        format!("{}/{}", hooks_url(endpoints, project)?, hook_segment(endpoints.provider, hook_id));
    let method = match endpoints.provider {
        Provider::GitHub => "PATCH",
        _ => "PUT",
    };
    Ok(bearer(HttpRequest::new(method, url), token).json(&hook_body(endpoints.provider, spec)))
}

/// Removes hook `hook_id` from `project`.
pub fn prepare_delete_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    hook_id: &str,
) -> Result<HttpRequest, Error> {
    let url =
        format!("{}/{}", hooks_url(endpoints, project)?, hook_segment(endpoints.provider, hook_id));
    Ok(bearer(HttpRequest::new("DELETE", url), token))
}

/// Lists the hooks of `project` (the first page; follow [`HookPage::next`]).
pub fn prepare_list_hooks(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
) -> Result<HttpRequest, Error> {
    let url = hooks_url(endpoints, project)?;
    let url = match endpoints.provider {
        Provider::GitHub | Provider::GitLab => format!("{url}?per_page=100"),
        Provider::BitbucketCloud => format!("{url}?pagelen=100"),
        Provider::BitbucketDataCenter => format!("{url}?limit=100"),
    };
    Ok(bearer(HttpRequest::new("GET", url), token))
}

fn failure(provider: Provider, response: &HttpResponse) -> Error {
    let text = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
    if response.status == 422 && text.contains("maximum number of") && text.contains("hooks") {
        return Error::new(
            Code::WebhookLimitReached,
            "The project has as many webhooks as the provider allows.",
        )
        .for_provider(provider);
    }
    parse_api_error(provider, response).error
}

fn body(provider: Provider, response: &HttpResponse) -> Result<Value, Error> {
    if !(200..300).contains(&response.status) {
        return Err(failure(provider, response));
    }
    serde_json::from_slice(&response.body).map_err(|_| {
        Error::new(Code::HttpUnexpectedStatus, "The hooks API answered something other than JSON.")
            .for_provider(provider)
    })
}

fn hook_from(provider: Provider, value: &Value) -> Option<Hook> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    Some(match provider {
        Provider::GitHub => Hook {
            id: text(value, &["id"])?,
            url: text(value, &["config", "url"])?,
            events: strings(&value["events"]),
            active: value["active"].as_bool().unwrap_or(true),
        },
        Provider::GitLab => Hook {
            id: text(value, &["id"])?,
            url: text(value, &["url"])?,
            events: GITLAB_FLAGS
                .iter()
                .filter(|f| value[**f].as_bool() == Some(true))
                .map(|f| (*f).to_owned())
                .collect(),
            // GitLab disables failing hooks temporarily or for good.
            active: value["alert_status"].as_str().is_none_or(|s| s == "executable"),
        },
        Provider::BitbucketCloud => Hook {
            // Braced and in lower case, whichever way the answer spelled it.
            id: text(value, &["uuid"])
                .map(|uuid| braced_hook_uuid(&uuid))
                .filter(|uuid| uuid != "{}")?,
            url: text(value, &["url"])?,
            events: strings(&value["events"]),
            active: value["active"].as_bool().unwrap_or(true),
        },
        Provider::BitbucketDataCenter => Hook {
            id: text(value, &["id"])?,
            url: text(value, &["url"])?,
            events: strings(&value["events"]),
            active: value["active"].as_bool().unwrap_or(true),
        },
    })
}

/// Reads the answer to a create or update.
pub fn parse_hook(provider: Provider, response: &HttpResponse) -> Result<Hook, Error> {
    let value = body(provider, response)?;
    hook_from(provider, &value).ok_or_else(|| {
        Error::new(Code::HttpUnexpectedStatus, "The hooks API answer does not describe a hook.")
            .for_provider(provider)
    })
}

/// Reads a page of hooks, with the next page's URL from the provider's pagination (GitHub
/// and GitLab `Link` headers, Bitbucket Cloud `next`, Data Center `isLastPage`/`nextPageStart`).
pub fn parse_hook_list(
    provider: Provider,
    request_url: &str,
    response: &HttpResponse,
) -> Result<HookPage, Error> {
    let value = body(provider, response)?;
    let items = match provider {
        Provider::GitHub | Provider::GitLab => value.as_array().cloned().unwrap_or_default(),
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => {
            value["values"].as_array().cloned().unwrap_or_default()
        }
    };
    let next = match provider {
        Provider::GitHub | Provider::GitLab => response.header("Link").and_then(next_link),
        Provider::BitbucketCloud => text(&value, &["next"]),
        Provider::BitbucketDataCenter => (value["isLastPage"].as_bool() == Some(false))
            .then(|| value["nextPageStart"].as_u64())
            .flatten()
            .map(|start| with_query(request_url, "start", &start.to_string())),
    };
    Ok(HookPage {
        hooks: items.iter().filter_map(|item| hook_from(provider, item)).collect(),
        next,
    })
}

/// The `rel="next"` target of an RFC 8288 `Link` header.
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
    })
}

fn with_query(url: &str, name: &str, value: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let pairs: Vec<(String, String)> =
                parsed.query_pairs().into_owned().filter(|(n, _)| n != name).collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs).append_pair(name, value);
            parsed.into()
        }
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::endpoints;

    fn spec(events: &[&str]) -> HookSpec {
        HookSpec {
            url: "https://app.example/hooks".into(),
            secret: WebhookSecret::new("s"),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    fn body_of(request: &HttpRequest) -> Value {
        serde_json::from_str(request.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn create_requests_per_provider() {
        let gh = endpoints(Provider::GitHub, None).unwrap();
        let r = prepare_create_hook(&gh, "t", "octo/repo", &spec(&["workflow_run"])).unwrap();
        assert_eq!(r.url, "https://api.github.com/repos/octo/repo/hooks");
        let b = body_of(&r);
        assert_eq!(
            (b["config"]["content_type"].as_str(), b["config"]["insecure_ssl"].as_str()),
            (Some("json"), Some("0"))
        );
        assert!(prepare_create_hook(&gh, "t", "octo", &spec(&[])).is_err());
        let gl = endpoints(Provider::GitLab, Some("https://example.com/gitlab")).unwrap();
        let r = prepare_create_hook(
            &gl,
            "t",
            "group/sub/project",
            &spec(&["pipeline_events", "job_events"]),
        )
        .unwrap();
        assert_eq!(r.url, "https://example.com/gitlab/api/v4/projects/group%2Fsub%2Fproject/hooks");
        let b = body_of(&r);
        assert_eq!(
            (
                b["push_events"].as_bool(),
                b["job_events"].as_bool(),
                b["enable_ssl_verification"].as_bool()
            ),
            (Some(false), Some(true), Some(true))
        );
        assert_eq!(b["token"], "s");
        let dc = endpoints(Provider::BitbucketDataCenter, Some("https://bb.example.com")).unwrap();
        let r =
            prepare_update_hook(&dc, "t", "PRJ/app", "12", &spec(&["repo:refs_changed"])).unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("PUT", "https://bb.example.com/rest/api/latest/projects/PRJ/repos/app/webhooks/12")
        );
        assert_eq!(body_of(&r)["sslVerificationRequired"], true);
    }

    #[test]
    fn bitbucket_cloud_hook_uuids_are_compared_without_braces_or_case() {
        let bbc = endpoints(Provider::BitbucketCloud, None).unwrap();
        let answer = |uuid: &str| {
            HttpResponse {
            status: 201,
            headers: vec![],
            body: format!(r#"{{"uuid":"{uuid}","url":"https://app.example/hooks","description":"forgelink","subject_type":"repository","active":true,"events":["repo:push"],"secret_set":true}}"#).into_bytes(),
        }
        };
        for uuid in [
            "{908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11}",
            "{908A6D9E-0F3C-4B61-9B1E-2F1C0C7A5D11}",
            "908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11",
        ] {
            let hook = parse_hook(Provider::BitbucketCloud, &answer(uuid)).unwrap();
            assert_eq!(hook.id, "{908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11}", "{uuid}");
            // Bitbucket takes the braced UUID in the path, URL-encoded as it documents.
            let delete = prepare_delete_hook(&bbc, "t", "acme/app", uuid).unwrap();
            assert_eq!(
                delete.url,
                "https://api.bitbucket.org/2.0/repositories/acme/app/hooks/%7B908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11%7D"
            );
            let update = prepare_update_hook(&bbc, "t", "acme/app", uuid, &spec(&[])).unwrap();
            assert_eq!((update.method.as_str(), update.url.as_str()), ("PUT", delete.url.as_str()));
        }
        assert_eq!(bare_hook_uuid(" {908A6D9E-0F3C} "), "908a6d9e-0f3c");
        assert!(parse_hook(Provider::BitbucketCloud, &answer("{}")).is_err());
        // Other providers' ids are left as they are.
        let gh = endpoints(Provider::GitHub, None).unwrap();
        let delete = prepare_delete_hook(&gh, "t", "octo/repo", "12345678").unwrap();
        assert_eq!(delete.url, "https://api.github.com/repos/octo/repo/hooks/12345678");
    }

    #[test]
    fn lists_and_limits() {
        let response = HttpResponse {
            status: 200,
            headers: vec![("Link".into(), r#"<https://api.github.com/repositories/1/hooks?page=2>; rel="next", <https://api.github.com/repositories/1/hooks?page=3>; rel="last""#.into())],
            body: br#"[{"id":12345678,"name":"web","active":true,"events":["push","pull_request"],"config":{"content_type":"json","insecure_ssl":"0","url":"https://example.com/webhook"}}]"#.to_vec(),
        };
        let page =
            parse_hook_list(Provider::GitHub, "https://api.github.com/repos/o/r/hooks", &response)
                .unwrap();
        assert_eq!(page.hooks[0].id, "12345678");
        assert_eq!(
            page.next.as_deref(),
            Some("https://api.github.com/repositories/1/hooks?page=2")
        );
        let dc = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"size":1,"limit":1,"isLastPage":false,"nextPageStart":1,"values":[{"id":10,"name":"Webhook Name","events":["repo:refs_changed"],"url":"http://example.com","active":true}]}"#.to_vec(),
        };
        let page = parse_hook_list(
            Provider::BitbucketDataCenter,
            "https://bb.example.com/rest/api/latest/projects/P/repos/r/webhooks?limit=100",
            &dc,
        )
        .unwrap();
        assert_eq!(page.next.as_deref(), Some("https://bb.example.com/rest/api/latest/projects/P/repos/r/webhooks?limit=100&start=1"));
        let full = HttpResponse {
            status: 422,
            headers: vec![],
            body: br#"{"message":{"base":["Maximum number of project hooks (100) exceeded"]}}"#
                .to_vec(),
        };
        assert_eq!(
            parse_hook(Provider::GitLab, &full).unwrap_err().code,
            Code::WebhookLimitReached
        );
    }
}
