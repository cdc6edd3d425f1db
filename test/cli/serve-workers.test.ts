import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, type IncomingMessage, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import type { QrSchedule } from "../../src/wire.ts";
import { cli, type Running, startDemo } from "./processes.ts";

/** An answer: status, headers and the JSON body; `reused` says whether it came over a kept-alive socket. */
interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  reused: boolean;
}

/** One call over `agent` (one socket, kept alive: every call of an agent reaches the same worker). */
function call(agent: Agent, url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const sent = JSON.stringify(body ?? {});
    const req = request(
      url,
      { method, agent, headers: { "content-type": "application/json", "content-length": sent.length, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text),
            reused: req.reusedSocket,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(method === "GET" ? undefined : sent);
  });
}

/** A socket of its own, kept alive, so that its calls stay on the worker the primary handed it to. */
const oneSocket = () => new Agent({ keepAlive: true, maxSockets: 1 });

describe("qrlogin serve --workers 3 on one SQLite file", () => {
  let dataDir: string;
  let demo: { url: string; server: Running };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "qrlogin-cli-workers-"));
    demo = await startDemo(dataDir, ["--workers", "3"]);
  });
  after(() => {
    demo?.server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The pid of the worker that logged `step` of request `id` (the logs are JSON lines off a terminal). */
  const workerOf = async (id: string, step: string) => {
    const line = await demo.server.waitFor(
      new RegExp(`^\\{.*"pid":(\\d+).*"requestId":"${id}".*"msg":"qrlogin: request ${step}"`, "m"),
    );
    return Number(line[1]);
  };

  /** A socket that landed on a worker none of `taken` is: new connections until the primary hands one over. */
  const socketOnAnotherWorker = async (taken: Set<number>) => {
    for (let tries = 0; tries < 30; tries++) {
      const agent = oneSocket();
      const made = await call(agent, `${demo.url}/qrlogin/requests`, "POST");
      const pid = await workerOf(made.body.id as string, "created");
      if (!taken.has(pid)) {
        taken.add(pid);
        return agent;
      }
      agent.destroy();
    }
    throw new Error(`no connection reached a worker other than ${[...taken].join(", ")}`);
  };

  it("the desktop's stream on one worker hears the scan and the approval made on two others, and is signed in", async () => {
    const phoneSignUp = oneSocket();
    const signedUp = await call(phoneSignUp, `${demo.url}/demo/signup/password`, "POST", {
      email: "alice@example.com",
      password: "correct horse battery",
    });
    assert.equal(signedUp.status, 200, JSON.stringify(signedUp.body));
    const phoneCookie = String(signedUp.headers["set-cookie"]?.[0]).split(";")[0] as string;
    phoneSignUp.destroy();

    // The desktop: its request and its stream over one socket, so both are on the worker that made it.
    const desktop = oneSocket();
    const created = await call(desktop, `${demo.url}/qrlogin/requests`, "POST", { secretInBody: true });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const secret = created.body.browserSecret as string;
    const token = new URL(qrUrlAt(created.body.qr as QrSchedule, 0) as string).hash.slice(3);
    const desktopWorker = await workerOf(id, "created");
    const events: string[] = [];
    let heard = () => {};
    const stream = await new Promise<{ reused: boolean; close(): void }>((resolve, reject) => {
      const req = request(`${demo.url}/qrlogin/requests/${id}/events`, {
        agent: desktop,
        headers: { accept: "text/event-stream", authorization: `Bearer ${secret}` },
      });
      req.on("response", (res) => {
        res.setEncoding("utf8").on("data", (text: string) => {
          for (const [, name] of text.matchAll(/^event: (\w+)$/gm)) events.push(name as string);
          heard();
        });
        resolve({ reused: req.reusedSocket, close: () => req.destroy() });
      });
      req.on("error", reject);
      req.end();
    });
    assert.ok(stream.reused, "the stream went over the socket that made the request, to the same worker");
    const hear = async (name: string) => {
      // Well within any periodic re-read: only the primary's relay brings it this soon.
      const deadline = Date.now() + 3_000;
      while (!events.includes(name)) {
        assert.ok(Date.now() < deadline, `the desktop never heard ${name}; it heard ${events.join(", ")}`);
        await new Promise<void>((resolve) => {
          heard = resolve;
          setTimeout(resolve, 200);
        });
      }
    };

    try {
      const taken = new Set([desktopWorker]);
      const scanner = await socketOnAnotherWorker(taken);
      const approver = await socketOnAnotherWorker(taken);
      const phone = { cookie: phoneCookie };

      const scanned = await call(scanner, `${demo.url}/qrlogin/scan`, "POST", { token }, phone);
      assert.equal(scanned.status, 200, JSON.stringify(scanned.body));
      const scanWorker = await workerOf(id, "scanned");
      assert.notEqual(scanWorker, desktopWorker);
      await hear("scanned");

      const approved = await call(approver, `${demo.url}/qrlogin/requests/${id}/approve`, "POST", {}, phone);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const approveWorker = await workerOf(id, "approved");
      assert.equal(new Set([desktopWorker, scanWorker, approveWorker]).size, 3, "three workers took part");
      await hear("approved");

      const redeemer = oneSocket();
      const redeemed = await call(redeemer, `${demo.url}/qrlogin/requests/${id}/redeem`, "POST", undefined, {
        authorization: `Bearer ${secret}`,
      });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const session = redeemed.headers["set-cookie"]?.find((cookie) => cookie.startsWith("demo_session="));
      assert.ok(session, "the redeem answer starts the demo's session");
      const account = await fetch(`${demo.url}/account`, {
        headers: { cookie: session.split(";")[0] as string },
        redirect: "manual",
      });
      assert.equal(account.status, 200);
      assert.match(await account.text(), /alice@example\.com/);
      for (const agent of [scanner, approver, redeemer]) agent.destroy();
    } finally {
      stream.close();
      desktop.destroy();
    }
  });

  it("workers run without V8's memory reducer (its full GCs of a heap of live streams)", () => {
    const pids = new Set(
      [...demo.server.stdout.matchAll(/^\{.*"pid":(\d+)/gm)].map(([, pid]) => Number(pid)).filter(Boolean),
    );
    assert.ok(pids.size >= 2, "both workers have logged");
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      assert.ok(argv.includes("--no-memory-reducer"), `worker ${pid}: ${argv.join(" ")}`);
    }
  });

  it("a worker that dies is replaced, and SIGTERM drains them all and exits 0", async () => {
    const pids = new Set(
      [...demo.server.stdout.matchAll(/^\{.*"pid":(\d+)/gm)].map(([, pid]) => Number(pid)).filter(Boolean),
    );
    const [victim] = pids;
    process.kill(victim as number, "SIGKILL");
    await demo.server.waitFor(
      new RegExp(`worker ${victim} ended \\(SIGKILL\\) after \\d+ s; starting another in \\d+ ms`),
    );
    // The port keeps answering while the replacement starts.
    const answer = await fetch(`${demo.url}/qrlogin/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(answer.status, 201);

    demo.server.child.kill("SIGTERM");
    assert.equal(await demo.server.exited, 0, demo.server.output);
  });
});

describe("qrlogin serve --workers with few open files", () => {
  /** Per process; from it, each worker holds at most 56 streams and 156 connections (src/http/open-files.ts). */
  const OPEN_FILES = 256;
  let dataDir: string;
  let demo: { url: string; server: Running };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "qrlogin-cli-workers-files-"));
    demo = await startDemo(dataDir, ["--workers", "2"], { openFiles: OPEN_FILES });
  });
  after(() => {
    demo?.server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Opens a desktop's stream on a connection of its own: its status, or "hung" if nothing came within 10 s. */
  const openStream = ({ id, secret, from }: { id: string; secret: string; from: string }) =>
    new Promise<{ status: number | "hung" | "failed"; close(): void }>((resolve) => {
      const req = request(`${demo.url}/qrlogin/requests/${id}/events`, {
        agent: false,
        localAddress: from,
        headers: { accept: "text/event-stream", authorization: `Bearer ${secret}` },
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve({ status: "hung", close() {} });
      }, 10_000);
      req.on("response", (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) res.resume();
        resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
      });
      req.on("error", () => {
        clearTimeout(timer);
        resolve({ status: "failed", close() {} });
      });
      req.end();
    });

  it("streams past what the workers' open files allow are refused with 429, and the server keeps answering", async () => {
    // 400 desktops, 20 from each of 20 loopback addresses: under every per-address limit, over the workers' files.
    const desktops: { id: string; secret: string; from: string }[] = [];
    for (let a = 0; a < 20; a++) {
      const from = `127.0.0.${10 + a}`;
      const creator = new Agent({ keepAlive: true, maxSockets: 1, localAddress: from });
      for (let i = 0; i < 20; i++) {
        const created = await call(creator, `${demo.url}/qrlogin/requests`, "POST", { secretInBody: true });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        desktops.push({ id: created.body.id as string, secret: created.body.browserSecret as string, from });
      }
      creator.destroy();
    }
    // 20 at a time: the primary holds each connection until a worker took it, and has only as many files.
    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    for (let i = 0; i < desktops.length; i += 20)
      streams.push(...(await Promise.all(desktops.slice(i, i + 20).map(openStream))));
    try {
      const count = (status: number | string) => streams.filter((stream) => stream.status === status).length;
      const statuses = JSON.stringify(streams.map((stream) => stream.status));
      assert.equal(count(200) + count(429), streams.length, `every stream opened or was refused: ${statuses}`);
      assert.ok(count(429) > 0, "some were refused");
      assert.ok(count(200) <= 2 * 56, `at most 56 per worker, got ${count(200)}`);
      const after = await call(oneSocket(), `${demo.url}/qrlogin/requests`, "POST");
      assert.equal(after.status, 201, "a short request still has room");
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

describe("qrlogin serve --workers refuses what it cannot run", () => {
  it("a count that is not a whole number from 1, nor auto, is a usage error (exit code 2)", async () => {
    const child = cli(["serve", "--workers", "0"]);
    assert.equal(await child.exited, 2);
    assert.match(child.stderr, /--workers is a whole number from 1 to 1024, or auto \(one per core\)\./);
  });

  it("sqlite::memory: with --workers 2 ends in one line and exit code 1", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "qrlogin-cli-workers-memory-"));
    try {
      const child = cli([
        "serve",
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--workers",
        "2",
        "--store",
        "sqlite::memory:",
      ]);
      assert.equal(await child.exited, 1, child.output);
      assert.match(child.stderr, /^qrlogin: --workers 2 needs a store the workers share: .*sqlite::memory:/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
