import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { parseDuration } from "./duration.ts";
import { CliError } from "./exit-codes.ts";
import type { LoginOptions } from "./login.ts";
import type { ServeOptions } from "./serve.ts";
import { QR_STYLES } from "./terminal.ts";
import { VERSION } from "./version.ts";
import { parseWorkerCount } from "./workers.ts";

/** The client id `qrlogin login` sends unless told otherwise; qrlogin accepts any unless `deviceFlow.clientIds` says. */
export const DEFAULT_CLIENT_ID = "qrlogin-cli";

function port(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < 0 || number > 65535) {
    throw new InvalidArgumentError("A port is a whole number from 0 to 65535.");
  }
  return number;
}

function seconds(value: string): number {
  const number = Number(value);
  if (!(number > 0) || number > 3600) throw new InvalidArgumentError("Give a number of seconds above 0.");
  return number;
}

function workerCount(value: string): number {
  try {
    return parseWorkerCount(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--store` and `--data-dir`, shared by the commands that open the store; the flag wins over the variable. */
function storeOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--store <setting>", "sqlite:<path>, redis://… or postgres://… (default: SQLite in --data-dir)").env(
        "QRLOGIN_STORE",
      ),
    )
    .addOption(new Option("--data-dir <dir>", "folder of the demo's SQLite files").env("DATA_DIR").default("./data"));
}

/** The store setting the options name: `--store`, else (also when set empty) the SQLite file in the data folder. */
const storeOf = (options: { store?: string; dataDir: string }) =>
  options.store || `sqlite:${join(options.dataDir, "qrlogin.db")}`;

/**
 * The demo and its packages (passkeys, argon2) come with a checkout of the repository, not with the
 * installed package: say so rather than print a module resolution error.
 */
function demoMissing(error: unknown): never {
  if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
  throw new CliError(
    "`qrlogin serve` runs the demo site, which comes with a checkout of qrlogin's repository, not with the installed package: in a checkout, run `npm install && npm start`.",
  );
}

/**
 * The `qrlogin` command line: `serve`, `migrate`, `purge`, `secret` and `login`. Its errors are thrown (see
 * `exitOverride`), so that the caller chooses the exit code; `main.ts` runs it.
 * @example await program().parseAsync(["node", "qrlogin", "login", "http://127.0.0.1:3000"]);
 */
export function program(): Command {
  const qrlogin = new Command("qrlogin")
    .description(
      "Sign in across devices by QR code: the demo server, store upkeep, and an RFC 8628 device-flow client.",
    )
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(add --help for the options)");

  storeOptions(
    qrlogin
      .command("serve")
      .description("Serve the demo site: accounts, a login page with its QR code, the phone's approval page.")
      .addOption(
        new Option("-p, --port <port>", "port to listen on; 0 picks a free one")
          .env("PORT")
          .argParser(port)
          .default(3000),
      )
      .addOption(
        new Option("--host <address>", "address to listen on (default: every interface; also HOST)").env(
          "QRLOGIN_HOST",
        ),
      )
      .addOption(
        new Option("--origin <url>", "the public origin, behind a proxy or a name of its own").env("QRLOGIN_ORIGIN"),
      )
      .option("--https", "serve a self-signed certificate, so a phone's camera works on the LAN", false)
      .option("--no-device-flow", "do not serve RFC 8628 at /qrlogin/oauth (qrlogin login)")
      .addOption(
        new Option("--device-interval <seconds>", "seconds a device waits between polls").argParser(seconds).default(5),
      )
      .addOption(
        new Option("--workers <count>", "worker processes sharing the port (node:cluster); auto: one per core")
          .env("QRLOGIN_WORKERS")
          .argParser(workerCount)
          .default(1),
      ),
  ).action(async (options: ServeOptions) => {
    // Each command loads its own modules: `login` need not load the demo's passkeys and argon2.
    const { serve } = await import("./serve.ts").catch(demoMissing);
    // HOST, as many servers read it, when neither the flag nor QRLOGIN_HOST says.
    await serve({ ...options, host: options.host ?? (process.env.HOST || undefined) });
  });

  storeOptions(
    qrlogin.command("migrate").description("Create or update the store's schema, and say from which version to which."),
  ).action(async (options: { store?: string; dataDir: string }) => {
    const { migrate } = await import("./store-admin.ts");
    await migrate(storeOf(options), console.log);
  });

  storeOptions(
    qrlogin
      .command("purge")
      .description("Delete login requests that ended long ago, with old counters, audit entries and alerts.")
      .addOption(
        new Option("--older-than <duration>", "how long ago they ended: 90s, 30m, 24h, 7d…")
          .argParser(duration)
          .default(86_400_000, "24h, the default retention"),
      ),
  ).action(async (options: { store?: string; dataDir: string; olderThan: number }) => {
    const { purge } = await import("./store-admin.ts");
    await purge(storeOf(options), options.olderThan, console.log);
  });

  qrlogin
    .command("secret")
    .description(
      "Print a new random deployment secret (256 bits), for QRLOGIN_SECRET: the same on every instance of a site.",
    )
    .action(() => {
      console.log(randomBytes(32).toString("base64url"));
    });

  qrlogin
    .command("login")
    .description(
      "Sign this terminal in through the OAuth 2.0 device flow (RFC 8628) of any server, qrlogin's or another.",
    )
    .argument("[url]", "the server, e.g. http://127.0.0.1:3000 (optional when both endpoints are given)")
    .option("--client-id <id>", "the OAuth client id to send", DEFAULT_CLIENT_ID)
    .option("--scope <scope>", 'the scope to ask for, e.g. "openid profile"')
    .option("--device-authorization-endpoint <url>", "skip discovery: where to ask for a code")
    .option("--token-endpoint <url>", "skip discovery: where to poll for the token")
    .option("--save <file>", "write the token response to this file (mode 0600) instead of printing the token")
    .option("--json", "print the whole token response as JSON, not just the access token")
    .addOption(new Option("--qr <style>", "the QR: small, large (for light terminals) or none").choices(QR_STYLES))
    .option("-v, --verbose", "say which endpoints are used and where they were found")
    .action(async (url: string | undefined, options: Omit<LoginOptions, "server">) => {
      const { login } = await import("./login.ts");
      await login({ ...options, server: url });
    });

  return qrlogin;
}
