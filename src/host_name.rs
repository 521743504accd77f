//! Which hosts belong to which provider's cloud, and whether a host name can exist at all.

use url::Host;

use crate::provider::Provider;

/// Loopback IP addresses only: the rule some providers apply to "any port" callbacks.
pub(crate) fn is_loopback_ip(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(_) => false,
        Host::Ipv4(address) => address.is_loopback(),
        Host::Ipv6(address) => address.is_loopback(),
    }
}

/// A host as the URL parser left it: domains are lowercase ASCII (IDNA already applied).
pub(crate) fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(domain) => *domain == "localhost" || domain.ends_with(".localhost"),
        Host::Ipv4(address) => address.is_loopback(),
        Host::Ipv6(address) => address.is_loopback(),
    }
}

/// Whether a domain (already IDNA-mapped to ASCII by the URL parser) is a possible DNS host
/// name: labels of 1 to 63 letters, digits and inner hyphens, 253 characters in all. The URL
/// standard accepts far more (`_`, `*`, `!`...), none of which a Git host can be reached under.
pub(crate) fn is_valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// What a known cloud host means for a provider.
pub(crate) enum CloudHost {
    /// The provider's own web host (`github.com`, `gitlab.com`, `bitbucket.org`).
    Web,
    /// The provider's API host (`api.github.com`, `api.bitbucket.org`).
    Api,
    /// GitHub Enterprise Cloud with data residency: `SUB.ghe.com`, with the web host it maps to.
    GheWeb(String),
    /// `api.SUB.ghe.com`, with the web host it maps to.
    GheApi(String),
    /// `ghe.com` or `api.ghe.com` without the enterprise's subdomain.
    GheIncomplete,
    /// Another subdomain of the provider's own domain (`gist.github.com`).
    OtherSubdomain,
}

pub(crate) fn classify_cloud_host(provider: Provider, domain: &str) -> Option<CloudHost> {
    match provider {
        Provider::GitHub => match domain {
            "github.com" | "www.github.com" => Some(CloudHost::Web),
            "api.github.com" => Some(CloudHost::Api),
            "ghe.com" | "api.ghe.com" | "www.ghe.com" => Some(CloudHost::GheIncomplete),
            _ if domain.ends_with(".github.com") => Some(CloudHost::OtherSubdomain),
            _ => {
                let sub = domain.strip_suffix(".ghe.com")?;
                match sub.strip_prefix("api.") {
                    Some(tenant) if is_ghe_tenant(tenant) => {
                        Some(CloudHost::GheApi(format!("{tenant}.ghe.com")))
                    }
                    _ if is_ghe_tenant(sub) => Some(CloudHost::GheWeb(domain.to_owned())),
                    _ => None,
                }
            }
        },
        Provider::GitLab => match domain {
            "gitlab.com" | "www.gitlab.com" => Some(CloudHost::Web),
            _ => None,
        },
        Provider::BitbucketCloud | Provider::BitbucketDataCenter => match domain {
            "bitbucket.org" | "www.bitbucket.org" => Some(CloudHost::Web),
            "api.bitbucket.org" => Some(CloudHost::Api),
            _ => None,
        },
    }
}

/// A data-residency tenant is a single label (`octocorp` in `octocorp.ghe.com`).
fn is_ghe_tenant(label: &str) -> bool {
    !label.is_empty() && !label.contains('.')
}

/// The provider whose cloud this domain is, if it is another provider's.
pub(crate) fn other_provider_cloud(provider: Provider, domain: &str) -> Option<Provider> {
    [Provider::GitHub, Provider::GitLab, Provider::BitbucketCloud]
        .into_iter()
        .filter(|candidate| {
            // Bitbucket Cloud and Data Center share bitbucket.org; that case has its own code.
            !(provider == Provider::BitbucketDataCenter && *candidate == Provider::BitbucketCloud)
        })
        .find(|candidate| {
            *candidate != provider && classify_cloud_host(*candidate, domain).is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert!(is_valid_domain("gitlab.example.com"));
        assert!(is_valid_domain("gitlab"));
        assert!(is_valid_domain("xn--bcher-kva.example"));
        assert!(!is_valid_domain("-bad.example.com"));
        assert!(!is_valid_domain("bad-.example.com"));
        assert!(!is_valid_domain("under_score.example.com"));
        assert!(!is_valid_domain("a..b"));
        assert!(!is_valid_domain(&"a".repeat(64)));
    }
}
