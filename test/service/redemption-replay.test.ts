import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, describe, it } from "node:test";
import { parseBrowserKey, redemptionMessage } from "../../src/core/browser-key.ts";
import { DEFAULT_LIFETIMES } from "../../src/core/lifetimes.ts";
import type { FlowStep, LoginFlows } from "../../src/service/login-flows.ts";
import type { LoginStore } from "../../src/store/login-store.ts";
import { desktopRequester, flowsOver, ManualClock, scanTokensOf } from "../../src/testing/fixtures.ts";
import { allStoreKinds } from "../helpers/stores.ts";

const DESKTOP = { ip: desktopRequester.ip as string };
const PHONE = { ip: "203.0.113.50" };

/** A host hook that numbers the sessions it starts, so a second one would show. */
function countingHook() {
  const calls: string[] = [];
  const signIn = async (request: { id: string }) => {
    calls.push(request.id);
    return { setCookie: `sid=session-${calls.length}; Path=/; HttpOnly`, body: { token: `token-${calls.length}` } };
  };
  return { calls, signIn };
}

/** An approved request of alice's on `flows`, with the desktop's secrets. */
async function approved(flows: LoginFlows, publicKey: string | null = null) {
  const created = await flows.create({ requester: desktopRequester, publicKey }, DESKTOP);
  await flows.scanToken(scanTokensOf(created)[0] as string, { userId: "alice" }, PHONE);
  await flows.approve(created.request.id, { userId: "alice" }, undefined, PHONE);
  return created;
}

for (const kind of await allStoreKinds()) {
  describe(`a redemption whose answer was lost, on the ${kind.name} store`, { skip: kind.skip }, () => {
    const stores: LoginStore[] = [];
    after(async () => {
      for (const store of stores) await store.close();
      await kind.cleanup();
    });
    async function setUp() {
      const store = await kind.open();
      stores.push(store);
      const clock = new ManualClock();
      const steps: FlowStep["type"][] = [];
      const flows = flowsOver(store, clock, { observe: (step) => steps.push(step.type) });
      return { store, clock, steps, flows };
    }

    it("is answered again to the same desktop: the same session, no second hook, no change, no second alert", async () => {
      const { store, flows, steps } = await setUp();
      const { request, browserSecret } = await approved(flows);
      const hook = countingHook();
      const first = await flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn);
      const stored = await store.get(request.id);
      const again = await flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn);
      assert.deepEqual(again.session, first.session);
      assert.equal(hook.calls.length, 1, "issueSession ran once");
      assert.deepEqual(await store.get(request.id), stored, "the request did not change");
      assert.equal((await flows.listAlerts("alice")).filter((a) => a.reason === "new_device").length, 1);
      assert.deepEqual(
        steps.filter((s) => s === "redeemed" || s === "replayed"),
        ["redeemed", "replayed"],
      );
    });

    it("is refused to anyone without the browser secret, and to everyone after the redemption window", async () => {
      const { flows, clock } = await setUp();
      const { request, browserSecret } = await approved(flows);
      const hook = countingHook();
      await flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn);
      await assert.rejects(flows.redeem(request.id, undefined, undefined, DESKTOP, hook.signIn), {
        code: "BROWSER_SECRET_REQUIRED",
      });
      await assert.rejects(flows.redeem(request.id, `${browserSecret}x`, undefined, DESKTOP, hook.signIn), {
        code: "BROWSER_SECRET_INVALID",
      });
      clock.advance(DEFAULT_LIFETIMES.redemption - 1);
      await flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn);
      clock.advance(1);
      await assert.rejects(flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn), {
        code: "ALREADY_REDEEMED",
      });
      assert.equal(hook.calls.length, 1);
    });

    it("needs the browser key's proof again when the request has one", async () => {
      const { flows } = await setUp();
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string; y: string };
      const { request, browserSecret } = await approved(flows, parseBrowserKey(jwk));
      const signature = sign("sha256", Buffer.from(redemptionMessage(request.id)), {
        key: privateKey,
        dsaEncoding: "ieee-p1363",
      }).toString("base64url");
      const hook = countingHook();
      const first = await flows.redeem(request.id, browserSecret, signature, DESKTOP, hook.signIn);
      await assert.rejects(flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn), {
        code: "BROWSER_KEY_REQUIRED",
      });
      const again = await flows.redeem(request.id, browserSecret, signature, DESKTOP, hook.signIn);
      assert.deepEqual(again.session, first.session);
      assert.equal(hook.calls.length, 1);
    });

    it("under concurrent retries: one hook call, and every retry that got a session got the same one", async () => {
      const { flows } = await setUp();
      const { request, browserSecret } = await approved(flows);
      const hook = countingHook();
      const racing = await Promise.allSettled(
        Array.from({ length: 8 }, () => flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn)),
      );
      const won = racing.filter((r) => r.status === "fulfilled").map((r) => r.value.session);
      assert.ok(won.length >= 1);
      for (const r of racing) {
        if (r.status === "rejected") assert.equal(r.reason.code, "REDEMPTION_IN_PROGRESS");
      }
      const retries = await Promise.all(
        Array.from({ length: 8 }, () => flows.redeem(request.id, browserSecret, undefined, DESKTOP, hook.signIn)),
      );
      for (const session of [...won, ...retries.map((r) => r.session)]) assert.deepEqual(session, won[0]);
      assert.equal(hook.calls.length, 1);
    });

    it("a hook result JSON cannot carry fails like the hook, and the approval is kept", async () => {
      const { flows } = await setUp();
      const { request, browserSecret } = await approved(flows);
      await assert.rejects(
        flows.redeem(request.id, browserSecret, undefined, DESKTOP, () => ({ n: 1n })),
        { code: "SESSION_FAILED" },
      );
      assert.equal((await flows.get(request.id)).state, "approved");
    });
  });
}
