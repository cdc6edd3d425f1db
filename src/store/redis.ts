// The Redis store and notifier, one concern per file under redis/: the client contract, the Lua
// scripts, the store and the notifier.
export type { RedisClient } from "./redis/client.ts";
export { RedisNotifier, type RedisNotifierOptions } from "./redis/notifier.ts";
export { RedisStore, type RedisStoreOptions } from "./redis/store.ts";
