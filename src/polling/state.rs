//! The state key: one name for an object in one state, whoever reports it.

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
/// same id by its attempt); merge requests by number, state
/// and head commit; pushes by branch or tag and the commit pushed; commit statuses by commit,
/// key and state. Other events have no state key.
pub fn state_key(event: &WebhookEvent) -> Option<String> {
    let repository = event.repository.as_ref()?;
    let path = repository.full_path.as_deref().or(repository.id.as_deref())?.to_ascii_lowercase();
    let host = repository.web_url.as_deref().and_then(host_of).unwrap_or_else(|| "-".to_owned());
    let object = match event.kind {
        EventKind::Pipeline => {
            let pipeline = event.pipeline.as_ref()?;
            // A re-run keeps the id: its attempt tells it apart, and the first keeps the plain key.
            let attempt = match pipeline.attempt {
                Some(n) if n > 1 => format!("#{n}"),
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
