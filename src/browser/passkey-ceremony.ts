import { startAuthentication } from "@simplewebauthn/browser";
import type { PasskeyAssertion, PasskeyRequestOptions } from "../wire.ts";
import { ApiError } from "./api.ts";

/** Asks a passkey for an assertion: the browser's own dialog, or a test's software authenticator. */
export type AskPasskey = (options: PasskeyRequestOptions) => Promise<PasskeyAssertion>;

/**
 * Asks the browser for a passkey assertion (`navigator.credentials.get`). A dialog the person closed,
 * a timeout or a browser without WebAuthn all throw `PASSKEY_CANCELLED`: nothing was sent.
 * @example const assertion = await askPasskey(challenge.publicKey);
 */
export const askPasskey: AskPasskey = async (options) => {
  try {
    const response = await startAuthentication({ optionsJSON: options as never });
    return response as unknown as PasskeyAssertion;
  } catch {
    throw new ApiError("PASSKEY_CANCELLED", 0);
  }
};

/**
 * Whether the browser says it can reach a phone's passkey over the cross-device (hybrid) flow, by
 * `PublicKeyCredential.getClientCapabilities()`; `false` where it cannot tell.
 */
export async function hybridAvailable(): Promise<boolean> {
  const api = globalThis.PublicKeyCredential as
    | { getClientCapabilities?: () => Promise<Record<string, boolean | undefined>> }
    | undefined;
  try {
    return (await api?.getClientCapabilities?.())?.hybridTransport === true;
  } catch {
    return false;
  }
}
