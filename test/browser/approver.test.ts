import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError, createApprover } from "../../src/browser/approver.ts";
import { ERROR_MESSAGES } from "../../src/browser/error-messages.ts";
import { ERROR_STATUS } from "../../src/core/errors.ts";
import { Desktop } from "../helpers/clients.ts";
import { startServer, TEST_USER_HEADER, type TestServer } from "../helpers/server.ts";

describe("approver SDK", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const approverFor = (user: string | null, origin = server.url) =>
    createApprover({ origin, headers: (): Record<string, string> => (user ? { [TEST_USER_HEADER]: user } : {}) });

  it("refuses a QR naming another origin before sending anything", () => {
    const approver = approverFor("alice");
    assert.throws(
      () => approver.readScanToken("https://evil.example/qrlogin/a#t=AAAAAAAAAAAAAAAAAAAAAA"),
      (e: unknown) => e instanceof ApiError && e.code === "QR_FOREIGN_ORIGIN",
    );
    assert.throws(
      () => approver.readScanToken(`${server.url}/elsewhere#t=x`),
      (e: unknown) => e instanceof ApiError && e.code === "QR_NOT_A_SIGN_IN_CODE",
    );
    assert.throws(
      () => approver.readScanToken("not a url"),
      (e: unknown) => e instanceof ApiError && e.code === "QR_NOT_A_SIGN_IN_CODE",
    );
  });

  it("scans a QR of its own origin, approves, and the desktop redeems", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const approver = approverFor("alice");
    const scanned = await approver.scanQr(desktop.qrUrl);
    assert.equal(scanned.id, desktop.id);
    assert.equal(scanned.requester.claimedByBrowser, true);
    assert.deepEqual(await approver.approve(scanned.id), { id: desktop.id, status: "approved" });
    assert.equal((await desktop.redeem()).status, 200);
  });

  it("throws typed errors carrying the server's code and words for a person", async () => {
    await assert.rejects(approverFor(null).scan({ userCode: "BCDF-GHJK" }), (e: unknown) => {
      return (
        e instanceof ApiError &&
        e.code === "APPROVER_UNAUTHENTICATED" &&
        e.status === 401 &&
        /signed in/.test(e.message)
      );
    });
    await assert.rejects(approverFor("bob").scan({ userCode: "BCDF-GHJK" }), (e: unknown) => {
      return e instanceof ApiError && e.code === "USER_CODE_INVALID" && e.status === 404;
    });
    await assert.rejects(approverFor("bob", "http://127.0.0.1:1").scan({ userCode: "x" }), (e: unknown) => {
      return e instanceof ApiError && e.code === "NETWORK_ERROR" && e.status === 0;
    });
  });

  describe("push and number matching", () => {
    let numbers: TestServer;
    before(async () => {
      numbers = await startServer({
        findUser: (login) => (login === "alice@example.com" ? { userId: "alice" } : null),
        relayPolicy: "require-number",
        trustProxy: 1,
      });
    });
    after(() => numbers.close());

    const phoneOf = (user: string, ip = "127.0.0.1") =>
      createApprover({
        origin: numbers.url,
        headers: (): Record<string, string> => ({ [TEST_USER_HEADER]: user, "x-forwarded-for": ip }),
      });
    const push = async () => {
      const desktop = new Desktop(numbers.url);
      const created = await desktop.create({ mode: "push", login: "alice@example.com" });
      return { desktop, comparison: Number(created.body.comparison) };
    };
    const wrongNumber = (triesLeft: number) => (e: unknown) =>
      e instanceof ApiError && e.code === "WRONG_NUMBER" && e.status === 403 && e.triesLeft === triesLeft;

    it("lists a waiting push as a typed card; a wrong number says how many tries are left; the right one approves", async () => {
      const { desktop, comparison } = await push();
      const phone = phoneOf("alice");
      const [card, ...others] = await phone.listPushes();
      assert.equal(others.length, 0);
      assert.equal(card?.id, desktop.id);
      assert.equal(card?.mode, "push");
      assert.equal(card?.numberRequired, true);
      assert.equal(card?.choices?.length, 3);
      assert.ok(card?.choices?.includes(comparison));
      assert.equal(typeof card?.requester.browser, "string");
      assert.deepEqual(await phoneOf("bob").listPushes(), [], "nobody else's phone hears of it");

      const wrong = card?.choices?.find((n) => n !== comparison);
      await assert.rejects(phone.approve(desktop.id, { number: wrong }), wrongNumber(2));
      assert.deepEqual(await phone.approve(desktop.id, { number: comparison }), {
        id: desktop.id,
        status: "approved",
      });
      assert.deepEqual(await phone.listPushes(), []);
      assert.equal((await desktop.redeem()).status, 200);
    });

    it("three wrong numbers: the tries count down to 0 and the request is cancelled", async () => {
      const { desktop, comparison } = await push();
      const phone = phoneOf("alice");
      const wrong = comparison === 99 ? 98 : comparison + 1;
      for (const left of [2, 1, 0]) {
        await assert.rejects(phone.approve(desktop.id, { number: wrong }), wrongNumber(left));
      }
      await assert.rejects(phone.approve(desktop.id, { number: comparison }), { code: "CANCELLED" });
      assert.deepEqual(await phone.listPushes(), []);
    });

    it("a QR scanned from another network: the card carries the warning and the number choices", async () => {
      const desktop = new Desktop(numbers.url);
      await desktop.create({}, { "x-forwarded-for": "203.0.113.7" });
      const phone = phoneOf("alice", "198.51.100.9");
      const card = await phone.scanQr(desktop.qrUrl);
      assert.equal(card.mode, "qr");
      assert.equal(card.requester.sameNetwork, false);
      assert.match(card.warnings.join(" "), /different network/);
      assert.equal(card.numberRequired, true);
      const { comparison } = (await desktop.request("")).body;
      assert.ok(card.choices?.includes(Number(comparison)));
      await assert.rejects(phone.approve(card.id), wrongNumber(2), "no number is a wrong number");
      assert.equal((await phone.approve(card.id, { number: Number(comparison) })).status, "approved");
    });
  });

  it("every server error code has words", () => {
    for (const code of Object.keys(ERROR_STATUS)) assert.ok(ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES], code);
  });
});
