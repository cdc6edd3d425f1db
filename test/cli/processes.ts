import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository's root, where `--import tsx` resolves. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The command line's entry point, run from source as `npm start` does. */
export const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** A skip message when util-linux `script` (the pseudo-terminal) is missing, else `false`. */
export const noPty: string | false =
  spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0
    ? false
    : "util-linux `script` is not installed, so there is no pseudo-terminal to run the CLI in";

/** A running process whose output (stdout and stderr together, in order for a pty) is kept and awaited. */
export class Running {
  output = "";
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    const take = (into: "stdout" | "stderr") => (chunk: string) => {
      this[into] += chunk;
      this.output += chunk;
      for (const waiter of this.#waiters.splice(0)) waiter();
    };
    child.stdout?.setEncoding("utf8").on("data", take("stdout"));
    child.stderr?.setEncoding("utf8").on("data", take("stderr"));
    this.exited = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  }

  /** Waits until the output matches `pattern`; rejects after `timeoutMs` or when the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => {
      ended = true;
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      const left = deadline - Date.now();
      if (ended || left <= 0) {
        throw new Error(`${ended ? "ended" : "timed out"} before ${pattern}; output so far:\n${this.output}`);
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

  /** Types into the process's stdin (through the pty's line discipline when under `script`). */
  type(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Ends the process if it is still running. */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/**
 * `qrlogin <args>` as a plain child process (no terminal), from source; `undefined` in `env` unsets a
 * variable. `openFiles` lowers its open-file limit (soft and hard, so that Node cannot raise it).
 */
export function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  { openFiles }: { openFiles?: number } = {},
): Running {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const command = [process.execPath, "--import", "tsx", CLI, ...args];
  const [file, ...rest] =
    openFiles === undefined ? command : ["sh", "-c", `ulimit -n ${openFiles} && exec "$@"`, "sh", ...command];
  return new Running(spawn(file as string, rest, { cwd: ROOT, env: merged, stdio: ["pipe", "pipe", "pipe"] }));
}

/**
 * `qrlogin <args>` under a pseudo-terminal made by util-linux `script`: the CLI sees a TTY, so it
 * draws its QR and progress line, and Ctrl-C typed on stdin reaches it as SIGINT. `exec` makes the
 * CLI the terminal's own process, and `-e` passes its exit code on.
 */
export function cliInPty(args: string[]): Running {
  const command = ["exec", process.execPath, "--import", "tsx", CLI, ...args].map(shellQuote).join(" ");
  return new Running(
    spawn("script", ["-qefc", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, TERM: "xterm", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    }),
  );
}

function shellQuote(word: string): string {
  return /^[\w./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** `qrlogin serve` on a free port of 127.0.0.1 with its data in `dataDir`; resolves once it listens. */
export async function startDemo(
  dataDir: string,
  extra: string[] = [],
  limits: { openFiles?: number } = {},
): Promise<{ url: string; server: Running }> {
  const server = cli(
    ["serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...extra],
    { QRLOGIN_STORE: undefined },
    limits,
  );
  const match = await server.waitFor(/qrlogin demo on (http:\/\/127\.0\.0\.1:\d+)/);
  return { url: match[1] as string, server };
}

/** The user code of RFC 8628 as qrlogin and node-oidc-provider print it: two groups of four consonants. */
export const USER_CODE = /\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b/;
