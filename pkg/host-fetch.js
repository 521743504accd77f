// What `fetchHost` does on the wire, apart from the argument checks and the error catalog that
// live with the rest of the flows entry: the address policy (which destinations a request may
// reach), the Node transport that applies it to the address each connection really uses, the
// transport over a platform fetch, and the cap on response bodies.
//
// A URL typed by a customer (a self-managed instance's base URL) decides where the product's
// server connects. Without a policy, `http://169.254.169.254/` or a name that resolves to
// 127.0.0.1 reaches services inside the product's own network (server-side request forgery).
// Names are checked after they resolve, in the connection's own lookup, so that a name whose
// answer changes between a check and the connection (DNS rebinding) cannot pass.

// ---------------------------------------------------------------------------------------------
// The address policy.

/** Four bytes of a dotted-decimal IPv4 address, or null. URL parsing and DNS both give this form. */
function parseIPv4(text) {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    bytes[i] = Number(parts[i]);
  }
  return bytes;
}

/** Sixteen bytes of an IPv6 address (`::` shorthand, a trailing dotted quad, a zone), or null. */
function parseIPv6(text) {
  const zone = text.indexOf("%");
  const halves = (zone >= 0 ? text.slice(0, zone) : text).split("::");
  if (halves.length > 2) return null;
  const [head, tail] = halves.map((half) => (half === "" ? [] : half.split(":")));
  const last = tail ?? head;
  if (last.length > 0 && last.at(-1).includes(".")) {
    const v4 = parseIPv4(last.at(-1));
    if (v4 === null) return null;
    last.splice(-1, 1, ((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16));
  }
  const given = head.length + (tail?.length ?? 0);
  if (tail === undefined ? given !== 8 : given > 7) return null;
  const groups = [...head, ...Array(tail === undefined ? 0 : 8 - given).fill("0"), ...(tail ?? [])];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(groups[i])) return null;
    const word = Number.parseInt(groups[i], 16);
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return bytes;
}

/** The bytes of an IP address written as a URL host (IPv6 in brackets) or as DNS answers it; null for a name. */
export function parseIp(text) {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return bare.includes(":") ? parseIPv6(bare) : parseIPv4(bare);
}

// Cloud metadata services: instance credentials for whoever asks from inside. AWS, GCP, Azure,
// Oracle and DigitalOcean answer on 169.254.169.254, AWS also on fd00:ec2::254 (Nitro), Alibaba
// on 100.100.100.200; GCP also by name.
const METADATA_ADDRESSES = new Set(["169.254.169.254", "100.100.100.200", "fd00:ec2::254"].map((a) => parseIp(a).join(".")));
const METADATA_NAMES = new Set(["metadata.google.internal"]);

const inRange = (bytes, prefix, bits) => {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> i % 8;
    if ((bytes[i >> 3] & mask) !== (prefix[i >> 3] & mask)) return false;
  }
  return true;
};

/**
 * The kind of an IPv4 address: `public`, `loopback`, `private` (RFC 1918, carrier-grade NAT),
 * `link-local`, `metadata`, `unspecified` (0.0.0.0/8, which Linux connects to this machine),
 * `multicast` or `reserved` (240.0.0.0/4 and the broadcast address).
 */
function kindOfIPv4(b) {
  if (METADATA_ADDRESSES.has(b.join("."))) return "metadata";
  if (b[0] === 0) return "unspecified";
  if (b[0] === 127) return "loopback";
  if (b[0] === 169 && b[1] === 254) return "link-local";
  if (b[0] === 10 || (b[0] === 172 && (b[1] & 0xf0) === 16) || (b[0] === 192 && b[1] === 168)) return "private";
  if (b[0] === 100 && (b[1] & 0xc0) === 64) return "private";
  if ((b[0] & 0xf0) === 224) return "multicast";
  if ((b[0] & 0xf0) === 240) return "reserved";
  return "public";
}

const NAT64 = parseIp("64:ff9b::");
const SIX_TO_FOUR = parseIp("2002::");

/**
 * The kind of an IPv6 address, as {@link kindOfIPv4}'s; an address that carries an IPv4 one
 * (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, translated, NAT64, 6to4) is the kind of
 * the IPv4 address, since that is where the packets end up.
 */
