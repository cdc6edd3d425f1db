import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { BUILT_IN } from "../../src/browser/i18n/languages.ts";
import type { QrLoginElement } from "../../src/browser/qr-login.ts";
import {
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
import { centreX, layoutProblems, pageScrollsSideways } from "./helpers/layout.ts";

const skip = skipUnlessChromium();
// QRLOGIN_UPDATE_SCREENSHOTS=1 writes the pictures docs/i18n.md shows; otherwise only the layout is checked.
const SCREENSHOTS = process.env.QRLOGIN_UPDATE_SCREENSHOTS === "1" ? "docs/screenshots/i18n" : null;
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

describe("every language in Chromium: <qr-login> and the phone's request card", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  let desktops: BrowserContext;
  let phones: BrowserContext;
  let desktop: Page;
  let phone: Page;
  before(async () => {
    // The demo trusts one proxy here, so the desktop can seem to come from another network: the
    // card then shows its warning, the longest text it has.
    [site, browser] = await Promise.all([startDemo({ trustProxy: 1 }), launch()]);
    [desktops, phones] = await Promise.all([desktopContext(browser), phoneContext(browser)]);
    [desktop, phone] = await Promise.all([desktops.newPage(), phones.newPage()]);
    await desktop.setExtraHTTPHeaders({ "x-forwarded-for": "203.0.113.7" });
    await signUpOnPhone(phone, site, "alice@example.com");
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const [lang, words] of Object.entries(BUILT_IN)) {
    const rtl = lang === "ar";
    it(`${lang}: the words of ${words.language}, nothing overflowing${rtl ? ", mirrored right to left" : ""}`, async () => {
      // The demo's language picker sets this cookie; the element and the phone page follow it.
      const cookie = { name: "demo_lang", value: lang, domain: new URL(site.url).hostname, path: "/" };
      await Promise.all([desktops.addCookies([cookie]), phones.addCookies([cookie])]);

      await openLoginPage(desktop, site);
      const element = desktop.locator("qr-login");
      assert.equal(await element.locator(".status").textContent(), words["login.pending"]);
      assert.equal(await element.locator(".frame").getAttribute("dir"), rtl ? "rtl" : "ltr");
      // With the typed code shown too, so that its sentence is laid out in every language.
      const code = await typedCode(desktop);
      assert.deepEqual(await layoutProblems(element.locator(".frame")), [], "the element's layout");
      assert.equal(await element.evaluate((e) => e.scrollWidth <= e.clientWidth), true);
      const [qrX, sideX] = await Promise.all([centreX(element.locator(".qr")), centreX(element.locator(".side"))]);
      assert.equal(qrX > sideX, rtl, rtl ? "the QR is at the right" : "the QR is at the left");
      if (SCREENSHOTS) await element.screenshot({ path: `${SCREENSHOTS}/${lang}-desktop.png`, scale: "css" });

      await phone.goto(`${site.url}/qrlogin/a`);
      assert.equal(await phone.evaluate(() => document.documentElement.dir), rtl ? "rtl" : "ltr");
      await phone.locator("#code").fill(code);
      await phone.locator("#code-form button[type=submit]").click();
      const card = phone.locator("#card .request");
      await card.waitFor();
      assert.equal(await card.locator(".title").textContent(), words["card.titleQr"]);
      assert.equal(await card.locator("[data-field=warnings] li").textContent(), words["card.warnNetwork"]);
      assert.deepEqual(await layoutProblems(card), [], "the card's layout");
      assert.equal(await pageScrollsSideways(phone), false, "the phone page does not scroll sideways");
      const [label, value] = await Promise.all([
        centreX(card.locator("dt").first()),
        centreX(card.locator("dd").first()),
      ]);
      assert.equal(label > value, rtl, rtl ? "labels at the right of their values" : "labels at the left");
      const deny = card.getByRole("button", { name: words["card.deny"], exact: true });
      const approve = card.getByRole("button", { name: words["card.approve"], exact: true });
      assert.equal((await centreX(deny)) > (await centreX(approve)), rtl, "Deny comes first in reading order");
      if (SCREENSHOTS) {
        // The card's end in view, so its answer bar sits in its place rather than over the text.
        await card.evaluate((article) => article.scrollIntoView({ block: "end" }));
        await card.screenshot({ path: `${SCREENSHOTS}/${lang}-phone.png`, scale: "css" });
      }

      await deny.click();
      await phone.getByText(words["card.deniedDone"]).waitFor();
      await desktop.locator("qr-login[status=denied]").waitFor();
    });
  }

  it("the demo's language picker, on the login page and the phone page, switches the element and the phone page", async () => {
    await Promise.all([desktops.clearCookies(), phones.clearCookies({ name: "demo_lang" })]);
    await openLoginPage(desktop, site);
    await desktop.locator(".languages summary").click();
    await desktop.getByRole("link", { name: "Français" }).click();
    await desktop.locator("qr-login[status=pending]").waitFor();
    assert.equal(await desktop.locator("qr-login .status").textContent(), BUILT_IN.fr?.["login.pending"]);

    await phone.goto(`${site.url}/phone`);
    await phone.locator(".languages summary").click();
    await phone.getByRole("link", { name: "العربية" }).click();
    await phone.waitForURL(`${site.url}/phone`);
    await phone.goto(`${site.url}/qrlogin/a`);
    assert.equal(await phone.evaluate(() => document.documentElement.dir), "rtl");
    assert.equal(await phone.locator("h1").textContent(), BUILT_IN.ar?.["page.heading"]);
  });

  it("the host's language, words and branding change the element in place: the same code stays", async () => {
    await desktops.clearCookies();
    await openLoginPage(desktop, site);
    const element = desktop.locator("qr-login");
    const code = await typedCode(desktop);
    const logo = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 1'/%3E";
    await element.evaluate((e, src) => {
      e.setAttribute("lang", "de");
      e.setAttribute("app-name", "Acme");
      e.setAttribute("logo", src);
      (e as QrLoginElement).messages = { "login.pending": "Bitte scannen" };
    }, logo);
    assert.equal(await element.locator(".status").textContent(), "Bitte scannen");
    assert.equal(
      await element.locator(".hint").textContent(),
      BUILT_IN.de?.["login.pendingHintApp"].replace("{app}", "Acme"),
    );
    assert.match((await element.locator(".intro").textContent()) ?? "", /^Keine Kamera\? Öffnen Sie die App Acme /);
    assert.equal(await element.locator(".logo").getAttribute("alt"), "Acme");
    assert.equal(await element.locator(".logo").isVisible(), true);
    assert.equal(await typedCode(desktop), code, "no new request for new words");
    assert.deepEqual(await layoutProblems(element.locator(".frame")), []);
  });
});
