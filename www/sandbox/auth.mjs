// Who is calling a provider API: an access token issued by that provider's OAuth server, or a
// personal (project, HTTP) access token made on the control page. Each provider module turns
// the outcome into its own 401 shape.

import { randomBytes } from "node:crypto";

/**
 * Bitbucket Cloud's API tokens go as HTTP Basic with the Atlassian account's email (the
 * account's username is refused, as Atlassian documents): the token, or `undefined` when the
 * header is not Basic, or `null` when it is but the email is not the account's.
 */
function basicToken(state, header) {
  const encoded = header.match(/^Basic\s+(\S+)$/i)?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const [email, token] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return email.toLowerCase() === state.account.email.toLowerCase() && token ? token : null;
}

/** Reads the bearer token (GitLab's PRIVATE-TOKEN, Bitbucket Cloud's Basic) and looks it up. */
export function createAuthenticator(state, oauths) {
  return async function authenticate(provider, req) {
    const header = req.headers.authorization ?? "";
    const basic = provider === "bitbucket-cloud" ? basicToken(state, header) : undefined;
    if (basic === null) return { error: "invalid", basic: true };
    const value = basic ?? header.match(/^Bearer\s+(\S+)$/i)?.[1] ?? (provider === "gitlab" ? req.headers["private-token"] : undefined);
    if (!value) return { error: "missing" };
    // Basic carries API tokens only: an OAuth access token is always a bearer.
    if (basic !== undefined) {
      const outcome = state.tokens.has(value) ? await lookUp(provider, value) : { error: "invalid" };
      return { ...outcome, basic: true };
    }
    return lookUp(provider, value);
  };

  async function lookUp(provider, value) {
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
  }
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
