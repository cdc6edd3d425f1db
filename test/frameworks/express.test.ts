import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express, { type Express } from "express";
import { createQrLogin, type QrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { testHooks } from "../helpers/server.ts";
import { assertPhonePageWorks, signIn } from "./sign-in.ts";

/** An Express app on a free port, with qrlogin set up by `mount`, and the host's own `/me` behind the session cookie. */
async function listen(mount: (app: Express, qr: QrLogin) => void) {
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
  const app = express();
  mount(app, qr);
  app.get("/me", (req, res) => {
    const sid = /(?:^|; )sid=session-of-([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    if (sid) res.json({ user: sid });
    else res.status(401).json({ user: null });
  });
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, "127.0.0.1", () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    warnings,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await qr.close();
    },
  };
}

describe("Express 5", () => {
  describe("with express.json() and express.urlencoded() before qrlogin, mounted under /auth", () => {
    let site: Awaited<ReturnType<typeof listen>>;
    before(async () => {
      site = await listen((app, qr) => {
        app.use(express.json());
        app.use(express.urlencoded({ extended: false }));
        app.use("/auth", qr.nodeHandler);
      });
    });
    after(() => site.close());

    it("signs a desktop in, with the QR, the phone page and its assets under the mount", async () => {
      const { qrUrl, sessionCookie } = await signIn(`${site.url}/auth`);
      assert.match(qrUrl, new RegExp(`^${site.url}/auth/qrlogin/a#t=`));
      await assertPhonePageWorks(qrUrl);
      const me = await fetch(`${site.url}/me`, { headers: { cookie: sessionCookie } });
      assert.deepEqual(await me.json(), { user: "alice" });
    });

    it("takes a form the parser already read, and names the mount in its discovery metadata", async () => {
      const metadata = await fetch(`${site.url}/auth/qrlogin/.well-known/oauth-authorization-server`);
      const { issuer, device_authorization_endpoint } = (await metadata.json()) as Record<string, string>;
      assert.equal(issuer, `${site.url}/auth/qrlogin`);
      const asked = await fetch(String(device_authorization_endpoint), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: "cli", scope: "read" }),
      });
      assert.equal(asked.status, 200);
      const { verification_uri } = (await asked.json()) as Record<string, string>;
      assert.equal(verification_uri, `${site.url}/auth/qrlogin/a`);
    });

    it("leaves other paths to the app, and other mounts' paths alone", async () => {
      assert.equal((await fetch(`${site.url}/qrlogin/requests`, { method: "POST" })).status, 404);
      assert.equal((await fetch(`${site.url}/me`)).status, 401);
      assert.deepEqual(
        site.warnings.filter((w) => w.includes("body")),
        [],
      );
    });
  });

  it("refuses at once, saying why, a body another middleware read and did not keep", async () => {
    const site = await listen((app, qr) => {
      // Reads every body to the end and keeps nothing, as a logger or a signature check might.
      app.use((req, _res, next) => {
        req.on("end", () => next()).resume();
      });
      app.use(qr.nodeHandler);
    });
    try {
      const answer = await fetch(`${site.url}/qrlogin/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(answer.status, 500);
      const body = (await answer.json()) as { error: string; error_description: string };
      assert.equal(body.error, "INTERNAL_ERROR");
      assert.match(body.error_description, /read by another middleware before qrlogin/);
      assert.equal(site.warnings.filter((w) => w.includes("read by another middleware")).length, 1);
    } finally {
      await site.close();
    }
  });
});
