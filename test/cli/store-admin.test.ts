import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { ManualClock, newRequest } from "../../src/testing/fixtures.ts";
import { skipUnlessReachable } from "../helpers/services.ts";
import { cli } from "./processes.ts";

const DAY = 86_400_000;

/** Runs `qrlogin <args>` with no store in the environment; resolves with its exit code and output. */
async function run(...args: string[]) {
  const child = cli(args, { QRLOGIN_STORE: undefined, DATA_DIR: undefined });
  const code = await child.exited;
  return { code, stdout: child.stdout, stderr: child.stderr };
}

describe("qrlogin migrate and purge on a SQLite file", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "qrlogin-cli-store-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("migrate creates the schema, then finds it up to date", async () => {
    const file = join(dir, "fresh", "qrlogin.db");
    const first = await run("migrate", "--store", `sqlite:${file}`);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`^SQLite ${file} — schema v0 → v(\\d+) \\(\\1 migrations? applied\\)\\.\\n$`),
    );
    const again = await run("migrate", "--store", `sqlite:${file}`);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /— schema v\d+, already up to date\.\n$/);
  });

  it("without --store, both use the SQLite file in --data-dir, as serve does", async () => {
    const dataDir = join(dir, "data");
    const migrated = await run("migrate", "--data-dir", dataDir);
    assert.match(migrated.stdout, new RegExp(`^SQLite ${join(dataDir, "qrlogin.db")} — schema v0 → `));
  });

  it("purge removes the requests that ended before --older-than, and says how many", async () => {
    const file = join(dir, "purge.db");
    const store = new SqliteStore({ filename: file });
    const old = [newRequest(new ManualClock(Date.now() - 3 * DAY)), newRequest(new ManualClock(Date.now() - 2 * DAY))];
    const recent = newRequest(new ManualClock(Date.now() - 2 * 3_600_000));
    for (const { request } of [...old, recent]) await store.create(request);
    await store.close();

    const purged = await run("purge", "--store", `sqlite:${file}`);
    assert.equal(purged.code, 0, purged.stderr);
    assert.match(purged.stdout, /— removed 2 login requests that ended before \d{4}-\d\d-\d\dT[\d:.]+Z, with/);
    const sooner = await run("purge", "--store", `sqlite:${file}`, "--older-than", "1h");
    assert.match(sooner.stdout, /— removed 1 login request that ended before /, "the default keeps 24 h");

    const reopened = new SqliteStore({ filename: file });
    try {
      for (const { request } of [...old, recent]) assert.equal(await reopened.get(request.id), null);
    } finally {
      await reopened.close();
    }
  });

  it("a bad store setting or duration ends in one line: 1 for the store, 2 for the usage", async () => {
    const badStore = await run("purge", "--store", "ftp://example.com/x");
    assert.equal(badStore.code, 1);
    assert.equal(badStore.stderr.trim().split("\n").length, 1, badStore.stderr);
    assert.match(badStore.stderr, /^qrlogin: unknown store "ftp:"/);
    const badDuration = await run("purge", "--store", `sqlite:${join(dir, "x.db")}`, "--older-than", "soon");
    assert.equal(badDuration.code, 2);
    assert.match(badDuration.stderr, /"soon" is not a duration; use e\.g\. 90s, 30m, 24h or 7d\./);
  });
});

describe("qrlogin migrate on PostgreSQL", async () => {
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const skip = await skipUnlessReachable("Postgres", url);
  const schema = `qrlogin_cli_${randomBytes(4).toString("hex")}`;

  after(async () => {
    if (skip) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  });

  it("creates a schema of its own, migrates it, then finds it up to date", { skip }, async () => {
    const spec = `${url}?schema=${schema}`;
    const first = await run("migrate", "--store", spec);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^PostgreSQL .*, schema ${schema} — schema v0 → v\\d+ `));
    assert.doesNotMatch(first.stdout, /\?schema=/, "the setting is described, not echoed");
    const again = await run("migrate", "--store", spec);
    assert.match(again.stdout, /already up to date/);
    const purged = await run("purge", "--store", spec);
    assert.match(purged.stdout, /— removed 0 login requests/);
  });
});
