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
import {
  createNodeMiddleware,
  detectToken,
  fetchHost,
  Forgelink,
  webhookHandler,
  identifyWebhook,
  parseRepositoryList,
  parseWebhook,
  verifyWebhook,
  webhookAccess,
  ForgelinkError as FlowsError,
  init as initFlows,
  memoryStorage,
  needsRefresh,
  parseApiError,
  parseDeviceAuthorization,
  parseTokenResponse,
  prepareDeviceAuthorization,
  prepareDevicePoll,
  prepareRefresh,
  prepareRevoke,
  prepareTokenExchange,
  validateBaseUrl as validateWithFlows,
  githubAppInstallUrl,
  githubAppManifest,
  githubAppNeeds,
  githubAppPermissions,
  missingPermissions,
  nodeSigner,
  parseGitHubAppSetup,
  webCryptoSigner,
} from "forgelink/flows";
import type {
  Account,
  ApiError,
  Check,
  Connection,
  ConnectionReport,
  ConnectionStatus,
  ConnectFinishOptions,
  ConnectStart,
  ConnectStarted,
  DeviceAuthorization,
  DisconnectReport,
  FetchRequest,
  FetchResponse,
  ForgelinkHost,
  HostFetch,
  HostStorage,
  MemoryStorage,
  MemoryStorageOptions,
  StorageWriteOptions,
  HttpRequest,
  HttpResponse,
  OAuthClient,
  TokenInfo,
  TokenKind,
  TokenSet,
  LineDiagnostic,
  ProjectPage,
  Receipt,
  ReceiptStatus,
  RegistrationResult,
  RepositoryList,
  RoutedDelivery,
  SignatureScheme,
  VerifiedWebhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookEventKind,
  WebhookIdentity,
  WebhookStatus,
  WebhookAccess,
  AccessLevel,
  AppManifestForm,
  AppNeeds,
  AppPermission,
  AppSetup,
  AppWebhook,
  ConnectGitHubApp,
  DisconnectOptions,
  GitHubAppCredentials,
  HostSign,
  Installation,
  RegistrationStatus,
  SignRequest,
  TokenNarrowing,
  // The first slice's types come through the flows entry too.
  BaseUrlReport as FlowsBaseUrlReport,
} from "forgelink/flows";
// @ts-expect-error: the forgelink entry leaves the flows out.
import { Forgelink as NotInTheLightEntry } from "forgelink";
// @ts-expect-error: and the token functions.
import { parseTokenResponse as NorThis } from "forgelink";
// @ts-expect-error: and the webhook functions.
import { verifyWebhook as NorWebhooks } from "forgelink";

export async function entries(): Promise<string> {
  await initFlows();
  const report: FlowsBaseUrlReport = validateWithFlows("gitlab", "https://gitlab.com");
  const same: BaseUrlReport = report;
  try {
    detectToken("ghp_x");
  } catch (error) {
    // One class for both entries: an error from either narrows with either name.
    if (error instanceof FlowsError) {
      const light: ForgelinkError = error;
      return light.code;
    }
  }
  void NotInTheLightEntry;
  void NorThis;
  return String(same.ok);
}

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
  const publicOnly: string[] = check.publicRepositoriesOnly ?? [];
  const onPublic: string[] | undefined = catalog[0]?.impliesOnPublicRepositories;
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

