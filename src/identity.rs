//! Who a token belongs to and what the instance runs: pure request builders and parsers for
//! the current-user and version endpoints of every provider.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{api_failure, success_json};
use crate::endpoints::Endpoints;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse};
use crate::json::text;
use crate::provider::Provider;
use crate::scopes::split_scopes;

/// The account a token acts as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The provider's stable id for the account (a number, or Bitbucket Cloud's UUID).
    pub id: String,
    /// The login, username or slug.
    pub username: String,
    /// The display name, where set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub name: Option<String>,
    /// The account's profile page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub web_url: Option<String>,
}

/// What a current-user call tells besides the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The account, or `None` for Bitbucket Data Center's first step, which only names the
    /// user slug (see [`Identity::username`]).
    pub account: Option<Account>,
    /// The username the response named.
    pub username: Option<String>,
    /// The scopes a response header listed (GitHub classic tokens, Bitbucket Cloud).
    pub granted_scopes: Option<Vec<String>>,
    /// When the token expires, where a header says (GitHub personal access tokens).
    pub token_expires_at: Option<i64>,
}

pub(crate) fn bearer(request: HttpRequest, token: &str) -> HttpRequest {
    request.header("Authorization", format!("Bearer {token}")).header("Accept", "application/json")
}

/// `GET` the current user with the token (Data Center: the application properties, whose
/// `X-AUSERNAME` header names the user).
pub fn prepare_current_user(endpoints: &Endpoints, token: &str) -> HttpRequest {
    bearer(HttpRequest::new("GET", endpoints.current_user.clone()), token)
}

/// Data Center's second step: the user named by `X-AUSERNAME`.
pub fn prepare_data_center_user(endpoints: &Endpoints, token: &str, slug: &str) -> HttpRequest {
    let slug: String = url::form_urlencoded::byte_serialize(slug.as_bytes()).collect();
    bearer(HttpRequest::new("GET", format!("{}/users/{slug}", endpoints.api)), token)
}

fn json_body(provider: Provider, response: &HttpResponse) -> Result<Value, Error> {
    success_json(
        provider,
        response,
        api_failure(provider, response),
        "The provider answered something other than JSON: is the base URL right?",
    )
}

/// Reads a current-user response.
pub fn parse_current_user(provider: Provider, response: &HttpResponse) -> Result<Identity, Error> {
    let body = json_body(provider, response)?;
    let header_scopes = |name| response.header(name).map(split_scopes);
    let missing = || {
        Error::new(
            Code::HttpUnexpectedStatus,
            "The current-user response does not name an account.",
        )
        .for_provider(provider)
    };
    let identity = match provider {
        Provider::GitHub => Identity {
            account: Some(Account {
                id: text(&body, &["id"]).ok_or_else(missing)?,
                username: text(&body, &["login"]).ok_or_else(missing)?,
                name: text(&body, &["name"]),
                web_url: text(&body, &["html_url"]),
            }),
            username: text(&body, &["login"]),
            granted_scopes: header_scopes("X-OAuth-Scopes"),
            token_expires_at: response
                .header("GitHub-Authentication-Token-Expiration")
                .and_then(parse_timestamp),
        },
        Provider::GitLab => Identity {
            account: Some(Account {
                id: text(&body, &["id"]).ok_or_else(missing)?,
                username: text(&body, &["username"]).ok_or_else(missing)?,
                name: text(&body, &["name"]),
                web_url: text(&body, &["web_url"]),
            }),
            username: text(&body, &["username"]),
            granted_scopes: None,
            token_expires_at: None,
        },
        Provider::BitbucketCloud => {
            let username = text(&body, &["username"])
                .or_else(|| text(&body, &["nickname"]))
                .ok_or_else(missing)?;
            Identity {
                account: Some(Account {
                    id: text(&body, &["uuid"])
                        .or_else(|| text(&body, &["account_id"]))
                        .ok_or_else(missing)?,
                    username: username.clone(),
                    name: text(&body, &["display_name"]),
                    web_url: text(&body, &["links", "html", "href"]),
                }),
                username: Some(username),
                granted_scopes: header_scopes("X-OAuth-Scopes"),
                token_expires_at: None,
            }
        }
        Provider::BitbucketDataCenter => {
            let username =
                response.header("X-AUSERNAME").filter(|u| !u.is_empty()).map(str::to_owned);
            if username.is_none() {
                return Err(Error::new(
                    Code::HttpUnauthorized,
                    "Bitbucket Data Center answered anonymously (no X-AUSERNAME): the token was not accepted.",
                )
                .for_provider(provider));
            }
            Identity { account: None, username, granted_scopes: None, token_expires_at: None }
        }
    };
    Ok(identity)
}

/// Reads Data Center's `GET /users/{slug}`.
pub fn parse_data_center_user(response: &HttpResponse) -> Result<Account, Error> {
    let provider = Provider::BitbucketDataCenter;
    let body = json_body(provider, response)?;
    let missing = || {
        Error::new(Code::HttpUnexpectedStatus, "The user response does not name an account.")
            .for_provider(provider)
    };
    Ok(Account {
        id: text(&body, &["id"]).ok_or_else(missing)?,
        username: text(&body, &["slug"]).or_else(|| text(&body, &["name"])).ok_or_else(missing)?,
        name: text(&body, &["displayName"]),
        web_url: body
            .get("links")
            .and_then(|l| l.get("self"))
            .and_then(|s| s.get(0))
            .and_then(|s| text(s, &["href"])),
    })
}

