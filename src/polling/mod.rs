//! Polling: what happened on a project since a point in time, read from each provider's API
//! into the same [`WebhookEvent`]s webhooks give, as pure request builders and parsers.
//!
//! The calling protocol, for one project:
//!
//! ```text
//! prepare_poll_requests(endpoints, token, project, since)  → [(PollResource, HttpRequest)]
//!   send each; parse_poll_response(...) → PollPage { events, follow_ups, next_page, rate_limit }
//!   follow_ups (a finished GitLab pipeline itself, a pipeline's jobs, a commit's statuses):
//!     prepare_poll_request(...) and parse again
//!   next_page: the same resource, with the request's URL replaced
//! ```
//!
//! Lists that the API cannot filter by time are filtered here by `since`. Every event carries
//! a [`WebhookEvent::state_key`], so deliveries and polls deduplicate against each other.

mod parse;
mod rate_limit;
mod state;

use serde::{Deserialize, Serialize};

use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::http::HttpRequest;
use crate::identity::{bearer, version_at_least};
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
use crate::repositories::repository_urls;

pub use parse::{parse_poll_response, PollPage};
pub use rate_limit::{read_rate_limit, RateLimit};
pub use state::state_key;
pub(crate) use state::with_state_key;

/// What a poll request lists: pipelines, one pipeline read again, one pipeline's jobs, merge
/// requests, pushes, Data Center's most recently changed branches, or one commit's build
/// statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "resource", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum PollResource {
    /// Pipelines updated since (GitLab pipelines, GitHub workflow runs, Bitbucket Cloud
    /// pipelines).
    Pipelines,
    /// One pipeline a list named, read again for what the list leaves out: a finished GitLab
    /// pipeline's `finished_at`, which tells a retried pipeline's attempts apart.
    Pipeline {
        /// The pipeline's id.
        pipeline_id: String,
        /// Its `updated_at` as the list gave it, so that each version is read once.
        updated_at: Option<String>,
    },
    /// The jobs of one pipeline (GitLab pipeline jobs, GitHub workflow run jobs).
    Jobs {
        /// The pipeline's id.
        pipeline_id: String,
    },
    /// Merge requests (pull requests) updated since.
    MergeRequests,
    /// Pushes, where the API shows them (GitLab project events, GitHub repository activity).
    Pushes,
    /// The most recently changed branches (Data Center), whose head commits' build statuses
    /// are then read.
    Branches,
    /// The build statuses of one commit (Bitbucket Cloud commit statuses, Data Center build
    /// statuses).
    CommitStatuses {
        /// The commit.
        sha: String,
    },
}

/// The resources a poll of one project starts with, per provider.
pub fn poll_resources(provider: Provider) -> Vec<PollResource> {
    match provider {
        Provider::GitLab | Provider::GitHub => {
            vec![PollResource::Pipelines, PollResource::MergeRequests, PollResource::Pushes]
        }
        Provider::BitbucketCloud => vec![PollResource::Pipelines, PollResource::MergeRequests],
        Provider::BitbucketDataCenter => vec![PollResource::MergeRequests, PollResource::Branches],
    }
}

/// How many items a page asks for (every provider's maximum is at least 100).
pub(crate) const PAGE_SIZE: u32 = 100;

/// Unix seconds as RFC 3339 UTC (`2024-05-01T12:00:00Z`).
pub(crate) fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
///
/// Saturating so that no input can overflow. Only `z` and `era` grow with `days`, which
/// [`rfc3339`] derives from seconds (so at most `i64::MAX / 86_400` away from 0), and the
/// rest lies within one 400-year era: no step comes near the limits, and the date is exact
/// for any `since` a caller passes.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = doe.saturating_sub(doe / 1460).saturating_add(doe / 36_524);
    let yoe = yoe.saturating_sub(doe / 146_096) / 365;
    let doy = doe.saturating_sub(yoe.saturating_mul(365)).saturating_sub(yoe / 4);
    let doy = doy.saturating_add(yoe / 100);
    let mp = doy.saturating_mul(5).saturating_add(2) / 153;
    let day = doy.saturating_sub(mp.saturating_mul(153).saturating_add(2) / 5).saturating_add(1);
    let month = if mp < 10 { mp.saturating_add(3) } else { mp.saturating_sub(9) };
    let year = era.saturating_mul(400).saturating_add(yoe).saturating_add(i64::from(month <= 2));
    (year, month, day)
}

