import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";

/** Malformed calls per run; `QRLOGIN_FUZZ_RUNS=10000` for the long run SECURITY.md reports. */
const RUNS = Number(process.env.QRLOGIN_FUZZ_RUNS ?? 600);

/**
 * Every endpoint, fed malformed, oversized and wrongly typed input through the Web handler:
 * never a 5xx, never an unexpected error, and the request under attack only changes when the
 * answer says it did (2xx).
 */
describe("fuzzing every endpoint", () => {
  it(`no 5xx and no change of state on refused input (${RUNS} calls)`, async () => {
    const errors: unknown[] = [];
    const qr = createQrLogin({
      store: new MemoryStore(),
      origin: "https://example.com",
      findUser: (login) => (login === "alice" ? { userId: "alice" } : null),
      approval: { userVerification: "preferred", credentials: () => [] },
      authenticateApprover: (req) => (req.header("x-user") ? { userId: String(req.header("x-user")) } : null),
      issueSession: () => ({}),
      limits: { createPerIp: { max: 1e9, windowMs: 1000 }, scanPerIp: { max: 1e9, windowMs: 1000 } },
      logger: { warn: () => {}, error: (_m: string, e: unknown) => errors.push(e) },
    });
    const call = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      qr.handler(
        new Request(`https://example.com${path}`, {
          method,
          headers,
          body: method === "GET" || method === "HEAD" ? undefined : body,
        }),
        { ip: "192.0.2.9" },
      );
    const created = await call("POST", "/qrlogin/requests", {}, undefined);
    const target = (await created.json()) as { id: string };
    const cookie = (created.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const versionOf = async () => {
      const r = await call("GET", `/qrlogin/requests/${target.id}`, { cookie });
      return ((await r.json()) as { version: number }).version;
    };

    const paths = [
      "/qrlogin/requests",
      "/qrlogin/requests/:id",
      "/qrlogin/requests/:id/events",
      "/qrlogin/requests/:id/redeem",
      "/qrlogin/requests/:id/approve",
      "/qrlogin/requests/:id/deny",
      "/qrlogin/requests/:id/approval-options",
      "/qrlogin/requests/:id/passkey-options",
      "/qrlogin/requests/:id/passkey",
      "/qrlogin/scan",
      "/qrlogin/approver/requests",
      "/qrlogin/approver/events",
      "/qrlogin/%00",
      "/qrlogin/requests/:id/../../scan",
    ];
    const bodyArb = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc.anything().map((v) => JSON.stringify(v) ?? "null"),
      fc
        .record({
          token: fc.anything(),
          userCode: fc.anything(),
          number: fc.anything(),
          reason: fc.anything(),
          assertion: fc.anything(),
        })
        .map((v) => JSON.stringify(v)),
      fc.record({ mode: fc.anything(), login: fc.anything(), publicKey: fc.anything() }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 8000, max: 40_000 }).map((n) => `{"token":"${"A".repeat(n)}"}`),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
    );
    const requestArb = fc.record({
      method: fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH"),
      path: fc.constantFrom(...paths),
      id: fc.oneof(
        fc.constant(target.id),
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
        fc.constant("A".repeat(22)),
      ),
      contentType: fc.constantFrom(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
        "application/json; charset=utf-8",
      ),
      user: fc.constantFrom("", "alice", "mallory"),
      withCookie: fc.boolean(),
      origin: fc.constantFrom("", "https://example.com", "https://evil.example", "null"),
      lastEventId: fc.constantFrom("", "0", "-1", "abc", "99999999999999999999", "1\r\nevent: x"),
      body: bodyArb,
      query: fc.constantFrom("", "?wait=0", "?wait=abc", "?wait=1e9&version=0", "?version=-5", "?wait=0.01&version=1"),
    });

    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers["content-type"] = r.contentType;
        if (r.user) headers["x-user"] = r.user;
        if (r.withCookie) headers.cookie = cookie;
        if (r.origin) headers.origin = r.origin;
        if (r.lastEventId && !/[\r\n]/.test(r.lastEventId)) headers["last-event-id"] = r.lastEventId;
        const path = r.path.replace(":id", r.id) + (r.path.endsWith("/events") ? "" : r.query);
        const before = await versionOf();
        const controller = new AbortController();
        const response = await qr.handler(
          new Request(`https://example.com${path}`, {
            method: r.method,
            headers,
            body: r.method === "GET" ? undefined : r.body,
            signal: controller.signal,
          }),
          { ip: "192.0.2.9" },
        );
        controller.abort();
        await response.body?.cancel().catch(() => {});
        assert.ok(response.status < 500, `${r.method} ${path} → ${response.status}`);
        if (response.status >= 300) assert.equal(await versionOf(), before, `${r.method} ${path} changed state`);
      }),
      { numRuns: RUNS },
    );
    assert.deepEqual(errors, []);
    await qr.close();
  });
});
