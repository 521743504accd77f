// Steps 3 to 5 and what follows them: choosing OAuth or an access token, connecting through
// the wizard's server, coming back from the provider, and showing the steps that work on the
// connected account. The server does every exchange; this page sends what the person typed
// and shows what came back.

import { api } from "/api.js";
import { showConnection, runReport } from "/report.js";
import { startProjects } from "/projects.js";
import { startWebhooks, startDeliveries } from "/webhooks.js";
import { startSafetyNet } from "/safety.js";
import { numberSteps } from "/steps.js";
import { disconnectReport, startDisconnect } from "/disconnect.js";
import { showWhileRunning } from "/progress.js";
import { errorCard, fill, h, radioChoice, renderInto, rich, settingsPage } from "/ui.js";

const $ = (id) => document.getElementById(id);

const METHODS = [
  { id: "oauth", title: "OAuth application", detail: "Recommended: people approve access on the provider, and tokens refresh by themselves." },
  { id: "token", title: "Access token", detail: "One token pasted here: quickest for a trial or a service account, but it expires and must be replaced by hand." },
];

/** A date in unix seconds as the day it names, in UTC: `2026-07-28`. */
const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

/**
 * What is true of Bitbucket Cloud app passwords on the reader's date (`now`, unix seconds): the
 * dates come from the package as data, and only this page's clock decides which sentence holds.
 */
export function appPasswordSentence(retirement, now) {
  if (!retirement) return "";
  const { creationStoppedAt, brownoutsFrom, removedAt } = retirement;
  if (now >= removedAt) return `App passwords were removed on ${day(removedAt)}: they no longer connect.`;
  if (now >= brownoutsFrom) return `App passwords fail at times since ${day(brownoutsFrom)} and stop working on ${day(removedAt)}: use an API token.`;
  if (now >= creationStoppedAt) return `App passwords can no longer be created, and existing ones stop working on ${day(removedAt)} (with brownouts from ${day(brownoutsFrom)}): use an API token.`;
  return `App passwords can be created until ${day(creationStoppedAt)} and stop working on ${day(removedAt)}: use an API token.`;
}

/** Where to create a token on each provider, with which scopes and role, and for how long. */
function tokenSteps(forgelink, provider, needs, base, retiredTokens, now) {
  // The page's address comes from the package; only its label is written here.
  const page = settingsPage(forgelink, provider, base, "accessTokens");
  const named = (list) => list.map((s) => `\`${s.name}\``).join(", ");
  const scopes = needs && needs.scopes.length ? named(needs.scopes) : "none beyond the defaults";
  const role = needs ? `**${needs.minRole.name}**` : "the least role the profile needs";
  switch (provider) {
    case "gitlab":
      return {
        kind: "A personal access token for a person, or a project or group access token for a service account.",
        steps: [
          "Personal: avatar → **Edit profile** → **Access tokens** → **Add new token**. Project or group: its **Settings** → **Access tokens** → **Add new token**.",
          `Scopes to tick: ${scopes}.`,
          `Role (project and group tokens): at least ${role}; registering webhooks needs **Maintainer**.`,
          "Expiry: GitLab requires a date, a year at most by default. Pick the longest your policy allows and note it: the report below shows it, and an expired token stops every step until you paste a new one.",
        ],
        link: page && { href: page, text: "Open Access tokens" },
      };
    case "github":
      return {
        kind: "A personal access token (classic). Fine-grained tokens work too, but GitHub does not report their permissions, so the report cannot check them.",
        steps: [
          "Your profile picture → **Settings** → **Developer settings** → **Personal access tokens** → **Tokens (classic)** → **Generate new token (classic)**.",
          `Scopes to tick: ${scopes}.`,
          `The account needs ${role} on each repository; registering webhooks needs admin.`,
          "Expiration: pick a date rather than “No expiration”, and note it; GitHub emails a reminder before it ends.",
        ],
        link: page && { href: page, text: "Open New personal access token" },
      };
    case "bitbucket-cloud": {
      const apiScopes = needs && needs.apiTokenScopes.length ? named(needs.apiTokenScopes) : "none beyond the defaults";
      const appPassword = retiredTokens.find((t) => t.provider === "bitbucket-cloud" && t.kind === "app-password");
      return {
        kind: `An API token with scopes, created by the Atlassian account the product acts as, sent with that account's email. ${appPasswordSentence(appPassword && appPassword.retirement, now)}`.trim(),
        steps: [
          "Avatar → **Account settings** → **Security** → **Create and manage API tokens** → **Create API token with scopes**, then choose **Bitbucket**.",
          `Tick these scopes (for API tokens a write scope does not include reading, so both are listed): ${apiScopes}.`,
          `The account needs ${role} on each repository; webhooks need admin.`,
          "Expiry: a year at most. Note the date; the token must be replaced before it.",
        ],
        link: null,
      };
    }
    case "bitbucket-data-center":
      return {
        kind: "An HTTP access token: personal, or for one project or repository (those two are Bearer only).",
        steps: [
          "Personal: avatar → **Manage account** → **HTTP access tokens** → **Create token**. Project or repository: its **Settings** → **HTTP access tokens**.",
          `Permissions: at least ${role} on the repositories; registering webhooks needs **Admin** on them (without it, the webhook step shows what an administrator pastes instead).`,
          "Expiry: set one (Bitbucket suggests 90 days) and note it; the report below shows what the server says.",
        ],
        link: page && { href: page, text: "Open HTTP access tokens" },
      };
    default:
      return { kind: "", steps: [], link: null };
  }
}

