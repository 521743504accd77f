//! Random inputs as they arrive from outside, one set for every test that generates them: the
//! component fuzzer (`hosts/wasmtime/tests/fuzz.rs`), the property tests (`gen.rs` builds its
//! strategies on these, and `tests/no_panic.rs` feeds them to the core), and the fuzz targets
//! (`fuzz/`), which drive them from the fuzzer's bytes. Text aimed at the parsers' edges (URLs,
//! callbacks, scope lists, Unicode, megabytes), JSON and form bodies, webhook headers and
//! payloads, tokens, numbers and dates.
//!
//! The dates are formatted here, from the calendar rules alone, so that the parsers under test
//! are checked against an independent reading; `tests/numbers.rs` checks this calendar against
//! known dates and shows that every date made here is read back at the second it names.
//!
//! Free of dependencies, so that each of those crates can include the file as a module.

// Each includer uses a part of it.
#![allow(dead_code)]

/// The first second the HTTP date parser accepts: `Thu, 01 Jan 1970 00:00:00 GMT`.
pub const FIRST_HTTP_DATE: i64 = 0;
/// The last second the HTTP date parser accepts: `Fri, 31 Dec 9999 23:59:59 GMT`.
pub const LAST_HTTP_DATE: i64 = 253_402_300_799;
/// `0001-01-01T00:00:00Z`, the earliest second these generators write as a date.
pub const YEAR_ONE: i64 = -62_135_596_800;

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i64, month: usize) -> i64 {
    match month {
        1 if is_leap(year) => 29,
        1 => 28,
        3 | 5 | 8 | 10 => 30,
        _ => 31,
    }
}

/// The UTC calendar reading of unix second `t`: year, month index (0 = January), day of month,
/// hour, minute, second, weekday index into [`WEEKDAYS`]. Whole 400-year cycles (146 097 days,
/// the Gregorian period) are stepped over, then years and months are counted off one by one.
fn calendar(t: i64) -> (i64, usize, i64, i64, i64, i64, usize) {
    let (days, second) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let weekday = days.rem_euclid(7) as usize;
    let mut year = 1970 + 400 * days.div_euclid(146_097);
    let mut left = days.rem_euclid(146_097);
    while left >= if is_leap(year) { 366 } else { 365 } {
        left -= if is_leap(year) { 366 } else { 365 };
        year += 1;
    }
    let mut month = 0;
    while left >= month_days(year, month) {
        left -= month_days(year, month);
        month += 1;
    }
    (year, month, left + 1, second / 3600, second / 60 % 60, second % 60, weekday)
}

/// Unix second `t` as an IMF-fixdate (RFC 9110, section 5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
/// `t` must lie between [`YEAR_ONE`] and [`LAST_HTTP_DATE`].
pub fn imf_fixdate(t: i64) -> String {
    let (year, month, day, hour, minute, second, weekday) = calendar(t);
    format!(
        "{}, {day:02} {} {year:04} {hour:02}:{minute:02}:{second:02} GMT",
        WEEKDAYS[weekday], MONTHS[month]
    )
}

/// Unix second `t` as the providers write timestamps: `2023-11-14T22:13:20Z` (RFC 3339, most
/// payloads) or `2023-11-14 22:13:20 UTC` (GitHub's token expiration header).
pub fn iso_timestamp(t: i64, github_style: bool) -> String {
    let (year, month, day, hour, minute, second, _) = calendar(t);
    let month = month + 1;
    if github_style {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} UTC")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
}

/// splitmix64: tiny, deterministic, good enough to pick inputs.
pub struct Rng(u64);

