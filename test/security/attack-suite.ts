import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, describe, it } from "node:test";
import { redemptionMessage } from "../../src/core/browser-key.ts";
import { scanKeys, scanTokenFor } from "../../src/core/scan-token.ts";
import { openRedemption } from "../../src/core/sealed-redemption.ts";
import { USER_CODE_ALPHABET } from "../../src/core/user-code.ts";
import type { IssuedSession, IssueSession } from "../../src/http/session.ts";
import { createQrLogin, type QrLogin, type QrLoginOptions } from "../../src/qrlogin.ts";
import type { PasskeyChallenge } from "../../src/wire.ts";
import { type Answer, Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer, testHooks } from "../helpers/server.ts";
import { SoftwarePasskey } from "../helpers/software-passkey.ts";
import type { StoreKind } from "../helpers/stores.ts";

// The attacks of the threat model (SECURITY.md), each played against a real `node:http` server over
// real sockets, on a fresh store of the given kind, ending with the attacker outside. The test
// approver hook signs the phone in as the user named in `x-test-user`; `x-forwarded-for` sets the
// caller's address (the servers trust one proxy).

/** The accounts push requests can name. */
const accounts = new Map([
  ["victim@example.com", { userId: "victim", displayName: "victim@example.com" }],
  ["other@example.com", { userId: "other", displayName: "other@example.com" }],
]);

/** Networks of the scenarios: the user's own, the attacker's, and a bystander's. */
const HER_DESKTOP = "203.0.113.10";
const HER_PHONE = "203.0.113.20";
const HIS_NETWORK = "198.51.100.66";
const BYSTANDER = "192.0.2.44";

const from = (ip: string) => ({ "x-forwarded-for": ip });
const MINUTE = 60_000;
/** A limit high enough never to be the one a test runs into. */
const UNLIMITED = { max: 100_000, windowMs: MINUTE };

/** A number that is not `number`, for a wrong answer. */
const wrongNumber = (number: number) => (number === 10 ? 11 : 10);

/** Every key of every object inside `value`, however deep. */
function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysIn(item, into);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysIn(inner, into);
    }
  }
  return into;
}

/** Asserts that no answer given to a phone carries the number or choices of numbers. */
function assertNoNumberTold(answers: unknown[], what: string): void {
  for (const answer of answers) {
    const keys = keysIn(answer);
    assert.ok(!keys.has("comparison") && !keys.has("choices"), `${what}: ${JSON.stringify(answer)}`);
  }
}

