import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metadataUrls, qrloginEndpoints } from "../../src/cli/device-flow/discovery.ts";
import { parseDuration } from "../../src/cli/duration.ts";
import { formatDuration, qrText } from "../../src/cli/terminal.ts";

describe("the command line's small parts", () => {
  it("RFC 8414 puts the well-known segment before the issuer's path; OpenID Connect appends it", () => {
    assert.deepEqual(metadataUrls(new URL("https://id.example/tenant/")), [
      "https://id.example/.well-known/oauth-authorization-server/tenant",
      "https://id.example/tenant/.well-known/openid-configuration",
    ]);
    assert.deepEqual(metadataUrls(new URL("http://127.0.0.1:3000")), [
      "http://127.0.0.1:3000/.well-known/oauth-authorization-server",
      "http://127.0.0.1:3000/.well-known/openid-configuration",
    ]);
  });

  it("qrlogin's endpoints sit under /qrlogin/oauth of the site, wherever the site is mounted", () => {
    assert.deepEqual(qrloginEndpoints(new URL("https://example.com/app/")), {
      deviceAuthorization: "https://example.com/app/qrlogin/oauth/device_authorization",
      token: "https://example.com/app/qrlogin/oauth/token",
    });
  });

  it("durations take a unit, except 0", () => {
    assert.equal(parseDuration("24h"), 86_400_000);
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("1.5d"), 129_600_000);
    assert.equal(parseDuration("0"), 0);
    assert.throws(() => parseDuration("10"), /not a duration/);
    assert.throws(() => parseDuration("-1h"), /not a duration/);
  });

  it("the countdown reads minutes and seconds; the QR styles differ in size", () => {
    assert.equal(formatDuration(119_001), "2:00");
    assert.equal(formatDuration(65_000), "1:05");
    const small = qrText("https://example.com/qrlogin/a#t=abc", "small");
    const large = qrText("https://example.com/qrlogin/a#t=abc", "large");
    assert.ok(small.split("\n").length < large.split("\n").length, "half blocks: two rows a line");
    assert.equal(qrText("https://example.com", "none"), "");
  });
});
