import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cardDigestOf, challengeFor } from "../../src/browser/approval-binding.ts";
import { challengeOf } from "../../src/core/approval-challenge.ts";
import type { QrLoginOptions } from "../../src/qrlogin.ts";
import type { PasskeyCredential } from "../../src/service/passkey-check.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { PasskeyChallenge, RequestCard } from "../../src/wire.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer, testHooks } from "../helpers/server.ts";
import { SoftwarePasskey } from "../helpers/software-passkey.ts";

/** The host's table of passkeys: each account's credentials, with the counters `updateCounter` saves. */
function passkeyTable(...passkeys: SoftwarePasskey[]) {
  const counters = new Map<string, number>();
  const credentials = (userId: string): PasskeyCredential[] =>
    passkeys.filter((p) => p.userId === userId).map((p) => ({ ...p.credential(), counter: counters.get(p.id) ?? 0 }));
  const updateCounter = (id: string, counter: number) => void counters.set(id, counter);
  return { credentials, updateCounter, counters };
}

const alicePasskey = new SoftwarePasskey("alice");
const bobPasskey = new SoftwarePasskey("bob");
/** Alice's, but never registered with the site. */
const strayPasskey = new SoftwarePasskey("alice");

/** A desktop whose request alice's phone has scanned, and her phone. */
async function scanned(
  server: TestServer,
  body: unknown = {},
): Promise<{ desktop: Desktop; phone: Phone; card: RequestCard }> {
  const desktop = new Desktop(server.url);
  await desktop.create(body);
  const phone = new Phone(server.url, "alice");
  const card = await phone.scan(desktop.scanToken);
  assert.equal(card.status, 200, JSON.stringify(card.body));
  return { desktop, phone, card: card.body as unknown as RequestCard };
}

