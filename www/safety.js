// Step 10: the safety net and feedback. The mode (webhooks, polling, or webhooks with polling as
// a safety net), a poll on demand showing what it found (as the delivery cards show
// deliveries), how many events were already reported, when the next poll is due and the
// provider's rate limit; and a comment posted on a merge request or a commit, updated in place
// when posted again with the same key.

import { api } from "/api.js";
import { elapsedCounter } from "/progress.js";
import { deliveryItem } from "/webhooks.js";
import { errorCard, fill, guidanceBlock, h, radioChoice, whenInWords } from "/ui.js";

const $ = (id) => document.getElementById(id);

const MODES = [
  { id: "hybrid", title: "Webhooks, with polling as a safety net", detail: "Recommended: deliveries arrive at once, and a poll finds what a lost delivery carried." },
  { id: "webhook", title: "Webhooks only", detail: "Deliveries only; a poll sends nothing." },
  { id: "polling", title: "Polling only", detail: "For a provider that cannot reach this product's server." },
];

/** How each provider names a merge request. */
const MERGE_REQUEST_WORDS = { gitlab: ["merge request", "!"], github: ["pull request", "#"], "bitbucket-cloud": ["pull request", "#"], "bitbucket-data-center": ["pull request", "#"] };

function rateLimitLine(rate) {
  if (!rate) return null;
  const reset = rate.resetAt ? `, the window resets ${whenInWords(rate.resetAt)}` : "";
  if (rate.remaining === 0 || (rate.retryAfter ?? 0) > 0) {
    const wait = rate.retryAfter ? `; the provider asks to wait ${rate.retryAfter} seconds` : "";
    return h("p", { class: "status-line status-error", dataset: { rateLimit: "spent" } }, `Rate limit reached: no calls left${reset}${wait}.`);
  }
  if (rate.remaining === null || rate.remaining === undefined) return rate.nearLimit ? h("p", { class: "status-line status-warning", dataset: { rateLimit: "near" } }, "The provider warns that few calls are left.") : null;
  const of = rate.limit ? ` of ${rate.limit.toLocaleString()}` : "";
  return h("p", { class: `status-line ${rate.nearLimit ? "status-warning" : ""}`, dataset: { rateLimit: String(rate.remaining) } }, `Rate limit: ${rate.remaining.toLocaleString()}${of} calls left${reset}.`);
}

const PROJECT_WORDS = { complete: "Read", partial: "Partly read", failed: "Failed" };

function projectOutcome(p) {
  const state = p.code ? "failed" : p.complete ? "complete" : "partial";
  return h(
    "li",
    { class: `poll-project poll-project-${state}`, dataset: { project: p.project, state, code: p.code } },
    h(
      "p",
      {},
      h("span", { class: "badge" }, PROJECT_WORDS[state]),
      " ",
      h("code", {}, p.project),
      p.code
        ? [": could not be read (", h("code", { class: "diagnostic-code" }, p.code), ")."]
        : [`: ${p.events} new, ${p.duplicates} already reported`, p.complete ? "" : "; not read in full, so it is read again from the same point next time", "."],
    ),
  );
}

/**
 * When the provider allows the next call, in unix seconds, from what the poll read: its
 * `Retry-After`, else the time its rate-limit window resets. Null when it gave neither.
 */
export function retryAt(result, now = Date.now()) {
  const rate = result.rateLimit;
  if (!rate) return null;
  if (rate.retryAfter) return Math.round(now / 1000) + rate.retryAfter;
  if (rate.resetAt && (rate.remaining === 0 || rate.nearLimit)) return rate.resetAt;
  return null;
}

/** The projects that failed, grouped by what went wrong: each cause and its fix once. */
function failureGroups(result) {
  const groups = new Map();
  for (const p of result.projects) {
    if (!p.code) continue;
    const key = `${p.code}\n${p.message ?? ""}`;
    if (!groups.has(key)) groups.set(key, { code: p.code, message: p.message ?? "", guidance: p.guidance ?? null, projects: [] });
    groups.get(key).projects.push(p.project);
  }
  return [...groups.values()];
}

function failureBlock(group, retry) {
  const rateLimited = /rate_limit/.test(group.code);
  return h(
    "div",
    { class: "poll-failure", dataset: { code: group.code, projects: String(group.projects.length) } },
    h(
      "p",
      { class: "check-head" },
      h("code", { class: "diagnostic-code" }, group.code),
      ` on ${group.projects.length === 1 ? "" : `${group.projects.length} projects: `}`,
      group.projects.map((name, i) => [i ? ", " : "", h("code", {}, name)]),
    ),
    group.message && h("p", { class: "check-message" }, group.message),
    rateLimited && h(
      "p",
      { class: "status-line status-error", dataset: { retryAt: retry === null ? "" : String(retry) } },
      retry === null ? "The provider did not say when calls are allowed again." : `The provider allows calls again ${whenInWords(retry)}.`,
    ),
    guidanceBlock(group.guidance),
  );
}

