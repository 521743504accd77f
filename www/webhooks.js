// Steps 8 and 9: registering a webhook on each chosen project (one result per project, the
// manual setup where the account may not create hooks), and the deliveries this product's
// server receives, shown live as forgelink read them.

import { api, streamUrl } from "/api.js";
import { elapsedCounter } from "/progress.js";
import { copyText, fill, guidanceBlock, h, nextId } from "/ui.js";

const $ = (id) => document.getElementById(id);

const RESULT_WORDS = {
  pending: "Waiting",
  registering: "Registering",
  created: "Created",
  updated: "Updated",
  removed: "Removed",
  manual_setup_required: "Needs an administrator",
  failed: "Failed",
  not_started: "Not started",
  covered_by_app: "Covered by the app's webhook",
};

function copyable(label, value, what) {
  const id = nextId("copy");
  const status = h("p", { class: "copy-status", role: "status" });
  const button = h("button", { type: "button", class: "button button-small", "aria-label": `Copy ${what}` }, "Copy");
  button.addEventListener("click", () => copyText(value, button, status, what));
  return [h("dt", { id: `${id}-label` }, label), h("dd", {}, h("div", { class: "copy-row" }, h("code", { "aria-labelledby": `${id}-label`, dataset: { copy: what } }, value), button), status)];
}

function manualSetupBlock(setup) {
  return h(
    "div",
    { class: "manual-setup" },
    h("p", {}, "This account may not create webhooks here. Ask a project or repository administrator to add one with exactly these settings:"),
    h("dl", { class: "facts" }, copyable("URL", setup.url, "the webhook URL"), copyable("Secret", setup.secret, "the webhook secret"), [h("dt", {}, "Events"), h("dd", {}, setup.events.map((e, i) => [i ? ", " : "", h("code", {}, e)]))]),
    h("ol", { class: "guidance-steps" }, setup.steps.map((s) => h("li", {}, s))),
  );
}

function resultItem(result, ...extra) {
  return h(
    "li",
    { class: `hook-result hook-${result.status}`, dataset: { project: result.project, status: result.status, code: result.code } },
    h("p", { class: "check-head" }, h("span", { class: "badge" }, RESULT_WORDS[result.status] ?? result.status), " ", h("code", {}, result.project), result.hookId ? ` — hook ${result.hookId}` : "", result.code ? [" ", h("code", { class: "diagnostic-code" }, result.code)] : "", extra),
    result.message && h("p", { class: "check-message" }, result.message),
    result.status === "failed" && guidanceBlock(result.guidance),
    result.manualSetup && manualSetupBlock(result.manualSetup),
  );
}

/** Where registering stands: how many are done so far, then what became of them all. */
function summaryLine(results, total) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const failed = count("failed");
  const manual = count("manual_setup_required");
  const notStarted = count("not_started");
  const covered = count("covered_by_app");
  const registered = results.length - failed - manual - notStarted - covered;
  const tally = [
    registered || !covered ? `${registered} registered` : null,
    covered ? `${covered} covered by the app's webhook` : null,
    manual ? `${manual} to set up by an administrator` : null,
    failed ? `${failed} failed` : null,
    notStarted ? `${notStarted} not started (stopped; register again to include ${notStarted === 1 ? "it" : "them"})` : null,
  ]
    .filter(Boolean)
    .join(", ");
  const done = results.length === total;
  return h(
    "p",
    { class: `hook-summary status-line ${failed ? "status-error" : manual || notStarted ? "status-warning" : done ? "status-ok" : ""}`, dataset: { done: String(done) } },
    done ? `${tally}.` : `Registering on ${total} ${total === 1 ? "project" : "projects"}, one at a time: ${results.length} of ${total} done so far.`,
  );
}

