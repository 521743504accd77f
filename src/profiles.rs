//! Use-case presets: what a product of each kind must ask each provider for, and why.

use serde::Serialize;

use crate::error::{excerpt, Code, Error};
use crate::provider::Provider;

/// One thing a profile needs, with the reason in one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Need {
    /// The scope, role or event, in the provider's own spelling.
    pub name: &'static str,
    /// Where the need comes from.
    pub reason: &'static str,
}

/// How scopes reach the provider. `request`: they go in the authorization request.
/// `consumer-permissions`: they are ticked on the OAuth consumer (Bitbucket Cloud).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ScopeMode {
    /// Sent in the authorization request's `scope` parameter.
    Request,
    /// Ticked as permissions on the OAuth consumer (Bitbucket Cloud); the request cannot ask.
    ConsumerPermissions,
}

/// What one provider needs for a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProviderNeeds {
    /// The provider.
    pub provider: Provider,
    /// Whether the provider can serve this use case at all; where it cannot, the reason of the
    /// minimum role says why.
    pub supported: bool,
    /// How the scopes are obtained.
    pub scope_mode: ScopeMode,
    /// The scopes (or consumer permissions) to obtain: for OAuth, and for access tokens that
    /// use the same names.
    pub scopes: &'static [Need],
    /// The scopes an API token needs for the same access, where API tokens have scopes of
    /// their own (Bitbucket Cloud: `read:repository:bitbucket`, ...; write does not include
    /// read there, so both are listed where both are used). Empty elsewhere: the other
    /// providers' personal tokens use the names in `scopes`.
    pub api_token_scopes: &'static [Need],
    /// The least role on each project that the connected account or token must hold.
    pub min_role: Need,
    /// The webhook events to subscribe to.
    pub webhook_events: &'static [Need],
}

/// A use-case preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The stable identifier, such as `ci-failure-analysis`.
    #[cfg_attr(feature = "typescript", ts(type = "ProfileId"))]
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// What a product with this profile does, in one sentence.
    pub summary: &'static str,
    /// The needs per provider, one entry for every provider.
    pub providers: &'static [ProviderNeeds],
}

impl Profile {
    /// The needs of one provider.
    pub fn for_provider(&self, provider: Provider) -> &ProviderNeeds {
        // Every profile lists every provider; `profiles_cover_every_provider` keeps it so.
        self.providers.iter().find(|p| p.provider == provider).unwrap_or(&self.providers[0])
    }
}

const fn need(name: &'static str, reason: &'static str) -> Need {
    Need { name, reason }
}

const fn needs(
    provider: Provider,
    scopes: &'static [Need],
    min_role: Need,
    webhook_events: &'static [Need],
) -> ProviderNeeds {
    let scope_mode = match provider {
        Provider::BitbucketCloud => ScopeMode::ConsumerPermissions,
        _ => ScopeMode::Request,
    };
    ProviderNeeds {
        provider,
        supported: true,
        scope_mode,
        scopes,
        api_token_scopes: &[],
        min_role,
        webhook_events,
    }
}

impl ProviderNeeds {
    /// The Bitbucket Cloud API token scopes that give the access `scopes` gives.
    const fn api_token(mut self, scopes: &'static [Need]) -> Self {
        self.api_token_scopes = scopes;
        self
    }
}

/// Connecting and testing a connection read `GET /2.0/user`, which needs `account`.
const BBC_ACCOUNT: &str =
    "Connecting and testing the connection read the account (GET /2.0/user), which needs account.";
/// Registering webhooks needs `webhook`, and read access to each event's resource.
const BBC_WEBHOOK: &str = "Registering and removing the repository webhooks (with read access to the repository or pull requests their events concern).";

