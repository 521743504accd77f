// The wizard's API from Node, the way its page reaches it: the session cookie the page gets when
// it loads, the CSRF token from GET /api/session, and the page's origin on every change.

import { request } from "node:http";

/** The `name=value` pairs of a response's Set-Cookie headers, as one Cookie header. */
export function cookiesOf(response) {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** Loads the page at `serverUrl` and reads its CSRF token: a client of the API as that page. */
export async function wizardClient(serverUrl) {
  const page = await fetch(serverUrl);
  await page.arrayBuffer();
  const cookie = cookiesOf(page);
  const session = await fetch(new URL("/api/session", serverUrl), { headers: { cookie } });
  const { csrfToken } = await session.json();
  const origin = new URL(serverUrl).origin;
  const headersFor = (method) => ({ cookie, "x-forgelink-csrf": csrfToken, ...(method === "GET" || method === "HEAD" ? {} : { origin }) });
  return {
    cookie,
    csrfToken,
    origin,
    headersFor,
    /** `{ status, body }` of an API call, with the session, the token and the origin. */
    async api(path, { method = "GET", body, headers = {} } = {}) {
      const response = await fetch(new URL(path, serverUrl), {
        method,
        headers: { ...headersFor(method), ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}

/**
 * A request with headers fetch will not let a caller set (`Host`), over node:http:
 * `{ status, headers, body }` with the body as text.
 */
export function rawRequest(port, { method = "GET", path = "/", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
