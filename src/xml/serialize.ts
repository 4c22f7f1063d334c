/** `serializeXml`: a resolved element back to namespace-correct XML text. */
import { escapeAttr, escapeText } from "./entities.js";
import { DOCUMENT_SCOPE, XML_NS, type Scope } from "./namespaces.js";
import type { XmlElement } from "./types.js";

/**
 * Writes `el` and its subtree. Elements keep the prefix they were parsed with
 * (none: the default namespace); a declaration is written wherever the
 * binding in scope differs. Attributes in a namespace (Clark names) reuse an
 * in-scope prefix or get a fresh `nsN` one. `inScope` (prefix → URI, "" for
 * the default namespace) lists bindings the enclosing document already
 * declares, so an extension written inside it repeats none of them.
 */
export function serializeXml(el: XmlElement, inScope?: Readonly<Record<string, string>>): string {
  let scope: Scope = DOCUMENT_SCOPE;
  if (inScope !== undefined) {
    const map = new Map(DOCUMENT_SCOPE);
    for (const prefix of Object.keys(inScope)) map.set(prefix, inScope[prefix] ?? "");
    scope = map;
  }
  return write(el, scope);
}

function write(el: XmlElement, scope: Scope): string {
  let inner = scope;
  let declarations = "";
  const bind = (prefix: string, uri: string): void => {
    if (inner === scope) inner = new Map(scope);
    (inner as Map<string, string>).set(prefix, uri);
    declarations += `${prefix === "" ? " xmlns" : ` xmlns:${prefix}`}="${escapeAttr(uri)}"`;
  };

  const prefix = el.ns === "" ? "" : (el.prefix ?? "");
  if ((inner.get(prefix) ?? "") !== el.ns) bind(prefix, el.ns);
  let attributes = "";
  for (const key of Object.keys(el.attrs)) {
    let qname = key;
    if (key.charCodeAt(0) === 123 /* { */) {
      const close = key.indexOf("}");
      const uri = key.slice(1, close);
      let attrPrefix = uri === XML_NS ? "xml" : prefixFor(inner, uri);
      if (attrPrefix === undefined) {
        attrPrefix = freshPrefix(inner);
        bind(attrPrefix, uri);
      }
      qname = `${attrPrefix}:${key.slice(close + 1)}`;
    }
    attributes += ` ${qname}="${escapeAttr(el.attrs[key] ?? "")}"`;
  }

  const tag = prefix === "" ? el.name : `${prefix}:${el.name}`;
  if (el.children.length === 0) return `<${tag}${declarations}${attributes}/>`;
  let content = "";
  for (const child of el.children) content += typeof child === "string" ? escapeText(child) : write(child, inner);
  return `<${tag}${declarations}${attributes}>${content}</${tag}>`;
}

function prefixFor(scope: Scope, uri: string): string | undefined {
  for (const [prefix, bound] of scope) if (prefix !== "" && bound === uri) return prefix;
  return undefined;
}

function freshPrefix(scope: Scope): string {
  let n = 1;
  while (scope.has(`ns${n}`)) n++;
  return `ns${n}`;
}
