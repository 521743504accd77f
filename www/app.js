// The first page of the setup wizard. Every rule (what a base URL may look like, which
// redirect URIs a provider accepts, which scopes a profile needs, how the authorization URL is
// built) comes from the forgelink package; this file only asks it and shows the answers.

import { loadConfig } from "/api.js";
import { startConnectedSteps } from "/connect.js";
import { numberSteps } from "/steps.js";
import { copyText, errorCard, guidanceBlock, h, loadForgelink, nextId, radioChoice, renderInto, rich, settingsPage } from "/ui.js";

const [forgelink, config] = await Promise.all([loadForgelink(), loadConfig()]);
const { validateBaseUrl, endpoints, validateRedirectUri, scopeCatalog, profiles, authorizationUrl, troubleshoot } =
  forgelink;

// What a person chooses between. The package knows providers and whether a URL is the cloud
// or self-hosted; the finer names of each offering are the page's wording.
const PROVIDERS = [
  {
    id: "github",
    name: "GitHub",
    deployments: [
      { id: "github-com", label: "GitHub.com", detail: "github.com", kind: "cloud", url: "https://github.com" },
      {
        id: "github-enterprise-server",
        label: "GitHub Enterprise Server",
        detail: "your own server",
        kind: "self-hosted",
        example: "https://github.example.com",
      },
      {
        id: "github-ghe-com",
        label: "GitHub Enterprise Cloud with data residency",
        detail: "SUBDOMAIN.ghe.com",
        kind: "cloud",
        example: "https://octocorp.ghe.com",
        ghe: true,
      },
    ],
  },
  {
    id: "gitlab",
    name: "GitLab",
    deployments: [
      { id: "gitlab-com", label: "GitLab.com", detail: "gitlab.com", kind: "cloud", url: "https://gitlab.com" },
      {
        id: "gitlab-self-managed",
        label: "GitLab self-managed or Dedicated",
        detail: "your own instance, possibly under a path such as /gitlab",
        kind: "self-hosted",
        example: "https://gitlab.example.com",
      },
    ],
  },
  {
    id: "bitbucket-cloud",
    name: "Bitbucket Cloud",
    deployments: [
      { id: "bitbucket-org", label: "Bitbucket Cloud", detail: "bitbucket.org", kind: "cloud", url: "https://bitbucket.org" },
    ],
  },
  {
    id: "bitbucket-data-center",
    name: "Bitbucket Data Center",
    deployments: [
      {
        id: "bitbucket-data-center",
        label: "Bitbucket Data Center or Server",
        detail: "your own server, possibly under a context path",
        kind: "self-hosted",
        example: "https://bitbucket.example.com",
      },
    ],
  },
];

const providerById = (id) => PROVIDERS.find((p) => p.id === id);
const deploymentById = (provider, id) => providerById(provider).deployments.find((d) => d.id === id);
const allProfiles = profiles();
const catalogs = new Map();
const catalogFor = (provider) => {
  if (!catalogs.has(provider)) catalogs.set(provider, scopeCatalog(provider));
  return catalogs.get(provider);
};

// The redirect URI the product sends in its authorization requests: the server's own callback,
// or this page's origin when the page is served without the wizard's server.
const productRedirectUri = config ? config.redirectUri : `${location.origin}/oauth/callback`;

const state = {
  provider: "github",
  deployment: "github-com",
  profile: allProfiles[0] ? allProfiles[0].id : undefined,
  baseUrlEdited: false,
  report: null,
};

const $ = (id) => document.getElementById(id);
const form = $("wizard");
const baseUrlInput = $("base-url");
const redirectInput = $("redirect-uri");
const clientIdInput = $("client-id");

// ---------------------------------------------------------------- choices

function renderProviderOptions() {
  $("provider-options").replaceChildren(
    ...PROVIDERS.map((p) =>
      radioChoice({
        name: "provider",
        value: p.id,
        checked: p.id === state.provider,
        title: p.name,
        onChange: () => selectProvider(p.id),
      }),
    ),
  );
}

function renderDeploymentOptions() {
  const provider = providerById(state.provider);
  $("deployment-options").replaceChildren(
    ...provider.deployments.map((d) =>
      radioChoice({
        name: "deployment",
        value: d.id,
        checked: d.id === state.deployment,
        title: d.label,
        detail: d.detail,
        onChange: () => selectDeployment(d.id),
      }),
    ),
  );
}

