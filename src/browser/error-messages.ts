import type { MessageKey } from "./i18n/catalogue.ts";
import { en } from "./i18n/en.ts";
import { pageLanguages, translatorFor } from "./i18n/page-language.ts";
import type { Translator } from "./i18n/translator.ts";

/**
 * The words for `code` in the language of `words` (by default, the page's); for a code this
 * version does not know, the server's own description.
 * @example messageFor("expired_token") // "This code has expired. …"
 */
export function messageFor(code: string, fallback?: string, words?: Translator): string {
  const key = `error.${code}`;
  const known = Object.hasOwn(en, key);
  if (!known && fallback !== undefined) return fallback;
  const translator = words ?? translatorFor(pageLanguages());
  return translator.t(known ? (key as MessageKey) : "error.INTERNAL_ERROR");
}
