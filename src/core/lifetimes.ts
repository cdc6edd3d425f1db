/** How long each secret and state lives, in milliseconds. */
export interface Lifetimes {
  /** The QR changes this often, and a typed code shown on demand lives this long. Default 20 s. */
  scanToken: number;
  /** A replaced QR or code still works this long, for a phone that was mid-scan. Default 5 s. */
  scanTokenGrace: number;
  /** A request waits this long in `pending` for a scan or code. Default 2 min. */
  pending: number;
  /** From `scanned` to approve or deny. Default 60 s. */
  decision: number;
  /** From `approved` to redemption by the desktop. Default 30 s. */
  redemption: number;
  /**
   * How long one redemption may hold the request while the host's `issueSession` runs; a desktop
   * whose redemption was cut short (a crash) may take the request over once it ends. Default 20 s.
   */
  redemptionLease: number;
  /** Finished requests are kept this long for the audit trail, then purged. Default 24 h. */
  retention: number;
}

/** The defaults of {@link Lifetimes}. */
export const DEFAULT_LIFETIMES: Readonly<Lifetimes> = Object.freeze({
  scanToken: 20_000,
  scanTokenGrace: 5_000,
  pending: 120_000,
  decision: 60_000,
  redemption: 30_000,
  redemptionLease: 20_000,
  retention: 24 * 3_600_000,
});

/** Fills in defaults and refuses nonsense (zero, negative, or a grace longer than the token's life). */
export function resolveLifetimes(partial: Partial<Lifetimes> = {}): Lifetimes {
  const lifetimes = { ...DEFAULT_LIFETIMES, ...partial };
  for (const [name, value] of Object.entries(lifetimes)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`qrlogin: lifetimes.${name} must be a positive number of milliseconds, got ${value}`);
    }
  }
  if (lifetimes.scanTokenGrace > lifetimes.scanToken) {
    throw new TypeError("qrlogin: lifetimes.scanTokenGrace must not exceed lifetimes.scanToken");
  }
  return lifetimes;
}
