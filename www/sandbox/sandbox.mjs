// The provider sandbox: GitLab self-managed, GitHub Enterprise Server, Bitbucket Cloud and
// Bitbucket Data Center on 127.0.0.1, each with a real OAuth server, the API paths forgelink
// calls, webhooks that really deliver, and switches that make them fail the way each provider
// fails. See README.md for what it plays and the contract below.
//
//   const sandbox = await startSandbox();
//   sandbox.providers.gitlab.baseUrl        // what a person types in the wizard
//   const app = await sandbox.registerApplication({ provider: "gitlab", redirectUri });
//   const callbackUrl = await sandbox.approve(authorizationUrl);
//   await sandbox.trigger({ provider: "gitlab", project: "platform/ci/runner-images", kind: "pipeline_failed" });
//   await sandbox.close();

import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";

import { createAuthenticator, newTokenValue } from "./auth.mjs";
import { createControl } from "./control.mjs";
import { createDeliveries } from "./deliveries.mjs";
import { send, sleep } from "./http.mjs";
import { createOAuth } from "./oauth.mjs";
import { approve, installGitHubApp } from "./approve.mjs";
import { API, API_PREFIX, PREFIX as CLOUD_PREFIX, WEB, bitbucketCloud, SCOPES as CLOUD_SCOPES } from "./providers/bitbucket-cloud.mjs";
import { bitbucketDataCenter, SCOPES as DC_SCOPES } from "./providers/bitbucket-data-center.mjs";
import { github, SCOPES as GITHUB_SCOPES } from "./providers/github.mjs";
import { gitlab, SCOPES as GITLAB_SCOPES } from "./providers/gitlab.mjs";
import { createRateLimits } from "./ratelimit.mjs";
import { createState, PROVIDERS, SWITCHES } from "./state.mjs";

const KNOWN_SCOPES = { gitlab: GITLAB_SCOPES, github: GITHUB_SCOPES, "bitbucket-cloud": CLOUD_SCOPES, "bitbucket-data-center": DC_SCOPES };
const GITLAB_ROLES = ["guest", "planner", "reporter", "developer", "maintainer", "owner"];
const SLOW_DEFAULT_MS = 2000;

/** The sandboxes still open, newest last: `cloudUrl` maps onto the newest. */
const open = [];

let signingKey;

/**
 * Starts the sandbox on 127.0.0.1 and resolves when it listens.
 *
 * @param {{ port?: number, githubPort?: number, log?: (line: string) => void, maxPageSize?: number }} [options]
 *   `port`: the first origin (GitLab, both Bitbucket, the control page), 0 for any free port;
 *   `githubPort`: GitHub Enterprise Server's origin, by default `port + 1` (any free port when `port` is 0);
 *   `maxPageSize`: the largest page any list answers (100 as on the real providers; lower it to see pagination with the seed).
 */
