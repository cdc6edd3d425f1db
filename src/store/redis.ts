// The Redis store and notifier, one concern per file under redis/: the clients it takes, the link
// over one node, a cluster or Sentinel, the Lua scripts, faults, durability, the store and the notifier.
export type {
  AnyRedisClient,
  RedisClient,
  RedisClusterClient,
  RedisConnectionOptions,
  RedisSentinelClient,
  RedisSentinelSetting,
} from "./redis/client.ts";
export type { PersistenceMode, RedisDurability, RedisPersistence } from "./redis/durability.ts";
export { RedisNotifier, type RedisNotifierOptions } from "./redis/notifier.ts";
export { RedisStore, type RedisStoreOptions } from "./redis/store.ts";
