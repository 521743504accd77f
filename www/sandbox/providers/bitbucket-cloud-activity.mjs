// What happened on a Bitbucket Cloud repository, as the 2.0 API lists it: Bitbucket Pipelines
// runs, commit (build) statuses, pull requests, and comments on pull requests and commits.
// Shapes follow Bitbucket's REST reference ("Pipelines", "Commit statuses", "Pullrequests",
// "Commits") and its filtering page for `q` (BBQL) and `sort`. The triggers record here what
// their `repo:commit_status_updated` deliveries describe, with the same keys.

import { page, readJson } from "../http.mjs";
import { commitSha } from "./common.mjs";

/** Bitbucket's timestamps: microseconds and an explicit offset. */
const stamp = (date) => new Date(date).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");

/** The keys a repository's statuses carry: Bitbucket Pipelines' own, and an outside CI server's job. */
export function cloudStatusKeys(project) {
  return { pipeline: commitSha(`${project.path}/pipeline`, 8), job: "JENKINS-smoke-test" };
}

export function cloudCommits(project) {
  return { head: commitSha(project.path), before: commitSha(`${project.path}~1`), pullRequest: commitSha(`${project.path}@bookworm-images`) };
}

/**
 * A small reading of BBQL, enough for what clients filter these lists by: clauses joined by
 * `AND`, each `field op value` (`=`, `!=`, `>`, `>=`, `<`, `<=`, `~`) or a parenthesised `OR`
 * of such. Returns a predicate over a flat record, or null when the query does not read.
 */
export function bbql(query) {
  if (!query) return () => true;
  const clause = /^\s*([a-z_.]+)\s*(>=|<=|!=|=|>|<|~)\s*("(?:[^"\\]|\\.)*"|[^\s()=<>!~"][^\s()]*)\s*$/i;
  const one = (text) => {
    const m = clause.exec(text);
    if (!m) return null;
    const [, field, op, raw] = m;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    return (record) => {
      const actual = record[field];
      if (actual === undefined) return false;
      const time = Date.parse(value);
      const [a, b] = /_on$/.test(field) && Number.isFinite(time) ? [Date.parse(actual), time] : [String(actual), value];
      switch (op) {
        case "=":
          return a === b;
        case "!=":
          return a !== b;
        case ">":
          return a > b;
        case ">=":
          return a >= b;
        case "<":
          return a < b;
        case "<=":
          return a <= b;
        default:
          return String(a).toLowerCase().includes(String(b).toLowerCase());
      }
    };
  };
  const parts = query.split(/\s+AND\s+/);
  const tests = parts.map((part) => {
    const trimmed = part.trim();
    if (trimmed.startsWith("(") && trimmed.endsWith(")")) {
      const options = trimmed.slice(1, -1).split(/\s+OR\s+/).map(one);
      return options.includes(null) ? null : (record) => options.some((t) => t(record));
    }
    return one(trimmed);
  });
  if (tests.includes(null)) return null;
  return (record) => tests.every((t) => t(record));
}

