// GitHub Apps on the GitHub Enterprise Server origin, as GitHub documents them: registration
// from a manifest ("Registering a GitHub App from a manifest"), installation pages, JWTs signed
// with the app's RSA key ("Generating a JSON Web Token (JWT) for a GitHub App"), installation
// access tokens ("Generating an installation access token"; "REST API endpoints for GitHub
// Apps" and "... for GitHub App installations"), the app's one webhook (installation,
// installation_repositories, github_app_authorization and the repository events it subscribed
// to), and expiring user-to-server tokens at the OAuth endpoints github.mjs already serves.

import { generateKeyPair, randomBytes, verify as verifySignature } from "node:crypto";
import { promisify } from "node:util";

import { escape, html, readForm, readJson, redirect, uuid } from "../http.mjs";
import { layout } from "../oauth.mjs";
import { isoSeconds } from "./common.mjs";

// The synchronous RSA generation has been seen never to return inside a test process.
const generateKeyPairAsync = promisify(generateKeyPair);

const TITLE = "GitHub Enterprise";
const HOUR = 3600;
/** "The manifest flow code expires after one hour" ("Registering a GitHub App from a manifest"). */
const CODE_TTL = HOUR;
/** "The maximum lifetime of a JWT is 10 minutes" plus the clock drift GitHub tolerates on iat. */
const JWT_MAX_SECONDS = 600;
const IAT_LEEWAY = 60;
/** User-to-server tokens: "expire after 8 hours", refresh tokens "after 6 months" ("Refreshing user access tokens"). */
export const USER_TOKEN_TTL = 28_800;
export const REFRESH_TOKEN_TTL = 15_897_600;
const PERMISSION_LEVELS = ["read", "write", "admin"];
const SESSION_COOKIE = "_gh_sandbox_user_session";

/**
 * @param {object} context
 * @param {object} context.state           the sandbox state (projects, account, switches)
 * @param {string} context.origin          GitHub Enterprise Server's origin
 * @param {string} context.api             `${origin}/api/v3`
 * @param {(login: string) => object} context.owner   the simple user or organization shape
 * @param {(project: object) => object} context.describe  the full repository shape
 * @param {() => string} context.docs       the REST reference's URL for this version
 * @param {() => string} context.version    the Enterprise Server version
 * @param {() => object} context.oauth      the GitHub OAuth server (oauth.mjs)
 * @param {(delivery: object) => Promise<object>} context.deliver  deliveries.mjs `deliver`
 */
