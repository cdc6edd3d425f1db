import { type Clock, cryptoRandom, type RandomSource, systemClock } from "./core/clock.ts";
import { type Lifetimes, resolveLifetimes } from "./core/lifetimes.ts";
import { scanKeys } from "./core/scan-token.ts";
import type { Approver } from "./core/transitions.ts";
import { DEFAULTS } from "./defaults.ts";
import type { ApprovalPageOptions } from "./http/approval-page.ts";
import { normalizeBasePath } from "./http/base-path.ts";
import { type DeviceFlowOptions, resolveDeviceFlow } from "./http/device-authorization.ts";
import { geoIpFromFile, type LocateIp, locateNowhere } from "./http/geoip.ts";
import { Heartbeats } from "./http/heartbeats.ts";
import type { IncomingRequest } from "./http/incoming.ts";
import { type NodeHandler, nodeHandler } from "./http/node.ts";
import { openFileLimit, streamCapacity } from "./http/open-files.ts";
import type { RouteEntry } from "./http/outgoing.ts";
import { type RouteContext, route } from "./http/routes.ts";
import type { IssueSession } from "./http/session.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { webHandler } from "./http/web.ts";
import { CountedRateLimiter } from "./observability/counted-limits.ts";
import { CountedStreamSlots } from "./observability/counted-streams.ts";
import { type Logger, lineLogger, structured } from "./observability/logging.ts";
import { MeasuredStore } from "./observability/measured-store.ts";
import { Metrics, type MetricsPage, type MetricsRegistry } from "./observability/metrics.ts";
import { reportOverLimit, reportStep } from "./observability/reports.ts";
import { type LoginEvent, LoginFlows, type RelayPolicy } from "./service/login-flows.ts";
import { type ApprovalOptions, PasskeyCheck } from "./service/passkey-check.ts";
import { type Limits, resolveLimits } from "./service/rate-limits.ts";
import { LocalNotifier } from "./store/local-notifier.ts";
import type { LoginStore, Notifier } from "./store/login-store.ts";

export type { Logger } from "./observability/logging.ts";

/**
 * Options of {@link createQrLogin}. Only the store and the two hooks are required; every number and
 * word a default stands for is in {@link DEFAULTS}.
 */
