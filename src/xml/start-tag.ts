/** Start tags: name, attributes and the reasons one does not parse. */
import { checkReference } from "./entities.js";
import { NAME, S } from "./grammar.js";
import type { Edit, Failure } from "./scan.js";

const START_TAG = new RegExp(`<(${NAME})`, "y");
const ATTRIBUTE = new RegExp(`${S}+(${NAME})${S}*=${S}*(?:"([^"<]*)"|'([^'<]*)')`, "y");
const TAG_END = new RegExp(`${S}*(/?)>`, "y");
const LOOSE_ATTRIBUTE = new RegExp(`${S}*(${NAME})(?:${S}*=${S}*(["']?))?`, "y");
const BLANK_RUN = new RegExp(`${S}*`, "y");
const WHITESPACE_IN_VALUE = /[\t\n\r]/;

export interface StartTag {
  readonly name: string;
  /** Index after the tag. */
  readonly end: number;
  readonly selfClosing: boolean;
}

/**
 * Reads the start tag at `lt`: its name and attributes (quoted, `<`-free,
 * unique, references valid); notes values that need whitespace normalising.
 */
export function scanStartTag(
  text: string,
  lt: number,
  edits: Edit[],
  err: (m: string, at: number) => Failure,
): StartTag | Failure {
  START_TAG.lastIndex = lt;
  const m = START_TAG.exec(text);
  if (m === null) return err("'<' must start a tag name; write &lt; in text", lt);
  const name = m[1] ?? "";
  let pos = START_TAG.lastIndex;
  let seen: string[] | Set<string> | undefined;
  for (;;) {
    ATTRIBUTE.lastIndex = pos;
    const a = ATTRIBUTE.exec(text);
    if (a === null) break;
    const attr = a[1] ?? "";
    if (seen === undefined) seen = [attr];
    else if (Array.isArray(seen) ? seen.includes(attr) : seen.has(attr)) {
      return err(`attribute ${attr} appears twice on <${name}>`, a.index + a[0].search(/[^ \t\r\n]/));
    } else if (Array.isArray(seen)) {
      seen.push(attr);
      if (seen.length > 16) seen = new Set(seen);
    } else seen.add(attr);
    const value = a[2] ?? a[3] ?? "";
    pos = ATTRIBUTE.lastIndex;
    const base = pos - 1 - value.length;
    if (WHITESPACE_IN_VALUE.test(value)) edits.push({ kind: "blank", start: base, end: base + value.length });
    for (let amp = value.indexOf("&"); amp !== -1; amp = value.indexOf("&", amp + 1)) {
      const checked = checkReference(text, base + amp);
      if (typeof checked === "string") return err(checked, base + amp);
    }
  }
  TAG_END.lastIndex = pos;
  const end = TAG_END.exec(text);
  if (end === null) {
    BLANK_RUN.lastIndex = pos;
    BLANK_RUN.test(text);
    return err(diagnoseAttribute(text, pos, name), Math.min(BLANK_RUN.lastIndex, text.length - 1));
  }
  return { name, end: TAG_END.lastIndex, selfClosing: end[1] === "/" };
}

/** Why the attribute list at `pos` does not parse, in an operator's words. */
function diagnoseAttribute(text: string, pos: number, tag: string): string {
  LOOSE_ATTRIBUTE.lastIndex = pos;
  const m = LOOSE_ATTRIBUTE.exec(text);
  if (m === null) {
    return pos >= text.length ? `start tag <${tag}> is not closed` : `unexpected '${text.charAt(pos)}' in start tag <${tag}>`;
  }
  const [, attr, quote] = m;
  if (quote === undefined) return `attribute ${attr} of <${tag}> has no value`;
  if (quote === "") return `the value of attribute ${attr} of <${tag}> must be quoted`;
  const close = text.indexOf(quote, LOOSE_ATTRIBUTE.lastIndex);
  if (close === -1) return `the value of attribute ${attr} of <${tag}> is not closed`;
  if (text.slice(LOOSE_ATTRIBUTE.lastIndex, close).includes("<")) return `'<' is not allowed in the value of attribute ${attr}`;
  return `attributes of <${tag}> must be separated by whitespace`;
}