export function tokens(client: OAuthClient, response: HttpResponse, now: number): string {
  const exchange: HttpRequest = prepareTokenExchange(client, "code", "verifier");
  const withoutPkce: HttpRequest = prepareTokenExchange(client, "code");
  const refresh: HttpRequest = prepareRefresh(client, "refresh-token");
  const revoke: HttpRequest = prepareRevoke(client, "token");
  const device: HttpRequest = prepareDeviceAuthorization(client, ["repo"]);
  const poll: HttpRequest = prepareDevicePoll(client, "device-code");
  const first: [string, string] | undefined = exchange.headers[0];
  const body: string | undefined = exchange.body;

  const set: TokenSet = parseTokenResponse("gitlab", response, now);
  const expires: number | undefined = set.expiresAt;
  const rotated: string | undefined = set.refreshToken;
  const due: boolean = needsRefresh(set, now, 60);
  const dueByExpiry: boolean = needsRefresh({ expiresAt: 100 }, now, 0);
  const authorization: DeviceAuthorization = parseDeviceAuthorization("github", { status: 200, headers: [["Content-Type", "application/json"]], body: new Uint8Array() }, now);
  const interval: number = authorization.interval;
  const info: TokenInfo = detectToken("glpat-x");
  const onInstance: TokenInfo = detectToken("acme-x", "acme-");
  const kind: TokenKind = info.kind;
  const from: ProviderId | null = info.provider;
  const failure: ApiError = parseApiError("bitbucket-cloud", response);
  const required: string[] = failure.requiredScopes;
  const retry: number | null = failure.retryAfter;
  const code: ErrorCode = failure.code;
  return [withoutPkce.url, refresh.method, revoke.url, device.url, poll.url, first, body, expires, rotated, due, dueByExpiry, interval, kind, from, required, retry, code].join();
}

export async function connect(encryptionKey: Uint8Array, callbackUrl: string): Promise<string> {
  const clock: MemoryStorageOptions = { now: () => Date.now() };
  const memory: MemoryStorage = memoryStorage(clock);
  const live: string[] = memory.keys();
  const held: number = memory.size;
  const storage: HostStorage = memory;
  const fetch: HostFetch = fetchHost({ timeoutMs: 5_000 });
  const onPremises: HostFetch = fetchHost({ allowPrivateNetworks: true, allowInsecureHttp: false, maxResponseBytes: 1 << 20 });
  const own: HostFetch = async (request: FetchRequest): Promise<FetchResponse> => {
    const bytes: Uint8Array | undefined = request.body;
    return { status: 200, headers: [["content-type", "application/json"]], body: bytes ?? new Uint8Array() };
  };
  const mapStorage: HostStorage = {
    get: async () => null,
    set: (_key: string, _value: Uint8Array, options?: StorageWriteOptions) => {
      const ttl: number | undefined = options?.ttlSeconds;
      void ttl;
    },
    delete: async () => {},
    compareAndSwap: (_key, expected) => expected === null,
  };
  // A storage written before time-to-live existed still fits: the options are optional to honour.
  const older: HostStorage = { get: () => null, set: (_key: string, _value: Uint8Array) => {}, delete: () => {}, compareAndSwap: () => false };
  const host: ForgelinkHost = { fetch, storage, encryptionKey, now: () => Date.now() };
  const forgelink = new Forgelink(host);
  const other = new Forgelink({ fetch: own, storage: mapStorage, encryptionKey });
  const local = new Forgelink({ fetch: onPremises, storage, encryptionKey });

  const request: ConnectStart = { provider: "gitlab", baseUrl: "https://git.example.com", clientId: "id", clientSecret: "secret", redirectUri: "https://app.example.com/cb", profile: "ci-failure-analysis", session: "cookie-value" };
  const started: ConnectStarted = await forgelink.connectStart(request);
  const finish: ConnectFinishOptions = { session: "cookie-value" };
  const connection: Connection = await forgelink.connectFinish(new URL(callbackUrl), finish);
  await other.connectFinish(callbackUrl);
  const account: Account = connection.account;
  const granted: string[] | null = connection.scopes.granted;
  const status: ConnectionStatus = connection.status;
  const report: ConnectionReport = await forgelink.testConnection(connection.id);
  const failing: Check | undefined = report.checks.find((c) => c.status === "fail");
  const guidance: Guidance | undefined = failing?.guidance;
  const token: string = await forgelink.accessToken(connection.id);
  const pat: Connection = await other.connectWithToken({ provider: "github", token: "ghp_x", profile: "deployments" });
  const done: DisconnectReport = await forgelink.disconnect(connection.id);
  const steps: string[] = done.manualSteps;
  const onPrem: Connection = await local.connectWithToken({ provider: "gitlab", baseUrl: "https://gitlab.internal.example", token: "glpat-x" });
  const rotated: Connection = await local.replaceCredentials(onPrem.id, { token: "glpat-y" });
  const again: ConnectStarted = await forgelink.connectStart({ ...request, connectionId: connection.id });
  return [started.url, account.username, granted, status, guidance?.title, token, pat.id, steps, onPrem.id, rotated.id, again.url, live, held, older].join();
}

