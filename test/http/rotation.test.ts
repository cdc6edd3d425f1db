import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("scan token rotation, observed over SSE", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ lifetimes: { scanToken: 400, scanTokenGrace: 250 } });
  });
  after(() => server.close());

  it("the stream pushes a new `qr`; the old token works through the grace window, then stops", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const oldToken = desktop.scanToken;
    const events = await desktop.events();
    const qr = await events.next("qr", 2000);
    const newUrl = String(qr.data.url);
    assert.notEqual(newUrl, desktop.qrUrl);
    assert.match(newUrl, /\/qrlogin\/a#t=[A-Za-z0-9_-]{22}$/);
    assert.ok(Number(qr.data.expiresAt) > Date.now());

    await sleep(300); // past the 250 ms grace
    const phone = new Phone(server.url, "alice");
    const stale = await phone.scan(oldToken);
    assert.equal(stale.status, 410);
    assert.equal(stale.body.error, "expired_token");

    const fresh = await phone.scan(new URL(newUrl).hash.slice(3));
    assert.equal(fresh.status, 200);
    await events.next("scanned");
    events.close();
  });

  it("a phone that was mid-scan when the code changed still gets in within the grace window", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const oldToken = desktop.scanToken;
    const events = await desktop.events();
    await events.next("qr", 2000);
    const scan = await new Phone(server.url, "bob").scan(oldToken);
    assert.equal(scan.status, 200);
    events.close();
  });

  it("rotation stops once the request is scanned", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const events = await desktop.events();
    await new Phone(server.url, "carol").scan(desktop.scanToken);
    await events.next("scanned");
    await sleep(900);
    assert.equal(events.received.filter((e) => e.event === "qr").length, 0);
    events.close();
  });

  it("a request left without a watching desktop expires its token: a photographed QR dies", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await sleep(700); // 400 ms life + 250 ms grace, and nobody rotated
    const scan = await new Phone(server.url, "dave").scan(desktop.scanToken);
    assert.equal(scan.body.error, "expired_token");
  });
});

describe("expiry, observed over SSE", () => {
  it("the stream says `expired` at the deadline and ends", async () => {
    const server = await startServer({ lifetimes: { pending: 300 } });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      const events = await desktop.events();
      await events.next("expired", 2000);
      await events.closed();
      const late = await new Phone(server.url, "erin").typeCode(desktop.userCode);
      assert.equal(late.body.error, "expired_token");
    } finally {
      await server.close();
    }
  });
});
