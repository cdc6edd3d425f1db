/**
 * The exit codes of `qrlogin`, so that scripts can tell a refusal from an expiry or a broken setup.
 * 130 is what shells report for a program ended by Ctrl-C (128 + SIGINT).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  denied: 3,
  expired: 4,
  interrupted: 130,
} as const;

/** A failure to report in one line, without a stack trace, and the exit code that goes with it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Ctrl-C: the command stops where it is and says so; not a failure of the program. */
export class Interrupted extends CliError {
  constructor() {
    super("Cancelled.", EXIT.interrupted);
    this.name = "Interrupted";
  }
}
