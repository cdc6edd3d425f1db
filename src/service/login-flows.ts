import type { Clock, RandomSource } from "../core/clock.ts";
import { type CreatedLoginRequest, createLoginRequest } from "../core/create-login-request.ts";
import { QrLoginError } from "../core/errors.ts";
import type { Lifetimes } from "../core/lifetimes.ts";
import type { LoginRequest, Transition } from "../core/login-request.ts";
import type { RequesterContext } from "../core/requester-context.ts";
import { hashSecret, looksLikeToken, randomToken, SECRET_BYTES, secretMatches } from "../core/secrets.ts";
import {
  type Approver,
  planApprove,
  planCancel,
  planDeny,
  planRedeem,
  planRotation,
  planScan,
  rotationDue,
  scanTokenWorks,
} from "../core/transitions.ts";
import { normalizeUserCode } from "../core/user-code.ts";
import { channels, type LoginStore, type Notifier, UserCodeTakenError } from "../store/login-store.ts";

/** What happened to a request, for the host's audit log and metrics. */
export interface LoginEvent {
  type: "created" | "scanned" | "approved" | "denied" | "redeemed" | "cancelled";
  request: LoginRequest;
  at: number;
}

/** What {@link LoginFlows} works with. */
export interface LoginFlowsDeps {
  store: LoginStore;
  notifier: Notifier;
  clock: Clock;
  random: RandomSource;
  lifetimes: Lifetimes;
  /** Sees every transition; its errors are reported to `onHookError`, never to the caller. */
  onEvent?: ((event: LoginEvent) => void | Promise<void>) | undefined;
  onHookError?: ((error: unknown) => void) | undefined;
}

// Each attempt re-reads the request, so losing a race ends with the error the winner's change implies.
const MAX_ATTEMPTS = 3;

/**
 * The protocol's flows over a store: create → scan → approve / deny → redeem, and cancel.
 * Each step reads the request, lets the pure core plan the change (which throws the typed error
 * when the step is not allowed), applies it as a compare-and-set, publishes it and reports it.
 */
export class LoginFlows {
  readonly #deps: LoginFlowsDeps;

  constructor(deps: LoginFlowsDeps) {
    this.#deps = deps;
  }

  /** The lifetimes in force. */
  get lifetimes(): Lifetimes {
    return this.#deps.lifetimes;
  }

  /** Now, by the injected clock. */
  now(): number {
    return this.#deps.clock.now();
  }

