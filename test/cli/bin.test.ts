import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "./processes.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};

/**
 * The `qrlogin` executable as an install gets it: compiled by `npm run build`'s config and run by
 * plain Node, with no TypeScript loader.
 */
describe("the built qrlogin bin", () => {
  let root: string;
  let bin: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root });

  before(() => {
    // Inside node_modules, so that the compiled files resolve the dependencies as an install would.
    mkdirSync(join(ROOT, "node_modules/.cache"), { recursive: true });
    root = mkdtempSync(join(ROOT, "node_modules/.cache/qrlogin-bin-"));
    execFileSync(
      process.execPath,
      [
        join(ROOT, "node_modules/typescript/bin/tsc"),
        "-p",
        join(ROOT, "tsconfig.build.json"),
        "--outDir",
        join(root, "dist"),
      ],
      { stdio: "pipe" },
    );
    copyFileSync(join(ROOT, "package.json"), join(root, "package.json"));
    bin = join(root, pkg.bin.qrlogin as string);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("is where package.json says, starts with a shebang, and knows its version", () => {
    assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
    const version = run("--version");
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${pkg.version}\n`);
  });

  it("lists its commands, and runs one that opens a store", () => {
    const help = run("--help");
    for (const command of ["serve", "migrate", "purge", "secret", "login"])
      assert.match(help.stdout, new RegExp(`\\n  ${command} `));
    const migrated = run("migrate", "--store", `sqlite:${join(root, "qrlogin.db")}`);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, /schema v0 → v\d+/);
    const secrets = [run("secret").stdout, run("secret").stdout];
    for (const secret of secrets) assert.match(secret, /^[A-Za-z0-9_-]{43}\n$/, "256 random bits, base64url");
    assert.notEqual(secrets[0], secrets[1]);
    const login = run("login");
    assert.equal(login.status, 1);
    assert.match(login.stderr, /^qrlogin: Name the server/);
  });
});
