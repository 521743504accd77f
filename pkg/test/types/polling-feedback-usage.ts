// Compiled by types.test.mjs with `tsc --noEmit --strict`: polling and feedback as pure
// functions, as a TypeScript user writes them. Each `@ts-expect-error` is a misuse the
// declarations must reject.
import {
  feedbackBody,
  feedbackMarker,
  findFeedback,
  parseComment,
  parseCommentList,
  parsePollResponse,
  pollResources,
  prepareCreateComment,
  prepareListComments,
  preparePollRequest,
  preparePollRequests,
  prepareUpdateComment,
  readRateLimit,
  stateKey,
} from "forgelink/flows";
import type {
  Comment,
  CommentInput,
  CommentPage,
  FeedbackLocation,
  HttpRequest,
  HttpResponse,
  Instance,
  PollPage,
  PollRequest,
  PollResource,
  RateLimit,
  WebhookEvent,
} from "forgelink/flows";
// @ts-expect-error: the forgelink entry leaves polling out.
import { preparePollRequest as NotInTheLightEntry } from "forgelink";
void NotInTheLightEntry;

export async function poll(send: (request: HttpRequest) => Promise<HttpResponse>): Promise<string[]> {
  const instance: Instance = { provider: "gitlab", baseUrl: "https://git.example.com" };
  const since = 1_700_000_000;
  const keys: string[] = [];
  const resources: PollResource[] = pollResources("gitlab");
  const requests: PollRequest[] = preparePollRequests(instance, "t", "group/app", since);
  for (const { resource, request } of requests) {
    const page: PollPage = parsePollResponse(instance, "group/app", resource, request.url, await send(request), since, since + 60);
    for (const event of page.events) {
      const key: string | null = stateKey(event);
      if (key !== null) keys.push(key);
    }
    for (const followUp of page.followUps) {
      const next: HttpRequest = preparePollRequest(instance, "t", "group/app", followUp, since);
      keys.push(next.url);
    }
    const next: string | null = page.nextPage;
    const reading: RateLimit = page.rateLimit;
    if (next !== null && reading.remaining !== 0) keys.push(next);
  }
  const jobs: PollResource = { resource: "jobs", pipelineId: "48" };
  const pipeline: PollResource = { resource: "pipeline", pipelineId: "47", updatedAt: null };
  preparePollRequest(instance, "t", "group/app", jobs, since);
  preparePollRequest(instance, "t", "group/app", pipeline, since);
  const reading: RateLimit = readRateLimit({ status: 429, headers: [["Retry-After", "30"]], body: "" }, since);
  const event: WebhookEvent | undefined = undefined;
  if (event !== undefined) stateKey(event);

  // @ts-expect-error: jobs need the pipeline's id.
  preparePollRequest(instance, "t", "group/app", { resource: "jobs" }, since);
  // @ts-expect-error: no such list.
  preparePollRequest(instance, "t", "group/app", { resource: "issues" }, since);
  // @ts-expect-error: `since` is unix seconds, not a date.
  preparePollRequests(instance, "t", "group/app", new Date());
  // @ts-expect-error: an event, not its key.
  stateKey("gitlab:git.example.com:group/app:push:main:abc");

  return [...keys, String(resources.length), String(reading.retryAfter)];
}

export async function feedback(send: (request: HttpRequest) => Promise<HttpResponse>): Promise<string> {
  const instance: Instance = { provider: "github" };
  const location: FeedbackLocation = { target: "merge_request", number: 7 };
  const marker: string = feedbackMarker("ci/48");
  const body: string = feedbackBody("**Build failed**", "ci/48");
  const list = prepareListComments(instance, "t", "octo/repo", location);
  const page: CommentPage = parseCommentList("github", location, list.url, await send(list));
  const earlier: Comment | null = findFeedback(page.comments, "ci/48");
  const request: HttpRequest =
    earlier === null
      ? prepareCreateComment(instance, "t", "octo/repo", location, body)
      : prepareUpdateComment(instance, "t", "octo/repo", location, earlier, body);
  const posted: Comment = parseComment("github", location, await send(request));
  const written: CommentInput = { id: "1", body: "x" };
  findFeedback([written], "ci/48");
  const issue: FeedbackLocation = { target: "new_issue", title: "CI failed" };
  prepareCreateComment(instance, "t", "octo/repo", issue, body);

  // @ts-expect-error: a merge request is named by its number.
  prepareListComments(instance, "t", "octo/repo", { target: "merge_request", sha: "abc" });
  // @ts-expect-error: no such target.
  prepareCreateComment(instance, "t", "octo/repo", { target: "wiki", number: 1 }, body);
  // @ts-expect-error: a comment needs its body.
  prepareUpdateComment(instance, "t", "octo/repo", location, { id: "1" }, body);

  return [marker, posted.id, posted.url ?? "", page.next ?? ""].join();
}
