import { parseBrowserKey } from "../core/browser-key.ts";
import { QrLoginError } from "../core/errors.ts";
import { describeRequester } from "../core/requester-context.ts";
import type { RequestTokens } from "../core/scan-token.ts";
import type { Approver } from "../core/transitions.ts";
import { formatUserCode } from "../core/user-code.ts";
import type { Caller, LoginFlows } from "../service/login-flows.ts";
import type { WebAuthnSite } from "../service/passkey-check.ts";
import type { Created, Decision, PasskeyChallenge, Redeemed, RequestCard, UserCodeShown } from "../wire.ts";
import { type ApprovalPageContext, serveApprovalPage } from "./approval-page.ts";
import { type ApproverEventsContext, openApproverEvents } from "./approver-events.ts";
import { bodies, readBody } from "./bodies.ts";
import {
  type DeviceFlow,
  type DeviceFlowContext,
  deviceAuthorization,
  deviceFlowMetadata,
  deviceToken,
} from "./device-authorization.ts";
import { EVENT_STREAM_HEADERS } from "./event-stream.ts";
import { ClientGone, type IncomingRequest, serializeCookie } from "./incoming.ts";
import { openApiDocument } from "./openapi.ts";
import { json, type Outgoing, sendableOutgoing, toErrorOutgoing } from "./outgoing.ts";
import { openRequestEvents, pollRequest, type RequestEventsContext } from "./request-events.ts";
import { requesterCard } from "./requester-card.ts";
import { issueSessionFor } from "./session.ts";
import { releasingWhenDone, type StreamSlots } from "./stream-slots.ts";

/** Everything the route table needs, its handlers' contexts together; made by `createQrLogin`. */
export interface RouteContext
  extends RequestEventsContext,
    ApproverEventsContext,
    ApprovalPageContext,
    DeviceFlowContext {
  flows: LoginFlows;
  maxWaitMs: number;
  /** Origins allowed to make state-changing calls; `null` means "the origin the request was sent to". */
  allowedOrigins: readonly string[] | null;
  secureCookies: boolean | "auto";
  /** RFC 8628 endpoints; off when `null`. */
  deviceFlow: DeviceFlow | null;
  /** The desktop confirms whose account it enters before it is signed in. */
  confirmAccount: boolean;
  /** The open event streams and long-polls of this instance, capped per request, approver and address. */
  streams: StreamSlots;
  /** The host gave its passkeys (`approval.credentials`): desktops may sign in with one. */
  passkeySignIn: boolean;
  /** The relying party passkey assertions must name, for a call that arrived as `incoming`. */
  webAuthnSite(incoming: IncomingRequest): WebAuthnSite;
}

type Handler = (ctx: RouteContext, incoming: IncomingRequest, id: string) => Promise<Outgoing>;

const ID = /^[A-Za-z0-9_-]{22}$/;
/**
 * The browser secret's cookie is named after its request, so each tab keeps its own. Over HTTPS it
 * carries the `__Host-` prefix: Secure, Path=/, no Domain — no sibling subdomain can set or shadow it.
 */
const cookieName = (id: string, secure: boolean) => `${secure ? "__Host-" : ""}qrlogin-${id}`;

/** The route table: method, path under the base path (`:id` marks the request id), handler. */
const ROUTES: readonly (readonly [string, string, Handler, { changesState: boolean }])[] = [
  ["POST", "/requests", createRequest, { changesState: true }],
  ["GET", "/requests/:id", getRequest, { changesState: false }],
  ["GET", "/requests/:id/events", requestEvents, { changesState: false }],
  ["POST", "/requests/:id/user-code", showUserCode, { changesState: true }],
  ["POST", "/requests/:id/redeem", redeem, { changesState: true }],
  ["DELETE", "/requests/:id", cancel, { changesState: true }],
  ["POST", "/scan", scan, { changesState: true }],
  ["POST", "/requests/:id/approve", approve, { changesState: true }],
  ["POST", "/requests/:id/deny", deny, { changesState: true }],
  ["GET", "/requests/:id/approval-options", approvalOptions, { changesState: false }],
  ["GET", "/requests/:id/passkey-options", passkeyOptions, { changesState: false }],
  ["POST", "/requests/:id/passkey", passkeySignIn, { changesState: true }],
  ["GET", "/approver/requests", approverRequests, { changesState: false }],
  ["GET", "/approver/events", approverEvents, { changesState: false }],
  // These answer in RFC 6749 words and are rate-limited like the rest. Devices send no Origin, so the
  // Origin check passes them, while it stops other sites' pages from spending their visitors' creation budget.
  ["POST", "/oauth/device_authorization", withDeviceFlow(deviceAuthorization), { changesState: true }],
  ["POST", "/oauth/token", withDeviceFlow(deviceToken), { changesState: false }],
  ["GET", "/openapi.json", describeApi, { changesState: false }],
];