/// The API token scopes' reasons reuse the consumer scopes' words where the access is the
/// same ("API token permissions", support.atlassian.com/bitbucket-cloud/docs/api-token-
/// permissions/): one copy of each string in the package's size-budgeted module.
const BBC_API_USER: &str = BBC_ACCOUNT;
const BBC_API_REPOSITORY: &str = "Reading repositories and commits.";
const BBC_API_PULLS: &str = "Reading pull requests and their activity.";
const BBC_API_PIPELINES: &str = "Reading pipelines, steps and their logs.";
const BBC_API_WEBHOOK_READ: &str = BBC_WEBHOOK;
const BBC_API_WEBHOOK_WRITE: &str = BBC_WEBHOOK;

const GH_REPO_READ: &str = "GitHub has no read-only scope for private repositories: reading their code, runs or pull requests needs repo.";

static PROFILES: &[Profile] = &[
    Profile {
        id: "ci-failure-analysis",
        title: "CI failure analysis",
        summary: "Reads pipelines, jobs and their logs when they fail, and comments on the merge request with the analysis.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", "Workflow runs, job logs and pull request comments of private repositories need repo; it also covers registering the repository webhooks that report runs and jobs (repo includes repository hooks, so admin:repo_hook is not asked for).")],
                need("admin", "GitHub lets only repository admins create webhooks."),
                &[need("workflow_run", "A workflow run was requested, started or completed."),
                  need("workflow_job", "A job was queued, started or completed: the failing job and its logs."),
                  need("check_run", "Checks from other CI systems than Actions."),
                  need("pull_request", "Which pull request a run belongs to, to comment on it.")]),
            needs(Provider::GitLab,
                &[need("api", "Posting merge request notes and registering project hooks need write access; read_api cannot write."),],
                need("maintainer", "Project hooks can be created by Maintainers and Owners only."),
                &[need("pipeline_events", "Pipeline status changes."),
                  need("job_events", "Job status changes (the Job Hook, object_kind build), with the failure reason."),
                  need("merge_requests_events", "Which merge request a pipeline belongs to, to comment on it.")]),
            needs(Provider::BitbucketCloud,
                &[need("account", BBC_ACCOUNT),
                  need("pipeline", "Reading pipelines, steps and their logs."),
                  need("pullrequest", "Reading pull requests and commenting on them; it includes reading the repositories (repository), which listing them needs."),
                  need("webhook", BBC_WEBHOOK)],
                need("admin", "Bitbucket Cloud lets only repository admins manage webhooks."),
                &[need("repo:commit_status_created", "A build (Pipelines or external CI) started."),
                  need("repo:commit_status_updated", "A build passed or failed."),
                  need("pullrequest:updated", "Which pull request a commit belongs to.")])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("read:pipeline:bitbucket", BBC_API_PIPELINES),
                  need("read:pullrequest:bitbucket", BBC_API_PULLS),
                  need("write:pullrequest:bitbucket", "Commenting on pull requests."),
                  need("read:webhook:bitbucket", BBC_API_WEBHOOK_READ),
                  need("write:webhook:bitbucket", BBC_API_WEBHOOK_WRITE)]),
            needs(Provider::BitbucketDataCenter,
                &[need("REPO_ADMIN", "Registering repository webhooks needs repository admin; it includes reading and commenting.")],
                need("REPO_ADMIN", "Repository webhooks are managed by repository admins (project admins for project webhooks)."),
                &[need("repo:refs_changed", "Pushes, which start builds on the CI server."),
                  need("pr:opened", "New pull requests to comment on."),
                  need("pr:from_ref_updated", "New commits on a pull request's branch.")]),
        ],
    },
    Profile {
        id: "deployments",
        title: "Deployments",
        summary: "Clones repositories, reads branches and files, pushes branches and opens merge requests, with long-lived access.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", "Cloning, pushing and opening pull requests on private repositories."),
                  need("workflow", "Pushing a branch that changes .github/workflows is refused without it.")],
                need("write", "Pushing branches and opening pull requests needs write access."),
                &[need("push", "New commits to deploy."),
                  need("pull_request", "Merge requests the product opened, and their state.")]),
            needs(Provider::GitLab,
                &[need("api", "Creating merge requests and reading files through the API."),
                  need("write_repository", "Pushing branches over Git HTTP."),
                  need("read_user", "Naming the account the deployment acts as.")],
                need("developer", "Developers can push branches and open merge requests."),
                &[need("push_events", "New commits to deploy."),
                  need("merge_requests_events", "Merge requests the product opened, and their state.")]),
            needs(Provider::BitbucketCloud,
                &[need("repository:write", "Cloning and pushing over https."),
                  need("pullrequest:write", "Opening and merging pull requests (it includes repository:write)."),
                  need("account", "Naming the account the deployment acts as (GET /2.0/user, read when connecting)."),
                  need("webhook", BBC_WEBHOOK)],
                need("write", "Pushing branches and opening pull requests needs write access."),
                &[need("repo:push", "New commits to deploy."),
                  need("pullrequest:fulfilled", "A pull request the product opened was merged.")])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("write:repository:bitbucket", "Cloning and pushing over https."),
                  need("read:pullrequest:bitbucket", BBC_API_PULLS),
                  need("write:pullrequest:bitbucket", "Opening and merging pull requests (it includes repository:write)."),
                  need("read:webhook:bitbucket", BBC_API_WEBHOOK_READ),
                  need("write:webhook:bitbucket", BBC_API_WEBHOOK_WRITE)]),
            needs(Provider::BitbucketDataCenter,
                &[need("REPO_WRITE", "Pushing branches and merging pull requests.")],
                need("REPO_WRITE", "Pushing branches and opening pull requests needs repository write."),
                &[need("repo:refs_changed", "New commits to deploy."),
                  need("pr:merged", "A pull request the product opened was merged.")]),
        ],
    },
    Profile {
        id: "engineering-metrics",
        title: "Engineering metrics",
        summary: "Reads repositories, merge requests, reviews and users, and writes nothing.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", GH_REPO_READ),
                  need("read:org", "Listing organization members and teams to attribute work."),
                  need("read:user", "Naming the connected account.")],
                need("read", "Reading repositories and pull requests."),
                &[need("pull_request", "Merge requests opened, merged and closed."),
                  need("pull_request_review", "Reviews, for review time metrics."),
                  need("push", "Commits, for lead time metrics.")]),
            needs(Provider::GitLab,
                &[need("read_api", "Reading projects, merge requests and users, and nothing more."),
                  need("read_user", "Naming the connected account.")],
                need("reporter", "Reporters can read merge requests and pipelines of private projects."),
                &[need("merge_requests_events", "Merge requests opened, merged and closed."),
                  need("push_events", "Commits, for lead time metrics.")]),
            needs(Provider::BitbucketCloud,
                &[need("repository", "Reading repositories and commits."),
                  need("pullrequest", "Reading pull requests and their activity."),
                  need("account", "Reading workspace members and the connected account (GET /2.0/user, read when connecting)."),
                  need("webhook", BBC_WEBHOOK)],
                need("read", "Reading repositories and pull requests."),
                &[need("pullrequest:created", "Pull requests opened."),
                  need("pullrequest:fulfilled", "Pull requests merged."),
                  need("repo:push", "Commits, for lead time metrics.")])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:workspace:bitbucket", "Reading workspace members and the connected account (GET /2.0/user, read when connecting)."),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("read:pullrequest:bitbucket", BBC_API_PULLS),
                  need("read:webhook:bitbucket", BBC_API_WEBHOOK_READ),
                  need("write:webhook:bitbucket", BBC_API_WEBHOOK_WRITE)]),
            needs(Provider::BitbucketDataCenter,
                &[need("REPO_READ", "Reading repositories, commits and pull requests.")],
                need("REPO_READ", "Reading repositories and pull requests."),
                &[need("pr:opened", "Pull requests opened."),
                  need("pr:merged", "Pull requests merged."),
                  need("repo:refs_changed", "Commits, for lead time metrics.")]),
        ],
    },
    Profile {
        id: "secret-sync",
        title: "Secret sync",
        summary: "Writes CI/CD variables and secrets into projects from a central vault.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", "The Actions secrets API needs repo for repository secrets."),
                  need("admin:org", "Organization secrets need admin:org.")],
                need("write", "Repository secrets can be written by collaborators with write access or more."),
                &[]),
            needs(Provider::GitLab,
                &[need("api", "The CI/CD variables API writes through api.")],
                need("maintainer", "CI/CD variables are managed by Maintainers and Owners."),
                &[]),
            needs(Provider::BitbucketCloud,
                &[need("pipeline:variable", "Reading and writing repository and workspace variables."),
                  need("account", BBC_ACCOUNT),
                  need("repository", "Listing the repositories to sync variables into.")],
                need("admin", "Repository variables are managed by repository admins."),
                &[])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("read:pipeline:bitbucket", "Reading and writing repository and workspace variables."),
                  need("admin:pipeline:bitbucket", "Reading and writing repository and workspace variables.")]),
            ProviderNeeds {
                provider: Provider::BitbucketDataCenter,
                supported: false,
                scope_mode: ScopeMode::Request,
                scopes: &[],
                api_token_scopes: &[],
                min_role: need("REPO_ADMIN", "Bitbucket Data Center has no CI/CD variables: sync secrets to the CI server (Bamboo, Jenkins) instead."),
                webhook_events: &[],
            },
        ],
    },
    Profile {
        id: "secret-scanning",
        title: "Secret scanning",
        summary: "Reads repository contents and new pushes to find leaked credentials.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", GH_REPO_READ)],
                need("read", "Cloning repositories."),
                &[need("push", "Every push, scanned as it arrives.")]),
            needs(Provider::GitLab,
                &[need("read_repository", "Cloning over Git HTTP."),
                  need("read_api", "Listing projects and reading commits.")],
                need("reporter", "Guests cannot read the code of private projects; Reporters can."),
                &[need("push_events", "Every push, scanned as it arrives."),
                  need("tag_push_events", "Tags pushed, scanned as they arrive.")]),
            needs(Provider::BitbucketCloud,
                &[need("repository", "Cloning and reading commits."),
                  need("account", "Listing the workspaces to scan, and reading the account when connecting (GET /2.0/user)."),
                  need("webhook", BBC_WEBHOOK)],
                need("read", "Cloning repositories."),
                &[need("repo:push", "Every push, scanned as it arrives.")])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("read:webhook:bitbucket", BBC_API_WEBHOOK_READ),
                  need("write:webhook:bitbucket", BBC_API_WEBHOOK_WRITE)]),
            needs(Provider::BitbucketDataCenter,
                &[need("REPO_READ", "Cloning repositories and reading commits.")],
                need("REPO_READ", "Cloning repositories."),
                &[need("repo:refs_changed", "Every push, scanned as it arrives.")]),
        ],
    },
    Profile {
        id: "code-correlation",
        title: "Code correlation",
        summary: "Reads the API and repository contents to link incidents and failures to the code changes behind them.",
        providers: &[
            needs(Provider::GitHub,
                &[need("repo", GH_REPO_READ),
                  need("read:org", "Resolving teams that own the changed code.")],
                need("read", "Reading commits, diffs and pull requests."),
                &[need("push", "Commits to index as they land."),
                  need("pull_request", "Pull requests that carried them.")]),
            needs(Provider::GitLab,
                &[need("read_api", "Reading commits, diffs and merge requests."),
                  need("read_repository", "Reading repository files over Git HTTP.")],
                need("reporter", "Reporters can read the code and merge requests of private projects."),
                &[need("push_events", "Commits to index as they land."),
                  need("merge_requests_events", "Merge requests that carried them.")]),
            needs(Provider::BitbucketCloud,
                &[need("repository", "Reading commits, diffs and files."),
                  need("pullrequest", "Reading pull requests."),
                  need("pipeline", "Reading which build ran for which commit."),
                  need("account", BBC_ACCOUNT),
                  need("webhook", BBC_WEBHOOK)],
                need("read", "Reading commits, diffs and pull requests."),
                &[need("repo:push", "Commits to index as they land."),
                  need("pullrequest:updated", "Pull requests that carried them.")])
                .api_token(&[need("read:user:bitbucket", BBC_API_USER),
                  need("read:repository:bitbucket", BBC_API_REPOSITORY),
                  need("read:pullrequest:bitbucket", BBC_API_PULLS),
                  need("read:pipeline:bitbucket", BBC_API_PIPELINES),
                  need("read:webhook:bitbucket", BBC_API_WEBHOOK_READ),
                  need("write:webhook:bitbucket", BBC_API_WEBHOOK_WRITE)]),
            needs(Provider::BitbucketDataCenter,
                &[need("REPO_READ", "Reading commits, diffs, files and pull requests.")],
                need("REPO_READ", "Reading commits, diffs and pull requests."),
                &[need("repo:refs_changed", "Commits to index as they land."),
                  need("pr:from_ref_updated", "Pull requests that carried them.")]),
        ],
    },
];

