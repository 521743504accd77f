//! Posting results back where developers look: on the merge request, else the commit, else an
//! issue, updating forgelink's own earlier comment when asked.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::feedback::{
    comment_web_url, feedback_body, find_feedback, parse_comment, parse_comment_list,
    prepare_create_comment, prepare_list_comments, prepare_update_comment, Comment,
    FeedbackLocation, FeedbackTarget,
};
use crate::flows::connect::authorize;
use crate::flows::host::Host;
use crate::flows::record::Record;
use crate::flows::store::Change;
use crate::flows::Flows;
use crate::http::{HttpRequest, HttpResponse};

/// The most comment pages read while looking for forgelink's earlier comment.
const MAX_COMMENT_PAGES: usize = 10;

/// Where feedback goes and whether it replaces its earlier version.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FeedbackPolicy {
    /// The targets to try, in order (default: merge request, commit, issue). A target is
    /// skipped when the request lacks what it needs; a locked, forbidden or missing one falls
    /// through to the next.
    pub order: Vec<FeedbackTarget>,
    /// With a `key`: update forgelink's earlier comment carrying it instead of adding one
    /// (default `true`).
    pub update_existing: bool,
}

impl Default for FeedbackPolicy {
    fn default() -> Self {
        FeedbackPolicy {
            order: vec![
                FeedbackTarget::MergeRequest,
                FeedbackTarget::Commit,
                FeedbackTarget::Issue,
            ],
            update_existing: true,
        }
    }
}

/// What [`Flows::post_feedback`] needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostFeedback {
    /// The project path.
    pub project: String,
    /// The merge request (pull request) number, when there is one.
    #[serde(default)]
    pub merge_request: Option<u64>,
    /// The commit, when there is one.
    #[serde(default)]
    pub commit_sha: Option<String>,
    /// An existing issue to comment on; without it, the issue target opens a new issue.
    #[serde(default)]
    pub issue: Option<u64>,
    /// The title of a new issue (default: "forgelink feedback").
    #[serde(default)]
    pub issue_title: Option<String>,
    /// The Markdown to post.
    pub body: String,
    /// Identifies this feedback (for example `ci-analysis/pipeline-123`): it is marked in the
    /// comment with an HTML comment, so that a later post with the same key updates it.
    #[serde(default)]
    pub key: Option<String>,
    /// Where to post and whether to update.
    #[serde(default)]
    pub policy: Option<FeedbackPolicy>,
}

/// Whether the comment is new.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackAction {
    /// A comment (or issue) was added.
    Created,
    /// forgelink's earlier comment (or issue) was rewritten.
    Updated,
}

/// A target that was tried or skipped before the one that took the feedback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SkippedTarget {
    /// The target.
    pub target: FeedbackTarget,
    /// Why it did not take the feedback; none when the request gave nothing for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub code: Option<Code>,
    /// What happened, for a person.
    pub message: String,
}

/// Where the feedback landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FeedbackResult {
    /// The target that took it.
    pub target: FeedbackTarget,
    /// Created or updated.
    pub action: FeedbackAction,
    /// The comment's id at the provider (for a new issue: its number).
    pub comment_id: String,
    /// Its web page, where the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub url: Option<String>,
    /// The issue's number, when the feedback went to an issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub issue: Option<u64>,
    /// The targets tried or skipped first, in order.
    pub skipped: Vec<SkippedTarget>,
}

/// Whether the next target should be tried after this failure.
fn falls_through(code: Code) -> bool {
    matches!(
        code,
        Code::FeedbackLocked
            | Code::FeedbackForbidden
            | Code::FeedbackNoTarget
            | Code::HttpNotFound
            | Code::InputInvalid
    )
}

/// Where the issues opened for feedback keys are remembered: one sealed map per connection,
/// from a digest of project and key to the issue's number.
pub(crate) fn issues_key(id: &str) -> String {
    format!("forgelink/v1/feedback-issues/{id}")
}

