import { BUILT_IN } from "../browser/i18n/languages.ts";
import { unmapped } from "../core/requester-context.ts";
import type { Alert } from "../store/login-store.ts";
import type { Session } from "./sessions.ts";

/** The demo's pages: server-rendered HTML, scripts and styles as files (CSP without inline code). */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Layout {
  title: string;
  /** Signed-in e-mail shown in the top bar, if any. */
  user?: string | undefined;
  scripts?: string[];
  /** The language picked for qrlogin's parts, and the page to come back to once another is picked. */
  lang: string;
  path: string;
}

const GLOBE = `<svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16"><circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M2.5 12h19M12 2.5c3 3 3 16 0 19M12 2.5c-3 3-3 16 0 19" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>`;

/**
 * The language picker: each language in its own name. It sets the language of `<qr-login>` and
 * of the phone approval page; the demo's own pages stay in English.
 */
function languagePicker(lang: string, path: string): string {
  const links = Object.entries(BUILT_IN)
    .map(([tag, words]) => {
      const current = tag === lang ? ` aria-current="true"` : "";
      const href = `/lang?to=${encodeURIComponent(tag)}&amp;back=${encodeURIComponent(path)}`;
      return `<li><a href="${href}" hreflang="${tag}" lang="${tag}"${current}>${escapeHtml(words.language)}</a></li>`;
    })
    .join("");
  return `<details class="languages"><summary>${GLOBE}<span class="visually-hidden">Language: </span><span lang="${escapeHtml(lang)}">${escapeHtml(BUILT_IN[lang]?.language ?? lang)}</span></summary><ul>${links}</ul></details>`;
}

function layout({ title, user, scripts = [], lang, path }: Layout, main: string): string {
  const who = user
    ? `<span>Signed in as <strong>${escapeHtml(user)}</strong></span> <a href="/account">Your account</a>`
    : `<a href="/phone">Create an account</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — qrlogin demo</title>
<link rel="stylesheet" href="/assets/demo.css">
${scripts.map((src) => `<script type="module" src="${src}"></script>`).join("\n")}
</head><body>
<header class="top"><a class="brand" href="/">qrlogin <span>demo</span></a><nav>${who}${languagePicker(lang, path)}</nav></header>
<main>${main}</main>
</body></html>`;
}

/**
 * The desktop's login page: the `<qr-login>` element, a form that turns it into a push request to
 * the account's phone, and three steps that get a newcomer through their first sign-in without
 * reading anything else. `lanOrigin` is offered when the page was
 * opened on localhost, whose QR a real phone cannot reach. `signedOutFromPhone`: this browser's
 * session was ended from the phone's linked devices, and the page says so.
 */
export function loginPage(input: {
  origin: string;
  user?: string | undefined;
  lanOrigin?: string | undefined;
  lang: string;
  signedOutFromPhone?: boolean;
}): string {
  const phoneUrl = `${input.origin}/phone`;
  const lan =
    input.lanOrigin && input.lanOrigin !== input.origin
      ? `<p class="note">Using a real phone on the same Wi-Fi? Open this page at
         <a href="${escapeHtml(input.lanOrigin)}/">${escapeHtml(input.lanOrigin)}</a> instead: your phone cannot reach
         <code>${escapeHtml(new URL(input.origin).host)}</code>.</p>`
      : "";
  const signedOut = input.signedOutFromPhone
    ? `<p class="message" role="status" id="signed-out">This browser was signed out from your phone (under <em>Linked devices</em>). Scan the code again to sign back in.</p>`
    : "";
  return layout(
    {
      title: "Sign in",
      user: input.user,
      scripts: ["/qrlogin/assets/qr-login.js", "/assets/login.js"],
      lang: input.lang,
      path: "/",
    },
    `<h1>Sign in with your phone</h1>
${signedOut}
<p class="lead">No password to type here: a phone where you are signed in lets this browser in.</p>
<qr-login id="qr-login" redirect="/account" lang="${escapeHtml(input.lang)}"></qr-login>
<form id="push" class="push" autocomplete="on">
  <label for="push-email">No camera? Send a request to your phone instead</label>
  <div class="row"><input id="push-email" name="email" type="email" autocomplete="username" required placeholder="you@example.com">
  <button type="submit">Send a request to my phone</button></div>
  <p class="note">Keep <em>Approve a sign-in</em> open on your phone: the request shows up there at once, and you type the number this page shows.</p>
</form>
<button id="use-qr" type="button" class="quiet" hidden>Use a QR code instead</button>
${lan}
<section class="steps" aria-labelledby="steps-title">
  <h2 id="steps-title">First time here? Three steps</h2>
  <ol>
    <li><strong>Make an account on your phone.</strong> Open <a href="/phone">${escapeHtml(phoneUrl)}</a> on it.
      No phone at hand? Open that address in a <em>private window</em> or another browser: it plays the phone.</li>
    <li><strong>Scan the QR code</strong> with the phone's camera, or tap <em>Approve a sign-in</em> there and
      <strong>type the code</strong> shown above.</li>
    <li><strong>Check who is asking and tap Approve.</strong> This page signs in by itself.</li>
  </ol>
</section>`,
  );
}

