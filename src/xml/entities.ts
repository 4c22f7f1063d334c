/**
 * Character and entity references: checking them (scan), decoding them
 * (tree building) and escaping text for output (serialisation).
 */

/** XML 1.0 §4.6: the five predefined entities; a body may use no other. */
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

const REFERENCE = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([A-Za-z_:][\w.:\u00B7\u00C0-\uFFFD-]*));/y;
const ANY_REFERENCE = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([a-z]+));/g;

/** XML 1.0 §2.2 Char: what a character reference may name and what a document may hold. */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd
    || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Checks the reference starting with the `&` at `at`. Returns the index after
 * its `;`, or a message saying what is wrong with it.
 */
export function checkReference(text: string, at: number): number | string {
  REFERENCE.lastIndex = at;
  const m = REFERENCE.exec(text);
  if (m === null) return "'&' must start a reference such as &amp; or &#38;";
  const [whole, dec, hex, name] = m;
  if (name !== undefined) {
    if (PREDEFINED[name] === undefined) return `unknown entity &${name}; (only &lt; &gt; &amp; &apos; &quot; are defined)`;
  } else if (!isXmlChar(dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16))) {
    return `character reference ${whole} names no XML character`;
  }
  return at + whole.length;
}

/** Replaces references already checked by {@link checkReference}. */
export function decodeReferences(raw: string): string {
  if (raw.indexOf("&") === -1) return raw;
  return raw.replace(ANY_REFERENCE, (_whole, dec?: string, hex?: string, name?: string) =>
    name !== undefined
      ? (PREDEFINED[name] ?? "")
      : String.fromCodePoint(dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16)),
  );
}

// Characters XML 1.0 cannot carry at all (not even as references) are dropped, so output always parses.
/* eslint-disable no-control-regex -- XML 1.0 §2.2: these patterns name the characters a document may not hold */
const TEXT_SPECIAL = /[&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<>"'\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const TEXT_ALL = /[&<>\r]|[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g;
const ATTR_ALL = /[&<>"'\t\n\r]|[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g;
/* eslint-enable no-control-regex */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
  // XML 1.0 §2.11 and §3.3.3: a literal CR, or TAB/LF in an attribute, would not survive parsing.
  "\r": "&#13;", "\n": "&#10;", "\t": "&#9;",
};

const escapeOne = (c: string): string => ESCAPES[c] ?? (c.length === 2 ? c : "");

/** Escapes character data: `&`, `<`, `>` and CR; drops characters XML cannot carry. */
export function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(TEXT_ALL, escapeOne) : text;
}

/** Escapes an attribute value for either quote, keeping TAB, LF and CR as references. */
export function escapeAttr(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_ALL, escapeOne) : value;
}
