//! The `webhooks` export: the core's pure webhook functions, and the hook registration
//! requests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use forgelink::{Code, WebhookSecret};

use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::exports::forgelink::connect::webhooks as wit;
use crate::bindings::forgelink::connect::http;
use crate::convert::{coded_error, core_provider, instance, wit_provider, IntoWit};
use crate::tokens::{prepared, response};
use crate::Component;

/// The random bytes behind a secret `manual-webhook-setup` generates: as many as the flows
/// draw for the hooks they register.
const SECRET_BYTES: usize = 32;

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
        state_key: event.state_key,
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
            attempt: p.attempt,
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

fn core_status(status: wit::Status) -> forgelink::Status {
    match status {
        wit::Status::Pending => forgelink::Status::Pending,
        wit::Status::Running => forgelink::Status::Running,
        wit::Status::Success => forgelink::Status::Success,
        wit::Status::Failure => forgelink::Status::Failure,
        wit::Status::Canceled => forgelink::Status::Canceled,
        wit::Status::Skipped => forgelink::Status::Skipped,
        wit::Status::Manual => forgelink::Status::Manual,
    }
}

fn core_kind(kind: wit::EventKind) -> forgelink::EventKind {
    match kind {
        wit::EventKind::Push => forgelink::EventKind::Push,
        wit::EventKind::TagPush => forgelink::EventKind::TagPush,
        wit::EventKind::MergeRequest => forgelink::EventKind::MergeRequest,
        wit::EventKind::Pipeline => forgelink::EventKind::Pipeline,
        wit::EventKind::Job => forgelink::EventKind::Job,
        wit::EventKind::CommitStatus => forgelink::EventKind::CommitStatus,
        wit::EventKind::Ping => forgelink::EventKind::Ping,
        wit::EventKind::Other => forgelink::EventKind::Other,
    }
}

/// The event model back into the core's, field for field: the inverse of [`event`].
pub(crate) fn core_event(event: wit::WebhookEvent) -> forgelink::WebhookEvent {
    forgelink::WebhookEvent {
        provider: core_provider(event.provider),
        kind: core_kind(event.kind),
        event: event.event,
        action: event.action,
        delivery_id: event.delivery_id,
        dedupe_key: event.dedupe_key,
        state_key: event.state_key,
        repository: event.repository.map(|r| forgelink::Repository {
            id: r.id,
            full_path: r.full_path,
            web_url: r.web_url,
            default_branch: r.default_branch,
        }),
        sender: event.sender.map(|a| forgelink::Actor {
            id: a.id,
            username: a.username,
            name: a.name,
        }),
        r#ref: event.ref_,
        commit_sha: event.commit_sha,
        merge_request: event.merge_request.map(|m| forgelink::MergeRequest {
            number: m.number,
            title: m.title,
            state: m.state,
            source_branch: m.source_branch,
            target_branch: m.target_branch,
            url: m.url,
        }),
        pipeline: event.pipeline.map(|p| forgelink::Pipeline {
            id: p.id,
            attempt: p.attempt,
            status: core_status(p.status),
            raw_status: p.raw_status,
            r#ref: p.ref_,
            sha: p.sha,
            url: p.url,
            started_at: p.started_at,
            finished_at: p.finished_at,
        }),
        job: event.job.map(|j| forgelink::Job {
            id: j.id,
            name: j.name,
            stage: j.stage,
            status: core_status(j.status),
            raw_status: j.raw_status,
            failure_reason: j.failure_reason,
            url: j.url,
            pipeline_id: j.pipeline_id,
        }),
        commit_status: event.commit_status.map(|c| forgelink::CommitStatus {
            state: core_status(c.state),
            raw_state: c.raw_state,
            key: c.key,
            url: c.url,
        }),
    }
}

/// Events that cannot be converted (a provider this WIT version lacks) are left out: a list
/// of events is read for what it holds, and one unknown provider must not hide the rest.
pub(crate) fn events(events: Vec<forgelink::WebhookEvent>) -> Vec<wit::WebhookEvent> {
    events.into_iter().filter_map(|e| event(e).ok()).collect()
}

fn hook_spec(spec: wit::HookSpec) -> forgelink::HookSpec {
    forgelink::HookSpec {
        url: spec.url,
        secret: WebhookSecret::new(spec.secret),
        signing_secret: spec.signing_secret.map(WebhookSecret::new),
        events: spec.events,
    }
}

