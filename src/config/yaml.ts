/** The config file as YAML 1.2 (the `yaml` package), with `line L, column C` for every error and every key. */
import { isNode, LineCounter, parseDocument } from "yaml";
import type { BridgeError } from "../errors.js";
import type { ConfigText } from "./json.js";

export const isYamlFile = (file: string): boolean => /\.ya?ml$/iu.test(file);

export function parseYamlConfigText(text: string, source: string): { ok: true; value: ConfigText } | { ok: false; error: BridgeError[] } {
  if (text.trim() === "") return { ok: false, error: [{ code: "invalid-json", message: "the config file is empty; expected a YAML mapping", source }] };
  const lines = new LineCounter();
  // uniqueKeys: a duplicate key is an error, as in the JSON reader.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const where = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, error: doc.errors.map((e) => ({ code: "invalid-json", message: `not valid YAML: ${e.message.split("\n")[0] ?? e.code}`, at: where(e.pos[0]), source })) };
  }
  return {
    ok: true,
    value: {
      value: doc.toJS({ maxAliasCount: 50 }) as unknown,
      locate: (path) => {
        const node = doc.getIn(path, true);
        return isNode(node) && node.range ? where(node.range[0]) : undefined;
      },
    },
  };
}
