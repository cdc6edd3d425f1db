import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { challengeOf } from "../../src/core/approval-challenge.ts";
import type { PasskeyChallenge, PasskeyRequestOptions, RequestCard, RequestSnapshot } from "../../src/wire.ts";
import {
  type DemoSite,
  desktopContext,
  launch,
  phoneContext,
  skipUnlessChromium,
  startDemo,
  typedCode,
} from "./helpers/browser.ts";
import {
  assertIn,
  onLocalhost,
  reportHybrid,
  signUpWithPasskey,
  strayCredential,
  type VirtualAuthenticator,
  virtualAuthenticator,
} from "./helpers/passkeys.ts";

const skip = skipUnlessChromium();
// QRLOGIN_UPDATE_SCREENSHOTS=1 saves the pictures of the passkey flows in docs/demo.md.
const SCREENSHOTS = process.env.QRLOGIN_UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : null;
if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });

/** A phone (with its own platform authenticator) signed up with a passkey as `email`. */
async function passkeyPhone(
  browser: Browser,
  url: string,
  email: string,
  headers: Record<string, string> = {},
): Promise<{ phone: Page; context: BrowserContext; authenticator: VirtualAuthenticator }> {
  const context = await phoneContext(browser);
  await context.setExtraHTTPHeaders(headers);
  const phone = await context.newPage();
  const authenticator = await virtualAuthenticator(context, phone, "internal");
  await signUpWithPasskey(phone, url, email);
  return { phone, context, authenticator };
}

/**
 * A desktop whose browser reaches the phone's passkey over the cross-device flow: a `hybrid`
 * virtual authenticator holding a copy of the phone's credential, and capabilities that say so.
 * Closing it puts the copy back on the phone with its signature counter, so the two stay one passkey
 * (a copy left behind would count from an old value: the server takes that for a clone).
 */
async function hybridDesktop(
  browser: Browser,
  phone: VirtualAuthenticator,
): Promise<{ desktop: Page; close(): Promise<void> }> {
  const context = await desktopContext(browser);
  const desktop = await context.newPage();
  const hybrid = await virtualAuthenticator(context, desktop, "hybrid");
  for (const credential of await phone.credentials()) await hybrid.add(credential);
  await reportHybrid(desktop);
  return {
    desktop,
    close: async () => {
      for (const credential of await hybrid.credentials()) await phone.add(credential);
      await context.close();
    },
  };
}

/** Opens the login page at `url` and waits for its QR. */
async function openLogin(desktop: Page, url: string): Promise<void> {
  await desktop.goto(`${url}/`);
  await desktop.locator("qr-login[status=pending]").waitFor();
}

/** The phone types the desktop's code on its approval page and waits for the card. */
async function claimByCode(phone: Page, url: string, desktop: Page): Promise<void> {
  await phone.goto(`${url}/qrlogin/a`);
  await phone.getByLabel("Or type the code shown on the screen").fill(await typedCode(desktop));
  await phone.getByRole("button", { name: "Continue" }).click();
  await phone.locator("#card .request").waitFor();
}

