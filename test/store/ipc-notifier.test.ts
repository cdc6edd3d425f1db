import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { type IpcEndpoint, IpcNotifier, isIpcChange, relayIpcChanges } from "../../src/store/ipc-notifier.ts";
import { notifierConformance } from "../../src/testing/conformance.ts";

/**
 * A cluster in one process: each worker's `process` and the primary's handle on it are two ends of a
 * channel that delivers on a later tick, as IPC does; the primary relays with {@link relayIpcChanges}.
 */
class FakeCluster {
  readonly workers: IpcEndpoint[] = [];

  /** An end that sends to `to` on a later tick and hears what arrives on `from`. */
  static end(to: EventEmitter, from: EventEmitter): IpcEndpoint {
    return {
      send: (message, callback) =>
        setImmediate(() => {
          to.emit("message", message);
          callback(null);
        }),
      on: (event, listener) => from.on(event, listener),
      off: (event, listener) => from.off(event, listener),
    };
  }

  /** A new worker's end of its channel. */
  connect(): IpcEndpoint {
    const inWorker = new EventEmitter();
    const inPrimary = new EventEmitter();
    const toWorker = FakeCluster.end(inWorker, inPrimary);
    inPrimary.on("message", (message: unknown) => relayIpcChanges(toWorker, message, () => this.workers));
    this.workers.push(toWorker);
    return FakeCluster.end(inPrimary, inWorker);
  }
}

const cluster = new FakeCluster();
notifierConformance("ipc", { open: async () => new IpcNotifier(cluster.connect()), shared: true });

describe("IpcNotifier specifics", () => {
  it("delivers to its own process once, not again when the primary relays it", async () => {
    const local = new FakeCluster();
    const a = new IpcNotifier(local.connect());
    const b = new IpcNotifier(local.connect());
    const heardA: number[] = [];
    const heardB: number[] = [];
    await a.subscribe("request:x", (m) => heardA.push(m.version));
    await b.subscribe("request:x", (m) => heardB.push(m.version));
    await a.publish("request:x", { requestId: "x", version: 7 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(heardA, [7]);
    assert.deepEqual(heardB, [7]);
    await a.close();
    await b.close();
  });

  it("publishes only the message's two fields, and tells its changes from a host's own messages", () => {
    assert.equal(
      isIpcChange({ qrlogin: "change", channel: "request:x", message: { requestId: "x", version: 1 } }),
      true,
    );
    assert.equal(isIpcChange({ qrlogin: "change", channel: "request:x", message: { requestId: "x" } }), false);
    assert.equal(isIpcChange({ cmd: "NODE_CLUSTER" }), false);
    assert.equal(isIpcChange(null), false);
  });

  it("keeps delivering locally once the primary is gone", async () => {
    const closed: IpcEndpoint = {
      send: (_message, callback) => callback(new Error("channel closed")),
      on: () => {},
      off: () => {},
    };
    const notifier = new IpcNotifier(closed);
    const heard: number[] = [];
    await notifier.subscribe("request:y", (m) => heard.push(m.version));
    await notifier.publish("request:y", { requestId: "y", version: 2 });
    assert.deepEqual(heard, [2]);
    await notifier.close();
  });
});