/// Every use-case preset.
pub fn profiles() -> &'static [Profile] {
    PROFILES
}

/// The preset with this identifier, or `profile.unknown`.
pub fn profile(id: &str) -> Result<&'static Profile, Error> {
    PROFILES.iter().find(|p| p.id == id).ok_or_else(|| {
        let known: Vec<&str> = PROFILES.iter().map(|p| p.id).collect();
        Error::new(
            Code::ProfileUnknown,
            format!("`{}` is not a profile; use one of {}", excerpt(id), known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::find_scope;

    #[test]
    fn profiles_cover_every_provider_with_known_scopes() {
        for profile in profiles() {
            assert_eq!(profile.providers.len(), Provider::ALL.len(), "{}", profile.id);
            for provider in Provider::ALL {
                let needs = profile.providers.iter().find(|p| p.provider == provider);
                let needs = needs.unwrap_or_else(|| panic!("{} lacks {provider}", profile.id));
                for scope in needs.scopes {
                    assert!(
                        find_scope(provider, scope.name).is_some(),
                        "{} {}",
                        profile.id,
                        scope.name
                    );
                    assert!(!scope.reason.is_empty());
                }
                assert!(!needs.min_role.reason.is_empty());
            }
        }
    }

    /// What forgelink's own flows call on Bitbucket Cloud, with any profile: connecting and
    /// testing read `GET /2.0/user` (account), discovering projects reads
    /// `GET /2.0/user/permissions/repositories` (repository), and registering a profile's
    /// webhooks needs `webhook` plus read access to each event's resource (repository for
    /// `repo:*`, pullrequest for `pullrequest:*`), as Bitbucket's scope reference says.
    #[test]
    fn bitbucket_cloud_profiles_grant_what_the_flows_call() {
        for profile in profiles() {
            let needs = profile.for_provider(Provider::BitbucketCloud);
            let granted: Vec<&str> = needs.scopes.iter().map(|n| n.name).collect();
            let mut required = vec!["account", "repository"];
            if !needs.webhook_events.is_empty() {
                required.push("webhook");
            }
            for event in needs.webhook_events {
                match event.name.split(':').next() {
                    Some("repo") => required.push("repository"),
                    Some("pullrequest") => required.push("pullrequest"),
                    other => panic!("{}: no scope known for {other:?}", profile.id),
                }
            }
            let check = crate::scopes::check_scopes(
                Provider::BitbucketCloud,
                &granted.join(" "),
                &required,
            )
            .unwrap();
            assert!(check.satisfied, "{} lacks {:?}", profile.id, check.missing);
        }
    }

    /// Registering a profile's repository webhooks on GitHub needs `admin:repo_hook` or a
    /// scope that includes it: "The repo and public_repo scopes grant full access to
    /// repositories, including repository hooks" (GitHub Docs, "Scopes for OAuth apps").
    /// Every GitHub profile with webhook events asks for enough, and for no scope another of
    /// its scopes already includes (GitHub would drop it from the token's scopes anyway).
    #[test]
    fn github_profiles_grant_what_webhooks_need_without_redundant_scopes() {
        for profile in profiles() {
            let needs = profile.for_provider(Provider::GitHub);
            let granted: Vec<&str> = needs.scopes.iter().map(|n| n.name).collect();
            if !needs.webhook_events.is_empty() {
                let check = crate::scopes::check_scopes(
                    Provider::GitHub,
                    &granted.join(","),
                    &["admin:repo_hook"],
                )
                .unwrap();
                assert!(check.satisfied, "{} lacks {:?}", profile.id, check.missing);
            }
            for (i, scope) in granted.iter().enumerate() {
                let others: Vec<&str> =
                    granted.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, s)| *s).collect();
                let check =
                    crate::scopes::check_scopes(Provider::GitHub, &others.join(","), &[scope])
                        .unwrap();
                assert!(!check.satisfied, "{}: {scope} is included in {others:?}", profile.id);
            }
        }
    }

    /// The same calls with an API token, whose scopes are their own and where write does not
    /// include read ("This scope does not imply the read:repository:bitbucket scope, so you need
    /// to request that separately", support.atlassian.com/bitbucket-cloud/docs/api-token-
    /// permissions/): `GET /2.0/user` needs read:user:bitbucket, discovery
    /// read:repository:bitbucket, registering hooks read: and write:webhook:bitbucket plus read
    /// access to each event's resource.
    #[test]
    fn bitbucket_cloud_api_token_scopes_grant_what_the_flows_call() {
        for profile in profiles() {
            let needs = profile.for_provider(Provider::BitbucketCloud);
            for scope in needs.api_token_scopes {
                let info = find_scope(Provider::BitbucketCloud, scope.name).unwrap();
                assert_eq!(info.kind, crate::scopes::ScopeKind::ApiToken, "{}", scope.name);
            }
            let granted: Vec<&str> = needs.api_token_scopes.iter().map(|n| n.name).collect();
            let mut required = vec!["read:user:bitbucket", "read:repository:bitbucket"];
            if !needs.webhook_events.is_empty() {
                required.extend(["read:webhook:bitbucket", "write:webhook:bitbucket"]);
            }
            for event in needs.webhook_events {
                match event.name.split(':').next() {
                    Some("repo") => required.push("read:repository:bitbucket"),
                    Some("pullrequest") => required.push("read:pullrequest:bitbucket"),
                    other => panic!("{}: no scope known for {other:?}", profile.id),
                }
            }
            // Writing a kind of resource needs reading it too, for API tokens.
            for scope in &granted {
                if let Some(rest) = scope.strip_prefix("write:") {
                    let read = format!("read:{rest}");
                    assert!(
                        granted.contains(&read.as_str()),
                        "{}: {scope} without {read}",
                        profile.id
                    );
                }
            }
            let check = crate::scopes::check_scopes(
                Provider::BitbucketCloud,
                &granted.join(" "),
                &required,
            )
            .unwrap();
            assert!(check.satisfied, "{} lacks {:?}", profile.id, check.missing);
        }
        for provider in [Provider::GitHub, Provider::GitLab, Provider::BitbucketDataCenter] {
            assert!(profiles()
                .iter()
                .all(|p| p.for_provider(provider).api_token_scopes.is_empty()));
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(profile("deployments").unwrap().id, "deployments");
        assert_eq!(profile("nope").unwrap_err().code, Code::ProfileUnknown);
    }
}
