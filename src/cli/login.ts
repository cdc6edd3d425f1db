import { constants } from "node:fs";
import { access, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pollForToken, requestDeviceCode, type TokenResponse } from "./device-flow/client.ts";
import { findEndpoints } from "./device-flow/discovery.ts";
import type { HttpOptions } from "./device-flow/http.ts";
import { CliError, EXIT, Interrupted } from "./exit-codes.ts";
import { formatDuration, type QrStyle, qrText, StatusLine } from "./terminal.ts";
import { USER_AGENT } from "./version.ts";

/** Options of {@link login}, as `qrlogin login` parses them. */
export interface LoginOptions {
  /** The server's base URL; optional when both endpoints are given. */
  server?: string;
  deviceAuthorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
  scope?: string;
  /** Write the token response to this file (mode 0600) instead of printing the token. */
  save?: string;
  /** Print the whole token response as JSON instead of the access token alone. */
  json?: boolean;
  /** The QR's style; by default `small` when stderr is a terminal, else none. */
  qr?: QrStyle;
  /** Say which endpoints are used and where they were found. */
  verbose?: boolean;
}

/** Where the command writes: the token to `stdout` (so that it can be captured), everything else to `stderr`. */
export interface LoginIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * `qrlogin login`: an RFC 8628 device authorization grant against any server that speaks it. Shows
 * the QR of `verification_uri_complete`, the verification URI and the user code, waits for the
 * approval, then prints the access token or saves the token response.
 * @throws CliError with the exit code to end with (see {@link EXIT}); Ctrl-C becomes {@link Interrupted}.
 */
export async function login(options: LoginOptions, io: LoginIo = process): Promise<void> {
  const save = options.save === undefined ? undefined : resolve(options.save);
  // Checked first: the token exists once, and a sign-in that cannot be saved would be wasted.
  if (save) await access(dirname(save), constants.W_OK).catch(() => cantSave(save, "its folder is not writable"));
  const controller = new AbortController();
  const onInterrupt = () => {
    // A second Ctrl-C does not wait for the first to be noticed.
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  const status = new StatusLine(io.stderr);
  const http: HttpOptions = { userAgent: USER_AGENT, signal: controller.signal };
  try {
    const endpoints = await findEndpoints(options, http);
    if (options.verbose) {
      status.line(`Device authorization endpoint: ${endpoints.deviceAuthorization}`);
      status.line(`Token endpoint: ${endpoints.token}`);
      status.line(`(from ${endpoints.source})`);
    }
    const insecure = [endpoints.deviceAuthorization, endpoints.token].find(unencrypted);
    if (insecure) {
      status.line(`Warning: ${new URL(insecure).origin} is plain HTTP: the token will cross the network unencrypted.`);
    }

    const client = { clientId: options.clientId, scope: options.scope };
    const device = await requestDeviceCode(endpoints.deviceAuthorization, client, http);
    const style = options.qr ?? (io.stderr.isTTY ? "small" : "none");
    const qrTarget = device.verificationUriComplete ?? device.verificationUri;
    if (style !== "none") io.stderr.write(`\n${qrText(qrTarget, style)}\n`);
    const scan = style === "none" ? "" : "Scan the QR code with your phone, or open";
    io.stderr.write(
      `${scan ? `${scan}\n` : "Open\n"}  ${device.verificationUri}\nand enter the code\n\n  ${device.userCode}\n\n`,
    );
    if (style === "none" && device.verificationUriComplete) {
      io.stderr.write(`(or open ${device.verificationUriComplete} directly)\n\n`);
    }
    if (!status.live) io.stderr.write("Waiting for approval…\n");

    const token = await pollForToken(endpoints.token, device, client, http, {
      tick: ({ msLeft, interval }) =>
        status.update(
          `Waiting for approval… the code expires in ${formatDuration(msLeft)} (checking every ${interval} s)`,
        ),
      note: (message) => status.line(message),
    });
    status.line("Signed in.");
    if (save) {
      await saveToken(save, token);
      io.stderr.write(`Token saved to ${save} (readable by you only).\n`);
    } else {
      io.stdout.write(options.json ? `${JSON.stringify(token, null, 2)}\n` : `${token.access_token}\n`);
    }
  } catch (error) {
    status.clear();
    throw error instanceof Interrupted || controller.signal.aborted ? new Interrupted() : error;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/**
 * Writes the token response as JSON, readable by its owner only. Through a new file renamed into
 * place: `mode` only applies to a file being created, and an older file's wider mode must not stay.
 */
export async function saveToken(file: string, token: TokenResponse): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    cantSave(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

function cantSave(file: string, why: string): never {
  throw new CliError(`Cannot save the token to ${file}: ${why}.`);
}

/** An http:// URL to anything but this machine: a token sent there can be read on the way. */
function unencrypted(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === "http:" && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(hostname);
}
