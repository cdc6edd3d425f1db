import assert from "node:assert/strict";
import * as nodeTest from "node:test";
import { DEFAULT_LIFETIMES } from "../core/lifetimes.ts";
import { statusOf } from "../core/login-request.ts";
import { hashSecret } from "../core/secrets.ts";
import { planRotation, scanTokenWorks } from "../core/transitions.ts";
import { type ChangeMessage, type LoginStore, type Notifier, UserCodeTakenError } from "../store/login-store.ts";
import { flowsOver, ManualClock, newRequest } from "./fixtures.ts";

/** The hashes of a rotation's new scan token and user code, made from one word. */
function freshSecrets(word: string) {
  return { scanTokenHash: hashSecret(word), userCodeHash: hashSecret(`code:${word}`) };
}

/**
 * The test functions the suites register with: node's test runner by default, or any runner with the
 * same four (vitest: `{ describe, it, before: beforeAll, after: afterAll }`).
 */
export interface TestApi {
  describe: ((name: string, fn: () => void) => unknown) & { skip: (name: string, fn: () => void) => unknown };
  it(name: string, fn: () => Promise<void> | void): unknown;
  before(fn: () => Promise<void> | void): unknown;
  after(fn: () => Promise<void> | void): unknown;
}

const NODE_TEST: TestApi = {
  describe: Object.assign((name: string, fn: () => void) => nodeTest.describe(name, fn), {
    skip: (name: string, fn: () => void) => nodeTest.describe.skip(name, fn),
  }),
  it: (name, fn) => nodeTest.it(name, fn),
  before: (fn) => nodeTest.before(fn),
  after: (fn) => nodeTest.after(fn),
};

/** How a store under test is opened. */
export interface StoreUnderTest {
  /** Opens a store on the backend; several opens must share the same data (except where `shared` is false). */
  open(): Promise<LoginStore>;
  /** Whether two opens see the same data (false for the memory store). */
  shared: boolean;
  /** Whether data survives closing every store and opening a new one (a restart). */
  durable: boolean;
  /** Why the whole suite is skipped (service not reachable), if it is. */
  skip?: string | false;
}

const CONCURRENCY = 50;

/**
 * The one suite every LoginStore must pass — the project's own stores and anyone else's: round trips,
 * look-ups, the compare-and-set contract under real concurrency (across several connections where the
 * backend has them), rotation of tokens and codes, expiry, counters and give-backs, audit and alerts,
 * purge and restart.
 * @example
 * import { storeConformance } from "qrlogin/testing";
 * storeConformance("mine", { open: async () => new MyStore(), shared: true, durable: true });
 */
