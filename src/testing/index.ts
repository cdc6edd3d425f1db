/**
 * Test kits for those who extend qrlogin: the conformance suites a store or notifier must pass, and the
 * fixtures they use (a manual clock, a seeded random source, requests made by the real core).
 * @packageDocumentation
 */
export {
  type NotifierUnderTest,
  notifierConformance,
  type StoreUnderTest,
  storeConformance,
  type TestApi,
} from "./conformance.ts";
export { desktopRequester, flowsOver, ManualClock, newRequest, seededRandom } from "./fixtures.ts";