function kindOfIPv6(b) {
  if (METADATA_ADDRESSES.has(b.join("."))) return "metadata";
  const zeros = (from, to) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 16)) return "unspecified";
  if (zeros(0, 15) && b[15] === 1) return "loopback";
  const mapped = zeros(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0));
  const translated = zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0;
  if (mapped || translated || inRange(b, NAT64, 96)) return kindOfIPv4(b.subarray(12, 16));
  if (inRange(b, SIX_TO_FOUR, 16)) return kindOfIPv4(b.subarray(2, 6));
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return "link-local";
  // Unique local (fc00::/7) and the deprecated site-local (fec0::/10).
  if ((b[0] & 0xfe) === 0xfc || (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0)) return "private";
  if (b[0] === 0xff) return "multicast";
  return "public";
}

/** The kind of an IP address's bytes. */
export function kindOfAddress(bytes) {
  return bytes.length === 4 ? kindOfIPv4(bytes) : kindOfIPv6(bytes);
}

/** The kind a host name has whatever it resolves to: `localhost` names, metadata names; else undefined. */
function kindOfName(name) {
  const bare = name.toLowerCase().replace(/\.$/, "");
  if (bare === "localhost" || bare.endsWith(".localhost")) return "loopback";
  if (METADATA_NAMES.has(bare)) return "metadata";
  return undefined;
}

// What `allowPrivateNetworks` opens: the product's own machine and its private networks, where
// on-premises instances live. Metadata, link-local (which also holds container credential
// services such as 169.254.170.2), unspecified, multicast and reserved addresses stay closed:
// no Git host answers there.
const OPENED_BY_OPTION = new Set(["loopback", "private"]);

const KIND_WORDS = {
  loopback: "a loopback address (this machine)",
  private: "a private network address",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  reserved: "a reserved or broadcast address",
};

// ---------------------------------------------------------------------------------------------
// The fetch.

/**
 * A host fetch for the flows. `settings`: `{ fetch?, timeoutMs, maxResponseBytes,
 * allowPrivateNetworks, allowInsecureHttp }`, already checked; without `fetch`, Node's own
 * http and https carry the requests (the policy then sees every resolved address), else the
 * platform's `globalThis.fetch`. `errors`: `{ coded(code, message, detail), redirectNotFollowed(url) }`,
 * the flows entry's coded errors.
 */
export function createHostFetch(settings, errors) {
  const { coded } = errors;
  const policy = addressPolicy(settings);
  const node = settings.fetch === undefined ? nodeTransport(settings, policy, coded) : undefined;
  const platformFetch = settings.fetch ?? globalThis.fetch;
  if (node === undefined && typeof platformFetch !== "function") return undefined;

  return async function forgelinkFetch(request) {
    const detail = `${request.method} ${request.url}`;
    let url;
    try {
      url = new URL(request.url);
    } catch {
      throw coded("input.invalid", `The request URL is not a URL: ${request.url}`, detail);
    }
    const refused = policy.admit(url, node !== undefined);
    if (refused) throw coded(refused.code, refused.message, detail);
    if (node !== undefined) return node(url, request, detail);
    return platformRequest(platformFetch, request, detail, settings, errors);
  };
}

/**
 * The checks of the address policy. Each answers what it refuses as `{ code, message }` (the
 * message names the address and the option that would open it), or undefined.
 */