export async function startSandbox({ port = 0, githubPort, log = () => {}, maxPageSize = 100 } = {}) {
  // An EC key: the sandbox signs nothing forgelink checks (ID tokens only, which it does not
  // ask for), and an RSA key's prime search sometimes never returned in a test process.
  signingKey ??= generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const main = createServer();
  const ghes = createServer();
  await listen(main, port);
  try {
    await listen(ghes, githubPort ?? (port ? port + 1 : 0));
  } catch (error) {
    await new Promise((resolve) => main.close(resolve));
    throw error;
  }
  const origin = `http://127.0.0.1:${main.address().port}`;
  const githubOrigin = `http://127.0.0.1:${ghes.address().port}`;

  const state = createState();
  const oauths = {};
  const authenticate = createAuthenticator(state, oauths);
  const context = { state, origin, authenticate, maxPageSize };
  const modules = {
    gitlab: gitlab(context),
    github: github({ ...context, origin: githubOrigin, oauth: () => oauths.github, deliver: (delivery) => deliveries.deliver(delivery) }),
    "bitbucket-cloud": bitbucketCloud(context),
    "bitbucket-data-center": bitbucketDataCenter(context),
  };
  for (const [id, module] of Object.entries(modules)) {
    oauths[id] = createOAuth(module.oauthSpec, { jwk: signingKey, account: state.account, effectiveScopes: state.effectiveScopes });
  }
  const deliveries = createDeliveries(state, log);
  const rateLimits = createRateLimits(state);
  const applications = [];
  const githubApps = modules.github.apps.control;

  const providers = Object.fromEntries(
    PROVIDERS.map((id) => [id, { provider: id, title: modules[id].title, baseUrl: modules[id].baseUrl, account: { username: state.account.username, password: state.account.password } }]),
  );

  /** Maps bitbucket.org and api.bitbucket.org onto this sandbox; leaves other URLs alone. */
  function mapCloud(url) {
    const text = String(url);
    if (text === WEB || text.startsWith(`${WEB}/`) || text.startsWith(`${WEB}?`)) return `${origin}${CLOUD_PREFIX}${text.slice(WEB.length)}`;
    if (text === API || text.startsWith(`${API}/`) || text.startsWith(`${API}?`)) return `${origin}${API_PREFIX}${text.slice(API.length)}`;
    return text;
  }

  function moduleFor(provider) {
    const module = modules[provider];
    if (!module) throw new TypeError(`Unknown provider ${JSON.stringify(provider)}: one of ${PROVIDERS.join(", ")}.`);
    return module;
  }

  function projectFor(provider, path) {
    const project = state.project(provider, path);
    if (!project) throw new TypeError(`${moduleFor(provider).title} has no project ${JSON.stringify(path)}.`);
    return project;
  }

  const sandbox = {
    url: `${origin}/sandbox/`,
    origin,
    githubOrigin,
    providers,

    async registerApplication({ provider, name, redirectUri, scopes } = {}) {
      const module = moduleFor(provider);
      let parsed;
      try {
        parsed = new URL(redirectUri);
      } catch {
        throw new TypeError(`The redirect URI ${JSON.stringify(redirectUri)} is not an absolute URL.`);
      }
      if (!["http:", "https:"].includes(parsed.protocol)) throw new TypeError("The redirect URI must be http or https.");
      // Only Bitbucket Cloud consumers carry their permissions; the others ask in the authorization request.
      const permissions = provider === "bitbucket-cloud" ? checkScopes(provider, scopes ?? module.defaultScopes) : undefined;
      const credentials = module.newClient();
      const application = { provider, name: name?.trim() || "forgelink", redirectUri, ...credentials, ...(permissions ? { scopes: permissions } : {}), createdAt: new Date().toISOString() };
      await oauths[provider].registerClient({ ...credentials, name: application.name, redirectUri, scopes: permissions });
      applications.push(application);
      log(`${provider}: registered application ${application.name} (${credentials.clientId})`);
      return { ...application };
    },

    createAccessToken({ provider, scopes, role, expiresInDays, name } = {}) {
      const module = moduleFor(provider);
      let granted = checkScopes(provider, scopes ?? module.defaultScopes);
      if (role !== undefined && role !== null && role !== "") {
        if (provider === "gitlab" && !GITLAB_ROLES.includes(role)) throw new TypeError(`A GitLab token's role is one of ${GITLAB_ROLES.join(", ")}.`);
        if (provider === "bitbucket-data-center") {
          checkScopes(provider, [role]);
          if (!granted.includes(role)) granted = [...granted, role];
        }
        if (provider === "github" || provider === "bitbucket-cloud") throw new TypeError(`${module.title} tokens carry no role.`);
      }
      const days = expiresInDays ?? (provider === "gitlab" ? 90 : null);
      if (days !== null && !(Number.isFinite(days) && days >= 0)) throw new TypeError("expiresInDays is a number of days.");
      const token = newTokenValue(provider);
      const record = {
        id: state.nextTokenId++,
        provider,
        name: name?.trim() || "forgelink",
        scopes: granted,
        role: provider === "gitlab" && role ? role : provider === "bitbucket-data-center" && role ? role : null,
        createdAt: new Date().toISOString(),
        expiresAt: days === null ? null : new Date(Date.now() + days * 86_400_000).toISOString(),
      };
      state.tokens.set(token, record);
      log(`${provider}: created access token ${record.name} (${granted.join(" ")})`);
      return { token, scopes: [...granted], role: record.role, expiresAt: record.expiresAt };
    },

    applications: (provider) => applications.filter((a) => !provider || a.provider === provider).map((a) => ({ ...a })),

    projects(provider) {
      moduleFor(provider);
      return state.projects[provider].map((p) => ({
        path: p.path,
        id: p.id,
        role: p.role,
        name: p.name,
        defaultBranch: p.defaultBranch,
        visibility: p.visibility,
        ...(p.objectFormat ? { objectFormat: p.objectFormat } : {}),
        hooks: p.hooks.length,
      }));
    },

    hooks(provider, project) {
      const module = moduleFor(provider);
      const list = project === undefined ? state.projects[provider] : [projectFor(provider, project)];
      return list.flatMap((p) =>
        p.hooks.map((h) => ({ id: h.id, url: h.url, events: [...h.events], active: h.active ?? true, secretSet: Boolean(h.secret), project: p.path, provider, createdAt: h.createdAt, raw: module.describeHook(p, h) })),
      );
    },

    async trigger({ provider, project, kind } = {}) {
      const module = moduleFor(provider);
      if (!["push", "pipeline_failed", "job_failed"].includes(kind)) throw new TypeError(`kind is push, pipeline_failed or job_failed, not ${JSON.stringify(kind)}.`);
      if (!module.kinds.includes(kind)) {
        throw new TypeError(`${module.title} has no ${kind.replace("_", " ")} webhook event; it can trigger: ${module.kinds.join(", ")}.`);
      }
      const target = projectFor(provider, project);
      // What happened is recorded whether or not a hook hears of it, so the API lists it.
      module.record?.(target, kind);
      const sent = await deliveries.trigger(module, target, kind);
      // GitHub Apps installed on the repository hear of what they subscribed to, on their own webhook.
      if (module.apps) sent.push(...(await module.apps.deliverActivity(target, kind, (hook) => module.delivery(target, hook, kind))));
      return sent;
    },

    // What a project holds, as copies a test can read: `pipelines(provider, project)` and so on.
    ...Object.fromEntries(
      ["pipelines", "statuses", "pushes", "mergeRequests", "comments"].map((list) => [
        list,
        (provider, project) => {
          moduleFor(provider);
          return structuredClone(projectFor(provider, project)[list]);
        },
      ]),
    ),

    redeliver: (deliveryId) => deliveries.redeliver(deliveryId),
    deliveries: () => deliveries.list(),

    setSwitch(name, value) {
      if (!Object.hasOwn(SWITCHES, name)) throw new TypeError(`Unknown switch ${JSON.stringify(name)}: one of ${Object.keys(SWITCHES).join(", ")}.`);
      if (name === "slow") {
        value = value === true ? SLOW_DEFAULT_MS : value === false || value === null ? 0 : Number(value);
        if (!Number.isFinite(value) || value < 0) throw new TypeError("slow is a number of milliseconds.");
      } else if (!(typeof value === "boolean" || typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string")))) {
        throw new TypeError(`${name} is true, false, a provider id or a list of them${name === "projectNotFound" || name === "dropDeliveries" ? ", or a project path" : ""}.`);
      }
      const wasOn = Boolean(state.switches[name]);
      state.switches[name] = value;
      if (name === "expiredToken") {
        state.expired.clear();
        if (value) {
          // What exists now expires; tokens issued from here on (a refresh, a new connection) work.
          for (const id of PROVIDERS) for (const token of oauths[id].accessTokenIds()) state.expired.add(token);
          for (const token of state.tokens.keys()) state.expired.add(token);
          for (const token of modules.github.apps.tokenValues()) state.expired.add(token);
        }
      }
      if (wasOn !== Boolean(value)) log(`switch ${name} = ${JSON.stringify(value)}`);
      return { ...state.switches };
    },
    switches: () => ({ ...state.switches }),

    approve: (authorizationUrl, options = {}) => approve(mapCloud(authorizationUrl), { ...options, account: state.account, origins: [origin, githubOrigin] }),

    cloudUrl: mapCloud,

    // GitHub Apps on GitHub Enterprise Server (providers/github-app.mjs; README, "GitHub Apps").
    createGitHubApp: (options) => githubApps.create(options),
    githubApp: (appIdOrSlug) => githubApps.app(appIdOrSlug),
    githubApps: () => githubApps.apps(),
    githubAppInstallation: (installationId) => githubApps.installation(installationId),
    installGitHubApp: (installUrl, options = {}) => installGitHubApp(installUrl, { ...options, person: state.account, origins: [githubOrigin] }),
    suspendGitHubAppInstallation: (installationId) => githubApps.suspend(installationId),
    unsuspendGitHubAppInstallation: (installationId) => githubApps.unsuspend(installationId),
    requestGitHubAppPermissions: (appIdOrSlug, permissions, events) => githubApps.requestPermissions(appIdOrSlug, permissions, events),
    acceptGitHubAppPermissions: (installationId) => githubApps.acceptPermissions(installationId),
    addGitHubAppRepositories: (installationId, repositories) => githubApps.addRepositories(installationId, repositories),
    removeGitHubAppRepositories: (installationId, repositories) => githubApps.removeRepositories(installationId, repositories),
    uninstallGitHubApp: (installationId) => githubApps.uninstall(installationId),
    revokeGitHubAppAuthorization: (appIdOrSlug) => githubApps.revokeAuthorization(appIdOrSlug),
    advanceGitHubAppClock: (seconds) => githubApps.advanceClock(seconds),
    setGitHubAppTokenLifetime: (seconds) => githubApps.setInstallationTokenTtl(seconds),

    async close() {
      const index = open.indexOf(sandbox);
      if (index >= 0) open.splice(index, 1);
      await Promise.all(
        [main, ghes].map(
          (server) =>
            new Promise((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };

  const control = createControl({ sandbox, state, modules, origin });

  function checkScopes(provider, scopes) {
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string")) throw new TypeError("scopes is a list of scope names.");
    const unknown = scopes.filter((s) => !KNOWN_SCOPES[provider].includes(s));
    if (unknown.length) throw new TypeError(`Not ${moduleFor(provider).title} scopes: ${unknown.join(", ")}.`);
    return [...new Set(scopes)];
  }

  async function serve(req, res, provider, url) {
    if (state.on("unreachable", provider)) {
      // As if the host were down: the connection goes away before any answer.
      req.socket.destroy();
      return;
    }
    if (state.switches.slow) await sleep(Number(state.switches.slow));
    const module = modules[provider];
    if (module.apps?.ownsWeb(url.pathname)) return module.apps.handleWeb(req, res, url);
    if (module.owns(url.pathname)) {
      if (rateLimits.take(provider, res)) return;
      return module.api(req, res, url);
    }
    if (oauths[provider].owns(url.pathname)) return oauths[provider].handle(req, res, url);
    return send(res, 404, provider === "github" ? { message: "Not Found" } : { message: "404 Not Found" });
  }

  const route = (serverOrigin) => async (req, res) => {
    const url = new URL(req.url, serverOrigin);
    const path = url.pathname;
    try {
      if (serverOrigin === githubOrigin) return await serve(req, res, "github", url);
      if (path === "/gitlab" || path.startsWith("/gitlab/")) return await serve(req, res, "gitlab", url);
      if (path === CLOUD_PREFIX || path.startsWith(`${CLOUD_PREFIX}/`)) return await serve(req, res, "bitbucket-cloud", url);
      if (path === "/bitbucket" || path.startsWith("/bitbucket/")) return await serve(req, res, "bitbucket-data-center", url);
      return await control.handle(req, res, url);
    } catch (error) {
      if (res.headersSent) return res.destroy(error);
      log(`error on ${req.method} ${path}: ${error.stack ?? error}`);
      send(res, error.status ?? 500, { message: error.status ? error.message : `500 Internal Server Error: ${error.message}` });
    }
  };
  main.on("request", route(origin));
  ghes.on("request", route(githubOrigin));
  open.push(sandbox);
  log(`sandbox listening: control page ${sandbox.url}`);
  return sandbox;
}

/**
 * Maps `https://bitbucket.org/...` and `https://api.bitbucket.org/...` onto the newest running
 * sandbox; every other URL comes back unchanged. Throws when a Bitbucket Cloud URL is given and
 * no sandbox runs, rather than letting a request go to the real Bitbucket.
 */
export function cloudUrl(url) {
  const text = String(url);
  const cloud = [WEB, API].some((host) => text === host || text.startsWith(`${host}/`) || text.startsWith(`${host}?`));
  if (!cloud) return text;
  const sandbox = open.at(-1);
  if (!sandbox) throw new Error("No sandbox is running to stand in for Bitbucket Cloud.");
  return sandbox.cloudUrl(text);
}

/**
 * A fetch that sends Bitbucket Cloud's requests to `sandbox` and everything else on unchanged:
 * pass it to forgelink's `fetchHost({ fetch, allowPrivateNetworks: true, allowInsecureHttp: true })`,
 * since the sandbox answers over http on 127.0.0.1.
 */
export function sandboxFetch(sandbox, fetch = globalThis.fetch) {
  return (input, init) => {
    if (input instanceof Request) return fetch(new Request(sandbox.cloudUrl(input.url), input), init);
    return fetch(sandbox.cloudUrl(input instanceof URL ? input.href : input), init);
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
