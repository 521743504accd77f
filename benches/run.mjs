// Size and speed of the npm package, next to a named peer (arctic's GitLab client), measured in
// one run on one machine and written to benches/RESULTS.md. `make bench` builds the package
// (and the component) first. Nothing here asserts: numbers are for reading.

import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import * as arctic from "arctic";

import { measureReceive } from "./receive.mjs";

const repo = new URL("../", import.meta.url);
const pkgIndex = new URL("pkg/index.js", repo);
const pkgWasm = new URL("pkg/forgelink_bg.wasm", repo);
const flowsWasm = new URL("pkg/forgelink_flows_bg.wasm", repo);
const component = new URL("dist/forgelink.wasm", repo);

if (!existsSync(pkgWasm)) {
  console.error("bench: pkg/forgelink_bg.wasm is missing; run `make pkg` first");
  process.exit(1);
}

const forgelink = await import(pkgIndex.href);
const flows = await import(new URL("pkg/flows.js", repo).href);

// Fresh processes for loading: V8 caches compiled wasm by its bytes within a process, so only
// a new process measures a cold compile.
const LOAD_PROCESSES = 21;
// Throughput: after a warm-up, SAMPLES timed windows of WINDOW_MS each; the median is reported.
const WARMUP_MS = 300;
const WINDOW_MS = 400;
const SAMPLES = 7;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function packageVersion(name) {
  return JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, repo), "utf8")).version;
}

/** The version a Cargo.toml pins a dependency to (`name = "=1.2.3"` or `{ version = "=1.2.3" ...`). */
function packageVersionOf(manifest, name) {
  const text = readFileSync(new URL(manifest, repo), "utf8");
  return text.match(new RegExp(`^${name} = (?:\\{ version = )?"=?([^"]+)"`, "m"))?.[1] ?? "";
}

