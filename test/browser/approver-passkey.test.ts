import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError, createApprover, type RequestCard } from "../../src/browser/approver.ts";
import { Desktop } from "../helpers/clients.ts";
import { startServer, TEST_USER_HEADER, type TestServer } from "../helpers/server.ts";
import { SoftwarePasskey } from "../helpers/software-passkey.ts";

describe("approver SDK: approving with a passkey", () => {
  let server: TestServer;
  const passkey = new SoftwarePasskey("alice");
  before(async () => {
    server = await startServer({
      approval: {
        userVerification: "required",
        credentials: (userId) => (userId === passkey.userId ? [passkey.credential()] : []),
      },
    });
  });
  after(() => server.close());

  /** Alice's phone, whose passkey is the software one; `asked` counts the prompts. */
  function alicePhone(user = "alice") {
    const asked: string[] = [];
    const approver = createApprover({
      origin: server.url,
      headers: (): Record<string, string> => ({ [TEST_USER_HEADER]: user }),
      passkey: async (options) => {
        asked.push(options.challenge);
        return passkey.assert(options, server.url);
      },
    });
    return { approver, asked };
  }

  async function scannedBy(
    user = "alice",
  ): Promise<{ desktop: Desktop; card: RequestCard; phone: ReturnType<typeof alicePhone> }> {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const phone = alicePhone(user);
    return { desktop, card: await phone.approver.scanQr(desktop.qrUrl), phone };
  }

  it("asks the passkey with a challenge it checked against the card, then approves", async () => {
    const { desktop, card, phone } = await scannedBy();
    assert.equal(card.passkeyApproval, "required");
    assert.deepEqual(await phone.approver.approveWithPasskey(card), { id: card.id, status: "approved" });
    assert.equal(phone.asked.length, 1);
    assert.equal((await desktop.redeem()).body.userId, "alice");
  });

  it("refuses to sign a challenge that does not stand for the card shown: nothing is asked or sent", async () => {
    const { desktop, card, phone } = await scannedBy();
    const shownElsewhere = { ...card, requester: { ...card.requester, ip: "198.51.100.1" } };
    await assert.rejects(
      phone.approver.approveWithPasskey(shownElsewhere),
      (e: unknown) => e instanceof ApiError && e.code === "CARD_CHANGED",
    );
    assert.equal(phone.asked.length, 0);
    assert.equal((await desktop.request("")).body.status, "scanned");
  });

  it("an account with no passkey cannot approve when one is required", async () => {
    const { card, phone } = await scannedBy("carol");
    await assert.rejects(
      phone.approver.approveWithPasskey(card),
      (e: unknown) => e instanceof ApiError && e.code === "PASSKEY_REQUIRED" && /passkey/.test(e.message),
    );
    assert.equal(phone.asked.length, 0);
  });
});