function pollSummary(result) {
  if (result.status === "disabled") {
    return [h("p", { class: "status-line status-warning", dataset: { pollStatus: "disabled" } }, "Webhooks only: polling is off, so nothing was read. Choose a mode with polling to poll.")];
  }
  const found = result.events.length;
  const failed = result.projects.filter((p) => p.code);
  const groups = failureGroups(result);
  const counts = `${found === 0 ? "nothing new" : `${found} new ${found === 1 ? "event" : "events"}`}, ${result.duplicates} already reported by a delivery or an earlier poll.`;
  let headline;
  let tone;
  if (failed.length > 0 && failed.length === result.projects.length) {
    // Nothing was read: the headline is the failure, not an empty result.
    const causes = groups.map((g) => g.message || g.code).join(" ");
    headline = `The poll failed: no project could be read. ${causes}`;
    tone = "status-error";
  } else if (failed.length > 0) {
    headline = `${failed.length} of ${result.projects.length} projects could not be read; from the others, ${counts}`;
    tone = "status-error";
  } else {
    headline = `${counts[0].toUpperCase()}${counts.slice(1)}${result.status === "incomplete" ? " Some projects were not read in full." : ""}`;
    tone = result.status === "complete" ? "status-ok" : "status-warning";
  }
  const retry = retryAt(result);
  return [
    h("p", { class: `status-line ${tone}`, dataset: { pollStatus: result.status, found: String(found), duplicates: String(result.duplicates), failed: String(failed.length) } }, headline),
    result.nextPollAt && h("p", { class: "status-line", dataset: { nextPollAt: String(result.nextPollAt) } }, `Next poll due ${whenInWords(result.nextPollAt)}.`),
    rateLimitLine(result.rateLimit),
    h("ul", { class: "poll-projects", "aria-label": "Each project's poll" }, result.projects.map(projectOutcome)),
    groups.map((g) => failureBlock(g, retry)),
    found > 0 && h("ol", { class: "deliveries", id: "poll-events", "aria-label": "Events the poll found" }, result.events.map(deliveryItem)),
  ];
}

