//! Feedback: posting results where developers look (a merge request, a commit, an issue), as
//! pure request builders and parsers, with an idempotency marker so that a later post updates
//! the earlier comment instead of adding another.
//!
//! The calling protocol for one location:
//!
//! ```text
//! with a key:   prepare_list_comments → parse_comment_list → find_feedback(comments, key)
//!                 found:   prepare_update_comment(comment, feedback_body(body, key)) → parse_comment
//!                 missing: prepare_create_comment(feedback_body(body, key))          → parse_comment
//! without one:  prepare_create_comment(body) → parse_comment
//! ```
//!
//! Endpoints: GitLab notes (merge requests, issues) and commit discussions; GitHub issue
//! comments (pull requests are issues) and commit comments; Bitbucket Cloud pull request,
//! commit and issue comments; Bitbucket Data Center pull request and commit comments. Bodies
//! are Markdown on every provider.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{next_page, success_json};
use crate::api_error::parse_api_error;
use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::bearer;
use crate::polling::PAGE_SIZE;
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
use crate::repositories::{encode, repository_urls};

/// Where feedback may go, in the order a policy tries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackTarget {
    /// A comment on the merge request (pull request).
    MergeRequest,
    /// A comment on the commit.
    Commit,
    /// A comment on the given issue, or a new issue.
    Issue,
}

/// One place to post at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "target", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum FeedbackLocation {
    /// The merge request (pull request) with this number (GitLab iid, GitHub and Bitbucket
    /// number).
    MergeRequest {
        /// Its number.
        number: u64,
    },
    /// The commit.
    Commit {
        /// Its SHA.
        sha: String,
    },
    /// The issue with this number (GitLab iid).
    Issue {
        /// Its number.
        number: u64,
    },
    /// A new issue; its body is the feedback (updating it rewrites the description).
    NewIssue {
        /// Its title.
        title: String,
    },
}

impl FeedbackLocation {
    /// The target this location belongs to.
    pub fn target(&self) -> FeedbackTarget {
        match self {
            FeedbackLocation::MergeRequest { .. } => FeedbackTarget::MergeRequest,
            FeedbackLocation::Commit { .. } => FeedbackTarget::Commit,
            FeedbackLocation::Issue { .. } | FeedbackLocation::NewIssue { .. } => {
                FeedbackTarget::Issue
            }
        }
    }
}

/// A comment (or, for a new issue, the issue) as the provider describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The provider's id (for a new issue: its number).
    pub id: String,
    /// Its Markdown body.
    pub body: String,
    /// Its web page, where the provider says.
    pub url: Option<String>,
    /// GitLab commit discussions: the discussion holding the note, which an update needs.
    pub discussion_id: Option<String>,
    /// Data Center: the version an update must name.
    pub version: Option<u64>,
}

/// One page of comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CommentPage {
    /// The comments on this page.
    pub comments: Vec<Comment>,
    /// The next page's URL, when there is one: send the list request again with it.
    pub next: Option<String>,
}

/// The marker that identifies forgelink's feedback with `key` inside a comment: an HTML
/// comment, which every provider's Markdown hides. Characters that could end it are dropped.
pub fn feedback_marker(key: &str) -> String {
    let mut clean = String::new();
    for c in key.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(*c)).take(100) {
        // `--` may not appear inside an HTML comment.
        if !(c == '-' && clean.ends_with('-')) {
            clean.push(c);
        }
    }
    let key = clean;
    format!("<!-- forgelink:feedback:{key} -->")
}

/// The body to post: the Markdown, then the marker for `key`.
pub fn feedback_body(body: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("{}\n\n{}", body.trim_end(), feedback_marker(key)),
        None => body.to_owned(),
    }
}

/// The comment carrying the marker for `key`, if any.
pub fn find_feedback<'a>(comments: &'a [Comment], key: &str) -> Option<&'a Comment> {
    let marker = feedback_marker(key);
    comments.iter().find(|c| c.body.contains(&marker))
}

fn no_issues(provider: Provider) -> Error {
    Error::new(
        Code::FeedbackNoTarget,
        format!("{} has no issues to post feedback on.", provider.display_name()),
    )
    .for_provider(provider)
}

/// The collection of comments at a location (where new ones are posted).
fn comments_url(
    endpoints: &Endpoints,
    project: &str,
    location: &FeedbackLocation,
) -> Result<String, Error> {
    let provider = endpoints.provider;
    let (repo, _) = repository_urls(endpoints, project)?;
    let path = match provider {
        Provider::GitHub => github::comments_path(location),
        Provider::GitLab => gitlab::comments_path(location),
        Provider::BitbucketCloud => bitbucket_cloud::comments_path(location),
        Provider::BitbucketDataCenter => bitbucket_data_center::comments_path(location),
    };
    path.map(|path| format!("{repo}/{path}")).ok_or_else(|| no_issues(provider))
}