/// `GET` the version endpoint, where the deployment has one.
pub fn prepare_version(endpoints: &Endpoints, token: &str) -> Option<HttpRequest> {
    endpoints.version.clone().map(|url| bearer(HttpRequest::new("GET", url), token))
}

/// Reads a version response: GHES `installed_version`, GitLab `version`, Data Center `version`.
pub fn parse_version(provider: Provider, response: &HttpResponse) -> Result<String, Error> {
    let body = json_body(provider, response)?;
    let field = if provider == Provider::GitHub { "installed_version" } else { "version" };
    text(&body, &[field]).ok_or_else(|| {
        Error::new(Code::HttpUnexpectedStatus, "The version response names no version.")
            .for_provider(provider)
    })
}

/// The oldest version forgelink supports for a connection, where one applies.
pub(crate) fn minimum_version(provider: Provider, oauth: bool) -> Option<&'static str> {
    match provider {
        Provider::GitLab => Some("9.0"),
        Provider::BitbucketDataCenter if oauth => Some("7.20"),
        Provider::BitbucketDataCenter => Some("5.5"),
        // Only Enterprise Server tells a version: the flows read it on self-hosted deployments.
        Provider::GitHub => Some(crate::providers::github::SERVER_MINIMUM),
        Provider::BitbucketCloud => None,
    }
}

/// Whether `version` (such as `17.5.1-ee`) is at least `minimum` (such as `9.0`).
pub(crate) fn version_at_least(version: &str, minimum: &str) -> bool {
    let numbers = |v: &str| -> Vec<u64> {
        v.split(|c: char| !c.is_ascii_digit() && c != '.')
            .next()
            .unwrap_or_default()
            .split('.')
            .map(|part| part.parse().unwrap_or(0))
            .collect()
    };
    let (have, need) = (numbers(version), numbers(minimum));
    for i in 0..need.len().max(have.len()) {
        let (h, n) = (have.get(i).copied().unwrap_or(0), need.get(i).copied().unwrap_or(0));
        if h != n {
            return h > n;
        }
    }
    true
}

/// `2025-12-31`, `2025-12-31 00:00:00 UTC` or `2025-12-31T10:00:00Z` → unix seconds (UTC).
pub(crate) fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((date, rest)) => (date, rest.trim_end_matches(" UTC").trim_end_matches('Z')),
        None => (text, "00:00:00"),
    };
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    // Headers are outside input: bound every field so the arithmetic below cannot overflow.
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut hms = time.splitn(3, ':').map(|p| p.get(..2).unwrap_or(p).parse::<i64>().ok());
    let (hour, minute, second) = (
        hms.next().flatten().unwrap_or(0),
        hms.next().flatten().unwrap_or(0),
        hms.next().flatten().unwrap_or(0),
    );
    if !(0..24).contains(&hour) || !(0..60).contains(&minute) || !(0..61).contains(&second) {
        return None;
    }
    let seconds =
        hour.saturating_mul(3600).saturating_add(minute.saturating_mul(60)).saturating_add(second);
    Some(days_from_civil(year, month, day).saturating_mul(86_400).saturating_add(seconds))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
///
/// Saturating so that no input can overflow; with the bounded fields [`parse_timestamp`]
/// passes, no step comes near the limits and the result is exact.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year.saturating_sub(1) } else { year };
    let (era, yoe) = (y.div_euclid(400), y.rem_euclid(400));
    let mp = month.saturating_add(9) % 12;
    let doy =
        (153_i64.saturating_mul(mp).saturating_add(2) / 5).saturating_add(day).saturating_sub(1);
    let doe = yoe.saturating_mul(365).saturating_add(yoe / 4).saturating_sub(yoe / 100);
    let doe = doe.saturating_add(doy);
    era.saturating_mul(146_097).saturating_add(doe).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_dates() {
        assert!(version_at_least("17.5.1-ee", "9.0"));
        assert!(!version_at_least("8.17.8", "9.0"));
        assert!(version_at_least("7.20.0", "7.20"));
        assert!(!version_at_least("7.19.3", "7.20"));
        assert!(version_at_least("3.11.0", "3.11"));
        assert!(version_at_least("3.16.0", "3.11"));
        assert!(!version_at_least("3.10.9", "3.11"));
        assert!(!version_at_least("2.22.0", "3.11"));
        assert_eq!(parse_timestamp("1970-01-02"), Some(86_400));
        assert_eq!(parse_timestamp("2023-11-14 22:13:20 UTC"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("soon"), None);
        assert_eq!(parse_timestamp("99999999999999999-01-01"), None);
        assert_eq!(parse_timestamp("2024-01-01 99999999999999:00:00 UTC"), None);
    }

    #[test]
    fn github_user_with_scopes_and_expiry() {
        let response = HttpResponse {
            status: 200,
            headers: vec![
                ("x-oauth-scopes".into(), "repo, read:org".into()),
                ("github-authentication-token-expiration".into(), "2023-11-14 22:13:20 UTC".into()),
            ],
            body: br#"{"login":"octocat","id":1,"name":"The Octocat","html_url":"https://github.com/octocat"}"#.to_vec(),
        };
        let identity = parse_current_user(Provider::GitHub, &response).unwrap();
        assert_eq!(identity.account.unwrap().username, "octocat");
        assert_eq!(identity.granted_scopes.unwrap(), ["repo", "read:org"]);
        assert_eq!(identity.token_expires_at, Some(1_700_000_000));
    }
}
