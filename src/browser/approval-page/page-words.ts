import type { Overrides } from "../i18n/catalogue.ts";
import { addLanguage } from "../i18n/languages.ts";
import { translatorFor } from "../i18n/page-language.ts";
import type { Translator } from "../i18n/translator.ts";

/**
 * The words the server rendered the page in (its `<html lang>`), with the host's own words for
 * that language, which the server sends along in a JSON data block.
 */
export function pageWords(): Translator {
  const lang = document.documentElement.lang || "en";
  const block = document.getElementById("qrlogin-messages")?.textContent;
  if (block) addLanguage(lang, JSON.parse(block) as Overrides);
  return translatorFor([lang]);
}