export interface QrLoginOptions {
  /** Where requests live: `SqliteStore` for one server, `RedisStore` or `PostgresStore` shared by several. */
  store: LoginStore;
  /**
   * Carries changes to the instance holding the desktop's stream: `RedisNotifier` or
   * `PostgresNotifier` when several instances share a store.
   * @defaultValue in-process (one instance)
   */
  notifier?: Notifier;
  /**
   * The phone's user, from the host's own sign-in (session cookie, bearer token…), or `null` when
   * not signed in. Approver endpoints answer 401 without one.
   */
  authenticateApprover(request: IncomingRequest): Promise<Approver | null> | Approver | null;
  /**
   * Signs the desktop in once its approval is redeemed: set the host's session cookie and/or return
   * a token. Called at most once per request.
   */
  issueSession: IssueSession;
  /**
   * Turns on push approval with number matching: finds the account a push request names
   * (`{ userId, displayName? }`, or `null`).
   * @defaultValue none (push off)
   */
  findUser?: (login: string) => Promise<Approver | null> | Approver | null;
  /**
   * When the phone and the desktop are on different networks: `allow`, `warn`, `require-number`, `refuse` or `passkey`.
   * `passkey` (which needs `approval.credentials`) lets no phone approve from afar: the desktop signs in with
   * the phone's passkey instead, over the platform's cross-device flow, which works only near the phone.
   * @defaultValue {@link DEFAULTS}.relayPolicy
   */
  relayPolicy?: RelayPolicy;
  /**
   * How long "This wasn't me" on a push blocks further pushes to that account from that network, in ms.
   * @defaultValue {@link DEFAULTS}.notMeBlockMs
   */
  notMeBlockMs?: number;
  /**
   * Per-IP limits count an IPv6 caller by its first this many bits (its network).
   * @defaultValue {@link DEFAULTS}.ipv6PrefixBits
   */
  ipv6PrefixBits?: number;
  /**
   * How long `issueSession` may take, in ms; past it the redemption is given back and the desktop may
   * try again (`SESSION_FAILED`). Must be shorter than `lifetimes.redemptionLease`.
   * @defaultValue {@link DEFAULTS}.hookTimeoutMs
   */
  hookTimeoutMs?: number;
  /**
   * Make the desktop confirm whose account it is entering with one click ("Continue as a•••@…")
   * before it is signed in. This answers login CSRF, where an attacker's phone claims the victim's
   * screen to sign it in to the attacker's account; without it, the element still names the account.
   * @defaultValue {@link DEFAULTS}.confirmAccount
   */
  confirmAccount?: boolean;
  /**
   * Passkeys as proof of presence: the phone approves with its passkey, or the desktop signs in with it.
   * The desktop's passkey sign-in goes over the platform's cross-device flow, which needs the phone near.
   * @defaultValue {@link DEFAULTS}.approval
   */
  approval?: ApprovalOptions;
  /**
   * A MaxMind-format City/Country database file for the card's location line, or a lookup function.
   * @defaultValue none
   */
  geoip?: string | LocateIp;
  /**
   * Turns on RFC 8628 for CLIs and TVs: `POST /oauth/device_authorization`, the device-code grant at
   * `POST /oauth/token`, and RFC 8414 discovery. `issueSession` must then return `body.access_token`
   * for `grant: "device_code"`.
   * @defaultValue off
   */
  deviceFlow?: DeviceFlowOptions;
  /**
   * Sees every transition (created, scanned, approved, denied, redeemed, cancelled): audit and metrics.
   * @defaultValue none
   */
  onEvent?: (event: LoginEvent) => void | Promise<void>;
  /**
   * The phone approval page served at `basePath + "/a"` (where QR codes point): where it sends a
   * phone that is not signed in, and the site's name. `false` when the host serves its own.
   * @defaultValue served
   */
  approvalPage?: ApprovalPageOptions | false;
  /**
   * Where the API is served.
   * @defaultValue {@link DEFAULTS}.basePath
   */
  basePath?: string;
  /**
   * The site's public origin, e.g. `https://example.com`: QR URLs point here, the phone's card names
   * it, and state-changing calls must come from it. Required when `NODE_ENV` is `production`;
   * elsewhere each request's own origin stands in (a warning is logged once).
   * @defaultValue each request's own
   */
  origin?: string;
  /**
   * The deployment's secret: every QR's scan token is derived from it (nothing about the token is
   * stored), so every instance needs the same one. A random string of 32+ characters
   * (`npx qrlogin secret` makes one); a list accepts QRs made with any of them and makes new ones with
   * the first, to change it without cutting off QRs on screen. Read from `QRLOGIN_SECRET` when not
   * given; required when `NODE_ENV` is `production`; elsewhere each process makes up its own.
   * @defaultValue `QRLOGIN_SECRET`, else random per process
   */
  secret?: string | readonly string[];
  /**
   * More origins allowed to make state-changing calls (e.g. a separate app origin).
   * @defaultValue none
   */
  extraOrigins?: string[];
  /**
   * How long each secret and state lives, in ms.
   * @defaultValue {@link DEFAULTS}.lifetimes
   */
  lifetimes?: Partial<Lifetimes>;
  /**
   * Rate limits and lockouts, counted in the store.
   * @defaultValue {@link DEFAULTS}.limits
   */
  limits?: Partial<Limits>;
  /**
   * Reverse proxies to trust for `X-Forwarded-For/-Proto/-Host` on the node binding, and for
   * `X-Forwarded-For` on the Web handler when it is not given `info.ip`.
   * @defaultValue {@link DEFAULTS}.trustProxy
   */
  trustProxy?: number;
  /**
   * `Secure` cookies (and the `__Host-` prefix): `"auto"` when the request came over HTTPS.
   * @defaultValue {@link DEFAULTS}.secureCookies
   */
  secureCookies?: boolean | "auto";
  /**
   * Largest accepted body in bytes; larger ones get 413.
   * @defaultValue {@link DEFAULTS}.maxBodyBytes
   */
  maxBodyBytes?: number;
  /**
   * Longest long-poll wait in ms.
   * @defaultValue {@link DEFAULTS}.maxWaitMs
   */
  maxWaitMs?: number;
  /**
   * Event streams and waiting long-polls open at once per login request on this instance; more get 429.
   * @defaultValue {@link DEFAULTS}.maxStreamsPerRequest
   */
  maxStreamsPerRequest?: number;
  /**
   * Event streams and waiting long-polls (the approver's included) open at once per client address
   * on this instance, IPv6 counted per /64; more get 429.
   * @defaultValue {@link DEFAULTS}.maxStreamsPerIp
   */
  maxStreamsPerIp?: number;
  /**
   * `/approver/events` streams open at once per signed-in user on this instance; more get 429.
   * @defaultValue {@link DEFAULTS}.maxStreamsPerApprover
   */
  maxStreamsPerApprover?: number;
  /**
   * Event streams and waiting long-polls open at once on this instance, all clients together; more get 429.
   * Each holds a socket, and a process out of open files fails every connection (a node:cluster
   * worker hangs them): a refused one is closed instead, so that the client comes back on another
   * connection, which node:cluster or a load balancer may give to another process.
   * @defaultValue open files less some room (Linux)
   */
  maxStreams?: number;
  /**
   * Heartbeat comment interval on event streams, in ms.
   * @defaultValue {@link DEFAULTS}.heartbeatMs
   */
  heartbeatMs?: number;
  /**
   * The reconnection delay the browser is told, in ms.
   * @defaultValue {@link DEFAULTS}.retryMs
   */
  retryMs?: number;
  /**
   * How often finished requests older than `lifetimes.retention` are purged, in ms; 0 turns it off.
   * @defaultValue {@link DEFAULTS}.purgeEveryMs
   */
  purgeEveryMs?: number;
  /**
   * How often each request a desktop is waiting on is checked for a change whose message was lost,
   * in ms: the most a lost message delays a desktop. Each process checks its own waiting desktops in
   * batches of up to 500, one query each.
   * @defaultValue {@link DEFAULTS}.watchSweepMs
   */
  watchSweepMs?: number;
  /**
   * Where qrlogin reports what the operator should know: pino, `lineLogger`, or `{ warn, error }`.
   * Each step of a request and each rate limit reached, hook and store failures; each line about a
   * request names its `requestId`, and none a secret. A pino instance fits as it is, as does any object
   * with pino's `info(fields, message)`, `warn`, `error` and `debug`; the earlier
   * `{ warn(message), error(message, error) }` is still accepted, and then hears of warnings and errors only.
   * @defaultValue stderr, warn and up
   */
  logger?: Logger;
  /**
   * Prometheus metrics through prom-client, an optional peer dependency: `true`, or a host's `Registry`.
   * With `true` they live in a registry of their own, read with `qr.metrics()`; given a prom-client
   * `Registry`, they are added to it. Off, prom-client is never loaded.
   * @defaultValue {@link DEFAULTS}.metrics
   */
  metrics?: boolean | MetricsRegistry;
  /**
   * Injected for tests.
   * @defaultValue the wall clock
   */
  clock?: Clock;
  /**
   * Injected for tests.
   * @defaultValue `crypto.randomBytes`
   */
  random?: RandomSource;
}

