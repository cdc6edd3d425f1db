import { setTimeout as delay } from "node:timers/promises";
import { CliError, EXIT, Interrupted } from "../exit-codes.ts";
import { type HttpOptions, type JsonAnswer, postForm, Unreachable } from "./http.ts";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** RFC 8628 §3.2: the interval when the server names none; §3.5: what `slow_down` adds. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_STEP_S = 5;
/** The longest wait between polls while the server is unreachable or failing. */
const MAX_BACKOFF_S = 60;

/** The device authorization response (RFC 8628 §3.2), checked. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | undefined;
  /** Seconds the codes are good for. */
  expiresIn: number;
  /** Seconds to wait between polls. */
  interval: number;
}

/** The token response (RFC 6749 §5.1), as the server sent it. */
export type TokenResponse = Record<string, unknown> & { access_token: string };

/** Who the device is, for the authorization server. */
export interface Client {
  clientId: string;
  scope?: string;
}

/** Where the wait stands, for the progress line. */
export interface WaitState {
  /** Milliseconds until the codes expire. */
  msLeft: number;
  /** The current polling interval in seconds (it grows on `slow_down`). */
  interval: number;
}

/** What the wait reports: a tick of the progress line, or a line worth keeping. */
export interface WaitReporter {
  tick(state: WaitState): void;
  note(message: string): void;
}

/**
 * Asks for a device code and user code (RFC 8628 §3.1). A refusal is reported in the server's words;
 * `invalid_client` says which option to change.
 */
export async function requestDeviceCode(
  endpoint: string,
  client: Client,
  http: HttpOptions,
): Promise<DeviceAuthorization> {
  const fields: Record<string, string> = { client_id: client.clientId };
  if (client.scope) fields.scope = client.scope;
  const answer = await postForm(endpoint, fields, http);
  const body = answer.body;
  if (answer.status !== 200 || !body) {
    if (body?.error === "invalid_client") {
      throw new CliError(
        `The server does not accept the client id "${client.clientId}" (invalid_client); give the one it expects with --client-id.`,
      );
    }
    throw new CliError(`The device authorization endpoint ${endpoint} refused: ${describeAnswer(answer)}.`);
  }
  const text = (name: string) =>
    typeof body[name] === "string" && body[name] !== "" ? (body[name] as string) : undefined;
  const deviceCode = text("device_code");
  const userCode = text("user_code");
  // Some providers still send the draft's `verification_url`.
  const verificationUri = text("verification_uri") ?? text("verification_url");
  const expiresIn = Number(body.expires_in);
  if (!deviceCode || !userCode || !verificationUri || !(expiresIn > 0)) {
    throw new CliError(
      `The device authorization endpoint ${endpoint} answered without device_code, user_code, verification_uri or expires_in.`,
    );
  }
  const interval = Number(body.interval ?? DEFAULT_INTERVAL_S);
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: text("verification_uri_complete") ?? text("verification_url_complete"),
    expiresIn,
    interval: interval > 0 ? interval : DEFAULT_INTERVAL_S,
  };
}

/**
 * Polls the token endpoint (RFC 8628 §3.4–3.5) until the user decides or the codes expire: every
 * `interval` seconds, 5 s more after each `slow_down`, longer while the server is unreachable or
 * failing (it may be restarting). Resolves with the token response.
 * @throws CliError with exit code 3 on `access_denied`, 4 on `expired_token` (or the codes' own expiry),
 *   1 on any other refusal; {@link Interrupted} when `http.signal` is aborted.
 */
