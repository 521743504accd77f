// The control page at /sandbox/: plain HTML forms (no script, no external assets) to register
// OAuth applications, create access tokens, flip the failure switches, see each project's
// hooks, trigger deliveries and redeliver them. Every form posts to the sandbox and answers
// with a page; the same actions are the sandbox object's functions.

import { escape, html, readForm, redirect, send } from "./http.mjs";
import { layout } from "./oauth.mjs";
import { PROVIDERS, SWITCHES } from "./state.mjs";

const KIND_LABELS = { push: "Push", pipeline_failed: "Pipeline failed", job_failed: "Job failed" };
/** The switches that also take project paths. */
const PER_PROJECT = ["projectNotFound", "dropDeliveries"];

export function createControl({ sandbox, state, modules, origin }) {
  const title = (id) => modules[id].title;
  const providerSelect = (name = "provider") =>
    `<select id="${name}" name="${name}">${PROVIDERS.map((id) => `<option value="${id}">${escape(title(id))}</option>`).join("")}</select>`;

  function home() {
    const providers = PROVIDERS.map((id) => {
      const p = sandbox.providers[id];
      const note = id === "bitbucket-cloud" ? ` <small>(served at <code>${escape(`${origin}/bitbucket-cloud`)}</code>: map it with <code>cloudUrl</code>)</small>` : "";
      return `<tr><th scope="row">${escape(p.title)}</th><td><code>${escape(id)}</code></td><td><code>${escape(p.baseUrl)}</code>${note}</td></tr>`;
    }).join("");
    const switches = Object.entries(SWITCHES)
      .map(([name, s]) => {
        const value = state.switches[name];
        if (name === "slow") {
          return `<p><label for="switch-slow">slow (milliseconds, 0 for off)</label><input id="switch-slow" name="slow" type="number" min="0" step="100" value="${escape(value)}"><small>${escape(s.help)}</small></p>`;
        }
        const text = typeof value === "boolean" ? "" : Array.isArray(value) ? value.join(" ") : value;
        return (
          `<fieldset><legend>${escape(name)}</legend><small>${escape(s.help)}</small><p>` +
          `<input type="radio" id="${name}-off" name="${name}" value="off"${value ? "" : " checked"}><label for="${name}-off" class="inline">Off</label> ` +
          `<input type="radio" id="${name}-on" name="${name}" value="on"${value === true ? " checked" : ""}><label for="${name}-on" class="inline">On for every provider</label> ` +
          `<input type="radio" id="${name}-only" name="${name}" value="only"${value && value !== true ? " checked" : ""}><label for="${name}-only" class="inline">Only for</label> ` +
          `<input aria-label="${escape(name)}: providers${PER_PROJECT.includes(name) ? " or project paths" : ""}, separated by spaces" name="${name}-only" value="${escape(text)}" placeholder="gitlab github${PER_PROJECT.includes(name) ? " or a project path" : ""}"></p></fieldset>`
        );
      })
      .join("");
    const projects = PROVIDERS.map((id) => {
      const rows = sandbox
        .projects(id)
        .map((p) => {
          const hooks = sandbox.hooks(id, p.path);
          const hookList = hooks.length ? `<ul>${hooks.map((h) => `<li><code>${escape(h.url)}</code> (${escape(h.events.join(", "))})</li>`).join("")}</ul>` : "none";
          const buttons = modules[id].kinds
            .map((kind) => `<form method="post" action="/sandbox/trigger" class="inline"><input type="hidden" name="provider" value="${id}"><input type="hidden" name="project" value="${escape(p.path)}"><input type="hidden" name="kind" value="${kind}"><button type="submit" aria-label="${escape(`${KIND_LABELS[kind]} on ${p.path}`)}">${KIND_LABELS[kind]}</button></form>`)
            .join(" ");
          return `<tr><th scope="row"><code>${escape(p.path)}</code>${p.objectFormat === "sha256" ? " <small>SHA-256</small>" : ""}</th><td>${escape(p.role)}</td><td>${hookList}</td><td>${hooks.length ? buttons : "<small>register a hook first</small>"}</td></tr>`;
        })
        .join("");
      return `<details><summary>${escape(title(id))} (${state.projects[id].length})</summary><table><thead><tr><th scope="col">Project</th><th scope="col">Role</th><th scope="col">Hooks</th><th scope="col">Deliver</th></tr></thead><tbody>${rows}</tbody></table></details>`;
    }).join("");
    const deliveries = sandbox.deliveries().slice(-50).reverse();
    const deliveryRows = deliveries.length
      ? deliveries
          .map(
            (d) =>
              `<tr><td><code>${escape(d.deliveryId)}</code></td><td>${escape(title(d.provider))}<br><code>${escape(d.project)}</code></td><td>${escape(d.event)}</td><td><code>${escape(d.url)}</code></td><td>${escape(d.status ?? d.error)}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}</td><td><form method="post" action="/sandbox/redeliver"><input type="hidden" name="deliveryId" value="${escape(d.deliveryId)}"><button type="submit">Redeliver</button></form></td></tr>`,
          )
          .join("")
      : `<tr><td colspan="6">No deliveries yet.</td></tr>`;
    const githubApps = sandbox.githubApps();
    const installationButtons = (i) =>
      [["suspend", i.suspendedAt ? null : "Suspend"], ["unsuspend", i.suspendedAt ? "Unsuspend" : null], ["accept", "Accept new permissions"], ["uninstall", "Uninstall"]]
        .filter(([, label]) => label)
        .map(([action, label]) => `<form method="post" action="/sandbox/github-apps/installation" class="inline"><input type="hidden" name="installationId" value="${i.id}"><input type="hidden" name="action" value="${action}"><button type="submit" aria-label="${escape(`${label}: installation ${i.id}`)}">${label}</button></form>`)
        .join(" ");
    const appRows = githubApps.length
      ? githubApps
          .map(
            (a) =>
              `<tr><th scope="row">${escape(a.name)}<br><code>${a.appId}</code> <code>${escape(a.slug)}</code></th><td><a href="${escape(`${sandbox.githubOrigin}/github-apps/${a.slug}/installations/new`)}">Install</a></td><td>${
                a.installations.map((i) => `<p><code>${i.id}</code> on <code>${escape(i.account)}</code> (${escape(i.repositorySelection)}${i.suspendedAt ? ", suspended" : ""}) ${installationButtons(i)}</p>`).join("") || "none"
              }</td><td>${a.tokenRequests}</td></tr>`,
          )
          .join("")
      : `<tr><td colspan="4">No GitHub Apps yet.</td></tr>`;
    const scopesHelp = PROVIDERS.map((id) => `<li>${escape(title(id))}: <code>${escape(modules[id].defaultScopes.join(" "))}</code> by default</li>`).join("");
    return layout(
      "forgelink",
      "Provider sandbox",
      `<p>Stand-ins for GitLab, GitHub Enterprise Server, Bitbucket Cloud and Bitbucket Data Center on this machine. Every provider has the same account: <code>${escape(state.account.username)}</code>, password <code>${escape(state.account.password)}</code>.</p>` +
        `<h2>Providers</h2><table><thead><tr><th scope="col">Provider</th><th scope="col">Id</th><th scope="col">Base URL to type</th></tr></thead><tbody>${providers}</tbody></table>` +
        `<h2 id="applications">Register an OAuth application</h2><form method="post" action="/sandbox/applications">` +
        `<label for="provider">Provider</label>${providerSelect()}` +
        `<label for="app-name">Application name</label><input id="app-name" name="name" value="forgelink">` +
        `<label for="redirect-uri">Redirect URI (callback URL)</label><input id="redirect-uri" name="redirectUri" type="url" required placeholder="http://127.0.0.1:8080/oauth/callback">` +
        `<label for="permissions">Bitbucket Cloud permissions (space-separated; the other providers ask for scopes when authorizing)</label><input id="permissions" name="scopes" value="${escape(modules["bitbucket-cloud"].defaultScopes.join(" "))}">` +
        `<button type="submit">Register application</button></form>` +
        `<h2 id="tokens">Create an access token</h2><form method="post" action="/sandbox/tokens">` +
        `<label for="token-provider">Provider</label>${providerSelect("token-provider")}` +
        `<label for="token-scopes">Scopes (space-separated; empty for the defaults)</label><input id="token-scopes" name="scopes" aria-describedby="scope-defaults"><ul id="scope-defaults">${scopesHelp}</ul>` +
        `<label for="token-role">Role (GitLab project or group token: reporter, developer, maintainer, owner; Data Center: REPO_READ, REPO_WRITE, REPO_ADMIN, PROJECT_ADMIN)</label><input id="token-role" name="role">` +
        `<label for="token-days">Expires in days (empty: GitLab 90, others never)</label><input id="token-days" name="expiresInDays" type="number" min="0">` +
        `<button type="submit">Create token</button></form>` +
        `<h2 id="github-apps">GitHub Apps (GitHub Enterprise Server)</h2><form method="post" action="/sandbox/github-apps">` +
        `<label for="gh-app-name">App name</label><input id="gh-app-name" name="name" value="forgelink">` +
        `<label for="gh-app-webhook">Webhook URL (empty for none)</label><input id="gh-app-webhook" name="webhookUrl" type="url">` +
        `<label for="gh-app-setup">Setup URL</label><input id="gh-app-setup" name="setupUrl" type="url">` +
        `<label for="gh-app-callback">Callback URL</label><input id="gh-app-callback" name="callbackUrl" type="url">` +
        `<label for="gh-app-permissions">Permissions (name=level, space-separated)</label><input id="gh-app-permissions" name="permissions" value="metadata=read actions=read checks=read pull_requests=write repository_hooks=write">` +
        `<label for="gh-app-events">Events (space-separated)</label><input id="gh-app-events" name="events" value="workflow_run workflow_job check_run pull_request">` +
        `<button type="submit">Register GitHub App</button></form>` +
        `<table><thead><tr><th scope="col">App</th><th scope="col"></th><th scope="col">Installations</th><th scope="col">Token requests</th></tr></thead><tbody>${appRows}</tbody></table>` +
        `<h2 id="switches">Failure switches</h2><form method="post" action="/sandbox/switches">${switches}<button type="submit">Apply switches</button></form>` +
        `<h2 id="projects">Projects and hooks</h2>${projects}` +
        `<h2 id="deliveries">Deliveries</h2><table><thead><tr><th scope="col">Delivery</th><th scope="col">Project</th><th scope="col">Event</th><th scope="col">Hook URL</th><th scope="col">Answer</th><th scope="col"></th></tr></thead><tbody>${deliveryRows}</tbody></table>`,
    ).replace("</style>", "table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}body{max-width:70rem}label.inline{display:inline;font-weight:400}input[type=radio]{width:auto}form.inline{display:inline}fieldset{margin:.5rem 0}small{display:block;color:#555}</style>");
  }

  const result = (heading, body, back = "") => layout("forgelink", heading, `${body}<p><a href="/sandbox/${back}">Back to the sandbox</a></p>`);

  async function handle(req, res, url) {
    const path = url.pathname;
    if (path === "/" || path === "/sandbox") return redirect(res, "/sandbox/", 302);
    if (path === "/sandbox/state.json" && req.method === "GET") {
      return send(res, 200, { providers: sandbox.providers, switches: sandbox.switches(), applications: sandbox.applications(), githubApps: sandbox.githubApps(), deliveries: sandbox.deliveries().map(({ body, headers, ...d }) => d) });
    }
    if (path === "/sandbox/" && req.method === "GET") return html(res, 200, home());
    if (!path.startsWith("/sandbox/") || req.method !== "POST") return html(res, 404, result("Not found", `<p>Nothing at <code>${escape(path)}</code>.</p>`));
    // Forms come from this page only: another site's page may not flip switches here.
    const from = req.headers.origin;
    if (from && from !== origin && from !== "null") return html(res, 403, result("Refused", "<p>This form was posted from another origin.</p>"));
    const form = await readForm(req);
    try {
      if (path === "/sandbox/applications") {
        const provider = form.get("provider");
        const scopes = provider === "bitbucket-cloud" ? words(form.get("scopes")) : undefined;
        const app = await sandbox.registerApplication({ provider, name: form.get("name") ?? "", redirectUri: form.get("redirectUri") ?? "", scopes: scopes?.length ? scopes : undefined });
        return html(
          res,
          201,
          result(
            "Application registered",
            `<p>${escape(title(provider))} registered <strong>${escape(app.name)}</strong> with the redirect URI <code>${escape(app.redirectUri)}</code>.</p>` +
              `<dl><dt>Client ID</dt><dd><code id="client-id">${escape(app.clientId)}</code></dd><dt>Client secret</dt><dd><code id="client-secret">${escape(app.clientSecret)}</code></dd>` +
              (app.scopes ? `<dt>Permissions</dt><dd><code>${escape(app.scopes.join(" "))}</code></dd>` : "") +
              `</dl><p>Copy the secret now: like the real provider, this page shows it once.</p>`,
          ),
        );
      }
      if (path === "/sandbox/tokens") {
        const provider = form.get("provider") ?? form.get("token-provider");
        const scopes = words(form.get("scopes"));
        const days = form.get("expiresInDays");
        const token = sandbox.createAccessToken({ provider, scopes: scopes.length ? scopes : undefined, role: form.get("role") || undefined, expiresInDays: days ? Number(days) : undefined });
        return html(
          res,
          201,
          result(
            "Access token created",
            `<p>A ${escape(title(provider))} token with <code>${escape(token.scopes.join(" "))}</code>${token.role ? `, role <code>${escape(token.role)}</code>` : ""}, ${token.expiresAt ? `expiring ${escape(token.expiresAt.slice(0, 10))}` : "never expiring"}.</p>` +
              `<p><code id="token">${escape(token.token)}</code></p>`,
          ),
        );
      }
      if (path === "/sandbox/switches") {
        for (const name of Object.keys(SWITCHES)) {
          if (name === "slow") {
            sandbox.setSwitch("slow", Number(form.get("slow") || 0));
            continue;
          }
          const choice = form.get(name);
          if (choice === null) continue;
          const only = words(form.get(`${name}-only`));
          sandbox.setSwitch(name, choice === "on" ? true : choice === "only" && only.length ? (only.length === 1 ? only[0] : only) : false);
        }
        return redirect(res, "/sandbox/#switches");
      }
      if (path === "/sandbox/trigger") {
        const provider = form.get("provider");
        const sent = await sandbox.trigger({ provider, project: form.get("project"), kind: form.get("kind") });
        const rows = sent.map((d) => `<li><code>${escape(d.url)}</code>: ${escape(d.dropped ? "dropped, not sent (dropDeliveries is on)" : d.status ?? d.error)} (delivery <code>${escape(d.deliveryId)}</code>)</li>`).join("");
        return html(res, 200, result("Delivered", sent.length ? `<ul>${rows}</ul>` : "<p>No hook on this project subscribes to that event.</p>", "#deliveries"));
      }
      if (path === "/sandbox/github-apps") {
        const permissions = Object.fromEntries(words(form.get("permissions")).map((pair) => pair.split("=")));
        const app = await sandbox.createGitHubApp({
          name: form.get("name") || "forgelink",
          permissions,
          events: words(form.get("events")),
          webhookUrl: form.get("webhookUrl") || undefined,
          setupUrl: form.get("setupUrl") || undefined,
          callbackUrls: form.get("callbackUrl") ? [form.get("callbackUrl")] : [],
        });
        return html(
          res,
          201,
          result(
            "GitHub App registered",
            `<dl><dt>App ID</dt><dd><code id="app-id">${app.appId}</code></dd><dt>Client ID</dt><dd><code id="client-id">${escape(app.clientId)}</code></dd><dt>Client secret</dt><dd><code id="client-secret">${escape(app.clientSecret)}</code></dd>` +
              `<dt>Webhook secret</dt><dd><code id="webhook-secret">${escape(app.webhookSecret)}</code></dd><dt>Private key</dt><dd><pre id="private-key">${escape(app.privateKey)}</pre></dd></dl>` +
              `<p><a href="${escape(app.installUrl)}">Install it</a></p>`,
            "#github-apps",
          ),
        );
      }
      if (path === "/sandbox/github-apps/installation") {
        const id = form.get("installationId");
        const actions = { suspend: sandbox.suspendGitHubAppInstallation, unsuspend: sandbox.unsuspendGitHubAppInstallation, accept: sandbox.acceptGitHubAppPermissions, uninstall: sandbox.uninstallGitHubApp };
        const act = actions[form.get("action")];
        if (!act) throw new TypeError("action is suspend, unsuspend, accept or uninstall.");
        await act(id);
        return redirect(res, "/sandbox/#github-apps");
      }
      if (path === "/sandbox/redeliver") {
        const outcome = await sandbox.redeliver(form.get("deliveryId"));
        return html(res, 200, result("Redelivered", `<p>Delivery <code>${escape(outcome.deliveryId)}</code> sent again: ${escape(outcome.status ?? outcome.error)}.</p>`, "#deliveries"));
      }
    } catch (error) {
      if (error instanceof TypeError || error.code) return html(res, 400, result("That did not work", `<p id="error" class="error" role="alert">${escape(error.message)}</p>`));
      throw error;
    }
    return html(res, 404, result("Not found", `<p>Nothing at <code>${escape(path)}</code>.</p>`));
  }

  return { handle };
}

function words(text) {
  return String(text ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
}
