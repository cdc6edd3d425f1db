import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createSentinel } from "redis";
import type { ChangeMessage } from "../../src/store/login-store.ts";
import { openStore } from "../../src/store/open-store.ts";
import { RedisNotifier, RedisStore } from "../../src/store/redis.ts";
import { notifierConformance, storeConformance } from "../../src/testing/conformance.ts";
import { newRequest } from "../../src/testing/fixtures.ts";
import { type Perseverance, persevere, realFlows } from "./redis-flows.ts";
import { type SentinelSet, skipUnlessRedisBinaries, startSentinelSet, until } from "./redis-servers.ts";

// A primary, two replicas and a sentinel of this file's own; the stores follow the primary the sentinel names.
const skip = skipUnlessRedisBinaries(["redis-server", "redis-cli", "redis-sentinel"]);
let set: SentinelSet | undefined;
const sentinel = () => ({ name: set?.name ?? "", sentinels: [`127.0.0.1:${set?.sentinel.port}`] });
const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;

before(async () => {
  if (!skip) set = await startSentinelSet();
});
after(async () => {
  await set?.stop();
});

storeConformance("redis sentinel", {
  open: async () => new RedisStore({ sentinel: sentinel(), prefix }),
  shared: true,
  durable: true,
  skip,
});
notifierConformance("redis sentinel", {
  open: async () => new RedisNotifier({ sentinel: sentinel(), prefix }),
  shared: true,
  skip,
});

describe("Redis Sentinel", { skip }, () => {
  it("takes a createSentinel client of the host's own", async () => {
    const client = createSentinel({
      name: sentinel().name,
      sentinelRootNodes: [{ host: "127.0.0.1", port: set?.sentinel.port ?? 0 }],
    });
    client.on("error", () => {});
    await client.connect();
    const store = new RedisStore({ client, prefix });
    try {
      const { request } = newRequest();
      await store.create(request);
      assert.deepEqual(await store.get(request.id), request);
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("completes sign-ins across a failover after the primary is killed, none twice, and streams are told to re-read", async () => {
    // Redemptions wait for one replica, so that the failover cannot undo one that counted.
    const { store, notifier, describe } = await openStore(
      `redis+sentinel://127.0.0.1:${set?.sentinel.port}/${sentinel().name}?prefix=${prefix}&replicas=1`,
    );
    assert.match(describe, /^Redis Sentinel redis\+sentinel:\/\/127\.0\.0\.1:\d+\/qrlogin-test/);
    const heard: ChangeMessage[] = [];
    const stop = await notifier.subscribe("request:failover", (message) => heard.push(message));
    const flows = realFlows(store);
    const issued: string[] = [];
    const ids: string[] = [];
    const seen: Perseverance = { restarts: 0, retries: 0 };
    let n = 0;
    let running = true;
    // Four desktops at a time sign in, one after another, until told to stop.
    const desktops = Array.from({ length: 4 }, async () => {
      while (running) ids.push(await persevere(flows, n++, issued, seen));
    });
    const signedIn = async (more: number) => {
      const from = ids.length;
      await until(`${more} more sign-ins`, async () => ids.length >= from + more, 20_000);
    };
    const started = Date.now();
    let failoverMs = 0;
    try {
      await signedIn(5);
      const primary = await (set as SentinelSet).primary();
      await primary.stop("SIGKILL");
      const killedAt = Date.now();
      await until("another primary", async () => (await (set as SentinelSet).primary()) !== primary, 20_000);
      await signedIn(5);
      failoverMs = Date.now() - killedAt;
    } finally {
      running = false;
      await Promise.allSettled(desktops);
    }
    try {
      await Promise.all(desktops);
      const sessions = new Map<string, number>();
      for (const id of issued) sessions.set(id, (sessions.get(id) ?? 0) + 1);
      assert.deepEqual(
        [...sessions.values()].filter((count) => count > 1),
        [],
        "no request signed in twice",
      );
      for (const id of ids) assert.equal(sessions.get(id), 1, "each desktop's own session");
      // The subscriber's connection comes back on its own schedule, which may be after the sign-ins'.
      await until("a resync after the failover", async () => heard.some((message) => message.requestId === ""), 20_000);
      console.log(
        `# sentinel, primary killed: ${ids.length} desktops signed in over ${Date.now() - started} ms (${failoverMs} ms from the kill to sign-ins on the new primary), ${seen.restarts} sign-ins started over, ${seen.retries} redemptions retried, ${issued.length - ids.length} sessions issued but not delivered, 0 twice`,
      );
    } finally {
      await stop();
      await notifier.close();
      await store.close();
    }
  });
});
