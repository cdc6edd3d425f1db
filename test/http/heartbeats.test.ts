import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEARTBEAT } from "../../src/http/event-stream.ts";
import { Heartbeats } from "../../src/http/heartbeats.ts";
import type { EventSink } from "../../src/http/outgoing.ts";

const INTERVAL = 320;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream that records when it was written to, and whether it was closed. */
class RecordingSink implements EventSink {
  readonly writes: number[] = [];
  closed = false;
  write(chunk: string): boolean {
    assert.equal(chunk, HEARTBEAT);
    this.writes.push(performance.now());
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

describe("Heartbeats", () => {
  it("writes each stream a heartbeat once an interval, the streams spread over the interval's ticks", async () => {
    const heartbeats = new Heartbeats(INTERVAL);
    const sinks = Array.from({ length: 64 }, () => new RecordingSink());
    for (const sink of sinks) heartbeats.add(sink);
    const gone = sinks[5] as RecordingSink;
    heartbeats.delete(gone);
    await wait(INTERVAL * 2.5);
    heartbeats.close();
    assert.deepEqual(gone.writes, [], "none once deleted");
    for (const sink of sinks.filter((s) => s !== gone)) {
      assert.ok(
        sink.writes.length >= 2 && sink.writes.length <= 3,
        `${sink.writes.length} heartbeats in 2.5 intervals`,
      );
    }
    // Ticks a sixteenth of the interval apart: the streams' first heartbeats fall in many of them.
    const firstTicks = new Set(sinks.flatMap((sink) => sink.writes.slice(0, 1).map((at) => Math.round(at))));
    assert.ok(firstTicks.size >= 8, `first heartbeats in ${firstTicks.size} ticks`);
    assert.ok(
      sinks.every((sink) => sink.closed === (sink !== gone)),
      "close ends every stream it still had",
    );
  });
});
