/**
 * Namespaces in XML 1.0 (third edition): scopes of `xmlns` / `xmlns:p`
 * declarations, and resolution of element and attribute names to
 * namespace URI + local name. Backend-independent: a backend hands over the
 * qualified names and raw attributes it read.
 */
import type { XmlElement, XmlNode } from "./types.js";

export const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** In-scope bindings, prefix → URI; the default namespace under "". */
export type Scope = ReadonlyMap<string, string>;

/** §3: the `xml` prefix is bound in every document without a declaration. */
export const DOCUMENT_SCOPE: Scope = new Map([["xml", XML_NS]]);

/** A namespace error and the text that locates it in the document. */
export class NamespaceProblem {
  constructor(
    readonly message: string,
    /** A snippet (`<p:name`, `p:attr=`) to find in the document for `at`. */
    readonly near: string,
  ) {}
}

const EMPTY_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Applies the declarations among `attrs` (raw name → decoded value) to `scope`.
 * Returns the scope for the element's content (the same object when it
 * declares nothing) or the problem.
 */
export function enterScope(scope: Scope, attrs: ReadonlyArray<readonly [string, string]>): Scope | NamespaceProblem {
  let inner: Map<string, string> | undefined;
  for (const [name, uri] of attrs) {
    if (!name.startsWith("xmlns")) continue;
    let prefix: string;
    if (name.length === 5) prefix = "";
    else if (name.charCodeAt(5) === 58 /* : */) prefix = name.slice(6);
    else continue;
    if (prefix === "" && name.length > 5) return new NamespaceProblem("xmlns: declares no prefix", `${name}=`);
    const problem = checkDeclaration(prefix, uri);
    if (problem !== undefined) return new NamespaceProblem(problem, `${name}=`);
    inner ??= new Map(scope);
    inner.set(prefix, uri);
  }
  return inner ?? scope;
}

/** §3 constraints on a declaration; undefined when it is fine. */
function checkDeclaration(prefix: string, uri: string): string | undefined {
  if (prefix === "xmlns") return "the prefix xmlns cannot be declared";
  if (prefix === "xml") return uri === XML_NS ? undefined : "the prefix xml cannot be bound to another namespace";
  if (uri === XML_NS || uri === XMLNS_NS) return `the namespace ${uri} cannot be bound to a prefix other than its own`;
  if (prefix !== "" && uri === "") return `the prefix ${prefix} cannot be undeclared (xmlns:${prefix}="") in XML 1.0`;
  if (prefix.includes(":")) return `xmlns:${prefix} is not a valid declaration`;
  return undefined;
}

/**
 * Builds the resolved element: name to namespace + local name, attributes by
 * local name or Clark name (`xml:lang` kept as is), declarations dropped.
 */
export function resolveElement(
  qname: string,
  attrs: ReadonlyArray<readonly [string, string]> | undefined,
  scope: Scope,
  children: XmlNode[],
): XmlElement | NamespaceProblem {
  const colon = qname.indexOf(":");
  let ns: string;
  let name = qname;
  let prefix: string | undefined;
  if (colon === -1) ns = scope.get("") ?? "";
  else {
    prefix = qname.slice(0, colon);
    name = qname.slice(colon + 1);
    if (prefix === "" || name === "" || name.includes(":")) return new NamespaceProblem(`<${qname}> is not a valid qualified name`, `<${qname}`);
    const bound = scope.get(prefix);
    if (bound === undefined) return new NamespaceProblem(`undeclared namespace prefix ${prefix} on <${qname}>`, `<${qname}`);
    ns = bound;
  }
  const resolved = attrs === undefined ? EMPTY_ATTRS : resolveAttributes(qname, attrs, scope);
  if (resolved instanceof NamespaceProblem) return resolved;
  return prefix === undefined ? { ns, name, attrs: resolved, children } : { ns, name, prefix, attrs: resolved, children };
}

function resolveAttributes(
  tag: string,
  attrs: ReadonlyArray<readonly [string, string]>,
  scope: Scope,
): Readonly<Record<string, string>> | NamespaceProblem {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [qname, value] of attrs) {
    let key = qname;
    const colon = qname.indexOf(":");
    if (colon !== -1) {
      const prefix = qname.slice(0, colon);
      if (prefix === "xmlns") continue;
      const local = qname.slice(colon + 1);
      if (prefix === "" || local === "" || local.includes(":")) return new NamespaceProblem(`${qname} is not a valid attribute name`, `${qname}=`);
      if (prefix !== "xml" || local !== "lang") {
        const uri = scope.get(prefix);
        if (uri === undefined) return new NamespaceProblem(`undeclared namespace prefix ${prefix} on attribute ${qname} of <${tag}>`, `${qname}=`);
        key = `{${uri}}${local}`;
        // §6.3: two attributes may not have the same namespace and local name.
        if (Object.hasOwn(out, key)) return new NamespaceProblem(`attribute {${uri}}${local} appears twice on <${tag}>`, `${qname}=`);
      }
    } else if (qname === "xmlns") continue;
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
    count++;
  }
  return count === 0 ? EMPTY_ATTRS : out;
}
