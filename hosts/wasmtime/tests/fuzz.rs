//! Random and malformed inputs to every export: the component never traps, and every failure
//! is a coded error from `error-codes` carrying guidance for that code.

mod common;

use std::collections::BTreeSet;

use forgelink_host::wit::{self, Provider};
use forgelink_host::Plugin;

/// Calls in total, spread evenly over the ten exports.
const CALLS: usize = 12_000;

/// splitmix64: tiny, deterministic, good enough to pick inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const SCHEMES: &[&str] = &[
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
const HOSTS: &[&str] = &[
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
const PORTS: &[&str] =
    &["", ":443", ":8443", ":0", ":65535", ":65536", ":99999999999", ":", ":abc", ":-1"];
const PATHS: &[&str] = &[
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
const TAILS: &[&str] = &["", "?a=b", "#frag", "?", "#", "?code=x&state=y", "?%zz", "#\u{1F600}"];
const PARAMS: &[&str] =
    &["code", "state", "error", "error_description", "iss", "error_uri", "CODE", "", "="];
const VALUES: &[&str] = &[
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
const SCOPE_WORDS: &[&str] = &[
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

fn ascii(rng: &mut Rng) -> String {
    let len = rng.below(64);
    (0..len).map(|_| char::from(32 + rng.below(95) as u8)).collect()
}

fn unicode(rng: &mut Rng) -> String {
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

fn random_bytes_as_text(rng: &mut Rng) -> String {
    let len = rng.below(96);
    let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn url_like(rng: &mut Rng) -> String {
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

fn callback_like(rng: &mut Rng) -> String {
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

fn scope_list(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(6) {
        text.push_str(rng.pick(SCOPE_WORDS));
        text.push_str(rng.pick(&[" ", ",", ", ", "  ", "\t", ""]));
    }
    text
}

fn huge(rng: &mut Rng) -> String {
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

fn text(rng: &mut Rng) -> String {
    if rng.chance(250) {
        return huge(rng);
    }
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

fn provider(rng: &mut Rng) -> Provider {
    rng.pick(&[
        Provider::Github,
        Provider::Gitlab,
        Provider::BitbucketCloud,
        Provider::BitbucketDataCenter,
    ])
}

fn maybe<T>(rng: &mut Rng, make: impl FnOnce(&mut Rng) -> T) -> Option<T> {
    if rng.chance(2) {
        Some(make(rng))
    } else {
        None
    }
}

fn excerpt(input: &str) -> String {
    let short: String = input.chars().take(120).collect();
    format!("{short:?} ({} bytes)", input.len())
}

struct Checker {
    codes: BTreeSet<String>,
    failures: usize,
}

impl Checker {
    fn error(&mut self, export: &str, input: &str, error: &wit::Error) {
        assert!(
            self.codes.contains(&error.code),
            "{export}: code {:?} is not in error-codes; input {}",
            error.code,
            excerpt(input)
        );
        assert_eq!(
            error.guidance.code,
            error.code,
            "{export}: guidance for another code; input {}",
            excerpt(input)
        );
        assert!(!error.message.is_empty(), "{export}: empty message; input {}", excerpt(input));
        self.failures += 1;
    }

    fn diagnostics(&self, export: &str, input: &str, diagnostics: &[wit::Diagnostic]) {
        for diagnostic in diagnostics {
            assert!(
                self.codes.contains(&diagnostic.code),
                "{export}: diagnostic code {:?} is not in error-codes; input {}",
                diagnostic.code,
                excerpt(input)
            );
        }
    }
}

fn call(plugin: &mut Plugin, checker: &mut Checker, rng: &mut Rng, export: usize) {
    macro_rules! no_trap {
        ($name:literal, $input:expr, $call:expr) => {
            match $call {
                Ok(value) => value,
                Err(error) => panic!(
                    "{} trapped on {}: {error}",
                    $name,
                    excerpt(AsRef::<str>::as_ref(&$input))
                ),
            }
        };
    }
    match export {
        0 => {
            let input = text(rng);
            let report = no_trap!(
                "validate-base-url",
                input,
                plugin.validate_base_url(provider(rng), &input)
            );
            checker.diagnostics("validate-base-url", &input, &report.diagnostics);
            assert_eq!(
                report.ok,
                report.diagnostics.iter().all(|d| d.severity != wit::Severity::Error),
                "ok agrees with the diagnostics for {}",
                excerpt(&input)
            );
            if report.ok {
                assert!(
                    report.base_url.is_some() && report.api_base.is_some(),
                    "{}",
                    excerpt(&input)
                );
            }
        }
        1 => {
            let base_url = maybe(rng, text);
            let shown = base_url.clone().unwrap_or_default();
            let result =
                no_trap!("endpoints", shown, plugin.endpoints(provider(rng), base_url.as_deref()));
            if let Err(error) = result {
                checker.error("endpoints", &shown, &error);
            }
        }
        2 => {
            let (registered, requested) = (text(rng), text(rng));
            let shown = format!("{registered} | {requested}");
            let diagnostics = no_trap!(
                "validate-redirect-uri",
                shown,
                plugin.validate_redirect_uri(provider(rng), &registered, &requested)
            );
            checker.diagnostics("validate-redirect-uri", &shown, &diagnostics);
        }
        3 => {
            let catalog = no_trap!("scope-catalog", "", plugin.scope_catalog(provider(rng)));
            assert!(!catalog.is_empty());
        }
        4 => {
            let granted = text(rng);
            let required: Vec<String> = (0..rng.below(4))
                .map(|_| if rng.chance(2) { rng.pick(SCOPE_WORDS).to_string() } else { text(rng) })
                .collect();
            let shown = format!("{granted} | {required:?}");
            let result = no_trap!(
                "check-scopes",
                shown,
                plugin.check_scopes(provider(rng), &granted, &required)
            );
            if let Err(error) = result {
                checker.error("check-scopes", &shown, &error);
            }
        }
        5 => {
            let profiles = no_trap!("profiles", "", plugin.profiles());
            assert!(!profiles.is_empty());
        }
        6 => {
            let request = wit::AuthorizationRequest {
                provider: provider(rng),
                base_url: maybe(rng, text),
                client_id: if rng.chance(3) { "client-123".into() } else { text(rng) },
                redirect_uri: if rng.chance(3) {
                    "https://app.example.com/cb".into()
                } else {
                    text(rng)
                },
                scopes: maybe(rng, |rng| {
                    (0..rng.below(4)).map(|_| rng.pick(SCOPE_WORDS).to_string()).collect()
                }),
                profile: maybe(rng, |rng| {
                    if rng.chance(2) {
                        rng.pick(&["ci-failure-analysis", "secret-sync", "deployments"]).to_string()
                    } else {
                        text(rng)
                    }
                }),
                pkce: maybe(rng, |rng| rng.chance(2)),
            };
            let shown = format!(
                "{:?} | {:?} | {:?}",
                request.base_url, request.client_id, request.redirect_uri
            );
            match no_trap!("authorization-url", shown, plugin.authorization_url(&request)) {
                Ok(authorization) => assert!(!authorization.state.is_empty()),
                Err(error) => checker.error("authorization-url", &shown, &error),
            }
        }
        7 => {
            let callback = if rng.chance(4) { text(rng) } else { callback_like(rng) };
            let expected = if rng.chance(2) { "s1".to_owned() } else { text(rng) };
            let shown = format!("{callback} | {expected}");
            if let Err(error) =
                no_trap!("parse-callback", shown, plugin.parse_callback(&callback, &expected))
            {
                checker.error("parse-callback", &shown, &error);
            }
        }
        8 => {
            let code = if rng.chance(3) {
                let index = rng.below(checker.codes.len());
                checker.codes.iter().nth(index).cloned().unwrap_or_default()
            } else {
                text(rng)
            };
            let provider = maybe(rng, provider);
            match no_trap!("troubleshoot", code, plugin.troubleshoot(&code, provider)) {
                Ok(guidance) => assert_eq!(guidance.code, code),
                Err(error) => {
                    assert_eq!(error.code, "input.unknown_code", "input {}", excerpt(&code));
                    checker.error("troubleshoot", &code, &error);
                }
            }
        }
        _ => {
            let codes = no_trap!("error-codes", "", plugin.error_codes());
            assert_eq!(codes.len(), checker.codes.len());
        }
    }
}

#[test]
fn random_and_malformed_inputs_never_trap() {
    let seed = std::env::var("FORGELINK_FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x5eed_f0e6_11e4);
    let mut rng = Rng(seed);
    let mut plugin = common::plugin();
    let codes: BTreeSet<String> = plugin.error_codes().unwrap().into_iter().collect();
    let mut checker = Checker { codes, failures: 0 };
    // One instance for every call: a trap or a leak would show up here as it would in a host.
    for index in 0..CALLS {
        call(&mut plugin, &mut checker, &mut rng, index % 10);
    }
    // The generators aim at the error paths; a run without errors would test little.
    assert!(
        checker.failures > CALLS / 20,
        "only {} coded errors in {CALLS} calls",
        checker.failures
    );
}
