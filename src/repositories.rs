//! Reading the repository lists products ask people to paste: one `group/project` per line.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::endpoints::Endpoints;
use crate::error::{excerpt, Code, Error};
use crate::provider::Provider;

/// Text percent-encoded to stand as one URL path segment or query value (a space as `%20`, a
/// slash as `%2F`, so that a GitLab path fits one segment).
pub(crate) fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

fn invalid_project(provider: Provider, project: &str, shape: &str) -> Error {
    Error::new(
        Code::RepositoryInvalidPath,
        format!(
            "`{}` is not a {} repository path ({shape}).",
            excerpt(project),
            provider.display_name()
        ),
    )
    .for_provider(provider)
}

/// The API URL of a repository and its web page, from its path (`owner/repo`,
/// `group/subgroup/project` or a GitLab project id, `workspace/repo`, `PROJECT/repo`).
pub(crate) fn repository_urls(
    endpoints: &Endpoints,
    project: &str,
) -> Result<(String, String), Error> {
    let provider = endpoints.provider;
    let parts: Vec<&str> = project.trim().trim_matches('/').split('/').collect();
    let (api, web) = (&endpoints.api, &endpoints.web);
    let two = |shape: &str| match parts.as_slice() {
        [a, b] if !a.is_empty() && !b.is_empty() => Ok((encode(a), encode(b))),
        _ => Err(invalid_project(provider, project, shape)),
    };
    Ok(match provider {
        Provider::GitHub => {
            let (owner, repo) = two("owner/repo")?;
            (format!("{api}/repos/{owner}/{repo}"), format!("{web}/{owner}/{repo}"))
        }
        Provider::GitLab => match parts.as_slice() {
            [id] if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                (format!("{api}/projects/{id}"), format!("{web}/projects/{id}"))
            }
            [_, _, ..] if parts.iter().all(|p| !p.is_empty()) => {
                let path = parts.join("/");
                (format!("{api}/projects/{}", encode(&path)), format!("{web}/{path}"))
            }
            _ => return Err(invalid_project(provider, project, "group/project or a project id")),
        },
        Provider::BitbucketCloud => {
            let (workspace, repo) = two("workspace/repo")?;
            (format!("{api}/repositories/{workspace}/{repo}"), format!("{web}/{workspace}/{repo}"))
        }
        Provider::BitbucketDataCenter => {
            let (key, slug) = two("PROJECT/repo")?;
            (
                format!("{api}/projects/{key}/repos/{slug}"),
                format!("{web}/projects/{key}/repos/{slug}"),
            )
        }
    })
}

/// A diagnostic about one line of a pasted list: `repository.invalid_path`,
/// `repository.group_path` or `repository.duplicate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LineDiagnostic {
    /// The line number, from 1.
    pub line: usize,
    /// What was found.
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

/// What [`parse_repository_list`] read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RepositoryList {
    /// The repository paths, in order, each once.
    pub repositories: Vec<String>,
    /// A diagnostic per bad or repeated line.
    pub diagnostics: Vec<LineDiagnostic>,
}

/// Reads one repository per line: `group/project`, `group/subgroup/project`, `owner/repo`,
/// `PROJECT/repo`, or a web or clone URL of one. Blank lines and `#` comments are skipped;
/// repeats (compared without case, as the providers route) are kept once. A line that names a
/// group or namespace rather than a project (`group/`, a lone owner or workspace name, a
/// group's page) is reported as `repository.group_path`, not read as a project.
///
/// With the instance's `base_url`, web URLs lose its path (a GitLab relative root, a Data
/// Center context path) and URLs of another instance are reported; without it, a URL's whole
/// path is taken.
pub fn parse_repository_list(text: &str, base_url: Option<&str>) -> RepositoryList {
    let base = base_url
        .map(|b| b.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|b| !b.is_empty());
    let mut repositories: Vec<String> = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let report = |diagnostic| LineDiagnostic { line: index.saturating_add(1), diagnostic };
        let line = match (&base, line.contains("://")) {
            (Some(base), true) => {
                match line.get(..base.len()).filter(|head| head.eq_ignore_ascii_case(base)) {
                    Some(_) if line[base.len()..].starts_with('/') => &line[base.len()..],
                    _ => {
                        diagnostics.push(report(Diagnostic::error(
                            Code::RepositoryInvalidPath,
                            format!("`{}` is not on the connected instance {base}.", excerpt(line)),
                        )));
                        continue;
                    }
                }
            }
            _ => line,
        };
        if let Some(namespace) = namespace_path(line) {
            diagnostics.push(report(Diagnostic::error(
                Code::RepositoryGroupPath,
                format!("`{}` names a group or namespace, not a project.", excerpt(&namespace)),
            )));
            continue;
        }
        match repository_path(line) {
            Some(path) if repositories.iter().any(|seen| seen.eq_ignore_ascii_case(&path)) => {
                diagnostics.push(report(Diagnostic::warning(
                    Code::RepositoryDuplicate,
                    format!("{path} is listed more than once."),
                )));
            }
            Some(path) => repositories.push(path),
            None => diagnostics.push(report(Diagnostic::error(
                Code::RepositoryInvalidPath,
                format!("`{}` is not a repository path such as group/project.", excerpt(line)),
            ))),
        }
    }
    RepositoryList { repositories, diagnostics }
}

