//! Registering, listing, updating and removing webhooks, as pure request builders and
//! response parsers. Every hook forgelink creates sends JSON, verifies TLS and carries a secret.

use serde::Serialize;
use serde_json::Value;

use crate::api::{next_page, success_json};
use crate::api_error::parse_api_error;
use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::bearer;
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
use crate::repositories::{encode, repository_urls};
use crate::secret::WebhookSecret;

/// What a hook should look like.
#[derive(Clone, Debug)]
pub struct HookSpec {
    /// Where deliveries go.
    pub url: String,
    /// The secret they are signed with (GitLab: sent as the token).
    pub secret: WebhookSecret,
    /// GitLab only: a signing token (`whsec_` and base64) with which GitLab also signs each
    /// delivery as Standard Webhooks do, where the instance has the feature.
    pub signing_secret: Option<WebhookSecret>,
    /// The events, in the provider's spelling: GitHub and Bitbucket event names, GitLab's
    /// `*_events` flags.
    pub events: Vec<String>,
}

/// A hook as the provider describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    /// The provider's id for it. Bitbucket Cloud's is its UUID as the API writes it, in braces
    /// and lower case (`{908a6d9e-...}`); its deliveries name the hook without the braces.
    pub id: String,
    /// Where it delivers.
    pub url: String,
    /// Its events, in the provider's spelling.
    pub events: Vec<String>,
    /// Whether it is enabled. GitLab's hooks are disabled only by GitLab itself, after
    /// repeated failures: for a while (see `disabled_until`) after 4 failures in a row, for
    /// good after 40.
    pub active: bool,
    /// Until when GitLab has paused the failing hook (its `disabled_until`), when it has.
    pub disabled_until: Option<String>,
    /// Whether the hook holds a signing token (GitLab's `signing_token_present`), where the
    /// provider says.
    pub signing_token_set: Option<bool>,
}

/// One page of a project's hooks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HookPage {
    /// The hooks on this page.
    pub hooks: Vec<Hook>,
    /// The URL of the next page, when there is one.
    pub next: Option<String>,
}

/// The path segment that names a hook. Bitbucket Cloud takes the UUID in braces, which its
/// documentation asks to URL-encode (`%7B...%7D`); a UUID given without them gets them.
fn hook_segment(provider: Provider, hook_id: &str) -> String {
    match provider {
        Provider::BitbucketCloud => encode(&bitbucket_cloud::braced_hook_uuid(hook_id)),
        _ => encode(hook_id),
    }
}

/// The API URL of a project's hooks collection.
fn hooks_url(endpoints: &Endpoints, project: &str) -> Result<String, Error> {
    let (repository, _) = repository_urls(endpoints, project)?;
    Ok(match endpoints.provider {
        Provider::BitbucketDataCenter => {
            format!("{repository}/{}", bitbucket_data_center::HOOKS_COLLECTION)
        }
        _ => format!("{repository}/hooks"),
    })
}

fn hook_body(provider: Provider, spec: &HookSpec) -> Result<Value, Error> {
    if let Some(signing) = &spec.signing_secret {
        if provider != Provider::GitLab {
            return Err(Error::new(
                Code::InputInvalid,
                "Only GitLab hooks take a signing secret; leave it out for this provider.",
            )
            .for_provider(provider));
        }
        if !gitlab::is_signing_token(signing.secret()) {
            return Err(Error::new(
                Code::InputInvalid,
                "A GitLab signing token is `whsec_` followed by the base64 of 32 random bytes.",
            )
            .for_provider(provider));
        }
    }
    Ok(match provider {
        Provider::GitHub => github::hook_body(spec),
        Provider::GitLab => gitlab::hook_body(spec),
        Provider::BitbucketCloud => bitbucket_cloud::hook_body(spec),
        Provider::BitbucketDataCenter => bitbucket_data_center::hook_body(spec),
    })
}

/// Creates a hook on `project`.
pub fn prepare_create_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    spec: &HookSpec,
) -> Result<HttpRequest, Error> {
    let url = hooks_url(endpoints, project)?;
    Ok(bearer(HttpRequest::new("POST", url), token).json(&hook_body(endpoints.provider, spec)?))
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
    Ok(bearer(HttpRequest::new(method, url), token).json(&hook_body(endpoints.provider, spec)?))
}

/// Removes hook `hook_id` from `project`.
pub fn prepare_delete_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    hook_id: &str,
) -> Result<HttpRequest, Error> {
    hook_request("DELETE", endpoints, token, project, hook_id)
}

/// Reads hook `hook_id` on `project` (answered by [`parse_hook`]; 404 once it is gone).
pub(crate) fn prepare_get_hook(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    hook_id: &str,
) -> Result<HttpRequest, Error> {
    hook_request("GET", endpoints, token, project, hook_id)
}

