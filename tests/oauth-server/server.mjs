// A real OAuth 2.0 authorization server (oidc-provider) dressed as a GitLab self-managed
// instance under the relative root /gitlab, on plain http over loopback, beside the GitLab API
// paths forgelink's flows call. Tests of every face run forgelink against it unchanged: where
// oidc-provider and GitLab differ, the server is adapted, never forgelink.
//
// What it shares with GitLab (its OAuth 2.0 provider documentation): /oauth/authorize, /oauth/token
// (client_secret_post), /oauth/revoke, /oauth/token/info; PKCE S256 required; GitLab's scopes
// without `openid`; access tokens of 7200 s with `created_at` in the token response; refresh
// tokens rotated on every use, a spent one answered with invalid_grant; a mismatched
// redirect_uri at the token endpoint answered with invalid_grant, as Doorkeeper does.
//
// Where it is stricter than GitLab, on purpose: a spent refresh token presented again also
// revokes every token of that authorization (oidc-provider's reuse detection), so a client that
// refreshes twice with one refresh token loses its new tokens and a test sees it.
//
//   const server = await startOAuthServer();
//   // server.baseUrl: http://127.0.0.1:PORT/gitlab, server.clientId, clientSecret, redirectUri
//   const callbackUrl = await server.approve(authorizationUrl); // as user `ada`, over HTTP
//   server.stats(); // { authorizationCode, refreshToken, revoked }
//   await server.close();

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";

import Provider from "oidc-provider";

import { cookieFetch } from "../../www/sandbox/cookies.mjs";

/** The one account, as GitLab's `GET /api/v4/user` describes it. */
export const ACCOUNT = Object.freeze({ id: 7, username: "ada", name: "Ada Lovelace", password: "analytical-engine" });

/** GitLab's scopes (its "Personal access token scopes" and OAuth pages); `openid`, `profile` and `email` included because GitLab has them too. */
export const SCOPES = Object.freeze([
  "api",
  "read_api",
  "read_user",
  "read_repository",
  "write_repository",
  "read_registry",
  "write_registry",
  "read_virtual_registry",
  "write_virtual_registry",
  "read_observability",
  "write_observability",
  "read_service_ping",
  "self_rotate",
  "sudo",
  "admin_mode",
  "create_runner",
  "manage_runner",
  "k8s_proxy",
  "ai_features",
  "openid",
  "profile",
  "email",
]);

/** A personal access token the API accepts, with the scopes and expiry `personal_access_tokens/self` reports. */
export const PERSONAL_ACCESS_TOKEN = Object.freeze({
  token: "glpat-forgelinkTestToken0001",
  scopes: ["api", "read_user"],
  expiresAt: "2099-01-01",
});

export const VERSION = Object.freeze({ version: "17.5.1-ee", revision: "5b4a6e1f0c2" });

const ROOT = "/gitlab";
const ACCESS_TOKEN_TTL = 7200;
const USER_SCOPES = new Set(["api", "read_api", "read_user"]);

/**
 * Starts the server on 127.0.0.1.
 *
 * @param {{ port?: number, clientId?: string, clientSecret?: string }} [options]
 */
