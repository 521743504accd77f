// GitHub Apps in the wizard: creating the app from a manifest, installing it, and connecting
// the installation the person came back from. The app's credentials (client secret, webhook
// secret, private key) stay on this server, sealed in its storage; the page is told the app's
// name, id, slug and page, never a secret.
//
// The flow, as GitHub runs it ("Registering a GitHub App from a manifest", "Generating a user
// access token for a GitHub App"):
//   1. `POST /api/github-app/manifest` keeps a pending creation under a fresh state and answers
//      the wizard's own `/github-app/new?state=`, a page whose form posts the manifest to GitHub
//      (the wizard's page may post forms only to itself; that page may post to the instance).
//   2. GitHub sends the person to `/github-app/created?code=&state=`: the state is checked, the
//      code converted (`createGitHubApp`), the app's webhook pointed at the wizard's receiver
//      (`registerGitHubApp`), and the key given to the signer.
//   3. `POST /api/github-app/install` answers the app's installation page, with another state.
//   4. The app requests authorization on install, so GitHub sends the person to its first
//      callback URL, `/github-app/callback?code=&installation_id=&setup_action=&state=`: the
//      state is checked, then `connectGitHubApp` with the code, which checks that this person
//      can reach the installation before anything is stored (the installation id alone is only
//      what the address says).
// Both returns are top-level navigations from GitHub's site, which the page's SameSite=Strict
// session cookie does not follow: each flow sets a cookie of its own (SameSite=Lax, on
// `/github-app/` only) whose hash the pending record keeps, as the OAuth callback does.

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { endpoints, githubAppInstallUrl, githubAppManifest, githubAppNeeds, githubAppPermissions, nodeSigner, parseGitHubAppSetup, troubleshoot } from "../../pkg/flows.js";
import { send, securityHeaders } from "../serve.mjs";
import { sameSecret } from "./session.mjs";
import { RequestError, errorBody, providerError, readJson, sendJson } from "./http.mjs";

export const APP_PATH = "/github-app";
const APPS = "wizard/github-apps";
const PENDING = (state) => `wizard/github-app/pending/${state}`;
// A manifest code lives an hour; a person choosing repositories takes minutes, not hours.
const PENDING_TTL = { ttlSeconds: 3600 };
// GitHub's limit on an app's name.
const NAME_MAX = 34;
// GitHub Apps exist on GitHub only (github.com, ghe.com, Enterprise Server).
const GITHUB_ONLY = new Set(["github"]);

const guarded = async (call) => {
  try {
    return await call();
  } catch (error) {
    throw providerError(error, "github", troubleshoot);
  }
};

const guidanceOf = (code) => {
  try {
    return troubleshoot(code, "github") ?? null;
  } catch {
    return null;
  }
};

/** A refusal of forgelink's made before any request (a key it cannot read, an unusable address), with its code. */
const coded = (error) =>
  error && typeof error.code === "string" && !(error instanceof RequestError) ? new RequestError(400, error.code, error.message, error.guidance ?? guidanceOf(error.code)) : error;

const sha256 = (text) => createHash("sha256").update(text).digest("base64url");

/** The app as the page may see it: never a secret. */
export const publicApp = (app) =>
  app && { given: Boolean(app.given), appId: app.appId, slug: app.slug, name: app.name, htmlUrl: app.htmlUrl, baseUrl: app.baseUrl, owner: app.owner ?? null, profile: app.profile, permissions: app.permissions, events: app.events, webhook: app.webhook ?? null };

const stateMismatch = () =>
  new RequestError(400, "oauth.state_mismatch", "This answer from GitHub names a state this server did not issue, or one already used: nothing was created or connected.", guidanceOf("oauth.state_mismatch"));

const sessionMismatch = () =>
  new RequestError(400, "oauth.session_mismatch", "This answer from GitHub belongs to a flow started in another browser: nothing was created or connected.", guidanceOf("oauth.session_mismatch"));

const noApp = () =>
  new RequestError(409, "wizard.github_app_missing", "This server holds no GitHub App for this browser.", {
    code: "wizard.github_app_missing",
    title: "Create the GitHub App first",
    summary: "Installing needs the app this wizard created (or was given), whose private key the server holds; it has none for this browser, or it restarted without its storage.",
    steps: ["Under “Create the GitHub App”, select Create on GitHub, then install it."],
  });

const alreadyConnected = () =>
  new RequestError(409, "wizard.already_connected", "An account is connected already.", {
    code: "wizard.already_connected",
    title: "Disconnect first",
    summary: "The wizard works on one connection at a time; installing the app again would start a second one beside it.",
    steps: ["Disconnect at the end of the page, then install the app again."],
  });

/**
 * The signer the wizard's `Forgelink` signs GitHub Apps' JWTs with: `nodeSigner` over the key of
 * each app this server holds, by app id.
 */
