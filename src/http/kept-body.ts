import { QrLoginError } from "../core/errors.ts";

/** What a body parser that ran before qrlogin may leave on a node request (Express, Connect, Fastify…). */
export interface BodyCarrier {
  /** The parsed body: an object (JSON or form), a string or a Buffer. */
  body?: unknown;
  /** The bytes as they came, kept by some parsers and by qrlogin's Fastify plugin. */
  rawBody?: unknown;
}

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

function bytesText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
  return undefined;
}

/**
 * The text of a body another middleware already read: `rawBody` as it came, else `body` written
 * back in the request's own media type (a form stays a form, anything else becomes JSON), else
 * `undefined` when nothing was kept.
 * @example keptBodyText({ body: { mode: "qr" } }, "application/json") // '{"mode":"qr"}'
 */
export function keptBodyText(carrier: BodyCarrier, contentType: string | undefined): string | undefined {
  const raw = bytesText(carrier.rawBody);
  if (raw !== undefined) return raw;
  const { body } = carrier;
  if (body === undefined) return undefined;
  const text = bytesText(body);
  if (text !== undefined) return text;
  if (FORM.test(contentType ?? "") && typeof body === "object" && body !== null) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) {
      for (const one of [value].flat()) form.append(name, String(one));
    }
    return form.toString();
  }
  return JSON.stringify(body);
}

/**
 * The answer when the body was read before qrlogin saw it and not kept: waiting for it would hang
 * until the client gave up, so the request is refused at once, saying why.
 */
export function bodyAlreadyRead(): QrLoginError {
  return new QrLoginError(
    "INTERNAL_ERROR",
    "qrlogin: the request body was read by another middleware before qrlogin and not kept (as req.body or req.rawBody on node). Mount qrlogin before body parsers, or hand it the request unread.",
  );
}
