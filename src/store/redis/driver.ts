import { loadOptional } from "../optional-package.ts";

/** node-redis, an optional peer dependency: loaded once, when the Redis store is first imported. */
export const { createClient, createCluster, createSentinel, ClientClosedError, DisconnectsClientError, ErrorReply } =
  await loadOptional("redis", "The Redis store", () => import("redis"));
