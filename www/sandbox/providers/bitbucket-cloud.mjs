// Bitbucket Cloud. The real one lives at fixed hosts forgelink hard-codes (bitbucket.org and
// api.bitbucket.org), so the sandbox serves it under a prefix of its own origin and
// `cloudUrl` maps those hosts onto it. Every URL the sandbox writes into a body or a header is
// the real host's, exactly as Bitbucket would write it: forgelink checks that a `next` page
// belongs to the API it connected to.
//
// Shapes follow Bitbucket Cloud's REST reference ("Users", "Repositories" permissions,
// "Webhooks"), its OAuth 2.0 page (consumer permissions as scopes, HTTP Basic client
// authentication, `scopes` in the token answer) and its "Event payloads" page; what happened
// on a repository (pipelines, commit statuses, pull requests, comments) is in
// bitbucket-cloud-activity.mjs.

import { randomBytes } from "node:crypto";

import { page, readJson, send, uuid } from "../http.mjs";
import { commitSha } from "./common.mjs";
import { bitbucketCloudActivity, cloudStatusKeys } from "./bitbucket-cloud-activity.mjs";

export const WEB = "https://bitbucket.org";
export const API = "https://api.bitbucket.org";
export const PREFIX = "/bitbucket-cloud";
export const API_PREFIX = `${PREFIX}/api`;

export const SCOPES = ["account", "account:write", "email", "repository", "repository:write", "repository:admin", "repository:delete", "pullrequest", "pullrequest:write", "project", "project:admin", "issue", "issue:write", "pipeline", "pipeline:write", "pipeline:variable", "runner", "runner:write", "snippet", "snippet:write", "webhook", "wiki", "team", "team:write"];

// What each permission includes (Bitbucket's "Scopes for Bitbucket Cloud REST API" page).
const IMPLIES = {
  "account:write": ["account"],
  email: ["account"],
  "repository:write": ["repository"],
  "repository:admin": ["repository"],
  "repository:delete": ["repository"],
  pullrequest: ["repository"],
  "pullrequest:write": ["pullrequest", "repository:write", "repository"],
  "project:admin": ["project"],
  "issue:write": ["issue"],
  "pipeline:write": ["pipeline"],
  "pipeline:variable": ["pipeline", "pipeline:write"],
  "runner:write": ["runner"],
  "snippet:write": ["snippet"],
  "team:write": ["team"],
};

function closure(scopes) {
  const out = new Set(scopes);
  for (const s of scopes) for (const implied of IMPLIES[s] ?? []) out.add(implied);
  return out;
}

