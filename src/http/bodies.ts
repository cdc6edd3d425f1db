import { z } from "zod";
import { QrLoginError } from "../core/errors.ts";
import type { IncomingRequest } from "./incoming.ts";

/** Binary WebAuthn values travel as base64url. */
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);

/** A WebAuthn assertion as `@simplewebauthn/browser` sends it (`AuthenticationResponseJSON`). */
const assertion = z.object({
  id: base64url(1400).min(1),
  rawId: base64url(1400).min(1),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(2000).min(1),
    authenticatorData: base64url(1400).min(1),
    signature: base64url(700).min(1),
    userHandle: base64url(100).nullish(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** The JSON bodies the API accepts. Unknown fields are ignored; wrong types are refused. */
export const bodies = {
  // The descriptions are the OpenAPI document's (src/http/openapi.ts).
  createRequest: z.object({
    mode: z
      .enum(["qr", "push", "passkey"])
      .optional()
      .describe(
        "`qr` (default), `push` to the account named by `login`, or `passkey`: the desktop signs in with a passkey (the phone's, over the browser's cross-device flow).",
      ),
    login: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe("For push: the account to ask (e-mail or user name, as the host's `findUser` reads it)."),
    publicKey: z
      .object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string() })
      .optional()
      .describe("The desktop's browser key (public P-256 JWK), for browser-bound redemption."),
    secretInBody: z
      .boolean()
      .optional()
      .describe("A non-browser client (CLI, native app) asks for the browser secret in the answer."),
  }),
  redeem: z.object({
    signature: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("With a browser key: base64url of its ECDSA-SHA-256 signature of `qrlogin-redeem:<id>`."),
  }),
  scan: z.union([z.object({ token: z.string().min(1).max(256) }), z.object({ userCode: z.string().min(1).max(32) })]),
  approve: z.object({
    number: z.int().min(10).max(99).optional().describe("The two digits shown on the desktop, when the card asks."),
    assertion: assertion
      .optional()
      .describe(
        "The phone's passkey assertion over the challenge of `GET /requests/:id/approval-options`, when the card's `passkeyApproval` asks for one.",
      ),
  }),
  passkeySignIn: z.object({
    assertion: assertion.describe(
      "The passkey assertion over the challenge of `GET /requests/:id/passkey-options` (made with the phone, over the browser's cross-device flow).",
    ),
  }),
  deny: z.object({
    reason: z.enum(["not_me"]).optional().describe("`not_me` raises an alert and, for push, blocks that network."),
  }),
  deviceAuthorization: z.object({ client_id: z.string().min(1).max(200), scope: z.string().max(1000).optional() }),
  deviceToken: z.object({
    grant_type: z.string().max(200),
    device_code: z.string().min(1).max(200),
    client_id: z.string().min(1).max(200),
  }),
};

/**
 * Reads and validates a JSON body. An empty body counts as `{}`; anything but
 * `application/json` is refused, which also keeps plain HTML forms from other sites out.
 */
export async function readBody<T>(
  incoming: IncomingRequest,
  schema: z.ZodType<T>,
  limit: number,
  { form = false }: { form?: boolean } = {},
): Promise<T> {
  const text = await incoming.text(limit);
  let value: unknown = {};
  const type = incoming.header("content-type") ?? "";
  // OAuth endpoints take forms (RFC 8628 §3.1, §3.4); nothing else does.
  if (form && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    value = Object.fromEntries(new URLSearchParams(text));
  } else if (text.trim() !== "") {
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new QrLoginError("UNSUPPORTED_MEDIA_TYPE", "The body must be JSON, sent as application/json.");
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new QrLoginError("invalid_request", "The body is not valid JSON.");
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at "${issue.path.join(".")}"` : "";
    throw new QrLoginError("invalid_request", `Invalid body${where}: ${issue?.message ?? "unexpected value"}.`);
  }
  return parsed.data;
}
