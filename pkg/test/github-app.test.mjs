// GitHub Apps through forgelink/flows: the pure functions, the signers, and the Forgelink flows
// against a fake GitHub that really verifies each JSON web token with the app's public key and
// judges its times by a clock of its own, as GitHub does.
import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPair, randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { before, test } from "node:test";
import { promisify } from "node:util";

import {
  Forgelink,
  ForgelinkError,
  githubAppInstallUrl,
  githubAppManifest,
  githubAppNeeds,
  githubAppPermissions,
  memoryStorage,
  missingPermissions,
  nodeSigner,
  parseGitHubAppSetup,
  parseManifestConversion,
  prepareManifestConversion,
  webCryptoSigner,
} from "../flows.js";

const APP_ID = 7;
const CLIENT_ID = "Iv23liAcmeCi";
const CLIENT_SECRET = "app-client-secret";
const INSTALLATION_ID = 42;
const API = "https://api.github.com";

let appKey; // { pkcs1, pkcs8, publicKey }
let otherKey;

async function rsaKey() {
  // The asynchronous call: the synchronous one has been seen to hang in test processes.
  const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return { pkcs1: privateKey, pkcs8: createPrivateKey(privateKey).export({ type: "pkcs8", format: "pem" }), publicKey };
}

before(async () => {
  [appKey, otherKey] = await Promise.all([rsaKey(), rsaKey()]);
});

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * GitHub as far as GitHub Apps go: the manifest conversion, installations, installation
 * tokens, the user-to-server code exchange, `GET /user/installations`, revocation, uninstall
 * and the app's hook config. Every JWT is verified with the app's public key and its times
 * against `clock()` (milliseconds), which may differ from the host's.
 */
class FakeGitHub {
  constructor({ clock, publicKey }) {
    this.clock = clock;
    this.publicKey = publicKey;
    this.requests = [];
    this.jwts = []; // { path, outcome }
    this.tokenBodies = [];
    this.minted = 0;
    this.installations = new Map([[INSTALLATION_ID, { reachableBy: new Set(["ghu_ada"]) }]]);
    this.tokens = new Set();
    this.fetch = (request) => this.handle(request);
  }

