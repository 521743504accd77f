//! The property tests' strategies over [`super::inputs`], the one set of random inputs: valid
//! HTTP dates across every year the parser accepts (and well-formed ones it refuses), timestamps
//! as the providers write them, integers at and beyond the ends of `i64` and `u64`, and
//! ([`seeded`]) any of the inputs the fuzzers make.

use proptest::prelude::*;

pub use super::inputs::{
    imf_fixdate, iso_timestamp, Rng, FIRST_HTTP_DATE, LAST_HTTP_DATE, YEAR_ONE,
};

/// What `make` generates from a seed proptest picks: the fuzzers' inputs in a property test.
/// (Shrinking moves the seed, not the input, so a failure is reported as its seed's input.)
pub fn seeded<T: std::fmt::Debug>(make: fn(&mut Rng) -> T) -> impl Strategy<Value = T> {
    any::<u64>().prop_map(move |seed| make(&mut Rng::new(seed)))
}

/// Seconds the HTTP date parser accepts, with its two ends and the epoch's neighbourhood
/// weighted as heavily as the years between.
pub fn accepted_instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(FIRST_HTTP_DATE),
        Just(LAST_HTTP_DATE),
        FIRST_HTTP_DATE..FIRST_HTTP_DATE + 400 * 86_400,
        LAST_HTTP_DATE - 400 * 86_400..=LAST_HTTP_DATE,
        FIRST_HTTP_DATE..=LAST_HTTP_DATE,
    ]
}

/// A valid IMF-fixdate the parser accepts, with the second it names.
pub fn http_date() -> impl Strategy<Value = (i64, String)> {
    accepted_instant().prop_map(|t| (t, imf_fixdate(t)))
}

/// A `Date`-like header value, with the second it names when the parser must accept it: valid
/// dates, well-formed dates before 1970 (which the parser refuses), and near misses.
pub fn date_header() -> impl Strategy<Value = (Option<i64>, String)> {
    prop_oneof![
        3 => http_date().prop_map(|(t, text)| (Some(t), text)),
        1 => (YEAR_ONE..FIRST_HTTP_DATE).prop_map(|t| (None, imf_fixdate(t))),
        1 => prop_oneof![
            Just("Fri, 31 Dec 9999 23:59:60 GMT".to_owned()),
            Just("Sat, 01 Jan 10000 00:00:00 GMT".to_owned()),
            Just("Mon, 06 Nov 1994 08:49:37 GMT".to_owned()),
            Just("Sun, 06 Nov 1994 08:49:37 UTC".to_owned()),
            "[A-Za-z0-9 ,:]{0,30}",
        ]
        .prop_map(|text| (None, text)),
    ]
}

/// A timestamp as providers write it in headers and payloads, with the second it names when a
/// reader must accept it (years 1970 to 9999), and hostile look-alikes.
pub fn timestamp_text() -> impl Strategy<Value = (Option<i64>, String)> {
    prop_oneof![
        3 => (accepted_instant(), any::<bool>())
            .prop_map(|(t, github)| (Some(t), iso_timestamp(t, github))),
        1 => prop_oneof![
            (YEAR_ONE..FIRST_HTTP_DATE).prop_map(|t| iso_timestamp(t, false)),
            extreme_i64().prop_map(|n| format!("{n}-01-01T00:00:00Z")),
            extreme_i64().prop_map(|n| format!("2024-01-01T{n}:00:00Z")),
            numeric_text(),
        ]
        .prop_map(|text| (None, text)),
    ]
}

/// Integers at the ends of `i64` and next to its zero, mixed with any `i64`.
pub fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            i64::MAX - 1,
            -1,
            0,
            1,
            i64::MAX / 86_400,
            i64::MIN / 1000,
        ]),
        -100_000i64..100_000,
        FIRST_HTTP_DATE..=LAST_HTTP_DATE,
        any::<i64>(),
    ]
}

/// An integer as header text or a JSON number is written, with the `i64` it reads as (Rust's
/// own reading, after trimming; `None` when it reads as none): the extremes of `i64` and `u64`,
/// one beyond them, huge decimals, and what a lenient reader might half-accept: fractions,
/// exponents, hex, `NaN`, blanks.
pub fn integer_text() -> impl Strategy<Value = (Option<i64>, String)> {
    prop_oneof![
        3 => extreme_i64().prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec![
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "-18446744073709551616",
            "99999999999999999999999999999999999999",
            "1e3",
            "1E400",
            "-1e-400",
            "7200.5",
            "-0.0",
            "0x10",
            "NaN",
            "",
            " ",
        ])
        .prop_map(str::to_owned),
        1 => "-?[1-9][0-9]{18,39}",
    ]
    .prop_map(|text| (text.trim().parse().ok(), text))
}

/// Any of [`integer_text`], without its value.
pub fn numeric_text() -> impl Strategy<Value = String> {
    integer_text().prop_map(|(_, text)| text)
}

/// A header value where a number of seconds or a date goes (`Retry-After`, `RateLimit-*`):
/// numbers of every kind, valid dates, and junk.
pub fn seconds_or_date() -> impl Strategy<Value = String> {
    prop_oneof![numeric_text(), date_header().prop_map(|(_, text)| text), "[0-9a-zA-Z ,:.-]{0,30}",]
}
