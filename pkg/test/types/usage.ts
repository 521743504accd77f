// Compiled by types.test.mjs with `tsc --noEmit --strict`: the public API as a TypeScript user
// writes it. Each `@ts-expect-error` is a misuse the declarations must reject.
import {
  authorizationUrl,
  checkScopes,
  endpoints,
  errorCodes,
  ForgelinkError,
  init,
  parseCallback,
  profiles,
  scopeCatalog,
  troubleshoot,
  validateBaseUrl,
  validateRedirectUri,
} from "forgelink";
import type {
  AuthorizationRequest,
  AuthorizationUrl,
  BaseUrlReport,
  Callback,
  Diagnostic,
  Endpoints,
  ErrorCode,
  Guidance,
  Profile,
  ProviderId,
  ScopeCheck,
  ScopeInfo,
  ScopeSource,
} from "forgelink";

export async function wizard(provider: ProviderId, typed: string): Promise<string> {
  await init();

  const report: BaseUrlReport = validateBaseUrl(provider, typed);
  const notes: string[] = report.diagnostics.map((d: Diagnostic) => `${d.severity}: ${d.code} ${d.suggestion ?? ""}`);
  if (!report.ok) {
    const nothing: null = report.baseUrl;
    return `${nothing}${notes.join("\n")}`;
  }
  // Narrowed on ok: the URL is a string.
  const base: string = report.baseUrl;
  const api: string = report.apiBase;
  const where: "cloud" | "self-hosted" = report.deployment;

  const e: Endpoints = endpoints(provider, base);
  const revoke: string | null = e.revoke;
  const source: ScopeSource = e.grantedScopes;
  let scopesFrom: string;
  switch (source.source) {
    case "header":
      scopesFrom = `${source.header} on ${source.url}`;
      break;
    case "endpoint":
      scopesFrom = `${source.field} of ${source.url}`;
      break;
    case "token-response":
      scopesFrom = source.field;
      break;
  }

  const redirect: Diagnostic[] = validateRedirectUri(provider, "https://app.example.com/cb", "https://app.example.com/cb/");
  const catalog: ScopeInfo[] = scopeCatalog(provider);
  const check: ScopeCheck = checkScopes(provider, "repo,read:org", ["repo:status"]);
  const fromList: ScopeCheck = checkScopes(provider, ["api"] as const, ["read_api"]);
  const presets: Profile[] = profiles();
  const firstNeeds = presets[0]?.providers.find((n) => n.provider === provider);
  const mode: "request" | "consumer-permissions" | undefined = firstNeeds?.scopeMode;

  const request: AuthorizationRequest = { provider, baseUrl: base, clientId: "id", redirectUri: "https://app.example.com/cb", profile: "deployments" };
  const auth: AuthorizationUrl = authorizationUrl(request);
  const verifier: string | undefined = auth.codeVerifier;
  const callback: Callback = parseCallback(new URL(`https://app.example.com/cb?code=c&state=${auth.state}`), auth.state);
  const iss: string | undefined = callback.iss;

  const codes: ErrorCode[] = errorCodes();
  const guidance: Guidance = troubleshoot(codes[0] ?? "http.forbidden", provider);
  const docs: string | undefined = guidance.docsUrl;

  try {
    parseCallback("https://app.example.com/cb?state=x", "y");
  } catch (error) {
    if (error instanceof ForgelinkError) {
      const code: ErrorCode = error.code;
      const steps: string[] = error.guidance.steps;
      const detail: string | undefined = error.providerDetail;
      const asError: Error = error;
      return [code, steps.join(), detail, asError.message].join();
    }
  }
  return [api, where, revoke, scopesFrom, redirect.length, catalog.length, check.satisfied, fromList.missing, mode, verifier, iss, docs].join();
}

export function misuse(): void {
  // @ts-expect-error: providers are named by their ids.
  validateBaseUrl("gitea", "https://x.example");
  // @ts-expect-error: the input is a string.
  validateBaseUrl("gitlab", 42);
  // @ts-expect-error: clientId is required.
  authorizationUrl({ provider: "gitlab", redirectUri: "https://app.example.com/cb" });
  // @ts-expect-error: there is no such field.
  authorizationUrl({ provider: "gitlab", clientId: "id", redirectUri: "https://app.example.com/cb", client_secret: "s" });
  // @ts-expect-error: profiles are named by their ids.
  authorizationUrl({ provider: "gitlab", clientId: "id", redirectUri: "https://app.example.com/cb", profile: "everything" });
  // @ts-expect-error: required scopes are a list.
  checkScopes("gitlab", "api", "read_api");
  const report = validateBaseUrl("gitlab", "https://gitlab.com");
  // @ts-expect-error: without narrowing on ok, the base URL may be null.
  const base: string = report.baseUrl;
  // @ts-expect-error: codes are the catalogued ones.
  const code: ErrorCode = "base_url.whatever";
  void base;
  void code;
}
