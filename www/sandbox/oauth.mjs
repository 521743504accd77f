// One real OAuth 2.0 authorization server (oidc-provider) per provider, mounted at that
// provider's paths, with login and consent pages a person can click through. Each provider's
// module says how its token endpoint answers; this module only bends oidc-provider into that
// shape (paths, client authentication, lifetimes, refresh rotation, the token response), never
// forgelink.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";

import Provider from "oidc-provider";

import { escape, html, readForm } from "./http.mjs";

/**
 * Set while a revocation request is handled. oidc-provider revokes every token of the grant
 * with the one it is given; the providers revoke that token alone (see `revokeGrantPolicy`),
 * so the store ignores grant-wide revocations made for a revocation request.
 */
const revoking = new AsyncLocalStorage();

/**
 * @param {object} spec
 * @param {string} spec.provider      forgelink's provider id
 * @param {string} spec.title         the product name the pages show
 * @param {string} spec.issuer        what the callback's `iss` says
 * @param {string} spec.prefix        where it is mounted on its origin ("" for the root)
 * @param {{ authorization: string, token: string, revocation?: string }} spec.routes
 * @param {string[]} spec.scopes      every scope name the provider knows
 * @param {boolean} spec.pkceRequired
 * @param {string} spec.authMethod    how clients authenticate at the token endpoint
 * @param {number} spec.accessTokenTtl
 * @param {number} spec.codeTtl
 * @param {boolean} spec.refreshTokens whether the code grant brings a refresh token
 * @param {(answer: TokenAnswer) => void} spec.shapeToken rewrites the token endpoint's answer in place
 * @param {(clientId: string) => { accessTokenTtl?, refreshTokenTtl?, refreshTokens?, accessTokenPrefix?, refreshTokenPrefix? } | undefined} [spec.clientOptions]
 *   lifetimes and token formats of the provider's own for some clients
 * @param {object} context            { jwk, account, effectiveScopes }
 */
