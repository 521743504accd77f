// GitHub Enterprise Server on its own origin: OAuth App authorization at /login/oauth, REST at
// /api/v3 with the X-OAuth-Scopes headers, repository hooks, token revocation, and the push,
// workflow_run and workflow_job deliveries. Shapes follow GitHub's REST reference ("Users",
// "Repositories", "Repository webhooks", "OAuth authorizations", "Meta") and its "Webhook
// events and payloads" page; what happened on a repository (workflow runs, jobs, pull
// requests, activity, comments) is in github-activity.mjs.

import { randomBytes, timingSafeEqual } from "node:crypto";

import { linkHeader, page, readJson, send, uuid } from "../http.mjs";
import { commitSha, isoSeconds } from "./common.mjs";
import { githubActivity, githubIds } from "./github-activity.mjs";
import { githubApps, REFRESH_TOKEN_TTL } from "./github-app.mjs";

// A release GitHub supports until 2027-03-17 (github/docs enterprise-dates.json); forgelink
// judges that on the caller's clock, so after that day the connection report warns.
export const VERSION = "3.20.3";
const OLD_VERSION = "2.22.0";
const HOOK_READ = ["admin:repo_hook", "read:repo_hook", "repo", "write:repo_hook"];
const HOOK_WRITE = ["admin:repo_hook", "repo", "write:repo_hook"];
const HOOK_ADMIN = ["admin:repo_hook", "repo"];
const ROLE_FLAGS = ["pull", "triage", "push", "maintain", "admin"];

export const SCOPES = [
  "repo", "repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events",
  "admin:repo_hook", "write:repo_hook", "read:repo_hook", "admin:org", "write:org", "read:org",
  "admin:public_key", "write:public_key", "read:public_key", "admin:org_hook", "gist", "notifications",
  "user", "read:user", "user:email", "user:follow", "project", "read:project", "delete_repo",
  "write:packages", "read:packages", "delete:packages", "admin:gpg_key", "write:gpg_key", "read:gpg_key",
  "codespace", "workflow", "read:audit_log", "site_admin",
];

