import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
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
} from "./helpers/browser.ts";

const skip = skipUnlessChromium();
const SCREENSHOTS = process.env.QRLOGIN_SCREENSHOTS === "1" ? "docs/screenshots" : null;
const EMAIL = "dana@example.com";

/** The desktop asks the account's phone by e-mail; returns the number it shows, read off the page. */
async function sendPush(desktop: Page, site: DemoSite): Promise<number> {
  await openLoginPage(desktop, site);
  await desktop.getByLabel("No camera? Send a request to your phone instead").fill(EMAIL);
  await desktop.getByRole("button", { name: "Send a request to my phone" }).click();
  await desktop.locator("qr-login[status=scanned]").waitFor();
  const comparison = desktop.locator("qr-login .comparison");
  assert.ok(await comparison.isVisible());
  const shown = ((await comparison.textContent()) ?? "").replace(/\s+/g, " ").trim();
  const match = /^Enter (\d\d) on your phone$/.exec(shown);
  assert.ok(match?.[1], `the desktop shows its number in words: ${shown}`);
  assert.equal(await desktop.locator("qr-login .qr").isVisible(), false, "no QR in push mode");
  return Number(match[1]);
}

describe("push approval in Chromium: number matching on the phone's open approval page", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  let phone: Page;
  before(async () => {
    [site, browser] = await Promise.all([startDemo(), launch()]);
    phone = await (await phoneContext(browser)).newPage();
    await signUpOnPhone(phone, site, EMAIL);
    await phone.goto(`${site.url}/qrlogin/a`);
    await phone.locator("#start").waitFor();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("shows the push at once; a wrong number is refused with tries left, the right one signs the desktop in", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    const number = await sendPush(desktop, site);

    // No reload: the page already open on the phone hears of the request by itself.
    const card = phone.locator("#pushes .request");
    await card.waitFor({ timeout: 3_000 });
    assert.match((await card.textContent()) ?? "", /Chrome \d+ on Linux \(computer\)/);
    assert.equal(await card.getByRole("button", { name: "Approve", exact: true }).isVisible(), false);
    const choices = (await card.locator(".numbers button").allTextContents()).map(Number);
    assert.equal(choices.length, 3);
    assert.ok(choices.includes(number), `${number} is among ${choices}`);
    if (SCREENSHOTS) {
      await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-push-number.png` });
      await phone.screenshot({ path: `${SCREENSHOTS}/phone-push-number.png`, fullPage: true });
    }

    const wrong = choices.find((n) => n !== number) as number;
    await card.getByRole("button", { name: String(wrong), exact: true }).click();
    await card.getByText("That isn't the number on the other screen.", { exact: false }).waitFor();
    assert.match((await card.locator("[data-field=problem]").textContent()) ?? "", /2 tries left\.$/);
    await card.getByLabel("Or type the number").fill(String(number));
    await card.getByRole("button", { name: "Send" }).click();

    await phone.getByText("Approved. The other device is signing in now.").waitFor();
    assert.equal(await card.count(), 0, "the answered card is gone");
    await assertSignedIn(desktop, site, EMAIL);
    const alert = phone.locator(".alert", { hasText: "A new device was signed in to your account." });
    await alert.waitFor();
    await alert.getByRole("button", { name: "Dismiss" }).click();
    assert.equal(await alert.count(), 0);
    await desktops.close();
  });

  it("“This wasn't me” on a push: the desktop hears it, the phone shows the alert, the account page lists both", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await sendPush(desktop, site);
    const card = phone.locator("#pushes .request");
    await card.getByRole("button", { name: "This wasn't me" }).click();
    await phone.getByText("requests to your phone are paused", { exact: false }).waitFor();
    await phone.locator(".alert", { hasText: "You reported a sign-in you didn't make." }).waitFor();
    await desktop.locator("qr-login[status=denied]").waitFor();
    assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /This wasn't me/);

    await phone.goto(`${site.url}/account`);
    const alerts = phone.locator(".alert-item");
    assert.deepEqual(await alerts.locator("strong").allTextContents(), [
      "You answered “This wasn't me”",
      "New device signed in",
    ]);
    const [alertsBox, devicesBox] = await Promise.all(
      ["Recent alerts", "Linked devices"].map((name) => phone.getByRole("heading", { name }).boundingBox()),
    );
    assert.ok(alertsBox && devicesBox && alertsBox.y < devicesBox.y, "alerts come above the linked devices");
    await desktops.close();
  });
});
