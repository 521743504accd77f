//! What a failed API call means, for every provider's way of saying it.

use serde::Serialize;
use serde_json::Value;

use crate::error::{excerpt, Code, Error};
use crate::guidance::Guidance;
use crate::http::HttpResponse;
use crate::provider::Provider;
use crate::scopes::split_scopes;

/// A failed API call, read: the coded error plus what the response said about retrying and
/// scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The coded error, with the provider's own message as its detail.
    pub error: Error,
    /// The response's status.
    pub status: u16,
    /// Seconds to wait before retrying, from `Retry-After` or the rate-limit headers.
    pub retry_after: Option<u64>,
    /// When the rate limit resets, in the provider's unix seconds, where it says.
    pub rate_limit_reset: Option<i64>,
    /// The scopes the call needs, where the provider says.
    pub required_scopes: Vec<String>,
    /// The scopes the token has, where the provider says.
    pub granted_scopes: Vec<String>,
}

/// A failed API call as its JSON reads: the coded error, what the response said about retrying
/// and scopes, and the guidance for the code.
#[derive(Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "ApiError"))]
#[serde(rename_all = "camelCase")]
struct ApiErrorJson<'a> {
    /// The stable code, such as `http.missing_scope`.
    code: Code,
    /// One sentence for a person.
    message: &'a str,
    /// What the provider itself said, verbatim (shortened), when it said anything.
    provider_detail: Option<&'a str>,
    /// The response's status.
    status: u16,
    /// Seconds to wait before retrying, from `Retry-After` or the rate-limit headers.
    retry_after: Option<u64>,
    /// When the rate limit resets, in the provider's unix seconds, where it says.
    rate_limit_reset: Option<i64>,
    /// The scopes the call needs, where the provider says.
    required_scopes: &'a [String],
    /// The scopes the token has, where the provider says.
    granted_scopes: &'a [String],
    /// What the code means and how to fix it.
    guidance: Guidance,
}

impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ApiErrorJson {
            code: self.error.code,
            message: &self.error.message,
            provider_detail: self.error.provider_detail.as_deref(),
            status: self.status,
            retry_after: self.retry_after,
            rate_limit_reset: self.rate_limit_reset,
            required_scopes: &self.required_scopes,
            granted_scopes: &self.granted_scopes,
            guidance: self.error.guidance(),
        }
        .serialize(serializer)
    }
}

/// Declared to TypeScript as its JSON reads.
#[cfg(feature = "typescript")]
impl ts_rs::TS for ApiError {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn docs() -> Option<String> {
        <ApiErrorJson as ts_rs::TS>::docs()
    }

    fn name(cfg: &ts_rs::Config) -> String {
        <ApiErrorJson as ts_rs::TS>::name(cfg)
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        <ApiErrorJson as ts_rs::TS>::inline(cfg)
    }

    fn decl(cfg: &ts_rs::Config) -> String {
        <ApiErrorJson as ts_rs::TS>::decl(cfg)
    }

    fn decl_concrete(cfg: &ts_rs::Config) -> String {
        <ApiErrorJson as ts_rs::TS>::decl_concrete(cfg)
    }
}

/// Reads a response that was not a success (any status outside 2xx, including redirects,
/// which forgelink never follows).
pub fn parse_api_error(provider: Provider, response: &HttpResponse) -> ApiError {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let said = body.as_ref().and_then(provider_message);
    let mut result = ApiError {
        error: Error::new(Code::HttpUnexpectedStatus, ""),
        status: response.status,
        retry_after: response.header("Retry-After").and_then(|v| v.parse().ok()),
        rate_limit_reset: response
            .header("X-RateLimit-Reset")
            .or_else(|| response.header("RateLimit-Reset"))
            .and_then(|v| v.parse().ok()),
        required_scopes: Vec::new(),
        granted_scopes: Vec::new(),
    };
    let (code, message) = classify(provider, response, body.as_ref(), said.as_deref(), &mut result);
    let mut error = Error::new(code, message).for_provider(provider);
    error.provider_detail = said.map(|s| excerpt_long(&s));
    error.retry_after = result.retry_after;
    result.error = error;
    result
}

