// Bitbucket Data Center under a context path: the OAuth 2.0 provider of an incoming
// application link (/rest/oauth2/latest), the REST API (/rest/api/1.0, also as /latest),
// repository webhooks, the repo:refs_changed delivery, and what polls and feedback read
// (bitbucket-data-center-activity.mjs). Shapes follow Atlassian's
// "Bitbucket OAuth 2.0 provider API", the Bitbucket Data Center REST reference and its
// "Event payload" page.

import { createHash, randomBytes } from "node:crypto";

import { page, readJson, send, uuid } from "../http.mjs";
import { bitbucketDataCenterActivity } from "./bitbucket-data-center-activity.mjs";
import { commitSha } from "./common.mjs";

const PREFIX = "/bitbucket";
export const VERSION = "8.19.1";
const OLD_VERSION = "7.17.0";
const RANK = { PUBLIC_REPOS: 0, REPO_READ: 1, REPO_WRITE: 2, REPO_ADMIN: 3, PROJECT_ADMIN: 4, ADMIN_WRITE: 5, SYSTEM_ADMIN: 6 };
export const SCOPES = ["PUBLIC_REPOS", "ACCOUNT_WRITE", "REPO_READ", "REPO_WRITE", "REPO_ADMIN", "PROJECT_ADMIN", "ADMIN_WRITE", "SYSTEM_ADMIN"];
const EVENTS = new Set(["repo:refs_changed", "repo:modified", "repo:forked", "repo:comment:added", "repo:comment:edited", "repo:comment:deleted", "repo:secret_detected", "mirror:repo_synchronized", "pr:opened", "pr:from_ref_updated", "pr:to_ref_updated", "pr:modified", "pr:reviewer:updated", "pr:reviewer:approved", "pr:reviewer:unapproved", "pr:reviewer:needs_work", "pr:merged", "pr:declined", "pr:deleted", "pr:comment:added", "pr:comment:edited", "pr:comment:deleted"]);

