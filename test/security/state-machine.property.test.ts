import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { QrLoginError } from "../../src/core/errors.ts";
import { hashSecret } from "../../src/core/secrets.ts";
import { formatUserCode } from "../../src/core/user-code.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { desktopRequester, flowsOver, ManualClock, scanTokensOf } from "../../src/testing/fixtures.ts";

/**
 * Random interleavings of every operation by the desktop, the user's phone, an attacker (phone and
 * desktop) and the clock, run concurrently in batches against the real flows and store. Whatever
 * happens, no request is redeemed without an approval by the user who claimed it, never twice,
 * and never by anyone without the browser secret.
 */
const USERS = ["alice", "mallory"] as const;
type User = (typeof USERS)[number];
/** Where each party calls from: alice's phone beside her desktop, mallory elsewhere. */
const CALLERS = { alice: { ip: "203.0.113.50" }, mallory: { ip: "198.51.100.66" } } as const;
const DESKTOP = { ip: desktopRequester.ip as string };
/** Runs per property; `QRLOGIN_PROPERTY_RUNS=10000` for the long run SECURITY.md reports. */
const RUNS = Number(process.env.QRLOGIN_PROPERTY_RUNS ?? 300);

const command = fc.oneof(
  fc.record({ op: fc.constant("scan" as const), by: fc.constantFrom(...USERS), old: fc.boolean() }),
  fc.record({ op: fc.constant("code" as const), by: fc.constantFrom(...USERS), old: fc.boolean() }),
  fc.record({
    op: fc.constant("approve" as const),
    by: fc.constantFrom(...USERS),
    number: fc.option(fc.integer({ min: 10, max: 99 })),
  }),
  fc.record({ op: fc.constant("deny" as const), by: fc.constantFrom(...USERS) }),
  fc.record({ op: fc.constant("redeem" as const), who: fc.constantFrom("desktop", "no-secret", "wrong-secret") }),
  fc.record({ op: fc.constant("cancel" as const), who: fc.constantFrom("desktop", "wrong-secret") }),
  fc.record({ op: fc.constant("showCode" as const) }),
  fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 70_000 }) }),
);

type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

async function play(push: boolean, batches: Command[][]) {
  const clock = new ManualClock();
  const flows = flowsOver(new MemoryStore(), clock, {
    findUser: (login) => (login === "alice" ? { userId: "alice" } : null),
  });
  const created = push
    ? await flows.createPush({ login: "alice", requester: desktopRequester }, DESKTOP)
    : await flows.create({ requester: desktopRequester }, DESKTOP);
  const id = created.request.id;
  // The desktop holds every period's token; it shows the one of the clock's period.
  const tokens = scanTokensOf(created);
  const shownToken = () =>
    tokens[Math.min(tokens.length - 1, Math.floor((clock.now() - created.request.createdAt) / 20_000))];
  const codes: string[] = [];
  let claimedBy: User | null = push ? "alice" : null;
  const approvedBy: User[] = [];
  let redeemed = 0;
  let sessions = 0;

  const run = async (c: Command) => {
    try {
      switch (c.op) {
        case "scan": {
          const token = (c.old ? tokens[0] : shownToken()) ?? "no token: a push request shows none";
          const r = await flows.scanToken(token, { userId: c.by }, CALLERS[c.by]);
          assert.equal(claimedBy, null, "a request is claimed once");
          claimedBy = r.approverId as User;
          assert.equal(claimedBy, c.by);
          return;
        }
        case "code": {
          const code = (c.old ? codes[0] : codes.at(-1)) ?? "BCDFGHJK";
          const r = await flows.scanUserCode(formatUserCode(code), { userId: c.by }, CALLERS[c.by]);
          assert.equal(claimedBy, null, "a request is claimed once");
          claimedBy = r.approverId as User;
          return;
        }
        case "approve":
          await flows.approve(id, { userId: c.by }, c.number ?? undefined, CALLERS[c.by]);
          approvedBy.push(c.by);
          return;
        case "deny":
          await flows.deny(id, { userId: c.by }, null, CALLERS[c.by]);
          return;
        case "redeem": {
          const secret =
            c.who === "desktop" ? created.browserSecret : c.who === "wrong-secret" ? "x".repeat(43) : undefined;
          let issued = false;
          const { request: r, session } = await flows.redeem(id, secret, undefined, DESKTOP, () => {
            issued = true;
            sessions++;
            return "session";
          });
          assert.equal(session, "session");
          // A redemption issues a session; the desktop asking again is answered the same one (a replay).
          if (issued) redeemed++;
          assert.equal(c.who, "desktop", "only the holder of the browser secret redeems");
          assert.ok(
            claimedBy !== null && approvedBy.includes(claimedBy),
            "redeemed only after approval by the claimer",
          );
          assert.equal(r.approverId, claimedBy);
          return;
        }
        case "cancel":
          await flows.cancel(id, c.who === "desktop" ? created.browserSecret : "y".repeat(43), DESKTOP);
          assert.equal(c.who, "desktop");
          return;
        case "showCode": {
          codes.push((await flows.showUserCode(id, created.browserSecret)).userCode);
          return;
        }
        case "wait":
          clock.advance(c.ms);
          return;
      }
    } catch (error) {
      if (error instanceof QrLoginError) return; // refused: the property is about what gets through
      throw error;
    }
  };

  for (const batch of batches) await Promise.all(batch.map(run));
  const final = await flows.get(id);
  assert.ok(redeemed <= 1, "never redeemed twice");
  assert.ok(sessions <= 1, "a session is issued at most once");
  if (final.state === "redeemed") {
    assert.equal(redeemed, 1);
    assert.ok(approvedBy.includes(final.approverId as User));
  }
  if (approvedBy.length > 0)
    assert.ok(
      approvedBy.every((u) => u === claimedBy),
      "only the claimer approves",
    );
  assert.equal(final.browserSecretHash, hashSecret(created.browserSecret));
}

