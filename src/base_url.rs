//! Reading what people paste as "the address of your instance" into a clean base URL.

use serde::Serialize;
use url::{Host, Url};

use crate::diagnostic::Diagnostic;
use crate::error::{excerpt, Code, Error};
use crate::host_name::{
    classify_cloud_host, is_loopback, is_valid_domain, other_provider_cloud, CloudHost,
};
use crate::provider::{Deployment, Provider};

/// The outcome of [`validate_base_url`]: a clean base URL, or the diagnostics that say what to
/// type instead. Warnings may accompany a usable result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseUrlReport {
    /// Whether `base_url` is usable: no diagnostic is an error.
    pub ok: bool,
    /// The normalised web base URL, without a trailing slash (`https://example.com/gitlab`).
    pub base_url: Option<String>,
    /// Whether the URL is the provider's cloud or a self-hosted instance.
    pub deployment: Option<Deployment>,
    /// The REST API base derived from it (`https://example.com/gitlab/api/v4`).
    pub api_base: Option<String>,
    /// Every finding, errors first in the order met.
    pub diagnostics: Vec<Diagnostic>,
}

/// A base URL that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResolvedBase {
    pub(crate) provider: Provider,
    pub(crate) base: String,
    pub(crate) deployment: Deployment,
    pub(crate) api_base: String,
}

/// Checks and normalises the address a person typed for a provider's instance.
///
/// Trims it, removes a trailing slash or a pasted API or project path (with a warning),
/// recognises the provider's cloud hosts, keeps a relative URL root or context path, converts
/// internationalised names to punycode, and explains everything it cannot use.
pub fn validate_base_url(provider: Provider, input: &str) -> BaseUrlReport {
    let mut diagnostics = Vec::new();
    let resolved = resolve(provider, input, &mut diagnostics);
    diagnostics.sort_by_key(|d| !d.is_error());
    match resolved {
        Some(resolved) if !diagnostics.iter().any(Diagnostic::is_error) => BaseUrlReport {
            ok: true,
            base_url: Some(resolved.base),
            deployment: Some(resolved.deployment),
            api_base: Some(resolved.api_base),
            diagnostics,
        },
        _ => BaseUrlReport {
            ok: false,
            base_url: None,
            deployment: None,
            api_base: None,
            diagnostics,
        },
    }
}

/// The base URL every other operation starts from: the given one, validated, or the
/// provider's cloud when none is given.
pub(crate) fn resolve_base_url(
    provider: Provider,
    input: Option<&str>,
) -> Result<ResolvedBase, Error> {
    let input = match input.map(str::trim) {
        Some(given) if !given.is_empty() => given,
        _ => {
            return cloud_base(provider, None).ok_or_else(|| {
                Error::new(
                    Code::BaseUrlRequired,
                    format!(
                        "{} has no cloud service: give the base URL of the instance",
                        provider.display_name()
                    ),
                )
                .for_provider(provider)
            })
        }
    };
    let mut diagnostics = Vec::new();
    match resolve(provider, input, &mut diagnostics) {
        Some(resolved) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(resolved),
        _ => {
            let first = diagnostics.into_iter().find(Diagnostic::is_error).unwrap_or_else(|| {
                Diagnostic::error(Code::BaseUrlInvalidHost, "the base URL cannot be used")
            });
            let mut error = Error::new(first.code, first.message).for_provider(provider);
            error.provider_detail = first.suggestion.map(|s| format!("suggestion: {s}"));
            Err(error)
        }
    }
}

fn cloud_base(provider: Provider, ghe_host: Option<&str>) -> Option<ResolvedBase> {
    let (base, api_base) = match (provider, ghe_host) {
        (Provider::GitHub, Some(host)) => {
            (format!("https://{host}"), format!("https://api.{host}"))
        }
        (Provider::GitHub, None) => ("https://github.com".into(), "https://api.github.com".into()),
        (Provider::GitLab, _) => ("https://gitlab.com".into(), "https://gitlab.com/api/v4".into()),
        (Provider::BitbucketCloud, _) => {
            ("https://bitbucket.org".into(), "https://api.bitbucket.org/2.0".into())
        }
        (Provider::BitbucketDataCenter, _) => return None,
    };
    Some(ResolvedBase { provider, base, deployment: Deployment::Cloud, api_base })
}

