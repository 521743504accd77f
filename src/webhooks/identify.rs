use serde::Serialize;

use crate::error::{Code, Error};
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, github, gitlab};
use crate::webhooks::header;

/// Who sent a delivery and which one it is, from its headers alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WebhookIdentity {
    /// The provider.
    pub provider: Provider,
    /// The provider's event name (`push`, `Pipeline Hook`, `repo:push`, `pr:opened`).
    pub event: String,
    /// The delivery's id. GitHub repeats it on redelivery; GitLab's `Idempotency-Key` (17.4+)
    /// repeats on retry.
    pub delivery_id: Option<String>,
    /// The hook's id, where the provider sends it. Bitbucket Cloud's `X-Hook-UUID` is read
    /// without braces and in lower case (its hooks API writes the same UUID as `{uuid}`).
    pub hook_id: Option<String>,
}

/// Tells the provider, event, delivery and hook from a delivery's headers (names in any case).
///
/// Gitea and Forgejo also send GitHub's headers; their own headers are checked first, so they
/// are reported as `webhook.unsupported_provider` rather than mistaken for GitHub.
pub fn identify_webhook(headers: &[(String, String)]) -> Result<WebhookIdentity, Error> {
    for (own, forge) in
        [("X-Forgejo-Event", "Forgejo"), ("X-Gitea-Event", "Gitea"), ("X-Gogs-Event", "Gogs")]
    {
        if header(headers, own).is_some() {
            return Err(Error::new(
                Code::WebhookUnsupportedProvider,
                format!(
                    "This delivery comes from {forge} ({own}), which forgelink does not support."
                ),
            ));
        }
    }
    let identity =
        |provider, event: &str, delivery: Option<&str>, hook: Option<&str>| WebhookIdentity {
            provider,
            event: event.to_owned(),
            delivery_id: delivery.map(str::to_owned),
            hook_id: hook.map(str::to_owned),
        };
    if let Some(event) = header(headers, github::EVENT_HEADER) {
        return Ok(identity(
            Provider::GitHub,
            event,
            header(headers, github::DELIVERY_HEADER),
            header(headers, github::HOOK_ID_HEADER),
        ));
    }
    if let Some(event) = header(headers, gitlab::EVENT_HEADER) {
        let delivery = gitlab::DELIVERY_ID_HEADERS.iter().find_map(|name| header(headers, name));
        return Ok(identity(
            Provider::GitLab,
            event,
            delivery,
            header(headers, gitlab::HOOK_ID_HEADER),
        ));
    }
    if let Some(event) = header(headers, bitbucket_cloud::EVENT_HEADER) {
        // Bitbucket Cloud sends X-Request-UUID and X-Hook-UUID; Data Center sends X-Request-Id.
        let hook = header(headers, bitbucket_cloud::HOOK_ID_HEADER)
            .map(bitbucket_cloud::bare_hook_uuid)
            .filter(|h| !h.is_empty());
        let cloud = |delivery: Option<&str>| WebhookIdentity {
            hook_id: hook.clone(),
            ..identity(Provider::BitbucketCloud, event, delivery, None)
        };
        if let Some(request) = header(headers, bitbucket_cloud::DELIVERY_HEADER) {
            return Ok(cloud(Some(request)));
        }
        if hook.is_some() {
            return Ok(cloud(None));
        }
        return Ok(identity(
            Provider::BitbucketDataCenter,
            event,
            header(headers, bitbucket_data_center::DELIVERY_HEADER),
            None,
        ));
    }
    Err(Error::new(
        Code::WebhookUnknownProvider,
        "No X-GitHub-Event, X-Gitlab-Event or X-Event-Key header: this is not a delivery forgelink knows.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn providers_are_told_apart() {
        let gh = identify_webhook(&headers(&[
            ("x-github-event", "push"),
            ("X-GITHUB-DELIVERY", "d1"),
            ("X-GitHub-Hook-ID", "7"),
        ]))
        .unwrap();
        assert_eq!(
            (gh.provider, gh.event.as_str(), gh.delivery_id.as_deref(), gh.hook_id.as_deref()),
            (Provider::GitHub, "push", Some("d1"), Some("7"))
        );
        let gl = identify_webhook(&headers(&[
            ("X-Gitlab-Event", "Job Hook"),
            ("X-Gitlab-Event-UUID", "u"),
            ("Idempotency-Key", "k"),
        ]))
        .unwrap();
        assert_eq!((gl.provider, gl.delivery_id.as_deref()), (Provider::GitLab, Some("k")));
        let bbc = identify_webhook(&headers(&[
            ("X-Event-Key", "repo:push"),
            ("X-Request-UUID", "r"),
            ("X-Hook-UUID", "h"),
        ]))
        .unwrap();
        assert_eq!(bbc.provider, Provider::BitbucketCloud);
        // The UUID its hooks API writes as {908a6d9e-...}, compared without braces or case.
        for sent in [
            "908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11",
            "{908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11}",
            "908A6D9E-0F3C-4B61-9B1E-2F1C0C7A5D11",
        ] {
            let bbc = identify_webhook(&headers(&[
                ("X-Event-Key", "repo:push"),
                ("X-Request-UUID", "afe4b9d0-a4fb-4e0f-8d13-c2c5e5a2b1f0"),
                ("X-Hook-UUID", sent),
            ]))
            .unwrap();
            assert_eq!(bbc.hook_id.as_deref(), Some("908a6d9e-0f3c-4b61-9b1e-2f1c0c7a5d11"));
        }
        let dc = identify_webhook(&headers(&[("X-Event-Key", "pr:opened"), ("X-Request-Id", "r")]))
            .unwrap();
        assert_eq!(dc.provider, Provider::BitbucketDataCenter);
        let gitea =
            identify_webhook(&headers(&[("X-GitHub-Event", "push"), ("X-Gitea-Event", "push")]))
                .unwrap_err();
        assert_eq!(gitea.code, Code::WebhookUnsupportedProvider);
        assert_eq!(identify_webhook(&[]).unwrap_err().code, Code::WebhookUnknownProvider);
    }
}
