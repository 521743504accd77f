// Small fake Git hosts on 127.0.0.1, as many as a test needs, each a real HTTP server on its
// own port with its own hooks numbered from 1 (as a fresh instance numbers them): a GitLab
// (self-managed: the personal token and OAuth endpoints, the project hooks API) and a GitHub
// Enterprise Server (the user, meta and repository hooks APIs). Each can fire a delivery at the
// URL a hook was registered with, signed the way its provider signs, and hold a refresh answer
// until the test lets it go.

import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";

export const GITLAB_TOKEN = "glpat-personal-token-value";
export const GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
/** The product's OAuth application, registered alike on every fake GitLab. */
export const OAUTH_CLIENT = { clientId: "product-app", clientSecret: "product-app-secret" };

const ACCOUNTS = {
  ada: { id: 42, username: "ada", name: "Ada Lovelace" },
  mallory: { id: 666, username: "mallory", name: "Mallory" },
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts a fake `kind` ("gitlab" or "github") instance. Its base URL is `http://127.0.0.1:<port>`,
 * its API under `/api/v4` (GitLab) or `/api/v3` (Enterprise Server).
 */
export async function startForge(kind) {
  const hooks = new Map(); // project path → [{ id, url, secret, events }]
  let nextHook = 0;
  const codes = new Map(); // code → { challenge, redirectUri, account }
  const accessTokens = new Map(); // token → account
  const refreshTokens = new Map(); // token → account
  const revoked = [];
  const stats = { authorizationCode: 0, refresh: 0 };
  let gate; // { arrived, resolveArrived, released, release }
  let serverVersion = "3.17.2"; // what GitHub Enterprise Server's /meta tells

  const json = (res, status, value, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(status === 204 ? undefined : JSON.stringify(value));
  };

  function issue(account) {
    const access = `${kind}-access-${randomBytes(12).toString("hex")}`;
    const refresh = `${kind}-refresh-${randomBytes(12).toString("hex")}`;
    accessTokens.set(access, account);
    refreshTokens.set(refresh, account);
    return { access_token: access, token_type: "Bearer", expires_in: 7200, refresh_token: refresh, scope: "api", created_at: Math.floor(Date.now() / 1000) };
  }

  function account(req) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer === GITLAB_TOKEN && kind === "gitlab") return "ada";
    if (bearer === GITHUB_TOKEN && kind === "github") return "ada";
    return accessTokens.get(bearer);
  }

  async function oauth(req, res, url) {
    if (req.method === "GET" && url.pathname === "/oauth/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== OAUTH_CLIENT.clientId) return json(res, 400, { error: "invalid_client" });
      const code = randomBytes(16).toString("hex");
      codes.set(code, { challenge: q.get("code_challenge"), redirectUri: q.get("redirect_uri"), account: q.get("login_as") ?? "ada" });
      const back = new URL(q.get("redirect_uri"));
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state"));
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    const form = new URLSearchParams((await readBody(req)).toString("utf8"));
    if (req.method === "POST" && url.pathname === "/oauth/token") {
      if (form.get("client_id") !== OAUTH_CLIENT.clientId || form.get("client_secret") !== OAUTH_CLIENT.clientSecret) {
        return json(res, 401, { error: "invalid_client" });
      }
      if (form.get("grant_type") === "authorization_code") {
        stats.authorizationCode++;
        const pending = codes.get(form.get("code"));
        codes.delete(form.get("code"));
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (!pending || pending.challenge !== challenge || pending.redirectUri !== form.get("redirect_uri")) {
          return json(res, 400, { error: "invalid_grant" });
        }
        return json(res, 200, issue(pending.account));
      }
      if (form.get("grant_type") === "refresh_token") {
        stats.refresh++;
        if (gate?.beforeIssuing) {
          // Held before the refresh token is used: as a request the provider never got to.
          const held = gate;
          gate = undefined;
          held.resolveArrived(undefined);
          await held.released;
        }
        const owner = refreshTokens.get(form.get("refresh_token"));
        if (owner === undefined) return json(res, 400, { error: "invalid_grant" });
        refreshTokens.delete(form.get("refresh_token"));
        const tokens = issue(owner);
        if (gate !== undefined) {
          const held = gate;
          gate = undefined;
          held.resolveArrived(tokens);
          await held.released;
        }
        return json(res, 200, tokens);
      }
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    if (req.method === "POST" && url.pathname === "/oauth/revoke") {
      const token = form.get("token");
      revoked.push(token);
      accessTokens.delete(token);
      refreshTokens.delete(token);
      return json(res, 200, {});
    }
    return json(res, 404, { error: "not_found" });
  }

  function describeHook(hook) {
    if (kind === "gitlab") return { id: hook.id, url: hook.url, enable_ssl_verification: true, alert_status: "executable", ...Object.fromEntries(hook.events.map((e) => [e, true])) };
    return { id: hook.id, name: "web", active: true, events: hook.events, config: { url: hook.url, content_type: "json", insecure_ssl: "0" } };
  }

  async function hooksApi(req, res, path) {
    const match = kind === "gitlab" ? /^\/api\/v4\/projects\/([^/]+)\/hooks(?:\/(\d+))?$/.exec(path) : /^\/api\/v3\/repos\/([^/]+\/[^/]+)\/hooks(?:\/(\d+))?$/.exec(path);
    if (!match) return json(res, 404, { message: "404 Not Found" });
    const project = decodeURIComponent(match[1]);
    const list = hooks.get(project) ?? [];
    hooks.set(project, list);
    const id = match[2] === undefined ? undefined : Number(match[2]);
    const raw = await readBody(req);
    const body = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    const spec = kind === "gitlab"
      ? { url: body.url, secret: body.token, events: Object.keys(body).filter((k) => k.endsWith("_events") && body[k] === true) }
      : { url: body.config?.url, secret: body.config?.secret, events: body.events ?? [] };
    if (req.method === "GET" && id === undefined) return json(res, 200, list.map(describeHook));
    if (req.method === "POST" && id === undefined) {
      const hook = { id: ++nextHook, ...spec };
      list.push(hook);
      return json(res, 201, describeHook(hook));
    }
    const hook = list.find((h) => h.id === id);
    if (hook === undefined) return json(res, 404, { message: "404 Not found" });
    if (req.method === "PUT" || req.method === "PATCH") {
      Object.assign(hook, spec);
      return json(res, 200, describeHook(hook));
    }
    if (req.method === "DELETE") {
      list.splice(list.indexOf(hook), 1);
      return json(res, 204);
    }
    return json(res, 405, {});
  }

  async function handle(req, res) {
    const url = new URL(req.url, "http://forge.invalid");
    if (url.pathname.startsWith("/oauth/")) return oauth(req, res, url);
    const who = account(req);
    if (who === undefined) return json(res, 401, { message: "401 Unauthorized" });
    const person = ACCOUNTS[who];
    if (kind === "gitlab") {
      if (req.method === "GET" && url.pathname === "/api/v4/user") return json(res, 200, { ...person, web_url: `${baseUrl}/${person.username}` });
      if (req.method === "GET" && url.pathname === "/api/v4/version") return json(res, 200, { version: "17.5.1-ee", revision: "abc" });
      if (req.method === "GET" && url.pathname === "/api/v4/personal_access_tokens/self") return json(res, 200, { scopes: ["api", "read_user"], expires_at: null, active: true });
    } else {
      // GitHub stores a token's scopes normalised, dropping those another one includes: asked
      // for repo and admin:repo_hook, it reports repo alone ("Scopes for OAuth apps").
      const scopes = { "x-oauth-scopes": "repo" };
      if (req.method === "GET" && url.pathname === "/api/v3/user") return json(res, 200, { login: person.username, id: person.id, name: person.name }, scopes);
      if (req.method === "GET" && url.pathname === "/api/v3/meta") return json(res, 200, { installed_version: serverVersion }, scopes);
    }
    return hooksApi(req, res, url.pathname);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { message: String(error) });
      else res.destroy();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;

  /** The delivery `kind` sends for `body` with `hook`'s secret: the URL, headers and raw body. */
  function signed(hook, event, body, deliveryId) {
    const raw = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const headers = { "content-type": "application/json", "user-agent": kind === "gitlab" ? "GitLab/17.5.1-ee" : "GitHub-Hookshot/1" };
    if (kind === "gitlab") {
      Object.assign(headers, { "x-gitlab-event": event, "x-gitlab-token": hook.secret, "x-gitlab-event-uuid": deliveryId, "x-gitlab-instance": baseUrl });
    } else {
      const signature = createHmac("sha256", hook.secret).update(raw).digest("hex");
      Object.assign(headers, { "x-github-event": event, "x-github-delivery": deliveryId, "x-github-hook-id": String(hook.id), "x-hub-signature-256": `sha256=${signature}` });
    }
    return { url: hook.url, headers, body: raw };
  }

  return {
    kind,
    baseUrl,
    hooks,
    revoked,
    stats,
    /** The one hook on `project`. */
    hook(project) {
      const list = hooks.get(project) ?? [];
      if (list.length !== 1) throw new Error(`${list.length} hooks on ${project} at ${baseUrl}`);
      return list[0];
    },
    /** What approving `authorizationUrl` as `account` leads to: the callback URL the browser is sent to. */
    async authorize(authorizationUrl, account = "ada") {
      const url = new URL(authorizationUrl);
      if (url.origin !== baseUrl) throw new Error(`${authorizationUrl} is not this instance's`);
      url.searchParams.set("login_as", account);
      const response = await fetch(url, { redirect: "manual" });
      if (response.status !== 302) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
      return response.headers.get("location");
    },
    /**
     * The next refresh is answered only once `release()` is called; `arrived` resolves to the
     * tokens it will hand out. With `beforeIssuing`, it is held before its refresh token is
     * used (and `arrived` resolves to nothing).
     */
    holdNextRefresh({ beforeIssuing = false } = {}) {
      let resolveArrived, release;
      const arrived = new Promise((resolve) => (resolveArrived = resolve));
      const released = new Promise((resolve) => (release = resolve));
      gate = { resolveArrived, released, beforeIssuing };
      return { arrived, release };
    },
    /** Makes a GitHub Enterprise Server instance report another `installed_version`. */
    setServerVersion(version) {
      serverVersion = version;
    },
    /** A delivery as this instance would send it to `hook` (a new delivery id unless given). */
    delivery(hook, event, body, deliveryId = randomUUID()) {
      return signed(hook, event, body, deliveryId);
    },
    /** Sends a delivery to where its hook was registered, as the instance does; the receiver's status and JSON answer. */
    async send(delivery) {
      const response = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body });
      return { status: response.status, receipt: await response.json() };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
