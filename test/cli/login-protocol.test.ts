import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./processes.ts";

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** What the stub's token endpoint answers, poll after poll, for each client: [status, body]. */
const SCRIPTS: Record<string, [number, Record<string, unknown> | null][]> = {
  slow: [
    [400, { error: "slow_down" }],
    [200, { access_token: "token-slow", token_type: "Bearer", expires_in: 3600 }],
  ],
  flaky: [
    [503, null],
    [200, { access_token: "token-flaky", token_type: "Bearer" }],
  ],
  late: [
    [400, { error: "authorization_pending" }],
    [400, { error: "expired_token" }],
  ],
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

/**
 * A minimal RFC 8628 authorization server: RFC 8414 metadata naming endpoints under `/as/`, a
 * device authorization endpoint that refuses unknown clients, and a token endpoint that plays each
 * client's script and notes when it was polled.
 */
function stubServer(): { server: Server; polls: Record<string, number[]> } {
  const polls: Record<string, number[]> = {};
  const server = createServer(async (req, res) => {
    const base = `http://${req.headers.host}`;
    const send = (status: number, body: Record<string, unknown> | null) => {
      res.writeHead(status, { "content-type": body ? "application/json" : "text/plain" });
      res.end(body ? JSON.stringify(body) : "Service Unavailable");
    };
    if (req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") {
      return send(200, {
        issuer: base,
        device_authorization_endpoint: `${base}/as/device`,
        token_endpoint: `${base}/as/token`,
      });
    }
    const form = req.method === "POST" ? await readForm(req) : new URLSearchParams();
    const client = form.get("client_id") ?? "";
    if (req.url === "/as/device") {
      if (!(client in SCRIPTS)) return send(401, { error: "invalid_client" });
      return send(200, {
        device_code: `device-${client}`,
        user_code: "BCDF-GHJK",
        verification_uri: `${base}/activate`,
        verification_uri_complete: `${base}/activate?user_code=BCDF-GHJK`,
        expires_in: 600,
        interval: 1,
      });
    }
    if (req.url === "/as/token" && form.get("grant_type") === GRANT && form.get("device_code") === `device-${client}`) {
      const seen = polls[client] ?? [];
      polls[client] = seen;
      seen.push(Date.now());
      const script = SCRIPTS[client] ?? [];
      const [status, body] = script[Math.min(seen.length, script.length) - 1] ?? [400, { error: "invalid_grant" }];
      return send(status, body);
    }
    send(404, { error: "not_found" });
  });
  return { server, polls };
}

/** A port nothing listens on (just closed). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("qrlogin login speaks RFC 8628 to any server (a stub written here)", { concurrency: true }, () => {
  let stub: ReturnType<typeof stubServer>;
  let base: string;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "qrlogin-cli-login-"));
    stub = stubServer();
    await new Promise<void>((resolve) => stub.server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
  });
  after(() => {
    stub.server.closeAllConnections();
    stub.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the endpoints by RFC 8414, adds 5 s after slow_down, and saves the token readable by its owner only", async () => {
    const file = join(dir, "token.json");
    writeFileSync(file, "an older token\n");
    chmodSync(file, 0o644);
    const run = cli(["login", base, "--client-id", "slow", "--save", file, "--verbose"]);
    assert.equal(await run.exited, 0, run.output);
    assert.match(run.stderr, new RegExp(`from ${base}/\\.well-known/oauth-authorization-server`));
    assert.match(run.stderr, /Open\n {2}http:\/\/127\.0\.0\.1:\d+\/activate\nand enter the code\n\n {2}BCDF-GHJK\n/);
    assert.doesNotMatch(run.stderr, /[█▀▄]/, "no QR where stderr is not a terminal");
    assert.match(run.stderr, /The server asked to slow down: polling every 6 s\./);
    const [first = 0, second = 0] = stub.polls.slow ?? [];
    assert.ok(second - first >= 5_900, `the poll after slow_down waited ${second - first} ms, not 1 + 5 s`);

    assert.equal(run.stdout, "", "a saved token is not printed");
    assert.match(run.stderr, /Token saved to .*token\.json \(readable by you only\)\./);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), {
      access_token: "token-slow",
      token_type: "Bearer",
      expires_in: 3600,
    });
  });

  it("takes the endpoints from the command line, and tries again with backoff when the server fails", async () => {
    const run = cli([
      "login",
      "--device-authorization-endpoint",
      `${base}/as/device`,
      "--token-endpoint",
      `${base}/as/token`,
      "--client-id",
      "flaky",
    ]);
    assert.equal(await run.exited, 0, run.output);
    assert.match(run.stderr, /The token endpoint answered HTTP 503, not JSON; trying again in 2 s\./);
    assert.equal(run.stdout, "token-flaky\n", "only the token on stdout, for $(qrlogin login …)");
  });

  it("expired_token ends with exit code 4", async () => {
    const run = cli(["login", base, "--client-id", "late"]);
    assert.equal(await run.exited, 4, run.output);
    assert.match(run.stderr, /qrlogin: The code expired before it was approved \(expired_token\)/);
  });

  it("an unknown client, an unreachable server and a missing URL each end in one line with exit code 1", async () => {
    const unknown = cli(["login", base, "--client-id", "nobody"]);
    const closed = await freePort();
    const unreachable = cli(["login", `http://127.0.0.1:${closed}`]);
    const nowhere = cli(["login"]);
    assert.equal(await unknown.exited, 1);
    assert.equal(
      unknown.stderr,
      'qrlogin: The server does not accept the client id "nobody" (invalid_client); give the one it expects with --client-id.\n',
    );
    assert.equal(await unreachable.exited, 1);
    assert.equal(
      unreachable.stderr,
      `qrlogin: Cannot reach http://127.0.0.1:${closed}/.well-known/oauth-authorization-server: ECONNREFUSED\n`,
    );
    assert.equal(await nowhere.exited, 1);
    assert.match(nowhere.stderr, /^qrlogin: Name the server \(qrlogin login <url>\)/);
  });

  it("a usage error ends with exit code 2", async () => {
    const run = cli(["login", base, "--qr", "huge"]);
    assert.equal(await run.exited, 2);
    assert.match(run.stderr, /argument 'huge' is invalid/);
  });
});
