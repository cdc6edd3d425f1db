import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createClient } from "redis";
import { Desktop, type EventStream, Phone, type ReceivedEvent } from "../helpers/clients.ts";

/** How long one scale test may take, processes included, before it fails instead of hanging. */
export const TEST_TIMEOUT_MS = 45_000;
/** How long a process may take to start or stop before the test fails instead of hanging (generous: CI machines get busy). */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const INSTANCE = fileURLToPath(new URL("./instance.ts", import.meta.url));

/** The deployment secret the instances of a test share. */
export const SCALE_SECRET = "the scale tests' shared deployment secret";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// Every child dies once the file's tests are over, even those a failed or timed-out test left
// behind (their pipes would keep the test process alive), and with the process should it crash.
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const child of children) child.kill("SIGKILL");
};
after(killAll);
process.once("exit", killAll);

/** A child process whose output is kept line by line, so that tests can wait for and count lines. */
class Child {
  readonly lines: string[] = [];
  #stderr = "";
  #waiters: (() => void)[] = [];
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    children.add(child);
    let buffer = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      this.lines.push(...lines);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        children.delete(child);
        for (const wake of this.#waiters.splice(0)) wake();
        resolve();
      }),
    );
  }

  /** The first output line matching `pattern`, once it is printed; fails on exit or timeout, showing stderr. */
  async line(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const match = pattern.exec(line);
        if (match) return match;
      }
      const left = deadline - Date.now();
      if (this.#gone() || left <= 0) {
        throw new Error(`${this.name} printed no ${pattern} (exit ${this.child.exitCode}):\n${this.#stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The output lines matching `pattern`, once there are at least `count`; fails on exit or timeout. */
  async matching(pattern: RegExp, count: number, timeoutMs = START_TIMEOUT_MS): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.lines.filter((line) => pattern.test(line));
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (this.#gone() || left <= 0) {
        throw new Error(
          `${this.name} printed ${matching.length} of ${count} ${pattern} (exit ${this.child.exitCode}):\n${this.#stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends `signal` and waits for the exit; a process that ignores it is killed after a while. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.#gone()) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }
}

/** A qrlogin instance process (instance.ts) on a store setting. */
export class Instance extends Child {
  #port = 0;

  private constructor(
    child: ChildProcess,
    readonly store: string,
    readonly env: Record<string, string>,
  ) {
    super("qrlogin instance", child);
  }

  /**
   * Starts an instance on `store`, on `port` (default: a free one), with `env` for its options (see
   * instance.ts), and waits until it listens.
   */
  static async start(store: string, port = 0, env: Record<string, string> = {}): Promise<Instance> {
    const child = spawn(process.execPath, ["--import", "tsx", INSTANCE], {
      // One deployment: every instance reads the QR codes of the others.
      env: { ...process.env, QRLOGIN_SECRET: SCALE_SECRET, ...env, QRLOGIN_STORE: store, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const instance = new Instance(child, store, env);
    try {
      const [, listening] = await instance.line(/^listening (\d+)$/);
      instance.#port = Number(listening);
      return instance;
    } catch (error) {
      await instance.stop("SIGKILL");
      throw error;
    }
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A new process on the same store and port, this one having been stopped. */
  restart(): Promise<Instance> {
    return Instance.start(this.store, this.port, this.env);
  }
}

/** Starts `count` instances on one store, together; if one fails, stops the others and throws. */
export async function startInstances(
  count: number,
  store: string,
  env: Record<string, string> = {},
): Promise<Instance[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => Instance.start(store, 0, env)));
  const started = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = results.find((result) => result.status === "rejected");
  if (!failed) return started;
  await stopAll(started);
  throw failed.reason;
}

/** Stops every instance that still runs. */
export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop()));
}

/** A redis-server of the test's own, with an append-only file in `dir`, so that it can be killed and restarted. */
export class RedisServer extends Child {
  private constructor(
    child: ChildProcess,
    readonly port: number,
    readonly dir: string,
  ) {
    super(`redis-server :${port}`, child);
  }

  /**
   * Starts redis-server on `port` (default: a free one) and waits until it accepts connections.
   * Every write is fsynced before its reply (`appendfsync always`), so a kill -9 loses nothing that
   * was acknowledged; with the default `everysec`, up to a second of writes could be lost.
   */
  static async start(dir: string, port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const args = ["--port", String(chosen), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
    const child = spawn("redis-server", [...args, "--appendonly", "yes", "--appendfsync", "always"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new RedisServer(child, chosen, dir);
    await server.line(/Ready to accept connections/);
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Kills the server without warning (kill -9), calls `whileDown` once clients have had `downMs` to
   * notice, and starts it again on the same port and data.
   */
  async crashAndRestart(downMs: number, whileDown: () => void): Promise<RedisServer> {
    await this.stop("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, downMs));
    whileDown();
    return RedisServer.start(this.dir, this.port);
  }
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Redis key prefix of the test's own on the shared server, and the removal of its keys. */
export function redisPrefix(): { prefix: string; drop(): Promise<void> } {
  const prefix = `qrlogin-scale-${randomBytes(6).toString("hex")}:`;
  return {
    prefix,
    async drop() {
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys);
      }
      await client.close();
    },
  };
}

/**
 * A fresh PostgreSQL schema of the test's own, the store setting that uses it, and its removal.
 * Its connections carry an `application_name` of their own too, so a test can kill exactly them.
 */
export function postgresSchema(): { schema: string; applicationName: string; store: string; drop(): Promise<void> } {
  const schema = `qrlogin_scale_${randomBytes(6).toString("hex")}`;
  const applicationName = schema;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  url.searchParams.set("application_name", applicationName);
  return {
    schema,
    applicationName,
    store: url.href,
    async drop() {
      await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));
    },
  };
}

/** Runs `work` on a connection of its own to the shared PostgreSQL. */
export async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The same desktop (same browser secret cookie) talking to another instance. */
export function desktopOn(instance: Instance, desktop: Desktop): Desktop {
  return Object.assign(new Desktop(instance.url), { cookie: desktop.cookie, id: desktop.id });
}

/** The desktop makes a request on `instance` and opens its event stream there. */
export async function desktopListening(instance: Instance): Promise<{ desktop: Desktop; stream: EventStream }> {
  const desktop = new Desktop(instance.url);
  assert.equal((await desktop.create()).status, 201);
  return { desktop, stream: await desktop.events() };
}

/** The phone of `user` scans the desktop's QR through `instance`. */
export async function scanOn(instance: Instance, desktop: Desktop, user = "alice"): Promise<void> {
  const answer = await new Phone(instance.url, user).scan(desktop.scanToken);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

/** The phone of `user` approves through `instance`. */
export async function approveOn(instance: Instance, desktop: Desktop, user = "alice"): Promise<void> {
  const answer = await new Phone(instance.url, user).approve(desktop.id);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

/** Opens the desktop's stream again on `instance`, as a browser does after losing one, from the last event seen. */
export function reconnect(instance: Instance, desktop: Desktop, last?: ReceivedEvent): Promise<EventStream> {
  return desktopOn(instance, desktop).events(last === undefined ? undefined : Number(last.id));
}

/**
 * The desktop redeems on `first`; its second redeem on `second` (an answer it lost) gets the same
 * session again, anyone else's is refused; and across every instance process that ever ran, exactly
 * one session was issued for the request.
 */
export async function redeemExactlyOnce(desktop: Desktop, first: Instance, second: Instance, all: Instance[]) {
  const redeemed = await desktopOn(first, desktop).redeem();
  assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
  assert.equal(redeemed.body.userId, "alice");
  const again = await desktopOn(second, desktop).redeem();
  assert.deepEqual(again.body, redeemed.body, "the desktop's second redeem is answered the same session");
  const thief = new Desktop(second.url);
  thief.id = desktop.id;
  assert.notEqual((await thief.redeem()).status, 200, "a redeem without the browser secret is refused");
  const sessions = all
    .flatMap((instance) => instance.lines)
    .filter((line) => line.startsWith(`session ${desktop.id} `));
  assert.deepEqual(sessions, [`session ${desktop.id} alice`]);
}

/** What became of a run of sign-ins through a fault. */
export interface RunFigures {
  flows: number;
  /** Desktops signed in. */
  completed: number;
  /** Desktops that were not: a step failed. */
  lost: number;
  /** Requests signed in twice: two sessions issued, or a second redemption let through. */
  doubled: number;
  /** Every answer a client got that was not its step's success, as `<step> <status> <code>`. */
  errors: string[];
}

/**
 * `count` desktops sign in, `concurrency` at a time, each step on the next instance round the list
 * (create, scan, approve, redeem); `onSignedIn` hears the running count, for a test to strike
 * mid-run. Then each signed-in desktop tries to redeem again, which must be refused.
 */
export async function signInMany(
  instances: Instance[],
  count: number,
  concurrency: number,
  onSignedIn: (completed: number) => void = () => {},
): Promise<RunFigures> {
  const errors: string[] = [];
  const signedIn: Desktop[] = [];
  const firstAnswers = new Map<string, string>();
  let next = 0;
  const at = (n: number) => instances[n % instances.length] as Instance;
  const step = async (
    name: string,
    expected: number,
    call: () => Promise<{ status: number; body: { error?: string } }>,
  ) => {
    try {
      const answer = await call();
      if (answer.status === expected) return true;
      errors.push(`${name} ${answer.status} ${answer.body.error}`);
    } catch (error) {
      errors.push(`${name} ${(error as Error).message}`);
    }
    return false;
  };
  const lane = async () => {
    for (let n = next++; n < count; n = next++) {
      const desktop = new Desktop(at(n).url);
      const phone = (i: number) => new Phone(at(n + i).url, `user-${n}`);
      if (!(await step("create", 201, () => desktop.create()))) continue;
      if (!(await step("scan", 200, () => phone(1).scan(desktop.scanToken)))) continue;
      if (!(await step("approve", 200, () => phone(2).approve(desktop.id)))) continue;
      let redeemed: unknown;
      const redeem = async () => {
        const answer = await desktopOn(at(n + 3), desktop).redeem();
        redeemed = answer.body;
        return answer;
      };
      if (!(await step("redeem", 200, redeem))) continue;
      firstAnswers.set(desktop.id, JSON.stringify(redeemed));
      signedIn.push(desktop);
      onSignedIn(signedIn.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const again = await Promise.all(signedIn.map((desktop, n) => desktopOn(at(n), desktop).redeem()));
  const sessions = new Map<string, number>();
  for (const line of instances.flatMap((instance) => instance.lines)) {
    const id = /^session (\S+) /.exec(line)?.[1];
    if (id) sessions.set(id, (sessions.get(id) ?? 0) + 1);
  }
  const twice = new Set([...sessions].filter(([, n]) => n > 1).map(([id]) => id));
  // The desktop's own second redeem is answered its session again; another session would be a double.
  signedIn.forEach((desktop, n) => {
    const answer = again[n];
    if (answer?.status === 200 && JSON.stringify(answer.body) !== firstAnswers.get(desktop.id)) twice.add(desktop.id);
  });
  return { flows: count, completed: signedIn.length, lost: count - signedIn.length, doubled: twice.size, errors };
}

/** One line of figures for the test log (and docs/deploy.md). */
export function reportRun(what: string, figures: RunFigures, ms: number): void {
  const { flows, completed, lost, doubled, errors } = figures;
  const kinds = [...new Set(errors)].slice(0, 5).join("; ");
  console.log(
    `# ${what}: flows ${flows}, completed ${completed}, lost ${lost}, doubled ${doubled}, errors ${errors.length}${kinds ? ` (${kinds})` : ""}, ${ms} ms`,
  );
}