export function bitbucketDataCenter({ state, origin, authenticate, maxPageSize }) {
  const baseUrl = `${origin}${PREFIX}`;
  const account = { id: 101, slug: state.account.username, name: state.account.name };
  const version = () => (state.on("instanceTooOld", "bitbucket-data-center") ? OLD_VERSION : VERSION);
  const best = (scopes) => Math.max(-1, ...scopes.map((s) => RANK[s] ?? -1));

  const oauthSpec = {
    provider: "bitbucket-data-center",
    title: "Bitbucket Data Center",
    issuer: baseUrl,
    prefix: PREFIX,
    routes: { authorization: "/rest/oauth2/latest/authorize", token: "/rest/oauth2/latest/token" },
    scopes: SCOPES,
    pkceRequired: false,
    authMethod: "client_secret_post",
    accessTokenTtl: 3600,
    // Data Center's authorization codes live ten seconds: the exchange must follow at once.
    codeTtl: 10,
    refreshTokens: true,
    scopeHelp: { REPO_READ: "View repositories and pull requests", REPO_WRITE: "Push and merge", REPO_ADMIN: "Administer repositories, including webhooks", PROJECT_ADMIN: "Administer projects", PUBLIC_REPOS: "View public repositories" },
    shapeToken(answer) {
      if (answer.body?.access_token) {
        answer.body = { scope: answer.body.scope, access_token: answer.body.access_token, token_type: "bearer", expires_in: answer.body.expires_in, refresh_token: answer.body.refresh_token };
      }
    },
  };

  const newClient = () => ({ clientId: randomBytes(16).toString("hex"), clientSecret: randomBytes(32).toString("hex") });

  const errors = (res, status, message, exceptionName, headers = {}) => send(res, status, { errors: [{ context: null, message, exceptionName }] }, headers);

  const projectObject = (key) => ({ key, id: key === "PLAT" ? 11 : 12, name: key === "PLAT" ? "Platform" : "Operations", public: false, type: "NORMAL", links: { self: [{ href: `${baseUrl}/projects/${key}` }] } });

  const describe = (project) => {
    const [key, slug] = project.path.split("/");
    return {
      slug,
      id: project.id,
      name: slug,
      hierarchyId: createHash("sha1").update(project.path).digest("hex").slice(0, 20),
      scmId: "git",
      state: "AVAILABLE",
      statusMessage: "Available",
      forkable: true,
      project: projectObject(key),
      public: false,
      archived: false,
      links: {
        clone: [
          { href: `${baseUrl}/scm/${key.toLowerCase()}/${slug}.git`, name: "http" },
          { href: `ssh://git@${new URL(origin).hostname}:7999/${key.toLowerCase()}/${slug}.git`, name: "ssh" },
        ],
        self: [{ href: `${baseUrl}/projects/${key}/repos/${slug}/browse` }],
      },
    };
  };

  const describeHook = (_project, hook) => ({
    id: hook.id,
    name: hook.data.name ?? "",
    createdDate: Date.parse(hook.createdAt),
    updatedDate: Date.parse(hook.updatedAt ?? hook.createdAt),
    events: hook.events,
    configuration: hook.secret ? { createdBy: "bitbucket" } : {},
    url: hook.url,
    active: hook.active,
    scopeType: "repository",
    sslVerificationRequired: hook.data.sslVerificationRequired ?? true,
  });

  /** A page the Data Center way: `start` and `limit` in, `isLastPage` and `nextPageStart` out. */
  function paged(items, url) {
    const limit = Math.min(Math.max(Number.parseInt(url.searchParams.get("limit") ?? "25", 10) || 25, 1), Math.min(1000, maxPageSize));
    const start = Math.max(Number.parseInt(url.searchParams.get("start") ?? "0", 10) || 0, 0);
    const values = items.slice(start, start + limit);
    const isLastPage = start + values.length >= items.length;
    return { size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : { nextPageStart: start + values.length }) };
  }

  const user = () => ({ name: account.slug, emailAddress: state.account.email, active: true, displayName: account.name, id: account.id, slug: account.slug, type: "NORMAL" });
  const activity = bitbucketDataCenterActivity({ state, baseUrl, user, paged, errors });

  async function api(req, res, url) {
    const buildStatus = /^\/rest\/build-status\/(?:1\.0|latest)\/commits\/([0-9a-f]{7,40})$/.exec(url.pathname.slice(PREFIX.length));
    const path = url.pathname.slice(PREFIX.length).replace(/^\/rest\/api\/(?:1\.0|latest)/, "");
    const who = await authenticate("bitbucket-data-center", req);
    if (who.error === "missing" && req.method === "GET" && path === "/application-properties") {
      // Anonymous callers get the properties without X-AUSERNAME.
      return send(res, 200, properties());
    }
    if (who.error) return errors(res, 401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
    const rank = best(who.scopes);
    const headers = { "x-ausername": account.slug, "x-auserid": String(account.id) };
    const reply = (status, body) => send(res, status, body, headers);
    // The REST reference documents 401 for "insufficient permissions to create webhooks in the
    // repository", with an AuthorisationException in the body.
    const denied = (message) => errors(res, 401, message, "com.atlassian.bitbucket.AuthorisationException", headers);

    if (req.method === "GET" && path === "/application-properties") return reply(200, properties());
    if (req.method === "GET" && path === `/users/${account.slug}`) {
      return reply(200, { ...user(), links: { self: [{ href: `${baseUrl}/users/${account.slug}` }] } });
    }
    if (buildStatus) {
      // Build statuses are kept per commit, across repositories: any repository that has the
      // commit shows them.
      if (req.method !== "GET" || rank < RANK.REPO_READ) return denied("You are not permitted to access this resource");
      const project = state.projects["bitbucket-data-center"].find((p) => p.statuses.some((st) => st.sha === buildStatus[1])) ?? { statuses: [] };
      return activity.buildStatuses(project, buildStatus[1], url, reply);
    }
    if (req.method === "GET" && path === "/repos") {
      if (rank < RANK.REPO_READ) return reply(200, paged([], url));
      const name = (url.searchParams.get("name") ?? "").toLowerCase();
      const list = state.projects["bitbucket-data-center"].filter((p) => !name || p.name.toLowerCase().includes(name));
      const body = paged(list.map(describe), url);
      return reply(200, body);
    }
    const match = /^\/projects\/([^/]+)\/repos\/([^/]+)(?:(\/webhooks(?:\/([^/]+))?)|\/(.+))?$/.exec(path);
    if (!match) return errors(res, 404, "The requested resource does not exist.", "com.atlassian.bitbucket.NoSuchEntityException", headers);
    const full = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
    const project = state.visibleProject("bitbucket-data-center", full);
    if (!project || rank < RANK.REPO_READ) return errors(res, 404, `Repository ${match[1]}/${match[2]} does not exist.`, "com.atlassian.bitbucket.repository.NoSuchRepositoryException", headers);
    if (match[5] !== undefined) {
      if (await activity.handle(req, res, url, project, match[5], { reply, headers })) return;
      return errors(res, 404, "The requested resource does not exist.", "com.atlassian.bitbucket.NoSuchEntityException", headers);
    }
    if (!match[3]) return reply(200, describe(project));
    // Webhooks need repository admin, both on the repository and in the token's scope.
    if (RANK[project.role] < RANK.REPO_ADMIN || rank < RANK.REPO_ADMIN) return denied("You are not permitted to access this resource");
    const hookId = match[4];
    if (hookId === undefined && req.method === "GET") return reply(200, paged(project.hooks.map((h) => describeHook(project, h)), url));
    if (hookId === undefined && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) return errors(res, 400, "The URL is not valid.", "com.atlassian.bitbucket.validation.ArgumentValidationException", headers);
      const unknown = (body.events ?? []).filter((e) => !EVENTS.has(e));
      if (unknown.length) return errors(res, 400, `Unknown event ${unknown[0]}`, "com.atlassian.bitbucket.validation.ArgumentValidationException", headers);
      const hook = { id: state.nextHookId++, url: body.url, secret: body.configuration?.secret || null, events: body.events ?? [], active: body.active ?? true, createdAt: new Date().toISOString(), data: { name: body.name ?? "", sslVerificationRequired: body.sslVerificationRequired ?? true } };
      project.hooks.push(hook);
      // The REST reference documents 200 ("A created webhook."), not 201.
      return reply(200, describeHook(project, hook));
    }
    const hook = project.hooks.find((h) => String(h.id) === hookId);
    if (!hook) return errors(res, 404, `No webhook with id ${hookId} exists.`, "com.atlassian.bitbucket.NoSuchEntityException", headers);
    if (req.method === "GET") return reply(200, describeHook(project, hook));
    if (req.method === "PUT") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url === "string") hook.url = body.url;
      if (Array.isArray(body.events)) hook.events = body.events;
      if (typeof body.active === "boolean") hook.active = body.active;
      if (body.configuration && Object.hasOwn(body.configuration, "secret")) hook.secret = body.configuration.secret || null;
      if (typeof body.name === "string") hook.data.name = body.name;
      hook.updatedAt = new Date().toISOString();
      return reply(200, describeHook(project, hook));
    }
    if (req.method === "DELETE") {
      project.hooks.splice(project.hooks.indexOf(hook), 1);
      return send(res, 204, undefined, headers);
    }
    return errors(res, 405, "Method not allowed", "javax.ws.rs.NotAllowedException", headers);
  }

  function properties() {
    const v = version();
    return { version: v, buildNumber: v.split(".").map((n) => n.padStart(3, "0")).join("").replace(/^0+/, ""), buildDate: "1731110400000", displayName: "Bitbucket" };
  }

  // A failed job is an outside CI server's build status: Data Center records it, and its
  // documented webhook events have none for it, so no hook hears of it; a poll finds it.
  const KINDS = { push: "repo:refs_changed", job_failed: null };

  function delivery(project, hook, kind) {
    if (!Object.hasOwn(KINDS, kind)) {
      throw Object.assign(new Error(`Bitbucket Data Center cannot trigger ${kind}: only ${Object.keys(KINDS).join(" and ")}.`), { code: "unsupported" });
    }
    const event = KINDS[kind];
    if (!event || !hook.active || !hook.events.includes(event)) return undefined;
    const actor = user();
    const repository = describe(project);
    const sha = commitSha(project.path);
    const before = commitSha(`${project.path}~1`);
    const body = {
      eventKey: event,
      date: new Date().toISOString().replace(/\.\d{3}Z$/, "+0000"),
      actor,
      repository: { slug: repository.slug, id: repository.id, name: repository.name, hierarchyId: repository.hierarchyId, scmId: "git", state: "AVAILABLE", statusMessage: "Available", forkable: true, project: { key: repository.project.key, id: repository.project.id, name: repository.project.name, public: false, type: "NORMAL" }, public: false, archived: false },
      changes: [{ ref: { id: `refs/heads/${project.defaultBranch}`, displayId: project.defaultBranch, type: "BRANCH" }, refId: `refs/heads/${project.defaultBranch}`, fromHash: before, toHash: sha, type: "UPDATE" }],
    };
    const id = uuid();
    return {
      event,
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json; charset=utf-8", "User-Agent": "Atlassian HttpClient 4.0.0 / Bitbucket-8.19.1 (8019001) / Default", "X-Event-Key": event, "X-Request-Id": id },
      deliveryId: id,
      sign: hook.secret ? { secret: hook.secret, headers: [["X-Hub-Signature", "sha256"]] } : undefined,
    };
  }

  return {
    id: "bitbucket-data-center",
    title: "Bitbucket Data Center",
    baseUrl,
    oauthSpec,
    newClient,
    owns: (pathname) => /^\/bitbucket\/rest\/(api|build-status)\/(1\.0|latest)\//.test(pathname),
    api,
    kinds: Object.keys(KINDS),
    delivery,
    describeHook,
    record: activity.record,
    defaultScopes: ["REPO_ADMIN"],
  };
}