/** A JSON call from inside `page` (its cookies, its origin): status and body. */
function call(page: Page, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(
    async ({ path, body }) => {
      const response = await fetch(path, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    { path, body },
  );
}

/** The desktop landed on its account page, signed in as `email`. */
async function assertSignedInAs(desktop: Page, url: string, email: string): Promise<void> {
  await desktop.waitForURL(`${url}/account`);
  assert.match((await desktop.locator("#who").textContent()) ?? "", new RegExp(email));
}

describe("passkeys in Chromium with its virtual authenticator", { skip }, () => {
  let site: DemoSite;
  let url: string;
  let browser: Browser;
  let phone: Page;
  let authenticator: VirtualAuthenticator;
  before(async () => {
    [site, browser] = await Promise.all([startDemo({}, { passkeys: "required" }), launch()]);
    url = onLocalhost(site);
    ({ phone, authenticator } = await passkeyPhone(browser, url, "erin@example.com"));
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("the phone approves with its passkey (user verified) and the desktop is signed in", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await openLogin(desktop, url);
    await claimByCode(phone, url, desktop);
    const card = phone.locator("#card .request");
    await card.getByText("you'll confirm with this phone's passkey").waitFor();
    if (SCREENSHOTS) await phone.screenshot({ path: `${SCREENSHOTS}/phone-passkey-approval.png`, fullPage: true });
    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await phone.getByText("Approved. The other device is signing in now.").waitFor();
    await assertSignedInAs(desktop, url, "erin@example.com");
    await desktops.close();
  });

  it("refuses, each with its own code and changing nothing: no assertion, no user verification, another request, an earlier version, an unknown passkey, a replay", async () => {
    const desktops = await desktopContext(browser);
    const desktop = await desktops.newPage();
    await openLogin(desktop, url);
    await claimByCode(phone, url, desktop);
    const id = String(await phone.locator("#card .request").getAttribute("data-id"));
    const options = async (requestId: string) => {
      const answer = await call(phone, `/qrlogin/requests/${requestId}/approval-options`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as unknown as PasskeyChallenge;
    };
    const challenge = await options(id);
    const publicKey = challenge.publicKey as PasskeyRequestOptions;
    assert.ok(publicKey, "the account has a passkey");
    // A second request the same phone scanned: its challenge is not this one's.
    const second = await call(desktop, "/qrlogin/requests", {});
    const shown = await call(desktop, `/qrlogin/requests/${second.body.id}/user-code`, {});
    const secondCard = await call(phone, "/qrlogin/scan", { userCode: shown.body.userCode });
    const otherKey = (await options((secondCard.body as unknown as RequestCard).id)).publicKey as PasskeyRequestOptions;
    const approve = (body: unknown) => call(phone, `/qrlogin/requests/${id}/approve`, body);
    const unchanged = async (what: string) => {
      const now = (await call(desktop, `/qrlogin/requests/${id}`)).body as unknown as RequestSnapshot;
      assert.equal(now.status, "scanned", `${what} changed nothing`);
      assert.equal(now.version, challenge.binding.version, `${what} changed nothing`);
    };

    assert.equal((await approve({})).body.error, "PASSKEY_REQUIRED");
    await unchanged("no assertion");

    await authenticator.verifyUser(false);
    const unverified = await assertIn(phone, publicKey, { userVerification: "discouraged" });
    await authenticator.verifyUser(true);
    assert.equal((await approve({ assertion: unverified })).body.error, "PASSKEY_USER_NOT_VERIFIED");
    await unchanged("an assertion without user verification");

    const forAnother = await assertIn(phone, otherKey);
    assert.equal((await approve({ assertion: forAnother })).body.error, "PASSKEY_CHALLENGE_MISMATCH");
    await unchanged("an assertion for another request");

    const earlier = challengeOf({ ...challenge.binding, version: challenge.binding.version - 1 });
    const forEarlier = await assertIn(phone, publicKey, { challenge: earlier });
    assert.equal((await approve({ assertion: forEarlier })).body.error, "PASSKEY_CHALLENGE_MISMATCH");
    await unchanged("an assertion for an earlier version");

    const stray = strayCredential();
    await authenticator.add(stray);
    const unknown = await assertIn(phone, publicKey, {
      credentialId: Buffer.from(stray.credentialId, "base64").toString("base64url"),
    });
    assert.equal((await approve({ assertion: unknown })).body.error, "PASSKEY_UNKNOWN_CREDENTIAL");
    await unchanged("an assertion of a passkey the site does not know");
    await authenticator.remove(stray.credentialId);

    const good = await assertIn(phone, publicKey);
    assert.deepEqual((await approve({ assertion: good })).body, { id, status: "approved" });
    assert.equal((await approve({ assertion: good })).body.error, "PASSKEY_REPLAYED");
    await assertSignedInAs(desktop, url, "erin@example.com");
    await desktops.close();
  });

  it("passkey sign-in: offered next to the QR where the browser reports the cross-device flow; the phone's passkey signs the desktop in", async () => {
    await phone.goto(`${url}/account`);
    const linked = await phone.locator(".device").count();
    const { desktop, close } = await hybridDesktop(browser, authenticator);
    await openLogin(desktop, url);
    const offer = desktop.getByRole("button", { name: "Use a passkey instead" });
    await offer.waitFor();
    if (SCREENSHOTS) await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-passkey-offer.png` });
    await offer.click();
    const element = desktop.locator("qr-login[mode=passkey][status=pending]");
    await element.waitFor();
    assert.equal(await desktop.locator("qr-login .qr").isVisible(), false, "no QR in passkey mode");
    if (SCREENSHOTS) await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-passkey-sign-in.png` });
    await element.getByRole("button", { name: "Sign in with a passkey" }).click();
    await assertSignedInAs(desktop, url, "erin@example.com");

    // The same as a QR sign-in on the account's side: a linked device, and an alert.
    await phone.goto(`${url}/account`);
    assert.equal(await phone.locator(".device").count(), linked + 1, "a linked device more");
    const alert = phone.locator('.alert-item[data-reason="new_device"]').first();
    assert.match((await alert.textContent()) ?? "", /Chrome \d+ on Linux/, "the newest alert is this desktop");
    await close();
  });

  it("mode=passkey on its own: no QR; a passkey dialog the person closed leaves the request to try again", async () => {
    const { desktop, close } = await hybridDesktop(browser, authenticator);
    await desktop.goto(`${url}/`);
    // The first passkey dialog is closed by the person, as a real browser reports it.
    await desktop.evaluate(`{
      const real = navigator.credentials.get.bind(navigator.credentials);
      let closed = false;
      navigator.credentials.get = (options) => {
        if (closed) return real(options);
        closed = true;
        return Promise.reject(new DOMException("The dialog was closed.", "NotAllowedError"));
      };
    }`);
    await desktop.locator("qr-login").evaluate((element) => element.setAttribute("mode", "passkey"));
    const element = desktop.locator("qr-login[mode=passkey][status=pending]");
    await element.waitFor();
    assert.equal(await desktop.locator("qr-login .qr").isVisible(), false, "no QR in passkey mode");
    await element.getByRole("button", { name: "Sign in with a passkey" }).click();
    await element.getByText("The passkey check was closed or timed out").waitFor();
    await element.getByRole("button", { name: "Sign in with a passkey" }).click();
    await assertSignedInAs(desktop, url, "erin@example.com");
    await close();
  });
});

describe("relay policy passkey in Chromium", { skip }, () => {
  let site: DemoSite;
  let url: string;
  let browser: Browser;
  before(async () => {
    [site, browser] = await Promise.all([startDemo({ relayPolicy: "passkey", trustProxy: 1 }), launch()]);
    url = onLocalhost(site);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("a phone on another network gets no Approve; the desktop switches to passkey sign-in and the phone's passkey signs it in", async () => {
    const far = await passkeyPhone(browser, url, "faye@example.com", { "x-forwarded-for": "198.51.100.7" });
    const { desktop, close } = await hybridDesktop(browser, far.authenticator);
    await openLogin(desktop, url);
    await claimByCode(far.phone, url, desktop);
    const card = far.phone.locator("#card .request");
    await card.getByText("can't be approved from this phone").waitFor();
    assert.equal(await card.getByRole("button", { name: "Approve", exact: true }).isVisible(), false);
    assert.ok(await card.getByRole("button", { name: "Deny", exact: true }).isVisible(), "Deny still answers it");
    if (SCREENSHOTS) await far.phone.screenshot({ path: `${SCREENSHOTS}/phone-relay-passkey.png`, fullPage: true });

    const element = desktop.locator("qr-login[mode=passkey][status=scanned]");
    await element.waitFor();
    assert.match((await element.locator(".status").textContent()) ?? "", /another network/);
    if (SCREENSHOTS) await desktop.screenshot({ path: `${SCREENSHOTS}/desktop-relay-passkey.png` });
    await element.getByRole("button", { name: "Sign in with a passkey" }).click();
    await assertSignedInAs(desktop, url, "faye@example.com");
    await close();
  });
});
