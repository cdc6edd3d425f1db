import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError, createApprover } from "../../src/browser/approver.ts";
import { BUILT_IN } from "../../src/browser/i18n/languages.ts";
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
        // Any name@example.com is an account, so each test can use its own.
        findUser: (login) => {
          const name = /^(\w+)@example\.com$/.exec(login)?.[1];
          return name ? { userId: name } : null;
        },
        relayPolicy: "require-number",
        trustProxy: 1,
      });
    });
    after(() => numbers.close());

    const phoneOf = (user: string, ip = "127.0.0.1", server = numbers) =>
      createApprover({
        origin: server.url,
        headers: (): Record<string, string> => ({ [TEST_USER_HEADER]: user, "x-forwarded-for": ip }),
      });
    const push = async (user: string, ip = "127.0.0.1", server = numbers) => {
      const desktop = new Desktop(server.url);
      const created = await desktop.create({ mode: "push", login: `${user}@example.com` }, { "x-forwarded-for": ip });
      return { desktop, comparison: Number(created.body.comparison) };
    };
    const otherThan = (n: number) => (n === 99 ? 98 : n + 1);

    it("lists a waiting push as a typed card that offers no numbers; the typed number approves", async () => {
      const { desktop, comparison } = await push("alice");
      const phone = phoneOf("alice");
      const [card, ...others] = await phone.listPushes();
      assert.equal(others.length, 0);
      assert.equal(card?.id, desktop.id);
      assert.equal(card?.mode, "push");
      assert.equal(card?.numberRequired, true);
      assert.equal(card && "choices" in card, false, "the phone is offered nothing to pick from");
      assert.equal(typeof card?.requester.browser, "string");
      assert.deepEqual(await phoneOf("bob").listPushes(), [], "nobody else's phone hears of it");

      assert.deepEqual(await phone.approve(desktop.id, { number: comparison }), {
        id: desktop.id,
        status: "approved",
      });
      assert.deepEqual(await phone.listPushes(), []);
      assert.equal((await desktop.redeem()).status, 200);
    });

    it("one try: a wrong number throws WRONG_NUMBER and ends the request (denied, wrong_number)", async () => {
      const { desktop, comparison } = await push("erin");
      const phone = phoneOf("erin");
      await assert.rejects(
        phone.approve(desktop.id, { number: otherThan(comparison) }),
        (e: unknown) =>
          e instanceof ApiError &&
          e.code === "WRONG_NUMBER" &&
          e.status === 403 &&
          /stopped for your safety/.test(e.message) &&
          /someone may be trying/.test(e.message),
      );
      await assert.rejects(phone.approve(desktop.id, { number: comparison }), ApiError, "the right number is too late");
      const { body } = await desktop.request("");
      assert.equal(body.status, "denied");
      assert.equal(body.reason, "wrong_number");
      assert.deepEqual(await phone.listPushes(), []);
      assert.notEqual((await desktop.redeem()).status, 200);
    });

    it("several pushes wait at once, one per requesting network, and all are listed", async () => {
      const first = await push("frank", "203.0.113.7");
      const second = await push("frank", "198.51.100.9");
      const phone = phoneOf("frank");
      const listed = await phone.listPushes();
      assert.deepEqual(listed.map((card) => card.id).sort(), [first.desktop.id, second.desktop.id].sort());
      assert.equal((await phone.approve(second.desktop.id, { number: second.comparison })).status, "approved");
      assert.deepEqual(
        (await phone.listPushes()).map((card) => card.id),
        [first.desktop.id],
        "the other one still waits",
      );
    });

    it("a QR scanned from another network: the card carries the warning and asks for the number", async () => {
      const desktop = new Desktop(numbers.url);
      await desktop.create({}, { "x-forwarded-for": "203.0.113.7" });
      const phone = phoneOf("alice", "198.51.100.9");
      const card = await phone.scanQr(desktop.qrUrl);
      assert.equal(card.mode, "qr");
      assert.equal(card.requester.sameNetwork, false);
      assert.match(card.warnings.join(" "), /different network/);
      assert.equal(card.numberRequired, true);
      assert.equal("choices" in card, false);
      const { comparison } = (await desktop.request("")).body;
      assert.equal((await phone.approve(card.id, { number: Number(comparison) })).status, "approved");
    });

    it("relayPolicy refuse: approving a push from another network throws NETWORK_MISMATCH", async () => {
      const refusing = await startServer({
        findUser: (login) => (login === "alice@example.com" ? { userId: "alice" } : null),
        relayPolicy: "refuse",
        trustProxy: 1,
      });
      try {
        const { desktop, comparison } = await push("alice", "203.0.113.7", refusing);
        await assert.rejects(
          phoneOf("alice", "198.51.100.9", refusing).approve(desktop.id, { number: comparison }),
          (e: unknown) => e instanceof ApiError && e.code === "NETWORK_MISMATCH" && e.status === 403,
        );
        assert.notEqual((await desktop.redeem()).status, 200);
      } finally {
        await refusing.close();
      }
    });
  });

  it("every server error code has words in every language", () => {
    for (const [lang, catalogue] of Object.entries(BUILT_IN)) {
      for (const code of Object.keys(ERROR_STATUS))
        assert.ok(Object.hasOwn(catalogue, `error.${code}`), `${lang}: ${code}`);
    }
  });
});