async function optionsFor(phone: Phone, id: string): Promise<PasskeyChallenge> {
  const answer = await phone.get(`/requests/${id}/approval-options`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as unknown as PasskeyChallenge;
}

describe("passkey-verified approval (userVerification: required)", () => {
  let server: TestServer;
  const table = passkeyTable(alicePasskey, bobPasskey);
  before(async () => {
    server = await startServer({ approval: { userVerification: "required", ...table } });
  });
  after(() => server.close());

  const approveWith = (phone: Phone, id: string, body: unknown) => phone.post(`/requests/${id}/approve`, body);

  it("the card asks for the passkey; the options bind this request, version, card and browser key, as the phone computes them", async () => {
    const { phone, card } = await scanned(server);
    assert.equal(card.passkeyApproval, "required");
    assert.equal(card.passkeyRequired, false);
    const challenge = await optionsFor(phone, card.id);
    assert.equal(challenge.userVerification, "required");
    assert.deepEqual(
      challenge.publicKey?.allowCredentials.map((c) => c.id),
      [alicePasskey.id],
      "only the approver's own passkeys",
    );
    assert.equal(challenge.publicKey?.rpId, "127.0.0.1");
    assert.equal(challenge.binding.requestId, card.id);
    assert.equal(challenge.binding.card, await cardDigestOf(card), "the phone's digest of the card it showed");
    assert.equal(challenge.publicKey?.challenge, await challengeFor(challenge.binding), "the phone's own derivation");
    assert.equal(challenge.publicKey?.challenge, challengeOf(challenge.binding), "the server's");
  });

  it("refusals each have their own code, come before anything changes, and a good assertion then approves once", async () => {
    const { desktop, phone, card } = await scanned(server);
    const challenge = await optionsFor(phone, card.id);
    const options = challenge.publicKey;
    assert.ok(options);
    const other = await scanned(server);
    const otherOptions = (await optionsFor(phone, other.card.id)).publicKey;
    assert.ok(otherOptions);
    const earlier = challengeOf({ ...challenge.binding, version: challenge.binding.version - 1 });
    const refusals: [string, unknown, string][] = [
      ["no assertion", {}, "PASSKEY_REQUIRED"],
      [
        "no user verification",
        { assertion: alicePasskey.assert(options, server.url, { userVerified: false }) },
        "PASSKEY_USER_NOT_VERIFIED",
      ],
      [
        "made for another request",
        { assertion: alicePasskey.assert(otherOptions, server.url) },
        "PASSKEY_CHALLENGE_MISMATCH",
      ],
      [
        "made for an earlier version",
        { assertion: alicePasskey.assert(options, server.url, { challenge: earlier }) },
        "PASSKEY_CHALLENGE_MISMATCH",
      ],
      [
        "a passkey the host does not know",
        { assertion: strayPasskey.assert(options, server.url) },
        "PASSKEY_UNKNOWN_CREDENTIAL",
      ],
      [
        "another account's passkey",
        { assertion: bobPasskey.assert(options, server.url) },
        "PASSKEY_UNKNOWN_CREDENTIAL",
      ],
      ["made on another site", { assertion: alicePasskey.assert(options, "https://evil.example") }, "PASSKEY_INVALID"],
    ];
    const forged = alicePasskey.assert(options, server.url);
    forged.response.signature = bobPasskey.assert(options, server.url).response.signature;
    refusals.push(["a forged signature", { assertion: forged }, "PASSKEY_INVALID"]);
    for (const [what, body, code] of refusals) {
      const answer = await approveWith(phone, card.id, body);
      assert.equal(answer.body.error, code, `${what}: ${JSON.stringify(answer.body)}`);
      const now = await desktop.request("");
      assert.equal(now.body.status, "scanned", `${what} changed nothing`);
      assert.equal(now.body.version, challenge.binding.version, `${what} changed nothing`);
    }
    const good = alicePasskey.assert(options, server.url);
    assert.equal((await approveWith(phone, card.id, { assertion: good })).status, 200);
    const replayed = await approveWith(phone, card.id, { assertion: good });
    assert.equal(replayed.body.error, "PASSKEY_REPLAYED");
    assert.equal((await desktop.redeem()).body.userId, "alice");
  });

  it("a replayed assertion is refused even where the request would still take it, and a counter that did not move is a replay", async () => {
    const { phone, card } = await scanned(server);
    const options = (await optionsFor(phone, card.id)).publicKey;
    assert.ok(options);
    const good = alicePasskey.assert(options, server.url);
    assert.equal((await approveWith(phone, card.id, { assertion: good })).status, 200);
    assert.equal(table.counters.get(alicePasskey.id), alicePasskey.counter, "the host saved the counter");

    const next = await scanned(server);
    const nextOptions = (await optionsFor(phone, next.card.id)).publicKey;
    assert.ok(nextOptions);
    alicePasskey.counter = 0; // a clone of the passkey, or a recorded answer, starts again from an old count
    const cloned = alicePasskey.assert(nextOptions, server.url);
    assert.equal((await approveWith(phone, next.card.id, { assertion: cloned })).body.error, "PASSKEY_REPLAYED");
    assert.equal((await next.desktop.request("")).body.status, "scanned");
    alicePasskey.counter = 100;
  });

  it("the step's own errors come first: another account's phone is told NOT_YOUR_REQUEST before any passkey", async () => {
    const { card } = await scanned(server);
    const bob = new Phone(server.url, "bob");
    assert.equal((await bob.get(`/requests/${card.id}/approval-options`)).body.error, "NOT_YOUR_REQUEST");
  });

  it("with a browser key, the key is part of the binding", async () => {
    const publicKey = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    };
    const { phone, card } = await scanned(server, { publicKey });
    const challenge = await optionsFor(phone, card.id);
    assert.equal(challenge.binding.browserKey, JSON.stringify(publicKey));
  });
});