fn self_hosted_base(provider: Provider, base: String) -> ResolvedBase {
    let api_base = match provider {
        Provider::GitHub => format!("{base}/api/v3"),
        Provider::GitLab => format!("{base}/api/v4"),
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => {
            format!("{base}/rest/api/latest")
        }
    };
    ResolvedBase { provider, base, deployment: Deployment::SelfHosted, api_base }
}

fn resolve(provider: Provider, input: &str, out: &mut Vec<Diagnostic>) -> Option<ResolvedBase> {
    let input = input.trim();
    if input.is_empty() {
        out.push(Diagnostic::error(
            Code::BaseUrlEmpty,
            format!("Type the address of your {} instance.", provider.display_name()),
        ));
        return None;
    }
    if has_space_or_control(input) {
        let cleaned: String =
            input.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
        out.push(
            Diagnostic::error(
                Code::BaseUrlWhitespace,
                "The address has spaces or line breaks inside it.",
            )
            .suggest(cleaned),
        );
        return None;
    }
    let url = parse_with_scheme(input, out)?;
    let fatal_before = out.iter().any(Diagnostic::is_error);
    check_userinfo_query_fragment(&url, out);
    let host = match url.host() {
        Some(host) => host,
        None => {
            out.push(Diagnostic::error(Code::BaseUrlInvalidHost, "The address has no host name."));
            return None;
        }
    };
    if let Host::Domain(domain) = host {
        if !is_valid_domain(domain) {
            let mut diagnostic = Diagnostic::error(
                Code::BaseUrlInvalidHost,
                format!("`{}` cannot be a host name.", excerpt(domain)),
            );
            let trimmed = domain.trim_end_matches('.');
            if trimmed != domain && is_valid_domain(trimmed) {
                diagnostic = diagnostic.suggest(format!("{}://{trimmed}", url.scheme()));
            }
            out.push(diagnostic);
            return None;
        }
        if let Some(resolved) = resolve_known_host(provider, input, &url, domain, out) {
            return resolved;
        }
    }
    if url.port() == Some(0) {
        out.push(Diagnostic::error(
            Code::BaseUrlInvalidPort,
            "The port must be a number from 1 to 65535.",
        ));
        return None;
    }
    if fatal_before || out.iter().any(Diagnostic::is_error) {
        return None;
    }
    if provider == Provider::BitbucketCloud {
        out.push(Diagnostic::error(
            Code::BaseUrlNotCloud,
            "Bitbucket Cloud is always https://bitbucket.org; for a Bitbucket server of your own, choose Bitbucket Data Center.",
        ).suggest("https://bitbucket.org"));
        return None;
    }
    Some(resolve_self_hosted(provider, input, &url, &host, out))
}

