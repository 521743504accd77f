// Steps 3 to 5 and what follows them: choosing OAuth or an access token, connecting through
// the wizard's server, coming back from the provider, and showing the steps that work on the
// connected account. The server does every exchange; this page sends what the person typed
// and shows what came back.

import { api } from "/api.js";
import { showConnection, runReport } from "/report.js";
import { startProjects } from "/projects.js";
import { startWebhooks, startDeliveries } from "/webhooks.js";
import { startSafetyNet } from "/safety.js";
import { startGitHubApp } from "/github-app.js";
import { numberSteps } from "/steps.js";
import { disconnectReport, startDisconnect } from "/disconnect.js";
import { showWhileRunning } from "/progress.js";
import { errorCard, fill, h, radioChoice, renderInto, rich, settingsPage } from "/ui.js";

const $ = (id) => document.getElementById(id);

const METHODS = [
  { id: "github-app", title: "GitHub App", detail: "Recommended for GitHub: the app acts for itself with short-lived tokens, on the repositories chosen when installing it, and one app webhook covers them all.", providers: ["github"] },
  { id: "oauth", title: "OAuth application", detail: "Recommended: people approve access on the provider, and tokens refresh by themselves.", detailWhereApp: "People approve access on GitHub, and act as themselves on every repository they can reach; tokens do not expire." },
  { id: "token", title: "Access token", detail: "One token pasted here: quickest for a trial or a service account, but it expires and must be replaced by hand." },
];

/** The sign-in methods a provider offers, in the order shown. */
const methodsFor = (provider) => METHODS.filter((m) => !m.providers || m.providers.includes(provider));

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

// The server's refusals that concern one field of steps 4 and 5, and which field: shown next
// to it, as the page's own checks are.
const FIELD_OF_CODE = {
  "oauth.invalid_client_id": "client-id",
  "wizard.client_id_shape": "client-id",
  "oauth.client_secret_required": "client-secret",
  "wizard.client_secret_shape": "client-secret",
  "wizard.secret_not_kept": "client-secret",
};

// Step 4's redirect URI comes first on the page, then step 5's fields: the first problem in
// this order is the one focused.
const OAUTH_FIELDS = ["redirect-uri", "client-id", "client-secret"];

/**
 * The fields of steps 4 and 5 as Connect reads them: what the page can check itself, each
 * problem said next to its field, and whether the server keeps the client secret already.
 */
