import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { redemptionMessage } from "../../src/core/browser-key.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

/**
 * DESIGN §5, played against a real server over real sockets: each attack is tried, and the
 * attacker ends without a session. The test approver hook signs the phone in as `x-test-user`.
 */
const accounts = new Map([
  ["victim@example.com", { userId: "victim", displayName: "victim@example.com" }],
  ["other@example.com", { userId: "other", displayName: "other@example.com" }],
]);

async function serverWith(options: Parameters<typeof startServer>[0] = {}) {
  return startServer({ findUser: (login) => accounts.get(login) ?? null, trustProxy: 1, ...options });
}

const from = (ip: string) => ({ "x-forwarded-for": ip });

describe("attacks from DESIGN §5 fail against a running server", () => {
  let server: TestServer;
  before(async () => {
    server = await serverWith();
  });
  after(() => server.close());

  it("guessing user codes: locked out after 5 misses (429 with Retry-After), even for a right code", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const attacker = new Phone(server.url, "guesser", "192.0.2.1");
    for (let i = 0; i < 5; i++) {
      const miss = await attacker.typeCode("BBBB-BBBB");
      assert.equal(miss.body.error, "USER_CODE_INVALID");
    }
    const locked = await attacker.typeCode(desktop.userCode);
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error, "RATE_LIMITED");
    assert.ok(Number(locked.headers.get("retry-after")) > 0);
    assert.equal((await desktop.request("")).body.status, "pending", "the request was not claimed");
  });

  it("guessing scan tokens: the scan rate limit stops a flood", async () => {
    const flooder = new Phone(server.url, "flooder", "192.0.2.2");
    const answers = [];
    for (let i = 0; i < 35; i++) answers.push(await flooder.scan(`guess${String(i).padStart(20, "0")}`));
    assert.ok(answers.slice(0, 30).every((a) => a.body.error === "SCAN_TOKEN_INVALID"));
    assert.equal(answers.at(-1)?.status, 429);
  });

  it("a photographed QR signs nobody in: no browser secret, no stream, no redemption", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const photographer = new Desktop(server.url);
    photographer.id = desktop.id;
    await new Phone(server.url, "victim").scan(desktop.scanToken);
    await new Phone(server.url, "victim").approve(desktop.id);
    assert.equal((await photographer.redeem()).body.error, "BROWSER_SECRET_REQUIRED");
    await assert.rejects(photographer.events(), { status: 401 });
    assert.equal((await desktop.redeem()).body.userId, "victim", "the real desktop still gets in");
  });

  it("an attacker who starts a login just before the user: the user's scan claims only the user's own screen", async () => {
    const attacker = new Desktop(server.url);
    await attacker.create();
    const user = new Desktop(server.url);
    await user.create();
    const phone = new Phone(server.url, "victim");
    await phone.scan(user.scanToken);
    await phone.approve(user.id);
    assert.equal((await attacker.redeem()).body.error, "NOT_SCANNED");
    assert.equal((await phone.approve(attacker.id)).body.error, "NOT_SCANNED", "approving by id alone does nothing");
  });

  it("a static phishing page or e-mail saying 'approve now': nothing to approve without a scan or the number", async () => {
    const attacker = new Desktop(server.url);
    const push = await attacker.create({ mode: "push", login: "victim@example.com" });
    const phone = new Phone(server.url, "victim");
    assert.equal((await phone.approve(attacker.id)).body.error, "WRONG_NUMBER", "no number, no approval");
    const wrong = push.body.comparison === 10 ? 11 : 10;
    assert.equal((await phone.approve(attacker.id, wrong)).body.error, "access_denied", "the first miss ended it");
    assert.equal((await attacker.redeem()).body.error, "access_denied");
  });

  it("approving an attacker's concurrent push fails without its number; one wrong number ends it with an alert", async () => {
    const fresh = await serverWith();
    try {
      const attacker = new Desktop(fresh.url);
      const attack = await attacker.create({ mode: "push", login: "victim@example.com" });
      const phone = new Phone(fresh.url, "victim");
      const listed = await phone.get("/approver/requests");
      const card = (listed.body.requests as { id: string; numberRequired: boolean }[])[0];
      assert.equal(card?.id, attacker.id);
      assert.equal(card?.numberRequired, true);
      const again = await phone.get("/approver/requests");
      for (const text of [JSON.stringify(listed.body), JSON.stringify(again.body)]) {
        assert.ok(!text.includes(`"comparison"`) && !text.includes(`"choices"`), "the phone is never told the number");
      }
      // The victim reads the number on their own screen (not the attacker's) and types it.
      const wrong = attack.body.comparison === 10 ? 11 : 10;
      const miss = await phone.approve(attacker.id, wrong);
      assert.equal(miss.body.error, "WRONG_NUMBER");
      assert.equal(miss.body.tries_left, 0);
      assert.equal((await attacker.request("")).body.status, "denied");
      assert.equal((await phone.approve(attacker.id, Number(attack.body.comparison))).body.error, "access_denied");
      assert.equal((await attacker.redeem()).body.error, "access_denied");
      assert.deepEqual(fresh.sessions, []);
      const alerts = await fresh.qr.flows.listAlerts("victim");
      assert.deepEqual(
        alerts.map((a) => a.reason),
        ["wrong_number"],
      );
    } finally {
      await fresh.close();
    }
  });

  it("push answers never reveal whether the account exists", async () => {
    const real = await new Desktop(server.url).create({ mode: "push", login: "other@example.com" });
    const none = await new Desktop(server.url).create({ mode: "push", login: "nobody@example.com" });
    assert.equal(real.status, none.status);
    assert.deepEqual(Object.keys(real.body).sort(), Object.keys(none.body).sort());
    const realDesktop = new Desktop(server.url);
    const noneDesktop = new Desktop(server.url);
    await realDesktop.create({ mode: "push", login: "other@example.com" });
    await noneDesktop.create({ mode: "push", login: "nobody@example.com" });
    const [a, b] = await Promise.all([realDesktop.events(), noneDesktop.events()]);
    const [ea, eb] = await Promise.all([a.next("scanned"), b.next("scanned")]);
    assert.deepEqual(Object.keys(ea.data).sort(), Object.keys(eb.data).sort());
    a.close();
    b.close();
  });

  it("prompt bombing: one pending push at a time; 'This wasn't me' blocks the rest and raises an alert", async () => {
    const fresh = await serverWith();
    try {
      const phone = new Phone(fresh.url, "victim");
      const stream = await phone.events();
      const bombs = [];
      for (let i = 0; i < 4; i++) {
        const bomb = new Desktop(fresh.url);
        assert.equal((await bomb.create({ mode: "push", login: "victim@example.com" })).status, 201);
        bombs.push(bomb);
      }
      const first = await stream.next("push");
      assert.equal(first.data.id, bombs[0]?.id);
      const listed = await phone.get("/approver/requests");
      assert.equal((listed.body.requests as unknown[]).length, 1, "only one reaches the phone");
      assert.equal((await phone.deny(String(first.data.id), "not_me")).status, 200);
      await stream.next("resolved");
      const alert = await stream.next("alert");
      assert.equal(alert.data.reason, "not_me");
      const after = new Desktop(fresh.url);
      assert.equal(
        (await after.create({ mode: "push", login: "victim@example.com" })).status,
        201,
        "the attacker sees no difference",
      );
      assert.equal(
        ((await phone.get("/approver/requests")).body.requests as unknown[]).length,
        0,
        "but the phone hears nothing",
      );
      const waiting = await fresh.qr.flows.listPushRequests({ userId: "victim" });
      assert.equal(waiting.length, 0, "no push is left waiting for the victim");
      stream.close();
    } finally {
      await fresh.close();
    }
  });

  it("replays of every message are refused", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const phone = new Phone(server.url, "replayer");
    const token = desktop.scanToken;
    assert.equal((await phone.scan(token)).status, 200);
    assert.equal((await phone.scan(token)).body.error, "ALREADY_CLAIMED");
    assert.equal((await phone.approve(desktop.id)).status, 200);
    assert.equal((await phone.approve(desktop.id)).body.error, "ALREADY_DECIDED");
    assert.equal((await phone.deny(desktop.id)).body.error, "ALREADY_DECIDED");
    assert.equal((await desktop.redeem()).status, 200);
    assert.equal((await desktop.redeem()).body.error, "ALREADY_REDEEMED");
    assert.equal((await desktop.request("", { method: "DELETE" })).body.error, "ALREADY_REDEEMED");
    assert.equal(server.sessions.filter((u) => u === "replayer").length, 1);
  });

  it("a stolen browser secret without the browser key cannot redeem", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const desktop = new Desktop(server.url);
    await desktop.create({ publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
    const phone = new Phone(server.url, "keyed");
    await phone.scan(desktop.scanToken);
    await phone.approve(desktop.id);
    const thief = new Desktop(server.url);
    thief.id = desktop.id;
    thief.cookie = desktop.cookie; // the secret leaked, e.g. through an extension
    assert.equal((await thief.redeem()).body.error, "BROWSER_KEY_REQUIRED");
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const forged = sign("sha256", Buffer.from(redemptionMessage(desktop.id)), {
      key: otherKey,
      dsaEncoding: "ieee-p1363",
    });
    const withForged = await thief.request("/redeem", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: forged.toString("base64url") }),
    });
    assert.equal(withForged.body.error, "BROWSER_KEY_INVALID");
    const real = sign("sha256", Buffer.from(redemptionMessage(desktop.id)), {
      key: privateKey,
      dsaEncoding: "ieee-p1363",
    });
    const redeemed = await desktop.request("/redeem", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signature: real.toString("base64url") }),
    });
    assert.equal(redeemed.body.userId, "keyed", "the key holder gets in; the failed tries consumed nothing");
  });

  it("CSRF: approve, deny and redeem from another origin or site are refused", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const phone = new Phone(server.url, "csrf");
    await phone.scan(desktop.scanToken);
    const evil = { origin: "https://evil.example" };
    assert.equal((await phone.post(`/requests/${desktop.id}/approve`, {}, evil)).body.error, "BAD_ORIGIN");
    assert.equal(
      (await phone.post(`/requests/${desktop.id}/deny`, {}, { "sec-fetch-site": "cross-site" })).body.error,
      "BAD_ORIGIN",
    );
    const form = await fetch(`${server.url}/qrlogin/requests/${desktop.id}/approve`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-test-user": "csrf" },
      body: "number=12",
    });
    assert.equal(form.status, 415);
    assert.equal((await desktop.request("")).body.status, "scanned");
  });

  it("clickjacking: every answer forbids framing and sniffing, and is never cached", async () => {
    const desktop = new Desktop(server.url);
    const created = await desktop.create();
    const error = await new Phone(server.url, null).scan("x");
    const stream = await fetch(`${server.url}/qrlogin/requests/${desktop.id}/events`, {
      headers: { cookie: desktop.cookie },
    });
    for (const headers of [created.headers, error.headers, stream.headers]) {
      assert.equal(headers.get("x-frame-options"), "DENY");
      assert.match(headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
      assert.equal(headers.get("x-content-type-options"), "nosniff");
      assert.equal(headers.get("cache-control"), "no-store");
    }
    await stream.body?.cancel();
  });

  it("a newly linked desktop raises an alert on the account's phones", async () => {
    const phone = new Phone(server.url, "linked", "192.0.2.30");
    const stream = await phone.events();
    const desktop = new Desktop(server.url);
    await desktop.create();
    await phone.scan(desktop.scanToken);
    await phone.approve(desktop.id);
    await desktop.redeem();
    const alert = await stream.next("alert");
    assert.equal(alert.data.reason, "new_device");
    assert.equal(alert.data.requestId, desktop.id);
    stream.close();
  });

  it("no secret ever appears in a URL: the QR carries only the scan token, in the fragment", async () => {
    const desktop = new Desktop(server.url);
    const created = await desktop.create({ secretInBody: true });
    const url = new URL(desktop.qrUrl);
    assert.equal(url.search, "");
    assert.match(url.hash, /^#t=/);
    assert.doesNotMatch(desktop.qrUrl, new RegExp(String(created.body.browserSecret)));
    assert.doesNotMatch(desktop.qrUrl, new RegExp(desktop.userCode.replace("-", "")));
  });
});

