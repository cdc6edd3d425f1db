import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
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
const NUMBER_LABEL = "Type the number shown on the computer";

/** The desktop asks the account's phone by e-mail; returns the number it shows, read off the page. */
async function sendPush(desktop: Page, site: DemoSite, email = EMAIL): Promise<number> {
  await openLoginPage(desktop, site);
  await desktop.getByLabel("No camera? Send a request to your phone instead").fill(email);
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

/** A desktop window whose requests come from `ip` (the demo trusts one proxy in these tests). */
async function desktopFrom(browser: Browser, ip: string): Promise<{ desktop: Page; close(): Promise<void> }> {
  const context = await desktopContext(browser);
  const desktop = await context.newPage();
  await desktop.setExtraHTTPHeaders({ "x-forwarded-for": ip });
  return { desktop, close: () => context.close() };
}

/** A phone signed up as `email`, with the approval page open. */
async function openPhone(browser: Browser, site: DemoSite, email: string): Promise<Page> {
  const phone = await (await phoneContext(browser)).newPage();
  await signUpOnPhone(phone, site, email);
  await phone.goto(`${site.url}/qrlogin/a`);
  await phone.locator("#start").waitFor();
  return phone;
}

/** Types `number` into a push card's own field and approves. */
async function typeNumber(card: Locator, number: number): Promise<void> {
  await card.getByLabel(NUMBER_LABEL).fill(String(number).padStart(2, "0"));
  await card.getByRole("button", { name: "Approve", exact: true }).click();
}

describe("push approval in Chromium: the number typed on the phone's open approval page", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  let phone: Page;
  before(async () => {
    [site, browser] = await Promise.all([startDemo({ trustProxy: 1 }), launch()]);
    phone = await openPhone(browser, site, EMAIL);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("shows the push at once with a field for the number, offers none to pick, and the typed number signs the desktop in", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    const number = await sendPush(desktop, site);

    // No reload: the page already open on the phone hears of the request by itself.
    const card = phone.locator("#pushes .request");
    await card.waitFor({ timeout: 3_000 });
    assert.match((await card.textContent()) ?? "", /Chrome \d+ on Linux \(computer\)/);
    assert.equal(await card.getByRole("button", { name: /^\d+$/ }).count(), 0, "no numbers to pick from");
    const field = card.getByLabel(NUMBER_LABEL);
    assert.deepEqual(
      await field.evaluate((input) => ["inputmode", "maxlength", "autocomplete"].map((a) => input.getAttribute(a))),
      ["numeric", "2", "off"],
    );
    assert.equal(await phone.locator(".several").isVisible(), false, "one request: no warning about several");
    if (SCREENSHOTS) {
      await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-push-number.png` });
      await phone.screenshot({ path: `${SCREENSHOTS}/phone-push-number.png`, fullPage: true });
    }

    // Approve with nothing typed sends nothing: the one try is not spent.
    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await card.getByText("Type the two digits shown on the computer.").waitFor();
    await typeNumber(card, number);

    await phone.getByText("Approved. The other device is signing in now.").waitFor();
    assert.equal(await card.count(), 0, "the answered card is gone");
    await assertSignedIn(desktop, site, EMAIL);
    const alert = phone.locator(".alert", { hasText: "A new device was signed in to your account." });
    await alert.waitFor();
    await alert.getByRole("button", { name: "Dismiss" }).click();
    assert.equal(await alert.count(), 0);
    await desktops.close();
  });

  it("one try: a wrong number ends the request, the phone says why, the desktop is told, and an alert is raised", async () => {
    const email = "erin@example.com";
    const erin = await openPhone(browser, site, email);
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    const number = await sendPush(desktop, site, email);
    const card = erin.locator("#pushes .request");
    await typeNumber(card, number === 99 ? 98 : number + 1);

    const status = erin.locator("#status.problem");
    await status.getByText("didn't match", { exact: false }).waitFor();
    const words = (await status.textContent()) ?? "";
    assert.match(words, /stopped for your safety/);
    assert.match(words, /If you didn't start it, someone may be trying to get into your account\./);
    assert.doesNotMatch(words, /tries? left/);
    assert.equal(await card.count(), 0, "the card is gone: there is no second try");
    await desktop.locator("qr-login[status=denied]").waitFor({ timeout: 5_000 });
    assert.match((await desktop.locator("qr-login .status").textContent()) ?? "", /didn't match/);
    await erin.locator(".alert", { hasText: "A sign-in was stopped because the wrong number was typed." }).waitFor();

    await erin.goto(`${site.url}/account`);
    assert.deepEqual(await erin.locator(".alert-item strong").allTextContents(), [
      "A sign-in was stopped: the wrong number was typed",
    ]);
    await erin.context().close();
    await desktops.close();
  });

  it("several pushes wait at once: every one is shown with its own field, under a line saying to approve only one", async () => {
    const email = "frank@example.com";
    const frank = await openPhone(browser, site, email);
    const first = await desktopFrom(browser, "203.0.113.7");
    const second = await desktopFrom(browser, "198.51.100.9");
    await sendPush(first.desktop, site, email);
    const number = await sendPush(second.desktop, site, email);

    const cards = frank.locator("#pushes .request");
    await cards.nth(1).waitFor({ timeout: 3_000 });
    assert.equal(await cards.count(), 2);
    const several = frank.locator(".several");
    assert.equal(
      await several.textContent(),
      "2 sign-in requests are waiting — approve only the one whose number is on your screen.",
    );
    assert.equal(await frank.getByLabel(NUMBER_LABEL).count(), 2, "each card has its own field");

    await typeNumber(cards.filter({ hasText: "198.51.100.9" }), number);
    await assertSignedIn(second.desktop, site, email);
    assert.equal(await cards.count(), 1, "the other request still waits");
    assert.equal(await several.isVisible(), false);
    await cards.filter({ hasText: "203.0.113.7" }).getByRole("button", { name: "Deny" }).click();
    await first.desktop.locator("qr-login[status=denied]").waitFor();
    await frank.context().close();
    await Promise.all([first.close(), second.close()]);
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
