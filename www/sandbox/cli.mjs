#!/usr/bin/env node
// Starts the provider sandbox on its own and prints where everything is: a few lines for a
// person, then one JSON line for scripts. Stops cleanly on SIGINT and SIGTERM.
//
//   node www/sandbox/cli.mjs [--port 8090] [--github-port 8091] [--page-size 100] [--quiet]

import { parseArgs } from "node:util";

import { startSandbox } from "./sandbox.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.SANDBOX_PORT ?? "0" },
    "github-port": { type: "string" },
    "page-size": { type: "string", default: "100" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  process.stdout.write(
    "Usage: node www/sandbox/cli.mjs [--port N] [--github-port N] [--page-size N] [--quiet]\n" +
      "  --port         the control page, GitLab and both Bitbucket (0: any free port; SANDBOX_PORT also works)\n" +
      "  --github-port  GitHub Enterprise Server (default: port + 1, or any free port)\n" +
      "  --page-size    the largest page any list answers (default 100, as on the real providers)\n" +
      "  --quiet        no request log, only the addresses\n",
  );
  process.exit(0);
}

const number = (text, name) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`--${name} must be a port number or a count, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};

let sandbox;
try {
  sandbox = await startSandbox({
    port: number(values.port, "port"),
    githubPort: values["github-port"] === undefined ? undefined : number(values["github-port"], "github-port"),
    maxPageSize: Math.max(1, number(values["page-size"], "page-size")),
    log: values.quiet ? () => {} : (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
} catch (error) {
  process.stderr.write(`The sandbox could not start: ${error.code === "EADDRINUSE" ? `port ${error.port} is in use` : error.message}\n`);
  process.exit(1);
}

const lines = [
  `forgelink provider sandbox: ${sandbox.url}`,
  ...Object.values(sandbox.providers).map((p) => `  ${p.title.padEnd(26)} ${p.baseUrl}${p.provider === "bitbucket-cloud" ? `  (served at ${sandbox.origin}/bitbucket-cloud)` : ""}`),
  `  account on every provider: ${sandbox.providers.gitlab.account.username} / ${sandbox.providers.gitlab.account.password}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
process.stdout.write(`${JSON.stringify({ url: sandbox.url, origin: sandbox.origin, githubOrigin: sandbox.githubOrigin, providers: sandbox.providers })}\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    process.exit(0);
  });
}
