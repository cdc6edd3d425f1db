import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { LocalNotifier } from "./local-notifier.ts";
import type { LoginStore, Notifier } from "./login-store.ts";
import type { RedisDurability, RedisSentinelSetting } from "./redis.ts";

/** A store and the notifier that goes with it, opened from one setting by {@link openStore}. */
export interface OpenedStore {
  store: LoginStore;
  notifier: Notifier;
  /** What was opened, for a startup log line; never holds a password. */
  describe: string;
}

/** Where a store setting points, once parsed; see {@link parseStoreSpec}. */
export type StoreSpec =
  | { kind: "sqlite"; filename: string; describe: string }
  | {
      kind: "redis";
      /** One node; or a cluster's `rootNodes`; or a `sentinel`. */
      url?: string;
      rootNodes?: string[];
      sentinel?: RedisSentinelSetting;
      prefix: string;
      durability: RedisDurability;
      replicas: number;
      describe: string;
    }
  | { kind: "postgres"; connectionString: string; schema: string; channel: string; describe: string };

const SCHEMES =
  "sqlite:<path>, a bare path, redis://, rediss://, redis+cluster://, redis+sentinel://, postgres:// or postgresql://";
/** How long opening a Redis store waits for its first answer before failing at startup. */
const REDIS_STARTUP_MS = 10_000;

/**
 * Parses a store setting without opening anything:
 * - `sqlite:./data/qrlogin.db`, or a bare path: a SQLite file (`sqlite::memory:` for a throwaway one);
 * - `redis://…` / `rediss://…`: one node; `redis+cluster://host:port,host:port`: a Redis Cluster
 *   (those are some of its nodes); `redis+sentinel://host:port,host:port/<primary name>`: a primary that
 *   these sentinels fail over (credentials go to the primary and replicas); `rediss+` for TLS. Each
 *   with an optional `?prefix=` for every key and channel (default `qrlogin:`), `?durability=accept-loss`
 *   and `?replicas=` (see `RedisStoreOptions`);
 * - `postgres://…` / `postgresql://…`, with an optional `?schema=` (default `public`); other query
 *   parameters, such as `application_name` or `sslmode`, go to the driver.
 * @throws TypeError for anything else, naming what is accepted.
 * @example parseStoreSpec("postgres://app:secret@db/app?schema=qrlogin").describe // "PostgreSQL postgres://app@db/app, schema qrlogin"
 */
export function parseStoreSpec(spec: string): StoreSpec {
  const trimmed = spec.trim();
  if (trimmed === "") throw new TypeError(`qrlogin: the store setting is empty; use ${SCHEMES}`);
  // One letter before a colon is a Windows drive, not a scheme.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "sqlite") {
    const path = scheme === undefined ? trimmed : trimmed.slice("sqlite:".length);
    if (path === "") throw new TypeError("qrlogin: sqlite: needs a file path, e.g. sqlite:./data/qrlogin.db");
    const filename = path === ":memory:" ? path : resolve(path);
    return { kind: "sqlite", filename, describe: `SQLite ${filename}` };
  }
  if (scheme === "redis" || scheme === "rediss") {
    const url = new URL(trimmed);
    const ours = redisParams((name) => takeParam(url, name));
    return { kind: "redis", url: url.href, ...ours, describe: `Redis ${redacted(url)}, key prefix ${ours.prefix}` };
  }
  if (
    scheme === "redis+cluster" ||
    scheme === "rediss+cluster" ||
    scheme === "redis+sentinel" ||
    scheme === "rediss+sentinel"
  ) {
    return parseRedisTopology(trimmed);
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const url = new URL(trimmed);
    const schema = takeParam(url, "schema") ?? "public";
    return {
      kind: "postgres",
      connectionString: url.href,
      schema,
      channel: notifyChannelOf(schema),
      describe: `PostgreSQL ${redacted(url)}, schema ${schema}`,
    };
  }
  throw new TypeError(`qrlogin: unknown store ${JSON.stringify(`${scheme}:`)}; use ${SCHEMES}`);
}

/**
 * Opens the store a setting names (see {@link parseStoreSpec}) with its notifier: SQLite with the
 * in-process notifier (one instance), Redis with pub/sub, PostgreSQL with LISTEN/NOTIFY. A
 * PostgreSQL schema is migrated, and Redis's persistence settings are checked (and told in
 * `describe`), before this resolves, so a wrong address, a missing privilege or — in production — a
 * Redis that can lose acknowledged writes fails here rather than on the first sign-in. Close both when done.
 * @example const { store, notifier, describe } = await openStore(process.env.QRLOGIN_STORE ?? "sqlite:./data/qrlogin.db");
 */
