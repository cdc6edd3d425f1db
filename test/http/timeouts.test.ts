import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { applyServerTimeouts, SERVER_TIMEOUTS } from "../../src/http/server-timeouts.ts";
import { createQrLogin, type QrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { Desktop } from "../helpers/clients.ts";
import { testHooks } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw connection that keeps what the server sends and knows when the server closed it. */
function rawClient(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve({ socket, received: () => text, closed }));
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
    });
    const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now() - started)));
    socket.once("error", reject);
  });
}

/** Writes `text` a character every `everyMs`, until the socket closes. */
async function trickle(socket: Socket, text: string, everyMs: number): Promise<void> {
  for (const character of text) {
    if (socket.destroyed) return;
    socket.write(character);
    await sleep(everyMs);
  }
}

/**
 * The `npm start` timeouts, scaled down to under a second and checked every 50 ms instead of node's
 * 30 s, against a real server: slow and silent clients are cut, event streams and long-polls are not.
 * As in production, the idle timeout is longer than the longest long-poll and the heartbeat.
 */
describe("server timeouts: slowloris is cut, streams are not", () => {
  let qr: QrLogin;
  let server: Server;
  let url: string;
  let port: number;
  before(async () => {
    qr = createQrLogin({
      store: new MemoryStore(),
      ...testHooks(() => {}),
      heartbeatMs: 100,
      maxWaitMs: 1_000,
      logger: { warn: () => {}, error: () => {} },
    });
    server = createServer({ connectionsCheckingInterval: 50 }, qr.nodeHandler);
    applyServerTimeouts(server, {
      headersTimeout: 400,
      requestTimeout: 500,
      keepAliveTimeout: 200,
      idleTimeout: 1_200,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await qr.close();
  });

  it("an event stream outlives the request timeout and the idle timeout: heartbeats keep it open", async () => {
    const desktop = new Desktop(url);
    await desktop.create();
    const events = await desktop.events();
    await sleep(2_000);
    assert.equal(events.ended, false, "the stream is still open");
    assert.ok(events.comments >= 10, `heartbeats: ${events.comments}`);
    events.close();
  });

  it("a long-poll answered after the request timeout is answered", async () => {
    const desktop = new Desktop(url);
    await desktop.create();
    const { version } = (await desktop.request("")).body;
    const started = Date.now();
    const answer = await desktop.request(`?wait=0.9&version=${version}`);
    assert.equal(answer.status, 200);
    assert.ok(Date.now() - started >= 800, "it waited past the 500 ms request timeout");
  });

  it("a body trickled in is cut by the request timeout with 408", async () => {
    const { socket, received, closed } = await rawClient(port);
    const headers =
      "POST /qrlogin/requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    socket.write(headers);
    void trickle(socket, " ".repeat(200), 40);
    const after = await closed;
    assert.match(received(), /^HTTP\/1\.1 408/);
    assert.ok(after < 2_000, `closed after ${after} ms`);
  });

  it("headers trickled in are cut by the headers timeout with 408", async () => {
    const { socket, received, closed } = await rawClient(port);
    void trickle(socket, `GET /qrlogin/requests/x HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(200)}`, 40);
    const after = await closed;
    assert.match(received(), /^HTTP\/1\.1 408/);
    assert.ok(after < 2_000, `closed after ${after} ms`);
  });

  it("a connection that sends nothing is closed", async () => {
    const { closed } = await rawClient(port);
    const after = await closed;
    assert.ok(after < 2_000, `closed after ${after} ms`);
  });

  it("the real timeouts leave room for the default heartbeat (15 s) and the longest long-poll (30 s)", () => {
    assert.ok(SERVER_TIMEOUTS.idleTimeout > 2 * 15_000 && SERVER_TIMEOUTS.idleTimeout > 30_000);
    assert.ok(SERVER_TIMEOUTS.headersTimeout <= SERVER_TIMEOUTS.requestTimeout);
  });
});
