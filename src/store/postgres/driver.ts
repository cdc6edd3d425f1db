import type PG from "pg";
import { loadOptional } from "../optional-package.ts";

/** The `pg` driver, an optional peer dependency: loaded once, when the PostgreSQL store is first imported. */
const pg: typeof PG = (await loadOptional("pg", "The PostgreSQL store", () => import("pg"))).default;

/** The driver's types under the driver's name, as `import pg from "pg"` gives them. */
declare namespace pg {
  type Pool = PG.Pool;
  type Client = PG.Client;
  type QueryResult = PG.QueryResult;
}

export default pg;
