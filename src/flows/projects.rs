//! Which projects a connection can see, paginated the provider's way.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{api_failure, next_page, success_json};
use crate::endpoints::{endpoints_for, Endpoints};
use crate::error::{Code, Error};
use crate::flows::connect::authorize;
use crate::flows::host::Host;
use crate::flows::record::Record;
use crate::flows::Flows;
use crate::guidance::{troubleshoot, Guidance};
use crate::http::{HttpRequest, HttpResponse};
use crate::identity::bearer;
use crate::json::text;
use crate::provider::Provider;

/// What to list.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DiscoverOptions {
    /// Only projects whose name matches.
    pub search: Option<String>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Paths to leave out: glob-like patterns compared without case, where `*` matches within
    /// one path segment, `**` across segments and `?` one character (`group/archived/*`,
    /// `**/legacy-*`). A pattern without wildcards names one path; blank patterns are ignored.
    /// [`ProjectPage::excluded`] counts what was left out of the page.
    pub exclude: Vec<String>,
}

/// A project or repository the connection can see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The provider's id.
    pub id: Option<String>,
    /// The full path to register hooks and list it with: `group/subgroup/project`, `owner/repo`.
    pub path: String,
    /// Its display name.
    pub name: Option<String>,
    /// Its web page.
    pub web_url: Option<String>,
    /// Its default branch.
    pub default_branch: Option<String>,
    /// The account's role on it, in the provider's words, where the provider tells.
    pub role: Option<String>,
    /// Whether the repository uses SHA-256 object names (GitLab's `repository_object_format`).
    pub sha256: bool,
    /// For a SHA-256 repository: the `repository.sha256_unsupported` guidance to show with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub guidance: Option<Guidance>,
}

/// Whether the account's role on a project lets it create the project's webhooks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WebhookAccess {
    /// The least role that may create webhooks, in the provider's words: `maintainer`, `admin`,
    /// `REPO_ADMIN`.
    pub needed_role: &'static str,
    /// Whether the role given is that role or above it.
    pub allowed: bool,
}

/// Whether `role`, in the words [`Project::role`] reports it, may create a project's webhooks:
/// GitLab's Maintainers and Owners (<https://docs.gitlab.com/user/permissions/>, "Manage
/// project webhooks"), GitHub's repository admins
/// (<https://docs.github.com/en/webhooks/using-webhooks/creating-webhooks>), Bitbucket Cloud's
/// repository admins (<https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/>),
/// Data Center's repository, project and system admins (REPO_ADMIN or above,
/// <https://developer.atlassian.com/server/bitbucket/rest/v1000/api-group-repository/>).
/// `None` for a role the provider does not name that way. `tests/fixtures/webhook-access.json`
/// holds every face to these answers.
pub fn webhook_access(provider: Provider, role: &str) -> Option<WebhookAccess> {
    let (needed_role, allowed, below): (_, &[&str], &[&str]) = match provider {
        Provider::GitLab => {
            ("maintainer", &["maintainer", "owner"], &["guest", "planner", "reporter", "developer"])
        }
        Provider::GitHub => ("admin", &["admin"], &["maintain", "write", "triage", "read"]),
        Provider::BitbucketCloud => ("admin", &["admin"], &["write", "read"]),
        Provider::BitbucketDataCenter => (
            "REPO_ADMIN",
            &["REPO_ADMIN", "PROJECT_ADMIN", "ADMIN", "SYS_ADMIN"],
            &["REPO_WRITE", "REPO_READ", "PROJECT_WRITE", "PROJECT_READ"],
        ),
    };
    let role = role.trim();
    let named = |roles: &[&str]| roles.iter().any(|r| r.eq_ignore_ascii_case(role));
    if named(allowed) {
        Some(WebhookAccess { needed_role, allowed: true })
    } else if named(below) {
        Some(WebhookAccess { needed_role, allowed: false })
    } else {
        None
    }
}

/// One page of projects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProjectPage {
    /// The projects on this page.
    pub projects: Vec<Project>,
    /// Pass this as `cursor` for the next page; none on the last page.
    pub next_cursor: Option<String>,
    /// How many projects of this page the `exclude` patterns left out.
    pub excluded: u32,
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The first page's URL.
fn first_page(endpoints: &Endpoints, search: Option<&str>) -> String {
    let api = &endpoints.api;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    match endpoints.provider {
        Provider::GitHub => format!("{api}/user/repos?per_page=100&sort=full_name"),
        Provider::GitLab => {
            let mut url =
                format!("{api}/projects?membership=true&per_page=100&order_by=path&sort=asc");
            if let Some(search) = search {
                url.push_str(&format!("&search={}&search_namespaces=true", encode(search)));
            }
            url
        }
        Provider::BitbucketCloud => {
            let mut url = format!(
                "{api}/user/permissions/repositories?pagelen=100&sort=repository.full_name"
            );
            if let Some(search) = search {
                let quoted = search.replace('\\', "\\\\").replace('"', "\\\"");
                url.push_str(&format!(
                    "&q={}",
                    encode(&format!("repository.full_name~\"{quoted}\""))
                ));
            }
            url
        }
        Provider::BitbucketDataCenter => {
            let mut url = format!("{api}/repos?limit=100");
            if let Some(search) = search {
                url.push_str(&format!("&name={}", encode(search)));
            }
            url
        }
    }
}

