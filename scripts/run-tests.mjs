// Runs every test file under test/ and examples/ with node's test runner (Node 20 has no --test globs).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return find(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

// The e2e tests load the browser bundles the server serves, so build them first.
const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-browser.ts"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

// These build and pack the whole package (tsc, next build), a minute of full CPU: in a whole run they
// come after the rest, so that no timing-sensitive test shares the machine with them.
const BUILDS = new Set(["test/packed.test.ts", "test/frameworks/nextjs.test.ts"]);

function run(files) {
  if (files.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
    { stdio: "inherit" },
  );
  return result.status ?? 1;
}

const only = process.argv.slice(2);
const all = [...find("test"), ...find("examples")].sort();
const phases = only.length > 0 ? [only] : [all.filter((f) => !BUILDS.has(f)), all.filter((f) => BUILDS.has(f))];
const statuses = phases.map(run);
process.exit(statuses.find((status) => status !== 0) ?? 0);
