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

/**
 * Installs a GitHub App through its installation page as a person would: signs in when asked,
 * picks the account, "All repositories" or the listed ones, and presses Install.
 *
 * @param {string} installUrl `{githubOrigin}/github-apps/{slug}/installations/new?state=...`
 * @param {{ account?: string, repositories?: "all" | string[], username?: string, password?: string, cookies?: typeof fetch, person, origins: string[] }} options
 *   `account`: the user or organization login (the signed-in person by default);
 *   `repositories`: `"all"` (the default) or repository names or full names
 * @returns {Promise<string>} where the browser is sent next: the app's setup URL with
 *   `installation_id`, `setup_action` and `state` (and `code`), or the installation's settings page
 */
export async function installGitHubApp(installUrl, { account: login, repositories = "all", username, password, cookies = cookieFetch(), person, origins }) {
  let next = { href: new URL(installUrl).href, init: {} };
  for (let step = 0; step < 8; step++) {
    const url = new URL(next.href);
    const response = await cookies(url, next.init);
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get("location"), url).href;
      await response.body?.cancel();
      if (!origins.includes(new URL(location).origin) || /\/settings\/installations\/\d+$/.test(new URL(location).pathname)) return location;
      next = { href: location, init: {} };
      continue;
    }
    const html = await response.text();
    const refused = html.match(/id="error"[^>]*data-error="([^"]*)">([^<]*)</);
    if (refused || response.status !== 200) throw new Error(`The installation was refused: ${refused ? unescape(refused[2]) : `HTTP ${response.status}`}`);
    const form = html.match(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/);
    if (!form) throw new Error(`installGitHubApp: an unexpected page at ${url.pathname}`);
    const action = new URL(unescape(form[1]), url).href;
    const fields = new URLSearchParams();
    for (const [, name, value] of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.append(unescape(name), unescape(value));
    if (form[1] === "/session") {
      fields.set("login", username ?? person.username);
      fields.set("password", password ?? person.password);
    } else {
      const target = login ?? person.username;
      fields.set("account", target);
      fields.set("repository_selection", repositories === "all" ? "all" : "selected");
      if (repositories !== "all") {
        const offered = [...form[2].matchAll(/name="repository" value="([^"]+)"/g)].map((m) => unescape(m[1]));
        for (const name of repositories) {
          const full = offered.find((path) => path.toLowerCase() === String(name).toLowerCase() || path.toLowerCase() === `${target}/${name}`.toLowerCase());
          if (!full) throw new Error(`installGitHubApp: ${target} has no repository ${name} on the page`);
          fields.append("repository", full);
        }
      }
    }
    next = { href: action, init: { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() } };
  }
  throw new Error("installGitHubApp: too many steps");
}
