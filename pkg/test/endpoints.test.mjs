// endpoints() for every deployment, field by field.
import assert from "node:assert/strict";
import { test } from "node:test";

import { endpoints, ForgelinkError } from "../index.js";

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

const githubCom = {
  provider: "github",
  deployment: "cloud",
  web: "https://github.com",
  api: "https://api.github.com",
  authorize: "https://github.com/login/oauth/authorize",
  token: "https://github.com/login/oauth/access_token",
  revoke: "https://api.github.com/applications/{client_id}/token",
  deviceAuthorization: "https://github.com/login/device/code",
  currentUser: "https://api.github.com/user",
  currentUserHeader: null,
  version: null,
  grantedScopes: { source: "header", header: "X-OAuth-Scopes", url: "https://api.github.com/user" },
  settingsPages: { oauthApp: "https://github.com/settings/applications/new", accessTokens: "https://github.com/settings/tokens/new" },
};

const githubEnterpriseServer = {
  provider: "github",
  deployment: "self-hosted",
  web: "https://ghe.example.com",
  api: "https://ghe.example.com/api/v3",
  authorize: "https://ghe.example.com/login/oauth/authorize",
  token: "https://ghe.example.com/login/oauth/access_token",
  revoke: "https://ghe.example.com/api/v3/applications/{client_id}/token",
  deviceAuthorization: "https://ghe.example.com/login/device/code",
  currentUser: "https://ghe.example.com/api/v3/user",
  currentUserHeader: null,
  version: "https://ghe.example.com/api/v3/meta",
  grantedScopes: { source: "header", header: "X-OAuth-Scopes", url: "https://ghe.example.com/api/v3/user" },
  settingsPages: { oauthApp: "https://ghe.example.com/settings/applications/new", accessTokens: "https://ghe.example.com/settings/tokens/new" },
};

const githubDataResidency = {
  provider: "github",
  deployment: "cloud",
  web: "https://octocorp.ghe.com",
  api: "https://api.octocorp.ghe.com",
  authorize: "https://octocorp.ghe.com/login/oauth/authorize",
  token: "https://octocorp.ghe.com/login/oauth/access_token",
  revoke: "https://api.octocorp.ghe.com/applications/{client_id}/token",
  deviceAuthorization: "https://octocorp.ghe.com/login/device/code",
  currentUser: "https://api.octocorp.ghe.com/user",
  currentUserHeader: null,
  version: null,
  grantedScopes: { source: "header", header: "X-OAuth-Scopes", url: "https://api.octocorp.ghe.com/user" },
  settingsPages: { oauthApp: "https://octocorp.ghe.com/settings/applications/new", accessTokens: "https://octocorp.ghe.com/settings/tokens/new" },
};

const gitlabCom = {
  provider: "gitlab",
  deployment: "cloud",
  web: "https://gitlab.com",
  api: "https://gitlab.com/api/v4",
  authorize: "https://gitlab.com/oauth/authorize",
  token: "https://gitlab.com/oauth/token",
  revoke: "https://gitlab.com/oauth/revoke",
  deviceAuthorization: "https://gitlab.com/oauth/authorize_device",
  currentUser: "https://gitlab.com/api/v4/user",
  currentUserHeader: null,
  version: "https://gitlab.com/api/v4/version",
  grantedScopes: { source: "endpoint", url: "https://gitlab.com/oauth/token/info", field: "scope" },
  settingsPages: { oauthApp: "https://gitlab.com/-/user_settings/applications", accessTokens: "https://gitlab.com/-/user_settings/personal_access_tokens" },
};

const gitlabRelativeRoot = {
  provider: "gitlab",
  deployment: "self-hosted",
  web: "https://example.com/gitlab",
  api: "https://example.com/gitlab/api/v4",
  authorize: "https://example.com/gitlab/oauth/authorize",
  token: "https://example.com/gitlab/oauth/token",
  revoke: "https://example.com/gitlab/oauth/revoke",
  deviceAuthorization: "https://example.com/gitlab/oauth/authorize_device",
  currentUser: "https://example.com/gitlab/api/v4/user",
  currentUserHeader: null,
  version: "https://example.com/gitlab/api/v4/version",
  grantedScopes: { source: "endpoint", url: "https://example.com/gitlab/oauth/token/info", field: "scope" },
  settingsPages: { oauthApp: "https://example.com/gitlab/-/user_settings/applications", accessTokens: "https://example.com/gitlab/-/user_settings/personal_access_tokens" },
};

const bitbucketCloud = {
  provider: "bitbucket-cloud",
  deployment: "cloud",
  web: "https://bitbucket.org",
  api: "https://api.bitbucket.org/2.0",
  authorize: "https://bitbucket.org/site/oauth2/authorize",
  token: "https://bitbucket.org/site/oauth2/access_token",
  revoke: null,
  deviceAuthorization: null,
  currentUser: "https://api.bitbucket.org/2.0/user",
  currentUserHeader: null,
  version: null,
  grantedScopes: { source: "header", header: "X-OAuth-Scopes", url: "https://api.bitbucket.org/2.0/user" },
  settingsPages: { oauthApp: null, accessTokens: null },
};

