// GitLab self-managed under a relative URL root: its OAuth 2.0 provider (Doorkeeper), the
// REST API v4 paths forgelink calls, project hooks, and the Push, Pipeline and Job Hook
// payloads. Shapes follow GitLab's "OAuth 2.0 identity provider API", "Projects API",
// "Project webhooks API" and "Webhook events" pages; what happened on a project (pipelines,
// jobs, merge requests, push events, notes) is in gitlab-activity.mjs.

import { randomBytes } from "node:crypto";

import { readJson, send, uuid } from "../http.mjs";
import { GITLAB_LEVELS } from "../data.mjs";
import { commitSha, isoSeconds } from "./common.mjs";
import { gitlabActivity, gitlabIds, sendGitLabPage } from "./gitlab-activity.mjs";

const PREFIX = "/gitlab";
export const VERSION = "17.5.1-ee";
const OLD_VERSION = "8.17.8";
const READ_SCOPES = ["api", "read_api"];
const USER_SCOPES = ["api", "read_api", "read_user"];
const HOOK_FLAGS = [
  "push_events",
  "tag_push_events",
  "merge_requests_events",
  "issues_events",
  "confidential_issues_events",
  "note_events",
  "confidential_note_events",
  "pipeline_events",
  "job_events",
  "wiki_page_events",
  "deployment_events",
  "feature_flag_events",
  "releases_events",
  "repository_update_events",
  "resource_access_token_events",
];

export const SCOPES = ["api", "read_api", "read_user", "read_repository", "write_repository", "read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry", "read_observability", "write_observability", "read_service_ping", "self_rotate", "sudo", "admin_mode", "create_runner", "manage_runner", "k8s_proxy", "ai_features", "openid", "profile", "email"];

