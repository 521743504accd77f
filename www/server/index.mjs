// The setup wizard's server: the pages and the npm package, the JSON API the pages call, the
// OAuth callback and the webhook receiver. The client secret, the tokens and the webhook
// secrets stay here, sealed by forgelink in a file-backed storage; the page only ever sees
// what a person may see.
//
// Its doors: the public address (FORGELINK_PUBLIC_URL, reached through a tunnel) opens onto the
// webhook receiver alone; the API answers only the wizard's own page (its session cookie, its
// CSRF token, its Origin on every change); the OAuth callback finishes a flow only in the
// browser that started it. Anyone who reaches the public address can otherwise connect a token
// to any address the server reaches, post as the connected account, or read webhook secrets.

import { createServer } from "node:http";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { Forgelink, fetchHost } from "../../pkg/flows.js";
import { listen, send, staticFiles } from "../serve.mjs";
import { deliveryLog } from "./deliveries.mjs";
import { RequestError, errorBody, sendJson } from "./http.mjs";
import { loadOrCreateKey } from "./key.mjs";
import { fileStorage, jsonRecords } from "./storage.mjs";
import { WEBHOOKS, wizardRoutes } from "./routes.mjs";
import { appSigners } from "./github-app.mjs";
import { wizardSessions } from "./session.mjs";

/**
 * Starts the wizard's server on 127.0.0.1.
 *
 * @param options.port      0 for any free port.
 * @param options.dataDir   where the storage and the encryption key live (created, mode 0700).
 * @param options.sandbox   a running provider sandbox (`startSandbox()`), or null for real providers.
 * @param options.fetch     a platform fetch for the flows (tests); when absent, forgelink's own
 *                          Node requests, whose address policy sees every resolved address.
 * @param options.publicUrl the address providers reach this server at (webhooks); this server's own when absent.
 * @param options.allowPrivateNetworks, options.allowInsecureHttp  opens the address policy of the
 *                          flows' requests (`fetchHost`); the sandbox mode opens both, as the
 *                          sandbox answers over http on 127.0.0.1.
 * @returns `{ url, port, dataDir, close() }`.
 */