function addressPolicy({ allowPrivateNetworks, allowInsecureHttp }) {
  function blocked(kind, what) {
    if (kind === "public" || kind === undefined) return undefined;
    if (OPENED_BY_OPTION.has(kind) && allowPrivateNetworks) return undefined;
    const why = OPENED_BY_OPTION.has(kind)
      ? "which fetchHost reaches only with `allowPrivateNetworks: true`"
      : "which fetchHost refuses even with `allowPrivateNetworks`";
    return { code: "network.address_blocked", message: `${what} ${KIND_WORDS[kind]}, ${why}.` };
  }

  function insecure(kind, host) {
    if (kind === "loopback" || allowInsecureHttp) return undefined;
    return {
      code: "network.insecure_http",
      message: `Plain http to ${host} would send tokens in clear text; fetchHost sends http only to this machine (loopback) unless \`allowInsecureHttp\` is set.`,
    };
  }

  return {
    /**
     * What the URL alone tells: its scheme, an IP literal (Node connects to one without a
     * lookup, so this is its only check), a `localhost` or metadata name. Plain http passes
     * only to a loopback literal or a `localhost` name, whose answers a lookup checks again.
     */
    admit(url, resolvesNames) {
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        return { code: "input.invalid", message: `fetchHost fetches http and https URLs only, not ${url.protocol}` };
      }
      const host = url.hostname;
      const literal = parseIp(host);
      const kind = literal === null ? kindOfName(host) : kindOfAddress(literal);
      // Where the transport resolves names itself, a `localhost` name is judged by the
      // addresses it resolves to, like any other name; elsewhere its name is all there is.
      const judged = literal === null && resolvesNames && kind === "loopback" ? undefined : kind;
      return blocked(judged, literal === null ? `\`${host}\` is` : `${host} is`) ?? (url.protocol === "http:" ? insecure(kind, host) : undefined);
    },

    /** An address a name resolved to, checked in the lookup of the connection that would use it. */
    resolved(name, address, plainHttp) {
      const bytes = parseIp(address);
      // An answer that is not an address cannot be judged: refuse it rather than connect blind.
      const kind = bytes === null ? "reserved" : kindOfAddress(bytes);
      return blocked(kind, `\`${name}\` resolves to ${address},`) ?? (plainHttp ? insecure(kind, `\`${name}\` (${address})`) : undefined);
    },
  };
}

// The cap each oversized-answer error of fetchHost was raised against, so that the flows can
// hand it to the core (which states it) without reading it back out of a message.
const RESPONSE_CAPS = new WeakMap();

/** The cap on response bodies an `http.response_too_large` error of fetchHost names, in bytes; undefined for other errors. */
export function responseCap(error) {
  return typeof error === "object" && error !== null ? RESPONSE_CAPS.get(error) : undefined;
}

function tooLarge(coded, limit, detail) {
  const error = coded("http.response_too_large", `The answer is larger than ${limit} bytes, the cap set by \`maxResponseBytes\`.`, detail);
  RESPONSE_CAPS.set(error, limit);
  return error;
}

function timedOut(coded, timeoutMs, detail) {
  return coded("network.timeout", `No answer within ${timeoutMs} ms.`, detail);
}

/** One Uint8Array of the chunks received. */
function joinChunks(chunks, size) {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A declared Content-Length past the cap, refused before a byte of the body is read. */
function declaredTooLarge(value, limit) {
  return typeof value === "string" && /^\d+$/.test(value.trim()) && Number(value) > limit;
}

/**
 * Over the platform's fetch (browsers, a caller's own): `redirect: "manual"`, no cookies, the
 * body read chunk by chunk up to the cap. The policy saw only the URL: where the caller's fetch
 * really connects (a name's addresses, a proxy) is out of its sight.
 */
async function platformRequest(platformFetch, request, detail, settings, { coded, redirectNotFollowed }) {
  const { timeoutMs, maxResponseBytes: limit } = settings;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await platformFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      credentials: "omit",
      signal: controller.signal,
    });
    if (response.type === "opaqueredirect" || response.status === 0) {
      await response.body?.cancel();
      throw redirectNotFollowed(request.url);
    }
    if (declaredTooLarge(response.headers?.get?.("content-length"), limit)) {
      await response.body?.cancel();
      throw tooLarge(coded, limit, detail);
    }
    return { status: response.status, headers: [...response.headers], body: await cappedBody(response, limit, () => tooLarge(coded, limit, detail)) };
  } catch (error) {
    if (controller.signal.aborted) throw timedOut(coded, timeoutMs, detail);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The body of a fetch Response, read incrementally and abandoned once past `limit` bytes. */
async function cappedBody(response, limit, tooLargeError) {
  const stream = response.body;
  if (stream === null || stream === undefined || typeof stream.getReader !== "function") {
    // A response of a caller's own without a stream (a test double): read whole, then capped.
    const whole = new Uint8Array(await response.arrayBuffer());
    if (whole.length > limit) throw tooLargeError();
    return whole;
  }
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return joinChunks(chunks, size);
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLargeError();
    }
    chunks.push(value);
  }
}

