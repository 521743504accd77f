// Work whose end depends on how fast a provider answers: the page says at once what is under
// way and counts the seconds, so a slow answer never looks like nothing happening.

import { h } from "/ui.js";

/**
 * "12 s", counting up from now until `stop()`. Hidden from screen readers: a live region that
 * changed every second would talk over everything else; the words beside it say what is going on.
 */
export function elapsedCounter() {
  const started = Date.now();
  const element = h("span", { class: "elapsed", "aria-hidden": "true" }, "0 s");
  const timer = setInterval(() => {
    element.textContent = `${Math.floor((Date.now() - started) / 1000)} s`;
  }, 1000);
  return { element, stop: () => clearInterval(timer) };
}

/**
 * While `work` runs: `button` is marked busy, and a line under its row of actions says `what`
 * is under way, with the seconds elapsed. Both go once `work` settles.
 */
export async function showWhileRunning(button, what, work) {
  const counter = elapsedCounter();
  const line = h("p", { class: "progress-line", role: "status" }, what, " ", counter.element);
  (button.closest(".actions") ?? button).after(line);
  button.setAttribute("aria-busy", "true");
  try {
    return await work;
  } finally {
    counter.stop();
    line.remove();
    button.setAttribute("aria-busy", "false");
  }
}
