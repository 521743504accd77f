// The `forgelink` entry: the pure functions of the first slice (base URLs, endpoints, redirect
// URIs, scopes, profiles, authorization URLs, callbacks, guidance) over a module built without
// the token functions and the flows, so that a page that only checks what a person typed
// downloads a fraction of the whole. `forgelink/flows` (flows.js) has everything.
// The wasm-bindgen glue in ./glue stays private; common.js holds the code both entries share.

import initGlue, * as glue from "./glue/forgelink.js";
import { bind, ForgelinkError } from "./common.js";

// Written here, in the entry, so that bundlers see the asset next to the module that loads it.
const WASM_URL = new URL("./forgelink_bg.wasm", import.meta.url);

const { api } = bind(initGlue, glue, WASM_URL, "forgelink_bg.wasm", "index.js");

export { ForgelinkError };
export const {
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
} = api;
