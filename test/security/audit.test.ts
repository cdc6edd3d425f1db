import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStore } from "../../src/store/memory.ts";
import { desktopRequester, flowsOver, ManualClock, scanTokensOf } from "../../src/testing/fixtures.ts";

describe("audit trail", () => {
  it("records every transition with who and from where, and alerts, and never a secret", async () => {
    const store = new MemoryStore();
    const flows = flowsOver(store, new ManualClock());
    const phone = { ip: "198.51.100.20" };
    const created = await flows.create({ requester: desktopRequester }, { ip: "203.0.113.7" });
    const { userCode } = await flows.showUserCode(created.request.id, created.browserSecret);
    await flows.scanToken(scanTokensOf(created)[0] as string, { userId: "alice" }, phone);
    await flows.approve(created.request.id, { userId: "alice" }, undefined, phone);
    await flows.redeem(created.request.id, created.browserSecret, undefined, { ip: "203.0.113.7" }, () => "session");
    await new Promise((resolve) => setImmediate(resolve)); // the audit of a report is written without blocking
    const trail = await store.listAudit("alice", 10);
    assert.deepEqual(trail.map((e) => e.type).sort(), ["approved", "redeemed", "scanned"]);
    assert.equal(trail.find((e) => e.type === "scanned")?.ip, "198.51.100.20");
    const alerts = await store.listAlerts("alice", 10);
    assert.deepEqual(
      alerts.map((a) => a.reason),
      ["new_device"],
    );
    const text = JSON.stringify([trail, alerts]);
    for (const secret of [
      created.browserSecret,
      ...scanTokensOf(created),
      created.tokens?.key.toString("base64url") as string,
      userCode,
    ])
      assert.ok(!text.includes(secret));
  });
});