/** A wrong code in the code alphabet, different for each `i`, that no request has (by overwhelming odds). */
function guessedCode(i: number): string {
  let code = "";
  for (let n = i + 1_000_003; code.length < 8; n = Math.floor(n / 7) + 17 * code.length) {
    code += USER_CODE_ALPHABET[n % USER_CODE_ALPHABET.length];
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Reads a raw event stream until the frame of `event` arrived. Streams here are closed only after
 * the frame their last refresh sends, so no refresh is still running when the client goes.
 */
async function untilFrame(response: Response, event: string): Promise<void> {
  const reader = response.body?.getReader();
  assert.ok(reader, "a stream body");
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(`event: ${event}\n`)) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended before "${event}": ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
}

/** The ids of the push requests the phone's inbox lists. */
async function inbox(phone: Phone): Promise<string[]> {
  const answer = await phone.get("/approver/requests");
  assert.equal(answer.status, 200);
  return (answer.body.requests as { id: string }[]).map((card) => card.id);
}

/** A desktop that asked for a push to `login` from `ip`, and the number its screen shows. */
async function pushFrom(server: TestServer, login: string, ip: string): Promise<{ desktop: Desktop; number: number }> {
  const desktop = new Desktop(server.url);
  const created = await desktop.create({ mode: "push", login }, from(ip));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { desktop, number: Number(created.body.comparison) };
}

/** Runs `work` over `items`, at most `width` at a time, and returns the results in order. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width)
    results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

/** How many answers had each error code (`200` for successes). */
function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 || answer.status === 201 ? String(answer.status) : String(answer.body.error);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** An `issueSession` that misbehaves with `first` on its first call only, and counts its calls. */
function failingOnce(first: () => Promise<IssuedSession> | IssuedSession) {
  const calls: string[] = [];
  const issueSession: IssueSession = async ({ userId }) => {
    calls.push(userId);
    if (calls.length === 1) return first();
    return { setCookie: `sid=session-of-${userId}; Path=/; HttpOnly`, body: { token: `token-of-${userId}` } };
  };
  return { issueSession, calls };
}

/**
 * Registers the whole attack suite for one kind of store: one `describe` named after it. Every test
 * starts its own server on a store of its own, so counters, alerts and pending pushes of one test
 * never help or hinder another.
 */
export function attackSuite(kind: StoreKind): void {
  /** Starts a server on a fresh store of this kind, runs `attack` against it and closes it. */
  async function onServer(options: Partial<QrLoginOptions>, attack: (server: TestServer) => Promise<void>) {
    const server = await startServer({
      store: await kind.open(),
      findUser: (login) => accounts.get(login) ?? null,
      trustProxy: 1,
      ...options,
    });
    try {
      await attack(server);
    } finally {
      await server.close();
    }
  }

  describe(`attacks fail against a running server on the ${kind.name} store`, { skip: kind.skip }, () => {
    after(() => kind.cleanup());

    describe("guessing, photographing, replaying and forging", () => {
      it("guessing user codes: locked out after 5 misses (429 with Retry-After), even for a right code", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create();
          await desktop.showCode();
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
        }));

      it("guessing scan tokens: the scan rate limit stops a flood", () =>
        onServer({}, async (server) => {
          const flooder = new Phone(server.url, "flooder", "192.0.2.2");
          const answers = [];
          for (let i = 0; i < 35; i++) answers.push(await flooder.scan(`guess${String(i).padStart(20, "0")}`));
          assert.ok(answers.slice(0, 30).every((a) => a.body.error === "SCAN_TOKEN_INVALID"));
          assert.equal(answers.at(-1)?.status, 429);
        }));

      it("forging derived scan tokens: another request's id under my MAC, another deployment's secret, a later period, a flipped bit", () =>
        onServer({ lifetimes: { scanToken: 20_000 } }, async (server) => {
          const mine = new Desktop(server.url);
          await mine.create({}, from(HIS_NETWORK));
          const victim = new Desktop(server.url);
          await victim.create({}, from(HER_DESKTOP));
          const token = (desktop: Desktop, period: number) => new URL(desktop.qrUrls[period] as string).hash.slice(3);
          const spliced = Buffer.from(token(mine, 0), "base64url");
          Buffer.from(victim.id, "base64url").copy(spliced, 1);
          const flipped = Buffer.from(token(victim, 0), "base64url");
          flipped[flipped.length - 1] = (flipped.at(-1) as number) ^ 1;
          const alien = scanTokenFor(scanKeys(["an attacker's own deployment secret, 32+"]), victim.id, 0);
          const attacker = new Phone(server.url, "mallory", HIS_NETWORK);
          for (const forged of [spliced, flipped].map((b) => b.toString("base64url")).concat(alien)) {
            assert.equal((await attacker.scan(forged)).body.error, "SCAN_TOKEN_INVALID");
          }
          assert.equal((await attacker.scan(token(victim, 3))).body.error, "expired_token", "a later period's, early");
          assert.equal((await victim.request("")).body.status, "pending", "nothing claimed her screen");
          assert.equal((await victim.request("")).body.version, 1, "nothing was written to it");
        }));

      it("a photographed QR signs nobody in: no browser secret, no stream, no redemption", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create();
          const photographer = new Desktop(server.url);
          photographer.id = desktop.id;
          await new Phone(server.url, "victim").scan(desktop.scanToken);
          await new Phone(server.url, "victim").approve(desktop.id);
          assert.equal((await photographer.redeem()).body.error, "BROWSER_SECRET_REQUIRED");
          await assert.rejects(photographer.events(), { status: 401 });
          assert.equal((await desktop.redeem()).body.userId, "victim", "the real desktop still gets in");
        }));

      it("an attacker who starts a login just before the user: the user's scan claims only the user's own screen", () =>
        onServer({}, async (server) => {
          const attacker = new Desktop(server.url);
          await attacker.create();
          const user = new Desktop(server.url);
          await user.create();
          const phone = new Phone(server.url, "victim");
          await phone.scan(user.scanToken);
          await phone.approve(user.id);
          assert.equal((await attacker.redeem()).body.error, "NOT_SCANNED");
          assert.equal(
            (await phone.approve(attacker.id)).body.error,
            "NOT_SCANNED",
            "approving by id alone does nothing",
          );
        }));

      it("replays of every message are refused", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create();
          const phone = new Phone(server.url, "replayer");
          const token = desktop.scanToken;
          assert.equal((await phone.scan(token)).status, 200);
          assert.equal((await phone.scan(token)).body.error, "ALREADY_CLAIMED");
          assert.equal((await phone.approve(desktop.id)).status, 200);
          assert.equal((await phone.approve(desktop.id)).body.error, "ALREADY_DECIDED");
          assert.equal((await phone.deny(desktop.id)).body.error, "ALREADY_DECIDED");
          const redeemed = await desktop.redeem();
          assert.equal(redeemed.status, 200);
          // The desktop itself, whose answer may have been lost, is answered the same session again.
          assert.deepEqual((await desktop.redeem()).body, redeemed.body);
          assert.equal((await desktop.request("", { method: "DELETE" })).body.error, "ALREADY_REDEEMED");
          assert.equal(server.sessions.filter((u) => u === "replayer").length, 1);
        }));

      it("a thief with the request id (and the scan token) replays a redeemed request: no session, even from a leaked store", () =>
        onServer({ lifetimes: { redemption: 1500 } }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(HER_DESKTOP));
          const scanToken = desktop.scanToken;
          const phone = new Phone(server.url, "victim", HER_PHONE);
          await phone.scan(scanToken);
          await phone.approve(desktop.id);
          const redeemed = await desktop.redeem();
          assert.equal(redeemed.status, 200);
          const thief = new Desktop(server.url);
          thief.id = desktop.id;
          assert.equal((await thief.redeem()).body.error, "BROWSER_SECRET_REQUIRED");
          thief.cookie = `qrlogin-${desktop.id}=${scanToken}`; // the only secret he saw
          assert.equal((await thief.redeem()).body.error, "BROWSER_SECRET_INVALID");
          assert.equal(
            (await new Phone(server.url, "thief", HIS_NETWORK).scan(scanToken)).body.error,
            "ALREADY_REDEEMED",
          );
          // The store's copy: sealed under the browser secret, which it keeps only as a hash.
          const stored = await server.qr.flows.get(desktop.id);
          assert.ok(stored.sealedRedemption);
          assert.doesNotMatch(stored.sealedRedemption, /sid=|token-of/);
          assert.equal(openRedemption(stored.sealedRedemption, stored.browserSecretHash, desktop.id), undefined);
          // Even the desktop is answered again only within the redemption window.
          await new Promise((resolve) => setTimeout(resolve, 1600));
          assert.equal((await desktop.redeem()).body.error, "ALREADY_REDEEMED");
          assert.deepEqual(server.sessions, ["victim"]);
        }));

      it("a stolen browser secret without the browser key cannot redeem", () =>
        onServer({}, async (server) => {
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
        }));

      it("CSRF: approve, deny and redeem from another origin or site are refused", () =>
        onServer({}, async (server) => {
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
          assert.equal(
            (await desktop.request("/redeem", { method: "POST", headers: evil })).body.error,
            "BAD_ORIGIN",
            "redeem too",
          );
          const form = await fetch(`${server.url}/qrlogin/requests/${desktop.id}/approve`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", "x-test-user": "csrf" },
            body: "number=12",
          });
          assert.equal(form.status, 415);
          assert.equal((await desktop.request("")).body.status, "scanned");
        }));

      it("clickjacking: every answer forbids framing and sniffing, and is never cached", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          const created = await desktop.create();
          const error = await new Phone(server.url, null).scan("x");
          await new Phone(server.url, "framed").scan(desktop.scanToken);
          const stream = await fetch(`${server.url}/qrlogin/requests/${desktop.id}/events`, {
            headers: { cookie: desktop.cookie },
          });
          for (const headers of [created.headers, error.headers, stream.headers]) {
            assert.equal(headers.get("x-frame-options"), "DENY");
            assert.match(headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
            assert.equal(headers.get("x-content-type-options"), "nosniff");
            assert.equal(headers.get("cache-control"), "no-store");
          }
          await untilFrame(stream, "scanned");
          await stream.body?.cancel();
        }));

      it("no secret ever appears in a URL: the QR carries only the scan token, in the fragment", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          const created = await desktop.create({ secretInBody: true });
          await desktop.showCode();
          const url = new URL(desktop.qrUrl);
          assert.equal(url.search, "");
          assert.match(url.hash, /^#t=/);
          assert.doesNotMatch(desktop.qrUrl, new RegExp(String(created.body.browserSecret)));
          assert.doesNotMatch(desktop.qrUrl, new RegExp(desktop.userCode.replace("-", "")));
        }));

      it("a newly linked desktop raises an alert on the account's phones", () =>
        onServer({}, async (server) => {
          const phone = new Phone(server.url, "linked", "192.0.2.30");
          const stream = await phone.events();
          try {
            const desktop = new Desktop(server.url);
            await desktop.create();
            await phone.scan(desktop.scanToken);
            await phone.approve(desktop.id);
            await desktop.redeem();
            const alert = await stream.next("alert");
            assert.equal(alert.data.reason, "new_device");
            assert.equal(alert.data.requestId, desktop.id);
          } finally {
            stream.close();
          }
        }));
    });

    describe("number matching a blind guesser cannot beat (one typed try)", () => {
      it("a static phishing page or e-mail saying 'approve now': nothing to approve without a scan or the number", () =>
        onServer({}, async (server) => {
          const attacker = new Desktop(server.url);
          const push = await attacker.create({ mode: "push", login: "victim@example.com" }, from(HIS_NETWORK));
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const blind = await phone.approve(attacker.id);
          assert.equal(blind.body.error, "WRONG_NUMBER", "no number, no approval: that was the one try");
          assert.equal(blind.body.tries_left, 0);
          const right = Number(push.body.comparison);
          assert.equal((await phone.approve(attacker.id, right)).body.error, "access_denied", "the miss ended it");
          assert.equal((await attacker.redeem()).body.error, "access_denied");
          assert.deepEqual(server.sessions, []);
        }));

      it("the phone is never told the number: no comparison or choices in any phone-side answer, fetched twice", () =>
        onServer({ relayPolicy: "require-number" }, async (server) => {
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const stream = await phone.events();
          try {
            await pushFrom(server, "victim@example.com", HER_DESKTOP);
            const pushed = await stream.next("push");
            const first = await phone.get("/approver/requests");
            const second = await phone.get("/approver/requests");
            assert.equal((first.body.requests as unknown[]).length, 1);
            assert.equal((first.body.requests as { numberRequired: boolean }[])[0]?.numberRequired, true);
            assertNoNumberTold([pushed.data, first.body, second.body], "a push card");
            // A scan from another network that the policy makes number-matched: its card keeps the number too.
            const desktop = new Desktop(server.url);
            await desktop.create({}, from(HER_DESKTOP));
            const roaming = new Phone(server.url, "victim", HIS_NETWORK);
            const card = await roaming.scan(desktop.scanToken);
            assert.equal(card.status, 200);
            assert.equal(card.body.numberRequired, true);
            const again = await roaming.scan(desktop.scanToken);
            assertNoNumberTold([card.body, again.body], "a number-matched scan's card");
            const snapshot = await desktop.request("");
            assert.ok(Number(snapshot.body.comparison) >= 10, "only the desktop is shown the number");
          } finally {
            stream.close();
          }
        }));

      it("approving an attacker's concurrent push fails without its number; one wrong number ends it with an alert", () =>
        onServer({}, async (server) => {
          const attacker = new Desktop(server.url);
          const attack = await attacker.create({ mode: "push", login: "victim@example.com" }, from(HIS_NETWORK));
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const listed = await phone.get("/approver/requests");
          const card = (listed.body.requests as { id: string; numberRequired: boolean }[])[0];
          assert.equal(card?.id, attacker.id);
          assert.equal(card?.numberRequired, true);
          const again = await phone.get("/approver/requests");
          assertNoNumberTold([listed.body, again.body], "the push inbox");
          // The victim reads the number on their own screen (not the attacker's) and types it.
          const miss = await phone.approve(attacker.id, wrongNumber(Number(attack.body.comparison)));
          assert.equal(miss.status, 403);
          assert.equal(miss.body.error, "WRONG_NUMBER");
          assert.equal(miss.body.tries_left, 0);
          const snapshot = await attacker.request("");
          assert.equal(snapshot.body.status, "denied");
          assert.equal(snapshot.body.reason, "wrong_number");
          assert.equal((await phone.approve(attacker.id, Number(attack.body.comparison))).body.error, "access_denied");
          assert.equal((await attacker.redeem()).body.error, "access_denied");
          assert.deepEqual(server.sessions, []);
          const alerts = await server.qr.flows.listAlerts("victim");
          assert.deepEqual(
            alerts.map((a) => [a.reason, a.requestId]),
            [["wrong_number", attacker.id]],
          );
        }));

      it("a number-matched scan (relay policy require-number) also gets one try: a wrong number denies it", () =>
        onServer({ relayPolicy: "require-number" }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(HER_DESKTOP));
          const relayed = new Phone(server.url, "victim", HIS_NETWORK);
          assert.equal((await relayed.scan(desktop.scanToken)).body.numberRequired, true);
          const shown = Number((await desktop.request("")).body.comparison);
          const miss = await relayed.approve(desktop.id, wrongNumber(shown));
          assert.equal(miss.body.error, "WRONG_NUMBER");
          assert.equal(miss.body.tries_left, 0);
          assert.equal((await relayed.approve(desktop.id, shown)).body.error, "access_denied");
          const snapshot = await desktop.request("");
          assert.equal(snapshot.body.status, "denied");
          assert.equal(snapshot.body.reason, "wrong_number");
          assert.deepEqual(
            (await server.qr.flows.listAlerts("victim")).map((a) => a.reason),
            ["wrong_number"],
          );
        }));

      it("every number, one after another (10 to 99): only the first answer counts", () =>
        onServer({}, async (server) => {
          const { desktop, number } = await pushFrom(server, "victim@example.com", HIS_NETWORK);
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const answers: Answer[] = [];
          for (let tap = 10; tap <= 99; tap++) answers.push(await phone.approve(desktop.id, tap));
          const [first, ...rest] = answers;
          if (number === 10) assert.equal(first?.status, 200, "the first tap happened to be right");
          else {
            assert.equal(first?.body.error, "WRONG_NUMBER");
            assert.equal(first?.body.tries_left, 0);
          }
          assert.deepEqual(
            rest.filter((a) => a.status === 200),
            [],
            "no later tap is ever accepted — not even the right one",
          );
          assert.equal((await desktop.request("")).body.status, number === 10 ? "approved" : "denied");
        }));

      it("all 90 numbers at once: at most one 200, only with the right number; over 20 rounds approvals are rare", () =>
        onServer(
          { limits: { createPerIp: UNLIMITED, pushPerAccount: { max: 1000, windowMs: 10 * MINUTE } } },
          async (server) => {
            const phone = new Phone(server.url, "victim", HER_PHONE);
            let approvals = 0;
            for (let round = 0; round < 20; round++) {
              const { desktop, number } = await pushFrom(server, "victim@example.com", HIS_NETWORK);
              const taps = Array.from({ length: 90 }, (_, i) => 10 + i);
              const answers = await Promise.all(taps.map((tap) => phone.approve(desktop.id, tap)));
              const accepted = taps.filter((_, i) => answers[i]?.status === 200);
              assert.ok(accepted.length <= 1, `round ${round}: ${accepted.length} answers accepted`);
              if (accepted.length === 1) {
                assert.equal(accepted[0], number, "a 200 only for the number on the screen");
                approvals++;
              }
              const refused = answers.filter((a) => a.status !== 200).map((a) => a.body.error);
              assert.ok(
                refused.every((e) => ["WRONG_NUMBER", "access_denied", "ALREADY_DECIDED"].includes(String(e))),
                `round ${round}: ${JSON.stringify(tally(answers))}`,
              );
              const status = (await desktop.request("")).body.status;
              assert.equal(status, accepted.length === 1 ? "approved" : "denied");
            }
            // Whichever answer lands first decides, so each round is one blind guess in 90: about
            // 0.22 approvals expected over 20 rounds, and 4 or more has odds of about 7 in 100,000.
            assert.ok(approvals <= 3, `${approvals} of 20 rounds approved by a blind guesser`);
          },
        ));
    });

    describe("push", () => {
      it("push answers never reveal whether the account exists", () =>
        onServer({}, async (server) => {
          const real = await new Desktop(server.url).create({ mode: "push", login: "other@example.com" });
          const none = await new Desktop(server.url).create({ mode: "push", login: "nobody@example.com" });
          assert.equal(real.status, none.status);
          assert.deepEqual(Object.keys(real.body).sort(), Object.keys(none.body).sort());
          const realDesktop = new Desktop(server.url);
          const noneDesktop = new Desktop(server.url);
          await realDesktop.create({ mode: "push", login: "other@example.com" }, from("192.0.2.80"));
          await noneDesktop.create({ mode: "push", login: "nobody@example.com" }, from("192.0.2.80"));
          const [a, b] = await Promise.all([realDesktop.events(), noneDesktop.events()]);
          try {
            const [ea, eb] = await Promise.all([a.next("scanned"), b.next("scanned")]);
            assert.deepEqual(Object.keys(ea.data).sort(), Object.keys(eb.data).sort());
          } finally {
            a.close();
            b.close();
          }
        }));

      it("prompt bombing: one pending push at a time; 'This wasn't me' blocks the rest and raises an alert", () =>
        onServer({}, async (server) => {
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const stream = await phone.events();
          try {
            const bombs = [];
            for (let i = 0; i < 4; i++) bombs.push((await pushFrom(server, "victim@example.com", HIS_NETWORK)).desktop);
            const first = await stream.next("push");
            assert.equal(first.data.id, bombs[0]?.id);
            assert.deepEqual(await inbox(phone), [bombs[0]?.id], "only one from his network reaches the phone");
            assert.equal((await phone.deny(String(first.data.id), "not_me")).status, 200);
            await stream.next("resolved");
            const alert = await stream.next("alert");
            assert.equal(alert.data.reason, "not_me");
            const later = new Desktop(server.url);
            const answer = await later.create({ mode: "push", login: "victim@example.com" }, from(HIS_NETWORK));
            assert.equal(answer.status, 201, "the attacker sees no difference");
            assert.deepEqual(await inbox(phone), [], "but the phone hears nothing");
            const waiting = await server.qr.flows.listPushRequests({ userId: "victim" });
            assert.equal(waiting.length, 0, "no push is left waiting for the victim");
          } finally {
            stream.close();
          }
        }));

      it("push obeys relayPolicy: refuse — approved from a phone on another network it is refused, even with the number", () =>
        onServer({ relayPolicy: "refuse" }, async (server) => {
          const { desktop, number } = await pushFrom(server, "victim@example.com", "198.51.100.20");
          const elsewhere = new Phone(server.url, "victim", "203.0.113.9");
          const refused = await elsewhere.approve(desktop.id, number);
          assert.equal(refused.status, 403);
          assert.equal(refused.body.error, "NETWORK_MISMATCH");
          assert.equal((await desktop.request("")).body.status, "scanned", "nothing was approved");
          assert.equal((await desktop.redeem()).body.error, "authorization_pending");
          const local = new Phone(server.url, "victim", "198.51.100.77");
          assert.equal((await local.approve(desktop.id, number)).status, 200, "from the same network it works");
          assert.equal((await desktop.redeem()).body.userId, "victim");
        }));

      it("an attacker's pushes never hide the user's own: his push just before hers leaves both listed, and she approves hers", () =>
        onServer({}, async (server) => {
          const his = await pushFrom(server, "victim@example.com", HIS_NETWORK);
          const hers = await pushFrom(server, "victim@example.com", HER_DESKTOP);
          const phone = new Phone(server.url, "victim", HER_PHONE);
          assert.deepEqual((await inbox(phone)).sort(), [his.desktop.id, hers.desktop.id].sort());
          assert.equal((await phone.approve(hers.desktop.id, hers.number)).status, 200);
          assert.equal((await hers.desktop.redeem()).body.userId, "victim");
          assert.equal((await his.desktop.request("")).body.status, "scanned", "his is still only waiting");
          assert.equal((await his.desktop.redeem()).body.error, "authorization_pending");
          assert.deepEqual(server.sessions, ["victim"]);
        }));

      it("an attacker's pushes never hide the user's own: 7 from his network in 10 minutes, and hers still arrives", () =>
        onServer({}, async (server) => {
          const bombs = [];
          for (let i = 0; i < 7; i++) bombs.push(await pushFrom(server, "victim@example.com", HIS_NETWORK));
          const hers = await pushFrom(server, "victim@example.com", HER_DESKTOP);
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const listed = await inbox(phone);
          assert.ok(listed.includes(hers.desktop.id), "hers is listed");
          assert.equal(listed.length, 2, "hers and one of his");
          assert.equal((await phone.approve(hers.desktop.id, hers.number)).status, 200);
          assert.equal((await hers.desktop.redeem()).body.userId, "victim");
        }));

      it("20 concurrent pushes leave one pending: from one network to one account, exactly one is listed", () =>
        onServer({}, async (server) => {
          const desktops = Array.from({ length: 20 }, () => new Desktop(server.url));
          const created = await Promise.all(
            desktops.map((d) => d.create({ mode: "push", login: "victim@example.com" }, from(HIS_NETWORK))),
          );
          assert.deepEqual(tally(created), { 201: 20 }, "every desktop is answered alike");
          const listed = await inbox(new Phone(server.url, "victim", HER_PHONE));
          assert.equal(listed.length, 1, `listed: ${JSON.stringify(listed)}`);
          assert.ok(desktops.some((d) => d.id === listed[0]));
        }));

      it("alerts cannot be flushed: 210 pushes to her login leave the new_device alert listed", () =>
        onServer(
          { limits: { createPerIp: UNLIMITED, pushPerAccount: { max: 1000, windowMs: 10 * MINUTE } } },
          async (server) => {
            const phone = new Phone(server.url, "victim", HER_PHONE);
            const desktop = new Desktop(server.url);
            await desktop.create({}, from(HER_DESKTOP));
            await phone.scan(desktop.scanToken);
            await phone.approve(desktop.id);
            assert.equal((await desktop.redeem()).status, 200);
            const raised = await server.qr.flows.listAlerts("victim");
            assert.deepEqual(
              raised.map((a) => [a.reason, a.requestId]),
              [["new_device", desktop.id]],
            );
            // Half from as many networks (each listed), half from one (each suppressed and audited).
            const sources = Array.from({ length: 210 }, (_, i) =>
              i < 105 ? `10.${Math.floor(i / 200)}.${i % 200}.1` : HIS_NETWORK,
            );
            const created = await inBatches(sources, 30, (ip) =>
              new Desktop(server.url).create({ mode: "push", login: "victim@example.com" }, from(ip)),
            );
            assert.deepEqual(tally(created), { 201: 210 });
            const alerts = await server.qr.flows.listAlerts("victim");
            assert.ok(
              alerts.some((a) => a.reason === "new_device" && a.requestId === desktop.id),
              `alerts: ${JSON.stringify(alerts.map((a) => a.reason))}`,
            );
          },
        ));
    });

    describe("every limit is one atomic count-and-decide in the store", () => {
      const limits = { scanPerIp: UNLIMITED, scanPerApprover: UNLIMITED, scanGlobal: UNLIMITED };

      it("100 concurrent wrong codes from one approver: at most 5 evaluated, the rest 429; then a right code is refused", () =>
        onServer(
          { limits: { ...limits, codeMissesPerApprover: { max: 5, windowMs: 15 * MINUTE } } },
          async (server) => {
            const desktop = new Desktop(server.url);
            await desktop.create({}, from(BYSTANDER));
            await desktop.showCode();
            const guesser = new Phone(server.url, "guesser", "192.0.2.1");
            const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => guesser.typeCode(guessedCode(i))));
            const counts = tally(answers);
            const misses = counts.USER_CODE_INVALID ?? 0;
            assert.ok(misses >= 1 && misses <= 5, `evaluated: ${JSON.stringify(counts)}`);
            assert.equal(counts.RATE_LIMITED, 100 - misses, `the rest are limited: ${JSON.stringify(counts)}`);
            assert.ok(answers.filter((a) => a.status === 429).every((a) => Number(a.headers.get("retry-after")) > 0));
            const right = await guesser.typeCode(desktop.userCode);
            assert.equal(right.status, 429, "the right code, once the limit is spent");
            assert.equal((await desktop.request("")).body.status, "pending");
          },
        ));

      it("100 concurrent wrong codes from many approvers on one IP: at most 20 evaluated, the rest 429", () =>
        onServer({ limits: { ...limits, codeMissesPerIp: { max: 20, windowMs: 15 * MINUTE } } }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(BYSTANDER));
          await desktop.showCode();
          const answers = await Promise.all(
            Array.from({ length: 100 }, (_, i) =>
              new Phone(server.url, `guesser-${i}`, "192.0.2.7").typeCode(guessedCode(i)),
            ),
          );
          const counts = tally(answers);
          const misses = counts.USER_CODE_INVALID ?? 0;
          assert.ok(misses >= 1 && misses <= 20, `evaluated: ${JSON.stringify(counts)}`);
          assert.equal(counts.RATE_LIMITED, 100 - misses, `the rest are limited: ${JSON.stringify(counts)}`);
          const right = await new Phone(server.url, "fresh-guesser", "192.0.2.7").typeCode(desktop.userCode);
          assert.equal(right.status, 429, "a right code from that IP, once its limit is spent");
          assert.equal((await desktop.request("")).body.status, "pending");
        }));

      it("nobody else's misses lock her out: once the global budget is spent, codes claim only from the screen's network", () =>
        onServer({ limits: { ...limits, codeMissesGlobal: { max: 30, windowMs: 60 * MINUTE } } }, async (server) => {
          const hers = new Desktop(server.url);
          await hers.create({}, from(HER_DESKTOP));
          const someoneElses = new Desktop(server.url);
          await someoneElses.create({}, from(BYSTANDER));
          // The codes were asked for before the flood: a code lives 25 s, the flood takes far less.
          await hers.showCode();
          await someoneElses.showCode();
          // Many accounts, many addresses, all of another network: 60 misses spend the budget of 30.
          const flood = await Promise.all(
            Array.from({ length: 60 }, (_, i) =>
              new Phone(server.url, `attacker-${i}`, `198.51.100.${i + 1}`).typeCode(guessedCode(i)),
            ),
          );
          assert.deepEqual(tally(flood), { USER_CODE_INVALID: 60 });
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const claimed = await phone.typeCode(hers.userCode);
          assert.equal(claimed.status, 200, `her own code from her own network: ${JSON.stringify(claimed.body)}`);
          assert.equal((await phone.approve(hers.id)).status, 200);
          assert.equal((await hers.redeem()).body.userId, "victim");
          // A right live code typed from another network claims nothing (SECURITY.md, Limits: answered
          // NETWORK_MISMATCH, and not counted as a miss).
          const attacker = new Phone(server.url, "attacker-x", "198.51.100.200");
          const stolen = await attacker.typeCode(someoneElses.userCode);
          assert.equal(stolen.status, 403, JSON.stringify(stolen.body));
          assert.equal(stolen.body.error, "NETWORK_MISMATCH", "a right live code, but from another network");
          assert.equal((await someoneElses.request("")).body.status, "pending");
          const owner = new Phone(server.url, "other", "192.0.2.45");
          assert.equal((await owner.typeCode(someoneElses.userCode)).status, 200, "its own network still claims");
        }));

      it("IPv6 counts per /64: 40 addresses of one /64 share the creation and code-miss limits", () =>
        onServer(
          {
            limits: {
              ...limits,
              createPerIp: { max: 10, windowMs: MINUTE },
              codeMissesPerIp: { max: 8, windowMs: 15 * MINUTE },
            },
          },
          async (server) => {
            const addresses = Array.from({ length: 40 }, (_, i) => `2001:db8:1:2::${(i + 1).toString(16)}`);
            const created = await Promise.all(addresses.map((ip) => new Desktop(server.url).create({}, from(ip))));
            const creations = tally(created);
            assert.ok((creations[201] ?? 0) <= 10, `created: ${JSON.stringify(creations)}`);
            assert.equal(creations.RATE_LIMITED, 40 - (creations[201] ?? 0));
            const misses = await Promise.all(
              addresses.map((ip, i) => new Phone(server.url, `v6-guesser-${i}`, ip).typeCode(guessedCode(i))),
            );
            const counts = tally(misses);
            assert.ok((counts.USER_CODE_INVALID ?? 0) <= 8, `evaluated: ${JSON.stringify(counts)}`);
            assert.equal(counts.RATE_LIMITED, 40 - (counts.USER_CODE_INVALID ?? 0));
            const neighbour = await new Desktop(server.url).create({}, from("2001:db8:1:3::1"));
            assert.equal(neighbour.status, 201, "the next /64 has its own count");
          },
        ));
    });

    describe("fail closed", () => {
      it("the Web handler without info.ip refuses to create a request (500 ADDRESS_REQUIRED)", () =>
        onServer({}, async (server) => {
          for (const body of [{}, { mode: "push", login: "victim@example.com" }]) {
            const response = await server.qr.handler(
              new Request(`${server.url}/qrlogin/requests`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify(body),
              }),
            );
            assert.equal(response.status, 500);
            assert.equal(((await response.json()) as { error: string }).error, "ADDRESS_REQUIRED");
          }
          assert.deepEqual(await server.qr.flows.listPushRequests({ userId: "victim" }), [], "no push was sent");
          const withIp = await server.qr.handler(
            new Request(`${server.url}/qrlogin/requests`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{}",
            }),
            { ip: HER_DESKTOP },
          );
          assert.equal(withIp.status, 201, "with the address it works");
        }));

      it("relay policy refuse: a scan or a push approval whose caller address is unknown is refused", () =>
        onServer({ relayPolicy: "refuse" }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(HER_DESKTOP));
          await desktop.showCode();
          const scan = (info?: { ip: string }) =>
            server.qr.handler(
              new Request(`${server.url}/qrlogin/scan`, {
                method: "POST",
                headers: { "content-type": "application/json", "x-test-user": "victim" },
                body: JSON.stringify({ token: desktop.scanToken }),
              }),
              info,
            );
          const unknown = await scan();
          assert.equal(unknown.status, 500);
          assert.equal(((await unknown.json()) as { error: string }).error, "ADDRESS_REQUIRED");
          const typed = await server.qr.handler(
            new Request(`${server.url}/qrlogin/scan`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-test-user": "victim" },
              body: JSON.stringify({ userCode: desktop.userCode }),
            }),
          );
          assert.equal(((await typed.json()) as { error: string }).error, "ADDRESS_REQUIRED", "typing a code too");
          assert.equal((await desktop.request("")).body.status, "pending");
          const { desktop: pushed, number } = await pushFrom(server, "victim@example.com", HER_DESKTOP);
          const approval = await server.qr.handler(
            new Request(`${server.url}/qrlogin/requests/${pushed.id}/approve`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-test-user": "victim" },
              body: JSON.stringify({ number }),
            }),
          );
          assert.equal(approval.status, 403);
          assert.equal(((await approval.json()) as { error: string }).error, "NETWORK_MISMATCH");
          assert.equal((await pushed.request("")).body.status, "scanned");
          assert.equal((await scan({ ip: HER_PHONE })).status, 200, "a known address of the same network scans");
        }));

      it("createQrLogin without origin or secret throws in production, naming them", async () => {
        const store = await kind.open();
        const before = process.env.NODE_ENV;
        const hooks = testHooks(() => {});
        let configured: QrLogin | null = null;
        process.env.NODE_ENV = "production";
        try {
          const secret = "a deployment secret of the attack suite, 32+";
          assert.throws(
            () => createQrLogin({ store, ...hooks, secret }),
            (error: Error) => /`origin`/.test(error.message),
            "no silent fallback to the Host each client sends",
          );
          assert.throws(
            () => createQrLogin({ store, ...hooks, origin: "https://example.com" }),
            (error: Error) => /`secret`/.test(error.message) && /QRLOGIN_SECRET/.test(error.message),
            "no secret made up per process: another instance could not read its QR codes",
          );
          configured = createQrLogin({ store, ...hooks, origin: "https://example.com", secret });
        } finally {
          if (before === undefined) delete process.env.NODE_ENV;
          else process.env.NODE_ENV = before;
          await (configured ? configured.close() : store.close());
        }
      });
    });

    describe("short-lived typed codes", () => {
      it("a code read a minute earlier no longer claims: a new one is shown on demand and claims; a device's lives on", async () => {
        let offset = 0;
        await onServer({ clock: { now: () => Date.now() + offset }, deviceFlow: {} }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(HER_DESKTOP));
          await desktop.showCode();
          const readEarlier = desktop.userCode;
          const device = await fetch(`${server.url}/qrlogin/oauth/device_authorization`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", ...from(HER_DESKTOP) },
            body: "client_id=cli",
          });
          const deviceCode = ((await device.json()) as { user_code: string }).user_code;
          offset += 60_000;
          const phone = new Phone(server.url, "victim", HER_PHONE);
          const stale = await phone.typeCode(readEarlier);
          assert.equal(stale.body.error, "USER_CODE_INVALID", "the code of a minute ago");
          await desktop.showCode();
          const current = desktop.userCode;
          assert.match(current, /^[A-Z]{4}-[A-Z]{4}$/);
          assert.notEqual(current, readEarlier);
          assert.equal((await phone.typeCode(current)).status, 200, "the code on the screen now");
          assert.equal((await desktop.request("")).body.status, "scanned");
          const cli = await new Phone(server.url, "victim", HER_PHONE).typeCode(deviceCode);
          assert.equal(cli.status, 200, "a device's code lives as long as its request");
        });
      });

      it("a waiting desktop holds no typed code at all: a guesser has nothing to hit until one is shown", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          const created = await desktop.create({}, from(HER_DESKTOP));
          assert.equal(created.body.userCode, undefined);
          const stored = await server.qr.flows.get(desktop.id);
          assert.equal(stored.userCodeHash, null);
        }));
    });

    describe("login CSRF: whose account", () => {
      it("whose account: the desktop is told before it is signed in (confirmAccount, masked approver)", () =>
        onServer({ confirmAccount: true }, async (server) => {
          const victimScreen = new Desktop(server.url);
          const created = await victimScreen.create({}, from(HER_DESKTOP));
          assert.equal(created.body.confirmAccount, true);
          // The attacker's phone claims the victim's screen, to sign it in to the attacker's account.
          const attacker = new Phone(server.url, "mallory", HIS_NETWORK);
          assert.equal((await attacker.scan(victimScreen.scanToken)).status, 200);
          const scanned = await victimScreen.request("");
          assert.equal(scanned.body.status, "scanned");
          assert.equal(scanned.body.approver, "m•••@example.com");
          assert.equal((await attacker.approve(victimScreen.id)).status, 200);
          const approved = await victimScreen.request("");
          assert.equal(approved.body.status, "approved");
          assert.equal(approved.body.approver, "m•••@example.com", "named before the desktop redeems");
          const push = await new Desktop(server.url).create({ mode: "push", login: "victim@example.com" });
          assert.equal(push.body.confirmAccount, true);
        }));
    });

    describe("hook safety and no lost sign-in", () => {
      const misbehaviours: [string, () => Promise<IssuedSession> | IssuedSession][] = [
        [
          "throws",
          () => {
            throw new Error("the session store is down");
          },
        ],
        ["returns a setCookie beyond Latin-1", () => ({ setCookie: "sid=\u0100" })],
        ["returns a setCookie with CR LF", () => ({ setCookie: "a\r\nb" })],
        ["never settles", () => new Promise<IssuedSession>(() => {})],
      ];
      for (const [misbehaviour, first] of misbehaviours) {
        it(`an issueSession that ${misbehaviour}: 503 SESSION_FAILED, the server stays up, the approval is kept`, () => {
          const hook = failingOnce(first);
          return onServer(
            { issueSession: hook.issueSession, hookTimeoutMs: 300, lifetimes: { redemptionLease: 1000 } },
            async (server) => {
              const desktop = new Desktop(server.url);
              await desktop.create({}, from(HER_DESKTOP));
              const phone = new Phone(server.url, "victim", HER_PHONE);
              await phone.scan(desktop.scanToken);
              assert.equal((await phone.approve(desktop.id)).status, 200);
              const failed = await desktop.redeem();
              assert.equal(failed.status, 503);
              assert.equal(failed.body.error, "SESSION_FAILED");
              assert.doesNotMatch(failed.headers.get("set-cookie") ?? "", /sid=|\r|\n/, "no session cookie went out");
              assert.ok(server.server.listening, "the server is still up");
              assert.ok(
                server.errors.some((e) => /issueSession/.test(String((e as Error)?.message))),
                "the log names the hook",
              );
              assert.equal((await desktop.request("")).body.status, "approved", "the approval is back");
              const retried = await desktop.redeem();
              assert.equal(retried.status, 200, JSON.stringify(retried.body));
              assert.equal(retried.body.userId, "victim");
              assert.deepEqual((await desktop.redeem()).body, retried.body, "answered again, not signed in again");
              assert.deepEqual(hook.calls, ["victim", "victim"]);
            },
          );
        });
      }

      it("two concurrent redeems of one approved request: one session, issueSession runs once", () => {
        const calls: string[] = [];
        const issueSession: IssueSession = async ({ userId }) => {
          calls.push(userId);
          await new Promise((resolve) => setTimeout(resolve, 100));
          return { setCookie: `sid=session-of-${userId}; Path=/; HttpOnly` };
        };
        return onServer({ issueSession }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, from(HER_DESKTOP));
          const phone = new Phone(server.url, "victim", HER_PHONE);
          await phone.scan(desktop.scanToken);
          await phone.approve(desktop.id);
          const answers = await Promise.all([desktop.redeem(), desktop.redeem()]);
          const won = answers.filter((a) => a.status === 200);
          assert.ok(won.length >= 1, JSON.stringify(tally(answers)));
          // The loser waits for the lease, or (had it come after the winner finished) is answered the same session.
          for (const answer of answers) {
            if (answer.status === 200) assert.deepEqual(answer.body, won[0]?.body);
            else assert.equal(answer.body.error, "REDEMPTION_IN_PROGRESS");
          }
          assert.deepEqual(calls, ["victim"]);
        });
      });
    });

    describe("a QR relayed from another network (QRLJacking)", () => {
      const desktopIp = from("203.0.113.50");
      const phoneIp = from("198.51.100.9");

      it("the card shows the mismatch prominently (policy warn, the default)", () =>
        onServer({}, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, desktopIp);
          const card = await new Phone(server.url, "victim").post("/scan", { token: desktop.scanToken }, phoneIp);
          const requester = card.body.requester as { ip: string; sameNetwork: boolean };
          assert.equal(requester.ip, "203.0.113.50");
          assert.equal(requester.sameNetwork, false);
          assert.match(String((card.body.warnings as string[])[0]), /different network/);
        }));

      it("with a GeoIP lookup, the card names the place and flags another country", () => {
        const places: Record<string, { label: string; countryCode: string }> = {
          "203.0.113.50": { label: "Lagos, Nigeria", countryCode: "NG" },
          "198.51.100.9": { label: "Lyon, France", countryCode: "FR" },
        };
        return onServer({ geoip: async (ip) => (ip ? (places[ip] ?? null) : null) }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, desktopIp);
          const card = await new Phone(server.url, "victim").post("/scan", { token: desktop.scanToken }, phoneIp);
          const requester = card.body.requester as { location: string; sameCountry: boolean };
          assert.equal(requester.location, "Lagos, Nigeria");
          assert.equal(requester.sameCountry, false);
          assert.ok((card.body.warnings as string[]).some((w) => w.includes("Lagos, Nigeria")));
        });
      });

      it("policy refuse: the scan is refused and the request stays unclaimed", () =>
        onServer({ relayPolicy: "refuse" }, async (server) => {
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
        }));

      it("policy require-number: the desktop shows a number and approval needs it", () =>
        onServer({ relayPolicy: "require-number" }, async (server) => {
          const desktop = new Desktop(server.url);
          await desktop.create({}, desktopIp);
          const events = await desktop.events();
          try {
            const phone = new Phone(server.url, "victim");
            const card = await phone.post("/scan", { token: desktop.scanToken }, phoneIp);
            assert.equal(card.body.numberRequired, true);
            const scanned = await events.next("scanned");
            const number = Number(scanned.data.comparison);
            assert.ok(number >= 10 && number <= 99);
            assert.equal((await phone.post(`/requests/${desktop.id}/approve`, { number }, phoneIp)).status, 200);
            await events.next("approved");
          } finally {
            events.close();
          }
        }));

      it("policy passkey: a relayed QR yields no session — the phone cannot approve it and the attacker's passkey is not hers", () => {
        const hers = new SoftwarePasskey("victim");
        const his = new SoftwarePasskey("attacker");
        const credentials = (userId: string) =>
          [hers, his].filter((p) => p.userId === userId).map((p) => p.credential());
        return onServer({ relayPolicy: "passkey", approval: { credentials } }, async (server) => {
          const attacker = new Desktop(server.url);
          await attacker.create({}, from(HIS_NETWORK));
          const events = await attacker.events();
          try {
            // She scans the QR he relayed to her; her phone is on her own network.
            const phone = new Phone(server.url, "victim", HER_PHONE);
            const card = await phone.scan(attacker.scanToken);
            assert.equal(card.body.passkeyRequired, true, "the card sends her to passkey sign-in instead");
            assert.equal((await phone.approve(attacker.id)).body.error, "PASSKEY_SIGN_IN_REQUIRED");
            const options = await phone.get(`/requests/${attacker.id}/approval-options`);
            assert.equal(
              options.body.error,
              "PASSKEY_DISABLED",
              "no approval options: her passkey is never asked here",
            );
            assert.equal((await events.next("scanned")).data.passkeyRequired, true);
            // His desktop, switched to passkey sign-in, can only offer a passkey that is not hers.
            const challenge = (await attacker.request("/passkey-options")).body as unknown as PasskeyChallenge;
            assert.ok(challenge.publicKey);
            const signIn = (assertion: unknown) =>
              attacker.request("/passkey", {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ assertion }),
              });
            const own = his.assert(challenge.publicKey, server.url);
            assert.equal((await signIn(own)).body.error, "PASSKEY_UNKNOWN_CREDENTIAL");
            const dressedUp = his.assert(challenge.publicKey, server.url);
            dressedUp.response.userHandle = Buffer.from("victim").toString("base64url");
            assert.equal(
              (await signIn(dressedUp)).body.error,
              "PASSKEY_UNKNOWN_CREDENTIAL",
              "a user handle proves nothing",
            );
            assert.equal((await attacker.redeem()).body.error, "authorization_pending");
            assert.equal((await attacker.request("")).body.status, "scanned");
          } finally {
            events.close();
          }
          assert.deepEqual(server.sessions, [], "nobody was signed in");
        });
      });
    });
  });
}
