// `npm run build`: the package's dist/ from scratch — the browser bundles (esbuild), the server's
// JavaScript and declarations (tsc), and declarations for the browser modules `qrlogin/element`,
// `qrlogin/approver` and `qrlogin/jsx` (tsc, declarations only, beside their bundles).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBrowserBundles } from "./build-browser.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/**
 * Builds the package into `outDir` (relative to the repository), emptied first so that nothing stale
 * is packed.
 * @example await buildPackage("node_modules/.cache/qrlogin-package/dist");
 */
export async function buildPackage(outDir = "dist"): Promise<void> {
  rmSync(resolve(root, outDir), { recursive: true, force: true });
  await buildBrowserBundles(outDir);
  for (const project of ["tsconfig.build.json", "tsconfig.browser-types.json"]) {
    execFileSync(process.execPath, [tsc, "-p", project, "--outDir", outDir], { cwd: root, stdio: "inherit" });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPackage(process.argv[2]);
