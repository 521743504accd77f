// Where the provider sends the person back. This page only proves the first page's work:
// the redirect URI was accepted and the answer carries the state the authorization URL sent.
// Exchanging the code for a token belongs to the server side of a later page, so the code is
// never shown and is dropped from the address bar at once.

import { errorCard, h, loadForgelink } from "/ui.js";

const PENDING_KEY = "forgelink-wizard.pending-authorization";
const NAMES = { github: "GitHub", gitlab: "GitLab", "bitbucket-cloud": "Bitbucket Cloud", "bitbucket-data-center": "Bitbucket Data Center" };

const { parseCallback, troubleshoot } = await loadForgelink();

const answerUrl = location.href;
history.replaceState(null, "", location.pathname);

let pending = null;
try {
  pending = JSON.parse(localStorage.getItem(PENDING_KEY) ?? "null");
  // A state is good for one answer only.
  localStorage.removeItem(PENDING_KEY);
} catch {
  pending = null;
}

const answer = document.getElementById("answer");
const name = pending && NAMES[pending.provider] ? NAMES[pending.provider] : "The provider";

if (!pending || typeof pending.state !== "string") {
  answer.append(
    h("h2", {}, "No authorization to check"),
    h(
      "p",
      {},
      "This browser has not opened an authorization URL from the setup page, or has already read its answer. " +
        "Open the authorization URL from step 4 of the setup page, then approve or decline access.",
    ),
  );
} else {
  try {
    parseCallback(answerUrl, pending.state);
    answer.dataset.outcome = "ok";
    answer.append(
      h("h2", {}, h("span", { class: "status-ok" }, `${name} sent an authorization code back`)),
      h(
        "p",
        {},
        "The application, its client ID and the redirect URI all work, and the state matches the one the authorization URL carried. " +
          "Exchanging the code for a token, with the client secret, happens on the server in the next step of the setup.",
      ),
    );
  } catch (error) {
    answer.dataset.outcome = "error";
    // parseCallback does not know the provider; the setup page said which one it was, and
    // its guidance names that provider's own menus.
    let guidance = error && error.guidance;
    try {
      if (error && typeof error.code === "string" && NAMES[pending.provider]) guidance = troubleshoot(error.code, pending.provider);
    } catch {
      // Keep the error's own guidance.
    }
    answer.append(h("h2", {}, `${name} did not send a usable answer`), errorCard(error, guidance));
  }
}

document.getElementById("load-status").remove();
answer.hidden = false;
document.documentElement.dataset.ready = "true";
