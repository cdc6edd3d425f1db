import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Desktop, Phone } from "../helpers/clients.ts";

const CHILD = fileURLToPath(new URL("./hook-crash.child.ts", import.meta.url));
/** The phone users of the child, each making its `issueSession` misbehave in its own way. */
const MISBEHAVIOURS = {
  latin1: "a cookie with a non-Latin-1 character",
  crlf: "a cookie with CR/LF",
  throws: "a hook that throws",
  hangs: "a hook that never settles",
};

/**
 * A host's `issueSession` that returns a cookie HTTP cannot carry used to make `node:http` throw
 * outside any handler and end the process: one bad sign-in took the site down. The server runs in a
 * process of its own here, so that a crash is seen as one.
 */
describe("a host hook that misbehaves does not kill the server or lose the sign-in", () => {
  let child: ChildProcess;
  let output = "";
  let exit: string | null = null;
  const ports: Record<string, string> = {};

  before(async () => {
    child = spawn(process.execPath, ["--import", "tsx", CHILD], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("exit", (code, signal) => {
      exit = `exit ${code ?? signal}`;
    });
    const deadline = Date.now() + 20_000;
    while (!/listening node \d+/.test(output) || !/listening web \d+/.test(output)) {
      if (exit || Date.now() > deadline) throw new Error(`the child did not start (${exit}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const [, name, port] of output.matchAll(/listening (\w+) (\d+)/g)) ports[name as string] = port as string;
  });
  after(() => {
    child.kill("SIGKILL");
  });

  /** A whole sign-in, the phone signed in as `user`; returns the desktop's redeem answer and the desktop. */
  async function signIn(base: string, user: string) {
    const desktop = new Desktop(base);
    assert.equal((await desktop.create()).status, 201);
    const phone = new Phone(base, user);
    assert.equal((await phone.scan(desktop.scanToken)).status, 200);
    assert.equal((await phone.approve(desktop.id)).status, 200);
    return Object.assign(await desktop.redeem(), { desktop });
  }

  for (const binding of ["node", "web"]) {
    for (const [user, what] of Object.entries(MISBEHAVIOURS)) {
      it(`${binding} binding, ${what}: a JSON 503 SESSION_FAILED, the approval kept, and the process lives on`, async () => {
        const base = `http://127.0.0.1:${ports[binding]}`;
        const logged = output.split("\n").filter((line) => line.startsWith("logged")).length;
        // A dropped socket would make fetch reject here.
        const redeemed = await signIn(base, user);
        assert.equal(redeemed.status, 503);
        assert.equal(redeemed.body.error, "SESSION_FAILED");
        assert.equal(redeemed.headers.get("set-cookie"), null, "no cookie at all, not half of the answer");
        const after = await redeemed.desktop.request("");
        assert.equal(after.body.status, "approved", "the approval is kept for another try");

        assert.equal(exit, null, `the child died:\n${output}`);
        const lines = output.split("\n").filter((line) => line.startsWith("logged"));
        assert.equal(lines.length, logged + 1, "the failure is logged once");
        assert.match(
          lines.at(-1) ?? "",
          /issueSession (returned a setCookie that is not a valid|threw|did not settle)/,
        );
        assert.doesNotMatch(lines.at(-1) ?? "", /sid=|a\r?\nb/, "the cookie's value (a secret) is not logged");

        const good = await signIn(base, "alice");
        assert.equal(good.status, 200, "the process still answers, and signs people in");
        assert.match(good.headers.get("set-cookie") ?? "", /sid=ok-alice/);
      });
    }
  }
});
