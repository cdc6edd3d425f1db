import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  assertSignedIn,
  type DemoSite,
  desktopContext,
  launch,
  openLoginPage,
  phoneContext,
  signUpOnPhone,
  skipUnlessChromium,
  startDemo,
  typedCode,
} from "./helpers/browser.ts";
import { decodeQrFromPng, readPng, writeY4m } from "./helpers/frames.ts";

const skip = skipUnlessChromium();
// QRLOGIN_SCREENSHOTS=1 saves the pictures shown in the README.
const SCREENSHOTS = process.env.QRLOGIN_SCREENSHOTS === "1" ? "docs/screenshots" : null;
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

describe("sign-in in Chromium: desktop <qr-login> and the phone approval page", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  let phones: BrowserContext;
  let phone: Page;
  before(async () => {
    [site, browser] = await Promise.all([startDemo(), launch()]);
    phones = await phoneContext(browser);
    phone = await phones.newPage();
    await signUpOnPhone(phone, site, "alice@example.com");
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  /** Opens the login page with `confirm-account`, approves its typed code on the phone, and waits for the question. */
  async function approveWithConfirmAccount(desktop: Page): Promise<void> {
    await openLoginPage(desktop, site);
    await desktop.locator("qr-login").evaluate((element) => element.setAttribute("confirm-account", ""));
    await phone.goto(`${site.url}/qrlogin/a`);
    await phone.getByLabel("Or type the code shown on the screen").fill(await typedCode(desktop));
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByRole("button", { name: "Approve", exact: true }).click();
    await phone.getByText("Approved. The other device is signing in now.").waitFor();
    await desktop
      .locator("qr-login[status=approved]")
      .getByRole("button", { name: /^Continue as / })
      .waitFor();
  }

  it("the phone scans the QR from its camera (a screenshot played as video) and the desktop is signed in", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await openLoginPage(desktop, site);
    const screenshot = await desktop.screenshot();
    if (SCREENSHOTS) await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-login.png` });
    const qrUrl = decodeQrFromPng(screenshot);
    assert.match(qrUrl, new RegExp(`^${site.url}/qrlogin/a#t=[A-Za-z0-9_-]{52}$`));

    const dir = mkdtempSync(join(tmpdir(), "qrlogin-camera-"));
    const video = join(dir, "desktop.y4m");
    writeY4m(readPng(screenshot), video);
    const cameraBrowser = await launch([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const cameraPhone = await (await phoneContext(cameraBrowser)).newPage();
      await signUpOnPhone(cameraPhone, site, "carol@example.com");
      await cameraPhone.getByRole("link", { name: "Approve a sign-in on another device" }).click();
      await cameraPhone.getByRole("button", { name: "Scan the QR code" }).click();
      const card = cameraPhone.locator("#card");
      await card.waitFor({ state: "visible", timeout: 15_000 });
      assert.match((await card.textContent()) ?? "", /Chrome \d+ on Linux \(computer\)/);
      assert.equal(await card.locator("[data-field=network]").textContent(), "Same as this phone");
      assert.equal(await card.locator("[data-field=warnings]").isVisible(), false, "nothing to warn about");
      assert.match((await card.locator("[data-field=ip]").textContent()) ?? "", /127\.0\.0\.1/);
      assert.equal(await desktop.locator("qr-login").getAttribute("status"), "scanned");
      assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /Scanned by c•••@example\.com/);
      if (SCREENSHOTS) await cameraPhone.screenshot({ path: `${SCREENSHOTS}/phone-request-card.png` });
      await cameraPhone.getByRole("button", { name: "Approve", exact: true }).click();
      await cameraPhone.getByText("Approved. The other device is signing in now.").waitFor();
      await assertSignedIn(desktop, site, "carol@example.com");
    } finally {
      await cameraBrowser.close();
      rmSync(dir, { recursive: true, force: true });
      await desktops.close();
    }
  });

  it("the QR's URL opened by the phone's camera app: the token leaves the address bar at once", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await openLoginPage(desktop, site);
    const qrUrl = decodeQrFromPng(await desktop.screenshot());
    await phone.goto(qrUrl);
    await phone.locator("#card").waitFor({ state: "visible" });
    assert.equal(new URL(phone.url()).hash, "", "no token left in the address bar");
    await phone.getByRole("button", { name: "Approve", exact: true }).click();
    await assertSignedIn(desktop, site, "alice@example.com");
    await desktops.close();
  });

  it("the typed code, then revoking the desktop from linked devices signs it out", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await openLoginPage(desktop, site);
    await phone.goto(`${site.url}/qrlogin/a`);
    await phone.getByLabel("Or type the code shown on the screen").fill((await typedCode(desktop)).toLowerCase());
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByRole("button", { name: "Approve", exact: true }).click();
    await assertSignedIn(desktop, site, "alice@example.com");

    await phone.goto(`${site.url}/account`);
    const devices = phone.locator(".device");
    assert.equal(await devices.count(), 2, "the camera-app sign-in and this one");
    if (SCREENSHOTS) await phone.screenshot({ path: `${SCREENSHOTS}/linked-devices.png`, fullPage: true });
    await devices
      .first()
      .getByRole("button", { name: /^Sign out/ })
      .click();
    await phone.getByText("1 device was signed out.").waitFor();
    assert.equal(await phone.locator(".device").count(), 1);

    await desktop.reload();
    assert.equal(new URL(desktop.url()).pathname, "/", "the revoked desktop is back on the login page");
    await desktops.close();
  });

  it("deny and “This wasn't me” reach the desktop in words", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    for (const [button, words] of [
      ["Deny", /declined on the phone/],
      ["This wasn't me", /This wasn't me/],
    ] as const) {
      await openLoginPage(desktop, site);
      await phone.goto(`${site.url}/qrlogin/a`);
      await phone.getByLabel("Or type the code shown on the screen").fill(await typedCode(desktop));
      await phone.getByRole("button", { name: "Continue" }).click();
      await phone.getByRole("button", { name: button, exact: true }).click();
      await phone.getByText("Nobody was signed in.", { exact: false }).first().waitFor();
      await desktop.locator("qr-login[status=denied]").waitFor();
      assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", words);
      assert.equal(await desktop.locator("qr-login").getByRole("button").textContent(), "Try again");
    }
    await desktops.close();
  });

  it("confirm-account: the desktop names the account and signs in only on “Continue as …”", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await approveWithConfirmAccount(desktop);
    assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /a•••@example\.com/);
    await desktop.getByRole("button", { name: "Not you? Cancel" }).waitFor();
    await desktop.waitForTimeout(300);
    assert.equal(new URL(desktop.url()).pathname, "/", "nothing is redeemed before the click");
    await desktop.getByRole("button", { name: "Continue as a•••@example.com" }).click();
    await assertSignedIn(desktop, site, "alice@example.com");
    await desktops.close();
  });

  it("“Not you? Cancel” with confirm-account ends the request and signs nobody in", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await approveWithConfirmAccount(desktop);
    await desktop.getByRole("button", { name: "Not you? Cancel" }).click();
    await desktop.locator("qr-login[status=cancelled]").waitFor();
    assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /Nobody was signed in/);
    const answer = await desktop.context().request.get(`${site.url}/account`, { maxRedirects: 0 });
    assert.notEqual(answer.status(), 200, "not signed in");
    await desktops.close();
  });

  it("a wrong typed code gets words a person understands", async () => {
    await phone.goto(`${site.url}/qrlogin/a`);
    await phone.getByLabel("Or type the code shown on the screen").fill("BCDF-GHJK");
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByText("That code doesn't match any sign-in.", { exact: false }).waitFor();
  });
});

