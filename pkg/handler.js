// The webhook endpoint people would otherwise write by hand: a Fetch API handler over
// `Forgelink#receiveWebhook`, and an adapter that mounts it on node:http and Express.
//
// The guarantee: every authentic delivery is handled at least once and accepted as new at most
// once per dedupe window. The handler answers 2xx only after `onEvent` has resolved and the
// claim is confirmed; when `onEvent` throws or storage fails it answers 503 with `Retry-After`
// and releases the claim, so the provider's redelivery is taken; a copy arriving while another
// instance still handles the first is answered 503 too, never dropped as a duplicate.
//
// It is bound to the entry's `invalid` (a ForgelinkError with guidance from the core), so that a
// handler set up wrongly fails as every other call of the package does.

/** GitHub caps deliveries at 25 MB; no provider sends more. */
const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;
/** After a failure here (storage down, `onEvent` threw), when the provider should try again. */
const FAILURE_RETRY_SECONDS = 5;

/** Which HTTP status answers each way a delivery is rejected. */
const REJECTION_STATUS = new Map([
  ["webhook.unknown_route", 404],
  ["webhook.missing_signature", 401],
  ["webhook.signature_mismatch", 401],
  ["webhook.malformed_signature", 401],
  ["webhook.no_secret", 401],
  ["webhook.timestamp_out_of_range", 401],
  ["webhook.body_too_large", 413],
]);

/** The handler and the Node adapter, throwing `invalid(message)` for a wrong argument. */
export function bindHandler(invalid) {
  return { webhookHandler: (forgelink, options) => webhookHandler(invalid, forgelink, options), createNodeMiddleware: (handler, options) => createNodeMiddleware(invalid, handler, options) };
}

/**
 * A Fetch API handler, `(request: Request) => Promise<Response>`, that receives deliveries for
 * the hooks `forgelink.registerWebhooks` registered: under Node (see {@link createNodeMiddleware}),
 * Hono, Bun, Deno and Workers.
 */
function webhookHandler(invalid, forgelink, options) {
  if (typeof forgelink?.receiveWebhook !== "function" || typeof forgelink?.confirmDelivery !== "function") {
    throw invalid("`forgelink` must be a Forgelink instance from `forgelink/flows`.");
  }
  if (typeof options !== "object" || options === null || typeof options.onEvent !== "function") {
    throw invalid("`options.onEvent` must be a function: it is called with each new event and its receipt.");
  }
  const known = new Set(["onEvent", "onError", "maxBodyBytes", "receive"]);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw invalid(`\`options.${name}\` is not an option of webhookHandler; it takes ${[...known].join(", ")}.`);
  }
  const { onEvent, onError = () => {}, receive } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw invalid(`\`options.maxBodyBytes\` must be a positive whole number of bytes, got ${String(maxBodyBytes)}.`);
  }
  if (typeof onError !== "function") throw invalid("`options.onError` must be a function.");

  // A failure report must never turn into a failure of its own.
  const report = (error, context) => {
    try {
      onError(error, context);
    } catch {
      // Nothing more can be done with an error reporter that throws.
    }
  };

  return async function handleWebhook(request) {
    if (request.method !== "POST") {
      return answer(405, { status: "rejected" }, { allow: "POST" });
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) return answer(413, { status: "rejected", code: "webhook.body_too_large" });

    let receipt;
    try {
      receipt = await forgelink.receiveWebhook({ route: request.url, headers: request.headers, body }, receive);
    } catch (error) {
      if (error?.code === "input.invalid") return answer(400, { status: "rejected", code: error.code });
      report(error, { stage: "receive" });
      return unavailable(FAILURE_RETRY_SECONDS);
    }

    switch (receipt.status) {
      case "rejected":
        return answer(REJECTION_STATUS.get(receipt.code) ?? 400, { status: "rejected", code: receipt.code });
      case "duplicate":
        return answer(200, { status: "duplicate" });
      case "pending":
        return unavailable(receipt.retryAfterSeconds ?? FAILURE_RETRY_SECONDS);
      default:
        break;
    }
    // An unsigned ping (allowed by `receive.allowUnsignedPing`) proves nothing: it is answered,
    // never handed to `onEvent`.
    if (receipt.claim === undefined) return answer(200, { status: "accepted" });
    try {
      await onEvent(receipt.event, receipt);
    } catch (error) {
      report(error, { stage: "onEvent", receipt });
      try {
        await forgelink.releaseDelivery(receipt.claim);
      } catch (releaseError) {
        // The claim then lapses after `handlingSeconds`, and the redelivery is taken after it.
        report(releaseError, { stage: "release", receipt });
      }
      return unavailable(FAILURE_RETRY_SECONDS);
    }
    try {
      if (!(await forgelink.confirmDelivery(receipt.claim))) {
        report(invalid("The event was handled after its claim lapsed: another instance may have handled it too. Raise `receive.handlingSeconds` above the handler's longest run."), { stage: "confirm", receipt });
      }
    } catch (error) {
      // Handled, but not remembered: a redelivery after `handlingSeconds` would be handled
      // again, which at-least-once allows. The provider is told it was handled.
      report(error, { stage: "confirm", receipt });
    }
    return answer(200, { status: "accepted" });
  };
}

/**
 * The Fetch API handler as node:http and Express middleware: `(req, res, next?)`. Mount it
 * before any body parser, which would consume the raw body the signature covers (a raw body a
 * parser kept as a Buffer or string is used). With `path`, only requests under that path are
 * taken; the rest go to `next` (or answer 404 without one).
 */
function createNodeMiddleware(invalid, handler, options = {}) {
  if (typeof handler !== "function") throw invalid("`handler` must be the function webhookHandler returned.");
  const prefix = options?.path == null ? undefined : String(options.path).replace(/\/+$/, "");
  return async function forgelinkMiddleware(req, res, next) {
    try {
      const target = req.originalUrl ?? req.url ?? "/";
      const url = new URL(target, "http://localhost");
      if (prefix !== undefined && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
        if (typeof next === "function") return next();
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const init = { method: req.method, headers };
      if (req.method !== "GET" && req.method !== "HEAD") {
        const parsed = req.body;
        if (parsed instanceof Uint8Array || typeof parsed === "string") {
          init.body = parsed;
        } else if (parsed !== undefined && req.readableEnded) {
          throw invalid("The request body was parsed before the webhook middleware saw it: mount createNodeMiddleware before body parsers, so the signature is checked over the raw body.");
        } else {
          init.body = streamOf(req);
          init.duplex = "half";
        }
      }
      const response = await handler(new Request(url, init));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      if (typeof next === "function") return next(error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "retry" }));
    }
  };
}

/**
 * A request's body as a web stream, pulled chunk by chunk so that the handler's size cap stops
 * reading early. Cancelled (over the cap), the rest is drained and dropped, so that the answer
 * can still be written on the connection.
 */
function streamOf(req) {
  const chunks = req[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    cancel() {
      req.removeAllListeners("readable");
      req.resume();
    },
  });
}

/** The raw body, or `undefined` when it is longer than `limit` (reading stops there). */
async function readBody(request, limit) {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return undefined;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function answer(status, payload, headers = {}) {
  return new Response(JSON.stringify(payload), { status, headers: { "content-type": "application/json", ...headers } });
}

function unavailable(seconds) {
  return answer(503, { status: "retry" }, { "retry-after": String(Math.max(1, Math.ceil(seconds))) });
}
