import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer } from "../helpers/server.ts";

describe("push approval with number matching", () => {
  it("the desktop asks for an account; its phone hears at once, types the number, and the desktop is signed in", async () => {
    const server = await startServer({ findUser: (login) => (login === "ann@example.com" ? { userId: "ann" } : null) });
    try {
      const phone = new Phone(server.url, "ann");
      const inbox = await phone.events();
      const desktop = new Desktop(server.url);
      const created = await desktop.create({ mode: "push", login: "ann@example.com" });
      assert.equal(created.status, 201);
      const number = Number(created.body.comparison);
      const events = await desktop.events();
      const scanned = await events.next("scanned");
      assert.equal(scanned.data.comparison, number, "the desktop shows the number");
      assert.equal(scanned.data.approver, "a•••@example.com");

      const push = await inbox.next("push");
      assert.equal(push.data.id, desktop.id);
      assert.equal(push.data.numberRequired, true);
      assert.equal("choices" in push.data, false, "the phone is offered no numbers to pick from");
      assert.equal((await phone.approve(desktop.id, number)).status, 200);
      await events.next("approved");
      await inbox.next("resolved");
      assert.equal((await desktop.redeem()).body.userId, "ann");
      inbox.close();
    } finally {
      await server.close();
    }
  });

  it("a push nobody answers expires, and leaves the phone's list by itself", async () => {
    const server = await startServer({ findUser: () => ({ userId: "ben" }), lifetimes: { pending: 300 } });
    try {
      const phone = new Phone(server.url, "ben");
      const inbox = await phone.events();
      const desktop = new Desktop(server.url);
      await desktop.create({ mode: "push", login: "ben" });
      await inbox.next("push");
      assert.deepEqual((await inbox.next("resolved", 2000)).data, { id: desktop.id });
      assert.equal((await desktop.request("")).body.status, "expired");
      inbox.close();
    } finally {
      await server.close();
    }
  });

  it("is refused with PUSH_DISABLED where the host gave no findUser", async () => {
    const server = await startServer();
    try {
      const answer = await new Desktop(server.url).create({ mode: "push", login: "x" });
      assert.deepEqual([answer.status, answer.body.error], [400, "PUSH_DISABLED"]);
    } finally {
      await server.close();
    }
  });
});
