// scopeCatalog and checkScopes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkScopes, ForgelinkError, scopeCatalog } from "../index.js";

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, String(error));
    return error;
  }
  assert.fail("expected a ForgelinkError");
}

// Every scope the providers document, in their own spelling.
const documented = {
  github: [
    "repo", "repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events",
    "admin:repo_hook", "write:repo_hook", "read:repo_hook", "admin:org", "write:org", "read:org",
    "admin:org_hook", "user", "read:user", "user:email", "user:follow", "workflow",
    "read:packages", "write:packages", "delete:packages", "gist", "notifications", "project",
    "read:project", "delete_repo", "admin:public_key", "admin:gpg_key", "codespace",
    "read:audit_log", "site_admin", "admin:enterprise", "manage_runners:enterprise",
    "manage_billing:enterprise", "read:enterprise",
  ],
  gitlab: [
    "api", "read_api", "read_user", "read_repository", "write_repository", "read_registry",
    "write_registry", "read_virtual_registry", "write_virtual_registry", "read_observability",
    "write_observability", "read_service_ping", "self_rotate", "sudo", "admin_mode",
    "create_runner", "manage_runner", "k8s_proxy", "ai_features", "openid", "profile", "email",
  ],
  "bitbucket-cloud": [
    "account", "account:write", "email", "repository", "repository:write", "repository:admin",
    "repository:delete", "pullrequest", "pullrequest:write", "project", "project:admin", "issue",
    "issue:write", "pipeline", "pipeline:write", "pipeline:variable", "runner", "runner:write",
    "snippet", "snippet:write", "webhook", "wiki",
  ],
  "bitbucket-data-center": [
    "PUBLIC_REPOS", "ACCOUNT_WRITE", "REPO_READ", "REPO_WRITE", "REPO_ADMIN", "PROJECT_ADMIN",
    "ADMIN_WRITE", "SYSTEM_ADMIN",
  ],
};

for (const [provider, names] of Object.entries(documented)) {
  test(`scopeCatalog(${provider}) has every documented scope, described, with known implications`, () => {
    const catalog = scopeCatalog(provider);
    const byName = new Map(catalog.map((s) => [s.name, s]));
    assert.equal(byName.size, catalog.length, "no scope is listed twice");
    for (const name of names) {
      assert.ok(byName.has(name), `${provider} lacks ${name}`);
    }
    for (const scope of catalog) {
      assert.equal(typeof scope.description, "string");
      assert.ok(scope.description.length > 8, `${scope.name}: ${scope.description}`);
      assert.ok(!scope.description.includes("\n"), `${scope.name} is described in one line`);
      assert.ok(Array.isArray(scope.impliesOnPublicRepositories), scope.name);
      for (const implied of [...scope.implies, ...scope.impliesOnPublicRepositories]) {
        assert.ok(byName.has(implied), `${scope.name} implies unknown ${implied}`);
        assert.notEqual(implied, scope.name);
      }
    }
  });
}

test("the catalogs state the documented implications", () => {
  const implies = (provider, name) => scopeCatalog(provider).find((s) => s.name === name).implies;
  // GitHub Docs, "Scopes for OAuth apps": repo grants "read and write access to code, commit
  // statuses, repository invitations, collaborators, deployment statuses, and repository
  // webhooks", and "The repo and public_repo scopes grant full access to repositories,
  // including repository hooks"; public_repo only for public repositories.
  assert.deepEqual(
    [...implies("github", "repo")].sort(),
    ["admin:repo_hook", "public_repo", "repo:invite", "repo:status", "repo_deployment", "security_events"],
  );
  assert.deepEqual(implies("github", "public_repo"), []);
  const publicRepo = scopeCatalog("github").find((s) => s.name === "public_repo");
  assert.deepEqual([...publicRepo.impliesOnPublicRepositories].sort(), ["admin:repo_hook", "repo:status", "repo_deployment"]);
  assert.ok(scopeCatalog("gitlab").every((s) => s.impliesOnPublicRepositories.length === 0));
  // Same page: admin:enterprise "Includes manage_runners:enterprise, manage_billing:enterprise, and read:enterprise."
  assert.deepEqual(
    [...implies("github", "admin:enterprise")].sort(),
    ["manage_billing:enterprise", "manage_runners:enterprise", "read:enterprise"],
  );
  assert.ok(implies("github", "admin:repo_hook").includes("write:repo_hook"));
  assert.ok(implies("github", "write:repo_hook").includes("read:repo_hook"));
  assert.ok(implies("github", "admin:org").includes("write:org"));
  assert.ok(implies("github", "write:org").includes("read:org"));
  assert.deepEqual([...implies("github", "user")].sort(), ["read:user", "user:email", "user:follow"]);
  assert.deepEqual(implies("gitlab", "api"), ["read_api"]);
  assert.deepEqual(implies("gitlab", "write_repository"), ["read_repository"]);
  assert.ok(implies("bitbucket-cloud", "pullrequest:write").includes("repository:write"));
});