/// Lists the comments at a location (the first page; follow [`CommentPage::next`]). Data
/// Center lists pull request comments through the pull request's activities.
pub fn prepare_list_comments(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    location: &FeedbackLocation,
) -> Result<HttpRequest, Error> {
    let url = comments_url(endpoints, project, location)?;
    let url = match (endpoints.provider, location) {
        (_, FeedbackLocation::NewIssue { .. }) => {
            return Err(Error::new(
                Code::InputInvalid,
                "A new issue has no comments to list: update it by its number.",
            ))
        }
        (Provider::GitLab, _) => format!("{url}?per_page={PAGE_SIZE}&sort=asc"),
        (Provider::GitHub, _) => format!("{url}?per_page={PAGE_SIZE}"),
        (Provider::BitbucketCloud, _) => format!("{url}?pagelen={PAGE_SIZE}"),
        (Provider::BitbucketDataCenter, FeedbackLocation::MergeRequest { .. }) => {
            format!("{}/activities?limit={PAGE_SIZE}", url.trim_end_matches("/comments"))
        }
        (Provider::BitbucketDataCenter, _) => format!("{url}?limit={PAGE_SIZE}"),
    };
    Ok(bearer(HttpRequest::new("GET", url), token))
}

/// The request body for a comment (or a new issue, with its title).
fn comment_body(provider: Provider, location: &FeedbackLocation, body: &str) -> Value {
    match provider {
        Provider::GitHub => github::comment_body(location, body),
        Provider::GitLab => gitlab::comment_body(location, body),
        Provider::BitbucketCloud => bitbucket_cloud::comment_body(location, body),
        Provider::BitbucketDataCenter => bitbucket_data_center::comment_body(body),
    }
}

/// Posts `body` (Markdown; pass it through [`feedback_body`] to mark it) at a location; a
/// [`FeedbackLocation::NewIssue`] opens the issue.
pub fn prepare_create_comment(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    location: &FeedbackLocation,
    body: &str,
) -> Result<HttpRequest, Error> {
    let url = comments_url(endpoints, project, location)?;
    Ok(bearer(HttpRequest::new("POST", url), token).json(&comment_body(
        endpoints.provider,
        location,
        body,
    )))
}

/// Replaces the body of an earlier comment (for a new issue: the issue, by its number in
/// `comment.id`).
pub fn prepare_update_comment(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    location: &FeedbackLocation,
    comment: &Comment,
    body: &str,
) -> Result<HttpRequest, Error> {
    let provider = endpoints.provider;
    let (repo, _) = repository_urls(endpoints, project)?;
    let collection = comments_url(endpoints, project, location)?;
    let (method, url, payload) = match provider {
        Provider::GitHub => github::update_comment(&repo, location, comment, body),
        Provider::GitLab => gitlab::update_comment(&repo, &collection, location, comment, body)?,
        Provider::BitbucketCloud => {
            bitbucket_cloud::update_comment(&repo, &collection, location, comment, body)
        }
        Provider::BitbucketDataCenter => {
            bitbucket_data_center::update_comment(&collection, comment, body)
        }
    };
    Ok(bearer(HttpRequest::new(method, url), token).json(&payload))
}

/// What a failed feedback call means: a locked discussion, a role too low to comment, issues
/// turned off, or any API error.
fn failure(provider: Provider, response: &HttpResponse) -> Error {
    let said = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
    let api = parse_api_error(provider, response).error;
    if matches!(response.status, 403 | 405 | 409 | 422 | 423) && said.contains("locked") {
        return Error::new(
            Code::FeedbackLocked,
            "The discussion is locked: only members with a higher role may comment.",
        )
        .for_provider(provider)
        .with_detail(api.provider_detail.unwrap_or_default());
    }
    if response.status == 410 || (response.status == 404 && said.contains("issue tracker")) {
        return Error::new(Code::FeedbackNoTarget, "Issues are turned off for this repository.")
            .for_provider(provider);
    }
    if api.code == Code::HttpForbidden {
        let mut error = Error::new(
            Code::FeedbackForbidden,
            "The account may not comment here: its role or permission is too low.",
        )
        .for_provider(provider);
        error.provider_detail = api.provider_detail;
        return error;
    }
    api
}

fn json_body(provider: Provider, response: &HttpResponse) -> Result<Value, Error> {
    success_json(
        provider,
        response,
        || failure(provider, response),
        "The API answered something other than JSON.",
    )
}

