//! What to do about each code: the catalog behind [`troubleshoot`]. It is data; tests check
//! that every code has an entry with steps, for every provider.

use serde::Serialize;

use crate::error::Code;
use crate::provider::Provider;
use crate::providers::{bitbucket_cloud, bitbucket_data_center, gitlab};

/// What a code means, and the steps a person can follow to fix what it reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Guidance {
    /// The code this guidance explains.
    pub code: Code,
    /// A short title.
    pub title: &'static str,
    /// What it means, in one or two sentences.
    pub summary: &'static str,
    /// What to do, in order; provider-specific steps (menu paths, role names) come first.
    pub steps: Vec<&'static str>,
    /// The provider's documentation on the subject, when there is a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub docs_url: Option<&'static str>,
}

struct Entry {
    title: &'static str,
    summary: &'static str,
    steps: &'static [&'static str],
    docs: Option<&'static str>,
    specific: &'static [Specific],
}

/// Steps and documentation that hold for one provider only.
struct Specific {
    provider: Provider,
    steps: &'static [&'static str],
    docs: Option<&'static str>,
}

const fn entry(
    title: &'static str,
    summary: &'static str,
    steps: &'static [&'static str],
) -> Entry {
    Entry { title, summary, steps, docs: None, specific: &[] }
}

impl Entry {
    const fn docs(mut self, url: &'static str) -> Self {
        self.docs = Some(url);
        self
    }

    const fn specific(mut self, specific: &'static [Specific]) -> Self {
        self.specific = specific;
        self
    }
}

/// A struct literal rather than a `const fn`, so that `&[on!(...)]` is promoted to a static.
macro_rules! on {
    ($provider:expr, $steps:expr, $docs:expr) => {
        Specific { provider: $provider, steps: $steps, docs: $docs }
    };
}

use Provider::{BitbucketCloud as BBC, BitbucketDataCenter as BBDC, GitHub as GH, GitLab as GL};

const GH_OAUTH_APP: &str =
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app";
const GH_AUTHORIZING: &str =
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps";
const GH_AUTH_ERRORS: &str = "https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors";
const GH_TOKEN_ERRORS: &str = "https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";
const GH_SCOPES: &str =
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps";
const GH_REST_404: &str = "https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource";
const GH_RELEASES: &str = "https://docs.github.com/en/enterprise-server@latest/admin/all-releases";
const GL_OAUTH: &str = "https://docs.gitlab.com/api/oauth2/";
const GL_APPS: &str = "https://docs.gitlab.com/integration/oauth_provider/";
const GL_SCOPES: &str = gitlab::SCOPES_SOURCE;
const GL_ROLES: &str = "https://docs.gitlab.com/user/permissions/";
const GL_RELATIVE: &str = "https://docs.gitlab.com/install/relative_url/";
const BBC_OAUTH: &str =
    "https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/";
const BBC_SCOPES: &str = bitbucket_cloud::CONSUMER_SCOPES_SOURCE;
const BBDC_LINKS: &str =
    "https://confluence.atlassian.com/bitbucketserver/configure-an-incoming-link-1108483657.html";
const BBDC_SCOPES: &str = bitbucket_data_center::SCOPES_SOURCE;
const OAUTH_RFC: &str = "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1";

const FIX_THE_APP: &[Specific] = &[
    on!(GH, &["Open Settings → Developer settings → OAuth Apps (on Enterprise Server, the same menu on your instance) and open the application."], Some(GH_OAUTH_APP)),
    on!(GL, &["Open the application under User settings → Applications (or Group settings → Applications, or Admin area → Applications for an instance-wide one)."], Some(GL_APPS)),
    on!(BBC, &["Open Workspace settings → OAuth consumers and edit the consumer."], Some(BBC_OAUTH)),
    on!(BBDC, &["Open Administration → Application links, find the external application (direction Incoming) and edit it."], Some(BBDC_LINKS)),
];

const SCOPE_HELP: &[Specific] = &[
    on!(GH, &["On GitHub scopes are asked for in the authorization request; check the list against the scope catalog (GitHub Apps ignore scopes: set the App's permissions instead)."], Some(GH_SCOPES)),
    on!(GL, &["On GitLab the application's ticked scopes must include every scope the request asks for: open the application and tick them."], Some(GL_SCOPES)),
    on!(BBC, &["On Bitbucket Cloud the permissions are fixed on the OAuth consumer: Workspace settings → OAuth consumers → Edit, tick the permissions the profile lists, save, then connect again."], Some(BBC_SCOPES)),
    on!(BBDC, &["On Bitbucket Data Center an administrator picks the permissions of the incoming link: Administration → Application links → Edit → Permissions."], Some(BBDC_SCOPES)),
];

/// New credentials for a connection must act as its account on its instance.
const OTHER_ACCOUNT: &str =
    "The new credentials are for another account or instance; nothing changed.";
const OTHER_ACCOUNT_STEPS: &[&str] =
    &["Create the token as the connected account, on its instance."];

const APP_INSTALL_AGAIN: &str = "Install the app again from the product.";

