import { CliError } from "./exit-codes.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `90s`, `30m`, `24h` or `7d`, in ms; `0` needs no unit.
 * @throws CliError naming the accepted forms.
 * @example parseDuration("24h") // 86_400_000
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const amount = Number(match?.[1]);
  if (!match || (match[2] === undefined && amount !== 0)) {
    throw new CliError(`${JSON.stringify(text)} is not a duration; use e.g. 90s, 30m, 24h or 7d.`);
  }
  return amount * (UNITS[match[2] ?? "ms"] ?? 1);
}