export async function pollForToken(
  endpoint: string,
  device: DeviceAuthorization,
  client: Client,
  http: HttpOptions,
  report: WaitReporter,
  now: () => number = Date.now,
): Promise<TokenResponse> {
  const deadline = now() + device.expiresIn * 1000;
  let interval = device.interval;
  let waitMs = interval * 1000;
  let failures = 0;
  const fields = { grant_type: DEVICE_CODE_GRANT, device_code: device.deviceCode, client_id: client.clientId };
  for (;;) {
    await waitWithTicks(waitMs, deadline, interval, http.signal, report, now);
    if (now() >= deadline) throw expired();
    let answer: JsonAnswer;
    try {
      answer = await postForm(endpoint, fields, http);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      waitMs = backoff(interval, ++failures);
      report.note(`${error.message}; trying again in ${Math.round(waitMs / 1000)} s.`);
      continue;
    }
    const token = answer.body?.access_token;
    if (answer.status === 200 && typeof token === "string" && token !== "") return answer.body as TokenResponse;
    const error = answer.body?.error;
    if (answer.status >= 500 || (error === undefined && (answer.status === 429 || answer.retryAfterMs !== undefined))) {
      // A failing server (qrlogin keeps an approval whose session could not be issued) is tried again.
      waitMs = Math.max(answer.retryAfterMs ?? 0, backoff(interval, ++failures));
      report.note(
        `The token endpoint answered ${describeAnswer(answer)}; trying again in ${Math.round(waitMs / 1000)} s.`,
      );
      continue;
    }
    failures = 0;
    switch (error) {
      case "authorization_pending":
        waitMs = Math.max(interval * 1000, answer.retryAfterMs ?? 0);
        continue;
      case "slow_down":
        interval += SLOW_DOWN_STEP_S;
        waitMs = interval * 1000;
        report.note(`The server asked to slow down: polling every ${interval} s.`);
        continue;
      case "access_denied":
        throw new CliError("The sign-in was denied (access_denied).", EXIT.denied);
      case "expired_token":
        throw expired();
    }
    if (answer.retryAfterMs !== undefined) {
      // A rate limit in the server's own words: wait as told, then ask again.
      waitMs = Math.max(answer.retryAfterMs, interval * 1000);
      report.note(
        `The token endpoint answered ${describeAnswer(answer)}; trying again in ${Math.round(waitMs / 1000)} s.`,
      );
      continue;
    }
    if (answer.status === 200) throw new CliError(`The token endpoint ${endpoint} answered without an access_token.`);
    throw new CliError(`The token endpoint ${endpoint} refused: ${describeAnswer(answer)}.`);
  }
}

const expired = () =>
  new CliError(
    "The code expired before it was approved (expired_token). Run the command again for a new one.",
    EXIT.expired,
  );

/** Exponential backoff from the interval, as RFC 8628 §3.5 asks after connection failures. */
function backoff(interval: number, failures: number): number {
  return Math.min(interval * 2 ** failures, Math.max(MAX_BACKOFF_S, interval)) * 1000;
}

/** Sleeps `ms` (never past `deadline`), ticking the progress line every second; Ctrl-C ends it. */
async function waitWithTicks(
  ms: number,
  deadline: number,
  interval: number,
  signal: AbortSignal,
  report: WaitReporter,
  now: () => number,
): Promise<void> {
  const until = Math.min(now() + ms, deadline);
  for (;;) {
    const msLeft = deadline - now();
    report.tick({ msLeft: Math.max(0, msLeft), interval });
    const rest = until - now();
    if (rest <= 0) return;
    try {
      // Ticks fall on whole seconds of the time left, so the countdown reads evenly.
      await delay(Math.min(rest, msLeft % 1000 || 1000), undefined, { signal });
    } catch {
      throw new Interrupted();
    }
  }
}

/** An error answer in one phrase: the OAuth error and its description, or the status. */
function describeAnswer(answer: JsonAnswer): string {
  const error = answer.body?.error;
  const description = answer.body?.error_description;
  if (typeof error === "string") {
    return typeof description === "string" && description !== "" ? `${error} (${description})` : error;
  }
  return answer.body ? `HTTP ${answer.status}` : `HTTP ${answer.status}, not JSON`;
}
