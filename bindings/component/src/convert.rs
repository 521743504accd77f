//! Conversions between core values and the generated WIT types.
//!
//! Kept apart from the exports so that each export reads as "convert, call, convert", and so
//! that the generated types never leak into the core or the core's types into the bindings.

use crate::bindings::exports::forgelink::connect::provider as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;

forgelink_wit_convert::traits!();

/// A code crosses as its stable text.
impl IntoWit<String> for forgelink::Code {
    fn into_wit(self) -> String {
        self.as_str().to_owned()
    }
}

forgelink_wit_convert::secrets!();

/// The core provider of a WIT one.
pub(crate) fn core_provider(provider: wit_types::Provider) -> forgelink::Provider {
    FromWit::from_wit(provider)
}

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    // Both enums are closed, so that a provider added to the core without a WIT case (or the
    // other way round) fails to compile here rather than drifting apart.
    "types/provider": forgelink::Provider <=> wit_types::Provider {
        "github" = GitHub,
        "gitlab" = GitLab,
    };
    "types/deployment": forgelink::Deployment => wit_types::Deployment;
    "types/severity": forgelink::Severity => wit_types::Severity;
    "types/diagnostic": forgelink::Diagnostic => wit_types::Diagnostic;
    "types/guidance": forgelink::Guidance => wit_types::Guidance;
    "provider/base-url-report": forgelink::BaseUrlReport => wit::BaseUrlReport;
    "provider/provider-endpoints": forgelink::Endpoints => wit::ProviderEndpoints;
    "provider/provider-settings-pages": forgelink::SettingsPages => wit::ProviderSettingsPages;
    "provider/scope-info": forgelink::ScopeInfo => wit::ScopeInfo;
    "provider/scope-check": forgelink::ScopeCheck => wit::ScopeCheck;
    "provider/scope-mode": forgelink::ScopeMode => wit::ScopeMode;
    "provider/need": forgelink::Need => wit::Need;
    "provider/profile": forgelink::Profile => wit::Profile;
    "provider/provider-needs": forgelink::ProviderNeeds => wit::ProviderNeeds;
    "provider/authorization-request": forgelink::AuthorizationRequest <= wit::AuthorizationRequest;
    "provider/authorization": forgelink::AuthorizationUrl => wit::Authorization;
    "provider/callback": forgelink::Callback => wit::Callback;
}

/// The endpoints of the deployment an `instance` names.
pub(crate) fn instance(
    instance: &wit_types::Instance,
) -> Result<forgelink::Endpoints, wit_types::Error> {
    forgelink::endpoints(core_provider(instance.provider), instance.base_url.as_deref())
        .map_err(IntoWit::into_wit)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_provider_has_a_wit_case_and_back() {
        for provider in forgelink::Provider::ALL {
            assert_eq!(core_provider(provider.into_wit()), provider);
        }
    }
}
