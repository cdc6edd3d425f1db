import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SharedSubscriptions } from "../../src/store/shared-subscriptions.ts";

describe("SharedSubscriptions", () => {
  it("opens a channel's subscription for its first listener and closes it after its last", async () => {
    const log: string[] = [];
    const shared = new SharedSubscriptions(
      (channel) => {
        log.push(`open ${channel}`);
        return { ready: Promise.resolve() };
      },
      (channel) => {
        log.push(`close ${channel}`);
      },
    );
    const stop = (name: string) => async () => {
      log.push(`stop ${name}`);
    };
    const releaseA = await shared.hold("c", stop("a"));
    const releaseB = await shared.hold("c", stop("b"));
    await releaseA();
    await releaseA();
    assert.deepEqual(log, ["open c", "stop a"], "one release each; the subscription stays for b");
    await releaseB();
    assert.deepEqual(log, ["open c", "stop a", "stop b", "close c"]);
    assert.equal(shared.get("c"), undefined);
  });

  it("forgets a subscription that failed to open: its holds reject, released, and the next listener opens another", async () => {
    let opened = 0;
    const shared = new SharedSubscriptions(
      () => ({ ready: ++opened === 1 ? Promise.reject(new Error("refused")) : Promise.resolve() }),
      () => assert.fail("a subscription that never opened is not closed"),
    );
    let stopped = 0;
    await assert.rejects(
      shared.hold("c", async () => {
        stopped++;
      }),
      /refused/,
    );
    assert.equal(stopped, 1);
    await shared.hold("c", async () => {});
    assert.equal(opened, 2);
  });
});