export function startWebhooks(choices, chosenProjects) {
  let record = null;

  // One request per project, in turn: each project's row changes as soon as its own answer
  // arrives, instead of the whole list waiting for the slowest provider call. Only the row under
  // way is busy: the list itself stays a live region that announces each answer as it lands.
  $("register-webhooks").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const results = $("webhook-results");
    const projects = chosenProjects();
    if (projects.length === 0) {
      fill(results, h("p", { class: "status-line status-error" }, "Choose at least one project in the step above first."));
      return;
    }
    button.disabled = true;
    const rows = new Map(projects.map((project) => [project, resultItem({ project, status: "pending" })]));
    const list = h("ul", { class: "checks hook-results" }, [...rows.values()]);
    const answered = [];
    let summary = summaryLine(answered, projects.length);
    // Stopping is safe between projects only: the request under way finishes and its hook is
    // recorded, so nothing is left half made on the provider.
    let stopping = false;
    const stop = h("button", { type: "button", class: "button button-secondary", id: "stop-registering" }, "Stop after this project");
    stop.addEventListener("click", () => {
      stopping = true;
      stop.disabled = true;
      stop.textContent = "Stopping after this project…";
    });
    fill(results, summary, projects.length > 1 && stop, list);
    const advance = (result) => {
      answered.push(result);
      const next = summaryLine(answered, projects.length);
      summary.replaceWith(next);
      summary = next;
    };
    try {
      for (const project of projects) {
        if (stopping) {
          const result = { project, status: "not_started", message: "Not registered: registering stopped before this project." };
          rows.get(project).replaceWith(resultItem(result));
          advance(result);
          continue;
        }
        const counter = elapsedCounter();
        const row = resultItem({ project, status: "registering" }, " ", counter.element);
        row.setAttribute("aria-busy", "true");
        rows.get(project).replaceWith(row);
        let result;
        try {
          [result] = (await api("/api/webhooks", { method: "POST", body: { projects: [project] } })).results;
        } catch (error) {
          result = { project, status: "failed", code: error.code, message: error.message, guidance: error.guidance };
        } finally {
          counter.stop();
        }
        row.replaceWith(resultItem(result));
        advance(result);
      }
    } finally {
      stop.remove();
      button.disabled = false;
    }
  });

  return {
    reset(current) {
      record = current;
      const events = choices.forgelink.profiles().find((p) => p.id === record.profile)?.providers.find((n) => n.provider === record.connection.provider)?.webhookEvents ?? [];
      fill($("webhook-results"));
      if (record.method === "github-app") {
        // A GitHub App has one webhook for every repository it is installed on.
        const url = record.app && record.app.webhook ? record.app.webhook.url : null;
        fill($("webhook-intro"),
          h("p", { dataset: { coveredByApp: "true" } }, "The app's own webhook delivers the events of every repository it is installed on", url ? [" to ", h("code", { id: "webhook-url" }, url)] : "", ": no repository webhook is made. Registering records the chosen projects as the ones to watch (and to poll), and checks that the app covers each."),
          record.app && record.app.events.length > 0 && h("p", {}, "Events the app subscribes to: ", record.app.events.map((e, i) => [i ? ", " : "", h("code", {}, e)]), "."),
        );
        return;
      }
      fill($("webhook-intro"),
        h("p", {}, "Each chosen project gets a webhook with its own secret, kept encrypted by this product's server, and its own delivery address under ", h("code", { id: "webhook-url" }, `${choices.config.webhookUrl}/`), ": where a delivery arrives tells the server whose it is."),
        events.length > 0 && h("p", {}, "Events: ", events.map((e, i) => [i ? ", " : "", h("code", {}, e.name)]), "."),
      );
    },
  };
}

const STATUS_CLASS = { accepted: "ok", found: "ok", duplicate: "warning", ignored: "warning", rejected: "error" };

/** The normalised states in the words a card leads with. */
const STATE_WORDS = { pending: "pending", running: "running", success: "passed", failure: "failed", canceled: "canceled", skipped: "skipped", manual: "waiting for a manual start" };

/** The outcome an event reports, from its pipeline, job or commit status: `failed`, `passed`, … */
export function outcomeOf(d) {
  const state = (d.pipeline && d.pipeline.status) ?? (d.job && d.job.status) ?? (d.commitStatus && d.commitStatus.state) ?? null;
  return state ? STATE_WORDS[state] ?? state : null;
}

