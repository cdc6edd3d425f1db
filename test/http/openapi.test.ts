import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import { openApiDocument } from "../../src/http/openapi.ts";
import type { PasskeyChallenge } from "../../src/wire.ts";
import { type Answer, Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { SoftwarePasskey } from "../helpers/software-passkey.ts";

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, Schema> }> }>>;
  components: { schemas: Record<string, object> };
}
type Schema = { schema: { $ref?: string }; "x-events"?: { $ref: string } };

async function documentOf(base: string, basePath = "/qrlogin"): Promise<Document> {
  const answer = await fetch(`${base}${basePath}/openapi.json`);
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get("content-type") ?? "", /^application\/json/);
  return (await answer.json()) as Document;
}

/** Checks JSON against the schemas of one document, by `$ref` into it. */
function validatorOf(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "doc", components: document.components });
  return (ref: string, value: unknown) => {
    const check = ajv.getSchema(`doc${ref}`);
    assert.ok(check, `no schema at ${ref}`);
    assert.ok(check(value), `${ref}: ${ajv.errorsText(check.errors)} in ${JSON.stringify(value)}`);
  };
}

describe("the OpenAPI document", () => {
  let server: TestServer;
  let document: Document;
  before(async () => {
    server = await startServer({ deviceFlow: {}, findUser: () => ({ userId: "ann" }) });
    document = await documentOf(server.url);
  });
  after(() => server.close());

  it("is served at <basePath>/openapi.json and is valid OpenAPI 3.1", async () => {
    assert.equal(document.openapi, "3.1.0");
    assert.deepEqual(document.servers, [{ url: "/qrlogin" }]);
    const result = await validate(structuredClone(document) as never);
    assert.deepEqual(result, { valid: true, warnings: [], specification: "OpenAPI" });
  });

  it("describes every route the server answers, and no other", async () => {
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => [method.toUpperCase(), path] as const),
    );
    assert.equal(described.length, 14);
    for (const [method, path] of described) {
      const url = `${server.url}/qrlogin${path.replace("{id}", "A".repeat(22))}`;
      const answer = await fetch(url, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "GET" ? null : "{}",
      });
      const body = answer.headers.get("content-type")?.startsWith("application/json") ? await answer.json() : {};
      assert.ok(!["NOT_FOUND", "METHOD_NOT_ALLOWED"].includes(body.error), `${method} ${path} is not a route`);
    }
  });

  it("cannot drift from the route table: a route without a description, or the reverse, is an error", () => {
    assert.throws(
      () => openApiDocument([["GET", "/requests/:id/history"]], "/qrlogin", { deviceFlow: true }),
      /routes without a description: \[GET \/requests\/:id\/history\]; descriptions without a route: \[POST \/requests,/,
    );
  });

  it("leaves out what an option keeps off, and follows the base path", async () => {
    const other = await startServer({ basePath: "/auth/qr" });
    try {
      const plain = await documentOf(other.url, "/auth/qr");
      assert.deepEqual(plain.servers, [{ url: "/auth/qr" }]);
      assert.equal(plain.paths["/oauth/token"], undefined);
      assert.ok(plain.paths["/requests"]);
    } finally {
      await other.close();
    }
  });

  it("holds the real answers and events of a sign-in, and refuses a field it does not know", async () => {
    const check = validatorOf(document);
    const answerRef = (path: string, method: string, status: number) => {
      const content = document.paths[path]?.[method]?.responses[status]?.content;
      const ref = content?.["application/json"]?.schema.$ref;
      assert.ok(ref, `no JSON answer for ${method} ${path} ${status}`);
      return ref;
    };
    const holds = (path: string, method: string, answer: Answer) => {
      assert.ok(answer.status < 300, `${method} ${path} answered ${answer.status}`);
      check(answerRef(path, method, answer.status), answer.body);
    };

    const desktop = new Desktop(server.url);
    holds("/requests", "post", await desktop.create({ secretInBody: true }));
    const events = await desktop.events();
    const phone = new Phone(server.url, "alice");
    holds("/scan", "post", await phone.scan(desktop.scanToken));
    holds("/requests/{id}", "get", await desktop.request(""));
    holds("/requests/{id}/approve", "post", await phone.approve(desktop.id));
    holds("/requests/{id}/redeem", "post", await desktop.redeem());
    await events.closed();
    const streamed = document.paths["/requests/{id}/events"]?.get?.responses[200]?.content?.["text/event-stream"];
    const eventsRef = streamed?.["x-events"]?.$ref ?? "";
    for (const { event, data } of events.received) check(`${eventsRef}/properties/${event}`, data);
    // `redeeming` shows only if the stream looked while the host's issueSession ran.
    assert.deepEqual(
      events.received.map((e) => e.event).filter((event) => event !== "redeeming"),
      ["scanned", "approved", "redeemed"],
    );

    const push = new Desktop(server.url);
    holds("/requests", "post", await push.create({ mode: "push", login: "ann" }));
    holds("/approver/requests", "get", await new Phone(server.url, "ann").get("/approver/requests"));
    holds("/requests/{id}/deny", "post", await new Phone(server.url, "ann").deny(push.id, "not_me"));

    const cancelled = new Desktop(server.url);
    await cancelled.create();
    holds("/requests/{id}", "delete", await cancelled.request("", { method: "DELETE" }));

    const authorize = await fetch(`${server.url}/qrlogin/oauth/device_authorization`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "client_id=cli",
    });
    check(answerRef("/oauth/device_authorization", "post", 200), await authorize.json());

    const refused = await phone.scan("no-such-token");
    assert.equal(refused.status, 404);
    check("#/components/schemas/ErrorBody", refused.body);

    const created = await new Desktop(server.url).create();
    assert.throws(() => check(answerRef("/requests", "post", 201), { ...created.body, extra: true }), /additional/);
  });

  it("with passkeys on, describes their routes and holds their real answers and events", async () => {
    const alice = new SoftwarePasskey("alice");
    const passkeys = await startServer({
      trustProxy: 1,
      relayPolicy: "passkey",
      approval: {
        userVerification: "required",
        credentials: (userId) => (userId === "alice" ? [alice.credential()] : []),
      },
    });
    try {
      const described = await documentOf(passkeys.url);
      for (const [path, method] of [
        ["/requests/{id}/approval-options", "get"],
        ["/requests/{id}/passkey-options", "get"],
        ["/requests/{id}/passkey", "post"],
      ] as const) {
        assert.ok(described.paths[path]?.[method], `${method} ${path} is described`);
      }
      const check = validatorOf(described);
      const holds = (path: string, method: string, answer: Answer) => {
        assert.ok(answer.status < 300, `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        const ref =
          described.paths[path]?.[method]?.responses[answer.status]?.content?.["application/json"]?.schema.$ref;
        assert.ok(ref, `no JSON answer for ${method} ${path} ${answer.status}`);
        check(ref, answer.body);
      };
      const post = (desktop: Desktop, path: string, body: unknown) =>
        desktop.request(path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });

      // The phone approves with its passkey: a QR answer offering passkey sign-in, the card, the options.
      const desktop = new Desktop(passkeys.url);
      const created = await desktop.create();
      assert.equal(created.body.passkeySignIn, true);
      holds("/requests", "post", created);
      const phone = new Phone(passkeys.url, "alice");
      holds("/scan", "post", await phone.scan(desktop.scanToken));
      const options = await phone.get(`/requests/${desktop.id}/approval-options`);
      holds("/requests/{id}/approval-options", "get", options);
      const challenge = (options.body as unknown as PasskeyChallenge).publicKey;
      assert.ok(challenge);
      holds(
        "/requests/{id}/approve",
        "post",
        await phone.post(`/requests/${desktop.id}/approve`, { assertion: alice.assert(challenge, passkeys.url) }),
      );

      // A relayed scan: the desktop's event says passkey, and it signs in with one.
      const relayed = new Desktop(passkeys.url);
      await relayed.create({}, { "x-forwarded-for": "203.0.113.5" });
      const events = await relayed.events();
      try {
        await new Phone(passkeys.url, "alice", "198.51.100.5").scan(relayed.scanToken);
        const scanned = await events.next("scanned");
        assert.equal(scanned.data.passkeyRequired, true);
        const eventsRef =
          described.paths["/requests/{id}/events"]?.get?.responses[200]?.content?.["text/event-stream"]?.["x-events"]
            ?.$ref ?? "";
        check(`${eventsRef}/properties/scanned`, scanned.data);
        holds("/requests/{id}", "get", await relayed.request(""));
      } finally {
        events.close();
      }

      // A passkey request: its create answer, its options and the sign-in's answer.
      const signIn = new Desktop(passkeys.url);
      holds("/requests", "post", await signIn.create({ mode: "passkey" }));
      const signInOptions = await signIn.request("/passkey-options");
      holds("/requests/{id}/passkey-options", "get", signInOptions);
      const signInChallenge = (signInOptions.body as unknown as PasskeyChallenge).publicKey;
      assert.ok(signInChallenge);
      holds(
        "/requests/{id}/passkey",
        "post",
        await post(signIn, "/passkey", { assertion: alice.assert(signInChallenge, passkeys.url) }),
      );
    } finally {
      await passkeys.close();
    }
  });
});
