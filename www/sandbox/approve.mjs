// A browser, as far as an authorization needs one, for tests in Node: cookies, redirects
// followed by hand until they leave the sandbox (or reach the redirect URI), and the login and
// consent forms submitted the way a person would.

import { cookieFetch } from "./cookies.mjs";
import { unescape } from "./http.mjs";

/**
 * @param {string} authorizationUrl on the sandbox (Bitbucket Cloud's already mapped)
 * @param {{ username?: string, password?: string, deny?: boolean, scopes?: string[], cookies?: typeof fetch, account, origins: string[] }} options
 *   `cookies`: the browser's cookie-keeping fetch (from `cookieFetch`), to approve again as the
 *   same signed-in browser; a new one by default
 * @returns {Promise<string>} the URL the browser would be sent back to
 */
export async function approve(authorizationUrl, { username, password, deny = false, scopes, cookies = cookieFetch(), account, origins }) {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get("redirect_uri");
  const leaves = (location) => (redirectUri && location.startsWith(redirectUri.split("?")[0])) || !origins.includes(new URL(location).origin);
  const fetchWithCookies = cookies;

  let next = { href: start.href, init: {} };
  for (let step = 0; step < 12; step++) {
    const url = new URL(next.href);
    const response = await fetchWithCookies(url, next.init);
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get("location"), url).href;
      await response.body?.cancel();
      if (leaves(location)) return location;
      next = { href: location, init: {} };
      continue;
    }
    const html = await response.text();
    const refused = html.match(/id="error"[^>]*data-error="([^"]*)">([^<]*)</);
    if (refused || response.status !== 200) {
      const error = new Error(`The sign-in was refused: ${refused ? `${unescape(refused[1])}: ${unescape(refused[2])}` : `HTTP ${response.status}`}`);
      error.error = refused ? unescape(refused[1]) : "server_error";
      error.errorDescription = refused ? unescape(refused[2]) : html.slice(0, 200);
      throw error;
    }
    const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = (suffix) => forms.find((f) => unescape(f[1]).endsWith(suffix));
    const post = (action, fields) => ({
      href: new URL(unescape(action), url).href,
      init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() },
    });
    if (form("/login")) {
      next = post(form("/login")[1], { username: username ?? account.username, password: password ?? account.password });
    } else if (deny && form("/abort")) {
      next = post(form("/abort")[1], {});
    } else if (form("/confirm")) {
      const offered = unescape(form("/confirm")[2].match(/name="scope" value="([^"]*)"/)?.[1] ?? "");
      next = post(form("/confirm")[1], { scope: scopes ? scopes.join(" ") : offered });
    } else {
      throw new Error(`approve: an unexpected page at ${url.pathname}`);
    }
  }
  throw new Error("approve: too many steps without leaving the sandbox");
}
