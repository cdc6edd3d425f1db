import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { LocalNotifier } from "../../src/store/local-notifier.ts";
import type { ChangeMessage } from "../../src/store/login-store.ts";
import { Desktop, EventStream, Phone } from "../helpers/clients.ts";
import { startServer, TEST_USER_HEADER, type TestServer } from "../helpers/server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The status and error code an event stream was refused with; fails if it opened. */
async function refusal(opening: Promise<EventStream>): Promise<[number, string]> {
  try {
    (await opening).close();
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return [status, JSON.parse(body).error];
  }
  assert.fail("the stream was accepted");
}

/** Tries `open` until it succeeds: a slot comes back once the server has seen the client go, a moment later. */
async function eventually<T>(open: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await open();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

/** The desktop's event stream, sent from `ip` (servers here trust one proxy). */
function streamFrom(desktop: Desktop, ip: string): Promise<EventStream> {
  return EventStream.open(`${desktop.base}/qrlogin/requests/${desktop.id}/events`, {
    cookie: desktop.cookie,
    "x-forwarded-for": ip,
  });
}

describe("open event streams and long-polls are bounded", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ trustProxy: 1 });
  });
  after(() => server.close());

  it("3 per request: the 4th stream and a waiting long-poll get 429 TOO_MANY_STREAMS, until one closes", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const streams = [await desktop.events(), await desktop.events(), await desktop.events()];
    assert.deepEqual(await refusal(desktop.events()), [429, "TOO_MANY_STREAMS"]);
    const poll = await desktop.request("?wait=5&version=1");
    assert.deepEqual([poll.status, poll.body.error], [429, "TOO_MANY_STREAMS"]);
    assert.match(String(poll.body.error_description), /already has 3 open event streams/);
    assert.equal((await desktop.request("")).status, 200, "a look without waiting holds nothing and is answered");

    streams.shift()?.close();
    streams.push(await eventually(() => desktop.events()));
    assert.deepEqual(await refusal(desktop.events()), [429, "TOO_MANY_STREAMS"]);
    for (const stream of streams) stream.close();
  });

  it("long-polls count while they wait, and give their slot back when answered or abandoned", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    const version = (await desktop.request("")).body.version;
    // Answered by a change (the phone's scan): the slot is back before the answer is.
    const answered = desktop.request(`?wait=10&version=${version}`);
    await sleep(50);
    await new Phone(server.url, "alice").scan(desktop.scanToken);
    assert.equal((await answered).body.status, "scanned");
    const streams = [await desktop.events(), await desktop.events(), await desktop.events()];
    for (const stream of streams) stream.close();

    const other = new Desktop(server.url);
    await other.create();
    const otherVersion = (await other.request("")).body.version;
    const waiting = [1, 2, 3].map(() => {
      const controller = new AbortController();
      other.request(`?wait=10&version=${otherVersion}`, { signal: controller.signal }).catch(() => {});
      return controller;
    });
    await eventually(async () => assert.deepEqual(await refusal(other.events()), [429, "TOO_MANY_STREAMS"]));
    for (const controller of waiting) controller.abort();
    const again = await Promise.all([1, 2, 3].map(() => eventually(() => other.events())));
    for (const stream of again) stream.close();
  });

  it("50 per address, the approver's stream included, given back when the server ends a stream", async () => {
    const ip = "198.51.100.7";
    const desktops: Desktop[] = [];
    for (let i = 0; i < 17; i++) {
      const desktop = new Desktop(server.url);
      await desktop.create({}, { "x-forwarded-for": ip });
      desktops.push(desktop);
    }
    const streams = await Promise.all(
      desktops.flatMap((d, i) => (i < 16 ? [d, d, d] : [d, d])).map((d) => streamFrom(d, ip)),
    );
    assert.equal(streams.length, 50);
    const last = desktops[16] as Desktop;
    assert.deepEqual(await refusal(streamFrom(last, ip)), [429, "TOO_MANY_STREAMS"]);
    const phone = new Phone(server.url, "bob", ip);
    assert.deepEqual(await refusal(phone.events()), [429, "TOO_MANY_STREAMS"]);
    const elsewhere = await streamFrom(last, "198.51.100.8");
    assert.ok(elsewhere, "another address is counted on its own");
    elsewhere.close();

    // Cancelling a request ends its three streams on the server's side: their slots come back.
    const first = desktops[0] as Desktop;
    assert.equal((await first.request("", { method: "DELETE" })).status, 200);
    const mine = await eventually(() => phone.events());
    await eventually(() => streamFrom(last, ip)).then((stream) => stream.close());
    mine.close();
    for (const stream of streams) stream.close();

    // Once every client is gone, the whole allowance is there again: nothing leaked.
    const reopened = await Promise.all(
      desktops
        .slice(1)
        .flatMap((d) => [d, d, d])
        .map((d) => eventually(() => streamFrom(d, ip))),
    );
    const phones = [await eventually(() => phone.events()), await phone.events()];
    assert.deepEqual(await refusal(phone.events()), [429, "TOO_MANY_STREAMS"], "and no more");
    for (const stream of [...reopened, ...phones]) stream.close();
  });

  it("IPv6 is counted per /64", async () => {
    const small = await startServer({ trustProxy: 1, maxStreamsPerIp: 2 });
    try {
      const open = (user: string, ip: string) => new Phone(small.url, user, ip).events();
      const held = [await open("a", "2001:db8:1:2::a"), await open("b", "2001:db8:1:2:ffff:ffff:ffff:ffff")];
      assert.deepEqual(await refusal(open("c", "2001:db8:1:2:0:0:0:c")), [429, "TOO_MANY_STREAMS"]);
      assert.deepEqual(
        await refusal(open("c", "2001:0DB8:0001:0002::c")),
        [429, "TOO_MANY_STREAMS"],
        "however written",
      );
      held.push(await open("c", "2001:db8:1:3::c"), await open("d", "192.0.2.1"), await open("e", "::ffff:192.0.2.2"));
      for (const stream of held) stream.close();
    } finally {
      await small.close();
    }
  });

  it("5 approver streams per signed-in user, from any number of addresses", async () => {
    const streams: EventStream[] = [];
    for (let i = 0; i < 5; i++) streams.push(await new Phone(server.url, "carol", `203.0.113.${i}`).events());
    assert.deepEqual(await refusal(new Phone(server.url, "carol", "203.0.113.99").events()), [429, "TOO_MANY_STREAMS"]);
    streams.shift()?.close();
    streams.push(await eventually(() => new Phone(server.url, "carol", "203.0.113.99").events()));
    for (const stream of streams) stream.close();
  });

  it("slots do not leak over many openings and closings", async () => {
    const desktop = new Desktop(server.url);
    await desktop.create();
    for (let round = 0; round < 10; round++) {
      const streams = await Promise.all([1, 2, 3].map(() => eventually(() => desktop.events())));
      for (const stream of streams) stream.close();
    }
    const phone = new Phone(server.url, "dave");
    for (let round = 0; round < 5; round++) {
      const streams = await Promise.all([1, 2, 3, 4, 5].map(() => eventually(() => phone.events())));
      for (const stream of streams) stream.close();
    }
  });
});