export function appSigners() {
  const signers = new Map();
  return {
    /** Signs for `appId` with `privateKey` from now on (`nodeSigner` refuses a key it cannot use); answers an undo. */
    add(appId, privateKey) {
      const before = signers.get(String(appId));
      signers.set(String(appId), nodeSigner({ [String(appId)]: privateKey }));
      return () => (before ? signers.set(String(appId), before) : signers.delete(String(appId)));
    },
    sign(request) {
      const signer = signers.get(String(request.appId));
      if (!signer) throw new Error(`This server holds no private key for GitHub App ${request.appId}.`);
      return signer(request);
    },
  };
}

/**
 * The apps this server holds, sealed with AES-256-GCM under a key derived from the server's
 * encryption key, in one record of its storage: a restart keeps them, and their keys sign again.
 */
function sealedApps(records, encryptionKey) {
  const key = createHmac("sha256", encryptionKey).update("forgelink wizard github apps v1").digest();
  const seal = (value) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return { v: 1, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
  };
  const open = (sealed) => {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8"));
  };
  return {
    async all() {
      const sealed = await records.get(APPS);
      return sealed ? open(sealed) : {};
    },
    async put(app) {
      const apps = await this.all();
      apps[String(app.appId)] = app;
      await records.set(APPS, seal(apps));
    },
  };
}

