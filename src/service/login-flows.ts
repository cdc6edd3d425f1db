import { checkBrowserKeyProof } from "../core/browser-key.ts";
import type { Clock, RandomSource } from "../core/clock.ts";
import { generateComparisonNumber } from "../core/comparison.ts";
import { type CreatedLoginRequest, createLoginRequest, createPushRequest } from "../core/create-login-request.ts";
import { QrLoginError } from "../core/errors.ts";
import type { Lifetimes } from "../core/lifetimes.ts";
import { type LoginRequest, statusOf, type Transition } from "../core/login-request.ts";
import { networkKey, type RequesterContext, sameNetwork } from "../core/requester-context.ts";
import { checkScanToken, readScanToken, type ScanKey, scanPeriodWorks } from "../core/scan-token.ts";
import { openRedemption, sealRedemption } from "../core/sealed-redemption.ts";
import { hashSecret, secretMatches } from "../core/secrets.ts";
import {
  type Approver,
  checkPasskeySignIn,
  planApprove,
  planCancel,
  planDeny,
  planPasskeySignIn,
  planRedeemFinish,
  planRedeemRelease,
  planRedeemStart,
  planScan,
  planUserCode,
  replayableRedemption,
  userCodeWorks,
  WRONG_NUMBER_REASON,
} from "../core/transitions.ts";
import { generateUserCode, normalizeUserCode } from "../core/user-code.ts";
import { type Alert, channels, type LoginStore, type Notifier, UserCodeTakenError } from "../store/login-store.ts";
import type { PasskeyAssertion, PasskeyChallenge } from "../wire.ts";
import type { PasskeyCheck, WebAuthnSite } from "./passkey-check.ts";
import { type RateLimiter, rateLimited } from "./rate-limits.ts";
import { WATCH_SWEEP_MS, WatchSweep } from "./watch-sweep.ts";

/** What happened to a request, for the host's audit log and metrics. */
export interface LoginEvent {
  type: "created" | "scanned" | "approved" | "denied" | "redeemed" | "cancelled";
  request: LoginRequest;
  at: number;
}

/**
 * A step as the operator's logs and metrics see it: every {@link LoginEvent}, `expired` when a
 * request is first found past its deadline (once per request across instances sharing the store; a
 * request nobody looks at again after its deadline is not counted), and `replayed` when a desktop
 * whose answer was lost is given its redemption's result again.
 */
export interface FlowStep {
  type: LoginEvent["type"] | "expired" | "replayed";
  request: LoginRequest;
  at: number;
  /** With `redeemed`: ms from the stored approval (or a failed redemption's giving it back) to now. */
  sinceApprovalMs?: number;
}

/**
 * What to do when the phone and the desktop are on different networks (a relayed QR or an e-mailed
 * "approve and pick 42" looks like this — but so does a phone on mobile data): `allow` quietly, `warn`
 * on the card (default), `require-number` shown on the desktop, `refuse` the scan or approval, or
 * `passkey`: the phone may not approve, and the desktop signs in with the phone's passkey over the
 * platform's cross-device flow, which works only when the two are near each other (pushes and RFC 8628
 * devices, which cannot, are refused). An address the server could not see counts as a different
 * network for the last three.
 */
export type RelayPolicy = "allow" | "warn" | "require-number" | "refuse" | "passkey";

/** A passkey assertion sent with an approval, and the site it must have been made for. */
export interface PasskeyProof {
  assertion: PasskeyAssertion | undefined;
  site: WebAuthnSite;
}

/** Who made a call: its address, for limits, the relay policy and the audit trail. */
export interface Caller {
  /** `null` when unknown: then any rule that needs the address refuses (`ADDRESS_REQUIRED`). */
  ip: string | null;
}

/** What {@link LoginFlows} works with. */
export interface LoginFlowsDeps {
  store: LoginStore;
  notifier: Notifier;
  clock: Clock;
  random: RandomSource;
  lifetimes: Lifetimes;
  /** The deployment's scan keys (the first makes tokens): the same on every instance. */
  keys: readonly ScanKey[];
  limiter: RateLimiter;
  relayPolicy: RelayPolicy;
  /** How long "This wasn't me" blocks push requests to that account from that network, in ms. */
  notMeBlockMs: number;
  /** Per-IP limits count IPv6 callers by this prefix length. Default 64. */
  ipv6PrefixBits?: number;
  /** How long the host's `issueSession` may take before the redemption is given up and kept for a retry. Default 10 s. */
  hookTimeoutMs?: number;
  /** Checks passkey assertions with the host's passkeys; passkey approval and sign-in are off without it. */
  passkeys?: PasskeyCheck | undefined;
  /** Finds the account a push request names; push is off without it. */
  findUser?: ((login: string) => Promise<Approver | null> | Approver | null) | undefined;
  /** Sees every transition; its errors are reported to `onHookError`, never to the caller. */
  onEvent?: ((event: LoginEvent) => void | Promise<void>) | undefined;
  /** Told of failures no caller can be told of: a host hook's, a publish's, an audit write's. */
  onHookError?: ((error: unknown, requestId: string | null) => void) | undefined;
  /** Sees every {@link FlowStep}, for logs and metrics; with it, expiries are looked for on each read. */
  observe?: ((step: FlowStep) => void) | undefined;
  /**
   * How often each watched request is checked for a change whose message was lost, in ms: the most
   * a lost message delays a desktop. Default 5 s.
   */
  watchSweepMs?: number;
}

