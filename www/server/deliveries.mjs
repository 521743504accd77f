// The deliveries this server received, newest last, and the pages watching them live
// (server-sent events). Kept in memory: the live view shows what arrived since the start.

import { randomBytes } from "node:crypto";

const LIMIT = 200;

/** What the page shows of a receipt: the normalised event's headline fields, never a secret. */
export function summarise(receipt, identity) {
  const event = receipt.event ?? null;
  return {
    status: receipt.status,
    // The connection whose hook the delivery was sent to; null for a rejected one, which no
    // hook accepted.
    connectionId: receipt.connectionId ?? null,
    code: receipt.code ?? null,
    message: receipt.message ?? null,
    provider: event ? event.provider : identity?.provider ?? null,
    event: event ? event.event : identity?.event ?? null,
    deliveryId: event ? event.deliveryId : identity?.deliveryId ?? null,
    kind: event ? event.kind : null,
    action: event ? event.action : null,
    // The project the hook was registered on where there is a hook; else what the payload says.
    repository: receipt.project ?? (event && event.repository ? event.repository.fullPath : null),
    ref: event ? event.ref : null,
    commitSha: event ? event.commitSha : null,
    sender: event && event.sender ? event.sender.username ?? event.sender.name : null,
    pipeline: event && event.pipeline ? { id: event.pipeline.id, status: event.pipeline.status, rawStatus: event.pipeline.rawStatus, url: event.pipeline.url } : null,
    job: event && event.job
      ? { id: event.job.id, name: event.job.name, stage: event.job.stage, status: event.job.status, failureReason: event.job.failureReason, url: event.job.url }
      : null,
    commitStatus: event && event.commitStatus
      ? { state: event.commitStatus.state, rawState: event.commitStatus.rawState, key: event.commitStatus.key, url: event.commitStatus.url }
      : null,
    mergeRequest: event && event.mergeRequest ? { number: event.mergeRequest.number, title: event.mergeRequest.title, state: event.mergeRequest.state } : null,
  };
}

export function deliveryLog() {
  const entries = [];
  const watchers = new Map(); // response → which entries it is shown
  let next = 0;
  // Numbers restart with the server; a page reconnecting to a restarted server must not
  // mistake the new deliveries for ones it has seen.
  const boot = randomBytes(4).toString("hex");

  const frame = (entry) => `id: ${entry.id}\nevent: delivery\ndata: ${JSON.stringify(entry)}\n\n`;
  const everything = () => true;

  return {
    add(summary, guidance) {
      const entry = { id: `${boot}-${++next}`, receivedAt: new Date().toISOString(), ...summary, guidance: guidance ?? null };
      entries.push(entry);
      if (entries.length > LIMIT) entries.shift();
      for (const [res, visible] of watchers) if (visible(entry)) res.write(frame(entry));
      return entry;
    },
    /** The entries `visible` lets through, oldest first. */
    list: (visible = everything) => entries.filter(visible),
    /**
     * Streams every entry `visible` lets through after `Last-Event-ID` (all of them for a new
     * page), then each new one it lets through when it arrives (`visible` is asked then).
     */
    watch(req, res, headers, visible = everything) {
      res.writeHead(200, { ...headers, "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store" });
      const last = req.headers["last-event-id"];
      const seen = entries.findIndex((entry) => entry.id === last);
      // A comment first, so the browser reports the stream open even before any delivery.
      res.write(": deliveries\n\n");
      for (const entry of entries.slice(seen + 1)) if (visible(entry)) res.write(frame(entry));
      watchers.set(res, visible);
      req.on("close", () => watchers.delete(res));
    },
  };
}
