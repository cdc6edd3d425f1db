import { loadOptional } from "../optional-package.ts";

/** node-redis, an optional peer dependency: loaded once, when the Redis store is first imported. */
export const { createClient } = await loadOptional("redis", "The Redis store", () => import("redis"));