export function github({ state, origin, authenticate, maxPageSize, oauth, deliver }) {
  const baseUrl = origin;
  const api = `${origin}/api/v3`;
  const account = { id: 583231, login: state.account.username, name: state.account.name };
  const version = () => (state.on("instanceTooOld", "github") ? OLD_VERSION : VERSION);
  const docs = () => `https://docs.github.com/enterprise-server@${version().split(".").slice(0, 2).join(".")}/rest`;

  const oauthSpec = {
    provider: "github",
    title: "GitHub Enterprise",
    issuer: `${origin}/login/oauth`,
    prefix: "",
    routes: { authorization: "/login/oauth/authorize", token: "/login/oauth/access_token" },
    scopes: SCOPES,
    pkceRequired: false,
    authMethod: "client_secret_post",
    // OAuth App tokens do not expire; a long lifetime stands in for "never".
    accessTokenTtl: 10 * 365 * 86400,
    codeTtl: 600,
    refreshTokens: false,
    scopeHelp: { repo: "Full control of private repositories", "admin:repo_hook": "Full control of repository hooks", "read:user": "Read all user profile data", "read:org": "Read org and team membership", workflow: "Update GitHub Action workflows" },
    // Host and port must match (any port on loopback); the path may go deeper.
    redirectUriAllowed(registered, value) {
      try {
        const [a, b] = [new URL(registered), new URL(value)];
        const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(a.hostname);
        return a.protocol === b.protocol && a.hostname === b.hostname && (a.port === b.port || loopback) && b.pathname.startsWith(a.pathname.replace(/\/?$/, ""));
      } catch {
        return false;
      }
    },
    // A GitHub App's client id gets expiring ghu_ tokens with rotated ghr_ refresh tokens.
    clientOptions: (clientId) => apps.oauthOptions(clientId),
    // A GitHub App asks for no scopes (its permissions are the app's); the OAuth server grants
    // nothing without one, so the request carries read:user, which the answer leaves out.
    beforeAuthorize(url) {
      if (apps.byClientId(url.searchParams.get("client_id")) && !url.searchParams.get("scope")) url.searchParams.set("scope", "read:user");
    },
    shapeToken(answer) {
      const app = apps.byClientId(answer.clientId);
      if (app && answer.body?.access_token) {
        // "Refreshing user access tokens": both tokens in every answer, with their lifetimes.
        answer.body = { access_token: answer.body.access_token, expires_in: answer.body.expires_in, refresh_token: answer.body.refresh_token, refresh_token_expires_in: REFRESH_TOKEN_TTL, scope: "", token_type: "bearer" };
      } else if (app && answer.body?.error && answer.grantType === "refresh_token") {
        // A spent, revoked or unknown refresh token (GitHub answers with HTTP 200).
        const known = { invalid_grant: ["bad_refresh_token", "The refresh token passed is incorrect or expired."], invalid_client: ["incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."] };
        const [error, description] = known[answer.body.error] ?? [answer.body.error, answer.body.error_description];
        answer.status = 200;
        answer.body = { error, error_description: description, error_uri: "https://docs.github.com/enterprise-server/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens" };
      } else if (answer.body?.access_token) {
        // Comma-separated, without expiry or refresh token: an OAuth App's token.
        answer.body = { access_token: answer.body.access_token, token_type: "bearer", scope: String(answer.body.scope ?? "").split(" ").filter(Boolean).join(",") };
      } else if (answer.body?.error) {
        // GitHub reports token errors with HTTP 200 and its own error names.
        const names = { invalid_grant: ["bad_verification_code", "The code passed is incorrect or expired."], invalid_client: ["incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."] };
        const [error, description] = names[answer.body.error] ?? [answer.body.error, answer.body.error_description];
        answer.status = 200;
        answer.body = { error, error_description: description, error_uri: "https://docs.github.com/enterprise-server/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors" };
      }
      if (!/json/.test(answer.accept ?? "")) {
        answer.type = "application/x-www-form-urlencoded; charset=utf-8";
        answer.text = new URLSearchParams(Object.entries(answer.body ?? {}).map(([k, v]) => [k, String(v)])).toString();
      }
    },
  };

  const newClient = () => ({ clientId: `Iv1.${randomBytes(8).toString("hex")}`, clientSecret: randomBytes(20).toString("hex") });

  const owner = (login) => ({
    login,
    id: login === account.login ? account.id : 90210,
    node_id: login === account.login ? "MDQ6VXNlcjU4MzIzMQ==" : "MDEyOk9yZ2FuaXphdGlvbjkwMjEw",
    avatar_url: `${origin}/avatars/u/${login}`,
    gravatar_id: "",
    url: `${api}/users/${login}`,
    html_url: `${origin}/${login}`,
    followers_url: `${api}/users/${login}/followers`,
    following_url: `${api}/users/${login}/following{/other_user}`,
    gists_url: `${api}/users/${login}/gists{/gist_id}`,
    starred_url: `${api}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${login}/subscriptions`,
    organizations_url: `${api}/users/${login}/orgs`,
    repos_url: `${api}/users/${login}/repos`,
    events_url: `${api}/users/${login}/events{/privacy}`,
    received_events_url: `${api}/users/${login}/received_events`,
    type: login === account.login ? "User" : "Organization",
    site_admin: false,
  });

  const permissions = (role) => Object.fromEntries(ROLE_FLAGS.map((flag, i) => [flag, i <= ROLE_FLAGS.indexOf(role)]));

  const describe = (project) => ({
    id: project.id,
    node_id: Buffer.from(`010:Repository${project.id}`).toString("base64"),
    name: project.name,
    full_name: project.path,
    private: project.visibility === "private",
    owner: owner(project.path.split("/")[0]),
    html_url: `${origin}/${project.path}`,
    description: null,
    fork: false,
    url: `${api}/repos/${project.path}`,
    hooks_url: `${api}/repos/${project.path}/hooks`,
    git_url: `git://${new URL(origin).host}/${project.path}.git`,
    ssh_url: `git@${new URL(origin).hostname}:${project.path}.git`,
    clone_url: `${origin}/${project.path}.git`,
    created_at: isoSeconds(new Date(project.createdAt)),
    updated_at: "2026-11-20T16:42:10Z",
    pushed_at: "2026-11-20T16:42:08Z",
    size: 1024,
    default_branch: project.defaultBranch,
    visibility: project.visibility,
    archived: false,
    disabled: false,
    permissions: permissions(project.role),
  });

  const activity = githubActivity({ state, origin, api, account, owner, describe, maxPageSize });
  const apps = githubApps({ state, origin, api, owner, describe, docs, version, oauth, deliver });

  const describeHook = (project, hook) => ({
    type: "Repository",
    id: hook.id,
    name: "web",
    active: hook.active,
    events: hook.events,
    config: { content_type: hook.data.content_type ?? "form", insecure_ssl: hook.data.insecure_ssl ?? "0", url: hook.url, ...(hook.secret ? { secret: "********" } : {}) },
    updated_at: hook.updatedAt ?? hook.createdAt,
    created_at: hook.createdAt,
    url: `${api}/repos/${project.path}/hooks/${hook.id}`,
    test_url: `${api}/repos/${project.path}/hooks/${hook.id}/test`,
    ping_url: `${api}/repos/${project.path}/hooks/${hook.id}/pings`,
    deliveries_url: `${api}/repos/${project.path}/hooks/${hook.id}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  });

  async function handle(req, res, url) {
    const path = url.pathname.slice("/api/v3".length);
    // The Date header follows the sandbox's GitHub App clock (which tests may move), as forgelink
    // reads token expiry against it.
    const common = { date: new Date(apps.now()).toUTCString(), "x-github-media-type": "github.v3; format=json", "x-github-enterprise-version": version(), "x-github-request-id": randomBytes(8).toString("hex").toUpperCase() };
    const reply = (status, body, headers = {}) => send(res, status, body, { ...common, ...headers });
    const notFound = (headers = {}) => reply(404, { message: "Not Found", documentation_url: docs(), status: "404" }, headers);

    if (req.method === "DELETE" && /^\/applications\/[^/]+\/token$/.test(path)) return revoke(req, decodeURIComponent(path.split("/")[2]), reply);
    if (req.method === "GET" && path === "/meta") {
      return reply(200, { verifiable_password_authentication: true, installed_version: version(), hooks: [], git: [], web: [], api: [], packages: [], pages: [], importer: [] });
    }
    const pager = (items) => {
      const p = page(items, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("per_page"), fallback: 30, max: Math.min(100, maxPageSize) });
      return { items: p.items, headers: p.totalPages > 1 ? { link: linkHeader(url.href, p, "page", { first: p.number > 1 }) } : {} };
    };
    // GitHub Apps: manifest conversions and the JWT routes (github-app.mjs).
    const appAnswer = await apps.handleApi(req, url, path, { page: pager });
    if (appAnswer) return reply(appAnswer.status, appAnswer.body, appAnswer.headers);
    const bearer = (req.headers.authorization ?? "").match(/^(?:Bearer|token)\s+(\S+)$/i)?.[1];
    let who = bearer?.startsWith("ghs_") ? apps.identify(bearer) : await authenticate("github", req);
    if (!who.error && who.kind === "oauth") who = { ...who, ...apps.identify(who.value, who.token) };
    if (who.error === "suspended") return reply(403, { message: "This installation has been suspended", documentation_url: docs(), status: "403" });
    if (who.error) return reply(401, { message: "Bad credentials", documentation_url: docs(), status: "401" });
    // Classic and OAuth tokens list their scopes; fine-grained ones would not, nor GitHub Apps' tokens.
    const scopes = who.scopes;
    const app = Boolean(who.repositoryIds);
    const has = (accepted) => scopes.some((s) => accepted.includes(s));
    const scoped = (accepted) => (app ? { ...common } : { ...common, "x-oauth-scopes": scopes.join(", "), "x-accepted-oauth-scopes": accepted.join(", ") });
    const answer = (status, body, accepted = []) => send(res, status, body, scoped(accepted));
    const notAccessible = () => reply(403, { message: "Resource not accessible by integration", documentation_url: docs(), status: "403" });

    if (who.kind === "installation") {
      const answered = apps.handleInstallation(req, url, path, who, { page: pager });
      if (answered) return reply(answered.status, answered.body, answered.headers);
      // An installation acts for no person: the person's own routes are not its to read.
      if (path === "/user" || path.startsWith("/user/")) return notAccessible();
    }
    if (path.startsWith("/user/installations")) {
      const answered = apps.handleUserInstallations(req, url, path, who, { page: pager });
      if (answered) return send(res, answered.status, answered.body, { ...scoped([]), ...answered.headers });
    }
    if (req.method === "GET" && path === "/user") {
      return answer(200, { ...owner(account.login), name: account.name, company: null, blog: "", location: null, email: null, hireable: null, bio: null, public_repos: 0, followers: 0, following: 0, created_at: "2024-01-15T10:00:00Z", updated_at: "2026-11-01T08:00:00Z" });
    }
    if (req.method === "GET" && path === "/user/repos") {
      // Private repositories are listed only to tokens with repo.
      const all = state.projects.github.filter((p) => (p.visibility === "public" || has(["repo"])) && (!app || who.repositoryIds.has(p.id))).sort((a, b) => a.path.localeCompare(b.path));
      const p = page(all, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("per_page"), fallback: 30, max: Math.min(100, maxPageSize) });
      const headers = scoped([]);
      if (p.totalPages > 1) headers.link = linkHeader(url.href, p, "page", { first: p.number > 1 });
      return send(res, 200, p.items.map(describe), headers);
    }
    const listing = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (listing && !/^hooks(\/|$)/.test(listing[3])) {
      const project = state.visibleProject("github", `${decodeURIComponent(listing[1])}/${decodeURIComponent(listing[2])}`);
      if (!project || (project.visibility === "private" && !has(["repo"])) || (app && !who.repositoryIds.has(project.id))) return notFound(scoped(["repo"]));
      const headers = scoped(["repo"]);
      const answered = await activity.handle(req, res, url, project, listing[3], {
        headers,
        canWrite: app ? who.canWrite : has(["repo"]),
        notFound: () => notFound(headers),
        validation: (field, value, status = 422, message = null) =>
          send(res, status, message ? { message, documentation_url: docs(), status: String(status) } : { message: "Validation Failed", errors: [{ resource: "Issue", code: value === undefined ? "missing_field" : "invalid", field }], documentation_url: docs(), status: String(status) }, headers),
      });
      if (answered === "scope" || !answered) notFound(headers);
      return;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/hooks(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return notFound(scoped([]));
    const project = state.visibleProject("github", `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`);
    // A private repository the token may not see is "Not Found", never "Forbidden".
    if (!project || (project.visibility === "private" && !has(["repo"])) || (app && !who.repositoryIds.has(project.id))) return notFound(scoped(["repo"]));
    if (!match[3]) return answer(200, describe(project), ["repo"]);
    const write = req.method !== "GET";
    // "The repo and public_repo scopes grant full access to repositories, including repository
    // hooks" ("Scopes for OAuth apps"): public_repo for public repositories only.
    const hookScopes = req.method === "DELETE" ? HOOK_ADMIN : write ? HOOK_WRITE : HOOK_READ;
    const accepted = project.visibility === "public" ? [...hookScopes, "public_repo"] : hookScopes;
    // An app without the repository_hooks permission is told so; an OAuth token is not.
    if (app ? !(write ? who.hookAccess === "write" : who.hookAccess) : !has(accepted)) return app ? notAccessible() : notFound(scoped(accepted));
    // Only repository admins manage hooks; GitHub hides them from everyone else. An installation
    // acts on its own permissions, not a person's role.
    if (project.role !== "admin" && who.kind !== "installation") return notFound(scoped(accepted));
    const hookId = match[4];
    if (hookId === undefined && req.method === "GET") {
      const p = page(project.hooks, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("per_page"), fallback: 30, max: Math.min(100, maxPageSize) });
      const headers = scoped(accepted);
      if (p.totalPages > 1) headers.link = linkHeader(url.href, p, "page", { first: p.number > 1 });
      return send(res, 200, p.items.map((h) => describeHook(project, h)), headers);
    }
    if (hookId === undefined && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      const config = body.config ?? {};
      if (typeof config.url !== "string" || !config.url) return answer(422, { message: "Validation Failed", errors: [{ resource: "Hook", code: "custom", message: "Config must contain url for webhook hook" }], documentation_url: docs(), status: "422" }, accepted);
      if (project.hooks.some((h) => h.url === config.url)) return answer(422, { message: "Validation Failed", errors: [{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }], documentation_url: docs(), status: "422" }, accepted);
      const hook = { id: 400000 + state.nextHookId++, url: config.url, secret: config.secret || null, events: body.events?.length ? body.events : ["push"], active: body.active ?? true, createdAt: isoSeconds(new Date()), data: { content_type: config.content_type ?? "form", insecure_ssl: String(config.insecure_ssl ?? "0") } };
      project.hooks.push(hook);
      return answer(201, describeHook(project, hook), accepted);
    }
    const hook = project.hooks.find((h) => String(h.id) === hookId);
    if (!hook) return notFound(scoped(accepted));
    if (req.method === "GET") return answer(200, describeHook(project, hook), accepted);
    if (req.method === "PATCH") {
      const body = (await readJson(req)) ?? {};
      if (body.config) {
        if (typeof body.config.url === "string") hook.url = body.config.url;
        if (Object.hasOwn(body.config, "secret")) hook.secret = body.config.secret || null;
        if (body.config.content_type) hook.data.content_type = body.config.content_type;
        if (body.config.insecure_ssl !== undefined) hook.data.insecure_ssl = String(body.config.insecure_ssl);
      }
      if (Array.isArray(body.events)) hook.events = body.events;
      if (typeof body.active === "boolean") hook.active = body.active;
      hook.updatedAt = isoSeconds(new Date());
      return answer(200, describeHook(project, hook), accepted);
    }
    if (req.method === "DELETE") {
      project.hooks.splice(project.hooks.indexOf(hook), 1);
      return send(res, 204, undefined, scoped(accepted));
    }
    return answer(404, { message: "Not Found", documentation_url: docs(), status: "404" }, accepted);
  }

  /**
   * `DELETE /applications/{client_id}/token`: the application's own Basic credentials, the token
   * in the body. It revokes that token alone; the person's authorization of the application and
   * any newer token it issued keep working ("Delete an app token", docs.github.com/en/rest/apps/
   * oauth-applications). Revoking the grant is another endpoint, `…/grant`.
   */
  async function revoke(req, clientId, reply) {
    const [user, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic\s+/i, ""), "base64").toString("utf8").split(":");
    const client = oauth().clients.get(clientId);
    const same = (a, b) => typeof a === "string" && typeof b === "string" && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
    if (!client || user !== clientId || !same(secret, client.secret)) return reply(404, { message: "Not Found", documentation_url: docs(), status: "404" });
    const body = (await readJson(req)) ?? {};
    const token = await oauth().findAccessToken(body.access_token);
    if (!token || token.clientId !== clientId) return reply(404, { message: "Not Found", documentation_url: docs(), status: "404" });
    await oauth().revokeToken(token);
    return reply(204);
  }

  const KINDS = { push: "push", pipeline_failed: "workflow_run", job_failed: "workflow_job" };

  function delivery(project, hook, kind) {
    const event = KINDS[kind];
    if (!hook.active || !(hook.events.includes(event) || hook.events.includes("*"))) return undefined;
    const repository = describe(project);
    delete repository.permissions;
    const sender = owner(account.login);
    const sha = commitSha(project.path);
    const before = commitSha(`${project.path}~1`);
    const now = new Date();
    const started = new Date(now - 150_000);
    const { runId, testJobId: jobId } = githubIds(project);
    const enterprise = { id: 1, slug: "acme", name: "Acme", html_url: `${origin}/enterprises/acme` };
    const headCommit = { id: sha, tree_id: commitSha(`${project.path}^{tree}`), distinct: true, message: "Build the runner image on bookworm", timestamp: isoSeconds(now), url: `${origin}/${project.path}/commit/${sha}`, author: { name: account.name, email: state.account.email, username: account.login }, committer: { name: account.name, email: state.account.email, username: account.login }, added: ["Dockerfile"], removed: [], modified: ["README.md"] };
    let body;
    if (kind === "push") {
      body = {
        ref: `refs/heads/${project.defaultBranch}`,
        before,
        after: sha,
        repository: { ...repository, master_branch: project.defaultBranch, stargazers: 0, pushed_at: Math.floor(now / 1000) },
        pusher: { name: account.login, email: state.account.email },
        enterprise,
        sender,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${origin}/${project.path}/compare/${before.slice(0, 12)}...${sha.slice(0, 12)}`,
        commits: [headCommit],
        head_commit: headCommit,
      };
    } else if (kind === "pipeline_failed") {
      body = {
        action: "completed",
        workflow_run: {
          id: runId,
          name: "CI",
          node_id: Buffer.from(`WFR_${runId}`).toString("base64"),
          head_branch: project.defaultBranch,
          head_sha: sha,
          path: ".github/workflows/ci.yml",
          display_title: headCommit.message,
          run_number: 42,
          event: "push",
          status: "completed",
          conclusion: "failure",
          workflow_id: 161335,
          check_suite_id: 9_100_000 + project.id,
          url: `${api}/repos/${project.path}/actions/runs/${runId}`,
          html_url: `${origin}/${project.path}/actions/runs/${runId}`,
          pull_requests: [],
          created_at: isoSeconds(started),
          updated_at: isoSeconds(now),
          actor: sender,
          triggering_actor: sender,
          run_attempt: 1,
          run_started_at: isoSeconds(started),
          jobs_url: `${api}/repos/${project.path}/actions/runs/${runId}/jobs`,
          logs_url: `${api}/repos/${project.path}/actions/runs/${runId}/logs`,
          head_commit: { id: sha, tree_id: headCommit.tree_id, message: headCommit.message, timestamp: headCommit.timestamp, author: { name: account.name, email: state.account.email }, committer: { name: account.name, email: state.account.email } },
          repository,
          head_repository: repository,
        },
        workflow: { id: 161335, node_id: "W_kwDOABCD", name: "CI", path: ".github/workflows/ci.yml", state: "active", created_at: "2024-03-04T09:30:00Z", updated_at: "2024-03-04T09:30:00Z", url: `${api}/repos/${project.path}/actions/workflows/161335`, html_url: `${origin}/${project.path}/blob/${project.defaultBranch}/.github/workflows/ci.yml` },
        repository,
        enterprise,
        sender,
      };
    } else {
      body = {
        action: "completed",
        workflow_job: {
          id: jobId,
          run_id: runId,
          workflow_name: "CI",
          head_branch: project.defaultBranch,
          run_url: `${api}/repos/${project.path}/actions/runs/${runId}`,
          run_attempt: 1,
          node_id: Buffer.from(`CR_${jobId}`).toString("base64"),
          head_sha: sha,
          url: `${api}/repos/${project.path}/actions/jobs/${jobId}`,
          html_url: `${origin}/${project.path}/actions/runs/${runId}/job/${jobId}`,
          status: "completed",
          conclusion: "failure",
          created_at: isoSeconds(started),
          started_at: isoSeconds(new Date(started.getTime() + 3000)),
          completed_at: isoSeconds(now),
          name: "smoke-test",
          steps: [
            { name: "Set up job", status: "completed", conclusion: "success", number: 1, started_at: isoSeconds(started), completed_at: isoSeconds(new Date(started.getTime() + 2000)) },
            { name: "Run smoke tests", status: "completed", conclusion: "failure", number: 2, started_at: isoSeconds(new Date(started.getTime() + 2000)), completed_at: isoSeconds(now) },
          ],
          check_run_url: `${api}/repos/${project.path}/check-runs/${jobId}`,
          labels: ["self-hosted", "linux"],
          runner_id: 12,
          runner_name: "ghes-runner-1",
          runner_group_id: 1,
          runner_group_name: "Default",
        },
        repository,
        enterprise,
        sender,
      };
    }
    const id = uuid();
    return {
      event,
      body: JSON.stringify(body),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/8f3c2a1",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": id,
        "X-GitHub-Hook-ID": String(hook.id),
        "X-GitHub-Hook-Installation-Target-ID": String(project.id),
        "X-GitHub-Hook-Installation-Target-Type": "repository",
        "X-GitHub-Enterprise-Host": new URL(origin).host,
        "X-GitHub-Enterprise-Version": version(),
      },
      deliveryId: id,
      // Signed by the deliverer with the hook's secret: X-Hub-Signature (SHA-1) and X-Hub-Signature-256.
      sign: hook.secret ? { secret: hook.secret, headers: [["X-Hub-Signature", "sha1"], ["X-Hub-Signature-256", "sha256"]] } : undefined,
    };
  }

  return {
    id: "github",
    title: "GitHub Enterprise Server",
    baseUrl,
    oauthSpec,
    newClient,
    owns: (pathname) => pathname.startsWith("/api/v3/"),
    api: handle,
    apps,
    kinds: Object.keys(KINDS),
    delivery,
    record: activity.record,
    describeHook,
    defaultScopes: ["repo", "admin:repo_hook", "read:user", "read:org", "workflow"],
  };
}
