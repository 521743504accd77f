// What the sandbox tests share: forgelink's npm class over the sandbox (fetchHost over
// sandboxFetch, an in-memory store, a clock the test can move), a webhook receiver that hands
// the raw body and headers to forgelink.receiveWebhook, and a way to read rejections.

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

import { fetchHost, Forgelink, memoryStorage } from "../../../pkg/flows.js";
import { sandboxFetch } from "../sandbox.mjs";

/** A Forgelink whose requests reach the sandbox (Bitbucket Cloud's included). */
export function forgelinkFor(sandbox, { timeoutMs = 10_000, clock = { ms: Date.now() }, storage = memoryStorage() } = {}) {
  const forgelink = new Forgelink({
    // The sandbox listens on 127.0.0.1 over http: a private address the policy opens only on request.
    fetch: fetchHost({ fetch: sandboxFetch(sandbox), timeoutMs, allowPrivateNetworks: true, allowInsecureHttp: true }),
    storage,
    encryptionKey: new Uint8Array(randomBytes(32)),
    now: () => clock.ms,
  });
  return { forgelink, clock, storage };
}

/**
 * A server on 127.0.0.1 that receives deliveries at any path: it hands forgelink the URL each
 * arrived at (whose last segment is the hook's route id), answers with forgelink's receipt
 * (202 accepted, 200 duplicate, 401 rejected) and keeps every receipt.
 */
export async function startReceiver() {
  const receipts = [];
  let forgelink;
  const server = createServer(async (req, res) => {
    if (req.url === "/oauth/callback" || req.url.startsWith("/oauth/callback?")) {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("callback");
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = new Uint8Array(Buffer.concat(chunks));
    const receipt = await forgelink.receiveWebhook({ route: `${origin}${req.url}`, headers: req.headers, body });
    receipts.push({ path: req.url, headers: req.headers, receipt });
    // Handled once it is recorded: every later copy is a duplicate.
    if (receipt.claim !== undefined) await forgelink.confirmDelivery(receipt.claim);
    res.writeHead(receipt.status === "accepted" ? 202 : receipt.status === "duplicate" ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: receipt.status, code: receipt.code ?? null }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    redirectUri: `${origin}/oauth/callback`,
    receipts,
    use(instance) {
      forgelink = instance;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The ForgelinkError a promise rejects with; fails when it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Every page of the connection's projects, following forgelink's cursor. */
export async function allProjects(forgelink, id) {
  const projects = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = await forgelink.discoverProjects(id, cursor ? { cursor } : null);
    projects.push(...page.projects);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 50) throw new Error("discoverProjects does not stop paging");
  } while (cursor);
  return { projects, pages };
}

/** A readable summary of a connection report, for assertion messages. */
export function describeReport(report) {
  return report.checks.map((c) => `${c.name}: ${c.status}${c.code ? ` (${c.code})` : ""} ${c.message}`).join("\n");
}
