import type { LoginRequest } from "../core/login-request.ts";
import { sameNetwork } from "../core/requester-context.ts";
import type { RequestCard } from "../wire.ts";
import type { LocateIp } from "./geoip.ts";

/**
 * What the phone shows before asking: who is asking, from where, and whether that looks like the
 * phone's own surroundings. A mismatch is the mark of a relayed QR, so it is spelled out.
 * `passkeyApproval` is the host's `approval.userVerification`: whether approving asks for a passkey.
 */
export async function requesterCard(
  locate: LocateIp,
  request: LoginRequest,
  phoneIp: string | null,
  now: number,
  passkeyApproval: RequestCard["passkeyApproval"] = "off",
): Promise<RequestCard> {
  const { requester } = request;
  const [place, phonePlace] = await Promise.all([locate(requester.ip), locate(phoneIp)]);
  const network = sameNetwork(requester.ip, phoneIp);
  const sameCountry =
    place?.countryCode && phonePlace?.countryCode ? place.countryCode === phonePlace.countryCode : null;
  const warnings: string[] = [];
  if (network === false) warnings.push("The computer asking is on a different network than this phone.");
  if (sameCountry === false) warnings.push(`The computer asking appears to be in ${place?.label}.`);
  const card: RequestCard = {
    id: request.id,
    mode: request.mode,
    status: request.state,
    expiresAt: request.expiresAt,
    requester: {
      browser: requester.browser,
      os: requester.os,
      device: requester.device,
      claimedByBrowser: true,
      ip: requester.ip,
      location: place?.label ?? null,
      sameNetwork: network,
      sameCountry,
      origin: requester.origin,
      createdAt: request.createdAt,
      ageSeconds: Math.max(0, Math.round((now - request.createdAt) / 1000)),
    },
    warnings,
    // The number never goes to the phone, not even among choices: the person types it off the screen.
    numberRequired: request.comparison !== null,
    // Turned into a passkey request by the relay policy: only the desktop's passkey sign-in can approve it.
    passkeyRequired: request.mode === "passkey",
    passkeyApproval,
  };
  const { client } = requester;
  if (client) card.requester.client = { id: client.id, name: client.name ?? null, scope: client.scope };
  return card;
}
