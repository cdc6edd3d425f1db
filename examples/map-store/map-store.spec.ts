// The same suite under vitest: a runner's own describe/it/hooks are passed in (`npx vitest run
// examples/map-store`). `test/testing-under-vitest.test.ts` runs it so CI proves it keeps working.
import { afterAll, beforeAll, describe, it } from "vitest";
import { storeConformance } from "../../src/testing/index.ts";
import { MapStore } from "./map-store.ts";

storeConformance(
  "a third-party MapStore, under vitest",
  { open: async () => new MapStore(), shared: false, durable: false },
  { describe, it, before: beforeAll, after: afterAll },
);
