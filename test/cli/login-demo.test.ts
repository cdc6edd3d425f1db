import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cliInPty, noPty, type Running, startDemo, USER_CODE } from "./processes.ts";

/** The demo's phone: an account made with a password, whose session cookie may approve. */
class DemoPhone {
  cookie = "";

  constructor(readonly base: string) {}

  async signUp(email: string): Promise<void> {
    const response = await fetch(`${this.base}/demo/signup/password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery" }),
    });
    assert.equal(response.status, 200, await response.text());
    this.cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.base}/qrlogin${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: this.cookie },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Types the code the terminal shows; returns the request card. */
  async typeCode(userCode: string): Promise<Record<string, unknown>> {
    const card = await this.post("/scan", { userCode });
    assert.equal(card.status, 200, JSON.stringify(card.body));
    return card.body;
  }
}

/** The terminal's escape sequences (the progress line clears itself with one). */
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");

/** The lines of the pty's output, without the progress line's rewrites. */
const lines = (output: string) =>
  output
    .split(/\r?\n|\r/)
    .map((line) => line.replace(ESCAPE, "").trim())
    .filter(Boolean);

describe("qrlogin login against qrlogin serve, in a terminal", { skip: noPty }, () => {
  let dataDir: string;
  let demo: { url: string; server: Running };
  let phone: DemoPhone;
  const running: Running[] = [];
  const login = (...args: string[]) => {
    const child = cliInPty(["login", demo.url, ...args]);
    running.push(child);
    return child;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "qrlogin-cli-demo-"));
    demo = await startDemo(dataDir, ["--device-interval", "1"]);
    phone = new DemoPhone(demo.url);
    await phone.signUp("alice@example.com");
  });
  after(() => {
    for (const child of [...running, demo?.server]) child?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows a QR, the URL and the code; the phone approves; the token printed is a session of that account", async () => {
    const terminal = login();
    const [, userCode] = await terminal.waitFor(USER_CODE);
    assert.match(terminal.output, /[█▀▄]{7}/, "a QR drawn in half blocks");
    assert.ok(terminal.output.includes(`${demo.url}/qrlogin/a\r\n`), "the verification URI");
    await terminal.waitFor(/Waiting for approval… the code expires in \d:\d\d \(checking every 1 s\)/);

    const card = await phone.typeCode(userCode as string);
    assert.match(String((card.requester as Record<string, unknown>).browser), /qrlogin-cli/, "the card names the CLI");
    assert.equal((await phone.post(`/requests/${card.id}/approve`, {})).status, 200);

    assert.equal(await terminal.exited, 0, terminal.output);
    const shown = lines(terminal.output);
    assert.equal(shown.at(-2), "Signed in.");
    const token = shown.at(-1) as string;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    // The demo's device token is the session's own token: as a cookie it opens alice's account page.
    const account = await fetch(`${demo.url}/account`, {
      headers: { cookie: `demo_session=${token}` },
      redirect: "manual",
    });
    assert.equal(account.status, 200);
    assert.match(await account.text(), /alice@example\.com/);
  });

  it("a denial on the phone ends with exit code 3 and says so", async () => {
    const terminal = login("--qr", "none");
    const [, userCode] = await terminal.waitFor(USER_CODE);
    assert.doesNotMatch(terminal.output, /[█▀▄]{7}/, "--qr none draws no QR");
    const card = await phone.typeCode(userCode as string);
    assert.equal((await phone.post(`/requests/${card.id}/deny`, {})).status, 200);
    assert.equal(await terminal.exited, 3, terminal.output);
    assert.match(terminal.output, /qrlogin: The sign-in was denied \(access_denied\)\./);
  });

  it("Ctrl-C ends the wait at once, cleanly, with exit code 130", async () => {
    const terminal = login();
    await terminal.waitFor(/Waiting for approval/);
    terminal.type("\x03");
    assert.equal(await terminal.exited, 130, terminal.output);
    assert.equal(lines(terminal.output).at(-1), "Cancelled.");
    assert.doesNotMatch(terminal.output, /\n\s+at /, "no stack trace");
  });
});
