import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStoreSpec } from "../../src/store/open-store.ts";

describe("Redis store settings", () => {
  it("reads a cluster's nodes, with credentials for every node and none shown", () => {
    const spec = parseStoreSpec("redis+cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7000?prefix=shop:&replicas=1");
    assert.deepEqual(spec, {
      kind: "redis",
      rootNodes: ["redis://app:s3cret@10.0.0.1:7000", "redis://app:s3cret@10.0.0.2:7000"],
      prefix: "shop:",
      durability: "verify",
      replicas: 1,
      describe: "Redis Cluster redis+cluster://app@10.0.0.1:7000,10.0.0.2:7000, key prefix shop:",
    });
    assert.deepEqual(
      parseStoreSpec("rediss+cluster://h:1").kind === "redis" && parseStoreSpec("rediss+cluster://h:1"),
      {
        kind: "redis",
        rootNodes: ["rediss://h:1"],
        prefix: "qrlogin:",
        durability: "verify",
        replicas: 0,
        describe: "Redis Cluster rediss+cluster://h:1, key prefix qrlogin:",
      },
    );
  });

  it("reads the sentinels and the primary's name; the password goes to the nodes, never to the description", () => {
    const spec = parseStoreSpec("redis+sentinel://:p%40ss@s1:26379,s2:26379/main?durability=accept-loss");
    assert.deepEqual(spec, {
      kind: "redis",
      sentinel: { name: "main", sentinels: ["s1:26379", "s2:26379"], tls: false, password: "p@ss" },
      prefix: "qrlogin:",
      durability: "accept-loss",
      replicas: 0,
      describe: "Redis Sentinel redis+sentinel://s1:26379,s2:26379/main, key prefix qrlogin:",
    });
  });

  it("takes durability= and replicas= on one node too, out of the URL the driver sees", () => {
    const spec = parseStoreSpec("redis://cache:6379/0?durability=accept-loss&replicas=2");
    assert.equal(spec.kind === "redis" && spec.url, "redis://cache:6379/0");
    assert.equal(spec.kind === "redis" && spec.durability, "accept-loss");
    assert.equal(spec.kind === "redis" && spec.replicas, 2);
  });

  it("refuses what it cannot use, saying why", () => {
    const refusals: [string, RegExp][] = [
      ["redis+sentinel://s1:26379", /needs the primary's name/],
      ["redis+cluster://h:1?db=2", /takes only prefix=, durability= and replicas=, not db=/],
      ["redis+cluster://h:1?durability=maybe", /durability= must be verify or accept-loss/],
      ["redis://h:1?replicas=one", /replicas= must be a whole number/],
      ["redis+cluster://h:1?prefix=", /prefix= is empty/],
      ["redis+sentinel://:secret@/main", /cannot read the Redis setting "redis\+sentinel:\/\/@\/main"/],
    ];
    for (const [spec, message] of refusals) assert.throws(() => parseStoreSpec(spec), message, spec);
  });
});
