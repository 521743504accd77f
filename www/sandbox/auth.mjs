// Who is calling a provider API: an access token issued by that provider's OAuth server, or a
// personal (project, HTTP) access token made on the control page. Each provider module turns
// the outcome into its own 401 shape.

import { randomBytes } from "node:crypto";

/** Reads the bearer token (or GitLab's PRIVATE-TOKEN) and looks it up. */
export function createAuthenticator(state, oauths) {
  return async function authenticate(provider, req) {
    const header = req.headers.authorization ?? "";
    const value = header.match(/^Bearer\s+(\S+)$/i)?.[1] ?? (provider === "gitlab" ? req.headers["private-token"] : undefined);
    if (!value) return { error: "missing" };
    const expiredBySwitch = state.on("expiredToken", provider) && state.expired.has(value);
    const personal = state.tokens.get(value);
    if (personal) {
      if (personal.provider !== provider || personal.revoked) return { error: "invalid" };
      if (expiredBySwitch || (personal.expiresAt && Date.parse(personal.expiresAt) <= Date.now())) return { error: "expired", personal };
      return { kind: "personal", value, personal, scopes: state.effectiveScopes(provider, personal.scopes), role: personal.role };
    }
    const token = await oauths[provider].findAccessToken(value);
    if (!token) return { error: "invalid" };
    if (token.isExpired || expiredBySwitch) return { error: "expired", token };
    return { kind: "oauth", value, token, clientId: token.clientId, scopes: state.effectiveScopes(provider, [...token.scopes]) };
  };
}

/** Personal access tokens the way each provider prints them (forgelink detects the prefix). */
export function newTokenValue(provider) {
  const random = (n) => randomBytes(n).toString("base64url").replace(/[-_]/g, "x").slice(0, n);
  switch (provider) {
    case "gitlab":
      return `glpat-${random(20)}`;
    case "github":
      return `ghp_${random(36)}`;
    case "bitbucket-cloud":
      return `ATCTT3xFfGN0${random(40)}`;
    case "bitbucket-data-center":
      return `BBDC-${random(44)}`;
    default:
      throw new Error(`unknown provider ${provider}`);
  }
}