/// The request for one resource of `project`, for what changed since `since` (unix seconds).
///
/// Query parameters follow each provider's documentation: GitLab `updated_after`,
/// `order_by=updated_at`, `per_page=100`; GitHub `created=>=…` on workflow runs, thirty days
/// before `since` so that re-runs of older runs are listed too (the parser keeps those updated
/// since), and `sort=updated` on pull requests; Bitbucket Cloud `sort=-created_on` on pipelines and a BBQL
/// `q=updated_on>=…` on pull requests and commit statuses; Data Center `order=NEWEST` on pull
/// requests, `orderBy=MODIFICATION` on branches and each commit's builds resource.
///
/// A Data Center commit's build statuses come from the repository's builds resource, which
/// every release since 7.14 has; [`prepare_poll_request_at_version`] picks the deprecated
/// build-status resource for an older server whose version is known.
pub fn prepare_poll_request(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    resource: &PollResource,
    since: i64,
) -> Result<HttpRequest, Error> {
    prepare_poll_request_at_version(endpoints, None, token, project, resource, since)
}

/// [`prepare_poll_request`] for a server known to run `server_version` (as the flows read it
/// when connecting), so that each resource is asked where that release serves it.
pub(crate) fn prepare_poll_request_at_version(
    endpoints: &Endpoints,
    server_version: Option<&str>,
    token: &str,
    project: &str,
    resource: &PollResource,
    since: i64,
) -> Result<HttpRequest, Error> {
    let provider = endpoints.provider;
    let (repo, _) = repository_urls(endpoints, project)?;
    // From 1970 to the end of year 9999, whatever the caller passed.
    let since = since.clamp(0, 253_402_300_799);
    let per_page = PAGE_SIZE;
    let unsupported = || {
        Error::new(
            Code::InputInvalid,
            format!("{} has no such list to poll.", provider.display_name()),
        )
        .for_provider(provider)
    };
    let url = match provider {
        Provider::GitLab => gitlab::poll_url(&repo, resource, since, per_page),
        Provider::GitHub => github::poll_url(&repo, resource, since, per_page),
        Provider::BitbucketCloud => bitbucket_cloud::poll_url(&repo, resource, since, per_page),
        Provider::BitbucketDataCenter => {
            let builds_resource = server_version.is_none_or(|version| {
                version_at_least(version, bitbucket_data_center::BUILDS_RESOURCE_SINCE)
            });
            bitbucket_data_center::poll_url(
                &endpoints.web,
                &repo,
                resource,
                builds_resource,
                per_page,
            )
        }
    }
    .ok_or_else(unsupported)?;
    Ok(bearer(HttpRequest::new("GET", url), token))
}

