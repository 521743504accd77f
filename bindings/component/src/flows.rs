//! The `flows` export: the core's connection flows over the imports.

use forgelink::{AccessToken, AuthorizationCode, ClientSecret, SessionBinding};

use crate::bindings::exports::forgelink::connect::flows as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::convert::{core_provider, FromWit, IntoWit};
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
}

impl wit::Guest for Component {
    fn connect_start(
        request: wit::ConnectStartRequest,
    ) -> Result<wit::ConnectStarted, wit_types::Error> {
        let flows = flows()?;
        let start = forgelink::ConnectStart {
            provider: core_provider(request.provider),
            base_url: request.base_url,
            client_id: request.client_id,
            client_secret: request.client_secret.map(ClientSecret::new),
            redirect_uri: request.redirect_uri,
            profile: request.profile,
            scopes: request.scopes,
            pkce: request.pkce,
            root_namespace_id: request.root_namespace_id,
            session: request.session.map(SessionBinding::new),
            connection_id: request.connection_id,
        };
        let started = run(flows.connect_start(start))?;
        Ok(wit::ConnectStarted { url: started.url, state: started.state })
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
        let input = forgelink::ConnectWithToken {
            provider: core_provider(request.provider),
            base_url: request.base_url,
            token: AccessToken::new(request.token),
            username: request.username,
            profile: request.profile,
        };
        Ok(run(flows.connect_with_token(input))?.into_wit())
    }

    fn replace_credentials(
        id: String,
        request: wit::ReplaceCredentialsRequest,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        let input = forgelink::ReplaceCredentials {
            token: AccessToken::new(request.token),
            username: request.username,
        };
        Ok(run(flows.replace_credentials(&id, input))?.into_wit())
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
        let options = forgelink::DisconnectOptions { uninstall: options.uninstall };
        run(flows.disconnect_with(&id, options)).map(IntoWit::into_wit)
    }

    fn create_github_app(
        request: wit::CreateGithubAppRequest,
    ) -> Result<wit::GithubAppCredentials, wit_types::Error> {
        let flows = flows()?;
        let input = forgelink::CreateGitHubApp { base_url: request.base_url, code: request.code };
        run(flows.create_github_app(input)).map(IntoWit::into_wit)
    }

    fn connect_github_app(
        request: wit::ConnectGithubAppRequest,
    ) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        let input = forgelink::ConnectGitHubApp {
            base_url: request.base_url,
            app_id: request.app_id,
            client_id: request.client_id,
            installation_id: request.installation_id,
            profile: request.profile,
            code: request.code.map(AuthorizationCode::new),
            client_secret: request.client_secret.map(ClientSecret::new),
            redirect_uri: request.redirect_uri,
        };
        Ok(run(flows.connect_github_app(input))?.into_wit())
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
        let input = forgelink::RegisterGitHubApp {
            base_url: request.base_url,
            app_id: request.app_id,
            client_id: request.client_id,
            url: request.url,
        };
        let webhook = run(flows.register_github_app(input))?;
        Ok(wit::AppWebhook { url: webhook.url, route: webhook.route })
    }

    fn discover_projects(
        id: String,
        options: wit::DiscoverOptions,
    ) -> Result<wit::ProjectPage, wit_types::Error> {
        let flows = flows()?;
        let options = forgelink::DiscoverOptions {
            search: options.search,
            cursor: options.cursor,
            exclude: options.exclude,
        };
        run(flows.discover_projects(&id, options)).map(IntoWit::into_wit)
    }

    fn register_webhooks(
        id: String,
        request: wit::RegisterWebhooksRequest,
    ) -> Result<Vec<wit::RegistrationResult>, wit_types::Error> {
        let flows = flows()?;
        let request = forgelink::RegisterWebhooks {
            projects: request.projects,
            url: request.url,
            profile: request.profile,
        };
        run(flows.register_webhooks(&id, request)).map(IntoWit::into_wit)
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
        let options = forgelink::PollOptions {
            projects: options.projects,
            since: options.since,
            cursor: options.cursor,
            lookback_days: options.lookback_days,
            mode: options.mode.map(FromWit::from_wit),
            interval_seconds: options.interval_seconds,
            max_requests: options.max_requests,
        };
        run(flows.poll_events(&id, options)).map(IntoWit::into_wit)
    }

    fn post_feedback(
        id: String,
        request: wit::PostFeedbackRequest,
    ) -> Result<wit::FeedbackResult, wit_types::Error> {
        let flows = flows()?;
        let request = forgelink::PostFeedback {
            project: request.project,
            merge_request: request.merge_request,
            commit_sha: request.commit_sha,
            issue: request.issue,
            issue_title: request.issue_title,
            body: request.body,
            key: request.key,
            policy: request.policy.map(|policy| forgelink::FeedbackPolicy {
                order: FromWit::from_wit(policy.order),
                update_existing: policy.update_existing,
            }),
        };
        run(flows.post_feedback(&id, request)).map(IntoWit::into_wit)
    }
}
