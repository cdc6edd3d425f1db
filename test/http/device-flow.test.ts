import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** A CLI speaking RFC 8628 with form bodies, as the RFC has it. */
async function form(base: string, path: string, fields: Record<string, string>) {
  const response = await fetch(`${base}/qrlogin${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("RFC 8628 device authorization grant", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      deviceFlow: { clientIds: ["cli"], interval: 0.2 },
      issueSession: ({ userId, grant }) => ({ body: { access_token: `at-${userId}`, expires_in: 3600, grant } }),
    });
  });
  after(() => server.close());

  const authorize = () => form(server.url, "/oauth/device_authorization", { client_id: "cli", scope: "openid" });
  const poll = (deviceCode: string, fields: Record<string, string> = {}) =>
    form(server.url, "/oauth/token", { grant_type: GRANT, device_code: deviceCode, client_id: "cli", ...fields });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("device code → pending → the user types the code on the phone and approves → the host's token, once", async () => {
    const auth = await authorize();
    assert.equal(auth.status, 200);
    assert.match(String(auth.body.user_code), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.match(String(auth.body.verification_uri), /\/qrlogin\/a$/);
    assert.match(String(auth.body.verification_uri_complete), /\/qrlogin\/a#t=/);
    assert.equal(auth.body.interval, 0.2);
    assert.equal(auth.body.expires_in, 120);
    const deviceCode = String(auth.body.device_code);

    const pending = await poll(deviceCode);
    assert.deepEqual([pending.status, pending.body.error], [400, "authorization_pending"]);
    const phone = new Phone(server.url, "alice");
    const card = await phone.typeCode(String(auth.body.user_code));
    await phone.approve(String(card.body.id));
    await sleep(250);
    const token = await poll(deviceCode);
    assert.equal(token.status, 200);
    assert.deepEqual(token.body, {
      token_type: "Bearer",
      access_token: "at-alice",
      expires_in: 3600,
      grant: "device_code",
    });
    await sleep(250);
    const again = await poll(deviceCode);
    assert.equal(again.status, 400, "a device code is good for one token");
  });

  it("polling faster than the interval gets slow_down", async () => {
    const deviceCode = String((await authorize()).body.device_code);
    assert.equal((await poll(deviceCode)).body.error, "authorization_pending");
    assert.equal((await poll(deviceCode)).body.error, "slow_down");
  });

  it("a denial is access_denied; an unknown device code is invalid_grant", async () => {
    const auth = await authorize();
    const phone = new Phone(server.url, "bob");
    const card = await phone.typeCode(String(auth.body.user_code));
    await phone.deny(String(card.body.id));
    const denied = await poll(String(auth.body.device_code));
    assert.deepEqual([denied.status, denied.body.error], [400, "access_denied"]);
    assert.equal((await poll("AAAAAAAAAAAAAAAAAAAAAA.nope")).body.error, "invalid_grant");
    assert.equal((await poll("garbage")).body.error, "invalid_grant");
  });

  it("refuses unknown clients and other grant types", async () => {
    const unknown = await form(server.url, "/oauth/device_authorization", { client_id: "evil" });
    assert.deepEqual([unknown.status, unknown.body.error], [401, "invalid_client"]);
    const grant = await poll("x.y", { grant_type: "password" });
    assert.deepEqual([grant.status, grant.body.error], [400, "unsupported_grant_type"]);
    const missing = await form(server.url, "/oauth/device_authorization", {});
    assert.deepEqual([missing.status, missing.body.error], [400, "invalid_request"]);
  });

  it("is off unless enabled", async () => {
    const plain = await startServer();
    try {
      assert.equal((await form(plain.url, "/oauth/device_authorization", { client_id: "cli" })).status, 404);
    } finally {
      await plain.close();
    }
  });
});
