import assert from "node:assert/strict";
import { Desktop, Phone } from "../helpers/clients.ts";

/** What {@link signIn} saw: the QR's URL and the cookie the host's `issueSession` set. */
export interface SignedIn {
  qrUrl: string;
  /** `name=value` of the session cookie, ready for a Cookie header. */
  sessionCookie: string;
}

/**
 * Signs a desktop in through a site that serves qrlogin's API at `base + "/qrlogin"`, as a browser and
 * a phone would: create, follow the event stream, scan the QR, approve, redeem. The phone is signed in
 * by the test hooks' header (test/helpers/server.ts), or by `phoneHeaders`.
 */
export async function signIn(base: string, phoneHeaders: Record<string, string> = {}): Promise<SignedIn> {
  const desktop = new Desktop(base);
  const created = await desktop.create();
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.ok(desktop.qrUrl.startsWith(`${base}/qrlogin/a#t=`), `the QR points under the site's path: ${desktop.qrUrl}`);
  const events = await desktop.events();
  try {
    const phone = new Phone(base, "alice");
    const card = await phone.post("/scan", { token: desktop.scanToken }, phoneHeaders);
    assert.equal(card.status, 200, JSON.stringify(card.body));
    await events.next("scanned");
    const approved = await phone.post(`/requests/${desktop.id}/approve`, {}, phoneHeaders);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await events.next("approved");
  } finally {
    events.close();
  }
  const redeemed = await desktop.redeem();
  assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
  const cookies = redeemed.headers.getSetCookie().map((cookie) => cookie.split(";")[0] ?? "");
  const sessionCookie = cookies.find((cookie) => !cookie.includes("qrlogin-")) ?? "";
  assert.notEqual(sessionCookie, "", `no session cookie among ${cookies.join(", ")}`);
  return { qrUrl: desktop.qrUrl, sessionCookie };
}

/** The phone page the QR opens, and the script and style it links to, all answer from where they are linked. */
export async function assertPhonePageWorks(qrUrl: string): Promise<void> {
  const page = await fetch(qrUrl.replace(/#.*$/, ""));
  assert.equal(page.status, 200);
  const html = await page.text();
  const links = [...html.matchAll(/(?:src|href)="([^"]+\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
  assert.ok(links.length >= 3, `the page links its assets: ${links.join(", ")}`);
  for (const link of links) {
    const asset = await fetch(new URL(link, qrUrl));
    assert.equal(asset.status, 200, `${link} answers`);
  }
}
