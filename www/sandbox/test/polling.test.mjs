// Polling as a safety net and feedback, through forgelink's Forgelink class against GitLab,
// GitHub Enterprise Server, Bitbucket Cloud and Data Center: a delivery the provider dropped is found by the next poll, and the
// same state delivered later is a duplicate; a rate limit stops the poll until the time it
// gives; feedback lands on the merge request (or the commit) and is updated in place. Then the
// lists themselves, read over HTTP without forgelink.

import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";

import { sandboxFetch, startSandbox } from "../sandbox.mjs";
import { forgelinkFor, startReceiver } from "./support.mjs";

// `delivered(event, body)`: whether a polled event is the state the delivery's body describes,
// the one its later copies must be duplicates of. GitLab and GitHub deliver the pipeline;
// Bitbucket Cloud delivers Bitbucket Pipelines' commit status, which the poll reads from the
// pipeline's commit.
const CASES = {
  gitlab: { project: "platform/ci/runner-images", delivered: (e, body) => e.kind === "pipeline" && e.pipeline.id === String(body.object_attributes.id), jobs: true, pushes: true, remainingWhenLimited: 0 },
  github: { project: "acme-platform/runner-images", delivered: (e, body) => e.kind === "pipeline" && e.pipeline.id === String(body.workflow_run.id), jobs: true, pushes: true, remainingWhenLimited: 0 },
  "bitbucket-cloud": {
    project: "acme/runner-images",
    delivered: (e, body) => e.kind === "commit_status" && e.commitStatus.key === body.commit_status.key && e.commitSha === body.commit_status.commit.hash,
    jobs: false,
    pushes: false,
    remainingWhenLimited: null,
  },
};

let sandbox;

before(async () => {
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.close();
});

afterEach(() => {
  sandbox.setSwitch("dropDeliveries", false);
  sandbox.setSwitch("rateLimited", false);
});

/** A token connection with a ci-failure-analysis hook on the project, delivering to `receiver`. */
async function connected(provider, project, receiver) {
  const host = forgelinkFor(sandbox);
  receiver.use(host.forgelink);
  const { token } = sandbox.createAccessToken({ provider });
  const baseUrl = provider === "bitbucket-cloud" ? null : sandbox.providers[provider].baseUrl;
  const connection = await host.forgelink.connectWithToken({ provider, baseUrl, token, profile: "ci-failure-analysis" });
  const [hook] = await host.forgelink.registerWebhooks(connection.id, { projects: [project], url: `${receiver.origin}/hooks`, profile: "ci-failure-analysis" });
  assert.equal(hook.status, "created", JSON.stringify(hook));
  return { ...host, id: connection.id };
}

