// What happened on a GitLab project, as its REST API v4 lists it: pipelines and their jobs,
// merge requests, push events, and the notes people (and forgelink) leave on merge requests
// and commits. Shapes follow GitLab's "Pipelines API", "Jobs API", "Merge requests API",
// "Events API", "Notes API", "Discussions API" and "Commits API" pages. The triggers record
// here what their deliveries describe, with the same ids.

import { createHash } from "node:crypto";

import { linkHeader, page, readJson, send } from "../http.mjs";
import { commitSha } from "./common.mjs";

/** The ids a project's pipeline and its two jobs carry, in deliveries and lists alike. */
export function gitlabIds(project) {
  return { pipelineId: 4100 + project.id, imageJobId: 88001 + project.id, testJobId: 88002 + project.id };
}

/** The commits a project's payloads name: its head, the one before, and the merge request's head. */
export function gitlabCommits(project) {
  const length = project.objectFormat === "sha256" ? 64 : 40;
  return { head: commitSha(project.path, length), before: commitSha(`${project.path}~1`, length), mergeRequest: commitSha(`${project.path}@bookworm-images`, length) };
}

/** Timestamps the way the REST API writes them: milliseconds and `Z`. */
const iso = (date) => new Date(date).toISOString();

export function gitlabActivity({ state, baseUrl, account, user, maxPageSize }) {
  const web = (project) => `${baseUrl}/${project.path}`;
  const author = () => ({ id: account.id, username: account.username, name: account.name, state: "active", locked: false, avatar_url: user().avatar_url, web_url: user().web_url });

  /** Records what a trigger describes, before its deliveries go out. */
  function record(project, kind, when = new Date()) {
    const { pipelineId, imageJobId, testJobId } = gitlabIds(project);
    const { head, before } = gitlabCommits(project);
    if (kind === "push") {
      project.pushes.push({ id: 70000 + project.pushes.length + project.id * 100, ref: project.defaultBranch, before, after: head, title: "Build the runner image on bookworm", createdAt: iso(when) });
      return;
    }
    // A failed pipeline and a failed job are the same pipeline: "image" passed, "smoke-test" failed.
    const created = new Date(when - 180_000);
    const pipeline = {
      id: pipelineId,
      iid: 12,
      status: "failed",
      source: "push",
      ref: project.defaultBranch,
      sha: head,
      beforeSha: before,
      createdAt: iso(created),
      startedAt: iso(new Date(when - 176_000)),
      finishedAt: iso(when),
      updatedAt: iso(when),
      duration: 171,
      jobs: [
        { id: imageJobId, name: "image", stage: "build", status: "success", failureReason: null, createdAt: iso(created), startedAt: iso(new Date(when - 176_000)), finishedAt: iso(new Date(when - 90_000)), duration: 86.2 },
        { id: testJobId, name: "smoke-test", stage: "test", status: "failed", failureReason: "script_failure", createdAt: iso(created), startedAt: iso(new Date(when - 88_000)), finishedAt: iso(when), duration: 85.3 },
      ],
    };
    const index = project.pipelines.findIndex((p) => p.id === pipelineId);
    if (index >= 0) project.pipelines.splice(index, 1);
    project.pipelines.push(pipeline);
  }

  const describePipeline = (project, p) => ({ id: p.id, iid: p.iid, project_id: project.id, sha: p.sha, ref: p.ref, status: p.status, source: p.source, created_at: p.createdAt, updated_at: p.updatedAt, web_url: `${web(project)}/-/pipelines/${p.id}`, name: null });

  const commitOf = (project, sha) => ({
    id: sha,
    short_id: sha.slice(0, 8),
    created_at: "2026-11-20T16:40:00.000Z",
    parent_ids: [gitlabCommits(project).before],
    title: "Build the runner image on bookworm",
    message: "Build the runner image on bookworm\n",
    author_name: account.name,
    author_email: state.account.email,
    authored_date: "2026-11-20T16:40:00.000Z",
    committer_name: account.name,
    committer_email: state.account.email,
    committed_date: "2026-11-20T16:40:00.000Z",
    web_url: `${web(project)}/-/commit/${sha}`,
  });

  const describeJob = (project, p, j) => ({
    id: j.id,
    status: j.status,
    stage: j.stage,
    name: j.name,
    ref: p.ref,
    tag: false,
    coverage: null,
    allow_failure: false,
    created_at: j.createdAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    erased_at: null,
    duration: j.duration,
    queued_duration: 2.1,
    user: author(),
    commit: commitOf(project, p.sha),
    pipeline: { id: p.id, project_id: project.id, ref: p.ref, sha: p.sha, status: p.status },
    ...(j.status === "failed" ? { failure_reason: j.failureReason } : {}),
    web_url: `${web(project)}/-/jobs/${j.id}`,
    project: { ci_job_token_scope_enabled: false },
    artifacts: [],
    runner: { id: 12, description: "shared-runner-1", ip_address: null, active: true, paused: false, is_shared: true, runner_type: "instance_type", name: "gitlab-runner", online: true, status: "online" },
    artifacts_expire_at: null,
    archived: false,
    tag_list: ["docker"],
  });

  const describeMergeRequest = (project, mr) => {
    const sha = gitlabCommits(project).mergeRequest;
    const reference = `!${mr.number}`;
    return {
      id: 50000 + project.id * 10 + mr.number,
      iid: mr.number,
      project_id: project.id,
      title: mr.title,
      description: mr.description,
      state: mr.state,
      created_at: mr.createdAt,
      updated_at: mr.updatedAt,
      merged_by: null,
      merge_user: null,
      merged_at: null,
      closed_by: null,
      closed_at: null,
      target_branch: mr.targetBranch,
      source_branch: mr.sourceBranch,
      user_notes_count: project.comments.filter((c) => c.mergeRequest === mr.number).length,
      upvotes: 0,
      downvotes: 0,
      author: author(),
      assignees: [],
      assignee: null,
      reviewers: [],
      source_project_id: project.id,
      target_project_id: project.id,
      labels: [],
      draft: false,
      work_in_progress: false,
      milestone: null,
      merge_when_pipeline_succeeds: false,
      merge_status: "can_be_merged",
      detailed_merge_status: "mergeable",
      sha,
      merge_commit_sha: null,
      squash_commit_sha: null,
      discussion_locked: null,
      should_remove_source_branch: null,
      force_remove_source_branch: true,
      prepared_at: mr.createdAt,
      reference,
      references: { short: reference, relative: reference, full: `${project.path}${reference}` },
      web_url: `${web(project)}/-/merge_requests/${mr.number}`,
      time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
      squash: false,
      squash_on_merge: false,
      task_completion_status: { count: 0, completed_count: 0 },
      has_conflicts: false,
      blocking_discussions_resolved: true,
    };
  };

  const describePush = (project, push) => ({
    id: push.id,
    project_id: project.id,
    action_name: "pushed to",
    target_id: null,
    target_iid: null,
    target_type: null,
    author_id: account.id,
    target_title: null,
    created_at: push.createdAt,
    author: author(),
    imported: false,
    imported_from: "none",
    push_data: { commit_count: 1, action: "pushed", ref_type: "branch", commit_from: push.before, commit_to: push.after, ref: push.ref, commit_title: push.title, ref_count: null },
    author_username: account.username,
  });

  const describeNote = (project, c) => ({
    id: c.id,
    type: c.commit ? "DiscussionNote" : null,
    body: c.body,
    author: author(),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    system: false,
    noteable_id: c.commit ? null : 50000 + project.id * 10 + c.mergeRequest,
    noteable_type: c.commit ? "Commit" : "MergeRequest",
    project_id: project.id,
    ...(c.commit ? { commit_id: c.commit } : {}),
    resolvable: false,
    confidential: false,
    internal: false,
    imported: false,
    imported_from: "none",
    noteable_iid: c.commit ? null : c.mergeRequest,
    commands_changes: {},
  });

  const describeDiscussion = (project, c) => ({ id: c.discussionId, individual_note: true, notes: [describeNote(project, c)] });

  const listed = (res, url, items, describe) => sendGitLabPage(res, url, items, describe, maxPageSize);

  /** A date parameter as GitLab reads it (ISO 8601); `undefined` when absent, `null` when unreadable. */
  function dateParam(url, name) {
    const value = url.searchParams.get(name);
    if (value === null || value === "") return undefined;
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : null;
  }

  const invalid = (res, name) => send(res, 400, { error: `${name} is invalid` });

  function sorted(items, url, fields, fallback) {
    const field = fields[url.searchParams.get("order_by") ?? fallback] ?? fields[fallback];
    const out = [...items].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
    return url.searchParams.get("sort") === "asc" ? out : out.reverse();
  }

  function knownCommit(project, sha) {
    return Object.values(gitlabCommits(project)).includes(sha);
  }

  /**
   * `rest` is what follows `/projects/:id/`. Answers and returns true when the path is one of
   * these; returns "scope" when a write needs the `api` scope the token lacks (`canWrite`; the
   * caller checked reading), false for any other path.
   */
  async function handle(req, res, url, project, rest, { canWrite }) {
    const get = req.method === "GET";
    if (get && rest === "pipelines") {
      const after = dateParam(url, "updated_after");
      const before = dateParam(url, "updated_before");
      if (after === null) {
        invalid(res, "updated_after");
        return true;
      }
      if (before === null) {
        invalid(res, "updated_before");
        return true;
      }
      const status = url.searchParams.get("status");
      const ref = url.searchParams.get("ref");
      const items = project.pipelines.filter((p) => (after === undefined || Date.parse(p.updatedAt) > after) && (before === undefined || Date.parse(p.updatedAt) < before) && (!status || p.status === status) && (!ref || p.ref === ref));
      listed(res, url, sorted(items, url, { id: "id", status: "status", ref: "ref", updated_at: "updatedAt", user_id: "id" }, "id"), (p) => describePipeline(project, p));
      return true;
    }
    // "Get a single pipeline": the list's fields and those it leaves out, finished_at among them.
    let match = /^pipelines\/(\d+)$/.exec(rest);
    if (get && match) {
      const pipeline = project.pipelines.find((p) => String(p.id) === match[1]);
      if (!pipeline) {
        send(res, 404, { message: "404 Not found" });
        return true;
      }
      send(res, 200, { ...describePipeline(project, pipeline), before_sha: pipeline.beforeSha, tag: false, yaml_errors: null, started_at: pipeline.startedAt, finished_at: pipeline.finishedAt, committed_at: null, duration: pipeline.duration, queued_duration: null, coverage: null });
      return true;
    }
    match = /^pipelines\/(\d+)\/jobs$/.exec(rest);
    if (get && match) {
      const pipeline = project.pipelines.find((p) => String(p.id) === match[1]);
      if (!pipeline) {
        send(res, 404, { message: "404 Not found" });
        return true;
      }
      const scopes = url.searchParams.getAll("scope[]").concat(url.searchParams.getAll("scope"));
      listed(res, url, [...pipeline.jobs].reverse().filter((j) => !scopes.length || scopes.includes(j.status)), (j) => describeJob(project, pipeline, j));
      return true;
    }
    if (get && rest === "merge_requests") {
      const after = dateParam(url, "updated_after");
      if (after === null) {
        invalid(res, "updated_after");
        return true;
      }
      const wanted = url.searchParams.get("state") ?? "all";
      const items = project.mergeRequests.filter((mr) => (after === undefined || Date.parse(mr.updatedAt) > after) && (wanted === "all" || mr.state === wanted));
      listed(res, url, sorted(items, url, { created_at: "createdAt", updated_at: "updatedAt", title: "title" }, "created_at"), (mr) => describeMergeRequest(project, mr));
      return true;
    }
    if (get && rest === "events") {
      const action = url.searchParams.get("action");
      // `after` and `before` are dates, and exclusive: after 2026-11-20 starts on the 21st.
      const after = url.searchParams.get("after");
      const before = url.searchParams.get("before");
      if ((after && !/^\d{4}-\d{2}-\d{2}$/.test(after)) || (before && !/^\d{4}-\d{2}-\d{2}$/.test(before))) {
        invalid(res, after ? "after" : "before");
        return true;
      }
      const items = (action === null || action === "pushed" ? project.pushes : []).filter(
        (p) => (!after || Date.parse(p.createdAt) >= Date.parse(`${after}T00:00:00Z`) + 86_400_000) && (!before || Date.parse(p.createdAt) < Date.parse(`${before}T00:00:00Z`)),
      );
      const ordered = [...items].sort((a, b) => a.id - b.id);
      listed(res, url, url.searchParams.get("sort") === "asc" ? ordered : ordered.reverse(), (p) => describePush(project, p));
      return true;
    }
    match = /^merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(rest);
    if (match) {
      const mr = project.mergeRequests.find((m) => String(m.number) === match[1]);
      if (!mr) {
        send(res, 404, { message: "404 Not found" });
        return true;
      }
      const notes = project.comments.filter((c) => c.mergeRequest === mr.number);
      if (get && match[2] === undefined) {
        const ordered = [...notes].sort((a, b) => a.id - b.id);
        listed(res, url, url.searchParams.get("sort") === "asc" ? ordered : ordered.reverse(), (c) => describeNote(project, c));
        return true;
      }
      if (!canWrite) return "scope";
      if (req.method === "POST" && match[2] === undefined) {
        const body = (await readJson(req)) ?? {};
        if (typeof body.body !== "string" || body.body.trim() === "") {
          send(res, 400, { message: "400 Bad request - Note {:note=>[\"can't be blank\"]}" });
          return true;
        }
        const comment = addComment(project, { mergeRequest: mr.number, body: body.body });
        mr.updatedAt = comment.createdAt;
        send(res, 201, describeNote(project, comment));
        return true;
      }
      const note = notes.find((c) => String(c.id) === match[2]);
      if (match[2] !== undefined && !note) {
        send(res, 404, { message: "404 Note Not Found" });
        return true;
      }
      if (req.method === "PUT" && note) {
        const body = (await readJson(req)) ?? {};
        if (typeof body.body !== "string" || body.body.trim() === "") {
          send(res, 400, { message: "400 Bad request - Note {:note=>[\"can't be blank\"]}" });
          return true;
        }
        note.body = body.body;
        note.updatedAt = mr.updatedAt = iso(new Date());
        send(res, 200, describeNote(project, note));
        return true;
      }
      send(res, 405, { error: "405 Method Not Allowed" });
      return true;
    }
    match = /^repository\/commits\/([0-9a-fA-F]+)\/(discussions|comments)(?:\/([0-9a-f]+)\/notes\/(\d+))?$/.exec(rest);
    if (match) {
      const sha = match[1].toLowerCase();
      if (!knownCommit(project, sha)) {
        send(res, 404, { message: "404 Commit Not Found" });
        return true;
      }
      const notes = project.comments.filter((c) => c.commit === sha).sort((a, b) => a.id - b.id);
      const comments = match[2] === "comments";
      if (get && match[3] === undefined) {
        // The Commits API writes a comment as `note` with its author and, for line comments, the line.
        listed(res, url, notes, comments ? (c) => ({ note: c.body, author: author(), line: null, path: null, line_type: null, created_at: c.createdAt }) : (c) => describeDiscussion(project, c));
        return true;
      }
      if (!canWrite) return "scope";
      if (req.method === "POST" && match[3] === undefined) {
        const body = (await readJson(req)) ?? {};
        const text = comments ? body.note : body.body;
        if (typeof text !== "string" || text.trim() === "") {
          send(res, 400, { message: `400 Bad request - ${comments ? "note" : "body"} is missing` });
          return true;
        }
        const comment = addComment(project, { commit: sha, body: text });
        send(res, 201, comments ? { note: comment.body, author: author(), line: null, path: null, line_type: null, created_at: comment.createdAt } : describeDiscussion(project, comment));
        return true;
      }
      if (req.method === "PUT" && !comments && match[3] !== undefined) {
        const note = notes.find((c) => c.discussionId === match[3] && String(c.id) === match[4]);
        if (!note) {
          send(res, 404, { message: "404 Not found" });
          return true;
        }
        const body = (await readJson(req)) ?? {};
        if (typeof body.body !== "string" || body.body.trim() === "") {
          send(res, 400, { message: "400 Bad request - body is missing" });
          return true;
        }
        note.body = body.body;
        note.updatedAt = iso(new Date());
        send(res, 200, describeNote(project, note));
        return true;
      }
      send(res, 405, { error: "405 Method Not Allowed" });
      return true;
    }
    return false;
  }

  function addComment(project, fields) {
    const id = 2000 + state.nextCommentId++;
    const now = iso(new Date());
    const comment = { id, ...fields, createdAt: now, updatedAt: now };
    if (fields.commit) comment.discussionId = createHash("sha1").update(`${project.path}/${id}`).digest("hex");
    project.comments.push(comment);
    return comment;
  }

  return { record, handle };
}

/** One page of `items` with GitLab's pagination headers (`Link` and the `X-` ones). */
export function sendGitLabPage(res, url, items, describe, maxPageSize) {
  const p = page(items, { pageNumber: url.searchParams.get("page"), perPage: url.searchParams.get("per_page"), fallback: 20, max: maxPageSize });
  return send(res, 200, p.items.map(describe), {
    link: linkHeader(url.href, p),
    "x-page": String(p.number),
    "x-per-page": String(p.size),
    "x-next-page": p.hasNext ? String(p.number + 1) : "",
    "x-prev-page": p.number > 1 ? String(p.number - 1) : "",
    "x-total": String(p.total),
    "x-total-pages": String(p.totalPages),
  });
}
