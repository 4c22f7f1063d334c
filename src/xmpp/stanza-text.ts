import type { EventEmitter } from "node:events";
import { Parser, type Element } from "ltx";
import * as saxLtx from "ltx/src/parsers/ltx.js";
import { fail, ok, type Result } from "../errors.js";
import { DEFAULT_XML_LIMITS } from "../xml/types.js";

type Tokenizer = new () => EventEmitter & { write(data: string): void; end(data?: string): void };
// The module is ESM at run time but typed as CommonJS by @types/ltx, so its default export is typed one level off.
const LtxTokenizer = saxLtx.default as unknown as Tokenizer;

/**
 * ltx's tokenizer accepts a mismatched end tag (`<a></b></a>`) and ignores anything
 * after the root element. A stanza must be exactly one well-formed element, so this
 * tokenizer reports those as errors; ltx's Parser then fails the parse.
 */
class StanzaSax extends LtxTokenizer {
  private readonly open: string[] = [];
  private closed = false;
  private failed = false;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (this.failed) return false;
    switch (event) {
      case "startElement":
        if (this.closed) return this.reject("content after the root element");
        this.open.push(args[0] as string);
        break;
      case "endElement": {
        const name = args[0] as string;
        const expected = this.open.pop();
        if (name !== expected) return this.reject(`</${name}> does not close <${expected ?? ""}>`);
        if (this.open.length === 0) this.closed = true;
        break;
      }
      case "text":
        if (this.open.length === 0 && (args[0] as string).trim() !== "") return this.reject("text outside the root element");
        break;
      case "error":
        this.failed = true;
        break;
    }
    return super.emit(event, ...args);
  }

  private reject(reason: string): boolean {
    return this.emit("error", new Error(reason));
  }
}

/** `line L, column C` (1-based) of an offset in `text`. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

function byteLengthOver(text: string, maxBytes: number): boolean {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes: only count when the answer is not obvious.
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, "utf8") > maxBytes;
}

/**
 * Stanza text → ltx Element: size cap, no DTD, exactly one well-formed element.
 * Nothing about `<presence/>` is checked here.
 */
export function parseStanzaText(text: string, maxBytes: number = DEFAULT_XML_LIMITS.maxBytes): Result<Element> {
  if (byteLengthOver(text, maxBytes)) return fail("too-large", `the stanza is larger than ${maxBytes} bytes`);
  if (text.trim() === "") return fail("empty-body", "the stanza is empty");
  // RFC 6120 §11.1: an XML stream must not contain a DTD or entity declarations.
  for (const declaration of ["<!DOCTYPE", "<!ENTITY"]) {
    const at = text.indexOf(declaration);
    if (at >= 0) return fail("entity-declaration", `XMPP forbids ${declaration} (RFC 6120 §11.1)`, position(text, at));
  }
  // @types/ltx types the `Parser` option as the tree builder; at run time it is the tokenizer class.
  const parser = new Parser({ Parser: StanzaSax as unknown as typeof Parser });
  let root: Element | undefined;
  let error: unknown;
  parser.on("tree", (tree: Element) => (root = tree));
  parser.on("error", (e: unknown) => (error ??= e));
  try {
    parser.write(text);
    parser.end("");
  } catch (thrown) {
    // ltx throws out of write() on an unknown entity or an illegal character reference.
    error ??= thrown;
  }
  if (error !== undefined || root === undefined) return fail("not-well-formed", notWellFormed(error));
  // The tokenizer never reports text after the last tag: it waits for a `<` that does not come.
  if (text.slice(text.lastIndexOf(">") + 1).trim() !== "") return fail("not-well-formed", "the stanza is not well-formed XML: text outside the root element");
  return ok(root);
}

function notWellFormed(error: unknown): string {
  const reason = error instanceof Error ? error.message : "no element";
  if (reason === "Incomplete document") return "the stanza is not well-formed XML: an element is not closed, or there is none";
  return `the stanza is not well-formed XML: ${reason}`;
}