export function bitbucketCloudActivity({ state, api, web, userObject, maxPageSize }) {
  function record(project, kind, when = new Date()) {
    if (kind === "push") return;
    const { head } = cloudCommits(project);
    const keys = cloudStatusKeys(project);
    const created = new Date(when - 150_000);
    if (kind === "pipeline_failed") {
      const pipeline = { uuid: `{${commitSha(`${project.path}/pipeline-uuid`, 8)}-5c1d-4a7e-9b2f-${commitSha(`${project.path}/pipeline-run`, 12)}}`, buildNumber: 42, ref: project.defaultBranch, sha: head, createdOn: stamp(created), completedOn: stamp(when) };
      project.pipelines = project.pipelines.filter((p) => p.uuid !== pipeline.uuid).concat(pipeline);
    }
    const pipelines = kind === "pipeline_failed";
    const status = {
      key: pipelines ? keys.pipeline : keys.job,
      name: pipelines ? `Pipeline #42 for ${project.defaultBranch}` : "smoke-test #118",
      url: pipelines ? `${web}/${project.path}/pipelines/results/42` : "https://ci.example.com/job/smoke-test/118/",
      description: pipelines ? "Pipeline #42 failed" : "Tests failed",
      state: "FAILED",
      refname: project.defaultBranch,
      sha: head,
      createdOn: stamp(created),
      updatedOn: stamp(when),
    };
    project.statuses = project.statuses.filter((s) => !(s.key === status.key && s.sha === status.sha)).concat(status);
  }

  const commitRef = (project, hash) => ({ type: "commit", hash, links: { self: { href: `${api}/2.0/repositories/${project.path}/commit/${hash}` }, html: { href: `${web}/${project.path}/commits/${hash}` } } });

  const describePipeline = (project, p) => ({
    type: "pipeline",
    uuid: p.uuid,
    build_number: p.buildNumber,
    creator: userObject(),
    repository: { type: "repository", full_name: project.path, name: project.name, uuid: project.id },
    target: { type: "pipeline_ref_target", ref_type: "branch", ref_name: p.ref, commit: { type: "commit", hash: p.sha }, selector: { type: "branches", pattern: p.ref } },
    trigger: { type: "pipeline_trigger_push", name: "PUSH" },
    state: { type: "pipeline_state_completed", name: "COMPLETED", result: { type: "pipeline_state_completed_failed", name: "FAILED" } },
    created_on: p.createdOn,
    completed_on: p.completedOn,
    run_number: 1,
    duration_in_seconds: 150,
    build_seconds_used: 147,
    first_successful: false,
    expired: false,
    has_variables: false,
    links: { self: { href: `${api}/2.0/repositories/${project.path}/pipelines/${encodeURIComponent(p.uuid)}` }, steps: { href: `${api}/2.0/repositories/${project.path}/pipelines/${encodeURIComponent(p.uuid)}/steps/` } },
  });

  const describeStatus = (project, s) => ({
    type: "build",
    key: s.key,
    state: s.state,
    name: s.name,
    url: s.url,
    description: s.description,
    refname: s.refname,
    created_on: s.createdOn,
    updated_on: s.updatedOn,
    commit: commitRef(project, s.sha),
    links: { self: { href: `${api}/2.0/repositories/${project.path}/commit/${s.sha}/statuses/build/${s.key}` }, commit: { href: `${api}/2.0/repositories/${project.path}/commit/${s.sha}` } },
  });

  const STATES = { opened: "OPEN", merged: "MERGED", declined: "DECLINED" };

  const describePull = (project, pr) => {
    const { pullRequest, head } = cloudCommits(project);
    const side = (branch, hash) => ({ branch: { name: branch }, commit: { type: "commit", hash: hash.slice(0, 12), links: commitRef(project, hash.slice(0, 12)).links }, repository: { type: "repository", full_name: project.path, name: project.name, uuid: project.id } });
    return {
      type: "pullrequest",
      id: pr.number,
      title: pr.title,
      description: pr.description,
      summary: { type: "rendered", raw: pr.description, markup: "markdown", html: `<p>${pr.description}</p>` },
      state: STATES[pr.state] ?? "OPEN",
      author: userObject(),
      source: side(pr.sourceBranch, pullRequest),
      destination: side(pr.targetBranch, head),
      merge_commit: null,
      comment_count: project.comments.filter((c) => c.mergeRequest === pr.number).length,
      task_count: 0,
      close_source_branch: true,
      closed_by: null,
      reason: "",
      created_on: stamp(pr.createdAt),
      updated_on: stamp(pr.updatedAt),
      reviewers: [],
      participants: [],
      links: {
        self: { href: `${api}/2.0/repositories/${project.path}/pullrequests/${pr.number}` },
        html: { href: `${web}/${project.path}/pull-requests/${pr.number}` },
        comments: { href: `${api}/2.0/repositories/${project.path}/pullrequests/${pr.number}/comments` },
      },
    };
  };

  const content = (raw) => ({ type: "rendered", raw, markup: "markdown", html: "" });

  const describeComment = (project, c) =>
    c.commit
      ? { type: "commit_comment", id: c.id, created_on: c.createdAt, updated_on: c.updatedAt, content: content(c.body), user: userObject(), deleted: false, commit: { type: "commit", hash: c.commit }, links: { self: { href: `${api}/2.0/repositories/${project.path}/commit/${c.commit}/comments/${c.id}` }, html: { href: `${web}/${project.path}/commits/${c.commit}#comment-${c.id}` } } }
      : { type: "pullrequest_comment", id: c.id, created_on: c.createdAt, updated_on: c.updatedAt, content: content(c.body), user: userObject(), deleted: false, pending: false, pullrequest: { type: "pullrequest", id: c.mergeRequest }, links: { self: { href: `${api}/2.0/repositories/${project.path}/pullrequests/${c.mergeRequest}/comments/${c.id}` }, html: { href: `${web}/${project.path}/pull-requests/${c.mergeRequest}/_/diff#comment-${c.id}` } } };

  /** A page the Bitbucket way: `pagelen`, `page`, `size`, and `next` on the real API's host. */
  function listed(reply, real, url, items, describeItem, fallback = 10) {
    const p = page(items, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("pagelen"), fallback, max: Math.min(100, maxPageSize) });
    const body = { pagelen: p.size, size: p.total, page: p.number, values: p.items.map(describeItem) };
    if (p.hasNext) {
      const next = new URL(real);
      next.searchParams.set("page", String(p.number + 1));
      body.next = next.href;
    }
    return reply(200, body);
  }

  /** `sort=field` or `sort=-field` over the flat records. */
  function sorted(items, url, fields, fallback) {
    const raw = url.searchParams.get("sort") ?? fallback;
    const field = fields[raw.replace(/^-/, "")];
    if (!field) return null;
    const out = [...items].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
    return raw.startsWith("-") ? out.reverse() : out;
  }

  /**
   * Answers the paths under `/2.0/repositories/:workspace/:slug/` it knows and returns true;
   * returns a list of scopes when the token lacks them, false for any other path.
   */
  async function handle(req, res, url, real, project, rest, { reply, error, granted }) {
    const get = req.method === "GET";
    const badQuery = () => error(res, 400, "Invalid field name or filter query");
    if (get && (rest === "pipelines" || rest === "pipelines/")) {
      if (!granted.has("pipeline")) return ["pipeline"];
      const records = project.pipelines.map((p) => ({ p, created_on: p.createdOn, completed_on: p.completedOn, build_number: p.buildNumber }));
      const list = sorted(records, url, { created_on: "created_on", completed_on: "completed_on", build_number: "build_number" }, "created_on");
      if (!list) {
        badQuery();
        return true;
      }
      listed(reply, real, url, list, (r) => describePipeline(project, r.p));
      return true;
    }
    let match = /^commit\/([0-9a-f]{7,40})\/statuses$/.exec(rest);
    if (get && match) {
      if (!granted.has("repository")) return ["repository"];
      const filter = bbql(url.searchParams.get("q"));
      if (!filter) {
        badQuery();
        return true;
      }
      const records = project.statuses.filter((s) => s.sha.startsWith(match[1])).map((s) => ({ s, key: s.key, state: s.state, refname: s.refname, created_on: s.createdOn, updated_on: s.updatedOn }));
      const list = sorted(records.filter(filter), url, { created_on: "created_on", updated_on: "updated_on", key: "key" }, "created_on");
      if (!list) {
        badQuery();
        return true;
      }
      listed(reply, real, url, list, (r) => describeStatus(project, r.s));
      return true;
    }
    if (get && rest === "pullrequests") {
      if (!granted.has("pullrequest")) return ["pullrequest"];
      const filter = bbql(url.searchParams.get("q"));
      if (!filter) {
        badQuery();
        return true;
      }
      // Without a state filter in the query, only open pull requests are listed.
      const wanted = url.searchParams.getAll("state");
      const records = project.mergeRequests.map((pr) => ({ pr, state: STATES[pr.state] ?? "OPEN", title: pr.title, created_on: stamp(pr.createdAt), updated_on: stamp(pr.updatedAt), id: pr.number }));
      const byState = url.searchParams.get("q")?.includes("state") ? records : records.filter((r) => (wanted.length ? wanted.includes(r.state) : r.state === "OPEN"));
      const list = sorted(byState.filter(filter), url, { created_on: "created_on", updated_on: "updated_on", id: "id" }, "id");
      if (!list) {
        badQuery();
        return true;
      }
      listed(reply, real, url, list, (r) => describePull(project, r.pr));
      return true;
    }
    match = /^(?:pullrequests\/(\d+)|commit\/([0-9a-f]{40}))\/comments(?:\/(\d+))?$/.exec(rest);
    if (match) {
      const number = match[1] === undefined ? undefined : Number(match[1]);
      const sha = match[2];
      const needed = number !== undefined ? "pullrequest" : "repository";
      if (!granted.has(needed)) return [needed];
      if (number !== undefined && !project.mergeRequests.some((pr) => pr.number === number)) {
        error(res, 404, "Resource not found");
        return true;
      }
      if (sha !== undefined && !Object.values(cloudCommits(project)).includes(sha)) {
        error(res, 404, `Commit not found`);
        return true;
      }
      const list = project.comments.filter((c) => (number !== undefined ? c.mergeRequest === number : c.commit === sha)).sort((a, b) => a.id - b.id);
      if (get && match[3] === undefined) {
        listed(reply, real, url, list, (c) => describeComment(project, c));
        return true;
      }
      const raw = async () => {
        const body = (await readJson(req)) ?? {};
        return typeof body.content?.raw === "string" && body.content.raw.trim() !== "" ? body.content.raw : null;
      };
      if (req.method === "POST" && match[3] === undefined) {
        const text = await raw();
        if (text === null) {
          error(res, 400, "Bad request", { fields: { content: ["This field is required."] } });
          return true;
        }
        const now = stamp(new Date());
        const comment = { id: 540_000 + state.nextCommentId++, ...(number !== undefined ? { mergeRequest: number } : { commit: sha }), body: text, createdAt: now, updatedAt: now };
        project.comments.push(comment);
        const pr = project.mergeRequests.find((p) => p.number === number);
        if (pr) pr.updatedAt = new Date().toISOString();
        reply(201, describeComment(project, comment));
        return true;
      }
      const comment = list.find((c) => String(c.id) === match[3]);
      if (!comment) {
        error(res, 404, "Resource not found");
        return true;
      }
      if (get) {
        reply(200, describeComment(project, comment));
        return true;
      }
      if (req.method === "PUT") {
        const text = await raw();
        if (text === null) {
          error(res, 400, "Bad request", { fields: { content: ["This field is required."] } });
          return true;
        }
        comment.body = text;
        comment.updatedAt = stamp(new Date());
        reply(200, describeComment(project, comment));
        return true;
      }
      error(res, 405, "Method not allowed");
      return true;
    }
    return false;
  }

  return { record, handle };
}