  count(method, pathPattern) {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path)).length;
  }

  date() {
    return new Date(this.clock()).toUTCString();
  }

  answer(status, body, headers = []) {
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    return {
      status,
      headers: [["Content-Type", "application/json; charset=utf-8"], ["Date", this.date()], ...headers],
      body: encoder.encode(text),
    };
  }

  header(request, name) {
    return request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
  }

  /** The JWT's verdict: undefined when GitHub would take it, else the 401 it would answer. */
  checkJwt(request, path) {
    const token = /^Bearer (.+)$/.exec(this.header(request, "authorization") ?? "")?.[1] ?? "";
    const [header, payload, signature] = token.split(".");
    const refuse = (message, outcome) => {
      this.jwts.push({ path, outcome });
      return this.answer(401, { message, documentation_url: "https://docs.github.com/rest" });
    };
    if (signature === undefined) return refuse("A JSON web token could not be decoded", "undecodable");
    const signed = verify("sha256", Buffer.from(`${header}.${payload}`), this.publicKey, Buffer.from(signature, "base64url"));
    if (!signed) return refuse("A JSON web token could not be decoded", "bad-signature");
    const h = JSON.parse(Buffer.from(header, "base64url").toString());
    const p = JSON.parse(Buffer.from(payload, "base64url").toString());
    if (h.alg !== "RS256") return refuse("A JSON web token could not be decoded", "bad-alg");
    if (p.iss !== CLIENT_ID && p.iss !== String(APP_ID)) return refuse("Integration not found", "bad-issuer");
    const now = Math.floor(this.clock() / 1000);
    if (!Number.isInteger(p.iat) || p.iat > now + 5) {
      return refuse("'Issued at' claim ('iat') must be an Integer representing a time in the past.", "iat-in-future");
    }
    if (!Number.isInteger(p.exp) || p.exp <= now) {
      return refuse("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.", "expired");
    }
    if (p.exp - p.iat > 600) return refuse("'Expiration time' claim ('exp') is too far in the future.", "too-long");
    this.jwts.push({ path, outcome: "accepted", issuer: p.iss });
    return undefined;
  }

  installation(id) {
    return {
      id,
      app_id: APP_ID,
      app_slug: "acme-ci",
      account: { login: "acme", id: 9, type: "Organization" },
      repository_selection: "selected",
      permissions: { actions: "read", checks: "read", contents: "read", metadata: "read", pull_requests: "write" },
      events: ["workflow_run", "pull_request"],
      suspended_at: null,
      html_url: `https://github.com/organizations/acme/settings/installations/${id}`,
    };
  }

  async handle(request) {
    const url = new URL(request.url);
    const path = url.pathname;
    const body = request.body === undefined ? "" : decoder.decode(request.body);
    this.requests.push({ method: request.method, url: request.url, path, body, headers: request.headers });
    let m;
    if (request.method === "POST" && (m = /^\/app-manifests\/(\w+)\/conversions$/.exec(path)) && url.origin === API) {
      if (m[1] !== "good") return this.answer(404, { message: "Not Found" });
      return this.answer(201, {
        id: APP_ID,
        slug: "acme-ci",
        name: "Acme CI",
        owner: { login: "acme", id: 9, type: "Organization" },
        html_url: "https://github.com/apps/acme-ci",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        webhook_secret: "hook-secret",
        pem: appKey.pkcs1,
        permissions: { actions: "read", metadata: "read" },
        events: ["workflow_run"],
      });
    }
    if (url.origin === "https://github.com" && path === "/login/oauth/access_token" && request.method === "POST") {
      const form = new URLSearchParams(body);
      const user = { "ada-code": "ghu_ada", "eve-code": "ghu_eve" }[form.get("code")];
      if (user === undefined || form.get("client_id") !== CLIENT_ID || form.get("client_secret") !== CLIENT_SECRET) {
        return this.answer(200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
      }
      return this.answer(200, { access_token: user, token_type: "bearer", scope: "" });
    }
    if (url.origin !== API) return this.answer(404, { message: "Not Found" });
    if (request.method === "GET" && path === "/user/installations") {
      const user = /^Bearer (.+)$/i.exec(this.header(request, "authorization") ?? "")?.[1];
      const reachable = [...this.installations].filter(([, i]) => i.reachableBy.has(user)).map(([id]) => this.installation(id));
      return this.answer(200, { total_count: reachable.length, installations: reachable });
    }
    if (request.method === "DELETE" && /^\/applications\/[^/]+\/token$/.test(path)) return this.answer(204);
    if (request.method === "DELETE" && path === "/installation/token") {
      const token = /^Bearer (.+)$/.exec(this.header(request, "authorization") ?? "")?.[1];
      return this.answer(this.tokens.delete(token) ? 204 : 401, this.tokens.has(token) ? undefined : { message: "Bad credentials" });
    }
    if ((m = /^\/app\/installations\/(\d+)(\/access_tokens)?$/.exec(path))) {
      const refused = this.checkJwt(request, path);
      if (refused !== undefined) return refused;
      const id = Number(m[1]);
      if (!this.installations.has(id)) return this.answer(404, { message: "Not Found" });
      if (request.method === "GET" && m[2] === undefined) return this.answer(200, this.installation(id));
      if (request.method === "DELETE" && m[2] === undefined) {
        this.installations.delete(id);
        return this.answer(204);
      }
      if (request.method === "POST" && m[2] !== undefined) {
        this.tokenBodies.push(body === "" ? undefined : JSON.parse(body));
        // Slow enough that concurrent callers overlap it.
        await new Promise((resolve) => setTimeout(resolve, 150));
        this.minted += 1;
        const token = `ghs_minted${this.minted}`;
        this.tokens.add(token);
        const expires = new Date(this.clock() + 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
        return this.answer(201, { token, expires_at: expires, permissions: { actions: "read", metadata: "read" }, repository_selection: "selected" });
      }
    }
    if (request.method === "PATCH" && path === "/app/hook/config") {
      const refused = this.checkJwt(request, path);
      if (refused !== undefined) return refused;
      const config = JSON.parse(body);
      this.hookConfig = config;
      return this.answer(200, { content_type: "json", url: config.url, insecure_ssl: "0" });
    }
    return this.answer(404, { message: "Not Found" });
  }
}

/** A fake GitHub and a Forgelink over it, sharing `clock` (the fake's runs `skewMs` ahead); `sign: null` for none. */
function setup({ sign = nodeSigner(appKey.pkcs1), skewMs = 0, storage, clock = { ms: Date.UTC(2026, 11, 7, 15, 0, 0) }, publicKey = appKey.publicKey } = {}) {
  const github = new FakeGitHub({ clock: () => clock.ms + skewMs, publicKey });
  const store = storage ?? memoryStorage({ now: () => clock.ms });
  const key = new Uint8Array(randomBytes(32));
  const host = { fetch: github.fetch, storage: store, encryptionKey: key, now: () => clock.ms };
  if (sign !== null) host.sign = sign;
  return { github, storage: store, key, clock, forgelink: new Forgelink(host) };
}

const CONNECT = { appId: APP_ID, installationId: INSTALLATION_ID, clientId: CLIENT_ID, profile: "ci-failure-analysis" };

async function rejectsWith(promise, code) {
  const error = await promise.then(
    () => assert.fail(`expected ${code}, the call succeeded`),
    (e) => e,
  );
  assert.ok(error instanceof ForgelinkError, `a ForgelinkError, got ${error}`);
  assert.equal(error.code, code, error.message);
  assert.ok(error.guidance?.title, "the error has guidance");
  return error;
}

// ---------------------------------------------------------------------------------------------
// Pure functions.

test("githubAppManifest builds the form with the profile's permissions, events and webhook", () => {
  const form = githubAppManifest({
    name: "Acme CI",
    url: "https://acme.example",
    redirectUrl: new URL("https://acme.example/github/created"),
    webhookUrl: "https://acme.example/hooks/github-app",
    callbackUrls: ["https://acme.example/github/callback"],
    requestOauthOnInstall: true,
    organization: "acme-corp",
    profile: "ci-failure-analysis",
    state: "s1",
  });
  assert.equal(form.action, "https://github.com/organizations/acme-corp/settings/apps/new?state=s1");
  const manifest = JSON.parse(form.manifest);
  assert.equal(manifest.name, "Acme CI");
  assert.equal(manifest.redirect_url, "https://acme.example/github/created");
  assert.equal(manifest.setup_url, undefined);
  assert.deepEqual(manifest.callback_urls, ["https://acme.example/github/callback"]);
  assert.equal(manifest.request_oauth_on_install, true);
  assert.deepEqual(manifest.hook_attributes, { url: "https://acme.example/hooks/github-app", active: true });
  const needs = githubAppNeeds("ci-failure-analysis");
  assert.deepEqual(manifest.default_permissions, Object.fromEntries(needs.permissions.map((n) => [n.permission, n.level])));
  assert.equal(manifest.default_permissions.pull_requests, "write");
  assert.deepEqual(manifest.default_events, needs.events.map((e) => e.name));
  // Without a webhook there is nowhere to send events: none are asked for.
  const quiet = JSON.parse(githubAppManifest({ name: "Acme", url: "https://acme.example", redirectUrl: "https://acme.example/c", profile: "ci-failure-analysis", state: "s" }).manifest);
  assert.equal(quiet.default_events, undefined);
  assert.equal(quiet.hook_attributes, undefined);
  // With user authorization during installation GitHub returns to the first callback URL and
  // takes no setup URL ("Registering a GitHub App").
  const withOauth = { requestOauthOnInstall: true, callbackUrls: ["https://acme.example/cb"] };
  for (const bad of [{ name: "x".repeat(35) }, { state: "" }, { url: "acme.example" }, { nope: 1 }, { public: "yes" }, { requestOauthOnInstall: true }, { ...withOauth, setupUrl: "https://acme.example/setup" }]) {
    assert.throws(
      () => githubAppManifest({ name: "Acme", url: "https://acme.example", redirectUrl: "https://acme.example/c", profile: "ci-failure-analysis", state: "s", ...bad }),
      { code: "input.invalid" },
      JSON.stringify(bad),
    );
  }
  assert.throws(() => githubAppManifest({ name: "Acme", url: "https://acme.example", redirectUrl: "https://acme.example/c", profile: "nope", state: "s" }), { code: "profile.unknown" });
});

test("install URLs, the setup callback, needs, the permission catalog and missing permissions", () => {
  assert.equal(githubAppInstallUrl({ slug: "acme-ci", state: "s 1" }), "https://github.com/apps/acme-ci/installations/new?state=s+1");
  assert.equal(githubAppInstallUrl({ slug: "acme-ci", baseUrl: "https://ghe.acme.example" }), "https://ghe.acme.example/github-apps/acme-ci/installations/new");
  assert.throws(() => githubAppInstallUrl({ slug: "../x" }), { code: "input.invalid" });

  const setup = parseGitHubAppSetup(new URL("https://acme.example/setup?code=c0de&installation_id=42&setup_action=install&state=s1"));
  assert.deepEqual(setup, { installationId: 42, setupAction: "install", state: "s1", code: "c0de" });
  assert.deepEqual(parseGitHubAppSetup("setup_action=request&state=s1"), { installationId: null, setupAction: "request", state: "s1", code: null });
  // No page defines setup_action: an id without one reads as an installation.
  assert.equal(parseGitHubAppSetup("installation_id=42").setupAction, "install");
  assert.throws(() => parseGitHubAppSetup("code=abc"), { code: "input.invalid" });

  const catalog = githubAppPermissions();
  const actions = catalog.find((p) => p.name === "actions");
  assert.deepEqual(actions.levels, ["read", "write"]);
  assert.equal(actions.target, "repository");
  assert.ok(catalog.length > 30);

  const granted = { actions: "read", metadata: "read", pull_requests: "read" };
  const needs = githubAppNeeds("ci-failure-analysis");
  const missing = missingPermissions(granted, needs);
  assert.ok(missing.includes("pull_requests:write") && !missing.includes("actions:read"), missing.join());
  assert.deepEqual(missingPermissions(granted, "ci-failure-analysis"), missing);
  assert.deepEqual(missingPermissions(granted, [{ permission: "actions", level: "write" }, { permission: "metadata", level: "read" }]), ["actions:write"]);
  assert.throws(() => missingPermissions(granted, [{ permission: "nope", level: "read" }]), { code: "input.invalid" });
  assert.throws(() => missingPermissions(granted, [{ permission: "actions", level: "owner" }]), { code: "input.invalid" });
  assert.throws(() => missingPermissions({ actions: 1 }, "ci-failure-analysis"), { code: "input.invalid" });
  assert.throws(() => githubAppNeeds("nope"), { code: "profile.unknown" });
});

// ---------------------------------------------------------------------------------------------
// Signers.

test("nodeSigner and webCryptoSigner sign RS256 that node:crypto verifies, from PKCS#1, PKCS#8 and a CryptoKey", async () => {
  const data = encoder.encode("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjd9");
  const cryptoKey = await crypto.subtle.importKey(
    "pkcs8",
    createPrivateKey(appKey.pkcs1).export({ type: "pkcs8", format: "der" }),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signers = {
    "node pkcs1": nodeSigner(appKey.pkcs1),
    "node pkcs8": nodeSigner(appKey.pkcs8),
    "node by app": nodeSigner({ [APP_ID]: appKey.pkcs1, 8: otherKey.pkcs1 }),
    "webcrypto pkcs1": webCryptoSigner(appKey.pkcs1),
    "webcrypto pkcs8": webCryptoSigner(appKey.pkcs8),
    "webcrypto key": webCryptoSigner(cryptoKey),
    "webcrypto by app": webCryptoSigner({ [APP_ID]: appKey.pkcs1, 8: otherKey.pkcs8 }),
  };
  for (const [name, sign] of Object.entries(signers)) {
    const signature = await sign({ algorithm: "RS256", appId: String(APP_ID), data });
    assert.ok(signature instanceof Uint8Array, name);
    assert.equal(signature.length, 256, name);
    assert.ok(verify("sha256", data, appKey.publicKey, signature), `${name}: verifies with the app's public key`);
    assert.ok(!verify("sha256", data, otherKey.publicKey, signature), `${name}: not with another key`);
  }
  // By app: each app's own key.
  for (const sign of [signers["node by app"], signers["webcrypto by app"]]) {
    assert.ok(verify("sha256", data, otherKey.publicKey, await sign({ algorithm: "RS256", appId: "8", data })));
    await assert.rejects(async () => sign({ algorithm: "RS256", appId: "9", data }), /no private key for GitHub App 9/);
  }
  await assert.rejects(async () => signers["node pkcs1"]({ algorithm: "HS256", appId: "7", data }), /RS256 only/);
});

test("the signers refuse keys they cannot use, saying how to convert one", async () => {
  const encrypted = createPrivateKey(appKey.pkcs1).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" });
  const error = (() => {
    try {
      webCryptoSigner(encrypted);
    } catch (e) {
      return e;
    }
    return assert.fail("an encrypted key is refused");
  })();
  assert.equal(error.code, "input.invalid");
  assert.match(error.message, /openssl pkcs8 -topk8 -nocrypt/);
  assert.ok(!error.message.includes(encrypted.split("\n")[1]), "the key is not echoed");
  assert.throws(() => webCryptoSigner("not a key"), { code: "input.invalid" });
  assert.throws(() => webCryptoSigner({}), { code: "input.invalid" });
  assert.throws(() => nodeSigner("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"), { code: "input.invalid" });
  const ec = await promisify(generateKeyPair)("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  assert.throws(() => nodeSigner(ec.privateKey), { code: "input.invalid", message: /RSA/ });
  assert.throws(() => nodeSigner(42), { code: "input.invalid" });
});

// ---------------------------------------------------------------------------------------------
// The flows.

test("prepareManifestConversion and parseManifestConversion, sent by the caller, read what createGitHubApp reads", async () => {
  const { forgelink, github } = setup({ sign: null });
  const request = prepareManifestConversion(null, "good");
  assert.deepEqual([request.method, request.url], ["POST", `${API}/app-manifests/good/conversions`]);
  const send = (prepared) =>
    github.handle({ ...prepared, body: prepared.body === undefined ? undefined : new TextEncoder().encode(prepared.body) });
  const app = parseManifestConversion(null, await send(request));
  assert.deepEqual(app, await forgelink.createGitHubApp({ code: "good" }));
  assert.equal(app.privateKey, appKey.pkcs1);
  // Enterprise Server: the instance's API, and the instance in the credentials.
  const ghes = prepareManifestConversion("https://github.example.com", "good");
  assert.equal(ghes.url, "https://github.example.com/api/v3/app-manifests/good/conversions");
  // A code used already, expired or mistyped: GitHub answers 404.
  const used = await send(prepareManifestConversion(null, "used"));
  assert.throws(() => parseManifestConversion(null, used), { code: "oauth.bad_verification_code" });
  assert.throws(() => prepareManifestConversion(null, "not a code"), { code: "input.invalid" });
  assert.throws(() => prepareManifestConversion(null, 7), { code: "input.invalid" });
});

test("createGitHubApp reads the manifest conversion; its private key signs for the app", async () => {
  const { forgelink, github } = setup({ sign: null });
  const app = await forgelink.createGitHubApp({ code: "good" });
  assert.equal(app.appId, APP_ID);
  assert.equal(app.slug, "acme-ci");
  assert.equal(app.clientId, CLIENT_ID);
  assert.equal(app.clientSecret, CLIENT_SECRET);
  assert.equal(app.webhookSecret, "hook-secret");
  assert.equal(app.privateKey, appKey.pkcs1);
  assert.deepEqual(app.owner, { login: "acme", id: 9, kind: "Organization" });
  assert.equal(app.baseUrl, "https://github.com");
  assert.equal(github.count("POST", /^\/app-manifests\/good\/conversions$/), 1);
  await rejectsWith(forgelink.createGitHubApp({ code: "used" }), "oauth.bad_verification_code");
  await rejectsWith(forgelink.createGitHubApp({ code: "good", extra: 1 }), "input.invalid");
  // The key from the conversion is what the signer gets.
  const next = setup({ sign: nodeSigner({ [app.appId]: app.privateKey }) });
  const connection = await next.forgelink.connectGitHubApp({ appId: app.appId, installationId: INSTALLATION_ID, clientId: app.clientId });
  assert.equal(connection.installation.id, INSTALLATION_ID);
});

test("connectGitHubApp reads the installation, mints a token, and accessToken reuses it until it nears expiry", async () => {
  const { forgelink, github, clock } = setup();
  const connection = await forgelink.connectGitHubApp({ ...CONNECT, appId: String(APP_ID) });
  assert.equal(connection.provider, "github");
  assert.equal(connection.account.username, "acme");
  assert.equal(connection.status, "active");
  assert.equal(connection.installation.id, INSTALLATION_ID);
  assert.equal(connection.installation.account.kind, "Organization");
  assert.equal(connection.installation.repositorySelection, "selected");
  assert.equal(connection.installation.permissions.pull_requests, "write");
  assert.deepEqual(connection.scopes.missing, []);
  assert.equal(connection.expiresAt, clock.ms / 1000 + 3600);
  assert.equal(github.count("GET", /^\/app\/installations\/42$/), 1);
  assert.equal(github.minted, 1);
  // Each app call carried a JWT the fake verified, issued by the client id.
  assert.deepEqual(github.jwts.map((j) => [j.outcome, j.issuer]), [["accepted", CLIENT_ID], ["accepted", CLIENT_ID]]);

  assert.equal(await forgelink.accessToken(connection.id), "ghs_minted1");
  clock.ms += 3000 * 1000; // ten minutes left: still handed out
  assert.equal(await forgelink.accessToken(connection.id), "ghs_minted1");
  assert.equal(github.minted, 1);
  clock.ms += 400 * 1000; // within five minutes of expiry: replaced
  assert.equal(await forgelink.accessToken(connection.id), "ghs_minted2");
  assert.equal(github.minted, 2);
});

test("after expiry, 8 concurrent accessToken calls over two instances sharing storage mint exactly once", async () => {
  const clock = { ms: Date.UTC(2026, 11, 7, 15, 0, 0) };
  const storage = memoryStorage({ now: () => clock.ms });
  const a = setup({ clock, storage });
  const connection = await a.forgelink.connectGitHubApp(CONNECT);
  // A second process: its own Forgelink over the same storage, key and GitHub.
  const b = new Forgelink({ fetch: a.github.fetch, storage, encryptionKey: a.key, now: () => clock.ms, sign: nodeSigner(appKey.pkcs8) });
  const before = a.github.count("POST", /\/access_tokens$/);
  assert.equal(before, 1);
  clock.ms += 3600 * 1000 + 1000; // expired
  const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a.forgelink).accessToken(connection.id)));
  assert.deepEqual(new Set(tokens), new Set(["ghs_minted2"]));
  assert.equal(a.github.count("POST", /\/access_tokens$/) - before, 1, "exactly one POST /access_tokens");
  assert.equal(await b.accessToken(connection.id), "ghs_minted2");
  assert.equal(a.github.count("POST", /\/access_tokens$/) - before, 1);
});

