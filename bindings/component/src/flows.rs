//! The `flows` export: the core's connection flows over the imports.

use forgelink::{AccessToken, AuthorizationCode, ClientSecret, Code, SessionBinding};

use crate::bindings::exports::forgelink::connect::flows as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::convert::{coded_error, core_provider, wit_provider, IntoWit};
use crate::host::{flows, run};
use crate::Component;

/// A provider from storage has no WIT case only if a newer core wrote the record; say so
/// rather than guess.
fn provider(provider: forgelink::Provider) -> Result<wit_types::Provider, wit_types::Error> {
    wit_provider(provider).ok_or_else(|| {
        coded_error(
            Code::ProviderUnknown,
            "The connection belongs to a provider this version of the component does not know.",
            Some(provider.as_str().to_owned()),
        )
    })
}

fn connection(connection: forgelink::Connection) -> Result<wit::Connection, wit_types::Error> {
    Ok(wit::Connection {
        provider: provider(connection.provider)?,
        id: connection.id,
        base_url: connection.base_url,
        account: wit::Account {
            id: connection.account.id,
            username: connection.account.username,
            name: connection.account.name,
            web_url: connection.account.web_url,
        },
        scopes: wit::ScopeStatus {
            granted: connection.scopes.granted,
            missing: connection.scopes.missing,
        },
        expires_at: connection.expires_at,
        server_version: connection.server_version,
        status: match connection.status {
            forgelink::ConnectionStatus::Active => wit::ConnectionStatus::Active,
            forgelink::ConnectionStatus::NeedsReauthorization => {
                wit::ConnectionStatus::NeedsReauthorization
            }
        },
        installation: connection.installation.map(crate::github_app::installation),
    })
}

impl IntoWit<wit::Check> for forgelink::Check {
    fn into_wit(self) -> wit::Check {
        wit::Check {
            name: self.name.to_owned(),
            status: match self.status {
                forgelink::CheckStatus::Pass => wit::CheckStatus::Pass,
                forgelink::CheckStatus::Warn => wit::CheckStatus::Warn,
                forgelink::CheckStatus::Fail => wit::CheckStatus::Fail,
            },
            code: self.code.map(|code| code.as_str().to_owned()),
            message: self.message,
            guidance: self.guidance.map(IntoWit::into_wit),
        }
    }
}

fn registration_result(result: forgelink::RegistrationResult) -> wit::RegistrationResult {
    wit::RegistrationResult {
        project: result.project,
        status: match result.status {
            forgelink::RegistrationStatus::Created => wit::RegistrationStatus::Created,
            forgelink::RegistrationStatus::Updated => wit::RegistrationStatus::Updated,
            forgelink::RegistrationStatus::Removed => wit::RegistrationStatus::Removed,
            forgelink::RegistrationStatus::ManualSetupRequired => {
                wit::RegistrationStatus::ManualSetupRequired
            }
            forgelink::RegistrationStatus::Failed => wit::RegistrationStatus::Failed,
            forgelink::RegistrationStatus::CoveredByApp => wit::RegistrationStatus::CoveredByApp,
        },
        hook_id: result.hook_id,
        code: result.code.map(|code| code.as_str().to_owned()),
        message: result.message,
        guidance: result.guidance.map(IntoWit::into_wit),
        manual_setup: result.manual_setup.map(|setup| wit::ManualSetup {
            url: setup.url,
            secret: setup.secret,
            events: setup.events,
            steps: setup.steps,
        }),
    }
}

fn sync_mode(mode: forgelink::SyncMode) -> wit::SyncMode {
    match mode {
        forgelink::SyncMode::Webhook => wit::SyncMode::Webhook,
        forgelink::SyncMode::Polling => wit::SyncMode::Polling,
        forgelink::SyncMode::Hybrid => wit::SyncMode::Hybrid,
    }
}

fn core_sync_mode(mode: wit::SyncMode) -> forgelink::SyncMode {
    match mode {
        wit::SyncMode::Webhook => forgelink::SyncMode::Webhook,
        wit::SyncMode::Polling => forgelink::SyncMode::Polling,
        wit::SyncMode::Hybrid => forgelink::SyncMode::Hybrid,
    }
}

fn poll_result(result: forgelink::PollResult) -> wit::PollResult {
    wit::PollResult {
        status: match result.status {
            forgelink::PollStatus::Complete => wit::PollStatus::Complete,
            forgelink::PollStatus::Incomplete => wit::PollStatus::Incomplete,
            forgelink::PollStatus::Disabled => wit::PollStatus::Disabled,
        },
        mode: sync_mode(result.mode),
        events: crate::webhooks::events(result.events),
        duplicates: result.duplicates,
        cursor: result.cursor,
        next_poll_at: result.next_poll_at,
        rate_limit: result.rate_limit.map(IntoWit::into_wit),
        projects: result
            .projects
            .into_iter()
            .map(|project| wit::ProjectPoll {
                project: project.project,
                since: project.since,
                events: project.events,
                duplicates: project.duplicates,
                complete: project.complete,
                code: project.code.map(|code| code.as_str().to_owned()),
                message: project.message,
                guidance: project.guidance.map(IntoWit::into_wit),
            })
            .collect(),
    }
}