function renderProfileOptions() {
  $("profile-options").replaceChildren(
    ...allProfiles.map((p) =>
      radioChoice({
        name: "profile",
        value: p.id,
        checked: p.id === state.profile,
        title: p.title,
        detail: p.summary,
        onChange: () => {
          state.profile = p.id;
          update();
        },
      }),
    ),
  );
}

/** A default the page filled in may be replaced; anything the person typed is kept. */
function isReplaceableUrl(value) {
  const trimmed = value.trim();
  if (trimmed === "") return true;
  return PROVIDERS.some((p) => p.deployments.some((d) => d.url && d.url === trimmed));
}

function selectProvider(id, { deployment } = {}) {
  state.provider = id;
  const provider = providerById(id);
  state.deployment = deployment ?? provider.deployments[0].id;
  renderDeploymentOptions();
  applyDeploymentDefaults();
  update();
}

function selectDeployment(id) {
  state.deployment = id;
  // Set the existing radios rather than rebuilding them: a rebuilt radio would drop the
  // keyboard focus of someone moving through the group with the arrow keys.
  for (const radio of document.querySelectorAll('input[name="deployment"]')) radio.checked = radio.value === id;
  applyDeploymentDefaults();
  update();
}

function applyDeploymentDefaults() {
  const d = deploymentById(state.provider, state.deployment);
  if (isReplaceableUrl(baseUrlInput.value)) {
    baseUrlInput.value = d.url ?? "";
    state.baseUrlEdited = false;
  }
  $("base-url-hint").replaceChildren(
    ...(d.kind === "cloud" && d.url
      ? rich(`${d.label} is always \`${d.url}\`; keep it as it is.`)
      : d.ghe
        ? rich(`The address of your enterprise, such as \`${d.example}\`.`)
        : rich(`The address you open in a browser, such as \`${d.example}\`. Keep any path the instance lives under.`)),
  );
}

// ---------------------------------------------------------------- diagnostics and guidance

function safeTroubleshoot(code, provider) {
  try {
    return troubleshoot(code, provider);
  } catch {
    return null;
  }
}

/** One diagnostic with its guidance. `onUseSuggestion` offers the suggestion as a one-click
 * fix; `action` offers another fix ({ label, run }) where the suggestion does not fit. */
function diagnosticCard(diagnostic, provider, onUseSuggestion, action) {
  const id = nextId("diagnostic");
  const label = diagnostic.severity === "error" ? "Error" : "Warning";
  return h(
    "article",
    { class: `diagnostic diagnostic-${diagnostic.severity}`, "aria-labelledby": `${id}-message`, dataset: { code: diagnostic.code } },
    h("p", { class: "diagnostic-head" }, h("span", { class: "badge" }, label), " ", h("code", { class: "diagnostic-code" }, diagnostic.code)),
    h("p", { class: "diagnostic-message", id: `${id}-message` }, diagnostic.message),
    diagnostic.suggestion !== undefined &&
      onUseSuggestion &&
      h(
        "p",
        { class: "suggestion" },
        h("span", { id: `${id}-suggestion` }, "Suggestion: ", h("code", {}, diagnostic.suggestion)),
        " ",
        h(
          "button",
          { type: "button", class: "button button-small", "aria-describedby": `${id}-suggestion`, onclick: () => onUseSuggestion(diagnostic.suggestion) },
          "Use suggestion",
        ),
      ),
    action &&
      h(
        "p",
        { class: "suggestion" },
        action.text && h("span", { id: `${id}-action` }, action.text),
        " ",
        h("button", { type: "button", class: "button button-small", "aria-describedby": action.text ? `${id}-action` : undefined, onclick: action.run }, action.label),
      ),
    guidanceBlock(safeTroubleshoot(diagnostic.code, provider)),
  );
}

function summarise(diagnostics) {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts = [];
  if (errors) parts.push(`${errors} ${errors === 1 ? "error" : "errors"}`);
  if (warnings) parts.push(`${warnings} ${warnings === 1 ? "warning" : "warnings"}`);
  return parts.join(" and ");
}