test("a JWT GitHub refuses for its times is signed again on GitHub's clock, from its Date header", async () => {
  // The host's clock runs an hour ahead of GitHub's: its JWT is issued in GitHub's future.
  const { forgelink, github, clock } = setup({ skewMs: -3600 * 1000 });
  const connection = await forgelink.connectGitHubApp(CONNECT);
  assert.deepEqual(
    github.jwts.map((j) => `${j.path} ${j.outcome}`),
    [
      "/app/installations/42 iat-in-future",
      "/app/installations/42 accepted",
      "/app/installations/42/access_tokens iat-in-future",
      "/app/installations/42/access_tokens accepted",
    ],
  );
  // The token's expiry, stated on GitHub's clock, is moved onto the host's.
  assert.equal(connection.expiresAt, clock.ms / 1000 + 3600);

  // A clock an hour behind: the JWT has expired by GitHub's clock.
  const behind = setup({ skewMs: 3600 * 1000 });
  await behind.forgelink.connectGitHubApp(CONNECT);
  assert.deepEqual(behind.github.jwts.map((j) => j.outcome).slice(0, 2), ["expired", "accepted"]);

  // A JWT signed with another key is not a clock problem: refused once, coded.
  const wrongKey = setup({ sign: nodeSigner(otherKey.pkcs1) });
  await rejectsWith(wrongKey.forgelink.connectGitHubApp(CONNECT), "github_app.jwt_rejected");
  assert.deepEqual(wrongKey.github.jwts.map((j) => j.outcome), ["bad-signature"]);
});

