import type { Overrides } from "./catalogue.ts";
import { messagesOf, pickLanguage } from "./languages.ts";
import { createTranslator, type Translator } from "./translator.ts";

/**
 * The languages a part of the page asks for, most wanted first: the `lang` of `element` or its
 * nearest ancestor (the page's own `<html lang>` included), else the browser's `navigator.languages`.
 * Outside a browser, none.
 */
export function pageLanguages(element?: Element): string[] {
  const lang = element?.closest("[lang]")?.getAttribute("lang") || globalThis.document?.documentElement.lang;
  if (lang) return [lang];
  return [...(globalThis.navigator?.languages ?? [])];
}

/**
 * The words for the first of `preferred` this page knows (English when none), with `overrides`
 * laid over them.
 * @example translatorFor(pageLanguages(), { "login.pending": "Scan me" })
 */
export function translatorFor(preferred: readonly string[], overrides: Overrides = {}): Translator {
  const lang = pickLanguage(preferred);
  return createTranslator(lang, { ...messagesOf(lang), ...overrides });
}
