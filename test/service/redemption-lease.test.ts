import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import { LocalNotifier } from "../../src/store/local-notifier.ts";
import type { ChangeMessage } from "../../src/store/login-store.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { desktopRequester, flowsOver, ManualClock, scanTokensOf } from "../../src/testing/fixtures.ts";

/** A notifier whose next publish hangs until released: a stalled pub/sub connection. */
class StallingNotifier extends LocalNotifier {
  stallNext = false;
  release: (() => void) | null = null;

  override async publish(channel: string, message: ChangeMessage): Promise<void> {
    if (this.stallNext) {
      this.stallNext = false;
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    return super.publish(channel, message);
  }
}

describe("the redemption's lease", () => {
  it("counts the hook's time from the lease: a stalled publish cannot make two sessions", async () => {
    const clock = new ManualClock();
    const notifier = new StallingNotifier();
    const flows = flowsOver(new MemoryStore(), clock, { notifier });
    const desktop = { ip: desktopRequester.ip as string };
    const phone = { ip: "203.0.113.50" };
    const created = await flows.create({ requester: desktopRequester }, desktop);
    const { request, browserSecret } = created;
    const scanTokens = scanTokensOf(created);
    await flows.scanToken(scanTokens[0] as string, { userId: "alice" }, phone);
    await flows.approve(request.id, { userId: "alice" }, undefined, phone);

    const sessions: string[] = [];
    notifier.stallNext = true; // the lease's own publish stalls
    const first = flows.redeem(request.id, browserSecret, undefined, desktop, () => sessions.push("first"));
    while (!notifier.release) await new Promise((resolve) => setImmediate(resolve));
    clock.advance(DEFAULT_LIFETIMES.redemptionLease); // the lease ends while its publish hangs
    const second = await flows.redeem(request.id, browserSecret, undefined, desktop, () => sessions.push("second"));
    notifier.release();
    await assert.rejects(first, { code: "SESSION_FAILED" });
    assert.equal(second.request.state, "redeemed");
    assert.deepEqual(sessions, ["second"], "the first hook never ran: its time had gone");
  });
});
