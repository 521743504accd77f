//! A webhook made by hand: when the connected account may not manage a repository's hooks
//! (Bitbucket Data Center without admin rights, most often), an administrator creates it in
//! the provider's settings page with the URL, the secret and the events forgelink gives.

use std::fmt;

use serde::Serialize;

use crate::endpoints::endpoints;
use crate::error::{excerpt, Code, Error};
use crate::profiles::profile;
use crate::provider::Provider;
use crate::providers::bitbucket_data_center;
use crate::secret::{Redacted, WebhookSecret};

/// What an administrator pastes to create a hook by hand (Bitbucket Data Center without
/// admin rights).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ManualSetup {
    /// The URL to deliver to.
    pub url: String,
    /// The secret to paste (freshly generated; keep it to verify the deliveries).
    pub secret: String,
    /// The events to tick, in the provider's spelling.
    pub events: Vec<String>,
    /// Where to click, in order.
    pub steps: Vec<String>,
}

/// Redacts the secret.
impl fmt::Debug for ManualSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualSetup")
            .field("url", &self.url)
            .field("secret", &Redacted)
            .field("events", &self.events)
            .field("steps", &self.steps)
            .finish()
    }
}

/// The setup of a hook on `project` delivering to `url`, with the events `profile` needs and
/// `secret` (draw it from a secure random source; forgelink's flows draw 32 bytes).
pub fn manual_webhook_setup(
    provider: Provider,
    base_url: Option<&str>,
    project: &str,
    url: &str,
    profile_id: &str,
    secret: &WebhookSecret,
) -> Result<ManualSetup, Error> {
    let web = endpoints(provider, base_url)?.web;
    let needs = profile(profile_id)?.for_provider(provider);
    let events: Vec<String> = needs.webhook_events.iter().map(|n| n.name.to_owned()).collect();
    let project = project.trim().trim_matches('/');
    if project.is_empty() || project.split('/').any(str::is_empty) {
        return Err(Error::new(
            Code::RepositoryInvalidPath,
            format!("`{}` is not a repository path.", excerpt(project)),
        )
        .for_provider(provider));
    }
    let steps = steps(provider, &web, project, url, &events);
    Ok(ManualSetup { url: url.to_owned(), secret: secret.secret().to_owned(), events, steps })
}

/// GitLab's settings page names its trigger flags in words.
fn gitlab_label(flag: &str) -> String {
    let words = flag
        .trim_end_matches("_events")
        .replace('_', " ")
        .replace("merge requests", "merge request");
    let mut label = format!("{words} events");
    label[..1].make_ascii_uppercase();
    label
}

