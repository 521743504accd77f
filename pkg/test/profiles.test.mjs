// profiles(): the six use-case presets, each with every provider and a reason per field.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkScopes, profiles, scopeCatalog } from "../index.js";

const PROVIDERS = ["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"];
const IDS = [
  "ci-failure-analysis",
  "deployments",
  "engineering-metrics",
  "secret-sync",
  "secret-scanning",
  "code-correlation",
];

function needs(id, provider) {
  return profiles()
    .find((p) => p.id === id)
    .providers.find((n) => n.provider === provider);
}

function reasoned(need, where) {
  assert.equal(typeof need.name, "string", where);
  assert.ok(need.name.length > 0, where);
  assert.equal(typeof need.reason, "string", where);
  assert.ok(need.reason.length > 10, `${where}: the reason says where the need comes from`);
  assert.ok(!need.reason.includes("\n"), `${where}: the reason is one line`);
}

test("the six profiles are there, once each, titled and summarised", () => {
  const list = profiles();
  assert.deepEqual(list.map((p) => p.id).sort(), [...IDS].sort());
  for (const profile of list) {
    assert.ok(profile.title.length > 3, profile.id);
    assert.ok(profile.summary.length > 20, profile.id);
  }
});

for (const id of IDS) {
  test(`profile ${id}: every provider, known scopes, a reason for every field`, () => {
    const profile = profiles().find((p) => p.id === id);
    assert.deepEqual(profile.providers.map((n) => n.provider).sort(), [...PROVIDERS].sort());
    for (const n of profile.providers) {
      const where = `${id}/${n.provider}`;
      assert.equal(typeof n.supported, "boolean", where);
      assert.equal(n.scopeMode, n.provider === "bitbucket-cloud" ? "consumer-permissions" : "request", where);
      reasoned(n.minRole, `${where} minRole`);
      const catalog = new Set(scopeCatalog(n.provider).map((s) => s.name));
      for (const scope of n.scopes) {
        reasoned(scope, `${where} scope`);
        assert.ok(catalog.has(scope.name), `${where}: ${scope.name} is a ${n.provider} scope`);
      }
      for (const event of n.webhookEvents) {
        reasoned(event, `${where} event`);
      }
      if (n.supported) {
        assert.ok(n.scopes.length > 0, `${where} asks for at least one scope`);
      }
    }
  });
}

test("what each profile asks of GitLab matches its purpose", () => {
  const scopes = (id) => needs(id, "gitlab").scopes.map((s) => s.name);
  // Reading only: no write scope.
  for (const id of ["engineering-metrics", "secret-scanning", "code-correlation"]) {
    assert.ok(!scopes(id).includes("api"), `${id} writes nothing`);
    assert.ok(!scopes(id).includes("write_repository"), `${id} writes nothing`);
    assert.ok(checkScopes("gitlab", scopes(id), ["read_api"]).satisfied || scopes(id).includes("read_repository"), id);
  }
  assert.ok(scopes("code-correlation").includes("read_api"));
  assert.ok(scopes("code-correlation").includes("read_repository"));
  assert.ok(scopes("secret-scanning").includes("read_repository"));
  // Commenting on merge requests and writing CI/CD variables need write access.
  assert.ok(scopes("ci-failure-analysis").includes("api"));
  assert.ok(scopes("secret-sync").includes("api"));
  // Pushing needs write_repository.
  assert.ok(checkScopes("gitlab", scopes("deployments"), ["write_repository"]).satisfied);
  // CI failure analysis wants pipeline and job events.
  const events = needs("ci-failure-analysis", "gitlab").webhookEvents.map((e) => e.name);
  assert.ok(events.includes("pipeline_events") && events.includes("job_events"), events.join(","));
});

test("Bitbucket Cloud permissions are ticked on the consumer", () => {
  for (const id of IDS) {
    const n = needs(id, "bitbucket-cloud");
    assert.equal(n.scopeMode, "consumer-permissions", id);
  }
  const sync = needs("secret-sync", "bitbucket-cloud").scopes.map((s) => s.name);
  assert.ok(sync.includes("pipeline:variable"), sync.join(","));
});
