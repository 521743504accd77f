// What the sandbox remembers while it runs: the failure switches, personal access tokens,
// projects with their hooks, what happened on them (pipelines, pushes, merge requests and
// their comments), and every webhook delivery. Nothing is written to disk.

import { ACCOUNT, seed } from "./data.mjs";

export const PROVIDERS = Object.freeze(["gitlab", "github", "bitbucket-cloud", "bitbucket-data-center"]);

/** The switches, their defaults, and what each does (the control page shows this text). */
export const SWITCHES = Object.freeze({
  expiredToken: { initial: false, help: "Every access token issued so far answers as expired (new ones from a refresh work)." },
  missingScope: { initial: false, help: "Tokens lack the scope webhooks need (GitLab api, GitHub repo with its hooks: public_repo only, Bitbucket webhook, Data Center REPO_ADMIN)." },
  projectNotFound: { initial: false, help: "Projects answer 404 (true: every project; a path: that project only)." },
  instanceTooOld: { initial: false, help: "Self-hosted instances report a version below what forgelink supports." },
  unreachable: { initial: false, help: "Provider connections are reset before any answer." },
  slow: { initial: 0, help: "Provider answers are delayed by this many milliseconds." },
  dropDeliveries: { initial: false, help: "Deliveries are recorded as dropped and not sent, as when a provider disables a failing hook (polling finds what they carried)." },
  rateLimited: { initial: false, help: "API calls are refused as over the rate limit (GitLab 429 with Retry-After, GitHub 403 with x-ratelimit-remaining 0)." },
  signingTokens: { initial: true, help: "GitLab keeps webhook signing tokens (its webhook_signing_token feature flag) and signs each delivery with them as Standard Webhooks do; off, it ignores them and sends the secret token alone." },
});

export function createState() {
  const switches = Object.fromEntries(Object.entries(SWITCHES).map(([name, s]) => [name, s.initial]));
  const projects = {};
  for (const [provider, list] of Object.entries(seed())) {
    // pipelines, commit statuses and pushes are what the triggers recorded, oldest first;
    // comments are notes on merge requests and commits, whoever wrote them.
    projects[provider] = list.map((p) => ({ mergeRequests: [], ...p, provider, name: p.path.split("/").at(-1), hooks: [], pipelines: [], statuses: [], pushes: [], comments: [], createdAt: "2024-03-04T09:30:00.000Z" }));
  }
  const state = {
    account: ACCOUNT,
    switches,
    /** Token values (OAuth and personal) that answer as expired while `expiredToken` is on. */
    expired: new Set(),
    /** Personal, project and HTTP access tokens, by value. */
    tokens: new Map(),
    projects,
    deliveries: [],
    nextHookId: 1,
    nextTokenId: 1,
    nextCommentId: 1,

    /** Whether a switch is on for this provider (and project). */
    on(name, provider, project) {
      const value = switches[name];
      if (value === false || value === 0 || value === undefined || value === null || value === "") return false;
      if (value === true || typeof value === "number") return true;
      const values = Array.isArray(value) ? value : [value];
      return values.some((v) => v === provider || (project !== undefined && String(v).toLowerCase() === String(project).toLowerCase()));
    },

    /** The scopes a token effectively has, once `missingScope` is taken into account. */
    effectiveScopes(provider, scopes) {
      if (!state.on("missingScope", provider)) return [...scopes];
      const swap = { gitlab: { api: "read_api" }, github: { repo: "public_repo", "admin:repo_hook": null, "write:repo_hook": null }, "bitbucket-cloud": { webhook: null }, "bitbucket-data-center": { REPO_ADMIN: "REPO_WRITE", PROJECT_ADMIN: "REPO_WRITE", ADMIN_WRITE: "REPO_WRITE", SYSTEM_ADMIN: "REPO_WRITE" } }[provider];
      const out = [];
      for (const scope of scopes) {
        const replacement = Object.hasOwn(swap, scope) ? swap[scope] : scope;
        if (replacement && !out.includes(replacement)) out.push(replacement);
      }
      return out;
    },

    project(provider, path) {
      const key = String(path).toLowerCase();
      return projects[provider].find((p) => p.path.toLowerCase() === key || String(p.id) === String(path));
    },

    /** A project the API can see right now (`projectNotFound` hides it). */
    visibleProject(provider, path) {
      const project = state.project(provider, path);
      if (!project || state.on("projectNotFound", provider, project.path)) return undefined;
      return project;
    },
  };
  return state;
}
