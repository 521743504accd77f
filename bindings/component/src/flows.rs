//! The `flows` export: the core's connection flows over the imports.

use crate::bindings::exports::forgelink::connect::flows as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::convert::{FromWit, IntoWit};
use crate::host::{flows, run};
use crate::Component;

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "flows/connection": forgelink::Connection => wit::Connection;
    "flows/account": forgelink::Account => wit::Account;
    "flows/scope-status": forgelink::ScopeStatus => wit::ScopeStatus;
    "flows/connection-status": forgelink::ConnectionStatus => wit::ConnectionStatus;
    "flows/connection-report": forgelink::ConnectionReport => wit::ConnectionReport;
    "flows/check": forgelink::Check => wit::Check;
    "flows/check-status": forgelink::CheckStatus => wit::CheckStatus;
    "flows/disconnect-report": forgelink::DisconnectReport => wit::DisconnectReport;
    "flows/project-page": forgelink::ProjectPage => wit::ProjectPage;
    "flows/project": forgelink::Project => wit::Project;
    "flows/registration-result": forgelink::RegistrationResult => wit::RegistrationResult;
    "flows/registration-status": forgelink::RegistrationStatus => wit::RegistrationStatus;
    "flows/receipt": forgelink::Receipt => wit::Receipt;
    "flows/receipt-status": forgelink::ReceiptStatus => wit::ReceiptStatus;
    "flows/sync-mode": forgelink::SyncMode <=> wit::SyncMode;
    "flows/poll-result": forgelink::PollResult => wit::PollResult;
    "flows/poll-status": forgelink::PollStatus => wit::PollStatus;
    "flows/project-poll": forgelink::ProjectPoll => wit::ProjectPoll;
    "flows/feedback-result": forgelink::FeedbackResult => wit::FeedbackResult;
    "flows/feedback-action": forgelink::FeedbackAction => wit::FeedbackAction;
    "flows/skipped-target": forgelink::SkippedTarget => wit::SkippedTarget;
    "flows/app-webhook": forgelink::AppWebhook => wit::AppWebhook;
    "flows/connect-start-request": forgelink::ConnectStart <= wit::ConnectStartRequest;
    "flows/connect-started": forgelink::ConnectStarted => wit::ConnectStarted;
    "flows/connect-with-token-request": forgelink::ConnectWithToken <= wit::ConnectWithTokenRequest;
    "flows/replace-credentials-request": forgelink::ReplaceCredentials <= wit::ReplaceCredentialsRequest;
    "flows/create-github-app-request": forgelink::CreateGitHubApp <= wit::CreateGithubAppRequest;
    "flows/connect-github-app-request": forgelink::ConnectGitHubApp <= wit::ConnectGithubAppRequest;
    "flows/register-github-app-request": forgelink::RegisterGitHubApp <= wit::RegisterGithubAppRequest;
    "flows/discover-options": forgelink::DiscoverOptions <= wit::DiscoverOptions;
    "flows/register-webhooks-request": forgelink::RegisterWebhooks <= wit::RegisterWebhooksRequest;
    "flows/poll-options": forgelink::PollOptions <= wit::PollOptions;
    "flows/post-feedback-request": forgelink::PostFeedback <= wit::PostFeedbackRequest;
    "flows/feedback-policy": forgelink::FeedbackPolicy <= wit::FeedbackPolicy;
    "flows/disconnect-options": forgelink::DisconnectOptions <= wit::DisconnectOptions;
}