describe("state machine properties (fast-check)", () => {
  const batches = fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { maxLength: 25 });

  it("QR requests: redeemed only after approval by the user who scanned, at most once, only by the desktop", async () => {
    await fc.assert(
      fc.asyncProperty(batches, (b) => play(false, b)),
      { numRuns: RUNS },
    );
  });

  it("push requests: the same, and no approval without the number", async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (b) => {
        await play(true, b);
      }),
      { numRuns: RUNS },
    );
  });

  it("push: one try — an approval always carried the right number, and only as the first answer", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 10, max: 99 }), { minLength: 1, maxLength: 5 }), async (numbers) => {
        const clock = new ManualClock();
        const flows = flowsOver(new MemoryStore(), clock, { findUser: () => ({ userId: "alice" }) });
        const { request } = await flows.createPush({ login: "alice", requester: desktopRequester }, DESKTOP);
        for (const n of numbers) {
          const ok = await flows.approve(request.id, { userId: "alice" }, n, CALLERS.alice).then(
            () => true,
            () => false,
          );
          if (ok) assert.equal(n, request.comparison);
        }
        const final = await flows.get(request.id);
        if (final.state === "approved") assert.equal(numbers[0], request.comparison, "a wrong first answer ends it");
        else assert.equal(final.state, numbers[0] === request.comparison ? "approved" : "denied");
      }),
      { numRuns: RUNS },
    );
  });

  it("push: every number sent at once, in any order — the first to land decides, so a blind guess wins 1 in 90", async () => {
    let approved = 0;
    const trials = 180;
    for (let t = 0; t < trials; t++) {
      const flows = flowsOver(new MemoryStore(), new ManualClock(), { findUser: () => ({ userId: "alice" }) });
      const { request } = await flows.createPush({ login: "alice", requester: desktopRequester }, DESKTOP);
      const guesses = fc.sample(
        fc.shuffledSubarray(
          Array.from({ length: 90 }, (_, i) => i + 10),
          { minLength: 90 },
        ),
        1,
      )[0] as number[];
      const answers = await Promise.all(
        guesses.map((n) =>
          flows.approve(request.id, { userId: "alice" }, n, CALLERS.alice).then(
            () => n,
            () => null,
          ),
        ),
      );
      const wins = answers.filter((n) => n !== null);
      assert.ok(wins.length <= 1, "one answer counts");
      if (wins.length === 1) {
        assert.equal(wins[0], request.comparison);
        assert.equal(guesses[0], request.comparison, "only when the right number was the first to land");
        approved++;
      } else assert.equal((await flows.get(request.id)).deniedReason, "wrong_number");
    }
    // Expected 2 of 180; more than 12 has a chance below one in a million for a fair 1-in-90 guess.
    assert.ok(approved <= 12, `${approved} of ${trials} blind guessers got in`);
  });
});