for (const [provider, c] of Object.entries(CASES)) {
  describe(`${provider}: polling and feedback`, () => {
    let receiver;
    let forgelink;
    let clock;
    let id;

    before(async () => {
      receiver = await startReceiver();
      ({ forgelink, clock, id } = await connected(provider, c.project, receiver));
    });

    after(async () => {
      await receiver?.close();
    });

    test("the first poll finds the open merge request, and nothing twice", async () => {
      const first = await forgelink.pollEvents(id, { projects: [c.project] });
      assert.equal(first.status, "complete", JSON.stringify(first.projects));
      const [mr] = first.events.filter((e) => e.kind === "merge_request");
      assert.ok(mr, JSON.stringify(first.events));
      assert.equal(mr.mergeRequest.number, 1);
      assert.equal(mr.mergeRequest.state, "open");
      assert.equal(mr.repository.fullPath, c.project);
      // From the same point again: the provider lists it, forgelink reports it no more.
      const again = await forgelink.pollEvents(id, { projects: [c.project], since: first.projects[0].since });
      assert.deepEqual(again.events, [], "the merge request has not changed since");
      assert.ok(again.duplicates >= 1, "it is counted as a duplicate");
    });

    test("a pipeline failure whose delivery was dropped is found by the next poll", async () => {
      sandbox.setSwitch("dropDeliveries", provider);
      const before = receiver.receipts.length;
      const [sent] = await sandbox.trigger({ provider, project: c.project, kind: "pipeline_failed" });
      assert.equal(sent.dropped, true, JSON.stringify(sent));
      assert.equal(sent.status, null);
      assert.equal(receiver.receipts.length, before, "nothing reached the receiver");
      const delivered = JSON.parse(sandbox.deliveries().find((d) => d.deliveryId === sent.deliveryId).body);

      const polled = await forgelink.pollEvents(id, { projects: [c.project] });
      assert.equal(polled.status, "complete", JSON.stringify(polled.projects));
      const pipelines = polled.events.filter((e) => e.kind === "pipeline");
      assert.equal(pipelines.length, 1, JSON.stringify(polled.events));
      assert.equal(pipelines[0].pipeline.status, "failure");
      assert.equal(pipelines[0].repository.fullPath, c.project);
      const found = polled.events.filter((e) => c.delivered(e, delivered));
      assert.equal(found.length, 1, `the state the delivery carried: ${JSON.stringify(polled.events)}`);
      if (c.jobs) {
        // The failed job is read from the pipeline's jobs, as its delivery would have brought it.
        const failedJobs = polled.events.filter((e) => e.kind === "job" && e.job.status === "failure");
        assert.deepEqual(failedJobs.map((e) => e.job.name), ["smoke-test"]);
        assert.equal(failedJobs[0].job.pipelineId, pipelines[0].pipeline.id);
      }
      assert.ok(polled.nextPollAt > clock.ms / 1000, "a next poll is due later");
      assert.equal(polled.rateLimit.remaining < polled.rateLimit.limit, true, JSON.stringify(polled.rateLimit));

      // The provider delivers the same state after all: a redelivery, then the pipeline failing
      // again in the same state. Both are duplicates of what the poll reported. (On GitLab the
      // second failure finishes later: a retry under the same id, keyed apart, below.)
      sandbox.setSwitch("dropDeliveries", false);
      const again = await sandbox.redeliver(sent.deliveryId);
      assert.equal(again.status, 200);
      assert.equal(receiver.receipts.at(-1).receipt.status, "duplicate", JSON.stringify(receiver.receipts.at(-1).receipt));
      if (provider === "gitlab") await new Promise((resolve) => setTimeout(resolve, 1100));
      const [resent] = await sandbox.trigger({ provider, project: c.project, kind: "pipeline_failed" });
      assert.notEqual(resent.deliveryId, sent.deliveryId, "a new delivery");
      const receipt = receiver.receipts.at(-1).receipt;
      if (provider === "gitlab") {
        // "Retry jobs in a pipeline" keeps the id; the attempt that fails again finished later.
        assert.equal(receipt.status, "accepted", JSON.stringify(receipt));
        assert.notEqual(receipt.event.stateKey, found[0].stateKey, "another attempt, another key");
      } else {
        assert.equal(receipt.status, "duplicate", JSON.stringify(receipt));
        assert.equal(receipt.event.stateKey, found[0].stateKey, "one state, one key");
      }
    });

    // Bitbucket Cloud's API lists no pushes to poll.
    if (c.pushes) {
      test("a push no hook heard of is reported by the poll, once", async () => {
        // The ci-failure-analysis hook does not subscribe to pushes; the push still happened.
        const sent = await sandbox.trigger({ provider, project: c.project, kind: "push" });
        assert.deepEqual(sent, []);
        const polled = await forgelink.pollEvents(id, { projects: [c.project] });
        const pushes = polled.events.filter((e) => e.kind === "push");
        assert.equal(pushes.length, 1, JSON.stringify(polled.events));
        assert.equal(pushes[0].ref, "refs/heads/main");
        assert.equal(pushes[0].commitSha, sandbox.pushes(provider, c.project).at(-1).after);
        const again = await forgelink.pollEvents(id, { projects: [c.project] });
        assert.equal(again.events.filter((e) => e.kind === "push").length, 0);
      });
    }

    test("rateLimited stops the poll and sets nextPollAt after the wait the provider gives", async () => {
      sandbox.setSwitch("rateLimited", provider);
      const now = Math.floor(clock.ms / 1000);
      const limited = await forgelink.pollEvents(id, { projects: [c.project] });
      assert.equal(limited.status, "incomplete");
      assert.equal(limited.projects[0].code, "http.rate_limited", JSON.stringify(limited.projects));
      assert.equal(limited.projects[0].complete, false);
      assert.equal(limited.rateLimit.remaining, c.remainingWhenLimited);
      assert.equal(limited.rateLimit.retryAfter, 60);
      assert.ok(limited.nextPollAt >= now + 60, `next poll at ${limited.nextPollAt}, now ${now}`);
      // Until then forgelink sends nothing, even with the provider answering again.
      sandbox.setSwitch("rateLimited", false);
      const early = await forgelink.pollEvents(id, { projects: [c.project] });
      assert.equal(early.status, "incomplete");
      assert.match(early.projects[0].message, /Not polled/);
      clock.ms = (limited.nextPollAt + 1) * 1000;
      const later = await forgelink.pollEvents(id, { projects: [c.project] });
      assert.equal(later.status, "complete", JSON.stringify(later.projects));
    });

    test("feedback lands on the merge request and is updated in place", async () => {
      const first = await forgelink.postFeedback(id, { project: c.project, mergeRequest: 1, body: "**smoke-test failed**: the image lacks `curl`.", key: "ci/pipeline-failure" });
      assert.equal(first.target, "merge_request");
      assert.equal(first.action, "created");
      const second = await forgelink.postFeedback(id, { project: c.project, mergeRequest: 1, body: "**smoke-test failed** again: the image still lacks `curl`.", key: "ci/pipeline-failure" });
      assert.equal(second.action, "updated");
      assert.equal(second.commentId, first.commentId);
      const notes = sandbox.comments(provider, c.project).filter((n) => n.mergeRequest === 1);
      assert.equal(notes.length, 1, JSON.stringify(notes));
      assert.equal(String(notes[0].id), first.commentId);
      assert.match(notes[0].body, /again: the image still lacks `curl`\./);
      assert.match(notes[0].body, /<!-- forgelink:feedback:ci\/pipeline-failure -->/);
      // Without a key, a post adds another comment.
      await forgelink.postFeedback(id, { project: c.project, mergeRequest: 1, body: "A note without a key." });
      assert.equal(sandbox.comments(provider, c.project).filter((n) => n.mergeRequest === 1).length, 2);
    });

    test("feedback on a commit is updated in place too", async () => {
      const [pipeline] = sandbox.pipelines(provider, c.project);
      const sha = pipeline.sha ?? pipeline.headSha;
      const request = { project: c.project, commitSha: sha, key: "ci/commit", policy: { order: ["commit"] } };
      const first = await forgelink.postFeedback(id, { ...request, body: "First look." });
      const second = await forgelink.postFeedback(id, { ...request, body: "Second look." });
      assert.deepEqual([first.target, first.action, second.action], ["commit", "created", "updated"]);
      const notes = sandbox.comments(provider, c.project).filter((n) => n.commit === sha);
      assert.equal(notes.length, 1);
      assert.match(notes[0].body, /^Second look\./);
    });

    test("feedback on a merge request that does not exist falls through to the commit", async () => {
      const [pipeline] = sandbox.pipelines(provider, c.project);
      const sha = pipeline.sha ?? pipeline.headSha;
      const result = await forgelink.postFeedback(id, { project: c.project, mergeRequest: 99, commitSha: sha, body: "Nowhere else to go.", policy: { order: ["merge_request", "commit"] } });
      assert.equal(result.target, "commit");
      assert.equal(result.skipped[0].target, "merge_request");
      assert.equal(result.skipped[0].code, "http.not_found");
    });
  });
}