/// Parses the input as an absolute http(s) URL, explaining a missing or foreign scheme.
fn parse_with_scheme(input: &str, out: &mut Vec<Diagnostic>) -> Option<Url> {
    let scheme = input.split_once("://").map(|(scheme, _)| scheme).filter(|scheme| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let Some(scheme) = scheme else {
        out.push(schemeless_diagnostic(input));
        return None;
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        let mut diagnostic = Diagnostic::error(
            Code::BaseUrlUnsupportedScheme,
            format!("`{}://` is not a web address; use https://.", excerpt(&scheme)),
        );
        if let Some(host) = Url::parse(input).ok().and_then(|u| u.host_str().map(str::to_owned)) {
            diagnostic = diagnostic.suggest(format!("https://{host}"));
        }
        out.push(diagnostic);
        return None;
    }
    match Url::parse(input) {
        Ok(url) => Some(url),
        Err(error) => {
            out.push(parse_error_diagnostic(error));
            None
        }
    }
}

/// What to say about an input without `://`: a clone address, a foreign scheme
/// (`mailto:`, `javascript:`), a mistyped `https:/`, or a plain host name.
fn schemeless_diagnostic(input: &str) -> Diagnostic {
    if let Some(host) = scp_like_host(input) {
        return Diagnostic::error(
            Code::BaseUrlUnsupportedScheme,
            "That is an SSH clone address; type the web address of the instance instead.",
        )
        .suggest(format!("https://{host}"));
    }
    if let Some((prefix, rest)) = input.split_once(':') {
        let lower = prefix.to_ascii_lowercase();
        let is_port = rest.starts_with(|c: char| c.is_ascii_digit());
        // A scheme has no dots; `gitlab.example.com:8443` is a host and a port.
        let looks_like_scheme = !prefix.contains('.')
            && prefix.starts_with(|c: char| c.is_ascii_alphabetic())
            && prefix.chars().all(|c| c.is_ascii_alphanumeric() || "+-".contains(c));
        if (lower == "http" || lower == "https") && !is_port {
            return Diagnostic::error(
                Code::BaseUrlMissingScheme,
                "The address needs https:// in front.",
            )
            .suggest(format!("https://{}", rest.trim_start_matches('/')));
        }
        if looks_like_scheme && !is_port {
            return Diagnostic::error(
                Code::BaseUrlUnsupportedScheme,
                format!("`{}:` is not a web address; use https://.", excerpt(prefix)),
            );
        }
    }
    Diagnostic::error(Code::BaseUrlMissingScheme, "The address needs https:// in front.")
        .suggest(format!("https://{}", input.trim_start_matches('/')))
}

/// `git@github.com:group/project.git` → `github.com`.
fn scp_like_host(input: &str) -> Option<&str> {
    let (user_host, _path) = input.split_once(':')?;
    let (user, host) = user_host.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains('/');
    (plain(user) && plain(host) && is_valid_domain(&host.to_ascii_lowercase())).then_some(host)
}

fn parse_error_diagnostic(error: url::ParseError) -> Diagnostic {
    use url::ParseError as E;
    match error {
        E::InvalidPort => Diagnostic::error(
            Code::BaseUrlInvalidPort,
            "The port must be a number from 1 to 65535.",
        ),
        E::InvalidIpv6Address => Diagnostic::error(
            Code::BaseUrlInvalidHost,
            "The IPv6 address is not valid; write it in brackets, like https://[2001:db8::1].",
        ),
        E::InvalidIpv4Address => {
            Diagnostic::error(Code::BaseUrlInvalidHost, "The IPv4 address is not valid.")
        }
        E::EmptyHost => {
            Diagnostic::error(Code::BaseUrlInvalidHost, "The address has no host name.")
        }
        E::IdnaError | E::InvalidDomainCharacter => Diagnostic::error(
            Code::BaseUrlInvalidHost,
            "The host name has characters a host name cannot have.",
        ),
        _ => Diagnostic::error(Code::BaseUrlInvalidHost, "The address cannot be read as a URL."),
    }
}

fn check_userinfo_query_fragment(url: &Url, out: &mut Vec<Diagnostic>) {
    let mut clean = url.clone();
    clean.set_query(None);
    clean.set_fragment(None);
    // Setting credentials cannot fail on an http(s) URL with a host.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    let suggestion = clean.as_str().trim_end_matches('/').to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        out.push(
            Diagnostic::error(
                Code::BaseUrlCredentials,
                "The address holds a user name or password; never put credentials in it.",
            )
            .suggest(suggestion.clone()),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        out.push(
            Diagnostic::error(
                Code::BaseUrlQueryOrFragment,
                "The address has a `?` or `#` part; the instance address has neither.",
            )
            .suggest(suggestion),
        );
    }
}

