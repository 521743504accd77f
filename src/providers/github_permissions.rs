//! GitHub's catalog of GitHub App permissions: a part of [`super::github`] kept in its own file
//! for its length.
//!
//! Names and accepted levels follow the `permissions` object (schema `app-permissions`)
//! of the REST endpoint "Create an installation access token for an app":
//!   https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
//! The grouping into repository / organization / account follows:
//!   https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/choosing-permissions-for-a-github-app
//! Which endpoints each permission unlocks is listed on:
//!   https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps
//!
//! Notes on the source:
//! - `workflows`, `profile` and `organization_copilot_seat_management` accept only "write";
//!   `organization_plan` and `organization_events` accept only "read".
//! - "admin" exists only for `repository_projects`, `organization_projects`,
//!   `organization_custom_properties` and `enterprise_custom_properties_for_organizations`.
//! - `metadata` is listed with "read" and "write" in the schema.
//! - The schema's one-line descriptions of `organization_personal_access_tokens` and
//!   `organization_personal_access_token_requests` look swapped; the meanings below follow
//!   the permission names.
//! - The schema also carries one enterprise-level permission; it is kept here under
//!   `PermissionTarget::Enterprise` rather than dropped.
//! - Meanings are paraphrased, not copied.

/// Which kind of account resource a permission applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum PermissionTarget {
    /// Resources of repositories owned by the account where the app is installed.
    Repository,
    /// Resources of the organization where the app is installed.
    Organization,
    /// Resources of a user who has authorized the app (user access tokens only).
    Account,
    /// Resources of an enterprise where the app is installed.
    Enterprise,
}

/// A GitHub App permission: its name in the API, what it lets the app do, the levels it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AppPermission {
    /// The permission as the API names it (`pull_requests`).
    pub name: &'static str,
    /// What it applies to.
    pub target: PermissionTarget,
    /// The levels it takes (`read`, `write`, `admin`).
    #[cfg_attr(feature = "typescript", ts(type = "Array<AccessLevel>"))]
    pub levels: &'static [&'static str],
    /// What it lets the app do.
    pub meaning: &'static str,
}

const READ: &[&str] = &["read"];
const WRITE: &[&str] = &["write"];
const READ_WRITE: &[&str] = &["read", "write"];
const READ_WRITE_ADMIN: &[&str] = &["read", "write", "admin"];

use PermissionTarget::{Account, Enterprise, Organization, Repository};

const fn p(
    name: &'static str,
    target: PermissionTarget,
    levels: &'static [&'static str],
    meaning: &'static str,
) -> AppPermission {
    AppPermission { name, target, levels, meaning }
}

