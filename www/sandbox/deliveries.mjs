// Webhook deliveries that really leave the sandbox: each provider module builds the payload
// and headers, this module signs the exact bytes it sends, POSTs them, and records what the
// receiver answered. A redelivery sends the same bytes with the same delivery id again. With
// the `dropDeliveries` switch on, a delivery is recorded as dropped and never sent, as when a
// provider has disabled a hook that kept failing.

import { createHmac } from "node:crypto";

const TIMEOUT_MS = 10_000;

/**
 * Signs an attempt as Standard Webhooks do, when the hook has a signing token: the same
 * webhook-id on every attempt, the attempt's own time, and HMAC-SHA256 of `id.time.body`.
 */
function signStandard(record) {
  if (!record.standard) return;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const mac = createHmac("sha256", record.standard.key).update(`${record.standard.id}.${timestamp}.`).update(record.body);
  Object.assign(record.headers, { "webhook-id": record.standard.id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${mac.digest("base64")}` });
}

export function createDeliveries(state, log) {
  /** Posts one prepared delivery and records it; a dropped one is recorded without being sent. */
  async function post(record) {
    const started = Date.now();
    if (state.on("dropDeliveries", record.provider, record.project)) {
      return { status: null, error: "dropped", dropped: true, at: new Date(started).toISOString(), durationMs: 0 };
    }
    let status = null;
    let error = null;
    try {
      const response = await fetch(record.url, { method: "POST", headers: record.headers, body: record.body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
      status = response.status;
      await response.body?.cancel();
    } catch (cause) {
      error = cause?.cause?.code ?? cause?.name ?? String(cause);
    }
    return { status, error, at: new Date(started).toISOString(), durationMs: Date.now() - started };
  }

  async function trigger(module, project, kind) {
    const results = [];
    for (const hook of [...project.hooks]) {
      const prepared = module.delivery(project, hook, kind);
      if (!prepared) continue;
      let body = Buffer.from(prepared.body, "utf8");
      const headers = { ...prepared.headers };
      if (module.id === "github" && hook.data.content_type === "form") {
        // GitHub's form content type wraps the JSON in a `payload` field, and signs the form.
        body = Buffer.from(new URLSearchParams({ payload: prepared.body }).toString(), "utf8");
        headers["Content-Type"] = "application/x-www-form-urlencoded";
      }
      await pushAll(results, module, project, kind, hook, prepared, body, headers);
    }
    return results;
  }

  async function pushAll(results, module, project, kind, hook, prepared, body, headers) {
    for (const [name, algorithm] of prepared.sign?.headers ?? []) {
      headers[name] = `${algorithm}=${createHmac(algorithm, prepared.sign.secret).update(body).digest("hex")}`;
    }
    headers["Content-Length"] = String(body.length);
    const record = {
      deliveryId: prepared.deliveryId,
      provider: module.id,
      project: project.path,
      kind,
      event: prepared.event,
      hookId: String(hook.id),
      url: hook.url,
      headers,
      body,
      standard: prepared.standard,
      attempts: [],
    };
    signStandard(record);
    const attempt = await post(record);
    record.attempts.push(attempt);
    state.deliveries.push(record);
    log(`${module.id} ${project.path}: ${prepared.event} → ${hook.url} ${attempt.status ?? attempt.error}`);
    results.push(summary(record));
    return results;
  }

  async function redeliver(deliveryId) {
    const record = state.deliveries.find((d) => d.deliveryId === deliveryId);
    if (!record) throw Object.assign(new Error(`No delivery ${deliveryId}.`), { code: "not_found" });
    // Bitbucket Cloud counts attempts in a header of its own; the body and its signature stay the same.
    if (record.headers["X-Attempt-Number"]) record.headers["X-Attempt-Number"] = String(record.attempts.length + 1);
    signStandard(record);
    const attempt = await post(record);
    record.attempts.push(attempt);
    log(`redelivered ${deliveryId} → ${record.url} ${attempt.status ?? attempt.error}`);
    return { deliveryId, status: attempt.status, ...(attempt.error ? { error: attempt.error } : {}), ...(attempt.dropped ? { dropped: true } : {}), redelivery: true };
  }

  function summary(record) {
    const last = record.attempts.at(-1);
    return {
      deliveryId: record.deliveryId,
      provider: record.provider,
      project: record.project,
      kind: record.kind,
      event: record.event,
      hookId: record.hookId,
      url: record.url,
      status: last.status,
      ...(last.error ? { error: last.error } : {}),
      ...(last.dropped ? { dropped: true } : {}),
      at: last.at,
      attempts: record.attempts.length,
    };
  }

  /**
   * Sends one delivery a provider module prepared for a hook that is not a project's (a GitHub
   * App's webhook): `hook` is `{ id, url }`, `project` names what the delivery is about.
   */
  async function deliver({ provider, project, kind, hook, prepared }) {
    const results = [];
    await pushAll(results, { id: provider }, { path: project }, kind, hook, prepared, Buffer.from(prepared.body, "utf8"), { ...prepared.headers });
    return results[0];
  }

  return {
    trigger,
    deliver,
    redeliver,
    list: () => state.deliveries.map((d) => ({ ...summary(d), headers: { ...d.headers }, body: d.body.toString("utf8") })),
  };
}
