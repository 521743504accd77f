//! The `github-app` export: GitHub App manifests, installation URLs, setup callbacks and the
//! manifest conversion, as pure functions; and the conversions of the GitHub App values the
//! `flows` export shares with it.

use crate::bindings::exports::forgelink::connect::github_app as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::convert::{FromWit, IntoWit};
use crate::Component;
use std::collections::BTreeMap;

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "github-app/installation": forgelink::Installation => wit::Installation;
    "github-app/app-account": forgelink::AppAccount => wit::AppAccount;
    "github-app/repository-selection": forgelink::RepositorySelection => wit::RepositorySelection;
    "github-app/github-app-credentials": forgelink::GitHubAppCredentials => wit::GithubAppCredentials;
    "github-app/app-setup": forgelink::AppSetup => wit::AppSetup;
    "github-app/setup-action": forgelink::SetupAction => wit::SetupAction;
    "github-app/app-needs": forgelink::AppNeeds => wit::AppNeeds;
    "github-app/permission-need": forgelink::PermissionNeed => wit::PermissionNeed;
    "github-app/access-level": forgelink::AccessLevel <=> wit::AccessLevel;
    "github-app/app-permission": forgelink::AppPermission => wit::AppPermission;
    "github-app/permission-target": forgelink::PermissionTarget => wit::PermissionTarget;
    "github-app/token-narrowing": forgelink::TokenNarrowing <= wit::TokenNarrowing;
    "github-app/app-manifest-options": forgelink::AppManifestOptions <= wit::AppManifestOptions;
    "github-app/app-manifest-form": forgelink::AppManifestForm => wit::AppManifestForm;
}

impl wit::Guest for Component {
    fn github_app_manifest(
        options: wit::AppManifestOptions,
    ) -> Result<wit::AppManifestForm, wit_types::Error> {
        forgelink::github_app_manifest(&FromWit::from_wit(options))
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn github_app_install_url(
        slug: String,
        state: Option<String>,
        base_url: Option<String>,
    ) -> Result<String, wit_types::Error> {
        forgelink::github_app_install_url(&slug, state.as_deref(), base_url.as_deref())
            .map_err(IntoWit::into_wit)
    }

    fn parse_github_app_setup(callback: String) -> Result<wit::AppSetup, wit_types::Error> {
        forgelink::parse_github_app_setup(&callback)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }

    fn github_app_needs(profile: String) -> Result<wit::AppNeeds, wit_types::Error> {
        forgelink::github_app_needs(&profile).map(IntoWit::into_wit).map_err(IntoWit::into_wit)
    }

    fn github_app_permissions() -> Vec<wit::AppPermission> {
        forgelink::github_app_permissions().into_wit()
    }

    fn missing_permissions(
        granted: Vec<(String, String)>,
        profile: String,
    ) -> Result<Vec<String>, wit_types::Error> {
        let needs = forgelink::github_app_needs(&profile).map_err(IntoWit::into_wit)?;
        let granted: BTreeMap<String, String> = granted.into_iter().collect();
        Ok(forgelink::missing_permissions(&granted, needs.permissions))
    }

    fn prepare_manifest_conversion(
        base_url: Option<String>,
        code: String,
    ) -> Result<wit::Request, wit_types::Error> {
        crate::tokens::prepared(forgelink::prepare_manifest_conversion(base_url.as_deref(), &code))
    }

    fn parse_manifest_conversion(
        base_url: Option<String>,
        response: wit::Response,
    ) -> Result<wit::GithubAppCredentials, wit_types::Error> {
        let response = crate::tokens::response(response);
        forgelink::parse_manifest_conversion(base_url.as_deref(), &response)
            .map(IntoWit::into_wit)
            .map_err(IntoWit::into_wit)
    }
}
