// Step 7: which projects to work on. Picked from the projects the account can see (searched
// and paged by `discoverProjects` on the server), pasted as lines (read by
// `parseRepositoryList`, with a diagnostic per bad line, then looked up on the provider: only
// those found count), minus what is left out. A project where the account's role cannot create
// webhooks carries a warning wherever it is shown.

import { api } from "/api.js";
import { errorCard, fill, guidanceBlock, h, nextId, rich } from "/ui.js";

const $ = (id) => document.getElementById(id);
const MAX_EMPTY_PAGES = 20;

/** The exclusion lines, with their numbers: a path leaves out that project, `group/` everything under the group. */
function readExclusions(text) {
  return text
    .split("\n")
    .map((line, index) => ({ line: index + 1, rule: line.trim() }))
    .filter(({ rule }) => rule !== "" && !rule.startsWith("#"));
}

// Compared without case, as the providers route paths.
const leavesOut = (rule, path) => {
  const [r, p] = [rule.toLowerCase(), path.toLowerCase()];
  return r.endsWith("/") ? p.startsWith(r) : p === r;
};

/** The warning for a project where the account's role cannot create webhooks, or null. */
function roleWarning(project) {
  const access = project && project.webhookAccess;
  if (!access || access.allowed) return null;
  return h(
    "p",
    { class: "role-warning", dataset: { neededRole: access.neededRole, role: project.role } },
    h("span", { class: "badge badge-warning" }, `Needs ${access.neededRole}`),
    " ",
    ...rich(`Creating webhooks here needs the **${access.neededRole}** role or higher, and this account is **${project.role}**. Ask a ${access.neededRole} to raise the role first, or choose it anyway: registering then shows what is left to do by hand.`),
  );
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function startProjects() {
  const discovered = new Map();
  const picked = new Set();
  // The pasted projects the provider knows, by the path it gives them.
  const pasted = new Map();
  let cursor = null;
  let search = "";
  let parseRun = 0;
  let loadRun = 0;

  const candidates = () => [...new Set([...picked, ...pasted.keys()])];

  function chosen() {
    const rules = readExclusions($("project-exclusions").value);
    return candidates().filter((path) => !rules.some(({ rule }) => leavesOut(rule, path)));
  }

  function renderChosen() {
    const rules = readExclusions($("project-exclusions").value);
    const all = candidates();
    const list = chosen();
    const left = all.filter((path) => !list.includes(path));
    // A rule that leaves nothing out is a typo or a project not chosen: say so rather than
    // let it pass unnoticed.
    const idle = rules.filter(({ rule }) => !all.some((path) => leavesOut(rule, path)));
    const count = (n) => `${n} ${n === 1 ? "project" : "projects"}`;
    fill($("chosen-projects"),
      h("p", { class: "status-line", dataset: { count: String(list.length) } }, list.length === 0 ? "No project chosen yet." : `${count(list.length)} chosen.`),
      list.length > 0 &&
        h("ul", { class: "chosen-list" }, list.map((path) => {
          const project = discovered.get(path) ?? pasted.get(path);
          return h("li", { dataset: { project: path } }, h("code", {}, path), roleWarning(project));
        })),
      left.length > 0 &&
        h("div", { class: "left-out", dataset: { leftOut: String(left.length) } },
          h("p", { class: "status-line" }, `${left.length} left out:`),
          h("ul", { class: "left-out-list" }, left.map((path) => h("li", { dataset: { project: path } }, h("code", {}, path)))),
        ),
      idle.length > 0 &&
        h("div", { class: "left-out-idle", dataset: { idle: String(idle.length) } },
          idle.map(({ line, rule }) =>
            h("p", { class: "diagnostic diagnostic-warning", dataset: { line: String(line) } },
              h("span", { class: "badge" }, `Leave out, line ${line}`), " ",
              ...rich(`\`${rule}\` leaves out no chosen project. Check its spelling, or end a group with \`/\` to leave out everything under it.`)),
          ),
        ),
    );
  }

  function projectItem(project) {
    const id = nextId("project");
    const details = [project.name && project.name !== project.path.split("/").pop() ? project.name : null, project.role ? `role: ${project.role}` : null, project.defaultBranch ? `default branch: ${project.defaultBranch}` : null].filter(Boolean);
    return h(
      "li",
      { class: "project", dataset: { project: project.path } },
      h("input", {
        type: "checkbox",
        id,
        checked: picked.has(project.path),
        "aria-describedby": `${id}-details`,
        onchange: (event) => {
          if (event.currentTarget.checked) picked.add(project.path);
          else picked.delete(project.path);
          renderChosen();
        },
      }),
      h("label", { for: id }, h("code", {}, project.path)),
      h(
        "span",
        { class: "project-details", id: `${id}-details` },
        details.join(" · "),
        project.sha256 && [" ", h("span", { class: "badge badge-sha256", title: "This repository names its objects with SHA-256; tools that only read SHA-1 object names cannot read it." }, "SHA-256 objects")],
      ),
      roleWarning(project),
      // forgelink's guidance for the repository (SHA-256 object names, for one), folded under its title.
      project.guidance &&
        h(
          "details",
          { class: "project-guidance", dataset: { code: project.guidance.code } },
          h("summary", {}, project.guidance.title),
          guidanceBlock(project.guidance, "h4"),
        ),
    );
  }

  async function loadPage({ more }) {
    const results = $("project-results");
    const button = $("search-projects");
    // A new search overtakes a page still loading: only the latest request may show its answer.
    const run = ++loadRun;
    if (!more) {
      search = $("project-search").value.trim();
      cursor = null;
      discovered.clear();
    }
    results.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      const params = new URLSearchParams();
      if (search) params.set("search", search);
      if (cursor) params.set("cursor", cursor);
      // Where the provider cannot search (GitHub lists every repository), forgelink filters each
      // page: an empty page with more to come is not "no match" yet, so keep reading a while.
      let page = await api(`/api/projects?${params}`);
      for (let extra = 0; page.projects.length === 0 && page.nextCursor && extra < MAX_EMPTY_PAGES; extra += 1) {
        if (run !== loadRun) return;
        params.set("cursor", page.nextCursor);
        page = await api(`/api/projects?${params}`);
      }
      if (run !== loadRun) return;
      for (const project of page.projects) discovered.set(project.path, project);
      cursor = page.nextCursor;
      const items = [...discovered.values()];
      fill(results,
        h("p", { class: "status-line", dataset: { shown: String(items.length) } }, items.length === 0 ? (search ? `No project matches “${search}”.` : "This account sees no project.") : `${items.length} ${items.length === 1 ? "project" : "projects"} shown${cursor ? ", more to load" : ""}.`),
        items.length > 0 && h("ul", { class: "project-list", "aria-label": "Projects this account can see" }, items.map(projectItem)),
        cursor && h("button", { type: "button", class: "button button-secondary", id: "more-projects", onclick: () => loadPage({ more: true }).then(() => $("project-results").querySelector(".project-list li:last-child input")?.focus()) }, "Show more projects"),
      );
    } catch (error) {
      if (run === loadRun) fill(results, errorCard(error));
    } finally {
      if (run === loadRun) {
        results.setAttribute("aria-busy", "false");
        button.disabled = false;
      }
    }
  }

  /** What the provider said of one pasted project: not seen (with guidance), or found with a role warning. */
  function checkItem(check) {
    if (check.status === "found") {
      const warning = roleWarning(check.project);
      return warning && h("article", { class: "diagnostic diagnostic-warning project-check", dataset: { project: check.project.path, status: "role" } }, h("p", { class: "diagnostic-head" }, h("code", {}, check.project.path)), warning);
    }
    return h(
      "article",
      { class: "diagnostic diagnostic-error project-check", dataset: { project: check.path, status: check.status } },
      h("p", { class: "diagnostic-head" }, h("span", { class: "badge" }, "Not found"), " ", h("code", {}, check.path)),
      h("p", { class: "diagnostic-message" }, ...rich(`This account sees no project \`${check.path}\`: it does not exist, or the account has no access to it. It is not chosen.`)),
      guidanceBlock(check.guidance, "h4"),
    );
  }

  const parsePasted = debounce(async () => {
    const run = ++parseRun;
    const text = $("project-list").value;
    const container = $("project-list-diagnostics");
    // A project counts as chosen once the provider has said it exists, not before.
    pasted.clear();
    container.setAttribute("aria-busy", "true");
    try {
      const list = await api("/api/projects/parse", { method: "POST", body: { text } });
      if (run !== parseRun) return;
      const lineDiagnostics = list.diagnostics.map((d) =>
        h(
          "article",
          { class: `diagnostic diagnostic-${d.severity}`, dataset: { code: d.code, line: String(d.line) } },
          h("p", { class: "diagnostic-head" }, h("span", { class: "badge" }, `Line ${d.line}`), " ", h("code", { class: "diagnostic-code" }, d.code)),
          h("p", { class: "diagnostic-message" }, ...rich(d.message)),
          d.suggestion && h("p", { class: "suggestion" }, "Suggestion: ", h("code", {}, d.suggestion)),
          guidanceBlock(d.guidance, "h4"),
        ),
      );
      fill(container, ...lineDiagnostics);
      const checked = list.repositories.length > 0 ? (await api("/api/projects/check", { method: "POST", body: { projects: list.repositories } })).projects : [];
      if (run !== parseRun) return;
      for (const check of checked) if (check.status === "found") pasted.set(check.project.path, check.project);
      const bad = list.diagnostics.some((d) => d.severity === "error") || checked.some((c) => c.status !== "found");
      $("project-list").setAttribute("aria-invalid", String(bad));
      fill(container, ...lineDiagnostics, ...checked.map(checkItem));
    } catch (error) {
      if (run === parseRun) fill(container, errorCard(error));
    } finally {
      if (run === parseRun) container.setAttribute("aria-busy", "false");
    }
    renderChosen();
  }, 250);

  $("search-projects").addEventListener("click", () => loadPage({ more: false }));
  $("project-search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      loadPage({ more: false });
    }
  });
  $("project-list").addEventListener("input", parsePasted);
  $("project-exclusions").addEventListener("input", renderChosen);

  return {
    chosen,
    reset(record) {
      // A GitHub App sees the repositories it is installed on, and no others.
      const source = $("project-source");
      const installation = record && record.method === "github-app" ? record.connection.installation : null;
      source.hidden = !installation;
      fill(source, installation && [
        `These are the repositories the app is installed on${installation.repositorySelection === "all" ? ` (every repository of ${installation.account.login})` : ", as picked when installing"}. To add others, `,
        installation.htmlUrl ? h("a", { href: installation.htmlUrl, target: "_blank", rel: "noopener noreferrer" }, "configure the installation on GitHub", h("span", { class: "visually-hidden" }, " (opens in a new tab)")) : "configure the installation on GitHub",
        ", then search again.",
      ]);
      picked.clear();
      pasted.clear();
      $("project-list").value = "";
      $("project-exclusions").value = "";
      fill($("project-list-diagnostics"));
      renderChosen();
      loadPage({ more: false });
    },
  };
}
