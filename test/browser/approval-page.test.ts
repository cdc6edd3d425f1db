import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApprovalPageOptions } from "../../src/http/approval-page.ts";
import { createQrLogin } from "../../src/qrlogin.ts";
import { MemoryStore } from "../../src/store/memory.ts";

/** The phone approval page's answer for a signed-in phone, with `headers`. */
async function get(approvalPage: ApprovalPageOptions, headers: Record<string, string> = {}, path = "/a") {
  const qr = createQrLogin({
    store: new MemoryStore(),
    origin: "https://example.com",
    approvalPage,
    authenticateApprover: () => ({ userId: "alice", displayName: "alice@example.com" }),
    issueSession: () => ({}),
  });
  try {
    const response = await qr.handler(new Request(`https://example.com/qrlogin${path}`, { headers }), {
      ip: "203.0.113.1",
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } finally {
    await qr.close();
  }
}

/** The words a person reads in a page: text between tags, and the title, placeholder and label attributes. */
function wordsOf(html: string): string[] {
  const body = html.replace(/<script\b[\s\S]*?<\/script>/g, "");
  const texts = body.split(/<[^>]*>/).map((text) => text.trim());
  const attributes = [...body.matchAll(/\s(?:aria-label|title|alt)="([^"]*)"/g)].map((m) => m[1] ?? "");
  return [...texts, ...attributes].filter((text) => /\p{L}{3}/u.test(text));
}

describe("the phone approval page's words", () => {
  it("speaks the phone's language (Accept-Language), every word of it", async () => {
    const english = wordsOf((await get({ siteName: "Acme" }, { "accept-language": "en-GB" })).body);
    const page = await get({ siteName: "Acme" }, { "accept-language": "fr-CH, fr;q=0.9, en;q=0.5" });
    assert.match(page.body, /<html lang="fr" dir="ltr">/);
    assert.match(page.body, /<title>Approuver une connexion — Acme<\/title>/);
    assert.equal(page.headers.get("vary"), "Accept-Language");
    const left = wordsOf(page.body).filter(
      (text) => english.includes(text) && !/^(Acme|alice@example\.com)$/.test(text),
    );
    assert.deepEqual(left, [], "no English left on the French page");
  });

  it("is written right to left in Arabic", async () => {
    const page = await get({}, { "accept-language": "ar" });
    assert.match(page.body, /<html lang="ar" dir="rtl">/);
    assert.match(page.body, /<h1>الموافقة على تسجيل دخول<\/h1>/);
  });

  it("the host's choice (a tag, or a function of the request) comes before Accept-Language", async () => {
    assert.match((await get({ lang: "de" }, { "accept-language": "fr" })).body, /<html lang="de"/);
    const byCookie: ApprovalPageOptions = { lang: (request) => request.cookie("lang") };
    assert.match((await get(byCookie, { cookie: "lang=ja", "accept-language": "fr" })).body, /<html lang="ja"/);
    assert.match((await get(byCookie, { "accept-language": "es" })).body, /<html lang="es"/, "no cookie");
    assert.match((await get({ lang: "tlh" }, { "accept-language": "zh-CN" })).body, /<html lang="zh-CN"/);
  });

  it("lays the host's words over a language, adds a language, and sends those words to the page's script", async () => {
    const messages = { fr: { "page.heading": "Valider une connexion" }, it: { "page.heading": "Approva un accesso" } };
    const french = await get({ messages }, { "accept-language": "fr" });
    assert.match(french.body, /<h1>Valider une connexion<\/h1>/);
    assert.match(french.body, /<h2>Se connecter sur un autre appareil<\/h2>/, "the rest stays French");
    assert.match(
      french.body,
      /<script type="application\/json" id="qrlogin-messages">\{"page.heading":"Valider une connexion"\}<\/script>/,
    );
    const italian = await get({ messages }, { "accept-language": "it-IT" });
    assert.match(italian.body, /<html lang="it" dir="ltr">/);
    assert.match(italian.body, /<h1>Approva un accesso<\/h1>/);
    assert.match(italian.body, /<h2>Sign in on another device<\/h2>/, "English where the host gave no words");
  });

  it("the installed app's name follows the language", async () => {
    const manifest = JSON.parse(
      (await get({ siteName: "Acme" }, { "accept-language": "es" }, "/assets/manifest.webmanifest")).body,
    );
    assert.equal(manifest.name, "Aprobar inicios de sesión — Acme");
    assert.equal(manifest.lang, "es");
  });
});

describe("the phone approval page's branding", () => {
  it("shows the host's logo (its origin allowed for images only) and accent colour", async () => {
    const branding = { siteName: "Acme", logoUrl: "https://cdn.example.net/acme.svg", accentColor: "#e11d48" };
    const page = await get(branding);
    assert.match(page.body, /<main>\n<img class="logo" src="https:\/\/cdn.example.net\/acme.svg" alt="Acme"><header>/);
    assert.match(
      page.headers.get("content-security-policy") ?? "",
      /img-src 'self' data: blob: https:\/\/cdn\.example\.net;/,
    );
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self';/);
    assert.match(page.body, /<meta name="theme-color" content="#e11d48">/);
    assert.match(page.body, /<link rel="stylesheet" href="\/qrlogin\/assets\/brand.css">/);
    const css = await get(branding, {}, "/assets/brand.css");
    assert.equal(css.body, ":root { --accent: #e11d48; --accent-fg: #ffffff; }\n");
    assert.match((await get(branding, {}, "/assets/icon.svg")).body, /fill="#e11d48"/);
  });

  it("ignores a colour that could break out of the stylesheet", async () => {
    const branding = { accentColor: "red;} body{display:none" };
    assert.doesNotMatch((await get(branding)).body, /brand\.css/);
    assert.equal((await get(branding, {}, "/assets/brand.css")).body, "");
  });
});
