import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { METRIC_NAMES } from "../../src/observability/metrics-recorder.ts";
import { cliInPty, noPty, type Running, startDemo } from "../cli/processes.ts";
import { Desktop } from "../helpers/clients.ts";
import { sampleValue } from "./scrape.ts";

describe("qrlogin serve's logs and metrics", () => {
  let dataDir: string;
  const started: Running[] = [];
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "qrlogin-serve-logs-"));
  });
  after(() => {
    for (const child of started) child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes JSON lines when stdout is not a terminal, and serves /metrics", async () => {
    const demo = await startDemo(join(dataDir, "pipe"));
    started.push(demo.server);
    const desktop = new Desktop(demo.url);
    await desktop.create();
    const [line] = await demo.server.waitFor(/^\{.*"msg":"qrlogin: request created".*\}$/m);
    const record = JSON.parse(line) as Record<string, unknown>;
    assert.equal(record.level, 30);
    assert.equal(record.requestId, desktop.id);
    assert.equal(record.mode, "qr");
    assert.equal(typeof record.time, "number");

    const metrics = await fetch(`${demo.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(sampleValue(await metrics.text(), METRIC_NAMES.steps, { event: "created", mode: "qr" }), 1);
  });

  it("writes readable lines on a terminal", { skip: noPty }, async () => {
    const terminal = cliInPty(["serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", join(dataDir, "tty")]);
    started.push(terminal);
    const [, url] = await terminal.waitFor(/qrlogin demo on (http:\/\/127\.0\.0\.1:\d+)/);
    const desktop = new Desktop(url as string);
    await desktop.create();
    await terminal.waitFor(new RegExp(`INFO  qrlogin: request created requestId=${desktop.id} mode=qr`));
    assert.doesNotMatch(terminal.output, /"msg":/, "no JSON on a terminal");
  });
});