/** The page that posts the manifest to GitHub: a form the person's browser submits. */
function manifestPage(form, nonceScript) {
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Creating the GitHub App · forgelink setup</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/style.css">
  <script type="module" src="${nonceScript}"></script>
</head>
<body>
  <main class="wrap">
    <section class="card">
      <h1>Creating the GitHub App</h1>
      <p>Your browser now sends the app's manifest to <code>${escape(new URL(form.action).origin)}</code>, where you review it and select <strong>Create GitHub App</strong>.</p>
      <form id="github-app-manifest-form" method="post" action="${escape(form.action)}">
        <input type="hidden" name="manifest" value="${escape(form.manifest)}">
        <button type="submit" class="button">Continue to GitHub</button>
      </form>
    </section>
  </main>
</body>
</html>`;
}

/**
 * The wizard's GitHub App routes, for routes.mjs. `ctx` is the server's context;
 * `connected()` reads the wizard's connection record, `remember(record)` writes it, and
 * `outcome(value)` keeps an outcome for the page and answers its id.
 */
export function githubAppRoutes(ctx, { connected, remember, outcome, text, choice, PROFILES }) {
  const { forgelink, records } = ctx;
  const store = sealedApps(records, ctx.encryptionKey);
  const createdUrl = () => `${ctx.origin}${APP_PATH}/created`;
  const callbackUrl = () => `${ctx.origin}${APP_PATH}/callback`;
  const receiver = () => `${ctx.publicUrl}/webhooks`;

  /** Loads the apps kept before a restart, and gives their keys to the signer. */
  async function load() {
    for (const app of Object.values(await store.all())) ctx.signers.add(app.appId, app.privateKey);
  }

  /** The app this browser session created or gave, the newest first. */
  async function appOf(session) {
    if (!session) return null;
    const mine = Object.values(await store.all()).filter((app) => app.session === session.id);
    return mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0] ?? null;
  }

  /** Starts a flow bound to this browser: a fresh state, its cookie, and the pending record. */
  async function startFlow(req, res, value, state = randomBytes(32).toString("base64url")) {
    const binding = ctx.sessions.flowBinding();
    await records.set(PENDING(state), { ...value, binding: sha256(binding), startedAt: Date.now() }, PENDING_TTL);
    ctx.sessions.bindFlow(req, res, state, binding, { path: `${APP_PATH}/`, maxAge: PENDING_TTL.ttlSeconds });
    return state;
  }

  /**
   * The pending flow a return from GitHub names, checked against the browser it arrived in; the
   * state is spent once read, unless the browser was the wrong one (the flow stays open for the
   * browser that started it).
   */
  async function takeFlow(req, res, state, kind) {
    const pending = state ? await records.get(PENDING(state)) : null;
    if (!pending || pending.kind !== kind) throw stateMismatch();
    const binding = ctx.sessions.takeFlow(req, res, state, { path: `${APP_PATH}/` });
    if (binding === undefined || !sameSecret(sha256(binding), pending.binding)) throw sessionMismatch();
    await records.delete(PENDING(state));
    return pending;
  }

  /** Back into the wizard, with what happened to show once. */
  const backToWizard = (res, value) => send(res, 303, "", { Location: `/?outcome=${outcome(value)}#connect` });

  return {
    load,
    table: {
      // The app this browser holds (never a secret), and what a GitHub App needs for a profile,
      // each permission with what GitHub says it lets the app do.
      "GET /api/github-app": async (req, res, url) => {
        const profile = url.searchParams.get("profile");
        let needs = null;
        if (profile) {
          if (!PROFILES.has(profile)) throw new RequestError(400, "request.invalid_field", `profile must be one of ${[...PROFILES].join(", ")}.`);
          const catalog = new Map(githubAppPermissions().map((p) => [p.name, p]));
          const wanted = githubAppNeeds(profile);
          needs = {
            permissions: wanted.permissions.map((p) => ({ ...p, meaning: catalog.get(p.permission)?.meaning ?? null, target: catalog.get(p.permission)?.target ?? null })),
            events: wanted.events,
          };
        }
        sendJson(res, 200, { app: publicApp(await appOf(ctx.sessions.read(req))), needs });
      },

      "POST /api/github-app/manifest": async (req, res) => {
        const body = await readJson(req);
        choice(body, "provider", GITHUB_ONLY);
        const profile = choice(body, "profile", PROFILES);
        const baseUrl = text(body, "baseUrl", { required: false });
        const name = text(body, "name").trim();
        if (name.length === 0 || name.length > NAME_MAX) throw new RequestError(400, "request.invalid_field", `The app's name is 1 to ${NAME_MAX} characters: GitHub refuses longer ones.`);
        const organization = text(body, "organization", { required: false })?.trim() || null;
        if (organization !== null && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(organization)) {
          throw new RequestError(400, "request.invalid_field", "The organization is its login as GitHub shows it: letters, digits and hyphens, 39 at most.");
        }
        if ((await connected()) !== null) throw alreadyConnected();
        const session = ctx.sessions.read(req);
        const state = randomBytes(32).toString("base64url");
        const form = await guarded(async () =>
          githubAppManifest({
            baseUrl,
            organization,
            name,
            url: ctx.origin,
            redirectUrl: createdUrl(),
            callbackUrls: [callbackUrl()],
            webhookUrl: receiver(),
            requestOauthOnInstall: true,
            public: false,
            description: "Connected by forgelink's setup wizard.",
            profile,
            state,
          }),
        );
        await startFlow(req, res, { kind: "create", session: session.id, baseUrl, profile, form }, state);
        sendJson(res, 200, { next: `${APP_PATH}/new?state=${encodeURIComponent(state)}`, action: form.action });
      },

      // The page that posts the manifest: only for the session that asked for it, and only once
      // its creation is pending. Its policy lets its form post to the GitHub instance alone.
      "GET /github-app/new": async (req, res, url) => {
        const state = url.searchParams.get("state") ?? "";
        const pending = state ? await records.get(PENDING(state)) : null;
        const session = ctx.sessions.read(req);
        if (!pending || pending.kind !== "create" || !session || pending.session !== session.id) {
          backToWizard(res, { ok: false, kind: "github-app-created", error: errorBody(stateMismatch()).body });
          return;
        }
        const target = new URL(pending.form.action).origin;
        const policy = securityHeaders["Content-Security-Policy"].replace("form-action 'self'", `form-action 'self' ${target}`);
        send(res, 200, manifestPage(pending.form, "/github-app-post.js"), { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy });
      },

      "GET /github-app/created": async (req, res, url) => {
        let value;
        try {
          const pending = await takeFlow(req, res, url.searchParams.get("state"), "create");
          const code = url.searchParams.get("code");
          if (!code) throw new RequestError(400, "request.missing_field", "GitHub sent no code with the new app: nothing was created here.");
          const created = await guarded(() => forgelink.createGitHubApp({ baseUrl: pending.baseUrl, code }));
          const app = { ...created, session: pending.session, profile: pending.profile, createdAt: new Date().toISOString(), webhook: null };
          ctx.signers.add(app.appId, app.privateKey);
          await store.put(app);
          // The app's one webhook delivers to a route of its own on the receiver, with a secret
          // forgelink keeps; without it, nothing the installation does reaches the wizard.
          let webhookError = null;
          try {
            const hook = await guarded(() => forgelink.registerGitHubApp({ appId: app.appId, url: receiver(), baseUrl: app.baseUrl, clientId: app.clientId }));
            app.webhook = { url: hook.url };
            await store.put(app);
          } catch (error) {
            webhookError = errorBody(error).body;
          }
          ctx.log(`github app ${app.appId} (${app.slug}) created`);
          value = { ok: true, kind: "github-app-created", app: publicApp(app), webhookError };
        } catch (error) {
          value = { ok: false, kind: "github-app-created", error: errorBody(error).body };
        }
        backToWizard(res, value);
      },

      // "I already have an app": its id, slug, client id and secret and private key, pasted. The
      // key is checked by pointing the app's webhook at the wizard, a call signed with it.
      "POST /api/github-app/existing": async (req, res) => {
        const body = await readJson(req);
        choice(body, "provider", GITHUB_ONLY);
        const profile = choice(body, "profile", PROFILES);
        const appId = text(body, "appId").trim();
        if (!/^[1-9][0-9]{0,15}$/.test(appId)) throw new RequestError(400, "request.invalid_field", "The app ID is the number on the app's settings page (About: App ID).");
        const slug = text(body, "slug").trim().toLowerCase();
        if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(slug)) throw new RequestError(400, "request.invalid_field", "The slug is the last part of the app's public page, /apps/SLUG: letters, digits and hyphens.");
        const clientId = text(body, "clientId").trim();
        const clientSecret = text(body, "clientSecret").trim();
        const privateKey = text(body, "privateKey").trim();
        let web;
        try {
          web = endpoints("github", text(body, "baseUrl", { required: false }) ?? undefined).web;
        } catch (error) {
          throw coded(providerError(error, "github", troubleshoot));
        }
        if ((await connected()) !== null) throw alreadyConnected();
        const session = ctx.sessions.read(req);
        let undo;
        try {
          undo = ctx.signers.add(appId, privateKey);
        } catch (error) {
          throw coded(providerError(error, "github", troubleshoot));
        }
        let hook;
        try {
          hook = await guarded(() => forgelink.registerGitHubApp({ appId, url: receiver(), baseUrl: web, clientId }));
        } catch (error) {
          undo();
          throw error;
        }
        const page = (await guarded(async () => githubAppInstallUrl({ slug, baseUrl: web }))).replace(/\/installations\/new(\?.*)?$/, "");
        const app = { given: true, baseUrl: web, appId: Number(appId), slug, name: slug, owner: null, htmlUrl: page, clientId, clientSecret, webhookSecret: null, privateKey, permissions: null, events: [], session: session.id, profile, createdAt: new Date().toISOString(), webhook: { url: hook.url } };
        await store.put(app);
        ctx.log(`github app ${app.appId} (${app.slug}) given`);
        sendJson(res, 200, { app: publicApp(app) });
      },

      "POST /api/github-app/install": async (req, res) => {
        const body = await readJson(req);
        const profile = choice(body, "profile", PROFILES);
        const app = await appOf(ctx.sessions.read(req));
        if (!app) throw noApp();
        if ((await connected()) !== null) throw alreadyConnected();
        const state = await startFlow(req, res, { kind: "install", appId: app.appId, profile });
        const url = await guarded(async () => githubAppInstallUrl({ slug: app.slug, state, baseUrl: app.baseUrl }));
        sendJson(res, 200, { url });
      },

      // GitHub's first callback URL: after the installation, with the user authorization's code.
      "GET /github-app/callback": async (req, res, url) => {
        let value;
        try {
          const state = url.searchParams.get("state");
          const pending = await takeFlow(req, res, state, "install");
          const setup = await guarded(async () => parseGitHubAppSetup(`${callbackUrl()}${url.search}`));
          if (setup.setupAction === "request" || setup.installationId === null) {
            throw new RequestError(400, "wizard.github_app_requested", "The installation waits for an organization owner's approval.", {
              code: "wizard.github_app_requested",
              title: "Ask an owner to approve the installation",
              summary: "You asked to install the app on an organization you do not own; GitHub installs it once an owner approves, and nothing can connect before.",
              steps: ["Ask an owner of the organization to approve the request in its settings (GitHub Apps, pending requests).", "Then select Install again here and choose the same repositories."],
            });
          }
          if (!setup.code) {
            throw new RequestError(400, "github_app.installation_not_accessible", "GitHub sent no authorization code: the installation id in the address proves nothing by itself, so nothing was connected.", guidanceOf("github_app.installation_not_accessible"));
          }
          const app = Object.values(await store.all()).find((a) => a.appId === pending.appId);
          if (!app) throw noApp();
          if ((await connected()) !== null) throw alreadyConnected();
          const connection = await guarded(() =>
            forgelink.connectGitHubApp({
              appId: app.appId,
              installationId: setup.installationId,
              baseUrl: app.baseUrl,
              clientId: app.clientId,
              clientSecret: app.clientSecret,
              code: setup.code,
              redirectUri: callbackUrl(),
              profile: pending.profile,
            }),
          );
          await remember({ connection, profile: pending.profile, method: "github-app", app: publicApp(app), connectedAt: new Date().toISOString() });
          ctx.log(`github app ${app.appId}: installation ${setup.installationId} connected`);
          value = { ok: true, kind: "github-app", connection };
        } catch (error) {
          value = { ok: false, kind: "github-app", provider: "github", error: errorBody(error).body };
        }
        backToWizard(res, value);
      },
    },
  };
}