export async function startOAuthServer(options = {}) {
  const http = createServer();
  await new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${http.address().port}`;
  const baseUrl = `${origin}${ROOT}`;
  const clientId = options.clientId ?? "forgelink-test-application";
  const clientSecret = options.clientSecret ?? `gloas-${randomBytes(24).toString("hex")}`;
  // The app's callback: the browser would be sent there; nothing fetches it.
  const redirectUri = `${origin}/app/oauth/callback`;

  const counts = { authorizationCode: 0, refreshToken: 0, revoked: 0 };
  const store = new Store();
  const provider = new Provider(baseUrl, configuration({ clientId, clientSecret, redirectUri, store }));

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "token") {
      const grantType = ctx.oidc.params?.grant_type ?? ctx.oidc.body?.grant_type;
      if (grantType === "authorization_code") counts.authorizationCode += 1;
      if (grantType === "refresh_token") counts.refreshToken += 1;
      if (ctx.status === 200 && ctx.body && typeof ctx.body === "object" && ctx.body.access_token) {
        // GitLab states when the token was made, in its own clock; oidc-provider does not.
        const issuedAt = ctx.oidc.entities.AccessToken?.iat ?? Math.floor(Date.now() / 1000);
        ctx.body = { ...ctx.body, created_at: issuedAt };
      }
    } else if (ctx.oidc?.route === "revocation" && ctx.status === 200) {
      counts.revoked += 1;
      // GitLab answers a revocation with an empty JSON object.
      ctx.type = "application/json";
      ctx.body = "{}";
    }
  });

  const oidc = provider.callback();
  const api = gitlabApi({ provider, baseUrl, clientId });
  http.on("request", (req, res) => {
    route(req, res).catch((error) => {
      if (!res.headersSent) {
        send(res, 500, { message: `500 Internal Server Error: ${error.message}` });
      } else {
        res.destroy(error);
      }
    });
  });

  async function route(req, res) {
    const url = new URL(req.url, origin);
    const path = url.pathname;
    if (path.startsWith(`${ROOT}/interaction/`)) {
      return interaction(provider, req, res, path.slice(`${ROOT}/interaction/`.length));
    }
    if (path.startsWith(`${ROOT}/api/v4/`) || path === `${ROOT}/oauth/token/info`) {
      return api(req, res, url);
    }
    if (path === ROOT || path.startsWith(`${ROOT}/`)) {
      // Mounted as a framework mounts it: originalUrl keeps the prefix oidc-provider builds
      // its own URLs with.
      req.originalUrl = req.url;
      req.url = req.url.slice(ROOT.length) || "/";
      return oidc(req, res);
    }
    if (path === "/app/oauth/callback") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return res.end("The application's callback. Tests read this URL instead of loading it.\n");
    }
    return send(res, 404, { message: "404 Not Found" });
  }

  return {
    baseUrl,
    clientId,
    clientSecret,
    redirectUri,
    personalAccessToken: PERSONAL_ACCESS_TOKEN.token,
    /**
     * Completes the authorization as a browser would (login as `ada`, then consent), over
     * HTTP with cookies, and answers the URL the browser would be sent back to. The redirect
     * URI itself is never requested. Rejects, with `error` and `errorDescription`, when the
     * server refuses the request on its own page instead of redirecting (an unregistered
     * redirect URI, an unknown client).
     *
     * @param {string} authorizationUrl
     * @param {{ scopes?: string[], deny?: boolean }} [choice] grant only these scopes, or decline
     * @returns {Promise<string>}
     */
    approve: (authorizationUrl, choice = {}) => approve(authorizationUrl, redirectUri, choice),
    /** Token requests by grant type, and successful revocations, since the start. */
    stats: () => ({ ...counts }),
    /** Revokes every refresh token issued so far; access tokens stay valid until they expire. */
    revokeRefreshTokens: () => store.destroyAll("RefreshToken"),
    close: () =>
      new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function configuration({ clientId, clientSecret, redirectUri, store }) {
  // An EC key: nothing forgelink checks is signed with it (ID tokens only), and generating an
  // RSA key in a test process sometimes never returned.
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    adapter: store.adapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: "forgelink tests",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
        id_token_signed_response_alg: "ES256",
      },
    ],
    clientAuthMethods: ["client_secret_post", "client_secret_basic"],
    cookies: { keys: [randomBytes(32).toString("hex")] },
    jwks: { keys: [privateKey.export({ format: "jwk" })] },
    // Without resource indicators every scope listed here is granted to the one access token,
    // as GitLab grants its scopes.
    scopes: [...SCOPES],
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    routes: {
      authorization: "/oauth/authorize",
      token: "/oauth/token",
      revocation: "/oauth/revoke",
      jwks: "/oauth/discovery/keys",
    },
    pkce: { required: () => true },
    // GitLab issues a refresh token with every code and keeps it whatever the session does.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    expiresWithSession: async () => false,
    rotateRefreshToken: true,
    // Revoking an access token revokes its refresh token too, as GitLab's revocation does.
    revokeGrantPolicy: () => true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      AuthorizationCode: 600,
      RefreshToken: 30 * 86400,
      Grant: 30 * 86400,
      Session: 86400,
      Interaction: 3600,
      IdToken: 3600,
    },
    interactions: { url: (_ctx, interaction) => `${ROOT}/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) =>
      sub === String(ACCOUNT.id)
        ? {
            accountId: sub,
            claims: async () => ({ sub, nickname: ACCOUNT.username, name: ACCOUNT.name }),
          }
        : undefined,
    async renderError(ctx, out) {
      // Machine-readable for approve(): the page a person would see, with the error in it.
      ctx.type = "html";
      ctx.body = `<!DOCTYPE html><title>GitLab</title><h1>An error has occurred</h1><p id="error" data-error="${escape(out.error)}">${escape(out.error_description ?? "")}</p>`;
    },
  };
}