describe("expiry in Chromium (short lifetimes)", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  before(async () => {
    [site, browser] = await Promise.all([
      startDemo({ lifetimes: { pending: 4_000, scanToken: 1_000, scanTokenGrace: 500 } }),
      launch(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("changes the QR by itself each period, and renews a shown code before it runs out", async () => {
    const desktop = await (await desktopContext(browser)).newPage();
    await openLoginPage(desktop, site);
    const firstQr = decodeQrFromPng(await desktop.screenshot());
    const firstCode = await typedCode(desktop);
    await desktop.waitForTimeout(1_300);
    assert.notEqual(decodeQrFromPng(await desktop.screenshot()), firstQr, "the QR was redrawn with the next token");
    const renewed = await typedCode(desktop);
    assert.notEqual(renewed, firstCode, "the code was renewed while shown");
    assert.match(renewed, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    await desktop.context().close();
  });

  it("rotates the QR, says the code expired, and one click (or a reload) gets a fresh one", async () => {
    const desktop = await (await desktopContext(browser)).newPage();
    await openLoginPage(desktop, site);
    const first = decodeQrFromPng(await desktop.screenshot());
    await desktop.waitForTimeout(1_300);
    const rotated = decodeQrFromPng(await desktop.screenshot());
    assert.notEqual(rotated, first, "the QR was redrawn with a new token");

    const code = await typedCode(desktop);
    await desktop.locator("qr-login[status=expired]").waitFor({ timeout: 5_000 });
    assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /This code expired/);
    await desktop.getByRole("button", { name: "Get a fresh code" }).click();
    await desktop.locator("qr-login[status=pending]").waitFor();
    assert.notEqual(await typedCode(desktop), code);

    await desktop.locator("qr-login[status=expired]").waitFor({ timeout: 5_000 });
    await desktop.reload();
    await desktop.locator("qr-login[status=pending]").waitFor();
  });
});
