// What both entries of the package share: the error class, the loading of a module (synchronous
// in Node, init() in browsers), the argument checks, and the first slice's functions. Each entry
// binds this to its own wasm-bindgen glue: index.js to the small module without the token
// functions and the flows, flows.js to the one with everything. Sharing the code, rather than
// copying it, keeps the two entries' behaviour and their ForgelinkError one and the same.
//
// Every wrapper checks its arguments (or, through callWith, leaves that to serde in the module),
// calls one Rust export that answers with a JSON envelope (the flows: a promise of one), and
// either returns the value or throws a ForgelinkError. The rules themselves live in the Rust
// core; nothing here decides what a URL, a scope, a token or a callback means.

// `crypto.getRandomValues` costs Node about a microsecond a call whatever the length, a fifth of
// an `authorizationUrl`: bytes for ENTROPY_POOL_CALLS calls are drawn at once and handed out in
// order, each slice zeroed once used, as Node's own `randomUUID` keeps a cache. Unused bytes wait
// in this module's pool only; a failing source throws before any of them is used.
const ENTROPY_POOL_CALLS = 64;
let entropyPool = new Uint8Array(0);
let entropyOffset = 0;

/** `length` fresh random bytes, a view into the pool that the caller zeroes after use. */
function drawEntropy(length) {
  if (entropyOffset + length > entropyPool.length) {
    const pool = new Uint8Array(length * ENTROPY_POOL_CALLS);
    globalThis.crypto.getRandomValues(pool);
    entropyPool = pool;
    entropyOffset = 0;
  }
  const bytes = entropyPool.subarray(entropyOffset, entropyOffset + length);
  entropyOffset += length;
  return bytes;
}

/** The only code this package makes up: every other code comes from the core's catalog. */
const INIT_REQUIRED = "init.required";

/**
 * An error from forgelink: a stable `code`, a message for a person, the provider's own words
 * when it gave any, and the guidance that explains how to fix it. Both entries throw and export
 * this one class.
 */
export class ForgelinkError extends Error {
  /**
   * @param {{ code: string, message: string, guidance: object, providerDetail?: string, retryAfter?: number }} body
   * @param {ErrorOptions} [options]
   */
  constructor(body, options) {
    super(body.message, options);
    this.name = "ForgelinkError";
    this.code = body.code;
    this.guidance = body.guidance;
    if (typeof body.providerDetail === "string") {
      this.providerDetail = body.providerDetail;
    }
    if (typeof body.retryAfter === "number") {
      this.retryAfter = body.retryAfter;
    }
  }
}

export function describeCause(cause) {
  return cause instanceof Error ? cause.message : String(cause);
}

function copyGuidance(guidance) {
  return { ...guidance, steps: [...guidance.steps] };
}

/** What is wrong with a value JSON would not carry as it is, or undefined. */
function unfaithful(value) {
  switch (typeof value) {
    case "function":
    case "symbol":
    case "bigint":
      return `cannot be a ${typeof value}`;
    case "number":
      return Number.isFinite(value) ? undefined : `must be a finite number, got ${value}`;
    case "object":
      return value instanceof String || value instanceof Number || value instanceof Boolean
        ? `must be a ${typeof value.valueOf()}, not an object wrapping one`
        : undefined;
    default:
      return undefined;
  }
}

/** The path (`client.scopes[1]`) of `holder[key]`, from the holders `callWith` noted. */
function pathOf(parents, holder, key) {
  let path = "";
  while (parents.has(holder)) {
    path = Array.isArray(holder) ? `[${key}]${path}` : `.${key}${path}`;
    [holder, key] = parents.get(holder);
  }
  return path.slice(1);
}

export function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The first slice's functions over one glue module, and the helpers an entry that adds to them
 * needs. `wasmUrl` is where the entry's module is; `wasmFile` and `entryFile` name it and the
 * entry in the guidance for a module that cannot be loaded.
 */
