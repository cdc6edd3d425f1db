import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, cryptoRandom, type RandomSource, systemClock } from "./core/clock.ts";
import { type Lifetimes, resolveLifetimes } from "./core/lifetimes.ts";
import type { Approver } from "./core/transitions.ts";
import type { ApprovalPageOptions } from "./http/approval-page.ts";
import type { DeviceFlowOptions } from "./http/device-authorization.ts";
import { HEARTBEAT } from "./http/event-stream.ts";
import { geoIpFromFile, type LocateIp, locateNowhere } from "./http/geoip.ts";
import type { IncomingRequest } from "./http/incoming.ts";
import { fromNodeRequest, writeNodeResponse } from "./http/node.ts";
import type { EventSink } from "./http/outgoing.ts";
import { type RouteContext, route } from "./http/routes.ts";
import type { IssueSession } from "./http/session.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { fromWebRequest, toWebResponse } from "./http/web.ts";
import { type LoginEvent, LoginFlows, type RelayPolicy } from "./service/login-flows.ts";
import { type Limits, RateLimiter, resolveLimits } from "./service/rate-limits.ts";
import { LocalNotifier } from "./store/local-notifier.ts";
import type { LoginStore, Notifier } from "./store/login-store.ts";

/** Where qrlogin reports what the operator should know. Secrets are never passed to it. */
export interface Logger {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Options of {@link createQrLogin}. Only the store and the two hooks are required. */
export interface QrLoginOptions {
  /** Where requests live: `SqliteStore` for one server, or a shared store for several. */
  store: LoginStore;
  /** Carries changes to the instance holding the desktop's stream. Default: in-process (one instance). */
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
   * Finds the account a push request names (`{ userId, displayName? }`, or `null`). Push approval
   * with number matching is enabled by giving it.
   */
  findUser?: (login: string) => Promise<Approver | null> | Approver | null;
  /** Rate limits and lockouts; see {@link Limits} for the defaults. */
  limits?: Partial<Limits>;
  /** When the phone and the desktop are on different networks: `allow`, `warn` (default), `require-number`, `refuse`. */
  relayPolicy?: RelayPolicy;
  /** How long "This wasn't me" on a push blocks further pushes to that account from that network, in ms. Default 1 h. */
  notMeBlockMs?: number;
  /** Per-IP limits count an IPv6 caller by its first this many bits (its network). Default 64. */
  ipv6PrefixBits?: number;
  /**
   * How long `issueSession` may take, in ms; past it the redemption is given back and the desktop may
   * try again (`SESSION_FAILED`). Must be shorter than `lifetimes.redemptionLease`. Default 10 s.
   */
  hookTimeoutMs?: number;
  /**
   * Make the desktop confirm whose account it is entering with one click ("Continue as a•••@…")
   * before it is signed in: the answer to login CSRF, where an attacker's phone claims the victim's
   * screen to sign it in to the attacker's account. Default false (the element still names the account).
   */
  confirmAccount?: boolean;
  /** A MaxMind-format City/Country database file for the card's location line, or a lookup function. Default none. */
  geoip?: string | LocateIp;
  /**
   * Turns on RFC 8628 (`POST /oauth/device_authorization`, the device-code grant at `POST /oauth/token`)
   * for CLIs and TVs; `issueSession` must then return `body.access_token` for `grant: "device_code"`.
   * Default off.
   */
  deviceFlow?: DeviceFlowOptions;
  /** Sees every transition (created, scanned, approved, denied, redeemed, cancelled): audit and metrics. */
  onEvent?: (event: LoginEvent) => void | Promise<void>;
  /**
   * The phone approval page served at `basePath + "/a"` (where QR codes point): where it sends a
   * phone that is not signed in, and the site's name. `false` when the host serves its own. Default `{}`.
   */
  approvalPage?: ApprovalPageOptions | false;
  /** Where the API is served. Default `/qrlogin`. */
  basePath?: string;
  /**
   * The site's public origin, e.g. `https://example.com`: QR URLs point here, the phone's card names
   * it, and state-changing calls must come from it. Required when `NODE_ENV` is `production`;
   * elsewhere the default is the origin each request was sent to (a warning is logged once).
   */
  origin?: string;
  /** More origins allowed to make state-changing calls (e.g. a separate app origin). Default none. */
  extraOrigins?: string[];
  /** Lifetimes in ms; see {@link Lifetimes} for the defaults (20 s tokens, 2 min requests…). */
  lifetimes?: Partial<Lifetimes>;
  /** Reverse proxies to trust for `X-Forwarded-*` on the node binding. Default 0. */
  trustProxy?: number;
  /** `Secure` cookies: `"auto"` (default) when the request came over HTTPS. */
  secureCookies?: boolean | "auto";
  /** Largest accepted body in bytes. Default 8192. */
  maxBodyBytes?: number;
  /** Longest long-poll wait in ms. Default 30 s. */
  maxWaitMs?: number;
  /** Event streams and waiting long-polls open at once per login request on this instance; more get 429. Default 3. */
  maxStreamsPerRequest?: number;
  /**
   * Event streams and waiting long-polls (the approver's included) open at once per client address
   * on this instance, IPv6 counted per /64; more get 429. Default 50.
   */
  maxStreamsPerIp?: number;
  /** `/approver/events` streams open at once per signed-in user on this instance; more get 429. Default 5. */
  maxStreamsPerApprover?: number;
  /** Heartbeat comment interval on event streams, in ms. Default 15 s. */
  heartbeatMs?: number;
  /** The reconnection delay the browser is told, in ms. Default 2 s. */
  retryMs?: number;
  /** How often finished requests older than `lifetimes.retention` are purged, in ms; 0 turns it off. Default 10 min. */
  purgeEveryMs?: number;
  /** Default: `console`. */
  logger?: Logger;
  /** Injected for tests. Default: the wall clock. */
  clock?: Clock;
  /** Injected for tests. Default: `crypto.randomBytes`. */
  random?: RandomSource;
}

/** What {@link createQrLogin} returns. */
export interface QrLogin {
  /**
   * Web-standard handler (Next.js, Hono, Bun, Deno): answers 404 outside the base path. Pass the
   * client's address as `info.ip`: without it, calls that need it (creating, scanning) are refused.
   */
  handler(request: Request, info?: { ip?: string }): Promise<Response>;
  /**
   * `node:http` handler, also Express/Connect middleware: requests outside the base path go to `next`
   * (or get a 404 without it).
   */
  nodeHandler(req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** The protocol's flows, for hosts that drive them without HTTP (tests, push integrations). */
  flows: LoginFlows;
  /** Ends open event streams and timers, then closes the store and notifier. */
  close(): Promise<void>;
}

/** How many ticks one heartbeat interval is spread over. */
const HEARTBEAT_SLICES = 16;

function normalizeBasePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, "")}`;
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(trimmed)) throw new TypeError(`qrlogin: invalid basePath ${JSON.stringify(path)}`);
  return trimmed === "/" ? "" : trimmed;
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
  const logger = options.logger ?? { warn: (m) => console.warn(m), error: (m, e) => console.error(m, e) };
  const notifier = options.notifier ?? new LocalNotifier();
  const basePath = normalizeBasePath(options.basePath ?? "/qrlogin");
  if (options.origin === undefined && process.env.NODE_ENV === "production") {
    throw new TypeError(
      "qrlogin: set `origin` to the site's public origin (e.g. origin: \"https://example.com\"): in production, QR URLs and the phone's card must not name whatever Host a client sends",
    );
  }
  const origin = options.origin === undefined ? null : normalizeOrigin(options.origin);
  const relayPolicy = options.relayPolicy ?? "warn";
  if (!["allow", "warn", "require-number", "refuse"].includes(relayPolicy)) {
    throw new TypeError(`qrlogin: relayPolicy must be allow, warn, require-number or refuse, got ${relayPolicy}`);
  }
  const onError = (error: unknown) => logger.error("qrlogin: unexpected error", error);
  const lifetimes = resolveLifetimes(options.lifetimes);
  const hookTimeoutMs = options.hookTimeoutMs ?? 10_000;
  if (!(hookTimeoutMs > 0) || hookTimeoutMs >= lifetimes.redemptionLease) {
    throw new TypeError("qrlogin: hookTimeoutMs must be positive and shorter than lifetimes.redemptionLease");
  }
  const ipv6PrefixBits = options.ipv6PrefixBits ?? 64;
  if (!Number.isSafeInteger(ipv6PrefixBits) || ipv6PrefixBits < 16 || ipv6PrefixBits > 128) {
    throw new TypeError(`qrlogin: ipv6PrefixBits must be a whole number from 16 to 128, got ${ipv6PrefixBits}`);
  }
  const flows = new LoginFlows({
    store: options.store,
    notifier,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
    lifetimes,
    limiter: new RateLimiter(options.store, resolveLimits(options.limits)),
    relayPolicy,
    notMeBlockMs: options.notMeBlockMs ?? 3_600_000,
    ipv6PrefixBits,
    hookTimeoutMs,
    findUser: options.findUser,
    onEvent: options.onEvent,
    onHookError: (error) => logger.error(`qrlogin: ${(error as Error)?.message ?? "a hook failed"}`, error),
  });
  let warnedOrigin = false;
  let warnedIp = false;
  const heartbeats = new Set<EventSink>();
  const shared: Omit<RouteContext, "qrUrl"> = {
    flows,
    notifier,
    heartbeats,
    onError,
    basePath,
    maxBodyBytes: options.maxBodyBytes ?? 8192,
    maxWaitMs: options.maxWaitMs ?? 30_000,
    retryMs: options.retryMs ?? 2_000,
    secureCookies: options.secureCookies ?? "auto",
    allowedOrigins: origin ? [origin, ...(options.extraOrigins ?? []).map(normalizeOrigin)] : null,
    approvalPage: options.approvalPage ?? {},
    authenticateApprover: options.authenticateApprover,
    issueSession: options.issueSession,
    deviceFlow: options.deviceFlow ?? null,
    streams: new StreamSlots({
      perRequest: options.maxStreamsPerRequest ?? 3,
      perIp: options.maxStreamsPerIp ?? 50,
      perApprover: options.maxStreamsPerApprover ?? 5,
    }),
    locate: typeof options.geoip === "string" ? geoIpFromFile(options.geoip) : (options.geoip ?? locateNowhere),
    confirmAccount: options.confirmAccount ?? false,
  };
  const contextFor = (incoming: IncomingRequest): RouteContext => {
    if (!origin && !warnedOrigin) {
      warnedOrigin = true;
      logger.warn("qrlogin: no `origin` configured; QR URLs use the Host of each request. Set it in production.");
    }
    const base = `${origin ?? incoming.url.origin}${basePath}/a#t=`;
    return { ...shared, qrUrl: (token) => base + token };
  };

  // Each stream gets its heartbeat in one fixed slice of the interval, a slice per tick: writing to
  // every stream in one tick stalled the event loop (bench: ~80 ms at 10,000 streams, now ~3 ms a
  // tick), and with it any approval that arrived then.
  const slots = new WeakMap<EventSink, number>();
  let nextSlot = 0;
  let slice = 0;
  const heartbeat = setInterval(
    () => {
      for (const sink of heartbeats) {
        let slot = slots.get(sink);
        if (slot === undefined) {
          slot = nextSlot++ % HEARTBEAT_SLICES;
          slots.set(sink, slot);
        }
        if (slot === slice) sink.write(HEARTBEAT);
      }
      slice = (slice + 1) % HEARTBEAT_SLICES;
    },
    (options.heartbeatMs ?? 15_000) / HEARTBEAT_SLICES,
  );
  heartbeat.unref();
  const purgeEvery = options.purgeEveryMs ?? 600_000;
  const purger =
    purgeEvery > 0
      ? setInterval(() => flows.purge().catch((error) => logger.error("qrlogin: purge failed", error)), purgeEvery)
      : undefined;
  purger?.unref();

  return {
    flows,
    async handler(request, info) {
      if (!info?.ip && !warnedIp) {
        warnedIp = true;
        logger.warn(
          "qrlogin: handler called without info.ip; calls that need the caller's address are refused (ADDRESS_REQUIRED).",
        );
      }
      const incoming = fromWebRequest(request, info?.ip);
      const outgoing = await route(contextFor(incoming), incoming);
      if (!outgoing)
        return Response.json({ error: "NOT_FOUND", error_description: "No such endpoint." }, { status: 404 });
      return toWebResponse(outgoing, request.signal, onError);
    },
    nodeHandler(req, res, next) {
      const incoming = fromNodeRequest(req, res, { trustProxy: options.trustProxy ?? 0 });
      route(contextFor(incoming), incoming).then(
        (outgoing) => {
          if (outgoing) return writeNodeResponse(res, outgoing, onError);
          if (next) return next();
          res.writeHead(404, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "NOT_FOUND", error_description: "No such endpoint." }));
        },
        (error) => {
          // route() answers every error itself; reaching here is a bug, but must not crash the server.
          onError(error);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        },
      );
    },
    async close() {
      clearInterval(heartbeat);
      clearInterval(purger);
      for (const sink of heartbeats) sink.close();
      heartbeats.clear();
      await notifier.close();
      await options.store.close();
    },
  };
}
