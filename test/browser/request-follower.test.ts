import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { followRequest, type RequestUpdate } from "../../src/browser/request-follower.ts";

/** An EventSource the test drives: each one is refused (as the browser reports a 429) or opened. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static made: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;

  constructor(readonly url: string) {
    super();
    FakeEventSource.made.push(this);
  }

  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.dispatchEvent(new Event("error"));
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  send(event: string, data: unknown): void {
    this.dispatchEvent(new MessageEvent(event, { data: JSON.stringify(data) }));
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

const realFetch = globalThis.fetch;
const realEventSource = (globalThis as { EventSource?: unknown }).EventSource;
afterEach(() => {
  globalThis.fetch = realFetch;
  (globalThis as { EventSource?: unknown }).EventSource = realEventSource;
  FakeEventSource.made = [];
});

/** Lets the follower's awaited fetches settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the desktop's follower", () => {
  it("a server too busy for the stream and the long-poll is asked for the stream again, and followed there", async (t) => {
    (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
    const asked: string[] = [];
    globalThis.fetch = (async (url: string) => {
      asked.push(url);
      const snapshot = { id: "r1", status: "pending", version: 1, expiresAt: 0 };
      if (!url.includes("wait=")) return Response.json(snapshot);
      const busy = {
        error: "TOO_MANY_STREAMS",
        error_description: "This server holds as many event streams as it can",
      };
      return Response.json(busy, { status: 429 });
    }) as typeof fetch;
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const updates: RequestUpdate[] = [];
    const connection: boolean[] = [];
    const stop = followRequest({
      basePath: "/qrlogin",
      id: "r1",
      onUpdate: (update) => updates.push(update),
      onConnection: (connected) => connection.push(connected),
      onError: (error) => assert.fail(error),
    });

    FakeEventSource.made[0]?.refuse();
    for (let i = 0; i < 5; i++) await settle();
    assert.deepEqual(asked, ["/qrlogin/requests/r1", "/qrlogin/requests/r1?wait=25&version=1"]);
    assert.deepEqual(connection, [false], "the page says it keeps trying");
    assert.equal(FakeEventSource.made.length, 1, "not before the wait");

    t.mock.timers.tick(10_000);
    await settle();
    const again = FakeEventSource.made[1];
    assert.ok(again, "the stream is asked for again after 5–10 s");
    assert.equal(again.url, "/qrlogin/requests/r1/events");
    again.open();
    assert.deepEqual(connection, [false, true]);
    again.send("approved", { approver: "alice@example.com", expiresAt: 0 });
    assert.deepEqual(
      updates.map((update) => update.status),
      ["approved"],
    );
    assert.equal(asked.length, 2, "no long-poll meanwhile");
    stop();
  });
});
