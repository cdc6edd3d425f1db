import type BetterSqlite3 from "better-sqlite3";
import { loadOptional } from "./optional-package.ts";

/** better-sqlite3, an optional peer dependency: loaded once, when the SQLite store is first imported. */
const Database: typeof BetterSqlite3 = (
  await loadOptional("better-sqlite3", "The SQLite store", () => import("better-sqlite3"))
).default;

/** The driver's types under the driver's name, as `import Database from "better-sqlite3"` gives them. */
declare namespace Database {
  type Database = BetterSqlite3.Database;
  // biome-ignore lint/complexity/noBannedTypes: the driver's own default, repeated
  type Statement<P extends unknown[] | {} = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
}

export default Database;
