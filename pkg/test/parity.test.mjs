// Face parity: the functions the WebAssembly component exports (the WIT package in wit/) and
// the functions the npm package exports (`forgelink` and `forgelink/flows`) are the same set,
// but for the deliberate differences listed here, each with the reason. A function added to
// one face fails this test until it is added to the other or listed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import * as light from "../index.js";
import * as flows from "../flows.js";

const WIT = new URL("../../wit/", import.meta.url);

/** Every `interface name { ... }` of the WIT package: name → its own funcs, by WIT name. */
function witInterfaces() {
  const out = new Map();
  for (const file of readdirSync(WIT).filter((f) => f.endsWith(".wit"))) {
    const text = readFileSync(new URL(file, WIT), "utf8");
    for (const match of text.matchAll(/^interface ([a-z][a-z0-9-]*) \{\n([\s\S]*?)^\}/gm)) {
      // An interface's funcs sit one level in; a resource's methods would sit two.
      const funcs = [...match[2].matchAll(/^ {4}%?([a-z][a-z0-9-]*): func\b/gm)].map((m) => m[1]);
      out.set(match[1], funcs);
    }
  }
  return out;
}

/** The interfaces the world exports (its imports are what the host provides). */
function exportedInterfaces() {
  const world = readFileSync(new URL("world.wit", WIT), "utf8");
  return [...world.matchAll(/^\s*export ([a-z][a-z0-9-]*);/gm)].map((m) => m[1]);
}

/**
 * A WIT name as npm spells it: kebab-case to camelCase, and GitHub with its capital H inside a
 * name (`parse-github-app-setup` is `parseGitHubAppSetup`; a name that starts with it keeps
 * `github` lower-case, as `githubAppManifest`).
 */
function npmName(witName) {
  return witName.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase()).replace(/(?<=.)Github/g, "GitHub");
}

// The pure functions on one face only, on purpose.
const WIT_ONLY = new Map([
  // npm's detectToken takes the custom prefix as an optional second argument.
  ["detect-token-with-prefix", "detectToken(token, customPrefix)"],
]);
const NPM_ONLY = new Map([
  // Loads the WebAssembly module; a component is instantiated by its host.
  ["init", "the module's loader"],
  // The class every error is thrown as; WIT functions return `error` records.
  ["ForgelinkError", "the error class"],
  // The flows, as a class over fetch and storage; compared with the `flows` interface below.
  ["Forgelink", "the flows"],
  // Host implementations: the component imports `http` and `storage` from its host instead.
  ["fetchHost", "the http import"],
  ["memoryStorage", "the storage import"],
  // Implementations of the `signer` import for Node and for Web Crypto.
  ["nodeSigner", "the signer import"],
  ["webCryptoSigner", "the signer import"],
  // HTTP server adapters over Forgelink.receiveWebhook (Fetch API and Node's http).
  ["webhookHandler", "a server adapter"],
  ["createNodeMiddleware", "a server adapter"],
  // verifyWebhook and parseWebhook in one crossing into the module, for receivers without storage.
  ["verifyAndParseWebhook", "verify-webhook then parse-webhook"],
]);
// Flows methods on one face only, on purpose.
const FLOWS_WIT_ONLY = new Map([
  // npm's disconnect takes the options as an optional second argument.
  ["disconnect-with", "disconnect(id, options)"],
]);

const PURE_INTERFACES = ["provider", "tokens", "webhooks", "polling", "feedback", "github-app"];

test("the world exports the interfaces this test compares", () => {
  const exported = exportedInterfaces();
  const interfaces = witInterfaces();
  for (const name of [...PURE_INTERFACES, "flows"]) {
    assert.ok(exported.includes(name), `world.wit exports ${name}`);
    assert.ok(interfaces.get(name)?.length > 0, `${name} has funcs`);
  }
  // Any other exported interface holds types only; one with funcs must be added above.
  for (const name of exported.filter((n) => ![...PURE_INTERFACES, "flows"].includes(n))) {
    assert.deepEqual(interfaces.get(name), [], `${name} is compared by this test`);
  }
});

test("every pure function of the component is on npm, and every npm export is on the component", () => {
  const interfaces = witInterfaces();
  const wit = new Map();
  for (const name of PURE_INTERFACES) for (const func of interfaces.get(name)) wit.set(npmName(func), `${name}.${func}`);
  const npm = new Set([...Object.keys(light), ...Object.keys(flows)]);

  const missingOnNpm = [...wit].filter(([name, where]) => !npm.has(name) && !WIT_ONLY.has(where.split(".")[1])).map(([, where]) => where);
  assert.deepEqual(missingOnNpm, [], "component functions missing from npm");
  const missingOnWit = [...npm].filter((name) => !wit.has(name) && !NPM_ONLY.has(name));
  assert.deepEqual(missingOnWit, [], "npm exports missing from the component");

  // The lists hold only real differences: nothing on them is on both faces.
  for (const func of WIT_ONLY.keys()) {
    assert.ok([...wit.values()].some((w) => w.endsWith(`.${func}`)), `${func} is a WIT func`);
    assert.ok(!npm.has(npmName(func)), `${func} is on npm now: take it off WIT_ONLY`);
  }
  for (const name of NPM_ONLY.keys()) {
    assert.ok(npm.has(name), `${name} is an npm export`);
    assert.ok(!wit.has(name), `${name} is on the component now: take it off NPM_ONLY`);
  }
});

test("the forgelink entry's functions are the provider interface's", () => {
  const provider = witInterfaces().get("provider").map(npmName).sort();
  const entry = Object.keys(light).filter((name) => !NPM_ONLY.has(name)).sort();
  assert.deepEqual(entry, provider);
});

test("Forgelink's methods are the flows interface's funcs", () => {
  const wit = witInterfaces().get("flows").filter((func) => !FLOWS_WIT_ONLY.has(func)).map(npmName).sort();
  const methods = Object.getOwnPropertyNames(flows.Forgelink.prototype).filter((name) => name !== "constructor").sort();
  assert.deepEqual(methods, wit);
  for (const func of FLOWS_WIT_ONLY.keys()) {
    assert.ok(witInterfaces().get("flows").includes(func), `${func} is a flows func`);
    assert.ok(!methods.includes(npmName(func)), `${func} is on npm now: take it off FLOWS_WIT_ONLY`);
  }
});
