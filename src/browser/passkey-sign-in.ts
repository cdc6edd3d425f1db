import type { Decision, PasskeyChallenge } from "../wire.ts";
import { ApiError, callApi } from "./api.ts";
import { type AskPasskey, askPasskey } from "./passkey-ceremony.ts";

/**
 * Signs the desktop in to its own request `id` with a passkey: the challenge bound to the request,
 * the browser's passkey dialog (which offers the phone's passkey over the cross-device flow), then
 * the assertion. The request is then approved, and the desktop redeems it as after a phone's approval.
 * @example await signInWithPasskey("/qrlogin", created.id);
 */
export async function signInWithPasskey(basePath: string, id: string, ask: AskPasskey = askPasskey): Promise<Decision> {
  const url = `${basePath}/requests/${encodeURIComponent(id)}`;
  const challenge = await callApi<PasskeyChallenge>(fetch, `${url}/passkey-options`, { method: "GET" });
  if (!challenge.publicKey) throw new ApiError("BAD_RESPONSE", 200);
  const assertion = await ask(challenge.publicKey);
  return callApi<Decision>(fetch, `${url}/passkey`, { method: "POST", body: { assertion } });
}