/** The login and consent pages, as plain HTML forms. */
async function interaction(provider, req, res, rest) {
  const [uid, action] = rest.split("/");
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    return page(res, 400, `<p id="error" data-error="invalid_request">${escape(error.message)}</p>`);
  }
  if (details.uid !== uid) {
    return page(res, 400, '<p id="error" data-error="invalid_request">interaction mismatch</p>');
  }
  const prompt = details.prompt.name;
  if (req.method === "GET" && action === undefined) {
    if (prompt === "login") {
      return page(
        res,
        200,
        `<h1>Sign in</h1><form method="post" action="${ROOT}/interaction/${uid}/login">` +
          '<input name="username"><input name="password" type="password"><button>Sign in</button></form>',
      );
    }
    const scopes = String(details.params.scope ?? "");
    return page(
      res,
      200,
      `<h1>Authorize ${escape(details.params.client_id)} to use your account?</h1><p>${escape(scopes)}</p>` +
        `<form method="post" action="${ROOT}/interaction/${uid}/confirm"><input type="hidden" name="scope" value="${escape(scopes)}"><button>Authorize</button></form>` +
        `<form method="post" action="${ROOT}/interaction/${uid}/abort"><button>Deny</button></form>`,
    );
  }
  if (req.method !== "POST") {
    return page(res, 405, '<p id="error" data-error="invalid_request">method not allowed</p>');
  }
  const form = new URLSearchParams(await readBody(req));
  if (action === "login" && prompt === "login") {
    if (form.get("username") !== ACCOUNT.username || form.get("password") !== ACCOUNT.password) {
      return page(res, 401, '<p id="error" data-error="access_denied">Invalid login or password.</p>');
    }
    return provider.interactionFinished(req, res, { login: { accountId: String(ACCOUNT.id) } }, { mergeWithLastSubmission: false });
  }
  if (action === "confirm" && prompt === "consent") {
    const { accountId } = details.session;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    const requested = new Set(String(details.params.scope ?? "").split(" ").filter(Boolean));
    const chosen = new Set((form.get("scope") ?? "").split(" ").filter((s) => requested.has(s)));
    const refused = [...requested].filter((s) => !chosen.has(s));
    if (chosen.size > 0) grant.addOIDCScope([...chosen].join(" "));
    // Recorded as refused, so that the consent prompt does not ask for them again.
    if (refused.length > 0) grant.rejectOIDCScope(refused.join(" "));
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  if (action === "abort") {
    return provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The resource owner or authorization server denied the request." },
      { mergeWithLastSubmission: false },
    );
  }
  return page(res, 400, `<p id="error" data-error="invalid_request">${escape(action ?? "")} does not answer ${escape(prompt)}</p>`);
}

