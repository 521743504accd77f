// The wizard's JSON API and the two addresses providers call: the OAuth callback and the
// webhook receiver. Each handler does its step through forgelink; this file only carries
// requests in and answers out, and remembers which connection the wizard is working on.

import { randomBytes } from "node:crypto";
import { detectToken, endpoints, identifyWebhook, parseRepositoryList, profiles, tokenPrefixes, troubleshoot, webhookAccess } from "../../pkg/flows.js";
import { send } from "../serve.mjs";
import { summarise } from "./deliveries.mjs";
import { githubAppRoutes } from "./github-app.mjs";
import { RequestError, errorBody, providerError, readBody, readJson, sendJson } from "./http.mjs";

const PROVIDERS = new Set(["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"]);
const SYNC_MODES = new Set(["webhook", "polling", "hybrid"]);
const FEEDBACK_TARGETS = new Set(["merge_request", "commit"]);
const PROFILES = new Set(profiles().map((p) => p.id));
const CURRENT = "wizard/connection";
const PENDING = (state) => `wizard/pending/${state}`;
// As long as forgelink keeps a pending authorization (ten minutes and the clock skew it allows).
const PENDING_TTL = { ttlSeconds: 720 };
// Refusals forgelink makes before it spends the state: the flow stays open for the browser
// (and the address) that started it.
const UNSPENT = new Set(["oauth.session_mismatch", "oauth.callback_mismatch", "oauth.issuer_mismatch"]);
// The receiver: `/webhooks` and one segment under it, the route id forgelink gave each hook.
export const WEBHOOKS = "/webhooks";
const RECEIVER = /^\/webhooks(?:\/[^/]+)?$/;
// GitHub refuses payloads over 25 MB; nothing larger is a delivery.
const DELIVERY_LIMIT = 25 * 1024 * 1024 + 1024;
// An outcome of the OAuth callback waits this long for the page it redirected to.
const OUTCOME_MS = 10 * 60 * 1000;
// A client secret kept for a browser that has no connection with it yet (its authorization was
// refused, or abandoned) waits this long for the person to try again.
const KEPT_SECRET_MS = 60 * 60 * 1000;

function text(body, name, { required = true } = {}) {
  const value = body[name];
  if (value === undefined || value === null || value === "") {
    if (required) throw new RequestError(400, "request.missing_field", `The request has no ${name}.`);
    return null;
  }
  if (typeof value !== "string") throw new RequestError(400, "request.invalid_field", `${name} must be text.`);
  return value;
}

/** A list of project paths, or null when the request gives none. */
function projectList(body) {
  if (body.projects === undefined || body.projects === null) return null;
  if (!Array.isArray(body.projects) || body.projects.some((p) => typeof p !== "string" || p.trim() === "")) {
    throw new RequestError(400, "request.invalid_field", "projects must be a list of project paths.");
  }
  return [...new Set(body.projects.map((p) => p.trim()))];
}

function choice(body, name, allowed) {
  const value = text(body, name);
  if (!allowed.has(value)) throw new RequestError(400, "request.invalid_field", `${name} must be one of ${[...allowed].join(", ")}.`);
  return value;
}

/** Runs a forgelink call, turning its failure into what the page shows for `provider`. */
async function guarded(provider, call) {
  try {
    return await call();
  } catch (error) {
    throw providerError(error, provider, troubleshoot);
  }
}

/** The guidance for a code, in `provider`'s words where forgelink has them. */
function providerGuidance(code, provider) {
  try {
    return troubleshoot(code, provider) ?? null;
  } catch {
    return null;
  }
}

/** A callback refused before forgelink is asked, with the guidance forgelink has for the code. */
const callbackRefusal = (code, message, provider) => new RequestError(400, code, message, providerGuidance(code, provider ?? undefined));

/** The web address of an instance, to tell whether two requests name the same one; null when it is not usable. */
function instanceOf(provider, baseUrl) {
  try {
    return endpoints(provider, baseUrl ?? undefined).web;
  } catch {
    return null;
  }
}