/// GitLab's Projects API names a project's object format `repository_object_format`
/// (`sha1` or `sha256`); releases from before SHA-256 support leave it out, and their
/// projects are SHA-1.
fn gitlab_sha256(item: &Value) -> bool {
    item["repository_object_format"].as_str().is_some_and(|f| f.eq_ignore_ascii_case("sha256"))
}

fn gitlab_role(level: Option<u64>) -> Option<String> {
    Some(
        match level? {
            50 => "owner",
            40 => "maintainer",
            30 => "developer",
            20 => "reporter",
            15 => "planner",
            10 => "guest",
            _ => return None,
        }
        .to_owned(),
    )
}

fn parse_page(
    endpoints: &Endpoints,
    url: &str,
    response: &HttpResponse,
    search: Option<&str>,
) -> Result<ProjectPage, Error> {
    let provider = endpoints.provider;
    let body = success_json(
        provider,
        response,
        api_failure(provider, response),
        "The projects API answered something other than JSON.",
    )?;
    let items = match provider {
        // An installation's list (`GET /installation/repositories`) wraps the repositories.
        Provider::GitHub if body.is_object() => {
            body["repositories"].as_array().cloned().unwrap_or_default()
        }
        Provider::GitHub | Provider::GitLab => body.as_array().cloned().unwrap_or_default(),
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => {
            body["values"].as_array().cloned().unwrap_or_default()
        }
    };
    let mut projects: Vec<Project> = items
        .iter()
        .filter_map(|item| match provider {
            Provider::GitHub => Some(Project {
                id: text(item, &["id"]),
                path: text(item, &["full_name"])?,
                name: text(item, &["name"]),
                web_url: text(item, &["html_url"]),
                default_branch: text(item, &["default_branch"]),
                role: ["admin", "maintain", "push", "triage", "pull"]
                    .into_iter()
                    .find(|p| item["permissions"][*p].as_bool() == Some(true))
                    .map(|p| {
                        if p == "push" {
                            "write".to_owned()
                        } else if p == "pull" {
                            "read".to_owned()
                        } else {
                            p.to_owned()
                        }
                    }),
                sha256: false,
                guidance: None,
            }),
            Provider::GitLab => Some(Project {
                id: text(item, &["id"]),
                path: text(item, &["path_with_namespace"])?,
                name: text(item, &["name"]),
                web_url: text(item, &["web_url"]),
                default_branch: text(item, &["default_branch"]),
                role: gitlab_role(
                    item["permissions"]["project_access"]["access_level"]
                        .as_u64()
                        .max(item["permissions"]["group_access"]["access_level"].as_u64()),
                ),
                sha256: gitlab_sha256(item),
                guidance: gitlab_sha256(item)
                    .then(|| troubleshoot(Code::RepositorySha256Unsupported, Some(provider))),
            }),
            Provider::BitbucketCloud => {
                let repo = &item["repository"];
                Some(Project {
                    id: text(repo, &["uuid"]),
                    path: text(repo, &["full_name"])?,
                    name: text(repo, &["name"]),
                    web_url: text(repo, &["links", "html", "href"]),
                    default_branch: text(repo, &["mainbranch", "name"]),
                    role: text(item, &["permission"]),
                    sha256: false,
                    guidance: None,
                })
            }
            Provider::BitbucketDataCenter => Some(Project {
                id: text(item, &["id"]),
                path: format!("{}/{}", text(item, &["project", "key"])?, text(item, &["slug"])?),
                name: text(item, &["name"]),
                web_url: item["links"]["self"][0]["href"]
                    .as_str()
                    .map(|u| u.trim_end_matches("/browse").to_owned()),
                default_branch: None,
                role: None,
                sha256: false,
                guidance: None,
            }),
        })
        .collect();
    if provider == Provider::GitHub {
        // GitHub's repository list has no search parameter: filter the page.
        if let Some(search) = search.map(str::to_ascii_lowercase).filter(|s| !s.is_empty()) {
            projects.retain(|p| p.path.to_ascii_lowercase().contains(&search));
        }
    }
    let next_cursor = next_page(provider, url, response, &body);
    Ok(ProjectPage { projects, next_cursor, excluded: 0 })
}

impl<H: Host> Flows<H> {
    /// The record with a fresh token, and its endpoints.
    pub(crate) async fn fresh(&self, id: &str) -> Result<(Record, Endpoints), Error> {
        self.access_token(id).await?;
        let (record, _) = self.load(id).await?;
        let base = crate::base_url::resolve_base_url(record.provider, Some(&record.base_url))?;
        Ok((record, endpoints_for(&base)))
    }

