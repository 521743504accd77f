// What happened on a GitHub repository, as the REST API lists it: workflow runs and their jobs,
// pull requests, repository activity (pushes), and comments on pull requests (issue comments)
// and commits. Shapes follow GitHub's REST reference ("Workflow runs", "Workflow jobs",
// "Pulls", "Repositories: list repository activities", "Issue comments", "Commit comments").
// The triggers record here what their deliveries describe, with the same ids.

import { linkHeader, page, readJson, send } from "../http.mjs";
import { commitSha, isoSeconds } from "./common.mjs";

/** The ids a repository's workflow run and its two jobs carry, in deliveries and lists alike. */
export function githubIds(project) {
  return { runId: 7_300_000 + project.id, buildJobId: 19_700_000 + project.id, testJobId: 19_800_000 + project.id };
}

export function githubCommits(project) {
  return { head: commitSha(project.path), before: commitSha(`${project.path}~1`), pullRequest: commitSha(`${project.path}@bookworm-images`) };
}

export function githubActivity({ state, origin, api, account, owner, describe, maxPageSize }) {
  const web = (project) => `${origin}/${project.path}`;
  const sender = () => owner(account.login);

  function record(project, kind, when = new Date()) {
    const { runId, buildJobId, testJobId } = githubIds(project);
    const { head, before } = githubCommits(project);
    if (kind === "push") {
      project.pushes.push({ id: 1_296_000 + project.id * 100 + project.pushes.length, ref: `refs/heads/${project.defaultBranch}`, before, after: head, timestamp: isoSeconds(when) });
      return;
    }
    const started = new Date(when - 150_000);
    const run = {
      id: runId,
      status: "completed",
      conclusion: "failure",
      headBranch: project.defaultBranch,
      headSha: head,
      createdAt: isoSeconds(started),
      updatedAt: isoSeconds(when),
      jobs: [
        { id: buildJobId, name: "build", conclusion: "success", startedAt: isoSeconds(new Date(started.getTime() + 3000)), completedAt: isoSeconds(new Date(started.getTime() + 60_000)) },
        { id: testJobId, name: "smoke-test", conclusion: "failure", startedAt: isoSeconds(new Date(started.getTime() + 3000)), completedAt: isoSeconds(when) },
      ],
    };
    const index = project.pipelines.findIndex((p) => p.id === runId);
    if (index >= 0) project.pipelines.splice(index, 1);
    project.pipelines.push(run);
  }

  const repository = (project) => {
    const r = describe(project);
    delete r.permissions;
    return r;
  };

  const describeRun = (project, run) => ({
    id: run.id,
    name: "CI",
    node_id: Buffer.from(`WFR_${run.id}`).toString("base64"),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: ".github/workflows/ci.yml",
    display_title: "Build the runner image on bookworm",
    run_number: 42,
    event: "push",
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: 161335,
    check_suite_id: 9_100_000 + project.id,
    url: `${api}/repos/${project.path}/actions/runs/${run.id}`,
    html_url: `${web(project)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    actor: sender(),
    triggering_actor: sender(),
    run_attempt: 1,
    run_started_at: run.createdAt,
    jobs_url: `${api}/repos/${project.path}/actions/runs/${run.id}/jobs`,
    logs_url: `${api}/repos/${project.path}/actions/runs/${run.id}/logs`,
    workflow_url: `${api}/repos/${project.path}/actions/workflows/161335`,
    head_commit: { id: run.headSha, tree_id: commitSha(`${project.path}^{tree}`), message: "Build the runner image on bookworm", timestamp: run.createdAt, author: { name: account.name, email: state.account.email }, committer: { name: account.name, email: state.account.email } },
    repository: repository(project),
    head_repository: repository(project),
  });

  const describeJob = (project, run, job) => ({
    id: job.id,
    run_id: run.id,
    workflow_name: "CI",
    head_branch: run.headBranch,
    run_url: `${api}/repos/${project.path}/actions/runs/${run.id}`,
    run_attempt: 1,
    node_id: Buffer.from(`CR_${job.id}`).toString("base64"),
    head_sha: run.headSha,
    url: `${api}/repos/${project.path}/actions/jobs/${job.id}`,
    html_url: `${web(project)}/actions/runs/${run.id}/job/${job.id}`,
    status: "completed",
    conclusion: job.conclusion,
    created_at: run.createdAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    name: job.name,
    steps: [
      { name: "Set up job", status: "completed", conclusion: "success", number: 1, started_at: job.startedAt, completed_at: job.startedAt },
      { name: job.name === "build" ? "Build" : "Run smoke tests", status: "completed", conclusion: job.conclusion, number: 2, started_at: job.startedAt, completed_at: job.completedAt },
    ],
    check_run_url: `${api}/repos/${project.path}/check-runs/${job.id}`,
    labels: ["self-hosted", "linux"],
    runner_id: 12,
    runner_name: "ghes-runner-1",
    runner_group_id: 1,
    runner_group_name: "Default",
  });

  const describePull = (project, pr) => {
    const { pullRequest, head } = githubCommits(project);
    const ref = (branch, sha) => ({ label: `${project.path.split("/")[0]}:${branch}`, ref: branch, sha, user: owner(project.path.split("/")[0]), repo: repository(project) });
    const open = pr.state === "opened";
    return {
      url: `${api}/repos/${project.path}/pulls/${pr.number}`,
      id: 91_000_000 + project.id * 10 + pr.number,
      node_id: Buffer.from(`PR_${project.id}_${pr.number}`).toString("base64"),
      html_url: `${web(project)}/pull/${pr.number}`,
      diff_url: `${web(project)}/pull/${pr.number}.diff`,
      patch_url: `${web(project)}/pull/${pr.number}.patch`,
      issue_url: `${api}/repos/${project.path}/issues/${pr.number}`,
      commits_url: `${api}/repos/${project.path}/pulls/${pr.number}/commits`,
      comments_url: `${api}/repos/${project.path}/issues/${pr.number}/comments`,
      statuses_url: `${api}/repos/${project.path}/statuses/${pullRequest}`,
      number: pr.number,
      state: open ? "open" : "closed",
      locked: false,
      title: pr.title,
      user: sender(),
      body: pr.description,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: isoSeconds(new Date(pr.createdAt)),
      updated_at: isoSeconds(new Date(pr.updatedAt)),
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: ref(pr.sourceBranch, pullRequest),
      base: ref(pr.targetBranch, head),
      author_association: "OWNER",
      auto_merge: null,
      draft: false,
    };
  };

  const describeActivity = (push) => ({ id: push.id, node_id: Buffer.from(`RA_${push.id}`).toString("base64"), before: push.before, after: push.after, ref: push.ref, timestamp: push.timestamp, activity_type: "push", actor: sender() });

  const describeComment = (project, c) => {
    const common = {
      id: c.id,
      node_id: Buffer.from(`${c.commit ? "CC" : "IC"}_${c.id}`).toString("base64"),
      body: c.body,
      user: sender(),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: "OWNER",
      reactions: { url: `${api}/repos/${project.path}/${c.commit ? "comments" : "issues/comments"}/${c.id}/reactions`, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
    };
    if (c.commit) {
      return { ...common, url: `${api}/repos/${project.path}/comments/${c.id}`, html_url: `${web(project)}/commit/${c.commit}#commitcomment-${c.id}`, path: null, position: null, line: null, commit_id: c.commit };
    }
    return { ...common, url: `${api}/repos/${project.path}/issues/comments/${c.id}`, html_url: `${web(project)}/pull/${c.mergeRequest}#issuecomment-${c.id}`, issue_url: `${api}/repos/${project.path}/issues/${c.mergeRequest}` };
  };

  function listed(res, url, items, describeItem, headers, wrap) {
    const p = page(items, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("per_page"), fallback: 30, max: Math.min(100, maxPageSize) });
    const out = { ...headers };
    if (p.totalPages > 1) out.link = linkHeader(url.href, p, "page", { first: p.number > 1 });
    const body = p.items.map(describeItem);
    return send(res, 200, wrap ? wrap(body, items.length) : body, out);
  }

  /** `created` as GitHub's search syntax writes dates: `>=T`, `<=T`, `>T`, `<T`, `A..B` or one date. */
  function createdFilter(value) {
    if (!value) return () => true;
    const range = /^(.+)\.\.(.+)$/.exec(value);
    if (range) return (t) => t >= Date.parse(range[1]) && t <= Date.parse(range[2]);
    const compare = /^(>=|<=|>|<)?(.+)$/.exec(value);
    const at = Date.parse(compare[2]);
    if (!Number.isFinite(at)) return null;
    switch (compare[1]) {
      case ">=":
        return (t) => t >= at;
      case "<=":
        return (t) => t <= at;
      case ">":
        return (t) => t > at;
      case "<":
        return (t) => t < at;
      default:
        // A bare date is that whole day.
        return (t) => t >= at && t < at + 86_400_000;
    }
  }

  const descending = (url) => url.searchParams.get("direction") !== "asc";

  /** Answers and returns true for these paths under `/repos/:owner/:repo/`; "scope" when a write needs `repo`. */
  async function handle(req, res, url, project, rest, { headers, validation, notFound, canWrite }) {
    const get = req.method === "GET";
    if (get && rest === "actions/runs") {
      const created = createdFilter(url.searchParams.get("created"));
      if (!created) {
        validation("created", url.searchParams.get("created"));
        return true;
      }
      const status = url.searchParams.get("status");
      const branch = url.searchParams.get("branch");
      const items = project.pipelines
        .filter((r) => created(Date.parse(r.createdAt)) && (!status || r.status === status || r.conclusion === status) && (!branch || r.headBranch === branch))
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      listed(res, url, items, (r) => describeRun(project, r), headers, (workflow_runs, total) => ({ total_count: total, workflow_runs }));
      return true;
    }
    let match = /^actions\/runs\/(\d+)\/jobs$/.exec(rest);
    if (get && match) {
      const run = project.pipelines.find((r) => String(r.id) === match[1]);
      if (!run) {
        notFound();
        return true;
      }
      listed(res, url, run.jobs, (j) => describeJob(project, run, j), headers, (jobs, total) => ({ total_count: total, jobs }));
      return true;
    }
    if (get && rest === "pulls") {
      const wanted = url.searchParams.get("state") ?? "open";
      const field = url.searchParams.get("sort") === "updated" ? "updatedAt" : "createdAt";
      const items = project.mergeRequests
        .filter((pr) => wanted === "all" || (wanted === "open") === (pr.state === "opened"))
        .sort((a, b) => (descending(url) ? Date.parse(b[field]) - Date.parse(a[field]) : Date.parse(a[field]) - Date.parse(b[field])));
      listed(res, url, items, (pr) => describePull(project, pr), headers);
      return true;
    }
    if (get && rest === "activity") {
      const type = url.searchParams.get("activity_type");
      const items = project.pushes.filter(() => !type || type === "push").sort((a, b) => (descending(url) ? b.id - a.id : a.id - b.id));
      listed(res, url, items, describeActivity, headers);
      return true;
    }
    match = /^(?:issues\/(\d+)\/comments|commits\/([0-9a-f]{40})\/comments)$/.exec(rest);
    if (match) {
      const number = match[1] === undefined ? undefined : Number(match[1]);
      const sha = match[2];
      // Pull requests are issues: their conversation is issue comments.
      if (number !== undefined && !project.mergeRequests.some((pr) => pr.number === number)) {
        notFound();
        return true;
      }
      if (sha !== undefined && !Object.values(githubCommits(project)).includes(sha)) {
        validation("sha", sha, 422, "No commit found for SHA: " + sha);
        return true;
      }
      const list = project.comments.filter((c) => (number !== undefined ? c.mergeRequest === number : c.commit === sha)).sort((a, b) => a.id - b.id);
      if (get) {
        listed(res, url, list, (c) => describeComment(project, c), headers);
        return true;
      }
      if (req.method === "POST") {
        if (!canWrite) return "scope";
        const body = (await readJson(req)) ?? {};
        if (typeof body.body !== "string" || body.body === "") {
          validation("body", body.body);
          return true;
        }
        const comment = addComment(project, number !== undefined ? { mergeRequest: number, body: body.body } : { commit: sha, body: body.body });
        const pr = project.mergeRequests.find((p) => p.number === number);
        if (pr) pr.updatedAt = comment.createdAt;
        send(res, 201, describeComment(project, comment), { ...headers, location: describeComment(project, comment).url });
        return true;
      }
      notFound();
      return true;
    }
    match = /^(issues\/comments|comments)\/(\d+)$/.exec(rest);
    if (match) {
      const onCommit = match[1] === "comments";
      const comment = project.comments.find((c) => String(c.id) === match[2] && Boolean(c.commit) === onCommit);
      if (!comment) {
        notFound();
        return true;
      }
      if (get) {
        send(res, 200, describeComment(project, comment), headers);
        return true;
      }
      if (req.method === "PATCH") {
        if (!canWrite) return "scope";
        const body = (await readJson(req)) ?? {};
        if (typeof body.body !== "string" || body.body === "") {
          validation("body", body.body);
          return true;
        }
        comment.body = body.body;
        comment.updatedAt = isoSeconds(new Date());
        const pr = project.mergeRequests.find((p) => p.number === comment.mergeRequest);
        if (pr) pr.updatedAt = comment.updatedAt;
        send(res, 200, describeComment(project, comment), headers);
        return true;
      }
      notFound();
      return true;
    }
    return false;
  }

  function addComment(project, fields) {
    const id = 1_200_000 + state.nextCommentId++;
    const now = isoSeconds(new Date());
    const comment = { id, ...fields, createdAt: now, updatedAt: now };
    project.comments.push(comment);
    return comment;
  }

  return { record, handle };
}