// ---------------------------------------------------------------- step 1: the instance

function useBaseUrlSuggestion(value) {
  baseUrlInput.value = value;
  state.baseUrlEdited = true;
  update();
  // The button that was pressed is gone now; keyboard users continue from the field.
  baseUrlInput.focus();
}

/** Which of the page's deployments a clean report points at. */
function deploymentOfReport(report, providerId = state.provider) {
  const provider = providerById(providerId);
  if (!report.ok || !report.deployment) return null;
  if (report.deployment === "self-hosted") return provider.deployments.find((d) => d.kind === "self-hosted") ?? null;
  const clouds = provider.deployments.filter((d) => d.kind === "cloud");
  if (clouds.length <= 1) return clouds[0] ?? null;
  // Only GitHub has two clouds; the report says "cloud" for both, so the host tells them apart.
  const host = new URL(report.baseUrl).hostname;
  return clouds.find((d) => Boolean(d.ghe) === host.endsWith(".ghe.com")) ?? null;
}

/** When the address belongs to another provider, the provider whose rules accept it. */
function otherProviderFor(input) {
  for (const p of PROVIDERS) {
    if (p.id === state.provider) continue;
    const report = validateBaseUrl(p.id, input);
    if (report.ok && report.diagnostics.every((d) => d.severity !== "error")) return { provider: p, report };
  }
  return null;
}

const PROVIDER_MIX_CODES = new Set(["base_url.wrong_provider", "base_url.cloud_host", "base_url.not_cloud"]);

function renderBaseUrl() {
  const input = baseUrlInput.value;
  const chosen = deploymentById(state.provider, state.deployment);
  const report = validateBaseUrl(state.provider, input);
  state.report = report;
  // An empty field on first view is not yet a mistake; say nothing until the person types.
  const quiet = input.trim() === "" && !state.baseUrlEdited;
  const diagnostics = quiet ? [] : report.diagnostics;
  // The address and the chosen deployment disagree: say which one the address is, one click to switch.
  const actual = deploymentOfReport(report);
  const mismatch = actual && actual.id !== chosen.id ? actual : null;

  baseUrlInput.setAttribute("aria-invalid", String(!quiet && !report.ok));

  const status = $("base-url-status");
  status.className = "status-line";
  if (quiet) {
    status.textContent = "";
  } else if (report.ok && mismatch) {
    // A clean address of the other deployment is not "good" for the one chosen.
    status.classList.add("status-warning");
    const isNot = chosen.kind === "self-hosted" ? "a self-managed or self-hosted instance" : mismatch.kind === "self-hosted" ? chosen.label : `${chosen.label}`;
    const is = mismatch.kind === "self-hosted" ? "a self-hosted instance" : mismatch.label;
    status.textContent = `This is ${is} (${report.baseUrl}), not ${isNot}: switch to ${mismatch.label} below, or type the address that matches your choice.`;
  } else if (report.ok) {
    status.classList.add(diagnostics.length ? "status-warning" : "status-ok");
    status.textContent = diagnostics.length
      ? `Usable as ${report.baseUrl}, with ${summarise(diagnostics)} below.`
      : `Looks good: ${report.baseUrl}`;
  } else {
    status.classList.add("status-error");
    status.textContent = `Not usable yet: ${summarise(diagnostics)} below.`;
  }

  renderInto($("base-url-diagnostics"), JSON.stringify([state.provider, diagnostics]), () =>
    diagnostics.map((d) => diagnosticCard(d, state.provider, useBaseUrlSuggestion)),
  );

  const providerMix = !quiet && report.diagnostics.some((d) => PROVIDER_MIX_CODES.has(d.code)) ? otherProviderFor(input) : null;
  renderInto(
    $("deployment-mismatch"),
    JSON.stringify([mismatch && mismatch.id, chosen.id, providerMix && providerMix.provider.id, report.baseUrl]),
    () => {
      if (mismatch) {
        const kindWords = (d) => (d.kind === "cloud" ? `${d.label}, the cloud service` : `a self-hosted ${d.label} instance`);
        return h(
          "div",
          { class: "notice notice-info", dataset: { mismatch: mismatch.kind } },
          h("p", {}, `${report.baseUrl} is ${kindWords(mismatch)}, but you chose ${chosen.label}.`),
          h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: () => {
                selectDeployment(mismatch.id);
                baseUrlInput.focus();
              },
            },
            `Switch to ${mismatch.label}`,
          ),
        );
      }
      if (providerMix) {
        const target = providerMix.provider;
        return h(
          "div",
          { class: "notice notice-info", dataset: { mismatch: "provider" } },
          h("p", {}, `That address is ${target.name}, not ${providerById(state.provider).name}.`),
          h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: () => {
                const d = deploymentOfReport(providerMix.report, target.id) ?? target.deployments[0];
                selectProvider(target.id, { deployment: d.id });
                renderProviderOptions();
                baseUrlInput.focus();
              },
            },
            `Switch to ${target.name}`,
          ),
        );
      }
      return null;
    },
  );

  const resolvedKey = JSON.stringify([state.provider, report.ok, report.baseUrl, report.apiBase, report.deployment, actual && actual.id]);
  renderInto($("resolved"), resolvedKey, () => {
    if (!report.ok) return null;
    let ep = null;
    try {
      ep = endpoints(state.provider, report.baseUrl);
    } catch {
      ep = null;
    }
    const row = (term, value) => value && [h("dt", {}, term), h("dd", {}, h("code", {}, value))];
    return h(
      "div",
      { class: "resolved" },
      h("h3", { class: "resolved-title" }, "What forgelink will use"),
      h(
        "dl",
        { class: "facts" },
        row("Web address", report.baseUrl),
        [
          h("dt", {}, "Deployment"),
          h(
            "dd",
            { dataset: { deployment: report.deployment } },
            report.deployment === "cloud" ? "Cloud" : "Self-hosted",
            actual ? ` (${actual.label})` : "",
          ),
        ],
        row("API", report.apiBase),
        ep && row("Authorize endpoint", ep.authorize),
        ep && row("Token endpoint", ep.token),
      ),
    );
  });
}

