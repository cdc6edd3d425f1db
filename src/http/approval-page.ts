import { readFile } from "node:fs/promises";
import type { MessageKey, Overrides } from "../browser/i18n/catalogue.ts";
import { BUILT_IN, parseAcceptLanguage, pickLanguage } from "../browser/i18n/languages.ts";
import { createTranslator, type Params, type Translator } from "../browser/i18n/translator.ts";
import type { Approver } from "../core/transitions.ts";
import type { IncomingRequest } from "./incoming.ts";
import type { Outgoing } from "./outgoing.ts";

/** Options of the phone approval page served at `basePath + "/a"`. */
export interface ApprovalPageOptions {
  /**
   * Where a phone that is not signed in is sent to sign in.
   * @defaultValue {@link DEFAULTS}.approvalPage.signInUrl
   */
  signInUrl?: string;
  /**
   * The site's (or app's) name in the page's words, its title and the installed app's name.
   * @defaultValue the host name
   */
  siteName?: string;
  /**
   * The page's language: a tag such as `"fr"`, or a function of the request (e.g. reading the
   * host's own language cookie) that may return nothing. Otherwise, and when the tag has no
   * catalogue, the phone's `Accept-Language` decides; English when nothing fits.
   * @defaultValue the phone's `Accept-Language`
   */
  lang?: string | ((request: IncomingRequest) => string | null | undefined);
  /**
   * Words by language tag, laid over the built-in catalogue of that language, e.g.
   * `{ fr: { "page.heading": "Valider une connexion" } }`. A tag with no built-in catalogue adds a
   * language (keys left out are in English). See docs/i18n.md for the keys.
   * @defaultValue the built-in catalogues
   */
  messages?: Record<string, Overrides>;
  /**
   * A logo shown at the top of the page (a URL; another origin is added to the page's `img-src`).
   * @defaultValue none
   */
  logoUrl?: string;
  /**
   * The accent colour of buttons and links, in light and dark mode alike (a CSS colour made of
   * letters, digits, `#`, `(`, `)`, `,`, `.`, `%`, `/` and spaces; anything else is ignored).
   * @defaultValue the page's own palette
   */
  accentColor?: string;
  /**
   * The colour of text on the accent colour.
   * @defaultValue white
   */
  accentTextColor?: string;
}

/** {@link ApprovalPageOptions} with the defaults filled in. */
export type ApprovalPage = ApprovalPageOptions & { signInUrl: string };

/** What serving the page needs from the route context. */
export interface ApprovalPageContext {
  basePath: string;
  approvalPage: ApprovalPage | false;
  authenticateApprover(incoming: IncomingRequest): Promise<Approver | null> | Approver | null;
}

/**
 * Built bundles served under `basePath + "/assets/"` (and the service worker at `basePath + "/sw.js"`).
 * Each file is named in full beside `import.meta.url`, the form bundlers (Next.js's Turbopack, webpack)
 * copy along with a server build; a bare folder URL fails their build.
 */
const ASSETS: Record<string, { file: URL; type: string }> = {
  "/assets/approve.js": { file: new URL("../../dist/browser/approve.js", import.meta.url), type: "text/javascript" },
  "/assets/approve.css": { file: new URL("../../dist/browser/approve-style.css", import.meta.url), type: "text/css" },
  "/assets/qr-login.js": { file: new URL("../../dist/browser/qr-login.js", import.meta.url), type: "text/javascript" },
  "/sw.js": { file: new URL("../../dist/browser/sw.js", import.meta.url), type: "text/javascript" },
};

