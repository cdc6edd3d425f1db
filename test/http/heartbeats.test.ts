import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEARTBEAT } from "../../src/http/event-stream.ts";
import { Heartbeats } from "../../src/http/heartbeats.ts";
import type { EventSink } from "../../src/http/outgoing.ts";

/** A sink that counts its heartbeats. */
function counting(): EventSink & { beats: number; closed: boolean } {
  return {
    beats: 0,
    closed: false,
    write(chunk) {
      assert.equal(chunk, HEARTBEAT);
      this.beats++;
      return true;
    },
    close() {
      this.closed = true;
    },
  };
}

/** Lets the event loop turn `count` times, so that chunks left for later are written. */
async function loopTurns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("heartbeats", () => {
  it("each stream gets one per interval: a slice a second, a small chunk per turn of the loop", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const heartbeats = new Heartbeats(30_000);
    const sinks = Array.from({ length: 3_000 }, counting);
    for (const sink of sinks) heartbeats.add(sink);
    const total = () => sinks.reduce((sum, sink) => sum + sink.beats, 0);
    for (let second = 1; second <= 30; second++) {
      const before = total();
      t.mock.timers.tick(1_000);
      assert.equal(total() - before, 64, "a tick writes one chunk before the loop turns");
      await loopTurns(3);
      assert.equal(total() - before, 100, "and the rest of its slice, a 30th of the streams, over the next turns");
    }
    assert.deepEqual(new Set(sinks.map((sink) => sink.beats)), new Set([1]));

    const [gone, kept] = sinks as [ReturnType<typeof counting>, ReturnType<typeof counting>];
    heartbeats.delete(gone);
    t.mock.timers.tick(30_000);
    await loopTurns(3);
    assert.equal(gone.beats, 1, "no heartbeat after delete");
    assert.equal(kept.beats, 2);
    heartbeats.close();
    assert.ok(kept.closed && !gone.closed, "close ends the streams still open");
  });

  it("stops mid-slice when closed", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const heartbeats = new Heartbeats(1_000);
    const sinks = Array.from({ length: 200 }, counting);
    for (const sink of sinks) heartbeats.add(sink);
    t.mock.timers.tick(1_000);
    heartbeats.close();
    await loopTurns(4);
    assert.equal(
      sinks.reduce((sum, sink) => sum + sink.beats, 0),
      64,
    );
  });

  it("an interval shorter than a tick beats every stream each interval", (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const heartbeats = new Heartbeats(50);
    const sink = counting();
    heartbeats.add(sink);
    t.mock.timers.tick(50);
    assert.equal(sink.beats, 1);
    heartbeats.close();
  });
});
