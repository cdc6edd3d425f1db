import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { type IpcEndpoint, IpcNotifier, IpcRelay, isIpcChange } from "../../src/store/ipc-notifier.ts";
import { notifierConformance } from "../../src/testing/conformance.ts";

/**
 * A cluster in one process: each worker's `process` and the primary's handle on it are two ends of a
 * channel that delivers a little later, as IPC does; the primary relays with {@link IpcRelay}. It
 * counts the changes each worker was sent, and tells when nothing is in flight.
 */
class FakeCluster {
  readonly relay = new IpcRelay();
  readonly workers: IpcEndpoint[] = [];
  readonly changesSent = new Map<IpcEndpoint, number>();
  #inFlight = 0;

  /** A new worker's end of its channel. */
  connect(): IpcEndpoint {
    const inWorker = new EventEmitter();
    const inPrimary = new EventEmitter();
    const toWorker: IpcEndpoint = this.#end(inWorker, inPrimary, (message) => {
      if (isIpcChange(message)) this.changesSent.set(toWorker, (this.changesSent.get(toWorker) ?? 0) + 1);
    });
    inPrimary.on("message", (message: unknown) => this.relay.handle(toWorker, message));
    this.workers.push(toWorker);
    return this.#end(inPrimary, inWorker);
  }

  /** Resolves once every message sent has arrived, and so has every message its arrival sent. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /**
   * An end that sends to `to` after 0–2 ms, in order (as one IPC channel does; two channels may
   * overtake each other), and hears what arrives on `from`.
   */
  #end(to: EventEmitter, from: EventEmitter, onSend: (message: unknown) => void = () => {}): IpcEndpoint {
    let queue = Promise.resolve();
    return {
      send: (message, callback) => {
        onSend(message);
        this.#inFlight++;
        queue = queue
          .then(() => new Promise((resolve) => setTimeout(resolve, Math.random() * 2)))
          .then(() => {
            // What the arrival sends is in flight before this message stops being.
            to.emit("message", message);
            this.#inFlight--;
            callback(null);
          });
      },
      on: (event, listener) => from.on(event, listener),
      off: (event, listener) => from.off(event, listener),
    };
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
    await local.settled();
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

  it("the primary sends a change only to the workers watching its channel, from their first listener to their last", async () => {
    const local = new FakeCluster();
    const [publisher, watcher, bystander] = [local.connect(), local.connect(), local.connect()];
    const [a, b, c] = [new IpcNotifier(publisher), new IpcNotifier(watcher), new IpcNotifier(bystander)];
    const heard: number[] = [];
    const stopFirst = await b.subscribe("request:w", (m) => heard.push(m.version));
    const stopSecond = await b.subscribe("request:w", (m) => heard.push(-m.version));
    await c.subscribe("request:other", () => {});
    await a.publish("request:w", { requestId: "w", version: 1 });
    await local.settled();
    assert.deepEqual(heard, [1, -1]);
    await stopFirst();
    await a.publish("request:w", { requestId: "w", version: 2 });
    await local.settled();
    assert.deepEqual(heard, [1, -1, -2], "one listener left: still watched");
    await stopSecond();
    await a.publish("request:w", { requestId: "w", version: 3 });
    await local.settled();
    assert.deepEqual(heard, [1, -1, -2]);
    assert.equal(local.changesSent.get(local.workers[1] as IpcEndpoint), 2, "nothing sent once unwatched");
    assert.equal(local.changesSent.get(local.workers[2] as IpcEndpoint) ?? 0, 0, "nothing sent to a bystander");
    assert.equal(local.changesSent.get(local.workers[0] as IpcEndpoint) ?? 0, 0, "nothing sent back to the publisher");
    assert.equal(local.relay.channelCount, 1);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it("a subscription resolves once the primary relays its channel: a change published right after reaches it", async () => {
    const local = new FakeCluster();
    const a = new IpcNotifier(local.connect());
    const b = new IpcNotifier(local.connect());
    for (let version = 1; version <= 50; version++) {
      const heard: number[] = [];
      const stop = await b.subscribe(`request:${version}`, (m) => heard.push(m.version));
      await a.publish(`request:${version}`, { requestId: String(version), version });
      await local.settled();
      assert.deepEqual(heard, [version]);
      await stop();
    }
    await Promise.all([a.close(), b.close()]);
  });

  it("forgets every watch of a worker that ended", async () => {
    const local = new FakeCluster();
    const [first, second] = [local.connect(), local.connect()];
    const [a, b] = [new IpcNotifier(first), new IpcNotifier(second)];
    await a.subscribe("request:shared", () => {});
    await b.subscribe("request:shared", () => {});
    await b.subscribe("request:own", () => {});
    assert.equal(local.relay.channelCount, 2);
    local.relay.forget(local.workers[1] as IpcEndpoint);
    assert.equal(local.relay.channelCount, 1);
    await b.publish("request:shared", { requestId: "shared", version: 1 });
    await local.settled();
    assert.equal(local.changesSent.get(local.workers[0] as IpcEndpoint), 1, "the other watcher still hears it");
    local.relay.forget(local.workers[0] as IpcEndpoint);
    assert.equal(local.relay.channelCount, 0);
    await Promise.all([a.close(), b.close()]);
  });

  it("opens the subscription after 2 s when the primary does not answer, and tells it to re-read when the answer comes", async () => {
    const toWorker = new EventEmitter();
    const asks: number[] = [];
    const slow: IpcEndpoint = {
      send: (message, callback) => {
        if ((message as { qrlogin?: string }).qrlogin === "watch") asks.push((message as { ask: number }).ask);
        callback(null);
      },
      on: (event, listener) => toWorker.on(event, listener),
      off: (event, listener) => toWorker.off(event, listener),
    };
    const notifier = new IpcNotifier(slow);
    const heard: string[] = [];
    const started = Date.now();
    const stop = await notifier.subscribe("request:z", (m) => heard.push(m.requestId));
    const waited = Date.now() - started;
    assert.ok(waited >= 1_900 && waited < 5_000, `waited ${waited} ms`);
    toWorker.emit("message", { qrlogin: "watching", ask: asks[0] });
    assert.deepEqual(heard, [""], "a resync: changes may have been missed meanwhile");
    toWorker.emit("message", { qrlogin: "watching", ask: asks[0] });
    assert.deepEqual(heard, [""], "once");
    await stop();
    await notifier.close();
  });

  it("two notifiers of one process keep their own watches: one's last listener leaving does not end the other's", async () => {
    const local = new FakeCluster();
    const publisher = new IpcNotifier(local.connect());
    const shared = local.connect();
    const [first, second] = [new IpcNotifier(shared), new IpcNotifier(shared)];
    const heard: number[] = [];
    const [stopFirst] = await Promise.all([
      first.subscribe("request:s", () => {}),
      second.subscribe("request:s", (m) => heard.push(m.version)),
    ]);
    await stopFirst();
    await local.settled();
    await publisher.publish("request:s", { requestId: "s", version: 1 });
    await local.settled();
    assert.deepEqual(heard, [1]);
    assert.equal(local.changesSent.get(local.workers[1] as IpcEndpoint), 1, "sent to that worker once");
    await Promise.all([publisher.close(), first.close(), second.close()]);
  });

  it("close gives the primary its watches back, and later subscriptions stay local", async () => {
    const local = new FakeCluster();
    const notifier = new IpcNotifier(local.connect());
    await notifier.subscribe("request:a", () => {});
    await notifier.subscribe("request:b", () => {});
    assert.equal(local.relay.channelCount, 2);
    await notifier.close();
    await local.settled();
    assert.equal(local.relay.channelCount, 0);
    const started = Date.now();
    await notifier.subscribe("request:c", () => {});
    assert.ok(Date.now() - started < 500, "no wait for an answer nobody listens for");
    await local.settled();
    assert.equal(local.relay.channelCount, 0);
  });

  it("drops a watch that arrives from a worker already forgotten", () => {
    const relay = new IpcRelay();
    const worker: IpcEndpoint = { send: () => {}, on: () => {}, off: () => {} };
    relay.forget(worker);
    assert.equal(relay.handle(worker, { qrlogin: "watch", channel: "request:late", ask: 1 }), true);
    assert.equal(relay.channelCount, 0);
  });

  it("leaves a host's own messages to the host", () => {
    const relay = new IpcRelay();
    const worker: IpcEndpoint = { send: () => assert.fail("nothing to send"), on: () => {}, off: () => {} };
    assert.equal(relay.handle(worker, { cmd: "host" }), false);
    assert.equal(relay.handle(worker, { qrlogin: "watch", channel: 5, ask: 1 }), false);
    assert.equal(relay.handle(worker, null), false);
  });
});
