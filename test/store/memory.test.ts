import { LocalNotifier } from "../../src/store/local-notifier.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { notifierConformance, storeConformance } from "../../src/testing/conformance.ts";

storeConformance("memory", { open: async () => new MemoryStore(), shared: false, durable: false });
notifierConformance("local", { open: async () => new LocalNotifier(), shared: false });