// ---------------------------------------------------------------- step 2: the profile

function needsFor(profileId, provider) {
  const profile = allProfiles.find((p) => p.id === profileId);
  if (!profile) return { profile: null, needs: null };
  return { profile, needs: profile.providers.find((n) => n.provider === provider) ?? null };
}

function renderProfile() {
  const { profile, needs } = needsFor(state.profile, state.provider);
  renderInto($("profile-details"), JSON.stringify([state.profile, state.provider]), () => {
    if (!profile) return null;
    if (!needs) {
      return h("p", { class: "notice" }, `${profile.title} has nothing to ask of ${providerById(state.provider).name}.`);
    }
    return h(
      "div",
      { class: "profile-details" },
      h("h3", {}, `What ${profile.title} needs from ${providerById(state.provider).name}`),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Least role needed"),
        h("dd", {}, h("strong", {}, needs.minRole.name), " — ", needs.minRole.reason),
        needs.webhookEvents.length > 0 && [
          h("dt", {}, "Webhook events, registered later"),
          h("dd", {}, h("ul", { class: "plain-list" }, needs.webhookEvents.map((e) => h("li", {}, h("code", {}, e.name), " — ", e.reason)))),
        ],
      ),
    );
  });
}

// ---------------------------------------------------------------- step 4: the OAuth application

