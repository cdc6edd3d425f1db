import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { passkeyBlocker } from "../../src/demo/passkey-origin.ts";
import { type DemoSite, startDemo } from "../e2e/helpers/browser.ts";

/** A request to the demo as a browser at `host` would send it (fetch cannot set Host). */
function call(site: DemoSite, host: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const { port } = new URL(site.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", headers: { host } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.setHeader("content-type", "application/json");
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("the demo's passkeys", () => {
  it("are offered only where browsers allow them: localhost, or a domain name over HTTPS", () => {
    for (const allowed of ["http://localhost:3000/phone", "http://demo.localhost/", "https://example.com/phone"]) {
      assert.equal(passkeyBlocker(new URL(allowed)), null, allowed);
    }
    for (const refused of [
      "http://127.0.0.1:3000/",
      "https://192.168.1.5:3000/",
      "http://[::1]:3000/",
      "http://example.com/",
    ]) {
      assert.match(
        passkeyBlocker(new URL(refused)) ?? "",
        /^Passkeys aren't available at .*Use a password here/,
        refused,
      );
    }
    assert.match(passkeyBlocker(new URL("http://192.168.1.5:3000/phone")) ?? "", /http:\/\/localhost:3000\/phone/);
  });

  describe("on the demo site", () => {
    let site: DemoSite;
    let port: string;
    before(async () => {
      site = await startDemo();
      port = new URL(site.url).port;
    });
    after(() => site.close());

    it("at an IP address: the page explains and offers passwords; a passkey sign-up is refused and leaves nothing", async () => {
      const page = await call(site, `127.0.0.1:${port}`, "/phone");
      assert.match(page.text, /Passkeys aren&#39;t available at 127\.0\.0\.1/);
      assert.doesNotMatch(page.text, /data-method="passkey"/);
      const started = await call(site, `127.0.0.1:${port}`, "/demo/passkey/register/options", {
        email: "a@example.com",
      });
      assert.equal(started.status, 400);
      assert.match(JSON.parse(started.text).error, /^Passkeys aren't available at 127\.0\.0\.1/);
      const password = { email: "a@example.com", password: "correct horse battery" };
      assert.equal((await call(site, `127.0.0.1:${port}`, "/demo/signup/password", password)).status, 200);
    });

    it("at localhost: passkeys are offered, and a sign-up given up half-way leaves no account", async () => {
      const host = `localhost:${port}`;
      assert.match((await call(site, host, "/phone")).text, /data-method="passkey"/);
      const started = await call(site, host, "/demo/passkey/register/options", { email: "b@example.com" });
      assert.equal(started.status, 200, started.text);
      assert.equal(JSON.parse(started.text).rp.id, "localhost");
      // The browser's prompt was closed: no verify follows. The address is still free.
      const password = { email: "b@example.com", password: "correct horse battery" };
      assert.equal((await call(site, host, "/demo/signup/password", password)).status, 200);
    });
  });
});
