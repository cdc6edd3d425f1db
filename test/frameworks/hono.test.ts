import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import { createQrLogin, type QrLogin, type QrLoginOptions } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { QrSchedule } from "../../src/wire.ts";
import { TEST_USER_HEADER, testHooks } from "../helpers/server.ts";
import { assertPhonePageWorks, signIn } from "./sign-in.ts";

/** Warnings qrlogin logged, for the tests to read. */
const warnings: string[] = [];

function qrlogin(options: Partial<QrLoginOptions> = {}): QrLogin {
  return createQrLogin({
    ...testHooks(() => {}),
    store: new MemoryStore(),
    logger: {
      warn: (message: string) => warnings.push(message),
      error: (message: string, error: unknown) => console.error(message, error),
    },
    ...options,
  });
}

/** The host's own page behind the session cookie. */
function withMe(app: Hono): Hono {
  return app.get("/me", (c) => {
    const user = /(?:^|; )sid=session-of-([^;]+)/.exec(c.req.header("cookie") ?? "")?.[1];
    return user ? c.json({ user }) : c.json({ user: null }, 401);
  });
}

describe("Hono 4", () => {
  describe("on Node through @hono/node-server, the address from getConnInfo", () => {
    const qr = qrlogin();
    let url: string;
    let server: ReturnType<typeof serve>;
    before(async () => {
      const app = withMe(new Hono());
      app.all("/qrlogin/*", (c) => qr.handler(c.req.raw, { ip: getConnInfo(c).remote.address }));
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await qr.close();
    });

    it("signs a desktop in, the event stream included, and serves the phone page", async () => {
      const { qrUrl, sessionCookie } = await signIn(url);
      await assertPhonePageWorks(qrUrl);
      const me = await fetch(`${url}/me`, { headers: { cookie: sessionCookie } });
      assert.deepEqual(await me.json(), { user: "alice" });
    });
  });

  describe("as a Web handler, called with Requests (Bun, Deno, Workers), under app.route('/auth')", () => {
    // No socket here: the address comes from the one proxy in front, as on most Web runtimes.
    const qr = qrlogin({ basePath: "/auth/qrlogin", trustProxy: 1 });
    const auth = new Hono().all("/qrlogin/*", (c) => qr.handler(c.req.raw));
    const app = withMe(new Hono()).route("/auth", auth);
    after(() => qr.close());
    const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
      app.request(`https://example.com/auth/qrlogin${path}`, {
        ...init,
        headers: { "x-forwarded-for": "198.51.100.7", "content-type": "application/json", ...init.headers },
      });

    it("signs a desktop in: create, scan, approve, redeem", async () => {
      const created = await call("/requests", { method: "POST", body: "{}" });
      assert.equal(created.status, 201);
      const { id, qr: shown } = (await created.json()) as { id: string; qr: QrSchedule };
      assert.match(qrUrlAt(shown, 0) as string, /^https:\/\/example\.com\/auth\/qrlogin\/a#t=/);
      const browserSecret = (created.headers.get("set-cookie") ?? "").split(";")[0] as string;
      const phone = { [TEST_USER_HEADER]: "alice" };
      const token = new URL(qrUrlAt(shown, 0) as string).hash.slice(3);
      const card = await call("/scan", { method: "POST", headers: phone, body: JSON.stringify({ token }) });
      assert.equal(card.status, 200);
      const { requester } = (await card.json()) as { requester: { ip: string } };
      assert.equal(requester.ip, "198.51.100.7", "the address the trusted proxy forwarded");
      assert.equal((await call(`/requests/${id}/approve`, { method: "POST", headers: phone, body: "{}" })).status, 200);
      const redeemed = await call(`/requests/${id}/redeem`, { method: "POST", headers: { cookie: browserSecret } });
      assert.equal(redeemed.status, 200);
      const session = redeemed.headers.getSetCookie().find((cookie) => cookie.startsWith("sid="));
      const me = await app.request("https://example.com/me", { headers: { cookie: session?.split(";")[0] ?? "" } });
      assert.deepEqual(await me.json(), { user: "alice" });
    });

    it("refuses at once, saying why, a body a middleware read before it", async () => {
      const reading = new Hono().post("/auth/qrlogin/*", async (c) => {
        await c.req.json();
        return qr.handler(c.req.raw);
      });
      const answer = await reading.request("https://example.com/auth/qrlogin/requests", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.7" },
        body: "{}",
      });
      assert.equal(answer.status, 500);
      assert.match(((await answer.json()) as { error_description: string }).error_description, /read by another/);
      assert.equal(warnings.filter((w) => w.includes("read by another middleware")).length, 1);
    });
  });
});
