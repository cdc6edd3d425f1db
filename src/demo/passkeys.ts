import { randomBytes, randomUUID } from "node:crypto";
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { AccountError, type Accounts, type User } from "./accounts.ts";

/** A ceremony in progress: its challenge and, for registration, the account to make once it succeeds. */
interface Ceremony {
  challenge: string;
  newUser: User | null;
  expiresAt: number;
}

const CEREMONY_MS = 5 * 60_000;

/**
 * Passkey sign-up and sign-in with `@simplewebauthn/server`. Each ceremony is keyed by a random
 * id the browser keeps in a short-lived cookie, so its challenge is used once, by that browser.
 */
export class Passkeys {
  readonly #ceremonies = new Map<string, Ceremony>();

  constructor(
    private readonly accounts: Accounts,
    private readonly rpName: string,
  ) {}

  /** The registration options for a new account (made only when the passkey is verified), with the ceremony id. */
  async startRegistration(email: string, rpID: string) {
    const user = { id: randomUUID(), email: this.accounts.checkNew(email) };
    const options = await generateRegistrationOptions({
      rpName: this.rpName,
      rpID,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      attestationType: "none",
      authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    });
    return { options, ceremony: this.#open(options.challenge, user) };
  }

  async finishRegistration(
    ceremonyId: string | undefined,
    response: RegistrationResponseJSON,
    origin: string,
    rpID: string,
  ): Promise<User> {
    const ceremony = this.#take(ceremonyId);
    const user = ceremony.newUser;
    if (!user) throw new AccountError("This sign-up took too long. Start again.");
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    }).catch(() => ({ verified: false as const, registrationInfo: undefined }));
    if (!result.verified) throw new AccountError("The passkey could not be verified. Try again.");
    const { credential } = result.registrationInfo;
    return this.accounts.createWithPasskey(user, {
      id: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports ?? [],
    });
  }

  /** Options for signing in with any passkey of this site (discoverable credentials). */
  async startAuthentication(rpID: string) {
    const options = await generateAuthenticationOptions({ rpID, userVerification: "preferred" });
    return { options, ceremony: this.#open(options.challenge, null) };
  }

  async finishAuthentication(
    ceremonyId: string | undefined,
    response: AuthenticationResponseJSON,
    origin: string,
    rpID: string,
  ): Promise<User> {
    const ceremony = this.#take(ceremonyId);
    const passkey = this.accounts.passkey(response.id);
    const user = passkey && this.accounts.byId(passkey.userId);
    if (!passkey || !user) throw new AccountError("This passkey isn't known here. Create an account first.");
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: passkey.id,
        publicKey: passkey.publicKey,
        counter: passkey.counter,
        transports: passkey.transports as never,
      },
    }).catch(() => ({ verified: false as const, authenticationInfo: undefined }));
    if (!result.verified) throw new AccountError("The passkey could not be verified. Try again.");
    this.accounts.updateCounter(passkey.id, result.authenticationInfo.newCounter);
    return user;
  }

  #open(challenge: string, newUser: User | null): string {
    const now = Date.now();
    for (const [id, old] of this.#ceremonies) if (old.expiresAt < now) this.#ceremonies.delete(id);
    const id = randomBytes(16).toString("base64url");
    this.#ceremonies.set(id, { challenge, newUser, expiresAt: now + CEREMONY_MS });
    return id;
  }

  /** Takes a ceremony out (one use only), refusing a missing or stale one. */
  #take(id: string | undefined): Ceremony {
    const ceremony = id ? this.#ceremonies.get(id) : undefined;
    if (id) this.#ceremonies.delete(id);
    if (!ceremony || ceremony.expiresAt < Date.now()) throw new AccountError("This took too long. Start again.");
    return ceremony;
  }
}
