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

/**
 * Three distinct numbers, the right one among them at a random place, for a phone that offers a
 * choice instead of typing.
 */
export function comparisonChoices(random: RandomSource, answer: number): number[] {
  const choices = [answer];
  while (choices.length < 3) {
    const n = generateComparisonNumber(random);
    if (!choices.includes(n)) choices.push(n);
  }
  for (let i = choices.length - 1; i > 0; i--) {
    const j = randomBelow(random, i + 1);
    [choices[i], choices[j]] = [choices[j] as number, choices[i] as number];
  }
  return choices;
}
