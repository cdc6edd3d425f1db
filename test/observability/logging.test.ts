import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { pino } from "pino";
import { type LogFields, type LogLevel, lineLogger, type StructuredLogger } from "../../src/index.ts";
import { Desktop, Phone } from "../helpers/clients.ts";
import { startServer } from "../helpers/server.ts";

interface Line {
  level: LogLevel;
  fields: LogFields;
  message: string;
}

/** A structured logger that keeps every line, debug included. */
function capturing(): StructuredLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: LogLevel) => (fields: LogFields, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Everything a line says, its error's message and stack included, as one string to search. */
function said({ fields, message }: Line): string {
  const { err, ...rest } = fields;
  const error = err instanceof Error ? `${err.message} ${err.stack}` : String(err ?? "");
  return `${message} ${JSON.stringify(rest)} ${error}`;
}

/** The fields a line of qrlogin may carry: ids, the mode, the account, an address, a limit. */
const ALLOWED_FIELDS = new Set([
  "requestId",
  "mode",
  "userId",
  "ip",
  "reason",
  "sinceApprovalMs",
  "limit",
  "subject",
  "err",
]);

describe("structured logs", () => {
  it("name each step of a sign-in by its request id, and never a browser secret, scan token, user code or number", async () => {
    const logger = capturing();
    const server = await startServer({
      logger,
      findUser: (login) => (login === "ann" ? { userId: "ann" } : null),
      limits: { scanPerApprover: { max: 3, windowMs: 60_000 } },
    });
    const secrets: string[] = [];
    const numbers: number[] = [];
    const ids: string[] = [];
    try {
      // A QR scanned, approved and redeemed, with the browser secret in the body as a CLI asks.
      const qrDesktop = new Desktop(server.url);
      const created = await qrDesktop.create({ secretInBody: true });
      await qrDesktop.showCode();
      secrets.push(String(created.body.browserSecret), qrDesktop.scanToken, qrDesktop.userCode);
      secrets.push(qrDesktop.userCode.replace("-", ""), qrDesktop.cookie.split("=")[1] ?? "");
      ids.push(qrDesktop.id);
      const alice = new Phone(server.url, "alice");
      await alice.scan(qrDesktop.scanToken);
      await alice.approve(qrDesktop.id);
      assert.equal((await qrDesktop.redeem()).status, 200);

      // A typed code, denied as "This wasn't me".
      const typed = new Desktop(server.url);
      await typed.create();
      await typed.showCode();
      secrets.push(typed.scanToken, typed.userCode, typed.userCode.replace("-", ""));
      ids.push(typed.id);
      await new Phone(server.url, "bob").typeCode(typed.userCode);
      await new Phone(server.url, "bob").deny(typed.id, "not_me");

      // A push, approved with its number.
      const push = new Desktop(server.url);
      const pushed = await push.create({ mode: "push", login: "ann" });
      numbers.push(Number(pushed.body.comparison));
      ids.push(push.id);
      await new Phone(server.url, "ann").approve(push.id, Number(pushed.body.comparison));
      await push.redeem();

      // A rate limit reached by a guesser.
      const guesser = new Phone(server.url, "mallory");
      for (let i = 0; i < 4; i++) await guesser.scan(`guess-${i}`);
    } finally {
      await server.close();
    }

    const steps = logger.lines.filter((line) => line.message.startsWith("qrlogin: request "));
    const story = (id: string) =>
      steps
        .filter((line) => line.fields.requestId === id)
        .map((line) => line.message.slice("qrlogin: request ".length));
    assert.deepEqual(story(ids[0] as string), ["created", "scanned", "approved", "redeemed"]);
    assert.deepEqual(story(ids[1] as string), ["created", "scanned", "denied"]);
    assert.deepEqual(story(ids[2] as string), ["created", "approved", "redeemed"]);
    assert.ok(steps.every((line) => line.level === "info" && ids.includes(String(line.fields.requestId))));
    const denied = steps.find((line) => line.message === "qrlogin: request denied");
    assert.equal(denied?.fields.reason, "not_me");
    const redeemed = steps.find((line) => line.message === "qrlogin: request redeemed");
    assert.equal(typeof redeemed?.fields.sinceApprovalMs, "number");

    const limited = logger.lines.filter((line) => line.message === "qrlogin: rate limit reached");
    assert.deepEqual(
      limited.map((line) => [line.level, line.fields]),
      [["warn", { limit: "scanPerApprover", subject: "mallory" }]],
    );

    assert.ok(secrets.every((secret) => secret.length >= 8));
    for (const line of logger.lines) {
      const text = said(line);
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in: ${text}`);
      for (const key of Object.keys(line.fields)) assert.ok(ALLOWED_FIELDS.has(key), `unexpected field ${key}`);
      // The number could only travel as a number; no field but a duration is one.
      for (const [key, value] of Object.entries(line.fields)) {
        if (typeof value === "number") assert.equal(key, "sinceApprovalMs");
      }
    }
    assert.ok(numbers.length === 1 && !logger.lines.some((line) => "comparison" in line.fields));
  });

  it("carry the request's id on an error about it", async () => {
    const logger = capturing();
    const server = await startServer({
      logger,
      issueSession: () => {
        throw new Error("the session store is down");
      },
    });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      const phone = new Phone(server.url, "alice");
      await phone.scan(desktop.scanToken);
      await phone.approve(desktop.id);
      assert.equal((await desktop.redeem()).status, 503);
      const errors = logger.lines.filter((line) => line.level === "error");
      assert.equal(errors.length, 1);
      const [error] = errors as [Line];
      assert.equal(error.fields.requestId, desktop.id);
      assert.match(error.message, /^qrlogin: .*the session store is down$/);
      assert.match(String((error.fields.err as Error).stack), /the session store is down/);
    } finally {
      await server.close();
    }
  });

  it("go to a real pino instance as they are", async () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        written.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    });
    const server = await startServer({ logger: pino({ level: "debug" }, destination) });
    try {
      const desktop = new Desktop(server.url);
      await desktop.create();
      const phone = new Phone(server.url, "alice");
      await phone.scan(desktop.scanToken);
      await phone.approve(desktop.id);
      await desktop.redeem();
    } finally {
      await server.close();
    }
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    const steps = lines.filter((line) => String(line.msg).startsWith("qrlogin: request "));
    assert.deepEqual(
      steps.map((line) => [line.level, line.msg, line.mode]),
      ["created", "scanned", "approved", "redeemed"].map((step) => [30, `qrlogin: request ${step}`, "qr"]),
    );
    assert.equal(new Set(steps.map((line) => line.requestId)).size, 1);
  });

  it("still reach a logger of the old shape: warnings and errors as messages, fields appended", async () => {
    const warnings: string[] = [];
    const errors: unknown[] = [];
    const server = await startServer({
      logger: { warn: (message: string) => warnings.push(message), error: (_m: string, e: unknown) => errors.push(e) },
      limits: { scanPerApprover: { max: 1, windowMs: 60_000 } },
    });
    try {
      const guesser = new Phone(server.url, "mallory");
      await guesser.scan("guess-1");
      await guesser.scan("guess-2");
    } finally {
      await server.close();
    }
    assert.deepEqual(
      warnings.filter((warning) => !warning.includes("no `origin` configured")),
      ["qrlogin: rate limit reached (limit=scanPerApprover, subject=mallory)"],
    );
    assert.deepEqual(errors, []);
  });
});

describe("lineLogger", () => {
  it("writes pino's JSON layout from its level up, errors with their type, message and stack", () => {
    const lines: string[] = [];
    const logger = lineLogger({ format: "json", level: "info", write: (line) => lines.push(line) });
    logger.debug({ requestId: "r1" }, "not written");
    logger.info({ requestId: "r1", mode: "qr" }, "qrlogin: request created");
    logger.error({ err: new TypeError("bad"), requestId: "r1" }, "qrlogin: it failed");
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n")));
    const [info, error] = lines.map((line) => JSON.parse(line));
    assert.deepEqual(
      { level: info.level, msg: info.msg, requestId: info.requestId, mode: info.mode },
      { level: 30, msg: "qrlogin: request created", requestId: "r1", mode: "qr" },
    );
    assert.equal(typeof info.time, "number");
    assert.equal(info.pid, process.pid);
    assert.equal(error.level, 50);
    assert.deepEqual([error.err.type, error.err.message], ["TypeError", "bad"]);
    assert.match(error.err.stack, /^TypeError: bad\n\s+at /);
  });

  it("writes readable lines for a terminal, the stack indented under its line", () => {
    const lines: string[] = [];
    const logger = lineLogger({ format: "text", level: "debug", write: (line) => lines.push(line) });
    logger.debug({ requestId: "r1", sinceApprovalMs: 12 }, "qrlogin: request redeemed");
    logger.warn({ err: new Error("down"), requestId: "r1" }, "qrlogin: purge failed");
    assert.match(
      lines[0] ?? "",
      /^\d\d:\d\d:\d\d\.\d{3} DEBUG qrlogin: request redeemed requestId=r1 sinceApprovalMs=12\n$/,
    );
    assert.match(
      lines[1] ?? "",
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}qrlogin: purge failed requestId=r1\n {4}Error: down\n {4}\s+at /,
    );
  });

  it("never throws on a field it cannot serialise", () => {
    const lines: string[] = [];
    const logger = lineLogger({ format: "json", write: (line) => lines.push(line) });
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.info({ loop, big: 10n }, "odd fields");
    assert.deepEqual(JSON.parse(lines[0] ?? "").loop, { self: "[repeated]" });
    assert.equal(JSON.parse(lines[0] ?? "").big, "10");
  });
});
