import assert from "node:assert/strict";
import { type ClientHttp2Session, connect, createServer, type Http2Server, type IncomingHttpHeaders } from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { http2Binding } from "../../examples/node-http2/http2-binding.ts";
import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import { createQrLogin, MemoryStore, type QrLogin } from "../../src/index.ts";
import type { QrSchedule } from "../../src/wire.ts";
import { TEST_USER_HEADER, testHooks } from "../helpers/server.ts";

/** One HTTP/2 exchange: the answer's headers, and its body once it has ended. */
interface Exchange {
  headers: Promise<IncomingHttpHeaders>;
  /** Resolves once the body holds `needle`; rejects if it ends first. */
  until(needle: string): Promise<void>;
  /** The whole body, once the stream has closed. */
  ended: Promise<string>;
}

/** Sends one request on its own stream of the connection. */
function send(client: ClientHttp2Session, method: string, path: string, headers = {}, body?: unknown): Exchange {
  const stream = client.request({ ":method": method, ":path": path, ...headers });
  stream.setEncoding("utf8");
  let text = "";
  const waiters: (() => void)[] = [];
  let done = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  stream.on("data", (chunk: string) => {
    text += chunk;
    wake();
  });
  const ended = new Promise<string>((resolve) =>
    stream.on("close", () => {
      done = true;
      wake();
      resolve(text);
    }),
  );
  stream.end(body === undefined ? undefined : JSON.stringify(body));
  return {
    headers: new Promise((resolve) => stream.once("response", resolve)),
    async until(needle) {
      while (!text.includes(needle)) {
        if (done) throw new Error(`the stream ended before ${needle}: ${text}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    ended,
  };
}

/** A JSON exchange: status, body and headers. */
async function call(client: ClientHttp2Session, method: string, path: string, headers = {}, body?: unknown) {
  const exchange = send(client, method, path, { "content-type": "application/json", ...headers }, body);
  const answer = await exchange.headers;
  const text = await exchange.ended;
  return { status: answer[":status"], headers: answer, body: text ? JSON.parse(text) : {} };
}

/**
 * The route entry is all a binding needs: the example binding for `node:http2` signs a desktop in over
 * a real HTTP/2 connection (h2c), event stream included, with nothing of qrlogin's own bindings.
 */
describe("a node:http2 binding over the exported route entry", () => {
  const sessions: string[] = [];
  let qr: QrLogin;
  let server: Http2Server;
  let client: ClientHttp2Session;
  before(async () => {
    qr = createQrLogin({
      store: new MemoryStore(),
      ...testHooks((userId) => sessions.push(userId)),
      logger: { warn: () => {}, error: () => {} },
    });
    server = createServer();
    server.on("stream", http2Binding(qr.route));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    client.close();
    await qr.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("create, scan, approve: the desktop's stream sees approved, and redeeming sets the session cookie", async () => {
    const created = await call(client, "POST", "/qrlogin/requests", {}, {});
    assert.equal(created.status, 201);
    const { id, qr: shown } = created.body as { id: string; qr: QrSchedule };
    const cookie = String(created.headers["set-cookie"]).split(";")[0] ?? "";
    assert.match(cookie, new RegExp(`^qrlogin-${id}=`), "plain-text h2c gets no __Host- prefix");

    const events = send(client, "GET", `/qrlogin/requests/${id}/events`, { cookie });
    assert.equal((await events.headers)["content-type"], "text/event-stream; charset=utf-8");
    await events.until("retry: ");

    const phone = { [TEST_USER_HEADER]: "alice" };
    const token = new URL(qrUrlAt(shown, 0) as string).hash.slice(3);
    assert.equal((await call(client, "POST", "/qrlogin/scan", phone, { token })).status, 200);
    await events.until("event: scanned");
    assert.equal((await call(client, "POST", `/qrlogin/requests/${id}/approve`, phone, {})).status, 200);
    await events.until("event: approved");

    const redeemed = await call(client, "POST", `/qrlogin/requests/${id}/redeem`, { cookie }, {});
    assert.equal(redeemed.status, 200);
    assert.deepEqual(redeemed.body, { id, status: "redeemed", userId: "alice", session: { token: "token-of-alice" } });
    assert.ok([redeemed.headers["set-cookie"]].flat().includes("sid=session-of-alice; Path=/; HttpOnly"));
    assert.deepEqual(sessions, ["alice"]);
    await events.until("event: redeemed");
    await events.ended;
  });

  it("refuses an oversized body with 413 and leaves paths outside the base path alone", async () => {
    const big = await call(
      client,
      "POST",
      "/qrlogin/scan",
      { [TEST_USER_HEADER]: "bob" },
      { token: "x".repeat(20_000) },
    );
    assert.deepEqual([big.status, big.body.error], [413, "BODY_TOO_LARGE"]);
    const elsewhere = send(client, "GET", "/elsewhere");
    assert.equal((await elsewhere.headers)[":status"], 404);
    await elsewhere.ended;
  });
});
