use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Code, Error};

/// A Git hosting product. Each deployment of it (cloud or self-hosted) shares its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "ProviderId"))]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// GitHub: github.com, Enterprise Server, and Enterprise Cloud with data residency (`SUB.ghe.com`).
    #[serde(rename = "github")]
    GitHub,
    /// GitLab: gitlab.com, self-managed and Dedicated, possibly under a relative URL root.
    #[serde(rename = "gitlab")]
    GitLab,
    /// Bitbucket Cloud (bitbucket.org).
    BitbucketCloud,
    /// Bitbucket Data Center (and the older Bitbucket Server), possibly under a context path.
    BitbucketDataCenter,
}

impl Provider {
    /// Every provider, in a stable order.
    pub const ALL: [Provider; 4] = [
        Provider::GitHub,
        Provider::GitLab,
        Provider::BitbucketCloud,
        Provider::BitbucketDataCenter,
    ];

    /// The stable identifier: `github`, `gitlab`, `bitbucket-cloud` or `bitbucket-data-center`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::GitHub => "github",
            Provider::GitLab => "gitlab",
            Provider::BitbucketCloud => "bitbucket-cloud",
            Provider::BitbucketDataCenter => "bitbucket-data-center",
        }
    }

    /// The name a person reads.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::GitHub => "GitHub",
            Provider::GitLab => "GitLab",
            Provider::BitbucketCloud => "Bitbucket Cloud",
            Provider::BitbucketDataCenter => "Bitbucket Data Center",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Provider {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(|e: Error| serde::de::Error::custom(e.message))
    }
}

impl FromStr for Provider {
    type Err = Error;

    /// Accepts the stable identifiers, case-insensitively, and the common aliases
    /// `bitbucket` (Cloud) and `bitbucket-server` (Data Center).
    fn from_str(input: &str) -> Result<Self, Error> {
        let lowered = input.trim().to_ascii_lowercase();
        match lowered.as_str() {
            "github" => Ok(Provider::GitHub),
            "gitlab" => Ok(Provider::GitLab),
            "bitbucket-cloud" | "bitbucket" => Ok(Provider::BitbucketCloud),
            "bitbucket-data-center" | "bitbucket-server" => Ok(Provider::BitbucketDataCenter),
            _ => Err(Error::new(
                Code::ProviderUnknown,
                format!(
                    "`{}` is not a provider forgelink knows; use github, gitlab, bitbucket-cloud or bitbucket-data-center",
                    crate::error::excerpt(input)
                ),
            )),
        }
    }
}

/// Who runs the instance: the provider (`github.com`, `SUB.ghe.com`, `gitlab.com`,
/// `bitbucket.org`) or the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Deployment {
    /// Run by the provider: github.com, `SUB.ghe.com`, gitlab.com, bitbucket.org.
    Cloud,
    /// Run by the customer (or for them, as GitLab Dedicated): its own host name.
    SelfHosted,
}

impl Deployment {
    /// `cloud` or `self-hosted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Deployment::Cloud => "cloud",
            Deployment::SelfHosted => "self-hosted",
        }
    }
}