const bitbucketDataCenter = {
  provider: "bitbucket-data-center",
  deployment: "self-hosted",
  web: "https://bb.example.com/bitbucket",
  api: "https://bb.example.com/bitbucket/rest/api/latest",
  authorize: "https://bb.example.com/bitbucket/rest/oauth2/latest/authorize",
  token: "https://bb.example.com/bitbucket/rest/oauth2/latest/token",
  revoke: null,
  deviceAuthorization: null,
  currentUser: "https://bb.example.com/bitbucket/rest/api/latest/application-properties",
  currentUserHeader: "X-AUSERNAME",
  version: "https://bb.example.com/bitbucket/rest/api/latest/application-properties",
  grantedScopes: { source: "token-response", field: "scope" },
  settingsPages: { oauthApp: "https://bb.example.com/bitbucket/plugins/servlet/applinks/listApplicationLinks", accessTokens: "https://bb.example.com/bitbucket/plugins/servlet/access-tokens/manage" },
};

const cases = [
  ["github", undefined, githubCom],
  ["github", "https://github.com/", githubCom],
  ["github", "https://api.github.com", githubCom],
  ["github", "https://ghe.example.com", githubEnterpriseServer],
  ["github", "https://ghe.example.com/api/v3/", githubEnterpriseServer],
  ["github", "https://octocorp.ghe.com", githubDataResidency],
  ["gitlab", undefined, gitlabCom],
  ["gitlab", null, gitlabCom],
  ["gitlab", "", gitlabCom],
  ["gitlab", "https://gitlab.com/group/project", gitlabCom],
  ["gitlab", "https://example.com/gitlab", gitlabRelativeRoot],
  ["gitlab", "https://example.com/gitlab/api/v4/", gitlabRelativeRoot],
  ["bitbucket-cloud", undefined, bitbucketCloud],
  ["bitbucket-cloud", "https://api.bitbucket.org/2.0", bitbucketCloud],
  ["bitbucket-data-center", "https://bb.example.com/bitbucket", bitbucketDataCenter],
  ["bitbucket-data-center", "https://bb.example.com/bitbucket/rest/api/1.0/", bitbucketDataCenter],
];

for (const [provider, baseUrl, expected] of cases) {
  test(`endpoints(${provider}, ${JSON.stringify(baseUrl)})`, () => {
    assert.deepEqual(endpoints(provider, baseUrl), expected);
  });
}

test("endpoints of a self-managed GitLab without a relative root", () => {
  const e = endpoints("gitlab", "https://gitlab.example.com:8443");
  assert.equal(e.deployment, "self-hosted");
  assert.equal(e.authorize, "https://gitlab.example.com:8443/oauth/authorize");
  assert.equal(e.token, "https://gitlab.example.com:8443/oauth/token");
  assert.equal(e.currentUser, "https://gitlab.example.com:8443/api/v4/user");
});

test("Bitbucket Data Center needs a base URL", () => {
  const error = thrown(() => endpoints("bitbucket-data-center"));
  assert.equal(error.code, "base_url.required");
  assert.equal(error.guidance.code, "base_url.required");
});

test("a base URL that cannot be used throws its first error, with the suggestion", () => {
  const error = thrown(() => endpoints("gitlab", "gitlab.example.com"));
  assert.equal(error.code, "base_url.missing_scheme");
  assert.match(error.providerDetail, /https:\/\/gitlab\.example\.com/);
  assert.equal(thrown(() => endpoints("bitbucket-cloud", "https://bb.example.com")).code, "base_url.not_cloud");
  assert.equal(thrown(() => endpoints("gitlab", "https://github.com")).code, "base_url.wrong_provider");
  assert.equal(thrown(() => endpoints("gitlab", "https://user:pw@gitlab.example.com")).code, "base_url.credentials");
});

test("an unknown provider is a coded error", () => {
  assert.equal(thrown(() => endpoints("gitea")).code, "provider.unknown");
});

// The settings pages under each deployment's web base URL. Sources, per provider module:
// GitHub "Creating an OAuth app" and "Managing your personal access tokens" (docs.github.com);
// GitLab "Create a user-owned application" (docs.gitlab.com/integration/oauth_provider/) and
// "Prefill personal access token name and scopes" (docs.gitlab.com/user/profile/
// personal_access_tokens/); Bitbucket Data Center "Configure an incoming link" and "HTTP
// access tokens" (confluence.atlassian.com/bitbucketserver/). Bitbucket Cloud has none under
// bitbucket.org alone: its consumers belong to a workspace, its API tokens to the account.
test("settingsPages: where each deployment registers OAuth applications and creates tokens", async () => {
  const { settingsPages } = await import("../index.js");
  assert.deepEqual(settingsPages("github"), {
    oauthApp: "https://github.com/settings/applications/new",
    accessTokens: "https://github.com/settings/tokens/new",
  });
  assert.deepEqual(settingsPages("github", "https://ghe.example.com/"), {
    oauthApp: "https://ghe.example.com/settings/applications/new",
    accessTokens: "https://ghe.example.com/settings/tokens/new",
  });
  assert.deepEqual(settingsPages("gitlab", "https://example.com/gitlab"), {
    oauthApp: "https://example.com/gitlab/-/user_settings/applications",
    accessTokens: "https://example.com/gitlab/-/user_settings/personal_access_tokens",
  });
  assert.deepEqual(settingsPages("bitbucket-data-center", "https://bitbucket.example.com/ctx"), {
    oauthApp: "https://bitbucket.example.com/ctx/plugins/servlet/applinks/listApplicationLinks",
    accessTokens: "https://bitbucket.example.com/ctx/plugins/servlet/access-tokens/manage",
  });
  assert.deepEqual(settingsPages("bitbucket-cloud"), { oauthApp: null, accessTokens: null });
  assert.equal(thrown(() => settingsPages("bitbucket-data-center")).code, "base_url.required");
  assert.equal(thrown(() => settingsPages("gitlab", 42)).code, "input.invalid");
  assert.equal(thrown(() => settingsPages("gitea")).code, "provider.unknown");
});
