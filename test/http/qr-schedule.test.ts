import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryStore } from "../../src/store/memory.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store that counts its writes, to show that a waiting desktop costs none. */
class CountingStore extends MemoryStore {
  writes = 0;
  override async transition(...args: Parameters<MemoryStore["transition"]>) {
    this.writes++;
    return super.transition(...args);
  }
}

describe("the QR changes on the desktop, with no store write and no message", () => {
  let server: TestServer;
  const store = new CountingStore();
  before(async () => {
    server = await startServer({ store, lifetimes: { scanToken: 400, scanTokenGrace: 250, pending: 2_000 } });
  });
  after(() => server.close());

  it("the creation answer holds every period's QR; a waiting stream gets nothing and nothing is written", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    assert.equal(desktop.qrUrls.length, 5, "2 s of waiting in 400 ms periods");
    assert.equal(new Set(desktop.qrUrls).size, 5);
    for (const url of desktop.qrUrls) assert.match(url, /\/qrlogin\/a#t=[A-Za-z0-9_-]{52}$/);
    const writes = store.writes;
    const events = await desktop.events();
    await sleep(1_000);
    assert.deepEqual(
      events.received.map((e) => e.event),
      [],
    );
    assert.equal(store.writes, writes, "no rotation is written");
    events.close();
  });

  it("a period's QR works until the grace after its period, then is refused; the next one works", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await sleep(400 + 250 + 100);
    const phone = new Phone(server.url, "alice");
    const stale = await phone.scan(desktop.scanToken);
    assert.equal(stale.status, 410);
    assert.equal(stale.body.error, "expired_token");
    const current = new URL(desktop.qrUrls[1] as string).hash.slice(3);
    const events = await desktop.events();
    assert.equal((await phone.scan(current)).status, 200);
    await events.next("scanned");
    events.close();
  });

  it("a phone that was mid-scan when the QR changed still gets in within the grace window", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await sleep(400 + 100);
    assert.equal((await new Phone(server.url, "bob").scan(desktop.scanToken)).status, 200);
  });

  it("a later period's QR does not work before its time", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const early = await new Phone(server.url, "carol").scan(new URL(desktop.qrUrls[3] as string).hash.slice(3));
    assert.equal(early.body.error, "expired_token");
  });
});

describe("typed codes on demand", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ lifetimes: { scanToken: 400, scanTokenGrace: 250 } });
  });
  after(() => server.close());

  it("a code exists only once the desktop asks; it claims, and a second ask within a second is slowed", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const shown = await desktop.showCode();
    assert.equal(shown.status, 200);
    assert.match(String(shown.body.userCode), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.ok(Number(shown.body.expiresInMs) > 0 && Number(shown.body.expiresInMs) <= 400);
    assert.match(String(shown.body.url), /\/qrlogin\/a$/);
    assert.equal((await desktop.showCode()).body.error, "slow_down");
    assert.equal((await new Phone(server.url, "dave").typeCode(desktop.userCode)).status, 200);
  });

  it("a new code replaces the shown one, which dies after its grace", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await desktop.showCode();
    const first = desktop.userCode;
    await sleep(1_050);
    await desktop.showCode();
    assert.notEqual(desktop.userCode, first);
    await sleep(300);
    assert.equal((await new Phone(server.url, "erin").typeCode(first)).body.error, "USER_CODE_INVALID");
    assert.equal((await new Phone(server.url, "erin").typeCode(desktop.userCode)).status, 200);
  });

  it("only the desktop that holds the browser secret is shown a code", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const thief = new Desktop(server.url);
    thief.id = desktop.id;
    assert.equal((await thief.showCode()).body.error, "BROWSER_SECRET_REQUIRED");
  });
});

describe("expiry, observed over SSE", () => {
  it("the stream says `expired` at the deadline and ends; a code shown before no longer claims", async () => {
    const server = await startServer({ lifetimes: { pending: 300 } });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      await desktop.showCode();
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
