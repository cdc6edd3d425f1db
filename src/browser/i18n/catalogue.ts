import type { Plural } from "./catalogue-shape.ts";
import type { en } from "./en.ts";

export type { CatalogueShape, Plural } from "./catalogue-shape.ts";

/**
 * Every message, keyed as in the English catalogue: a catalogue typed `Catalogue` that lacks a key
 * (or has one too many) does not compile. `{name}` marks a placeholder.
 */
export type Catalogue = { readonly [K in keyof typeof en]: (typeof en)[K] extends string ? string : Plural };

/** The name of one message. */
export type MessageKey = keyof Catalogue;

/** Some messages of a catalogue: a host's overrides, or a language of its own (English fills the gaps). */
export type Overrides = Partial<Catalogue>;
