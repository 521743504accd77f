//! GitHub Apps' pure functions: the manifest form, the installation URL, the setup callback,
//! and the permissions a profile needs. Only in the `flows` build: a page that checks a base URL
//! has no use for the permission catalog, which would weigh on the `forgelink` entry.

use std::collections::BTreeMap;

use forgelink::{AccessLevel, AppManifestOptions, PermissionNeed};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::flows::from_json;
use crate::{envelope, ok};

/// `githubAppManifest(options)`, the options as JSON (`flows.js` has checked the field names;
/// serde names whatever else is wrong).
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_manifest(options: &str) -> String {
    match from_json::<AppManifestOptions>("options", options) {
        Ok(options) => envelope(forgelink::github_app_manifest(&options)),
        Err(invalid) => invalid,
    }
}

/// `githubAppInstallUrl({ slug, state?, baseUrl? })`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_install_url(
    slug: &str,
    state: Option<String>,
    base_url: Option<String>,
) -> String {
    envelope(forgelink::github_app_install_url(slug, state.as_deref(), base_url.as_deref()))
}

/// `parseGitHubAppSetup(url)`: the whole setup URL, or its query.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_github_app_setup(url: &str) -> String {
    envelope(forgelink::parse_github_app_setup(url))
}

/// `githubAppNeeds(profile)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn github_app_needs(profile: &str) -> String {
    envelope(forgelink::github_app_needs(profile))
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

fn needs_of(needs: Option<String>, profile: Option<String>) -> Result<Vec<PermissionNeed>, String> {
    if let Some(profile) = profile {
        return forgelink::github_app_needs(&profile)
            .map(|needs| needs.permissions.to_vec())
            .map_err(|e| crate::error(&e));
    }
    let list: Vec<NeedInput> = from_json("needs", needs.as_deref().unwrap_or("[]"))?;
    list.into_iter()
        .map(|need| match catalog_name(&need.permission) {
            Some(permission) => Ok(PermissionNeed { permission, level: need.level, reason: "" }),
            None => Err(crate::invalid(&format!(
                "`{}` is not a GitHub App permission (see githubAppPermissions()).",
                need.permission
            ))),
        })
        .collect()
}

/// `missingPermissions(granted, needs)`: `granted` as JSON (an installation's `permissions`),
/// `needs` either a profile id or, as JSON, a list of `{ permission, level }`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn missing_permissions(
    granted: &str,
    needs: Option<String>,
    profile: Option<String>,
) -> String {
    let granted = match from_json::<BTreeMap<String, String>>("granted", granted) {
        Ok(granted) => granted,
        Err(invalid) => return invalid,
    };
    match needs_of(needs, profile) {
        Ok(needs) => ok(&forgelink::missing_permissions(&granted, &needs)),
        Err(error) => error,
    }
}
