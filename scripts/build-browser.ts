// Bundles the browser code with esbuild into dist/: the <qr-login> element, the approver SDK, the
// phone approval page (script, style, service worker) and the demo site's scripts. Run by `npm start`,
// the tests and `npm run build`.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The bundles: output name (under dist/) → source file. */
const ENTRIES: Record<string, string> = {
  "browser/qr-login": "src/browser/qr-login.ts",
  "browser/approver": "src/browser/approver.ts",
  // Types only, but `import "qrlogin/jsx"` must find a module too.
  "browser/jsx": "src/browser/jsx.ts",
  "browser/approve": "src/browser/approval-page/main.ts",
  "browser/approve-style": "src/browser/approval-page/approval-page.css",
  "browser/sw": "src/browser/approval-page/service-worker.ts",
  "demo/phone": "src/demo/browser/phone.ts",
  "demo/login": "src/demo/browser/login.ts",
  "demo/style": "src/demo/browser/demo.css",
};

/**
 * Builds every bundle into `outdir` (relative to the repository).
 * @example await buildBrowserBundles();
 */
export async function buildBrowserBundles(outdir = "dist"): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: Object.entries(ENTRIES).map(([out, input]) => ({ in: input, out })),
    outdir,
    bundle: true,
    format: "esm",
    target: ["chrome111", "firefox113", "safari16.4"],
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBrowserBundles();
