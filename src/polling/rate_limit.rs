//! What a response says about the rate limit: GitHub `x-ratelimit-*`, GitLab `RateLimit-*`,
//! Bitbucket `X-RateLimit-*` (Cloud's `X-RateLimit-NearLimit`), and `Retry-After` everywhere.

use serde::{Deserialize, Serialize};

use crate::http::HttpResponse;

/// A reading of the provider's rate-limit headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Calls allowed in the window, where the provider says.
    pub limit: Option<u64>,
    /// Calls left in the window, where the provider says.
    pub remaining: Option<u64>,
    /// When the window resets, in unix seconds.
    pub reset_at: Option<i64>,
    /// Seconds to wait before the next call (`Retry-After`).
    pub retry_after: Option<u64>,
    /// The provider warns that few calls are left (Bitbucket Cloud `X-RateLimit-NearLimit`).
    pub near_limit: bool,
}

/// Reset values below this are a number of seconds from now (the IETF `RateLimit` fields);
/// above it, unix seconds (GitHub, GitLab).
const DELTA_LIMIT: i64 = 1_000_000_000;

fn first<'a>(response: &'a HttpResponse, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| response.header(name))
}

fn whole(text: &str) -> Option<u64> {
    text.split(['.', ',', ';']).next()?.trim().parse().ok()
}

/// Reads the rate-limit headers of any response (a success or a refusal), at `now` (unix
/// seconds). `Retry-After` may be seconds or an HTTP date.
pub fn read_rate_limit(response: &HttpResponse, now: i64) -> RateLimit {
    let reset_at = first(response, &["X-RateLimit-Reset", "RateLimit-Reset"])
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .map(|v| if v < DELTA_LIMIT { now.saturating_add(v) } else { v })
        .or_else(|| {
            let date = httpdate::parse_http_date(response.header("RateLimit-ResetTime")?).ok()?;
            date.duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_secs()).ok())
        });
    let retry_after = response.header("Retry-After").and_then(|v| {
        whole(v).or_else(|| {
            let date = httpdate::parse_http_date(v).ok()?;
            let at = date.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
            Some(at.saturating_sub(u64::try_from(now).unwrap_or(0)))
        })
    });
    RateLimit {
        limit: first(response, &["X-RateLimit-Limit", "RateLimit-Limit"]).and_then(whole),
        remaining: first(response, &["X-RateLimit-Remaining", "RateLimit-Remaining"])
            .and_then(whole),
        reset_at,
        retry_after,
        near_limit: response
            .header("X-RateLimit-NearLimit")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    }
}

impl RateLimit {
    /// Whether the provider allows no more calls now: nothing remaining, a `Retry-After`, or a
    /// 429 / rate-limited 403 (pass the status).
    pub fn exhausted(&self, status: u16) -> bool {
        self.remaining == Some(0) || self.retry_after.is_some_and(|s| s > 0) || status == 429
    }

    /// The earliest time (unix seconds) the next call is allowed, when the headers forbid
    /// calling now; `None` when calls may go on.
    pub fn blocked_until(&self, now: i64, status: u16) -> Option<i64> {
        if !self.exhausted(status) {
            return None;
        }
        let retry =
            self.retry_after.map(|s| now.saturating_add(i64::try_from(s).unwrap_or(i64::MAX)));
        let reset = (self.remaining == Some(0)).then_some(self.reset_at).flatten();
        // Without a time to wait for, back off a minute.
        Some(retry.max(reset).unwrap_or(now.saturating_add(60)).max(now.saturating_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect(),
            body: Vec::new(),
        }
    }

    #[test]
    fn github_gitlab_and_retry_after() {
        let now = 1_700_000_000;
        let github = read_rate_limit(
            &response(
                403,
                &[
                    ("x-ratelimit-limit", "5000"),
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1700000900"),
                ],
            ),
            now,
        );
        assert_eq!(
            (github.limit, github.remaining, github.reset_at),
            (Some(5000), Some(0), Some(1_700_000_900))
        );
        assert_eq!(github.blocked_until(now, 403), Some(1_700_000_900));
        let gitlab = read_rate_limit(
            &response(200, &[("RateLimit-Remaining", "12"), ("RateLimit-Reset", "1700000060")]),
            now,
        );
        assert_eq!(gitlab.blocked_until(now, 200), None);
        let retry = read_rate_limit(&response(429, &[("Retry-After", "30")]), now);
        assert_eq!(retry.blocked_until(now, 429), Some(now + 30));
        let dated = read_rate_limit(
            &response(429, &[("Retry-After", "Tue, 14 Nov 2023 22:15:20 GMT")]),
            now,
        );
        assert_eq!(dated.retry_after, Some(120));
        let delta = read_rate_limit(&response(200, &[("RateLimit-Reset", "42")]), now);
        assert_eq!(delta.reset_at, Some(now + 42));
        let bare = read_rate_limit(&response(429, &[]), now);
        assert_eq!(bare.blocked_until(now, 429), Some(now + 60));
        let near = read_rate_limit(&response(200, &[("X-RateLimit-NearLimit", "true")]), now);
        assert!(near.near_limit);
    }
}