export async function startWizardServer({
  port = 8080,
  dataDir,
  sandbox = null,
  fetch,
  publicUrl = null,
  allowPrivateNetworks = false,
  allowInsecureHttp = false,
  log = () => {},
} = {}) {
  if (!dataDir) throw new Error("startWizardServer needs a dataDir for its storage and key.");
  dataDir = resolve(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const storage = await fileStorage(resolve(dataDir, "store"));
  const encryptionKey = await loadOrCreateKey(dataDir);

  let network = { fetch, allowPrivateNetworks, allowInsecureHttp };
  let cloudUrl = (url) => url;
  if (sandbox) {
    // Loaded only in sandbox mode: against real providers the sandbox need not exist at all.
    const sandboxModule = await import("../sandbox/sandbox.mjs");
    // The sandbox's providers answer over plain http on 127.0.0.1: open exactly that.
    network = { fetch: sandboxModule.sandboxFetch(sandbox, fetch), allowPrivateNetworks: true, allowInsecureHttp: true };
    cloudUrl = sandboxModule.cloudUrl;
  }
  // GitHub Apps' JWTs are signed here, with the keys of the apps this server holds.
  const signers = appSigners();
  const forgelink = new Forgelink({ fetch: fetchHost(network), storage, encryptionKey, sign: (request) => signers.sign(request) });
  const deliveries = deliveryLog();
  const pages = staticFiles();

  // The host providers deliver webhooks to, when it is not this server's own (a tunnel's).
  let publicHost = null;
  if (publicUrl) {
    let parsed;
    try {
      parsed = new URL(publicUrl);
    } catch {
      throw new Error(`The public URL must be an http or https address, not "${publicUrl}".`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error(`The public URL must be an http or https address, not "${publicUrl}".`);
    publicHost = parsed.host;
  }

  let origin = null;
  let sessions = null;
  const context = {
    forgelink,
    records: jsonRecords(storage),
    deliveries,
    sandbox,
    cloudUrl,
    log,
    signers,
    encryptionKey,
    get origin() {
      return origin;
    },
    get publicUrl() {
      return (publicUrl ?? origin).replace(/\/+$/, "");
    },
    get sessions() {
      return sessions;
    },
  };
  const routes = wizardRoutes(context);
  await routes.load();

  const server = createServer(async (req, res) => {
    // Prefixing rather than resolving keeps a target like `//host/x` a path on this server.
    const url = new URL(`${origin}${req.url.startsWith("/") ? req.url : "/"}`);
    try {
      const door = doorOf(req, origin, publicHost);
      if (door === "unknown") throw new RequestError(421, "request.unknown_host", "This server answers only under its own address.");
      if (door === "alias") {
        // One origin for the pages, so that their cookies and the OAuth callback (at the
        // redirect URI, under 127.0.0.1) meet.
        if (req.method !== "GET" && req.method !== "HEAD") throw new RequestError(421, "request.unknown_host", `This server answers under ${origin}.`);
        send(res, 308, "", { Location: `${origin}${url.pathname}${url.search}` });
        return;
      }
      const route = routes.find(req.method, url.pathname);
      if (door === "public") {
        // What the outside reaches: the webhook receiver, nothing of the API or the pages.
        if (!route || !isReceiver(url.pathname)) throw new RequestError(404, "request.not_found", "This address serves only the webhook receiver.");
        await route(req, res, url);
        return;
      }
      if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
        const session = admitApi(req, url, origin, sessions);
        if (url.pathname === SESSION) {
          sendJson(res, 200, { csrfToken: sessions.csrfToken(session) });
          return;
        }
        if (!route) throw new RequestError(404, "request.not_found", `No ${req.method} ${url.pathname} in this API.`);
        await route(req, res, url);
        return;
      }
      if (route) {
        // The OAuth callback (bound to the browser by its own cookie) and the webhook receiver
        // (verified by its signature): both called by a provider, neither with a session.
        await route(req, res, url);
        return;
      }
      // Loading the page is what gives a browser its session.
      if ((req.method === "GET" || req.method === "HEAD") && (url.pathname === "/" || url.pathname === "/index.html")) sessions.ensure(req, res);
      pages(req, res);
    } catch (error) {
      const { status, body } = errorBody(error);
      if (status >= 500) log(`${req.method} ${url.pathname}: ${error && error.stack ? error.stack : error}`);
      if (!res.headersSent) sendJson(res, status, body);
      else res.end();
    }
  });
  const running = await listen(server, { port });
  origin = new URL(running.url).origin;
  sessions = wizardSessions({ encryptionKey, port: running.port });
  return {
    url: running.url,
    port: running.port,
    dataDir,
    redirectUri: `${origin}/oauth/callback`,
    webhookUrl: `${context.publicUrl}${WEBHOOKS}`,
    close: running.close,
  };
}

/** Whether a path is the webhook receiver's: `/webhooks`, or a hook's own address under it. */
const isReceiver = (pathname) => pathname === WEBHOOKS || pathname.startsWith(`${WEBHOOKS}/`);
const SESSION = "/api/session";
// EventSource cannot send headers: the live deliveries stream takes the CSRF token in its query.
const STREAM = "/api/deliveries/stream";
// What a proxy or tunnel adds; a browser on this machine never sends them.
const FORWARDED = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"];

/**
 * Which door a request came in by, from its `Host`: `wizard` (this server's own address),
 * `alias` (`localhost` for 127.0.0.1), `public` (the public URL's host, or anything that came
 * through a proxy), or `unknown`: a page on another site whose name was pointed at 127.0.0.1
 * (DNS rebinding) sends its own name, and is not answered.
 */
function doorOf(req, origin, publicHost) {
  const host = req.headers.host;
  const own = new URL(origin);
  const proxied = FORWARDED.some((name) => req.headers[name] !== undefined);
  if (host === own.host) return proxied ? "public" : "wizard";
  if (publicHost !== null && host === publicHost) return "public";
  if (host === `localhost:${own.port}`) return proxied ? "public" : "alias";
  return "unknown";
}

const sessionRequired = () =>
  new RequestError(401, "request.session_required", "This request has no session of the wizard's page.", {
    code: "request.session_required",
    title: "Reload the wizard",
    summary: "The wizard's API answers only its own page, which gets a session when it loads; this request had none, or one that expired.",
    steps: ["Reload this page, then try again."],
  });

/**
 * The checks every API request passes, in order: a browser names the page it comes from in
 * `Origin` (required on anything but GET and HEAD, which a form on another site can send, and
 * refused from any other origin); `Sec-Fetch-Site`, where the browser sends it, must say
 * same-origin; the session cookie; the session's CSRF token in `X-Forgelink-CSRF` (the stream,
 * in its query), except on the request that hands the token out. Returns the session.
 */
function admitApi(req, url, origin, sessions) {
  const from = req.headers.origin;
  const unsafe = req.method !== "GET" && req.method !== "HEAD";
  if (unsafe ? from !== origin : from !== undefined && from !== origin) {
    throw new RequestError(403, "request.cross_origin", "Requests to this API must come from the wizard's own pages.");
  }
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") throw new RequestError(403, "request.cross_origin", "Requests to this API must come from the wizard's own pages.");
  const session = sessions.read(req);
  if (!session) throw sessionRequired();
  if (url.pathname !== SESSION) {
    const token = url.pathname === STREAM ? url.searchParams.get("csrf") : req.headers[sessions.header];
    if (!sessions.checkCsrf(session, token)) {
      throw new RequestError(403, "request.csrf_invalid", "This request does not carry the CSRF token of its session.", {
        code: "request.csrf_invalid",
        title: "Reload the wizard",
        summary: "Every change through the wizard's API carries a token its page received when it loaded; this request's was missing or belongs to another session.",
        steps: ["Reload this page, then try again."],
      });
    }
  }
  return session;
}
