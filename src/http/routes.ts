import { QrLoginError } from "../core/errors.ts";
import type { LoginRequest } from "../core/login-request.ts";
import { describeRequester, sameNetwork } from "../core/requester-context.ts";
import type { Approver } from "../core/transitions.ts";
import { formatUserCode } from "../core/user-code.ts";
import { type ApprovalPageOptions, serveApprovalPage } from "./approval-page.ts";
import { bodies, readBody } from "./bodies.ts";
import { EVENT_STREAM_HEADERS } from "./event-stream.ts";
import { type IncomingRequest, serializeCookie } from "./incoming.ts";
import { json, type Outgoing, toErrorOutgoing } from "./outgoing.ts";
import { openRequestEvents, pollRequest, type RequestEventsContext } from "./request-events.ts";

/** What the host returns from `issueSession`: cookies to set and/or a body (e.g. a token) for the desktop. */
export interface IssuedSession {
  /** `Set-Cookie` values, e.g. the host's session cookie. */
  setCookie?: string | string[];
  /** Merged into the redeem answer as `session`. */
  body?: Record<string, unknown>;
}

/** Everything the route table needs; made by `createQrLogin`. */
export interface RouteContext extends RequestEventsContext {
  basePath: string;
  maxBodyBytes: number;
  maxWaitMs: number;
  /** Origins allowed to make state-changing calls; `null` means "the origin the request was sent to". */
  allowedOrigins: readonly string[] | null;
  secureCookies: boolean | "auto";
  /** The phone approval page at `basePath + "/a"`, or `false` when the host serves its own. */
  approvalPage: ApprovalPageOptions | false;
  authenticateApprover(incoming: IncomingRequest): Promise<Approver | null> | Approver | null;
  issueSession(input: {
    userId: string;
    request: LoginRequest;
    http: IncomingRequest;
  }): Promise<IssuedSession> | IssuedSession;
}

type Handler = (ctx: RouteContext, incoming: IncomingRequest, id: string) => Promise<Outgoing>;

const ID = /^[A-Za-z0-9_-]{22}$/;
const COOKIE = "qrlogin";
const SECURE_COOKIE = "__Secure-qrlogin";

/** The route table: method, path under the base path (`:id` marks the request id), handler. */
const ROUTES: readonly (readonly [string, string, Handler, { changesState: boolean }])[] = [
  ["POST", "/requests", createRequest, { changesState: true }],
  ["GET", "/requests/:id", getRequest, { changesState: false }],
  ["GET", "/requests/:id/events", requestEvents, { changesState: false }],
  ["POST", "/requests/:id/redeem", redeem, { changesState: true }],
  ["DELETE", "/requests/:id", cancel, { changesState: true }],
  ["POST", "/scan", scan, { changesState: true }],
  ["POST", "/requests/:id/approve", approve, { changesState: true }],
  ["POST", "/requests/:id/deny", deny, { changesState: true }],
];

/**
 * Answers one request to the API, or `null` if its path is not under the base path (so a
 * binding can hand it on). Never throws: every failure becomes a JSON error answer.
 */
export async function route(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing | null> {
  const path = incoming.url.pathname;
  if (path !== ctx.basePath && !path.startsWith(`${ctx.basePath}/`)) return null;
  const rest = path.slice(ctx.basePath.length);
  try {
    const page = await serveApprovalPage(ctx, incoming, rest);
    if (page) return page;
    let pathMatched = false;
    for (const [method, pattern, handler, { changesState }] of ROUTES) {
      const id = match(pattern, rest);
      if (id === null) continue;
      pathMatched = true;
      if (method !== incoming.method) continue;
      if (changesState) checkOrigin(ctx, incoming);
      if (pattern.includes(":id") && !ID.test(id))
        throw new QrLoginError("REQUEST_NOT_FOUND", "No such login request.");
      return await handler(ctx, incoming, id);
    }
    if (pathMatched) throw new QrLoginError("METHOD_NOT_ALLOWED", `${incoming.method} is not allowed here.`);
    throw new QrLoginError("NOT_FOUND", "No such endpoint.");
  } catch (error) {
    if (!(error instanceof QrLoginError)) ctx.onError(error);
    return toErrorOutgoing(error);
  }
}

/** The id a path matches `pattern` with ("" for patterns without one), or `null`. */
function match(pattern: string, path: string): string | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  let id = "";
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ":id") id = got[i] ?? "";
    else if (want[i] !== got[i]) return null;
  }
  return id;
}

/** CSRF defence: a state-changing call from a page of another site is refused (DESIGN §5). */
function checkOrigin(ctx: RouteContext, incoming: IncomingRequest): void {
  if (incoming.header("sec-fetch-site") === "cross-site") {
    throw new QrLoginError("BAD_ORIGIN", "Requests from other sites are not allowed.");
  }
  const origin = incoming.header("origin");
  if (origin === undefined) return; // not sent by a browser page: no ambient-credential risk from another site
  const allowed = ctx.allowedOrigins ?? [incoming.url.origin];
  if (!allowed.includes(origin))
    throw new QrLoginError("BAD_ORIGIN", `Requests from ${origin.slice(0, 100)} are not allowed.`);
}

function secureCookie(ctx: RouteContext, incoming: IncomingRequest): boolean {
  return ctx.secureCookies === "auto" ? incoming.url.protocol === "https:" : ctx.secureCookies;
}

