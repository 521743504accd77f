//! Conversions between core values and the generated WIT types.
//!
//! Kept apart from the exports so that each export reads as "convert, call, convert", and so
//! that the generated types never leak into the core or the core's types into the bindings.

use crate::bindings::exports::forgelink::connect::provider as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;

/// A total conversion from a core value to its WIT counterpart.
pub(crate) trait IntoWit<T> {
    /// Converts `self`.
    fn into_wit(self) -> T;
}

/// The WIT enum is closed, and every case has a core provider.
pub(crate) fn core_provider(provider: wit_types::Provider) -> forgelink::Provider {
    match provider {
        wit_types::Provider::Github => forgelink::Provider::GitHub,
        wit_types::Provider::Gitlab => forgelink::Provider::GitLab,
        wit_types::Provider::BitbucketCloud => forgelink::Provider::BitbucketCloud,
        wit_types::Provider::BitbucketDataCenter => forgelink::Provider::BitbucketDataCenter,
    }
}

/// The endpoints of the deployment an `instance` names.
pub(crate) fn instance(
    instance: &wit_types::Instance,
) -> Result<forgelink::Endpoints, wit_types::Error> {
    forgelink::endpoints(core_provider(instance.provider), instance.base_url.as_deref())
        .map_err(IntoWit::into_wit)
}

/// The core's provider enum is open (`#[non_exhaustive]`): a provider added to the core before
/// this WIT version learns about it has no WIT case, and is left out rather than mislabelled.
pub(crate) fn wit_provider(provider: forgelink::Provider) -> Option<wit_types::Provider> {
    match provider {
        forgelink::Provider::GitHub => Some(wit_types::Provider::Github),
        forgelink::Provider::GitLab => Some(wit_types::Provider::Gitlab),
        forgelink::Provider::BitbucketCloud => Some(wit_types::Provider::BitbucketCloud),
        forgelink::Provider::BitbucketDataCenter => Some(wit_types::Provider::BitbucketDataCenter),
        _ => None,
    }
}

impl IntoWit<wit_types::Deployment> for forgelink::Deployment {
    fn into_wit(self) -> wit_types::Deployment {
        match self {
            forgelink::Deployment::Cloud => wit_types::Deployment::Cloud,
            forgelink::Deployment::SelfHosted => wit_types::Deployment::SelfHosted,
        }
    }
}

impl IntoWit<wit_types::Severity> for forgelink::Severity {
    fn into_wit(self) -> wit_types::Severity {
        match self {
            forgelink::Severity::Error => wit_types::Severity::Error,
            forgelink::Severity::Warning => wit_types::Severity::Warning,
        }
    }
}

impl IntoWit<wit_types::Diagnostic> for forgelink::Diagnostic {
    fn into_wit(self) -> wit_types::Diagnostic {
        wit_types::Diagnostic {
            code: self.code.as_str().to_owned(),
            severity: self.severity.into_wit(),
            message: self.message,
            suggestion: self.suggestion,
        }
    }
}

impl IntoWit<Vec<wit_types::Diagnostic>> for Vec<forgelink::Diagnostic> {
    fn into_wit(self) -> Vec<wit_types::Diagnostic> {
        self.into_iter().map(IntoWit::into_wit).collect()
    }
}

impl IntoWit<wit_types::Guidance> for forgelink::Guidance {
    fn into_wit(self) -> wit_types::Guidance {
        wit_types::Guidance {
            code: self.code.as_str().to_owned(),
            title: self.title.to_owned(),
            summary: self.summary.to_owned(),
            steps: self.steps.iter().map(|step| (*step).to_owned()).collect(),
            docs_url: self.docs_url.map(str::to_owned),
        }
    }
}

/// An error the glue itself raises, with the core's guidance for `code`.
pub(crate) fn coded_error(
    code: forgelink::Code,
    message: &str,
    detail: Option<String>,
) -> wit_types::Error {
    wit_types::Error {
        code: code.as_str().to_owned(),
        message: message.to_owned(),
        provider_detail: detail,
        retry_after: None,
        guidance: forgelink::troubleshoot(code, None).into_wit(),
    }
}

impl IntoWit<wit_types::Error> for forgelink::Error {
    fn into_wit(self) -> wit_types::Error {
        let guidance = self.guidance().into_wit();
        wit_types::Error {
            code: self.code.as_str().to_owned(),
            message: self.message,
            provider_detail: self.provider_detail,
            retry_after: self.retry_after,
            guidance,
        }
    }
}

impl IntoWit<wit::BaseUrlReport> for forgelink::BaseUrlReport {
    fn into_wit(self) -> wit::BaseUrlReport {
        wit::BaseUrlReport {
            ok: self.ok,
            base_url: self.base_url,
            deployment: self.deployment.map(IntoWit::into_wit),
            api_base: self.api_base,
            diagnostics: self.diagnostics.into_wit(),
        }
    }
}

