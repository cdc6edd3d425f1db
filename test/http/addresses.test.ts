import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { testHooks } from "../helpers/server.ts";

describe("client addresses", () => {
  it("a dual-stack server shows an IPv4 client as 127.0.0.1, not ::ffff:127.0.0.1", async (t) => {
    const qr = createQrLogin({ ...testHooks(() => {}), store: new MemoryStore(), logger: { warn() {}, error() {} } });
    const server = createServer(qr.nodeHandler);
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(0, "::", () => resolve(true));
    });
    if (!listening) {
      t.skip("no IPv6 on this machine: a server cannot listen on ::");
      return qr.close();
    }
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const desktop = new Desktop(base);
      await desktop.create();
      const card = await new Phone(base, "alice").scan(desktop.scanToken);
      assert.equal((card.body.requester as { ip: string }).ip, "127.0.0.1");
      assert.equal((card.body.requester as { sameNetwork: boolean }).sameNetwork, true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await qr.close();
    }
  });
});
