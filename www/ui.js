// What the wizard's pages share: loading the package, building elements without ever parsing
// HTML from strings, and showing an error or guidance the same way everywhere.

/** Imports the package and loads its wasm. A dynamic import, so a missing or broken package
 * becomes a message on the page rather than a module that silently fails to link. */
export async function loadForgelink() {
  try {
    const forgelink = await import("/pkg/index.js");
    await forgelink.init();
    return forgelink;
  } catch (error) {
    const status = document.getElementById("load-status");
    if (status) {
      status.className = "notice notice-error";
      status.textContent =
        "The forgelink package could not be loaded from /pkg/index.js. Build it with `make pkg`, then reload. " +
        `(${error && error.message ? error.message : error})`;
    }
    document.documentElement.dataset.ready = "error";
    throw error;
  }
}

/** Builds an element; children are nodes or strings (always inserted as text, never as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `**bold**` and `` `code` `` in the page's own instruction text, as elements. */
export function rich(text) {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/).map((part) => {
    if (part.startsWith("**")) return h("strong", {}, part.slice(2, -2));
    if (part.startsWith("`")) return h("code", {}, part.slice(1, -1));
    return part;
  });
}

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export function guidanceBlock(guidance, headingLevel = "h4") {
  if (!guidance) return null;
  return h(
    "div",
    { class: "guidance" },
    h(headingLevel, { class: "guidance-title" }, guidance.title),
    h("p", {}, guidance.summary),
    guidance.steps && guidance.steps.length > 0 && h("ol", { class: "guidance-steps" }, guidance.steps.map((step) => h("li", {}, step))),
    guidance.docsUrl &&
      h(
        "p",
        { class: "guidance-docs" },
        h(
          "a",
          { href: guidance.docsUrl, target: "_blank", rel: "noopener noreferrer" },
          "Read the provider's documentation",
          h("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        ),
      ),
  );
}

/** A thrown ForgelinkError: its code, message, what the provider said, and the fix (its own
 * guidance unless the caller has guidance more specific to the provider). */
export function errorCard(error, guidance = error && error.guidance) {
  if (!error || typeof error.code !== "string") {
    return h(
      "div",
      { class: "diagnostic diagnostic-error" },
      h("p", { class: "diagnostic-message" }, `Unexpected failure: ${error && error.message ? error.message : error}`),
    );
  }
  return h(
    "article",
    { class: "diagnostic diagnostic-error", dataset: { code: error.code } },
    h("p", { class: "diagnostic-head" }, h("span", { class: "badge" }, "Error"), " ", h("code", { class: "diagnostic-code" }, error.code)),
    h("p", { class: "diagnostic-message" }, error.message),
    error.providerDetail && h("p", { class: "provider-detail" }, "Details: ", h("code", {}, error.providerDetail)),
    guidanceBlock(guidance),
  );
}
