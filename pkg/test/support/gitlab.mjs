// A scripted GitLab at https://git.example.com/gitlab: the user, version and token endpoints a
// personal token connection reads, the projects list, and the project hooks API.

export const BASE = "https://git.example.com/gitlab";
export const TOKEN = "glpat-personal-token-value";

export function gitlab() {
  const hooks = new Map();
  let nextHookId = 0;
  const requests = [];
  const json = (status, value) => ({ status, headers: [["Content-Type", "application/json"]], body: new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)) });
  const describeHook = (h) => ({ id: h.id, url: h.url, enable_ssl_verification: true, alert_status: "executable", ...Object.fromEntries(h.events.map((e) => [e, true])) });
  async function fetch(request) {
    requests.push(`${request.method} ${request.url}`);
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/gitlab/, "");
    const authorized = request.headers.some(([n, v]) => n.toLowerCase() === "authorization" && v === `Bearer ${TOKEN}`);
    if (!authorized) return json(401, { message: "401 Unauthorized" });
    const body = request.body === undefined ? {} : JSON.parse(new TextDecoder().decode(request.body));
    if (request.method === "GET" && path === "/api/v4/user") return json(200, { id: 42, username: "ada", name: "Ada Lovelace", web_url: `${BASE}/ada` });
    if (request.method === "GET" && path === "/api/v4/version") return json(200, { version: "17.5.0", revision: "abc" });
    if (request.method === "GET" && path === "/api/v4/personal_access_tokens/self") {
      return json(200, { id: 7, name: "ci", revoked: false, scopes: ["api"], active: true, expires_at: null });
    }
    if (request.method === "GET" && path === "/api/v4/projects") {
      const response = json(200, [
        { id: 1, name: "app", path_with_namespace: "group/app", web_url: `${BASE}/group/app`, default_branch: "main", permissions: { project_access: { access_level: 40 }, group_access: null } },
      ]);
      return response;
    }
    const match = /^\/api\/v4\/projects\/([^/]+)\/hooks(?:\/(\d+))?$/.exec(url.pathname.replace(/^\/gitlab/, ""));
    if (match) {
      const project = decodeURIComponent(match[1]);
      if (project === "group/missing") return json(404, { message: "404 Project Not Found" });
      const list = hooks.get(project) ?? [];
      hooks.set(project, list);
      const id = match[2] === undefined ? undefined : Number(match[2]);
      const events = Object.keys(body).filter((k) => k.endsWith("_events") && body[k] === true);
      if (request.method === "GET" && id === undefined) return json(200, list.map(describeHook));
      if (request.method === "POST" && id === undefined) {
        const hook = { id: ++nextHookId, url: body.url, token: body.token, events };
        list.push(hook);
        return json(201, describeHook(hook));
      }
      const hook = list.find((h) => h.id === id);
      if (hook === undefined) return json(404, { message: "404 Not found" });
      if (request.method === "PUT") {
        Object.assign(hook, { url: body.url, token: body.token, events });
        return json(200, describeHook(hook));
      }
      if (request.method === "DELETE") {
        list.splice(list.indexOf(hook), 1);
        return { status: 204, headers: [], body: new Uint8Array() };
      }
    }
    return json(404, { message: "404 Not Found" });
  }
  return { fetch, hooks, requests };
}

/** Storage that yields to the event loop around every operation, so that racing callers interleave. */
export function slowStorage(inner) {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
  const slow = (fn) => async (...args) => {
    await pause();
    const result = await fn(...args);
    await pause();
    return result;
  };
  return { get: slow(inner.get), set: slow(inner.set), delete: slow(inner.delete), compareAndSwap: slow(inner.compareAndSwap) };
}

export function pushDelivery(token, uuid, project = "group/app") {
  const body = JSON.stringify({
    object_kind: "push",
    ref: "refs/heads/main",
    checkout_sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    user_username: "ada",
    project: { id: 1, path_with_namespace: project, web_url: `${BASE}/${project}` },
  });
  return { headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": token, "X-Gitlab-Event-UUID": uuid }, body: new TextEncoder().encode(body) };
}
