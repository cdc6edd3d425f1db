import { ar } from "./ar.ts";
import type { Catalogue, Overrides } from "./catalogue.ts";
import { de } from "./de.ts";
import { en } from "./en.ts";
import { es } from "./es.ts";
import { fr } from "./fr.ts";
import { ja } from "./ja.ts";
import { ptBR } from "./pt-BR.ts";
import { zhCN } from "./zh-CN.ts";

/** The catalogues shipped with qrlogin, by BCP 47 tag. */
export const BUILT_IN: Readonly<Record<string, Catalogue>> = {
  en,
  fr,
  de,
  es,
  "pt-BR": ptBR,
  ja,
  "zh-CN": zhCN,
  ar,
};

/** Languages a host added in this page with {@link addLanguage}. */
const added = new Map<string, Overrides>();

/**
 * Makes a language available to `<qr-login>` and the approver SDK in this page, or changes words
 * of one (`messages` is laid over what the language already had). Keys left out fall back to English.
 * @example addLanguage("it", { "login.pending": "Inquadra con il telefono", … });
 */
export function addLanguage(tag: string, messages: Overrides): void {
  added.set(tag, { ...added.get(tag), ...messages });
}

/** Every language known in this page: the built-in ones, then those added. */
export function knownLanguages(): string[] {
  return [...new Set([...Object.keys(BUILT_IN), ...added.keys()])];
}

/** The messages of `tag`: its built-in catalogue with what was added over it (English fills the gaps later). */
export function messagesOf(tag: string): Overrides {
  return { ...BUILT_IN[tag], ...added.get(tag) };
}

interface Parsed {
  tag: string;
  language: string;
  script: string | undefined;
  region: string | undefined;
}

function parse(tag: string): Parsed | null {
  try {
    // maximize() adds the likely script and region: "zh-TW" is zh-Hant-TW, "pt" is pt-Latn-BR.
    const locale = new Intl.Locale(tag).maximize();
    return { tag, language: locale.language, script: locale.script, region: locale.region };
  } catch {
    return null;
  }
}

/**
 * The first of `preferred` (most wanted first) that one of `available` can serve: the same
 * language in the same script, the same region when there is a choice. Traditional Chinese is not
 * served Simplified, but Portuguese from Portugal gets Brazil's. English when nothing fits.
 * @example pickLanguage(["fr-CA", "en"]) // "fr"
 */
export function pickLanguage(preferred: readonly string[], available: readonly string[] = knownLanguages()): string {
  const candidates = available.map(parse).filter((parsed): parsed is Parsed => parsed !== null);
  for (const wanted of preferred) {
    const exact = available.find((tag) => tag.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
    const want = parse(wanted);
    if (!want) continue;
    const same = candidates.filter((c) => c.language === want.language && c.script === want.script);
    const chosen = same.find((c) => c.region === want.region) ?? same[0];
    if (chosen) return chosen.tag;
  }
  return "en";
}

const RTL_SCRIPTS = new Set(["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr"]);

/**
 * Which way `tag`'s script is written.
 * @example directionOf("ar") // "rtl"
 */
export function directionOf(tag: string): "ltr" | "rtl" {
  const script = parse(tag)?.script;
  return script && RTL_SCRIPTS.has(script) ? "rtl" : "ltr";
}

/**
 * The tags of an `Accept-Language` header, most wanted first (those with `q=0` left out).
 * @example parseAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8") // ["fr-CH", "fr", "en"]
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag !== "" && entry.tag !== "*" && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}
