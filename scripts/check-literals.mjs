// Fails on user-visible words written into the browser code instead of the message catalogues
// (src/browser/i18n), so that every language gets them. Run by `npm run lint`.
//
//   node scripts/check-literals.mjs [file or folder …]   (default: src/browser, catalogues excepted)
//
// A literal is user-visible text when it holds a letter and reaches the person:
//   - assigned to textContent, innerText, innerHTML, title, placeholder, alt, label or an aria* property,
//     directly or as such a key of an object literal (Object.assign(el, { textContent: "…" }));
//   - given to setAttribute for title, placeholder, alt, label or aria-label/-description/-valuetext/-roledescription;
//   - given to append, prepend, replaceChildren, before, after, replaceWith, insertAdjacentText,
//     createTextNode, alert, confirm or prompt;
//   - text between tags, or a visible attribute's value, in a string or template of HTML markup;
//   - a sentence (two words or more) given to any function, or as a value in an object literal
//     (a table of messages), since it likely ends up on screen; `new Error(…)` and `console.*`
//     speak to developers and are left alone.
// Conditionals, `+`, `??`, `||`, `&&` and template literals are looked into; calls are not (a
// catalogue look-up such as words.t("page.heading") names a key, not words).
//
// Allow-list: a comment `i18n-allow: <why>` on the line of the literal or the line above marks a
// string that is not for people (a CSS value, a protocol word). The reason is required.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const DEFAULT_ROOT = "src/browser";
const CATALOGUES = "src/browser/i18n";
const VISIBLE_PROPERTIES = new Set([
  "textContent",
  "innerText",
  "innerHTML",
  "outerHTML",
  "title",
  "placeholder",
  "alt",
  "label",
  "ariaLabel",
  "ariaDescription",
  "ariaValueText",
  "ariaRoleDescription",
  "ariaPlaceholder",
]);
const VISIBLE_ATTRIBUTES = new Set([
  "title",
  "placeholder",
  "alt",
  "label",
  "aria-label",
  "aria-description",
  "aria-valuetext",
  "aria-roledescription",
  "aria-placeholder",
]);
const TEXT_SINKS = new Set([
  "append",
  "prepend",
  "replaceChildren",
  "before",
  "after",
  "replaceWith",
  "insertAdjacentText",
  "createTextNode",
  "alert",
  "confirm",
  "prompt",
]);
const LETTER = /\p{L}/u;
const SENTENCE = /\p{L}[\p{L}'’]*\s+[\p{L}'’]*\p{L}/u;
const ALLOW = /i18n-allow:\s*\S/;
const MARKUP = /<[a-zA-Z][\w-]*[\s>/]/;

/** The .ts files under `path` (or `path` itself); the catalogues' folder is skipped on the way down. */
function sourceFiles(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return relative(CATALOGUES, child) === "" ? [] : sourceFiles(child);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [child] : [];
  });
}

/** The static text of a string or template literal (a substitution becomes a space). */
function staticText(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(" ");
  }
  return null;
}

/** The literals in `node` that would reach the person as they are. */
function visibleLiterals(node) {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) {
    return visibleLiterals(node.expression);
  }
  if (ts.isConditionalExpression(node)) return [...visibleLiterals(node.whenTrue), ...visibleLiterals(node.whenFalse)];
  if (ts.isBinaryExpression(node)) {
    const kind = node.operatorToken.kind;
    const joins = [
      ts.SyntaxKind.PlusToken,
      ts.SyntaxKind.QuestionQuestionToken,
      ts.SyntaxKind.BarBarToken,
      ts.SyntaxKind.AmpersandAmpersandToken,
    ];
    return joins.includes(kind) ? [...visibleLiterals(node.left), ...visibleLiterals(node.right)] : [];
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap(visibleLiterals);
  if (ts.isSpreadElement(node)) return visibleLiterals(node.expression);
  const text = staticText(node);
  return text !== null && LETTER.test(text) ? [node] : [];
}