function oauthFields(choices) {
  const redirectUri = choices.config.redirectUri;
  const secretInput = $("client-secret");
  const secretPlaceholder = secretInput.placeholder;
  // Which application the server keeps a secret for (never the secret), and whether the person
  // chose to replace it.
  let kept = null;
  let replacing = false;

  const describedBy = (input) => (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);

  function clear(id) {
    const input = $(id);
    const problem = $(`${id}-problem`);
    if (problem.hidden) return;
    problem.hidden = true;
    fill(problem);
    input.setAttribute("aria-describedby", describedBy(input).filter((d) => d !== problem.id).join(" "));
    input.setAttribute("aria-invalid", "false");
  }

  function mark(id, ...content) {
    const input = $(id);
    const problem = $(`${id}-problem`);
    fill(problem, ...content);
    problem.hidden = false;
    if (!describedBy(input).includes(problem.id)) input.setAttribute("aria-describedby", [...describedBy(input), problem.id].join(" "));
    input.setAttribute("aria-invalid", "true");
  }

  const say = (text) => h("p", { class: "status-line status-error" }, text);

  /** Whether the server keeps a secret for an application on the provider and instance chosen above. */
  function keptHere() {
    if (!kept) return false;
    let instance = null;
    try {
      instance = choices.forgelink.endpoints(choices.provider, choices.baseUrl ?? undefined).web;
    } catch {
      return false;
    }
    return kept.provider === choices.provider && kept.instance === instance;
  }

  /** Whether the server's secret is the one Connect sends: for this very application. */
  const secretIsKept = () => !replacing && secretInput.value === "" && keptHere() && kept.clientId === choices.clientId;

  function renderKept() {
    const shown = secretIsKept();
    $("client-secret-kept").hidden = !shown;
    secretInput.placeholder = shown ? "Kept by the server" : secretPlaceholder;
    const notice = "client-secret-kept-text";
    const others = describedBy(secretInput).filter((d) => d !== notice);
    secretInput.setAttribute("aria-describedby", (shown ? [...others, notice] : others).join(" "));
  }

  // A field being edited is being fixed: its problem goes. Listening in the capture phase runs
  // this before the page's own checks of the redirect URI, which set aria-invalid from its rule.
  for (const id of OAUTH_FIELDS) $(id).addEventListener("input", () => clear(id), { capture: true });
  $("client-id").addEventListener("input", renderKept);
  secretInput.addEventListener("input", renderKept);
  $("replace-client-secret").addEventListener("click", () => {
    replacing = true;
    renderKept();
    secretInput.focus();
  });
  choices.onChange(renderKept);

  return {
    /** Asks the server whether it keeps a client secret for this browser. */
    async refreshKept() {
      const answer = await api("/api/connect/secret").catch(() => ({ kept: null }));
      kept = answer.kept;
      replacing = false;
      this.offerKeptClientId();
      renderKept();
    },

    /**
     * Fills an empty client ID with that of the application whose secret the server keeps, on
     * the provider and instance chosen above: a reload shows the application connected with.
     */
    offerKeptClientId() {
      const input = $("client-id");
      if (input.value !== "" || !keptHere()) return;
      input.value = kept.clientId;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },

    /**
     * Checks what the page can before anyone leaves for the provider: surrounding whitespace
     * (removed, and said, so the person sees what will be sent), the redirect URI against the
     * server's, an empty client ID. Marks each problem and focuses the first; true when none.
     */
    check() {
      const problems = [];
      const trimmed = (id, name) => {
        const input = $(id);
        if (input.value === input.value.trim()) return false;
        input.value = input.value.trim();
        problems.push([id, say(`Spaces pasted around the ${name} were removed. Check it is complete, then select Connect again.`)]);
        return true;
      };
      for (const id of OAUTH_FIELDS) clear(id);
      if (!trimmed("redirect-uri", "redirect URI") && $("redirect-uri").value !== redirectUri) {
        problems.push(["redirect-uri", say(`This product's server sends the redirect URI ${redirectUri}, so ${choices.providerName} would refuse the sign-in with any other. Register exactly that on the application, and paste it here.`)]);
      }
      if (!trimmed("client-id", "client ID") && $("client-id").value === "") {
        problems.push(["client-id", say(`The client ID is empty. Copy it from the application on ${choices.providerName} and paste it here.`)]);
      }
      if (secretInput.value !== "") trimmed("client-secret", "client secret");
      for (const [id, content] of problems) mark(id, content);
      if (problems.length) $(problems[0][0]).focus();
      renderKept();
      return problems.length === 0;
    },

    /** What Connect sends of the secret: the one typed, or the server's own when it keeps it. */
    secret() {
      return secretIsKept() ? { clientSecret: null, keptSecret: true } : { clientSecret: secretInput.value || null, keptSecret: false };
    },

    /** Shows a refusal of the server next to its field; false when it concerns no field. */
    showRefusal(error) {
      const id = error && FIELD_OF_CODE[error.code];
      if (!id) return false;
      if (error.code === "wizard.secret_not_kept") kept = null;
      renderKept();
      mark(id, errorCard(error));
      $(id).focus();
      return true;
    },
  };
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

  /** The methods of the chosen provider: a GitHub App only on GitHub, where it is the one recommended. */
  function renderMethodOptions() {
    const offered = methodsFor(choices.provider);
    if (!offered.some((m) => m.id === method)) method = "oauth";
    const container = $("method-options");
    renderInto(container, JSON.stringify(offered.map((m) => m.id)), () => {
      container.className = `choice-grid choice-grid-${offered.length}`;
      return offered.map((m) =>
        radioChoice({
          name: "method",
          value: m.id,
          checked: m.id === method,
          title: m.title,
          detail: offered.length > 2 && m.detailWhereApp ? m.detailWhereApp : m.detail,
          onChange: () => {
            method = m.id;
            renderMethod();
          },
        }),
      );
    });
    renderMethod();
  }

  /** Shows the steps of `id`'s method, as if the person had picked it. */
  function chooseMethod(id) {
    method = id;
    renderMethodOptions();
    const radio = document.querySelector(`input[name="method"][value="${id}"]`);
    if (radio) radio.checked = true;
    renderMethod();
  }

  renderMethodOptions();

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
    renderMethodOptions();
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
    for (const id of ["connect-oauth", "connect-token", "create-github-app"]) {
      const button = $(id);
      button.disabled = true;
      button.after(h("p", { class: "muted" }, "Connecting needs the wizard's server: run `make demo`."));
    }
    return;
  }

  const githubApp = startGitHubApp(choices);
  const connected = await connectedSteps(choices, githubApp);
  const fields = oauthFields(choices);
  const fieldsWait = () => h("p", { class: "status-line status-error" }, "Connect waits until the fields marked above are right.");

  $("connect-oauth").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("oauth-result");
    if (!fields.check()) {
      fill(result, fieldsWait());
      return;
    }
    fill(result, h("p", {}, `Asking this product's server to start the authorization on ${choices.providerName}…`));
    busy(button, true);
    try {
      const { url } = await api("/api/connect/start", {
        method: "POST",
        body: {
          provider: choices.provider,
          baseUrl: choices.baseUrl,
          clientId: choices.clientId,
          ...fields.secret(),
          rootNamespaceId: choices.provider === "gitlab" ? $("root-namespace-id").value.trim() || null : null,
          profile: choices.profile && choices.profile.id,
        },
      });
      choices.remember();
      fill(result, h("p", {}, `Opening ${choices.providerName}…`));
      location.assign(url);
    } catch (error) {
      fill(result, fields.showRefusal(error) ? fieldsWait() : errorCard(error));
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
  // Back from the provider or reloaded, the secret field is empty: say whether the server has the secret.
  await Promise.all([fields.refreshKept(), githubApp.refresh()]);
  if (outcomeId) {
    history.replaceState(null, "", location.pathname + location.hash);
    try {
      const outcome = await api(`/api/outcome?id=${encodeURIComponent(outcomeId)}`);
      if (outcome.kind === "github-app-created" || outcome.kind === "github-app") {
        // Back from creating or installing the GitHub App: its steps say what happened.
        chooseMethod("github-app");
        choices.reveal();
        if (outcome.kind === "github-app-created") githubApp.created(outcome);
        else githubApp.installed(outcome);
      } else if (outcome.ok) {
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
    fields.offerKeptClientId();
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
async function connectedSteps(choices, githubApp) {
  const projects = startProjects();
  const webhooks = startWebhooks(choices, () => projects.chosen());
  const safety = startSafetyNet(() => projects.chosen());
  const deliveries = startDeliveries(choices.config);
  let current = null;

  // The provider can take a while to answer each check: say at once what is being checked, and
  // for how long, on the first report after connecting as on every one asked for.
  const test = (record) =>
    showWhileRunning($("test-connection"), `Asking ${choices.providerName} about the token, the account, the server version, the scopes and the webhooks…`, runReport(record, choices));
  $("test-connection").addEventListener("click", () => test(current));

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
      githubApp.lock(false);
      for (const id of ["token-result", "oauth-result"]) fill($(id));
    },
  });

  return {
    async show(record, { focus }) {
      // New credentials for the same connection keep what the steps below hold for it.
      const same = current !== null && current.connection.id === record.connection.id;
      current = record;
      choices.lock(record.connection);
      githubApp.lock(true);
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
      return test(record);
    },
  };
}