export function githubApps({ state, origin, api, owner, describe, docs, version, oauth, deliver }) {
  const apps = new Map(); // id → app
  const codes = new Map(); // manifest code → { appId, createdAt, used }
  const installations = new Map(); // id → installation
  const tokens = new Map(); // ghs_ value → { installationId, expiresAt, permissions, repositoryIds }
  const sessions = new Map(); // cookie value → login
  const settings = { clockOffsetMs: 0, installationTokenTtl: HOUR };
  let nextAppId = 1001;
  let nextInstallationId = 7_001_001;

  const now = () => Date.now() + settings.clockOffsetMs;
  const seconds = () => Math.floor(now() / 1000);
  const iso = (ms = now()) => isoSeconds(new Date(ms));
  const user = state.account.username;
  const accounts = () => [user, ...new Set(state.projects.github.map((p) => p.path.split("/")[0]).filter((login) => login !== user))];
  const reposOf = (login) => state.projects.github.filter((p) => p.path.split("/")[0].toLowerCase() === login.toLowerCase()).sort((a, b) => a.path.localeCompare(b.path));
  const notFound = () => ({ status: 404, body: { message: "Not Found", documentation_url: docs(), status: "404" } });

  const appBy = (key) => apps.get(Number(key)) ?? [...apps.values()].find((a) => a.slug === key || a.clientId === key);
  const byClientId = (clientId) => [...apps.values()].find((a) => a.clientId === clientId);

  // ---- registration -----------------------------------------------------------------------

  function slugify(name) {
    return String(name).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "app";
  }

  /** Creates an app as the manifest's "Create GitHub App" button does. */
  async function createApp(manifest, ownerLogin = user) {
    const { privateKey, publicKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
    const id = nextAppId++;
    let slug = slugify(manifest.name);
    if ([...apps.values()].some((a) => a.slug === slug)) slug = `${slug}-${id}`;
    const created = iso();
    const hook = manifest.hook_attributes ?? {};
    const app = {
      id,
      slug,
      nodeId: Buffer.from(`03:Integration${id}`).toString("base64"),
      name: manifest.name,
      description: manifest.description ?? "",
      externalUrl: manifest.url,
      ownerLogin,
      clientId: `Iv23li${randomBytes(7).toString("hex")}`,
      clientSecret: randomBytes(20).toString("hex"),
      // GitHub generates the webhook secret itself and hands it over with the conversion.
      webhookSecret: randomBytes(20).toString("hex"),
      pem: privateKey.export({ type: "pkcs1", format: "pem" }),
      publicKey,
      permissions: { metadata: "read", ...(manifest.default_permissions ?? {}) },
      events: [...(manifest.default_events ?? [])],
      hook: { id: 500_000 + id, url: hook.url ?? null, active: hook.url ? hook.active !== false : false, contentType: "json", insecureSsl: "0" },
      redirectUrl: manifest.redirect_url ?? null,
      callbackUrls: [...(manifest.callback_urls ?? [])],
      setupUrl: manifest.setup_url ?? null,
      setupOnUpdate: Boolean(manifest.setup_on_update),
      requestOauthOnInstall: Boolean(manifest.request_oauth_on_install),
      public: Boolean(manifest.public),
      createdAt: created,
      updatedAt: created,
      tokenRequests: 0,
      jwtRequests: 0,
    };
    apps.set(id, app);
    // The app's client id and secret are an OAuth client at /login/oauth, with expiring tokens.
    const redirectUris = [...app.callbackUrls, ...(app.setupUrl ? [app.setupUrl] : [])];
    await oauth().registerClient({ clientId: app.clientId, clientSecret: app.clientSecret, name: app.name, redirectUris: redirectUris.length ? redirectUris : [app.externalUrl], refreshTokens: true });
    return app;
  }

  function validateManifest(text) {
    let manifest;
    try {
      manifest = JSON.parse(text ?? "");
    } catch {
      return { error: "The manifest is not valid JSON." };
    }
    if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) return { error: "The manifest must be a JSON object." };
    if (typeof manifest.url !== "string" || !manifest.url) return { error: "url can't be blank" };
    if (typeof manifest.name !== "string" || !manifest.name.trim()) return { error: "Name can't be blank" };
    for (const [name, level] of Object.entries(manifest.default_permissions ?? {})) {
      if (!PERMISSION_LEVELS.includes(level)) return { error: `Default permission records ${name} is not a valid permission level` };
    }
    return { manifest };
  }

  function describeApp(app, { secrets = false } = {}) {
    return {
      id: app.id,
      slug: app.slug,
      node_id: app.nodeId,
      client_id: app.clientId,
      owner: owner(app.ownerLogin),
      name: app.name,
      description: app.description,
      external_url: app.externalUrl,
      html_url: `${origin}/github-apps/${app.slug}`,
      created_at: app.createdAt,
      updated_at: app.updatedAt,
      permissions: { ...app.permissions },
      events: [...app.events],
      installations_count: [...installations.values()].filter((i) => i.appId === app.id).length,
      ...(secrets ? { client_secret: app.clientSecret, webhook_secret: app.webhookSecret, pem: app.pem } : {}),
    };
  }

  // ---- installations ------------------------------------------------------------------------

  function repositoriesOf(installation) {
    const all = reposOf(installation.account);
    return installation.selection === "all" ? all : all.filter((p) => installation.repositoryIds.has(p.id));
  }

  /** The installation as the REST API shows it; in webhooks (`webhook`) its times are epoch seconds, as GitHub's payloads mostly carry them. */
  function describeInstallation(installation, { webhook = false } = {}) {
    const app = apps.get(installation.appId);
    const account = owner(installation.account);
    return {
      id: installation.id,
      client_id: app.clientId,
      account,
      repository_selection: installation.selection,
      access_tokens_url: `${api}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${api}/installation/repositories`,
      html_url: `${origin}/${account.type === "Organization" ? `organizations/${account.login}/` : ""}settings/installations/${installation.id}`,
      app_id: app.id,
      app_slug: app.slug,
      target_id: account.id,
      target_type: account.type,
      // Until the account accepts an app's new permissions, the installation keeps the old ones.
      permissions: { ...installation.permissions },
      events: [...installation.events],
      created_at: webhook ? Date.parse(installation.createdAt) / 1000 : installation.createdAt,
      updated_at: webhook ? Date.parse(installation.updatedAt) / 1000 : installation.updatedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: installation.suspendedAt ? owner(installation.suspendedBy) : null,
      suspended_at: installation.suspendedAt,
    };
  }

  // The enterprise GitHub Enterprise Server names in every payload (as github.mjs does).
  const enterprise = () => ({ id: 1, slug: "acme", name: "Acme", html_url: `${origin}/enterprises/acme` });
  const miniRepository = (p) => ({ id: p.id, node_id: describe(p).node_id, name: p.name, full_name: p.path, private: p.visibility === "private" });

  /** The app's one webhook: signed with its secret, aimed at the integration. */
  async function appDelivery(app, event, payload, project = `apps/${app.slug}`, kind = event) {
    if (!app.hook.url || !app.hook.active) return undefined;
    const id = uuid();
    const prepared = {
      event,
      deliveryId: id,
      body: JSON.stringify(payload),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/8f3c2a1",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": id,
        "X-GitHub-Hook-ID": String(app.hook.id),
        "X-GitHub-Hook-Installation-Target-ID": String(app.id),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-GitHub-Enterprise-Host": new URL(origin).host,
        "X-GitHub-Enterprise-Version": version(),
      },
      sign: app.webhookSecret ? { secret: app.webhookSecret, headers: [["X-Hub-Signature", "sha1"], ["X-Hub-Signature-256", "sha256"]] } : undefined,
    };
    return sendToApp(app, project, kind, prepared);
  }

  /** Sends a prepared delivery to the app's webhook, as a form when its config says so. */
  function sendToApp(app, project, kind, prepared) {
    if (app.hook.contentType === "form") {
      // GitHub's form content type wraps the JSON in a `payload` field, and signs the form.
      prepared.body = new URLSearchParams({ payload: prepared.body }).toString();
      prepared.headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    return deliver({ provider: "github", project, kind, hook: { id: app.hook.id, url: app.hook.url }, prepared });
  }

  /** "Get (update) a webhook configuration for an app": the secret is never shown. */
  const hookConfig = (app) => ({ content_type: app.hook.contentType, insecure_ssl: app.hook.insecureSsl, url: app.hook.url ?? "", ...(app.webhookSecret ? { secret: "********" } : {}) });

  function installationEvent(installation, action, extra = {}) {
    const app = apps.get(installation.appId);
    return appDelivery(app, "installation", {
      action,
      installation: describeInstallation(installation, { webhook: true }),
      repositories: repositoriesOf(installation).map(miniRepository),
      requester: null,
      enterprise: enterprise(),
      sender: owner(extra.sender ?? user),
    });
  }

  function repositoriesEvent(installation, added, removed) {
    const app = apps.get(installation.appId);
    return appDelivery(app, "installation_repositories", {
      action: added.length ? "added" : "removed",
      installation: describeInstallation(installation, { webhook: true }),
      repository_selection: installation.selection,
      repositories_added: added.map(miniRepository),
      repositories_removed: removed.map(miniRepository),
      requester: null,
      enterprise: enterprise(),
      sender: owner(user),
    });
  }

  async function install(app, { account, selection, repositoryIds }) {
    const existing = [...installations.values()].find((i) => i.appId === app.id && i.account.toLowerCase() === account.toLowerCase());
    if (existing) {
      const before = repositoriesOf(existing);
      existing.selection = selection;
      existing.repositoryIds = new Set(repositoryIds);
      existing.updatedAt = iso();
      const after = repositoriesOf(existing);
      const added = after.filter((p) => !before.includes(p));
      const removed = before.filter((p) => !after.includes(p));
      if (added.length) await repositoriesEvent(existing, added, []);
      if (removed.length) await repositoriesEvent(existing, [], removed);
      return { installation: existing, action: "update" };
    }
    const installation = {
      id: nextInstallationId++,
      appId: app.id,
      account: reposOf(account)[0]?.path.split("/")[0] ?? account,
      selection,
      repositoryIds: new Set(repositoryIds),
      permissions: { ...app.permissions },
      events: [...app.events],
      createdAt: iso(),
      updatedAt: iso(),
      suspendedAt: null,
      suspendedBy: null,
    };
    installations.set(installation.id, installation);
    await installationEvent(installation, "created");
    return { installation, action: "install" };
  }

  async function uninstall(installation) {
    installations.delete(installation.id);
    for (const [value, token] of tokens) if (token.installationId === installation.id) tokens.delete(value);
    await installationEvent(installation, "deleted");
  }

  // ---- JWTs and tokens -------------------------------------------------------------------------

  const refuse = (status, message) => ({ status, body: { message, documentation_url: docs(), status: String(status) } });

  /**
   * Checks an app's JWT the way GitHub does, with its messages (seen in octokit/rest.js#218 and
   * backstage#12887 for "could not be decoded", in probot's issue 4 on a GitHub Enterprise for
   * "Integration not found", which is a 404; the claim messages are GitHub's API answers as
   * octokit/auth-app.js reports them): `{ app }` or `{ status, body }`.
   */
  function verifyJwt(req) {
    const value = (req.headers.authorization ?? "").match(/^Bearer\s+(\S+)$/i)?.[1];
    const undecodable = refuse(401, "A JSON web token could not be decoded");
    if (!value) return refuse(401, "A JSON web token could not be decoded");
    const parts = value.split(".");
    if (parts.length !== 3) return undecodable;
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      return undecodable;
    }
    if (header?.alg !== "RS256" || !claims || typeof claims !== "object") return undecodable;
    // iss: the app's id (a number or a string of it) or its client id ("Generating a JSON Web Token").
    const app = apps.get(Number(claims.iss)) ?? (typeof claims.iss === "string" && claims.iss ? byClientId(claims.iss) : undefined);
    if (!app) return refuse(404, "Integration not found");
    const good = verifySignature("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), app.publicKey, Buffer.from(parts[2], "base64url"));
    if (!good) return undecodable;
    const nowSeconds = seconds();
    if (!Number.isInteger(claims.iat) || claims.iat > nowSeconds + IAT_LEEWAY) {
      return refuse(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
    }
    if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
      return refuse(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
    }
    if (claims.exp - claims.iat > JWT_MAX_SECONDS) return refuse(401, "'Expiration time' claim ('exp') is too far in the future");
    return { app };
  }

  /** What an installation's permissions allow on the repository routes, in OAuth scope terms. */
  function scopesFor(permissions) {
    const scopes = ["repo"];
    if (permissions.repository_hooks === "write") scopes.push("admin:repo_hook");
    else if (permissions.repository_hooks === "read") scopes.push("read:repo_hook");
    return scopes;
  }
  const hookAccess = (permissions) => permissions.repository_hooks ?? null;
  const writes = (permissions) => ["pull_requests", "issues", "contents"].some((name) => permissions[name] === "write");

  /**
   * Who an installation token (ghs_) or a user-to-server token (ghu_) is, for the repository
   * routes in github.mjs: `undefined` for any other token.
   */
  function identify(value, oauthToken) {
    if (typeof value === "string" && value.startsWith("ghs_")) {
      const token = tokens.get(value);
      const installation = token && installations.get(token.installationId);
      if (!token || !installation) return { error: "invalid" };
      if (token.expiresAt <= now() || (state.on("expiredToken", "github") && state.expired.has(value))) return { error: "expired" };
      // A suspended installation's tokens are refused until it is unsuspended.
      if (installation.suspendedAt) return { error: "suspended" };
      const repositories = repositoriesOf(installation).filter((p) => !token.repositoryIds || token.repositoryIds.has(p.id));
      return { kind: "installation", integration: true, value, installation, scopes: scopesFor(token.permissions), hookAccess: hookAccess(token.permissions), canWrite: writes(token.permissions), repositoryIds: new Set(repositories.map((p) => p.id)) };
    }
    const app = oauthToken && byClientId(oauthToken.clientId);
    if (app) {
      // A user-to-server token acts for the person, within the app's installations they can reach.
      const reachable = [...installations.values()].filter((i) => i.appId === app.id && !i.suspendedAt);
      const ids = new Set(reachable.flatMap((i) => repositoriesOf(i).map((p) => p.id)));
      const permissions = reachable[0]?.permissions ?? app.permissions;
      return { kind: "user-to-server", app, scopes: scopesFor(permissions), hookAccess: hookAccess(permissions), canWrite: writes(permissions), repositoryIds: ids };
    }
    return undefined;
  }

  async function accessToken(installation, body) {
    if (installation.suspendedAt) return refuse(403, "This installation has been suspended");
    const available = repositoriesOf(installation);
    let chosen = null;
    if (Array.isArray(body.repositories) || Array.isArray(body.repository_ids)) {
      const names = (body.repositories ?? []).map(String);
      const ids = (body.repository_ids ?? []).map(Number);
      const named = (n) => (p) => n.toLowerCase() === p.name.toLowerCase() || n.toLowerCase() === p.path.toLowerCase();
      chosen = available.filter((p) => names.some((n) => named(n)(p)) || ids.includes(p.id));
      if (names.some((n) => !available.some(named(n))) || ids.some((id) => !available.some((p) => p.id === id))) {
        return { status: 422, body: { message: "There is at least one repository that does not exist or is not accessible to the parent installation.", documentation_url: docs(), status: "422" } };
      }
    }
    let permissions = { ...installation.permissions };
    if (body.permissions && typeof body.permissions === "object") {
      permissions = {};
      for (const [name, level] of Object.entries(body.permissions)) {
        const has = installation.permissions[name];
        if (!has || PERMISSION_LEVELS.indexOf(level) < 0 || PERMISSION_LEVELS.indexOf(level) > PERMISSION_LEVELS.indexOf(has)) {
          return { status: 422, body: { message: `The permissions requested are not granted to this installation.`, documentation_url: docs(), status: "422" } };
        }
        permissions[name] = level;
      }
    }
    const value = `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
    const expiresAt = now() + settings.installationTokenTtl * 1000;
    tokens.set(value, { installationId: installation.id, expiresAt, permissions, repositoryIds: chosen ? new Set(chosen.map((p) => p.id)) : null });
    return {
      status: 201,
      body: {
        token: value,
        expires_at: iso(expiresAt),
        permissions,
        repository_selection: chosen ? "selected" : installation.selection,
        ...(chosen ? { repositories: chosen.map((p) => describe(p)) } : {}),
      },
    };
  }

  /**
   * The routes that take no token or the app's JWT (manifest conversions, /app, the
   * installation look-ups): `{ status, body, headers? }` when `path` is one of them, else
   * `undefined`. `page(items)` pages a list the way github.mjs does.
   */
  async function handleApi(req, url, path, { page }) {
    const conversion = /^\/app-manifests\/([^/]+)\/conversions$/.exec(path);
    if (conversion && req.method === "POST") {
      const entry = codes.get(decodeURIComponent(conversion[1]));
      if (!entry || entry.used || entry.createdAt + CODE_TTL * 1000 <= now()) return notFound();
      entry.used = true;
      return { status: 201, body: describeApp(apps.get(entry.appId), { secrets: true }) };
    }
    // "Get a repository (organization, user) installation for the authenticated app".
    const lookup = /^\/(?:repos\/([^/]+\/[^/]+)|orgs\/([^/]+)|users\/([^/]+))\/installation$/.exec(path);
    if (lookup && req.method === "GET") {
      const checked = verifyJwt(req);
      if (!checked.app) return checked;
      checked.app.jwtRequests += 1;
      const [repository, login] = [lookup[1] && decodeURIComponent(lookup[1]).toLowerCase(), decodeURIComponent(lookup[2] ?? lookup[3] ?? lookup[1].split("/")[0]).toLowerCase()];
      const found = [...installations.values()].find((i) => i.appId === checked.app.id && i.account.toLowerCase() === login && (!repository || repositoriesOf(i).some((p) => p.path.toLowerCase() === repository)));
      return found ? { status: 200, body: describeInstallation(found) } : notFound();
    }
    if (path === "/app" || path.startsWith("/app/")) {
      const checked = verifyJwt(req);
      if (!checked.app) return checked;
      const app = checked.app;
      app.jwtRequests += 1;
      if (req.method === "GET" && path === "/app") return { status: 200, body: describeApp(app) };
      if (path === "/app/hook/config" && req.method === "GET") return { status: 200, body: hookConfig(app) };
      if (path === "/app/hook/config" && req.method === "PATCH") {
        let body;
        try {
          body = (await readJson(req)) ?? {};
        } catch {
          return { status: 400, body: { message: "Problems parsing JSON", documentation_url: docs(), status: "400" } };
        }
        if (body.url !== undefined && (typeof body.url !== "string" || !/^https?:\/\//.test(body.url))) {
          return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "Hook", code: "custom", message: "Config must contain url for webhook hook" }], documentation_url: docs(), status: "422" } };
        }
        if (typeof body.url === "string") {
          app.hook.url = body.url;
          app.hook.active = true;
        }
        if (Object.hasOwn(body, "secret")) app.webhookSecret = body.secret || null;
        if (body.content_type === "json" || body.content_type === "form") app.hook.contentType = body.content_type;
        if (body.insecure_ssl !== undefined) app.hook.insecureSsl = String(body.insecure_ssl);
        app.updatedAt = iso();
        return { status: 200, body: hookConfig(app) };
      }
      const mine = [...installations.values()].filter((i) => i.appId === app.id);
      if (req.method === "GET" && path === "/app/installations") {
        const p = page(mine.map(describeInstallation));
        return { status: 200, body: p.items, headers: p.headers };
      }
      const one = /^\/app\/installations\/(\d+)(\/access_tokens)?$/.exec(path);
      const installation = one && mine.find((i) => i.id === Number(one[1]));
      if (!one) return notFound();
      if (!installation) return notFound();
      if (!one[2] && req.method === "GET") return { status: 200, body: describeInstallation(installation) };
      if (!one[2] && req.method === "DELETE") {
        await uninstall(installation);
        return { status: 204 };
      }
      if (one[2] && req.method === "POST") {
        app.tokenRequests += 1;
        let body;
        try {
          body = (await readJson(req)) ?? {};
        } catch {
          return { status: 400, body: { message: "Problems parsing JSON", documentation_url: docs(), status: "400" } };
        }
        return accessToken(installation, body);
      }
      return notFound();
    }
    return undefined;
  }

  /**
   * `GET /user/installations` and `GET /user/installations/{id}/repositories` for a
   * user-to-server token: the app's installations the person can reach. Other tokens are refused
   * as GitHub refuses them.
   */
  function handleUserInstallations(req, url, path, who, { page }) {
    const route = /^\/user\/installations(?:\/(\d+)\/repositories)?$/.exec(path);
    if (!route || req.method !== "GET") return undefined;
    if (who.kind !== "user-to-server") {
      return refuse(403, "You must authenticate with an access token authorized to a GitHub App in order to list installations");
    }
    const mine = [...installations.values()].filter((i) => i.appId === who.app.id);
    if (!route[1]) {
      const p = page(mine.map((i) => describeInstallation(i)));
      return { status: 200, body: { total_count: mine.length, installations: p.items }, headers: p.headers };
    }
    const installation = mine.find((i) => i.id === Number(route[1]));
    if (!installation) return notFound();
    const list = repositoriesOf(installation);
    const p = page(list.map((project) => describe(project)));
    return { status: 200, body: { total_count: list.length, repository_selection: installation.selection, repositories: p.items }, headers: p.headers };
  }

  /** The /installation routes, for an installation token's identity. */
  function handleInstallation(req, url, path, who, { page }) {
    if (req.method === "GET" && path === "/installation/repositories") {
      const list = repositoriesOf(who.installation).filter((p) => who.repositoryIds.has(p.id));
      const p = page(list.map((project) => ({ ...describe(project), permissions: { admin: false, maintain: false, push: who.canWrite, triage: who.canWrite, pull: true } })));
      return { status: 200, body: { total_count: list.length, repository_selection: who.installation.selection, repositories: p.items }, headers: p.headers };
    }
    if (req.method === "DELETE" && path === "/installation/token") {
      tokens.delete(who.value);
      return { status: 204 };
    }
    return undefined;
  }

  // ---- web pages -------------------------------------------------------------------------------

  const page = (heading, body) => layout(TITLE, heading, body);
  const errorPage = (res, status, message) => html(res, status, page("Something went wrong", `<p id="error" class="error" role="alert" data-error="unprocessable_entity">${escape(message)}</p>`));

  function signedIn(req) {
    const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    return cookie ? sessions.get(cookie.slice(SESSION_COOKIE.length + 1)) : undefined;
  }

  function signInPage(returnTo, error) {
    return page(
      `Sign in to ${TITLE}`,
      (error ? `<p id="error" class="error" role="alert" data-error="access_denied">${escape(error)}</p>` : "") +
        `<p class="note">This is a sandbox. The account is <code>${escape(state.account.username)}</code> with the password <code>${escape(state.account.password)}</code>.</p>` +
        `<form method="post" action="/session"><input type="hidden" name="return_to" value="${escape(returnTo)}">` +
        `<label for="login_field">Username</label><input id="login_field" name="login" autocomplete="username" value="${escape(state.account.username)}" required>` +
        `<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
        `<button type="submit">Sign in</button></form>`,
    );
  }

  function permissionList(permissions, events) {
    const rows = Object.entries(permissions).map(([name, level]) => `<li><code>${escape(name)}</code>: ${escape(level)}</li>`).join("");
    return `<h2>Permissions</h2><ul id="permissions">${rows}</ul><h2>Events</h2>${events.length ? `<ul id="events">${events.map((e) => `<li><code>${escape(e)}</code></li>`).join("")}</ul>` : "<p>None.</p>"}`;
  }

  function installPage(app, login, current) {
    const sections = accounts()
      .map((account, i) => {
        const checked = current ? current.account === account : i === 0;
        const chosen = (p) => current?.account === account && (current.selection === "all" || current.repositoryIds.has(p.id));
        const boxes = reposOf(account)
          .map((p) => `<li><input type="checkbox" id="repo-${p.id}" name="repository" value="${escape(p.path)}"${chosen(p) ? " checked" : ""}><label class="inline" for="repo-${p.id}">${escape(p.path)}</label></li>`)
          .join("");
        return `<fieldset><legend><input type="radio" id="account-${escape(account)}" name="account" value="${escape(account)}"${checked ? " checked" : ""}><label class="inline" for="account-${escape(account)}">${escape(account)}${account === login ? " (you)" : ""}</label></legend><ul>${boxes}</ul></fieldset>`;
      })
      .join("");
    const all = !current || current.selection === "all";
    return page(
      `Install ${app.name}`,
      `<p><strong>${escape(app.name)}</strong> asks for access as ${escape(login)}.</p>${permissionList(app.permissions, app.events)}` +
        `<form method="post" action="/github-apps/${escape(app.slug)}/installations">` +
        `<input type="hidden" name="state" value="${escape(current?.state ?? "")}">` +
        `<h2>Where and which repositories</h2>${sections}` +
        `<p><input type="radio" id="selection-all" name="repository_selection" value="all"${all ? " checked" : ""}><label class="inline" for="selection-all">All repositories</label> ` +
        `<input type="radio" id="selection-selected" name="repository_selection" value="selected"${all ? "" : " checked"}><label class="inline" for="selection-selected">Only select repositories</label></p>` +
        `<button type="submit">${current?.id ? "Save" : "Install"}</button></form>`,
    ).replace("</style>", "label.inline{display:inline;font-weight:400}input[type=radio],input[type=checkbox]{width:auto}</style>");
  }

  const WEB = [
    /^\/settings\/apps\/new(\/create)?$/,
    /^\/organizations\/[^/]+\/settings\/apps\/new(\/create)?$/,
    /^\/(github-apps|apps)\/[^/]+\/installations(\/new)?$/,
    /^\/(organizations\/[^/]+\/)?settings\/installations\/\d+(\/delete)?$/,
    /^\/session$/,
  ];

  async function handleWeb(req, res, url) {
    const path = url.pathname;
    if (path === "/session" && req.method === "POST") {
      const form = await readForm(req);
      const returnTo = form.get("return_to") || "/";
      if (form.get("login") !== state.account.username || form.get("password") !== state.account.password) {
        return html(res, 401, signInPage(returnTo, "Incorrect username or password."));
      }
      const session = randomBytes(24).toString("hex");
      sessions.set(session, state.account.username);
      const safe = returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
      res.writeHead(302, { location: safe, "set-cookie": `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax` });
      return res.end();
    }
    const manifestRoute = /^(?:\/organizations\/([^/]+))?\/settings\/apps\/new(\/create)?$/.exec(path);
    if (manifestRoute && req.method === "POST") {
      const org = manifestRoute[1] ? decodeURIComponent(manifestRoute[1]) : null;
      if (org && !accounts().some((a) => a.toLowerCase() === org.toLowerCase())) return errorPage(res, 404, `No organization ${org}.`);
      const form = await readForm(req);
      const checked = validateManifest(form.get("manifest"));
      if (checked.error) return errorPage(res, 422, `Invalid GitHub App manifest: ${checked.error}`);
      const appState = form.get("state") ?? url.searchParams.get("state") ?? "";
      if (!manifestRoute[2]) {
        const m = checked.manifest;
        return html(
          res,
          200,
          page(
            `Create GitHub App for ${org ?? user}`,
            `<dl><dt>GitHub App name</dt><dd id="app-name">${escape(m.name)}</dd><dt>Homepage URL</dt><dd><code>${escape(m.url)}</code></dd>` +
              `<dt>Webhook URL</dt><dd><code>${escape(m.hook_attributes?.url ?? "none")}</code></dd></dl>${permissionList({ metadata: "read", ...(m.default_permissions ?? {}) }, m.default_events ?? [])}` +
              `<form method="post" action="${escape(url.pathname)}/create"><input type="hidden" name="manifest" value="${escape(form.get("manifest"))}"><input type="hidden" name="state" value="${escape(appState)}"><button type="submit">Create GitHub App</button></form>`,
          ),
        );
      }
      const app = await createApp(checked.manifest, org ?? user);
      const code = randomBytes(20).toString("hex");
      codes.set(code, { appId: app.id, createdAt: now(), used: false });
      const target = new URL(app.redirectUrl ?? app.externalUrl);
      target.searchParams.set("code", code);
      if (appState) target.searchParams.set("state", appState);
      return redirect(res, target.href, 302);
    }
    const installRoute = /^\/(?:github-apps|apps)\/([^/]+)\/installations(\/new)?$/.exec(path);
    if (installRoute) {
      const app = appBy(decodeURIComponent(installRoute[1]));
      if (!app || /^\d+$/.test(installRoute[1])) return errorPage(res, 404, "No such GitHub App.");
      const login = signedIn(req);
      if (!login) return html(res, 200, signInPage(url.pathname + url.search));
      if (installRoute[2] && req.method === "GET") {
        const existing = [...installations.values()].find((i) => i.appId === app.id && (url.searchParams.get("target_id") ? String(owner(i.account).id) === url.searchParams.get("target_id") : true));
        return html(res, 200, installPage(app, login, existing ? { ...existing, state: url.searchParams.get("state") } : { state: url.searchParams.get("state") }));
      }
      if (!installRoute[2] && req.method === "POST") {
        const form = await readForm(req);
        const account = form.get("account") ?? login;
        if (!accounts().some((a) => a.toLowerCase() === account.toLowerCase())) return errorPage(res, 422, `You cannot install on ${account}.`);
        const selection = form.get("repository_selection") === "selected" ? "selected" : "all";
        const names = form.getAll("repository").map((n) => n.toLowerCase());
        const ids = reposOf(account).filter((p) => names.includes(p.path.toLowerCase())).map((p) => p.id);
        if (selection === "selected" && ids.length === 0) return errorPage(res, 422, "Choose at least one repository.");
        const { installation, action } = await install(app, { account, selection, repositoryIds: selection === "all" ? [] : ids });
        const appState = form.get("state");
        if (action === "update" && !app.setupOnUpdate) return redirect(res, describeInstallation(installation).html_url, 302);
        // "Request user authorization (OAuth) during installation": GitHub runs the web
        // authorization flow and returns the person to the first callback URL with the code,
        // and the app has no setup URL ("Registering a GitHub App",
        // docs.github.com/en/apps/creating-github-apps/registering-a-github-app/registering-a-github-app).
        const oauthOnInstall = app.requestOauthOnInstall && app.callbackUrls.length > 0;
        const landing = oauthOnInstall ? app.callbackUrls[0] : app.setupUrl;
        if (!landing) return redirect(res, describeInstallation(installation).html_url, 302);
        const target = new URL(landing);
        target.searchParams.set("installation_id", String(installation.id));
        target.searchParams.set("setup_action", action);
        if (appState) target.searchParams.set("state", appState);
        if (oauthOnInstall) target.searchParams.set("code", await oauth().issueCode({ clientId: app.clientId, accountId: login, redirectUri: landing }));
        return redirect(res, target.href, 302);
      }
    }
    const settingsRoute = /^\/(?:organizations\/[^/]+\/)?settings\/installations\/(\d+)(\/delete)?$/.exec(path);
    if (settingsRoute) {
      const installation = installations.get(Number(settingsRoute[1]));
      if (!signedIn(req)) return html(res, 200, signInPage(url.pathname));
      if (!installation) return errorPage(res, 404, "No such installation.");
      const app = apps.get(installation.appId);
      if (!settingsRoute[2] && req.method === "GET") {
        return html(
          res,
          200,
          page(
            `${app.name} on ${installation.account}`,
            `${permissionList(installation.permissions, installation.events)}<p>${installation.selection === "all" ? "All repositories" : repositoriesOf(installation).map((p) => `<code>${escape(p.path)}</code>`).join(", ")}</p>` +
              `<p><a href="/github-apps/${escape(app.slug)}/installations/new?target_id=${owner(installation.account).id}">Configure</a></p>` +
              `<form method="post" action="${escape(path)}/delete"><button type="submit">Uninstall</button></form>`,
          ),
        );
      }
      if (settingsRoute[2] && req.method === "POST") {
        await uninstall(installation);
        return html(res, 200, page("Uninstalled", `<p id="uninstalled">${escape(app.name)} is no longer installed on ${escape(installation.account)}.</p>`));
      }
    }
    return html(res, 405, page("Not allowed", `<p id="error" data-error="invalid_request">${escape(req.method)} ${escape(path)}</p>`));
  }

  // ---- repository events for installations ------------------------------------------------------

  /**
   * The app's copy of a repository event (`prepare(hook)` builds it, as github.mjs builds one for
   * a repository hook), with `installation: { id, node_id }`, for every installation on that
   * repository whose app subscribed to the event.
   */
  async function deliverActivity(project, kind, prepare) {
    const sent = [];
    for (const installation of installations.values()) {
      if (installation.suspendedAt || !repositoriesOf(installation).includes(project)) continue;
      const app = apps.get(installation.appId);
      if (!app.hook.url || !app.hook.active) continue;
      const prepared = prepare({ id: app.hook.id, url: app.hook.url, active: true, events: installation.events, secret: app.webhookSecret, data: { content_type: app.hook.contentType } });
      if (!prepared) continue;
      const body = JSON.parse(prepared.body);
      body.installation = { id: installation.id, node_id: Buffer.from(`023:Installation${installation.id}`).toString("base64") };
      prepared.body = JSON.stringify(body);
      prepared.headers["X-GitHub-Hook-Installation-Target-ID"] = String(app.id);
      prepared.headers["X-GitHub-Hook-Installation-Target-Type"] = "integration";
      sent.push(await sendToApp(app, project.path, kind, prepared));
    }
    return sent;
  }

  // ---- what tests and the control page do ---------------------------------------------------------

  const installationOf = (id) => {
    const installation = installations.get(Number(id));
    if (!installation) throw new TypeError(`No GitHub App installation ${JSON.stringify(id)}.`);
    return installation;
  };
  const appOf = (key) => {
    const app = appBy(String(key));
    if (!app) throw new TypeError(`No GitHub App ${JSON.stringify(key)}.`);
    return app;
  };
  const reposByName = (installation, names) => {
    const list = reposOf(installation.account);
    return names.map((name) => {
      const found = list.find((p) => p.path.toLowerCase() === String(name).toLowerCase() || p.name.toLowerCase() === String(name).toLowerCase());
      if (!found) throw new TypeError(`${installation.account} has no repository ${JSON.stringify(name)}.`);
      return found;
    });
  };

  const control = {
    /** Registers an app without the manifest pages. */
    async create({ name = "forgelink", url = "https://forgelink.invalid", permissions = { metadata: "read" }, events = [], webhookUrl, webhookActive = true, setupUrl, callbackUrls = [], redirectUrl, requestOauthOnInstall = false, setupOnUpdate = false, owner: ownerLogin = user, description = "" } = {}) {
      const app = await createApp({ name, url, description, default_permissions: permissions, default_events: events, hook_attributes: { url: webhookUrl, active: webhookActive }, setup_url: setupUrl, callback_urls: callbackUrls, redirect_url: redirectUrl, request_oauth_on_install: requestOauthOnInstall, setup_on_update: setupOnUpdate }, ownerLogin);
      return { appId: app.id, slug: app.slug, clientId: app.clientId, clientSecret: app.clientSecret, webhookSecret: app.webhookSecret, privateKey: app.pem, installUrl: `${origin}/github-apps/${app.slug}/installations/new` };
    },
    app(key) {
      const app = appOf(key);
      return {
        appId: app.id,
        slug: app.slug,
        name: app.name,
        clientId: app.clientId,
        permissions: { ...app.permissions },
        events: [...app.events],
        webhookUrl: app.hook.url,
        tokenRequests: app.tokenRequests,
        jwtRequests: app.jwtRequests,
        installations: [...installations.values()].filter((i) => i.appId === app.id).map((i) => control.installation(i.id)),
      };
    },
    apps: () => [...apps.keys()].map((id) => control.app(id)),
    installation(id) {
      const i = installationOf(id);
      return { id: i.id, appId: i.appId, account: i.account, repositorySelection: i.selection, repositories: repositoriesOf(i).map((p) => p.path), permissions: { ...i.permissions }, events: [...i.events], suspendedAt: i.suspendedAt };
    },
    async suspend(id) {
      const i = installationOf(id);
      i.suspendedAt = iso();
      i.suspendedBy = user;
      i.updatedAt = iso();
      return installationEvent(i, "suspend");
    },
    async unsuspend(id) {
      const i = installationOf(id);
      i.suspendedAt = null;
      i.suspendedBy = null;
      i.updatedAt = iso();
      return installationEvent(i, "unsuspend");
    },
    /** The app asks for more: installations keep their permissions until each accepts. */
    requestPermissions(key, permissions, events) {
      const app = appOf(key);
      app.permissions = { ...app.permissions, ...permissions };
      if (events) app.events = [...events];
      app.updatedAt = iso();
    },
    async acceptPermissions(id) {
      const i = installationOf(id);
      const app = apps.get(i.appId);
      i.permissions = { ...app.permissions };
      i.events = [...app.events];
      i.updatedAt = iso();
      return installationEvent(i, "new_permissions_accepted");
    },
    async addRepositories(id, names) {
      const i = installationOf(id);
      if (i.selection === "all") throw new TypeError("This installation has every repository already.");
      const added = reposByName(i, names).filter((p) => !i.repositoryIds.has(p.id));
      for (const p of added) i.repositoryIds.add(p.id);
      i.updatedAt = iso();
      return added.length ? repositoriesEvent(i, added, []) : undefined;
    },
    async removeRepositories(id, names) {
      const i = installationOf(id);
      const removed = reposByName(i, names).filter((p) => repositoriesOf(i).includes(p));
      if (i.selection === "all") {
        i.selection = "selected";
        i.repositoryIds = new Set(reposOf(i.account).map((p) => p.id));
      }
      for (const p of removed) i.repositoryIds.delete(p.id);
      i.updatedAt = iso();
      return removed.length ? repositoriesEvent(i, [], removed) : undefined;
    },
    async uninstall(id) {
      return uninstall(installationOf(id));
    },
    /** The person revokes their authorization of the app: its ghu_ and ghr_ tokens stop working. */
    async revokeAuthorization(key) {
      const app = appOf(key);
      await oauth().revokeClient(app.clientId);
      return appDelivery(app, "github_app_authorization", { action: "revoked", enterprise: enterprise(), sender: owner(user) });
    },
    advanceClock(secondsToAdd) {
      if (!Number.isFinite(secondsToAdd)) throw new TypeError("advanceClock takes a number of seconds.");
      settings.clockOffsetMs += secondsToAdd * 1000;
    },
    setInstallationTokenTtl(ttl) {
      if (!(Number.isFinite(ttl) && ttl > 0)) throw new TypeError("The installation token lifetime is a positive number of seconds.");
      settings.installationTokenTtl = ttl;
    },
  };

  return {
    control,
    byClientId,
    identify,
    handleApi,
    handleInstallation,
    handleUserInstallations,
    deliverActivity,
    /** Every installation token issued and not revoked (the expiredToken switch expires them). */
    tokenValues: () => [...tokens.keys()],
    ownsWeb: (pathname) => WEB.some((pattern) => pattern.test(pathname)),
    handleWeb,
    /** oauth.mjs `clientOptions`: an app's client gets GitHub's expiring user-to-server tokens. */
    oauthOptions: (clientId) =>
      byClientId(clientId) ? { accessTokenTtl: USER_TOKEN_TTL, refreshTokenTtl: REFRESH_TOKEN_TTL, refreshTokens: true, accessTokenPrefix: "ghu_", refreshTokenPrefix: "ghr_" } : undefined,
    now,
  };
}
