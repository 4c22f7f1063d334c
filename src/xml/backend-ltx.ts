/**
 * The ltx backend (LIBRARIES.md §4), the one parse.ts uses: ltx reads the
 * root element that `scan.ts` accepted and this file resolves its tree.
 * ltx decodes references itself; an attribute named `__proto__` is lost in
 * its attribute object (harmless: no presence schema has one).
 */
import { parse, type Element } from "ltx";
import { enterScope, NamespaceProblem, resolveElement, type Scope } from "./namespaces.js";
import type { XmlBackend } from "./backend.js";
import type { XmlElement, XmlNode } from "./types.js";

/** ltx builds its tree iteratively; the cap only bounds our own recursion below. */
const MAX_DEPTH = 1000;

const BLANK = /^[ \t\r\n]*$/;

function buildTree(rootXml: string, scope: Scope): XmlElement | NamespaceProblem | string {
  let root: Element;
  try {
    root = parse(rootXml);
  } catch (error) {
    return `the XML parser refused the body: ${error instanceof Error ? error.message : String(error)}`;
  }
  return build(root, scope);
}

function build(node: Element, scope: Scope): XmlElement | NamespaceProblem {
  let attrs: [string, string][] | undefined;
  const raw = node.attrs as Record<string, string>;
  for (const name in raw) {
    (attrs ??= []).push([name, raw[name] ?? ""]);
  }
  const inner = attrs === undefined ? scope : enterScope(scope, attrs);
  if (inner instanceof NamespaceProblem) return inner;

  const children: XmlNode[] = [];
  let elements = 0;
  let lastIsText = false;
  for (const child of node.children) {
    if (typeof child === "string") {
      if (child === "") continue;
      if (lastIsText) children[children.length - 1] = `${children[children.length - 1] as string}${child}`;
      else children.push(child);
      lastIsText = true;
      continue;
    }
    const element = build(child as Element, inner);
    if (element instanceof NamespaceProblem) return element;
    children.push(element);
    elements++;
    lastIsText = false;
  }
  const kept = elements > 0 && elements < children.length
    ? children.filter((c) => typeof c !== "string" || !BLANK.test(c))
    : children;
  return resolveElement(node.name, attrs, inner, kept);
}

export const ltxBackend: XmlBackend = { name: "ltx", maxDepth: MAX_DEPTH, buildTree };
