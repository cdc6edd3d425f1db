import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadOptional } from "../../src/store/optional-package.ts";

describe("optional peer dependencies", () => {
  it("a missing driver fails with its name and the command that installs it", async () => {
    const name = "qrlogin-test-no-such-driver";
    await assert.rejects(
      loadOptional(name, "The test store", () => import(name)),
      new Error(
        `qrlogin: The test store needs the "${name}" package, which is not installed. Run: npm install ${name}`,
      ),
    );
  });

  it("another failure while loading is left as it was", async () => {
    const broken = new Error("the driver's own install is broken");
    await assert.rejects(
      loadOptional("pg", "The PostgreSQL store", () => Promise.reject(broken)),
      (error) => error === broken,
    );
  });

  it("an installed driver loads", async () => {
    const pg = await loadOptional("pg", "The PostgreSQL store", () => import("pg"));
    assert.equal(typeof pg.default.Pool, "function");
  });
});