test("a signer that throws or rejects, and no signer, are host.sign_failed with the signer's words; nothing is stored", async () => {
  const cases = [
    [() => {
      throw new Error("KMS unavailable: key disabled");
    }, /KMS unavailable: key disabled/],
    [async () => Promise.reject(new Error("HSM session closed")), /HSM session closed/],
    [null, /No signer for GitHub App 7/],
  ];
  for (const [sign, detail] of cases) {
    const { forgelink, github, storage } = setup({ sign });
    const error = await rejectsWith(forgelink.connectGitHubApp(CONNECT), "host.sign_failed");
    assert.match(error.providerDetail ?? "", detail);
    assert.equal(storage.size, 0, "nothing stored");
    assert.equal(github.requests.length, 0, "nothing sent without a signature");
  }
  // A signer that answers something other than bytes breaks the host's contract.
  const { forgelink } = setup({ sign: () => "c2lnbmF0dXJl" });
  await rejectsWith(forgelink.connectGitHubApp(CONNECT), "input.invalid");
  assert.throws(() => new Forgelink({ fetch: () => {}, storage: memoryStorage(), encryptionKey: new Uint8Array(32), sign: "key.pem" }), { code: "input.invalid" });

  // A connection whose signer fails later: accessToken past expiry says so too.
  let failing = false;
  const signer = nodeSigner(appKey.pkcs1);
  const later = setup({ sign: (request) => (failing ? Promise.reject(new Error("key rotated away")) : signer(request)) });
  const connection = await later.forgelink.connectGitHubApp(CONNECT);
  failing = true;
  later.clock.ms += 3600 * 1000;
  const error = await rejectsWith(later.forgelink.accessToken(connection.id), "host.sign_failed");
  assert.match(error.providerDetail, /key rotated away/);
});

