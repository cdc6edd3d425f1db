import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Answer, Desktop, Phone } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each bad call gets its own error code, and the request is exactly as it was before. */
describe("bad input: a clear error, never a 500, nothing half-written", () => {
  let server: TestServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    server = await startServer({ origin: "http://127.0.0.1" });
  });
  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    await server.close();
  });

  async function scannedBy(user: string) {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const phone = new Phone(server.url, user);
    assert.equal((await phone.scan(desktop.scanToken)).status, 200);
    return { desktop, phone };
  }

  /** Asserts the error code, and that the request's version did not move. */
  async function refused(desktop: Desktop, answer: Promise<Answer>, status: number, code: string) {
    const before = await desktop.request("");
    const got = await answer;
    assert.equal(got.body.error, code, JSON.stringify(got.body));
    assert.equal(got.status, status);
    assert.equal(typeof got.body.error_description, "string");
    const after = await desktop.request("");
    assert.equal(after.body.version, before.body.version, "state unchanged");
  }

  it("unknown and malformed request ids: REQUEST_NOT_FOUND", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAA", "short", "..%2F..%2Fetc", "x".repeat(300)]) {
      const phone = new Phone(server.url, "alice");
      const answer = await phone.approve(id);
      assert.equal(answer.status, 404, id);
      assert.equal(answer.body.error, "REQUEST_NOT_FOUND", id);
    }
  });

  it("no browser secret, or the wrong one: BROWSER_SECRET_REQUIRED / BROWSER_SECRET_INVALID", async () => {
    const { desktop } = await scannedBy("alice");
    await new Phone(server.url, "alice").approve(desktop.id);
    const thief = new Desktop(server.url);
    thief.id = desktop.id;
    await refused(desktop, thief.redeem(), 401, "BROWSER_SECRET_REQUIRED");
    thief.cookie = `qrlogin-${desktop.id}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    await refused(desktop, thief.redeem(), 403, "BROWSER_SECRET_INVALID");
    await refused(
      desktop,
      thief.request("/redeem", { method: "POST", headers: { authorization: "Bearer nope" } }),
      403,
      "BROWSER_SECRET_INVALID",
    );
    await assert.rejects(thief.events(), { status: 403 });
  });

  it("a second phone scanning a claimed request: ALREADY_CLAIMED, by token and by code", async () => {
    const { desktop } = await scannedBy("alice");
    const other = new Phone(server.url, "mallory");
    await refused(desktop, other.scan(desktop.scanToken), 409, "ALREADY_CLAIMED");
    // A code shown before the scan claims no more than the token.
    const typed = new Desktop(server.url);
    await typed.create();
    await typed.showCode();
    assert.equal((await new Phone(server.url, "alice").typeCode(typed.userCode)).status, 200);
    await refused(typed, other.typeCode(typed.userCode), 409, "ALREADY_CLAIMED");
  });

  it("approval or denial by another user: NOT_YOUR_REQUEST", async () => {
    const { desktop } = await scannedBy("alice");
    const other = new Phone(server.url, "mallory");
    await refused(desktop, other.approve(desktop.id), 403, "NOT_YOUR_REQUEST");
    await refused(desktop, other.deny(desktop.id), 403, "NOT_YOUR_REQUEST");
  });

  it("replays: scan again, approve again, deny after approve, redeem again", async () => {
    const { desktop, phone } = await scannedBy("alice");
    await refused(desktop, phone.scan(desktop.scanToken), 409, "ALREADY_CLAIMED");
    assert.equal((await phone.approve(desktop.id)).status, 200);
    await refused(desktop, phone.approve(desktop.id), 409, "ALREADY_DECIDED");
    await refused(desktop, phone.deny(desktop.id), 409, "ALREADY_DECIDED");
    const first = await desktop.redeem();
    assert.equal(first.status, 200);
    // The desktop's own retry (its answer lost) is answered the same session again, and nothing moves.
    assert.deepEqual((await desktop.redeem()).body, first.body);
    await refused(desktop, desktop.request("", { method: "DELETE" }), 409, "ALREADY_REDEEMED");
  });

  it("redeem before approval: NOT_SCANNED, then authorization_pending", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await refused(desktop, desktop.redeem(), 409, "NOT_SCANNED");
    await new Phone(server.url, "alice").scan(desktop.scanToken);
    await refused(desktop, desktop.redeem(), 400, "authorization_pending");
  });

  it("redeem after the redemption window: expired_token, and no session is issued", async () => {
    // A server of its own with a short window, so that no other test races its clock on a busy machine.
    const short = await startServer({ lifetimes: { redemption: 300 }, origin: "http://127.0.0.1" });
    try {
      const desktop = new Desktop(short.url);
      await desktop.create();
      const phone = new Phone(short.url, "late");
      assert.equal((await phone.scan(desktop.scanToken)).status, 200);
      await phone.approve(desktop.id);
      await sleep(350);
      await refused(desktop, desktop.redeem(), 410, "expired_token");
      assert.ok(!short.sessions.includes("late"));
    } finally {
      await short.close();
    }
  });

  it("phone not signed in: APPROVER_UNAUTHENTICATED", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    await refused(desktop, new Phone(server.url, null).scan(desktop.scanToken), 401, "APPROVER_UNAUTHENTICATED");
  });

  it("unknown scan tokens and user codes: SCAN_TOKEN_INVALID / USER_CODE_INVALID", async () => {
    const phone = new Phone(server.url, "alice");
    for (const token of ["AAAAAAAAAAAAAAAAAAAAAA", "!!", "x".repeat(256)]) {
      assert.equal((await phone.scan(token)).body.error, "SCAN_TOKEN_INVALID", token);
    }
    for (const code of ["BCDF-GHJK", "AEIOU", "1234-5678"]) {
      assert.equal((await phone.typeCode(code)).body.error, "USER_CODE_INVALID", code);
    }
  });

  it("malformed bodies: invalid_request, UNSUPPORTED_MEDIA_TYPE, BODY_TOO_LARGE", async () => {
    const { desktop, phone } = await scannedBy("alice");
    const cases: [unknown, string | undefined, number, string][] = [
      ["{not json", "application/json", 400, "invalid_request"],
      ["[1,2]", "application/json", 400, "invalid_request"],
      ['"text"', "application/json", 400, "invalid_request"],
      ["null", "application/json", 400, "invalid_request"],
      ['{"number": "12"}', "application/json", 400, "invalid_request"],
      ['{"number": 7}', "application/json", 400, "invalid_request"],
      ['{"number": 12.5}', "application/json", 400, "invalid_request"],
      ["number=12", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["{}", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"],
      [`{"pad":"${"x".repeat(9000)}"}`, "application/json", 413, "BODY_TOO_LARGE"],
    ];
    for (const [body, type, status, code] of cases) {
      const headers: Record<string, string> = { "x-test-user": "alice" };
      if (type) headers["content-type"] = type;
      const answer = fetch(`${server.url}/qrlogin/requests/${desktop.id}/approve`, {
        method: "POST",
        headers,
        body: String(body),
      }).then(async (r) => ({ status: r.status, body: await r.json(), headers: r.headers }));
      await refused(desktop, answer, status, code);
    }
    for (const body of [{ token: 42 }, { userCode: ["BCDF"] }, {}, { token: "" }]) {
      assert.equal((await phone.post("/scan", body)).body.error, "invalid_request", JSON.stringify(body));
    }
    assert.equal((await phone.deny(desktop.id, "because")).body.error, "invalid_request");
  });

  it("long-poll parameters are checked", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    for (const query of ["?wait=abc", "?wait=-1", "?version=1.5"]) {
      assert.equal((await desktop.request(query)).body.error, "invalid_request", query);
    }
  });

  it("a state-changing call from another site: BAD_ORIGIN", async () => {
    const { desktop, phone } = await scannedBy("alice");
    const fromEvil = phone.post(`/requests/${desktop.id}/deny`, {}, { origin: "https://evil.example" });
    await refused(desktop, fromEvil, 403, "BAD_ORIGIN");
    const crossSite = desktop.request("/redeem", { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    await refused(desktop, crossSite, 403, "BAD_ORIGIN");
  });

  it("unknown routes and methods: NOT_FOUND / METHOD_NOT_ALLOWED", async () => {
    const get = (path: string, method = "GET") =>
      fetch(`${server.url}${path}`, { method }).then(async (r) => ({ status: r.status, body: await r.json() }));
    assert.deepEqual((await get("/qrlogin/nope")).body.error, "NOT_FOUND");
    assert.deepEqual((await get("/qrlogin/scan")).body.error, "METHOD_NOT_ALLOWED");
    assert.deepEqual((await get("/qrlogin/requests", "PUT")).status, 405);
    assert.deepEqual((await get("/elsewhere")).status, 404);
  });

  it("nothing above produced a 500, a logged error or an unhandled rejection", () => {
    assert.deepEqual(server.errors, []);
    assert.deepEqual(unhandled, []);
  });
});
