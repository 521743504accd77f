//! The `flows` export: the core's connection flows over the imports.

use forgelink::{AccessToken, ClientSecret, Code};

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
        };
        let started = run(flows.host(), flows.connect_start(start))?;
        Ok(wit::ConnectStarted { url: started.url, state: started.state })
    }

    fn connect_finish(callback_url: String) -> Result<wit::Connection, wit_types::Error> {
        let flows = flows()?;
        connection(run(flows.host(), flows.connect_finish(&callback_url))?)
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
        connection(run(flows.host(), flows.connect_with_token(input))?)
    }

    fn access_token(id: String) -> Result<String, wit_types::Error> {
        let flows = flows()?;
        run(flows.host(), flows.access_token(&id)).map(|token| token.secret().to_owned())
    }

    fn test_connection(id: String) -> Result<wit::ConnectionReport, wit_types::Error> {
        let flows = flows()?;
        let report = run(flows.host(), flows.test_connection(&id))?;
        Ok(wit::ConnectionReport {
            ok: report.ok,
            checks: report.checks.into_iter().map(IntoWit::into_wit).collect(),
        })
    }

    fn disconnect(id: String) -> Result<wit::DisconnectReport, wit_types::Error> {
        let flows = flows()?;
        let report = run(flows.host(), flows.disconnect(&id))?;
        Ok(wit::DisconnectReport {
            revoked: report.revoked,
            manual_steps: report.manual_steps.iter().map(|step| (*step).to_owned()).collect(),
        })
    }
}
