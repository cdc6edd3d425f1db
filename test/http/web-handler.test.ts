import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { QrSchedule } from "../../src/wire.ts";

/** The Web-standard binding, called with `new Request(...)`: no port, no server. */
describe("Web handler (Request → Response)", () => {
  const qr = createQrLogin({
    store: new MemoryStore(),
    origin: "https://example.com",
    authenticateApprover: (req) => (req.header("authorization") === "Phone alice" ? { userId: "alice" } : null),
    issueSession: ({ userId }) => ({ body: { token: `t-${userId}` } }),
    logger: { warn: () => {}, error: () => {} },
  });
  const call = (path: string, init: RequestInit = {}) =>
    qr.handler(new Request(`https://example.com${path}`, init), { ip: "198.51.100.1" });
  const json = { "content-type": "application/json" };

  it("runs the whole flow, with the event stream as a ReadableStream", async () => {
    const created = await call("/qrlogin/requests", { method: "POST" });
    assert.equal(created.status, 201);
    const request = (await created.json()) as { id: string; qr: QrSchedule };
    const shown = qrUrlAt(request.qr, 0) as string;
    assert.match(shown, /^https:\/\/example\.com\/qrlogin\/a#t=/);
    const cookie = (created.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    assert.match(cookie, new RegExp(`^__Host-qrlogin-${request.id}=`), "HTTPS gets the __Host- prefix");
    assert.match(created.headers.get("set-cookie") ?? "", /; Path=\/; .*Secure/);
    assert.doesNotMatch(created.headers.get("set-cookie") ?? "", /Domain=/);

    const controller = new AbortController();
    const events = await call(`/qrlogin/requests/${request.id}/events`, {
      headers: { cookie },
      signal: controller.signal,
    });
    assert.equal(events.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value);
      }
    };

    const token = new URL(shown).hash.slice(3);
    const phone = { ...json, authorization: "Phone alice" };
    const scan = await call("/qrlogin/scan", { method: "POST", headers: phone, body: JSON.stringify({ token }) });
    assert.equal(scan.status, 200);
    assert.equal(((await scan.json()) as { requester: { ip: string } }).requester.ip, "198.51.100.1");
    await readUntil("event: scanned");
    await call(`/qrlogin/requests/${request.id}/approve`, { method: "POST", headers: phone });
    await readUntil("event: approved");
    const redeemed = await call(`/qrlogin/requests/${request.id}/redeem`, { method: "POST", headers: { cookie } });
    assert.deepEqual(await redeemed.json(), {
      id: request.id,
      status: "redeemed",
      userId: "alice",
      session: { token: "t-alice" },
    });
    await readUntil("event: redeemed");
    controller.abort();
  });

  it("refuses another origin and oversized bodies", async () => {
    const evil = await call("/qrlogin/requests", { method: "POST", headers: { origin: "https://evil.example" } });
    assert.equal(evil.status, 403);
    const big = await call("/qrlogin/scan", {
      method: "POST",
      headers: { ...json, authorization: "Phone alice" },
      body: JSON.stringify({ token: "x".repeat(20_000) }),
    });
    assert.equal(big.status, 413);
  });

  it("answers 404 outside its base path", async () => {
    assert.equal((await call("/other")).status, 404);
  });

  it("writes a QR answer's URLs as they are, whatever the Host (here with $ patterns) of a site without `origin`", async () => {
    const open = createQrLogin({
      store: new MemoryStore(),
      authenticateApprover: () => null,
      issueSession: () => ({ body: {} }),
      logger: { warn: () => {}, error: () => {} },
    });
    const site = "https://a$`b$'c$&.example";
    const created = await open.handler(new Request(`${site}/qrlogin/requests`, { method: "POST" }), {
      ip: "198.51.100.1",
    });
    const body = (await created.json()) as { mode: string; qr: QrSchedule };
    assert.equal(body.mode, "qr");
    assert.equal(body.qr.periods, 6);
    for (let period = 0; period < body.qr.periods; period++)
      assert.match(
        qrUrlAt(body.qr, period) as string,
        /^https:\/\/a\$`b\$'c\$&\.example\/qrlogin\/a#t=[A-Za-z0-9_-]{52}$/,
      );
    await open.close();
  });
});
