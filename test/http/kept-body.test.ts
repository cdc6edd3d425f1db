import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keptBodyText } from "../../src/http/kept-body.ts";

describe("a body a parser read before qrlogin", () => {
  it("rawBody wins, as it came", () => {
    const carrier = { rawBody: Buffer.from('{"mode":"qr"}'), body: { mode: "push" } };
    assert.equal(keptBodyText(carrier, "application/json"), '{"mode":"qr"}');
    assert.equal(keptBodyText({ rawBody: "client_id=cli" }, "application/x-www-form-urlencoded"), "client_id=cli");
  });

  it("a parsed body is written back in the request's own type", () => {
    assert.equal(keptBodyText({ body: { mode: "qr" } }, "application/json"), '{"mode":"qr"}');
    const form = keptBodyText(
      { body: { client_id: "cli", scope: "a b", x: ["1", "2"] } },
      "application/x-www-form-urlencoded",
    );
    assert.deepEqual(
      [...new URLSearchParams(form)],
      [
        ["client_id", "cli"],
        ["scope", "a b"],
        ["x", "1"],
        ["x", "2"],
      ],
    );
  });

  it("text and bytes (express.text(), express.raw()) are taken as they are", () => {
    assert.equal(keptBodyText({ body: "{}" }, "text/plain"), "{}");
    assert.equal(keptBodyText({ body: new Uint8Array([123, 125]) }, "application/octet-stream"), "{}");
  });

  it("nothing kept is undefined, for the binding to refuse", () => {
    assert.equal(keptBodyText({}, "application/json"), undefined);
  });
});
