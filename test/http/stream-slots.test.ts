import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isQrLoginError } from "../../src/core/errors.ts";
import type { IncomingRequest } from "../../src/http/incoming.ts";
import { validHeaderValue } from "../../src/http/outgoing.ts";
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
    const slots = new StreamSlots({ perRequest: 2, perIp: 3, perApprover: 1 });
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
