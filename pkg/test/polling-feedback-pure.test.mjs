// Polling and feedback as pure functions through forgelink/flows: the shared fixture tables
// (tests/fixtures/polling and tests/fixtures/feedback at the repository root), the same inputs
// and answers the Rust crate and the component are held to, and arguments of the wrong type.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  feedbackBody,
  feedbackMarker,
  findFeedback,
  ForgelinkError,
  parseComment,
  parseCommentList,
  parsePollResponse,
  parseWebhook,
  pollResources,
  prepareCreateComment,
  prepareListComments,
  preparePollRequest,
  preparePollRequests,
  prepareUpdateComment,
  readRateLimit,
  stateKey,
} from "../flows.js";

const fixture = (path) => JSON.parse(readFileSync(new URL(`../../tests/fixtures/${path}`, import.meta.url), "utf8"));

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

/** The time until which a reading holds calls back, as the core's poll computes it. */
function blockedUntil(reading, now) {
  const retry = reading.retryAfter === null ? null : now + reading.retryAfter;
  const reset = reading.remaining === 0 ? reading.resetAt : null;
  const later = retry === null ? reset : reset === null ? retry : Math.max(retry, reset);
  return Math.max(later ?? now + 60, now + 1);
}

test("documented list responses give the golden file's requests, pages and codes", () => {
  const cases = fixture("polling/responses.json");
  const golden = fixture("polling/responses.golden.json");
  assert.equal(cases.length, golden.length);
  let keyed = 0;
  for (const [i, c] of cases.entries()) {
    const expected = golden[i];
    assert.equal(c.name, expected.name);
    const instance = { provider: c.provider, baseUrl: c.baseUrl };
    const request = preparePollRequest(instance, "t", c.project, c.resource, c.since);
    assert.equal(request.url, expected.request, c.name);
    assert.equal(request.method, "GET", c.name);
    assert.deepEqual(request.headers.find(([name]) => name === "Authorization"), ["Authorization", "Bearer t"], c.name);
    const response = { status: c.response.status, headers: c.response.headers, body: JSON.stringify(c.response.body) };
    const now = c.since + 60;
    if (expected.code) {
      const error = thrown(() => parsePollResponse(instance, c.project, c.resource, request.url, response, c.since, now));
      assert.ok(error instanceof ForgelinkError, c.name);
      assert.equal(error.code, expected.code, c.name);
      assert.equal(error.guidance.code, expected.code, c.name);
      assert.equal(blockedUntil(readRateLimit(response, now), now), expected.blockedUntil, c.name);
      continue;
    }
    const page = parsePollResponse(instance, c.project, c.resource, request.url, response, c.since, now);
    assert.deepEqual(page, expected.page, c.name);
    assert.deepEqual(readRateLimit(response, now), expected.page.rateLimit, c.name);
    for (const event of page.events) {
      assert.notEqual(event.stateKey, null, c.name);
      assert.equal(stateKey(event), event.stateKey, c.name);
      keyed++;
    }
    // Follow-ups are resources the request builder takes back as they are.
    for (const resource of page.followUps) {
      assert.match(preparePollRequest(instance, "t", c.project, resource, c.since).url, /^https?:\/\//, c.name);
    }
  }
  assert.ok(keyed >= 10, `the fixtures hold events: ${keyed}`);
});

test("poll resources and first requests, one per resource, with the token", () => {
  const cases = [
    [{ provider: "gitlab", baseUrl: "https://example.com/gitlab" }, "group/sub/app"],
    [{ provider: "github" }, "octo/repo"],
    [{ provider: "bitbucket-cloud" }, "ws/repo"],
    [{ provider: "bitbucket-data-center", baseUrl: "https://bb.example.com" }, "PRJ/app"],
  ];
  for (const [instance, project] of cases) {
    const resources = pollResources(instance.provider);
    assert.ok(resources.length >= 2, instance.provider);
    const requests = preparePollRequests(instance, "t0k3n", project, 1_700_000_000);
    assert.deepEqual(requests.map((r) => r.resource), resources, instance.provider);
    for (const [i, { request }] of requests.entries()) {
      assert.deepEqual(request, preparePollRequest(instance, "t0k3n", project, resources[i], 1_700_000_000), instance.provider);
      assert.deepEqual(request.headers.find(([name]) => name === "Authorization"), ["Authorization", "Bearer t0k3n"]);
    }
  }
  assert.deepEqual(pollResources("github"), [{ resource: "pipelines" }, { resource: "merge_requests" }, { resource: "pushes" }]);
  const refusals = [
    [{ provider: "github" }, "octo", { resource: "pipelines" }, "repository.invalid_path"],
    [{ provider: "bitbucket-data-center", baseUrl: "https://bb.example.com" }, "PRJ/app", { resource: "pushes" }, "input.invalid"],
    [{ provider: "bitbucket-data-center" }, "PRJ/app", { resource: "branches" }, "base_url.required"],
    [{ provider: "gitlab", baseUrl: "gitlab.example.com" }, "g/p", { resource: "pipelines" }, "base_url.missing_scheme"],
    [{ provider: "gitea" }, "g/p", { resource: "pipelines" }, "provider.unknown"],
  ];
  for (const [instance, project, resource, code] of refusals) {
    const error = thrown(() => preparePollRequest(instance, "t", project, resource, 0));
    assert.equal(error.code, code, `${instance.provider} ${project}`);
    assert.equal(error.guidance.code, code);
  }
  assert.equal(thrown(() => pollResources("gitea")).code, "provider.unknown");
});

test("rate-limit readings of successes and refusals", () => {
  const now = 1_700_000_000;
  const read = (status, headers) => readRateLimit({ status, headers }, now);
  assert.deepEqual(read(403, [["x-ratelimit-limit", "5000"], ["x-ratelimit-remaining", "0"], ["x-ratelimit-reset", "1700000900"]]), {
    limit: 5000,
    remaining: 0,
    resetAt: 1_700_000_900,
    retryAfter: null,
    nearLimit: false,
  });
  assert.equal(read(200, [["RateLimit-Remaining", "12"], ["RateLimit-Reset", "42"]]).remaining, 12);
  assert.equal(read(429, [["Retry-After", "Tue, 14 Nov 2023 22:15:20 GMT"]]).retryAfter, 120);
  assert.equal(read(200, [["X-RateLimit-NearLimit", "true"]]).nearLimit, true);
  assert.deepEqual(read(200, []), { limit: null, remaining: null, resetAt: null, retryAfter: null, nearLimit: false });
});

test("state keys of deliveries are computed from their fields", () => {
  let keyed = 0;
  for (const c of fixture("webhooks/deliveries.json").cases) {
    let event;
    try {
      event = parseWebhook({ headers: c.headers, body: JSON.stringify(c.body) });
    } catch {
      continue;
    }
    const key = stateKey(event);
    assert.equal(key, event.stateKey, c.name);
    // Computed, not copied from the event.
    assert.equal(stateKey({ ...event, stateKey: "stale" }), key, c.name);
    keyed += key === null ? 0 : 1;
  }
  assert.ok(keyed >= 5, `${keyed}`);
  const push = { provider: "gitlab", kind: "push", repository: { fullPath: "Group/App", webUrl: "https://git.example.com/group/app" }, ref: "refs/heads/main", commitSha: "abc" };
  assert.equal(stateKey(push), "gitlab:git.example.com:group/app:push:main:abc");
  assert.equal(stateKey({ provider: "github", kind: "ping" }), null);
  assert.equal(thrown(() => stateKey({ ...push, kind: "nope" })).code, "input.invalid");
  assert.equal(thrown(() => stateKey({ ...push, provider: "gitea" })).code, "provider.unknown");
  const unknown = thrown(() => stateKey({ ...push, extra: 1 }));
  assert.equal(unknown.code, "input.invalid");
  assert.match(unknown.message, /event\.extra/);
  assert.match(thrown(() => stateKey({ ...push, repository: { fullPath: "g/a", nope: 1 } })).message, /nope/);
});

test("documented comment responses read as the fixture table says", () => {
  let read = 0;
  let refused = 0;
  for (const c of fixture("feedback/responses.json")) {
    const response = { status: c.status, headers: [], body: JSON.stringify(c.body) };
    if (c.expect.code) {
      const error = thrown(() => parseComment(c.provider, c.location, response));
      assert.ok(error instanceof ForgelinkError, c.name);
      assert.equal(error.code, c.expect.code, c.name);
      assert.equal(error.guidance.code, c.expect.code, c.name);
      assert.ok(error.guidance.steps.length > 0, c.name);
      refused++;
    } else {
      const comment = parseComment(c.provider, c.location, response);
      const present = Object.fromEntries(Object.entries(comment).filter(([, v]) => v !== null));
      assert.deepEqual(present, c.expect, c.name);
      assert.deepEqual(Object.keys(comment).sort(), ["body", "discussionId", "id", "url", "version"], c.name);
      read++;
    }
    const instance = { provider: c.provider, baseUrl: c.baseUrl };
    const project = c.provider === "bitbucket-data-center" ? "PRJ/repo" : "group/repo";
    const request = prepareCreateComment(instance, "t", project, c.location, "x");
    assert.equal(request.method, "POST", c.name);
    assert.ok(request.body.includes('"x"'), c.name);
    assert.deepEqual(request.headers.find(([name]) => name === "Authorization"), ["Authorization", "Bearer t"], c.name);
  }
  assert.ok(read >= 8 && refused >= 4, `${read} read, ${refused} refused`);
});

test("a marked comment is found in a listed page and updated in place", () => {
  const marker = feedbackMarker("ci/pipeline--1");
  assert.ok(marker.startsWith("<!--") && marker.endsWith("-->"), marker);
  assert.ok(!marker.slice(4, -3).includes("--"), marker);
  const body = feedbackBody("**Build failed**  \n", "ci/pipeline--1");
  assert.equal(body, `**Build failed**\n\n${marker}`);
  assert.equal(feedbackBody("plain", null), "plain");
  assert.equal(feedbackBody("plain"), "plain");

  const instance = { provider: "github" };
  const location = { target: "merge_request", number: 7 };
  const list = prepareListComments(instance, "t", "octo/repo", location);
  assert.equal(list.method, "GET");
  assert.match(list.url, /^https:\/\/api\.github\.com\/repos\/octo\/repo\/issues\/7\/comments/);
  const page = parseCommentList("github", location, list.url, {
    status: 200,
    headers: [["Link", '<https://api.github.com/repositories/1/issues/7/comments?page=2>; rel="next"']],
    body: JSON.stringify([
      { id: 1, body: "unrelated", html_url: "https://github.com/octo/repo/pull/7#issuecomment-1" },
      { id: 2, body, html_url: "https://github.com/octo/repo/pull/7#issuecomment-2" },
    ]),
  });
  assert.equal(page.next, "https://api.github.com/repositories/1/issues/7/comments?page=2");
  assert.deepEqual(page.comments.map((c) => c.id), ["1", "2"]);
  const found = findFeedback(page.comments, "ci/pipeline--1");
  assert.deepEqual(found, page.comments[1]);
  assert.equal(findFeedback(page.comments, "other"), null);
  assert.equal(findFeedback([{ id: "9", body: `x ${marker}` }], "ci/pipeline--1").id, "9");

  const update = prepareUpdateComment(instance, "t", "octo/repo", location, found, feedbackBody("Fixed", "ci/pipeline--1"));
  assert.equal(update.method, "PATCH");
  assert.equal(update.url, "https://api.github.com/repos/octo/repo/issues/comments/2");
  assert.equal(JSON.parse(update.body).body, `Fixed\n\n${marker}`);

  const gitlab = { provider: "gitlab", baseUrl: "https://git.example.com" };
  const commit = { target: "commit", sha: "abc" };
  assert.equal(thrown(() => prepareUpdateComment(gitlab, "t", "g/p", commit, { id: "1", body: "b" }, "x")).code, "input.invalid");
  assert.equal(thrown(() => prepareListComments(instance, "t", "octo/repo", { target: "new_issue", title: "T" })).code, "input.invalid");
  assert.equal(prepareCreateComment(instance, "t", "octo/repo", { target: "new_issue", title: "T" }, "b").method, "POST");
  const dc = { provider: "bitbucket-data-center", baseUrl: "https://bb.example.com" };
  assert.equal(thrown(() => prepareListComments(dc, "t", "PRJ/app", { target: "issue", number: 1 })).code, "feedback.no_target");
});

test("unknown fields and unknown tags are input.invalid errors naming them", () => {
  const instance = { provider: "github" };
  const cases = [
    [() => preparePollRequest(instance, "t", "o/r", { resource: "pipelines", pipelineId: "1" }, 0), /resource\.pipelineId/],
    [() => preparePollRequest(instance, "t", "o/r", { resource: "everything" }, 0), /resource\.resource/],
    [() => preparePollRequest(instance, "t", "o/r", { kind: "pipelines" }, 0), /resource\.kind/],
    [() => preparePollRequest({ provider: "github", region: "eu" }, "t", "o/r", { resource: "pipelines" }, 0), /instance\.region/],
    [() => prepareCreateComment(instance, "t", "o/r", { target: "commit", number: 1 }, "b"), /location\.number/],
    [() => prepareCreateComment(instance, "t", "o/r", { target: "pull_request", number: 1 }, "b"), /location\.target/],
    [() => prepareCreateComment(instance, "t", "o/r", { target: "issue", number: -1 }, "b"), /location\.number/],
    [() => prepareUpdateComment(instance, "t", "o/r", { target: "issue", number: 1 }, { id: "1", body: "b", author: "x" }, "b"), /comment\.author/],
    [() => findFeedback([{ id: "1", body: "b" }, { id: 2, body: "b" }], "k"), /comments\[1\]\.id/],
    [() => parseComment("github", { target: "issue", number: 1.5 }, { status: 201, body: "{}" }), /location\.number/],
    [() => readRateLimit({ status: 200, headers: [], body: "", statusText: "OK" }, 0), /response\.statusText/],
  ];
  for (const [call, field] of cases) {
    const error = thrown(call);
    assert.ok(error instanceof ForgelinkError, String(call));
    assert.equal(error.code, "input.invalid", String(call));
    assert.match(error.message, field);
    assert.equal(error.guidance.code, "input.invalid");
  }
});

const WRONG = [undefined, null, 0, 42n, true, {}, Symbol("s"), () => "gitlab", new String("gitlab"), []];

test("arguments of the wrong type are input.invalid errors, never TypeErrors", () => {
  const instance = { provider: "github" };
  const resource = { resource: "pipelines" };
  const location = { target: "merge_request", number: 1 };
  const comment = { id: "1", body: "b" };
  const response = { status: 200, headers: [], body: "[]" };
  const event = { provider: "github", kind: "ping" };
  // Each function with valid arguments, and the positions that may be left out.
  const calls = [
    [pollResources, ["github"]],
    [preparePollRequest, [instance, "t", "o/r", resource, 0]],
    [preparePollRequests, [instance, "t", "o/r", 0]],
    [parsePollResponse, [instance, "o/r", resource, "https://api.github.com/x", response, 0, 0]],
    [readRateLimit, [response, 0]],
    [stateKey, [event]],
    [feedbackMarker, ["k"]],
    [feedbackBody, ["b", "k"], [1]],
    [findFeedback, [[comment], "k"]],
    [prepareListComments, [instance, "t", "o/r", location]],
    [prepareCreateComment, [instance, "t", "o/r", location, "b"]],
    [prepareUpdateComment, [instance, "t", "o/r", location, comment, "b"]],
    [parseComment, ["github", location, { status: 201, body: '{"id":1,"body":"b"}' }]],
    [parseCommentList, ["github", location, "https://api.github.com/x", response]],
  ];
  for (const [fn, args, optional = []] of calls) {
    fn(...args);
    for (let position = 0; position < args.length; position++) {
      for (const wrong of WRONG) {
        if (optional.includes(position) && (wrong === undefined || wrong === null)) continue;
        // An empty list is a valid list of comments, and 0 a valid time.
        if (fn === findFeedback && position === 0 && Array.isArray(wrong)) continue;
        if (typeof args[position] === "number" && wrong === 0) continue;
        const given = [...args];
        given[position] = wrong;
        const error = thrown(() => fn(...given));
        const where = `${fn.name} argument ${position}: ${typeof wrong === "symbol" ? "symbol" : typeof wrong === "bigint" ? `${wrong}n` : String(wrong)}`;
        assert.ok(error instanceof ForgelinkError, `${where}: ${error}`);
        assert.equal(error.code, "input.invalid", where);
      }
    }
  }
  // Wrong types inside the objects, too.
  for (const wrong of WRONG) {
    if (wrong === undefined || wrong === null) continue;
    for (const call of [
      () => preparePollRequest(instance, "t", "o/r", { resource: "jobs", pipelineId: wrong }, 0),
      () => prepareCreateComment(instance, "t", "o/r", { target: "commit", sha: wrong }, "b"),
      () => findFeedback([{ id: "1", body: wrong }], "k"),
      // 0 is a version; -1 is not.
      () => prepareUpdateComment(instance, "t", "o/r", location, { ...comment, version: wrong === 0 ? -1 : wrong }, "b"),
      () => stateKey({ provider: "github", kind: wrong }),
    ]) {
      const error = thrown(call);
      assert.ok(error instanceof ForgelinkError, `${call}: ${error}`);
      assert.equal(error.code, "input.invalid", String(call));
    }
  }
});