fn steps(
    provider: Provider,
    web: &str,
    project: &str,
    url: &str,
    events: &[String],
) -> Vec<String> {
    let listed = |events: &[String]| events.join(", ");
    match provider {
        Provider::GitHub => vec![
            format!("Open {web}/{project}/settings/hooks/new (Settings → Webhooks → Add webhook) as a repository administrator."),
            format!("Paste the Payload URL {url}"),
            "Set Content type to application/json.".to_owned(),
            "Paste the secret shown here into Secret.".to_owned(),
            format!("Choose Let me select individual events and tick: {}.", listed(events)),
            "Keep SSL verification enabled and Active ticked, then select Add webhook.".to_owned(),
        ],
        Provider::GitLab => vec![
            format!("Open {web}/{project}/-/hooks (Settings → Webhooks) as a Maintainer or Owner, and select Add new webhook."),
            format!("Paste the URL {url}"),
            "Paste the secret shown here into Secret token.".to_owned(),
            format!(
                "Under Trigger, tick: {}.",
                events.iter().map(|e| gitlab_label(e)).collect::<Vec<_>>().join(", ")
            ),
            "Keep Enable SSL verification ticked, then select Add webhook.".to_owned(),
        ],
        Provider::BitbucketCloud => vec![
            format!("Open {web}/{project}/admin/webhooks (Repository settings → Webhooks) as a repository administrator, and select Add webhook."),
            format!("Name it forgelink and paste the URL {url}"),
            "Paste the secret shown here into Secret.".to_owned(),
            format!("Under Triggers, choose from a full list and tick: {}.", listed(events)),
            "Keep Active ticked and certificate verification on, then select Save.".to_owned(),
        ],
        Provider::BitbucketDataCenter => {
            let (key, slug) = project.split_once('/').unwrap_or((project, ""));
            vec![
                format!("Open {web}/plugins/servlet/webhooks/projects/{key}/repos/{slug} (Repository settings → Webhooks) as a repository or project administrator."),
                "Select Create webhook and name it forgelink.".to_owned(),
                format!("Paste the URL {url}"),
                "Paste the secret shown here into Secret.".to_owned(),
                format!("Tick the events: {}.", listed(events)),
                "Keep SSL certificate verification on, then select Save.".to_owned(),
                bitbucket_data_center::NO_BUILD_STATUS_EVENT.to_owned(),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(provider: Provider, base: Option<&str>, project: &str) -> Result<ManualSetup, Error> {
        let secret = WebhookSecret::new("s3cret");
        manual_webhook_setup(
            provider,
            base,
            project,
            "https://app.example/hooks",
            "ci-failure-analysis",
            &secret,
        )
    }

    #[test]
    fn every_provider_has_steps_with_the_url_secret_and_events() {
        for (provider, base) in [
            (Provider::GitHub, None),
            (Provider::GitLab, Some("https://example.com/gitlab/")),
            (Provider::BitbucketCloud, None),
            (Provider::BitbucketDataCenter, Some("https://bb.example.com/ctx")),
        ] {
            let s = setup(provider, base, "PROJ/repo").unwrap();
            assert_eq!(
                (s.url.as_str(), s.secret.as_str()),
                ("https://app.example/hooks", "s3cret")
            );
            assert!(!s.events.is_empty(), "{provider:?}");
            assert!(s.steps.iter().any(|step| step.contains("https://app.example/hooks")));
            assert!(s.steps.iter().any(|step| step.contains("secret")));
        }
        let gitlab =
            setup(Provider::GitLab, Some("https://example.com/gitlab"), "g/sub/p").unwrap();
        assert!(gitlab.steps[0].starts_with("Open https://example.com/gitlab/g/sub/p/-/hooks "));
        assert!(gitlab.steps[3].contains("Pipeline events"), "{:?}", gitlab.steps);
        assert!(gitlab.steps[3].contains("Merge request events"), "{:?}", gitlab.steps);
        let dc =
            setup(Provider::BitbucketDataCenter, Some("https://bb.example.com/ctx"), "PROJ/repo")
                .unwrap();
        assert!(dc.steps[0].contains(
            "https://bb.example.com/ctx/plugins/servlet/webhooks/projects/PROJ/repos/repo"
        ));
        // Atlassian's Data Center event list (confluence.atlassian.com/bitbucketserver/
        // event-payload-938025882.html) has no build-status event: the setup says so and
        // points to polling.
        let last = dc.steps.last().unwrap();
        assert!(last.contains("no build-status webhook") && last.contains("polls"), "{last}");
        assert!(!dc.events.iter().any(|e| e.contains("build")));
    }

    #[test]
    fn bad_inputs_are_coded() {
        assert_eq!(
            setup(Provider::GitHub, None, "a//b").unwrap_err().code,
            Code::RepositoryInvalidPath
        );
        assert_eq!(
            setup(Provider::GitHub, None, " ").unwrap_err().code,
            Code::RepositoryInvalidPath
        );
        assert_eq!(
            setup(Provider::BitbucketDataCenter, None, "P/r").unwrap_err().code,
            Code::BaseUrlRequired
        );
        let secret = WebhookSecret::new("s");
        let unknown =
            manual_webhook_setup(Provider::GitHub, None, "a/b", "https://x", "nope", &secret);
        assert_eq!(unknown.unwrap_err().code, Code::ProfileUnknown);
    }
}
