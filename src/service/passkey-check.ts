import { approvalBinding, challengeOf } from "../core/approval-challenge.ts";
import { type ErrorCode, QrLoginError } from "../core/errors.ts";
import type { LoginRequest } from "../core/login-request.ts";
import type { Approver } from "../core/transitions.ts";
import type { LoginStore } from "../store/login-store.ts";
import type { PasskeyAssertion, PasskeyChallenge, PasskeyRequestOptions } from "../wire.ts";

/** One of the approver's passkeys, as the host stores it (the shape `@simplewebauthn/server` verifies against). */
export interface PasskeyCredential {
  /** The credential id, base64url. */
  id: string;
  /** The COSE public key the passkey registered with. */
  publicKey: Uint8Array;
  /** The signature counter last seen (0 for passkeys that keep none). */
  counter: number;
  /** Where the passkey can be reached (`internal`, `hybrid`, `usb`…), as the browser reported at registration. */
  transports?: string[];
}

/** Whether approving on the phone needs a passkey assertion: `required` with user verification, `preferred`, or `off`. */
export type ApprovalVerification = "required" | "preferred" | "off";

/** Passkeys as proof of presence: the `approval` option of `createQrLogin`. */
export interface ApprovalOptions {
  /**
   * Whether the phone approves with a passkey assertion bound to the request: `required` (user-verified), `preferred` or `off`.
   * `required` takes only an assertion whose authenticator verified the user (fingerprint, face, PIN);
   * under `preferred` an account with no passkey, or a phone that sends none, still approves.
   * @defaultValue {@link DEFAULTS}.approval.userVerification
   */
  userVerification?: ApprovalVerification;
  /**
   * The approver's passkeys, from the host's own table: `[{ id, publicKey, counter, transports }]`.
   * Needed by `userVerification`, by passkey sign-in on the desktop and by `relayPolicy: "passkey"`.
   * @defaultValue none (passkeys off)
   */
  credentials?: (userId: string) => Promise<PasskeyCredential[]> | PasskeyCredential[];
  /**
   * Stores a passkey's new signature counter once an assertion is accepted, so a cloned passkey shows.
   * @defaultValue none
   */
  updateCounter?: (credentialId: string, counter: number, userId: string) => void | Promise<void>;
  /**
   * The account a discoverable passkey's user handle (base64url) names, for passkey sign-in on the desktop.
   * @defaultValue its text is the user id
   */
  findUserByHandle?: (userHandle: string) => Promise<Approver | null> | Approver | null;
  /**
   * The WebAuthn RP ID the passkeys were registered for.
   * @defaultValue `origin`'s host name
   */
  rpId?: string;
  /**
   * The origins assertions may be made on.
   * @defaultValue `origin`, `extraOrigins`
   */
  origins?: string[];
}

/** The host's side of passkey checks: its own table of passkeys, read through hooks. */
export interface PasskeyHooks {
  userVerification: ApprovalVerification;
  credentials(userId: string): Promise<PasskeyCredential[]> | PasskeyCredential[];
  updateCounter?: ((credentialId: string, counter: number, userId: string) => void | Promise<void>) | undefined;
  findUserByHandle?: ((userHandle: string) => Promise<Approver | null> | Approver | null) | undefined;
}

/** The relying party an assertion must name: its RP ID and the origins its pages are served from. */
export interface WebAuthnSite {
  rpId: string;
  origins: string[];
}

/** How long a ceremony may take in the browser, in ms (what WebAuthn's `timeout` asks for). */
const CEREMONY_MS = 120_000;

type WebAuthnServer = typeof import("@simplewebauthn/server");
let server: Promise<WebAuthnServer> | undefined;

/**
 * `@simplewebauthn/server`, an optional peer dependency, loaded on the first assertion to verify: a
 * host that uses no passkeys never needs it. A missing package is an error that names it.
 */
function webAuthnServer(): Promise<WebAuthnServer> {
  server ??= import("@simplewebauthn/server").catch((error: unknown) => {
    server = undefined;
    throw new Error(
      "qrlogin: passkey approval needs the package @simplewebauthn/server (an optional peer dependency): npm install @simplewebauthn/server",
      { cause: error },
    );
  });
  return server;
}

const refused = (code: ErrorCode, text: string) => new QrLoginError(code, text);

/** The challenge an assertion carries, read from its client data; `null` when that is not readable. */
function challengeIn(assertion: PasskeyAssertion): string | null {
  try {
    const data = JSON.parse(Buffer.from(assertion.response.clientDataJSON, "base64url").toString("utf8"));
    return typeof data?.challenge === "string" ? data.challenge : null;
  } catch {
    return null;
  }
}

/**
 * Checks passkey assertions against the request they must be bound to: each refusal has its own
 * code and happens before anything changes. A challenge is accepted once, recorded in the store
 * (one atomic count, so two instances cannot both accept it), and a signature counter that did
 * not move forward is a replay too.
 */
export class PasskeyCheck {
  constructor(
    readonly hooks: PasskeyHooks,
    private readonly store: Pick<LoginStore, "hit" | "peekCounter">,
    /** How long a used challenge is remembered, in ms: at least as long as any version of a request lives. */
    private readonly rememberMs: number,
    private readonly onHookError: (error: unknown) => void,
  ) {}

