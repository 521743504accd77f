// Small HTTP helpers every part of the sandbox shares: answers in JSON or HTML, request
// bodies with a size limit, HTML escaping, and the pagination arithmetic the providers use.

import { randomUUID } from "node:crypto";

export function send(res, status, body, headers = {}) {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    return res.end();
  }
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function html(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(body);
}

export function redirect(res, location, status = 303) {
  res.writeHead(status, { location });
  res.end();
}

/** The raw request body; refuses anything larger than a provider API accepts from forgelink. */
export async function readBody(req, limit = 256 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error("request body too large"), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A JSON request body, or `undefined` when it is empty; throws with `status` 400 when it is not JSON. */
export async function readJson(req) {
  const raw = (await readBody(req)).toString("utf8");
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw Object.assign(new Error("body is not JSON"), { status: 400 });
  }
}

export async function readForm(req) {
  return new URLSearchParams((await readBody(req)).toString("utf8"));
}

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

export function unescape(text) {
  return String(text).replace(/&(amp|lt|gt|quot|#39);/g, (entity) => Object.keys(ENTITIES).find((k) => ENTITIES[k] === entity));
}

/**
 * One page of `items`, 1-based, with `perPage` clamped to [1, max] the way the providers clamp
 * it (a missing or invalid value falls back to `fallback`).
 */
export function page(items, { pageNumber, perPage, fallback, max }) {
  let size = Number.parseInt(perPage, 10);
  if (!Number.isFinite(size) || size < 1) size = fallback;
  size = Math.min(size, max);
  let number = Number.parseInt(pageNumber, 10);
  if (!Number.isFinite(number) || number < 1) number = 1;
  const totalPages = Math.max(1, Math.ceil(items.length / size));
  const start = (number - 1) * size;
  return { items: items.slice(start, start + size), number, size, total: items.length, totalPages, hasNext: number < totalPages };
}

/** An RFC 8288 Link header for a page, as GitHub and GitLab send it. */
export function linkHeader(url, { number, totalPages }, parameter = "page", { first = true } = {}) {
  const at = (n) => {
    const copy = new URL(url);
    copy.searchParams.set(parameter, String(n));
    return copy.href;
  };
  const links = [];
  if (number > 1) links.push(`<${at(number - 1)}>; rel="prev"`);
  if (number < totalPages) links.push(`<${at(number + 1)}>; rel="next"`);
  if (first) links.push(`<${at(1)}>; rel="first"`);
  links.push(`<${at(totalPages)}>; rel="last"`);
  return links.join(", ");
}

export const uuid = randomUUID;

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