/** Where to click on each provider. The menu names follow each provider's own documentation. */
function applicationSteps(providerId, deployment, base) {
  // The page's address comes from the package; only its label is written here.
  const page = settingsPage(forgelink, providerId, base, "oauthApp");
  switch (providerId) {
    case "github": {
      const where = deployment.kind === "self-hosted" ? `on your instance (${base ?? "your GitHub Enterprise Server"})` : `on ${base ?? "GitHub"}`;
      return {
        intro: `Register an OAuth app ${where}. Anyone can register one for their own account; for an organization you need to be an owner.`,
        link: page && { href: page, text: "Open New OAuth App" },
        steps: [
          "Select your profile picture → **Settings** → **Developer settings** → **OAuth Apps** → **New OAuth App**. For an organization: the organization's **Settings** → **Developer settings** → **OAuth Apps**.",
          "**Application name**: a name people will recognise when they approve access. **Homepage URL**: this product's address.",
          "**Authorization callback URL**: paste the redirect URI below.",
          "Select **Register application**.",
          "Copy the **Client ID** into step 5. Then **Generate a new client secret** and paste it into step 5 too: GitHub shows it only once.",
        ],
      };
    }
    case "gitlab": {
      const cloud = deployment.kind === "cloud";
      return {
        intro: cloud
          ? "Create the application on GitLab.com under your user or, for a team, under its group (you need the Owner role on the group)."
          : "Create the application under your user, a group (Owner role), or for the whole instance (administrators).",
        link: page && { href: page, text: "Open User settings → Applications" },
        steps: [
          cloud
            ? "User: avatar → **Edit profile** → **Applications** → **Add new application**. Group: the group's **Settings** → **Applications**."
            : "User: avatar → **Edit profile** → **Applications** → **Add new application**. Group: the group's **Settings** → **Applications**. Whole instance: **Admin area** → **Applications** → **New application**.",
          "**Name**: a name people will recognise. **Redirect URI**: paste the redirect URI below, exactly.",
          "Keep **Confidential** ticked: the secret stays on this product's server and never reaches a browser.",
          "Under **Scopes**, tick the scopes listed below and no others.",
          "Select **Save application**. Copy the **Application ID** and the **Secret** into step 5.",
        ],
      };
    }
    case "bitbucket-cloud":
      return {
        intro: "Add an OAuth consumer to the workspace that holds the repositories. You need to be a workspace administrator.",
        steps: [
          "Open the workspace, select the settings cog → **Workspace settings** → **OAuth consumers** (under Apps and features) → **Add consumer**.",
          "**Name**: a name people will recognise. **Callback URL**: paste the redirect URI below.",
          "Under **Permissions**, tick each permission listed below. Bitbucket Cloud fixes permissions on the consumer; the authorization URL cannot ask for more.",
          "Select **Save**, then select the consumer's name to show its **Key** (the client ID) and **Secret**, and paste both into step 5.",
        ],
      };
    case "bitbucket-data-center":
      return {
        intro: "Create an incoming application link. You need the System admin permission and Bitbucket Data Center 7.20 or later.",
        link: page && { href: page, text: "Open Application links" },
        steps: [
          "Select the cog → **Administration** → **Application links** → **Create link**.",
          "Choose **External application** and the direction **Incoming**, then **Continue**.",
          "**Name**: a name people will recognise. **Redirect URL**: paste the redirect URI below. It must use https unless this product runs on the same machine.",
          "Under **Application permissions**, select the permissions listed below.",
          "Select **Save**. Copy the **Client ID** and the **Client secret** into step 5.",
        ],
      };
    default:
      return { intro: "", steps: [] };
  }
}

function renderInstructions() {
  const deployment = deploymentById(state.provider, state.deployment);
  const base = state.report && state.report.ok ? state.report.baseUrl : deployment.url;
  renderInto($("app-instructions"), JSON.stringify([state.provider, state.deployment, base]), () => {
    const { intro, link, steps } = applicationSteps(state.provider, deployment, base);
    return [
      h("p", {}, intro),
      h("ol", { class: "app-steps" }, steps.map((s) => h("li", {}, rich(s)))),
      link &&
        h(
          "p",
          {},
          h("a", { href: link.href, target: "_blank", rel: "noopener noreferrer", class: "external" }, link.text, h("span", { class: "visually-hidden" }, " (opens in a new tab)")),
        ),
    ];
  });
  $("redirect-uri-hint").replaceChildren(
    ...rich(`This product sends \`${productRedirectUri}\`. Paste that exactly; if you change it here, the check below tells you whether ${providerById(state.provider).name} would still accept it.`),
  );
}

