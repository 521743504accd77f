//! GitHub Apps' pure functions: the manifest form, the installation URL, the setup callback,
//! and the permissions a profile needs. Only in the `flows` build: a page that checks a base URL
//! has no use for the permission catalog, which would weigh on the `forgelink` entry.

use std::collections::BTreeMap;

use forgelink::{AccessLevel, AppManifestOptions, PermissionNeed};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, ResponseHead};
use crate::flows::from_json;
use crate::ok;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    options: AppManifestOptions,
}

/// `githubAppManifest(options)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_manifest(arguments: &str) -> String {
    answer(arguments, |a: Manifest| forgelink::github_app_manifest(&a.options))
}

/// What `githubAppInstallUrl` is given.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstallRequest {
    slug: String,
    state: Option<String>,
    base_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstallUrl {
    request: InstallRequest,
}

/// `githubAppInstallUrl({ slug, state?, baseUrl? })`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_install_url(arguments: &str) -> String {
    answer(arguments, |a: InstallUrl| {
        let r = a.request;
        forgelink::github_app_install_url(&r.slug, r.state.as_deref(), r.base_url.as_deref())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    url: String,
}

/// `parseGitHubAppSetup(url)`: the whole setup URL, or its query.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_github_app_setup(arguments: &str) -> String {
    answer(arguments, |a: Setup| forgelink::parse_github_app_setup(&a.url))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManifestCode {
    base_url: Option<String>,
    code: String,
}

/// `prepareManifestConversion(baseUrl, code)`: the request that converts a manifest's code
/// into the new app's credentials.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_manifest_conversion(arguments: &str) -> String {
    answer(arguments, |a: ManifestCode| {
        forgelink::prepare_manifest_conversion(a.base_url.as_deref(), &a.code)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManifestAnswer {
    base_url: Option<String>,
    response: ResponseHead,
}

/// `parseManifestConversion(baseUrl, response)`, the response's body apart: the new app's
/// credentials, secrets included.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_manifest_conversion(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ManifestAnswer| {
        forgelink::parse_manifest_conversion(a.base_url.as_deref(), &a.response.with_body(body))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Needs {
    profile: String,
}

/// `githubAppNeeds(profile)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_needs(arguments: &str) -> String {
    answer(arguments, |a: Needs| forgelink::github_app_needs(&a.profile))
}

/// `githubAppPermissions()`: GitHub's catalog.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_permissions() -> String {
    ok(&forgelink::github_app_permissions())
}

/// One need as JavaScript passes it: an item of `githubAppNeeds(profile).permissions`, or a
/// `{ permission, level }` the caller wrote.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedInput {
    permission: String,
    level: AccessLevel,
    #[serde(default)]
    #[allow(dead_code)]
    reason: Option<String>,
}

/// The catalog's own name for a permission, which a [`PermissionNeed`] holds.
fn catalog_name(name: &str) -> Option<&'static str> {
    forgelink::github_app_permissions().iter().find(|p| p.name == name).map(|p| p.name)
}

fn needs_of(needs: Vec<NeedInput>, profile: Option<String>) -> Result<Vec<PermissionNeed>, String> {
    if let Some(profile) = profile {
        return forgelink::github_app_needs(&profile)
            .map(|needs| needs.permissions.to_vec())
            .map_err(|e| crate::error(&e));
    }
    needs
        .into_iter()
        .map(|need| match catalog_name(&need.permission) {
            Some(permission) => Ok(PermissionNeed { permission, level: need.level, reason: "" }),
            None => Err(crate::invalid(&format!(
                "`{}` is not a GitHub App permission (see githubAppPermissions()).",
                need.permission
            ))),
        })
        .collect()
}

/// `missingPermissions(granted, needs)`: `granted` an installation's `permissions`, `needs`
/// either a profile id, as `profile`, or a list of `{ permission, level }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Missing {
    granted: BTreeMap<String, String>,
    #[serde(default)]
    needs: Vec<NeedInput>,
    profile: Option<String>,
}

/// `missingPermissions(granted, needs)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn missing_permissions(arguments: &str) -> String {
    let arguments = match from_json::<Missing>("", arguments) {
        Ok(arguments) => arguments,
        Err(invalid) => return invalid,
    };
    match needs_of(arguments.needs, arguments.profile) {
        Ok(needs) => ok(&forgelink::missing_permissions(&arguments.granted, &needs)),
        Err(error) => error,
    }
}