fn feedback_result(result: forgelink::FeedbackResult) -> wit::FeedbackResult {
    wit::FeedbackResult {
        target: crate::feedback::target(result.target),
        action: match result.action {
            forgelink::FeedbackAction::Created => wit::FeedbackAction::Created,
            forgelink::FeedbackAction::Updated => wit::FeedbackAction::Updated,
        },
        comment_id: result.comment_id,
        url: result.url,
        issue: result.issue,
        skipped: result
            .skipped
            .into_iter()
            .map(|skipped| wit::SkippedTarget {
                target: crate::feedback::target(skipped.target),
                code: skipped.code.map(|code| code.as_str().to_owned()),
                message: skipped.message,
            })
            .collect(),
    }
}

fn disconnect_report(report: forgelink::DisconnectReport) -> wit::DisconnectReport {
    wit::DisconnectReport {
        revoked: report.revoked,
        webhooks: registration_results(report.webhooks),
        manual_steps: report.manual_steps.iter().map(|step| (*step).to_owned()).collect(),
        uninstalled: report.uninstalled,
        uninstall_url: report.uninstall_url,
    }
}

fn registration_results(
    results: Vec<forgelink::RegistrationResult>,
) -> Vec<wit::RegistrationResult> {
    results.into_iter().map(registration_result).collect()
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
        connection(run(flows.connect_finish(&callback_url, session.as_deref()))?)
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
        connection(run(flows.connect_with_token(input))?)
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
        connection(run(flows.replace_credentials(&id, input))?)
    }

    fn access_token(id: String) -> Result<String, wit_types::Error> {
        let flows = flows()?;
        run(flows.access_token(&id)).map(|token| token.secret().to_owned())
    }

    fn test_connection(id: String) -> Result<wit::ConnectionReport, wit_types::Error> {
        let flows = flows()?;
        let report = run(flows.test_connection(&id))?;
        Ok(wit::ConnectionReport {
            ok: report.ok,
            checks: report.checks.into_iter().map(IntoWit::into_wit).collect(),
            connection: connection(report.connection)?,
            observed: report.observed,
        })
    }

    fn disconnect(id: String) -> Result<wit::DisconnectReport, wit_types::Error> {
        let flows = flows()?;
        run(flows.disconnect(&id)).map(disconnect_report)
    }

    fn disconnect_with(
        id: String,
        options: wit::DisconnectOptions,
    ) -> Result<wit::DisconnectReport, wit_types::Error> {
        let flows = flows()?;
        let options = forgelink::DisconnectOptions { uninstall: options.uninstall };
        run(flows.disconnect_with(&id, options)).map(disconnect_report)
    }

    fn create_github_app(
        request: wit::CreateGithubAppRequest,
    ) -> Result<wit::GithubAppCredentials, wit_types::Error> {
        let flows = flows()?;
        let input = forgelink::CreateGitHubApp { base_url: request.base_url, code: request.code };
        run(flows.create_github_app(input)).map(crate::github_app::credentials)
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
        connection(run(flows.connect_github_app(input))?)
    }

    fn installation_token(
        id: String,
        narrowing: wit::TokenNarrowing,
    ) -> Result<String, wit_types::Error> {
        let flows = flows()?;
        let narrowing = crate::github_app::narrowing(narrowing);
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
        let page = run(flows.discover_projects(&id, options))?;
        Ok(wit::ProjectPage {
            projects: page
                .projects
                .into_iter()
                .map(|project| wit::Project {
                    id: project.id,
                    path: project.path,
                    name: project.name,
                    web_url: project.web_url,
                    default_branch: project.default_branch,
                    role: project.role,
                    sha256: project.sha256,
                    guidance: project.guidance.map(IntoWit::into_wit),
                })
                .collect(),
            next_cursor: page.next_cursor,
            excluded: page.excluded,
        })
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
        run(flows.register_webhooks(&id, request)).map(registration_results)
    }

    fn unregister_webhooks(
        id: String,
        projects: Option<Vec<String>>,
    ) -> Result<Vec<wit::RegistrationResult>, wit_types::Error> {
        let flows = flows()?;
        run(flows.unregister_webhooks(&id, projects)).map(registration_results)
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
        let receipt = run(flows.receive_webhook(&route, &headers, &body, options))?;
        Ok(wit::Receipt {
            status: match receipt.status {
                forgelink::ReceiptStatus::Accepted => wit::ReceiptStatus::Accepted,
                forgelink::ReceiptStatus::Duplicate => wit::ReceiptStatus::Duplicate,
                forgelink::ReceiptStatus::Pending => wit::ReceiptStatus::Pending,
                forgelink::ReceiptStatus::Rejected => wit::ReceiptStatus::Rejected,
                forgelink::ReceiptStatus::Ignored => wit::ReceiptStatus::Ignored,
            },
            event: receipt.event.map(crate::webhooks::event).transpose()?,
            connection_id: receipt.connection_id,
            project: receipt.project,
            claim: receipt.claim,
            retry_after_seconds: receipt.retry_after_seconds,
            code: receipt.code.map(|code| code.as_str().to_owned()),
            message: receipt.message,
        })
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
            mode: options.mode.map(core_sync_mode),
            interval_seconds: options.interval_seconds,
            max_requests: options.max_requests,
        };
        run(flows.poll_events(&id, options)).map(poll_result)
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
                order: policy.order.into_iter().map(crate::feedback::core_target).collect(),
                update_existing: policy.update_existing,
            }),
        };
        run(flows.post_feedback(&id, request)).map(feedback_result)
    }
}