export function startSafetyNet(chosenProjects) {
  let record = null;
  let target = "merge_request";
  let mode = "hybrid";

  function projects() {
    return [...new Set([...(chosenProjects() ?? []), ...((record && record.projects) || [])])];
  }

  function renderModes() {
    fill($("sync-mode-options"),
      MODES.map((m) =>
        radioChoice({
          name: "sync-mode",
          value: m.id,
          checked: m.id === mode,
          title: m.title,
          detail: m.detail,
          onChange: () => saveMode(m.id),
        }),
      ),
    );
  }

  async function saveMode(next) {
    const status = $("sync-mode-status");
    status.textContent = "Saving the mode…";
    try {
      const answer = await api("/api/poll/mode", { method: "POST", body: { mode: next } });
      mode = answer.mode;
      status.textContent = `Saved: ${MODES.find((m) => m.id === mode).title.toLowerCase()}.`;
    } catch (error) {
      status.textContent = "";
      // The mode did not change: show the one still in force.
      renderModes();
      fill($("poll-results"), errorCard(error));
    }
  }

  function renderTargets() {
    const [word] = MERGE_REQUEST_WORDS[record ? record.connection.provider : "gitlab"] ?? MERGE_REQUEST_WORDS.gitlab;
    fill($("feedback-target-options"),
      [
        { id: "merge_request", title: `On a ${word}`, detail: `Where the change is reviewed: a comment on its conversation.` },
        { id: "commit", title: "On a commit", detail: "A comment on the commit itself, for a change pushed without review." },
      ].map((t) =>
        radioChoice({
          name: "feedback-target",
          value: t.id,
          checked: t.id === target,
          title: t.title,
          detail: t.detail,
          onChange: () => {
            target = t.id;
            showTarget();
          },
        }),
      ),
    );
    $("feedback-merge-request-label").textContent = `${word[0].toUpperCase()}${word.slice(1)} number`;
    showTarget();
  }

  function showTarget() {
    for (const field of document.querySelectorAll("[data-feedback-target]")) field.hidden = field.dataset.feedbackTarget !== target;
  }

  function renderProjectChoices() {
    const select = $("feedback-project");
    const current = select.value;
    const list = projects();
    fill(select, list.length === 0 ? h("option", { value: "" }, "Choose projects under “Choose the projects” first") : list.map((p) => h("option", { value: p, selected: p === current }, p)));
  }

  /** Offers what a poll found as where to post: the merge request it saw, the commit of a failure. */
  function suggest(result) {
    const events = result.events ?? [];
    const failed = events.find((e) => (e.pipeline && e.pipeline.status === "failure") || (e.job && e.job.status === "failure") || (e.commitStatus && e.commitStatus.state === "failure"));
    const mr = events.find((e) => e.mergeRequest && e.mergeRequest.number);
    const anchor = failed ?? mr;
    if (anchor && anchor.repository && projects().includes(anchor.repository)) $("feedback-project").value = anchor.repository;
    if (mr && !$("feedback-merge-request").value) $("feedback-merge-request").value = String(mr.mergeRequest.number);
    if (failed && failed.commitSha && !$("feedback-commit").value) $("feedback-commit").value = failed.commitSha;
  }

  // The project list follows the projects chosen above.
  new MutationObserver(() => renderProjectChoices()).observe($("chosen-projects"), { childList: true });

  $("poll-now").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const results = $("poll-results");
    const list = projects();
    if (list.length === 0) {
      fill(results, h("p", { class: "status-line status-error" }, "Choose projects under “Choose the projects”, or register webhooks on some, to poll them."));
      return;
    }
    button.disabled = true;
    results.setAttribute("aria-busy", "true");
    const counter = elapsedCounter();
    fill(results, h("p", { class: "progress-line", role: "status" }, `Polling ${list.length} ${list.length === 1 ? "project" : "projects"}…`, " ", counter.element));
    try {
      const result = await api("/api/poll", { method: "POST", body: { projects: list } });
      mode = result.mode;
      renderModes();
      fill(results, pollSummary(result));
      suggest(result);
    } catch (error) {
      fill(results, errorCard(error));
    } finally {
      counter.stop();
      button.disabled = false;
      results.setAttribute("aria-busy", "false");
    }
  });

  $("post-feedback").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = $("feedback-result");
    const body = $("feedback-body");
    const project = $("feedback-project").value;
    const problems = [];
    if (!project) problems.push("Choose a project.");
    if (target === "merge_request" && !/^\d+$/.test($("feedback-merge-request").value.trim())) problems.push("Type the number of the merge request.");
    if (target === "commit" && !/^[0-9a-f]{7,64}$/i.test($("feedback-commit").value.trim())) problems.push("Type the commit's SHA.");
    if (body.value.trim() === "") problems.push("Write the comment.");
    body.setAttribute("aria-invalid", String(body.value.trim() === ""));
    if (problems.length) {
      fill(result, h("p", { class: "status-line status-error" }, problems.join(" ")));
      return;
    }
    button.disabled = true;
    fill(result, h("p", { class: "muted" }, "Posting…"));
    try {
      const answer = await api("/api/feedback", {
        method: "POST",
        body: {
          project,
          target,
          mergeRequest: target === "merge_request" ? Number($("feedback-merge-request").value.trim()) : null,
          commitSha: target === "commit" ? $("feedback-commit").value.trim() : null,
          body: body.value,
          key: $("feedback-key").value.trim() || null,
        },
      });
      fill(result, feedbackOutcome(answer));
    } catch (error) {
      fill(result, errorCard(error));
    } finally {
      button.disabled = false;
    }
  });

  function feedbackOutcome({ project, mergeRequest, commitSha, result }) {
    const [word, sigil] = MERGE_REQUEST_WORDS[record.connection.provider] ?? MERGE_REQUEST_WORDS.gitlab;
    const where = result.target === "merge_request" ? `${word} ${sigil}${mergeRequest}` : `commit ${String(commitSha).slice(0, 12)}`;
    const verb = result.action === "created" ? "Created" : "Updated";
    return h(
      "div",
      { class: `hook-result hook-${result.action} feedback-outcome`, dataset: { action: result.action, target: result.target, commentId: result.commentId } },
      h(
        "p",
        { class: "check-head" },
        h("span", { class: "badge" }, verb),
        ` Comment ${result.commentId} on ${where} of `,
        h("code", {}, project),
        result.action === "updated" ? ": the earlier comment with this key was rewritten in place." : ": a new comment.",
      ),
      result.url && h("p", {}, h("a", { href: result.url, target: "_blank", rel: "noopener noreferrer" }, "Open the comment", h("span", { class: "visually-hidden" }, " (opens in a new tab)"))),
      result.skipped.length > 0 && h("ul", { class: "plain-list" }, result.skipped.map((s) => h("li", {}, `Not on the ${s.target.replace("_", " ")}: ${s.message}`))),
    );
  }

  return {
    reset(current) {
      record = current;
      mode = current.mode ?? "hybrid";
      target = "merge_request";
      renderModes();
      renderTargets();
      renderProjectChoices();
      $("sync-mode-status").textContent = "";
      fill($("poll-results"));
      fill($("feedback-result"));
    },
  };
}
