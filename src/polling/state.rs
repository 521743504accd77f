//! The state key: one name for an object in one state, whoever reports it.

use crate::provider::Provider;
use crate::providers::gitlab;
use crate::webhooks::{EventKind, Status, WebhookEvent};

/// The normalised status as the key spells it.
pub(crate) fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Running => "running",
        Status::Success => "success",
        Status::Failure => "failure",
        Status::Canceled => "canceled",
        Status::Skipped => "skipped",
        Status::Manual => "manual",
    }
}

/// `host[:port]` of a URL, lower case.
fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// A branch or tag without its `refs/heads/` or `refs/tags/` prefix.
fn short_ref(r#ref: &str) -> &str {
    r#ref.strip_prefix("refs/heads/").or_else(|| r#ref.strip_prefix("refs/tags/")).unwrap_or(r#ref)
}

/// The key for the object an event is about and the state it reports:
/// `provider:host:repository:object:id:state`. Webhooks and polls compute it from the same
/// normalised fields, so the same pipeline in the same status gets the same key from both.
///
/// Pipelines and jobs are keyed by id and normalised status (and a pipeline re-run under the
/// same id by its attempt: GitHub's `run_attempt` from the second on, `#2`; a finished GitLab
/// pipeline by the second it finished, `@1470929189`, since a retried one keeps its id);
/// merge requests by number, state
/// and head commit; pushes by branch or tag and the commit pushed; commit statuses by commit,
/// key and state. Other events have no state key.
pub fn state_key(event: &WebhookEvent) -> Option<String> {
    let repository = event.repository.as_ref()?;
    let path = repository.full_path.as_deref().or(repository.id.as_deref())?.to_ascii_lowercase();
    let host = repository.web_url.as_deref().and_then(host_of).unwrap_or_else(|| "-".to_owned());
    let object = match event.kind {
        EventKind::Pipeline => {
            let pipeline = event.pipeline.as_ref()?;
            // A re-run keeps the id: its attempt tells it apart, and the first keeps the plain
            // key. GitLab counts no attempts: a finished one is told apart by when it finished.
            let attempt = match (pipeline.attempt, event.provider) {
                (Some(n), _) if n > 1 => format!("#{n}"),
                (None, Provider::GitLab) => {
                    gitlab::retry_mark(pipeline.status, pipeline.finished_at.as_deref())
                        .map(|second| format!("@{second}"))
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            let id = pipeline.id.as_deref()?;
            format!("pipeline:{id}{attempt}:{}", status_word(pipeline.status))
        }
        EventKind::Job => {
            let job = event.job.as_ref()?;
            format!("job:{}:{}", job.id.as_deref()?, status_word(job.status))
        }
        EventKind::MergeRequest => {
            let mr = event.merge_request.as_ref()?;
            format!(
                "merge_request:{}:{}:{}",
                mr.number?,
                mr.state.as_deref().unwrap_or("-"),
                event.commit_sha.as_deref().unwrap_or("-")
            )
        }
        EventKind::Push | EventKind::TagPush => {
            let kind = if event.kind == EventKind::Push { "push" } else { "tag_push" };
            format!(
                "{kind}:{}:{}",
                short_ref(event.r#ref.as_deref()?),
                event.commit_sha.as_deref()?
            )
        }
        EventKind::CommitStatus => {
            let status = event.commit_status.as_ref()?;
            format!(
                "commit_status:{}:{}:{}",
                event.commit_sha.as_deref()?,
                status.key.as_deref().unwrap_or("-"),
                status_word(status.state)
            )
        }
        EventKind::Ping | EventKind::Other => return None,
    };
    Some(format!("{}:{host}:{path}:{object}", event.provider.as_str()))
}

/// The event with its state key filled in.
pub(crate) fn with_state_key(mut event: WebhookEvent) -> WebhookEvent {
    event.state_key = state_key(&event);
    event
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::endpoints::endpoints;
    use crate::http::HttpResponse;
    use crate::polling::{parse_poll_response, PollResource};
    use crate::provider::Provider;
    use crate::webhooks::parse_webhook;

    /// The key of GitLab's Pipeline Hook for pipeline 31 in `status`, finished at `finished`
    /// as the hook writes it ("2016-08-12 15:26:29 UTC", "Webhook events", "Pipeline events",
    /// docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events).
    fn delivered(status: &str, finished: Option<&str>) -> Option<String> {
        let body = json!({
            "object_kind": "pipeline",
            "object_attributes": { "id": 31, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "status": status, "created_at": "2016-08-12 15:23:28 UTC", "finished_at": finished },
            "project": { "id": 1, "path_with_namespace": "group/app", "web_url": "https://git.example.com/group/app" }
        });
        let headers = vec![("X-Gitlab-Event".to_owned(), "Pipeline Hook".to_owned())];
        parse_webhook(&headers, body.to_string().as_bytes()).unwrap().state_key
    }

    /// The key of the same pipeline read by "Get a single pipeline", whose `finished_at` is
    /// written to the millisecond ("2016-08-11T11:32:35.145Z", "Pipelines API",
    /// docs.gitlab.com/api/pipelines/#get-a-single-pipeline).
    fn polled(status: &str, finished: Option<&str>) -> Option<String> {
        let gitlab = endpoints(Provider::GitLab, Some("https://git.example.com")).unwrap();
        let body = json!({ "id": 31, "status": status, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "created_at": "2016-08-12T15:23:28.000Z", "updated_at": "2016-08-12T15:26:29.970Z", "finished_at": finished });
        let response =
            HttpResponse { status: 200, headers: vec![], body: body.to_string().into_bytes() };
        let resource = PollResource::Pipeline { pipeline_id: "31".into(), updated_at: None };
        let page =
            parse_poll_response(&gitlab, "group/app", &resource, "", &response, 0, 0).unwrap();
        assert_eq!(page.follow_ups, [PollResource::Jobs { pipeline_id: "31".into() }]);
        page.events.into_iter().next().and_then(|event| event.state_key)
    }

    /// A GitLab pipeline retried under its id: each finished attempt is keyed by the second it
    /// finished, the same from the hook and from the API, and different from the attempt
    /// before; a running attempt (and a finish the key cannot read) keeps the plain key.
    #[test]
    fn a_retried_gitlab_pipeline_is_keyed_by_when_it_finished() {
        let first = delivered("failed", Some("2016-08-12 15:26:29 UTC"));
        assert_eq!(
            first.as_deref(),
            Some("gitlab:git.example.com:group/app:pipeline:31@1471015589:failure")
        );
        assert_eq!(polled("failed", Some("2016-08-12T15:26:29.970Z")), first);
        let retried = delivered("failed", Some("2016-08-12 15:41:02 UTC"));
        assert_ne!(retried, first);
        assert_eq!(polled("failed", Some("2016-08-12T15:41:02.001Z")), retried);
        assert_eq!(
            delivered("running", Some("2016-08-12 15:26:29 UTC")).as_deref(),
            Some("gitlab:git.example.com:group/app:pipeline:31:running")
        );
        assert_eq!(polled("running", None), delivered("running", None));
        assert_eq!(
            delivered("canceled", Some("yesterday")).as_deref(),
            Some("gitlab:git.example.com:group/app:pipeline:31:canceled")
        );
    }
}
