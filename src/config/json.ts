/** The config file as strict JSON, with `line L, column C` for every error and every key. */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { BridgeError } from "../errors.js";

export function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

export interface ConfigText {
  readonly value: unknown;
  /** Where a key path is in the file, when it is there. */
  locate(path: readonly (string | number)[]): string | undefined;
}

export function parseConfigText(text: string, source: string): { ok: true; value: ConfigText } | { ok: false; error: BridgeError[] } {
  if (text.trim() === "") return { ok: false, error: [{ code: "invalid-json", message: "the config file is empty; expected a JSON object", source }] };
  const errors: ParseError[] = [];
  const tree: Node | undefined = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || tree === undefined) {
    // The first syntax error is the one to fix; later ones are often its echoes.
    const first: Pick<ParseError, "error" | "offset"> = errors[0] ?? { error: 1, offset: 0 };
    return { ok: false, error: [{ code: "invalid-json", message: `not valid JSON: ${printParseErrorCode(first.error)}`, at: position(text, first.offset), source }] };
  }
  const duplicates: BridgeError[] = [];
  const walk = (node: Node): void => {
    if (node.type === "object") {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0];
        if (key === undefined) continue;
        if (seen.has(String(key.value))) duplicates.push({ code: "invalid-json", message: `duplicate key "${String(key.value)}"`, at: position(text, key.offset), source });
        seen.add(String(key.value));
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(tree);
  if (duplicates.length > 0) return { ok: false, error: duplicates };
  return {
    ok: true,
    value: {
      value: JSON.parse(text) as unknown,
      locate: (path) => {
        const node = findNodeAtLocation(tree, [...path]);
        return node === undefined ? undefined : position(text, node.parent?.type === "property" ? (node.parent.offset ?? node.offset) : node.offset);
      },
    },
  };
}