/** The OpenAPI document of the table, by base path and whether the device flow and passkeys are on: built once each. */
const documents = new Map<string, object>();

async function describeApi(ctx: RouteContext): Promise<Outgoing> {
  const deviceFlow = ctx.deviceFlow !== null;
  const passkeys = ctx.passkeySignIn;
  const key = `${deviceFlow} ${passkeys} ${ctx.basePath}`;
  const document = documents.get(key) ?? openApiDocument(ROUTES, ctx.basePath, { deviceFlow, passkeys });
  documents.set(key, document);
  return json(200, document);
}

function withDeviceFlow(
  handler: (ctx: RouteContext, incoming: IncomingRequest, options: DeviceFlow) => Promise<Outgoing>,
): Handler {
  return async (ctx, incoming) => {
    if (!ctx.deviceFlow) throw new QrLoginError("NOT_FOUND", "The device flow is not enabled on this site.");
    return handler(ctx, incoming, ctx.deviceFlow);
  };
}

/**
 * Answers one request to the API, or `null` if its path is not under the base path (so a
 * binding can hand it on). Never throws: every failure becomes a JSON error answer, and an answer
 * whose headers could not be sent becomes a 500.
 */
export async function route(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing | null> {
  const path = incoming.url.pathname;
  // RFC 8414 metadata lives at the site's root as well as under the base path.
  const metadata = ctx.deviceFlow && deviceFlowMetadata(ctx, incoming);
  if (metadata) return metadata;
  if (path !== ctx.basePath && !path.startsWith(`${ctx.basePath}/`)) return null;
  return sendableOutgoing(await answer(ctx, incoming, path.slice(ctx.basePath.length)), ctx.onError);
}

/** The answer at `rest`, the path under the base path. */
async function answer(ctx: RouteContext, incoming: IncomingRequest, rest: string): Promise<Outgoing> {
  try {
    // Pages are GETs only: the API's POSTs (a creation above all) skip a turn of the microtask queue.
    const page = incoming.method === "GET" ? await serveApprovalPage(ctx, incoming, rest) : null;
    if (page) return page;
    let pathMatched = false;
    const parts = rest.split("/");
    for (let i = 0; i < ROUTES.length; i++) {
      const [method, pattern, handler, { changesState }] = ROUTES[i] as (typeof ROUTES)[number];
      const id = match(PATTERN_PARTS[i] as string[], parts);
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
    if (!(error instanceof QrLoginError || error instanceof ClientGone)) ctx.onError(error);
    return toErrorOutgoing(error);
  }
}

/** Each route's pattern cut at its slashes, once rather than on every request. */
const PATTERN_PARTS = ROUTES.map(([, pattern]) => pattern.split("/"));

/** The id a path cut at its slashes (`got`) matches a pattern's parts (`want`) with ("" for patterns without one), or `null`. */
function match(want: readonly string[], got: readonly string[]): string | null {
  if (want.length !== got.length) return null;
  let id = "";
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ":id") id = got[i] ?? "";
    else if (want[i] !== got[i]) return null;
  }
  return id;
}

/** CSRF defence: a state-changing call from a page of another site is refused. */
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
function browserSecretOf(incoming: IncomingRequest, id: string): string | undefined {
  const authorization = incoming.header("authorization");
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim();
  return incoming.cookie(cookieName(id, true)) ?? incoming.cookie(cookieName(id, false));
}