function busy(button, working, label) {
  button.disabled = working;
  button.setAttribute("aria-busy", String(working));
  if (label) button.textContent = label;
}

/** Starts steps 3 onwards. `choices` is what steps 1 and 2 hold (see app.js). */
export async function startConnectedSteps(choices) {
  const { config } = choices;
  let method = "oauth";

  function renderMethod() {
    for (const section of document.querySelectorAll("section[data-method]")) section.hidden = section.dataset.method !== method;
    numberSteps();
  }

  /** Shows the steps of `id`'s method, as if the person had picked it. */
  function chooseMethod(id) {
    method = id;
    document.querySelector(`input[name="method"][value="${id}"]`).checked = true;
    renderMethod();
  }

  fill($("method-options"),
    ...METHODS.map((m) =>
      radioChoice({
        name: "method",
        value: m.id,
        checked: m.id === method,
        title: m.title,
        detail: m.detail,
        onChange: () => {
          method = m.id;
          renderMethod();
        },
      }),
    ),
  );

  function renderSandbox() {
    const sandbox = config && config.sandbox;
    renderInto($("sandbox-notice"), JSON.stringify([choices.provider, Boolean(sandbox)]), () => {
      if (!sandbox) return null;
      const instance = sandbox.providers[choices.provider];
      if (!instance) return null;
      return h(
        "div",
        { class: "notice notice-info", dataset: { sandbox: choices.provider } },
        h("p", {}, rich(`This wizard runs against the provider sandbox: ${choices.providerName} is simulated at \`${instance.baseUrl}\`.`)),
        instance.account && h("p", {}, rich(`Sign in there as \`${instance.account.username}\` with the password \`${instance.account.password}\`.`)),
        h(
          "p",
          {},
          "Create the OAuth application or an access token on the ",
          h("a", { href: sandbox.url, target: "_blank", rel: "noopener noreferrer" }, "sandbox control page", h("span", { class: "visually-hidden" }, " (opens in a new tab)")),
          ", then paste them here.",
        ),
        h("button", { type: "button", class: "button button-small", onclick: () => choices.useInstance(choices.provider, instance.baseUrl) }, `Use the sandbox's ${choices.providerName} address`),
      );
    });
  }

  /** GitLab alone takes the SAML SSO group to sign in through (`root_namespace_id`). */
  function renderOAuthFields() {
    $("root-namespace-field").hidden = choices.provider !== "gitlab";
  }

  function renderTokenInstructions() {
    const base = choices.baseUrl;
    $("token-username-field").hidden = choices.provider !== "bitbucket-cloud";
    renderInto($("token-instructions"), JSON.stringify([choices.provider, choices.profile && choices.profile.id, base]), () => {
      const { kind, steps, link } = tokenSteps(choices.forgelink, choices.provider, choices.needs, base, (config && config.retiredTokens) || [], Date.now() / 1000);
      return [
        h("p", {}, rich(kind)),
        h("ol", { class: "app-steps" }, steps.map((s) => h("li", {}, rich(s)))),
        link && h("p", {}, h("a", { href: link.href, target: "_blank", rel: "noopener noreferrer", class: "external" }, link.text, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))),
      ];
    });
  }

  choices.onChange(() => {
    renderSandbox();
    renderOAuthFields();
    renderTokenInstructions();
  });
  renderMethod();
  renderSandbox();
  renderOAuthFields();
  renderTokenInstructions();

  if (!config) {
    // Served by a plain static server: the page checks what is typed, but cannot connect.
    for (const id of ["connect-oauth", "connect-token"]) {
      const button = $(id);
      button.disabled = true;
      button.after(h("p", { class: "muted" }, "Connecting needs the wizard's server: run `make demo`."));
    }
    return;
  }

  const connected = await connectedSteps(choices);

  $("connect-oauth").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("oauth-result");
    fill(result, h("p", {}, `Asking this product's server to start the authorization on ${choices.providerName}…`));
    busy(button, true);
    try {
      const { url } = await api("/api/connect/start", {
        method: "POST",
        body: {
          provider: choices.provider,
          baseUrl: choices.baseUrl,
          clientId: choices.clientId,
          clientSecret: $("client-secret").value || null,
          rootNamespaceId: choices.provider === "gitlab" ? $("root-namespace-id").value.trim() || null : null,
          profile: choices.profile && choices.profile.id,
        },
      });
      choices.remember();
      fill(result, h("p", {}, `Opening ${choices.providerName}…`));
      location.assign(url);
    } catch (error) {
      fill(result, errorCard(error));
      busy(button, false);
    }
  });

  $("connect-token").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("token-result");
    fill(result, h("p", {}, `Checking the token with ${choices.providerName}…`));
    busy(button, true);
    try {
      const response = await api("/api/connect/token", {
        method: "POST",
        body: {
          provider: choices.provider,
          baseUrl: choices.baseUrl,
          token: $("access-token").value,
          username: choices.provider === "bitbucket-cloud" ? $("token-username").value || null : null,
          profile: choices.profile && choices.profile.id,
        },
      });
      const { current } = response;
      $("access-token").value = "";
      const replaced = response.replaced === true;
      const said = replaced
        ? `Token replaced: still connected as ${current.connection.account.username}, with the same projects and webhooks.`
        : `Connected as ${current.connection.account.username}.`;
      fill(result, h("p", { class: "status-line status-ok", dataset: { replaced: String(replaced) } }, said));
      await connected.show(current, { focus: true });
    } catch (error) {
      fill(result, errorCard(error));
    } finally {
      busy(button, false);
    }
  });

  // Back from the provider: the server finished (or refused) the authorization and sent the
  // person here with an outcome to read once.
  const outcomeId = new URLSearchParams(location.search).get("outcome");
  if (outcomeId) {
    history.replaceState(null, "", location.pathname + location.hash);
    try {
      const outcome = await api(`/api/outcome?id=${encodeURIComponent(outcomeId)}`);
      if (outcome.ok) {
        const said = outcome.replaced
          ? `Re-authorized: still connected as ${outcome.connection.account.username}, with the same projects and webhooks.`
          : `Connected as ${outcome.connection.account.username}.`;
        fill($("oauth-result"), h("p", { class: "status-line status-ok", dataset: { replaced: String(Boolean(outcome.replaced)) } }, said));
      } else {
        choices.reveal();
        showOutcomeError(outcome.error);
        return;
      }
    } catch (error) {
      choices.reveal();
      showOutcomeError(error);
      return;
    }
  }
  const { current } = await api("/api/connection").catch(() => ({ current: null }));
  if (current) {
    // A reload shows the connection's provider, address, profile and method above, not the
    // defaults: those are the steps that replace its credentials.
    if (current.connection.provider !== choices.provider || current.connection.baseUrl !== choices.baseUrl) {
      choices.useInstance(current.connection.provider, current.connection.baseUrl);
    }
    choices.useProfile(current.profile);
    chooseMethod(current.method);
    choices.reveal();
    connected.show(current, { focus: Boolean(outcomeId) });
  }
}

