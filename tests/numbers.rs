//! Numbers from outside never panic, not even in a debug build where overflow traps: rate-limit
//! headers, `Retry-After`, token lifetimes and timestamps, Standard Webhooks timestamps and the
//! host's own `now`, at their extremes and beside a valid `Date`. Where the arithmetic can be
//! exact, it is checked against exact arithmetic on `i128`.

mod support;

use forgelink::{
    needs_refresh, parse_api_error, parse_current_user, parse_device_authorization,
    parse_token_response, read_rate_limit, verify_webhook, verify_webhook_with, AccessToken, Code,
    HmacAlgorithm, HmacEngine, HttpResponse, Provider, SignatureScheme, TokenSet, VerifyOptions,
    WebhookSecret,
};
use proptest::prelude::*;
use support::gen;

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

/// The properties below find overflows only where overflow traps, as in the default test
/// profile; a build without overflow checks would let them pass unseen.
#[test]
fn this_build_traps_on_overflow() {
    let overflowed = std::panic::catch_unwind(|| std::hint::black_box(i64::MAX) + 1);
    assert!(overflowed.is_err(), "overflow checks are off: build the tests without --release");
}

#[test]
fn the_generators_calendar_agrees_with_known_dates() {
    assert_eq!(gen::imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(gen::imf_fixdate(gen::FIRST_HTTP_DATE), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(gen::imf_fixdate(gen::LAST_HTTP_DATE), "Fri, 31 Dec 9999 23:59:59 GMT");
    assert_eq!(gen::imf_fixdate(gen::YEAR_ONE), "Mon, 01 Jan 0001 00:00:00 GMT");
    assert_eq!(gen::imf_fixdate(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    assert_eq!(gen::imf_fixdate(4_107_542_400), "Mon, 01 Mar 2100 00:00:00 GMT");
    assert_eq!(gen::imf_fixdate(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    assert_eq!(gen::iso_timestamp(1_700_000_000, true), "2023-11-14 22:13:20 UTC");
    assert_eq!(gen::iso_timestamp(1_700_000_000, false), "2023-11-14T22:13:20Z");
}

/// An exact result brought into `i64` the way saturating arithmetic does.
fn clamp(exact: i128) -> i64 {
    i64::try_from(exact).unwrap_or(if exact < 0 { i64::MIN } else { i64::MAX })
}

/// `text` as a JSON value: a bare number where JSON allows it (and `quoted` is false), else a
/// string, which the token parsers also read.
fn json_number(text: &str, quoted: bool) -> String {
    if quoted || serde_json::from_str::<serde_json::Number>(text).is_err() {
        format!("\"{text}\"")
    } else {
        text.to_owned()
    }
}

fn provider() -> impl Strategy<Value = Provider> {
    prop::sample::select(Provider::ALL.to_vec())
}

/// Signs everything with the same 32 bytes, so that a delivery's fate rests on its timestamp.
struct FixedMac;

impl HmacEngine for FixedMac {
    fn hmac(&self, _: HmacAlgorithm, _: &[u8], _: &[&[u8]]) -> Option<Vec<u8>> {
        Some(vec![0xab; 32])
    }
}

/// `v1,` and the base64 of [`FixedMac`]'s 32 bytes.
const FIXED_SIGNATURE: &str = "v1,q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Every generated date and timestamp is one the parsers accept, at the second it names:
    /// the generators make what they claim, and the parsers read every year they accept.
    #[test]
    fn generated_dates_are_read_at_their_second(
        (t, date) in gen::http_date(),
        (named, timestamp) in gen::timestamp_text(),
        now in gen::extreme_i64(),
    ) {
        let reset = read_rate_limit(&response(200, &[("RateLimit-ResetTime", &date)], ""), now);
        prop_assert_eq!(reset.reset_at, Some(t), "{}", date);
        let user = response(
            200,
            &[("GitHub-Authentication-Token-Expiration", &timestamp)],
            r#"{"login":"octocat","id":1}"#,
        );
        let identity = parse_current_user(Provider::GitHub, &user).unwrap();
        if named.is_some() {
            prop_assert_eq!(identity.token_expires_at, named, "{}", timestamp);
        }
    }

    /// A refusal's wait comes from `Retry-After`, else from the reset by the provider's `Date`,
    /// never negative, whatever the numbers.
    #[test]
    fn api_errors_wait_by_the_providers_clock(
        provider in provider(),
        status in prop_oneof![Just(429u16), Just(403), 100u16..600],
        (date, date_text) in gen::date_header(),
        reset_name in prop::sample::select(vec!["X-RateLimit-Reset", "RateLimit-Reset"]),
        (reset, reset_text) in gen::integer_text(),
        retry in prop::option::of(gen::seconds_or_date()),
        remaining in prop::sample::select(vec!["0", "1", " 0 ", "-1", "18446744073709551616"]),
    ) {
        let mut headers = vec![
            ("Date", date_text.as_str()),
            (reset_name, reset_text.as_str()),
            ("X-RateLimit-Remaining", remaining),
        ];
        headers.extend(retry.as_deref().map(|r| ("Retry-After", r)));
        let api = parse_api_error(provider, &response(status, &headers, ""));
        prop_assert!(Code::ALL.contains(&api.error.code));
        prop_assert_eq!(api.rate_limit_reset, reset);
        let rate_limited = status == 429 || (status == 403 && remaining.trim() == "0");
        if rate_limited {
            prop_assert_eq!(api.error.code, Code::HttpRateLimited);
        }
        let told = retry.as_deref().and_then(|r| r.trim().parse::<u64>().ok());
        let by_reset = match (rate_limited, date, reset) {
            (true, Some(date), Some(reset)) => {
                Some(u64::try_from((i128::from(reset) - i128::from(date)).max(0)).unwrap())
            }
            _ => None,
        };
        prop_assert_eq!(api.retry_after, told.or(by_reset));
        // The error a flow throws carries the same wait.
        prop_assert_eq!(api.error.retry_after, api.retry_after);
    }

    /// Token lifetimes are counted on the host's clock for any `now`: exactly wherever the time
    /// of issue fits an `i64`, the expiry saturating at the ends of `i64`.
    #[test]
    fn token_lifetimes_at_any_host_time(
        provider in provider(),
        now in gen::extreme_i64(),
        (date, date_text) in gen::date_header(),
        created in prop::option::of(gen::integer_text()),
        near_date in any::<bool>(),
        offset in -86_400i64..86_400,
        expires in prop::option::of(gen::integer_text()),
        refresh_expires in prop::option::of(gen::integer_text()),
        quoted in any::<bool>(),
    ) {
        // Half the time, a `created_at` seconds away from the `Date`, as a real answer has.
        let created = created.map(|(value, text)| match (near_date, date) {
            (true, Some(date)) => (Some(date + offset), (date + offset).to_string()),
            _ => (value, text),
        });
        let mut body = r#"{"access_token":"a","refresh_token":"r""#.to_owned();
        let fields = [
            ("created_at", &created),
            ("expires_in", &expires),
            ("refresh_token_expires_in", &refresh_expires),
        ];
        for (name, field) in fields {
            if let Some((_, text)) = field {
                body.push_str(&format!(r#","{name}":{}"#, json_number(text, quoted)));
            }
        }
        body.push('}');
        let answer = response(200, &[("Date", &date_text)], &body);
        let tokens = parse_token_response(provider, &answer, now)
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        // When the token was issued on the host's clock, where the arithmetic is exact.
        let issued: Option<i64> = match (&created, date) {
            (None, _) => Some(now),
            (Some((Some(created), _)), None) => Some(*created),
            (Some((Some(created), _)), Some(date)) => {
                i64::try_from(i128::from(*created) - i128::from(date))
                    .ok()
                    .and_then(|age| i64::try_from(i128::from(now) + i128::from(age)).ok())
            }
            (Some((None, _)), _) => None,
        };
        let after = |issued: i64, seconds: i64| Some(clamp(i128::from(issued) + i128::from(seconds)));
        if let Some(issued) = issued {
            let expected = match (&expires, provider) {
                (Some((Some(seconds), _)), _) => Some(after(issued, *seconds)),
                (None, Provider::GitLab) => Some(after(issued, 7200)),
                (None, _) => Some(None),
                (Some((None, _)), _) => None,
            };
            if let Some(expected) = expected {
                prop_assert_eq!(tokens.expires_at, expected, "{}", body);
            }
            match &refresh_expires {
                Some((Some(seconds), _)) => {
                    prop_assert_eq!(tokens.refresh_token_expires_at, after(issued, *seconds));
                }
                // Bitbucket Cloud's unused refresh tokens expire three months (counted as 89
                // days) after issue, from 2026-05-04 on ("OAuth 2.0 and API authentication
                // changes for Bitbucket Cloud", community.developer.atlassian.com/t/99003).
                None if provider == Provider::BitbucketCloud && issued >= 1_777_852_800 => {
                    prop_assert_eq!(tokens.refresh_token_expires_at, after(issued, 89 * 86_400));
                }
                None => prop_assert_eq!(tokens.refresh_token_expires_at, None),
                Some((None, _)) => {}
            }
        }
    }

    #[test]
    fn device_authorizations_at_any_host_time(
        provider in prop::sample::select(vec![Provider::GitHub, Provider::GitLab]),
        now in gen::extreme_i64(),
        expires in prop::option::of(gen::integer_text()),
        interval in prop::option::of(gen::integer_text()),
        quoted in any::<bool>(),
    ) {
        let mut body =
            r#"{"device_code":"d","user_code":"WDJB-MJHT","verification_uri":"https://x.example""#
                .to_owned();
        for (name, field) in [("expires_in", &expires), ("interval", &interval)] {
            if let Some((_, text)) = field {
                body.push_str(&format!(r#","{name}":{}"#, json_number(text, quoted)));
            }
        }
        body.push('}');
        let device = parse_device_authorization(provider, &response(200, &[], &body), now)
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        prop_assert!((1..=3600).contains(&device.interval), "{}", body);
        let seconds = match &expires {
            None => Some(900),
            Some((value, _)) => *value,
        };
        if let Some(seconds) = seconds {
            prop_assert_eq!(device.expires_at, clamp(i128::from(now) + i128::from(seconds)));
        }
    }

    /// Rate-limit headers at any `now`: a block always ends after `now`, a reset given in
    /// seconds is counted from `now`, and a `Retry-After` date is a wait from `now`.
    #[test]
    fn rate_limits_at_any_host_time(
        now in gen::extreme_i64(),
        status in prop::sample::select(vec![200u16, 403, 429]),
        reset_name in prop::sample::select(vec!["X-RateLimit-Reset", "RateLimit-Reset", "x-ratelimit-reset"]),
        reset in prop::option::of(gen::integer_text()),
        reset_time in prop::option::of(gen::date_header()),
        retry in prop::option::of(prop_oneof![
            gen::http_date().prop_map(|(t, text)| (Some(t), text)),
            gen::seconds_or_date().prop_map(|text| (None, text)),
        ]),
        limit in gen::numeric_text(),
        remaining in prop::option::of(gen::numeric_text()),
    ) {
        let mut headers = vec![("X-RateLimit-Limit", limit.as_str())];
        headers.extend(reset.as_ref().map(|(_, text)| (reset_name, text.as_str())));
        headers.extend(reset_time.as_ref().map(|(_, text)| ("RateLimit-ResetTime", text.as_str())));
        headers.extend(retry.as_ref().map(|(_, text)| ("Retry-After", text.as_str())));
        headers.extend(remaining.as_deref().map(|text| ("X-RateLimit-Remaining", text)));
        let reading = read_rate_limit(&response(status, &headers, ""), now);
        if let Some(until) = reading.blocked_until(now, status) {
            prop_assert!(until > now || now == i64::MAX, "{:?} at {}", reading, now);
        }
        let from_date = reset_time.and_then(|(t, _)| t);
        let expected_reset = match reset.and_then(|(value, _)| value) {
            Some(v) if (0..1_000_000_000).contains(&v) => Some(clamp(i128::from(now) + i128::from(v))),
            Some(v) if v >= 0 => Some(v),
            _ => from_date,
        };
        prop_assert_eq!(reading.reset_at, expected_reset);
        if let (Some((Some(t), _)), true) = (&retry, now >= 0) {
            prop_assert_eq!(reading.retry_after, Some(u64::try_from((t - now).max(0)).unwrap()));
        }
    }

    /// A Standard Webhooks delivery is judged by its signed timestamp against `now` and the
    /// tolerance, exactly, for every timestamp, `now` and tolerance.
    #[test]
    fn standard_webhooks_timestamps_at_any_host_time(
        (signed, timestamp) in gen::integer_text(),
        now in prop::option::of(gen::extreme_i64()),
        tolerance in prop::option::of(gen::extreme_i64()),
    ) {
        let headers: Vec<(String, String)> = [
            ("X-Gitlab-Event", "Push Hook"),
            ("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
            ("webhook-timestamp", timestamp.as_str()),
            ("webhook-signature", FIXED_SIGNATURE),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let body = br#"{"object_kind":"push"}"#;
        let secrets = [WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
        let options = VerifyOptions { now, tolerance_seconds: tolerance, ..Default::default() };
        let verdict = verify_webhook_with(&headers, body, &secrets, &options, &FixedMac);
        if timestamp.trim().is_empty() {
            // Without the timestamp the delivery is not a Standard Webhooks one at all.
            prop_assert!(Code::ALL.contains(&verdict.unwrap_err().code));
        } else {
            match (signed, now) {
                (None, _) => prop_assert_eq!(verdict.unwrap_err().code, Code::WebhookMalformedSignature),
                (Some(_), None) => prop_assert_eq!(verdict.unwrap_err().code, Code::InputInvalid),
                (Some(signed), Some(now)) => {
                    let distance = (i128::from(now) - i128::from(signed)).abs();
                    if distance > i128::from(tolerance.unwrap_or(300).max(0)) {
                        prop_assert_eq!(verdict.unwrap_err().code, Code::WebhookTimestampOutOfRange);
                    } else {
                        let verified = verdict.unwrap();
                        prop_assert_eq!(verified.scheme, SignatureScheme::StandardWebhooks);
                        prop_assert_eq!(verified.secret_index, Some(0));
                    }
                }
            }
        }
        // The built-in HMAC disagrees with the fixed signature: still a coded answer.
        if let Err(error) = verify_webhook(&headers, body, &secrets, &options) {
            prop_assert!(Code::ALL.contains(&error.code));
        }
    }

    #[test]
    fn needs_refresh_at_any_time(
        expires_at in prop::option::of(gen::extreme_i64()),
        now in gen::extreme_i64(),
        skew in gen::extreme_i64(),
    ) {
        let tokens = TokenSet {
            access_token: AccessToken::new("a"),
            token_type: "bearer".into(),
            refresh_token: None,
            expires_at,
            refresh_token_expires_at: None,
            scopes: vec![],
        };
        let exact = |expires_at: i64| {
            i128::from(now) + i128::from(skew.max(0)) >= i128::from(expires_at)
        };
        prop_assert_eq!(needs_refresh(&tokens, now, skew), expires_at.is_some_and(exact));
    }
}
