/**
 * The answers and events of the HTTP API as zod schemas, for the OpenAPI document. Each mirrors its
 * type in src/wire.ts field for field: a change there that is not made here fails to compile.
 */
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../core/errors.ts";
import type {
  ApproverAlert,
  ApproverEvents,
  Created,
  Decision,
  ErrorBody,
  PasskeyChallenge,
  PasskeyRequestOptions,
  QrSchedule,
  Redeemed,
  RequestCard,
  RequestEvents,
  Requester,
  RequestSnapshot,
  UserCodeShown,
} from "../wire.ts";

/** Whether `A` and `B` are the same type, optional fields included. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** `schema` as it is, if it parses to exactly `Wire`; otherwise a compile error at the call. */
function mirror<Wire>() {
  return <S extends z.ZodType>(
    schema: S & (Same<z.output<S>, Wire> extends true ? unknown : "differs from src/wire.ts"),
  ) => schema;
}

const status = z.enum(["pending", "scanned", "approved", "redeeming", "denied", "redeemed", "cancelled", "expired"]);
const mode = z.enum(["qr", "device", "push", "passkey"]);
const time = z.number().describe("Milliseconds since 1970 on the server's clock.");

const qrSchedule = mirror<QrSchedule>()(
  z
    .object({
      base: z
        .string()
        .describe("`<origin><basePath>/a#t=` and the scan tokens' fixed front: every QR's URL starts so."),
      key: z
        .string()
        .describe(
          "The request's key (32 bytes, base64url). Period i's QR is `base` then base64url(i as 2 bytes ‖ the first 16 bytes of HMAC-SHA256(key, i as 2 bytes)).",
        ),
      periods: z.int().describe("How many periods there are; past the last the request has expired."),
      everyMs: z.int().describe("How long each QR is shown: period i's from `i × everyMs` after the answer arrived."),
    })
    .describe(
      "The QRs a waiting desktop shows in turn; it changes them itself, so the server sends nothing more while it waits.",
    ),
);

const userCodeShown = mirror<UserCodeShown>()(
  z
    .object({
      userCode: z.string().describe("The typed code, `BCDF-GHJK`."),
      expiresInMs: z.int().describe("How long it works from now; ask again when it runs out while shown."),
      url: z.string().describe("Where the phone types it: `<origin><basePath>/a`."),
    })
    .describe("A code to type on the phone instead of scanning, made when the desktop asks for one."),
);

const created = mirror<Created>()(
  z
    .discriminatedUnion("mode", [
      z.object({
        id: z.string(),
        mode: z.literal("qr"),
        qr: qrSchedule,
        expiresAt: time,
        confirmAccount: z.literal(true).optional(),
        browserSecret: z.string().optional().describe("Only when asked for with `secretInBody`."),
        passkeySignIn: z
          .literal(true)
          .optional()
          .describe(
            "The host takes passkeys: the desktop may offer to sign in with one instead (a new `passkey` request).",
          ),
      }),
      z.object({
        id: z.string(),
        mode: z.literal("push"),
        comparison: z.int().describe("The two digits to show; the phone's user types them."),
        expiresAt: time,
        confirmAccount: z.literal(true).optional(),
        browserSecret: z.string().optional().describe("Only when asked for with `secretInBody`."),
      }),
      z
        .object({
          id: z.string(),
          mode: z.literal("passkey"),
          expiresAt: time,
          confirmAccount: z.literal(true).optional(),
          browserSecret: z.string().optional().describe("Only when asked for with `secretInBody`."),
        })
        .describe(
          "A passkey request: nothing to show; the desktop asks for `GET /requests/:id/passkey-options` and posts the assertion to `POST /requests/:id/passkey`.",
        ),
    ])
    .describe("A new request: the QRs to show, a push request's number, or a passkey request."),
);

const snapshot = mirror<RequestSnapshot>()(
  z
    .object({
      id: z.string(),
      status,
      version: z.int(),
      expiresAt: time,
      approver: z.string().nullable().optional().describe("Once scanned: the account, masked (`a•••@example.com`)."),
      comparison: z.int().optional().describe("With `scanned`: the number to show for number matching."),
      reason: z.string().nullable().optional().describe("With `denied`: `not_me`, `wrong_number` or null."),
      passkeyRequired: z
        .literal(true)
        .optional()
        .describe(
          "With `scanned`: the phone was on another network under the relay policy `passkey`; the desktop signs in with a passkey instead.",
        ),
    })
    .describe("The state of a request as the desktop may see it."),
);

const requester = mirror<Requester>()(
  z
    .object({
      browser: z.string(),
      os: z.string(),
      device: z.string(),
      claimedByBrowser: z.literal(true),
      ip: z.string().nullable(),
      location: z.string().nullable(),
      sameNetwork: z.boolean().nullable(),
      sameCountry: z.boolean().nullable(),
      origin: z.string().nullable(),
      createdAt: time,
      ageSeconds: z.number(),
      client: z
        .object({ id: z.string(), name: z.string().nullable(), scope: z.string().nullable() })
        .optional()
        .describe("The OAuth client behind a device-flow request, and the scope it asks for."),
    })
    .describe("Who is asking to be signed in: browser, OS and device as the browser claims them."),
);

