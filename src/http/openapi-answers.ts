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
  QrShown,
  Redeemed,
  RequestCard,
  RequestEvents,
  Requester,
  RequestSnapshot,
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
const mode = z.enum(["qr", "device", "push"]);
const time = z.number().describe("Milliseconds since 1970 on the server's clock.");

const qrShown = mirror<QrShown>()(
  z
    .object({
      url: z.string().describe("`<origin><basePath>/a#t=<scan token>`: what the QR encodes."),
      expiresAt: time.describe("When the next rotation is due."),
      userCode: z.string().describe("The typed code, `BCDF-GHJK`."),
    })
    .describe("A QR to show on the desktop, with the typed code that rotates with it."),
);

const created = mirror<Created>()(
  z
    .discriminatedUnion("mode", [
      z.object({
        id: z.string(),
        mode: z.literal("qr"),
        qr: z.object({ url: z.string(), expiresAt: time }),
        userCode: z.string(),
        expiresAt: time,
        confirmAccount: z.literal(true).optional(),
        browserSecret: z.string().optional().describe("Only when asked for with `secretInBody`."),
      }),
      z.object({
        id: z.string(),
        mode: z.literal("push"),
        comparison: z.int().describe("The two digits to show; the phone's user types them."),
        expiresAt: time,
        confirmAccount: z.literal(true).optional(),
        browserSecret: z.string().optional().describe("Only when asked for with `secretInBody`."),
      }),
    ])
    .describe("A new request: a QR and typed code to show, or a push request's number."),
);

const snapshot = mirror<RequestSnapshot>()(
  z
    .object({
      id: z.string(),
      status,
      version: z.int(),
      expiresAt: time,
      qr: qrShown.optional().describe("Only when a new QR was just issued."),
      approver: z.string().nullable().optional().describe("Once scanned: the account, masked (`a•••@example.com`)."),
      comparison: z.int().optional().describe("With `scanned`: the number to show for number matching."),
      reason: z.string().nullable().optional().describe("With `denied`: `not_me`, `wrong_number` or null."),
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
    })
    .describe("A request waiting for this approver's answer, with everything to show before asking."),
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
    qr: qrShown,
    scanned: z.object({
      expiresAt: time,
      approver: z.string().nullable().optional(),
      comparison: z.int().optional(),
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
  QrShown: qrShown,
  Requester: requester,
  RequestCard: card,
  ApproverRequests: z.object({ requests: z.array(card) }).describe("The push requests waiting for this approver."),
  Decision: decision,
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