fn comment_from(provider: Provider, location: &FeedbackLocation, v: &Value) -> Option<Comment> {
    match provider {
        Provider::GitHub => github::read_comment(location, v),
        Provider::GitLab => gitlab::read_comment(location, v),
        Provider::BitbucketCloud => bitbucket_cloud::read_comment(v),
        Provider::BitbucketDataCenter => bitbucket_data_center::read_comment(v),
    }
}

/// The web address of a comment whose API answer carries none (GitLab notes, Data Center pull
/// request comments), made the way their pages link to one; `None` where there is no such
/// page, or for a GitLab project named by its numeric id, whose pages live under its path.
pub(crate) fn comment_web_url(
    endpoints: &Endpoints,
    project: &str,
    location: &FeedbackLocation,
    comment_id: &str,
) -> Option<String> {
    let (_, web) = repository_urls(endpoints, project).ok()?;
    let id = encode(comment_id);
    match endpoints.provider {
        // A project named by its numeric id has its pages under its path, which is unknown.
        Provider::GitLab if web.starts_with(&format!("{}/projects/", endpoints.web)) => None,
        Provider::GitLab => gitlab::comment_web_url(&web, location, &id),
        Provider::BitbucketDataCenter => {
            bitbucket_data_center::comment_web_url(&web, location, &id)
        }
        Provider::GitHub | Provider::BitbucketCloud => None,
    }
}

/// Reads the answer to a create or update.
pub fn parse_comment(
    provider: Provider,
    location: &FeedbackLocation,
    response: &HttpResponse,
) -> Result<Comment, Error> {
    let value = json_body(provider, response)?;
    comment_from(provider, location, &value).ok_or_else(|| {
        Error::new(Code::HttpUnexpectedStatus, "The answer does not describe a comment.")
            .for_provider(provider)
    })
}