function renderRedirectUri() {
  const registered = redirectInput.value;
  const diagnostics = validateRedirectUri(state.provider, registered, productRedirectUri);
  const errors = diagnostics.filter((d) => d.severity === "error");
  redirectInput.setAttribute("aria-invalid", String(errors.length > 0));
  const status = $("redirect-uri-status");
  status.className = "status-line";
  if (errors.length) {
    status.classList.add("status-error");
    status.textContent = `${providerById(state.provider).name} would refuse the product's sign-in: ${summarise(diagnostics)} below.`;
  } else if (diagnostics.length) {
    status.classList.add("status-warning");
    status.textContent = `Accepted, with ${summarise(diagnostics)} below.`;
  } else {
    status.classList.add("status-ok");
    status.textContent = `${providerById(state.provider).name} will accept the redirect URI the product sends.`;
  }
  // The suggestion of a redirect URI diagnostic may be meant for either URI (the one
  // registered or the one requested); here only the registered one is editable, so the one fix
  // offered is to register exactly what the product sends.
  const differs = registered.trim() !== productRedirectUri;
  const reset = {
    text: ["Register exactly: ", h("code", {}, productRedirectUri)],
    label: "Use the product's redirect URI",
    run: () => {
      redirectInput.value = productRedirectUri;
      $("copy-status").textContent = "";
      update();
      redirectInput.focus();
    },
  };
  renderInto($("redirect-uri-diagnostics"), JSON.stringify([state.provider, diagnostics, differs]), () =>
    diagnostics.map((d) => diagnosticCard(d, state.provider, null, differs ? reset : null)),
  );
}

const SCOPE_WORDING = {
  request: {
    github: {
      heading: "Scopes the product will request",
      intro: "GitHub OAuth apps have no scope checkboxes: the authorization URL asks for these scopes, and the person approving sees them.",
    },
    gitlab: {
      heading: "Scopes to tick on the application",
      intro: "Tick these scopes on the application. The authorization URL asks for the same ones; GitLab refuses a request for a scope the application does not have.",
    },
    "bitbucket-data-center": {
      heading: "Application permissions to select",
      intro: "Select these permissions on the application link. The authorization URL asks for the same ones.",
    },
  },
  "consumer-permissions": {
    heading: "Permissions to tick on the consumer",
    intro: "Bitbucket Cloud fixes permissions on the OAuth consumer: tick each of these when you add it. The authorization URL carries no scopes.",
  },
};

function renderScopes() {
  const { profile, needs } = needsFor(state.profile, state.provider);
  const catalog = catalogFor(state.provider);
  const wording =
    needs && needs.scopeMode === "consumer-permissions"
      ? SCOPE_WORDING["consumer-permissions"]
      : SCOPE_WORDING.request[state.provider] ?? { heading: "Scopes", intro: "" };
  $("scopes-heading").textContent = wording.heading;
  renderInto($("scopes"), JSON.stringify([state.profile, state.provider]), () => {
    if (!profile || !needs) return h("p", {}, "Pick a profile in step 2 to see what to tick.");
    const meaning = (name) => catalog.find((s) => s.name === name);
    return [
      needs.scopes.length === 0
        ? h("p", { class: "scopes-none" }, `${profile.title} asks ${providerById(state.provider).name} for no scope. ${needs.minRole.reason}`)
        : h("p", {}, wording.intro),
      needs.scopes.length > 0 && h(
        "ul",
        { class: "scope-list", "aria-labelledby": "scopes-heading" },
        needs.scopes.map((need) => {
          const info = meaning(need.name);
          return h(
            "li",
            { class: "scope", dataset: { scope: need.name } },
            h("p", { class: "scope-name" }, h("code", {}, need.name)),
            h("p", { class: "scope-meaning" }, info ? info.description : "Not in the provider's scope list."),
            h("p", { class: "scope-reason" }, h("span", { class: "label" }, "Why: "), need.reason),
            info &&
              info.implies.length > 0 &&
              h(
                "p",
                { class: "scope-implies" },
                h("span", { class: "label" }, "Also grants: "),
                info.implies.map((s, i) => [i ? ", " : "", h("code", {}, s)]),
              ),
          );
        }),
      ),
      h(
        "details",
        { class: "catalog" },
        h("summary", {}, `Every ${providerById(state.provider).name} scope and what it means`),
        h(
          "dl",
          { class: "catalog-list" },
          catalog.map((s) => [
            h("dt", {}, h("code", {}, s.name)),
            h("dd", {}, s.description, s.implies.length > 0 && [" Includes ", s.implies.map((x, i) => [i ? ", " : "", h("code", {}, x)]), "."]),
          ]),
        ),
      ),
    ];
  });
}

// ---------------------------------------------------------------- step 5: the authorization URL

let lastAuthorizationAnnouncement = "";

