//! The WebAssembly component face of forgelink.
//!
//! This crate implements the world `forgelink:connect/plugin` (see `wit/` at the repository
//! root) over the core crate. It holds no provider rules: each export converts its WIT
//! arguments to core values, calls the core, and converts the result back. Core errors become
//! the WIT `error` record with their guidance attached.
//!
//! The flows run over the imports through `host::ComponentHost`, the core's `Host`, and
//! complete without an async runtime: every import is synchronous.
//!
//! Built for `wasm32-unknown-unknown` and wrapped with `wasm-tools component new`, the
//! component imports only the interfaces it calls (forgelink's `http`, `storage`,
//! `environment`, `signer` and `hmac`, and `wasi:random/random`), so a plugin host needs no WASI
//! command-line, stream, clock or filesystem support.

// Every export returns the WIT `error` record by value, as the world fixes it; boxing it in the
// helpers between the core and the exports would only be undone at the boundary.
#![allow(clippy::result_large_err)]

mod convert;
mod feedback;
mod flows;
mod github_app;
mod host;
mod polling;
mod tokens;
mod webhooks;

/// The generated bindings stay private: the public surface is the WIT world itself, and every
/// value crosses it through the conversions in `convert`.
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        // Emit bindings for `wasi:random` too, from the WIT vendored under `wit/deps`.
        generate_all,
    });
}

use bindings::exports::forgelink::connect::provider as wit;
use bindings::exports::forgelink::connect::types as wit_types;

use convert::{core_provider, FromWit, IntoWit};

/// The component: one zero-sized type implementing every export.
pub(crate) struct Component;

impl wit::Guest for Component {
    fn validate_base_url(provider: wit_types::Provider, input: String) -> wit::BaseUrlReport {
        forgelink::validate_base_url(core_provider(provider), &input).into_wit()
    }

    fn endpoints(
        provider: wit_types::Provider,
        base_url: Option<String>,
    ) -> Result<wit::ProviderEndpoints, wit_types::Error> {
        forgelink::endpoints(core_provider(provider), base_url.as_deref())
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn settings_pages(
        provider: wit_types::Provider,
        base_url: Option<String>,
    ) -> Result<wit::ProviderSettingsPages, wit_types::Error> {
        forgelink::settings_pages(core_provider(provider), base_url.as_deref())
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn validate_redirect_uri(
        provider: wit_types::Provider,
        registered: String,
        requested: String,
    ) -> Vec<wit_types::Diagnostic> {
        forgelink::validate_redirect_uri(core_provider(provider), &registered, &requested)
            .into_wit()
    }

    fn scope_catalog(provider: wit_types::Provider) -> Vec<wit::ScopeInfo> {
        forgelink::scope_catalog(core_provider(provider)).into_wit()
    }

    fn check_scopes(
        provider: wit_types::Provider,
        granted: String,
        required: Vec<String>,
    ) -> Result<wit::ScopeCheck, wit_types::Error> {
        let required: Vec<&str> = required.iter().map(String::as_str).collect();
        forgelink::check_scopes(core_provider(provider), &granted, &required)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn profiles() -> Vec<wit::Profile> {
        forgelink::profiles().into_wit()
    }

    fn authorization_url(
        request: wit::AuthorizationRequest,
    ) -> Result<wit::Authorization, wit_types::Error> {
        // The host's CSPRNG, not a guest-side generator: a component has no entropy of its own.
        // A host that returns fewer bytes than asked makes the core fail with
        // `input.insufficient_entropy` rather than build a weak state.
        let entropy =
            bindings::wasi::random::random::get_random_bytes(forgelink::ENTROPY_LEN as u64);
        let request: forgelink::AuthorizationRequest = FromWit::from_wit(request);
        forgelink::authorization_url(&request, &entropy)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn parse_callback(
        callback_url: String,
        expected_state: String,
    ) -> Result<wit::Callback, wit_types::Error> {
        forgelink::parse_callback(&callback_url, &expected_state)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn troubleshoot(
        code: String,
        provider: Option<wit_types::Provider>,
    ) -> Result<wit_types::Guidance, wit_types::Error> {
        let code: forgelink::Code = code.parse().map_err(IntoWit::into_wit)?;
        Ok(forgelink::troubleshoot(code, provider.map(core_provider)).into_wit())
    }

    fn error_codes() -> Vec<String> {
        forgelink::Code::ALL.iter().map(|code| code.as_str().to_owned()).collect()
    }
}

bindings::export!(Component with_types_in bindings);
