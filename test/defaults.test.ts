import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  type DocumentedOption,
  documentedOptions,
  optionsTable,
  POINTS_TO_DEFAULTS,
  README,
  valueAt,
  withOptionsTable,
} from "../scripts/docs-defaults.ts";
import { DEFAULTS } from "../src/index.ts";

const UNIT_MS = { s: 1000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 } as const;

/** A default stated in words, as the docs of `Lifetimes` and `Limits` do ("Default 20 s", "Default 5 per 15 minutes"). */
function statedDefault(doc: string): unknown {
  const duration = /\bDefault (\d[\d,]*) (s|min|h)\b/.exec(doc);
  if (duration) return Number(duration[1]?.replace(/,/g, "")) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  const limit = /\bDefault (\d[\d,]*) (?:a|an|per) (?:(\d+) )?(minute|hour)s?\b/.exec(doc);
  if (!limit) return undefined;
  const window = Number(limit[2] ?? 1) * UNIT_MS[limit[3] as keyof typeof UNIT_MS];
  return { max: Number(limit[1]?.replace(/,/g, "")), windowMs: window };
}

/**
 * One frozen `DEFAULTS` holds every default of `createQrLogin`'s options: the options' docs point to it
 * or state what it holds, and README.md's table is written from both.
 */
describe("DEFAULTS and the docs of the options", () => {
  const options = documentedOptions();
  const all = options.flatMap(function flat(option): DocumentedOption[] {
    return [option, ...option.members.flatMap(flat)];
  });

  it("README.md's table of options is the one `npm run docs:defaults` writes", () => {
    const readme = readFileSync(README, "utf8");
    assert.equal(readme, withOptionsTable(readme, optionsTable(options)), "run `npm run docs:defaults`");
  });

  it("is frozen all the way down", () => {
    assert.ok(Object.isFrozen(DEFAULTS));
    assert.ok(Object.isFrozen(DEFAULTS.lifetimes) && Object.isFrozen(DEFAULTS.limits.createPerIp));
    assert.ok(Object.isFrozen(DEFAULTS.deviceFlow) && Object.isFrozen(DEFAULTS.approvalPage));
  });

  it("holds defaults of options only", () => {
    const paths = new Set(all.map((option) => option.path));
    const keys = Object.entries(DEFAULTS).flatMap(([key, value]) =>
      typeof value === "object" ? [key, ...Object.keys(value).map((inner) => `${key}.${inner}`)] : [key],
    );
    assert.deepEqual(
      keys.filter((key) => !paths.has(key)),
      [],
    );
  });

  it("every option with a default says where it is, and a @defaultValue never states a number", () => {
    for (const option of all) {
      const tag = option.defaultTag;
      const pointed = tag === undefined ? undefined : POINTS_TO_DEFAULTS.exec(tag)?.[1];
      if (pointed !== undefined) {
        assert.equal(pointed, option.path, `${option.path} points to DEFAULTS.${pointed}`);
        assert.notEqual(valueAt(pointed), undefined, `DEFAULTS has no ${pointed}`);
      } else if (tag !== undefined) {
        assert.doesNotMatch(tag, /\d/, `${option.path}: numbers belong in DEFAULTS, not in its @defaultValue`);
      }
      const topLevel = !option.path.includes(".");
      if (topLevel && option.optional) assert.ok(tag, `${option.path} has no @defaultValue`);
    }
  });

  it("a default stated in words (the lifetimes, the limits) is the one in DEFAULTS", () => {
    let stated = 0;
    for (const option of all.filter((o) => /\bDefault\b/.test(o.doc))) {
      const value = statedDefault(option.doc);
      assert.notEqual(value, undefined, `${option.path}: "Default …" is not read as a duration or a limit`);
      assert.deepEqual(value, valueAt(option.path), `${option.path}: its doc and DEFAULTS disagree`);
      stated++;
    }
    assert.ok(stated >= 15, "the lifetimes and the limits state their defaults");
  });
});