/** What in a piece of HTML markup a person would read: text between tags, visible attributes. */
function markupWords(markup) {
  const found = [];
  const withoutCode = markup.replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, "").replace(/<!--[\s\S]*?-->/g, "");
  for (const text of withoutCode.split(/<[^>]*>/)) if (LETTER.test(text)) found.push(text.trim());
  for (const [, name, value] of withoutCode.matchAll(/\s([\w-]+)\s*=\s*"([^"]*)"/g)) {
    if (VISIBLE_ATTRIBUTES.has(name.toLowerCase()) && LETTER.test(value)) found.push(`${name}="${value}"`);
  }
  return found;
}

/** The sentences among the literals of `node`. */
function sentences(node) {
  return visibleLiterals(node).filter((literal) => SENTENCE.test(staticText(literal) ?? ""));
}

/** Whether a call speaks to developers: an Error being made, or the console. */
function forDevelopers(call) {
  const callee = call.expression;
  if (ts.isNewExpression(call) && ts.isIdentifier(callee)) return /Error$/.test(callee.text);
  return (
    ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "console"
  );
}

function nameOf(node) {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isStringLiteral(node)) return node.text;
  return null;
}

/** Every user-visible literal of one file, as `{ line, column, text, why }`. */
function checkFile(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const lines = source.text.split("\n");
  const findings = [];
  const report = (node, why, text = staticText(node) ?? node.getText(source)) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    if (ALLOW.test(lines[line] ?? "") || ALLOW.test(lines[line - 1] ?? "")) return;
    findings.push({ line: line + 1, column: character + 1, text: text.replace(/\s+/g, " ").trim(), why });
  };
  const visit = (node) => {
    // el.textContent = "…"
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = node.left;
      const name = ts.isPropertyAccessExpression(target)
        ? nameOf(target.name)
        : ts.isElementAccessExpression(target)
          ? nameOf(target.argumentExpression)
          : null;
      if (name && VISIBLE_PROPERTIES.has(name)) {
        for (const literal of visibleLiterals(node.right)) report(literal, `assigned to ${name}`);
      }
    }
    // { textContent: "…" }, as given to Object.assign; { not_me: "Declined on the phone…" }
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = nameOf(node.name);
      if (name && VISIBLE_PROPERTIES.has(name)) {
        for (const literal of visibleLiterals(node.initializer)) report(literal, `given as ${name}`);
      } else {
        for (const literal of sentences(node.initializer)) report(literal, "a sentence in an object literal");
      }
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? nameOf(callee.name) : nameOf(callee);
      const [first, second] = node.arguments ?? [];
      const attribute = name === "setAttribute" && first ? staticText(first)?.toLowerCase() : undefined;
      if (attribute && VISIBLE_ATTRIBUTES.has(attribute) && second) {
        for (const literal of visibleLiterals(second)) report(literal, `set as ${attribute}`);
      } else if (name && TEXT_SINKS.has(name)) {
        for (const argument of node.arguments ?? []) {
          for (const literal of visibleLiterals(argument)) report(literal, `given to ${name}()`);
        }
      } else if (!forDevelopers(node)) {
        // say("Checking the code…"): words on their way to the screen
        for (const argument of node.arguments ?? []) {
          for (const literal of sentences(argument)) report(literal, "a sentence given to a function");
        }
      }
    }
    // Text in HTML markup, wherever the string goes.
    const text = staticText(node);
    if (text !== null && MARKUP.test(text)) {
      for (const words of markupWords(text)) report(node, "text in HTML markup", words);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

const named = process.argv.slice(2);
const files = (named.length > 0 ? named : [DEFAULT_ROOT]).flatMap(sourceFiles);
let count = 0;
for (const file of files) {
  for (const { line, column, text, why } of checkFile(file)) {
    count++;
    console.error(`${file}:${line}:${column}  user-visible literal ${why}: ${JSON.stringify(text)}`);
  }
}
if (count > 0) {
  console.error(
    `\n${count} user-visible literal(s) outside the message catalogues (${CATALOGUES}). Move the words to a ` +
      "catalogue, or mark a string that is not for people with a comment `i18n-allow: <why>`.",
  );
  process.exit(1);
}
console.log(`check-literals: ${files.length} files, no user-visible literal outside the catalogues.`);
