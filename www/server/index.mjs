// The setup wizard's server: the pages and the npm package, the JSON API the pages call, the
// OAuth callback and the webhook receiver. The client secret, the tokens and the webhook
// secrets stay here, sealed by forgelink in a file-backed storage; the page only ever sees
// what a person may see.

import { createServer } from "node:http";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { Forgelink, fetchHost } from "../../pkg/flows.js";
import { listen, staticFiles } from "../serve.mjs";
import { deliveryLog } from "./deliveries.mjs";
import { RequestError, errorBody, sendJson } from "./http.mjs";
import { loadOrCreateKey } from "./key.mjs";
import { fileStorage, jsonRecords } from "./storage.mjs";
import { wizardRoutes } from "./routes.mjs";

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
  const forgelink = new Forgelink({ fetch: fetchHost(network), storage, encryptionKey });
  const deliveries = deliveryLog();
  const pages = staticFiles();

  let origin = null;
  const context = {
    forgelink,
    records: jsonRecords(storage),
    deliveries,
    sandbox,
    cloudUrl,
    log,
    get origin() {
      return origin;
    },
    get publicUrl() {
      return (publicUrl ?? origin).replace(/\/+$/, "");
    },
  };
  const routes = wizardRoutes(context);

  const server = createServer(async (req, res) => {
    // Prefixing rather than resolving keeps a target like `//host/x` a path on this server.
    const url = new URL(`${origin}${req.url.startsWith("/") ? req.url : "/"}`);
    const route = routes.find(req.method, url.pathname);
    if (!route) {
      pages(req, res);
      return;
    }
    try {
      if (!knownHost(req, origin, context.publicUrl)) throw new RequestError(421, "request.unknown_host", "This server answers only under its own address.");
      if (!sameOrigin(req, origin)) throw new RequestError(403, "request.cross_origin", "Requests to this API must come from the wizard's own pages.");
      await route(req, res, url);
    } catch (error) {
      const { status, body } = errorBody(error);
      if (status >= 500) log(`${req.method} ${url.pathname}: ${error && error.stack ? error.stack : error}`);
      if (!res.headersSent) sendJson(res, status, body);
      else res.end();
    }
  });
  const running = await listen(server, { port });
  origin = new URL(running.url).origin;
  return {
    url: running.url,
    port: running.port,
    dataDir,
    redirectUri: `${origin}/oauth/callback`,
    webhookUrl: `${context.publicUrl}/webhooks`,
    close: running.close,
  };
}

/** A page on another site whose name was pointed at 127.0.0.1 (DNS rebinding) sends its own
 * name as `Host`; only this server's names are answered. */
function knownHost(req, origin, publicUrl) {
  const host = req.headers.host;
  const own = new URL(origin);
  return host === own.host || host === `localhost:${own.port}` || host === new URL(publicUrl).host;
}

/**
 * A browser names the page a request comes from in `Origin`; only the wizard's own pages may
 * use the API. Requests without it (a provider's webhook, a command-line client, a top-level
 * navigation to the OAuth callback) pass: they carry no cookies this server would trust.
 */
function sameOrigin(req, origin) {
  const from = req.headers.origin;
  if (from === undefined || from === origin) return true;
  // The same server under its other loopback name.
  const alias = origin.replace("//127.0.0.1:", "//localhost:");
  return from === alias;
}
