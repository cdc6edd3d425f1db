import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { storeConformance } from "./conformance.ts";

const filename = join(mkdtempSync(join(tmpdir(), "qrlogin-sqlite-")), "conformance.db");
storeConformance("sqlite", { open: async () => new SqliteStore({ filename }), shared: true, durable: true });
