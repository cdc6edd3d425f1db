import assert from "node:assert/strict";
import * as nodeTest from "node:test";
import { DEFAULT_LIFETIMES } from "../core/lifetimes.ts";
import { type LoginRequest, statusOf } from "../core/login-request.ts";
import { scanKeys, scanTokenFor } from "../core/scan-token.ts";
import { hashSecret } from "../core/secrets.ts";
import { planUserCode, userCodeWorks } from "../core/transitions.ts";
import type { LoginFlows } from "../service/login-flows.ts";
import {
  type ChangeMessage,
  type LoginStore,
  type Notifier,
  type RequestChanges,
  UserCodeTakenError,
} from "../store/login-store.ts";
import { flowsOver, ManualClock, newRequest } from "./fixtures.ts";

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
 * backend has them), derived scan tokens (claimed once, dead after their period and grace, never
 * another request's), typed codes and their replacement, expiry, counters and give-backs, audit and alerts,
 * purge and restart, and the feed of changes of a store that has one.
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
    let others: LoginStore[] | undefined;
    /** The store and, where the backend shares data, two more connections to it, opened once for the suite. */
    const connections = async () => {
      if (!backend.shared) return [store];
      others ??= [await open(), await open()];
      return [store, ...others];
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

    it("a feed of changes, where the store has one, tells each transition of any connection once, in commit order", async () => {
      const feed = store.changesAfter?.bind(store);
      if (!feed) return; // optional: without it, processes ask `versions`
      const stores = await connections();
      const start = await feed(null, 500);
      assert.deepEqual([start.changes, start.complete], [[], true], "null starts at the end, with nothing");
      const clock = new ManualClock(Date.now());
      const [a, b, c] = Array.from({ length: 3 }, () => newRequest(clock).request) as [
        LoginRequest,
        LoginRequest,
        LoginRequest,
      ];
      for (const request of [a, b, c]) await store.create(request);
      const told: ChangeMessage[] = [];
      for (const [i, request] of [a, b, a, c, a].entries()) {
        const on = stores[i % stores.length] as LoginStore;
        const updated = await on.transition(request.id, { from: ["pending"], liveAt: clock.now() }, { updatedAt: i });
        assert.ok(updated);
        told.push({ requestId: request.id, version: updated.version });
      }
      const guard = { from: ["approved" as const], liveAt: clock.now() };
      assert.equal(await store.transition(b.id, guard, { updatedAt: 9 }), null, "a guard that fails is no change");
      const other = stores.at(-1) as LoginStore;
      const read = await readFeed(other, start.cursor, 2);
      assert.equal(read.complete, true);
      assert.deepEqual(
        read.changes.filter(({ requestId }) => [a.id, b.id, c.id].includes(requestId)),
        told,
      );
      assert.deepEqual(await readFeed(store, read.cursor, 500), { changes: [], cursor: read.cursor, complete: true });
    });

    it(`a feed of changes tells each of ${CONCURRENCY} concurrent transitions once, each request's in version order`, async () => {
      if (!store.changesAfter) return;
      const stores = await connections();
      const start = await store.changesAfter(null, 500);
      const clock = new ManualClock(Date.now());
      const requests = Array.from({ length: 10 }, () => newRequest(clock).request);
      await Promise.all(requests.map((request) => store.create(request)));
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (stores[i % stores.length] as LoginStore).transition(
            (requests[i % requests.length] as LoginRequest).id,
            { from: ["pending"], liveAt: clock.now() },
            { updatedAt: i },
          ),
        ),
      );
      const ids = new Set(requests.map((request) => request.id));
      const read = (await readFeed(store, start.cursor, 7)).changes.filter(({ requestId }) => ids.has(requestId));
      const won = results.flatMap((r) => (r ? [`${r.id}@${r.version}`] : []));
      assert.deepEqual(read.map(({ requestId, version }) => `${requestId}@${version}`).sort(), won.sort());
      for (const request of requests) {
        const versions = read.filter(({ requestId }) => requestId === request.id).map(({ version }) => version);
        assert.deepEqual(
          versions,
          [...versions].sort((x, y) => x - y),
          "each request's changes in the order they committed",
        );
      }
    });

    it("a feed of changes read from before changes it forgot (after purges) says so; from its end, it is whole", async () => {
      if (!store.changesAfter) return;
      const start = await store.changesAfter(null, 500);
      const clock = new ManualClock(Date.now());
      const { request } = newRequest(clock);
      await store.create(request);
      const updated = await store.transition(request.id, { from: ["pending"], liveAt: clock.now() }, { updatedAt: 1 });
      assert.ok(updated);
      for (let i = 0; i < 3; i++) await store.purge(0);
      const read = await readFeed(store, start.cursor, 500);
      if (read.complete) {
        assert.ok(
          read.changes.some((change) => change.requestId === request.id),
          "kept changes are told",
        );
      }
      const end = await store.changesAfter(null, 500);
      await store.transition(request.id, { from: ["pending"], liveAt: clock.now() }, { updatedAt: 2 });
      const after = await readFeed(store, end.cursor, 500);
      assert.equal(after.complete, true);
      assert.deepEqual(after.changes, [{ requestId: request.id, version: updated.version + 1 }]);
    });

    it("finds a request by its user code hash", async () => {
      const { request, userCode } = newRequest(undefined, undefined, "device");
      await store.create(request);
      assert.equal((await store.findByUserCodeHash(hashSecret(userCode as string)))?.id, request.id);
      assert.equal(await store.findByUserCodeHash(hashSecret("BCDFGHJK-nope")), null);
    });

    it("requests without a typed code do not collide on the missing code", async () => {
      const first = newRequest();
      const second = newRequest();
      assert.equal(first.request.userCodeHash, null);
      await store.create(first.request);
      await store.create(second.request);
      assert.equal((await store.get(second.request.id))?.userCodeHash, null);
    });

    it("create with a user code already in use throws UserCodeTakenError and writes nothing", async () => {
      const first = newRequest(undefined, undefined, "device");
      const second = newRequest(undefined, undefined, "device");
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

    it("transition refuses a wrong state or a passed deadline, and changes nothing", async () => {
      const { request } = newRequest();
      await store.create(request);
      const patch = { state: "approved" as const };
      assert.equal(await store.transition(request.id, { from: ["scanned"], liveAt: request.createdAt }, patch), null);
      assert.equal(await store.transition(request.id, { from: ["pending"], liveAt: request.expiresAt }, patch), null);
      assert.equal(await store.transition("AAAAAAAAAAAAAAAAAAAAAA", { from: ["pending"], liveAt: 0 }, patch), null);
      assert.deepEqual(await store.get(request.id), request);
    });

    it(`transition — only one of ${CONCURRENCY} concurrent callers wins`, async () => {
      const stores = await connections();
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
      const stores = await connections();
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
      const stores = await connections();
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
    });

    it("a new typed code: the one it replaced works through its grace and is still found; two codes on, it is gone", async () => {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      const lifetimes = DEFAULT_LIFETIMES;
      await store.create(request);
      const first = hashSecret(`first-${Math.random()}`);
      const once = planUserCode(request, first, clock.now(), lifetimes);
      const shown = await store.transition(request.id, once.guard, once.patch);
      assert.ok(shown);
      assert.equal((await store.findByUserCodeHash(first))?.id, request.id);
      // Two asks planned from the same read make one code: the guard names the version they read.
      assert.equal(await store.transition(request.id, once.guard, once.patch), null);
      clock.advance(lifetimes.scanToken);
      const second = hashSecret(`second-${Math.random()}`);
      const twice = planUserCode(shown, second, clock.now(), lifetimes);
      const replaced = await store.transition(request.id, twice.guard, twice.patch);
      assert.ok(replaced);
      const found = await store.findByUserCodeHash(first);
      assert.equal(found?.id, request.id, "the previous code, for its grace");
      clock.advance(lifetimes.scanTokenGrace - 1);
      assert.equal(userCodeWorks(found as LoginRequest, first, clock.now(), lifetimes), true);
      clock.advance(1);
      assert.equal(userCodeWorks(found as LoginRequest, first, clock.now(), lifetimes), false);
      const thrice = planUserCode(replaced, hashSecret(`third-${Math.random()}`), clock.now(), lifetimes);
      assert.ok(await store.transition(request.id, thrice.guard, thrice.patch));
      assert.equal(await store.findByUserCodeHash(first), null);
      assert.equal((await store.findByUserCodeHash(second))?.id, request.id);
    });

    it("a new code that is another request's throws UserCodeTakenError and changes nothing", async () => {
      const clock = new ManualClock();
      const { request } = newRequest(clock);
      const other = newRequest(clock, undefined, "device").request;
      await store.create(request);
      await store.create(other);
      const taken = planUserCode(request, other.userCodeHash as string, clock.now(), DEFAULT_LIFETIMES);
      await assert.rejects(store.transition(request.id, taken.guard, taken.patch), UserCodeTakenError);
      assert.deepEqual(await store.get(request.id), request);
      assert.equal((await store.findByUserCodeHash(other.userCodeHash as string))?.id, other.id);
    });

    it(`a derived scan token claims its request once, among ${CONCURRENCY} concurrent scans`, async () => {
      const clock = new ManualClock();
      const stores = await connections();
      const flows = stores.map((s) => flowsOver(s, clock));
      const { request, scanTokens } = newRequest(clock);
      await store.create(request);
      const results = await Promise.allSettled(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          (flows[i % flows.length] as LoginFlows).scanToken(
            scanTokens[0] as string,
            { userId: `phone-${i}` },
            { ip: `198.51.${i}.7` },
          ),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) if (r.status === "rejected") assert.equal(r.reason.code, "ALREADY_CLAIMED");
      assert.equal((await store.get(request.id))?.state, "scanned");
    });

    it("a derived scan token works through its period and grace, then dies; the next period's works then", async () => {
      const lifetimes = DEFAULT_LIFETIMES;
      const scanAt = async (offset: number, period: number) => {
        const clock = new ManualClock();
        const { request, scanTokens } = newRequest(clock);
        await store.create(request);
        clock.advance(offset);
        return flowsOver(store, clock).scanToken(
          scanTokens[period] as string,
          { userId: "alice" },
          { ip: "198.51.100.7" },
        );
      };
      const end = lifetimes.scanToken + lifetimes.scanTokenGrace;
      assert.equal((await scanAt(end - 1, 0)).state, "scanned");
      await assert.rejects(scanAt(end, 0), { code: "expired_token" });
      await assert.rejects(scanAt(0, 2), { code: "expired_token" }, "a later period's token is not yet good");
      assert.equal((await scanAt(lifetimes.scanToken, 1)).state, "scanned");
      assert.equal((await scanAt(2 * lifetimes.scanToken + lifetimes.scanTokenGrace - 1, 1)).state, "scanned");
    });

    it("a scan token of one request never claims another, and a token under another secret claims nothing", async () => {
      const clock = new ManualClock();
      const flows = flowsOver(store, clock);
      const mine = newRequest(clock);
      const theirs = newRequest(clock);
      await store.create(mine.request);
      await store.create(theirs.request);
      // Their id with my MAC: the MAC covers the id, so it is a forgery.
      const spliced = Buffer.from(mine.scanTokens[0] as string, "base64url");
      Buffer.from(theirs.request.id, "base64url").copy(spliced, 1);
      const alien = scanTokenFor(scanKeys(["another deployment's secret, also long enough"]), theirs.request.id, 0);
      for (const token of [spliced.toString("base64url"), alien, `${mine.scanTokens[0]}x`, "not-a-token"]) {
        await assert.rejects(flows.scanToken(token, { userId: "mallory" }, { ip: "198.51.100.66" }), {
          code: "SCAN_TOKEN_INVALID",
        });
      }
      assert.deepEqual(await store.get(theirs.request.id), theirs.request);
      assert.deepEqual(await store.get(mine.request.id), mine.request);
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
      const { request, scanTokens } = newRequest(clock);
      await store.create(request);
      clock.advance(DEFAULT_LIFETIMES.pending);
      const stale = await store.get(request.id);
      assert.equal(stale?.state, "pending", "the store keeps it; a TTL is garbage collection only");
      assert.equal(statusOf(stale as NonNullable<typeof stale>, clock.now()), "expired");
      const flows = flowsOver(store, clock);
      const last = scanTokens.at(-1) as string;
      await assert.rejects(flows.scanToken(last, { userId: "alice" }, { ip: "203.0.113.7" }), {
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
      const stores = await connections();
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
      const stores = await connections();
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

/** Every change of `store`'s feed after `cursor`, read `limit` at a time, and where the reading ended. */
async function readFeed(store: LoginStore, cursor: number, limit: number): Promise<RequestChanges> {
  const read: RequestChanges = { changes: [], cursor, complete: true };
  for (;;) {
    const page = await (store.changesAfter as NonNullable<LoginStore["changesAfter"]>).call(store, read.cursor, limit);
    assert.ok(page.changes.length <= limit, "no more than the limit a read");
    read.changes.push(...page.changes);
    read.cursor = page.cursor;
    read.complete &&= page.complete;
    if (page.changes.length < limit) return read;
  }
}