test("installationToken sends the narrowing and stores nothing", async () => {
  const { forgelink, github } = setup();
  const connection = await forgelink.connectGitHubApp(CONNECT);
  const narrowed = await forgelink.installationToken(connection.id, {
    repositories: ["runner-images"],
    repositoryIds: ["1296269", 1296270],
    permissions: { actions: "read", contents: "read" },
  });
  assert.equal(narrowed, "ghs_minted2");
  assert.deepEqual(github.tokenBodies.at(-1), {
    repositories: ["runner-images"],
    repository_ids: [1296269, 1296270],
    permissions: { actions: "read", contents: "read" },
  });
  assert.equal(github.tokenBodies[0], undefined, "the connection's own token is not narrowed");
  assert.equal(await forgelink.accessToken(connection.id), "ghs_minted1", "the connection keeps its own token");
  await rejectsWith(forgelink.installationToken(connection.id, { repositories: ["acme/runner-images"] }), "input.invalid");
  await rejectsWith(forgelink.installationToken(connection.id, { permissions: { actions: "owner" } }), "input.invalid");
  await rejectsWith(forgelink.installationToken(connection.id, { repos: ["x"] }), "input.invalid");
  assert.equal(github.minted, 2, "refused narrowings send nothing");
});

test("connectGitHubApp with the setup code: connects only if that person can reach the installation", async () => {
  const eve = setup();
  const error = await rejectsWith(
    eve.forgelink.connectGitHubApp({ ...CONNECT, code: "eve-code", clientSecret: CLIENT_SECRET }),
    "github_app.installation_not_accessible",
  );
  assert.match(error.message, /cannot reach/);
  assert.equal(eve.storage.size, 0, "nothing stored");
  assert.equal(eve.github.count("POST", /\/access_tokens$/), 0, "no installation token minted");
  assert.equal(eve.github.count("DELETE", /^\/applications\/Iv23liAcmeCi\/token$/), 1, "the user token was revoked");

  const ada = setup();
  const connection = await ada.forgelink.connectGitHubApp({ ...CONNECT, code: "ada-code", clientSecret: CLIENT_SECRET });
  assert.equal(connection.installation.id, INSTALLATION_ID);
  assert.equal(ada.github.count("GET", /^\/user\/installations$/), 1);
  assert.equal(ada.github.count("DELETE", /^\/applications\/Iv23liAcmeCi\/token$/), 1);
  // Checking a code needs the app's secret.
  await rejectsWith(setup().forgelink.connectGitHubApp({ ...CONNECT, code: "ada-code" }), "input.invalid");
});

