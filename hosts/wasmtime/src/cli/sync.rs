//! `forgelink-host poll` and `forgelink-host feedback`: connect with an access token, poll
//! projects for what happened or post feedback on one, and forget the connection again.

use std::fmt::Write as _;
use std::io::Read;

use forgelink_host::{json, wit, Plugin, Runtime};

use super::check::{connect_failure, line, one_line, steps};
use super::session::{instantiate, ConnectionFlags};
use crate::{print_json, print_text, usage, Args, Failure, Options};

/// The most Markdown `feedback` reads: far more than any provider keeps in one comment.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

fn whole<T: std::str::FromStr>(option: &str, text: &str) -> Result<T, Failure> {
    text.trim().parse().map_err(|_| usage(format!("{option} takes a whole number, not {text:?}")))
}

/// Connects in an instance of its own, runs `work` on the connection, then disconnects, so
/// that nothing of the command outlives it. A connection that cannot be made is explained
/// in words, or as JSON with `json`.
fn with_connection<T>(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &Options,
    connect: &wit::ConnectWithTokenRequest,
    json: bool,
    work: impl FnOnce(&mut Plugin, &str) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let (plugin, temporary) = instantiate(runtime, plugin_slot, options)?;
    let connection = match plugin.connect_with_token(connect)? {
        Ok(connection) => connection,
        Err(error) if json => return Err(Failure::Forgelink(Box::new(error))),
        Err(error) => {
            print_text(&connect_failure(&error))?;
            return Err(Failure::Done(1));
        }
    };
    let outcome = work(plugin, &connection.id);
    // A token connection revokes nothing on disconnect and registered no hooks: this only
    // deletes its sealed records.
    let _ = plugin.disconnect(&connection.id);
    drop(temporary);
    outcome
}

/// Runs `poll`.
pub fn poll(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &mut Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let mut connection = ConnectionFlags::default();
    let mut poll = wit::PollOptions {
        projects: Vec::new(),
        since: None,
        cursor: None,
        lookback_days: None,
        mode: Some(wit::SyncMode::Polling),
        interval_seconds: None,
        max_requests: None,
    };
    let mut json = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--project" => poll.projects.push(args.value(&arg)?),
            "--since" => poll.since = Some(whole(&arg, &args.value(&arg)?)?),
            "--cursor" => poll.cursor = Some(args.value(&arg)?),
            "--lookback-days" => poll.lookback_days = Some(whole(&arg, &args.value(&arg)?)?),
            "--max-requests" => poll.max_requests = Some(whole(&arg, &args.value(&arg)?)?),
            "--json" => json = true,
            _ if connection.take(&arg, args, &mut options.http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for poll"))),
        }
    }
    if poll.projects.is_empty() {
        return Err(usage("poll needs at least one --project PATH"));
    }
    let connect = connection.request("poll")?;
    let result = with_connection(runtime, plugin_slot, options, &connect, json, |plugin, id| {
        plugin.poll_events(id, &poll).map_err(Failure::from)
    })?;
    let result = result.map_err(|error| Failure::Forgelink(Box::new(error)))?;
    if json {
        print_json(&json::poll_result(&result))?;
    } else {
        print_text(&human_poll(&result))?;
    }
    let failed = result.projects.iter().any(|project| project.code.is_some());
    match result.status {
        wit::PollStatus::Complete if !failed => Ok(()),
        _ => Err(Failure::Done(1)),
    }
}

fn event_line(out: &mut String, event: &wit::WebhookEvent) {
    let status = event
        .pipeline
        .as_ref()
        .map(|p| p.status)
        .or(event.job.as_ref().map(|j| j.status))
        .or(event.commit_status.as_ref().map(|c| c.state))
        .map(json::status_id)
        .or(event.merge_request.as_ref().and_then(|m| m.state.clone()))
        .unwrap_or_else(|| "-".into());
    let url = event
        .pipeline
        .as_ref()
        .and_then(|p| p.url.as_deref())
        .or(event.job.as_ref().and_then(|j| j.url.as_deref()))
        .or(event.merge_request.as_ref().and_then(|m| m.url.as_deref()))
        .or(event.commit_status.as_ref().and_then(|c| c.url.as_deref()))
        .unwrap_or("");
    let key = event.state_key.as_deref().unwrap_or(&event.dedupe_key);
    let _ = writeln!(
        out,
        "{:<14}  {status:<8}  {}  {}",
        json::event_kind_id(event.kind),
        one_line(key),
        one_line(url)
    );
}

