//! The `webhooks` export: the core's pure webhook functions.

use forgelink::Code;

use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::exports::forgelink::connect::webhooks as wit;
use crate::convert::{coded_error, wit_provider, IntoWit};
use crate::Component;

/// A delivery names a provider the core knows but this WIT version does not only if the
/// core grew one first; an error is honest where a guessed case would not be.
pub(crate) fn provider(
    provider: forgelink::Provider,
) -> Result<wit_types::Provider, wit_types::Error> {
    wit_provider(provider).ok_or_else(|| {
        coded_error(
            Code::WebhookUnknownProvider,
            "The delivery comes from a provider this version of the component does not know.",
            Some(provider.as_str().to_owned()),
        )
    })
}

/// Numbers that do not fit the WIT's narrower integers saturate instead of wrapping, so a
/// huge index can never be read as a small, wrong one.
fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn status(status: forgelink::Status) -> wit::Status {
    match status {
        forgelink::Status::Pending => wit::Status::Pending,
        forgelink::Status::Running => wit::Status::Running,
        forgelink::Status::Success => wit::Status::Success,
        forgelink::Status::Failure => wit::Status::Failure,
        forgelink::Status::Canceled => wit::Status::Canceled,
        forgelink::Status::Skipped => wit::Status::Skipped,
        forgelink::Status::Manual => wit::Status::Manual,
    }
}

fn kind(kind: forgelink::EventKind) -> wit::EventKind {
    match kind {
        forgelink::EventKind::Push => wit::EventKind::Push,
        forgelink::EventKind::TagPush => wit::EventKind::TagPush,
        forgelink::EventKind::MergeRequest => wit::EventKind::MergeRequest,
        forgelink::EventKind::Pipeline => wit::EventKind::Pipeline,
        forgelink::EventKind::Job => wit::EventKind::Job,
        forgelink::EventKind::CommitStatus => wit::EventKind::CommitStatus,
        forgelink::EventKind::Ping => wit::EventKind::Ping,
        forgelink::EventKind::Other => wit::EventKind::Other,
    }
}

/// The event model, field for field.
pub(crate) fn event(event: forgelink::WebhookEvent) -> Result<wit::WebhookEvent, wit_types::Error> {
    Ok(wit::WebhookEvent {
        provider: provider(event.provider)?,
        kind: kind(event.kind),
        event: event.event,
        action: event.action,
        delivery_id: event.delivery_id,
        dedupe_key: event.dedupe_key,
        repository: event.repository.map(|r| wit::Repository {
            id: r.id,
            full_path: r.full_path,
            web_url: r.web_url,
            default_branch: r.default_branch,
        }),
        sender: event.sender.map(|a| wit::Actor { id: a.id, username: a.username, name: a.name }),
        ref_: event.r#ref,
        commit_sha: event.commit_sha,
        merge_request: event.merge_request.map(|m| wit::MergeRequest {
            number: m.number,
            title: m.title,
            state: m.state,
            source_branch: m.source_branch,
            target_branch: m.target_branch,
            url: m.url,
        }),
        pipeline: event.pipeline.map(|p| wit::Pipeline {
            id: p.id,
            status: status(p.status),
            raw_status: p.raw_status,
            ref_: p.r#ref,
            sha: p.sha,
            url: p.url,
            started_at: p.started_at,
            finished_at: p.finished_at,
        }),
        job: event.job.map(|j| wit::Job {
            id: j.id,
            name: j.name,
            stage: j.stage,
            status: status(j.status),
            raw_status: j.raw_status,
            failure_reason: j.failure_reason,
            url: j.url,
            pipeline_id: j.pipeline_id,
        }),
        commit_status: event.commit_status.map(|c| wit::CommitStatus {
            state: status(c.state),
            raw_state: c.raw_state,
            key: c.key,
            url: c.url,
        }),
    })
}

impl wit::Guest for Component {
    fn identify_webhook(
        headers: Vec<(String, String)>,
    ) -> Result<wit::WebhookIdentity, wit_types::Error> {
        let identity = forgelink::identify_webhook(&headers).map_err(IntoWit::into_wit)?;
        Ok(wit::WebhookIdentity {
            provider: provider(identity.provider)?,
            event: identity.event,
            delivery_id: identity.delivery_id,
            hook_id: identity.hook_id,
        })
    }

    fn verify_webhook(
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        secrets: Vec<String>,
        options: wit::VerifyOptions,
    ) -> Result<wit::Verified, wit_types::Error> {
        let secrets: Vec<forgelink::WebhookSecret> =
            secrets.into_iter().map(forgelink::WebhookSecret::new).collect();
        let options = forgelink::VerifyOptions {
            now: options.now,
            tolerance_seconds: options.tolerance_seconds,
            allow_unsigned: options.allow_unsigned,
            allow_sha1: options.allow_sha1,
        };
        let verified = forgelink::verify_webhook(&headers, &body, &secrets, &options)
            .map_err(IntoWit::into_wit)?;
        Ok(wit::Verified {
            provider: provider(verified.provider)?,
            scheme: match verified.scheme {
                forgelink::SignatureScheme::HmacSha256 => wit::SignatureScheme::HmacSha256,
                forgelink::SignatureScheme::HmacSha1 => wit::SignatureScheme::HmacSha1,
                forgelink::SignatureScheme::Token => wit::SignatureScheme::Token,
                forgelink::SignatureScheme::StandardWebhooks => {
                    wit::SignatureScheme::StandardWebhooks
                }
                forgelink::SignatureScheme::Unsigned => wit::SignatureScheme::Unsigned,
            },
            secret_index: verified.secret_index.map(saturate),
        })
    }

    fn parse_webhook(
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<wit::WebhookEvent, wit_types::Error> {
        event(forgelink::parse_webhook(&headers, &body).map_err(IntoWit::into_wit)?)
    }

    fn parse_repository_list(text: String, base_url: Option<String>) -> wit::RepositoryList {
        let list = forgelink::parse_repository_list(&text, base_url.as_deref());
        wit::RepositoryList {
            repositories: list.repositories,
            diagnostics: list
                .diagnostics
                .into_iter()
                .map(|line| wit::LineDiagnostic {
                    line: saturate(line.line),
                    diagnostic: line.diagnostic.into_wit(),
                })
                .collect(),
        }
    }
}
