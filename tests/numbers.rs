//! Numbers from outside never panic, not even in a debug build where overflow traps: rate-limit
//! headers, `Retry-After`, token lifetimes and timestamps, Standard Webhooks timestamps and the
//! host's own `now`, at their extremes and beside a valid `Date`.

use forgelink::{parse_api_error, parse_token_response, Code, HttpResponse, Provider};

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

/// `Tue, 14 Nov 2023 22:13:20 GMT`: unix second 1_700_000_000.
const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

#[test]
fn a_rate_limit_reset_at_the_bottom_of_i64_is_a_reset_in_the_past() {
    let refusal =
        response(429, &[("X-RateLimit-Reset", "-9223372036854775808"), ("Date", DATE)], "");
    let error = parse_api_error(Provider::GitHub, &refusal);
    assert_eq!(error.error.code, Code::HttpRateLimited);
    assert_eq!(error.rate_limit_reset, Some(i64::MIN));
    assert_eq!(error.retry_after, Some(0));
}

#[test]
fn a_dated_token_response_read_at_the_ends_of_time_keeps_its_lifetime() {
    let body = r#"{"access_token":"a","created_at":1700000000,"expires_in":7200}"#;
    let answer = response(200, &[("Date", DATE)], body);
    let early = parse_token_response(Provider::GitLab, &answer, i64::MIN).unwrap();
    assert_eq!(early.expires_at, Some(i64::MIN + 7200));
    let late = parse_token_response(Provider::GitLab, &answer, i64::MAX).unwrap();
    assert_eq!(late.expires_at, Some(i64::MAX));
}