describe("bitbucket-data-center: polling and feedback", () => {
  // Data Center has no webhook event for a build status: a failed build reaches the product
  // only through a poll, which reads it from the heads of the branches and pull requests.
  const project = "PLAT/runner-images";
  let forgelink;
  let id;

  before(async () => {
    ({ forgelink } = forgelinkFor(sandbox));
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-data-center", role: "REPO_ADMIN" });
    ({ id } = await forgelink.connectWithToken({ provider: "bitbucket-data-center", baseUrl: sandbox.providers["bitbucket-data-center"].baseUrl, token, profile: "ci-failure-analysis" }));
  });

  test("the first poll finds the open pull request; a failed build no hook reports is found by the next, once", async () => {
    const first = await forgelink.pollEvents(id, { projects: [project] });
    assert.equal(first.projects[0].code, undefined, JSON.stringify(first.projects[0]));
    assert.deepEqual(first.events.map((e) => [e.kind, e.mergeRequest?.number, e.mergeRequest?.state]), [["merge_request", 1, "open"]]);
    const [delivered] = await sandbox.trigger({ provider: "bitbucket-data-center", project, kind: "job_failed" });
    assert.equal(delivered, undefined, "no hook hears of a build status");
    const second = await forgelink.pollEvents(id, { projects: [project], cursor: first.cursor });
    const failed = second.events.filter((e) => e.kind === "commit_status");
    assert.equal(failed.length, 1, JSON.stringify(second.events));
    assert.deepEqual([failed[0].commitStatus.state, failed[0].commitStatus.key], ["failure", "JENKINS-smoke-test"]);
    assert.equal(failed[0].commitSha, sandbox.statuses("bitbucket-data-center", project)[0].sha);
    const third = await forgelink.pollEvents(id, { projects: [project], cursor: first.cursor });
    assert.deepEqual(third.events.filter((e) => e.kind === "commit_status"), [], "reported once");
    assert.ok(third.duplicates >= 1);
  });

  test("feedback lands on the pull request and is updated in place, version checked; on a commit too", async () => {
    const request = { project, mergeRequest: 1, body: "**smoke-test failed**", key: "ci-summary" };
    const first = await forgelink.postFeedback(id, request);
    assert.deepEqual([first.target, first.action], ["merge_request", "created"]);
    assert.ok(first.url.endsWith(`/projects/PLAT/repos/runner-images/pull-requests/1/overview?commentId=${first.commentId}`), first.url);
    const second = await forgelink.postFeedback(id, { ...request, body: "**all green**" });
    assert.deepEqual([second.action, second.commentId], ["updated", first.commentId]);
    const onPull = sandbox.comments("bitbucket-data-center", project).filter((c) => c.mergeRequest === 1);
    assert.equal(onPull.length, 1, JSON.stringify(onPull));
    assert.match(onPull[0].body, /all green/);
    assert.equal(onPull[0].version, 1, "updated with the version it was read at");

    const sha = sandbox.statuses("bitbucket-data-center", project)[0].sha;
    const onCommit = await forgelink.postFeedback(id, { project, commitSha: sha, body: "build failed", key: "build" });
    const again = await forgelink.postFeedback(id, { project, commitSha: sha, body: "build failed again", key: "build" });
    assert.deepEqual([onCommit.target, onCommit.action, again.action], ["commit", "created", "updated"]);
    assert.equal(sandbox.comments("bitbucket-data-center", project).filter((c) => c.commit === sha).length, 1);
  });
});