describe("passkey-verified approval (userVerification: preferred)", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ approval: { userVerification: "preferred", ...passkeyTable(alicePasskey) } });
  });
  after(() => server.close());

  it("an account without a passkey gets no options and approves without; one that sends an assertion has it checked", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const carol = new Phone(server.url, "carol");
    assert.equal((await carol.scan(desktop.scanToken)).body.passkeyApproval, "preferred");
    assert.equal((await carol.get(`/requests/${desktop.id}/approval-options`)).body.publicKey, null);
    assert.equal((await carol.approve(desktop.id)).status, 200);

    const { phone, card } = await scanned(server);
    const options = (await optionsFor(phone, card.id)).publicKey;
    assert.ok(options);
    const bad = alicePasskey.assert(options, server.url, {
      challenge: challengeOf({ requestId: "x", version: 1, card: "", browserKey: null }),
    });
    assert.equal(
      (await phone.post(`/requests/${card.id}/approve`, { assertion: bad })).body.error,
      "PASSKEY_CHALLENGE_MISMATCH",
    );
    const unverified = alicePasskey.assert(options, server.url, { userVerified: false });
    assert.equal(
      (await phone.post(`/requests/${card.id}/approve`, { assertion: unverified })).status,
      200,
      "UV is not asked for",
    );
  });
});

describe("passkey sign-in on the desktop (mode passkey)", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      approval: {
        ...passkeyTable(alicePasskey, bobPasskey),
        findUserByHandle: (handle) => {
          const userId = Buffer.from(handle, "base64url").toString();
          return ["alice", "bob"].includes(userId) ? { userId, displayName: `${userId}@example.com` } : null;
        },
      },
    });
  });
  after(() => server.close());

  /** A passkey request, its options, and its desktop. */
  async function passkeyRequest() {
    const desktop = new Desktop(server.url);
    const created = await desktop.create({ mode: "passkey" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const answer = await desktop.request("/passkey-options");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return { desktop, created, challenge: answer.body as unknown as PasskeyChallenge };
  }

  it("pending → approved by the passkey's account → redeemed by the same desktop, with the same session and alert as a QR", async () => {
    const { desktop, created, challenge } = await passkeyRequest();
    assert.equal(created.body.mode, "passkey");
    assert.equal(created.body.qr, undefined, "nothing to scan");
    assert.deepEqual(challenge.publicKey?.allowCredentials, [], "the browser's own dialog finds the passkey");
    assert.deepEqual(challenge.publicKey?.hints, ["hybrid"]);
    assert.equal(challenge.publicKey?.userVerification, "required");
    const events = await desktop.events();
    try {
      const assertion = alicePasskey.assert(challenge.publicKey ?? { challenge: "", rpId: "" }, server.url);
      const approved = await desktop.request("/passkey", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assertion }),
      });
      assert.deepEqual(approved.body, { id: desktop.id, status: "approved" });
      assert.equal((await events.next("approved")).data.approver, "a•••@example.com");
    } finally {
      events.close();
    }
    const redeemed = await desktop.redeem();
    assert.equal(redeemed.body.userId, "alice");
    assert.ok(server.sessions.includes("alice"));
    const alerts = await server.qr.flows.listAlerts("alice");
    assert.ok(alerts.some((a) => a.reason === "new_device" && a.requestId === desktop.id));
  });

  it("refuses a passkey without user verification, one nobody knows, and another request's assertion; the request stays pending", async () => {
    const { desktop, challenge } = await passkeyRequest();
    const other = await passkeyRequest();
    const options = challenge.publicKey ?? { challenge: "", rpId: "" };
    const post = (assertion: unknown) =>
      desktop.request("/passkey", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assertion }),
      });
    const cases: [unknown, string][] = [
      [alicePasskey.assert(options, server.url, { userVerified: false }), "PASSKEY_USER_NOT_VERIFIED"],
      [new SoftwarePasskey("mallory").assert(options, server.url), "PASSKEY_UNKNOWN_CREDENTIAL"],
      [strayPasskey.assert(options, server.url), "PASSKEY_UNKNOWN_CREDENTIAL"],
      [alicePasskey.assert(other.challenge.publicKey ?? options, server.url), "PASSKEY_CHALLENGE_MISMATCH"],
    ];
    for (const [assertion, code] of cases) {
      assert.equal((await post(assertion)).body.error, code);
      assert.equal((await desktop.request("")).body.status, "pending");
    }
    assert.equal((await other.desktop.request("/passkey-options")).status, 200, "the other is untouched too");
  });

  it("only its own desktop may ask: no browser secret, no options; a QR request has no passkey sign-in", async () => {
    const { desktop } = await passkeyRequest();
    const stranger = new Desktop(server.url);
    stranger.id = desktop.id;
    assert.equal((await stranger.request("/passkey-options")).body.error, "BROWSER_SECRET_REQUIRED");
    const qr = new Desktop(server.url);
    const created = await qr.create();
    assert.equal(created.body.passkeySignIn, true, "the QR answer says a passkey may be offered");
    assert.equal((await qr.request("/passkey-options")).body.error, "PASSKEY_DISABLED");
  });
});

