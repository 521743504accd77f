//! Whether the redirect URI an authorization request sends will be accepted by the provider,
//! given the one registered on the OAuth application.

use url::{Host, Url};

use crate::diagnostic::Diagnostic;
use crate::error::{excerpt, Code};
use crate::host_name::{is_loopback, is_loopback_ip};
use crate::provider::Provider;

/// Checks `requested` against `registered` with the provider's own matching rule:
///
/// - GitLab: the exact same string.
/// - GitHub: same scheme, the registered host or a subdomain of it, the same port, and a path
///   at or below the registered path; a loopback callback (`127.0.0.1`, `[::1]`) matches any port.
/// - Bitbucket Cloud: `requested` starts with `registered`.
/// - Bitbucket Data Center: the exact same string, over https unless on the local machine.
///
/// Returns diagnostics; the URI is accepted when none of them is an error.
pub fn validate_redirect_uri(
    provider: Provider,
    registered: &str,
    requested: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let registered = registered.trim();
    let requested = requested.trim();
    let (Some(reg), Some(req)) =
        (parse("registered", registered, &mut out), parse("requested", requested, &mut out))
    else {
        return out;
    };
    let req_host = req.host().map(|h| h.to_owned());
    let loopback = req_host.as_ref().is_some_and(|h| is_loopback(&borrowed(h)));
    if req.scheme() == "http" && !loopback {
        out.push(if provider == Provider::BitbucketDataCenter {
            Diagnostic::error(
                Code::RedirectUriInsecure,
                "Bitbucket Data Center requires an https redirect URI unless it points at the local machine.",
            )
        } else {
            Diagnostic::warning(
                Code::RedirectUriInsecure,
                "The redirect URI uses plain http: the authorization code travels unencrypted.",
            )
        });
    }
    let accepted = match provider {
        Provider::GitLab | Provider::BitbucketDataCenter => registered == requested,
        Provider::BitbucketCloud => requested.starts_with(registered),
        Provider::GitHub => github_accepts(&reg, &req),
    };
    if !accepted {
        out.push(mismatch(provider, registered, requested, &reg, &req));
    }
    out
}

fn borrowed(host: &Host<String>) -> Host<&str> {
    match host {
        Host::Domain(d) => Host::Domain(d.as_str()),
        Host::Ipv4(a) => Host::Ipv4(*a),
        Host::Ipv6(a) => Host::Ipv6(*a),
    }
}

fn parse(which: &str, input: &str, out: &mut Vec<Diagnostic>) -> Option<Url> {
    match Url::parse(input) {
        Ok(url) if (url.scheme() == "https" || url.scheme() == "http") && url.host().is_some() => {
            if url.fragment().is_some() {
                out.push(Diagnostic::error(
                    Code::RedirectUriFragment,
                    format!("The {which} redirect URI has a `#` part, which OAuth does not allow."),
                ));
                return None;
            }
            Some(url)
        }
        _ => {
            out.push(Diagnostic::error(
                Code::RedirectUriInvalid,
                format!(
                    "The {which} redirect URI `{}` is not an absolute http(s) URL.",
                    excerpt(input)
                ),
            ));
            None
        }
    }
}

/// GitHub's documented rule for OAuth Apps.
fn github_accepts(reg: &Url, req: &Url) -> bool {
    // GitHub documents the any-port rule for loopback IP addresses, not for `localhost`.
    let reg_loopback = reg.host().is_some_and(|h| is_loopback_ip(&h));
    let same_host = match (reg.host(), req.host()) {
        (Some(Host::Domain(r)), Some(Host::Domain(q))) => {
            q == r || q.strip_suffix(r).is_some_and(|prefix| prefix.ends_with('.'))
        }
        (Some(r), Some(q)) => r == q,
        _ => false,
    };
    let same_port = reg_loopback || reg.port_or_known_default() == req.port_or_known_default();
    let reg_path = reg.path();
    let req_path = req.path();
    let path_below = req_path == reg_path
        || (req_path.starts_with(reg_path)
            && (reg_path.ends_with('/') || req_path[reg_path.len()..].starts_with('/')));
    reg.scheme() == req.scheme() && same_host && same_port && path_below
}