/** What {@link createQrLogin} returns. */
export interface QrLogin {
  /**
   * Web-standard handler (Next.js, Hono, Bun, Deno): answers 404 outside the base path. Pass the
   * client's address as `info.ip`, or set `trustProxy` to take it from `X-Forwarded-For`: without
   * either, calls that need it (creating, scanning) are refused.
   */
  handler(request: Request, info?: { ip?: string }): Promise<Response>;
  /**
   * `node:http` handler, also Express/Connect middleware: requests outside the base path go to `next`
   * (or get a 404 without it).
   */
  nodeHandler: NodeHandler;
  /**
   * The whole HTTP API as one function, for a binding of another server: the answer to `incoming`, or
   * `null` when its path is not under the base path. Never rejects; the two handlers above adapt it.
   */
  route: RouteEntry;
  /**
   * Where the API is served, normalised (`"/qrlogin"`; `""` at the root), for adapters that route
   * its paths to it; mounted under a router's prefix, it is served below that prefix.
   */
  readonly basePath: string;
  /** The protocol's flows, for hosts that drive them without HTTP (tests, push integrations). */
  flows: LoginFlows;
  /**
   * The Prometheus text of the `metrics` option's registry and its content type, for the host's own
   * `/metrics` page. Rejects when metrics are off or prom-client is not installed.
   */
  metrics(): Promise<MetricsPage>;
  /** Ends open event streams and timers, then closes the store and notifier. */
  close(): Promise<void>;
}

