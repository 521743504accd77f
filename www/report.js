// Step 6, the connection report: what forgelink learnt when connecting (account, version,
// scopes, expiry) and what `testConnection` finds now, each failing check with its guidance.

import { api } from "/api.js";
import { errorCard, fill, guidanceBlock, h } from "/ui.js";

const $ = (id) => document.getElementById(id);

const NAMES = { github: "GitHub", gitlab: "GitLab", "bitbucket-cloud": "Bitbucket Cloud", "bitbucket-data-center": "Bitbucket Data Center" };

const CHECK_NAMES = {
  token: "Token",
  reachability: "Reachability",
  identity: "Account",
  "server-version": "Server version",
  scopes: "Scopes",
  "token-expiry": "Token expiry",
  "refresh-token": "Refresh token",
  installation: "Installation",
  permissions: "Permissions",
  webhooks: "Webhooks",
};

const SELECTION_WORDS = { all: "All repositories of the account", selected: "Only the repositories picked when installing" };

const STATUS_WORDS = { pass: "Passed", warn: "Warning", fail: "Failed" };

/**
 * When a unix time is, in words a person reads at a glance. Without a time, only an OAuth token
 * issued with no lifetime is known not to expire; a pasted token's expiry is whatever the
 * provider reported, and a provider that sent none did not say.
 */
export function describeExpiry(expiresAt, { method = "oauth", provider } = {}) {
  if (expiresAt === undefined || expiresAt === null) {
    if (method !== "token") return "Does not expire.";
    const name = NAMES[provider] ?? "The provider";
    return `Not reported: ${name} did not say when this token expires. Use the date you chose when creating it.`;
  }
  const when = new Date(expiresAt * 1000);
  const seconds = expiresAt - Date.now() / 1000;
  const stamp = when.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  if (seconds <= 0) return `Expired at ${stamp}.`;
  const hours = seconds / 3600;
  const span = hours < 48 ? `${Math.max(1, Math.round(hours))} ${Math.round(hours) === 1 ? "hour" : "hours"}` : `${Math.round(hours / 24)} days`;
  return `${stamp}, in about ${span}.`;
}

const codeList = (names) => names.map((name, i) => [i ? ", " : "", h("code", {}, name)]);

/**
 * The summary of the connection. `test` is the last report: its `connection` is what that test
 * read, so the summary never contradicts the checks below it; before any test, the summary is
 * what connecting found.
 */