export function storeConformance(name: string, backend: StoreUnderTest, api: TestApi = NODE_TEST): void {
  const { after, before, it } = api;
  const describe = backend.skip ? api.describe.skip : api.describe;
  describe(`LoginStore conformance: ${name}`, () => {
    const opened: LoginStore[] = [];
    let store: LoginStore;
    const open = async () => {
      const s = await backend.open();
      opened.push(s);
      return s;
    };
    before(async () => {
      store = await open();
    });
    after(async () => {
      for (const s of opened) await s.close();
    });

    it("create then get returns the same request", async () => {
      const { request } = newRequest();
      await store.create(request);
      assert.deepEqual(await store.get(request.id), request);
    });

    it("get of an unknown id is null", async () => {
      assert.equal(await store.get("AAAAAAAAAAAAAAAAAAAAAA"), null);
    });

    it("versions answers the current version of each request that exists, in one call for many", async () => {
      const clock = new ManualClock(Date.now());
      const requests = Array.from({ length: 600 }, () => newRequest(clock).request);
      await Promise.all(requests.map((request) => store.create(request)));
      const [moved] = requests as [(typeof requests)[0]];
      const updated = await store.transition(moved.id, { from: ["pending"], liveAt: clock.now() }, { updatedAt: 1 });
      assert.ok(updated);
      const missing = "AAAAAAAAAAAAAAAAAAAAAB";
      const found = await store.versions([...requests.map((r) => r.id), missing]);
      assert.equal(found.size, requests.length, "one per request that exists, none for the unknown id");
      assert.equal(found.get(moved.id), updated.version);
      for (const request of requests.slice(1)) assert.equal(found.get(request.id), request.version);
      assert.deepEqual(await store.versions([]), new Map());
    });

    it("finds a request by its scan token hash and by its user code hash", async () => {
      const { request, scanToken, userCode } = newRequest();
      await store.create(request);
      assert.equal((await store.findByScanTokenHash(hashSecret(scanToken)))?.id, request.id);
      assert.equal((await store.findByUserCodeHash(hashSecret(userCode)))?.id, request.id);
      assert.equal(await store.findByScanTokenHash(hashSecret("not-a-token")), null);
      assert.equal(await store.findByUserCodeHash(hashSecret("BCDFGHJK-nope")), null);
    });

    it("create with a user code already in use throws UserCodeTakenError and writes nothing", async () => {
      const first = newRequest();
      const second = newRequest();
      await store.create(first.request);
      await assert.rejects(
        store.create({ ...second.request, userCodeHash: first.request.userCodeHash }),
        UserCodeTakenError,
      );
      assert.equal(await store.get(second.request.id), null);
    });

    it("transition applies the patch, bumps the version and returns the request", async () => {
      const { request } = newRequest();
      await store.create(request);
      const now = request.createdAt + 1000;
      const updated = await store.transition(
        request.id,
        { from: ["pending"], liveAt: now },
        { state: "scanned", approverId: "alice", approverHint: "a•••", updatedAt: now, expiresAt: now + 60_000 },
      );
      assert.equal(updated?.state, "scanned");
      assert.equal(updated?.approverId, "alice");
      assert.equal(updated?.version, request.version + 1);
      assert.deepEqual(await store.get(request.id), updated);
    });

    it("transition refuses a wrong state, a passed deadline or a replaced scan token, and changes nothing", async () => {
      const { request } = newRequest();
      await store.create(request);
      const patch = { state: "approved" as const };
      assert.equal(await store.transition(request.id, { from: ["scanned"], liveAt: request.createdAt }, patch), null);
      assert.equal(await store.transition(request.id, { from: ["pending"], liveAt: request.expiresAt }, patch), null);
      assert.equal(
        await store.transition(
          request.id,
          { from: ["pending"], liveAt: request.createdAt, scanTokenHash: "other" },
          patch,
        ),
        null,
      );
      assert.equal(await store.transition("AAAAAAAAAAAAAAAAAAAAAA", { from: ["pending"], liveAt: 0 }, patch), null);
      assert.deepEqual(await store.get(request.id), request);
    });

    it(`transition — only one of ${CONCURRENCY} concurrent callers wins`, async () => {
      const stores = backend.shared ? [store, await open(), await open()] : [store];
      const { request } = newRequest();
      await store.create(request);
      const now = request.createdAt + 1;
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (stores[i % stores.length] as LoginStore).transition(
            request.id,
            { from: ["pending"], liveAt: now },
            { state: "scanned", approverId: `user-${i}`, updatedAt: now },
          ),
        ),
      );
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      assert.equal((await store.get(request.id))?.approverId, winners[0]?.approverId);
      assert.equal((await store.get(request.id))?.version, request.version + 1);
    });

    it(`consume (approved → redeemed) returns the request to one of ${CONCURRENCY} concurrent callers`, async () => {
      const stores = backend.shared ? [store, await open(), await open()] : [store];
      const { request } = newRequest();
      await store.create({ ...request, state: "approved", approverId: "alice" });
      const now = request.createdAt + 1;
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (stores[i % stores.length] as LoginStore).transition(
            request.id,
            { from: ["approved"], liveAt: now },
            { state: "redeemed", expiresAt: now, updatedAt: now },
          ),
        ),
      );
      assert.equal(results.filter((r) => r?.state === "redeemed").length, 1);
      assert.equal(results.filter((r) => r === null).length, CONCURRENCY - 1);
    });

    it(`a redemption's sealed result is written with redeemed, by the one of ${CONCURRENCY} lease holders that wins`, async () => {
      // Closed at once: every store of a shared service holds connections of its own.
      const others = backend.shared ? [await backend.open(), await backend.open()] : [];
      const stores = [store, ...others];
      const { request } = newRequest();
      await store.create({ ...request, state: "redeeming", approverId: "alice" });
      assert.equal((await store.get(request.id))?.sealedRedemption, null, "nothing sealed before the redemption");
      const now = request.createdAt + 1;
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (stores[i % stores.length] as LoginStore).transition(
            request.id,
            { from: ["redeeming"], liveAt: 0, version: request.version },
            { state: "redeemed", sealedRedemption: `v1.sealed-by-${i}`, expiresAt: now, updatedAt: now },
          ),
        ),
      );
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const stored = await store.get(request.id);
      assert.equal(stored?.state, "redeemed");
      assert.equal(stored?.sealedRedemption, winners[0]?.sealedRedemption, "the winner's result, and only it");
      assert.match(String(stored?.sealedRedemption), /^v1\.sealed-by-\d+$/);
      for (const other of others) await other.close();
    });

    it("rotation: the replaced token works through the grace window, then stops; two rotations on, it is gone", async () => {
      const clock = new ManualClock();
      const { request, scanToken } = newRequest(clock);
      const lifetimes = DEFAULT_LIFETIMES;
      await store.create(request);
      const oldHash = hashSecret(scanToken);
      clock.advance(lifetimes.scanToken);
      const rotation = planRotation(request, freshSecrets("second-token-000000000"), clock.now(), lifetimes);
      const rotated = await store.transition(request.id, rotation.guard, rotation.patch);
      assert.ok(rotated);
      const found = await store.findByScanTokenHash(oldHash);
      assert.equal(found?.id, request.id);
      clock.advance(lifetimes.scanTokenGrace - 1);
      assert.equal(scanTokenWorks(found, oldHash, clock.now(), lifetimes), true);
      clock.advance(1);
      assert.equal(scanTokenWorks(found, oldHash, clock.now(), lifetimes), false);
      // A rotation planned against the old token loses: the guard names the token it replaces.
      assert.equal(await store.transition(request.id, rotation.guard, rotation.patch), null);
      const again = planRotation(rotated, freshSecrets("third-token-0000000000"), clock.now(), lifetimes);
      assert.ok(await store.transition(request.id, again.guard, again.patch));
      assert.equal(await store.findByScanTokenHash(oldHash), null);
      assert.equal((await store.findByScanTokenHash(hashSecret("second-token-000000000")))?.id, request.id);
    });

    it("rotation moves the typed code too: the previous code is still found, the one before is gone", async () => {
      const clock = new ManualClock();
      const { request, userCode } = newRequest(clock);
      await store.create(request);
      const first = hashSecret(userCode);
      const second = freshSecrets(`second-${Math.random()}`);
      clock.advance(DEFAULT_LIFETIMES.scanToken);
      const once = planRotation(request, second, clock.now(), DEFAULT_LIFETIMES);
      const rotated = await store.transition(request.id, once.guard, once.patch);
      assert.ok(rotated);
      assert.equal((await store.findByUserCodeHash(first))?.id, request.id, "the previous code, for its grace");
      assert.equal((await store.findByUserCodeHash(second.userCodeHash))?.id, request.id);
      clock.advance(DEFAULT_LIFETIMES.scanToken);
      const twice = planRotation(rotated, freshSecrets(`third-${Math.random()}`), clock.now(), DEFAULT_LIFETIMES);
      assert.ok(await store.transition(request.id, twice.guard, twice.patch));
      assert.equal(await store.findByUserCodeHash(first), null);
      assert.equal((await store.findByUserCodeHash(second.userCodeHash))?.id, request.id);
    });

    it("a rotation onto another request's code throws UserCodeTakenError and changes nothing", async () => {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      const other = newRequest(clock).request;
      await store.create(request);
      await store.create(other);
      const rotation = planRotation(
        request,
        { scanTokenHash: hashSecret(`t-${Math.random()}`), userCodeHash: other.userCodeHash },
        clock.now(),
        DEFAULT_LIFETIMES,
      );
      await assert.rejects(store.transition(request.id, rotation.guard, rotation.patch), UserCodeTakenError);
      assert.deepEqual(await store.get(request.id), request);
      assert.equal((await store.findByUserCodeHash(other.userCodeHash))?.id, other.id);
    });

    it("a guard with a version holds only at that version (a redemption's lease)", async () => {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      await store.create(request);
      const now = clock.now();
      const guard = (version: number) => ({ from: ["pending"] as const, liveAt: now, version });
      assert.equal(await store.transition(request.id, guard(request.version + 1), { updatedAt: now }), null);
      const moved = await store.transition(request.id, guard(request.version), { updatedAt: now + 1 });
      assert.equal(moved?.version, request.version + 1);
      assert.equal(await store.transition(request.id, guard(request.version), { updatedAt: now + 2 }), null);
    });

    it("expiry is enforced by the core even when the store returns the stale record", async () => {
      const clock = new ManualClock();
      const { request, scanToken } = newRequest(clock);
      await store.create(request);
      clock.advance(DEFAULT_LIFETIMES.pending);
      const stale = await store.get(request.id);
      assert.equal(stale?.state, "pending", "the store keeps it; a TTL is garbage collection only");
      assert.equal(statusOf(stale as NonNullable<typeof stale>, clock.now()), "expired");
      const flows = flowsOver(store, clock);
      await assert.rejects(flows.scanToken(scanToken, { userId: "alice" }, { ip: "203.0.113.7" }), {
        code: "expired_token",
      });
      assert.deepEqual(await store.get(request.id), request);
    });

    it("lists an approver's live push requests, and nothing else", async () => {
      const clock = new ManualClock();
      const approver = `approver-${Math.random()}`;
      const push = {
        ...newRequest(clock).request,
        mode: "push" as const,
        state: "scanned" as const,
        approverId: approver,
      };
      const expired = {
        ...newRequest(clock).request,
        mode: "push" as const,
        state: "scanned" as const,
        approverId: approver,
        expiresAt: clock.now(),
      };
      const qrScanned = { ...newRequest(clock).request, state: "scanned" as const, approverId: approver };
      const someoneElse = {
        ...newRequest(clock).request,
        mode: "push" as const,
        state: "scanned" as const,
        approverId: "other",
      };
      for (const r of [push, expired, qrScanned, someoneElse]) await store.create(r);
      assert.deepEqual(
        (await store.listPushRequests(approver, clock.now())).map((r) => r.id),
        [push.id],
      );
    });

    it("hit counts within a window from the first hit, then starts again", async () => {
      const key = `k-${Math.random()}`;
      assert.deepEqual(await store.hit(key, 1000, 5000), { count: 1, resetAt: 6000 });
      assert.deepEqual(await store.hit(key, 1000, 5999), { count: 2, resetAt: 6000 });
      assert.deepEqual(await store.peekCounter(key, 5999), { count: 2, resetAt: 6000 });
      assert.equal(await store.peekCounter(key, 6000), null);
      assert.deepEqual(await store.hit(key, 1000, 6000), { count: 1, resetAt: 7000 });
      assert.equal(await store.peekCounter(`never-${Math.random()}`, 0), null);
    });

    it(`hit — ${CONCURRENCY} concurrent hits on a fresh key get the counts 1…${CONCURRENCY}, each once`, async () => {
      const stores = backend.shared ? [store, await open(), await open()] : [store];
      const key = `race-${Math.random()}`;
      const counts = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) => (stores[i % stores.length] as LoginStore).hit(key, 60_000, 1000)),
      );
      assert.deepEqual(
        counts.map((c) => c.count).sort((a, b) => a - b),
        Array.from({ length: CONCURRENCY }, (_, i) => i + 1),
      );
    });

    it("hit gives events back, never below 0, and never opens a window by giving back", async () => {
      const key = `give-${Math.random()}`;
      assert.deepEqual(await store.hit(key, 1000, 5000, -1), { count: 0, resetAt: 5000 });
      assert.equal(await store.peekCounter(key, 5000), null);
      await store.hit(key, 1000, 5000);
      await store.hit(key, 1000, 5100);
      assert.deepEqual(await store.hit(key, 1000, 5200, -1), { count: 1, resetAt: 6000 });
      assert.deepEqual(await store.hit(key, 1000, 5300, -1), { count: 0, resetAt: 6000 });
      assert.deepEqual(await store.hit(key, 1000, 5400, -1), { count: 0, resetAt: 6000 });
      assert.deepEqual(await store.hit(key, 1000, 5500), { count: 1, resetAt: 6000 });
    });

    it(`hit — ${CONCURRENCY} concurrent hits and give-backs on one key end where they should`, async () => {
      const stores = backend.shared ? [store, await open(), await open()] : [store];
      const key = `race-back-${Math.random()}`;
      // Started high enough that no give-back meets 0, where it would stop.
      for (let i = 0; i < CONCURRENCY; i++) await store.hit(key, 60_000, 1000);
      await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (stores[i % stores.length] as LoginStore).hit(key, 60_000, 1000, i % 2 === 0 ? 1 : -1),
        ),
      );
      assert.equal((await store.peekCounter(key, 1000))?.count, CONCURRENCY);
    });

    it("alerts are kept apart from the audit trail: 10,000 later audit entries leave them listed", async () => {
      const user = `alerted-${Math.random()}`;
      const alert = { at: 1000, userId: user, reason: "new_device", requestId: "r1", ip: "203.0.113.9", detail: {} };
      await store.appendAlert(alert);
      await store.appendAlert({ ...alert, at: 1001, userId: "someone-else" });
      for (let batch = 0; batch < 100; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.appendAudit({
              at: 2000 + batch * 100 + i,
              type: "scanned",
              requestId: null,
              userId: user,
              ip: null,
              detail: {},
            }),
          ),
        );
      }
      assert.deepEqual(await store.listAlerts(user, 10), [alert]);
      await store.purge(1001);
      assert.deepEqual(await store.listAlerts(user, 10), [], "purged with the rest once old");
    });

    it("the audit log lists a user's entries newest first", async () => {
      const user = `audited-${Math.random()}`;
      const entry = (at: number, type: string) => ({
        at,
        type,
        requestId: "r1",
        userId: user,
        ip: "203.0.113.1",
        detail: { n: at },
      });
      await store.appendAudit(entry(1000, "scanned"));
      await store.appendAudit(entry(3000, "redeemed"));
      await store.appendAudit(entry(2000, "approved"));
      await store.appendAudit({ ...entry(4000, "scanned"), userId: "someone-else" });
      assert.deepEqual(await store.listAudit(user, 2), [entry(3000, "redeemed"), entry(2000, "approved")]);
    });

    it("purge deletes only what ended before the cut-off", async () => {
      const clock = new ManualClock(Date.UTC(2020, 0, 1));
      const old = newRequest(clock).request;
      clock.advance(3_600_000);
      const recent = newRequest(clock).request;
      await store.create(old);
      await store.create(recent);
      assert.ok((await store.purge(old.expiresAt + 1)) >= 1);
      assert.equal(await store.get(old.id), null);
      assert.ok(await store.get(recent.id));
      const key = `purged-${Math.random()}`;
      await store.hit(key, 1000, old.expiresAt - 2000);
      await store.appendAudit({ at: old.expiresAt - 1, type: "x", requestId: null, userId: key, ip: null, detail: {} });
      await store.purge(old.expiresAt + 1);
      assert.equal(await store.peekCounter(key, 0), null);
      assert.deepEqual(await store.listAudit(key, 10), []);
    });

    // Only for durable stores; a memory store forgets by design.
    if (!backend.durable) return;
    it("requests survive closing the store and opening it again (restart)", async () => {
      const { request } = newRequest();
      const s = await backend.open();
      await s.create(request);
      await s.close();
      const reopened = await open();
      assert.deepEqual(await reopened.get(request.id), request);
    });
  });
}

