import { allStoreKinds } from "../helpers/stores.ts";
import { attackSuite } from "./attack-suite.ts";

// The same attacks on every store: what one store counts or decides atomically, every store must.
// A store whose service is not reachable is skipped with a message (a failure under
// QRLOGIN_REQUIRE_SERVICES=1).
for (const kind of await allStoreKinds()) attackSuite(kind);