fn issue_entry(project: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{key}", project.to_ascii_lowercase()).as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

impl<H: Host> Flows<H> {
    async fn issues(&self, id: &str) -> Result<BTreeMap<String, u64>, Error> {
        let stored = self.read_sealed(&issues_key(id)).await?;
        Ok(stored.map(|(issues, _)| issues).unwrap_or_default())
    }

    async fn call(&self, record: &Record, mut request: HttpRequest) -> Result<HttpResponse, Error> {
        authorize(&mut request, record);
        self.send(request).await
    }

    /// Posts Markdown feedback for `request.project`: on the merge request if there is one,
    /// else on the commit, else on an issue (the given one, or a new one), in the order the
    /// policy gives. With a `key`, forgelink's earlier comment with the same key is updated in
    /// place (found by its marker; a new issue is remembered by key).
    pub async fn post_feedback(
        &self,
        id: &str,
        request: PostFeedback,
    ) -> Result<FeedbackResult, Error> {
        if request.body.trim().is_empty() {
            return Err(Error::new(Code::InputInvalid, "The feedback body is empty."));
        }
        let policy = request.policy.clone().unwrap_or_default();
        let (record, endpoints) = self.fresh(id).await?;
        let mut skipped = Vec::new();
        let mut last_error = None;
        for target in &policy.order {
            let location = match target {
                FeedbackTarget::MergeRequest => {
                    request.merge_request.map(|number| FeedbackLocation::MergeRequest { number })
                }
                FeedbackTarget::Commit => request
                    .commit_sha
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .map(|sha| FeedbackLocation::Commit { sha }),
                FeedbackTarget::Issue => Some(match request.issue {
                    Some(number) => FeedbackLocation::Issue { number },
                    None => FeedbackLocation::NewIssue {
                        title: request
                            .issue_title
                            .clone()
                            .unwrap_or_else(|| "forgelink feedback".to_owned()),
                    },
                }),
            };
            let Some(location) = location else {
                skipped.push(SkippedTarget {
                    target: *target,
                    code: None,
                    message: "The request names none.".to_owned(),
                });
                continue;
            };
            match self.post_at(id, &record, &endpoints, &request, &policy, &location).await {
                Ok((comment, action)) => {
                    let issue = match &location {
                        FeedbackLocation::Issue { number } => Some(*number),
                        FeedbackLocation::NewIssue { .. } => comment.id.parse().ok(),
                        _ => None,
                    };
                    let url = comment.url.or_else(|| {
                        comment_web_url(&endpoints, &request.project, &location, &comment.id)
                    });
                    return Ok(FeedbackResult {
                        target: *target,
                        action,
                        comment_id: comment.id,
                        url,
                        issue,
                        skipped,
                    });
                }
                Err(error) if falls_through(error.code) => {
                    skipped.push(SkippedTarget {
                        target: *target,
                        code: Some(error.code),
                        message: error.message.clone(),
                    });
                    last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            Error::new(
                Code::FeedbackNoTarget,
                "The request names no merge request or commit, and the policy allows no issue.",
            )
            .for_provider(record.provider)
        }))
    }

    /// Posts at one location: updates the earlier comment with the key, or creates one.
    async fn post_at(
        &self,
        id: &str,
        record: &Record,
        endpoints: &Endpoints,
        request: &PostFeedback,
        policy: &FeedbackPolicy,
        location: &FeedbackLocation,
    ) -> Result<(Comment, FeedbackAction), Error> {
        let provider = record.provider;
        let token = record.tokens.access_token.secret();
        let key = request.key.as_deref().filter(|k| !k.trim().is_empty());
        let body = feedback_body(&request.body, key);
        let project = request.project.as_str();
        let mut existing: Option<Comment> = None;
        if let (Some(key), true) = (key, policy.update_existing) {
            if let FeedbackLocation::NewIssue { .. } = location {
                if let Some(number) = self.issues(id).await?.get(&issue_entry(project, key)) {
                    existing = Some(Comment {
                        id: number.to_string(),
                        body: String::new(),
                        url: None,
                        discussion_id: None,
                        version: None,
                    });
                }
            } else {
                let mut list = prepare_list_comments(endpoints, token, project, location)?;
                for _ in 0..MAX_COMMENT_PAGES {
                    let url = list.url.clone();
                    let response = self.call(record, list.clone()).await?;
                    let page = parse_comment_list(provider, location, &url, &response)?;
                    if let Some(found) = find_feedback(&page.comments, key) {
                        existing = Some(found.clone());
                        break;
                    }
                    match page.next {
                        Some(next) if next.starts_with(&format!("{}/", endpoints.api)) => {
                            list = HttpRequest { url: next, ..list };
                        }
                        _ => break,
                    }
                }
            }
        }
        if let Some(comment) = existing {
            let update =
                prepare_update_comment(endpoints, token, project, location, &comment, &body)?;
            let response = self.call(record, update).await?;
            match parse_comment(provider, location, &response) {
                Ok(mut updated) => {
                    if updated.discussion_id.is_none() {
                        updated.discussion_id = comment.discussion_id;
                    }
                    return Ok((updated, FeedbackAction::Updated));
                }
                // The remembered issue is gone: open a new one.
                Err(error)
                    if error.code == Code::HttpNotFound
                        && matches!(location, FeedbackLocation::NewIssue { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        let create = prepare_create_comment(endpoints, token, project, location, &body)?;
        let response = self.call(record, create).await?;
        let comment = parse_comment(provider, location, &response)?;
        if let (Some(key), FeedbackLocation::NewIssue { .. }) = (key, location) {
            if let Ok(number) = comment.id.parse::<u64>() {
                let entry = issue_entry(project, key);
                self.update_sealed(
                    &issues_key(id),
                    None,
                    |issues: Option<BTreeMap<String, u64>>| {
                        let mut issues = issues.unwrap_or_default();
                        issues.insert(entry.clone(), number);
                        Ok(Change::Write(issues, ()))
                    },
                )
                .await?;
            }
        }
        Ok((comment, FeedbackAction::Created))
    }
}