export function bind(initGlue, glue, wasmUrl, wasmFile, entryFile) {
  const INIT_GUIDANCE = Object.freeze({
    code: INIT_REQUIRED,
    title: "forgelink is not loaded yet",
    summary:
      "In a browser, forgelink's WebAssembly module is fetched by init(); its functions can be called once that promise has resolved.",
    steps: Object.freeze([
      "Call `await init()` once, before the first call to any other forgelink function.",
      `Make sure ${wasmFile} is served next to ${entryFile}, with the content type application/wasm.`,
      "If a bundler's dependency pre-bundling moved the module away from the wasm (the fetch answers 404), exclude forgelink from it (Vite: optimizeDeps.exclude).",
      "If a Content-Security-Policy is set, allow 'wasm-unsafe-eval' in script-src.",
    ]),
  });

  let ready = false;
  let loading;

  // Node (20.16 and later) reads the module synchronously at import time, so that server code
  // and tests never need init(). `process.getBuiltinModule` reaches node:fs without a static
  // `node:` import, which browsers and bundlers would refuse.
  if (typeof globalThis.process?.getBuiltinModule === "function" && wasmUrl.protocol === "file:") {
    const fs = globalThis.process.getBuiltinModule("node:fs");
    glue.initSync({ module: fs.readFileSync(wasmUrl) });
    ready = true;
  }

  /**
   * Loads the WebAssembly module where it is not loaded yet (browsers). Resolves at once where
   * it is (Node). Safe to call any number of times.
   *
   * @param {URL | string | Request | Response | BufferSource | WebAssembly.Module} [source]
   * @returns {Promise<void>}
   */
  function init(source) {
    if (ready) {
      return Promise.resolve();
    }
    loading ??= initGlue({ module_or_path: source ?? wasmUrl }).then(
      () => {
        ready = true;
      },
      (cause) => {
        loading = undefined;
        throw new ForgelinkError(
          {
            code: INIT_REQUIRED,
            message: `forgelink could not load its WebAssembly module: ${describeCause(cause)}`,
            providerDetail: describeCause(cause),
            guidance: copyGuidance(INIT_GUIDANCE),
          },
          { cause },
        );
      },
    );
    return loading;
  }

  function requireReady() {
    if (!ready) {
      throw new ForgelinkError({
        code: INIT_REQUIRED,
        message: "Call `await init()` before using forgelink in a browser.",
        guidance: copyGuidance(INIT_GUIDANCE),
      });
    }
  }

  function unwrap(json) {
    const envelope = JSON.parse(json);
    if (envelope.error !== undefined) {
      throw new ForgelinkError(envelope.error);
    }
    return envelope.ok;
  }

  function invalid(message) {
    return new ForgelinkError(JSON.parse(glue.invalid_input(message)).error);
  }

  /**
   * `value` as JSON for serde to read in the module, which refuses unknown fields and names the
   * field at fault. What JSON would change without a word (a function or a symbol dropped, a
   * boxed string unboxed, NaN made null) or cannot write (a BigInt) is refused here, by its
   * path under `name` (the parameter it was passed as; none for an object of all of them).
   */
  function faithfulJson(value, name) {
    // Each object's holder and key, from which the path of a fault is made: only for a fault,
    // since making every path would cost each call more than the rest of the crossing.
    const parents = new Map();
    try {
      return JSON.stringify(value ?? null, function faithful(key, item) {
        const fault = unfaithful(item);
        if (fault !== undefined) {
          const path = [name, pathOf(parents, this, key)].filter(Boolean).join(".");
          throw invalid(`\`${path}\` ${fault}.`);
        }
        if (typeof item === "object" && item !== null) parents.set(item, [this, key]);
        return item;
      });
    } catch (cause) {
      if (cause instanceof ForgelinkError) throw cause;
      // Throwing getters, proxies and cycles end up here.
      throw invalid(`${name ? `\`${name}\`` : "The arguments"} cannot be read: ${describeCause(cause)}`);
    }
  }

  /**
   * Calls an export that takes its arguments as one JSON object, the parameters by name (and a
   * body as bytes, where one crosses); see `faithfulJson`.
   */
  function callWith(exported, input, body) {
    requireReady();
    const json = faithfulJson(input);
    return unwrap(body === undefined ? exported(json) : exported(json, body));
  }

  function string(name, value) {
    if (typeof value !== "string") {
      throw invalid(`\`${name}\` must be a string, got ${describe(value)}.`);
    }
    return value;
  }

  function optionalString(name, value) {
    return value === undefined || value === null ? undefined : string(name, value);
  }

  /** A GitLab group id: a string of digits (the core checks them) or a whole number. */
  function groupId(name, value) {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : optionalString(name, value);
  }

  function stringArray(name, value) {
    if (!Array.isArray(value)) {
      throw invalid(`\`${name}\` must be an array of strings, got ${describe(value)}.`);
    }
    const out = [];
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== "string") {
        throw invalid(`\`${name}[${i}]\` must be a string, got ${describe(value[i])}.`);
      }
      out.push(value[i]);
    }
    return out;
  }

  /** Checks and normalises the address a person typed for a provider's instance. */
  function validateBaseUrl(provider, input) {
    requireReady();
    return unwrap(glue.validate_base_url(string("provider", provider), string("input", input)));
  }

  /** Every URL forgelink's flows call for a deployment: the provider's cloud without a base URL. */
  function endpoints(provider, baseUrl) {
    requireReady();
    return unwrap(glue.endpoints(string("provider", provider), optionalString("baseUrl", baseUrl)));
  }

  /** Where a person registers an OAuth application and creates an access token: `endpoints(...).settingsPages`. */
  function settingsPages(provider, baseUrl) {
    return endpoints(provider, baseUrl).settingsPages;
  }

  /** Whether `requested` will be accepted where `registered` is the application's redirect URI. */
  function validateRedirectUri(provider, registered, requested) {
    requireReady();
    return unwrap(
      glue.validate_redirect_uri(
        string("provider", provider),
        string("registered", registered),
        string("requested", requested),
      ),
    );
  }

  /** Every scope of a provider, with its meaning and the scopes it implies. */
  function scopeCatalog(provider) {
    requireReady();
    return unwrap(glue.scope_catalog(string("provider", provider)));
  }

  /** Whether the granted scopes cover the required ones, counting implied scopes. */
  function checkScopes(provider, granted, required) {
    requireReady();
    let grantedList;
    if (Array.isArray(granted)) {
      // The core reads the provider's own spelling; a space separates scopes in every provider's.
      grantedList = stringArray("granted", granted).join(" ");
    } else if (typeof granted === "string") {
      grantedList = granted;
    } else {
      throw invalid(`\`granted\` must be a string or an array of strings, got ${describe(granted)}.`);
    }
    const requiredList = stringArray("required", required);
    return unwrap(glue.check_scopes(string("provider", provider), grantedList, requiredList));
  }

  /** The use-case presets: per provider, the scopes, minimum role and webhook events needed. */
  function profiles() {
    requireReady();
    return unwrap(glue.profiles());
  }

  const REQUEST_FIELDS = new Set(["provider", "baseUrl", "clientId", "redirectUri", "scopes", "profile", "pkce", "rootNamespaceId"]);

  /** Builds the URL to send a person to, with a fresh state and (where supported) PKCE. */
  function authorizationUrl(request) {
    requireReady();
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      throw invalid(`\`request\` must be an object, got ${describe(request)}.`);
    }
    let fields;
    try {
      fields = { ...request };
    } catch (cause) {
      // Proxies and throwing getters end up here.
      throw invalid(`\`request\` cannot be read: ${describeCause(cause)}`);
    }
    for (const name of Object.keys(fields)) {
      if (!REQUEST_FIELDS.has(name)) {
        throw invalid(`\`request.${name}\` is not a field of an authorization request.`);
      }
    }
    const provider = string("request.provider", fields.provider);
    const baseUrl = optionalString("request.baseUrl", fields.baseUrl);
    const clientId = string("request.clientId", fields.clientId);
    const redirectUri = string("request.redirectUri", fields.redirectUri);
    const scopes =
      fields.scopes === undefined || fields.scopes === null
        ? undefined
        : stringArray("request.scopes", fields.scopes);
    const profile = optionalString("request.profile", fields.profile);
    const pkce = fields.pkce ?? undefined;
    if (pkce !== undefined && typeof pkce !== "boolean") {
      throw invalid(`\`request.pkce\` must be a boolean, got ${describe(pkce)}.`);
    }
    const rootNamespaceId = groupId("request.rootNamespaceId", fields.rootNamespaceId);
    const entropy = drawEntropy(glue.entropy_len());
    let answer;
    try {
      answer = glue.authorization_url(provider, baseUrl, clientId, redirectUri, scopes, profile, pkce, rootNamespaceId, entropy);
    } finally {
      // The module has its copy; the state and verifier made from it stay nowhere else.
      entropy.fill(0);
    }
    // Three lines (URL, state, verifier) rather than an envelope, which only an error is.
    if (answer.startsWith("{")) return unwrap(answer);
    const [url, state, codeVerifier] = answer.split("\n");
    return codeVerifier === "" ? { url, state } : { url, state, codeVerifier };
  }

  /** Reads the callback URL, checks its state, and returns the code or throws the provider's error. */
  function parseCallback(callbackUrl, expectedState) {
    requireReady();
    const url = callbackUrl instanceof URL ? callbackUrl.href : string("callbackUrl", callbackUrl);
    return unwrap(glue.parse_callback(url, string("expectedState", expectedState)));
  }

  /** The guidance for a code: what it means and the steps to fix it, for a provider if given. */
  function troubleshoot(code, provider) {
    requireReady();
    const text = string("code", code);
    const providerId = optionalString("provider", provider);
    if (text === INIT_REQUIRED && !coreCodes().includes(INIT_REQUIRED)) {
      if (providerId !== undefined) {
        // An unknown provider is rejected here as for every other code.
        unwrap(glue.scope_catalog(providerId));
      }
      return copyGuidance(INIT_GUIDANCE);
    }
    return unwrap(glue.troubleshoot(text, providerId));
  }

  let codes;

  function coreCodes() {
    codes ??= unwrap(glue.error_codes());
    return codes;
  }

  /** Every error and diagnostic code forgelink can produce. */
  function errorCodes() {
    requireReady();
    const list = [...coreCodes()];
    if (!list.includes(INIT_REQUIRED)) {
      list.push(INIT_REQUIRED);
    }
    return list;
  }

  return {
    api: {
      init,
      validateBaseUrl,
      endpoints,
      settingsPages,
      validateRedirectUri,
      scopeCatalog,
      checkScopes,
      profiles,
      authorizationUrl,
      parseCallback,
      troubleshoot,
      errorCodes,
    },
    requireReady,
    unwrap,
    invalid,
    faithfulJson,
    callWith,
    string,
    optionalString,
    groupId,
    stringArray,
  };
}
