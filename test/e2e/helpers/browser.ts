import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, devices, type Page } from "playwright-core";
import { createDemoServer, type DemoOptions } from "../../../src/demo/app.ts";
import type { QrLoginOptions } from "../../../src/qrlogin.ts";

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Whether the browser tests may be skipped: `false` when Chromium is installed, else the skip
 * message — or a failure with QRLOGIN_REQUIRE_SERVICES=1 (see test/helpers/services.ts).
 */
export function skipUnlessChromium(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const message = `Chromium is not installed at ${CHROMIUM}; the browser tests are skipped (apt-get install -y chromium)`;
  if (process.env.QRLOGIN_REQUIRE_SERVICES === "1") {
    throw new Error(`${message} — but QRLOGIN_REQUIRE_SERVICES=1 forbids skipping`);
  }
  console.warn(`# ${message}`);
  return message;
}

/** Launches Chromium with the fixed flags plus `extra`. */
export function launch(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extra] });
}

/** A desktop browser window. */
export function desktopContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1000, height: 720 }, colorScheme: "light" });
}

/** A phone: Pixel 7 emulation (viewport, touch, mobile User-Agent). */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ...devices["Pixel 7"], colorScheme: "light" });
}

/** The demo site on a free port, with its data in a temporary folder. */
export interface DemoSite {
  url: string;
  close(): Promise<void>;
}

/** Starts the demo site (as `npm start` does, minus the terminal) with `qrlogin` and demo overrides. */
export async function startDemo(
  qrlogin: Partial<QrLoginOptions> = {},
  demo: Pick<DemoOptions, "passkeys"> = {},
): Promise<DemoSite> {
  const dataDir = mkdtempSync(join(tmpdir(), "qrlogin-e2e-"));
  const { server } = createDemoServer({
    dataDir,
    qrlogin: { logger: { warn: () => {}, error: (m: string, e: unknown) => console.error(m, e) }, ...qrlogin },
    ...demo,
  });
  await new Promise<void>((resolve) => (server as Server).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates an account on the phone with a password, through the demo's own page. At 127.0.0.1, an IP
 * address, the page offers passwords only (browsers refuse passkeys there) and says so.
 */
export async function signUpOnPhone(phone: Page, site: DemoSite, email: string): Promise<void> {
  await phone.goto(`${site.url}/phone`);
  await phone.getByText("Passkeys aren't available at").waitFor();
  await phone.getByLabel("E-mail").first().fill(email);
  await phone.getByLabel("Password (8 characters or more)").fill("correct horse battery");
  await phone.getByRole("button", { name: "Create with a password" }).click();
  await phone.getByText("You're signed in on this phone").waitFor();
}

/** Opens the desktop login page and waits until it shows a QR code. */
export async function openLoginPage(desktop: Page, site: DemoSite): Promise<void> {
  await desktop.goto(`${site.url}/`);
  await desktop.locator("qr-login[status=pending]").waitFor();
}

/** The typed code the desktop shows. */
export async function typedCode(desktop: Page): Promise<string> {
  const code = desktop.locator("qr-login .code");
  const showCode = desktop.locator("qr-login .show-code");
  // A waiting desktop has no code until the person asks for one; one being renewed shows neither for a moment.
  await code.or(showCode).filter({ visible: true }).first().waitFor();
  if (!(await code.isVisible())) await showCode.click();
  // Read in the same check that sees it whole: a separate read could catch a renewal in between.
  const shown = await desktop.waitForFunction(() => {
    const text = document.querySelector("qr-login")?.shadowRoot?.querySelector(".code")?.textContent ?? "";
    return /^[A-Z]{4}-[A-Z]{4}$/.test(text) ? text : false;
  });
  return String(await shown.jsonValue());
}

/** The desktop signed in: it landed on the account page and its cookie opens it. */
export async function assertSignedIn(desktop: Page, site: DemoSite, email: string): Promise<void> {
  await desktop.waitForURL(`${site.url}/account`);
  const answer = await desktop.context().request.get(`${site.url}/account`, { maxRedirects: 0 });
  assert.equal(answer.status(), 200);
  assert.match(await answer.text(), new RegExp(`signed in as <strong id="who">${email}</strong>`));
}