/**
 * Refuses a client ID or secret that forgelink recognises as another kind of credential by its
 * prefix (a personal access token pasted as the secret, the secret pasted as the ID): the
 * provider would refuse it only after the person approved the authorization. Anything
 * forgelink does not recognise passes, as client IDs and most secrets have no known shape.
 */
function checkCredentialShapes(provider, clientId, clientSecret) {
  const id = detectToken(clientId.trim());
  if (id.kind !== "unknown") {
    throw new RequestError(400, "wizard.client_id_shape", `This is not a client ID: it starts like a ${id.description}.`, {
      code: "wizard.client_id_shape",
      title: "Paste the application's client ID",
      summary: "The client ID is the public name of the OAuth application; what was pasted has the prefix of another credential.",
      steps: ["Open the application's page on the provider, copy its client ID (on Bitbucket Cloud, the consumer's Key), and paste it here."],
    });
  }
  if (clientSecret === null) return;
  const secret = detectToken(clientSecret.trim());
  const ownSecret = secret.kind === "oauth-application-secret" && secret.provider === provider;
  if (secret.kind !== "unknown" && !ownSecret) {
    throw new RequestError(400, "wizard.client_secret_shape", `This is not the application's client secret: it starts like a ${secret.description}.`, {
      code: "wizard.client_secret_shape",
      title: "Paste the application's client secret",
      summary: "The token exchange needs the secret of the OAuth application itself, not an access token or another provider's secret.",
      steps: ["Open the application's page on the provider, copy its client secret (or generate a new one), and paste it here."],
    });
  }
}

const secretNotKept = () =>
  new RequestError(409, "wizard.secret_not_kept", "The server no longer holds a client secret for this application: it restarted, or the connection it belonged to was removed.", {
    code: "wizard.secret_not_kept",
    title: "Paste the client secret again",
    summary: "The server keeps a client secret only while it runs, for the browser that gave it.",
    steps: ["Paste the application's client secret, then select Connect again."],
  });

// How many pages a check reads looking for one pasted project before calling it not seen.
const CHECK_PAGES = 10;

/**
 * A project with whether the account's role there may create webhooks: null where the provider
 * reports no role (Data Center lists repositories without one), and for a GitHub App, whose own
 * webhook covers every repository it is installed on whatever the role.
 */
const withWebhookAccess = (project, provider, method) => ({ ...project, webhookAccess: project.role && method !== "github-app" ? webhookAccess(provider, project.role) : null });

/**
 * Which search finds a project by its path: GitLab (with namespaces), GitHub (filtered by
 * forgelink) and Bitbucket Cloud match the whole path; Data Center matches repository names.
 */
const searchFor = (provider, path) => (provider === "bitbucket-data-center" ? path.split("/").at(-1) : path);

const noConnection = () =>
  new RequestError(409, "wizard.not_connected", "No account is connected yet.", {
    code: "wizard.not_connected",
    title: "Connect an account first",
    summary: "This step works on a connected account, and there is none.",
    steps: ["Go back to “Connect”, and connect with OAuth or with an access token."],
  });