/// The group or namespace a line names instead of a project, when its shape makes that
/// certain: a plain path ending in a slash (`platform/services/`), a lone name (an owner, a
/// workspace, a top-level group: every provider keeps projects under one), a URL of a single
/// name, a GitLab group page (`/groups/...`) or a Data Center project page (`/projects/KEY`).
/// Answers the namespace as typed, with a trailing slash.
fn namespace_path(line: &str) -> Option<String> {
    let valid = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let url_path = if line.starts_with('/') {
        Some(line)
    } else {
        line.split_once("://").map(|(_, rest)| rest.split_once('/').map_or("", |(_, path)| path))
    };
    let namespace = match url_path {
        Some(path) => {
            let path = path.split(['?', '#']).next().unwrap_or_default();
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let end = segments.iter().position(|s| *s == "-").unwrap_or(segments.len());
            match &segments[..end] {
                ["groups", group @ ..] if !group.is_empty() => group.join("/"),
                ["projects", key] => (*key).to_owned(),
                [name] => (*name).to_owned(),
                _ => return None,
            }
        }
        None => {
            let path = line.trim_end_matches('/');
            let lone = !path.contains('/') && !path.bytes().all(|b| b.is_ascii_digit());
            if !(line.ends_with('/') || lone) {
                return None;
            }
            path.to_owned()
        }
    };
    namespace.split('/').all(valid).then(|| format!("{namespace}/"))
}

/// The repository path a line names, if it names one.
fn repository_path(line: &str) -> Option<String> {
    let path = if line.starts_with('/') {
        cut_page(line.split(['?', '#']).next().unwrap_or_default())
    } else if let Some((_, rest)) = line.split_once("://") {
        // A web or clone URL: drop the host (and any user), keep the path up to GitLab's `/-/`,
        // Bitbucket Cloud's `/src/` or GitHub's `/tree/`, `/pull/`...
        let after_host = rest.split_once('/').map(|(_, path)| path)?;
        let path = after_host.split(['?', '#']).next().unwrap_or_default();
        cut_page(path)
    } else if let Some((user_host, path)) =
        line.split_once(':').filter(|(uh, _)| uh.contains('@') && !uh.contains('/'))
    {
        // git@host:group/project.git
        let _ = user_host;
        path.to_owned()
    } else {
        line.to_owned()
    };
    let path = path.trim_matches('/').trim_end_matches(".git").trim_matches('/');
    // Bitbucket Data Center clone and browse URLs: /scm/KEY/repo, /projects/KEY/repos/repo.
    let path = data_center_path(path).unwrap_or_else(|| path.to_owned());
    let segments: Vec<&str> = path.split('/').collect();
    let valid = segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && *s != "."
                && *s != ".."
                && s.len() <= 255
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    valid.then_some(path)
}

fn cut_page(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let markers = [
        "-",
        "tree",
        "blob",
        "pull",
        "pulls",
        "issues",
        "actions",
        "src",
        "pull-requests",
        "commits",
        "branches",
        "browse",
    ];
    let end = segments.iter().position(|s| markers.contains(s)).unwrap_or(segments.len());
    segments[..end].join("/")
}

