import { checkBrowserKeyProof } from "../core/browser-key.ts";
import type { Clock, RandomSource } from "../core/clock.ts";
import { generateComparisonNumber } from "../core/comparison.ts";
import { type CreatedLoginRequest, createLoginRequest } from "../core/create-login-request.ts";
import { QrLoginError } from "../core/errors.ts";
import type { Lifetimes } from "../core/lifetimes.ts";
import type { LoginRequest, Transition } from "../core/login-request.ts";
import { type RequesterContext, sameNetwork } from "../core/requester-context.ts";
import { hashSecret, looksLikeToken, randomToken, SECRET_BYTES, secretMatches } from "../core/secrets.ts";
import {
  type Approver,
  maskApprover,
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
import type { RateLimiter } from "./rate-limits.ts";

/** What happened to a request, for the host's audit log and metrics. */
export interface LoginEvent {
  type: "created" | "scanned" | "approved" | "denied" | "redeemed" | "cancelled";
  request: LoginRequest;
  at: number;
}

/**
 * What to do when the phone and the desktop are on different networks (a relayed QR looks like
 * this — but so does a phone on mobile data): `allow` quietly, `warn` on the card (default),
 * `require-number` shown on the desktop, or `refuse` the scan.
 */
export type RelayPolicy = "allow" | "warn" | "require-number" | "refuse";

/** Who made a call: its address, for limits, the relay policy and the audit trail. */
export interface Caller {
  ip: string | null;
}

/** What {@link LoginFlows} works with. */
export interface LoginFlowsDeps {
  store: LoginStore;
  notifier: Notifier;
  clock: Clock;
  random: RandomSource;
  lifetimes: Lifetimes;
  limiter: RateLimiter;
  relayPolicy: RelayPolicy;
  /** How long "This wasn't me" blocks push requests to that account, in ms. */
  notMeBlockMs: number;
  /** Finds the account a push request names; push is off without it. */
  findUser?: ((login: string) => Promise<Approver | null> | Approver | null) | undefined;
  /** Sees every transition; its errors are reported to `onHookError`, never to the caller. */
  onEvent?: ((event: LoginEvent) => void | Promise<void>) | undefined;
  onHookError?: ((error: unknown) => void) | undefined;
}

// Each attempt re-reads the request, so losing a race ends with the error the winner's change implies.
const MAX_ATTEMPTS = 3;
const NOBODY: Caller = { ip: null };

/**
 * The protocol's flows over a store: create → scan → approve / deny → redeem, cancel, and push.
 * Each step reads the request, lets the pure core plan the change (which throws the typed error
 * when the step is not allowed), applies it as a compare-and-set, publishes it and audits it.
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
  async create(
    input: { requester: RequesterContext; publicKey?: string | null },
    caller: Caller = NOBODY,
  ): Promise<CreatedLoginRequest> {
    await this.#deps.limiter.consume("createPerIp", caller.ip, this.now());
    return this.#insert(() => createLoginRequest(this.#deps, input), caller);
  }

  /**
   * Creates a push request for the account named `login`, bound to it and to a two-digit number the
   * desktop shows. The answer is the same whether or not the account exists, is blocked after
   * "This wasn't me", already has a push pending or is over its limit: then the request is a decoy
   * that no phone hears of and that nobody can approve.
   */
  async createPush(
    input: { login: string; requester: RequesterContext; publicKey?: string | null },
    caller: Caller = NOBODY,
  ): Promise<CreatedLoginRequest> {
    const { findUser, limiter, store } = this.#deps;
    if (!findUser) throw new QrLoginError("PUSH_DISABLED", "Push approval is not enabled on this site.");
    const now = this.now();
    await limiter.consume("createPerIp", caller.ip, now);
    const user = await findUser(input.login);
    // The same reads and writes happen for unknown accounts, so timing does not tell them apart.
    const subject = user ? user.userId : `unknown:${input.login}`;
    const blocked = await store.peekCounter(`push-block:${subject}`, now);
    const pending = await store.listPushRequests(subject, now);
    const counter = await store.hit(`pushPerAccount:${subject}`, limiter.limits.pushPerAccount.windowMs, now);
    const allowed = !blocked && pending.length === 0 && counter.count <= limiter.limits.pushPerAccount.max;
    const approverId = user && allowed ? user.userId : null;
    if (user && !allowed) {
      await this.#audit("push_suppressed", null, user.userId, caller, {
        blocked: Boolean(blocked),
        pending: pending.length,
      });
    }
    const created = await this.#insert(() => {
      const made = createLoginRequest(this.#deps, input);
      Object.assign(made.request, {
        mode: "push",
        state: "scanned",
        login: input.login,
        approverId,
        approverHint: maskApprover(input.login),
        comparison: generateComparisonNumber(this.#deps.random),
      });
      return made;
    }, caller);
    if (approverId) await this.#publish(created.request, approverId);
    return created;
  }

  async #insert(make: () => CreatedLoginRequest, caller: Caller): Promise<CreatedLoginRequest> {
    for (let attempt = 1; ; attempt++) {
      const created = make();
      try {
        await this.#deps.store.create(created.request);
      } catch (error) {
        if (error instanceof UserCodeTakenError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      this.#report("created", created.request, caller);
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
  async scanToken(scanToken: string, approver: Approver, caller: Caller = NOBODY): Promise<LoginRequest> {
    await this.#limitScan(approver, caller);
    const tokenHash = looksLikeToken(scanToken) ? hashSecret(scanToken) : null;
    const found = tokenHash ? await this.#deps.store.findByScanTokenHash(tokenHash) : null;
    if (!found || !tokenHash) throw new QrLoginError("SCAN_TOKEN_INVALID", "This QR code is not a valid sign-in code.");
    if (!scanTokenWorks(found, tokenHash, this.now(), this.lifetimes) && found.state === "pending") {
      throw new QrLoginError("expired_token", "This QR code has changed. Scan the code on the screen again.");
    }
    return this.#claim(found, approver, caller);
  }

  /**
   * The phone's user typed the code shown on the desktop: claims the request for the approver.
   * Wrong codes count against the approver, the IP and the deployment (RFC 8628 §5.1).
   */
  async scanUserCode(typed: string, approver: Approver, caller: Caller = NOBODY): Promise<LoginRequest> {
    const { limiter } = this.#deps;
    const now = this.now();
    await limiter.check("codeMissesPerApprover", approver.userId, now);
    await limiter.check("codeMissesPerIp", caller.ip, now);
    await limiter.check("codeMissesGlobal", "all", now);
    await this.#limitScan(approver, caller);
    const code = normalizeUserCode(typed);
    const found = code ? await this.#deps.store.findByUserCodeHash(hashSecret(code)) : null;
    if (!found) {
      const left = await limiter.fail("codeMissesPerApprover", approver.userId, now);
      await limiter.fail("codeMissesPerIp", caller.ip, now);
      await limiter.fail("codeMissesGlobal", "all", now);
      await this.#audit("code_miss", null, approver.userId, caller, { left });
      throw new QrLoginError(
        "USER_CODE_INVALID",
        `No sign-in request has this code. Check it and try again${left > 0 ? ` (${left} tries left)` : ""}.`,
      );
    }
    return this.#claim(found, approver, caller);
  }

  async #limitScan(approver: Approver, caller: Caller): Promise<void> {
    const { limiter } = this.#deps;
    const now = this.now();
    await limiter.consume("scanPerIp", caller.ip, now);
    await limiter.consume("scanPerApprover", approver.userId, now);
    await limiter.consume("scanGlobal", "all", now);
  }

  /** The scan itself, under the relay policy. */
  async #claim(found: LoginRequest, approver: Approver, caller: Caller): Promise<LoginRequest> {
    const differentNetwork = sameNetwork(found.requester.ip, caller.ip) === false;
    const policy = this.#deps.relayPolicy;
    if (differentNetwork && policy === "refuse" && found.state === "pending") {
      await this.#audit("relay_refused", found.id, approver.userId, caller, { requesterIp: found.requester.ip });
      throw new QrLoginError(
        "NETWORK_MISMATCH",
        "This sign-in was started on another network. For your safety, scan only codes on a screen in front of you.",
      );
    }
    const comparison =
      differentNetwork && policy === "require-number" ? generateComparisonNumber(this.#deps.random) : null;
    return this.#apply(found.id, "scanned", caller, (r, now) => planScan(r, approver, now, this.lifetimes, comparison));
  }

  /**
   * The approver approves the request they scanned (or the push sent to them). A wrong number counts;
   * after `limits.wrongNumbers.max` of them the request is cancelled.
   */
  async approve(id: string, approver: Approver, number?: number, caller: Caller = NOBODY): Promise<LoginRequest> {
    try {
      return await this.#apply(id, "approved", caller, (r, now) =>
        planApprove(r, approver, number, now, this.lifetimes),
      );
    } catch (error) {
      if (!(error instanceof QrLoginError) || error.code !== "WRONG_NUMBER") throw error;
      const left = await this.#deps.limiter.fail("wrongNumbers", id, this.now());
      if (left > 0) {
        throw new QrLoginError("WRONG_NUMBER", `That is not the number on the screen. ${left} tries left.`, {
          triesLeft: left,
        });
      }
      await this.#apply(id, "cancelled", caller, (r, now) => planCancel(r, now)).catch(() => {});
      await this.#audit("number_failed", id, approver.userId, caller, {});
      throw new QrLoginError("WRONG_NUMBER", "Too many wrong numbers: the request was cancelled.", { triesLeft: 0 });
    }
  }

  /**
   * The approver refuses the request. "This wasn't me" (`not_me`) also records an alert for the
   * account and, for push, blocks further push requests to it for `notMeBlockMs`.
   */
  async deny(
    id: string,
    approver: Approver,
    reason: string | null = null,
    caller: Caller = NOBODY,
  ): Promise<LoginRequest> {
    const denied = await this.#apply(id, "denied", caller, (r, now) => planDeny(r, approver, reason, now));
    if (reason === "not_me") {
      if (denied.mode === "push") {
        await this.#deps.store.hit(`push-block:${approver.userId}`, this.#deps.notMeBlockMs, this.now());
      }
      await this.#audit("alert", id, approver.userId, caller, {
        reason: "not_me",
        mode: denied.mode,
        requester: denied.requester,
      });
      await this.#publish(denied, approver.userId); // the account's other phones show the alert
    }
    return denied;
  }

  /**
   * The desktop consumes its approval; exactly once. With a browser key, `signature` must prove
   * possession before anything changes. The approver's other devices hear of the new link.
   */
  async redeem(
    id: string,
    browserSecret: string | undefined,
    signature?: string,
    caller: Caller = NOBODY,
  ): Promise<LoginRequest> {
    const request = await this.authenticateBrowser(id, browserSecret);
    checkBrowserKeyProof(request.publicKey, id, signature);
    const redeemed = await this.#apply(id, "redeemed", caller, (r, now) => planRedeem(r, now));
    await this.#audit("alert", id, redeemed.approverId, caller, {
      reason: "new_device",
      requester: redeemed.requester,
    });
    if (redeemed.approverId) await this.#publish(redeemed, redeemed.approverId);
    return redeemed;
  }

  /** The desktop gives up on its request. */
  async cancel(id: string, browserSecret: string | undefined, caller: Caller = NOBODY): Promise<LoginRequest> {
    await this.authenticateBrowser(id, browserSecret);
    return this.#apply(id, "cancelled", caller, (r, now) => planCancel(r, now));
  }

  /** Whether a device may poll request `id` now: at most once per `intervalMs` (RFC 8628 `slow_down`). */
  async pollAllowed(id: string, intervalMs: number): Promise<boolean> {
    return (await this.#deps.store.hit(`poll:${id}`, intervalMs, this.now())).count === 1;
  }

  /** The live push requests waiting for this approver. */
  listPushRequests(approver: Approver): Promise<LoginRequest[]> {
    return this.#deps.store.listPushRequests(approver.userId, this.now());
  }

  /** Deletes requests that finished or expired longer than `lifetimes.retention` ago. */
  async purge(): Promise<number> {
    return this.#deps.store.purge(this.now() - this.lifetimes.retention);
  }

  async #apply(
    id: string,
    type: LoginEvent["type"],
    caller: Caller,
    plan: (request: LoginRequest, now: number) => Transition,
  ): Promise<LoginRequest> {
    for (let attempt = 1; ; attempt++) {
      const request = await this.get(id);
      const { guard, patch } = plan(request, this.now());
      const updated = await this.#deps.store.transition(id, guard, patch);
      if (updated) {
        await this.#publish(updated, updated.mode === "push" ? updated.approverId : null);
        this.#report(type, updated, caller);
        return updated;
      }
      if (attempt === MAX_ATTEMPTS) {
        throw new QrLoginError("ALREADY_DECIDED", "The request changed while this was being done; try again.");
      }
    }
  }

  /** Tells the desktop's stream, and for push the approver's phones, that the request changed. */
  async #publish(request: LoginRequest, approverId: string | null = null): Promise<void> {
    const message = { requestId: request.id, version: request.version };
    try {
      await this.#deps.notifier.publish(channels.request(request.id), message);
      if (approverId) await this.#deps.notifier.publish(channels.approver(approverId), message);
    } catch (error) {
      // The change is stored; a stream that missed the message sees it on its next read.
      this.#deps.onHookError?.(error);
    }
  }

  async #audit(
    type: string,
    requestId: string | null,
    userId: string | null,
    caller: Caller,
    detail: Record<string, unknown>,
  ) {
    try {
      await this.#deps.store.appendAudit({ at: this.now(), type, requestId, userId, ip: caller.ip, detail });
    } catch (error) {
      this.#deps.onHookError?.(error);
    }
  }

  #report(type: LoginEvent["type"], request: LoginRequest, caller: Caller): void {
    const { onEvent, onHookError } = this.#deps;
    // The trail is read per account: a step no account is bound to yet (a new QR request) would be a
    // write on the hottest path that nobody can ever list.
    if (request.approverId !== null) {
      void this.#audit(type, request.id, request.approverId, caller, { mode: request.mode, state: request.state });
    }
    if (!onEvent) return;
    try {
      Promise.resolve(onEvent({ type, request, at: this.now() })).catch((error) => onHookError?.(error));
    } catch (error) {
      onHookError?.(error);
    }
  }
}
