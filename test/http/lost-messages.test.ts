import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { DEFAULTS } from "../../src/defaults.ts";
import { LocalNotifier } from "../../src/store/local-notifier.ts";
import type { ChangeMessage, Notifier } from "../../src/store/login-store.ts";
import { Desktop, type EventStream, Phone } from "../helpers/clients.ts";
import { startServer } from "../helpers/server.ts";
import { allStoreKinds } from "../helpers/stores.ts";

/** A notifier that loses every message: subscriptions work, nothing published ever arrives. */
class LosingNotifier implements Notifier {
  readonly #inner = new LocalNotifier();
  lost = 0;
  async publish(_channel: string, _message: ChangeMessage): Promise<void> {
    this.lost++;
  }
  subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    return this.#inner.subscribe(channel, listener);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

// A timer's lateness and a loaded machine's: the sweep itself promises the interval.
const MARGIN_MS = 1_500;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long after `act` the stream had `event`, in ms. */
async function delayOf(stream: EventStream, event: string, act: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await act();
  await stream.next(event, DEFAULTS.watchSweepMs + MARGIN_MS + 2_000);
  return Date.now() - started;
}

for (const kind of await allStoreKinds()) {
  describe(`every message lost, on ${kind.name}`, { skip: kind.skip }, () => {
    after(() => kind.cleanup());

    it("each desktop still hears of its request's change within the sweep interval: pending, scanned, approved", async () => {
      const notifier = new LosingNotifier();
      const server = await startServer({ store: await kind.open(), notifier });
      try {
        const phone = new Phone(server.url, "alice");
        const [pending, scanned, approved] = [
          new Desktop(server.url),
          new Desktop(server.url),
          new Desktop(server.url),
        ];
        for (const desktop of [pending, scanned, approved]) await desktop.create();
        await phone.scan(scanned.scanToken);
        await phone.scan(approved.scanToken);
        await phone.approve(approved.id);
        const streams = await Promise.all([pending.events(), scanned.events(), approved.events()]);
        const [fromPending, fromScanned, fromApproved] = streams as [EventStream, EventStream, EventStream];
        await fromScanned.next("scanned");
        await fromApproved.next("approved");
        // One change before the sweep's first look at the streams' requests, two once it has looked
        // (on a store with a feed of changes, the first is found by its version, the others by the feed).
        const looked = wait(DEFAULTS.watchSweepMs + MARGIN_MS);
        const delays = await Promise.all([
          delayOf(fromPending, "scanned", () => phone.scan(pending.scanToken)),
          looked.then(() => delayOf(fromScanned, "approved", () => phone.approve(scanned.id))),
          looked.then(() => delayOf(fromApproved, "redeemed", () => approved.redeem())),
        ]);
        for (const stream of streams) stream.close();
        assert.ok(notifier.lost >= 6, "the changes' messages were all lost");
        for (const [i, delay] of delays.entries()) {
          assert.ok(delay <= DEFAULTS.watchSweepMs + MARGIN_MS, `desktop ${i} heard of its change after ${delay} ms`);
        }
      } finally {
        await server.close();
      }
    });
  });
}
