import assert from "node:assert/strict";
import { type ChangeMessage, type Notifier, RESYNC } from "../../src/store/login-store.ts";

/**
 * Kills a notifier's connection with `kill`, then publishes until it listens again: its listeners
 * hear {@link RESYNC} (messages sent meanwhile are lost) and messages as before. The two may arrive in
 * either order — a listener re-reads the store for both, so the order does not matter.
 */
export async function assertResyncAfterKill(subscriber: Notifier, publisher: Notifier, kill: () => Promise<void>) {
  const received: ChangeMessage[] = [];
  const stop = await subscriber.subscribe("request:reconnect", (m) => received.push(m));
  await kill();
  const message = { requestId: "reconnect", version: 1 };
  const heard = (m: ChangeMessage) => received.some((r) => r.requestId === m.requestId && r.version === m.version);
  const deadline = Date.now() + 10_000;
  while (!(heard(RESYNC) && heard(message)) && Date.now() < deadline) {
    await publisher.publish("request:reconnect", message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(heard(RESYNC), `a resync after the reconnect; heard ${JSON.stringify(received)}`);
  assert.ok(heard(message), "messages again after the reconnect");
  await stop();
}
