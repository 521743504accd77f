// The seed: one person, and the groups, projects and repositories that person sees on each
// provider, with a role on each in that provider's own words. The same person everywhere, so
// a newcomer signs in once per provider with the same username and password.

export const ACCOUNT = Object.freeze({
  username: "ada",
  password: "analytical-engine",
  name: "Ada Lovelace",
  email: "ada@example.com",
});

// GitLab access levels (its "Roles and permissions" page).
export const GITLAB_LEVELS = Object.freeze({ guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 });

const SERVICES = ["accounts", "alerts", "audit-log", "billing", "catalog", "checkout", "email", "feature-flags", "inventory", "ledger", "notifications", "orders", "payments", "pricing", "search", "shipping", "webhooks-relay"];

/**
 * The merge request (pull request) each GitLab, GitHub and Bitbucket Cloud project has open, so that feedback
 * has somewhere to land: opened yesterday, last updated two hours before the sandbox started.
 */
function openMergeRequest() {
  const hoursAgo = (hours) => new Date(Date.now() - hours * 3_600_000).toISOString();
  return [{ number: 1, title: "Build the runner image on bookworm", description: "Moves the base image to Debian bookworm.", sourceBranch: "bookworm-images", targetBranch: "main", state: "opened", createdAt: hoursAgo(26), updatedAt: hoursAgo(2) }];
}

/** GitLab: nested groups, 28 projects, one with SHA-256 object names. Roles are GitLab roles. */
function gitlab() {
  const projects = [
    { path: "platform/ci/runner-images", role: "maintainer", description: "Container images for the CI runners." },
    { path: "platform/ci/pipeline-templates", role: "maintainer", description: "Shared .gitlab-ci.yml templates." },
    { path: "platform/ci/build-cache", role: "developer", description: "Remote build cache service." },
    { path: "platform/web/storefront", role: "owner", description: "The public shop." },
    { path: "platform/web/design-system", role: "developer", description: "UI components." },
    { path: "platform/api-gateway", role: "maintainer", description: "Edge routing and authentication." },
    { path: "data/pipelines/ingest", role: "reporter", description: "Event ingestion." },
    { path: "data/pipelines/warehouse-sync", role: "maintainer", description: "Nightly warehouse loads." },
    { path: "data/notebooks", role: "reporter", description: "Analysis notebooks." },
    { path: "ada/analytical-engine", role: "owner", description: "Notes on the Analytical Engine.", objectFormat: "sha256" },
    ...SERVICES.map((name) => ({ path: `platform/services/${name}`, role: "maintainer", description: `The ${name} service.` })),
  ];
  return projects.map((p, i) => ({ id: 101 + i, defaultBranch: "main", visibility: "private", objectFormat: "sha1", mergeRequests: openMergeRequest(), ...p }));
}

/** GitHub Enterprise Server: an organization and the person's own repositories. Roles are GitHub permissions. */
function github() {
  const repos = [
    { path: "ada/analytical-engine", role: "admin" },
    { path: "ada/notes", role: "admin" },
    { path: "acme-platform/runner-images", role: "admin" },
    { path: "acme-platform/storefront", role: "maintain" },
    { path: "acme-platform/docs", role: "push" },
    { path: "acme-platform/design-system", role: "triage" },
    { path: "acme-platform/legacy-billing", role: "pull" },
    ...SERVICES.slice(0, 8).map((name) => ({ path: `acme-platform/${name}`, role: "admin" })),
  ];
  return repos.map((r, i) => ({ id: 3001 + i, defaultBranch: "main", visibility: "private", mergeRequests: openMergeRequest(), ...r }));
}

/** Bitbucket Cloud: two workspaces. Roles are Bitbucket repository permissions. */
function bitbucketCloud() {
  const repos = [
    { path: "acme/runner-images", role: "admin" },
    { path: "acme/storefront", role: "admin" },
    { path: "acme/infrastructure", role: "admin" },
    { path: "acme/docs", role: "write" },
    { path: "acme/legacy-billing", role: "read" },
    { path: "ada/analytical-engine", role: "admin" },
    ...SERVICES.slice(0, 6).map((name) => ({ path: `acme/${name}`, role: "admin" })),
  ];
  return repos.map((r, i) => ({
    id: `{${(0x7a3f0000 + i).toString(16)}-1d4e-4c2b-9f1a-${(0x5e0000000000 + i).toString(16)}}`,
    defaultBranch: "main",
    visibility: "private",
    mergeRequests: openMergeRequest(),
    ...r,
  }));
}

/** Bitbucket Data Center: projects PLAT and OPS; ops/deploy-scripts only writable, not administrable. */
function bitbucketDataCenter() {
  const repos = [
    { path: "PLAT/runner-images", role: "REPO_ADMIN" },
    { path: "PLAT/storefront", role: "REPO_ADMIN" },
    { path: "PLAT/api-gateway", role: "REPO_ADMIN" },
    { path: "PLAT/design-system", role: "REPO_READ" },
    { path: "OPS/deploy-scripts", role: "REPO_WRITE" },
    { path: "OPS/terraform", role: "REPO_ADMIN" },
    ...SERVICES.slice(0, 6).map((name) => ({ path: `PLAT/${name}`, role: "REPO_ADMIN" })),
  ];
  return repos.map((r, i) => ({ id: 1 + i, defaultBranch: "main", visibility: "private", mergeRequests: openMergeRequest(), ...r }));
}

export function seed() {
  return {
    gitlab: gitlab(),
    github: github(),
    "bitbucket-cloud": bitbucketCloud(),
    "bitbucket-data-center": bitbucketDataCenter(),
  };
}