/**
 * Requests with Node's http and https, on connection pools of this fetch's own whose every
 * connection resolves its name through the policy. Undefined outside Node. Pools of its own,
 * because Node's shared ones would hand over kept-alive sockets that other code connected
 * unchecked.
 */
function nodeTransport(settings, policy, coded) {
  const builtin = (name) => globalThis.process?.getBuiltinModule?.(name);
  const http = builtin("node:http");
  const https = builtin("node:https");
  const dns = builtin("node:dns");
  if (http === undefined || https === undefined || dns === undefined) return undefined;
  const { timeoutMs, maxResponseBytes: limit } = settings;

  // Node calls `lookup` for every connection to a name (never for an IP literal, which `admit`
  // checked). A refused answer fails the connection before it is attempted.
  const lookup = (plainHttp) => (hostname, options, callback) => {
    const wanted = typeof options === "object" && options !== null ? options : {};
    dns.lookup(hostname, { ...wanted, all: true }, (error, addresses) => {
      if (error) return callback(error);
      for (const { address } of addresses) {
        const refused = policy.resolved(hostname, address, plainHttp);
        // The connection fails with this error; the request turns it into its coded error.
        if (refused) return callback(Object.assign(new Error(refused.message), { code: "ERR_FORGELINK_ADDRESS_REFUSED", refused }));
      }
      if (wanted.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
  // The same keep-alive settings as Node's global pools.
  const pools = {
    "http:": new http.Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000, lookup: lookup(true) }),
    "https:": new https.Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000, lookup: lookup(false) }),
  };
  const modules = { "http:": http, "https:": https };

  return (url, request, detail) =>
    new Promise((resolve, reject) => {
      let req;
      let settled = false;
      const settle = (outcome, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome === reject) req?.destroy();
        outcome(value);
      };
      const fail = (error) => settle(reject, error);
      const timer = setTimeout(() => fail(timedOut(coded, timeoutMs, detail)), timeoutMs);
      try {
        req = modules[url.protocol].request(url, { method: request.method, headers: nodeHeaders(request.headers), agent: pools[url.protocol] });
      } catch (error) {
        // Node refuses some headers before sending (a line break in a value, say).
        fail(error);
        return;
      }
      req.on("error", (error) => fail(error?.refused ? coded(error.refused.code, error.refused.message, detail) : error));
      req.on("response", (res) => {
        if (request.method !== "HEAD" && declaredTooLarge(res.headers["content-length"], limit)) {
          fail(tooLarge(coded, limit, detail));
          return;
        }
        const chunks = [];
        let size = 0;
        res.on("data", (chunk) => {
          size += chunk.length;
          if (size > limit) fail(tooLarge(coded, limit, detail));
          else chunks.push(chunk);
        });
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete) fail(Object.assign(new Error(`The connection closed before the whole answer from ${url.host} arrived.`), { code: "ECONNRESET" }));
        });
        res.on("end", () => settle(resolve, { status: res.statusCode, headers: responseHeaders(res.rawHeaders), body: joinChunks(chunks, size) }));
      });
      req.end(request.body === undefined ? undefined : request.body);
    });
}

/**
 * The request's header pairs for Node, with what the platform fetch would add when absent:
 * GitHub's API refuses requests without a User-Agent, which undici sends and Node does not.
 */
function nodeHeaders(pairs) {
  const headers = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? [headers[key], value].flat() : value;
  }
  headers["user-agent"] ??= "forgelink";
  headers.accept ??= "*/*";
  return headers;
}

/** Response headers as the platform fetch lists them: lower-case names, repeats joined with ", " (Set-Cookie apart). */
function responseHeaders(raw) {
  const joined = new Map();
  const pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === "set-cookie") pairs.push([name, raw[i + 1]]);
    else joined.set(name, joined.has(name) ? `${joined.get(name)}, ${raw[i + 1]}` : raw[i + 1]);
  }
  return [...joined, ...pairs];
}
