import { QrLoginError } from "../core/errors.ts";
import { describeRequester, type RequesterContext } from "../core/requester-context.ts";
import { type RequestTokens, scanTokenAt } from "../core/scan-token.ts";
import { formatUserCode } from "../core/user-code.ts";
import { DEFAULTS } from "../defaults.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import { bodies, readBody } from "./bodies.ts";
import type { IncomingRequest } from "./incoming.ts";
import { errorOutgoing, json, type Outgoing } from "./outgoing.ts";
import { type IssueSession, issueSessionFor } from "./session.ts";

/** What {@link DeviceFlowOptions.validateClient} says of a client it accepts. */
export interface DeviceClient {
  /** The client's name, shown on the phone's card ("Acme CLI") in place of a browser. */
  name?: string;
}

/** RFC 8628 for CLIs and TVs, on the same requests as the QR flow. */
export interface DeviceFlowOptions {
  /**
   * The OAuth clients allowed to ask.
   * @defaultValue any `client_id`
   */
  clientIds?: string[];
  /**
   * Accepts a client asking for a code (`{ name? }`, the name shown on the phone's card) or refuses it
   * (`null`: `invalid_client`). The code is then bound to that client, so polls are not asked again.
   * @defaultValue any, shown by its id
   */
  validateClient?: (clientId: string, scope: string | null) => Promise<DeviceClient | null> | DeviceClient | null;
  /**
   * Seconds a device must wait between polls (RFC 8628 `interval`).
   * @defaultValue {@link DEFAULTS}.deviceFlow.interval
   */
  interval?: number;
  /**
   * Seconds a device code and its typed code live (RFC 8628 `expires_in`): the time a person has to
   * reach the phone and type it.
   * @defaultValue {@link DEFAULTS}.deviceFlow.expiresIn
   */
  expiresIn?: number;
}

/** {@link DeviceFlowOptions} with the defaults filled in. */
export type DeviceFlow = DeviceFlowOptions & { interval: number; expiresIn: number };

/**
 * Fills in the device flow's defaults and refuses nonsense.
 * @example resolveDeviceFlow({ clientIds: ["cli"] }) // { clientIds: ["cli"], interval: 5, expiresIn: 600 }
 */
export function resolveDeviceFlow(options: DeviceFlowOptions): DeviceFlow {
  const flow = {
    ...options,
    interval: options.interval ?? DEFAULTS.deviceFlow.interval,
    expiresIn: options.expiresIn ?? DEFAULTS.deviceFlow.expiresIn,
  };
  if (!(flow.interval >= 0) || !Number.isFinite(flow.interval)) {
    throw new TypeError(`qrlogin: deviceFlow.interval must be a number of seconds, got ${flow.interval}`);
  }
  if (!Number.isSafeInteger(flow.expiresIn) || flow.expiresIn <= 0) {
    throw new TypeError(`qrlogin: deviceFlow.expiresIn must be a whole number of seconds, got ${flow.expiresIn}`);
  }
  return flow;
}

/** What the RFC 8628 endpoints need from the surrounding handler. */
export interface DeviceFlowContext {
  flows: Pick<LoginFlows, "create" | "pollDevice">;
  /** Where the API is served for this request (the mount included): the endpoints' metadata names it. */
  basePath: string;
  /** The site's public origin: the configured `origin`, else the request's own. */
  siteOrigin: string;
  maxBodyBytes: number;
  /** The QR's URL for a scan token: the device shows it as `verification_uri_complete`. */
  qrUrl(scanToken: string): string;
  issueSession: IssueSession;
}

/** The grant type of RFC 8628 §3.4, the only one `POST /oauth/token` takes. */
const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** The device code: the request id and its browser secret, so polling needs no other state. */
function splitDeviceCode(deviceCode: string): { id: string; secret: string } {
  const [id = "", secret = ""] = deviceCode.split(".");
  return { id, secret };
}

function checkClient(options: DeviceFlow, clientId: string): void {
  if (options.clientIds && !options.clientIds.includes(clientId)) {
    throw new QrLoginError("invalid_client", "Unknown client_id.");
  }
}

/** The client asking for a code, as the request keeps it: checked, and named when the host knows it. */
async function askingClient(
  options: DeviceFlow,
  clientId: string,
  scope: string | null,
): Promise<NonNullable<RequesterContext["client"]>> {
  checkClient(options, clientId);
  const client = { id: clientId, scope };
  if (!options.validateClient) return client;
  const accepted = await options.validateClient(clientId, scope);
  if (!accepted) throw new QrLoginError("invalid_client", "This client may not ask for a code.");
  return typeof accepted.name === "string" && accepted.name !== "" ? { ...client, name: accepted.name } : client;
}