  /** Creates a QR request; retries on the rare user code collision. */
  async create(input: { requester: RequesterContext; publicKey?: string | null }): Promise<CreatedLoginRequest> {
    for (let attempt = 1; ; attempt++) {
      const created = createLoginRequest(this.#deps, input);
      try {
        await this.#deps.store.create(created.request);
      } catch (error) {
        if (error instanceof UserCodeTakenError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      this.#report("created", created.request);
      return created;
    }
  }

  /** The request with this id; `REQUEST_NOT_FOUND` otherwise. */
  async get(id: string): Promise<LoginRequest> {
    const request = await this.#deps.store.get(id);
    if (!request) throw new QrLoginError("REQUEST_NOT_FOUND", "No such login request.");
    return request;
  }

  /** The request, if `browserSecret` is the one issued with it; the desktop's authentication. */
  async authenticateBrowser(id: string, browserSecret: string | undefined): Promise<LoginRequest> {
    if (!browserSecret)
      throw new QrLoginError("BROWSER_SECRET_REQUIRED", "This needs the browser secret of the request.");
    const request = await this.get(id);
    if (!secretMatches(browserSecret, request.browserSecretHash)) {
      throw new QrLoginError("BROWSER_SECRET_INVALID", "The browser secret does not belong to this request.");
    }
    return request;
  }

  /**
   * Replaces the scan token if it is due (or `force`d) and the request is still pending. Returns the
   * new token in plain text for the desktop, or `null` when nothing was rotated.
   */
  async rotateScanToken(
    request: LoginRequest,
    force = false,
  ): Promise<{ request: LoginRequest; scanToken: string } | null> {
    const now = this.now();
    if (request.state !== "pending" || now >= request.expiresAt) return null;
    if (!force && !rotationDue(request, now, this.lifetimes)) return null;
    const scanToken = randomToken(this.#deps.random, SECRET_BYTES.scanToken);
    const transition = planRotation(request, hashSecret(scanToken), now, this.lifetimes);
    const rotated = await this.#deps.store.transition(request.id, transition.guard, transition.patch);
    if (!rotated) return null;
    await this.#publish(rotated);
    return { request: rotated, scanToken };
  }

  /** The phone scanned a QR: claims the request for the approver. */
  async scanToken(scanToken: string, approver: Approver): Promise<LoginRequest> {
    const tokenHash = looksLikeToken(scanToken) ? hashSecret(scanToken) : null;
    const found = tokenHash ? await this.#deps.store.findByScanTokenHash(tokenHash) : null;
    if (!found || !tokenHash) throw new QrLoginError("SCAN_TOKEN_INVALID", "This QR code is not a valid sign-in code.");
    if (!scanTokenWorks(found, tokenHash, this.now(), this.lifetimes) && found.state === "pending") {
      throw new QrLoginError("expired_token", "This QR code has changed. Scan the code on the screen again.");
    }
    return this.#apply(found.id, "scanned", (r, now) => planScan(r, approver, now, this.lifetimes));
  }

  /** The phone's user typed the code shown on the desktop: claims the request for the approver. */
  async scanUserCode(typed: string, approver: Approver): Promise<LoginRequest> {
    const code = normalizeUserCode(typed);
    const found = code ? await this.#deps.store.findByUserCodeHash(hashSecret(code)) : null;
    if (!found)
      throw new QrLoginError("USER_CODE_INVALID", "No sign-in request has this code. Check it and try again.");
    return this.#apply(found.id, "scanned", (r, now) => planScan(r, approver, now, this.lifetimes));
  }

  /** The approver approves the request they scanned. */
  async approve(id: string, approver: Approver, number?: number): Promise<LoginRequest> {
    return this.#apply(id, "approved", (r, now) => planApprove(r, approver, number, now, this.lifetimes));
  }

  /** The approver refuses the request they scanned. */
  async deny(id: string, approver: Approver, reason: string | null = null): Promise<LoginRequest> {
    return this.#apply(id, "denied", (r, now) => planDeny(r, approver, reason, now));
  }

  /** The desktop consumes its approval; exactly once. Returns the redeemed request. */
  async redeem(id: string, browserSecret: string | undefined): Promise<LoginRequest> {
    await this.authenticateBrowser(id, browserSecret);
    return this.#apply(id, "redeemed", (r, now) => planRedeem(r, now));
  }

  /** The desktop gives up on its request. */
  async cancel(id: string, browserSecret: string | undefined): Promise<LoginRequest> {
    await this.authenticateBrowser(id, browserSecret);
    return this.#apply(id, "cancelled", (r, now) => planCancel(r, now));
  }

  /** Deletes requests that finished or expired longer than `lifetimes.retention` ago. */
  async purge(): Promise<number> {
    return this.#deps.store.purge(this.now() - this.lifetimes.retention);
  }

  async #apply(
    id: string,
    type: LoginEvent["type"],
    plan: (request: LoginRequest, now: number) => Transition,
  ): Promise<LoginRequest> {
    for (let attempt = 1; ; attempt++) {
      const request = await this.get(id);
      const { guard, patch } = plan(request, this.now());
      const updated = await this.#deps.store.transition(id, guard, patch);
      if (updated) {
        await this.#publish(updated);
        this.#report(type, updated);
        return updated;
      }
      if (attempt === MAX_ATTEMPTS) {
        throw new QrLoginError("ALREADY_DECIDED", "The request changed while this was being done; try again.");
      }
    }
  }

  async #publish(request: LoginRequest): Promise<void> {
    try {
      await this.#deps.notifier.publish(channels.request(request.id), {
        requestId: request.id,
        version: request.version,
      });
    } catch (error) {
      // The change is stored; a desktop that missed the message sees it on its next read.
      this.#deps.onHookError?.(error);
    }
  }

  #report(type: LoginEvent["type"], request: LoginRequest): void {
    const { onEvent, onHookError } = this.#deps;
    if (!onEvent) return;
    try {
      Promise.resolve(onEvent({ type, request, at: this.now() })).catch((error) => onHookError?.(error));
    } catch (error) {
      onHookError?.(error);
    }
  }
}