fn hook_request(
    method: &str,
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    hook_id: &str,
) -> Result<HttpRequest, Error> {
    let url =
        format!("{}/{}", hooks_url(endpoints, project)?, hook_segment(endpoints.provider, hook_id));
    Ok(bearer(HttpRequest::new(method, url), token))
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
    success_json(
        provider,
        response,
        || failure(provider, response),
        "The hooks API answered something other than JSON.",
    )
}

fn hook_from(provider: Provider, value: &Value) -> Option<Hook> {
    match provider {
        Provider::GitHub => github::read_hook(value),
        Provider::GitLab => gitlab::read_hook(value),
        Provider::BitbucketCloud => bitbucket_cloud::read_hook(value),
        Provider::BitbucketDataCenter => bitbucket_data_center::read_hook(value),
    }
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
    Ok(HookPage {
        hooks: items.iter().filter_map(|item| hook_from(provider, item)).collect(),
        next: next_page(provider, request_url, response, &value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::endpoints;

    fn spec(events: &[&str]) -> HookSpec {
        HookSpec {
            url: "https://app.example/hooks".into(),
            secret: WebhookSecret::new("s"),
            signing_secret: None,
            events: events.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    /// "Project webhooks API" and "Webhooks", "Signing token" (see
    /// [`gitlab::SIGNING_TOKEN_FIELD`]): GitLab takes `signing_token` beside `token` and
    /// answers `signing_token_present`; the shape is checked before anything is sent, and the
    /// other providers refuse a signing secret rather than drop it.
    #[test]
    fn gitlab_signing_tokens() {
        let gl = endpoints(Provider::GitLab, None).unwrap();
        let signing = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";
        let with = |secret: &str| HookSpec {
            signing_secret: Some(WebhookSecret::new(secret)),
            ..spec(&["pipeline_events"])
        };
        let b = body_of(&prepare_create_hook(&gl, "t", "g/p", &with(signing)).unwrap());
        assert_eq!((b["token"].as_str(), b["signing_token"].as_str()), (Some("s"), Some(signing)));
        assert!(body_of(&prepare_create_hook(&gl, "t", "g/p", &spec(&[])).unwrap())
            .get("signing_token")
            .is_none());
        for wrong in ["whsec_c2hvcnQ=", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=", "whsec_!!"]
        {
            let error = prepare_create_hook(&gl, "t", "g/p", &with(wrong)).unwrap_err();
            assert_eq!(error.code, Code::InputInvalid, "{wrong}");
        }
        let gh = endpoints(Provider::GitHub, None).unwrap();
        assert_eq!(
            prepare_create_hook(&gh, "t", "o/r", &with(signing)).unwrap_err().code,
            Code::InputInvalid
        );
        let answer = |extra: &str| HttpResponse {
            status: 201,
            headers: vec![],
            body: format!(
                r#"{{"id":7,"url":"https://app.example/hooks","pipeline_events":true{extra}}}"#
            )
            .into_bytes(),
        };
        let hook =
            parse_hook(Provider::GitLab, &answer(r#","signing_token_present":true"#)).unwrap();
        assert_eq!(hook.signing_token_set, Some(true));
        // An instance without the feature ignores the field and does not mention it.
        assert_eq!(parse_hook(Provider::GitLab, &answer("")).unwrap().signing_token_set, None);
    }

    /// "Auto-disabled webhooks" (see [`gitlab::FAILURES_BEFORE_TEMPORARY_DISABLE`]): the hooks
    /// API names a paused hook `temporarily_disabled` with `disabled_until`, a stopped one
    /// `disabled`.
    #[test]
    fn gitlab_disabled_hooks() {
        let answer = |extra: &str| HttpResponse {
            status: 200,
            headers: vec![],
            body: format!(r#"[{{"id":7,"url":"https://app.example/hooks"{extra}}}]"#).into_bytes(),
        };
        let read = |extra: &str| {
            let page = parse_hook_list(
                Provider::GitLab,
                "https://gitlab.com/api/v4/projects/1/hooks",
                &answer(extra),
            )
            .unwrap();
            let hook = page.hooks.into_iter().next().unwrap();
            (hook.active, hook.disabled_until)
        };
        assert_eq!(read(r#","alert_status":"executable""#), (true, None));
        assert_eq!(
            read(
                r#","alert_status":"temporarily_disabled","disabled_until":"2026-12-07T10:00:00.000Z""#
            ),
            (false, Some("2026-12-07T10:00:00.000Z".to_owned()))
        );
        assert_eq!(read(r#","alert_status":"disabled""#), (false, None));
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
        assert_eq!(bitbucket_cloud::bare_hook_uuid(" {908A6D9E-0F3C} "), "908a6d9e-0f3c");
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
