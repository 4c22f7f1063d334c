/**
 * The fast-xml-parser backend for src/xml (LIBRARIES.md §4), kept beside the
 * benchmarks that decided against it: the drop-in alternative to
 * src/xml/backend-ltx.ts. It measured about 2.5× slower end to end
 * (bench/xml-parsers.bench.ts), so src/xml/parse.ts uses ltx; the parity test
 * (test/unit/xml/backends.test.ts) keeps both giving the same trees.
 */
import { XMLParser } from "fast-xml-parser";
import { decodeReferences } from "../src/xml/entities.js";
import { enterScope, NamespaceProblem, resolveElement, type Scope } from "../src/xml/namespaces.js";
import type { XmlBackend } from "../src/xml/backend.js";
import type { XmlElement, XmlNode } from "../src/xml/types.js";

const MAX_DEPTH = 1000;

/** fxp throws on these element names (prototype-pollution guard); they travel under a `#` mark. */
const GUARDED = new Set(["__proto__", "constructor", "prototype"]);
const ATTR_MARK = "@_";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_MARK,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // The scanner checked every reference; decodeReferences() resolves them (fxp leaves unknown ones as text).
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  jPath: false,
  maxNestedTags: MAX_DEPTH + 1,
  onDangerousProperty: (name: string) => name,
  transformTagName: (name: string) => (GUARDED.has(name) ? `#${name}` : name),
});

type FxpNode = Record<string, unknown>;
type RawAttrs = [string, string][];

const BLANK = /^[ \t\r\n]*$/;

function buildTree(rootXml: string, scope: Scope): XmlElement | NamespaceProblem | string {
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(rootXml) as FxpNode[];
  } catch (error) {
    return `the XML parser refused the body: ${error instanceof Error ? error.message : String(error)}`;
  }
  const root = nodes[0];
  if (root === undefined) return "the XML parser found no root element";
  return build(root, firstKey(root), scope);
}

function firstKey(node: FxpNode): string {
  // fxp writes the tag name first, then ":@"; XML names never look like array indices.
  for (const key in node) return key;
  return "";
}

function build(node: FxpNode, key: string, scope: Scope): XmlElement | NamespaceProblem {
  const qname = key.charCodeAt(0) === 35 /* # */ ? key.slice(1) : key;
  const raw = node[":@"] as Record<string, string> | undefined;
  let attrs: RawAttrs | undefined;
  if (raw !== undefined) {
    attrs = [];
    for (const name in raw) {
      attrs.push([name.slice(ATTR_MARK.length), decodeReferences(raw[name] ?? "")]);
    }
  }
  const inner = attrs === undefined ? scope : enterScope(scope, attrs);
  if (inner instanceof NamespaceProblem) return inner;

  const children: XmlNode[] = [];
  let elements = 0;
  let lastIsText = false;
  for (const child of node[key] as FxpNode[]) {
    const rawText = child["#text"] as string | undefined;
    if (rawText !== undefined) {
      const text = decodeReferences(rawText);
      if (text === "") continue;
      if (lastIsText) children[children.length - 1] = `${children[children.length - 1] as string}${text}`;
      else children.push(text);
      lastIsText = true;
      continue;
    }
    const element = build(child, firstKey(child), inner);
    if (element instanceof NamespaceProblem) return element;
    children.push(element);
    elements++;
    lastIsText = false;
  }
  // Whitespace between child elements is layout, not content.
  const kept = elements > 0 && elements < children.length
    ? children.filter((c) => typeof c !== "string" || !BLANK.test(c))
    : children;
  return resolveElement(qname, attrs, inner, kept);
}

export const fxpBackend: XmlBackend = { name: "fast-xml-parser", maxDepth: MAX_DEPTH, buildTree };