function showOutcomeError(error) {
  const result = $("oauth-result");
  fill(result, h("h3", { tabindex: "-1", id: "oauth-result-title" }, "The provider did not connect the account"), errorCard(error));
  $("oauth-result-title").focus();
}

/** Steps 6 to 11: on the connected account. */
async function connectedSteps(choices) {
  const projects = startProjects();
  const webhooks = startWebhooks(choices, () => projects.chosen());
  const safety = startSafetyNet(() => projects.chosen());
  const deliveries = startDeliveries(choices.config);
  let current = null;

  // The provider can take a while to answer each check: say at once what is being checked, and for how long.
  $("test-connection").addEventListener("click", (event) =>
    showWhileRunning(event.currentTarget, `Asking ${choices.providerName} about the token, the account, the server version, the scopes and the webhooks…`, runReport(current, choices)),
  );

  startDisconnect({
    providerName: () => choices.providerName,
    disconnected(outcome) {
      $("connected-steps").hidden = true;
      $("disconnected").hidden = false;
      fill($("disconnect-report"), disconnectReport(outcome, choices.config.webhookUrl));
      numberSteps();
      $("step-disconnected").focus();
      current = null;
      // Nothing above says "connected" any more, and the choices are the person's again.
      choices.lock(null);
      for (const id of ["token-result", "oauth-result"]) fill($(id));
    },
  });

  return {
    async show(record, { focus }) {
      // New credentials for the same connection keep what the steps below hold for it.
      const same = current !== null && current.connection.id === record.connection.id;
      current = record;
      choices.lock(record.connection);
      $("connected-steps").hidden = false;
      $("disconnected").hidden = true;
      numberSteps();
      showConnection(record, choices);
      if (!same) {
        projects.reset(record);
        webhooks.reset(record);
      }
      deliveries.reset(record);
      safety.reset(record);
      if (focus) $("step-report").focus();
      // The report loads on its own; the steps below do not wait for it.
      return runReport(record, choices);
    },
  };
}