const checks = [
  // Implied scopes count.
  ["gitlab", "api", ["read_api"], { satisfied: true, missing: [], granted: ["api"] }],
  ["github", "repo", ["repo:status"], { satisfied: true, missing: [], granted: ["repo"] }],
  ["bitbucket-cloud", "pullrequest:write", ["repository:write"], { satisfied: true, missing: [], granted: ["pullrequest:write"] }],
  // And transitively.
  ["github", "admin:repo_hook", ["read:repo_hook"], { satisfied: true, missing: [], granted: ["admin:repo_hook"] }],
  ["bitbucket-cloud", "pullrequest:write", ["repository"], { satisfied: true, missing: [], granted: ["pullrequest:write"] }],
  ["bitbucket-data-center", "PROJECT_ADMIN", ["REPO_READ"], { satisfied: true, missing: [], granted: ["PROJECT_ADMIN"] }],
  // Never the other way round.
  ["gitlab", "read_api", ["api"], { satisfied: false, missing: ["api"], granted: ["read_api"] }],
  ["github", "repo:status", ["repo"], { satisfied: false, missing: ["repo"], granted: ["repo:status"] }],
  ["bitbucket-cloud", "repository:write", ["pullrequest:write"], { satisfied: false, missing: ["pullrequest:write"], granted: ["repository:write"] }],
  // GitHub's comma spelling (token response) and its header's comma and space.
  ["github", "repo,read:org", ["repo:status", "read:org"], { satisfied: true, missing: [], granted: ["repo", "read:org"] }],
  ["github", "repo, read:org, gist", ["gist", "admin:org"], { satisfied: false, missing: ["admin:org"], granted: ["repo", "read:org", "gist"] }],
  // "Scopes for OAuth apps": repo and public_repo include repository hooks, public_repo on
  // public repositories only; a hook scope never includes the repository.
  ["github", "repo", ["admin:repo_hook"], { satisfied: true, missing: [], granted: ["repo"] }],
  ["github", "repo", ["admin:repo_hook", "write:repo_hook", "read:repo_hook"], { satisfied: true, missing: [], granted: ["repo"] }],
  ["github", "public_repo", ["admin:repo_hook", "repo:invite"], { satisfied: false, missing: ["admin:repo_hook", "repo:invite"], granted: ["public_repo"], publicRepositoriesOnly: ["admin:repo_hook"] }],
  ["github", "admin:repo_hook", ["repo"], { satisfied: false, missing: ["repo"], granted: ["admin:repo_hook"] }],
  // Same page: admin:enterprise includes manage_runners, manage_billing and read; not the other way.
  ["github", "admin:enterprise", ["manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"], { satisfied: true, missing: [], granted: ["admin:enterprise"] }],
  ["github", "read:enterprise", ["admin:enterprise"], { satisfied: false, missing: ["admin:enterprise"], granted: ["read:enterprise"] }],
  // Space-separated lists of the others.
  ["gitlab", "api read_user", ["read_api", "read_user", "write_repository"], { satisfied: false, missing: ["write_repository"], granted: ["api", "read_user"] }],
  ["bitbucket-cloud", "account repository pullrequest", ["repository", "pullrequest"], { satisfied: true, missing: [], granted: ["account", "repository", "pullrequest"] }],
  // Lists, duplicates and nothing granted.
  ["gitlab", ["api", "read_user"], ["read_api"], { satisfied: true, missing: [], granted: ["api", "read_user"] }],
  ["gitlab", "api api  api", ["read_api"], { satisfied: true, missing: [], granted: ["api"] }],
  ["github", "", ["repo", "repo"], { satisfied: false, missing: ["repo"], granted: [] }],
  ["github", [], ["read:org"], { satisfied: false, missing: ["read:org"], granted: [] }],
  ["gitlab", "api", [], { satisfied: true, missing: [], granted: ["api"] }],
];

for (const [provider, granted, required, expected] of checks) {
  test(`checkScopes(${provider}, ${JSON.stringify(granted)}, ${JSON.stringify(required)})`, () => {
    assert.deepEqual(checkScopes(provider, granted, required), expected);
  });
}

test("a required scope the provider does not have is a coded error", () => {
  const error = thrown(() => checkScopes("gitlab", "api", ["offline_access"]));
  assert.equal(error.code, "scope.unknown");
  assert.match(error.message, /offline_access/);
  assert.equal(thrown(() => checkScopes("github", "repo", ["read_api"])).code, "scope.unknown");
  // Scope names are case-sensitive.
  assert.equal(thrown(() => checkScopes("bitbucket-data-center", "REPO_READ", ["repo_read"])).code, "scope.unknown");
});
