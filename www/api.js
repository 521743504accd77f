// The page's side of the wizard server's JSON API. A failure arrives as
// `{ code, message, guidance, providerDetail }` and is thrown as an object of that shape, which
// `errorCard` in ui.js shows as it shows any forgelink error.

export class ApiFailure extends Error {
  constructor({ code, message, guidance = null, providerDetail = null }) {
    super(message);
    this.code = code;
    this.guidance = guidance ?? undefined;
    this.providerDetail = providerDetail ?? undefined;
  }
}

/** Calls the API; resolves to the JSON answer, rejects with an ApiFailure. */
export async function api(path, { method = "GET", body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiFailure({
      code: "wizard.server_unreachable",
      message: `This product's server did not answer (${error && error.message ? error.message : error}).`,
      guidance: {
        code: "wizard.server_unreachable",
        title: "The wizard's server is not running",
        summary: "The steps after connecting run on this product's server, which did not answer.",
        steps: ["Start it again with `make demo`, then reload this page."],
      },
    });
  }
  let value = null;
  try {
    value = await response.json();
  } catch {
    value = null;
  }
  if (!response.ok) {
    throw new ApiFailure(value && typeof value.code === "string" ? value : { code: "wizard.unexpected_answer", message: `The server answered ${response.status}.` });
  }
  return value;
}

/** Whether the page is served by the wizard's server (and not by a plain static server). */
export async function loadConfig() {
  try {
    const response = await fetch("/api/config", { headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null;
  }
}
