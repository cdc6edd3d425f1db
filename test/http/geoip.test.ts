import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { geoIpFromFile } from "../../src/http/geoip.ts";
import { buildMmdb } from "../helpers/mmdb.ts";

describe("GeoIP from a MaxMind-format database file", () => {
  const file = join(mkdtempSync(join(tmpdir(), "qrlogin-geoip-")), "city.mmdb");
  writeFileSync(
    file,
    buildMmdb({
      "203.0.113": { city: "Lagos", country: "Nigeria", iso: "NG" },
      "198.51.100": { city: "Lyon", country: "France", iso: "FR" },
    }),
  );
  const locate = geoIpFromFile(file);

  it("names the city and country of a known address, IPv4-mapped or not", async () => {
    assert.deepEqual(await locate("203.0.113.50"), { label: "Lagos, Nigeria", countryCode: "NG" });
    assert.deepEqual(await locate("::ffff:198.51.100.9"), { label: "Lyon, France", countryCode: "FR" });
  });

  it("says nothing for unknown, missing or malformed addresses", async () => {
    assert.equal(await locate("192.0.2.1"), null);
    assert.equal(await locate(null), null);
    assert.equal(await locate("not an address"), null);
  });
});
