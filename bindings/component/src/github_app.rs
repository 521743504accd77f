//! The `github-app` export: GitHub App manifests, installation URLs, setup callbacks and the
//! manifest conversion, as pure functions; and the conversions of the GitHub App values the
//! `flows` export shares with it.

use std::collections::BTreeMap;

use crate::bindings::exports::forgelink::connect::github_app as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::convert::IntoWit;
use crate::Component;

fn access_level(level: forgelink::AccessLevel) -> wit::AccessLevel {
    match level {
        forgelink::AccessLevel::Read => wit::AccessLevel::Read,
        forgelink::AccessLevel::Write => wit::AccessLevel::Write,
        forgelink::AccessLevel::Admin => wit::AccessLevel::Admin,
    }
}

fn core_access_level(level: wit::AccessLevel) -> forgelink::AccessLevel {
    match level {
        wit::AccessLevel::Read => forgelink::AccessLevel::Read,
        wit::AccessLevel::Write => forgelink::AccessLevel::Write,
        wit::AccessLevel::Admin => forgelink::AccessLevel::Admin,
    }
}

/// A permission map, sorted by name as the core keeps it.
fn pairs(permissions: BTreeMap<String, String>) -> Vec<(String, String)> {
    permissions.into_iter().collect()
}

fn account(account: forgelink::AppAccount) -> wit::AppAccount {
    wit::AppAccount { login: account.login, id: account.id, kind: account.kind }
}

/// An installation, for `connection.installation`.
pub(crate) fn installation(installation: forgelink::Installation) -> wit::Installation {
    wit::Installation {
        id: installation.id,
        app_id: installation.app_id,
        app_slug: installation.app_slug,
        account: account(installation.account),
        repository_selection: match installation.repository_selection {
            forgelink::RepositorySelection::All => wit::RepositorySelection::All,
            forgelink::RepositorySelection::Selected => wit::RepositorySelection::Selected,
        },
        permissions: pairs(installation.permissions),
        events: installation.events,
        suspended_at: installation.suspended_at,
        html_url: installation.html_url,
    }
}

/// A new app's credentials, secrets included: the caller asked for them.
pub(crate) fn credentials(app: forgelink::GitHubAppCredentials) -> wit::GithubAppCredentials {
    wit::GithubAppCredentials {
        base_url: app.base_url,
        app_id: app.app_id,
        slug: app.slug,
        name: app.name,
        owner: app.owner.map(account),
        html_url: app.html_url,
        client_id: app.client_id,
        client_secret: app.client_secret.secret().to_owned(),
        webhook_secret: app.webhook_secret.map(|secret| secret.secret().to_owned()),
        private_key: app.private_key.secret().to_owned(),
        permissions: pairs(app.permissions),
        events: app.events,
    }
}

/// The narrowing of `installation-token`.
pub(crate) fn narrowing(narrowing: wit::TokenNarrowing) -> forgelink::TokenNarrowing {
    forgelink::TokenNarrowing {
        repositories: narrowing.repositories,
        repository_ids: narrowing.repository_ids,
        permissions: narrowing
            .permissions
            .into_iter()
            .map(|(name, level)| (name, core_access_level(level)))
            .collect(),
    }
}

impl wit::Guest for Component {
    fn github_app_manifest(
        options: wit::AppManifestOptions,
    ) -> Result<wit::AppManifestForm, wit_types::Error> {
        let options = forgelink::AppManifestOptions {
            base_url: options.base_url,
            organization: options.organization,
            name: options.name,
            url: options.url,
            redirect_url: options.redirect_url,
            callback_urls: options.callback_urls,
            setup_url: options.setup_url,
            setup_on_update: options.setup_on_update,
            webhook_url: options.webhook_url,
            public: options.public,
            request_oauth_on_install: options.request_oauth_on_install,
            description: options.description,
            profile: options.profile,
            state: options.state,
        };
        forgelink::github_app_manifest(&options)
            .map(|form| wit::AppManifestForm { action: form.action, manifest: form.manifest })
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
        let setup = forgelink::parse_github_app_setup(&callback).map_err(IntoWit::into_wit)?;
        Ok(wit::AppSetup {
            installation_id: setup.installation_id,
            setup_action: match setup.setup_action {
                forgelink::SetupAction::Install => wit::SetupAction::Install,
                forgelink::SetupAction::Update => wit::SetupAction::Update,
                forgelink::SetupAction::Request => wit::SetupAction::Request,
            },
            state: setup.state,
            code: setup.code.map(|code| code.secret().to_owned()),
        })
    }

    fn github_app_needs(profile: String) -> Result<wit::AppNeeds, wit_types::Error> {
        let needs = forgelink::github_app_needs(&profile).map_err(IntoWit::into_wit)?;
        Ok(wit::AppNeeds {
            profile: needs.profile.to_owned(),
            permissions: needs
                .permissions
                .iter()
                .map(|need| wit::PermissionNeed {
                    permission: need.permission.to_owned(),
                    level: access_level(need.level),
                    reason: need.reason.to_owned(),
                })
                .collect(),
            events: needs.events.iter().map(IntoWit::into_wit).collect(),
        })
    }

    fn github_app_permissions() -> Vec<wit::AppPermission> {
        forgelink::github_app_permissions()
            .iter()
            .map(|permission| wit::AppPermission {
                name: permission.name.to_owned(),
                target: match permission.target {
                    forgelink::PermissionTarget::Repository => wit::PermissionTarget::Repository,
                    forgelink::PermissionTarget::Organization => {
                        wit::PermissionTarget::Organization
                    }
                    forgelink::PermissionTarget::Account => wit::PermissionTarget::Account,
                    forgelink::PermissionTarget::Enterprise => wit::PermissionTarget::Enterprise,
                },
                levels: permission.levels.iter().map(|level| (*level).to_owned()).collect(),
                meaning: permission.meaning.to_owned(),
            })
            .collect()
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
            .map(credentials)
            .map_err(IntoWit::into_wit)
    }
}