export function createOAuth(spec, { jwk, account, effectiveScopes }) {
  const store = new Store();
  const clients = new Map(); // client id → { name, redirectUri, secret, scopes, createdAt }
  const interactionPath = `${spec.prefix}/oauth-sandbox/interaction`;
  const provider = new Provider(spec.issuer, {
    adapter: store.adapter(),
    clients: [],
    clientAuthMethods: [spec.authMethod],
    // ES256: the one key in `jwks` is an EC key (see startSandbox).
    clientDefaults: { grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: spec.authMethod, id_token_signed_response_alg: "ES256" },
    cookies: {
      keys: [randomBytes(32).toString("hex")],
      // The providers share 127.0.0.1, where cookies ignore the port: names keep their sessions apart.
      names: { session: `_${spec.provider}_session`, interaction: `_${spec.provider}_interaction`, resume: `_${spec.provider}_resume` },
    },
    jwks: { keys: [jwk] },
    scopes: spec.scopes,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      revocation: { enabled: Boolean(spec.routes.revocation), allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    routes: { ...spec.routes, jwks: `/oauth-sandbox/jwks` },
    pkce: { required: () => spec.pkceRequired },
    issueRefreshToken: async (_ctx, client) => (spec.clientOptions?.(client.clientId)?.refreshTokens ?? spec.refreshTokens) && client.grantTypeAllowed("refresh_token"),
    expiresWithSession: async () => false,
    rotateRefreshToken: true,
    // Revoking a token revokes that token: the person's authorization, and the tokens a later
    // approval of it issued, keep working, as on GitLab ("Revoke a token", docs.gitlab.com/api/
    // oauth2/) and GitHub ("Delete an app token"). A re-authorized connection relies on it when
    // its old token is revoked.
    revokeGrantPolicy: () => false,
    ttl: {
      // A provider may give some clients lifetimes of their own (GitHub Apps' expiring user tokens).
      AccessToken: (_ctx, token, client) => spec.clientOptions?.(client?.clientId ?? token.clientId)?.accessTokenTtl ?? spec.accessTokenTtl,
      AuthorizationCode: spec.codeTtl,
      RefreshToken: (_ctx, token, client) => spec.clientOptions?.(client?.clientId ?? token.clientId)?.refreshTokenTtl ?? 180 * 86400,
      Grant: 200 * 86400,
      Session: 86400,
      Interaction: 3600,
      IdToken: 3600,
    },
    interactions: { url: (_ctx, interaction) => `${interactionPath}/${interaction.uid}` },
    findAccount: async (_ctx, sub) =>
      sub === account.username ? { accountId: sub, claims: async () => ({ sub, nickname: account.username, name: account.name }) } : undefined,
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = layout(spec.title, "An error has occurred", `<p id="error" data-error="${escape(out.error)}">${escape(out.error_description ?? "")}</p>`);
    },
  });
  // Token values in the provider's own format for the clients it names (GitHub's ghu_ and ghr_).
  for (const model of ["AccessToken", "RefreshToken"]) {
    const generate = provider[model].prototype.generateTokenId;
    provider[model].prototype.generateTokenId = function generateTokenId() {
      const value = generate.call(this);
      const prefix = spec.clientOptions?.(this.clientId)?.[model === "AccessToken" ? "accessTokenPrefix" : "refreshTokenPrefix"];
      return prefix ? `${prefix}${value.replace(/[-_]/g, "x")}` : value;
    };
  }
  // Bitbucket Cloud matches the callback by prefix and GitHub by host and path prefix; the
  // others exactly. The provider module decides.
  if (spec.redirectUriAllowed) {
    const exact = provider.Client.prototype.redirectUriAllowed;
    provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
      return exact.call(this, value) || this.redirectUris.some((registered) => spec.redirectUriAllowed(registered, value));
    };
  }

  provider.use((ctx, next) => (spec.routes.revocation && ctx.path === spec.routes.revocation ? revoking.run(true, next) : next()));
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === "token") {
      const body = ctx.body && typeof ctx.body === "object" ? ctx.body : undefined;
      const grantType = ctx.oidc.params?.grant_type;
      const token = ctx.oidc.entities?.AccessToken;
      if (body?.access_token) {
        body.scope = effectiveScopes(spec.provider, String(body.scope ?? "").split(" ").filter(Boolean)).join(" ");
      }
      const answer = { status: ctx.status, body, grantType, clientId: ctx.oidc.client?.clientId ?? ctx.oidc.params?.client_id, issuedAt: token?.iat ?? Math.floor(Date.now() / 1000), accept: ctx.get("accept"), type: "application/json" };
      spec.shapeToken(answer);
      ctx.status = answer.status;
      if (answer.type !== "application/json") {
        ctx.type = answer.type;
        ctx.body = answer.text;
      } else {
        ctx.body = answer.body;
      }
    } else if (ctx.oidc?.route === "revocation" && ctx.status === 200) {
      // GitLab answers a revocation with an empty JSON object.
      ctx.type = "application/json";
      ctx.body = "{}";
    }
  });

  const callback = provider.callback();

  async function handle(req, res, url) {
    if (url.pathname.startsWith(`${interactionPath}/`)) {
      return interaction(req, res, url.pathname.slice(interactionPath.length + 1));
    }
    if (spec.beforeAuthorize && url.pathname === `${spec.prefix}${spec.routes.authorization}`) {
      spec.beforeAuthorize(url, clients);
    }
    req.originalUrl = url.pathname + url.search;
    req.url = (url.pathname.slice(spec.prefix.length) || "/") + url.search;
    return callback(req, res);
  }

  /** Whether a path belongs to this server (its routes and its pages). */
  function owns(pathname) {
    const routes = Object.values(spec.routes).map((route) => `${spec.prefix}${route}`);
    // The authorization route also resumes at `${route}/${uid}` after the login and consent pages.
    return routes.some((route) => pathname === route || pathname.startsWith(`${route}/`)) || pathname.startsWith(`${interactionPath}/`) || pathname === `${spec.prefix}/oauth-sandbox/jwks`;
  }

  async function interaction(req, res, rest) {
    const [uid, action] = rest.split("/");
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (error) {
      return html(res, 400, layout(spec.title, "This sign-in has expired", `<p id="error" data-error="invalid_request">${escape(error.message)}</p><p>Start again from the application.</p>`));
    }
    if (details.uid !== uid) {
      return html(res, 400, layout(spec.title, "This sign-in does not match", '<p id="error" data-error="invalid_request">interaction mismatch</p>'));
    }
    const prompt = details.prompt.name;
    const base = `${interactionPath}/${uid}`;
    if (req.method === "GET" && action === undefined) {
      const client = clients.get(details.params.client_id);
      if (prompt === "login") return html(res, 200, loginPage(spec.title, base, account));
      return html(res, 200, consentPage(spec, base, client?.name ?? details.params.client_id, String(details.params.scope ?? ""), account));
    }
    if (req.method !== "POST") {
      return html(res, 405, layout(spec.title, "Not allowed", '<p id="error" data-error="invalid_request">method not allowed</p>'));
    }
    const form = await readForm(req);
    if (action === "login" && prompt === "login") {
      if (form.get("username") !== account.username || form.get("password") !== account.password) {
        return html(res, 401, loginPage(spec.title, base, account, "Invalid username or password."));
      }
      return provider.interactionFinished(req, res, { login: { accountId: account.username } }, { mergeWithLastSubmission: false });
    }
    if (action === "confirm" && prompt === "consent") {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const requested = new Set(String(details.params.scope ?? "").split(" ").filter(Boolean));
      const chosen = (form.get("scope") ?? "").split(" ").filter((s) => requested.has(s));
      const refused = [...requested].filter((s) => !chosen.includes(s));
      if (chosen.length > 0) grant.addOIDCScope(chosen.join(" "));
      if (refused.length > 0) grant.rejectOIDCScope(refused.join(" "));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    }
    if (action === "abort") {
      return provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The resource owner or authorization server denied the request." },
        { mergeWithLastSubmission: false },
      );
    }
    return html(res, 400, layout(spec.title, "Unexpected step", `<p id="error" data-error="invalid_request">${escape(action ?? "")} does not answer ${escape(prompt)}</p>`));
  }

  return {
    provider,
    owns,
    handle,
    clients,
    /** Registers an OAuth application as the provider's settings page would. */
    async registerClient({ clientId, clientSecret, name, redirectUri, redirectUris, scopes, refreshTokens = spec.refreshTokens }) {
      await store.upsert("Client", clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: name,
        redirect_uris: redirectUris ?? [redirectUri],
        grant_types: refreshTokens ? ["authorization_code", "refresh_token"] : ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: spec.authMethod,
      });
      clients.set(clientId, { name, redirectUri, secret: clientSecret, scopes, createdAt: new Date().toISOString() });
    },
    /** An access token this server issued (expired ones included: the API says how they expired). */
    async findAccessToken(value) {
      if (typeof value !== "string" || value.length > 512) return undefined;
      return provider.AccessToken.find(value, { ignoreExpiration: true });
    },
    /** Every access token issued so far and still stored. */
    accessTokenIds: () => store.ids("AccessToken"),
    /**
     * An authorization code for `clientId`, as if `accountId` had just approved it: what a
     * provider hands back when it authorizes on another page's behalf (a GitHub App installed
     * with "Request user authorization (OAuth) during installation").
     */
    async issueCode({ clientId, accountId, redirectUri, scope = "" }) {
      const client = await provider.Client.find(clientId);
      const grant = new provider.Grant({ accountId, clientId });
      if (scope) grant.addOIDCScope(scope);
      const grantId = await grant.save();
      const code = new provider.AuthorizationCode({ accountId, client, grantId, redirectUri, scope, authTime: Math.floor(Date.now() / 1000) });
      return code.save();
    },
    /** Revokes every grant, access token and refresh token of a client (an authorization revoked). */
    async revokeClient(clientId) {
      store.destroyWhere((model, payload) => ["AccessToken", "RefreshToken", "Grant", "AuthorizationCode"].includes(model) && payload.clientId === clientId);
    },
    /** Revokes one access token; the authorization and its other tokens stay. */
    async revokeToken(token) {
      await token.destroy();
    },
  };
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.5rem 1rem;margin:.75rem .5rem 0 0;cursor:pointer}button:focus-visible,input:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem .75rem}.error{color:#a40e26;font-weight:600}code{background:#eee;padding:0 .2rem}form.choice{display:inline-block}`;

export function layout(title, heading, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escape(heading)} · ${escape(title)} (sandbox)</title><style>${STYLE}</style></head><body><main><p>${title === "forgelink" ? "<strong>forgelink</strong> provider sandbox" : `<strong>${escape(title)}</strong> · forgelink provider sandbox`}</p><h1>${escape(heading)}</h1>${body}</main></body></html>`;
}

function loginPage(title, base, account, error) {
  return layout(
    title,
    `Sign in to ${title}`,
    (error ? `<p id="error" class="error" role="alert" data-error="access_denied">${escape(error)}</p>` : "") +
      `<p class="note">This is a sandbox. The account is <code>${escape(account.username)}</code> with the password <code>${escape(account.password)}</code>.</p>` +
      `<form method="post" action="${escape(base)}/login">` +
      `<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="${escape(account.username)}" required>` +
      `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

function consentPage(spec, base, clientName, scopes, account) {
  const list = scopes.split(" ").filter(Boolean);
  const items = list.length ? `<ul>${list.map((s) => `<li><code>${escape(s)}</code>${spec.scopeHelp?.[s] ? `: ${escape(spec.scopeHelp[s])}` : ""}</li>`).join("")}</ul>` : "<p>No scopes: read access to public information only.</p>";
  return layout(
    spec.title,
    `Authorize ${clientName}`,
    `<p><strong>${escape(clientName)}</strong> wants to use your account <code>${escape(account.username)}</code> with these permissions:</p>${items}` +
      `<form method="post" action="${escape(base)}/confirm" class="choice"><input type="hidden" name="scope" value="${escape(scopes)}"><button type="submit">Authorize</button></form>` +
      `<form method="post" action="${escape(base)}/abort" class="choice"><button type="submit">Deny</button></form>`,
  );
}

/** Every model in memory, listable, so that switches and tests can find tokens by kind. */
class Store {
  #items = new Map(); // `${model}:${id}` → { payload, expiresAt }

  #live(key) {
    const item = this.#items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      this.#items.delete(key);
      return undefined;
    }
    return item;
  }

  async upsert(model, id, payload, expiresIn) {
    this.#items.set(`${model}:${id}`, { payload: structuredClone(payload), expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
  }

  ids(model) {
    return [...this.#items.keys()].filter((k) => k.startsWith(`${model}:`) && this.#live(k)).map((k) => k.slice(model.length + 1));
  }

  async revokeByGrantId(grantId) {
    for (const [key, item] of this.#items) if (item.payload.grantId === grantId) this.#items.delete(key);
  }

  destroyWhere(predicate) {
    for (const [key, item] of this.#items) if (predicate(key.slice(0, key.indexOf(":")), item.payload)) this.#items.delete(key);
  }

  adapter() {
    const store = this;
    const items = this.#items;
    return class Adapter {
      constructor(model) {
        this.model = model;
      }
      async upsert(id, payload, expiresIn) {
        await store.upsert(this.model, id, payload, expiresIn);
      }
      async find(id) {
        const item = store.#live(`${this.model}:${id}`);
        return item ? structuredClone(item.payload) : undefined;
      }
      async findByUid(uid) {
        for (const key of items.keys()) {
          if (key.startsWith(`${this.model}:`) && store.#live(key)?.payload.uid === uid) return structuredClone(items.get(key).payload);
        }
        return undefined;
      }
      async findByUserCode() {
        return undefined;
      }
      async consume(id) {
        const item = store.#live(`${this.model}:${id}`);
        if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
      }
      async destroy(id) {
        items.delete(`${this.model}:${id}`);
      }
      async revokeByGrantId(grantId) {
        if (revoking.getStore()) return;
        await store.revokeByGrantId(grantId);
      }
    };
  }
}
