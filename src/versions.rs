//! A self-hosted instance's version, judged twice: against what forgelink needs (the oldest
//! version it works with, a fact of each provider module) and against the provider's own
//! support window (its published release and deprecation dates, where the provider module
//! has them). The second depends on the day, which is the caller's: every judgement takes
//! `now`, never the clock of the machine that built forgelink.

use crate::identity::{minimum_version, parse_timestamp, version_at_least};
use crate::provider::Provider;

/// One feature release of a self-hosted product and its vendor's dates for it, each a
/// `YYYY-MM-DD` day (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerRelease {
    /// `major.minor`, such as `3.14`; its patch releases (`3.14.2`) share its dates.
    pub(crate) version: &'static str,
    /// Its first release candidate.
    pub(crate) release_candidate: &'static str,
    /// General availability: from this day it is a supported release.
    pub(crate) generally_available: &'static str,
    /// From this day the vendor no longer supports it: no more patch releases.
    pub(crate) deprecated: &'static str,
}

impl ServerRelease {
    /// Whether the vendor supports it on the day of `now`.
    fn supported_at(&self, now: i64) -> bool {
        matches!(
            (parse_timestamp(self.generally_available), parse_timestamp(self.deprecated)),
            (Some(from), Some(until)) if from <= now && now < until
        )
    }
}

/// What the provider publishes about its releases' support, oldest first.
fn releases(provider: Provider) -> &'static [ServerRelease] {
    match provider {
        Provider::GitHub => crate::providers::github::SERVER_RELEASES,
        Provider::GitLab | Provider::BitbucketCloud | Provider::BitbucketDataCenter => &[],
    }
}

/// Why forgelink needs [`minimum_version`], where the provider module says.
fn minimum_reason(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::GitHub => Some(crate::providers::github::SERVER_MINIMUM_REASON),
        Provider::GitLab | Provider::BitbucketCloud | Provider::BitbucketDataCenter => None,
    }
}

/// How a version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Older than forgelink works with: the connection fails.
    TooOld {
        /// The oldest version forgelink works with.
        minimum: &'static str,
        /// Why, where known.
        reason: Option<&'static str>,
    },
    /// The vendor no longer supports its feature release: it works, but should be upgraded.
    PastSupport {
        /// The feature release, with the day support ended.
        release: &'static ServerRelease,
        /// The oldest release the vendor supported on that day.
        oldest_then: Option<&'static ServerRelease>,
        /// The oldest release the vendor supports on the day of `now`: the one to upgrade to.
        /// `None` when every release the table knows is past support, so the table is older
        /// than the caller's day.
        oldest_now: Option<&'static ServerRelease>,
    },
    /// Supported by the vendor until the day of `until`.
    Supported {
        /// The feature release.
        release: &'static ServerRelease,
    },
    /// Newer than the newest release whose dates forgelink knows: fine.
    Newer,
    /// Recent enough for forgelink; the vendor's dates for it are not known.
    Unknown,
}

/// Judges `version` on the day of `now` (unix seconds, from the caller's clock).
pub(crate) fn server_support(provider: Provider, version: &str, oauth: bool, now: i64) -> Standing {
    if let Some(minimum) = minimum_version(provider, oauth) {
        if !version_at_least(version, minimum) {
            return Standing::TooOld { minimum, reason: minimum_reason(provider) };
        }
    }
    let table = releases(provider);
    let Some(feature) = feature_release(version) else { return Standing::Unknown };
    if table.last().and_then(|r| feature_release(r.version)).is_some_and(|newest| feature > newest)
    {
        return Standing::Newer;
    }
    let Some(release) = table.iter().find(|r| feature_release(r.version) == Some(feature)) else {
        return Standing::Unknown;
    };
    match parse_timestamp(release.deprecated) {
        Some(end) if now >= end => Standing::PastSupport {
            release,
            oldest_then: oldest_supported(table, end),
            oldest_now: oldest_supported(table, now),
        },
        _ => Standing::Supported { release },
    }
}

/// The oldest release the vendor supports on the day of `now`.
fn oldest_supported(table: &'static [ServerRelease], now: i64) -> Option<&'static ServerRelease> {
    table.iter().find(|r| r.supported_at(now))
}

/// `3.14.2` or `3.14.2-rc1` → (3, 14); anything without two numbers → `None`.
fn feature_release(version: &str) -> Option<(u64, u64)> {
    let digits = version.trim().split(|c: char| !c.is_ascii_digit() && c != '.').next()?;
    let mut parts = digits.split('.').map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??))
}