/** Password fields, behind a "use a password" disclosure where passkeys come first, else in plain view. */
function passwordPart(passkeys: boolean, summary: string, fields: string): string {
  return passkeys ? `<details><summary>${summary}</summary>${fields}</details>` : fields;
}

/**
 * The "phone" page: sign up or sign in (passkey, or password), then go and approve sign-ins. Where
 * browsers refuse passkeys (`passkeyBlocker` says why), the page says so and offers passwords only.
 */
export function phonePage(input: {
  user?: string | undefined;
  next: string;
  lang: string;
  passkeyBlocker: string | null;
}): string {
  if (input.user) {
    return layout(
      { title: "Your phone", user: input.user, lang: input.lang, path: "/phone" },
      `<h1>You're signed in on this phone</h1>
<p class="lead">This page plays your phone app. Use it to let other devices in.</p>
<p><a class="button big" href="/qrlogin/a">Approve a sign-in on another device</a></p>
<p>It opens the camera to scan the QR code, or lets you type the code shown on the other screen.</p>
<p><a href="/account">Your account and linked devices</a></p>
<form method="post" action="/signout"><button class="quiet" type="submit">Sign out of this phone</button></form>`,
    );
  }
  const passkeys = input.passkeyBlocker === null;
  const why = passkeys ? "" : `<p class="note" id="no-passkeys">${escapeHtml(input.passkeyBlocker ?? "")}</p>`;
  return layout(
    { title: "Your phone", scripts: ["/assets/phone.js"], lang: input.lang, path: "/phone" },
    `<h1>Sign in on your phone</h1>
<p class="lead">This page plays your phone app. Sign in here once; then it can let other devices in.</p>
<p id="message" class="message" role="alert" hidden></p>
${why}
<div class="panels" data-next="${escapeHtml(input.next)}">
<section aria-labelledby="new-title">
  <h2 id="new-title">New here? Create an account</h2>
  <form id="signup">
    <label for="signup-email">E-mail</label>
    <input id="signup-email" name="email" type="email" autocomplete="username" required placeholder="you@example.com">
    ${passkeys ? `<button type="submit" data-method="passkey">Create with a passkey</button>` : ""}
    ${passwordPart(
      passkeys,
      "No passkey? Use a password",
      `<label for="signup-password">Password (8 characters or more)</label>
      <input id="signup-password" name="password" type="password" autocomplete="new-password" minlength="8">
      <button type="submit" data-method="password">Create with a password</button>`,
    )}
  </form>
</section>
<section aria-labelledby="back-title">
  <h2 id="back-title">Have an account? Sign in</h2>
  <form id="signin">
    ${passkeys ? `<button type="submit" data-method="passkey">Sign in with a passkey</button>` : ""}
    ${passwordPart(
      passkeys,
      "Use your password",
      `<label for="signin-email">E-mail</label>
      <input id="signin-email" name="email" type="email" autocomplete="username">
      <label for="signin-password">Password</label>
      <input id="signin-password" name="password" type="password" autocomplete="current-password">
      <button type="submit" data-method="password">Sign in</button>`,
    )}
  </form>
</section>
</div>`,
  );
}

const DEVICE_WORDS: Record<string, string> = { desktop: "computer", mobile: "phone", tablet: "tablet", tv: "TV" };

