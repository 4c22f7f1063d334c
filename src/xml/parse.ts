/** `parseXml`: bytes or text → one namespace-resolved element, or a typed error. */
import { fail, ok, type Result } from "../errors.js";
import type { XmlBackend } from "./backend.js";
// The backend is chosen by figures (bench/xml-parsers.bench.ts); bench/fxp-backend.ts is the drop-in alternative, kept for the comparison.
import { ltxBackend as BACKEND } from "./backend-ltx.js";
import { decodeInput } from "./input.js";
import { lineColumn } from "./location.js";
import { DOCUMENT_SCOPE, NamespaceProblem } from "./namespaces.js";
import { scanXml, type RootSpan } from "./scan.js";
import { DEFAULT_XML_LIMITS, type XmlElement, type XmlLimits } from "./types.js";

/**
 * Parses one XML document into a namespace-resolved {@link XmlElement}.
 *
 * In this order, each a typed error: the size cap on the UTF-8 bytes
 * (`too-large`), UTF-8 decoding of byte input (`invalid-utf8`), an empty body
 * (`empty-body`), then one scan for well-formedness (`not-well-formed`),
 * DTDs (`entity-declaration`) and nesting (`too-deep`), and last namespace
 * resolution (`not-well-formed` for an undeclared prefix). Errors carry
 * `at: "line L, column C"` where the problem has a place.
 *
 * A `<!DOCTYPE>` without an internal subset, as old phones send with XPIDF, is
 * skipped: nothing is ever fetched. Only the five predefined entities and
 * character references exist. Bytes are read as UTF-8 whatever the XML
 * declaration says (FreeSWITCH declares ISO-8859-1 and sends ASCII);
 * whitespace before the declaration is forgiven. Text is entity-decoded and
 * CDATA merged into it; whitespace-only text between child elements,
 * comments and processing instructions are dropped. `limits.maxDepth` is
 * capped at 1000 (the backend's limit).
 */
export function parseXml(input: string | Uint8Array, limits?: Partial<XmlLimits>): Result<XmlElement> {
  return parseXmlWith(BACKEND, input, limits);
}

/** {@link parseXml} with a given backend: for the parser benchmark and the backend parity test. */
export function parseXmlWith(backend: XmlBackend, input: string | Uint8Array, limits?: Partial<XmlLimits>): Result<XmlElement> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const maxDepth = Math.min(limits?.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth, backend.maxDepth);
  const text = decodeInput(input, maxBytes);
  if (!text.ok) return text;
  const span = scanXml(text.value, maxDepth);
  if (!span.ok) return span;
  const root = backend.buildTree(rootText(text.value, span.value), DOCUMENT_SCOPE);
  if (root instanceof NamespaceProblem) {
    const found = text.value.indexOf(root.near, span.value.start);
    return fail("not-well-formed", root.message, found === -1 ? undefined : lineColumn(text.value, found));
  }
  if (typeof root === "string") return fail("not-well-formed", root);
  return ok(root);
}

const LINE_ENDS = /\r\n?/g;
const MARKUP = /[&<>]/g;
const markupReference = (c: string): string => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;");
const VALUE_WHITESPACE = /\r\n|[\t\n\r]/g;

/**
 * The root element's text as a backend should read it: comments and
 * processing instructions cut, CDATA sections turned into escaped text (ltx
 * loses the text after a CDATA section), TAB/LF/CR in attribute values turned
 * into spaces (XML 1.0 §3.3.3, before references are decoded, so `&#10;`
 * stays a line feed) and line ends normalised to LF (§2.11).
 */
function rootText(text: string, { start, end, edits }: RootSpan): string {
  let out: string;
  if (edits.length === 0) out = text.slice(start, end);
  else {
    out = "";
    let at = start;
    for (const edit of edits) {
      out += text.slice(at, edit.start);
      if (edit.kind === "blank") out += text.slice(edit.start, edit.end).replace(VALUE_WHITESPACE, " ");
      else if (edit.kind === "cdata") out += text.slice(edit.start + 9, edit.end - 3).replace(MARKUP, markupReference);
      at = edit.end;
    }
    out += text.slice(at, end);
  }
  return out.includes("\r") ? out.replace(LINE_ENDS, "\n") : out;
}