impl Rng {
    /// The generator that `seed` starts.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator started from a fuzzer's input: each input its own sequence of choices.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut seed = 0xcbf2_9ce4_8422_2325_u64;
        for &byte in bytes {
            seed = (seed ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

pub const SCHEMES: &[&str] = &[
    "https://",
    "http://",
    "",
    "//",
    "ftp://",
    "ssh://",
    "git@",
    "javascript:",
    "HTTPS://",
    "https:/",
    "https:///",
    "file://",
    " https://",
    "https://\t",
];

pub const HOSTS: &[&str] = &[
    "gitlab.com",
    "github.com",
    "www.github.com",
    "api.github.com",
    "bitbucket.org",
    "api.bitbucket.org",
    "example.com",
    "acme.ghe.com",
    "[::1]",
    "[fe80::1%25eth0]",
    "127.0.0.1",
    "0x7f.1",
    "bücher.example",
    "xn--bcher-kva.example",
    "xn--",
    "-bad-.example",
    "a..b",
    ".",
    "",
    "exa mple.com",
    "%00.example",
    "user:pw@example.com",
    "@",
    "ä",
    "[",
    "]",
    "256.256.256.256",
    "localhost",
];

pub const PORTS: &[&str] =
    &["", ":443", ":8443", ":0", ":65535", ":65536", ":99999999999", ":", ":abc", ":-1"];

pub const PATHS: &[&str] = &[
    "",
    "/",
    "//",
    "/gitlab",
    "/gitlab/",
    "/api/v4",
    "/api/v3",
    "/rest/api/1.0",
    "/group/project",
    "/group/project/-/merge_requests/1",
    "/org/repo/pull/1",
    "/%2e%2e/",
    "/../..",
    "/a b",
    "/\u{0}",
    "/scm/proj/repo.git",
    "/bitbucket",
    "/\u{202e}",
];

pub const TAILS: &[&str] =
    &["", "?a=b", "#frag", "?", "#", "?code=x&state=y", "?%zz", "#\u{1F600}"];

pub const PARAMS: &[&str] =
    &["code", "state", "error", "error_description", "iss", "error_uri", "CODE", "", "="];

pub const VALUES: &[&str] = &[
    "",
    "abc",
    "s1",
    "access_denied",
    "invalid_scope",
    "redirect_uri_mismatch",
    "server_error",
    "%",
    "%zz",
    "%E2%82%AC",
    "+",
    "a+b",
    "%00",
    "https%3A%2F%2Fgithub.com%2Flogin%2Foauth",
];

pub const SCOPE_WORDS: &[&str] = &[
    "repo",
    "repo:status",
    "read:org",
    "api",
    "read_api",
    "read_user",
    "write_repository",
    "pullrequest:write",
    "repository:write",
    "PROJECT_READ",
    "REPO_ADMIN",
    "",
    " ",
    ",",
    ", ",
    "\u{3000}",
    "unknown",
    "admin:org_hook",
];

pub fn ascii(rng: &mut Rng) -> String {
    let len = rng.below(64);
    (0..len).map(|_| char::from(32 + rng.below(95) as u8)).collect()
}

pub fn unicode(rng: &mut Rng) -> String {
    let len = rng.below(48);
    (0..len)
        .map(|_| {
            let ranges: &[(u32, u32)] = &[
                (0, 0x7f),
                (0x80, 0x7ff),
                (0x300, 0x36f),
                (0x590, 0x6ff),
                (0x200b, 0x206f),
                (0x3000, 0x30ff),
                (0xfe00, 0xfeff),
                (0xfff0, 0xffff),
                (0x1f300, 0x1faff),
                (0xe0000, 0xe007f),
                (0x10fff0, 0x10ffff),
            ];
            let (low, high) = rng.pick(ranges);
            let code = low + (rng.next() % u64::from(high - low + 1)) as u32;
            char::from_u32(code).unwrap_or('\u{FFFD}')
        })
        .collect()
}

pub fn random_bytes_as_text(rng: &mut Rng) -> String {
    let len = rng.below(96);
    let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn url_like(rng: &mut Rng) -> String {
    let mut url = String::new();
    url.push_str(rng.pick(SCHEMES));
    url.push_str(rng.pick(HOSTS));
    url.push_str(rng.pick(PORTS));
    for _ in 0..rng.below(3) {
        url.push_str(rng.pick(PATHS));
    }
    url.push_str(rng.pick(TAILS));
    if rng.chance(8) {
        // Corrupt one character.
        let mut chars: Vec<char> = url.chars().collect();
        if !chars.is_empty() {
            let at = rng.below(chars.len());
            chars[at] = rng.pick(&['\0', ' ', '%', '\u{FFFD}', '\n', '@', ':', '[', '\\']);
        }
        url = chars.into_iter().collect();
    }
    url
}

pub fn callback_like(rng: &mut Rng) -> String {
    let mut url = format!("{}{}{}?", rng.pick(SCHEMES), rng.pick(HOSTS), rng.pick(PATHS));
    for index in 0..rng.below(6) {
        if index > 0 {
            url.push(rng.pick(&['&', '&', '&', ';']));
        }
        url.push_str(rng.pick(PARAMS));
        url.push('=');
        url.push_str(rng.pick(VALUES));
    }
    if rng.chance(4) {
        url.push_str(rng.pick(TAILS));
    }
    url
}

pub fn scope_list(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(6) {
        text.push_str(rng.pick(SCOPE_WORDS));
        text.push_str(rng.pick(&[" ", ",", ", ", "  ", "\t", ""]));
    }
    text
}

pub fn huge(rng: &mut Rng) -> String {
    let piece = match rng.below(3) {
        0 => url_like(rng),
        1 => unicode(rng),
        _ => "a".to_owned(),
    };
    let piece = if piece.is_empty() { "x".to_owned() } else { piece };
    let target = 64 * 1024 + rng.below(960 * 1024);
    let mut text = String::from("https://");
    while text.len() < target {
        text.push_str(&piece);
    }
    text
}

pub fn text(rng: &mut Rng) -> String {
    if rng.chance(250) {
        return huge(rng);
    }
    small_text(rng)
}

/// [`text`] without the occasional megabyte, for the secondary fields of a call: one huge
/// input per call is enough to exercise the size paths, and many would only slow the run.
pub fn small_text(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => String::new(),
        1 => ascii(rng),
        2 => unicode(rng),
        3 => random_bytes_as_text(rng),
        4 | 5 => url_like(rng),
        6 => callback_like(rng),
        _ => scope_list(rng),
    }
}

pub fn maybe<T>(rng: &mut Rng, make: impl FnOnce(&mut Rng) -> T) -> Option<T> {
    if rng.chance(2) {
        Some(make(rng))
    } else {
        None
    }
}

pub const STATUSES: &[u16] = &[
    200, 200, 200, 201, 204, 301, 302, 303, 307, 400, 401, 403, 404, 406, 410, 422, 429, 500, 502,
    503, 0, 1, 99, 600, 999, 65535,
];

pub const HEADER_NAMES: &[&str] = &[
    "Date",
    "date",
    "Retry-After",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Location",
    "WWW-Authenticate",
    "X-OAuth-Scopes",
    "X-Accepted-OAuth-Scopes",
    "GitHub-Authentication-Token-Expiration",
    "X-AUSERNAME",
    "Content-Type",
    "",
    "\u{0}",
];

pub const HEADER_VALUES: &[&str] = &[
    "Tue, 14 Nov 2023 22:13:20 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "not a date",
    "0",
    "-1",
    "30",
    "1700003600",
    "99999999999999999999999",
    "-9223372036854775808",
    "9223372036854775807",
    "repo, read:org",
    "api read_user",
    "",
    "https://bitbucket.example.com/login?next=/rest",
    "/login",
    "Bearer error=\"invalid_token\", error_description=\"The access token expired\"",
    "2026-11-29 00:00:00 UTC",
    "2026-13-45 99:99:99 UTC",
    "99999999999-01-01",
    "-5-1-1",
    "application/json",
    "ada",
];

pub const TOKEN_FIELDS: &[&str] = &[
    "access_token",
    "token_type",
    "refresh_token",
    "expires_in",
    "refresh_token_expires_in",
    "created_at",
    "scope",
    "scopes",
    "error",
    "error_description",
    "device_code",
    "user_code",
    "verification_uri",
    "verification_uri_complete",
    "interval",
    "message",
    "errors",
    "detail",
];

pub const ERRORS: &[&str] = &[
    "invalid_grant",
    "bad_refresh_token",
    "invalid_client",
    "invalid_scope",
    "redirect_uri_mismatch",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "device_flow_disabled",
    "bad_verification_code",
    "incorrect_client_credentials",
    "unsupported_grant_type",
    "access_denied",
    "insufficient_scope",
    "server_error",
    "",
];

pub fn number_text(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => "0".into(),
        1 => "-1".into(),
        2 => "7200".into(),
        3 => "1e308".into(),
        4 => "-1e308".into(),
        5 => "NaN".into(),
        6 => "9223372036854775807".into(),
        _ => (rng.next() as i64).to_string(),
    }
}

pub fn json_value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(if depth > 2 { 6 } else { 8 }) {
        0 => number_text(rng),
        1 => format!("{:?}", small_text(rng)),
        2 => format!("{:?}", rng.pick(ERRORS)),
        3 => rng.pick(&["true", "false", "null"]).to_owned(),
        4 => format!("{:?}", scope_list(rng)),
        5 => format!("{:?}", rng.pick(SCOPE_WORDS)),
        6 => {
            let items: Vec<String> =
                (0..rng.below(4)).map(|_| json_value(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        _ => json_object(rng, depth + 1),
    }
}

pub fn json_object(rng: &mut Rng, depth: usize) -> String {
    let fields: Vec<String> = (0..rng.below(8))
        .map(|_| {
            let name =
                if rng.chance(6) { small_text(rng) } else { rng.pick(TOKEN_FIELDS).to_owned() };
            format!("{name:?}:{}", json_value(rng, depth))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

pub fn form_body(rng: &mut Rng) -> String {
    (0..rng.below(6))
        .map(|_| {
            let value = match rng.below(3) {
                0 => rng.pick(ERRORS).to_owned(),
                1 => number_text(rng),
                _ => rng.pick(VALUES).to_owned(),
            };
            format!("{}={value}", rng.pick(TOKEN_FIELDS))
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn body(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(400) {
        return huge(rng).into_bytes();
    }
    match rng.below(10) {
        0 => Vec::new(),
        1..=3 => json_object(rng, 0).into_bytes(),
        8 => {
            // Nesting deeper than any parser here may recurse (serde_json stops at 128).
            let depth = 1 + rng.below(5_000);
            let (open, close) = rng.pick(&[("[", "]"), ("{\"error\":", "}")]);
            let mut text = open.repeat(depth);
            if rng.chance(2) {
                text.push_str(&close.repeat(depth));
            }
            text.into_bytes()
        }
        4 => form_body(rng).into_bytes(),
        5 => (0..rng.below(200)).map(|_| rng.next() as u8).collect(),
        6 => format!("<html><body>{}</body></html>", small_text(rng)).into_bytes(),
        7 => {
            // A plausible answer with one byte changed.
            let mut bytes = json_object(rng, 0).into_bytes();
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            bytes
        }
        _ => text(rng).into_bytes(),
    }
}

pub fn instant(rng: &mut Rng) -> i64 {
    match rng.below(6) {
        0 => i64::MIN,
        1 => i64::MAX,
        2 => 0,
        3 => -(rng.below(1_000_000_000) as i64),
        _ => 1_700_000_000 + rng.below(200_000_000) as i64,
    }
}

pub const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "github_pat_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "glpat-",
    "gloas-",
    "gldt-",
    "glptt-",
    "glrt-",
    "glcbt-",
    "glft-",
    "glsoat-",
    "ATATT",
    "ATCTT",
    "ATBB",
    "BBDC-",
    "",
    " ",
    "gh",
    "GHP_",
];

pub fn alphanumeric(rng: &mut Rng, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| char::from(CHARS[rng.below(CHARS.len())])).collect()
}

pub const WEBHOOK_HEADERS: &[(&str, &[&str])] = &[
    (
        "X-GitHub-Event",
        &[
            "push",
            "pull_request",
            "workflow_run",
            "workflow_job",
            "check_run",
            "check_suite",
            "status",
            "ping",
            "",
            "issues",
        ],
    ),
    ("x-github-delivery", &["72d3162e-cc78-11e3-81ab-4c9367dc0958", "", "push-0"]),
    ("X-GitHub-Hook-ID", &["42", "", "-1", "99999999999999999999999"]),
    (
        "X-Hub-Signature-256",
        &[
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=",
            "sha256=zz",
            "sha1=00",
            "",
            "sha256=7571",
        ],
    ),
    (
        "X-Hub-Signature",
        &["sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59", "sha256=00", "sha1=", "nonsense"],
    ),
    (
        "X-Gitlab-Event",
        &[
            "Push Hook",
            "Tag Push Hook",
            "Merge Request Hook",
            "Pipeline Hook",
            "Job Hook",
            "System Hook",
            "",
            "Unknown Hook",
        ],
    ),
    ("X-Gitlab-Token", &["s3cret", "", "It's a Secret to Everybody"]),
    ("X-Gitlab-Event-UUID", &["13792a34-cac6-4fda-95a8-c58e00a3954e", ""]),
    ("Idempotency-Key", &["f0b7a5d2", ""]),
    ("webhook-id", &["msg_p5jXN8AQM9LWM0D4loKWxJek", ""]),
    (
        "webhook-timestamp",
        &["1614265330", "0", "-1", "99999999999999999999", "1.5", "", "9223372036854775807"],
    ),
    (
        "webhook-signature",
        &[
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1,",
            "v1,!!!",
            "v2,abc",
            "v1,bm9ldHZhbGlk v1,g0hM9SsE",
            "",
        ],
    ),
    (
        "X-Event-Key",
        &[
            "repo:push",
            "pullrequest:created",
            "repo:commit_status_created",
            "repo:commit_status_updated",
            "pr:opened",
            "diagnostics:ping",
            "",
            "repo:refs_changed",
        ],
    ),
    ("X-Request-UUID", &["a-b-c", ""]),
    ("X-Request-Id", &["r-1", ""]),
    ("X-Hook-UUID", &["{h-1}", ""]),
    ("X-Gitea-Event", &["push"]),
    ("X-Forgejo-Event", &["push"]),
    ("Content-Type", &["application/json", "application/x-www-form-urlencoded", ""]),
];

pub const PAYLOADS: &[&str] = &[
    r#"{"ref":"refs/heads/main","after":"da15","repository":{"id":1,"full_name":"octo/repo","html_url":"https://github.com/octo/repo","default_branch":"main"},"sender":{"id":2,"login":"octo"}}"#,
    r#"{"action":"completed","workflow_run":{"id":1,"status":"completed","conclusion":"failure","head_branch":"main","head_sha":"abc","html_url":"u"},"repository":{"full_name":"o/r"}}"#,
    r#"{"action":"completed","workflow_job":{"id":1,"run_id":2,"name":"build","status":"completed","conclusion":"timed_out"},"repository":{"full_name":"o/r"}}"#,
    r#"{"object_kind":"build","build_id":1978,"build_name":"lint","build_stage":"test","build_status":"failed","build_failure_reason":"script_failure","pipeline_id":2,"project":{"path_with_namespace":"g/s/p"}}"#,
    r#"{"object_kind":"pipeline","object_attributes":{"id":31,"ref":"main","sha":"bcbb","status":"manual","created_at":"2016-08-12 15:23:28 UTC"},"project":{"id":1,"path_with_namespace":"g/p"}}"#,
    r#"{"object_kind":"merge_request","object_attributes":{"iid":1,"title":"t","state":"opened","source_branch":"a","target_branch":"b"}}"#,
    r#"{"commit_status":{"state":"FAILED","key":"k","url":"u","commit":{"hash":"abc"}},"repository":{"uuid":"{r}","full_name":"w/r"}}"#,
    r#"{"eventKey":"pr:opened","pullRequest":{"id":1,"title":"t","state":"OPEN","fromRef":{"displayId":"a"},"toRef":{"displayId":"b"}}}"#,
    r#"{"state":"success","sha":"abc","context":"ci","target_url":null,"repository":{"full_name":"o/r"}}"#,
    r#"{"zen":"Keep it logically awesome.","hook_id":42,"repository":{"id":1,"full_name":"octo/repo"}}"#,
    "payload=%7B%22zen%22%3A%22x%22%7D",
    "payload=%7Bnot",
    r#"{"repository":{"id":1.5e308,"full_name":7},"sender":[],"ref":{"x":1}}"#,
    r#"{"object_kind":"build","build_id":-1,"build_status":"\u0000","pipeline_id":18446744073709551616}"#,
];

pub fn webhook_headers(rng: &mut Rng) -> Vec<(String, String)> {
    (0..rng.below(7))
        .map(|_| {
            let (name, values) = rng.pick(WEBHOOK_HEADERS);
            let name = match rng.below(10) {
                0 => name.to_ascii_lowercase(),
                1 => name.to_ascii_uppercase(),
                2 => small_text(rng),
                _ => name.to_owned(),
            };
            let value = if rng.chance(6) { small_text(rng) } else { rng.pick(values).to_owned() };
            (name, value)
        })
        .collect()
}

pub fn webhook_body(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(3) {
        return body(rng);
    }
    let mut bytes = rng.pick(PAYLOADS).as_bytes().to_vec();
    if rng.chance(2) && !bytes.is_empty() {
        // Cut short, or one byte changed: what a broken proxy or a forger would hand over.
        let at = rng.below(bytes.len());
        if rng.chance(2) {
            bytes.truncate(at);
        } else {
            bytes[at] = rng.next() as u8;
        }
    }
    bytes
}

pub fn secrets(rng: &mut Rng) -> Vec<String> {
    (0..rng.below(4))
        .map(|_| match rng.below(4) {
            0 => small_text(rng),
            1 => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned(),
            2 => "whsec_!!notbase64".to_owned(),
            _ => "It's a Secret to Everybody".to_owned(),
        })
        .collect()
}