function announceAuthorization(text) {
  if (text === lastAuthorizationAnnouncement) return;
  lastAuthorizationAnnouncement = text;
  $("authorization-status").textContent = text;
}

function renderAuthorization() {
  const deployment = deploymentById(state.provider, state.deployment);
  const providerName = providerById(state.provider).name;
  $("client-id-hint").textContent = {
    github: "The Client ID GitHub shows after you register the app.",
    gitlab: "The Application ID GitLab shows after you save the application.",
    "bitbucket-cloud": "The consumer's Key.",
    "bitbucket-data-center": "The Client ID Bitbucket shows after you save the application link.",
  }[state.provider];

  const container = $("authorization");
  const clientId = clientIdInput.value;
  if (clientId.trim() === "") {
    announceAuthorization("");
    renderInto(container, `empty:${state.provider}`, () => h("p", { class: "muted" }, `Paste the client ID to see the URL that sends people to ${providerName} to approve access.`));
    return;
  }
  const request = { provider: state.provider, clientId, redirectUri: productRedirectUri };
  if (state.profile) request.profile = state.profile;
  const typed = baseUrlInput.value.trim();
  const report = state.report;
  if (report && report.ok) request.baseUrl = report.baseUrl;
  else if (typed !== "" || deployment.kind === "self-hosted") request.baseUrl = baseUrlInput.value;

  let result;
  try {
    result = authorizationUrl(request);
  } catch (error) {
    announceAuthorization(`Error: ${error && error.message ? error.message : error}`);
    container.dataset.key = "";
    container.replaceChildren(h("div", { class: "authorization-error" }, errorCard(error)));
    return;
  }
  announceAuthorization(`Authorization URL ready for ${providerName}.`);
  container.dataset.key = "";
  const url = new URL(result.url);
  const params = [...url.searchParams.entries()];
  const scopeNote =
    !url.searchParams.has("scope") && state.provider === "bitbucket-cloud"
      ? h("p", { class: "muted" }, "No scope parameter: Bitbucket Cloud grants the permissions ticked on the consumer.")
      : null;
  const copyButton = h("button", { type: "button", class: "button", id: "copy-authorization-url" }, "Copy URL");
  const copyStatus = h("p", { class: "copy-status", role: "status" });
  copyButton.addEventListener("click", () => copyText(result.url, copyButton, copyStatus, "the authorization URL"));
  container.replaceChildren(
    h(
      "div",
      { class: "authorization" },
      h(
        "p",
        {},
        `This is where “Connect” sends a person: to ${providerName} to approve access, then back to the redirect URI above, ` +
          "where this product's server exchanges the code with the client secret. " +
          (result.codeVerifier === undefined
            ? "Connecting uses a fresh state, kept by the server; no PKCE here, as the provider does not document it for this deployment."
            : "Connecting uses a fresh state and PKCE verifier, kept by the server."),
      ),
      h("p", { class: "url-block" }, h("code", { id: "authorization-url" }, result.url)),
      h(
        "div",
        { class: "actions" },
        copyButton,
      ),
      copyStatus,
      h(
        "details",
        { class: "params" },
        h("summary", {}, "What the URL carries"),
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Endpoint"),
          h("dd", {}, h("code", {}, `${url.origin}${url.pathname}`)),
          params.map(([key, value]) => [h("dt", {}, key), h("dd", {}, h("code", {}, value))]),
        ),
      ),
      scopeNote,
    ),
  );
}

$("copy-redirect-uri").addEventListener("click", (event) => {
  copyText(redirectInput.value.trim(), event.currentTarget, $("copy-status"), "the redirect URI");
});

// ---------------------------------------------------------------- wiring

const listeners = [];

function update() {
  renderBaseUrl();
  renderProfile();
  renderInstructions();
  renderRedirectUri();
  renderScopes();
  renderAuthorization();
  for (const listener of listeners) listener();
}