/// Cloud hosts of this provider, or of another one. `None` when the host is not a cloud host.
fn resolve_known_host(
    provider: Provider,
    input: &str,
    url: &Url,
    domain: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Option<ResolvedBase>> {
    if let Some(other) = other_provider_cloud(provider, domain) {
        out.push(Diagnostic::error(
            Code::BaseUrlWrongProvider,
            format!(
                "{domain} is {}, not {}: choose {} instead.",
                other.display_name(),
                provider.display_name(),
                other.display_name()
            ),
        ));
        return Some(None);
    }
    if provider == Provider::BitbucketDataCenter
        && classify_cloud_host(Provider::BitbucketCloud, domain).is_some()
    {
        out.push(Diagnostic::error(
            Code::BaseUrlCloudHost,
            "bitbucket.org is Bitbucket Cloud: choose Bitbucket Cloud, or type your own Bitbucket server's address.",
        ));
        return Some(None);
    }
    let kind = classify_cloud_host(provider, domain)?;
    if out.iter().any(Diagnostic::is_error) {
        return Some(None);
    }
    let ghe_host = match &kind {
        CloudHost::GheWeb(host) | CloudHost::GheApi(host) => Some(host.as_str()),
        CloudHost::Web | CloudHost::Api | CloudHost::OtherSubdomain => None,
        CloudHost::GheIncomplete => {
            out.push(
                Diagnostic::error(
                    Code::BaseUrlInvalidHost,
                    "A GitHub Enterprise Cloud address names its enterprise: https://SUBDOMAIN.ghe.com.",
                )
                .suggest("https://SUBDOMAIN.ghe.com"),
            );
            return Some(None);
        }
    };
    let resolved = cloud_base(provider, ghe_host)?;
    if url.port().is_some() {
        out.push(
            Diagnostic::error(
                Code::BaseUrlInvalidPort,
                format!("{domain} is only served on the standard https port."),
            )
            .suggest(resolved.base.clone()),
        );
        return Some(None);
    }
    if url.scheme() == "http" {
        out.push(
            Diagnostic::warning(
                Code::BaseUrlInsecureHttp,
                format!("{domain} is only served over https; using https."),
            )
            .suggest(resolved.base.clone()),
        );
    }
    let has_path = url.path_segments().is_some_and(|mut s| s.any(|seg| !seg.is_empty()));
    let first = first_segments(url).first().map(|s| s.to_ascii_lowercase());
    let api_segment = match provider {
        Provider::GitHub => ["login"].as_slice(),
        Provider::GitLab => ["api", "oauth"].as_slice(),
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => ["site", "2.0"].as_slice(),
    };
    let on_api = matches!(kind, CloudHost::Api | CloudHost::GheApi(_))
        || first.is_some_and(|f| api_segment.contains(&f.as_str()));
    let other_subdomain = matches!(kind, CloudHost::OtherSubdomain);
    if on_api {
        out.push(
            Diagnostic::warning(
                Code::BaseUrlApiPath,
                format!(
                    "That is the API address; forgelink uses the web address {} and derives the API from it.",
                    resolved.base
                ),
            )
            .suggest(resolved.base.clone()),
        );
    } else if has_path || other_subdomain {
        out.push(
            Diagnostic::warning(
                Code::BaseUrlProjectPath,
                format!(
                    "That address points inside {}; the connection is made to {} itself.",
                    resolved.base, resolved.base
                ),
            )
            .suggest(resolved.base.clone()),
        );
    } else if typed_trailing_slash(input) {
        out.push(trailing_slash_warning(&resolved.base));
    }
    Some(Some(resolved))
}

/// Whether the person typed a `/` at the end of the path (the parser always shows a root `/`).
fn typed_trailing_slash(input: &str) -> bool {
    let before_query = input.split(['?', '#']).next().unwrap_or(input);
    let after_scheme = before_query.split_once("://").map_or(before_query, |(_, rest)| rest);
    after_scheme.contains('/') && after_scheme.ends_with('/')
}

fn trailing_slash_warning(base: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::BaseUrlTrailingSlash,
        format!("The address ends with a slash, which is left out: OAuth redirect and API addresses are built from {base}, without it."),
    )
    .suggest(base)
}

fn first_segments(url: &Url) -> Vec<&str> {
    url.path_segments().map_or_else(Vec::new, |s| s.filter(|seg| !seg.is_empty()).collect())
}

/// Where a pasted path stops being the instance's own root.
enum Cut {
    /// An API or OAuth path: everything from here on is dropped.
    Api(usize),
    /// A page, project or clone path whose start is known: dropped from here on.
    Page(usize),
    /// A project path whose instance root cannot be told apart from the project's namespace.
    Ambiguous,
}

