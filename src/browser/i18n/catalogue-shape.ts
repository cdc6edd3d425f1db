import type { FaceErrorCode } from "../error-codes.ts";

/**
 * A message that depends on a number: one form per `Intl.PluralRules` category the language uses
 * (`zero one two few many other`); `other` is the fallback.
 * @example { one: "{count} request", other: "{count} requests" }
 */
export interface Plural {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

/** What the English catalogue must satisfy: words or plural forms, and words for every error code. */
export type CatalogueShape = Record<string, string | Plural> & Record<`error.${FaceErrorCode}`, string>;
