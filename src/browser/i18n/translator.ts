import type { MessageKey, Overrides, Plural } from "./catalogue.ts";
import { en } from "./en.ts";
import { directionOf } from "./languages.ts";

/** Values for a message's `{placeholders}`; `count` also picks a plural message's form. */
export type Params = Readonly<Record<string, string | number>>;

/** A piece of a message split around its slots: text, or the name of a slot for the caller to fill. */
export type Part = string | { slot: string };

/** The words of one language, with English for any key the language lacks. */
export interface Translator {
  /** The BCP 47 tag of the language, for `lang` attributes. */
  readonly lang: string;
  readonly dir: "ltr" | "rtl";
  /**
   * The message `key` with its placeholders filled.
   * @example t("login.continueAs", { who: "a•••@example.com" })
   */
  t(key: MessageKey, params?: Params): string;
  /**
   * The message split around the placeholders named in `slots` (an element, or markup, goes
   * there); the other placeholders are filled from `params`.
   */
  parts(key: MessageKey, slots: readonly string[], params?: Params): Part[];
}

// First-strong isolate … pop isolate: a value keeps its own direction inside right-to-left text.
const isolate = (text: string) => `\u2068${text}\u2069`;

/**
 * The words of language `lang`: `messages` first, English where they have no entry.
 * @example createTranslator("fr", BUILT_IN.fr).t("login.tryAgain") // "Réessayer"
 */
export function createTranslator(lang: string, messages: Overrides): Translator {
  const dir = directionOf(lang);
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);
  const english = en as Overrides;
  const template = (key: MessageKey, params: Params): string => {
    const message: string | Plural | undefined = messages[key] ?? english[key];
    if (message === undefined) return key;
    if (typeof message === "string") return message;
    const form = plurals.select(Number(params.count ?? 0));
    return message[form] ?? message.other;
  };
  const value = (param: string | number) =>
    typeof param === "number" ? numbers.format(param) : dir === "rtl" ? isolate(param) : param;
  const parts = (key: MessageKey, slots: readonly string[], params: Params = {}): Part[] => {
    const pieces: Part[] = [];
    let text = "";
    // Odd pieces are placeholder names: "a {x} b" splits into ["a ", "x", " b"].
    template(key, params)
      .split(/\{(\w+)\}/)
      .forEach((piece, index) => {
        if (index % 2 === 0) text += piece;
        else if (slots.includes(piece)) {
          pieces.push(text, { slot: piece });
          text = "";
        } else {
          const param = params[piece];
          text += param === undefined ? `{${piece}}` : value(param);
        }
      });
    pieces.push(text);
    return pieces.filter((piece) => piece !== "");
  };
  return {
    lang,
    dir,
    t: (key, params = {}) => parts(key, [], params).join(""),
    parts,
  };
}
