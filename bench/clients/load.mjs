// A load-generator process, driven by bench/run.mjs over IPC: it holds waiting desktops (event
// streams) or polling devices, or measures sign-ins. It never shares a process with a server.
import { performance } from "node:perf_hooks";
import {
  betterAuthDevice,
  betterAuthSignUp,
  oidcDevice,
  pollingSignIn,
  pollingWaiter,
  qrSample,
  qrWaiter,
} from "../lib/flows.mjs";
import { keepAlive, sleep } from "../lib/http.mjs";

const counters = { events: 0, unexpected: 0, ended: 0, failed: 0, refused: 0, unanswered: 0, polls: 0, slowDowns: 0 };
const streams = [];
const stop = { stopped: false };
const createAgent = keepAlive(16);

/**
 * Runs `count` tasks with at most `parallel` at once, started evenly over `spreadMs` (so that the
 * waiting desktops' QR rotations fall evenly over the rotation period instead of in one burst).
 */
async function spread(count, spreadMs, parallel, task, deadlineMs = Number.POSITIVE_INFINITY) {
  const started = performance.now();
  let next = 0;
  let done = 0;
  let failures = 0;
  let firstError;
  const worker = async () => {
    while (next < count && performance.now() - started < deadlineMs) {
      const i = next++;
      const due = started + (spreadMs * i) / count;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      try {
        await task(i);
        done++;
      } catch (error) {
        failures++;
        firstError ??= String(error?.stack ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { ms: performance.now() - started, done, failures, firstError };
}

function peerDevice(peer, base, agents) {
  if (peer === "better-auth") return betterAuthDevice(base, agents);
  if (peer === "oidc-provider") return oidcDevice(base, agents);
  throw new Error(`unknown peer ${peer}`);
}

const commands = {
  /** Opens `count` waiting desktops, round-robin over `bases`. */
  async qrWaiters({ bases, count, spreadMs }) {
    const result = await spread(count, spreadMs, 64, async (i) => {
      streams.push(await qrWaiter(bases[i % bases.length], createAgent, counters));
    });
    counters.failed += result.failures;
    const { refused, unanswered } = counters;
    return { ...result, open: streams.filter((s) => !s.ended).length, refused, unanswered };
  },

  /** Starts `count` devices that poll their code every `intervalMs`, each on its own connection. */
  async pollWaiters({ peer, base, count, intervalMs, spreadMs, deadlineMs }) {
    // A peer that cannot keep up with the polls starves the creation of more devices: give up at the deadline.
    const result = await spread(
      count,
      spreadMs,
      32,
      async () => {
        const agent = keepAlive(1);
        await pollingWaiter(peerDevice(peer, base, { deviceAgent: agent }), intervalMs, counters, stop);
      },
      deadlineMs,
    );
    counters.failed += result.failures;
    return result;
  },

  counters() {
    return { ...counters, open: streams.filter((s) => !s.ended).length };
  },

  /** `samples` sign-ins one after the other; desktop and phone on different bases when there are several. */
  async qrLatency({ desktopBases, phoneBases, samples, gapMs = 0 }) {
    const desktopAgent = keepAlive(4);
    const phoneAgent = keepAlive(4);
    const results = [];
    for (let i = 0; i < samples; i++) {
      const d = i % desktopBases.length;
      const desktopBase = desktopBases[d];
      const phoneBase = phoneBases[(d + 1) % phoneBases.length];
      results.push(await qrSample({ desktopBase, phoneBase, desktopAgent, phoneAgent }));
      if (gapMs > 0) await sleep(gapMs);
    }
    desktopAgent.destroy();
    phoneAgent.destroy();
    return results;
  },

  /** `samples` polling sign-ins, `concurrency` at a time. */
  async pollLatency({ peer, base, intervalMs, samples, concurrency }) {
    const deviceAgent = keepAlive(concurrency);
    const phoneAgent = keepAlive(concurrency);
    const phoneCookie = peer === "better-auth" ? await betterAuthSignUp(base, phoneAgent) : undefined;
    const device = peerDevice(peer, base, { deviceAgent, phoneAgent, phoneCookie });
    const results = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < samples) {
          next++;
          results.push(await pollingSignIn(device, intervalMs));
        }
      }),
    );
    deviceAgent.destroy();
    phoneAgent.destroy();
    return results;
  },

  closeAll() {
    stop.stopped = true;
    for (const stream of streams.splice(0)) stream.close();
    return true;
  },
};

process.on("message", async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.on("disconnect", () => process.exit(0));
