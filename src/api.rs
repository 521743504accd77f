//! Reading a provider API's answers, the same way for every endpoint: a 2xx answer's JSON or a
//! coded failure, and where the next page of a list is.

use serde_json::Value;

use crate::error::{Code, Error};
use crate::http::HttpResponse;
use crate::json::text;
use crate::provider::Provider;

/// The JSON of a 2xx answer. Any other status is `failure`'s error (usually the provider's own
/// error, read by [`crate::api_error::parse_api_error`]); a body that is not JSON is
/// `http.unexpected_status` with `not_json` as its message.
pub(crate) fn success_json(
    provider: Provider,
    response: &HttpResponse,
    failure: impl FnOnce() -> Error,
    not_json: &'static str,
) -> Result<Value, Error> {
    if !(200..300).contains(&response.status) {
        return Err(failure());
    }
    serde_json::from_slice(&response.body)
        .map_err(|_| Error::new(Code::HttpUnexpectedStatus, not_json).for_provider(provider))
}

/// The provider's own error for a failed call.
pub(crate) fn api_failure(
    provider: Provider,
    response: &HttpResponse,
) -> impl FnOnce() -> Error + '_ {
    move || crate::api_error::parse_api_error(provider, response).error
}

/// The URL of the page after `request_url`, as each provider paginates: GitHub and GitLab by
/// an RFC 8288 `Link` header, Bitbucket Cloud by the body's `next`, Data Center by
/// `isLastPage` and `nextPageStart` (the next request's `start`).
pub(crate) fn next_page(
    provider: Provider,
    request_url: &str,
    response: &HttpResponse,
    body: &Value,
) -> Option<String> {
    match provider {
        Provider::GitHub | Provider::GitLab => response.header("Link").and_then(next_link),
        Provider::BitbucketCloud => text(body, &["next"]),
        Provider::BitbucketDataCenter => (body["isLastPage"].as_bool() == Some(false))
            .then(|| body["nextPageStart"].as_u64())
            .flatten()
            .map(|start| with_query(request_url, "start", &start.to_string())),
    }
}

/// The `rel="next"` target of an RFC 8288 `Link` header.
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
    })
}

/// `url` with its query parameter `name` set to `value` (replacing any earlier one).
fn with_query(url: &str, name: &str, value: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let pairs: Vec<(String, String)> =
                parsed.query_pairs().into_owned().filter(|(n, _)| n != name).collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs).append_pair(name, value);
            parsed.into()
        }
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: Vec::new(),
        }
    }

    #[test]
    fn each_providers_next_page() {
        let link = r#"<https://api.github.com/r?page=2>; rel="next", <https://api.github.com/r?page=9>; rel="last""#;
        assert_eq!(
            next_page(Provider::GitHub, "u", &response(&[("Link", link)]), &Value::Null).as_deref(),
            Some("https://api.github.com/r?page=2")
        );
        assert_eq!(next_page(Provider::GitLab, "u", &response(&[]), &Value::Null), None);
        let body = serde_json::json!({ "next": "https://api.bitbucket.org/2.0/x?page=2" });
        assert_eq!(
            next_page(Provider::BitbucketCloud, "u", &response(&[]), &body).as_deref(),
            Some("https://api.bitbucket.org/2.0/x?page=2")
        );
        let body = serde_json::json!({ "isLastPage": false, "nextPageStart": 25 });
        let url = "https://bb.example.com/rest/api/latest/x?limit=25&start=0";
        assert_eq!(
            next_page(Provider::BitbucketDataCenter, url, &response(&[]), &body).as_deref(),
            Some("https://bb.example.com/rest/api/latest/x?limit=25&start=25")
        );
        let last = serde_json::json!({ "isLastPage": true, "nextPageStart": 50 });
        assert_eq!(next_page(Provider::BitbucketDataCenter, url, &response(&[]), &last), None);
    }

    #[test]
    fn failures_and_answers_that_are_not_json() {
        let failed = HttpResponse { status: 404, headers: vec![], body: b"{}".to_vec() };
        let error =
            success_json(Provider::GitLab, &failed, api_failure(Provider::GitLab, &failed), "x")
                .unwrap_err();
        assert_eq!(error.code, Code::HttpNotFound);
        let html = HttpResponse { status: 200, headers: vec![], body: b"<html>".to_vec() };
        let error =
            success_json(Provider::GitLab, &html, || unreachable!(), "not JSON").unwrap_err();
        assert_eq!((error.code, error.message.as_str()), (Code::HttpUnexpectedStatus, "not JSON"));
    }
}
