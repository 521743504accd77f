//! The `webhooks` export: the core's pure webhook functions, and the hook registration
//! requests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use forgelink::{Code, WebhookSecret};

use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::exports::forgelink::connect::webhooks as wit;
use crate::bindings::forgelink::connect::http;
use crate::convert::{coded_error, core_provider, instance, FromWit, IntoWit};
use crate::host::HostHmac;
use crate::tokens::{prepared, response};
use crate::Component;

/// The random bytes behind a secret `manual-webhook-setup` generates: as many as the flows
/// draw for the hooks they register.
const SECRET_BYTES: usize = 32;

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "webhooks/webhook-event": forgelink::WebhookEvent <=> wit::WebhookEvent;
    "webhooks/event-kind": forgelink::EventKind <=> wit::EventKind;
    "webhooks/repository": forgelink::Repository <=> wit::Repository;
    "webhooks/actor": forgelink::Actor <=> wit::Actor;
    "webhooks/merge-request": forgelink::MergeRequest <=> wit::MergeRequest;
    "webhooks/pipeline": forgelink::Pipeline <=> wit::Pipeline;
    "webhooks/job": forgelink::Job <=> wit::Job;
    "webhooks/commit-status": forgelink::CommitStatus <=> wit::CommitStatus;
    "webhooks/status": forgelink::Status <=> wit::Status;
    "webhooks/manual-setup": forgelink::ManualSetup => wit::ManualSetup;
    "webhooks/hook": forgelink::Hook => wit::Hook;
    "webhooks/hook-page": forgelink::HookPage => wit::HookPage;
    "webhooks/hook-access": forgelink::WebhookAccess => wit::HookAccess;
    "webhooks/hook-spec": forgelink::HookSpec <= wit::HookSpec;
    "webhooks/webhook-identity": forgelink::WebhookIdentity => wit::WebhookIdentity;
    "webhooks/verify-options": forgelink::VerifyOptions <= wit::VerifyOptions;
    "webhooks/verified": forgelink::Verified => wit::Verified;
    "webhooks/signature-scheme": forgelink::SignatureScheme => wit::SignatureScheme;
    "webhooks/repository-list": forgelink::RepositoryList => wit::RepositoryList;
    "webhooks/line-diagnostic": forgelink::LineDiagnostic => wit::LineDiagnostic;
}

impl wit::Guest for Component {
    fn identify_webhook(
        headers: Vec<(String, String)>,
    ) -> Result<wit::WebhookIdentity, wit_types::Error> {
        forgelink::identify_webhook(&headers).map(IntoWit::into_wit).map_err(IntoWit::into_wit)
    }

    fn verify_webhook(
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        secrets: Vec<String>,
        options: wit::VerifyOptions,
    ) -> Result<wit::Verified, wit_types::Error> {
        let secrets: Vec<forgelink::WebhookSecret> =
            secrets.into_iter().map(forgelink::WebhookSecret::new).collect();
        let options = FromWit::from_wit(options);
        forgelink::verify_webhook_with(&headers, &body, &secrets, &options, &HostHmac)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn parse_webhook(
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<wit::WebhookEvent, wit_types::Error> {
        Ok(forgelink::parse_webhook(&headers, &body).map_err(IntoWit::into_wit)?.into_wit())
    }

    fn parse_repository_list(text: String, base_url: Option<String>) -> wit::RepositoryList {
        forgelink::parse_repository_list(&text, base_url.as_deref()).into_wit()
    }

    fn prepare_create_hook(
        instance: wit_types::Instance,
        token: String,
        project: String,
        hook: wit::HookSpec,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        prepared(forgelink::prepare_create_hook(
            &endpoints,
            &token,
            &project,
            &FromWit::from_wit(hook),
        ))
    }

    fn prepare_update_hook(
        instance: wit_types::Instance,
        token: String,
        project: String,
        hook_id: String,
        hook: wit::HookSpec,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let spec: forgelink::HookSpec = FromWit::from_wit(hook);
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
            .map(IntoWit::into_wit)
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
        Ok(page.into_wit())
    }

    fn webhook_access(provider: wit_types::Provider, role: String) -> Option<wit::HookAccess> {
        forgelink::webhook_access(core_provider(provider), &role).into_wit()
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
            let crossed: wit::WebhookEvent = original.clone().into_wit();
            assert_eq!(forgelink::WebhookEvent::from_wit(crossed), original);
        }
    }
}
