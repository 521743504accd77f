// The provider's side of the scale tests: a plan of signed deliveries (unique ones, copies sent
// at the same moment to another process, redeliveries sent after the first was answered), and a
// sender that behaves as a provider behind a load balancer does: a connection error or a 503 is
// tried again (after `Retry-After`, kept short here), on the next live process.
import { Agent, request } from "node:http";

/** A small deterministic generator, so that a failing run can be repeated exactly. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `total` deliveries to `hooks` (`{ forge, hook, project }`), of which `duplicates` and
 * `redeliveries` are shares: `{ unique: [{ sha, delivery, copy, redeliver }] }`. Each unique
 * delivery is a push of its own commit, so an event names its delivery by `commitSha`.
 */
export function plan(hooks, { total, duplicates, redeliveries, seed = 1 }) {
  const random = generator(seed);
  const copies = Math.round(total * duplicates);
  const again = Math.round(total * redeliveries);
  const count = total - copies - again;
  const unique = Array.from({ length: count }, (_, i) => {
    const { forge, hook, project } = hooks[i % hooks.length];
    const sha = (i * 2_654_435_761 + 0x9e3779b9).toString(16).padStart(8, "0").repeat(5).slice(0, 40);
    const body = { object_kind: "push", ref: "refs/heads/main", before: "0".repeat(40), after: sha, checkout_sha: sha, user_username: "ada", project: { id: 7, path_with_namespace: project }, commits: [], total_commits_count: 0 };
    return { sha, delivery: forge.delivery(hook, "Push Hook", body), copy: false, redeliver: false };
  });
  // Which unique deliveries get a concurrent copy, and which a later redelivery.
  const pick = (n, field) => {
    for (let chosen = 0; chosen < n; ) {
      const item = unique[Math.floor(random() * unique.length)];
      if (!item[field]) {
        item[field] = true;
        chosen++;
      }
    }
  };
  pick(Math.min(copies, count), "copy");
  pick(Math.min(again, count), "redeliver");
  return { unique, sent: count + copies + again };
}

/**
 * Sends every planned delivery to `processes` (a list that may shrink as processes die) with
 * `concurrency` in flight: `{ answers, retried, outstanding }`, where `answers` counts the final
 * answers by status and `outstanding(process)` how many requests a process holds right now.
 */
export function sender(processes, { concurrency = 48, maxAttempts = 400 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answers = new Map();
  const retried = { unavailable: 0, unreachable: 0 };
  const latencies = [];
  const inFlight = new Map();
  let next = 0;

  async function send(delivery) {
    const start = performance.now();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const live = processes.filter((p) => !p.dead);
      const target = live[next++ % live.length];
      inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
      let response;
      try {
        response = await post(`${target.url}${new URL(delivery.url).pathname}`, delivery);
      } catch {
        retried.unreachable++; // the process died under the request, or refused it: the provider tries again
        continue;
      } finally {
        inFlight.set(target, inFlight.get(target) - 1);
      }
      let answer = {};
      try {
        answer = JSON.parse(response.body);
      } catch {
        // An answer without a JSON body is counted by its status alone.
      }
      if (response.status === 503) {
        retried.unavailable++;
        const retryAfter = Number(response.headers["retry-after"] ?? 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter * 1000, 100)));
        continue;
      }
      const key = `${response.status} ${answer.status}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
      latencies.push(performance.now() - start);
      return key;
    }
    answers.set("gave up", (answers.get("gave up") ?? 0) + 1);
    return "gave up";
  }

  function post(url, delivery) {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { ...delivery.headers, "content-length": delivery.body.length }, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(delivery.body);
    });
  }

  return {
    answers,
    /** How many attempts were tried again: answered 503, or not answered at all. */
    retried,
    /** Milliseconds from each delivery's first attempt to its final answer. */
    latencies,
    outstanding: (process) => inFlight.get(process) ?? 0,
    /** Sends `unique` with its copies and redeliveries; `progress(done)` after each unique one. */
    async run(unique, progress = () => {}) {
      let index = 0;
      let done = 0;
      const lane = async () => {
        while (index < unique.length) {
          const item = unique[index++];
          await Promise.all([send(item.delivery), item.copy ? send(item.delivery) : undefined]);
          if (item.redeliver) await send(item.delivery);
          await progress(++done);
        }
      };
      await Promise.all(Array.from({ length: Math.ceil(concurrency / 2) }, lane));
      agent.destroy();
    },
  };
}
