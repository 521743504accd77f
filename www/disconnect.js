// Step 11: disconnecting. The page first says what will happen (whether the provider revokes
// the token, which webhooks go and which are an administrator's to delete) and waits for a
// confirmation; afterwards it reports what happened, naming each webhook that is still there.

import { api } from "/api.js";
import { errorCard, fill, guidanceBlock, h } from "/ui.js";

const $ = (id) => document.getElementById(id);

// GitHub and GitLab have an API to revoke an OAuth token; Bitbucket has none, and no provider
// lets an application revoke a token a person created and pasted.
const REVOKES_OAUTH = new Set(["github", "gitlab"]);

const CONFIRM = "Yes, disconnect";

const projectList = (projects) => projects.map((project, i) => [i ? ", " : "", h("code", {}, project)]);

/** What disconnecting will do to the token, in the connected provider's terms. */
function tokenSentence(record, providerName) {
  if (record.method === "github-app") return `${providerName} revokes the installation token this product holds. The app stays installed unless you tick below to uninstall it too.`;
  if (record.method === "token") return `The access token is not revoked: ${providerName} does not let this product revoke a token you created. Delete it in ${providerName}'s settings afterwards if nothing else uses it.`;
  if (REVOKES_OAUTH.has(record.connection.provider)) return `${providerName} revokes the OAuth token this product holds.`;
  return `${providerName} has no way for this product to revoke its OAuth token: revoke the application's access in your ${providerName} account settings afterwards.`;
}

/** What disconnecting will do, item by item. */
function consequences(record, providerName) {
  if (record.method === "github-app") {
    const installation = record.connection.installation;
    return h(
      "ul",
      { class: "consequences" },
      h("li", { dataset: { consequence: "token" } }, tokenSentence(record, providerName)),
      h("li", { dataset: { consequence: "webhooks", count: "0" } }, "No repository webhook to remove: the app's own webhook covered the repositories, and stays with the app."),
      h("li", {}, `Forgets the installation${installation ? ` on ${installation.account.login}` : ""} and its tokens on this product's server. The app itself, and its private key kept here, stay, so it can be installed again.`),
    );
  }
  const hooks = Object.entries(record.webhooks ?? {});
  const removable = hooks.filter(([, status]) => status !== "manual_setup_required").map(([project]) => project);
  const handMade = hooks.filter(([, status]) => status === "manual_setup_required").map(([project]) => project);
  return h(
    "ul",
    { class: "consequences" },
    h("li", { dataset: { consequence: "token" } }, tokenSentence(record, providerName)),
    h(
      "li",
      { dataset: { consequence: "webhooks", count: String(removable.length) } },
      removable.length === 0 ? "No webhook registered by this product is removed: there is none." : [`Removes the ${removable.length === 1 ? "webhook" : `${removable.length} webhooks`} this product registered, on `, projectList(removable), "."],
    ),
    handMade.length > 0 &&
      h(
        "li",
        { dataset: { consequence: "hand-made", count: String(handMade.length) } },
        "Forgets the secret of the webhook an administrator was asked to add by hand on ",
        projectList(handMade),
        ": this product did not create it and cannot delete it, so its administrator deletes it.",
      ),
    h("li", {}, `Forgets the account ${record.connection.account.username} and its credentials on this product's server. Deliveries to its webhooks are refused from then on.`),
  );
}

/**
 * Wires the Disconnect button to a confirmation in the page. `providerName()` names the
 * connected provider; `disconnected(outcome)` takes over once the server disconnected it.
 */