/** How a notifier under test is opened; `shared` notifiers deliver between separate opens. */
export interface NotifierUnderTest {
  open(): Promise<Notifier>;
  shared: boolean;
  skip?: string | false;
}

/** The suite every Notifier must pass: delivery to a channel's subscribers only, and nothing after unsubscribe. */
export function notifierConformance(name: string, backend: NotifierUnderTest, api: TestApi = NODE_TEST): void {
  const { after, it } = api;
  const describe = backend.skip ? api.describe.skip : api.describe;
  describe(`Notifier conformance: ${name}`, () => {
    const opened: Notifier[] = [];
    const open = async () => {
      const n = await backend.open();
      opened.push(n);
      return n;
    };
    after(async () => {
      for (const n of opened) await n.close();
    });
    const nextMessage = (notifier: Notifier, channel: string) =>
      new Promise<ChangeMessage>((resolve) => {
        const stop = notifier.subscribe(channel, (m) => {
          stop.then((s) => s());
          resolve(m);
        });
      });

    it("delivers a published message to the channel's subscribers, and only theirs", async () => {
      const publisher = await open();
      const subscriber = backend.shared ? await open() : publisher;
      const heard: ChangeMessage[] = [];
      const stopOther = await subscriber.subscribe("request:other", (m) => heard.push(m));
      const received: ChangeMessage[] = [];
      const stop = await subscriber.subscribe("request:one", (m) => received.push(m));
      const done = nextMessage(subscriber, "request:one");
      await publisher.publish("request:one", { requestId: "one", version: 2 });
      assert.deepEqual(await done, { requestId: "one", version: 2 });
      assert.deepEqual(received, [{ requestId: "one", version: 2 }]);
      assert.deepEqual(heard, []);
      await stop();
      await stopOther();
    });

    it("stops delivering after unsubscribe", async () => {
      const notifier = await open();
      const received: ChangeMessage[] = [];
      const stop = await notifier.subscribe("request:two", (m) => received.push(m));
      await stop();
      const sentinel = nextMessage(notifier, "request:two");
      await notifier.publish("request:two", { requestId: "two", version: 3 });
      await sentinel;
      assert.deepEqual(received, []);
    });
  });
}
