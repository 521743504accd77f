// Random and malformed deliveries and pasted lists to the webhook functions of forgelink/flows:
// nothing traps, nothing throws anything but a ForgelinkError whose code is in errorCodes(),
// and the module stays usable afterwards.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import fc from "fast-check";

import { errorCodes, ForgelinkError, identifyWebhook, parseRepositoryList, parseWebhook, verifyWebhook } from "../flows.js";

const RUNS = 10_000;
// A fixed seed keeps `make test` deterministic; set FORGELINK_FC_SEED to explore further.
const SEED = Number(process.env.FORGELINK_FC_SEED ?? 20_251_122);
const PARAMS = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const CODES = new Set(errorCodes());

/** Runs `call`; a thrown value must be a ForgelinkError with a catalogued code and guidance. */
function coded(call) {
  try {
    return { value: call() };
  } catch (error) {
    if (!(error instanceof ForgelinkError)) {
      throw new Error(`not a ForgelinkError: ${error?.name}: ${error?.message}`, { cause: error });
    }
    assert.ok(CODES.has(error.code), `unknown code ${error.code}`);
    assert.equal(error.guidance.code, error.code);
    assert.ok(error.guidance.steps.length > 0);
    return { error };
  }
}

// Real payloads to damage: a few of each GitHub CI event, and the GitLab and Bitbucket fixtures.
const corpus = JSON.parse(readFileSync(new URL("../../node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url), "utf8"));
const fixtures = JSON.parse(readFileSync(new URL("../../tests/fixtures/webhooks/deliveries.json", import.meta.url), "utf8")).cases;
const SAMPLES = [
  ...corpus.filter((e) => ["push", "pull_request", "workflow_run", "workflow_job", "check_run", "check_suite", "status", "ping"].includes(e.name)).flatMap((e) => e.examples.slice(0, 3)),
  ...fixtures.map((c) => c.body),
].map((body) => JSON.stringify(body));

const char16 = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
const anything = fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true });

const headerName = fc.oneof(
  fc.constantFrom(
    "X-GitHub-Event", "x-github-event", "X-GitHub-Delivery", "X-GitHub-Hook-ID", "X-Hub-Signature-256", "X-Hub-Signature", "Content-Type",
    "X-Gitlab-Event", "X-Gitlab-Token", "X-Gitlab-Event-UUID", "Idempotency-Key", "X-Gitlab-Webhook-UUID", "webhook-id", "webhook-timestamp", "webhook-signature",
    "X-Event-Key", "X-Request-UUID", "X-Hook-UUID", "X-Request-Id", "X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event", "User-Agent",
  ),
  fc.string({ maxLength: 12 }),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    "push", "ping", "pull_request", "workflow_job", "workflow_run", "check_run", "check_suite", "status", "Push Hook", "Pipeline Hook", "Job Hook", "Merge Request Hook",
    "Tag Push Hook", "System Hook", "repo:push", "repo:commit_status_created", "repo:commit_status_updated", "pullrequest:created", "pr:opened", "diagnostics:ping",
    "sha256=", "sha256=00", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha1=abc", "v1,", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    "v1,!!! v2,abc", "1614265330", "-1", "99999999999999999999", "application/json", "application/x-www-form-urlencoded", "Bitbucket-Webhooks/2.0", "", " ",
  ),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: char16, maxLength: 8 }),
);
const pairs = fc.array(fc.tuple(headerName, headerValue), { maxLength: 7 });
const headersArg = fc.oneof(
  { weight: 5, arbitrary: pairs },
  { weight: 2, arbitrary: pairs.map((p) => Object.fromEntries(p)) },
  { weight: 1, arbitrary: pairs.map((p) => new Headers(p.filter(([n, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n) && !/[\0\r\n\u0100-\uffff]/.test(v)))) },
  { weight: 1, arbitrary: anything },
);
const damagedSample = fc.tuple(fc.constantFrom(...SAMPLES), fc.nat(), fc.nat({ max: 40 }), fc.string({ unit: char16, maxLength: 4 })).map(([s, at, cut, insert]) => {
  const i = at % (s.length + 1);
  return s.slice(0, i) + insert + s.slice(i + cut);
});
const bodyArg = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SAMPLES) },
  { weight: 4, arbitrary: damagedSample },
  { weight: 2, arbitrary: damagedSample.map((s) => new TextEncoder().encode(s)) },
  { weight: 1, arbitrary: damagedSample.map((s) => new URLSearchParams({ payload: s }).toString()) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "{}", "[]", "null", "1e999", '{"repository":[]}', '{"object_kind":"build","build_status":{}}', "payload=", "payload=%ZZ") },
  { weight: 1, arbitrary: anything },
);
const secretsArg = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom("It's a Secret to Everybody", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_!!", "s3cret", ""), fc.string({ maxLength: 20 })), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: anything },
);
const numberArg = fc.oneof(fc.constant(undefined), fc.integer({ min: -2e9, max: 4e9 }), fc.double(), fc.constantFrom(1614265330, 0, -1, 1e300, -1e300, Number.MAX_SAFE_INTEGER), anything);
const boolArg = fc.oneof(fc.constant(undefined), fc.boolean(), anything);

