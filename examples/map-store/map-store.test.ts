// The sample store passes the same conformance suite as qrlogin's own stores. A published store
// imports it as `import { storeConformance } from "qrlogin/testing"`.
import { storeConformance } from "../../src/testing/index.ts";
import { MapStore } from "./map-store.ts";

storeConformance("a third-party MapStore", { open: async () => new MapStore(), shared: false, durable: false });