// Scripts and styles are files of this origin; nothing inline, nothing from elsewhere, never framed.
// `img-src` gains the origin of the host's logo, when it is elsewhere.
const pageCsp = (logoOrigin: string | null) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${logoOrigin ? ` ${logoOrigin}` : ""}`,
    "media-src 'self' blob:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

/** Headers every page and asset of the phone side carries. */
const SAFE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

const DEFAULT_ACCENT = "#0b57d0";
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="20" fill="${DEFAULT_ACCENT}"/><g fill="#fff"><path d="M18 18h26v26H18zm6 6v14h14V24zM52 18h26v26H52zm6 6v14h14V24zM18 52h26v26H18zm6 6v14h14V58z"/><path d="M29 29h4v4h-4zm34 0h4v4h-4zM29 63h4v4h-4zm23-11h8v8h-8zm16 0h10v8H68zm-8 8h8v10h-8zm10 8h8v10h-8zm-18 2h8v8h-8z"/></g></svg>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Answers the phone approval page and its assets, or `null` for any other path (`rest` is the
 * path under the base path). The page is rendered per request with the approver's sign-in
 * state, read from the host's own session through `authenticateApprover`.
 */
export async function serveApprovalPage(
  ctx: ApprovalPageContext,
  incoming: IncomingRequest,
  rest: string,
): Promise<Outgoing | null> {
  if (ctx.approvalPage === false || incoming.method !== "GET") return null;
  const options = ctx.approvalPage;
  if (rest === "/a") return page(ctx, options, incoming);
  if (rest === "/assets/manifest.webmanifest") return manifest(ctx, options, incoming);
  if (rest === "/assets/icon.svg") return asset(200, "image/svg+xml", ICON.replace(DEFAULT_ACCENT, accentOf(options)));
  if (rest === "/assets/brand.css") return asset(200, "text/css", brandCss(options));
  const known = ASSETS[rest];
  if (!known) return null;
  try {
    return asset(200, known.type, await readFile(known.file, "utf8"));
  } catch {
    return asset(503, "text/plain", "qrlogin: browser bundles are not built; run `npm run build`.");
  }
}

function asset(status: number, type: string, body: string): Outgoing {
  // no-cache: revalidated on each use, so a new release is picked up at once.
  return {
    status,
    headers: { "content-type": `${type}; charset=utf-8`, "cache-control": "no-cache", ...SAFE_HEADERS },
    body,
  };
}

function siteNameOf(options: ApprovalPageOptions, incoming: IncomingRequest): string {
  return options.siteName ?? incoming.url.hostname;
}

/** A colour safe to put in a stylesheet: no character that could end the declaration or the rule. */
function cssColour(colour: string | undefined): string | null {
  return colour && /^[#\w\s.,%()/+-]{1,64}$/.test(colour) ? colour.trim() : null;
}

function accentOf(options: ApprovalPageOptions): string {
  return cssColour(options.accentColor) ?? DEFAULT_ACCENT;
}

/** The host's colours over the page's palette (linked after it, so they win in light and dark mode). */
function brandCss(options: ApprovalPageOptions): string {
  const accent = cssColour(options.accentColor);
  if (!accent) return "";
  return `:root { --accent: ${accent}; --accent-fg: ${cssColour(options.accentTextColor) ?? "#ffffff"}; }\n`;
}

/**
 * The page's language: the host's choice, then the phone's `Accept-Language`, among the built-in
 * catalogues and the languages the host added; with the host's words laid over it.
 */
function wordsFor(options: ApprovalPageOptions, incoming: IncomingRequest): Translator {
  const chosen = typeof options.lang === "function" ? options.lang(incoming) : options.lang;
  const preferred = [...(chosen ? [chosen] : []), ...parseAcceptLanguage(incoming.header("accept-language"))];
  const lang = pickLanguage(preferred, [...Object.keys(BUILT_IN), ...Object.keys(options.messages ?? {})]);
  return createTranslator(lang, { ...BUILT_IN[lang], ...options.messages?.[lang] });
}

function manifest(ctx: ApprovalPageContext, options: ApprovalPage, incoming: IncomingRequest): Outgoing {
  const words = wordsFor(options, incoming);
  const body = JSON.stringify({
    name: words.t("page.appName", { site: siteNameOf(options, incoming) }),
    short_name: words.t("page.appShortName"),
    lang: words.lang,
    dir: words.dir,
    start_url: `${ctx.basePath}/a`,
    scope: `${ctx.basePath}/`,
    display: "standalone",
    background_color: "#f6f7f9",
    theme_color: accentOf(options),
    icons: [{ src: `${ctx.basePath}/assets/icon.svg`, sizes: "any", type: "image/svg+xml", purpose: "any" }],
  });
  return asset(200, "application/manifest+json", body);
}

/** The origin of the host's logo when it is not this page's own (for the CSP), else `null`. */
function logoOrigin(logoUrl: string | undefined, incoming: IncomingRequest): string | null {
  if (!logoUrl) return null;
  try {
    const url = new URL(logoUrl, incoming.url);
    return /^https?:$/.test(url.protocol) && url.origin !== incoming.url.origin ? url.origin : null;
  } catch {
    return null;
  }
}

async function page(ctx: ApprovalPageContext, options: ApprovalPage, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await ctx.authenticateApprover(incoming);
  const name = approver ? (approver.displayName ?? approver.userId) : "";
  const base = escapeHtml(ctx.basePath);
  const siteName = siteNameOf(options, incoming);
  const words = wordsFor(options, incoming);
  // Every word of the page comes from the catalogue; `withMarkup` puts markup where a message has a slot.
  const t = (key: MessageKey, params?: Params) => escapeHtml(words.t(key, params));
  const withMarkup = (key: MessageKey, slots: Record<string, string>) =>
    words
      .parts(key, Object.keys(slots))
      .map((part) => (typeof part === "string" ? escapeHtml(part) : (slots[part.slot] ?? "")))
      .join("");
  // The host's own words for this language go to the page's script too (a data block, never run).
  const hostWords = options.messages?.[words.lang];
  const wordsBlock = hostWords
    ? `<script type="application/json" id="qrlogin-messages">${JSON.stringify(hostWords).replace(/</g, "\\u003c")}</script>\n`
    : "";
  const logo = options.logoUrl
    ? `<img class="logo" src="${escapeHtml(options.logoUrl)}" alt="${escapeHtml(siteName)}">`
    : "";
  const brand = cssColour(options.accentColor) ? `<link rel="stylesheet" href="${base}/assets/brand.css">\n` : "";
  const html = `<!doctype html>
