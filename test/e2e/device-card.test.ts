import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  type DemoSite,
  launch,
  phoneContext,
  signUpOnPhone,
  skipUnlessChromium,
  startDemo,
} from "./helpers/browser.ts";

const skip = skipUnlessChromium();

describe("the phone's card for a device of the RFC 8628 flow, in Chromium", { skip }, () => {
  let site: DemoSite;
  let browser: Browser;
  let phone: Page;
  before(async () => {
    [site, browser] = await Promise.all([
      startDemo({
        deviceFlow: { interval: 0.2, validateClient: (id) => (id === "acme-cli" ? { name: "Acme CLI" } : {}) },
      }),
      launch(),
    ]);
    phone = await (await phoneContext(browser)).newPage();
    await signUpOnPhone(phone, site, "dana@example.com");
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A device asks for a code, as a CLI would. */
  async function askForCode(fields: Record<string, string>): Promise<{ user_code: string; device_code: string }> {
    const answer = await fetch(`${site.url}/qrlogin/oauth/device_authorization`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
    assert.equal(answer.status, 200);
    return (await answer.json()) as { user_code: string; device_code: string };
  }

  async function typeOnPhone(userCode: string): Promise<void> {
    await phone.goto(`${site.url}/qrlogin/a`);
    await phone.getByLabel("Or type the code shown on the screen").fill(userCode);
    await phone.getByRole("button", { name: "Continue" }).click();
  }

  it("names the client the site knows and the scope it asks for, instead of an unknown browser", async () => {
    const device = await askForCode({ client_id: "acme-cli", scope: "deploy" });
    await typeOnPhone(device.user_code);
    await phone.getByText("Acme CLI, asking for “deploy”").waitFor();
    await phone.getByText("an app this site knows").waitFor();
    await phone.getByRole("button", { name: "Approve", exact: true }).click();
    await phone.getByText("Approved. The other device is signing in now.").waitFor();
    const token = await fetch(`${site.url}/qrlogin/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: device.device_code,
        client_id: "acme-cli",
      }),
    });
    assert.equal(token.status, 200);
  });

  it("shows a client the site does not name by the id it claims", async () => {
    const device = await askForCode({ client_id: "some-tool" });
    await typeOnPhone(device.user_code);
    await phone.getByText("some-tool", { exact: true }).waitFor();
    await phone.getByText("as the app names itself").waitFor();
    await phone.getByRole("button", { name: "Deny", exact: true }).click();
  });
});
