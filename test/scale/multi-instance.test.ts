import { after, describe, it } from "node:test";
import { skipUnlessReachable } from "../helpers/services.ts";
import {
  approveOn,
  desktopListening,
  type Instance,
  POSTGRES_URL,
  postgresSchema,
  REDIS_URL,
  redeemExactlyOnce,
  redisPrefix,
  scanOn,
  startInstances,
  stopAll,
  TEST_TIMEOUT_MS,
} from "./harness.ts";

const redisSkip = await skipUnlessReachable("Redis", REDIS_URL);
const postgresSkip = await skipUnlessReachable("PostgreSQL", POSTGRES_URL);

/**
 * Three instance processes on one shared store: the desktop's stream is held by the first, the
 * phone scans on the second and approves on the third, and the desktop hears each step and redeems
 * on the first — once.
 */
async function acrossThreeInstances(store: string): Promise<void> {
  const instances: Instance[] = await startInstances(3, store);
  try {
    const [first, second, third] = instances as [Instance, Instance, Instance];
    const { desktop, stream } = await desktopListening(first);
    try {
      await scanOn(second, desktop);
      await stream.next("scanned");
      await approveOn(third, desktop);
      await stream.next("approved");
      await redeemExactlyOnce(desktop, first, second, instances);
      await stream.next("redeemed");
    } finally {
      stream.close();
    }
  } finally {
    await stopAll(instances);
  }
}

describe("one sign-in across three instance processes", () => {
  const redis = redisPrefix();
  const postgres = postgresSchema();
  after(async () => {
    if (!redisSkip) await redis.drop();
    if (!postgresSkip) await postgres.drop();
  });

  it("on one Redis", { skip: redisSkip, timeout: TEST_TIMEOUT_MS }, () =>
    acrossThreeInstances(`${REDIS_URL}?prefix=${redis.prefix}`),
  );

  it("on one PostgreSQL", { skip: postgresSkip, timeout: TEST_TIMEOUT_MS }, () => acrossThreeInstances(postgres.store));
});