<html lang="${escapeHtml(words.lang)}" dir="${words.dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="${escapeHtml(accentOf(options))}">
<title>${t("page.title", { site: siteName })}</title>
<link rel="manifest" href="${base}/assets/manifest.webmanifest">
<link rel="icon" href="${base}/assets/icon.svg">
<link rel="stylesheet" href="${base}/assets/approve.css">
${brand}${wordsBlock}<script type="module" src="${base}/assets/approve.js"></script>
</head>
<body data-base-path="${base}" data-approver="${escapeHtml(name)}">
<main>
${logo}<header><h1>${t("page.heading")}</h1>${name ? `<p class="who">${t("page.signedInAs", { name })}</p>` : ""}</header>
<p id="status" class="status" role="status" aria-live="polite"></p>
<div id="alerts" hidden></div>
<div id="pushes" hidden></div>
<section id="signin" hidden>
  <h2>${t("page.signInTitle")}</h2>
  <p>${t("page.signInText", { site: siteName })}</p>
  <a class="button wide" href="${escapeHtml(options.signInUrl)}">${t("page.signIn")}</a>
</section>
<section id="start" hidden>
  <h2>${t("page.startTitle")}</h2>
  <p>${t("page.startText")}</p>
  <button id="scan" type="button" class="wide">${t("page.scan")}</button>
  <div id="camera" hidden>
    <video id="video" muted playsinline aria-label="${t("page.cameraView")}"></video>
    <button id="camera-stop" type="button" class="wide">${t("page.stopCamera")}</button>
  </div>
  <p id="no-camera" class="note" hidden>${t("page.noCamera")}</p>
  <form id="code-form" autocomplete="off">
    <label for="code">${t("page.codeLabel")}</label>
    <div class="row"><input id="code" name="code" dir="ltr" inputmode="text" autocapitalize="characters" spellcheck="false" placeholder="BCDF-GHJK" maxlength="12" aria-describedby="code-error code-help"><button type="submit">${t("page.continue")}</button></div>
    <p id="code-error" class="problem" role="alert"></p>
    <p id="code-help" class="note">${t("page.codeHelp")}</p>
  </form>
</section>
<section id="busy" hidden><p>${t("page.busy")}</p></section>
<div id="card" hidden></div>
<template id="request-template">
<article class="request">
  <h2 class="title" tabindex="-1"></h2>
  <p class="site">${withMarkup("card.site", { origin: `<strong data-field="origin" dir="ltr"></strong>` })}</p>
  <div class="warnings" data-field="warnings" hidden>
    <ul></ul>
    <p>${t("card.warningAdvice")}</p>
  </div>
  <dl>
    <dt>${t("card.device")}</dt><dd><span data-field="device"></span><small>${t("card.deviceClaimed")}</small></dd>
    <dt>${t("card.ip")}</dt><dd><span data-field="ip" dir="ltr"></span></dd>
    <dt>${t("card.location")}</dt><dd data-field="location"></dd>
    <dt>${t("card.network")}</dt><dd data-field="network"></dd>
    <dt>${t("card.requested")}</dt><dd data-field="age"></dd>
  </dl>
  <p class="note">${t("card.note")}</p>
  <div class="decide">
    <div data-field="number" hidden></div>
    <p class="problem" data-field="problem" role="alert"></p>
    <div class="choices"><button type="button" class="choice" data-action="deny">${t("card.deny")}</button><button type="button" class="choice" data-action="approve">${t("card.approve")}</button></div>
    <button type="button" class="link" data-action="not-me">${t("card.notMe")}</button>
  </div>
</article>
</template>
<section id="result" hidden>
  <button id="again" type="button" class="wide">${t("page.again")}</button>
</section>
</main>
</body></html>`;
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": pageCsp(logoOrigin(options.logoUrl, incoming)),
      "permissions-policy": "camera=(self)",
      // The words depend on the phone's languages.
      vary: "Accept-Language",
      ...SAFE_HEADERS,
    },
    body: html,
  };
}
