// `npm run docs:defaults`: writes README.md's table of options from the code, each option's words
// from its TSDoc in src/qrlogin.ts and its default from DEFAULTS, so neither can drift from the README.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { DEFAULTS } from "../src/defaults.ts";

export const README = "README.md";
export const TABLE_START = "<!-- options: written by `npm run docs:defaults` -->";
export const TABLE_END = "<!-- end of options -->";

/** One option as its TSDoc has it; an option that is an object has its members too. */
export interface DocumentedOption {
  /** `basePath`, or `lifetimes.scanToken` for a member. */
  path: string;
  optional: boolean;
  /** The whole comment, tags left out. */
  doc: string;
  /** The text of its `@defaultValue` tag, if it has one. */
  defaultTag: string | undefined;
  members: DocumentedOption[];
}

function documented(checker: ts.TypeChecker, symbol: ts.Symbol, path: string): DocumentedOption {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === "defaultValue");
  const type = checker.getNonNullableType(checker.getTypeOfSymbol(symbol));
  // Only an option with an object of defaults is opened, one level deep: `lifetimes`, `limits`,
  // `deviceFlow`, `approvalPage` (the object among its types: not `false`).
  const opened = !path.includes(".") && typeof valueAt(path) === "object";
  const shapes = type.isUnion() ? type.types : [type];
  const shape = shapes.find((t) => (t.flags & ts.TypeFlags.Object) !== 0);
  const properties = opened ? (shape?.getProperties() ?? []) : [];
  return {
    path,
    optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
    doc: ts.displayPartsToString(symbol.getDocumentationComment(checker)),
    defaultTag: tag && ts.displayPartsToString(tag.text),
    members: properties.map((member) => documented(checker, member, `${path}.${member.name}`)),
  };
}

/** The options of `createQrLogin`, in the order `QrLoginOptions` declares them. */
export function documentedOptions(): DocumentedOption[] {
  const program = ts.createProgram(["src/qrlogin.ts"], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile("src/qrlogin.ts");
  const module = file && checker.getSymbolAtLocation(file);
  const options = module && checker.getExportsOfModule(module).find((s) => s.name === "QrLoginOptions");
  if (!options) throw new Error("src/qrlogin.ts exports no QrLoginOptions");
  return checker
    .getDeclaredTypeOfSymbol(options)
    .getProperties()
    .map((option) => documented(checker, option, option.name));
}

/** The default at `path` in DEFAULTS (`lifetimes.scanToken`), or `undefined` when it has none. */
export function valueAt(path: string): unknown {
  let value: unknown = DEFAULTS;
  for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** A duration in the largest unit that holds it whole: `20 s`, `2 min`, `24 h`. */
function duration(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

function formatDefault(path: string, value: unknown): string {
  if (typeof value === "number") {
    return /Ms$/.test(path) || path.startsWith("lifetimes.") ? duration(value) : value.toLocaleString("en-US");
  }
  if (typeof value === "object" && value !== null && "max" in value && "windowMs" in value) {
    return `${Number(value.max).toLocaleString("en-US")} per ${duration(Number(value.windowMs))}`;
  }
  if (typeof value === "object") return "as below";
  return `\`${JSON.stringify(value)}\``;
}

/** What a `@defaultValue` that points to DEFAULTS says: `{@link DEFAULTS}.basePath`. */
export const POINTS_TO_DEFAULTS = /^\{@link DEFAULTS\s*\}\.([\w.]+)$/;

/**
 * The table cell of an option's default: the value in DEFAULTS, or the words of its `@defaultValue`
 * where that does not point to DEFAULTS (`deviceFlow` is off). An optional option with neither is an error.
 */
function defaultCell(option: DocumentedOption): string {
  if (!option.optional) return "required";
  if (option.defaultTag && !POINTS_TO_DEFAULTS.test(option.defaultTag)) return option.defaultTag;
  const value = valueAt(option.path);
  if (value === undefined) throw new Error(`${option.path} has no default in DEFAULTS and no @defaultValue`);
  return formatDefault(option.path, value);
}

/** The first sentence of a comment, on one line. */
function summary(doc: string): string {
  const text = doc.replace(/\s+/g, " ").trim();
  const end = text.search(/(?<!\be\.g|\bi\.e)\.(?=\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

/** README.md's table of options, its columns padded so the text reads as a table too. */
export function optionsTable(options: DocumentedOption[] = documentedOptions()): string {
  const rows: string[][] = [];
  const add = (option: DocumentedOption) => {
    const cells = [`\`${option.path}\``, defaultCell(option), summary(option.doc)];
    rows.push(cells.map((cell) => cell.replace(/\|/g, "\\|")));
    option.members.forEach(add);
  };
  options.forEach(add);
  const header = ["option", "default", "what it does"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** `readme` with `table` between the markers. */
export function withOptionsTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${README} lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(README, withOptionsTable(readFileSync(README, "utf8"), optionsTable()));
}