impl wit::Guest for Component {
    fn connect_start(
        request: wit::ConnectStartRequest,
    ) -> Result<wit::ConnectStarted, wit_types::Error> {
        let flows = flows()?;
        run(flows.connect_start(FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn connect_finish(
        callback_url: String,
        session: Option<String>,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        Ok(run(flows.connect_finish(&callback_url, session.as_deref()))?.into_wit())
    }

    fn connect_with_token(
        request: wit::ConnectWithTokenRequest,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        run(flows.connect_with_token(FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn replace_credentials(
        id: String,
        request: wit::ReplaceCredentialsRequest,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        run(flows.replace_credentials(&id, FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn access_token(id: String) -> Result<String, wit_types::Error> {
        let flows = flows()?;
        run(flows.access_token(&id)).map(|token| token.secret().to_owned())
    }

    fn test_connection(id: String) -> Result<wit::ConnectionReport, wit_types::Error> {
        let flows = flows()?;
        run(flows.test_connection(&id)).map(IntoWit::into_wit)
    }

    fn disconnect(id: String) -> Result<wit::DisconnectReport, wit_types::Error> {
        let flows = flows()?;
        run(flows.disconnect(&id)).map(IntoWit::into_wit)
    }

    fn disconnect_with(
        id: String,
        options: wit::DisconnectOptions,
    ) -> Result<wit::DisconnectReport, wit_types::Error> {
        let flows = flows()?;
        run(flows.disconnect_with(&id, FromWit::from_wit(options))).map(IntoWit::into_wit)
    }

    fn create_github_app(
        request: wit::CreateGithubAppRequest,
    ) -> Result<wit::GithubAppCredentials, wit_types::Error> {
        let flows = flows()?;
        run(flows.create_github_app(FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn connect_github_app(
        request: wit::ConnectGithubAppRequest,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        run(flows.connect_github_app(FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn installation_token(
        id: String,
        narrowing: wit::TokenNarrowing,
    ) -> Result<String, wit_types::Error> {
        let flows = flows()?;
        let narrowing = FromWit::from_wit(narrowing);
        run(flows.installation_token(&id, narrowing)).map(|token| token.secret().to_owned())
    }

    fn register_github_app(
        request: wit::RegisterGithubAppRequest,
    ) -> Result<wit::AppWebhook, wit_types::Error> {
        let flows = flows()?;
        run(flows.register_github_app(FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn discover_projects(
        id: String,
        options: wit::DiscoverOptions,
    ) -> Result<wit::ProjectPage, wit_types::Error> {
        let flows = flows()?;
        run(flows.discover_projects(&id, FromWit::from_wit(options))).map(IntoWit::into_wit)
    }

    fn register_webhooks(
        id: String,
        request: wit::RegisterWebhooksRequest,
    ) -> Result<Vec<wit::RegistrationResult>, wit_types::Error> {
        let flows = flows()?;
        run(flows.register_webhooks(&id, FromWit::from_wit(request))).map(IntoWit::into_wit)
    }

    fn unregister_webhooks(
        id: String,
        projects: Option<Vec<String>>,
    ) -> Result<Vec<wit::RegistrationResult>, wit_types::Error> {
        let flows = flows()?;
        run(flows.unregister_webhooks(&id, projects)).map(IntoWit::into_wit)
    }

    fn receive_webhook(
        route: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        options: wit::ReceiveOptions,
    ) -> Result<wit::Receipt, wit_types::Error> {
        let flows = flows()?;
        let defaults = forgelink::ReceiveOptions::default();
        let options = forgelink::ReceiveOptions {
            dedupe_seconds: options.dedupe_seconds.unwrap_or(defaults.dedupe_seconds),
            handling_seconds: options.handling_seconds.unwrap_or(defaults.handling_seconds),
            allow_unsigned_ping: options.allow_unsigned_ping,
            tolerance_seconds: options.tolerance_seconds,
        };
        run(flows.receive_webhook(&route, &headers, &body, options)).map(IntoWit::into_wit)
    }

    fn confirm_delivery(claim: String) -> Result<bool, wit_types::Error> {
        run(flows()?.confirm_delivery(&claim))
    }

    fn release_delivery(claim: String) -> Result<(), wit_types::Error> {
        run(flows()?.release_delivery(&claim))
    }

    fn poll_events(
        id: String,
        options: wit::PollOptions,
    ) -> Result<wit::PollResult, wit_types::Error> {
        let flows = flows()?;
        run(flows.poll_events(&id, FromWit::from_wit(options))).map(IntoWit::into_wit)
    }

    fn post_feedback(
        id: String,
        request: wit::PostFeedbackRequest,
    ) -> Result<wit::FeedbackResult, wit_types::Error> {
        let flows = flows()?;
        run(flows.post_feedback(&id, FromWit::from_wit(request))).map(IntoWit::into_wit)
    }
}