/** Sets (or, with an empty secret and no age, clears) the browser secret's cookie. */
function browserSecretCookie(
  ctx: RouteContext,
  incoming: IncomingRequest,
  id: string,
  secret: string,
  maxAgeMs: number,
) {
  const secure = secureCookie(ctx, incoming);
  return serializeCookie(cookieName(id, secure), secret, {
    path: "/",
    maxAge: maxAgeMs / 1000,
    secure,
  });
}

function callerOf(incoming: IncomingRequest): Caller {
  return { ip: incoming.ip ?? null };
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
  const publicKey = body.publicKey ? parseBrowserKey(body.publicKey) : null;
  const caller = callerOf(incoming);
  let created: Awaited<ReturnType<typeof ctx.flows.create>>;
  let answer: Created;
  if (body.mode === "push") {
    if (!body.login) throw new QrLoginError("invalid_request", "A push request needs the login of the account to ask.");
    created = await ctx.flows.createPush({ login: body.login, requester, publicKey }, caller);
    const { request } = created;
    answer = { id: request.id, mode: "push", comparison: request.comparison as number, expiresAt: request.expiresAt };
  } else if (body.mode === "passkey") {
    created = await ctx.flows.create({ requester, publicKey, mode: "passkey" }, caller);
    answer = { id: created.request.id, mode: "passkey", expiresAt: created.request.expiresAt };
  } else {
    created = await ctx.flows.create({ requester, publicKey }, caller);
    const { request } = created;
    const tokens = created.tokens as RequestTokens; // only a passkey request has none
    answer = {
      id: request.id,
      mode: "qr",
      qr: {
        base: ctx.qrUrl(tokens.front),
        key: tokens.key.toString("base64url"),
        periods: tokens.periods,
        everyMs: ctx.flows.lifetimes.scanToken,
      },
      expiresAt: request.expiresAt,
    };
    if (ctx.passkeySignIn) answer.passkeySignIn = true;
  }
  if (ctx.confirmAccount) answer.confirmAccount = true;
  if (body.secretInBody) answer.browserSecret = created.browserSecret;
  const { pending, decision, redemption } = ctx.flows.lifetimes;
  const cookie = browserSecretCookie(
    ctx,
    incoming,
    created.request.id,
    created.browserSecret,
    pending + decision + redemption,
  );
  return json(201, answer, { "set-cookie": cookie });
}

async function getRequest(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  await ctx.flows.authenticateBrowser(id, browserSecretOf(incoming, id));
  const params = incoming.url.searchParams;
  const wait = params.has("wait") ? Number(params.get("wait")) : 0;
  const version = params.has("version") ? Number(params.get("version")) : null;
  if (!Number.isFinite(wait) || wait < 0 || (version !== null && !Number.isSafeInteger(version))) {
    throw new QrLoginError("invalid_request", "wait must be a number of seconds and version a whole number.");
  }
  const waitMs = Math.min(wait * 1000, ctx.maxWaitMs);
  // A long-poll holds a connection like a stream does; an answer at once holds nothing.
  const release = waitMs > 0 ? ctx.streams.take(incoming, { request: id }) : () => {};
  try {
    return json(200, await pollRequest(ctx, id, version, waitMs, incoming.signal));
  } finally {
    release();
  }
}

async function requestEvents(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  await ctx.flows.authenticateBrowser(id, browserSecretOf(incoming, id));
  const last = Number(incoming.header("last-event-id") ?? Number.NaN);
  const lastEventId = Number.isSafeInteger(last) && last > 0 ? last : null;
  const release = ctx.streams.take(incoming, { request: id });
  const stream = releasingWhenDone(openRequestEvents(ctx, id, lastEventId), release);
  return { status: 200, headers: EVENT_STREAM_HEADERS, stream };
}

async function showUserCode(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const { userCode, validUntil } = await ctx.flows.showUserCode(id, browserSecretOf(incoming, id));
  const qr = ctx.qrUrl("");
  const shown: UserCodeShown = {
    userCode: formatUserCode(userCode),
    expiresInMs: validUntil - ctx.flows.now(),
    url: qr.slice(0, qr.indexOf("#")),
  };
  return json(200, shown);
}