fn find_cut(provider: Provider, segments: &[&str]) -> Option<Cut> {
    let next_is = |i: usize, options: &[&str]| {
        i.checked_add(1).and_then(|next| segments.get(next)).is_some_and(|n| options.contains(n))
    };
    for (i, segment) in segments.iter().enumerate() {
        let lower = segment.to_ascii_lowercase();
        let cut = match provider {
            Provider::GitLab => match lower.as_str() {
                "api" if next_is(i, &["v4", "v3"]) => Some(Cut::Api(i)),
                "oauth" => Some(Cut::Api(i)),
                "-" if i == 0 => Some(Cut::Page(i)),
                "-" => Some(Cut::Ambiguous),
                "users" | "explore" | "dashboard" | "admin" | "help" => Some(Cut::Page(i)),
                _ if lower.ends_with(".git") => Some(Cut::Ambiguous),
                _ => None,
            },
            Provider::GitHub => match lower.as_str() {
                "api" if next_is(i, &["v3", "graphql", "uploads"]) => Some(Cut::Api(i)),
                "login" => Some(Cut::Api(i)),
                // Enterprise Server is always served from the root of its host.
                _ => Some(Cut::Page(i)),
            },
            Provider::BitbucketDataCenter | Provider::BitbucketCloud => match lower.as_str() {
                "rest" => Some(Cut::Api(i)),
                "projects" | "scm" | "users" | "plugins" | "dashboard" | "admin" | "login"
                | "profile" | "repos" => Some(Cut::Page(i)),
                _ if lower.ends_with(".git") => Some(Cut::Ambiguous),
                _ => None,
            },
        };
        if cut.is_some() {
            return cut;
        }
    }
    None
}

fn resolve_self_hosted(
    provider: Provider,
    input: &str,
    url: &Url,
    host: &Host<&str>,
    out: &mut Vec<Diagnostic>,
) -> ResolvedBase {
    let origin = url.origin().ascii_serialization();
    let segments = first_segments(url);
    let (kept, cut) = match find_cut(provider, &segments) {
        Some(Cut::Api(i)) => (&segments[..i], Some(Code::BaseUrlApiPath)),
        Some(Cut::Page(i)) => (&segments[..i], Some(Code::BaseUrlProjectPath)),
        Some(Cut::Ambiguous) => (&segments[..0], Some(Code::BaseUrlProjectPath)),
        None => (&segments[..], None),
    };
    let base =
        if kept.is_empty() { origin.clone() } else { format!("{origin}/{}", kept.join("/")) };
    match cut {
        Some(Code::BaseUrlApiPath) => out.push(
            Diagnostic::warning(
                Code::BaseUrlApiPath,
                format!("That is an API address; forgelink uses the web address {base} and derives the API from it."),
            )
            .suggest(base.clone()),
        ),
        Some(_) => out.push(
            Diagnostic::warning(
                Code::BaseUrlProjectPath,
                format!("That address points to a page or project; the connection is made to the instance at {base}."),
            )
            .suggest(base.clone()),
        ),
        None if typed_trailing_slash(input) => out.push(trailing_slash_warning(&base)),
        None => {}
    }
    if url.scheme() == "http" {
        let mut https = url.clone();
        let _ = https.set_scheme("https");
        let secure = format!("{}{}", https.origin().ascii_serialization(), &base[origin.len()..]);
        let message = if is_loopback(host) {
            "Plain http is fine on this machine, but any other instance must use https."
        } else {
            "Plain http sends tokens unencrypted; use https if the instance serves it."
        };
        out.push(Diagnostic::warning(Code::BaseUrlInsecureHttp, message).suggest(secure));
    }
    self_hosted_base(provider, base)
}

