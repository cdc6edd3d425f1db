import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { storeConformance } from "../../src/testing/conformance.ts";
import { newRequest } from "../../src/testing/fixtures.ts";

const filename = join(mkdtempSync(join(tmpdir(), "qrlogin-sqlite-")), "conformance.db");
storeConformance("sqlite", { open: async () => new SqliteStore({ filename }), shared: true, durable: true });

describe("SqliteStore across processes", () => {
  it("consume — of 4 processes racing on 200 requests, each request is redeemed exactly once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "qrlogin-race-")), "race.db");
    const store = new SqliteStore({ filename: file });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { request } = newRequest();
      await store.create({ ...request, state: "approved", approverId: "alice" });
      ids.push(request.id);
    }
    const liveAt = Date.UTC(2026, 0, 1) + 1;
    const children = Array.from({ length: 4 }, () =>
      fork(fileURLToPath(new URL("./sqlite-race.child.ts", import.meta.url)), [file, String(liveAt), ids.join(",")], {
        execArgv: ["--import", "tsx"],
      }),
    );
    const ready = children.map(
      (c) => new Promise((resolve, reject) => c.once("message", resolve).once("error", reject)),
    );
    await Promise.all(ready);
    const results = children.map(
      (c) =>
        new Promise<string[]>((resolve, reject) =>
          c.once("message", (m) => resolve(m as string[])).once("exit", reject),
        ),
    );
    for (const child of children) child.send("go"); // all start together
    const won = (await Promise.all(results)).flat();
    assert.equal(won.length, ids.length, "no request redeemed twice, none missed");
    assert.deepEqual(new Set(won), new Set(ids));
    assert.ok(
      (await Promise.all(results)).filter((w) => w.length > 0).length > 1,
      "the processes really overlapped (more than one won something)",
    );
    for (const id of ids) assert.equal((await store.get(id))?.state, "redeemed");
    await store.close();
  });
});