const card = mirror<RequestCard>()(
  z
    .object({
      id: z.string(),
      mode,
      status: z.string(),
      expiresAt: time,
      requester,
      warnings: z.array(z.string()).describe("Reasons for caution, in words for the person."),
      numberRequired: z.boolean().describe("Approving needs the two digits shown on the requesting screen."),
      passkeyRequired: z
        .boolean()
        .describe(
          "The relay policy `passkey` refuses approval from this phone (another network): only the requesting device's passkey sign-in can approve it.",
        ),
      passkeyApproval: z
        .enum(["required", "preferred", "off"])
        .describe(
          "Whether approving asks for this phone's passkey first (`GET /requests/:id/approval-options`): `required`, `preferred` (when the account has one) or `off`.",
        ),
    })
    .describe("A request waiting for this approver's answer, with everything to show before asking."),
);

const passkeyRequestOptions = mirror<PasskeyRequestOptions>()(
  z
    .object({
      challenge: z.string().describe("base64url."),
      rpId: z.string().describe("The WebAuthn RP ID."),
      allowCredentials: z
        .array(
          z.object({
            id: z.string().describe("base64url credential id."),
            type: z.literal("public-key"),
            transports: z.array(z.string()).optional(),
          }),
        )
        .describe("The account's passkeys; empty for the desktop's sign-in (any passkey of the site)."),
      userVerification: z.enum(["required", "preferred"]),
      timeout: z.int().describe("In milliseconds."),
      hints: z
        .array(z.enum(["hybrid", "client-device", "security-key"]))
        .optional()
        .describe("`hybrid`: the browser goes straight to its cross-device flow (the phone, over a QR and Bluetooth)."),
    })
    .describe("WebAuthn request options, binary values in base64url (`PublicKeyCredentialRequestOptionsJSON`)."),
);

const passkeyChallenge = mirror<PasskeyChallenge>()(
  z
    .object({
      userVerification: z.enum(["required", "preferred"]),
      publicKey: passkeyRequestOptions
        .nullable()
        .describe(
          "`null` when the account has no passkey the site knows; under `preferred` the phone approves without.",
        ),
      binding: z
        .object({
          requestId: z.string(),
          version: z.int().describe("The request's version the challenge is bound to."),
          card: z.string().describe("base64url SHA-256 digest of the card's fields."),
          browserKey: z.string().nullable().describe("The desktop's browser key as stored (JWK as JSON), or null."),
        })
        .describe(
          'What the challenge stands for: it is base64url SHA-256 of `["qrlogin-approval/1", requestId, version, card, browserKey]` as JSON.',
        ),
    })
    .describe("The passkey options for approving (phone) or signing in (desktop)."),
);

const decision = mirror<Decision>()(z.object({ id: z.string(), status }).describe("The request after the call."));

const redeemed = mirror<Redeemed>()(
  z
    .object({
      id: z.string(),
      status: z.literal("redeemed"),
      userId: z.string(),
      session: z.record(z.string(), z.unknown()).describe("What the host's `issueSession` returned as `body`."),
    })
    .describe("The desktop is signed in."),
);

const errorBody = mirror<ErrorBody>()(
  z
    .object({
      error: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).describe("Switch on this."),
      error_description: z.string().describe("For people; it may change."),
      tries_left: z.int().optional().describe("With `WRONG_NUMBER`: always 0, there is one try."),
    })
    .describe("Every error answer."),
);

const alert = mirror<ApproverAlert>()(
  z.object({
    at: time,
    requestId: z.string().nullable(),
    reason: z.enum(["new_device", "not_me", "wrong_number"]),
  }),
);

const requestEvents = mirror<RequestEvents>()(
  z.object({
    scanned: z.object({
      expiresAt: time,
      approver: z.string().nullable().optional(),
      comparison: z.int().optional(),
      passkeyRequired: z
        .literal(true)
        .optional()
        .describe("The phone was on another network under the relay policy `passkey`: sign in with a passkey instead."),
    }),
    approved: z.object({ expiresAt: time, approver: z.string().nullable().optional() }),
    redeeming: z.object({ expiresAt: time }),
    denied: z.object({ expiresAt: time, reason: z.string().nullable().optional() }),
    expired: z.object({ expiresAt: time }),
    cancelled: z.object({ expiresAt: time }),
    redeemed: z.object({ expiresAt: time }),
  }),
).describe("The data of each event on the desktop's stream, by event name.");

const approverEvents = mirror<ApproverEvents>()(
  z
    .object({ push: card, resolved: z.object({ id: z.string() }), alert })
    .describe("The data of each event on the approver's stream, by event name."),
);

/** The JSON answers of the API and the data of its events, each named as it is in the OpenAPI document. */
export const answers = {
  Created: created,
  RequestSnapshot: snapshot,
  QrSchedule: qrSchedule,
  UserCodeShown: userCodeShown,
  Requester: requester,
  RequestCard: card,
  ApproverRequests: z.object({ requests: z.array(card) }).describe("The push requests waiting for this approver."),
  Decision: decision,
  PasskeyChallenge: passkeyChallenge,
  PasskeyRequestOptions: passkeyRequestOptions,
  Redeemed: redeemed,
  ErrorBody: errorBody,
  DeviceAuthorization: z
    .object({
      device_code: z.string(),
      user_code: z.string(),
      verification_uri: z.string(),
      verification_uri_complete: z.string().describe("The QR's URL, with the scan token in its fragment."),
      expires_in: z.int(),
      interval: z.int(),
    })
    .describe("RFC 8628 §3.2."),
  DeviceToken: z
    .looseObject({ token_type: z.literal("Bearer"), access_token: z.string() })
    .describe('The host\'s `issueSession` body for `grant: "device_code"`, with `token_type`.'),
  ApproverAlert: alert,
  RequestEvents: requestEvents,
  ApproverEvents: approverEvents,
};