/** The browser secret: `Authorization: Bearer …` from non-browser clients, else the request's cookie. */
function browserSecretOf(incoming: IncomingRequest): string | undefined {
  const authorization = incoming.header("authorization");
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim();
  return incoming.cookie(SECURE_COOKIE) ?? incoming.cookie(COOKIE);
}

/** The cookie is scoped to the request's own path, so each tab's request keeps its own secret. */
function browserSecretCookie(
  ctx: RouteContext,
  incoming: IncomingRequest,
  id: string,
  secret: string,
  maxAgeMs: number,
) {
  const secure = secureCookie(ctx, incoming);
  return serializeCookie(secure ? SECURE_COOKIE : COOKIE, secret, {
    path: `${ctx.basePath}/requests/${id}`,
    maxAge: maxAgeMs / 1000,
    secure,
  });
}

async function authenticateApprover(ctx: RouteContext, incoming: IncomingRequest): Promise<Approver> {
  const approver = await ctx.authenticateApprover(incoming);
  if (!approver || typeof approver.userId !== "string" || approver.userId === "") {
    throw new QrLoginError("APPROVER_UNAUTHENTICATED", "Sign in on this phone first.");
  }
  return approver;
}

async function createRequest(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing> {
  const body = await readBody(incoming, bodies.createRequest, ctx.maxBodyBytes);
  const requester = describeRequester({
    userAgent: incoming.header("user-agent"),
    ip: incoming.ip,
    origin: incoming.header("origin"),
  });
  const { request, browserSecret, scanToken, userCode } = await ctx.flows.create({ requester });
  const { pending, decision, redemption } = ctx.flows.lifetimes;
  const answer: Record<string, unknown> = {
    id: request.id,
    qr: { url: ctx.qrUrl(scanToken), expiresAt: request.scanTokenIssuedAt + ctx.flows.lifetimes.scanToken },
    userCode: formatUserCode(userCode),
    expiresAt: request.expiresAt,
  };
  if (body.secretInBody) answer.browserSecret = browserSecret;
  const cookie = browserSecretCookie(ctx, incoming, request.id, browserSecret, pending + decision + redemption);
  return json(201, answer, { "set-cookie": cookie });
}

async function getRequest(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  await ctx.flows.authenticateBrowser(id, browserSecretOf(incoming));
  const params = incoming.url.searchParams;
  const wait = params.has("wait") ? Number(params.get("wait")) : 0;
  const version = params.has("version") ? Number(params.get("version")) : null;
  if (!Number.isFinite(wait) || wait < 0 || (version !== null && !Number.isSafeInteger(version))) {
    throw new QrLoginError("invalid_request", "wait must be a number of seconds and version a whole number.");
  }
  const waitMs = Math.min(wait * 1000, ctx.maxWaitMs);
  return json(200, await pollRequest(ctx, id, version, waitMs, incoming.signal));
}

async function requestEvents(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  await ctx.flows.authenticateBrowser(id, browserSecretOf(incoming));
  const last = Number(incoming.header("last-event-id") ?? Number.NaN);
  const lastEventId = Number.isSafeInteger(last) && last > 0 ? last : null;
  return { status: 200, headers: EVENT_STREAM_HEADERS, stream: openRequestEvents(ctx, id, lastEventId) };
}

async function redeem(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  await readBody(incoming, bodies.empty, ctx.maxBodyBytes);
  const request = await ctx.flows.redeem(id, browserSecretOf(incoming));
  // The request is consumed before the session exists: if the hook fails, nobody is signed in
  // and the approval cannot be replayed; the user simply scans again.
  let session: IssuedSession;
  try {
    session = await ctx.issueSession({ userId: request.approverId as string, request, http: incoming });
  } catch (error) {
    ctx.onError(error);
    throw new QrLoginError("SESSION_FAILED", "The sign-in was approved but the session could not be started.");
  }
  const headers: Record<string, string | string[]> = {};
  const cookies = [browserSecretCookie(ctx, incoming, id, "", 0)];
  if (session.setCookie) cookies.push(...[session.setCookie].flat());
  headers["set-cookie"] = cookies;
  return json(200, { id, status: request.state, userId: request.approverId, session: session.body ?? {} }, headers);
}

async function cancel(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const request = await ctx.flows.cancel(id, browserSecretOf(incoming));
  return json(200, { id, status: request.state }, { "set-cookie": browserSecretCookie(ctx, incoming, id, "", 0) });
}

async function scan(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.scan, ctx.maxBodyBytes);
  const request =
    "token" in body
      ? await ctx.flows.scanToken(body.token, approver)
      : await ctx.flows.scanUserCode(body.userCode, approver);
  const now = ctx.flows.now();
  const { requester } = request;
  return json(200, {
    id: request.id,
    status: request.state,
    expiresAt: request.expiresAt,
    requester: {
      browser: requester.browser,
      os: requester.os,
      device: requester.device,
      claimedByBrowser: true,
      ip: requester.ip,
      location: null,
      sameNetwork: sameNetwork(requester.ip, incoming.ip ?? null),
      origin: requester.origin,
      createdAt: request.createdAt,
      ageSeconds: Math.max(0, Math.round((now - request.createdAt) / 1000)),
    },
  });
}

async function approve(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.approve, ctx.maxBodyBytes);
  const request = await ctx.flows.approve(id, approver, body.number);
  return json(200, { id, status: request.state });
}

async function deny(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.deny, ctx.maxBodyBytes);
  const request = await ctx.flows.deny(id, approver, body.reason ?? null);
  return json(200, { id, status: request.state });
}
