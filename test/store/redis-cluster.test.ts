import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createCluster } from "redis";
import { openStore } from "../../src/store/open-store.ts";
import { RedisNotifier, RedisStore } from "../../src/store/redis.ts";
import { notifierConformance, storeConformance } from "../../src/testing/conformance.ts";
import { newRequest } from "../../src/testing/fixtures.ts";
import { assertResyncAfterKill } from "./notifier-resync.ts";
import { realFlows, redeem, signIn } from "./redis-flows.ts";
import { assertOneCommandPerTransition, countingClient } from "./redis-round-trips.ts";
import { command, type RedisProcess, skipUnlessRedisBinaries, startCluster } from "./redis-servers.ts";

// A local cluster of three primaries; every store and notifier here is cluster-aware and keeps the
// default prefix shape (no hash tag), so requests spread over the nodes.
const skip = skipUnlessRedisBinaries();
let cluster: { nodes: RedisProcess[]; stop(): Promise<void> } | undefined;
const rootNodes = () => (cluster?.nodes ?? []).slice(0, 2).map((node) => node.url);
const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;

before(async () => {
  if (!skip) cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
});

storeConformance("redis cluster", {
  open: async () => new RedisStore({ rootNodes: rootNodes(), prefix }),
  shared: true,
  durable: true,
  skip,
});
notifierConformance("redis cluster", {
  open: async () => new RedisNotifier({ rootNodes: rootNodes(), prefix }),
  shared: true,
  skip,
});

describe("Redis Cluster", { skip }, () => {
  it("completes sign-ins from a redis+cluster:// setting, requests spread over every primary", async () => {
    const [first, second] = cluster?.nodes ?? [];
    const own = `qrlogin-spread-${randomBytes(4).toString("hex")}:`;
    const setting = `redis+cluster://127.0.0.1:${first?.port},127.0.0.1:${second?.port}?prefix=${own}`;
    const { store, notifier, describe } = await openStore(setting);
    assert.match(describe, /^Redis Cluster redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+, key prefix/);
    try {
      const flows = realFlows(store);
      const issued: string[] = [];
      const ids = await Promise.all(Array.from({ length: 30 }, (_, n) => signIn(flows, n, issued)));
      assert.deepEqual([...issued].sort(), [...ids].sort(), "one session per request");
      await assert.rejects(
        redeem(flows, { id: ids[0] as string, browserSecret: "x", desktop: { ip: "10.0.0.1" } }, []),
      );
      for (const node of cluster?.nodes ?? []) {
        const [, keys] = (await command(node.url, ["SCAN", "0", "MATCH", `${own}{*`, "COUNT", "10000"])) as [
          string,
          string[],
        ];
        assert.ok(keys.length > 0, `node ${node.port} holds some of the requests`);
      }
    } finally {
      await notifier.close();
      await store.close();
    }
  });

  it("takes one command per transition on a cluster, a new typed code aside", async () => {
    const own = createCluster({ rootNodes: rootNodes().map((url) => ({ url })) });
    own.on("error", () => {});
    await own.connect();
    const { client, sent } = countingClient(own);
    const store = new RedisStore({ client, prefix });
    try {
      await assertOneCommandPerTransition(store, sent);
    } finally {
      await store.close();
      await own.close();
    }
  });

  it("takes a createCluster client of the host's own", async () => {
    const client = createCluster({ rootNodes: rootNodes().map((url) => ({ url })) });
    client.on("error", () => {});
    await client.connect();
    const store = new RedisStore({ client, prefix });
    try {
      const { request } = newRequest(undefined, undefined, "device");
      await store.create(request);
      assert.deepEqual(await store.get(request.id), request);
      assert.equal((await store.findByUserCodeHash(request.userCodeHash as string))?.id, request.id);
      assert.equal((await store.persistence()).mode, "at-risk", "the test nodes run without an AOF");
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("the notifier resyncs and hears messages again after its subscriber connection is killed", async () => {
    const subscriber = new RedisNotifier({ rootNodes: rootNodes(), prefix });
    const publisher = new RedisNotifier({ rootNodes: rootNodes(), prefix });
    try {
      await assertResyncAfterKill(subscriber, publisher, async () => {
        // The cluster is this file's own: every pub/sub connection on it is the subscriber's.
        for (const node of cluster?.nodes ?? []) await command(node.url, ["CLIENT", "KILL", "TYPE", "pubsub"]);
      });
    } finally {
      await subscriber.close();
      await publisher.close();
    }
  });
});
