import type { FaceErrorCode } from "../error-messages.ts";
import type { en } from "./en.ts";

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

/**
 * Every message, keyed as in the English catalogue: a catalogue typed `Catalogue` that lacks a key
 * (or has one too many) does not compile. `{name}` marks a placeholder.
 */
export type Catalogue = { readonly [K in keyof typeof en]: (typeof en)[K] extends string ? string : Plural };

/** The name of one message. */
export type MessageKey = keyof Catalogue;

/** Some messages of a catalogue: a host's overrides, or a language of its own (English fills the gaps). */
export type Overrides = Partial<Catalogue>;