test("identifyWebhook: 10,000 random header sets", () => {
  fc.assert(
    fc.property(headersArg, (headers) => {
      const { value } = coded(() => identifyWebhook(headers));
      if (value !== undefined) {
        assert.ok(["github", "gitlab", "bitbucket-cloud", "bitbucket-data-center"].includes(value.provider));
        assert.equal(typeof value.event, "string");
      }
    }),
    PARAMS,
  );
});

test("verifyWebhook: 10,000 random deliveries, secrets and options", () => {
  let verified = 0;
  fc.assert(
    fc.property(headersArg, bodyArg, secretsArg, numberArg, numberArg, boolArg, boolArg, fc.boolean(), (headers, body, secrets, now, toleranceSeconds, allowUnsigned, allowSha1, signIt) => {
      // Half the GitHub-shaped deliveries carry a signature that matches, so the success path is fuzzed too.
      if (signIt && Array.isArray(headers) && Array.isArray(secrets) && typeof secrets[0] === "string" && (typeof body === "string" || body instanceof Uint8Array)) {
        headers = [...headers, ["X-Hub-Signature-256", `sha256=${createHmac("sha256", secrets[0]).update(body).digest("hex")}`]];
      }
      const { value } = coded(() => verifyWebhook({ headers, body, secrets, now, toleranceSeconds, allowUnsigned, allowSha1 }));
      if (value !== undefined) {
        assert.ok(value.scheme === "unsigned" ? value.secretIndex === null : Number.isInteger(value.secretIndex));
        verified++;
      }
    }),
    PARAMS,
  );
  assert.ok(verified > 100, `only ${verified} deliveries verified: the success path is barely exercised`);
});

test("parseWebhook: 10,000 random and damaged deliveries", () => {
  let parsed = 0;
  fc.assert(
    fc.property(headersArg, bodyArg, (headers, body) => {
      const { value } = coded(() => parseWebhook({ headers, body }));
      if (value !== undefined) {
        assert.equal(typeof value.dedupeKey, "string");
        assert.ok(["push", "tag_push", "merge_request", "pipeline", "job", "commit_status", "ping", "other"].includes(value.kind));
        parsed++;
      }
    }),
    PARAMS,
  );
  assert.ok(parsed > 100, `only ${parsed} deliveries parsed: the success path is barely exercised`);
});

const line = fc.oneof(
  fc.constantFrom("group/project", "group/subgroup/project", "owner/repo", "PROJECT/repo", "https://gitlab.com/group/app", "https://gitlab.com/group/app.git", "git@gitlab.com:group/app.git", "# comment", "", " ", "/", "a//b", "../x", "a/b/", "https://other.example/a/b", "ssh://git@bb.example:7999/proj/repo.git"),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: char16, maxLength: 10 }),
);
const listArg = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\r", " ", ",")).map(([lines, sep]) => lines.join(sep)) },
  { weight: 1, arbitrary: anything },
);
const baseArg = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom("https://gitlab.com", "https://git.example.com/gitlab/", "", "not a url"), fc.string({ maxLength: 20 }), anything);

test("parseRepositoryList: 10,000 random pasted lists", () => {
  fc.assert(
    fc.property(listArg, baseArg, (text, baseUrl) => {
      const { value, error } = coded(() => parseRepositoryList(text, baseUrl));
      if (error !== undefined) assert.equal(error.code, "input.invalid");
      if (value !== undefined) {
        assert.ok(value.repositories.every((r) => typeof r === "string" && r.length > 0));
        assert.equal(new Set(value.repositories.map((r) => r.toLowerCase())).size, value.repositories.length);
        for (const d of value.diagnostics) {
          assert.ok(CODES.has(d.code), d.code);
          assert.ok(Number.isInteger(d.line) && d.line >= 1);
        }
      }
    }),
    PARAMS,
  );
});

test("the module still answers after the random inputs", () => {
  assert.equal(identifyWebhook({ "X-GitHub-Event": "ping" }).provider, "github");
  assert.deepEqual(parseRepositoryList("a/b").repositories, ["a/b"]);
});