fn classify(
    provider: Provider,
    response: &HttpResponse,
    body: Option<&Value>,
    said: Option<&str>,
    result: &mut ApiError,
) -> (Code, String) {
    let status = response.status;
    let said_lower = said.unwrap_or_default().to_ascii_lowercase();
    match status {
        300..=399 => {
            let location = response.header("Location").unwrap_or_default();
            if provider == Provider::BitbucketDataCenter && location.contains("login") {
                (Code::HttpLoginRedirect, "Bitbucket Data Center sent the call to its login page: it did not accept the token for this address.".into())
            } else {
                (Code::HttpUnexpectedStatus, format!("The provider answered {status} with a redirect to `{}`, which is not followed.", excerpt(location)))
            }
        }
        // Data Center answers a call the authenticated account may not make with 401 and an
        // `AuthorisationException`, where other providers answer 403: its REST reference
        // documents 401 "The currently authenticated user has insufficient permissions to
        // create webhooks in the repository". Bad credentials name another exception.
        401 if provider == Provider::BitbucketDataCenter && authorisation_exception(body) => {
            (Code::HttpForbidden, "Bitbucket Data Center refused the call (401, AuthorisationException): the account or token lacks a permission, such as repository admin for webhooks.".into())
        }
        401 => {
            let challenge = response.header("WWW-Authenticate").unwrap_or_default().to_ascii_lowercase();
            if said_lower.contains("expired") || challenge.contains("expired") {
                (Code::TokenExpired, "The access token has expired.".into())
            } else {
                (Code::HttpUnauthorized, format!("{} refused the credentials (401).", provider.display_name()))
            }
        }
        403 | 429 if rate_limited(response, &said_lower) => {
            if result.retry_after.is_none() {
                result.retry_after = seconds_until_reset(response, result.rate_limit_reset);
            }
            (Code::HttpRateLimited, format!("{} is rate limiting these calls.", provider.display_name()))
        }
        403 => {
            if let Some((required, granted)) = missing_scopes(provider, response, body) {
                result.required_scopes = required;
                result.granted_scopes = granted;
                let message = if result.required_scopes.is_empty() {
                    "The token lacks a scope this call needs.".to_owned()
                } else {
                    format!("The token lacks the scope this call needs: {}.", result.required_scopes.join(", "))
                };
                (Code::HttpMissingScope, message)
            } else {
                (Code::HttpForbidden, format!("{} refused the call (403): the account or token lacks a permission.", provider.display_name()))
            }
        }
        // GitHub answers 404, not 403, when a classic or OAuth token without the scope asks
        // for a private repository ("Troubleshooting the REST API": resources that exist are
        // reported as not found to hide them). The scope headers still tell which it was.
        404 if provider == Provider::GitHub => match github_scopes_lacking(response) {
            Some((required, granted)) => {
                let message = format!(
                    "GitHub answered 404 Not Found, as it does for a private repository a token may not see: the token lacks the scope this call needs ({}).",
                    required.join(" or ")
                );
                result.required_scopes = required;
                result.granted_scopes = granted;
                (Code::HttpMissingScope, message)
            }
            None => (Code::HttpNotFound, "Not found (404): the repository does not exist, the account cannot see it, or the token lacks the scope for a private repository.".into()),
        },
        404 => (Code::HttpNotFound, "Not found (404): the project does not exist, the account cannot see it, or the base URL is wrong.".into()),
        429 => (Code::HttpRateLimited, format!("{} is rate limiting these calls.", provider.display_name())),
        500..=599 => (Code::HttpServerError, format!("{} failed ({status}); try again later.", provider.display_name())),
        _ => (Code::HttpUnexpectedStatus, format!("{} answered an unexpected status {status}.", provider.display_name())),
    }
}

fn rate_limited(response: &HttpResponse, said_lower: &str) -> bool {
    response.status == 429
        || response
            .header("X-RateLimit-Remaining")
            .or_else(|| response.header("RateLimit-Remaining"))
            == Some("0")
        || said_lower.contains("rate limit")
}

