import { hostname } from "node:os";

/** How much a line matters, least first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** What a line is about, as named values: `requestId`, `mode`, `limit`, `err`… Never a secret. */
export type LogFields = Record<string, unknown>;

/**
 * A logger that takes levels and fields, called as pino is: the fields first, then the message
 * (`logger.info({ requestId }, "qrlogin: request approved")`), so a pino instance fits as it is.
 */
export interface StructuredLogger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/**
 * The logger shape of earlier versions, still accepted: warnings and errors only, as a message (and
 * the error). qrlogin appends the fields to the message as `key=value` and drops info and debug lines.
 */
export interface MessageLogger {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/**
 * Where qrlogin reports what the operator should know: a {@link StructuredLogger} (pino, or
 * {@link lineLogger}), or a {@link MessageLogger}. One with `info` and `debug` methods is taken as
 * structured.
 */
export type Logger = StructuredLogger | MessageLogger;

const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/** `logger` as a {@link StructuredLogger}: as it is when it is one, else adapted. */
export function structured(logger: Logger): StructuredLogger {
  if ("info" in logger && typeof logger.info === "function" && typeof logger.debug === "function") return logger;
  const old = logger as MessageLogger;
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    warn: (fields, message) => old.warn(message + inline(fields)),
    error: ({ err, ...rest }, message) => old.error(message + inline(rest), err),
  };
}

/** ` (key=value, …)` for a message-only logger, or nothing without fields. */
function inline(fields: LogFields): string {
  const pairs = Object.entries(fields).map(
    ([key, value]) => `${key}=${typeof value === "string" ? value : json(value)}`,
  );
  return pairs.length > 0 ? ` (${pairs.join(", ")})` : "";
}

/** Options of {@link lineLogger}. */
export interface LineLoggerOptions {
  /**
   * `json`: one JSON object a line, in pino's layout (`level` as pino's number, `time`, `msg`, the
   * fields), for log shippers and `pino-pretty`; `text`: a readable line, for a terminal.
   */
  format: "json" | "text";
  /** The least level written. Default `info`. */
  level?: LogLevel;
  /** Where each line goes, newline included. Default: standard output. */
  write?: (line: string) => void;
}

/**
 * A {@link StructuredLogger} without dependencies, for hosts without pino: JSON lines or readable
 * lines, from `level` up. Errors in the `err` field are written with their type, message and stack.
 * @example createQrLogin({ …, logger: lineLogger({ format: process.stdout.isTTY ? "text" : "json" }) })
 */
export function lineLogger({
  format,
  level = "info",
  write = (line) => process.stdout.write(line),
}: LineLoggerOptions): StructuredLogger {
  const least = RANK[level];
  const host = hostname();
  const line = (at: LogLevel) => (fields: LogFields, message: string) => {
    if (RANK[at] < least) return;
    const time = Date.now();
    if (format === "json") {
      const { err, ...rest } = fields;
      const record = { level: RANK[at], time, pid: process.pid, hostname: host, ...rest, msg: message };
      write(`${json(err === undefined ? record : { ...record, err: serializeError(err) })}\n`);
    } else {
      write(textLine(at, time, fields, message));
    }
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

/** `12:00:00.000 WARN  qrlogin: … key=value`, then the error's stack indented below, if any. */
function textLine(level: LogLevel, time: number, fields: LogFields, message: string): string {
  const { err, ...rest } = fields;
  const pairs = Object.entries(rest).map(
    ([key, value]) => ` ${key}=${typeof value === "string" ? value : json(value)}`,
  );
  const head = `${new Date(time).toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${message}${pairs.join("")}\n`;
  if (err === undefined) return head;
  const { stack, message: what } = serializeError(err);
  return `${head}${(stack ?? what)
    .split("\n")
    .map((row) => `    ${row}`)
    .join("\n")}\n`;
}

/** An error as pino's standard serializer writes it: its type, message and stack. */
function serializeError(error: unknown): { type: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  return { type: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
}

/** JSON that never throws: a repeated or circular object becomes a note, a BigInt its digits. */
function json(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === "bigint") return inner.toString();
    if (typeof inner !== "object" || inner === null) return inner;
    if (seen.has(inner)) return "[repeated]";
    seen.add(inner);
    return inner;
  });
}