/** The in-process notifier, counting the subscriptions open streams hold. */
class CountingNotifier extends LocalNotifier {
  active = 0;

  override async subscribe(channel: string, listener: (message: ChangeMessage) => void) {
    const stop = await super.subscribe(channel, listener);
    this.active++;
    return async () => {
      this.active--;
      await stop();
    };
  }
}

describe("a stream whose client left before it started", () => {
  it("is never started: nothing lingers, no slot is held", async () => {
    const notifier = new CountingNotifier();
    // A slow sign-in check: the clients below are gone by the time it answers.
    const server = await startServer({
      notifier,
      maxStreamsPerApprover: 2,
      authenticateApprover: async (req) => {
        await sleep(100);
        return { userId: String(req.header(TEST_USER_HEADER)) };
      },
    });
    try {
      const { hostname, port } = new URL(server.url);
      for (let i = 0; i < 10; i++) {
        const socket = connect(Number(port), hostname, () => {
          socket.write(`GET /qrlogin/approver/events HTTP/1.1\r\nHost: x\r\n${TEST_USER_HEADER}: zoe\r\n\r\n`);
          setTimeout(() => socket.destroy(), 20);
        });
      }
      await sleep(300);
      assert.equal(notifier.active, 0, "no stream subscribed for a client already gone");
      const streams = [await new Phone(server.url, "zoe").events(), await new Phone(server.url, "zoe").events()];
      assert.equal(notifier.active, 2);
      for (const stream of streams) stream.close();
    } finally {
      await server.close();
    }
  });
});

/** Sends the start of a body, then goes away: with a FIN (`end`) or a reset (`reset`). */
function abortUpload(url: string, path: string, headers: Record<string, string>, how: "end" | "reset") {
  const { hostname, port } = new URL(url);
  return new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = Object.entries({ host: `${hostname}:${port}`, "content-length": "1000", ...headers });
      socket.write(`POST ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n{"token":"`);
      setTimeout(() => {
        if (how === "reset") socket.resetAndDestroy();
        else socket.destroy();
        resolve();
      }, 20);
    });
    socket.once("error", reject);
  });
}

describe("a client that goes away mid-upload is not an error", () => {
  it("20 aborted uploads log nothing, and the server carries on", async () => {
    const server = await startServer({ deviceFlow: {} });
    try {
      const json = { "content-type": "application/json" };
      const targets: [string, Record<string, string>][] = [
        ["/qrlogin/requests", json],
        ["/qrlogin/scan", { ...json, [TEST_USER_HEADER]: "alice" }],
        ["/qrlogin/oauth/device_authorization", { "content-type": "application/x-www-form-urlencoded" }],
        ["/qrlogin/oauth/token", { "content-type": "application/x-www-form-urlencoded" }],
      ];
      for (let i = 0; i < 20; i++) {
        const [path, headers] = targets[i % targets.length] as [string, Record<string, string>];
        await abortUpload(server.url, path, headers, i % 2 === 0 ? "end" : "reset");
      }
      await sleep(200);
      assert.deepEqual(server.errors, [], "nothing reached the logger");
      assert.equal((await new Desktop(server.url).create()).status, 201);
    } finally {
      await server.close();
    }
  });
});