test("disconnect with uninstall deletes the installation; without, it revokes the token and links to the uninstall page", async () => {
  const kept = setup();
  const one = await kept.forgelink.connectGitHubApp(CONNECT);
  const report = await kept.forgelink.disconnect(one.id);
  assert.equal(report.revoked, true);
  assert.equal(report.uninstalled, undefined);
  assert.equal(report.uninstallUrl, "https://github.com/organizations/acme/settings/installations/42");
  assert.equal(report.manualSteps.length, 1);
  assert.equal(kept.github.count("DELETE", /^\/installation\/token$/), 1);
  assert.equal(kept.github.count("DELETE", /^\/app\/installations\/42$/), 0);
  await rejectsWith(kept.forgelink.accessToken(one.id), "connection.not_found");

  const removed = setup();
  const two = await removed.forgelink.connectGitHubApp(CONNECT);
  const gone = await removed.forgelink.disconnect(two.id, { uninstall: true });
  assert.equal(gone.uninstalled, true);
  assert.equal(gone.uninstallUrl, undefined);
  assert.deepEqual(gone.manualSteps, []);
  assert.equal(removed.github.count("DELETE", /^\/app\/installations\/42$/), 1);
  assert.equal(removed.github.jwts.at(-1).outcome, "accepted", "the uninstall was signed by the app");
  assert.equal(removed.github.installations.has(INSTALLATION_ID), false);
  await rejectsWith(removed.forgelink.disconnect(two.id, { uninstall: "yes" }), "input.invalid");
});

