import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** A CLI speaking RFC 8628 with form bodies, as the RFC has it (or, with `headers`, a web page's form). */
async function form(base: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/qrlogin${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("RFC 8628 device authorization grant", () => {
  let server: TestServer;
  const issued: string[] = [];
  before(async () => {
    server = await startServer({
      deviceFlow: { clientIds: ["cli", "tv"], interval: 0.2 },
      issueSession: ({ userId, grant }) => {
        issued.push(userId);
        return { body: { access_token: `at-${userId}`, expires_in: 3600, grant } };
      },
    });
  });
  after(() => server.close());

  const authorize = () => form(server.url, "/oauth/device_authorization", { client_id: "cli", scope: "openid" });
  const poll = (deviceCode: string, fields: Record<string, string> = {}) =>
    form(server.url, "/oauth/token", { grant_type: GRANT, device_code: deviceCode, client_id: "cli", ...fields });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("device code → pending → the user types the code on the phone and approves → the host's token, issued once", async () => {
    const auth = await authorize();
    assert.equal(auth.status, 200);
    assert.match(String(auth.body.user_code), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.match(String(auth.body.verification_uri), /\/qrlogin\/a$/);
    assert.match(String(auth.body.verification_uri_complete), /\/qrlogin\/a#t=/);
    assert.equal(auth.body.interval, 0.2);
    assert.equal(auth.body.expires_in, 600, "deviceFlow.expiresIn, not the QR's lifetimes.pending");
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
    assert.deepEqual(again, token, "a device whose answer was lost gets the same token again, not a new one");
    assert.deepEqual(issued, ["alice"]);
  });

  it("after the redemption window a used device code is invalid_grant", async () => {
    const short = await startServer({
      deviceFlow: { clientIds: ["cli"], interval: 0.05 },
      lifetimes: { redemption: 500 },
      issueSession: ({ userId }) => ({ body: { access_token: `at-${userId}` } }),
    });
    try {
      const code = await form(short.url, "/oauth/device_authorization", { client_id: "cli" });
      const phone = new Phone(short.url, "bob");
      await phone.approve(String((await phone.typeCode(String(code.body.user_code))).body.id));
      const pollShort = () =>
        form(short.url, "/oauth/token", {
          grant_type: GRANT,
          device_code: String(code.body.device_code),
          client_id: "cli",
        });
      assert.equal((await pollShort()).status, 200);
      await sleep(600);
      assert.deepEqual((await pollShort()).body.error, "invalid_grant");
    } finally {
      await short.close();
    }
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

  it("a device code issued to one client is invalid_grant for another, and stays good for its own", async () => {
    const auth = await authorize();
    const deviceCode = String(auth.body.device_code);
    const request = await server.qr.flows.get(deviceCode.split(".")[0] as string);
    assert.deepEqual(request.requester.client, { id: "cli", scope: "openid" }, "the client and scope are kept");
    const phone = new Phone(server.url, "erin");
    const card = await phone.typeCode(String(auth.body.user_code));
    assert.equal((await phone.approve(String(card.body.id))).status, 200);

    const stolen = await poll(deviceCode, { client_id: "tv" });
    assert.deepEqual([stolen.status, stolen.body.error], [400, "invalid_grant"]);
    const token = await poll(deviceCode);
    assert.deepEqual([token.status, token.body.access_token], [200, "at-erin"], "the refusal consumed nothing");
  });

  it("a browser's request cannot be redeemed at the token endpoint", async () => {
    const desktop = new Desktop(server.url);
    const created = await desktop.create({ secretInBody: true });
    const phone = new Phone(server.url, "frank");
    await phone.scan(desktop.scanToken);
    await phone.approve(desktop.id);
    const grant = await poll(`${desktop.id}.${created.body.browserSecret}`);
    assert.deepEqual([grant.status, grant.body.error], [400, "invalid_grant"]);
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

describe("RFC 8628 device authorization from other sites' pages", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      deviceFlow: { clientIds: ["cli"] },
      limits: { createPerIp: { max: 2, windowMs: 60_000 } },
    });
  });
  after(() => server.close());

  const authorize = (headers: Record<string, string>) =>
    form(server.url, "/oauth/device_authorization", { client_id: "cli" }, headers);

  it("a cross-site form post is refused with BAD_ORIGIN, and spends none of the visitor's budget", async () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { origin: server.url, "sec-fetch-site": "cross-site" },
    ];
    for (const headers of crossSite) {
      const refused = await authorize(headers);
      assert.deepEqual([refused.status, refused.body.error], [403, "BAD_ORIGIN"], JSON.stringify(headers));
    }
    // The two creations this address may make are still there: for a device, and for the site's own page.
    assert.equal((await authorize({})).status, 200, "a device sends no Origin");
    assert.equal((await authorize({ origin: server.url, "sec-fetch-site": "same-origin" })).status, 200);
    assert.equal((await authorize({})).body.error, "RATE_LIMITED");
  });
});
