// Reading requests and answering them as JSON, and turning a failure into what the page shows:
// `{ code, message, guidance, providerDetail }`.

import { send } from "../serve.mjs";

/** Thrown by handlers for a failure the page should show with its own status. */
export class RequestError extends Error {
  constructor(status, code, message, guidance) {
    super(message);
    this.status = status;
    this.code = code;
    this.guidance = guidance;
  }
}

/** The raw body, refused past `limit` bytes (a delivery's signature covers these exact bytes). */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RequestError(413, "request.too_large", `The body is larger than ${limit} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function readJson(req, limit = 1 << 20) {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  // A form post from another site cannot set this type without a preflight, which this
  // server never grants: a cheap guard against cross-site requests to a local server.
  if (type !== "application/json") throw new RequestError(415, "request.json_required", "Send the request as application/json.");
  const body = await readBody(req, limit);
  try {
    const value = JSON.parse(body.toString("utf8") || "{}");
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value;
  } catch {
    throw new RequestError(400, "request.invalid_json", "The request body is not a JSON object.");
  }
}

export function sendJson(res, status, value) {
  send(res, status, JSON.stringify(value), { "Content-Type": "application/json; charset=utf-8" });
}

// Which HTTP status a forgelink code deserves when the page's request failed because of it.
function statusOf(code) {
  if (code === "connection.not_found") return 404;
  if (code === "storage.failed" || code === "storage.corrupt" || code === "init.required") return 500;
  if (/^(network|tls|http|server|token)\./.test(code)) return 502;
  return 400;
}

/**
 * A forgelink failure as a RequestError, with the guidance written for `provider` where one
 * is known (the flows' own guidance does not always know which provider's menus to name).
 */
export function providerError(error, provider, troubleshoot) {
  if (error instanceof RequestError || !error || typeof error.code !== "string" || !error.guidance) return error;
  let guidance = error.guidance;
  if (provider) {
    try {
      guidance = troubleshoot(error.code, provider) ?? guidance;
    } catch {
      // Keep the error's own guidance.
    }
  }
  const wrapped = new RequestError(statusOf(error.code), error.code, error.message, guidance);
  wrapped.providerDetail = error.providerDetail ?? null;
  wrapped.retryAfter = error.retryAfter ?? null;
  return wrapped;
}

/** A failure as the page reads it; the provider's own words stay apart from ours. */
export function errorBody(error) {
  const known = providerError(error);
  if (known instanceof RequestError) {
    return {
      status: known.status,
      body: { code: known.code, message: known.message, guidance: known.guidance ?? null, providerDetail: known.providerDetail ?? null, retryAfter: known.retryAfter ?? null },
    };
  }
  return { status: 500, body: { code: "wizard.internal", message: `Unexpected failure: ${error && error.message ? error.message : error}`, guidance: null } };
}
