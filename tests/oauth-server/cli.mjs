// Runs the GitLab-shaped OAuth server for tests written in other languages.
//
//   node tests/oauth-server/cli.mjs
//
// prints one JSON line on stdout and serves until its stdin closes:
//
//   {"baseUrl","clientId","clientSecret","redirectUri","controlUrl","personalAccessToken"}
//
// Control endpoints, on a listener of their own:
//   POST {controlUrl}/approve                  body: an authorization URL; answer: the callback
//                                              URL, as text (`?scopes=a+b` grants only those,
//                                              `?deny=1` declines); 422 with the server's error
//                                              when it refuses without redirecting
//   GET  {controlUrl}/stats                    {"authorizationCode","refreshToken","revoked"}
//   POST {controlUrl}/revoke-refresh-tokens    {"revoked": N}

import { createServer } from "node:http";

import { startOAuthServer } from "./server.mjs";

// stdout carries exactly one line; anything a library prints goes to stderr.
const line = (text) => process.stdout.write(`${text}\n`);
console.log = console.info = console.debug = (...args) => console.error(...args);

const server = await startOAuthServer();

const control = createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const reply = (status, body, type = "application/json") => {
    res.writeHead(status, { "content-type": type });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  try {
    if (req.method === "POST" && url.pathname === "/control/approve") {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const authorizationUrl = Buffer.concat(chunks).toString("utf8").trim();
      const scopes = url.searchParams.get("scopes");
      const choice = {
        scopes: scopes === null ? undefined : scopes.split(/[ +]/).filter(Boolean),
        deny: url.searchParams.get("deny") === "1",
      };
      try {
        return reply(200, await server.approve(authorizationUrl, choice), "text/plain; charset=utf-8");
      } catch (error) {
        return reply(422, { error: error.error ?? "server_error", errorDescription: error.errorDescription ?? error.message });
      }
    }
    if (req.method === "GET" && url.pathname === "/control/stats") {
      return reply(200, server.stats());
    }
    if (req.method === "POST" && url.pathname === "/control/revoke-refresh-tokens") {
      return reply(200, { revoked: server.revokeRefreshTokens() });
    }
    return reply(404, { error: "not_found" });
  } catch (error) {
    return reply(500, { error: "server_error", errorDescription: error.message });
  }
});
await new Promise((resolve) => control.listen(0, "127.0.0.1", resolve));

line(
  JSON.stringify({
    baseUrl: server.baseUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    redirectUri: server.redirectUri,
    controlUrl: `http://127.0.0.1:${control.address().port}/control`,
    personalAccessToken: server.personalAccessToken,
  }),
);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  control.closeAllConnections();
  control.close();
  await server.close();
  process.exit(0);
}
process.stdin.on("end", shutdown);
process.stdin.on("close", shutdown);
process.stdin.on("error", shutdown);
process.stdin.resume();
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
