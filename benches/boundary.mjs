// Calls per second across the `forgelink/flows` boundary for three pure functions that take
// objects (a poll request, a token response read, a code exchange): what the input convention
// costs per call. Run with `node benches/boundary.mjs` after building the package; nothing here
// asserts, numbers are for reading.

import { parseTokenResponse, preparePollRequest, prepareTokenExchange } from "../pkg/flows.js";

// The same windows as benches/run.mjs: after a warm-up, the median of SAMPLES windows.
const WARMUP_MS = 300;
const WINDOW_MS = 400;
const SAMPLES = 7;

function callsPerSecond(call) {
  const until = (ms) => {
    const end = performance.now() + ms;
    let calls = 0;
    while (performance.now() < end) {
      call();
      calls++;
    }
    return calls;
  };
  until(WARMUP_MS);
  const rates = Array.from({ length: SAMPLES }, () => (until(WINDOW_MS) * 1000) / WINDOW_MS);
  rates.sort((a, b) => a - b);
  return Math.round(rates[SAMPLES >> 1]);
}

const client = {
  provider: "gitlab",
  baseUrl: "https://gitlab.example.com",
  clientId: "client-id",
  clientSecret: "client-secret",
  redirectUri: "https://app.example.com/callback",
};
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

const results = {
  preparePollRequest: callsPerSecond(() =>
    preparePollRequest({ provider: "github" }, "token", "octo/repo", { resource: "pipelines" }, 1700000000),
  ),
  parseTokenResponse: callsPerSecond(() => parseTokenResponse("gitlab", tokenResponse, 1700000000)),
  prepareTokenExchange: callsPerSecond(() => prepareTokenExchange(client, "the-code", "v".repeat(43))),
};
for (const [name, rate] of Object.entries(results)) console.log(`${name}: ${rate} calls/s`);