  /**
   * The WebAuthn options for an assertion about `request` as read: its challenge, and the passkeys of
   * `userId` the phone may use. `publicKey` is `null` when that account has none the host knows. With
   * `userId` null (the desktop's passkey sign-in) the browser may offer any passkey of the site.
   */
  async options(
    request: LoginRequest,
    userId: string | null,
    site: WebAuthnSite,
    userVerification: "required" | "preferred",
  ): Promise<PasskeyChallenge> {
    const binding = approvalBinding(request);
    const publicKey: PasskeyRequestOptions = {
      challenge: challengeOf(binding),
      rpId: site.rpId,
      allowCredentials: [],
      userVerification,
      timeout: CEREMONY_MS,
    };
    if (userId === null) return { userVerification, publicKey: { ...publicKey, hints: ["hybrid"] }, binding };
    const credentials = await this.hooks.credentials(userId);
    if (credentials.length === 0) return { userVerification, publicKey: null, binding };
    publicKey.allowCredentials = credentials.map(({ id, transports }) => ({
      id,
      type: "public-key" as const,
      ...(transports ? { transports } : {}),
    }));
    // The phone answers with its own passkey, not one reached over yet another cross-device flow.
    return { userVerification, publicKey: { ...publicKey, hints: ["client-device"] }, binding };
  }

  /** Refuses an assertion whose challenge was already accepted, whatever has happened to its request since. */
  async refuseReplay(assertion: PasskeyAssertion, now: number): Promise<void> {
    const challenge = challengeIn(assertion);
    if (challenge && (await this.store.peekCounter(usedKey(challenge), now))) throw replayed();
  }

  /**
   * Verifies `assertion` for `request` as read: made for its challenge, by a passkey of `userId` (or,
   * with `userId` null, of the account its user handle names), signed for this site, with user
   * verification when `userVerification` is `required`, and never accepted before. Returns the
   * approver whose passkey it is; throws a refusal with its own code otherwise.
   */
  async verify(
    request: LoginRequest,
    assertion: PasskeyAssertion,
    options: { userId: string | null; site: WebAuthnSite; userVerification: "required" | "preferred"; now: number },
  ): Promise<Approver> {
    const expected = challengeOf(approvalBinding(request));
    if (challengeIn(assertion) !== expected) {
      throw refused(
        "PASSKEY_CHALLENGE_MISMATCH",
        "This passkey answer was made for another sign-in, or for an earlier state of this one.",
      );
    }
    const owner = await this.#owner(assertion, options.userId);
    const credential = owner && (await this.hooks.credentials(owner.userId)).find((c) => c.id === assertion.id);
    if (!owner || !credential) {
      throw refused("PASSKEY_UNKNOWN_CREDENTIAL", "This passkey is not one of this account's passkeys.");
    }
    const { verifyAuthenticationResponse } = await webAuthnServer();
    // User verification and the counter are judged below, once the signature is known to be good, so
    // that a forged assertion is told "invalid" whatever flags and counter it claims.
    const result = await verifyAuthenticationResponse({
      response: {
        ...assertion,
        response: { ...assertion.response, userHandle: assertion.response.userHandle ?? undefined },
      },
      expectedChallenge: expected,
      expectedOrigin: options.site.origins,
      expectedRPID: options.site.rpId,
      credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: 0 },
      requireUserVerification: false,
    }).catch(() => null);
    if (!result?.verified) {
      throw refused("PASSKEY_INVALID", "This passkey answer could not be verified for this site.");
    }
    if (options.userVerification === "required" && !result.authenticationInfo.userVerified) {
      throw refused(
        "PASSKEY_USER_NOT_VERIFIED",
        "The passkey did not verify who you are (fingerprint, face or PIN), which this sign-in needs.",
      );
    }
    const counter = result.authenticationInfo.newCounter;
    if ((counter > 0 || credential.counter > 0) && counter <= credential.counter) throw replayed();
    const used = await this.store.hit(usedKey(expected), this.rememberMs, options.now);
    if (used.count > 1) throw replayed();
    try {
      await this.hooks.updateCounter?.(credential.id, counter, owner.userId);
    } catch (error) {
      // The assertion is good; a counter not saved only weakens the next replay check, which the record above covers.
      this.onHookError(error);
    }
    return owner;
  }

  /** Whose passkey the assertion claims to be: the bound approver, else the account its user handle names. */
  async #owner(assertion: PasskeyAssertion, userId: string | null): Promise<Approver | null> {
    if (userId !== null) return { userId };
    const handle = assertion.response.userHandle;
    if (!handle) return null;
    if (this.hooks.findUserByHandle) return this.hooks.findUserByHandle(handle);
    const id = Buffer.from(handle, "base64url").toString("utf8");
    return id ? { userId: id } : null;
  }
}

const usedKey = (challenge: string) => `passkey-used:${challenge}`;

function replayed(): QrLoginError {
  return refused("PASSKEY_REPLAYED", "This passkey answer was already used; a new one is needed.");
}
