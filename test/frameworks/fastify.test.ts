import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { qrloginFastify } from "../../src/adapters/fastify.ts";
import { createQrLogin, type QrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { testHooks } from "../helpers/server.ts";
import { assertPhonePageWorks, signIn } from "./sign-in.ts";

/** A Fastify app set up by `setUp`, with the host's own JSON route and `/me` behind the session cookie. */
async function listen(setUp: (app: FastifyInstance, qr: QrLogin) => Promise<void>) {
  const warnings: string[] = [];
  const qr = createQrLogin({
    ...testHooks(() => {}),
    store: new MemoryStore(),
    deviceFlow: {},
    logger: {
      warn: (message: string) => warnings.push(message),
      error: (message: string, error: unknown) => console.error(message, error),
    },
  });
  const app = Fastify();
  app.post("/echo", async (request) => request.body);
  app.get("/me", async (request, reply) => {
    const user = /(?:^|; )sid=session-of-([^;]+)/.exec(request.headers.cookie ?? "")?.[1];
    return user ? { user } : reply.code(401).send({ user: null });
  });
  await setUp(app, qr);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    warnings,
    async close() {
      await app.close();
      await qr.close();
    },
  };
}

describe("Fastify 5", () => {
  describe("with the qrlogin/fastify plugin", () => {
    let site: Awaited<ReturnType<typeof listen>>;
    before(async () => {
      site = await listen(async (app, qr) => {
        await app.register(qrloginFastify, { qr });
      });
    });
    after(() => site.close());

    it("signs a desktop in, the event stream included, and serves the phone page", async () => {
      const { qrUrl, sessionCookie } = await signIn(site.url);
      await assertPhonePageWorks(qrUrl);
      const me = await fetch(`${site.url}/me`, { headers: { cookie: sessionCookie } });
      assert.deepEqual(await me.json(), { user: "alice" });
    });

    it("routes discovery at the root, and leaves the app's own body parsing as it was", async () => {
      const metadata = await fetch(`${site.url}/.well-known/oauth-authorization-server/qrlogin`);
      assert.equal(((await metadata.json()) as { issuer: string }).issuer, `${site.url}/qrlogin`);
      const echo = await fetch(`${site.url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hello: "world" }),
      });
      assert.deepEqual(await echo.json(), { hello: "world" });
    });
  });

  it("refuses a prefix, naming the basePath to set instead", async () => {
    const app = Fastify();
    const qr = createQrLogin({ ...testHooks(() => {}), store: new MemoryStore() });
    try {
      await assert.rejects(async () => {
        await app.register(qrloginFastify, { qr, prefix: "/auth" });
        await app.ready();
      }, /basePath: "\/auth\/qrlogin"/);
    } finally {
      await app.close();
      await qr.close();
    }
  });

  it("without the plugin, a hijacked route whose body Fastify parsed is refused at once, saying why", async () => {
    const site = await listen(async (app, qr) => {
      app.all("/qrlogin/*", (request, reply) => {
        reply.hijack();
        qr.nodeHandler(request.raw, reply.raw);
      });
    });
    try {
      const answer = await fetch(`${site.url}/qrlogin/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(answer.status, 500);
      const body = (await answer.json()) as { error_description: string };
      assert.match(body.error_description, /read by another middleware before qrlogin/);
      assert.equal(site.warnings.filter((w) => w.includes("read by another middleware")).length, 1);
    } finally {
      await site.close();
    }
  });
});