/// The first requests of a poll of `project`: one per resource of [`poll_resources`].
pub fn prepare_poll_requests(
    endpoints: &Endpoints,
    token: &str,
    project: &str,
    since: i64,
) -> Result<Vec<(PollResource, HttpRequest)>, Error> {
    poll_resources(endpoints.provider)
        .into_iter()
        .map(|resource| {
            let request = prepare_poll_request(endpoints, token, project, &resource, since)?;
            Ok((resource, request))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::endpoints;

    #[test]
    fn dates_print_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        for t in [0, 86_399, 951_782_400, 1_700_000_000, 4_102_444_800, 253_402_300_799] {
            assert_eq!(crate::identity::parse_timestamp(&rfc3339(t)), Some(t));
        }
        // Every year the timestamp reader accepts, at an odd stride through the seconds.
        for t in (0..253_402_300_800).step_by(9_999_991) {
            assert_eq!(crate::identity::parse_timestamp(&rfc3339(t)), Some(t), "{t}");
        }
        // A caller's `since` may be any i64: the date is still computed, without overflow.
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MAX), "292277026596-12-04T15:30:07Z");
        assert_eq!(rfc3339(i64::MIN), "-292277022657-01-27T08:29:52Z");
    }

    #[test]
    fn requests_carry_each_providers_filters() {
        let since = 1_700_000_000;
        let gl = endpoints(Provider::GitLab, Some("https://example.com/gitlab")).unwrap();
        let requests = prepare_poll_requests(&gl, "t", "group/sub/app", since).unwrap();
        let urls: Vec<&str> = requests.iter().map(|(_, r)| r.url.as_str()).collect();
        assert_eq!(urls, [
            "https://example.com/gitlab/api/v4/projects/group%2Fsub%2Fapp/pipelines?updated_after=2023-11-14T22%3A13%3A20Z&order_by=updated_at&sort=desc&per_page=100",
            "https://example.com/gitlab/api/v4/projects/group%2Fsub%2Fapp/merge_requests?updated_after=2023-11-14T22%3A13%3A20Z&order_by=updated_at&sort=desc&scope=all&per_page=100",
            "https://example.com/gitlab/api/v4/projects/group%2Fsub%2Fapp/events?action=pushed&after=2023-11-13&sort=desc&per_page=100",
        ]);
        assert_eq!(requests[0].1.header_value("Authorization"), Some("Bearer t"));
        let gh = endpoints(Provider::GitHub, None).unwrap();
        let runs =
            prepare_poll_request(&gh, "t", "octo/repo", &PollResource::Pipelines, since).unwrap();
        // Runs created up to thirty days before `since`: a run can be re-run that long after
        // its first run, keeping its creation time ("Re-running workflows and jobs",
        // docs.github.com/en/actions/how-tos/manage-workflow-runs/re-run-workflows-and-jobs).
        assert_eq!(
            runs.url,
            "https://api.github.com/repos/octo/repo/actions/runs?created=%3E%3D2023-10-15T22%3A13%3A20Z&per_page=100"
        );
        let early =
            prepare_poll_request(&gh, "t", "octo/repo", &PollResource::Pipelines, 86_400).unwrap();
        assert!(early.url.contains("created=%3E%3D1970-01-01T00%3A00%3A00Z"), "{}", early.url);
        let bbc = endpoints(Provider::BitbucketCloud, None).unwrap();
        let prs = prepare_poll_request(&bbc, "t", "ws/repo", &PollResource::MergeRequests, since)
            .unwrap();
        assert!(prs.url.starts_with("https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests?q=updated_on%3E%3D2023-11-14T22%3A13%3A20Z%20AND%20"), "{}", prs.url);
        let pipelines =
            prepare_poll_request(&bbc, "t", "ws/repo", &PollResource::Pipelines, since).unwrap();
        assert!(pipelines.url.ends_with("/pipelines/?sort=-created_on&pagelen=100"));
        let dc = endpoints(Provider::BitbucketDataCenter, Some("https://bb.example.com")).unwrap();
        let statuses = prepare_poll_request(
            &dc,
            "t",
            "PRJ/app",
            &PollResource::CommitStatuses { sha: "abc".into() },
            since,
        )
        .unwrap();
        // The repository's builds resource ("Builds and Deployments", since 7.14); the
        // deprecated build-status resource only for a server known to be older ("Deprecated in
        // 7.14, please use the repository based builds resource instead",
        // developer.atlassian.com/server/bitbucket/rest/v803/api-group-build-status).
        assert_eq!(
            statuses.url,
            "https://bb.example.com/rest/api/latest/projects/PRJ/repos/app/commits/abc/builds?limit=100"
        );
        let resource = PollResource::CommitStatuses { sha: "abc".into() };
        let at = |version| {
            prepare_poll_request_at_version(&dc, version, "t", "PRJ/app", &resource, since)
                .unwrap()
                .url
        };
        assert_eq!(at(Some("7.14.0")), statuses.url);
        assert_eq!(at(Some("9.4.2")), statuses.url);
        assert_eq!(
            at(Some("7.13.1")),
            "https://bb.example.com/rest/build-status/latest/commits/abc?limit=100"
        );
        assert_eq!(
            prepare_poll_request(&dc, "t", "PRJ/app", &PollResource::Pushes, since)
                .unwrap_err()
                .code,
            Code::InputInvalid
        );
        assert_eq!(
            prepare_poll_requests(&gh, "t", "octo", since).unwrap_err().code,
            Code::RepositoryInvalidPath
        );
    }
}