export async function hostMisuse(key: Uint8Array): Promise<void> {
  // @ts-expect-error: the host needs storage.
  new Forgelink({ fetch: fetchHost(), encryptionKey: key });
  // @ts-expect-error: storage answers bytes, not text.
  new Forgelink({ fetch: fetchHost(), storage: { ...memoryStorage(), get: () => "text" }, encryptionKey: key });
  // @ts-expect-error: the clock is a function.
  new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey: key, now: 0 });
  // @ts-expect-error: the options are booleans.
  fetchHost({ allowPrivateNetworks: "yes" });
  // @ts-expect-error: the cap is a number of bytes.
  fetchHost({ maxResponseBytes: "10MB" });
  // @ts-expect-error: no such option.
  fetchHost({ followRedirects: true });
  const forgelink = new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey: key });
  // @ts-expect-error: accessToken resolves to the token itself.
  const set: TokenSet = await forgelink.accessToken("id");
  // @ts-expect-error: redirectUri is required to start an OAuth connection.
  await forgelink.connectStart({ provider: "gitlab", clientId: "id" });
  // @ts-expect-error: the new token goes in a request object.
  await forgelink.replaceCredentials("id", "glpat-y");
  // @ts-expect-error: the session binding is a string.
  await forgelink.connectFinish("https://app.example.com/cb?code=c&state=s", { session: 1 });
  // @ts-expect-error: the session goes in the options object.
  await forgelink.connectFinish("https://app.example.com/cb?code=c&state=s", "cookie-value");
  // @ts-expect-error: memoryStorage's clock is a function.
  memoryStorage({ now: 0 });
  // @ts-expect-error: the time-to-live is in seconds, a number.
  memoryStorage().set("k", new Uint8Array(), { ttlSeconds: "1h" });
  // @ts-expect-error: `now` is unix seconds, a number.
  parseTokenResponse("gitlab", { status: 200, headers: [], body: "" }, new Date());
  // @ts-expect-error: clients name their provider by id.
  prepareRefresh({ provider: "gitea", clientId: "id" }, "rt");
  void set;
}

export function webhooks(rawBody: Uint8Array, nodeHeaders: Record<string, string | string[] | undefined>, fetched: Headers): string {
  const identity: WebhookIdentity = identifyWebhook(nodeHeaders);
  const hook: string | null = identity.hookId;
  const verified: VerifiedWebhook = verifyWebhook({ headers: fetched, body: rawBody, secrets: ["new", "old"], toleranceSeconds: 600 });
  const scheme: SignatureScheme = verified.scheme;
  const which: number | null = verified.secretIndex;
  verifyWebhook({ headers: [["X-Hub-Signature-256", "sha256=00"]], body: "text", secrets: "one", now: 1_700_000_000, allowSha1: true, allowUnsigned: false });
  const delivery: WebhookDelivery = { headers: [["X-Gitlab-Event", "Job Hook"]], body: rawBody };
  const event: WebhookEvent = parseWebhook(delivery);
  const kind: WebhookEventKind = event.kind;
  const status: WebhookStatus | undefined = event.job?.status;
  const path: string | null | undefined = event.repository?.fullPath;
  const number: number | null | undefined = event.mergeRequest?.number;
  const list: RepositoryList = parseRepositoryList("group/app\nhttps://gitlab.com/group/sub/app", "https://gitlab.com");
  const first: LineDiagnostic | undefined = list.diagnostics[0];
  const line: number | undefined = first?.line;
  const code: ErrorCode | undefined = first?.code;
  const access: WebhookAccess | null = webhookAccess("gitlab", "developer");
  const allowed: boolean | undefined = access?.allowed;
  return [hook, scheme, which, kind, status, path, number, line, code, event.dedupeKey].join();
}