export function gitlab({ state, origin, authenticate, maxPageSize }) {
  const baseUrl = `${origin}${PREFIX}`;
  const account = { id: 7, username: state.account.username, name: state.account.name };
  const version = () => (state.on("instanceTooOld", "gitlab") ? OLD_VERSION : VERSION);

  const oauthSpec = {
    provider: "gitlab",
    title: "GitLab",
    issuer: baseUrl,
    prefix: PREFIX,
    routes: { authorization: "/oauth/authorize", token: "/oauth/token", revocation: "/oauth/revoke" },
    scopes: SCOPES,
    pkceRequired: false,
    authMethod: "client_secret_post",
    accessTokenTtl: 7200,
    codeTtl: 600,
    refreshTokens: true,
    scopeHelp: { api: "Read and write everything the account can", read_api: "Read the API", read_user: "Read your profile", write_repository: "Push over HTTP", read_repository: "Clone over HTTP" },
    shapeToken(answer) {
      if (answer.body?.access_token) {
        // Doorkeeper names the bearer type with a capital B and states when it made the token.
        answer.body = { access_token: answer.body.access_token, token_type: "Bearer", expires_in: answer.body.expires_in, refresh_token: answer.body.refresh_token, scope: answer.body.scope, created_at: answer.issuedAt };
      }
    },
  };

  const newClient = () => ({ clientId: randomBytes(32).toString("hex"), clientSecret: `gloas-${randomBytes(32).toString("hex")}` });

  const namespaceOf = (project) => {
    const parts = project.path.split("/");
    const full = parts.slice(0, -1).join("/");
    return { id: 900 + full.length, name: parts.at(-2), path: parts.at(-2), kind: full === account.username ? "user" : "group", full_path: full, parent_id: null, avatar_url: null, web_url: `${baseUrl}/${full}` };
  };

  const describe = (project) => {
    const level = GITLAB_LEVELS[project.role];
    const personal = project.path.startsWith(`${account.username}/`);
    const url = `${baseUrl}/${project.path}`;
    return {
      id: project.id,
      description: project.description,
      name: project.name,
      name_with_namespace: project.path.split("/").join(" / "),
      path: project.name,
      path_with_namespace: project.path,
      created_at: project.createdAt,
      default_branch: project.defaultBranch,
      tag_list: [],
      topics: [],
      ssh_url_to_repo: `ssh://git@${new URL(origin).host}${PREFIX}/${project.path}.git`,
      http_url_to_repo: `${url}.git`,
      web_url: url,
      readme_url: `${url}/-/blob/${project.defaultBranch}/README.md`,
      avatar_url: null,
      forks_count: 0,
      star_count: 0,
      last_activity_at: "2026-11-20T16:42:10.118Z",
      namespace: namespaceOf(project),
      repository_object_format: project.objectFormat,
      visibility: project.visibility,
      archived: false,
      empty_repo: false,
      // Inherited from the group, or given on the project itself (personal projects).
      permissions: personal
        ? { project_access: { access_level: level, notification_level: 3 }, group_access: null }
        : { project_access: null, group_access: { access_level: level, notification_level: 3 } },
    };
  };

  const describeHook = (project, hook) => ({
    id: hook.id,
    url: hook.url,
    name: hook.data.name ?? "",
    description: hook.data.description ?? "",
    project_id: project.id,
    ...Object.fromEntries(HOOK_FLAGS.map((flag) => [flag, hook.events.includes(flag)])),
    push_events_branch_filter: hook.data.push_events_branch_filter ?? "",
    branch_filter_strategy: "wildcard",
    enable_ssl_verification: hook.data.enable_ssl_verification ?? true,
    // Only an instance with signing tokens knows these fields ("Project webhooks API").
    ...(signingTokens() ? { token_present: Boolean(hook.secret), signing_token_present: Boolean(hook.signingToken) } : {}),
    alert_status: "executable",
    disabled_until: null,
    url_variables: [],
    custom_webhook_template: "",
    custom_headers: [],
    created_at: hook.createdAt,
  });

  const user = () => ({
    id: account.id,
    username: account.username,
    name: account.name,
    state: "active",
    locked: false,
    avatar_url: `${baseUrl}/uploads/-/system/user/avatar/${account.id}/avatar.png`,
    web_url: `${baseUrl}/${account.username}`,
    created_at: "2024-01-15T10:00:00.000Z",
    bio: "",
    public_email: null,
  });

  const activity = gitlabActivity({ state, baseUrl, account, user, maxPageSize });

  const expiredBody = { error: "invalid_token", error_description: "Token is expired. You can either do re-authorization or token refresh." };
  const challenge = (error, description) => `Bearer realm="Protected by OAuth 2.0", error="${error}", error_description="${description}"`;

  function insufficient(res, allowed) {
    send(
      res,
      403,
      { error: "insufficient_scope", error_description: "The request requires higher privileges than provided by the access token.", scope: allowed.join(" ") },
      { "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", scope="${allowed.join(" ")}"` },
    );
  }

  async function api(req, res, url) {
    const path = url.pathname.slice(PREFIX.length);
    const who = await authenticate("gitlab", req);
    if (who.error === "expired") return send(res, 401, expiredBody, { "www-authenticate": challenge("invalid_token", expiredBody.error_description) });
    if (who.error) return send(res, 401, { message: "401 Unauthorized" });
    const has = (allowed) => who.scopes.some((s) => allowed.includes(s));
    const write = req.method !== "GET" && req.method !== "HEAD";

    if (path === "/oauth/token/info") {
      if (who.kind !== "oauth") return send(res, 401, { error: "invalid_token", error_description: "The access token is invalid", state: "unauthorized" });
      const remaining = Math.max(0, who.token.exp - Math.floor(Date.now() / 1000));
      return send(res, 200, { resource_owner_id: account.id, scope: who.scopes, expires_in: remaining, application: { uid: who.clientId }, created_at: who.token.iat, scopes: who.scopes, expires_in_seconds: remaining });
    }
    if (req.method === "GET" && path === "/api/v4/user") return has(USER_SCOPES) ? send(res, 200, user()) : insufficient(res, USER_SCOPES);
    if (req.method === "GET" && (path === "/api/v4/version" || path === "/api/v4/metadata")) {
      if (!has(USER_SCOPES)) return insufficient(res, USER_SCOPES);
      const body = { version: version(), revision: "5b4a6e1f0c2" };
      return send(res, 200, path.endsWith("version") ? body : { ...body, kas: { enabled: false, externalUrl: null, version: null }, enterprise: true });
    }
    if (req.method === "GET" && path === "/api/v4/personal_access_tokens/self") {
      if (who.kind !== "personal") return send(res, 404, { message: "404 Not Found" });
      const t = who.personal;
      return send(res, 200, { id: t.id, name: t.name, revoked: false, created_at: t.createdAt, description: null, scopes: who.scopes, user_id: account.id, last_used_at: new Date().toISOString(), active: true, expires_at: t.expiresAt ? t.expiresAt.slice(0, 10) : null });
    }
    if (req.method === "GET" && path === "/api/v4/projects") {
      if (!has(READ_SCOPES)) return insufficient(res, READ_SCOPES);
      const search = (url.searchParams.get("search") ?? "").toLowerCase();
      const all = state.projects.gitlab
        .filter((p) => !search || p.path.toLowerCase().includes(search))
        .sort((a, b) => (url.searchParams.get("order_by") === "path" ? a.path.localeCompare(b.path) : b.id - a.id));
      if (url.searchParams.get("sort") === "desc" && url.searchParams.get("order_by") === "path") all.reverse();
      return sendGitLabPage(res, url, all, describe, maxPageSize);
    }
    const listing = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(path);
    if (listing && !/^hooks(\/|$)/.test(listing[2])) {
      if (!has(READ_SCOPES)) return insufficient(res, READ_SCOPES);
      const project = state.visibleProject("gitlab", decodeURIComponent(listing[1]));
      if (!project) return send(res, 404, { message: "404 Project Not Found" });
      const answered = await activity.handle(req, res, url, project, listing[2], { canWrite: has(["api"]) });
      if (answered === "scope") return insufficient(res, ["api"]);
      if (!answered) send(res, 404, { error: "404 Not Found" });
      return;
    }
    const match = /^\/api\/v4\/projects\/([^/]+)(\/hooks(?:\/([^/]+))?)?$/.exec(url.pathname.slice(PREFIX.length));
    if (!match) return send(res, 404, { error: "404 Not Found" });
    if (!has(write ? ["api"] : READ_SCOPES)) return insufficient(res, write ? ["api"] : READ_SCOPES);
    const project = state.visibleProject("gitlab", decodeURIComponent(match[1]));
    if (!project) return send(res, 404, { message: "404 Project Not Found" });
    if (!match[2]) return req.method === "GET" ? send(res, 200, describe(project)) : send(res, 405, { error: "405 Method Not Allowed" });
    // Webhooks are managed by Maintainers and Owners; a project access token's role caps the person's.
    const level = Math.min(GITLAB_LEVELS[project.role], who.role ? GITLAB_LEVELS[who.role] : Infinity);
    if (level < GITLAB_LEVELS.maintainer) return send(res, 403, { message: "403 Forbidden" });
    const hookId = match[3];
    if (hookId === undefined && req.method === "GET") {
      return sendGitLabPage(res, url, project.hooks, (h) => describeHook(project, h), maxPageSize);
    }
    if (hookId === undefined && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) return send(res, 400, { message: { url: ["is blocked: Only allowed schemes are http, https"] } });
      if (project.hooks.length >= 100) return send(res, 422, { message: { base: ["Maximum number of project hooks (100) exceeded"] } });
      const signingToken = signingTokenOf(body);
      if (signingToken instanceof Error) return send(res, 400, { message: { signing_token: [signingToken.message] } });
      const hook = { id: state.nextHookId++, url: body.url, secret: body.token ?? null, signingToken: signingToken ?? null, events: flags(body, []), createdAt: new Date().toISOString(), data: pick(body) };
      project.hooks.push(hook);
      return send(res, 201, describeHook(project, hook));
    }
    const hook = project.hooks.find((h) => String(h.id) === hookId);
    if (!hook) return send(res, 404, { message: "404 Not found" });
    if (req.method === "GET") return send(res, 200, describeHook(project, hook));
    if (req.method === "PUT") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url === "string") hook.url = body.url;
      // GitLab keeps the old token when an update does not send one.
      if (Object.hasOwn(body, "token")) hook.secret = body.token;
      const signingToken = signingTokenOf(body);
      if (signingToken instanceof Error) return send(res, 400, { message: { signing_token: [signingToken.message] } });
      if (signingToken !== undefined) hook.signingToken = signingToken;
      hook.events = flags(body, hook.events);
      Object.assign(hook.data, pick(body));
      return send(res, 200, describeHook(project, hook));
    }
    if (req.method === "DELETE") {
      project.hooks.splice(project.hooks.indexOf(hook), 1);
      return send(res, 204);
    }
    return send(res, 405, { error: "405 Method Not Allowed" });
  }

  /** Whether this instance keeps webhook signing tokens (GitLab's `webhook_signing_token` flag). */
  function signingTokens() {
    return state.on("signingTokens", "gitlab");
  }

  /**
   * The signing token a create or update sets: undefined when it names none or the instance
   * ignores the field (the flag off), an Error when it is not `whsec_` and the base64 of 32 bytes.
   */
  function signingTokenOf(body) {
    if (!signingTokens() || typeof body.signing_token !== "string") return undefined;
    const key = body.signing_token.startsWith("whsec_") ? Buffer.from(body.signing_token.slice(6), "base64") : null;
    if (!key || key.length !== 32 || key.toString("base64") !== body.signing_token.slice(6)) return new Error("must be whsec_ followed by the base64 of 32 bytes");
    return body.signing_token;
  }

  /** The flags a create or update sets: GitLab turns push_events on unless told otherwise. */
  function flags(body, current) {
    const set = new Set(current.length ? current : ["push_events"]);
    for (const flag of HOOK_FLAGS) {
      if (body[flag] === true) set.add(flag);
      if (body[flag] === false) set.delete(flag);
    }
    return HOOK_FLAGS.filter((f) => set.has(f));
  }

  function pick(body) {
    const out = {};
    for (const key of ["name", "description", "enable_ssl_verification", "push_events_branch_filter"]) if (Object.hasOwn(body, key)) out[key] = body[key];
    return out;
  }

  const KINDS = {
    push: { flag: "push_events", event: "Push Hook" },
    pipeline_failed: { flag: "pipeline_events", event: "Pipeline Hook" },
    job_failed: { flag: "job_events", event: "Job Hook" },
  };

  /** The delivery GitLab would send `hook` for `kind`, or undefined when the hook is not subscribed. */
  function delivery(project, hook, kind) {
    const { flag, event } = KINDS[kind];
    if (!hook.events.includes(flag)) return undefined;
    const web = `${baseUrl}/${project.path}`;
    const sha = commitSha(project.path, project.objectFormat === "sha256" ? 64 : 40);
    const before = commitSha(`${project.path}~1`, sha.length);
    // A pipeline's times are the ones the API lists for it: its finished_at names the attempt
    // in both, to the second.
    const recorded = kind === "push" ? undefined : project.pipelines?.find((p) => p.id === gitlabIds(project).pipelineId);
    const when = recorded ? new Date(recorded.finishedAt) : new Date();
    const projectObject = {
      id: project.id,
      name: project.name,
      description: project.description,
      web_url: web,
      avatar_url: null,
      git_ssh_url: `ssh://git@${new URL(origin).host}${PREFIX}/${project.path}.git`,
      git_http_url: `${web}.git`,
      namespace: project.path.split("/").at(-2),
      visibility_level: 0,
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      ci_config_path: null,
      homepage: web,
      url: `${web}.git`,
      ssh_url: `ssh://git@${new URL(origin).host}${PREFIX}/${project.path}.git`,
      http_url: `${web}.git`,
    };
    const repository = { name: project.name, url: `${web}.git`, description: project.description, homepage: web, git_http_url: `${web}.git`, git_ssh_url: projectObject.git_ssh_url, visibility_level: 0 };
    const person = { id: account.id, name: account.name, username: account.username, avatar_url: user().avatar_url, email: "[REDACTED]" };
    const commit = { id: sha, message: "Build the runner image on bookworm\n", title: "Build the runner image on bookworm", timestamp: isoSeconds(when), url: `${web}/-/commit/${sha}`, author: { name: account.name, email: state.account.email } };
    const { pipelineId, imageJobId, testJobId } = gitlabIds(project);
    let body;
    if (kind === "push") {
      body = {
        object_kind: "push",
        event_name: "push",
        before,
        after: sha,
        ref: `refs/heads/${project.defaultBranch}`,
        ref_protected: true,
        checkout_sha: sha,
        message: null,
        user_id: account.id,
        user_name: account.name,
        user_username: account.username,
        user_email: "",
        user_avatar: user().avatar_url,
        project_id: project.id,
        project: projectObject,
        commits: [{ ...commit, added: ["Dockerfile"], modified: ["README.md"], removed: [] }],
        total_commits_count: 1,
        push_options: {},
        repository,
      };
    } else if (kind === "pipeline_failed") {
      body = {
        object_kind: "pipeline",
        object_attributes: {
          id: pipelineId,
          iid: 12,
          name: null,
          ref: project.defaultBranch,
          tag: false,
          sha,
          before_sha: before,
          source: "push",
          status: "failed",
          detailed_status: "failed",
          stages: ["build", "test"],
          created_at: gitlabTime(new Date(when - 180_000)),
          finished_at: gitlabTime(when),
          duration: 171,
          queued_duration: 4,
          variables: [],
          url: `${web}/-/pipelines/${pipelineId}`,
        },
        merge_request: null,
        user: person,
        project: projectObject,
        commit,
        builds: [
          { id: imageJobId, stage: "build", name: "image", status: "success", created_at: gitlabTime(new Date(when - 180_000)), started_at: gitlabTime(new Date(when - 176_000)), finished_at: gitlabTime(new Date(when - 90_000)), duration: 86, queued_duration: 4, failure_reason: null, when: "on_success", manual: false, allow_failure: false, user: person, runner: null, artifacts_file: { filename: null, size: null }, environment: null },
          { id: testJobId, stage: "test", name: "smoke-test", status: "failed", created_at: gitlabTime(new Date(when - 180_000)), started_at: gitlabTime(new Date(when - 88_000)), finished_at: gitlabTime(when), duration: 85, queued_duration: 2, failure_reason: "script_failure", when: "on_success", manual: false, allow_failure: false, user: person, runner: null, artifacts_file: { filename: null, size: null }, environment: null },
        ],
      };
    } else {
      const buildId = testJobId;
      body = {
        object_kind: "build",
        ref: project.defaultBranch,
        tag: false,
        before_sha: before,
        sha,
        retries_count: 0,
        build_id: buildId,
        build_name: "smoke-test",
        build_stage: "test",
        build_status: "failed",
        build_created_at: isoSeconds(new Date(when - 180_000)),
        build_started_at: isoSeconds(new Date(when - 88_000)),
        build_finished_at: isoSeconds(when),
        build_duration: 85.3,
        build_queued_duration: 2.1,
        build_allow_failure: false,
        build_failure_reason: "script_failure",
        pipeline_id: pipelineId,
        runner: { id: 12, description: "shared-runner-1", runner_type: "instance_type", active: true, is_shared: true, tags: ["docker"] },
        project_id: project.id,
        project_name: project.path.split("/").join(" / "),
        user: person,
        commit: { id: pipelineId, name: null, sha, message: commit.message, author_name: account.name, author_email: state.account.email, author_url: `${baseUrl}/${account.username}`, status: "failed", duration: 171, started_at: gitlabTime(new Date(when - 176_000)), finished_at: gitlabTime(when) },
        repository,
        project: projectObject,
        environment: null,
      };
    }
    const id = uuid();
    return {
      event,
      body: JSON.stringify(body),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": `GitLab/${VERSION}`,
        "X-Gitlab-Event": event,
        "X-Gitlab-Webhook-UUID": hook.uuid ?? (hook.uuid = uuid()),
        "X-Gitlab-Instance": baseUrl,
        "X-Gitlab-Event-UUID": id,
        // GitLab 17.4+ repeats this key on every retry of one event.
        "Idempotency-Key": id,
        ...(hook.secret ? { "X-Gitlab-Token": hook.secret } : {}),
      },
      deliveryId: id,
      // A hook with a signing token is also signed as Standard Webhooks do, with the
      // Idempotency-Key as webhook-id (deliveries.mjs signs each attempt at its own time).
      ...(hook.signingToken ? { standard: { id, key: Buffer.from(hook.signingToken.slice("whsec_".length), "base64") } } : {}),
    };
  }

  return {
    id: "gitlab",
    title: "GitLab self-managed",
    baseUrl,
    oauthSpec,
    newClient,
    owns: (pathname) => pathname.startsWith(`${PREFIX}/api/v4/`) || pathname === `${PREFIX}/oauth/token/info`,
    api,
    kinds: Object.keys(KINDS),
    delivery,
    record: activity.record,
    describeProject: (project) => ({ webUrl: `${baseUrl}/${project.path}` }),
    describeHook: (project, hook) => describeHook(project, hook),
    defaultScopes: ["api", "read_user"],
  };
}

/** Pipeline times the way GitLab's Pipeline Hook writes them. */
function gitlabTime(date) {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
