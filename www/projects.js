// Step 7: which projects to work on. Picked from the projects the account can see (searched
// and paged by `discoverProjects` on the server), pasted as lines (read by
// `parseRepositoryList`, with a diagnostic per bad line), minus what is left out.

import { api } from "/api.js";
import { errorCard, fill, guidanceBlock, h, nextId } from "/ui.js";

const $ = (id) => document.getElementById(id);
const MAX_EMPTY_PAGES = 20;

/** The exclusion lines: a path leaves out that project, `group/` everything under the group. */
function readExclusions(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

const excluded = (path, rules) => rules.some((rule) => (rule.endsWith("/") ? path.startsWith(rule) : path === rule));

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
  let pasted = [];
  let cursor = null;
  let search = "";
  let parseRun = 0;
  let loadRun = 0;

  function chosen() {
    const rules = readExclusions($("project-exclusions").value);
    return [...new Set([...picked, ...pasted])].filter((path) => !excluded(path, rules));
  }

  function renderChosen() {
    const list = chosen();
    const left = [...new Set([...picked, ...pasted])].length - list.length;
    fill($("chosen-projects"),
      h("p", { class: "status-line", dataset: { count: String(list.length) } }, list.length === 0 ? "No project chosen yet." : `${list.length} ${list.length === 1 ? "project" : "projects"} chosen${left ? `, ${left} left out` : ""}.`),
      list.length > 0 && h("ul", { class: "chosen-list" }, list.map((path) => h("li", { dataset: { project: path } }, h("code", {}, path)))),
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

  const parsePasted = debounce(async () => {
    const run = ++parseRun;
    const text = $("project-list").value;
    const container = $("project-list-diagnostics");
    try {
      const list = await api("/api/projects/parse", { method: "POST", body: { text } });
      if (run !== parseRun) return;
      pasted = list.repositories;
      $("project-list").setAttribute("aria-invalid", String(list.diagnostics.some((d) => d.severity === "error")));
      fill(container,
        ...list.diagnostics.map((d) =>
          h(
            "article",
            { class: `diagnostic diagnostic-${d.severity}`, dataset: { code: d.code, line: String(d.line) } },
            h("p", { class: "diagnostic-head" }, h("span", { class: "badge" }, `Line ${d.line}`), " ", h("code", { class: "diagnostic-code" }, d.code)),
            h("p", { class: "diagnostic-message" }, d.message),
            d.suggestion && h("p", { class: "suggestion" }, "Suggestion: ", h("code", {}, d.suggestion)),
          ),
        ),
      );
    } catch (error) {
      if (run === parseRun) fill(container, errorCard(error));
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
    reset() {
      picked.clear();
      pasted = [];
      $("project-list").value = "";
      $("project-exclusions").value = "";
      fill($("project-list-diagnostics"));
      renderChosen();
      loadPage({ more: false });
    },
  };
}