export async function projectsAndHooks(forgelink: Forgelink, id: string, received: WebhookDelivery, requestUrl: string): Promise<string> {
  const page: ProjectPage = await forgelink.discoverProjects(id, { search: "app" });
  const next: ProjectPage | undefined = page.nextCursor === null ? undefined : await forgelink.discoverProjects(id, { cursor: page.nextCursor });
  const role: string | null | undefined = page.projects[0]?.role;
  const results: RegistrationResult[] = await forgelink.registerWebhooks(id, { projects: page.projects.map((p) => p.path), url: "https://app.example/hooks", profile: "ci-failure-analysis" });
  const failed: ErrorCode | undefined = results.find((r) => r.status === "failed")?.code;
  const manual: string | undefined = results[0]?.manualSetup?.secret;
  const removed: RegistrationResult[] = await forgelink.unregisterWebhooks(id, { projects: ["group/app"] });
  await forgelink.unregisterWebhooks(id);
  const delivery: RoutedDelivery = { route: requestUrl, ...received };
  const receipt: Receipt = await forgelink.receiveWebhook(delivery, { dedupeSeconds: 86_400, allowUnsignedPing: false });
  await forgelink.receiveWebhook({ route: new URL(requestUrl), headers: received.headers, body: received.body });
  const accepted: ReceiptStatus = receipt.status;
  const act: WebhookEvent | undefined = receipt.status === "accepted" ? receipt.event : undefined;
  const owner: string | undefined = receipt.connectionId;
  const project: string | undefined = receipt.project;
  const retry: number | undefined = receipt.status === "pending" ? receipt.retryAfterSeconds : undefined;
  if (receipt.claim !== undefined) {
    const confirmed: boolean = await forgelink.confirmDelivery(receipt.claim);
    if (!confirmed) await forgelink.releaseDelivery(receipt.claim);
  }
  await forgelink.receiveWebhook(delivery, { handlingSeconds: 120 });
  const handler: (request: Request) => Promise<Response> = webhookHandler(forgelink, {
    onEvent: async (event: WebhookEvent, { connectionId }: Receipt) => [event.kind, connectionId],
    onError: (error, { stage }) => console.error(stage, error),
    maxBodyBytes: 1 << 20,
    receive: { handlingSeconds: 30 },
  });
  const response: Response = await handler(new Request(requestUrl, { method: "POST", body: "{}" }));
  const middleware = createNodeMiddleware(handler, { path: "/hooks" });
  // @ts-expect-error: onEvent is required.
  webhookHandler(forgelink, {});
  return [next?.projects.length, role, failed, manual, removed.length, accepted, act?.kind, receipt.code, owner, project, retry, response.status, typeof middleware].join();
}

export async function webhookMisuse(forgelink: Forgelink, body: Uint8Array): Promise<void> {
  // @ts-expect-error: header values are strings.
  identifyWebhook({ "X-GitHub-Event": 1 });
  // @ts-expect-error: the body is bytes or text, not parsed JSON.
  parseWebhook({ headers: [], body: { zen: "x" } });
  // @ts-expect-error: verifying needs the secrets.
  verifyWebhook({ headers: [], body });
  // @ts-expect-error: `now` is unix seconds, a number.
  verifyWebhook({ headers: [], body, secrets: [], now: new Date() });
  // @ts-expect-error: a receipt's status is one of three.
  const status: "ok" = (await forgelink.receiveWebhook({ route: "r", headers: [], body })).status;
  // @ts-expect-error: a delivery names the route it was sent to.
  await forgelink.receiveWebhook({ headers: [], body });
  // @ts-expect-error: registering needs a profile.
  await forgelink.registerWebhooks("id", { projects: [], url: "https://app.example/hooks" });
  // @ts-expect-error: projects is a list.
  await forgelink.unregisterWebhooks("id", { projects: "group/app" });
  void status;
}

