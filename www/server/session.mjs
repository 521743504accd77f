// The wizard's browser sessions: who may call the API, and which browser an OAuth callback
// belongs to.
//
// A session is a cookie the page receives when it loads from the wizard's own address:
// `<id>.<issued>.<mac>`, a random id and the time it was issued, signed with a key derived
// from the server's encryption key. Signed rather than kept in memory, so that a restarted
// server still knows the pages open before. The CSRF token is another MAC of the id: the page
// reads it from `GET /api/session` (a same-origin answer, which no other site can read) and
// sends it in `X-Forgelink-CSRF` with every API call. A request from another site carries
// neither the cookie (SameSite=Strict) nor the token.
//
// The OAuth callback is a top-level navigation from the provider's site, which a Strict cookie
// does not follow. Starting a flow therefore sets a second cookie of its own, SameSite=Lax
// (sent on that navigation) and valid only on the callback's path, holding a random value that
// forgelink binds the flow to (`session` of connectStart and connectFinish; it keeps only the
// value's hash): a callback finished in a browser that did not start the flow is refused
// before the code is exchanged, and the flow stays open for the browser that did.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CSRF_HEADER = "x-forgelink-csrf";
// A working day and a half: a page left open overnight asks for a reload, not a new key.
const SESSION_SECONDS = 36 * 3600;
// As long as forgelink keeps a pending authorization.
const OAUTH_SECONDS = 10 * 60;
const CALLBACK_PATH = "/oauth/callback";

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

/** Whether two strings are equal, compared in constant time for strings of one length. */
export function sameSecret(a, b) {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookies of a request, by name; the first of a repeated name. */
export function readCookies(req) {
  const cookies = new Map();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Adds a Set-Cookie header to those the response already has. */
function addCookie(res, cookie) {
  const existing = res.getHeader("Set-Cookie");
  res.setHeader("Set-Cookie", [...(existing === undefined ? [] : [existing].flat()), cookie]);
}

function cookieText(name, value, { path, sameSite, maxAge, secure }) {
  return `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=${sameSite}${secure ? "; Secure" : ""}`;
}

/**
 * The sessions of one wizard server. `encryptionKey` is the server's key (the signing key is
 * derived from it, so the key itself signs nothing); `port` keeps two wizards on one machine
 * from overwriting each other's cookie (cookies are per host, not per port); `now` is for tests.
 */
export function wizardSessions({ encryptionKey, port, now = () => Date.now() }) {
  const key = createHmac("sha256", encryptionKey).update("forgelink wizard sessions v1").digest();
  const mac = (...parts) => base64url(createHmac("sha256", key).update(parts.join("\0")).digest());
  const name = `forgelink_session_${port}`;
  // Secure only where the browser reached this server over https: on http it would not be stored.
  const secure = (req) => Boolean(req.socket.encrypted);

  /** The session a request's cookie names, or null when there is none, or it is forged or expired. */
  function read(req) {
    const value = readCookies(req).get(name);
    const [id, issued, signature, extra] = (value ?? "").split(".");
    if (!id || !issued || !signature || extra !== undefined || !/^\d+$/.test(issued)) return null;
    if (!sameSecret(signature, mac("session", id, issued))) return null;
    const age = now() / 1000 - Number(issued);
    if (age < 0 || age > SESSION_SECONDS) return null;
    return { id };
  }

  return {
    header: CSRF_HEADER,
    read,

    /** The request's session, or a new one whose cookie the response sets (a page being loaded). */
    ensure(req, res) {
      const current = read(req);
      if (current) return current;
      const id = base64url(randomBytes(32));
      const issued = String(Math.floor(now() / 1000));
      addCookie(res, cookieText(name, `${id}.${issued}.${mac("session", id, issued)}`, { path: "/", sameSite: "Strict", maxAge: SESSION_SECONDS, secure: secure(req) }));
      return { id };
    },

    /** The CSRF token bound to a session. */
    csrfToken: (session) => mac("csrf", session.id),

    /** Whether `token` is the session's CSRF token. */
    checkCsrf: (session, token) => sameSecret(token, mac("csrf", session.id)),

    /** A fresh value to bind an OAuth flow to the browser starting it (forgelink's `session`). */
    flowBinding: () => base64url(randomBytes(32)),

    /**
     * Gives this browser the binding of the OAuth flow with `state`: the flow's cookie, sent
     * back only to the callback (`path`: the OAuth callback's, or the GitHub App returns').
     */
    bindFlow(req, res, state, binding, { path = CALLBACK_PATH, maxAge = OAUTH_SECONDS } = {}) {
      addCookie(res, cookieText(flowCookie(state), binding, { path, sameSite: "Lax", maxAge, secure: secure(req) }));
    },

    /**
     * The binding the callback's browser holds for the flow with `state`, or undefined when it
     * holds none; the cookie is cleared either way (one flow, one callback).
     */
    takeFlow(req, res, state, { path = CALLBACK_PATH } = {}) {
      const cookie = flowCookie(state);
      const binding = readCookies(req).get(cookie);
      addCookie(res, cookieText(cookie, "", { path, sameSite: "Lax", maxAge: 0, secure: secure(req) }));
      return binding === undefined || binding === "" ? undefined : binding;
    },
  };
}

const sha256 = (text) => createHash("sha256").update(text).digest("base64url");

/** One cookie per flow, so that two flows started in two tabs do not undo each other. */
const flowCookie = (state) => `forgelink_oauth_${sha256(state).slice(0, 16)}`;