/// Every GitHub App permission, the levels it takes and what it lets an app do.
///
/// Source: GitHub Docs, "Create an installation access token for an app", the body parameter
/// `permissions` (<https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app>),
/// grouped as "Choosing permissions for a GitHub App" groups them
/// (<https://docs.github.com/en/apps/creating-github-apps/registering-a-github-app/choosing-permissions-for-a-github-app>).
#[rustfmt::skip] // One permission a line.
pub(crate) const APP_PERMISSIONS: &[AppPermission] = &[
    // ---- Repository permissions ----
    p("actions", Repository, READ_WRITE,
      "See and manage GitHub Actions workflows, their runs, jobs, logs and artifacts."),
    p("administration", Repository, READ_WRITE,
      "Change repository settings, create or delete repositories, and manage teams and collaborators on them."),
    p("artifact_metadata", Repository, READ_WRITE,
      "Record and read metadata about build artifacts."),
    p("attestations", Repository, READ_WRITE,
      "Create and read artifact attestations of a repository."),
    p("checks", Repository, READ_WRITE,
      "Read or create and update check runs and check suites on commits."),
    p("codespaces", Repository, READ_WRITE,
      "List, create, change and delete codespaces of a repository."),
    p("contents", Repository, READ_WRITE,
      "Read or change files, commits, branches, releases and merges; needed for Git over HTTPS."),
    p("dependabot_secrets", Repository, READ_WRITE,
      "Read or manage the Dependabot secrets of a repository."),
    p("deployments", Repository, READ_WRITE,
      "Read or create deployments and their statuses."),
    p("discussions", Repository, READ_WRITE,
      "Read or take part in discussions, their comments and labels."),
    p("environments", Repository, READ_WRITE,
      "Read or manage deployment environments of a repository."),
    p("issues", Repository, READ_WRITE,
      "Read or change issues with their comments, assignees, labels and milestones."),
    p("merge_queues", Repository, READ_WRITE,
      "Read or manage the merge queues of a repository."),
    p("metadata", Repository, READ_WRITE,
      "Basic read access to repository metadata, search and collaborator lists."),
    p("packages", Repository, READ_WRITE,
      "Read or publish packages in GitHub Packages for a repository."),
    p("pages", Repository, READ_WRITE,
      "Read GitHub Pages status, configuration and builds, or request new builds."),
    p("pull_requests", Repository, READ_WRITE,
      "Read or change pull requests with their comments, assignees, labels, milestones and merges."),
    p("repository_custom_properties", Repository, READ_WRITE,
      "Read or set custom property values on a repository where the property allows it."),
    p("repository_hooks", Repository, READ_WRITE,
      "Read or manage the webhooks of a repository."),
    p("repository_projects", Repository, READ_WRITE_ADMIN,
      "Read or manage repository-level projects, their columns and cards."),
    p("secret_scanning_alerts", Repository, READ_WRITE,
      "Read or update secret scanning alerts."),
    p("secrets", Repository, READ_WRITE,
      "Read or manage GitHub Actions secrets of a repository."),
    p("security_events", Repository, READ_WRITE,
      "Read or manage security events such as code scanning alerts."),
    p("single_file", Repository, READ_WRITE,
      "Read or change one file path chosen at registration, and nothing else."),
    p("statuses", Repository, READ_WRITE,
      "Read or set commit statuses."),
    p("vulnerability_alerts", Repository, READ_WRITE,
      "Read or manage Dependabot alerts."),
    p("workflows", Repository, WRITE,
      "Change GitHub Actions workflow files under .github/workflows."),
    // ---- Organization permissions ----
    p("custom_properties_for_organizations", Organization, READ_WRITE,
      "Read or set custom property values on the organization where the property allows it."),
    p("members", Organization, READ_WRITE,
      "Read or manage organization members and teams."),
    p("organization_administration", Organization, READ_WRITE,
      "Read or change organization settings and access."),
    p("organization_custom_roles", Organization, READ_WRITE,
      "Read or manage custom repository roles."),
    p("organization_custom_org_roles", Organization, READ_WRITE,
      "Read or manage custom organization roles."),
    p("organization_custom_properties", Organization, READ_WRITE_ADMIN,
      "Read, set, or define (admin) repository custom properties at organization level."),
    p("organization_copilot_seat_management", Organization, WRITE,
      "Assign and remove GitHub Copilot Business seats for members."),
    p("organization_announcement_banners", Organization, READ_WRITE,
      "Read or manage the organization's announcement banners."),
    p("organization_events", Organization, READ,
      "Read events triggered by activity in the organization."),
    p("organization_hooks", Organization, READ_WRITE,
      "Read or manage the webhooks of the organization."),
    p("organization_personal_access_tokens", Organization, READ_WRITE,
      "Read or revoke fine-grained personal access tokens approved for the organization."),
    p("organization_personal_access_token_requests", Organization, READ_WRITE,
      "Read, approve or deny requests from fine-grained personal access tokens to the organization."),
    p("organization_plan", Organization, READ,
      "Read the organization's plan."),
    p("organization_projects", Organization, READ_WRITE_ADMIN,
      "Read or manage organization-level projects."),
    p("organization_packages", Organization, READ_WRITE,
      "Read or publish the organization's packages in GitHub Packages."),
    p("organization_secrets", Organization, READ_WRITE,
      "Read or manage organization-level secrets."),
    p("organization_self_hosted_runners", Organization, READ_WRITE,
      "Read or manage GitHub Actions self-hosted runners available to the organization."),
    p("organization_user_blocking", Organization, READ_WRITE,
      "Read or change the list of users blocked by the organization."),
    p("team_discussions", Organization, READ_WRITE,
      "Read or take part in team discussions and their comments."),
    // ---- Account permissions (granted when a user authorizes the app) ----
    p("email_addresses", Account, READ_WRITE,
      "Read or manage the authorizing user's email addresses."),
    p("followers", Account, READ_WRITE,
      "Read or change whom the authorizing user follows."),
    p("git_ssh_keys", Account, READ_WRITE,
      "Read or manage the user's SSH keys for Git."),
    p("gpg_keys", Account, READ_WRITE,
      "Read or manage the user's GPG keys."),
    p("interaction_limits", Account, READ_WRITE,
      "Read or set interaction limits on the user's repositories."),
    p("profile", Account, WRITE,
      "Change the user's profile settings."),
    p("starring", Account, READ_WRITE,
      "List or change the repositories the user has starred."),
    // ---- Enterprise permission present in the same schema ----
    p("enterprise_custom_properties_for_organizations", Enterprise, READ_WRITE_ADMIN,
      "Read, set, or define (admin) organization custom properties at enterprise level."),
];

/// Looks a permission up by its API name.
#[cfg(test)]
fn find(name: &str) -> Option<&'static AppPermission> {
    APP_PERMISSIONS.iter().find(|perm| perm.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique() {
        let mut seen = HashSet::new();
        for perm in APP_PERMISSIONS {
            assert!(seen.insert(perm.name), "duplicate {}", perm.name);
        }
    }

    #[test]
    fn levels_are_known_and_nonempty() {
        for perm in APP_PERMISSIONS {
            assert!(!perm.levels.is_empty(), "{} has no level", perm.name);
            for level in perm.levels {
                assert!(matches!(*level, "read" | "write" | "admin"), "{}: {}", perm.name, level);
            }
        }
    }

    #[test]
    fn ci_failure_analysis_set_is_present() {
        for (name, level) in [
            ("actions", "read"),
            ("checks", "read"),
            ("contents", "read"),
            ("metadata", "read"),
            ("pull_requests", "write"),
        ] {
            let perm = find(name).expect(name);
            assert!(perm.levels.contains(&level), "{name} lacks {level}");
        }
    }
}