export function showConnection(record, choices, test = null) {
  const { method, profile } = record;
  const connection = test ? test.connection : record.connection;
  const { account, scopes } = connection;
  const needs = choices.forgelink.profiles().find((p) => p.id === profile);
  const row = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];
  const scopesKnown = scopes.granted !== null;
  const viaApp = method === "github-app";
  const installation = connection.installation ?? null;
  const what = viaApp ? "Permissions" : "Scopes";
  const source = !test
    ? "As found when connecting."
    : test.observed
      ? "As the last test found it."
      : "The last test stopped before reading the connection: its scopes, version and expiry below are as stored when connecting.";
  fill($("connection-summary"),
    h("p", { class: "muted", dataset: { field: "source", observed: String(test ? test.observed : true) } }, source),
    h(
      "dl",
      { class: "facts connection-facts", dataset: { connection: connection.id } },
      row(
        "Account",
        h("strong", { dataset: { field: "account" } }, account.username),
        account.name ? ` (${account.name})` : "",
        account.webUrl ? [" — ", h("a", { href: account.webUrl, target: "_blank", rel: "noopener noreferrer" }, "profile", h("span", { class: "visually-hidden" }, " (opens in a new tab)"))] : "",
      ),
      row("Provider", `${NAMES[connection.provider] ?? connection.provider} at `, h("code", {}, connection.baseUrl)),
      row(
        "Connected with",
        viaApp
          ? [
              "the GitHub App ",
              record.app && record.app.htmlUrl
                ? h("a", { href: record.app.htmlUrl, target: "_blank", rel: "noopener noreferrer", dataset: { field: "app" } }, record.app.name, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))
                : h("strong", { dataset: { field: "app" } }, record.app ? record.app.name : "—"),
              record.app ? ` (app ID ${record.app.appId})` : "",
            ]
          : method === "token"
            ? "an access token"
            : "OAuth",
        needs ? ` for ${needs.title}` : "",
      ),
      viaApp &&
        installation &&
        row(
          "Installation",
          h("span", { dataset: { field: "installation", installationId: String(installation.id) } }, `${installation.id} on ${installation.account.login} (${installation.account.kind})`),
          installation.htmlUrl ? [" — ", h("a", { href: installation.htmlUrl, target: "_blank", rel: "noopener noreferrer" }, "its settings on GitHub", h("span", { class: "visually-hidden" }, " (opens in a new tab)"))] : "",
        ),
      viaApp &&
        installation &&
        row("Repositories", h("span", { dataset: { field: "repository-selection", selection: installation.repositorySelection } }, SELECTION_WORDS[installation.repositorySelection] ?? installation.repositorySelection)),
      viaApp &&
        installation &&
        installation.suspendedAt &&
        row("Suspended", h("span", { class: "status-error", dataset: { field: "suspended" } }, `Since ${installation.suspendedAt}: GitHub refuses the app's tokens until an owner unsuspends it.`)),
      row("Server version", h("span", { dataset: { field: "server-version" } }, connection.serverVersion ?? "Not reported (a cloud service, or the server does not say).")),
      row(
        `${what} granted`,
        h("span", { dataset: { field: "granted" } }, !scopesKnown ? "The provider does not tell for this kind of token." : scopes.granted.length ? codeList(scopes.granted) : "None."),
      ),
      row(
        `${what} missing`,
        // Without the granted scopes, nothing can be said missing or complete.
        h(
          "span",
          { dataset: { field: "missing" }, class: !scopesKnown ? "status-warning" : scopes.missing.length ? "status-error" : "status-ok" },
          !scopesKnown
            ? "Unknown: check by hand that the token has the scopes the profile needs."
            : scopes.missing.length
              ? codeList(scopes.missing)
              : `None: every ${viaApp ? "permission" : "scope"} the profile needs is granted.`,
        ),
      ),
      row(
        "Token expiry",
        h("span", { dataset: { field: "expiry" } }, describeExpiry(connection.expiresAt, { method, provider: connection.provider })),
        viaApp ? " Installation tokens live an hour; forgelink mints the next one before it ends." : "",
      ),
      row(
        "Status",
        h(
          "span",
          { dataset: { field: "status", status: connection.status }, class: connection.status === "active" ? "" : "status-error" },
          connection.status === "active" ? "Active" : viaApp ? "Not usable now: the checks below say why, and what to do." : method === "token" ? "Needs a new token: paste one under “Create an access token and paste it”." : "Needs a new authorization: connect again under “Paste the application's credentials and connect”.",
        ),
      ),
    ),
  );
}

/** Runs `testConnection` on the server and shows every check, and the summary as it found it. */
export async function runReport(record, choices) {
  const container = $("connection-checks");
  const button = $("test-connection");
  if (!record) return;
  container.setAttribute("aria-busy", "true");
  button.disabled = true;
  fill(container, h("p", { class: "muted" }, "Testing the connection…"));
  try {
    const { report } = await api("/api/test", { method: "POST", body: {} });
    showConnection(record, choices, report);
    const failed = report.checks.filter((c) => c.status === "fail").length;
    const warned = report.checks.filter((c) => c.status === "warn").length;
    fill(container,
      h(
        "p",
        { class: `status-line ${report.ok ? (warned ? "status-warning" : "status-ok") : "status-error"}`, dataset: { ok: String(report.ok) } },
        report.ok
          ? warned
            ? `Every check passed, with ${warned} ${warned === 1 ? "warning" : "warnings"}.`
            : "Every check passed."
          : `${failed} ${failed === 1 ? "check failed" : "checks failed"}: the guidance says how to fix ${failed === 1 ? "it" : "each"}.`,
      ),
      h(
        "ul",
        { class: "checks" },
        report.checks.map((check) =>
          h(
            "li",
            { class: `check check-${check.status}`, dataset: { check: check.name, status: check.status, code: check.code } },
            h("p", { class: "check-head" }, h("span", { class: "badge" }, STATUS_WORDS[check.status] ?? check.status), " ", h("strong", {}, CHECK_NAMES[check.name] ?? check.name), check.code ? [" ", h("code", { class: "diagnostic-code" }, check.code)] : ""),
            h("p", { class: "check-message" }, check.message),
            check.status !== "pass" && guidanceBlock(check.guidance),
          ),
        ),
      ),
    );
  } catch (error) {
    fill(container, errorCard(error));
  } finally {
    container.setAttribute("aria-busy", "false");
    button.disabled = false;
  }
}
