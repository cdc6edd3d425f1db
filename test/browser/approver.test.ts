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

  it("every server error code has words", () => {
    for (const code of Object.keys(ERROR_STATUS)) assert.ok(ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES], code);
  });
});