fn entry_for(code: Code) -> Entry {
    match code {
        Code::BaseUrlEmpty => entry("Instance address needed", "forgelink needs the address of the instance to connect to.", &[
            "Type the address you open in a browser to reach the instance, such as https://gitlab.example.com.",
            "For the cloud services, choose the cloud deployment instead: no address is needed.",
        ]),
        Code::BaseUrlMissingScheme => entry("Add https:// in front", "An instance address starts with https:// (or http:// for a test instance), so that forgelink knows how to reach it.", &[
            "Put https:// in front of the address, or use the suggestion.",
        ]),
        Code::BaseUrlUnsupportedScheme => entry("Use the web address, not a clone address", "ssh://, git:// and git@host:path addresses are for Git itself; the connection is made over the web address.", &[
            "Open the instance in a browser and copy the address from the address bar, or use the suggestion.",
        ]),
        Code::BaseUrlInsecureHttp => entry("Plain http is not encrypted", "Tokens and authorization codes sent over http can be read by anyone on the network path.", &[
            "Use https:// if the instance serves it (the suggestion tries that).",
            "Keep http only for a test instance on a trusted network.",
        ]).specific(&[
            on!(GL, &["GitLab serves https once external_url starts with https:// in /etc/gitlab/gitlab.rb and `gitlab-ctl reconfigure` has run."], Some("https://docs.gitlab.com/omnibus/settings/ssl/")),
        ]),
        Code::BaseUrlTrailingSlash => entry("Trailing slash removed", "A trailing slash makes redirect URIs and API addresses differ by one character, which providers reject; forgelink removed it.", &[
            "Nothing to do: the address was normalised. Use the normalised form wherever you type it again.",
        ]),
        Code::BaseUrlCredentials => entry("Remove the user name and password", "Credentials in an address end up in logs and browser history; forgelink never uses them.", &[
            "Remove the part before @ from the address (the suggestion does it).",
            "If a password was pasted, consider it exposed and change it.",
        ]),
        Code::BaseUrlQueryOrFragment => entry("Remove the ? or # part", "An instance address has no query string or fragment; they come from a page inside the instance.", &[
            "Use the address without the part from ? or # on (the suggestion).",
        ]),
        Code::BaseUrlApiPath => entry("API path removed", "The address pasted was the API's; forgelink asks for the web address and derives every API address from it.", &[
            "Nothing to do: forgelink used the web address shown.",
        ]).specific(&[
            on!(GH, &["For Enterprise Server, the web address is https://HOST; the API is https://HOST/api/v3. For ghe.com, the web address is https://SUB.ghe.com and the API https://api.SUB.ghe.com."], None),
            on!(GL, &["GitLab's API lives at the web address plus /api/v4 (after the relative URL root, if any)."], Some(GL_RELATIVE)),
        ]),
        Code::BaseUrlProjectPath => entry("Project path removed", "The address pointed at a project, repository or page; the connection is made to the whole instance.", &[
            "Check the normalised address; projects are chosen after connecting.",
            "If the instance lives under a path (a GitLab relative URL root, a Bitbucket context path), type the address up to and including that path.",
        ]).specific(&[
            on!(GL, &["A GitLab instance under a relative URL root looks like https://example.com/gitlab: type that, not a group or project address."], Some(GL_RELATIVE)),
        ]),
        Code::BaseUrlWhitespace => entry("Remove spaces and line breaks", "Spaces or line breaks inside an address usually come from copying it across two lines.", &[
            "Use the suggestion, which removes them, and check the result.",
        ]),
        Code::BaseUrlInvalidHost => entry("The host name cannot exist", "Host names are letters, digits, dots and inner hyphens (internationalised names are converted); IP addresses need the right form.", &[
            "Copy the address from the browser's address bar while you are on the instance.",
            "Write IPv6 addresses in brackets, such as https://[2001:db8::1].",
        ]),
        Code::BaseUrlInvalidPort => entry("The port is not valid", "A port is a number from 1 to 65535 after the host name, and the cloud services use the standard one.", &[
            "Remove the port or correct it; the cloud services need none.",
        ]),
        Code::BaseUrlWrongProvider => entry("That address belongs to another provider", "The host is another provider's cloud service.", &[
            "Choose the provider the address belongs to, or type your own instance's address.",
        ]),
        Code::BaseUrlCloudHost => entry("That is Bitbucket Cloud", "bitbucket.org is Bitbucket Cloud, which has its own OAuth and API; Bitbucket Data Center is a server you run.", &[
            "Choose Bitbucket Cloud, or type the address of your own Bitbucket server.",
        ]),
        Code::BaseUrlNotCloud => entry("Bitbucket Cloud lives at bitbucket.org", "Bitbucket Cloud has one address; a Bitbucket server of your own is Bitbucket Data Center.", &[
            "Choose Bitbucket Data Center for your own server, or leave the address empty for Bitbucket Cloud.",
        ]),
        Code::BaseUrlRequired => entry("Instance address needed", "This deployment has no default address.", &[
            "Give the base URL of the instance, such as https://bitbucket.example.com.",
        ]),
        Code::RedirectUriInvalid => entry("The redirect URI is not a full URL", "A redirect URI is an absolute https URL, such as https://app.example.com/oauth/callback.", &[
            "Copy the redirect URI the product shows, including https://.",
        ]),
        Code::RedirectUriFragment => entry("Remove the # part of the redirect URI", "OAuth forbids fragments in redirect URIs (RFC 6749, 3.1.2).", &[
            "Register and send the redirect URI without the part from # on.",
        ]),
        Code::RedirectUriInsecure => entry("Use an https redirect URI", "A redirect URI over plain http exposes the authorization code on the network.", &[
            "Use https for the redirect URI; http is acceptable only for 127.0.0.1 or localhost.",
        ]).specific(&[
            on!(BBDC, &["Bitbucket Data Center refuses http redirect URLs unless its administrator turned the https requirement off (feature.oauth2.provider.https.required)."], Some(BBDC_LINKS)),
        ]),
        Code::RedirectUriMismatch => entry("The redirect URI does not match the application", "Providers compare the redirect URI of the request with the one registered on the OAuth application; a different scheme, host, port or path is refused.", &[
            "Copy the redirect URI the product shows and paste it into the application's settings, replacing what is there.",
            "Check the scheme (http vs https), the port and every character of the path.",
        ]).specific(&[
            on!(GH, &["GitHub: the Authorization callback URL must have the same host and port; the redirect path may be below it. Edit it under Settings → Developer settings → OAuth Apps."], Some(GH_AUTH_ERRORS)),
            on!(GL, &["GitLab compares the whole redirect URI exactly; edit the Redirect URI of the application (one URI per line)."], Some(GL_APPS)),
            on!(BBC, &["Bitbucket Cloud requires the redirect URL to start with the consumer's Callback URL; edit it under Workspace settings → OAuth consumers."], Some(BBC_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center compares the Redirect URL of the incoming link exactly; edit it under Administration → Application links."], Some(BBDC_LINKS)),
        ]),
        Code::RedirectUriTrailingSlashMismatch => entry("One trailing slash apart", "The redirect URIs differ only by a slash at the end, which providers treat as a different URI.", &[
            "Make both identical: register exactly the URI the product sends, with or without the slash, as the suggestion shows.",
        ]).specific(FIX_THE_APP),
        Code::ScopeUnknown => entry("Unknown scope", "The scope is not one the provider defines, so the provider would refuse or ignore it.", &[
            "Pick scopes from the provider's scope catalog, spelled exactly (they are case-sensitive).",
        ]).specific(&[
            on!(GL, &["offline_access is not a GitLab scope: GitLab returns a refresh token with every authorization code grant, so leave it out."], Some(GL_SCOPES)),
            on!(BBDC, &["Bitbucket Data Center scopes are upper case: PUBLIC_REPOS, REPO_READ, REPO_WRITE, REPO_ADMIN, PROJECT_ADMIN, ADMIN_WRITE, SYSTEM_ADMIN, ACCOUNT_WRITE."], Some(BBDC_SCOPES)),
        ]),
        Code::ScopeNotRequestable => entry("Scopes are set on the consumer", "Bitbucket Cloud ignores scopes in the authorization request: the OAuth consumer's ticked permissions decide.", &[
            "Remove the scopes from the request and tick the permissions on the consumer.",
        ]).specific(SCOPE_HELP),
        Code::ProfileUnknown => entry("Unknown profile", "Profiles are forgelink's use-case presets.", &[
            "Use one of: ci-failure-analysis, deployments, engineering-metrics, secret-sync, secret-scanning, code-correlation.",
        ]),
        Code::ProfileUnsupported => entry("This provider cannot serve that use case", "The provider lacks the feature the profile relies on.", &[
            "Read the profile's note for this provider and choose another way (for example the CI server's own API).",
        ]),
        Code::ProviderUnknown => entry("Unknown provider", "forgelink knows github, gitlab, bitbucket-cloud and bitbucket-data-center.", &[
            "Use one of those identifiers.",
        ]),
        Code::InputInvalid => entry("Invalid argument", "An argument had the wrong type or shape for this call.", &[
            "Check the call against the documented types; the message names the argument.",
        ]),
        Code::InputUnknownCode => entry("Unknown error code", "The code is not in forgelink's catalog.", &[
            "Use errorCodes() (error-codes in the component) for the list of codes.",
        ]),
        Code::InputInsufficientEntropy => entry("Not enough random bytes", "The OAuth state and PKCE verifier are drawn from random bytes the host provides.", &[
            "Pass 64 bytes from a cryptographically secure source (crypto.getRandomValues, getrandom, wasi:random).",
        ]),
        Code::OauthInvalidClientId => entry("Check the client id", "The client id is empty or has spaces in it.", &[
            "Copy the id from the application's page again, without spaces around it.",
        ]).specific(&[
            on!(GH, &["GitHub calls it Client ID (it starts with Ov23 or Iv1. on newer apps)."], Some(GH_OAUTH_APP)),
            on!(GL, &["GitLab calls it Application ID."], Some(GL_APPS)),
            on!(BBC, &["Bitbucket Cloud calls it Key, on the OAuth consumer."], Some(BBC_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center shows a Client ID on the incoming link."], Some(BBDC_LINKS)),
        ]),
        Code::OauthInvalidClient => entry("Wrong application id or secret", "The provider does not recognise the client id, or the secret does not match it.", &[
            "Copy the client id and secret again from the application's page; a secret is shown once, so generate a new one if it was lost.",
            "Check that the application belongs to the same instance as the base URL.",
        ]).specific(&[
            on!(GH, &["GitHub: Settings → Developer settings → OAuth Apps → the app → Generate a new client secret. GitHub reports this as incorrect_client_credentials."], Some(GH_TOKEN_ERRORS)),
            on!(GL, &["GitLab: User settings → Applications → the application → Renew secret; check the application is marked Confidential if a secret is sent."], Some(GL_APPS)),
            on!(BBC, &["Bitbucket Cloud: Workspace settings → OAuth consumers → the consumer shows Key and Secret; the consumer must be a private consumer with a callback URL."], Some(BBC_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center: Administration → Application links → the link → Credentials."], Some(BBDC_LINKS)),
        ]),
        Code::OauthPkceUnsupported => entry("PKCE is not available here", "The provider does not document PKCE for this flow.", &[
            "Authorize without PKCE and keep the client secret on your server, where the code is exchanged.",
        ]).specific(&[
            on!(GH, &["GitHub documents PKCE for github.com and ghe.com, not for Enterprise Server: connect to it without PKCE."], Some(GH_AUTHORIZING)),
        ]),
        Code::OauthInvalidCallback => entry("Not a callback URL", "The value is not the URL the provider redirected the browser to.", &[
            "Pass the full URL of the callback request, including its query string.",
        ]),
        Code::OauthMissingState => entry("The callback has no state", "Without its state, a callback cannot be tied to an authorization this app started, so it could be forged.", &[
            "Start the connection again from the product, not from a bookmarked provider page.",
        ]),
        Code::OauthStateMismatch => entry("The authorization does not match", "The callback's state differs from the one this authorization began with: the page was reloaded, the link was used twice, another tab started a newer attempt, or the request was forged.", &[
            "Start the connection again, in one tab, and finish it within ten minutes.",
            "If it keeps happening, check that the product keeps the pending state (cookies or storage) between the redirect and the callback.",
        ]),
        Code::OauthMissingCode => entry("The callback has no code", "The provider redirected back without an authorization code or an error.", &[
            "Start the connection again; if a proxy rewrites URLs, make sure it keeps the query string.",
        ]),
        Code::OauthDuplicateParameter => entry("Repeated callback parameter", "The callback carries a parameter twice, which a genuine provider never sends; it is refused to prevent mix-up attacks.", &[
            "Start the connection again; check that no proxy appends parameters to the callback URL.",
        ]),
        Code::OauthAccessDenied => entry("The authorization was declined", "The person chose not to authorize the application, or an administrator's policy blocked it.", &[
            "Start the connection again and choose Authorize.",
        ]).specific(&[
            on!(GH, &["If an organization restricts OAuth Apps, an owner must approve the application under Organization settings → Third-party access."], Some(GH_AUTHORIZING)),
            on!(GL, &["An administrator may restrict which applications may be authorized; ask them."], Some(GL_OAUTH)),
            on!(BBC, &["A workspace administrator may need to allow the consumer."], Some(BBC_OAUTH)),
            on!(BBDC, &["The incoming link may be limited to certain users; ask the administrator."], Some(BBDC_LINKS)),
        ]),
        Code::OauthInvalidScope => entry("The provider refused the scopes", "The scopes requested are unknown, not allowed for the application, or (Bitbucket Cloud) missing from the consumer.", &[
            "Compare the requested scopes with those allowed on the application.",
        ]).specific(SCOPE_HELP),
        Code::OauthRedirectUriMismatch => entry("The provider refused the redirect URI", "The redirect URI sent does not match the one registered on the application.", &[
            "Copy the exact redirect URI the product shows into the application's settings.",
        ]).specific(&[
            on!(GH, &["GitHub shows 'The redirect_uri MUST match the registered callback URL for this application.': fix the Authorization callback URL of the OAuth App."], Some(GH_AUTH_ERRORS)),
            on!(GL, &["GitLab shows 'The redirect URI included is not valid.': fix the application's Redirect URI, exactly, character for character."], Some(GL_APPS)),
            on!(BBC, &["Bitbucket Cloud: the consumer's Callback URL must be a prefix of the redirect URL."], Some(BBC_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center: the incoming link's Redirect URL must match exactly."], Some(BBDC_LINKS)),
        ]),
        Code::OauthInvalidGrant => entry("The code or refresh token was refused", "Authorization codes are single use and short-lived; refresh tokens rotate (each works once) and are revoked when the person removes the application.", &[
            "Exchange the code at once after the callback, and only once.",
            "If a refresh failed, check whether another worker already refreshed: read the stored tokens again before giving up.",
            "If neither helps, the person must connect again.",
        ]).specific(&[
            on!(GL, &["GitLab answers invalid_grant when a refresh token was already used (two refreshes racing) or the redirect URI differs from the original one."], Some(GL_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center codes live ten seconds by default: exchange them immediately."], Some(BBDC_LINKS)),
        ]),
        Code::OauthBadVerificationCode => entry("The code is incorrect or expired", "GitHub's codes expire after ten minutes and work once.", &[
            "Start the connection again and finish it without delay.",
        ]).docs(GH_TOKEN_ERRORS),
        Code::OauthAuthorizationPending => entry("Waiting for approval", "The person has not yet approved the device on the provider's page.", &[
            "Keep polling at the interval the provider gave until it approves, denies or the code expires.",
        ]),
        Code::OauthSlowDown => entry("Polling too fast", "The provider asks for longer pauses between polls.", &[
            "Add five seconds to the polling interval and keep polling.",
        ]),
        Code::OauthExpiredToken => entry("The device code expired", "The person did not approve the device in time.", &[
            "Start the device flow again and approve it within its lifetime (15 minutes on GitHub).",
        ]),
        Code::OauthDeviceFlowDisabled => entry("Device flow is off", "The application or instance does not allow the device flow.", &[
            "Enable it, or connect with the browser flow instead.",
        ]).specific(&[
            on!(GH, &["GitHub: Settings → Developer settings → OAuth Apps → the app → tick Enable Device Flow."], Some(GH_AUTHORIZING)),
            on!(GL, &["GitLab: the device flow needs 17.2 or later (on by default from 17.3); on 17.2 an administrator enables the oauth2_device_grant_flow feature flag."], Some(GL_OAUTH)),
        ]),
        Code::OauthDeviceFlowUnsupported => entry("No device flow", "This provider offers no device authorization.", &[
            "Use the browser flow, or an access token.",
        ]),
        Code::OauthUnverifiedUserEmail => entry("Verify the email address first", "GitHub does not issue tokens to accounts whose primary email address is unverified.", &[
            "Verify the primary email under GitHub Settings → Emails, then connect again.",
        ]).docs(GH_TOKEN_ERRORS),
        Code::OauthUnsupportedGrantType => entry("Grant type not accepted", "The provider does not accept this grant for this application.", &[
            "For the device flow, enable it on the application; for refresh, check that the application issues refresh tokens (on GitHub, a GitHub App with expiring user tokens).",
        ]),
        Code::OauthInvalidRequest => entry("The token request was malformed", "A parameter is missing or repeated; often the PKCE verifier does not match the challenge, or the redirect URI differs from the authorization request's.", &[
            "Send the code verifier kept from the authorization request, and the same redirect URI.",
        ]),
        Code::OauthClientSecretRequired => entry("Client secret needed", "This request authenticates the application with its client secret.", &[
            "Paste the client secret the provider showed when the application was registered (or generate a new one there), then connect again.",
        ]),
        Code::OauthRevokeUnsupported => entry("Tokens cannot be revoked through the API", "The provider offers no revocation endpoint for OAuth tokens.", &[
            "Delete the stored tokens, and ask the person to revoke the application's access in their account settings.",
        ]).specific(&[
            on!(BBC, &["Bitbucket Cloud: Personal settings → App authorizations → Revoke."], Some(BBC_OAUTH)),
            on!(BBDC, &["Bitbucket Data Center: Profile → Manage account → Authorized applications → Revoke."], Some(BBDC_LINKS)),
        ]),
        Code::OauthIssuerMismatch => entry("The callback names another issuer", "The provider that answered is not the one this authorization began with (RFC 9207 `iss`): a mix-up attack, or an instance configured with another public address.", &[
            "Start the connection again from this product's own page.",
            "For a self-managed instance, check that its external URL matches the base URL given to forgelink.",
        ]).docs("https://www.rfc-editor.org/rfc/rfc9207"),
        Code::OauthCallbackMismatch => entry("The callback came to the wrong address", "The provider sent the browser back to an origin or path other than the redirect URI this authorization was started with, so the callback was not meant for this flow.", &[
            "Pass connectFinish the full URL the browser was sent to, at the redirect URI registered on the application.",
            "Check that the redirect URI given to connectStart is the address this page is served at.",
        ]),
        Code::OauthSessionMismatch => entry("The callback belongs to another session", "The authorization was started in one browser session and finished in another: a link shared or forged to connect someone else's account to this session.", &[
            "Start the connection again in the browser that will finish it.",
        ]),
        Code::OauthAuthorizationExpired => entry("The authorization took too long", "A connection must be finished within ten minutes of starting it.", &[
            "Start the connection again and approve it on the provider's page without a long pause.",
        ]),
        Code::ConnectionNotFound => entry("No such connection", "No connection is stored under this id: it was disconnected, never finished, or the id is mistyped.", &[
            "Connect the account again.",
        ]),
        Code::ConnectionNeedsReauthorization => entry("Re-authorize", "The provider no longer accepts the connection's refresh token: the person revoked the application, the token expired, or it was used elsewhere.", &[
            "Re-authorize the connection, or replace its token.",
        ]).specific(&[
            on!(GH, &["GitHub App refresh tokens expire after about six months; revoking the app under Settings → Applications ends them at once."], None),
            on!(GL, &["GitLab refresh tokens stop working when the person revokes the application under User settings → Applications → Authorized applications."], Some(GL_OAUTH)),
        ]),
        Code::ConnectionRefreshInProgress => entry("A refresh is still running elsewhere", "Another process holds the refresh lease for this connection and has not finished.", &[
            "Retry in a few seconds; the lease expires by itself if its holder died.",
        ]),
        Code::ConnectionDisconnected => entry("The connection was disconnected", "The connection was removed while this call was under way. Tokens obtained meanwhile were revoked, not stored.", &[
            "Connect the account again if it should stay connected.",
        ]),
        Code::ConnectionLeaseLost => entry("Another process took over the refresh", "This caller's refresh took longer than its lease, so another caller took over; the tokens this caller received were revoked rather than stored, so only one set lives on.", &[
            "Retry: the connection's current token is read from storage.",
            "If this happens often, the token endpoint is slower than the lease allows: check the network between the product and the provider.",
        ]),
        Code::ConnectionAccountMismatch => entry("Another account", OTHER_ACCOUNT, OTHER_ACCOUNT_STEPS),
        Code::ConnectionInstanceMismatch => entry("Another instance", OTHER_ACCOUNT, OTHER_ACCOUNT_STEPS),
        Code::HostRandomFailed => entry("The random source failed", "The host's cryptographically secure random source failed. forgelink draws states, secrets, ids and nonces from it, so it stopped rather than seal anything with predictable bytes.", &[
            "Check that the platform provides crypto.getRandomValues (browsers, Node 20+) or a working WASI random source.",
            "Retry; if it keeps failing, the platform's entropy source is broken.",
        ]),
        // Kept short: every entry ships in the size-budgeted `forgelink` module.
        Code::HostSignFailed => entry("No signer", "The host has no key to sign the app's token with.", &[
            "Pass the app's key: npm `nodeSigner(pem)`, forgelink-host `--key-file`.",
        ]),
        Code::GithubAppJwtRejected => entry("Key refused", "Wrong app id or key, or a clock far off.", &[
            "Check the app id and its private key.",
        ]),
        Code::GithubAppInstallationSuspended => entry("Suspended", "An owner suspended the app.", &[
            "Ask an owner to unsuspend it.",
        ]),
        Code::GithubAppPermissionMissing => entry("Permission missing", "The installation lacks a permission the profile needs.", &[
            "Add it to the app; an owner accepts it.",
        ]),
        Code::GithubAppInstallationNotAccessible => entry("Not yours", "This person cannot reach that installation.", &[APP_INSTALL_AGAIN]),
        Code::StorageFailed => entry("Storage failed", "The host's storage refused a read or write.", &[
            "Check the storage the product uses (disk space, database connection) and retry.",
        ]),
        Code::StorageCorrupt => entry("A stored record cannot be read", "It was encrypted with another key (the key changed or differs between servers) or it was altered.", &[
            "Use the same encryption key on every server that shares the storage.",
            "If the key was lost, connect the account again.",
        ]),
        Code::NetworkTimeout => entry("The instance did not answer in time", "The request timed out: the instance is slow, overloaded, or a firewall drops the traffic silently.", &[
            "Open the base URL in a browser from the network the product runs in.",
            "If the instance is behind a firewall, allow-list the product's outgoing addresses.",
        ]),
        Code::OauthProviderError => entry("The provider reported an error", "The provider's own description is kept with the error.", &[
            "Read the provider's description; retry if it reports a temporary failure (server_error, temporarily_unavailable).",
        ]).docs(OAUTH_RFC),
        Code::HttpUnauthorized => entry("The credentials were refused (401)", "The token is missing, mistyped, expired or revoked.", &[
            "Replace the connection's token, or re-authorize it.",
        ]).specific(&[
            on!(GH, &["Check the token under Settings → Developer settings → Personal access tokens; OAuth App tokens are revoked when the app is uninstalled."], None),
            on!(GL, &["Check the token under User settings → Access tokens (or the project's or group's Settings → Access tokens): it may have expired or been revoked."], Some(GL_SCOPES)),
            on!(BBC, &["App passwords stop working on 2026-06-09: use an API token (with your Atlassian account email as the user name) or OAuth."], None),
            on!(BBDC, &["Check the HTTP access token under Manage account → HTTP access tokens; project and repository tokens only work as Bearer tokens."], None),
        ]),
        Code::HttpForbidden => entry("Permission missing", "The credentials are valid but lack a scope or a role for this call (403; Bitbucket Data Center answers 401 with an AuthorisationException).", &[
            "Compare the granted scopes with what the profile needs, and the account's role with the minimum role.",
        ]).specific(&[
            on!(GH, &["GitHub says 'Resource not accessible by integration' or 'by personal access token': add the scope (classic) or the permission (fine-grained), or ask an organization owner to approve the token."], Some(GH_SCOPES)),
            on!(GL, &["GitLab answers insufficient_scope when the token lacks a scope (often api), and 403 when the role is too low: webhooks need Maintainer, reading needs Reporter."], Some(GL_ROLES)),
            on!(BBC, &["Bitbucket says 'Your credentials lack one or more required privilege scopes.': tick the permissions listed as required on the OAuth consumer and connect again."], Some(BBC_SCOPES)),
            on!(BBDC, &["Bitbucket Data Center answers 401 with an AuthorisationException ('insufficient permissions'): ask a project administrator for the permission the action needs (repository admin for webhooks), or have an administrator create the webhook by hand.", bitbucket_data_center::NO_BUILD_STATUS_EVENT], None),
        ]),
        Code::HttpMissingScope => entry("A scope is missing", "The token is valid but was not granted a scope this call needs.", &[
            "Replace the token with one that has the missing scope (named in the error), or re-authorize.",
        ]).specific(&[
            on!(GH, &["GitHub hides a private repository from a token without the scope it needs: it answers 404 Not Found rather than 403, and the X-Accepted-OAuth-Scopes header names the scope (the error lists it).", "GitHub classic tokens: edit the token under Settings → Developer settings → Personal access tokens and tick the scope; for OAuth, connect again with the scope requested."], Some(GH_SCOPES)),
            on!(GL, &["GitLab answers insufficient_scope: create a token with the scope (api to write, read_api to read), or tick it on the application and connect again."], Some(GL_SCOPES)),
            on!(BBC, &["Bitbucket: 'Your credentials lack one or more required privilege scopes.' Tick the required permissions on the OAuth consumer (Workspace settings → OAuth consumers → Edit), then connect again; pullrequest:write also grants repository:write."], Some(BBC_SCOPES)),
        ]),
        Code::HttpRateLimited => entry("Rate limited", "The provider limits how many calls an account or application makes per hour.", &[
            "Wait until the time the error gives, then continue; forgelink reads the provider's rate-limit headers.",
            "Spread work over time, or use webhooks instead of polling.",
        ]),
        Code::HttpServerError => entry("The provider failed", "The provider answered with a server error (5xx).", &[
            "Retry later; check the provider's status page, or the instance's logs for a self-hosted one.",
        ]),
        Code::HttpLoginRedirect => entry("Redirected to the login page", "Bitbucket Data Center answers a token it does not accept for an address with a redirect to its login page.", &[
            "Use the token only on REST addresses (under /rest); newer Data Center releases redirect token use elsewhere to the login page.",
            "Project and repository access tokens work only as Bearer tokens.",
        ]),
        Code::HttpUnexpectedStatus => entry("Unexpected answer", "The provider answered with a status or redirect this call does not expect; redirects are never followed, so that a token never leaves its host.", &[
            "Check the base URL: a redirect often means http instead of https, or a missing path prefix.",
            "A proxy or single sign-on gateway in front of the instance may be intercepting API calls.",
        ]),
        Code::HttpNotFound => entry("Not found (404)", "The project or endpoint does not exist, or the account cannot see it (providers answer 404 rather than reveal a private project).", &[
            "Check the project path, including groups and subgroups, and its spelling.",
            "Check the base URL: a missing relative URL root or context path makes every API address wrong.",
            "Check that the connected account can open the project in a browser.",
        ]).specific(&[
            on!(GH, &["GitHub answers 404, not 403, when the repository does not exist, the account cannot see it, or the token lacks the scope for a private repository (repo, which includes webhooks). Check the owner/repo spelling and the account's access, then the token's scopes."], Some(GH_REST_404)),
        ]),
        Code::NetworkUnreachable => entry("The instance cannot be reached", "No connection could be made: the address is wrong, the instance is down, or a firewall stands in between.", &[
            "Open the base URL in a browser from the same network the product runs in.",
            "If the instance is only on a private network, allow-list the product's outgoing addresses on the firewall, or run the product inside that network.",
            "Check DNS: the host name must resolve where the product runs.",
        ]),
        Code::NetworkConnectionRefused => entry("The connection was refused", "The machine answered, but nothing listens on that port: the port is wrong or the instance is down.", &[
            "Check the port in the base URL (none means 443 for https, 80 for http).",
            "Check that the instance is running and listens on that port.",
        ]),
        Code::NetworkNameNotResolved => entry("The host name does not resolve", "The host name has no DNS record where the product runs.", &[
            "Check the spelling of the host name in the base URL.",
            "An internal name must resolve where the product runs: add it to that DNS, or use a name that resolves there.",
        ]),
        Code::NetworkAddressBlocked => entry("That address is on a private network", "The instance's address resolves to a loopback, link-local, private or cloud metadata address, which forgelink refuses by default so that a typed URL cannot reach the product's own network (server-side request forgery).", &[
            "If the instance really is on a private network (an on-premises GitLab or Bitbucket Data Center), allow private networks for this product: npm `fetchHost({ allowPrivateNetworks: true })`, the wasmtime host's `--allow-private-networks`, the wizard's FORGELINK_ALLOW_PRIVATE_NETWORKS=1.",
            "Otherwise check the base URL: a public instance never resolves to a private address.",
        ]).docs("https://docs.gitlab.com/security/webhooks/"),
        Code::NetworkInsecureHttp => entry("Plain http is refused", "The address uses http to a machine other than this one, which would send tokens and codes in clear text.", &[
            "Use the instance's https address.",
            "Only for a trusted network that has no TLS: allow insecure http explicitly (npm `fetchHost({ allowInsecureHttp: true })`, the wasmtime host's `--allow-insecure-http`, the wizard's FORGELINK_ALLOW_INSECURE_HTTP=1).",
        ]),
        Code::HttpResponseTooLarge => entry("The answer is too large", "The response body is larger than the host accepts (10 MB by default), which no answer forgelink reads ever needs.", &[
            "Check the base URL: it may point at a download or a page rather than the API.",
            "If the instance really sends larger answers, raise the host's cap (npm `fetchHost({ maxResponseBytes })`, the wasmtime host's `--max-response-bytes`).",
        ]),
        Code::TlsUntrustedCertificate => entry("The certificate is not trusted", "The instance presents a self-signed certificate or one from a private certificate authority ('unable to verify the first certificate', 'x509: certificate signed by unknown authority').", &[
            "Give the product the certificate authority that signed the instance's certificate (its PEM file), rather than turning verification off.",
            "If the chain is incomplete, configure the server to send the intermediate certificates too.",
        ]).specific(&[
            on!(GL, &["GitLab: the certificate and its chain are set in /etc/gitlab/ssl; include the intermediates in the .crt file."], Some("https://docs.gitlab.com/omnibus/settings/ssl/")),
        ]),
        Code::TlsPlainHttpOnHttps => entry("The server answered plain HTTP", "The address is https://, but the server on that port answered plain HTTP: the scheme or the port is wrong.", &[
            "Use the instance's https port (usually 443, left out of the address), or its http:// address if it has no TLS.",
            "An http port (80, 8080, 7990) answers plain HTTP whatever the address says.",
        ]).specific(&[
            on!(GL, &["GitLab serves https only when external_url in /etc/gitlab/gitlab.rb starts with https://."], Some("https://docs.gitlab.com/omnibus/settings/ssl/")),
            on!(BBDC, &["Bitbucket Data Center serves plain HTTP on port 7990 unless TLS is set up on it or on a proxy in front."], None),
        ]),
        Code::TokenExpired => entry("The token has expired", "Access tokens expire: GitLab OAuth tokens after 2 hours, GitHub App user tokens after 8 hours, Bitbucket ones after 1 to 2 hours; personal tokens on their expiry date.", &[
            "Connections with a refresh token renew themselves; if renewal failed, re-authorize.",
            "For a personal or project token, replace it with a new one with the same scopes.",
        ]).specific(&[
            on!(GL, &["GitLab shows 'Token is expired. You can either do re-authorization or token refresh.'"], Some(GL_OAUTH)),
        ]),
        Code::TokenNotAccessToken => entry("That token cannot connect", "The pasted value is a refresh token, an application secret, or a token for Git or runners only.", &[
            "Create a personal access token (or a project or group token) with the scopes the profile lists, and paste that.",
        ]).specific(&[
            on!(GH, &["GitHub: Settings → Developer settings → Personal access tokens → Generate new token."], None),
            on!(GL, &["GitLab: User settings → Access tokens → Add new token (tokens start with glpat-)."], Some(GL_SCOPES)),
            on!(BBDC, &["Bitbucket Data Center: Profile → Manage account → HTTP access tokens → Create token."], None),
        ]),
        Code::TokenAppPasswordRetired => entry("App passwords are retired", "Creation stopped 2025-09-09, brownouts from 2026-06-09, removal 2026-07-28.", &[
            "Connect with an API token and the Atlassian account email as the username, or with an access token.",
        ]).docs(bitbucket_cloud::API_TOKENS),
        Code::TokenInvalidResponse => entry("Unreadable token response", "The token endpoint answered without an access token: often a proxy or login page answered instead of the provider.", &[
            "Check the base URL and that the token endpoint is reachable without a browser login in between.",
        ]),
        Code::ServerTooOld => entry("The instance is too old", "The instance's version lacks what the connection needs.", &[
            "Ask the instance's administrators to upgrade, or use an access token instead of OAuth where the version allows it.",
        ]).specific(&[
            on!(GL, &["forgelink supports GitLab 9.0 and later; the device flow needs 17.2 or later."], None),
            on!(BBDC, &["OAuth 2.0 incoming links need Bitbucket Data Center 7.20 or later; older servers can connect with an HTTP access token (5.5+)."], Some(BBDC_LINKS)),
            on!(GH, &["forgelink works with GitHub Enterprise Server 3.11 and later (polling for pushes reads the repository activity list, new in 3.11). An administrator upgrades the instance to a release GitHub supports."], Some(GH_RELEASES)),
        ]),
        Code::ServerDeprecated => entry("The release is past its support", "The vendor ships no more fixes for this release, not even for security. forgelink still works with it.", &[
            "Ask the instance's administrators to upgrade to a supported release; the report names the oldest one.",
        ]).specific(&[
            on!(GH, &["GitHub supports each Enterprise Server release for about a year; its releases page lists the dates."], Some(GH_RELEASES)),
        ]),
        Code::WebhookMissingSignature => entry("Unsigned delivery", "The delivery carries no signature or secret token, so anyone could have sent it.", &[
            "Set a secret on the webhook in the provider's settings and configure the same secret here.",
            "Only the Bitbucket Data Center test ping may come unsigned; allow unsigned deliveries for that hook alone, never globally.",
        ]).specific(&[
            on!(GH, &["GitHub: repository Settings → Webhooks → Edit → Secret. forgelink checks X-Hub-Signature-256; the legacy SHA-1 header is used only when explicitly allowed."], Some("https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries")),
            on!(GL, &["GitLab: project Settings → Webhooks → Secret token (sent as X-Gitlab-Token), or a signing token for signed webhooks."], Some("https://docs.gitlab.com/user/project/integrations/webhooks/")),
            on!(BBC, &["Bitbucket Cloud: repository settings → Webhooks → Edit → Secret (sent as X-Hub-Signature)."], None),
            on!(BBDC, &["Bitbucket Data Center: repository settings → Webhooks → Secret."], None),
        ]),
        Code::WebhookSignatureMismatch => entry("The signature does not match", "The delivery was signed with another secret, or its body was changed on the way, or it was checked over a re-serialised body.", &[
            "Verify over the raw body bytes exactly as received: do not parse and re-serialise the JSON first, and do not let a framework decode it.",
            "Check that the secret configured here is the one on the webhook (during rotation, configure both).",
        ]),
        Code::WebhookMalformedSignature => entry("Unreadable signature", "The signature header is not in the provider's format (for example sha256=<64 hex digits>).", &[
            "Check that no proxy rewrites the signature headers.",
        ]),
        Code::WebhookUnknownRoute => entry("No webhook has this address", "Each webhook forgelink registers has its own delivery URL with a random route id; this one names none that is stored: the hook was removed or re-registered, or the URL is not forgelink's.", &[
            "Pass receiveWebhook the route (or the full request URL) the delivery was sent to.",
            "Register the project's webhook again: the provider's hook then points at a current route.",
        ]),
        Code::WebhookNoSecret => entry("No webhook secret configured", "Without a secret a delivery cannot be verified; forgelink does not silently accept it.", &[
            "Configure the webhook's secret, or explicitly allow unsigned deliveries for this hook.",
        ]),
        Code::WebhookTimestampOutOfRange => entry("Stale or future delivery", "The signed timestamp is further from now than the tolerance: a replayed delivery, or a wrong clock on one side.", &[
            "Check the receiving server's clock (NTP).",
            "Increase the tolerance only if deliveries are legitimately queued for long.",
        ]),
        Code::WebhookUnknownProvider => entry("Unknown sender", "The headers match none of GitHub, GitLab, Bitbucket Cloud or Bitbucket Data Center.", &[
            "Check that the request comes from a webhook, and that a proxy keeps its headers (X-GitHub-Event, X-Gitlab-Event, X-Event-Key).",
        ]),
        Code::WebhookUnsupportedProvider => entry("Unsupported forge", "Gitea and Forgejo send GitHub-style headers, but their payloads and signatures differ; forgelink does not support them yet.", &[
            "Point the webhook at a receiver that supports that forge.",
        ]),
        Code::WebhookBodyTooLarge => entry("Delivery too large", "The body is larger than the provider sends (GitHub: 25 MB; Bitbucket Cloud drops payloads over 256 KB).", &[
            "Check that the request really comes from the provider.",
        ]),
        Code::WebhookInvalidPayload => entry("Unreadable payload", "The body is not the JSON the event should carry.", &[
            "Register the webhook with the JSON content type (GitHub's default for new hooks is form-encoded; forgelink reads both).",
        ]),
        Code::RepositoryInvalidPath => entry("Not a repository path", "Each line names one repository: group/project (subgroups allowed: group/subgroup/project), owner/repo, workspace/repo, PROJECT/repo, or its web or clone URL.", &[
            "Copy the path from the repository's page, or paste its URL.",
        ]),
        Code::RepositoryGroupPath => entry("A group, not a project", "The line names a group, owner or workspace; webhooks are registered on projects.", &[
            "Search for the group's path among the projects this account sees, and tick its projects.",
            "Or paste one project a line: group/project.",
        ]),
        Code::RepositoryDuplicate => entry("Listed twice", "The repository appears on an earlier line; it is kept once.", &[
            "Nothing to do: duplicates are removed.",
        ]),
        Code::WebhookLimitReached => entry("Too many webhooks on the project", "The provider caps the number of webhooks per project (GitLab.com: 100).", &[
            "Remove webhooks the project no longer needs, then register again.",
        ]).specific(&[
            on!(GL, &["GitLab: project Settings → Webhooks lists them; remove stale ones."], Some("https://docs.gitlab.com/user/project/integrations/webhooks/")),
        ]),
        Code::WebhookHookDisabled => entry("Webhook disabled", "It failed too often; until it is re-enabled, only polling sees events.", &[
            "Fix the receiver, re-enable the hook, then poll once.",
        ]).specific(&[
            on!(GL, &["GitLab pauses a hook after 4 failures in a row; after 40 it stays off until a test from Settings → Webhooks succeeds."], Some("https://docs.gitlab.com/user/project/integrations/webhooks/#auto-disabled-webhooks")),
        ]),
        Code::WebhookHookMissing => entry("Webhook deleted", "A hook forgelink registered is gone.", &[
            "Register the webhooks again.",
        ]),
        Code::RepositorySha256Unsupported => entry("SHA-256 repository", "The repository uses SHA-256 object names; most Git tooling and integrations read SHA-1 repositories only.", &[
            "Expect commit links and analyses of this repository to be unavailable until the tooling supports SHA-256.",
            "If possible, use a SHA-1 mirror of the repository for the integration.",
        ]).specific(&[
            on!(GL, &["GitLab's Projects API marks such projects with repository_object_format sha256."], Some("https://docs.gitlab.com/api/projects/")),
        ]),
        Code::FeedbackNoTarget => entry("Nowhere to post the feedback", "The feedback policy allows only places that are not available: no merge request or commit was given, and issues are turned off or the provider has none.", &[
            "Pass the merge request number or the commit, or allow another target in the policy.",
        ]).specific(&[
            on!(GH, &["GitHub answers 410 when issues are turned off: a repository admin turns them on under Settings → General → Features → Issues."], None),
            on!(BBC, &["Bitbucket Cloud repositories have no issue tracker unless an admin turns it on under Repository settings → Issue tracker."], None),
            on!(BBDC, &["Bitbucket Data Center has no issues (they live in Jira): post on the pull request or the commit instead."], None),
        ]),
        Code::FeedbackLocked => entry("The discussion is locked", "The merge request or issue was locked, so only members with a higher role may comment.", &[
            "Ask a maintainer to unlock the discussion, or let the feedback go to the commit instead (the default policy does).",
        ]).specific(&[
            on!(GH, &["GitHub: a locked conversation accepts comments only from collaborators with write access; unlock it from the pull request's sidebar."], Some("https://docs.github.com/en/communities/moderating-comments-and-conversations/locking-conversations")),
            on!(GL, &["GitLab: a locked discussion accepts comments only from project members; unlock it from the merge request's or issue's sidebar."], Some("https://docs.gitlab.com/user/discussions/#prevent-comments-by-locking-the-discussion")),
        ]),
        Code::FeedbackForbidden => entry("The account may not comment here", "The token works, but the account's role or the repository's permissions do not allow it to comment where the feedback goes.", &[
            "Give the account that connected a role that may comment on the repository, or connect with one that has it.",
        ]).specific(&[
            on!(GH, &["GitHub: commenting needs read access to the repository and the repo (or public_repo) scope; fine-grained tokens need the Pull requests or Issues permission set to Read and write."], Some(GH_SCOPES)),
            on!(GL, &["GitLab: on private projects the account needs at least the Reporter role to comment on merge requests and commits."], Some(GL_ROLES)),
            on!(BBC, &["Bitbucket Cloud: the account needs read access to the repository, and the consumer the pullrequest:write permission for pull request comments."], Some(BBC_SCOPES)),
            on!(BBDC, &["Bitbucket Data Center: the account needs repository read permission to comment on pull requests and commits."], None),
        ]),
    }
}

/// The guidance for a code, with the provider's own steps first when a provider is given.
pub fn troubleshoot(code: Code, provider: Option<Provider>) -> Guidance {
    let entry = entry_for(code);
    let specific = provider.and_then(|p| entry.specific.iter().find(|s| s.provider == p));
    let mut steps: Vec<&'static str> = specific.map(|s| s.steps.to_vec()).unwrap_or_default();
    steps.extend_from_slice(entry.steps);
    Guidance {
        code,
        title: entry.title,
        summary: entry.summary,
        steps,
        docs_url: specific.and_then(|s| s.docs).or(entry.docs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_guidance_for_every_provider() {
        for &code in Code::ALL {
            for provider in [None].into_iter().chain(Provider::ALL.map(Some)) {
                let g = troubleshoot(code, provider);
                assert!(!g.title.is_empty() && !g.summary.is_empty(), "{code}");
                assert!(!g.steps.is_empty(), "{code}");
            }
        }
    }

    /// The dates in the app password guidance are the ones the provider module holds as data
    /// (community.atlassian.com: phase 2 notice, 2025-09-09; brownout notice, 2026-06-09 and
    /// 2026-07-28), so the words cannot drift from what the flows judge.
    #[test]
    fn app_password_guidance_names_the_dates_the_flows_judge() {
        let g = troubleshoot(Code::TokenAppPasswordRetired, Some(Provider::BitbucketCloud));
        let r = bitbucket_cloud::APP_PASSWORD_RETIREMENT;
        for at in [r.creation_stopped_at, r.brownouts_from, r.removed_at] {
            let day = crate::polling::rfc3339(at);
            assert!(g.summary.contains(&day[..10]), "{day} in {}", g.summary);
        }
        assert!(
            g.steps.iter().any(|s| s.contains("email"))
                && g.steps.iter().any(|s| s.contains("access token"))
        );
        let g = troubleshoot(Code::HttpForbidden, Some(Provider::BitbucketDataCenter));
        assert!(g.steps.iter().any(|s| s.contains("no build-status webhook")));
    }

    #[test]
    fn provider_steps_come_first() {
        let g = troubleshoot(Code::HttpForbidden, Some(Provider::BitbucketCloud));
        assert!(g.steps[0].contains("privilege scopes"));
        assert_eq!(g.docs_url, Some(BBC_SCOPES));
        let g = troubleshoot(Code::HttpNotFound, None);
        assert!(
            g.steps.iter().any(|s| s.contains("project path"))
                && g.steps.iter().any(|s| s.contains("base URL"))
        );
    }
}
