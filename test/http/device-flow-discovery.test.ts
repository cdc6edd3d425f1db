import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as oauth from "openid-client";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function authorize(base: string, fields: Record<string, string>) {
  return fetch(`${base}/qrlogin/oauth/device_authorization`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
}

describe("RFC 8628 with discovery, named clients and its own lifetime", () => {
  let server: TestServer;
  const asked: [string, string | null][] = [];
  before(async () => {
    server = await startServer({
      deviceFlow: {
        interval: 0.2,
        expiresIn: 900,
        validateClient: (clientId, scope) => {
          asked.push([clientId, scope]);
          if (clientId === "acme-cli") return { name: "Acme CLI" };
          return clientId === "nameless" ? {} : null;
        },
      },
      issueSession: ({ userId }) => ({ body: { access_token: `at-${userId}` } }),
    });
  });
  after(() => server.close());

  it("serves RFC 8414 metadata at the root, in RFC 8414's form for the base path, and under the base path", async () => {
    const endpoints = {
      device_authorization_endpoint: `${server.url}/qrlogin/oauth/device_authorization`,
      token_endpoint: `${server.url}/qrlogin/oauth/token`,
      grant_types_supported: [GRANT],
    };
    const root = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    assert.equal(root.status, 200);
    assert.deepEqual({ ...root.body, ...endpoints, issuer: server.url }, root.body);
    for (const path of [
      "/.well-known/oauth-authorization-server/qrlogin",
      "/qrlogin/.well-known/oauth-authorization-server",
    ]) {
      const metadata = await getJson(server.url + path);
      assert.equal(metadata.status, 200, path);
      assert.deepEqual({ ...metadata.body, ...endpoints, issuer: `${server.url}/qrlogin` }, metadata.body, path);
    }
  });

  it("lets openid-client discover the flow and sign a device in", async () => {
    const config = await oauth.discovery(new URL(`${server.url}/qrlogin`), "acme-cli", undefined, oauth.None(), {
      algorithm: "oauth2",
      execute: [oauth.allowInsecureRequests],
    });
    const device = await oauth.initiateDeviceAuthorization(config, { scope: "deploy" });
    assert.equal(device.expires_in, 900, "deviceFlow.expiresIn");
    const phone = new Phone(server.url, "alice");
    const card = await phone.typeCode(device.user_code);
    assert.equal(card.status, 200);
    const { requester } = card.body as { requester: { client?: unknown } };
    assert.deepEqual(requester.client, { id: "acme-cli", name: "Acme CLI", scope: "deploy" });
    assert.equal((await phone.approve(String(card.body.id))).status, 200);
    const tokens = await oauth.pollDeviceAuthorizationGrant(config, device);
    assert.equal(tokens.access_token, "at-alice");
    assert.deepEqual(asked.at(-1), ["acme-cli", "deploy"]);
  });

  it("asks validateClient: null refuses the client, a client without a name is shown by its id", async () => {
    const refused = await authorize(server.url, { client_id: "stranger" });
    assert.deepEqual([refused.status, refused.body.error], [401, "invalid_client"]);
    const nameless = await authorize(server.url, { client_id: "nameless" });
    assert.equal(nameless.status, 200);
    const card = await new Phone(server.url, "bob").typeCode(String(nameless.body.user_code));
    const { requester } = card.body as { requester: { client?: unknown } };
    assert.deepEqual(requester.client, { id: "nameless", name: null, scope: null });
  });

  it("keeps the browser's card free of a client", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await desktop.showCode();
    const card = await new Phone(server.url, "carol").typeCode(desktop.userCode);
    assert.equal((card.body.requester as Record<string, unknown>).client, undefined);
  });

  it("serves no metadata, anywhere, when the device flow is off", async () => {
    const plain = await startServer();
    try {
      assert.equal((await fetch(`${plain.url}/.well-known/oauth-authorization-server`)).status, 404);
      assert.equal((await fetch(`${plain.url}/qrlogin/.well-known/oauth-authorization-server`)).status, 404);
    } finally {
      await plain.close();
    }
  });
});