fn mismatch(
    provider: Provider,
    registered: &str,
    requested: &str,
    reg: &Url,
    req: &Url,
) -> Diagnostic {
    let strip = |s: &str| s.trim_end_matches('/').to_owned();
    if strip(registered) == strip(requested) {
        let has_slash = if registered.ends_with('/') { "registered" } else { "requested" };
        return Diagnostic::error(
            Code::RedirectUriTrailingSlashMismatch,
            format!("The two redirect URIs differ only by a trailing slash (the {has_slash} one has it); {} compares them character by character.", provider.display_name()),
        )
        .suggest(registered);
    }
    let mut differences = Vec::new();
    if reg.scheme() != req.scheme() {
        differences.push(format!("scheme {} vs {}", reg.scheme(), req.scheme()));
    }
    if reg.host_str() != req.host_str() {
        differences.push(format!(
            "host {} vs {}",
            reg.host_str().unwrap_or(""),
            req.host_str().unwrap_or("")
        ));
    }
    if reg.port_or_known_default() != req.port_or_known_default() {
        let port = |u: &Url| u.port_or_known_default().map_or_else(String::new, |p| p.to_string());
        differences.push(format!("port {} vs {}", port(reg), port(req)));
    }
    if reg.path() != req.path() {
        differences.push(format!("path {} vs {}", reg.path(), req.path()));
    }
    if reg.query() != req.query() {
        differences.push("query".to_owned());
    }
    let rule = match provider {
        Provider::GitLab | Provider::BitbucketDataCenter => "must be exactly the registered one",
        Provider::GitHub => {
            "must use the registered host and port, with a path at or below the registered path"
        }
        Provider::BitbucketCloud => "must start with the consumer's callback URL",
    };
    Diagnostic::error(
        Code::RedirectUriMismatch,
        format!(
            "{}'s redirect URI {rule}; they differ in: {}.",
            provider.display_name(),
            if differences.is_empty() { "their text".to_owned() } else { differences.join(", ") }
        ),
    )
    .suggest(registered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(provider: Provider, registered: &str, requested: &str) -> Vec<&'static str> {
        validate_redirect_uri(provider, registered, requested)
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .collect()
    }

    #[test]
    fn gitlab_is_exact() {
        assert!(
            errors(Provider::GitLab, "https://app.example/cb", "https://app.example/cb").is_empty()
        );
        assert_eq!(
            errors(Provider::GitLab, "https://app.example/cb", "https://app.example/cb/"),
            ["redirect_uri.trailing_slash_mismatch"]
        );
        assert_eq!(
            errors(Provider::GitLab, "https://app.example/cb", "http://app.example/cb"),
            ["redirect_uri.mismatch"]
        );
    }

    #[test]
    fn github_rules() {
        let reg = "https://app.example/path";
        assert!(errors(Provider::GitHub, reg, "https://app.example/path/sub/other").is_empty());
        assert!(errors(Provider::GitHub, reg, "https://oauth.app.example/path").is_empty());
        assert_eq!(
            errors(Provider::GitHub, reg, "https://app.example/bar"),
            ["redirect_uri.mismatch"]
        );
        assert_eq!(
            errors(Provider::GitHub, reg, "https://app.example/pathology"),
            ["redirect_uri.mismatch"]
        );
        assert_eq!(
            errors(Provider::GitHub, reg, "https://app.example:8443/path"),
            ["redirect_uri.mismatch"]
        );
        assert_eq!(
            errors(Provider::GitHub, reg, "https://evilapp.example/path"),
            ["redirect_uri.mismatch"]
        );
        assert!(
            errors(Provider::GitHub, "http://127.0.0.1/cb", "http://127.0.0.1:53817/cb").is_empty()
        );
        assert_eq!(
            errors(Provider::GitHub, "https://app.example/cb/", "https://app.example/cb"),
            ["redirect_uri.trailing_slash_mismatch"]
        );
    }

    #[test]
    fn bitbucket_rules() {
        assert!(errors(
            Provider::BitbucketCloud,
            "https://app.example/cb",
            "https://app.example/cb/bitbucket?x=1"
        )
        .is_empty());
        assert_eq!(
            errors(Provider::BitbucketCloud, "https://app.example/cb/", "https://app.example/cb"),
            ["redirect_uri.trailing_slash_mismatch"]
        );
        assert_eq!(
            errors(Provider::BitbucketDataCenter, "http://app.example/cb", "http://app.example/cb"),
            ["redirect_uri.insecure"]
        );
        assert!(errors(
            Provider::BitbucketDataCenter,
            "http://localhost:3000/cb",
            "http://localhost:3000/cb"
        )
        .is_empty());
    }

    #[test]
    fn malformed() {
        assert_eq!(
            errors(Provider::GitLab, "not a url", "https://x.example/cb"),
            ["redirect_uri.invalid"]
        );
        assert_eq!(
            errors(Provider::GitLab, "https://x.example/cb#frag", "https://x.example/cb"),
            ["redirect_uri.fragment"]
        );
    }
}
