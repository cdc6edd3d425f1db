#!/usr/bin/env node
import { CommanderError } from "commander";
import { CliError, EXIT } from "./exit-codes.ts";
import { program } from "./program.ts";

/**
 * The `qrlogin` executable. Expected failures end in one line and their own exit code (see
 * `EXIT`); anything else is a bug, reported with its stack.
 */
async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(error.exitCode === EXIT.interrupted ? `${error.message}\n` : `qrlogin: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`qrlogin: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}

// `serve` resolves once listening and keeps running; the others end when their work is done.
process.exitCode = await main(process.argv);