describe("relay policy passkey", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      trustProxy: 1,
      relayPolicy: "passkey",
      approval: passkeyTable(alicePasskey, bobPasskey),
    });
  });
  after(() => server.close());

  it("a scan from another network gets no approval: the card and the desktop's event say passkey, and the phone's passkey on the desktop signs in", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create({}, { "x-forwarded-for": "203.0.113.5" });
    const events = await desktop.events();
    try {
      const phone = new Phone(server.url, "alice", "198.51.100.5");
      const card = await phone.scan(desktop.scanToken);
      assert.equal(card.body.passkeyRequired, true);
      assert.equal(card.body.numberRequired, false);
      const scannedEvent = await events.next("scanned");
      assert.equal(scannedEvent.data.passkeyRequired, true);
      const refused = await phone.approve(desktop.id);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, "PASSKEY_SIGN_IN_REQUIRED");
      const challenge = (await desktop.request("/passkey-options")).body as unknown as PasskeyChallenge;
      const options = challenge.publicKey ?? { challenge: "", rpId: "" };
      const post = (assertion: unknown) =>
        desktop.request("/passkey", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ assertion }),
        });
      assert.equal(
        (await post(bobPasskey.assert(options, server.url))).body.error,
        "PASSKEY_UNKNOWN_CREDENTIAL",
        "only the approver's passkey",
      );
      assert.equal((await post(alicePasskey.assert(options, server.url))).status, 200);
      await events.next("approved");
    } finally {
      events.close();
    }
    assert.equal((await desktop.redeem()).body.userId, "alice");
  });

  it("a scan from the same network is approved as usual", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create({}, { "x-forwarded-for": "203.0.113.5" });
    const phone = new Phone(server.url, "alice", "203.0.113.9");
    assert.equal((await phone.scan(desktop.scanToken)).body.passkeyRequired, false);
    assert.equal((await phone.approve(desktop.id)).status, 200);
  });
});

describe("passkey options are checked at start-up", () => {
  const base = { store: new MemoryStore(), ...testHooks(() => {}) } satisfies Partial<QrLoginOptions>;
  it("approval and relayPolicy passkey need the host's passkeys; a passkey request needs them too", async () => {
    const { createQrLogin } = await import("../../src/qrlogin.ts");
    assert.throws(
      () => createQrLogin({ ...base, approval: { userVerification: "required" } }),
      /approval\.credentials/,
    );
    assert.throws(() => createQrLogin({ ...base, relayPolicy: "passkey" }), /approval\.credentials/);
    assert.throws(
      () => createQrLogin({ ...base, approval: { userVerification: "always" as never, credentials: () => [] } }),
      /userVerification/,
    );
    const server = await startServer();
    try {
      const answer = await new Desktop(server.url).create({ mode: "passkey" });
      assert.equal(answer.body.error, "PASSKEY_DISABLED");
    } finally {
      await server.close();
    }
  });
});
