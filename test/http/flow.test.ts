import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalNotifier } from "../../src/store/local-notifier.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

describe("QR sign-in end to end over real sockets", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it("create → SSE → scan → scanned → approve → approved over SSE → redeem → the host's session", async () => {
    const desktop = new Desktop(server.url);
    const created = await desktop.create();
    assert.equal(created.status, 201);
    assert.match(desktop.qrUrl, /^http:\/\/127\.0\.0\.1:\d+\/qrlogin\/a#t=[A-Za-z0-9_-]{52}$/);
    assert.equal(created.body.userCode, undefined, "no typed code until the desktop asks for one");
    assert.equal(created.body.browserSecret, undefined, "the secret travels in the cookie only");
    const cookie = created.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, new RegExp(`^qrlogin-${desktop.id}=[A-Za-z0-9_-]{43}; Path=/;`), "one cookie per request");
    assert.doesNotMatch(desktop.qrUrl, new RegExp(cookie.split(";")[0]?.split("=")[1] ?? "-"), "no secret in the QR");

    const events = await desktop.events();
    assert.equal(events.retry, 2000);
    const phone = new Phone(server.url, "alice");
    const card = await phone.scan(desktop.scanToken);
    assert.equal(card.status, 200);
    assert.equal(card.body.id, desktop.id);
    const requester = card.body.requester as Record<string, unknown>;
    assert.equal(requester.browser, "Firefox 133");
    assert.equal(requester.os, "Linux");
    assert.equal(requester.ip, "127.0.0.1");
    assert.equal(requester.sameNetwork, true);
    assert.equal(requester.claimedByBrowser, true);

    const scanned = await events.next("scanned");
    assert.equal(scanned.data.approver, "a•••@example.com");

    assert.equal((await phone.approve(desktop.id)).status, 200);
    const approved = await events.next("approved");
    assert.ok(Number(approved.id) > Number(scanned.id), "event ids grow with the request's version");

    const redeemed = await desktop.redeem();
    assert.equal(redeemed.status, 200);
    assert.equal(redeemed.body.userId, "alice");
    assert.deepEqual(redeemed.body.session, { token: "token-of-alice" });
    assert.match(redeemed.headers.get("set-cookie") ?? "", /sid=session-of-alice/);
    assert.deepEqual(server.sessions, ["alice"]);

    await events.next("redeemed");
    await events.closed();
  });

  it("the typed code claims the request like a scan", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await desktop.showCode();
    const phone = new Phone(server.url, "bob");
    const card = await phone.typeCode(desktop.userCode.toLowerCase().replace("-", " "));
    assert.equal(card.status, 200);
    assert.equal(card.body.id, desktop.id);
    assert.equal((await phone.approve(desktop.id)).status, 200);
    assert.equal((await desktop.redeem()).body.userId, "bob");
  });

  it("deny reaches the desktop as `denied` and redeem is refused with access_denied", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const events = await desktop.events();
    const phone = new Phone(server.url, "carol");
    await phone.scan(desktop.scanToken);
    assert.equal((await phone.deny(desktop.id, "not_me")).status, 200);
    assert.equal((await events.next("denied")).data.reason, "not_me");
    await events.closed();
    const redeem = await desktop.redeem();
    assert.equal(redeem.status, 403);
    assert.equal(redeem.body.error, "access_denied");
  });

  it("cancel ends the stream with `cancelled` and the code no longer works", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const events = await desktop.events();
    assert.equal((await desktop.request("", { method: "DELETE" })).status, 200);
    await events.next("cancelled");
    const scan = await new Phone(server.url, "dave").scan(desktop.scanToken);
    assert.equal(scan.body.error, "CANCELLED");
  });

  it("a reconnecting stream starts from the stored state: an approval made while away is not lost", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const first = await desktop.events();
    const phone = new Phone(server.url, "erin");
    await phone.scan(desktop.scanToken);
    const scanned = await first.next("scanned");
    first.close();
    await phone.approve(desktop.id);
    const second = await desktop.events(Number(scanned.id));
    await second.next("approved");
    assert.equal(second.received.filter((e) => e.event === "scanned").length, 0, "what it saw is not repeated");
    assert.equal((await desktop.redeem()).status, 200);
    second.close();
  });

  it("non-browser clients get the secret in the body and use it as a bearer token; long-poll follows the state", async () => {
    const desktop = new Desktop(server.url);
    const created = await desktop.create({ secretInBody: true });
    const secret = String(created.body.browserSecret);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    desktop.cookie = "";
    const auth = { authorization: `Bearer ${secret}` };
    const now = await desktop.request("", { headers: auth });
    assert.equal(now.body.status, "pending");
    const waiting = desktop.request(`?wait=5&version=${now.body.version}`, { headers: auth });
    const phone = new Phone(server.url, "frank");
    await phone.scan(desktop.scanToken);
    const changed = await waiting;
    assert.equal(changed.body.status, "scanned");
    assert.equal(changed.body.approver, "f•••@example.com");
    await phone.approve(desktop.id);
    const redeemed = await desktop.request("/redeem", { method: "POST", headers: auth });
    assert.equal(redeemed.body.userId, "frank");
  });

  it("sends heartbeats on idle streams", async () => {
    const quick = await startServer({ heartbeatMs: 50 });
    try {
      const desktop = new Desktop(quick.url);
      await desktop.create();
      const events = await desktop.events();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(events.comments >= 2, `heartbeats: ${events.comments}`);
      events.close();
    } finally {
      await quick.close();
    }
  });

  it("the onEvent hook sees every transition", async () => {
    const seen: string[] = [];
    const audited = await startServer({ onEvent: (e) => void seen.push(`${e.type}:${e.request.state}`) });
    try {
      const desktop = new Desktop(audited.url);
      await desktop.create();
      const phone = new Phone(audited.url, "gina");
      await phone.scan(desktop.scanToken);
      await phone.approve(desktop.id);
      await desktop.redeem();
      assert.deepEqual(seen, ["created:pending", "scanned:scanned", "approved:approved", "redeemed:redeemed"]);
    } finally {
      await audited.close();
    }
  });

  it("an approval whose message is lost (notifier outage) still reaches the desktop within seconds", async () => {
    class LosingNotifier extends LocalNotifier {
      override async publish(): Promise<void> {
        throw new Error("notifier down");
      }
    }
    const lossy = await startServer({
      notifier: new LosingNotifier(),
      lifetimes: { scanToken: 400, scanTokenGrace: 200 },
    });
    try {
      const desktop = new Desktop(lossy.url);
      await desktop.create();
      const events = await desktop.events();
      const phone = new Phone(lossy.url, "hana");
      await phone.scan(desktop.scanToken);
      await events.next("scanned", 6000);
      await phone.approve(desktop.id);
      const started = Date.now();
      await events.next("approved", 8000);
      assert.ok(Date.now() - started < 6000);
      assert.equal((await desktop.redeem()).status, 200);
      events.close();
    } finally {
      await lossy.close();
    }
  });

  it("no unexpected errors were logged", () => {
    assert.deepEqual(server.errors, []);
  });
});