/** Key ids of other deployments' QRs this process says it saw, at most this many. */
const UNKNOWN_KEYS_LOGGED = 8;
/** A desktop is shown a new typed code at most this often. */
const SHOW_CODE_EVERY_MS = 1_000;
// Each attempt re-reads the request, so losing a race ends with the error the winner's change implies.
const MAX_ATTEMPTS = 3;
const NOBODY: Caller = { ip: null };

/** A timer that rejects after `ms`, for host hooks that may never settle. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The protocol's flows over a store: create → scan → approve / deny → redeem, cancel, and push.
 * Each step reads the request, lets the pure core plan the change (which throws the typed error
 * when the step is not allowed), applies it as a compare-and-set, publishes it and audits it.
 */
export class LoginFlows {
  readonly #deps: LoginFlowsDeps;
  readonly #unknownKeys = new Set<string>();
  readonly #sweep: WatchSweep;

  constructor(deps: LoginFlowsDeps) {
    this.#deps = deps;
    this.#sweep = WatchSweep.over(deps.store, deps.watchSweepMs ?? WATCH_SWEEP_MS, (error) =>
      deps.onHookError?.(error, null),
    );
  }

  /** Stops the flows' background work (the lost-message sweep); call it before the store closes. */
  close(): void {
    this.#sweep.close();
  }

  /** The lifetimes in force. */
  get lifetimes(): Lifetimes {
    return this.#deps.lifetimes;
  }

  /** Now, by the injected clock. */
  now(): number {
    return this.#deps.clock.now();
  }

  /**
   * Creates a request shown as a QR and a typed code (`qr`), a request for an RFC 8628 device
   * (`device`: its code cannot be refreshed on the device's screen, so it lives as long as the
   * request, `lifetimeMs` when given), or one the desktop signs in to with a passkey (`passkey`:
   * nothing to show, nothing to scan).
   */
  async create(
    input: {
      requester: RequesterContext;
      publicKey?: string | null;
      mode?: "qr" | "device" | "passkey";
      lifetimeMs?: number;
    },
    caller: Caller = NOBODY,
  ): Promise<CreatedLoginRequest> {
    if (input.mode === "passkey") this.#passkeys();
    await this.#deps.limiter.consume("createPerIp", this.#network(caller), this.now());
    return this.#insert(() => createLoginRequest(this.#deps, input), caller);
  }

  /**
   * Creates a push request for the account named `login`, bound to it and to a two-digit number the
   * desktop shows. The answer is the same whether or not the account exists, is blocked after
   * "This wasn't me", already has a push pending from this network or is over its limit: then the
   * request is a decoy that no phone hears of and that nobody can approve. Limits and blocks count per
   * account and requesting network, so an attacker's pushes never stop the user's own from arriving.
   */
  async createPush(
    input: { login: string; requester: RequesterContext; publicKey?: string | null },
    caller: Caller = NOBODY,
  ): Promise<CreatedLoginRequest> {
    const { findUser, limiter, lifetimes } = this.#deps;
    if (!findUser) throw new QrLoginError("PUSH_DISABLED", "Push approval is not enabled on this site.");
    const network = this.#network(caller);
    const now = this.now();
    await limiter.consume("createPerIp", network, now);
    const user = await findUser(input.login);
    // The same reads and writes happen for unknown accounts, so timing does not tell them apart.
    const subject = `${user ? user.userId : `unknown:${input.login}`}@${network}`;
    const blocked = await limiter.blocked(`push:${subject}`, now);
    const slot = await limiter.holdSlot(`push:${subject}`, lifetimes.pending, now);
    const counted = await limiter.take("pushPerAccount", subject, now);
    const allowed = user !== null && !blocked && slot && counted.within;
    if (slot && !allowed) await limiter.releaseSlot(`push:${subject}`, now);
    if (user && !allowed) {
      await this.#audit("push_suppressed", null, user.userId, caller, { blocked, pending: !slot });
    }
    const approverId = user && allowed ? user.userId : null;
    const created = await this.#insert(() => createPushRequest(this.#deps, { ...input, approverId }), caller);
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
    if (this.#deps.observe && statusOf(request, this.now()) === "expired") await this.#expired(request);
    return request;
  }

  /** Reports an expiry once: the first reader on any instance takes the store's one count for it. */
  async #expired(request: LoginRequest): Promise<void> {
    const now = this.now();
    const first = await this.#deps.store
      .hit(`expired:${request.id}`, this.lifetimes.retention, now)
      .then((counter) => counter.count === 1)
      .catch((error: unknown) => {
        this.#deps.onHookError?.(error, request.id);
        return false;
      });
    if (first) this.#observe({ type: "expired", request, at: now });
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
   * The desktop asks to show a typed code (the person cannot scan): a new code for its pending QR
   * request, in plain text for the screen, working for `lifetimes.scanToken` (plus the grace). Only
   * desktops that ask write anything; a waiting desktop holds no code a guesser could hit.
   */
  async showUserCode(
    id: string,
    browserSecret: string | undefined,
  ): Promise<{ request: LoginRequest; userCode: string; validUntil: number }> {
    for (let attempt = 1; ; attempt++) {
      const request = await this.authenticateBrowser(id, browserSecret);
      const now = this.now();
      // Each new code is a write: a desktop gets one a second at most, however often it asks.
      if (now < request.userCodeIssuedAt + SHOW_CODE_EVERY_MS) {
        throw new QrLoginError("slow_down", "A code was shown a moment ago; ask again in a second.");
      }
      const userCode = generateUserCode(this.#deps.random);
      const { guard, patch } = planUserCode(request, hashSecret(userCode), now, this.lifetimes);
      let shown: LoginRequest | null;
      try {
        shown = await this.#deps.store.transition(id, guard, patch);
      } catch (error) {
        // One chance in billions: the new code is another request's.
        if (error instanceof UserCodeTakenError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      if (shown) return { request: shown, userCode, validUntil: now + this.lifetimes.scanToken };
      if (attempt >= MAX_ATTEMPTS) throw new QrLoginError("slow_down", "The request is changing; ask again.");
    }
  }

  /**
   * The phone scanned a QR: claims the request for the approver. The token names its request and
   * period, so it is checked with one read and no index: its MAC under the deployment's secret, then
   * its period against the clock.
   */
  async scanToken(scanToken: string, approver: Approver, caller: Caller = NOBODY): Promise<LoginRequest> {
    await this.#limitScan(approver, caller);
    const claim = readScanToken(scanToken);
    const check = claim ? checkScanToken(this.#deps.keys, claim) : "forged";
    if (claim && check === "unknown-key") this.#unknownKey(claim.keyId.toString("hex"), claim.requestId);
    const found = claim && check === "valid" ? await this.#deps.store.get(claim.requestId) : null;
    if (!claim || !found) throw new QrLoginError("SCAN_TOKEN_INVALID", "This QR code is not a valid sign-in code.");
    if (found.state === "pending" && !scanPeriodWorks(found, claim.period, this.now(), this.lifetimes)) {
      throw new QrLoginError("expired_token", "This QR code has changed. Scan the code on the screen again.");
    }
    return this.#claim(found, approver, caller);
  }

  /**
   * Says once per key id that a QR of another deployment secret was scanned: most likely an instance
   * set up with another `QRLOGIN_SECRET`, though anyone can make such a token, so the log is bounded.
   */
  #unknownKey(keyId: string, requestId: string): void {
    if (this.#unknownKeys.has(keyId) || this.#unknownKeys.size >= UNKNOWN_KEYS_LOGGED) return;
    this.#unknownKeys.add(keyId);
    this.#deps.onHookError?.(
      new Error(
        `a QR made with another deployment secret (key id ${keyId}) was scanned: unless it is a forgery, give every instance the same QRLOGIN_SECRET`,
      ),
      requestId,
    );
  }

  /**
   * The phone's user typed the code shown on the desktop: claims the request for the approver.
   * Each attempt counts against the approver, the IP and the deployment before it is looked up, and
   * is given back once it claims (RFC 8628 §5.1). When the deployment's budget is spent, a code claims
   * only from the network of the screen that shows it, so other people's misses lock nobody out.
   */
  async scanUserCode(typed: string, approver: Approver, caller: Caller = NOBODY): Promise<LoginRequest> {
    const { limiter } = this.#deps;
    const network = this.#network(caller);
    await this.#limitScan(approver, caller);
    const now = this.now();
    const taken: [keyof RateLimiter["limits"], string][] = [];
    const giveBack = () => Promise.all(taken.map(([name, subject]) => limiter.giveBack(name, subject, now)));
    let left = 0;
    for (const [name, subject] of [
      ["codeMissesPerApprover", approver.userId],
      ["codeMissesPerIp", network],
    ] as const) {
      const counted = await limiter.take(name, subject, now);
      if (!counted.within) {
        await giveBack();
        throw rateLimitedCodes(counted.resetAt, now);
      }
      taken.push([name, subject]);
      left = name === "codeMissesPerApprover" ? counted.left : left;
    }
    const global = await limiter.take("codeMissesGlobal", "all", now);
    taken.push(["codeMissesGlobal", "all"]);
    const code = normalizeUserCode(typed);
    const codeHash = code ? hashSecret(code) : null;
    const found = codeHash ? await this.#deps.store.findByUserCodeHash(codeHash) : null;
    if (!found || !codeHash || !userCodeWorks(found, codeHash, this.now(), this.lifetimes)) {
      await this.#audit("code_miss", null, approver.userId, caller, { left, guarded: !global.within });
      throw new QrLoginError(
        "USER_CODE_INVALID",
        `No sign-in request has this code. Check it and try again${left > 0 ? ` (${left} tries left)` : ""}.`,
      );
    }
    await giveBack();
    if (!global.within && sameNetwork(found.requester.ip, caller.ip) !== true) {
      // A right code, but from afar while guessers are about: it claims nothing, and costs its typist nothing.
      await this.#audit("code_guarded", found.id, approver.userId, caller, {});
      throw new QrLoginError(
        "NETWORK_MISMATCH",
        "Typed codes are accepted only from the network of the screen that shows them right now. Scan the QR code instead.",
      );
    }
    return this.#claim(found, approver, caller);
  }

  async #limitScan(approver: Approver, caller: Caller): Promise<void> {
    const { limiter } = this.#deps;
    const now = this.now();
    await limiter.consume("scanPerIp", this.#network(caller), now);
    await limiter.consume("scanPerApprover", approver.userId, now);
    await limiter.consume("scanGlobal", "all", now);
  }

  /** The scan itself, under the relay policy. */
  async #claim(found: LoginRequest, approver: Approver, caller: Caller): Promise<LoginRequest> {
    const policy = this.#deps.relayPolicy;
    // Under the strict policies an unknown address counts as another network: they fail closed.
    const differentNetwork = sameNetwork(found.requester.ip, caller.ip) !== true;
    // A device cannot use a passkey, so the passkey policy refuses it where it would turn a QR to passkey.
    const passkeyOnly = differentNetwork && policy === "passkey";
    const refuse = policy === "refuse" || (passkeyOnly && found.mode === "device");
    if (differentNetwork && refuse && found.state === "pending") {
      await this.#audit("relay_refused", found.id, approver.userId, caller, { requesterIp: found.requester.ip });
      throw networkMismatch();
    }
    const comparison =
      differentNetwork && policy === "require-number" ? generateComparisonNumber(this.#deps.random) : null;
    return this.#apply(found.id, caller, (r, now) =>
      planScan(r, approver, now, this.lifetimes, comparison, passkeyOnly),
    );
  }

  /**
   * The approver approves the request they scanned (or the push sent to them). When the request asks
   * for the number on the desktop, there is one try: a wrong number ends the request (`WRONG_NUMBER`)
   * and raises an alert on the account. A push from another network obeys the relay policy like a scan.
   * When the host's `approval.userVerification` asks for it, `passkey` carries the approver's assertion,
   * verified before anything changes and bound to the request at the version it was verified for.
   */
  async approve(
    id: string,
    approver: Approver,
    number?: number,
    caller: Caller = NOBODY,
    passkey?: PasskeyProof,
  ): Promise<LoginRequest> {
    let refused = false;
    const plan = (r: LoginRequest, now: number) => {
      if (this.#relayRefusesPush(r, caller)) {
        refused = true;
        throw networkMismatch();
      }
      return planApprove(r, approver, number, now, this.lifetimes);
    };
    const updated = await this.#verifyApproval(id, approver, plan, passkey)
      .then((version) =>
        this.#apply(id, caller, (r, now) => {
          const transition = plan(r, now);
          return version === null ? transition : { ...transition, guard: { ...transition.guard, version } };
        }),
      )
      .catch(async (error: unknown) => {
        if (refused) await this.#audit("relay_refused", id, approver.userId, caller, {});
        throw error;
      });
    if (updated.state === "denied" && updated.deniedReason === WRONG_NUMBER_REASON) {
      await this.#alert(WRONG_NUMBER_REASON, updated, approver.userId, caller);
      throw new QrLoginError(
        "WRONG_NUMBER",
        "That is not the number on the screen, so the sign-in was stopped. If you did not start it, someone may be trying to get in.",
        { triesLeft: 0 },
      );
    }
    return updated;
  }

  /**
   * Verifies the passkey an approval must carry, before anything changes: the version of the request it
   * was verified for, or `null` when the host asks for none (or, under `preferred`, none was sent). A
   * replayed assertion is refused first, whatever became of its request; then the step's own errors
   * (state, account, relay) come before the passkey's.
   */
  async #verifyApproval(
    id: string,
    approver: Approver,
    plan: (request: LoginRequest, now: number) => Transition,
    passkey: PasskeyProof | undefined,
  ): Promise<number | null> {
    const check = this.#deps.passkeys;
    const userVerification = check?.hooks.userVerification ?? "off";
    if (!check || userVerification === "off") return null;
    const assertion = passkey?.assertion;
    if (assertion) await check.refuseReplay(assertion, this.now());
    const request = await this.get(id);
    plan(request, this.now());
    if (!assertion || !passkey) {
      if (userVerification === "preferred") return null;
      throw new QrLoginError("PASSKEY_REQUIRED", "Approving needs this account's passkey: send its assertion.");
    }
    const now = this.now();
    await check.verify(request, assertion, { userId: approver.userId, site: passkey.site, userVerification, now });
    return request.version;
  }

  /**
   * The WebAuthn options the phone asks its passkey with before approving request `id`: the challenge
   * bound to the request as it is now, and the approver's passkeys. The step's own errors come first,
   * so a phone that could not approve is told why before any passkey prompt.
   */
  async approvalOptions(
    id: string,
    approver: Approver,
    site: WebAuthnSite,
    caller: Caller = NOBODY,
  ): Promise<PasskeyChallenge> {
    const check = this.#passkeys();
    const userVerification = check.hooks.userVerification;
    if (userVerification === "off") {
      throw new QrLoginError("PASSKEY_DISABLED", "This site does not ask for a passkey to approve.");
    }
    const request = await this.get(id);
    if (this.#relayRefusesPush(request, caller)) throw networkMismatch();
    planApprove(request, approver, undefined, this.now(), this.lifetimes);
    return check.options(request, approver.userId, site, userVerification);
  }

  /** Whether the relay policy refuses approving this push from the caller's network (`refuse`, `passkey`). */
  #relayRefusesPush(request: LoginRequest, caller: Caller): boolean {
    const policy = this.#deps.relayPolicy;
    if (request.mode !== "push" || (policy !== "refuse" && policy !== "passkey")) return false;
    return sameNetwork(request.requester.ip, caller.ip) !== true;
  }

  /**
   * The WebAuthn options the desktop asks a passkey with to sign in to its `passkey` request: any of
   * the site's passkeys while pending, its approver's once a phone on another network scanned it.
   */
  async passkeySignInOptions(
    id: string,
    browserSecret: string | undefined,
    site: WebAuthnSite,
  ): Promise<PasskeyChallenge> {
    const check = this.#passkeys();
    const request = await this.authenticateBrowser(id, browserSecret);
    checkPasskeySignIn(request, this.now());
    // The desktop is not told whose passkeys they are: the browser's own dialog finds them.
    return check.options(request, null, site, "required");
  }

  /**
   * The desktop signs in with a passkey (the phone's, through the platform's cross-device flow): the
   * assertion, always with user verification, is verified against the request at the version read,
   * and approves it for the passkey's account — or, once scanned, only for the approver it is bound to.
   * The desktop then redeems it as it would a phone's approval.
   */
  async signInWithPasskey(
    id: string,
    browserSecret: string | undefined,
    assertion: PasskeyAssertion,
    site: WebAuthnSite,
    caller: Caller = NOBODY,
  ): Promise<LoginRequest> {
    const check = this.#passkeys();
    const request = await this.authenticateBrowser(id, browserSecret);
    await check.refuseReplay(assertion, this.now());
    checkPasskeySignIn(request, this.now());
    const owner = await check.verify(request, assertion, {
      userId: request.approverId,
      site,
      userVerification: "required",
      now: this.now(),
    });
    return this.#apply(id, caller, (r, now) => planPasskeySignIn(r, owner, request.version, now, this.lifetimes));
  }

  /** The passkey check, or `PASSKEY_DISABLED` when the host gave no passkeys. */
  #passkeys(): PasskeyCheck {
    const check = this.#deps.passkeys;
    if (!check) throw new QrLoginError("PASSKEY_DISABLED", "Passkeys are not enabled on this site.");
    return check;
  }

  /**
   * The approver refuses the request. "This wasn't me" (`not_me`) also records an alert for the
   * account and, for push, blocks further push requests to it from that network for `notMeBlockMs`.
   */
  async deny(
    id: string,
    approver: Approver,
    reason: string | null = null,
    caller: Caller = NOBODY,
  ): Promise<LoginRequest> {
    const denied = await this.#apply(id, caller, (r, now) => planDeny(r, approver, reason, now));
    if (reason === "not_me") {
      if (denied.mode === "push" && denied.requester.ip) {
        const subject = `${approver.userId}@${this.#networkOf(denied.requester.ip)}`;
        await this.#deps.limiter.block(`push:${subject}`, this.#deps.notMeBlockMs, this.now());
      }
      await this.#alert("not_me", denied, approver.userId, caller);
    }
    return denied;
  }

  /**
   * The desktop redeems its approval and `signIn` (the host's hook) signs it in — exactly once, and
   * never lost: the request is leased (`redeeming`) while `signIn` runs; if it throws or does not
   * settle within `hookTimeoutMs`, the lease is given back (`approved`) and the desktop may try again
   * (`SESSION_FAILED`); if the process dies meanwhile, the desktop may take the lease over once it
   * ended. With a browser key, `signature` must prove possession before anything changes.
   *
   * `signIn`'s result must be JSON: it is written with `redeemed`, sealed for the browser secret, so
   * that the same desktop redeeming again within `lifetimes.redemption` (its answer was lost to a
   * crash or a dropped connection) gets the same result back, its JSON copy, without a second
   * `signIn` and without any change to the request. Anyone else, or later, gets `ALREADY_REDEEMED`.
   */
  async redeem<T>(
    id: string,
    browserSecret: string | undefined,
    signature: string | undefined,
    caller: Caller,
    signIn: (request: LoginRequest) => Promise<T> | T,
  ): Promise<{ request: LoginRequest; session: T }> {
    const request = await this.authenticateBrowser(id, browserSecret);
    checkBrowserKeyProof(request.publicKey, id, signature);
    const secret = browserSecret as string;
    const replayed = this.#replay<T>(request, secret, caller);
    if (replayed) return replayed;
    // An approved record was last changed by its approval; a lease taken over has lost that time.
    const approvedAt = request.state === "approved" ? request.updatedAt : null;
    let leased: LoginRequest;
    try {
      leased = await this.#apply(id, caller, (r, now) => planRedeemStart(r, now, this.lifetimes), false);
    } catch (error) {
      // This desktop's other redemption may have finished since the read above.
      const again = isAlreadyRedeemed(error) ? this.#replay<T>(await this.get(id), secret, caller) : null;
      if (again) return again;
      throw error;
    }
    let session: T;
    let sealed: string;
    try {
      // The hook's time counts from the lease, not from now: a slow publish of the lease must not
      // let the hook outlive it, or a second redemption could take the lease over while it runs.
      const left = leased.updatedAt + (this.#deps.hookTimeoutMs ?? 10_000) - this.now();
      if (left <= 0) throw new Error("issueSession was not started: the lease's time went on publishing it");
      session = await withTimeout(
        Promise.resolve().then(() => signIn(leased)),
        left,
        "issueSession",
      );
      // Sealed before anything is written: a result that is not JSON fails like the hook itself.
      sealed = sealRedemption(session, secret, id, this.#deps.random);
    } catch (error) {
      const { guard, patch } = planRedeemRelease(leased, this.now(), this.lifetimes);
      const released = await this.#deps.store.transition(id, guard, patch).catch((e: unknown) => {
        this.#deps.onHookError?.(e, id);
        return null;
      });
      if (released) await this.#publish(released);
      if (error instanceof QrLoginError) throw error;
      this.#deps.onHookError?.(error, id);
      throw new QrLoginError(
        "SESSION_FAILED",
        "The sign-in was approved but the session could not be started. The approval is kept: try again.",
      );
    }
    const { guard, patch } = planRedeemFinish(leased, sealed, this.now());
    const redeemed = await this.#deps.store.transition(id, guard, patch);
    if (!redeemed) {
      // Only if this redemption outlived its lease and another took it over: both signed in.
      this.#deps.onHookError?.(new Error("the redemption outlived its lease: another redemption took it over"), id);
      return { request: leased, session };
    }
    await this.#publish(redeemed, redeemed.approverId);
    this.#report("redeemed", redeemed, caller, approvedAt === null ? undefined : redeemed.updatedAt - approvedAt);
    if (redeemed.approverId) await this.#alert("new_device", redeemed, redeemed.approverId, caller);
    return { request: redeemed, session };
  }

  /**
   * The result of a redemption of `request` again, if it is redeemed, recently enough, and sealed
   * for `browserSecret`; reported as `replayed`, with no change, no `signIn` and no alert.
   */
  #replay<T>(
    request: LoginRequest,
    browserSecret: string,
    caller: Caller,
  ): { request: LoginRequest; session: T } | null {
    const sealed = replayableRedemption(request, this.now(), this.lifetimes);
    const session = sealed === null ? undefined : openRedemption(sealed, browserSecret, request.id);
    if (session === undefined) return null;
    void this.#audit("replayed", request.id, request.approverId, caller, { mode: request.mode });
    this.#observe({ type: "replayed", request, at: this.now() });
    return { request, session: session as T };
  }

  /** The desktop gives up on its request. */
  async cancel(id: string, browserSecret: string | undefined, caller: Caller = NOBODY): Promise<LoginRequest> {
    await this.authenticateBrowser(id, browserSecret);
    return this.#apply(id, caller, (r, now) => planCancel(r, now));
  }

  /**
   * An RFC 8628 device polls with its device code, the request's id and browser secret: the code must
   * have been issued to `clientId` (else `invalid_grant`), be polled at most once per `intervalMs`
   * (else `slow_down`) and be approved (else `authorization_pending`); then it is redeemed like a
   * desktop's, `signIn` signing the device in once: a poll repeated within `lifetimes.redemption`
   * gets the same tokens again (a device whose answer was lost), a later one `invalid_grant`.
   */
  async pollDevice<T>(
    id: string,
    secret: string,
    clientId: string,
    intervalMs: number,
    caller: Caller,
    signIn: (request: LoginRequest) => Promise<T> | T,
  ): Promise<{ request: LoginRequest; session: T }> {
    const request = await this.authenticateBrowser(id, secret).catch(() => {
      throw new QrLoginError("invalid_grant", "Unknown device_code.");
    });
    // RFC 6749 §5.2: a code issued to another client is an invalid grant (and a browser's request has none).
    if (request.requester.client?.id !== clientId) {
      throw new QrLoginError("invalid_grant", "This device_code was not issued to this client_id.");
    }
    if (!(await this.#deps.limiter.holdSlot(`poll:${id}`, intervalMs, this.now()))) {
      throw new QrLoginError("slow_down", `Poll at most every ${intervalMs / 1000} s.`);
    }
    const status = statusOf(request, this.now());
    if (status === "pending" || status === "scanned") {
      throw new QrLoginError("authorization_pending", "Waiting for approval on the phone.");
    }
    return this.redeem(id, secret, undefined, caller, signIn).catch((error: unknown) => {
      // RFC 6749 §5.2: a grant already used (past the window in which its device is answered again).
      if (isAlreadyRedeemed(error)) throw new QrLoginError("invalid_grant", "This device_code was already used.");
      throw error;
    });
  }

  /**
   * Calls `listener` whenever request `id` may have changed, on any instance, until the returned stop
   * is called. Resolves once listening, so a read made after it misses no change; the listener
   * re-reads the request, since a message says only that something changed. Should the message be
   * lost, the sweep finds the change within `watchSweepMs` by the version: `seen` tells it the
   * version the listener last read.
   */
  async watchRequest(id: string, listener: () => void, seen: () => number): Promise<() => Promise<void>> {
    const unsubscribe = await this.#deps.notifier.subscribe(channels.request(id), () => listener());
    const unsweep = this.#sweep.add(id, listener, seen);
    return () => {
      unsweep();
      return unsubscribe();
    };
  }

  /**
   * Calls `listener` whenever the push requests or alerts of approver `userId` may have changed, until
   * the returned stop is called; resolves once listening, like {@link watchRequest}.
   */
  watchApprover(userId: string, listener: () => void): Promise<() => Promise<void>> {
    return this.#deps.notifier.subscribe(channels.approver(userId), () => listener());
  }

  /** The live push requests waiting for this approver. */
  listPushRequests(approver: Approver): Promise<LoginRequest[]> {
    return this.#deps.store.listPushRequests(approver.userId, this.now());
  }

  /** The newest alerts of an account (new devices, "This wasn't me", wrong numbers), newest first. */
  listAlerts(userId: string, limit = 10): Promise<Alert[]> {
    return this.#deps.store.listAlerts(userId, limit);
  }

  /** Deletes requests that finished or expired longer than `lifetimes.retention` ago. */
  async purge(): Promise<number> {
    return this.#deps.store.purge(this.now() - this.lifetimes.retention);
  }

  /** The key a caller's per-IP limits count under; `ADDRESS_REQUIRED` when the address is unknown. */
  #network(caller: Caller): string {
    if (!caller.ip) {
      throw new QrLoginError(
        "ADDRESS_REQUIRED",
        "The server could not tell the caller's address, which its rate limits need: pass info.ip to handler().",
      );
    }
    return this.#networkOf(caller.ip);
  }

  #networkOf(ip: string): string {
    return networkKey(ip, this.#deps.ipv6PrefixBits ?? 64);
  }

  async #apply(
    id: string,
    caller: Caller,
    plan: (request: LoginRequest, now: number) => Transition,
    report = true,
  ): Promise<LoginRequest> {
    for (let attempt = 1; ; attempt++) {
      const request = await this.get(id);
      const { guard, patch } = plan(request, this.now());
      const updated = await this.#deps.store.transition(id, guard, patch);
      if (updated) {
        await this.#leftPush(request, updated);
        await this.#publish(updated, updated.mode === "push" ? updated.approverId : null);
        const { state } = updated;
        if (report && state !== "redeeming" && state !== "pending") this.#report(state, updated, caller);
        return updated;
      }
      if (attempt === MAX_ATTEMPTS) {
        throw new QrLoginError("ALREADY_DECIDED", "The request changed while this was being done; try again.");
      }
    }
  }

  /** A push that stops waiting frees its network's slot, so the next push from there reaches the phone. */
  async #leftPush(before: LoginRequest, after: LoginRequest): Promise<void> {
    if (after.mode !== "push" || before.state !== "scanned" || after.state === "scanned") return;
    if (!after.approverId || !after.requester.ip) return;
    await this.#deps.limiter.releaseSlot(`push:${after.approverId}@${this.#networkOf(after.requester.ip)}`, this.now());
  }

  /** Tells the desktop's stream, and for push the approver's phones, that the request changed. */
  async #publish(request: LoginRequest, approverId: string | null = null): Promise<void> {
    const message = { requestId: request.id, version: request.version };
    try {
      await this.#deps.notifier.publish(channels.request(request.id), message);
      if (approverId) await this.#deps.notifier.publish(channels.approver(approverId), message);
    } catch (error) {
      // The change is stored; a stream that missed the message sees it on its next read.
      this.#deps.onHookError?.(error, request.id);
    }
  }

  /** Records an alert for the account and tells its phones. */
  async #alert(reason: string, request: LoginRequest, userId: string, caller: Caller): Promise<void> {
    try {
      await this.#deps.store.appendAlert({
        at: this.now(),
        userId,
        reason,
        requestId: request.id,
        ip: caller.ip,
        detail: { mode: request.mode, requester: request.requester },
      });
    } catch (error) {
      this.#deps.onHookError?.(error, request.id);
    }
    await this.#publish(request, userId);
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
      this.#deps.onHookError?.(error, requestId);
    }
  }

  #report(type: LoginEvent["type"], request: LoginRequest, caller: Caller, sinceApprovalMs?: number): void {
    const { onEvent, onHookError } = this.#deps;
    // The trail is read per account: a step no account is bound to yet (a new QR request) would be a
    // write on the hottest path that nobody can ever list.
    if (request.approverId !== null) {
      void this.#audit(type, request.id, request.approverId, caller, { mode: request.mode, state: request.state });
    }
    const at = this.now();
    this.#observe(sinceApprovalMs === undefined ? { type, request, at } : { type, request, at, sinceApprovalMs });
    if (!onEvent) return;
    try {
      Promise.resolve(onEvent({ type, request, at })).catch((error) => onHookError?.(error, request.id));
    } catch (error) {
      onHookError?.(error, request.id);
    }
  }

  /** Tells the observer; a failing one is reported, never felt by the caller. */
  #observe(step: FlowStep): void {
    try {
      this.#deps.observe?.(step);
    } catch (error) {
      this.#deps.onHookError?.(error, step.request.id);
    }
  }
}

function isAlreadyRedeemed(error: unknown): boolean {
  return error instanceof QrLoginError && error.code === "ALREADY_REDEEMED";
}

function networkMismatch(): QrLoginError {
  return new QrLoginError(
    "NETWORK_MISMATCH",
    "This sign-in was started on another network. For your safety, approve only sign-ins from a screen in front of you.",
  );
}

function rateLimitedCodes(resetAt: number, now: number): QrLoginError {
  return rateLimited(resetAt, now, "Too many wrong codes. Wait before trying again.");
}
