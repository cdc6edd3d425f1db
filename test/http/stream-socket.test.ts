import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { Desktop } from "../helpers/clients.ts";
import { testHooks } from "../helpers/server.ts";

describe("an event stream on node:http takes its socket over", () => {
  it("keeps a header another middleware set, is delimited by the close, and ends with qr.close()", async () => {
    const qr = createQrLogin({ ...testHooks(() => {}), store: new MemoryStore(), heartbeatMs: 200 });
    const server = createServer((req, res) => {
      res.setHeader("access-control-allow-origin", "https://app.example");
      qr.nodeHandler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const desktop = new Desktop(`http://127.0.0.1:${port}`);
      await desktop.create();
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.setEncoding("utf8").on("data", (text: string) => {
        received += text;
      });
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.write(
        `GET /qrlogin/requests/${desktop.id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${desktop.cookie}\r\n\r\n`,
      );
      // Heartbeats come through, unframed: no chunk sizes, the body runs until the connection closes.
      for (let i = 0; i < 100 && !received.includes(": heartbeat"); i++) await new Promise((r) => setTimeout(r, 20));
      const [head = "", body = ""] = received.split("\r\n\r\n");
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\ncontent-type: text\/event-stream; charset=utf-8(\r\n|$)/);
      assert.match(head, /\r\naccess-control-allow-origin: https:\/\/app\.example(\r\n|$)/);
      assert.match(head, /\r\nconnection: close(\r\n|$)/);
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.match(body, /^retry: \d+\n\n(: heartbeat\n\n)+$/);

      await qr.close();
      await closed;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
