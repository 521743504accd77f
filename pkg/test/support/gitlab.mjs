// A scripted GitLab at https://git.example.com/gitlab: the user, version and token endpoints a
// personal token connection reads, the projects list, the project hooks API, and for polling
// and feedback the pipelines, jobs, merge requests, events and merge request notes APIs.

import { createHash } from "node:crypto";

export const BASE = "https://git.example.com/gitlab";
export const TOKEN = "glpat-personal-token-value";

export function gitlab() {
  const hooks = new Map();
  let nextHookId = 0;
  // Pipelines of group/app: { id, status, sha, updatedAt (unix seconds) }; notes of its merge request 5.
  const pipelines = [];
  const notes = [];
  let nextNoteId = 0;
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
    const app = "/api/v4/projects/group%2Fapp";
    const iso = (seconds) => new Date(seconds * 1000).toISOString();
    if (request.method === "GET" && url.pathname.replace(/^\/gitlab/, "") === `${app}/pipelines`) {
      const after = Date.parse(url.searchParams.get("updated_after") ?? "1970-01-01T00:00:00Z") / 1000;
      const listed = pipelines.filter((p) => p.updatedAt >= after).reverse();
      return json(200, listed.map((p) => ({ id: p.id, iid: p.id, project_id: 1, status: p.status, ref: "main", sha: p.sha, web_url: `${BASE}/group/app/-/pipelines/${p.id}`, created_at: iso(p.updatedAt - 120), updated_at: iso(p.updatedAt) })));
    }
    // "Get a single pipeline": the list's fields and finished_at, which the list leaves out
    // (a finished pipeline's last update, unless the test says otherwise).
    const single = path.startsWith(`${app}/pipelines/`) ? /^(\d+)$/.exec(path.slice(`${app}/pipelines/`.length)) : null;
    if (request.method === "GET" && single) {
      const p = pipelines.find((p) => String(p.id) === single[1]);
      if (!p) return json(404, { message: "404 Not found" });
      return json(200, { id: p.id, iid: p.id, project_id: 1, status: p.status, ref: "main", sha: p.sha, web_url: `${BASE}/group/app/-/pipelines/${p.id}`, created_at: iso(p.updatedAt - 120), updated_at: iso(p.updatedAt), finished_at: finishedAt(p) === null ? null : iso(finishedAt(p)) });
    }
    if (request.method === "GET" && /\/pipelines\/\d+\/jobs$/.test(path)) return json(200, []);
    if (request.method === "GET" && (path === `${app}/merge_requests` || path === `${app}/events`)) return json(200, []);
    const describeNote = (n) => ({ id: n.id, body: n.body, author: { id: 42, username: "ada" }, created_at: iso(0), system: false, noteable_type: "MergeRequest", noteable_iid: 5 });
    if (path === `${app}/merge_requests/5/notes` && request.method === "GET") return json(200, notes.map(describeNote));
    if (path === `${app}/merge_requests/5/notes` && request.method === "POST") {
      const note = { id: ++nextNoteId, body: body.body };
      notes.push(note);
      return json(201, describeNote(note));
    }
    const noteMatch = new RegExp(`^${app}/merge_requests/5/notes/(\\d+)$`).exec(path);
    if (noteMatch && request.method === "PUT") {
      const note = notes.find((n) => n.id === Number(noteMatch[1]));
      if (note === undefined) return json(404, { message: "404 Note Not Found" });
      note.body = body.body;
      return json(200, describeNote(note));
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
  return { fetch, hooks, requests, pipelines, notes };
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

/** A Push Hook delivery; each delivery id pushes its own commit (a push is the same push whichever delivery reports it). */
export function pushDelivery(token, uuid, project = "group/app") {
  const body = JSON.stringify({
    object_kind: "push",
    ref: "refs/heads/main",
    checkout_sha: createHash("sha1").update(uuid).digest("hex"),
    user_username: "ada",
    project: { id: 1, path_with_namespace: project, web_url: `${BASE}/${project}` },
  });
  return { headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": token, "X-Gitlab-Event-UUID": uuid }, body: new TextEncoder().encode(body) };
}

/** When a fake pipeline finished (unix seconds), or null: at its last update, once finished. */
export function finishedAt(pipeline) {
  if (pipeline.finishedAt !== undefined) return pipeline.finishedAt;
  return ["success", "failed", "canceled", "skipped"].includes(pipeline.status) ? pipeline.updatedAt : null;
}

/** Unix seconds as a Pipeline Hook writes a time: `2016-08-12 15:26:29 UTC` ("Webhook events"). */
export function hookTime(seconds) {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A Pipeline Hook delivery for pipeline `id` of group/app in `status`, finished at `finished` (unix seconds). */
export function pipelineDelivery(token, uuid, id, status, finished) {
  const body = JSON.stringify({
    object_kind: "pipeline",
    object_attributes: { id, ref: "main", sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", status, created_at: "2023-11-14 22:00:00 UTC", finished_at: finished === undefined ? null : hookTime(finished) },
    user: { id: 42, username: "ada", name: "Ada" },
    project: { id: 1, path_with_namespace: "group/app", web_url: `${BASE}/group/app`, default_branch: "main" },
  });
  return { headers: { "X-Gitlab-Event": "Pipeline Hook", "X-Gitlab-Token": token, "X-Gitlab-Event-UUID": uuid }, body: new TextEncoder().encode(body) };
}

/** An Issue Hook delivery: an event with no CI state, deduplicated by its delivery id alone. */
export function issueDelivery(token, uuid) {
  const body = JSON.stringify({
    object_kind: "issue",
    event_type: "issue",
    user: { id: 42, username: "ada", name: "Ada" },
    project: { id: 1, path_with_namespace: "group/app", web_url: `${BASE}/group/app` },
    object_attributes: { id: 301, iid: 23, title: "Flaky test", state: "opened", action: "open" },
  });
  return { headers: { "X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": token, "X-Gitlab-Event-UUID": uuid }, body: new TextEncoder().encode(body) };
}
