// The setup wizard's static server: the page from www/ at `/` and the npm package from pkg/
// at `/pkg/`, so the page imports the package exactly as a browser would from any static host.
// No dependencies, so `make demo` needs nothing beyond Node itself.

import { createServer } from "node:http";
import { readFile, realpath, stat } from "node:fs/promises";
import { existsSync, realpathSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const defaultWwwDir = here;
const defaultPkgDir = resolve(here, "..", "pkg");

// Browsers refuse to compile wasm with the streaming API unless it is served as
// application/wasm, and refuse module scripts served as anything but JavaScript.
const contentTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

// The page promises no external fonts or scripts; the policy makes the browser hold it to
// that. 'wasm-unsafe-eval' is what compiling the package's wasm needs, and nothing more.
export const securityHeaders = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  // The page links to providers with a fresh OAuth state in the URL; no referrer leaks it.
  "Referrer-Policy": "no-referrer",
  // A rebuilt package must show up on the next reload, not after a cache expires.
  "Cache-Control": "no-cache",
};

export function send(res, status, body, headers = {}) {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...securityHeaders,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": payload.length,
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : payload);
}

/**
 * Maps a request path to a file under one of the two roots, or null when the path must not
 * be served. Segments are checked one by one so `..`, encoded slashes and dot-files never
 * reach the file system; the real path is checked again later against symbolic links.
 */
function locate(pathname, roots) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  let root = roots.www;
  let rest = decoded;
  if (decoded === "/pkg" || decoded.startsWith("/pkg/")) {
    root = roots.pkg;
    rest = decoded.slice("/pkg".length);
  }
  const segments = rest.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment.startsWith("."))) return null;
  return { root, file: join(root, ...segments) };
}

async function resolveFile(target) {
  let file = target.file;
  let info = await stat(file);
  if (info.isDirectory()) {
    file = join(file, "index.html");
    info = await stat(file);
  }
  if (!info.isFile()) return null;
  const [realFile, realRoot] = await Promise.all([realpath(file), realpath(target.root)]);
  if (realFile !== realRoot && !realFile.startsWith(realRoot + sep)) return null;
  return file;
}

/** The request handler that serves the two roots; the wizard's server reuses it for every
 * path its API does not claim. */
export function staticFiles({ wwwDir = defaultWwwDir, pkgDir = defaultPkgDir } = {}) {
  const roots = { www: resolve(wwwDir), pkg: resolve(pkgDir) };
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "Method not allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    let pathname;
    let search;
    try {
      // Prefixing rather than resolving keeps a path like `//name/x` a path, not a host.
      if (!req.url.startsWith("/")) throw new Error("not an origin-form request target");
      ({ pathname, search } = new URL(`http://127.0.0.1${req.url}`));
    } catch {
      send(res, 400, "Bad request\n");
      return;
    }
    const target = locate(pathname, roots);
    if (!target) {
      send(res, 404, "Not found\n");
      return;
    }
    let file;
    try {
      file = await resolveFile(target);
    } catch {
      file = null;
    }
    if (!file) {
      const hint =
        target.root === roots.pkg
          ? "Not found. The npm package is built into pkg/ by `make pkg`.\n"
          : "Not found\n";
      send(res, 404, hint);
      return;
    }
    // Directory URLs without a trailing slash would resolve the page's relative links
    // against the parent; send the browser to the canonical form, keeping the query (an OAuth
    // callback carries its code and state there).
    if (file.endsWith(`${sep}index.html`) && !pathname.endsWith("/") && !pathname.endsWith(".html")) {
      // Collapsing slashes keeps the Location a same-site path, never `//host`.
      send(res, 301, "", { Location: `${pathname.replace(/\/{2,}/g, "/")}/${search}` });
      return;
    }
    try {
      const body = await readFile(file);
      const type = contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream";
      send(res, 200, body, { "Content-Type": type });
    } catch {
      send(res, 500, "Could not read the file\n");
    }
  };
}

/**
 * Starts the server on 127.0.0.1. Port 0 picks a free port (for tests).
 * Resolves to `{ server, port, url, close }`; rejects with the listen error (such as
 * EADDRINUSE) so the caller can explain it.
 */
export function startServer({ port = 8080, host = "127.0.0.1", wwwDir = defaultWwwDir, pkgDir = defaultPkgDir } = {}) {
  return listen(createServer(staticFiles({ wwwDir, pkgDir })), { port, host });
}

/** Listens on `host` (127.0.0.1 unless told) and resolves to `{ server, port, url, close }`. */
export function listen(server, { port, host = "127.0.0.1" }) {
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const actual = server.address().port;
      const url = `http://${host}:${actual}/`;
      const close = () =>
        new Promise((done) => {
          server.close(() => done());
          // Keep-alive connections from a browser would otherwise hold close() open.
          server.closeAllConnections();
        });
      resolvePromise({ server, port: actual, url, close });
    });
  });
}

/** The port in `PORT`, 8080 when unset; null when it is not a port number. */
export function parsePort(text) {
  if (text === undefined || text === "") return 8080;
  if (!/^\d+$/.test(text) || Number(text) > 65535) return null;
  return Number(text);
}

/** What to tell a person whose port could not be opened, in the terms of the command they ran. */
export function explainListenError(error, port, command = "make demo") {
  if (error.code === "EADDRINUSE") {
    return (
      `Port ${port} on 127.0.0.1 is already in use, perhaps by an earlier demo still running.\n` +
      `Stop that program, or pick another port: PORT=${port === 8080 ? 8081 : port + 1} ${command}`
    );
  }
  if (error.code === "EACCES") return `Not allowed to listen on port ${port}; choose a port above 1023, for example PORT=8080.`;
  return `Could not start the server: ${error.message}`;
}

/** Runs `stop` once on the first SIGINT (Ctrl-C) or SIGTERM, then exits. */
export function stopOnSignals(stop) {
  let stopping = false;
  const handle = async (signal) => {
    if (stopping) return;
    stopping = true;
    try {
      await stop(signal);
      process.exit(0);
    } catch (error) {
      console.error(`Stopping failed: ${error && error.message ? error.message : error}`);
      process.exit(1);
    }
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isMainModule(moduleUrl) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

async function main() {
  const port = parsePort(process.env.PORT);
  if (port === null) {
    console.error(`PORT must be a number from 0 to 65535, not "${process.env.PORT}".`);
    process.exit(2);
  }
  if (!existsSync(join(defaultPkgDir, "index.js"))) {
    console.warn("Warning: pkg/index.js is missing, so the page cannot load forgelink. Run `make pkg` first.");
  }
  let running;
  try {
    running = await startServer({ port });
  } catch (error) {
    console.error(explainListenError(error, port, "node www/serve.mjs"));
    process.exit(1);
  }
  console.log(`forgelink setup wizard (static pages only): ${running.url}`);
  console.log("Serving only on this machine (127.0.0.1). Press Ctrl-C to stop.");
  stopOnSignals(async (signal) => {
    await running.close();
    console.log(`\nStopped (${signal}).`);
  });
}

if (isMainModule(import.meta.url)) {
  main();
}
