// What happened on a Bitbucket Data Center repository, as its REST API lists it: pull requests,
// branches by last modification, build statuses of a commit (the repository's builds resource,
// and the deprecated build-status API beside the core one), and comments on pull requests (listed through the pull request's activities) and
// commits. Shapes follow the Bitbucket Data Center REST reference ("Pull requests", "Repository"
// branches, "Build status" and "Comments"). Data Center has no webhook event for a build status:
// a failed build is recorded here for polls to find, and no hook hears of it.

import { readJson } from "../http.mjs";
import { commitSha } from "./common.mjs";

/** The key an outside CI server's build carries. */
export const DATA_CENTER_BUILD_KEY = "JENKINS-smoke-test";

export function dataCenterCommits(project) {
  return { head: commitSha(project.path), pullRequest: commitSha(`${project.path}@bookworm-images`) };
}

export function bitbucketDataCenterActivity({ state, baseUrl, user, paged, errors }) {
  function record(project, kind, when = new Date()) {
    if (kind !== "job_failed") return;
    const status = {
      key: DATA_CENTER_BUILD_KEY,
      name: "smoke-test #118",
      url: "https://ci.example.com/job/smoke-test/118/",
      description: "Tests failed",
      state: "FAILED",
      sha: dataCenterCommits(project).head,
      dateAdded: when.getTime(),
    };
    project.statuses = project.statuses.filter((s) => !(s.key === status.key && s.sha === status.sha)).concat(status);
  }

  const repositoryRef = (project) => {
    const [key, slug] = project.path.split("/");
    return { slug, name: slug, project: { key } };
  };

  const describePull = (project, pr) => {
    const commits = dataCenterCommits(project);
    const side = (branch, latestCommit) => ({ id: `refs/heads/${branch}`, displayId: branch, latestCommit, repository: repositoryRef(project) });
    const state = { opened: "OPEN", merged: "MERGED", closed: "DECLINED" }[pr.state] ?? "OPEN";
    return {
      id: pr.number,
      version: 0,
      title: pr.title,
      description: pr.description,
      state,
      open: state === "OPEN",
      closed: state !== "OPEN",
      createdDate: Date.parse(pr.createdAt),
      updatedDate: Date.parse(pr.updatedAt),
      fromRef: side(pr.sourceBranch, commits.pullRequest),
      toRef: side(pr.targetBranch, commits.head),
      locked: false,
      author: { user: user(), role: "AUTHOR", approved: false, status: "UNAPPROVED" },
      reviewers: [],
      participants: [],
      links: { self: [{ href: `${baseUrl}/projects/${project.path.replace("/", "/repos/")}/pull-requests/${pr.number}` }] },
    };
  };

  const branches = (project) => {
    const commits = dataCenterCommits(project);
    const pulls = project.mergeRequests.filter((pr) => pr.state === "opened");
    return [
      { id: `refs/heads/${project.defaultBranch}`, displayId: project.defaultBranch, type: "BRANCH", latestCommit: commits.head, latestChangeset: commits.head, isDefault: true },
      ...pulls.map((pr) => ({ id: `refs/heads/${pr.sourceBranch}`, displayId: pr.sourceBranch, type: "BRANCH", latestCommit: commits.pullRequest, latestChangeset: commits.pullRequest, isDefault: false })),
    ];
  };

  const describeStatus = (s) => ({ state: s.state, key: s.key, name: s.name, url: s.url, description: s.description, dateAdded: s.dateAdded });

  const describeComment = (c) => ({ properties: {}, id: c.id, version: c.version, text: c.body, author: user(), createdDate: c.createdAt, updatedDate: c.updatedAt, comments: [], tasks: [] });

  /** A build status as the repository's builds resource (7.14+) describes it: `RestBuildStatus`. */
  const describeBuild = (s) => ({ key: s.key, name: s.name, url: s.url, description: s.description, state: s.state, createdDate: s.dateAdded, updatedDate: s.dateAdded });

  /** The build statuses of a commit, newest first: `/rest/build-status/latest/commits/{sha}`. */
  function buildStatuses(project, sha, url, reply) {
    const list = project.statuses.filter((s) => s.sha === sha).sort((a, b) => b.dateAdded - a.dateAdded);
    return reply(200, paged(list.map(describeStatus), url));
  }

  /**
   * `rest` is the path under the repository (`pull-requests`, `branches`, `pull-requests/1/...`,
   * `commits/{sha}/comments...`); answers and returns true when it is one of these resources.
   */
  async function handle(req, res, url, project, rest, { reply, headers }) {
    const notFound = (message, exception) => errors(res, 404, message, exception, headers);
    if (req.method === "GET" && rest === "pull-requests") {
      const wanted = (url.searchParams.get("state") ?? "OPEN").toUpperCase();
      const list = project.mergeRequests.map((pr) => describePull(project, pr)).filter((pr) => wanted === "ALL" || pr.state === wanted);
      // NEWEST orders by creation, newest first, as the reference says.
      list.sort((a, b) => b.createdDate - a.createdDate);
      reply(200, paged(list, url));
      return true;
    }
    if (req.method === "GET" && rest === "branches") {
      reply(200, paged(branches(project), url));
      return true;
    }
    // The repository's builds resource (the REST reference's "Builds and Deployments", since
    // 7.14): one status for a `key`, else the commit's statuses, page by page.
    const builds = /^commits\/([0-9a-f]{7,40})\/builds$/.exec(rest);
    if (req.method === "GET" && builds) {
      const list = project.statuses.filter((st) => st.sha === builds[1]).sort((a, b) => b.dateAdded - a.dateAdded).map(describeBuild);
      const key = url.searchParams.get("key");
      if (key === null) {
        reply(200, paged(list, url));
        return true;
      }
      const one = list.find((st) => st.key === key);
      if (one) reply(200, one);
      else notFound(`No build status with key ${key} exists for this commit.`, "com.atlassian.bitbucket.build.NoSuchBuildStatusException");
      return true;
    }
    const comments = /^(pull-requests\/(\d+)|commits\/([0-9a-f]{7,40}))\/(comments|activities)(?:\/(\d+))?$/.exec(rest);
    if (!comments) return false;
    const [, , number, sha, collection, commentId] = comments;
    if (number !== undefined && !project.mergeRequests.some((pr) => String(pr.number) === number)) {
      notFound(`Pull request ${number} does not exist in ${project.path}.`, "com.atlassian.bitbucket.pull.NoSuchPullRequestException");
      return true;
    }
    const at = number !== undefined ? { mergeRequest: Number(number) } : { commit: sha };
    const here = (c) => (number !== undefined ? c.mergeRequest === at.mergeRequest : c.commit === at.commit);
    if (collection === "activities") {
      if (number === undefined || req.method !== "GET") return false;
      const activities = project.comments
        .filter(here)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((c) => ({ id: 9000 + c.id, createdDate: c.createdAt, user: user(), action: "COMMENTED", commentAction: "ADDED", comment: describeComment(c) }));
      reply(200, paged(activities, url));
      return true;
    }
    if (commentId === undefined && req.method === "GET" && sha !== undefined) {
      reply(200, paged(project.comments.filter(here).map(describeComment), url));
      return true;
    }
    if (commentId === undefined && req.method === "POST") {
      const body = (await readJson(req)) ?? {};
      if (typeof body.text !== "string" || body.text.trim() === "") {
        errors(res, 400, "A comment must have text.", "com.atlassian.bitbucket.validation.ArgumentValidationException", headers);
        return true;
      }
      const now = Date.now();
      const comment = { id: state.nextCommentId++, ...at, body: body.text, version: 0, createdAt: now, updatedAt: now };
      project.comments.push(comment);
      reply(201, describeComment(comment));
      return true;
    }
    const comment = commentId !== undefined && project.comments.find((c) => String(c.id) === commentId && here(c));
    if (!comment) {
      notFound(`Comment ${commentId} does not exist.`, "com.atlassian.bitbucket.comment.NoSuchCommentException");
      return true;
    }
    if (req.method === "PUT") {
      const body = (await readJson(req)) ?? {};
      // The version guards against lost updates: an out-of-date one is refused, as documented.
      if (body.version !== comment.version) {
        errors(res, 409, `You are attempting to modify a comment based on out-of-date information (version ${body.version}, current ${comment.version}).`, "com.atlassian.bitbucket.comment.CommentOutOfDateException", headers);
        return true;
      }
      comment.body = String(body.text ?? comment.body);
      comment.version += 1;
      comment.updatedAt = Date.now();
      reply(200, describeComment(comment));
      return true;
    }
    return false;
  }

  return { record, handle, buildStatuses };
}
