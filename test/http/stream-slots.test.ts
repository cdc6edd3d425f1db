import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isQrLoginError, QrLoginError } from "../../src/core/errors.ts";
import type { IncomingRequest } from "../../src/http/incoming.ts";
import { connectionCapacity, limitConnections, openFileLimit, streamCapacity } from "../../src/http/open-files.ts";
import { toErrorOutgoing, validHeaderValue } from "../../src/http/outgoing.ts";
import { networkOf, StreamSlots } from "../../src/http/stream-slots.ts";

/** Just what `take` reads of a request: its address and its abort signal. */
function from(ip: string | undefined): { incoming: IncomingRequest; leave: () => void } {
  const controller = new AbortController();
  const incoming = { ip, signal: controller.signal } as IncomingRequest;
  return { incoming, leave: () => controller.abort() };
}

describe("stream slots", () => {
  it("counts IPv4 by address and IPv6 by /64, however written", () => {
    assert.equal(networkOf("192.0.2.1"), "192.0.2.1");
    assert.equal(networkOf("::ffff:192.0.2.1"), "192.0.2.1");
    assert.equal(networkOf("2001:db8:1:2::a"), "2001:db8:1:2::/64");
    assert.equal(networkOf("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(networkOf("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(networkOf("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(networkOf("1::2:3:4:5:6.7.8.9"), "1:0:2:3::/64", "a dotted tail stands for two groups");
    assert.equal(networkOf(undefined), undefined);
  });

  it("refuses past a limit without taking anything, and gives slots back once, on release or on leaving", () => {
    const slots = new StreamSlots({ perRequest: 2, perIp: 3, perApprover: 1, perInstance: 100 });
    const a = from("192.0.2.1");
    const first = slots.take(a.incoming, { request: "r1" });
    slots.take(a.incoming, { request: "r1" });
    const refused = (fn: () => unknown) => assert.throws(fn, (e) => isQrLoginError(e, "TOO_MANY_STREAMS"));
    refused(() => slots.take(from("192.0.2.9").incoming, { request: "r1" }));
    slots.take(a.incoming, { approver: "alice" });
    refused(() => slots.take(a.incoming, { request: "r2" }));
    refused(() => slots.take(from("192.0.2.9").incoming, { approver: "alice" }));

    first();
    first();
    slots.take(a.incoming, { request: "r2" });
    refused(() => slots.take(a.incoming, { request: "r3" }));
    a.leave();
    for (let i = 0; i < 3; i++) slots.take(from("192.0.2.1").incoming, { request: `s${i}` });
    slots.take(from(undefined).incoming, { request: "r1" });
  });
});

describe("the streams of one instance", () => {
  it("are refused past perInstance, whoever opens them, until one closes", () => {
    const slots = new StreamSlots({ perRequest: 3, perIp: 50, perApprover: 5, perInstance: 2 });
    const a = from("192.0.2.1");
    slots.take(a.incoming, { request: "r1" });
    const release = slots.take(from("192.0.2.2").incoming, { approver: "alice" });
    const refusal = (fn: () => unknown) => {
      assert.throws(
        fn,
        (e) => isQrLoginError(e, "TOO_MANY_STREAMS") && /holds as many event streams as it can/.test(e.message),
      );
    };
    refusal(() => slots.take(from("192.0.2.3").incoming, { request: "r2" }));
    refusal(() => slots.take(from(undefined).incoming, { request: "r3" }));
    release();
    slots.take(from("192.0.2.3").incoming, { request: "r2" });
    a.leave();
    slots.take(from(undefined).incoming, { request: "r3" });
  });

  it("a client over its own limit is told that, not that the server is full", () => {
    const slots = new StreamSlots({ perRequest: 1, perIp: 50, perApprover: 5, perInstance: 1 });
    slots.take(from("192.0.2.1").incoming, { request: "r1" });
    assert.throws(
      () => slots.take(from("192.0.2.1").incoming, { request: "r1" }),
      (e) => isQrLoginError(e, "TOO_MANY_STREAMS") && /already has 1 open/.test(e.message),
    );
  });

  it("the refusal closes its connection, so that the client comes back on another", () => {
    const slots = new StreamSlots({ perRequest: 3, perIp: 50, perApprover: 5, perInstance: 0 });
    try {
      slots.take(from("192.0.2.1").incoming, { request: "r1" });
      assert.fail("taken");
    } catch (error) {
      const outgoing = toErrorOutgoing(error);
      assert.equal(outgoing.status, 429);
      assert.ok("body" in outgoing && outgoing.closeConnection);
    }
    assert.ok(!("closeConnection" in toErrorOutgoing(new QrLoginError("RATE_LIMITED", "slow down"))));
  });
});

describe("open files", () => {
  const limits =
    (soft: string, hard = soft) =>
    () =>
      `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft}                ${hard}                files     \nMax locked memory         8388608              8388608              bytes     \n`;

  it("reads this process's soft limit from /proc/self/limits, and knows when it cannot", () => {
    assert.equal(openFileLimit(limits("20000")), 20_000);
    assert.equal(openFileLimit(limits("unlimited")), Number.POSITIVE_INFINITY);
    assert.equal(
      openFileLimit(() => {
        throw new Error("ENOENT");
      }),
      undefined,
    );
    assert.equal(
      openFileLimit(() => "nothing about files"),
      undefined,
    );
    if (process.platform === "linux") assert.ok((openFileLimit() ?? 0) > 0);
  });

  it("leaves room for files and short requests: streams below connections below the limit", () => {
    assert.equal(streamCapacity(20_000), 19_000);
    assert.equal(connectionCapacity(20_000), 19_900);
    assert.equal(streamCapacity(1_024), 824);
    assert.equal(streamCapacity(256), 56);
    assert.equal(connectionCapacity(256), 156);
    assert.equal(streamCapacity(undefined), Number.POSITIVE_INFINITY);
    assert.equal(connectionCapacity(Number.POSITIVE_INFINITY), undefined);
  });

  it("caps a server's connections where the limit is known, and leaves them alone where it is unlimited", () => {
    const server = { maxConnections: 0 };
    limitConnections(server, Number.POSITIVE_INFINITY);
    assert.equal(server.maxConnections, 0);
    limitConnections(server, 256);
    assert.equal(server.maxConnections, 156);
  });
});

describe("validHeaderValue", () => {
  it("accepts what HTTP can carry and refuses what would split, cut or break a header", () => {
    for (const good of ["sid=abc; Path=/; HttpOnly", "", "a\tb", "caf\u00e9", "!~"])
      assert.ok(validHeaderValue(good), good);
    for (const bad of ["a\r\nb", "a\nb", "a\rb", "a\0b", "sid=\u0100", "\u{1f600}", "a\u007fb"]) {
      assert.equal(validHeaderValue(bad), false, JSON.stringify(bad));
    }
    assert.equal(validHeaderValue(42 as unknown as string), false, "a JavaScript host can return anything");
  });
});