/// The wait until `reset` by the provider's own clock (its `Date`). The reset is outside input
/// and may be any `i64`: one in the past means no wait.
fn seconds_until_reset(response: &HttpResponse, reset: Option<i64>) -> Option<u64> {
    let now = httpdate::parse_http_date(response.header("Date")?).ok()?;
    let now = i64::try_from(now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs()).ok()?;
    reset.map(|reset| u64::try_from(reset.saturating_sub(now)).unwrap_or(0))
}

/// The required and granted scopes, when the response says a scope is missing.
fn missing_scopes(
    provider: Provider,
    response: &HttpResponse,
    body: Option<&Value>,
) -> Option<(Vec<String>, Vec<String>)> {
    let strings = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::Array(items)) => {
                items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
            }
            Some(Value::String(text)) => split_scopes(text),
            _ => Vec::new(),
        }
    };
    match provider {
        Provider::GitLab => {
            let body = body?;
            (body.get("error").and_then(Value::as_str) == Some("insufficient_scope"))
                .then(|| (strings(body.get("scope")), Vec::new()))
        }
        Provider::BitbucketCloud => {
            let error = body?.get("error")?;
            let message = error.get("message").and_then(Value::as_str).unwrap_or_default();
            message.contains("privilege scopes").then(|| {
                let detail = error.get("detail");
                (
                    strings(detail.and_then(|d| d.get("required"))),
                    strings(detail.and_then(|d| d.get("granted"))),
                )
            })
        }
        Provider::GitHub => {
            // Classic tokens: the endpoint accepts any one of `X-Accepted-OAuth-Scopes`.
            let accepted = split_scopes(response.header("X-Accepted-OAuth-Scopes")?);
            let granted = split_scopes(response.header("X-OAuth-Scopes").unwrap_or_default());
            github_uncovered(accepted, granted)
        }
        Provider::BitbucketDataCenter => None,
    }
}

/// GitHub's 404: the scopes the endpoint accepts and the ones granted, when none of the
/// accepted ones is granted. Only a token that has scopes says which it has
/// (`X-OAuth-Scopes`, empty for an OAuth token granted none); fine-grained tokens and
/// GitHub App tokens send no such header, and their 404 stays a plain not found.
fn github_scopes_lacking(response: &HttpResponse) -> Option<(Vec<String>, Vec<String>)> {
    let accepted = split_scopes(response.header("X-Accepted-OAuth-Scopes")?);
    let granted = split_scopes(response.header("X-OAuth-Scopes")?);
    github_uncovered(accepted, granted)
}

fn github_uncovered(
    accepted: Vec<String>,
    granted: Vec<String>,
) -> Option<(Vec<String>, Vec<String>)> {
    let covered = accepted.iter().any(|scope| {
        crate::scopes::check_scopes(Provider::GitHub, &granted.join(","), &[scope])
            .is_ok_and(|check| check.satisfied)
    });
    (!accepted.is_empty() && !covered).then_some((accepted, granted))
}

/// Whether a Data Center error body names an `AuthorisationException`
/// (`com.atlassian.bitbucket.AuthorisationException`, and Stash's older package names).
fn authorisation_exception(body: Option<&Value>) -> bool {
    body.and_then(|b| b.get("errors")).and_then(Value::as_array).is_some_and(|errors| {
        errors.iter().any(|e| {
            e.get("exceptionName")
                .and_then(Value::as_str)
                .is_some_and(|name| name.rsplit('.').next() == Some("AuthorisationException"))
        })
    })
}

/// The message in a provider's error body.
fn provider_message(body: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    body.get("message")
        .and_then(text)
        .or_else(|| body.get("error_description").and_then(text))
        .or_else(|| body.get("error").and_then(|e| e.get("message")).and_then(text))
        .or_else(|| {
            body.get("errors").and_then(|e| e.get(0)).and_then(|e| e.get("message")).and_then(text)
        })
        .or_else(|| body.get("error").and_then(text))
        .or_else(|| {
            // GitLab sometimes nests messages: {"message": {"base": ["..."]}}.
            body.get("message").filter(|m| m.is_object()).map(|m| m.to_string())
        })
}

fn excerpt_long(text: &str) -> String {
    text.chars().take(300).collect()
}