/** One delivery (or one event a poll found) as a card: what forgelink read, and what became of it. */
export function deliveryItem(d) {
  const outcome = outcomeOf(d);
  const what = [d.kind ?? d.event ?? "unknown event", d.action, outcome].filter(Boolean).join(" · ");
  const row = (term, value) => value !== null && value !== undefined && value !== "" && [h("dt", {}, term), h("dd", {}, value)];
  return h(
    "li",
    { class: `delivery delivery-${STATUS_CLASS[d.status] ?? "error"}`, dataset: { status: d.status, kind: d.kind ?? "", outcome: outcome ?? "", repository: d.repository ?? "", id: String(d.id) } },
    h("p", { class: "check-head" }, h("span", { class: "badge" }, d.status), " ", h("strong", {}, what), d.repository ? [" on ", h("code", {}, d.repository)] : "", h("span", { class: "muted" }, ` — ${new Date(d.receivedAt).toLocaleTimeString()}`)),
    h(
      "dl",
      { class: "facts delivery-facts" },
      row("Provider event", d.event && h("code", {}, d.event)),
      row("Ref", d.ref && h("code", {}, d.ref)),
      row("Commit", d.commitSha && h("code", {}, d.commitSha.slice(0, 12))),
      row("Pipeline", d.pipeline && `${d.pipeline.status} (${d.pipeline.rawStatus})`),
      row("Job", d.job && `${d.job.name ?? d.job.id}: ${d.job.status}${d.job.failureReason ? `, ${d.job.failureReason}` : ""}`),
      row("Commit status", d.commitStatus && `${STATE_WORDS[d.commitStatus.state] ?? d.commitStatus.state} (${d.commitStatus.rawState})${d.commitStatus.key ? `, ${d.commitStatus.key}` : ""}`),
      row("Merge request", d.mergeRequest && `#${d.mergeRequest.number} ${d.mergeRequest.title ?? ""}`),
      row("By", d.sender),
      row("Delivery", d.deliveryId && h("code", {}, d.deliveryId)),
    ),
    d.status === "duplicate" && h("p", { class: "check-message" }, "A copy of a delivery already accepted (a redelivery or a retry): not acted on again."),
    d.status === "ignored" && h("p", { class: "check-message" }, "Authentic, from the GitHub App's webhook, about an installation no connection holds (yet): answered, not acted on."),
    d.status === "found" && h("p", { class: "check-message" }, "Found by polling: no delivery reported it. A delivery of the same state arriving later is a duplicate."),
    d.status === "rejected" && [h("p", { class: "check-message" }, h("code", { class: "diagnostic-code" }, d.code ?? ""), " ", d.message ?? ""), guidanceBlock(d.guidance)],
  );
}

/**
 * Follows the server's delivery stream; the browser reconnects by itself and resumes after the
 * last one seen. A stream the server refused (its session renewed meanwhile) is opened again
 * once with a fresh token.
 */
export function startDeliveries(config) {
  const list = $("deliveries");
  const status = $("deliveries-status");
  const seen = new Set();
  let shownFor = null;
  const waiting = () => (seen.size === 0 ? `Waiting for deliveries at ${config.webhookUrl}/….` : `Receiving at ${config.webhookUrl}/…: ${seen.size} so far.`);
  const gone = "Lost the connection to this product's server; reload the page to see new deliveries.";
  const follow = async (renew) => {
    let source;
    try {
      source = new EventSource(await streamUrl("/api/deliveries/stream", { renew }));
    } catch {
      status.textContent = gone;
      return;
    }
    source.addEventListener("open", () => {
      status.textContent = waiting();
    });
    source.addEventListener("error", () => {
      // CLOSED: the server answered with an error rather than dropping the connection, and
      // the browser gives up; anything else, it reconnects by itself.
      if (source.readyState !== EventSource.CLOSED) status.textContent = "Lost the connection to this product's server; reconnecting…";
      else if (!renew) follow(true);
      else status.textContent = gone;
    });
    source.addEventListener("delivery", (event) => {
      const entry = JSON.parse(event.data);
      if (seen.has(entry.id)) return;
      seen.add(entry.id);
      list.prepend(deliveryItem(entry));
      status.textContent = waiting();
    });
  };
  follow(false);
  return {
    /** The server streams only the connection's deliveries; those of the one before leave the view with it. */
    reset(record) {
      const id = record.connection.id;
      if (shownFor !== null && shownFor !== id) {
        list.replaceChildren();
        seen.clear();
        status.textContent = waiting();
      }
      shownFor = id;
    },
  };
}