async function redeem(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const body = await readBody(incoming, bodies.redeem, ctx.maxBodyBytes);
  const { request, session } = await ctx.flows.redeem(
    id,
    browserSecretOf(incoming, id),
    body.signature,
    callerOf(incoming),
    (leased) => issueSessionFor(ctx.issueSession, leased, incoming, "redeem"),
  );
  const headers: Record<string, string | string[]> = {};
  const cookies = [browserSecretCookie(ctx, incoming, id, "", 0)];
  if (session.setCookie) cookies.push(...[session.setCookie].flat());
  headers["set-cookie"] = cookies;
  const redeemed: Redeemed = {
    id,
    status: "redeemed",
    userId: request.approverId as string,
    session: session.body ?? {},
  };
  return json(200, redeemed, headers);
}

async function cancel(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const request = await ctx.flows.cancel(id, browserSecretOf(incoming, id), callerOf(incoming));
  const decision: Decision = { id, status: request.state };
  return json(200, decision, { "set-cookie": browserSecretCookie(ctx, incoming, id, "", 0) });
}

async function scan(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.scan, ctx.maxBodyBytes);
  const caller = callerOf(incoming);
  const request =
    "token" in body
      ? await ctx.flows.scanToken(body.token, approver, caller)
      : await ctx.flows.scanUserCode(body.userCode, approver, caller);
  return json(200, await requesterCard(ctx.locate, request, caller.ip, ctx.flows.now(), ctx.passkeyApproval));
}

async function approve(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.approve, ctx.maxBodyBytes);
  const passkey = { assertion: body.assertion, site: ctx.webAuthnSite(incoming) };
  const request = await ctx.flows.approve(id, approver, body.number, callerOf(incoming), passkey);
  return json(200, { id, status: request.state } satisfies Decision);
}

/** The phone's passkey options for approving: a challenge bound to the request as it is now. */
async function approvalOptions(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const options = await ctx.flows.approvalOptions(id, approver, ctx.webAuthnSite(incoming), callerOf(incoming));
  return json(200, options satisfies PasskeyChallenge);
}

/** The desktop's passkey options for signing in to its own `passkey` request. */
async function passkeyOptions(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const options = await ctx.flows.passkeySignInOptions(id, browserSecretOf(incoming, id), ctx.webAuthnSite(incoming));
  return json(200, options satisfies PasskeyChallenge);
}

/** The desktop's passkey assertion: approves its request, which it then redeems as usual. */
async function passkeySignIn(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const body = await readBody(incoming, bodies.passkeySignIn, ctx.maxBodyBytes);
  const site = ctx.webAuthnSite(incoming);
  const secret = browserSecretOf(incoming, id);
  const request = await ctx.flows.signInWithPasskey(id, secret, body.assertion, site, callerOf(incoming));
  return json(200, { id, status: request.state } satisfies Decision);
}

async function deny(ctx: RouteContext, incoming: IncomingRequest, id: string): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const body = await readBody(incoming, bodies.deny, ctx.maxBodyBytes);
  const request = await ctx.flows.deny(id, approver, body.reason ?? null, callerOf(incoming));
  return json(200, { id, status: request.state } satisfies Decision);
}

async function approverRequests(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const now = ctx.flows.now();
  const waiting = await ctx.flows.listPushRequests(approver);
  const cards = await Promise.all(
    waiting.map((r) => requesterCard(ctx.locate, r, incoming.ip ?? null, now, ctx.passkeyApproval)),
  );
  return json(200, { requests: cards satisfies RequestCard[] });
}

async function approverEvents(ctx: RouteContext, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await authenticateApprover(ctx, incoming);
  const release = ctx.streams.take(incoming, { approver: approver.userId });
  const stream = releasingWhenDone(openApproverEvents(ctx, approver, incoming.ip ?? null), release);
  return { status: 200, headers: EVENT_STREAM_HEADERS, stream };
}
