import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { QrLogin } from "../qrlogin.ts";

/** Options of {@link qrloginFastify}. */
export interface QrLoginFastifyOptions {
  /** The qrlogin instance to serve, at its `basePath`. */
  qr: Pick<QrLogin, "basePath" | "nodeHandler">;
  /**
   * Also route `/.well-known/oauth-authorization-server` (and the paths below it) to qrlogin, where
   * OAuth clients look for the device flow (RFC 8414). Turn off when the site serves its own.
   * @defaultValue true
   */
  wellKnown?: boolean;
}

/** RFC 8414's well-known name, at the root and with an issuer's path after it. */
const WELL_KNOWN = ["/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/*"];

/**
 * A Fastify plugin serving qrlogin: its routes hand each request under the base path to the node
 * binding, which answers it on the raw response (`reply.hijack()`). Fastify's body parsers are set
 * aside for these routes only, so qrlogin reads its own bodies with its own limits.
 * @throws Error when registered with a `prefix`: set `basePath` in `createQrLogin` instead, so that QR
 *   URLs and the phone page's links carry it too.
 * @example
 * import { qrloginFastify } from "qrlogin/fastify";
 * await app.register(qrloginFastify, { qr });
 */
export const qrloginFastify: FastifyPluginAsync<QrLoginFastifyOptions> = async (fastify, options) => {
  const { qr, wellKnown = true } = options;
  if (fastify.prefix) {
    throw new Error(
      `qrlogin/fastify: registered with the prefix ${JSON.stringify(fastify.prefix)}; register it without one and set createQrLogin({ basePath: "${fastify.prefix}${qr.basePath}" }), so that QR URLs carry the prefix too`,
    );
  }
  // Left unread: the node binding reads the request stream itself.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
  const handle = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    qr.nodeHandler(request.raw, reply.raw);
  };
  const paths = [qr.basePath || "/", `${qr.basePath}/*`, ...(wellKnown ? WELL_KNOWN : [])];
  for (const path of paths) fastify.all(path, handle);
};