    /// An authenticated request to the connection's API. A URL outside its API (a cursor from
    /// elsewhere) is refused: a token never leaves the host it was issued for.
    pub(crate) fn api_request(
        &self,
        record: &Record,
        endpoints: &Endpoints,
        method: &str,
        url: String,
    ) -> Result<HttpRequest, Error> {
        if !url.starts_with(&format!("{}/", endpoints.api)) {
            return Err(Error::new(
                Code::InputInvalid,
                "That cursor does not belong to this connection's API.",
            ));
        }
        let mut request =
            bearer(HttpRequest::new(method, url), record.tokens.access_token.secret());
        authorize(&mut request, record);
        Ok(request)
    }

    /// One page of the projects the connection can see, with the account's role on each
    /// where the provider tells it.
    pub async fn discover_projects(
        &self,
        id: &str,
        options: DiscoverOptions,
    ) -> Result<ProjectPage, Error> {
        let (record, endpoints) = self.fresh(id).await?;
        let app = matches!(record.auth, crate::flows::record::Auth::GitHubApp { .. });
        let url = options.cursor.clone().unwrap_or_else(|| {
            if app {
                // The repositories the installation was granted, not the account's.
                crate::github_app::installation_repositories_url(&endpoints.api, 100)
            } else {
                first_page(&endpoints, options.search.as_deref())
            }
        });
        let request = self.api_request(&record, &endpoints, "GET", url.clone())?;
        let response = self.send(request).await?;
        let mut page = parse_page(&endpoints, &url, &response, options.search.as_deref())?;
        let patterns: Vec<&str> =
            options.exclude.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect();
        let before = page.projects.len();
        page.projects.retain(|project| !patterns.iter().any(|p| glob_matches(p, &project.path)));
        page.excluded =
            u32::try_from(before.saturating_sub(page.projects.len())).unwrap_or(u32::MAX);
        Ok(page)
    }
}

/// Whether `path` matches the glob `pattern`, without case: `*` within a segment, `**` across
/// segments, `?` one character other than `/`.
// The index arithmetic stays within the table: both lengths are capped just below.
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn glob_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.trim_matches('/').to_lowercase().chars().collect();
    let s: Vec<char> = path.trim_matches('/').to_lowercase().chars().collect();
    if p.len() > 256 || s.len() > 1024 {
        return false;
    }
    // matched[i][j]: p[i..] matches s[j..]; filled from the ends.
    let width = s.len() + 1;
    let mut matched = vec![false; (p.len() + 1) * width];
    matched[p.len() * width + s.len()] = true;
    for i in (0..p.len()).rev() {
        for j in (0..=s.len()).rev() {
            let at = |i: usize, j: usize| matched[i * width + j];
            let here = s.get(j).copied();
            matched[i * width + j] = match p[i] {
                '*' if p.get(i + 1) == Some(&'*') => {
                    // `**` spans segments; `**/` may also stand for no segment at all.
                    at(i + 2, j)
                        || (p.get(i + 2) == Some(&'/') && at(i + 3, j))
                        || (here.is_some() && at(i, j + 1))
                }
                '*' => at(i + 1, j) || (here.is_some_and(|c| c != '/') && at(i, j + 1)),
                '?' => here.is_some_and(|c| c != '/') && at(i + 1, j + 1),
                c => here == Some(c) && at(i + 1, j + 1),
            };
        }
    }
    matched[0]
}

#[cfg(test)]
mod tests {
    use super::{glob_matches, webhook_access};
    use crate::provider::Provider;

    #[test]
    fn roles_that_may_create_webhooks() {
        let access =
            |provider, role| webhook_access(provider, role).map(|a| (a.needed_role, a.allowed));
        assert_eq!(access(Provider::GitLab, "owner"), Some(("maintainer", true)));
        assert_eq!(access(Provider::GitLab, "developer"), Some(("maintainer", false)));
        assert_eq!(access(Provider::GitHub, "maintain"), Some(("admin", false)));
        assert_eq!(access(Provider::GitHub, "admin"), Some(("admin", true)));
        assert_eq!(access(Provider::BitbucketCloud, "write"), Some(("admin", false)));
        assert_eq!(
            access(Provider::BitbucketDataCenter, "repo_write"),
            Some(("REPO_ADMIN", false))
        );
        assert_eq!(access(Provider::GitLab, "admin"), None, "not a GitLab role");
        assert_eq!(access(Provider::GitHub, ""), None);
    }

    #[test]
    fn exclusion_patterns() {
        assert!(glob_matches("group/archived/*", "group/archived/old-app"));
        assert!(glob_matches("Group/Archived/*", "group/archived/OLD"));
        assert!(!glob_matches("group/archived/*", "group/archived/sub/app"));
        assert!(glob_matches("group/archived/**", "group/archived/sub/app"));
        assert!(glob_matches("**/legacy-*", "a/b/legacy-web"));
        assert!(glob_matches("**/legacy-*", "legacy-web"));
        assert!(!glob_matches("**/legacy-*", "a/b/new-web"));
        assert!(glob_matches("group/app?", "group/app2"));
        assert!(!glob_matches("group/app?", "group/app/"));
        assert!(glob_matches("group/app", "group/app/"));
        assert!(!glob_matches("group/app", "group/app2"));
        assert!(!glob_matches(&"*".repeat(300), "a"));
        assert!(glob_matches("*a*a*a*a*a*b", &format!("{}b", "a".repeat(200))));
    }
}