/**
 * Where qrlogin serves a request that a router mounted under `mountPath`: below the mount, or `null`
 * when the mount is nothing a base path may be (it would have to be escaped in every URL).
 */
function mountedBasePath(mountPath: string | undefined, basePath: string): string | null {
  if (!mountPath) return basePath;
  try {
    return normalizeBasePath(mountPath + basePath);
  } catch {
    return null;
  }
}

/** The secrets QR tokens are made with: the option, else `QRLOGIN_SECRET`, else (not in production) a random one. */
function deploymentSecrets(secret: string | readonly string[] | undefined, random: RandomSource): readonly string[] {
  const given = secret ?? process.env.QRLOGIN_SECRET;
  if (given !== undefined && given !== "") return typeof given === "string" ? [given] : given;
  if (process.env.NODE_ENV === "production") {
    throw new TypeError(
      "qrlogin: set `secret` (or QRLOGIN_SECRET) to a random string of 32+ characters, the same on every instance (`npx qrlogin secret` makes one): in production, QR codes must be readable by every instance and survive a restart",
    );
  }
  return [Buffer.from(random(32)).toString("base64url")];
}

function normalizeOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.origin === "null") throw new TypeError(`qrlogin: origin must be http(s)://host[:port], got ${origin}`);
  return url.origin;
}

/**
 * Creates a qrlogin instance: the HTTP API over a store, with the host's two hooks.
 * @example
 * const qr = createQrLogin({
 *   store: new SqliteStore({ filename: "./data/qrlogin.db" }),
 *   origin: "https://example.com",
 *   authenticateApprover: (req) => sessions.userOf(req.cookie("sid")),
 *   issueSession: ({ userId }) => ({ setCookie: sessions.start(userId) }),
 * });
 * http.createServer(qr.nodeHandler).listen(3000);
 */
