/**
 * JSON text with positions: syntax errors and JSON pointers become
 * `line L, column C` (1-based), so an operator finds the spot in the editor.
 */
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { BridgeError } from "../errors.js";
import type { Issue } from "./issues.js";

export interface JsonText {
  readonly text: string;
  readonly tree: Node;
  readonly value: unknown;
}

const SYNTAX: Readonly<Record<string, string>> = {
  InvalidSymbol: "unexpected character; expected a JSON value",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a key in double quotes (no trailing comma before '}')",
  ValueExpected: "expected a value (no trailing comma before ']')",
  ColonExpected: "expected ':' after the key",
  CommaExpected: "expected ',' between items",
  CloseBraceExpected: "expected '}' to close the object",
  CloseBracketExpected: "expected ']' to close the array",
  EndOfFileExpected: "expected the end of the file after the table",
  InvalidCommentToken: "comments are not allowed in JSON; use a \"description\"",
  UnexpectedEndOfComment: "comment is not closed",
  UnexpectedEndOfString: "string is not closed; expected '\"'",
  UnexpectedEndOfNumber: "malformed number",
  InvalidUnicode: "malformed \\u escape",
  InvalidEscapeCharacter: "invalid escape; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
  InvalidCharacter: "control character in a string; escape it",
};

/** `line L, column C` of a character offset (both 1-based). */
export function position(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

function duplicateKeys(node: Node, text: string, source: string | undefined, out: BridgeError[]): void {
  if (node.type === "object") {
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const key = property.children?.[0];
      if (key === undefined) continue;
      const name = String(key.value);
      if (seen.has(name)) out.push(bridgeError("invalid-json", `duplicate key "${name}"`, position(text, key.offset), source));
      seen.add(name);
    }
  }
  for (const child of node.children ?? []) duplicateKeys(child, text, source, out);
}

const bridgeError = (code: BridgeError["code"], message: string, at: string, source: string | undefined): BridgeError =>
  source === undefined ? { code, message, at } : { code, message, at, source };

/** Strict JSON (no comments, no trailing commas, no duplicate keys), with every syntax error located. */
export function parseJsonText(text: string, source?: string): { ok: true; value: JsonText } | { ok: false; error: readonly BridgeError[] } {
  if (text.trim() === "") return { ok: false, error: [bridgeError("invalid-json", "the file is empty; expected a table object", position(text, 0), source)] };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const found: BridgeError[] = [];
  let last = -1;
  for (const e of errors) {
    if (e.offset === last) continue; // one error per place: the parser's follow-ups say the same thing
    last = e.offset;
    found.push(bridgeError("invalid-json", SYNTAX[printParseErrorCode(e.error)] ?? printParseErrorCode(e.error), position(text, e.offset), source));
  }
  if (tree !== undefined && found.length === 0) duplicateKeys(tree, text, source, found);
  if (tree === undefined || found.length > 0) return { ok: false, error: found };
  return { ok: true, value: { text, tree, value: getNodeValue(tree) as unknown } };
}

function segments(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** The offset a pointer designates: the key of a property, or the deepest node that exists. */
function offsetOf(tree: Node, pointer: string): number {
  const path = segments(pointer);
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, path.slice(0, n));
    if (node === undefined) continue;
    return node.parent?.type === "property" ? node.parent.offset : node.offset;
  }
  return tree.offset;
}

/** Issues of a table become errors whose `at` reads `/sipToXmpp/2/when/note (line 14, column 9)`. */
export function locate(issues: readonly Issue[], json: JsonText, source: string | undefined): BridgeError[] {
  return issues.map((issue) =>
    bridgeError(issue.code, issue.message, `${issue.pointer === "" ? "/" : issue.pointer} (${position(json.text, offsetOf(json.tree, issue.pointer))})`, source),
  );
}
