import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toDigits } from "../../src/browser/approval-page/number-field.ts";
import type { Plural } from "../../src/browser/i18n/catalogue.ts";
import { en } from "../../src/browser/i18n/en.ts";
import {
  addLanguage,
  BUILT_IN,
  directionOf,
  parseAcceptLanguage,
  pickLanguage,
} from "../../src/browser/i18n/languages.ts";
import { translatorFor } from "../../src/browser/i18n/page-language.ts";
import { createTranslator } from "../../src/browser/i18n/translator.ts";

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
const forms = (message: string | Plural) => (typeof message === "string" ? [message] : Object.values(message));

describe("message catalogues", () => {
  it("ships the eight languages, each named in its own words", () => {
    assert.deepEqual(Object.keys(BUILT_IN), ["en", "fr", "de", "es", "pt-BR", "ja", "zh-CN", "ar"]);
    const names = Object.values(BUILT_IN).map((catalogue) => catalogue.language);
    assert.deepEqual(names, [
      "English",
      "Français",
      "Deutsch",
      "Español",
      "Português (Brasil)",
      "日本語",
      "简体中文",
      "العربية",
    ]);
  });

  it("every language has every key of English, with the same placeholders, and no English left in it", () => {
    for (const [lang, catalogue] of Object.entries(BUILT_IN)) {
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(en).sort(), lang);
      for (const [key, english] of Object.entries(en) as [keyof typeof en, string | Plural][]) {
        const wanted = new Set(forms(english).flatMap((form) => [...placeholders(form)]));
        for (const form of forms(catalogue[key])) {
          // A plural form may leave {count} out ("two requests" in Arabic is one word); nothing else.
          const extra = [...placeholders(form)].filter((name) => !wanted.has(name));
          const missing = [...wanted].filter((name) => name !== "count" && !placeholders(form).has(name));
          assert.deepEqual([extra, missing], [[], []], `${lang} ${key}: ${form}`);
        }
        if (lang !== "en" && typeof english === "string" && english.length > 12 && !key.startsWith("error.METHOD")) {
          assert.notEqual(catalogue[key], english, `${lang} ${key} is still in English`);
        }
      }
    }
  });
});

describe("picking a language", () => {
  it("serves the closest catalogue: region falls back, script does not", () => {
    assert.equal(pickLanguage(["fr-CA", "en"]), "fr");
    assert.equal(pickLanguage(["pt-PT"]), "pt-BR");
    assert.equal(pickLanguage(["pt"]), "pt-BR");
    assert.equal(pickLanguage(["zh-Hans-SG"]), "zh-CN");
    assert.equal(pickLanguage(["zh-TW", "ja"]), "ja", "Traditional Chinese is not served Simplified");
    assert.equal(pickLanguage(["not a tag", "de-AT"]), "de");
    assert.equal(pickLanguage(["ar-EG"]), "ar");
    assert.equal(pickLanguage(["ko"]), "en");
    assert.equal(pickLanguage([]), "en");
  });

  it("reads Accept-Language by quality, in order, without q=0 or *", () => {
    assert.deepEqual(parseAcceptLanguage("en;q=0.5, fr-CH, fr;q=0.9, *;q=0.1, de;q=0"), ["fr-CH", "fr", "en"]);
    assert.deepEqual(parseAcceptLanguage(undefined), []);
  });

  it("knows which way a language is written", () => {
    assert.equal(directionOf("ar"), "rtl");
    assert.equal(directionOf("he-IL"), "rtl");
    assert.equal(directionOf("fa"), "rtl");
    assert.equal(directionOf("ja"), "ltr");
    assert.equal(directionOf("x-nonsense!"), "ltr");
  });

  it("a language added by the host is picked, and English fills what it lacks", () => {
    addLanguage("it", { "login.pending": "Inquadra con il telefono" });
    const words = translatorFor(["it-IT"]);
    assert.equal(words.lang, "it");
    assert.equal(words.t("login.pending"), "Inquadra con il telefono");
    assert.equal(words.t("login.tryAgain"), "Try again");
  });
});

describe("a translator", () => {
  it("fills placeholders, and keeps markup slots apart", () => {
    const words = createTranslator("en", BUILT_IN.en ?? {});
    assert.equal(words.t("login.continueAs", { who: "a•••@example.com" }), "Continue as a•••@example.com");
    assert.deepEqual(words.parts("login.enterNumber", ["number"]), ["Enter ", { slot: "number" }, " on your phone"]);
    assert.equal(words.t("page.several", { count: 2 }).startsWith("2 sign-in requests are waiting"), true);
  });

  it("chooses Arabic's plural forms and isolates values inside right-to-left text", () => {
    const words = createTranslator("ar", BUILT_IN.ar ?? {});
    assert.equal(words.dir, "rtl");
    assert.match(words.t("page.several", { count: 2 }), /^طلبا /, "two: the dual");
    // The digits are the platform's choice for Arabic: Western or Arabic-Indic.
    assert.match(words.t("page.several", { count: 5 }), /^(5|٥) طلبات /, "few: 3 to 10");
    assert.match(words.t("page.several", { count: 11 }), /^(11|١١) طلبًا /, "many: 11 to 99");
    assert.equal(words.t("login.continueAs", { who: "a@example.com" }), "المتابعة باسم \u2068a@example.com\u2069");
  });

  it("reads the digits a phone keyboard sends: full-width, Arabic-Indic, Persian", () => {
    assert.equal(toDigits("４２"), "42");
    assert.equal(toDigits("٤٢"), "42");
    assert.equal(toDigits("۴۲"), "42");
    assert.equal(toDigits(" 4-2 "), "42");
  });
});