/** The API paths forgelink's GitLab flows call, authenticated against the provider's tokens. */
function gitlabApi({ provider, baseUrl, clientId }) {
  const user = {
    id: ACCOUNT.id,
    username: ACCOUNT.username,
    name: ACCOUNT.name,
    state: "active",
    locked: false,
    avatar_url: `${baseUrl}/uploads/-/system/user/avatar/${ACCOUNT.id}/avatar.png`,
    web_url: `${baseUrl}/${ACCOUNT.username}`,
    created_at: "2024-01-15T10:00:00.000Z",
    bio: "",
    public_email: null,
  };

  /** The caller's token: an access token of this provider, or the personal access token. */
  async function authenticate(req, url) {
    const header = req.headers.authorization ?? "";
    const value = header.match(/^Bearer\s+(.+)$/i)?.[1] ?? req.headers["private-token"] ?? url.searchParams.get("access_token");
    if (!value) return { status: 401, body: { message: "401 Unauthorized" } };
    if (value === PERSONAL_ACCESS_TOKEN.token) {
      return { kind: "personal", scopes: new Set(PERSONAL_ACCESS_TOKEN.scopes) };
    }
    const token = await provider.AccessToken.find(value, { ignoreExpiration: true });
    if (!token) return { status: 401, body: { message: "401 Unauthorized" } };
    if (token.isExpired) {
      return {
        status: 401,
        body: { error: "invalid_token", error_description: "Token is expired. You can either do re-authorization or token refresh." },
        challenge: 'Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token is expired. You can either do re-authorization or token refresh."',
      };
    }
    return { kind: "oauth", token, scopes: token.scopes };
  }

  return async function api(req, res, url) {
    const path = url.pathname.slice(ROOT.length);
    const who = await authenticate(req, url);
    if (who.status) {
      const headers = who.challenge ? { "www-authenticate": who.challenge } : {};
      return send(res, who.status, who.body, headers);
    }
    if (req.method !== "GET") return send(res, 405, { message: "405 Method Not Allowed" });
    if (path === "/oauth/token/info") {
      if (who.kind !== "oauth") {
        return send(res, 401, { error: "invalid_token", error_description: "The access token is invalid", state: "unauthorized" });
      }
      const remaining = Math.max(0, who.token.exp - Math.floor(Date.now() / 1000));
      const scopes = [...who.scopes];
      return send(res, 200, {
        resource_owner_id: ACCOUNT.id,
        scope: scopes,
        expires_in: remaining,
        application: { uid: clientId },
        created_at: who.token.iat,
        scopes,
        expires_in_seconds: remaining,
      });
    }
    const needs = (allowed) => [...who.scopes].some((s) => allowed.has(s));
    const insufficient = (allowed) =>
      send(
        res,
        403,
        {
          error: "insufficient_scope",
          error_description: "The request requires higher privileges than provided by the access token.",
          scope: [...allowed].join(" "),
        },
        { "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", scope="${[...allowed].join(" ")}"` },
      );
    switch (path) {
      case "/api/v4/user":
        return needs(USER_SCOPES) ? send(res, 200, user) : insufficient(USER_SCOPES);
      case "/api/v4/version":
      case "/api/v4/metadata":
        if (!needs(USER_SCOPES)) return insufficient(USER_SCOPES);
        return send(res, 200, path.endsWith("version") ? { ...VERSION } : { ...VERSION, kas: { enabled: false }, enterprise: true });
      case "/api/v4/personal_access_tokens/self":
        if (who.kind !== "personal") return send(res, 404, { message: "404 Not Found" });
        return send(res, 200, {
          id: 31,
          name: "forgelink tests",
          revoked: false,
          created_at: "2025-01-01T00:00:00.000Z",
          description: null,
          scopes: [...PERSONAL_ACCESS_TOKEN.scopes],
          user_id: ACCOUNT.id,
          last_used_at: new Date().toISOString(),
          active: true,
          expires_at: PERSONAL_ACCESS_TOKEN.expiresAt,
        });
      default:
        return send(res, 404, { message: "404 Not Found" });
    }
  };
}

/**
 * A browser, as far as the authorization needs one: cookies, redirects followed by hand
 * up to the redirect URI, and the forms of the login and consent pages submitted.
 */
async function approve(authorizationUrl, redirectUri, { scopes, deny = false } = {}) {
  const fetchWithCookies = cookieFetch();
  const request = async (href, init = {}) => {
    const url = new URL(href);
    return { url, response: await fetchWithCookies(url, init) };
  };

  let next = { href: authorizationUrl, init: {} };
  for (let step = 0; step < 12; step++) {
    const { url, response } = await request(next.href, next.init);
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get("location"), url).href;
      await response.body?.cancel();
      if (location.startsWith(redirectUri.split("?")[0])) return location;
      next = { href: location, init: {} };
      continue;
    }
    const html = await response.text();
    const refused = html.match(/id="error" data-error="([^"]*)">([^<]*)</);
    if (refused || response.status !== 200) {
      const error = new Error(`The authorization server refused: ${refused ? `${unescape(refused[1])}: ${unescape(refused[2])}` : `HTTP ${response.status}`}`);
      error.error = refused ? unescape(refused[1]) : "server_error";
      error.errorDescription = refused ? unescape(refused[2]) : html.slice(0, 200);
      throw error;
    }
    const forms = [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
    const form = (suffix) => forms.find((f) => f[1].endsWith(suffix));
    const post = (action, fields) => ({
      href: new URL(action, url).href,
      init: {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      },
    });
    if (form("/login")) {
      next = post(form("/login")[1], { username: ACCOUNT.username, password: ACCOUNT.password });
    } else if (deny && form("/abort")) {
      next = post(form("/abort")[1], {});
    } else if (form("/confirm")) {
      const offered = unescape(form("/confirm")[2].match(/name="scope" value="([^"]*)"/)?.[1] ?? "");
      next = post(form("/confirm")[1], { scope: scopes ? scopes.join(" ") : offered });
    } else {
      throw new Error(`approve: an unexpected page at ${url.pathname}`);
    }
  }
  throw new Error("approve: too many steps without reaching the redirect URI");
}

/** Keeps every model in memory, and can list them, so that tests can revoke by kind. */
class Store {
  #items = new Map(); // `${model}:${id}` → { payload, expiresAt }

  adapter() {
    const items = this.#items;
    const live = (key) => {
      const item = items.get(key);
      if (item && item.expiresAt !== undefined && item.expiresAt <= Date.now()) {
        items.delete(key);
        return undefined;
      }
      return item;
    };
    return class Adapter {
      constructor(model) {
        this.model = model;
      }
      key(id) {
        return `${this.model}:${id}`;
      }
      async upsert(id, payload, expiresIn) {
        items.set(this.key(id), { payload: structuredClone(payload), expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      }
      async find(id) {
        const item = live(this.key(id));
        return item ? structuredClone(item.payload) : undefined;
      }
      async findByUid(uid) {
        for (const key of items.keys()) {
          if (key.startsWith(`${this.model}:`) && live(key)?.payload.uid === uid) return structuredClone(items.get(key).payload);
        }
        return undefined;
      }
      async findByUserCode(userCode) {
        for (const key of items.keys()) {
          if (key.startsWith(`${this.model}:`) && live(key)?.payload.userCode === userCode) return structuredClone(items.get(key).payload);
        }
        return undefined;
      }
      async consume(id) {
        const item = live(this.key(id));
        if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
      }
      async destroy(id) {
        items.delete(this.key(id));
      }
      async revokeByGrantId(grantId) {
        for (const [key, item] of items) {
          if (item.payload.grantId === grantId) items.delete(key);
        }
      }
    };
  }

  destroyAll(model) {
    let count = 0;
    for (const key of [...this.#items.keys()]) {
      if (key.startsWith(`${model}:`)) {
        this.#items.delete(key);
        count += 1;
      }
    }
    return count;
  }
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function page(res, status, body) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(`<!DOCTYPE html><title>GitLab</title>${body}`);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function unescape(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => Object.keys(ENTITIES).find((k) => ENTITIES[k] === entity));
}