/// The day of `now`, `YYYY-MM-DD`.
pub(crate) fn day(now: i64) -> String {
    crate::polling::rfc3339(now).get(..10).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str) -> i64 {
        parse_timestamp(day).unwrap()
    }

    fn version(standing: Standing) -> Option<&'static str> {
        match standing {
            Standing::PastSupport { release, .. } | Standing::Supported { release } => {
                Some(release.version)
            }
            _ => None,
        }
    }

    /// GitHub's dates (github/docs enterprise-dates.json): 3.14 and 3.15 were deprecated on
    /// 2026-04-23, 3.16 on 2026-06-25, 3.19 on 2026-12-09, and 3.20 is supported until
    /// 2027-03-17; judged on the caller's day, before and after.
    #[test]
    fn github_deprecation_follows_the_callers_day() {
        let judge = |v: &str, day: &str| server_support(Provider::GitHub, v, true, at(day));
        let second_before = |day: &str| at(day) - 1;

        // 3.14.2 the day before its deprecation and from the first second of it.
        let before = server_support(Provider::GitHub, "3.14.2", true, second_before("2026-04-23"));
        assert!(matches!(before, Standing::Supported { .. }), "{before:?}");
        let Standing::PastSupport { release, oldest_then, oldest_now } =
            judge("3.14.2", "2026-04-23")
        else {
            panic!("3.14 is deprecated on 2026-04-23");
        };
        assert_eq!(release.deprecated, "2026-04-23");
        // 3.15 went the same day, so 3.16 was the oldest one left.
        assert_eq!(oldest_then.map(|r| r.version), Some("3.16"));
        assert_eq!(oldest_now.map(|r| r.version), Some("3.16"));

        // Later in 2026 the oldest supported release has moved on with the caller's clock.
        let Standing::PastSupport { oldest_then, oldest_now, .. } = judge("3.14.0", "2026-11-01")
        else {
            panic!("still deprecated");
        };
        assert_eq!(oldest_then.map(|r| r.version), Some("3.16"));
        assert_eq!(oldest_now.map(|r| r.version), Some("3.19"));

        // 3.19 is supported until 2026-12-09, then not.
        assert!(matches!(judge("3.19.1", "2026-12-08"), Standing::Supported { .. }));
        assert!(matches!(judge("3.19.1", "2026-12-09"), Standing::PastSupport { .. }));
        // 3.20 until 2027-03-17.
        assert_eq!(version(judge("3.20.0", "2027-03-16")), Some("3.20"));
        assert!(matches!(judge("3.20.0", "2027-03-16"), Standing::Supported { .. }));
        assert!(matches!(judge("3.20.0", "2027-03-17"), Standing::PastSupport { .. }));
    }

    /// Only what forgelink needs fails; past GitHub's support is a warning, and a release
    /// newer than the table is fine.
    #[test]
    fn github_minimum_and_newer_releases() {
        let judge = |v: &str| server_support(Provider::GitHub, v, true, at("2026-12-07"));
        let too_old = judge("3.10.9");
        assert!(
            matches!(too_old, Standing::TooOld { minimum: "3.11", reason: Some(_) }),
            "{too_old:?}"
        );
        assert!(matches!(judge("2.22.0"), Standing::TooOld { .. }));
        assert!(matches!(judge("3.11.0"), Standing::PastSupport { .. }));
        assert!(matches!(judge("3.24.0"), Standing::Newer));
        assert!(matches!(judge("4.0.0"), Standing::Newer));
        assert!(matches!(judge("3.23.0"), Standing::Supported { .. }));
    }

    /// When the caller's day is past every date the table knows, no release is named to
    /// upgrade to, rather than one that is itself past support.
    #[test]
    fn a_stale_table_names_no_upgrade_target() {
        let Standing::PastSupport { oldest_now, .. } =
            server_support(Provider::GitHub, "3.23.0", true, at("2030-01-01"))
        else {
            panic!("3.23 is past support in 2030");
        };
        assert_eq!(oldest_now, None);
    }

    #[test]
    fn other_providers_have_no_dates_yet() {
        let now = at("2026-12-07");
        assert_eq!(server_support(Provider::GitLab, "17.5.1-ee", true, now), Standing::Unknown);
        assert!(matches!(
            server_support(Provider::GitLab, "8.17.8", true, now),
            Standing::TooOld { minimum: "9.0", .. }
        ));
    }

    #[test]
    fn feature_releases() {
        assert_eq!(feature_release("3.14.2"), Some((3, 14)));
        assert_eq!(feature_release("3.14.2-rc1"), Some((3, 14)));
        assert_eq!(feature_release(" 3.9 "), Some((3, 9)));
        assert_eq!(feature_release("3"), None);
        assert_eq!(feature_release("enterprise"), None);
        assert_eq!(feature_release("99999999999999999999999.1"), None);
        assert_eq!(day(at("2026-04-23") + 86_399), "2026-04-23");
    }
}