export function bitbucketCloud({ state, origin, authenticate, maxPageSize }) {
  const accountUuid = "{b7a5c1e2-3f4d-4e6a-9c8b-0a1d2e3f4a5b}";
  const accountId = "712020:7c3b9f0e-5a2d-4c1b-8e6f-1a2b3c4d5e6f";
  const enc = (text) => encodeURIComponent(text);

  const oauthSpec = {
    provider: "bitbucket-cloud",
    title: "Bitbucket",
    issuer: WEB,
    prefix: PREFIX,
    routes: { authorization: "/site/oauth2/authorize", token: "/site/oauth2/access_token" },
    scopes: SCOPES,
    pkceRequired: false,
    authMethod: "client_secret_basic",
    accessTokenTtl: 7200,
    codeTtl: 600,
    refreshTokens: true,
    // The request's callback must start with the consumer's callback URL.
    redirectUriAllowed: (registered, value) => value.startsWith(registered),
    // A consumer's permissions are its scopes: the authorization request does not choose them.
    beforeAuthorize(url, clients) {
      const client = clients.get(url.searchParams.get("client_id"));
      if (client && !url.searchParams.has("scope")) url.searchParams.set("scope", client.scopes.join(" "));
    },
    shapeToken(answer) {
      if (answer.body?.access_token) {
        answer.body = {
          access_token: answer.body.access_token,
          scopes: answer.body.scope,
          token_type: "bearer",
          expires_in: answer.body.expires_in,
          state: answer.grantType,
          refresh_token: answer.body.refresh_token,
        };
      }
    },
  };

  const newClient = () => ({ clientId: randomBytes(9).toString("base64url").replace(/[-_]/g, "Q"), clientSecret: randomBytes(24).toString("base64url").replace(/[-_]/g, "Z") });

  const userObject = () => ({
    display_name: state.account.name,
    links: { self: { href: `${API}/2.0/users/${enc(accountUuid)}` }, avatar: { href: `https://secure.gravatar.com/avatar/ada?d=identicon` }, html: { href: `${WEB}/${enc(accountUuid)}/` } },
    type: "user",
    uuid: accountUuid,
    account_id: accountId,
    nickname: state.account.username,
  });

  const repositoryObject = (project) => {
    const [workspace, slug] = project.path.split("/");
    return {
      type: "repository",
      full_name: project.path,
      links: { self: { href: `${API}/2.0/repositories/${project.path}` }, html: { href: `${WEB}/${project.path}` }, avatar: { href: `https://bytebucket.org/ravatar/${enc(project.id)}?ts=default` } },
      name: slug,
      uuid: project.id,
      workspace: { type: "workspace", uuid: `{${commitSha(workspace, 8)}-0000-4000-8000-000000000000}`, name: workspace, slug: workspace, links: { html: { href: `${WEB}/${workspace}/` } } },
      mainbranch: { name: project.defaultBranch, type: "branch" },
      is_private: project.visibility === "private",
      scm: "git",
      website: null,
    };
  };

  const describeHook = (project, hook) => ({
    type: "webhook_subscription",
    uuid: hook.id,
    url: hook.url,
    description: hook.data.description ?? "",
    subject_type: "repository",
    subject: { type: "repository", full_name: project.path, name: project.name, uuid: project.id, links: repositoryObject(project).links },
    active: hook.active,
    created_at: hook.createdAt,
    events: hook.events,
    secret_set: Boolean(hook.secret),
    skip_cert_verification: hook.data.skip_cert_verification ?? false,
    history_enabled: false,
  });

  const error = (res, status, message, extra = {}, headers = {}) => send(res, status, { type: "error", error: { message, ...extra } }, headers);

  const activity = bitbucketCloudActivity({ state, api: API, web: WEB, userObject, maxPageSize });

  async function api(req, res, url) {
    // The API as Bitbucket serves it, on the path it has at api.bitbucket.org.
    const path = url.pathname.slice(API_PREFIX.length);
    const real = new URL(path + url.search, API);
    const who = await authenticate("bitbucket-cloud", req);
    // Refused Basic credentials get no body, only the challenge, as Atlassian's support
    // article on 401s with Basic authentication shows them.
    if (who.error && who.basic) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Bitbucket.org HTTP"', "content-length": "0" });
      return res.end();
    }
    if (who.error === "expired") return error(res, 401, "Access token expired.");
    if (who.error) return error(res, 401, "Token is invalid, expired, or not supported for this endpoint.");
    const granted = closure(who.scopes);
    const headers = { "x-oauth-scopes": who.scopes.join(", "), "x-credential-type": who.kind === "oauth" ? "oauth2" : who.basic ? "api_token" : "repo_access_token" };
    const reply = (status, body) => send(res, status, body, headers);
    const lacking = (required) => error(res, 403, "Your credentials lack one or more required privilege scopes.", { detail: { granted: who.scopes, required } }, headers);

    if (req.method === "GET" && path === "/2.0/user") {
      if (!granted.has("account")) return lacking(["account"]);
      return reply(200, { ...userObject(), created_on: "2024-01-15T10:00:00.000000+00:00", is_staff: false, account_status: "active", has_2fa_enabled: null, location: null });
    }
    if (req.method === "GET" && path === "/2.0/user/permissions/repositories") {
      if (!granted.has("repository")) return lacking(["repository"]);
      let list = [...state.projects["bitbucket-cloud"]].sort((a, b) => a.path.localeCompare(b.path));
      const q = url.searchParams.get("q");
      const contains = q?.match(/^repository\.full_name\s*~\s*"((?:[^"\\]|\\.)*)"$/);
      if (q && !contains) return error(res, 400, "Invalid field name or filter query");
      if (contains) list = list.filter((p) => p.path.toLowerCase().includes(contains[1].replace(/\\(.)/g, "$1").toLowerCase()));
      if (url.searchParams.get("sort") === "-repository.full_name") list.reverse();
      const p = page(list, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("pagelen"), fallback: 10, max: Math.min(100, maxPageSize) });
      const body = {
        pagelen: p.size,
        size: p.total,
        page: p.number,
        values: p.items.map((project) => ({ type: "repository_permission", user: userObject(), repository: { ...repositoryObject(project), workspace: undefined, mainbranch: undefined, is_private: undefined, scm: undefined, website: undefined }, permission: project.role })),
      };
      if (p.hasNext) {
        const next = new URL(real);
        next.searchParams.set("page", String(p.number + 1));
        body.next = next.href;
      }
      return reply(200, body);
    }
    const listing = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (listing && !/^hooks(\/|$)/.test(listing[3])) {
      const full = `${decodeURIComponent(listing[1])}/${decodeURIComponent(listing[2])}`;
      const project = state.visibleProject("bitbucket-cloud", full);
      if (!project) return error(res, 404, `Repository ${full} not found`);
      const answered = await activity.handle(req, res, url, real, project, listing[3], { reply, error: (r, status, message, extra) => error(r, status, message, extra, headers), granted });
      if (Array.isArray(answered)) return lacking(answered);
      if (!answered) error(res, 404, "Resource not found", {}, headers);
      return;
    }
    const match = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)(\/hooks(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return error(res, 404, "Resource not found");
    const full = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
    const project = state.visibleProject("bitbucket-cloud", full);
    if (!project) return error(res, 404, `Repository ${full} not found`);
    if (!match[3]) return granted.has("repository") ? reply(200, repositoryObject(project)) : lacking(["repository"]);
    if (!granted.has("webhook")) return lacking(["webhook"]);
    if (project.role !== "admin") return error(res, 403, "You must be an administrator of this repository to manage its webhooks.");
    const hookId = match[4] === undefined ? undefined : decodeURIComponent(match[4]);
    if (hookId === undefined && req.method === "GET") {
      const p = page(project.hooks, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("pagelen"), fallback: 10, max: Math.min(100, maxPageSize) });
      const body = { pagelen: p.size, size: p.total, page: p.number, values: p.items.map((h) => describeHook(project, h)) };
      if (p.hasNext) {
        const next = new URL(real);
        next.searchParams.set("page", String(p.number + 1));
        body.next = next.href;
      }
      return reply(200, body);
    }
    if (hookId === undefined && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) return error(res, 400, "Bad request", { fields: { url: ["Enter a valid URL."] } });
      if (!Array.isArray(body.events) || body.events.length === 0) return error(res, 400, "Bad request", { fields: { events: ["This field is required."] } });
      const hook = { id: `{${uuid()}}`, url: body.url, secret: body.secret || null, events: body.events, active: body.active ?? true, createdAt: new Date().toISOString(), data: { description: body.description ?? "", skip_cert_verification: body.skip_cert_verification ?? false } };
      project.hooks.push(hook);
      return reply(201, describeHook(project, hook));
    }
    // The id is the hook's UUID, with or without its braces.
    const hook = project.hooks.find((h) => h.id === hookId || h.id === `{${hookId}}`);
    if (!hook) return error(res, 404, "Resource not found");
    if (req.method === "GET") return reply(200, describeHook(project, hook));
    if (req.method === "PUT") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.url === "string") hook.url = body.url;
      if (Array.isArray(body.events)) hook.events = body.events;
      if (typeof body.active === "boolean") hook.active = body.active;
      if (Object.hasOwn(body, "secret")) hook.secret = body.secret || null;
      if (typeof body.description === "string") hook.data.description = body.description;
      return reply(200, describeHook(project, hook));
    }
    if (req.method === "DELETE") {
      project.hooks.splice(project.hooks.indexOf(hook), 1);
      return send(res, 204, undefined, headers);
    }
    return error(res, 405, "Method not allowed");
  }

  const KINDS = { push: "repo:push", pipeline_failed: "repo:commit_status_updated", job_failed: "repo:commit_status_updated" };

  function delivery(project, hook, kind) {
    const event = KINDS[kind];
    if (!hook.active || !hook.events.includes(event)) return undefined;
    const repository = repositoryObject(project);
    const actor = userObject();
    const sha = commitSha(project.path);
    const before = commitSha(`${project.path}~1`);
    const now = new Date();
    const commitLinks = (hash) => ({ self: { href: `${API}/2.0/repositories/${project.path}/commit/${hash}` }, html: { href: `${WEB}/${project.path}/commits/${hash}` } });
    let body;
    if (kind === "push") {
      const target = (hash, message) => ({ type: "commit", hash, date: now.toISOString().replace("Z", "+00:00"), author: { type: "author", raw: `${state.account.name} <${state.account.email}>`, user: actor }, message, links: commitLinks(hash), parents: [] });
      const branch = (hash, message) => ({ type: "branch", name: project.defaultBranch, target: target(hash, message), links: { self: { href: `${API}/2.0/repositories/${project.path}/refs/branches/${project.defaultBranch}` }, html: { href: `${WEB}/${project.path}/branch/${project.defaultBranch}` } } });
      body = {
        push: {
          changes: [
            {
              old: branch(before, "Pin the base image\n"),
              new: branch(sha, "Build the runner image on bookworm\n"),
              truncated: false,
              created: false,
              forced: false,
              closed: false,
              links: { commits: { href: `${API}/2.0/repositories/${project.path}/commits?include=${sha}&exclude=${before}` }, diff: { href: `${API}/2.0/repositories/${project.path}/diff/${sha}..${before}` }, html: { href: `${WEB}/${project.path}/branches/compare/${sha}..${before}` } },
              commits: [target(sha, "Build the runner image on bookworm\n")],
            },
          ],
        },
        actor,
        repository,
      };
    } else {
      // Bitbucket Pipelines reports a pipeline as one commit status; another CI server
      // reports each of its jobs as its own status.
      const pipelines = kind === "pipeline_failed";
      const key = pipelines ? cloudStatusKeys(project).pipeline : cloudStatusKeys(project).job;
      const name = pipelines ? `Pipeline #42 for ${project.defaultBranch}` : "smoke-test #118";
      const link = pipelines ? `${WEB}/${project.path}/pipelines/results/42` : "https://ci.example.com/job/smoke-test/118/";
      body = {
        commit_status: {
          key,
          type: "build",
          state: "FAILED",
          name,
          refname: project.defaultBranch,
          url: link,
          description: pipelines ? "Pipeline #42 failed" : "Tests failed",
          created_on: new Date(now - 150_000).toISOString().replace("Z", "+00:00"),
          updated_on: now.toISOString().replace("Z", "+00:00"),
          commit: { type: "commit", hash: sha, links: commitLinks(sha) },
          links: { self: { href: `${API}/2.0/repositories/${project.path}/commit/${sha}/statuses/build/${key}` }, commit: { href: `${API}/2.0/repositories/${project.path}/commit/${sha}` } },
        },
        actor,
        repository,
      };
    }
    const id = uuid();
    return {
      event,
      body: JSON.stringify(body),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Bitbucket-Webhooks/2.0",
        "X-Event-Key": event,
        // Bitbucket writes the hook's UUID here without the braces its API puts around it.
        "X-Hook-UUID": hook.id.replace(/^\{|\}$/g, ""),
        "X-Request-UUID": id,
        "X-Attempt-Number": "1",
      },
      deliveryId: id,
      sign: hook.secret ? { secret: hook.secret, headers: [["X-Hub-Signature", "sha256"]] } : undefined,
    };
  }

  return {
    id: "bitbucket-cloud",
    title: "Bitbucket Cloud",
    baseUrl: WEB,
    oauthSpec,
    newClient,
    owns: (pathname) => pathname.startsWith(`${API_PREFIX}/2.0/`),
    api,
    kinds: Object.keys(KINDS),
    delivery,
    record: activity.record,
    describeHook,
    defaultScopes: ["account", "repository", "pullrequest", "webhook", "pipeline"],
  };
}
