import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { buildPackage } from "../../scripts/build-package.ts";

const ROOT = join(import.meta.dirname, "../..");

/** The package as `npm pack` makes it, from a build of its own (the repository's dist/ is left alone). */
export interface Packed {
  /** The tarball's path. */
  tarball: string;
  /** Every path in it, relative to the package (`dist/index.js`, `LICENSE`…). */
  files: string[];
  /** Removes the build and the tarball. */
  remove(): void;
}

/**
 * Builds the package with `npm run build`'s steps into a folder under node_modules/.cache and packs
 * it there with npm, so that `files` and `exports` are those of a publish. Concurrent test files each
 * get their own folder, and tests reading the repository's dist/ see no rebuild.
 */
export async function pack(): Promise<Packed> {
  mkdirSync(join(ROOT, "node_modules/.cache"), { recursive: true });
  const stage = mkdtempSync(join(ROOT, "node_modules/.cache/qrlogin-pack-"));
  await buildPackage(relative(ROOT, join(stage, "dist")));
  for (const entry of ["package.json", "README.md", "SECURITY.md", "CHANGELOG.md", "LICENSE", "docs"]) {
    cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  // The build is done: `prepack` would only build again.
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", stage], {
    cwd: stage,
    encoding: "utf8",
  });
  const [report] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  if (!report) throw new Error(`npm pack said nothing useful: ${out}`);
  return {
    tarball: join(stage, report.filename),
    files: report.files.map((file) => file.path),
    remove: () => rmSync(stage, { recursive: true, force: true }),
  };
}

/**
 * Unpacks the tarball as `<project>/node_modules/qrlogin`, as `npm install <tarball>` would put it.
 * Its dependencies resolve from the repository's own node_modules, further up.
 */
export function unpackInto(packed: Packed, project: string): string {
  const target = join(project, "node_modules/qrlogin");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", packed.tarball, "--strip-components=1", "-C", target]);
  return target;
}
