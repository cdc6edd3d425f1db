import { readFile } from "node:fs/promises";
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
   * The site's name in the page title and the installed app's name.
   * @defaultValue the host name
   */
  siteName?: string;
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
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
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

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="20" fill="#0b57d0"/><g fill="#fff"><path d="M18 18h26v26H18zm6 6v14h14V24zM52 18h26v26H52zm6 6v14h14V24zM18 52h26v26H18zm6 6v14h14V58z"/><path d="M29 29h4v4h-4zm34 0h4v4h-4zM29 63h4v4h-4zm23-11h8v8h-8zm16 0h10v8H68zm-8 8h8v10h-8zm10 8h8v10h-8zm-18 2h8v8h-8z"/></g></svg>`;

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
  if (rest === "/assets/icon.svg") return asset(200, "image/svg+xml", ICON);
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

function manifest(ctx: ApprovalPageContext, options: ApprovalPage, incoming: IncomingRequest): Outgoing {
  const body = JSON.stringify({
    name: `Approve sign-ins — ${siteNameOf(options, incoming)}`,
    short_name: "Approve sign-in",
    start_url: `${ctx.basePath}/a`,
    scope: `${ctx.basePath}/`,
    display: "standalone",
    background_color: "#f6f7f9",
    theme_color: "#0b57d0",
    icons: [{ src: `${ctx.basePath}/assets/icon.svg`, sizes: "any", type: "image/svg+xml", purpose: "any" }],
  });
  return asset(200, "application/manifest+json", body);
}

async function page(ctx: ApprovalPageContext, options: ApprovalPage, incoming: IncomingRequest): Promise<Outgoing> {
  const approver = await ctx.authenticateApprover(incoming);
  const name = approver ? (approver.displayName ?? approver.userId) : "";
  const base = escapeHtml(ctx.basePath);
  const site = escapeHtml(siteNameOf(options, incoming));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#0b57d0">
<title>Approve a sign-in — ${site}</title>
<link rel="manifest" href="${base}/assets/manifest.webmanifest">
<link rel="icon" href="${base}/assets/icon.svg">
<link rel="stylesheet" href="${base}/assets/approve.css">
<script type="module" src="${base}/assets/approve.js"></script>
</head>
<body data-base-path="${base}" data-approver="${escapeHtml(name)}">
<main>
<header><h1>Approve a sign-in</h1>${name ? `<p class="who">Signed in as ${escapeHtml(name)}</p>` : ""}</header>
<p id="status" class="status" role="status" aria-live="polite"></p>
<div id="alerts"></div>
<div id="pushes" hidden></div>
<section id="signin" hidden>
  <h2>Sign in on this phone first</h2>
  <p>To let another device in, this phone must be signed in to ${site}.</p>
  <a class="button wide" href="${escapeHtml(options.signInUrl)}">Sign in</a>
</section>
<section id="start" hidden>
  <h2>Sign in on another device</h2>
  <p>On the computer, open the sign-in page. It shows a QR code and a code of eight letters.</p>
  <button id="scan" type="button" class="wide">Scan the QR code</button>
  <div id="camera" hidden>
    <video id="video" muted playsinline aria-label="Camera view"></video>
    <button id="camera-stop" type="button" class="wide">Stop the camera</button>
  </div>
  <p id="no-camera" class="note" hidden>The camera works on secure (https) pages only. Type the code instead, or scan the QR with your phone's camera app.</p>
  <form id="code-form" autocomplete="off">
    <label for="code">Or type the code shown on the screen</label>
    <div class="row"><input id="code" name="code" inputmode="text" autocapitalize="characters" spellcheck="false" placeholder="BCDF-GHJK" maxlength="12" aria-describedby="code-help"><button type="submit">Continue</button></div>
    <p id="code-help" class="note">Letters only, like BCDF-GHJK. Upper or lower case both work.</p>
  </form>
</section>
<section id="busy" hidden><p>One moment…</p></section>
<div id="card" hidden></div>
<template id="request-template">
<article class="request">
  <h2 class="title" tabindex="-1"></h2>
  <p class="site">Someone wants to sign in to <strong data-field="origin"></strong> as you.</p>
  <div class="warnings" data-field="warnings" hidden>
    <ul></ul>
    <p>If you are not in front of that device right now, someone may be trying to get into your account: tap “This wasn't me”.</p>
  </div>
  <dl>
    <dt>Device</dt><dd><span data-field="device"></span><small>as the browser describes itself</small></dd>
    <dt>IP address</dt><dd data-field="ip"></dd>
    <dt>Location</dt><dd data-field="location"></dd>
    <dt>Network</dt><dd data-field="network"></dd>
    <dt>Requested</dt><dd data-field="age"></dd>
  </dl>
  <div data-field="number" hidden></div>
  <p class="problem" data-field="problem" role="alert"></p>
  <p class="note">Approve only if you are in front of that device and just asked to sign in there.</p>
  <div class="choices"><button type="button" class="choice" data-action="deny">Deny</button><button type="button" class="choice" data-action="approve">Approve</button></div>
  <button type="button" class="link" data-action="not-me">This wasn't me</button>
</article>
</template>
<section id="result" hidden>
  <button id="again" type="button" class="wide">Sign in another device</button>
</section>
</main>
</body></html>`;
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": PAGE_CSP,
      "permissions-policy": "camera=(self)",
      ...SAFE_HEADERS,
    },
    body: html,
  };
}