export async function githubApps(forgelink: Forgelink, key: Uint8Array, pem: string, cryptoKey: CryptoKey): Promise<string> {
  const form: AppManifestForm = githubAppManifest({
    name: "Acme CI",
    url: "https://acme.example",
    redirectUrl: new URL("https://acme.example/github/created"),
    webhookUrl: "https://acme.example/hooks/github-app",
    requestOauthOnInstall: true,
    profile: "ci-failure-analysis",
    state: "s1",
  });
  const install: string = githubAppInstallUrl({ slug: "acme-ci", state: "s2" });
  const setup: AppSetup = parseGitHubAppSetup(new URL("https://acme.example/setup?installation_id=1&setup_action=install"));
  const action: "install" | "update" | "request" = setup.setupAction;
  const needs: AppNeeds = githubAppNeeds("ci-failure-analysis");
  const level: AccessLevel = needs.permissions[0]?.level ?? "read";
  const catalog: AppPermission[] = githubAppPermissions();
  const missing: string[] = missingPermissions({ actions: "read" }, needs);
  missingPermissions({ actions: "read" }, "ci-failure-analysis");
  missingPermissions({}, [{ permission: "actions", level: "read" }]);

  const sign: HostSign = nodeSigner({ "7": pem });
  const browser: HostSign = webCryptoSigner(cryptoKey);
  const signature: Uint8Array | Promise<Uint8Array> = browser({ algorithm: "RS256", appId: "7", data: new Uint8Array(0) });
  const custom: HostSign = async (request: SignRequest) => request.data;
  const apps = new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey: key, sign });
  new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey: key, sign: custom });

  const app: GitHubAppCredentials = await forgelink.createGitHubApp({ code: "c0de" });
  const request: ConnectGitHubApp = { appId: app.appId, installationId: "42", clientId: app.clientId, code: setup.code, clientSecret: app.clientSecret };
  const connection: Connection = await apps.connectGitHubApp(request);
  const installation: Installation | undefined = connection.installation;
  const narrowing: TokenNarrowing = { repositories: ["runner-images"], repositoryIds: [1], permissions: { contents: "read" } };
  const narrowed: string = await apps.installationToken(connection.id, narrowing);
  const hook: AppWebhook = await apps.registerGitHubApp({ appId: 7, url: new URL("https://acme.example/hooks") });
  const options: DisconnectOptions = { uninstall: true };
  const report: DisconnectReport = await apps.disconnect(connection.id, options);
  const uninstalled: boolean | undefined = report.uninstalled;
  const page: string | undefined = report.uninstallUrl;
  const covered: RegistrationStatus = "covered_by_app";
  const ignored: ReceiptStatus = "ignored";
  const code: ErrorCode = "host.sign_failed";

  // @ts-expect-error: a signer answers bytes, not base64 text.
  new Forgelink({ fetch: fetchHost(), storage: memoryStorage(), encryptionKey: key, sign: () => "c2ln" });
  // @ts-expect-error: the installation is required.
  await apps.connectGitHubApp({ appId: 7 });
  // @ts-expect-error: levels are read, write or admin.
  await apps.installationToken(connection.id, { permissions: { contents: "owner" } });
  // @ts-expect-error: uninstall is a boolean.
  await apps.disconnect(connection.id, { uninstall: "yes" });
  // @ts-expect-error: the manifest needs a state.
  githubAppManifest({ name: "x", url: "https://x.example", redirectUrl: "https://x.example/c", profile: "ci-failure-analysis" });
  // @ts-expect-error: the signer's algorithm is RS256.
  void browser({ algorithm: "HS256", appId: "7", data: new Uint8Array(0) });

  return [form.action, install, action, level, catalog.length, missing, signature, installation?.account.login, narrowed, hook.route, uninstalled, page, covered, ignored, code].join();
}
