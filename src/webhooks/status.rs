//! Each provider's words for CI states and merge request states, in the model's. Deliveries
//! and polls read them alike: the same words must give the same state keys.

use crate::webhooks::model::Status;

/// GitHub's `status` and `conclusion` (workflow runs and jobs, check runs and suites, commit
/// statuses): the normalised status, and the provider's word it came from.
pub(crate) fn github_status(status: Option<&str>, conclusion: Option<&str>) -> (Status, String) {
    let raw = match (status, conclusion) {
        (Some("completed"), Some(conclusion)) | (None, Some(conclusion)) => conclusion,
        (Some(status), _) => status,
        (None, None) => "unknown",
    };
    let normal = match raw {
        "in_progress" => Status::Running,
        "success" => Status::Success,
        "failure" | "timed_out" | "startup_failure" | "error" => Status::Failure,
        "cancelled" => Status::Canceled,
        "skipped" | "neutral" | "stale" => Status::Skipped,
        "action_required" => Status::Manual,
        _ => Status::Pending,
    };
    (normal, raw.to_owned())
}

/// GitLab's pipeline and job statuses.
pub(crate) fn gitlab_status(raw: &str) -> Status {
    match raw {
        "running" => Status::Running,
        "success" => Status::Success,
        "failed" => Status::Failure,
        "canceled" | "canceling" => Status::Canceled,
        "skipped" => Status::Skipped,
        "manual" => Status::Manual,
        _ => Status::Pending,
    }
}

/// GitLab says `opened` where the model says `open`.
pub(crate) fn gitlab_mr_state(state: Option<String>) -> Option<String> {
    state.map(|s| if s == "opened" { "open".to_owned() } else { s })
}

/// Bitbucket's build status states (Cloud and Data Center).
pub(crate) fn bitbucket_status(raw: &str) -> Status {
    match raw {
        "INPROGRESS" => Status::Running,
        "SUCCESSFUL" => Status::Success,
        "FAILED" => Status::Failure,
        "STOPPED" | "CANCELLED" => Status::Canceled,
        _ => Status::Pending,
    }
}

/// Bitbucket's pull request states, in the model's words.
pub(crate) fn bitbucket_pr_state(raw: Option<String>) -> Option<String> {
    raw.map(|s| match s.as_str() {
        "OPEN" => "open".to_owned(),
        "MERGED" => "merged".to_owned(),
        "DECLINED" | "SUPERSEDED" => "closed".to_owned(),
        _ => s.to_ascii_lowercase(),
    })
}
