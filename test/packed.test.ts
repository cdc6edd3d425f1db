import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Packed, pack, unpackInto } from "./helpers/packed.ts";

const ROOT = join(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** A consumer's code: every entry point, the browser parts' types, and `<qr-login>` in JSX. */
const CONSUMER = {
  "server.ts": `
    import { createQrLogin, type QrLogin } from "qrlogin";
    import { qrloginFastify, type QrLoginFastifyOptions } from "qrlogin/fastify";
    import { MemoryStore } from "qrlogin/memory";
    import { SqliteStore } from "qrlogin/sqlite";
    export const qr: QrLogin = createQrLogin({
      store: new MemoryStore(),
      authenticateApprover: (req) => (req.cookie("sid") ? { userId: "alice" } : null),
      issueSession: () => ({ setCookie: "sid=1; Path=/" }),
      deviceFlow: { validateClient: (id) => (id === "cli" ? { name: "CLI" } : null), expiresIn: 600 },
    });
    export const plugin: [typeof qrloginFastify, QrLoginFastifyOptions] = [qrloginFastify, { qr }];
    export const other = (filename: string) => new SqliteStore({ filename });
  `,
  "browser.ts": `
    import { createApprover, type RequestCard } from "qrlogin/approver";
    import { defineQrLogin, QrLoginElement, type SignedInDetail } from "qrlogin/element";
    defineQrLogin("my-qr-login");
    const element: QrLoginElement = document.createElement("qr-login");
    element.addEventListener("signed-in", (event) => {
      const { userId }: SignedInDetail = (event as CustomEvent<SignedInDetail>).detail;
      console.log(userId, element.status);
    });
    export const approver = createApprover({ origin: "https://example.com" });
    export const show = (card: RequestCard) => card.requester.client?.name ?? card.requester.browser;
  `,
  "view.tsx": `
    import type {} from "qrlogin/jsx";
    export const view = (
      <qr-login redirect="/" base-path="/auth/qrlogin" onsigned-in={(event) => console.log(event.detail.userId)} />
    );
    // @ts-expect-error: there is no such transport
    export const wrong = <qr-login transport="pigeon" />;
  `,
};

describe("the packed package", () => {
  let packed: Packed;
  let project: string;
  before(async () => {
    packed = await pack();
    project = mkdtempSync(join(ROOT, "node_modules/.cache/qrlogin-consumer-"));
    unpackInto(packed, project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  });
  after(() => {
    packed?.remove();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("carries the licence, the changelog and declarations, and no source maps, demo or screenshots", () => {
    for (const file of ["LICENSE", "CHANGELOG.md", "dist/browser/qr-login.d.ts", "dist/browser/approver.d.ts"]) {
      assert.ok(packed.files.includes(file), `${file} is packed`);
    }
    assert.ok(packed.files.includes("dist/browser/jsx.d.ts") && packed.files.includes("dist/adapters/fastify.js"));
    const unwanted = packed.files.filter((file) => /\.map$|^dist\/demo\/|^docs\/screenshots\/|^src\//.test(file));
    assert.deepEqual(unwanted, []);
  });

  for (const resolution of ["node16", "bundler"] as const) {
    it(`type-checks a consumer with moduleResolution ${resolution}`, () => {
      const dir = join(project, resolution);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(CONSUMER)) writeFileSync(join(dir, name), text);
      const compilerOptions = {
        target: "ES2022",
        module: resolution === "node16" ? "node16" : "esnext",
        moduleResolution: resolution,
        jsx: "react-jsx",
        strict: true,
        noEmit: true,
        lib: ["ES2023", "DOM"],
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules/@types")],
        // Our declarations are checked too, not only used.
        skipLibCheck: false,
      };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts", "*.tsx"] }));
      const run = spawnSync(process.execPath, [TSC, "-p", dir], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    });
  }

  it("imports the element's module on a server without a DOM: nothing defined, nothing thrown", () => {
    const script = `
      const element = await import("qrlogin/element");
      const approver = await import("qrlogin/approver");
      console.log(JSON.stringify([typeof element.QrLoginElement, typeof approver.createApprover, typeof customElements]));
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: project,
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out), ["function", "function", "undefined"]);
  });
});
