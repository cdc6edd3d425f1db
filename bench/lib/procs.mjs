// Child processes of the benchmark: servers (optionally pinned to a core), load generators over IPC,
// a private Redis, and what /proc says about each (RSS, CPU time).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { setPriority } from "node:os";
import { sleep } from "./http.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Every child gets the hard open-file limit as its soft one: 10,000 streams need 10,000 sockets. */
const RAISE_ULIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
export const CLOCK_TICKS = 100; // USER_HZ on Linux

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
// Interrupted: still take every child down (the exit handler above does it).
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

function withLimits(command, { cpus } = {}) {
  const pinned = cpus === undefined ? command : ["taskset", "-c", String(cpus), ...command];
  return ["sh", "-c", RAISE_ULIMIT, "sh", ...pinned];
}

/**
 * Starts a server that prints `{ ready, port, pid }` on its first line of output. `command` is run
 * from the repository's root, e.g. `["node", "--import", "tsx", "bench/servers/qrlogin.ts"]`.
 */
export async function startServer(name, command, { cpus, env } = {}) {
  const [file, ...args] = withLimits(command, { cpus });
  const child = spawn(file, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  children.add(child);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text) => {
    stderr = (stderr + text).slice(-4000);
  });
  const ready = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text) => {
      stdout += text;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line && stdout.includes("\n")) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
  return {
    name,
    pid: ready.pid,
    /** The node:cluster workers' pids, when the server runs several (`--workers`). */
    workers: ready.workers ?? [],
    port: ready.port,
    base: `http://127.0.0.1:${ready.port}`,
    stderr: () => stderr,
    async stop() {
      // Gone already (a signal leaves exitCode null): its "exit" will not come again.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/** The priority of a load generator in the background: below the one that measures. */
const BACKGROUND_NICENESS = 10;

/**
 * A load generator process (bench/clients/load.mjs); `send(cmd, args)` resolves with its answer.
 * `localAddress` is the loopback address it connects from (default 127.0.0.1); `cpus` pins it.
 */
export function startLoad(name = "load", { localAddress, cpus } = {}) {
  const [file, ...args] = withLimits(["node", "bench/clients/load.mjs"], { cpus });
  const env = localAddress ? { ...process.env, BENCH_LOCAL_ADDRESS: localAddress } : process.env;
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.add(child);
  let next = 0;
  const pending = new Map();
  child.on("message", ({ id, result, error }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error) waiter?.reject(new Error(`${name}: ${error}`));
    else waiter?.resolve(result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited with ${code}`));
    pending.clear();
  });
  return {
    /**
     * Lowers its priority, so that the process measuring on the same cores is not kept waiting
     * behind the clients this one only simulates (a real desktop does not share a core with them).
     */
    background() {
      setPriority(child.pid, BACKGROUND_NICENESS);
    },
    send(cmd, args) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
    async stop() {
      // Gone already (a signal leaves exitCode null): its "exit" will not come again.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      children.delete(child);
    },
  };
}

/** Resident memory of a process in bytes. */
export function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** User + system CPU time of a process so far, in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(String(data).startsWith("+PONG"));
    });
  });
}

/** A private, throwaway Redis on `port` (no persistence), so that nothing else's keys are touched. */
export async function startRedis(port) {
  if (await redisPing(port)) throw new Error(`something already listens on 127.0.0.1:${port}`);
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const [file, ...rest] = withLimits(["redis-server", ...args, "--maxclients", "1000"]);
  const child = spawn(file, rest, { stdio: "ignore" });
  children.add(child);
  for (let i = 0; i < 50; i++) {
    if (await redisPing(port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        pid: child.pid,
        async stop() {
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          await exited;
          children.delete(child);
        },
      };
    }
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}