fn human_poll(result: &wit::PollResult) -> String {
    let mut out = String::new();
    for event in &result.events {
        event_line(&mut out, event);
    }
    for project in &result.projects {
        let status = if project.complete && project.code.is_none() { "pass" } else { "fail" };
        let summary = format!(
            "{} new, {} seen before, from {}",
            project.events, project.duplicates, project.since
        );
        let summary = match &project.message {
            Some(message) => format!("{summary}; {message}"),
            None => summary,
        };
        line(&mut out, status, &project.project, project.code.as_deref(), &summary);
        if let Some(guidance) = &project.guidance {
            steps(&mut out, guidance);
        }
    }
    let _ = writeln!(out, "cursor: {}", result.cursor);
    let next = result.next_poll_at.map_or_else(String::new, |at| format!("; poll again at {at}"));
    let _ = write!(
        out,
        "{}: {} new events, {} seen before{next}",
        json::poll_status_id(result.status),
        result.events.len(),
        result.duplicates
    );
    out
}

/// Runs `feedback`.
pub fn feedback(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &mut Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let mut connection = ConnectionFlags::default();
    let mut request = wit::PostFeedbackRequest {
        project: String::new(),
        merge_request: None,
        commit_sha: None,
        issue: None,
        issue_title: None,
        body: String::new(),
        key: None,
        policy: None,
    };
    let (mut body_path, mut order, mut update_existing) = (None, Vec::new(), true);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--project" => request.project = args.value(&arg)?,
            "--merge-request" => request.merge_request = Some(whole(&arg, &args.value(&arg)?)?),
            "--commit" => request.commit_sha = Some(args.value(&arg)?),
            "--issue" => request.issue = Some(whole(&arg, &args.value(&arg)?)?),
            "--issue-title" => request.issue_title = Some(args.value(&arg)?),
            "--key" => request.key = Some(args.value(&arg)?),
            "--body" => body_path = Some(args.value(&arg)?),
            "--target" => {
                let id = args.value(&arg)?;
                order.push(json::parse_feedback_target(&id).ok_or_else(|| {
                    usage(format!("--target takes merge_request, commit or issue, not {id:?}"))
                })?);
            }
            "--no-update" => update_existing = false,
            _ if connection.take(&arg, args, &mut options.http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for feedback"))),
        }
    }
    if request.project.is_empty() {
        return Err(usage("feedback needs --project PATH"));
    }
    if !order.is_empty() || !update_existing {
        if order.is_empty() {
            order = vec![
                wit::FeedbackTarget::MergeRequest,
                wit::FeedbackTarget::Commit,
                wit::FeedbackTarget::Issue,
            ];
        }
        request.policy = Some(wit::FeedbackPolicy { order, update_existing });
    }
    let connect = connection.request("feedback")?;
    request.body = markdown(body_path.as_deref())?;
    let result = with_connection(runtime, plugin_slot, options, &connect, true, |plugin, id| {
        plugin.post_feedback(id, &request).map_err(Failure::from)
    })?;
    let result = result.map_err(|error| Failure::Forgelink(Box::new(error)))?;
    print_json(&json::feedback_result(&result))
}

/// The Markdown to post, from a file or stdin (without a path, or with `-`).
fn markdown(path: Option<&str>) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let outcome = match path {
        None | Some("-") => {
            std::io::stdin().lock().take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes)
        }
        Some(path) => std::fs::File::open(path)
            .and_then(|file| file.take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes)),
    };
    outcome.map_err(|error| {
        Failure::Host(format!("cannot read the body from {}: {error}", path.unwrap_or("stdin")))
    })?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(usage(format!("the body holds more than {MAX_BODY_BYTES} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| usage("the body is not valid UTF-8"))
}
