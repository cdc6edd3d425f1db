import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import type { PasskeyCredential } from "../../src/service/passkey-check.ts";
import type { PasskeyAssertion, PasskeyRequestOptions } from "../../src/wire.ts";

const UP = 0x01;
const UV = 0x04;

/**
 * A passkey in software, for tests over HTTP: an ES256 key that makes WebAuthn assertions as an
 * authenticator would (authenticator data, client data, DER signature). The browser tests use
 * Chromium's virtual authenticator instead.
 */
export class SoftwarePasskey {
  readonly id = randomBytes(16).toString("base64url");
  readonly publicKey: Uint8Array;
  /** The signature counter; each assertion moves it on by one. */
  counter = 0;
  readonly #privateKey: KeyObject;

  /** `userId` is the account the passkey belongs to; its text is the passkey's user handle. */
  constructor(readonly userId: string) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.#privateKey = privateKey;
    const { x, y } = publicKey.export({ format: "jwk" });
    // COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y} in CBOR, written out by hand.
    this.publicKey = new Uint8Array(
      Buffer.concat([
        Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
        Buffer.from(String(x), "base64url"),
        Buffer.from([0x22, 0x58, 0x20]),
        Buffer.from(String(y), "base64url"),
      ]),
    );
  }

  /** The passkey as the host's `approval.credentials` returns it. */
  credential(): PasskeyCredential {
    return { id: this.id, publicKey: this.publicKey, counter: 0, transports: ["internal"] };
  }

  /**
   * An assertion for `options` (the challenge and RP ID the server sent), made on a page of `origin`;
   * `userVerified: false` leaves the UV flag out, `challenge` replaces the one in `options`.
   */
  assert(
    options: Pick<PasskeyRequestOptions, "challenge" | "rpId">,
    origin: string,
    { userVerified = true, challenge = options.challenge }: { userVerified?: boolean; challenge?: string } = {},
  ): PasskeyAssertion {
    this.counter++;
    const authenticatorData = Buffer.alloc(37);
    createHash("sha256").update(options.rpId).digest().copy(authenticatorData, 0);
    authenticatorData[32] = UP | (userVerified ? UV : 0);
    authenticatorData.writeUInt32BE(this.counter, 33);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.get", challenge, origin, crossOrigin: false }));
    const signed = Buffer.concat([authenticatorData, createHash("sha256").update(clientDataJSON).digest()]);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: clientDataJSON.toString("base64url"),
        authenticatorData: authenticatorData.toString("base64url"),
        signature: sign("sha256", signed, this.#privateKey).toString("base64url"),
        userHandle: Buffer.from(this.userId).toString("base64url"),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
