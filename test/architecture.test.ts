import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";

/**
 * The layering of docs/architecture.md, read from the import statements of `src/`: each rule holds
 * for every file, so a new import that breaks one fails here, naming the files.
 */

/** One import between two files of `src/`. */
interface Import {
  from: string;
  to: string;
  /** `import type`, `export type`, or every name marked `type`: gone at run time. */
  typeOnly: boolean;
}

/** `import … from "x"` and `export … from "x"`, over several lines if need be. */
const FROM =
  /^[ \t]*(?:import|export)\s+(type\s+)?((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)|[\w$]+)\s*from\s*["']([^"']+)["']/gm;
/** `import "x"` (for its effects) and `import("x")`: both run. */
const RUNS = /^[ \t]*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

/** Whether an import clause brings in types alone: `{ type A, type B }`. */
function namesOnlyTypes(clause: string): boolean {
  if (!clause.startsWith("{")) return false;
  const names = clause
    .slice(1, -1)
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((name) => name.startsWith("type "));
}

/** The imports of one file's `text` that name other files by a relative path, resolved from `file`. */
function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (specifier.startsWith(".")) found.push({ from: file, to: join(dirname(file), specifier), typeOnly });
  };
  for (const [, type, clause = "", specifier = ""] of text.matchAll(FROM)) {
    add(specifier, type !== undefined || namesOnlyTypes(clause.trim()));
  }
  for (const [, bare, dynamic] of text.matchAll(RUNS)) add(bare ?? dynamic ?? "", false);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The import cycles among `files`: each strongly connected group of two or more, or a file importing itself. */
function cycles(files: string[], imports: Import[]): string[][] {
  const next = new Map(files.map((file) => [file, [] as string[]]));
  for (const { from, to } of imports) next.get(from)?.push(to);
  // Tarjan's algorithm: one depth-first walk finds every group of files that reach each other.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!next.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file) as number, index.get(to) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || next.get(file)?.includes(file)) found.push(group.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

const files = sourceFiles("src").sort();
const imports = files.flatMap((file) => importsOf(file, readFileSync(file, "utf8")));
const under = (folder: string) => (file: string) => file.startsWith(`src/${folder}/`);
const show = (found: Import[]) => found.map(({ from, to }) => `${from} -> ${to}`);

describe("the import graph of src/", () => {
  it("is read: type imports told from run-time ones, every relative path resolved", () => {
    const sample = [
      'import type { A } from "./a.ts";',
      'import { type B, type C } from "./b.ts";',
      'import { type D, e } from "./c.ts";',
      "export {\n  f,\n} from './d.ts';",
      'import "./e.ts";',
      'const g = await import("./f.ts");',
    ].join("\n");
    assert.deepEqual(
      importsOf("src/x/y.ts", sample).map(({ to, typeOnly }) => [to, typeOnly]),
      [
        ["src/x/a.ts", true],
        ["src/x/b.ts", true],
        ["src/x/c.ts", false],
        ["src/x/d.ts", false],
        ["src/x/e.ts", false],
        ["src/x/f.ts", false],
      ],
    );
    const missing = imports.filter(({ to }) => to.endsWith(".ts") && !files.includes(to));
    assert.deepEqual(show(missing), [], "imports of files that are not there: the scanner misread them");
    assert.ok(imports.some(({ from, to }) => from === "src/qrlogin.ts" && to === "src/http/routes.ts"));
  });

  it("has no cycle, counting type imports too", () => {
    assert.deepEqual(cycles(files, imports), []);
  });

  it("reaches the store from src/http only through LoginFlows: no run-time import of src/store", () => {
    const found = imports.filter((i) => under("http")(i.from) && under("store")(i.to) && !i.typeOnly);
    assert.deepEqual(show(found), []);
  });

  it("keeps src/core pure: it imports nothing from src/service, src/store or src/http", () => {
    const outer = ["service", "store", "http"].map(under);
    const found = imports.filter((i) => under("core")(i.from) && outer.some((isOuter) => isOuter(i.to)));
    assert.deepEqual(show(found), []);
  });

  it("speaks one wire format: the browser code that reads the API and the server's routes import src/wire.ts", () => {
    const readers = [
      "src/browser/approver.ts",
      "src/browser/qr-login.ts",
      "src/browser/request-follower.ts",
      "src/http/routes.ts",
      "src/http/request-events.ts",
      "src/http/approver-events.ts",
      "src/http/requester-card.ts",
      "src/http/outgoing.ts",
    ];
    const missing = readers.filter((file) => !imports.some((i) => i.from === file && i.to === "src/wire.ts"));
    assert.deepEqual(missing, [], "these read or write the API without the wire types");
  });

  it("lets the browser bundles carry no server code but the base path's normaliser and the passkey texts", () => {
    const allowed = new Set(["src/wire.ts", "src/http/base-path.ts", "src/core/approval-text.ts"]);
    const found = imports.filter(
      (i) => under("browser")(i.from) && !under("browser")(i.to) && !allowed.has(i.to) && !i.typeOnly,
    );
    assert.deepEqual(show(found), [], "a browser bundle would carry server code");
  });
});