export function createQrLogin(options: QrLoginOptions): QrLogin {
  const logger = structured(
    options.logger ?? lineLogger({ format: "text", level: "warn", write: (line) => process.stderr.write(line) }),
  );
  const notifier = options.notifier ?? new LocalNotifier();
  const basePath = normalizeBasePath(options.basePath ?? DEFAULTS.basePath);
  if (options.origin === undefined && process.env.NODE_ENV === "production") {
    throw new TypeError(
      "qrlogin: set `origin` to the site's public origin (e.g. origin: \"https://example.com\"): in production, QR URLs and the phone's card must not name whatever Host a client sends",
    );
  }
  const origin = options.origin === undefined ? null : normalizeOrigin(options.origin);
  const keys = scanKeys(deploymentSecrets(options.secret, options.random ?? cryptoRandom));
  const relayPolicy = options.relayPolicy ?? DEFAULTS.relayPolicy;
  if (!["allow", "warn", "require-number", "refuse", "passkey"].includes(relayPolicy)) {
    throw new TypeError(
      `qrlogin: relayPolicy must be allow, warn, require-number, refuse or passkey, got ${relayPolicy}`,
    );
  }
  const approval = options.approval ?? {};
  const userVerification = approval.userVerification ?? DEFAULTS.approval.userVerification;
  if (!["required", "preferred", "off"].includes(userVerification)) {
    throw new TypeError(
      `qrlogin: approval.userVerification must be required, preferred or off, got ${userVerification}`,
    );
  }
  if ((userVerification !== "off" || relayPolicy === "passkey") && !approval.credentials) {
    throw new TypeError(
      "qrlogin: passkey approval and relayPolicy passkey need approval.credentials, the approver's passkeys",
    );
  }
  const onError = (error: unknown) => logger.error({ err: error }, "qrlogin: unexpected error");
  const onHookError = (error: unknown, requestId?: string | null) =>
    logger.error(
      { err: error, ...(requestId ? { requestId } : {}) },
      `qrlogin: ${(error as Error)?.message ?? "a hook failed"}`,
    );
  const lifetimes = resolveLifetimes(options.lifetimes);
  const hookTimeoutMs = options.hookTimeoutMs ?? DEFAULTS.hookTimeoutMs;
  if (!(hookTimeoutMs > 0) || hookTimeoutMs >= lifetimes.redemptionLease) {
    throw new TypeError("qrlogin: hookTimeoutMs must be positive and shorter than lifetimes.redemptionLease");
  }
  const ipv6PrefixBits = options.ipv6PrefixBits ?? DEFAULTS.ipv6PrefixBits;
  if (!Number.isSafeInteger(ipv6PrefixBits) || ipv6PrefixBits < 16 || ipv6PrefixBits > 128) {
    throw new TypeError(`qrlogin: ipv6PrefixBits must be a whole number from 16 to 128, got ${ipv6PrefixBits}`);
  }
  const metricsOption = options.metrics ?? DEFAULTS.metrics;
  const metrics = metricsOption
    ? new Metrics(metricsOption === true ? undefined : metricsOption, (error) =>
        logger.error({ err: error }, "qrlogin: metrics could not be started"),
      )
    : null;
  // Only with metrics on is every store operation timed; the flows and the limits then share the timing.
  const store = metrics ? new MeasuredStore(options.store, metrics) : options.store;
  const flows = new LoginFlows({
    store,
    notifier,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
    lifetimes,
    keys,
    limiter: new CountedRateLimiter(store, resolveLimits(options.limits), reportOverLimit(logger, metrics)),
    relayPolicy,
    notMeBlockMs: options.notMeBlockMs ?? DEFAULTS.notMeBlockMs,
    ipv6PrefixBits,
    hookTimeoutMs,
    watchSweepMs: options.watchSweepMs ?? DEFAULTS.watchSweepMs,
    findUser: options.findUser,
    // A used challenge is remembered as long as any version of a request can live.
    passkeys: approval.credentials
      ? new PasskeyCheck(
          { ...approval, userVerification, credentials: approval.credentials },
          store,
          lifetimes.pending + lifetimes.decision,
          onHookError,
        )
      : undefined,
    onEvent: options.onEvent,
    onHookError,
    observe: reportStep(logger, metrics),
  });
  const trustProxy = options.trustProxy ?? DEFAULTS.trustProxy;
  const heartbeats = new Heartbeats(options.heartbeatMs ?? DEFAULTS.heartbeatMs);
  const streamLimits = {
    perRequest: options.maxStreamsPerRequest ?? DEFAULTS.maxStreamsPerRequest,
    perIp: options.maxStreamsPerIp ?? DEFAULTS.maxStreamsPerIp,
    perApprover: options.maxStreamsPerApprover ?? DEFAULTS.maxStreamsPerApprover,
    perInstance: options.maxStreams ?? streamCapacity(openFileLimit()),
  };
  const { approvalPage, deviceFlow } = options;
  const allowedOrigins = origin ? [origin, ...(options.extraOrigins ?? []).map(normalizeOrigin)] : null;
  const passkeyOrigins = approval.origins?.map(normalizeOrigin) ?? allowedOrigins;
  const shared: Omit<RouteContext, "qrUrl" | "siteOrigin"> = {
    flows,
    heartbeats,
    onError,
    basePath,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
    retryMs: options.retryMs ?? DEFAULTS.retryMs,
    secureCookies: options.secureCookies ?? DEFAULTS.secureCookies,
    allowedOrigins,
    approvalPage:
      approvalPage === false
        ? false
        : { ...approvalPage, signInUrl: approvalPage?.signInUrl ?? DEFAULTS.approvalPage.signInUrl },
    authenticateApprover: options.authenticateApprover,
    issueSession: options.issueSession,
    deviceFlow: deviceFlow ? resolveDeviceFlow(deviceFlow) : null,
    streams: metrics
      ? new CountedStreamSlots(streamLimits, (kind, change) => metrics.streams(kind, change))
      : new StreamSlots(streamLimits),
    locate: typeof options.geoip === "string" ? geoIpFromFile(options.geoip) : (options.geoip ?? locateNowhere),
    confirmAccount: options.confirmAccount ?? DEFAULTS.confirmAccount,
    passkeyApproval: userVerification,
    passkeySignIn: approval.credentials !== undefined,
    webAuthnSite: (incoming) => ({
      rpId: approval.rpId ?? new URL(origin ?? incoming.url.origin).hostname,
      origins: passkeyOrigins ?? [incoming.url.origin],
    }),
  };
  let warnedOrigin = false;
  // The context of the last base path and origin served, reused: an open stream keeps its context,
  // and one per request would cost each stream a copy. Only the last, since Host may be anything.
  let last: RouteContext | undefined;
  const routeEntry: RouteEntry = (incoming) => {
    if (!origin && !warnedOrigin) {
      warnedOrigin = true;
      logger.warn({}, "qrlogin: no `origin` configured; QR URLs use the Host of each request. Set it in production.");
    }
    const base = mountedBasePath(incoming.mountPath, basePath);
    // A prefix no URL of ours could carry is not ours to serve: the host's next handler answers.
    if (base === null) return Promise.resolve(null);
    const siteOrigin = origin ?? incoming.url.origin;
    if (last?.basePath !== base || last.siteOrigin !== siteOrigin) {
      const qrBase = `${siteOrigin}${base}/a#t=`;
      last = { ...shared, basePath: base, siteOrigin, qrUrl: (token) => qrBase + token };
    }
    return route(last, incoming);
  };

  const purgeEvery = options.purgeEveryMs ?? DEFAULTS.purgeEveryMs;
  const purger =
    purgeEvery > 0
      ? setInterval(
          () => flows.purge().catch((error) => logger.error({ err: error }, "qrlogin: purge failed")),
          purgeEvery,
        )
      : undefined;
  purger?.unref();

  return {
    basePath,
    flows,
    metrics: () =>
      metrics
        ? metrics.page()
        : Promise.reject(new Error("qrlogin: metrics are off; pass `metrics: true` to turn them on")),
    route: routeEntry,
    handler: webHandler(routeEntry, { trustProxy, warn: (message) => logger.warn({}, message) }),
    nodeHandler: nodeHandler(routeEntry, { trustProxy, onError, warn: (message) => logger.warn({}, message) }),
    async close() {
      clearInterval(purger);
      flows.close();
      heartbeats.close();
      await notifier.close();
      await options.store.close();
    },
  };
}