export async function openStore(spec: string): Promise<OpenedStore> {
  const parsed = parseStoreSpec(spec);
  const { describe } = parsed;
  switch (parsed.kind) {
    // Each store is imported only when chosen: its driver is an optional peer dependency.
    case "sqlite": {
      const { SqliteStore } = await import("./sqlite.ts");
      return { store: new SqliteStore({ filename: parsed.filename }), notifier: new LocalNotifier(), describe };
    }
    case "redis": {
      const { RedisNotifier, RedisStore } = await import("./redis.ts");
      const { url, rootNodes, sentinel, prefix, durability, replicas } = parsed;
      const store = new RedisStore({ url, rootNodes, sentinel, prefix, durability, replicas });
      let persistence: string;
      try {
        persistence = (await withDeadline(store.persistence(), REDIS_STARTUP_MS, `${describe}: no answer`)).summary;
      } catch (error) {
        await store.close();
        throw error;
      }
      return {
        store,
        notifier: new RedisNotifier({ url, rootNodes, sentinel, prefix }),
        describe: `${describe}; ${persistence}`,
      };
    }
    case "postgres": {
      const { PostgresNotifier, PostgresStore } = await import("./postgres.ts");
      const store = new PostgresStore({ connectionString: parsed.connectionString, schema: parsed.schema });
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
      return {
        store,
        notifier: new PostgresNotifier({ connectionString: parsed.connectionString, channel: parsed.channel }),
        describe,
      };
    }
  }
}

/**
 * Parses `redis+cluster://` and `redis+sentinel://` (or `rediss+…` for TLS) settings by hand: their
 * host lists are not URL hosts. Only `prefix`, `durability` and `replicas` may follow.
 */
function parseRedisTopology(spec: string): StoreSpec {
  const match = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#@]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(
    spec,
  );
  if (!match) throw new TypeError(`qrlogin: cannot read the Redis setting ${JSON.stringify(redactedSpec(spec))}`);
  const [, base, topology, userinfo, hostList, path = "", query = ""] = match as unknown as string[];
  const hosts = (hostList as string).split(",").filter((host) => host !== "");
  const params = new URLSearchParams(query);
  for (const name of params.keys()) {
    if (name !== "prefix" && name !== "durability" && name !== "replicas") {
      throw new TypeError(
        `qrlogin: the Redis ${topology} setting takes only prefix=, durability= and replicas=, not ${name}=`,
      );
    }
  }
  const ours = redisParams((name) => {
    const value = params.get(name);
    if (value === "") throw new TypeError(`qrlogin: the store setting's ${name}= is empty`);
    return value ?? undefined;
  });
  const [username = "", password = ""] = (userinfo ?? "").split(/:(.*)/s).map(decodeURIComponent);
  const scheme = (base as string).toLowerCase();
  const shown = `${scheme}+${topology?.toLowerCase()}://${username ? `${username}@` : ""}${hosts.join(",")}`;
  if (topology?.toLowerCase() === "cluster") {
    const credentials = userinfo ? `${userinfo}@` : "";
    const rootNodes = hosts.map((host) => `${scheme}://${credentials}${host}`);
    return { kind: "redis", rootNodes, ...ours, describe: `Redis Cluster ${shown}, key prefix ${ours.prefix}` };
  }
  const name = decodeURIComponent(path);
  if (name === "")
    throw new TypeError("qrlogin: redis+sentinel:// needs the primary's name as its path, e.g. /mymaster");
  const sentinel: RedisSentinelSetting = { name, sentinels: hosts, tls: scheme === "rediss" };
  if (username) sentinel.username = username;
  if (password) sentinel.password = password;
  return { kind: "redis", sentinel, ...ours, describe: `Redis Sentinel ${shown}/${name}, key prefix ${ours.prefix}` };
}

/** The parameters of ours in a Redis setting, read through `param`. */
function redisParams(param: (name: string) => string | undefined) {
  const durability = param("durability") ?? "verify";
  if (durability !== "verify" && durability !== "accept-loss") {
    throw new TypeError(`qrlogin: durability= must be verify or accept-loss, got ${JSON.stringify(durability)}`);
  }
  const replicas = param("replicas") ?? "0";
  if (!/^\d+$/.test(replicas)) {
    throw new TypeError(`qrlogin: replicas= must be a whole number, got ${JSON.stringify(replicas)}`);
  }
  return {
    prefix: param("prefix") ?? "qrlogin:",
    durability: durability as RedisDurability,
    replicas: Number(replicas),
  };
}

/** A setting with any password taken out, for an error message. */
function redactedSpec(spec: string): string {
  return spec.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1@");
}

/** `work`, or a rejection saying `what` once `ms` have passed without it settling. */
function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`qrlogin: ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Removes a query parameter of ours from `url`, so the driver never sees it; returns its value. */
function takeParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  url.searchParams.delete(name);
  if (value === "") throw new TypeError(`qrlogin: the store setting's ${name}= is empty`);
  return value ?? undefined;
}

/** The URL without its password or query (which may carry one, e.g. `?password=`). */
function redacted(url: URL): string {
  const shown = new URL(url.href);
  shown.password = "";
  shown.search = "";
  return shown.href;
}

/**
 * The NOTIFY channel of a schema: instances sharing a schema hear each other, and others do not.
 * Hashed, since a schema name need not be a valid channel identifier.
 */
function notifyChannelOf(schema: string): string {
  if (schema === "public") return "qrlogin";
  return `qrlogin_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}