/// Whether `text` holds whitespace or a control character anywhere. ASCII text, nearly all
/// that is typed here, is looked at byte by byte: decoding it char by char was a tenth of an
/// `authorizationUrl` in the module pages load (built for size, which inlines nothing).
pub(crate) fn has_space_or_control(text: &str) -> bool {
    if text.is_ascii() {
        // For ASCII, `char::is_whitespace` is `is_ascii_whitespace` plus the vertical tab,
        // which is a control character.
        text.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    } else {
        text.chars().any(|c| c.is_whitespace() || c.is_control())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(provider: Provider, input: &str) -> BaseUrlReport {
        validate_base_url(provider, input)
    }

    fn codes(report: &BaseUrlReport) -> Vec<&'static str> {
        report.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn the_ascii_path_finds_what_the_char_path_finds() {
        let by_char = |text: &str| text.chars().any(|c| c.is_whitespace() || c.is_control());
        for byte in 0u8..128 {
            let text = format!("ab{}cd", char::from(byte));
            assert_eq!(has_space_or_control(&text), by_char(&text), "byte {byte:#04x}");
        }
        for text in ["caf\u{e9}", "a\u{a0}b", "a\u{2028}b", "a\u{85}b", "\u{3000}"] {
            assert_eq!(has_space_or_control(text), by_char(text), "{text:?}");
        }
    }

    #[test]
    fn relative_root_is_kept() {
        let r = check(Provider::GitLab, "https://example.com/gitlab");
        assert!(r.ok);
        assert_eq!(r.base_url.as_deref(), Some("https://example.com/gitlab"));
        assert_eq!(r.api_base.as_deref(), Some("https://example.com/gitlab/api/v4"));
        assert_eq!(r.deployment, Some(Deployment::SelfHosted));
        assert!(r.diagnostics.is_empty());
    }

    #[test]
    fn trailing_slash_and_api_path() {
        let r = check(Provider::GitLab, " https://gitlab.example.com/ ");
        assert_eq!(r.base_url.as_deref(), Some("https://gitlab.example.com"));
        assert_eq!(codes(&r), ["base_url.trailing_slash"]);
        let r = check(Provider::GitLab, "https://example.com/gitlab/api/v4/");
        assert_eq!(r.base_url.as_deref(), Some("https://example.com/gitlab"));
        assert_eq!(codes(&r), ["base_url.api_path"]);
        let r = check(Provider::BitbucketDataCenter, "https://bb.example.com/ctx/rest/api/1.0");
        assert_eq!(r.base_url.as_deref(), Some("https://bb.example.com/ctx"));
        assert_eq!(r.api_base.as_deref(), Some("https://bb.example.com/ctx/rest/api/latest"));
        let r = check(Provider::GitHub, "https://ghe.example.com/api/v3");
        assert_eq!(r.base_url.as_deref(), Some("https://ghe.example.com"));
        assert_eq!(r.api_base.as_deref(), Some("https://ghe.example.com/api/v3"));
    }

    #[test]
    fn cloud_hosts() {
        for (provider, input, base, api) in [
            (
                Provider::GitHub,
                "https://www.github.com",
                "https://github.com",
                "https://api.github.com",
            ),
            (
                Provider::GitHub,
                "https://api.github.com",
                "https://github.com",
                "https://api.github.com",
            ),
            (
                Provider::GitHub,
                "https://octo.ghe.com",
                "https://octo.ghe.com",
                "https://api.octo.ghe.com",
            ),
            (
                Provider::GitHub,
                "https://api.octo.ghe.com/",
                "https://octo.ghe.com",
                "https://api.octo.ghe.com",
            ),
            (
                Provider::GitLab,
                "https://gitlab.com/group/sub/project",
                "https://gitlab.com",
                "https://gitlab.com/api/v4",
            ),
            (
                Provider::BitbucketCloud,
                "https://api.bitbucket.org/2.0",
                "https://bitbucket.org",
                "https://api.bitbucket.org/2.0",
            ),
        ] {
            let r = check(provider, input);
            assert!(r.ok, "{input}: {r:?}");
            assert_eq!(r.deployment, Some(Deployment::Cloud), "{input}");
            assert_eq!(r.base_url.as_deref(), Some(base), "{input}");
            assert_eq!(r.api_base.as_deref(), Some(api), "{input}");
        }
        assert_eq!(
            codes(&check(Provider::GitLab, "https://gitlab.com/group/project")),
            ["base_url.project_path"]
        );
        assert_eq!(
            codes(&check(Provider::GitHub, "https://api.github.com")),
            ["base_url.api_path"]
        );
    }

    #[test]
    fn errors() {
        for (provider, input, code) in [
            (Provider::GitLab, "   ", "base_url.empty"),
            (Provider::GitLab, "gitlab.example.com", "base_url.missing_scheme"),
            (Provider::GitLab, "ftp://gitlab.example.com", "base_url.unsupported_scheme"),
            (
                Provider::GitLab,
                "git@gitlab.example.com:group/project.git",
                "base_url.unsupported_scheme",
            ),
            (Provider::GitLab, "https://user:pw@gitlab.example.com", "base_url.credentials"),
            (Provider::GitLab, "https://gitlab.example.com/?a=b", "base_url.query_or_fragment"),
            (Provider::GitLab, "https://gitlab.example.com#x", "base_url.query_or_fragment"),
            (Provider::GitLab, "https://exa_mple.com", "base_url.invalid_host"),
            (Provider::GitLab, "https://-bad.example.com", "base_url.invalid_host"),
            (Provider::GitLab, "https://gitlab.example.com:99999", "base_url.invalid_port"),
            (Provider::GitLab, "https://github.com", "base_url.wrong_provider"),
            (Provider::BitbucketDataCenter, "https://bitbucket.org", "base_url.cloud_host"),
            (Provider::BitbucketCloud, "https://bb.example.com", "base_url.not_cloud"),
            (Provider::GitLab, "https://git lab.com", "base_url.whitespace"),
        ] {
            let r = check(provider, input);
            assert!(!r.ok, "{input}");
            assert_eq!(r.diagnostics[0].code.as_str(), code, "{input}: {r:?}");
        }
        let r = check(Provider::GitLab, "gitlab.example.com");
        assert_eq!(r.diagnostics[0].suggestion.as_deref(), Some("https://gitlab.example.com"));
    }

    #[test]
    fn hosts_ports_ipv6_idn_http() {
        let r = check(Provider::GitLab, "https://[2001:db8::1]:8443/gitlab");
        assert_eq!(r.base_url.as_deref(), Some("https://[2001:db8::1]:8443/gitlab"));
        let r = check(Provider::GitLab, "https://bücher.example");
        assert_eq!(r.base_url.as_deref(), Some("https://xn--bcher-kva.example"));
        let r = check(Provider::GitLab, "http://gitlab.example.com:8080");
        assert!(r.ok);
        assert_eq!(codes(&r), ["base_url.insecure_http"]);
        assert_eq!(r.diagnostics[0].suggestion.as_deref(), Some("https://gitlab.example.com:8080"));
        let r = check(Provider::GitLab, "https://gitlab.example.com:443");
        assert_eq!(r.base_url.as_deref(), Some("https://gitlab.example.com"));
    }

    #[test]
    fn project_paths_on_self_hosted() {
        let r =
            check(Provider::GitLab, "https://gitlab.example.com/group/project/-/merge_requests/1");
        assert!(r.ok);
        assert_eq!(r.base_url.as_deref(), Some("https://gitlab.example.com"));
        assert_eq!(codes(&r), ["base_url.project_path"]);
        let r = check(
            Provider::BitbucketDataCenter,
            "https://bb.example.com/bitbucket/projects/PRJ/repos/app/browse",
        );
        assert_eq!(r.base_url.as_deref(), Some("https://bb.example.com/bitbucket"));
        let r = check(Provider::GitHub, "https://ghe.example.com/org/repo");
        assert_eq!(r.base_url.as_deref(), Some("https://ghe.example.com"));
    }

    #[test]
    fn resolve_requires_base_for_data_center() {
        let e = resolve_base_url(Provider::BitbucketDataCenter, None).unwrap_err();
        assert_eq!(e.code, Code::BaseUrlRequired);
        assert_eq!(resolve_base_url(Provider::GitLab, None).unwrap().base, "https://gitlab.com");
    }
}