describe("the lists over HTTP", () => {
  let gitlabToken;
  let githubToken;
  const gitlabApi = () => `${sandbox.providers.gitlab.baseUrl}/api/v4/projects/${encodeURIComponent("data/notebooks")}`;
  const githubApi = () => `${sandbox.providers.github.baseUrl}/api/v3/repos/acme-platform/storefront`;

  before(async () => {
    gitlabToken = sandbox.createAccessToken({ provider: "gitlab", scopes: ["read_api"] }).token;
    githubToken = sandbox.createAccessToken({ provider: "github", scopes: ["repo"] }).token;
    await sandbox.trigger({ provider: "gitlab", project: "data/notebooks", kind: "job_failed" });
    await sandbox.trigger({ provider: "github", project: "acme-platform/storefront", kind: "pipeline_failed" });
  });

  const gitlab = (path) => fetch(`${gitlabApi()}${path}`, { headers: { authorization: `Bearer ${gitlabToken}` } });
  const github = (path) => fetch(`${githubApi()}${path}`, { headers: { authorization: `Bearer ${githubToken}` } });

  test("GitLab pipelines honour updated_after, and every answer carries RateLimit headers", async () => {
    const now = new Date();
    const recent = await gitlab(`/pipelines?updated_after=${new Date(now - 3_600_000).toISOString()}&order_by=updated_at&sort=desc&per_page=100`);
    assert.equal(recent.status, 200);
    const [pipeline] = await recent.json();
    assert.equal(pipeline.status, "failed");
    assert.equal(pipeline.id, sandbox.pipelines("gitlab", "data/notebooks")[0].id);
    assert.match(pipeline.web_url, /\/data\/notebooks\/-\/pipelines\/\d+$/);
    assert.equal(recent.headers.get("ratelimit-name"), "throttle_authenticated_api");
    assert.equal(recent.headers.get("ratelimit-limit"), "2000");
    assert.ok(Number(recent.headers.get("ratelimit-remaining")) < 2000);
    assert.ok(Number(recent.headers.get("ratelimit-reset")) > now / 1000);
    assert.ok(recent.headers.get("ratelimit-resettime").endsWith("GMT"));
    const later = await gitlab(`/pipelines?updated_after=${new Date(Date.now() + 60_000).toISOString()}`);
    assert.deepEqual(await later.json(), []);
    const bad = await gitlab("/pipelines?updated_after=yesterday");
    assert.equal(bad.status, 400);
    await bad.body.cancel();
    const jobs = await (await gitlab(`/pipelines/${pipeline.id}/jobs?include_retried=true&per_page=100`)).json();
    assert.deepEqual(jobs.map((j) => [j.name, j.status, j.failure_reason ?? null]).sort(), [["image", "success", null], ["smoke-test", "failed", "script_failure"]]);
    assert.equal(jobs[0].pipeline.id, pipeline.id);
  });

  test("GitLab push events are filtered by date, exclusively, and notes need the api scope to write", async () => {
    await sandbox.trigger({ provider: "gitlab", project: "data/notebooks", kind: "push" });
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const [push] = await (await gitlab(`/events?action=pushed&after=${yesterday}&sort=desc&per_page=100`)).json();
    assert.equal(push.action_name, "pushed to");
    assert.equal(push.push_data.ref, "main");
    assert.equal(push.push_data.commit_to.length, 40);
    assert.deepEqual(await (await gitlab(`/events?action=pushed&after=${today}`)).json(), [], "after a date means from the next day");
    const [mr] = await (await gitlab("/merge_requests?state=opened")).json();
    assert.equal(mr.iid, 1);
    assert.equal(mr.state, "opened");
    const post = await fetch(`${gitlabApi()}/merge_requests/1/notes`, { method: "POST", headers: { authorization: `Bearer ${gitlabToken}`, "content-type": "application/json" }, body: JSON.stringify({ body: "hi" }) });
    assert.equal(post.status, 403);
    assert.equal((await post.json()).error, "insufficient_scope");
  });

  test("GitHub workflow runs honour created, with x-ratelimit headers", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19) + "Z";
    const response = await github(`/actions/runs?created=${encodeURIComponent(`>=${since}`)}&per_page=100`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.total_count, 1);
    assert.equal(body.workflow_runs[0].conclusion, "failure");
    assert.equal(response.headers.get("x-ratelimit-limit"), "5000");
    assert.equal(response.headers.get("x-ratelimit-resource"), "core");
    assert.equal(Number(response.headers.get("x-ratelimit-used")) + Number(response.headers.get("x-ratelimit-remaining")), 5000);
    const future = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19) + "Z";
    assert.equal((await (await github(`/actions/runs?created=${encodeURIComponent(`>=${future}`)}`)).json()).total_count, 0);
    const jobs = await (await github(`/actions/runs/${body.workflow_runs[0].id}/jobs?filter=latest`)).json();
    assert.deepEqual(jobs.jobs.map((j) => [j.name, j.conclusion]), [["build", "success"], ["smoke-test", "failure"]]);
    const pulls = await (await github("/pulls?state=all&sort=updated&direction=desc")).json();
    assert.equal(pulls[0].number, 1);
    assert.equal(pulls[0].state, "open");
  });

  test("Bitbucket Cloud pipelines and commit statuses, filtered by BBQL, with next links on the real host", async () => {
    const { token } = sandbox.createAccessToken({ provider: "bitbucket-cloud", scopes: ["repository", "pipeline", "pullrequest"] });
    await sandbox.trigger({ provider: "bitbucket-cloud", project: "acme/docs", kind: "pipeline_failed" });
    await sandbox.trigger({ provider: "bitbucket-cloud", project: "acme/docs", kind: "job_failed" });
    const cloud = (path) => sandboxFetch(sandbox)(`https://api.bitbucket.org/2.0/repositories/acme/docs${path}`, { headers: { authorization: `Bearer ${token}` } });
    const pipelines = await cloud("/pipelines/?sort=-created_on&pagelen=100");
    assert.equal(pipelines.status, 200);
    assert.equal(pipelines.headers.get("x-ratelimit-limit"), "1000");
    const [pipeline] = (await pipelines.json()).values;
    assert.deepEqual([pipeline.state.name, pipeline.state.result.name, pipeline.build_number], ["COMPLETED", "FAILED", 42]);
    const sha = pipeline.target.commit.hash;
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const statuses = await (await cloud(`/commit/${sha}/statuses?q=${encodeURIComponent(`updated_on>=${since}`)}&sort=-created_on&pagelen=1`)).json();
    assert.equal(statuses.size, 2, "the pipeline's status and the outside CI job's");
    assert.equal(statuses.values.length, 1);
    assert.ok(statuses.next.startsWith("https://api.bitbucket.org/2.0/repositories/acme/docs/commit/"), statuses.next);
    const future = await (await cloud(`/commit/${sha}/statuses?q=${encodeURIComponent(`updated_on>=${new Date(Date.now() + 60_000).toISOString()}`)}`)).json();
    assert.equal(future.size, 0);
    const open = await (await cloud(`/pullrequests?q=${encodeURIComponent('state="OPEN" AND updated_on>=2020-01-01T00:00:00Z')}&sort=-updated_on`)).json();
    assert.deepEqual(open.values.map((pr) => [pr.id, pr.state]), [[1, "OPEN"]]);
    const invalid = await cloud("/pullrequests?q=updated_on%20%3E%3D");
    assert.equal(invalid.status, 400);
    assert.equal((await invalid.json()).error.message, "Invalid field name or filter query");
  });

  test("rateLimited: GitLab answers 429 with Retry-After, GitHub 403 with nothing remaining", async () => {
    sandbox.setSwitch("rateLimited", true);
    const limitedGitlab = await gitlab("/pipelines");
    assert.equal(limitedGitlab.status, 429);
    assert.equal(limitedGitlab.headers.get("retry-after"), "60");
    assert.equal(limitedGitlab.headers.get("ratelimit-remaining"), "0");
    assert.equal(await limitedGitlab.text(), "Retry later\n");
    const limitedGithub = await github("/actions/runs");
    assert.equal(limitedGithub.status, 403);
    assert.equal(limitedGithub.headers.get("x-ratelimit-remaining"), "0");
    assert.ok(Number(limitedGithub.headers.get("x-ratelimit-reset")) >= Math.floor(Date.now() / 1000) + 59);
    assert.match((await limitedGithub.json()).message, /API rate limit exceeded/);
  });
});