describe("a QR relayed from another network (QRLJacking)", () => {
  const desktopIp = from("203.0.113.50");
  const phoneIp = from("198.51.100.9");

  it("the card shows the mismatch prominently (policy warn, the default)", async () => {
    const server = await serverWith();
    try {
      const desktop = new Desktop(server.url);
      await desktop.create({}, desktopIp);
      const card = await new Phone(server.url, "victim").post("/scan", { token: desktop.scanToken }, phoneIp);
      const requester = card.body.requester as { ip: string; sameNetwork: boolean };
      assert.equal(requester.ip, "203.0.113.50");
      assert.equal(requester.sameNetwork, false);
      assert.match(String((card.body.warnings as string[])[0]), /different network/);
    } finally {
      await server.close();
    }
  });

  it("with a GeoIP lookup, the card names the place and flags another country", async () => {
    const places: Record<string, { label: string; countryCode: string }> = {
      "203.0.113.50": { label: "Lagos, Nigeria", countryCode: "NG" },
      "198.51.100.9": { label: "Lyon, France", countryCode: "FR" },
    };
    const server = await serverWith({ geoip: async (ip) => (ip ? (places[ip] ?? null) : null) });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create({}, desktopIp);
      const card = await new Phone(server.url, "victim").post("/scan", { token: desktop.scanToken }, phoneIp);
      const requester = card.body.requester as { location: string; sameCountry: boolean };
      assert.equal(requester.location, "Lagos, Nigeria");
      assert.equal(requester.sameCountry, false);
      assert.ok((card.body.warnings as string[]).some((w) => w.includes("Lagos, Nigeria")));
    } finally {
      await server.close();
    }
  });

  it("policy refuse: the scan is refused and the request stays unclaimed", async () => {
    const server = await serverWith({ relayPolicy: "refuse" });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create({}, desktopIp);
      const refused = await new Phone(server.url, "victim").post("/scan", { token: desktop.scanToken }, phoneIp);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, "NETWORK_MISMATCH");
      assert.equal((await desktop.request("")).body.status, "pending");
      const local = await new Phone(server.url, "victim").post(
        "/scan",
        { token: desktop.scanToken },
        from("203.0.113.77"),
      );
      assert.equal(local.status, 200, "the same network is fine");
    } finally {
      await server.close();
    }
  });

  it("policy require-number: the desktop shows a number and approval needs it", async () => {
    const server = await serverWith({ relayPolicy: "require-number" });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create({}, desktopIp);
      const events = await desktop.events();
      const phone = new Phone(server.url, "victim");
      const card = await phone.post("/scan", { token: desktop.scanToken }, phoneIp);
      assert.equal(card.body.numberRequired, true);
      const scanned = await events.next("scanned");
      const number = Number(scanned.data.comparison);
      assert.ok(number >= 10 && number <= 99);
      assert.equal((await phone.approve(desktop.id, number)).status, 200);
      events.close();
    } finally {
      await server.close();
    }
  });
});
