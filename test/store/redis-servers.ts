// Local Redis deployments of a test's own — a cluster, a primary with a replica and a sentinel —
// on free ports with temporary folders, each process killed when the test file ends.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { createClient } from "redis";

const processes = new Set<ChildProcess>();
const dirs: string[] = [];
const cleanUp = () => {
  for (const child of processes) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};
after(cleanUp);
process.once("exit", cleanUp);

/**
 * Whether tests that start their own Redis processes may run: `false`, or the skip message when a
 * binary is missing. With QRLOGIN_REQUIRE_SERVICES=1 a missing binary fails instead.
 */
export function skipUnlessRedisBinaries(binaries = ["redis-server", "redis-cli"]): string | false {
  const missing = binaries.filter((binary) => spawnSync(binary, ["--version"]).error !== undefined);
  if (missing.length === 0) return false;
  const message = `${missing.join(" and ")} not found on PATH; the tests that start their own Redis are skipped`;
  if (process.env.QRLOGIN_REQUIRE_SERVICES === "1") {
    throw new Error(`${message} — but QRLOGIN_REQUIRE_SERVICES=1 forbids skipping`);
  }
  console.warn(`# ${message}`);
  return message;
}

/** A temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "qrlogin-redis-"));
  dirs.push(dir);
  return dir;
}

/** Whether nothing listens on `port`. */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * `count` free ports from 7101 up (or from `QRLOGIN_TEST_PORT_FROM`) whose cluster bus ports
 * (port + 10000) are free too, so that tests running at once, or another checkout's, pick different ones.
 */
export async function freePorts(
  count: number,
  from = Number(process.env.QRLOGIN_TEST_PORT_FROM ?? 7101 + Math.floor(Math.random() * 400)),
): Promise<number[]> {
  const ports: number[] = [];
  for (let port = from; ports.length < count && port < 9000; port++) {
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error("no free ports for local Redis processes");
  return ports;
}

/** A redis-server (or redis-sentinel) process of the test's own. */
export class RedisProcess {
  output = "";
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    processes.add(child);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.output += chunk;
    });
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        processes.delete(child);
        resolve();
      }),
    );
  }

  /** Starts `binary` with `args` and waits until it prints `ready`. */
  static async start(
    port: number,
    args: string[],
    binary = "redis-server",
    ready = /Ready to accept/,
  ): Promise<RedisProcess> {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    const started = new RedisProcess(child, port);
    const deadline = Date.now() + 15_000;
    while (!ready.test(started.output)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${binary} on ${port} did not start:\n${started.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return started;
  }

  /** A redis-server on `port` with its data in `dir`, and `extra` settings. */
  static server(port: number, dir: string, extra: string[] = []): Promise<RedisProcess> {
    return RedisProcess.start(port, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      ...extra,
    ]);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills it (SIGKILL by default) and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/** Runs one command on `url` over a connection of its own. */
export async function command(url: string, args: string[]): Promise<unknown> {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    await client.close();
  }
}

/** Polls `check` every 100 ms until it holds, or fails saying `what` after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A local Redis Cluster of three primaries (no replicas), its slots spread over them by redis-cli. */
export async function startCluster(): Promise<{ nodes: RedisProcess[]; stop(): Promise<void> }> {
  const dir = tempDir();
  const ports = await freePorts(3);
  const nodes = await Promise.all(
    ports.map((port) =>
      RedisProcess.server(port, dir, [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--cluster-node-timeout",
        "2000",
      ]),
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  const create = spawnSync(
    "redis-cli",
    ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"],
    { encoding: "utf8" },
  );
  if (create.status !== 0) {
    await stop();
    throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
  }
  for (const node of nodes) {
    await until(`cluster state ok on ${node.port}`, async () =>
      /cluster_state:ok/.test(String(await command(node.url, ["CLUSTER", "INFO"]))),
    );
  }
  return { nodes, stop };
}

/** A primary, two replicas and one sentinel watching them under `name`. */
export interface SentinelSet {
  name: string;
  /** The nodes, the first one primary at the start. */
  nodes: RedisProcess[];
  sentinel: RedisProcess;
  /** The node the sentinel names as primary now. */
  primary(): Promise<RedisProcess>;
  stop(): Promise<void>;
}

/**
 * Starts a {@link SentinelSet}; the sentinel declares a primary down after 2 s without answers. Two
 * replicas, so that after a failover the new primary still has one (the old primary rejoins only
 * once the sentinel sees it again, seconds later).
 */
export async function startSentinelSet(name = "qrlogin-test"): Promise<SentinelSet> {
  const dir = tempDir();
  const [primaryPort, sentinelPort, ...replicaPorts] = (await freePorts(4)) as [number, number, number, number];
  const primary = await RedisProcess.server(primaryPort, dir, ["--dbfilename", `${primaryPort}.rdb`]);
  const replicas = await Promise.all(
    replicaPorts.map((port) =>
      RedisProcess.server(port, dir, ["--dbfilename", `${port}.rdb`, "--replicaof", "127.0.0.1", String(primaryPort)]),
    ),
  );
  const config = join(dir, "sentinel.conf");
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      // Long enough that a busy machine's pause is not taken for a crash (a second failover would follow).
      `sentinel down-after-milliseconds ${name} 2000`,
      `sentinel failover-timeout ${name} 5000`,
      "",
    ].join("\n"),
  );
  const sentinel = await RedisProcess.start(sentinelPort, [config], "redis-sentinel", /\+monitor master/);
  const nodes = [primary, ...replicas];
  const set: SentinelSet = {
    name,
    nodes,
    sentinel,
    async primary() {
      const [, port] = (await command(sentinel.url, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name])) as string[];
      const found = nodes.find((node) => node.port === Number(port));
      if (!found) throw new Error(`the sentinel names ${port}, not one of ours`);
      return found;
    },
    async stop() {
      await Promise.all([sentinel, ...nodes].map((node) => node.stop()));
    },
  };
  for (const replica of replicas) {
    await until("the replicas in sync", async () =>
      /master_link_status:up/.test(String(await command(replica.url, ["INFO", "replication"]))),
    );
  }
  await until("the sentinel to know the replicas", async () => {
    const known = (await command(sentinel.url, ["SENTINEL", "REPLICAS", name])) as unknown[];
    return known.length === replicas.length;
  });
  return set;
}