/// Reads a page of comments, with the next page's URL from the provider's pagination.
pub fn parse_comment_list(
    provider: Provider,
    location: &FeedbackLocation,
    request_url: &str,
    response: &HttpResponse,
) -> Result<CommentPage, Error> {
    let value = json_body(provider, response)?;
    let items: Vec<Value> = match provider {
        Provider::GitLab | Provider::GitHub => value.as_array().cloned().unwrap_or_default(),
        Provider::BitbucketCloud => value["values"].as_array().cloned().unwrap_or_default(),
        Provider::BitbucketDataCenter => value["values"]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .filter_map(|item| {
                        // Pull request activities hold comments; commit comments are the items.
                        if item.get("action").is_some() {
                            (item["action"].as_str() == Some("COMMENTED"))
                                .then(|| item["comment"].clone())
                        } else {
                            Some(item.clone())
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let next = next_page(provider, request_url, response, &value);
    let comments = items.iter().filter_map(|item| comment_from(provider, location, item)).collect();
    Ok(CommentPage { comments, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::endpoints;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn markers_are_html_comments_that_cannot_be_closed_early() {
        assert_eq!(feedback_marker("ci/run-1"), "<!-- forgelink:feedback:ci/run-1 -->");
        assert_eq!(feedback_marker("a -->b"), "<!-- forgelink:feedback:a-b -->");
        let body = feedback_body("**Failed**\n", Some("k"));
        assert_eq!(body, "**Failed**\n\n<!-- forgelink:feedback:k -->");
        let comments =
            vec![Comment { id: "1".into(), body, url: None, discussion_id: None, version: None }];
        assert!(find_feedback(&comments, "k").is_some());
        assert!(find_feedback(&comments, "other").is_none());
    }

    #[test]
    fn endpoints_per_provider() {
        let gh = endpoints(Provider::GitHub, None).unwrap();
        let pr = FeedbackLocation::MergeRequest { number: 7 };
        let commit = FeedbackLocation::Commit { sha: "abc".into() };
        let r = prepare_create_comment(&gh, "t", "octo/repo", &pr, "hi").unwrap();
        assert_eq!(r.url, "https://api.github.com/repos/octo/repo/issues/7/comments");
        let existing = Comment {
            id: "9".into(),
            body: String::new(),
            url: None,
            discussion_id: None,
            version: Some(3),
        };
        let r = prepare_update_comment(&gh, "t", "octo/repo", &commit, &existing, "hi").unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("PATCH", "https://api.github.com/repos/octo/repo/comments/9")
        );
        let bbc = endpoints(Provider::BitbucketCloud, None).unwrap();
        let r = prepare_create_comment(&bbc, "t", "ws/repo", &pr, "hi").unwrap();
        assert_eq!(
            r.url,
            "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/7/comments"
        );
        assert_eq!(r.body.as_deref(), Some(r#"{"content":{"raw":"hi"}}"#));
        let dc = endpoints(Provider::BitbucketDataCenter, Some("https://bb.example.com")).unwrap();
        let r = prepare_update_comment(&dc, "t", "PRJ/app", &pr, &existing, "hi").unwrap();
        assert_eq!(r.url, "https://bb.example.com/rest/api/latest/projects/PRJ/repos/app/pull-requests/7/comments/9");
        assert_eq!(r.body.as_deref(), Some(r#"{"text":"hi","version":3}"#));
        let list = prepare_list_comments(&dc, "t", "PRJ/app", &pr).unwrap();
        assert_eq!(list.url, "https://bb.example.com/rest/api/latest/projects/PRJ/repos/app/pull-requests/7/activities?limit=100");
        let page = parse_comment_list(
            Provider::BitbucketDataCenter,
            &pr,
            &list.url,
            &response(200, r#"{"isLastPage":true,"values":[{"id":1,"action":"OPENED"},{"id":2,"action":"COMMENTED","commentAction":"ADDED","comment":{"id":17,"version":1,"text":"done <!-- forgelink:feedback:k -->"}}]}"#),
        )
        .unwrap();
        assert_eq!(
            find_feedback(&page.comments, "k").map(|c| (c.id.as_str(), c.version)),
            Some(("17", Some(1)))
        );
        assert_eq!(
            prepare_create_comment(
                &dc,
                "t",
                "PRJ/app",
                &FeedbackLocation::NewIssue { title: "x".into() },
                "b"
            )
            .unwrap_err()
            .code,
            Code::FeedbackNoTarget
        );
    }

    #[test]
    fn failures_name_the_reason() {
        let locked = response(
            403,
            r#"{"message":"Unable to create comment because issue is locked.","documentation_url":"https://docs.github.com/articles/locking-conversations/"}"#,
        );
        let pr = FeedbackLocation::MergeRequest { number: 1 };
        assert_eq!(
            parse_comment(Provider::GitHub, &pr, &locked).unwrap_err().code,
            Code::FeedbackLocked
        );
        let scope = response(
            403,
            r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"granted":["repository"],"required":["pullrequest:write"]}}}"#,
        );
        assert_eq!(
            parse_comment(Provider::BitbucketCloud, &pr, &scope).unwrap_err().code,
            Code::HttpMissingScope
        );
        let role = response(403, r#"{"message":"403 Forbidden"}"#);
        assert_eq!(
            parse_comment(Provider::GitLab, &pr, &role).unwrap_err().code,
            Code::FeedbackForbidden
        );
        let disabled = response(410, r#"{"message":"Issues are disabled for this repo"}"#);
        assert_eq!(
            parse_comment(Provider::GitHub, &pr, &disabled).unwrap_err().code,
            Code::FeedbackNoTarget
        );
    }

    #[test]
    fn comments_without_an_address_get_the_one_their_pages_use() {
        let gl = endpoints(Provider::GitLab, Some("https://example.com/gitlab")).unwrap();
        let mr = FeedbackLocation::MergeRequest { number: 7 };
        let commit = FeedbackLocation::Commit { sha: "abc123".into() };
        let issue = FeedbackLocation::Issue { number: 3 };
        assert_eq!(
            comment_web_url(&gl, "group/sub/app", &mr, "41").as_deref(),
            Some("https://example.com/gitlab/group/sub/app/-/merge_requests/7#note_41")
        );
        assert_eq!(
            comment_web_url(&gl, "group/app", &commit, "5").as_deref(),
            Some("https://example.com/gitlab/group/app/-/commit/abc123#note_5")
        );
        assert_eq!(
            comment_web_url(&gl, "group/app", &issue, "9").as_deref(),
            Some("https://example.com/gitlab/group/app/-/issues/3#note_9")
        );
        // A project named by its id has no page under that id to link to.
        assert_eq!(comment_web_url(&gl, "42", &mr, "41"), None);
        let dc = endpoints(Provider::BitbucketDataCenter, Some("https://bb.example.com")).unwrap();
        assert_eq!(
            comment_web_url(&dc, "PRJ/app", &mr, "9").as_deref(),
            Some("https://bb.example.com/projects/PRJ/repos/app/pull-requests/7/overview?commentId=9")
        );
        let gh = endpoints(Provider::GitHub, None).unwrap();
        assert_eq!(comment_web_url(&gh, "octo/repo", &mr, "1"), None);
    }
}