impl IntoWit<wit::ScopeSource> for forgelink::ScopeSource {
    fn into_wit(self) -> wit::ScopeSource {
        match self {
            forgelink::ScopeSource::Header { header, url } => {
                wit::ScopeSource::Header(wit::ScopeHeader { header: header.to_owned(), url })
            }
            forgelink::ScopeSource::Endpoint { url, field } => {
                wit::ScopeSource::Endpoint(wit::ScopeEndpoint { url, field: field.to_owned() })
            }
            forgelink::ScopeSource::TokenResponse { field } => {
                wit::ScopeSource::TokenResponse(field.to_owned())
            }
        }
    }
}

/// `provider` is the caller's own argument: the endpoints are always that provider's, and
/// echoing it avoids a conversion that could fail for an open core enum.
pub(crate) fn endpoints(
    provider: wit_types::Provider,
    endpoints: forgelink::Endpoints,
) -> wit::ProviderEndpoints {
    wit::ProviderEndpoints {
        provider,
        deployment: endpoints.deployment.into_wit(),
        web: endpoints.web,
        api: endpoints.api,
        authorize: endpoints.authorize,
        token: endpoints.token,
        revoke: endpoints.revoke,
        device_authorization: endpoints.device_authorization,
        current_user: endpoints.current_user,
        current_user_header: endpoints.current_user_header.map(str::to_owned),
        version: endpoints.version,
        granted_scopes: endpoints.granted_scopes.into_wit(),
        settings_pages: settings_pages(endpoints.settings_pages),
    }
}

impl IntoWit<wit::ScopeInfo> for &forgelink::ScopeInfo {
    fn into_wit(self) -> wit::ScopeInfo {
        wit::ScopeInfo {
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            implies: self.implies.iter().map(|scope| (*scope).to_owned()).collect(),
            implies_on_public_repositories: self
                .implies_on_public_repositories
                .iter()
                .map(|scope| (*scope).to_owned())
                .collect(),
        }
    }
}

impl IntoWit<wit::ScopeCheck> for forgelink::ScopeCheck {
    fn into_wit(self) -> wit::ScopeCheck {
        wit::ScopeCheck {
            satisfied: self.satisfied,
            missing: self.missing,
            granted: self.granted,
            public_repositories_only: self.public_repositories_only,
        }
    }
}

impl IntoWit<wit::Need> for &forgelink::Need {
    fn into_wit(self) -> wit::Need {
        wit::Need { name: self.name.to_owned(), reason: self.reason.to_owned() }
    }
}

impl IntoWit<wit::ScopeMode> for forgelink::ScopeMode {
    fn into_wit(self) -> wit::ScopeMode {
        match self {
            forgelink::ScopeMode::Request => wit::ScopeMode::Request,
            forgelink::ScopeMode::ConsumerPermissions => wit::ScopeMode::ConsumerPermissions,
        }
    }
}

impl IntoWit<wit::Profile> for &forgelink::Profile {
    fn into_wit(self) -> wit::Profile {
        wit::Profile {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            summary: self.summary.to_owned(),
            providers: self
                .providers
                .iter()
                .filter_map(|needs| {
                    Some(wit::ProviderNeeds {
                        provider: wit_provider(needs.provider)?,
                        supported: needs.supported,
                        scope_mode: needs.scope_mode.into_wit(),
                        scopes: needs.scopes.iter().map(IntoWit::into_wit).collect(),
                        min_role: (&needs.min_role).into_wit(),
                        webhook_events: needs
                            .webhook_events
                            .iter()
                            .map(IntoWit::into_wit)
                            .collect(),
                    })
                })
                .collect(),
        }
    }
}

pub(crate) fn settings_pages(pages: forgelink::SettingsPages) -> wit::ProviderSettingsPages {
    wit::ProviderSettingsPages { oauth_app: pages.oauth_app, access_tokens: pages.access_tokens }
}

pub(crate) fn authorization_request(
    request: wit::AuthorizationRequest,
) -> forgelink::AuthorizationRequest {
    let mut core = forgelink::AuthorizationRequest::new(
        core_provider(request.provider),
        request.client_id,
        request.redirect_uri,
    );
    core.base_url = request.base_url;
    core.scopes = request.scopes;
    core.profile = request.profile;
    core.pkce = request.pkce;
    core.root_namespace_id = request.root_namespace_id;
    core
}

impl IntoWit<wit::Authorization> for forgelink::AuthorizationUrl {
    fn into_wit(self) -> wit::Authorization {
        wit::Authorization {
            url: self.url,
            state: self.state,
            code_verifier: self.code_verifier.map(|verifier| verifier.secret().to_owned()),
        }
    }
}

impl IntoWit<wit::Callback> for forgelink::Callback {
    fn into_wit(self) -> wit::Callback {
        wit::Callback { code: self.code.secret().to_owned(), iss: self.iss }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_provider_has_a_wit_case_and_back() {
        for provider in forgelink::Provider::ALL {
            let wit = wit_provider(provider);
            assert_eq!(wit.map(core_provider), Some(provider));
        }
    }
}
