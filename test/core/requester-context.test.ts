import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeRequester, sameNetwork } from "../../src/core/requester-context.ts";

describe("requester context", () => {
  it("reads browser, OS and device from the User-Agent", () => {
    const context = describeRequester({
      userAgent:
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
      ip: "198.51.100.4",
      origin: "https://example.com",
    });
    assert.equal(context.browser, "Safari 17");
    assert.match(context.os, /^macOS/);
    assert.equal(context.device, "desktop");
    assert.equal(context.ip, "198.51.100.4");
    assert.equal(context.origin, "https://example.com");
  });

  it("says Unknown rather than guessing when there is no User-Agent, and truncates huge ones", () => {
    assert.deepEqual(describeRequester({ userAgent: undefined, ip: undefined, origin: undefined }), {
      browser: "Unknown",
      os: "Unknown",
      device: "unknown",
      userAgent: "",
      ip: null,
      origin: null,
    });
    assert.equal(
      describeRequester({ userAgent: "x".repeat(10_000), ip: "::1", origin: undefined }).userAgent.length,
      512,
    );
  });

  it("compares networks by IPv4 /24 and IPv6 /64", () => {
    assert.equal(sameNetwork("203.0.113.7", "203.0.113.200"), true);
    assert.equal(sameNetwork("203.0.113.7", "::ffff:203.0.113.9"), true);
    assert.equal(sameNetwork("203.0.113.7", "198.51.100.7"), false);
    assert.equal(sameNetwork("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"), true);
    assert.equal(sameNetwork("2001:db8:1:2::1", "2001:db8:1:3::1"), false);
    assert.equal(sameNetwork("203.0.113.7", "2001:db8::1"), false);
    assert.equal(sameNetwork(null, "203.0.113.7"), null);
  });
});