/** "Chrome 131 on Linux (computer)", from a session or an audit entry's requester. */
function describeDevice(described: { browser?: unknown; os?: unknown; device?: unknown }): string {
  const text = (value: unknown, otherwise: string) => (typeof value === "string" && value ? value : otherwise);
  const device = DEVICE_WORDS[text(described.device, "")] ?? "device";
  return `${text(described.browser, "Unknown browser")} on ${text(described.os, "unknown system")} (${device})`;
}

/** An address as people know it (`127.0.0.1`, not `::ffff:127.0.0.1`, which older records may hold). */
function ipText(ip: unknown): string {
  return typeof ip === "string" && ip ? unmapped(ip) : "unknown";
}

/** A time as the pages show it: `2025-01-31 14:05 UTC` in a `<time>` element. */
function timeHtml(at: number): string {
  const when = new Date(at).toISOString();
  return `<time datetime="${when}">${escapeHtml(when.slice(0, 16).replace("T", " "))} UTC</time>`;
}

const ALERT_TITLES: Record<string, string> = {
  new_device: "New device signed in",
  not_me: "You answered “This wasn't me”",
  wrong_number: "A sign-in was stopped: the wrong number was typed",
};

/** The account's recent alerts, newest first. */
function alertsHtml(alerts: Alert[]): string {
  if (alerts.length === 0) return "";
  const items = alerts
    .map((alert) => {
      const { reason } = alert;
      const requester = (alert.detail.requester ?? {}) as Record<string, unknown>;
      return `<li class="alert-item" data-reason="${escapeHtml(reason)}"><strong>${escapeHtml(ALERT_TITLES[reason] ?? reason)}</strong>
  <div class="meta">${escapeHtml(describeDevice(requester))} · IP ${escapeHtml(ipText(requester.ip))} · ${timeHtml(alert.at)}</div></li>`;
    })
    .join("\n");
  return `<section aria-labelledby="alerts-title">
  <h2 id="alerts-title">Recent alerts</h2>
  <p>Sign-ins to your account by phone, and requests you refused. If one wasn't you, sign that device out below.</p>
  <ul class="alerts">${items}</ul>
</section>`;
}

/** The account page: who you are, recent alerts, and the devices your phone let in, each revocable. */
export function accountPage(input: {
  lang: string;
  user: string;
  current: Session;
  alerts: Alert[];
  devices: Session[];
  revoked?: number;
}): string {
  const rows = input.devices
    .map((device) => {
      const here = device.id === input.current.id ? ` <span class="badge">this device</span>` : "";
      return `<li class="device">
  <div><strong>${escapeHtml(describeDevice(device))}</strong>${here}
    <div class="meta">IP ${escapeHtml(ipText(device.ip))} · ${escapeHtml(device.location ?? "location unknown")} ·
      signed in ${timeHtml(device.createdAt)}</div></div>
  <form method="post" action="/account/devices/${encodeURIComponent(device.id)}/revoke">
    <button type="submit" class="quiet" aria-label="Sign out ${escapeHtml(describeDevice(device))}">Sign out</button></form>
</li>`;
    })
    .join("\n");
  const notice =
    input.revoked === undefined
      ? ""
      : `<p class="message" role="status">${input.revoked === 1 ? "1 device was" : `${input.revoked} devices were`} signed out.</p>`;
  const how = input.current.via === "qr" ? "by scanning a QR code with your phone" : `with your ${input.current.via}`;
  return layout(
    { title: "Your account", user: input.user, lang: input.lang, path: "/account" },
    `<h1>Your account</h1>
<p class="lead">You are signed in as <strong id="who">${escapeHtml(input.user)}</strong>. This device signed in ${how}.</p>
${notice}
${alertsHtml(input.alerts)}
<section aria-labelledby="devices-title">
  <h2 id="devices-title">Linked devices</h2>
  <p>Devices your phone signed in by QR code or typed code. Sign out any you don't recognise.</p>
  ${
    input.devices.length === 0
      ? `<p class="empty">No linked devices yet. Open <a href="/">the sign-in page</a> on a computer to add one.</p>`
      : `<ul class="devices">${rows}</ul>
  <form method="post" action="/account/devices/revoke-all"><button type="submit" class="danger">Sign out all linked devices</button></form>`
  }
</section>
<form method="post" action="/signout"><button class="quiet" type="submit">Sign out of this device</button></form>`,
  );
}
