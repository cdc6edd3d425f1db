import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { desktopContext, launch, skipUnlessChromium, typedCode } from "../e2e/helpers/browser.ts";
import { Phone } from "../helpers/clients.ts";
import { pack, unpackInto } from "../helpers/packed.ts";
import { assertPhonePageWorks, signIn } from "./sign-in.ts";

const ROOT = join(import.meta.dirname, "../..");
const APP = join(ROOT, "examples/nextjs");
const NEXT = join(ROOT, "node_modules/next/dist/bin/next");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function waitUntilUp(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start ended (${server.exitCode}):\n${log()}`);
    const answer = await fetch(url).catch(() => null);
    if (answer?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`next start did not answer within 30 s:\n${log()}`);
}

/**
 * examples/nextjs as a user builds it: the packed qrlogin installed in the app, `next build` for
 * production (TypeScript checked, `<qr-login>` typed by qrlogin/jsx) and `next start`, with no
 * qrlogin-specific Next.js configuration.
 */
describe("Next.js 16 (App Router): examples/nextjs, built for production", () => {
  let url: string;
  let server: ChildProcess;
  let output = "";
  const data = mkdtempSync(join(tmpdir(), "qrlogin-next-"));

  before(async () => {
    const packed = await pack();
    try {
      unpackInto(packed, APP);
    } finally {
      packed.remove();
    }
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
    execFileSync(process.execPath, [NEXT, "build"], { cwd: APP, env, stdio: "pipe" });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [NEXT, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: APP,
      env: {
        ...env,
        SITE_ORIGIN: url,
        QRLOGIN_DB: join(data, "qrlogin.db"),
        // Required in production, as the example's README says.
        QRLOGIN_SECRET: "the Next.js example's deployment secret, 32+",
      },
      detached: true,
    });
    server.stdout?.on("data", (chunk) => (output += chunk));
    server.stderr?.on("data", (chunk) => (output += chunk));
    await waitUntilUp(`${url}/phone`, server, () => output);
  });

  after(() => {
    if (server?.pid && server.exitCode === null) process.kill(-server.pid);
    rmSync(join(APP, "node_modules/qrlogin"), { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  /** The phone signs in through the app's own sign-in, and keeps its cookie. */
  async function signedInPhone(name: string): Promise<string> {
    const answer = await fetch(`${url}/api/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ name }),
      redirect: "manual",
    });
    assert.equal(answer.status, 303);
    return (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  }

  it("renders the page with <qr-login> on the server, the element's module loaded there without a DOM", async () => {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<qr-login redirect="\/">/);
  });

  it("signs a desktop in through the route handler, with the phone page and its assets", async () => {
    const phone = await signedInPhone("alice");
    const { qrUrl, sessionCookie } = await signIn(url, { cookie: phone });
    await assertPhonePageWorks(qrUrl);
    const home = await fetch(url, { headers: { cookie: sessionCookie } });
    assert.match(await home.text(), /Signed in as <strong id="user">alice<\/strong>/);
  });

  it("signs a browser in through <qr-login> in the client component", { skip: skipUnlessChromium() }, async () => {
    const browser = await launch();
    try {
      const desktop = await (await desktopContext(browser)).newPage();
      await desktop.goto(url);
      await desktop.locator("qr-login[status=pending]").waitFor();
      const userCode = await typedCode(desktop);
      const phone = new Phone(url, null);
      const cookie = { cookie: await signedInPhone("bob") };
      const card = await phone.post("/scan", { userCode }, cookie);
      assert.equal(card.status, 200, JSON.stringify(card.body));
      assert.equal((await phone.post(`/requests/${card.body.id}/approve`, {}, cookie)).status, 200);
      await desktop.locator("#user", { hasText: "bob" }).waitFor();
    } finally {
      await browser.close();
    }
  });
});
