import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import { TRANSITION } from "../../src/store/redis/scripts.ts";
import { RedisStore } from "../../src/store/redis.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";
import { ProxyClient } from "./redis-proxy.ts";
import { command, freePorts, RedisProcess, skipUnlessRedisBinaries, tempDir } from "./redis-servers.ts";

// Redis servers of this file's own, one per persistence setting; NODE_ENV is set per test and restored.
const skip = skipUnlessRedisBinaries();
const servers: Record<string, RedisProcess> = {};
const prefix = `qrlogin-test-${randomBytes(6).toString("hex")}:`;

before(async () => {
  if (skip) return;
  const settings: Record<string, string[]> = {
    none: ["--appendonly", "no"],
    everysec: ["--appendonly", "yes", "--appendfsync", "everysec"],
    always: ["--appendonly", "yes", "--appendfsync", "always"],
  };
  const ports = await freePorts(3);
  await Promise.all(
    Object.entries(settings).map(async ([name, extra], i) => {
      servers[name] = await RedisProcess.server(ports[i] as number, tempDir(), extra);
    }),
  );
  // A user that may do everything but CONFIG, as managed services and careful ACLs have it.
  await command(servers.everysec?.url ?? "", [
    "ACL",
    "SETUSER",
    "app",
    "on",
    ">secret",
    "~*",
    "&*",
    "+@all",
    "-config",
  ]);
});
after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

/** Runs `work` with NODE_ENV=production. */
async function inProduction<T>(work: () => Promise<T>): Promise<T> {
  const was = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    return await work();
  } finally {
    if (was === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = was;
  }
}

/** A store on one of this file's servers. */
function storeOn(name: string, options: ConstructorParameters<typeof RedisStore>[0] = {}): RedisStore {
  return new RedisStore({ url: servers[name]?.url, prefix, ...options });
}

describe("Redis durability", { skip }, () => {
  it("reads the persistence settings at first use", async () => {
    const expected = { none: "at-risk", everysec: "at-risk", always: "fsync-always" };
    for (const [name, mode] of Object.entries(expected)) {
      const store = storeOn(name);
      try {
        assert.equal((await store.persistence()).mode, mode, name);
      } finally {
        await store.close();
      }
    }
  });

  it("in production, refuses a Redis that can lose acknowledged writes, saying what to set, unless told to accept it", async () => {
    await inProduction(async () => {
      for (const name of ["none", "everysec"]) {
        const store = storeOn(name);
        try {
          await assert.rejects(store.create(newRequest().request), /appendfsync always.*durability: "accept-loss"/s);
        } finally {
          await store.close();
        }
      }
      const accepting = storeOn("none", { durability: "accept-loss" });
      const safe = storeOn("always");
      try {
        await accepting.create(newRequest().request);
        await safe.create(newRequest().request);
      } finally {
        await accepting.close();
        await safe.close();
      }
    });
  });

  it("says it could not check when CONFIG is refused, and runs", async () => {
    const url = new URL(servers.everysec?.url ?? "");
    url.username = "app";
    url.password = "secret";
    const store = new RedisStore({ url: url.href, prefix });
    try {
      const persistence = await inProduction(() => store.persistence());
      assert.equal(persistence.mode, "unchecked");
      assert.match(persistence.summary, /could not check persistence, CONFIG refused \(NOPERM/);
      await store.create(newRequest().request);
    } finally {
      await store.close();
    }
  });

  it("on Redis 7.2 without fsync on every write, redemptions wait for their fsync, grouped, on a connection of their own", async () => {
    const client = new ProxyClient(servers.everysec?.url ?? "");
    let waits = 0;
    // Redis 7.0 stands in for 7.2: its INFO names 7.2.4, and WAITAOF is answered here, a little later.
    client.intercept = (args, run) => {
      if (args[0] === "INFO")
        return run().then((info) => String(info).replace(/redis_version:[\d.]+/, "redis_version:7.2.4"));
      if (args[0] !== "WAITAOF") return undefined;
      waits++;
      return new Promise((resolve) => setTimeout(() => resolve([1, 0]), 100));
    };
    await client.connect();
    const store = new RedisStore({ client, prefix });
    try {
      assert.equal((await store.persistence()).mode, "waitaof");
      const clock = new ManualClock(Date.now());
      const requests = Array.from({ length: 12 }, () => newRequest(clock).request);
      for (const request of requests) await store.create({ ...request, state: "approved" });
      client.sent.length = 0;
      const now = clock.now();
      const lease = { state: "redeeming", expiresAt: now + DEFAULT_LIFETIMES.redemptionLease, updatedAt: now } as const;
      const leased = await Promise.all(
        requests.map((request) => store.transition(request.id, { from: ["approved"], liveAt: now }, lease)),
      );
      assert.ok(leased.every((request) => request?.state === "redeeming"));
      const scripts = client.sent.filter(({ args }) => args[0] === "EVALSHA" && args[1] === TRANSITION.sha);
      assert.equal(scripts.length, requests.length);
      assert.ok(
        scripts.every(({ connection }) => connection === "main'"),
        "on a connection of their own",
      );
      const waited = client.sent.filter(({ args }) => args[0] === "WAITAOF");
      assert.ok(waited.every(({ connection, args }) => connection === "main'" && args[1] === "1"));
      assert.ok(
        waits >= 1 && waits < requests.length,
        `one WAITAOF covers many redemptions (${waits} for ${requests.length})`,
      );
      // Nothing else waits: a scan is no redemption.
      const other = newRequest(clock).request;
      await store.create(other);
      client.sent.length = 0;
      await store.transition(other.id, { from: ["pending"], liveAt: now }, { state: "scanned", updatedAt: now });
      assert.deepEqual(
        client.sent.filter(({ args }) => args[0] === "WAITAOF"),
        [],
      );
    } finally {
      await store.close();
      await client.close();
    }
  });

  it("a redemption whose fsync Redis does not confirm fails instead of counting", async () => {
    const client = new ProxyClient(servers.everysec?.url ?? "");
    client.intercept = (args, run) => {
      if (args[0] === "INFO")
        return run().then((info) => String(info).replace(/redis_version:[\d.]+/, "redis_version:7.2.4"));
      return args[0] === "WAITAOF" ? Promise.resolve([0, 0]) : undefined;
    };
    await client.connect();
    const store = new RedisStore({ client, prefix, faultWindowMs: 200 });
    try {
      const now = Date.now();
      const { request } = newRequest(new ManualClock(now));
      await store.create({ ...request, state: "approved" });
      await assert.rejects(
        store.transition(request.id, { from: ["approved"], liveAt: now }, { state: "redeeming", updatedAt: now }),
        /did not confirm the fsync/,
      );
    } finally {
      await store.close();
      await client.close();
    }
  });
});