/** What the later steps read of the choices made above, and a way to hear of changes. */
const choices = {
  forgelink,
  config,
  get provider() {
    return state.provider;
  },
  get providerName() {
    return providerById(state.provider).name;
  },
  get deployment() {
    return deploymentById(state.provider, state.deployment);
  },
  /** The normalised address when it is usable, else what was typed; null for a cloud left as it is. */
  get baseUrl() {
    if (state.report && state.report.ok) return state.report.baseUrl;
    return baseUrlInput.value.trim() === "" ? null : baseUrlInput.value;
  },
  get profile() {
    return needsFor(state.profile, state.provider).profile;
  },
  get needs() {
    return needsFor(state.profile, state.provider).needs;
  },
  get clientId() {
    return clientIdInput.value.trim();
  },
  onChange(listener) {
    listeners.push(listener);
  },
  /** Chooses a provider's instance by its address (the sandbox's, say), as if typed. */
  useInstance(providerId, url) {
    const report = validateBaseUrl(providerId, url);
    const d = deploymentOfReport(report, providerId) ?? providerById(providerId).deployments[0];
    baseUrlInput.value = url;
    state.baseUrlEdited = true;
    selectProvider(providerId, { deployment: d.id });
    renderProviderOptions();
  },
  /**
   * Shows the steps in place of "Loading forgelink…", once they hold what the person chose or
   * the connection restored; before anything is focused in them (a hidden element takes no
   * focus). Later calls do nothing.
   */
  reveal() {
    $("load-status")?.remove();
    form.hidden = false;
    numberSteps();
  },
  /** Chooses a profile by its id, as if picked; an unknown id leaves the choice as it is. */
  useProfile(id) {
    if (!allProfiles.some((p) => p.id === id) || state.profile === id) return;
    state.profile = id;
    renderProfileOptions();
    update();
  },
  /**
   * While a connection exists, the provider, address, profile and sign-in method it was made
   * with stay as they are: changing them above its report would describe a connection that is
   * not there. The credentials steps stay open, as they replace its credentials in place.
   * `connection` is the connection's summary, or null once there is none.
   */
  lock(connection) {
    for (const fieldset of document.querySelectorAll("fieldset[data-lock]")) fieldset.disabled = Boolean(connection);
    const notice = $("locked-notice");
    notice.hidden = !connection;
    notice.textContent = connection
      ? `Connected to ${providerById(connection.provider).name} at ${connection.baseUrl}: these choices stay as they are while connected. To rotate the credentials, use the steps below; to change anything here, disconnect at the end of the page.`
      : "";
  },
  /** Keeps the choices (never a secret) for the page the provider sends the person back to. */
  remember() {
    try {
      sessionStorage.setItem(CHOICES_KEY, JSON.stringify({ provider: state.provider, deployment: state.deployment, profile: state.profile, baseUrl: baseUrlInput.value, clientId: clientIdInput.value }));
    } catch {
      // Without storage the person chooses again after coming back; nothing breaks.
    }
  },
};

const CHOICES_KEY = "forgelink-wizard.choices";

/** The choices kept by `remember` before the person left for the provider, used once. */
function restoreChoices() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(CHOICES_KEY) ?? "null");
    sessionStorage.removeItem(CHOICES_KEY);
  } catch {
    saved = null;
  }
  if (!saved || !providerById(saved.provider)) return;
  state.provider = saved.provider;
  state.deployment = deploymentById(saved.provider, saved.deployment) ? saved.deployment : providerById(saved.provider).deployments[0].id;
  if (allProfiles.some((p) => p.id === saved.profile)) state.profile = saved.profile;
  baseUrlInput.value = typeof saved.baseUrl === "string" ? saved.baseUrl : "";
  state.baseUrlEdited = baseUrlInput.value !== "";
  clientIdInput.value = typeof saved.clientId === "string" ? saved.clientId : "";
}

baseUrlInput.addEventListener("input", () => {
  state.baseUrlEdited = true;
  update();
});
redirectInput.addEventListener("input", () => {
  $("copy-status").textContent = "";
  update();
});
clientIdInput.addEventListener("input", () => renderAuthorization());
// Enter in a text field would submit the form and reload the page; nothing here is submitted.
form.addEventListener("submit", (event) => event.preventDefault());

redirectInput.value = productRedirectUri;
restoreChoices();
renderProviderOptions();
renderDeploymentOptions();
renderProfileOptions();
applyDeploymentDefaults();
update();

await startConnectedSteps(choices);

choices.reveal();
document.documentElement.dataset.ready = "true";
