import { QrLoginError } from "../core/errors.ts";
import { describeRequester } from "../core/requester-context.ts";
import { formatUserCode } from "../core/user-code.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import { bodies, readBody } from "./bodies.ts";
import type { IncomingRequest } from "./incoming.ts";
import { errorOutgoing, json, type Outgoing } from "./outgoing.ts";
import { type IssueSession, issueSessionFor } from "./session.ts";

/** RFC 8628 for CLIs and TVs, on the same requests as the QR flow. */
export interface DeviceFlowOptions {
  /**
   * The OAuth clients allowed to ask.
   * @defaultValue any `client_id`
   */
  clientIds?: string[];
  /**
   * Seconds a device must wait between polls (RFC 8628 `interval`).
   * @defaultValue {@link DEFAULTS}.deviceFlow.interval
   */
  interval?: number;
}

/** {@link DeviceFlowOptions} with the defaults filled in. */
export type DeviceFlow = DeviceFlowOptions & { interval: number };

/** What the RFC 8628 endpoints need from the surrounding handler. */
export interface DeviceFlowContext {
  flows: Pick<LoginFlows, "create" | "pollDevice">;
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
    checkClient(options, body.client_id);
    const requester = describeRequester({
      userAgent: incoming.header("user-agent"),
      ip: incoming.ip,
      origin: undefined,
      client: { id: body.client_id, scope: body.scope ?? null },
    });
    const { request, browserSecret, scanToken, userCode } = await ctx.flows.create(
      { requester, mode: "device" },
      { ip: incoming.ip ?? null },
    );
    const complete = ctx.qrUrl(scanToken);
    return json(200, {
      device_code: `${request.id}.${browserSecret}`,
      user_code: formatUserCode(userCode),
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
