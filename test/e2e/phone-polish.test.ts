import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type Browser, type BrowserContext, devices, type Locator, type Page } from "playwright-core";
import { en } from "../../src/browser/i18n/en.ts";
import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import type { QrSchedule } from "../../src/wire.ts";
import { type DemoSite, launch, signUpOnPhone, skipUnlessChromium, startDemo } from "./helpers/browser.ts";

const skip = skipUnlessChromium();
// QRLOGIN_UPDATE_SCREENSHOTS=1 keeps a picture of each fix at each size.
const SCREENSHOTS = process.env.QRLOGIN_UPDATE_SCREENSHOTS === "1" ? "docs/screenshots/phone-polish" : null;
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

/** The two phones a person got stuck on, in Chromium: a large one and a small one. */
const PHONES = {
  "pixel-7": devices["Pixel 7"],
  "iphone-se": { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

interface Created {
  id: string;
  qr?: QrSchedule;
}

describe("the phone page where people got stuck, in Chromium at two sizes", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  before(async () => {
    [site, browser] = await Promise.all([startDemo({ trustProxy: 1 }), launch()]);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A state-changing call of `context`'s cookies, as a page of the site would make it. */
  async function post<T>(context: BrowserContext, path: string, data: unknown = {}, ip = "127.0.0.1"): Promise<T> {
    const answer = await context.request.post(`${site.url}${path}`, {
      data,
      headers: { origin: site.url, "x-forwarded-for": ip },
      maxRedirects: 0,
    });
    assert.ok(answer.status() < 400, `${path}: ${answer.status()} ${await answer.text()}`);
    return (answer.headers()["content-type"]?.includes("json") ? await answer.json() : {}) as T;
  }

  /** A desktop signed in by `phone`'s account through the API (create, scan, approve, redeem): one alert. */
  async function signInThrough(desktop: BrowserContext, phone: BrowserContext): Promise<void> {
    const created = await post<Created>(desktop, "/qrlogin/requests");
    const { userCode } = await post<{ userCode: string }>(desktop, `/qrlogin/requests/${created.id}/user-code`);
    await post(phone, "/qrlogin/scan", { userCode });
    await post(phone, `/qrlogin/requests/${created.id}/approve`);
    await post(desktop, `/qrlogin/requests/${created.id}/redeem`);
  }

  /** Whether all of `locator` is inside the viewport, the page not scrolled. */
  async function onScreen(page: Page, locator: Locator): Promise<boolean> {
    const box = await locator.boundingBox();
    const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
    const scrollY = await page.evaluate(() => window.scrollY);
    return (
      box !== null &&
      scrollY === 0 &&
      box.y >= 0 &&
      box.x >= 0 &&
      box.y + box.height <= height &&
      box.x + box.width <= width
    );
  }

  for (const [size, options] of Object.entries(PHONES)) {
    describe(size, () => {
      let phones: BrowserContext;
      let desktops: BrowserContext;
      let phone: Page;
      const email = `${size}@example.com`;
      const shot = (page: Page, name: string) =>
        SCREENSHOTS ? page.screenshot({ path: `${SCREENSHOTS}/${size}-${name}.png`, scale: "css" }) : Promise.resolve();
      before(async () => {
        [phones, desktops] = await Promise.all([
          browser.newContext({ ...options, colorScheme: "light" }),
          browser.newContext({ viewport: options.viewport, colorScheme: "light" }),
        ]);
        phone = await phones.newPage();
        await signUpOnPhone(phone, site, email);
      });
      after(() => Promise.all([phones.close(), desktops.close()]));

      it("a scanned request's Approve and Deny are on screen without scrolling; its heading has focus, no ring", async () => {
        // From another network, so the card carries its warning box: its longest form.
        const created = await post<Created>(desktops, "/qrlogin/requests", {}, "203.0.113.7");
        await phone.goto(created.qr ? (qrUrlAt(created.qr, 0) as string) : "");
        const card = phone.locator("#card .request");
        await card.waitFor();
        assert.equal(await card.locator("[data-field=warnings]").isVisible(), true);
        for (const name of ["Approve", "Deny", "This wasn't me"]) {
          assert.equal(await onScreen(phone, card.getByRole("button", { name, exact: true })), true, name);
        }
        const title = card.locator(".title");
        assert.equal(await title.evaluate((h) => h === document.activeElement), true, "the heading has focus");
        assert.equal(await title.evaluate((h) => h.matches(":focus-visible")), false, "not keyboard-visible focus");
        assert.equal(await title.evaluate((h) => getComputedStyle(h).outlineStyle), "none", "no ring drawn");
        await shot(phone, "card");
        await card.getByRole("button", { name: "Deny", exact: true }).click();
        await phone.getByText(en["card.deniedDone"]).waitFor();
      });

      it("a push's number field and answers are on screen too", async () => {
        await phone.goto(`${site.url}/qrlogin/a`);
        await phone.locator("#start").waitFor();
        await post(desktops, "/qrlogin/requests", { mode: "push", login: email }, "203.0.113.7");
        const card = phone.locator("#pushes .request");
        await card.waitFor();
        assert.equal(
          await onScreen(phone, card.getByLabel(en["card.numberLabel"].replace("{onDevice}", en["onDevice.desktop"]))),
          true,
        );
        assert.equal(await onScreen(phone, card.getByRole("button", { name: "Approve", exact: true })), true);
        await shot(phone, "push");
        await card.getByRole("button", { name: "Deny", exact: true }).click();
        await card.waitFor({ state: "detached" });
      });

      it("a wrong typed code is said under the field, which it describes, not at the top of the page", async () => {
        await phone.goto(`${site.url}/qrlogin/a`);
        const field = phone.locator("#code");
        await field.fill("BCDF-GHJK");
        await phone.locator("#code-form button[type=submit]").click();
        const problem = phone.locator("#code-error");
        await problem.getByText(en["error.USER_CODE_INVALID"]).waitFor();
        assert.equal(await phone.locator("#status").textContent(), "", "nothing at the top of the page");
        assert.deepEqual((await field.getAttribute("aria-describedby"))?.split(" "), ["code-error", "code-help"]);
        assert.equal(await field.getAttribute("aria-invalid"), "true");
        assert.equal(await field.evaluate((input) => input === document.activeElement), true, "back in the field");
        const [fieldBox, problemBox] = await Promise.all([field.boundingBox(), problem.boundingBox()]);
        assert.ok(fieldBox && problemBox);
        const gap = problemBox.y - (fieldBox.y + fieldBox.height);
        assert.ok(gap >= 0 && gap < 24, `the words sit right under the field (${gap}px)`);
        assert.equal(await onScreen(phone, problem), true);
        await shot(phone, "code-error");
        await field.fill("B");
        assert.equal(await problem.isVisible(), false, "typing again clears it");
        assert.equal(await field.getAttribute("aria-invalid"), null);
      });

      it("a second QR link opened while the page is open is scanned", async () => {
        const [first, second] = [
          await post<Created>(desktops, "/qrlogin/requests"),
          await post<Created>(desktops, "/qrlogin/requests"),
        ];
        await phone.goto(first.qr ? (qrUrlAt(first.qr, 0) as string) : "");
        const card = phone.locator(`#card .request[data-id="${first.id}"]`);
        await card.waitFor();
        // Same page, another fragment: what a phone's camera app does with the next QR's link.
        await phone.goto(second.qr ? (qrUrlAt(second.qr, 0) as string) : "");
        await phone.locator(`#card .request[data-id="${second.id}"]`).waitFor();
        assert.equal(await phone.locator("#card .request").count(), 1, "the first card made way");
        assert.equal(new URL(phone.url()).hash, "", "no token left in the address bar");
        await shot(phone, "second-link");
        await phone.getByRole("button", { name: "Deny", exact: true }).click();
        await phone.getByText(en["card.deniedDone"]).waitFor();
      });

      it("alerts fold into one dismissible line: more alerts hardly move the task below", async () => {
        await phone.goto(`${site.url}/qrlogin/a`);
        const start = phone.locator("#start h2");
        const top = async () => (await start.boundingBox())?.y ?? 0;
        const before = await top();
        const alerts = phone.locator("#alerts");
        await signInThrough(desktops, phones);
        await alerts.locator(".alert-line").waitFor();
        const afterOne = await top();
        await signInThrough(desktops, phones);
        await signInThrough(desktops, phones);
        await alerts.getByText(en["page.alertsEarlier"].other.replace("{count}", "2")).waitFor();
        const afterThree = await top();
        assert.equal(await alerts.locator(".alert-line").count(), 1, "one line");
        assert.match((await alerts.locator(".alert-line").textContent()) ?? "", /A new device was signed in/);
        assert.ok(afterOne - before < 90, `one alert takes ${afterOne - before}px`);
        assert.ok(afterThree - afterOne < 30, `two more take ${afterThree - afterOne}px, a folded line`);
        assert.equal(await onScreen(phone, phone.locator("#code")), true, "the code field is still on screen");
        await shot(phone, "alerts");
        await alerts.getByText("2 earlier alerts").click();
        assert.equal(await alerts.locator(".earlier li").count(), 2, "the earlier ones are there on demand");
        await alerts.getByRole("button", { name: "Dismiss" }).click();
        assert.equal(await alerts.isVisible(), false);
      });

      it("a desktop signed out from the phone is told why on its next page load, once", async () => {
        const desktop = await desktops.newPage();
        await desktop.goto(`${site.url}/account`);
        assert.equal(new URL(desktop.url()).pathname, "/account", "signed in by the alerts test");
        await post(phones, "/account/devices/revoke-all");
        await desktop.reload();
        assert.equal(new URL(desktop.url()).pathname, "/");
        await desktop.locator("#signed-out").getByText("signed out from your phone").waitFor();
        await shot(desktop, "signed-out");
        await desktop.reload();
        assert.equal(await desktop.locator("#signed-out").count(), 0, "said once");
        await desktop.close();
      });
    });
  }
});