fn hook(hook: forgelink::Hook) -> wit::Hook {
    wit::Hook {
        id: hook.id,
        url: hook.url,
        events: hook.events,
        active: hook.active,
        disabled_until: hook.disabled_until,
        signing_token_set: hook.signing_token_set,
    }
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

    fn prepare_create_hook(
        instance: wit_types::Instance,
        token: String,
        project: String,
        hook: wit::HookSpec,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        prepared(forgelink::prepare_create_hook(&endpoints, &token, &project, &hook_spec(hook)))
    }

    fn prepare_update_hook(
        instance: wit_types::Instance,
        token: String,
        project: String,
        hook_id: String,
        hook: wit::HookSpec,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let spec = hook_spec(hook);
        prepared(forgelink::prepare_update_hook(&endpoints, &token, &project, &hook_id, &spec))
    }

    fn prepare_delete_hook(
        instance: wit_types::Instance,
        token: String,
        project: String,
        hook_id: String,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        prepared(forgelink::prepare_delete_hook(&endpoints, &token, &project, &hook_id))
    }

    fn prepare_list_hooks(
        instance: wit_types::Instance,
        token: String,
        project: String,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        prepared(forgelink::prepare_list_hooks(&endpoints, &token, &project))
    }

    fn parse_hook(
        provider: wit_types::Provider,
        response: http::Response,
    ) -> Result<wit::Hook, wit_types::Error> {
        forgelink::parse_hook(core_provider(provider), &self::response(response))
            .map(self::hook)
            .map_err(IntoWit::into_wit)
    }

    fn parse_hook_list(
        provider: wit_types::Provider,
        request_url: String,
        response: http::Response,
    ) -> Result<wit::HookPage, wit_types::Error> {
        let page = forgelink::parse_hook_list(
            core_provider(provider),
            &request_url,
            &self::response(response),
        )
        .map_err(IntoWit::into_wit)?;
        Ok(wit::HookPage {
            hooks: page.hooks.into_iter().map(self::hook).collect(),
            next: page.next,
        })
    }

    fn manual_webhook_setup(
        request: wit::ManualWebhookSetupRequest,
    ) -> Result<wit::ManualSetup, wit_types::Error> {
        // The host's CSPRNG, as for the flows' own secrets; a short answer is refused rather
        // than turned into a guessable secret.
        let bytes = crate::bindings::wasi::random::random::get_random_bytes(SECRET_BYTES as u64);
        if bytes.len() < SECRET_BYTES {
            return Err(coded_error(
                Code::InputInsufficientEntropy,
                "The host's random source returned fewer bytes than a webhook secret needs.",
                None,
            ));
        }
        let secret = WebhookSecret::new(URL_SAFE_NO_PAD.encode(&bytes[..SECRET_BYTES]));
        let setup = forgelink::manual_webhook_setup(
            core_provider(request.provider),
            request.base_url.as_deref(),
            &request.project,
            &request.url,
            &request.profile,
            &secret,
        )
        .map_err(IntoWit::into_wit)?;
        Ok(wit::ManualSetup {
            url: setup.url,
            secret: setup.secret,
            events: setup.events,
            steps: setup.steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_event(
        kind: forgelink::EventKind,
        status: forgelink::Status,
    ) -> forgelink::WebhookEvent {
        let text = |s: &str| Some(s.to_owned());
        forgelink::WebhookEvent {
            provider: forgelink::Provider::GitLab,
            kind,
            event: "Pipeline Hook".into(),
            action: text("update"),
            delivery_id: text("d-1"),
            dedupe_key: "dedupe".into(),
            state_key: text("gitlab:h:g/p:pipeline:1:failure"),
            repository: Some(forgelink::Repository {
                id: text("1"),
                full_path: text("g/p"),
                web_url: text("https://h/g/p"),
                default_branch: text("main"),
            }),
            sender: Some(forgelink::Actor {
                id: text("2"),
                username: text("ada"),
                name: text("Ada"),
            }),
            r#ref: text("main"),
            commit_sha: text("abc"),
            merge_request: Some(forgelink::MergeRequest {
                number: Some(5),
                title: text("t"),
                state: text("open"),
                source_branch: text("a"),
                target_branch: text("b"),
                url: text("u"),
            }),
            pipeline: Some(forgelink::Pipeline {
                id: text("1"),
                attempt: None,
                status,
                raw_status: "failed".into(),
                r#ref: text("main"),
                sha: text("abc"),
                url: text("u"),
                started_at: text("s"),
                finished_at: text("f"),
            }),
            job: Some(forgelink::Job {
                id: text("3"),
                name: text("rspec"),
                stage: text("test"),
                status,
                raw_status: "failed".into(),
                failure_reason: text("script_failure"),
                url: text("u"),
                pipeline_id: text("1"),
            }),
            commit_status: Some(forgelink::CommitStatus {
                state: status,
                raw_state: "FAILED".into(),
                key: text("ci"),
                url: text("u"),
            }),
        }
    }

    #[test]
    fn events_cross_the_boundary_and_back_unchanged() {
        let kinds = [
            forgelink::EventKind::Push,
            forgelink::EventKind::TagPush,
            forgelink::EventKind::MergeRequest,
            forgelink::EventKind::Pipeline,
            forgelink::EventKind::Job,
            forgelink::EventKind::CommitStatus,
            forgelink::EventKind::Ping,
            forgelink::EventKind::Other,
        ];
        let statuses = [
            forgelink::Status::Pending,
            forgelink::Status::Running,
            forgelink::Status::Success,
            forgelink::Status::Failure,
            forgelink::Status::Canceled,
            forgelink::Status::Skipped,
            forgelink::Status::Manual,
        ];
        for (kind, status) in kinds.into_iter().zip(statuses.into_iter().cycle()) {
            let original = full_event(kind, status);
            let crossed = event(original.clone()).map(core_event).map_err(|e| e.code);
            assert_eq!(crossed, Ok(original));
        }
    }
}
