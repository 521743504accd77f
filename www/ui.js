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
/** A time in unix seconds, in words relative to now, with the clock time. */
export function whenInWords(seconds, now = Date.now()) {
  const delta = Math.round(seconds - now / 1000);
  const clock = new Date(seconds * 1000).toLocaleTimeString();
  if (Math.abs(delta) < 5) return `now (${clock})`;
  const amount = Math.abs(delta);
  const words = amount < 90 ? `${amount} seconds` : amount < 5400 ? `${Math.round(amount / 60)} minutes` : `${Math.round(amount / 3600)} hours`;
  return delta > 0 ? `in about ${words} (${clock})` : `about ${words} ago (${clock})`;
}

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
    // The guidance may say to wait until the time the error gives: this is that time.
    typeof error.retryAt === "number" && h("p", { class: "retry-at", dataset: { retryAt: String(error.retryAt) } }, `The provider allows calls again ${whenInWords(error.retryAt)}.`),
    guidanceBlock(guidance),
  );
}

/**
 * A provider's settings page (`"oauthApp"` or `"accessTokens"`) under `base`, as the package
 * knows it; null without a base, or for one the package cannot use.
 */
export function settingsPage(forgelink, provider, base, purpose) {
  if (!base) return null;
  try {
    return forgelink.settingsPages(provider, base)[purpose];
  } catch {
    return null;
  }
}

/** Replaces a container's content only when what it shows changed, so live regions announce
 * changes rather than every keystroke, and focus inside them survives unrelated typing. */
export function renderInto(container, key, build) {
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  container.replaceChildren(...[build()].flat().filter(Boolean));
}

// The whole card is the label, so a click anywhere on it chooses; the radio's name is only
// the title and the detail is its description, so a screen reader says each once.
export function radioChoice({ name, value, checked, title, detail, onChange }) {
  const id = nextId(name);
  return h(
    "label",
    { class: "choice", for: id },
    h("input", {
      type: "radio",
      id,
      name,
      value,
      checked,
      "aria-labelledby": `${id}-title`,
      "aria-describedby": detail ? `${id}-detail` : undefined,
      onchange: onChange,
    }),
    h(
      "span",
      { class: "choice-text" },
      h("span", { class: "choice-title", id: `${id}-title` }, title),
      detail && h("span", { class: "choice-detail", id: `${id}-detail` }, detail),
    ),
  );
}

/** Copies text; where the clipboard API is refused, falls back to a selection and the
 * legacy copy command, and as a last resort leaves the text selected for Ctrl+C. */
export async function copyText(text, button, statusEl, what) {
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      copied = true;
    }
  } catch {
    copied = false;
  }
  if (!copied) {
    const scratch = h("textarea", { class: "copy-scratch", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    scratch.remove();
    button.focus();
  }
  statusEl.textContent = copied ? `Copied ${what}.` : `Copying was blocked by the browser: select the text and press Ctrl+C (⌘C on a Mac).`;
  statusEl.dataset.copied = String(copied);
}

/** Replaces a container's children, skipping what is absent (`null`, `false`) as `h` does. */
export function fill(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}