export function wizardRoutes(ctx) {
  const { forgelink, records, deliveries } = ctx;
  const outcomes = new Map();
  // The id of the connection the wizard works on, for the deliveries view; read from the
  // records once, then kept in step with them.
  let currentId;

  async function current() {
    const record = await records.get(CURRENT);
    if (!record) throw noConnection();
    return record;
  }

  async function remember(connection, profile, method) {
    const record = { connection, profile, method, connectedAt: new Date().toISOString() };
    await records.set(CURRENT, record);
    currentId = connection.id;
    return record;
  }

  /**
   * The connection the wizard works on when it is on this provider and instance: new
   * credentials for it replace its own in place (it keeps its id, projects and webhooks)
   * rather than starting another connection beside it.
   */
  async function sameInstance(provider, baseUrl) {
    const record = await records.get(CURRENT);
    if (!record || record.connection.provider !== provider) return null;
    let web;
    try {
      web = endpoints(provider, baseUrl ?? undefined).web;
    } catch {
      return null;
    }
    return web === record.connection.baseUrl ? record : null;
  }

  /** The record of a connection whose credentials were replaced: the same one, refreshed. */
  async function replaced(record, connection, method) {
    const next = { ...record, connection, method, replacedAt: new Date().toISOString() };
    await records.set(CURRENT, next);
    currentId = connection.id;
    return next;
  }

  /**
   * Which deliveries the page sees: those of the connection it works on (their receipt names
   * it, from the route they were sent to), and those nobody's hook accepted (a forged one, one
   * sent to an unknown route), whose rejection explains what went wrong. A connection made
   * before keeps its deliveries to itself.
   */
  async function deliveriesFilter() {
    if (currentId === undefined) currentId = (await records.get(CURRENT))?.connection.id ?? null;
    return (entry) => entry.connectionId === null || (currentId !== null && entry.connectionId === currentId);
  }

  // The client secret each browser session last started an authorization with, so that a
  // person coming back from the provider (refused, or connected) is not asked for it again.
  // Kept in this process's memory only: never written to a record on disk, never sent to a
  // page; a restart forgets it, and the page then asks for it again.
  const keptSecrets = new Map();
  // Which session started each pending authorization: the callback arrives from the provider's
  // site, which does not bring the page's session cookie along.
  const flowSessions = new Map();

  /**
   * Forgets every secret past its use: one whose connection is no longer the wizard's (it was
   * disconnected, or another replaced it), or, without a connection, one given too long ago.
   * Run whenever a secret is looked up, so none outlives its use for long.
   */
  async function forgetSpentSecrets() {
    const current = await records.get(CURRENT);
    const now = Date.now();
    for (const [id, kept] of keptSecrets) {
      const live = kept.connectionId === null ? now < kept.until : current !== null && current.connection.id === kept.connectionId;
      if (!live) keptSecrets.delete(id);
    }
  }

  /** The secret kept for `session`, if it is still of use. */
  async function keptSecret(session) {
    await forgetSpentSecrets();
    return keptSecrets.get(session.id) ?? null;
  }

  function rememberOutcome(value) {
    const id = randomBytes(16).toString("base64url");
    outcomes.set(id, value);
    setTimeout(() => outcomes.delete(id), OUTCOME_MS).unref();
    return id;
  }

  const githubApp = githubAppRoutes(ctx, {
    connected: () => records.get(CURRENT),
    async remember(record) {
      await records.set(CURRENT, record);
      currentId = record.connection.id;
    },
    outcome: rememberOutcome,
    text,
    choice,
    PROFILES,
  });

  const table = {
    ...githubApp.table,

    "GET /api/config": async (req, res) => {
      const sandbox = ctx.sandbox;
      sendJson(res, 200, {
        redirectUri: `${ctx.origin}/oauth/callback`,
        webhookUrl: `${ctx.publicUrl}/webhooks`,
        // Kinds of token a provider is retiring, with their dates, for the page to judge by its
        // own clock (the package's smaller entry leaves the token tables out).
        retiredTokens: [...PROVIDERS].flatMap((provider) => tokenPrefixes(provider).filter((t) => t.retirement)),
        sandbox: sandbox
          ? {
              url: sandbox.url,
              providers: Object.fromEntries(
                Object.entries(sandbox.providers).map(([id, p]) => [id, { baseUrl: p.baseUrl, account: p.account ?? null }]),
              ),
            }
          : null,
      });
    },

    "GET /api/connection": async (req, res) => {
      sendJson(res, 200, { current: await records.get(CURRENT) });
    },

    // Whether the server keeps a client secret for this browser, and for which application;
    // never the secret itself.
    "GET /api/connect/secret": async (req, res) => {
      const kept = await keptSecret(ctx.sessions.read(req));
      sendJson(res, 200, { kept: kept && { provider: kept.provider, instance: kept.instance, clientId: kept.clientId } });
    },

    "POST /api/connect/start": async (req, res) => {
      const body = await readJson(req);
      const provider = choice(body, "provider", PROVIDERS);
      const profile = choice(body, "profile", PROFILES);
      const session = ctx.sessions.read(req);
      const baseUrl = text(body, "baseUrl", { required: false });
      const clientId = text(body, "clientId");
      const instance = instanceOf(provider, baseUrl);
      let clientSecret = text(body, "clientSecret", { required: false });
      if (clientSecret === null && body.keptSecret === true) {
        // The page shows the secret as kept: it is the one this browser gave for the same application.
        const kept = await keptSecret(session);
        const same = kept !== null && kept.provider === provider && kept.instance === instance && kept.clientId === clientId.trim();
        if (!same) throw secretNotKept();
        clientSecret = kept.secret;
      }
      checkCredentialShapes(provider, clientId, clientSecret);
      const request = {
        provider,
        baseUrl,
        clientId,
        clientSecret,
        // GitLab only (forgelink refuses it elsewhere): the SAML SSO group to sign in through.
        rootNamespaceId: text(body, "rootNamespaceId", { required: false }),
        redirectUri: `${ctx.origin}/oauth/callback`,
        profile,
        // Binds the flow to this browser: the value goes to it in the flow's cookie, and
        // forgelink finishes the flow only where the callback brings that cookie back.
        session: ctx.sessions.flowBinding(),
      };
      // Connected to this instance already: the authorization re-authorizes that connection.
      const existing = await sameInstance(provider, request.baseUrl);
      if (existing) request.connectionId = existing.connection.id;
      const started = await guarded(provider, () => forgelink.connectStart(request));
      ctx.sessions.bindFlow(req, res, started.state, request.session);
      // The callback needs to know whose guidance to show and which profile to keep; forgelink
      // keeps the state itself and consumes it once.
      const replaces = existing ? existing.connection.id : null;
      await records.set(PENDING(started.state), { provider, profile, replaces, startedAt: Date.now() }, PENDING_TTL);
      if (clientSecret === null) keptSecrets.delete(session.id);
      else keptSecrets.set(session.id, { provider, instance, clientId: clientId.trim(), secret: clientSecret, connectionId: replaces, until: Date.now() + KEPT_SECRET_MS });
      flowSessions.set(started.state, session.id);
      setTimeout(() => flowSessions.delete(started.state), PENDING_TTL.ttlSeconds * 1000).unref();
      sendJson(res, 200, { url: ctx.cloudUrl(started.url) });
    },

    "GET /oauth/callback": async (req, res, url) => {
      const state = url.searchParams.get("state");
      const pending = state ? await records.get(PENDING(state)) : null;
      let outcome;
      try {
        if (!pending) throw callbackRefusal("oauth.state_mismatch", "This answer from the provider names a state this server did not issue, or one already used.", null);
        // The code is exchanged only in the browser now finishing the flow if it started it: a
        // callback link made in another session (a forged or shared one) would otherwise
        // connect that session's account here. forgelink checks the binding, and the address
        // the callback arrived at (the full URL, at the redirect URI).
        const session = ctx.sessions.takeFlow(req, res, state);
        let connection;
        try {
          connection = await guarded(pending.provider, () => forgelink.connectFinish(`${ctx.origin}/oauth/callback${url.search}`, { session }));
        } catch (error) {
          if (!UNSPENT.has(error.code)) await records.delete(PENDING(state));
          // The provider refused the application's ID or secret: kept for another try, the
          // secret would fail the same way, so the page asks for it again.
          const holder = flowSessions.get(state);
          if (error.code === "oauth.invalid_client" && keptSecrets.get(holder)?.provider === pending.provider) keptSecrets.delete(holder);
          throw error;
        }
        await records.delete(PENDING(state));
        // The secret this flow started with now belongs to the connection: kept as long as it is the wizard's.
        const kept = keptSecrets.get(flowSessions.get(state));
        if (kept && kept.provider === pending.provider) kept.connectionId = connection.id;
        flowSessions.delete(state);
        const existing = pending.replaces ? await records.get(CURRENT) : null;
        if (existing && existing.connection.id === connection.id) {
          await replaced(existing, connection, "oauth");
          outcome = { ok: true, connection, replaced: true };
        } else {
          await remember(connection, pending.profile, "oauth");
          outcome = { ok: true, connection };
        }
      } catch (error) {
        outcome = { ok: false, provider: pending ? pending.provider : null, error: errorBody(error).body };
      }
      // Back into the wizard without the code in the address bar or the history.
      send(res, 303, "", { Location: `/?outcome=${rememberOutcome(outcome)}#connect` });
    },

    "GET /api/outcome": async (req, res, url) => {
      const id = url.searchParams.get("id") ?? "";
      const outcome = outcomes.get(id);
      outcomes.delete(id);
      if (!outcome) {
        throw new RequestError(404, "wizard.outcome_unknown", "This answer from the provider was already shown, or the server restarted since.", {
          code: "wizard.outcome_unknown",
          title: "Nothing to show",
          summary: "The provider's answer is shown once.",
          steps: ["Reload the wizard; if the account is connected, the connection report shows it."],
        });
      }
      sendJson(res, 200, outcome);
    },

    "POST /api/connect/token": async (req, res) => {
      const body = await readJson(req);
      const provider = choice(body, "provider", PROVIDERS);
      const profile = choice(body, "profile", PROFILES);
      const baseUrl = text(body, "baseUrl", { required: false });
      const token = text(body, "token");
      const username = text(body, "username", { required: false });
      // A new token for the connected instance replaces the connection's own: verified as
      // the same account first, then stored in place, keeping its projects and webhooks.
      const existing = await sameInstance(provider, baseUrl);
      if (existing) {
        const connection = await guarded(provider, () => forgelink.replaceCredentials(existing.connection.id, { token, username }));
        sendJson(res, 200, { current: await replaced(existing, connection, "token"), replaced: true });
        return;
      }
      const connection = await guarded(provider, () => forgelink.connectWithToken({ provider, baseUrl, token, username, profile }));
      sendJson(res, 200, { current: await remember(connection, profile, "token") });
    },

    "POST /api/test": async (req, res) => {
      const { connection } = await current();
      const report = await guarded(connection.provider, () => forgelink.testConnection(connection.id));
      sendJson(res, 200, { report });
    },

    "GET /api/projects": async (req, res, url) => {
      const { connection, method } = await current();
      const page = await guarded(connection.provider, () =>
        forgelink.discoverProjects(connection.id, {
          search: url.searchParams.get("search") || null,
          cursor: url.searchParams.get("cursor") || null,
        }),
      );
      sendJson(res, 200, { ...page, projects: page.projects.map((p) => withWebhookAccess(p, connection.provider, method)) });
    },

    "POST /api/projects/parse": async (req, res) => {
      const body = await readJson(req);
      const record = await records.get(CURRENT);
      const baseUrl = record ? record.connection.baseUrl : text(body, "baseUrl", { required: false });
      const provider = record ? record.connection.provider : undefined;
      const list = await guarded(null, () => parseRepositoryList(text(body, "text", { required: false }) ?? "", baseUrl));
      sendJson(res, 200, { ...list, diagnostics: list.diagnostics.map((d) => ({ ...d, guidance: d.severity === "error" ? providerGuidance(d.code, provider) : null })) });
    },

    // Pasted projects, looked up among those the account sees before they count as chosen.
    // forgelink has no call that reads one project, so each is searched for with
    // `discoverProjects` and matched on its whole path, as the provider compares (without case).
    "POST /api/projects/check": async (req, res) => {
      const body = await readJson(req);
      const { connection, method } = await current();
      const paths = projectList(body) ?? [];
      const check = async (path) => {
        const wanted = path.toLowerCase();
        let cursor = null;
        for (let pages = 0; pages < CHECK_PAGES; pages += 1) {
          const page = await forgelink.discoverProjects(connection.id, { search: searchFor(connection.provider, path), cursor });
          const found = page.projects.find((p) => p.path.toLowerCase() === wanted);
          if (found) return { path, status: "found", project: withWebhookAccess(found, connection.provider, method) };
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        return { path, status: "not_found", guidance: providerGuidance("http.not_found", connection.provider) };
      };
      const projects = await guarded(connection.provider, () => Promise.all(paths.map(check)));
      sendJson(res, 200, { projects });
    },

    "POST /api/webhooks": async (req, res) => {
      const body = await readJson(req);
      const { connection, profile } = await current();
      if (!Array.isArray(body.projects) || body.projects.length === 0 || body.projects.some((p) => typeof p !== "string")) {
        throw new RequestError(400, "request.missing_field", "Choose at least one project.");
      }
      // The receiver's base URL: forgelink gives each project's hook an address of its own
      // under it (`/webhooks/<route id>`), which names the connection and project its
      // deliveries belong to.
      const results = await guarded(connection.provider, () =>
        forgelink.registerWebhooks(connection.id, { projects: body.projects, url: `${ctx.publicUrl}${WEBHOOKS}`, profile }),
      );
      // The projects with a hook (or one to make by hand) are the ones the safety net polls;
      // what each hook is tells the person, before disconnecting, which hooks go and which are
      // an administrator's to delete. A failed registration leaves whatever was there before.
      const hooked = results.filter((r) => r.status !== "failed");
      const record = await records.get(CURRENT);
      if (record) {
        await records.set(CURRENT, {
          ...record,
          projects: [...new Set([...(record.projects ?? []), ...hooked.map((r) => r.project)])],
          webhooks: { ...record.webhooks, ...Object.fromEntries(hooked.map((r) => [r.project, r.status])) },
        });
      }
      sendJson(res, 200, { url: `${ctx.publicUrl}${WEBHOOKS}`, results });
    },

    "POST /api/poll/mode": async (req, res) => {
      const body = await readJson(req);
      const mode = choice(body, "mode", SYNC_MODES);
      const record = await current();
      const { connection } = record;
      // forgelink stores the mode with the connection; polling no project sends nothing.
      const result = await guarded(connection.provider, () => forgelink.pollEvents(connection.id, { projects: [], mode }));
      await records.set(CURRENT, { ...record, mode: result.mode });
      sendJson(res, 200, { mode: result.mode });
    },

    "POST /api/poll": async (req, res) => {
      const body = await readJson(req);
      const record = await current();
      const { connection } = record;
      const projects = projectList(body) ?? record.projects ?? [];
      if (projects.length === 0) throw new RequestError(400, "request.missing_field", "Choose at least one project, or register webhooks on some, to poll.");
      const mode = body.mode === undefined || body.mode === null ? null : choice(body, "mode", SYNC_MODES);
      const result = await guarded(connection.provider, () => forgelink.pollEvents(connection.id, { projects, mode }));
      if (result.mode !== record.mode) await records.set(CURRENT, { ...record, mode: result.mode });
      const polledAt = new Date().toISOString();
      const poll = randomBytes(4).toString("hex");
      ctx.log(`poll: ${result.status}, ${result.events.length} new, ${result.duplicates} duplicates`);
      sendJson(res, 200, {
        ...result,
        projects: result.projects.map((p) => (p.code ? { ...p, guidance: providerGuidance(p.code, connection.provider) ?? p.guidance ?? null } : p)),
        events: result.events.map((event, index) => ({ id: `poll-${poll}-${index + 1}`, receivedAt: polledAt, ...summarise({ status: "found", event }, null), stateKey: event.stateKey ?? null })),
      });
    },

    "POST /api/feedback": async (req, res) => {
      const body = await readJson(req);
      const { connection } = await current();
      const target = choice(body, "target", FEEDBACK_TARGETS);
      const request = { project: text(body, "project").trim(), body: text(body, "body"), key: text(body, "key", { required: false })?.trim() || null, policy: { order: [target] } };
      if (target === "merge_request") {
        const number = Number(body.mergeRequest);
        if (!Number.isSafeInteger(number) || number < 1) throw new RequestError(400, "request.invalid_field", "The merge request number is a whole number from 1.");
        request.mergeRequest = number;
      } else {
        const sha = text(body, "commitSha").trim();
        if (!/^[0-9a-f]{7,64}$/i.test(sha)) throw new RequestError(400, "request.invalid_field", "The commit is its SHA: 7 to 64 hexadecimal digits.");
        request.commitSha = sha;
      }
      const result = await guarded(connection.provider, () => forgelink.postFeedback(connection.id, request));
      ctx.log(`feedback: ${result.action} ${result.target} comment ${result.commentId}`);
      sendJson(res, 200, { project: request.project, mergeRequest: request.mergeRequest ?? null, commitSha: request.commitSha ?? null, result });
    },

    "GET /api/deliveries": async (req, res) => {
      sendJson(res, 200, { deliveries: deliveries.list(await deliveriesFilter()) });
    },

    "GET /api/deliveries/stream": async (req, res) => {
      deliveries.watch(req, res, {}, await deliveriesFilter());
    },

    // `POST /webhooks/<route id>`, where forgelink registered each hook. The bare `/webhooks`,
    // where hooks registered before deliveries were routed still deliver, is answered too: with
    // forgelink's `webhook.unknown_route` until the project is registered again, which moves
    // its hook to its own address.
    "POST /webhooks/*": async (req, res, url) => {
      const body = await readBody(req, DELIVERY_LIMIT);
      let identity = null;
      try {
        identity = identifyWebhook(req.headers);
      } catch {
        // The receipt says why.
      }
      const route = `${ctx.publicUrl}${url.pathname}`;
      const receipt = await forgelink.receiveWebhook({ route, headers: req.headers, body: new Uint8Array(body) }, { allowUnsignedPing: true });
      let guidance = null;
      if (receipt.status === "rejected" && receipt.code) {
        try {
          guidance = troubleshoot(receipt.code, identity ? identity.provider : undefined);
        } catch {
          guidance = null;
        }
      }
      const entry = deliveries.add(summarise(receipt, identity), guidance);
      ctx.log(`delivery ${entry.id}: ${receipt.status}${receipt.code ? ` (${receipt.code})` : ""}`);
      // Handled once it is on the list: every later copy is a duplicate.
      if (receipt.claim !== undefined) await forgelink.confirmDelivery(receipt.claim);
      if (receipt.status === "pending") {
        res.setHeader("retry-after", String(receipt.retryAfterSeconds));
        sendJson(res, 503, { status: receipt.status, code: null });
        return;
      }
      // Providers retry on 5xx and count 4xx as refused: a forged or unreadable delivery must not come back.
      const status = receipt.status === "rejected" ? (/signature|secret/.test(receipt.code ?? "") ? 401 : 400) : 200;
      sendJson(res, status, { status: receipt.status, code: receipt.code ?? null });
    },

    "POST /api/disconnect": async (req, res) => {
      const body = await readJson(req);
      const { connection, method } = await current();
      if (body.uninstall !== undefined && typeof body.uninstall !== "boolean") throw new RequestError(400, "request.invalid_field", "uninstall must be true or false.");
      // A GitHub App connection may also uninstall the app from the account it was installed on.
      const options = method === "github-app" ? { uninstall: body.uninstall === true } : undefined;
      let report;
      try {
        report = await guarded(connection.provider, () => forgelink.disconnect(connection.id, options));
      } catch (error) {
        // A connection forgelink no longer has is as good as disconnected: forget it here too.
        if (error.code !== "connection.not_found") throw error;
        report = { revoked: false, webhooks: [], manualSteps: [] };
      }
      await records.delete(CURRENT);
      currentId = null;
      sendJson(res, 200, { provider: connection.provider, baseUrl: connection.baseUrl, report });
    },
  };

  return {
    /** Reads what the routes keep across restarts (the GitHub Apps' keys, for the signer). */
    load: githubApp.load,
    find(method, pathname) {
      const path = RECEIVER.test(pathname) ? `${WEBHOOKS}/*` : pathname;
      const handler = table[`${method === "HEAD" ? "GET" : method} ${path}`];
      return handler ?? null;
    },
  };
}
