// The page's side of the wizard server's JSON API. A failure arrives as
// `{ code, message, guidance, providerDetail, retryAfter }` and is thrown as an object of that shape, which
// `errorCard` in ui.js shows as it shows any forgelink error.

export class ApiFailure extends Error {
  constructor({ code, message, guidance = null, providerDetail = null, retryAfter = null }) {
    super(message);
    this.code = code;
    this.guidance = guidance ?? undefined;
    this.providerDetail = providerDetail ?? undefined;
    // The provider's wait, counted from its answer, as a time: the card shows when to retry.
    if (typeof retryAfter === "number") this.retryAt = Math.round(Date.now() / 1000) + retryAfter;
  }
}

const unreachable = (error) =>
  new ApiFailure({
    code: "wizard.server_unreachable",
    message: `This product's server did not answer (${error && error.message ? error.message : error}).`,
    guidance: {
      code: "wizard.server_unreachable",
      title: "The wizard's server is not running",
      summary: "The steps after connecting run on this product's server, which did not answer.",
      steps: ["Start it again with `make demo`, then reload this page."],
    },
  });

// The server hands this page a CSRF token for its session (the session itself is an HttpOnly
// cookie set when the page loaded); every API call carries it. Asked once, and again when the
// server says it no longer matches (another tab's return from a provider renewed the session).
let csrf = null;

/** The CSRF token; rejects with the server's ApiFailure when the page has no session. */
function csrfToken({ renew = false } = {}) {
  if (csrf === null || renew) {
    const asked = fetch("/api/session", { headers: { Accept: "application/json" } })
      .catch((error) => Promise.reject(unreachable(error)))
      .then(async (response) => {
        const value = await response.json().catch(() => null);
        if (!response.ok || typeof value?.csrfToken !== "string") throw failure(response, value);
        return value.csrfToken;
      });
    // A failure is not kept: the next call asks again.
    asked.catch(() => {
      if (csrf === asked) csrf = null;
    });
    csrf = asked;
  }
  return csrf;
}

function failure(response, value) {
  return new ApiFailure(value && typeof value.code === "string" ? value : { code: "wizard.unexpected_answer", message: `The server answered ${response.status}.` });
}

/** Calls the API; resolves to the JSON answer, rejects with an ApiFailure. */
export async function api(path, { method = "GET", body } = {}, retried = false) {
  const headers = body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" };
  headers["X-Forgelink-CSRF"] = await csrfToken();
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw unreachable(error);
  }
  let value = null;
  try {
    value = await response.json();
  } catch {
    value = null;
  }
  // Refused before anything was done, so asking again with the current token is safe.
  if (response.status === 403 && value?.code === "request.csrf_invalid" && !retried) {
    await csrfToken({ renew: true });
    return api(path, { method, body }, true);
  }
  if (!response.ok) throw failure(response, value);
  return value;
}

/** The URL of a server-sent event stream of the API, with the token in its query: EventSource cannot send headers. */
export async function streamUrl(path, { renew = false } = {}) {
  return `${path}?csrf=${encodeURIComponent(await csrfToken({ renew }))}`;
}

/** The server's configuration, or null when the page is served by a plain static server (no API). */
export async function loadConfig() {
  try {
    return await api("/api/config");
  } catch {
    return null;
  }
}