export function startDisconnect({ providerName, disconnected }) {
  const button = $("disconnect");
  const panel = $("disconnect-confirm");

  const hide = () => {
    panel.hidden = true;
    fill(panel);
    button.setAttribute("aria-expanded", "false");
  };
  const cancel = () => {
    hide();
    button.focus();
  };

  /** Shows the panel under `title`, focused so that it is read first, then `content`. */
  const open = (title, ...content) => {
    fill(panel, h("h3", { id: "disconnect-confirm-title", tabindex: "-1" }, title), ...content);
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    $("disconnect-confirm-title").focus();
  };

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.querySelector("[aria-busy='true']")) {
      event.preventDefault();
      cancel();
    }
  });

  button.addEventListener("click", async () => {
    // The server's record, not the page's: it knows every hook registered so far.
    let record;
    try {
      ({ current: record } = await api("/api/connection"));
    } catch (error) {
      open("This product's server did not say what the connection holds", errorCard(error));
      return;
    }
    if (!record) {
      open("No account is connected any more", h("p", {}, "Reload the page to start again."));
      return;
    }
    const name = providerName();
    const keep = h("button", { type: "button", class: "button button-secondary", onclick: cancel }, "Cancel");
    const confirm = h("button", { type: "button", class: "button button-danger" }, CONFIRM);
    const failure = h("div", { class: "async-result", role: "status" });
    // A GitHub App connection may take the app off the account too, or leave that for later.
    const viaApp = record.method === "github-app";
    const account = viaApp && record.connection.installation ? record.connection.installation.account.login : "the account";
    const uninstall = viaApp && h("input", { type: "checkbox", id: "disconnect-uninstall", name: "disconnect-uninstall" });
    const uninstallField = viaApp &&
      h("p", { class: "field-inline" }, uninstall, " ", h("label", { for: "disconnect-uninstall" }, `Also uninstall the app from ${account}`));
    confirm.addEventListener("click", async () => {
      for (const b of [confirm, keep, button]) b.disabled = true;
      confirm.setAttribute("aria-busy", "true");
      confirm.textContent = "Disconnecting…";
      try {
        const outcome = await api("/api/disconnect", { method: "POST", body: viaApp ? { uninstall: uninstall.checked } : {} });
        hide();
        disconnected(outcome);
      } catch (error) {
        fill(failure, errorCard(error));
        confirm.textContent = CONFIRM;
        confirm.setAttribute("aria-busy", "false");
      } finally {
        for (const b of [confirm, keep, button]) b.disabled = false;
      }
    });
    open(`Disconnect ${record.connection.account.username} from ${name}?`, consequences(record, name), uninstallField, h("div", { class: "actions" }, confirm, keep), failure);
  });
}

/** What disconnecting did: the token, the webhooks removed, each one left and how to delete it, and what is left to do. */
export function disconnectReport({ report }, webhookUrl) {
  const removed = report.webhooks.filter((w) => w.status === "removed");
  const left = report.webhooks.filter((w) => w.status !== "removed");
  // Uninstalling a GitHub App ends its installation token with it.
  const ended = report.revoked || report.uninstalled === true;
  return [
    h(
      "p",
      { class: `status-line ${ended ? "status-ok" : "status-warning"}`, dataset: { revoked: String(ended) } },
      report.uninstalled === true ? "Uninstalling the app ended its installation token." : report.revoked ? "The provider revoked the token." : "The provider did not revoke the token: see what is left to do below.",
    ),
    report.uninstalled === true && h("p", { class: "status-line status-ok", dataset: { uninstalled: "true" } }, "The app was uninstalled from the account: it no longer reaches any of its repositories."),
    report.uninstalled !== true &&
      report.uninstallUrl &&
      h(
        "p",
        { class: "status-line status-warning", dataset: { uninstalled: "false" } },
        "The app is still installed on the account. To uninstall it, open ",
        h("a", { href: report.uninstallUrl, target: "_blank", rel: "noopener noreferrer", dataset: { field: "uninstall-url" } }, "the installation's settings on GitHub", h("span", { class: "visually-hidden" }, " (opens in a new tab)")),
        " and select Uninstall.",
      ),
    h(
      "p",
      { dataset: { removed: String(removed.length) } },
      removed.length > 0
        ? [`Removed ${removed.length} ${removed.length === 1 ? "webhook" : "webhooks"}, on `, projectList(removed.map((w) => w.project)), "."]
        : left.length > 0
          ? "No webhook was removed."
          : "No webhook was registered by this product, so none was removed.",
    ),
    left.length > 0 && [
      h("h3", {}, `Not removed: ${left.length} ${left.length === 1 ? "webhook" : "webhooks"}`),
      h(
        "ul",
        { class: "checks webhooks-left" },
        left.map((w) =>
          h(
            "li",
            { class: `hook-result hook-${w.status}`, dataset: { project: w.project, status: w.status, code: w.code } },
            h("p", { class: "check-head" }, h("span", { class: "badge" }, "Not removed"), " ", h("code", {}, w.project), w.code ? [" ", h("code", { class: "diagnostic-code" }, w.code)] : ""),
            w.message && h("p", { class: "check-message" }, w.message),
            guidanceBlock(w.guidance),
            h("p", {}, `To delete it by hand: open ${w.project}'s webhook settings on the provider and delete the webhook whose URL starts with `, h("code", {}, `${webhookUrl}/`), "."),
          ),
        ),
      ),
    ],
    report.manualSteps.length > 0
      ? [h("h3", {}, "Left to do by hand"), h("ol", { class: "guidance-steps manual-steps" }, report.manualSteps.map((s) => h("li", {}, s)))]
      : h("p", {}, "Nothing is left to do by hand."),
    h("p", { class: "muted" }, "To connect again, start from the steps above."),
  ];
}