fn data_center_path(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    if let Some(i) = segments.iter().position(|s| *s == "scm") {
        let [_, project, repo, ..] = segments.get(i..)? else { return None };
        return Some(format!("{project}/{}", repo.trim_end_matches(".git")));
    }
    let i = segments.iter().position(|s| *s == "projects")?;
    match segments.get(i..)? {
        [_, project, "repos", repo, ..] => Some(format!("{project}/{repo}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_urls_per_provider() {
        let urls = |provider, base: Option<&str>, project: &str| {
            repository_urls(&crate::endpoints(provider, base).unwrap(), project)
        };
        let gitlab = Some("https://example.com/gitlab");
        assert_eq!(
            urls(Provider::GitLab, gitlab, "group/sub app/p").unwrap(),
            (
                "https://example.com/gitlab/api/v4/projects/group%2Fsub%20app%2Fp".to_owned(),
                "https://example.com/gitlab/group/sub app/p".to_owned()
            )
        );
        assert_eq!(
            urls(Provider::GitLab, gitlab, "42").unwrap().0,
            "https://example.com/gitlab/api/v4/projects/42"
        );
        for bad in ["app", "group//app", "", "/"] {
            let error = urls(Provider::GitLab, gitlab, bad).unwrap_err();
            assert_eq!(error.code, Code::RepositoryInvalidPath, "{bad:?}");
        }
        assert_eq!(
            urls(Provider::BitbucketDataCenter, Some("https://bb.example.com"), "PRJ/app")
                .unwrap()
                .1,
            "https://bb.example.com/projects/PRJ/repos/app"
        );
        assert!(urls(Provider::GitHub, None, "a/b/c").is_err());
    }

    #[test]
    fn lines_urls_duplicates_and_errors() {
        let list = parse_repository_list(
            "group/project\n\n# a comment\n  group/subgroup/project  \nhttps://gitlab.example.com/gitlab/group/app/-/merge_requests/3\ngit@github.com:octo/repo.git\nhttps://github.com/octo/repo/pull/7\nGROUP/PROJECT\nnot a path\nhttps://bitbucket.example.com/scm/PRJ/app.git\nhttps://bitbucket.example.com/projects/PRJ/repos/web/browse\n../etc\n",
            None,
        );
        assert_eq!(
            list.repositories,
            [
                "group/project",
                "group/subgroup/project",
                "gitlab/group/app",
                "octo/repo",
                "PRJ/app",
                "PRJ/web"
            ]
        );
        let codes: Vec<(usize, &str)> =
            list.diagnostics.iter().map(|d| (d.line, d.diagnostic.code.as_str())).collect();
        assert_eq!(
            codes,
            [
                (7, "repository.duplicate"),
                (8, "repository.duplicate"),
                (9, "repository.invalid_path"),
                (12, "repository.invalid_path")
            ]
        );
        let base = Some("https://gitlab.example.com/gitlab/");
        let list = parse_repository_list(
            "platform/services/\nplatform\nplatform/services/api\nhttps://gitlab.example.com/gitlab/groups/platform/services/-/issues\nhttps://gitlab.example.com/gitlab/octo\nhttps://gitlab.example.com/gitlab/projects/PRJ\n42\nnot a group/\nhttps://gitlab.example.com/gitlab/octo/repo/\n",
            base,
        );
        assert_eq!(list.repositories, ["platform/services/api", "octo/repo"]);
        let found: Vec<(usize, &str, &str)> = list
            .diagnostics
            .iter()
            .map(|d| (d.line, d.diagnostic.code.as_str(), d.diagnostic.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    1,
                    "repository.group_path",
                    "`platform/services/` names a group or namespace, not a project."
                ),
                (
                    2,
                    "repository.group_path",
                    "`platform/` names a group or namespace, not a project."
                ),
                (
                    4,
                    "repository.group_path",
                    "`platform/services/` names a group or namespace, not a project."
                ),
                (5, "repository.group_path", "`octo/` names a group or namespace, not a project."),
                (6, "repository.group_path", "`PRJ/` names a group or namespace, not a project."),
                (
                    7,
                    "repository.invalid_path",
                    "`42` is not a repository path such as group/project."
                ),
                (
                    8,
                    "repository.invalid_path",
                    "`not a group/` is not a repository path such as group/project."
                ),
            ]
        );
        let list = parse_repository_list(
            "https://gitlab.example.com/gitlab/group/app/-/merge_requests/3\nhttps://other.example.com/group/app",
            base,
        );
        assert_eq!(list.repositories, ["group/app"]);
        assert_eq!(list.diagnostics[0].line, 2);
    }
}
