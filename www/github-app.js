// Steps 4 and 5 of the GitHub App method: what the app asks for (each permission with what
// GitHub says it allows and why the profile needs it), creating it from a manifest on the
// instance chosen above, then installing it. The server builds the manifest, keeps the app's
// secrets and private key, and connects the installation GitHub sends the person back from;
// this page shows what it is told and sends the browser where the server says.

import { api } from "/api.js";
import { errorCard, fill, h, rich } from "/ui.js";

const $ = (id) => document.getElementById(id);

const LEVEL_WORDS = { read: "Read-only", write: "Read and write", admin: "Admin" };

/** The name an app gets unless the person types another: the product's name and the profile's. */
const defaultName = (profile) => `forgelink ${profile ? profile.title : "CI"}`.slice(0, 34);

export function startGitHubApp(choices) {
  let app = null;
  let connected = false;
  let nameEdited = false;
  const nameInput = $("github-app-name");

  /** Whether the app the server holds lives on the instance chosen above. */
  function appHere() {
    if (!app || choices.provider !== "github") return false;
    try {
      return choices.forgelink.endpoints("github", choices.baseUrl ?? undefined).web === app.baseUrl;
    } catch {
      return false;
    }
  }

  function renderIntro() {
    const where = choices.deployment.kind === "self-hosted" ? `your GitHub Enterprise Server (${choices.baseUrl ?? "its address above"})` : choices.baseUrl ?? "GitHub";
    fill($("github-app-intro"),
      ...rich(`Create the app on ${where} in two clicks: this product sends GitHub a manifest with the permissions and events below, you review it there and select **Create GitHub App**. Its private key, client secret and webhook secret go straight to this product's server, which keeps them encrypted; they never reach a browser.`),
    );
    if (!nameEdited) nameInput.value = defaultName(choices.profile);
  }

  let needsKey = null;
  async function renderNeeds() {
    const profile = choices.profile;
    const key = profile ? profile.id : "";
    if (key === needsKey) return;
    needsKey = key;
    const container = $("github-app-needs");
    if (!profile) {
      fill(container, h("p", {}, "Pick a profile in step 2 to see what the app asks for."));
      return;
    }
    try {
      const { needs } = await api(`/api/github-app?profile=${encodeURIComponent(profile.id)}`);
      if (needsKey !== key) return;
      fill(container,
        h("p", {}, `Permissions ${profile.title} needs, at the least level that serves. Installations grant exactly these; the report after connecting says if any is missing.`),
        h("ul", { class: "scope-list", "aria-labelledby": "github-app-needs-heading" },
          needs.permissions.map((p) =>
            h("li", { class: "scope", dataset: { permission: p.permission, level: p.level } },
              h("p", { class: "scope-name" }, h("code", {}, p.permission), h("span", { class: "badge badge-level" }, LEVEL_WORDS[p.level] ?? p.level)),
              p.meaning && h("p", { class: "scope-meaning" }, p.meaning),
              h("p", { class: "scope-reason" }, h("span", { class: "label" }, "Why: "), p.reason),
            ),
          ),
        ),
        needs.events.length > 0 && [
          h("h4", {}, "Webhook events the app subscribes to"),
          h("ul", { class: "plain-list", id: "github-app-events" }, needs.events.map((e) => h("li", { dataset: { event: e.name } }, h("code", {}, e.name), " — ", e.reason))),
        ],
      );
    } catch (error) {
      if (needsKey === key) fill(container, errorCard(error));
    }
  }

  function renderAddresses() {
    const origin = new URL(choices.config.redirectUri).origin;
    fill($("github-app-existing-hint"),
      ...rich(`On the app's settings page, set the **Callback URL** to \`${origin}/github-app/callback\` and tick **Request user authorization (OAuth) during installation**, so that GitHub sends whoever installs it back here with a code that proves they can reach the installation. Its webhook is pointed at this product when you select Use this app.`),
    );
    fill($("github-app-addresses"),
      h("details", { class: "params" },
        h("summary", {}, "Where GitHub sends people and deliveries"),
        h("dl", { class: "facts" },
          h("dt", {}, "After creating"), h("dd", {}, h("code", {}, `${origin}/github-app/created`)),
          h("dt", {}, "After installing (callback URL)"), h("dd", {}, h("code", {}, `${origin}/github-app/callback`), " — the app requests authorization on install, so GitHub comes back here with a code"),
          h("dt", {}, "Webhook"), h("dd", {}, h("code", {}, `${choices.config.webhookUrl}/…`), " — set to a route of its own once the app exists"),
        ),
      ),
    );
  }

  /** The app the server holds, with the one-click install, or why there is nothing to install yet. */
  function renderApp() {
    const here = appHere();
    fill($("github-app-created"),
      here &&
        h("div", { class: "notice notice-info github-app-card", dataset: { appId: String(app.appId), slug: app.slug } },
          h("p", { class: "status-line status-ok" }, h("strong", {}, app.given ? "App ready: " : "App created: "), app.name),
          h("dl", { class: "facts" },
            h("dt", {}, "App ID"), h("dd", { dataset: { field: "app-id" } }, String(app.appId)),
            h("dt", {}, "Owner"), h("dd", {}, app.owner ? app.owner.login : "your account"),
            h("dt", {}, "Webhook"), h("dd", { dataset: { field: "app-webhook" } }, app.webhook ? ["Delivers to ", h("code", {}, app.webhook.url)] : "Not pointed at this product: deliveries will not arrive."),
          ),
          app.htmlUrl && h("p", {}, h("a", { href: app.htmlUrl, target: "_blank", rel: "noopener noreferrer", class: "external" }, `Open ${app.name} on GitHub`, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))),
        ),
    );
    $("github-app-form").hidden = here;
    const install = $("install-github-app");
    install.disabled = !here || connected;
    const status = $("github-app-install-status");
    status.className = "status-line";
    status.textContent = connected ? "Connected through the app's installation: disconnect at the end of the page to install it elsewhere." : here ? `Ready to install ${app.name}.` : "Create the app in the step above first.";
  }

  $("github-app-name").addEventListener("input", () => {
    nameEdited = true;
  });

  $("create-github-app").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("github-app-create-result");
    fill(result, h("p", {}, `Preparing the app's manifest for ${choices.providerName}…`));
    button.disabled = true;
    try {
      const { next } = await api("/api/github-app/manifest", {
        method: "POST",
        body: {
          provider: choices.provider,
          baseUrl: choices.baseUrl,
          profile: choices.profile && choices.profile.id,
          name: nameInput.value,
          organization: $("github-app-organization").value || null,
        },
      });
      choices.remember();
      fill(result, h("p", {}, `Opening ${choices.providerName}…`));
      location.assign(next);
    } catch (error) {
      fill(result, errorCard(error));
      button.disabled = false;
    }
  });

  $("use-existing-app").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("github-app-existing-result");
    fill(result, h("p", {}, `Checking the app's key with ${choices.providerName}…`));
    button.disabled = true;
    try {
      const answer = await api("/api/github-app/existing", {
        method: "POST",
        body: {
          provider: choices.provider,
          baseUrl: choices.baseUrl,
          profile: choices.profile && choices.profile.id,
          appId: $("existing-app-id").value.trim(),
          slug: $("existing-app-slug").value.trim(),
          clientId: $("existing-client-id").value.trim(),
          clientSecret: $("existing-client-secret").value,
          privateKey: $("existing-private-key").value,
        },
      });
      // The secrets are the server's now: they do not stay in the page.
      $("existing-client-secret").value = "";
      $("existing-private-key").value = "";
      fill(result);
      app = answer.app;
      renderApp();
      $("install-github-app").focus();
    } catch (error) {
      fill(result, errorCard(error));
    } finally {
      button.disabled = connected;
    }
  });

  $("install-github-app").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("github-app-result");
    fill(result, h("p", {}, `Asking this product's server for ${app.name}'s installation page…`));
    button.disabled = true;
    try {
      const { url } = await api("/api/github-app/install", { method: "POST", body: { profile: choices.profile && choices.profile.id } });
      choices.remember();
      fill(result, h("p", {}, `Opening ${choices.providerName}…`));
      location.assign(url);
    } catch (error) {
      fill(result, errorCard(error));
      button.disabled = false;
    }
  });

  const render = () => {
    if (choices.provider !== "github") return;
    renderIntro();
    renderNeeds();
    renderApp();
  };
  choices.onChange(render);

  return {
    /** Asks the server which app it holds for this browser. */
    async refresh() {
      const answer = await api("/api/github-app").catch(() => ({ app: null }));
      app = answer.app;
      renderAddresses();
      render();
    },
    /** The app the server has just created, or the refusal, back from GitHub. */
    created(outcome) {
      if (outcome.ok) {
        app = outcome.app;
        renderApp();
        fill($("github-app-create-result"),
          outcome.webhookError
            ? [h("p", { class: "status-line status-warning" }, "The app exists, but its webhook could not be pointed at this product:"), errorCard(outcome.webhookError)]
            : null,
        );
        $("install-github-app").focus();
      } else {
        const title = h("h3", { tabindex: "-1", id: "github-app-create-title" }, "GitHub did not create the app here");
        fill($("github-app-create-result"), title, errorCard(outcome.error));
        title.focus();
      }
    },
    /** Back from installing: connected, or the refusal with its guidance. */
    installed(outcome) {
      const result = $("github-app-result");
      if (outcome.ok) {
        fill(result, h("p", { class: "status-line status-ok" }, `Connected: the app's installation on ${outcome.connection.account.username}.`));
      } else {
        const title = h("h3", { tabindex: "-1", id: "github-app-result-title" }, "The installation was not connected");
        fill(result, title, errorCard(outcome.error));
        title.focus();
      }
    },
    /** While connected, nothing here may start a second connection. */
    lock(isConnected) {
      connected = isConnected;
      $("create-github-app").disabled = isConnected;
      $("use-existing-app").disabled = isConnected;
      if (!isConnected) fill($("github-app-result"));
      renderApp();
    },
  };
}
