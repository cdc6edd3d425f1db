import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import type { LoginRequest } from "../../src/core/login-request.ts";
import { createDemoServer } from "../../src/demo/app.ts";
import { createQrLogin, MemoryStore } from "../../src/index.ts";
import { MeasuredStore } from "../../src/observability/measured-store.ts";
import { METRIC_NAMES, type StoreOperation } from "../../src/observability/metrics-recorder.ts";
import { UserCodeTakenError } from "../../src/store/login-store.ts";
import { ManualClock } from "../../src/testing/fixtures.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer, testHooks } from "../helpers/server.ts";
import { samples, sampleValue } from "./scrape.ts";

const STEPS = METRIC_NAMES.steps;

/** Polls `check` until it holds: a stream's slot comes back once its socket has closed. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`${what} did not happen within 5 s`);
}

describe("metrics", () => {
  it("count a whole sign-in over HTTP: each step by mode, the approval's redemption time, a refusal by its limit", async () => {
    const server = await startServer({ metrics: true, limits: { scanPerApprover: { max: 2, windowMs: 60_000 } } });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      const events = await desktop.events();
      const open = await server.qr.metrics();
      assert.match(open.contentType, /^text\/plain; version=0\.0\.4/);
      assert.equal(
        sampleValue(open.body, METRIC_NAMES.streams, { kind: "desktop" }),
        1,
        "the desktop's stream is open",
      );

      const phone = new Phone(server.url, "alice");
      assert.equal((await phone.scan(desktop.scanToken)).status, 200);
      await events.next("scanned");
      assert.equal((await phone.approve(desktop.id)).status, 200);
      await events.next("approved");
      assert.equal((await desktop.redeem()).status, 200);
      await events.closed();

      const guesser = new Phone(server.url, "mallory");
      const refused = [];
      for (let i = 0; i < 3; i++) refused.push((await guesser.scan(`guess-${i}`)).status);
      assert.deepEqual(refused, [404, 404, 429], "the third scan is over scanPerApprover");

      const { body } = await server.qr.metrics();
      for (const event of ["created", "scanned", "approved", "redeemed"]) {
        assert.equal(sampleValue(body, STEPS, { event, mode: "qr" }), 1, `${event} once`);
      }
      for (const event of ["denied", "cancelled", "expired"]) {
        assert.equal(sampleValue(body, STEPS, { event, mode: "qr" }), 0, `${event} is there, at 0`);
      }
      assert.equal(sampleValue(body, STEPS, { event: "created", mode: "push" }), 0);
      const latency = METRIC_NAMES.approvalToRedemption;
      assert.equal(sampleValue(body, `${latency}_count`, { mode: "qr" }), 1, "one approval was redeemed");
      const seconds = sampleValue(body, `${latency}_sum`, { mode: "qr" }) ?? -1;
      assert.ok(seconds >= 0 && seconds < 5, `it took ${seconds} s`);
      assert.equal(sampleValue(body, METRIC_NAMES.overLimit, { limit: "scanPerApprover" }), 1);
      assert.equal(sampleValue(body, METRIC_NAMES.overLimit, { limit: "scanPerIp" }), 0);
      const storeCount = `${METRIC_NAMES.storeSeconds}_count`;
      assert.equal(sampleValue(body, storeCount, { operation: "create" }), 1, "one request was stored");
      assert.ok((sampleValue(body, storeCount, { operation: "transition" }) ?? 0) >= 3, "scan, approve, redeem");
      assert.ok((sampleValue(body, storeCount, { operation: "hit" }) ?? 0) >= 9, "the rate limits count in the store");
      assert.equal(sampleValue(body, METRIC_NAMES.storeErrors, { operation: "get" }), 0);
      assert.ok(
        samples(body).every((sample) => sample.name.startsWith("qrlogin_")),
        "only qrlogin's own metrics are in its registry",
      );
      await eventually(
        async () => sampleValue((await server.qr.metrics()).body, METRIC_NAMES.streams, { kind: "desktop" }) === 0,
        "the ended stream's gauge going back to 0",
      );
      assert.deepEqual(server.errors, []);
    } finally {
      await server.close();
    }
  });

  it("count an expiry once, however often the expired request is read", async () => {
    const clock = new ManualClock(Date.now());
    const server = await startServer({ metrics: true, clock });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      clock.advance(10 * 60_000);
      for (let i = 0; i < 3; i++) assert.equal((await desktop.request("")).body.status, "expired");
      const { body } = await server.qr.metrics();
      assert.equal(sampleValue(body, STEPS, { event: "expired", mode: "qr" }), 1);
    } finally {
      await server.close();
    }
  });

  it("count push requests and the approver's stream under their own labels", async () => {
    const server = await startServer({ metrics: true, findUser: () => ({ userId: "ann" }) });
    try {
      const inbox = await new Phone(server.url, "ann").events();
      const desktop = new Desktop(server.url);
      const { body: created } = await desktop.create({ mode: "push", login: "ann" });
      await inbox.next("push");
      assert.equal((await new Phone(server.url, "ann").approve(desktop.id, Number(created.comparison))).status, 200);
      assert.equal((await desktop.redeem()).status, 200);
      const { body } = await server.qr.metrics();
      assert.equal(sampleValue(body, METRIC_NAMES.streams, { kind: "approver" }), 1);
      assert.equal(sampleValue(body, STEPS, { event: "created", mode: "push" }), 1);
      assert.equal(sampleValue(body, STEPS, { event: "redeemed", mode: "push" }), 1);
      assert.equal(sampleValue(body, `${METRIC_NAMES.approvalToRedemption}_count`, { mode: "push" }), 1);
      inbox.close();
    } finally {
      await server.close();
    }
  });

  it("go into the host's own prom-client registry when given one", async () => {
    const registry = new Registry();
    const server = await startServer({ metrics: registry });
    try {
      await new Desktop(server.url).create();
      const page = await server.qr.metrics();
      assert.equal(sampleValue(await registry.metrics(), STEPS, { event: "created", mode: "qr" }), 1);
      assert.equal(page.body, await registry.metrics());
    } finally {
      await server.close();
    }
  });

  it("refuse a registry that holds them already, saying so, and sign people in all the same", async () => {
    const registry = new Registry();
    const first = await startServer({ metrics: registry });
    const second = await startServer({ metrics: registry });
    try {
      await assert.rejects(second.qr.metrics(), /already been registered/);
      assert.equal(second.errors.length, 1, "logged once");
      assert.equal((await new Desktop(second.url).create()).status, 201);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it("are off unless asked for: qr.metrics() says how to turn them on", async () => {
    const qr = createQrLogin({ store: new MemoryStore(), ...testHooks(() => {}) });
    await assert.rejects(qr.metrics(), /metrics are off; pass `metrics: true`/);
    await qr.close();
  });

  it("without prom-client installed, fail with an error naming the package, logged once", () => {
    const child = join(import.meta.dirname, "without-prom-client.child.ts");
    const run = spawnSync(process.execPath, ["--import", "tsx", child], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const { rejected, logged } = JSON.parse(run.stdout) as { rejected: string; logged: string[] };
    assert.match(rejected, /`metrics` needs the prom-client package .*: npm install prom-client/);
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? "", /^qrlogin: metrics could not be started: Error: .*npm install prom-client$/);
  });

  it("are served by the demo at /metrics", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "qrlogin-demo-metrics-"));
    const { server } = createDemoServer({ dataDir, qrlogin: { metrics: true, logger: { warn() {}, error() {} } } });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await new Desktop(base).create();
      const answer = await fetch(`${base}/metrics`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      assert.equal(sampleValue(await answer.text(), STEPS, { event: "created", mode: "qr" }), 1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the measured store", () => {
  /** A recorder that keeps what it was told. */
  function recorder() {
    const seen: { operation: StoreOperation; seconds: number; failed: boolean }[] = [];
    return {
      seen,
      storeOperation: (operation: StoreOperation, seconds: number, failed: boolean) =>
        void seen.push({ operation, seconds, failed }),
    };
  }

  it("times each operation and counts those that fail, passing answers and errors through", async () => {
    const broken = new Error("connection lost");
    class FailingStore extends MemoryStore {
      override get(): Promise<LoginRequest | null> {
        return Promise.reject(broken);
      }
      override create(): Promise<void> {
        return Promise.reject(new UserCodeTakenError());
      }
    }
    const metrics = recorder();
    const measured = new MeasuredStore(new FailingStore(), metrics);
    assert.deepEqual(await measured.hit("k", 1000, 0), { count: 1, resetAt: 1000 });
    await assert.rejects(measured.get("x"), broken);
    await assert.rejects(measured.create({} as LoginRequest), UserCodeTakenError);
    assert.deepEqual(
      metrics.seen.map(({ operation, failed }) => [operation, failed]),
      [
        ["hit", false],
        ["get", true],
        ["create", false],
      ],
      "a user code already taken is an answer, not a failure",
    );
    assert.ok(metrics.seen.every(({ seconds }) => seconds >= 0 && seconds < 1));
  });
});