test("registerGitHubApp points the app's webhook at a route of its own with a fresh secret", async () => {
  const { forgelink, github } = setup();
  const hook = await forgelink.registerGitHubApp({ appId: APP_ID, clientId: CLIENT_ID, url: new URL("https://acme.example/hooks") });
  assert.match(hook.route, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(hook.url, `https://acme.example/hooks/${hook.route}`);
  assert.equal(github.hookConfig.url, hook.url);
  assert.equal(github.hookConfig.content_type, "json");
  assert.ok(github.hookConfig.secret.length >= 40);
  const again = await forgelink.registerGitHubApp({ appId: APP_ID, clientId: CLIENT_ID, url: "https://acme.example/hooks" });
  assert.equal(again.route, hook.route, "the route is kept");
  assert.notEqual(github.hookConfig.secret, undefined);
  await rejectsWith(forgelink.registerGitHubApp({ appId: -1, url: "https://acme.example/hooks" }), "input.invalid");
  // Checked in the module, by serde, which names the field and what is wrong with it.
  for (const [request, words] of [
    [{ appId: "4x2", url: "https://acme.example/hooks" }, ["`request.appId`", "not a GitHub id"]],
    [{ appId: 4.5, url: "https://acme.example/hooks" }, ["`request.appId`", "whole number"]],
    [{ appId: APP_ID, url: "https://acme.example/hooks", secret: "s" }, ["secret"]],
    [{ appId: APP_ID }, ["url"]],
  ]) {
    const error = await forgelink.registerGitHubApp(request).then(() => assert.fail("accepted"), (e) => e);
    assert.equal(error.code, "input.invalid", error.message);
    for (const word of words) assert.ok(error.message.includes(word), `${word} in ${error.message}`);
    assert.doesNotMatch(error.message, /at line \d+ column/, "no place in JSON the caller never wrote");
  }
  const narrowed = await forgelink.installationToken("no-such-connection", { repositoryIds: [" 12 "] }).then(() => assert.fail("accepted"), (e) => e);
  assert.equal(narrowed.code, "connection.not_found", "digits as a string are an id");
  const wrong = await forgelink.installationToken("no-such-connection", { repositoryIds: [-3] }).then(() => assert.fail("accepted"), (e) => e);
  assert.equal(wrong.code, "input.invalid", wrong.message);
});

/** The fields of each `export interface` in the declaration files: name → { required, optional }. */
function declaredInterfaces() {
  const dts = ["index.d.ts", "flows.d.ts", "types.d.ts"].map((file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8")).join("\n");
  const out = new Map();
  for (const match of dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const required = new Set();
    const optional = new Set();
    for (const field of match[2].matchAll(/^ {2}(?:readonly )?(\w+)(\??):/gm)) (field[2] ? optional : required).add(field[1]);
    out.set(match[1], { required, optional });
  }
  return out;
}

test("the GitHub App values have exactly the declared fields", async () => {
  const interfaces = declaredInterfaces();
  const check = (name, value) => {
    const declared = interfaces.get(name);
    assert.ok(declared, `a declaration file declares ${name}`);
    const keys = Object.keys(value);
    for (const key of declared.required) assert.ok(keys.includes(key), `${name}.${key} is returned`);
    for (const key of keys) assert.ok(declared.required.has(key) || declared.optional.has(key), `${name}.${key} is declared`);
  };
  check("AppManifestForm", githubAppManifest({ name: "Acme", url: "https://acme.example", redirectUrl: "https://acme.example/c", profile: "ci-failure-analysis", state: "s" }));
  check("AppSetup", parseGitHubAppSetup("installation_id=1&setup_action=install&state=s&code=c"));
  const needs = githubAppNeeds("ci-failure-analysis");
  check("AppNeeds", needs);
  needs.permissions.forEach((n) => check("PermissionNeed", n));
  needs.events.forEach((n) => check("Need", n));
  githubAppPermissions().forEach((p) => check("AppPermission", p));

  const { forgelink } = setup();
  const app = await forgelink.createGitHubApp({ code: "good" });
  check("GitHubAppCredentials", app);
  check("AppAccount", app.owner);
  const connection = await forgelink.connectGitHubApp(CONNECT);
  check("Connection", connection);
  check("Installation", connection.installation);
  check("AppAccount", connection.installation.account);
  check("AppWebhook", await forgelink.registerGitHubApp({ appId: APP_ID, url: "https://acme.example/hooks" }));
  check("DisconnectReport", await forgelink.disconnect(connection.id));
  const again = await forgelink.connectGitHubApp(CONNECT);
  check("DisconnectReport", await forgelink.disconnect(again.id, { uninstall: true }));
});