function size(url) {
  const bytes = readFileSync(url);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// --- loading -----------------------------------------------------------------------------

/** Runs `source` (an ES module body printing one JSON line) in a new Node process. */
function child(source) {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", source, pkgIndex.href, pkgWasm.href], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

// Importing the package: reading the wasm, compiling, instantiating and evaluating the glue,
// exactly what `import "forgelink"` costs a Node program.
const importSource = `
  const t0 = performance.now();
  const pkg = await import(process.argv[1]);
  const t1 = performance.now();
  pkg.validateBaseUrl("gitlab", "https://gitlab.com");
  const t2 = performance.now();
  console.log(JSON.stringify({ import: t1 - t0, firstCall: t2 - t1 }));
`;

// The module alone, without the glue: compile, then instantiate with stand-in imports.
const compileSource = `
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(new URL(process.argv[2]));
  const t0 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t1 = performance.now();
  const imports = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = kind === "function" ? () => undefined : undefined;
  }
  new WebAssembly.Instance(module, imports);
  const t2 = performance.now();
  console.log(JSON.stringify({ compile: t1 - t0, instantiate: t2 - t1 }));
`;

function measureLoading() {
  const imports = [];
  const compiles = [];
  for (let i = 0; i < LOAD_PROCESSES; i++) {
    imports.push(child(importSource));
    compiles.push(child(compileSource));
  }
  return {
    import: median(imports.map((r) => r.import)),
    importMin: Math.min(...imports.map((r) => r.import)),
    importMax: Math.max(...imports.map((r) => r.import)),
    firstCall: median(imports.map((r) => r.firstCall)),
    compile: median(compiles.map((r) => r.compile)),
    instantiate: median(compiles.map((r) => r.instantiate)),
  };
}

// --- throughput --------------------------------------------------------------------------

let sink = 0;

/** Calls per second of `fn` over one window of `ms` milliseconds. */
function callWindow(fn, ms) {
  const end = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  const start = process.hrtime.bigint();
  let n = 0;
  let now = start;
  while (now < end) {
    // Batches of 16 keep the clock's own cost out of the numbers.
    for (let i = 0; i < 16; i++) sink += fn().length;
    n += 16;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

/**
 * Sets `ops` on every row: each warmed up, then SAMPLES rounds in which every row runs one
 * window in turn, the median of its windows reported. Taking turns spreads a busy moment of the
 * machine over all rows alike, so the ratios between rows hold even when the machine drifts.
 */
function measureCalls(rows) {
  for (const row of rows) callWindow(row.fn, WARMUP_MS);
  const samples = rows.map(() => []);
  for (let i = 0; i < SAMPLES; i++) rows.forEach((row, r) => samples[r].push(callWindow(row.fn, WINDOW_MS)));
  rows.forEach((row, r) => {
    row.ops = median(samples[r]);
  });
}

const clientId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const redirectUri = "https://app.example.com/oauth/callback";
const baseUrl = "https://gitlab.example.com";
const gitlab = new arctic.GitLab(baseUrl, clientId, null, redirectUri);
const oauth2 = new arctic.OAuth2Client(clientId, null, redirectUri);
const fixedState = arctic.generateState();
const request = { provider: "gitlab", baseUrl, clientId, redirectUri, scopes: ["read_api"] };

// What `forgelink/flows`'s pure functions cost per call now that each takes one object, read
// by serde on the Rust side: a request builder, a response reader, a code exchange.
const tokenResponse = {
  status: 200,
  headers: [["content-type", "application/json; charset=utf-8"]],
  body: new TextEncoder().encode(
    JSON.stringify({
      access_token: "glpat-0123456789abcdefghij",
      token_type: "Bearer",
      expires_in: 7200,
      refresh_token: "0123456789abcdef0123456789abcdef",
      scope: "api read_user",
      created_at: 1700000000,
    }),
  ),
};
const client = { provider: "gitlab", baseUrl, clientId, clientSecret: "client-secret", redirectUri };

const rows = [
  {
    name: "forgelink `validateBaseUrl` (GitLab, relative root, trailing slash)",
    fn: () => forgelink.validateBaseUrl("gitlab", "https://gitlab.example.com/gitlab/").baseUrl,
  },
  {
    name: "forgelink `validateBaseUrl` (pasted API path on a cloud host)",
    fn: () => forgelink.validateBaseUrl("github", "https://api.github.com/repos/octo/app").baseUrl,
  },
  {
    name: "forgelink `authorizationUrl` (GitLab, fresh state, PKCE S256: the default)",
    fn: () => forgelink.authorizationUrl(request).url,
    peer: "arctic-pkce",
  },
  {
    name: "forgelink `authorizationUrl` (GitLab, fresh state, `pkce: false`)",
    fn: () => forgelink.authorizationUrl({ ...request, pkce: false }).url,
    peer: "arctic-state",
  },
  {
    name: "forgelink/flows `preparePollRequest` (GitHub workflow runs)",
    fn: () => flows.preparePollRequest({ provider: "github" }, "token", "octo/repo", { resource: "pipelines" }, 1700000000).url,
  },
  {
    name: "forgelink/flows `parseTokenResponse` (GitLab, refresh token and expiry)",
    fn: () => flows.parseTokenResponse("gitlab", tokenResponse, 1700000000).accessToken,
  },
  {
    name: "forgelink/flows `prepareTokenExchange` (GitLab, PKCE verifier)",
    fn: () => flows.prepareTokenExchange(client, "the-code", "v".repeat(43)).url,
  },
  {
    id: "arctic",
    name: `arctic ${packageVersion("arctic")} \`GitLab#createAuthorizationURL\` (state made once, URL object)`,
    fn: () => gitlab.createAuthorizationURL(fixedState, ["read_api"]).search,
  },
  {
    id: "arctic-state",
    name: "arctic `generateState()` + `GitLab#createAuthorizationURL` + `toString()` (same work as `pkce: false`)",
    fn: () => gitlab.createAuthorizationURL(arctic.generateState(), ["read_api"]).toString(),
  },
  {
    id: "arctic-pkce",
    name: "arctic `generateState()` + `generateCodeVerifier()` + `OAuth2Client#createAuthorizationURLWithPKCE` (S256) + `toString()` (same work as the default)",
    fn: () =>
      oauth2
        .createAuthorizationURLWithPKCE(
          `${baseUrl}/oauth/authorize`,
          arctic.generateState(),
          arctic.CodeChallengeMethod.S256,
          arctic.generateCodeVerifier(),
          ["read_api"],
        )
        .toString(),
  },
];

// --- webhooks ----------------------------------------------------------------------------

const WEBHOOK_SECRET = "It's a Secret to Everybody";

/**
 * Verify plus parse of every example in `@octokit/webhooks-examples`, signed as GitHub signs
 * them: forgelink (`forgelink/flows`, which also normalises each event) against
 * `@octokit/webhooks-methods` `verify` plus `JSON.parse` on the same bytes; then the same corpus
 * natively in Rust and through the component in wasmtime, in child processes of this run.
 */
async function measureWebhooks() {
  const flowsEntry = new URL("pkg/flows.js", repo);
  const corpusFile = new URL("node_modules/@octokit/webhooks-examples/api.github.com/index.json", repo);
  if (!existsSync(flowsEntry) || !existsSync(corpusFile)) return null;
  const flows = await import(flowsEntry.href);
  const { verify } = await import("@octokit/webhooks-methods");
  const deliveries = JSON.parse(readFileSync(corpusFile, "utf8")).flatMap((entry) =>
    entry.examples.map((example, index) => {
      const text = JSON.stringify(example);
      const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(text).digest("hex")}`;
      const headers = [
        ["X-GitHub-Event", entry.name],
        ["X-GitHub-Delivery", `${entry.name}-${index}`],
        ["X-Hub-Signature-256", signature],
      ];
      return { text, body: new TextEncoder().encode(text), signature, headers };
    }),
  );
  const bytes = deliveries.reduce((total, d) => total + d.body.length, 0);
  const secrets = [WEBHOOK_SECRET];
  const passes = {
    separate: () => {
      for (const { headers, body } of deliveries) {
        flows.verifyWebhook({ headers, body, secrets });
        sink += flows.parseWebhook({ headers, body }).kind.length;
      }
    },
    combined: () => {
      for (const { headers, body } of deliveries) {
        sink += flows.verifyAndParseWebhook({ headers, body, secrets }).event.kind.length;
      }
    },
    octokit: async () => {
      for (const { text, signature } of deliveries) {
        if (!(await verify(WEBHOOK_SECRET, text, signature))) throw new Error("octokit rejected a delivery");
        sink += Object.keys(JSON.parse(text)).length;
      }
    },
  };
  // The three take turns, window by window, so that a busy moment of the machine falls on all
  // of them alike; each rate is the median of its windows.
  const samples = Object.fromEntries(Object.keys(passes).map((name) => [name, []]));
  const window = async (pass, ms) => {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < ms) {
      await pass();
      count++;
    }
    return count / ((performance.now() - start) / 1000);
  };
  for (const pass of Object.values(passes)) await window(pass, WARMUP_MS);
  for (let i = 0; i < SAMPLES; i++) {
    for (const [name, pass] of Object.entries(passes)) samples[name].push(await window(pass, WINDOW_MS));
  }
  const rates = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  // The reference for the native row: OpenSSL's HMAC-SHA256 alone over the same bodies, through
  // node:crypto (one call per delivery, as a receiver makes it).
  const openssl = async () => {
    for (const { body } of deliveries) sink += createHmac("sha256", WEBHOOK_SECRET).update(body).digest()[0];
  };
  await window(openssl, WARMUP_MS);
  const opensslSamples = [];
  for (let i = 0; i < SAMPLES; i++) opensslSamples.push(await window(openssl, WINDOW_MS));
  rates.openssl = median(opensslSamples);

  // The same corpus for the Rust programs.
  const corpusOut = new URL("target/bench/webhooks.json", repo);
  mkdirSync(new URL(".", corpusOut), { recursive: true });
  writeFileSync(corpusOut, JSON.stringify(deliveries.map(({ headers, text }) => ({ headers, body: text }))));
  const cargoBench = (label, manifest) => {
    const args = ["bench", "--quiet", "--manifest-path", manifest, "--bench", "webhooks", "--", fileURLToPath(corpusOut), WEBHOOK_SECRET];
    const run = spawnSync("cargo", args, { encoding: "utf8" });
    const line = run.stdout?.trim().split("\n").pop();
    if (run.status !== 0 || !line?.startsWith("{")) {
      console.error(`bench: ${label} failed:\n${run.stderr}`);
      return null;
    }
    return JSON.parse(line);
  };
  const native = cargoBench("native Rust", fileURLToPath(new URL("Cargo.toml", repo)));
  const hosted = existsSync(component) ? cargoBench("component", fileURLToPath(new URL("hosts/wasmtime/Cargo.toml", repo))) : null;
  rates.native = native?.passesPerSecond ?? null;
  rates.nativeHmac = native?.hmacPassesPerSecond ?? null;
  rates.nativeVerify = native?.verifyPassesPerSecond ?? null;
  rates.nativeParse = native?.parsePassesPerSecond ?? null;
  rates.nativeSkip = native?.skipPassesPerSecond ?? null;
  rates.component = hosted?.passesPerSecond ?? null;
  rates.componentVerify = hosted?.verifyPassesPerSecond ?? null;
  rates.componentParse = hosted?.parsePassesPerSecond ?? null;
  for (const [name, rate] of Object.entries(rates)) {
    console.log(`bench: webhooks ${name}: ${rate === null ? "failed" : `${rate.toFixed(1)} passes/s`}`);
  }
  return { count: deliveries.length, bytes, rates };
}

// --- the component's start-up -------------------------------------------------------------

/**
 * The component's first answer in a fresh wasmtime host process whose compile cache is warm:
 * loading (reading and hashing the component, loading the cached code), instantiating, one
 * call. The first run fills the cache and is not counted.
 */
function measureComponentStart() {
  if (!existsSync(component)) return null;
  const cache = fileURLToPath(new URL("target/bench/compile-cache/", repo));
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const manifest = fileURLToPath(new URL("hosts/wasmtime/Cargo.toml", repo));
  const runs = [];
  for (let i = 0; i <= LOAD_PROCESSES; i++) {
    const run = spawnSync("cargo", ["bench", "--quiet", "--manifest-path", manifest, "--bench", "first_call", "--", cache], { encoding: "utf8" });
    const line = run.stdout?.trim().split("\n").pop();
    if (run.status !== 0 || !line?.startsWith("{")) {
      console.error(`bench: the component's first call failed:\n${run.stderr}`);
      return null;
    }
    if (i > 0) runs.push(JSON.parse(line));
  }
  const pick = (key) => median(runs.map((r) => r[key]));
  return {
    load: pick("loadMs"),
    instantiate: pick("instantiateMs"),
    firstCall: pick("firstCallMs"),
    total: median(runs.map((r) => r.loadMs + r.instantiateMs + r.firstCallMs)),
  };
}

// --- what the modules are made of ------------------------------------------------------------

// The modules as rustc links them, before wasm-bindgen and wasm-opt strip their names: the
// shares are of that size, which wasm-opt then shrinks as a whole. The component's core module
// is linked with its names stripped already (scripts/build-component.sh), so twiggy could only
// number its functions; it holds the core's flows as `forgelink/flows` does.
const namedModules = [
  ["npm `forgelink`", "target/wasm32-unknown-unknown/wasm-pkg/forgelink_js.wasm"],
  ["npm `forgelink/flows`", "target/wasm32-unknown-unknown/wasm-pkg-flows/forgelink_js.wasm"],
];

/**
 * Each module's largest parts by crate and by function, as twiggy (`twiggy top`) measures
 * them. A function counts for the first crate its name mentions (`<serde_json::de::... as
 * serde::...>` for serde_json), so generic code counts where it came from, not where it was
 * instantiated; the data segment (string constants, tables) is one item twiggy cannot split.
 */
function measureComposition() {
  const twiggy = spawnSync("twiggy", ["--version"], { encoding: "utf8" });
  if (twiggy.status !== 0) return null;
  return namedModules.flatMap(([label, path]) => {
    const file = fileURLToPath(new URL(path, repo));
    if (!existsSync(file)) return [];
    const run = spawnSync("twiggy", ["top", "-n", "1000000", "--format", "json", file], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (run.status !== 0) return [];
    const items = JSON.parse(run.stdout);
    const total = readFileSync(file).length;
    const byCrate = new Map();
    for (const { name, shallow_size: bytes } of items) {
      const crate = /^data\[/.test(name)
        ? "(data segments)"
        : /^"function names" subsection|^custom section/.test(name)
          ? "(names and custom sections)"
          : (name.match(/([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/)?.[1] ?? "(other)");
      byCrate.set(crate, (byCrate.get(crate) ?? 0) + bytes);
    }
    const crates = [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 12);
    const functions = items.filter(({ name }) => name.includes("::")).slice(0, 8);
    return [{ label, path, total, crates, functions }];
  });
}

// --- run ---------------------------------------------------------------------------------

const started = Date.now();
const pkgSize = size(pkgWasm);
const componentSize = existsSync(component) ? size(component) : null;
const flowsSize = existsSync(flowsWasm) ? size(flowsWasm) : null;
console.log(`bench: wasm ${pkgSize.raw} bytes, ${pkgSize.gzip} gzip`);
console.log(`bench: loading in ${LOAD_PROCESSES} fresh processes`);
const loading = measureLoading();
measureCalls(rows);
for (const row of rows) console.log(`bench: ${Math.round(row.ops).toLocaleString("en")} calls/s  ${row.name}`);
const byId = Object.fromEntries(rows.filter((r) => r.id).map((r) => [r.id, r]));
const webhooks = await measureWebhooks();
const componentStart = measureComponentStart();
const composition = measureComposition();
const receive = await measureReceive();
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const fmt = (ops) => Math.round(ops).toLocaleString("en");
const ms = (value) => `${value.toFixed(2)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const cpu = cpus();
const wasmBindgen = readFileSync(new URL("bindings/js/Cargo.toml", repo), "utf8").match(/wasm-bindgen = "=([^"]+)"/)?.[1];

// The goals of the speed-and-size work, each judged on this run's numbers: a ratio against a
// peer measured in the same run, or a size. A row that could not be measured says so.
const MB = 1e6;
const rateOf = (name) => webhooks?.rates[name] ?? null;
const goal = (what, target, value, met) =>
  `| ${what} | ${target} | ${value ?? "not measured"} | ${value === null || value === undefined ? "not measured" : met ? "met" : "**not met**"} |`;
const nodeVsOctokit = rateOf("combined") && rateOf("octokit") ? rateOf("combined") / rateOf("octokit") : null;
const componentVsOctokit = rateOf("component") && rateOf("octokit") ? rateOf("component") / rateOf("octokit") : null;
const nativeBytes = rateOf("native") ? rateOf("native") * webhooks.bytes : null;
const pkceVsArctic = byId["arctic-pkce"] ? rows.find((r) => r.peer === "arctic-pkce").ops / byId["arctic-pkce"].ops : null;
const goals = [
  "## Goals",
  "",
  "Each goal judged on this run alone, on the unrounded numbers; ratios are against peers measured in this same run.",
  "",
  "| goal | target | this run | |",
  "|---|---|---:|---|",
  goal("Node: `verifyAndParseWebhook` vs octokit `verify` + `JSON.parse`", "≥ 1.3×", nodeVsOctokit && `${nodeVsOctokit.toFixed(3)}×`, nodeVsOctokit >= 1.3),
  goal("Component under wasmtime: verify + parse vs Node's octokit", "≥ 1.0×", componentVsOctokit && `${componentVsOctokit.toFixed(3)}×`, componentVsOctokit >= 1.0),
  goal(
    `Native Rust: verify + parse (OpenSSL's HMAC-SHA256 alone: ${rateOf("openssl") ? `${((rateOf("openssl") * webhooks.bytes) / MB).toFixed(0)} MB/s` : "not measured"})`,
    "≥ 1,000 MB/s",
    nativeBytes && `${(nativeBytes / MB).toFixed(0)} MB/s`,
    nativeBytes >= 1000 * MB,
  ),
  goal("`authorizationUrl` (light entry, state + PKCE S256) vs arctic, same work", "≥ 1.2×", pkceVsArctic && `${pkceVsArctic.toFixed(3)}×`, pkceVsArctic >= 1.2),
  goal("npm `forgelink` (light entry), gzip -9", "< 150,000 B (aim 100,000)", pkgSize.gzip.toLocaleString("en") + " B", pkgSize.gzip < 150_000),
  goal("npm `forgelink/flows`, gzip -9", "≤ 250,000 B", flowsSize && flowsSize.gzip.toLocaleString("en") + " B", flowsSize?.gzip <= 250_000),
  goal("component `dist/forgelink.wasm`, gzip -9", "≤ 300,000 B", componentSize && componentSize.gzip.toLocaleString("en") + " B", componentSize?.gzip <= 300_000),
  goal('`await import("forgelink")` in a fresh Node process, median', "< 6 ms", ms(loading.import), loading.import < 6),
  goal(
    "Component in a fresh wasmtime host, warm compile cache: load + instantiate + first call, median",
    "< 2 ms",
    componentStart && `${ms(componentStart.total)} (${ms(componentStart.load)} + ${ms(componentStart.instantiate)} + ${ms(componentStart.firstCall)})`,
    componentStart?.total < 2,
  ),
  "",
];

const lines = [
  "# forgelink benchmarks",
  "",
  "Written by `make bench` (`node benches/run.mjs`); every number below comes from the same run on the same machine.",
  "",
  `- Date: ${new Date().toISOString()}`,
  `- Node: ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`,
  `- CPU: ${cpu[0]?.model ?? "unknown"} (${cpu.length} logical cores)`,
  `- forgelink ${JSON.parse(readFileSync(new URL("pkg/package.json", repo), "utf8")).version}, wasm-bindgen ${wasmBindgen}, wasm-opt (npm binaryen) ${packageVersion("binaryen")}, arctic ${packageVersion("arctic")}`,
  `- Run time: ${seconds} s`,
  "",
  ...goals,
  "## Size",
  "",
  "| file | raw | gzip -9 (node:zlib) |",
  "|---|---:|---:|",
  `| npm \`forgelink\` (\`pkg/forgelink_bg.wasm\`) | ${pkgSize.raw.toLocaleString("en")} B (${kb(pkgSize.raw)}) | ${pkgSize.gzip.toLocaleString("en")} B (${kb(pkgSize.gzip)}) |`,
  ...(flowsSize
    ? [`| npm \`forgelink/flows\` (\`pkg/forgelink_flows_bg.wasm\`) | ${flowsSize.raw.toLocaleString("en")} B (${kb(flowsSize.raw)}) | ${flowsSize.gzip.toLocaleString("en")} B (${kb(flowsSize.gzip)}) |`]
    : []),
  ...(componentSize
    ? [`| component \`dist/forgelink.wasm\` | ${componentSize.raw.toLocaleString("en")} B (${kb(componentSize.raw)}) | ${componentSize.gzip.toLocaleString("en")} B (${kb(componentSize.gzip)}) |`]
    : []),
  "",
  ...(composition
    ? [
        "### What the modules are made of",
        "",
        `Measured by twiggy ${spawnSync("twiggy", ["--version"], { encoding: "utf8" }).stdout.trim().split(" ").pop()} (\`twiggy top\`) on each module as rustc links it, names kept, before wasm-bindgen and wasm-opt: the shares are of that size. A function counts for the first crate its name mentions, so generic code counts for the crate that defined it; the data segments (string constants, Unicode tables) are one item twiggy cannot split.`,
        "",
        ...composition.flatMap(({ label, path, total, crates, functions }) => [
          `${label} (\`${path}\`, ${total.toLocaleString("en")} B):`,
          "",
          "| crate | bytes | share |",
          "|---|---:|---:|",
          ...crates.map(([crate, bytes]) => `| ${crate} | ${bytes.toLocaleString("en")} | ${((100 * bytes) / total).toFixed(1)}% |`),
          "",
          "| largest functions | bytes |",
          "|---|---:|",
          ...functions.map(({ name, shallow_size: bytes }) => `| \`${name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "").replaceAll("|", "\\|")}\` | ${bytes.toLocaleString("en")} |`),
          "",
        ]),
      ]
    : ["The size breakdown needs twiggy (`cargo install twiggy`); it was not found.", ""]),
  "## Loading in Node",
  "",
  `Median of ${LOAD_PROCESSES} fresh Node processes each (a new process per measurement, so that no compiled code is reused), timed inside the process with \`performance.now()\`; Node's own start-up is not included.`,
  "",
  "| what | median |",
  "|---|---:|",
  `| \`await import("forgelink")\`: read the wasm, compile, instantiate, evaluate the glue | ${ms(loading.import)} (min ${ms(loading.importMin)}, max ${ms(loading.importMax)}) |`,
  `| first call after import (\`validateBaseUrl\`) | ${ms(loading.firstCall)} |`,
  `| \`new WebAssembly.Module(bytes)\` alone | ${ms(loading.compile)} |`,
  `| \`new WebAssembly.Instance(module, imports)\` alone | ${ms(loading.instantiate)} |`,
  "",
  "## Calls per second in Node",
  "",
  `Each row: ${WARMUP_MS} ms warm-up, then the median of ${SAMPLES} windows of ${WINDOW_MS} ms, on one thread; the rows take turns, one window each per round, so that a busy moment of the machine falls on all of them alike. forgelink's calls cross into WebAssembly and back through a JSON envelope; its \`authorizationUrl\` also validates the base URL, client id, redirect URI and scopes, and draws 64 bytes from \`crypto.getRandomValues\` in one call (arctic calls it twice per URL).`,
  "",
  "| call | calls/s | vs arctic `createAuthorizationURL` | vs arctic, same work |",
  "|---|---:|---:|---:|",
  ...rows.map((row) => {
    const vsArctic = row.id ? "" : row.peer ? ratio(row.ops, byId.arctic.ops) : "";
    const vsSame = row.peer ? ratio(row.ops, byId[row.peer].ops) : "";
    return `| ${row.name} | ${fmt(row.ops)} | ${vsArctic} | ${vsSame} |`;
  }),
  "",
  "A ratio above 1× means forgelink makes more calls per second than the peer; below 1×, fewer.",
  "arctic 3.7.0's GitLab client sends no PKCE parameters, so the PKCE row compares with arctic's generic `OAuth2Client`, which does the same S256 work in JavaScript.",
  "",
  ...(webhooks
    ? [
        "## Webhook deliveries",
        "",
        `Every example of \`@octokit/webhooks-examples\` ${packageVersion("@octokit/webhooks-examples")} (${webhooks.count} deliveries, ${webhooks.bytes.toLocaleString("en")} bytes), signed with HMAC-SHA256 as GitHub signs them. forgelink verifies over the raw bytes and parses each delivery into the normalised event; the peer, \`@octokit/webhooks-methods\` ${packageVersion("@octokit/webhooks-methods")}, verifies with Node's native HMAC and \`JSON.parse\`s. In Node, the three take turns: ${WARMUP_MS} ms warm-up each, then ${SAMPLES} rounds of one ${WINDOW_MS} ms window each, the median reported. The Rust rows time the same corpus the same way in their own processes, in the same run.`,
        "",
        "| | deliveries/s | MB/s | vs octokit |",
        "|---|---:|---:|---:|",
        ...[
          ["forgelink `verifyAndParseWebhook` (one call into the module), Node", webhooks.rates.combined],
          ["forgelink `verifyWebhook` + `parseWebhook` (two calls), Node", webhooks.rates.separate],
          ["octokit `verify` + `JSON.parse`, Node", webhooks.rates.octokit],
          ["forgelink component `verify-webhook` + `parse-webhook`, wasmtime " + packageVersionOf("hosts/wasmtime/Cargo.toml", "wasmtime"), webhooks.rates.component],
          ["forgelink `verify_webhook` + `parse_webhook`, native Rust", webhooks.rates.native],
        ].map(([name, rate]) =>
          rate === null || rate === undefined
            ? `| ${name} | not measured: the build failed, see the log of \`make bench\` | | |`
            : `| ${name} | ${fmt(rate * webhooks.count)} | ${((rate * webhooks.bytes) / 1e6).toFixed(1)} | ${name.startsWith("octokit") ? "" : ratio(rate, webhooks.rates.octokit)} |`,
        ),
        "",
        "In Node, forgelink hands the HMAC to `node:crypto` (forgelink decides what is signed and compares in constant time) and parses in WebAssembly, reading only the fields of the event model and skipping the rest of the payload without building it. The component hands it to the host's `hmac` import, which `forgelink-host` computes natively; its calls cross the canonical ABI twice per delivery, as a plugin host's would. The native row uses the pure-Rust HMAC (`sha2`, on the CPU's SHA extensions where it has them).",
        "",
        "Each step alone, over the same corpus in the same run:",
        "",
        "| step | MB/s |",
        "|---|---:|",
        ...[
          ["HMAC-SHA256, OpenSSL through `node:crypto` (the reference)", webhooks.rates.openssl],
          ["HMAC-SHA256, forgelink's built-in (`hmac` + `sha2`), native", webhooks.rates.nativeHmac],
          ["`verify_webhook`, native", webhooks.rates.nativeVerify],
          ["`parse_webhook`, native", webhooks.rates.nativeParse],
          ["serde_json passing over each body, keeping nothing (`IgnoredAny`), native: the scanner `parse_webhook` reads with", webhooks.rates.nativeSkip],
          ["`verify-webhook`, component (host HMAC)", webhooks.rates.componentVerify],
          ["`parse-webhook`, component", webhooks.rates.componentParse],
        ].map(([name, rate]) => `| ${name} | ${rate ? ((rate * webhooks.bytes) / 1e6).toFixed(1) : "not measured"} |`),
        "",
      ]
    : []),
  "## Receiving end to end, across processes",
  "",
  `${receive.deliveries.toLocaleString("en")} unique signed GitLab push deliveries (after ${receive.warmUp} to warm up), sent over HTTP with 32 in flight to the product's processes in turn: Node workers on \`webhookHandler\` + \`createNodeMiddleware\`${receive.hostBuilt ? " and `forgelink-host serve` (4 instances each)" : ""}, all sharing one store. Each delivery is routed, verified, parsed, claimed, handed to the handler and confirmed (two claims and two confirmations: the delivery's and its commit state's). Latency is from sending to the answer. The sender, the stores and the processes share this machine's ${cpu.length} cores, so more processes than cores show contention, not a server's scaling.`,
  "",
  "| store | processes | deliveries/s | p50 | p99 | vs in-process |",
  "|---|---|---:|---:|---:|---:|",
  ...receive.rows.map((row) =>
    row.error
      ? `| ${row.store} | ${row.processes} | failed: ${row.error} | | | |`
      : `| ${row.store} | ${row.processes} | ${fmt(row.perSecond)} | ${ms(row.p50)} | ${ms(row.p99)} | ${ratio(row.perSecond, receive.rows[0].perSecond)} |`,
  ),
  "",
];

writeFileSync(new URL("benches/RESULTS.md", repo), lines.join("\n"));
console.log(`bench: wrote ${fileURLToPath(new URL("benches/RESULTS.md", repo))} (${seconds} s; checksum ${sink % 997})`);
