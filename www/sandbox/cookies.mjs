// What a browser keeps between the steps of a sign-in, for Node: a cookie jar (names, values,
// paths, expiry) and a fetch that sends and stores its cookies and leaves redirects to the caller.

/** A `fetch(href, init)` with a cookie jar of its own; redirects are answered, not followed. */
export function cookieFetch() {
  const jar = new Map(); // name → { value, path }
  const cookieHeader = (url) =>
    [...jar]
      .filter(([, c]) => c.path === "/" || url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  const keep = (url, response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname;
      let expired = value === "";
      for (const attribute of attributes) {
        const [key, val = ""] = attribute.split("=");
        if (key.toLowerCase() === "path") path = val;
        if (key.toLowerCase() === "expires" && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === "max-age" && Number(val) <= 0) expired = true;
      }
      if (expired) jar.delete(name);
      else jar.set(name, { value, path });
    }
  };
  return async function fetchWithCookies(href, init = {}) {
    const url = new URL(href);
    const headers = { ...init.headers };
    const cookie = cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    keep(url, response);
    return response;
  };
}
