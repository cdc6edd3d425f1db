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

describe("heartbeats", () => {
  it("each stream gets one per interval, written a small slice at a time", (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const heartbeats = new Heartbeats(30_000);
    const sinks = Array.from({ length: 3_000 }, counting);
    for (const sink of sinks) heartbeats.add(sink);
    let written = 0;
    for (let ms = 0; ms < 30_000; ms += 100) {
      t.mock.timers.tick(100);
      const now = sinks.reduce((sum, sink) => sum + sink.beats, 0);
      assert.ok(now - written <= 10, `a tick writes a 300th of the streams, not ${now - written}`);
      written = now;
    }
    assert.deepEqual(new Set(sinks.map((sink) => sink.beats)), new Set([1]));

    const [gone, kept] = sinks as [ReturnType<typeof counting>, ReturnType<typeof counting>];
    heartbeats.delete(gone);
    t.mock.timers.tick(30_000);
    assert.equal(gone.beats, 1, "no heartbeat after delete");
    assert.equal(kept.beats, 2);
    heartbeats.close();
    assert.ok(kept.closed && !gone.closed, "close ends the streams still open");
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
