import type { RandomSource } from "./clock.ts";

/** A uniformly random integer in [0, bound) by rejection sampling (bound ≤ 256). */
function randomBelow(random: RandomSource, bound: number): number {
  const limit = 256 - (256 % bound);
  for (;;) {
    const [byte = 255] = random(1);
    if (byte < limit) return byte % bound;
  }
}

/** The two-digit number shown on the desktop for number matching (10–99). */
export function generateComparisonNumber(random: RandomSource): number {
  return 10 + randomBelow(random, 90);
}