/**
 * RFC 8628 §3.5 and RFC 6749 §5.2 answer every token error with 400 (401 for the client). Anything
 * else is thrown on, so that `route()` logs it like any unexpected error (or not: a client gone).
 */
function oauthError(error: unknown): Outgoing {
  if (!(error instanceof QrLoginError)) throw error;
  const outgoing = errorOutgoing(error);
  if (outgoing.status < 500 && error.code !== "invalid_client") outgoing.status = 400;
  return outgoing;
}

/**
 * `POST /oauth/device_authorization` (RFC 8628 §3.1–3.2): a new request for a device. The user types
 * the code on the phone, or the device shows `verification_uri_complete` as a QR.
 */
export async function deviceAuthorization(
  ctx: DeviceFlowContext,
  incoming: IncomingRequest,
  options: DeviceFlow,
): Promise<Outgoing> {
  try {
    const body = await readBody(incoming, bodies.deviceAuthorization, ctx.maxBodyBytes, { form: true });
    const requester = describeRequester({
      userAgent: incoming.header("user-agent"),
      ip: incoming.ip,
      origin: undefined,
      client: await askingClient(options, body.client_id, body.scope ?? null),
    });
    const { request, browserSecret, tokens, userCode } = await ctx.flows.create(
      { requester, mode: "device", lifetimeMs: options.expiresIn * 1000 },
      { ip: incoming.ip ?? null },
    );
    // A device's request has one token and one code for its whole life: its screen cannot refresh.
    const complete = ctx.qrUrl(scanTokenAt(tokens as RequestTokens, 0));
    return json(200, {
      device_code: `${request.id}.${browserSecret}`,
      user_code: formatUserCode(userCode as string),
      verification_uri: complete.slice(0, complete.indexOf("#")),
      verification_uri_complete: complete,
      expires_in: Math.round((request.expiresAt - request.createdAt) / 1000),
      interval: options.interval,
    });
  } catch (error) {
    return oauthError(error);
  }
}

/**
 * The device-code grant at `POST /oauth/token` (RFC 8628 §3.4–3.5): `authorization_pending` until the
 * phone approves, `slow_down` when polled faster than `interval`, then the host's token, once.
 */
export async function deviceToken(
  ctx: DeviceFlowContext,
  incoming: IncomingRequest,
  options: DeviceFlow,
): Promise<Outgoing> {
  try {
    const body = await readBody(incoming, bodies.deviceToken, ctx.maxBodyBytes, { form: true });
    if (body.grant_type !== GRANT_TYPE)
      throw new QrLoginError("unsupported_grant_type", `Only ${GRANT_TYPE} is supported here.`);
    checkClient(options, body.client_id);
    const { id, secret } = splitDeviceCode(body.device_code);
    const { session } = await ctx.flows.pollDevice(
      id,
      secret,
      body.client_id,
      options.interval * 1000,
      { ip: incoming.ip ?? null },
      (leased) => issueSessionFor(ctx.issueSession, leased, incoming, "device_code"),
    );
    return json(200, { token_type: "Bearer", ...session.body });
  } catch (error) {
    return oauthError(error);
  }
}

/** RFC 8414's well-known name for authorization server metadata. */
const METADATA = "/.well-known/oauth-authorization-server";

/**
 * The issuer whose metadata `path` asks for, or `null` when it asks for none of ours: RFC 8414's
 * root document (`/.well-known/…`, issuer: the site), its form for an issuer with a path
 * (`/.well-known/…/qrlogin`), and the document under the base path (`/qrlogin/.well-known/…`),
 * which clients that append the well-known name to the issuer ask for.
 */
function issuerPath(path: string, basePath: string): string | null {
  if (path === METADATA) return "";
  if (basePath !== "" && (path === METADATA + basePath || path === basePath + METADATA)) return basePath;
  return null;
}

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414), so that OAuth clients such as
 * openid-client find the device flow by discovery: answered at the site's root and under the base
 * path when the host routes those paths here, or `null` for any other request.
 */
export function deviceFlowMetadata(ctx: DeviceFlowContext, incoming: IncomingRequest): Outgoing | null {
  if (incoming.method !== "GET") return null;
  const issuer = issuerPath(incoming.url.pathname, ctx.basePath);
  if (issuer === null) return null;
  const endpoints = `${ctx.siteOrigin}${ctx.basePath}/oauth`;
  return json(200, {
    issuer: ctx.siteOrigin + issuer,
    device_authorization_endpoint: `${endpoints}/device_authorization`,
    token_endpoint: `${endpoints}/token`,
    grant_types_supported: [GRANT_TYPE],
    // Devices are public clients: they prove nothing but their client_id.
    token_endpoint_auth_methods_supported: ["none"],
    response_types_supported: [],
  });
}
